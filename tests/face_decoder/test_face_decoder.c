/* s2f_face_decoder against the PyTorch reference (tools/reference/face_decoder.py, warped by
 * tools/reference/warp_ref.py): replays the folders that tools/goldens/gen_face_decoder_goldens.py wrote under
 * argv[1] (the committed goldens, or a fresh live-oracle run with every intermediate stage), then
 * checks bad input and broken models on the first of them.
 *
 * Usage: test_face_decoder DIR   where DIR holds model.s2fm … itself, or sub-folders that do. */
#include "core/alloc.h"
#include "model/writer.h"
#include "model_edit.h"
#include "npy.h"
#include "pipeline/face_decoder_internal.h"
#include "speech2face.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define TOLERANCE 1e-4          /* max |Δ| on texture, landmarks (px) and image (0..1) */
#define TAP_TOLERANCE 1e-4      /* max |Δ| / max |ref| on intermediate stages */
#define MAX_CONFIGS 8

static char config_dirs[MAX_CONFIGS][1024];
static int config_count;
static double worst_texture, worst_landmarks, worst_image, worst_tap;

static npy_array load(const char *dir, const char *name)
{
    char path[1200], error[256];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    npy_array array;
    if (npy_load(path, &array, error, sizeof error) != 0)
        fail_msg("%s", error);
    return array;
}

static s2f_model *load_model(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/model.s2fm", dir);
    s2f_model *model = NULL;
    if (s2f_model_load_file(path, NULL, &model) != S2F_OK)
        fail_msg("%s: %s", path, s2f_last_error_message());
    return model;
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    return npy_max_abs_diff(a, b, n);
}

/* ---- every stage against the reference's taps (live-oracle runs write them) ---------------- */

typedef struct tap_check {
    const char *dir;
    int item;      /* batch index of the feature being decoded */
    int compared;
} tap_check;

static void compare_tap(const char *stage, const float *data, int height, int width, int channels,
                        void *user)
{
    tap_check *check = user;
    char path[1200], error[256];
    snprintf(path, sizeof path, "%s/taps/%s.npy", check->dir, stage);
    npy_array expected;
    if (npy_load(path, &expected, error, sizeof error) != 0)
        fail_msg("no reference for stage %s: %s", stage, error);
    const size_t per_item = (size_t)height * (size_t)width * (size_t)channels;
    assert_int_equal(expected.count, per_item * (size_t)expected.shape[0]);
    const float *ref = expected.data + (size_t)check->item * per_item;
    double scale = npy_max_abs(ref, per_item);
    double error_rel = max_abs_diff(data, ref, per_item) / (scale > 0 ? scale : 1);
    if (error_rel > worst_tap)
        worst_tap = error_rel;
    if (error_rel > TAP_TOLERANCE)
        fail_msg("%s: stage %s differs: max|Δ|/max|ref| = %.3g", check->dir, stage, error_rel);
    ++check->compared;
    npy_free(&expected);
}

static int has_taps(const char *dir)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/taps", dir);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- goldens ------------------------------------------------------------------------------- */

