/* s2f_spectrogram_stream against the one-shot calls on the whole signal: bit-identical clips
 * (compute_segments) and frames (compute with clip_seconds <= 0) for every rate class (none,
 * integer and fractional resampling), lengths below, at and far above one clip, and pieces from
 * one sample to the whole signal; its bounded memory; and every misuse, named. */
#include "synthetic.h"

#include <speech2face.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const double rates[] = {16000.0, 8000.0, 44100.0, 22050.0, 48000.0, 11025.0};

static s2f_spectrogram_params params_at(double rate, double clip_seconds)
{
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    p.sample_rate = rate;
    p.clip_seconds = clip_seconds;
    return p;
}

/* Streams `x` in pieces of `piece` samples (0: pieces cycling through awkward sizes), reading
 * after every write; returns every frame read, concatenated (malloc'd), and their count. */
static float *stream_all(const s2f_spectrogram_params *p, const float *x, size_t n, size_t piece,
                         size_t *frames_total)
{
    s2f_spectrogram_stream *stream = NULL;
    assert_int_equal(s2f_spectrogram_stream_create(p, &stream), S2F_OK);
    const size_t per_frame = 257 * 2, room_frames = 700;
    float *out = NULL, *buffer = malloc(sizeof(float) * per_frame * room_frames);
    assert_non_null(buffer);
    size_t total = 0;
    static const size_t awkward[] = {1, 7, 159, 160, 161, 4096, 16385, 40000, 3};
    size_t done = 0, turn = 0;
    for (int finishing = 0; finishing < 2; ++finishing) {
        while (finishing || done < n) {
            if (!finishing) {
                size_t take = piece ? piece : awkward[turn++ % 9];
                if (take > n - done)
                    take = n - done;
                assert_int_equal(s2f_spectrogram_stream_write(stream, x + done, take), S2F_OK);
                done += take;
            }
            size_t frames;
            do {
                assert_int_equal(s2f_spectrogram_stream_read(stream, buffer,
                                                             per_frame * room_frames, &frames),
                                 S2F_OK);
                if (frames) {
                    out = realloc(out, sizeof(float) * per_frame * (total + frames));
                    assert_non_null(out);
                    memcpy(out + per_frame * total, buffer, sizeof(float) * per_frame * frames);
                    total += frames;
                }
            } while (frames);
            if (finishing)
                break;
        }
        if (!finishing)
            assert_int_equal(s2f_spectrogram_stream_finish(stream), S2F_OK);
    }
    free(buffer);
    s2f_spectrogram_stream_free(stream);
    *frames_total = total;
    return out;
}

static void assert_same_as_one_shot(double rate, double seconds, double clip_seconds,
                                    size_t piece)
{
    size_t n = (size_t)llround(rate * seconds);
    float *x = synthetic_lcg_noise(n, 7, 2);
    assert_non_null(x);
    s2f_spectrogram_params p = params_at(rate, clip_seconds);
    s2f_spectrogram *spectrogram = NULL;
    assert_int_equal(s2f_spectrogram_create(&p, &spectrogram), S2F_OK);
    size_t frames = 0, bins = 0, count = 1;
    assert_int_equal(s2f_spectrogram_shape(spectrogram, n, &frames, &bins), S2F_OK);
    if (clip_seconds > 0)
        assert_int_equal(s2f_spectrogram_segment_count(spectrogram, n, &count), S2F_OK);
    size_t floats = count * frames * bins * 2;
    float *expected = malloc(sizeof(float) * floats);
    assert_non_null(expected);
    assert_int_equal(clip_seconds > 0
                         ? s2f_spectrogram_compute_segments(spectrogram, x, n, expected, floats,
                                                            NULL)
                         : s2f_spectrogram_compute(spectrogram, x, n, expected, floats, NULL),
                     S2F_OK);
    size_t streamed_frames = 0;
    float *streamed = stream_all(&p, x, n, piece, &streamed_frames);
    assert_int_equal(streamed_frames, count * frames);
    assert_memory_equal(streamed, expected, sizeof(float) * floats);
    free(streamed);
    free(expected);
    s2f_spectrogram_free(spectrogram);
    free(x);
}

static void clips_equal_compute_segments(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof rates / sizeof *rates; ++r) {
        assert_same_as_one_shot(rates[r], 20.3, 6.0, 0);      /* 5 clips, awkward pieces */
        assert_same_as_one_shot(rates[r], 13.0, 6.0, 100000); /* large pieces */
        assert_same_as_one_shot(rates[r], 2.5, 6.0, 1000);    /* one tiled clip at finish */
        assert_same_as_one_shot(rates[r], 6.0, 6.0, 0);       /* exactly one clip */
    }
    assert_same_as_one_shot(44100.0, 9.0, 6.0, 1); /* one sample at a time */
}

static void frames_equal_compute_whole(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof rates / sizeof *rates; ++r) {
        assert_same_as_one_shot(rates[r], 11.7, 0.0, 0);
        assert_same_as_one_shot(rates[r], 0.05, 0.0, 0); /* a few frames */
    }
    assert_same_as_one_shot(16000.0, 3.0, 0.0, 3 * 16000); /* one piece */
}

