#!/usr/bin/python3
"""Full comparison of our face encoder with the original face-api, and an identity sanity check.

    /usr/bin/python3 tools/reference/compare_face_api.py --library build/lib/libspeech2face.so \
        [--model models/face_encoder_faceapi.s2fm] [--node-modules DIR] \
        [--data ../shared/data/s2f-samples/avspeech] [--limit N] [--torch] [--json OUT]

1. Against the original: every Face_ori crop (968 real faces, 224×224) and the npm package's demo
   photos (large, non-square: exercises pad-to-square + resize) are decoded once with PIL and given,
   as identical RGB bytes, to face-api in Node (tools/reference/faceapi_oracle.js: tfjs + WebAssembly
   backend) and to our C library (ctypes), optionally also to the PyTorch reference (--torch).
   Pass: cosine >= 0.9999 and max |Δ| <= 1e-3 on every image.
2. Identity sanity on real data, with our descriptors: for clip ids i != j, the pair counts as
   right when ‖ori_i − f2f_i‖ < ‖ori_i − f2f_j‖ (Face_f2f is the paper's decoder output for the
   same person); the f2f-anchored rate (‖ori_i − f2f_i‖ < ‖ori_j − f2f_i‖) and top-1 retrieval
   f2f → ori are reported too. Pass: >= 95 % of pairs with the network's framing: the network
   expects the face box of face-api's detector, which is tighter than the 224×224 dataset images,
   and both image sets are aligned (one framing each), so each set is cropped with one fixed box
   (s2f_image_crop_resize): the median landmark-aligned box that face-api's own detector finds
   (--derive-boxes N reruns that on N clips; the defaults come from the first 300). Full frames
   are reported too.
--node-modules defaults to running tools/convert/fetch_face_api.sh (npm). Exit status 0 = all passed,
1 = a check failed, 77 = Node or the data is unavailable (meson's skip).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))

# Median landmark-aligned face boxes (x, y, w, h) of face-api's ssdMobilenetv1 + landmark68 on
# the first 300 clips (128 with a face found in both images): tools/reference/compare_face_api.py
# --derive-boxes 300.
ORI_BOX = (29.1, 49.9, 171.2, 164.1)
F2F_BOX = (29.4, 69.1, 162.0, 135.4)
COSINE_MIN = 0.9999
MAX_ABS_DIFF = 1e-3
IDENTITY_MIN = 0.95


def decode(path):
    from PIL import Image
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def run_oracle(node_modules, images, detect=False):
    """({name: descriptor}, raw result) from face-api in Node for {name: uint8 H×W×3}."""
    job = tempfile.mkdtemp(prefix="faceapi-oracle-")
    try:
        index = []
        for i, (name, rgb) in enumerate(images.items()):
            rgb.tofile(os.path.join(job, f"{i}.rgb"))
            index.append({"name": name, "file": f"{i}.rgb", "height": int(rgb.shape[0]),
                          "width": int(rgb.shape[1])})
        with open(os.path.join(job, "index.json"), "w") as f:
            json.dump(index, f)
        subprocess.run(["node", os.path.join(TOOLS, "reference", "faceapi_oracle.js"), node_modules, job]
                       + (["--detect"] if detect else []), check=True)
        with open(os.path.join(job, "descriptors.json")) as f:
            result = json.load(f)
        return {k: np.asarray(v, np.float32) for k, v in result["descriptors"].items()}, result
    finally:
        shutil.rmtree(job, ignore_errors=True)


def cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def identity_check(ori, f2f):
    """(ori-anchored pair rate, f2f-anchored pair rate, top-1 f2f → ori)."""
    a, b = np.stack(ori), np.stack(f2f)
    dist = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)  # dist[i, j] = ‖ori_i − f2f_j‖
    same = np.diag(dist)
    n = len(a)
    off_diagonal = ~np.eye(n, dtype=bool)
    ori_rate = float(((same[:, None] < dist) & off_diagonal).sum() / off_diagonal.sum())
    f2f_rate = float(((same[None, :] < dist) & off_diagonal).sum() / off_diagonal.sum())
    top1 = float(np.mean(np.argmin(dist, axis=0) == np.arange(n)))  # f2f_j → nearest ori
    return ori_rate, f2f_rate, top1


def derive_boxes(node_modules, data, ids):
    """Median landmark-aligned boxes of face-api's detector over clips found in both sets."""
    images = {}
    for clip in ids:
        for kind in ("Face_ori", "Face_f2f"):
            images[f"{kind}/{clip}"] = decode(os.path.join(data, kind, clip + ".jpg"))
    _, result = run_oracle(node_modules, images, detect=True)
    boxes = result["boxes"]
    both = [c for c in ids if boxes[f"Face_ori/{c}"] and boxes[f"Face_f2f/{c}"]]
    if not both:
        raise RuntimeError("the detector found no face in both images of any clip")
    ori = tuple(float(v) for v in np.median([boxes[f"Face_ori/{c}"] for c in both], axis=0))
    f2f = tuple(float(v) for v in np.median([boxes[f"Face_f2f/{c}"] for c in both], axis=0))
    print(f"detector boxes over {len(both)} of {len(ids)} clips: ori {np.round(ori, 1)}, "
          f"f2f {np.round(f2f, 1)}")
    return ori, f2f


