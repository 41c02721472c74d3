/* Times s2f_face_decoder on the paper's geometry (Cole et al.: 1000-wide f_dec, 14×14×256 grid,
 * transposed convs 128/64/32/32 → 224×224, 68 landmarks) with a 128-D feature (the default face
 * space), random weights built in memory. Prints the median of several decodes, split into the
 * network's stages (timed between tap callbacks) and the warp.
 *
 *   bench_face_decoder [REPEATS]        (OPENBLAS_NUM_THREADS decides the GEMM threads) */
#include "core/alloc.h"
#include "model/writer.h"
#include "pipeline/face_decoder_internal.h"
#include "speech2face.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_STAGES 16
#define MAX_REPEATS 64

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng_state = 0x5EED;
static float gaussian(void)
{
    /* Irwin–Hall (sum of 4 uniforms), good enough for random weights. */
    float sum = 0.0f;
    for (int i = 0; i < 4; ++i) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        sum += (float)(rng_state >> 40) / 16777216.0f;
    }
    return (sum - 2.0f) * 1.7320508f;
}

static int add_random(s2fi_model_writer *w, const char *name, int ndim, const int64_t *shape,
                      double scale)
{
    size_t count = 1;
    for (int d = 0; d < ndim; ++d)
        count *= (size_t)shape[d];
    float *data = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; ++i)
        data[i] = (float)scale * gaussian();
    int bad = s2fi_model_writer_add_tensor(w, name, S2FI_DTYPE_F32, ndim, shape, data) != S2F_OK;
    free(data);
    return bad;
}

static s2f_model *paper_model(void)
{
    enum { D = 128, HIDDEN = 1000, L = 68, S = 14, C0 = 256 };
    const int64_t ups[4] = {128, 64, 32, 32};
    s2fi_model_writer *w;
    s2fi_model_writer_create(&w);
    s2fi_model_writer_set_string(w, "face_decoder.architecture", "speech2face-face-decoder");
    s2fi_model_writer_set_i64(w, "face_decoder.feature_dim", D);
    s2fi_model_writer_set_i64(w, "face_decoder.hidden_dim", HIDDEN);
    s2fi_model_writer_set_i64_array(w, "face_decoder.landmark_hidden", NULL, 0);
    s2fi_model_writer_set_i64(w, "face_decoder.landmark_count", L);
    s2fi_model_writer_set_i64(w, "face_decoder.texture_size", S);
    s2fi_model_writer_set_i64(w, "face_decoder.texture_channels", C0);
    s2fi_model_writer_set_i64_array(w, "face_decoder.upsample_channels", ups, 4);
    s2fi_model_writer_set_i64(w, "face_decoder.upsample_kernel", 5);
    s2fi_model_writer_set_i64(w, "face_decoder.upsample_stride", 2);
    s2fi_model_writer_set_i64(w, "face_decoder.upsample_padding", 2);
    s2fi_model_writer_set_i64(w, "face_decoder.upsample_output_padding", 1);
    s2fi_model_writer_set_i64(w, "face_decoder.image_size", 224);
    float mean[2 * L];
    for (int t = 0; t < L; ++t) { /* points spread over the face region */
        const double a = 2.0 * M_PI * t / L, r = 40.0 + 30.0 * (t % 3);
        mean[2 * t] = (float)(112.0 + r * cos(a));
        mean[2 * t + 1] = (float)(112.0 + 1.2 * r * sin(a));
    }
    s2fi_model_writer_set_f32_array(w, "face_decoder.mean_landmarks", mean, 2 * L);
    int bad = 0;
    bad |= add_random(w, "face_decoder.fc_dec.weight", 2, (int64_t[]){HIDDEN, D}, sqrt(2.0 / D));
    bad |= add_random(w, "face_decoder.fc_dec.bias", 1, (int64_t[]){HIDDEN}, 0.1);
    bad |= add_random(w, "face_decoder.landmark1.weight", 2, (int64_t[]){2 * L, HIDDEN}, 0.01);
    bad |= s2fi_model_writer_add_tensor(w, "face_decoder.landmark1.bias", S2FI_DTYPE_F32, 1,
                                        (int64_t[]){2 * L}, mean) != S2F_OK;
    bad |= add_random(w, "face_decoder.texture_fc.weight", 2, (int64_t[]){C0 * S * S, HIDDEN},
                      sqrt(2.0 / HIDDEN));
    bad |= add_random(w, "face_decoder.texture_fc.bias", 1, (int64_t[]){C0 * S * S}, 0.1);
    int64_t in = C0;
    char name[64];
    for (int i = 0; i < 4; ++i) {
        snprintf(name, sizeof name, "face_decoder.upconv%d.weight", i + 1);
        bad |= add_random(w, name, 4, (int64_t[]){in, ups[i], 5, 5}, sqrt(2.0 / (in * 25 / 4.0)));
        snprintf(name, sizeof name, "face_decoder.upconv%d.bias", i + 1);
        bad |= add_random(w, name, 1, (int64_t[]){ups[i]}, 0.1);
        in = ups[i];
    }
    bad |= add_random(w, "face_decoder.to_rgb.weight", 4, (int64_t[]){3, in, 1, 1}, sqrt(2.0 / in));
    bad |= add_random(w, "face_decoder.to_rgb.bias", 1, (int64_t[]){3}, 0.1);
    uint8_t *bytes = NULL;
    size_t size = 0;
    s2f_model *model = NULL;
    if (bad || s2fi_model_writer_to_buffer(w, &bytes, &size) != S2F_OK)
        fprintf(stderr, "cannot build the model\n");
    s2fi_model_writer_free(w); /* free the writer's copies before the model's */
    if (bytes && s2f_model_load_buffer(bytes, size, NULL, &model) != S2F_OK)
        fprintf(stderr, "cannot load the model: %s\n", s2f_last_error_message());
    s2fi_free(bytes);
    return model;
}

