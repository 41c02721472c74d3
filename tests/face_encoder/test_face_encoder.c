/* s2f_face_encoder: agreement with the original face-api (goldens from Node), API behaviour,
 * named errors for bad input, and the generic layers it added to lib/nn.
 * Arguments: MODEL (models/face_encoder_faceapi.s2fm) DATA_DIR (tests/face_encoder/data). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "model/writer.h"
#include "nn/avgpool.h"
#include "nn/residual.h"
#include "npy.h"
#include "speech2face.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *model_path;
static const char *data_dir;

typedef struct fixture {
    s2f_model *model;
    s2f_face_encoder *encoder;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (s2f_model_load_file(model_path, NULL, &f->model) != S2F_OK) {
        fprintf(stderr, "cannot load %s: %s\n", model_path, s2f_last_error_message());
        free(f);
        return -1;
    }
    if (s2f_face_encoder_create(f->model, &f->encoder) != S2F_OK) {
        fprintf(stderr, "cannot create the encoder: %s\n", s2f_last_error_message());
        s2f_model_free(f->model);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    s2f_face_encoder_free(f->encoder);
    s2f_model_free(f->model);
    free(f);
    return 0;
}

static void load(const char *name, npy_array *out)
{
    char path[1024], error[256];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    if (npy_load(path, out, error, sizeof error) != 0)
        fail_msg("%s: %s", path, error);
}

/* The npy reader gives floats; images are uint8 in the file. */
static uint8_t *to_bytes(const npy_array *a)
{
    uint8_t *bytes = malloc(a->count);
    for (size_t i = 0; i < a->count; ++i)
        bytes[i] = (uint8_t)a->data[i];
    return bytes;
}

static double cosine(const float *a, const float *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; ++i) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / sqrt(aa * bb);
}

/* ---------------------------------------------------------------- agreement with face-api */

static void test_shape(void **state)
{
    fixture *f = *state;
    size_t dim = 0, size = 0;
    assert_int_equal(s2f_face_encoder_shape(f->encoder, &dim, &size), S2F_OK);
    assert_int_equal(dim, 128);
    assert_int_equal(size, 150);
    assert_int_equal(s2f_face_encoder_shape(f->encoder, NULL, NULL), S2F_OK);
}

static void test_matches_face_api(void **state)
{
    fixture *f = *state;
    npy_array expected;
    load("synthetic_expected.npy", &expected);
    assert_int_equal(expected.shape[1], 128);
    for (int i = 0; i < (int)expected.shape[0]; ++i) {
        char name[64];
        snprintf(name, sizeof name, "synthetic_%d.npy", i);
        npy_array image;
        load(name, &image);
        const int height = (int)image.shape[0], width = (int)image.shape[1];
        uint8_t *rgb = to_bytes(&image);
        float feature[128];
        assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, width, height,
                                                 (size_t)width * 3, feature, 128), S2F_OK);
        const float *want = expected.data + (size_t)i * 128;
        double cos = cosine(feature, want, 128);
        double diff = npy_max_abs_diff(feature, want, 128);
        printf("synthetic %d (%d×%d): cosine %.9f, max|Δ| %.3g vs face-api\n", i, width, height,
               cos, diff);
        /* The bar is cosine >= 0.9999 and max|Δ| <= 1e-3; we are at float rounding. */
        assert_true(cos >= 0.9999);
        assert_true(diff <= 1e-4);
        free(rgb);
        npy_free(&image);
    }
    npy_free(&expected);
}

static void test_stride_and_batch(void **state)
{
    fixture *f = *state;
    npy_array image;
    load("synthetic_2.npy", &image);
    const int height = (int)image.shape[0], width = (int)image.shape[1];
    uint8_t *rgb = to_bytes(&image);
    float single[128];
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, width, height, (size_t)width * 3,
                                             single, 128), S2F_OK);
    /* The same image inside padded rows, twice in one batch: identical results. */
    const size_t stride = (size_t)width * 3 + 17, image_stride = stride * (size_t)height + 5;
    uint8_t *padded = calloc(2 * image_stride, 1);
    for (int n = 0; n < 2; ++n)
        for (int y = 0; y < height; ++y)
            memcpy(padded + (size_t)n * image_stride + (size_t)y * stride,
                   rgb + (size_t)y * (size_t)width * 3, (size_t)width * 3);
    float batch[256];
    assert_int_equal(s2f_face_encoder_encode_batch(f->encoder, padded, 2, width, height, stride,
                                                   image_stride, batch, 256), S2F_OK);
    assert_memory_equal(batch, single, sizeof single);
    assert_memory_equal(batch + 128, single, sizeof single);
    free(padded);
    free(rgb);
    npy_free(&image);
}

