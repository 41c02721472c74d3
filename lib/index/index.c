/* Lifetime, configuration, errors and mutation (add/remove) of s2f_face_index. */
#include "index/index_internal.h"

#include "core/alloc.h"
#include "core/params.h"
#include "index/codec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(offsetof(s2f_face_index_params, threads) + sizeof(size_t) ==
                   sizeof(s2f_face_index_params),
               "s2f_face_index_params must have no tail padding");
_Static_assert(sizeof(s2f_face_index_params) % 8 == 0, "params grow in 8-byte units");

s2f_status s2fi_index_fail(const s2f_face_index *index, s2f_status status, const char *fmt, ...)
{
    char message[S2FI_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (!index)
        return s2fi_fail(NULL, status, "%s", message);
    /* The slot is the only state a const (searching) call writes; the mutex makes concurrent
     * failing searches and last_error readers race-free. */
    s2f_face_index *mutable_index = (s2f_face_index *)index;
    pthread_mutex_lock(&mutable_index->error_lock);
    s2fi_fail(&mutable_index->error, status, "%s", message);
    pthread_mutex_unlock(&mutable_index->error_lock);
    return status;
}

const char *s2fi_metric_name(s2f_metric metric)
{
    switch (metric) {
    case S2F_METRIC_COSINE: return "cosine";
    case S2F_METRIC_INNER_PRODUCT: return "inner product";
    case S2F_METRIC_L2: return "L2";
    case S2F_METRIC_L1: return "L1";
    }
    return "unknown";
}

const char *s2fi_storage_name(s2f_storage storage)
{
    switch (storage) {
    case S2F_STORAGE_F32: return "f32";
    case S2F_STORAGE_F16: return "f16";
    case S2F_STORAGE_INT8: return "int8";
    }
    return "unknown";
}

size_t s2fi_storage_row_bytes(s2f_storage storage, size_t dim)
{
    switch (storage) {
    case S2F_STORAGE_F32: return dim * sizeof(float);
    case S2F_STORAGE_F16: return dim * sizeof(uint16_t);
    case S2F_STORAGE_INT8: return dim;
    }
    return 0;
}

size_t s2fi_index_thread_count(const s2f_face_index *index)
{
    if (index->threads > 0)
        return index->threads;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (size_t)online : 1;
}

static const s2f_face_index_params index_defaults = {
    .size = sizeof(s2f_face_index_params),
    .dim = 128,
    .metric = S2F_METRIC_COSINE,
    .storage = S2F_STORAGE_F32,
    .threads = 0,
};

S2F_API s2f_status s2f_face_index_default_params_sized(s2f_face_index_params *params, size_t size)
{
    return s2fi_params_defaults(params, size, &index_defaults, sizeof index_defaults,
                                "s2f_face_index_params");
}

s2f_status s2fi_index_new(size_t dim, s2f_metric metric, s2f_storage storage, size_t threads,
                          s2f_face_index **out)
{
    if (dim == 0 || dim > S2FI_INDEX_MAX_DIM)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "face index: dim %zu is outside 1..%d",
                         dim, S2FI_INDEX_MAX_DIM);
    if (metric < S2F_METRIC_COSINE || metric > S2F_METRIC_L1)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "face index: unknown metric %d",
                         (int)metric);
    if (storage < S2F_STORAGE_F32 || storage > S2F_STORAGE_INT8)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "face index: unknown storage %d",
                         (int)storage);
    if (threads > S2FI_INDEX_MAX_THREADS)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "face index: threads %zu exceeds %d",
                         threads, S2FI_INDEX_MAX_THREADS);
    s2f_face_index *index = calloc(1, sizeof *index);
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "face index: cannot allocate the handle");
    if (pthread_mutex_init(&index->error_lock, NULL) != 0) {
        free(index);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "face index: cannot create its mutex");
    }
    /* glibc's default rwlock prefers readers: a steady stream of searches would starve add and
     * remove forever. Prefer the writer: a waiting writer holds back new searches. (Searches
     * never take the lock recursively, which this kind requires.) */
    pthread_rwlockattr_t lock_attr;
    pthread_rwlockattr_init(&lock_attr);