typedef struct stage_clock {
    char names[MAX_STAGES][32];
    double seconds[MAX_STAGES][MAX_REPEATS];
    int count, repeat;
    double last;
} stage_clock;

static void on_stage(const char *stage, const float *data, int h, int w, int c, void *user)
{
    (void)data; (void)h; (void)w; (void)c;
    stage_clock *clock = user;
    double t = now();
    int i = 0;
    while (i < clock->count && strcmp(clock->names[i], stage) != 0)
        ++i;
    if (i == clock->count && clock->count < MAX_STAGES) /* the decoder reuses its name buffer */
        snprintf(clock->names[clock->count++], sizeof clock->names[0], "%s", stage);
    if (i < MAX_STAGES)
        clock->seconds[i][clock->repeat] = t - clock->last;
    clock->last = now();
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int n)
{
    qsort(values, (size_t)n, sizeof *values, compare_doubles);
    return values[n / 2];
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 11;
    if (repeats < 1 || repeats > MAX_REPEATS)
        repeats = 11;
    s2f_model *model = paper_model();
    s2f_face_decoder *decoder = NULL;
    if (!model || s2f_face_decoder_create(model, &decoder) != S2F_OK) {
        fprintf(stderr, "%s\n", s2f_last_error_message());
        return 1;
    }
    size_t dim, height, width, count;
    s2f_face_decoder_shape(decoder, &dim, &height, &width, &count);
    float *feature = malloc(dim * sizeof(float)), *rgb = malloc(height * width * 3 * sizeof(float));
    for (size_t i = 0; i < dim; ++i)
        feature[i] = gaussian();
    static stage_clock clock;
    double network[MAX_REPEATS], total[MAX_REPEATS];
    /* Warm-up (first-touch of the workspace, OpenBLAS buffers), then timed runs. */
    s2f_face_decoder_decode(decoder, feature, dim, rgb, height * width * 3, NULL, 0);
    s2fi_face_decoder_set_tap(decoder, on_stage, &clock);
    for (int r = 0; r < repeats; ++r) {
        clock.repeat = r;
        double t0 = now();
        clock.last = t0;
        s2f_status status = s2f_face_decoder_decode(decoder, feature, dim, rgb,
                                                    height * width * 3, NULL, 0);
        double t1 = now();
        if (status != S2F_OK) {
            fprintf(stderr, "decode: %s\n", s2f_face_decoder_last_error(decoder));
            return 1;
        }
        total[r] = t1 - t0;
        network[r] = clock.last - t0;
    }
    printf("face decoder, paper geometry (%zu-D feature → %zux%zu, %zu landmarks), median of %d:\n",
           dim, height, width, count, repeats);
    for (int i = 0; i < clock.count; ++i)
        printf("  %-12s %7.2f ms\n", clock.names[i], 1e3 * median(clock.seconds[i], repeats));
    double warp[MAX_REPEATS];
    for (int r = 0; r < repeats; ++r)
        warp[r] = total[r] - network[r];
    printf("  %-12s %7.2f ms\n", "warp", 1e3 * median(warp, repeats));
    printf("  %-12s %7.2f ms\n", "total", 1e3 * median(total, repeats));
    free(feature);
    free(rgb);
    s2f_face_decoder_free(decoder);
    s2f_model_free(model);
    return 0;
}
