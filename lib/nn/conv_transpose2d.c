#include "nn/conv_transpose2d.h"

#include "core/alloc.h"
#include "nn/small_gemm.h"

#include <cblas.h>
#include <string.h>

s2f_status s2fi_conv_transpose2d_init(s2fi_conv_transpose2d *conv,
                                      const s2fi_conv_transpose2d_config *config,
                                      const float *torch_weight, const float *bias,
                                      s2fi_error_slot *slot)
{
    memset(conv, 0, sizeof *conv);
    const s2fi_conv_transpose2d_config *c = config;
    if (c->in_channels <= 0 || c->out_channels <= 0 || c->kernel_h <= 0 || c->kernel_w <= 0 ||
        c->stride_h <= 0 || c->stride_w <= 0 || !torch_weight)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "transposed convolution %d→%d kernel %dx%d stride %dx%d is not a valid "
                         "layer", c->in_channels, c->out_channels, c->kernel_h, c->kernel_w,
                         c->stride_h, c->stride_w);
    if (c->pad_h < 0 || c->pad_w < 0 || c->output_pad_h < 0 || c->output_pad_w < 0 ||
        c->output_pad_h >= c->stride_h || c->output_pad_w >= c->stride_w)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "transposed convolution padding %dx%d, output padding %dx%d: padding "
                         "must be >= 0 and output padding in [0, stride %dx%d)",
                         c->pad_h, c->pad_w, c->output_pad_h, c->output_pad_w, c->stride_h,
                         c->stride_w);
    conv->config = *c;
    const size_t taps = (size_t)c->kernel_h * (size_t)c->kernel_w;
    const size_t oc_count = (size_t)c->out_channels;
    const size_t row = taps * oc_count; /* one input channel's contribution to a pixel */
    conv->packed_weights = s2fi_aligned_alloc((size_t)c->in_channels * row * sizeof(float));
    conv->bias = s2fi_aligned_calloc(oc_count * sizeof(float));
    if (!conv->packed_weights || !conv->bias) {
        s2fi_conv_transpose2d_release(conv);
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY,
                         "no memory for %zu transposed convolution weights",
                         (size_t)c->in_channels * row);
    }
    /* PyTorch [ic][oc][tap] → ours [ic][tap][oc], so a tap's outputs are one contiguous run. */
    for (size_t ic = 0; ic < (size_t)c->in_channels; ++ic)
        for (size_t oc = 0; oc < oc_count; ++oc)
            for (size_t tap = 0; tap < taps; ++tap)
                conv->packed_weights[ic * row + tap * oc_count + oc] =
                    torch_weight[(ic * oc_count + oc) * taps + tap];
    if (bias)
        memcpy(conv->bias, bias, oc_count * sizeof(float));
    return S2F_OK;
}

void s2fi_conv_transpose2d_release(s2fi_conv_transpose2d *conv)
{
    s2fi_free(conv->packed_weights);
    s2fi_free(conv->bias);
    conv->packed_weights = NULL;
    conv->bias = NULL;
}

static int axis_output(int in, int kernel, int stride, int pad, int output_pad)
{
    long long out = (long long)(in - 1) * stride - 2LL * pad + kernel + output_pad;
    return in > 0 && out > 0 && out <= (1 << 24) ? (int)out : 0;
}

int s2fi_conv_transpose2d_output_shape(const s2fi_conv_transpose2d *conv, s2fi_shape in,
                                       s2fi_shape *out)
{
    const s2fi_conv_transpose2d_config *c = &conv->config;
    if (in.channels != c->in_channels)
        return 0;
    s2fi_shape shape = {
        axis_output(in.height, c->kernel_h, c->stride_h, c->pad_h, c->output_pad_h),
        axis_output(in.width, c->kernel_w, c->stride_w, c->pad_w, c->output_pad_w),
        c->out_channels,
    };
    if (shape.height <= 0 || shape.width <= 0)
        return 0;
    *out = shape;
    return 1;
}

/* Floats of column buffer one input row produces. */
static size_t row_columns(const s2fi_conv_transpose2d_config *c, s2fi_shape in)
{
    return (size_t)in.width * (size_t)c->kernel_h * (size_t)c->kernel_w * (size_t)c->out_channels;
}

static size_t rows_per_block(const s2fi_conv_transpose2d_config *c, s2fi_shape in,
                             size_t budget_floats)
{
    size_t rows = budget_floats / row_columns(c, in);
    if (rows < 1)
        rows = 1;
    if (rows > (size_t)in.height)
        rows = (size_t)in.height;
    return rows;
}

size_t s2fi_conv_transpose2d_workspace_floats(const s2fi_conv_transpose2d *conv, s2fi_shape in,
                                              size_t budget_floats)
{
    s2fi_shape out;
    if (!s2fi_conv_transpose2d_output_shape(conv, in, &out))
        return 0;
    return rows_per_block(&conv->config, in, budget_floats) * row_columns(&conv->config, in);
}

static inline void add_run(float *restrict dst, const float *restrict src, int count)
{
    for (int i = 0; i < count; ++i)
        dst[i] += src[i];
}

