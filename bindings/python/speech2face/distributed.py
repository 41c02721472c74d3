"""Beyond one machine, on Dask distributed: embed a corpus of voices or face photos, and search a
gallery split into shards that live on the workers.

The same code runs on a laptop (``LocalCluster``) and on a cluster (``dask-scheduler`` plus
``dask-worker`` on each host, or dask-jobqueue/Kubernetes): pass ``scheduler="tcp://host:8786"``
or a ``distributed.Client``. Workers need this package and the library (``pip install`` of the
wheel, or ``PYTHONPATH``/``S2F_LIBRARY``), and should run one thread of OpenBLAS each
(``OPENBLAS_NUM_THREADS=1 dask-worker --nthreads 1 ...``): the work is spread over processes.

Corpus embedding (``embed_corpus``) writes into OUT_DIR, one partition of files at a time:

- ``part-NNNNN.npy``: float32 (rows, D), the features of the partition's readable files;
- ``part-NNNNN.tsv``: ``id<TAB>path`` per row of the .npy (ids are positions in the input list);
- ``part-NNNNN.errors.tsv``: ``id<TAB>path<TAB>message`` per file that could not be embedded.

A partition's three files appear together (each is written to a temporary name and renamed, the
.tsv last), so a partition whose .tsv exists is finished, and a rerun skips it: killing the job
(or a worker) loses at most the partitions in flight, which Dask reschedules. ``corpus.json``
records the inputs; a rerun with another list into the same directory is refused.

Sharded galleries (``ShardedGallery``): S ``s2f_face_index`` files, each loaded by one worker (a
Dask actor). ``search(queries, k)`` asks every shard for its top k and merges the lists with
``s2f_topk_merge``: the ids one index holding every vector gives, and for a single query its
scores bit for bit (each shard runs ``s2f_face_index_search``, as ``s2f search`` does). A batch
runs each shard's batched (GEMM) path, whose sums are ordered by the shard's size, so its scores
can differ from one big index's batch in the last bit, as the library's own batch and single
paths do. A shard whose worker died is reloaded from its file on another worker and asked again.

Command line: ``python3 -m speech2face.distributed --help``.
"""
import argparse
import json
import os
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

VOICE, FACE = "voice", "face"

# One model (and handle) per worker process and (model, kind): loading is the slow part.
_HANDLES: Dict[Tuple[str, str], object] = {}


def _handle(model_path: Optional[str], kind: str):
    from . import FaceEncoder, Model, Pipeline
    key = (model_path or "", kind)
    if key not in _HANDLES:
        with (Model(model_path) if model_path else Model.default()) as model:
            _HANDLES[key] = Pipeline(model) if kind == VOICE else FaceEncoder(model)
    return _HANDLES[key]


def _embed_one(handle, kind: str, path: str, segments: bool) -> np.ndarray:
    if kind == VOICE:
        import soundfile
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
        return handle.encode(samples, rate, segments=segments)
    from PIL import Image
    with Image.open(path) as image:
        return handle.encode(np.asarray(image.convert("RGB")))


def _write_atomically(path: str, write) -> None:
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def _part_name(out_dir: str, part: int, suffix: str) -> str:
    return os.path.join(out_dir, f"part-{part:05d}{suffix}")


def embed_partition(out_dir: str, part: int, ids: Sequence[int], paths: Sequence[str], kind: str,
                    model_path: Optional[str], segments: bool = False) -> Dict[str, int]:
    """Embeds one partition on the calling process (what each Dask task runs) and writes its
    files. A file that cannot be read or has no speech goes to the errors table."""
    handle = _handle(model_path, kind)
    rows, table, errors = [], [], []
    for file_id, path in zip(ids, paths):
        try:
            rows.append(_embed_one(handle, kind, path, segments))
            table.append(f"{file_id}\t{path}\n")
        except Exception as error:  # noqa: BLE001 - any failure of one file is that file's
            message = " ".join(str(error).split()) or type(error).__name__
            errors.append(f"{file_id}\t{path}\t{message}\n")
    dim = handle.dim if kind == VOICE else handle.feature_dim
    features = np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)
    _write_atomically(_part_name(out_dir, part, ".npy"), lambda f: np.save(f, features))
    _write_atomically(_part_name(out_dir, part, ".errors.tsv"),
                      lambda f: f.write("".join(errors).encode()))
    _write_atomically(_part_name(out_dir, part, ".tsv"),
                      lambda f: f.write("".join(table).encode()))  # last: marks it finished
    return {"part": part, "rows": len(rows), "errors": len(errors)}


