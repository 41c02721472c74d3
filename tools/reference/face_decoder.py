"""Face decoder of Cole et al., "Synthesizing Normalized Faces from Facial Identity Features"
(CVPR 2017), as Speech2Face uses it (Oh et al., CVPR 2019, Sec. 3): the oracle for lib/.

    feature (D) -> FC hidden_dim + ReLU                      (f_dec, 1000 in the paper)
      landmark head: [FC + ReLU]* -> FC 2L                   (L (x, y) points, output pixels)
      texture head:  FC S*S*C0 + ReLU -> view(C0, S, S)       (14x14x256 in the paper)
                     -> N x [ConvTranspose k, stride s, padding p, output_padding op + ReLU]
                     -> Conv 1x1 -> 3 -> sigmoid             (RGB texture, 0..1)
    image = spline warp of the texture from the mean-face landmarks to the predicted ones

Predicted landmarks are clamped to the image rectangle [0, W-1] x [0, H-1] (pixel centres)
before the warp, as the C library does. The warp is tools/reference/warp_ref.py (numpy float64, TF
sparse_image_warp semantics), so this module's image is an independent oracle for lib/image too.
Module names equal the container's tensor names after the "face_decoder." prefix; the mean
landmarks are a buffer here and metadata in the container (tools/convert/convert_face_decoder.py).
"""
import os
import sys
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reference import warp_ref  # noqa: E402

ARCHITECTURE = "speech2face-face-decoder"


@dataclass
class FaceDecoderConfig:
    feature_dim: int = 4096
    hidden_dim: int = 1000
    landmark_hidden: list = field(default_factory=list)  # widths of the landmark MLP's hidden layers
    landmark_count: int = 68
    texture_size: int = 14
    texture_channels: int = 256
    upsample_channels: list = field(default_factory=lambda: [128, 64, 32, 32])
    upsample_kernel: int = 5
    upsample_stride: int = 2
    upsample_padding: int = 2
    upsample_output_padding: int = 1
    warp_order: int = 2
    warp_boundary_points: int = 2
    # A small regularisation keeps the spline solvable when predicted landmarks (nearly) coincide,
    # e.g. after clamping to a corner, at a sub-pixel cost in exactness.
    warp_regularization: float = 1e-3

    def image_size(self):
        size = self.texture_size
        for _ in self.upsample_channels:
            size = ((size - 1) * self.upsample_stride - 2 * self.upsample_padding
                    + self.upsample_kernel + self.upsample_output_padding)
        return size

    def metadata(self):
        """Container metadata keys (without the "face_decoder." prefix); mean_landmarks apart."""
        meta = asdict(self)
        meta["architecture"] = ARCHITECTURE
        meta["image_size"] = self.image_size()
        return meta


def mean_face_landmarks(size, count=68):
    """A plausible mean face of `count` (x, y) points for a size x size image: the 68-point iBUG
    layout (jaw, brows, nose, eyes, lips) of warp_ref.landmark_layout, evenly subsampled when
    count < 68. Not a detector's statistics; trained models store their own."""
    points = warp_ref.landmark_layout(size).astype(np.float64)
    if count > 68:
        raise ValueError("at most 68 synthetic landmarks")
    index = np.round(np.linspace(0, 67, count)).astype(int)
    return points[index].astype(np.float32)


