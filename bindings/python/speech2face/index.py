"""Exact top-k retrieval over a gallery of face features (``s2f_face_index``), with FAISS's
conventions: ``search(queries, k)`` returns ``(scores, ids)``."""
import ctypes
import enum
import os
from typing import Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import Handle, check, lib


class Metric(enum.IntEnum):
    """How an index scores a query against a gallery vector (s2f_metric). Cosine and inner
    product rank high scores first; L2 (squared) and L1 distances rank low scores first."""
    COSINE = 0
    INNER_PRODUCT = 1
    L2 = 2
    L1 = 3


class Storage(enum.IntEnum):
    """How an index holds its vectors (s2f_storage): exact float32, or float16 / int8 to save
    memory at a small cost in score accuracy."""
    F32 = 0
    F16 = 1
    INT8 = 2


class ExportFormat(enum.IntEnum):
    """Vector file format of FaceIndex.export (FAISS/numpy tools read both)."""
    FVECS = 0
    NPY = 1


METRIC_COSINE, METRIC_INNER_PRODUCT, METRIC_L2, METRIC_L1 = Metric
STORAGE_F32, STORAGE_F16, STORAGE_INT8 = Storage
EXPORT_FVECS, EXPORT_NPY = ExportFormat

# Names a user may pass instead of the enums (case-insensitive), FAISS's spellings included.
_NAMES = {
    Metric: {"cosine": Metric.COSINE, "inner_product": Metric.INNER_PRODUCT, "ip": Metric.INNER_PRODUCT,
             "l2": Metric.L2, "l1": Metric.L1},
    Storage: {"f32": Storage.F32, "float32": Storage.F32, "f16": Storage.F16,
              "float16": Storage.F16, "int8": Storage.INT8},
    ExportFormat: {"fvecs": ExportFormat.FVECS, "npy": ExportFormat.NPY},
}


def _enum(kind, value):
    """An enum member of `kind` from the member, its integer value, or one of its names."""
    if isinstance(value, str):
        try:
            return _NAMES[kind][value.lower()]
        except KeyError:
            raise ValueError(f"unknown {kind.__name__.lower()} {value!r}; expected one of "
                             f"{sorted(_NAMES[kind])}") from None
    try:
        return kind(int(value))
    except (TypeError, ValueError):
        raise ValueError(f"unknown {kind.__name__.lower()} {value!r}") from None


MetricLike = Union[Metric, int, str]
StorageLike = Union[Storage, int, str]
PathLike = Union[str, bytes, "os.PathLike[str]"]


