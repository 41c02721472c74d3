/* Allocation helpers: 64-byte aligned blocks (SIMD and cache lines) and overflow-checked sizes,
 * so that sizes read from files can never wrap into a small allocation. */
#ifndef S2F_CORE_ALLOC_H
#define S2F_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define S2FI_ALIGNMENT 64

/** 64-byte aligned, uninitialised; NULL on failure or when bytes == 0. Free with s2fi_free. */
void *s2fi_aligned_alloc(size_t bytes);
/** As s2fi_aligned_alloc, zero-filled. */
void *s2fi_aligned_calloc(size_t bytes);
void s2fi_free(void *ptr);

/** *out = a * b; returns false on overflow. */
static inline bool s2fi_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/** Whether the byte ranges [a, a + a_bytes) and [b, b + b_bytes) share a byte: the check behind
 *  every "must not overlap" in the header. */
static inline bool s2fi_ranges_overlap(const void *a, size_t a_bytes, const void *b,
                                       size_t b_bytes)
{
    const uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y + b_bytes && y < x + a_bytes;
}

/** *out = a + b; returns false on overflow. */
static inline bool s2fi_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

#endif
