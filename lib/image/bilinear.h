/* Bilinear sampling with edge clamping, as tfa.image.dense_image_warp samples: a location is
 * clamped into [0, height−1] × [0, width−1] and blended from its 4 neighbours, so locations
 * outside the image take the nearest border value. Pixel centres are at integer coordinates. */
#ifndef S2F_IMAGE_BILINEAR_H
#define S2F_IMAGE_BILINEAR_H

#include <stddef.h>
#include <stdint.h>

/** Where pixel (y, x) channel c lives: data[y·row_stride + x·pixel_stride + c·channel_stride].
 *  Interleaved H×W×C: row_stride = W·C, pixel_stride = C, channel_stride = 1.
 *  Planar C×H×W:      row_stride = W,   pixel_stride = 1, channel_stride = H·W. */
typedef struct s2fi_image_layout {
    int height, width, channels;  /* height, width >= 2; channels >= 1 */
    size_t row_stride, pixel_stride, channel_stride;
} s2fi_image_layout;

s2fi_image_layout s2fi_image_layout_interleaved(int height, int width, int channels);
s2fi_image_layout s2fi_image_layout_planar(int height, int width, int channels);

/** Samples `src` at (sample_y[x], sample_x[x]) for x = 0 … layout.width−1 and writes every
 *  channel of output row `row` of `dst` (same layout). Non-finite sample coordinates are
 *  clamped like any other (NaN goes to 0), so the output is always a convex blend of pixels. */
void s2fi_bilinear_row_f32(const float *src, const s2fi_image_layout *layout,
                           const double *sample_y, const double *sample_x, int row, float *dst);

/** As s2fi_bilinear_row_f32 for 8-bit images: blended in float, rounded to nearest. */
void s2fi_bilinear_row_u8(const uint8_t *src, const s2fi_image_layout *layout,
                          const double *sample_y, const double *sample_x, int row, uint8_t *dst);

#endif
