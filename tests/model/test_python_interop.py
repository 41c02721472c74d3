"""Live cross-check of the C container code and tools/reference/s2f_model.py.

usage: test_python_interop.py MODEL_TOOL TOOLS_DIR   (exit 77 = skipped: numpy missing)

- the C writer and write_model produce byte-identical files for the same sample;
- read_model reads the C-written sample with every value intact;
- the C loader reads Python-written files (the sample and a seeded random model with every
  dtype and rank) and its canonical dump equals the one computed from read_model;
- damaged files are refused by both sides with the matching error;
- write_model's type mapping and refusals; the `info` command line.
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

try:
    import numpy as np
except ImportError:
    print("numpy is not importable by this interpreter: skipping")
    sys.exit(77)

MODEL_TOOL, TOOLS_DIR = sys.argv[1], sys.argv[2]
sys.path.insert(0, TOOLS_DIR)
from reference import s2f_model  # noqa: E402

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def sample():
    """Exactly tests/model/sample_model.c, in the same insertion order."""
    metadata = {
        "general.architecture": "speech2face",
        "general.provenance": "tests/model sample: fixed values",
        "voice_encoder.depth": 7,
        "voice_encoder.negative": -123456789012,
        "voice_encoder.bn_eps": 0.001,
        "voice_encoder.channels": [64, 64, 128, 128, 128, 256, 512, 512],
        "voice_encoder.strides": [],
        "face_decoder.mean_landmarks": [0.25, -1.5, 0.125, 1024.0, 3.0],
        "general.utf8": "Gesicht \u2013 \u9854",
    }
    tensors = {
        "voice_encoder.conv1.weight":
            (np.arange(56, dtype=np.float32) * np.float32(0.5) - np.float32(10)).reshape(4, 2, 1, 7),
        "voice_encoder.conv1.bias": np.array([1, 2, 3, 4], np.float32),
        "voice_encoder.bn.scale": np.array([1.0, -2.0, 65504.0], np.float16),
        "face_decoder.lut": (np.arange(15) * 17 % 256).astype(np.uint8).reshape(5, 3),
        "face_encoder.index": (np.arange(8, dtype=np.int32) * -1000003).reshape(2, 2, 2),
        "general.scalar": np.array(42.5, np.float32),
    }
    return metadata, tensors


def canonical_dump(metadata, tensors):
    """What model_tool dump prints, computed from read_model's output."""
    lines = []
    for key in sorted(metadata):
        value = metadata[key]
        if isinstance(value, str):
            text = "string " + value.encode("utf-8").hex()
        elif isinstance(value, float):
            text = "f64 %016x" % struct.unpack("<Q", struct.pack("<d", value))[0]
        elif isinstance(value, int):
            text = f"i64 {value}"
        elif value.dtype == np.int64:
            text = " ".join([f"i64[] {len(value)}"] + [str(v) for v in value.tolist()])
        else:
            bits = value.astype("<f4").view("<u4").tolist()
            text = " ".join([f"f32[] {len(value)}"] + ["%08x" % b for b in bits])
        lines.append(f"meta {key} {text}")
    names = {np.dtype("<f4"): "f32", np.dtype("<f2"): "f16", np.dtype("<i4"): "i32",
             np.dtype("u1"): "u8"}
    for name in sorted(tensors):
        array = tensors[name]
        shape = "".join(f" {e}" for e in array.shape)
        lines.append(f"tensor {name} {names[array.dtype]} {array.ndim}{shape} {array.nbytes} "
                     f"{zlib.crc32(array.tobytes()):08x}")
    return "\n".join(lines) + "\n"


def tool(*args):
    return subprocess.run([MODEL_TOOL, *args], capture_output=True, text=True, check=False)


def c_dump(path):
    result = tool("dump", path)
    check(result.returncode == 0, f"C dump of {path} failed: {result.stderr}")
    return result.stdout


def c_status(path):
    return tool("status", path).stdout.split(" ", 1)[0]


