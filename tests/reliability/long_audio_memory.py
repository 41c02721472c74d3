#!/usr/bin/env python3
"""Memory of the s2f tool on a 1 h recording (issue: memory must not grow with the recording).

Writes a 1 h mono WAV at 22.05 kHz (so the resampler is in the path) and its first 6 s as a
separate file, runs the tool on both, and compares peak RSS (os.wait4's ru_maxrss of each
process):

  embed --segments   1 h  <=  embed          6 s  + 100 MB   (1,199 clips encoded)
  spectrogram --whole 1 h <=  spectrogram    6 s  + 100 MB   (a 359,998 × 257 picture)

and that both succeed with the expected output (one 128-D feature; a PNG of the right size).
Before streaming (v0.1) the two 1 h runs took 1.74 GB and 1.95-2.26 GB.

    long_audio_memory.py S2F_TOOL MODEL
Skips (77) without numpy (used only to write the recording quickly).
"""
import os
import struct
import subprocess
import sys
import tempfile
import wave

LIMIT_MB = 100
RATE = 22050


def write_wav(path, seconds):
    """Runs in a child process (see the docstring)."""
    import numpy as np
    rng = np.random.default_rng(0)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        for minute in range(0, seconds, 60):
            n = RATE * min(60, seconds - minute)
            t = np.arange(n) / RATE
            x = rng.standard_normal(n) * 2000 + 3000 * np.sin(2 * np.pi * (200 + minute / 6) * t)
            w.writeframes(x.astype("<i2").tobytes())


def run_measured(command, scratch):
    """(exit code, peak RSS in MB, stdout bytes) of one process, OpenBLAS on one thread."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    stdout_path = os.path.join(scratch, "stdout")
    with open(stdout_path, "wb") as out, open(os.devnull, "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)  # reaped here, so its own rusage
        process.returncode = os.waitstatus_to_exitcode(status)
    with open(stdout_path, "rb") as f:
        return process.returncode, usage.ru_maxrss / 1024.0, f.read()


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def main():
    tool, model = sys.argv[1], sys.argv[2]
    if subprocess.run([sys.executable, "-c", "import numpy"]).returncode != 0:
        print("SKIP: numpy is not importable")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        hour, short = os.path.join(scratch, "hour.wav"), os.path.join(scratch, "six.wav")
        for path, seconds in ((hour, 3600), (short, 6)):
            subprocess.run([sys.executable, __file__, "--write", path, str(seconds)], check=True)
        cases = [
            # --force: the signal is synthetic, not speech (s2f_pipeline_set_min_speech)
            ("embed --segments", ["embed", "-q", "--force", "--segments", "--model", model],
             ["embed", "-q", "--force", "--model", model]),
            ("spectrogram --whole", ["spectrogram", "--whole", "-o", os.path.join(scratch, "h.png")],
             ["spectrogram", "-o", os.path.join(scratch, "s.png")]),
        ]
        for name, long_args, short_args in cases:
            code_s, rss_s, _ = run_measured([tool, *short_args, short], scratch)
            code_h, rss_h, out = run_measured([tool, *long_args, hour], scratch)
            ok = code_s == 0 and code_h == 0 and rss_h <= rss_s + LIMIT_MB
            if name.startswith("embed"):
                values = out.decode().split("\t")[-1].split() if code_h == 0 else []
                ok = ok and len(values) == 128
            else:
                ok = ok and png_size(os.path.join(scratch, "h.png")) == (359998, 257)
            print(f"{'ok  ' if ok else 'FAIL'} {name}: 1 h {rss_h:.0f} MB (exit {code_h}), "
                  f"6 s {rss_s:.0f} MB (exit {code_s}); limit 6 s + {LIMIT_MB} MB", flush=True)
            if not ok:
                failures.append(name)
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1] == "--write":
        write_wav(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
