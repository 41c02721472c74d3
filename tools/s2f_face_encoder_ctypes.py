"""Minimal ctypes binding of the s2f_face_encoder API (and s2f_image_crop_resize), shared by the
face encoder's comparison scripts and live tests (not a public binding: see bindings/)."""
import ctypes
import os

import numpy as np

FILTERS = {"model": 0, "bilinear_tf": 1, "antialias": 2}


class S2FError(RuntimeError):
    def __init__(self, status, message):
        super().__init__(f"status {status}: {message}")
        self.status = status


def load_library(path):
    lib = ctypes.CDLL(os.path.abspath(path))
    P, Z, I, D = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_double
    lib.s2f_last_error_message.restype = ctypes.c_char_p
    lib.s2f_model_load_file.argtypes = [ctypes.c_char_p, P, ctypes.POINTER(P)]
    lib.s2f_model_free.argtypes = [P]
    lib.s2f_model_free.restype = None
    lib.s2f_face_encoder_create.argtypes = [P, ctypes.POINTER(P)]
    lib.s2f_face_encoder_free.argtypes = [P]
    lib.s2f_face_encoder_free.restype = None
    lib.s2f_face_encoder_last_error.argtypes = [P]
    lib.s2f_face_encoder_last_error.restype = ctypes.c_char_p
    lib.s2f_face_encoder_shape.argtypes = [P, ctypes.POINTER(Z), ctypes.POINTER(Z)]
    lib.s2f_face_encoder_set_resize_filter.argtypes = [P, I]
    lib.s2f_face_encoder_encode.argtypes = [P, P, I, I, Z, P, Z]
    lib.s2f_face_encoder_encode_batch.argtypes = [P, P, Z, I, I, Z, Z, P, Z]
    lib.s2f_image_crop_resize.argtypes = [P, I, I, Z, D, D, D, D, I, P, I, I, Z]
    return lib


class FaceEncoder:
    """Loads a container and builds an encoder from it."""

    def __init__(self, lib, model_path):
        self.lib = lib
        self.model = ctypes.c_void_p()
        self.handle = ctypes.c_void_p()
        if lib.s2f_model_load_file(str(model_path).encode(), None, ctypes.byref(self.model)):
            raise S2FError(-1, lib.s2f_last_error_message().decode())
        status = lib.s2f_face_encoder_create(self.model, ctypes.byref(self.handle))
        if status:
            message = lib.s2f_last_error_message().decode()
            self.close()
            raise S2FError(status, message)
        dim, size = ctypes.c_size_t(), ctypes.c_size_t()
        lib.s2f_face_encoder_shape(self.handle, ctypes.byref(dim), ctypes.byref(size))
        self.feature_dim, self.input_size = dim.value, size.value

    def set_filter(self, name):
        self._check(self.lib.s2f_face_encoder_set_resize_filter(self.handle, FILTERS[name]))

    def _check(self, status):
        if status:
            raise S2FError(status, self.lib.s2f_face_encoder_last_error(self.handle).decode())

    def encode(self, rgb):
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        out = np.zeros(self.feature_dim, np.float32)
        h, w = rgb.shape[:2]
        self._check(self.lib.s2f_face_encoder_encode(
            self.handle, rgb.ctypes.data, w, h, w * 3, out.ctypes.data, out.size))
        return out

    def close(self):
        if self.handle:
            self.lib.s2f_face_encoder_free(self.handle)
            self.handle = None
        if self.model:
            self.lib.s2f_model_free(self.model)
            self.model = None

    def __del__(self):
        self.close()


def crop_resize(lib, rgb, box, out_size, filter_name="antialias"):
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    ow, oh = out_size
    out = np.zeros((oh, ow, 3), np.uint8)
    status = lib.s2f_image_crop_resize(rgb.ctypes.data, w, h, w * 3, *[float(v) for v in box],
                                       FILTERS[filter_name], out.ctypes.data, ow, oh, ow * 3)
    if status:
        raise S2FError(status, lib.s2f_last_error_message().decode())
    return out
