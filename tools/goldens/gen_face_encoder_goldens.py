#!/usr/bin/python3
"""Regenerates tests/face_encoder/data: inputs and face-api's own descriptors for the C tests.

    /usr/bin/python3 tools/goldens/gen_face_encoder_goldens.py [--node-modules DIR] [--data AVSPEECH_DIR]

* synthetic_<i>.npy: seeded synthetic RGB images (uint8; 150×150, 83×61 and 170×230 — the latter
  two exercise pad-to-square and resize). They are not faces: the network is a fixed function
  and the test is numeric agreement with the original, which any input checks; real faces are
  not redistributable.
* synthetic_expected.npy: face-api's descriptors of them (Node, tfjs WebAssembly backend), (3, 128).
* face_ori_expected.npy + face_ori_ids.txt: face-api's descriptors of the first 8 real Face_ori
  crops of ../shared/data (descriptors only, not the images), for the live test that runs where
  the data is.
Needs node (tools/convert/fetch_face_api.sh installs the npm packages) and the models/ container.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
from reference.compare_face_api import decode, run_oracle  # noqa: E402

OUT = os.path.join(ROOT, "tests", "face_encoder", "data")
SYNTHETIC_SHAPES = [(150, 150), (83, 61), (170, 230)]
REAL_COUNT = 8


def synthetic_image(seed, height, width):
    """Smooth colour gradients, a few soft blobs and a little noise: varied, deterministic."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.zeros((height, width, 3))
    for c in range(3):
        a, b, phase = rng.uniform(-1, 1, 3)
        image[..., c] = 128 + 60 * np.sin(a * x / 9 + b * y / 11 + 6 * phase)
    for _ in range(6):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        radius = rng.uniform(5, 0.4 * max(height, width))
        blob = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * radius ** 2))
        image += blob[..., None] * rng.uniform(-90, 90, 3)
    image += rng.normal(0, 6, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules")
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "s2f-samples",
                                                       "avspeech"))
    args = parser.parse_args()
    node_modules = args.node_modules or subprocess.run(
        [os.path.join(TOOLS, "convert", "fetch_face_api.sh"), os.path.join(ROOT, "build-faceapi")],
        check=True, capture_output=True, text=True).stdout.strip()
    os.makedirs(OUT, exist_ok=True)

    images = {}
    for i, (h, w) in enumerate(SYNTHETIC_SHAPES):
        images[f"synthetic_{i}"] = synthetic_image(1000 + i, h, w)
        np.save(os.path.join(OUT, f"synthetic_{i}.npy"), images[f"synthetic_{i}"])
    with open(os.path.join(args.data, "IDs.txt")) as f:
        ids = [line.strip() for line in f if line.strip()][:REAL_COUNT]
    for clip in ids:
        images[clip] = decode(os.path.join(args.data, "Face_ori", clip + ".jpg"))

    descriptors, info = run_oracle(node_modules, images)
    synthetic = np.stack([descriptors[f"synthetic_{i}"] for i in range(len(SYNTHETIC_SHAPES))])
    np.save(os.path.join(OUT, "synthetic_expected.npy"), synthetic.astype(np.float32))
    np.save(os.path.join(OUT, "face_ori_expected.npy"),
            np.stack([descriptors[c] for c in ids]).astype(np.float32))
    with open(os.path.join(OUT, "face_ori_ids.txt"), "w") as f:
        f.write("\n".join(ids) + "\n")
    print(f"wrote {OUT} with face-api {info['versions']['face-api']}, tfjs {info['versions']['tfjs']}"
          f" ({info['backend']})")


if __name__ == "__main__":
    main()
