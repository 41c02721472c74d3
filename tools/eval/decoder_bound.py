#!/usr/bin/env python3
"""The face decoder's own bound, no voice involved (issue 16): decode the face encoder's
descriptor of each validation speaker's TRUE face (Face_ori), and judge the image.

- Identity: decoded image -> face encoder -> cosine search among the validation speakers' true
  face descriptors; R@1/2/5/10 (the true match is the clip's own face), chance k / N.
- Attributes: face-api's age/gender network (the original, in Node) on the decoded image and on
  the true face, each on its set's fixed face box (as tools/eval/evaluate.py): gender agreement,
  age-decade agreement, and the Pearson correlation of the judged ages.
- Sameness: mean pairwise cosine of the decoded images' descriptors after subtracting the mean
  true-face descriptor of the training split (true faces score about 0; one template for every
  input scores near 1).
- Visible likeness, with no network at all: each decoded image, shrunk to 28 x 28, ranks the
  paper's own decoding (Face_f2f) of the 173 faces by pixel distance; R@10 of the same clip's.
  The face encoder can be satisfied by patterns a person does not see; this cannot, and an
  image that is one template for everyone scores chance here.
- Anchors, judged the same way: the paper's own decoder on the same faces (Face_f2f, an image
  in ../shared), and the true faces themselves.
- With every rate its 95 % Wilson interval. A contact sheet: true face | paper's Face_f2f | ours.

Everything runs through libspeech2face via the Python binding (decoder, crop, face encoder),
the shipped code path; a PyTorch checkpoint (.pt) is first converted into a container.

    S2F_LIBRARY=build/lib/libspeech2face.so /usr/bin/python3 tools/eval/decoder_bound.py \
        --model models/default.s2fm --json out.json --sheet sheet.png
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, os.path.join(TOOLS, "train"))
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
os.environ.setdefault("S2F_LIBRARY", os.path.join(ROOT, "build", "lib", "libspeech2face.so"))
from common import cache_path, face_path, split, training_mean_descriptor  # noqa: E402
from reference.compare_face_api import F2F_BOX, ORI_BOX  # noqa: E402
from evaluate import contact_sheet, recall_at, wilson_interval  # noqa: E402
from faceapi import framed, judged  # noqa: E402


def container_for(path):
    """A container holding the face decoder: `path` itself, or a temporary one converted from a
    training checkpoint (tools/train/train_face_decoder.py's .pt)."""
    if path.endswith(".s2fm"):
        return path, None
    import torch
    from reference import s2f_model
    from convert.convert_face_decoder import face_decoder_parts
    from reference.face_decoder import FaceDecoder
    checkpoint = torch.load(path)
    model = FaceDecoder(checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    metadata, tensors = face_decoder_parts(model.eval())
    metadata["general.architecture"] = "speech2face"
    metadata["general.name"] = "face decoder checkpoint " + os.path.basename(path)
    folder = tempfile.TemporaryDirectory()
    out = os.path.join(folder.name, "decoder.s2fm")
    s2f_model.write_model(out, metadata, tensors)
    return out, folder


def describe(encoder, images, box):
    return np.stack([encoder.encode(framed(im, box)) for im in images])


def attribute_agreement(truth, other, clips):
    both = [c for c in clips if truth.get(c) and other.get(c)]
    gender = sum(truth[c]["gender"] == other[c]["gender"] for c in both)
    decade = sum(int(truth[c]["age"] // 10) == int(other[c]["age"] // 10) for c in both)
    ages = np.array([[truth[c]["age"], other[c]["age"]] for c in both])
    n = len(both)
    return {"clips_judged": n,
            "gender_agreement": gender / n, "gender_agreement_95ci": wilson_interval(gender, n),
            "age_decade_agreement": decade / n,
            "age_decade_agreement_95ci": wilson_interval(decade, n),
            "judged_age_correlation": float(np.corrcoef(ages[:, 0], ages[:, 1])[0, 1]),
            "judged_age_mean_sd": [float(ages[:, 1].mean()), float(ages[:, 1].std())],
            # per clip, so that two runs can be compared pairwise (McNemar) on the same clips
            "gender_misses": [c for c in both if truth[c]["gender"] != other[c]["gender"]]}


def identity_report(descriptors, truth, mu):
    def unit(x):
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    n = len(truth)
    recall = recall_at(unit(descriptors) @ unit(truth).T, [1, 2, 5, 10])
    centred = unit(descriptors - mu)
    pairwise = centred @ centred.T
    return {"recall": {f"R@{k}": v for k, v in recall.items()},
            "recall_95ci": {f"R@{k}": wilson_interval(round(v * n), n) for k, v in recall.items()},
            "chance": {f"R@{k}": k / n for k in [1, 2, 5, 10]},
            "mean_centred_pairwise_cosine": float(pairwise[~np.eye(n, dtype=bool)].mean())}


def pixel_likeness(ours, reference):
    """R@k of ours[i] among `reference` by squared distance of 28 x 28 area-averaged RGB (both
    [N, H, W, 3] uint8, H a multiple of 28); the true match of i is reference[i]."""
    def small(images):
        n, h = images.shape[:2]
        f = h // 28
        return images.astype(np.float64).reshape(n, 28, f, 28, f, 3).mean(axis=(2, 4)).reshape(n, -1) / 255.0
    a, b = small(ours), small(reference)
    distance = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    ranks = (distance < np.diag(distance)[:, None]).sum(axis=1)
    n = len(a)
    return {"recall": {f"R@{k}": float(np.mean(ranks < k)) for k in [1, 5, 10]},
            "recall_95ci": {f"R@{k}": wilson_interval(int(np.sum(ranks < k)), n) for k in [1, 5, 10]}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "default.s2fm"),
                        help="a container with a face decoder, or a training checkpoint (.pt)")
    parser.add_argument("--face-encoder", default=os.path.join(ROOT, "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--split", choices=["validation", "train"], default="validation",
                        help="'train': the same figures on the training clips (the fit, not the bound)")
    parser.add_argument("--limit", type=int, default=0, help="first N clips only (0: all)")
    parser.add_argument("--no-attributes", action="store_true", help="skip face-api (Node)")
    parser.add_argument("--json", default=None)
    parser.add_argument("--sheet", default=None)
    args = parser.parse_args()
    import speech2face as s2f

    ids = json.load(open(cache_path("ids.json")))
    train_ids, validation = split(ids)
    clips = validation if args.split == "validation" else train_ids
    clips = clips[:args.limit] if args.limit else clips
    rows = np.array([ids.index(c) for c in clips])
    ori = np.load(cache_path("descriptors_Face_ori.npy"))
    truth = ori[rows]
    mu = training_mean_descriptor()

    container, _keep = container_for(args.model)
    with s2f.Model(container) as model:
        decoder = s2f.FaceDecoder(model)
        ours = {c: decoder.decode_u8(truth[i])[0] for i, c in enumerate(clips)}
    with s2f.Model(args.face_encoder) as model:
        encoder = s2f.FaceEncoder(model)
        ours_descriptors = describe(encoder, [ours[c] for c in clips], F2F_BOX)
    f2f_descriptors = np.load(cache_path("descriptors_Face_f2f.npy"))[rows]
    f2f_small = np.stack([np.asarray(Image.open(face_path("Face_f2f", c)).convert("RGB").resize(
        (112, 112), Image.LANCZOS)) for c in clips])
    ours_small = np.stack([np.asarray(Image.fromarray(ours[c]).resize((112, 112), Image.LANCZOS))
                           for c in clips])

    report = {"model": os.path.relpath(args.model, ROOT) if args.model.startswith(ROOT) else args.model,
              "split": args.split, "clips": len(clips), "gallery_size": len(clips),
              "image_size": int(next(iter(ours.values())).shape[0]),
              "ours": identity_report(ours_descriptors, truth, mu),
              "paper_Face_f2f": identity_report(f2f_descriptors, truth, mu),
              "pixel_likeness_to_paper_Face_f2f": pixel_likeness(ours_small, f2f_small),
              "true_faces": {"mean_centred_pairwise_cosine":
                             identity_report(truth, truth, mu)["mean_centred_pairwise_cosine"]}}
    if not args.no_attributes:
        def load(kind):
            return {c: np.asarray(Image.open(face_path(kind, c)).convert("RGB")) for c in clips}
        true_judged = judged(load("Face_ori"), ORI_BOX)
        report["ours"]["attributes"] = attribute_agreement(true_judged, judged(ours, F2F_BOX), clips)
        report["paper_Face_f2f"]["attributes"] = attribute_agreement(
            true_judged, judged(load("Face_f2f"), F2F_BOX), clips)
        ages = np.array([true_judged[c]["age"] for c in clips if true_judged.get(c)])
        report["true_faces"]["judged_age_mean_sd"] = [float(ages.mean()), float(ages.std())]
    print(json.dumps(report, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if args.sheet:
        contact_sheet(args.sheet, clips[:16], ours, paper_kind="Face_f2f")


if __name__ == "__main__":
    main()
