/* s2f_speech_meter: how much of a recording is speech, from the paper's own spectrogram (whole
 * signal, streamed, so any length runs in memory proportional to its frame count only). The rule
 * and its thresholds are in include/speech2face.h and docs/speech-detection.md; every number
 * below was measured with tools/eval/speech_rule.py, whose numpy reference of this rule
 * (speech_reference) the Python tests compare with. */
#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The paper's STFT at 16 kHz: 512-point FFT → 31.25 Hz per bin, 10 ms per frame. */
#define BAND_FIRST_BIN 3 /* 94 Hz: below is rumble and hum */
#define BAND_LAST_BIN 128 /* 4 kHz: where voiced speech keeps its harmonics */
#define FRAME_SECONDS 0.01
#define LEVEL_REFERENCE_DB 40.0 /* 10·log10(1e4): about a full-scale sine's band power */
#define ABSOLUTE_FLOOR_DB -90.0 /* below this a frame is silence, however quiet the recording */
#define BELOW_LOUD_DB 35.0      /* active: within this of the recording's 95th-percentile frame */
#define LOUD_PERCENTILE 0.95
#define MAX_FLATNESS 0.4      /* white noise ≈ 0.56; voiced speech ≈ 0.01–0.2 */
#define PEAK_HALF_WIDTH 3     /* bins either side of the strongest (a Hann main lobe) */
#define MAX_PEAK_SHARE 0.7    /* a pure tone puts > 90 % of the band there; speech < 60 % */
#define ENVELOPE_FRAMES 10    /* 100 ms loudness envelope */
#define ENVELOPE_FLOOR_DB -100.0
#define MIN_MODULATION_DB 0.8 /* real clips: ≥ 1.30 dB; steady noise, hum, tones: ≤ 0.36 dB */
#define READ_FRAMES 64

struct s2f_speech_meter {
    s2fi_error_slot error;
    s2f_spectrogram_stream *stream;
    double sample_rate, exponent;
    double window_samples; /* one analysis window, in input samples */
    size_t bins;
    uint64_t samples;
    float *block;    /* READ_FRAMES × bins × 2 */
    double *level;   /* per frame, dB */
    uint8_t *shaped; /* per frame: speech-shaped (not flat, not a single peak) */
    size_t frames, capacity;
    bool finished;
};

S2F_API void s2f_speech_meter_free(s2f_speech_meter *meter)
{
    if (!meter)
        return;
    s2f_spectrogram_stream_free(meter->stream);
    s2fi_free(meter->block);
    free(meter->level);
    free(meter->shaped);
    free(meter);
}

S2F_API const char *s2f_speech_meter_last_error(const s2f_speech_meter *meter)
{
    return meter ? s2fi_error_slot_message(&meter->error) : "";
}

S2F_API s2f_status s2f_speech_meter_create(double sample_rate, s2f_speech_meter **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_speech_meter_create: out is NULL");
    *out = NULL;
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = sample_rate;
    params.clip_seconds = 0.0; /* whole signal: every frame once */
    if (params.analysis_rate != 16000 || params.fft_size != 512 || params.hop != 160)
        return s2fi_fail(NULL, S2F_ERR_INTERNAL, "the speech rule assumes the paper's STFT");
    s2f_speech_meter *m = calloc(1, sizeof *m);
    if (!m)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a speech meter");
    s2f_status status = s2f_spectrogram_stream_create(&params, &m->stream);
    if (status != S2F_OK) {
        free(m);
        return status; /* the rate's message is already the thread's */
    }
    m->sample_rate = sample_rate;
    m->exponent = params.exponent;
    m->window_samples = (double)params.window * sample_rate / params.analysis_rate;
    m->bins = (size_t)params.fft_size / 2 + 1;
    m->block = s2fi_aligned_alloc(sizeof(float) * READ_FRAMES * m->bins * 2);
    if (!m->block) {
        s2f_speech_meter_free(m);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a speech meter");
    }
    *out = m;
    return S2F_OK;
}

