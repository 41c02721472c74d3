/* Serialises metadata and tensors into the version-1 layout: header, metadata entries, tensor
 * table, zero padding to 64, tensor data each at a 64-byte aligned offset, then the CRC-32. */
#include "model/writer.h"

#include "core/crc32.h"
#include "model/format.h"

#include "core/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct meta_item {
    char *key;
    s2fi_meta_type type;
    uint64_t scalar_bits;  /* i64 or f64 bit pattern */
    void *values;          /* string bytes or array elements */
    size_t count;          /* bytes (string) or elements (arrays) */
} meta_item;

typedef struct tensor_item {
    char *name;
    s2fi_dtype dtype;
    int ndim;
    int64_t shape[S2FI_TENSOR_MAX_DIMS];
    void *data;
    size_t nbytes;
} tensor_item;

struct s2fi_model_writer {
    meta_item *meta;
    size_t meta_count, meta_capacity;
    tensor_item *tensors;
    size_t tensor_count, tensor_capacity;
};

s2f_status s2fi_model_writer_create(s2fi_model_writer **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL out");
    *out = calloc(1, sizeof **out);
    return *out ? S2F_OK : s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "model writer: no memory");
}

void s2fi_model_writer_free(s2fi_model_writer *writer)
{
    if (!writer)
        return;
    for (size_t i = 0; i < writer->meta_count; ++i) {
        free(writer->meta[i].key);
        free(writer->meta[i].values);
    }
    for (size_t i = 0; i < writer->tensor_count; ++i) {
        free(writer->tensors[i].name);
        free(writer->tensors[i].data);
    }
    free(writer->meta);
    free(writer->tensors);
    free(writer);
}

static s2f_status check_new_name(const s2fi_model_writer *writer, const char *name)
{
    if (!name)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL name");
    const char *why;
    if (!s2fi_model_name_is_valid(name, strlen(name), &why))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: name \"%s\": %s", name,
                         why);
    for (size_t i = 0; i < writer->meta_count; ++i)
        if (strcmp(writer->meta[i].key, name) == 0)
            return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: duplicate key \"%s\"",
                             name);
    for (size_t i = 0; i < writer->tensor_count; ++i)
        if (strcmp(writer->tensors[i].name, name) == 0)
            return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                             "model writer: duplicate tensor \"%s\"", name);
    return S2F_OK;
}

static int grow(void **items, size_t *capacity, size_t count, size_t item_size)
{
    if (count < *capacity)
        return 1;
    size_t next = *capacity ? 2 * *capacity : 16;
    void *grown = realloc(*items, next * item_size);
    if (!grown)
        return 0;
    *items = grown;
    *capacity = next;
    return 1;
}

static s2f_status add_meta(s2fi_model_writer *writer, const char *key, s2fi_meta_type type,
                           uint64_t scalar_bits, const void *values, size_t count,
                           size_t element_size)
{
    if (!writer)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL writer");
    s2f_status status = check_new_name(writer, key);
    if (status != S2F_OK)
        return status;
    if (count && !values)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: \"%s\": NULL values", key);
    size_t bytes;
    if (!s2fi_mul_size(count, element_size, &bytes))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: \"%s\": too long", key);
    meta_item item = {.key = strdup(key), .type = type, .scalar_bits = scalar_bits,
                      .values = malloc(bytes ? bytes : 1), .count = count};
    if (!item.key || !item.values ||
        !grow((void **)&writer->meta, &writer->meta_capacity, writer->meta_count, sizeof item)) {
        free(item.key);
        free(item.values);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "model writer: no memory");
    }
    if (bytes)
        memcpy(item.values, values, bytes);
    writer->meta[writer->meta_count++] = item;
    return S2F_OK;
}

s2f_status s2fi_model_writer_set_i64(s2fi_model_writer *writer, const char *key, int64_t value)
{
    return add_meta(writer, key, S2FI_META_I64, (uint64_t)value, NULL, 0, 1);
}

s2f_status s2fi_model_writer_set_f64(s2fi_model_writer *writer, const char *key, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return add_meta(writer, key, S2FI_META_F64, bits, NULL, 0, 1);
}

