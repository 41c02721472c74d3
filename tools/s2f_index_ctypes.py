"""Minimal ctypes binding of the s2f_face_index API, shared by the index oracle test and the
index benchmark (not a public binding: see bindings/ for those)."""
import ctypes
import os

import numpy as np

METRICS = {"cosine": 0, "ip": 1, "l2": 2, "l1": 3}
STORAGES = {"f32": 0, "f16": 1, "int8": 2}


class Params(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("dim", ctypes.c_size_t), ("metric", ctypes.c_int),
                ("storage", ctypes.c_int), ("threads", ctypes.c_size_t)]


class S2FError(RuntimeError):
    pass


def load_library(path):
    lib = ctypes.CDLL(os.path.abspath(path))
    P = ctypes.c_void_p
    lib.s2f_face_index_default_params_sized.argtypes = [ctypes.POINTER(Params), ctypes.c_size_t]
    lib.s2f_face_index_create.argtypes = [ctypes.POINTER(Params), ctypes.POINTER(P)]
    lib.s2f_face_index_free.argtypes = [P]
    lib.s2f_face_index_free.restype = None
    lib.s2f_face_index_last_error.argtypes = [P]
    lib.s2f_face_index_last_error.restype = ctypes.c_char_p
    lib.s2f_last_error_message.restype = ctypes.c_char_p
    lib.s2f_face_index_add.argtypes = [P, P, P, ctypes.c_size_t]
    lib.s2f_face_index_search.argtypes = [P, P, ctypes.c_size_t, P, P, P]
    lib.s2f_face_index_search_batch.argtypes = [P, P, ctypes.c_size_t, ctypes.c_size_t, P, P, P]
    lib.s2f_face_index_size.argtypes = [P]
    lib.s2f_face_index_size.restype = ctypes.c_size_t
    lib.s2f_face_index_save.argtypes = [P, ctypes.c_char_p]
    lib.s2f_face_index_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(P)]
    lib.s2f_face_index_export.argtypes = [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    lib.s2f_face_index_set_threads.argtypes = [P, ctypes.c_size_t]
    return lib


def _ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


class FaceIndex:
    def __init__(self, lib, dim, metric="cosine", storage="f32", threads=0, handle=None):
        self.lib = lib
        self.dim = dim
        if handle is None:
            p = Params()
            lib.s2f_face_index_default_params_sized(ctypes.byref(p), ctypes.sizeof(Params))
            p.dim, p.metric, p.storage, p.threads = dim, METRICS[metric], STORAGES[storage], threads
            handle = ctypes.c_void_p()
            self._check(lib.s2f_face_index_create(ctypes.byref(p), ctypes.byref(handle)), None)
        self.handle = handle

    @classmethod
    def load(cls, lib, path):
        handle = ctypes.c_void_p()
        st = lib.s2f_face_index_load(str(path).encode(), ctypes.byref(handle))
        if st != 0:
            raise S2FError(lib.s2f_last_error_message().decode())
        self = cls.__new__(cls)
        self.lib, self.handle = lib, handle
        return self

    def _check(self, status, handle):
        if status != 0:
            msg = (self.lib.s2f_face_index_last_error(handle) if handle
                   else self.lib.s2f_last_error_message())
            raise S2FError(f"status {status}: {msg.decode()}")

    def close(self):
        if self.handle:
            self.lib.s2f_face_index_free(self.handle)
            self.handle = None

    def __del__(self):
        self.close()

    def add(self, ids, vectors):
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._check(self.lib.s2f_face_index_add(self.handle, _ptr(ids), _ptr(vectors), len(ids)),
                    self.handle)

    def set_threads(self, threads):
        self._check(self.lib.s2f_face_index_set_threads(self.handle, threads), self.handle)

    def search(self, query, k):
        query = np.ascontiguousarray(query, dtype=np.float32)
        ids = np.empty(k, np.int64)
        scores = np.empty(k, np.float32)
        found = ctypes.c_size_t()
        self._check(self.lib.s2f_face_index_search(self.handle, _ptr(query), k, _ptr(ids),
                                                   _ptr(scores), ctypes.byref(found)), self.handle)
        return ids[:found.value], scores[:found.value]

    def search_batch(self, queries, k):
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        nq = queries.shape[0]
        ids = np.empty((nq, k), np.int64)
        scores = np.empty((nq, k), np.float32)
        found = np.empty(nq, np.uintp)
        self._check(self.lib.s2f_face_index_search_batch(self.handle, _ptr(queries), nq, k,
                                                         _ptr(ids), _ptr(scores), _ptr(found)),
                    self.handle)
        return ids, scores, found

    def size(self):
        return self.lib.s2f_face_index_size(self.handle)

    def save(self, path):
        self._check(self.lib.s2f_face_index_save(self.handle, str(path).encode()), self.handle)

    def export_npy(self, vectors_path, ids_path):
        self._check(self.lib.s2f_face_index_export(self.handle, str(vectors_path).encode(),
                                                   str(ids_path).encode(), 1), self.handle)