static void check_config(const char *dir)
{
    s2f_model *model = load_model(dir);
    s2f_face_decoder *decoder = NULL;
    if (s2f_face_decoder_create(model, &decoder) != S2F_OK)
        fail_msg("%s: %s", dir, s2f_last_error_message());
    npy_array features = load(dir, "features"), texture = load(dir, "texture"),
              landmarks = load(dir, "landmarks"), image = load(dir, "image");
    size_t dim, height, width, count;
    assert_int_equal(s2f_face_decoder_shape(decoder, &dim, &height, &width, &count), S2F_OK);
    assert_int_equal(dim, features.shape[1]);
    assert_int_equal(height, image.shape[1]);
    assert_int_equal(width, image.shape[2]);
    assert_int_equal(count, landmarks.shape[1]);
    const size_t pixels = height * width * 3;

    tap_check check = {.dir = dir};
    if (has_taps(dir))
        s2fi_face_decoder_set_tap(decoder, compare_tap, &check);
    float *rgb = malloc(pixels * sizeof(float)), *tex = malloc(pixels * sizeof(float));
    float *points = malloc(2 * count * sizeof(float)), *points2 = malloc(2 * count * sizeof(float));
    uint8_t *rgb8 = malloc(pixels + height * 5);
    for (int b = 0; b < (int)features.shape[0]; ++b) {
        const float *feature = features.data + (size_t)b * dim;
        check.item = b;
        assert_int_equal(s2f_face_decoder_decode(decoder, feature, dim, rgb, pixels, points,
                                                 2 * count), S2F_OK);
        double e_image = max_abs_diff(rgb, image.data + (size_t)b * pixels, pixels);
        double e_points = max_abs_diff(points, landmarks.data + (size_t)b * 2 * count, 2 * count);
        assert_int_equal(s2f_face_decoder_decode_texture(decoder, feature, dim, tex, pixels,
                                                         points2, 2 * count), S2F_OK);
        double e_texture = max_abs_diff(tex, texture.data + (size_t)b * pixels, pixels);
        printf("  %s[%d]: max|Δ| texture %.2e, landmarks %.2e px, image %.2e\n", dir, b,
               e_texture, e_points, e_image);
        if (e_texture > worst_texture) worst_texture = e_texture;
        if (e_points > worst_landmarks) worst_landmarks = e_points;
        if (e_image > worst_image) worst_image = e_image;
        assert_true(e_texture <= TOLERANCE);
        assert_true(e_points <= TOLERANCE);
        assert_true(e_image <= TOLERANCE);
        assert_memory_equal(points, points2, 2 * count * sizeof(float));

        /* uint8 with padded rows: round(255·v) per value, padding bytes untouched. */
        const size_t stride = width * 3 + 5;
        memset(rgb8, 0xA5, pixels + height * 5);
        s2fi_face_decoder_set_tap(decoder, NULL, NULL);
        assert_int_equal(s2f_face_decoder_decode_u8(decoder, feature, dim, rgb8, stride,
                                                    (height - 1) * stride + width * 3, NULL, 0),
                         S2F_OK);
        if (has_taps(dir))
            s2fi_face_decoder_set_tap(decoder, compare_tap, &check);
        for (size_t y = 0; y < height; ++y) {
            for (size_t i = 0; i < width * 3; ++i)
                assert_int_equal(rgb8[y * stride + i], (uint8_t)(rgb[y * width * 3 + i] * 255.0f + 0.5f));
            if (y + 1 < height)
                for (size_t i = width * 3; i < stride; ++i)
                    assert_int_equal(rgb8[y * stride + i], 0xA5);
        }
    }
    if (has_taps(dir))
        assert_true(check.compared > 0);
    free(rgb); free(tex); free(points); free(points2); free(rgb8);
    npy_free(&features); npy_free(&texture); npy_free(&landmarks); npy_free(&image);
    s2f_face_decoder_free(decoder);
    s2f_model_free(model);
}

static void decoder_matches_reference(void **state)
{
    (void)state;
    for (int i = 0; i < config_count; ++i)
        check_config(config_dirs[i]);
}

/* ---- bad input ----------------------------------------------------------------------------- */

typedef struct fixture {
    s2f_model *model;
    s2f_face_decoder *decoder;
    size_t dim, height, width, count, pixels;
    float *feature, *rgb, *points;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->model = load_model(config_dirs[0]);
    assert_int_equal(s2f_face_decoder_create(f->model, &f->decoder), S2F_OK);
    s2f_face_decoder_shape(f->decoder, &f->dim, &f->height, &f->width, &f->count);
    f->pixels = f->height * f->width * 3;
    npy_array features = load(config_dirs[0], "features");
    f->feature = malloc(f->dim * sizeof(float));
    memcpy(f->feature, features.data, f->dim * sizeof(float));
    npy_free(&features);
    f->rgb = malloc(f->pixels * sizeof(float));
    f->points = malloc(2 * f->count * sizeof(float));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    s2f_face_decoder_free(f->decoder);
    s2f_model_free(f->model);
    free(f->feature); free(f->rgb); free(f->points);
    free(f);
    return 0;
}

/* Fills the outputs with a sentinel that a failing call must leave in place. */
static void poison(fixture *f)
{
    for (size_t i = 0; i < f->pixels; ++i) f->rgb[i] = -7.0f;
    for (size_t i = 0; i < 2 * f->count; ++i) f->points[i] = -7.0f;
}

static void assert_untouched(const fixture *f)
{
    for (size_t i = 0; i < f->pixels; ++i) assert_true(f->rgb[i] == -7.0f);
    for (size_t i = 0; i < 2 * f->count; ++i) assert_true(f->points[i] == -7.0f);
}

