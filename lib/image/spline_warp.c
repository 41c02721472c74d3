#include "image/spline_warp.h"

#include "core/alloc.h"

#include <math.h>
#include <stdint.h>

void s2fi_warp_workspace_release(s2fi_warp_workspace *workspace)
{
    if (!workspace)
        return;
    s2fi_free(workspace->block);
    workspace->block = NULL;
    workspace->bytes = 0;
}

s2f_status s2fi_warp_check_params(const s2f_warp_params *params, s2fi_error_slot *slot)
{
    if (params->order < 1 || params->order > 3)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_warp_params.order is %d: the polyharmonic order must be 1, 2 or 3",
                         (int)params->order);
    if (params->boundary_points < 0 || params->boundary_points > S2FI_WARP_MAX_BOUNDARY_POINTS)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_warp_params.boundary_points is %d: it must be 0 to %d",
                         (int)params->boundary_points, S2FI_WARP_MAX_BOUNDARY_POINTS);
    if (!isfinite(params->regularization))
        return s2fi_fail(slot, S2F_ERR_NON_FINITE, "s2f_warp_params.regularization is %g",
                         params->regularization);
    if (params->regularization < 0.0)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_warp_params.regularization is %g: it must be >= 0",
                         params->regularization);
    return S2F_OK;
}

size_t s2fi_warp_boundary_points(int height, int width, int per_edge, double *xy)
{
    /* TF: ys = linspace(0, H−1, n+1), xs = linspace(0, W−1, n+1); of the (n+1)² grid keep the
     * points on the border, scanning rows (y) outer and columns (x) inner. */
    size_t count = 0;
    for (int i = 0; i <= per_edge && per_edge > 0; ++i) {
        double y = (double)(height - 1) * i / per_edge;
        for (int j = 0; j <= per_edge; ++j) {
            if (i != 0 && i != per_edge && j != 0 && j != per_edge)
                continue;
            xy[2 * count] = (double)(width - 1) * j / per_edge;
            xy[2 * count + 1] = y;
            ++count;
        }
    }
    return count;
}

/* Fit scratch: the spline's own scratch, then the centres and values it is fitted to. */
size_t s2fi_warp_fit_scratch_bytes(size_t n_total)
{
    size_t spline_bytes = s2fi_spline_scratch_bytes(n_total), point_bytes, total;
    if (spline_bytes == 0 || !s2fi_mul_size(n_total, 4 * sizeof(double), &point_bytes) ||
        !s2fi_add_size(spline_bytes, point_bytes, &total))
        return 0;
    return total;
}

static s2f_status check_points(const float *points, size_t n_points, const char *name,
                               s2fi_error_slot *slot)
{
    for (size_t t = 0; t < n_points; ++t)
        if (!isfinite(points[2 * t]) || !isfinite(points[2 * t + 1]))
            return s2fi_fail(slot, S2F_ERR_NON_FINITE, "%s[%zu] is (%g, %g): control points "
                             "must be finite", name, t, (double)points[2 * t],
                             (double)points[2 * t + 1]);
    return S2F_OK;
}

/* With λ = 0 two coincident centres make the system singular. Finding them here names the
 * culprits, which the factorisation cannot. */
static s2f_status check_coincident(const double *centres, size_t n_points, size_t n_total,
                                   s2fi_error_slot *slot)
{
    for (size_t i = 1; i < n_total; ++i)
        for (size_t j = 0; j < i; ++j) {
            if (centres[2 * i] != centres[2 * j] || centres[2 * i + 1] != centres[2 * j + 1])
                continue;
            if (i < n_points)
                return s2fi_fail(slot, S2F_ERR_SINGULAR,
                                 "dst_points[%zu] and dst_points[%zu] coincide at (%g, %g): the "
                                 "spline is singular with regularization 0",
                                 j, i, centres[2 * i], centres[2 * i + 1]);
            return s2fi_fail(slot, S2F_ERR_SINGULAR,
                             "%s%zu coincides with boundary point %zu at (%g, %g): the spline is "
                             "singular with regularization 0",
                             j < n_points ? "dst_points[" : "boundary point ",
                             j < n_points ? j : j - n_points, i - n_points, centres[2 * i],
                             centres[2 * i + 1]);
        }
    return S2F_OK;
}