s2f_status s2fi_model_writer_set_string(s2fi_model_writer *writer, const char *key,
                                        const char *value)
{
    if (!value)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL string");
    return add_meta(writer, key, S2FI_META_STRING, 0, value, strlen(value), 1);
}

s2f_status s2fi_model_writer_set_i64_array(s2fi_model_writer *writer, const char *key,
                                           const int64_t *values, size_t count)
{
    return add_meta(writer, key, S2FI_META_I64_ARRAY, 0, values, count, sizeof *values);
}

s2f_status s2fi_model_writer_set_f32_array(s2fi_model_writer *writer, const char *key,
                                           const float *values, size_t count)
{
    return add_meta(writer, key, S2FI_META_F32_ARRAY, 0, values, count, sizeof *values);
}

s2f_status s2fi_model_writer_add_tensor(s2fi_model_writer *writer, const char *name,
                                        s2fi_dtype dtype, int ndim, const int64_t *shape,
                                        const void *data)
{
    if (!writer || !data || (ndim > 0 && !shape))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL argument");
    s2f_status status = check_new_name(writer, name);
    if (status != S2F_OK)
        return status;
    size_t element_size = s2fi_dtype_size((uint32_t)dtype);
    if (element_size == 0 || ndim < 0 || ndim > S2FI_TENSOR_MAX_DIMS)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "model writer: tensor \"%s\": dtype %d or ndim %d invalid", name,
                         (int)dtype, ndim);
    tensor_item item = {.dtype = dtype, .ndim = ndim, .nbytes = element_size};
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] <= 0 || !s2fi_mul_size(item.nbytes, (size_t)shape[d], &item.nbytes))
            return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                             "model writer: tensor \"%s\": bad extent %lld", name,
                             (long long)shape[d]);
        item.shape[d] = shape[d];
    }
    item.name = strdup(name);
    item.data = malloc(item.nbytes);
    if (!item.name || !item.data ||
        !grow((void **)&writer->tensors, &writer->tensor_capacity, writer->tensor_count,
              sizeof item)) {
        free(item.name);
        free(item.data);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "model writer: no memory");
    }
    memcpy(item.data, data, item.nbytes);
    writer->tensors[writer->tensor_count++] = item;
    return S2F_OK;
}

static size_t meta_value_size(const meta_item *item)
{
    switch (item->type) {
    case S2FI_META_STRING: return 8 + item->count;
    case S2FI_META_I64_ARRAY: return 8 + 8 * item->count;
    case S2FI_META_F32_ARRAY: return 8 + 4 * item->count;
    default: return 8;
    }
}

static size_t align_up(size_t value)
{
    return (value + S2FI_DATA_ALIGNMENT - 1) & ~(size_t)(S2FI_DATA_ALIGNMENT - 1);
}

void s2fi_model_reseal(uint8_t *bytes, size_t size)
{
    if (size < S2FI_HDR_SIZE)
        return;
    uint32_t crc = s2fi_crc32_update(0, bytes, S2FI_HDR_CHECKSUM);
    crc = s2fi_crc32_update(crc, bytes + S2FI_HDR_CHECKSUM + 4, size - S2FI_HDR_CHECKSUM - 4);
    s2fi_write_u32le(bytes + S2FI_HDR_CHECKSUM, crc);
}

