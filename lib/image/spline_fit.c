#include "image/spline_fit.h"

#include "core/alloc.h"
#include "core/target_clones.h"
#include "image/linear_solve.h"
#include "image/polyharmonic.h"

#include <float.h>
#include <math.h>
#include <stdint.h>

/* Rows/columns of the affine part: x, y and the constant. */
#define AFFINE_TERMS 3
#define VALUE_DIMS 2

typedef struct scratch_layout {
    size_t centres, matrix, weights, solve_work, pivots, total;
} scratch_layout;

static bool layout_scratch(size_t n_centres, scratch_layout *layout)
{
    size_t m, centres_bytes, matrix_bytes, weights_bytes, pivot_bytes, cells;
    /* Every section a multiple of 8 bytes, so each starts aligned for doubles. */
    if (!s2fi_add_size(n_centres, AFFINE_TERMS, &m) ||
        !s2fi_mul_size(n_centres, VALUE_DIMS * sizeof(double), &centres_bytes) ||
        !s2fi_mul_size(m, m, &cells) || !s2fi_mul_size(cells, sizeof(double), &matrix_bytes) ||
        !s2fi_mul_size(m, VALUE_DIMS * sizeof(double), &weights_bytes) ||
        !s2fi_mul_size(m, sizeof(double), &pivot_bytes)) /* ints, rounded up to 8 bytes */
        return false;
    layout->centres = 0;
    layout->matrix = centres_bytes;
    if (!s2fi_add_size(layout->matrix, matrix_bytes, &layout->weights) ||
        !s2fi_add_size(layout->weights, weights_bytes, &layout->solve_work) ||
        !s2fi_add_size(layout->solve_work, weights_bytes, &layout->pivots) ||
        !s2fi_add_size(layout->pivots, pivot_bytes, &layout->total))
        return false;
    return true;
}

size_t s2fi_spline_scratch_bytes(size_t n_centres)
{
    scratch_layout layout;
    return layout_scratch(n_centres, &layout) ? layout.total : 0;
}

/* Moves the centres to normalised coordinates: centred on their mean, scaled so that the
 * farthest is at distance 1. Polyharmonic interpolants are invariant under this (for k = 2 the
 * extra r²·log(s) term is absorbed by the affine part because Σw = 0 and Σw·c = 0), so only
 * the conditioning changes. */
static void normalise_centres(const double *centres_xy, size_t n, double *normalised,
                              s2fi_spline *spline)
{
    double mean_x = 0.0, mean_y = 0.0;
    for (size_t i = 0; i < n; ++i) {
        mean_x += centres_xy[2 * i];
        mean_y += centres_xy[2 * i + 1];
    }
    mean_x /= (double)n;
    mean_y /= (double)n;
    double radius = 0.0;
    for (size_t i = 0; i < n; ++i)
        radius = fmax(radius, hypot(centres_xy[2 * i] - mean_x, centres_xy[2 * i + 1] - mean_y));
    /* All centres in one place: any scale will do, the factorisation reports the singularity. */
    double scale = radius > 0.0 && isfinite(radius) ? 1.0 / radius : 1.0;
    for (size_t i = 0; i < n; ++i) {
        normalised[2 * i] = (centres_xy[2 * i] - mean_x) * scale;
        normalised[2 * i + 1] = (centres_xy[2 * i + 1] - mean_y) * scale;
    }
    spline->origin_x = mean_x;
    spline->origin_y = mean_y;
    spline->scale = scale;
}

