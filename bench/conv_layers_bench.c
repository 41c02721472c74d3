/* Per-layer speed of the voice encoder's convolutions: s2fi_conv2d_forward (internal API, linked
 * from the static archive) on each layer's exact input shape, with the encoder's epilogue
 * (bias → ReLU → BatchNorm affine; bias only for the last, linear conv) and its workspace
 * budget. Weights and inputs are random: speed does not depend on the values.
 *
 * Usage: conv_layers_bench REPEATS FRAMES BINS IN_CHANNELS KERNEL same|valid CHANNELS STRIDES POOLS
 *   CHANNELS, STRIDES, POOLS: comma-separated per layer (POOLS = time max-pool factor after the
 *   layer, 1 = none), as in tools/reference/voice_encoder.py's config.
 * Prints one JSON line with each layer's input/output shape and median time; bench_all.py turns
 * them into GFLOP/s against the measured sgemm peak. The layers' own threads (transforms) follow
 * OpenBLAS's thread count, as the voice encoder's default does. */
#include "bench_common.h"
#include "core/alloc.h"
#include "nn/conv2d.h"
#include "nn/pool.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAYERS 32

/* The voice encoder's im2col block budget (IM2COL_BUDGET_FLOATS in lib/pipeline/voice_encoder.c,
 * 8 MB), so each layer runs with the block sizes it gets in the encoder. */
#define WORKSPACE_BUDGET_FLOATS ((size_t)2 << 20)

typedef struct layer {
    s2fi_conv2d conv;
    s2fi_shape in, out;
    int pool;
    float *scale, *shift; /* BatchNorm affine after the ReLU; NULL for the linear last layer */
} layer;

typedef struct job {
    const layer *layer;
    const float *in;
    float *out, *workspace;
    size_t workspace_floats;
    size_t threads;
} job;

static int parse_list(const char *text, int *values)
{
    int n = 0;
    for (const char *p = text; *p && n < MAX_LAYERS; ++n) {
        char *end;
        values[n] = (int)strtol(p, &end, 10);
        if (end == p || values[n] < 1)
            return -1;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

static float *random_floats(size_t count, unsigned *state, float lo, float hi)
{
    float *data = s2fi_aligned_alloc(count * sizeof(float));
    for (size_t i = 0; data && i < count; ++i) {
        *state = *state * 1103515245u + 12345u;
        data[i] = lo + (hi - lo) * (float)(*state >> 8) / 16777216.0f;
    }
    return data;
}

static int forward(void *context)
{
    job *j = context;
    const layer *l = j->layer;
    s2fi_epilogue post = {.relu = l->scale != NULL, .scale = l->scale, .shift = l->shift};
    s2fi_conv2d_forward(&l->conv, j->in, l->in, j->out, &post, j->workspace, j->workspace_floats, j->threads, NULL);
    return 0;
}

/* Builds the stack from the command line, following shapes through convs and time pools. */
static int build_layers(char **argv, layer *layers, int *count, unsigned *rng)
{
    int channels[MAX_LAYERS], strides[MAX_LAYERS], pools[MAX_LAYERS];
    int n = parse_list(argv[7], channels);
    if (n < 1 || parse_list(argv[8], strides) != n || parse_list(argv[9], pools) != n)
        return -1;
    s2fi_shape shape = {atoi(argv[2]), atoi(argv[3]), atoi(argv[4])};
    const int kernel = atoi(argv[5]);
    const s2fi_padding_mode padding = strcmp(argv[6], "valid") == 0 ? S2FI_PADDING_VALID
                                                                      : S2FI_PADDING_SAME;
    s2fi_error_slot error = {0};
    for (int i = 0; i < n; ++i) {
        layer *l = &layers[i];
        const s2fi_conv2d_config config = {
            .in_channels = shape.channels, .out_channels = channels[i], .kernel_h = kernel,
            .kernel_w = kernel, .stride_h = strides[i], .stride_w = strides[i], .padding = padding};
        size_t weights = (size_t)channels[i] * (size_t)shape.channels * (size_t)(kernel * kernel);
        float *w = random_floats(weights, rng, -0.1f, 0.1f);
        float *bias = random_floats((size_t)channels[i], rng, -0.1f, 0.1f);
        s2f_status status = s2fi_conv2d_init(&l->conv, &config, w, bias, &error);
        s2fi_free(w);
        s2fi_free(bias);
        if (status != S2F_OK || !s2fi_conv2d_output_shape(&l->conv, shape, &l->out)) {
            fprintf(stderr, "layer %d: %s\n", i + 1, s2fi_error_slot_message(&error));
            return -1;
        }
        l->in = shape;
        l->pool = pools[i];
        if (i + 1 < n) {
            l->scale = random_floats((size_t)channels[i], rng, 0.25f, 1.75f);
            l->shift = random_floats((size_t)channels[i], rng, -0.2f, 0.2f);
        }
        shape = l->out;
        if (l->pool > 1 && !s2fi_maxpool2d_output_shape(shape, l->pool, 1, l->pool, 1, &shape))
            return -1;
    }
    *count = n;
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = argc == 10 ? bench_parse_repeats(argv[1]) : -1;
    static layer layers[MAX_LAYERS];
    int count = 0;
    unsigned rng = 12345u;
    if (repeats < 0 || build_layers(argv, layers, &count, &rng) != 0) {
        fprintf(stderr, "usage: %s REPEATS FRAMES BINS IN_CHANNELS KERNEL same|valid "
                        "CHANNELS STRIDES POOLS\n", argv[0]);
        return 2;
    }
    const size_t threads = (size_t)(openblas_get_num_threads() > 1 ? openblas_get_num_threads() : 1);
    long rss_anon_before = bench_status_kb("RssAnon:");
    double total = 0.0;
    printf("{\"layers\": [");
    for (int i = 0; i < count; ++i) {
        const layer *l = &layers[i];
        job j = {.layer = l, .threads = threads};
        j.workspace_floats = s2fi_conv2d_workspace_floats(&l->conv, l->in, WORKSPACE_BUDGET_FLOATS, threads);
        j.in = random_floats(s2fi_shape_count(l->in), &rng, -1.0f, 1.0f);
        j.out = s2fi_aligned_alloc(s2fi_shape_count(l->out) * sizeof(float));
        j.workspace = s2fi_aligned_alloc((j.workspace_floats + 1) * sizeof(float));
        bench_timing timing;
        if (!j.in || !j.out || !j.workspace || bench_time(forward, &j, repeats, &timing) != 0) {
            fprintf(stderr, "layer %d: out of memory\n", i + 1);
            return 1;
        }
        printf("%s{\"in\": [%d, %d, %d], \"out\": [%d, %d, %d], \"kernel\": [%d, %d], "
               "\"median_ms\": %.4f, \"min_ms\": %.4f}", i ? ", " : "", l->in.height, l->in.width,
               l->in.channels, l->out.height, l->out.width, l->out.channels,
               l->conv.config.kernel_h, l->conv.config.kernel_w, timing.median_ms, timing.min_ms);
        total += timing.median_ms;
        s2fi_free((void *)j.in);
        s2fi_free(j.out);
        s2fi_free(j.workspace);
    }
    printf("], \"total_median_ms\": %.4f, \"repeats\": %d", total, repeats);
    bench_json_end(rss_anon_before);
    for (int i = 0; i < count; ++i) {
        s2fi_conv2d_release(&layers[i].conv);
        s2fi_free(layers[i].scale);
        s2fi_free(layers[i].shift);
    }
    return 0;
}
