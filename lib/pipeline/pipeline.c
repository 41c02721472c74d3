/* s2f_pipeline: PCM → (downmix, spectrogram stream, voice encoder in small batches) → feature,
 * then → face decoder or → index search. Everything a caller would otherwise size and wire:
 * the voice → face job is one call. The streaming core (begin/write/finish) is what the
 * one-call forms use, so all of them give the same feature, bit for bit. */
#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECE_FRAMES 16384 /* audio frames downmixed and streamed at a time */
#define CLIP_BATCH 4       /* clips per encoder call */
#define MAX_CHANNELS 256

struct s2f_pipeline {
    s2fi_error_slot error;
    s2f_voice_encoder *encoder;
    s2f_face_decoder *decoder; /* NULL: the model has none */
    size_t dim, bins, clip_frames, clip_floats;
    size_t image_height, image_width, landmark_count;
    float *mono;     /* PIECE_FRAMES downmixed samples */
    float *clips;    /* CLIP_BATCH clips */
    float *features; /* CLIP_BATCH features */
    float *feature;  /* one feature, for face and search */
    double *sum;     /* dim running sums */

    double min_speech; /* seconds; 0: no speech check */

    /* The recording in progress (begin … finish). */
    s2f_spectrogram_stream *stream;
    s2f_speech_meter *meter; /* NULL without a speech check */
    uint64_t meter_room;     /* samples the meter still takes (the feature's audio only) */
    int channels;
    bool segments;
    size_t pending, encoded;
};

S2F_API void s2f_pipeline_free(s2f_pipeline *pipeline)
{
    if (!pipeline)
        return;
    s2f_spectrogram_stream_free(pipeline->stream);
    s2f_speech_meter_free(pipeline->meter);
    s2f_voice_encoder_free(pipeline->encoder);
    s2f_face_decoder_free(pipeline->decoder);
    s2fi_free(pipeline->mono);
    s2fi_free(pipeline->clips);
    s2fi_free(pipeline->features);
    s2fi_free(pipeline->feature);
    s2fi_free(pipeline->sum);
    free(pipeline);
}

S2F_API const char *s2f_pipeline_last_error(const s2f_pipeline *pipeline)
{
    return pipeline ? s2fi_error_slot_message(&pipeline->error) : "";
}

/* Copies a component's message into the pipeline's slot (and the thread's), keeping the status. */
static s2f_status relay(s2f_pipeline *p, s2f_status status, const char *what, const char *message)
{
    return s2fi_fail(&p->error, status, "%s: %s", what, message);
}

S2F_API s2f_status s2f_pipeline_create(const s2f_model *model, s2f_pipeline **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_create: out is NULL");
    *out = NULL;
    if (!model)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_create: model is NULL");
    s2f_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a pipeline");
    s2f_status status = s2f_voice_encoder_create(model, &p->encoder);
    size_t input_channels = 0;
    if (status == S2F_OK)
        status = s2f_voice_encoder_shape(p->encoder, &p->dim, &p->bins, &input_channels, NULL);
    int has_decoder = 0;
    if (status == S2F_OK)
        status = s2f_model_has_component(model, "face_decoder", &has_decoder);
    if (status == S2F_OK && has_decoder) {
        status = s2f_face_decoder_create(model, &p->decoder);
        size_t decoder_dim = 0;
        if (status == S2F_OK)
            status = s2f_face_decoder_shape(p->decoder, &decoder_dim, &p->image_height,
                                            &p->image_width, &p->landmark_count);
        if (status == S2F_OK && decoder_dim != p->dim)
            status = s2fi_fail(NULL, S2F_ERR_SHAPE_MISMATCH,
                               "the model's face decoder takes %zu-D features, its voice encoder "
                               "gives %zu-D",
                               decoder_dim, p->dim);
    }
    /* The paper's clip shape, from a default spectrogram handle. */
    s2f_spectrogram *shape = NULL;
    if (status == S2F_OK)
        status = s2f_spectrogram_create(NULL, &shape);
    if (status == S2F_OK)
        status = s2f_spectrogram_shape(shape, 1, &p->clip_frames, NULL);
    s2f_spectrogram_free(shape);
    if (status == S2F_OK && (input_channels != 2 || p->bins != 257))
        status = s2fi_fail(NULL, S2F_ERR_SHAPE_MISMATCH,
                           "the voice encoder takes %zu bins × %zu channels; the paper's "
                           "spectrogram gives 257 × 2",
                           p->bins, input_channels);
    if (status != S2F_OK) {
        s2f_pipeline_free(p);
        return status;
    }
    p->clip_floats = p->clip_frames * p->bins * 2;
    p->min_speech = S2F_DEFAULT_MIN_SPEECH_SECONDS;
    p->mono = s2fi_aligned_alloc(sizeof(float) * PIECE_FRAMES);
    p->clips = s2fi_aligned_alloc(sizeof(float) * p->clip_floats * CLIP_BATCH);
    p->features = s2fi_aligned_alloc(sizeof(float) * p->dim * CLIP_BATCH);
    p->feature = s2fi_aligned_alloc(sizeof(float) * p->dim);
    p->sum = s2fi_aligned_alloc(sizeof(double) * p->dim);
    if (!p->mono || !p->clips || !p->features || !p->feature || !p->sum) {
        s2f_pipeline_free(p);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate the pipeline's buffers");
    }
    *out = p;
    return S2F_OK;
}

