#include "audio/fft.h"

#include "core/alloc.h"

#include <math.h>
#include <stdlib.h>

struct s2fi_rfft {
    int n;        /* real length */
    int half;     /* complex length n/2 */
    int *reverse; /* bit-reversal permutation of 0 … half-1 */
    double *tw_re, *tw_im;     /* e^{-2πi·j/half}, j <= half/2: butterflies */
    double *post_re, *post_im; /* e^{-2πi·k/n}, k <= half/2: even/odd split */
    double *z_re, *z_im;       /* workspace, half values each */
};

void s2fi_rfft_free(s2fi_rfft *fft)
{
    if (!fft)
        return;
    free(fft->reverse);
    s2fi_free(fft->tw_re);
    s2fi_free(fft->tw_im);
    s2fi_free(fft->post_re);
    s2fi_free(fft->post_im);
    s2fi_free(fft->z_re);
    s2fi_free(fft->z_im);
    free(fft);
}

/* cos and sin of 2π·num/den with the exact values where the angle is a multiple of π/2, so that
 * e.g. the Nyquist bin's imaginary part comes out exactly 0 as in any real FFT. */
static void unit_circle(long num, long den, double *c, double *s)
{
    if ((4 * num) % den == 0) {
        static const double cosines[4] = {1, 0, -1, 0}, sines[4] = {0, 1, 0, -1};
        long quarter = ((4 * num) / den) % 4;
        *c = cosines[quarter];
        *s = sines[quarter];
        return;
    }
    const double angle = 6.283185307179586476925286766559 * (double)num / (double)den;
    *c = cos(angle);
    *s = sin(angle);
}

s2fi_rfft *s2fi_rfft_create(int n)
{
    if (n < 4 || !s2fi_is_power_of_two(n))
        return NULL;
    s2fi_rfft *fft = calloc(1, sizeof *fft);
    if (!fft)
        return NULL;
    fft->n = n;
    fft->half = n / 2;
    const size_t half = (size_t)fft->half;
    fft->reverse = malloc(sizeof(int) * half);
    fft->tw_re = s2fi_aligned_alloc(sizeof(double) * (half / 2 + 1));
    fft->tw_im = s2fi_aligned_alloc(sizeof(double) * (half / 2 + 1));
    fft->post_re = s2fi_aligned_alloc(sizeof(double) * (half / 2 + 1));
    fft->post_im = s2fi_aligned_alloc(sizeof(double) * (half / 2 + 1));
    fft->z_re = s2fi_aligned_alloc(sizeof(double) * half);
    fft->z_im = s2fi_aligned_alloc(sizeof(double) * half);
    if (!fft->reverse || !fft->tw_re || !fft->tw_im || !fft->post_re || !fft->post_im ||
        !fft->z_re || !fft->z_im) {
        s2fi_rfft_free(fft);
        return NULL;
    }
    int bits = 0;
    while ((1 << bits) < fft->half)
        ++bits;
    for (int i = 0; i < fft->half; ++i) {
        int r = 0;
        for (int b = 0; b < bits; ++b)
            r |= ((i >> b) & 1) << (bits - 1 - b);
        fft->reverse[i] = r;
    }
    for (size_t j = 0; j <= half / 2; ++j) {
        double c, s;
        unit_circle((long)j, (long)half, &c, &s);
        fft->tw_re[j] = c;
        fft->tw_im[j] = -s;
        unit_circle((long)j, (long)n, &c, &s);
        fft->post_re[j] = c;
        fft->post_im[j] = -s;
    }
    return fft;
}

void s2fi_rfft_forward(s2fi_rfft *fft, const double *in, double *re, double *im)
{
    const int half = fft->half;
    double *zr = fft->z_re, *zi = fft->z_im;
    /* z[t] = in[2t] + i·in[2t+1], stored in bit-reversed order for the in-place butterflies. */
    for (int t = 0; t < half; ++t) {
        zr[fft->reverse[t]] = in[2 * t];
        zi[fft->reverse[t]] = in[2 * t + 1];
    }
    for (int size = 2; size <= half; size *= 2) {
        const int step = half / size; /* twiddle stride: e^{-2πi·j/size} = tw[j·step] */
        const int span = size / 2;
        for (int start = 0; start < half; start += size) {
            for (int j = 0; j < span; ++j) {
                const double wr = fft->tw_re[j * step], wi = fft->tw_im[j * step];
                const int a = start + j, b = a + span;
                double br = zr[b] * wr - zi[b] * wi;
                double bi = zr[b] * wi + zi[b] * wr;
                zr[b] = zr[a] - br;
                zi[b] = zi[a] - bi;
                zr[a] += br;
                zi[a] += bi;
            }
        }
    }
    /* Split: E[k] = (Z[k] + conj Z[h-k]) / 2 (even samples), O[k] = (Z[k] - conj Z[h-k]) / 2i
     * (odd samples), X[k] = E[k] + e^{-2πi·k/n}·O[k], X[h-k] = conj(E[k] - e^{-2πi·k/n}·O[k]). */
    re[0] = zr[0] + zi[0];
    im[0] = 0.0;
    re[half] = zr[0] - zi[0];
    im[half] = 0.0;
    for (int k = 1; k <= half / 2; ++k) {
        const int m = half - k;
        double er = 0.5 * (zr[k] + zr[m]), ei = 0.5 * (zi[k] - zi[m]);
        double or_ = 0.5 * (zi[k] + zi[m]), oi = -0.5 * (zr[k] - zr[m]);
        double wr = fft->post_re[k], wi = fft->post_im[k];
        double tr = wr * or_ - wi * oi, ti = wr * oi + wi * or_;
        re[k] = er + tr;
        im[k] = ei + ti;
        re[m] = er - tr;
        im[m] = -(ei - ti);
    }
}
