/* Times s2f_face_encoder_encode through the public API on one RGB crop.
 * Usage: face_encoder_bench MODEL.s2fm IMAGE.npy REPEATS [OUTPUT.f32]
 * IMAGE is H × W × 3 uint8; at the network's input size (150 × 150 for face-api's) no resize
 * runs, so the timed work is the network plus the pixel normalisation, as in PyTorch's forward.
 * OUTPUT receives the descriptor. */
#include <speech2face.h>

#include "bench_common.h"
#include "npy.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct job {
    s2f_face_encoder *encoder;
    const uint8_t *rgb;
    int width, height;
    float *feature;
    size_t dim;
} job;

static int encode(void *context)
{
    job *j = context;
    if (s2f_face_encoder_encode(j->encoder, j->rgb, j->width, j->height, 3 * (size_t)j->width,
                                j->feature, j->dim) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_face_encoder_last_error(j->encoder));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = argc >= 4 ? bench_parse_repeats(argv[3]) : -1;
    if (repeats < 0) {
        fprintf(stderr, "usage: %s MODEL IMAGE.npy REPEATS [OUTPUT.f32]\n", argv[0]);
        return 2;
    }
    s2f_model *model;
    job j = {0};
    if (s2f_model_load_file(argv[1], NULL, &model) != S2F_OK ||
        s2f_face_encoder_create(model, &j.encoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    npy_array image;
    char error[256];
    if (npy_load(argv[2], &image, error, sizeof error) != 0 || image.ndim != 3 ||
        image.shape[2] != 3) {
        fprintf(stderr, "%s: need height x width x 3 (%s)\n", argv[2], error);
        return 1;
    }
    /* The golden reader widens uint8 to float; narrow back (exact for 0..255). */
    uint8_t *rgb = malloc(image.count);
    for (size_t i = 0; i < image.count; ++i)
        rgb[i] = (uint8_t)image.data[i];
    j.rgb = rgb;
    j.height = (int)image.shape[0];
    j.width = (int)image.shape[1];
    npy_free(&image);
    s2f_face_encoder_shape(j.encoder, &j.dim, NULL);
    j.feature = malloc(j.dim * sizeof(float));

    long rss_anon_before = bench_status_kb("RssAnon:");
    bench_timing timing;
    if (bench_time(encode, &j, repeats, &timing) != 0 ||
        bench_write_floats(argc > 4 ? argv[4] : NULL, j.feature, j.dim) != 0)
        return 1;
    bench_json_begin(&timing);
    bench_json_end(rss_anon_before);
    s2f_face_encoder_free(j.encoder);
    s2f_model_free(model);
    free(rgb);
    free(j.feature);
    return 0;
}
