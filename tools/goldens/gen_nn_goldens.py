#!/usr/bin/env python3
"""Per-layer golden cases for lib/nn, computed by PyTorch (the oracle).

Each case is a folder of .npy files: config (int64), input (NHWC), parameters in PyTorch
layout, expected (NHWC). tests/nn/test_nn_layers.c replays them through our kernels.

    /usr/bin/python3 tools/goldens/gen_nn_goldens.py --out tests/nn/data            # committed goldens
    /usr/bin/python3 tools/goldens/gen_nn_goldens.py --out /tmp/x --seed 99         # live oracle run
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F

PADDING_VALID, PADDING_SAME, PADDING_EXPLICIT = 0, 1, 2


def tf_same_padding(size, kernel, stride):
    """TensorFlow 'SAME': output ceil(size/stride), the extra padded pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def nhwc(t):
    return t.detach().squeeze(0).permute(1, 2, 0).contiguous().numpy()


def save(folder, **arrays):
    os.makedirs(folder, exist_ok=True)
    for name, value in arrays.items():
        np.save(os.path.join(folder, name + ".npy"), value)


def conv_case(root, name, rng, h, w, cin, cout, kh, kw, sh, sw, mode, explicit=(0, 0, 0, 0),
              relu=False, affine=False):
    x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
    weight = (rng.standard_normal((cout, cin, kh, kw)) / np.sqrt(cin * kh * kw)).astype(np.float32)
    bias = rng.standard_normal(cout).astype(np.float32)
    if mode == PADDING_SAME:
        top, bottom = tf_same_padding(h, kh, sh)
        left, right = tf_same_padding(w, kw, sw)
    elif mode == PADDING_EXPLICIT:
        top, bottom, left, right = explicit
    else:
        top = bottom = left = right = 0
    xt = F.pad(torch.from_numpy(x), (left, right, top, bottom))
    y = F.conv2d(xt, torch.from_numpy(weight), torch.from_numpy(bias), stride=(sh, sw))
    scale = shift = np.zeros(0, np.float32)
    if relu:
        y = F.relu(y)
    if affine:
        scale = rng.uniform(-1.5, 1.5, cout).astype(np.float32)
        shift = rng.standard_normal(cout).astype(np.float32)
        y = y * torch.from_numpy(scale)[None, :, None, None] + torch.from_numpy(shift)[None, :, None, None]
    config = np.array([cin, cout, kh, kw, sh, sw, mode, *explicit, int(relu), int(affine)], np.int64)
    save(os.path.join(root, "conv_" + name), config=config, input=nhwc(torch.from_numpy(x)),
         weight=weight, bias=bias, scale=scale, shift=shift, expected=nhwc(y))


def pool_case(root, name, rng, h, w, c, kh, kw, sh, sw):
    x = torch.from_numpy(rng.standard_normal((1, c, h, w)).astype(np.float32))
    y = F.max_pool2d(x, (kh, kw), (sh, sw))
    save(os.path.join(root, "pool_" + name), config=np.array([kh, kw, sh, sw], np.int64),
         input=nhwc(x), expected=nhwc(y))


def mean_case(root, name, rng, h, w, c):
    x = torch.from_numpy(rng.standard_normal((1, c, h, w)).astype(np.float32))
    y = x.mean(dim=2)  # over height (time) -> 1 x c x w
    save(os.path.join(root, "mean_" + name), input=nhwc(x),
         expected=y.squeeze(0).t().contiguous().numpy())  # width x channels


def dense_case(root, name, rng, batch, fin, fout, relu):
    x = torch.from_numpy(rng.standard_normal((batch, fin)).astype(np.float32))
    linear = torch.nn.Linear(fin, fout)
    with torch.no_grad():
        y = linear(x)
        if relu:
            y = F.relu(y)
    save(os.path.join(root, "dense_" + name), config=np.array([fin, fout, int(relu)], np.int64),
         input=x.numpy(), weight=linear.weight.detach().numpy(), bias=linear.bias.detach().numpy(),
         expected=y.numpy())


