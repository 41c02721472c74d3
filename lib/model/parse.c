/* Validation of a container held in memory. The order of checks is chosen so that each kind of
 * damage gets the most useful message: identity (magic, version) first, then the header's layout,
 * then truncation named by the section where the bytes run out, then the checksum (which catches
 * random corruption wholesale), and finally every entry of the metadata and tensor tables, so a
 * file crafted with a valid checksum is still checked field by field. All arithmetic on values
 * read from the file is overflow-checked, and counts are bounded by the bytes that could encode
 * them before anything is allocated. */
#include "core/crc32.h"
#include "model/model_internal.h"

#include "core/alloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(status, ...) fail_in(origin, status, __VA_ARGS__)

static s2f_status fail_in(const char *origin, s2f_status status, const char *fmt, ...)
    S2FI_PRINTF(3, 4);

static s2f_status fail_in(const char *origin, s2f_status status, const char *fmt, ...)
{
    char detail[S2FI_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    vsnprintf(detail, sizeof detail, fmt, args);
    va_end(args);
    return s2fi_fail(NULL, status, "%s: %s", origin, detail);
}

int s2fi_model_name_is_valid(const char *name, size_t length, const char **why)
{
    if (length == 0 || length > S2FI_NAME_MAX) {
        *why = "length must be 1..255 bytes";
        return 0;
    }
    bool has_dot = false;
    for (size_t i = 0; i < length; ++i) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x21 || c > 0x7E) {
            *why = "only printable ASCII without spaces is allowed";
            return 0;
        }
        has_dot |= c == '.';
    }
    if (!has_dot || name[0] == '.' || name[length - 1] == '.') {
        *why = "must have the form <component>.<rest>";
        return 0;
    }
    return 1;
}

/* ---- arena: one allocation for every decoded key, name and value ---------------------------- */

typedef struct arena {
    char *base;
    size_t used;
    size_t capacity;
} arena;

/* Copies `size` bytes to the next 8-byte boundary and NUL-terminates them, so strings can be
 * handed out as C strings and i64/f32 arrays are aligned for their element type. */
static void *arena_copy(arena *a, const void *data, size_t size)
{
    size_t start = (a->used + 7u) & ~(size_t)7u;
    if (start > a->capacity || a->capacity - start < size + 1)
        return NULL; /* cannot happen: the capacity is computed from the section sizes */
    char *dst = a->base + start;
    if (size)
        memcpy(dst, data, size);
    dst[size] = '\0';
    a->used = start + size + 1;
    return dst;
}

/* ---- cursor over one section ------------------------------------------------------------------ */

typedef struct cursor {
    const uint8_t *p;
    size_t left;
} cursor;

static bool take(cursor *c, size_t size, const uint8_t **out)
{
    if (c->left < size)
        return false;
    *out = c->p;
    c->p += size;
    c->left -= size;
    return true;
}

static bool take_u32(cursor *c, uint32_t *out)
{
    const uint8_t *p;
    if (!take(c, 4, &p))
        return false;
    *out = s2fi_read_u32le(p);
    return true;
}

static bool take_u64(cursor *c, uint64_t *out)
{
    const uint8_t *p;
    if (!take(c, 8, &p))
        return false;
    *out = s2fi_read_u64le(p);
    return true;
}

static int compare_meta(const void *a, const void *b)
{
    return strcmp(((const s2fi_meta_entry *)a)->key, ((const s2fi_meta_entry *)b)->key);
}

static int compare_tensor_names(const void *a, const void *b)
{
    return strcmp(((const s2fi_tensor_view *)a)->name, ((const s2fi_tensor_view *)b)->name);
}

static int compare_tensor_offsets(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)(*(const s2fi_tensor_view *const *)a)->data;
    uintptr_t y = (uintptr_t)(*(const s2fi_tensor_view *const *)b)->data;
    return (x > y) - (x < y);
}