static s2f_status decode(fixture *f, const float *feature)
{
    return s2f_face_decoder_decode(f->decoder, feature, f->dim, f->rgb, f->pixels, f->points,
                                   2 * f->count);
}

static void rejects_null_and_small_buffers(void **state)
{
    fixture *f = *state;
    s2f_face_decoder_free(NULL);
    assert_string_equal(s2f_face_decoder_last_error(NULL), "decoder is NULL");
    s2f_face_decoder *none = (s2f_face_decoder *)f;
    assert_int_equal(s2f_face_decoder_create(NULL, &none), S2F_ERR_INVALID_ARGUMENT);
    assert_null(none); /* a failed create leaves *out NULL */
    assert_int_equal(s2f_face_decoder_create(f->model, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_shape(NULL, NULL, NULL, NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_shape(f->decoder, NULL, NULL, NULL, NULL), S2F_OK);
    poison(f);
    assert_int_equal(s2f_face_decoder_decode(NULL, f->feature, f->dim, f->rgb, f->pixels, NULL, 0),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_decode(f->decoder, NULL, f->dim, f->rgb, f->pixels, NULL, 0),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_decoder_last_error(f->decoder), "feature is NULL"));
    assert_int_equal(s2f_face_decoder_decode(f->decoder, f->feature, f->dim, NULL, f->pixels, NULL, 0),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_decode(f->decoder, f->feature, f->dim - 1, f->rgb, f->pixels,
                                             NULL, 0), S2F_ERR_SHAPE_MISMATCH);
    assert_int_equal(s2f_face_decoder_decode(f->decoder, f->feature, f->dim, f->rgb, f->pixels - 1,
                                             NULL, 0), S2F_ERR_BUFFER_TOO_SMALL);
    assert_non_null(strstr(s2f_face_decoder_last_error(f->decoder), "rgb holds"));
    assert_int_equal(s2f_face_decoder_decode(f->decoder, f->feature, f->dim, f->rgb, f->pixels,
                                             f->points, 2 * f->count - 1), S2F_ERR_BUFFER_TOO_SMALL);
    /* Outputs that overlap each other. */
    assert_int_equal(s2f_face_decoder_decode(f->decoder, f->feature, f->dim, f->rgb, f->pixels,
                                             f->rgb + 10, 2 * f->count), S2F_ERR_INVALID_ARGUMENT);
    assert_untouched(f);

    uint8_t *rgb8 = malloc(f->pixels);
    assert_int_equal(s2f_face_decoder_decode_u8(f->decoder, f->feature, f->dim, rgb8,
                                                f->width * 3 - 1, f->pixels, NULL, 0),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_decode_u8(f->decoder, f->feature, f->dim, rgb8, f->width * 3,
                                                f->pixels - 1, NULL, 0), S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_face_decoder_decode_u8(f->decoder, f->feature, f->dim, rgb8, SIZE_MAX / 2,
                                                f->pixels, NULL, 0), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_decode_u8(f->decoder, f->feature, f->dim, NULL, f->width * 3,
                                                f->pixels, NULL, 0), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_decode_u8(f->decoder, f->feature, f->dim, rgb8, f->width * 3,
                                                f->pixels, NULL, 0), S2F_OK);
    free(rgb8);
    assert_int_equal(s2f_face_decoder_decode_texture(f->decoder, f->feature, f->dim, f->rgb,
                                                     f->pixels - 1, NULL, 0),
                     S2F_ERR_BUFFER_TOO_SMALL);

    /* Landmarks are optional, and NULL landmarks ignore their capacity. */
    assert_int_equal(s2f_face_decoder_decode(f->decoder, f->feature, f->dim, f->rgb, f->pixels,
                                             NULL, 0), S2F_OK);
}

static void rejects_non_finite_features(void **state)
{
    fixture *f = *state;
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k) {
        poison(f);
        const float saved = f->feature[f->dim / 2];
        f->feature[f->dim / 2] = bad[k];
        assert_int_equal(decode(f, f->feature), S2F_ERR_NON_FINITE);
        assert_non_null(strstr(s2f_face_decoder_last_error(f->decoder), "feature["));
        assert_int_equal(s2f_face_decoder_decode_texture(f->decoder, f->feature, f->dim, f->rgb,
                                                         f->pixels, f->points, 2 * f->count),
                         S2F_ERR_NON_FINITE);
        assert_untouched(f);
        f->feature[f->dim / 2] = saved;
    }
    /* Finite but so large that the network overflows: named, never warped. */
    float *huge = malloc(f->dim * sizeof(float));
    for (size_t i = 0; i < f->dim; ++i)
        huge[i] = f->feature[i] >= 0 ? FLT_MAX : -FLT_MAX;
    poison(f);
    assert_int_equal(decode(f, huge), S2F_ERR_NON_FINITE);
    assert_non_null(strstr(s2f_face_decoder_last_error(f->decoder), "overflowed"));
    assert_untouched(f);
    free(huge);
    /* The decoder still works afterwards. */
    assert_int_equal(decode(f, f->feature), S2F_OK);
}

