#!/usr/bin/env bash
# Runs a front end against the library INSTALLED into a scratch DESTDIR, found through
# pkg-config only (PKG_CONFIG_PATH + PKG_CONFIG_SYSROOT_DIR), as a user's build would find it:
#     run_installed.sh rust  BUILD_DIR SOURCE_DIR          cargo test --offline (bindings/rust)
#     run_installed.sh cpp   BUILD_DIR SOURCE_DIR          examples/cpp_consumer.cpp via c++
#     run_installed.sh cross BUILD_DIR SOURCE_DIR SAMPLES  C, Python and Rust features, bit-equal
# Exit 77 (skip) when the mode's toolchain (cargo + Debian's crates, c++, numpy) is missing.
set -euo pipefail
mode=$1
build_dir=$(cd "$2" && pwd)
source_dir=$(cd "$3" && pwd)
samples=${4:-}
fixture=$source_dir/tests/cli/data/voice_decoder.s2fm
face_model=$source_dir/models/face_encoder_faceapi.s2fm
[[ -f $face_model ]] || face_model=

need_cargo() {
    command -v cargo >/dev/null || { echo "SKIP: cargo is not installed"; exit 77; }
    [[ -d /usr/share/cargo/registry ]] && compgen -G '/usr/share/cargo/registry/pkg-config-*' >/dev/null ||
        { echo "SKIP: Debian's pkg-config crate is missing (apt-get install librust-pkg-config-dev)"; exit 77; }
}
case $mode in
    rust | cross) need_cargo ;;
    cpp) command -v c++ >/dev/null || { echo "SKIP: no C++ compiler"; exit 77; } ;;
    *) echo "usage: $0 rust|cpp|cross BUILD_DIR SOURCE_DIR [SAMPLES]"; exit 2 ;;
esac

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
meson install -C "$build_dir" --destdir "$scratch" --no-rebuild --quiet >/dev/null
pc_file=$(find "$scratch" -name speech2face.pc | head -n 1)
[[ -n $pc_file ]] || { echo "FAIL: speech2face.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc_file")
export PKG_CONFIG_SYSROOT_DIR=$scratch
libdir=$(pkg-config --variable=libdir speech2face)
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset S2F_LIBRARY

# The Rust workspace is built from a copy in the build directory (cargo writes Cargo.lock next
# to the manifest; the source tree stays clean). cp -a keeps mtimes, so rebuilds are incremental.
prepare_rust() {
    mkdir -p "$build_dir/bindings-rust"
    cp -a "$source_dir/bindings/rust/." "$build_dir/bindings-rust/"
    export CARGO_TARGET_DIR=$build_dir/cargo-target
    export S2F_TEST_MODEL=$fixture S2F_TEST_FACE_MODEL=$face_model
}

case $mode in
    rust)
        prepare_rust
        cd "$build_dir/bindings-rust"
        cargo test --offline
        ;;
    cpp)
        c++ -std=c++17 -Wall -Wextra -Werror "$source_dir/examples/cpp_consumer.cpp" \
            $(pkg-config --cflags --libs speech2face) -o "$scratch/cpp_consumer"
        "$scratch/cpp_consumer" "$fixture"
        echo "ok: examples/cpp_consumer.cpp built against the installed library via pkg-config"
        ;;
    cross)
        /usr/bin/python3 -c 'import numpy, soundfile' 2>/dev/null ||
            { echo "SKIP: /usr/bin/python3 lacks numpy or soundfile"; exit 77; }
        [[ -d $samples/Wav ]] || { echo "SKIP: $samples/Wav is absent"; exit 77; }
        prepare_rust
        (cd "$build_dir/bindings-rust" && cargo build --offline --quiet --example embed_raw)
        s2f_tool=$(find "$scratch" -type f -name s2f -perm -u+x | head -n 1)
        [[ -n $s2f_tool ]] || { echo "SKIP: the s2f tool was not built (no libsndfile/libpng/libjpeg)"; exit 77; }
        PYTHONPATH=$source_dir/bindings/python /usr/bin/python3 "$source_dir/tests/cli/cross_language.py" \
            --s2f "$s2f_tool" --rust "$CARGO_TARGET_DIR/debug/examples/embed_raw" \
            --model "$fixture" --samples "$samples" --scratch "$scratch"
        ;;
esac
