/* Decodes a face feature into a face image with the model's face decoder and writes it as PNG.
 *
 *   decode_face MODEL.s2fm FEATURE.npy OUT.png [--texture TEXTURE.png]
 *   decode_face MODEL.s2fm --random SEED OUT.png [--texture TEXTURE.png]
 *
 * FEATURE.npy holds the D float32 values of one feature (e.g. written by numpy.save); --random
 * draws a standard normal feature from SEED instead. --texture also writes the unwarped texture
 * (drawn at the model's mean-face landmarks). The predicted landmarks are printed as "x y"
 * lines. Build against an installed library with:
 *     cc decode_face.c common/png_write.c common/npy_read.c \
 *        $(pkg-config --cflags --libs speech2face libpng) -lm -o decode_face */
#include "common/npy_read.h"
#include "common/png_write.h"

#include <speech2face.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A standard normal feature from a seed: splitmix64 uniforms through Box–Muller. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void random_feature(unsigned long long seed, float *feature, size_t dim)
{
    uint64_t state = seed;
    for (size_t i = 0; i < dim; ++i) {
        double u1 = ((double)(next_random(&state) >> 11) + 1.0) / 9007199254740993.0;
        double u2 = (double)(next_random(&state) >> 11) / 9007199254740992.0;
        feature[i] = (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
    }
}

static int usage(const char *program)
{
    fprintf(stderr,
            "usage: %s MODEL.s2fm (FEATURE.npy | --random SEED) OUT.png [--texture TEXTURE.png]\n",
            program);
    return 2;
}

static int write_float_image(const char *path, const float *rgb, size_t width, size_t height)
{
    uint8_t *bytes = malloc(width * height * 3);
    if (!bytes)
        return -1;
    for (size_t i = 0; i < width * height * 3; ++i) {
        float v = rgb[i] < 0.0f ? 0.0f : rgb[i] > 1.0f ? 1.0f : rgb[i];
        bytes[i] = (uint8_t)(v * 255.0f + 0.5f);
    }
    char error[512];
    int result = png_write_rgb8(path, bytes, (int)width, (int)height, width * 3, error, sizeof error);
    if (result != 0)
        fprintf(stderr, "%s\n", error);
    free(bytes);
    return result;
}

int main(int argc, char **argv)
{
    const char *model_path, *feature_path = NULL, *out_path, *texture_path = NULL;
    unsigned long long seed = 0;
    int arg = 1;
    if (argc < 4)
        return usage(argv[0]);
    model_path = argv[arg++];
    if (strcmp(argv[arg], "--random") == 0) {
        if (argc < 5)
            return usage(argv[0]);
        char *end;
        seed = strtoull(argv[arg + 1], &end, 10);
        if (*end)
            return usage(argv[0]);
        arg += 2;
    } else {
        feature_path = argv[arg++];
    }
    if (arg >= argc)
        return usage(argv[0]);
    out_path = argv[arg++];
    if (arg < argc) {
        if (strcmp(argv[arg], "--texture") != 0 || arg + 1 >= argc)
            return usage(argv[0]);
        texture_path = argv[arg + 1];
    }

    s2f_model *model = NULL;
    s2f_face_decoder *decoder = NULL;
    float *feature = NULL, *texture = NULL, *landmarks = NULL;
    uint8_t *rgb = NULL;
    int exit_code = 1;
    if (s2f_model_load_file(model_path, NULL, &model) != S2F_OK ||
        s2f_face_decoder_create(model, &decoder) != S2F_OK) {
        fprintf(stderr, "%s: %s\n", model_path, s2f_last_error_message());
        goto done;
    }
    size_t dim, height, width, count;
    s2f_face_decoder_shape(decoder, &dim, &height, &width, &count);

    if (feature_path) {
        size_t n;
        char error[512];
        if (npy_read_f32(feature_path, &feature, &n, error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error);
            goto done;
        }
        if (n != dim) {
            fprintf(stderr, "%s holds %zu values; the model's features have %zu\n", feature_path,
                    n, dim);
            goto done;
        }
    } else {
        feature = malloc(dim * sizeof(float));
        if (!feature)
            goto done;
        random_feature(seed, feature, dim);
    }

    const size_t row_stride = width * 3;
    rgb = malloc(height * row_stride);
    landmarks = malloc(2 * count * sizeof(float));
    if (!rgb || !landmarks)
        goto done;
    s2f_status status = s2f_face_decoder_decode_u8(decoder, feature, dim, rgb, row_stride,
                                                   height * row_stride, landmarks, 2 * count);
    if (status != S2F_OK) {
        fprintf(stderr, "decode failed (%s): %s\n", s2f_status_name(status),
                s2f_face_decoder_last_error(decoder));
        goto done;
    }
    char error[512];
    if (png_write_rgb8(out_path, rgb, (int)width, (int)height, row_stride, error, sizeof error)) {
        fprintf(stderr, "%s\n", error);
        goto done;
    }
    if (texture_path) {
        texture = malloc(height * width * 3 * sizeof(float));
        if (!texture ||
            s2f_face_decoder_decode_texture(decoder, feature, dim, texture, height * width * 3,
                                            NULL, 0) != S2F_OK ||
            write_float_image(texture_path, texture, width, height) != 0) {
            fprintf(stderr, "texture: %s\n", s2f_face_decoder_last_error(decoder));
            goto done;
        }
    }
    for (size_t t = 0; t < count; ++t)
        printf("%.3f %.3f\n", (double)landmarks[2 * t], (double)landmarks[2 * t + 1]);
    fprintf(stderr, "wrote %zux%zu face to %s\n", width, height, out_path);
    exit_code = 0;
done:
    free(feature);
    free(texture);
    free(landmarks);
    free(rgb);
    s2f_face_decoder_free(decoder);
    s2f_model_free(model);
    return exit_code;
}