/* Large features push landmarks far outside the image: they are clamped to its rectangle, and
 * the regularised warp still succeeds with a valid image. */
static void clamps_landmarks_outside_the_image(void **state)
{
    fixture *f = *state;
    float *big = malloc(f->dim * sizeof(float));
    for (size_t i = 0; i < f->dim; ++i)
        big[i] = f->feature[i] * 1e4f;
    assert_int_equal(decode(f, big), S2F_OK);
    int on_border = 0;
    for (size_t t = 0; t < f->count; ++t) {
        const float x = f->points[2 * t], y = f->points[2 * t + 1];
        assert_true(x >= 0.0f && x <= (float)(f->width - 1));
        assert_true(y >= 0.0f && y <= (float)(f->height - 1));
        on_border += x == 0.0f || y == 0.0f || x == (float)(f->width - 1) ||
                     y == (float)(f->height - 1);
    }
    assert_true(on_border > 0); /* the test does push some outside */
    for (size_t i = 0; i < f->pixels; ++i)
        assert_true(f->rgb[i] >= 0.0f && f->rgb[i] <= 1.0f);
    free(big);
}

static void reports_mean_landmarks(void **state)
{
    fixture *f = *state;
    float *mean = malloc(2 * f->count * sizeof(float)), *meta = malloc(2 * f->count * sizeof(float));
    size_t n = 0;
    assert_int_equal(s2f_model_metadata_f32_array(f->model, "face_decoder.mean_landmarks", meta,
                                                  2 * f->count, &n), S2F_OK);
    assert_int_equal(n, 2 * f->count);
    assert_int_equal(s2f_face_decoder_mean_landmarks(f->decoder, mean, 2 * f->count), S2F_OK);
    assert_memory_equal(mean, meta, n * sizeof(float));
    assert_int_equal(s2f_face_decoder_mean_landmarks(f->decoder, mean, 2 * f->count - 1),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_face_decoder_mean_landmarks(f->decoder, NULL, 0), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_decoder_mean_landmarks(NULL, mean, 2 * f->count),
                     S2F_ERR_INVALID_ARGUMENT);
    free(mean);
    free(meta);
}

/* ---- broken models -------------------------------------------------------------------------- */

static s2f_status create_edited(const fixture *f, const model_edit *edit, s2f_model **model,
                                s2f_face_decoder **decoder)
{
    assert_int_equal(model_edit_copy(f->model, edit, model), S2F_OK);
    *decoder = NULL;
    s2f_status status = s2f_face_decoder_create(*model, decoder);
    if (status != S2F_OK)
        assert_null(*decoder);
    return status;
}

static void expect_create_failure(const fixture *f, const model_edit *edit, s2f_status expected,
                                  const char *message_part)
{
    s2f_model *model;
    s2f_face_decoder *decoder;
    s2f_status status = create_edited(f, edit, &model, &decoder);
    if (status != expected || !strstr(s2f_last_error_message(), message_part))
        fail_msg("expected %s mentioning \"%s\", got %s: %s", s2f_status_name(expected),
                 message_part, s2f_status_name(status), s2f_last_error_message());
    s2f_face_decoder_free(decoder);
    s2f_model_free(model);
}