#if defined(__GLIBC__)
    pthread_rwlockattr_setkind_np(&lock_attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    int lock_status = pthread_rwlock_init(&index->lock, &lock_attr);
    pthread_rwlockattr_destroy(&lock_attr);
    if (lock_status != 0) {
        pthread_mutex_destroy(&index->error_lock);
        free(index);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "face index: cannot create its rwlock");
    }
    index->dim = dim;
    index->metric = metric;
    index->storage = storage;
    index->threads = threads;
    index->row_bytes = s2fi_storage_row_bytes(storage, dim);
    index->pool = s2fi_pool_create();
    *out = index;
    return S2F_OK;
}

S2F_API s2f_status s2f_face_index_create(const s2f_face_index_params *params, s2f_face_index **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_create: NULL out");
    s2f_face_index_params merged = index_defaults;
    s2f_status status = s2fi_params_merge(&merged, sizeof merged, params, "s2f_face_index_params",
                                          NULL);
    if (status != S2F_OK)
        return status;
    return s2fi_index_new(merged.dim, merged.metric, merged.storage, merged.threads, out);
}

S2F_API void s2f_face_index_free(s2f_face_index *index)
{
    if (!index)
        return;
    s2fi_free(index->ids);
    s2fi_free(index->codes);
    s2fi_free(index->sqnorms);
    s2fi_free(index->offsets);
    s2fi_free(index->scales);
    s2fi_id_map_free(&index->map);
    s2fi_pool_free(index->pool);
    pthread_rwlock_destroy(&index->lock);
    pthread_mutex_destroy(&index->error_lock);
    free(index);
}

S2F_API const char *s2f_face_index_last_error(const s2f_face_index *index)
{
    static _Thread_local char copy[S2FI_ERROR_MESSAGE_MAX];
    if (!index)
        return "invalid handle";
    s2f_face_index *mutable_index = (s2f_face_index *)index;
    pthread_mutex_lock(&mutable_index->error_lock);
    memcpy(copy, s2fi_error_slot_message(&index->error), sizeof copy);
    pthread_mutex_unlock(&mutable_index->error_lock);
    return copy;
}

S2F_API size_t s2f_face_index_size(const s2f_face_index *index)
{
    if (!index)
        return 0;
    s2f_face_index *mutable_index = (s2f_face_index *)index;
    pthread_rwlock_rdlock(&mutable_index->lock);
    size_t count = index->count;
    pthread_rwlock_unlock(&mutable_index->lock);
    return count;
}

S2F_API size_t s2f_face_index_dim(const s2f_face_index *index)
{
    return index ? index->dim : 0;
}

S2F_API s2f_status s2f_face_index_set_threads(s2f_face_index *index, size_t threads)
{
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_set_threads: NULL index");
    if (threads > S2FI_INDEX_MAX_THREADS)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                               "s2f_face_index_set_threads: threads %zu exceeds %d", threads,
                               S2FI_INDEX_MAX_THREADS);
    pthread_rwlock_wrlock(&index->lock);
    index->threads = threads;
    pthread_rwlock_unlock(&index->lock);
    return S2F_OK;
}

/* Replaces *array by a copy of its first `keep` elements in a block of `count` elements. */
static int grow_array(void **array, size_t element_bytes, size_t keep, size_t count)
{
    size_t bytes;
    if (!s2fi_mul_size(count, element_bytes, &bytes))
        return 0;
    void *grown = s2fi_aligned_alloc(bytes);
    if (!grown)
        return 0;
    if (keep)
        memcpy(grown, *array, keep * element_bytes);
    s2fi_free(*array);
    *array = grown;
    return 1;
}

