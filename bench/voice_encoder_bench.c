/* Times s2f_voice_encoder_encode on one clip through the public API and reports memory.
 * Usage: voice_encoder_bench MODEL.s2fm INPUT.npy REPEATS [BATCH]
 * Prints one JSON line: median/min ms, batch, and the process's anonymous RSS after the runs
 * (activations + workspace + packed conv weights: the FC weights stay in the file mapping). */
#include <speech2face.h>

#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long value = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0)
            value = atol(line + n + 1);
    if (f)
        fclose(f);
    return value;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL INPUT.npy REPEATS [BATCH]\n", argv[0]);
        return 2;
    }
    int repeats = atoi(argv[3]);
    size_t batch = argc > 4 ? (size_t)atoi(argv[4]) : 1;
    long rss_anon_start = status_kb("RssAnon:");
    s2f_model *model;
    s2f_voice_encoder *encoder;
    if (s2f_model_load_file(argv[1], NULL, &model) != S2F_OK ||
        s2f_voice_encoder_create(model, &encoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    long rss_anon_model = status_kb("RssAnon:");
    npy_array input;
    char error[256];
    if (npy_load(argv[2], &input, error, sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    /* input: [clips][frames][bins][channels]; the batch repeats clip 0. */
    size_t frames = (size_t)input.shape[1], bins = (size_t)input.shape[2], ch = (size_t)input.shape[3];
    size_t clip_floats = frames * bins * ch;
    float *clips = malloc(batch * clip_floats * sizeof(float));
    for (size_t b = 0; b < batch; ++b)
        memcpy(clips + b * clip_floats, input.data, clip_floats * sizeof(float));
    npy_free(&input);
    size_t dim;
    s2f_voice_encoder_shape(encoder, &dim, NULL, NULL, NULL);
    float *features = malloc(batch * dim * sizeof(float));
    long rss_anon_inputs = status_kb("RssAnon:");

    double *times = malloc((size_t)(repeats + 1) * sizeof(double));
    for (int r = -1; r < repeats; ++r) { /* r = -1 is the warm-up, which also sizes buffers */
        double t0 = now_ms();
        if (s2f_voice_encoder_encode_batch(encoder, clips, batch, frames, bins, ch, features,
                                           batch * dim) != S2F_OK) {
            fprintf(stderr, "%s\n", s2f_voice_encoder_last_error(encoder));
            return 1;
        }
        if (r >= 0)
            times[r] = now_ms() - t0;
    }
    qsort(times, (size_t)repeats, sizeof(double), compare_double);
    long rss_anon_end = status_kb("RssAnon:");
    printf("{\"median_ms\": %.2f, \"min_ms\": %.2f, \"batch\": %zu, \"frames\": %zu, "
           "\"rss_anon_kb_model\": %ld, \"rss_anon_kb_forward\": %ld, \"vm_hwm_kb\": %ld, "
           "\"rss_file_kb\": %ld, \"feature0\": %.6g}\n",
           times[repeats / 2], times[0], batch, frames, rss_anon_model - rss_anon_start,
           rss_anon_end - rss_anon_inputs, status_kb("VmHWM:"), status_kb("RssFile:"),
           features[0]);
    s2f_voice_encoder_free(encoder);
    s2f_model_free(model);
    free(clips);
    free(features);
    free(times);
    return 0;
}