S2F_API s2f_status s2f_pipeline_set_min_speech(s2f_pipeline *pipeline, double seconds)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_set_min_speech: pipeline is NULL");
    if (!(seconds >= 0.0) || !isfinite(seconds))
        return s2fi_fail(&pipeline->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_set_min_speech: %g s, expected a finite value >= 0",
                         seconds);
    pipeline->min_speech = seconds;
    return S2F_OK;
}

S2F_API s2f_status s2f_pipeline_shape(const s2f_pipeline *pipeline, size_t *feature_dim,
                                      size_t *image_height, size_t *image_width,
                                      size_t *landmark_count)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_shape: pipeline is NULL");
    if (feature_dim)
        *feature_dim = pipeline->dim;
    if (image_height)
        *image_height = pipeline->image_height;
    if (image_width)
        *image_width = pipeline->image_width;
    if (landmark_count)
        *landmark_count = pipeline->landmark_count;
    return S2F_OK;
}

/* ---- the streaming core ------------------------------------------------------------------- */

/* Drops the recording in progress, if any (begin abandons one; finish and failures end one). */
static void end_recording(s2f_pipeline *p)
{
    s2f_spectrogram_stream_free(p->stream);
    p->stream = NULL;
    s2f_speech_meter_free(p->meter);
    p->meter = NULL;
}

/* The speech check's verdict on the recording's audio (the meter ends with it). */
static s2f_status check_speech(s2f_pipeline *p)
{
    if (!p->meter)
        return S2F_OK;
    s2f_speech_report report = {.size = sizeof report};
    s2f_status status = s2f_speech_meter_finish(p->meter, &report);
    if (status != S2F_OK)
        return relay(p, status, "speech check", s2f_speech_meter_last_error(p->meter));
    if (report.speech_seconds >= p->min_speech)
        return S2F_OK;
    return s2fi_fail(&p->error, S2F_ERR_NO_SPEECH,
                     "%.2f s of speech in %.2f s of audio (loudness envelope varies by %.1f dB); "
                     "a face needs at least %.2f s. Silence, steady noise, hum and tones are "
                     "not speech (s2f_pipeline_set_min_speech(pipeline, 0) accepts any audio)",
                     report.speech_seconds, report.seconds, report.modulation_db, p->min_speech);
}

static s2f_status encode_pending(s2f_pipeline *p)
{
    if (p->pending == 0)
        return S2F_OK;
    /* One clip goes through encode (bit-identical to a user's own encode call). */
    s2f_status status =
        p->pending == 1
            ? s2f_voice_encoder_encode(p->encoder, p->clips, p->clip_frames, p->bins, 2,
                                       p->features, p->dim)
            : s2f_voice_encoder_encode_batch(p->encoder, p->clips, p->pending, p->clip_frames,
                                             p->bins, 2, p->features, p->pending * p->dim);
    if (status != S2F_OK)
        return relay(p, status, "voice encoder", s2f_voice_encoder_last_error(p->encoder));
    for (size_t c = 0; c < p->pending; ++c)
        for (size_t d = 0; d < p->dim; ++d)
            p->sum[d] += p->features[c * p->dim + d];
    if (p->encoded == 0)
        memcpy(p->feature, p->features, sizeof(float) * p->dim);
    p->encoded += p->pending;
    p->pending = 0;
    return S2F_OK;
}

static bool have_enough(const s2f_pipeline *p)
{
    return !p->segments && p->encoded + p->pending >= 1;
}

/* Moves ready clips from the stream into the batch, encoding full batches. */
static s2f_status take_clips(s2f_pipeline *p)
{
    while (!have_enough(p)) {
        size_t frames = 0;
        s2f_status status = s2f_spectrogram_stream_read(
            p->stream, p->clips + p->pending * p->clip_floats, p->clip_floats, &frames);
        if (status != S2F_OK)
            return relay(p, status, "spectrogram", s2f_spectrogram_stream_last_error(p->stream));
        if (frames == 0)
            return S2F_OK;
        if (++p->pending == CLIP_BATCH && (status = encode_pending(p)) != S2F_OK)
            return status;
    }
    return S2F_OK;
}

