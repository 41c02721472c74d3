/* s2f_pipeline against the handles it wires together, called by hand: the feature (one clip,
 * segments, stereo 44.1 kHz, audio in odd pieces), the face, the search; and every misuse,
 * named. On the tiny end-to-end model (tests/reliability/tiny_model.c: the paper's input,
 * D = 12, a 32×32 face), so it runs in milliseconds. */
#include "tiny_model.h"

#include <speech2face.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static s2f_model *model;

static float *interleaved_audio(size_t frames, int channels, double rate)
{
    float *x = malloc(sizeof(float) * frames * (size_t)channels);
    assert_non_null(x);
    uint32_t state = 12345;
    for (size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) {
            state = state * 1103515245u + 12345u;
            double noise = ((double)(state >> 8) / 16777216.0 - 0.5) * 0.2;
            x[i * (size_t)channels + (size_t)c] =
                (float)(0.3 * sin(2 * M_PI * (180.0 + 40 * c) * (double)i / rate) + noise);
        }
    return x;
}

/* The same feature by hand: downmix, spectrogram (compute or compute_segments), encode each
 * clip, mean in double. */
static void by_hand(const float *pcm, size_t frames, int channels, double rate, int segments,
                    float *feature, size_t dim)
{
    float *mono = malloc(sizeof(float) * frames);
    assert_int_equal(s2f_audio_downmix(pcm, frames, channels, mono), S2F_OK);
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = rate;
    s2f_spectrogram *spectrogram = NULL;
    assert_int_equal(s2f_spectrogram_create(&params, &spectrogram), S2F_OK);
    size_t t = 0, bins = 0, count = 1;
    assert_int_equal(s2f_spectrogram_shape(spectrogram, frames, &t, &bins), S2F_OK);
    if (segments)
        assert_int_equal(s2f_spectrogram_segment_count(spectrogram, frames, &count), S2F_OK);
    size_t per = t * bins * 2;
    float *spec = malloc(sizeof(float) * per * count);
    assert_int_equal(segments ? s2f_spectrogram_compute_segments(spectrogram, mono, frames, spec,
                                                                 per * count, NULL)
                              : s2f_spectrogram_compute(spectrogram, mono, frames, spec, per,
                                                        NULL),
                     S2F_OK);
    s2f_voice_encoder *encoder = NULL;
    assert_int_equal(s2f_voice_encoder_create(model, &encoder), S2F_OK);
    double sum[64] = {0};
    float one[64];
    for (size_t c = 0; c < count; ++c) {
        assert_int_equal(s2f_voice_encoder_encode(encoder, spec + c * per, t, bins, 2, one, dim),
                         S2F_OK);
        for (size_t d = 0; d < dim; ++d)
            sum[d] += one[d];
    }
    for (size_t d = 0; d < dim; ++d)
        feature[d] = count == 1 ? one[d] : (float)(sum[d] / (double)count);
    s2f_voice_encoder_free(encoder);
    s2f_spectrogram_free(spectrogram);
    free(spec);
    free(mono);
}

static double max_diff(const float *a, const float *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; ++i)
        worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst;
}

static double max_abs(const float *a, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; ++i)
        worst = fmax(worst, fabs((double)a[i]));
    return worst;
}

