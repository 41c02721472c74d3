/* s2f_spectrogram_stream: the one-shot spectrogram of a whole signal, produced piece by piece.
 *
 * Why it is exact: soxr's output does not depend on how its input is cut, each STFT frame reads
 * only its own window of samples, and a clip (or frame) is handed out only once every sample it
 * covers is final. A sample is final when it lies below both what soxr has produced and the
 * length the whole signal will have at least (round(n · ratio) over the samples written so far:
 * the one-shot path cuts or zero-pads soxr's output to exactly that length). finish() then fixes
 * the length M and the last clips exactly as s2f_spectrogram_compute_segments() counts them. */
#include "audio/resample.h"
#include "audio/spectrogram_internal.h"
#include "audio/stft.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Room kept free for one soxr call: its output for one input chunk is at most ratio × S2FI_RESAMPLE_CHUNK
 * plus the filter's backlog; the loop below grows the buffer whenever less is left. */
#define MIN_FREE_OUTPUT 4096

struct s2f_spectrogram_stream {
    s2fi_error_slot error;
    s2f_spectrogram *spectrogram; /* validated params, STFT plan, resampler (owned, private) */
    float *signal;   /* analysis-rate samples [base, base + held) */
    size_t capacity; /* floats */
    size_t held;
    size_t base;
    size_t written;  /* input samples written so far */
    size_t next;     /* next clip (clip mode) or frame (whole-signal mode) to hand out */
    size_t length;   /* the signal's final analysis length M, once finished */
    bool finished;
    bool broken;     /* an internal failure left the state unusable */
};

S2F_API s2f_status s2f_spectrogram_stream_create(const s2f_spectrogram_params *params,
                                                 s2f_spectrogram_stream **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_create: out is NULL");
    *out = NULL;
    s2f_spectrogram_stream *stream = calloc(1, sizeof *stream);
    if (!stream)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a spectrogram stream");
    s2f_status status = s2f_spectrogram_create(params, &stream->spectrogram);
    if (status == S2F_OK && stream->spectrogram->resampler)
        status = s2fi_resampler_restart(stream->spectrogram->resampler, NULL);
    if (status != S2F_OK) {
        s2f_spectrogram_stream_free(stream);
        return status;
    }
    *out = stream;
    return S2F_OK;
}

S2F_API void s2f_spectrogram_stream_free(s2f_spectrogram_stream *stream)
{
    if (!stream)
        return;
    s2f_spectrogram_free(stream->spectrogram);
    s2fi_free(stream->signal);
    free(stream);
}

S2F_API const char *s2f_spectrogram_stream_last_error(const s2f_spectrogram_stream *stream)
{
    return stream ? s2fi_error_slot_message(&stream->error) : "";
}

/* Makes room for `extra` more samples after the held ones, first dropping the consumed ones
 * (moved down rather than kept, so that memory stays at about one clip plus one piece). */
static s2f_status reserve(s2f_spectrogram_stream *stream, size_t extra)
{
    size_t wanted;
    if (!s2fi_add_size(stream->held, extra, &wanted))
        return s2fi_fail(&stream->error, S2F_ERR_OUT_OF_MEMORY,
                         "%zu more samples overflow the address space", extra);
    if (wanted <= stream->capacity)
        return S2F_OK;
    size_t grown = stream->capacity * 2 > wanted ? stream->capacity * 2 : wanted, bytes;
    if (!s2fi_mul_size(grown, sizeof(float), &bytes))
        return s2fi_fail(&stream->error, S2F_ERR_OUT_OF_MEMORY,
                         "%zu samples overflow the address space", grown);
    float *signal = s2fi_aligned_alloc(bytes);
    if (!signal)
        return s2fi_fail(&stream->error, S2F_ERR_OUT_OF_MEMORY,
                         "cannot allocate %zu bytes for the stream's signal", bytes);
    if (stream->held)
        memcpy(signal, stream->signal, sizeof(float) * stream->held);
    s2fi_free(stream->signal);
    stream->signal = signal;
    stream->capacity = grown;
    return S2F_OK;
}

/* Drops held samples before absolute position `keep_from`. */
static void discard_before(s2f_spectrogram_stream *stream, size_t keep_from)
{
    if (keep_from <= stream->base)
        return;
    size_t drop = keep_from - stream->base;
    if (drop > stream->held)
        drop = stream->held;
    memmove(stream->signal, stream->signal + drop, sizeof(float) * (stream->held - drop));
    stream->held -= drop;
    stream->base += drop;
}

