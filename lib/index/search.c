/* Exact top-k search: single queries scan the gallery with SIMD kernels split over worker
 * threads; batches go through blocked cblas_sgemm (inner-product metrics) or a cache-blocked
 * L1 scan. Every path ranks by the same total order (topk.h), so they return the same ids. */
#include "index/index_internal.h"

#include "core/alloc.h"
#include "index/kernels.h"
#include "index/topk.h"
#include "core/workers.h"

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Rows scored per kernel call: the key buffer stays in L1. */
#define SCAN_BLOCK_ROWS 256
/* A worker must have at least this many multiply-adds to be worth a thread. */
#define MIN_WORK_PER_WORKER ((size_t)1 << 18)
/* Gallery floats per gemm call: float32 rows are used in place, and large calls let OpenBLAS
 * amortise its packing (16 MB); compressed rows are decoded into scratch first, kept at 4 MB so
 * the decoded block is still in cache when the gemm reads it. */
#define GEMM_BLOCK_FLOATS_DIRECT ((size_t)1 << 22)
#define GEMM_BLOCK_FLOATS_DECODED ((size_t)1 << 20)
#define GEMM_QUERY_BLOCK 256
#define PRODUCT_TILE_FLOATS ((size_t)1 << 16)

/* A query after preparation: normalised for cosine, with the terms the metrics need. */
typedef struct prepared_query {
    const float *q;
    float sq;  /* ‖q‖² */
    float sum; /* Σ q_i (INT8 affine decode) */
} prepared_query;

static s2f_status check_queries(const s2f_face_index *index, const float *queries, size_t nq,
                                const char *what)
{
    for (size_t r = 0; r < nq; ++r) {
        const float *q = queries + r * index->dim;
        double sq = 0.0;
        for (size_t i = 0; i < index->dim; ++i) {
            if (!isfinite(q[i]))
                return s2fi_index_fail(index, S2F_ERR_NON_FINITE,
                                       "%s: query %zu, component %zu is %f", what, r, i,
                                       (double)q[i]);
            sq += (double)q[i] * q[i];
        }
        if (index->metric == S2F_METRIC_COSINE && !(sq > 0.0))
            return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT,
                                   "%s: query %zu is zero, which has no direction for cosine",
                                   what, r);
    }
    return S2F_OK;
}

/* Copies (normalising for cosine) nq queries into `out` and fills their terms. */
static void prepare_queries(const s2f_face_index *index, const float *queries, size_t nq,
                            float *out, prepared_query *prepared)
{
    size_t dim = index->dim;
    for (size_t r = 0; r < nq; ++r) {
        const float *q = queries + r * dim;
        float *p = out + r * dim;
        double sq = 0.0;
        for (size_t i = 0; i < dim; ++i)
            sq += (double)q[i] * q[i];
        float scale = index->metric == S2F_METRIC_COSINE ? (float)(1.0 / sqrt(sq)) : 1.0f;
        double sum = 0.0, sq_out = 0.0;
        for (size_t i = 0; i < dim; ++i) {
            p[i] = q[i] * scale;
            sum += p[i];
            sq_out += (double)p[i] * p[i];
        }
        prepared[r] = (prepared_query){.q = p, .sq = (float)sq_out, .sum = (float)sum};
    }
}

static inline float l2_key(float q_sq, float row_sq, float dot)
{
    float d = q_sq + row_sq - 2.0f * dot;
    return d > 0.0f ? -d : -0.0f;
}

/* keys[r] for rows [first, first+n) against one query; larger key = better. */
static void score_rows(const s2f_face_index *index, const s2fi_index_kernels *kernels,
                       const prepared_query *query, size_t first, size_t n, float *keys)
{
    size_t dim = index->dim;
    const char *codes = (const char *)index->codes + first * index->row_bytes;
    const float *sqnorms = index->sqnorms + first;
    s2f_metric metric = index->metric;
    bool l2 = metric == S2F_METRIC_L2;
    switch (index->storage) {
    case S2F_STORAGE_F32:
        if (metric == S2F_METRIC_L1 || l2) {
            (l2 ? kernels->l2_f32 : kernels->l1_f32)(query->q, (const float *)codes, n, dim, keys);
            for (size_t r = 0; r < n; ++r)
                keys[r] = -keys[r];
        } else {
            kernels->dot_f32(query->q, (const float *)codes, n, dim, keys);
        }
        return;
    case S2F_STORAGE_F16:
        if (metric == S2F_METRIC_L1) {
            kernels->l1_f16(query->q, (const uint16_t *)codes, n, dim, keys);
            for (size_t r = 0; r < n; ++r)
                keys[r] = -keys[r];
            return;
        }
        kernels->dot_f16(query->q, (const uint16_t *)codes, n, dim, keys);
        break;
    case S2F_STORAGE_INT8: {
        const float *offsets = index->offsets + first, *scales = index->scales + first;
        if (metric == S2F_METRIC_L1) {
            kernels->l1_i8(query->q, (const int8_t *)codes, offsets, scales, n, dim, keys);
            for (size_t r = 0; r < n; ++r)
                keys[r] = -keys[r];
            return;
        }
        kernels->dot_i8(query->q, (const int8_t *)codes, n, dim, keys);
        for (size_t r = 0; r < n; ++r)
            keys[r] = offsets[r] * query->sum + scales[r] * keys[r];
        break;
    }
    }
    if (l2)
        for (size_t r = 0; r < n; ++r)
            keys[r] = l2_key(query->sq, sqnorms[r], keys[r]);
}

