/* Short-time Fourier transform of the paper's recipe: periodic Hann window, frames cut without
 * centre padding, each zero-padded to a real FFT (KissFFT, float), power-law compressed per
 * part (in double). */
#ifndef S2F_AUDIO_STFT_H
#define S2F_AUDIO_STFT_H

#include "speech2face.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct s2fi_stft s2fi_stft;

static inline bool s2fi_is_power_of_two(long n)
{
    return n > 0 && (n & (n - 1)) == 0;
}

/** Plans an STFT; NULL when out of memory. Sizes must already be validated (window <=
 *  fft_size, fft_size a power of two >= 4, hop >= 1). */
s2fi_stft *s2fi_stft_create(int window, int hop, int fft_size, double exponent);
void s2fi_stft_free(s2fi_stft *stft);

/** Frames of a signal of `length` samples: 1 + (length - window) / hop; 0 if shorter. */
size_t s2fi_stft_frames(const s2fi_stft *stft, size_t length);
/** fft_size / 2 + 1. */
size_t s2fi_stft_bins(const s2fi_stft *stft);

/** Writes frames(length) × bins × 2 floats to `out`, analysing the signal
 *  y[j] = x[j mod x_length] for j < length: length > x_length tiles x (the paper's repetition
 *  of short clips) without materialising the repeated signal. */
void s2fi_stft_compute(s2fi_stft *stft, const float *x, size_t x_length, size_t length,
                       float *out);

#endif
