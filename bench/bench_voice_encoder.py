#!/usr/bin/env python3
"""Voice encoder speed and memory: libspeech2face vs PyTorch, same weights, same input, one run.

    /usr/bin/python3 bench/bench_voice_encoder.py --build build [--config paper] [--repeats 5]

Generates a seeded random model of the chosen config with tools/gen_voice_goldens.py (our
container + a real 6 s spectrogram), then for 1 and 2 threads interleaves: our C driver
(bench/voice_encoder_bench.c, OPENBLAS_NUM_THREADS=n) and PyTorch (torch.set_num_threads(n),
inference mode). Medians after a warm-up. Prints a markdown table.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from gen_voice_goldens import CONFIGS  # noqa: E402
from reference.voice_encoder import VoiceEncoder, randomize_  # noqa: E402


def openblas_core():
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except OSError:
        return "unknown"


def run_ours(binary, model, inputs, threads, repeats, batch):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run([binary, model, inputs, str(repeats), str(batch)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def run_torch(model, spectrogram, threads, repeats, batch):
    torch.set_num_threads(threads)
    x = torch.from_numpy(np.repeat(spectrogram[:1], batch, axis=0))
    times = []
    with torch.inference_mode():
        model(x)  # warm-up
        for _ in range(repeats):
            t0 = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--config", default="paper", choices=sorted(CONFIGS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    binary = os.path.join(args.build, "bench", "voice_encoder_bench")
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_voice_goldens.py"),
                        "--out", scratch, "--config", args.config, "--frames", "598", "--offset",
                        "0", "--seed", str(args.seed)], check=True)
        model_path, input_path = os.path.join(scratch, "model.s2fm"), os.path.join(scratch, "input.npy")
        spectrogram = np.load(input_path)
        reference = randomize_(VoiceEncoder(CONFIGS[args.config]),
                               torch.Generator().manual_seed(args.seed))
        params = sum(p.numel() for p in reference.parameters())
        print(f"# voice encoder '{args.config}' ({params / 1e6:.1f} M parameters), 598 frames (6 s), "
              f"OpenBLAS core {openblas_core()}, torch {torch.__version__}, {os.cpu_count()} CPUs\n")
        print("| batch | threads | ours ms | PyTorch ms | ours / PyTorch | ours anon RSS (MB) |")
        print("|---|---|---|---|---|---|")
        for batch in [int(b) for b in args.batches.split(",")]:
            for threads in (1, 2):
                ours = run_ours(binary, model_path, input_path, threads, args.repeats, batch)
                theirs = run_torch(reference, spectrogram, threads, args.repeats, batch)
                print(f"| {batch} | {threads} | {ours['median_ms']:.0f} | {theirs:.0f} | "
                      f"{ours['median_ms'] / theirs:.2f} | "
                      f"{ours['rss_anon_kb_forward'] / 1024:.0f} |", flush=True)


if __name__ == "__main__":
    main()
