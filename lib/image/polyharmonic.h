/* The polyharmonic radial basis functions, written as functions of the SQUARED distance
 * d2 = r², which is what the evaluation loops have at hand (no square root for k = 2):
 *   k = 1: φ(r) = r          = sqrt(d2)
 *   k = 2: φ(r) = r² log r   = 0.5 · d2 · log(d2)   (thin-plate spline)
 *   k = 3: φ(r) = r³         = d2 · sqrt(d2)
 * with φ(0) = 0 for every order (the limit of r² log r at 0). They are branch-free and inline so
 * that the per-pixel loops vectorise. */
#ifndef S2F_IMAGE_POLYHARMONIC_H
#define S2F_IMAGE_POLYHARMONIC_H

#include <float.h>
#include <math.h>
#include <stdint.h>

/** Natural logarithm of a positive normal double, accurate to about 1e-14 relative, with only
 *  integer add/and/shift and floating-point arithmetic so that the compiler can vectorise loops
 *  that call it (libm's log cannot be vectorised without -ffast-math). v = 2^e · m with
 *  m in [sqrt(1/2), sqrt(2)); log m = 2·atanh(s), s = (m-1)/(m+1), |s| <= 0.1716, summed as the
 *  odd series up to s^15 (truncation error < 2e-14). */
/* Bit casts through a union, which GCC vectorises where it gives up on memcpy. */
static inline uint64_t s2fi_double_bits(double v)
{
    union { double d; uint64_t u; } cast = {.d = v};
    return cast.u;
}

static inline double s2fi_double_from_bits(uint64_t u)
{
    union { double d; uint64_t u; } cast = {.u = u};
    return cast.d;
}

static inline double s2fi_log_positive(double v)
{
    /* Offsetting the bit pattern by (1 - sqrt(1/2)) in exponent units makes the biased exponent
     * field of `shifted` the exponent e + 1023 of the reduced form for every positive normal v,
     * and keeps it non-negative so a logical shift suffices. */
    const uint64_t offset = 0x3ff0000000000000ull - 0x3fe6a09e667f3bcdull;
    uint64_t bits = s2fi_double_bits(v);
    uint64_t shifted = bits + offset;
    uint64_t biased_exponent = shifted >> 52;
    double m = s2fi_double_from_bits(bits - (shifted & 0xfff0000000000000ull) +
                                     0x3ff0000000000000ull);
    /* 2^52 + biased_exponent, read back as a double, converts the integer without a cvtsi2sd
     * that SSE2 lacks for 64-bit lanes. */
    double e = s2fi_double_from_bits(0x4330000000000000ull | biased_exponent) -
               (4503599627370496.0 + 1023.0);

    double s = (m - 1.0) / (m + 1.0);
    double z = s * s;
    double series = 1.0 / 15.0;
    series = series * z + 1.0 / 13.0;
    series = series * z + 1.0 / 11.0;
    series = series * z + 1.0 / 9.0;
    series = series * z + 1.0 / 7.0;
    series = series * z + 1.0 / 5.0;
    series = series * z + 1.0 / 3.0;
    series = series * z + 1.0;
    return e * 0.693147180559945309417232121458176568 + 2.0 * s * series;
}

/** r² log r from d2 = r². Adding DBL_MIN keeps the logarithm's argument a positive normal
 *  number without a branch (which would stop vectorisation); it changes no d2 above 1e-292, and
 *  d2 = 0 gives exactly 0·log(DBL_MIN) = 0 instead of 0·(−inf). */
static inline double s2fi_phi2_of_squared(double d2)
{
    return 0.5 * d2 * s2fi_log_positive(d2 + DBL_MIN);
}

static inline double s2fi_phi1_of_squared(double d2)
{
    return sqrt(d2);
}

static inline double s2fi_phi3_of_squared(double d2)
{
    return d2 * sqrt(d2);
}

/** φ of order 1, 2 or 3 from a squared distance; the loops dispatch on order outside. */
static inline double s2fi_phi_of_squared(int order, double d2)
{
    switch (order) {
    case 1:
        return s2fi_phi1_of_squared(d2);
    case 2:
        return s2fi_phi2_of_squared(d2);
    default:
        return s2fi_phi3_of_squared(d2);
    }
}

#endif