/* Clips come out while the audio goes in: the first one a second after its 6 s have arrived
 * (soxr's filter delay), then one per 3 s hop, the last at finish; 10 minutes in 1 s pieces.
 * (The memory this bounds is measured on the CLI: tests/cli/test_cli.py.) */
static void clips_arrive_as_soon_as_their_audio_has(void **state)
{
    (void)state;
    s2f_spectrogram_params p = params_at(44100.0, 6.0);
    s2f_spectrogram_stream *stream = NULL;
    assert_int_equal(s2f_spectrogram_stream_create(&p, &stream), S2F_OK);
    float *piece = synthetic_lcg_noise(44100, 3, 2), *clip = malloc(sizeof(float) * 598 * 514);
    assert_non_null(piece);
    assert_non_null(clip);
    size_t frames = 0, clips = 0;
    for (int second = 1; second <= 600; ++second) { /* 10 minutes */
        assert_int_equal(s2f_spectrogram_stream_write(stream, piece, 44100), S2F_OK);
        do {
            assert_int_equal(s2f_spectrogram_stream_read(stream, clip, 598 * 514, &frames),
                             S2F_OK);
            clips += frames ? 1 : 0;
        } while (frames);
        if (second == 6)
            assert_int_equal(clips, 0); /* soxr still holds the last filter delay */
        if (second == 7)
            assert_int_equal(clips, 1);
    }
    assert_int_equal(clips, 198); /* k·3 + 6 <= 600 s less the filter delay: k < 198 */
    assert_int_equal(s2f_spectrogram_stream_finish(stream), S2F_OK);
    do {
        assert_int_equal(s2f_spectrogram_stream_read(stream, clip, 598 * 514, &frames), S2F_OK);
        clips += frames ? 1 : 0;
    } while (frames);
    assert_int_equal(clips, 199); /* 1 + (600 - 6) / 3 */
    free(clip);
    free(piece);
    s2f_spectrogram_stream_free(stream);
}

static void misuse_is_named(void **state)
{
    (void)state;
    s2f_spectrogram_stream_free(NULL);
    assert_string_equal(s2f_spectrogram_stream_last_error(NULL), "");
    assert_int_equal(s2f_spectrogram_stream_create(NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    s2f_spectrogram_params bad = params_at(1000.0, 6.0);
    s2f_spectrogram_stream *stream = (s2f_spectrogram_stream *)&bad;
    assert_int_equal(s2f_spectrogram_stream_create(&bad, &stream), S2F_ERR_INVALID_ARGUMENT);
    assert_null(stream);

    s2f_spectrogram_params p = params_at(16000.0, 6.0);
    assert_int_equal(s2f_spectrogram_stream_create(&p, &stream), S2F_OK);
    float out[514], sample = 0.5f;
    size_t frames = 99;
    assert_int_equal(s2f_spectrogram_stream_finish(stream), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_stream_last_error(stream), "less than one sample"));
    assert_int_equal(s2f_spectrogram_stream_write(NULL, &sample, 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_stream_write(stream, NULL, 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_stream_write(stream, NULL, 0), S2F_OK);
    float nan_piece[2] = {0.1f, NAN};
    assert_int_equal(s2f_spectrogram_stream_write(stream, nan_piece, 2), S2F_ERR_NON_FINITE);
    assert_non_null(strstr(s2f_spectrogram_stream_last_error(stream), "NaN"));
    assert_int_equal(s2f_spectrogram_stream_write(stream, &sample, 1), S2F_OK); /* still usable */
    assert_int_equal(s2f_spectrogram_stream_read(stream, NULL, 514, &frames),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_stream_read(stream, out, 514, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_stream_read(stream, out, 514, &frames),
                     S2F_ERR_BUFFER_TOO_SMALL); /* a clip is 598 frames */
    assert_int_equal(frames, 0);
    assert_int_equal(s2f_spectrogram_stream_finish(stream), S2F_OK);
    assert_int_equal(s2f_spectrogram_stream_finish(stream), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_stream_write(stream, &sample, 1), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_stream_last_error(stream), "already finished"));
    s2f_spectrogram_stream_free(stream);

    /* Whole-signal mode: fewer samples than one window cannot finish. */
    p = params_at(16000.0, 0.0);
    assert_int_equal(s2f_spectrogram_stream_create(&p, &stream), S2F_OK);
    float few[399] = {0};
    assert_int_equal(s2f_spectrogram_stream_write(stream, few, 399), S2F_OK);
    assert_int_equal(s2f_spectrogram_stream_read(stream, out, 100, &frames),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_spectrogram_stream_read(stream, out, 514, &frames), S2F_OK);
    assert_int_equal(frames, 0);
    assert_int_equal(s2f_spectrogram_stream_finish(stream), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_stream_last_error(stream), "fewer than one window"));
    s2f_spectrogram_stream_free(stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clips_equal_compute_segments),
        cmocka_unit_test(frames_equal_compute_whole),
        cmocka_unit_test(clips_arrive_as_soon_as_their_audio_has),
        cmocka_unit_test(misuse_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