def _client(scheduler):
    """A distributed.Client: the one given, one connected to a scheduler address, or a new
    LocalCluster of one single-threaded worker process per core."""
    from distributed import Client, LocalCluster
    if scheduler is None:
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None,
                               env={"OPENBLAS_NUM_THREADS": "1"})
        return Client(cluster), cluster
    if isinstance(scheduler, str):
        return Client(scheduler), None
    return scheduler, None


class _Progress:
    """count/total, rate and time left on stderr when it is a terminal; quiet otherwise."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.total, self.label, self.done = total, label, 0
        self.enabled = enabled and sys.stderr.isatty() and total > 0
        self.started = time.monotonic()

    def step(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        sys.stderr.write(f"\r{self.label} {self.done}/{self.total} {rate:.1f}/s, "
                         f"{int(left) // 60}:{int(left) % 60:02d} left ")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def embed_corpus(paths: Sequence[str], out_dir: str, *, kind: str = VOICE,
                 model: Optional[str] = None, scheduler=None, partition_size: int = 32,
                 segments: bool = False, progress: bool = True) -> Dict[str, object]:
    """Embeds every file of `paths` (voices, or face photos with kind="face") on the cluster and
    writes the partitions described in the module docstring. `scheduler`: None (a LocalCluster),
    an address, or a Client. `model`: a container path every worker can read (default: each
    worker's Model.default()). Returns {"parts", "skipped", "rows", "errors"}; read the result
    with ``load_embeddings(out_dir)``."""
    if kind not in (VOICE, FACE):
        raise ValueError(f"kind must be {VOICE!r} or {FACE!r}")
    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    paths = [os.path.abspath(p) for p in paths]
    model = os.path.abspath(model) if model else None
    os.makedirs(out_dir, exist_ok=True)
    manifest = {"kind": kind, "model": model, "segments": segments,
                "partition_size": partition_size, "paths": paths}
    manifest_path = os.path.join(out_dir, "corpus.json")
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            if json.load(f) != manifest:
                raise ValueError(f"{out_dir} holds another corpus job (corpus.json differs): "
                                 "use a new directory")
    else:
        _write_atomically(manifest_path, lambda f: f.write(json.dumps(manifest).encode()))
    parts = [(p, list(range(s, min(s + partition_size, len(paths)))))
             for p, s in enumerate(range(0, len(paths), partition_size))]
    todo = [(p, ids) for p, ids in parts if not os.path.exists(_part_name(out_dir, p, ".tsv"))]
    client, cluster = _client(scheduler)
    bar = _Progress(sum(len(ids) for _, ids in todo), f"embedding ({kind})", progress)
    try:
        from distributed import as_completed
        futures = [client.submit(embed_partition, out_dir, p, ids, [paths[i] for i in ids], kind,
                                 model, segments, key=f"s2f-embed-{os.path.basename(out_dir)}-{p}",
                                 pure=False)
                   for p, ids in todo]
        for future in as_completed(futures):
            bar.step(len(parts[future.result()["part"]][1]))
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    # The counts come from the tables (one line per file), not from loading every feature.
    rows = errors = 0
    for part, _ in parts:
        rows += _line_count(_part_name(out_dir, part, ".tsv"))
        errors += _line_count(_part_name(out_dir, part, ".errors.tsv"))
    return {"parts": len(parts), "skipped": len(parts) - len(todo), "rows": rows,
            "errors": errors}


def _line_count(path: str) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def load_embeddings(out_dir: str) -> Tuple[np.ndarray, np.ndarray, List[str],
                                           List[Tuple[int, str, str]]]:
    """(features (n, D) float32, ids (n,) int64, paths, errors [(id, path, message)]) of a
    finished embed_corpus directory, in id order. Raises ValueError if a partition is missing."""
    with open(os.path.join(out_dir, "corpus.json")) as f:
        manifest = json.load(f)
    count = -(-len(manifest["paths"]) // manifest["partition_size"])
    blocks, ids, paths, errors = [], [], [], []
    for part in range(count):
        table = _part_name(out_dir, part, ".tsv")
        if not os.path.exists(table):
            raise ValueError(f"{out_dir}: partition {part} is not finished (rerun the job)")
        blocks.append(np.load(_part_name(out_dir, part, ".npy")))
        with open(table) as f:
            for line in f:
                file_id, path = line.rstrip("\n").split("\t", 1)
                ids.append(int(file_id))
                paths.append(path)
        with open(_part_name(out_dir, part, ".errors.tsv")) as f:
            for line in f:
                file_id, path, message = line.rstrip("\n").split("\t", 2)
                errors.append((int(file_id), path, message))
    dim = blocks[0].shape[1] if blocks else 0
    features = np.concatenate(blocks) if blocks else np.zeros((0, dim), np.float32)
    return features, np.array(ids, np.int64), paths, errors


class _Shard:
    """One shard of a gallery, held by one worker (a Dask actor)."""

    def __init__(self, path: str) -> None:
        from . import FaceIndex
        self.path = path
        self.index = FaceIndex.load(path)

    def search(self, queries: np.ndarray, k: int) -> Tuple[np.ndarray, np.ndarray]:
        scores, ids = self.index.search(queries, k)
        return scores, ids

    def size(self) -> int:
        return len(self.index)


def _save_shard(path: str, dim: int, metric: str, storage: str, ids: np.ndarray,
                vectors: np.ndarray) -> str:
    from . import FaceIndex
    with FaceIndex(dim, metric, storage, threads=1) as index:
        index.add(ids, vectors)
        index.save(path)  # s2f_face_index_save: a temporary file renamed over the old one
    return path


class ShardedGallery:
    """A gallery split over S index files, each held in memory by one worker."""

    def __init__(self, client, shard_paths: Sequence[str], metric: str = "cosine") -> None:
        self.client = client
        self.paths = [os.path.abspath(p) for p in shard_paths]
        self.metric = metric
        self._actors: List[object] = [None] * len(self.paths)
        for shard in range(len(self.paths)):
            self._load(shard)

    def _load(self, shard: int) -> None:
        workers = sorted(self.client.scheduler_info()["workers"])
        worker = workers[shard % len(workers)]
        future = self.client.submit(_Shard, self.paths[shard], actor=True, workers=[worker],
                                    allow_other_workers=True, pure=False)
        self._actors[shard] = future.result()

    @classmethod
    def build(cls, client, features: np.ndarray, ids: np.ndarray, out_dir: str, shards: int, *,
              metric: str = "cosine", storage: str = "f32") -> "ShardedGallery":
        """Splits (features, ids) round-robin over `shards` index files in out_dir (written by
        the workers, each atomically) and loads one per worker."""
        features = np.ascontiguousarray(features, np.float32)
        ids = np.ascontiguousarray(ids, np.int64)
        if features.ndim != 2 or ids.shape != (features.shape[0],) or shards < 1:
            raise ValueError("expected features (n, D), ids (n,) and shards >= 1")
        os.makedirs(out_dir, exist_ok=True)
        futures = []
        for shard in range(shards):
            rows = slice(shard, None, shards)
            path = os.path.abspath(os.path.join(out_dir, f"shard-{shard:03d}.s2fi"))
            futures.append(client.submit(_save_shard, path, features.shape[1], metric, storage,
                                         ids[rows], features[rows], pure=False))
        return cls(client, client.gather(futures), metric)

    def __len__(self) -> int:
        return sum(self._ask(s, "size") for s in range(len(self.paths)))

    def _ask(self, shard: int, method: str, *args):
        for attempt in range(2):
            try:
                return getattr(self._actors[shard], method)(*args).result()
            except Exception:  # noqa: BLE001 - the worker holding it is gone: reload, retry once
                if attempt:
                    raise
                self._load(shard)

    def search(self, queries, k: int = 5) -> Tuple[np.ndarray, np.ndarray]:
        """Top k of each query over every shard, as FaceIndex.search: (scores, ids), (n, k) for
        (n, D) queries or (k,) for one (D,) query; NaN / -1 where fewer than k exist. The ids are
        those of one index holding every vector; see the module docstring for the scores."""
        from . import topk_merge
        q = np.ascontiguousarray(queries, np.float32)
        single = q.ndim == 1
        # A single query runs s2f_face_index_search on every shard (what `s2f search` runs), a
        # batch the batched GEMM path; the answers are merged the same way.
        pending = []
        for shard in range(len(self.paths)):  # every shard searches at once
            try:
                pending.append(self._actors[shard].search(q, k))
            except Exception:  # noqa: BLE001 - the actor is gone: _ask below reloads it
                pending.append(None)
        answers = []
        for shard, future in enumerate(pending):
            answer = None
            if future is not None:
                try:
                    answer = future.result()
                except Exception:  # noqa: BLE001 - its worker died during the search
                    pass
            # A lost shard is reloaded from its file and asked again (once).
            answers.append(answer if answer is not None else self._ask(shard, "search", q, k))
        if single:
            answers = [(a[0][None], a[1][None]) for a in answers]
        n = 1 if single else len(q)
        scores = np.full((n, k), np.nan, np.float32)
        ids = np.full((n, k), -1, np.int64)
        for row in range(n):
            shard_ids = np.stack([a[1][row] for a in answers])
            shard_scores = np.stack([a[0][row] for a in answers])
            found = (shard_ids >= 0).sum(axis=1)
            top_scores, top_ids = topk_merge(self.metric, np.where(shard_ids < 0, 0, shard_ids),
                                             np.nan_to_num(shard_scores), found, k)
            scores[row, :len(top_ids)] = top_scores
            ids[row, :len(top_ids)] = top_ids
        return (scores[0], ids[0]) if single else (scores, ids)


def _read_list(paths: Sequence[str], list_file: Optional[str]) -> List[str]:
    files = list(paths)
    if list_file:
        with (sys.stdin if list_file == "-" else open(list_file)) as f:
            files += [line.rstrip("\n") for line in f if line.strip()]
    return files


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m speech2face.distributed",
        description="Embed a corpus, or build and search a sharded gallery, on a Dask cluster "
                    "(--scheduler tcp://HOST:8786) or a LocalCluster on this machine.")
    parser.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster "
                                            "of one single-threaded worker per core)")
    commands = parser.add_subparsers(dest="command", required=True)
    embed = commands.add_parser("embed", help="features of many files into OUT_DIR "
                                              "(restartable; bad files go to an errors table)")
    embed.add_argument("out_dir")
    embed.add_argument("files", nargs="*")
    embed.add_argument("--list", help="a file with one path per line ('-': stdin)")
    embed.add_argument("--kind", choices=[VOICE, FACE], default=VOICE)
    embed.add_argument("-m", "--model", help="model container (default: the default model)")
    embed.add_argument("--partition-size", type=int, default=32)
    embed.add_argument("--segments", action="store_true", help="average 6 s windows (voices)")
    embed.add_argument("-q", "--quiet", action="store_true")
    build = commands.add_parser("gallery-build", help="split an embed_corpus result (faces) "
                                                      "into SHARDS index files")
    build.add_argument("embeddings")
    build.add_argument("out_dir")
    build.add_argument("--shards", type=int, default=4)
    build.add_argument("--metric", default="cosine")
    build.add_argument("--storage", default="f32")
    search = commands.add_parser("search", help="top k of each query feature (a .npy of (n, D)) "
                                                "over the shards in GALLERY_DIR")
    search.add_argument("gallery_dir")
    search.add_argument("queries")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--metric", default="cosine")
    # Files may also follow the options (argparse alone stops at the first option after them).
    args, extra = parser.parse_known_args(argv)
    unknown = [e for e in extra if e.startswith("-") and e != "-"]
    if unknown or (extra and args.command != "embed"):
        parser.error(f"unrecognised arguments: {' '.join(unknown or extra)}")

    if args.command == "embed":
        files = _read_list(args.files + extra, args.list)
        if not files:
            parser.error("embed needs files (arguments or --list)")
        summary = embed_corpus(files, args.out_dir, kind=args.kind, model=args.model,
                               scheduler=args.scheduler, partition_size=args.partition_size,
                               segments=args.segments, progress=not args.quiet)
        print(json.dumps(summary))
        return 0 if summary["errors"] == 0 else 3
    client, cluster = _client(args.scheduler)
    try:
        if args.command == "gallery-build":
            features, ids, _, _ = load_embeddings(args.embeddings)
            gallery = ShardedGallery.build(client, features, ids, args.out_dir, args.shards,
                                           metric=args.metric, storage=args.storage)
            print(json.dumps({"shards": gallery.paths, "vectors": len(gallery)}))
        else:
            shards = sorted(os.path.join(args.gallery_dir, f) for f in os.listdir(args.gallery_dir)
                            if f.startswith("shard-") and f.endswith(".s2fi"))
            gallery = ShardedGallery(client, shards, args.metric)
            scores, ids = gallery.search(np.load(args.queries), args.k)
            for row in range(len(ids)):
                print(json.dumps({"query": row, "ids": ids[row].tolist(),
                                  "scores": [None if np.isnan(s) else float(s)
                                             for s in scores[row]]}))
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
