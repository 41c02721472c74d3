/* Copies a loaded model with one edit (a key or tensor left out, a value replaced), so tests can
 * check how the face decoder reacts to every kind of broken container. */
#ifndef S2F_TESTS_FACE_DECODER_MODEL_EDIT_H
#define S2F_TESTS_FACE_DECODER_MODEL_EDIT_H

#include "speech2face.h"

#include <stddef.h>
#include <stdint.h>

typedef struct model_edit {
    const char *drop;           /* metadata key or tensor name to leave out */
    const char *i64_key;        /* replace this integer value ... */
    int64_t i64_value;
    const char *f64_key;        /* ... this real value ... */
    double f64_value;
    const char *string_key;     /* ... this string ... */
    const char *string_value;
    const char *f32_key;        /* ... this float array ... */
    const float *f32_values;
    size_t f32_count;
    const char *tensor_name;    /* ... or give this tensor another shape (same element count) */
    int tensor_ndim;
    int64_t tensor_shape[4];
} model_edit;

/** Loads a copy of `model` with `edit` applied into *out; returns S2F_OK or the failing status. */
s2f_status model_edit_copy(const s2f_model *model, const model_edit *edit, s2f_model **out);

#endif
