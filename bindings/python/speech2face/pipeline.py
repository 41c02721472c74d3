"""Voice → feature → face, or → gallery search, in one handle (``s2f_pipeline``)."""
import ctypes

import numpy as np

from . import _lib
from ._lib import Handle, check, lib
from .model import model_memory


def _audio(samples):
    """float32 (frames, channels) view of mono (frames,) or interleaved (frames, channels) PCM."""
    pcm = np.ascontiguousarray(samples, dtype=np.float32)
    if pcm.ndim == 1:
        pcm = pcm[:, None]
    if pcm.ndim != 2 or pcm.shape[0] == 0:
        raise ValueError(f"expected (frames,) or (frames, channels) samples, got shape {pcm.shape}")
    return pcm


class Pipeline(Handle):
    """The main job in one call, from a Model with a voice encoder (and, for face(), a face
    decoder). Samples are float PCM, nominally in [-1, 1], mono (frames,) or (frames, channels)
    at any rate from 8 to 192 kHz. ``segments=True`` averages 6 s windows every 3 s over the
    whole recording; otherwise the paper's first 6 s are used. One pipeline per thread::

        with s2f.Model.default() as model, s2f.Pipeline(model) as pipeline:
            rgb, landmarks, feature = pipeline.face(samples, rate)
    """

    _free = "s2f_pipeline_free"

    def __init__(self, model):
        pointer, owner = model_memory(model)  # the model's memory outlives model.close()
        out = ctypes.c_void_p()
        check(lib.s2f_pipeline_create(pointer, ctypes.byref(out)))
        super().__init__(out.value, keep_alive=owner)
        dim, height, width, landmarks = (ctypes.c_size_t() for _ in range(4))
        self._check(lib.s2f_pipeline_shape(self._handle, ctypes.byref(dim), ctypes.byref(height),
                                           ctypes.byref(width), ctypes.byref(landmarks)))
        self.dim, self.image_size = dim.value, (height.value, width.value)
        self.landmark_count = landmarks.value

    def _check(self, status):
        check(status, _lib.text(lib.s2f_pipeline_last_error(self._handle)))

    def encode(self, samples, sample_rate, segments=False):
        """The face feature, float32 (D,)."""
        pcm = _audio(samples)
        feature = np.empty(self.dim, np.float32)
        self._check(lib.s2f_pipeline_encode(self._handle, _lib.as_float_ptr(pcm), pcm.shape[0],
                                            pcm.shape[1], float(sample_rate), int(segments),
                                            _lib.as_float_ptr(feature), self.dim))
        return feature

    def encode_batch(self, recordings, sample_rate, segments=False):
        """Features of several recordings (same rate and channels), float32 (n, D)."""
        arrays = [_audio(r) for r in recordings]
        if not arrays or len({a.shape[1] for a in arrays}) != 1:
            raise ValueError("expected one or more recordings with the same channel count")
        pointers = (_lib.c_float_p * len(arrays))(*[_lib.as_float_ptr(a) for a in arrays])
        frames = (ctypes.c_size_t * len(arrays))(*[a.shape[0] for a in arrays])
        features = np.empty((len(arrays), self.dim), np.float32)
        self._check(lib.s2f_pipeline_encode_batch(self._handle, pointers, frames, len(arrays),
                                                  arrays[0].shape[1], float(sample_rate),
                                                  int(segments), _lib.as_float_ptr(features),
                                                  features.size))
        return features

    def face(self, samples, sample_rate, segments=False):
        """(rgb uint8 (H, W, 3), landmarks float32 (L, 2), feature float32 (D,))."""
        if not self.landmark_count:
            raise ValueError("the model has no face decoder")
        pcm = _audio(samples)
        height, width = self.image_size
        rgb = np.empty((height, width, 3), np.uint8)
        landmarks = np.empty((self.landmark_count, 2), np.float32)
        feature = np.empty(self.dim, np.float32)
        self._check(lib.s2f_pipeline_face(
            self._handle, _lib.as_float_ptr(pcm), pcm.shape[0], pcm.shape[1], float(sample_rate),
            int(segments), _lib.as_float_ptr(feature), self.dim, _lib.as_uint8_ptr(rgb),
            width * 3, rgb.size, _lib.as_float_ptr(landmarks), landmarks.size))
        return rgb, landmarks, feature

    def search(self, index, samples, sample_rate, k=5, segments=False):
        """The k gallery entries closest to the voice: (ids int64 (found,), scores float32)."""
        pcm = _audio(samples)
        ids = np.empty(k, np.int64)
        scores = np.empty(k, np.float32)
        found = ctypes.c_size_t()
        self._check(lib.s2f_pipeline_search(
            self._handle, index._handle, _lib.as_float_ptr(pcm), pcm.shape[0], pcm.shape[1],
            float(sample_rate), int(segments), k, _lib.as_int64_ptr(ids),
            _lib.as_float_ptr(scores), ctypes.byref(found)))
        return ids[:found.value], scores[:found.value]
