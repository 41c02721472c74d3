#include "golden_cases.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char *cases_root;
static double tolerance;
static double worst_error;
static int cases_run;

void golden_cases_init(const char *root, double relative_tolerance)
{
    cases_root = root;
    tolerance = relative_tolerance;
}

npy_array golden_load(const char *case_dir, const char *name)
{
    char path[1024], error[256];
    snprintf(path, sizeof path, "%s/%s/%s.npy", cases_root, case_dir, name);
    npy_array array;
    if (npy_load(path, &array, error, sizeof error) != 0)
        fail_msg("%s", error);
    return array;
}

void golden_expect_close(const char *case_dir, const float *got, const npy_array *expected)
{
    double scale = npy_max_abs(expected->data, expected->count);
    double error = npy_max_abs_diff(got, expected->data, expected->count) / (scale > 0 ? scale : 1);
    if (error > worst_error)
        worst_error = error;
    if (error > tolerance)
        fail_msg("%s: max|Δ|/max|ref| = %.3g > %.0e", case_dir, error, tolerance);
}

void golden_replay(const char *prefix, void (*run)(const char *case_dir))
{
    DIR *dir = opendir(cases_root);
    assert_non_null(dir);
    int count = 0;
    for (struct dirent *entry; (entry = readdir(dir));) {
        if (strncmp(entry->d_name, prefix, strlen(prefix)) != 0)
            continue;
        run(entry->d_name);
        ++count;
    }
    closedir(dir);
    if (count == 0)
        fail_msg("no %s* cases in %s", prefix, cases_root);
    cases_run += count;
}

double golden_worst_error(void)
{
    return worst_error;
}

int golden_cases_run(void)
{
    return cases_run;
}
