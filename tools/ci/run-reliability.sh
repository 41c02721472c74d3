#!/bin/sh
# Every reliability check of docs/reliability.md, for CI; exits non-zero if any fails (all run).
#   1. fuzz smoke: each libFuzzer target for FUZZ_SECONDS (default 60) from its seed corpus
#   2. ASan + UBSan build running the whole test suite
#   3. ThreadSanitizer build running the concurrency proofs
#   4. valgrind memcheck of the end-to-end pipeline
#   5. ABI gate against tests/abi/libspeech2face.abi
# Needs: clang, libclang-rt-14-dev (libFuzzer and sanitizer runtimes), valgrind, abigail-tools.
# Each step uses its own build directory (build-fuzz, build-asan, build-tsan, build-valgrind,
# build-abi), so reruns are incremental.
set -u
cd "$(dirname "$0")/../.." || exit 2
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
failed=""
step() { # name, command...
    name=$1
    shift
    echo "=== $name"
    start=$(date +%s)
    if "$@"; then
        echo "=== $name: ok ($(( $(date +%s) - start )) s)"
    else
        echo "=== $name: FAILED ($(( $(date +%s) - start )) s)"
        failed="$failed $name"
    fi
}
step fuzz-smoke tools/ci/run-fuzz-smoke.sh "$FUZZ_SECONDS"
step asan-ubsan tools/ci/run-sanitizers.sh --asan
step tsan tools/ci/run-sanitizers.sh --tsan
step valgrind tools/ci/run-valgrind.sh
step abi tools/ci/check-abi.sh
if [ -n "$failed" ]; then
    echo "reliability checks FAILED:$failed"
    exit 1
fi
echo "all reliability checks passed"
