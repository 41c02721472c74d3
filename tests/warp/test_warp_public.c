/* The image warp through the public API, as a user calls it: exact cases (identity, pure
 * translation), goldens from tools/reference/warp_ref.py on a real face, and every documented error.
 * Usage: test_warp_public DATA_DIR   (tests/warp/data) */
#include <speech2face.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "npy.h"

static const char *data_dir;

typedef struct face {
    int height, width, channels;
    float *pixels;  /* 0..1 */
    uint8_t *bytes;
} face;

static face load_face(void)
{
    char path[1024], error[512];
    snprintf(path, sizeof path, "%s/face64.npy", data_dir);
    npy_array array;
    if (npy_load(path, &array, error, sizeof error) != 0)
        fail_msg("%s", error);
    assert_int_equal(array.ndim, 3);
    face f = {(int)array.shape[0], (int)array.shape[1], (int)array.shape[2], NULL, NULL};
    f.pixels = malloc(array.count * sizeof(float));
    f.bytes = malloc(array.count);
    assert_non_null(f.pixels);
    assert_non_null(f.bytes);
    for (size_t i = 0; i < array.count; ++i) {
        f.pixels[i] = array.data[i] / 255.0f;
        f.bytes[i] = (uint8_t)array.data[i];
    }
    npy_free(&array);
    return f;
}

static void free_face(face *f)
{
    free(f->pixels);
    free(f->bytes);
}

static size_t face_values(const face *f)
{
    return (size_t)f->height * (size_t)f->width * (size_t)f->channels;
}

static npy_array load_case(const char *name, const char *part)
{
    char path[1024], error[512];
    snprintf(path, sizeof path, "%s/case_%s_%s.npy", data_dir, name, part);
    npy_array array;
    if (npy_load(path, &array, error, sizeof error) != 0)
        fail_msg("%s", error);
    return array;
}

/* A spread of control points in a 64×64 image, none on the border. */
static void scattered_points(float *xy, size_t n, int width, int height, unsigned seed)
{
    srand(seed);
    for (size_t t = 0; t < n; ++t) {
        xy[2 * t] = 4.0f + (float)rand() / (float)RAND_MAX * (float)(width - 9);
        xy[2 * t + 1] = 4.0f + (float)rand() / (float)RAND_MAX * (float)(height - 9);
    }
}

static void defaults_are_documented_values(void **state)
{
    (void)state;
    s2f_warp_params p = s2f_warp_default_params();
    assert_int_equal(p.size, sizeof(s2f_warp_params));
    assert_int_equal(p.order, 2);
    assert_int_equal(p.boundary_points, 2);
    assert_true(p.regularization == 0.0);
}

static void identity_move_returns_the_input(void **state)
{
    (void)state;
    face f = load_face();
    float points[2 * 30];
    scattered_points(points, 30, f.width, f.height, 1);
    float *out = malloc(face_values(&f) * sizeof(float));
    for (int order = 1; order <= 3; ++order)
        for (int boundary = 0; boundary <= 3; boundary += 3) {
            s2f_warp_params p = s2f_warp_default_params();
            p.order = order;
            p.boundary_points = boundary;
            assert_int_equal(s2f_warp_image(f.pixels, f.height, f.width, f.channels, points,
                                            points, 30, &p, out),
                             S2F_OK);
            double err = npy_max_abs_diff(out, f.pixels, face_values(&f));
            print_message("identity k=%d boundary=%d: max |out - in| = %.3g\n", order, boundary,
                          err);
            assert_true(err <= 1e-5);
        }
    free(out);
    free_face(&f);
}

/* Bilinear value of the face at (y, x), clamped, computed independently of the library. */
static float sample_clamped(const face *f, double y, double x, int c)
{
    y = fmin(fmax(y, 0.0), f->height - 1.0);
    x = fmin(fmax(x, 0.0), f->width - 1.0);
    int y0 = (int)floor(y), x0 = (int)floor(x);
    int y1 = y0 + 1 < f->height ? y0 + 1 : y0, x1 = x0 + 1 < f->width ? x0 + 1 : x0;
    double ay = y - y0, ax = x - x0;
#define PX(yy, xx) f->pixels[((size_t)(yy) * f->width + (xx)) * f->channels + c]
    return (float)((1 - ay) * ((1 - ax) * PX(y0, x0) + ax * PX(y0, x1)) +
                   ay * ((1 - ax) * PX(y1, x0) + ax * PX(y1, x1)));
#undef PX
}

