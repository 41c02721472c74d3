"""Face photo crop → face feature (``s2f_face_encoder``) and the crop/resize helper."""
import ctypes
from typing import TYPE_CHECKING, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import Handle, check, lib
from .model import model_memory

if TYPE_CHECKING:
    from .model import Model

RESIZE_MODEL_DEFAULT, RESIZE_BILINEAR_TF, RESIZE_BILINEAR_ANTIALIAS = 0, 1, 2


def _rgb(image):
    rgb = np.ascontiguousarray(image, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got shape {rgb.shape}")
    return rgb


class FaceEncoder(Handle):
    """The face encoder of a Model's "face_encoder" component (face-api's 128-D network by
    default). encode((H, W, 3) uint8 RGB face crop) → (feature_dim,) float32; encode_batch takes
    (count, H, W, 3). Faces are not detected: give a crop. One per thread."""

    _free = "s2f_face_encoder_free"

    def __init__(self, model: "Model") -> None:
        pointer, owner = model_memory(model)
        out = ctypes.c_void_p()
        check(lib.s2f_face_encoder_create(pointer, ctypes.byref(out)))
        super().__init__(out.value, keep_alive=owner)
        dim, size = ctypes.c_size_t(), ctypes.c_size_t()
        self._check(lib.s2f_face_encoder_shape(self._handle, ctypes.byref(dim), ctypes.byref(size)))
        self.feature_dim, self.input_size = dim.value, size.value

    def _check(self, status):
        check(status, _lib.text(lib.s2f_face_encoder_last_error(self._handle)))

    def set_resize_filter(self, resize_filter: int) -> None:
        """RESIZE_MODEL_DEFAULT, RESIZE_BILINEAR_TF or RESIZE_BILINEAR_ANTIALIAS."""
        self._check(lib.s2f_face_encoder_set_resize_filter(self._handle, int(resize_filter)))

    def encode(self, image: ArrayLike) -> np.ndarray:
        """A face crop, uint8 (H, W, 3) RGB of any size → its feature, float32 (feature_dim,)."""
        rgb = _rgb(image)
        out = np.empty(self.feature_dim, np.float32)
        self._check(lib.s2f_face_encoder_encode(self._handle, _lib.as_uint8_ptr(rgb), rgb.shape[1],
                                                rgb.shape[0], rgb.shape[1] * 3,
                                                _lib.as_float_ptr(out), out.size))
        return out

    def encode_batch(self, images: ArrayLike) -> np.ndarray:
        """Crops of one size, uint8 (count, H, W, 3) → features, float32 (count, feature_dim)."""
        rgb = np.ascontiguousarray(images, dtype=np.uint8)
        if rgb.ndim != 4 or rgb.shape[3] != 3 or rgb.shape[0] == 0:
            raise ValueError(f"expected (count, H, W, 3) uint8 images, got shape {rgb.shape}")
        count, height, width = rgb.shape[:3]
        out = np.empty((count, self.feature_dim), np.float32)
        self._check(lib.s2f_face_encoder_encode_batch(
            self._handle, _lib.as_uint8_ptr(rgb), count, width, height, width * 3,
            height * width * 3, _lib.as_float_ptr(out), out.size))
        return out


def crop_resize(image: ArrayLike, box: Sequence[float], size: Tuple[int, int],
                resize_filter: int = RESIZE_MODEL_DEFAULT) -> np.ndarray:
    """Crops box = (x, y, width, height) (pixel units, may extend past the image: black) from an
    (H, W, 3) uint8 image and resizes it to size = (out_width, out_height)."""
    rgb = _rgb(image)
    out_width, out_height = size
    out = np.empty((out_height, out_width, 3), np.uint8)
    x, y, w, h = (float(v) for v in box)
    check(lib.s2f_image_crop_resize(_lib.as_uint8_ptr(rgb), rgb.shape[1], rgb.shape[0],
                                    rgb.shape[1] * 3, x, y, w, h, int(resize_filter),
                                    _lib.as_uint8_ptr(out), out_width, out_height, out_width * 3))
    return out
