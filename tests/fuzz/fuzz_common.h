/* Shared helpers of the libFuzzer targets (tests/fuzz, docs/reliability.md).
 *
 * A target turns the fuzzer's bytes into calls with a byte cursor (fuzz_take_*: an exhausted
 * input reads as zeros, so every input is usable), and checks the library's contract with
 * FUZZ_CHECK: a violated check aborts, which libFuzzer reports as a crash with the input that
 * caused it. Crashes, ASan/UBSan reports and leaks are reported by the sanitizers themselves. */
#ifndef S2F_FUZZ_COMMON_H
#define S2F_FUZZ_COMMON_H

#include <speech2face.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: contract violated: %s (last error: %s)\n", __FILE__,          \
                    __LINE__, #cond, s2f_last_error_message());                                   \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

/* A failure must be a defined status and come with a message. */
#define FUZZ_CHECK_FAILURE(status)                                                                \
    do {                                                                                          \
        s2f_status fuzz_status_ = (status);                                                       \
        FUZZ_CHECK(fuzz_status_ > S2F_OK && fuzz_status_ < S2F_STATUS_COUNT);                     \
        FUZZ_CHECK(s2f_last_error_message()[0] != '\0');                                          \
    } while (0)

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size;
} fuzz_input;

static inline void fuzz_take(fuzz_input *in, void *out, size_t n)
{
    const size_t have = in->size < n ? in->size : n;
    if (have)
        memcpy(out, in->data, have);
    memset((uint8_t *)out + have, 0, n - have);
    in->data += have;
    in->size -= have;
}

static inline uint8_t fuzz_u8(fuzz_input *in)
{
    uint8_t v;
    fuzz_take(in, &v, 1);
    return v;
}

static inline uint16_t fuzz_u16(fuzz_input *in)
{
    uint16_t v;
    fuzz_take(in, &v, sizeof v);
    return v;
}

static inline uint32_t fuzz_u32(fuzz_input *in)
{
    uint32_t v;
    fuzz_take(in, &v, sizeof v);
    return v;
}

static inline float fuzz_f32(fuzz_input *in)
{
    float v;
    fuzz_take(in, &v, sizeof v);
    return v;
}

static inline double fuzz_f64(fuzz_input *in)
{
    double v;
    fuzz_take(in, &v, sizeof v);
    return v;
}

/* One of `n` table entries, or (selector past the table) the raw bits of the input: most draws
 * give meaningful values, the rest anything at all (NaN, infinities, denormals, huge). */
static inline double fuzz_pick_f64(fuzz_input *in, const double *table, size_t n)
{
    const uint8_t selector = fuzz_u8(in);
    if (selector < 224)
        return table[selector % n];
    return fuzz_f64(in);
}

static inline int32_t fuzz_pick_i32(fuzz_input *in, const int32_t *table, size_t n)
{
    const uint8_t selector = fuzz_u8(in);
    if (selector < 224)
        return table[selector % n];
    return (int32_t)fuzz_u32(in);
}

/* Floats from the remaining bytes, transformed by a mode byte so that special values are
 * common: raw bits, scaled to huge or denormal magnitudes, or small integers in [-1, 1]. */
static inline void fuzz_floats(fuzz_input *in, uint8_t mode, float *out, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        float v;
        switch (mode % 5) {
        case 0: v = fuzz_f32(in); break;                                      /* raw bits */
        case 1: v = ((float)(int8_t)fuzz_u8(in)) / 128.0f; break;             /* [-1, 1) */
        case 2: v = ((float)(int8_t)fuzz_u8(in)) * 1e36f; break;              /* huge, ±inf */
        case 3: v = ((float)(int8_t)fuzz_u8(in)) * 1e-40f; break;             /* denormal */
        default: v = (float)(int16_t)fuzz_u16(in) / 1024.0f; break;           /* ±32 */
        }
        out[i] = v;
    }
}

#endif
