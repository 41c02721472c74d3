#!/usr/bin/python3
"""speech2face.distributed against one process, in one run (issue 24; docs/scaling.md):

1. Corpus embedding: every shared clip (voice) and every shared face photo (Face_ori), by the
   single-process `s2f embed` / `s2f embed-face` (OPENBLAS_NUM_THREADS = the worker count, so
   both use every core) and by embed_corpus on a LocalCluster of W single-threaded worker
   processes over 127.0.0.1. Wall time of each, files per second, and how far the features are
   apart (voices: OpenBLAS's thread count alone moves them by ~1e-6, and they are bit-identical
   at equal threads, which tests/distributed checks; photos are decoded by Pillow on the workers
   and by libjpeg in s2f, so the cosine is reported).
2. Search: a synthetic N x 128 gallery (cosine, f32) in S shards held by the workers, against one
   in-process FaceIndex with W threads: single-query latency (median of 50) and batch-64
   throughput, plus the time to build the shards.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/bench_distributed.py [--workers 2] [--shards 4]
        [--gallery 1000000] [--build build] [--samples ../shared/data/s2f-samples/avspeech]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--gallery", type=int, default=1_000_000)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--samples", default=os.path.join(ROOT, "..", "shared", "data",
                                                          "s2f-samples", "avspeech"))
    parser.add_argument("--limit", type=int, default=0, help="first N files of each set only")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    library = os.path.join(args.build, "lib", "libspeech2face.so")
    os.environ["S2F_LIBRARY"] = os.path.abspath(library)
    os.environ["PYTHONPATH"] = os.path.join(ROOT, "bindings", "python")
    import speech2face as s2f
    from speech2face import distributed as s2fd
    from distributed import Client, LocalCluster

    s2f_tool = os.path.join(args.build, "examples", "s2f", "s2f")
    model = os.path.join(ROOT, "models", "default.s2fm")
    faces_model = os.path.join(ROOT, "models", "face_encoder_faceapi.s2fm")
    voices = sorted(os.path.join(args.samples, "Wav", f)
                    for f in os.listdir(os.path.join(args.samples, "Wav")))
    photos = sorted(os.path.join(args.samples, "Face_ori", f)
                    for f in os.listdir(os.path.join(args.samples, "Face_ori")))
    if args.limit:
        voices, photos = voices[:args.limit], photos[:args.limit]
    core = subprocess.run([sys.executable, "-c", "import ctypes; o = ctypes.CDLL("
                           "'libopenblas.so.0'); o.openblas_get_corename.restype = "
                           "ctypes.c_char_p; print(o.openblas_get_corename().decode())"],
                          capture_output=True, text=True).stdout.strip()
    report = {"cpus": os.cpu_count(), "openblas_core": core, "workers": args.workers}
    print(f"{os.cpu_count()} CPUs, OpenBLAS core {core}; LocalCluster of {args.workers} "
          "single-threaded worker processes over 127.0.0.1", flush=True)

    with tempfile.TemporaryDirectory(prefix="s2f-bench-dask-") as tmp:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.workers))
        cli_voices = os.path.join(tmp, "voices.npy")
        cli_faces = os.path.join(tmp, "faces.npy")
        t_cli_voice, _ = timed(lambda: subprocess.run(
            [s2f_tool, "embed", "-q", "--npy", cli_voices, "-m", model, *voices], env=env,
            check=True))
        t_cli_face, _ = timed(lambda: subprocess.run(
            [s2f_tool, "embed-face", "-q", "--npy", cli_faces, "-m", faces_model, *photos],
            env=env, check=True))
        t_start, cluster = timed(lambda: LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, env={"OPENBLAS_NUM_THREADS": "1",
                                         "PYTHONPATH": os.environ["PYTHONPATH"],
                                         "S2F_LIBRARY": os.environ["S2F_LIBRARY"]}))
        client = Client(cluster)
        try:
            t_dask_voice, _ = timed(lambda: s2fd.embed_corpus(
                voices, os.path.join(tmp, "dask-voices"), model=model, scheduler=client,
                progress=False))
            t_dask_face, _ = timed(lambda: s2fd.embed_corpus(
                photos, os.path.join(tmp, "dask-faces"), kind="face", model=faces_model,
                scheduler=client, progress=False))
            dask_voices = s2fd.load_embeddings(os.path.join(tmp, "dask-voices"))[0]
            dask_faces = s2fd.load_embeddings(os.path.join(tmp, "dask-faces"))[0]
            a, b = np.load(cli_faces), dask_faces
            face_cosine = float(np.min(np.sum(a * b, 1) / np.linalg.norm(a, axis=1)
                                       / np.linalg.norm(b, axis=1)))
            report["embedding"] = {
                "cluster_start_s": t_start,
                "voices": {"files": len(voices), "cli_s": t_cli_voice, "dask_s": t_dask_voice,
                           "max_abs_diff": float(np.abs(np.load(cli_voices) - dask_voices).max())},
                "faces": {"files": len(photos), "cli_s": t_cli_face, "dask_s": t_dask_face,
                          "min_cosine": face_cosine}}
            for name in ("voices", "faces"):
                row = report["embedding"][name]
                print(f"embed {row['files']} {name}: s2f (1 process, {args.workers} threads) "
                      f"{row['cli_s']:.1f} s = {row['files'] / row['cli_s']:.1f}/s; Dask "
                      f"{row['dask_s']:.1f} s = {row['files'] / row['dask_s']:.1f}/s "
                      f"(x{row['cli_s'] / row['dask_s']:.2f})", flush=True)
            print(f"  voices: max |Δ| {report['embedding']['voices']['max_abs_diff']:.1e} (1 against "
                  f"{args.workers} OpenBLAS threads; equal at equal threads, as the test checks); faces: "
                  f"min cosine {face_cosine:.6f}; cluster start {t_start:.1f} s", flush=True)

            rng = np.random.default_rng(2024)
            gallery = rng.standard_normal((args.gallery, 128), dtype=np.float32)
            ids = np.arange(args.gallery, dtype=np.int64)
            queries = rng.standard_normal((64, 128), dtype=np.float32)
            t_build, sharded = timed(lambda: s2fd.ShardedGallery.build(
                client, gallery, ids, os.path.join(tmp, "gallery"), args.shards))
            single = s2f.FaceIndex(128, "cosine", "f32", threads=args.workers)
            t_single_build, _ = timed(lambda: single.add(ids, gallery))
            rows = {}
            for name, search in (("one index", single.search), ("sharded", sharded.search)):
                search(queries[0], 10)  # warm-up
                latency = [timed(lambda q=q: search(q, 10))[0] for q in queries[:50]]
                batch = [timed(lambda: search(queries, 10))[0] for _ in range(5)]
                rows[name] = {"single_ms": statistics.median(latency) * 1e3,
                              "batch64_qps": 64 / statistics.median(batch)}
                print(f"search {args.gallery} x 128 ({name}): single query "
                      f"{rows[name]['single_ms']:.1f} ms, batch-64 "
                      f"{rows[name]['batch64_qps']:.0f} queries/s", flush=True)
            same = np.array_equal(sharded.search(queries, 10)[1], single.search(queries, 10)[1])
            report["search"] = {"gallery": args.gallery, "shards": args.shards,
                                "build_s": t_build, "one_index_add_s": t_single_build,
                                "same_ids": bool(same), **rows}
            print(f"  shards built in {t_build:.1f} s (one index: add {t_single_build:.1f} s); "
                  f"same ids: {same}", flush=True)
        finally:
            client.close()
            cluster.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
