#include "synthetic.h"

#include <math.h>
#include <stdlib.h>

static float quantize16(double value)
{
    return (float)(rint(value * 32767.0) / 32768.0);
}

float *synthetic_sweep(double rate, double seconds, double f0, double f1, double amplitude,
                       double fade_seconds, int quantized, size_t *n)
{
    size_t count = (size_t)llround(seconds * rate);
    double *values = malloc(sizeof(double) * count);
    float *out = malloc(sizeof(float) * count);
    if (!values || !out) {
        free(values);
        free(out);
        return NULL;
    }
    const double pi = 3.141592653589793;
    double k = (f1 - f0) / (2.0 * seconds);
    for (size_t i = 0; i < count; ++i) {
        double t = (double)i / rate;
        values[i] = amplitude * sin(2.0 * pi * (f0 * t + k * t * t));
    }
    /* Fades are functions of time, as in spectrogram_ref.sweep(). */
    for (size_t i = 0; fade_seconds > 0 && i < count; ++i) {
        double t = (double)i / rate;
        if (t < fade_seconds)
            values[i] *= 0.5 - 0.5 * cos(pi * t / fade_seconds);
        if (seconds - t < fade_seconds)
            values[i] *= 0.5 - 0.5 * cos(pi * (seconds - t) / fade_seconds);
    }
    for (size_t i = 0; i < count; ++i)
        out[i] = quantized ? quantize16(values[i]) : (float)values[i];
    free(values);
    *n = count;
    return out;
}

float *synthetic_lcg_noise(size_t n, uint32_t seed, int shift)
{
    float *out = malloc(sizeof(float) * n);
    if (!out)
        return NULL;
    uint64_t state = seed & 0x7FFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        state = (state * 1103515245u + 12345u) & 0x7FFFFFFFu;
        int32_t value = (int32_t)((state >> 8) & 0xFFFF) - 32768;
        out[i] = (float)(value >> shift) / 32768.0f;
    }
    return out;
}

float *synthetic_impulses(size_t n, size_t period, size_t offset, float amplitude)
{
    float *out = calloc(n, sizeof(float));
    if (!out)
        return NULL;
    for (size_t i = offset; i < n; i += period)
        out[i] = amplitude;
    return out;
}

void synthetic_checksum(const float *x, size_t n, int64_t *first, int64_t *second)
{
    const int64_t mod = 65521;
    int64_t a = 0, b = 0;
    for (size_t i = 0; i < n; ++i) {
        int64_t v = (int64_t)rint((double)x[i] * 32768.0);
        int64_t r = ((v % mod) + mod) % mod;
        a = (a + r) % mod;
        b = (b + r * ((int64_t)(i % (size_t)mod) + 1) % mod) % mod;
    }
    *first = a;
    *second = b;
}