static void rejects_broken_models(void **state)
{
    fixture *f = *state;
    float nan_mean[2 * 68 + 2];
    assert_true(f->count <= 68);
    assert_int_equal(s2f_face_decoder_mean_landmarks(f->decoder, nan_mean, 2 * f->count), S2F_OK);
    nan_mean[3] = NAN;
    const model_edit cases[] = {
        {.drop = "face_decoder.upconv1.weight"},
        {.drop = "face_decoder.to_rgb.bias"},
        {.drop = "face_decoder.mean_landmarks"},
        {.drop = "face_decoder.hidden_dim"},
        {.i64_key = "face_decoder.image_size", .i64_value = 64},
        {.i64_key = "face_decoder.upsample_output_padding", .i64_value = 9},
        {.i64_key = "face_decoder.landmark_count", .i64_value = 0},
        {.i64_key = "face_decoder.warp_order", .i64_value = 4},
        {.f64_key = "face_decoder.warp_regularization", .f64_value = -1.0},
        {.string_key = "face_decoder.architecture", .string_value = "pix2pix"},
        {.f32_key = "face_decoder.mean_landmarks", .f32_values = nan_mean, .f32_count = 2 * f->count - 2},
        {.f32_key = "face_decoder.mean_landmarks", .f32_values = nan_mean, .f32_count = 2 * f->count},
        /* fc_dec.weight stored transposed: [D][hidden] instead of [hidden][D]. */
        {.tensor_name = "face_decoder.fc_dec.weight", .tensor_ndim = 2,
         .tensor_shape = {(int64_t)f->dim, f->decoder->config.hidden_dim}},
    };
    const s2f_status expected[] = {
        S2F_ERR_NOT_FOUND, S2F_ERR_NOT_FOUND, S2F_ERR_NOT_FOUND, S2F_ERR_NOT_FOUND,
        S2F_ERR_SHAPE_MISMATCH, S2F_ERR_BAD_FORMAT, S2F_ERR_BAD_FORMAT, S2F_ERR_BAD_FORMAT,
        S2F_ERR_BAD_FORMAT, S2F_ERR_UNSUPPORTED, S2F_ERR_SHAPE_MISMATCH, S2F_ERR_BAD_FORMAT,
        S2F_ERR_SHAPE_MISMATCH,
    };
    const char *messages[] = {
        "upconv1.weight", "to_rgb.bias", "mean_landmarks", "hidden_dim", "image_size",
        "output_padding", "landmark_count", "warp_order", "warp_regularization", "pix2pix",
        "mean_landmarks has", "not finite", "fc_dec.weight",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
        expect_create_failure(f, &cases[i], expected[i], messages[i]);

    /* A model without a face_decoder component. */
    s2fi_model_writer *writer;
    uint8_t *bytes;
    size_t size;
    s2f_model *model;
    assert_int_equal(s2fi_model_writer_create(&writer), S2F_OK);
    assert_int_equal(s2fi_model_writer_set_string(writer, "general.architecture", "speech2face"),
                     S2F_OK);
    assert_int_equal(s2fi_model_writer_to_buffer(writer, &bytes, &size), S2F_OK);
    assert_int_equal(s2f_model_load_buffer(bytes, size, NULL, &model), S2F_OK);
    s2f_face_decoder *decoder = NULL;
    assert_int_equal(s2f_face_decoder_create(model, &decoder), S2F_ERR_NOT_FOUND);
    assert_null(decoder);
    s2f_model_free(model);
    s2fi_free(bytes);
    s2fi_model_writer_free(writer);
}

/* Warp keys are optional: without them the defaults (order 2, 2 boundary points, λ = 1e-3)
 * apply, which the "small" goldens also use, so the output is identical. With λ = 0, landmarks
 * clamped onto an image corner coincide with a boundary point: a named S2F_ERR_SINGULAR. */
static void warp_keys_default_and_singular_warps_fail_by_name(void **state)
{
    fixture *f = *state;
    const s2fi_face_decoder_config *c = &f->decoder->config;
    if (c->warp.order == 2 && c->warp.boundary_points == 2 && c->warp.regularization == 1e-3) {
        const char *keys[] = {"face_decoder.warp_order", "face_decoder.warp_boundary_points",
                              "face_decoder.warp_regularization"};
        assert_int_equal(decode(f, f->feature), S2F_OK);
        float *expected = malloc(f->pixels * sizeof(float));
        memcpy(expected, f->rgb, f->pixels * sizeof(float));
        for (size_t k = 0; k < 3; ++k) {
            s2f_model *model;
            s2f_face_decoder *decoder;
            const model_edit drop = {.drop = keys[k]};
            assert_int_equal(create_edited(f, &drop, &model, &decoder), S2F_OK);
            assert_int_equal(s2f_face_decoder_decode(decoder, f->feature, f->dim, f->rgb,
                                                     f->pixels, NULL, 0), S2F_OK);
            assert_memory_equal(f->rgb, expected, f->pixels * sizeof(float));
            s2f_face_decoder_free(decoder);
            s2f_model_free(model);
        }
        free(expected);
    }
    if (c->warp.boundary_points < 1)
        return;
    s2f_model *model;
    s2f_face_decoder *decoder;
    const model_edit exact = {.f64_key = "face_decoder.warp_regularization", .f64_value = 0.0};
    assert_int_equal(create_edited(f, &exact, &model, &decoder), S2F_OK);
    /* A feature that drives the first landmark to −∞ in x and y lands it on corner (0, 0). Find
     * one through the landmark head's linear response: try scaled ± copies of the feature. */
    float *feature = malloc(f->dim * sizeof(float));
    int found = 0;
    for (int sign = -1; sign <= 1 && !found; sign += 2)
        for (size_t axis = 0; axis < f->dim && !found; ++axis) {
            memset(feature, 0, f->dim * sizeof(float));
            feature[axis] = (float)sign * 1e6f;
            if (s2f_face_decoder_decode_texture(decoder, feature, f->dim, f->rgb, f->pixels,
                                                f->points, 2 * f->count) != S2F_OK)
                continue;
            for (size_t t = 0; t < f->count; ++t) {
                const float x = f->points[2 * t], y = f->points[2 * t + 1];
                if ((x == 0.0f || x == (float)(f->width - 1)) &&
                    (y == 0.0f || y == (float)(f->height - 1)))
                    found = 1;
            }
        }
    assert_true(found);
    poison(f);
    assert_int_equal(s2f_face_decoder_decode(decoder, feature, f->dim, f->rgb, f->pixels,
                                             f->points, 2 * f->count), S2F_ERR_SINGULAR);
    assert_non_null(strstr(s2f_face_decoder_last_error(decoder), "singular"));
    assert_non_null(strstr(s2f_face_decoder_last_error(decoder), "warp_regularization"));
    assert_untouched(f);
    /* The same feature through the model's own regularised warp succeeds. */
    assert_int_equal(c->warp.regularization > 0 ? decode(f, feature) : S2F_OK, S2F_OK);
    free(feature);
    s2f_face_decoder_free(decoder);
    s2f_model_free(model);
}

static int is_config_dir(const char *dir)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/model.s2fm", dir);
    return stat(path, &st) == 0;
}