s2f_status s2fi_warp_fit(int height, int width, const float *src_points, const float *dst_points,
                         size_t n_points, const s2f_warp_params *params, void *scratch,
                         s2fi_spline *spline, s2fi_error_slot *slot)
{
    s2f_status status;
    if ((status = check_points(src_points, n_points, "src_points", slot)) ||
        (status = check_points(dst_points, n_points, "dst_points", slot)))
        return status;
    const size_t n_total = n_points + 4 * (size_t)params->boundary_points;
    double *centres = (double *)((char *)scratch + s2fi_spline_scratch_bytes(n_total));
    double *values = centres + 2 * n_total;
    for (size_t t = 0; t < n_points; ++t) {
        centres[2 * t] = dst_points[2 * t];
        centres[2 * t + 1] = dst_points[2 * t + 1];
        /* The flow at a destination point is where its pixel came from, relative to it. */
        values[2 * t] = (double)dst_points[2 * t] - (double)src_points[2 * t];
        values[2 * t + 1] = (double)dst_points[2 * t + 1] - (double)src_points[2 * t + 1];
    }
    size_t added = s2fi_warp_boundary_points(height, width, params->boundary_points,
                                             centres + 2 * n_points);
    for (size_t t = n_points; t < n_points + added; ++t)
        values[2 * t] = values[2 * t + 1] = 0.0;
    if (params->regularization == 0.0 &&
        (status = check_coincident(centres, n_points, n_total, slot)))
        return status;
    return s2fi_spline_fit(centres, values, n_total, params->order, params->regularization,
                           scratch, spline, slot);
}

typedef enum pixel_type { PIXEL_F32, PIXEL_U8 } pixel_type;

static size_t extent_bytes(const s2fi_image_layout *layout, pixel_type type)
{
    size_t last = (size_t)(layout->height - 1) * layout->row_stride +
                  (size_t)(layout->width - 1) * layout->pixel_stride +
                  (size_t)(layout->channels - 1) * layout->channel_stride;
    return (last + 1) * (type == PIXEL_F32 ? sizeof(float) : sizeof(uint8_t));
}

static s2f_status check_arguments(const void *src, const s2fi_image_layout *layout,
                                  const float *src_points, const float *dst_points,
                                  size_t n_points, const s2f_warp_params *params,
                                  const void *dst, pixel_type type, s2fi_error_slot *slot)
{
    if (!src || !dst || !layout || !src_points || !dst_points || !params)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "warp: NULL %s", !src ? "src" : !dst ? "dst" : !layout ? "layout"
                         : !src_points ? "src_points" : !dst_points ? "dst_points" : "params");
    if (layout->height < 2 || layout->width < 2 || layout->channels < 1)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "warp: image is %d×%d×%d; height and width must be at least 2 and "
                         "channels at least 1",
                         layout->height, layout->width, layout->channels);
    size_t pixels, values;
    if (!s2fi_mul_size((size_t)layout->height, (size_t)layout->width, &pixels) ||
        !s2fi_mul_size(pixels, (size_t)layout->channels, &values) ||
        !s2fi_mul_size(values, sizeof(float), &values))
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "warp: image of %d×%d×%d is too large",
                         layout->height, layout->width, layout->channels);
    if (n_points == 0)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "warp: n_points is 0");
    s2f_status status = s2fi_warp_check_params(params, slot);
    if (status)
        return status;
    size_t boundary = 4 * (size_t)params->boundary_points;
    if (n_points > S2FI_WARP_MAX_CONTROL_POINTS ||
        n_points + boundary > S2FI_WARP_MAX_CONTROL_POINTS)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "warp: %zu control points and %zu boundary points exceed the limit of "
                         "%d",
                         n_points, boundary, S2FI_WARP_MAX_CONTROL_POINTS);
    size_t extent = extent_bytes(layout, type);
    if (s2fi_ranges_overlap(src, extent, dst, extent))
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "warp: dst overlaps src; the warp cannot run in place");
    return S2F_OK;
}

/* Scratch of a whole warp: the fit, then three rows of doubles (normalised x, and the flow's two
 * components, which become the sample coordinates in place). */
static s2f_status reserve(s2fi_warp_workspace *workspace, size_t n_total, int width,
                          size_t *fit_bytes, s2fi_error_slot *slot)
{
    size_t row_bytes, needed;
    *fit_bytes = s2fi_warp_fit_scratch_bytes(n_total);
    if (*fit_bytes == 0 || !s2fi_mul_size((size_t)width, 3 * sizeof(double), &row_bytes) ||
        !s2fi_add_size(*fit_bytes, row_bytes, &needed))
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "warp: workspace size overflows");
    if (workspace->bytes >= needed)
        return S2F_OK;
    void *block = s2fi_aligned_alloc(needed);
    if (!block)
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "warp: cannot allocate %zu bytes", needed);
    s2fi_free(workspace->block);
    workspace->block = block;
    workspace->bytes = needed;
    return S2F_OK;
}

