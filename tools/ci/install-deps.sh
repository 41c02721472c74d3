#!/usr/bin/env bash
# Installs everything libspeech2face needs to build, test and run its tools on Debian 12.
# Needs root (or sudo). Safe to re-run: apt skips what is already installed.
set -euo pipefail

packages=(
    # build
    build-essential meson ninja-build pkg-config cmake
    # library dependencies
    libopenblas-dev libsoxr-dev zlib1g-dev libkissfft-dev
    liblapacke-dev # only its lapack.h: LAPACK itself is inside OpenBLAS
    # tests
    libcmocka-dev binutils
    # reliability: fuzzing and sanitizer runtimes (clang 14), valgrind, the ABI gate
    clang libclang-rt-14-dev valgrind abigail-tools
    # command-line tool and examples: audio files in, PNG out
    libsndfile1-dev libpng-dev libjpeg-dev
    # Rust binding (offline, Debian's packaged crates) and its generated declarations
    cargo rustc librust-pkg-config-dev bindgen rustfmt
    # oracles and tooling (PyTorch/numpy references, FAISS, pytest); run with /usr/bin/python3
    python3 python3-numpy python3-torch python3-faiss python3-pytest python3-pil python3-soundfile
    # pip install . (pyproject.toml): meson-python, patchelf (meson-python rewrites the bundled
    # library's RUNPATH with it: without it the wheel fails to build), and a venv to test it in
    python3-pip python3-venv python3-mesonpy patchelf
    # speech2face.distributed (corpus embedding, sharded galleries)
    python3-dask python3-distributed
)

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "install-deps: need root or sudo to run apt-get" >&2
    exit 1
fi

# The original face-api (Node, tfjs wasm backend) is the face encoder's oracle and the attribute
# judge. Machines that already have Node and npm (e.g. from NodeSource, whose nodejs conflicts
# with Debian's npm package) keep theirs.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
