#include "audio/stft.h"

#include "core/alloc.h"

#include <kiss_fftr.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The FFT is KissFFT's real transform in float (Debian ships only its float build), as the
 * paper's TensorFlow STFT was float32. What that costs was measured (issue 18, docs/
 * spectrogram.md): power-law compression c = sign(v)·|v|^0.3 is steep near v = 0, so a float
 * FFT's absolute error (~1e-6 of a frame's scale) becomes up to ~1e-2 on the compressed value of
 * a bin whose real or imaginary part lies near zero — but those values are tiny (|c| <= 0.12),
 * and the voice features from a float and a double FFT agree to ~1e-5 relative, below what
 * OpenBLAS's thread count changes. Where precision is cheap it is kept: the window is applied
 * in double and rounded once. */
struct s2fi_stft {
    int window;
    int hop;
    int fft_size;
    int bins;
    double exponent;
    kiss_fftr_cfg fft;
    double *window_coeffs;  /* periodic Hann, window values */
    double *windowed;       /* one frame's windowed samples, before rounding */
    float *frame;           /* windowed samples as the FFT takes them, zero-padded to fft_size */
    kiss_fft_cpx *spectrum; /* bins values */
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
    stft->exponent = exponent;
    stft->fft = kiss_fftr_alloc(fft_size, 0, NULL, NULL);
    stft->window_coeffs = s2fi_aligned_alloc(sizeof(double) * (size_t)window);
    stft->windowed = s2fi_aligned_alloc(sizeof(double) * (size_t)window);
    stft->frame = s2fi_aligned_calloc(sizeof(float) * (size_t)fft_size);
    stft->spectrum = s2fi_aligned_alloc(sizeof(kiss_fft_cpx) * (size_t)stft->bins);
    if (!stft->fft || !stft->window_coeffs || !stft->windowed || !stft->frame ||
        !stft->spectrum) {
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
    kiss_fftr_free(stft->fft);
    s2fi_free(stft->window_coeffs);
    s2fi_free(stft->windowed);
    s2fi_free(stft->frame);
    s2fi_free(stft->spectrum);
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

/* Samples whose FFT could leave the float range (|X| <= window · max|x|) are transformed scaled
 * down by a power of two, which is exact, and scaled back in double: absurd but finite input
 * still gives finite output (spectrogram.c's peak bound guarantees it after compression). */
#define SAFE_PEAK 0x1p100

/* Windows one frame starting at `start` of the tiled signal y[j] = x[j mod x_length], in double,
 * rounded once to the FFT's float; the samples past the window stay zero (set once at
 * creation). Returns the scale the frame was multiplied by (a power of two, 1 for any ordinary
 * signal), or 0 for an all-zero frame. */
static double load_frame(s2fi_stft *stft, const float *x, size_t x_length, size_t start)
{
    const int window = stft->window;
    double *windowed = stft->windowed;
    double peak = 0.0;
    size_t j = start % x_length;
    for (int n = 0; n < window; ++n) {
        windowed[n] = (double)x[j] * stft->window_coeffs[n];
        peak = fmax(peak, fabs(windowed[n]));
        if (++j == x_length) /* the tiled signal wraps round */
            j = 0;
    }
    if (peak == 0.0)
        return 0.0;
    double scale = peak > SAFE_PEAK ? ldexp(1.0, -ilogb(peak)) : 1.0;
    for (int n = 0; n < window; ++n)
        stft->frame[n] = (float)(windowed[n] * scale);
    return scale;
}

/* sign(v)·|v|^p. The FFT's output is float, so powf on it is as exact as pow (within an ulp of
 * the rounded result) at a fraction of the cost: double pow here made the 6 s spectrogram
 * 1.9× slower (bench/compare_builds.py). Values past the float range (absurd input, scaled
 * back in double) take the double path. */
static inline float compress(double v, double exponent_d, float exponent)
{
    double magnitude = fabs(v);
    if (magnitude > FLT_MAX)
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
        double scale = load_frame(stft, x, x_length, t * (size_t)stft->hop);
        if (scale == 0.0) {
            memset(row, 0, sizeof(float) * (size_t)bins * 2); /* silence: exactly zero */
            continue;
        }
        kiss_fftr(stft->fft, stft->frame, stft->spectrum);
        const double unscale = 1.0 / scale;
        const float exponent_f = (float)stft->exponent;
        for (int k = 0; k < bins; ++k) {
            row[2 * k] = compress(stft->spectrum[k].r * unscale, stft->exponent, exponent_f);
            row[2 * k + 1] = compress(stft->spectrum[k].i * unscale, stft->exponent, exponent_f);
        }
    }
}
