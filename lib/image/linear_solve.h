/* Dense LU factorisation with partial pivoting, in double precision, for the small (a few
 * hundred unknowns) saddle-point systems of spline fitting: LAPACK's dgetrf/dgetrs, from the
 * OpenBLAS the library already links (declared by lapack.h, from liblapacke-dev), plus the
 * relative-pivot test that tells a numerically singular system from a solvable one. */
#ifndef S2F_IMAGE_LINEAR_SOLVE_H
#define S2F_IMAGE_LINEAR_SOLVE_H

#include <stdbool.h>
#include <stddef.h>

/** Factors the row-major n×n matrix `a` in place (LAPACK sees it column-major, as Aᵀ, and
 *  factors that: Aᵀ = P·L·U; s2fi_lu_solve accounts for the transpose). `pivots` receives n
 *  LAPACK row indices (1-based). Returns false when an entry is not finite, when n exceeds
 *  LAPACK's int, or when a pivot is not larger than `relative_tolerance * max|A|` (numerically
 *  singular); the step of the first such pivot (n for a non-finite entry) is written to
 *  `*singular_step` when it is not NULL. */
bool s2fi_lu_factor(double *a, size_t n, int *pivots, double relative_tolerance,
                    size_t *singular_step);

/** Solves A·X = B for `nrhs` right-hand sides given the factors from s2fi_lu_factor; `b` is
 *  row-major n×nrhs and is overwritten by X. `work` holds n·nrhs doubles (LAPACK's
 *  column-major copy of B). */
void s2fi_lu_solve(const double *lu, size_t n, const int *pivots, double *b, size_t nrhs,
                   double *work);

#endif
