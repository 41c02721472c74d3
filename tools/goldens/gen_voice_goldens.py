#!/usr/bin/env python3
"""Voice encoder goldens: seeded random weights (and BatchNorm statistics), real spectrograms in,
PyTorch's outputs (and, on request, every intermediate activation) out.

Writes into --out: model.s2fm (our container), input.npy (batch x frames x 257 x 2),
expected.npy (batch x feature_dim) and taps/<stage>.npy (NHWC, batch first) for --taps all.

    /usr/bin/python3 tools/goldens/gen_voice_goldens.py --out tests/voice/data --config small --frames 64
    /usr/bin/python3 tools/goldens/gen_voice_goldens.py --out /tmp/paper --config paper --frames 598 --taps all
"""
import argparse
import os
import sys

import numpy as np
import soundfile
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference.voice_encoder import VoiceEncoder, VoiceEncoderConfig, randomize_  # noqa: E402
from convert.convert_voice_encoder import voice_encoder_parts  # noqa: E402
from reference import s2f_model  # noqa: E402
from reference import spectrogram_ref  # noqa: E402

CONFIGS = {
    # Widths deliberately not multiples of 8; same depth, strides and pooling as the paper.
    "small": VoiceEncoderConfig(conv_channels=[6, 8, 12, 12, 16, 16, 20, 20, 16], fc_dims=[40, 24]),
    "small-valid": VoiceEncoderConfig(conv_channels=[6, 8, 12, 12, 16, 16, 20, 20, 16],
                                      fc_dims=[40, 24], padding="valid", bn_eps=1e-3),
    "paper": VoiceEncoderConfig(),
    "paper-valid": VoiceEncoderConfig(padding="valid"),
}

DEFAULT_CLIPS = ["---ZOY1kzAc_231.231000-234.467567", "-1nRm4tQL0A_024.760000-029.960000"]


def real_spectrograms(data_dir, frames, offset):
    """The paper's spectrogram of real clips, `frames` frames starting at `offset`."""
    batch = []
    for clip in DEFAULT_CLIPS:
        samples, rate = soundfile.read(os.path.join(data_dir, "Wav", clip + ".flac"), dtype="float32")
        assert rate == 16000, f"{clip}: {rate} Hz; the shared clips are 16 kHz"
        spec = spectrogram_ref.spectrogram(samples)
        batch.append(spec[offset:offset + frames])
    return np.stack(batch).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="small")
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--offset", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20190617)
    parser.add_argument("--taps", choices=["none", "all"], default="none")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", "..", "..", "shared", "data", "s2f-samples",
                                                       "avspeech"))
    args = parser.parse_args()

    generator = torch.Generator().manual_seed(args.seed)
    model = randomize_(VoiceEncoder(CONFIGS[args.config]), generator)
    metadata, tensors = voice_encoder_parts(model)
    metadata["general.architecture"] = "speech2face"
    metadata["general.provenance"] = (f"tools/goldens/gen_voice_goldens.py --config {args.config} "
                                      f"--seed {args.seed}: random weights for testing only")
    os.makedirs(args.out, exist_ok=True)
    s2f_model.write_model(os.path.join(args.out, "model.s2fm"), metadata, tensors)

    spectrograms = real_spectrograms(args.data, args.frames, args.offset)
    taps = {} if args.taps == "all" else None
    with torch.inference_mode():
        features = model(torch.from_numpy(spectrograms), taps)
    np.save(os.path.join(args.out, "input.npy"), spectrograms)
    np.save(os.path.join(args.out, "expected.npy"), features.numpy())
    if taps is not None:
        os.makedirs(os.path.join(args.out, "taps"), exist_ok=True)
        for name, value in taps.items():
            np.save(os.path.join(args.out, "taps", name + ".npy"), value.contiguous().numpy())


if __name__ == "__main__":
    main()
