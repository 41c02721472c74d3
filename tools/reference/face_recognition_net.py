"""Face encoders in PyTorch, built from one of our containers: the oracle for lib/pipeline.

Two architectures, selected by the metadata "face_encoder.architecture":

* "dlib_resnet": face-api's FaceRecognitionNet (npm @vladmandic/face-api,
  src/faceRecognitionNet), its port of dlib's ResNet face descriptor. Written from that JS:
    x = (rgb - input_mean) * input_scale                        150×150×3, pixels 0..255
    stem: conv 7×7 /2 VALID + bias → per-channel scale → ReLU → max-pool 3 /2 VALID
    block: conv 3×3 SAME → scale → ReLU → conv 3×3 SAME → scale, + x → ReLU
    down block: conv1 is 3×3 /2 VALID; the shortcut is avg-pool 2 /2 VALID of x with its channels
      zero-extended; where the main branch is smaller than the shortcut (8 → 3 vs 4, 4 → 1 vs 2)
      it is zero-extended at the bottom and right (the JS concatenates zeros).
    mean over H, W → fc (no bias) → 128-D descriptor (not normalised)
* "vgg16": VGG-16 / VGG-Face: 3×3 convs (padding 1) + ReLU with 2×2 max-pools as listed in
  "face_encoder.vgg_layers" (-1 = pool), flatten in (C, H, W) order, fc6 (+ReLU), fc7, … ("fc_dims"),
  ReLU after the last FC iff "output_relu". Tensor names follow torchvision's VGG
  ("features.<i>.weight", "classifier.<j>.weight"), see tools/convert/convert_vgg16.py.

Preprocessing of a uint8 RGB image of any size, as face-api does for a tensor input
(NetInput.toBatchTensor(150, true)): pad to a square with zeros, centred (the extra pixel of an odd
difference goes *before*: JS puts round(d/2) after), then TF's legacy bilinear resize
(tf.image.resizeBilinear, align_corners = half_pixel_centers = false), skipped when already the
input size; or, with "face_encoder.resize" = "bilinear_antialias", Pillow's antialiased bilinear
on the padded square. `preprocess()` implements both in numpy; the C library the same.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from reference import s2f_model  # noqa: E402

PREFIX = "face_encoder."


def dequantized_tensors(metadata, tensors):
    """{name without prefix: float32 ndarray}: U8 tensors dequantised as tfjs does (double
    q·scale + min, rounded to float32), F16 widened."""
    out = {}
    for name, value in tensors.items():
        if not name.startswith(PREFIX):
            continue
        if value.dtype == np.uint8:
            scale, minimum = metadata[name + ".q_scale"], metadata[name + ".q_min"]
            value = (value.astype(np.float64) * scale + minimum).astype(np.float32)
        out[name[len(PREFIX):]] = np.asarray(value, dtype=np.float32)
    return out


def _meta(metadata, key, default=None):
    value = metadata.get(PREFIX + key, default)
    if value is None:
        raise KeyError(PREFIX + key)
    return value


def tf_same_pad(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class ConvScale(nn.Module):
    """conv (+bias) → per-channel scale·x + bias, in NCHW."""

    def __init__(self, cin, cout, kernel, stride, padding):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride)
        self.scale_weight = nn.Parameter(torch.ones(cout))
        self.scale_bias = nn.Parameter(torch.zeros(cout))
        self.kernel, self.stride, self.padding = kernel, stride, padding

    def forward(self, x):
        if self.padding == "same":
            ph = tf_same_pad(x.shape[2], self.kernel, self.stride)
            pw = tf_same_pad(x.shape[3], self.kernel, self.stride)
            x = F.pad(x, (pw[0], pw[1], ph[0], ph[1]))
        y = self.conv(x)
        return y * self.scale_weight.view(1, -1, 1, 1) + self.scale_bias.view(1, -1, 1, 1)


class DlibResNet(nn.Module):
    def __init__(self, metadata):
        super().__init__()
        self.mean = torch.tensor(_meta(metadata, "input_mean"), dtype=torch.float32)
        self.scale = float(_meta(metadata, "input_scale"))
        self.input_size = int(_meta(metadata, "input_size"))
        stem_ch = int(_meta(metadata, "stem_channels"))
        self.stem = ConvScale(3, stem_ch, int(_meta(metadata, "stem_kernel")),
                              int(_meta(metadata, "stem_stride")), "valid")
        self.pool_k = int(_meta(metadata, "stem_pool_kernel"))
        self.pool_s = int(_meta(metadata, "stem_pool_stride"))
        channels = [int(c) for c in _meta(metadata, "block_channels")]
        downs = [int(d) for d in _meta(metadata, "block_down")]
        self.downs = downs
        self.blocks = nn.ModuleList()
        cin = stem_ch
        for cout, down in zip(channels, downs):
            block = nn.Module()
            block.conv1 = ConvScale(cin, cout, 3, 2 if down else 1, "valid" if down else "same")
            block.conv2 = ConvScale(cout, cout, 3, 1, "same")
            self.blocks.append(block)
            cin = cout
        self.fc = nn.Linear(cin, int(_meta(metadata, "feature_dim")), bias=False)
        self.taps = None  # optional dict: stage name -> NHWC activation

    def _tap(self, name, x):
        if self.taps is not None:
            self.taps[name] = x.permute(0, 2, 3, 1).detach().numpy().copy()

    def load_weights(self, weights):
        self.stem.conv.weight.data = torch.from_numpy(weights["stem.conv.weight"].copy())
        self.stem.conv.bias.data = torch.from_numpy(weights["stem.conv.bias"].copy())
        self.stem.scale_weight.data = torch.from_numpy(weights["stem.scale.weight"].copy())
        self.stem.scale_bias.data = torch.from_numpy(weights["stem.scale.bias"].copy())
        for i, block in enumerate(self.blocks):
            for j in (1, 2):
                layer = getattr(block, f"conv{j}")
                layer.conv.weight.data = torch.from_numpy(weights[f"blocks.{i}.conv{j}.weight"].copy())
                layer.conv.bias.data = torch.from_numpy(weights[f"blocks.{i}.conv{j}.bias"].copy())
                layer.scale_weight.data = torch.from_numpy(weights[f"blocks.{i}.scale{j}.weight"].copy())
                layer.scale_bias.data = torch.from_numpy(weights[f"blocks.{i}.scale{j}.bias"].copy())
        self.fc.weight.data = torch.from_numpy(weights["fc.weight"].copy())

    def forward(self, pixels):
        """pixels: (N, S, S, 3) float, 0..255, already at the input size → (N, feature_dim)."""
        x = ((pixels - self.mean) * self.scale).permute(0, 3, 1, 2)
        x = F.relu(self.stem(x))
        self._tap("stem", x)
        x = F.max_pool2d(x, self.pool_k, self.pool_s)
        self._tap("stem_pool", x)
        for i, (block, down) in enumerate(zip(self.blocks, self.downs)):
            out = self.blocks[i].conv2(F.relu(block.conv1(x)))
            if down:
                shortcut = F.avg_pool2d(x, 2, 2)
                if shortcut.shape[1] < out.shape[1]:
                    shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, out.shape[1] - shortcut.shape[1]))
                dh = shortcut.shape[2] - out.shape[2]
                dw = shortcut.shape[3] - out.shape[3]
                out = F.pad(out, (0, dw, 0, dh))
            else:
                shortcut = x
            x = F.relu(out + shortcut)
            self._tap(f"block{i}", x)
        pooled = x.mean(dim=(2, 3))
        self._tap("pooled", pooled.view(pooled.shape[0], -1, 1, 1))
        return self.fc(pooled)


class VGG16(nn.Module):
    def __init__(self, metadata):
        super().__init__()
        self.mean = torch.tensor(_meta(metadata, "input_mean"), dtype=torch.float32)
        self.scale = float(_meta(metadata, "input_scale"))
        self.input_size = int(_meta(metadata, "input_size"))
        self.layers = [int(v) for v in _meta(metadata, "vgg_layers")]
        self.fc_dims = [int(v) for v in _meta(metadata, "fc_dims")]
        self.output_relu = bool(_meta(metadata, "output_relu"))
        features, cin, size = [], 3, self.input_size
        for v in self.layers:
            if v < 0:
                features.append(nn.MaxPool2d(2, 2))
                size //= 2
            else:
                features += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
                cin = v
        self.features = nn.Sequential(*features)
        fcs, fin = [], cin * size * size
        for j, d in enumerate(self.fc_dims):
            fcs.append(nn.Linear(fin, d))
            fcs += [nn.ReLU(), nn.Dropout()]  # torchvision's classifier indices: 0, 3, 6
            fin = d
        self.classifier = nn.Sequential(*fcs)

    def load_weights(self, weights):
        missing, unexpected = self.load_state_dict(
            {k: torch.from_numpy(v.copy()) for k, v in weights.items()}, strict=False)
        if missing:
            raise KeyError(f"container lacks {missing}")

    def forward(self, pixels):
        x = ((pixels - self.mean) * self.scale).permute(0, 3, 1, 2)
        x = torch.flatten(self.features(x), 1)
        for j in range(len(self.fc_dims)):
            x = self.classifier[3 * j](x)
            if j + 1 < len(self.fc_dims) or self.output_relu:
                x = F.relu(x)
        return x


def build(metadata, tensors):
    arch = metadata.get(PREFIX + "architecture")
    net = {"dlib_resnet": DlibResNet, "vgg16": VGG16}[arch](metadata)
    net.resize = metadata.get(PREFIX + "resize", "bilinear_antialias")
    net.load_weights(dequantized_tensors(metadata, tensors))
    return net.eval()


def load_container(path):
    metadata, tensors = s2f_model.read_model(path)
    return build(metadata, tensors), metadata


def pad_to_square(image):
    """face-api's padToSquare(img, isCenterImage=true) on an H×W×3 float array."""
    h, w = image.shape[:2]
    if h == w:
        return image
    diff = abs(h - w)
    after = int(np.floor(diff * 0.5 + 0.5))  # JS Math.round
    before = diff - after
    if h > w:
        pad = ((0, 0), (before, after), (0, 0))
    else:
        pad = ((before, after), (0, 0), (0, 0))
    return np.pad(image, pad)