s2f_status s2fi_index_reserve(s2f_face_index *index, size_t total)
{
    if (total > S2FI_INDEX_MAX_ROWS)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                               "face index: %zu vectors exceed the limit of %zu", total,
                               S2FI_INDEX_MAX_ROWS);
    if (!s2fi_id_map_reserve(&index->map, total))
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY,
                               "face index: cannot grow the id table to %zu ids", total);
    if (total <= index->capacity)
        return S2F_OK;
    size_t capacity = index->capacity ? index->capacity : 64;
    while (capacity < total)
        capacity = capacity > S2FI_INDEX_MAX_ROWS / 2 ? S2FI_INDEX_MAX_ROWS : capacity * 2;
    /* Each array is replaced only after its copy succeeded, so a failure leaves every array
     * valid with at least the old capacity. */
    size_t keep = index->count;
    bool int8 = index->storage == S2F_STORAGE_INT8;
    void *ids = index->ids, *codes = index->codes, *sqnorms = index->sqnorms;
    void *offsets = index->offsets, *scales = index->scales;
    int ok = grow_array(&ids, sizeof(int64_t), keep, capacity);
    index->ids = ids;
    ok = ok && grow_array(&codes, index->row_bytes, keep, capacity);
    index->codes = codes;
    ok = ok && grow_array(&sqnorms, sizeof(float), keep, capacity);
    index->sqnorms = sqnorms;
    ok = ok && (!int8 || grow_array(&offsets, sizeof(float), keep, capacity));
    index->offsets = offsets;
    ok = ok && (!int8 || grow_array(&scales, sizeof(float), keep, capacity));
    index->scales = scales;
    if (!ok)
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY,
                               "face index: cannot grow storage to %zu vectors of %zu bytes",
                               capacity, index->row_bytes);
    /* Only now is every array at least `capacity` long. */
    index->capacity = capacity;
    return S2F_OK;
}

/* Checks one input vector; the message names the row so a caller can find it in a batch. */
static s2f_status check_vector(const s2f_face_index *index, const float *x, size_t row,
                               const char *what)
{
    double sq = 0.0;
    for (size_t i = 0; i < index->dim; ++i) {
        if (!isfinite(x[i]))
            return s2fi_index_fail(index, S2F_ERR_NON_FINITE, "%s: vector %zu, component %zu is %f",
                                   what, row, i, (double)x[i]);
        sq += (double)x[i] * x[i];
    }
    if (index->metric == S2F_METRIC_COSINE && !(sq > 0.0))
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                               "%s: vector %zu is zero, which has no direction for cosine", what,
                               row);
    if (index->storage == S2F_STORAGE_F16 && index->metric != S2F_METRIC_COSINE)
        for (size_t i = 0; i < index->dim; ++i)
            if (fabsf(x[i]) > S2FI_F16_MAX)
                return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                                       "%s: vector %zu, component %zu = %g exceeds the f16 range",
                                       what, row, i, (double)x[i]);
    return S2F_OK;
}

