#!/usr/bin/python3
"""Runs every command and snippet of docs/tutorial.md, in order, in the setting the page
describes: a scratch directory where `speaker.flac` is a shared clip, `photos/` holds shared face
crops, `more/` a few PNG crops, `default.s2fm` the shipped model, `tools/` and `models/` those of
the clone, and `s2f` on PATH. Shell blocks run line by line with bash; Python blocks run one after
another in one interpreter (later snippets use earlier names, as a reader would). Then the files
the page says each step writes are checked.

The lines of §4 need inputs a reader brings (their PyTorch weights, face-api from npm, VGG-Face):
the runner makes the first two from the reference modules (random weights in the documented
format) and fetches face-api with tools/convert/fetch_face_api.sh (npm, cached in build-faceapi/). The
VGG-Face line is skipped (a 550 MB state dict); face-api's, and the lines that need its output,
are skipped only when npm cannot fetch it. Each skip prints its reason.

    run_tutorial.py --source SRC --build BUILD --samples ../shared/data/s2f-samples/avspeech

Exit 0 when everything ran and checked, 1 on any failure, 77 when the samples are missing.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def code_blocks(markdown):
    """[(language, text)] of the fenced blocks, in page order."""
    return [(m.group(1), m.group(2)) for m in
            re.finditer(r"^```(\w*)\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL)]


def make_scratch(root, source, samples, faceapi_modules):
    """The reader's directory the tutorial assumes."""
    wav = sorted(f for f in os.listdir(os.path.join(samples, "Wav")) if f.endswith(".flac"))
    faces = sorted(f for f in os.listdir(os.path.join(samples, "Face_ori"))
                   if f.endswith(".jpg"))
    os.symlink(os.path.join(samples, "Wav", wav[0]), os.path.join(root, "speaker.flac"))
    os.mkdir(os.path.join(root, "photos"))
    for name in faces[:8]:
        os.symlink(os.path.join(samples, "Face_ori", name), os.path.join(root, "photos", name))
    os.mkdir(os.path.join(root, "more"))
    from PIL import Image
    for name in faces[8:10]:
        Image.open(os.path.join(samples, "Face_ori", name)).save(
            os.path.join(root, "more", name[:-4] + ".png"))
    for name in ("tools", "models"):
        os.symlink(os.path.join(source, name), os.path.join(root, name))
    os.symlink(os.path.join(source, "models", "default.s2fm"), os.path.join(root, "default.s2fm"))
    if faceapi_modules:
        os.symlink(faceapi_modules, os.path.join(root, "node_modules"))


def make_reader_weights(root, source, env):
    """§4's voice.pt/voice.json and decoder.pt/decoder.json: the reference modules' state dicts
    (random weights) and configurations written as the page says."""
    script = f"""
import json, sys, torch
sys.path.insert(0, {os.path.join(source, 'tools')!r})
from reference.voice_encoder import VoiceEncoder, VoiceEncoderConfig
from reference.face_decoder import FaceDecoder, FaceDecoderConfig
torch.manual_seed(0)
voice = {{"fc_dims": [256, 128]}}
decoder = {{"feature_dim": 128, "upsample_channels": [32, 16, 8]}}
torch.save(VoiceEncoder(VoiceEncoderConfig(**voice)).eval().state_dict(), "voice.pt")
torch.save(FaceDecoder(FaceDecoderConfig(**decoder)).eval().state_dict(), "decoder.pt")
json.dump(voice, open("voice.json", "w"))
json.dump(decoder, open("decoder.json", "w"))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=env,
                            capture_output=True, text=True)
    check(result.returncode == 0, "§4 fixtures: reference-module weights and configurations "
          f"written ({result.stderr.strip()[-300:]})")


def fetch_face_api(source):
    """face-api's node_modules, fetched (or found cached) by tools/convert/fetch_face_api.sh; '' when
    node/npm or the registry is missing."""
    try:
        return subprocess.run([os.path.join(source, "tools", "convert", "fetch_face_api.sh"),
                               os.path.join(source, "build-faceapi")], check=True,
                              capture_output=True, text=True, timeout=600).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        print(f"note: face-api could not be fetched: {str(error)[-300:]}")
        return ""


def skip_reason(line, root):
    if "vgg_face.pt" in line:
        return "needs a VGG-Face state dict (550 MB) the reader brings"
    if "node_modules/@vladmandic/face-api" in line and not os.path.exists(
            os.path.join(root, "node_modules")):
        return "face-api could not be fetched (tools/convert/fetch_face_api.sh)"
    # Lines that read what a skipped line would have written.
    needs = {" merge ": "faces.s2fm", "--model my-model.s2fm": "my-model.s2fm"}
    for marker, made_above in needs.items():
        if marker in line and not os.path.exists(os.path.join(root, made_above)):
            return f"{made_above} was not made above"
    return None


def run_shell_block(text, root, env):
    for line in text.splitlines():
        if not line.strip():
            continue
        reason = skip_reason(line, root)
        if reason:
            print(f"skip {line.strip()}: {reason}")
            continue
        result = subprocess.run(["bash", "-c", line], cwd=root, env=env, capture_output=True,
                                text=True, timeout=900)
        check(result.returncode == 0,
              f"$ {line.strip()}" + ("" if result.returncode == 0 else
                                     f" (exit {result.returncode}: {result.stderr.strip()[-300:]})"))


def run_python_blocks(blocks, root, env):
    """All Python snippets in one interpreter, in order; each reports separately."""
    driver = """
