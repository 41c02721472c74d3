/* 2-D transposed convolution ("deconvolution") on NHWC images, PyTorch ConvTranspose2d semantics,
 * as cblas_sgemm + col2im.
 *
 * Each input pixel spreads kernel_h × kernel_w × out_channels values into the output: that is
 * one row of the product  input[pixels × in_channels] · W[in_channels × (kh·kw·out_channels)],
 * where W is PyTorch's weight [in][out][kh][kw] with (out, kh, kw) permuted to (kh, kw, out) at
 * init. The input is processed a block of rows at a time: the GEMM fills a bounded column buffer
 * (block rows × in_width × kh·kw·out_channels floats) which is then scatter-added into the output
 * (col2im), where every tap is a contiguous run of out_channels floats. No multiply is spent on
 * the zeros a "dilate the input, then convolve" formulation would insert.
 *
 * Geometry (dilation 1), per axis:  out = (in − 1)·stride − 2·padding + kernel + output_padding;
 * input pixel i, tap k lands on output pixel i·stride − padding + k when that is inside. So
 * kernel 5, stride 2, padding 2, output_padding 1 doubles the size exactly.
 *
 * The epilogue (bias, ReLU, affine) runs on output rows as soon as no later input row can reach
 * them, i.e. while they are still in cache. */
#ifndef S2F_NN_CONV_TRANSPOSE2D_H
#define S2F_NN_CONV_TRANSPOSE2D_H

#include "core/error.h"
#include "core/workers.h"
#include "nn/epilogue.h"
#include "nn/tensor.h"

typedef struct s2fi_conv_transpose2d_config {
    int in_channels;
    int out_channels;
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int pad_h, pad_w;                 /* PyTorch padding: cropped from both sides, >= 0 */
    int output_pad_h, output_pad_w;   /* PyTorch output_padding: added at the bottom/right,
                                         0 <= output_pad < stride */
} s2fi_conv_transpose2d_config;

typedef struct s2fi_conv_transpose2d {
    s2fi_conv_transpose2d_config config;
    float *packed_weights; /* [in_channels] × [kernel_h][kernel_w][out_channels], owned */
    float *bias;           /* [out_channels], owned, zeros when the layer has none */
} s2fi_conv_transpose2d;

/** Packs PyTorch-layout weights [in][out][kh][kw] (and optional bias [out]) into `conv`.
 *  Errors: S2F_ERR_INVALID_ARGUMENT for non-positive sizes, negative padding or an output
 *  padding not below the stride (PyTorch's rule), S2F_ERR_OUT_OF_MEMORY. */
s2f_status s2fi_conv_transpose2d_init(s2fi_conv_transpose2d *conv,
                                      const s2fi_conv_transpose2d_config *config,
                                      const float *torch_weight, const float *bias,
                                      s2fi_error_slot *slot);
/** Frees what init allocated; safe on a zeroed or already released struct. */
void s2fi_conv_transpose2d_release(s2fi_conv_transpose2d *conv);

/** Output shape for an input shape; returns 0 if the channels disagree or the output would be
 *  empty (padding crops everything). */
int s2fi_conv_transpose2d_output_shape(const s2fi_conv_transpose2d *conv, s2fi_shape in,
                                       s2fi_shape *out);

/** Workspace (floats) that s2fi_conv_transpose2d_forward needs for this input shape when input
 *  row blocks are sized to stay within `budget_floats` (a block is never less than one row). */
size_t s2fi_conv_transpose2d_workspace_floats(const s2fi_conv_transpose2d *conv, s2fi_shape in,
                                              size_t budget_floats);

/** out = epilogue(conv_transpose(in) + bias). `post` supplies relu/scale/shift (its bias is
 *  ignored: the layer's own is used); NULL means bias only. `workspace` must hold at least
 *  s2fi_conv_transpose2d_workspace_floats(conv, in_shape, workspace_floats) floats. `in` and
 *  `out` must not overlap. The product runs on the library's own kernel where the CPU has
 *  AVX-512 and kh·kw·out_channels is a multiple of 8 (split by columns over `threads` workers
 *  of `pool`, which may be NULL), else on cblas_sgemm (OpenBLAS's threads); the two agree to
 *  rounding. */
void s2fi_conv_transpose2d_forward(const s2fi_conv_transpose2d *conv, const float *in,
                                   s2fi_shape in_shape, float *out, const s2fi_epilogue *post,
                                   float *workspace, size_t workspace_floats, size_t threads,
                                   s2fi_pool *pool);

#endif
