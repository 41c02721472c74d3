/* Real-input FFT in double precision for power-of-two sizes (radix-2, N/2-point complex FFT
 * plus the usual split of even/odd samples). Why double and not KissFFT's float: see stft.c. */
#ifndef S2F_AUDIO_FFT_H
#define S2F_AUDIO_FFT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct s2fi_rfft s2fi_rfft;

static inline bool s2fi_is_power_of_two(long n)
{
    return n > 0 && (n & (n - 1)) == 0;
}

/** Plans an n-point transform, n a power of two >= 4; NULL if not, or out of memory. */
s2fi_rfft *s2fi_rfft_create(int n);
void s2fi_rfft_free(s2fi_rfft *fft);

/** X[k] = Σ_t in[t]·e^{-2πi·k·t/n} for k = 0 … n/2, into re[k], im[k]. `in` holds n values. */
void s2fi_rfft_forward(s2fi_rfft *fft, const double *in, double *re, double *im);

#endif
