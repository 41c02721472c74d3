/* Residual addition on NHWC images where the two operands may differ in size: each is treated
 * as zero beyond its own height, width and channels (the bottom/right/last-channel zero padding
 * that dlib-style ResNets apply to a downsampling block's shortcut and main branch). */
#ifndef S2F_NN_RESIDUAL_H
#define S2F_NN_RESIDUAL_H

#include "nn/tensor.h"

#include <stdbool.h>

/** out[y][x][c] = act(A(y, x, c) + B(y, x, c)) over `out_shape`, where A and B read `a` / `b` in
 *  their shapes and 0 outside them; act is ReLU when `relu`. `out` may be `a` or `b` (in place)
 *  only when all three shapes are equal; otherwise it must not overlap them. */
void s2fi_residual_add(const float *a, s2fi_shape a_shape, const float *b, s2fi_shape b_shape,
                       float *out, s2fi_shape out_shape, bool relu);

#endif
