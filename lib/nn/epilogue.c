#include "nn/epilogue.h"

void s2fi_epilogue_apply(const s2fi_epilogue *epilogue, float *data, size_t rows, int channels)
{
    const float *bias = epilogue->bias;
    const float *scale = epilogue->scale;
    const float *shift = epilogue->shift;
    const bool relu = epilogue->relu;
    if (!bias && !relu && !scale)
        return;
    for (size_t r = 0; r < rows; ++r) {
        float *row = data + r * (size_t)channels;
        for (int c = 0; c < channels; ++c) {
            float v = row[c];
            if (bias)
                v += bias[c];
            if (relu && v < 0.0f)
                v = 0.0f;
            if (scale)
                v = v * scale[c] + shift[c];
            row[c] = v;
        }
    }
}
