#!/usr/bin/env bash
# Live oracle for the face decoder: the PyTorch reference (tools/reference/face_decoder.py, warped
# by tools/reference/warp_ref.py) gets fresh random weights and features under a new seed, records every
# intermediate stage, and our decoder must match it on each configuration.
# With MODEL, the decoder is instead the one in that container (the shipped default model): the
# trained weights must match PyTorch as the random ones do.
# Usage: live_oracle.sh TEST_BINARY GENERATOR [MODEL]. Skips (77) without torch.
set -euo pipefail
test_binary=$1 generator=$2 model=${3:-}
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || { echo "torch not importable: skip"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
seed=${S2F_ORACLE_SEED:-$RANDOM}
echo "seed $seed"
if [[ -n $model ]]; then
    /usr/bin/python3 "$generator" --out "$scratch/shipped" --model "$model" --batch 4 --taps all \
        --seed "$seed"
else
    for config in small small-k4; do
        /usr/bin/python3 "$generator" --out "$scratch/$config" --config "$config" --batch 3 \
            --taps all --seed "$seed" --min-landmark-gap 0.5
    done
fi
"$test_binary" "$scratch"
