/* Reductions over one spatial axis of an NHWC image. */
#ifndef S2F_NN_REDUCE_H
#define S2F_NN_REDUCE_H

#include "nn/tensor.h"

/** out[x][c] = mean over y of in[y][x][c]; out holds width × channels floats. Sums in double:
 *  the voice encoder averages hundreds of frames and float sums would drift with clip length. */
void s2fi_mean_over_height(const float *in, s2fi_shape in_shape, float *out);

#endif
