#!/usr/bin/python3
"""Live oracle: the built library's s2f_warp_image (through the Python binding) against tools/reference/warp_ref.py on
real faces with face-like landmark moves, for every order, with and without regularisation and
with several boundary-point settings. Exits 77 (skip) when numpy is missing.

Usage: live_oracle.py LIBSPEECH2FACE.so TESTS_WARP_DATA_DIR TOOLS_DIR [SAMPLES_DIR]
  With SAMPLES_DIR present and python3-pil installed it also warps a 224x224 photo crop."""
import os
import sys

try:
    import numpy as np
except ImportError:
    print("numpy not importable: skipping")
    sys.exit(77)

TOLERANCE = 1e-3


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))


def c_warp(s2f, image, src, dst, order, regularization, boundary):
    """s2f_warp_image through the binding, float32 in and out."""
    return s2f.warp_image(np.asarray(image, dtype=np.float32), src, dst, order=order,
                          regularization=regularization, boundary_points=boundary)


def load_224_face(samples_dir):
    try:
        from PIL import Image
    except ImportError:
        print("python3-pil not importable: skipping the 224x224 photo")
        return None
    face_dir = os.path.join(samples_dir, "avspeech", "Face_f2f")
    if not os.path.isdir(face_dir):
        print(f"{face_dir} absent: skipping the 224x224 photo")
        return None
    name = sorted(f for f in os.listdir(face_dir) if f.endswith(".jpg"))[1]
    image = Image.open(os.path.join(face_dir, name)).convert("RGB")
    side = min(image.size)
    left, top = (image.size[0] - side) // 2, (image.size[1] - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((224, 224), Image.BILINEAR)
    return np.asarray(image, dtype=np.float32) / np.float32(255.0)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    os.environ["S2F_LIBRARY"] = os.path.abspath(argv[0])  # read by the binding when imported
    import speech2face as s2f
    sys.path.insert(0, argv[2])
    from goldens import gen_warp_goldens
    from reference import warp_ref

    images = [np.load(os.path.join(argv[1], "face64.npy")).astype(np.float32) / np.float32(255)]
    if len(argv) > 3:
        photo = load_224_face(argv[3])
        if photo is not None:
            images.append(photo)
    rng = np.random.default_rng(5)
    settings = [(1, 0.0, 2), (1, 1.0, 0), (2, 0.0, 2), (2, 0.0, 4), (2, 10.0, 1), (3, 0.0, 3),
                (3, 100.0, 2)]
    worst = 0.0
    failures = 0
    for image in images:
        size = image.shape[0]
        src = warp_ref.landmark_layout(size)
        for order, regularization, boundary in settings:
            # Regularisation in pixel units scales with the kernel: r^k grows with the image.
            reg = regularization * (size / 64.0) ** order
            dst = gen_warp_goldens.moved_landmarks(src, rng, size)
            got = c_warp(s2f, image, src, dst, order, reg, boundary)
            want = warp_ref.warp_xy(image, src, dst, order, reg, boundary)
            err = float(np.abs(got - want).max())
            worst = max(worst, err)
            ok = err <= TOLERANCE
            failures += not ok
            print(f"{size}x{size} k={order} lambda={reg:g} boundary={boundary}: "
                  f"max |C - reference| = {err:.3g} {'ok' if ok else 'FAIL'}")
    print(f"worst {worst:.3g} (tolerance {TOLERANCE})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
