#include "nn/small_gemm.h"

#include "core/target_clones.h"

/* 16 floats: one AVX-512 register, two AVX2 registers. aligned(4): rows of `weights` and `out`
 * are only float-aligned in general. */
typedef float lanes16 __attribute__((vector_size(64), aligned(4)));

/* Pixels per register block: 6 × 16 channels are 12 AVX2 accumulators, leaving registers for
 * the two weight halves and the broadcast input (16 in all). */
#define BLOCK_PIXELS 6

typedef int mask16 __attribute__((vector_size(64), aligned(4)));

/* The epilogue on one register block, stored to `dst`: ReLU as "negative → 0" (NaN stays NaN,
 * as in s2fi_epilogue_apply and PyTorch), then the affine. A macro, not a function: a vector
 * argument would change the calling convention between the clones (GCC's -Wpsabi). */
#define STORE_FINISHED(dst, value, e, channel)                                                 \
    do {                                                                                       \
        lanes16 v_ = (value);                                                                  \
        if ((e)->relu)                                                                         \
            v_ = (lanes16)((mask16)v_ & ~(mask16)(v_ < (lanes16){0}));                         \
        if ((e)->scale)                                                                        \
            v_ = v_ * *(const lanes16 *)((e)->scale + (channel)) +                             \
                 *(const lanes16 *)((e)->shift + (channel));                                   \
        *(lanes16 *)(dst) = v_;                                                                \
    } while (0)

/* Static: GCC exports a non-static target_clones function whatever its visibility. Pixel blocks
 * outermost, so a block's patches (6 · depth floats) stay in registers' reach while every
 * channel block passes over them; the weights (depth · out_channels floats) stay in L1. */
S2FI_TARGET_CLONES("avx512f", "avx2,fma", "default")
static void small_gemm(const float *patches, size_t pixels, size_t depth, const float *weights,
                       size_t out_channels, const s2fi_epilogue *epilogue, float *out)
{
    size_t p = 0;
    for (; p + BLOCK_PIXELS <= pixels; p += BLOCK_PIXELS) {
        const float *a = patches + p * depth;
        for (size_t c = 0; c < out_channels; c += S2FI_SMALL_GEMM_CHANNELS) {
            const lanes16 bias = epilogue->bias ? *(const lanes16 *)(epilogue->bias + c) : (lanes16){0};
            const float *w = weights + c;
            lanes16 acc0 = bias, acc1 = bias, acc2 = bias, acc3 = bias, acc4 = bias, acc5 = bias;
            for (size_t d = 0; d < depth; ++d) {
                const lanes16 wd = *(const lanes16 *)(w + d * out_channels);
                acc0 += a[d] * wd;
                acc1 += a[depth + d] * wd;
                acc2 += a[2 * depth + d] * wd;
                acc3 += a[3 * depth + d] * wd;
                acc4 += a[4 * depth + d] * wd;
                acc5 += a[5 * depth + d] * wd;
            }
            float *o = out + p * out_channels + c;
            STORE_FINISHED(o, acc0, epilogue, c);
            STORE_FINISHED(o + out_channels, acc1, epilogue, c);
            STORE_FINISHED(o + 2 * out_channels, acc2, epilogue, c);
            STORE_FINISHED(o + 3 * out_channels, acc3, epilogue, c);
            STORE_FINISHED(o + 4 * out_channels, acc4, epilogue, c);
            STORE_FINISHED(o + 5 * out_channels, acc5, epilogue, c);
        }
    }
    for (; p < pixels; ++p) {
        const float *a = patches + p * depth;
        for (size_t c = 0; c < out_channels; c += S2FI_SMALL_GEMM_CHANNELS) {
            lanes16 acc = epilogue->bias ? *(const lanes16 *)(epilogue->bias + c) : (lanes16){0};
            for (size_t d = 0; d < depth; ++d)
                acc += a[d] * *(const lanes16 *)(weights + d * out_channels + c);
            STORE_FINISHED(out + p * out_channels + c, acc, epilogue, c);
        }
    }
}

void s2fi_small_gemm_epilogue(const float *patches, size_t pixels, size_t depth,
                              const float *weights, size_t out_channels,
                              const s2fi_epilogue *epilogue, float *out)
{
    small_gemm(patches, pixels, depth, weights, out_channels, epilogue, out);
}
