#!/usr/bin/env python3
"""Precomputes everything training and evaluation read, once, into the cache (build-train/):

  spectrograms.npy   float16 [N, 598, 257, 2]  the paper's input, through libspeech2face
  faces_<kind>_<R>.npy uint8 [N, R, R, 3]      canonical faces (<kind> in CANONICAL_KINDS: the
                                               paper's decoder outputs) resized to R x R
  faceapi_<kind>.json                          face-api (original, Node) on <kind> images:
                                               68 landmarks, box, age, gender
  judged_train_<kind>.json                     face-api's age/gender of the training split's
                                               <kind> images framed by their set's fixed box,
                                               as the evaluations judge (faceapi.judged)
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
sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings", "python"))
from common import cache_path, clip_ids, face_path, split, wav_path  # noqa: E402

DECODER_RESOLUTION = 112
# Frontal, neutral faces drawn by the paper's own decoder: Face_f2f from the true face's feature,
# Face_exg* from speech (three settings). All share one framing (compare_face_api.F2F_BOX).
CANONICAL_KINDS = ["Face_f2f", "Face_exg0", "Face_exg0.7", "Face_exg1.4"]
ALL_KINDS = ["Face_ori"] + CANONICAL_KINDS


def load_rgb(kind, clip_id):
    return np.asarray(Image.open(face_path(kind, clip_id)).convert("RGB"))


def spectrograms(ids):
    import speech2face as s2f
    spec = s2f.Spectrogram()
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


def judged_training_faces(ids, kinds):
    """Age and gender of the training split's images, judged as decoder_bound.py and
    evaluate.py judge (a fixed box per set, 112 x 112), for train_face_decoder.py
    --gender-consistent. Validation clips are not judged here."""
    from faceapi import judged
    from reference.compare_face_api import F2F_BOX, ORI_BOX
    train_ids, _ = split(ids)
    for kind in kinds:
        box = ORI_BOX if kind == "Face_ori" else F2F_BOX
        results = judged({i: load_rgb(kind, i) for i in train_ids}, box)
        with open(cache_path(f"judged_train_{kind}.json"), "w") as f:
            json.dump(results, f)
        print(f"face-api judged {sum(r is not None for r in results.values())}/{len(train_ids)} "
              f"training {kind} images")


def descriptors(model, ids, kinds):
    """Our face encoder on each image cropped with its set's fixed face box (the median box
    face-api's detector finds, tools/reference/compare_face_api.py): the framing the network expects.
    Same-person pairs are then closer than different people in 99.2 % of cases (94 % on the
    uncropped 224 x 224 frames)."""
    import speech2face as s2f
    from reference.compare_face_api import F2F_BOX, ORI_BOX
    with s2f.Model(model) as container:
        encoder = s2f.FaceEncoder(container)
    boxes = {kind: F2F_BOX for kind in CANONICAL_KINDS}
    boxes["Face_ori"] = ORI_BOX
    for kind in kinds:
        box = boxes[kind]
        size = (int(round(box[2])), int(round(box[3])))
        np.save(cache_path(f"descriptors_{kind}.npy"), np.stack([
            encoder.encode(s2f.crop_resize(load_rgb(kind, i), box, size, s2f.RESIZE_BILINEAR_TF))
            for i in ids]).astype(np.float32))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", default=os.path.join(HERE, "..", "..", "build", "lib", "libspeech2face.so"))
    parser.add_argument("--face-encoder-model", default=os.path.join(HERE, "..", "..", "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--parts", default="spectrograms,faces,faceapi,judged,descriptors")
    parser.add_argument("--kinds", default=",".join(ALL_KINDS),
                        help="image sets for the faceapi, judged and descriptors parts")
    args = parser.parse_args()
    os.environ["S2F_LIBRARY"] = os.path.abspath(args.lib)  # read by the binding when imported
    ids = clip_ids()
    with open(cache_path("ids.json"), "w") as f:
        json.dump(ids, f)
    parts = args.parts.split(",")
    kinds = args.kinds.split(",")
    if "spectrograms" in parts:
        spectrograms(ids)
    if "faces" in parts:
        faces(ids)
    if "faceapi" in parts:
        faceapi_attributes(ids, kinds)
    if "judged" in parts:
        judged_training_faces(ids, kinds)
    if "descriptors" in parts:
        descriptors(args.face_encoder_model, ids, kinds)


if __name__ == "__main__":
    main()
