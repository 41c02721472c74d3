/* Times s2f_spectrogram_compute (the paper's parameters) through the public API on one clip.
 * Usage: spectrogram_bench PCM.npy REPEATS [OUTPUT.f32]
 * PCM is mono float samples at 16 kHz. OUTPUT receives the frames × bins × 2 spectrogram. */
#include <speech2face.h>

#include "bench_common.h"
#include "npy.h"

#include <stdlib.h>

typedef struct job {
    s2f_spectrogram *spectrogram;
    const float *pcm;
    size_t samples;
    float *out;
    size_t out_floats;
} job;

static int compute(void *context)
{
    job *j = context;
    if (s2f_spectrogram_compute(j->spectrogram, j->pcm, j->samples, j->out, j->out_floats,
                                NULL) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_spectrogram_last_error(j->spectrogram));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = argc >= 3 ? bench_parse_repeats(argv[2]) : -1;
    if (repeats < 0) {
        fprintf(stderr, "usage: %s PCM.npy REPEATS [OUTPUT.f32]\n", argv[0]);
        return 2;
    }
    job j = {0};
    if (s2f_spectrogram_create(NULL, &j.spectrogram) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    npy_array pcm;
    char error[256];
    if (npy_load(argv[1], &pcm, error, sizeof error) != 0 || pcm.ndim != 1) {
        fprintf(stderr, "%s: need a 1-D signal (%s)\n", argv[1], error);
        return 1;
    }
    size_t frames, bins;
    j.pcm = pcm.data;
    j.samples = pcm.count;
    s2f_spectrogram_shape(j.spectrogram, j.samples, &frames, &bins);
    j.out_floats = frames * bins * 2;
    j.out = malloc(j.out_floats * sizeof(float));

    long rss_anon_before = bench_status_kb("RssAnon:");
    bench_timing timing;
    if (bench_time(compute, &j, repeats, &timing) != 0 ||
        bench_write_floats(argc > 3 ? argv[3] : NULL, j.out, j.out_floats) != 0)
        return 1;
    bench_json_begin(&timing);
    printf(", \"frames\": %zu, \"bins\": %zu", frames, bins);
    bench_json_end(rss_anon_before);
    s2f_spectrogram_free(j.spectrogram);
    npy_free(&pcm);
    free(j.out);
    return 0;
}