static size_t worker_count(const s2f_face_index *index, size_t work)
{
    return s2fi_useful_workers(s2fi_index_thread_count(index), work, MIN_WORK_PER_WORKER);
}

static void push_block_keys(s2fi_topk *topk, const float *keys, const int64_t *ids, size_t n);

/* ----- single query ------------------------------------------------------------------------ */

typedef struct single_job {
    const s2f_face_index *index;
    const s2fi_index_kernels *kernels;
    const prepared_query *query;
    size_t k;
    float *keys;    /* [n_workers × k] */
    int64_t *ids;   /* [n_workers × k] */
    size_t *held;   /* [n_workers] */
} single_job;

static void single_worker(void *context, size_t worker, size_t n_workers)
{
    single_job *job = context;
    const s2f_face_index *index = job->index;
    size_t begin, end;
    s2fi_worker_range(index->count, worker, n_workers, &begin, &end);
    s2fi_topk topk;
    s2fi_topk_init(&topk, job->k, job->keys + worker * job->k, job->ids + worker * job->k);
    float keys[SCAN_BLOCK_ROWS];
    for (size_t first = begin; first < end; first += SCAN_BLOCK_ROWS) {
        size_t n = end - first < SCAN_BLOCK_ROWS ? end - first : SCAN_BLOCK_ROWS;
        score_rows(index, job->kernels, job->query, first, n, keys);
        push_block_keys(&topk, keys, index->ids + first, n);
    }
    job->held[worker] = topk.n;
}

/* Merges per-worker selections (each `k` apart) into the public output. */
static void emit_merged(const s2f_face_index *index, size_t n_parts, size_t k, const float *keys,
                        const int64_t *ids, const size_t *held, size_t stride, float *merge_keys,
                        int64_t *merge_ids, size_t out_k, int64_t *ids_out, float *scores_out,
                        size_t *found)
{
    s2fi_topk topk;
    s2fi_topk_init(&topk, k, merge_keys, merge_ids);
    for (size_t p = 0; p < n_parts; ++p)
        for (size_t i = 0; i < held[p]; ++i)
            s2fi_topk_push(&topk, keys[p * stride + i], ids[p * stride + i]);
    s2fi_topk_sort(&topk);
    s2fi_topk_emit(&topk, !s2fi_metric_is_similarity(index->metric), out_k, ids_out, scores_out);
    *found = topk.n;
}

static void pad_results(size_t k, int64_t *ids_out, float *scores_out)
{
    for (size_t i = 0; i < k; ++i) {
        ids_out[i] = S2FI_ID_NONE;
        if (scores_out)
            scores_out[i] = NAN;
    }
}

