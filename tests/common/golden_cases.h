/* Replays per-layer golden cases: folders <root>/<prefix><name>/ of .npy files written by the
 * tools/gen_*_goldens.py generators, compared by max|Δ| / max|ref|. For cmocka tests. */
#ifndef S2F_TESTS_GOLDEN_CASES_H
#define S2F_TESTS_GOLDEN_CASES_H

#include "npy.h"

/** Sets the folder holding the case folders and the relative tolerance. */
void golden_cases_init(const char *root, double relative_tolerance);
/** Loads <root>/<case_dir>/<name>.npy; fails the running test if it cannot. */
npy_array golden_load(const char *case_dir, const char *name);
/** Fails the running test if max|got - expected| / max|expected| exceeds the tolerance. */
void golden_expect_close(const char *case_dir, const float *got, const npy_array *expected);
/** Runs `run` on every case folder whose name starts with `prefix`; fails if there is none. */
void golden_replay(const char *prefix, void (*run)(const char *case_dir));
/** Worst relative error seen so far, and the number of cases replayed. */
double golden_worst_error(void);
int golden_cases_run(void);

#endif
