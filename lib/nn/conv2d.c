#include "nn/conv2d.h"

#include "core/alloc.h"
#include "core/workers.h"
#include "nn/small_gemm.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* Below this many input channels the Winograd transforms (per channel) cost more than the GEMM
 * FLOPs they save (the voice encoder's first layer has 2). */
#define WINOGRAD_MIN_IN_CHANNELS 16

/* A patch short enough for the small-depth kernel runs direct rather than Winograd: at so few
 * channels the per-channel transforms dominate. The shipped voice encoder's 16 → 16 layers (4×4,
 * depth 256, 299 × 257 and 149 × 257 maps) ran 14.9 and 7.8 ms on Winograd, 8.3–9.1 and
 * 4.3–4.5 ms direct, one core of an Intel family 6 model 207. */
static bool direct_is_cheaper(const s2fi_conv2d_config *c)
{
    return s2fi_small_gemm_applies((size_t)c->kernel_h * (size_t)c->kernel_w *
                                       (size_t)c->in_channels,
                                   (size_t)c->out_channels);
}

static int winograd_tile(const s2fi_conv2d_config *c)
{
    if (c->algorithm != S2FI_CONV_AUTO || c->kernel_h != c->kernel_w ||
        c->in_channels < WINOGRAD_MIN_IN_CHANNELS || direct_is_cheaper(c))
        return 0;
    if (c->stride_h == 1 && c->stride_w == 1) {
        const int m = s2fi_winograd_tile_for_kernel(c->kernel_h);
        if (m > 0 && c->out_height_hint > 0 && c->out_width_hint > 0 &&
            ((c->out_height_hint + m - 1) / m) * ((c->out_width_hint + m - 1) / m) <
                S2FI_WINOGRAD_MIN_TILES)
            return 0;
        return m;
    }
    if (c->stride_h == 2 && c->stride_w == 2 && c->kernel_h % 2 == 0)
        return s2fi_winograd_tile_for_kernel(c->kernel_h / 2);
    return 0;
}

/* Polyphase split of a stride-2 k×k kernel: input grid (by, bx) — pixels (2j + by, 2i + bx) —
 * becomes channel block by·2 + bx, and the taps (2ay + by, 2ax + bx) of the kernel the (ay, ax)
 * taps of a (k/2)×(k/2) kernel on that block. Returns the rearranged PyTorch-layout weights
 * [out][4·in][k/2][k/2] (malloc'ed) or NULL. */
static float *polyphase_weights(const s2fi_conv2d_config *c, const float *torch_weight)
{
    const int k = c->kernel_h, h = k / 2;
    const size_t ic_count = (size_t)c->in_channels, oc_count = (size_t)c->out_channels;
    float *split = malloc(oc_count * 4 * ic_count * (size_t)(h * h) * sizeof(float));
    if (!split)
        return NULL;
    for (size_t oc = 0; oc < oc_count; ++oc)
        for (int phase = 0; phase < 4; ++phase)
            for (size_t ic = 0; ic < ic_count; ++ic)
                for (int ay = 0; ay < h; ++ay)
                    for (int ax = 0; ax < h; ++ax) {
                        const int ky = 2 * ay + phase / 2, kx = 2 * ax + phase % 2;
                        split[(((oc * 4 + (size_t)phase) * ic_count + ic) * (size_t)h + (size_t)ay) * (size_t)h + (size_t)ax] =
                            torch_weight[((oc * ic_count + ic) * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx];
                    }
    return split;
}

/* A Winograd layer with stride 2 runs at stride 1 on its polyphase split (winograd_tile). */
static bool is_polyphase(const s2fi_conv2d *conv)
{
    return conv->use_winograd && conv->config.stride_h == 2;
}

static s2f_status init_winograd(s2fi_conv2d *conv, int tile, const float *torch_weight,
                                const float *bias, s2fi_error_slot *slot)
{
    const s2fi_conv2d_config *c = &conv->config;
    const size_t oc_count = (size_t)c->out_channels;
    const bool polyphase = c->stride_h == 2;
    float *split = polyphase ? polyphase_weights(c, torch_weight) : NULL;
    const int r = polyphase ? c->kernel_h / 2 : c->kernel_h;
    const int in_channels = polyphase ? 4 * c->in_channels : c->in_channels;
    conv->bias = s2fi_aligned_calloc(oc_count * sizeof(float));
    int failed = !conv->bias || (polyphase && !split) ||
                 s2fi_winograd_init(&conv->winograd, tile, r, in_channels, c->out_channels,
                                    split ? split : torch_weight) != 0;
    free(split);
    conv->use_winograd = !failed || conv->winograd.u; /* so release frees a partial init */
    if (failed) {
        s2fi_conv2d_release(conv);
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY,
                         "no memory for %d→%d Winograd convolution weights", c->in_channels,
                         c->out_channels);
    }
    if (bias)
        memcpy(conv->bias, bias, oc_count * sizeof(float));
    return S2F_OK;
}

/* A small map (face-api's 4×4 and 2×2 ones: ≤ 64 output pixels) and a deep product: the
 * whole map's patches at once, then the small-depth kernel one column of weights at a time
 * (16 channels, or a 32-channel panel where the layer's hint let init lay its weights out so:
 * s2fi_small_gemm_panels), the columns split among the workers. sgemm would pack the
 * whole weight matrix (2.4 MB for 256 channels) for 16 rows on every call, and OpenBLAS's
 * threads barely help at M = 16. */
#define SMALL_MAP_MAX_PIXELS 64
#define SMALL_MAP_SPLIT_BYTES ((size_t)256 << 10)
/* Where the CPU has AVX-512 (the library's 8 × 32 kernel), larger maps whose patches fit in
 * this many floats (4 MB) take the same path instead of im2col + sgemm: face-api's stride-2
 * 17 × 17 × 64 layer (depth 288), whose sgemm ran on OpenBLAS 0.3.21's SSE3 (Prescott) kernels
 * on a CPU newer than it knows (Intel family 6 model 207). */
#define WIDE_MAP_MAX_FLOATS ((size_t)1 << 20)

/* The size hint says the layer runs on a map of at most SMALL_MAP_MAX_PIXELS outputs (and it
 * is not a 1×1 product of the input itself): the whole-map path will run it. */
static bool hinted_small_map(const s2fi_conv2d_config *c)
{
    return c->algorithm == S2FI_CONV_AUTO && c->out_height_hint > 0 && c->out_width_hint > 0 &&
           (size_t)c->out_height_hint * (size_t)c->out_width_hint <= SMALL_MAP_MAX_PIXELS &&
           !(c->kernel_h == 1 && c->kernel_w == 1 && c->stride_h == 1 && c->stride_w == 1);
}

/* Rearranges packed_weights [depth][oc] into the panel layout (see conv->panels). */
static s2f_status to_panels(s2fi_conv2d *conv, size_t depth, s2fi_error_slot *slot)
{
    const size_t oc_count = (size_t)conv->config.out_channels;
    float *panels = s2fi_aligned_alloc(depth * oc_count * sizeof(float));
    if (!panels) {
        s2fi_conv2d_release(conv);
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory for %zu convolution weights",
                         depth * oc_count);
    }
    for (size_t k = 0; k < depth; ++k)
        for (size_t oc = 0; oc < oc_count; ++oc)
            panels[s2fi_small_gemm_panel_index(k, oc, depth)] = conv->packed_weights[k * oc_count + oc];
    s2fi_free(conv->packed_weights);
    conv->packed_weights = panels;
    conv->panels = true;
    return S2F_OK;
}

