#include "audio/stft.h"

#include "audio/fft.h"
#include "core/alloc.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Why the FFT runs in double precision. Power-law compression c = sign(v)·|v|^p (p = 0.3) has
 * slope p·|v|^(p-1), unbounded near v = 0: a float32 FFT's absolute error (~1e-6 on a speech
 * frame) becomes up to ~1e-2 on the compressed value of any bin whose real or imaginary part
 * lies near zero. Measured on an AVSpeech clip with a float FFT: 70 of 307k compressed values off
 * by more than 1e-4, the worst by 1e-2. Debian's KissFFT comes only as float, and recomputing
 * the possibly ill-conditioned bins exactly (a direct double DFT for every bin whose float
 * error bound could matter: 66 % of them) took 43 ms per 6 s clip against 2.3 ms for this whole
 * transform. So the frames are transformed in double (error ~1e-16·‖frame‖), and only the final
 * compressed value, whose error is now relative (p·2^-24), is rounded to float. */

struct s2fi_stft {
    int window;
    int hop;
    int fft_size;
    int bins;
    float exponent;
    double exponent_d;
    s2fi_rfft *fft;
    double *window_coeffs; /* periodic Hann, window values */
    double *frame;         /* windowed samples, zero-padded to fft_size */
    double *re, *im;       /* bins values each */
};

s2fi_stft *s2fi_stft_create(int window, int hop, int fft_size, double exponent)
{
    s2fi_stft *stft = calloc(1, sizeof *stft);
    if (!stft)
        return NULL;
    stft->window = window;
    stft->hop = hop;
    stft->fft_size = fft_size;
    stft->bins = fft_size / 2 + 1;
    stft->exponent = (float)exponent;
    stft->exponent_d = exponent;
    stft->fft = s2fi_rfft_create(fft_size);
    stft->window_coeffs = s2fi_aligned_alloc(sizeof(double) * (size_t)window);
    stft->frame = s2fi_aligned_calloc(sizeof(double) * (size_t)fft_size);
    stft->re = s2fi_aligned_alloc(sizeof(double) * (size_t)stft->bins);
    stft->im = s2fi_aligned_alloc(sizeof(double) * (size_t)stft->bins);
    if (!stft->fft || !stft->window_coeffs || !stft->frame || !stft->re || !stft->im) {
        s2fi_stft_free(stft);
        return NULL;
    }
    /* Periodic ("DFT-even") Hann as tf.signal.hann_window(periodic=True): the period is the
     * window length, not window - 1. */
    const double two_pi = 6.283185307179586476925286766559;
    for (int n = 0; n < window; ++n)
        stft->window_coeffs[n] = 0.5 - 0.5 * cos(two_pi * n / window);
    return stft;
}

void s2fi_stft_free(s2fi_stft *stft)
{
    if (!stft)
        return;
    s2fi_rfft_free(stft->fft);
    s2fi_free(stft->window_coeffs);
    s2fi_free(stft->frame);
    s2fi_free(stft->re);
    s2fi_free(stft->im);
    free(stft);
}

size_t s2fi_stft_frames(const s2fi_stft *stft, size_t length)
{
    if (length < (size_t)stft->window)
        return 0;
    return 1 + (length - (size_t)stft->window) / (size_t)stft->hop;
}

size_t s2fi_stft_bins(const s2fi_stft *stft)
{
    return (size_t)stft->bins;
}

/* Windows one frame starting at `start` of the tiled signal y[j] = x[j mod x_length]; the
 * samples past the window stay zero (set once at creation). Returns whether any is non-zero. */
static int load_frame(s2fi_stft *stft, const float *x, size_t x_length, size_t start)
{
    const int window = stft->window;
    int any = 0;
    size_t j = start % x_length;
    if (j + (size_t)window <= x_length) { /* the common case: no wrap-around */
        for (int n = 0; n < window; ++n) {
            stft->frame[n] = (double)x[j + (size_t)n] * stft->window_coeffs[n];
            any |= x[j + (size_t)n] != 0.0f;
        }
        return any;
    }
    for (int n = 0; n < window; ++n) {
        stft->frame[n] = (double)x[j] * stft->window_coeffs[n];
        any |= x[j] != 0.0f;
        if (++j == x_length)
            j = 0;
    }
    return any;
}

static inline float compress(double v, double exponent_d, float exponent)
{
    double magnitude = fabs(v);
    if (magnitude > FLT_MAX) /* only from absurd but finite input: stay finite */
        return (float)copysign(pow(magnitude, exponent_d), v);
    return copysignf(powf((float)magnitude, exponent), (float)v);
}

void s2fi_stft_compute(s2fi_stft *stft, const float *x, size_t x_length, size_t length,
                       float *out)
{
    const size_t frames = s2fi_stft_frames(stft, length);
    const int bins = stft->bins;
    for (size_t t = 0; t < frames; ++t) {
        float *row = out + t * (size_t)bins * 2;
        if (!load_frame(stft, x, x_length, t * (size_t)stft->hop)) {
            memset(row, 0, sizeof(float) * (size_t)bins * 2); /* silence: exactly zero */
            continue;
        }
        s2fi_rfft_forward(stft->fft, stft->frame, stft->re, stft->im);
        for (int k = 0; k < bins; ++k) {
            row[2 * k] = compress(stft->re[k], stft->exponent_d, stft->exponent);
            row[2 * k + 1] = compress(stft->im[k], stft->exponent_d, stft->exponent);
        }
    }
}
