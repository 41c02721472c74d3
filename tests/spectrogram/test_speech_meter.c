/* s2f_speech_meter / s2f_speech_measure on synthetic signals: what is not speech (digital
 * silence, white noise, a tone, a sweep, hum, a fraction of a second) measures under the
 * pipeline's 0.5 s, and a voice-like signal (a gliding harmonic series switched on and off at a
 * syllable rate) measures as speech, in one piece or many, at any rate. Real clips are checked
 * against the numpy reference in tests/spectrogram/speech_oracle.py. */
#include "speech2face.h"
#include "synthetic.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A crude voice: f0 gliding 110–190 Hz, 25 harmonics falling 6 dB per octave, voiced for 180 ms
 * of every 250 ms with 20 ms ramps (syllables), plus faint noise. */
static float *voice_like(double rate, double seconds, size_t *n)
{
    *n = (size_t)(rate * seconds);
    float *x = malloc(sizeof(float) * *n);
    assert_non_null(x);
    double phase = 0.0;
    uint32_t state = 7;
    for (size_t i = 0; i < *n; ++i) {
        double t = (double)i / rate;
        double f0 = 150.0 + 40.0 * sin(2 * M_PI * 0.7 * t);
        phase += 2 * M_PI * f0 / rate;
        double sample = 0.0;
        for (int k = 1; k <= 25 && k * f0 < rate / 2; ++k)
            sample += sin(k * phase) / k;
        double within = fmod(t, 0.25);
        double gate = within < 0.18 ? fmin(1.0, fmin(within, 0.18 - within) / 0.02) : 0.0;
        state = state * 1103515245u + 12345u;
        double noise = ((double)(state >> 8) / 16777216.0 - 0.5) * 0.002;
        x[i] = (float)(0.2 * gate * sample + noise);
    }
    return x;
}

static s2f_speech_report measure(const float *x, size_t n, double rate)
{
    s2f_speech_report report = {.size = sizeof report};
    assert_int_equal(s2f_speech_measure(x, n, rate, &report), S2F_OK);
    assert_true(fabs(report.seconds - (double)n / rate) < 1e-9);
    return report;
}

static void voice_like_audio_is_speech(void **state)
{
    (void)state;
    const double rates[] = {16000.0, 44100.0, 8000.0};
    for (size_t r = 0; r < 3; ++r) {
        size_t n;
        float *x = voice_like(rates[r], 6.0, &n);
        s2f_speech_report report = measure(x, n, rates[r]);
        /* 72 % of the time is voiced; the ramps and the faint gaps are not all counted */
        if (!(report.speech_seconds > 3.0 && report.speech_seconds <= 6.0 &&
              report.modulation_db > 2.0))
            fail_msg("voice-like at %g Hz: %.2f s of speech, envelope %.1f dB", rates[r],
                     report.speech_seconds, report.modulation_db);
        free(x);
    }
}

static void what_is_not_speech_measures_under_half_a_second(void **state)
{
    (void)state;
    const double rate = 16000.0;
    const size_t n = 6 * 16000;
    float *silence = calloc(n, sizeof(float));
    float *tone = malloc(sizeof(float) * n), *hum = malloc(sizeof(float) * n);
    assert_true(silence && tone && hum);
    for (size_t i = 0; i < n; ++i) {
        double t = (double)i / rate;
        tone[i] = (float)(0.3 * sin(2 * M_PI * 440.0 * t));
        double h = 0.0;
        for (int k = 1; k < 20; ++k)
            h += 0.1 / k * sin(2 * M_PI * 50.0 * k * t);
        hum[i] = (float)h;
    }
    float *noise = synthetic_lcg_noise(n, 99u, 2); /* white, about −20 dB */
    size_t sweep_n;
    float *sweep = synthetic_sweep(rate, 6.0, 100.0, 3700.0, 0.3, 0.05, 1, &sweep_n);
    struct { const char *name; const float *x; size_t n; } cases[] = {
        {"silence", silence, n}, {"tone", tone, n}, {"hum", hum, n},
        {"white noise", noise, n}, {"sweep", sweep, sweep_n},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        s2f_speech_report report = measure(cases[c].x, cases[c].n, rate);
        if (report.speech_seconds >= 0.1)
            fail_msg("%s measured %.2f s of speech", cases[c].name, report.speech_seconds);
    }
    assert_true(measure(silence, n, rate).modulation_db == 0.0);
    /* A fraction of a second of voice, and less than one window */
    size_t voice_n;
    float *voice = voice_like(rate, 6.0, &voice_n);
    assert_true(measure(voice, 1600, rate).speech_seconds < 0.5);
    assert_true(measure(voice, 100, rate).speech_seconds == 0.0);
    assert_true(measure(voice, 1, rate).speech_seconds == 0.0);
    free(silence);
    free(tone);
    free(hum);
    free(noise);
    free(sweep);
    free(voice);
}