/* Reads "u32 length + bytes" and checks the naming rules. */
static s2f_status take_name(cursor *c, const char *origin, const char *what, size_t index,
                            arena *names, const char **out)
{
    uint32_t length;
    const uint8_t *bytes;
    if (!take_u32(c, &length))
        return FAIL(S2F_ERR_BAD_FORMAT, "%s %zu: truncated in its name length", what, index);
    if (length == 0 || length > S2FI_NAME_MAX)
        return FAIL(S2F_ERR_BAD_FORMAT, "%s %zu: name length %u is outside 1..%u", what, index,
                    length, S2FI_NAME_MAX);
    if (!take(c, length, &bytes))
        return FAIL(S2F_ERR_BAD_FORMAT, "%s %zu: truncated in its %u-byte name", what, index,
                    length);
    const char *why;
    if (!s2fi_model_name_is_valid((const char *)bytes, length, &why))
        return FAIL(S2F_ERR_BAD_FORMAT, "%s %zu: invalid name (%s)", what, index, why);
    *out = arena_copy(names, bytes, length);
    return *out ? S2F_OK : FAIL(S2F_ERR_INTERNAL, "%s %zu: arena exhausted", what, index);
}

/* ---- sections ----------------------------------------------------------------------------------- */

static s2f_status parse_metadata(s2f_model *model, const char *origin, cursor c, size_t count,
                                 arena *store)
{
    for (size_t i = 0; i < count; ++i) {
        s2fi_meta_entry *entry = &model->metadata[i];
        s2f_status status = take_name(&c, origin, "metadata entry", i, store, &entry->key);
        if (status != S2F_OK)
            return status;
        uint32_t type;
        if (!take_u32(&c, &type))
            return FAIL(S2F_ERR_BAD_FORMAT, "metadata entry %zu (\"%s\"): truncated in its type",
                        i, entry->key);
        entry->type = (s2fi_meta_type)type;
        const uint8_t *bytes;
        uint64_t length;
        size_t element_size = 0;
        switch (type) {
        case S2FI_META_I64:
        case S2FI_META_F64:
            if (!take(&c, 8, &bytes))
                return FAIL(S2F_ERR_BAD_FORMAT, "metadata entry %zu (\"%s\"): truncated in its value",
                            i, entry->key);
            if (type == S2FI_META_I64)
                entry->i64 = (int64_t)s2fi_read_u64le(bytes);
            else {
                uint64_t bits = s2fi_read_u64le(bytes);
                memcpy(&entry->f64, &bits, sizeof bits);
            }
            continue;
        case S2FI_META_STRING:
            element_size = 1;
            break;
        case S2FI_META_I64_ARRAY:
            element_size = 8;
            break;
        case S2FI_META_F32_ARRAY:
            element_size = 4;
            break;
        default:
            return FAIL(S2F_ERR_BAD_FORMAT, "metadata entry %zu (\"%s\"): unknown value type %u",
                        i, entry->key, type);
        }
        if (!take_u64(&c, &length))
            return FAIL(S2F_ERR_BAD_FORMAT, "metadata entry %zu (\"%s\"): truncated in its length",
                        i, entry->key);
        if (type == S2FI_META_STRING && length > S2FI_STRING_MAX)
            return FAIL(S2F_ERR_BAD_FORMAT,
                        "metadata entry %zu (\"%s\"): string of %llu bytes exceeds the %u limit", i,
                        entry->key, (unsigned long long)length, S2FI_STRING_MAX);
        /* length <= left / element_size keeps length * element_size from overflowing. */
        if (length > c.left / element_size || !take(&c, (size_t)length * element_size, &bytes))
            return FAIL(S2F_ERR_BAD_FORMAT,
                        "metadata entry %zu (\"%s\"): truncated: %llu elements of %zu bytes but "
                        "only %zu bytes left in the metadata section",
                        i, entry->key, (unsigned long long)length, element_size, c.left);
        if (type == S2FI_META_STRING && memchr(bytes, '\0', (size_t)length))
            return FAIL(S2F_ERR_BAD_FORMAT, "metadata entry %zu (\"%s\"): string contains a NUL byte",
                        i, entry->key);
        entry->count = (size_t)length;
        entry->values = arena_copy(store, bytes, (size_t)length * element_size);
        if (!entry->values)
            return FAIL(S2F_ERR_INTERNAL, "metadata entry %zu: arena exhausted", i);
    }
    if (c.left != 0)
        return FAIL(S2F_ERR_BAD_FORMAT, "metadata section has %zu bytes after its %zu entries",
                    c.left, count);
    qsort(model->metadata, count, sizeof *model->metadata, compare_meta);
    for (size_t i = 1; i < count; ++i)
        if (strcmp(model->metadata[i - 1].key, model->metadata[i].key) == 0)
            return FAIL(S2F_ERR_BAD_FORMAT, "metadata key \"%s\" appears more than once",
                        model->metadata[i].key);
    return S2F_OK;
}

