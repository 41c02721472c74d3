"""Exact top-k retrieval over a gallery of face features (``s2f_face_index``)."""
import ctypes

import numpy as np

from . import _lib
from ._lib import Handle, check, lib

METRIC_COSINE, METRIC_INNER_PRODUCT, METRIC_L2, METRIC_L1 = 0, 1, 2, 3
STORAGE_F32, STORAGE_F16, STORAGE_INT8 = 0, 1, 2
EXPORT_FVECS, EXPORT_NPY = 0, 1


class FaceIndex(Handle):
    """``FaceIndex(dim=128, metric=METRIC_COSINE, storage=STORAGE_F32, threads=0)`` creates an
    empty index; ``FaceIndex.load(path)`` reads a saved one. Searches may run concurrently from
    several threads; add/remove are exclusive (the library locks)."""

    _free = "s2f_face_index_free"

    def __init__(self, dim=None, metric=None, storage=None, threads=None, *, _pointer=None):
        if _pointer is None:
            params = _lib.FaceIndexParams()
            check(lib.s2f_face_index_default_params_sized(ctypes.byref(params),
                                                          ctypes.sizeof(params)))
            for name, value in (("dim", dim), ("metric", metric), ("storage", storage),
                                ("threads", threads)):
                if value is not None:
                    setattr(params, name, int(value))
            out = ctypes.c_void_p()
            check(lib.s2f_face_index_create(ctypes.byref(params), ctypes.byref(out)))
            _pointer = out.value
        super().__init__(_pointer)

    @classmethod
    def load(cls, path):
        """Loads an index written by save() (validated; S2FError if damaged)."""
        out = ctypes.c_void_p()
        check(lib.s2f_face_index_load(_lib.fspath_bytes(path), ctypes.byref(out)))
        return cls(_pointer=out.value)

    def _check(self, status):
        check(status, _lib.text(lib.s2f_face_index_last_error(self._handle)))

    @property
    def dim(self):
        return lib.s2f_face_index_dim(self._handle)

    def __len__(self):
        return lib.s2f_face_index_size(self._handle)

    def _vectors(self, vectors):
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise ValueError(f"expected vectors of dimension {self.dim}, got shape {v.shape}")
        return v

    def add(self, ids, vectors):
        """Adds vectors (n, D) with int64 ids (n,); all or nothing."""
        v = self._vectors(vectors)
        i = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
        if i.size != v.shape[0]:
            raise ValueError(f"{i.size} ids for {v.shape[0]} vectors")
        self._check(lib.s2f_face_index_add(self._handle, _lib.as_int64_ptr(i),
                                           _lib.as_float_ptr(v), v.shape[0]))

    def remove(self, id):
        self._check(lib.s2f_face_index_remove(self._handle, int(id)))

    def search(self, query, k=5):
        """Top-k of one query (D,): (ids int64 (found,), scores float32 (found,)), best first."""
        q = np.ascontiguousarray(query, dtype=np.float32)
        if q.shape != (self.dim,):
            raise ValueError(f"expected a query of shape ({self.dim},), got {q.shape}")
        if k < 1:
            raise ValueError("k must be at least 1")
        ids = np.empty(k, np.int64)
        scores = np.empty(k, np.float32)
        found = ctypes.c_size_t()
        self._check(lib.s2f_face_index_search(self._handle, _lib.as_float_ptr(q), k,
                                              _lib.as_int64_ptr(ids), _lib.as_float_ptr(scores),
                                              ctypes.byref(found)))
        return ids[:found.value], scores[:found.value]

    def search_batch(self, queries, k=5):
        """Top-k of (nq, D) queries: ids (nq, k) (-1 padding), scores (nq, k) (NaN padding),
        found (nq,)."""
        q = self._vectors(queries)
        if k < 1:
            raise ValueError("k must be at least 1")
        nq = q.shape[0]
        ids = np.empty((nq, k), np.int64)
        scores = np.empty((nq, k), np.float32)
        found = np.empty(nq, np.uintp)
        self._check(lib.s2f_face_index_search_batch(
            self._handle, _lib.as_float_ptr(q), nq, k, _lib.as_int64_ptr(ids),
            _lib.as_float_ptr(scores), found.ctypes.data_as(_lib.c_size_p)))
        return ids, scores, found.astype(np.int64)

    def save(self, path):
        """Saves atomically (a crash leaves the old file or the new one)."""
        self._check(lib.s2f_face_index_save(self._handle, _lib.fspath_bytes(path)))

    def set_threads(self, threads):
        self._check(lib.s2f_face_index_set_threads(self._handle, int(threads)))

    def export(self, vectors_path, ids_path, format=EXPORT_NPY):
        """Writes the vectors (.npy or .fvecs) and the ids (.npy int64)."""
        self._check(lib.s2f_face_index_export(self._handle, _lib.fspath_bytes(vectors_path),
                                              _lib.fspath_bytes(ids_path), int(format)))


def topk_merge(metric, ids, scores, found, k_out):
    """Merges per-shard top-k lists: ids/scores (n_lists, k_in), found (n_lists,) → the global
    top-k_out as (ids, scores)."""
    i = np.ascontiguousarray(ids, dtype=np.int64)
    s = np.ascontiguousarray(scores, dtype=np.float32)
    f = np.ascontiguousarray(found, dtype=np.uintp)
    if i.ndim != 2 or s.shape != i.shape or f.shape != (i.shape[0],):
        raise ValueError("expected ids and scores (n_lists, k_in) and found (n_lists,)")
    out_ids = np.empty(k_out, np.int64)
    out_scores = np.empty(k_out, np.float32)
    out_found = ctypes.c_size_t()
    check(lib.s2f_topk_merge(int(metric), i.shape[0], i.shape[1], _lib.as_int64_ptr(i),
                             _lib.as_float_ptr(s), f.ctypes.data_as(_lib.c_size_p), k_out,
                             _lib.as_int64_ptr(out_ids), _lib.as_float_ptr(out_scores),
                             ctypes.byref(out_found)))
    return out_ids[:out_found.value], out_scores[:out_found.value]
