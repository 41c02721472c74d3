/* save/load of s2f_face_index (format: file_format.h). Saving holds the shared lock, so it runs
 * alongside searches; loading validates every header field, the exact section layout, both
 * checksums and the decoded content before a handle is returned. */
#include "index/index_internal.h"

#include "core/alloc.h"
#include "index/atomic_file.h"
#include "core/crc32.h"
#include "index/codec.h"
#include "index/file_format.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t align_up(uint64_t value)
{
    return (value + S2FI_INDEX_SECTION_ALIGN - 1) / S2FI_INDEX_SECTION_ALIGN *
           S2FI_INDEX_SECTION_ALIGN;
}

/* The one layout this version writes; load requires a file to match it exactly. Sizes are
 * bounded by the caller (dim ≤ 65536, count ≤ 2^40), so nothing here can overflow. */
static s2fi_index_header layout_for(uint64_t dim, uint64_t count, uint32_t metric, uint32_t storage)
{
    s2fi_index_header h = {.dim = dim, .count = count, .metric = metric, .storage = storage};
    uint64_t row_bytes = s2fi_storage_row_bytes((s2f_storage)storage, (size_t)dim);
    h.ids_offset = S2FI_INDEX_HEADER_BYTES;
    h.codes_offset = align_up(h.ids_offset + count * 8);
    uint64_t end = h.codes_offset + count * row_bytes;
    if (storage == S2F_STORAGE_INT8) {
        h.offsets_offset = align_up(end);
        h.scales_offset = align_up(h.offsets_offset + count * 4);
        end = h.scales_offset + count * 4;
    }
    h.file_bytes = align_up(end);
    return h;
}

static void encode_header(const s2fi_index_header *h, uint8_t bytes[S2FI_INDEX_HEADER_BYTES])
{
    memset(bytes, 0, S2FI_INDEX_HEADER_BYTES);
    memcpy(bytes, S2FI_INDEX_MAGIC, 8);
    s2fi_put_u32(bytes + 8, S2FI_INDEX_FORMAT_VERSION);
    s2fi_put_u32(bytes + 12, S2FI_INDEX_HEADER_BYTES);
    s2fi_put_u64(bytes + 16, h->dim);
    s2fi_put_u64(bytes + 24, h->count);
    s2fi_put_u32(bytes + 32, h->metric);
    s2fi_put_u32(bytes + 36, h->storage);
    s2fi_put_u64(bytes + 40, h->ids_offset);
    s2fi_put_u64(bytes + 48, h->codes_offset);
    s2fi_put_u64(bytes + 56, h->offsets_offset);
    s2fi_put_u64(bytes + 64, h->scales_offset);
    s2fi_put_u64(bytes + 72, h->file_bytes);
    s2fi_put_u32(bytes + 80, h->data_crc);
    s2fi_put_u32(bytes + 124, s2fi_crc32_update(0, bytes, 124));
}

static s2f_status produce_index_file(s2fi_file_writer *writer, void *context)
{
    const s2f_face_index *index = context;
    s2fi_index_header h = layout_for(index->dim, index->count, (uint32_t)index->metric,
                                     (uint32_t)index->storage);
    uint8_t header[S2FI_INDEX_HEADER_BYTES] = {0};
    /* The header carries the data CRC, so it is written last, over this placeholder. */
    s2fi_writer_put(writer, header, sizeof header);
    writer->crc = 0;
    s2fi_writer_put(writer, index->ids, index->count * sizeof(int64_t));
    s2fi_writer_pad(writer, S2FI_INDEX_SECTION_ALIGN);
    s2fi_writer_put(writer, index->codes, index->count * index->row_bytes);
    s2fi_writer_pad(writer, S2FI_INDEX_SECTION_ALIGN);
    if (index->storage == S2F_STORAGE_INT8) {
        s2fi_writer_put(writer, index->offsets, index->count * sizeof(float));
        s2fi_writer_pad(writer, S2FI_INDEX_SECTION_ALIGN);
        s2fi_writer_put(writer, index->scales, index->count * sizeof(float));
        s2fi_writer_pad(writer, S2FI_INDEX_SECTION_ALIGN);
    }
    if (writer->error)
        return S2F_OK;
    if (writer->position != h.file_bytes)
        return s2fi_index_fail(index, S2F_ERR_INTERNAL, "index file is %llu bytes, expected %llu",
                               (unsigned long long)writer->position,
                               (unsigned long long)h.file_bytes);
    h.data_crc = writer->crc;
    encode_header(&h, header);
    ssize_t written;
    do
        written = pwrite(writer->fd, header, sizeof header, 0);
    while (written < 0 && errno == EINTR);
    if (written != (ssize_t)sizeof header)
        writer->error = written < 0 ? errno : EIO;
    return S2F_OK;
}

