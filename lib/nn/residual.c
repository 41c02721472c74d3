#include "nn/residual.h"

/* Adds the part of one operand's row that lies inside `out` (shape-checked by the caller). */
static void accumulate_row(float *dst, const float *src, s2fi_shape src_shape, int y, int out_width,
                           int out_channels)
{
    if (y >= src_shape.height)
        return;
    const int width = src_shape.width < out_width ? src_shape.width : out_width;
    const int channels = src_shape.channels < out_channels ? src_shape.channels : out_channels;
    const float *row = src + (size_t)y * (size_t)src_shape.width * (size_t)src_shape.channels;
    for (int x = 0; x < width; ++x) {
        const float *s = row + (size_t)x * (size_t)src_shape.channels;
        float *d = dst + (size_t)x * (size_t)out_channels;
        for (int c = 0; c < channels; ++c)
            d[c] += s[c];
    }
}

void s2fi_residual_add(const float *a, s2fi_shape a_shape, const float *b, s2fi_shape b_shape,
                       float *out, s2fi_shape out_shape, bool relu)
{
    const size_t row_floats = (size_t)out_shape.width * (size_t)out_shape.channels;
    const bool same_shapes = a_shape.height == out_shape.height &&
                             a_shape.width == out_shape.width &&
                             a_shape.channels == out_shape.channels &&
                             b_shape.height == out_shape.height &&
                             b_shape.width == out_shape.width &&
                             b_shape.channels == out_shape.channels;
    if (same_shapes) {
        /* The common case (identity shortcut): one flat pass, aliasing-safe element by element. */
        const size_t n = s2fi_shape_count(out_shape);
        for (size_t i = 0; i < n; ++i) {
            float v = a[i] + b[i];
            out[i] = relu && v < 0.0f ? 0.0f : v;
        }
        return;
    }
    for (int y = 0; y < out_shape.height; ++y) {
        float *dst = out + (size_t)y * row_floats;
        for (size_t i = 0; i < row_floats; ++i)
            dst[i] = 0.0f;
        accumulate_row(dst, a, a_shape, y, out_shape.width, out_shape.channels);
        accumulate_row(dst, b, b_shape, y, out_shape.width, out_shape.channels);
        if (relu)
            for (size_t i = 0; i < row_floats; ++i)
                dst[i] = dst[i] < 0.0f ? 0.0f : dst[i];
    }
}
