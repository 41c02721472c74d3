/* The loaded container. Private to lib/model: networks use model.h, users the public header.
 * Everything here is written once during load and only read afterwards, which is what makes a
 * model shareable across threads without locks. */
#ifndef S2F_MODEL_MODEL_INTERNAL_H
#define S2F_MODEL_MODEL_INTERNAL_H

#include "model/format.h"
#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct s2fi_meta_entry {
    const char *key;      /* NUL-terminated, in the model's arena */
    s2fi_meta_type type;
    int64_t i64;          /* S2FI_META_I64 */
    double f64;           /* S2FI_META_F64 */
    const void *values;   /* string (NUL-terminated) or array elements, 8-byte aligned, arena */
    size_t count;         /* string length in bytes, or number of array elements */
} s2fi_meta_entry;

struct s2f_model {
    /* The whole container, 64-byte aligned: a read-only mapping or an owned copy. */
    const uint8_t *bytes;
    size_t size;
    void *mapping;        /* non-NULL when `bytes` is an mmap of `size` bytes */
    void *owned_bytes;    /* non-NULL when `bytes` is our s2fi_aligned_alloc'd copy */

    /* Both tables are sorted by name (strcmp) for binary search and duplicate detection. */
    s2fi_meta_entry *metadata;
    size_t metadata_count;
    s2fi_tensor_view *tensors;
    size_t tensor_count;

    /* Keys, names, strings and arrays decoded from the file (NUL-terminated, 8-byte aligned). */
    char *arena;
};

/** Validates model->bytes/size (already set; 64-byte aligned) and fills the tables. `origin`
 *  names the source in messages (a path or "model buffer"). Errors go to the thread's slot.
 *  On failure the model may be partially filled: release it with s2fi_model_release. */
s2f_status s2fi_model_parse(s2f_model *model, const char *origin, int verify_checksum);

/** Frees what s2fi_model_parse and the loaders attached, then the model itself. NULL-safe. */
void s2fi_model_release(s2f_model *model);

/** Binary searches; NULL when absent. */
const s2fi_meta_entry *s2fi_model_find_meta(const s2f_model *model, const char *key);
const s2fi_tensor_view *s2fi_model_find_tensor(const s2f_model *model, const char *name);

#endif
