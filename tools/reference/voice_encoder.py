"""Speech2Face voice encoder (Oh et al., CVPR 2019, Table 1) in PyTorch: the oracle for lib/.

Written from the paper: every CONV is Conv(4x4) -> ReLU -> BatchNorm; max-pool 2x1 over time only
after conv 3, 4, 5 and 6; conv 8 and 9 have stride 2; conv 9 is linear; then the mean over all
time frames -> ReLU -> BatchNorm -> FC 4096 + ReLU -> FC 4096. Input: time x freq x {re, im}.

Padding is not stated by the paper; "same" follows TensorFlow (the odd padded pixel goes after),
"valid" pads nothing. Widths, strides, pooling, padding and FC sizes are parameters, so the
paper-size model and small ones are the same code. Module names equal the container's tensor
names after the "voice_encoder." prefix, so conversion is a renaming-free copy of state_dict().
"""
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

PAPER_CONV_CHANNELS = [64, 64, 128, 128, 128, 256, 512, 512, 512]
PAPER_CONV_STRIDES = [1, 1, 1, 1, 1, 1, 1, 2, 2]
PAPER_POOL_TIME = [1, 1, 2, 2, 2, 2, 1, 1, 1]  # time pooling factor after each conv (1 = none)


@dataclass
class VoiceEncoderConfig:
    conv_channels: list = field(default_factory=lambda: list(PAPER_CONV_CHANNELS))
    conv_strides: list = field(default_factory=lambda: list(PAPER_CONV_STRIDES))
    pool_time: list = field(default_factory=lambda: list(PAPER_POOL_TIME))
    kernel: int = 4
    padding: str = "same"  # "same" (TensorFlow) or "valid"
    input_bins: int = 257
    input_channels: int = 2
    fc_dims: list = field(default_factory=lambda: [4096, 4096])
    bn_eps: float = 1e-5

    def metadata(self):
        """Container metadata keys (without the "voice_encoder." prefix)."""
        meta = asdict(self)
        meta["architecture"] = "speech2face-voice-encoder"
        meta["feature_dim"] = self.fc_dims[-1]
        return meta


def tf_same_pad(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class VoiceEncoder(nn.Module):
    def __init__(self, config: VoiceEncoderConfig):
        super().__init__()
        self.config = c = config
        n = len(c.conv_channels)
        assert len(c.conv_strides) == n and len(c.pool_time) == n
        in_ch = c.input_channels
        for i, out_ch in enumerate(c.conv_channels, start=1):
            setattr(self, f"conv{i}", nn.Conv2d(in_ch, out_ch, c.kernel, stride=c.conv_strides[i - 1]))
            if i < n:  # the last conv is linear: no ReLU, no BatchNorm
                setattr(self, f"bn{i}", nn.BatchNorm2d(out_ch, eps=c.bn_eps))
            in_ch = out_ch
        self.bn_pool = nn.BatchNorm1d(in_ch, eps=c.bn_eps)
        bins = self.output_bins()
        dims = [in_ch * bins] + list(c.fc_dims)
        for j in range(1, len(dims)):
            setattr(self, f"fc{j}", nn.Linear(dims[j - 1], dims[j]))

    def output_bins(self):
        """Frequency bins left after the conv stack (pooling is over time only)."""
        c, bins = self.config, self.config.input_bins
        for stride in c.conv_strides:
            if c.padding == "same":
                bins = -(-bins // stride)
            else:
                bins = (bins - c.kernel) // stride + 1
        return bins

    def _pad(self, x, stride):
        if self.config.padding != "same":
            return x
        k = self.config.kernel
        top, bottom = tf_same_pad(x.shape[2], k, stride)
        left, right = tf_same_pad(x.shape[3], k, stride)
        return F.pad(x, (left, right, top, bottom))

    def forward(self, spectrogram, taps=None):
        """spectrogram: batch x time x freq x 2. Returns batch x feature_dim.
        If `taps` is a dict, it receives every intermediate activation in NHWC order (the C
        library's layout): conv{i} after its ReLU/BatchNorm, pool{i} after each time pooling,
        "pooled" after mean/ReLU/BatchNorm (batch x freq x channels), and fc{j}."""
        c = self.config
        n = len(c.conv_channels)
        x = spectrogram.permute(0, 3, 1, 2)  # NCHW, H = time, W = freq
        for i in range(1, n + 1):
            x = getattr(self, f"conv{i}")(self._pad(x, c.conv_strides[i - 1]))
            if i < n:
                x = getattr(self, f"bn{i}")(F.relu(x))
            if taps is not None:
                taps[f"conv{i}"] = x.permute(0, 2, 3, 1)
            if c.pool_time[i - 1] > 1:
                x = F.max_pool2d(x, (c.pool_time[i - 1], 1))
                if taps is not None:
                    taps[f"pool{i}"] = x.permute(0, 2, 3, 1)
        x = self.bn_pool(F.relu(x.mean(dim=2)))  # batch x channels x freq
        if taps is not None:
            taps["pooled"] = x.permute(0, 2, 1)
        x = x.flatten(1)  # channel-major, as PyTorch flattens
        fc_count = len(c.fc_dims)
        for j in range(1, fc_count + 1):
            x = getattr(self, f"fc{j}")(x)
            if j < fc_count:
                x = F.relu(x)
            if taps is not None:
                taps[f"fc{j}"] = x
        return x


def randomize_(model: VoiceEncoder, generator: torch.Generator):
    """Seeded random weights *and* BatchNorm statistics (the defaults would make BN the identity
    and hide layout bugs). Scaled so activations stay O(1) through the whole stack."""
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
            elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                ch = module.num_features
                module.weight.copy_(torch.rand(ch, generator=generator) * 1.5 + 0.25)
                module.bias.copy_(torch.randn(ch, generator=generator) * 0.2)
                module.running_mean.copy_(torch.rand(ch, generator=generator) * 0.5)
                module.running_var.copy_(torch.rand(ch, generator=generator) * 1.5 + 0.5)
    return model.eval()
