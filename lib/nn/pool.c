#include "nn/pool.h"

#include "nn/padding.h"

int s2fi_maxpool2d_output_shape(s2fi_shape in, int kernel_h, int kernel_w, int stride_h,
                                int stride_w, s2fi_shape *out)
{
    const s2fi_axis_padding none = {0, 0};
    out->height = s2fi_axis_output(S2FI_PADDING_VALID, in.height, kernel_h, stride_h, none, NULL);
    out->width = s2fi_axis_output(S2FI_PADDING_VALID, in.width, kernel_w, stride_w, none, NULL);
    out->channels = in.channels;
    return out->height > 0 && out->width > 0 && in.channels > 0;
}

void s2fi_maxpool2d(const float *in, s2fi_shape in_shape, int kernel_h, int kernel_w,
                    int stride_h, int stride_w, float *out)
{
    s2fi_shape out_shape;
    if (!s2fi_maxpool2d_output_shape(in_shape, kernel_h, kernel_w, stride_h, stride_w, &out_shape))
        return;
    const size_t channels = (size_t)in_shape.channels;
    for (int oy = 0; oy < out_shape.height; ++oy)
        for (int ox = 0; ox < out_shape.width; ++ox) {
            float *dst = out + ((size_t)oy * (size_t)out_shape.width + (size_t)ox) * channels;
            for (int ky = 0; ky < kernel_h; ++ky)
                for (int kx = 0; kx < kernel_w; ++kx) {
                    const size_t iy = (size_t)(oy * stride_h + ky);
                    const size_t ix = (size_t)(ox * stride_w + kx);
                    const float *src = in + (iy * (size_t)in_shape.width + ix) * channels;
                    if (ky == 0 && kx == 0) {
                        for (size_t c = 0; c < channels; ++c)
                            dst[c] = src[c];
                        continue;
                    }
                    for (size_t c = 0; c < channels; ++c)
                        if (src[c] > dst[c] || src[c] != src[c]) /* NaN propagates, as in PyTorch */
                            dst[c] = src[c];
                }
        }
}