/* A batch of 11 different crops (a group of 8 and one of 3 through the small-map blocks on one
 * thread; 6 and 5 on two lanes) equals 11 single calls bit for bit. */
static void test_batch_groups_equal_single_calls(void **state)
{
    fixture *f = *state;
    enum { COUNT = 11 };
    npy_array image;
    load("synthetic_2.npy", &image);
    const int height = (int)image.shape[0], width = (int)image.shape[1];
    const size_t bytes = (size_t)width * 3 * (size_t)height;
    uint8_t *rgb = to_bytes(&image), *images = malloc(COUNT * bytes);
    for (size_t n = 0; n < COUNT; ++n)
        for (size_t i = 0; i < bytes; ++i)
            images[n * bytes + i] = (uint8_t)(rgb[i] + 23 * n * (i % 7 == n % 7));
    float *batch = malloc(COUNT * 128 * sizeof(float)), single[128];
    assert_int_equal(s2f_face_encoder_encode_batch(f->encoder, images, COUNT, width, height,
                                                   (size_t)width * 3, bytes, batch, COUNT * 128),
                     S2F_OK);
    for (size_t n = 0; n < COUNT; ++n) {
        assert_int_equal(s2f_face_encoder_encode(f->encoder, images + n * bytes, width, height,
                                                 (size_t)width * 3, single, 128), S2F_OK);
        assert_memory_equal(batch + n * 128, single, sizeof single);
    }
    assert_true(memcmp(batch, batch + 128, sizeof single) != 0); /* the crops differ */
    free(batch);
    free(images);
    free(rgb);
    npy_free(&image);
}

static void test_resize_filters(void **state)
{
    fixture *f = *state;
    npy_array small, large;
    load("synthetic_0.npy", &small); /* 150×150: no resize, so the filter cannot matter */
    load("synthetic_2.npy", &large);
    uint8_t *a = to_bytes(&small), *b = to_bytes(&large);
    float tf_small[128], aa_small[128], tf_large[128], aa_large[128];
    assert_int_equal(s2f_face_encoder_encode(f->encoder, a, 150, 150, 450, tf_small, 128), S2F_OK);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, b, 230, 170, 690, tf_large, 128), S2F_OK);
    assert_int_equal(s2f_face_encoder_set_resize_filter(f->encoder, S2F_RESIZE_BILINEAR_ANTIALIAS),
                     S2F_OK);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, a, 150, 150, 450, aa_small, 128), S2F_OK);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, b, 230, 170, 690, aa_large, 128), S2F_OK);
    assert_int_equal(s2f_face_encoder_set_resize_filter(f->encoder, S2F_RESIZE_MODEL_DEFAULT),
                     S2F_OK);
    assert_memory_equal(tf_small, aa_small, sizeof tf_small);
    /* A different filter: a slightly different, still very similar descriptor. */
    assert_true(npy_max_abs_diff(tf_large, aa_large, 128) > 1e-6);
    assert_true(cosine(tf_large, aa_large, 128) > 0.98);
    free(a);
    free(b);
    npy_free(&small);
    npy_free(&large);
}

/* ---------------------------------------------------------------- bad input */

