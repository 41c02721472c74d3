"""ctypes prototypes of the C API (include/speech2face.h) and the loader of the shared library.

The library is found, in order, at ``$S2F_LIBRARY`` (a path to the .so); where the install that
put this package here put it (``_install.py``, written by meson: the wheel's bundled copy in
``site-packages/.speech2face.mesonpy.libs``, or a ``meson install``'s libdir); in the ``libdir``
that ``pkg-config --variable=libdir speech2face`` reports; then by the platform's loader
(``ctypes.util.find_library``, ``LD_LIBRARY_PATH``). Every function the bindings call has its
``argtypes``/``restype`` declared here, so ctypes converts and checks arguments instead of
guessing; ``PROTOTYPES`` lists them (a test checks it against the header).
"""
import ctypes
import ctypes.util
import glob
import os
import subprocess
from typing import TypeVar

from .errors import S2FError

c_size = ctypes.c_size_t
c_float_p = ctypes.POINTER(ctypes.c_float)
c_uint8_p = ctypes.POINTER(ctypes.c_uint8)
c_int64_p = ctypes.POINTER(ctypes.c_int64)
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_void_pp = ctypes.POINTER(ctypes.c_void_p)
status_t = ctypes.c_int  # s2f_status (a C enum)
enum_t = ctypes.c_int

LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)


class ModelLoadParams(ctypes.Structure):
    _fields_ = [("size", c_size), ("verify_checksum", ctypes.c_int32),
                ("use_mmap", ctypes.c_int32)]


class SpectrogramParams(ctypes.Structure):
    _fields_ = [("size", c_size), ("sample_rate", ctypes.c_double),
                ("clip_seconds", ctypes.c_double), ("segment_hop_seconds", ctypes.c_double),
                ("exponent", ctypes.c_double), ("window", ctypes.c_int32),
                ("hop", ctypes.c_int32), ("fft_size", ctypes.c_int32),
                ("analysis_rate", ctypes.c_int32)]


class WarpParams(ctypes.Structure):
    _fields_ = [("size", c_size), ("order", ctypes.c_int32),
                ("boundary_points", ctypes.c_int32), ("regularization", ctypes.c_double)]


class SpeechReport(ctypes.Structure):
    _fields_ = [("size", c_size), ("seconds", ctypes.c_double), ("speech_seconds", ctypes.c_double),
                ("modulation_db", ctypes.c_double)]


class FaceIndexParams(ctypes.Structure):
    _fields_ = [("size", c_size), ("dim", c_size), ("metric", enum_t), ("storage", enum_t),
                ("threads", c_size)]


