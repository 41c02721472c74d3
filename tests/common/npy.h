/* Reads NumPy .npy golden files (format 1.0/2.0/3.0, little-endian, C order) into float32 arrays,
 * so C tests can compare against outputs that Python oracles wrote with numpy.save. */
#ifndef S2F_TESTS_NPY_H
#define S2F_TESTS_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_DIMS 8

typedef struct npy_array {
    int ndim;
    int64_t shape[NPY_MAX_DIMS];
    size_t count;  /* product of shape */
    float *data;   /* converted to float32 from <f4, <f8, <i4, <i8, |u1 */
} npy_array;

/** Loads `path`; returns 0 on success, -1 with a message in `error` otherwise. */
int npy_load(const char *path, npy_array *out, char *error, size_t error_size);
void npy_free(npy_array *array);

/** max |a - b| over `count` elements. */
double npy_max_abs_diff(const float *a, const float *b, size_t count);
/** max |x| over `count` elements. */
double npy_max_abs(const float *a, size_t count);

#endif