s2f_status s2fi_model_writer_to_buffer(const s2fi_model_writer *writer, uint8_t **out_bytes,
                                       size_t *out_size)
{
    if (!writer || !out_bytes || !out_size)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL argument");
    /* Sizes here come from allocations that already succeeded, so they cannot overflow. */
    size_t metadata_size = 0, tensor_size = 0;
    for (size_t i = 0; i < writer->meta_count; ++i)
        metadata_size += 4 + strlen(writer->meta[i].key) + 4 + meta_value_size(&writer->meta[i]);
    for (size_t i = 0; i < writer->tensor_count; ++i)
        tensor_size += 4 + strlen(writer->tensors[i].name) + 4 + 4 +
                       8 * (size_t)writer->tensors[i].ndim + 16;
    size_t tensor_offset = S2FI_HDR_SIZE + metadata_size;
    size_t data_offset = align_up(tensor_offset + tensor_size);
    size_t file_size = data_offset;
    for (size_t i = 0; i < writer->tensor_count; ++i)
        file_size = align_up(file_size) + writer->tensors[i].nbytes;

    uint8_t *bytes = s2fi_aligned_calloc(file_size);
    if (!bytes)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "model writer: no memory for %zu bytes",
                         file_size);
    memcpy(bytes + S2FI_HDR_MAGIC, S2FI_MODEL_MAGIC, 4);
    s2fi_write_u32le(bytes + S2FI_HDR_VERSION, S2FI_MODEL_VERSION);
    s2fi_write_u64le(bytes + S2FI_HDR_FILE_SIZE, file_size);
    s2fi_write_u64le(bytes + S2FI_HDR_METADATA_COUNT, writer->meta_count);
    s2fi_write_u64le(bytes + S2FI_HDR_METADATA_OFFSET, S2FI_HDR_SIZE);
    s2fi_write_u64le(bytes + S2FI_HDR_METADATA_SIZE, metadata_size);
    s2fi_write_u64le(bytes + S2FI_HDR_TENSOR_COUNT, writer->tensor_count);
    s2fi_write_u64le(bytes + S2FI_HDR_TENSOR_OFFSET, tensor_offset);
    s2fi_write_u64le(bytes + S2FI_HDR_TENSOR_SIZE, tensor_size);
    s2fi_write_u64le(bytes + S2FI_HDR_DATA_OFFSET, data_offset);
    s2fi_write_u64le(bytes + S2FI_HDR_DATA_SIZE, file_size - data_offset);

    uint8_t *p = bytes + S2FI_HDR_SIZE;
    for (size_t i = 0; i < writer->meta_count; ++i) {
        const meta_item *item = &writer->meta[i];
        size_t key_length = strlen(item->key);
        s2fi_write_u32le(p, (uint32_t)key_length);
        memcpy(p + 4, item->key, key_length);
        p += 4 + key_length;
        s2fi_write_u32le(p, (uint32_t)item->type);
        p += 4;
        if (item->type == S2FI_META_I64 || item->type == S2FI_META_F64) {
            s2fi_write_u64le(p, item->scalar_bits);
            p += 8;
            continue;
        }
        /* Array elements are stored little-endian; this copy assumes a little-endian host. */
        size_t value_bytes = meta_value_size(item) - 8;
        s2fi_write_u64le(p, item->count);
        if (value_bytes)
            memcpy(p + 8, item->values, value_bytes);
        p += 8 + value_bytes;
    }
    size_t data_cursor = data_offset;
    for (size_t i = 0; i < writer->tensor_count; ++i) {
        const tensor_item *item = &writer->tensors[i];
        size_t name_length = strlen(item->name);
        s2fi_write_u32le(p, (uint32_t)name_length);
        memcpy(p + 4, item->name, name_length);
        p += 4 + name_length;
        s2fi_write_u32le(p, (uint32_t)item->dtype);
        s2fi_write_u32le(p + 4, (uint32_t)item->ndim);
        p += 8;
        for (int d = 0; d < item->ndim; ++d, p += 8)
            s2fi_write_u64le(p, (uint64_t)item->shape[d]);
        data_cursor = align_up(data_cursor);
        s2fi_write_u64le(p, data_cursor);
        s2fi_write_u64le(p + 8, item->nbytes);
        p += 16;
        memcpy(bytes + data_cursor, item->data, item->nbytes);
        data_cursor += item->nbytes;
    }
    s2fi_model_reseal(bytes, file_size);
    *out_bytes = bytes;
    *out_size = file_size;
    return S2F_OK;
}

s2f_status s2fi_model_writer_to_file(const s2fi_model_writer *writer, const char *path)
{
    if (!path)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model writer: NULL path");
    uint8_t *bytes;
    size_t size;
    s2f_status status = s2fi_model_writer_to_buffer(writer, &bytes, &size);
    if (status != S2F_OK)
        return status;
    FILE *file = fopen(path, "wb");
    if (!file) {
        status = s2fi_fail(NULL, S2F_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    } else {
        int ok = fwrite(bytes, 1, size, file) == size;
        ok &= fclose(file) == 0;
        if (!ok)
            status = s2fi_fail(NULL, S2F_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    }
    s2fi_free(bytes);
    return status;
}