static bool grow(s2f_speech_meter *m, size_t needed)
{
    if (needed <= m->capacity)
        return true;
    size_t capacity = m->capacity ? m->capacity * 2 : 1024;
    while (capacity < needed)
        capacity *= 2;
    double *level = realloc(m->level, sizeof(double) * capacity);
    if (level)
        m->level = level;
    uint8_t *shaped = realloc(m->shaped, capacity);
    if (shaped)
        m->shaped = shaped;
    if (!level || !shaped)
        return false;
    m->capacity = capacity;
    return true;
}

/* One frame's band power from the compressed spectrum (sign(x)·|x|^e per part: |x| = |c|^(1/e)),
 * its level, and whether its shape is speech's. */
static void measure_frame(const s2f_speech_meter *m, const float *frame, double *level,
                          uint8_t *shaped)
{
    double power[BAND_LAST_BIN - BAND_FIRST_BIN + 1];
    const double to_power = 2.0 / m->exponent;
    double total = 0.0, log_sum = 0.0;
    size_t peak = 0, n = BAND_LAST_BIN - BAND_FIRST_BIN + 1;
    for (size_t i = 0; i < n; ++i) {
        const float *bin = frame + 2 * (BAND_FIRST_BIN + i);
        power[i] = pow(fabs(bin[0]), to_power) + pow(fabs(bin[1]), to_power) + 1e-20;
        total += power[i];
        log_sum += log(power[i]);
        if (power[i] > power[peak])
            peak = i;
    }
    size_t from = peak >= PEAK_HALF_WIDTH ? peak - PEAK_HALF_WIDTH : 0;
    size_t to = peak + PEAK_HALF_WIDTH < n ? peak + PEAK_HALF_WIDTH : n - 1;
    double around_peak = 0.0;
    for (size_t i = from; i <= to; ++i)
        around_peak += power[i];
    double flatness = exp(log_sum / (double)n) / (total / (double)n);
    *level = 10.0 * log10(total) - LEVEL_REFERENCE_DB;
    *shaped = flatness < MAX_FLATNESS && around_peak / total < MAX_PEAK_SHARE;
}

/* Takes every ready frame from the stream. */
static s2f_status drain(s2f_speech_meter *m)
{
    for (;;) {
        size_t got = 0;
        s2f_status status = s2f_spectrogram_stream_read(m->stream, m->block,
                                                        READ_FRAMES * m->bins * 2, &got);
        if (status != S2F_OK)
            return s2fi_fail(&m->error, status, "%s", s2f_spectrogram_stream_last_error(m->stream));
        if (got == 0)
            return S2F_OK;
        if (!grow(m, m->frames + got))
            return s2fi_fail(&m->error, S2F_ERR_OUT_OF_MEMORY,
                             "cannot hold %zu frames of speech measurements", m->frames + got);
        for (size_t f = 0; f < got; ++f, ++m->frames)
            measure_frame(m, m->block + f * m->bins * 2, &m->level[m->frames],
                          &m->shaped[m->frames]);
    }
}

