#!/usr/bin/python3
"""Two builds of libspeech2face, side by side, in one run (issue 18: what the persistent worker
pool and the KissFFT STFT change): small calls, where a per-call thread start is a visible share
of the work, and large ones, which must not regress.

    /usr/bin/python3 bench/compare_builds.py BEFORE_DIR AFTER_DIR [--repeats 5] [--threads 2]

Each DIR holds that build's libspeech2face.so* and its bench drivers (voice_encoder_bench,
spectrogram_bench), e.g. a copy of build/lib and build/bench taken before a change. Rows:

* spectrogram of one 6 s clip (spectrogram_bench, 1 thread);
* voice encoder, batch 1, on a 2 s clip (200 frames) and a 6 s clip (598), at --threads
  (OPENBLAS_NUM_THREADS, which the encoder follows for its own workers too);
* voice encoder, 6 s clip, on one thread (issue 23: the Winograd products on the library's kernel);
* face encoder (face-api's ResNet), one 150 × 150 crop, at 1 and --threads threads (issue 23);
* face index, cosine f32, 128-D, single-query search, 1k, 10k and 100k faces, at --threads
  workers (1k is below the size at which a search splits over workers; 10k is the smallest
  that does)
  (through the Python binding, in a fresh process per build).

Builds alternate within every repeat (before, after, before, …) so that load on the machine hits
both alike; the table gives medians (ms) and after/before. The OpenBLAS core is printed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

INDEX_WORKER = r"""
import os, sys, time, statistics
import numpy as np
sys.path.insert(0, sys.argv[1])
os.environ["S2F_LIBRARY"] = sys.argv[2]  # read by the binding when imported
import speech2face as s2f
n, threads, repeats = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = np.random.default_rng(n)
gallery = rng.standard_normal((n, 128), dtype=np.float32)
queries = rng.standard_normal((64, 128), dtype=np.float32)
index = s2f.FaceIndex(128, "cosine", "f32", threads=threads)
index.add(np.arange(n, dtype=np.int64), gallery)
for q in queries[:8]:
    index.search(q, 10)  # warm-up: the pool's threads start here
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    for q in queries:
        index.search(q, 10)
    times.append((time.perf_counter() - t0) / len(queries) * 1e3)
print(statistics.median(times))
"""


def driver(directory, name, args, threads):
    env = dict(os.environ, LD_LIBRARY_PATH=directory, OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run([os.path.join(directory, name), *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median_ms"]


def index_search(directory, n, threads, repeats):
    library = [os.path.join(directory, f) for f in os.listdir(directory)
               if f.startswith("libspeech2face.so.") and f.count(".") == 4][0]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", INDEX_WORKER, os.path.join(ROOT, "bindings", "python"),
                          library,
                          str(n), str(threads), str(repeats)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="", help="rows whose name contains this text")
    args = parser.parse_args()
    model = os.path.join(ROOT, "models", "default.s2fm")
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        pcm = os.path.join(tmp, "pcm.npy")
        np.save(pcm, (rng.standard_normal(96000) * 0.1).astype(np.float32))
        crop = os.path.join(tmp, "crop.npy")
        np.save(crop, rng.integers(0, 256, (150, 150, 3)).astype(np.uint8))
        face_model = os.path.join(ROOT, "models", "face_encoder_faceapi.s2fm")
        specs = {}
        for frames in (200, 598):
            specs[frames] = os.path.join(tmp, f"spec{frames}.npy")
            np.save(specs[frames], (rng.standard_normal((1, frames, 257, 2)) * 0.3).astype(np.float32))
        rows = [
            ("spectrogram, 6 s clip (1 thread)",
             lambda d: driver(d, "spectrogram_bench", [pcm, "20"], 1)),
            (f"voice encoder, 2 s clip, batch 1 ({args.threads} threads)",
             lambda d: driver(d, "voice_encoder_bench", [model, specs[200], "20", "1"], args.threads)),
            (f"voice encoder, 6 s clip, batch 1 ({args.threads} threads)",
             lambda d: driver(d, "voice_encoder_bench", [model, specs[598], "10", "1"], args.threads)),
            ("voice encoder, 6 s clip, batch 1 (1 thread)",
             lambda d: driver(d, "voice_encoder_bench", [model, specs[598], "5", "1"], 1)),
            ("face encoder, one 150 × 150 crop (1 thread)",
             lambda d: driver(d, "face_encoder_bench", [face_model, crop, "100"], 1)),
            (f"face encoder, one 150 × 150 crop ({args.threads} threads)",
             lambda d: driver(d, "face_encoder_bench", [face_model, crop, "100"], args.threads)),
            (f"face index 1k × 128, one query ({args.threads} workers)",
             lambda d: index_search(d, 1000, args.threads, 20)),
            (f"face index 10k × 128, one query ({args.threads} workers)",
             lambda d: index_search(d, 10000, args.threads, 20)),
            (f"face index 100k × 128, one query ({args.threads} workers)",
             lambda d: index_search(d, 100000, args.threads, 5)),
        ]
        rows = [(name, run) for name, run in rows if args.only in name]
        results = {name: ([], []) for name, _ in rows}
        for _ in range(args.repeats):
            for name, run in rows:
                results[name][0].append(run(args.before))
                results[name][1].append(run(args.after))
    core = subprocess.run([sys.executable, "-c", "import ctypes; o = ctypes.CDLL('libopenblas.so.0'); "
                           "o.openblas_get_corename.restype = ctypes.c_char_p; "
                           "print(o.openblas_get_corename().decode())"],
                          capture_output=True, text=True).stdout.strip()
    print(f"OpenBLAS core: {core}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          f"medians of {args.repeats} alternating runs\n")
    print("| row | before (ms) | after (ms) | after / before |")
    print("|---|---|---|---|")
    for name, _ in rows:
        before, after = (statistics.median(v) for v in results[name])
        print(f"| {name} | {before:.3f} | {after:.3f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
