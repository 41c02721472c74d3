"""Shared pieces of the training and evaluation scripts: data paths, the speaker-disjoint split,
the cache of precomputed inputs (outside git: build-train/ by default)."""
import hashlib
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("S2F_DATA", os.path.join(ROOT, "..", "shared", "data", "s2f-samples", "avspeech"))
CACHE = os.environ.get("S2F_TRAIN_CACHE", os.path.join(ROOT, "build-train"))
VALIDATION_FRACTION = 0.2


def clip_ids():
    with open(os.path.join(DATA, "IDs.txt")) as f:
        ids = [line.strip() for line in f if line.strip()]
    return sorted(ids)


def video_id(clip_id):
    """YouTube id: the clip id without its trailing _<start>-<end> timestamp."""
    return clip_id.rsplit("_", 1)[0]


def is_validation(clip_id):
    """Deterministic, speaker-disjoint split: every clip of a video falls on the same side, by a
    hash of the video id (so adding clips never moves existing speakers across the split)."""
    digest = hashlib.sha256(video_id(clip_id).encode()).digest()
    return int.from_bytes(digest[:4], "little") / 2**32 < VALIDATION_FRACTION


def split(ids):
    train = [i for i in ids if not is_validation(i)]
    validation = [i for i in ids if is_validation(i)]
    return train, validation


def predict_descriptors(voice, spectrograms, rows, batch):
    """The voice encoder's outputs (a tensor, inference mode) for the clips `rows` of the cached
    spectrograms, `batch` whole clips per forward pass."""
    import numpy as np
    import torch

    with torch.inference_mode():
        return torch.cat([voice(torch.from_numpy(spectrograms[rows[i:i + batch]].astype(np.float32)))
                          for i in range(0, len(rows), batch)])


def training_mean_descriptor():
    """The training split's mean true-face (Face_ori) descriptor, from the cache: the centre of
    the sameness figure, the trivial predictor's anchor and the exaggeration's centre."""
    import json

    import numpy as np
    ids = json.load(open(cache_path("ids.json")))
    rows = np.array([ids.index(c) for c in split(ids)[0]])
    return np.load(cache_path("descriptors_Face_ori.npy"))[rows].mean(axis=0)


def cache_path(name):
    os.makedirs(CACHE, exist_ok=True)
    return os.path.join(CACHE, name)


def wav_path(clip_id):
    return os.path.join(DATA, "Wav", clip_id + ".flac")


def face_path(kind, clip_id):
    """kind: Face_ori, Face_f2f, Face_exg0, Face_exg0.7, Face_exg1.4."""
    return os.path.join(DATA, kind, clip_id + ".jpg")