def random_model(seed):
    rng = np.random.default_rng(seed)
    metadata = {"general.architecture": "random", "general.seed": seed,
                "random.ints": rng.integers(-2**62, 2**62, size=17).tolist(),
                "random.floats": rng.standard_normal(9).astype(np.float32),
                "random.real": float(rng.standard_normal()), "random.flag": True}
    tensors = {}
    makers = [lambda s: rng.standard_normal(s).astype(np.float32),
              lambda s: rng.standard_normal(s).astype(np.float16),
              lambda s: rng.integers(-2**31, 2**31, size=s, dtype=np.int32),
              lambda s: rng.integers(0, 256, size=s, dtype=np.uint8)]
    for index in range(40):
        ndim = int(rng.integers(0, 5))
        shape = tuple(int(e) for e in rng.integers(1, 9, size=ndim))
        tensors[f"comp{index % 3}.layer{index}.w"] = makers[index % 4](shape)
    tensors["comp0.big.weight"] = rng.standard_normal((512, 1031)).astype(np.float32)
    # Byte order and memory layout are the writer's business, not the caller's.
    tensors["comp1.big_endian"] = np.arange(6, dtype=">f4").reshape(2, 3)
    tensors["comp2.strided"] = rng.standard_normal((6, 8)).astype(np.float32)[::2, ::3]
    return metadata, tensors


