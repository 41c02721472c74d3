/* 2-D convolution on NHWC images as blocked im2col + cblas_sgemm.
 *
 * The output is produced a block of rows at a time: the patches of those rows are copied into a
 * bounded workspace (rows × out_width × kernel_h·kernel_w·in_channels floats) and multiplied by
 * the weights packed once at init as a [kernel_h·kernel_w·in_channels × out_channels] matrix.
 * The GEMM writes NHWC output directly, and the epilogue (bias, ReLU, affine) runs on each block
 * while it is hot. A 1×1, stride-1, unpadded convolution needs no copy at all.
 *
 * Stride-1 square kernels with a Winograd transform (4×4: nn/winograd.h) and enough channels
 * for the transforms to pay off run as Winograd instead, chosen once at init. Stride-2 layers
 * with an even square kernel (4×4) are first split into their polyphase components: the input's
 * four 2×2-subsampled grids stacked as channels, convolved at stride 1 with the kernel's four
 * 2×2 sub-kernels — the same sums — so they too run as Winograd (F(4×4, 2×2)). Layers with
 * short patches (kh·kw·in ≤ 160) and a multiple of 16 outputs run the small-depth kernel of
 * nn/small_gemm.h on one row of patches at a time instead of sgemm; so do maps of at most 64
 * output pixels (any depth), one 16-channel column of weights at a time over the whole map. */
#ifndef S2F_NN_CONV2D_H
#define S2F_NN_CONV2D_H

#include "core/error.h"
#include "core/workers.h"
#include "nn/epilogue.h"
#include "nn/padding.h"
#include "nn/tensor.h"
#include "nn/winograd.h"

typedef enum s2fi_conv_algorithm {
    S2FI_CONV_AUTO = 0,   /* Winograd where it applies and pays off, else im2col + GEMM */
    S2FI_CONV_IM2COL = 1, /* always im2col + GEMM (tests compare the two) */
} s2fi_conv_algorithm;

typedef struct s2fi_conv2d_config {
    int in_channels;
    int out_channels;
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    s2fi_padding_mode padding;
    s2fi_axis_padding pad_h, pad_w; /* EXPLICIT mode only */
    s2fi_conv_algorithm algorithm;  /* zero-initialised: AUTO */
    /* The output size the layer runs at, when the network fixes it (0: unknown). AUTO then
     * keeps im2col for a map of fewer than S2FI_WINOGRAD_MIN_TILES Winograd tiles, where the
     * transformed kernels (n²/r² times the weights: 4× for F(4×4, 3×3)) cost more to stream
     * than the multiplies they save, and lays the weights of a map of ≤ 64 pixels out for the
     * whole-map path (s2fi_conv2d.panels). */
    int out_height_hint, out_width_hint;
} s2fi_conv2d_config;

/* Measured on face-api's ResNet (one core, 3×3 convs, F(4×4, 3×3)): a 4×4 map of 256 channels
 * (1 tile) ran 2.1× slower as Winograd than as im2col + sgemm; an 8×8 map of 128 channels (4
 * tiles) 1.35× faster than im2col + sgemm but 1.7× slower than the whole-map path with 32-channel
 * weight panels (0.32 → 0.185 ms per block, AVX-512), which maps of ≤ 64 pixels now take. */
#define S2FI_WINOGRAD_MIN_TILES 5

typedef struct s2fi_conv2d {
    s2fi_conv2d_config config;
    /* [kernel_h][kernel_w][in_channels] × out_channels, owned; NULL when Winograd runs it. */
    float *packed_weights;
    float *bias;           /* [out_channels], owned, zeros when the layer has none */
    /* packed_weights are in the small-depth kernel's panel layout (nn/small_gemm.h): a layer
     * whose size hint is a small map, run by the whole-map path only */
    bool panels;
    bool use_winograd;      /* at stride 2: on the space-to-depth (polyphase) input */
    s2fi_winograd winograd; /* valid when use_winograd */
} s2fi_conv2d;

/** Packs PyTorch-layout weights [out][in][kh][kw] (and optional bias [out]) into `conv`.
 *  Errors: S2F_ERR_INVALID_ARGUMENT for non-positive sizes, S2F_ERR_OUT_OF_MEMORY. */
