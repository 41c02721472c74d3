#!/usr/bin/python3
"""Reference implementation of the paper's spectrogram (DESIGN.md §1), independent of the C code.

numpy only: explicit framing (no centre padding), periodic Hann window, frame zero-padded to the
FFT size, numpy's rfft in float64, then sign(x)·|x|^p on real and imaginary parts separately.
`torch_crosscheck` compares the framing/FFT once against torch.stft(center=False).

Also defines the deterministic synthetic test signals, bit-exactly reproduced by
tests/spectrogram/synthetic.c (int16-quantised so that last-ulp differences between libm and
numpy cannot change a sample), and the checksum both sides use to prove they agree.

Run with /usr/bin/python3 (Debian's numpy/torch).
"""
import math

import numpy as np

PAPER = dict(clip_seconds=6.0, window=400, hop=160, fft_size=512, exponent=0.3,
             analysis_rate=16000)


def periodic_hann(window):
    n = np.arange(window, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / window)


def frame_count(length, window, hop):
    return 0 if length < window else 1 + (length - window) // hop


def stft(x, window=400, hop=160, fft_size=512):
    """Complex STFT (float64) of a 1-D signal, frames × (fft_size//2 + 1), no centre padding."""
    x = np.asarray(x, dtype=np.float32).astype(np.float64)
    frames = frame_count(len(x), window, hop)
    if frames == 0:
        raise ValueError(f"signal of {len(x)} samples is shorter than one window ({window})")
    index = np.arange(frames)[:, None] * hop + np.arange(window)[None, :]
    windowed = x[index] * periodic_hann(window)[None, :]
    return np.fft.rfft(windowed, n=fft_size, axis=1)


def compress(values, exponent):
    return np.sign(values) * np.abs(values) ** exponent


def clip_signal(x, clip_seconds, analysis_rate):
    """The paper's clip rule: first clip_seconds; shorter input repeated until long enough."""
    x = np.asarray(x, dtype=np.float32)
    if clip_seconds <= 0:
        return x
    length = int(round(clip_seconds * analysis_rate))
    repeats = -(-length // len(x))
    return np.tile(x, repeats)[:length]


def spectrogram(x, clip_seconds=6.0, window=400, hop=160, fft_size=512, exponent=0.3,
                analysis_rate=16000):
    """x: mono samples already at analysis_rate. Returns float32 [T, bins, 2] (re, im)."""
    spec = stft(clip_signal(x, clip_seconds, analysis_rate), window, hop, fft_size)
    out = np.stack([compress(spec.real, exponent), compress(spec.imag, exponent)], axis=-1)
    return out.astype(np.float32)


def segments(x, clip_seconds=6.0, segment_hop_seconds=3.0, analysis_rate=16000, **kw):
    """Long audio: clips of clip_seconds every segment_hop_seconds → [S, T, bins, 2]."""
    clip = int(round(clip_seconds * analysis_rate))
    step = int(round(segment_hop_seconds * analysis_rate))
    count = 1 if len(x) <= clip else 1 + (len(x) - clip) // step
    return np.stack([spectrogram(x[s * step:s * step + clip], clip_seconds,
                                 analysis_rate=analysis_rate, **kw) for s in range(count)])


def torch_crosscheck(x, window=400, hop=160, fft_size=512):
    """Max |numpy STFT − torch.stft| (uncompressed). torch centres a short window inside n_fft,
    so the window is right-padded to fft_size by hand and the signal padded by fft_size − window
    at its end: then torch's frames are exactly tf.signal.stft(pad_end=False)'s."""
    import torch
    x = np.asarray(x, dtype=np.float32).astype(np.float64)
    padded_window = np.zeros(fft_size)
    padded_window[:window] = periodic_hann(window)
    signal = np.concatenate([x, np.zeros(fft_size - window)])
    ref = torch.stft(torch.from_numpy(signal), n_fft=fft_size, hop_length=hop,
                     win_length=fft_size, window=torch.from_numpy(padded_window),
                     center=False, return_complex=True).numpy().T
    ours = stft(x, window, hop, fft_size)
    if ref.shape != ours.shape:
        raise AssertionError(f"torch gives {ref.shape}, numpy {ours.shape}")
    return float(np.max(np.abs(ref - ours)))


# ----- deterministic synthetic signals (mirrored in tests/spectrogram/synthetic.c) -----------

def _libm(function, values):
    """Applies the C library's sin/cos (what math.* call), not numpy's SIMD versions, which
    differ by an ulp or two: the C test must regenerate every sample bit-exactly."""
    return np.fromiter((function(v) for v in values), dtype=np.float64, count=len(values))


def quantize16(values):
    """float64 → the nearest multiple of 1/32768 as float32, like 16-bit PCM."""
    return (np.rint(np.asarray(values, dtype=np.float64) * 32767.0) / 32768.0).astype(np.float32)


def sweep(rate, seconds, f0, f1, amplitude, fade_seconds=0.0, quantized=True):
    """Linear sine sweep f0 → f1 Hz over `seconds`, optional raised-cosine fades in and out."""
    n_samples = int(round(seconds * rate))
    t = np.arange(n_samples, dtype=np.float64) / rate
    k = (f1 - f0) / (2.0 * seconds)
    values = amplitude * _libm(math.sin, 2.0 * np.pi * (f0 * t + k * t * t))
    if fade_seconds > 0:
        # Fades are functions of time, not of sample index, so that renderings of the same
        # sweep at different rates describe one continuous signal.
        head = t < fade_seconds
        values[head] *= 0.5 - 0.5 * _libm(math.cos, np.pi * t[head] / fade_seconds)
        tail = seconds - t < fade_seconds
        values[tail] *= 0.5 - 0.5 * _libm(math.cos, np.pi * (seconds - t[tail]) / fade_seconds)
    return quantize16(values) if quantized else values


def lcg_noise(n_samples, seed, shift):
    """White noise from a 31-bit LCG: 16-bit values arithmetic-shifted right by `shift`."""
    out = np.empty(n_samples, dtype=np.float32)
    state = seed & 0x7FFFFFFF
    for i in range(n_samples):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        value = ((state >> 8) & 0xFFFF) - 32768
        out[i] = (value >> shift) / 32768.0
    return out


def impulses(n_samples, period, offset, amplitude):
    out = np.zeros(n_samples, dtype=np.float32)
    out[offset::period] = amplitude
    return out


def checksum(x):
    """Two Fletcher-style sums mod 65521 of the int16 values; small enough to be exact in a
    float32 .npy, and any single changed sample changes them."""
    ints = np.rint(np.asarray(x, dtype=np.float64) * 32768.0).astype(np.int64)
    first = int(np.sum(ints % 65521) % 65521)
    second = int(np.sum((ints % 65521) * (np.arange(len(ints)) % 65521 + 1) % 65521) % 65521)
    return first, second
