#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR, then builds examples/minimal.c the way a user would:
# with nothing but `pkg-config --cflags --libs speech2face`. Also checks the installed .so's exports.
set -euo pipefail
build_dir=$1
source_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

meson install -C "$build_dir" --destdir "$scratch" --no-rebuild --quiet >/dev/null
pc_file=$(find "$scratch" -name speech2face.pc | head -n 1)
[[ -n $pc_file ]] || { echo "FAIL: speech2face.pc was not installed"; exit 1; }

export PKG_CONFIG_PATH=$(dirname "$pc_file")
export PKG_CONFIG_SYSROOT_DIR=$scratch
flags=$(pkg-config --cflags --libs speech2face)
echo "pkg-config: $flags"
cc -std=c99 -Wall -Werror "$source_dir/examples/minimal.c" $flags -o "$scratch/minimal"

installed_lib=$(find "$scratch" -name 'libspeech2face.so.*.*' | head -n 1)
LD_LIBRARY_PATH=$(dirname "$installed_lib") "$scratch/minimal"
"$source_dir/tests/check_exports.sh" "$installed_lib" "$source_dir/include/speech2face.h"
[[ -f $scratch/$(pkg-config --variable=includedir speech2face | sed "s|^$scratch||")/speech2face.h ]] ||
    { echo "FAIL: header not installed"; exit 1; }
echo "ok: installed library builds and runs examples/minimal.c via pkg-config"
