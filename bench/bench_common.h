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

/** The shape every single-workload driver shares: parse REPEATS, set up, time one call, write
 *  the output for the accuracy check, print the JSON line, tear down. A driver fills this in and
 *  its main() is `return bench_main(&driver, argc, argv);`. */
typedef struct bench_driver {
    const char *usage;    /* the arguments after the program name, for the usage line */
    int min_args;         /* argc - 1 at least ... */
    int max_args;         /* ... and at most */
    int repeats_arg;      /* argv index of REPEATS */
    int output_arg;       /* argv index of the optional OUTPUT.f32, 0 when the driver has none */
    void *job;            /* the driver's state, handed to every callback */
    /** Loads inputs and creates handles. 0, or 1 after printing why. */
    int (*setup)(void *job, int argc, char **argv);
    /** The timed call (median_ms, min_ms in the JSON line). */
    bench_fn run;
    /** Optional: more timings after run's (e.g. a second variant), with the same repeats. */
    int (*after)(void *job, int repeats);
    /** Optional: extra JSON fields, each printed as `, "key": value`; `timing` is run's. */
    void (*report)(void *job, const bench_timing *timing);
    /** Optional: the floats OUTPUT.f32 receives. */
    const float *(*output)(void *job, size_t *count);
    /** Frees what setup made (the job starts zeroed; called whether setup succeeded or not). */
    void (*teardown)(void *job);
} bench_driver;

/** Runs `driver` (see bench_driver): exit status 0, 1 on failure, 2 on a usage error. */
int bench_main(const bench_driver *driver, int argc, char **argv);

#endif
