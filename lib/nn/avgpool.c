#include "nn/avgpool.h"

#include "nn/padding.h"

#include <stdlib.h>

int s2fi_avgpool2d_output_shape(s2fi_shape in, int kernel_h, int kernel_w, int stride_h,
                                int stride_w, s2fi_shape *out)
{
    const s2fi_axis_padding none = {0, 0};
    int h = s2fi_axis_output(S2FI_PADDING_VALID, in.height, kernel_h, stride_h, none, NULL);
    int w = s2fi_axis_output(S2FI_PADDING_VALID, in.width, kernel_w, stride_w, none, NULL);
    if (h <= 0 || w <= 0)
        return 0;
    *out = (s2fi_shape){h, w, in.channels};
    return 1;
}

void s2fi_avgpool2d(const float *in, s2fi_shape in_shape, int kernel_h, int kernel_w, int stride_h,
                    int stride_w, float *out)
{
    s2fi_shape out_shape;
    if (!s2fi_avgpool2d_output_shape(in_shape, kernel_h, kernel_w, stride_h, stride_w, &out_shape))
        return;
    const size_t c_count = (size_t)in_shape.channels;
    const float inv = 1.0f / (float)(kernel_h * kernel_w);
    for (int oy = 0; oy < out_shape.height; ++oy)
        for (int ox = 0; ox < out_shape.width; ++ox) {
            float *dst = out + ((size_t)oy * (size_t)out_shape.width + (size_t)ox) * c_count;
            for (size_t c = 0; c < c_count; ++c)
                dst[c] = 0.0f;
            for (int ky = 0; ky < kernel_h; ++ky)
                for (int kx = 0; kx < kernel_w; ++kx) {
                    const size_t y = (size_t)(oy * stride_h + ky), x = (size_t)(ox * stride_w + kx);
                    const float *src = in + (y * (size_t)in_shape.width + x) * c_count;
                    for (size_t c = 0; c < c_count; ++c)
                        dst[c] += src[c];
                }
            for (size_t c = 0; c < c_count; ++c)
                dst[c] *= inv;
        }
}

void s2fi_global_avgpool(const float *in, s2fi_shape in_shape, float *out)
{
    const size_t c_count = (size_t)in_shape.channels;
    const size_t pixels = (size_t)in_shape.height * (size_t)in_shape.width;
    for (size_t c = 0; c < c_count; ++c) {
        double sum = 0.0;
        for (size_t p = 0; p < pixels; ++p)
            sum += in[p * c_count + c];
        out[c] = (float)(sum / (double)pixels);
    }
}
