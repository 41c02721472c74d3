#!/bin/sh
# valgrind memcheck of the end-to-end pipeline (tests/reliability/pipeline_e2e.c: PCM →
# spectrogram → voice encoder → face decoder → images → index save/load) with a small
# random-weight model. Fails on any memcheck error or any definite/indirect/possible leak.
# The same check is the meson test "pipeline-valgrind" (suite "valgrind") of every unsanitized
# build, so tools/ci/run-tests.sh runs it too; this script is for running it alone.
# Environment: VALGRIND_BUILD_DIR (default build-valgrind).
set -eu
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind not found: apt-get install valgrind" >&2; exit 2; }
VALGRIND_BUILD_DIR=${VALGRIND_BUILD_DIR:-build-valgrind}
if [ ! -f "$VALGRIND_BUILD_DIR/build.ninja" ]; then
    # Optimised code as shipped, with debug info for readable reports.
    meson setup "$VALGRIND_BUILD_DIR" --buildtype=debugoptimized -Dtests=enabled \
        -Dexamples=disabled >/dev/null
fi
OPENBLAS_NUM_THREADS=1 meson test -C "$VALGRIND_BUILD_DIR" --suite valgrind --print-errorlogs
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost' \
    "$VALGRIND_BUILD_DIR/meson-logs/testlog.txt" | tail -n 4
