#!/usr/bin/python3
"""Writes the warp goldens of tests/warp/data from a real face and tools/warp_ref.py.

  face64.npy            64x64x3 uint8: a centre crop of a shared-data face photo, downscaled
  case_<name>_src.npy   68x2 float32 (x, y) control points (a synthetic 68-landmark face layout)
  case_<name>_dst.npy   68x2 float32 the same points after a seeded random move
  case_<name>_params.npy float64 [order, regularization, boundary_points]
  case_<name>_out.npy   64x64x3 float32 the reference warp of face64/255

Usage: tools/gen_warp_goldens.py [SAMPLES_DIR] [OUT_DIR]
  SAMPLES_DIR defaults to ../shared/data/s2f-samples (relative to the repository root); needs
  python3-pil to read the JPEG. OUT_DIR defaults to tests/warp/data.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import warp_ref  # noqa: E402

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


def landmark_layout(size):
    """68 (x, y) points arranged like the iBUG 68-landmark face (jaw, brows, nose, eyes, mouth),
    scaled to a size x size image. Not a detector's output, just a plausible configuration."""
    c = size / 2.0
    s = size / 64.0
    points = []
    for t in np.linspace(np.pi * 0.05, np.pi * 0.95, 17):            # jaw, 17
        points.append((c - 22 * s * np.cos(t), c + 2 * s + 24 * s * np.sin(t) * 0.9))
    for side in (-1, 1):                                              # brows, 2 x 5
        for t in np.linspace(0, 1, 5):
            x = c + side * (6 + 14 * t) * s if side > 0 else c - (20 - 14 * t) * s
            points.append((x, c - 12 * s - 3 * s * np.sin(np.pi * t)))
    for t in np.linspace(0, 1, 4):                                    # nose bridge, 4
        points.append((c, c - 8 * s + 12 * s * t))
    for t in np.linspace(-1, 1, 5):                                   # nostrils, 5
        points.append((c + 5 * s * t, c + 6 * s - 1.5 * s * (1 - t * t)))
    for side in (-1, 1):                                              # eyes, 2 x 6
        ex = c + side * 12 * s
        for a in np.linspace(0, 2 * np.pi, 7)[:-1]:
            points.append((ex - 5 * s * np.cos(a), c - 6 * s - 2 * s * np.sin(a)))
    for a in np.linspace(0, 2 * np.pi, 13)[:-1]:                      # outer lips, 12
        points.append((c - 10 * s * np.cos(a), c + 14 * s - 4 * s * np.sin(a)))
    for a in np.linspace(0, 2 * np.pi, 9)[:-1]:                       # inner lips, 8
        points.append((c - 6 * s * np.cos(a), c + 14 * s - 1.5 * s * np.sin(a)))
    points = np.asarray(points, dtype=np.float32)
    assert points.shape == (68, 2)
    return points


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
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