static void test_encode_errors(void **state)
{
    fixture *f = *state;
    uint8_t *rgb = calloc(200 * 200 * 3, 1);
    float feature[128];
    memset(feature, 0x7f, sizeof feature);
    float untouched[128];
    memcpy(untouched, feature, sizeof feature);

    assert_int_equal(s2f_face_encoder_encode(NULL, rgb, 200, 200, 600, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, NULL, 200, 200, 600, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 200, 200, 600, NULL, 128),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 0, 200, 600, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 200, -3, 600, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_encoder_last_error(f->encoder), "-3"));
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 40000, 2, 120000, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT); /* a side over 32768 */
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 30000, 30000, 90000, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT); /* 9e8 pixels */
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 200, 200, 0, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT); /* zero stride */
    assert_non_null(strstr(s2f_face_encoder_last_error(f->encoder), "stride"));
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 200, 200, 599, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 200, 200, SIZE_MAX / 2, feature, 128),
                     S2F_ERR_INVALID_ARGUMENT); /* stride × rows overflows */
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 200, 200, 600, feature, 127),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_memory_equal(feature, untouched, sizeof feature);

    /* Tiny images are valid: a 1×1 pixel is padded/resized like any other. */
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 1, 1, 3, feature, 128), S2F_OK);
    assert_int_equal(s2f_face_encoder_encode(f->encoder, rgb, 1, 200, 3, feature, 128), S2F_OK);

    float batch[256];
    assert_int_equal(s2f_face_encoder_encode_batch(f->encoder, rgb, 0, 10, 10, 30, 300, batch, 256),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_encode_batch(f->encoder, rgb, 2, 10, 10, 30, 299, batch, 256),
                     S2F_ERR_INVALID_ARGUMENT); /* images overlap */
    assert_int_equal(s2f_face_encoder_encode_batch(f->encoder, rgb, 2, 10, 10, 30, 300, batch, 255),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_face_encoder_encode_batch(f->encoder, rgb, 2, 10, 10, 30, 300, NULL, 256),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_set_resize_filter(f->encoder, (s2f_resize_filter)7),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_set_resize_filter(NULL, S2F_RESIZE_BILINEAR_TF),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_shape(NULL, NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_string_equal(s2f_face_encoder_last_error(NULL), "encoder is NULL");
    s2f_face_encoder_free(NULL);
    free(rgb);
}

/* Builds a container in memory with the given face_encoder entries. */
static s2f_model *model_from(void (*fill)(s2fi_model_writer *))
{
    s2fi_model_writer *w;
    assert_int_equal(s2fi_model_writer_create(&w), S2F_OK);
    fill(w);
    uint8_t *bytes;
    size_t size;
    assert_int_equal(s2fi_model_writer_to_buffer(w, &bytes, &size), S2F_OK);
    s2f_model *model = NULL;
    assert_int_equal(s2f_model_load_buffer(bytes, size, NULL, &model), S2F_OK);
    s2fi_free(bytes);
    s2fi_model_writer_free(w);
    return model;
}

static void fill_other_component(s2fi_model_writer *w)
{
    s2fi_model_writer_set_i64(w, "voice_encoder.kernel", 4);
}

static void fill_unknown_architecture(s2fi_model_writer *w)
{
    s2fi_model_writer_set_string(w, "face_encoder.architecture", "inception");
}

static void fill_missing_tensors(s2fi_model_writer *w)
{
    const float mean[3] = {1, 2, 3};
    const int64_t layers[3] = {4, -1, 4};
    const int64_t fc[1] = {5};
    s2fi_model_writer_set_string(w, "face_encoder.architecture", "vgg16");
    s2fi_model_writer_set_i64(w, "face_encoder.input_size", 16);
    s2fi_model_writer_set_f32_array(w, "face_encoder.input_mean", mean, 3);
    s2fi_model_writer_set_f64(w, "face_encoder.input_scale", 1.0);
    s2fi_model_writer_set_i64_array(w, "face_encoder.vgg_layers", layers, 3);
    s2fi_model_writer_set_i64_array(w, "face_encoder.fc_dims", fc, 1);
    s2fi_model_writer_set_i64(w, "face_encoder.output_relu", 0);
}

static void fill_wrong_shape(s2fi_model_writer *w)
{
    fill_missing_tensors(w);
    float weights[4 * 2 * 3 * 3] = {0};
    const int64_t shape[4] = {4, 2, 3, 3}; /* 2 input channels; RGB has 3 */
    s2fi_model_writer_add_tensor(w, "face_encoder.features.0.weight", S2FI_DTYPE_F32, 4, shape,
                                 weights);
}

static void fill_bad_quantisation(s2fi_model_writer *w)
{
    fill_missing_tensors(w);
    uint8_t codes[4 * 3 * 3 * 3] = {0};
    const int64_t shape[4] = {4, 3, 3, 3};
    s2fi_model_writer_add_tensor(w, "face_encoder.features.0.weight", S2FI_DTYPE_U8, 4, shape,
                                 codes); /* no .q_scale / .q_min */
}

static void test_create_errors(void **state)
{
    (void)state;
    s2f_face_encoder *encoder = (s2f_face_encoder *)0x1;
    assert_int_equal(s2f_face_encoder_create(NULL, &encoder), S2F_ERR_INVALID_ARGUMENT);
    assert_ptr_equal(encoder, (s2f_face_encoder *)0x1);
    s2f_model *model = model_from(fill_other_component);
    assert_int_equal(s2f_face_encoder_create(model, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_encoder_create(model, &encoder), S2F_ERR_NOT_FOUND);
    assert_ptr_equal(encoder, (s2f_face_encoder *)0x1);
    s2f_model_free(model);

    model = model_from(fill_unknown_architecture);
    assert_int_equal(s2f_face_encoder_create(model, &encoder), S2F_ERR_UNSUPPORTED);
    assert_non_null(strstr(s2f_last_error_message(), "inception"));
    s2f_model_free(model);

    model = model_from(fill_missing_tensors);
    assert_int_equal(s2f_face_encoder_create(model, &encoder), S2F_ERR_NOT_FOUND);
    assert_non_null(strstr(s2f_last_error_message(), "features.0.weight"));
    s2f_model_free(model);

    model = model_from(fill_wrong_shape);
    assert_int_equal(s2f_face_encoder_create(model, &encoder), S2F_ERR_SHAPE_MISMATCH);
    s2f_model_free(model);

    model = model_from(fill_bad_quantisation);
    assert_int_equal(s2f_face_encoder_create(model, &encoder), S2F_ERR_BAD_FORMAT);
    assert_non_null(strstr(s2f_last_error_message(), "q_scale"));
    s2f_model_free(model);
    assert_ptr_equal(encoder, (s2f_face_encoder *)0x1);
}

/* ---------------------------------------------------------------- crop helper */

static void test_crop_resize(void **state)
{
    (void)state;
    /* A 4×2 image with distinct pixels. */
    uint8_t rgb[2 * 4 * 3];
    for (int i = 0; i < 24; ++i)
        rgb[i] = (uint8_t)(10 * i);
    uint8_t out[4 * 4 * 3];
    /* Integer box, same size, TF filter: an exact copy. */
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2, S2F_RESIZE_BILINEAR_TF, out,
                                           4, 2, 12), S2F_OK);
    assert_memory_equal(out, rgb, sizeof rgb);
    /* The same with the antialiased filter (scale 1: the triangle hits pixel centres). */
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2,
                                           S2F_RESIZE_BILINEAR_ANTIALIAS, out, 4, 2, 12), S2F_OK);
    assert_memory_equal(out, rgb, sizeof rgb);
    /* A box shifted one pixel left: the first output column is outside, so black. */
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, -1, 0, 4, 2, S2F_RESIZE_BILINEAR_TF, out,
                                           4, 2, 12), S2F_OK);
    for (int y = 0; y < 2; ++y) {
        assert_int_equal(out[y * 12], 0);
        assert_memory_equal(out + y * 12 + 3, rgb + y * 12, 9);
    }
    /* 2× TF upscale of one row: o samples o/2, interpolating neighbours. */
    uint8_t wide[8 * 3];
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 1, S2F_RESIZE_BILINEAR_TF, wide,
                                           8, 1, 24), S2F_OK);
    assert_int_equal(wide[0], rgb[0]);
    assert_int_equal(wide[3], (rgb[0] + rgb[3] + 1) / 2);
    assert_int_equal(wide[21], rgb[9]); /* the last pixel clamps to the box's last column */

    assert_int_equal(s2f_image_crop_resize(NULL, 4, 2, 12, 0, 0, 4, 2, 0, out, 4, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    /* The output may not overlap the input (the header's rule, as s2f_warp_image's): in place,
     * and shifted by one pixel, are refused; the adjacent buffer is fine. */
    uint8_t both[2 * 24];
    memcpy(both, rgb, 24);
    assert_int_equal(s2f_image_crop_resize(both, 4, 2, 12, 0, 0, 4, 2, 0, both, 4, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_last_error_message(), "overlaps"));
    assert_int_equal(s2f_image_crop_resize(both, 4, 2, 12, 0, 0, 4, 2, 0, both + 3, 4, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(both, 4, 2, 12, 0, 0, 4, 2, 0, both + 24, 4, 2, 12),
                     S2F_OK);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2, 0, NULL, 4, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 0, 0, 0, 4, 2, 0, out, 4, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2, 0, out, 4, 2, 11),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 0, 2, 0, out, 4, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, NAN, 0, 4, 2, 0, out, 4, 2, 12),
                     S2F_ERR_NON_FINITE);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, INFINITY, 0, out, 4, 2, 12),
                     S2F_ERR_NON_FINITE);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2, 0, out, 0, 2, 12),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2, 0, out, 9000, 2, 27000),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_image_crop_resize(rgb, 4, 2, 12, 0, 0, 4, 2, (s2f_resize_filter)9, out, 4,
                                           2, 12), S2F_ERR_INVALID_ARGUMENT);
}

