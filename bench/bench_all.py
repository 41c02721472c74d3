#!/usr/bin/python3
"""Issue 10's benchmark: libspeech2face against PyTorch 1.13 and ONNX Runtime, in one run.

    /usr/bin/python3 bench/bench_all.py [--build build] [--repeats 5] [--threads 1,2]
        [--voice-batch 8] [--encoder-batch 32] [--only voice,decoder,encoder,spectrogram,sgemm,conv] [--quick] [--no-ort]
        [--doc docs/performance-bench.md]

Every contender runs the same network with the same weights on the same input, in its own
process, one after another for each row and thread count (interleaved, so load on the machine
hits all of them alike); each reports the median of --repeats runs after one warm-up:

* ours: the C drivers of bench/ (public API; OPENBLAS_NUM_THREADS=n, which the library never
  sets), one JSON line each;
* PyTorch: the reference modules of tools/reference, torch.set_num_threads(n),
  torch.inference_mode(), in a worker process of this script (OPENBLAS_NUM_THREADS=1 there:
  see Contenders.python);
* ONNX Runtime: bench/ort_runner.js on onnxruntime-node, the model exported from the same
  PyTorch module by torch.onnx.export (opset 17), intraOpNumThreads=n, interOpNumThreads=1,
  graphOptimizationLevel 'all'. The npm package is installed into build-bench/ on first use.

Each network's outputs from ours and from ORT are checked once against PyTorch's (max |Δ| /
max |reference|). Also measured: cblas_sgemm GFLOP/s on a large square GEMM (the machine's
practical peak) and our GFLOP/s per conv layer of the paper voice encoder against that peak.
Prints markdown tables and writes them with the machine description to --doc.
--quick (repeats 3, a voice batch of 2, a 2048 GEMM) is a smoke test of the whole harness.
"""
import argparse
import contextlib
import ctypes
import datetime
import gc
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import time
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
sys.path.insert(0, TOOLS)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from reference import s2f_model  # noqa: E402
from reference import spectrogram_ref  # noqa: E402
from convert.convert_face_decoder import face_decoder_parts  # noqa: E402
from convert.convert_voice_encoder import voice_encoder_parts  # noqa: E402
from goldens.gen_face_decoder_goldens import CONFIGS as DECODER_CONFIGS  # noqa: E402
from goldens.gen_face_encoder_goldens import synthetic_image  # noqa: E402
from goldens.gen_voice_goldens import CONFIGS as VOICE_CONFIGS, DEFAULT_CLIPS  # noqa: E402
from reference import face_decoder, face_recognition_net, voice_encoder  # noqa: E402

ONNX_OPSET = 17  # the newest torch 1.13 exports
ORT_VERSION = "1.30.0"
ORT_RUNNER = os.path.join(ROOT, "bench", "ort_runner.js")
SPEECH_DATA = os.path.join(ROOT, "..", "shared", "data", "s2f-samples", "avspeech")
ROW_KEYS = ["voice", "decoder", "encoder", "spectrogram", "sgemm", "conv"]
FRAMES = 598  # 6 s at the paper's 10 ms hop


# ----- small helpers ------------------------------------------------------------------------

def log(message):
    print(message, file=sys.stderr, flush=True)


