/* The public s2f_spectrogram handle: parameter validation, resampling to the analysis rate,
 * the paper's first-6-s/tiling rule, long-audio segments, and the STFT. */
#include "audio/resample.h"
#include "audio/spectrogram_internal.h"
#include "audio/stft.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(s2f_spectrogram_params) ==
                   offsetof(s2f_spectrogram_params, analysis_rate) + sizeof(int32_t),
               "s2f_spectrogram_params must have no tail padding (see the header's rule)");

#define MIN_RATE 8000.0
#define MAX_RATE 192000.0
#define MAX_SECONDS 3600.0
#define MIN_WINDOW 16
#define MAX_FFT 65536
#define MAX_HOP 1048576

static const s2f_spectrogram_params spectrogram_defaults = {
    .size = sizeof(s2f_spectrogram_params),
    .sample_rate = 16000.0,
    .clip_seconds = 6.0,
    .segment_hop_seconds = 3.0,
    .exponent = 0.3,
    .window = 400,
    .hop = 160,
    .fft_size = 512,
    .analysis_rate = 16000,
};

S2F_API s2f_status s2f_spectrogram_default_params_sized(s2f_spectrogram_params *params, size_t size)
{
    return s2fi_params_defaults(params, size, &spectrogram_defaults, sizeof spectrogram_defaults,
                                "s2f_spectrogram_params");
}

static bool rate_ok(double rate)
{
    return isfinite(rate) && rate >= MIN_RATE && rate <= MAX_RATE;
}

/* Checks every field; on success fills the derived lengths. Messages name the field. */
static s2f_status validate(const s2f_spectrogram_params *p, size_t *clip_length,
                           size_t *segment_hop)
{
    if (!rate_ok(p->sample_rate))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram sample_rate is %g Hz, expected %g..%g", p->sample_rate,
                         MIN_RATE, MAX_RATE);
    if (!rate_ok((double)p->analysis_rate))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram analysis_rate is %d Hz, expected %g..%g",
                         (int)p->analysis_rate, MIN_RATE, MAX_RATE);
    if (p->fft_size < MIN_WINDOW || p->fft_size > MAX_FFT || !s2fi_is_power_of_two(p->fft_size))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram fft_size is %d, expected a power of two in %d..%d",
                         (int)p->fft_size, MIN_WINDOW, MAX_FFT);
    if (p->window < MIN_WINDOW || p->window > p->fft_size)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram window is %d, expected %d..fft_size (%d)", (int)p->window,
                         MIN_WINDOW, (int)p->fft_size);
    if (p->hop < 1 || p->hop > MAX_HOP)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram hop is %d, expected 1..%d", (int)p->hop, MAX_HOP);
    if (!isfinite(p->exponent) || p->exponent <= 0.0 || p->exponent > 1.0)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram exponent is %g, expected 0 < exponent <= 1", p->exponent);
    if (!isfinite(p->clip_seconds) || p->clip_seconds > MAX_SECONDS)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram clip_seconds is %g, expected <= %g (or <= 0 for the whole "
                         "signal)",
                         p->clip_seconds, MAX_SECONDS);
    if (!isfinite(p->segment_hop_seconds) || p->segment_hop_seconds <= 0.0 ||
        p->segment_hop_seconds > MAX_SECONDS)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram segment_hop_seconds is %g, expected 0 < hop <= %g",
                         p->segment_hop_seconds, MAX_SECONDS);
    *clip_length = 0;
    *segment_hop = (size_t)llround(p->segment_hop_seconds * p->analysis_rate);
    if (*segment_hop < 1)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "spectrogram segment_hop_seconds %g is under one sample at %d Hz",
                         p->segment_hop_seconds, (int)p->analysis_rate);
    if (p->clip_seconds > 0.0) {
        *clip_length = (size_t)llround(p->clip_seconds * p->analysis_rate);
        if (*clip_length < (size_t)p->window)
            return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                             "spectrogram clip_seconds %g gives %zu samples at %d Hz, fewer "
                             "than one window (%d)",
                             p->clip_seconds, *clip_length, (int)p->analysis_rate,
                             (int)p->window);
    }
    return S2F_OK;
}

