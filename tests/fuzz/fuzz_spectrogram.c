/* Fuzz target: the spectrogram on arbitrary parameters and PCM. The first bytes choose the
 * parameters (mostly from tables of valid and boundary values, sometimes raw bits: NaN, ±inf,
 * negative, denormal, huge), the rest become samples transformed by a mode byte (raw bits,
 * [-1, 1), huge, denormal). Every entry point runs: create, get_params, shape, compute,
 * segment_count, compute_segments and s2f_audio_downmix. Contract checks: failures are named
 * statuses with a message; NaN/inf input is S2F_ERR_NON_FINITE; a success gives exactly the
 * promised shape and only finite values.
 *
 * Harness budget (not a library limit): parameters that would make one iteration produce more
 * than 2^18 output floats (about 1 s at the paper's settings) or read more than 2^18 samples are
 * skipped after create/shape; the paper's 6 s clip is covered by tests/spectrogram. */
#include "fuzz_common.h"

#include <math.h>

#define MAX_SAMPLES (1u << 18)
#define MAX_OUTPUT ((size_t)1 << 18)

static const double rates[] = {16000, 8000, 44100, 48000, 22050, 11025.5, 192000, 7999.999,
                               192000.001, 0, -16000, 32000, 96000, 8000.5};
static const double clips[] = {0.25, 0.0, -1.0, 0.05, 0.5, 1.0, 0.0251, 0.02, 3600.5, 1e-9, 2.0};
static const double hops[] = {3.0, 0.5, 0.0, -1.0, 1e-7, 0.1, 1.0, 7.0, 3601.0};
static const double exponents[] = {0.3, 1.0, 0.0, -0.3, 1.5, 1e-6, 0.5, 1.0000001};
static const int32_t windows[] = {400, 16, 15, 512, 0, -1, 100, 257, 64, 65537};
static const int32_t hop_samples[] = {160, 1, 0, -5, 400, 1048577, 7, 64, 1048576};
static const int32_t ffts[] = {512, 256, 1024, 0, 500, 131072, 32, 16, 65536, -512};
static const int32_t analysis_rates[] = {16000, 8000, 7999, 44100, 192001, 22050, 12000};

#define PICK_F64(in, table) fuzz_pick_f64((in), (table), sizeof(table) / sizeof *(table))
#define PICK_I32(in, table) fuzz_pick_i32((in), (table), sizeof(table) / sizeof *(table))

static int all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

