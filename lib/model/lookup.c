/* Lookups by key and name: the internal interface of model.h (used by the networks, reporting
 * into the caller's error slot) and the public introspection functions (reporting only to the
 * calling thread, since a shared model has no slot of its own). Both tables are sorted at load,
 * so every lookup is a binary search. */
#include "model/model_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_key_to_meta(const void *key, const void *entry)
{
    return strcmp(key, ((const s2fi_meta_entry *)entry)->key);
}

static int compare_name_to_tensor(const void *name, const void *tensor)
{
    return strcmp(name, ((const s2fi_tensor_view *)tensor)->name);
}

const s2fi_meta_entry *s2fi_model_find_meta(const s2f_model *model, const char *key)
{
    if (model->metadata_count == 0)
        return NULL;
    return bsearch(key, model->metadata, model->metadata_count, sizeof *model->metadata,
                   compare_key_to_meta);
}

const s2fi_tensor_view *s2fi_model_find_tensor(const s2f_model *model, const char *name)
{
    if (model->tensor_count == 0)
        return NULL;
    return bsearch(name, model->tensors, model->tensor_count, sizeof *model->tensors,
                   compare_name_to_tensor);
}

static const char *const meta_type_names[S2FI_META_TYPE_COUNT] = {
    "i64", "f64", "string", "i64 array", "f32 array",
};
static const char *const dtype_names[S2FI_DTYPE_COUNT] = {"f32", "f16", "i32", "u8"};

/* ---- internal interface (model.h) ------------------------------------------------------------- */

s2f_status s2fi_model_tensor(const s2f_model *model, const char *name, s2fi_tensor_view *out,
                             s2fi_error_slot *slot)
{
    if (!model || !name || !out)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "model tensor lookup: NULL argument");
    const s2fi_tensor_view *tensor = s2fi_model_find_tensor(model, name);
    if (!tensor)
        return s2fi_fail(slot, S2F_ERR_NOT_FOUND, "model has no tensor \"%s\"", name);
    *out = *tensor;
    return S2F_OK;
}

/* "[64, 2, 1, 7]" for messages. */
static void format_shape(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && used < cap; ++d)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld", d ? ", " : "",
                                 (long long)shape[d]);
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
}

s2f_status s2fi_model_tensor_f32(const s2f_model *model, const char *name, int ndim,
                                 const int64_t *shape, const float **data, s2fi_error_slot *slot)
{
    if (!model || !name || !data || (ndim > 0 && !shape) || ndim < 0 ||
        ndim > S2FI_TENSOR_MAX_DIMS)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "model tensor lookup: NULL argument or ndim %d outside 0..%d", ndim,
                         S2FI_TENSOR_MAX_DIMS);
    s2fi_tensor_view tensor;
    s2f_status status = s2fi_model_tensor(model, name, &tensor, slot);
    if (status != S2F_OK)
        return status;
    if (tensor.dtype != S2FI_DTYPE_F32)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "tensor \"%s\" has dtype %s, expected f32",
                         name, dtype_names[tensor.dtype]);
    int same = tensor.ndim == ndim;
    for (int d = 0; same && d < ndim; ++d)
        same = tensor.shape[d] == shape[d];
    if (!same) {
        char have[128], want[128];
        format_shape(have, sizeof have, tensor.ndim, tensor.shape);
        format_shape(want, sizeof want, ndim, shape);
        return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH, "tensor \"%s\" has shape %s, expected %s",
                         name, have, want);
    }
    *data = tensor.data;
    return S2F_OK;
}

/* Finds `key` and checks its type; `also` is a second accepted type (or -1). */
static s2f_status find_typed(const s2f_model *model, const char *key, s2fi_meta_type type,
                             int also, const s2fi_meta_entry **out, s2fi_error_slot *slot)
{
    if (!model || !key)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "model metadata lookup: NULL argument");
    const s2fi_meta_entry *entry = s2fi_model_find_meta(model, key);
    if (!entry)
        return s2fi_fail(slot, S2F_ERR_NOT_FOUND, "model has no metadata key \"%s\"", key);
    if (entry->type != type && (int)entry->type != also)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "metadata \"%s\" is of type %s, expected %s",
                         key, meta_type_names[entry->type], meta_type_names[type]);
    *out = entry;
    return S2F_OK;
}

s2f_status s2fi_model_get_i64(const s2f_model *model, const char *key, int64_t *out,
                              s2fi_error_slot *slot)
{
    const s2fi_meta_entry *entry;
    s2f_status status = find_typed(model, key, S2FI_META_I64, -1, &entry, slot);
    if (status == S2F_OK && !out)
        status = s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "metadata \"%s\": NULL output", key);
    if (status == S2F_OK)
        *out = entry->i64;
    return status;
}

s2f_status s2fi_model_get_f64(const s2f_model *model, const char *key, double *out,
                              s2fi_error_slot *slot)
{
    const s2fi_meta_entry *entry;
    s2f_status status = find_typed(model, key, S2FI_META_F64, S2FI_META_I64, &entry, slot);
    if (status == S2F_OK && !out)
        status = s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "metadata \"%s\": NULL output", key);
    if (status == S2F_OK)
        *out = entry->type == S2FI_META_I64 ? (double)entry->i64 : entry->f64;
    return status;
}

s2f_status s2fi_model_get_string(const s2f_model *model, const char *key, const char **out,
                                 s2fi_error_slot *slot)
{
    const s2fi_meta_entry *entry;
    s2f_status status = find_typed(model, key, S2FI_META_STRING, -1, &entry, slot);
    if (status == S2F_OK && !out)
        status = s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "metadata \"%s\": NULL output", key);
    if (status == S2F_OK)
        *out = entry->values;
    return status;
}

static s2f_status get_array(const s2f_model *model, const char *key, s2fi_meta_type type,
                            const void **values, size_t *count, s2fi_error_slot *slot)
{
    const s2fi_meta_entry *entry;
    s2f_status status = find_typed(model, key, type, -1, &entry, slot);
    if (status == S2F_OK && (!values || !count))
        status = s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "metadata \"%s\": NULL output", key);
    if (status == S2F_OK) {
        *values = entry->values;
        *count = entry->count;
    }
    return status;
}

s2f_status s2fi_model_get_i64_array(const s2f_model *model, const char *key,
                                    const int64_t **values, size_t *count, s2fi_error_slot *slot)
{
    return get_array(model, key, S2FI_META_I64_ARRAY, (const void **)values, count, slot);
}

s2f_status s2fi_model_get_f32_array(const s2f_model *model, const char *key,
                                    const float **values, size_t *count, s2fi_error_slot *slot)
{
    return get_array(model, key, S2FI_META_F32_ARRAY, (const void **)values, count, slot);
}

int s2fi_model_has_component(const s2f_model *model, const char *component)
{
    /* A component is the text before a name's first dot: a dotted argument is never one. */
    if (!model || !component || strchr(component, '.'))
        return 0;
    size_t length = strlen(component);
    for (size_t i = 0; i < model->tensor_count; ++i)
        if (strncmp(model->tensors[i].name, component, length) == 0 &&
            model->tensors[i].name[length] == '.')
            return 1;
    for (size_t i = 0; i < model->metadata_count; ++i)
        if (strncmp(model->metadata[i].key, component, length) == 0 &&
            model->metadata[i].key[length] == '.')
            return 1;
    return 0;
}
