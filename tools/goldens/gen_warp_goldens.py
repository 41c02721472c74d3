#!/usr/bin/python3
"""Writes the warp goldens of tests/warp/data from a real face and tools/reference/warp_ref.py.

  face64.npy            64x64x3 uint8: a centre crop of a shared-data face photo, downscaled
  case_<name>_src.npy   68x2 float32 (x, y) control points (a synthetic 68-landmark face layout)
  case_<name>_dst.npy   68x2 float32 the same points after a seeded random move
  case_<name>_params.npy float64 [order, regularization, boundary_points]
  case_<name>_out.npy   64x64x3 float32 the reference warp of face64/255

Usage: tools/goldens/gen_warp_goldens.py [SAMPLES_DIR] [OUT_DIR]
  SAMPLES_DIR defaults to ../shared/data/s2f-samples (relative to the repository root); needs
  python3-pil to read the JPEG. OUT_DIR defaults to tests/warp/data.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference import warp_ref  # noqa: E402
from reference.warp_ref import landmark_layout  # noqa: E402

SIZE = 64
# (name, order, regularization, boundary_points): every order, exact and regularised, with the
# boundary-point variants TF offers (none, corners only, corners + midpoints, more).
CASES = [
    ("k1_exact", 1, 0.0, 2),
    ("k1_reg", 1, 0.5, 1),
    ("k2_exact", 2, 0.0, 2),
    ("k2_reg", 2, 5.0, 3),
    ("k3_exact", 3, 0.0, 0),
    ("k3_reg", 3, 50.0, 2),
]


def moved_landmarks(src, rng, size):
    """A face-like change of shape: a random small affine change about the centre, a smooth
    random bend of a few pixels, and 0.3 px of independent jitter per landmark."""
    centred = (src - size / 2.0) / size
    affine = np.eye(2) + rng.normal(0.0, 0.04, (2, 2))
    phase = rng.uniform(0, 2 * np.pi, 2)
    bend = 0.04 * np.stack([np.sin(2 * np.pi * centred[:, 1] + phase[0]),
                            np.sin(2 * np.pi * centred[:, 0] + phase[1])], axis=-1)
    moved = (centred @ affine.T + bend) * size + size / 2.0
    moved += rng.normal(0.0, 0.3, src.shape)
    return moved.astype(np.float32)


def load_face(samples_dir, size):
    from PIL import Image
    face_dir = os.path.join(samples_dir, "avspeech", "Face_f2f")
    name = sorted(f for f in os.listdir(face_dir) if f.endswith(".jpg"))[0]
    image = Image.open(os.path.join(face_dir, name)).convert("RGB")
    side = min(image.size)
    left, top = (image.size[0] - side) // 2, (image.size[1] - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((size, size), Image.BILINEAR)
    return np.asarray(image, dtype=np.uint8), name


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    samples_dir = argv[0] if argv else os.path.join(root, "..", "shared", "data", "s2f-samples")
    out_dir = argv[1] if len(argv) > 1 else os.path.join(root, "tests", "warp", "data")
    os.makedirs(out_dir, exist_ok=True)
    face, name = load_face(samples_dir, SIZE)
    np.save(os.path.join(out_dir, "face64.npy"), face)
    image = face.astype(np.float32) / np.float32(255.0)
    src = landmark_layout(SIZE)
    rng = np.random.default_rng(20190601)
    for case_name, order, regularization, boundary in CASES:
        dst = moved_landmarks(src, rng, SIZE)
        out = warp_ref.warp_xy(image, src, dst, order, regularization, boundary)
        prefix = os.path.join(out_dir, f"case_{case_name}")
        np.save(prefix + "_src.npy", src)
        np.save(prefix + "_dst.npy", dst)
        np.save(prefix + "_params.npy", np.array([order, regularization, boundary], np.float64))
        np.save(prefix + "_out.npy", out.astype(np.float32))
        exact = warp_ref.warp_xy(image, src, dst, order, 0.0, boundary)
        print(f"{case_name}: max |out - in| = {np.abs(out - image).max():.4f}, "
              f"max |out - exact fit| = {np.abs(out - exact).max():.4f}, "
              f"max |dst - src| = {np.abs(dst - src).max():.2f} px")
    print(f"face: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
