#!/usr/bin/env bash
# Live oracle for the voice encoder: PyTorch builds a model with fresh random weights, runs real
# spectrograms through it with every intermediate recorded, and our encoder must match.
# Usage: live_oracle.sh TEST_BINARY GENERATOR CONFIG FRAMES. Skips (77) without torch or data.
set -euo pipefail
test_binary=$1 generator=$2 config=$3 frames=$4
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || { echo "torch not importable: skip"; exit 77; }
data=$(dirname "$generator")/../../../shared/data/s2f-samples/avspeech
[[ -d $data/Wav ]] || { echo "no $data: skip"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
/usr/bin/python3 "$generator" --out "$scratch" --config "$config" --frames "$frames" --taps all \
    --seed "${S2F_ORACLE_SEED:-$RANDOM}" --offset 0
"$test_binary" "$scratch"