/* Feeds `pcm` (NULL: end of signal) through the resampler into the held signal. */
static s2f_status resample_into(s2f_spectrogram_stream *stream, const float *pcm, size_t n)
{
    s2fi_resampler *resampler = stream->spectrogram->resampler;
    const s2f_spectrogram_params *p = &stream->spectrogram->params;
    size_t per_chunk = (size_t)((double)p->analysis_rate / p->sample_rate * S2FI_RESAMPLE_CHUNK) + 1;
    size_t done = 0;
    int idle_calls = 0; /* guards against a resampler that neither reads nor writes */
    for (;;) {
        s2f_status status = reserve(stream, per_chunk + MIN_FREE_OUTPUT);
        if (status != S2F_OK)
            return status;
        size_t consumed = 0, produced = 0;
        status = s2fi_resample_piece(resampler, pcm ? pcm + done : NULL, pcm ? n - done : 0,
                                     stream->signal + stream->held,
                                     stream->capacity - stream->held, &consumed, &produced,
                                     &stream->error);
        if (status != S2F_OK)
            return status;
        done += consumed;
        stream->held += produced;
        if (pcm ? done == n : produced == 0)
            return S2F_OK;
        idle_calls = consumed == 0 && produced == 0 ? idle_calls + 1 : 0;
        if (idle_calls > 100)
            return s2fi_fail(&stream->error, S2F_ERR_INTERNAL,
                             "libsoxr stalled at input sample %zu", stream->written + done);
    }
}

static s2f_status refuse(s2f_spectrogram_stream *stream, const char *caller)
{
    if (stream->broken)
        return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                         "%s: the stream failed earlier; create a new one", caller);
    return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                     "%s: the stream is already finished", caller);
}

S2F_API s2f_status s2f_spectrogram_stream_write(s2f_spectrogram_stream *stream, const float *pcm,
                                                size_t n_samples)
{
    if (!stream)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_write: stream is NULL");
    if (stream->finished || stream->broken)
        return refuse(stream, "s2f_spectrogram_stream_write");
    if (n_samples == 0)
        return S2F_OK;
    if (!pcm)
        return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_write: pcm is NULL");
    size_t total;
    if (!s2fi_add_size(stream->written, n_samples, &total))
        return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_write: the signal's length overflows size_t");
    s2f_status status =
        s2fi_spectrogram_check_finite(stream->spectrogram, pcm, n_samples, &stream->error);
    if (status != S2F_OK)
        return status;
    if (stream->spectrogram->resampler) {
        status = resample_into(stream, pcm, n_samples);
    } else if ((status = reserve(stream, n_samples)) == S2F_OK) {
        memcpy(stream->signal + stream->held, pcm, sizeof(float) * n_samples);
        stream->held += n_samples;
    }
    if (status != S2F_OK) {
        stream->broken = true;
        return status;
    }
    stream->written = total;
    return S2F_OK;
}

S2F_API s2f_status s2f_spectrogram_stream_finish(s2f_spectrogram_stream *stream)
{
    if (!stream)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_finish: stream is NULL");
    if (stream->finished || stream->broken)
        return refuse(stream, "s2f_spectrogram_stream_finish");
    const s2f_spectrogram *spectrogram = stream->spectrogram;
    size_t length = stream->written
                        ? s2fi_spectrogram_analysis_length(spectrogram, stream->written)
                        : 0;
    if (length == 0)
        return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_finish: %zu samples at %g Hz are less than one "
                         "sample at %d Hz",
                         stream->written, spectrogram->params.sample_rate,
                         (int)spectrogram->params.analysis_rate);
    if (spectrogram->clip_length == 0 && length < (size_t)spectrogram->params.window)
        return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_finish: %zu samples at %d Hz are fewer than one "
                         "window (%d) and clip_seconds <= 0 disables tiling",
                         length, (int)spectrogram->params.analysis_rate,
                         (int)spectrogram->params.window);
    if (spectrogram->resampler) {
        s2f_status status = resample_into(stream, NULL, 0);
        if (status != S2F_OK) {
            stream->broken = true;
            return status;
        }
    }
    /* Exactly M samples, as the one-shot path: soxr's surplus cut, its shortfall zero. */
    size_t end = stream->base + stream->held;
    if (end > length) {
        stream->held = length > stream->base ? length - stream->base : 0;
    } else if (end < length) {
        s2f_status status = reserve(stream, length - end);
        if (status != S2F_OK) {
            stream->broken = true;
            return status;
        }
        memset(stream->signal + stream->held, 0, sizeof(float) * (length - end));
        stream->held += length - end;
    }
    stream->length = length;
    stream->finished = true;
    return S2F_OK;
}

