#!/usr/bin/env python3
"""Per-layer golden cases for the face decoder's lib/nn kernels, computed by PyTorch (the oracle):
transposed convolution (ConvTranspose2d semantics), sigmoid and the CHW -> NHWC reshape.

Each case is a folder of .npy files: config (int64), input (NHWC unless stated), parameters in
PyTorch layout, expected (NHWC). tests/nn/test_nn_decoder_layers.c replays them.

    /usr/bin/python3 tools/goldens/gen_nn_decoder_goldens.py --out tests/nn/data      # committed goldens
    /usr/bin/python3 tools/goldens/gen_nn_decoder_goldens.py --out /tmp/x --seed 99   # live oracle run
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F


def nhwc(t):
    return t.detach().squeeze(0).permute(1, 2, 0).contiguous().numpy()


def save(folder, **arrays):
    os.makedirs(folder, exist_ok=True)
    for name, value in arrays.items():
        np.save(os.path.join(folder, name + ".npy"), value)


def conv_transpose_case(root, name, rng, h, w, cin, cout, kernel, stride, padding, output_padding,
                        relu=False, affine=False, bias=True):
    kh, kw = kernel
    x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
    weight = (rng.standard_normal((cin, cout, kh, kw)) / np.sqrt(cin * kh * kw)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32) if bias else np.zeros(0, np.float32)
    y = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(weight),
                           torch.from_numpy(b) if bias else None, stride=stride, padding=padding,
                           output_padding=output_padding)
    scale = shift = np.zeros(0, np.float32)
    if relu:
        y = F.relu(y)
    if affine:
        scale = rng.uniform(-1.5, 1.5, cout).astype(np.float32)
        shift = rng.standard_normal(cout).astype(np.float32)
        y = y * torch.from_numpy(scale)[None, :, None, None] + torch.from_numpy(shift)[None, :, None, None]
    config = np.array([cin, cout, kh, kw, *stride, *padding, *output_padding, int(relu),
                       int(affine)], np.int64)
    save(os.path.join(root, "convtranspose_" + name), config=config,
         input=nhwc(torch.from_numpy(x)), weight=weight, bias=b, scale=scale, shift=shift,
         expected=nhwc(y))


def sigmoid_case(root, name, rng, count):
    x = rng.standard_normal(count).astype(np.float32) * 6
    x[:4] = [-100.0, 100.0, -88.0, 0.0]  # saturation, and expf overflow for large -x
    save(os.path.join(root, "sigmoid_" + name), input=x,
         expected=torch.sigmoid(torch.from_numpy(x)).numpy())


def chw_case(root, name, rng, c, h, w):
    """A Linear layer's output viewed as (C, H, W) by PyTorch, as the face decoder reshapes it."""
    flat = rng.standard_normal(c * h * w).astype(np.float32)
    image = torch.from_numpy(flat).view(1, c, h, w)
    save(os.path.join(root, "chw_" + name), config=np.array([c, h, w], np.int64), input=flat,
         expected=nhwc(image))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20170704)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    out = args.out
    # The decoder's upsampling: 5x5, stride 2, padding 2, output_padding 1 doubles the size.
    conv_transpose_case(out, "k5s2_double", rng, 7, 9, 6, 10, (5, 5), (2, 2), (2, 2), (1, 1),
                        relu=True)
    conv_transpose_case(out, "k5s2_double_odd", rng, 5, 3, 3, 5, (5, 5), (2, 2), (2, 2), (1, 1))
    conv_transpose_case(out, "k4s2_p1", rng, 6, 5, 7, 3, (4, 4), (2, 2), (1, 1), (0, 0),
                        relu=True, affine=True)
    conv_transpose_case(out, "k3s1_p1", rng, 8, 7, 9, 13, (3, 3), (1, 1), (1, 1), (0, 0))
    # Kernel smaller than the stride: some output pixels receive nothing but the bias.
    conv_transpose_case(out, "k2s3_gaps", rng, 4, 5, 2, 3, (2, 2), (3, 3), (0, 0), (2, 2))
    conv_transpose_case(out, "k5x3_s2x1_asym", rng, 6, 7, 4, 11, (5, 3), (2, 1), (2, 1), (1, 0),
                        relu=True)
    conv_transpose_case(out, "k1s1_pointwise", rng, 5, 6, 12, 7, (1, 1), (1, 1), (0, 0), (0, 0))
    conv_transpose_case(out, "k5s2_nopad", rng, 3, 4, 5, 9, (5, 5), (2, 2), (0, 0), (0, 0),
                        bias=False)
    conv_transpose_case(out, "k5s2_wide", rng, 2, 31, 17, 6, (5, 5), (2, 2), (2, 2), (1, 1),
                        relu=True)
    sigmoid_case(out, "mixed", rng, 1001)
    chw_case(out, "texture", rng, 6, 7, 5)


if __name__ == "__main__":
    main()
