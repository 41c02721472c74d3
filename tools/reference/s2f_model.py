#!/usr/bin/python3
"""Reader and writer of libspeech2face model containers (docs/model-format.md), numpy only.

    write_model(path, metadata, tensors)     # metadata: {key: value}, tensors: {name: ndarray}
    metadata, tensors = read_model(path)     # verifies the checksum and every offset/size

Metadata values map to types by their Python type: int (and numpy integers, bool) -> i64,
float (numpy floating) -> f64, str -> string, and a list/tuple/ndarray of integers -> i64
array, of floats (or a mix with integers) -> f32 array (an empty list -> i64 array). Tensors
must be numpy arrays of float32 (F32), float16 (F16), int32 (I32) or uint8 (U8) with 0 to 4
dimensions, each at least 1; nothing is converted silently (cast float64 weights yourself).
Keys and names are "<component>.<rest>": 1..255 printable ASCII bytes without spaces, with a
dot neither first nor last. Entries are written in dict order with the same layout as the C
writer (lib/model/writer.c), so equal inputs give byte-identical files.

read_model returns metadata values as int, float, str, np.ndarray(int64) and
np.ndarray(float32), and tensors as read-only arrays viewing the file's bytes.

Command line:  python3 tools/reference/s2f_model.py info FILE   (prints metadata and the tensor table)
               python3 tools/reference/s2f_model.py merge OUT.s2fm A.s2fm B.s2fm [...]
                   (one container holding every input's components; the first file's general.*)
"""
import os
import struct
import sys
import zlib

import numpy as np

MAGIC = b"S2FM"
VERSION = 1
HEADER_SIZE = 96
ALIGNMENT = 64
NAME_MAX = 255
STRING_MAX = 16 * 1024 * 1024
CHECKSUM_OFFSET = 12
# Header fields after the 16 bytes of magic, version, flags, checksum (all u64).
HEADER_FIELDS = ("file_size", "metadata_count", "metadata_offset", "metadata_size",
                 "tensor_count", "tensor_offset", "tensor_size", "data_offset", "data_size",
                 "reserved")

META_I64, META_F64, META_STRING, META_I64_ARRAY, META_F32_ARRAY = range(5)
META_TYPE_NAMES = ("i64", "f64", "string", "i64[]", "f32[]")
DTYPES = {0: np.dtype("<f4"), 1: np.dtype("<f2"), 2: np.dtype("<i4"), 3: np.dtype("u1")}
DTYPE_NAMES = {0: "f32", 1: "f16", 2: "i32", 3: "u8"}
DTYPE_CODES = {np.dtype(np.float32): 0, np.dtype(np.float16): 1, np.dtype(np.int32): 2,
               np.dtype(np.uint8): 3}


class ModelFormatError(ValueError):
    """The file is not a valid container (the message names the problem and the section)."""


