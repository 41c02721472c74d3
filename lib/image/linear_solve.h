/* Dense LU factorisation with partial pivoting, in double precision, for the small (a few
 * hundred unknowns) saddle-point systems of spline fitting. Written here because the only BLAS
 * available is OpenBLAS's cblas, which has no LAPACK driver exposed through a header. */
#ifndef S2F_IMAGE_LINEAR_SOLVE_H
#define S2F_IMAGE_LINEAR_SOLVE_H

#include <stdbool.h>
#include <stddef.h>

/** Factors the row-major n×n matrix `a` in place into P·A = L·U (unit lower L below the
 *  diagonal, U on and above it); `pivots[k]` is the row swapped with row k at step k.
 *  Returns false, leaving `a` partly factored, when a pivot is not larger than
 *  `relative_tolerance * max|A|` (numerically singular) or an entry is not finite. The column of the offending step (n for a
 *  non-finite entry) is written to `*singular_step` when it is not NULL. */
bool s2fi_lu_factor(double *a, size_t n, size_t *pivots, double relative_tolerance,
                    size_t *singular_step);

/** Solves A·X = B for `nrhs` right-hand sides given the factors from s2fi_lu_factor; `b` is
 *  row-major n×nrhs and is overwritten by X. */
void s2fi_lu_solve(const double *lu, size_t n, const size_t *pivots, double *b, size_t nrhs);

#endif