S2F_API s2f_status s2f_face_index_save(const s2f_face_index *index, const char *path)
{
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_save: NULL index");
    if (!path || !*path)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_save: %s path",
                               path ? "empty" : "NULL");
    s2f_face_index *lockable = (s2f_face_index *)index;
    pthread_rwlock_rdlock(&lockable->lock);
    s2f_status status = s2fi_write_file_atomically(index, path, produce_index_file, lockable);
    pthread_rwlock_unlock(&lockable->lock);
    return status;
}

/* ----- load -------------------------------------------------------------------------------- */

static s2f_status parse_header(const uint8_t *bytes, uint64_t file_size, const char *path,
                               s2fi_index_header *out)
{
    if (memcmp(bytes, S2FI_INDEX_MAGIC, 8) != 0)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s is not a face index file (bad magic)", path);
    uint32_t version = s2fi_get_u32(bytes + 8);
    if (version != S2FI_INDEX_FORMAT_VERSION)
        return s2fi_fail(NULL, S2F_ERR_UNSUPPORTED_VERSION,
                         "%s has index format version %u; this library reads version %u", path,
                         version, S2FI_INDEX_FORMAT_VERSION);
    uint32_t stored_crc = s2fi_get_u32(bytes + 124);
    uint32_t actual_crc = s2fi_crc32_update(0, bytes, 124);
    if (stored_crc != actual_crc)
        return s2fi_fail(NULL, S2F_ERR_CHECKSUM_MISMATCH,
                         "%s: header CRC-32 is 0x%08x, stored 0x%08x", path, actual_crc,
                         stored_crc);
    if (s2fi_get_u32(bytes + 12) != S2FI_INDEX_HEADER_BYTES)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: header size %u, expected %u", path,
                         s2fi_get_u32(bytes + 12), S2FI_INDEX_HEADER_BYTES);
    for (int i = 84; i < 124; ++i)
        if (bytes[i] != 0)
            return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: reserved header byte %d is not zero",
                             path, i);
    s2fi_index_header h = {
        .dim = s2fi_get_u64(bytes + 16), .count = s2fi_get_u64(bytes + 24),
        .metric = s2fi_get_u32(bytes + 32), .storage = s2fi_get_u32(bytes + 36),
        .ids_offset = s2fi_get_u64(bytes + 40), .codes_offset = s2fi_get_u64(bytes + 48),
        .offsets_offset = s2fi_get_u64(bytes + 56), .scales_offset = s2fi_get_u64(bytes + 64),
        .file_bytes = s2fi_get_u64(bytes + 72), .data_crc = s2fi_get_u32(bytes + 80)};
    if (h.dim == 0 || h.dim > S2FI_INDEX_MAX_DIM)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: dim %llu is outside 1..%d", path,
                         (unsigned long long)h.dim, S2FI_INDEX_MAX_DIM);
    if (h.count > S2FI_INDEX_MAX_ROWS)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: count %llu exceeds %zu", path,
                         (unsigned long long)h.count, S2FI_INDEX_MAX_ROWS);
    if (h.metric > S2F_METRIC_L1)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: unknown metric %u", path, h.metric);
    if (h.storage > S2F_STORAGE_INT8)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: unknown storage %u", path, h.storage);
    s2fi_index_header expected = layout_for(h.dim, h.count, h.metric, h.storage);
    if (h.ids_offset != expected.ids_offset || h.codes_offset != expected.codes_offset ||
        h.offsets_offset != expected.offsets_offset || h.scales_offset != expected.scales_offset ||
        h.file_bytes != expected.file_bytes)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT,
                         "%s: section offsets/sizes do not match a %llu×%llu %s index", path,
                         (unsigned long long)h.count, (unsigned long long)h.dim,
                         s2fi_storage_name((s2f_storage)h.storage));
    if (file_size != h.file_bytes)
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT,
                         "%s is %llu bytes but its header says %llu (truncated or extended)",
                         path, (unsigned long long)file_size, (unsigned long long)h.file_bytes);
    *out = h;
    return S2F_OK;
}

