#!/usr/bin/env python3
"""Converts a PyTorch voice encoder (tools/reference/voice_encoder.py) into our model container.

As a library: `voice_encoder_parts(model)` returns (metadata, tensors) for the "voice_encoder."
component, to be merged with other components into one file by tools/s2f_model.write_model.

From the command line, for users who trained the reference module themselves:
    /usr/bin/python3 tools/convert/convert_voice_encoder.py STATE_DICT.pt CONFIG.json OUT.s2fm
CONFIG.json holds VoiceEncoderConfig fields (missing ones take the paper's values).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference.voice_encoder import VoiceEncoder, VoiceEncoderConfig  # noqa: E402
from convert.converter_cli import convert_main  # noqa: E402

PREFIX = "voice_encoder."


def voice_encoder_parts(model: VoiceEncoder):
    metadata = {PREFIX + key: value for key, value in model.config.metadata().items()}
    tensors = {}
    for name, value in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue  # training bookkeeping, not a weight
        tensors[PREFIX + name] = value.detach().cpu().numpy().astype(np.float32)
    return metadata, tensors


def main():
    convert_main(__doc__.splitlines()[0], VoiceEncoderConfig, VoiceEncoder, voice_encoder_parts)


if __name__ == "__main__":
    main()