static void translating_every_point_translates_the_image(void **state)
{
    (void)state;
    face f = load_face();
    enum { N = 12 };
    float src[2 * N], dst[2 * N];
    scattered_points(src, N, f.width, f.height, 2);
    const double shifts[][2] = {{3.0, -2.0}, {1.25, 0.5}, {-7.5, 4.75}};
    float *out = malloc(face_values(&f) * sizeof(float));
    for (size_t s = 0; s < sizeof shifts / sizeof shifts[0]; ++s)
        for (int order = 1; order <= 3; ++order) {
            for (size_t t = 0; t < N; ++t) {
                dst[2 * t] = src[2 * t] + (float)shifts[s][0];
                dst[2 * t + 1] = src[2 * t + 1] + (float)shifts[s][1];
            }
            s2f_warp_params p = s2f_warp_default_params();
            p.order = order;
            p.boundary_points = 0;
            assert_int_equal(
                s2f_warp_image(f.pixels, f.height, f.width, f.channels, src, dst, N, &p, out),
                S2F_OK);
            double err = 0.0;
            for (int y = 0; y < f.height; ++y)
                for (int x = 0; x < f.width; ++x)
                    for (int c = 0; c < f.channels; ++c) {
                        float expected = sample_clamped(&f, y - shifts[s][1], x - shifts[s][0], c);
                        size_t i = ((size_t)y * f.width + x) * f.channels + c;
                        err = fmax(err, fabs(out[i] - expected));
                    }
            print_message("translation (%g, %g) k=%d: max error %.3g\n", shifts[s][0],
                          shifts[s][1], order, err);
            assert_true(err <= 1e-4);
        }
    free(out);
    free_face(&f);
}

static void random_moves_match_the_reference(void **state)
{
    (void)state;
    face f = load_face();
    const char *cases[] = {"k1_exact", "k1_reg", "k2_exact", "k2_reg", "k3_exact", "k3_reg"};
    float *out = malloc(face_values(&f) * sizeof(float));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        npy_array src = load_case(cases[i], "src"), dst = load_case(cases[i], "dst");
        npy_array params = load_case(cases[i], "params"), expected = load_case(cases[i], "out");
        assert_int_equal(expected.count, face_values(&f));
        s2f_warp_params p = s2f_warp_default_params();
        p.order = (int32_t)params.data[0];
        p.regularization = params.data[1];
        p.boundary_points = (int32_t)params.data[2];
        assert_int_equal(s2f_warp_image(f.pixels, f.height, f.width, f.channels, src.data,
                                        dst.data, src.count / 2, &p, out),
                         S2F_OK);
        double err = npy_max_abs_diff(out, expected.data, expected.count);
        print_message("%s (k=%d, lambda=%g, boundary=%d): max |C - reference| = %.3g\n", cases[i],
                      p.order, p.regularization, p.boundary_points, err);
        assert_true(err <= 1e-3);
        npy_free(&src);
        npy_free(&dst);
        npy_free(&params);
        npy_free(&expected);
    }
    free(out);
    free_face(&f);
}

static void u8_variant_rounds_the_float_result(void **state)
{
    (void)state;
    face f = load_face();
    npy_array src = load_case("k2_exact", "src"), dst = load_case("k2_exact", "dst");
    size_t count = face_values(&f);
    float *reference = malloc(count * sizeof(float));
    float *from_bytes = malloc(count * sizeof(float));
    uint8_t *out = malloc(count);
    for (size_t i = 0; i < count; ++i)
        from_bytes[i] = f.bytes[i];
    assert_int_equal(s2f_warp_image(from_bytes, f.height, f.width, f.channels, src.data, dst.data,
                                    src.count / 2, NULL, reference),
                     S2F_OK);
    assert_int_equal(s2f_warp_image_u8(f.bytes, f.height, f.width, f.channels, src.data,
                                       dst.data, src.count / 2, NULL, out),
                     S2F_OK);
    for (size_t i = 0; i < count; ++i)
        assert_true(fabsf((float)out[i] - reference[i]) <= 0.5f + 1e-3f);
    free(reference);
    free(from_bytes);
    free(out);
    npy_free(&src);
    npy_free(&dst);
    free_face(&f);
}

/* Expects `status`, a non-empty message, and dst left exactly as it was. */
#define EXPECT_FAILURE(call, status, sentinel_buffer, count)                       \
    do {                                                                           \
        for (size_t k_ = 0; k_ < (count); ++k_)                                    \
            (sentinel_buffer)[k_] = -42.0f;                                        \
        assert_int_equal((call), (status));                                        \
        assert_true(strlen(s2f_last_error_message()) > 10);                        \
        for (size_t k_ = 0; k_ < (count); ++k_)                                    \
            assert_true((sentinel_buffer)[k_] == -42.0f);                          \
    } while (0)

