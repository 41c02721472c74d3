"""Model containers (``s2f_model``): the weights and hyperparameters of the networks."""
import ctypes
import os
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from . import _lib
from ._lib import check, lib

_DTYPES = {0: "float32", 1: "float16", 2: "int32", 3: "uint8"}
PathLike = Union[str, bytes, "os.PathLike[str]"]
VALUE_I64, VALUE_F64, VALUE_STRING, VALUE_I64_ARRAY, VALUE_F32_ARRAY = range(5)


def _packaged_model():
    """The default model a wheel carries in the package directory, or None."""
    path = os.path.join(_lib.PACKAGE_DIR, "default.s2fm")
    return path if os.path.isfile(path) else None


def _clone_model():
    """models/default.s2fm of the source tree when the package is imported from a clone
    (bindings/python on PYTHONPATH), as the s2f tool falls back to it from a build directory."""
    path = os.path.join(_lib.PACKAGE_DIR, os.pardir, os.pardir, os.pardir, "models",
                        "default.s2fm")
    return os.path.normpath(path) if os.path.isfile(path) else None


class _ModelMemory:
    """Owns the C model. Encoders and decoders built from a model keep a reference to this object,
    because the library reads weights in place: the C model is freed only when the Model *and*
    everything built from it are closed or collected."""

    def __init__(self, pointer, buffer=None):
        self.pointer = pointer

    def __del__(self):
        pointer, self.pointer = self.pointer, None
        if pointer:
            try:
                lib.s2f_model_free(pointer)
            except Exception:
                pass