def run_json(argv, threads, env=None):
    """Runs one contender process with OPENBLAS_NUM_THREADS=threads (which ours reads) unless
    `env` says otherwise, and returns its JSON line."""
    full_env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    full_env.update(env or {})
    done = subprocess.run(argv, env=full_env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_calls(fn, repeats):
    """One warm-up call, then `repeats` timed ones: median (the upper one for even counts, as the
    C drivers and the ORT runner take it) and min, in ms."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return {"median_ms": times[len(times) // 2], "min_ms": times[0], "repeats": repeats}


def flat_outputs(outputs):
    """A module's output(s) as one float32 vector, outputs concatenated in order: the layout in
    which the C drivers and the ORT runner write theirs."""
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    return np.concatenate([o.detach().contiguous().numpy().ravel().astype(np.float32)
                           for o in outputs])


def max_rel_diff(path, reference):
    """max |output - reference| / max |reference|, the output read from a raw float32 file."""
    values = np.fromfile(path, dtype=np.float32)
    if values.shape != reference.shape:
        return float("inf")
    return float(np.max(np.abs(values - reference)) / np.max(np.abs(reference)))


def count_flops(module, x):
    """Multiply-adds × 2 of the convolutions and linear layers for one forward pass of `x`,
    counted by forward hooks. A transposed convolution counts every input pixel × kernel tap
    (what its GEMM computes), the cropped border included."""
    total = 0

    def hook(layer, inputs, output):
        nonlocal total
        if isinstance(layer, nn.Linear):
            total += 2 * output.numel() * layer.in_features
        elif isinstance(layer, nn.Conv2d):
            total += 2 * output.numel() * layer.in_channels * layer.weight[0, 0].numel()
        elif isinstance(layer, nn.ConvTranspose2d):
            total += 2 * inputs[0].numel() * layer.out_channels * layer.weight[0, 0].numel()

    handles = [m.register_forward_hook(hook) for m in module.modules()
               if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    with torch.inference_mode():
        module(x)
    for handle in handles:
        handle.remove()
    return total


@contextlib.contextmanager
def constant_pad_sizes():
    """While exporting: torch.onnx traces Python arithmetic on tensor sizes, and exports the
    floor division of a negated size in tf_same_pad (-(-size // stride)) as ONNX's truncating
    Div, which pads stride-2 convolutions wrongly. int() turns each size into a constant (time
    and frequency sizes are fixed per input; the batch dimension stays dynamic)."""
    modules = [voice_encoder, face_recognition_net]
    originals = [m.tf_same_pad for m in modules]
    for module, original in zip(modules, originals):
        module.tf_same_pad = lambda size, k, s, f=original: f(int(size), k, s)
    try:
        yield
    finally:
        for module, original in zip(modules, originals):
            module.tf_same_pad = original


def export_onnx(module, x, path):
    with warnings.catch_warnings(), constant_pad_sizes():
        warnings.simplefilter("ignore")  # tracer warnings about the constant sizes
        torch.onnx.export(module, (x,), path, opset_version=ONNX_OPSET, input_names=["input"],
                          dynamic_axes={"input": {0: "batch"}})


def with_weights(module, path):
    """`module` with the state dict that `build` saved, in inference mode."""
    module.load_state_dict(torch.load(path))
    return module.eval()


def write_container(path, parts, provenance):
    metadata, tensors = parts
    metadata["general.architecture"] = "speech2face"
    metadata["general.provenance"] = f"bench/bench_all.py: {provenance}; random weights"
    s2f_model.write_model(path, metadata, tensors)


def speech_clip():
    """6 s of 16 kHz speech: the first AVSpeech clip of tools/goldens/gen_voice_goldens.py, tiled to 6 s
    by the paper's clip rule; seeded noise where the shared data is missing (speed does not
    depend on the content)."""
    path = os.path.join(SPEECH_DATA, "Wav", DEFAULT_CLIPS[0] + ".flac")
    if os.path.exists(path):
        import soundfile
        samples, rate = soundfile.read(path, dtype="float32")
        assert rate == 16000, f"{path}: {rate} Hz"
    else:
        samples = (np.random.default_rng(1).standard_normal(96000) * 0.1).astype(np.float32)
    return spectrogram_ref.clip_signal(samples, spectrogram_ref.PAPER["clip_seconds"], 16000)


# ----- the networks ---------------------------------------------------------------------------
# Each network writes its files (our container, PyTorch weights, input) into the work directory
# once (`build`, in the main process), and the PyTorch worker reloads the module from there
# (`load`), so every contender sees the same weights and input.

class Network:
    key = ""
    driver = ""           # C driver in BUILD/bench
    min_repeats = 1       # rows of a few ms run more repeats: cheap, and steadier medians
    ort_note = None       # why ONNX Runtime cannot run it, or None
    reference = "torch"   # whose output the others are checked against

    def __init__(self, work, options):
        self.work, self.options = work, options

    def path(self, suffix):
        return os.path.join(self.work, f"{self.key}{suffix}")

    def prepare(self):
        """Writes every contender's files: ours, PyTorch's, the ONNX export, and PyTorch's
        output for batch 1 (OUTPUT.torch.f32). Returns the FLOPs of one item (0: none counted)."""
        module = self.build()
        x = self.torch_input(1)
        with torch.inference_mode():
            flat_outputs(module(x)).tofile(self.output_path("torch"))
        flops = count_flops(module, x)
        if self.ort_note is None:
            export_onnx(module, x, self.path(".onnx"))
        return flops

    def output_path(self, contender):
        """Where a contender's batch-1 output goes for the correctness check."""
        return self.path(f".{contender}.f32")

    def extra_peers(self):
        """Other contenders, {name: zero-argument callable}, timed in the PyTorch worker."""
        return {}

    def note(self, measured):
        return f"ORT n/a: {self.ort_note}" if self.ort_note else ""

    def title(self, batch):
        """The row's name in the table."""
        raise NotImplementedError

    def build(self):
        """Writes our model and the input into the work directory; returns the PyTorch module
        with the same weights (saved for `load` where it is not read from our model)."""
        raise NotImplementedError

    def load(self):
        """The PyTorch module `build` made, reloaded from the work directory."""
        raise NotImplementedError

    def torch_input(self, batch):
        raise NotImplementedError

    def driver_args(self, repeats, batch):
        """Our C driver's arguments (the output path, when wanted, comes last)."""
        raise NotImplementedError


class VoiceEncoderNet(Network):
    key = "voice"
    driver = "voice_encoder_bench"
    seed = 7

    def config(self):
        return VOICE_CONFIGS[self.options["voice_config"]]

    def title(self, batch):
        clips = "one 6 s clip" if batch == 1 else f"batch of {batch} × 6 s"
        return f"voice encoder '{self.options['voice_config']}', {clips}"

    def build(self):
        module = voice_encoder.randomize_(voice_encoder.VoiceEncoder(self.config()),
                                          torch.Generator().manual_seed(self.seed))
        write_container(self.path(".s2fm"), voice_encoder_parts(module),
                        f"voice encoder '{self.options['voice_config']}', seed {self.seed}")
        torch.save(module.state_dict(), self.path(".pt"))
        np.save(self.path(".input.npy"), spectrogram_ref.spectrogram(speech_clip())[None])
        return module

    def load(self):
        return with_weights(voice_encoder.VoiceEncoder(self.config()), self.path(".pt"))

    def torch_input(self, batch):
        clip = np.load(self.path(".input.npy"))[:1]
        return torch.from_numpy(np.ascontiguousarray(np.repeat(clip, batch, axis=0)))

    def driver_args(self, repeats, batch):
        return [self.path(".s2fm"), self.path(".input.npy"), str(repeats), str(batch)]


class DecoderNetwork(nn.Module):
    """The face decoder up to the warp: feature → (texture NHWC, landmarks clamped to the
    image), what s2f_face_decoder_decode_texture returns. The spline warp (TF
    sparse_image_warp semantics, a dense linear solve per image) has no PyTorch or ONNX
    operator: the reference runs it in numpy float64, so no peer could time the same warp."""

    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, feature):
        texture, landmarks = self.decoder.forward_network(feature)
        return texture, self.decoder.clamp_landmarks(landmarks)


class FaceDecoderNet(Network):
    key = "decoder"
    driver = "face_decoder_bench"
    min_repeats = 11
    seed = 20170721

    def title(self, batch):
        return "face decoder, paper (4096-D → 224×224), network only"

    def build(self):
        generator = torch.Generator().manual_seed(self.seed)
        decoder = face_decoder.randomize_(face_decoder.FaceDecoder(DECODER_CONFIGS["paper"]),
                                          generator)
        write_container(self.path(".s2fm"), face_decoder_parts(decoder),
                        f"face decoder 'paper', seed {self.seed}")
        torch.save(decoder.state_dict(), self.path(".pt"))
        features = torch.randn((1, DECODER_CONFIGS["paper"].feature_dim), generator=generator)
        np.save(self.path(".input.npy"), features.numpy())
        return DecoderNetwork(decoder).eval()

    def load(self):
        decoder = with_weights(face_decoder.FaceDecoder(DECODER_CONFIGS["paper"]), self.path(".pt"))
        return DecoderNetwork(decoder).eval()

    def torch_input(self, batch):
        return torch.from_numpy(np.load(self.path(".input.npy"))[:1])

    def driver_args(self, repeats, batch):
        return [self.path(".s2fm"), self.path(".input.npy"), str(repeats)]

    def note(self, measured):
        return ("all time texture + clamped landmarks (no spline warp: no PyTorch/ONNX op); "
                f"ours incl. warp {fmt_ms(measured['ours']['decode_median_ms'])} ms")


class FaceEncoderNet(Network):
    key = "encoder"
    driver = "face_encoder_bench"
    min_repeats = 21
    model = os.path.join(ROOT, "models", "default.s2fm")

    def title(self, batch):
        photos = "one photo" if batch == 1 else f"batch of {batch} photos"
        return f"face encoder, face-api ResNet 150×150 (models/default.s2fm), {photos}"

    def build(self):
        np.save(self.path(".input.npy"), synthetic_image(1000, 150, 150))
        return self.load()

    def load(self):
        return face_recognition_net.load_container(self.model)[0]

    def torch_input(self, batch):
        image = np.load(self.path(".input.npy")).astype(np.float32)[None]
        return torch.from_numpy(np.ascontiguousarray(np.repeat(image, batch, axis=0)))

    def driver_args(self, repeats, batch):
        return [self.model, self.path(".input.npy"), str(repeats), str(batch)]


class TorchSpectrogram(nn.Module):
    """The paper's spectrogram with torch.stft, float32: periodic Hann window of 400 samples
    right-padded to the 512-point FFT (torch would centre it), hop 160, no centre padding, then
    sign(x)·|x|^0.3 on the real and imaginary parts; frames × bins × {re, im} like the library.
    The framing is spectrogram_ref.torch_crosscheck's."""

    def __init__(self):
        super().__init__()
        p = spectrogram_ref.PAPER
        window = np.zeros(p["fft_size"], dtype=np.float32)
        window[:p["window"]] = spectrogram_ref.periodic_hann(p["window"])
        self.register_buffer("window", torch.from_numpy(window))
        self.tail = p["fft_size"] - p["window"]

    def forward(self, pcm):
        p = spectrogram_ref.PAPER
        spec = torch.stft(F.pad(pcm, (0, self.tail)), n_fft=p["fft_size"], hop_length=p["hop"],
                          win_length=p["fft_size"], window=self.window, center=False,
                          return_complex=True).transpose(-1, -2)
        parts = torch.stack([spec.real, spec.imag], dim=-1)
        return torch.sign(parts) * parts.abs().pow(p["exponent"])


class SpectrogramNet(Network):
    key = "spectrogram"
    driver = "spectrogram_bench"
    min_repeats = 51
    ort_note = "torch 1.13 cannot export aten::stft to ONNX"
    reference = "numpy"

    def title(self, batch):
        return "spectrogram, 6 s at 16 kHz"

    def build(self):
        np.save(self.path(".input.npy"), speech_clip())
        return self.load()

    def load(self):
        return TorchSpectrogram().eval()

    def torch_input(self, batch):
        return torch.from_numpy(np.load(self.path(".input.npy")))

    def driver_args(self, repeats, batch):
        return [self.path(".input.npy"), str(repeats)]

    def extra_peers(self):
        pcm = np.load(self.path(".input.npy"))
        return {"numpy": lambda: spectrogram_ref.spectrogram(pcm)}

    def prepare(self):
        """The float64 oracle is the reference here: float32 FFTs (torch.stft) are off by up to
        ~4e-3 of the maximum where |^0.3 compression magnifies the rounding of near-zero bins."""
        flops = super().prepare()
        self.extra_peers()["numpy"]().ravel().tofile(self.output_path("numpy"))
        return flops

    def note(self, measured):
        numpy_ms = measured["numpy"]["median_ms"]
        return (f"{super().note(measured)}; numpy reference (float64) {fmt_ms(numpy_ms)} ms, "
                f"ours / numpy {measured['ours']['median_ms'] / numpy_ms:.2f}")


NETWORKS = [VoiceEncoderNet, FaceDecoderNet, FaceEncoderNet, SpectrogramNet]


def make_network(key, work, options):
    return next(n for n in NETWORKS if n.key == key)(work, options)


# ----- the PyTorch worker -----------------------------------------------------------------------

def torch_worker(spec):
    """Runs in a child process: times PyTorch (or an extra peer) on one network and prints one
    JSON line like the C drivers."""
    torch.set_num_threads(spec["threads"])
    network = make_network(spec["network"], spec["work"], spec["options"])
    if spec["contender"] == "torch":
        module, x = network.load(), network.torch_input(spec["batch"])
        fn = lambda: module(x)  # noqa: E731
    else:
        fn = network.extra_peers()[spec["contender"]]
    with torch.inference_mode():
        timing = time_calls(fn, spec["repeats"])
    timing["vm_hwm_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(timing))


# ----- contenders -------------------------------------------------------------------------------

class Contenders:
    """Runs each contender's process for one network, batch and thread count."""

    def __init__(self, args, work, ort_modules):
        self.args, self.work, self.ort_modules = args, work, ort_modules

    def ours(self, network, batch, threads, repeats, output):
        binary = os.path.join(self.args.build, "bench", network.driver)
        argv = [binary] + network.driver_args(repeats, batch) + ([output] if output else [])
        return run_json(argv, threads)

    def python(self, network, batch, threads, repeats, contender):
        """PyTorch's parallelism is its OpenMP pool of `threads` (torch.set_num_threads). The
        OpenBLAS it calls (Debian's build: linear layers, some convolutions) stays at 1 thread:
        its pthread pool does not coordinate with OpenMP's, and at 2 threads the two pools,
        both spinning between calls, oversubscribe the cores (face encoder 7x slower here)."""
        spec = {"network": network.key, "work": self.work, "options": network.options,
                "batch": batch, "threads": threads, "repeats": repeats, "contender": contender}
        return run_json([sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)],
                        threads, {"OPENBLAS_NUM_THREADS": "1"})

    def ort(self, network, batch, threads, repeats, output):
        x = network.torch_input(batch).numpy()
        input_path = network.path(f".input{batch}.f32")
        x.astype(np.float32).tofile(input_path)
        argv = ["node", ORT_RUNNER, network.path(".onnx"), input_path,
                ",".join(str(d) for d in x.shape), str(threads), str(repeats)]
        return run_json(argv + ([output] if output else []), threads,
                        {"NODE_PATH": self.ort_modules})


def ensure_onnxruntime(prefix):
    """node_modules holding onnxruntime-node, installed with npm into `prefix` (an ignored build
    directory) on first use; None when Node or npm is unavailable. The npm tarball carries
    libonnxruntime for linux-x64, so the package's download step is skipped."""
    modules = os.path.join(prefix, "node_modules")
    if os.path.exists(os.path.join(modules, "onnxruntime-node", "package.json")):
        return modules
    if not shutil.which("node") or not shutil.which("npm"):
        return None
    log(f"installing onnxruntime-node@{ORT_VERSION} into {prefix}")
    done = subprocess.run(["npm", "install", "--prefix", prefix, f"onnxruntime-node@{ORT_VERSION}"],
                          env=dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip"),
                          capture_output=True, text=True)
    return modules if done.returncode == 0 else None


def ort_version(modules):
    with open(os.path.join(modules, "onnxruntime-node", "package.json")) as f:
        return json.load(f)["version"]


# ----- measurement ------------------------------------------------------------------------------

def check_outputs(network, contenders):
    """max relative difference of each contender's batch-1 output from the reference's."""
    reference = np.fromfile(network.output_path(network.reference), dtype=np.float32)
    return {name: max_rel_diff(network.output_path(name), reference)
            for name in contenders if name != network.reference}


def measure_network(network, batches, contenders, args, ort_ok, checks):
    """Times every contender on `network` for each batch and thread count, interleaved.
    The first run at batch 1 writes ours' and ORT's outputs, checked against the reference."""
    rows = []
    t0 = time.perf_counter()
    flops = network.prepare()
    gc.collect()
    log(f"{network.key}: model files, input, ONNX export ready ({time.perf_counter() - t0:.0f} s)")
    repeats = max(args.repeats, network.min_repeats)
    use_ort = ort_ok and network.ort_note is None
    for batch in batches:
        for threads in args.threads:
            check = batch == 1 and threads == args.threads[0]
            out = {name: network.output_path(name) if check else None for name in ("ours", "ort")}
            measured = {"ours": contenders.ours(network, batch, threads, repeats, out["ours"]),
                        "torch": contenders.python(network, batch, threads, repeats, "torch")}
            if use_ort:
                measured["ort"] = contenders.ort(network, batch, threads, repeats, out["ort"])
            for peer in network.extra_peers():
                measured[peer] = contenders.python(network, batch, threads, repeats, peer)
            if check:
                checks[network.key] = check_outputs(network, [n for n in ("ours", "ort", "torch")
                                                              if n in measured])
                log(f"{network.key}: max |Δ| / max |{network.reference}|: " + ", ".join(
                    f"{n} {d:.1e}" for n, d in checks[network.key].items()))
            row = {"title": network.title(batch), "threads": threads, "measured": measured,
                   "flops": flops * batch, "note": network.note(measured)}
            if not use_ort and network.ort_note is None:
                row["note"] = "; ".join(filter(None, ["ORT not installed", row["note"]]))
            log("| " + " | ".join(network_row(row)) + " |")
            rows.append(row)
    return rows


def conv_layer_args(config):
    """conv_layers_bench's command line for a voice encoder config (VoiceEncoderConfig)."""
    lists = [config.conv_channels, config.conv_strides, config.pool_time]
    return [str(FRAMES), str(config.input_bins), str(config.input_channels), str(config.kernel),
            config.padding] + [",".join(str(v) for v in values) for values in lists]


def measure_blas(args, keys):
    """sgemm peak and per-layer conv speed, each thread count in turn (peak right before the
    layers it is compared with)."""
    results = {}
    for threads in args.threads:
        result = results[threads] = {}
        result["sgemm"] = run_json([os.path.join(args.build, "bench", "sgemm_bench"),
                                    str(args.gemm_size), str(args.repeats)], threads)
        log(f"sgemm {args.gemm_size}, {threads} thread(s): {result['sgemm']['gflops']:.1f} GFLOP/s")
        if "conv" in keys:
            argv = [os.path.join(args.build, "bench", "conv_layers_bench"), str(args.repeats)]
            result["conv"] = run_json(argv + conv_layer_args(VOICE_CONFIGS[args.voice_config]),
                                      threads)
            log(f"conv layers, {threads} thread(s): {result['conv']['total_median_ms']:.0f} ms")
    return results


# ----- report -----------------------------------------------------------------------------------

def fmt_ms(ms):
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def network_row(row):
    m, flops = row["measured"], row["flops"]
    ms = {name: m[name]["median_ms"] if name in m else None for name in ("ours", "torch", "ort")}
    cell = lambda v: fmt_ms(v) if v else "n/a"  # noqa: E731
    ratio = lambda peer: f"{ms['ours'] / ms[peer]:.2f}" if ms[peer] else "n/a"  # noqa: E731
    gflops = " / ".join(f"{flops / v / 1e6:.0f}" if v else "n/a" for v in ms.values()) \
        if flops else "—"
    ours = m["ours"]
    min_ratio = f"{ours['min_ms'] / m['ort']['min_ms']:.2f}" if ms["ort"] else "n/a"
    memory = f"{ours['vm_hwm_kb'] / 1024:.0f} ({ours['rss_anon_growth_kb'] / 1024:.0f})"
    ort_memory = f"{m['ort']['vm_hwm_kb'] / 1024:.0f}" if ms["ort"] else "n/a"
    return [row["title"], str(row["threads"]), cell(ms["ours"]), cell(ms["torch"]), cell(ms["ort"]),
            gflops, ratio("torch"), ratio("ort"), min_ratio, memory, ort_memory, row["note"]]


NETWORK_HEADER = ["row", "threads", "ours ms", "PyTorch ms", "ORT ms",
                  "GFLOP/s ours / PyTorch / ORT", "ours / PyTorch", "ours / ORT",
                  "ours / ORT, fastest runs", "ours peak RSS MB (anon growth)",
                  "ORT peak RSS MB", "notes"]


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def sgemm_table(blas, n):
    rows = [[str(t), str(n), fmt_ms(r["sgemm"]["median_ms"]), f"{r['sgemm']['gflops']:.1f}"]
            for t, r in blas.items()]
    return markdown_table(["threads", "N", "ms", "GFLOP/s"], rows)


def conv_table(blas):
    """Per-layer GFLOP/s, 2·out_h·out_w·cout·cin·kh·kw per layer (the direct convolution's work,
    whatever algorithm runs it), against the sgemm peak at the same thread count."""
    runs = {t: r for t, r in blas.items() if "conv" in r}
    if not runs:
        return []
    header = ["layer", "input T×F×C", "output T×F×C", "GFLOP"]
    for t in runs:
        header += [f"ms ({t} thr)", f"GFLOP/s ({t} thr)", f"% of sgemm peak ({t} thr)"]
    rows, total = [], 0
    for i, layer in enumerate(next(iter(runs.values()))["conv"]["layers"]):
        h, w, cout = layer["out"]
        flops = 2 * h * w * cout * layer["in"][2] * layer["kernel"][0] * layer["kernel"][1]
        total += flops
        row = [f"conv{i + 1}", "×".join(map(str, layer["in"])), "×".join(map(str, layer["out"])),
               f"{flops / 1e9:.2f}"]
        for r in runs.values():
            row += gflops_cells(flops, r["conv"]["layers"][i]["median_ms"], r["sgemm"]["gflops"])
        rows.append(row)
    row = ["all", "", "", f"{total / 1e9:.1f}"]
    for r in runs.values():
        row += gflops_cells(total, r["conv"]["total_median_ms"], r["sgemm"]["gflops"])
    return markdown_table(header, rows + [row])


def gflops_cells(flops, ms, peak):
    gflops = flops / ms / 1e6
    return [fmt_ms(ms), f"{gflops:.0f}", f"{100 * gflops / peak:.0f} %"]


def machine_description():
    info = {}
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return (f"{info.get('Model name', platform.processor())}, CPU family "
            f"{info.get('CPU family', '?')}, {os.cpu_count()} logical CPUs")


def openblas_info():
    lib = ctypes.CDLL("libopenblas.so.0")
    lib.openblas_get_corename.restype = lib.openblas_get_config.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode(), lib.openblas_get_config().decode()


METHOD = """\
## What is timed

* Every row: the median of the runs after one warm-up, in a fresh process per contender,
  contenders interleaved per row and thread count. Ours: the public API through the C drivers
  in `bench/` (`OPENBLAS_NUM_THREADS=n`; model load and handle creation not timed). PyTorch:
  the reference module's forward, `torch.set_num_threads(n)`, `torch.inference_mode()`, with
  `OPENBLAS_NUM_THREADS=1` for the OpenBLAS that Debian's torch calls (linear layers, some
  convolutions): its pthread pool does not coordinate with torch's OpenMP pool, and with both
  at 2 threads they oversubscribe the cores (face encoder 7× slower here). ORT: `session.run` in
  onnxruntime-node (`bench/ort_runner.js`), the graph exported from the same PyTorch module
  (opset 17, batch dimension dynamic), `intraOpNumThreads=n`, `interOpNumThreads=1`,
  `graphOptimizationLevel: 'all'`.
* Voice encoder: spectrogram (598 × 257 × 2) → 4096-D feature, the whole network; the batch
  repeats one clip. Our driver calls `s2f_voice_encoder_encode_batch`.
* Face decoder: 4096-D feature → 224 × 224 × 3 texture + 68 clamped landmarks
  (`s2f_face_decoder_decode_texture`; PyTorch and ORT: `forward_network` + clamp). The spline
  warp that makes the final image has no PyTorch or ONNX operator (the reference runs it in
  numpy float64), so it is left out of the comparison; ours with the warp
  (`s2f_face_decoder_decode`) is in the notes.
* Face encoder: a 150 × 150 RGB crop (no resize needed) → 128-D descriptor, pixel
  normalisation included on every side (`s2f_face_encoder_encode`); the batch row is the same
  crop 32 times (`s2f_face_encoder_encode_batch`; PyTorch and ORT: one N × 150 × 150 × 3 input).
* Spectrogram: 96000 samples → 598 × 257 × 2 (`s2f_spectrogram_compute`); PyTorch:
  `torch.stft` with the same framing, float32; numpy: `tools/reference/spectrogram_ref.py` (float64).
  ONNX Runtime is not run: torch 1.13's exporter has no `aten::stft`.
* GFLOP/s: 2 × multiply-adds of the convolutions and linear layers, counted by hooks on the
  PyTorch module (transposed convolutions: every input pixel × kernel tap); elementwise work
  not counted. Per conv layer: 2·out_h·out_w·c_out·c_in·16 — the direct convolution's work,
  so a layer computed by a cheaper algorithm (Winograd) can exceed the sgemm peak.
* Peak RSS: VmHWM of our driver (includes the touched pages of the mapped model file; the
  voice encoder's FC weights are used in place); anon growth: anonymous memory the timed calls
  added (activations, workspaces). ORT's: VmHWM of the Node process, so it includes Node
  itself (about 40 MB for an empty script).
* "Fastest runs": the ratio of the two minimums, beside the ratio of medians; where the host's
  speed swings during a row (it does on shared VMs) the minimums show the code's own ratio.
"""


def report(args, rows, blas, checks):
    lines = []
    if rows:
        lines += ["## Networks", ""] + markdown_table(NETWORK_HEADER,
                                                       [network_row(r) for r in rows]) + [""]
    if blas:
        lines += [f"## cblas_sgemm peak ({args.gemm_size} × {args.gemm_size}, OpenBLAS alone)", ""]
        lines += sgemm_table(blas, args.gemm_size) + [""]
        conv = conv_table(blas)
        if conv:
            lines += [f"## Voice encoder '{args.voice_config}' conv layers (ours, "
                      f"s2fi_conv2d_forward, {FRAMES} frames)", ""] + conv + [""]
    if checks:
        lines += ["## Same outputs", "", "max |Δ| / max |reference| on the batch-1 input; the "
                  "reference is PyTorch's output, for the spectrogram the float64 numpy "
                  "oracle:", ""]
        lines += [f"* {key}: " + ", ".join(f"{name} {d:.1e}" for name, d in c.items())
                  for key, c in checks.items()] + [""]
    return lines


def doc_header(args, versions):
    corename, config = versions["openblas"]
    # OPENBLAS_CORETYPE picks the kernels; OPENBLAS_NUM_THREADS is the harness's own setting.
    blas_env = ", ".join(f"{k}={v}" for k, v in sorted(os.environ.items())
                         if k.startswith("OPENBLAS_") and k != "OPENBLAS_NUM_THREADS")
    command = shlex.join(["/usr/bin/python3", "bench/bench_all.py"] + sys.argv[1:])
    return [
        "# libspeech2face vs PyTorch vs ONNX Runtime (issue 10)", "",
        "Written by `bench/bench_all.py`" + (" in --quick mode (smoke test: few repeats, "
                                             "small batch)" if args.quick else "") + ":", "",
        f"    {command}", "",
        "| | |", "|---|---|",
        f"| date | {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} |",
        f"| machine | {machine_description()}; load average at start "
        f"{versions['load']:.2f} |",
        f"| OpenBLAS | core `{corename}` (openblas_get_corename); environment: "
        f"{blas_env or 'no OPENBLAS_* variable (OpenBLAS picks the core)'}; {config} |",
        f"| PyTorch | {torch.__version__}, oneDNN "
        f"{'on' if torch.backends.mkldnn.is_available() else 'off'} |",
        f"| ONNX Runtime | onnxruntime-node {versions['ort'] or 'not installed'} on Node "
        f"{versions['node']}, opset {ONNX_OPSET} |",
        f"| threads | {', '.join(map(str, args.threads))} |",
        f"| repeats | median of {args.repeats} after a warm-up; rows of a few ms at least "
        + ", ".join(f"{n.key} {n.min_repeats}" for n in NETWORKS if n.min_repeats > 1) + " |",
        ""]


# ----- main -------------------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per median (5)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--only", default=",".join(ROW_KEYS), help="rows: " + ",".join(ROW_KEYS))
    parser.add_argument("--quick", action="store_true", help="smoke test: repeats 3, small batch")
    parser.add_argument("--voice-batch", type=int, default=None, help="the batch row (8)")
    parser.add_argument("--encoder-batch", type=int, default=None,
                        help="the face encoder's batch row (32)")
    parser.add_argument("--voice-config", default="paper", choices=sorted(VOICE_CONFIGS))
    parser.add_argument("--gemm-size", type=int, default=None, help="sgemm N (4096)")
    parser.add_argument("--no-ort", action="store_true")
    parser.add_argument("--ort-prefix", default=os.path.join(ROOT, "build-bench"))
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance-bench.md"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return args
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.voice_batch = args.voice_batch or (2 if args.quick else 8)
    args.encoder_batch = args.encoder_batch or (4 if args.quick else 32)
    args.gemm_size = args.gemm_size or (2048 if args.quick else 4096)
    args.threads = [int(t) for t in args.threads.split(",")]
    args.only = args.only.split(",")
    unknown = set(args.only) - set(ROW_KEYS)
    if unknown:
        parser.error(f"unknown rows {sorted(unknown)}; choose from {ROW_KEYS}")
    return args


def main():
    args = parse_args()
    if args.worker:
        return torch_worker(json.loads(args.worker))
    work = os.path.join(args.ort_prefix, "work")
    os.makedirs(work, exist_ok=True)
    ort_modules = None if args.no_ort else ensure_onnxruntime(args.ort_prefix)
    versions = {"openblas": openblas_info(), "load": os.getloadavg()[0],
                "ort": ort_version(ort_modules) if ort_modules else None,
                "node": subprocess.run(["node", "--version"], capture_output=True,
                                       text=True).stdout.strip() if ort_modules else None}
    contenders = Contenders(args, work, ort_modules)
    options = {"voice_config": args.voice_config}
    rows, checks = [], {}
    for key in [k for k in ("voice", "decoder", "encoder", "spectrogram") if k in args.only]:
        batches = {"voice": [1, args.voice_batch], "encoder": [1, args.encoder_batch]}.get(key, [1])
        rows += measure_network(make_network(key, work, options), batches, contenders, args,
                                ort_modules is not None, checks)
    blas_keys = {"sgemm", "conv"} & set(args.only)
    blas = measure_blas(args, blas_keys) if blas_keys else {}
    body = report(args, rows, blas, checks)
    print("\n".join(body))
    with open(args.doc, "w") as f:
        f.write("\n".join(doc_header(args, versions) + body + [METHOD]))
    log(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
