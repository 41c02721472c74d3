#!/usr/bin/env python3
"""Assembles the shipped default model: the trained voice encoder and face decoder (checkpoints
of tools/train/train_*.py) and the face-api face encoder (models/face_encoder_faceapi.s2fm), in
one container, models/default.s2fm.

    /usr/bin/python3 tools/train/export_default_model.py
"""
import argparse
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, HERE)
sys.path.insert(0, TOOLS)
from common import cache_path  # noqa: E402
from convert.convert_face_decoder import face_decoder_parts  # noqa: E402
from convert.convert_voice_encoder import voice_encoder_parts  # noqa: E402
from reference.face_decoder import FaceDecoder  # noqa: E402
from reference.voice_encoder import VoiceEncoder  # noqa: E402
from reference import s2f_model  # noqa: E402


def load(cls, path):
    checkpoint = torch.load(path)
    model = cls(checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval(), checkpoint


def calibrate_deviation(voice):
    """Rescales the voice encoder's prediction about the mean training descriptor mu so that, on
    the training split, predictions deviate from mu as far as true descriptors do on average:
    v -> mu + alpha (v - mu), folded exactly into the last FC (W <- alpha W,
    b <- alpha b + (1 - alpha) mu). Regression to the mean shrinks the predicted deviations
    (alpha ~ 2), so the face decoder, trained on true descriptors, draws an average-looking face.
    Fitted on the training split only; returns alpha."""
    import json

    import numpy as np
    from common import predict_descriptors, split

    ids = json.load(open(cache_path("ids.json")))
    rows = np.array([ids.index(c) for c in split(ids)[0]])
    targets = np.load(cache_path("descriptors_Face_ori.npy"))[rows]
    spectrograms = np.load(cache_path("spectrograms.npy"), mmap_mode="r")
    predicted = predict_descriptors(voice, spectrograms, rows, batch=16).numpy()
    mu = targets.mean(axis=0)
    alpha = float(np.linalg.norm(targets - mu, axis=1).mean() / np.linalg.norm(predicted - mu, axis=1).mean())
    last = getattr(voice, f"fc{len(voice.config.fc_dims)}")
    with torch.no_grad():
        last.weight.mul_(alpha)
        last.bias.copy_(alpha * last.bias + (1 - alpha) * torch.from_numpy(mu))
    return alpha


def component_from_container(path, prefix):
    """The metadata keys and tensors of one component (`prefix`, e.g. "face_decoder.") of a
    container, unchanged: for shipping a component that was not retrained."""
    metadata, tensors = s2f_model.read_model(path)
    return ({k: v for k, v in metadata.items() if k.startswith(prefix)},
            {k: v for k, v in tensors.items() if k.startswith(prefix)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default=cache_path("voice_encoder.pt"),
                        help="voice encoder checkpoint (.pt) or a container holding one (.s2fm)")
    parser.add_argument("--decoder", default=cache_path("face_decoder.pt"),
                        help="face decoder checkpoint (.pt) or a container holding one (.s2fm)")
    parser.add_argument("--face-encoder", default=os.path.join(ROOT, "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--out", default=os.path.join(ROOT, "models", "default.s2fm"))
    parser.add_argument("--calibrate", action="store_true",
                        help="rescale predicted deviations from the mean face (calibrate_deviation)")
    args = parser.parse_args()

    calibration = ""
    if args.voice.endswith(".s2fm"):
        # A voice encoder already in a container (e.g. the shipped one, when only the face decoder
        # was retrained): its keys and tensors unchanged, calibration included.
        if args.calibrate:
            parser.error("--calibrate needs a voice encoder checkpoint, not a container")
        voice_part = component_from_container(args.voice, "voice_encoder.")
        voice_provenance = "voice encoder carried over unchanged from " + os.path.basename(args.voice)
    else:
        voice, voice_checkpoint = load(VoiceEncoder, args.voice)
        if args.calibrate:
            alpha = calibrate_deviation(voice)
            calibration = f", deviation from the mean training face scaled by {alpha:.4f} (fitted on the training split)"
            print(f"calibration: alpha = {alpha:.4f}")
        voice_part = voice_encoder_parts(voice)
        voice_provenance = (f"voice encoder on the training split by video id (epoch "
                            f"{voice_checkpoint.get('epoch')}{calibration})")
    if args.decoder.endswith(".s2fm"):
        decoder_part = component_from_container(args.decoder, "face_decoder.")
        decoder_provenance = "face decoder carried over unchanged from " + os.path.basename(args.decoder)
    else:
        decoder_model, decoder_checkpoint = load(FaceDecoder, args.decoder)
        decoder_part = face_decoder_parts(decoder_model)
        decoder_provenance = (
            "face decoder on the training split's canonical faces (Face_f2f, Face_exg*), epoch "
            f"{decoder_checkpoint.get('epoch', -1) + 1}")
    metadata, tensors = {}, {}
    for part_metadata, part_tensors in (voice_part, decoder_part):
        metadata.update(part_metadata)
        tensors.update(part_tensors)
    encoder_metadata, encoder_tensors = s2f_model.read_model(args.face_encoder)
    metadata.update({k: v for k, v in encoder_metadata.items() if k.startswith("face_encoder.")})
    tensors.update(encoder_tensors)

    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    metadata["general.architecture"] = "speech2face"
    metadata["general.name"] = "libspeech2face default model (face-api 128-D face space)"
    metadata["general.provenance"] = (
        "Trained by libspeech2face's tools/train (commit " + commit + ") on the 968 public "
        "Speech2Face project-page samples (AVSpeech/YouTube; research use only): "
        f"{decoder_provenance}; {voice_provenance}. Face encoder: " + encoder_metadata["face_encoder.provenance"])
    metadata["general.license"] = (
        "Weights produced by libspeech2face (MIT); face encoder weights from npm "
        "@vladmandic/face-api (MIT, see models/face-api-LICENSE). Training data: research samples, "
        "not redistributed. See docs/model-card.md.")
    metadata["general.model_card"] = "docs/model-card.md"
    s2f_model.write_model(args.out, metadata, tensors)
    print(f"wrote {args.out}: {os.path.getsize(args.out) / 1e6:.1f} MB, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
