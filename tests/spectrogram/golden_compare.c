#include "golden_compare.h"

#include "npy.h"
#include "synthetic.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

static void load(const char *data_dir, const char *name, const char *suffix, npy_array *array)
{
    char path[1024], error[256];
    snprintf(path, sizeof path, "%s/%s_%s.npy", data_dir, name, suffix);
    if (npy_load(path, array, error, sizeof error) != 0)
        fail_msg("%s", error);
}

static int exists(const char *data_dir, const char *name, const char *suffix)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s_%s.npy", data_dir, name, suffix);
    return access(path, R_OK) == 0;
}

static double decompress(float c, double exponent)
{
    return copysign(pow(fabs((double)c), 1.0 / exponent), (double)c);
}

/* Tracks the max abs error of compressed values and of the decompressed (linear) ones. */
static void accumulate(const float *ours, const float *golden, size_t count, double exponent,
                       golden_errors *errors, double *linear_max_diff, double *linear_max)
{
    for (size_t i = 0; i < count; ++i) {
        double diff = fabs((double)ours[i] - golden[i]);
        if (!(diff <= errors->max_abs)) /* NaN-safe: a NaN becomes the error */
            errors->max_abs = diff;
        if (fabs(golden[i]) >= LARGE_VALUE && !(diff <= errors->max_abs_large))
            errors->max_abs_large = diff;
        double lin_ours = decompress(ours[i], exponent), lin_golden = decompress(golden[i], exponent);
        if (fabs(lin_ours - lin_golden) > *linear_max_diff || isnan(lin_ours))
            *linear_max_diff = fabs(lin_ours - lin_golden);
        if (fabs(lin_golden) > *linear_max)
            *linear_max = fabs(lin_golden);
    }
}

/* Per-frame (axis 0) or per-bin (axis 1) mean and mean-abs, in double. */
static void compare_stats(const float *spec, size_t frames, size_t bins, int per_frame,
                          const npy_array *golden, golden_errors *errors)
{
    size_t outer = per_frame ? frames : bins, inner = per_frame ? bins : frames;
    assert_int_equal(golden->count, outer * 2);
    for (size_t o = 0; o < outer; ++o) {
        double sum = 0.0, sum_abs = 0.0;
        for (size_t i = 0; i < inner; ++i) {
            size_t t = per_frame ? o : i, k = per_frame ? i : o;
            for (int part = 0; part < 2; ++part) {
                double v = spec[(t * bins + k) * 2 + part];
                sum += v;
                sum_abs += fabs(v);
            }
        }
        double mean = sum / (double)(inner * 2), mean_abs = sum_abs / (double)(inner * 2);
        double diff = fmax(fabs(mean - golden->data[2 * o]), fabs(mean_abs - golden->data[2 * o + 1]));
        if (!(diff <= errors->max_stat))
            errors->max_stat = diff;
    }
}

void golden_compare(const char *data_dir, const char *name, const float *pcm, size_t n,
                    const s2f_spectrogram_params *params, golden_errors *errors)
{
    *errors = (golden_errors){0};
    npy_array meta;
    load(data_dir, name, "meta", &meta);
    assert_int_equal(meta.count, 5);
    int64_t first, second;
    synthetic_checksum(pcm, n, &first, &second);
    /* Unequal inputs would make every comparison below meaningless. */
    assert_int_equal(first, (int64_t)meta.data[2]);
    assert_int_equal(second, (int64_t)meta.data[3]);
    assert_int_equal(n, (size_t)meta.data[4]);

    s2f_spectrogram *handle = NULL;
    assert_int_equal(s2f_spectrogram_create(params, &handle), S2F_OK);
    size_t frames = 0, bins = 0;
    assert_int_equal(s2f_spectrogram_shape(handle, n, &frames, &bins), S2F_OK);
    assert_int_equal(frames, (size_t)meta.data[0]);
    assert_int_equal(bins, (size_t)meta.data[1]);
    errors->frames = frames;
    errors->bins = bins;
    size_t floats = frames * bins * 2, frames_out = 0;
    float *spec = malloc(sizeof(float) * floats);
    assert_non_null(spec);
    assert_int_equal(s2f_spectrogram_compute(handle, pcm, n, spec, floats, &frames_out), S2F_OK);
    assert_int_equal(frames_out, frames);
    s2f_spectrogram_params effective;
    assert_int_equal(s2f_spectrogram_get_params(handle, &effective), S2F_OK);

    double linear_max_diff = 0.0, linear_max = 0.0;
    if (exists(data_dir, name, "full")) {
        npy_array full;
        load(data_dir, name, "full", &full);
        assert_int_equal(full.count, floats);
        accumulate(spec, full.data, floats, effective.exponent, errors, &linear_max_diff,
                   &linear_max);
        npy_free(&full);
    } else {
        npy_array indices, slices, frame_stats, bin_stats;
        load(data_dir, name, "frames", &indices);
        load(data_dir, name, "slices", &slices);
        assert_int_equal(slices.count, indices.count * bins * 2);
        for (size_t s = 0; s < indices.count; ++s) {
            size_t t = (size_t)indices.data[s];
            assert_true(t < frames);
            accumulate(spec + t * bins * 2, slices.data + s * bins * 2, bins * 2,
                       effective.exponent, errors, &linear_max_diff, &linear_max);
        }
        load(data_dir, name, "frame_stats", &frame_stats);
        load(data_dir, name, "bin_stats", &bin_stats);
        compare_stats(spec, frames, bins, 1, &frame_stats, errors);
        compare_stats(spec, frames, bins, 0, &bin_stats, errors);
        npy_free(&indices);
        npy_free(&slices);
        npy_free(&frame_stats);
        npy_free(&bin_stats);
    }
    errors->linear_rel = linear_max > 0.0 ? linear_max_diff / linear_max : linear_max_diff;
    print_message("%-14s %zux%zux2  max|err| compressed %.3g (%.3g where |ref| >= %g), stats "
                  "%.3g, linear rel %.3g\n",
                  name, frames, bins, errors->max_abs, errors->max_abs_large, LARGE_VALUE,
                  errors->max_stat, errors->linear_rel);
    free(spec);
    npy_free(&meta);
    s2f_spectrogram_free(handle);
}

void golden_assert_within_tolerance(const golden_errors *errors)
{
    assert_true(errors->max_abs <= TOLERANCE_ANY);
    assert_true(errors->max_abs_large <= TOLERANCE_LARGE);
    assert_true(errors->max_stat <= TOLERANCE_STAT);
}
