#!/usr/bin/env python3
"""Trains the voice encoder (paper Table 1 structure, reduced widths) to predict the face-api
descriptor of the speaker's true face (Face_ori) from the paper's spectrogram.

Loss, paper Eq. 1 adapted to this face space:
    L = |f_dec(v_f) - f_dec(v_s)|_1 + w * |c(v_f) - c(v_s)|_2^2,  c(v) = (v - mu) / |v - mu|
with f_dec the trained face decoder's first layer (FC + ReLU, frozen), v_f the true face's
descriptor, v_s the prediction, mu the mean training descriptor. Two deviations from the paper,
both measured: (1) with the paper's un-centred normalised term and w = 0.025, this small model on
795 clips collapsed to the average face (validation R@10 exactly chance): face-api descriptors
share a large common component (the mean alone has cosine 0.92 to any face), which dominates both
terms; centring by mu and a larger w make the speaker-specific part carry the gradient.
(2) The paper's third term distils the face network's classifier logits (T = 2). face-api's
descriptor network has no classifier head, so we fit one on the descriptors: a logistic
regression for gender, labelled by face-api's own age/gender network on the training split's true
faces (never a validation face), and distil its logits at T = 2 with weight --distill-weight.
Without it the model stayed at chance on gender after 5 epochs (58 % vs a 60 % majority class).
Optimiser as the paper: Adam (beta1 0.5, eps 1e-4), lr 1e-3 decayed by 0.95 every 10k steps (we
run far fewer steps, so the decay is per epoch instead). Batch 8 (paper). Augmentation: random
crops of --crop frames (the time mean makes the encoder length-independent) and random gain
(a gain g scales the compressed spectrogram by g^0.3).
Optional regularisation against memorising 795 speakers (off by default): dropout on FC1's
input, AdamW weight decay, SpecAugment masks, and an exponential moving average of the weights
(--ema) that is evaluated and saved instead of the last step's weights.
Split: by YouTube video id (tools/train/common.py), training side only; a checkpoint is written
after every epoch and the last one is what ships (no selection of epochs on validation scores).

    /usr/bin/python3 tools/train/train_voice_encoder.py --decoder build-train/face_decoder.pt
"""
import argparse
import copy
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
from reference.voice_encoder import VoiceEncoder, VoiceEncoderConfig  # noqa: E402
from reference.face_decoder import FaceDecoder  # noqa: E402
from reference import s2f_model  # noqa: E402

DEFAULT_WIDTHS = "8,8,16,16,16,32,32,64,64"
DEFAULT_FC = "256,128"


def load_f_dec(path):
    """The face decoder's first layer (the paper's f_dec, FC before its ReLU) from a checkpoint of
    train_face_decoder.py, or from a container holding a face decoder (e.g. the shipped
    models/default.s2fm), so the voice encoder can be retrained against a shipped decoder."""
    if path.endswith(".s2fm"):
        _, tensors = s2f_model.read_model(path)
        weight = torch.from_numpy(tensors["face_decoder.fc_dec.weight"])
        layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(torch.from_numpy(tensors["face_decoder.fc_dec.bias"]))
        return layer
    checkpoint = torch.load(path)
    decoder = FaceDecoder(checkpoint["config"])
    decoder.load_state_dict(checkpoint["state_dict"])
    return decoder.fc_dec


def paper_loss(f_dec, predicted, target, mu, weight):
    l1 = (f_dec(target) - f_dec(predicted)).abs().sum(dim=1)
    cosine_term = (F.normalize(target - mu, dim=1) - F.normalize(predicted - mu, dim=1)).pow(2).sum(dim=1)
    return (l1 + weight * cosine_term).mean()


def fit_gender_head(descriptors, is_male, steps=2000, l2=1e-2):
    """Logistic regression on descriptors -> [female, male] logits (the classifier head that
    face-api's descriptor network lacks). Full-batch gradient descent: a few hundred samples."""
    x = descriptors - descriptors.mean(dim=0)
    head = torch.nn.Linear(x.shape[1], 2)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
    for _ in range(steps):
        loss = F.cross_entropy(head(descriptors), is_male.long()) + l2 * head.weight.pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    accuracy = (head(descriptors).argmax(dim=1) == is_male.long()).float().mean().item()
    return head.requires_grad_(False), accuracy


def distill(head, predicted, target, temperature=2.0):
    """Hinton's distillation: cross-entropy of the student's softened logits against the
    teacher's (the head on the true face's descriptor), scaled by T^2."""
    teacher = F.softmax(head(target) / temperature, dim=1)
    student = F.log_softmax(head(predicted) / temperature, dim=1)
    return -(teacher * student).sum(dim=1).mean() * temperature ** 2


