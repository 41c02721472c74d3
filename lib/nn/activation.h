/* Elementwise activations that the fused epilogue (bias → ReLU → affine) does not cover. They run
 * as a separate pass, which keeps the epilogue's hot loop free of a transcendental branch. */
#ifndef S2F_NN_ACTIVATION_H
#define S2F_NN_ACTIVATION_H

#include <stddef.h>

/** data[i] = 1 / (1 + exp(−data[i])) in place. Saturates to exactly 0 and 1 for large |x|;
 *  NaN stays NaN. */
void s2fi_sigmoid(float *data, size_t count);

#endif
