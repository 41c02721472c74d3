/* Conversions between PyTorch's channel-major (C×H×W) order and our NHWC activations, for
 * tensors that a network produces in PyTorch's order (e.g. a Linear layer's output viewed as an
 * image with .view(C, H, W)). */
#ifndef S2F_NN_LAYOUT_H
#define S2F_NN_LAYOUT_H

#include "nn/tensor.h"

/** hwc[(y·W + x)·C + c] = chw[(c·H + y)·W + x] for the H×W×C `shape`. Must not overlap. */
void s2fi_chw_to_hwc(const float *chw, s2fi_shape shape, float *hwc);

#endif
