#!/usr/bin/python3
"""Converts a VGG-16 / VGG-Face state_dict (torchvision layout) into our container.

    /usr/bin/python3 tools/convert/convert_vgg16.py STATE_DICT.pt OUT.s2fm [--fc-count 2] [--output-relu]
        [--mean R G B] [--scale S] [--input-size 224] [--provenance TEXT]

The state_dict must use torchvision's VGG names: "features.<i>.weight/bias" for the 13 3×3
convolutions (module indices 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28 in VGG-16) and
"classifier.<0|3|6>.weight/bias" for fc6, fc7, fc8. VGG-Face weights converted to that layout
(e.g. from the Oxford VGG release) work unchanged. The face feature is fc7 (--fc-count 2, the
Speech2Face paper's 4096-D feature); fc8 (the identity classifier) is dropped unless
--fc-count 3. Defaults follow VGG-Face: RGB mean (129.1863, 104.7624, 93.5940) subtracted from
0..255 pixels, scale 1, 224×224 input. The layer list is inferred from the state_dict, so VGG-11/13/19
and narrower variants convert too.

As a library: `vgg16_parts(state_dict, ...)` returns (metadata, tensors) under "face_encoder.".
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference import s2f_model  # noqa: E402

PREFIX = "face_encoder."
VGG_FACE_MEAN = [129.1863, 104.7624, 93.5940]
VGG16_LAYERS = [64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1]


def layers_from_state_dict(state_dict):
    """The vgg_layers list (-1 = 2×2 max-pool) from torchvision's module indices: each conv is
    followed by a ReLU (2 modules); an index gap of 3 means a pool sat between two convs."""
    convs = sorted(int(m.group(1)) for k in state_dict
                   if (m := re.fullmatch(r"features\.(\d+)\.weight", k)))
    layers, expected = [], 0
    for index in convs:
        while expected < index:
            layers.append(-1)
            expected += 1
        layers.append(int(state_dict[f"features.{index}.weight"].shape[0]))
        expected = index + 2
    layers.append(-1)  # the final pool before the classifier
    return layers


def vgg16_parts(state_dict, input_size=224, fc_count=2, output_relu=False, mean=None, scale=1.0,
                provenance="converted from a torchvision-style VGG state_dict"):
    sd = {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v, np.float32)
          for k, v in state_dict.items()}
    layers = layers_from_state_dict(sd)
    tensors = {}
    module = 0
    for v in layers:
        if v < 0:
            module += 1
            continue
        for part in ("weight", "bias"):
            tensors[f"{PREFIX}features.{module}.{part}"] = np.ascontiguousarray(
                sd[f"features.{module}.{part}"])
        module += 2
    fc_dims = []
    for j in range(fc_count):
        for part in ("weight", "bias"):
            tensors[f"{PREFIX}classifier.{3 * j}.{part}"] = np.ascontiguousarray(
                sd[f"classifier.{3 * j}.{part}"])
        fc_dims.append(int(sd[f"classifier.{3 * j}.weight"].shape[0]))
    metadata = {
        PREFIX + "architecture": "vgg16",
        PREFIX + "input_size": int(input_size),
        PREFIX + "input_mean": [float(m) for m in (mean or VGG_FACE_MEAN)],
        PREFIX + "input_scale": float(scale),
        PREFIX + "resize": "bilinear_antialias",
        PREFIX + "pad_to_square": 1,
        PREFIX + "vgg_layers": layers,
        PREFIX + "fc_dims": fc_dims,
        PREFIX + "output_relu": int(bool(output_relu)),
        PREFIX + "feature_dim": fc_dims[-1],
        PREFIX + "provenance": provenance,
    }
    return metadata, tensors


def main():
    import torch
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("state_dict")
    parser.add_argument("output")
    parser.add_argument("--fc-count", type=int, default=2)
    parser.add_argument("--output-relu", action="store_true")
    parser.add_argument("--mean", type=float, nargs=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--input-size", type=int, default=224)
    parser.add_argument("--provenance", default="converted from a torchvision-style VGG state_dict")
    args = parser.parse_args()
    state_dict = torch.load(args.state_dict, map_location="cpu")
    metadata, tensors = vgg16_parts(state_dict, args.input_size, args.fc_count, args.output_relu,
                                    args.mean, args.scale, args.provenance)
    metadata["general.architecture"] = "face-encoder"
    metadata["general.provenance"] = args.provenance
    s2f_model.write_model(args.output, metadata, tensors)


if __name__ == "__main__":
    main()
