/* The s2f_spectrogram handle's insides, shared by the one-shot calls (spectrogram.c) and the
 * streaming handle (spectrogram_stream.c), which owns a private s2f_spectrogram for its
 * validated parameters, STFT plan and resampler. */
#ifndef S2F_AUDIO_SPECTROGRAM_INTERNAL_H
#define S2F_AUDIO_SPECTROGRAM_INTERNAL_H

#include "audio/resample.h"
#include "audio/stft.h"
#include "core/error.h"

#include <stddef.h>

struct s2f_spectrogram {
    s2fi_error_slot error;
    s2f_spectrogram_params params;
    size_t clip_length;    /* samples at analysis_rate; 0 = whole signal */
    size_t segment_hop;    /* samples at analysis_rate (only with clip_length > 0) */
    s2fi_stft *stft;
    s2fi_resampler *resampler; /* NULL when sample_rate == analysis_rate */
    float *signal;             /* resampled input */
    size_t signal_capacity;
};

/** Length of `n_samples` input samples once at the analysis rate. */
size_t s2fi_spectrogram_analysis_length(const s2f_spectrogram *spectrogram, size_t n_samples);

/** Clips cut from `length` samples at the analysis rate (clip_length > 0): 1 if length <= the
 *  clip, else 1 + (length - clip) / segment_hop. */
size_t s2fi_spectrogram_segments_of(const s2f_spectrogram *spectrogram, size_t length);

/** Refuses non-finite samples and peaks whose compressed spectrum could leave the float range
 *  (message in `slot`). */
s2f_status s2fi_spectrogram_check_finite(const s2f_spectrogram *spectrogram, const float *pcm,
                                         size_t n_samples, s2fi_error_slot *slot);

#endif
