/* Times s2f_voice_encoder_encode_batch through the public API.
 * Usage: voice_encoder_bench MODEL.s2fm INPUT.npy REPEATS [BATCH [OUTPUT.f32]]
 * INPUT is clips × frames × bins × channels; the batch repeats clip 0. Prints one JSON line
 * (bench_common.h); the anonymous RSS growth is activations + workspace + FC batch buffers (the
 * FC weights stay in the file mapping). OUTPUT receives the batch × feature_dim features. */
#include <speech2face.h>

#include "bench_common.h"
#include "npy.h"

#include <stdlib.h>
#include <string.h>

typedef struct job {
    s2f_model *model;
    s2f_voice_encoder *encoder;
    float *clips;
    size_t batch, frames, bins, channels;
    float *features;
    size_t feature_floats;
} job;

static int setup(void *context, int argc, char **argv)
{
    job *j = context;
    npy_array input;
    char error[256];
    j->batch = argc > 4 ? (size_t)atoi(argv[4]) : 1;
    if (j->batch < 1) {
        fprintf(stderr, "BATCH must be at least 1\n");
        return 1;
    }
    if (s2f_model_load_file(argv[1], NULL, &j->model) != S2F_OK ||
        s2f_voice_encoder_create(j->model, &j->encoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    if (npy_load(argv[2], &input, error, sizeof error) != 0 || input.ndim != 4) {
        fprintf(stderr, "%s: need clips x frames x bins x channels (%s)\n", argv[2], error);
        return 1;
    }
    j->frames = (size_t)input.shape[1];
    j->bins = (size_t)input.shape[2];
    j->channels = (size_t)input.shape[3];
    size_t clip_floats = j->frames * j->bins * j->channels, dim;
    j->clips = malloc(j->batch * clip_floats * sizeof(float));
    for (size_t b = 0; j->clips && b < j->batch; ++b)
        memcpy(j->clips + b * clip_floats, input.data, clip_floats * sizeof(float));
    npy_free(&input);
    s2f_voice_encoder_shape(j->encoder, &dim, NULL, NULL, NULL);
    j->feature_floats = j->batch * dim;
    j->features = malloc(j->feature_floats * sizeof(float));
    return j->clips && j->features ? 0 : 1;
}

static int encode(void *context)
{
    job *j = context;
    if (s2f_voice_encoder_encode_batch(j->encoder, j->clips, j->batch, j->frames, j->bins,
                                       j->channels, j->features, j->feature_floats) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_voice_encoder_last_error(j->encoder));
        return 1;
    }
    return 0;
}

static void report(void *context, const bench_timing *timing)
{
    (void)timing;
    const job *j = context;
    printf(", \"batch\": %zu, \"frames\": %zu", j->batch, j->frames);
}

static const float *output(void *context, size_t *count)
{
    const job *j = context;
    *count = j->feature_floats;
    return j->features;
}

static void teardown(void *context)
{
    job *j = context;
    s2f_voice_encoder_free(j->encoder);
    s2f_model_free(j->model);
    free(j->clips);
    free(j->features);
}

int main(int argc, char **argv)
{
    job j = {0};
    const bench_driver driver = {.usage = "MODEL INPUT.npy REPEATS [BATCH [OUTPUT.f32]]",
                                 .min_args = 3, .max_args = 5, .repeats_arg = 3, .output_arg = 5,
                                 .job = &j, .setup = setup, .run = encode, .report = report,
                                 .output = output, .teardown = teardown};
    return bench_main(&driver, argc, argv);
}
