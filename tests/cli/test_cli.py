#!/usr/bin/python3
"""End-to-end tests of the s2f tool on real clips (../shared/data/s2f-samples/avspeech): every
subcommand, the validity of what it writes (PNG, JSON, .npy), `embed --npy` against the library
called directly through the Python bindings (bit-identical), and bad input (missing file,
unreadable audio, wrong model, bad index, bad command line) → a clear message on stderr, the
documented exit code, no crash. Exit 77 when numpy or the clips are missing.

    test_cli.py --s2f BUILD/examples/s2f/s2f --library BUILD/lib/libspeech2face.so \
        --source SOURCE_DIR --samples ../shared/data/s2f-samples/avspeech
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

try:
    import numpy as np
except ImportError:
    print("SKIP: numpy is not importable")
    sys.exit(77)

OK, RUNTIME, USAGE, BAD_INPUT = 0, 1, 2, 3
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def png_info(path):
    """(width, height) of a PNG after checking its signature, chunk CRCs and IEND."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    offset, chunks = 8, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        crc, = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in {kind!r}")
        chunks.append((kind, body))
        offset += 12 + length
    if chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ValueError("IHDR/IEND missing")
    return struct.unpack(">II", chunks[0][1][:8])


def valid_png(path, size=None):
    try:
        info = png_info(path)
        return size is None or info == size
    except (OSError, ValueError, struct.error) as error:
        print(f"     {path}: {error}")
        return False


TILE, GAP, LINE = 160, 4, 10  # examples/s2f/cmd_search.c and label.h
ROW = TILE + 2 * LINE + 2 + GAP


def read_font(source):
    """The sheet's 5x8 font, read from examples/s2f/font5x8.c: {character: 8 rows of '#.'}."""
    font = {}
    text = open(os.path.join(source, "examples", "s2f", "font5x8.c")).read()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("GLYPH("):
            fields = [f.strip() for f in line[len("GLYPH("):line.rindex(")")].split(", ")]
            char = eval(fields[0])  # a C character literal is a valid Python one here
            font[char] = [eval(row) for row in fields[1:]]
    return font


def label_fit(text, max_chars):
    """What the sheet shows of a name (label.c's rule): non-ASCII as '?', long ones a..b."""
    shown = "".join(c if 32 <= ord(c) < 127 else "?" for c in text)
    if len(shown) <= max_chars:
        return shown
    head = (max_chars - 2) // 2
    return shown[:head] + ".." + shown[len(shown) - (max_chars - 2 - head):]