class Model:
    """A loaded model container (immutable, shareable between threads).

    ``Model(path)`` maps the file read-only (``use_mmap=False`` reads it instead);
    ``Model.from_bytes(data)`` copies a container from memory. Raises S2FError (e.g. S2F_ERR_IO,
    S2F_ERR_BAD_FORMAT, S2F_ERR_CHECKSUM_MISMATCH) for a file that cannot be used.
    Use as a context manager or call close(); encoders built from it stay valid after close()."""

    def __init__(self, path: Optional[PathLike] = None, *, verify_checksum: bool = True,
                 use_mmap: bool = True, _pointer=None) -> None:
        if _pointer is None:
            params = _load_params(verify_checksum, use_mmap)
            out = ctypes.c_void_p()
            check(lib.s2f_model_load_file(_lib.fspath_bytes(path), ctypes.byref(params),
                                          ctypes.byref(out)))
            _pointer = out.value
        self._memory = _ModelMemory(_pointer)

    @classmethod
    def default(cls, *, verify_checksum: bool = True, use_mmap: bool = True) -> "Model":
        """The default model: $S2F_MODEL; else the one a wheel carries inside this package;
        else the one installed beside the library; else, imported from a clone, the clone's
        models/default.s2fm (``default_path()`` says which). Raises S2FError
        S2F_ERR_NOT_FOUND, listing where it looked."""
        # s2f_model_load_default is s2f_model_default_path + load: default_path() adds the
        # wheel's and the clone's model to the library's search.
        return cls(cls.default_path(), verify_checksum=verify_checksum, use_mmap=use_mmap)

    @staticmethod
    def default_path() -> str:
        """The path Model.default() loads."""
        packaged = _packaged_model()
        if packaged and not os.environ.get("S2F_MODEL"):
            return packaged
        length = ctypes.c_size_t()
        status = lib.s2f_model_default_path(None, 0, ctypes.byref(length))
        clone = _clone_model()
        if clone and _lib.status_name(status) == "S2F_ERR_NOT_FOUND":
            return clone
        if status not in (0, 8):  # S2F_OK, S2F_ERR_BUFFER_TOO_SMALL (the length is set)
            check(status)
        buffer = ctypes.create_string_buffer(length.value + 1)
        check(lib.s2f_model_default_path(buffer, len(buffer), None))
        return os.fsdecode(buffer.value)

    @classmethod
    def from_bytes(cls, data: bytes, *, verify_checksum: bool = True) -> "Model":
        """Loads a container from a bytes-like object (copied; `data` may be reused at once)."""
        view = memoryview(data).cast("B")
        buffer = (ctypes.c_char * len(view)).from_buffer_copy(view) if len(view) else None
        params = _load_params(verify_checksum, True)
        out = ctypes.c_void_p()
        check(lib.s2f_model_load_buffer(buffer, len(view), ctypes.byref(params),
                                        ctypes.byref(out)))
        return cls(_pointer=out.value)

    @property
    def _handle(self):
        if self._memory is None:
            raise ValueError("Model is closed")
        return self._memory.pointer

    def close(self) -> None:
        """Releases this reference to the model (the memory goes when no encoder uses it)."""
        self._memory = None

    @property
    def closed(self) -> bool:
        """True after close()."""
        return self._memory is None

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc):
        self.close()

    def has_component(self, component: str) -> bool:
        """True if the container holds "<component>.*" entries (e.g. "voice_encoder")."""
        has = ctypes.c_int()
        check(lib.s2f_model_has_component(self._handle, component.encode(), ctypes.byref(has)))
        return bool(has.value)

    def _text(self, function, *args):
        needed = ctypes.c_size_t()
        check(function(self._handle, *args, None, 0, ctypes.byref(needed)))
        buffer = ctypes.create_string_buffer(needed.value)
        check(function(self._handle, *args, buffer, needed.value, ctypes.byref(needed)))
        return buffer.value.decode("utf-8")

    def metadata_keys(self) -> List[str]:
        """Metadata keys in byte order."""
        count = ctypes.c_size_t()
        check(lib.s2f_model_metadata_count(self._handle, ctypes.byref(count)))
        return [self._text(lib.s2f_model_metadata_key, ctypes.c_size_t(i))
                for i in range(count.value)]

    def metadata(self, key: str) -> Any:
        """The value at `key`: int, float, str, or a numpy int64/float32 array."""
        k = key.encode()
        kind, count = ctypes.c_int(), ctypes.c_size_t()
        check(lib.s2f_model_metadata_type(self._handle, k, ctypes.byref(kind), ctypes.byref(count)))
        if kind.value == VALUE_I64:
            value = ctypes.c_int64()
            check(lib.s2f_model_metadata_i64(self._handle, k, ctypes.byref(value)))
            return value.value
        if kind.value == VALUE_F64:
            value = ctypes.c_double()
            check(lib.s2f_model_metadata_f64(self._handle, k, ctypes.byref(value)))
            return value.value
        if kind.value == VALUE_STRING:
            return self._text(lib.s2f_model_metadata_string, k)
        if kind.value == VALUE_I64_ARRAY:
            out = np.zeros(count.value, np.int64)
            check(lib.s2f_model_metadata_i64_array(self._handle, k, _lib.as_int64_ptr(out),
                                                   out.size, ctypes.byref(count)))
            return out
        out = np.zeros(count.value, np.float32)
        check(lib.s2f_model_metadata_f32_array(self._handle, k, _lib.as_float_ptr(out), out.size,
                                               ctypes.byref(count)))
        return out

    def metadata_dict(self) -> Dict[str, Any]:
        """Every metadata entry as {key: value}."""
        return {key: self.metadata(key) for key in self.metadata_keys()}

    def tensor_names(self) -> List[str]:
        """Tensor names in byte order."""
        count = ctypes.c_size_t()
        check(lib.s2f_model_tensor_count(self._handle, ctypes.byref(count)))
        return [self._text(lib.s2f_model_tensor_name, ctypes.c_size_t(i))
                for i in range(count.value)]

    def tensor_info(self, name: str) -> Tuple[str, Tuple[int, ...]]:
        """(numpy dtype name, shape tuple) of tensor `name`."""
        dtype, ndim, shape = ctypes.c_int(), ctypes.c_int(), (ctypes.c_int64 * 4)()
        check(lib.s2f_model_tensor_info(self._handle, name.encode(), ctypes.byref(dtype),
                                        ctypes.byref(ndim), shape))
        return _DTYPES.get(dtype.value, "unknown"), tuple(shape[:ndim.value])


def _load_params(verify_checksum, use_mmap):
    params = _lib.ModelLoadParams()
    check(lib.s2f_model_load_default_params_sized(ctypes.byref(params), ctypes.sizeof(params)))
    params.verify_checksum = 1 if verify_checksum else 0
    params.use_mmap = 1 if use_mmap else 0
    return params


def model_memory(model):
    """(pointer, owner) for building handles from `model`: the owner keeps the weights alive."""
    if not isinstance(model, Model):
        raise TypeError(f"expected a speech2face.Model, not {type(model).__name__}")
    return model._handle, model._memory
