#include "nn/small_gemm.h"

#include "core/target_clones.h"

/* 16 floats: one AVX-512 register, two AVX2 registers. aligned(4): rows of `weights` and `out`
 * are only float-aligned in general. */
typedef float lanes16 __attribute__((vector_size(64), aligned(4)));

/* Pixels per register block: 6 × 16 channels are 12 AVX2 accumulators, leaving registers for
 * the two weight halves and the broadcast input (16 in all). */
#define BLOCK_PIXELS 6

typedef int mask16 __attribute__((vector_size(64), aligned(4)));
/* 8 floats: a last 8-channel column (nn/small_gemm.h: out_channels a multiple of 8). */
typedef float lanes8 __attribute__((vector_size(32), aligned(4)));
typedef int mask8 __attribute__((vector_size(32), aligned(4)));

/* The epilogue on one register block of type `lanes` (integer twin `mask`), stored to `dst`:
 * ReLU as "negative → 0" (NaN stays NaN, as in s2fi_epilogue_apply and PyTorch), then the
 * affine. A macro, not a function: a vector argument would change the calling convention
 * between the clones (GCC's -Wpsabi). */
#define STORE_FINISHED_AS(lanes, mask, dst, value, e, channel)                                 \
    do {                                                                                       \
        lanes v_ = (value);                                                                    \
        if ((e)->relu)                                                                         \
            v_ = (lanes)((mask)v_ & ~(mask)(v_ < (lanes){0}));                                 \
        if ((e)->scale)                                                                        \
            v_ = v_ * *(const lanes *)((e)->scale + (channel)) +                               \
                 *(const lanes *)((e)->shift + (channel));                                     \
        *(lanes *)(dst) = v_;                                                                  \
    } while (0)
#define STORE_FINISHED(dst, value, e, channel) \
    STORE_FINISHED_AS(lanes16, mask16, dst, value, e, channel)

/* One block of up to 6 pixels (rows a0..a5; a block of fewer repeats its last pixel in the
 * spare rows) × the channels [channel_begin, channel_end): the accumulators stay in registers
 * for the whole depth and only the block's own `rows` are stored. Inlined into each clone below
 * (a subset ISA inlines into a wider one), with rows = 6 a constant on the main path. */
static inline __attribute__((always_inline)) void pixel_block(
    const float *a0, const float *a1, const float *a2, const float *a3, const float *a4,
    const float *a5, size_t rows, size_t depth, const float *weights, size_t out_channels,
    size_t channel_begin, size_t channel_end, const s2fi_epilogue *epilogue, float *out)
{
    for (size_t c = channel_begin; c < channel_end; c += S2FI_SMALL_GEMM_CHANNELS) {
        const lanes16 bias = epilogue->bias ? *(const lanes16 *)(epilogue->bias + c) : (lanes16){0};
        const float *w = weights + c;
        lanes16 acc0 = bias, acc1 = bias, acc2 = bias, acc3 = bias, acc4 = bias, acc5 = bias;
        for (size_t d = 0; d < depth; ++d) {
            const lanes16 wd = *(const lanes16 *)(w + d * out_channels);
            acc0 += a0[d] * wd;
            acc1 += a1[d] * wd;
            acc2 += a2[d] * wd;
            acc3 += a3[d] * wd;
            acc4 += a4[d] * wd;
            acc5 += a5[d] * wd;
        }
        float *o = out + c;
        STORE_FINISHED(o, acc0, epilogue, c);
        if (rows > 1)
            STORE_FINISHED(o + out_channels, acc1, epilogue, c);
        if (rows > 2)
            STORE_FINISHED(o + 2 * out_channels, acc2, epilogue, c);
        if (rows > 3)
            STORE_FINISHED(o + 3 * out_channels, acc3, epilogue, c);
        if (rows > 4)
            STORE_FINISHED(o + 4 * out_channels, acc4, epilogue, c);
        if (rows > 5)
            STORE_FINISHED(o + 5 * out_channels, acc5, epilogue, c);
    }
}