s2f_status s2fi_conv2d_init(s2fi_conv2d *conv, const s2fi_conv2d_config *config,
                            const float *torch_weight, const float *bias, s2fi_error_slot *slot)
{
    memset(conv, 0, sizeof *conv);
    const s2fi_conv2d_config *c = config;
    if (c->in_channels <= 0 || c->out_channels <= 0 || c->kernel_h <= 0 || c->kernel_w <= 0 ||
        c->stride_h <= 0 || c->stride_w <= 0 || !torch_weight)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "convolution %d→%d kernel %dx%d stride %dx%d is not a valid layer",
                         c->in_channels, c->out_channels, c->kernel_h, c->kernel_w, c->stride_h,
                         c->stride_w);
    conv->config = *c;
    const size_t oc_count = (size_t)c->out_channels;
    const int tile = winograd_tile(c);
    if (tile > 0)
        return init_winograd(conv, tile, torch_weight, bias, slot);
    const size_t taps = (size_t)c->kernel_h * (size_t)c->kernel_w;
    const size_t depth = taps * (size_t)c->in_channels;
    conv->packed_weights = s2fi_aligned_alloc(depth * oc_count * sizeof(float));
    conv->bias = s2fi_aligned_calloc(oc_count * sizeof(float));
    if (!conv->packed_weights || !conv->bias) {
        s2fi_conv2d_release(conv);
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory for %zu convolution weights",
                         depth * oc_count);
    }
    /* PyTorch [oc][ic][ky][kx] → ours [(ky·kw + kx)·ic_count + ic][oc], matching NHWC patches. */
    for (size_t oc = 0; oc < oc_count; ++oc)
        for (int ic = 0; ic < c->in_channels; ++ic)
            for (size_t tap = 0; tap < taps; ++tap) {
                float w = torch_weight[(oc * (size_t)c->in_channels + (size_t)ic) * taps + tap];
                conv->packed_weights[(tap * (size_t)c->in_channels + (size_t)ic) * oc_count + oc] = w;
            }
    if (bias)
        memcpy(conv->bias, bias, oc_count * sizeof(float));
    if (hinted_small_map(c) && s2fi_small_gemm_panels_apply(oc_count))
        return to_panels(conv, depth, slot);
    return S2F_OK;
}

