/* Function multi-versioning for hot loops: S2FI_TARGET_CLONES("avx2,fma", "default") compiles a
 * function once per target and lets the dynamic loader pick one (an ifunc) for the machine it
 * runs on, while the library's baseline stays portable.
 *
 * Only with GCC on x86-64 Linux (clang 14 builds the baseline: the fuzzing and sanitizer builds,
 * where speed does not matter), and never under ThreadSanitizer: the ifunc resolver runs during
 * relocation, before the TSan runtime is initialised, and its instrumented body crashes every
 * program that loads the library (SIGSEGV in the resolver).
 *
 * Use it on static functions only: GCC exports a non-static target_clones function from a
 * shared library whatever its visibility. */
#ifndef S2F_CORE_TARGET_CLONES_H
#define S2F_CORE_TARGET_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
#  define S2FI_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#else
#  define S2FI_TARGET_CLONES(...)
#endif

#endif