class FaceDecoder(nn.Module):
    def __init__(self, config: FaceDecoderConfig, mean_landmarks=None):
        super().__init__()
        self.config = c = config
        self.fc_dec = nn.Linear(c.feature_dim, c.hidden_dim)
        widths = [c.hidden_dim] + list(c.landmark_hidden) + [2 * c.landmark_count]
        for j in range(1, len(widths)):
            setattr(self, f"landmark{j}", nn.Linear(widths[j - 1], widths[j]))
        self.texture_fc = nn.Linear(c.hidden_dim, c.texture_channels * c.texture_size ** 2)
        in_ch = c.texture_channels
        for i, out_ch in enumerate(c.upsample_channels, start=1):
            setattr(self, f"upconv{i}", nn.ConvTranspose2d(
                in_ch, out_ch, c.upsample_kernel, stride=c.upsample_stride,
                padding=c.upsample_padding, output_padding=c.upsample_output_padding))
            in_ch = out_ch
        self.to_rgb = nn.Conv2d(in_ch, 3, 1)
        if mean_landmarks is None:
            mean_landmarks = mean_face_landmarks(c.image_size(), c.landmark_count)
        mean_landmarks = torch.as_tensor(np.asarray(mean_landmarks, np.float32))
        assert mean_landmarks.shape == (c.landmark_count, 2)
        self.register_buffer("mean_landmarks", mean_landmarks)

    def landmark_layers(self):
        return [getattr(self, f"landmark{j}") for j in range(1, len(self.config.landmark_hidden) + 2)]

    def forward_network(self, feature, taps=None):
        """feature: batch x D. Returns (texture batch x H x W x 3 in 0..1, raw landmarks batch x
        L x 2, unclamped). `taps` (a dict) receives every stage in the C library's layout:
        "hidden", "landmark{j}", "texture_fc" (batch x S x S x C0, NHWC), "upconv{i}" (NHWC),
        "texture"."""
        c = self.config
        hidden = F.relu(self.fc_dec(feature))
        x = hidden
        layers = self.landmark_layers()
        for j, layer in enumerate(layers, start=1):
            x = layer(x)
            if j < len(layers):
                x = F.relu(x)
            if taps is not None:
                taps[f"landmark{j}"] = x
        landmarks = x.view(-1, c.landmark_count, 2)
        t = F.relu(self.texture_fc(hidden)).view(-1, c.texture_channels, c.texture_size,
                                                 c.texture_size)
        if taps is not None:
            taps["hidden"] = hidden
            taps["texture_fc"] = t.permute(0, 2, 3, 1)
        for i in range(1, len(c.upsample_channels) + 1):
            t = F.relu(getattr(self, f"upconv{i}")(t))
            if taps is not None:
                taps[f"upconv{i}"] = t.permute(0, 2, 3, 1)
        texture = torch.sigmoid(self.to_rgb(t)).permute(0, 2, 3, 1)
        if taps is not None:
            taps["texture"] = texture
        return texture, landmarks

    def clamp_landmarks(self, landmarks):
        size = self.config.image_size()
        return landmarks.clamp(0.0, float(size - 1))

    def forward(self, feature, taps=None):
        """Returns (image batch x H x W x 3 float64 numpy, texture, clamped landmarks)."""
        c = self.config
        texture, landmarks = self.forward_network(feature, taps)
        landmarks = self.clamp_landmarks(landmarks)
        mean = self.mean_landmarks.double().numpy()
        images = np.stack([
            warp_ref.warp_xy(texture[b].double().numpy(), mean, landmarks[b].double().numpy(),
                             order=c.warp_order, regularization=c.warp_regularization,
                             boundary_points=c.warp_boundary_points)
            for b in range(texture.shape[0])])
        return images, texture, landmarks


def randomize_(model: FaceDecoder, generator: torch.Generator, landmark_jitter=2.0):
    """Seeded random weights, scaled so activations stay O(1) and the texture varies (He init,
    biases ~ 0.1). The landmark head's last layer gets small weights and the flattened mean
    landmarks as bias, so predicted landmarks are the mean face moved by a few pixels (about
    `landmark_jitter` px): the warp then does a realistic, non-trivial move."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                if isinstance(module, nn.ConvTranspose2d):
                    # Each output pixel sums in_ch * (k/stride)^2 taps on average.
                    fan_in = module.weight.shape[0] * module.weight[0, 0].numel() / module.stride[0] ** 2
                else:
                    fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator)
                                    * (2.0 / fan_in) ** 0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
        last = model.landmark_layers()[-1]
        last.weight.mul_(landmark_jitter * 0.5)
        last.bias.copy_(model.mean_landmarks.flatten())
    return model.eval()
