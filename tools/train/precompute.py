#!/usr/bin/env python3
"""Precomputes everything training and evaluation read, once, into the cache (build-train/):

  spectrograms.npy   float16 [N, 598, 257, 2]  the paper's input, through libspeech2face
  faces_<kind>_<R>.npy uint8 [N, R, R, 3]      canonical faces (<kind> in CANONICAL_KINDS: the
                                               paper's decoder outputs) resized to R x R
  faceapi_<kind>.json                          face-api (original, Node) on <kind> images:
                                               68 landmarks, box, age, gender
  descriptors_<kind>.npy float32 [N, 128]      our face encoder on <kind> (Face_ori and every
                                               canonical kind)
  ids.json                                     clip ids, row order of every array

    /usr/bin/python3 tools/train/precompute.py --lib build/lib/libspeech2face.so [--parts ...]
"""
import argparse
import json
import os
import sys

import numpy as np
import soundfile
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from common import cache_path, clip_ids, face_path, wav_path  # noqa: E402

DECODER_RESOLUTION = 112
# Frontal, neutral faces drawn by the paper's own decoder: Face_f2f from the true face's feature,
# Face_exg* from speech (three settings). All share one framing (compare_face_api.F2F_BOX).
CANONICAL_KINDS = ["Face_f2f", "Face_exg0", "Face_exg0.7", "Face_exg1.4"]
ALL_KINDS = ["Face_ori"] + CANONICAL_KINDS


def load_rgb(kind, clip_id):
    return np.asarray(Image.open(face_path(kind, clip_id)).convert("RGB"))


def spectrograms(lib, ids):
    from spectrogram_ctypes import Spectrogram
    spec = Spectrogram(lib)
    out = np.lib.format.open_memmap(cache_path("spectrograms.npy"), mode="w+", dtype=np.float16,
                                    shape=(len(ids), 598, 257, 2))
    for row, clip_id in enumerate(ids):
        pcm, rate = soundfile.read(wav_path(clip_id), dtype="float32")
        assert rate == 16000
        out[row] = spec.compute(pcm).astype(np.float16)
    out.flush()


def faces(ids, resolution=DECODER_RESOLUTION):
    for kind in CANONICAL_KINDS:
        images = np.stack([np.asarray(Image.fromarray(load_rgb(kind, i)).resize(
            (resolution, resolution), Image.LANCZOS)) for i in ids])
        np.save(cache_path(f"faces_{kind}_{resolution}.npy"), images)


def faceapi_attributes(ids, kinds):
    from faceapi import judge
    for kind in kinds:
        results = {}
        for start in range(0, len(ids), 100):  # bounded job folders
            chunk = ids[start:start + 100]
            results.update(judge({i: load_rgb(kind, i) for i in chunk}))
        with open(cache_path(f"faceapi_{kind}.json"), "w") as f:
            json.dump(results, f)
        found = sum(r is not None for r in results.values())
        print(f"face-api on {kind}: a face in {found}/{len(ids)}")


def descriptors(lib, model, ids, kinds):
    """Our face encoder on each image cropped with its set's fixed face box (the median box
    face-api's detector finds, tools/compare_face_api.py): the framing the network expects.
    Same-person pairs are then closer than different people in 99.2 % of cases (94 % on the
    uncropped 224 x 224 frames)."""
    from s2f_face_encoder_ctypes import FaceEncoder, crop_resize, load_library
    from compare_face_api import F2F_BOX, ORI_BOX
    library = load_library(lib)
    encoder = FaceEncoder(library, model)
    boxes = {kind: F2F_BOX for kind in CANONICAL_KINDS}
    boxes["Face_ori"] = ORI_BOX
    for kind in kinds:
        box = boxes[kind]
        size = (int(round(box[2])), int(round(box[3])))
        np.save(cache_path(f"descriptors_{kind}.npy"), np.stack([
            encoder.encode(crop_resize(library, load_rgb(kind, i), box, size, "bilinear_tf"))
            for i in ids]).astype(np.float32))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", default=os.path.join(HERE, "..", "..", "build", "lib", "libspeech2face.so"))
    parser.add_argument("--face-encoder-model", default=os.path.join(HERE, "..", "..", "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--parts", default="spectrograms,faces,faceapi,descriptors")
    parser.add_argument("--kinds", default=",".join(ALL_KINDS),
                        help="image sets for the faceapi and descriptors parts")
    args = parser.parse_args()
    ids = clip_ids()
    with open(cache_path("ids.json"), "w") as f:
        json.dump(ids, f)
    parts = args.parts.split(",")
    kinds = args.kinds.split(",")
    if "spectrograms" in parts:
        spectrograms(args.lib, ids)
    if "faces" in parts:
        faces(ids)
    if "faceapi" in parts:
        faceapi_attributes(ids, kinds)
    if "descriptors" in parts:
        descriptors(args.lib, args.face_encoder_model, ids, kinds)


if __name__ == "__main__":
    main()
