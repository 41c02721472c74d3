#!/usr/bin/env bash
# Live oracle: regenerates layer cases with PyTorch under a fresh seed and replays them through
# our kernels. Skips (77) when PyTorch is not importable.
set -euo pipefail
test_binary=$1
generator=$2
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || { echo "torch not importable: skip"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
/usr/bin/python3 "$generator" --out "$scratch" --seed "${S2F_ORACLE_SEED:-$RANDOM}"
"$test_binary" "$scratch"