P = ctypes.c_void_p  # every opaque handle
S = ctypes.c_char_p
PROTOTYPES = {
    # core
    "s2f_version": (ctypes.c_uint32, []),
    "s2f_version_string": (S, []),
    "s2f_strerror": (S, [status_t]),
    "s2f_status_name": (S, [status_t]),
    "s2f_last_error_message": (S, []),
    "s2f_set_log_callback": (status_t, [LOG_FN, ctypes.c_void_p, enum_t]),
    # model
    "s2f_model_load_default_params_sized": (status_t, [ctypes.POINTER(ModelLoadParams), c_size]),
    "s2f_model_load_file": (status_t, [S, ctypes.POINTER(ModelLoadParams), c_void_pp]),
    "s2f_model_default_path": (status_t, [ctypes.c_char_p, c_size, c_size_p]),
    "s2f_model_load_default": (status_t, [ctypes.POINTER(ModelLoadParams), c_void_pp]),
    "s2f_model_load_buffer": (status_t, [ctypes.c_void_p, c_size, ctypes.POINTER(ModelLoadParams),
                                         c_void_pp]),
    "s2f_model_free": (None, [P]),
    "s2f_model_has_component": (status_t, [P, S, ctypes.POINTER(ctypes.c_int)]),
    "s2f_model_metadata_count": (status_t, [P, c_size_p]),
    "s2f_model_metadata_key": (status_t, [P, c_size, ctypes.c_char_p, c_size, c_size_p]),
    "s2f_model_metadata_type": (status_t, [P, S, ctypes.POINTER(enum_t), c_size_p]),
    "s2f_model_metadata_i64": (status_t, [P, S, c_int64_p]),
    "s2f_model_metadata_f64": (status_t, [P, S, ctypes.POINTER(ctypes.c_double)]),
    "s2f_model_metadata_string": (status_t, [P, S, ctypes.c_char_p, c_size, c_size_p]),
    "s2f_model_metadata_i64_array": (status_t, [P, S, c_int64_p, c_size, c_size_p]),
    "s2f_model_metadata_f32_array": (status_t, [P, S, c_float_p, c_size, c_size_p]),
    "s2f_model_tensor_count": (status_t, [P, c_size_p]),
    "s2f_model_tensor_name": (status_t, [P, c_size, ctypes.c_char_p, c_size, c_size_p]),
    "s2f_model_tensor_info": (status_t, [P, S, ctypes.POINTER(enum_t), ctypes.POINTER(ctypes.c_int),
                                         c_int64_p]),
    # spectrogram
    "s2f_spectrogram_default_params_sized": (status_t, [ctypes.POINTER(SpectrogramParams), c_size]),
    "s2f_spectrogram_create": (status_t, [ctypes.POINTER(SpectrogramParams), c_void_pp]),
    "s2f_spectrogram_free": (None, [P]),
    "s2f_spectrogram_last_error": (S, [P]),
    "s2f_spectrogram_get_params": (status_t, [P, ctypes.POINTER(SpectrogramParams)]),
    "s2f_spectrogram_shape": (status_t, [P, c_size, c_size_p, c_size_p]),
    "s2f_spectrogram_compute": (status_t, [P, c_float_p, c_size, c_float_p, c_size, c_size_p]),
    "s2f_spectrogram_segment_count": (status_t, [P, c_size, c_size_p]),
    "s2f_pipeline_create": (status_t, [P, c_void_pp]),
    "s2f_pipeline_free": (None, [P]),
    "s2f_pipeline_last_error": (S, [P]),
    "s2f_pipeline_set_min_speech": (status_t, [P, ctypes.c_double]),
    "s2f_pipeline_shape": (status_t, [P, c_size_p, c_size_p, c_size_p, c_size_p]),
    "s2f_pipeline_encode": (status_t, [P, c_float_p, c_size, ctypes.c_int, ctypes.c_double,
                                       ctypes.c_int, c_float_p, c_size]),
    "s2f_pipeline_encode_batch": (status_t, [P, ctypes.POINTER(c_float_p), c_size_p, c_size,
                                             ctypes.c_int, ctypes.c_double, ctypes.c_int,
                                             c_float_p, c_size]),
    "s2f_pipeline_face": (status_t, [P, c_float_p, c_size, ctypes.c_int, ctypes.c_double,
                                     ctypes.c_int, c_float_p, c_size, c_uint8_p, c_size, c_size,
                                     c_float_p, c_size]),
    "s2f_pipeline_search": (status_t, [P, P, c_float_p, c_size, ctypes.c_int, ctypes.c_double,
                                       ctypes.c_int, c_size, c_int64_p, c_float_p, c_size_p]),
    "s2f_pipeline_begin": (status_t, [P, ctypes.c_int, ctypes.c_double, ctypes.c_int]),
    "s2f_pipeline_write": (status_t, [P, c_float_p, c_size, ctypes.POINTER(ctypes.c_int)]),
    "s2f_pipeline_finish": (status_t, [P, c_float_p, c_size]),
    "s2f_spectrogram_stream_create": (status_t, [ctypes.POINTER(SpectrogramParams), c_void_pp]),
    "s2f_spectrogram_stream_free": (None, [P]),
    "s2f_spectrogram_stream_last_error": (S, [P]),
    "s2f_spectrogram_stream_write": (status_t, [P, c_float_p, c_size]),
    "s2f_spectrogram_stream_finish": (status_t, [P]),
    "s2f_spectrogram_stream_read": (status_t, [P, c_float_p, c_size, c_size_p]),
    "s2f_spectrogram_compute_segments": (status_t, [P, c_float_p, c_size, c_float_p, c_size,
                                                    c_size_p]),
    "s2f_audio_downmix": (status_t, [c_float_p, c_size, ctypes.c_int, c_float_p]),
    # speech detection
    "s2f_speech_meter_create": (status_t, [ctypes.c_double, c_void_pp]),
    "s2f_speech_meter_free": (None, [P]),
    "s2f_speech_meter_last_error": (S, [P]),
    "s2f_speech_meter_write": (status_t, [P, c_float_p, c_size]),
    "s2f_speech_meter_finish": (status_t, [P, ctypes.POINTER(SpeechReport)]),
    "s2f_speech_measure": (status_t, [c_float_p, c_size, ctypes.c_double,
                                      ctypes.POINTER(SpeechReport)]),
    # voice encoder
    "s2f_voice_encoder_create": (status_t, [P, c_void_pp]),
    "s2f_voice_encoder_free": (None, [P]),
    "s2f_voice_encoder_last_error": (S, [P]),
    "s2f_voice_encoder_shape": (status_t, [P, c_size_p, c_size_p, c_size_p, c_size_p]),
    "s2f_voice_encoder_set_threads": (status_t, [P, c_size]),
    "s2f_voice_encoder_encode": (status_t, [P, c_float_p, c_size, c_size, c_size, c_float_p,
                                            c_size]),
    "s2f_voice_encoder_encode_batch": (status_t, [P, c_float_p, c_size, c_size, c_size, c_size,
                                                  c_float_p, c_size]),
    # warp and face decoder
    "s2f_warp_default_params_sized": (status_t, [ctypes.POINTER(WarpParams), c_size]),
    "s2f_warp_image": (status_t, [c_float_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, c_float_p,
                                  c_float_p, c_size, ctypes.POINTER(WarpParams), c_float_p]),
    "s2f_warp_image_u8": (status_t, [c_uint8_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                     c_float_p, c_float_p, c_size, ctypes.POINTER(WarpParams),
                                     c_uint8_p]),
    "s2f_face_decoder_create": (status_t, [P, c_void_pp]),
    "s2f_face_decoder_free": (None, [P]),
    "s2f_face_decoder_last_error": (S, [P]),
    "s2f_face_decoder_shape": (status_t, [P, c_size_p, c_size_p, c_size_p, c_size_p]),
    "s2f_face_decoder_decode": (status_t, [P, c_float_p, c_size, c_float_p, c_size, c_float_p,
                                           c_size]),
    "s2f_face_decoder_decode_u8": (status_t, [P, c_float_p, c_size, c_uint8_p, c_size, c_size,
                                              c_float_p, c_size]),
    "s2f_face_decoder_decode_texture": (status_t, [P, c_float_p, c_size, c_float_p, c_size,
                                                   c_float_p, c_size]),
    "s2f_face_decoder_mean_landmarks": (status_t, [P, c_float_p, c_size]),
    # face encoder
    "s2f_face_encoder_create": (status_t, [P, c_void_pp]),
    "s2f_face_encoder_free": (None, [P]),
    "s2f_face_encoder_last_error": (S, [P]),
    "s2f_face_encoder_shape": (status_t, [P, c_size_p, c_size_p]),
    "s2f_face_encoder_set_resize_filter": (status_t, [P, enum_t]),
    "s2f_face_encoder_encode": (status_t, [P, c_uint8_p, ctypes.c_int, ctypes.c_int, c_size,
                                           c_float_p, c_size]),
    "s2f_face_encoder_encode_batch": (status_t, [P, c_uint8_p, c_size, ctypes.c_int, ctypes.c_int,
                                                 c_size, c_size, c_float_p, c_size]),
    "s2f_image_crop_resize": (status_t, [c_uint8_p, ctypes.c_int, ctypes.c_int, c_size,
                                         ctypes.c_double, ctypes.c_double, ctypes.c_double,
                                         ctypes.c_double, enum_t, c_uint8_p, ctypes.c_int,
                                         ctypes.c_int, c_size]),
    # face index
    "s2f_face_index_default_params_sized": (status_t, [ctypes.POINTER(FaceIndexParams), c_size]),
    "s2f_face_index_create": (status_t, [ctypes.POINTER(FaceIndexParams), c_void_pp]),
    "s2f_face_index_free": (None, [P]),
    "s2f_face_index_last_error": (S, [P]),
    "s2f_face_index_add": (status_t, [P, c_int64_p, c_float_p, c_size]),
    "s2f_face_index_remove": (status_t, [P, ctypes.c_int64]),
    "s2f_face_index_size": (c_size, [P]),
    "s2f_face_index_dim": (c_size, [P]),
    "s2f_face_index_search": (status_t, [P, c_float_p, c_size, c_int64_p, c_float_p, c_size_p]),
    "s2f_face_index_search_batch": (status_t, [P, c_float_p, c_size, c_size, c_int64_p, c_float_p,
                                               c_size_p]),
    "s2f_face_index_save": (status_t, [P, S]),
    "s2f_face_index_load": (status_t, [S, c_void_pp]),
    "s2f_face_index_set_threads": (status_t, [P, c_size]),
    "s2f_face_index_export": (status_t, [P, S, S, enum_t]),
    "s2f_topk_merge": (status_t, [enum_t, c_size, c_size, c_int64_p, c_float_p, c_size_p, c_size,
                                  c_int64_p, c_float_p, c_size_p]),
}


PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
try:  # absent when the package runs from the source tree (PYTHONPATH=bindings/python)
    from . import _install
except ImportError:
    _install = None


def installed_libdir():
    """The directory the installing build put the library in, or None (source tree)."""
    if _install is None:
        return None
    if _install.WHEEL:
        return os.path.join(os.path.dirname(PACKAGE_DIR), ".speech2face.mesonpy.libs")
    return _install.LIBDIR or None


def _candidates():
    explicit = os.environ.get("S2F_LIBRARY")
    if explicit:
        yield explicit
        return
    own = installed_libdir()
    if own:
        yield os.path.join(own, "libspeech2face.so.0")
        # a wheel holds the one real file, libspeech2face.so.<version>, without the links
        yield from sorted(glob.glob(os.path.join(glob.escape(own), "libspeech2face.so.*")))
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "speech2face"],
                                capture_output=True, text=True, check=True).stdout.strip()
        if libdir:
            yield os.path.join(libdir, "libspeech2face.so.0")
            yield os.path.join(libdir, "libspeech2face.so")
    except (OSError, subprocess.CalledProcessError):
        pass
    found = ctypes.util.find_library("speech2face")
    if found:
        yield found
    yield "libspeech2face.so.0"


def _load():
    errors = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate)
        except OSError as error:
            errors.append(f"{candidate}: {error}")
    raise ImportError("libspeech2face not found (set S2F_LIBRARY to the .so, or install it where "
                      "pkg-config finds speech2face): " + "; ".join(errors))