void s2fi_conv2d_release(s2fi_conv2d *conv)
{
    s2fi_free(conv->packed_weights);
    s2fi_free(conv->bias);
    if (conv->use_winograd)
        s2fi_winograd_release(&conv->winograd);
    conv->packed_weights = NULL;
    conv->bias = NULL;
    conv->use_winograd = false;
    conv->panels = false;
}

void s2fi_conv2d_fold_affine(s2fi_conv2d *conv, const float *scale, const float *shift)
{
    const size_t oc_count = (size_t)conv->config.out_channels;
    const size_t depth = (size_t)conv->config.kernel_h * (size_t)conv->config.kernel_w *
                         (size_t)conv->config.in_channels;
    if (conv->use_winograd)
        s2fi_winograd_scale_outputs(&conv->winograd, scale); /* the transform is linear */
    else
        for (size_t k = 0; k < depth; ++k)
            for (size_t oc = 0; oc < oc_count; ++oc)
                conv->packed_weights[conv->panels ? s2fi_small_gemm_panel_index(k, oc, depth)
                                                  : k * oc_count + oc] *= scale[oc];
    for (size_t oc = 0; oc < oc_count; ++oc)
        conv->bias[oc] = conv->bias[oc] * scale[oc] + shift[oc];
}

typedef struct conv_geometry {
    s2fi_shape out;
    s2fi_axis_padding pad_h, pad_w;
    size_t depth; /* kernel_h · kernel_w · in_channels: one im2col row */
} conv_geometry;

static int geometry(const s2fi_conv2d *conv, s2fi_shape in, conv_geometry *g)
{
    const s2fi_conv2d_config *c = &conv->config;
    if (in.channels != c->in_channels)
        return 0;
    g->out.height = s2fi_axis_output(c->padding, in.height, c->kernel_h, c->stride_h, c->pad_h, &g->pad_h);
    g->out.width = s2fi_axis_output(c->padding, in.width, c->kernel_w, c->stride_w, c->pad_w, &g->pad_w);
    g->out.channels = c->out_channels;
    g->depth = (size_t)c->kernel_h * (size_t)c->kernel_w * (size_t)c->in_channels;
    return g->out.height > 0 && g->out.width > 0;
}

int s2fi_conv2d_output_shape(const s2fi_conv2d *conv, s2fi_shape in, s2fi_shape *out)
{
    conv_geometry g;
    if (!geometry(conv, in, &g))
        return 0;
    *out = g.out;
    return 1;
}

