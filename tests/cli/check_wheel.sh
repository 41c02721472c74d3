#!/usr/bin/env bash
# `pip install .` as a user does it, offline with Debian's pip and meson-python: builds the wheel
# from SOURCE_DIR, installs it into a fresh venv with --no-index, and runs the binding tests
# against the INSTALLED package (no PYTHONPATH, no S2F_LIBRARY: the wheel's bundled library and
# model must be found on their own).       check_wheel.sh PYTHON SOURCE_DIR SAMPLES
# Exit 77 (skip) without meson-python, venv, pytest or numpy.
set -euo pipefail
python=$1
source_dir=$(cd "$2" && pwd)
samples=$3
"$python" -c 'import mesonpy, venv, pytest, numpy' 2>/dev/null ||
    { echo "SKIP: $python lacks meson-python, venv, pytest or numpy (apt-get install python3-mesonpy python3-venv python3-pytest python3-numpy)"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
unset S2F_LIBRARY PYTHONPATH S2F_MODEL
"$python" -m pip wheel --no-build-isolation --no-index --no-deps -w "$scratch/wheels" "$source_dir" \
    >"$scratch/build.log" 2>&1 || { cat "$scratch/build.log"; exit 1; }
wheel=$(ls "$scratch"/wheels/speech2face-*.whl)
echo "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"
# --system-site-packages: numpy and pytest come from Debian, as a user's would
"$python" -m venv --system-site-packages "$scratch/venv"
"$scratch/venv/bin/pip" install --no-index --quiet "$wheel"
cd "$scratch"  # nothing of the source tree on sys.path
S2F_EXPECT_INSTALLED=1 S2F_SOURCE_ROOT=$source_dir S2F_SAMPLES=$samples PYTHONDONTWRITEBYTECODE=1 \
    "$scratch/venv/bin/python" -m pytest -q -p no:cacheprovider "$source_dir/bindings/python/tests"
