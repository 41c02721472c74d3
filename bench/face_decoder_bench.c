/* Times the face decoder through the public API, on the first feature of FEATURES.npy (batch × D).
 * Usage: face_decoder_bench MODEL.s2fm FEATURES.npy REPEATS [OUTPUT.f32]
 * Two timings, one JSON line: the network alone (s2f_face_decoder_decode_texture: feature →
 * texture + clamped landmarks, which is what PyTorch and ONNX Runtime can run too) as
 * median_ms, and the full decode (network + spline warp, s2f_face_decoder_decode) as
 * decode_median_ms. OUTPUT receives the texture (H·W·3) followed by the landmarks (2·L). */
#include <speech2face.h>

#include "bench_common.h"
#include "npy.h"

#include <stdlib.h>

typedef struct job {
    s2f_model *model;
    s2f_face_decoder *decoder;
    npy_array features;
    size_t dim;
    float *image, *landmarks; /* landmarks follow the image in one buffer, as OUTPUT is laid out */
    size_t image_floats, landmark_floats;
    bench_timing full; /* the full decode, timed after the network */
} job;

static int setup(void *context, int argc, char **argv)
{
    (void)argc;
    job *j = context;
    char error[256];
    if (s2f_model_load_file(argv[1], NULL, &j->model) != S2F_OK ||
        s2f_face_decoder_create(j->model, &j->decoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    if (npy_load(argv[2], &j->features, error, sizeof error) != 0 || j->features.ndim != 2) {
        fprintf(stderr, "%s: need batch x feature_dim (%s)\n", argv[2], error);
        return 1;
    }
    size_t height, width, count;
    s2f_face_decoder_shape(j->decoder, &j->dim, &height, &width, &count);
    j->image_floats = height * width * 3;
    j->landmark_floats = 2 * count;
    j->image = malloc((j->image_floats + j->landmark_floats) * sizeof(float));
    j->landmarks = j->image ? j->image + j->image_floats : NULL;
    return j->image ? 0 : 1;
}

static int report_status(const job *j, s2f_status status)
{
    if (status != S2F_OK)
        fprintf(stderr, "%s\n", s2f_face_decoder_last_error(j->decoder));
    return status != S2F_OK;
}

static int decode_texture(void *context)
{
    job *j = context;
    return report_status(j, s2f_face_decoder_decode_texture(
                                j->decoder, j->features.data, j->dim, j->image, j->image_floats,
                                j->landmarks, j->landmark_floats));
}

static int decode(void *context)
{
    job *j = context;
    return report_status(j, s2f_face_decoder_decode(j->decoder, j->features.data, j->dim,
                                                    j->image, j->image_floats, j->landmarks,
                                                    j->landmark_floats));
}

static int time_full_decode(void *context, int repeats)
{
    job *j = context;
    /* OUTPUT is the network's texture (what PyTorch computes), so the buffer gets it back. */
    return bench_time(decode, j, repeats, &j->full) || decode_texture(j);
}

static void report(void *context, const bench_timing *timing)
{
    (void)timing;
    const job *j = context;
    printf(", \"decode_median_ms\": %.4f, \"decode_min_ms\": %.4f", j->full.median_ms,
           j->full.min_ms);
}

static const float *output(void *context, size_t *count)
{
    const job *j = context;
    *count = j->image_floats + j->landmark_floats;
    return j->image;
}

static void teardown(void *context)
{
    job *j = context;
    s2f_face_decoder_free(j->decoder);
    s2f_model_free(j->model);
    npy_free(&j->features);
    free(j->image);
}

int main(int argc, char **argv)
{
    job j = {0};
    const bench_driver driver = {.usage = "MODEL FEATURES.npy REPEATS [OUTPUT.f32]",
                                 .min_args = 3, .max_args = 4, .repeats_arg = 3, .output_arg = 4,
                                 .job = &j, .setup = setup, .run = decode_texture,
                                 .after = time_full_decode, .report = report, .output = output,
                                 .teardown = teardown};
    return bench_main(&driver, argc, argv);
}
