#!/usr/bin/env python3
"""The shipped (v1) face decoder's recipe, kept runnable as the honest baseline of the v2 runs.

v1 itself (models/default.s2fm) was trained by this recipe on the canonical faces of EVERY
split (git show 0d5f450:tools/train/train_face_decoder.py), so its figures on the validation
split are on faces it saw. `--split train` (the default) trains the same recipe on the training
split alone, so that its validation bound is comparable with the v2 runs' (docs/model-card.md,
"v1-honest").

Recipe, unchanged from v1: f_dec 256; one Face_f2f image per training clip where face-api found
68 landmarks; input the raw descriptor of Face_ori or of Face_f2f (one at random per sample) plus
noise 0.02; texture L1 against the face warped to the mean landmarks, landmark L2 (weight 10);
Adam, cosine schedule: --epochs 20 at lr 1e-3, then --resume for --epochs 40 at lr 5e-4 (v1's
two stages; `--stages` runs both in one call).

    /usr/bin/python3 tools/train/train_face_decoder_v1.py --out build-train/face_decoder_v1_honest.pt --stages
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from common import cache_path, split  # noqa: E402
from precompute import DECODER_RESOLUTION  # noqa: E402
from reference.face_decoder import FaceDecoder, FaceDecoderConfig  # noqa: E402
from reference import warp_ref  # noqa: E402

CONFIG = FaceDecoderConfig(
    feature_dim=128, hidden_dim=256, landmark_hidden=[256], landmark_count=68,
    texture_size=7, texture_channels=128, upsample_channels=[96, 64, 32, 16])  # 7 * 16 = 112
STAGES = [(20, 1e-3), (40, 5e-4)]  # v1: 20 epochs, then 40 more from those weights at half the rate


def load_targets(which):
    ids = json.load(open(cache_path("ids.json")))
    train_ids, _ = split(ids)
    allowed = set(train_ids) if which == "train" else set(ids)
    found = json.load(open(cache_path("faceapi_Face_f2f.json")))
    keep = [i for i, clip in enumerate(ids) if found.get(clip) and clip in allowed]
    faces = np.load(cache_path(f"faces_Face_f2f_{DECODER_RESOLUTION}.npy"), mmap_mode="r")
    scale = DECODER_RESOLUTION / 224.0  # face-api ran on the 224 x 224 originals
    landmarks = np.array([found[ids[i]]["landmarks"] for i in keep], np.float64) * scale
    mean = landmarks.mean(axis=0)
    key = hashlib.sha256(landmarks.tobytes() + np.asarray(keep).tobytes()).hexdigest()[:12]
    textures_file = cache_path(f"textures_v1_{DECODER_RESOLUTION}_{key}.npy")
    if os.path.exists(textures_file):
        textures = np.load(textures_file)
    else:
        textures = np.stack([warp_ref.warp_xy(faces[i] / 255.0, landmarks[k], mean,
                                              order=CONFIG.warp_order,
                                              regularization=CONFIG.warp_regularization,
                                              boundary_points=CONFIG.warp_boundary_points)
                             for k, i in enumerate(keep)]).astype(np.float32)
        np.save(textures_file, textures)
    descriptors = np.stack([np.load(cache_path("descriptors_Face_ori.npy"))[keep],
                            np.load(cache_path("descriptors_Face_f2f.npy"))[keep]])
    return keep, descriptors.astype(np.float32), landmarks.astype(np.float32), mean.astype(np.float32), textures


def train_stage(model, data, epochs, lr, args, rng, out):
    keep, descriptors, landmarks, mean, textures = data
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    textures_t, landmarks_t = torch.from_numpy(textures), torch.from_numpy(landmarks)
    size, n = float(DECODER_RESOLUTION), len(keep)
    for epoch in range(epochs):
        start, totals = time.time(), np.zeros(2)
        order = rng.permutation(n)
        model.train()
        for b in range(0, n, args.batch):
            rows = order[b:b + args.batch]
            view = rng.integers(0, 2, len(rows))  # Face_ori or Face_f2f descriptor
            x = torch.from_numpy(descriptors[view, rows])
            x = x + 0.02 * torch.randn_like(x)
            texture, predicted = model.forward_network(x)
            texture_loss = F.l1_loss(texture, textures_t[rows])
            landmark_loss = F.mse_loss(predicted / size, landmarks_t[rows] / size)
            loss = texture_loss + args.landmark_weight * landmark_loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            totals += [texture_loss.item() * len(rows), landmark_loss.item() * len(rows)]
        scheduler.step()
        texture_l1, landmark_mse = totals / n
        print(f"epoch {epoch + 1}/{epochs} (lr {lr:g}): texture L1 {texture_l1:.4f}, landmark RMSE "
              f"{np.sqrt(landmark_mse) * size:.2f} px, {time.time() - start:.0f} s", flush=True)
        torch.save({"config": CONFIG, "state_dict": model.state_dict(), "split": args.split}, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=cache_path("face_decoder_v1_honest.pt"))
    parser.add_argument("--split", choices=["train", "all"], default="train",
                        help="train: the training split only (honest); all: as v1 was trained")
    parser.add_argument("--stages", action="store_true", help="both of v1's stages in one call")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--landmark-weight", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--resume", default=None, help="continue from this checkpoint's weights")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    data = load_targets(args.split)
    print(f"{len(data[0])} faces ({args.split} split) with landmarks; textures {data[4].shape}",
          flush=True)
    model = FaceDecoder(CONFIG, mean_landmarks=data[3])
    if args.resume:
        model.load_state_dict(torch.load(args.resume)["state_dict"])
    else:
        with torch.no_grad():  # start the landmark head at the mean face
            last = model.landmark_layers()[-1]
            last.weight.mul_(0.01)
            last.bias.copy_(torch.from_numpy(data[3].reshape(-1)))
    for epochs, lr in (STAGES if args.stages else [(args.epochs, args.lr)]):
        train_stage(model, data, epochs, lr, args, rng, args.out)


if __name__ == "__main__":
    main()
