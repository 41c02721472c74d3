#include "nn/layout.h"

void s2fi_chw_to_hwc(const float *chw, s2fi_shape shape, float *hwc)
{
    const size_t plane = (size_t)shape.height * (size_t)shape.width;
    const size_t channels = (size_t)shape.channels;
    /* Pixel-major writes, strided reads: each read stream walks one plane sequentially. */
    for (size_t p = 0; p < plane; ++p)
        for (size_t c = 0; c < channels; ++c)
            hwc[p * channels + c] = chw[c * plane + p];
}
