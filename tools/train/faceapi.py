"""Python side of tools/train/faceapi_judge.js: hands images to the original face-api in Node."""
import json
import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def node_modules():
    """Where `npm install @vladmandic/face-api @tensorflow/tfjs @tensorflow/tfjs-backend-wasm`
    put its packages: $S2F_FACEAPI_MODULES, else the project's git-ignored build-faceapi/."""
    path = os.environ.get("S2F_FACEAPI_MODULES",
                          os.path.join(HERE, "..", "..", "build-faceapi", "node_modules"))
    if not os.path.isdir(os.path.join(path, "@vladmandic", "face-api")):
        raise RuntimeError(f"face-api not found in {path}: set S2F_FACEAPI_MODULES")
    return path


def judge(images, crop=False):
    """images: {name: uint8 array H x W x 3}. Returns {name: dict | None} (see the .js file).
    crop=True: the images are framed face crops; skip detection, judge age/gender only."""
    with tempfile.TemporaryDirectory() as job:
        index = []
        for i, (name, image) in enumerate(images.items()):
            image = np.ascontiguousarray(image, dtype=np.uint8)
            file = f"{i}.rgb"
            image.tofile(os.path.join(job, file))
            index.append({"name": name, "file": file, "width": image.shape[1],
                          "height": image.shape[0], "crop": crop})
        with open(os.path.join(job, "index.json"), "w") as f:
            json.dump(index, f)
        subprocess.run(["node", os.path.join(HERE, "faceapi_judge.js"), node_modules(), job], check=True)
        with open(os.path.join(job, "faceapi.json")) as f:
            return json.load(f)


def framed(image, box, size=None, resize_filter=None):
    """The `box` (224-pixel units) of a canonical or true face at any resolution, resized (by
    default as precompute.py frames the descriptors' images: to the box's size in 224 units,
    TF bilinear)."""
    import speech2face as s2f
    scale = image.shape[0] / 224.0
    size = size or (int(round(box[2])), int(round(box[3])))
    resize_filter = s2f.RESIZE_BILINEAR_TF if resize_filter is None else resize_filter
    return s2f.crop_resize(image, [v * scale for v in box], size, resize_filter)


def judged(images, box):
    """face-api's age/gender of each image's `box`, as 112 x 112 antialiased crops (the
    protocol of evaluate.py)."""
    import speech2face as s2f
    out = {}
    names = list(images)
    for start in range(0, len(names), 100):
        out.update(judge({n: framed(images[n], box, (112, 112), s2f.RESIZE_BILINEAR_ANTIALIAS)
                          for n in names[start:start + 100]}, crop=True))
    return out
