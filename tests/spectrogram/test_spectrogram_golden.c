/* The library's spectrograms against goldens of the independent numpy reference
 * (tools/reference/spectrogram_ref.py via tools/goldens/gen_spectrogram_goldens.py): synthetic inputs regenerated
 * bit-exactly here (checksums prove it), one resampled case. Real clips: test_spectrogram_real.c. */
#include "golden_compare.h"
#include "synthetic.h"

#include <speech2face.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static const char *data_dir;

static void check(const char *name, float *pcm, size_t n, const s2f_spectrogram_params *params)
{
    assert_non_null(pcm);
    golden_errors errors;
    golden_compare(data_dir, name, pcm, n, params, &errors);
    golden_assert_within_tolerance(&errors);
    free(pcm);
}

static void sine_sweep_6s(void **state)
{
    (void)state;
    size_t n;
    float *x = synthetic_sweep(16000.0, 6.0, 100.0, 7000.0, 0.45, 0.0, 1, &n);
    check("sweep16k", x, n, NULL);
}

static void two_second_noise_is_tiled_to_6s(void **state)
{
    (void)state;
    check("noise2s_tiled", synthetic_lcg_noise(32000, 12345, 2), 32000, NULL);
}

static void silence_gives_exact_zeros(void **state)
{
    (void)state;
    float *x = calloc(16000, sizeof(float));
    check("silence", x, 16000, NULL);
}

static void impulse_train_whole_signal(void **state)
{
    (void)state;
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.clip_seconds = 0.0;
    check("impulses", synthetic_impulses(4800, 97, 3, 0.8f), 4800, &params);
}

static void noise_with_custom_window_hop_fft_exponent(void **state)
{
    (void)state;
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.clip_seconds = 0.0;
    params.window = 256;
    params.hop = 100;
    params.fft_size = 256;
    params.exponent = 0.5;
    check("noise_custom", synthetic_lcg_noise(4000, 777, 0), 4000, &params);
}

/* The C side resamples a 44.1 kHz rendering with libsoxr; the golden is the numpy reference fed
 * the same analytic sweep rendered directly at 16 kHz (Debian has no Python binding of libsoxr,
 * so soxr cannot be run on the Python side). What may differ is what a resampler does to a
 * band-limited signal: passband gain and ripple, which SOXR_HQ bounds by 0.01 dB (1.15e-3
 * relative) up to 0.913 of the output Nyquist frequency (the sweep stops at 6 kHz < 7.3 kHz),
 * and stopband leakage at -120 dB. So in the linear (uncompressed) domain the error relative
 * to the largest value must stay under 1e-3 (measured: 2.0e-4, at the end of the sweep).
 * Compressed values are not compared one by one: compression turns a 1e-6 relative leakage in
 * the empty bins above 6 kHz into ≈ 0.05 (measured max 0.048); the per-frame and per-bin means
 * average that out (measured 6.2e-4) and are checked at 2e-3. */
static void sweep_at_44100_is_resampled(void **state)
{
    (void)state;
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = 44100.0;
    size_t n;
    float *x = synthetic_sweep(44100.0, 6.0, 100.0, 6000.0, 0.45, 0.05, 0, &n);
    golden_errors errors;
    golden_compare(data_dir, "sweep44k", x, n, &params, &errors);
    assert_true(errors.linear_rel <= 1e-3);
    assert_true(errors.max_stat <= 2e-3);
    assert_true(errors.max_abs <= 0.1); /* reported; only a gross error would exceed this */
    free(x);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sine_sweep_6s),
        cmocka_unit_test(two_second_noise_is_tiled_to_6s),
        cmocka_unit_test(silence_gives_exact_zeros),
        cmocka_unit_test(impulse_train_whole_signal),
        cmocka_unit_test(noise_with_custom_window_hop_fft_exponent),
        cmocka_unit_test(sweep_at_44100_is_resampled),
    };
    return cmocka_run_group_tests_name("spectrogram goldens", tests, NULL, NULL);
}