S2F_API s2f_status s2f_speech_meter_write(s2f_speech_meter *meter, const float *pcm,
                                          size_t n_samples)
{
    if (!meter)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_speech_meter_write: meter is NULL");
    if (!pcm && n_samples > 0)
        return s2fi_fail(&meter->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_speech_meter_write: pcm is NULL");
    if (meter->finished)
        return s2fi_fail(&meter->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_speech_meter_write: the meter has finished");
    s2f_status status = s2f_spectrogram_stream_write(meter->stream, pcm, n_samples);
    if (status != S2F_OK)
        return s2fi_fail(&meter->error, status, "%s",
                         s2f_spectrogram_stream_last_error(meter->stream));
    meter->samples += n_samples;
    return drain(meter);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile's default (linear between the two nearest ranks). */
static double percentile(const double *values, size_t n, double q, double *scratch)
{
    memcpy(scratch, values, sizeof(double) * n);
    qsort(scratch, n, sizeof(double), compare_doubles);
    double position = q * (double)(n - 1);
    size_t below = (size_t)position;
    if (below + 1 >= n)
        return scratch[n - 1];
    return scratch[below] + (position - (double)below) * (scratch[below + 1] - scratch[below]);
}

/* Standard deviation (population) of the 100 ms envelope's levels above its floor. */
static double envelope_modulation(const double *level, size_t frames)
{
    size_t blocks = frames / ENVELOPE_FRAMES, kept = 0;
    double sum = 0.0, sum_sq = 0.0;
    for (size_t b = 0; b < blocks; ++b) {
        double mean_power = 0.0;
        for (size_t f = 0; f < ENVELOPE_FRAMES; ++f)
            mean_power += pow(10.0, level[b * ENVELOPE_FRAMES + f] / 10.0);
        double db = 10.0 * log10(mean_power / ENVELOPE_FRAMES + 1e-30);
        if (db > ENVELOPE_FLOOR_DB) {
            sum += db;
            sum_sq += db * db;
            ++kept;
        }
    }
    if (kept < 2)
        return 0.0;
    double mean = sum / (double)kept, variance = sum_sq / (double)kept - mean * mean;
    return variance > 0.0 ? sqrt(variance) : 0.0;
}

S2F_API s2f_status s2f_speech_meter_finish(s2f_speech_meter *meter, s2f_speech_report *report)
{
    if (!meter || !report)
        return s2fi_fail(meter ? &meter->error : NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_speech_meter_finish: %s is NULL", !meter ? "meter" : "report");
    if (report->size < sizeof *report)
        return s2fi_fail(&meter->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_speech_meter_finish: report->size is %zu, expected %zu",
                         report->size, sizeof *report);
    if (meter->finished)
        return s2fi_fail(&meter->error, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_speech_meter_finish: called twice");
    meter->finished = true;
    /* Less than one analysis window has no frame: the stream refuses to finish, and the report
     * is zero speech (the pipeline then says "too little speech", which is the truth). */
    if ((double)meter->samples > meter->window_samples + 1.0) {
        s2f_status status = s2f_spectrogram_stream_finish(meter->stream);
        if (status != S2F_OK)
            return s2fi_fail(&meter->error, status, "%s",
                             s2f_spectrogram_stream_last_error(meter->stream));
        if ((status = drain(meter)) != S2F_OK)
            return status;
    }
    report->seconds = (double)meter->samples / meter->sample_rate;
    report->speech_seconds = 0.0;
    report->modulation_db = envelope_modulation(meter->level, meter->frames);
    if (meter->frames == 0 || report->modulation_db < MIN_MODULATION_DB)
        return S2F_OK;
    double *scratch = malloc(sizeof(double) * meter->frames);
    if (!scratch)
        return s2fi_fail(&meter->error, S2F_ERR_OUT_OF_MEMORY, "cannot sort %zu frame levels",
                         meter->frames);
    double loud = percentile(meter->level, meter->frames, LOUD_PERCENTILE, scratch);
    free(scratch);
    double threshold = fmax(ABSOLUTE_FLOOR_DB, loud - BELOW_LOUD_DB);
    size_t speech = 0;
    for (size_t f = 0; f < meter->frames; ++f)
        speech += meter->level[f] > threshold && meter->shaped[f];
    report->speech_seconds = (double)speech * FRAME_SECONDS;
    return S2F_OK;
}

S2F_API s2f_status s2f_speech_measure(const float *pcm, size_t n_samples, double sample_rate,
                                      s2f_speech_report *report)
{
    if (!pcm || !report)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_speech_measure: %s is NULL",
                         !pcm ? "pcm" : "report");
    s2f_speech_meter *meter = NULL;
    s2f_status status = s2f_speech_meter_create(sample_rate, &meter);
    if (status == S2F_OK && (status = s2f_speech_meter_write(meter, pcm, n_samples)) == S2F_OK)
        status = s2f_speech_meter_finish(meter, report);
    if (status != S2F_OK && meter)
        status = s2fi_fail(NULL, status, "%s", s2f_speech_meter_last_error(meter));
    s2f_speech_meter_free(meter);
    return status;
}
