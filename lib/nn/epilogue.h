/* What happens to a layer's raw GEMM output, applied in one pass while it is still in cache:
 * y = x + bias; then ReLU if asked; then a per-channel affine (an inference BatchNorm that
 * follows the ReLU and so cannot be folded into the weights). */
#ifndef S2F_NN_EPILOGUE_H
#define S2F_NN_EPILOGUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct s2fi_epilogue {
    const float *bias;  /* [channels] or NULL */
    bool relu;
    const float *scale; /* [channels] or NULL: both or neither with shift */
    const float *shift; /* [channels] or NULL */
} s2fi_epilogue;

/** Applies `epilogue` in place to `rows` rows of `channels` values each (NHWC pixels). */
void s2fi_epilogue_apply(const s2fi_epilogue *epilogue, float *data, size_t rows, int channels);

#endif
