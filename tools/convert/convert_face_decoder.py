#!/usr/bin/env python3
"""Converts a PyTorch face decoder (tools/reference/face_decoder.py) into our model container.

As a library: `face_decoder_parts(model)` returns (metadata, tensors) for the "face_decoder."
component, to be merged with other components into one file by tools/s2f_model.write_model.
Tensors are state_dict() in PyTorch layout (Linear [out][in], ConvTranspose2d [in][out][k][k],
Conv2d [out][in][1][1]); the mean landmarks become the f32 array "face_decoder.mean_landmarks"
(L x 2 (x, y) pairs, flattened). docs/face-decoder.md lists every key and tensor.

From the command line, for users who trained the reference module themselves:
    /usr/bin/python3 tools/convert/convert_face_decoder.py STATE_DICT.pt CONFIG.json OUT.s2fm
CONFIG.json holds FaceDecoderConfig fields (missing ones take the paper's values).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference.face_decoder import FaceDecoder, FaceDecoderConfig  # noqa: E402
from convert.converter_cli import convert_main  # noqa: E402

PREFIX = "face_decoder."


def face_decoder_parts(model: FaceDecoder):
    metadata = {PREFIX + key: value for key, value in model.config.metadata().items()}
    metadata[PREFIX + "warp_regularization"] = float(model.config.warp_regularization)
    metadata[PREFIX + "landmark_hidden"] = [int(w) for w in model.config.landmark_hidden]
    tensors = {}
    for name, value in model.state_dict().items():
        array = value.detach().cpu().numpy().astype(np.float32)
        if name == "mean_landmarks":
            # Stored as floats even when they happen to be integers (write_model types by value).
            metadata[PREFIX + name] = np.ascontiguousarray(array.reshape(-1), np.float32)
            continue
        tensors[PREFIX + name] = array
    return metadata, tensors


def main():
    convert_main(__doc__.splitlines()[0], FaceDecoderConfig, FaceDecoder, face_decoder_parts)


if __name__ == "__main__":
    main()