S2F_API s2f_status s2f_pipeline_begin(s2f_pipeline *pipeline, int channels, double sample_rate,
                                      int segments)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_begin: pipeline is NULL");
    s2f_pipeline *p = pipeline;
    end_recording(p);
    if (channels < 1 || channels > MAX_CHANNELS)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_begin: %d channels, expected 1…%d", channels, MAX_CHANNELS);
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = sample_rate;
    s2f_status status = s2f_spectrogram_stream_create(&params, &p->stream);
    if (status != S2F_OK)
        return relay(p, status, "spectrogram", s2f_last_error_message());
    if (p->min_speech > 0.0) {
        status = s2f_speech_meter_create(sample_rate, &p->meter);
        if (status != S2F_OK) {
            end_recording(p);
            return relay(p, status, "speech check", s2f_last_error_message());
        }
        /* Without segments the feature comes from the first clip alone: measure that. */
        p->meter_room = segments ? UINT64_MAX
                                 : (uint64_t)ceil(params.clip_seconds * sample_rate);
    }
    p->channels = channels;
    p->segments = segments != 0;
    p->pending = p->encoded = 0;
    memset(p->sum, 0, sizeof(double) * p->dim);
    return S2F_OK;
}

S2F_API s2f_status s2f_pipeline_write(s2f_pipeline *pipeline, const float *pcm, size_t frames,
                                      int *done)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_write: pipeline is NULL");
    s2f_pipeline *p = pipeline;
    if (!p->stream)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_write: no recording begun (s2f_pipeline_begin)");
    if (!pcm && frames > 0)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_write: pcm is NULL");
    size_t samples;
    if (!s2fi_mul_size(frames, (size_t)p->channels, &samples))
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_write: %zu frames × %d channels overflow", frames,
                         p->channels);
    s2f_status status = S2F_OK;
    for (size_t at = 0; at < frames && !have_enough(p) && status == S2F_OK;) {
        size_t piece = frames - at < PIECE_FRAMES ? frames - at : PIECE_FRAMES;
        status = s2f_audio_downmix(pcm + at * (size_t)p->channels, piece, p->channels, p->mono);
        if (status != S2F_OK)
            return relay(p, status, "downmix", s2f_last_error_message());
        status = s2f_spectrogram_stream_write(p->stream, p->mono, piece);
        if (status != S2F_OK)
            return relay(p, status, "spectrogram", s2f_spectrogram_stream_last_error(p->stream));
        if (p->meter && p->meter_room > 0) {
            size_t measured = piece < p->meter_room ? piece : (size_t)p->meter_room;
            status = s2f_speech_meter_write(p->meter, p->mono, measured);
            if (status != S2F_OK)
                return relay(p, status, "speech check", s2f_speech_meter_last_error(p->meter));
            p->meter_room -= measured;
        }
        status = take_clips(p);
        at += piece;
    }
    if (done)
        *done = have_enough(p);
    return status;
}

S2F_API s2f_status s2f_pipeline_finish(s2f_pipeline *pipeline, float *feature,
                                       size_t feature_capacity)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_finish: pipeline is NULL");
    s2f_pipeline *p = pipeline;
    if (!p->stream)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_finish: no recording begun (s2f_pipeline_begin)");
    if (!feature)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_finish: feature is NULL");
    if (feature_capacity < p->dim)
        return s2fi_fail(&p->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_pipeline_finish: feature holds %zu floats, needs %zu",
                         feature_capacity, p->dim);
    s2f_status status = S2F_OK;
    if (!have_enough(p)) {
        status = s2f_spectrogram_stream_finish(p->stream);
        if (status != S2F_OK)
            status = relay(p, status, "spectrogram", s2f_spectrogram_stream_last_error(p->stream));
        else
            status = take_clips(p);
    }
    if (status == S2F_OK)
        status = check_speech(p);
    if (status == S2F_OK)
        status = encode_pending(p);
    end_recording(p); /* the recording is over, whatever happened */
    if (status != S2F_OK)
        return status;
    /* One clip: the encoder's feature as it is. Several: their mean, summed in double. */
    for (size_t d = 0; d < p->dim; ++d)
        feature[d] = p->encoded == 1 ? p->feature[d] : (float)(p->sum[d] / (double)p->encoded);
    return S2F_OK;
}

/* ---- one call ------------------------------------------------------------------------------ */

