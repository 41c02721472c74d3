#!/bin/sh
# ABI gate (docs/abi-policy.md). Builds libspeech2face.so with debug info and compares its ABI,
# as abidiff (abigail-tools) sees it through include/, with the committed baseline
# tests/abi/libspeech2face.abi.
#
#   tools/ci/check-abi.sh            fail (exit 1) on an incompatible change, unless the soversion
#                                 (s2f_soversion in meson.build) differs from the baseline's
#   tools/ci/check-abi.sh --update   regenerate the baseline from the current tree (commit it)
#
# Compatible, so accepted silently: added functions (abidiff --no-added-syms), enumerators
# appended to an enum (libabigail's default "harmless" class), data members appended to an
# s2f_*_params struct (tests/abi/compatible-changes.suppr). Anything else — a removed or renamed
# function, a changed signature, a reordered or removed member, a changed enumerator value —
# is incompatible.
# Environment: ABI_BUILD_DIR (default build-abi).
set -eu
cd "$(dirname "$0")/../.."

BASELINE=tests/abi/libspeech2face.abi
ABI_BUILD_DIR=${ABI_BUILD_DIR:-build-abi}
for tool in abidw abidiff; do
    command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install abigail-tools" >&2; exit 2; }
done

if [ ! -f "$ABI_BUILD_DIR/build.ninja" ]; then
    # Optimised like a release, plus DWARF (abidw reads types from it); no tests or examples.
    meson setup "$ABI_BUILD_DIR" --buildtype=debugoptimized -Dtests=disabled \
        -Dexamples=disabled >/dev/null
fi
meson compile -C "$ABI_BUILD_DIR" speech2face:shared_library >/dev/null
library=$(find "$ABI_BUILD_DIR/lib" -maxdepth 1 -type f -name 'libspeech2face.so.*' | head -n 1)
[ -n "$library" ] || { echo "no libspeech2face.so.* in $ABI_BUILD_DIR/lib" >&2; exit 2; }

dump() { # $1 = output file. Stable output: no paths, no source locations.
    abidw --headers-dir include --drop-private-types --drop-undefined-syms --no-show-locs \
        --no-corpus-path --no-comp-dir-path --type-id-style hash --out-file "$1" "$library"
}

if [ "${1:-}" = "--update" ]; then
    dump "$BASELINE"
    echo "wrote $BASELINE from $library ($(grep -c '<elf-symbol ' "$BASELINE") exported symbols); commit it"
    exit 0
fi
[ -f "$BASELINE" ] || { echo "no baseline $BASELINE: run $0 --update" >&2; exit 2; }

soname_of_baseline=$(sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$BASELINE" | head -n 1)
soname_now=$(objdump -p "$library" | awk '/SONAME/ {print $2}')

report=$(mktemp)
trap 'rm -f "$report"' EXIT
rc=0
abidiff --no-added-syms --suppressions tests/abi/compatible-changes.suppr \
    --headers-dir2 include "$BASELINE" "$library" >"$report" 2>&1 || rc=$?

# abidiff's exit status is a bit mask: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ $((rc & 3)) -ne 0 ]; then
    cat "$report" >&2
    echo "abidiff failed to run (status $rc)" >&2
    exit 2
fi
if [ "$rc" -eq 0 ]; then
    added=$(abidiff --headers-dir2 include "$BASELINE" "$library" 2>/dev/null |
            sed -n 's/.*Functions changes summary:.* \([0-9]*\) Added function.*/\1/p')
    echo "ABI check passed: compatible with $BASELINE (${added:-0} function(s) added since;" \
         "refresh the baseline with $0 --update when the API is final)"
    exit 0
fi
cat "$report"
if [ "$soname_now" != "$soname_of_baseline" ]; then
    echo "ABI changed incompatibly, and the soname moved from $soname_of_baseline to" \
         "$soname_now: accepted. Regenerate the baseline: $0 --update"
    exit 0
fi
echo "ABI check FAILED: the change above breaks the ABI of $soname_now. Either keep the ABI" \
     "(docs/abi-policy.md) or bump s2f_soversion in meson.build in the same change and run" \
     "$0 --update." >&2
exit 1
