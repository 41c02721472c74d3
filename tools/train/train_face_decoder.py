#!/usr/bin/env python3
"""Trains the face decoder (Cole et al. as used by Speech2Face): face-api descriptor -> landmarks
+ texture -> spline warp -> canonical face, on the training split only (by video id,
tools/train/common.py), so that its bound on the validation split is honest.

Faces: every canonical face the paper's own decoder drew for a training clip (Face_f2f,
Face_exg0, Face_exg0.7, Face_exg1.4: frontal, neutral, one framing) where face-api finds 68
landmarks. Input of each: the descriptor of that image; for Face_f2f also the descriptor of the
true face (Face_ori), which is what the voice encoder predicts.

Losses (weights by flag):
- texture L1 (Cole et al.) or L2 (--texture-loss) against the face warped from its landmarks to
  the mean landmarks. With L1, whose optimum is a per-pixel median, the decoder drew one
  template for every input (runs D1-D3); L2's optimum, the conditional mean, keeps hair colour,
  skin tone, beard and age as a linear (ridge) map from the descriptors does;
- texture gradient L1 (the same on horizontal and vertical differences): keeps edges sharp,
  where plain L1 on an under-determined target settles for a blur;
- landmark L2 (Cole et al.);
- identity (Cole et al.'s "the rendered image must give back its feature"): the warped image,
  framed as the descriptors' images were (differentiable.face_encoder_input), through the
  frozen face-api network (tools/reference/face_recognition_net.py), squared distance to the
  input descriptor. Off for the first --identity-from epochs (it is the costly term: the face
  encoder's backward pass is most of a step), then on.
- gender (--gender-weight, from --gender-from): a logistic gender probe, fitted once on the
  training split's canonical-face descriptors against face-api's judged gender of each image,
  reads the rendered image's descriptor (the identity loss's path); binary cross-entropy to the
  judged gender of the image the sample renders. It asks the face encoder for one direction,
  not all 128, so it should need far less of the image than the identity loss; the attribute
  judge itself (face-api's age/gender network) is never in the loss.

Inputs are standardised per component ((d - mean) / std over the training inputs): face-api
descriptors share one large common component (the mean has cosine 0.92 with any face) and each
component varies by only ~0.05, so raw inputs reach f_dec as a near-constant vector. The
standardisation is folded exactly into f_dec's weights in every saved checkpoint
(`state_dict`: W / std, b - W (mean / std)), so the container and the C decoder are unchanged.
The input noise (--noise) is in the same standardised units.

Checkpoints every epoch (weights, optimiser, schedule, random states); --resume continues a run
exactly where it stopped. The checkpoint at the end of the texture-only phase is also kept as
<out>_texture_phase.pt: copy it to a new --out and --resume with other identity settings to
skip the phase that they share.

    /usr/bin/python3 tools/train/train_face_decoder.py --out build-train/face_decoder_v2.pt
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, HERE)
sys.path.insert(0, TOOLS)
from common import cache_path, split  # noqa: E402
from reference.compare_face_api import F2F_BOX  # noqa: E402
from differentiable import face_encoder_input, gaussian_blur, spline_warp  # noqa: E402
from precompute import CANONICAL_KINDS, DECODER_RESOLUTION  # noqa: E402
from reference.face_decoder import FaceDecoder, FaceDecoderConfig  # noqa: E402
from reference.face_recognition_net import load_container  # noqa: E402
from reference import warp_ref  # noqa: E402


def make_config(hidden):
    config = FaceDecoderConfig(
        feature_dim=128, hidden_dim=hidden, landmark_hidden=[256], landmark_count=68,
        texture_size=7, texture_channels=128, upsample_channels=[96, 64, 32, 16])  # 7 * 16 = 112
    assert config.image_size() == DECODER_RESOLUTION
    return config


class TrainingFaces:
    """The training split's canonical faces: per sample an input descriptor, the texture target
    (the face warped to the mean landmarks), the landmarks, and which image it came from."""

    def __init__(self, config, rows=None, gender_consistent=False):
        """gender_consistent: leave out each canonical image whose judged gender (face-api, framed
        as the evaluations frame it) differs from its true face's, or either is not judged: a
        target that may draw the person as the other gender."""
        ids = json.load(open(cache_path("ids.json")))
        train_ids, _ = split(ids)
        rows = np.array([ids.index(c) for c in train_ids]) if rows is None else rows
        scale = DECODER_RESOLUTION / 224.0  # face-api ran on the 224 x 224 originals
        ori = np.load(cache_path("descriptors_Face_ori.npy"))
        if gender_consistent:  # tools/train/precompute.py --parts judged
            judged = {kind: json.load(open(cache_path(f"judged_train_{kind}.json")))
                      for kind in ["Face_ori"] + CANONICAL_KINDS}
        self.left_out = 0
        faces, landmarks, images, inputs, female = [], [], [], [], []
        probe_inputs, probe_female = [], []
        for kind in CANONICAL_KINDS:
            found = json.load(open(cache_path(f"faceapi_{kind}.json")))
            kind_images = np.load(cache_path(f"faces_{kind}_{DECODER_RESOLUTION}.npy"), mmap_mode="r")
            own = np.load(cache_path(f"descriptors_{kind}.npy"))
            for r in rows:
                if not found.get(ids[r]):
                    continue
                if gender_consistent and (judged["Face_ori"].get(ids[r]) or {}).get("gender") != (
                        judged[kind].get(ids[r]) or {}).get("gender"):
                    self.left_out += 1
                    continue
                views = [own[r]] + ([ori[r]] if kind == "Face_f2f" else [])
                for view in views:
                    faces.append(len(landmarks))
                    inputs.append(view)
                is_female = found[ids[r]]["gender"] == "female"
                female.append(is_female)
                probe_inputs.append(own[r])
                probe_female.append(is_female)
                landmarks.append(np.asarray(found[ids[r]]["landmarks"], np.float32) * scale)
                images.append(np.asarray(kind_images[r]))
        self.landmarks = np.stack(landmarks)
        self.mean = self.landmarks.mean(axis=0)
        self.face_of_sample = np.array(faces)
        self.inputs = np.stack(inputs).astype(np.float32)
        self.female = np.array(female, np.float32)  # face-api's judged gender of each face
        self.probe_inputs = np.stack(probe_inputs).astype(np.float32)
        self.probe_female = np.array(probe_female, np.float32)
        self.textures = self._textures(config, np.stack(images))

    def _textures(self, config, images):
        """Each face warped from its landmarks to the mean landmarks (warp_ref, float64), cached
        by the landmark set it depends on."""
        key = hashlib.sha256(self.landmarks.tobytes() + images.tobytes()).hexdigest()[:12]
        path = cache_path(f"textures_{DECODER_RESOLUTION}_{key}.npy")
        if os.path.exists(path):
            return np.load(path)
        textures = np.stack([
            warp_ref.warp_xy(images[i] / 255.0, self.landmarks[i], self.mean,
                             order=config.warp_order, regularization=config.warp_regularization,
                             boundary_points=config.warp_boundary_points)
            for i in range(len(images))]).astype(np.float32)
        np.save(path, textures)
        return textures

    def __len__(self):
        return len(self.inputs)


def frozen_face_encoder(path):
    net, _ = load_container(path)
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


def fit_gender_probe(descriptors, female, steps=500, weight_decay=1e-3):
    """Logistic regression, descriptor -> P(female), on the training split's canonical faces
    (each image's own descriptor against face-api's judged gender of it). Returns a frozen
    nn.Linear(128, 1) giving the logit, and its training accuracy."""
    x = torch.from_numpy(descriptors)
    y = torch.from_numpy(female)
    mean, std = x.mean(dim=0), x.std(dim=0)
    probe = torch.nn.Linear(x.shape[1], 1)
    optimizer = torch.optim.LBFGS(probe.parameters(), max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        logit = probe((x - mean) / std).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logit, y) + weight_decay * probe.weight.square().sum()
        loss.backward()
        return loss
    optimizer.step(closure)
    with torch.no_grad():  # fold the standardisation in, so the probe reads raw descriptors
        probe.bias -= (probe.weight @ (mean / std)).squeeze()
        probe.weight /= std
        accuracy = ((probe(x).squeeze(1) > 0).float() == y).float().mean().item()
    for p in probe.parameters():
        p.requires_grad_(False)
    return probe, accuracy


def image_gradient_l1(a, b):
    """L1 between the horizontal and vertical pixel differences of two [B, H, W, C] images."""
    return (F.l1_loss(a[:, 1:] - a[:, :-1], b[:, 1:] - b[:, :-1])
            + F.l1_loss(a[:, :, 1:] - a[:, :, :-1], b[:, :, 1:] - b[:, :, :-1]))


def rendered_descriptor(model, encoder, texture, landmarks, flow_grid, blur=0.0, jitter=0.0,
                        rng=None):
    """The face encoder's descriptor of the decoder's final image (warp included), differentiable.

    blur (pixels) and jitter (a random shift of the face box by up to that many 224-pixel units,
    and a random scale of up to jitter / 100) make the loss see only what survives them: the
    face-api network names a person from a face blurred by 2 pixels at 112 x 112 as well as from
    the sharp one (R@10 92.5 % on the paper's Face_f2f of the validation split, both), while the
    pixel-scale patterns by which a decoder can satisfy it without drawing the person (seen in
    run D1) do not survive."""
    image = spline_warp(texture, model.mean_landmarks, model.clamp_landmarks(landmarks),
                        order=model.config.warp_order, regularization=model.config.warp_regularization,
                        boundary_points=model.config.warp_boundary_points, flow_grid=flow_grid)
    box = F2F_BOX
    if jitter > 0:
        dx, dy = rng.uniform(-jitter, jitter, 2)
        scale = 1.0 + rng.uniform(-jitter, jitter) / 100.0
        x, y, w, h = box
        box = (x + dx - (scale - 1) * w / 2, y + dy - (scale - 1) * h / 2, w * scale, h * scale)
    return encoder(face_encoder_input(gaussian_blur(image, blur), box, encoder.input_size))


def folded_state_dict(model, mean, std):
    """model's weights with the input standardisation (x - mean) / std folded into fc_dec, so the
    result takes raw descriptors."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    weight = state["fc_dec.weight"]
    state["fc_dec.bias"] = state["fc_dec.bias"] - weight @ (mean / std)
    state["fc_dec.weight"] = weight / std
    return state


def save_checkpoint(path, model, optimizer, scheduler, epoch, rng, args, mean, std):
    state = {"config": model.config, "state_dict": folded_state_dict(model, mean, std),
             "training_state_dict": model.state_dict(), "input_mean": mean, "input_std": std,
             "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
             "epoch": epoch, "numpy_rng": rng.bit_generator.state,
             "torch_rng": torch.get_rng_state(), "args": vars(args)}
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)  # an interrupted save never leaves a truncated checkpoint


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=cache_path("face_decoder_v2.pt"))
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--identity-from", type=int, default=5,
                        help="first epoch (0-based) with the identity loss on")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=512, help="f_dec width (paper 1000)")
    parser.add_argument("--texture-loss", choices=["l1", "l2"], default="l2")
    parser.add_argument("--texture-weight", type=float, default=5.0,
                        help="5 with l2 gives a pull like l1's at a typical 0.1 error")
    parser.add_argument("--landmark-weight", type=float, default=10.0)
    parser.add_argument("--gradient-weight", type=float, default=1.0)
    parser.add_argument("--identity-weight", type=float, default=0.5)
    parser.add_argument("--gender-weight", type=float, default=0.0,
                        help="weight of the gender-probe cross-entropy on the rendered descriptor")
    parser.add_argument("--gender-from", type=int, default=0,
                        help="first epoch (0-based) with the gender term on")
    parser.add_argument("--identity-blur", type=float, default=2.0,
                        help="Gaussian blur (pixels) of the image the identity loss sees")
    parser.add_argument("--identity-jitter", type=float, default=4.0,
                        help="random shift (224-pixel units) and scale (%%) of its face box")
    parser.add_argument("--flow-grid", type=int, default=38,
                        help="spline flow lattice of the identity loss's warp (differentiable.spline_warp; 0: exact)")
    parser.add_argument("--noise", type=float, default=0.1,
                        help="std of noise on the standardised input (0.1: a tenth of each component's spread)")
    parser.add_argument("--gender-consistent", action="store_true",
                        help="train only on canonical faces whose judged gender is the true face's")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--face-encoder", default=os.path.join(ROOT, "models", "face_encoder_faceapi.s2fm"))
    parser.add_argument("--resume", action="store_true", help="continue --out from its last epoch")
    args = parser.parse_args()
    args.flow_grid = args.flow_grid or None
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    config = make_config(args.hidden)
    data = TrainingFaces(config, gender_consistent=args.gender_consistent)
    if args.gender_consistent:
        print(f"gender-consistent targets: {data.left_out} canonical images left out", flush=True)
    print(f"{len(data)} training samples from {len(data.landmarks)} faces; textures "
          f"{data.textures.shape}", flush=True)
    model = FaceDecoder(config, mean_landmarks=data.mean)
    with torch.no_grad():  # start the landmark head at the mean face
        last = model.landmark_layers()[-1]
        last.weight.mul_(0.01)
        last.bias.copy_(torch.from_numpy(data.mean.reshape(-1)))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    first_epoch = 0
    if args.resume:
        state = torch.load(args.out)
        model.load_state_dict(state["training_state_dict"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        rng.bit_generator.state = state["numpy_rng"]
        torch.set_rng_state(state["torch_rng"])
        first_epoch = state["epoch"] + 1
        print(f"resumed {args.out} after epoch {first_epoch}", flush=True)
    encoder = frozen_face_encoder(args.face_encoder)
    probe = None
    if args.gender_weight > 0:
        probe, accuracy = fit_gender_probe(data.probe_inputs, data.probe_female)
        print(f"gender probe: {accuracy * 100:.1f} % of {len(data.probe_female)} training faces "
              f"agree with face-api's judge", flush=True)
    female = torch.from_numpy(data.female)

    textures = torch.from_numpy(data.textures)
    landmarks = torch.from_numpy(data.landmarks)
    inputs = torch.from_numpy(data.inputs)
    input_mean, input_std = inputs.mean(dim=0), inputs.std(dim=0)
    size = float(DECODER_RESOLUTION)
    n = len(data)
    for epoch in range(first_epoch, args.epochs):
        start, totals = time.time(), np.zeros(5)
        use_identity = epoch >= args.identity_from and args.identity_weight > 0
        use_gender = probe is not None and epoch >= args.gender_from
        order = rng.permutation(n)
        model.train()
        for b in range(0, n, args.batch):
            rows = order[b:b + args.batch]
            faces = data.face_of_sample[rows]
            x = inputs[rows]
            standard = (x - input_mean) / input_std
            texture, predicted = model.forward_network(standard + args.noise * torch.randn_like(x))
            target = textures[faces]
            if args.texture_loss == "l1":
                texture_loss = F.l1_loss(texture, target)
            else:
                texture_loss = F.mse_loss(texture, target)
            gradient_loss = image_gradient_l1(texture, target)
            landmark_loss = F.mse_loss(predicted / size, landmarks[faces] / size)
            loss = args.texture_weight * texture_loss + args.gradient_weight * gradient_loss + args.landmark_weight * landmark_loss
            identity_loss, gender_loss = torch.zeros(()), torch.zeros(())
            if use_identity or use_gender:
                rendered = rendered_descriptor(model, encoder, texture, predicted, args.flow_grid,
                                               args.identity_blur, args.identity_jitter, rng)
            if use_identity:
                identity_loss = (rendered - x).square().sum(dim=1).mean()
                loss = loss + args.identity_weight * identity_loss
            if use_gender:
                gender_loss = F.binary_cross_entropy_with_logits(probe(rendered).squeeze(1), female[faces])
                loss = loss + args.gender_weight * gender_loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            totals += np.array([texture_loss.item(), gradient_loss.item(), landmark_loss.item(),
                                identity_loss.item(), gender_loss.item()]) * len(rows)
            done = b + len(rows)
            if (b // args.batch) % 20 == 19:
                running = totals / done
                print(f"  epoch {epoch + 1} {done}/{n}: texture {args.texture_loss} {running[0]:.4f}, gradient L1 "
                      f"{running[1]:.4f}, identity {running[3]:.4f}, gender {running[4]:.4f}, {time.time() - start:.0f} s",
                      flush=True)
        scheduler.step()
        texture_term, gradient_l1, landmark_mse, identity, gender = totals / n
        print(f"epoch {epoch + 1}/{args.epochs}: texture {args.texture_loss} {texture_term:.4f}, gradient L1 "
              f"{gradient_l1:.4f}, landmark RMSE {np.sqrt(landmark_mse) * size:.2f} px, identity "
              f"{identity:.4f}{'' if use_identity else ' (off)'}, gender "
              f"{gender:.4f}{'' if use_gender else ' (off)'}, {time.time() - start:.0f} s",
              flush=True)
        save_checkpoint(args.out, model, optimizer, scheduler, epoch, rng, args, input_mean, input_std)
        if epoch + 1 == args.identity_from:
            # The texture-only phase is the same for every identity setting (same seed): keep it,
            # so that a run differing only after it can start here (--resume from a copy).
            shutil.copyfile(args.out, args.out.replace(".pt", "") + "_texture_phase.pt")


if __name__ == "__main__":
    main()