def label_ink(font, lines):
    """Boolean mask (2 * LINE, TILE) of the two label lines as the sheet draws them."""
    mask = np.zeros((2 * LINE, TILE), bool)
    for number, text in enumerate(lines):
        for position, char in enumerate(label_fit(text, TILE // 6)):
            for row, bits in enumerate(font[char]):
                for column, bit in enumerate(bits):
                    x = position * 6 + column
                    if bit == "#" and x < TILE:
                        mask[number * LINE + row, x] = True
    return mask


def sheet_labels_match(sheet_path, font, rows):
    """rows: per voice, the label lines of each tile. True when every tile's label band holds
    exactly that text in ink and nothing else."""
    from PIL import Image
    pixels = np.asarray(Image.open(sheet_path).convert("RGB"))
    for row_index, tiles in enumerate(rows):
        for tile_index, lines in enumerate(tiles):
            x0 = GAP + tile_index * (TILE + GAP)
            y0 = GAP + row_index * ROW + TILE + 2
            band = pixels[y0:y0 + 2 * LINE, x0:x0 + TILE]
            drawn = np.all(band == 32, axis=2)
            if not np.array_equal(drawn, label_ink(font, lines)):
                print(f"     tile {tile_index} of row {row_index}: label is not {lines}")
                return False
    return True


def write_png(path, width, height):
    """A grey width x height PNG, written by hand (no imaging library needed)."""
    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_flac_total(source, target, total):
    """Copies a FLAC with STREAMINFO's 36-bit total-samples field set to `total`."""
    data = bytearray(open(source, "rb").read())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO comes first
    packed, = struct.unpack(">Q", bytes(data[18:26]))  # rate 20, channels 3, bits 5, total 36
    data[18:26] = struct.pack(">Q", (packed & ~((1 << 36) - 1)) | total)
    open(target, "wb").write(data)


class Tool:
    def __init__(self, path, model):
        self.path, self.model = path, model

    def __call__(self, *args, model=True, env=None):
        command = [self.path, *args] + (["--model", self.model] if model else [])
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        if result.returncode < 0:
            failures.append(f"{' '.join(command)} died of signal {-result.returncode}")
        return result


def expect_failure(tool, args, code, needle, what, model=True, env=None):
    result = tool(*args, model=model, env=env)
    message = result.stderr.strip()
    check(result.returncode == code and needle in message and message.startswith("s2f: ")
          and "Traceback" not in message,
          f"{what}: exit {result.returncode} (want {code}), stderr {message[:160]!r}")


def main():
    parser = argparse.ArgumentParser()
    for name in ("--s2f", "--library", "--source", "--samples"):
        parser.add_argument(name, required=True)
    parser.add_argument("--pipeline-example", default=None)
    args = parser.parse_args()
    wav_dir = os.path.join(args.samples, "Wav")
    if not os.path.isdir(wav_dir):
        print(f"SKIP: {wav_dir} is absent")
        return 77
    os.environ["S2F_LIBRARY"] = args.library
    sys.path.insert(0, os.path.join(args.source, "bindings", "python"))
    sys.path.insert(0, os.path.join(args.source, "tools"))
    import speech2face as s2f
    from reference import s2f_model

    clips = [os.path.join(wav_dir, name) for name in sorted(os.listdir(wav_dir))[:3]]
    face_dir = os.path.join(args.samples, "Face_ori")
    photos = [os.path.join(face_dir, name) for name in sorted(os.listdir(face_dir))[:6]] \
        if os.path.isdir(face_dir) else []
    face_model = os.path.join(args.source, "models", "face_encoder_faceapi.s2fm")
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)  # noqa: E731
        model = path("fixture.s2fm")
        parts = [os.path.join(args.source, "tests", "cli", "data", "voice_decoder.s2fm")]
        has_face_encoder = os.path.exists(face_model)
        if has_face_encoder:
            parts.append(face_model)
        s2f_model.merge(model, parts)
        tool = Tool(args.s2f, model)

        # --help / --version / usage errors
        result = subprocess.run([args.s2f, "--help"], capture_output=True, text=True)
        check(result.returncode == OK and "Exit status" in result.stdout and "3 an input file"
              in result.stdout, "s2f --help documents the exit codes")
        result = subprocess.run([args.s2f, "--version"], capture_output=True, text=True)
        check(result.returncode == OK and s2f.version() in result.stdout, "s2f --version")
        result = subprocess.run([args.s2f, "face", "--help"], capture_output=True, text=True)
        check(result.returncode == OK and "--landmarks" in result.stdout, "s2f face --help")
        expect_failure(tool, ["frobnicate"], USAGE, "unknown command", "unknown command")
        expect_failure(tool, ["face", clips[0]], USAGE, "-o FACE.png", "face without -o")
        expect_failure(tool, ["embed", "--sheet", "x.png", clips[0]], USAGE, "does not take",
                       "option of another command")
        expect_failure(tool, ["search", "-k", "0", "i", clips[0]], USAGE, "-k needs", "-k 0")

        # face
        result = tool("face", clips[0], "-o", path("face.png"), "--landmarks")
        check(result.returncode == OK and valid_png(path("face.png"), (56, 56)),
              f"face --landmarks writes a 56x56 PNG ({result.stderr.strip()})")
        result = tool("face", clips[0], "-o", path("face_plain.png"), "--segments")
        check(result.returncode == OK and valid_png(path("face_plain.png")), "face --segments")

        # spectrogram
        result = tool("spectrogram", clips[0], "-o", path("spec.png"), model=False)
        check(result.returncode == OK and valid_png(path("spec.png"), (598, 257)),
              "spectrogram writes a 598x257 PNG (time x frequency)")
        result = tool("spectrogram", clips[0], "-o", path("whole.png"), "--whole", model=False)
        check(result.returncode == OK and valid_png(path("whole.png")) and
              png_info(path("whole.png"))[1] == 257, "spectrogram --whole")

        # embed: text, JSON, .npy; .npy against the library called directly
        result = tool("embed", *clips)
        lines = result.stdout.strip().split("\n")
        check(result.returncode == OK and len(lines) == 3 and all(
            len(line.split("\t")[1].split()) == 128 for line in lines), "embed: 3 lines of 128 values")
        result = tool("embed", "--json", *clips)
        try:
            parsed = json.loads(result.stdout)
            check(result.returncode == OK and [r["file"] for r in parsed] == clips and
                  all(len(r["feature"]) == 128 for r in parsed), "embed --json is valid JSON")
        except ValueError as error:
            check(False, f"embed --json is valid JSON ({error})")
            parsed = None
        result = tool("embed", "--npy", path("features.npy"), *clips)
        features = np.load(path("features.npy")) if result.returncode == OK else None
        # --threads 3: three files at a time (one pipeline per thread), the same rows in order
        result = tool("embed", "--threads", "3", "--npy", path("features3.npy"), *clips)
        check(result.returncode == OK and features is not None and np.array_equal(
            np.load(path("features3.npy")), features), "embed --threads 3 gives the same rows")
        check(features is not None and features.shape == (3, 128) and features.dtype == np.float32,
              "embed --npy writes a (3, 128) float32 .npy")
        if features is not None:
            import soundfile
            with s2f.Model(model) as loaded, s2f.VoiceEncoder(loaded) as encoder:
                direct = []
                for clip in clips:
                    samples, rate = soundfile.read(clip, dtype="float32")
                    direct.append(encoder.encode_pcm(samples, rate))
            check(np.array_equal(features, np.stack(direct)),
                  "embed --npy equals the library called directly, bit for bit")
            text_values = np.array([[np.float32(v) for v in line.split("\t")[1].split()]
                                    for line in lines], dtype=np.float32)
            check(np.array_equal(text_values, features), "text output reads back to the same floats")
            if parsed:
                check(np.array_equal(np.array([r["feature"] for r in parsed], np.float32), features),
                      "JSON output reads back to the same floats")
        result = tool("embed", "--segments", "--npy", path("segments.npy"), clips[0])
        check(result.returncode == OK and np.load(path("segments.npy")).shape == (1, 128),
              "embed --segments")

        # embed-face, gallery, search (need the face encoder)
        if has_face_encoder and photos:
            result = tool("embed-face", "--npy", path("faces.npy"), *photos[:2])
            check(result.returncode == OK and np.load(path("faces.npy")).shape == (2, 128),
                  "embed-face --npy (JPEG crops)")
            index = path("gallery.s2fi")
            result = tool("gallery", "build", index, *photos[:4])
            check(result.returncode == OK and os.path.exists(index) and
                  len(open(index + ".names").read().splitlines()) == 4, "gallery build: 4 faces")
            result = tool("gallery", "add", index, *photos[4:6])
            names = open(index + ".names").read().splitlines()
            check(result.returncode == OK and [n.split("\t")[0] for n in names] ==
                  ["0", "1", "2", "3", "4", "5"], "gallery add: ids 4 and 5")
            with s2f.FaceIndex.load(index) as loaded:
                check(len(loaded) == 6 and loaded.dim == 128, "the index holds 6 128-D faces")
            result = tool("search", index, clips[0], "-k", "3", "--json", "--sheet", path("sheet.png"))
            try:
                found = json.loads(result.stdout)
                ok = (result.returncode == OK and len(found["results"]) == 3 and
                      [r["rank"] for r in found["results"]] == [1, 2, 3] and
                      all(os.path.exists(r["file"]) for r in found["results"]))
            except ValueError:
                ok = False
            check(ok, f"search --json: 3 ranked results with files ({result.stderr.strip()[:100]})")
            check(valid_png(path("sheet.png"), (4 * TILE + 5 * GAP, ROW + GAP)),
                  "search --sheet: face + 3 photos, labels under each")
            if ok:
                font = read_font(args.source)
                expected = [[["voice", os.path.basename(clips[0])]] +
                            [[f"#{r['rank']} {r['score']:.3f}", os.path.basename(r["file"])]
                             for r in found["results"]]]
                check(sheet_labels_match(path("sheet.png"), font, expected),
                      "search --sheet labels: 'voice' + the clip's name, then rank, score "
                      "and file name under each photo")
            if ok:
                query = np.load(path("features.npy"))[0]
                with s2f.FaceIndex.load(index) as loaded:
                    scores, ids = loaded.search(query, 3)
                check([r["id"] for r in found["results"]] == ids.tolist() and
                      np.array_equal(np.array([r["score"] for r in found["results"]], np.float32),
                                     scores), "search results equal FaceIndex.search")
            result = tool("search", index, clips[0], "-k", "2")
            check(result.returncode == OK and len(result.stdout.strip().split("\n")) == 2,
                  "search text output")
            # several voices: a JSON array of the single-voice objects, one sheet row each,
            # text lines prefixed with the voice
            single = [json.loads(tool("search", index, c, "-k", "3", "--json").stdout)
                      for c in clips[:2]]
            result = tool("search", index, clips[0], clips[1], "-k", "3", "--json", "--sheet",
                          path("sheet2.png"))
            try:
                several = json.loads(result.stdout)
            except ValueError:
                several = None
            check(result.returncode == OK and several == single,
                  "search of two voices: a JSON array equal to the two single searches")
            check(valid_png(path("sheet2.png"), (4 * TILE + 5 * GAP, 2 * ROW + GAP)),
                  "search --sheet of two voices: one row each")
            lines = tool("search", index, clips[0], clips[1], "-k", "2").stdout.strip().split("\n")
            check(len(lines) == 4 and lines[0].startswith(clips[0] + "\t1\t")
                  and lines[2].startswith(clips[1] + "\t1\t"),
                  "search of two voices: text lines start with their voice")
            # a corrupted index: clear message, exit 3, and `gallery add` does not touch it
            bad = path("bad.s2fi")
            blob = bytearray(open(index, "rb").read())
            blob[len(blob) // 2] ^= 0xFF
            open(bad, "wb").write(blob)
            expect_failure(tool, ["search", bad, clips[0]], BAD_INPUT, "cannot load index",
                           "search on a corrupted index")
            expect_failure(tool, ["gallery", "add", bad, photos[0]], BAD_INPUT,
                           "cannot load index", "gallery add to a corrupted index")
            check(open(bad, "rb").read() == bytes(blob), "the corrupted index is left as it was")
            expect_failure(tool, ["search", path("none.s2fi"), clips[0]], BAD_INPUT, "S2F_ERR_IO",
                           "search on a missing index")
            expect_failure(tool, ["embed-face", clips[0]], BAD_INPUT, "not a PNG or JPEG",
                           "embed-face on an audio file")
            strip = path("strip.png")
            write_png(strip, 100000, 1)
            expect_failure(tool, ["embed-face", strip], BAD_INPUT, "strip.png",
                           "a 100000x1 photo is unusable input (exit 3)")
            expect_failure(tool, ["gallery", "build", path("g2.s2fi"), photos[0], path("nope.jpg")],
                           BAD_INPUT, "nope.jpg", "gallery build with a missing photo")
            check(not os.path.exists(path("g2.s2fi")), "a failed gallery build writes nothing")
        else:
            print("skip embed-face/gallery/search: no face encoder model in the tree")
        expect_failure(Tool(args.s2f, parts[0]), ["embed-face", photos[0] if photos else clips[0]],
                       BAD_INPUT, "no face_encoder component", "embed-face with a model lacking it")

        # "-" is standard output: -o - writes the PNG, --npy - the array, and no file named "-"
        here, s2f_abs = os.getcwd(), os.path.abspath(args.s2f)
        os.chdir(tmp)
        try:
            piped = subprocess.run([s2f_abs, "face", clips[0], "-o", "-", "--model", model],
                                   capture_output=True, timeout=300)
            check(piped.returncode == OK and piped.stdout[:8] == b"\x89PNG\r\n\x1a\n"
                  and not os.path.exists("-"), "face -o - writes the PNG to standard output")
            piped = subprocess.run([s2f_abs, "embed", "--npy", "-", clips[0], "--model", model],
                                   capture_output=True, timeout=300)
            import io
            array = np.load(io.BytesIO(piped.stdout)) if piped.returncode == OK else None
            check(array is not None and array.shape == (1, 128) and not os.path.exists("-"),
                  "embed --npy - writes the .npy to standard output")
        finally:
            os.chdir(here)
        # the progress bar: count, rate and time left on a terminal; nothing when stderr is not one
        import pty
        leader, follower = pty.openpty()
        process = subprocess.Popen([args.s2f, "embed", clips[0], clips[1], "--model", model],
                                   stdout=subprocess.DEVNULL, stderr=follower)
        process.wait(timeout=300)
        os.close(follower)
        drawn = b""
        try:
            while True:
                chunk = os.read(leader, 4096)
                if not chunk:
                    break
                drawn += chunk
        except OSError:
            pass
        os.close(leader)
        check(b"2/2" in drawn and b"/s, " in drawn and b"left" in drawn,
              f"the progress bar on a terminal shows count, rate and time left ({drawn[-60:]!r})")
        quiet = tool("embed", clips[0], clips[1])
        check(quiet.returncode == OK and quiet.stderr == "", "no progress bar when stderr is a pipe")
        # "-" as an input is standard input, read whole first, so seeking decoders (FLAC, Ogg)
        # work from a pipe
        ogg = path("clip.ogg")
        soundfile.write(ogg, samples, rate, format="OGG", subtype="VORBIS")
        for source in (clips[0], ogg):
            direct = tool("embed", source)
            with open(source, "rb") as stream:
                piped = subprocess.run([args.s2f, "embed", "-", "--model", model], stdin=stream,
                                       capture_output=True, text=True, timeout=300)
            check(direct.returncode == OK and piped.returncode == OK and
                  piped.stdout.split("\t")[1] == direct.stdout.split("\t")[1],
                  f"a piped {os.path.splitext(source)[1]} gives the file's feature "
                  f"({piped.stderr.strip()[:80]!r})")

        # --json is valid UTF-8 JSON whatever the file names' bytes
        import shutil
        latin1 = os.path.join(os.fsencode(tmp), b"caf\xe9 \xff.flac")
        utf8 = os.path.join(tmp, "caf\u00e9 \u00e9t\u00e9.flac")
        shutil.copyfile(clips[0], latin1)
        shutil.copyfile(clips[0], utf8)
        raw = subprocess.run([os.fsencode(args.s2f), b"embed", b"--json", latin1, os.fsencode(utf8),
                              b"--model", os.fsencode(model)], capture_output=True, timeout=300)
        try:
            parsed = json.loads(raw.stdout.decode("utf-8"))
            names = [entry["file"] for entry in parsed]
        except ValueError as error:
            names = [f"invalid: {error}"]
        check(raw.returncode == OK and len(names) == 2 and names[0].endswith("caf\ufffd \ufffd.flac")
              and names[1] == utf8, f"--json escapes non-UTF-8 file names ({names})")
        result = tool("gallery", "--help", model=False)
        check(result.returncode == OK and "gallery build" in result.stdout
              and "gallery add" in result.stdout, "gallery --help lists build and add")

        # examples/minimal_pipeline.c (s2f_pipeline in a few calls) draws the tool's face
        if args.pipeline_example:
            example_png, tool_png = path("example.png"), path("tool.png")
            example = subprocess.run([args.pipeline_example, clips[0], example_png, model],
                                     capture_output=True, text=True, timeout=300)
            tool("face", clips[0], "-o", tool_png)
            check(example.returncode == OK and os.path.exists(tool_png) and
                  open(example_png, "rb").read() == open(tool_png, "rb").read(),
                  f"minimal_pipeline's face equals s2f face's, byte for byte ({example.stderr[:80]!r})")

        # audio headers are not trusted: a FLAC whose STREAMINFO says 0 samples ("unknown", as a
        # streamed encoder writes) reads in full; one claiming 2^30 reads in full within 1 GiB
        # of address space (v0.1 refused the first and allocated 4 GiB for the second)
        import resource
        import soundfile
        samples, rate = soundfile.read(clips[0], dtype="float32")
        honest = path("honest.flac")
        soundfile.write(honest, samples, rate, subtype="PCM_16")
        expected = tool("embed", honest)
        for name, total in (("unknown", 0), ("claims_2^30", 1 << 30)):
            lying = path(name + ".flac")
            write_flac_total(honest, lying, total)
            limited = lambda: resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # noqa: E731
            command = [args.s2f, "embed", "--model", model, lying]
            result = subprocess.run(command, capture_output=True, text=True, preexec_fn=limited,
                                    env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), timeout=300)
            check(result.returncode == OK and expected.returncode == OK and
                  result.stdout.split("\t")[1] == expected.stdout.split("\t")[1],
                  f"a FLAC whose header says {name} frames gives the honest file's feature "
                  f"(exit {result.returncode}, {result.stderr.strip()[:120]!r})")

        # bad input
        expect_failure(tool, ["embed", path("missing.wav")], BAD_INPUT, "missing.wav",
                       "embed on a missing file")
        junk = path("junk.wav")
        open(junk, "wb").write(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk" * 10)
        expect_failure(tool, ["face", junk, "-o", path("junk.png")], BAD_INPUT, "junk.wav",
                       "face on unreadable audio")
        check(not os.path.exists(path("junk.png")), "no output for unreadable audio")
        # too little speech: refused with the measurement, unless --force
        import wave
        for name, frames in (("silence", b"\x00\x00" * 16000 * 6), ("blip", b"\x00\x10" * 1600)):
            with wave.open(path(name + ".wav"), "wb") as w:
                w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(frames)
            expect_failure(tool, ["face", path(name + ".wav"), "-o", path(name + ".png")], BAD_INPUT,
                           "S2F_ERR_NO_SPEECH", f"face on {name}")
            check(not os.path.exists(path(name + ".png")), f"no face for {name}")
            expect_failure(tool, ["embed", clips[0], path(name + ".wav")], BAD_INPUT, "s of speech",
                           f"embed with {name} among real clips")
            expect_failure(tool, ["embed", "--threads", "2", clips[0], path(name + ".wav"),
                                  clips[1]], BAD_INPUT, "s of speech",
                           f"embed --threads 2 with {name} among real clips")
            forced = tool("face", "--force", path(name + ".wav"), "-o", path(name + ".png"))
            check(forced.returncode == OK and os.path.getsize(path(name + ".png")) > 0,
                  f"face --force on {name} draws a face ({forced.stderr.strip()[:80]!r})")
        check("--force" in tool("face", "--help", model=False).stdout, "face --help lists --force")
        expect_failure(tool, ["spectrogram", junk, "-o", path("junk.png")], BAD_INPUT, "junk.wav",
                       "spectrogram on unreadable audio", model=False)
        expect_failure(Tool(args.s2f, clips[0]), ["embed", clips[0]], BAD_INPUT,
                       "cannot load model", "an audio file as the model")
        expect_failure(Tool(args.s2f, path("absent.s2fm")), ["embed", clips[0]], BAD_INPUT,
                       "S2F_ERR_IO", "a missing model")
        truncated = path("truncated.s2fm")
        open(truncated, "wb").write(open(model, "rb").read()[:5000])
        expect_failure(Tool(args.s2f, truncated), ["embed", clips[0]], BAD_INPUT, "S2F_ERR_",
                       "a truncated model")
        env = dict(os.environ, S2F_MODEL=path("absent.s2fm"))
        expect_failure(tool, ["embed", clips[0]], BAD_INPUT, "from S2F_MODEL", "S2F_MODEL is used",
                       model=False, env=env)
        env = dict(os.environ, S2F_MODEL=model)
        check(tool("embed", clips[0], model=False, env=env).returncode == OK,
              "S2F_MODEL picks the model when --model is absent")
        expect_failure(tool, ["embed", "--npy", os.path.join(tmp, "no", "dir", "x.npy"), clips[0]],
                       RUNTIME, "cannot write", "unwritable output")

    print(f"{len(failures)} failure(s)" if failures else "all CLI checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
