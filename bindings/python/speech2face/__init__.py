"""Python bindings of libspeech2face (ctypes over the installed C library).

    import speech2face as s2f
    with s2f.Model("default.s2fm") as model, s2f.VoiceEncoder(model) as encoder:
        feature = encoder.encode_pcm(samples, sample_rate)      # numpy float32 (D,)

Every failing call raises S2FError(status, name, message). The library is the one installed
with this package (a wheel bundles it), else found through $S2F_LIBRARY, pkg-config or the
platform loader (see _lib.py). Audio arrays may be float or integer PCM, mono or
(frames, channels) (the rule: _pcm.py). Indexes follow FAISS: search(queries, k) -> (scores, ids).
docs/python.md is the guide.
"""
import ctypes
from typing import Callable, Optional

from . import _lib
from ._lib import lib
from .decoder import FaceDecoder, warp_image
from .errors import S2FError
from .face_encoder import (RESIZE_BILINEAR_ANTIALIAS, RESIZE_BILINEAR_TF, RESIZE_MODEL_DEFAULT,
                           FaceEncoder, crop_resize)
from .index import (EXPORT_FVECS, EXPORT_NPY, METRIC_COSINE, METRIC_INNER_PRODUCT, METRIC_L1,
                    METRIC_L2, STORAGE_F16, STORAGE_F32, STORAGE_INT8, ExportFormat, FaceIndex,
                    Metric, Storage, topk_merge)
from .model import Model
from .pipeline import Pipeline
from .spectrogram import (MIN_SPEECH_SECONDS, SpectrogramStream, Spectrogram, SpeechReport, downmix,
                          measure_speech)
from .voice import VoiceEncoder

__all__ = ["Model", "Pipeline", "Spectrogram", "SpectrogramStream", "VoiceEncoder", "FaceDecoder",
           "FaceEncoder", "FaceIndex", "Metric", "Storage", "ExportFormat", "S2FError", "downmix",
           "warp_image", "crop_resize", "measure_speech", "SpeechReport", "MIN_SPEECH_SECONDS", "topk_merge", "version", "set_log_callback", "strerror",
           "status_name"]

LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR = range(4)


def version() -> str:
    """Version string of the loaded library ("0.1.0")."""
    return _lib.text(lib.s2f_version_string())


def strerror(status: int) -> str:
    """The library's one-line description of a status code."""
    return _lib.text(lib.s2f_strerror(status))


def status_name(status: int) -> str:
    """The name of a status code ("S2F_ERR_IO")."""
    return _lib.status_name(status)


_log_callback = None  # the ctypes thunk must outlive its registration


def set_log_callback(function: Optional[Callable[[int, str], None]],
                     min_level: int = LOG_WARNING) -> None:
    """Routes the library's log messages to function(level, message) (None turns logging off).
    It may be called from any thread that calls into the library."""
    global _log_callback
    if function is None:
        thunk = _lib.LOG_FN()
    else:
        def thunk_body(level, message, _user):
            try:
                function(level, _lib.text(message))
            except Exception:  # never propagate into C
                pass
        thunk = _lib.LOG_FN(thunk_body)
    _lib.check(lib.s2f_set_log_callback(thunk, None, int(min_level)))
    _log_callback = thunk


__version__ = version()
del ctypes