S2F_API s2f_status s2f_spectrogram_create(const s2f_spectrogram_params *params,
                                          s2f_spectrogram **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_spectrogram_create: out is NULL");
    *out = NULL;
    s2f_spectrogram_params merged = spectrogram_defaults;
    s2f_status status =
        s2fi_params_merge(&merged, sizeof merged, params, "s2f_spectrogram_params", NULL);
    if (status != S2F_OK)
        return status;
    size_t clip_length = 0, segment_hop = 0;
    status = validate(&merged, &clip_length, &segment_hop);
    if (status != S2F_OK)
        return status;

    s2f_spectrogram *spectrogram = calloc(1, sizeof *spectrogram);
    if (!spectrogram)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a spectrogram handle");
    spectrogram->params = merged;
    spectrogram->clip_length = clip_length;
    spectrogram->segment_hop = segment_hop;
    spectrogram->stft =
        s2fi_stft_create(merged.window, merged.hop, merged.fft_size, merged.exponent);
    if (!spectrogram->stft) {
        s2f_spectrogram_free(spectrogram);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a %d-point FFT plan",
                         (int)merged.fft_size);
    }
    if (merged.sample_rate != (double)merged.analysis_rate) {
        status = s2fi_resampler_create(merged.sample_rate, merged.analysis_rate,
                                       &spectrogram->resampler, NULL);
        if (status != S2F_OK) {
            s2f_spectrogram_free(spectrogram);
            return status;
        }
    }
    *out = spectrogram;
    return S2F_OK;
}

S2F_API void s2f_spectrogram_free(s2f_spectrogram *spectrogram)
{
    if (!spectrogram)
        return;
    s2fi_stft_free(spectrogram->stft);
    s2fi_resampler_free(spectrogram->resampler);
    s2fi_free(spectrogram->signal);
    free(spectrogram);
}

S2F_API const char *s2f_spectrogram_last_error(const s2f_spectrogram *spectrogram)
{
    return spectrogram ? s2fi_error_slot_message(&spectrogram->error) : "";
}

S2F_API s2f_status s2f_spectrogram_get_params(const s2f_spectrogram *spectrogram,
                                              s2f_spectrogram_params *out)
{
    if (!spectrogram || !out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_spectrogram_get_params: %s is NULL",
                         !spectrogram ? "spectrogram" : "out");
    *out = spectrogram->params;
    return S2F_OK;
}

size_t s2fi_spectrogram_analysis_length(const s2f_spectrogram *spectrogram, size_t n_samples)
{
    if (!spectrogram->resampler)
        return n_samples;
    return s2fi_resampled_length(n_samples, spectrogram->params.sample_rate,
                                 (double)spectrogram->params.analysis_rate);
}

/* The slot is mutable even through the const query functions: recording an error is not part
 * of the handle's observable state that those functions promise not to change. */
static s2fi_error_slot *slot_of(const s2f_spectrogram *spectrogram)
{
    return (s2fi_error_slot *)&spectrogram->error;
}

/* Checks that the input yields at least one sample at the analysis rate (and, for the
 * whole-signal mode, at least one frame); returns that length in *length. */
static s2f_status input_length(const s2f_spectrogram *spectrogram, size_t n_samples,
                               size_t *length, const char *caller)
{
    if (n_samples == 0)
        return s2fi_fail(slot_of(spectrogram), S2F_ERR_INVALID_ARGUMENT, "%s: n_samples is 0",
                         caller);
    *length = s2fi_spectrogram_analysis_length(spectrogram, n_samples);
    if (*length == 0)
        return s2fi_fail(slot_of(spectrogram), S2F_ERR_INVALID_ARGUMENT,
                         "%s: %zu samples at %g Hz are less than one sample at %d Hz", caller,
                         n_samples, spectrogram->params.sample_rate,
                         (int)spectrogram->params.analysis_rate);
    if (spectrogram->clip_length == 0 && *length < (size_t)spectrogram->params.window)
        return s2fi_fail(slot_of(spectrogram), S2F_ERR_INVALID_ARGUMENT,
                         "%s: %zu samples at %d Hz are fewer than one window (%d) and "
                         "clip_seconds <= 0 disables tiling",
                         caller, *length, (int)spectrogram->params.analysis_rate,
                         (int)spectrogram->params.window);
    return S2F_OK;
}