/* Static: GCC exports a non-static target_clones function whatever its visibility. Pixel blocks
 * outermost, so a block's patches (6 · depth floats) stay in registers' reach while every
 * channel block passes over them; the weights (depth · out_channels floats) stay in L1. The
 * last 1–5 pixels run as one block too: one pass over the weights instead of one per pixel
 * with a single accumulator, which was latency-bound (face-api's 4×4 maps: 16 pixels = 6 + 6 + 4). */
S2FI_TARGET_CLONES("avx512f", "avx2,fma", "default")
static void small_gemm(const float *patches, size_t pixels, size_t depth, const float *weights,
                       size_t out_channels, size_t channel_begin, size_t channel_end,
                       const s2fi_epilogue *epilogue, float *out)
{
    size_t p = 0;
    for (; p + BLOCK_PIXELS <= pixels; p += BLOCK_PIXELS) {
        const float *a = patches + p * depth;
        pixel_block(a, a + depth, a + 2 * depth, a + 3 * depth, a + 4 * depth, a + 5 * depth,
                    BLOCK_PIXELS, depth, weights, out_channels, channel_begin, channel_end,
                    epilogue, out + p * out_channels);
    }
    if (p < pixels) {
        const size_t rows = pixels - p;
#define ROW(i) (patches + (p + ((i) < rows ? (i) : rows - 1)) * depth)
        pixel_block(ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), rows, depth, weights,
                    out_channels, channel_begin, channel_end, epilogue, out + p * out_channels);
#undef ROW
    }
}

/* ---- 8 channels: 12 pixels × 8 channels per register block ----
 * For a layer whose width is an odd multiple of 8: the shipped voice encoder's first two
 * layers have 8 outputs (depth 32 and 128 on the full 598 × 257 map). One 8-lane register per
 * pixel, 12 of them in flight, each weight row loaded once per 12 pixels; sgemm with N = 8 ran
 * these at 10–20 GFLOP/s, and OpenBLAS 0.3.21 picks its SSE3 (Prescott) kernels on CPUs newer
 * than it knows (Intel family 6 model 207 here). */
#define NARROW_PIXELS 12

