"""PCM → the paper's compressed complex spectrogram (``s2f_spectrogram``)."""
import ctypes
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import Handle, check, lib
from ._pcm import to_float32


def mono_float32(samples: ArrayLike) -> np.ndarray:
    """PCM by the rule of _pcm.py (integer types scaled, (frames, channels) downmixed) as float32
    (frames,)."""
    pcm = to_float32(samples)
    return downmix(pcm) if pcm.ndim == 2 else pcm


def downmix(interleaved: ArrayLike) -> np.ndarray:
    """(frames, channels) samples → their per-frame mean, float32 (frames,)."""
    data = to_float32(interleaved)
    if data.ndim != 2:
        raise ValueError(f"expected a (frames, channels) array, got shape {data.shape}")
    out = np.empty(data.shape[0], np.float32)
    check(lib.s2f_audio_downmix(_lib.as_float_ptr(data), data.shape[0], data.shape[1],
                                _lib.as_float_ptr(out)))
    return out


def _params(params: Dict[str, Any]) -> _lib.SpectrogramParams:
    p = _lib.SpectrogramParams()
    check(lib.s2f_spectrogram_default_params_sized(ctypes.byref(p), ctypes.sizeof(p)))
    for name, value in params.items():
        if name == "size" or name not in dict(_lib.SpectrogramParams._fields_):
            raise TypeError(f"unknown spectrogram parameter {name!r}")
        setattr(p, name, value)
    return p


class Spectrogram(Handle):
    """Computes the voice encoder's input from PCM: float in [-1, 1] or integer PCM, mono or
    (frames, channels) downmixed (the rule is in _pcm.py and docs/python.md).

    Keyword arguments override the paper's parameters (see include/speech2face.h):
    sample_rate (Hz of the PCM you pass, default 16000, other rates are resampled),
    clip_seconds (6.0; <= 0 for the whole signal), segment_hop_seconds, exponent, window, hop,
    fft_size, analysis_rate. One handle per thread."""

    _free = "s2f_spectrogram_free"

    def __init__(self, **params: Any) -> None:
        p = _params(params)
        out = ctypes.c_void_p()
        check(lib.s2f_spectrogram_create(ctypes.byref(p), ctypes.byref(out)))
        super().__init__(out.value)

    def _check(self, status):
        check(status, _lib.text(lib.s2f_spectrogram_last_error(self._handle)))

    @property
    def params(self) -> Dict[str, Any]:
        """The parameters in effect, as a dict."""
        p = _lib.SpectrogramParams()
        p.size = ctypes.sizeof(p)
        self._check(lib.s2f_spectrogram_get_params(self._handle, ctypes.byref(p)))
        return {name: getattr(p, name) for name, _ in p._fields_ if name != "size"}

    def shape(self, n_samples: int) -> Tuple[int, int]:
        """(frames, bins) of compute() for `n_samples` samples."""
        frames, bins = ctypes.c_size_t(), ctypes.c_size_t()
        self._check(lib.s2f_spectrogram_shape(self._handle, n_samples, ctypes.byref(frames),
                                              ctypes.byref(bins)))
        return frames.value, bins.value

    def compute(self, samples: ArrayLike, out: Optional[np.ndarray] = None) -> np.ndarray:
        """float32 array (frames, bins, 2): real and imaginary parts, compressed. `out`, if
        given, is written and returned: a C-contiguous float32 array of exactly that shape (to
        reuse one buffer across calls; anything else raises ValueError)."""
        pcm = mono_float32(samples)
        frames, bins = self.shape(pcm.size)
        if out is None:
            out = np.empty((frames, bins, 2), np.float32)
        elif (not isinstance(out, np.ndarray) or out.dtype != np.float32
              or out.shape != (frames, bins, 2) or not out.flags.c_contiguous
              or not out.flags.writeable):
            raise ValueError(f"out must be a writable C-contiguous float32 array of shape "
                             f"{(frames, bins, 2)}")
        self._check(lib.s2f_spectrogram_compute(self._handle, _lib.as_float_ptr(pcm), pcm.size,
                                                _lib.as_float_ptr(out), out.size, None))
        return out

    def compute_segments(self, samples: ArrayLike) -> np.ndarray:
        """float32 array (segments, frames, bins, 2): clips every segment_hop_seconds."""
        pcm = mono_float32(samples)
        frames, bins = self.shape(pcm.size)
        count = ctypes.c_size_t()
        self._check(lib.s2f_spectrogram_segment_count(self._handle, pcm.size,
                                                      ctypes.byref(count)))
        out = np.empty((count.value, frames, bins, 2), np.float32)
        self._check(lib.s2f_spectrogram_compute_segments(self._handle, _lib.as_float_ptr(pcm),
                                                         pcm.size, _lib.as_float_ptr(out),
                                                         out.size, None))
        return out


