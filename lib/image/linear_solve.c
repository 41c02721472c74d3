#include "image/linear_solve.h"

#include <lapack.h>
#include <limits.h>
#include <math.h>

bool s2fi_lu_factor(double *a, size_t n, int *pivots, double relative_tolerance,
                    size_t *singular_step)
{
    double max_abs = 0.0;
    for (size_t i = 0; i < n * n; ++i) {
        if (!isfinite(a[i]) || n > INT_MAX) {
            /* Overflowed or poisoned entries: no meaningful solution exists. */
            if (singular_step)
                *singular_step = n;
            return false;
        }
        max_abs = fmax(max_abs, fabs(a[i]));
    }
    lapack_int order = (lapack_int)n, info = 0;
    LAPACK_dgetrf(&order, &order, a, &order, pivots, &info);
    /* info > 0 is an exactly zero pivot, which the relative test below also finds (at the same
     * step: dgetrf goes on to the end, so the first small pivot is the one to report). An
     * all-zero matrix is singular whatever the tolerance; comparing with `<=` catches it. */
    const double threshold = relative_tolerance * max_abs;
    for (size_t k = 0; k < n; ++k)
        if (info < 0 || !(fabs(a[k * n + k]) > threshold)) {
            if (singular_step)
                *singular_step = k;
            return false;
        }
    return true;
}

void s2fi_lu_solve(const double *lu, size_t n, const int *pivots, double *b, size_t nrhs,
                   double *work)
{
    for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < nrhs; ++c)
            work[c * n + i] = b[i * nrhs + c];
    lapack_int order = (lapack_int)n, columns = (lapack_int)nrhs, info = 0;
    /* The factors are of Aᵀ (see the header): solving (Aᵀ)ᵀ·X = B is dgetrs with 'T'. */
    LAPACK_dgetrs("T", &order, &columns, lu, &order, pivots, work, &order, &info);
    for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < nrhs; ++c)
            b[i * nrhs + c] = work[c * n + i];
}