def batchnorm_case(root, name, rng, h, w, c, eps):
    bn = torch.nn.BatchNorm2d(c, eps=eps).eval()
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(rng.uniform(-2, 2, c).astype(np.float32)))
        bn.bias.copy_(torch.from_numpy(rng.standard_normal(c).astype(np.float32)))
        bn.running_mean.copy_(torch.from_numpy(rng.standard_normal(c).astype(np.float32)))
        bn.running_var.copy_(torch.from_numpy(rng.uniform(0.1, 3, c).astype(np.float32)))
        x = torch.from_numpy(rng.standard_normal((1, c, h, w)).astype(np.float32))
        y = bn(x)
    save(os.path.join(root, "batchnorm_" + name), config=np.array([c], np.int64),
         eps=np.array([eps], np.float64), input=nhwc(x),
         gamma=bn.weight.detach().numpy(), beta=bn.bias.detach().numpy(),
         mean=bn.running_mean.numpy(), var=bn.running_var.numpy(), expected=nhwc(y))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20190601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    out = args.out
    conv_case(out, "k4s1_same", rng, 13, 11, 2, 5, 4, 4, 1, 1, PADDING_SAME)
    conv_case(out, "k4s2_same_odd", rng, 15, 7, 6, 10, 4, 4, 2, 2, PADDING_SAME, relu=True, affine=True)
    conv_case(out, "k4s2_same_even", rng, 12, 9, 3, 7, 4, 4, 2, 2, PADDING_SAME)
    conv_case(out, "k4s1_valid", rng, 9, 10, 5, 6, 4, 4, 1, 1, PADDING_VALID, relu=True)
    conv_case(out, "k3s1_explicit", rng, 8, 7, 3, 4, 3, 3, 1, 1, PADDING_EXPLICIT, (1, 1, 1, 1))
    conv_case(out, "k5x3_s2x1_asym", rng, 11, 9, 4, 3, 5, 3, 2, 1, PADDING_EXPLICIT, (2, 1, 0, 1))
    conv_case(out, "k1s1_pointwise", rng, 6, 5, 9, 13, 1, 1, 1, 1, PADDING_VALID, relu=True, affine=True)
    conv_case(out, "k1s2", rng, 7, 6, 4, 3, 1, 1, 2, 2, PADDING_VALID)
    conv_case(out, "k4s1_same_wide", rng, 5, 33, 7, 9, 4, 4, 1, 1, PADDING_SAME, affine=True)
    pool_case(out, "2x1", rng, 7, 5, 3, 2, 1, 2, 1)
    pool_case(out, "3x2_s2", rng, 9, 8, 5, 3, 2, 2, 2)
    mean_case(out, "time", rng, 17, 6, 11)
    dense_case(out, "relu", rng, 3, 37, 19, True)
    dense_case(out, "linear_single", rng, 1, 64, 10, False)
    batchnorm_case(out, "eps1e-3", rng, 4, 5, 7, 1e-3)
    # Enough input channels for the Winograd path (nn/winograd.h): partial edge tiles (sides not
    # multiples of 4), TF-same, valid and asymmetric explicit padding. Appended last so the cases
    # above keep their random draws.
    conv_case(out, "k4s1_same_winograd", rng, 13, 11, 16, 24, 4, 4, 1, 1, PADDING_SAME, relu=True, affine=True)
    conv_case(out, "k4s1_valid_winograd", rng, 10, 9, 20, 8, 4, 4, 1, 1, PADDING_VALID)
    conv_case(out, "k4s1_explicit_winograd", rng, 6, 17, 32, 16, 4, 4, 1, 1, PADDING_EXPLICIT, (2, 0, 1, 3))
    # Stride-2 4×4 layers with enough channels run as Winograd after a polyphase split
    # (nn/conv2d.c): odd and even sides, each padding mode.
    conv_case(out, "k4s2_same_odd_winograd", rng, 15, 13, 16, 12, 4, 4, 2, 2, PADDING_SAME, relu=True, affine=True)
    conv_case(out, "k4s2_same_even_winograd", rng, 12, 18, 24, 8, 4, 4, 2, 2, PADDING_SAME)
    conv_case(out, "k4s2_valid_winograd", rng, 11, 14, 20, 10, 4, 4, 2, 2, PADDING_VALID)
    conv_case(out, "k4s2_explicit_winograd", rng, 9, 16, 16, 8, 4, 4, 2, 2, PADDING_EXPLICIT, (1, 2, 0, 3))
    # Few input channels and a multiple of 16 outputs: the small-depth kernel (nn/small_gemm.h),
    # with rows that are not multiples of its 6-pixel blocks. The first is the voice encoder's
    # first layer in miniature, the second a VGG-style RGB first layer.
    conv_case(out, "k4s1_same_small_depth", rng, 13, 11, 2, 32, 4, 4, 1, 1, PADDING_SAME, relu=True, affine=True)
    conv_case(out, "k3s2_explicit_small_depth", rng, 15, 17, 3, 16, 3, 3, 2, 2, PADDING_EXPLICIT, (1, 1, 1, 1), relu=True)
    conv_case(out, "k7x1_valid_small_depth", rng, 20, 5, 1, 48, 7, 1, 1, 1, PADDING_VALID)


if __name__ == "__main__":
    main()
