"""Real-like face features for index tests and benchmarks.

The shipped face encoder is not available to the index's tests (it is another component), so
these features are computed from the real face photos in ../shared/data with a fixed random
network of the same shape as the feature heads the library uses: 32×32 grey pixels → a random
projection → ReLU (fc7-like, non-negative, 4096-D) or → L2-normalised 128-D (descriptor-like).
What matters for an index is the geometry of real data: strongly correlated, non-uniform
vectors with many near neighbours, unlike i.i.d. Gaussian noise.
"""
import os

import numpy as np


def face_images(data_dir, folders=("Face_ori", "Face_f2f", "Face_exg0", "Face_exg0.7", "Face_exg1.4")):
    from PIL import Image
    root = os.path.join(data_dir, "avspeech")
    ids = [line.strip() for line in open(os.path.join(root, "IDs.txt")) if line.strip()]
    pixels, labels = [], []
    for folder in folders:
        for n, clip in enumerate(ids):
            path = os.path.join(root, folder, clip + ".jpg")
            if not os.path.exists(path):
                continue
            img = Image.open(path).convert("L").resize((32, 32), Image.BILINEAR)
            pixels.append(np.asarray(img, np.float32).ravel() / 255.0)
            labels.append((folder, n))
    return np.stack(pixels), labels


def features(pixels, dim, seed=7):
    rng = np.random.default_rng(seed)
    centred = pixels - pixels.mean(axis=0)
    w = rng.standard_normal((pixels.shape[1], dim)).astype(np.float32) / np.sqrt(pixels.shape[1])
    h = centred @ w
    if dim >= 1024:
        return np.maximum(h + 0.5, 0).astype(np.float32)  # fc7-like: ReLU, non-negative, sparse
    return (h / np.linalg.norm(h, axis=1, keepdims=True)).astype(np.float32)