S2F_API s2f_status s2f_face_index_search(const s2f_face_index *index, const float *query, size_t k,
                                         int64_t *ids_out, float *scores_out, size_t *found)
{
    static const char what[] = "s2f_face_index_search";
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "%s: NULL index", what);
    if (!query || !ids_out || !found)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: NULL %s", what,
                               !query ? "query" : !ids_out ? "ids_out" : "found");
    if (k == 0)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: k must be at least 1", what);
    s2f_status status = check_queries(index, query, 1, what);
    if (status != S2F_OK)
        return status;

    s2f_face_index *lockable = (s2f_face_index *)index;
    pthread_rwlock_rdlock(&lockable->lock);
    size_t count = index->count;
    if (count == 0) {
        pthread_rwlock_unlock(&lockable->lock);
        pad_results(k, ids_out, scores_out);
        *found = 0;
        return S2F_OK;
    }
    size_t held_k = k < count ? k : count;
    size_t n_workers = worker_count(index, count * index->dim);
    if (n_workers > count)
        n_workers = count;
    /* One allocation: normalised query, per-worker selections and the merge heap. */
    size_t dim = index->dim;
    size_t slots = (n_workers + 1) * held_k;
    size_t bytes = dim * sizeof(float) + slots * (sizeof(float) + sizeof(int64_t)) +
                   n_workers * sizeof(size_t) + 128;
    char *scratch = s2fi_aligned_alloc(bytes);
    if (!scratch) {
        pthread_rwlock_unlock(&lockable->lock);
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "%s: %zu bytes of scratch", what,
                               bytes);
    }
    int64_t *ids = (int64_t *)scratch;
    float *keys = (float *)(ids + slots);
    size_t *held = (size_t *)(((uintptr_t)(keys + slots) + 7) & ~(uintptr_t)7);
    float *q = (float *)(((uintptr_t)(held + n_workers) + 63) & ~(uintptr_t)63);
    prepared_query prepared;
    prepare_queries(index, query, 1, q, &prepared);

    single_job job = {.index = index, .kernels = s2fi_index_kernels_best(), .query = &prepared,
                      .k = held_k, .keys = keys, .ids = ids, .held = held};
    s2fi_run_workers(index->pool, n_workers, single_worker, &job);
    emit_merged(index, n_workers, held_k, keys, ids, held, held_k, keys + n_workers * held_k,
                ids + n_workers * held_k, k, ids_out, scores_out, found);
    pthread_rwlock_unlock(&lockable->lock);
    s2fi_free(scratch);
    return S2F_OK;
}

/* ----- batches ----------------------------------------------------------------------------- */

typedef struct batch_job {
    const s2f_face_index *index;
    const s2fi_index_kernels *kernels;
    const prepared_query *queries;
    const float *query_matrix; /* nq × dim, prepared */
    size_t nq;
    size_t k;
    float *keys;   /* [n_workers × nq × k] */
    int64_t *ids;
    size_t *held;  /* [n_workers × nq] */
    bool failed;   /* a worker could not get its scratch */
} batch_job;

typedef float v16sf_search __attribute__((vector_size(64)));
typedef int32_t v16si_search __attribute__((vector_size(64)));

/* Largest of 16 keys, branch-free (baseline SIMD: a compare and a blend per 4 lanes). */
static inline float max16(const float *keys)
{
    v16sf_search v;
    memcpy(&v, keys, sizeof v);
    float m = v[0];
    for (int j = 1; j < 16; ++j)
        m = v[j] > m ? v[j] : m;
    return m;
}

static void push_block_keys(s2fi_topk *topk, const float *keys, const int64_t *ids, size_t n)
{
    size_t r = 0;
    /* Once the selection is full almost no key beats its worst entry: test 16 at a time and
     * touch the heap only for a group that holds a contender (>= keeps exact ties, which may
     * still win on id). */
    for (; r + 16 <= n; r += 16) {
        if (topk->n == topk->k && max16(keys + r) < topk->keys[0])
            continue;
        for (size_t j = r; j < r + 16; ++j)
            s2fi_topk_push(topk, keys[j], ids[j]);
    }
    for (; r < n; ++r)
        s2fi_topk_push(topk, keys[r], ids[r]);
}

