/* Tensor lookups for the face encoder that accept every dtype a converter may store: F32 (used
 * in place), F16 (widened), and U8 codes with per-tensor dequantisation metadata
 * "<tensor>.q_scale" / "<tensor>.q_min" (value = float32(q·scale + min) in double, as tfjs
 * decodes quantised weights; tools/convert/convert_face_api.py writes this form). Converted copies are
 * owned by a s2fi_weight_store and live as long as it. */
#ifndef S2F_PIPELINE_FACE_WEIGHTS_H
#define S2F_PIPELINE_FACE_WEIGHTS_H

#include "core/error.h"
#include "model/model.h"

typedef struct s2fi_weight_store {
    float **owned;
    size_t count, capacity;
} s2fi_weight_store;

/** *data = the tensor `name` as float32, which must have exactly `ndim` dims of `shape`.
 *  Errors: as s2fi_model_tensor_f32, S2F_ERR_BAD_FORMAT (missing/non-finite dequantisation
 *  metadata, unsupported dtype), S2F_ERR_OUT_OF_MEMORY. */
s2f_status s2fi_weights_get(s2fi_weight_store *store, const s2f_model *model, const char *name,
                            int ndim, const int64_t *shape, const float **data,
                            s2fi_error_slot *slot);

/** Frees every converted copy (pointers returned by s2fi_weights_get become invalid). */
void s2fi_weights_release(s2fi_weight_store *store);

#endif
