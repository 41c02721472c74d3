#include "image/linear_solve.h"

#include <math.h>

static void swap_rows(double *a, size_t n, size_t r1, size_t r2)
{
    double *p = a + r1 * n, *q = a + r2 * n;
    for (size_t j = 0; j < n; ++j) {
        double t = p[j];
        p[j] = q[j];
        q[j] = t;
    }
}

bool s2fi_lu_factor(double *a, size_t n, size_t *pivots, double relative_tolerance,
                    size_t *singular_step)
{
    double max_abs = 0.0;
    for (size_t i = 0; i < n * n; ++i) {
        if (!isfinite(a[i])) {
            /* Overflowed or poisoned entries: no meaningful solution exists. */
            if (singular_step)
                *singular_step = n;
            return false;
        }
        max_abs = fmax(max_abs, fabs(a[i]));
    }
    /* An all-zero matrix is singular whatever the tolerance; comparing with `<=` catches it. */
    const double threshold = relative_tolerance * max_abs;

    for (size_t k = 0; k < n; ++k) {
        size_t best = k;
        double best_abs = fabs(a[k * n + k]);
        for (size_t i = k + 1; i < n; ++i) {
            double v = fabs(a[i * n + k]);
            if (v > best_abs) {
                best_abs = v;
                best = i;
            }
        }
        pivots[k] = best;
        if (!(best_abs > threshold)) {
            if (singular_step)
                *singular_step = k;
            return false;
        }
        if (best != k)
            swap_rows(a, n, k, best);
        const double *pivot_row = a + k * n;
        const double inverse_pivot = 1.0 / pivot_row[k];
        for (size_t i = k + 1; i < n; ++i) {
            double *row = a + i * n;
            double factor = row[k] * inverse_pivot;
            row[k] = factor;
            if (factor == 0.0)
                continue;
            for (size_t j = k + 1; j < n; ++j)
                row[j] -= factor * pivot_row[j];
        }
    }
    return true;
}

void s2fi_lu_solve(const double *lu, size_t n, const size_t *pivots, double *b, size_t nrhs)
{
    /* Apply the row swaps in the order they were made, then L (unit) and U substitutions. */
    for (size_t k = 0; k < n; ++k) {
        if (pivots[k] == k)
            continue;
        double *p = b + k * nrhs, *q = b + pivots[k] * nrhs;
        for (size_t c = 0; c < nrhs; ++c) {
            double t = p[c];
            p[c] = q[c];
            q[c] = t;
        }
    }
    for (size_t i = 1; i < n; ++i)
        for (size_t j = 0; j < i; ++j) {
            double l = lu[i * n + j];
            for (size_t c = 0; c < nrhs; ++c)
                b[i * nrhs + c] -= l * b[j * nrhs + c];
        }
    for (size_t i = n; i-- > 0;) {
        for (size_t j = i + 1; j < n; ++j) {
            double u = lu[i * n + j];
            for (size_t c = 0; c < nrhs; ++c)
                b[i * nrhs + c] -= u * b[j * nrhs + c];
        }
        double inverse = 1.0 / lu[i * n + i];
        for (size_t c = 0; c < nrhs; ++c)
            b[i * nrhs + c] *= inverse;
    }
}