static void coincident_points_are_singular_without_regularization(void **state)
{
    (void)state;
    face f = load_face();
    enum { N = 10 };
    float src[2 * N], dst[2 * N];
    scattered_points(src, N, f.width, f.height, 3);
    memcpy(dst, src, sizeof src);
    dst[2 * 7] = dst[2 * 2];
    dst[2 * 7 + 1] = dst[2 * 2 + 1];
    size_t count = face_values(&f);
    float *out = malloc(count * sizeof(float));
    s2f_warp_params p = s2f_warp_default_params();
    for (int order = 1; order <= 3; ++order) {
        p.order = order;
        EXPECT_FAILURE(s2f_warp_image(f.pixels, f.height, f.width, f.channels, src, dst, N, &p,
                                      out),
                       S2F_ERR_SINGULAR, out, count);
        assert_non_null(strstr(s2f_last_error_message(), "dst_points[2] and dst_points[7]"));
    }
    /* A control point on a boundary point (a corner) is a coincidence too. */
    dst[2 * 7] = 0.0f;
    dst[2 * 7 + 1] = 0.0f;
    EXPECT_FAILURE(s2f_warp_image(f.pixels, f.height, f.width, f.channels, src, dst, N, &p, out),
                   S2F_ERR_SINGULAR, out, count);
    assert_non_null(strstr(s2f_last_error_message(), "boundary point 0"));
    /* Regularisation makes the system definite again (TF's documented use of it). */
    p.regularization = 0.01;
    assert_int_equal(
        s2f_warp_image(f.pixels, f.height, f.width, f.channels, src, dst, N, &p, out), S2F_OK);
    for (size_t i = 0; i < count; ++i)
        assert_true(isfinite(out[i]));
    free(out);
    free_face(&f);
}

static void degenerate_affine_part_is_singular(void **state)
{
    (void)state;
    float image[4 * 5] = {0};
    float out[4 * 5];
    s2f_warp_params p = s2f_warp_default_params();
    p.boundary_points = 0;
    /* Fewer than 3 points, or all on one line, leave the affine part undetermined. */
    const float two[] = {1.0f, 1.0f, 3.0f, 2.0f};
    EXPECT_FAILURE(s2f_warp_image(image, 4, 5, 1, two, two, 2, &p, out), S2F_ERR_SINGULAR, out,
                   20);
    const float line[] = {0.5f, 1.0f, 1.5f, 1.0f, 2.5f, 1.0f, 3.5f, 1.0f};
    EXPECT_FAILURE(s2f_warp_image(image, 4, 5, 1, line, line, 4, &p, out), S2F_ERR_SINGULAR, out,
                   20);
    const float diagonal[] = {0.0f, 0.0f, 1.0f, 1.0f, 2.0f, 2.0f, 3.0f, 3.0f};
    EXPECT_FAILURE(s2f_warp_image(image, 4, 5, 1, diagonal, diagonal, 4, &p, out),
                   S2F_ERR_SINGULAR, out, 20);
    /* With boundary points the corners span the plane: one landmark is enough. */
    p.boundary_points = 1;
    const float one_src[] = {2.0f, 1.5f}, one_dst[] = {2.5f, 1.5f};
    assert_int_equal(s2f_warp_image(image, 4, 5, 1, one_src, one_dst, 1, &p, out), S2F_OK);
}

static void non_finite_input_is_rejected(void **state)
{
    (void)state;
    float image[8 * 8] = {0}, out[8 * 8];
    float good[] = {1, 1, 6, 1, 3, 6};
    float bad[6];
    const float poison[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 3; ++k)
        for (size_t i = 0; i < 6; ++i) {
            memcpy(bad, good, sizeof good);
            bad[i] = poison[k];
            EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, bad, good, 3, NULL, out),
                           S2F_ERR_NON_FINITE, out, 64);
            assert_non_null(strstr(s2f_last_error_message(), "src_points["));
            EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, good, bad, 3, NULL, out),
                           S2F_ERR_NON_FINITE, out, 64);
            assert_non_null(strstr(s2f_last_error_message(), "dst_points["));
        }
    s2f_warp_params p = s2f_warp_default_params();
    p.regularization = NAN;
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, good, good, 3, &p, out), S2F_ERR_NON_FINITE,
                   out, 64);
}

