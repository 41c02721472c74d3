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

# Static: the archive, with its private dependencies from `pkg-config --static`; the program
# must not need libspeech2face.so at all.
archive=$(find "$scratch" -name libspeech2face.a | head -n 1)
[[ -n $archive ]] || { echo "FAIL: libspeech2face.a was not installed"; exit 1; }
static_flags=$(pkg-config --static --libs speech2face | sed 's/ *-lspeech2face\b//')
cc -std=c99 -Wall -Werror "$source_dir/examples/minimal.c" $(pkg-config --cflags speech2face) \
    "$archive" $static_flags -o "$scratch/minimal_static"
if ldd "$scratch/minimal_static" | grep -q libspeech2face; then
    echo "FAIL: the static consumer still needs libspeech2face.so"; exit 1
fi
"$scratch/minimal_static" >/dev/null
echo "ok: a static consumer links libspeech2face.a via pkg-config --static and runs"

# CMake: find_package(speech2face CONFIG) against the scratch prefix, shared and static targets.
if command -v cmake >/dev/null; then
    prefix_dir=$(dirname "$(dirname "$(dirname "$pc_file")")") # <prefix>/<libdir>/pkgconfig
    while [[ ! -d $prefix_dir/include ]] && [[ $prefix_dir != "$scratch" ]]; do
        prefix_dir=$(dirname "$prefix_dir")
    done
    # (The sysroot above is for reading the scratch .pc; the private dependencies are real.)
    env -u PKG_CONFIG_SYSROOT_DIR cmake -S "$source_dir/examples/cmake_consumer" \
        -B "$scratch/cmake-build" -DCMAKE_PREFIX_PATH="$prefix_dir" >/dev/null
    cmake --build "$scratch/cmake-build" >/dev/null
    LD_LIBRARY_PATH=$(dirname "$installed_lib") "$scratch/cmake-build/minimal_shared" >/dev/null
    "$scratch/cmake-build/minimal_static" >/dev/null
    echo "ok: a CMake consumer builds and runs against speech2face::speech2face and _static"
else
    echo "FAIL: cmake is missing (tools/ci/install-deps.sh installs it)"; exit 1
fi

# Manual pages: s2f(1) (with the tool) and speech2face(3), rendering without warnings.
for page in speech2face.3 $([[ -n $(find "$scratch" -path '*/bin/s2f') ]] && echo s2f.1); do
    file=$(find "$scratch" -name "$page" | head -n 1)
    [[ -n $file ]] || { echo "FAIL: man page $page was not installed"; exit 1; }
    if command -v man >/dev/null; then
        warnings=$(MANWIDTH=80 man --warnings -l "$file" 2>&1 >/dev/null)
        [[ -z $warnings ]] || { echo "FAIL: $page: $warnings"; exit 1; }
    fi
done
echo "ok: man pages installed"

# A build tree, uninstalled: its speech2face-uninstalled.pc points at the build's library and
# the source's include/ (pkg-config prefers *-uninstalled files on its path).
(
    unset PKG_CONFIG_SYSROOT_DIR
    export PKG_CONFIG_PATH=$build_dir/meson-uninstalled
    cc -std=c99 -Wall -Werror "$source_dir/examples/minimal.c" \
        $(pkg-config --cflags --libs speech2face) -o "$scratch/minimal_uninstalled"
    LD_LIBRARY_PATH=$build_dir/lib "$scratch/minimal_uninstalled" >/dev/null
)
echo "ok: the uninstalled .pc builds and runs examples/minimal.c against the build tree"

# The installed tool runs from wherever the install is, with no LD_LIBRARY_PATH (RUNPATH is
# $ORIGIN-relative) and no S2F_MODEL (the library finds share/speech2face/default.s2fm beside
# itself): move the whole prefix first, so that nothing can come from the configured one.
installed_tool=$(find "$scratch" -path '*/bin/s2f' -type f | head -n 1)
installed_model=$(find "$scratch" -name default.s2fm | head -n 1)
if [[ -n $installed_tool && -n $installed_model ]]; then
    prefix=${installed_tool%/bin/s2f}
    mv "$prefix" "$scratch/moved"
    python3 -c 'import math, struct, wave, sys
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(0.07 * i) * math.sin(0.0003 * i)))
                       for i in range(16000 * 3)))' "$scratch/voice.wav"
    env -u LD_LIBRARY_PATH -u S2F_MODEL OPENBLAS_NUM_THREADS=1 \
        "$scratch/moved/bin/s2f" face --force "$scratch/voice.wav" -o "$scratch/face.png"
    [[ -s $scratch/face.png ]] || { echo "FAIL: the installed s2f wrote no face"; exit 1; }
    echo "ok: the installed s2f, moved to another prefix, runs with its own library and model"
else
    echo "note: no s2f or no default model installed (examples off, or no model in the tree)"
fi
