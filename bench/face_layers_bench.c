/* Per-stage speed of the face encoder (face-api's ResNet) inside the real encoder: the stem
 * (conv + max-pool) and each residual block, timed between the encoder's internal taps
 * (s2fi_face_encoder_set_tap), so every stage runs with the workspace, threads and block sizes
 * it gets in s2f_face_encoder_encode. Weights are the model's; the input is a random crop.
 *
 * Usage: face_layers_bench MODEL REPEATS
 * Prints one JSON line: per stage its output shape, its direct-convolution FLOPs (2·H·W·Cout·
 * Cin·k² per conv, the count "% of sgemm peak" is measured against) and its median time over
 * REPEATS calls after a warm-up. The thread count comes from OPENBLAS_NUM_THREADS. */
#include <speech2face.h>

#include "bench_common.h"
#include "pipeline/face_encoder_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STAGES 64
#define MAX_REPEATS 10000

typedef struct stage {
    char name[32];
    int height, width, channels;
    double ms[MAX_REPEATS];
} stage;

typedef struct recorder {
    stage stages[MAX_STAGES];
    int count, repeat;
    double last_ms;
} recorder;

static void on_tap(const char *name, const float *data, int height, int width, int channels,
                   void *user)
{
    (void)data;
    recorder *r = user;
    const double now = bench_now_ms();
    if (strcmp(name, "input") == 0) { /* the network starts after the pixel normalisation */
        r->count = 0;
        r->last_ms = now;
        return;
    }
    if (r->count >= MAX_STAGES)
        return;
    stage *s = &r->stages[r->count++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->height = height;
    s->width = width;
    s->channels = channels;
    s->ms[r->repeat] = now - r->last_ms;
    r->last_ms = bench_now_ms();
}

static int compare(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* FLOPs of the convolutions that produce stage i (3×3 residual convs; the stem's k×k; none for
 * the stem's max-pool). */
static double stage_flops(const recorder *r, int i, int stem_kernel, int stem_stride,
                          int input_size)
{
    const stage *s = &r->stages[i];
    if (strcmp(s->name, "stem") == 0) {
        const int out = (input_size - stem_kernel) / stem_stride + 1; /* VALID */
        return 2.0 * out * out * s->channels * 3.0 * stem_kernel * stem_kernel;
    }
    if (strncmp(s->name, "block", 5) != 0 || i == 0)
        return 0.0;
    const int in_channels = r->stages[i - 1].channels;
    const double pixels = (double)s->height * s->width;
    return 2.0 * pixels * s->channels * 9.0 * (in_channels + s->channels);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL REPEATS\n", argv[0]);
        return 2;
    }
    const int repeats = bench_parse_repeats(argv[2]);
    s2f_model *model = NULL;
    s2f_face_encoder *encoder = NULL;
    int64_t size = 0, stem_kernel = 0, stem_stride = 0;
    if (repeats < 1 || repeats > MAX_REPEATS ||
        s2f_model_load_file(argv[1], NULL, &model) != S2F_OK ||
        s2f_face_encoder_create(model, &encoder) != S2F_OK ||
        s2f_model_metadata_i64(model, "face_encoder.input_size", &size) != S2F_OK ||
        s2f_model_metadata_i64(model, "face_encoder.stem_kernel", &stem_kernel) != S2F_OK ||
        s2f_model_metadata_i64(model, "face_encoder.stem_stride", &stem_stride) != S2F_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], s2f_last_error_message());
        return 1;
    }
    size_t dim = 0;
    s2f_face_encoder_shape(encoder, &dim, NULL);
    uint8_t *rgb = malloc((size_t)size * (size_t)size * 3);
    float *feature = malloc(dim * sizeof(float));
    recorder *r = calloc(1, sizeof *r);
    if (!rgb || !feature || !r)
        return 1;
    srand(1);
    for (size_t i = 0; i < (size_t)size * (size_t)size * 3; ++i)
        rgb[i] = (uint8_t)(rand() & 255);
    s2fi_face_encoder_set_tap(encoder, on_tap, r);
    double total[MAX_REPEATS];
    for (int k = -1; k < repeats; ++k) { /* k = -1: warm-up */
        r->repeat = k < 0 ? 0 : k;
        const double start = bench_now_ms();
        if (s2f_face_encoder_encode(encoder, rgb, (int)size, (int)size, 3 * (size_t)size, feature,
                                    dim) != S2F_OK) {
            fprintf(stderr, "%s\n", s2f_face_encoder_last_error(encoder));
            return 1;
        }
        total[k < 0 ? 0 : k] = bench_now_ms() - start;
    }
    qsort(total, (size_t)repeats, sizeof(double), compare);
    printf("{\"median_ms\": %.4f, \"stem_kernel\": %d, \"stem_stride\": %d, \"stages\": [",
           total[repeats / 2], (int)stem_kernel, (int)stem_stride);
    for (int i = 0; i < r->count; ++i) {
        stage *s = &r->stages[i];
        qsort(s->ms, (size_t)repeats, sizeof(double), compare);
        printf("%s{\"name\": \"%s\", \"shape\": [%d, %d, %d], \"flops\": %.0f, \"median_ms\": %.4f}",
               i ? ", " : "", s->name, s->height, s->width, s->channels,
               stage_flops(r, i, (int)stem_kernel, (int)stem_stride, (int)size), s->ms[repeats / 2]);
    }
    printf("]}\n");
    s2f_face_encoder_free(encoder);
    s2f_model_free(model);
    free(rgb);
    free(feature);
    free(r);
    return 0;
}
