/* Fully connected layer: y = x · Wᵀ + b for a batch of rows, W in PyTorch Linear layout
 * [out × in], used in place (borrowed) so the biggest matrices are never copied: the paper's FC1
 * is 83 % of the model's weights. Batching rows turns it from a GEMV into a GEMM. */
#ifndef S2F_NN_DENSE_H
#define S2F_NN_DENSE_H

#include "core/workers.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct s2fi_dense {
    int in_features;
    int out_features;
    const float *weight; /* [out_features][in_features], borrowed */
    const float *bias;   /* [out_features] or NULL, borrowed */
} s2fi_dense;

/** y[batch][out] = act(x[batch][in] · Wᵀ + b); `relu` applies ReLU. x and y must not overlap.
 *  One row (batch 1) runs on the library's AVX-512 GEMV where the CPU has it, its rows split
 *  over `threads` workers of `pool` (NULL: threads started per call) when the weights reach
 *  1 MB; otherwise, and for batches, OpenBLAS (sgemv / sgemm, on its own threads). */
void s2fi_dense_forward(const s2fi_dense *layer, const float *x, int batch, float *y, bool relu,
                        size_t threads, s2fi_pool *pool);

#endif
