/* Sample-rate conversion to the analysis rate with libsoxr (high quality, linear phase). */
#ifndef S2F_AUDIO_RESAMPLE_H
#define S2F_AUDIO_RESAMPLE_H

#include "core/error.h"

#include <stddef.h>

typedef struct s2fi_resampler s2fi_resampler;

/** A resampler from `input_rate` to `output_rate` (Hz); fails with a message in `slot`. */
s2f_status s2fi_resampler_create(double input_rate, double output_rate, s2fi_resampler **out,
                                 s2fi_error_slot *slot);
void s2fi_resampler_free(s2fi_resampler *resampler);

/** Length of `n_in` samples after conversion: round(n_in · output_rate / input_rate). */
size_t s2fi_resampled_length(size_t n_in, double input_rate, double output_rate);

/** Converts `in[0 .. n_in)` as one whole signal (fresh filter state, flushed at its end) and
 *  writes its first `n_wanted` output samples to `out`, stopping early once they are written:
 *  the result does not depend on how much input follows. Output the resampler does not produce
 *  (at most a sample or two at the very end) is zero. */
s2f_status s2fi_resample(s2fi_resampler *resampler, const float *in, size_t n_in, float *out,
                         size_t n_wanted, s2fi_error_slot *slot);

/** Input samples s2fi_resample_piece takes per call at most (so its output per call is bounded:
 *  about S2FI_RESAMPLE_CHUNK · output_rate / input_rate, plus the filter's backlog). */
#define S2FI_RESAMPLE_CHUNK 16384

/** Streaming use, one piece at a time. s2fi_resampler_restart starts a new signal (fresh
 *  filter state); each s2fi_resample_piece call then offers `in[0 .. n_in)`, the next samples of
 *  that signal (in == NULL: the signal has ended, drain the filter), and writes at most
 *  `out_capacity` output samples: *consumed input samples were taken (call again with the
 *  rest), *produced were written. The concatenated output equals s2fi_resample's on the whole
 *  signal, however it is cut into pieces. Output is checked finite. */
s2f_status s2fi_resampler_restart(s2fi_resampler *resampler, s2fi_error_slot *slot);
s2f_status s2fi_resample_piece(s2fi_resampler *resampler, const float *in, size_t n_in,
                               float *out, size_t out_capacity, size_t *consumed,
                               size_t *produced, s2fi_error_slot *slot);

#endif
