#include "nn/reduce.h"

void s2fi_mean_over_height(const float *in, s2fi_shape in_shape, float *out)
{
    const size_t row = (size_t)in_shape.width * (size_t)in_shape.channels;
    for (size_t i = 0; i < row; ++i) {
        double sum = 0.0;
        for (int y = 0; y < in_shape.height; ++y)
            sum += in[(size_t)y * row + i];
        out[i] = (float)(sum / in_shape.height);
    }
}