def crop(rgb, box):
    """The box at its own size (the encoder then pads it to a square and resizes, as face-api
    does with a detected face)."""
    import speech2face as s2f
    return s2f.crop_resize(rgb, box, (int(round(box[2])), int(round(box[3]))),
                           s2f.RESIZE_BILINEAR_TF)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True)
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--node-modules")
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "s2f-samples",
                                                       "avspeech"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N clips")
    parser.add_argument("--torch", action="store_true", help="also compare the PyTorch reference")
    parser.add_argument("--json", help="write per-image results here")
    parser.add_argument("--derive-boxes", type=int, default=0, metavar="N",
                        help="rederive the identity check's crop boxes with face-api's detector "
                             "on the first N clips")
    args = parser.parse_args()

    ids_path = os.path.join(args.data, "IDs.txt")
    if not os.path.exists(ids_path):
        print(f"skip: no data at {args.data}")
        return 77
    if shutil.which("node") is None:
        print("skip: node is not installed")
        return 77
    node_modules = args.node_modules
    if not node_modules:
        try:
            node_modules = subprocess.run([os.path.join(TOOLS, "convert", "fetch_face_api.sh"),
                                           os.path.join(ROOT, "build-faceapi")], check=True,
                                          capture_output=True, text=True).stdout.strip()
        except subprocess.CalledProcessError as err:
            print(f"skip: npm could not fetch face-api: {err.stderr[-400:]}")
            return 77

    with open(ids_path) as f:
        ids = [line.strip() for line in f if line.strip()]
    if args.limit:
        ids = ids[:args.limit]
    images = {}
    for clip in ids:
        images[f"ori/{clip}"] = decode(os.path.join(args.data, "Face_ori", clip + ".jpg"))
    for path in sorted(glob.glob(os.path.join(node_modules, "@vladmandic/face-api/demo/*.jpg"))):
        images["demo/" + os.path.basename(path)] = decode(path)

    started = time.time()
    oracle, info = run_oracle(node_modules, images)
    node_seconds = time.time() - started

    os.environ["S2F_LIBRARY"] = os.path.abspath(args.library)  # read by the binding when imported
    import speech2face as s2f
    with s2f.Model(args.model) as container:
        encoder = s2f.FaceEncoder(container)
    ours, c_seconds = {}, 0.0
    for name, rgb in images.items():
        t = time.time()
        ours[name] = encoder.encode(rgb)
        c_seconds += time.time() - t
    torch_ref = {}
    if args.torch:
        from reference.face_recognition_net import describe, load_container
        net, _ = load_container(args.model)
        for name, rgb in images.items():
            torch_ref[name] = describe(net, [rgb])[0]

    rows, failures = [], []
    for name in images:
        row = {"name": name, "cosine": cosine(ours[name], oracle[name]),
               "max_abs": float(np.abs(ours[name] - oracle[name]).max())}
        if torch_ref:
            row["torch_max_abs"] = float(np.abs(torch_ref[name] - oracle[name]).max())
        rows.append(row)
        if row["cosine"] < COSINE_MIN or row["max_abs"] > MAX_ABS_DIFF:
            failures.append(row)
    worst_cos = min(r["cosine"] for r in rows)
    worst_abs = max(r["max_abs"] for r in rows)
    print(f"face-api {info['versions']['face-api']} (tfjs {info['versions']['tfjs']}, backend "
          f"{info['backend']}) vs ours on {len(rows)} images: worst cosine {worst_cos:.9f}, "
          f"worst max|Δ| {worst_abs:.3g}; Node {node_seconds:.1f} s, ours "
          f"{1000 * c_seconds / len(rows):.1f} ms/image")
    if torch_ref:
        print(f"PyTorch reference vs face-api: worst max|Δ| "
              f"{max(r['torch_max_abs'] for r in rows):.3g}")
    for row in failures[:20]:
        print(f"FAIL {row['name']}: cosine {row['cosine']:.9f}, max|Δ| {row['max_abs']:.3g}")

    ori_box, f2f_box = ORI_BOX, F2F_BOX
    if args.derive_boxes:
        ori_box, f2f_box = derive_boxes(node_modules, args.data, ids[:args.derive_boxes])
    clips = [c for c in ids if os.path.exists(os.path.join(args.data, "Face_f2f", c + ".jpg"))]
    identity = {}
    if len(clips) > 1:
        f2f_images = [decode(os.path.join(args.data, "Face_f2f", c + ".jpg")) for c in clips]
        ori_images = [images[f"ori/{c}"] for c in clips]
        for framing, (a_box, b_box) in (("full frames", (None, None)),
                                        ("detector boxes", (ori_box, f2f_box))):
            ori = [encoder.encode(im if a_box is None else crop(im, a_box))
                   for im in ori_images]
            f2f = [encoder.encode(im if b_box is None else crop(im, b_box))
                   for im in f2f_images]
            identity[framing] = identity_check(ori, f2f)
            rate, f2f_rate, top1 = identity[framing]
            print(f"identity, {framing}: same person closer than a different one in "
                  f"{100 * rate:.2f} % of {len(clips) * (len(clips) - 1)} pairs (ori-anchored; "
                  f"f2f-anchored {100 * f2f_rate:.2f} %), top-1 f2f → ori {100 * top1:.1f} % "
                  f"(chance {100 / len(clips):.2f} %)")
    identity_ok = not identity or identity["detector boxes"][0] >= IDENTITY_MIN
    if not identity_ok:
        print(f"FAIL identity: {100 * identity['detector boxes'][0]:.2f} % < "
              f"{100 * IDENTITY_MIN:.0f} %")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"images": rows, "identity": identity, "versions": info["versions"]}, f,
                      indent=1)
    return 0 if not failures and identity_ok else 1


if __name__ == "__main__":
    sys.exit(main())
