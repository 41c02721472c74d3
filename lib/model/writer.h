/* In-memory builder of model containers, for tests and tools (not exported). Entries are written
 * in insertion order with the canonical layout of docs/model-format.md, so the same calls made
 * through tools/reference/s2f_model.py's write_model produce byte-identical files. Names follow the
 * loader's rules and duplicates are refused, so a test cannot build an invalid file by accident;
 * tests that need one corrupt the bytes afterwards. */
#ifndef S2F_MODEL_WRITER_H
#define S2F_MODEL_WRITER_H

#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct s2fi_model_writer s2fi_model_writer;

s2f_status s2fi_model_writer_create(s2fi_model_writer **out);
void s2fi_model_writer_free(s2fi_model_writer *writer);

/* Metadata. Values are copied. S2F_ERR_INVALID_ARGUMENT for a bad or duplicate key. */
s2f_status s2fi_model_writer_set_i64(s2fi_model_writer *writer, const char *key, int64_t value);
s2f_status s2fi_model_writer_set_f64(s2fi_model_writer *writer, const char *key, double value);
s2f_status s2fi_model_writer_set_string(s2fi_model_writer *writer, const char *key,
                                        const char *value);
s2f_status s2fi_model_writer_set_i64_array(s2fi_model_writer *writer, const char *key,
                                           const int64_t *values, size_t count);
s2f_status s2fi_model_writer_set_f32_array(s2fi_model_writer *writer, const char *key,
                                           const float *values, size_t count);

/* A tensor of `ndim` (0..4) positive extents; count x dtype size bytes of `data` are copied. */
s2f_status s2fi_model_writer_add_tensor(s2fi_model_writer *writer, const char *name,
                                        s2fi_dtype dtype, int ndim, const int64_t *shape,
                                        const void *data);

/* The whole container in a new 64-byte aligned allocation (free with s2fi_free). */
s2f_status s2fi_model_writer_to_buffer(const s2fi_model_writer *writer, uint8_t **bytes,
                                       size_t *size);
s2f_status s2fi_model_writer_to_file(const s2fi_model_writer *writer, const char *path);

/* Recomputes and stores the checksum of a container in memory (for tests that edit one). */
void s2fi_model_reseal(uint8_t *bytes, size_t size);

#endif