static void batch_worker_gemm(batch_job *job, size_t worker, size_t begin, size_t end,
                              s2fi_topk *heaps)
{
    const s2f_face_index *index = job->index;
    size_t dim = index->dim;
    bool decode = index->storage != S2F_STORAGE_F32;
    size_t block = (decode ? GEMM_BLOCK_FLOATS_DECODED : GEMM_BLOCK_FLOATS_DIRECT) / dim;
    size_t query_block = job->nq < GEMM_QUERY_BLOCK ? job->nq : GEMM_QUERY_BLOCK;
    /* The product tile is re-read by the top-k pass: keep it within L2 (256 KB). For short rows
     * that pass costs as much as the gemm itself, so a cache miss there would dominate. */
    if (block > PRODUCT_TILE_FLOATS / query_block)
        block = PRODUCT_TILE_FLOATS / query_block;
    if (block < 16)
        block = 16;
    float *products = s2fi_aligned_alloc(query_block * block * sizeof(float));
    float *decoded = decode ? s2fi_aligned_alloc(block * dim * sizeof(float)) : NULL;
    if (!products || (decode && !decoded)) {
        s2fi_free(products);
        s2fi_free(decoded);
        __atomic_store_n(&job->failed, true, __ATOMIC_RELAXED);
        return;
    }
    (void)worker;
    bool l2 = index->metric == S2F_METRIC_L2;
    for (size_t first = begin; first < end; first += block) {
        size_t n = end - first < block ? end - first : block;
        const float *rows;
        if (index->storage == S2F_STORAGE_F32) {
            rows = (const float *)index->codes + first * dim;
        } else if (index->storage == S2F_STORAGE_F16) {
            job->kernels->decode_f16((const uint16_t *)index->codes + first * dim, n, dim, decoded);
            rows = decoded;
        } else {
            job->kernels->decode_i8((const int8_t *)index->codes + first * dim,
                                    index->offsets + first, index->scales + first, n, dim,
                                    decoded);
            rows = decoded;
        }
        const int64_t *ids = index->ids + first;
        const float *sqnorms = index->sqnorms + first;
        for (size_t q0 = 0; q0 < job->nq; q0 += query_block) {
            size_t nq = job->nq - q0 < query_block ? job->nq - q0 : query_block;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)n, (int)dim, 1.0f,
                        job->query_matrix + q0 * dim, (int)dim, rows, (int)dim, 0.0f, products,
                        (int)n);
            for (size_t q = 0; q < nq; ++q) {
                float *keys = products + q * n;
                if (l2) {
                    float q_sq = job->queries[q0 + q].sq;
                    for (size_t r = 0; r < n; ++r)
                        keys[r] = l2_key(q_sq, sqnorms[r], keys[r]);
                }
                push_block_keys(&heaps[q0 + q], keys, ids, n);
            }
        }
    }
    s2fi_free(products);
    s2fi_free(decoded);
}

static void batch_worker_scan(batch_job *job, size_t begin, size_t end, s2fi_topk *heaps)
{
    const s2f_face_index *index = job->index;
    /* Gallery blocks small enough to stay in L2 while every query passes over them. */
    size_t block = ((size_t)256 << 10) / index->row_bytes;
    if (block < 4)
        block = 4;
    if (block > SCAN_BLOCK_ROWS)
        block = SCAN_BLOCK_ROWS;
    float keys[SCAN_BLOCK_ROWS];
    for (size_t first = begin; first < end; first += block) {
        size_t n = end - first < block ? end - first : block;
        for (size_t q = 0; q < job->nq; ++q) {
            score_rows(index, job->kernels, &job->queries[q], first, n, keys);
            push_block_keys(&heaps[q], keys, index->ids + first, n);
        }
    }
}

static bool uses_gemm(const s2f_face_index *index)
{
    return index->metric != S2F_METRIC_L1;
}

static void batch_worker(void *context, size_t worker, size_t n_workers)
{
    batch_job *job = context;
    size_t begin, end;
    s2fi_worker_range(job->index->count, worker, n_workers, &begin, &end);
    s2fi_topk heaps_small[64];
    s2fi_topk *heaps = job->nq <= 64 ? heaps_small : s2fi_aligned_alloc(job->nq * sizeof *heaps);
    if (!heaps) {
        __atomic_store_n(&job->failed, true, __ATOMIC_RELAXED);
        return;
    }
    size_t base = worker * job->nq;
    for (size_t q = 0; q < job->nq; ++q)
        s2fi_topk_init(&heaps[q], job->k, job->keys + (base + q) * job->k,
                       job->ids + (base + q) * job->k);
    if (uses_gemm(job->index))
        batch_worker_gemm(job, worker, begin, end, heaps);
    else
        batch_worker_scan(job, begin, end, heaps);
    for (size_t q = 0; q < job->nq; ++q)
        job->held[base + q] = heaps[q].n;
    if (heaps != heaps_small)
        s2fi_free(heaps);
}