import json, sys, traceback
namespace = {"__name__": "__tutorial__"}
for number, code in enumerate(json.load(sys.stdin)):
    try:
        exec(compile(code, f"<tutorial python block {number + 1}>", "exec"), namespace)
        print(f"ok   python block {number + 1}")
    except Exception:
        print(f"FAIL python block {number + 1}")
        traceback.print_exc(file=sys.stdout)
print("shapes", json.dumps({name: list(getattr(namespace.get(name), "shape", ()))
                            for name in ("face", "rgb", "feature", "gallery", "scores", "ids")}))
"""
    result = subprocess.run([sys.executable, "-c", driver], input=json.dumps(blocks), cwd=root,
                            env=env, capture_output=True, text=True, timeout=900)
    print(result.stdout.rstrip())
    shapes = {}
    for line in result.stdout.splitlines():
        if line.startswith("FAIL "):
            failures.append(line[5:])
        if line.startswith("shapes "):
            shapes = json.loads(line[len("shapes "):])
    check(result.returncode == 0 and shapes, "python snippets ran to the end "
          f"({result.stderr.strip()[-300:]})")
    return shapes


def main():
    parser = argparse.ArgumentParser()
    for name in ("--source", "--build", "--samples"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    source, build = os.path.abspath(args.source), os.path.abspath(args.build)
    samples = os.path.abspath(args.samples)
    if not os.path.isdir(os.path.join(samples, "Wav")):
        print(f"SKIP: no shared samples at {samples}")
        return 77
    faceapi = fetch_face_api(source)
    blocks = code_blocks(open(os.path.join(source, "docs", "tutorial.md")).read())
    check(len(blocks) >= 6, f"docs/tutorial.md has its code blocks ({len(blocks)})")

    env = dict(os.environ)
    env["PATH"] = os.path.join(build, "examples", "s2f") + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = os.path.join(source, "bindings", "python")
    env["S2F_LIBRARY"] = os.path.join(build, "lib", "libspeech2face.so")
    env.pop("S2F_MODEL", None)
    with tempfile.TemporaryDirectory(prefix="s2f-tutorial-") as root:
        make_scratch(root, source, samples, faceapi)
        make_reader_weights(root, source, env)
        for language, text in blocks:
            if language == "":
                run_shell_block(text, root, env)
        shapes = run_python_blocks([text for language, text in blocks if language == "python"],
                                   root, env)

        # What the page says each step gives.
        import numpy as np
        from PIL import Image

        def image_size(name):
            try:
                return Image.open(os.path.join(root, name)).size
            except OSError:
                return None
        check(image_size("face.png") is not None, "§2 s2f face wrote face.png")
        check(image_size("spec.png") in ((598, 257), (257, 598)),
              f"§2 spec.png is 598 × 257 ({image_size('spec.png')})")
        feature_path = os.path.join(root, "feature.npy")
        check(os.path.exists(feature_path) and np.load(feature_path).shape == (1, 128),
              "§2 feature.npy is 1 × 128")
        check(shapes.get("face") == [112, 112, 3], f"§2 decode_u8 gives (112, 112, 3) for the "
              f"shipped model, as the comment says ({shapes.get('face')})")
        names = os.path.join(root, "people.s2fi.names")
        check(os.path.exists(names) and len(open(names).read().splitlines()) == 10,
              "§3 gallery build + add: 8 + 2 faces named")
        check(image_size("top5.png") is not None, "§3 search --sheet wrote top5.png")
        check(shapes.get("scores") == [5] and shapes.get("ids") == [5],
              f"§3 index.search(feature, k=5) gives 5 scores and ids ({shapes})")
        check(image_size("face.png") is not None and os.path.exists(
            os.path.join(root, "my-model.s2fm")), "§4 merged my-model.s2fm drew a face")
    print(f"{len(failures)} failure(s)" if failures else "the tutorial runs as written")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
