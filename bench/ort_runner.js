#!/usr/bin/env node
// ONNX Runtime contender of bench/bench_all.py: times one ONNX model on one input through the
// npm package onnxruntime-node, and prints one JSON line like the C drivers.
//
//   NODE_PATH=build-bench/node_modules node bench/ort_runner.js MODEL.onnx INPUT.f32 SHAPE \
//       THREADS REPEATS [OUTPUT.f32]
//
// INPUT is raw little-endian float32 for the model's only input, SHAPE its dimensions
// ("1,598,257,2"). Session: intraOpNumThreads = THREADS, interOpNumThreads = 1, all graph
// optimisations, sequential execution. One warm-up run (ORT allocates and plans on the first
// run), then REPEATS timed runs; median and min in ms. OUTPUT receives every output of the last
// run, flattened and concatenated in the model's output order (bench_all.py compares them with
// PyTorch's).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readFloats(path) {
  const bytes = fs.readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

// This process's peak RSS: VmHWM of /proc/self/status, as the C drivers report it. Not
// process.resourceUsage().maxRSS: Linux carries getrusage's maximum across execve, so a child
// of bench_all.py (Python with torch loaded, ~380 MB) would report its parent's peak.
function peakRssKb() {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : process.resourceUsage().maxRSS;
}

function median(sorted) {
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const [model, inputPath, shapeText, threadsText, repeatsText, outputPath] = process.argv.slice(2);
  const repeats = Number(repeatsText);
  if (!model || !inputPath || !shapeText || !(Number(threadsText) >= 1) || !(repeats >= 1)) {
    console.error('usage: ort_runner.js MODEL.onnx INPUT.f32 SHAPE THREADS REPEATS [OUTPUT.f32]');
    process.exit(2);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threadsText),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const shape = shapeText.split(',').map(Number);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', readFloats(inputPath), shape) };
  let outputs = await session.run(feeds); // warm-up
  const times = [];
  for (let r = 0; r < repeats; ++r) {
    const t0 = process.hrtime.bigint();
    outputs = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  if (outputPath) {
    const parts = session.outputNames.map((name) => Buffer.from(outputs[name].data.buffer,
      outputs[name].data.byteOffset, outputs[name].data.byteLength));
    fs.writeFileSync(outputPath, Buffer.concat(parts));
  }
  console.log(JSON.stringify({
    median_ms: median(times), min_ms: times[0], repeats, ort_version: ort.env.versions.common,
    vm_hwm_kb: peakRssKb(),
  }));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
