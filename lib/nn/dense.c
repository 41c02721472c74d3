#include "nn/dense.h"

#include "nn/epilogue.h"

#include <cblas.h>

void s2fi_dense_forward(const s2fi_dense *layer, const float *x, int batch, float *y, bool relu)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, layer->out_features,
                layer->in_features, 1.0f, x, layer->in_features, layer->weight,
                layer->in_features, 0.0f, y, layer->out_features);
    const s2fi_epilogue epilogue = {.bias = layer->bias, .relu = relu};
    s2fi_epilogue_apply(&epilogue, y, (size_t)batch, layer->out_features);
}
