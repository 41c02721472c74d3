/* Export of (id, vector) pairs for other vector engines: .fvecs (TEXMEX/FAISS/Milvus tooling)
 * or .npy vectors, plus ids as .npy int64, in the same row order. */
#include "index/index_internal.h"

#include "core/alloc.h"
#include "index/atomic_file.h"
#include "index/codec.h"

#include <stdio.h>
#include <string.h>

typedef struct export_context {
    const s2f_face_index *index;
    s2f_export_format format;
    float *row; /* scratch [dim] */
} export_context;

/* NumPy format 1.0 header, padded with spaces so the data starts on a 64-byte boundary. */
static void put_npy_header(s2fi_file_writer *writer, const char *descr, size_t rows, size_t cols,
                           int two_dims)
{
    char dict[160];
    int length = two_dims
                     ? snprintf(dict, sizeof dict,
                                "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                                descr, rows, cols)
                     : snprintf(dict, sizeof dict,
                                "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
                                descr, rows);
    size_t total = 10 + (size_t)length + 1;
    size_t padded = (total + 63) / 64 * 64;
    unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    uint16_t header_len = (uint16_t)(padded - 10);
    memcpy(prefix + 8, &header_len, 2);
    s2fi_writer_put(writer, prefix, sizeof prefix);
    s2fi_writer_put(writer, dict, (size_t)length);
    for (size_t i = total - 1; i < padded - 1; ++i)
        s2fi_writer_put(writer, " ", 1);
    s2fi_writer_put(writer, "\n", 1);
}

static s2f_status produce_vectors(s2fi_file_writer *writer, void *context)
{
    export_context *ctx = context;
    const s2f_face_index *index = ctx->index;
    size_t dim = index->dim;
    if (ctx->format == S2F_EXPORT_NPY)
        put_npy_header(writer, "<f4", index->count, dim, 1);
    int32_t dim32 = (int32_t)dim;
    for (size_t r = 0; r < index->count && !writer->error; ++r) {
        bool int8 = index->storage == S2F_STORAGE_INT8;
        s2fi_decode_row(index->storage, (const char *)index->codes + r * index->row_bytes,
                        int8 ? index->offsets[r] : 0.0f, int8 ? index->scales[r] : 0.0f, dim,
                        ctx->row);
        if (ctx->format == S2F_EXPORT_FVECS)
            s2fi_writer_put(writer, &dim32, sizeof dim32);
        s2fi_writer_put(writer, ctx->row, dim * sizeof(float));
    }
    return S2F_OK;
}

static s2f_status produce_ids(s2fi_file_writer *writer, void *context)
{
    export_context *ctx = context;
    put_npy_header(writer, "<i8", ctx->index->count, 0, 0);
    s2fi_writer_put(writer, ctx->index->ids, ctx->index->count * sizeof(int64_t));
    return S2F_OK;
}

S2F_API s2f_status s2f_face_index_export(const s2f_face_index *index, const char *vectors_path,
                                         const char *ids_path, s2f_export_format format)
{
    static const char what[] = "s2f_face_index_export";
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "%s: NULL index", what);
    if (!vectors_path || !ids_path || !*vectors_path || !*ids_path)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: missing %s path", what,
                               (!vectors_path || !*vectors_path) ? "vectors" : "ids");
    if (strcmp(vectors_path, ids_path) == 0)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                               "%s: vectors and ids would both be written to %s", what, ids_path);
    if (format != S2F_EXPORT_FVECS && format != S2F_EXPORT_NPY)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: unknown format %d", what,
                               (int)format);
    export_context ctx = {.index = index, .format = format,
                          .row = s2fi_aligned_alloc(index->dim * sizeof(float))};
    if (!ctx.row)
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "%s: scratch row", what);
    s2f_face_index *lockable = (s2f_face_index *)index;
    pthread_rwlock_rdlock(&lockable->lock);
    s2f_status status = s2fi_write_file_atomically(index, vectors_path, produce_vectors, &ctx);
    if (status == S2F_OK)
        status = s2fi_write_file_atomically(index, ids_path, produce_ids, &ctx);
    pthread_rwlock_unlock(&lockable->lock);
    s2fi_free(ctx.row);
    return status;
}