S2F_API s2f_status s2f_pipeline_encode(s2f_pipeline *pipeline, const float *pcm, size_t frames,
                                       int channels, double sample_rate, int segments,
                                       float *feature, size_t feature_capacity)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_encode: pipeline is NULL");
    if (!pcm || !feature || frames == 0)
        return s2fi_fail(&pipeline->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_encode: %s", !pcm ? "pcm is NULL"
                                                    : !feature ? "feature is NULL"
                                                               : "frames is 0");
    if (feature_capacity < pipeline->dim)
        return s2fi_fail(&pipeline->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_pipeline_encode: feature holds %zu floats, needs %zu",
                         feature_capacity, pipeline->dim);
    s2f_status status = s2f_pipeline_begin(pipeline, channels, sample_rate, segments);
    if (status == S2F_OK)
        status = s2f_pipeline_write(pipeline, pcm, frames, NULL);
    if (status == S2F_OK)
        return s2f_pipeline_finish(pipeline, feature, feature_capacity);
    end_recording(pipeline);
    return status;
}

S2F_API s2f_status s2f_pipeline_encode_batch(s2f_pipeline *pipeline, const float *const *pcm,
                                             const size_t *frames, size_t count, int channels,
                                             double sample_rate, int segments, float *features,
                                             size_t features_capacity)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_encode_batch: pipeline is NULL");
    if (!pcm || !frames || !features || count == 0)
        return s2fi_fail(&pipeline->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_pipeline_encode_batch: NULL arrays or count 0");
    size_t needed;
    if (!s2fi_mul_size(count, pipeline->dim, &needed) || features_capacity < needed)
        return s2fi_fail(&pipeline->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_pipeline_encode_batch: features hold %zu floats, %zu recordings "
                         "need %zu × %zu",
                         features_capacity, count, count, pipeline->dim);
    for (size_t i = 0; i < count; ++i) {
        s2f_status status = s2f_pipeline_encode(pipeline, pcm[i], frames[i], channels,
                                                sample_rate, segments,
                                                features + i * pipeline->dim, pipeline->dim);
        if (status != S2F_OK) {
            char message[1024];
            snprintf(message, sizeof message, "%s", s2f_pipeline_last_error(pipeline));
            return s2fi_fail(&pipeline->error, status, "recording %zu of %zu: %s", i, count,
                             message);
        }
    }
    return S2F_OK;
}

S2F_API s2f_status s2f_pipeline_face(s2f_pipeline *pipeline, const float *pcm, size_t frames,
                                     int channels, double sample_rate, int segments,
                                     float *feature, size_t feature_capacity, uint8_t *rgb,
                                     size_t row_stride, size_t rgb_capacity, float *landmarks,
                                     size_t landmarks_capacity)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_face: pipeline is NULL");
    s2f_pipeline *p = pipeline;
    if (!p->decoder)
        return s2fi_fail(&p->error, S2F_ERR_NOT_FOUND,
                         "s2f_pipeline_face: the model has no face_decoder component");
    if (!rgb)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_face: rgb is NULL");
    if (feature && feature_capacity < p->dim)
        return s2fi_fail(&p->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_pipeline_face: feature holds %zu floats, needs %zu",
                         feature_capacity, p->dim);
    float *own = p->features; /* scratch: the batch is done once encode returns */
    s2f_status status =
        s2f_pipeline_encode(p, pcm, frames, channels, sample_rate, segments, own, p->dim);
    if (status != S2F_OK)
        return status;
    status = s2f_face_decoder_decode_u8(p->decoder, own, p->dim, rgb, row_stride, rgb_capacity,
                                        landmarks, landmarks_capacity);
    if (status != S2F_OK)
        return relay(p, status, "face decoder", s2f_face_decoder_last_error(p->decoder));
    if (feature)
        memcpy(feature, own, sizeof(float) * p->dim);
    return S2F_OK;
}

S2F_API s2f_status s2f_pipeline_search(s2f_pipeline *pipeline, const s2f_face_index *index,
                                       const float *pcm, size_t frames, int channels,
                                       double sample_rate, int segments, size_t k,
                                       int64_t *ids_out, float *scores_out, size_t *found)
{
    if (!pipeline)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_search: pipeline is NULL");
    s2f_pipeline *p = pipeline;
    if (!index)
        return s2fi_fail(&p->error, S2F_ERR_INVALID_ARGUMENT, "s2f_pipeline_search: index is NULL");
    if (s2f_face_index_dim(index) != p->dim)
        return s2fi_fail(&p->error, S2F_ERR_SHAPE_MISMATCH,
                         "s2f_pipeline_search: the index holds %zu-D features, the voice "
                         "encoder gives %zu-D",
                         s2f_face_index_dim(index), p->dim);
    float *own = p->features;
    s2f_status status =
        s2f_pipeline_encode(p, pcm, frames, channels, sample_rate, segments, own, p->dim);
    if (status != S2F_OK)
        return status;
    status = s2f_face_index_search(index, own, k, ids_out, scores_out, found);
    if (status != S2F_OK)
        return relay(p, status, "index search", s2f_face_index_last_error(index));
    return S2F_OK;
}