/* The input itself is the im2col matrix: every output pixel's patch is one input pixel. */
static int is_pointwise(const s2fi_conv2d_config *c, const conv_geometry *g)
{
    return c->kernel_h == 1 && c->kernel_w == 1 && c->stride_h == 1 && c->stride_w == 1 &&
           g->pad_h.before == 0 && g->pad_w.before == 0;
}

static size_t rows_per_block(const conv_geometry *g, size_t budget_floats)
{
    size_t row_floats = (size_t)g->out.width * g->depth;
    size_t rows = row_floats ? budget_floats / row_floats : 1;
    if (rows < 1)
        rows = 1;
    if (rows > (size_t)g->out.height)
        rows = (size_t)g->out.height;
    return rows;
}

/* Few input channels: the small-depth kernel instead of im2col + sgemm (AUTO only, so tests can
 * compare it with the plain GEMM path). */
static bool uses_small_gemm(const s2fi_conv2d *conv, const conv_geometry *g)
{
    return conv->config.algorithm == S2FI_CONV_AUTO &&
           s2fi_small_gemm_applies(g->depth, (size_t)g->out.channels);
}

static bool uses_small_map(const s2fi_conv2d *conv, const conv_geometry *g)
{
    if (conv->panels) /* its weights are in the layout only this path reads, at any size */
        return true;
    if (conv->config.algorithm != S2FI_CONV_AUTO || conv->use_winograd ||
        is_pointwise(&conv->config, g) || g->out.channels % S2FI_SMALL_GEMM_CHANNELS != 0)
        return false;
    const size_t pixels = (size_t)g->out.height * (size_t)g->out.width;
    return pixels <= SMALL_MAP_MAX_PIXELS ||
           (s2fi_small_gemm_wide() && !uses_small_gemm(conv, g) &&
            pixels * g->depth <= WIDE_MAP_MAX_FLOATS);
}

typedef struct small_map_job {
    const s2fi_conv2d *conv;
    const conv_geometry *g;
    const float *patches;
    size_t pixels; /* rows of patches: one map's output pixels, or several maps' */
    float *out;
    const s2fi_epilogue *epilogue;
} small_map_job;

static void small_map_columns(void *context, size_t worker, size_t workers)
{
    const small_map_job *job = context;
    const size_t channels = (size_t)job->g->out.channels;
    const size_t pixels = job->pixels;
    const size_t column = job->conv->panels ? S2FI_SMALL_GEMM_PANEL : S2FI_SMALL_GEMM_CHANNELS;
    size_t begin, end; /* in columns */
    s2fi_worker_range(channels / column, worker, workers, &begin, &end);
    if (job->conv->panels)
        s2fi_small_gemm_panels(job->patches, pixels, job->g->depth, job->conv->packed_weights,
                               channels, begin * column, end * column, job->epilogue, job->out);
    else
        s2fi_small_gemm_columns(job->patches, pixels, job->g->depth, job->conv->packed_weights,
                                channels, begin * column, end * column, job->epilogue, job->out);
}

/* Workers of the small-depth path: whole output rows each, at least 8 rows apiece. */
static size_t small_gemm_workers(const conv_geometry *g, size_t threads)
{
    return s2fi_useful_workers(threads, (size_t)g->out.height, 8);
}

/* The stride-1 input of a polyphase layer: one pixel per output pixel plus the sub-kernel's
 * reach, 4·in channels. */
static s2fi_shape polyphase_shape(const s2fi_conv2d *conv, const conv_geometry *g)
{
    const int reach = conv->config.kernel_h / 2 - 1;
    return (s2fi_shape){g->out.height + reach, g->out.width + reach, 4 * conv->config.in_channels};
}

static size_t polyphase_floats(const s2fi_conv2d *conv, const conv_geometry *g)
{
    return is_polyphase(conv) ? s2fi_shape_count(polyphase_shape(conv, g)) : 0;
}