def spec_augment(x, rng, max_bins, max_frames):
    """SpecAugment (Park et al. 2019) on a batch x frames x bins x 2 tensor, in place: per clip one
    band of up to max_bins frequency bins and one span of up to max_frames frames set to 0 (the
    compressed spectrogram's silence), both real and imaginary parts."""
    for clip in x:
        if max_bins > 0:
            width = int(rng.integers(0, max_bins + 1))
            start = int(rng.integers(0, clip.shape[1] - width + 1))
            clip[:, start:start + width] = 0
        if max_frames > 0:
            width = int(rng.integers(0, max_frames + 1))
            start = int(rng.integers(0, clip.shape[0] - width + 1))
            clip[start:start + width] = 0


@torch.no_grad()
def recompute_batchnorm(model, spectrograms, rows, batch=16):
    """BatchNorm running statistics recomputed as exact averages over the whole clips of `rows`
    (what inference sees), replacing the momentum averages collected on training crops: averaged
    weights (--ema) need statistics of their own (SWA), and the statistics after the time mean
    depend on the clip length (a mean over 598 frames varies less than one over a crop)."""
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # cumulative average
    model.train()
    for start in range(0, len(rows), batch):
        model(torch.from_numpy(spectrograms[np.sort(rows[start:start + batch])].astype(np.float32)))
    return model


@torch.no_grad()
def update_average(averaged, model, decay):
    for average, current in zip(averaged.state_dict().values(), model.state_dict().values()):
        if average.is_floating_point():
            average.mul_(decay).add_(current, alpha=1 - decay)
        else:
            average.copy_(current)  # BatchNorm's batch counter


