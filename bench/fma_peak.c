/* The machine's FP32 FMA peak per ISA, so that "% of peak" can be the hardware's and not one
 * library's: independent fused multiply-adds on 12 register accumulators (more than the FMA
 * latency × throughput of any x86 core), with AVX2 (8 lanes) and AVX-512 (16 lanes) where the
 * CPU has them, on 1 and on N threads (one per thread, started together).
 *
 * Usage: fma_peak [THREADS]   (default: 2)
 * Prints one JSON line: GFLOP/s per ISA and thread count (2 FLOP per lane per FMA). */
#include "bench_common.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ACCUMULATORS 12 /* a0..a11 in FMA_LOOP */
#define ITERATIONS 20000000L

typedef float v8 __attribute__((vector_size(32)));
typedef float v16 __attribute__((vector_size(64)));

/* Twelve named accumulators (an array would be kept in memory by GCC, adding a load and a
 * store to every FMA); the result depends on all of them, so none is optimised away. */
#define FMA_LOOP(type, lanes)                                                            \
    do {                                                                                \
        type x, y;                                                                      \
        for (int i = 0; i < lanes; ++i) {                                               \
            x[i] = 1.0f - 1e-7f * (float)i;                                             \
            y[i] = 1e-8f;                                                               \
        }                                                                               \
        type a0 = x, a1 = x * 2, a2 = x * 3, a3 = x * 4, a4 = x * 5, a5 = x * 6;        \
        type a6 = x * 7, a7 = x * 8, a8 = x * 9, a9 = x * 10, a10 = x * 11, a11 = x * 12; \
        for (long it = 0; it < ITERATIONS; ++it) {                                      \
            a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y;         \
            a4 = a4 * x + y; a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y;         \
            a8 = a8 * x + y; a9 = a9 * x + y; a10 = a10 * x + y; a11 = a11 * x + y;     \
            __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3));              \
        }                                                                               \
        type sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;         \
        float total = 0.0f;                                                             \
        for (int i = 0; i < lanes; ++i)                                                 \
            total += sum[i];                                                            \
        return total;                                                                   \
    } while (0)

__attribute__((target("avx2,fma"))) static float fma_avx2(void) { FMA_LOOP(v8, 8); }
__attribute__((target("avx512f"))) static float fma_avx512(void) { FMA_LOOP(v16, 16); }

typedef struct run {
    float (*fn)(void);
    float result;
} run;

static void *thread_main(void *arg)
{
    run *r = arg;
    r->result = r->fn();
    return NULL;
}

/* GFLOP/s of `threads` threads each running fn once. */
static double measure(float (*fn)(void), int lanes, int threads)
{
    pthread_t ids[64];
    run runs[64];
    const double start = bench_now_ms();
    for (int t = 0; t < threads; ++t) {
        runs[t] = (run){.fn = fn};
        if (pthread_create(&ids[t], NULL, thread_main, &runs[t]) != 0)
            return -1.0;
    }
    for (int t = 0; t < threads; ++t)
        pthread_join(ids[t], NULL);
    const double seconds = (bench_now_ms() - start) / 1e3;
    const double flops = 2.0 * lanes * ACCUMULATORS * (double)ITERATIONS * threads;
    return flops / seconds / 1e9;
}

/* "isa": {"1": GFLOP/s, "N": GFLOP/s}, or null where the CPU lacks it. */
static void print_isa(const char *name, int available, float (*fn)(void), int lanes, int threads)
{
    if (!available) {
        printf("\"%s\": null", name);
        return;
    }
    printf("\"%s\": {\"1\": %.1f, \"%d\": %.1f}", name, measure(fn, lanes, 1), threads,
           measure(fn, lanes, threads));
}

int main(int argc, char **argv)
{
    const int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 64) {
        fprintf(stderr, "usage: %s [THREADS 1..64]\n", argv[0]);
        return 2;
    }
    __builtin_cpu_init();
    printf("{");
    print_isa("avx2", __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), fma_avx2,
              8, threads);
    printf(", ");
    print_isa("avx512", __builtin_cpu_supports("avx512f"), fma_avx512, 16, threads);
    printf("}\n");
    return 0;
}