/* Space-to-depth with the layer's padding: dst[j][i][(by·2 + bx)·C + c] =
 * in[2j + by − pad_top][2i + bx − pad_left][c], zero outside the image. Rows j are split among
 * workers. */
typedef struct polyphase_job {
    const float *in;
    s2fi_shape in_shape, dst_shape;
    int pad_top, pad_left;
    float *dst;
} polyphase_job;

static void polyphase_split_rows(void *context, size_t worker, size_t workers)
{
    const polyphase_job *p = context;
    const size_t channels = (size_t)p->in_shape.channels;
    size_t begin, end;
    s2fi_worker_range((size_t)p->dst_shape.height, worker, workers, &begin, &end);
    for (int j = (int)begin; j < (int)end; ++j)
        for (int i = 0; i < p->dst_shape.width; ++i)
            for (int phase = 0; phase < 4; ++phase) {
                const int y = 2 * j + phase / 2 - p->pad_top, x = 2 * i + phase % 2 - p->pad_left;
                float *d = p->dst + (((size_t)j * (size_t)p->dst_shape.width + (size_t)i) * 4 + (size_t)phase) * channels;
                if (y < 0 || y >= p->in_shape.height || x < 0 || x >= p->in_shape.width)
                    memset(d, 0, channels * sizeof(float));
                else
                    memcpy(d, p->in + ((size_t)y * (size_t)p->in_shape.width + (size_t)x) * channels,
                           channels * sizeof(float));
            }
}

size_t s2fi_conv2d_workspace_floats(const s2fi_conv2d *conv, s2fi_shape in, size_t budget_floats,
                                    size_t threads)
{
    conv_geometry g;
    if (!geometry(conv, in, &g) || is_pointwise(&conv->config, &g))
        return 0;
    if (conv->use_winograd)
        return polyphase_floats(conv, &g) +
               s2fi_winograd_workspace_floats(&conv->winograd, g.out, budget_floats, threads);
    /* In s2fi_conv2d_forward's order: a small map with a short patch takes the whole-map path. */
    if (uses_small_map(conv, &g))
        return (size_t)g.out.height * (size_t)g.out.width * g.depth;
    if (uses_small_gemm(conv, &g))
        return small_gemm_workers(&g, threads) * (size_t)g.out.width * g.depth;
    return rows_per_block(&g, budget_floats) * (size_t)g.out.width * g.depth;
}

/* Copies the patches of output rows [row_begin, row_end) into `columns`, zero where the window
 * hangs over the padded border. For each kernel row the kx taps of one patch are adjacent input
 * pixels, hence one contiguous run of kernel_w·channels floats whenever it lies inside. */
static void im2col_rows(const s2fi_conv2d_config *c, const conv_geometry *g, const float *in,
                        s2fi_shape in_shape, int row_begin, int row_end, float *columns)
{
    const size_t channels = (size_t)in_shape.channels;
    const size_t run = (size_t)c->kernel_w * channels;
    float *dst = columns;
    for (int oy = row_begin; oy < row_end; ++oy) {
        for (int ox = 0; ox < g->out.width; ++ox) {
            const int ix0 = ox * c->stride_w - g->pad_w.before;
            for (int ky = 0; ky < c->kernel_h; ++ky, dst += run) {
                const int iy = oy * c->stride_h - g->pad_h.before + ky;
                if (iy < 0 || iy >= in_shape.height) {
                    memset(dst, 0, run * sizeof(float));
                    continue;
                }
                const float *src_row = in + (size_t)iy * (size_t)in_shape.width * channels;
                if (ix0 >= 0 && ix0 + c->kernel_w <= in_shape.width) {
                    memcpy(dst, src_row + (size_t)ix0 * channels, run * sizeof(float));
                    continue;
                }
                for (int kx = 0; kx < c->kernel_w; ++kx) {
                    const int ix = ix0 + kx;
                    float *tap = dst + (size_t)kx * channels;
                    if (ix < 0 || ix >= in_shape.width)
                        memset(tap, 0, channels * sizeof(float));
                    else
                        memcpy(tap, src_row + (size_t)ix * channels, channels * sizeof(float));
                }
            }
        }
    }
}