static void features_equal_the_handles_called_by_hand(void **state)
{
    (void)state;
    s2f_pipeline *pipeline = NULL;
    assert_int_equal(s2f_pipeline_create(model, &pipeline), S2F_OK);
    /* tones and noise, not speech: the speech check is tested on its own below */
    assert_int_equal(s2f_pipeline_set_min_speech(pipeline, 0.0), S2F_OK);
    size_t dim = 0, height = 0, width = 0, landmarks = 0;
    assert_int_equal(s2f_pipeline_shape(pipeline, &dim, &height, &width, &landmarks), S2F_OK);
    assert_int_equal(dim, 12);
    assert_true(height == 32 && width == 32 && landmarks == 8);
    const struct { double rate, seconds; int channels, segments; } cases[] = {
        {16000, 6.0, 1, 0}, {16000, 2.5, 1, 0}, {44100, 7.0, 2, 0}, {16000, 20.0, 1, 1},
        {22050, 16.0, 2, 1}, {16000, 3.0, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        size_t frames = (size_t)(cases[i].rate * cases[i].seconds);
        float *pcm = interleaved_audio(frames, cases[i].channels, cases[i].rate);
        float got[12], want[12], streamed[12];
        assert_int_equal(s2f_pipeline_encode(pipeline, pcm, frames, cases[i].channels,
                                             cases[i].rate, cases[i].segments, got, 12),
                         S2F_OK);
        by_hand(pcm, frames, cases[i].channels, cases[i].rate, cases[i].segments, want, dim);
        /* One clip: bit for bit. Segments: clips are encoded four at a time, and a batched GEMM
         * rounds differently from single ones (measured 9e-9 here). */
        if (cases[i].segments)
            assert_true(max_diff(got, want, 12) <= 1e-6 * (max_abs(want, 12) + 1e-30));
        else
            assert_memory_equal(got, want, sizeof got);
        /* In pieces of 7919 frames: the same. */
        assert_int_equal(s2f_pipeline_begin(pipeline, cases[i].channels, cases[i].rate,
                                            cases[i].segments), S2F_OK);
        int done = 0;
        for (size_t at = 0; at < frames && !done; at += 7919) {
            size_t n = frames - at < 7919 ? frames - at : 7919;
            assert_int_equal(s2f_pipeline_write(pipeline, pcm + at * (size_t)cases[i].channels,
                                                n, &done), S2F_OK);
        }
        assert_true(cases[i].segments || cases[i].seconds < 6.5 || done);
        assert_int_equal(s2f_pipeline_finish(pipeline, streamed, 12), S2F_OK);
        assert_memory_equal(streamed, got, sizeof got); /* the same path: exactly */
        free(pcm);
    }
    /* A batch: row i is recording i's encode. */
    float *a = interleaved_audio(48000, 1, 16000), *b = interleaved_audio(96000, 1, 16000);
    const float *pcms[2] = {b, a};
    size_t lengths[2] = {96000, 48000};
    float batch[24], single[12];
    assert_int_equal(s2f_pipeline_encode_batch(pipeline, pcms, lengths, 2, 1, 16000, 0, batch, 24),
                     S2F_OK);
    assert_int_equal(s2f_pipeline_encode(pipeline, a, 48000, 1, 16000, 0, single, 12), S2F_OK);
    assert_memory_equal(batch + 12, single, sizeof single);
    free(a);
    free(b);
    s2f_pipeline_free(pipeline);
}

static void face_and_search_equal_decoder_and_index(void **state)
{
    (void)state;
    s2f_pipeline *pipeline = NULL;
    assert_int_equal(s2f_pipeline_create(model, &pipeline), S2F_OK);
    /* tones and noise, not speech: the speech check is tested on its own below */
    assert_int_equal(s2f_pipeline_set_min_speech(pipeline, 0.0), S2F_OK);
    float *pcm = interleaved_audio(16000 * 6, 1, 16000);
    float feature[12], landmarks[16], want_landmarks[16];
    uint8_t rgb[32 * 32 * 3], want_rgb[32 * 32 * 3];
    assert_int_equal(s2f_pipeline_face(pipeline, pcm, 16000 * 6, 1, 16000, 0, feature, 12, rgb,
                                       32 * 3, sizeof rgb, landmarks, 16),
                     S2F_OK);
    s2f_face_decoder *decoder = NULL;
    assert_int_equal(s2f_face_decoder_create(model, &decoder), S2F_OK);
    assert_int_equal(s2f_face_decoder_decode_u8(decoder, feature, 12, want_rgb, 32 * 3,
                                                sizeof want_rgb, want_landmarks, 16),
                     S2F_OK);
    assert_memory_equal(rgb, want_rgb, sizeof rgb);
    assert_memory_equal(landmarks, want_landmarks, sizeof landmarks);
    /* Feature and landmarks are optional. */
    assert_int_equal(s2f_pipeline_face(pipeline, pcm, 16000 * 6, 1, 16000, 0, NULL, 0, rgb, 32 * 3,
                                       sizeof rgb, NULL, 0),
                     S2F_OK);
    assert_memory_equal(rgb, want_rgb, sizeof rgb);

    s2f_face_index_params params = s2f_face_index_default_params();
    params.dim = 12;
    s2f_face_index *index = NULL;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_OK);
    float gallery[3 * 12];
    for (size_t i = 0; i < 3 * 12; ++i)
        gallery[i] = (float)sin(0.7 * (double)i);
    int64_t ids[3] = {7, 8, 9}, got[3], want[3];
    float scores[3], want_scores[3];
    size_t found = 0, want_found = 0;
    assert_int_equal(s2f_face_index_add(index, ids, gallery, 3), S2F_OK);
    assert_int_equal(s2f_pipeline_search(pipeline, index, pcm, 16000 * 6, 1, 16000, 0, 3, got,
                                         scores, &found),
                     S2F_OK);
    assert_int_equal(s2f_face_index_search(index, feature, 3, want, want_scores, &want_found),
                     S2F_OK);
    assert_int_equal(found, want_found);
    assert_memory_equal(got, want, sizeof got);
    assert_memory_equal(scores, want_scores, sizeof scores);
    s2f_face_index_free(index);

    params.dim = 13;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_OK);
    assert_int_equal(s2f_pipeline_search(pipeline, index, pcm, 16000 * 6, 1, 16000, 0, 3, got,
                                         scores, &found),
                     S2F_ERR_SHAPE_MISMATCH);
    s2f_face_index_free(index);
    s2f_face_decoder_free(decoder);
    free(pcm);
    s2f_pipeline_free(pipeline);
}

