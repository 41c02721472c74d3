/* Compares the library's spectrogram of one input with a golden case written by
 * tools/gen_spectrogram_goldens.py (see its docstring for the file layout). */
#ifndef S2F_TESTS_GOLDEN_COMPARE_H
#define S2F_TESTS_GOLDEN_COMPARE_H

#include <speech2face.h>

#include <stddef.h>

typedef struct golden_errors {
    double max_abs;        /* compressed values: full array or slices */
    double max_stat;       /* summary statistics (slice cases) */
    double linear_rel;     /* max |lin_c - lin_ref| / max |lin_ref| over the compared values */
    size_t frames, bins;
} golden_errors;

/** Runs `pcm` through a handle made from `params` and measures errors against
 *  `data_dir/<name>_*.npy`; first checks the input's checksum and length against the meta file.
 *  Fails the current cmocka test on any mismatch of shape or checksum. */
void golden_compare(const char *data_dir, const char *name, const float *pcm, size_t n,
                    const s2f_spectrogram_params *params, golden_errors *errors);

#endif
