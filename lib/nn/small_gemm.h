/* out = epilogue(patches · weights + bias) for a GEMM whose shared dimension is small (a
 * convolution with few input channels: the voice encoder's first layer has depth 4·4·2 = 32).
 *
 * cblas_sgemm reaches only about a third of its peak at such a depth: it packs both operands
 * for a product that has just 32 multiply-adds per output, and the epilogue then needs a second
 * pass over an output that no longer fits in cache. This kernel keeps a 6-pixel × 16-channel
 * block of outputs in registers for the whole depth, applies the epilogue there and writes each
 * output once. */
#ifndef S2F_NN_SMALL_GEMM_H
#define S2F_NN_SMALL_GEMM_H

#include "nn/epilogue.h"

#include <stdbool.h>
#include <stddef.h>

/* Channels per register block. out_channels must be a multiple of S2FI_SMALL_GEMM_MIN_CHANNELS:
 * a last 8 channels run on a narrower block (12 pixels × 8 channels). */
#define S2FI_SMALL_GEMM_CHANNELS 16
#define S2FI_SMALL_GEMM_MIN_CHANNELS 8
/* The largest depth the kernel is used for: up to it, a 16-channel column of weights for the
 * whole depth (≤ 16 KB) and a 6-pixel block of patches (≤ 6 KB) sit in L1 next to each other;
 * deeper products have enough work per output for sgemm's packing to pay. Measured: conv 1 of
 * the voice encoder (depth 32) 2.4–3× faster than im2col + sgemm, face-api's 7×7 stem (depth
 * 147, 32 channels) 1.75 → 1.33 ms with its max-pool (one core), the shipped voice encoder's
 * 16-channel 4×4 layers (depth 256) ~1.7× faster than Winograd (nn/conv2d.c); layers ≥ 512
 * deep stay on sgemm. */
#define S2FI_SMALL_GEMM_MAX_DEPTH 256

/** Whether the AVX-512 kernel (8 pixels × 32 channels per register block) runs on this CPU;
 *  otherwise the portable one (6 × 16, compiled per ISA). */
bool s2fi_small_gemm_wide(void);

/* Weights as 32-channel panels, [out_channels / 32][depth][32]: the AVX-512 kernel then reads
 * each panel as one sequential stream instead of 128-byte pieces out_channels · 4 bytes apart.
 * For a deep product over few pixels (face-api's 4×4 map of 256 channels: depth 2304) that
 * is 1.85× faster (0.159 → 0.086 ms per convolution, one core, warm caches). */
#define S2FI_SMALL_GEMM_PANEL 32

/** Whether `out_channels` outputs can use the panel layout here: the AVX-512 kernel runs and
 *  out_channels is a multiple of S2FI_SMALL_GEMM_PANEL. */
bool s2fi_small_gemm_panels_apply(size_t out_channels);
/** Index of weight (k, oc) of a [depth][out_channels] matrix in the panel layout. */
static inline size_t s2fi_small_gemm_panel_index(size_t k, size_t oc, size_t depth)
{
    return (oc / S2FI_SMALL_GEMM_PANEL * depth + k) * S2FI_SMALL_GEMM_PANEL +
           oc % S2FI_SMALL_GEMM_PANEL;
}
/** As s2fi_small_gemm_columns on panel-layout weights; channel_begin and channel_end are
 *  multiples of S2FI_SMALL_GEMM_PANEL. Requires s2fi_small_gemm_panels_apply(out_channels). */
void s2fi_small_gemm_panels(const float *patches, size_t pixels, size_t depth, const float *panels,
                            size_t out_channels, size_t channel_begin, size_t channel_end,
                            const s2fi_epilogue *epilogue, float *out);

/** Whether the kernel handles a product of this depth and width. */
static inline bool s2fi_small_gemm_applies(size_t depth, size_t out_channels)
{
    return depth > 0 && depth <= S2FI_SMALL_GEMM_MAX_DEPTH && out_channels > 0 &&
           out_channels % S2FI_SMALL_GEMM_MIN_CHANNELS == 0;
}

/** patches: [pixels][depth]; weights: [depth][out_channels]; out: [pixels][out_channels].
 *  `epilogue->bias` may be NULL (zero). Requires s2fi_small_gemm_applies(depth, out_channels). */
void s2fi_small_gemm_epilogue(const float *patches, size_t pixels, size_t depth,
                              const float *weights, size_t out_channels,
                              const s2fi_epilogue *epilogue, float *out);

/** The same product for output channels [channel_begin, channel_end) only (multiples of 8),
 *  one 32-channel column at a time (16 for a last odd one) with every pixel block under it
 *  (weights in rows of out_channels; s2fi_small_gemm_panels reads the panel layout): for few
 *  pixels and a deep
 *  product (a 3×3 conv of 256 channels on a 4×4 map: 16 pixels, depth 2304) each column of
 *  weights is read from memory once and reused from cache by the pixel blocks, where
 *  s2fi_small_gemm_epilogue would stream all the weights once per 6 pixels. Any depth. */
void s2fi_small_gemm_columns(const float *patches, size_t pixels, size_t depth,
                             const float *weights, size_t out_channels, size_t channel_begin,
                             size_t channel_end, const s2fi_epilogue *epilogue, float *out);

#endif