/* Few input channels (depth ≤ S2FI_SMALL_GEMM_MAX_DEPTH): each worker takes whole output rows,
 * copies one row's patches into its own slice of the workspace and runs the small-depth kernel
 * with the epilogue in registers (nn/small_gemm.h). */
typedef struct small_gemm_job {
    const s2fi_conv2d *conv;
    const conv_geometry *g;
    const float *in;
    s2fi_shape in_shape;
    float *out;
    const s2fi_epilogue *epilogue;
    float *workspace; /* [workers][out width · depth] */
} small_gemm_job;

static void small_gemm_rows(void *context, size_t worker, size_t workers)
{
    const small_gemm_job *job = context;
    const conv_geometry *g = job->g;
    const size_t row_pixels = (size_t)g->out.width, channels = (size_t)g->out.channels;
    float *patches = job->workspace + worker * row_pixels * g->depth;
    size_t begin, end;
    s2fi_worker_range((size_t)g->out.height, worker, workers, &begin, &end);
    for (size_t row = begin; row < end; ++row) {
        im2col_rows(&job->conv->config, g, job->in, job->in_shape, (int)row, (int)row + 1, patches);
        s2fi_small_gemm_epilogue(patches, row_pixels, g->depth, job->conv->packed_weights, channels,
                                 job->epilogue, job->out + row * row_pixels * channels);
    }
}

void s2fi_conv2d_forward(const s2fi_conv2d *conv, const float *in, s2fi_shape in_shape, float *out,
                         const s2fi_epilogue *post, float *workspace, size_t workspace_floats,
                         size_t threads, s2fi_pool *pool)
{
    conv_geometry g;
    if (!geometry(conv, in_shape, &g))
        return;
    s2fi_epilogue epilogue = post ? *post : (s2fi_epilogue){0};
    epilogue.bias = conv->bias;
    const int oc_count = conv->config.out_channels;
    const size_t out_row_pixels = (size_t)g.out.width;

    if (is_polyphase(conv)) {
        polyphase_job split = {.in = in, .in_shape = in_shape, .dst_shape = polyphase_shape(conv, &g),
                               .pad_top = g.pad_h.before, .pad_left = g.pad_w.before,
                               .dst = workspace};
        const size_t split_floats = s2fi_shape_count(split.dst_shape);
        s2fi_run_workers(pool, s2fi_useful_workers(threads, (size_t)split.dst_shape.height, 1),
                         polyphase_split_rows, &split);
        s2fi_winograd_forward(&conv->winograd, workspace, split.dst_shape, 0, 0, out, g.out,
                              &epilogue, workspace + split_floats, workspace_floats - split_floats,
                              threads, pool);
        return;
    }
    if (conv->use_winograd) {
        s2fi_winograd_forward(&conv->winograd, in, in_shape, g.pad_h.before, g.pad_w.before, out,
                              g.out, &epilogue, workspace, workspace_floats, threads, pool);
        return;
    }
    if (uses_small_map(conv, &g)) {
        im2col_rows(&conv->config, &g, in, in_shape, 0, g.out.height, workspace);
        small_map_job job = {.conv = conv, .g = &g, .patches = workspace,
                             .pixels = (size_t)g.out.height * (size_t)g.out.width, .out = out,
                             .epilogue = &epilogue};
        /* At least 4 16-channel columns per worker, and only with ≥ SMALL_MAP_SPLIT_BYTES of
         * weights: here the workers split the weights and only read the shared patches, so
         * nothing passes between the cores' caches and a smaller layer than
         * s2fi_worth_splitting's gains (face-api's 8×8 × 128 blocks, 590 KB per conv: 0.188 →
         * 0.115 ms on two threads). */
        const size_t weight_bytes = g.depth * (size_t)oc_count * sizeof(float);
        const size_t workers = weight_bytes >= SMALL_MAP_SPLIT_BYTES
                                   ? s2fi_useful_workers(threads,
                                                         (size_t)oc_count / S2FI_SMALL_GEMM_CHANNELS, 4)
                                   : 1;
        s2fi_run_workers(pool, workers, small_map_columns, &job);
        return;
    }
    s2fi_pool_park(pool); /* the rest runs sgemm on OpenBLAS's threads */
    if (is_pointwise(&conv->config, &g)) {
        const int pixels = g.out.height * g.out.width;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pixels, oc_count, (int)g.depth,
                    1.0f, in, (int)g.depth, conv->packed_weights, oc_count, 0.0f, out, oc_count);
        s2fi_epilogue_apply(&epilogue, out, (size_t)pixels, oc_count);
        return;
    }

    if (uses_small_gemm(conv, &g)) {
        small_gemm_job job = {.conv = conv, .g = &g, .in = in, .in_shape = in_shape, .out = out,
                              .epilogue = &epilogue, .workspace = workspace};
        s2fi_run_workers(pool, small_gemm_workers(&g, threads), small_gemm_rows, &job);
        return;
    }
    const size_t block_rows = rows_per_block(&g, workspace_floats);
    for (int row = 0; row < g.out.height; row += (int)block_rows) {
        int row_end = row + (int)block_rows;
        if (row_end > g.out.height)
            row_end = g.out.height;
        const int pixels = (row_end - row) * g.out.width;
        float *out_block = out + (size_t)row * out_row_pixels * (size_t)oc_count;
        im2col_rows(&conv->config, &g, in, in_shape, row, row_end, workspace);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pixels, oc_count, (int)g.depth,
                    1.0f, workspace, (int)g.depth, conv->packed_weights, oc_count, 0.0f,
                    out_block, oc_count);
        s2fi_epilogue_apply(&epilogue, out_block, (size_t)pixels, oc_count);
    }
}

