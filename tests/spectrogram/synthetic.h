/* Deterministic test signals, bit-identical to tools/reference/spectrogram_ref.py's (int16-quantised so
 * that libm and numpy agreeing to a few ulps is enough), and the checksum that proves it. */
#ifndef S2F_TESTS_SYNTHETIC_H
#define S2F_TESTS_SYNTHETIC_H

#include <stddef.h>
#include <stdint.h>

/** Linear sine sweep f0 → f1 Hz over `seconds` at `rate`, raised-cosine fades of
 *  fade_seconds, quantised to 16 bits (else rounded to float). Returns a malloc'd array of *n
 *  samples. */
float *synthetic_sweep(double rate, double seconds, double f0, double f1, double amplitude,
                       double fade_seconds, int quantized, size_t *n);
/** White noise from a 31-bit LCG, 16-bit values shifted right by `shift` (malloc'd). */
float *synthetic_lcg_noise(size_t n, uint32_t seed, int shift);
/** `amplitude` at offset, offset + period, …; zero elsewhere (malloc'd). */
float *synthetic_impulses(size_t n, size_t period, size_t offset, float amplitude);
/** The two mod-65521 sums of spectrogram_ref.checksum(). */
void synthetic_checksum(const float *x, size_t n, int64_t *first, int64_t *second);

#endif
