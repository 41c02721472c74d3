/* Average pooling on NHWC images: windowed (unpadded, floor mode: PyTorch AvgPool2d defaults,
 * TF "VALID") and global (mean over all pixels, e.g. before a ResNet's final FC). */
#ifndef S2F_NN_AVGPOOL_H
#define S2F_NN_AVGPOOL_H

#include "nn/tensor.h"

/** Output shape; returns 0 if the window does not fit the input. */
int s2fi_avgpool2d_output_shape(s2fi_shape in, int kernel_h, int kernel_w, int stride_h,
                                int stride_w, s2fi_shape *out);
/** out[oy][ox][c] = mean over the kernel_h × kernel_w window. `in`, `out` must not overlap. */
void s2fi_avgpool2d(const float *in, s2fi_shape in_shape, int kernel_h, int kernel_w, int stride_h,
                    int stride_w, float *out);
/** out[c] = mean over all height × width pixels of channel c (channels floats). Sums in double
 *  so the result does not depend on the image size's rounding drift. */
void s2fi_global_avgpool(const float *in, s2fi_shape in_shape, float *out);

#endif