S2F_API s2f_status s2f_spectrogram_shape(const s2f_spectrogram *spectrogram, size_t n_samples,
                                         size_t *frames, size_t *bins)
{
    if (!spectrogram)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_shape: spectrogram is NULL");
    size_t length = 0;
    s2f_status status = input_length(spectrogram, n_samples, &length, "s2f_spectrogram_shape");
    if (status != S2F_OK)
        return status;
    size_t analysed = spectrogram->clip_length ? spectrogram->clip_length : length;
    if (frames)
        *frames = s2fi_stft_frames(spectrogram->stft, analysed);
    if (bins)
        *bins = s2fi_stft_bins(spectrogram->stft);
    return S2F_OK;
}

/* Refuses samples that are not finite, and amplitudes so large that a compressed value could
 * leave the float range: |STFT value| <= window * max|x| (the resampler does not amplify
 * beyond its tiny ripple), so (window * max|x|)^exponent <= FLT_MAX / 2 guarantees finite
 * output. Checked before anything is written, as every failing call leaves `out` untouched. */
s2f_status s2fi_spectrogram_check_finite(const s2f_spectrogram *spectrogram, const float *pcm,
                                         size_t n_samples, s2fi_error_slot *slot)
{
    double peak = 0.0;
    for (size_t i = 0; i < n_samples; ++i) {
        if (!isfinite(pcm[i]))
            return s2fi_fail(slot, S2F_ERR_NON_FINITE,
                             "pcm[%zu] is %s: samples must be finite", i,
                             isnan(pcm[i]) ? "NaN" : "infinite");
        if (fabs(pcm[i]) > peak)
            peak = fabs(pcm[i]);
    }
    double bound = pow(peak * spectrogram->params.window, spectrogram->params.exponent);
    if (!(bound <= FLT_MAX / 2))
        return s2fi_fail(slot, S2F_ERR_NON_FINITE,
                         "peak amplitude %g is too large: with exponent %g the spectrogram could "
                         "exceed the float range",
                         peak, spectrogram->params.exponent);
    return S2F_OK;
}

/* Puts the first `wanted` samples of the input at the analysis rate in *signal: the caller's
 * buffer itself when no resampling is needed, else the handle's workspace. */
static s2f_status analysis_signal(s2f_spectrogram *spectrogram, const float *pcm,
                                  size_t n_samples, size_t wanted, const float **signal)
{
    if (!spectrogram->resampler) {
        *signal = pcm;
        return S2F_OK;
    }
    if (wanted > spectrogram->signal_capacity) {
        size_t bytes;
        if (!s2fi_mul_size(wanted, sizeof(float), &bytes))
            return s2fi_fail(&spectrogram->error, S2F_ERR_OUT_OF_MEMORY,
                             "%zu resampled samples overflow the address space", wanted);
        float *grown = s2fi_aligned_alloc(bytes);
        if (!grown)
            return s2fi_fail(&spectrogram->error, S2F_ERR_OUT_OF_MEMORY,
                             "cannot allocate %zu bytes for the resampled signal", bytes);
        s2fi_free(spectrogram->signal);
        spectrogram->signal = grown;
        spectrogram->signal_capacity = wanted;
    }
    *signal = spectrogram->signal;
    return s2fi_resample(spectrogram->resampler, pcm, n_samples, spectrogram->signal, wanted,
                         &spectrogram->error);
}

/* frames × bins × 2 × count floats, overflow-checked. */
static s2f_status required_floats(s2f_spectrogram *spectrogram, size_t frames, size_t count,
                                  size_t *floats)
{
    size_t per_frame = s2fi_stft_bins(spectrogram->stft) * 2, per_clip;
    if (!s2fi_mul_size(frames, per_frame, &per_clip) || !s2fi_mul_size(per_clip, count, floats))
        return s2fi_fail(&spectrogram->error, S2F_ERR_INVALID_ARGUMENT,
                         "%zu spectrograms of %zu frames overflow size_t", count, frames);
    return S2F_OK;
}

