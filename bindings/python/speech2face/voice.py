"""Spectrogram → face feature with the voice encoder (``s2f_voice_encoder``)."""
import ctypes

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import Handle, check, lib
from .model import Model, model_memory
from .spectrogram import Spectrogram


class VoiceEncoder(Handle):
    """The paper's voice encoder, built from a Model's "voice_encoder" component.

    encode(spectrogram) takes (frames, bins, channels) float32 — as Spectrogram.compute()
    gives — and returns the feature (feature_dim,) float32; encode_batch takes
    (count, frames, bins, channels). encode_pcm(samples, sample_rate) runs the spectrogram first
    (float or integer PCM, mono or (frames, channels): the rule of docs/python.md).
    One encoder per thread; the model stays alive while the encoder is open."""

    _free = "s2f_voice_encoder_free"

    def __init__(self, model: Model) -> None:
        pointer, owner = model_memory(model)
        out = ctypes.c_void_p()
        check(lib.s2f_voice_encoder_create(pointer, ctypes.byref(out)))
        super().__init__(out.value, keep_alive=owner)
        dims = [ctypes.c_size_t() for _ in range(4)]
        self._check(lib.s2f_voice_encoder_shape(self._handle, *[ctypes.byref(d) for d in dims]))
        self.feature_dim, self.input_bins, self.input_channels, self.min_frames = \
            (d.value for d in dims)

    def _check(self, status):
        check(status, _lib.text(lib.s2f_voice_encoder_last_error(self._handle)))

    def set_threads(self, threads: int) -> None:
        """Threads one encode uses: 0 (default) as many as OpenBLAS uses, n ≥ 1 exactly n."""
        self._check(lib.s2f_voice_encoder_set_threads(self._handle, int(threads)))

    def encode(self, spectrogram: ArrayLike) -> np.ndarray:
        """One spectrogram (frames, bins, channels) → the face feature, float32 (feature_dim,)."""
        spec = np.ascontiguousarray(spectrogram, dtype=np.float32)
        if spec.ndim != 3:
            raise ValueError(f"expected (frames, bins, channels), got shape {spec.shape}")
        out = np.empty(self.feature_dim, np.float32)
        self._check(lib.s2f_voice_encoder_encode(self._handle, _lib.as_float_ptr(spec),
                                                 *spec.shape, _lib.as_float_ptr(out), out.size))
        return out

    def encode_batch(self, spectrograms: ArrayLike) -> np.ndarray:
        """Spectrograms (count, frames, bins, channels) of one length → features, float32
        (count, feature_dim); each row equals encode() of that clip."""
        spec = np.ascontiguousarray(spectrograms, dtype=np.float32)
        if spec.ndim != 4 or spec.shape[0] == 0:
            raise ValueError(f"expected (count, frames, bins, channels), got shape {spec.shape}")
        out = np.empty((spec.shape[0], self.feature_dim), np.float32)
        self._check(lib.s2f_voice_encoder_encode_batch(self._handle, _lib.as_float_ptr(spec),
                                                       *spec.shape, _lib.as_float_ptr(out),
                                                       out.size))
        return out

    def encode_pcm(self, samples: ArrayLike, sample_rate: float = 16000.0,
                   segments: bool = False) -> np.ndarray:
        """Mono PCM → feature: the first 6 s (tiled if shorter), or with segments=True the mean
        of the features of 6 s windows every 3 s (as ``s2f embed --segments``)."""
        with Spectrogram(sample_rate=float(sample_rate)) as spectrogram:
            if not segments:
                return self.encode(spectrogram.compute(samples))
            clips = spectrogram.compute_segments(samples)
        if clips.shape[0] == 1:
            return self.encode(clips[0])
        return self.encode_batch(clips).astype(np.float64).mean(axis=0).astype(np.float32)
