#!/bin/sh
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) and runs each for N seconds
# from its committed seed corpus. Fails on any crash, leak, sanitizer report, timeout or OOM.
#
#   tools/ci/run-fuzz-smoke.sh [SECONDS] [TARGET...]      default 60 s, every target
#   tools/ci/run-fuzz-smoke.sh --regenerate-seeds         rewrite tests/fuzz/corpus/* (then commit)
#
# Environment: BUILD_DIR (default build-fuzz), FUZZ_WORK (scratch dir: grown corpora, logs and
# crash artifacts; default a fresh mktemp dir, kept on failure), FUZZ_FLAGS (extra libFuzzer
# flags, e.g. "-jobs=2 -workers=2" for long local runs).
# Reproduce a failure: $BUILD_DIR/tests/fuzz/<target> <artifact file>
set -eu

cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    CC=clang meson setup "$BUILD_DIR" -Dfuzzing=true -Db_sanitize=address,undefined \
        -Db_lundef=false >/dev/null
fi
# Only the fuzz targets: the rest of this build is the ordinary library with sanitizers.
available=$(ninja -C "$BUILD_DIR" -t targets all | sed -n 's|^tests/fuzz/\(fuzz_[a-z0-9_]*\): .*|\1|p' |
            grep -v '^fuzz_make_seeds$' | sort -u)
[ -n "$available" ] || { echo "no fuzz targets in $BUILD_DIR (configure with -Dfuzzing=true)" >&2; exit 1; }

if [ "${1:-}" = "--regenerate-seeds" ]; then
    ninja -C "$BUILD_DIR" tests/fuzz/fuzz_make_seeds >/dev/null
    for t in $available; do mkdir -p "tests/fuzz/corpus/$t"; done
    "$BUILD_DIR/tests/fuzz/fuzz_make_seeds" tests/fuzz/corpus
    du -sh tests/fuzz/corpus/*
    exit 0
fi

for dir in tests/fuzz/corpus/*/; do
    t=$(basename "$dir")
    echo "$available" | grep -qx "$t" ||
        echo "note: $t is not built with this compiler (see tests/fuzz/meson.build); not run" >&2
done

SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-$available}
for t in $targets; do
    echo "$available" | grep -qx "$t" || { echo "unknown or unbuilt target: $t" >&2; exit 1; }
done
# shellcheck disable=SC2046  # one ninja target per word
ninja -C "$BUILD_DIR" $(for t in $targets; do printf 'tests/fuzz/%s ' "$t"; done) >/dev/null

FUZZ_WORK=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/s2f-fuzz.XXXXXX")}
mkdir -p "$FUZZ_WORK"
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan-third-party.supp:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"

failed=""
printf '%-18s %8s %12s %8s %6s  %s\n' target seconds executions exec/s cov result
for t in $targets; do
    corpus="$FUZZ_WORK/corpus/$t"
    log="$FUZZ_WORK/$t.log"
    mkdir -p "$corpus"
    rc=0
    # -timeout: one input may take at most 30 s; -rss_limit_mb: the process may not pass 2 GB
    # (ASan's own overhead included); both count as failures.
    "$BUILD_DIR/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=2560 \
        -print_final_stats=1 -artifact_prefix="$FUZZ_WORK/$t-" ${FUZZ_FLAGS:-} \
        "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (rc $rc)"; failed="$failed $t"; fi
    printf '%-18s %8s %12s %8s %6s  %s\n' "$t" "$SECONDS_EACH" "${execs:-?}" "${speed:-?}" "${cov:-?}" "$result"
    if [ "$rc" -ne 0 ]; then
        grep -E 'ERROR|SUMMARY|contract violated|runtime error|Test unit written' "$log" | head -20 >&2
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz smoke FAILED:$failed (logs and artifacts in $FUZZ_WORK)" >&2
    exit 1
fi
[ -n "${KEEP_FUZZ_WORK:-}" ] || [ "${FUZZ_WORK#"${TMPDIR:-/tmp}"/s2f-fuzz.}" = "$FUZZ_WORK" ] || rm -rf "$FUZZ_WORK"
echo "fuzz smoke passed"
