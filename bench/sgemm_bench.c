/* The machine's practical single-precision peak: cblas_sgemm on N × N matrices, straight on
 * OpenBLAS (no libspeech2face involved), at the thread count OPENBLAS_NUM_THREADS gives.
 * Usage: sgemm_bench N REPEATS
 * Prints one JSON line with the median time, GFLOP/s (2·N³ per call) and the OpenBLAS core and
 * build this process actually runs (openblas_get_corename honours OPENBLAS_CORETYPE). */
#include "bench_common.h"

#include <cblas.h>
#include <stdlib.h>

typedef struct job {
    int n;
    float *a, *b, *c;
} job;

static int multiply(void *context)
{
    job *j = context;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->n, j->n, j->n, 1.0f, j->a, j->n,
                j->b, j->n, 0.0f, j->c, j->n);
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = argc >= 3 ? bench_parse_repeats(argv[2]) : -1;
    job j = {.n = argc >= 2 ? atoi(argv[1]) : 0};
    if (repeats < 0 || j.n < 1 || j.n > 16384) {
        fprintf(stderr, "usage: %s N REPEATS\n", argv[0]);
        return 2;
    }
    size_t count = (size_t)j.n * (size_t)j.n;
    j.a = malloc(count * sizeof(float));
    j.b = malloc(count * sizeof(float));
    j.c = malloc(count * sizeof(float));
    if (!j.a || !j.b || !j.c) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    /* Values in [-1, 1): no denormals, no overflow. */
    for (size_t i = 0; i < count; ++i) {
        j.a[i] = (float)((i * 7919) % 2048) / 1024.0f - 1.0f;
        j.b[i] = (float)((i * 104729) % 2048) / 1024.0f - 1.0f;
    }
    long rss_anon_before = bench_status_kb("RssAnon:");
    bench_timing timing;
    bench_time(multiply, &j, repeats, &timing);
    bench_json_begin(&timing);
    printf(", \"n\": %d, \"gflops\": %.2f, \"threads\": %d, \"corename\": \"%s\", "
           "\"config\": \"%s\"", j.n, 2.0 * j.n * j.n * (double)j.n / (timing.median_ms * 1e6),
           openblas_get_num_threads(), openblas_get_corename(), openblas_get_config());
    bench_json_end(rss_anon_before);
    free(j.a);
    free(j.b);
    free(j.c);
    return 0;
}
