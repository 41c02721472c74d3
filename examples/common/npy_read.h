/* Reads a NumPy .npy file holding float32 values (any shape, C order, little-endian): enough to
 * pass features between Python and the examples. */
#ifndef S2F_EXAMPLES_NPY_READ_H
#define S2F_EXAMPLES_NPY_READ_H

#include <stddef.h>

/** Reads every value of a '<f4' .npy file into a new malloc'd array (*values, *count).
 *  Returns 0, or -1 with a message in `error`. */
int npy_read_f32(const char *path, float **values, size_t *count, char *error, size_t error_size);

#endif
