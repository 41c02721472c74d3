/* What every C benchmark driver in bench/ shares: a warm-up + repeats timing loop, the process's
 * memory figures from /proc/self/status, and the JSON line the drivers print for
 * bench/bench_all.py. Each driver times one thing; the thread count comes from the environment
 * (OPENBLAS_NUM_THREADS), which the library never sets. */
#ifndef S2F_BENCH_COMMON_H
#define S2F_BENCH_COMMON_H

#include <stddef.h>
#include <stdio.h>

/** One timed call; returns 0 on success, non-zero after printing why to stderr. */
typedef int (*bench_fn)(void *context);

typedef struct bench_timing {
    double median_ms;
    double min_ms;
    int repeats;
} bench_timing;

/** Monotonic clock in milliseconds. */
double bench_now_ms(void);

/** A field of /proc/self/status in kB ("VmHWM:", "RssAnon:"), -1 if absent. */
long bench_status_kb(const char *field);

/** Calls fn once as a warm-up (first-touch of workspaces, OpenBLAS buffers, lazily sized plans),
 *  then `repeats` timed times. Returns 0, or fn's failure. */
int bench_time(bench_fn fn, void *context, int repeats, bench_timing *out);

/** Parses a repeat count argument (1..10000); -1 if invalid. */
int bench_parse_repeats(const char *text);

/** Starts the JSON line: {"median_ms": ..., "min_ms": ..., "repeats": ... */
void bench_json_begin(const bench_timing *timing);
/** Ends the JSON line with the memory figures: anonymous RSS growth since `rss_anon_kb_before`
 *  (what the timed work allocated: activations, workspaces) and the peak RSS (VmHWM, which also
 *  counts the pages of a model file mapping that were touched). */
void bench_json_end(long rss_anon_kb_before);

/** Writes `count` floats to `path` as raw little-endian float32 (NULL path: nothing), for
 *  bench_all.py to compare the output with PyTorch's. Returns 0 or -1 after printing why. */
int bench_write_floats(const char *path, const float *data, size_t count);

#endif
