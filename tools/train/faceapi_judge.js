// Runs the original @vladmandic/face-api (tfjs, wasm backend) on raw RGB images:
// SSD face detection -> 68 landmarks, age and gender. Used to make the face decoder's landmark
// targets and, in evaluation, as the attribute judge (paper §4: gender agreement).
//
//   node tools/train/faceapi_judge.js NODE_MODULES JOB_DIR
// JOB_DIR/index.json: [{name, file, width, height, crop}], each file raw RGB bytes
// (height*width*3). With crop = true the image is taken as an already framed face crop: no
// detection, only the age/gender network (used to judge canonical faces the same way whatever
// their sharpness: the SSD detector misses blurry reconstructions).
// Writes JOB_DIR/faceapi.json: {name: {landmarks: [[x,y]x68], box: [x,y,w,h], score, age,
// gender, genderProbability} | null when no face is found}.
const fs = require('fs');
const path = require('path');

async function main() {
  const [modules, job] = process.argv.slice(2);
  const tf = require(path.join(modules, '@tensorflow/tfjs'));
  const wasm = require(path.join(modules, '@tensorflow/tfjs-backend-wasm'));
  const faceapi = require(path.join(modules, '@vladmandic/face-api/dist/face-api.node-wasm.js'));
  wasm.setWasmPaths(path.join(modules, '@tensorflow/tfjs-backend-wasm/dist/'));
  await tf.setBackend('wasm');
  await tf.ready();
  const weights = path.join(modules, '@vladmandic/face-api/model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(weights);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(weights);
  await faceapi.nets.ageGenderNet.loadFromDisk(weights);

  const items = JSON.parse(fs.readFileSync(path.join(job, 'index.json')));
  const results = {};
  for (const item of items) {
    const bytes = fs.readFileSync(path.join(job, item.file));
    const image = tf.tensor3d(Int32Array.from(bytes), [item.height, item.width, 3], 'int32');
    if (item.crop) {
      const judged = await faceapi.nets.ageGenderNet.predictAgeAndGender(image);
      image.dispose();
      results[item.name] = { age: judged.age, gender: judged.gender,
        genderProbability: judged.genderProbability };
      continue;
    }
    const found = await faceapi
      .detectSingleFace(image, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.2 }))
      .withFaceLandmarks()
      .withAgeAndGender();
    image.dispose();
    results[item.name] = found ? {
      landmarks: found.landmarks.positions.map((p) => [p.x, p.y]),
      box: [found.detection.box.x, found.detection.box.y, found.detection.box.width,
        found.detection.box.height],
      score: found.detection.score,
      age: found.age,
      gender: found.gender,
      genderProbability: found.genderProbability,
    } : null;
  }
  fs.writeFileSync(path.join(job, 'faceapi.json'), JSON.stringify(results));
}

main().catch((error) => { console.error(error); process.exit(1); });
