#!/usr/bin/env bash
# Installs the original face-api network and the tfjs WebAssembly runtime from the npm registry,
# for tools/convert/convert_face_api.py (weights) and tools/reference/faceapi_oracle.js (the reference descriptor).
#
#   tools/convert/fetch_face_api.sh [DEST]      (default: build-faceapi/, git-ignored)
#
# Prints the node_modules directory on stdout. Versions are pinned so descriptors are
# reproducible; pure JS + .wasm only (no tfjs-node, which would download a native binary).
# Needs node and npm (Debian: apt-get install nodejs npm).
set -euo pipefail

dest=${1:-build-faceapi}
mkdir -p "$dest"
if [[ ! -f "$dest/node_modules/@vladmandic/face-api/model/face_recognition_model.bin" ||
      ! -f "$dest/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm" ]]; then
    npm install --prefix "$dest" --no-audit --no-fund --ignore-scripts --no-save \
        @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 \
        @tensorflow/tfjs-backend-wasm@4.22.0 >&2
fi
cd "$dest/node_modules" && pwd
