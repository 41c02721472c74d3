#include "model_edit.h"

#include "core/alloc.h"
#include "model/model.h"
#include "model/writer.h"

#include <stdlib.h>
#include <string.h>

static int is(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static s2f_status copy_metadata(const s2f_model *model, const model_edit *e, const char *key,
                                s2fi_model_writer *w)
{
    s2f_model_value_type type;
    size_t count;
    s2f_status status = s2f_model_metadata_type(model, key, &type, &count);
    if (status != S2F_OK)
        return status;
    switch (type) {
    case S2F_MODEL_VALUE_I64: {
        int64_t v;
        if ((status = s2f_model_metadata_i64(model, key, &v)))
            return status;
        return s2fi_model_writer_set_i64(w, key, is(key, e->i64_key) ? e->i64_value : v);
    }
    case S2F_MODEL_VALUE_F64: {
        double v;
        if ((status = s2f_model_metadata_f64(model, key, &v)))
            return status;
        return s2fi_model_writer_set_f64(w, key, is(key, e->f64_key) ? e->f64_value : v);
    }
    case S2F_MODEL_VALUE_STRING: {
        char *v = malloc(count + 1);
        if ((status = s2f_model_metadata_string(model, key, v, count + 1, NULL)) == S2F_OK)
            status = s2fi_model_writer_set_string(w, key, is(key, e->string_key) ? e->string_value : v);
        free(v);
        return status;
    }
    case S2F_MODEL_VALUE_I64_ARRAY: {
        int64_t *v = malloc((count + 1) * sizeof *v);
        if ((status = s2f_model_metadata_i64_array(model, key, v, count, &count)) == S2F_OK)
            status = s2fi_model_writer_set_i64_array(w, key, v, count);
        free(v);
        return status;
    }
    case S2F_MODEL_VALUE_F32_ARRAY: {
        float *v = malloc((count + 1) * sizeof *v);
        if ((status = s2f_model_metadata_f32_array(model, key, v, count, &count)) == S2F_OK)
            status = is(key, e->f32_key)
                         ? s2fi_model_writer_set_f32_array(w, key, e->f32_values, e->f32_count)
                         : s2fi_model_writer_set_f32_array(w, key, v, count);
        free(v);
        return status;
    }
    }
    return S2F_ERR_INTERNAL;
}

s2f_status model_edit_copy(const s2f_model *model, const model_edit *e, s2f_model **out)
{
    s2fi_model_writer *w;
    s2f_status status = s2fi_model_writer_create(&w);
    if (status != S2F_OK)
        return status;
    size_t count = 0;
    char name[256];
    s2f_model_metadata_count(model, &count);
    for (size_t i = 0; i < count && status == S2F_OK; ++i)
        if ((status = s2f_model_metadata_key(model, i, name, sizeof name, NULL)) == S2F_OK &&
            !is(name, e->drop))
            status = copy_metadata(model, e, name, w);
    s2f_model_tensor_count(model, &count);
    for (size_t i = 0; i < count && status == S2F_OK; ++i) {
        if ((status = s2f_model_tensor_name(model, i, name, sizeof name, NULL)) || is(name, e->drop))
            continue;
        s2fi_tensor_view view;
        if ((status = s2fi_model_tensor(model, name, &view, NULL)))
            break;
        if (is(name, e->tensor_name))
            status = s2fi_model_writer_add_tensor(w, name, view.dtype, e->tensor_ndim,
                                                  e->tensor_shape, view.data);
        else
            status = s2fi_model_writer_add_tensor(w, name, view.dtype, view.ndim, view.shape,
                                                  view.data);
    }
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (status == S2F_OK && (status = s2fi_model_writer_to_buffer(w, &bytes, &size)) == S2F_OK)
        status = s2f_model_load_buffer(bytes, size, NULL, out);
    s2fi_free(bytes);
    s2fi_model_writer_free(w);
    return status;
}