/* ---------------------------------------------------------------- lib/nn layers */

static float value_at(int i)
{
    return (float)((i * 37) % 23) - 11.0f;
}

static void test_avgpool_layers(void **state)
{
    (void)state;
    const s2fi_shape in = {5, 7, 3};
    float x[5 * 7 * 3], y[2 * 3 * 3], g[3];
    for (int i = 0; i < 105; ++i)
        x[i] = value_at(i);
    s2fi_shape out;
    assert_int_equal(s2fi_avgpool2d_output_shape(in, 2, 2, 2, 2, &out), 1);
    assert_int_equal(out.height, 2);
    assert_int_equal(out.width, 3);
    s2fi_avgpool2d(x, in, 2, 2, 2, 2, y);
    for (int oy = 0; oy < 2; ++oy)
        for (int ox = 0; ox < 3; ++ox)
            for (int c = 0; c < 3; ++c) {
                float sum = 0;
                for (int ky = 0; ky < 2; ++ky)
                    for (int kx = 0; kx < 2; ++kx)
                        sum += x[((2 * oy + ky) * 7 + 2 * ox + kx) * 3 + c];
                assert_float_equal(y[(oy * 3 + ox) * 3 + c], sum / 4, 1e-6);
            }
    assert_int_equal(s2fi_avgpool2d_output_shape((s2fi_shape){1, 7, 3}, 2, 2, 2, 2, &out), 0);
    s2fi_global_avgpool(x, in, g);
    for (int c = 0; c < 3; ++c) {
        double sum = 0;
        for (int p = 0; p < 35; ++p)
            sum += x[p * 3 + c];
        assert_float_equal(g[c], sum / 35, 1e-6);
    }
}