def resize_bilinear_tf(image, out_h, out_w):
    """tf.image.resizeBilinear(align_corners=False, half_pixel_centers=False), float32 math."""
    in_h, in_w = image.shape[:2]
    image = image.astype(np.float32)
    sy = np.float32(in_h / out_h)
    sx = np.float32(in_w / out_w)
    ys = np.arange(out_h, dtype=np.float32) * sy
    xs = np.arange(out_w, dtype=np.float32) * sx
    y0 = np.floor(ys).astype(np.int64)
    x0 = np.floor(xs).astype(np.int64)
    y1 = np.minimum(y0 + 1, in_h - 1)
    x1 = np.minimum(x0 + 1, in_w - 1)
    dy = (ys - y0).astype(np.float32)[:, None, None]
    dx = (xs - x0).astype(np.float32)[None, :, None]
    tl, tr = image[y0][:, x0], image[y0][:, x1]
    bl, br = image[y1][:, x0], image[y1][:, x1]
    top = tl + (tr - tl) * dx
    bottom = bl + (br - bl) * dx
    return (top + (bottom - top) * dy).astype(np.float32)


def _antialias_weights(origin, extent, in_size, out_size):
    """(out_size, in_size) matrix of Pillow's bilinear resampling weights (triangle filter
    stretched by the downscale factor, renormalised over the taps inside the image); rows whose
    centre is outside the image are zero (black)."""
    scale = extent / out_size
    support = max(scale, 1.0)
    weights = np.zeros((out_size, in_size))
    for o in range(out_size):
        center = origin + (o + 0.5) * scale
        if not 0 <= center < in_size:
            continue
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        taps = np.arange(lo, hi)
        w = np.maximum(0.0, 1.0 - np.abs((taps - center + 0.5) / support))
        if w.sum() != 0:
            weights[o, lo:hi] = w / w.sum()
    return weights


