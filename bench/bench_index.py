#!/usr/bin/python3
"""Face index benchmark: libspeech2face's s2f_face_index against FAISS (IndexFlatIP on
normalised vectors = cosine) in the same process, same data, same number of cores.

usage: bench/bench_index.py [--lib build/lib/libspeech2face.so] [--quick] [--threads 1,2]

For T threads: FAISS runs with omp_set_num_threads(T) and OpenBLAS at T threads (its gemm is
where its batch time goes); libspeech2face runs with params.threads = T and OpenBLAS at 1 thread
(the library splits the gallery over its own workers, each calling a single-threaded gemm).
The bench, not the library, sets OpenBLAS's thread count. Reports single-query latency (median)
and batch-64 throughput (queries/s) at 100k×4096 and 1M×128, memory per vector per storage,
and the OpenBLAS core in use.
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings",
                                "python"))

import faiss  # noqa: E402

openblas = ctypes.CDLL("libopenblas.so.0")
openblas.openblas_get_corename.restype = ctypes.c_char_p
openblas.openblas_get_config.restype = ctypes.c_char_p


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def binding(lib_path):
    """The Python binding, loading the library at lib_path (it reads S2F_LIBRARY on import)."""
    os.environ["S2F_LIBRARY"] = os.path.abspath(lib_path)
    import speech2face
    return speech2face


def bench_size(s2f, n, d, threads, single_repeats, batch_repeats, k=10):
    rng = np.random.default_rng(n + d)
    gallery = rng.standard_normal((n, d), dtype=np.float32)
    gallery /= np.linalg.norm(gallery, axis=1, keepdims=True)
    queries = rng.standard_normal((64, d), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = np.arange(n, dtype=np.int64)

    fx = faiss.IndexFlatIP(d)
    fx.add(gallery)
    ours = s2f.FaceIndex(d, "cosine", "f32", threads=1)
    ours.add(ids, gallery)
    rows = []
    for t in threads:
        faiss.omp_set_num_threads(t)
        openblas.openblas_set_num_threads(t)
        f_single = timed(lambda: fx.search(queries[:1], k), single_repeats)
        f_batch = timed(lambda: fx.search(queries, k), batch_repeats)
        openblas.openblas_set_num_threads(1)
        ours.set_threads(t)
        o_single = timed(lambda: ours.search(queries[0], k), single_repeats)
        o_batch = timed(lambda: ours.search(queries, k), batch_repeats)
        # Same answers (ids; scores within 1e-5) on this data.
        f_s, f_i = fx.search(queries, k)
        o_s, o_i = ours.search(queries, k)
        agree = np.mean(o_i == f_i)
        max_err = float(np.abs(o_s - f_s).max())
        fs, os_ = statistics.median(f_single) * 1e3, statistics.median(o_single) * 1e3
        fb, ob = 64 / statistics.median(f_batch), 64 / statistics.median(o_batch)
        rows.append((n, d, t, fs, os_, fb, ob, agree, max_err))
        print(f"{n:>8}×{d:<5} T={t}  single: FAISS {fs:8.2f} ms  ours {os_:8.2f} ms  "
              f"(speed-up ×{fs / os_:.2f})   batch-64: FAISS {fb:9.1f} q/s  ours {ob:9.1f} q/s "
              f"(×{ob / fb:.2f})   ids agree {agree:.4f}, max |Δscore| {max_err:.1e}", flush=True)
    ours.close()
    del fx
    return rows


def memory_one(lib_path, storage, n=200_000, d=128):
    """RSS growth of a fresh process while one index takes n vectors (ids included)."""
    rng = np.random.default_rng(1)
    gallery = rng.standard_normal((n, d), dtype=np.float32)
    ids = np.arange(n, dtype=np.int64)
    s2f = binding(lib_path)
    before = rss_bytes()
    if storage == "faiss":
        index = faiss.IndexIDMap(faiss.IndexFlatIP(d))
        index.add_with_ids(gallery, ids)
    else:
        index = s2f.FaceIndex(d, "cosine", storage, threads=1)
        index.add(ids, gallery)
    print((rss_bytes() - before) / n)


def memory_per_vector(lib_path):
    import subprocess
    result = {}
    for storage in ("f32", "f16", "int8", "faiss"):
        out = subprocess.run([sys.executable, __file__, "--lib", lib_path, "--memory-one", storage],
                             check=True, capture_output=True, text=True).stdout
        result[storage] = float(out.strip().splitlines()[-1])
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                      "lib", "libspeech2face.so"))
    parser.add_argument("--quick", action="store_true", help="10× smaller galleries")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--memory-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_one:
        return memory_one(args.lib, args.memory_one)
    s2f = binding(args.lib)
    threads = [int(t) for t in args.threads.split(",")]
    scale = 10 if args.quick else 1
    print(f"OpenBLAS core: {openblas.openblas_get_corename().decode()}  "
          f"({openblas.openblas_get_config().decode()}); FAISS {faiss.__version__}; "
          f"{os.cpu_count()} CPUs")
    bench_size(s2f, 100_000 // scale, 4096, threads, single_repeats=15, batch_repeats=4)
    bench_size(s2f, 1_000_000 // scale, 128, threads, single_repeats=15, batch_repeats=4)
    print("memory per vector (D = 128, RSS growth while adding 200k vectors, ids included):")
    payload = dict(f32=512, f16=256, int8=128, faiss=512)
    for name, bytes_per in memory_per_vector(args.lib).items():
        label = "FAISS IndexIDMap(IndexFlatIP)" if name == "faiss" else f"s2f {name}"
        print(f"  {label:<30} {bytes_per:7.1f} B  (vector payload {payload[name]} B)")


if __name__ == "__main__":
    main()