static void pieces_give_the_one_call_report(void **state)
{
    (void)state;
    size_t n;
    float *x = voice_like(22050.0, 7.3, &n);
    s2f_speech_report whole = measure(x, n, 22050.0);
    s2f_speech_meter *meter = NULL;
    assert_int_equal(s2f_speech_meter_create(22050.0, &meter), S2F_OK);
    for (size_t at = 0, piece = 1; at < n; at += piece, piece = piece * 3 + 7) {
        size_t take = n - at < piece ? n - at : piece;
        assert_int_equal(s2f_speech_meter_write(meter, x + at, take), S2F_OK);
    }
    assert_int_equal(s2f_speech_meter_write(meter, x, 0), S2F_OK);
    s2f_speech_report report = {.size = sizeof report};
    assert_int_equal(s2f_speech_meter_finish(meter, &report), S2F_OK);
    assert_memory_equal(&report, &whole, sizeof report);
    s2f_speech_meter_free(meter);
    free(x);
}

static void misuse_is_named(void **state)
{
    (void)state;
    s2f_speech_meter *meter = NULL;
    s2f_speech_report report = {.size = sizeof report};
    float x[800] = {0};
    assert_int_equal(s2f_speech_meter_create(16000.0, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_speech_meter_create(100.0, &meter), S2F_ERR_INVALID_ARGUMENT);
    assert_null(meter);
    assert_int_equal(s2f_speech_measure(NULL, 10, 16000.0, &report), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_speech_measure(x, 800, 16000.0, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_speech_meter_create(16000.0, &meter), S2F_OK);
    assert_int_equal(s2f_speech_meter_write(meter, NULL, 5), S2F_ERR_INVALID_ARGUMENT);
    x[3] = NAN;
    assert_int_equal(s2f_speech_meter_write(meter, x, 800), S2F_ERR_NON_FINITE);
    assert_true(strlen(s2f_speech_meter_last_error(meter)) > 0);
    x[3] = 0.0f;
    s2f_speech_report small = {.size = 8};
    assert_int_equal(s2f_speech_meter_finish(meter, &small), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_speech_meter_last_error(meter), "size"));
    assert_int_equal(s2f_speech_meter_finish(meter, &report), S2F_OK);
    assert_int_equal(s2f_speech_meter_finish(meter, &report), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_speech_meter_write(meter, x, 800), S2F_ERR_INVALID_ARGUMENT);
    s2f_speech_meter_free(meter);
    s2f_speech_meter_free(NULL);
    assert_string_equal(s2f_speech_meter_last_error(NULL), "");
    assert_string_equal(s2f_status_name(S2F_ERR_NO_SPEECH), "S2F_ERR_NO_SPEECH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(voice_like_audio_is_speech),
        cmocka_unit_test(what_is_not_speech_measures_under_half_a_second),
        cmocka_unit_test(pieces_give_the_one_call_report),
        cmocka_unit_test(misuse_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