MIN_SPEECH_SECONDS = 0.5  # S2F_DEFAULT_MIN_SPEECH_SECONDS


class SpeechReport(NamedTuple):
    """How much of a recording is speech (s2f_speech_report; rule: docs/speech-detection.md)."""
    seconds: float          #: audio measured
    speech_seconds: float   #: speech-like frames × 10 ms (0 for a steady recording)
    modulation_db: float    #: standard deviation of the 100 ms loudness envelope

    @property
    def is_speech(self) -> bool:
        """True when a Pipeline with the default settings accepts it."""
        return self.speech_seconds >= MIN_SPEECH_SECONDS


def measure_speech(samples: ArrayLike, sample_rate: float) -> SpeechReport:
    """The library's speech measurement of PCM (float or integer, mono or (frames, channels)):
    what Pipeline checks before it predicts a face."""
    pcm = mono_float32(samples)
    report = _lib.SpeechReport(size=ctypes.sizeof(_lib.SpeechReport))
    check(lib.s2f_speech_measure(_lib.as_float_ptr(pcm), pcm.size, float(sample_rate),
                                 ctypes.byref(report)))
    return SpeechReport(report.seconds, report.speech_seconds, report.modulation_db)


class SpectrogramStream(Handle):
    """Audio of any length in pieces, in bounded memory (``s2f_spectrogram_stream``): the clips
    Spectrogram.compute_segments cuts from the whole signal (clip_seconds > 0, the default) or
    the frames compute gives for it (clip_seconds <= 0), bit for bit, as soon as their audio
    has arrived. Same keyword parameters as Spectrogram::

        with SpectrogramStream(sample_rate=rate) as stream:
            for piece in pieces:
                for clip in stream.write(piece):   # (frames, bins, 2) arrays
                    ...
            for clip in stream.finish():
                ...
    """

    _free = "s2f_spectrogram_stream_free"

    def __init__(self, **params: Any) -> None:
        p = _params(params)
        out = ctypes.c_void_p()
        check(lib.s2f_spectrogram_create(ctypes.byref(p), ctypes.byref(out)))
        try:  # the shape of one clip, and the effective parameters
            self._clip_frames = ctypes.c_size_t()
            bins = ctypes.c_size_t()
            check(lib.s2f_spectrogram_shape(out, 1 << 20, ctypes.byref(self._clip_frames),
                                            ctypes.byref(bins)))
            effective = _lib.SpectrogramParams()
            check(lib.s2f_spectrogram_get_params(out, ctypes.byref(effective)))
        finally:
            lib.s2f_spectrogram_free(out)
        self._whole = effective.clip_seconds <= 0
        self._bins = bins.value
        # Whole-signal mode: read up to 1000 frames at a time.
        self._room = 1000 if self._whole else self._clip_frames.value
        stream = ctypes.c_void_p()
        check(lib.s2f_spectrogram_stream_create(ctypes.byref(p), ctypes.byref(stream)))
        super().__init__(stream.value)

    def _check(self, status):
        check(status, _lib.text(lib.s2f_spectrogram_stream_last_error(self._handle)))

    def _ready(self) -> List[np.ndarray]:
        out = []
        while True:
            buffer = np.empty((self._room, self._bins, 2), np.float32)
            frames = ctypes.c_size_t()
            self._check(lib.s2f_spectrogram_stream_read(self._handle, _lib.as_float_ptr(buffer),
                                                        buffer.size, ctypes.byref(frames)))
            if frames.value == 0:
                return out
            out.append(buffer[:frames.value])

    def write(self, samples: ArrayLike) -> List[np.ndarray]:
        """Appends PCM (as Spectrogram.compute takes it; an empty piece is allowed); returns what
        became ready: a list of clips (frames, bins, 2), or of frame blocks in whole-signal
        mode."""
        pcm = np.asarray(samples)
        if pcm.size == 0:
            return self._ready()
        pcm = mono_float32(pcm)
        self._check(lib.s2f_spectrogram_stream_write(self._handle, _lib.as_float_ptr(pcm),
                                                     pcm.size))
        return self._ready()

    def finish(self) -> List[np.ndarray]:
        """Ends the signal; returns the remaining clips (or frame blocks)."""
        self._check(lib.s2f_spectrogram_stream_finish(self._handle))
        return self._ready()