/* Checks decoded content and fills the derived arrays (id map, squared norms). */
static s2f_status adopt_content(s2f_face_index *index, const char *path)
{
    size_t dim = index->dim;
    float *row = s2fi_aligned_alloc(dim * sizeof(float));
    if (!row)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "loading %s: scratch row", path);
    for (size_t r = 0; r < index->count; ++r) {
        int64_t id = index->ids[r];
        if (id == S2FI_ID_NONE || !s2fi_id_map_insert(&index->map, id, r)) {
            s2fi_free(row);
            return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: row %zu has %s id %lld", path, r,
                             id == S2FI_ID_NONE ? "the reserved" : "a duplicate", (long long)id);
        }
        float offset = 0.0f, scale = 0.0f;
        if (index->storage == S2F_STORAGE_INT8) {
            offset = index->offsets[r];
            scale = index->scales[r];
            if (!isfinite(offset) || !isfinite(scale) || scale < 0.0f) {
                s2fi_free(row);
                return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: row %zu has int8 offset %g scale %g",
                                 path, r, (double)offset, (double)scale);
            }
        }
        s2fi_decode_row(index->storage, (const char *)index->codes + r * index->row_bytes, offset,
                        scale, dim, row);
        double sq = 0.0;
        for (size_t i = 0; i < dim; ++i) {
            if (!isfinite(row[i])) {
                s2fi_free(row);
                return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: row %zu component %zu is %f",
                                 path, r, i, (double)row[i]);
            }
            sq += (double)row[i] * row[i];
        }
        if (!isfinite((float)sq)) {
            s2fi_free(row);
            return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s: row %zu has an infinite norm", path, r);
        }
        index->sqnorms[r] = (float)sq;
    }
    s2fi_free(row);
    return S2F_OK;
}

S2F_API s2f_status s2f_face_index_load(const char *path, s2f_face_index **out)
{
    if (!path || !out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_load: NULL %s",
                         path ? "out" : "path");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return s2fi_fail(NULL, S2F_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int saved = errno;
        close(fd);
        return s2fi_fail(NULL, S2F_ERR_IO, "%s: %s", path,
                         S_ISREG(st.st_mode) ? strerror(saved) : "not a regular file");
    }
    uint64_t file_size = (uint64_t)st.st_size;
    if (file_size < S2FI_INDEX_HEADER_BYTES) {
        close(fd);
        return s2fi_fail(NULL, S2F_ERR_BAD_FORMAT, "%s is %llu bytes, shorter than the header",
                         path, (unsigned long long)file_size);
    }
    /* The sections are aligned for mapping: map the file, check it, copy the arrays out (the
     * index is mutable, and must not change if someone rewrites the file later). */
    const uint8_t *map = mmap(NULL, (size_t)file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED)
        return s2fi_fail(NULL, S2F_ERR_IO, "cannot map %s: %s", path, strerror(map_errno));
    s2fi_index_header h = {0};
    s2f_status status = parse_header(map, file_size, path, &h);
    if (status == S2F_OK) {
        uint32_t crc = s2fi_crc32_update(0, map + S2FI_INDEX_HEADER_BYTES,
                                        (size_t)(file_size - S2FI_INDEX_HEADER_BYTES));
        if (crc != h.data_crc)
            status = s2fi_fail(NULL, S2F_ERR_CHECKSUM_MISMATCH,
                               "%s: data CRC-32 is 0x%08x, stored 0x%08x (corrupt file)", path,
                               crc, h.data_crc);
    }
    s2f_face_index *index = NULL;
    if (status == S2F_OK)
        status = s2fi_index_new((size_t)h.dim, (s2f_metric)h.metric, (s2f_storage)h.storage, 0,
                                &index);
    if (status == S2F_OK && h.count > 0 &&
        s2fi_index_reserve(index, (size_t)h.count) != S2F_OK)
        status = s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "loading %s: %llu vectors do not fit",
                           path, (unsigned long long)h.count);
    if (status == S2F_OK && h.count > 0) {
        size_t count = (size_t)h.count;
        memcpy(index->ids, map + h.ids_offset, count * sizeof(int64_t));
        memcpy(index->codes, map + h.codes_offset, count * index->row_bytes);
        if (index->storage == S2F_STORAGE_INT8) {
            memcpy(index->offsets, map + h.offsets_offset, count * sizeof(float));
            memcpy(index->scales, map + h.scales_offset, count * sizeof(float));
        }
        index->count = count;
        status = adopt_content(index, path);
    }
    munmap((void *)map, (size_t)file_size);
    if (status != S2F_OK) {
        s2f_face_index_free(index);
        return status;
    }
    *out = index;
    return S2F_OK;
}
