/* The public spectrogram API through the shared library: defaults and shape, every bad input
 * (named status, message, outputs untouched), segments of long audio, resampling behaviour,
 * downmix. Numbers against the reference are in test_spectrogram_golden.c. */
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

#define PAPER_FRAMES 598
#define PAPER_BINS 257
#define PAPER_FLOATS (PAPER_FRAMES * PAPER_BINS * 2)

static s2f_spectrogram *make(const s2f_spectrogram_params *params)
{
    s2f_spectrogram *handle = NULL;
    assert_int_equal(s2f_spectrogram_create(params, &handle), S2F_OK);
    assert_non_null(handle);
    return handle;
}

static float *noise(size_t n)
{
    float *x = synthetic_lcg_noise(n, 99, 1);
    assert_non_null(x);
    return x;
}

static void defaults_are_the_papers(void **state)
{
    (void)state;
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    assert_int_equal(p.size, sizeof p);
    assert_true(p.sample_rate == 16000.0 && p.clip_seconds == 6.0 && p.exponent == 0.3);
    assert_int_equal(p.window, 400);
    assert_int_equal(p.hop, 160);
    assert_int_equal(p.fft_size, 512);
    assert_int_equal(p.analysis_rate, 16000);
    s2f_spectrogram *h = make(NULL);
    s2f_spectrogram_params effective;
    assert_int_equal(s2f_spectrogram_get_params(h, &effective), S2F_OK);
    assert_memory_equal(&effective, &p, sizeof p);
    /* 6 s clips always give T = 1 + (96000 - 400) / 160 = 598, whatever the input length. */
    size_t lengths[] = {1, 400, 32000, 96000, 96001, 16000 * 60};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; ++i) {
        size_t frames = 0, bins = 0;
        assert_int_equal(s2f_spectrogram_shape(h, lengths[i], &frames, &bins), S2F_OK);
        assert_int_equal(frames, PAPER_FRAMES);
        assert_int_equal(bins, PAPER_BINS);
    }
    assert_int_equal(s2f_spectrogram_shape(h, 96000, NULL, NULL), S2F_OK);
    s2f_spectrogram_free(h);
    s2f_spectrogram_free(NULL);
    assert_string_equal(s2f_spectrogram_last_error(NULL), "");
}

static void whole_signal_mode_follows_the_t_formula(void **state)
{
    (void)state;
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    p.clip_seconds = 0.0;
    s2f_spectrogram *h = make(&p);
    size_t frames;
    assert_int_equal(s2f_spectrogram_shape(h, 400, &frames, NULL), S2F_OK);
    assert_int_equal(frames, 1);
    assert_int_equal(s2f_spectrogram_shape(h, 559, &frames, NULL), S2F_OK);
    assert_int_equal(frames, 1);
    assert_int_equal(s2f_spectrogram_shape(h, 560, &frames, NULL), S2F_OK);
    assert_int_equal(frames, 2);
    assert_int_equal(s2f_spectrogram_shape(h, 160000, &frames, NULL), S2F_OK);
    assert_int_equal(frames, 1 + (160000 - 400) / 160);
    /* Shorter than one window: nothing to tile with, so an error, not an empty result. */
    assert_int_equal(s2f_spectrogram_shape(h, 399, &frames, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_last_error(h), "fewer than one window"));
    /* At 48 kHz the length is counted after resampling: 48000 → 16000 samples → 98 frames. */
    p.sample_rate = 48000.0;
    s2f_spectrogram *h48 = make(&p);
    assert_int_equal(s2f_spectrogram_shape(h48, 48000, &frames, NULL), S2F_OK);
    assert_int_equal(frames, 98);
    float *x = noise(48000);
    size_t floats = 98 * PAPER_BINS * 2, frames_out = 0;
    float *out = malloc(sizeof(float) * floats);
    assert_int_equal(s2f_spectrogram_compute(h48, x, 48000, out, floats, &frames_out), S2F_OK);
    assert_int_equal(frames_out, 98);
    free(out);
    free(x);
    s2f_spectrogram_free(h48);
    s2f_spectrogram_free(h);
}

