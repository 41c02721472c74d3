/* Distance kernels over blocks of gallery rows, one implementation compiled for several
 * instruction sets (kernels_impl.h) and chosen once at run time from the CPU's features. */
#ifndef S2F_INDEX_KERNELS_H
#define S2F_INDEX_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef struct s2fi_index_kernels {
    const char *name;
    /* out[r] = score of query q against row r of a block of n contiguous rows of dim d. */
    void (*dot_f32)(const float *q, const float *rows, size_t n, size_t d, float *out);
    void (*l2_f32)(const float *q, const float *rows, size_t n, size_t d, float *out);
    void (*l1_f32)(const float *q, const float *rows, size_t n, size_t d, float *out);
    void (*dot_f16)(const float *q, const uint16_t *rows, size_t n, size_t d, float *out);
    void (*l1_f16)(const float *q, const uint16_t *rows, size_t n, size_t d, float *out);
    /* Σ q_i·code_i (the caller applies the row's affine parameters). */
    void (*dot_i8)(const float *q, const int8_t *rows, size_t n, size_t d, float *out);
    void (*l1_i8)(const float *q, const int8_t *rows, const float *offsets, const float *scales,
                  size_t n, size_t d, float *out);
    /* Decode n rows to float32 (row-major n×d). */
    void (*decode_f16)(const uint16_t *rows, size_t n, size_t d, float *out);
    void (*decode_i8)(const int8_t *rows, const float *offsets, const float *scales, size_t n,
                      size_t d, float *out);
} s2fi_index_kernels;

/** The best kernels this CPU runs (AVX-512, AVX2+FMA+F16C or portable); thread-safe. */
const s2fi_index_kernels *s2fi_index_kernels_best(void);
/** The portable kernels (tests compare every variant against them). */
const s2fi_index_kernels *s2fi_index_kernels_portable(void);

#endif
