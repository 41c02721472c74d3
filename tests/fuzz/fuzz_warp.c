/* Fuzz target: s2f_warp_image / s2f_warp_image_u8 with arbitrary geometry, parameters and
 * control points. Points are either raw float bits (NaN, ±inf, huge, denormal) or bytes mapped
 * around the image (so coincident, collinear, nearly coincident and far-outside points are all
 * common). Contract checks: failures are named statuses with a message and leave dst untouched;
 * a success writes only finite values (within the source range, since bilinear sampling only
 * blends source pixels).
 *
 * Harness budget: images up to 48×48 and at most 64 boundary points per edge (the solve is
 * O(n³); 256 is accepted by the library and exercised by tests/warp). */
#include "fuzz_common.h"

#include <math.h>

static const double regularizations[] = {0.0, 1e-3, 1.0, -1e-9, 1e-300, 1e300, 0.5};
static const int32_t orders[] = {2, 1, 3, 0, 4, -1};
static const int32_t boundaries[] = {2, 0, 1, 3, 8, -1, 257, 64};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    const int height = 2 + fuzz_u8(&in) % 47 - (fuzz_u8(&in) == 255 ? 3 : 0); /* sometimes < 2 */
    const int width = 2 + fuzz_u8(&in) % 47;
    const int channels = fuzz_u8(&in) % 6; /* 0 and 5 are invalid */
    const size_t n_points = fuzz_u8(&in) % 40;
    const uint8_t point_mode = fuzz_u8(&in);
    s2f_warp_params params = s2f_warp_default_params();
    params.order = fuzz_pick_i32(&in, orders, sizeof orders / sizeof *orders);
    params.boundary_points = fuzz_pick_i32(&in, boundaries, sizeof boundaries / sizeof *boundaries);
    if (params.boundary_points > 64 && params.boundary_points <= 256)
        params.boundary_points = 64;
    params.regularization = fuzz_pick_f64(&in, regularizations,
                                          sizeof regularizations / sizeof *regularizations);

    float src_points[2 * 40], dst_points[2 * 40];
    for (size_t i = 0; i < 2 * n_points; ++i) {
        const int is_x = (i % 2) == 0;
        const float extent = (float)(is_x ? width : height);
        if (point_mode & 1) {
            src_points[i] = fuzz_f32(&in);
            dst_points[i] = fuzz_f32(&in);
        } else {
            /* bytes → [-extent/2, 1.5·extent]; the low bits give sub-pixel offsets */
            src_points[i] = ((float)fuzz_u8(&in) / 128.0f - 0.5f) * extent;
            dst_points[i] = ((float)fuzz_u8(&in) / 128.0f - 0.5f) * extent;
            if (point_mode & 2)
                dst_points[i] = src_points[i] + (float)(int8_t)fuzz_u8(&in) * 1e-6f;
        }
    }

    const int safe_height = height < 2 ? 2 : height;
    const int safe_channels = channels < 1 ? 1 : channels;
    const size_t pixels = (size_t)safe_height * (size_t)width * (size_t)safe_channels;
    float *src = malloc(pixels * sizeof *src), *dst = malloc(pixels * sizeof *dst);
    uint8_t *src8 = malloc(pixels), *dst8 = malloc(pixels);
    FUZZ_CHECK(src && dst && src8 && dst8);
    for (size_t i = 0; i < pixels; ++i) {
        src8[i] = (uint8_t)(i * 37u + (point_mode >> 2));
        src[i] = (float)src8[i] / 255.0f;
        dst[i] = -7.0f;
        dst8[i] = 7;
    }

    const s2f_warp_params *p = (point_mode & 4) ? NULL : &params;
    s2f_status status = s2f_warp_image(src, height, width, channels, src_points, dst_points,
                                       n_points, p, dst);
    if (status == S2F_OK) {
        for (size_t i = 0; i < pixels; ++i)
            FUZZ_CHECK(isfinite(dst[i]) && dst[i] >= -1e-6f && dst[i] <= 1.0f + 1e-6f);
    } else {
        FUZZ_CHECK_FAILURE(status);
        for (size_t i = 0; i < pixels; ++i)
            FUZZ_CHECK(dst[i] == -7.0f);
    }
    /* The 8-bit variant shares the geometry: same verdict. */
    const s2f_status status8 = s2f_warp_image_u8(src8, height, width, channels, src_points,
                                                 dst_points, n_points, p, dst8);
    FUZZ_CHECK(status8 == status);
    if (status8 != S2F_OK)
        for (size_t i = 0; i < pixels; ++i)
            FUZZ_CHECK(dst8[i] == 7);
    free(src);
    free(dst);
    free(src8);
    free(dst8);
    return 0;
}