static s2f_status parse_tensor_entry(const s2f_model *model, const char *origin, cursor *c,
                                     size_t i, uint64_t data_offset, arena *store,
                                     s2fi_tensor_view *tensor)
{
    s2f_status status = take_name(c, origin, "tensor table entry", i, store, &tensor->name);
    if (status != S2F_OK)
        return status;
    const char *name = tensor->name;
    uint32_t dtype, ndim;
    if (!take_u32(c, &dtype) || !take_u32(c, &ndim))
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": truncated in its dtype/ndim", name);
    size_t element_size = s2fi_dtype_size(dtype);
    if (element_size == 0)
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": unknown dtype %u", name, dtype);
    if (ndim > S2FI_TENSOR_MAX_DIMS)
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": %u dimensions, at most %d are allowed",
                    name, ndim, S2FI_TENSOR_MAX_DIMS);
    tensor->dtype = (s2fi_dtype)dtype;
    tensor->ndim = (int)ndim;
    uint64_t count = 1;
    for (uint32_t d = 0; d < ndim; ++d) {
        uint64_t extent;
        if (!take_u64(c, &extent))
            return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": truncated in its shape", name);
        if (extent == 0 || extent > INT64_MAX || __builtin_mul_overflow(count, extent, &count) ||
            count > INT64_MAX)
            return FAIL(S2F_ERR_BAD_FORMAT,
                        "tensor \"%s\": dimension %u is %llu (zero or too large)", name, d,
                        (unsigned long long)extent);
        tensor->shape[d] = (int64_t)extent;
    }
    for (uint32_t d = ndim; d < S2FI_TENSOR_MAX_DIMS; ++d)
        tensor->shape[d] = 1;
    uint64_t offset, nbytes, expected, end;
    if (!take_u64(c, &offset) || !take_u64(c, &nbytes))
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": truncated in its offset/size", name);
    if (__builtin_mul_overflow(count, (uint64_t)element_size, &expected))
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": %llu elements are too many to address",
                    name, (unsigned long long)count);
    if (nbytes != expected)
        return FAIL(S2F_ERR_SHAPE_MISMATCH,
                    "tensor \"%s\": %llu bytes stored but its dtype and shape need %llu", name,
                    (unsigned long long)nbytes, (unsigned long long)expected);
    if (offset % S2FI_DATA_ALIGNMENT != 0)
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\": data offset %llu is not a multiple of %u",
                    name, (unsigned long long)offset, S2FI_DATA_ALIGNMENT);
    if (offset < data_offset || __builtin_add_overflow(offset, nbytes, &end) || end > model->size)
        return FAIL(S2F_ERR_BAD_FORMAT,
                    "tensor \"%s\": data [%llu, +%llu) lies outside the data section [%llu, %zu)",
                    name, (unsigned long long)offset, (unsigned long long)nbytes,
                    (unsigned long long)data_offset, model->size);
    tensor->count = (int64_t)count;
    tensor->nbytes = (size_t)nbytes;
    tensor->data = model->bytes + offset;
    return S2F_OK;
}

static s2f_status parse_tensors(s2f_model *model, const char *origin, cursor c, size_t count,
                                uint64_t data_offset, arena *store)
{
    for (size_t i = 0; i < count; ++i) {
        s2f_status status =
            parse_tensor_entry(model, origin, &c, i, data_offset, store, &model->tensors[i]);
        if (status != S2F_OK)
            return status;
    }
    if (c.left != 0)
        return FAIL(S2F_ERR_BAD_FORMAT, "tensor table has %zu bytes after its %zu entries", c.left,
                    count);
    if (count == 0)
        return S2F_OK;

    /* Overlapping data would let one tensor silently alias another: a corrupt table. */
    const s2fi_tensor_view **by_offset = malloc(count * sizeof *by_offset);
    if (!by_offset)
        return FAIL(S2F_ERR_OUT_OF_MEMORY, "no memory to check %zu tensors", count);
    for (size_t i = 0; i < count; ++i)
        by_offset[i] = &model->tensors[i];
    qsort(by_offset, count, sizeof *by_offset, compare_tensor_offsets);
    s2f_status status = S2F_OK;
    for (size_t i = 1; i < count && status == S2F_OK; ++i) {
        const s2fi_tensor_view *previous = by_offset[i - 1], *current = by_offset[i];
        if ((const uint8_t *)previous->data + previous->nbytes > (const uint8_t *)current->data)
            status = FAIL(S2F_ERR_BAD_FORMAT, "tensors \"%s\" and \"%s\" overlap", previous->name,
                          current->name);
    }
    free(by_offset);
    if (status != S2F_OK)
        return status;

    qsort(model->tensors, count, sizeof *model->tensors, compare_tensor_names);
    for (size_t i = 1; i < count; ++i)
        if (strcmp(model->tensors[i - 1].name, model->tensors[i].name) == 0)
            return FAIL(S2F_ERR_BAD_FORMAT, "tensor \"%s\" appears more than once",
                        model->tensors[i].name);
    return S2F_OK;
}

