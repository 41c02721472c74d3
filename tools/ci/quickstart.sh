#!/usr/bin/env bash
# The README's main command: installs the dependencies (apt), builds libspeech2face and the s2f
# tool in build/, and reconstructs a face from speech with the shipped default model.
#   bash tools/ci/quickstart.sh [VOICE_FILE [FACE.png]]
# Without arguments it uses a real clip from ../shared/data/s2f-samples (beside the checkout).
set -euo pipefail
# Paths the caller gives are relative to the caller's directory, not the repository's.
absolute() { case $1 in /*|-) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
voice=${1:+$(absolute "$1")}
output=${2:+$(absolute "$2")}
cd "$(dirname "$0")/../.."
voice=${voice:-../shared/data/s2f-samples/avspeech/Wav/-1nRm4tQL0A_024.760000-029.960000.flac}
output=${output:-face.png}

bash tools/ci/install-deps.sh >/dev/null
[[ -d build ]] || meson setup build >/dev/null
meson compile -C build >/dev/null

build/examples/s2f/s2f face "$voice" -o "$output" -m models/default.s2fm
echo "quickstart: wrote $output (the face predicted from $voice)"
