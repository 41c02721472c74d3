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

static int setup(void *context, int argc, char **argv)
{
    (void)argc;
    job *j = context;
    j->n = atoi(argv[1]);
    if (j->n < 1 || j->n > 16384) {
        fprintf(stderr, "N must be 1..16384\n");
        return 1;
    }
    size_t count = (size_t)j->n * (size_t)j->n;
    j->a = malloc(count * sizeof(float));
    j->b = malloc(count * sizeof(float));
    j->c = malloc(count * sizeof(float));
    if (!j->a || !j->b || !j->c) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    /* Values in [-1, 1): no denormals, no overflow. */
    for (size_t i = 0; i < count; ++i) {
        j->a[i] = (float)((i * 7919) % 2048) / 1024.0f - 1.0f;
        j->b[i] = (float)((i * 104729) % 2048) / 1024.0f - 1.0f;
    }
    return 0;
}

static int multiply(void *context)
{
    job *j = context;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->n, j->n, j->n, 1.0f, j->a, j->n,
                j->b, j->n, 0.0f, j->c, j->n);
    return 0;
}

static void report(void *context, const bench_timing *timing)
{
    const job *j = context;
    double gflops = 2.0 * j->n * j->n * (double)j->n / (timing->median_ms * 1e6);
    printf(", \"n\": %d, \"gflops\": %.2f, \"threads\": %d, \"corename\": \"%s\", "
           "\"config\": \"%s\"", j->n, gflops, openblas_get_num_threads(), openblas_get_corename(),
           openblas_get_config());
}

static void teardown(void *context)
{
    job *j = context;
    free(j->a);
    free(j->b);
    free(j->c);
}

int main(int argc, char **argv)
{
    job j = {0};
    const bench_driver driver = {.usage = "N REPEATS", .min_args = 2, .max_args = 2,
                                 .repeats_arg = 2, .job = &j, .setup = setup, .run = multiply,
                                 .report = report, .teardown = teardown};
    return bench_main(&driver, argc, argv);
}
