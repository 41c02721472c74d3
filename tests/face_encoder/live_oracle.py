#!/usr/bin/python3
"""Live comparisons of the C face encoder (through the Python binding on the built library) with
its oracles.

    live_oracle.py LIBRARY FACE_API_MODEL DATA_DIR AVSPEECH_DIR|- [--full-vgg]

* PyTorch reference (tools/reference/face_recognition_net.py) on containers with seeded random
  weights: a narrow dlib-style ResNet stored as f32, f16 and u8 (+ dequantisation metadata), and
  VGG-16's topology at 1/16 width via tools/convert/convert_vgg16.py from a torchvision-style state_dict.
  Pass: max|Δ| <= 1e-4 × max|reference|.
* --full-vgg: the full-size VGG-16 (224×224, fc6/fc7 4096) instead, same bar.
* s2f_image_crop_resize against Pillow's resize(BILINEAR, box) (antialiased filter) and the
  numpy TF-bilinear reference: within 1 grey level.
* Real faces, when AVSPEECH_DIR exists: the first Face_ori crops against face-api's descriptors
  committed in DATA_DIR (cosine >= 0.9999, max|Δ| <= 1e-3).
Exit 77 (skip) when torch or PIL cannot be imported.
"""
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))

try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError as err:
    print(f"skip: {err}")
    sys.exit(77)

from reference import s2f_model  # noqa: E402
from convert.convert_vgg16 import VGG16_LAYERS, vgg16_parts  # noqa: E402
from reference.face_recognition_net import build, describe, resize_bilinear_tf  # noqa: E402

failures = []


def check(name, ok, detail):
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if not ok:
        failures.append(name)


def open_encoder(s2f, path):
    """A face encoder of the container at `path` (it keeps the weights alive itself)."""
    with s2f.Model(path) as model:
        return s2f.FaceEncoder(model)


def compare_with_torch(s2f, name, metadata, tensors, images):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.s2fm")
        s2f_model.write_model(path, metadata, tensors)
        metadata, tensors = s2f_model.read_model(path)
        net = build(metadata, tensors)
        encoder = open_encoder(s2f, path)
        for i, rgb in enumerate(images):
            t = time.time()
            ours = encoder.encode(rgb)
            c_ms = 1000 * (time.time() - t)
            reference = describe(net, [rgb])[0]
            err = float(np.abs(ours - reference).max() / np.abs(reference).max())
            check(f"{name} image {i} {rgb.shape[1]}×{rgb.shape[0]}", err <= 1e-4,
                  f"max|Δ|/max|ref| = {err:.2e}, C {c_ms:.1f} ms")
        encoder.close()


def random_resnet(dtype, seed=0):
    rng = np.random.default_rng(seed)
    stem, channels, downs = 8, [8, 8, 16, 16, 24, 32], [0, 0, 1, 0, 1, 1]
    metadata = {
        "face_encoder.architecture": "dlib_resnet", "face_encoder.input_size": 64,
        "face_encoder.input_mean": [120.5, 110.25, 100.0], "face_encoder.input_scale": 1 / 255,
        "face_encoder.resize": "bilinear_tf", "face_encoder.pad_to_square": 1,
        "face_encoder.stem_channels": stem, "face_encoder.stem_kernel": 7,
        "face_encoder.stem_stride": 2, "face_encoder.stem_pool_kernel": 3,
        "face_encoder.stem_pool_stride": 2, "face_encoder.block_channels": channels,
        "face_encoder.block_down": downs, "face_encoder.feature_dim": 20,
    }
    raw = {}

    def conv(name, cout, cin, k):
        raw[f"{name}.weight"] = rng.normal(0, np.sqrt(2 / (cin * k * k)), (cout, cin, k, k))
        raw[f"{name}.bias"] = rng.normal(0, 0.1, cout)

    def scale(name, cout):
        raw[f"{name}.weight"] = rng.uniform(0.5, 1.5, cout)
        raw[f"{name}.bias"] = rng.normal(0, 0.1, cout)

    conv("stem.conv", stem, 3, 7)
    scale("stem.scale", stem)
    cin = stem
    for i, c in enumerate(channels):
        conv(f"blocks.{i}.conv1", c, cin, 3)
        scale(f"blocks.{i}.scale1", c)
        conv(f"blocks.{i}.conv2", c, c, 3)
        scale(f"blocks.{i}.scale2", c)
        cin = c
    raw["fc.weight"] = rng.normal(0, 0.2, (20, cin))
    tensors = {}
    for name, value in raw.items():
        key = "face_encoder." + name
        if dtype == "u8":
            lo, hi = float(value.min()), float(value.max())
            step = (hi - lo) / 255 or 1.0
            tensors[key] = np.rint((value - lo) / step).astype(np.uint8)
            metadata[key + ".q_scale"], metadata[key + ".q_min"] = step, lo
        else:
            tensors[key] = value.astype(np.float16 if dtype == "f16" else np.float32)
    return metadata, tensors


