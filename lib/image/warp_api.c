/* Public entry points of the image warp: argument checks a caller can get wrong, params merge,
 * then the internal warp (lib/image/spline_warp.c). */
#include "core/error.h"
#include "core/params.h"
#include "image/spline_warp.h"

/* Fields are appended in whole 8-byte units, so every version of the struct has its own size. */
_Static_assert(sizeof(s2f_warp_params) == 24, "s2f_warp_params must have no padding");

static const s2f_warp_params warp_defaults = {
    .size = sizeof(s2f_warp_params), .order = 2, .boundary_points = 2, .regularization = 0.0};

S2F_API s2f_status s2f_warp_default_params_sized(s2f_warp_params *params, size_t size)
{
    return s2fi_params_defaults(params, size, &warp_defaults, sizeof warp_defaults,
                                "s2f_warp_params");
}

static s2f_status prepare(int height, int width, int channels, const s2f_warp_params *caller,
                          s2f_warp_params *merged, s2fi_image_layout *layout)
{
    if (channels < 1 || channels > 4)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_warp_image: channels is %d; it must be 1 to 4", channels);
    if (height < 2 || width < 2)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_warp_image: image is %d×%d; height and width must be at least 2",
                         height, width);
    *merged = warp_defaults;
    s2f_status status = s2fi_params_merge(merged, sizeof *merged, caller, "s2f_warp_params", NULL);
    if (status)
        return status;
    *layout = s2fi_image_layout_interleaved(height, width, channels);
    return S2F_OK;
}

S2F_API s2f_status s2f_warp_image(const float *src, int height, int width, int channels,
                                  const float *src_points, const float *dst_points,
                                  size_t n_points, const s2f_warp_params *params, float *dst)
{
    s2f_warp_params merged;
    s2fi_image_layout layout;
    s2f_status status = prepare(height, width, channels, params, &merged, &layout);
    if (status)
        return status;
    return s2fi_warp_f32(src, &layout, src_points, dst_points, n_points, &merged, dst, NULL, NULL);
}

S2F_API s2f_status s2f_warp_image_u8(const uint8_t *src, int height, int width, int channels,
                                     const float *src_points, const float *dst_points,
                                     size_t n_points, const s2f_warp_params *params,
                                     uint8_t *dst)
{
    s2f_warp_params merged;
    s2fi_image_layout layout;
    s2f_status status = prepare(height, width, channels, params, &merged, &layout);
    if (status)
        return status;
    return s2fi_warp_u8(src, &layout, src_points, dst_points, n_points, &merged, dst, NULL, NULL);
}