static s2f_status warp(const void *src, const s2fi_image_layout *layout, const float *src_points,
                       const float *dst_points, size_t n_points, const s2f_warp_params *params,
                       void *dst, pixel_type type, s2fi_warp_workspace *workspace,
                       s2fi_error_slot *slot)
{
    s2f_status status = check_arguments(src, layout, src_points, dst_points, n_points, params,
                                        dst, type, slot);
    if (status)
        return status;
    s2fi_warp_workspace call_workspace = {0};
    s2fi_warp_workspace *ws = workspace ? workspace : &call_workspace;
    const size_t n_total = n_points + 4 * (size_t)params->boundary_points;
    size_t fit_bytes;
    s2fi_spline spline;
    if ((status = reserve(ws, n_total, layout->width, &fit_bytes, slot)) ||
        (status = s2fi_warp_fit(layout->height, layout->width, src_points, dst_points, n_points,
                                params, ws->block, &spline, slot))) {
        s2fi_warp_workspace_release(&call_workspace);
        return status;
    }
    /* Nothing can fail from here on, so dst is written only by a call that succeeds. */
    const size_t width = (size_t)layout->width;
    double *normalised_x = (double *)((char *)ws->block + fit_bytes);
    double *sample_x = normalised_x + width, *sample_y = sample_x + width;
    for (int y = 0; y < layout->height; ++y) {
        s2fi_spline_eval_row(&spline, (double)y, width, normalised_x, sample_x, sample_y);
        for (size_t x = 0; x < width; ++x) {
            sample_x[x] = (double)x - sample_x[x];
            sample_y[x] = (double)y - sample_y[x];
        }
        if (type == PIXEL_F32)
            s2fi_bilinear_row_f32(src, layout, sample_y, sample_x, y, dst);
        else
            s2fi_bilinear_row_u8(src, layout, sample_y, sample_x, y, dst);
    }
    s2fi_warp_workspace_release(&call_workspace);
    return S2F_OK;
}

s2f_status s2fi_warp_f32(const float *src, const s2fi_image_layout *layout,
                         const float *src_points, const float *dst_points, size_t n_points,
                         const s2f_warp_params *params, float *dst,
                         s2fi_warp_workspace *workspace, s2fi_error_slot *slot)
{
    return warp(src, layout, src_points, dst_points, n_points, params, dst, PIXEL_F32, workspace,
                slot);
}

s2f_status s2fi_warp_u8(const uint8_t *src, const s2fi_image_layout *layout,
                        const float *src_points, const float *dst_points, size_t n_points,
                        const s2f_warp_params *params, uint8_t *dst,
                        s2fi_warp_workspace *workspace, s2fi_error_slot *slot)
{
    return warp(src, layout, src_points, dst_points, n_points, params, dst, PIXEL_U8, workspace,
                slot);
}

s2f_status s2fi_warp_dense_flow(int height, int width, const float *src_points,
                                const float *dst_points, size_t n_points,
                                const s2f_warp_params *params, double *flow_xy,
                                s2fi_error_slot *slot)
{
    if (!src_points || !dst_points || !params || !flow_xy || height < 2 || width < 2 ||
        n_points == 0)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "dense flow: bad arguments");
    s2f_status status = s2fi_warp_check_params(params, slot);
    if (status)
        return status;
    s2fi_warp_workspace ws = {0};
    const size_t n_total = n_points + 4 * (size_t)params->boundary_points;
    size_t fit_bytes;
    s2fi_spline spline;
    if (!(status = reserve(&ws, n_total, width, &fit_bytes, slot)) &&
        !(status = s2fi_warp_fit(height, width, src_points, dst_points, n_points, params,
                                 ws.block, &spline, slot))) {
        double *normalised_x = (double *)((char *)ws.block + fit_bytes);
        double *fx = normalised_x + width, *fy = fx + width;
        for (int y = 0; y < height; ++y) {
            s2fi_spline_eval_row(&spline, (double)y, (size_t)width, normalised_x, fx, fy);
            double *out = flow_xy + (size_t)y * (size_t)width * 2;
            for (int x = 0; x < width; ++x) {
                out[2 * x] = fx[x];
                out[2 * x + 1] = fy[x];
            }
        }
    }
    s2fi_warp_workspace_release(&ws);
    return status;
}