s2f_status s2fi_spline_fit(const double *centres_xy, const double *values_xy, size_t n_centres,
                           int order, double regularization, void *scratch, s2fi_spline *out,
                           s2fi_error_slot *slot)
{
    scratch_layout layout;
    if (n_centres == 0 || order < 1 || order > 3 || !(regularization >= 0.0) ||
        !layout_scratch(n_centres, &layout))
        return s2fi_fail(slot, S2F_ERR_INTERNAL,
                         "spline fit called with %zu centres, order %d, regularisation %g",
                         n_centres, order, regularization);
    const size_t n = n_centres, m = n_centres + AFFINE_TERMS;
    double *centres = (double *)((char *)scratch + layout.centres);
    double *matrix = (double *)((char *)scratch + layout.matrix);
    double *weights = (double *)((char *)scratch + layout.weights);
    double *solve_work = (double *)((char *)scratch + layout.solve_work);
    int *pivots = (int *)((char *)scratch + layout.pivots);

    s2fi_spline spline = {.order = order, .n_centres = n, .centres = centres, .weights = weights};
    normalise_centres(centres_xy, n, centres, &spline);
    /* φ(s·r) = s^k·φ(r) (up to the absorbed affine term for k = 2), so the same fit in
     * normalised coordinates needs λ·s^k on the diagonal. */
    const double scaled_regularization = regularization * pow(spline.scale, order);

    /* [ Φ + λI   P ] [w]   [values]
     * [ Pᵀ       0 ] [v] = [  0   ],   P = [x y 1] per centre. */
    for (size_t i = 0; i < n; ++i) {
        double *row = matrix + i * m;
        const double xi = centres[2 * i], yi = centres[2 * i + 1];
        for (size_t j = 0; j < n; ++j) {
            double dx = xi - centres[2 * j], dy = yi - centres[2 * j + 1];
            row[j] = s2fi_phi_of_squared(order, dx * dx + dy * dy);
        }
        row[i] += scaled_regularization;
        row[n] = xi;
        row[n + 1] = yi;
        row[n + 2] = 1.0;
        matrix[n * m + i] = xi;
        matrix[(n + 1) * m + i] = yi;
        matrix[(n + 2) * m + i] = 1.0;
    }
    for (size_t i = n; i < m; ++i)
        for (size_t j = n; j < m; ++j)
            matrix[i * m + j] = 0.0;
    for (size_t i = 0; i < n; ++i) {
        weights[2 * i] = values_xy[2 * i];
        weights[2 * i + 1] = values_xy[2 * i + 1];
    }
    for (size_t i = n; i < m; ++i)
        weights[2 * i] = weights[2 * i + 1] = 0.0;

    /* Normalised entries are O(1) (O(λ·s^k) on the diagonal), so a pivot this close to zero
     * relative to the largest entry means the system has no unique solution in double. */
    const double tolerance = (double)m * 16.0 * DBL_EPSILON;
    size_t step = 0;
    if (!s2fi_lu_factor(matrix, m, pivots, tolerance, &step)) {
        if (step == m)
            return s2fi_fail(slot, S2F_ERR_SINGULAR,
                             "the spline system overflows double precision: control points lie "
                             "too far apart");
        if (step >= n)
            return s2fi_fail(slot, S2F_ERR_SINGULAR,
                             "the spline's affine part is undetermined: the %zu control points "
                             "(with boundary points) do not span the plane (fewer than 3, or all "
                             "on one line)",
                             n);
        return s2fi_fail(slot, S2F_ERR_SINGULAR,
                         "the spline system is singular at control point %zu of %zu: control "
                         "points coincide or nearly coincide relative to their spread (or one "
                         "lies very far from the others); regularization > 0 allows coincident "
                         "points",
                         step, n);
    }
    s2fi_lu_solve(matrix, m, pivots, weights, VALUE_DIMS, solve_work);
    for (size_t i = 0; i < m * VALUE_DIMS; ++i)
        if (!isfinite(weights[i]))
            return s2fi_fail(slot, S2F_ERR_SINGULAR,
                             "the spline system is too ill-conditioned to solve in double "
                             "precision (control points nearly coincide or lie far apart)");
    *out = spline;
    return S2F_OK;
}

/* The per-pixel loops are the whole cost of a warp (H·W·n kernel evaluations). With GCC on
 * x86-64 Linux they are also compiled for x86-64-v3 (AVX2 + FMA) and the version is picked at
 * load time (ifunc): 2.9× faster for the default order 2. (An optimize("no-math-errno")
 * attribute, which would let sqrt vectorise for orders 1 and 3, is deliberately not used: it
 * stops the φ helpers from inlining and makes order 2 five times slower.) */

/* One loop per order so that φ inlines into a straight-line body the compiler vectorises. */
#define ACCUMULATE_CENTRE(phi)                                                     \
    for (size_t x = 0; x < width; ++x) {                                           \
        double dx = normalised_x[x] - cx;                                          \
        double p = phi(dx * dx + dy2);                                             \
        value_x[x] += wx * p;                                                      \
        value_y[x] += wy * p;                                                      \
    }

/* Static, so that the ifunc and its resolver stay local symbols (core/target_clones.h). */
S2FI_TARGET_CLONES("arch=x86-64-v3", "default")
static void eval_row(const s2fi_spline *spline, double y, size_t width,
                     double *restrict normalised_x, double *restrict value_x,
                     double *restrict value_y)
{
    const size_t n = spline->n_centres;
    const double s = spline->scale;
    const double ny = (y - spline->origin_y) * s;
    const double *affine = spline->weights + 2 * n;
    for (size_t x = 0; x < width; ++x) {
        double nx = ((double)x - spline->origin_x) * s;
        normalised_x[x] = nx;
        value_x[x] = affine[0] * nx + affine[2] * ny + affine[4];
        value_y[x] = affine[1] * nx + affine[3] * ny + affine[5];
    }
    for (size_t j = 0; j < n; ++j) {
        const double cx = spline->centres[2 * j], dy = ny - spline->centres[2 * j + 1];
        const double dy2 = dy * dy;
        const double wx = spline->weights[2 * j], wy = spline->weights[2 * j + 1];
        switch (spline->order) {
        case 1:
            ACCUMULATE_CENTRE(s2fi_phi1_of_squared)
            break;
        case 2:
            ACCUMULATE_CENTRE(s2fi_phi2_of_squared)
            break;
        default:
            ACCUMULATE_CENTRE(s2fi_phi3_of_squared)
            break;
        }
    }
}

void s2fi_spline_eval_row(const s2fi_spline *spline, double y, size_t width,
                          double *normalised_x, double *value_x, double *value_y)
{
    eval_row(spline, y, width, normalised_x, value_x, value_y);
}
