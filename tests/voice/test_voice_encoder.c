/* The voice encoder against PyTorch: argv[1] is a folder written by tools/goldens/gen_voice_goldens.py
 * (model.s2fm, input.npy, expected.npy, optionally taps/<stage>.npy for every intermediate). */
#include "npy.h"
#include "pipeline/voice_encoder_internal.h"

#include <cblas.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

/* The bound: max |Δ| / max |ref| ≤ 1e-4 on the feature and on every intermediate. */
#define RELATIVE_TOLERANCE 1e-4

static const char *golden_dir;

typedef struct fixture {
    s2f_model *model;
    s2f_voice_encoder *encoder;
    npy_array input;    /* batch × frames × bins × channels */
    npy_array expected; /* batch × feature_dim */
    size_t batch, frames, bins, channels, feature_dim;
} fixture;

static void load_npy(const char *name, npy_array *out)
{
    char path[1024], error[256];
    snprintf(path, sizeof path, "%s/%s", golden_dir, name);
    if (npy_load(path, out, error, sizeof error) != 0)
        fail_msg("%s", error);
}

static double relative_error(const float *got, const float *expected, size_t count)
{
    double scale = npy_max_abs(expected, count);
    return npy_max_abs_diff(got, expected, count) / (scale > 0 ? scale : 1.0);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char path[1024];
    snprintf(path, sizeof path, "%s/model.s2fm", golden_dir);
    assert_int_equal(s2f_model_load_file(path, NULL, &f->model), S2F_OK);
    assert_int_equal(s2f_voice_encoder_create(f->model, &f->encoder), S2F_OK);
    load_npy("input.npy", &f->input);
    load_npy("expected.npy", &f->expected);
    assert_int_equal(f->input.ndim, 4);
    f->batch = (size_t)f->input.shape[0];
    f->frames = (size_t)f->input.shape[1];
    f->bins = (size_t)f->input.shape[2];
    f->channels = (size_t)f->input.shape[3];
    size_t dim, bins, channels;
    assert_int_equal(s2f_voice_encoder_shape(f->encoder, &dim, &bins, &channels, NULL), S2F_OK);
    assert_int_equal(dim, f->expected.shape[1]);
    assert_int_equal(bins, f->bins);
    assert_int_equal(channels, f->channels);
    f->feature_dim = dim;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    s2f_voice_encoder_free(f->encoder);
    s2f_model_free(f->model);
    npy_free(&f->input);
    npy_free(&f->expected);
    free(f);
    return 0;
}

static const float *clip(const fixture *f, size_t i)
{
    return f->input.data + i * f->frames * f->bins * f->channels;
}

static void each_clip_matches_pytorch(void **state)
{
    fixture *f = *state;
    float *feature = malloc(f->feature_dim * sizeof(float));
    for (size_t i = 0; i < f->batch; ++i) {
        assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, i), f->frames, f->bins,
                                                  f->channels, feature, f->feature_dim), S2F_OK);
        double error = relative_error(feature, f->expected.data + i * f->feature_dim, f->feature_dim);
        printf("clip %zu: feature max|Δ|/max|ref| = %.3g\n", i, error);
        assert_true(error <= RELATIVE_TOLERANCE);
    }
    free(feature);
}

static void batch_matches_pytorch_and_single_clips(void **state)
{
    fixture *f = *state;
    float *batch = malloc(f->batch * f->feature_dim * sizeof(float));
    float *single = malloc(f->feature_dim * sizeof(float));
    assert_int_equal(s2f_voice_encoder_encode_batch(f->encoder, f->input.data, f->batch, f->frames,
                                                    f->bins, f->channels, batch,
                                                    f->batch * f->feature_dim), S2F_OK);
    double error = relative_error(batch, f->expected.data, f->batch * f->feature_dim);
    printf("batch of %zu: max|Δ|/max|ref| = %.3g\n", f->batch, error);
    assert_true(error <= RELATIVE_TOLERANCE);
    for (size_t i = 0; i < f->batch; ++i) {
        assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, i), f->frames, f->bins,
                                                  f->channels, single, f->feature_dim), S2F_OK);
        /* The batch runs the FC layers as one sgemm, a single clip as sgemv: the same sums in
         * another order, a few float32 ulps apart (up to 2e-6 seen on random live models). */
        assert_true(relative_error(batch + i * f->feature_dim, single, f->feature_dim) <= 1e-5);
    }
    free(batch);
    free(single);
}

typedef struct tap_check {
    size_t clip;
    int compared;
    int missing;
    double worst;
} tap_check;