bool s2fi_conv2d_whole_map(const s2fi_conv2d *conv, s2fi_shape in)
{
    conv_geometry g;
    return geometry(conv, in, &g) && !conv->use_winograd && uses_small_map(conv, &g);
}

size_t s2fi_conv2d_images_per_product(const s2fi_conv2d *conv, s2fi_shape in)
{
    conv_geometry g;
    if (!geometry(conv, in, &g))
        return 1;
    const size_t image_bytes =
        (size_t)g.out.height * (size_t)g.out.width * g.depth * sizeof(float);
    const size_t images = S2FI_CONV_IMAGES_PATCH_BYTES / (image_bytes ? image_bytes : 1);
    return images < 1 ? 1 : images;
}

size_t s2fi_conv2d_images_workspace_floats(const s2fi_conv2d *conv, s2fi_shape in, size_t count)
{
    conv_geometry g;
    if (!geometry(conv, in, &g))
        return 0;
    const size_t per_product = s2fi_conv2d_images_per_product(conv, in);
    return (count < per_product ? count : per_product) * (size_t)g.out.height *
           (size_t)g.out.width * g.depth;
}

void s2fi_conv2d_forward_images(const s2fi_conv2d *conv, const float *in, s2fi_shape in_shape,
                                size_t count, float *out, const s2fi_epilogue *post,
                                float *workspace)
{
    conv_geometry g;
    if (!geometry(conv, in_shape, &g))
        return;
    s2fi_epilogue epilogue = post ? *post : (s2fi_epilogue){0};
    epilogue.bias = conv->bias;
    const size_t pixels = (size_t)g.out.height * (size_t)g.out.width;
    const size_t in_floats = s2fi_shape_count(in_shape), patch_floats = pixels * g.depth;
    const size_t out_floats = pixels * (size_t)g.out.channels;
    const size_t per_product = s2fi_conv2d_images_per_product(conv, in_shape);
    for (size_t first = 0; first < count; first += per_product) {
        const size_t images = count - first < per_product ? count - first : per_product;
        for (size_t i = 0; i < images; ++i)
            im2col_rows(&conv->config, &g, in + (first + i) * in_floats, in_shape, 0,
                        g.out.height, workspace + i * patch_floats);
        small_map_job job = {.conv = conv, .g = &g, .patches = workspace,
                             .pixels = images * pixels, .out = out + first * out_floats,
                             .epilogue = &epilogue};
        small_map_columns(&job, 0, 1);
    }
}
