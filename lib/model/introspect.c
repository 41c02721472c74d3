/* Public, read-only introspection of a loaded model (for the CLI's "info" and for bindings).
 * A shared model has no message slot, so these report to the calling thread only (slot NULL). */
#include "model/model_internal.h"

#include <string.h>

#define REQUIRE(condition, ...)                                                                   \
    do {                                                                                          \
        if (!(condition))                                                                         \
            return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, __VA_ARGS__);                        \
    } while (0)

/* The text-output rule of the header: report the need, allow a pure query, never truncate. */
static s2f_status copy_text(const char *text, char *buf, size_t capacity, size_t *needed,
                            const char *what)
{
    size_t required = strlen(text) + 1;
    REQUIRE(buf || capacity == 0, "%s: buf is NULL but capacity is %zu", what, capacity);
    REQUIRE(buf || needed, "%s: buf and needed are both NULL", what);
    if (needed)
        *needed = required;
    if (!buf)
        return S2F_OK;
    if (capacity < required)
        return s2fi_fail(NULL, S2F_ERR_BUFFER_TOO_SMALL, "%s: needs %zu bytes, buffer has %zu",
                         what, required, capacity);
    memcpy(buf, text, required);
    return S2F_OK;
}

/* The array-output rule: as copy_text with elements of `element_size` bytes. */
static s2f_status copy_array(const void *values, size_t length, size_t element_size, void *out,
                             size_t capacity, size_t *count, const char *key)
{
    REQUIRE(count, "metadata \"%s\": count must not be NULL", key);
    REQUIRE(out || capacity == 0, "metadata \"%s\": values is NULL but capacity is %zu", key,
            capacity);
    *count = length;
    if (!out)
        return S2F_OK;
    if (capacity < length)
        return s2fi_fail(NULL, S2F_ERR_BUFFER_TOO_SMALL,
                         "metadata \"%s\": needs %zu elements, buffer has %zu", key, length,
                         capacity);
    if (length)
        memcpy(out, values, length * element_size);
    return S2F_OK;
}

S2F_API s2f_status s2f_model_has_component(const s2f_model *model, const char *component,
                                           int *has)
{
    REQUIRE(model && component && has, "s2f_model_has_component: NULL argument");
    REQUIRE(!strchr(component, '.'), "s2f_model_has_component: \"%s\" is not a component name "
            "(the part of a name before its first dot)", component);
    *has = s2fi_model_has_component(model, component);
    return S2F_OK;
}

S2F_API s2f_status s2f_model_metadata_count(const s2f_model *model, size_t *count)
{
    REQUIRE(model && count, "s2f_model_metadata_count: NULL argument");
    *count = model->metadata_count;
    return S2F_OK;
}

S2F_API s2f_status s2f_model_metadata_key(const s2f_model *model, size_t index, char *buf,
                                          size_t capacity, size_t *needed)
{
    REQUIRE(model, "s2f_model_metadata_key: NULL model");
    if (index >= model->metadata_count)
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "metadata index %zu: the model has %zu entries",
                         index, model->metadata_count);
    return copy_text(model->metadata[index].key, buf, capacity, needed, "s2f_model_metadata_key");
}

S2F_API s2f_status s2f_model_metadata_type(const s2f_model *model, const char *key,
                                           s2f_model_value_type *type, size_t *count)
{
    REQUIRE(model && key && type, "s2f_model_metadata_type: NULL argument");
    const s2fi_meta_entry *entry = s2fi_model_find_meta(model, key);
    if (!entry)
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "model has no metadata key \"%s\"", key);
    *type = (s2f_model_value_type)entry->type;
    if (count)
        *count = entry->type == S2FI_META_I64 || entry->type == S2FI_META_F64 ? 1 : entry->count;
    return S2F_OK;
}

S2F_API s2f_status s2f_model_metadata_i64(const s2f_model *model, const char *key,
                                          int64_t *value)
{
    REQUIRE(model && key && value, "s2f_model_metadata_i64: NULL argument");
    return s2fi_model_get_i64(model, key, value, NULL);
}

S2F_API s2f_status s2f_model_metadata_f64(const s2f_model *model, const char *key, double *value)
{
    REQUIRE(model && key && value, "s2f_model_metadata_f64: NULL argument");
    return s2fi_model_get_f64(model, key, value, NULL);
}

S2F_API s2f_status s2f_model_metadata_string(const s2f_model *model, const char *key, char *buf,
                                             size_t capacity, size_t *needed)
{
    REQUIRE(model && key, "s2f_model_metadata_string: NULL argument");
    const char *text;
    s2f_status status = s2fi_model_get_string(model, key, &text, NULL);
    if (status != S2F_OK)
        return status;
    return copy_text(text, buf, capacity, needed, key);
}

S2F_API s2f_status s2f_model_metadata_i64_array(const s2f_model *model, const char *key,
                                                int64_t *values, size_t capacity, size_t *count)
{
    REQUIRE(model && key, "s2f_model_metadata_i64_array: NULL argument");
    const int64_t *stored;
    size_t length;
    s2f_status status = s2fi_model_get_i64_array(model, key, &stored, &length, NULL);
    if (status != S2F_OK)
        return status;
    return copy_array(stored, length, sizeof *stored, values, capacity, count, key);
}

S2F_API s2f_status s2f_model_metadata_f32_array(const s2f_model *model, const char *key,
                                                float *values, size_t capacity, size_t *count)
{
    REQUIRE(model && key, "s2f_model_metadata_f32_array: NULL argument");
    const float *stored;
    size_t length;
    s2f_status status = s2fi_model_get_f32_array(model, key, &stored, &length, NULL);
    if (status != S2F_OK)
        return status;
    return copy_array(stored, length, sizeof *stored, values, capacity, count, key);
}

S2F_API s2f_status s2f_model_tensor_count(const s2f_model *model, size_t *count)
{
    REQUIRE(model && count, "s2f_model_tensor_count: NULL argument");
    *count = model->tensor_count;
    return S2F_OK;
}

S2F_API s2f_status s2f_model_tensor_name(const s2f_model *model, size_t index, char *buf,
                                         size_t capacity, size_t *needed)
{
    REQUIRE(model, "s2f_model_tensor_name: NULL model");
    if (index >= model->tensor_count)
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "tensor index %zu: the model has %zu tensors",
                         index, model->tensor_count);
    return copy_text(model->tensors[index].name, buf, capacity, needed, "s2f_model_tensor_name");
}

S2F_API s2f_status s2f_model_tensor_info(const s2f_model *model, const char *name,
                                         s2f_model_dtype *dtype, int *ndim, int64_t shape[4])
{
    REQUIRE(model && name, "s2f_model_tensor_info: NULL argument");
    s2fi_tensor_view tensor;
    s2f_status status = s2fi_model_tensor(model, name, &tensor, NULL);
    if (status != S2F_OK)
        return status;
    if (dtype)
        *dtype = (s2f_model_dtype)tensor.dtype;
    if (ndim)
        *ndim = tensor.ndim;
    if (shape)
        memcpy(shape, tensor.shape, sizeof tensor.shape);
    return S2F_OK;
}