static void compare_tap(const char *stage, const float *data, int height, int width, int channels,
                        void *user_data)
{
    tap_check *check = user_data;
    char path[1024], error[256];
    snprintf(path, sizeof path, "%s/taps/%s.npy", golden_dir, stage);
    npy_array expected;
    if (npy_load(path, &expected, error, sizeof error) != 0) {
        check->missing++;
        return;
    }
    /* Conv stages are [batch][h][w][c]; FC stages are [batch][features] with all rows at once. */
    size_t count = (size_t)height * (size_t)width * (size_t)channels;
    const float *reference = expected.data;
    if (strncmp(stage, "fc", 2) != 0)
        reference += check->clip * count;
    if (expected.count < count) {
        npy_free(&expected);
        fail_msg("%s: golden has %zu values, stage has %zu", stage, expected.count, count);
    }
    double e = relative_error(data, reference, count);
    printf("  %-7s %4d x %3d x %3d  max|Δ|/max|ref| = %.3g\n", stage, height, width, channels, e);
    if (e > check->worst)
        check->worst = e;
    check->compared++;
    npy_free(&expected);
}

static void every_intermediate_matches_pytorch(void **state)
{
    fixture *f = *state;
    char taps_dir[1024];
    snprintf(taps_dir, sizeof taps_dir, "%s/taps", golden_dir);
    struct stat st;
    if (stat(taps_dir, &st) != 0) {
        printf("no taps/ in %s: intermediates are checked by the live oracle run\n", golden_dir);
        skip();
    }
    tap_check check = {0};
    float *feature = malloc(f->feature_dim * sizeof(float));
    s2fi_voice_encoder_set_tap(f->encoder, compare_tap, &check);
    assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, 0), f->frames, f->bins,
                                              f->channels, feature, f->feature_dim), S2F_OK);
    s2fi_voice_encoder_set_tap(f->encoder, NULL, NULL);
    printf("%d intermediates compared, worst %.3g\n", check.compared, check.worst);
    assert_int_equal(check.missing, 0);
    assert_true(check.compared > 10);
    assert_true(check.worst <= RELATIVE_TOLERANCE);
    free(feature);
}

static void one_and_two_blas_threads_agree(void **state)
{
    fixture *f = *state;
    float *one = malloc(f->feature_dim * sizeof(float));
    float *two = malloc(f->feature_dim * sizeof(float));
    int before = openblas_get_num_threads();
    openblas_set_num_threads(1);
    assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, 0), f->frames, f->bins,
                                              f->channels, one, f->feature_dim), S2F_OK);
    openblas_set_num_threads(2);
    assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, 0), f->frames, f->bins,
                                              f->channels, two, f->feature_dim), S2F_OK);
    openblas_set_num_threads(before);
    double error = relative_error(two, one, f->feature_dim);
    printf("1 vs 2 OpenBLAS threads: max|Δ|/max|ref| = %.3g\n", error);
    assert_true(error <= 1e-5);
    free(one);
    free(two);
}

/* The encoder's own threads (Winograd transforms, pooling) split the same work differently.
 * Each tile is transformed the same way whatever the split (bit-identical when the GEMM blocks
 * are equal); the per-thread scratch changes how many tiles fit a block, and OpenBLAS rounds a
 * GEMM row differently for different M: float rounding, as between OpenBLAS thread counts. */
static void encoder_threads_agree(void **state)
{
    fixture *f = *state;
    float *one = malloc(f->feature_dim * sizeof(float));
    float *three = malloc(f->feature_dim * sizeof(float));
    int before = openblas_get_num_threads();
    openblas_set_num_threads(1);
    assert_int_equal(s2f_voice_encoder_set_threads(f->encoder, 1), S2F_OK);
    assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, 0), f->frames, f->bins,
                                              f->channels, one, f->feature_dim), S2F_OK);
    assert_int_equal(s2f_voice_encoder_set_threads(f->encoder, 3), S2F_OK);
    assert_int_equal(s2f_voice_encoder_encode(f->encoder, clip(f, 0), f->frames, f->bins,
                                              f->channels, three, f->feature_dim), S2F_OK);
    double error = relative_error(three, one, f->feature_dim);
    printf("encoder threads 1 vs 3: max|Δ|/max|ref| = %.3g\n", error);
    assert_true(error <= 1e-5);
    assert_int_equal(s2f_voice_encoder_set_threads(NULL, 2), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_voice_encoder_set_threads(f->encoder, 1025), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_voice_encoder_last_error(f->encoder), "threads"));
    assert_int_equal(s2f_voice_encoder_set_threads(f->encoder, 0), S2F_OK); /* back to OpenBLAS's */
    openblas_set_num_threads(before);
    free(one);
    free(three);
}