S2F_API s2f_status s2f_spectrogram_compute(s2f_spectrogram *spectrogram, const float *pcm,
                                           size_t n_samples, float *out,
                                           size_t out_capacity_floats, size_t *frames_out)
{
    if (!spectrogram)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_compute: spectrogram is NULL");
    if (!pcm || !out)
        return s2fi_fail(&spectrogram->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_compute: %s is NULL", !pcm ? "pcm" : "out");
    size_t length = 0;
    s2f_status status = input_length(spectrogram, n_samples, &length, "s2f_spectrogram_compute");
    if (status != S2F_OK)
        return status;
    /* The paper's clip: the first clip_length samples, tiled when the input is shorter. */
    size_t analysed = spectrogram->clip_length ? spectrogram->clip_length : length;
    size_t used = length < analysed ? length : analysed;
    size_t frames = s2fi_stft_frames(spectrogram->stft, analysed), needed = 0;
    if ((status = required_floats(spectrogram, frames, 1, &needed)) != S2F_OK)
        return status;
    if (out_capacity_floats < needed)
        return s2fi_fail(&spectrogram->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_spectrogram_compute: out holds %zu floats, needs %zu (%zu frames "
                         "× %zu bins × 2)",
                         out_capacity_floats, needed, frames, s2fi_stft_bins(spectrogram->stft));
    status = s2fi_spectrogram_check_finite(spectrogram, pcm, n_samples, &spectrogram->error);
    if (status != S2F_OK)
        return status;
    const float *signal;
    if ((status = analysis_signal(spectrogram, pcm, n_samples, used, &signal)) != S2F_OK)
        return status;
    s2fi_stft_compute(spectrogram->stft, signal, used, analysed, out);
    if (frames_out)
        *frames_out = frames;
    return S2F_OK;
}

size_t s2fi_spectrogram_segments_of(const s2f_spectrogram *spectrogram, size_t length)
{
    size_t clip = spectrogram->clip_length;
    return length <= clip ? 1 : 1 + (length - clip) / spectrogram->segment_hop;
}

S2F_API s2f_status s2f_spectrogram_segment_count(const s2f_spectrogram *spectrogram,
                                                 size_t n_samples, size_t *count)
{
    if (!spectrogram || !count)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_segment_count: %s is NULL",
                         !spectrogram ? "spectrogram" : "count");
    if (spectrogram->clip_length == 0)
        return s2fi_fail(slot_of(spectrogram), S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_segment_count: segments need clip_seconds > 0");
    size_t length = 0;
    s2f_status status =
        input_length(spectrogram, n_samples, &length, "s2f_spectrogram_segment_count");
    if (status != S2F_OK)
        return status;
    *count = s2fi_spectrogram_segments_of(spectrogram, length);
    return S2F_OK;
}

S2F_API s2f_status s2f_spectrogram_compute_segments(s2f_spectrogram *spectrogram,
                                                    const float *pcm, size_t n_samples,
                                                    float *out, size_t out_capacity_floats,
                                                    size_t *segments_out)
{
    if (!spectrogram)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_compute_segments: spectrogram is NULL");
    if (!pcm || !out)
        return s2fi_fail(&spectrogram->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_compute_segments: %s is NULL", !pcm ? "pcm" : "out");
    size_t count;
    s2f_status status = s2f_spectrogram_segment_count(spectrogram, n_samples, &count);
    if (status != S2F_OK)
        return status;
    size_t length = s2fi_spectrogram_analysis_length(spectrogram, n_samples);
    size_t clip = spectrogram->clip_length;
    size_t frames = s2fi_stft_frames(spectrogram->stft, clip), needed = 0, per_clip = 0;
    if ((status = required_floats(spectrogram, frames, count, &needed)) != S2F_OK)
        return status;
    if (out_capacity_floats < needed)
        return s2fi_fail(&spectrogram->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_spectrogram_compute_segments: out holds %zu floats, needs %zu "
                         "(%zu segments × %zu frames × %zu bins × 2)",
                         out_capacity_floats, needed, count, frames,
                         s2fi_stft_bins(spectrogram->stft));
    required_floats(spectrogram, frames, 1, &per_clip);
    status = s2fi_spectrogram_check_finite(spectrogram, pcm, n_samples, &spectrogram->error);
    if (status != S2F_OK)
        return status;
    const float *signal;
    if ((status = analysis_signal(spectrogram, pcm, n_samples, length, &signal)) != S2F_OK)
        return status;
    for (size_t s = 0; s < count; ++s) {
        size_t start = s * spectrogram->segment_hop;
        size_t available = length - start < clip ? length - start : clip;
        s2fi_stft_compute(spectrogram->stft, signal + start, available, clip, out + s * per_clip);
    }
    if (segments_out)
        *segments_out = count;
    return S2F_OK;
}
