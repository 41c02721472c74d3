#include "index/kernels.h"

#include "index/codec.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* The vector helpers are static: passing 64-byte vectors between them never crosses an external
 * ABI boundary, so GCC's note about the AVX-512 calling convention does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float v16sf __attribute__((vector_size(64)));
typedef int32_t v16si __attribute__((vector_size(64)));
typedef int8_t v16qi __attribute__((vector_size(16)));
/* _Float16 vectors need GCC 12+ or clang 15+ on x86; Debian 12's clang 14 (the fuzzing and
 * sanitizer builds) decodes halves one by one instead. */
#if !defined(__clang__) || __clang_major__ >= 15
#  define S2FI_HAVE_FLOAT16_VECTORS 1
typedef _Float16 v16hf __attribute__((vector_size(32)));
#endif

/* Portable build: whatever the compiler's baseline is (SSE2 on x86-64). */
#define KSUFFIX portable
#define KSUFFIX_NAME "portable"
#include "index/kernels_impl.h"
#undef KSUFFIX
#undef KSUFFIX_NAME

/* The AVX2/AVX-512 variants rely on GCC's `#pragma GCC target` (clang ignores it) and on
 * __builtin_cpu_supports("f16c") (clang 14 rejects it): GCC builds only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  define S2FI_HAVE_X86_VARIANTS 1
#  pragma GCC push_options
#  pragma GCC target("avx2,fma,f16c")
#  define KSUFFIX avx2
#  define KSUFFIX_NAME "avx2"
#  include "index/kernels_impl.h"
#  undef KSUFFIX
#  undef KSUFFIX_NAME
#  pragma GCC pop_options

#  pragma GCC push_options
#  pragma GCC target("avx512f,avx512vl,avx512bw,avx2,fma,f16c")
#  define KSUFFIX avx512
#  define KSUFFIX_NAME "avx512"
#  include "index/kernels_impl.h"
#  undef KSUFFIX
#  undef KSUFFIX_NAME
#  pragma GCC pop_options
#endif

static const s2fi_index_kernels *best_kernels = &kernels_portable;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

static void choose_best(void)
{
#if defined(S2FI_HAVE_X86_VARIANTS)
    __builtin_cpu_init();
    int has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                   __builtin_cpu_supports("f16c");
    if (has_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw"))
        best_kernels = &kernels_avx512;
    else if (has_avx2)
        best_kernels = &kernels_avx2;
#endif
}

const s2fi_index_kernels *s2fi_index_kernels_best(void)
{
    pthread_once(&best_once, choose_best);
    return best_kernels;
}

const s2fi_index_kernels *s2fi_index_kernels_portable(void)
{
    return &kernels_portable;
}