static void bad_input_gets_named_errors(void **state)
{
    fixture *f = *state;
    s2f_voice_encoder *e = f->encoder;
    size_t n = f->frames * f->bins * f->channels;
    float *spec = malloc(n * sizeof(float));
    float *feature = malloc(f->feature_dim * sizeof(float));
    memcpy(spec, clip(f, 0), n * sizeof(float));
    size_t min_frames;
    assert_int_equal(s2f_voice_encoder_shape(e, NULL, NULL, NULL, &min_frames), S2F_OK);
    assert_true(min_frames >= 1 && min_frames <= f->frames);

    assert_int_equal(s2f_voice_encoder_encode(NULL, spec, f->frames, f->bins, f->channels, feature,
                                              f->feature_dim), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_voice_encoder_encode(e, NULL, f->frames, f->bins, f->channels, feature,
                                              f->feature_dim), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_voice_encoder_encode(e, spec, f->frames, f->bins, f->channels, NULL,
                                              f->feature_dim), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_voice_encoder_encode(e, spec, f->frames, f->bins - 1, f->channels, feature,
                                              f->feature_dim), S2F_ERR_SHAPE_MISMATCH);
    assert_non_null(strstr(s2f_voice_encoder_last_error(e), "bins"));
    assert_int_equal(s2f_voice_encoder_encode(e, spec, min_frames - 1, f->bins, f->channels,
                                              feature, f->feature_dim),
                     min_frames > 1 ? S2F_ERR_SHAPE_MISMATCH : S2F_ERR_SHAPE_MISMATCH);
    assert_int_equal(s2f_voice_encoder_encode(e, spec, f->frames, f->bins, f->channels, feature,
                                              f->feature_dim - 1), S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_voice_encoder_encode_batch(e, spec, 0, f->frames, f->bins, f->channels,
                                                    feature, f->feature_dim), S2F_ERR_INVALID_ARGUMENT);
    spec[n / 2] = NAN;
    assert_int_equal(s2f_voice_encoder_encode(e, spec, f->frames, f->bins, f->channels, feature,
                                              f->feature_dim), S2F_ERR_NON_FINITE);
    spec[n / 2] = INFINITY;
    assert_int_equal(s2f_voice_encoder_encode(e, spec, f->frames, f->bins, f->channels, feature,
                                              f->feature_dim), S2F_ERR_NON_FINITE);
    assert_non_null(strstr(s2f_voice_encoder_last_error(e), "infinite"));
    for (size_t i = 0; i < n; ++i)
        spec[i] = (i % 2 ? 1 : -1) * 3.0e38f; /* finite, but the first convolution overflows */
    /* Whether the overflow reaches the output depends on the weights: where every first-layer
     * channel overflows to -inf, the ReLU turns it into 0 and the network's true output (as
     * PyTorch computes it) is finite; about 1 random live-oracle model in 15 does that. The
     * contract is that a non-finite feature is never handed out. */
    s2f_status huge = s2f_voice_encoder_encode(e, spec, f->frames, f->bins, f->channels, feature,
                                               f->feature_dim);
    if (huge == S2F_OK) {
        for (size_t i = 0; i < f->feature_dim; ++i)
            assert_true(isfinite(feature[i]));
        printf("input near FLT_MAX: the ReLUs absorbed the overflow, finite feature\n");
    } else {
        assert_int_equal(huge, S2F_ERR_NON_FINITE);
        assert_non_null(strstr(s2f_voice_encoder_last_error(e), "overflowed"));
    }

    /* The encoder still works after every rejected call, at the shortest accepted length too. */
    memcpy(spec, clip(f, 0), n * sizeof(float));
    assert_int_equal(s2f_voice_encoder_encode(e, spec, min_frames, f->bins, f->channels, feature,
                                              f->feature_dim), S2F_OK);
    assert_int_equal(s2f_voice_encoder_encode(e, spec, f->frames, f->bins, f->channels, feature,
                                              f->feature_dim), S2F_OK);
    assert_true(relative_error(feature, f->expected.data, f->feature_dim) <= RELATIVE_TOLERANCE);

    s2f_voice_encoder *none = (s2f_voice_encoder *)0x1;
    assert_int_equal(s2f_voice_encoder_create(NULL, &none), S2F_ERR_INVALID_ARGUMENT);
    assert_null(none);
    assert_int_equal(s2f_voice_encoder_create(f->model, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_voice_encoder_shape(NULL, NULL, NULL, NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    s2f_voice_encoder_free(NULL);
    free(spec);
    free(feature);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
        return 2;
    }
    golden_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_clip_matches_pytorch),
        cmocka_unit_test(batch_matches_pytorch_and_single_clips),
        cmocka_unit_test(every_intermediate_matches_pytorch),
        cmocka_unit_test(one_and_two_blas_threads_agree),
        cmocka_unit_test(encoder_threads_agree),
        cmocka_unit_test(bad_input_gets_named_errors),
    };
    return cmocka_run_group_tests_name("voice encoder vs PyTorch", tests, setup, teardown);
}
