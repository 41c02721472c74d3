#!/usr/bin/env python3
"""A trained face decoder that exaggerates its input, as the paper's Face_exg images do: the
descriptor x is replaced by  m + gamma * (x - m),  m the training split's mean true-face
(Face_ori) descriptor, before decoding. Everything that sets a face apart from the average one
(gender, age, face shape, hair) is pushed further from it; gamma = 1 is the decoder as trained.

The map is affine, so it folds into the decoder's first layer exactly and the library, the
container format and the PyTorch reference stay as they are:
    W x' + b = (gamma W) x + (b + (1 - gamma) W m).

    /usr/bin/python3 tools/train/exaggerate_decoder.py --model build-train/face_decoder_d8.pt \
        --gamma 1.5 --out build-train/face_decoder_d8_x1.5.pt
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/: reference.*
from common import training_mean_descriptor  # noqa: E402


def exaggerate(checkpoint, gamma, mean):
    """A copy of `checkpoint` (train_face_decoder.py's dict) with the exaggeration folded in."""
    state = {name: tensor.clone() for name, tensor in checkpoint["state_dict"].items()}
    weight, bias = state["fc_dec.weight"].double(), state["fc_dec.bias"].double()
    m = torch.as_tensor(mean, dtype=torch.float64)
    state["fc_dec.bias"] = (bias + (1.0 - gamma) * (weight @ m)).float()
    state["fc_dec.weight"] = (gamma * weight).float()
    out = dict(checkpoint)
    out["state_dict"] = state
    out["exaggeration"] = {"gamma": gamma, "centre": "training-split mean Face_ori descriptor"}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="train_face_decoder.py checkpoint (.pt)")
    parser.add_argument("--gamma", type=float, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    checkpoint = torch.load(args.model)
    torch.save(exaggerate(checkpoint, args.gamma, training_mean_descriptor()), args.out)
    print(f"{args.out}: {args.model} with its input exaggerated by {args.gamma}")


if __name__ == "__main__":
    main()
