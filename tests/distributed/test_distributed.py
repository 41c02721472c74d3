#!/usr/bin/python3
"""speech2face.distributed on a LocalCluster of 2 worker processes over 127.0.0.1 (issue 24):

1. embedding 20 real clips gives features bit-identical to `s2f embed --npy` on the same files,
   and a bad file among them is reported in the errors table without failing the job;
2. a rerun skips every finished partition;
3. a worker killed (SIGKILL) in the middle of a job loses nothing: the result equals the
   undisturbed one;
5. `python3 -m speech2face.distributed --scheduler ADDR embed / gallery-build / search` work
   against the cluster's address, and embed exits 3 when a file fails;
4. a sharded gallery (4 shards) answers as one index holding every vector (the same ids; for a
   single query the same scores bit for bit, for a batch within float rounding), also after the
   worker holding a shard is killed.

    test_distributed.py --s2f BUILD/examples/s2f/s2f --library BUILD/lib/libspeech2face.so \
        --source SOURCE_DIR --samples ../shared/data/s2f-samples/avspeech

Exit 77 when dask/distributed, numpy or the clips are missing.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def kill_one_worker_when(client, condition, timeout=120):
    """SIGKILLs one worker process (its nanny restarts it) as soon as condition() holds."""
    def killer():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not condition():
            time.sleep(0.05)
        pids = client.run(os.getpid)
        address = sorted(pids)[0]
        os.kill(pids[address], signal.SIGKILL)
        killed.append(address)
    killed = []
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    return thread, killed


def main():
    parser = argparse.ArgumentParser()
    for name in ("--s2f", "--library", "--source", "--samples"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    try:
        import numpy as np
        import distributed  # noqa: F401
    except ImportError as error:
        print(f"SKIP: {error}")
        return 77
    wav_dir = os.path.join(args.samples, "Wav")
    if not os.path.isdir(wav_dir):
        print(f"SKIP: no clips at {wav_dir}")
        return 77
    os.environ["S2F_LIBRARY"] = os.path.abspath(args.library)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    sys.path.insert(0, os.path.join(args.source, "bindings", "python"))
    # The workers are new processes: they find the package and the library the same way.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(args.source, "bindings", "python"), os.environ.get("PYTHONPATH", "")])
    import speech2face as s2f
    from speech2face import distributed as s2fd
    from distributed import Client, LocalCluster

    model = os.path.join(args.source, "models", "default.s2fm")
    clips = [os.path.join(wav_dir, f) for f in sorted(os.listdir(wav_dir))[:20]]
    with tempfile.TemporaryDirectory(prefix="s2f-dask-") as tmp:
        bad = os.path.join(tmp, "not-audio.wav")
        with open(bad, "wb") as f:
            f.write(b"RIFF junk, not a WAV file")
        cli_npy = os.path.join(tmp, "cli.npy")
        subprocess.run([args.s2f, "embed", "-q", "--npy", cli_npy, "-m", model, *clips],
                       check=True)
        expected = np.load(cli_npy)

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               env={"OPENBLAS_NUM_THREADS": "1",
                                    "PYTHONPATH": os.environ["PYTHONPATH"],
                                    "S2F_LIBRARY": os.environ["S2F_LIBRARY"]})
        client = Client(cluster)
        try:
            # 1. bit-identical to the CLI; the bad file is reported, not fatal
            out = os.path.join(tmp, "voices")
            inputs = clips[:7] + [bad] + clips[7:]
            summary = s2fd.embed_corpus(inputs, out, model=model, scheduler=client,
                                        partition_size=4, progress=False)
            features, ids, paths, errors = s2fd.load_embeddings(out)
            check(summary["rows"] == 20 and summary["errors"] == 1 and summary["parts"] == 6,
                  f"embed_corpus: 20 rows, 1 error, 6 partitions ({summary})")
            check(np.array_equal(features, expected),
                  "20 clips embedded on 2 workers are bit-identical to `s2f embed --npy`")
            check(paths == [os.path.abspath(c) for c in clips] and
                  ids.tolist() == list(range(7)) + list(range(8, 21)),
                  "the id/path table lists the inputs in order, ids = positions in the list")
            check(len(errors) == 1 and errors[0][:2] == (7, bad) and errors[0][2],
                  f"the bad file is in the errors table with its message ({errors})")

            # 2. restartable
            again = s2fd.embed_corpus(inputs, out, model=model, scheduler=client,
                                      partition_size=4, progress=False)
            check(again["skipped"] == again["parts"] == 6, f"a rerun skips all 6 ({again})")
            try:
                s2fd.embed_corpus(clips[:3], out, model=model, scheduler=client,
                                  progress=False)
                check(False, "another corpus into the same directory is refused")
            except ValueError:
                check(True, "another corpus into the same directory is refused")

            # 3. a worker killed mid-job loses nothing
            out = os.path.join(tmp, "voices-killed")
            thread, killed = kill_one_worker_when(
                client, lambda: os.path.exists(os.path.join(out, "part-00001.tsv")))
            summary = s2fd.embed_corpus(clips, out, model=model, scheduler=client,
                                        partition_size=2, progress=False)
            thread.join()
            features, _, _, errors = s2fd.load_embeddings(out)
            check(bool(killed) and summary["rows"] == 20 and not errors and
                  np.array_equal(features, expected),
                  f"a worker SIGKILLed mid-job ({killed}): all 20 features, identical")
            client.wait_for_workers(2, timeout=60)

            # 4. sharded search = one index, also after losing a shard's worker
            rng = np.random.default_rng(24)
            gallery = rng.standard_normal((20000, 128), dtype=np.float32)
            gallery_ids = rng.choice(10**9, 20000, replace=False).astype(np.int64)
            queries = rng.standard_normal((32, 128), dtype=np.float32)
            sharded = s2fd.ShardedGallery.build(client, gallery, gallery_ids,
                                                os.path.join(tmp, "gallery"), 4)
            with s2f.FaceIndex(128, "cosine", "f32") as single:
                single.add(gallery_ids, gallery)
                want_scores, want_ids = single.search(queries, 10)
                one_scores, one_ids = single.search(queries[0], 10)
            got_scores, got_ids = sharded.search(queries, 10)
            # A batch's GEMM sums in an order set by the gallery's size: the last bit may differ.
            close = np.allclose(got_scores, want_scores, rtol=0, atol=4e-7)
            check(len(sharded) == 20000 and np.array_equal(got_ids, want_ids) and close,
                  "4 shards answer a batch of 32 queries as one index: the same ids, scores "
                  f"within 4e-7 (max |Δ| {np.abs(got_scores - want_scores).max():.1e})")
            got_scores, got_ids = sharded.search(queries[0], 10)
            check(np.array_equal(got_ids, one_ids) and np.array_equal(got_scores, one_scores),
                  "a single (D,) query: ids and scores bit-identical to one index's")
            # 5. the command line against the same cluster's address
            env = dict(os.environ)
            cli = [sys.executable, "-m", "speech2face.distributed", "--scheduler",
                   cluster.scheduler_address]
            out = os.path.join(tmp, "cli-voices")
            result = subprocess.run(cli + ["embed", out, "-m", model, "-q", *clips[:4]],
                                    env=env, capture_output=True, text=True)
            features, _, _, _ = s2fd.load_embeddings(out) if result.returncode == 0 else (
                None, None, None, None)
            check(result.returncode == 0 and np.array_equal(features, expected[:4]),
                  f"python3 -m speech2face.distributed --scheduler ADDR embed: the CLI's "
                  f"features ({result.stderr.strip()[-200:]})")
            result = subprocess.run(cli + ["embed", os.path.join(tmp, "cli-bad"), "-m", model,
                                           "-q", bad], env=env, capture_output=True, text=True)
            check(result.returncode == 3, f"embed with a bad file exits 3 ({result.returncode})")
            np.save(os.path.join(tmp, "queries.npy"), expected[:2])
            result = subprocess.run(cli + ["gallery-build", out, os.path.join(tmp, "cli-gallery"),
                                           "--shards", "2"], env=env, capture_output=True,
                                    text=True)
            result = subprocess.run(cli + ["search", os.path.join(tmp, "cli-gallery"),
                                           os.path.join(tmp, "queries.npy"), "-k", "1"],
                                    env=env, capture_output=True, text=True)
            lines = result.stdout.strip().splitlines()
            check(result.returncode == 0 and len(lines) == 2 and
                  [json.loads(line)["ids"] for line in lines] == [[0], [1]],
                  f"gallery-build + search: each clip finds itself ({result.stderr.strip()[-200:]})")

            thread, killed = kill_one_worker_when(client, lambda: True)
            thread.join()
            time.sleep(1.0)
            got_scores, got_ids = sharded.search(queries[0], 10)
            check(np.array_equal(got_ids, one_ids) and np.array_equal(got_scores, one_scores),
                  f"after SIGKILL of {killed}: shards reload from their files, same answers")
        finally:
            client.close()
            cluster.close()
    print(f"{len(failures)} failure(s)" if failures else "all distributed checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