static void run_downmix(uint8_t selector, const float *pcm, size_t n)
{
    const int channels = (int)(selector % 9) - 1; /* -1 .. 7: 0 and -1 are invalid */
    if (channels < 1 || n < (size_t)channels) {
        /* channels < 1 is refused before anything is read; too few samples means 0 frames */
        FUZZ_CHECK(s2f_audio_downmix(pcm, channels < 1 ? n : 0, channels, (float[1]){0}) != S2F_OK);
        return;
    }
    const size_t frames = n / (size_t)channels;
    float *mono = malloc(frames * sizeof *mono);
    FUZZ_CHECK(mono);
    FUZZ_CHECK(s2f_audio_downmix(pcm, frames, channels, mono) == S2F_OK);
    free(mono);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    /* A 0.25 s clip instead of the paper's 6 s keeps an iteration around a millisecond. */
    params.clip_seconds = 0.25;
    const uint8_t which = fuzz_u8(&in); /* which fields to perturb: keeps valid configs common */
    if (which & 1)
        params.sample_rate = PICK_F64(&in, rates);
    if (which & 2)
        params.clip_seconds = PICK_F64(&in, clips);
    if (which & 4)
        params.segment_hop_seconds = PICK_F64(&in, hops);
    if (which & 8)
        params.exponent = PICK_F64(&in, exponents);
    if (which & 16)
        params.window = PICK_I32(&in, windows);
    if (which & 32)
        params.hop = PICK_I32(&in, hop_samples);
    if (which & 64)
        params.fft_size = PICK_I32(&in, ffts);
    if (which & 128)
        params.analysis_rate = PICK_I32(&in, analysis_rates);
    const uint8_t mode = fuzz_u8(&in);
    const uint8_t downmix_channels = fuzz_u8(&in);

    /* Samples: the remaining bytes (by mode), at least one. */
    const size_t bytes_per_sample = (mode % 5 == 0) ? 4 : (mode % 5 == 4) ? 2 : 1;
    size_t n = in.size / bytes_per_sample;
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    float *pcm = malloc((n ? n : 1) * sizeof *pcm);
    FUZZ_CHECK(pcm);
    fuzz_floats(&in, mode, pcm, n);
    const int finite = all_finite(pcm, n);
    float max_abs = 0.0f;
    for (size_t i = 0; i < n; ++i)
        max_abs = fabsf(pcm[i]) > max_abs ? fabsf(pcm[i]) : max_abs;
    /* Finite samples near FLT_MAX can overflow the float output (exponent 1 keeps |X| ≈ N·|x|);
     * the library then returns S2F_OK with infinities (reported to the lead). Samples up to
     * 1e6 — far beyond the nominal [-1, 1] — must give finite output. */
    const int moderate = max_abs <= 1e6f;

    s2f_spectrogram *spectrogram = NULL;
    s2f_status status = s2f_spectrogram_create(&params, &spectrogram);
    if (status != S2F_OK) {
        FUZZ_CHECK_FAILURE(status);
        FUZZ_CHECK(spectrogram == NULL);
        free(pcm);
        return 0;
    }
    s2f_spectrogram_params effective;
    FUZZ_CHECK(s2f_spectrogram_get_params(spectrogram, &effective) == S2F_OK);

    size_t frames = 0, bins = 0;
    status = s2f_spectrogram_shape(spectrogram, n, &frames, &bins);
    if (status != S2F_OK) {
        FUZZ_CHECK(status == S2F_ERR_INVALID_ARGUMENT);
        /* compute must refuse the same input the same way */
        FUZZ_CHECK(s2f_spectrogram_compute(spectrogram, pcm, n, (float[2]){0}, 2, NULL) ==
                   S2F_ERR_INVALID_ARGUMENT);
    } else if (frames && bins && frames * bins * 2 <= MAX_OUTPUT) {
        const size_t floats = frames * bins * 2;
        float *out = malloc(floats * sizeof *out);
        FUZZ_CHECK(out);
        if (floats > 1) { /* too small by one float: refused (or NaN input refused first) */
            status = s2f_spectrogram_compute(spectrogram, pcm, n, out, floats - 1, NULL);
            FUZZ_CHECK(status == S2F_ERR_BUFFER_TOO_SMALL || status == S2F_ERR_NON_FINITE);
        }
        size_t got = 0;
        status = s2f_spectrogram_compute(spectrogram, pcm, n, out, floats, &got);
        if (!finite) {
            FUZZ_CHECK(status == S2F_ERR_NON_FINITE);
        } else if (status == S2F_OK) {
            FUZZ_CHECK(got == frames);
            FUZZ_CHECK(all_finite(out, floats) || !moderate);
        } else {
            /* finite but huge samples may overflow the resampler: reported, never garbage */
            FUZZ_CHECK(status == S2F_ERR_NON_FINITE || status == S2F_ERR_OUT_OF_MEMORY);
        }
        free(out);

        size_t segments = 0;
        if (s2f_spectrogram_segment_count(spectrogram, n, &segments) == S2F_OK && segments &&
            segments <= 4 && segments * floats <= MAX_OUTPUT) {
            float *all = malloc(segments * floats * sizeof *all);
            FUZZ_CHECK(all);
            size_t written = 0;
            status = s2f_spectrogram_compute_segments(spectrogram, pcm, n, all, segments * floats,
                                                      &written);
            if (status == S2F_OK) {
                FUZZ_CHECK(finite && written == segments);
                FUZZ_CHECK(all_finite(all, segments * floats) || !moderate);
            } else {
                FUZZ_CHECK(status == S2F_ERR_NON_FINITE || status == S2F_ERR_OUT_OF_MEMORY);
            }
            free(all);
        }
    }
    s2f_spectrogram_free(spectrogram);
    run_downmix(downmix_channels, pcm, n);
    free(pcm);
    return 0;
}
