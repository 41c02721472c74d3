/* Times s2f_face_encoder_encode through the public API on one RGB crop, or
 * s2f_face_encoder_encode_batch on BATCH copies of it (a gallery's path).
 * Usage: face_encoder_bench MODEL.s2fm IMAGE.npy REPEATS [BATCH [OUTPUT.f32]]
 * IMAGE is H × W × 3 uint8; at the network's input size (150 × 150 for face-api's) no resize
 * runs, so the timed work is the network plus the pixel normalisation, as in PyTorch's forward.
 * OUTPUT receives the BATCH × D descriptors. */
#include <speech2face.h>

#include "bench_common.h"
#include "npy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    s2f_model *model;
    s2f_face_encoder *encoder;
    uint8_t *rgb; /* batch images back to back */
    int width, height;
    size_t batch;
    float *feature; /* batch × dim */
    size_t dim;
} job;

static int setup(void *context, int argc, char **argv)
{
    job *j = context;
    npy_array image;
    char error[256];
    const long batch = argc > 4 ? strtol(argv[4], NULL, 10) : 1;
    if (batch < 1 || batch > 4096) {
        fprintf(stderr, "BATCH must be 1..4096\n");
        return 1;
    }
    j->batch = (size_t)batch;
    if (s2f_model_load_file(argv[1], NULL, &j->model) != S2F_OK ||
        s2f_face_encoder_create(j->model, &j->encoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    if (npy_load(argv[2], &image, error, sizeof error) != 0 || image.ndim != 3 ||
        image.shape[2] != 3) {
        fprintf(stderr, "%s: need height x width x 3 (%s)\n", argv[2], error);
        return 1;
    }
    /* The golden reader widens uint8 to float; narrow back (exact for 0..255). */
    j->rgb = malloc(j->batch * image.count);
    for (size_t i = 0; j->rgb && i < image.count; ++i)
        j->rgb[i] = (uint8_t)image.data[i];
    for (size_t b = 1; j->rgb && b < j->batch; ++b)
        memcpy(j->rgb + b * image.count, j->rgb, image.count);
    j->height = (int)image.shape[0];
    j->width = (int)image.shape[1];
    npy_free(&image);
    s2f_face_encoder_shape(j->encoder, &j->dim, NULL);
    j->feature = malloc(j->batch * j->dim * sizeof(float));
    return j->rgb && j->feature ? 0 : 1;
}

static int encode(void *context)
{
    job *j = context;
    const size_t row = 3 * (size_t)j->width;
    s2f_status status =
        j->batch == 1
            ? s2f_face_encoder_encode(j->encoder, j->rgb, j->width, j->height, row, j->feature,
                                      j->dim)
            : s2f_face_encoder_encode_batch(j->encoder, j->rgb, j->batch, j->width, j->height,
                                            row, row * (size_t)j->height, j->feature,
                                            j->batch * j->dim);
    if (status != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_face_encoder_last_error(j->encoder));
        return 1;
    }
    return 0;
}

static const float *output(void *context, size_t *count)
{
    const job *j = context;
    *count = j->batch * j->dim;
    return j->feature;
}

static void report(void *context, const bench_timing *timing)
{
    (void)timing;
    const job *j = context;
    printf(", \"batch\": %zu", j->batch);
}

static void teardown(void *context)
{
    job *j = context;
    s2f_face_encoder_free(j->encoder);
    s2f_model_free(j->model);
    free(j->rgb);
    free(j->feature);
}

int main(int argc, char **argv)
{
    job j = {0};
    const bench_driver driver = {.usage = "MODEL IMAGE.npy REPEATS [BATCH [OUTPUT.f32]]",
                                 .min_args = 3, .max_args = 5, .repeats_arg = 3,
                                 .output_arg = 5, .job = &j, .setup = setup, .run = encode,
                                 .report = report, .output = output, .teardown = teardown};
    return bench_main(&driver, argc, argv);
}