def recall_at_10(predicted, target, mu):
    p, t = F.normalize(predicted - mu, dim=1), F.normalize(target - mu, dim=1)
    similarity = p @ t.T
    ranks = (similarity > similarity.diag()[:, None]).sum(dim=1)
    return (ranks < 10).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoder", default=cache_path("face_decoder.pt"),
                        help="face decoder checkpoint (.pt) or container (.s2fm) for f_dec")
    parser.add_argument("--out", default=cache_path("voice_encoder.pt"))
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--crop", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--clip", type=float, default=5.0, help="gradient norm clipping")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cosine-weight", type=float, default=10.0)
    parser.add_argument("--distill-weight", type=float, default=20.0)
    parser.add_argument("--lr-decay", type=float, default=0.95, help="per epoch")
    parser.add_argument("--resume", default=None, help="continue from this checkpoint's weights")
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="dropout on FC1's input while training (identity at inference)")
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="decoupled weight decay (AdamW); 0 = the paper's plain Adam")
    parser.add_argument("--freq-mask", type=int, default=0,
                        help="SpecAugment: zero one random band of up to this many frequency bins")
    parser.add_argument("--time-mask", type=int, default=0,
                        help="SpecAugment: zero one random span of up to this many frames")
    parser.add_argument("--ema", type=float, default=0.0,
                        help="keep an exponential moving average of the weights (decay per step, "
                             "e.g. 0.999) and evaluate/save it instead of the last step's weights")
    parser.add_argument("--bn-recompute", action="store_true",
                        help="before evaluating and saving, recompute BatchNorm statistics on the "
                             "full-length training clips (required with --ema)")
    parser.add_argument("--widths", default=DEFAULT_WIDTHS, help="channels of the 9 convolutions")
    parser.add_argument("--fc", default=DEFAULT_FC, help="FC widths; the last is the descriptor size")
    args = parser.parse_args()
    if args.ema > 0 and not args.bn_recompute:
        parser.error("--ema needs --bn-recompute: averaged weights need BatchNorm statistics of their own")
    config = VoiceEncoderConfig(conv_channels=[int(w) for w in args.widths.split(",")],
                                fc_dims=[int(w) for w in args.fc.split(",")])
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    ids = json.load(open(cache_path("ids.json")))
    train_ids, validation_ids = split(ids)
    row = {clip: i for i, clip in enumerate(ids)}
    train_rows = np.array([row[c] for c in train_ids])
    validation_rows = np.array([row[c] for c in validation_ids])
    spectrograms = np.load(cache_path("spectrograms.npy"), mmap_mode="r")
    targets = torch.from_numpy(np.load(cache_path("descriptors_Face_ori.npy")))
    validation_input = torch.from_numpy(spectrograms[validation_rows].astype(np.float32))

    f_dec_layer = load_f_dec(args.decoder).requires_grad_(False)

    def f_dec(v):
        return F.relu(f_dec_layer(v))

    mu = targets[train_rows].mean(dim=0)
    model = VoiceEncoder(config)
    # Start at the trivial predictor "the average training face" (cosine 0.92 to a validation
    # face already) and learn the speaker-specific residual: the last FC's bias is the mean
    # descriptor and its weights start small.
    last_fc = getattr(model, f"fc{len(config.fc_dims)}")
    with torch.no_grad():
        last_fc.bias.copy_(mu)
        last_fc.weight.mul_(0.1)
        # A small positive bias keeps FC1's ReLUs alive early on: with the default init and
        # lr 1e-3, 99.9 % of them died in the first epoch and the output became a constant.
        model.fc1.bias.fill_(0.05)
    if args.resume:
        model.load_state_dict(torch.load(args.resume)["state_dict"])
    # Polyak averaging: with 795 clips the weights wander from batch to batch (validation scores
    # swing from epoch to epoch); their running average is a steadier estimate. Averaged
    # BatchNorm statistics do not fit averaged weights (a first run predicted the majority
    # gender for everyone), so --bn-recompute replaces them before every evaluation and save.
    averaged = copy.deepcopy(model) if args.ema > 0 else None
    if args.dropout > 0:
        # FC1 holds ~85 % of the weights and is where the model memorises the 795 speakers.
        model.fc1.register_forward_pre_hook(
            lambda layer, inputs: (F.dropout(inputs[0], args.dropout, layer.training),))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.5, 0.999), eps=1e-4,
                                  weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, args.lr_decay)
    judged = json.load(open(cache_path("faceapi_Face_ori.json")))
    labelled = [r for r in train_rows if judged.get(ids[r])]
    is_male = torch.tensor([judged[ids[r]]["gender"] == "male" for r in labelled])
    head, head_accuracy = fit_gender_head(targets[labelled], is_male)
    print(f"gender head on {len(labelled)} judged training faces: accuracy {head_accuracy:.3f}",
          flush=True)
    print(f"train {len(train_rows)} clips, validation {len(validation_rows)} clips "
          f"({len({c.rsplit('_', 1)[0] for c in validation_ids})} videos)", flush=True)
    for epoch in range(args.epochs):
        start, total = time.time(), 0.0
        model.train()
        order = rng.permutation(train_rows)
        for b in range(0, len(order), args.batch):
            rows = np.sort(order[b:b + args.batch])
            offsets = rng.integers(0, 598 - args.crop + 1, len(rows))
            batch = np.stack([spectrograms[r, o:o + args.crop] for r, o in zip(rows, offsets)])
            gain = rng.uniform(0.5, 2.0, (len(rows), 1, 1, 1)) ** 0.3
            x = torch.from_numpy((batch.astype(np.float32) * gain).astype(np.float32))
            spec_augment(x, rng, args.freq_mask, args.time_mask)
            predicted = model(x)
            loss = (paper_loss(f_dec, predicted, targets[rows], mu, args.cosine_weight)
                    + args.distill_weight * distill(head, predicted, targets[rows]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            if averaged is not None:
                update_average(averaged, model, args.ema)
            total += loss.item() * len(rows)
        scheduler.step()
        last_epoch = epoch + 1 == args.epochs
        if args.bn_recompute and (epoch + 1) % 5 and not last_epoch:
            # Recomputing the statistics is a pass over every whole training clip, about as long
            # as a training epoch: evaluate and save every 5th epoch and the last only.
            print(f"epoch {epoch + 1}/{args.epochs}: train {total / len(train_rows):.3f}, "
                  f"{time.time() - start:.0f} s", flush=True)
            continue
        shipped = averaged if averaged is not None else model
        if args.bn_recompute:
            shipped = recompute_batchnorm(copy.deepcopy(shipped), spectrograms, train_rows)
        shipped.eval()
        with torch.inference_mode():
            taps = {}
            predicted = torch.cat([shipped(validation_input[i:i + 16], taps if i == 0 else None)
                                   for i in range(0, len(validation_rows), 16)])
            dead = (taps["fc1"] == 0).all(dim=0).float().mean().item()
            validation_loss = paper_loss(f_dec, predicted, targets[validation_rows], mu,
                                         args.cosine_weight).item()
            cosine = F.cosine_similarity(predicted, targets[validation_rows]).mean().item()
            r10 = recall_at_10(predicted, targets[validation_rows], mu)
            r10_raw = recall_at_10(predicted, targets[validation_rows], torch.zeros_like(mu))
            gender = (head(predicted).argmax(dim=1) == head(targets[validation_rows]).argmax(dim=1)).float().mean().item()
        # The last epoch is what ships: choosing an epoch by validation scores would make the
        # validation numbers of docs/model-card.md optimistic.
        torch.save({"config": config, "state_dict": shipped.state_dict(), "epoch": epoch + 1,
                    "mu": mu}, args.out)
        print(f"epoch {epoch + 1}/{args.epochs}: train {total / len(train_rows):.3f}, validation "
              f"{validation_loss:.3f}, mean cosine {cosine:.3f}, R@10 {r10:.3f} centred, {r10_raw:.3f} raw (chance "
              f"{10 / len(validation_rows):.3f}), head gender agreement {gender:.3f}, dead FC1 units {dead:.2f}, "
              f"{time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
