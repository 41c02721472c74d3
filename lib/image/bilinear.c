#include "image/bilinear.h"

#include <math.h>

s2fi_image_layout s2fi_image_layout_interleaved(int height, int width, int channels)
{
    return (s2fi_image_layout){.height = height, .width = width, .channels = channels,
                               .row_stride = (size_t)width * (size_t)channels,
                               .pixel_stride = (size_t)channels, .channel_stride = 1};
}

s2fi_image_layout s2fi_image_layout_planar(int height, int width, int channels)
{
    return (s2fi_image_layout){.height = height, .width = width, .channels = channels,
                               .row_stride = (size_t)width, .pixel_stride = 1,
                               .channel_stride = (size_t)height * (size_t)width};
}

/* The 4 neighbours' offset and the blend weights of one sample location. */
typedef struct bilinear_tap {
    size_t top_left, right, down;  /* offset of (y0, x0); steps to x0+1 and y0+1 */
    float alpha_x, alpha_y;
} bilinear_tap;

/* Clamping the location into [0, size−1] and the cell's lower corner into [0, size−2] is
 * exactly TF's rule (floor clipped to [0, size−2], fraction clipped to [0, 1]): at the far
 * edge the cell is the last one with fraction 1. fmax/fmin send NaN to the bound. */
static inline void locate(double coordinate, int size, size_t *cell, float *alpha)
{
    double clamped = fmin(fmax(coordinate, 0.0), (double)(size - 1));
    int lower = (int)clamped;
    if (lower > size - 2)
        lower = size - 2;
    *cell = (size_t)lower;
    *alpha = (float)(clamped - (double)lower);
}

static inline bilinear_tap tap_at(const s2fi_image_layout *layout, double y, double x)
{
    size_t cell_y, cell_x;
    bilinear_tap tap;
    locate(y, layout->height, &cell_y, &tap.alpha_y);
    locate(x, layout->width, &cell_x, &tap.alpha_x);
    tap.top_left = cell_y * layout->row_stride + cell_x * layout->pixel_stride;
    tap.right = layout->pixel_stride;
    tap.down = layout->row_stride;
    return tap;
}

/* Same association as TF: blend along x on both rows, then along y. */
static inline float blend(float top_left, float top_right, float bottom_left, float bottom_right,
                          float alpha_x, float alpha_y)
{
    float top = top_left + alpha_x * (top_right - top_left);
    float bottom = bottom_left + alpha_x * (bottom_right - bottom_left);
    return top + alpha_y * (bottom - top);
}

void s2fi_bilinear_row_f32(const float *src, const s2fi_image_layout *layout,
                           const double *sample_y, const double *sample_x, int row, float *dst)
{
    float *out_row = dst + (size_t)row * layout->row_stride;
    for (int x = 0; x < layout->width; ++x) {
        bilinear_tap t = tap_at(layout, sample_y[x], sample_x[x]);
        const float *p = src + t.top_left;
        float *out = out_row + (size_t)x * layout->pixel_stride;
        for (int c = 0; c < layout->channels; ++c) {
            const float *q = p + (size_t)c * layout->channel_stride;
            out[(size_t)c * layout->channel_stride] =
                blend(q[0], q[t.right], q[t.down], q[t.down + t.right], t.alpha_x, t.alpha_y);
        }
    }
}

void s2fi_bilinear_row_u8(const uint8_t *src, const s2fi_image_layout *layout,
                          const double *sample_y, const double *sample_x, int row, uint8_t *dst)
{
    uint8_t *out_row = dst + (size_t)row * layout->row_stride;
    for (int x = 0; x < layout->width; ++x) {
        bilinear_tap t = tap_at(layout, sample_y[x], sample_x[x]);
        const uint8_t *p = src + t.top_left;
        uint8_t *out = out_row + (size_t)x * layout->pixel_stride;
        for (int c = 0; c < layout->channels; ++c) {
            const uint8_t *q = p + (size_t)c * layout->channel_stride;
            float v = blend(q[0], q[t.right], q[t.down], q[t.down + t.right], t.alpha_x,
                            t.alpha_y);
            /* A convex blend of bytes stays in [0, 255]; the clamp guards rounding only. */
            v = fminf(fmaxf(v + 0.5f, 0.0f), 255.0f);
            out[(size_t)c * layout->channel_stride] = (uint8_t)v;
        }
    }
}