static void test_residual_add(void **state)
{
    (void)state;
    /* Main branch 2×2×4, shortcut 3×3×2, output 3×3×4: each zero outside its own shape. */
    const s2fi_shape a_shape = {2, 2, 4}, b_shape = {3, 3, 2}, o_shape = {3, 3, 4};
    float a[16], b[18], out[36];
    for (int i = 0; i < 16; ++i)
        a[i] = value_at(i);
    for (int i = 0; i < 18; ++i)
        b[i] = value_at(i + 50);
    for (int relu = 0; relu < 2; ++relu) {
        s2fi_residual_add(a, a_shape, b, b_shape, out, o_shape, relu);
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 3; ++x)
                for (int c = 0; c < 4; ++c) {
                    float want = 0;
                    if (y < 2 && x < 2)
                        want += a[(y * 2 + x) * 4 + c];
                    if (c < 2)
                        want += b[(y * 3 + x) * 2 + c];
                    if (relu && want < 0)
                        want = 0;
                    assert_float_equal(out[(y * 3 + x) * 4 + c], want, 0);
                }
    }
    /* Equal shapes, in place. */
    float c[16];
    memcpy(c, a, sizeof c);
    s2fi_residual_add(c, a_shape, a, a_shape, c, a_shape, true);
    for (int i = 0; i < 16; ++i)
        assert_float_equal(c[i], a[i] + a[i] > 0 ? a[i] + a[i] : 0, 0);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL DATA_DIR\n", argv[0]);
        return 2;
    }
    model_path = argv[1];
    data_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matches_face_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stride_and_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_groups_equal_single_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resize_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encode_errors, setup, teardown),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_crop_resize),
        cmocka_unit_test(test_avgpool_layers),
        cmocka_unit_test(test_residual_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
