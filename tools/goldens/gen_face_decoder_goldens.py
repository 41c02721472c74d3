#!/usr/bin/env python3
"""Face decoder goldens: seeded random weights, seeded random features in, the PyTorch reference
(tools/reference/face_decoder.py, with tools/reference/warp_ref.py for the warp) out.

Writes into --out: model.s2fm (our container, "face_decoder." component), features.npy
(batch x D), texture.npy (batch x H x W x 3, the unwarped sigmoid texture), landmarks.npy
(batch x L x 2, clamped (x, y)), image.npy (batch x H x W x 3, the warped face), and with
--taps all taps/<stage>.npy (every intermediate, NHWC, batch first).

    /usr/bin/python3 tools/goldens/gen_face_decoder_goldens.py --out tests/face_decoder/data/small --config small
    /usr/bin/python3 tools/goldens/gen_face_decoder_goldens.py --out tests/face_decoder/data/small-k4 --config small-k4
    /usr/bin/python3 tools/goldens/gen_face_decoder_goldens.py --out /tmp/paper --config paper --batch 1
    /usr/bin/python3 tools/goldens/gen_face_decoder_goldens.py --out /tmp/shipped --model models/default.s2fm

--model takes the decoder (weights and configuration) from a container instead of random weights,
e.g. the shipped default model; its features are then N(0, 0.09^2) per component, the spread of
face-api descriptors, so the decoder sees inputs of the size it was trained on.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference.face_decoder import FaceDecoder, FaceDecoderConfig, randomize_  # noqa: E402
from convert.convert_face_decoder import face_decoder_parts  # noqa: E402
from reference import s2f_model  # noqa: E402

CONFIGS = {
    # Paper geometry (14 -> 56 by two doublings, 68 landmarks) at toy widths, none a multiple of 8.
    "small": FaceDecoderConfig(feature_dim=20, hidden_dim=24, landmark_hidden=[30],
                               texture_size=14, texture_channels=6, upsample_channels=[10, 5]),
    # Everything else that metadata can change: 4x4 / padding 1 / no output padding, three
    # upsamplings (5 -> 40), no hidden landmark layer, 20 landmarks, order-3 spline, corners only.
    "small-k4": FaceDecoderConfig(feature_dim=9, hidden_dim=16, landmark_hidden=[],
                                  landmark_count=20, texture_size=5, texture_channels=7,
                                  upsample_channels=[9, 4, 3], upsample_kernel=4,
                                  upsample_padding=1, upsample_output_padding=0, warp_order=3,
                                  warp_boundary_points=1, warp_regularization=0.05),
    "paper": FaceDecoderConfig(),                    # Cole et al.: 4096 -> 1000 -> 224x224
    "default": FaceDecoderConfig(feature_dim=128),   # the shipped face space (face-api, 128-D)
}


def decoder_from_container(path):
    """The reference module with the configuration, weights and mean landmarks of the
    "face_decoder." component of a container."""
    metadata, tensors = s2f_model.read_model(path)
    prefix = "face_decoder."
    fields = FaceDecoderConfig.__dataclass_fields__
    config = FaceDecoderConfig(**{
        k[len(prefix):]: ([int(x) for x in v] if isinstance(v, np.ndarray) else v)
        for k, v in metadata.items() if k.startswith(prefix) and k[len(prefix):] in fields})
    mean = np.asarray(metadata[prefix + "mean_landmarks"], np.float32).reshape(-1, 2)
    model = FaceDecoder(config, mean_landmarks=mean)
    model.load_state_dict({k[len(prefix):]: torch.from_numpy(np.array(v)) for k, v in tensors.items()
                           if k.startswith(prefix)}, strict=False)
    return model.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="small")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20170721)
    parser.add_argument("--taps", choices=["none", "all"], default="none")
    parser.add_argument("--model", default=None, help="a container whose face decoder to use")
    parser.add_argument("--min-landmark-gap", type=float, default=0.0, metavar="PX",
                        help="random weights: draw the features again while two landmarks are "
                             "closer than PX (the live oracle uses 0.5; the goldens 0)")
    args = parser.parse_args()

    generator = torch.Generator().manual_seed(args.seed)
    feature_scale = 1.0
    if args.model:
        model = decoder_from_container(args.model)
        config = model.config
        feature_scale = 0.09
    else:
        config = CONFIGS[args.config]
        model = randomize_(FaceDecoder(config), generator)
    metadata, tensors = face_decoder_parts(model)
    metadata["general.architecture"] = "speech2face"
    metadata["general.provenance"] = (
        f"the face decoder of {args.model}" if args.model else
        f"tools/goldens/gen_face_decoder_goldens.py --config {args.config} --seed {args.seed}: random "
        "weights for testing only")
    os.makedirs(args.out, exist_ok=True)
    s2f_model.write_model(os.path.join(args.out, "model.s2fm"), metadata, tensors)

    features = feature_scale * torch.randn((args.batch, config.feature_dim), generator=generator)
    if not args.model and args.min_landmark_gap > 0:
        # Random weights can put two landmarks a fraction of a pixel apart, which a trained
        # decoder never does. The spline solve then amplifies the float32 landmarks' last-bit
        # difference (~4e-6 px) past the image tolerance of tests/face_decoder (seen at 0.14 px:
        # 2.3e-4). Such draws test the float format, not the decoder: draw again.
        for _ in range(100):
            with torch.inference_mode():
                points = model(features)[2].numpy()
            gaps = np.linalg.norm(points[:, :, None] - points[:, None], axis=-1)
            gaps[:, np.arange(gaps.shape[1]), np.arange(gaps.shape[1])] = np.inf
            if gaps.min() >= args.min_landmark_gap:
                break
            features = torch.randn((args.batch, config.feature_dim), generator=generator)
    taps = {} if args.taps == "all" else None
    with torch.inference_mode():
        images, texture, landmarks = model(features, taps)
    np.save(os.path.join(args.out, "features.npy"), features.numpy())
    np.save(os.path.join(args.out, "texture.npy"), texture.contiguous().numpy())
    np.save(os.path.join(args.out, "landmarks.npy"), landmarks.contiguous().numpy())
    np.save(os.path.join(args.out, "image.npy"), images.astype(np.float32))
    if taps is not None:
        os.makedirs(os.path.join(args.out, "taps"), exist_ok=True)
        for name, value in taps.items():
            np.save(os.path.join(args.out, "taps", name + ".npy"), value.contiguous().numpy())


if __name__ == "__main__":
    main()
