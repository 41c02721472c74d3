/* Winograd minimal filtering F(m×m, r×r) for stride-1 square-kernel convolutions on NHWC images.
 *
 * Each m×m output tile comes from an n×n input tile (n = m + r − 1): the input tile and the
 * kernel are transformed (V = Bᵀ d B, U = G g Gᵀ, U once at init), multiplied element-wise and
 * summed over input channels — n² independent GEMMs [tiles × in] × [in × out], on the library's
 * own kernel (nn/small_gemm.h: always with AVX-512, else for small products) or cblas_sgemm —
 * and transformed back (Y = Aᵀ M A). For the voice encoder's 4×4 kernels and m = 4 that is 49
 * multiplies per 16 outputs instead of 256: 5.2× fewer GEMM FLOPs for a few transform passes;
 * for face-api's 3×3 kernels, F(4×4, 3×3): 36 instead of 144.
 *
 * The matrices are derived at init (in double) from the interpolation points in winograd.c by
 * Toom–Cook: A and G evaluate the output/kernel polynomials at the points (and ∞), Bᵀ is the
 * transposed inverse of the full evaluation matrix. The points were chosen for float accuracy:
 * one layer's relative error against float64 direct convolution is ≈ 5e-6 for 256 channels. */
#ifndef S2F_NN_WINOGRAD_H
#define S2F_NN_WINOGRAD_H

#include "core/workers.h"
#include "nn/epilogue.h"
#include "nn/padding.h"
#include "nn/tensor.h"

#include <stddef.h>

#define S2FI_WINOGRAD_MAX_TILE 8 /* n = m + r − 1 */

typedef struct s2fi_winograd {
    int m, r, n;
    int in_channels, out_channels;
    float at[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE]; /* m × n, row-major */
    float bt[S2FI_WINOGRAD_MAX_TILE * S2FI_WINOGRAD_MAX_TILE]; /* n × n, row-major */
    float *u; /* [n·n][in_channels][out_channels] transformed kernels, owned */
} s2fi_winograd;

/** The output tile size used for kernel side `r`, or 0 when Winograd is not offered for it. */
int s2fi_winograd_tile_for_kernel(int r);

/** Derives the transforms for F(m×m, r×r) and transforms PyTorch-layout weights
 *  [out][in][r][r]. Returns 0 on success, -1 if (m, r) is unsupported or memory runs out. */
int s2fi_winograd_init(s2fi_winograd *w, int m, int r, int in_channels, int out_channels,
                       const float *torch_weight);
void s2fi_winograd_release(s2fi_winograd *w);

/** Scales output channel oc of the transformed kernels by scale[oc] (BatchNorm folding). */
void s2fi_winograd_scale_outputs(s2fi_winograd *w, const float *scale);

/** Workspace (floats) for one block of tiles when blocks are sized to `budget_floats` (but at
 *  least 128 tiles, so it may exceed the budget), with per-thread scratch for `threads`. */
size_t s2fi_winograd_workspace_floats(const s2fi_winograd *w, s2fi_shape out, size_t budget_floats,
                                      size_t threads);

/** out = epilogue(conv(in)) with `pad_h/pad_w.before` zeros before the first row/column (any
 *  amount after); `out_shape` is the convolution's output shape (stride 1). `post->bias` is the
 *  layer bias. `workspace` holds s2fi_winograd_workspace_floats(w, out_shape, workspace_floats,
 *  threads). The tile transforms of each block, and the products where the library's kernel
 *  runs them (split by position), run on `threads` threads (1: the calling thread only) on
 *  `pool`'s threads (NULL: started for the call) — for a layer too small to gain, on one
 *  (s2fi_worth_splitting); sgemm products use OpenBLAS's own threads. Each tile is computed the
 *  same way on any thread; the per-thread scratch can change the block size, hence the
 *  products' rounding. */
void s2fi_winograd_forward(const s2fi_winograd *w, const float *in, s2fi_shape in_shape,
                           int pad_top, int pad_left, float *out, s2fi_shape out_shape,
                           const s2fi_epilogue *post, float *workspace, size_t workspace_floats,
                           size_t threads, s2fi_pool *pool);

#endif