/* ---- header --------------------------------------------------------------------------------- */

typedef struct header {
    uint64_t file_size, metadata_count, metadata_offset, metadata_size, tensor_count,
        tensor_offset, tensor_size, data_offset, data_size;
} header;

static s2f_status check_identity(const uint8_t *b, size_t size, const char *origin)
{
    if (size < 4)
        return FAIL(S2F_ERR_BAD_FORMAT, "truncated in the header: %zu bytes, the header has %d",
                    size, S2FI_HDR_SIZE);
    if (memcmp(b + S2FI_HDR_MAGIC, S2FI_MODEL_MAGIC, 4) != 0)
        return FAIL(S2F_ERR_BAD_FORMAT,
                    "bad magic %02x %02x %02x %02x: not a libspeech2face model (\"S2FM\")", b[0],
                    b[1], b[2], b[3]);
    if (size < 8)
        return FAIL(S2F_ERR_BAD_FORMAT, "truncated in the header: %zu bytes, the header has %d",
                    size, S2FI_HDR_SIZE);
    uint32_t version = s2fi_read_u32le(b + S2FI_HDR_VERSION);
    if (version != S2FI_MODEL_VERSION)
        return FAIL(S2F_ERR_UNSUPPORTED_VERSION,
                    "format version %u; this library reads version %u", version,
                    S2FI_MODEL_VERSION);
    if (size < S2FI_HDR_SIZE)
        return FAIL(S2F_ERR_BAD_FORMAT, "truncated in the header: %zu bytes, the header has %d",
                    size, S2FI_HDR_SIZE);
    if (s2fi_read_u32le(b + S2FI_HDR_FLAGS) != 0 || s2fi_read_u64le(b + S2FI_HDR_RESERVED) != 0)
        return FAIL(S2F_ERR_BAD_FORMAT, "header: flags/reserved fields must be zero in version %u",
                    S2FI_MODEL_VERSION);
    return S2F_OK;
}

static s2f_status check_layout(const header *h, const char *origin)
{
    uint64_t metadata_end, tensor_end, aligned, data_end;
    if (h->metadata_offset != S2FI_HDR_SIZE)
        return FAIL(S2F_ERR_BAD_FORMAT, "header: metadata offset %llu, must be %d",
                    (unsigned long long)h->metadata_offset, S2FI_HDR_SIZE);
    if (__builtin_add_overflow(h->metadata_offset, h->metadata_size, &metadata_end) ||
        h->tensor_offset != metadata_end)
        return FAIL(S2F_ERR_BAD_FORMAT,
                    "header: tensor table offset %llu does not follow the metadata section",
                    (unsigned long long)h->tensor_offset);
    if (__builtin_add_overflow(h->tensor_offset, h->tensor_size, &tensor_end) ||
        __builtin_add_overflow(tensor_end, (uint64_t)S2FI_DATA_ALIGNMENT - 1, &aligned) ||
        h->data_offset != (aligned & ~(uint64_t)(S2FI_DATA_ALIGNMENT - 1)))
        return FAIL(S2F_ERR_BAD_FORMAT,
                    "header: data offset %llu is not the tensor table's end rounded up to %u",
                    (unsigned long long)h->data_offset, S2FI_DATA_ALIGNMENT);
    if (__builtin_add_overflow(h->data_offset, h->data_size, &data_end) ||
        data_end != h->file_size)
        return FAIL(S2F_ERR_BAD_FORMAT, "header: data section does not end at the file size %llu",
                    (unsigned long long)h->file_size);
    if (h->metadata_count > h->metadata_size / S2FI_META_ENTRY_MIN)
        return FAIL(S2F_ERR_BAD_FORMAT, "header: %llu metadata entries cannot fit in %llu bytes",
                    (unsigned long long)h->metadata_count, (unsigned long long)h->metadata_size);
    if (h->tensor_count > h->tensor_size / S2FI_TENSOR_ENTRY_MIN)
        return FAIL(S2F_ERR_BAD_FORMAT, "header: %llu tensor entries cannot fit in %llu bytes",
                    (unsigned long long)h->tensor_count, (unsigned long long)h->tensor_size);
    return S2F_OK;
}

