"""Face feature → canonical face image (``s2f_face_decoder``), and the spline warp it uses."""
import ctypes
from typing import TYPE_CHECKING, Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import Handle, check, lib
from .model import model_memory

if TYPE_CHECKING:
    from .model import Model


class FaceDecoder(Handle):
    """The face decoder of a Model's "face_decoder" component.

    decode(feature) → (image (H, W, 3) float32 in [0, 1], landmarks (L, 2) float32 (x, y));
    decode_u8 gives a uint8 image; decode_texture the unwarped texture. One per thread."""

    _free = "s2f_face_decoder_free"

    def __init__(self, model: "Model") -> None:
        pointer, owner = model_memory(model)
        out = ctypes.c_void_p()
        check(lib.s2f_face_decoder_create(pointer, ctypes.byref(out)))
        super().__init__(out.value, keep_alive=owner)
        dims = [ctypes.c_size_t() for _ in range(4)]
        self._check(lib.s2f_face_decoder_shape(self._handle, *[ctypes.byref(d) for d in dims]))
        self.feature_dim, self.height, self.width, self.landmark_count = (d.value for d in dims)

    def _check(self, status):
        check(status, _lib.text(lib.s2f_face_decoder_last_error(self._handle)))

    def _feature(self, feature):
        f = np.ascontiguousarray(feature, dtype=np.float32)
        if f.ndim != 1:
            raise ValueError(f"expected a 1-D feature, got shape {f.shape}")
        return f

    def _decode(self, function, feature):
        f = self._feature(feature)
        image = np.empty((self.height, self.width, 3), np.float32)
        landmarks = np.empty((self.landmark_count, 2), np.float32)
        self._check(function(self._handle, _lib.as_float_ptr(f), f.size, _lib.as_float_ptr(image),
                             image.size, _lib.as_float_ptr(landmarks), landmarks.size))
        return image, landmarks

    def decode(self, feature: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
        """Feature (D,) → (image float32 (H, W, 3) in [0, 1], landmarks float32 (L, 2) pixels)."""
        return self._decode(lib.s2f_face_decoder_decode, feature)

    def decode_texture(self, feature: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
        """As decode(), but the texture before the warp (the face at the mean landmarks)."""
        return self._decode(lib.s2f_face_decoder_decode_texture, feature)

    def decode_u8(self, feature: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
        """As decode(), with the image as uint8 (H, W, 3) RGB (H = W = the model's size: 112 for
        the shipped model)."""
        f = self._feature(feature)
        image = np.empty((self.height, self.width, 3), np.uint8)
        landmarks = np.empty((self.landmark_count, 2), np.float32)
        self._check(lib.s2f_face_decoder_decode_u8(self._handle, _lib.as_float_ptr(f), f.size,
                                                   _lib.as_uint8_ptr(image), self.width * 3,
                                                   image.size, _lib.as_float_ptr(landmarks),
                                                   landmarks.size))
        return image, landmarks

    def mean_landmarks(self) -> np.ndarray:
        """The landmarks of the texture (the training faces' mean), float32 (L, 2) pixels."""
        out = np.empty((self.landmark_count, 2), np.float32)
        check(lib.s2f_face_decoder_mean_landmarks(self._handle, _lib.as_float_ptr(out), out.size))
        return out


def warp_image(image: ArrayLike, src_points: ArrayLike, dst_points: ArrayLike, *,
               order: Optional[int] = None, boundary_points: Optional[int] = None,
               regularization: Optional[float] = None) -> np.ndarray:
    """Moves `src_points` (n, 2) to `dst_points` with a polyharmonic spline warp
    (s2f_warp_image). `image` is (H, W, C) float32 or uint8; returns the same dtype and shape."""
    params = _lib.WarpParams()
    check(lib.s2f_warp_default_params_sized(ctypes.byref(params), ctypes.sizeof(params)))
    for name, value in (("order", order), ("boundary_points", boundary_points),
                        ("regularization", regularization)):
        if value is not None:
            setattr(params, name, value)
    src = np.ascontiguousarray(src_points, dtype=np.float32)
    dst = np.ascontiguousarray(dst_points, dtype=np.float32)
    if src.ndim != 2 or src.shape[1] != 2 or dst.shape != src.shape:
        raise ValueError(f"expected two (n, 2) point arrays, got {src.shape} and {dst.shape}")
    u8 = np.asarray(image).dtype == np.uint8
    img = np.ascontiguousarray(image, dtype=np.uint8 if u8 else np.float32)
    if img.ndim != 3:
        raise ValueError(f"expected an (H, W, C) image, got shape {img.shape}")
    out = np.empty_like(img)
    function, pointer = ((lib.s2f_warp_image_u8, _lib.as_uint8_ptr) if u8
                         else (lib.s2f_warp_image, _lib.as_float_ptr))
    check(function(pointer(img), img.shape[0], img.shape[1], img.shape[2], _lib.as_float_ptr(src),
                   _lib.as_float_ptr(dst), src.shape[0], ctypes.byref(params), pointer(out)))
    return out
