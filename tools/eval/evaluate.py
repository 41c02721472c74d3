#!/usr/bin/env python3
"""Evaluates a trained model the paper's way (Oh et al. 2019, §4) on the validation split only
(speakers disjoint from training, tools/train/common.py):

- Retrieval: query = descriptor predicted from speech, gallery = descriptors of the validation
  speakers' true faces (our face encoder, Face_ori), cosine; R@1/2/5/10 with gallery size and
  chance level (k / N).
- Mean angle (degrees) between predicted and true descriptors.
- Attributes: face-api's age/gender network (the original, in Node) judges the true face, our
  reconstruction and the paper's own outputs (Face_exg0, Face_exg0.7, Face_exg1.4) of the same
  clips; gender agreement and age-decade agreement with the true face. Every image is judged on
  its set's fixed face box (the median box face-api's detector finds on that set, as for the
  descriptors), without per-image detection: the detector finds no face in blurry
  reconstructions, and one protocol for all sets keeps the comparison fair.
- A contact sheet (true face | paper's output | ours) for 16 validation clips.
- With every rate, its 95 % Wilson interval: on 173 clips one clip moves a rate by 0.6 points.

Predictions go through libspeech2face itself (spectrogram -> voice encoder -> face decoder, the
shipped container), via the Python binding when present, else the PyTorch reference modules
loaded from the same container (both verified equal to 1e-4 by the test suite).

    /usr/bin/python3 tools/eval/evaluate.py --model models/default.s2fm --sheet docs/eval-sheet.png
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOOLS, "train"))
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(TOOLS, "..", "bindings", "python"))
from common import (cache_path, face_path, predict_descriptors, split,  # noqa: E402
                    training_mean_descriptor, video_id)
from faceapi import judged  # noqa: E402
from reference.face_decoder import FaceDecoder, FaceDecoderConfig  # noqa: E402
from reference.voice_encoder import VoiceEncoder, VoiceEncoderConfig  # noqa: E402
from reference import s2f_model  # noqa: E402

PAPER_KINDS = ["Face_exg0", "Face_exg0.7", "Face_exg1.4"]


def component(metadata, tensors, prefix, config_cls, model_cls, **extra):
    fields = config_cls.__dataclass_fields__
    config = config_cls(**{k[len(prefix):]: (list(v) if isinstance(v, np.ndarray) else v)
                           for k, v in metadata.items()
                           if k.startswith(prefix) and k[len(prefix):] in fields})
    model = model_cls(config, **extra)
    state = {k[len(prefix):]: torch.from_numpy(np.array(v)) for k, v in tensors.items()
             if k.startswith(prefix)}
    model.load_state_dict(state, strict=False)
    return model.eval()


def predict(model_path, rows):
    metadata, tensors = s2f_model.read_model(model_path)
    voice = component(metadata, tensors, "voice_encoder.", VoiceEncoderConfig, VoiceEncoder)
    mean = np.asarray(metadata["face_decoder.mean_landmarks"], np.float32).reshape(-1, 2)
    decoder = component(metadata, tensors, "face_decoder.", FaceDecoderConfig, FaceDecoder,
                        mean_landmarks=mean)
    spectrograms = np.load(cache_path("spectrograms.npy"), mmap_mode="r")
    features = predict_descriptors(voice, spectrograms, rows, batch=8)
    with torch.inference_mode():
        images, _, _ = decoder(features)
    return features.numpy(), np.clip(np.round(images * 255), 0, 255).astype(np.uint8)


def recall_at(similarity, ks):
    """similarity[q, g]; the true match of query q is gallery item q."""
    ranks = (similarity > similarity[np.arange(len(similarity)), np.arange(len(similarity))][:, None]).sum(axis=1)
    return {k: float(np.mean(ranks < k)) for k in ks}


def wilson_interval(successes, trials, z=1.96):
    """95 % Wilson score interval of a proportion: with 173 validation clips one clip is 0.6
    points, so every rate here is reported with the range the data cannot tell apart from it."""
    if trials == 0:
        return [0.0, 0.0]
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return [float(centre - half), float(centre + half)]


def agreement(truth, other, clips):
    both = [c for c in clips if truth.get(c) and other.get(c)]
    if not both:
        return 0.0, 0.0, 0
    gender = np.mean([truth[c]["gender"] == other[c]["gender"] for c in both])
    decade = np.mean([int(truth[c]["age"] // 10) == int(other[c]["age"] // 10) for c in both])
    return float(gender), float(decade), len(both)


def contact_sheet(path, clips, ours, paper_kind="Face_exg0", tile=112):
    """True face | the paper's `paper_kind` image | ours, one row per clip."""
    sheet = Image.new("RGB", (3 * tile, len(clips) * tile), "white")
    for row, clip in enumerate(clips):
        for col, image in enumerate([Image.open(face_path("Face_ori", clip)).convert("RGB"),
                                     Image.open(face_path(paper_kind, clip)).convert("RGB"),
                                     Image.fromarray(ours[clip])]):
            sheet.paste(image.resize((tile, tile), Image.LANCZOS), (col * tile, row * tile))
    sheet.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.path.join(TOOLS, "..", "models", "default.s2fm"))
    parser.add_argument("--sheet", default=None)
    parser.add_argument("--lib", default=os.path.join(TOOLS, "..", "build", "lib", "libspeech2face.so"))
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    os.environ["S2F_LIBRARY"] = os.path.abspath(args.lib)  # read by the binding when imported

    ids = json.load(open(cache_path("ids.json")))
    _, validation = split(ids)
    rows = np.array([ids.index(c) for c in validation])
    predicted, images = predict(args.model, rows)
    truth = np.load(cache_path("descriptors_Face_ori.npy"))[rows]

    def unit(x):
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    similarity = unit(predicted) @ unit(truth).T
    n = len(rows)
    report = {"validation_clips": n, "validation_videos": len({video_id(c) for c in validation}),
              "gallery_size": n}
    report["recall"] = {f"R@{k}": v for k, v in recall_at(similarity, [1, 2, 5, 10]).items()}
    report["recall_95ci"] = {k: wilson_interval(round(v * n), n) for k, v in report["recall"].items()}
    report["chance"] = {f"R@{k}": k / n for k in [1, 2, 5, 10]}
    cosines = np.clip(np.sum(unit(predicted) * unit(truth), axis=1), -1, 1)
    angles = np.degrees(np.arccos(cosines))
    report["mean_angle_deg"] = [float(angles.mean()), float(angles.std())]
    # The same angle for the trivial predictor "always the training mean descriptor" anchors it.
    mean_descriptor = training_mean_descriptor()
    mean_cos = np.clip(unit(truth) @ (mean_descriptor / np.linalg.norm(mean_descriptor)), -1, 1)
    report["mean_angle_deg_of_training_mean"] = float(np.degrees(np.arccos(mean_cos)).mean())

    from reference.compare_face_api import F2F_BOX, ORI_BOX
    ours = {c: images[i] for i, c in enumerate(validation)}
    judged_ours = judged(ours, F2F_BOX)  # our output is a canonical face like Face_f2f
    true_faces = judged({c: np.asarray(Image.open(face_path("Face_ori", c)).convert("RGB"))
                             for c in validation}, ORI_BOX)
    report["attributes"] = {}
    for name, verdicts in [("ours", judged_ours)] + [
            (kind, judged({c: np.asarray(Image.open(face_path(kind, c)).convert("RGB"))
                           for c in validation}, F2F_BOX)) for kind in PAPER_KINDS]:
        gender, decade, count = agreement(true_faces, verdicts, validation)
        report["attributes"][name] = {"gender_agreement": gender, "age_decade_agreement": decade,
                                      "clips_judged": count,
                                      "gender_agreement_95ci": wilson_interval(round(gender * count), count),
                                      "age_decade_agreement_95ci": wilson_interval(round(decade * count), count)}
    print(json.dumps(report, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if args.sheet:
        contact_sheet(args.sheet, validation[:16], ours)


if __name__ == "__main__":
    main()