static void misuse_is_named(void **state)
{
    (void)state;
    s2f_pipeline_free(NULL);
    assert_string_equal(s2f_pipeline_last_error(NULL), "");
    s2f_pipeline *pipeline = NULL;
    assert_int_equal(s2f_pipeline_create(NULL, &pipeline), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_create(model, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_create(model, &pipeline), S2F_OK);
    /* tones and noise, not speech: the speech check is tested on its own below */
    assert_int_equal(s2f_pipeline_set_min_speech(pipeline, 0.0), S2F_OK);
    float pcm[800] = {0.1f}, feature[12];
    assert_int_equal(s2f_pipeline_encode(pipeline, NULL, 800, 1, 16000, 0, feature, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_encode(pipeline, pcm, 0, 1, 16000, 0, feature, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_encode(pipeline, pcm, 800, 0, 16000, 0, feature, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_encode(pipeline, pcm, 800, 1, 1000, 0, feature, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_pipeline_last_error(pipeline), "spectrogram"));
    assert_int_equal(s2f_pipeline_encode(pipeline, pcm, 800, 1, 16000, 0, feature, 11),
                     S2F_ERR_BUFFER_TOO_SMALL);
    pcm[5] = NAN;
    assert_int_equal(s2f_pipeline_encode(pipeline, pcm, 800, 1, 16000, 0, feature, 12),
                     S2F_ERR_NON_FINITE);
    assert_int_equal(s2f_pipeline_write(pipeline, pcm, 800, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_pipeline_last_error(pipeline), "no recording begun"));
    assert_int_equal(s2f_pipeline_finish(pipeline, feature, 12), S2F_ERR_INVALID_ARGUMENT);
    uint8_t rgb[32 * 32 * 3];
    pcm[5] = 0.0f;
    assert_int_equal(s2f_pipeline_face(pipeline, pcm, 800, 1, 16000, 0, NULL, 0, rgb, 32 * 3, 100,
                                       NULL, 0),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_pipeline_face(pipeline, pcm, 800, 1, 16000, 0, NULL, 0, NULL, 32 * 3,
                                       sizeof rgb, NULL, 0),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_search(pipeline, NULL, pcm, 800, 1, 16000, 0, 3, NULL, NULL,
                                         NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    s2f_pipeline_free(pipeline);
}

/* By default a recording with too little speech is refused by every call, with the
 * measurement in the message; 0 s turns the check off. */
static void recordings_without_speech_are_refused(void **state)
{
    (void)state;
    s2f_pipeline *pipeline = NULL;
    assert_int_equal(s2f_pipeline_create(model, &pipeline), S2F_OK);
    const size_t frames = 6 * 16000;
    float *silence = calloc(frames, sizeof(float));
    float *tones = interleaved_audio(frames, 1, 16000.0);
    assert_non_null(silence);
    float feature[12];
    uint8_t rgb[32 * 32 * 3];
    int64_t ids[2];
    size_t found = 0;
    assert_int_equal(s2f_pipeline_encode(pipeline, silence, frames, 1, 16000, 0, feature, 12),
                     S2F_ERR_NO_SPEECH);
    assert_non_null(strstr(s2f_pipeline_last_error(pipeline), "0.00 s of speech in 6.00 s"));
    assert_int_equal(s2f_pipeline_encode(pipeline, tones, frames, 1, 16000, 1, feature, 12),
                     S2F_ERR_NO_SPEECH);
    assert_int_equal(s2f_pipeline_face(pipeline, silence, frames, 1, 16000, 0, NULL, 0, rgb,
                                       32 * 3, sizeof rgb, NULL, 0),
                     S2F_ERR_NO_SPEECH);
    s2f_face_index *index = NULL;
    s2f_face_index_params params = s2f_face_index_default_params();
    params.dim = 12;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_OK);
    assert_int_equal(s2f_pipeline_search(pipeline, index, silence, frames, 1, 16000, 0, 2, ids,
                                         NULL, &found),
                     S2F_ERR_NO_SPEECH);
    /* streamed: finish says it */
    assert_int_equal(s2f_pipeline_begin(pipeline, 1, 16000, 0), S2F_OK);
    assert_int_equal(s2f_pipeline_write(pipeline, silence, frames, NULL), S2F_OK);
    assert_int_equal(s2f_pipeline_finish(pipeline, feature, 12), S2F_ERR_NO_SPEECH);
    /* off */
    assert_int_equal(s2f_pipeline_set_min_speech(pipeline, -1.0), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_set_min_speech(pipeline, NAN), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_set_min_speech(NULL, 0.0), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_pipeline_set_min_speech(pipeline, 0.0), S2F_OK);
    assert_int_equal(s2f_pipeline_encode(pipeline, silence, frames, 1, 16000, 0, feature, 12),
                     S2F_OK);
    s2f_face_index_free(index);
    s2f_pipeline_free(pipeline);
    free(silence);
    free(tones);
}

int main(void)
{
    if (tiny_model_load(TINY_MODEL_PIPELINE, 3u, &model) != S2F_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(features_equal_the_handles_called_by_hand),
        cmocka_unit_test(face_and_search_equal_decoder_and_index),
        cmocka_unit_test(misuse_is_named),
        cmocka_unit_test(recordings_without_speech_are_refused),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    s2f_model_free(model);
    return failed;
}