def _align(value):
    return (value + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def check_name(name):
    """Raises ValueError unless `name` is a valid key or tensor name; returns its bytes."""
    if not isinstance(name, str):
        raise ValueError(f"name {name!r} is not a str")
    raw = name.encode("utf-8")
    if not 1 <= len(raw) <= NAME_MAX:
        raise ValueError(f"name {name!r}: length must be 1..{NAME_MAX} bytes")
    if any(c < 0x21 or c > 0x7E for c in raw):
        raise ValueError(f"name {name!r}: only printable ASCII without spaces is allowed")
    if "." not in name or name[0] == "." or name[-1] == ".":
        raise ValueError(f"name {name!r}: must have the form <component>.<rest>")
    return raw


def _encode_value(key, value):
    """(type code, encoded bytes) of one metadata value."""
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        if not -2**63 <= int(value) < 2**63:
            raise ValueError(f"metadata {key!r}: {value} does not fit in int64")
        return META_I64, struct.pack("<q", int(value))
    if isinstance(value, (float, np.floating)):
        return META_F64, struct.pack("<d", float(value))
    if isinstance(value, str):
        raw = value.encode("utf-8")
        if b"\0" in raw or len(raw) > STRING_MAX:
            raise ValueError(f"metadata {key!r}: strings hold no NUL and at most {STRING_MAX} bytes")
        return META_STRING, struct.pack("<Q", len(raw)) + raw
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.ndim != 1:
            raise ValueError(f"metadata {key!r}: arrays must be one-dimensional")
        if array.size == 0 or array.dtype.kind in "biu":
            values = array.astype("<i8")
            if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
                raise ValueError(f"metadata {key!r}: value exceeds int64")
            return META_I64_ARRAY, struct.pack("<Q", len(values)) + values.tobytes()
        if array.dtype.kind == "f":
            values = array.astype("<f4")
            return META_F32_ARRAY, struct.pack("<Q", len(values)) + values.tobytes()
        raise TypeError(f"metadata {key!r}: array of {array.dtype} is neither integer nor float")
    raise TypeError(f"metadata {key!r}: unsupported value type {type(value).__name__}")


def _tensor_code(name, array):
    if not isinstance(array, np.ndarray):
        raise TypeError(f"tensor {name!r} is a {type(array).__name__}, not a numpy array")
    code = DTYPE_CODES.get(array.dtype.newbyteorder("=")) if array.dtype.kind != "V" else None
    if code is None:
        raise TypeError(f"tensor {name!r}: dtype {array.dtype} is not float32, float16, int32 "
                        "or uint8 (convert it explicitly)")
    if array.ndim > 4 or any(extent < 1 for extent in array.shape):
        raise ValueError(f"tensor {name!r}: shape {array.shape} needs 0..4 dimensions of >= 1")
    return code


def _layout(metadata, tensors):
    """(header, pieces): the 96-byte header (checksum still 0) and the byte strings that follow
    it in order: tables with padding, then each tensor's padding and data. The tensors' data are
    uint8 views of the caller's arrays (no copy when already contiguous little-endian)."""
    names = set()
    for name in list(metadata) + list(tensors):
        check_name(name)
        if name in names:
            raise ValueError(f"name {name!r} is used twice (writers keep metadata keys and "
                             "tensor names distinct)")
        names.add(name)

    meta_blob = bytearray()
    for key, value in metadata.items():
        raw = key.encode("ascii")
        code, encoded = _encode_value(key, value)
        meta_blob += struct.pack("<I", len(raw)) + raw + struct.pack("<I", code) + encoded

    items = [(name, _tensor_code(name, array), array) for name, array in tensors.items()]
    table_size = sum(4 + len(name) + 8 + 8 * array.ndim + 16 for name, _, array in items)
    tensor_offset = HEADER_SIZE + len(meta_blob)
    data_offset = _align(tensor_offset + table_size)
    tables = bytearray(meta_blob)
    cursor = data_offset
    data_pieces = []
    for name, code, array in items:
        raw = name.encode("ascii")
        start = _align(cursor)
        tables += struct.pack("<I", len(raw)) + raw + struct.pack("<II", code, array.ndim)
        tables += struct.pack(f"<{array.ndim}Q", *array.shape)
        tables += struct.pack("<QQ", start, array.nbytes)
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        data_pieces += [bytes(start - cursor), data.reshape(-1).view(np.uint8)]
        cursor = start + array.nbytes
    tables += bytes(data_offset - tensor_offset - table_size)
    file_size = cursor
    header = bytearray(struct.pack("<4sIII10Q", MAGIC, VERSION, 0, 0, file_size, len(metadata),
                                   HEADER_SIZE, len(meta_blob), len(items), tensor_offset,
                                   table_size, data_offset, file_size - data_offset, 0))
    pieces = [tables] + [piece for piece in data_pieces if len(piece)]
    crc = zlib.crc32(header[CHECKSUM_OFFSET + 4:], zlib.crc32(header[:CHECKSUM_OFFSET]))
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
    struct.pack_into("<I", header, CHECKSUM_OFFSET, crc)
    return header, pieces


def encode_model(metadata, tensors):
    """The container as bytes (what write_model writes)."""
    header, pieces = _layout(metadata, tensors)
    return b"".join([bytes(header)] + [bytes(piece) for piece in pieces])


def write_model(path, metadata, tensors):
    """Writes a container to `path` (see the module docstring for the type mapping). Tensors are
    streamed from the caller's arrays, so memory stays near the size of the inputs. The file is
    written beside `path` and renamed over it, so an interrupted write never leaves a truncated
    container where a good one was (the exporters overwrite models/default.s2fm in place)."""
    header, pieces = _layout(metadata, tensors)
    partial = path + ".partial"
    try:
        with open(partial, "wb") as f:
            f.write(header)
            for piece in pieces:
                f.write(piece)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def checksum(data):
    """CRC-32/IEEE of every byte except the checksum field itself."""
    view = memoryview(data)
    return zlib.crc32(view[CHECKSUM_OFFSET + 4:], zlib.crc32(view[:CHECKSUM_OFFSET]))


class _Cursor:
    def __init__(self, data, start, size, section):
        self.data, self.pos, self.end, self.section = data, start, start + size, section

    def take(self, size, what):
        if size > self.end - self.pos:
            raise ModelFormatError(f"{self.section}: truncated in {what}")
        start = self.pos
        self.pos += size
        return self.data[start:self.pos]

    def u32(self, what):
        return struct.unpack("<I", self.take(4, what))[0]

    def u64(self, what):
        return struct.unpack("<Q", self.take(8, what))[0]

    def name(self, what):
        length = self.u32(f"{what} name length")
        if not 1 <= length <= NAME_MAX:
            raise ModelFormatError(f"{self.section}: {what} name length {length}")
        raw = bytes(self.take(length, f"{what} name"))
        try:
            name = raw.decode("ascii")
            check_name(name)
            return name
        except (UnicodeDecodeError, ValueError) as error:
            raise ModelFormatError(f"{self.section}: {what}: invalid name {raw!r}") from error


def parse_header(data):
    """Validated header fields as a dict (raises ModelFormatError)."""
    size = len(data)
    if size >= 4 and bytes(data[:4]) != MAGIC:
        raise ModelFormatError(f"bad magic {bytes(data[:4])!r}: not a libspeech2face model")
    if size >= 8 and struct.unpack_from("<I", data, 4)[0] != VERSION:
        raise ModelFormatError(f"unsupported format version {struct.unpack_from('<I', data, 4)[0]}")
    if size < HEADER_SIZE:
        raise ModelFormatError("truncated in the header")
    _, version, flags, stored = struct.unpack_from("<4sIII", data)
    header = dict(zip(HEADER_FIELDS, struct.unpack_from("<10Q", data, 16)),
                  version=version, checksum=stored)
    h = header
    if flags or h["reserved"]:
        raise ModelFormatError("header: flags/reserved fields must be zero")
    if (h["metadata_offset"] != HEADER_SIZE
            or h["tensor_offset"] != h["metadata_offset"] + h["metadata_size"]
            or h["data_offset"] != _align(h["tensor_offset"] + h["tensor_size"])
            or h["data_offset"] + h["data_size"] != h["file_size"]):
        raise ModelFormatError("header: inconsistent section layout")
    for section, end in (("metadata section", h["tensor_offset"]),
                         ("tensor table", h["tensor_offset"] + h["tensor_size"]),
                         ("padding before the tensor data", h["data_offset"]),
                         ("tensor data", h["file_size"])):
        if size < end:
            raise ModelFormatError(f"truncated in the {section}")
    if size > h["file_size"]:
        raise ModelFormatError(f"{size - h['file_size']} unexpected bytes after the end")
    return header


def decode_model(data, verify_checksum=True, with_table=False):
    """(metadata, tensors) from a container's bytes; with_table adds the raw tensor table."""
    data = memoryview(data)
    h = parse_header(data)
    if verify_checksum and checksum(data) != h["checksum"]:
        raise ModelFormatError(f"checksum mismatch: stored {h['checksum']:08x}, "
                               f"computed {checksum(data):08x}")
    metadata = {}
    cursor = _Cursor(data, h["metadata_offset"], h["metadata_size"], "metadata section")
    for index in range(h["metadata_count"]):
        key = cursor.name(f"entry {index}")
        code = cursor.u32(f"{key} type")
        if code == META_I64:
            value = struct.unpack("<q", cursor.take(8, key))[0]
        elif code == META_F64:
            value = struct.unpack("<d", cursor.take(8, key))[0]
        elif code in (META_STRING, META_I64_ARRAY, META_F32_ARRAY):
            length = cursor.u64(f"{key} length")
            width = {META_STRING: 1, META_I64_ARRAY: 8, META_F32_ARRAY: 4}[code]
            if length > (cursor.end - cursor.pos) // width:
                raise ModelFormatError(f"metadata section: truncated in {key}")
            raw = cursor.take(length * width, key)
            if code == META_STRING:
                if b"\0" in raw or length > STRING_MAX:
                    raise ModelFormatError(f"metadata {key}: bad string")
                value = bytes(raw).decode("utf-8")
            else:
                value = np.frombuffer(raw, "<i8" if code == META_I64_ARRAY else "<f4").copy()
        else:
            raise ModelFormatError(f"metadata {key}: unknown value type {code}")
        if key in metadata:
            raise ModelFormatError(f"metadata key {key!r} appears more than once")
        metadata[key] = value
    if cursor.pos != cursor.end:
        raise ModelFormatError("metadata section has bytes after its entries")

    tensors, table = {}, []
    cursor = _Cursor(data, h["tensor_offset"], h["tensor_size"], "tensor table")
    for index in range(h["tensor_count"]):
        name = cursor.name(f"entry {index}")
        code, ndim = cursor.u32(f"{name} dtype"), cursor.u32(f"{name} ndim")
        if code not in DTYPES:
            raise ModelFormatError(f"tensor {name}: unknown dtype {code}")
        if ndim > 4:
            raise ModelFormatError(f"tensor {name}: {ndim} dimensions")
        shape = tuple(cursor.u64(f"{name} shape") for _ in range(ndim))
        if any(extent == 0 or extent >= 2**63 for extent in shape):
            raise ModelFormatError(f"tensor {name}: bad shape {shape}")
        offset, nbytes = cursor.u64(f"{name} offset"), cursor.u64(f"{name} size")
        if nbytes != int(np.prod(shape, dtype=object)) * DTYPES[code].itemsize:
            raise ModelFormatError(f"tensor {name}: {nbytes} bytes disagree with dtype/shape")
        if offset % ALIGNMENT or offset < h["data_offset"] or offset + nbytes > h["file_size"]:
            raise ModelFormatError(f"tensor {name}: data [{offset}, +{nbytes}) misplaced")
        if name in tensors:
            raise ModelFormatError(f"tensor {name!r} appears more than once")
        tensors[name] = np.frombuffer(data[offset:offset + nbytes], DTYPES[code]).reshape(shape)
        table.append((name, code, shape, offset, nbytes))
    if cursor.pos != cursor.end:
        raise ModelFormatError("tensor table has bytes after its entries")
    spans = sorted((offset, offset + nbytes, name) for name, _, _, offset, nbytes in table)
    for (_, end, first), (start, _, second) in zip(spans, spans[1:]):
        if start < end:
            raise ModelFormatError(f"tensors {first!r} and {second!r} overlap")
    if with_table:
        return metadata, tensors, h, table
    return metadata, tensors


def read_model(path, verify_checksum=True):
    """(metadata, tensors) of the container at `path`; raises ModelFormatError if invalid."""
    with open(path, "rb") as f:
        return decode_model(f.read(), verify_checksum)


def _describe(value, limit=8):
    if isinstance(value, np.ndarray):
        shown = ", ".join(repr(v.item()) for v in value[:limit])
        more = f", ... ({len(value)} values)" if len(value) > limit else ""
        return f"[{shown}{more}]"
    return repr(value)


def info(path, out=sys.stdout):
    with open(path, "rb") as f:
        data = f.read()
    metadata, tensors, h, table = decode_model(data, with_table=True)
    print(f"{path}: S2FM version {h['version']}, {len(data)} bytes, "
          f"CRC-32 {h['checksum']:08x} (verified)", file=out)
    print(f"metadata ({len(metadata)} entries):", file=out)
    width = max((len(k) for k in metadata), default=0)
    for key, value in metadata.items():
        _, encoded_type = _meta_type_of(value)
        print(f"  {key:<{width}}  {encoded_type:<6} {_describe(value)}", file=out)
    parameters = sum(int(np.prod(shape, dtype=object)) for _, _, shape, _, _ in table)
    print(f"tensors ({len(table)}, {parameters} parameters, {h['data_size']} data bytes):",
          file=out)
    width = max((len(t[0]) for t in table), default=0)
    for name, code, shape, offset, nbytes in table:
        dims = "x".join(str(e) for e in shape) or "scalar"
        print(f"  {name:<{width}}  {DTYPE_NAMES[code]:<3}  {dims:<20} offset {offset:>12}  "
              f"{nbytes:>12} bytes", file=out)


def _meta_type_of(value):
    if isinstance(value, np.ndarray):
        code = META_I64_ARRAY if value.dtype.kind == "i" else META_F32_ARRAY
    elif isinstance(value, str):
        code = META_STRING
    elif isinstance(value, float):
        code = META_F64
    else:
        code = META_I64
    return code, META_TYPE_NAMES[code]


def merge(out, inputs):
    """Concatenates containers' components into one file, keeping the first file's "general.*"
    keys; any other key or tensor present twice is an error."""
    metadata, tensors = {}, {}
    for path in inputs:
        part_metadata, part_tensors = read_model(path)
        for key, value in part_metadata.items():
            if key.startswith("general.") and key in metadata:
                continue
            if key in metadata:
                raise ModelFormatError(f"{path}: metadata key {key} is already present")
            metadata[key] = value
        for name, value in part_tensors.items():
            if name in tensors:
                raise ModelFormatError(f"{path}: tensor {name} is already present")
            tensors[name] = value
    write_model(out, metadata, tensors)


def main(argv):
    usage = f"usage: {argv[0]} info FILE | merge OUT.s2fm A.s2fm B.s2fm [...]"
    try:
        if len(argv) == 3 and argv[1] == "info":
            info(argv[2])
        elif len(argv) >= 4 and argv[1] == "merge":
            merge(argv[2], argv[3:])
        else:
            print(usage, file=sys.stderr)
            return 2
    except (OSError, ModelFormatError) as error:
        print(f"{argv[2]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