static void invalid_arguments_are_named(void **state)
{
    (void)state;
    float image[8 * 8 * 4] = {0}, out[8 * 8 * 4];
    uint8_t image8[8 * 8] = {0}, out8[8 * 8];
    const float pts[] = {1, 1, 6, 1, 3, 6};
    const size_t n = sizeof out / sizeof out[0];
    EXPECT_FAILURE(s2f_warp_image(NULL, 8, 8, 1, pts, pts, 3, NULL, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    assert_int_equal(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, NULL, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, NULL, pts, 3, NULL, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, NULL, 3, NULL, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 0, NULL, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    const int sizes[][3] = {{0, 8, 1}, {8, 0, 1}, {1, 8, 1}, {8, 1, 1}, {-3, 8, 1}, {8, 8, 0},
                            {8, 8, 5}, {8, 8, -1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
        EXPECT_FAILURE(s2f_warp_image(image, sizes[i][0], sizes[i][1], sizes[i][2], pts, pts, 3,
                                      NULL, out),
                       S2F_ERR_INVALID_ARGUMENT, out, n);
    s2f_warp_params p = s2f_warp_default_params();
    const int orders[] = {0, 4, -1};
    for (size_t i = 0; i < 3; ++i) {
        p.order = orders[i];
        EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, &p, out),
                       S2F_ERR_INVALID_ARGUMENT, out, n);
        assert_non_null(strstr(s2f_last_error_message(), "order"));
    }
    p = s2f_warp_default_params();
    p.regularization = -1e-3;
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, &p, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    p = s2f_warp_default_params();
    p.boundary_points = -1;
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, &p, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    p.boundary_points = 257;
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, &p, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    p = s2f_warp_default_params();
    p.size = 0;
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, &p, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    p.size = sizeof p + 8;
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, &p, out),
                   S2F_ERR_UNSUPPORTED_VERSION, out, n);
    /* Too many control points for the solver's bound. */
    float *many = calloc(2 * 1100, sizeof(float));
    EXPECT_FAILURE(s2f_warp_image(image, 8, 8, 1, many, many, 1100, NULL, out),
                   S2F_ERR_INVALID_ARGUMENT, out, n);
    free(many);
    /* In place is refused: the warp reads neighbours of pixels it has already written. */
    assert_int_equal(s2f_warp_image(image, 8, 8, 1, pts, pts, 3, NULL, image + 10),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_warp_image_u8(image8, 8, 8, 1, pts, pts, 3, NULL, image8),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_warp_image_u8(image8, 8, 8, 1, pts, pts, 3, NULL, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_warp_image_u8(image8, 8, 8, 1, pts, pts, 3, NULL, out8), S2F_OK);
}

/* Control points outside the image are legal; far enough out the system becomes numerically
 * singular, which must be reported, never a crash or a non-finite pixel. */
static void far_away_points_do_not_crash(void **state)
{
    (void)state;
    face f = load_face();
    size_t count = face_values(&f);
    float *out = malloc(count * sizeof(float));
    const float distances[] = {-40.0f, 100.0f, 1e4f, -1e6f, 1e12f, 3e38f};
    for (size_t d = 0; d < sizeof distances / sizeof distances[0]; ++d)
        for (int order = 1; order <= 3; ++order)
            for (int moved = 0; moved < 2; ++moved) {
                float src[] = {10, 10, 50, 12, 30, 50, 20, 30, 0, 0};
                float dst[] = {12, 11, 48, 12, 31, 47, 20, 30, 0, 0};
                /* Either the control point itself is far away, or it moves far away. */
                dst[8] = dst[9] = distances[d];
                src[8] = src[9] = moved ? 5.0f : distances[d];
                s2f_warp_params p = s2f_warp_default_params();
                p.order = order;
                s2f_status status =
                    s2f_warp_image(f.pixels, f.height, f.width, f.channels, src, dst, 5, &p, out);
                assert_true(status == S2F_OK || status == S2F_ERR_SINGULAR);
                if (status != S2F_OK)
                    continue;
                for (size_t i = 0; i < count; ++i)
                    assert_true(out[i] >= -1e-6f && out[i] <= 1.0f + 1e-6f);
            }
    free(out);
    free_face(&f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_documented_values),
        cmocka_unit_test(identity_move_returns_the_input),
        cmocka_unit_test(translating_every_point_translates_the_image),
        cmocka_unit_test(random_moves_match_the_reference),
        cmocka_unit_test(u8_variant_rounds_the_float_result),
        cmocka_unit_test(coincident_points_are_singular_without_regularization),
        cmocka_unit_test(degenerate_affine_part_is_singular),
        cmocka_unit_test(non_finite_input_is_rejected),
        cmocka_unit_test(invalid_arguments_are_named),
        cmocka_unit_test(far_away_points_do_not_crash),
    };
    return cmocka_run_group_tests_name("warp (public API)", tests, NULL, NULL);
}
