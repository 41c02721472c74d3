#!/usr/bin/env bash
# Live oracle for the face decoder: the PyTorch reference (tools/reference/face_decoder.py, warped
# by tools/warp_ref.py) gets fresh random weights and features under a new seed, records every
# intermediate stage, and our decoder must match it on each configuration.
# Usage: live_oracle.sh TEST_BINARY GENERATOR. Skips (77) without torch.
set -euo pipefail
test_binary=$1 generator=$2
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || { echo "torch not importable: skip"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
seed=${S2F_ORACLE_SEED:-$RANDOM}
echo "seed $seed"
for config in small small-k4; do
    /usr/bin/python3 "$generator" --out "$scratch/$config" --config "$config" --batch 3 \
        --taps all --seed "$seed"
done
"$test_binary" "$scratch"
