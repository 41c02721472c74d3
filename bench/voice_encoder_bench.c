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
    s2f_voice_encoder *encoder;
    const float *clips;
    size_t batch, frames, bins, channels;
    float *features;
    size_t feature_floats;
} job;

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

int main(int argc, char **argv)
{
    int repeats = argc >= 4 ? bench_parse_repeats(argv[3]) : -1;
    if (repeats < 0) {
        fprintf(stderr, "usage: %s MODEL INPUT.npy REPEATS [BATCH [OUTPUT.f32]]\n", argv[0]);
        return 2;
    }
    size_t batch = argc > 4 ? (size_t)atoi(argv[4]) : 1;
    const char *output = argc > 5 ? argv[5] : NULL;
    s2f_model *model;
    s2f_voice_encoder *encoder;
    if (s2f_model_load_file(argv[1], NULL, &model) != S2F_OK ||
        s2f_voice_encoder_create(model, &encoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    npy_array input;
    char error[256];
    if (npy_load(argv[2], &input, error, sizeof error) != 0 || input.ndim != 4) {
        fprintf(stderr, "%s: need clips x frames x bins x channels (%s)\n", argv[2], error);
        return 1;
    }
    job j = {.encoder = encoder, .batch = batch, .frames = (size_t)input.shape[1],
             .bins = (size_t)input.shape[2], .channels = (size_t)input.shape[3]};
    size_t clip_floats = j.frames * j.bins * j.channels, dim;
    float *clips = malloc(batch * clip_floats * sizeof(float));
    for (size_t b = 0; b < batch; ++b)
        memcpy(clips + b * clip_floats, input.data, clip_floats * sizeof(float));
    npy_free(&input);
    s2f_voice_encoder_shape(encoder, &dim, NULL, NULL, NULL);
    j.clips = clips;
    j.feature_floats = batch * dim;
    j.features = malloc(j.feature_floats * sizeof(float));

    long rss_anon_before = bench_status_kb("RssAnon:");
    bench_timing timing;
    if (bench_time(encode, &j, repeats, &timing) != 0 ||
        bench_write_floats(output, j.features, j.feature_floats) != 0)
        return 1;
    bench_json_begin(&timing);
    printf(", \"batch\": %zu, \"frames\": %zu", batch, j.frames);
    bench_json_end(rss_anon_before);
    s2f_voice_encoder_free(encoder);
    s2f_model_free(model);
    free(clips);
    free(j.features);
    return 0;
}
