#include "bench_common.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

long bench_status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long value = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0)
            value = atol(line + n);
    if (f)
        fclose(f);
    return value;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int bench_time(bench_fn fn, void *context, int repeats, bench_timing *out)
{
    int status = fn(context); /* warm-up */
    double *times = malloc((size_t)repeats * sizeof(double));
    if (!times) {
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    for (int r = 0; r < repeats && status == 0; ++r) {
        double t0 = bench_now_ms();
        status = fn(context);
        times[r] = bench_now_ms() - t0;
    }
    if (status == 0) {
        qsort(times, (size_t)repeats, sizeof(double), compare_double);
        out->median_ms = times[repeats / 2];
        out->min_ms = times[0];
        out->repeats = repeats;
    }
    free(times);
    return status;
}

int bench_parse_repeats(const char *text)
{
    int repeats = atoi(text);
    return repeats >= 1 && repeats <= 10000 ? repeats : -1;
}

void bench_json_begin(const bench_timing *timing)
{
    printf("{\"median_ms\": %.4f, \"min_ms\": %.4f, \"repeats\": %d", timing->median_ms,
           timing->min_ms, timing->repeats);
}

void bench_json_end(long rss_anon_kb_before)
{
    printf(", \"rss_anon_growth_kb\": %ld, \"vm_hwm_kb\": %ld, \"rss_file_kb\": %ld}\n",
           bench_status_kb("RssAnon:") - rss_anon_kb_before, bench_status_kb("VmHWM:"),
           bench_status_kb("RssFile:"));
}

int bench_write_floats(const char *path, const float *data, size_t count)
{
    if (!path)
        return 0;
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, sizeof(float), count, f) == count;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "%s: cannot write\n", path);
    return ok ? 0 : -1;
}

int bench_main(const bench_driver *driver, int argc, char **argv)
{
    int args = argc - 1;
    int repeats = args >= driver->min_args && args <= driver->max_args
                      ? bench_parse_repeats(argv[driver->repeats_arg])
                      : -1;
    if (repeats < 0) {
        fprintf(stderr, "usage: %s %s\n", argv[0], driver->usage);
        return 2;
    }
    if (driver->setup(driver->job, argc, argv) != 0) {
        driver->teardown(driver->job);
        return 1;
    }
    long rss_anon_before = bench_status_kb("RssAnon:");
    bench_timing timing;
    int status = bench_time(driver->run, driver->job, repeats, &timing);
    if (status == 0 && driver->after)
        status = driver->after(driver->job, repeats);
    if (status == 0 && driver->output && driver->output_arg && argc > driver->output_arg) {
        size_t count = 0;
        const float *data = driver->output(driver->job, &count);
        status = bench_write_floats(argv[driver->output_arg], data, count);
    }
    if (status == 0) {
        bench_json_begin(&timing);
        if (driver->report)
            driver->report(driver->job, &timing);
        bench_json_end(rss_anon_before);
    }
    driver->teardown(driver->job);
    return status == 0 ? 0 : 1;
}
