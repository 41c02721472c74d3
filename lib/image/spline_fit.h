/* A 2-D → 2-D polyharmonic spline (the interpolant of tfa.image.interpolate_spline):
 *   f(p) = Σ_i w_i φ(|p − c_i|) + V·[p; 1],
 * fitted so that f(c_i) + λ·w_i = value_i (λ = 0: exact interpolation), Σ_i w_i = 0 and
 * Σ_i w_i c_iᵀ = 0. The system is solved in coordinates centred on the centres' mean and scaled
 * to unit radius, which leaves the interpolant unchanged (λ is rescaled to match, see
 * docs/warp.md) but keeps the matrix well conditioned for any image size and order. */
#ifndef S2F_IMAGE_SPLINE_FIT_H
#define S2F_IMAGE_SPLINE_FIT_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct s2fi_spline {
    int order;              /* 1, 2 or 3 */
    size_t n_centres;
    const double *centres;  /* n_centres × 2, (x, y) in normalised coordinates */
    const double *weights;  /* (n_centres + 3) × 2: RBF weights, then the affine rows for
                               x, y and 1, each row holding the (x, y) components */
    double origin_x, origin_y, scale;  /* normalised = (pixel − origin) · scale */
} s2fi_spline;

/** Bytes of scratch s2fi_spline_fit needs for `n_centres`; 0 if that would overflow. The
 *  fitted spline points into the scratch, which must outlive it. */
size_t s2fi_spline_scratch_bytes(size_t n_centres);

/** Fits the spline through `n_centres` points `centres_xy` (pixel (x, y) pairs) with 2-D values
 *  `values_xy`. `scratch` is 8-byte aligned and holds s2fi_spline_scratch_bytes(n_centres).
 *  Fails with S2F_ERR_SINGULAR (message naming the points when two coincide) when the system
 *  has no unique solution: coincident centres with λ = 0, or too few centres in general
 *  position for the affine part (fewer than 3, or all on one line). Inputs must be finite. */
s2f_status s2fi_spline_fit(const double *centres_xy, const double *values_xy, size_t n_centres,
                           int order, double regularization, void *scratch, s2fi_spline *out,
                           s2fi_error_slot *slot);

/** Evaluates the spline at the pixels (x, y) for x = 0 … width−1 of one row y, writing the two
 *  components to value_x[x] and value_y[x]. `normalised_x` is width doubles of scratch. */
void s2fi_spline_eval_row(const s2fi_spline *spline, double y, size_t width,
                          double *normalised_x, double *value_x, double *value_y);

#endif