S2F_API s2f_status s2f_face_index_search_batch(const s2f_face_index *index, const float *queries,
                                               size_t nq, size_t k, int64_t *ids_out,
                                               float *scores_out, size_t *found_out)
{
    static const char what[] = "s2f_face_index_search_batch";
    if (!index)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "%s: NULL index", what);
    if (nq == 0)
        return S2F_OK;
    if (!queries || !ids_out || !found_out)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: NULL %s", what,
                               !queries ? "queries" : !ids_out ? "ids_out" : "found_out");
    if (k == 0)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: k must be at least 1", what);
    size_t out_count, query_floats;
    if (!s2fi_mul_size(nq, k, &out_count) || !s2fi_mul_size(nq, index->dim, &query_floats) ||
        query_floats > SIZE_MAX / sizeof(float))
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: nq %zu × k %zu overflows",
                               what, nq, k);
    if (nq > INT32_MAX)
        return s2fi_index_fail(index, S2F_ERR_INVALID_ARGUMENT, "%s: nq %zu exceeds %d", what, nq,
                               INT32_MAX);
    s2f_status status = check_queries(index, queries, nq, what);
    if (status != S2F_OK)
        return status;

    s2f_face_index *lockable = (s2f_face_index *)index;
    pthread_rwlock_rdlock(&lockable->lock);
    size_t count = index->count;
    if (count == 0) {
        pthread_rwlock_unlock(&lockable->lock);
        pad_results(out_count, ids_out, scores_out);
        memset(found_out, 0, nq * sizeof *found_out);
        return S2F_OK;
    }
    size_t held_k = k < count ? k : count;
    /* L2 through inner products (‖q‖² + ‖x‖² − 2q·x) cancels badly for near neighbours of long
     * vectors; with float32 rows we keep a wider shortlist by the gemm value and rescore it with
     * the direct kernel, so batch L2 scores are exact like single-query ones. */
    bool rescore = index->metric == S2F_METRIC_L2 && index->storage == S2F_STORAGE_F32;
    size_t heap_k = rescore ? (2 * held_k + 16 < count ? 2 * held_k + 16 : count) : held_k;
    size_t n_workers = worker_count(index, count * index->dim * nq);
    if (n_workers > count)
        n_workers = count;
    /* If OpenBLAS runs its own threads, let it parallelise the gemm rather than nest ours in it
     * (concurrent threaded gemm calls serialise inside OpenBLAS). We only read its setting. */
    if (uses_gemm(index) && openblas_get_num_threads() > 1)
        n_workers = 1;
    size_t slots = 0, bytes = 0;
    bool sizes_ok = s2fi_mul_size(n_workers + 1, nq, &slots) &&
                    s2fi_mul_size(slots, heap_k, &slots) &&
                    s2fi_mul_size(slots, sizeof(float) + sizeof(int64_t), &bytes);
    size_t held_bytes = n_workers * nq * sizeof(size_t);
    size_t query_bytes = query_floats * sizeof(float) + nq * sizeof(prepared_query);
    char *selections = sizes_ok ? s2fi_aligned_alloc(bytes + held_bytes) : NULL;
    char *prepared_block = s2fi_aligned_alloc(query_bytes);
    if (!selections || !prepared_block) {
        pthread_rwlock_unlock(&lockable->lock);
        s2fi_free(selections);
        s2fi_free(prepared_block);
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "%s: scratch for %zu queries", what,
                               nq);
    }
    int64_t *ids = (int64_t *)selections;
    float *keys = (float *)(ids + slots);
    size_t *held = (size_t *)(selections + bytes);
    float *query_matrix = (float *)prepared_block;
    prepared_query *prepared = (prepared_query *)(prepared_block + query_floats * sizeof(float));
    prepare_queries(index, queries, nq, query_matrix, prepared);

    batch_job job = {.index = index, .kernels = s2fi_index_kernels_best(), .queries = prepared,
                     .query_matrix = query_matrix, .nq = nq, .k = heap_k, .keys = keys,
                     .ids = ids, .held = held};
    s2fi_run_workers(index->pool, n_workers, batch_worker, &job);
    if (!job.failed) {
        size_t merge_base = n_workers * nq * heap_k;
        for (size_t q = 0; q < nq; ++q) {
            /* Worker w's selection for query q starts at (w·nq + q)·heap_k. */
            s2fi_topk topk;
            s2fi_topk_init(&topk, held_k, keys + merge_base, ids + merge_base);
            for (size_t w = 0; w < n_workers; ++w) {
                size_t at = (w * nq + q) * heap_k;
                for (size_t i = 0; i < held[w * nq + q]; ++i) {
                    float key = keys[at + i];
                    size_t row;
                    if (rescore && s2fi_id_map_find(&index->map, ids[at + i], &row)) {
                        job.kernels->l2_f32(prepared[q].q, (const float *)index->codes + row * index->dim,
                                            1, index->dim, &key);
                        key = -key;
                    }
                    s2fi_topk_push(&topk, key, ids[at + i]);
                }
            }
            s2fi_topk_sort(&topk);
            s2fi_topk_emit(&topk, !s2fi_metric_is_similarity(index->metric), k, ids_out + q * k,
                           scores_out ? scores_out + q * k : NULL);
            found_out[q] = topk.n;
        }
    }
    pthread_rwlock_unlock(&lockable->lock);
    s2fi_free(selections);
    s2fi_free(prepared_block);
    if (job.failed)
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "%s: a worker's scratch", what);
    return S2F_OK;
}
