#!/usr/bin/python3
"""Spectrograms per second for 6 s clips: libspeech2face (through the Python binding; the call overhead is
microseconds against milliseconds of work) against the numpy reference, in the same run, single
thread. Also the library with 44.1 kHz input (resampling included).

    /usr/bin/python3 bench/bench_spectrogram.py BUILD_DIR/lib/libspeech2face.so [--seconds 5]

Real AVSpeech clips are used when python3-soundfile and ../shared/data are available, white
noise otherwise (speed does not depend on content beyond a few percent).
"""
import argparse
import glob
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
sys.path.insert(0, os.path.join(HERE, '..', 'bindings', 'python'))
from reference import spectrogram_ref as ref  # noqa: E402


def clips():
    try:
        import soundfile
        files = sorted(glob.glob(os.path.join(HERE, '..', '..', 'shared', 'data', 's2f-samples',
                                              'avspeech', 'Wav', '*.flac')))[:8]
        if files:
            return [soundfile.read(f, dtype='float32')[0] for f in files], 'AVSpeech clips'
    except ImportError:
        pass
    rng = np.random.default_rng(1)
    return [(rng.standard_normal(96000) * 0.1).astype(np.float32) for _ in range(8)], 'noise'


def rate(function, inputs, seconds):
    """Calls per second of function over the inputs, cycling until `seconds` have passed."""
    function(inputs[0])  # warm-up: plans, allocations, caches
    calls, start = 0, time.perf_counter()
    while True:
        function(inputs[calls % len(inputs)])
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and calls >= 3:
            return calls / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('library')
    parser.add_argument('--seconds', type=float, default=5.0, help='time per measurement')
    args = parser.parse_args()
    os.environ['S2F_LIBRARY'] = os.path.abspath(args.library)  # read by the binding on import
    import speech2face as s2f
    inputs, kind = clips()
    c16 = s2f.Spectrogram()
    out = np.empty((598, 257, 2), dtype=np.float32)
    c_rate = rate(lambda x: c16.compute(x, out), inputs, args.seconds)
    numpy_rate = rate(ref.spectrogram, inputs, args.seconds)
    inputs44 = [ref.sweep(44100, 6.0, 100.0, 7000.0, 0.45)] + [
        np.interp(np.arange(264600) * (16000 / 44100), np.arange(96000), x).astype(np.float32)
        for x in inputs[:3]]
    c44 = s2f.Spectrogram(sample_rate=44100.0)
    c44_rate = rate(lambda x: c44.compute(x, out), inputs44, args.seconds)
    print(f'6 s clips ({kind}), 598x257x2, one thread:')
    print(f'  libspeech2face, 16 kHz input   {c_rate:8.1f} spectrograms/s  '
          f'({1e3 / c_rate:6.2f} ms each)')
    print(f'  libspeech2face, 44.1 kHz input {c44_rate:8.1f} spectrograms/s  '
          f'({1e3 / c44_rate:6.2f} ms each, soxr HQ resampling included)')
    print(f'  numpy reference, 16 kHz input  {numpy_rate:8.1f} spectrograms/s  '
          f'({1e3 / numpy_rate:6.2f} ms each)')
    print(f'  speed-up C / numpy: {c_rate / numpy_rate:.1f}x')


if __name__ == '__main__':
    main()
