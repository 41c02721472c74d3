"""Minimal ctypes access to libspeech2face's spectrogram API, for the live oracle and the
benchmark (the Python binding proper lives in bindings/python)."""
import ctypes

import numpy as np


class Params(ctypes.Structure):
    """Mirror of s2f_spectrogram_params (include/speech2face.h)."""
    _fields_ = [('size', ctypes.c_size_t), ('sample_rate', ctypes.c_double),
                ('clip_seconds', ctypes.c_double), ('segment_hop_seconds', ctypes.c_double),
                ('exponent', ctypes.c_double), ('window', ctypes.c_int32),
                ('hop', ctypes.c_int32), ('fft_size', ctypes.c_int32),
                ('analysis_rate', ctypes.c_int32)]


class Spectrogram:
    def __init__(self, library_path, **params):
        lib = ctypes.CDLL(library_path)
        lib.s2f_spectrogram_default_params_sized.argtypes = [ctypes.POINTER(Params), ctypes.c_size_t]
        lib.s2f_spectrogram_create.argtypes = [ctypes.POINTER(Params), ctypes.c_void_p]
        lib.s2f_spectrogram_free.argtypes = [ctypes.c_void_p]
        lib.s2f_spectrogram_last_error.restype = ctypes.c_char_p
        lib.s2f_spectrogram_last_error.argtypes = [ctypes.c_void_p]
        lib.s2f_last_error_message.restype = ctypes.c_char_p
        lib.s2f_spectrogram_shape.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                              ctypes.POINTER(ctypes.c_size_t),
                                              ctypes.POINTER(ctypes.c_size_t)]
        lib.s2f_spectrogram_compute.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                                ctypes.c_size_t, ctypes.c_void_p,
                                                ctypes.c_size_t, ctypes.c_void_p]
        lib.s2f_spectrogram_segment_count.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                                      ctypes.POINTER(ctypes.c_size_t)]
        lib.s2f_spectrogram_compute_segments.argtypes = lib.s2f_spectrogram_compute.argtypes
        self.lib = lib
        p = Params()
        if lib.s2f_spectrogram_default_params_sized(ctypes.byref(p), ctypes.sizeof(p)) != 0:
            raise RuntimeError(lib.s2f_last_error_message().decode())
        for key, value in params.items():
            setattr(p, key, value)
        if ctypes.sizeof(Params) != p.size:
            raise RuntimeError(f'Params mirror is {ctypes.sizeof(Params)} bytes, '
                               f'the library says {p.size}')
        self.handle = ctypes.c_void_p()
        status = lib.s2f_spectrogram_create(ctypes.byref(p), ctypes.byref(self.handle))
        if status != 0:
            raise RuntimeError(lib.s2f_last_error_message().decode())

    def __del__(self):
        if getattr(self, 'handle', None):
            self.lib.s2f_spectrogram_free(self.handle)

    def shape(self, n_samples):
        frames, bins = ctypes.c_size_t(), ctypes.c_size_t()
        self._check(self.lib.s2f_spectrogram_shape(self.handle, n_samples, ctypes.byref(frames),
                                                   ctypes.byref(bins)))
        return frames.value, bins.value

    def compute(self, pcm, out=None):
        pcm = np.ascontiguousarray(pcm, dtype=np.float32)
        frames, bins = self.shape(len(pcm))
        if out is None:
            out = np.empty((frames, bins, 2), dtype=np.float32)
        self._check(self.lib.s2f_spectrogram_compute(self.handle, pcm.ctypes.data, len(pcm),
                                                     out.ctypes.data, out.size, None))
        return out

    def segments(self, pcm):
        pcm = np.ascontiguousarray(pcm, dtype=np.float32)
        frames, bins = self.shape(len(pcm))
        count = ctypes.c_size_t()
        self._check(self.lib.s2f_spectrogram_segment_count(self.handle, len(pcm),
                                                           ctypes.byref(count)))
        out = np.empty((count.value, frames, bins, 2), dtype=np.float32)
        self._check(self.lib.s2f_spectrogram_compute_segments(self.handle, pcm.ctypes.data,
                                                              len(pcm), out.ctypes.data,
                                                              out.size, None))
        return out

    def _check(self, status):
        if status != 0:
            raise RuntimeError(self.lib.s2f_spectrogram_last_error(self.handle).decode())