/* Analysis samples known to be final: all of them once finished; before, those below both
 * what soxr produced and the least length the whole signal can have. */
static size_t final_samples(const s2f_spectrogram_stream *stream)
{
    if (stream->finished)
        return stream->length;
    size_t produced = stream->base + stream->held;
    size_t at_least = s2fi_spectrogram_analysis_length(stream->spectrogram, stream->written);
    return produced < at_least ? produced : at_least;
}

/* One clip per call (clip mode). */
static size_t read_clip(s2f_spectrogram_stream *stream, float *out)
{
    const s2f_spectrogram *spectrogram = stream->spectrogram;
    size_t clip = spectrogram->clip_length, start = stream->next * spectrogram->segment_hop;
    size_t available;
    if (stream->finished) {
        if (stream->next >= s2fi_spectrogram_segments_of(spectrogram, stream->length))
            return 0;
        available = stream->length - start < clip ? stream->length - start : clip;
    } else {
        if (start + clip > final_samples(stream))
            return 0;
        available = clip;
    }
    s2fi_stft_compute(spectrogram->stft, stream->signal + (start - stream->base), available,
                      clip, out);
    stream->next++;
    discard_before(stream, stream->next * spectrogram->segment_hop);
    return s2fi_stft_frames(spectrogram->stft, clip);
}

/* As many ready frames as fit (whole-signal mode). */
static size_t read_frames(s2f_spectrogram_stream *stream, float *out, size_t room)
{
    const s2f_spectrogram *spectrogram = stream->spectrogram;
    size_t hop = (size_t)spectrogram->params.hop, window = (size_t)spectrogram->params.window;
    size_t ready = s2fi_stft_frames(spectrogram->stft, final_samples(stream));
    if (ready <= stream->next)
        return 0;
    size_t frames = ready - stream->next < room ? ready - stream->next : room;
    size_t start = stream->next * hop, span = (frames - 1) * hop + window;
    s2fi_stft_compute(spectrogram->stft, stream->signal + (start - stream->base), span, span,
                      out);
    stream->next += frames;
    discard_before(stream, stream->next * hop);
    return frames;
}

S2F_API s2f_status s2f_spectrogram_stream_read(s2f_spectrogram_stream *stream, float *out,
                                               size_t out_capacity_floats, size_t *frames_out)
{
    if (!stream)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_read: stream is NULL");
    if (!out || !frames_out)
        return s2fi_fail(&stream->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_spectrogram_stream_read: %s is NULL", !out ? "out" : "frames_out");
    *frames_out = 0;
    if (stream->broken)
        return refuse(stream, "s2f_spectrogram_stream_read");
    const s2f_spectrogram *spectrogram = stream->spectrogram;
    size_t per_frame = s2fi_stft_bins(spectrogram->stft) * 2;
    if (spectrogram->clip_length) {
        size_t frames = s2fi_stft_frames(spectrogram->stft, spectrogram->clip_length);
        if (out_capacity_floats / per_frame < frames)
            return s2fi_fail(&stream->error, S2F_ERR_BUFFER_TOO_SMALL,
                             "s2f_spectrogram_stream_read: out holds %zu floats, one clip needs "
                             "%zu (%zu frames × %zu)",
                             out_capacity_floats, frames * per_frame, frames, per_frame);
        *frames_out = read_clip(stream, out);
        return S2F_OK;
    }
    if (out_capacity_floats < per_frame)
        return s2fi_fail(&stream->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_spectrogram_stream_read: out holds %zu floats, one frame needs %zu",
                         out_capacity_floats, per_frame);
    *frames_out = read_frames(stream, out, out_capacity_floats / per_frame);
    return S2F_OK;
}