#define NARROW_ACCUMULATE(i) acc##i += a##i[d] * wd
#define NARROW_STORE(i)                                                                       \
    do {                                                                                      \
        if ((i) < rows)                                                                       \
            STORE_FINISHED_AS(lanes8, mask8, o + (i) * out_channels, acc##i, epilogue, channel); \
    } while (0)

S2FI_TARGET_CLONES("avx512f", "avx2,fma", "default")
static void narrow_gemm(const float *patches, size_t pixels, size_t depth, const float *weights,
                        size_t out_channels, size_t channel, const s2fi_epilogue *epilogue,
                        float *out)
{
    const lanes8 bias = epilogue->bias ? *(const lanes8 *)(epilogue->bias + channel) : (lanes8){0};
    const float *w = weights + channel;
    for (size_t p = 0; p < pixels; p += NARROW_PIXELS) {
        const size_t rows = pixels - p < NARROW_PIXELS ? pixels - p : NARROW_PIXELS;
#define ROW(i) (patches + (p + ((i) < rows ? (i) : rows - 1)) * depth)
        const float *a0 = ROW(0), *a1 = ROW(1), *a2 = ROW(2), *a3 = ROW(3), *a4 = ROW(4),
                    *a5 = ROW(5), *a6 = ROW(6), *a7 = ROW(7), *a8 = ROW(8), *a9 = ROW(9),
                    *a10 = ROW(10), *a11 = ROW(11);
#undef ROW
        lanes8 acc0 = bias, acc1 = bias, acc2 = bias, acc3 = bias, acc4 = bias, acc5 = bias;
        lanes8 acc6 = bias, acc7 = bias, acc8 = bias, acc9 = bias, acc10 = bias, acc11 = bias;
        for (size_t d = 0; d < depth; ++d) {
            const lanes8 wd = *(const lanes8 *)(w + d * out_channels);
            NARROW_ACCUMULATE(0); NARROW_ACCUMULATE(1); NARROW_ACCUMULATE(2);
            NARROW_ACCUMULATE(3); NARROW_ACCUMULATE(4); NARROW_ACCUMULATE(5);
            NARROW_ACCUMULATE(6); NARROW_ACCUMULATE(7); NARROW_ACCUMULATE(8);
            NARROW_ACCUMULATE(9); NARROW_ACCUMULATE(10); NARROW_ACCUMULATE(11);
        }
        float *o = out + p * out_channels + channel;
        NARROW_STORE(0); NARROW_STORE(1); NARROW_STORE(2); NARROW_STORE(3);
        NARROW_STORE(4); NARROW_STORE(5); NARROW_STORE(6); NARROW_STORE(7);
        NARROW_STORE(8); NARROW_STORE(9); NARROW_STORE(10); NARROW_STORE(11);
    }
}
#undef NARROW_ACCUMULATE
#undef NARROW_STORE

/* ---- AVX-512: 8 pixels × 32 channels per register block ----
 * The block above keeps 6 accumulators: on a core with two 512-bit FMA pipes and a 4-cycle FMA
 * latency (Zen 5: this project's benchmark machine) at most 6 of the 8 FMAs in flight that the
 * core can issue, and 7 loads per 6 FMAs. Here 16 accumulators (8 pixels × 2 registers) take
 * 2 weight loads and 8 broadcasts per 16 FMAs, so the FMAs, not the loads, set the pace; 16
 * accumulators and 2 weight registers fit AVX-512's 32, not AVX2's 16, hence a kernel of its
 * own, chosen at run time (__builtin_cpu_supports) rather than a clone of the same source.
 * Measured on the face encoder and the voice encoder's Winograd products: docs/performance.md. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define HAVE_WIDE_KERNEL 1
#define WIDE_PIXELS 8
#define WIDE_CHANNELS 32

#define WIDE_ACCUMULATE(i) \
    do { const float s_ = a##i[d]; lo##i += s_ * wl; hi##i += s_ * wh; } while (0)
#define WIDE_STORE(i)                                                                   \
    do {                                                                                \
        if ((i) < rows) {                                                               \
            STORE_FINISHED(o + (i) * out_channels, lo##i, epilogue, c);                 \
            STORE_FINISHED(o + (i) * out_channels + 16, hi##i, epilogue, c + 16);       \
        }                                                                               \
    } while (0)

/* `panels`: the weights are in the panel layout (s2fi_small_gemm_panel_index) and
 * channel_begin is a multiple of 32; otherwise rows of out_channels. */
__attribute__((target("avx512f"))) static void wide_gemm(
    const float *patches, size_t pixels, size_t depth, const float *weights, size_t out_channels,
    size_t channel_begin, size_t channel_end, const s2fi_epilogue *epilogue, float *out,
    bool panels)
{
    const size_t row = panels ? WIDE_CHANNELS : out_channels; /* between weight rows d, d + 1 */
    for (size_t p = 0; p < pixels; p += WIDE_PIXELS) {
        const size_t rows = pixels - p < WIDE_PIXELS ? pixels - p : WIDE_PIXELS;
#define ROW(i) (patches + (p + ((i) < rows ? (i) : rows - 1)) * depth)
        const float *a0 = ROW(0), *a1 = ROW(1), *a2 = ROW(2), *a3 = ROW(3), *a4 = ROW(4),
                    *a5 = ROW(5), *a6 = ROW(6), *a7 = ROW(7);
#undef ROW
        for (size_t c = channel_begin; c < channel_end; c += WIDE_CHANNELS) {
            const lanes16 bl = epilogue->bias ? *(const lanes16 *)(epilogue->bias + c) : (lanes16){0};
            const lanes16 bh = epilogue->bias ? *(const lanes16 *)(epilogue->bias + c + 16) : (lanes16){0};
            lanes16 lo0 = bl, lo1 = bl, lo2 = bl, lo3 = bl, lo4 = bl, lo5 = bl, lo6 = bl, lo7 = bl;
            lanes16 hi0 = bh, hi1 = bh, hi2 = bh, hi3 = bh, hi4 = bh, hi5 = bh, hi6 = bh, hi7 = bh;
            const float *w = panels ? weights + c * depth : weights + c;
            for (size_t d = 0; d < depth; ++d) {
                const lanes16 wl = *(const lanes16 *)(w + d * row);
                const lanes16 wh = *(const lanes16 *)(w + d * row + 16);
                WIDE_ACCUMULATE(0); WIDE_ACCUMULATE(1); WIDE_ACCUMULATE(2); WIDE_ACCUMULATE(3);
                WIDE_ACCUMULATE(4); WIDE_ACCUMULATE(5); WIDE_ACCUMULATE(6); WIDE_ACCUMULATE(7);
            }
            float *o = out + p * out_channels + c;
            WIDE_STORE(0); WIDE_STORE(1); WIDE_STORE(2); WIDE_STORE(3);
            WIDE_STORE(4); WIDE_STORE(5); WIDE_STORE(6); WIDE_STORE(7);
        }
    }
}
#undef WIDE_ACCUMULATE
#undef WIDE_STORE

#else
#define HAVE_WIDE_KERNEL 0
#endif

bool s2fi_small_gemm_wide(void)
{
#if HAVE_WIDE_KERNEL
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

bool s2fi_small_gemm_panels_apply(size_t out_channels)
{
    return out_channels % S2FI_SMALL_GEMM_PANEL == 0 && s2fi_small_gemm_wide();
}

void s2fi_small_gemm_panels(const float *patches, size_t pixels, size_t depth, const float *panels,
                            size_t out_channels, size_t channel_begin, size_t channel_end,
                            const s2fi_epilogue *epilogue, float *out)
{
#if HAVE_WIDE_KERNEL
    for (size_t c = channel_begin; c < channel_end; c += WIDE_CHANNELS) /* one panel at a time */
        wide_gemm(patches, pixels, depth, panels, out_channels, c, c + WIDE_CHANNELS, epilogue,
                  out, true);
#else
    (void)patches, (void)pixels, (void)depth, (void)panels, (void)out_channels;
    (void)channel_begin, (void)channel_end, (void)epilogue, (void)out; /* never: panels_apply */
#endif
}

/* Channels [begin, end) on the best kernel: 32-channel columns on the AVX-512 one where the
 * CPU has it, 16-channel columns (everything elsewhere) on the portable one, a last 8-channel
 * column on the narrow one. */
static void any_gemm(const float *patches, size_t pixels, size_t depth, const float *weights,
                     size_t out_channels, size_t channel_begin, size_t channel_end,
                     const s2fi_epilogue *epilogue, float *out)
{
#if HAVE_WIDE_KERNEL
    if (s2fi_small_gemm_wide()) {
        const size_t wide_end = channel_begin + (channel_end - channel_begin) / WIDE_CHANNELS * WIDE_CHANNELS;
        if (wide_end > channel_begin)
            wide_gemm(patches, pixels, depth, weights, out_channels, channel_begin, wide_end,
                      epilogue, out, false);
        channel_begin = wide_end;
    }
#endif
    const size_t narrow_begin =
        channel_begin + (channel_end - channel_begin) / S2FI_SMALL_GEMM_CHANNELS * S2FI_SMALL_GEMM_CHANNELS;
    if (narrow_begin > channel_begin)
        small_gemm(patches, pixels, depth, weights, out_channels, channel_begin, narrow_begin,
                   epilogue, out);
    if (channel_end > narrow_begin)
        narrow_gemm(patches, pixels, depth, weights, out_channels, narrow_begin, epilogue, out);
}

void s2fi_small_gemm_epilogue(const float *patches, size_t pixels, size_t depth,
                              const float *weights, size_t out_channels,
                              const s2fi_epilogue *epilogue, float *out)
{
    any_gemm(patches, pixels, depth, weights, out_channels, 0, out_channels, epilogue, out);
}

void s2fi_small_gemm_columns(const float *patches, size_t pixels, size_t depth,
                             const float *weights, size_t out_channels, size_t channel_begin,
                             size_t channel_end, const s2fi_epilogue *epilogue, float *out)
{
    /* one 32-channel column at a time (16 for a last odd one), every pixel block under it */
    for (size_t c = channel_begin; c < channel_end; c += 2 * S2FI_SMALL_GEMM_CHANNELS) {
        const size_t end = c + 2 * S2FI_SMALL_GEMM_CHANNELS < channel_end
                               ? c + 2 * S2FI_SMALL_GEMM_CHANNELS : channel_end;
        any_gemm(patches, pixels, depth, weights, out_channels, c, end, epilogue, out);
    }
}
