#!/usr/bin/python3
"""Converts face-api's face recognition network (npm @vladmandic/face-api) into our container.

    /usr/bin/python3 tools/convert/convert_face_api.py PACKAGE_DIR OUT.s2fm [--dtype u8|f16|f32]

PACKAGE_DIR is the unpacked npm package (`npm pack @vladmandic/face-api && tar xzf ...` gives
./package; `npm install` gives node_modules/@vladmandic/face-api). The converter reads
model/face_recognition_model-weights_manifest.json and its .bin shard(s), exactly as tfjs does
(tfjs-core io.decodeWeights): each tensor is a run of uint8 codes q with per-tensor `scale` and
`min`, meaning the float32 value f32(q·scale + min) computed in double.

The network (src/faceRecognitionNet in the package; a port of dlib's ResNet face descriptor) is
rewritten as generic metadata + tensors under "face_encoder.", in PyTorch layouts:
  stem.conv.weight [32][3][7][7], stem.conv.bias, stem.scale.weight, stem.scale.bias
  blocks.<i>.conv{1,2}.weight [out][in][3][3], .bias, blocks.<i>.scale{1,2}.weight, .bias
  fc.weight [128][256] (a Linear without bias)
With --dtype u8 (the default) the uint8 codes are stored as they are (transposed, which is
lossless), with the metadata "<tensor name>.q_scale" and "<tensor name>.q_min" (f64): the
smallest file (~7 MB) and bit-exact with tfjs; the few tensors the package itself stores as
float32 (the 64-channel stage's filters) stay float32. f16/f32 store the dequantised values.

As a library: `face_api_parts(package_dir, dtype)` returns (metadata, tensors).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference import s2f_model  # noqa: E402

PREFIX = "face_encoder."
MANIFEST = "model/face_recognition_model-weights_manifest.json"

# The network's blocks in order: (original name, output channels, downsampling).
BLOCKS = [
    ("conv32_1", 32, False), ("conv32_2", 32, False), ("conv32_3", 32, False),
    ("conv64_down", 64, True), ("conv64_1", 64, False), ("conv64_2", 64, False),
    ("conv64_3", 64, False),
    ("conv128_down", 128, True), ("conv128_1", 128, False), ("conv128_2", 128, False),
    ("conv256_down", 256, True), ("conv256_1", 256, False), ("conv256_2", 256, False),
    ("conv256_down_out", 256, True),
]
# FaceRecognitionNet.forwardInput: mean RGB subtracted from 0..255 pixels, then divided by 255.
INPUT_MEAN = [122.782, 117.001, 104.298]
INPUT_SIZE = 150


def read_package_version(package_dir):
    try:
        with open(os.path.join(package_dir, "package.json")) as f:
            return json.load(f).get("version", "unknown")
    except OSError:
        return "unknown"


def read_license(package_dir):
    with open(os.path.join(package_dir, "LICENSE")) as f:
        return f.read()


def read_quantized_weights(package_dir):
    """{tfjs name: (values shaped as in tfjs, scale, min)} in manifest order: uint8 codes with
    their scale and min for quantised tensors, float32 values with scale = min = None for the
    few the package stores unquantised."""
    with open(os.path.join(package_dir, MANIFEST)) as f:
        manifest = json.load(f)
    weights = {}
    for group in manifest:
        blob = b"".join(open(os.path.join(package_dir, "model", p), "rb").read()
                        for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            shape = entry["shape"]
            count = int(np.prod(shape)) if shape else 1
            quant = entry.get("quantization")
            if entry["dtype"] != "float32" or (quant and quant["dtype"] != "uint8"):
                raise ValueError(f"{entry['name']}: expected float32 or uint8-quantised float32, "
                                 f"got {entry}")
            if quant:
                codes = np.frombuffer(blob, np.uint8, count, offset).reshape(shape)
                offset += count
                weights[entry["name"]] = (codes, float(quant["scale"]), float(quant["min"]))
            else:
                values = np.frombuffer(blob, "<f4", count, offset).reshape(shape)
                offset += 4 * count
                weights[entry["name"]] = (values.astype(np.float32), None, None)
        if offset != len(blob):
            raise ValueError(f"weights of {group['paths']} use {offset} of {len(blob)} bytes")
    return weights


def dequantize(codes, scale, minimum):
    """tfjs: values[i] = v * scale + min, in double, stored as float32."""
    return (codes.astype(np.float64) * scale + minimum).astype(np.float32)


def face_api_parts(package_dir, dtype="u8"):
    quantized = read_quantized_weights(package_dir)
    tensors, metadata = {}, {}
    used = set()

    def put(name, tfjs_name, layout):
        codes, scale, minimum = quantized[tfjs_name]
        used.add(tfjs_name)
        key = PREFIX + name
        if scale is None:  # stored unquantised in the package: keep float32 (or cast to f16)
            values = np.ascontiguousarray(layout(codes))
            tensors[key] = values.astype(np.float16 if dtype == "f16" else np.float32)
        elif dtype == "u8":
            tensors[key] = np.ascontiguousarray(layout(codes))
            metadata[key + ".q_scale"] = scale
            metadata[key + ".q_min"] = minimum
        else:
            values = np.ascontiguousarray(layout(dequantize(codes, scale, minimum)))
            tensors[key] = values.astype(np.float16 if dtype == "f16" else np.float32)

    conv_layout = lambda a: a.transpose(3, 2, 0, 1)  # tfjs [kh][kw][in][out] -> [out][in][kh][kw]
    same = lambda a: a

    def conv_layer(name, tfjs_prefix, conv_suffix="conv", scale_suffix="scale"):
        put(f"{name}.{conv_suffix}.weight", f"{tfjs_prefix}/conv/filters", conv_layout)
        put(f"{name}.{conv_suffix}.bias", f"{tfjs_prefix}/conv/bias", same)
        put(f"{name}.{scale_suffix}.weight", f"{tfjs_prefix}/scale/weights", same)
        put(f"{name}.{scale_suffix}.bias", f"{tfjs_prefix}/scale/biases", same)

    conv_layer("stem", "conv32_down")
    for i, (orig, _, _) in enumerate(BLOCKS):
        for j in (1, 2):
            conv_layer(f"blocks.{i}", f"{orig}/conv{j}", f"conv{j}", f"scale{j}")
    put("fc.weight", "fc", lambda a: a.T)  # tfjs [in][out] (x @ fc) -> Linear [out][in]
    unused = set(quantized) - used
    if unused:
        raise ValueError(f"weights not understood: {sorted(unused)}")

    version = read_package_version(package_dir)
    metadata.update({
        PREFIX + "architecture": "dlib_resnet",
        PREFIX + "input_size": INPUT_SIZE,
        PREFIX + "input_mean": INPUT_MEAN,
        PREFIX + "input_scale": 1.0 / 255.0,
        PREFIX + "resize": "bilinear_tf",
        PREFIX + "pad_to_square": 1,
        PREFIX + "stem_channels": 32,
        PREFIX + "stem_kernel": 7,
        PREFIX + "stem_stride": 2,
        PREFIX + "stem_pool_kernel": 3,
        PREFIX + "stem_pool_stride": 2,
        PREFIX + "block_channels": [c for _, c, _ in BLOCKS],
        PREFIX + "block_down": [int(d) for _, _, d in BLOCKS],
        PREFIX + "feature_dim": 128,
        PREFIX + "provenance": (
            f"npm @vladmandic/face-api {version}, model/face_recognition_model.bin "
            "(FaceRecognitionNet: face-api.js's port of dlib's ResNet face descriptor, "
            "dlib_face_recognition_resnet_model_v1), converted by tools/convert/convert_face_api.py "
            f"with dtype {dtype}"),
        PREFIX + "license": "MIT (npm @vladmandic/face-api):\n" + read_license(package_dir),
    })
    return metadata, tensors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", help="unpacked @vladmandic/face-api package")
    parser.add_argument("output")
    parser.add_argument("--dtype", choices=("u8", "f16", "f32"), default="u8")
    args = parser.parse_args()
    metadata, tensors = face_api_parts(args.package_dir, args.dtype)
    metadata["general.architecture"] = "face-encoder"
    metadata["general.provenance"] = metadata[PREFIX + "provenance"]
    s2f_model.write_model(args.output, metadata, tensors)


if __name__ == "__main__":
    main()
