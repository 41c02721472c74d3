#!/usr/bin/env python3
"""The speech-detection rule (s2f_speech_meter, lib/audio/speech_meter.c) in numpy, and the
measurement that chose its thresholds (issue 21: none of the real clips may be refused; silence,
noise and tones must be).

- speech_reference(spectrogram): the rule, independently in float64 numpy, on the library's
  whole-signal spectrogram (frames, 257, 2) at 16 kHz: the oracle the binding tests compare the
  C meter with.
- `speech_rule.py` (no arguments): measures every clip of ../shared with the library
  (s2f.measure_speech) and the reference, plus synthetic non-speech (silence, dither, white and
  pink noise, tones, hum, a chirp, beeps) and cut-short speech, and prints the table that
  docs/speech-detection.md reports.
- `speech_rule.py --check`: exits 1 if any real clip measures under twice the pipeline's
  0.5 s, or any synthetic non-speech reaches it (meson test 'speech-rule-real-clips').

    S2F_LIBRARY=build/lib/libspeech2face.so /usr/bin/python3 tools/eval/speech_rule.py
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The rule's constants (lib/audio/speech_meter.c says why each is what it is).
BAND = slice(3, 129)          # 94 Hz – 4 kHz at 31.25 Hz per bin
LEVEL_REFERENCE_DB = 40.0
ABSOLUTE_FLOOR_DB = -90.0
BELOW_LOUD_DB = 35.0
MAX_FLATNESS = 0.4
PEAK_HALF_WIDTH = 3
MAX_PEAK_SHARE = 0.7
ENVELOPE_FRAMES = 10
MIN_MODULATION_DB = 0.8
FRAME_SECONDS = 0.01


def speech_reference(spectrogram, exponent=0.3):
    """(speech_seconds, modulation_db) of a whole-signal compressed spectrogram (T, 257, 2)."""
    c = np.asarray(spectrogram, np.float64)
    if len(c) == 0:
        return 0.0, 0.0
    power = (np.abs(c) ** (2.0 / exponent)).sum(axis=2)[:, BAND] + 1e-20
    total = power.sum(axis=1)
    level = 10 * np.log10(total) - LEVEL_REFERENCE_DB
    flatness = np.exp(np.log(power).mean(axis=1)) / power.mean(axis=1)
    peak = power.argmax(axis=1)
    around = np.array([power[t, max(0, p - PEAK_HALF_WIDTH):p + PEAK_HALF_WIDTH + 1].sum()
                       for t, p in enumerate(peak)])
    shaped = (flatness < MAX_FLATNESS) & (around / total < MAX_PEAK_SHARE)
    blocks = len(level) // ENVELOPE_FRAMES
    envelope = 10 * np.log10((10 ** (level[:blocks * ENVELOPE_FRAMES] / 10))
                             .reshape(blocks, ENVELOPE_FRAMES).mean(axis=1) + 1e-30)
    envelope = envelope[envelope > -100]
    modulation = float(envelope.std()) if len(envelope) > 1 else 0.0
    if modulation < MIN_MODULATION_DB:
        return 0.0, modulation
    threshold = max(ABSOLUTE_FLOOR_DB, np.percentile(level, 95) - BELOW_LOUD_DB)
    return float(((level > threshold) & shaped).sum() * FRAME_SECONDS), modulation


def synthetic_signals(speech, rate, seed=0):
    """Name → (samples, rate): what must be refused, and `speech` (one real clip) cut short."""
    rng = np.random.default_rng(seed)
    t = np.arange(6 * 16000) / 16000.0
    spectrum = np.fft.rfft(rng.standard_normal(len(t)))
    pink = np.fft.irfft(spectrum / np.sqrt(np.arange(1, len(spectrum) + 1)), len(t))
    signals = {
        "digital silence": np.zeros(len(t)),
        "dither (-90 dB)": rng.standard_normal(len(t)) * 3e-5,
        "white noise -20 dB": rng.standard_normal(len(t)) * 0.1,
        "white noise -50 dB": rng.standard_normal(len(t)) * 0.003,
        "pink noise": pink / np.abs(pink).max() * 0.3,
        "tone 440 Hz": 0.3 * np.sin(2 * np.pi * 440 * t),
        "tones 220 + 1330 Hz": 0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 1330 * t),
        "hum 50 Hz + harmonics": sum(0.1 / k * np.sin(2 * np.pi * 50 * k * t) for k in range(1, 20)),
        "chirp 100 Hz - 3.7 kHz": 0.3 * np.sin(2 * np.pi * (100 * t + 300 * t ** 2)),
        "beeps 1 kHz, 2 per s": 0.3 * np.sin(2 * np.pi * 1000 * t) * ((t % 1) < 0.5),
    }
    out = {name: (x.astype(np.float32), 16000.0) for name, x in signals.items()}
    for seconds in (0.1, 0.5, 1.5):
        out[f"speech cut to {seconds} s"] = (speech[:int(seconds * rate)], rate)
    out["speech at -60 dB"] = (speech * 0.001, rate)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "s2f-samples",
                                                       "avspeech", "Wav"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
    import soundfile
    import speech2face as s2f

    if not os.path.isdir(args.data):
        print(f"SKIP: {args.data} is absent")
        return 77
    names = sorted(os.listdir(args.data))
    measured, reference_gap = [], 0.0
    for name in names:
        samples, rate = soundfile.read(os.path.join(args.data, name), dtype="float32")
        report = s2f.measure_speech(samples, rate)
        measured.append(report.speech_seconds)
        if name == names[0]:
            first = (s2f.downmix(samples) if samples.ndim == 2 else samples, rate)
            with s2f.Spectrogram(sample_rate=rate, clip_seconds=0) as spectrogram:
                reference, _ = speech_reference(spectrogram.compute(first[0]))
            reference_gap = abs(reference - report.speech_seconds)
    measured = np.array(measured)
    print(f"{len(names)} real clips: speech seconds min {measured.min():.2f}, 1st percentile "
          f"{np.percentile(measured, 1):.2f}, median {np.median(measured):.2f}; pipeline needs "
          f"{s2f.MIN_SPEECH_SECONDS} s; C vs numpy on the first clip: {reference_gap:.2f} s")
    failures = []
    if measured.min() < 2 * s2f.MIN_SPEECH_SECONDS:
        failures.append(f"a real clip measures {measured.min():.2f} s")
    for name, (x, rate) in synthetic_signals(*first).items():
        report = s2f.measure_speech(x, rate)
        print(f"  {name:26s} {report.speech_seconds:5.2f} s of speech, envelope "
              f"{report.modulation_db:5.2f} dB: {'accepted' if report.is_speech else 'refused'}")
        if not name.startswith("speech") and report.speech_seconds >= s2f.MIN_SPEECH_SECONDS / 5:
            failures.append(f"{name} measures {report.speech_seconds:.2f} s")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if (args.check and failures) else 0


if __name__ == "__main__":
    sys.exit(main())
