#!/usr/bin/python3
"""The same face feature from C (the installed s2f tool), Python (the ctypes bindings, which find
the installed library through pkg-config) and Rust (the safe crate's embed_raw example), for the
same real clips: bit-identical, or exit 1. Run by tests/cli/run_installed.sh cross."""
import argparse
import os
import subprocess
import sys

import numpy as np
import soundfile

import speech2face as s2f


def main():
    parser = argparse.ArgumentParser()
    for name in ("--s2f", "--rust", "--model", "--samples", "--scratch"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    clips = sorted(os.listdir(os.path.join(args.samples, "Wav")))[:3]
    paths = [os.path.join(args.samples, "Wav", clip) for clip in clips]
    npy = os.path.join(args.scratch, "c.npy")
    subprocess.run([args.s2f, "embed", "--model", args.model, "--npy", npy, *paths], check=True)
    from_c = np.load(npy)
    failures = 0
    with s2f.Model(args.model) as model, s2f.VoiceEncoder(model) as encoder:
        for row, path in enumerate(paths):
            samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
            pcm = s2f.downmix(samples) if samples.shape[1] > 1 else samples[:, 0].copy()
            from_python = encoder.encode_pcm(pcm, rate)
            raw_pcm = os.path.join(args.scratch, "pcm.f32")
            raw_feature = os.path.join(args.scratch, "rust.f32")
            pcm.astype("<f4").tofile(raw_pcm)
            subprocess.run([args.rust, args.model, raw_pcm, str(rate), raw_feature], check=True)
            from_rust = np.fromfile(raw_feature, dtype="<f4")
            same = (from_c[row].tobytes() == from_python.tobytes() == from_rust.tobytes())
            print(f"{os.path.basename(path)}: {from_c.shape[1]}-D, C == Python == Rust "
                  f"bit for bit: {same} (max |C - Python| {np.abs(from_c[row] - from_python).max():.3g}, "
                  f"max |C - Rust| {np.abs(from_c[row] - from_rust).max():.3g})")
            failures += not same
    print(f"library: {s2f._lib.lib._name}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