s2f_status s2fi_conv2d_init(s2fi_conv2d *conv, const s2fi_conv2d_config *config,
                            const float *torch_weight, const float *bias, s2fi_error_slot *slot);
/** Frees what init allocated; safe on a zeroed or already released struct. */
void s2fi_conv2d_release(s2fi_conv2d *conv);

/** Folds a per-channel affine that *directly* follows the convolution (conv → BatchNorm with no
 *  nonlinearity between) into its weights and bias: exact up to float rounding. */
void s2fi_conv2d_fold_affine(s2fi_conv2d *conv, const float *scale, const float *shift);

/** Output shape for an input shape; returns 0 if the input is too small for the kernel. */
int s2fi_conv2d_output_shape(const s2fi_conv2d *conv, s2fi_shape in, s2fi_shape *out);

/** Workspace (floats) that s2fi_conv2d_forward needs for this input shape when blocks are sized
 *  to stay within `budget_floats` (a block is never less than one output row; a Winograd block
 *  never less than 128 tiles), run on `threads` threads. */
size_t s2fi_conv2d_workspace_floats(const s2fi_conv2d *conv, s2fi_shape in, size_t budget_floats,
                                    size_t threads);

/** out = epilogue(conv(in) + bias). `post` supplies relu/scale/shift (its bias is ignored: the
 *  layer's own bias is used); NULL means bias only. `workspace` must hold at least
 *  s2fi_conv2d_workspace_floats(conv, in_shape, workspace_floats, threads) floats — the function
 *  sizes its blocks to `workspace_floats`. `in` and `out` must not overlap. `threads` (≥ 1)
 *  threads run the Winograd path's transforms and polyphase split and the small-depth kernel's
 *  rows, on `pool`'s threads (core/workers.h; NULL: started for the call); every sgemm uses
 *  OpenBLAS's own threads. Results agree across `threads` up to the
 *  GEMM rounding of a different block size. */
void s2fi_conv2d_forward(const s2fi_conv2d *conv, const float *in, s2fi_shape in_shape, float *out,
                         const s2fi_epilogue *post, float *workspace, size_t workspace_floats,
                         size_t threads, s2fi_pool *pool);

/** Whether a forward pass on this input shape runs on the whole-map path (the whole map's
 *  patches, then the small-depth kernel a column of weights at a time: small maps such as
 *  face-api's 8×8, 4×4 and 2×2 ones), the only path s2fi_conv2d_forward_images takes. */
bool s2fi_conv2d_whole_map(const s2fi_conv2d *conv, s2fi_shape in);

/** Images s2fi_conv2d_forward_images runs as one product (their patches stay within
 *  S2FI_CONV_IMAGES_PATCH_BYTES, so in L2 while every column of weights passes over them),
 *  at least 1; and the workspace floats it needs for `count` images. */
#define S2FI_CONV_IMAGES_PATCH_BYTES ((size_t)1 << 20)
size_t s2fi_conv2d_images_per_product(const s2fi_conv2d *conv, s2fi_shape in);
size_t s2fi_conv2d_images_workspace_floats(const s2fi_conv2d *conv, s2fi_shape in, size_t count);

/** `count` images (NHWC, in_shape each, back to back in `in`; outputs back to back in `out`)
 *  on the whole-map path, on the calling thread: the patches of several images go through one
 *  product, so each column of weights is read once for all of them instead of once per image
 *  (face-api's 4×4 × 256 layers stream 2.4 MB of weights for 16 output pixels). Every output
 *  equals s2fi_conv2d_forward's on that image alone, bit for bit (the kernel computes each
 *  output pixel on its own). Requires s2fi_conv2d_whole_map(conv, in_shape); `workspace` holds
 *  s2fi_conv2d_images_workspace_floats(conv, in_shape, count) floats. */
void s2fi_conv2d_forward_images(const s2fi_conv2d *conv, const float *in, s2fi_shape in_shape,
                                size_t count, float *out, const s2fi_epilogue *post,
                                float *workspace);

#endif