def main():
    with tempfile.TemporaryDirectory() as tmp:
        c_path = os.path.join(tmp, "c_sample.s2fm")
        py_path = os.path.join(tmp, "py_sample.s2fm")
        result = tool("write-sample", c_path)
        check(result.returncode == 0, f"C write-sample failed: {result.stderr}")
        metadata, tensors = sample()
        s2f_model.write_model(py_path, metadata, tensors)
        with open(c_path, "rb") as f:
            c_bytes = f.read()
        with open(py_path, "rb") as f:
            py_bytes = f.read()
        check(c_bytes == py_bytes, "C writer and write_model differ on the sample "
              f"({len(c_bytes)} vs {len(py_bytes)} bytes)")

        # C writer -> Python reader: every value intact.
        read_meta, read_tensors = s2f_model.read_model(c_path)
        check(list(read_meta) == list(metadata), "metadata keys/order differ")
        for key, value in metadata.items():
            got = read_meta[key]
            if isinstance(value, list):
                kind = np.int64 if all(isinstance(v, int) for v in value) else np.float32
                check(got.dtype == kind and np.array_equal(got, np.array(value, kind)),
                      f"metadata {key}: {got!r} != {value!r}")
            else:
                check(type(got) is type(value) and got == value, f"metadata {key}: {got!r}")
        for name, array in tensors.items():
            got = read_tensors[name]
            check(got.dtype == array.dtype and got.shape == array.shape
                  and np.array_equal(got, array), f"tensor {name} differs")

        # Python writer -> C loader, for the sample and a random model with every dtype/rank.
        check(c_dump(py_path) == canonical_dump(read_meta, read_tensors), "sample dump differs")
        random_path = os.path.join(tmp, "random.s2fm")
        random_meta, random_tensors = random_model(20261125)
        s2f_model.write_model(random_path, random_meta, random_tensors)
        back_meta, back_tensors = s2f_model.read_model(random_path)
        for name, array in random_tensors.items():
            check(np.array_equal(back_tensors[name], array), f"random tensor {name} differs")
        check(back_meta["general.seed"] == 20261125 and back_meta["random.flag"] == 1,
              "random metadata differs")
        check(c_dump(random_path) == canonical_dump(back_meta, back_tensors),
              "random model dump differs between C and Python")

        # Damage: both sides refuse it with the matching error.
        damaged = bytearray(py_bytes)
        damaged[-1] ^= 0x40
        bad_path = os.path.join(tmp, "bad.s2fm")
        with open(bad_path, "wb") as f:
            f.write(damaged)
        check(c_status(bad_path) == "S2F_ERR_CHECKSUM_MISMATCH", "C accepts a flipped bit")
        try:
            s2f_model.read_model(bad_path)
            check(False, "read_model accepts a flipped bit")
        except s2f_model.ModelFormatError as error:
            check("checksum" in str(error), f"read_model: {error}")
        for cut in (3, 50, 96, 200, len(py_bytes) - 1):
            with open(bad_path, "wb") as f:
                f.write(py_bytes[:cut])
            check(c_status(bad_path) == "S2F_ERR_BAD_FORMAT", f"C accepts a cut at {cut}")
            try:
                s2f_model.read_model(bad_path)
                check(False, f"read_model accepts a cut at {cut}")
            except s2f_model.ModelFormatError as error:
                check("truncated" in str(error), f"read_model cut at {cut}: {error}")
        versioned = bytearray(py_bytes)
        struct.pack_into("<I", versioned, 4, 2)
        struct.pack_into("<I", versioned, 12, s2f_model.checksum(versioned))
        with open(bad_path, "wb") as f:
            f.write(versioned)
        check(c_status(bad_path) == "S2F_ERR_UNSUPPORTED_VERSION", "C reads version 2")

        # write_model's mapping and refusals.
        mapped_path = os.path.join(tmp, "mapped.s2fm")
        s2f_model.write_model(mapped_path, {
            "m.bool": False, "m.npint": np.int16(-3), "m.npfloat": np.float32(0.5),
            "m.tuple": (1, 2), "m.npbool": np.bool_(True), "m.mixed": [1, 2.5], "m.ndarray": np.arange(3)}, {})
        mapped, _ = s2f_model.read_model(mapped_path)
        check(mapped["m.bool"] == 0 and type(mapped["m.bool"]) is int, "bool -> i64")
        check(mapped["m.npint"] == -3 and type(mapped["m.npint"]) is int, "np.int16 -> i64")
        check(mapped["m.npfloat"] == 0.5 and type(mapped["m.npfloat"]) is float, "np.float32 -> f64")
        check(mapped["m.tuple"].dtype == np.int64, "tuple of ints -> i64[]")
        check(mapped["m.npbool"] == 1 and type(mapped["m.npbool"]) is int, "np.bool_ -> i64")
        check(mapped["m.mixed"].dtype == np.float32, "mixed list -> f32[]")
        check(mapped["m.ndarray"].dtype == np.int64, "int ndarray -> i64[]")
        refusals = [
            ({}, {"a.b": np.zeros(3)}, TypeError),                   # float64 tensor
            ({}, {"a.b": np.zeros((1, 1, 1, 1, 1), np.float32)}, ValueError),
            ({}, {"a.b": np.zeros((0,), np.float32)}, ValueError),
            ({}, {"a.b": [1.0]}, TypeError),
            ({"nodot": 1}, {}, ValueError),
            ({"a b.c": 1}, {}, ValueError),
            ({"a.b": 1}, {"a.b": np.zeros(1, np.float32)}, ValueError),
            ({"a.b": {"x": 1}}, {}, TypeError),
            ({"a.b": "nul\0inside"}, {}, ValueError),
            ({"a.b": ["x"]}, {}, TypeError),
            ({"a.b": 2**63}, {}, ValueError),
        ]
        for index, (meta, tens, error) in enumerate(refusals):
            try:
                s2f_model.write_model(os.path.join(tmp, "refused.s2fm"), meta, tens)
                check(False, f"refusal {index} accepted")
            except error:
                pass

        # The command line.
        result = subprocess.run([sys.executable, os.path.join(TOOLS_DIR, "reference", "s2f_model.py"),
                                 "info", c_path], capture_output=True, text=True, check=False)
        check(result.returncode == 0 and "voice_encoder.conv1.weight" in result.stdout
              and "general.architecture" in result.stdout and "4x2x1x7" in result.stdout,
              f"info output: {result.stdout} {result.stderr}")
        result = subprocess.run([sys.executable, os.path.join(TOOLS_DIR, "reference", "s2f_model.py"),
                                 "info", bad_path], capture_output=True, text=True, check=False)
        check(result.returncode == 1 and "version" in result.stderr, "info on a bad file")

    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