lib = _load()
for _name, (_restype, _argtypes) in PROTOTYPES.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes


def text(value):
    """A C string from the library as str ("" for NULL)."""
    return value.decode("utf-8", "replace") if value else ""


def status_name(status):
    return text(lib.s2f_status_name(status))


def check(status, message=None):
    """Raises S2FError unless status is S2F_OK. `message` is a handle's last_error, or None for
    the calling thread's message (functions without a handle, failed constructors)."""
    if status != 0:
        if message is None:
            message = text(lib.s2f_last_error_message())
        raise S2FError(status, status_name(status), message)


def fspath_bytes(path):
    """A filesystem path (str, bytes, os.PathLike) as bytes for the C API."""
    return os.fsencode(os.fspath(path))


def as_float_ptr(array):
    return array.ctypes.data_as(c_float_p)


def as_uint8_ptr(array):
    return array.ctypes.data_as(c_uint8_p)


def as_int64_ptr(array):
    return array.ctypes.data_as(c_int64_p)


_H = TypeVar("_H", bound="Handle")


class Handle:
    """Base of the owning wrappers: close() frees the C handle (idempotent), a context manager
    closes on exit, and garbage collection closes too. Using a closed handle raises ValueError."""

    _free = None  # name of the s2f_*_free function

    def __init__(self, pointer, keep_alive=None):
        self._ptr = pointer
        self._keep_alive = keep_alive  # e.g. the model an encoder reads weights from

    @property
    def _handle(self):
        if not self._ptr:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    def close(self) -> None:
        """Releases the C handle now (safe to call twice)."""
        pointer, self._ptr = getattr(self, "_ptr", None), None
        if pointer:
            getattr(lib, self._free)(pointer)
        self._keep_alive = None

    @property
    def closed(self) -> bool:
        """True after close()."""
        return not self._ptr

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: lib may already be gone
            pass
