#!/usr/bin/env python3
"""Trains the face decoder (Cole et al. as used by Speech2Face): face-api descriptor -> landmarks
+ texture, on the canonical faces of ../shared (Face_f2f), all 968 of them (the paper trains the
decoder separately, on faces only).

Targets (from tools/train/precompute.py): landmarks = face-api's 68 points on each Face_f2f;
texture = the Face_f2f image warped from its own landmarks to the mean landmarks, so the network
learns appearance in a fixed geometry while the landmark head learns the geometry (the losses
of Cole et al.: texture L1 + landmark L2). Inputs: descriptors of Face_ori and of Face_f2f, one
of the two at random per sample (the voice encoder predicts the Face_ori descriptor).

    /usr/bin/python3 tools/train/train_face_decoder.py --out build-train/face_decoder.pt
"""
import argparse
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
from common import cache_path  # noqa: E402
from precompute import DECODER_RESOLUTION  # noqa: E402
from reference.face_decoder import FaceDecoder, FaceDecoderConfig  # noqa: E402
import warp_ref  # noqa: E402

CONFIG = FaceDecoderConfig(
    feature_dim=128, hidden_dim=256, landmark_hidden=[256], landmark_count=68,
    texture_size=7, texture_channels=128, upsample_channels=[96, 64, 32, 16])  # 7 * 16 = 112
assert CONFIG.image_size() == DECODER_RESOLUTION


def load_targets():
    ids = json.load(open(cache_path("ids.json")))
    faces = np.load(cache_path(f"f2f_{DECODER_RESOLUTION}.npy")).astype(np.float64) / 255.0
    found = json.load(open(cache_path("faceapi_Face_f2f.json")))
    scale = DECODER_RESOLUTION / 224.0  # face-api ran on the 224 x 224 originals
    keep = [i for i, clip in enumerate(ids) if found.get(clip)]
    landmarks = np.array([found[ids[i]]["landmarks"] for i in keep], np.float64) * scale
    mean = landmarks.mean(axis=0)
    textures_file = cache_path(f"textures_{DECODER_RESOLUTION}.npy")
    if os.path.exists(textures_file):
        textures = np.load(textures_file)
    else:
        textures = np.stack([warp_ref.warp_xy(faces[i], landmarks[k], mean, order=CONFIG.warp_order,
                                              regularization=CONFIG.warp_regularization,
                                              boundary_points=CONFIG.warp_boundary_points)
                             for k, i in enumerate(keep)]).astype(np.float32)
        np.save(textures_file, textures)
    descriptors = np.stack([np.load(cache_path("descriptors_Face_ori.npy"))[keep],
                            np.load(cache_path("descriptors_Face_f2f.npy"))[keep]])
    return keep, descriptors.astype(np.float32), landmarks.astype(np.float32), mean.astype(np.float32), textures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=cache_path("face_decoder.pt"))
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--landmark-weight", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resume", default=None, help="continue from this checkpoint's weights")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    keep, descriptors, landmarks, mean, textures = load_targets()
    print(f"{len(keep)} faces with landmarks; texture targets {textures.shape}", flush=True)
    model = FaceDecoder(CONFIG, mean_landmarks=mean)
    if args.resume:
        model.load_state_dict(torch.load(args.resume)["state_dict"])
    else:
        with torch.no_grad():  # start the landmark head at the mean face
            last = model.landmark_layers()[-1]
            last.weight.mul_(0.01)
            last.bias.copy_(torch.from_numpy(mean.reshape(-1)))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    textures_t = torch.from_numpy(textures)
    landmarks_t = torch.from_numpy(landmarks)
    size = float(DECODER_RESOLUTION)
    n = len(keep)
    for epoch in range(args.epochs):
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
        print(f"epoch {epoch + 1}/{args.epochs}: texture L1 {texture_l1:.4f}, landmark RMSE "
              f"{np.sqrt(landmark_mse) * size:.2f} px, {time.time() - start:.0f} s", flush=True)
        torch.save({"config": CONFIG, "state_dict": model.state_dict()}, args.out)


if __name__ == "__main__":
    main()