static int compare_strings(const void *a, const void *b) { return strcmp(a, b); }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    if (is_config_dir(argv[1])) {
        snprintf(config_dirs[config_count++], sizeof config_dirs[0], "%s", argv[1]);
    } else {
        DIR *dir = opendir(argv[1]);
        for (struct dirent *entry; dir && (entry = readdir(dir)) && config_count < MAX_CONFIGS;) {
            if (entry->d_name[0] == '.')
                continue;
            snprintf(config_dirs[config_count], sizeof config_dirs[0], "%s/%s", argv[1], entry->d_name);
            if (is_config_dir(config_dirs[config_count]))
                ++config_count;
        }
        if (dir)
            closedir(dir);
        qsort(config_dirs, (size_t)config_count, sizeof config_dirs[0], compare_strings);
    }
    if (config_count == 0) {
        fprintf(stderr, "no decoder goldens under %s\n", argv[1]);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decoder_matches_reference),
        cmocka_unit_test_setup_teardown(rejects_null_and_small_buffers, setup, teardown),
        cmocka_unit_test_setup_teardown(rejects_non_finite_features, setup, teardown),
        cmocka_unit_test_setup_teardown(clamps_landmarks_outside_the_image, setup, teardown),
        cmocka_unit_test_setup_teardown(reports_mean_landmarks, setup, teardown),
        cmocka_unit_test_setup_teardown(rejects_broken_models, setup, teardown),
        cmocka_unit_test_setup_teardown(warp_keys_default_and_singular_warps_fail_by_name, setup,
                                        teardown),
    };
    int failed = cmocka_run_group_tests_name("face decoder vs PyTorch reference", tests, NULL, NULL);
    printf("worst max|Δ|: texture %.3g, landmarks %.3g px, image %.3g; stages (relative) %.3g\n",
           worst_texture, worst_landmarks, worst_image, worst_tap);
    return failed;
}