def random_vgg_state_dict(widths, fc_dims, input_size, seed=1):
    rng = np.random.default_rng(seed)
    sd, module, cin, size = {}, 0, 3, input_size
    for v in widths:
        if v < 0:
            module += 1
            size //= 2
            continue
        sd[f"features.{module}.weight"] = rng.normal(0, np.sqrt(2 / (cin * 9)), (v, cin, 3, 3))
        sd[f"features.{module}.bias"] = rng.normal(0, 0.05, v)
        module += 2
        cin = v
    fin = cin * size * size
    for j, d in enumerate(fc_dims):
        sd[f"classifier.{3 * j}.weight"] = rng.normal(0, np.sqrt(2 / fin), (d, fin))
        sd[f"classifier.{3 * j}.bias"] = rng.normal(0, 0.05, d)
        fin = d
    return {k: torch.from_numpy(v.astype(np.float32)) for k, v in sd.items()}


def random_images(seed, shapes):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in shapes]


def check_crop_resize(s2f):
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (43, 57, 3), dtype=np.uint8)
    cases = [((3.5, 2.25, 40.0, 31.0), (20, 17)), ((0, 0, 57, 43), (90, 70)),
             ((10, 5, 30, 30), (150, 150)), ((0, 0, 57, 43), (7, 5))]
    for box, size in cases:
        ours = s2f.crop_resize(image, box, size, s2f.RESIZE_BILINEAR_ANTIALIAS).astype(int)
        channels = []
        for c in range(3):
            plane = Image.fromarray(image[..., c].astype(np.float32), "F")
            channels.append(np.asarray(plane.resize(size, Image.BILINEAR, box=(
                box[0], box[1], box[0] + box[2], box[1] + box[3]))))
        pil = np.clip(np.floor(np.stack(channels, axis=2) + 0.5), 0, 255).astype(int)
        diff = int(np.abs(ours - pil).max())
        check(f"crop_resize antialias box {box} → {size}", diff <= 1, f"max |Δ| vs Pillow {diff}")
    for box, size in [((-6, 4, 50, 40), (33, 29)), ((0, 0, 57, 43), (150, 150))]:
        ours = s2f.crop_resize(image, box, size, s2f.RESIZE_BILINEAR_TF).astype(int)
        x0, y0, w, h = box
        padded = np.zeros((h, w, 3), np.float32)
        for yy in range(h):
            for xx in range(w):
                sy, sx = y0 + yy, x0 + xx
                if 0 <= sy < 43 and 0 <= sx < 57:
                    padded[yy, xx] = image[sy, sx]
        ref = np.floor(resize_bilinear_tf(padded, size[1], size[0]) + 0.5).astype(int)
        diff = int(np.abs(ours - ref).max())
        check(f"crop_resize bilinear_tf box {box} → {size}", diff <= 1, f"max |Δ| vs numpy {diff}")


def check_real_faces(s2f, model, data_dir, avspeech):
    ids_path = os.path.join(data_dir, "face_ori_ids.txt")
    if avspeech == "-" or not os.path.isdir(os.path.join(avspeech, "Face_ori")):
        print("skip real faces: no ../shared/data")
        return
    with open(ids_path) as f:
        ids = [line.strip() for line in f if line.strip()]
    expected = np.load(os.path.join(data_dir, "face_ori_expected.npy"))
    encoder = open_encoder(s2f, model)
    for clip, want in zip(ids, expected):
        with Image.open(os.path.join(avspeech, "Face_ori", clip + ".jpg")) as im:
            rgb = np.asarray(im.convert("RGB"))
        ours = encoder.encode(rgb)
        cos = float(np.dot(ours, want) / np.linalg.norm(ours) / np.linalg.norm(want))
        diff = float(np.abs(ours - want).max())
        check(f"face-api descriptor of Face_ori/{clip}", cos >= 0.9999 and diff <= 1e-3,
              f"cosine {cos:.9f}, max|Δ| {diff:.2e}")
    encoder.close()


def main():
    lib_path, model, data_dir, avspeech = sys.argv[1:5]
    full_vgg = "--full-vgg" in sys.argv[5:]
    os.environ["S2F_LIBRARY"] = os.path.abspath(lib_path)  # read by the binding when imported
    import speech2face as s2f
    torch.set_num_threads(1)
    if full_vgg:
        t = time.time()
        sd = random_vgg_state_dict(VGG16_LAYERS, [4096, 4096, 1000], 224)
        metadata, tensors = vgg16_parts(sd, 224, fc_count=2, output_relu=False)
        compare_with_torch(s2f, "VGG-16 full size", metadata, tensors,
                           random_images(3, [(224, 224)]))
        print(f"full VGG-16 check took {time.time() - t:.1f} s")
    else:
        images = random_images(2, [(64, 64), (50, 90), (131, 97)])
        for dtype in ("f32", "f16", "u8"):
            metadata, tensors = random_resnet(dtype)
            compare_with_torch(s2f, f"ResNet {dtype}", metadata, tensors, images)
        widths = [v if v < 0 else v // 16 for v in VGG16_LAYERS]
        sd = random_vgg_state_dict(widths, [64, 48, 10], 64)
        for relu in (False, True):
            metadata, tensors = vgg16_parts(sd, 64, fc_count=2, output_relu=relu)
            compare_with_torch(s2f, f"VGG-16/16 output_relu={int(relu)}", metadata, tensors,
                               images[:2])
        check_crop_resize(s2f)
        check_real_faces(s2f, model, data_dir, avspeech)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