class FaceIndex(Handle):
    """``FaceIndex(dim=128, metric="cosine", storage="f32", threads=0)`` creates an empty index;
    ``FaceIndex.load(path)`` reads a saved one. metric: Metric, or "cosine", "ip" /
    "inner_product", "l2", "l1"; storage: Storage, or "f32", "f16", "int8". Searches may run
    concurrently from several threads; add/remove are exclusive (the library locks)."""

    _free = "s2f_face_index_free"

    def __init__(self, dim: Optional[int] = None, metric: Optional[MetricLike] = None,
                 storage: Optional[StorageLike] = None, threads: Optional[int] = None, *,
                 _pointer=None) -> None:
        if _pointer is None:
            params = _lib.FaceIndexParams()
            check(lib.s2f_face_index_default_params_sized(ctypes.byref(params),
                                                          ctypes.sizeof(params)))
            if dim is not None:
                params.dim = int(dim)
            if metric is not None:
                params.metric = _enum(Metric, metric)
            if storage is not None:
                params.storage = _enum(Storage, storage)
            if threads is not None:
                params.threads = int(threads)
            out = ctypes.c_void_p()
            check(lib.s2f_face_index_create(ctypes.byref(params), ctypes.byref(out)))
            _pointer = out.value
        super().__init__(_pointer)

    @classmethod
    def load(cls, path: PathLike) -> "FaceIndex":
        """Loads an index written by save() (validated; S2FError if damaged)."""
        out = ctypes.c_void_p()
        check(lib.s2f_face_index_load(_lib.fspath_bytes(path), ctypes.byref(out)))
        return cls(_pointer=out.value)

    def _check(self, status):
        check(status, _lib.text(lib.s2f_face_index_last_error(self._handle)))

    @property
    def dim(self) -> int:
        """Dimension D of the vectors."""
        return lib.s2f_face_index_dim(self._handle)

    @property
    def ntotal(self) -> int:
        """Number of vectors held (FAISS's name; len(index) is the same)."""
        return lib.s2f_face_index_size(self._handle)

    def __len__(self) -> int:
        return self.ntotal

    def _vectors(self, vectors: ArrayLike) -> np.ndarray:
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise ValueError(f"expected vectors of dimension {self.dim}, got shape {v.shape}")
        return v

    def add(self, ids: ArrayLike, vectors: ArrayLike) -> None:
        """Adds vectors (n, D) with int64 ids (n,); all or nothing (a duplicate id adds none)."""
        v = self._vectors(vectors)
        i = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
        if i.size != v.shape[0]:
            raise ValueError(f"{i.size} ids for {v.shape[0]} vectors")
        self._check(lib.s2f_face_index_add(self._handle, _lib.as_int64_ptr(i),
                                           _lib.as_float_ptr(v), v.shape[0]))

    def remove(self, id: int) -> None:
        """Removes the vector with this id (S2FError S2F_ERR_NOT_FOUND if none)."""
        self._check(lib.s2f_face_index_remove(self._handle, int(id)))

    def search(self, queries: ArrayLike, k: int = 5) -> Tuple[np.ndarray, np.ndarray]:
        """Top-k of each query, as FAISS's ``index.search``: queries (n, D) give
        ``(scores float32 (n, k), ids int64 (n, k))``, best first; a single query (D,) gives
        (k,) arrays. Where the gallery holds fewer than k, the rest of a row is NaN scores and
        -1 ids. Scores are the metric's: cosine / inner product (higher is closer) or L2
        (squared) / L1 distance (lower is closer). A single query runs s2f_face_index_search
        (what ``s2f search`` and Pipeline.search run, bit for bit); a batch runs
        s2f_face_index_search_batch, whose blocked kernel may differ in the last bit."""
        q = self._vectors(queries)
        if int(k) < 1:
            raise ValueError("k must be at least 1")
        k = int(k)
        if np.ndim(queries) == 1:
            ids, scores = np.full(k, -1, np.int64), np.full(k, np.nan, np.float32)
            found = ctypes.c_size_t()
            self._check(lib.s2f_face_index_search(self._handle, _lib.as_float_ptr(q[0]), k,
                                                  _lib.as_int64_ptr(ids), _lib.as_float_ptr(scores),
                                                  ctypes.byref(found)))
            return scores, ids  # the library pads entries past `found` with -1 / NaN
        nq = q.shape[0]
        ids = np.empty((nq, k), np.int64)
        scores = np.empty((nq, k), np.float32)
        found = np.empty(nq, np.uintp)
        self._check(lib.s2f_face_index_search_batch(
            self._handle, _lib.as_float_ptr(q), nq, k, _lib.as_int64_ptr(ids),
            _lib.as_float_ptr(scores), found.ctypes.data_as(_lib.c_size_p)))
        return scores, ids

    def save(self, path: PathLike) -> None:
        """Saves atomically (a crash leaves the old file or the new one)."""
        self._check(lib.s2f_face_index_save(self._handle, _lib.fspath_bytes(path)))

    def set_threads(self, threads: int) -> None:
        """Threads one search uses: 0 as many as the machine has, n ≥ 1 exactly n."""
        self._check(lib.s2f_face_index_set_threads(self._handle, int(threads)))

    def export(self, vectors_path: PathLike, ids_path: PathLike,
               format: Union[ExportFormat, int, str] = ExportFormat.NPY) -> None:
        """Writes the vectors (.npy or .fvecs) and the ids (.npy int64), in id order of addition."""
        self._check(lib.s2f_face_index_export(self._handle, _lib.fspath_bytes(vectors_path),
                                              _lib.fspath_bytes(ids_path),
                                              _enum(ExportFormat, format)))


def topk_merge(metric: MetricLike, ids: ArrayLike, scores: ArrayLike, found: ArrayLike,
               k_out: int) -> Tuple[np.ndarray, np.ndarray]:
    """Merges per-shard top-k lists: ids/scores (n_lists, k_in), found (n_lists,) → the global
    top-k_out as (scores float32 (found,), ids int64 (found,)), best first, the order
    FaceIndex.search uses."""
    i = np.ascontiguousarray(ids, dtype=np.int64)
    s = np.ascontiguousarray(scores, dtype=np.float32)
    f = np.ascontiguousarray(found, dtype=np.uintp)
    if i.ndim != 2 or s.shape != i.shape or f.shape != (i.shape[0],):
        raise ValueError("expected ids and scores (n_lists, k_in) and found (n_lists,)")
    out_ids = np.empty(k_out, np.int64)
    out_scores = np.empty(k_out, np.float32)
    out_found = ctypes.c_size_t()
    check(lib.s2f_topk_merge(_enum(Metric, metric), i.shape[0], i.shape[1], _lib.as_int64_ptr(i),
                             _lib.as_float_ptr(s), f.ctypes.data_as(_lib.c_size_p), k_out,
                             _lib.as_int64_ptr(out_ids), _lib.as_float_ptr(out_scores),
                             ctypes.byref(out_found)))
    return out_scores[:out_found.value], out_ids[:out_found.value]