static void bad_params_are_rejected_with_the_field_named(void **state)
{
    (void)state;
    s2f_spectrogram_params base = s2f_spectrogram_default_params();
    s2f_spectrogram_params bad[32];
    const char *expect[32];
    int n = 0;
#define BAD(field_text, statement)                                                               \
    do {                                                                                         \
        bad[n] = base;                                                                           \
        s2f_spectrogram_params *p = &bad[n];                                                     \
        statement;                                                                               \
        expect[n++] = field_text;                                                                \
    } while (0)
    BAD("sample_rate", p->sample_rate = 7999.0);
    BAD("sample_rate", p->sample_rate = 192001.0);
    BAD("sample_rate", p->sample_rate = 0.0);
    BAD("sample_rate", p->sample_rate = -16000.0);
    BAD("sample_rate", p->sample_rate = NAN);
    BAD("sample_rate", p->sample_rate = INFINITY);
    BAD("analysis_rate", p->analysis_rate = 4000);
    BAD("fft_size", p->fft_size = 511);
    BAD("fft_size", p->fft_size = 400);
    BAD("fft_size", p->fft_size = 0);
    BAD("fft_size", p->fft_size = 1 << 20);
    BAD("window", p->window = 513);
    BAD("window", p->window = 0);
    BAD("window", p->window = -400);
    BAD("hop", p->hop = 0);
    BAD("hop", p->hop = -1);
    BAD("exponent", p->exponent = 0.0);
    BAD("exponent", p->exponent = 1.5);
    BAD("exponent", p->exponent = NAN);
    BAD("clip_seconds", p->clip_seconds = NAN);
    BAD("clip_seconds", p->clip_seconds = 1e9);
    BAD("clip_seconds", p->clip_seconds = 0.01); /* 160 samples < one window */
    BAD("segment_hop_seconds", p->segment_hop_seconds = 0.0);
    BAD("segment_hop_seconds", p->segment_hop_seconds = -1.0);
    BAD("segment_hop_seconds", p->segment_hop_seconds = INFINITY);
    BAD("segment_hop_seconds", p->segment_hop_seconds = 1e-6);
#undef BAD
    for (int i = 0; i < n; ++i) {
        s2f_spectrogram *h = (s2f_spectrogram *)&bad[i]; /* any non-NULL value: must be reset */
        assert_int_equal(s2f_spectrogram_create(&bad[i], &h), S2F_ERR_INVALID_ARGUMENT);
        assert_null(h);
        if (!strstr(s2f_last_error_message(), expect[i]))
            fail_msg("case %d: message '%s' does not name %s", i, s2f_last_error_message(),
                     expect[i]);
    }
    assert_int_equal(s2f_spectrogram_create(NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    /* Struct-size versioning: too small to be real, or from a newer header. */
    s2f_spectrogram_params p = base;
    s2f_spectrogram *h = NULL;
    p.size = 3;
    assert_int_equal(s2f_spectrogram_create(&p, &h), S2F_ERR_INVALID_ARGUMENT);
    p.size = sizeof p + 8;
    assert_int_equal(s2f_spectrogram_create(&p, &h), S2F_ERR_UNSUPPORTED_VERSION);
    /* An older caller that only knew the fields up to sample_rate gets defaults for the rest. */
    p = base;
    p.size = offsetof(s2f_spectrogram_params, clip_seconds);
    p.sample_rate = 22050.0;
    p.window = -5; /* beyond the old size: must be ignored */
    h = make(&p);
    s2f_spectrogram_params effective;
    assert_int_equal(s2f_spectrogram_get_params(h, &effective), S2F_OK);
    assert_true(effective.sample_rate == 22050.0);
    assert_int_equal(effective.window, 400);
    assert_int_equal(effective.size, sizeof effective);
    s2f_spectrogram_free(h);
    /* The edges of the accepted ranges work. */
    p = base;
    p.sample_rate = 8000.0;
    s2f_spectrogram_free(make(&p));
    p.sample_rate = 192000.0;
    s2f_spectrogram_free(make(&p));
    p.exponent = 1.0;
    s2f_spectrogram_free(make(&p));
}

static void bad_inputs_get_named_errors_and_leave_out_untouched(void **state)
{
    (void)state;
    s2f_spectrogram *h = make(NULL);
    float *x = noise(16000);
    float *out = malloc(sizeof(float) * PAPER_FLOATS);
    for (size_t i = 0; i < PAPER_FLOATS; ++i)
        out[i] = 42.0f;
    size_t frames = 12345;
    assert_int_equal(s2f_spectrogram_compute(NULL, x, 16000, out, PAPER_FLOATS, &frames),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_compute(h, NULL, 16000, out, PAPER_FLOATS, &frames),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_last_error(h), "pcm is NULL"));
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, NULL, PAPER_FLOATS, &frames),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_compute(h, x, 0, out, PAPER_FLOATS, &frames),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_last_error(h), "n_samples is 0"));
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, PAPER_FLOATS - 1, &frames),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_non_null(strstr(s2f_spectrogram_last_error(h), "needs 307372"));
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, 0, &frames),
                     S2F_ERR_BUFFER_TOO_SMALL);
    float saved = x[777];
    x[777] = NAN;
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, PAPER_FLOATS, &frames),
                     S2F_ERR_NON_FINITE);
    assert_non_null(strstr(s2f_spectrogram_last_error(h), "pcm[777] is NaN"));
    x[777] = saved;
    x[15999] = -INFINITY; /* past the first 6 s would not matter; at the end of a 1 s input */
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, PAPER_FLOATS, &frames),
                     S2F_ERR_NON_FINITE);
    assert_non_null(strstr(s2f_spectrogram_last_error(h), "infinite"));
    for (size_t i = 0; i < PAPER_FLOATS; ++i)
        if (out[i] != 42.0f)
            fail_msg("out[%zu] was written by a failing call", i);
    assert_int_equal(frames, 12345);
    /* The handle still works after all that. */
    x[15999] = 0.0f;
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, PAPER_FLOATS, &frames), S2F_OK);
    assert_int_equal(frames, PAPER_FRAMES);
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, PAPER_FLOATS, NULL), S2F_OK);
    assert_int_equal(s2f_spectrogram_get_params(h, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_get_params(NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_shape(NULL, 100, NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_shape(h, 0, NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    free(out);
    free(x);
    s2f_spectrogram_free(h);
}

static void huge_but_finite_samples_do_not_produce_nan(void **state)
{
    (void)state;
    /* ±3e38 per sample: spectral values beyond FLT_MAX must still compress to finite floats. */
    s2f_spectrogram *h = make(NULL);
    float *x = malloc(sizeof(float) * 16000);
    for (size_t i = 0; i < 16000; ++i)
        x[i] = (i % 3 == 0) ? 3e38f : -3e38f;
    float *out = malloc(sizeof(float) * PAPER_FLOATS);
    assert_int_equal(s2f_spectrogram_compute(h, x, 16000, out, PAPER_FLOATS, NULL), S2F_OK);
    for (size_t i = 0; i < PAPER_FLOATS; ++i)
        assert_true(isfinite(out[i]));
    /* Resampling such input overflows soxr's float arithmetic or not; either way no NaN out. */
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    p.sample_rate = 48000.0;
    s2f_spectrogram *h48 = make(&p);
    s2f_status status = s2f_spectrogram_compute(h48, x, 16000, out, PAPER_FLOATS, NULL);
    assert_true(status == S2F_OK || status == S2F_ERR_NON_FINITE);
    if (status == S2F_OK)
        for (size_t i = 0; i < PAPER_FLOATS; ++i)
            assert_true(isfinite(out[i]));
    s2f_spectrogram_free(h48);

    /* Without compression (exponent 1) the same samples would overflow: refused up front, with
     * `out` untouched, while ordinary amplitudes still work. */
    p = s2f_spectrogram_default_params();
    p.exponent = 1.0;
    s2f_spectrogram *linear = make(&p);
    for (size_t i = 0; i < PAPER_FLOATS; ++i)
        out[i] = 7.0f;
    assert_int_equal(s2f_spectrogram_compute(linear, x, 16000, out, PAPER_FLOATS, NULL),
                     S2F_ERR_NON_FINITE);
    assert_non_null(strstr(s2f_spectrogram_last_error(linear), "too large"));
    for (size_t i = 0; i < PAPER_FLOATS; ++i)
        assert_true(out[i] == 7.0f);
    for (size_t i = 0; i < 16000; ++i)
        x[i] = (i % 3 == 0) ? 0.5f : -0.5f;
    assert_int_equal(s2f_spectrogram_compute(linear, x, 16000, out, PAPER_FLOATS, NULL), S2F_OK);
    s2f_spectrogram_free(linear);
    free(out);
    free(x);
    s2f_spectrogram_free(h);
}

static void tiny_inputs_are_tiled_or_rejected(void **state)
{
    (void)state;
    s2f_spectrogram *h = make(NULL);
    float *out = malloc(sizeof(float) * PAPER_FLOATS);
    float one = 0.25f;
    /* One sample tiled to 6 s is a constant signal: DC = 0.25 · Σ Hann = 0.25 · 200 exactly
     * (periodic Hann(400) sums to 200), no imaginary DC part, and every frame identical. */
    assert_int_equal(s2f_spectrogram_compute(h, &one, 1, out, PAPER_FLOATS, NULL), S2F_OK);
    assert_true(fabs(out[0] - pow(0.25 * 200.0, 0.3)) < 1e-5);
    assert_true(out[1] == 0.0f);
    for (size_t t = 1; t < PAPER_FRAMES; ++t)
        assert_memory_equal(out + t * PAPER_BINS * 2, out, sizeof(float) * PAPER_BINS * 2);
    /* At 192 kHz one sample is 1/12 of a sample at 16 kHz: nothing to analyse. */
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    p.sample_rate = 192000.0;
    s2f_spectrogram *h192 = make(&p);
    float few[5] = {0};
    assert_int_equal(s2f_spectrogram_compute(h192, few, 5, out, PAPER_FLOATS, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_last_error(h192), "less than one sample"));
    s2f_spectrogram_free(h192);
    free(out);
    s2f_spectrogram_free(h);
}

/* Tiling: a 2 s clip's spectrogram equals that of the clip written out three times. */
static void short_clip_equals_its_explicit_repetition(void **state)
{
    (void)state;
    s2f_spectrogram *h = make(NULL);
    float *x = noise(32000);
    float *tiled = malloc(sizeof(float) * 96000);
    for (size_t i = 0; i < 96000; ++i)
        tiled[i] = x[i % 32000];
    float *a = malloc(sizeof(float) * PAPER_FLOATS), *b = malloc(sizeof(float) * PAPER_FLOATS);
    assert_int_equal(s2f_spectrogram_compute(h, x, 32000, a, PAPER_FLOATS, NULL), S2F_OK);
    assert_int_equal(s2f_spectrogram_compute(h, tiled, 96000, b, PAPER_FLOATS, NULL), S2F_OK);
    assert_memory_equal(a, b, sizeof(float) * PAPER_FLOATS);
    /* And only the first 6 s of a longer input count. */
    float *longer = malloc(sizeof(float) * 200000);
    memcpy(longer, tiled, sizeof(float) * 96000);
    for (size_t i = 96000; i < 200000; ++i)
        longer[i] = 0.5f;
    assert_int_equal(s2f_spectrogram_compute(h, longer, 200000, a, PAPER_FLOATS, NULL), S2F_OK);
    assert_memory_equal(a, b, sizeof(float) * PAPER_FLOATS);
    free(longer);
    free(a);
    free(b);
    free(tiled);
    free(x);
    s2f_spectrogram_free(h);
}

static void segments_equal_spectrograms_of_the_slices(void **state)
{
    (void)state;
    s2f_spectrogram *h = make(NULL);
    const size_t n = 16000 * 13 + 1234; /* 13.08 s: clips at 0, 3, 6 s; 7.08 s left over */
    float *x = noise(n);
    size_t count = 0;
    assert_int_equal(s2f_spectrogram_segment_count(h, n, &count), S2F_OK);
    assert_int_equal(count, 3);
    assert_int_equal(s2f_spectrogram_segment_count(h, 96000, &count), S2F_OK);
    assert_int_equal(count, 1);
    assert_int_equal(s2f_spectrogram_segment_count(h, 16000, &count), S2F_OK);
    assert_int_equal(count, 1); /* one tiled clip */
    assert_int_equal(s2f_spectrogram_segment_count(h, 96000 + 47999, &count), S2F_OK);
    assert_int_equal(count, 1);
    assert_int_equal(s2f_spectrogram_segment_count(h, 96000 + 48000, &count), S2F_OK);
    assert_int_equal(count, 2);

    float *all = malloc(sizeof(float) * PAPER_FLOATS * 3);
    float *one = malloc(sizeof(float) * PAPER_FLOATS);
    size_t segments = 0;
    assert_int_equal(s2f_spectrogram_compute_segments(h, x, n, all, PAPER_FLOATS * 3 - 1,
                                                      &segments),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(segments, 0);
    assert_int_equal(s2f_spectrogram_compute_segments(h, x, n, all, PAPER_FLOATS * 3, &segments),
                     S2F_OK);
    assert_int_equal(segments, 3);
    for (size_t s = 0; s < 3; ++s) {
        assert_int_equal(s2f_spectrogram_compute(h, x + s * 48000, 96000, one, PAPER_FLOATS, NULL),
                         S2F_OK);
        assert_memory_equal(one, all + s * PAPER_FLOATS, sizeof(float) * PAPER_FLOATS);
    }
    /* Bad input as for compute, plus: segments need a clip length. */
    x[n - 1] = NAN;
    assert_int_equal(s2f_spectrogram_compute_segments(h, x, n, all, PAPER_FLOATS * 3, NULL),
                     S2F_ERR_NON_FINITE);
    assert_int_equal(s2f_spectrogram_compute_segments(h, NULL, n, all, PAPER_FLOATS * 3, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_compute_segments(h, x, 0, all, PAPER_FLOATS * 3, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_spectrogram_segment_count(h, n, NULL), S2F_ERR_INVALID_ARGUMENT);
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    p.clip_seconds = 0.0;
    s2f_spectrogram *whole = make(&p);
    assert_int_equal(s2f_spectrogram_segment_count(whole, n, &count), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_spectrogram_last_error(whole), "clip_seconds > 0"));
    s2f_spectrogram_free(whole);
    free(all);
    free(one);
    free(x);
    s2f_spectrogram_free(h);
}

/* Resampling: a long input whose first 6 s are used gives the same result as just the first
 * 7 s (soxr is streamed, so what follows the clip cannot matter beyond its filter length), and
 * a handle reused across calls gives identical results (its state is reset). */
static void resampled_clip_does_not_depend_on_what_follows(void **state)
{
    (void)state;
    s2f_spectrogram_params p = s2f_spectrogram_default_params();
    p.sample_rate = 44100.0;
    s2f_spectrogram *h = make(&p);
    size_t n;
    float *x = synthetic_sweep(44100.0, 30.0, 50.0, 7000.0, 0.5, 0.0, 1, &n);
    float *a = malloc(sizeof(float) * PAPER_FLOATS), *b = malloc(sizeof(float) * PAPER_FLOATS);
    assert_int_equal(s2f_spectrogram_compute(h, x, n, a, PAPER_FLOATS, NULL), S2F_OK);
    assert_int_equal(s2f_spectrogram_compute(h, x, 44100 * 7, b, PAPER_FLOATS, NULL), S2F_OK);
    assert_memory_equal(a, b, sizeof(float) * PAPER_FLOATS);
    assert_int_equal(s2f_spectrogram_compute(h, x, n, b, PAPER_FLOATS, NULL), S2F_OK);
    assert_memory_equal(a, b, sizeof(float) * PAPER_FLOATS);
    /* Segments of the resampled signal: the first equals the single-clip result. */
    size_t count = 0;
    assert_int_equal(s2f_spectrogram_segment_count(h, n, &count), S2F_OK);
    assert_int_equal(count, 9); /* 30 s: clips at 0, 3, …, 24 s */
    float *all = malloc(sizeof(float) * PAPER_FLOATS * count);
    assert_int_equal(s2f_spectrogram_compute_segments(h, x, n, all, PAPER_FLOATS * count, NULL),
                     S2F_OK);
    assert_memory_equal(a, all, sizeof(float) * PAPER_FLOATS);
    free(all);
    free(a);
    free(b);
    free(x);
    s2f_spectrogram_free(h);
}

/* Every supported rate produces a sane spectrogram of a 1 kHz tone: the peak in bin 32. */
static void tone_peaks_at_the_right_bin_for_every_rate(void **state)
{
    (void)state;
    const double rates[] = {8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000, 192000};
    float *out = malloc(sizeof(float) * PAPER_FLOATS);
    for (size_t r = 0; r < sizeof rates / sizeof *rates; ++r) {
        size_t n;
        float *x = synthetic_sweep(rates[r], 2.0, 1000.0, 1000.0, 0.5, 0.0, 1, &n);
        s2f_spectrogram_params p = s2f_spectrogram_default_params();
        p.sample_rate = rates[r];
        s2f_spectrogram *h = make(&p);
        assert_int_equal(s2f_spectrogram_compute(h, x, n, out, PAPER_FLOATS, NULL), S2F_OK);
        const float *frame = out + 300 * PAPER_BINS * 2;
        int peak = 0;
        double best = -1.0;
        for (int k = 0; k < PAPER_BINS; ++k) {
            /* Undo the compression: |re|^0.3 and |im|^0.3 do not order bins by magnitude. */
            double magnitude = hypot(pow(fabs(frame[2 * k]), 1 / 0.3),
                                     pow(fabs(frame[2 * k + 1]), 1 / 0.3));
            if (magnitude > best) {
                best = magnitude;
                peak = k;
            }
        }
        if (peak != 32)
            fail_msg("at %g Hz the 1 kHz tone peaks in bin %d", rates[r], peak);
        s2f_spectrogram_free(h);
        free(x);
    }
    free(out);
}

static void downmix_averages_channels(void **state)
{
    (void)state;
    const float stereo[6] = {1.0f, 0.0f, 0.5f, -0.5f, -1.0f, 0.25f};
    float mono[3];
    assert_int_equal(s2f_audio_downmix(stereo, 3, 2, mono), S2F_OK);
    assert_true(mono[0] == 0.5f && mono[1] == 0.0f && mono[2] == -0.375f);
    float in_place[6];
    memcpy(in_place, stereo, sizeof stereo);
    assert_int_equal(s2f_audio_downmix(in_place, 3, 2, in_place), S2F_OK);
    assert_memory_equal(in_place, mono, sizeof mono);
    const float three[3] = {0.3f, 0.6f, 0.9f};
    assert_int_equal(s2f_audio_downmix(three, 1, 3, mono), S2F_OK);
    assert_true(fabsf(mono[0] - 0.6f) < 1e-7f);
    assert_int_equal(s2f_audio_downmix(stereo, 3, 1, mono), S2F_OK);
    assert_memory_equal(mono, stereo, sizeof mono);
    assert_int_equal(s2f_audio_downmix(NULL, 3, 2, mono), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_audio_downmix(stereo, 3, 2, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_audio_downmix(stereo, 0, 2, mono), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_audio_downmix(stereo, 3, 0, mono), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_audio_downmix(stereo, 3, -2, mono), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_audio_downmix(stereo, 3, 257, mono), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_audio_downmix(stereo, SIZE_MAX / 2, 2, mono), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_last_error_message(), "overflows"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_papers),
        cmocka_unit_test(whole_signal_mode_follows_the_t_formula),
        cmocka_unit_test(bad_params_are_rejected_with_the_field_named),
        cmocka_unit_test(bad_inputs_get_named_errors_and_leave_out_untouched),
        cmocka_unit_test(huge_but_finite_samples_do_not_produce_nan),
        cmocka_unit_test(tiny_inputs_are_tiled_or_rejected),
        cmocka_unit_test(short_clip_equals_its_explicit_repetition),
        cmocka_unit_test(segments_equal_spectrograms_of_the_slices),
        cmocka_unit_test(resampled_clip_does_not_depend_on_what_follows),
        cmocka_unit_test(tone_peaks_at_the_right_bin_for_every_rate),
        cmocka_unit_test(downmix_averages_channels),
    };
    return cmocka_run_group_tests_name("spectrogram api", tests, NULL, NULL);
}
