/* Internal view of a loaded model container (the public handle is s2f_model).
 *
 * This is the contract between the container (lib/model) and the networks that read it
 * (lib/pipeline): networks look up typed metadata by key and tensors by name; the container has
 * already bounds-checked every offset and (unless params.verify_checksum was 0) verified the
 * checksum at load, so a successful lookup
 * yields memory that is safe to read for tensor->nbytes bytes, 64-byte aligned.
 *
 * Naming: keys and tensor names are "<component>.<rest>", e.g. "voice_encoder.conv1.weight",
 * "voice_encoder.channels", "general.architecture". See docs/model-format.md. */
#ifndef S2F_MODEL_MODEL_H
#define S2F_MODEL_MODEL_H

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

typedef enum s2fi_dtype {
    S2FI_DTYPE_F32 = 0,
    S2FI_DTYPE_F16 = 1,
    S2FI_DTYPE_I32 = 2,
    S2FI_DTYPE_U8 = 3,
} s2fi_dtype;

#define S2FI_TENSOR_MAX_DIMS 4

typedef struct s2fi_tensor_view {
    const char *name;
    s2fi_dtype dtype;
    int ndim;
    int64_t shape[S2FI_TENSOR_MAX_DIMS];
    int64_t count;      /* product of shape */
    size_t nbytes;
    const void *data;   /* 64-byte aligned, inside the model's mapping; valid while the model lives */
} s2fi_tensor_view;

/* Lookups. Each returns S2F_OK, S2F_ERR_NOT_FOUND (no such key/tensor), or S2F_ERR_BAD_FORMAT /
 * S2F_ERR_SHAPE_MISMATCH (exists but has another type/shape), recording the message in `slot`
 * (the calling handle's error slot; may be NULL). */
s2f_status s2fi_model_tensor(const s2f_model *model, const char *name, s2fi_tensor_view *out,
                             s2fi_error_slot *slot);
/* Like s2fi_model_tensor, and additionally requires dtype F32 and exactly the given shape
 * (ndim entries of `shape`). The usual call of a network building its layers. */
s2f_status s2fi_model_tensor_f32(const s2f_model *model, const char *name, int ndim,
                                 const int64_t *shape, const float **data, s2fi_error_slot *slot);

s2f_status s2fi_model_get_i64(const s2f_model *model, const char *key, int64_t *out,
                              s2fi_error_slot *slot);
/* An i64 value is also accepted by s2fi_model_get_f64 (converted to double). */
s2f_status s2fi_model_get_f64(const s2f_model *model, const char *key, double *out,
                              s2fi_error_slot *slot);
/* NUL-terminated, valid while the model lives. */
s2f_status s2fi_model_get_string(const s2f_model *model, const char *key, const char **out,
                                 s2fi_error_slot *slot);
/* Arrays: pointer into the model (aligned for the element type), valid while the model lives. */
s2f_status s2fi_model_get_i64_array(const s2f_model *model, const char *key,
                                    const int64_t **values, size_t *count, s2fi_error_slot *slot);
s2f_status s2fi_model_get_f32_array(const s2f_model *model, const char *key,
                                    const float **values, size_t *count, s2fi_error_slot *slot);

/* True if any tensor or key starts with "<component>."; false for a NULL or dotted component. */
int s2fi_model_has_component(const s2f_model *model, const char *component);

#endif