/* Names the section in which a short buffer ends. Sizes here are already consistent (layout). */
static s2f_status check_truncation(const header *h, size_t size, const char *origin)
{
    static const char *const sections[] = {"metadata section", "tensor table",
                                           "padding before the tensor data", "tensor data"};
    const uint64_t ends[] = {h->tensor_offset, h->tensor_offset + h->tensor_size, h->data_offset,
                             h->file_size};
    for (int s = 0; s < 4; ++s)
        if (size < ends[s])
            return FAIL(S2F_ERR_BAD_FORMAT,
                        "truncated in the %s: it ends at byte %llu but only %zu bytes are present",
                        sections[s], (unsigned long long)ends[s], size);
    if (size > h->file_size)
        return FAIL(S2F_ERR_BAD_FORMAT, "%llu unexpected bytes after the declared end at %llu",
                    (unsigned long long)(size - h->file_size), (unsigned long long)h->file_size);
    return S2F_OK;
}

s2f_status s2fi_model_parse(s2f_model *model, const char *origin, int verify_checksum)
{
    const uint8_t *b = model->bytes;
    s2f_status status = check_identity(b, model->size, origin);
    if (status != S2F_OK)
        return status;
    header h = {
        .file_size = s2fi_read_u64le(b + S2FI_HDR_FILE_SIZE),
        .metadata_count = s2fi_read_u64le(b + S2FI_HDR_METADATA_COUNT),
        .metadata_offset = s2fi_read_u64le(b + S2FI_HDR_METADATA_OFFSET),
        .metadata_size = s2fi_read_u64le(b + S2FI_HDR_METADATA_SIZE),
        .tensor_count = s2fi_read_u64le(b + S2FI_HDR_TENSOR_COUNT),
        .tensor_offset = s2fi_read_u64le(b + S2FI_HDR_TENSOR_OFFSET),
        .tensor_size = s2fi_read_u64le(b + S2FI_HDR_TENSOR_SIZE),
        .data_offset = s2fi_read_u64le(b + S2FI_HDR_DATA_OFFSET),
        .data_size = s2fi_read_u64le(b + S2FI_HDR_DATA_SIZE),
    };
    if ((status = check_layout(&h, origin)) != S2F_OK ||
        (status = check_truncation(&h, model->size, origin)) != S2F_OK)
        return status;

    if (verify_checksum) {
        uint32_t stored = s2fi_read_u32le(b + S2FI_HDR_CHECKSUM);
        uint32_t crc = s2fi_crc32_update(0, b, S2FI_HDR_CHECKSUM);
        crc = s2fi_crc32_update(crc, b + S2FI_HDR_CHECKSUM + 4,
                                model->size - (S2FI_HDR_CHECKSUM + 4));
        if (crc != stored)
            return FAIL(S2F_ERR_CHECKSUM_MISMATCH,
                        "checksum mismatch: stored CRC-32 %08x, computed %08x (corrupt file)",
                        stored, crc);
    }

    /* From here on every size is below model->size, so these products and sums cannot wrap. */
    size_t metadata_count = (size_t)h.metadata_count, tensor_count = (size_t)h.tensor_count;
    size_t arena_size = (size_t)h.metadata_size + (size_t)h.tensor_size +
                        16 * (metadata_count + tensor_count) + 16;
    model->arena = malloc(arena_size);
    model->metadata = calloc(metadata_count ? metadata_count : 1, sizeof *model->metadata);
    model->tensors = calloc(tensor_count ? tensor_count : 1, sizeof *model->tensors);
    if (!model->arena || !model->metadata || !model->tensors)
        return FAIL(S2F_ERR_OUT_OF_MEMORY, "no memory for %zu metadata entries and %zu tensors",
                    metadata_count, tensor_count);
    model->metadata_count = metadata_count;
    model->tensor_count = tensor_count;
    arena store = {model->arena, 0, arena_size};

    cursor metadata = {b + h.metadata_offset, (size_t)h.metadata_size};
    status = parse_metadata(model, origin, metadata, metadata_count, &store);
    if (status != S2F_OK)
        return status;
    cursor table = {b + h.tensor_offset, (size_t)h.tensor_size};
    return parse_tensors(model, origin, table, tensor_count, h.data_offset, &store);
}
