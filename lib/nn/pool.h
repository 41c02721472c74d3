/* Max pooling on NHWC images, unpadded, floor mode (PyTorch MaxPool2d defaults, TF "VALID"). */
#ifndef S2F_NN_POOL_H
#define S2F_NN_POOL_H

#include "core/workers.h"
#include "nn/tensor.h"

/** Output shape; returns 0 if the window does not fit the input. */
int s2fi_maxpool2d_output_shape(s2fi_shape in, int kernel_h, int kernel_w, int stride_h,
                                int stride_w, s2fi_shape *out);
/** out[oy][ox][c] = max over the window (NaN propagates, as in PyTorch). `in` and `out` must
 *  not overlap. Output rows are split among `threads` threads (1: the calling thread only), on
 *  `pool`'s threads (NULL: started for the call). */
void s2fi_maxpool2d(const float *in, s2fi_shape in_shape, int kernel_h, int kernel_w,
                    int stride_h, int stride_w, float *out, size_t threads, s2fi_pool *pool);

#endif
