/* Times s2f_spectrogram_compute (the paper's parameters) through the public API on one clip.
 * Usage: spectrogram_bench PCM.npy REPEATS [OUTPUT.f32]
 * PCM is mono float samples at 16 kHz. OUTPUT receives the frames × bins × 2 spectrogram. */
#include <speech2face.h>

#include "bench_common.h"
#include "npy.h"

#include <stdlib.h>

typedef struct job {
    s2f_spectrogram *spectrogram;
    npy_array pcm;
    size_t frames, bins;
    float *out;
    size_t out_floats;
} job;

static int setup(void *context, int argc, char **argv)
{
    (void)argc;
    job *j = context;
    char error[256];
    if (s2f_spectrogram_create(NULL, &j->spectrogram) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    if (npy_load(argv[1], &j->pcm, error, sizeof error) != 0 || j->pcm.ndim != 1) {
        fprintf(stderr, "%s: need a 1-D signal (%s)\n", argv[1], error);
        return 1;
    }
    s2f_spectrogram_shape(j->spectrogram, j->pcm.count, &j->frames, &j->bins);
    j->out_floats = j->frames * j->bins * 2;
    j->out = malloc(j->out_floats * sizeof(float));
    return j->out ? 0 : 1;
}

static int compute(void *context)
{
    job *j = context;
    if (s2f_spectrogram_compute(j->spectrogram, j->pcm.data, j->pcm.count, j->out, j->out_floats,
                                NULL) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_spectrogram_last_error(j->spectrogram));
        return 1;
    }
    return 0;
}

static void report(void *context, const bench_timing *timing)
{
    (void)timing;
    const job *j = context;
    printf(", \"frames\": %zu, \"bins\": %zu", j->frames, j->bins);
}

static const float *output(void *context, size_t *count)
{
    const job *j = context;
    *count = j->out_floats;
    return j->out;
}

static void teardown(void *context)
{
    job *j = context;
    s2f_spectrogram_free(j->spectrogram);
    npy_free(&j->pcm);
    free(j->out);
}

int main(int argc, char **argv)
{
    job j = {0};
    const bench_driver driver = {.usage = "PCM.npy REPEATS [OUTPUT.f32]", .min_args = 2,
                                 .max_args = 3, .repeats_arg = 2, .output_arg = 3, .job = &j,
                                 .setup = setup, .run = compute, .report = report,
                                 .output = output, .teardown = teardown};
    return bench_main(&driver, argc, argv);
}