S2F_API s2f_status s2f_face_index_add(s2f_face_index *index, const int64_t *ids,
                                      const float *vectors, size_t n)
{
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_add: NULL index");
    if (n == 0)
        return S2F_OK;
    if (!ids || !vectors)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                               "s2f_face_index_add: NULL %s with n = %zu", ids ? "vectors" : "ids",
                               n);
    /* A count whose arrays cannot exist is refused before anything is read from them. */
    size_t bytes;
    if (!s2fi_mul_size(n, index->dim * sizeof(float), &bytes) ||
        !s2fi_mul_size(n, sizeof(int64_t), &bytes))
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                               "s2f_face_index_add: n = %zu overflows the size of its arrays", n);
    /* Validate outside the lock: it reads only the caller's data and immutable fields. */
    for (size_t r = 0; r < n; ++r) {
        if (ids[r] == S2FI_ID_NONE)
            return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                                   "s2f_face_index_add: ids[%zu] is -1, reserved for \"no result\"",
                                   r);
        s2f_status status = check_vector(index, vectors + r * index->dim, r, "s2f_face_index_add");
        if (status != S2F_OK)
            return status;
    }
    size_t dim = index->dim;
    float *scratch = s2fi_aligned_alloc(dim * sizeof(float));
    if (!scratch)
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "s2f_face_index_add: scratch row");

    pthread_rwlock_wrlock(&index->lock);
    size_t first = index->count, total;
    s2f_status status = S2F_OK;
    if (!s2fi_add_size(first, n, &total))
        status = s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_add: n overflows");
    if (status == S2F_OK)
        status = s2fi_index_reserve(index, total);
    size_t inserted = 0;
    for (; status == S2F_OK && inserted < n; ++inserted) {
        if (!s2fi_id_map_insert(&index->map, ids[inserted], first + inserted)) {
            size_t existing = 0;
            s2fi_id_map_find(&index->map, ids[inserted], &existing);
            status = s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                                     "s2f_face_index_add: id %lld (ids[%zu]) is %s; nothing added",
                                     (long long)ids[inserted], inserted,
                                     existing >= first ? "repeated within the batch"
                                                       : "already in the index");
            break;
        }
    }
    if (status != S2F_OK) {
        /* All or nothing: take back this batch's ids. */
        for (size_t r = 0; r < inserted; ++r)
            s2fi_id_map_erase(&index->map, ids[r]);
        pthread_rwlock_unlock(&index->lock);
        s2fi_free(scratch);
        return status;
    }
    for (size_t r = 0; r < n; ++r) {
        size_t row = first + r;
        const float *x = vectors + r * dim;
        if (index->metric == S2F_METRIC_COSINE) {
            double sq = 0.0;
            for (size_t i = 0; i < dim; ++i)
                sq += (double)x[i] * x[i];
            float inv = (float)(1.0 / sqrt(sq));
            for (size_t i = 0; i < dim; ++i)
                scratch[i] = x[i] * inv;
            x = scratch;
        }
        float offset = 0.0f, scale = 0.0f;
        char *code = (char *)index->codes + row * index->row_bytes;
        s2fi_encode_row(index->storage, x, dim, code, &offset, &scale);
        if (index->storage == S2F_STORAGE_INT8) {
            index->offsets[row] = offset;
            index->scales[row] = scale;
        }
        /* ‖decoded‖² so that L2 through inner products matches what the scan sees. */
        s2fi_decode_row(index->storage, code, offset, scale, dim, scratch);
        double sq = 0.0;
        for (size_t i = 0; i < dim; ++i)
            sq += (double)scratch[i] * scratch[i];
        index->sqnorms[row] = (float)sq;
        index->ids[row] = ids[r];
    }
    index->count = first + n;
    pthread_rwlock_unlock(&index->lock);
    s2fi_free(scratch);
    return S2F_OK;
}

S2F_API s2f_status s2f_face_index_remove(s2f_face_index *index, int64_t id)
{
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_face_index_remove: NULL index");
    pthread_rwlock_wrlock(&index->lock);
    size_t row;
    if (!s2fi_id_map_find(&index->map, id, &row)) {
        pthread_rwlock_unlock(&index->lock);
        return s2fi_index_fail(index, S2F_ERR_NOT_FOUND, "s2f_face_index_remove: no id %lld",
                               (long long)id);
    }
    /* Swap-remove: the last row fills the hole (ties rank by id, so order is invisible). */
    size_t last = index->count - 1;
    s2fi_id_map_erase(&index->map, id);
    if (row != last) {
        memcpy((char *)index->codes + row * index->row_bytes,
               (char *)index->codes + last * index->row_bytes, index->row_bytes);
        index->ids[row] = index->ids[last];
        index->sqnorms[row] = index->sqnorms[last];
        if (index->storage == S2F_STORAGE_INT8) {
            index->offsets[row] = index->offsets[last];
            index->scales[row] = index->scales[last];
        }
        s2fi_id_map_set(&index->map, index->ids[row], row);
    }
    index->count = last;
    pthread_rwlock_unlock(&index->lock);
    return S2F_OK;
}
