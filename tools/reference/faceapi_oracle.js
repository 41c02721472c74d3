#!/usr/bin/env node
// The original face descriptor, for comparisons: runs npm @vladmandic/face-api's
// FaceRecognitionNet in Node on tfjs + the WebAssembly backend (no native binary).
//
//   node tools/reference/faceapi_oracle.js NODE_MODULES_DIR JOB_DIR [--detect]
//
// NODE_MODULES_DIR holds @vladmandic/face-api, @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
// (tools/convert/fetch_face_api.sh installs them). JOB_DIR holds index.json, a list of
// {"name", "file", "height", "width"} where `file` (relative to JOB_DIR) is raw interleaved RGB
// uint8, height × width × 3 bytes: images are decoded by the caller (tools/reference/compare_face_api.py
// uses PIL) so that both sides see identical pixels. Each image goes through face-api's own path
// for a tensor input: computeFaceDescriptor(tf.tensor3d(rgb, [h, w, 3], 'int32')), i.e.
// toBatchTensor(150): pad to square, tf.image.resizeBilinear, mean/scale, the network.
// Writes JOB_DIR/descriptors.json: {"backend", "versions", "descriptors": {name: [128 numbers]}}.
// --detect also runs face-api's detector as its README shows (ssdMobilenetv1 + 68 landmarks) and
// adds "boxes": {name: [x, y, width, height] of the landmark-aligned face box, or null}: the
// framing the descriptor network is used with (tools/reference/compare_face_api.py derives crops from it).
'use strict';

const fs = require('fs');
const path = require('path');

async function main() {
  const [modulesDir, jobDir, option] = process.argv.slice(2);
  const detect = option === '--detect';
  if (!modulesDir || !jobDir) {
    process.stderr.write('usage: faceapi_oracle.js NODE_MODULES_DIR JOB_DIR\n');
    process.exit(2);
  }
  const req = (name) => require(path.resolve(modulesDir, name));
  const tf = req('@tensorflow/tfjs');
  const wasm = req('@tensorflow/tfjs-backend-wasm');
  const faceapi = req('@vladmandic/face-api/dist/face-api.node-wasm.js');

  // The .wasm binaries ship inside the npm package; point the backend at them.
  const wasmDir = path.resolve(modulesDir, '@tensorflow/tfjs-backend-wasm/dist') + path.sep;
  wasm.setWasmPaths(wasmDir);
  await tf.setBackend('wasm');
  await tf.ready();

  const modelDir = path.resolve(modulesDir, '@vladmandic/face-api/model');
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  if (detect) {
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  }

  const index = JSON.parse(fs.readFileSync(path.join(jobDir, 'index.json'), 'utf8'));
  const descriptors = {};
  const boxes = {};
  for (const item of index) {
    const bytes = fs.readFileSync(path.join(jobDir, item.file));
    if (bytes.length !== item.height * item.width * 3) {
      throw new Error(`${item.file}: ${bytes.length} bytes, expected ${item.height}×${item.width}×3`);
    }
    const tensor = tf.tensor3d(Int32Array.from(bytes), [item.height, item.width, 3], 'int32');
    const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tensor);
    if (detect) {
      const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.2 });
      const found = await faceapi.detectSingleFace(tensor, options).withFaceLandmarks();
      const box = found && found.alignedRect.box;
      boxes[item.name] = box ? [box.x, box.y, box.width, box.height] : null;
    }
    tensor.dispose();
    descriptors[item.name] = Array.from(descriptor);
  }
  const packageVersion = (dir) => JSON.parse(
    fs.readFileSync(path.resolve(modulesDir, dir, 'package.json'), 'utf8')).version;
  const out = {
    backend: tf.getBackend(),
    versions: {
      'face-api': packageVersion('@vladmandic/face-api'),
      tfjs: packageVersion('@tensorflow/tfjs'),
      'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    },
    descriptors,
  };
  if (detect) out.boxes = boxes;
  fs.writeFileSync(path.join(jobDir, 'descriptors.json'), JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`faceapi_oracle: ${err.stack || err}\n`);
  process.exit(1);
});