/* col2im: adds the column rows of input rows [row_begin, row_end) into the output. */
static void scatter_rows(const s2fi_conv_transpose2d_config *c, s2fi_shape in, s2fi_shape out,
                         const float *columns, int row_begin, int row_end, float *dst)
{
    const int oc = c->out_channels;
    const size_t pixel_columns = (size_t)c->kernel_h * (size_t)c->kernel_w * (size_t)oc;
    for (int iy = row_begin; iy < row_end; ++iy) {
        for (int ix = 0; ix < in.width; ++ix) {
            const float *pixel = columns + ((size_t)(iy - row_begin) * (size_t)in.width +
                                            (size_t)ix) * pixel_columns;
            const int ox0 = ix * c->stride_w - c->pad_w;
            /* The taps whose output column is inside: kx in [kx_begin, kx_end). */
            const int kx_begin = ox0 < 0 ? -ox0 : 0;
            const int kx_end = ox0 + c->kernel_w > out.width ? out.width - ox0 : c->kernel_w;
            for (int ky = 0; ky < c->kernel_h; ++ky) {
                const int oy = iy * c->stride_h - c->pad_h + ky;
                if (oy < 0 || oy >= out.height)
                    continue;
                float *out_row = dst + ((size_t)oy * (size_t)out.width) * (size_t)oc;
                const float *tap_row = pixel + (size_t)ky * (size_t)c->kernel_w * (size_t)oc;
                for (int kx = kx_begin; kx < kx_end; ++kx)
                    add_run(out_row + (size_t)(ox0 + kx) * (size_t)oc, tap_row + (size_t)kx * (size_t)oc,
                            oc);
            }
        }
    }
}

/* The columns product of one input row block on the library's kernel: each worker takes a run
 * of 32-column panels (the last one the remainder), so every worker streams the block's inputs
 * (pixels × in_channels, in L2) against its own weights. */
typedef struct columns_job {
    const float *in;
    size_t pixels, depth, n;
    const float *weights;
    float *columns;
} columns_job;

static void columns_share(void *context, size_t worker, size_t workers)
{
    const columns_job *j = context;
    const s2fi_epilogue none = {0};
    const size_t panels = j->n / S2FI_SMALL_GEMM_PANEL;
    size_t begin, end;
    s2fi_worker_range(panels, worker, workers, &begin, &end);
    begin *= S2FI_SMALL_GEMM_PANEL;
    end = worker + 1 == workers ? j->n : end * S2FI_SMALL_GEMM_PANEL;
    if (end > begin)
        s2fi_small_gemm_columns(j->in, j->pixels, j->depth, j->weights, j->n, begin, end, &none,
                                j->columns);
}

/* OpenBLAS 0.3.21 runs its SSE3 (Prescott) kernels on CPUs newer than it knows (Intel family 6
 * model 207); the paper decoder's four layers (depth 32–256, 800–3200 columns) took 57 % of the
 * decode there. The library's AVX-512 kernel does not depend on that pick. */
static bool uses_own_kernel(int n)
{
    return s2fi_small_gemm_wide() && n % S2FI_SMALL_GEMM_MIN_CHANNELS == 0;
}

void s2fi_conv_transpose2d_forward(const s2fi_conv_transpose2d *conv, const float *in,
                                   s2fi_shape in_shape, float *out, const s2fi_epilogue *post,
                                   float *workspace, size_t workspace_floats, size_t threads,
                                   s2fi_pool *pool)
{
    const s2fi_conv_transpose2d_config *c = &conv->config;
    s2fi_shape out_shape;
    if (!s2fi_conv_transpose2d_output_shape(conv, in_shape, &out_shape))
        return;
    s2fi_epilogue epilogue = post ? *post : (s2fi_epilogue){0};
    epilogue.bias = conv->bias;
    const size_t out_row_floats = (size_t)out_shape.width * (size_t)out_shape.channels;
    memset(out, 0, (size_t)out_shape.height * out_row_floats * sizeof(float));

    const int n = c->kernel_h * c->kernel_w * c->out_channels;
    const bool own = uses_own_kernel(n);
    if (!own)
        s2fi_pool_park(pool); /* sgemm runs on OpenBLAS's threads */
    const size_t block_rows = rows_per_block(c, in_shape, workspace_floats);
    int finished = 0; /* output rows [0, finished) have had their epilogue */
    for (int row = 0; row < in_shape.height; row += (int)block_rows) {
        int row_end = row + (int)block_rows;
        if (row_end > in_shape.height)
            row_end = in_shape.height;
        const int pixels = (row_end - row) * in_shape.width;
        const float *in_block = in + (size_t)row * (size_t)in_shape.width * (size_t)c->in_channels;
        if (own) {
            columns_job job = {.in = in_block, .pixels = (size_t)pixels,
                               .depth = (size_t)c->in_channels, .n = (size_t)n,
                               .weights = conv->packed_weights, .columns = workspace};
            const double flops = 2.0 * pixels * n * c->in_channels;
            const size_t workers =
                s2fi_worth_splitting((double)n * c->in_channels * sizeof(float), flops)
                    ? s2fi_useful_workers(threads, (size_t)n / S2FI_SMALL_GEMM_PANEL, 4)
                    : 1;
            s2fi_run_workers(pool, workers, columns_share, &job);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pixels, n, c->in_channels,
                        1.0f, in_block, c->in_channels, conv->packed_weights, n, 0.0f, workspace,
                        n);
        }
        scatter_rows(c, in_shape, out_shape, workspace, row, row_end, out);
        /* Input rows >= row_end only reach output rows >= row_end·stride − pad. */
        int complete = row_end == in_shape.height ? out_shape.height
                                                  : row_end * c->stride_h - c->pad_h;
        if (complete > out_shape.height)
            complete = out_shape.height;
        if (complete > finished) {
            s2fi_epilogue_apply(&epilogue, out + (size_t)finished * out_row_floats,
                                (size_t)(complete - finished) * (size_t)out_shape.width,
                                out_shape.channels);
            finished = complete;
        }
    }
}
