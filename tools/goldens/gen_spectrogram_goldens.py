#!/usr/bin/python3
"""Writes the spectrogram goldens of tests/spectrogram/data/ from tools/reference/spectrogram_ref.py.

    /usr/bin/python3 tools/goldens/gen_spectrogram_goldens.py [--samples ../shared/data/s2f-samples]

Per case <name>: <name>_meta.npy = [T, bins, checksum1, checksum2, n_samples] of the *input*
(the C test regenerates or decodes the input and must reproduce the checksums first), and either
<name>_full.npy (T, bins, 2) for short cases, or for 6 s cases (a full one is 1.2 MB)
<name>_frames.npy (indices), <name>_slices.npy (those frames, all bins) and the summary
statistics <name>_frame_stats.npy (T, 2) / <name>_bin_stats.npy (bins, 2): mean of the
compressed values and mean of their absolute values, per frame and per bin. An elementwise error
of ε bounds every statistic's error by ε, so the C test applies the same tolerance to them.

The case table is mirrored in tests/spectrogram/test_spectrogram_golden.c. Real clips need
python3-soundfile (Debian) and the shared data; synthetic cases need only numpy (and torch for
the one-time STFT cross-check, skipped with a note if torch is absent).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference import spectrogram_ref as ref  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'tests', 'spectrogram', 'data')
REAL_CLIPS = {  # name → file in avspeech/Wav (16 kHz mono 16-bit FLAC, 6 s)
    'real_a': '---ZOY1kzAc_231.231000-234.467567.flac',
    'real_b': '-1nRm4tQL0A_024.760000-029.960000.flac',
}
DEFAULT_SLICES = [0, 1, 2, 3, 297, 298, 299, 300, 594, 595, 596, 597]
# A 2 s clip tiled to 6 s: the repeats join at samples 32000 and 64000, inside frames 198-199
# and 398-399.
TILED_SLICES = [0, 1, 197, 198, 199, 200, 397, 398, 399, 400, 596, 597]


def synthetic_cases():
    """name → (C-side input, reference input at the analysis rate, params, storage)."""
    cases = {}
    x = ref.sweep(16000, 6.0, 100.0, 7000.0, 0.45)
    cases['sweep16k'] = (x, x, {}, 'slices', DEFAULT_SLICES)
    x = ref.lcg_noise(32000, 12345, 2)
    cases['noise2s_tiled'] = (x, x, {}, 'slices', TILED_SLICES)
    x = np.zeros(16000, dtype=np.float32)
    cases['silence'] = (x, x, {}, 'slices', DEFAULT_SLICES)
    x = ref.impulses(4800, 97, 3, 0.8)
    cases['impulses'] = (x, x, dict(clip_seconds=0.0), 'full', None)
    x = ref.lcg_noise(4000, 777, 0)
    cases['noise_custom'] = (x, x, dict(clip_seconds=0.0, window=256, hop=100, fft_size=256,
                                        exponent=0.5), 'full', None)
    # Resampling: the C side gets the sweep rendered at 44.1 kHz, the reference the same
    # analytic sweep rendered directly at 16 kHz (no Python binding of libsoxr in Debian).
    # 6 kHz stays inside soxr HQ's flat passband (0.913 × 8 kHz); the fades keep the signal
    # band-limited at its ends. Not quantised: 16-bit noise would swamp the comparison of the
    # nearly empty bins above 6 kHz.
    x44 = ref.sweep(44100, 6.0, 100.0, 6000.0, 0.45, fade_seconds=0.05,
                    quantized=False).astype(np.float32)
    x16 = ref.sweep(16000, 6.0, 100.0, 6000.0, 0.45, fade_seconds=0.05, quantized=False)
    cases['sweep44k'] = (x44, x16, dict(sample_rate=44100.0), 'slices', DEFAULT_SLICES)
    return cases


def real_cases(samples):
    try:
        import soundfile
    except ImportError:
        print('note: python3-soundfile missing, real-clip goldens not regenerated')
        return {}
    cases = {}
    for name, file in REAL_CLIPS.items():
        path = os.path.join(samples, 'avspeech', 'Wav', file)
        if not os.path.exists(path):
            print(f'note: {path} missing, {name} not regenerated')
            continue
        x, rate = soundfile.read(path, dtype='float32')
        assert rate == 16000 and x.ndim == 1, (path, rate, x.shape)
        cases[name] = (x, x, {}, 'slices', DEFAULT_SLICES)
    return cases


def save(name, array):
    np.save(os.path.join(OUT, name + '.npy'), array)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--samples', default=os.path.join(HERE, '..', '..', '..', 'shared', 'data',
                                                          's2f-samples'))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    cases = {**synthetic_cases(), **real_cases(args.samples)}
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print('note: torch missing, skipping the torch.stft cross-check')
    for name, (c_input, ref_input, params, storage, slices) in cases.items():
        p = {**ref.PAPER, **params}
        p.pop('sample_rate', None)
        spec = ref.spectrogram(ref_input, **p)
        if have_torch:
            clipped = ref.clip_signal(ref_input, p['clip_seconds'], p['analysis_rate'])
            diff = ref.torch_crosscheck(clipped, p['window'], p['hop'], p['fft_size'])
            scale = max(1.0, float(np.max(np.abs(ref.stft(clipped, p['window'], p['hop'],
                                                          p['fft_size'])))))
            assert diff <= 1e-9 * scale, f'{name}: numpy and torch.stft differ by {diff}'
        frames, bins = spec.shape[:2]
        c1, c2 = ref.checksum(c_input)
        save(name + '_meta', np.array([frames, bins, c1, c2, len(c_input)], dtype=np.float64))
        if storage == 'full':
            save(name + '_full', spec)
        else:
            save(name + '_frames', np.array(slices, dtype=np.int32))
            save(name + '_slices', spec[slices])
            wide = spec.astype(np.float64)
            stats = lambda axes: np.stack([wide.mean(axis=axes), np.abs(wide).mean(axis=axes)],
                                          axis=1).astype(np.float32)
            save(name + '_frame_stats', stats((1, 2)))
            save(name + '_bin_stats', stats((0, 2)))
        print(f'{name}: {frames}×{bins}×2, input checksum ({c1}, {c2}), {storage}')


if __name__ == '__main__':
    main()
