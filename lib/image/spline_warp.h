/* The landmark-driven image warp (TF sparse_image_warp semantics, docs/warp.md): what the public
 * s2f_warp_image* functions and the face decoder call. The decoder warps its texture, drawn at
 * the model's mean-face landmarks, to the predicted landmarks with
 *   s2fi_warp_f32(texture, &layout, mean_landmarks, predicted_landmarks, L, &params, out,
 *                 &decoder->warp_workspace, &decoder->error);
 * where layout may be planar (C×H×W, as the CNN produces it) so no transpose is needed. */
#ifndef S2F_IMAGE_SPLINE_WARP_H
#define S2F_IMAGE_SPLINE_WARP_H

#include "core/error.h"
#include "image/bilinear.h"
#include "image/spline_fit.h"

#include <stddef.h>
#include <stdint.h>

/** Most control points, boundary points included: bounds the (n+3)² system (8 MB) and the
 *  O(n³) solve. */
#define S2FI_WARP_MAX_CONTROL_POINTS 1024
#define S2FI_WARP_MAX_BOUNDARY_POINTS 256

/** Reusable scratch, so repeated warps (one per decoded face) do not allocate. Zero-initialise;
 *  release with s2fi_warp_workspace_release. Not shareable between threads. */
typedef struct s2fi_warp_workspace {
    void *block;
    size_t bytes;
} s2fi_warp_workspace;

void s2fi_warp_workspace_release(s2fi_warp_workspace *workspace);

/** Checks `params` (a full, merged struct) against the documented ranges. */
s2f_status s2fi_warp_check_params(const s2f_warp_params *params, s2fi_error_slot *slot);

/** Appends TF's zero-flow boundary points for a height×width image to `xy` (4·per_edge (x, y)
 *  pairs, in TF's order: row-major over the grid of edge coordinates); returns how many. */
size_t s2fi_warp_boundary_points(int height, int width, int per_edge, double *xy);

/** Fits the warp's spline: centres at dst_points (then the boundary points), values
 *  dst − src (0 for boundary points). `scratch` holds s2fi_warp_fit_scratch_bytes(n_total)
 *  bytes, 8-byte aligned, where n_total = n_points + 4·boundary_points. Validates the points
 *  (finite, differences representable) and reports coincident control points by name. */
size_t s2fi_warp_fit_scratch_bytes(size_t n_total);
s2f_status s2fi_warp_fit(int height, int width, const float *src_points, const float *dst_points,
                         size_t n_points, const s2f_warp_params *params, void *scratch,
                         s2fi_spline *spline, s2fi_error_slot *slot);

/** Warps `src` into `dst` (both described by `layout`, which must not overlap). `params` is a
 *  full struct (already merged); `workspace` may be NULL (then one is allocated for the call).
 *  Validates everything; on failure `dst` is untouched. */
s2f_status s2fi_warp_f32(const float *src, const s2fi_image_layout *layout,
                         const float *src_points, const float *dst_points, size_t n_points,
                         const s2f_warp_params *params, float *dst,
                         s2fi_warp_workspace *workspace, s2fi_error_slot *slot);
s2f_status s2fi_warp_u8(const uint8_t *src, const s2fi_image_layout *layout,
                        const float *src_points, const float *dst_points, size_t n_points,
                        const s2f_warp_params *params, uint8_t *dst,
                        s2fi_warp_workspace *workspace, s2fi_error_slot *slot);

/** The dense flow the warp samples with: flow_xy[(y·width + x)·2 + {0, 1}] = the (x, y)
 *  displacement at pixel (x, y), so output(x, y) = input((x, y) − flow). For tests and tools. */
s2f_status s2fi_warp_dense_flow(int height, int width, const float *src_points,
                                const float *dst_points, size_t n_points,
                                const s2f_warp_params *params, double *flow_xy,
                                s2fi_error_slot *slot);

#endif
