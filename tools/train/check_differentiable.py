#!/usr/bin/env python3
"""Checks tools/train/differentiable.py against the references it stands in for, so that the
identity loss optimises what evaluation measures:

- spline_warp vs tools/reference/warp_ref.py (numpy float64) on real canonical faces (../shared), moved
  from a mean-face layout to seeded random landmarks of another plausible face;
- the face encoder on face_encoder_input(image) (PyTorch, float) vs the face encoder of
  libspeech2face on the same image cropped and resized by the library, as precompute.py and
  the evaluation frame it (the descriptors should agree to a cosine near 1).

    /usr/bin/python3 tools/train/check_differentiable.py [--lib build/lib/libspeech2face.so]
Exits non-zero when a check fails, 77 (skip) without torch or the sample faces; a meson test
runs it.
"""
import argparse
import os
import sys

import numpy as np

try:
    import torch
except ImportError:
    print("torch not importable: skip")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(TOOLS, "..", "bindings", "python"))
from common import clip_ids, face_path  # noqa: E402
from reference.compare_face_api import F2F_BOX  # noqa: E402
from differentiable import face_encoder_input, spline_warp  # noqa: E402
from reference.face_decoder import mean_face_landmarks  # noqa: E402
from reference.face_recognition_net import load_container  # noqa: E402
from reference import warp_ref  # noqa: E402

WARP_MAX_ABS = 1e-4       # float32 sampling of a float64 flow, on 0..1 pixels
LATTICE = 38              # train_face_decoder.py's --flow-grid
# The interpolated flow's image against the exact one (0..1 pixels): mean |difference|. The
# spline's r^2 log r kinks at each landmark, so single pixels next to one can differ by a few
# hundredths; a loss averages over every pixel, and so does this bound.
LATTICE_MEAN_ABS = 1e-3
DESCRIPTOR_MIN_COSINE = 0.99


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", default=os.path.join(TOOLS, "..", "build", "lib", "libspeech2face.so"))
    parser.add_argument("--face-encoder", default=os.path.join(TOOLS, "..", "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from PIL import Image
    from common import DATA
    if not os.path.exists(os.path.join(DATA, "IDs.txt")):
        print(f"no sample faces at {DATA} (../shared beside the checkout, or S2F_DATA): skip")
        return 77
    clips = clip_ids()[:args.count]
    size = 112
    images = np.stack([np.asarray(Image.open(face_path("Face_f2f", c)).convert("RGB").resize(
        (size, size), Image.LANCZOS)) for c in clips]) / 255.0
    mean = mean_face_landmarks(size).astype(np.float64)
    rng = np.random.default_rng(args.seed)
    # Another face's landmarks: the layout scaled by up to 6 %, shifted by up to 3 px, and each
    # point moved by 0.7 px (real landmark sets differ from the mean smoothly, not point by point).
    centre = mean.mean(axis=0)
    points = np.stack([centre + (mean - centre) * rng.uniform(0.94, 1.06, 2) + rng.uniform(-3, 3, 2)
                       + rng.normal(0.0, 0.7, mean.shape) for _ in clips])
    ours = spline_warp(torch.from_numpy(images).float(), torch.from_numpy(mean).float(),
                       torch.from_numpy(points).float()).numpy()
    reference = np.stack([warp_ref.warp_xy(images[i], mean, points[i], 2, 1e-3, 2)
                          for i in range(len(clips))])
    warp_error = float(np.abs(ours - reference).max())
    print(f"spline_warp vs warp_ref: max |difference| {warp_error:.2e} (limit {WARP_MAX_ABS:g})")
    lattice = spline_warp(torch.from_numpy(images).float(), torch.from_numpy(mean).float(),
                          torch.from_numpy(points).float(), flow_grid=LATTICE).numpy()
    lattice_error = float(np.abs(lattice - reference).mean())
    print(f"spline_warp with a {LATTICE} x {LATTICE} flow lattice vs warp_ref: mean |difference| "
          f"{lattice_error:.2e} (limit {LATTICE_MEAN_ABS:g}), max {np.abs(lattice - reference).max():.2e}")

    os.environ["S2F_LIBRARY"] = os.path.abspath(args.lib)  # read by the binding when imported
    import speech2face as s2f
    with s2f.Model(args.face_encoder) as container:
        c_encoder = s2f.FaceEncoder(container)
    net, _ = load_container(args.face_encoder)
    u8 = np.clip(np.round(reference * 255), 0, 255).astype(np.uint8)
    box = [v * size / 224.0 for v in F2F_BOX]
    library_descriptors = np.stack([c_encoder.encode(s2f.crop_resize(
        u8[i], box, (int(round(F2F_BOX[2])), int(round(F2F_BOX[3]))), s2f.RESIZE_BILINEAR_TF))
        for i in range(len(clips))])
    with torch.no_grad():
        torch_descriptors = net(face_encoder_input(torch.from_numpy(u8 / 255.0).float(), F2F_BOX,
                                                   net.input_size)).numpy()
    cosines = np.sum(library_descriptors * torch_descriptors, axis=1) / (
        np.linalg.norm(library_descriptors, axis=1) * np.linalg.norm(torch_descriptors, axis=1))
    print(f"descriptor of face_encoder_input vs the library's framing: cosine min "
          f"{cosines.min():.5f} mean {cosines.mean():.5f} (limit {DESCRIPTOR_MIN_COSINE})")
    ok = (warp_error <= WARP_MAX_ABS and lattice_error <= LATTICE_MEAN_ABS
          and cosines.min() >= DESCRIPTOR_MIN_COSINE)
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
