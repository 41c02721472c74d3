#include "nn/dense.h"

#include "nn/epilogue.h"
#include "nn/small_gemm.h"

#include <cblas.h>

/* ---- one input row (batch 1): the library's AVX-512 GEMV ----
 * A batch-1 layer streams its whole weight matrix once (the paper decoder's texture FC: 200 MB),
 * so it runs at the memory's speed, if the loads keep enough lines in flight. OpenBLAS 0.3.21
 * ran it with its SSE3 (Prescott) kernel on a CPU newer than it knows (Intel family 6 model 207)
 * in 24–34 ms; four rows at a time with 16-lane FMAs and software prefetch 2 KB ahead of each
 * row take 12.6–16 ms on one core (measured on 50176 × 1000). Each output is one row's dot
 * product in a fixed order, whichever worker computes it: results do not depend on the thread
 * count. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define HAVE_OWN_GEMV 1
#define GEMV_ROWS 4
#define GEMV_PREFETCH_FLOATS 512

typedef float lanes16 __attribute__((vector_size(64), aligned(4)));

__attribute__((target("avx512f"))) static float lanes_sum(lanes16 v)
{
    float s = 0.0f;
    for (int i = 0; i < 16; ++i)
        s += v[i];
    return s;
}

__attribute__((target("avx512f"))) static void gemv_rows(const float *w, const float *x, float *y,
                                                          size_t row_begin, size_t row_end,
                                                          size_t cols)
{
    const size_t vector_cols = cols / 16 * 16;
    size_t r = row_begin;
    for (; r + GEMV_ROWS <= row_end; r += GEMV_ROWS) {
        const float *a = w + r * cols, *b = a + cols, *c = b + cols, *d = c + cols;
        lanes16 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
        for (size_t k = 0; k < vector_cols; k += 16) {
            __builtin_prefetch(a + k + GEMV_PREFETCH_FLOATS);
            __builtin_prefetch(b + k + GEMV_PREFETCH_FLOATS);
            __builtin_prefetch(c + k + GEMV_PREFETCH_FLOATS);
            __builtin_prefetch(d + k + GEMV_PREFETCH_FLOATS);
            const lanes16 xv = *(const lanes16 *)(x + k);
            s0 += *(const lanes16 *)(a + k) * xv;
            s1 += *(const lanes16 *)(b + k) * xv;
            s2 += *(const lanes16 *)(c + k) * xv;
            s3 += *(const lanes16 *)(d + k) * xv;
        }
        float t0 = lanes_sum(s0), t1 = lanes_sum(s1), t2 = lanes_sum(s2), t3 = lanes_sum(s3);
        for (size_t k = vector_cols; k < cols; ++k) {
            t0 += a[k] * x[k];
            t1 += b[k] * x[k];
            t2 += c[k] * x[k];
            t3 += d[k] * x[k];
        }
        y[r] = t0, y[r + 1] = t1, y[r + 2] = t2, y[r + 3] = t3;
    }
    for (; r < row_end; ++r) { /* the last 1–3 rows of the layer */
        const float *a = w + r * cols;
        lanes16 s0 = {0};
        for (size_t k = 0; k < vector_cols; k += 16)
            s0 += *(const lanes16 *)(a + k) * *(const lanes16 *)(x + k);
        float t0 = lanes_sum(s0);
        for (size_t k = vector_cols; k < cols; ++k)
            t0 += a[k] * x[k];
        y[r] = t0;
    }
}

typedef struct gemv_job {
    const s2fi_dense *layer;
    const float *x;
    float *y;
} gemv_job;

static void gemv_share(void *context, size_t worker, size_t workers)
{
    const gemv_job *j = context;
    const size_t groups = ((size_t)j->layer->out_features + GEMV_ROWS - 1) / GEMV_ROWS;
    size_t begin, end;
    s2fi_worker_range(groups, worker, workers, &begin, &end);
    end *= GEMV_ROWS;
    if (end > (size_t)j->layer->out_features)
        end = (size_t)j->layer->out_features;
    gemv_rows(j->layer->weight, j->x, j->y, begin * GEMV_ROWS, end,
              (size_t)j->layer->in_features);
}
#else
#define HAVE_OWN_GEMV 0
#endif

void s2fi_dense_forward(const s2fi_dense *layer, const float *x, int batch, float *y, bool relu,
                        size_t threads, s2fi_pool *pool)
{
#if HAVE_OWN_GEMV
    if (batch == 1 && s2fi_small_gemm_wide()) {
        gemv_job job = {.layer = layer, .x = x, .y = y};
        const double weight_bytes =
            (double)layer->out_features * (double)layer->in_features * sizeof(float);
        const size_t workers =
            s2fi_worth_splitting(weight_bytes, 2.0 * weight_bytes / sizeof(float))
                ? s2fi_useful_workers(threads, (size_t)layer->out_features / GEMV_ROWS, 64)
                : 1;
        s2fi_run_workers(pool, workers, gemv_share, &job);
        const s2fi_epilogue epilogue = {.bias = layer->bias, .relu = relu};
        s2fi_epilogue_apply(&epilogue, y, 1, layer->out_features);
        return;
    }
#else
    (void)threads;
#endif
    s2fi_pool_park(pool); /* OpenBLAS's threads run the product */
    if (batch == 1) {
        /* OpenBLAS runs a one-row sgemm 3-4x slower than sgemv (measured on 50176x1000 here). */
        cblas_sgemv(CblasRowMajor, CblasNoTrans, layer->out_features, layer->in_features, 1.0f,
                    layer->weight, layer->in_features, x, 1, 0.0f, y, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, layer->out_features,
                    layer->in_features, 1.0f, x, layer->in_features, layer->weight,
                    layer->in_features, 0.0f, y, layer->out_features);
    }
    const s2fi_epilogue epilogue = {.bias = layer->bias, .relu = relu};
    s2fi_epilogue_apply(&epilogue, y, (size_t)batch, layer->out_features);
}
