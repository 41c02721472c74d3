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
    s2f_face_decoder *decoder;
    const float *feature;
    size_t dim;
    float *image, *landmarks; /* landmarks follow the image in one buffer, as OUTPUT is laid out */
    size_t image_floats, landmark_floats;
} job;

static int report(const job *j, s2f_status status)
{
    if (status != S2F_OK)
        fprintf(stderr, "%s\n", s2f_face_decoder_last_error(j->decoder));
    return status != S2F_OK;
}

static int decode_texture(void *context)
{
    job *j = context;
    return report(j, s2f_face_decoder_decode_texture(j->decoder, j->feature, j->dim, j->image,
                                                     j->image_floats, j->landmarks,
                                                     j->landmark_floats));
}

static int decode(void *context)
{
    job *j = context;
    return report(j, s2f_face_decoder_decode(j->decoder, j->feature, j->dim, j->image,
                                             j->image_floats, j->landmarks, j->landmark_floats));
}

int main(int argc, char **argv)
{
    int repeats = argc >= 4 ? bench_parse_repeats(argv[3]) : -1;
    if (repeats < 0) {
        fprintf(stderr, "usage: %s MODEL FEATURES.npy REPEATS [OUTPUT.f32]\n", argv[0]);
        return 2;
    }
    s2f_model *model;
    job j = {0};
    if (s2f_model_load_file(argv[1], NULL, &model) != S2F_OK ||
        s2f_face_decoder_create(model, &j.decoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    npy_array features;
    char error[256];
    if (npy_load(argv[2], &features, error, sizeof error) != 0 || features.ndim != 2) {
        fprintf(stderr, "%s: need batch x feature_dim (%s)\n", argv[2], error);
        return 1;
    }
    size_t height, width, count;
    s2f_face_decoder_shape(j.decoder, &j.dim, &height, &width, &count);
    j.feature = features.data;
    j.image_floats = height * width * 3;
    j.landmark_floats = 2 * count;
    j.image = malloc((j.image_floats + j.landmark_floats) * sizeof(float));
    j.landmarks = j.image + j.image_floats;

    long rss_anon_before = bench_status_kb("RssAnon:");
    bench_timing full, network;
    if (bench_time(decode, &j, repeats, &full) != 0 ||
        bench_time(decode_texture, &j, repeats, &network) != 0 ||
        bench_write_floats(argc > 4 ? argv[4] : NULL, j.image, j.image_floats + j.landmark_floats))
        return 1;
    bench_json_begin(&network);
    printf(", \"decode_median_ms\": %.4f, \"decode_min_ms\": %.4f", full.median_ms, full.min_ms);
    bench_json_end(rss_anon_before);
    s2f_face_decoder_free(j.decoder);
    s2f_model_free(model);
    npy_free(&features);
    free(j.image);
    return 0;
}
