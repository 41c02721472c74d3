/* Compares the library's spectrogram of one input with a golden case written by
 * tools/goldens/gen_spectrogram_goldens.py (see its docstring for the file layout). */
#ifndef S2F_TESTS_GOLDEN_COMPARE_H
#define S2F_TESTS_GOLDEN_COMPARE_H

#include <speech2face.h>

#include <stddef.h>

/* The library's FFT is float (KissFFT) and the reference's float64, and the power law is steep
 * near 0: values are held to TOLERANCE_LARGE where the reference's magnitude is at least
 * LARGE_VALUE (measured worst 1.9e-4, resampled input included) and to TOLERANCE_ANY elsewhere
 * (measured worst 2.3e-2 on 25 real clips, always at |value| < 0.12: issue 18 proposed 2e-2 from
 * a numpy float32 FFT, KissFFT's rounding is slightly larger). The voice features those
 * differences make agree to 1e-5 of their largest component (tests/spectrogram/
 * live_oracle.py); per-frame and per-bin means average them out (measured 1.2e-4). */
#define LARGE_VALUE 0.12
#define TOLERANCE_LARGE 5e-4
#define TOLERANCE_ANY 3e-2
#define TOLERANCE_STAT 3e-4

typedef struct golden_errors {
    double max_abs;        /* compressed values: full array or slices */
    double max_abs_large;  /* the same, where |reference| >= LARGE_VALUE */
    double max_stat;       /* summary statistics (slice cases) */
    double linear_rel;     /* max |lin_c - lin_ref| / max |lin_ref| over the compared values */
    size_t frames, bins;
} golden_errors;

/** Runs `pcm` through a handle made from `params` and measures errors against
 *  `data_dir/<name>_*.npy`; first checks the input's checksum and length against the meta file.
 *  Fails the current cmocka test on any mismatch of shape or checksum. */
/** Whether `errors` are within the tolerances above (fails the cmocka test if not). */
void golden_assert_within_tolerance(const golden_errors *errors);

void golden_compare(const char *data_dir, const char *name, const float *pcm, size_t n,
                    const s2f_spectrogram_params *params, golden_errors *errors);

#endif
