#!/bin/sh
# Sanitizer runs (docs/reliability.md):
#   --asan  ASan + UBSan build (build-asan) running the whole test suite; any report fails it.
#   --tsan  ThreadSanitizer build (build-tsan) running the concurrency proofs
#           (tests/concurrency, the index's index-concurrency test, and core-internal, whose
#           worker-pool test shares one pool between four threads).
#   (no argument: both)
# Environment: ASAN_BUILD_DIR (default build-asan), TSAN_BUILD_DIR (default build-tsan).
#
# Left out of the ASan run, because they load libspeech2face.so into a process whose main
# program is not ASan-instrumented (ASan must be the first library of the process): every test
# whose command is Python and that is handed the shared library (the ctypes live oracles), the
# suite "frontends" (Python/Rust/C++ bindings and consumers, built outside meson's sanitizer
# flags), and install-and-pkg-config; and long-audio-memory, whose memory bound means nothing
# under ASan. They check numbers, bindings, packaging and memory; the C tests of the same
# library code run instrumented.
set -eu
cd "$(dirname "$0")/../.."

ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
TSAN_BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
mode=${1:-all}
export OPENBLAS_NUM_THREADS=1

run_asan() {
    if [ ! -f "$ASAN_BUILD_DIR/build.ninja" ]; then
        meson setup "$ASAN_BUILD_DIR" -Dtests=enabled -Db_sanitize=address,undefined \
            -Db_lundef=false -Dc_args=-fno-sanitize-recover=undefined >/dev/null
    fi
    ninja -C "$ASAN_BUILD_DIR" >/dev/null
    tests=$(meson introspect --tests "$ASAN_BUILD_DIR" | /usr/bin/python3 -c '
import json, sys
for test in json.load(sys.stdin):
    # The library path may come as an argument or through the environment (S2F_LIBRARY).
    command = " ".join(test["cmd"] + ["%s=%s" % kv for kv in test["env"].items()])
    loads_library_in_python = "python" in test["cmd"][0] and "libspeech2face.so" in command
    frontend = any(suite.split(":")[-1] == "frontends" for suite in test["suite"])
    # long-audio-memory measures peak RSS against a bound: under ASan (shadow memory,
    # quarantine) the figure means nothing, and the hour of audio takes ~10x as long.
    measures_memory = test["name"] == "long-audio-memory"
    if (loads_library_in_python or frontend or measures_memory
            or test["name"] == "install-and-pkg-config"):
        print("skipped under ASan: " + test["name"], file=sys.stderr)
        continue
    print(test["name"])
')
    # shellcheck disable=SC2086  # one test name per word
    # allocator_may_return_null: tests ask for impossible sizes on purpose and expect
    # S2F_ERR_OUT_OF_MEMORY / NULL, which is what a real allocator gives.
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}" \
        meson test -C "$ASAN_BUILD_DIR" --timeout-multiplier 6 --print-errorlogs $tests
}

run_tsan() {
    if [ ! -f "$TSAN_BUILD_DIR/build.ninja" ]; then
        meson setup "$TSAN_BUILD_DIR" -Dtests=enabled -Db_sanitize=thread -Db_lundef=false >/dev/null
    fi
    ninja -C "$TSAN_BUILD_DIR" tests/concurrency/test_concurrency tests/index/test_index_concurrency \
        tests/test_core_internal >/dev/null
    # Suppressions cover uninstrumented third-party libraries only (see the file).
    # allocator_may_return_null: core-internal asks for impossible sizes on purpose (as in ASan).
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1:suppressions=$(pwd)/tests/concurrency/tsan.supp:${TSAN_OPTIONS:-}" \
        meson test -C "$TSAN_BUILD_DIR" --no-rebuild --timeout-multiplier 4 --print-errorlogs \
        concurrency index-concurrency core-internal
}

case "$mode" in
    --asan) run_asan ;;
    --tsan) run_tsan ;;
    all) run_asan; run_tsan ;;
    *) echo "usage: $0 [--asan|--tsan]" >&2; exit 2 ;;
esac
