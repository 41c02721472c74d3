"""Voice → feature → face, or → gallery search, in one handle (``s2f_pipeline``)."""
import ctypes
from typing import Optional, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import Handle, check, lib
from ._pcm import to_float32
from .index import FaceIndex
from .model import Model, model_memory


def _audio(samples: ArrayLike) -> np.ndarray:
    """float32 (frames, channels) of mono (frames,) or interleaved (frames, channels) PCM, float
    or integer (scaled by the rule of _pcm.py); the library downmixes."""
    pcm = to_float32(samples)
    return pcm[:, None] if pcm.ndim == 1 else pcm


class Pipeline(Handle):
    """The main job in one call, from a Model with a voice encoder (and, for face(), a face
    decoder). Samples are float PCM in [-1, 1] or integer PCM (int16 etc., scaled by its full
    scale; docs/python.md), mono (frames,) or (frames, channels)
    at any rate from 8 to 192 kHz. ``segments=True`` averages 6 s windows every 3 s over the
    whole recording; otherwise the paper's first 6 s are used. A recording with less than
    ``min_speech_seconds`` (default 0.5) of speech is refused with S2FError S2F_ERR_NO_SPEECH
    (silence, noise, hum, tones; 0 turns the check off). One pipeline per thread::

        with s2f.Model.default() as model, s2f.Pipeline(model) as pipeline:
            rgb, landmarks, feature = pipeline.face(samples, rate)
    """

    _free = "s2f_pipeline_free"

    def __init__(self, model: Model, *, min_speech_seconds: Optional[float] = None) -> None:
        pointer, owner = model_memory(model)  # the model's memory outlives model.close()
        out = ctypes.c_void_p()
        check(lib.s2f_pipeline_create(pointer, ctypes.byref(out)))
        super().__init__(out.value, keep_alive=owner)
        if min_speech_seconds is not None:
            self.set_min_speech(min_speech_seconds)
        dim, height, width, landmarks = (ctypes.c_size_t() for _ in range(4))
        self._check(lib.s2f_pipeline_shape(self._handle, ctypes.byref(dim), ctypes.byref(height),
                                           ctypes.byref(width), ctypes.byref(landmarks)))
        self.dim, self.image_size = dim.value, (height.value, width.value)
        self.landmark_count = landmarks.value

    def _check(self, status):
        check(status, _lib.text(lib.s2f_pipeline_last_error(self._handle)))

    def set_min_speech(self, seconds: float) -> None:
        """Seconds of speech each recording needs (default MIN_SPEECH_SECONDS, 0.5); less raises
        S2FError S2F_ERR_NO_SPEECH with the measurement. 0 accepts any audio (measure_speech
        says how the audio is judged)."""
        self._check(lib.s2f_pipeline_set_min_speech(self._handle, float(seconds)))

    def encode(self, samples: ArrayLike, sample_rate: float, segments: bool = False) -> np.ndarray:
        """The face feature, float32 (D,)."""
        pcm = _audio(samples)
        feature = np.empty(self.dim, np.float32)
        self._check(lib.s2f_pipeline_encode(self._handle, _lib.as_float_ptr(pcm), pcm.shape[0],
                                            pcm.shape[1], float(sample_rate), int(segments),
                                            _lib.as_float_ptr(feature), self.dim))
        return feature

    def encode_batch(self, recordings: Sequence[ArrayLike], sample_rate: float,
                     segments: bool = False) -> np.ndarray:
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

    def face(self, samples: ArrayLike, sample_rate: float,
             segments: bool = False) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
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

    def search(self, index: FaceIndex, samples: ArrayLike, sample_rate: float, k: int = 5,
               segments: bool = False) -> Tuple[np.ndarray, np.ndarray]:
        """The k gallery entries closest to the voice, as FaceIndex.search gives them for one
        query: (scores float32 (k,), ids int64 (k,)), best first; when the gallery holds fewer
        than k, the rest is NaN scores and -1 ids."""
        pcm = _audio(samples)
        ids = np.empty(k, np.int64)
        scores = np.empty(k, np.float32)
        found = ctypes.c_size_t()
        self._check(lib.s2f_pipeline_search(
            self._handle, index._handle, _lib.as_float_ptr(pcm), pcm.shape[0], pcm.shape[1],
            float(sample_rate), int(segments), k, _lib.as_int64_ptr(ids),
            _lib.as_float_ptr(scores), ctypes.byref(found)))
        scores[found.value:], ids[found.value:] = np.nan, -1
        return scores, ids
