#include "nn/pool.h"

#include "core/target_clones.h"
#include "core/workers.h"
#include "nn/padding.h"

#include <string.h>

int s2fi_maxpool2d_output_shape(s2fi_shape in, int kernel_h, int kernel_w, int stride_h,
                                int stride_w, s2fi_shape *out)
{
    const s2fi_axis_padding none = {0, 0};
    out->height = s2fi_axis_output(S2FI_PADDING_VALID, in.height, kernel_h, stride_h, none, NULL);
    out->width = s2fi_axis_output(S2FI_PADDING_VALID, in.width, kernel_w, stride_w, none, NULL);
    out->channels = in.channels;
    return out->height > 0 && out->width > 0 && in.channels > 0;
}

/* dst = max(dst, src) per channel, NaN propagating as in PyTorch (a NaN in either stays). As a
 * branch-free select on restrict pointers the compiler vectorises it (per ISA: target_clones);
 * the in-place branchy form it replaces was scalar — 0.93 ms for face-api's 3×3 stem pool on
 * 72×72×32, more than the stem's convolution (0.40 ms). */
S2FI_TARGET_CLONES("avx512f", "avx2", "default")
static void max_into(float *restrict dst, const float *restrict src, size_t channels)
{
    for (size_t c = 0; c < channels; ++c) {
        const float s = src[c], d = dst[c];
        dst[c] = s > d || s != s ? s : d;
    }
}

typedef struct pool_job {
    const float *in;
    s2fi_shape in_shape, out_shape;
    int kernel_h, kernel_w, stride_h, stride_w;
    float *out;
} pool_job;

static void maxpool_rows(void *context, size_t worker, size_t workers)
{
    const pool_job *p = context;
    const size_t channels = (size_t)p->in_shape.channels;
    size_t begin, end;
    s2fi_worker_range((size_t)p->out_shape.height, worker, workers, &begin, &end);
    for (int oy = (int)begin; oy < (int)end; ++oy)
        for (int ox = 0; ox < p->out_shape.width; ++ox) {
            float *dst = p->out + ((size_t)oy * (size_t)p->out_shape.width + (size_t)ox) * channels;
            for (int ky = 0; ky < p->kernel_h; ++ky)
                for (int kx = 0; kx < p->kernel_w; ++kx) {
                    const size_t iy = (size_t)(oy * p->stride_h + ky);
                    const size_t ix = (size_t)(ox * p->stride_w + kx);
                    const float *src = p->in + (iy * (size_t)p->in_shape.width + ix) * channels;
                    if (ky == 0 && kx == 0) {
                        memcpy(dst, src, channels * sizeof(float));
                        continue;
                    }
                    max_into(dst, src, channels);
                }
        }
}

/* Below this many output values a second thread costs more than it saves. */
#define MIN_VALUES_PER_WORKER ((size_t)1 << 16)

void s2fi_maxpool2d(const float *in, s2fi_shape in_shape, int kernel_h, int kernel_w,
                    int stride_h, int stride_w, float *out, size_t threads, s2fi_pool *pool)
{
    pool_job job = {.in = in, .in_shape = in_shape, .kernel_h = kernel_h, .kernel_w = kernel_w,
                    .stride_h = stride_h, .stride_w = stride_w, .out = out};
    if (!s2fi_maxpool2d_output_shape(in_shape, kernel_h, kernel_w, stride_h, stride_w, &job.out_shape))
        return;
    size_t workers = s2fi_useful_workers(threads, s2fi_shape_count(job.out_shape),
                                         MIN_VALUES_PER_WORKER);
    if (workers > (size_t)job.out_shape.height)
        workers = (size_t)job.out_shape.height;
    s2fi_run_workers(pool, workers, maxpool_rows, &job);
}