def resize_antialias(image, box, out_h, out_w):
    """Antialiased bilinear resize of `box` (x, y, w, h) of an H×W×C image, outside = black:
    the library's S2F_RESIZE_BILINEAR_ANTIALIAS (Pillow's resize(BILINEAR, box) inside)."""
    x, y, w, h = box
    wx = _antialias_weights(x, w, image.shape[1], out_w)
    wy = _antialias_weights(y, h, image.shape[0], out_h)
    rows = np.einsum("ox,yxc->yoc", wx, image.astype(np.float64)).astype(np.float32)
    return np.einsum("oy,yxc->oxc", wy, rows.astype(np.float64)).astype(np.float32)


def square_box(height, width):
    """The box padToSquare(centred) covers, in the image's pixel units: (x, y, side, side)."""
    side, diff = max(height, width), abs(height - width)
    before = diff - int(np.floor(diff * 0.5 + 0.5))
    return (-before, 0, side, side) if width < height else (0, -before, side, side)


def preprocess(rgb, size, resize="bilinear_tf"):
    """uint8 H×W×3 → size×size×3 float32 pixels (0..255): pad to a square (black, centred) and
    resize, as face-api prepares a tensor input ("bilinear_tf") or antialiased."""
    if resize == "bilinear_antialias":
        return resize_antialias(rgb, square_box(*rgb.shape[:2]), size, size)
    image = pad_to_square(rgb.astype(np.float32))
    if image.shape[0] != size:
        image = resize_bilinear_tf(image, size, size)
    return image


@torch.no_grad()
def describe(net, images):
    """List of uint8 H×W×3 arrays → (N, feature_dim) float32 descriptors."""
    batch = np.stack([preprocess(im, net.input_size, net.resize) for im in images])
    return net(torch.from_numpy(batch)).numpy()
