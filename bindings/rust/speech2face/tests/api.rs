//! Tests of the safe API against the installed library (tests/cli/run_installed.sh rust). The
//! model is $S2F_TEST_MODEL (tests/cli/data/voice_decoder.s2fm: random-weight voice encoder +
//! face decoder, 128-D); $S2F_TEST_FACE_MODEL, when set, holds a face encoder.
use speech2face::*;

fn model() -> Model {
    let path = std::env::var("S2F_TEST_MODEL").expect("set S2F_TEST_MODEL to a model container");
    Model::load(path).expect("fixture model loads")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("s2f-rust-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// 3 s of a 16 kHz two-tone signal.
fn tone() -> Vec<f32> {
    (0..48000).map(|i| {
        let t = i as f32 / 16000.0;
        0.3 * (2.0 * std::f32::consts::PI * 220.0 * t).sin() + 0.1 * (2.0 * std::f32::consts::PI * 1330.0 * t).sin()
    }).collect()
}

#[test]
fn version_and_status_names() {
    assert_eq!(version(), sys::S2F_VERSION_STRING.split_last().map(|(_, s)| String::from_utf8(s.to_vec()).unwrap()).unwrap());
    assert_eq!(status_name(sys::S2F_ERR_IO), "S2F_ERR_IO");
    assert!(!strerror(sys::S2F_ERR_IO).is_empty());
}

#[test]
fn model_errors_carry_status_and_message() {
    let error = Model::load("/nonexistent/model.s2fm").err().expect("missing file fails");
    assert_eq!(error.status, sys::S2F_ERR_IO);
    assert_eq!(error.name, "S2F_ERR_IO");
    assert!(error.message.contains("/nonexistent/model.s2fm"), "{}", error.message);
    let error = Model::from_bytes(b"this is not a model container at all, just text").err().unwrap();
    assert_eq!(error.status, sys::S2F_ERR_BAD_FORMAT, "{}", error);
    let path = scratch("garbage.s2fm");
    std::fs::write(&path, vec![7u8; 4096]).unwrap();
    assert!(Model::load(&path).is_err());
}

#[test]
fn model_introspection() {
    let model = model();
    assert!(model.has_component("voice_encoder").unwrap());
    assert!(!model.has_component("no_such_component").unwrap());
    let keys = model.metadata_keys().unwrap();
    assert!(keys.iter().any(|k| k == "voice_encoder.feature_dim"));
    assert_eq!(model.metadata("voice_encoder.feature_dim").unwrap(), MetadataValue::I64(128));
    assert!(matches!(model.metadata("general.architecture").unwrap(), MetadataValue::String(_)));
    let names = model.tensor_names().unwrap();
    let (_dtype, shape) = model.tensor_info(&names[0]).unwrap();
    assert!(!shape.is_empty());
    assert_eq!(model.metadata("missing.key").err().unwrap().status, sys::S2F_ERR_NOT_FOUND);
}

#[test]
fn spectrogram_and_voice_encoder() {
    let model = model();
    let mut encoder = VoiceEncoder::new(&model).unwrap();
    assert_eq!(encoder.feature_dim(), 128);
    let mut spectrogram = Spectrogram::with_rate(16000.0).unwrap();
    let spec = spectrogram.compute(&tone()).unwrap();
    assert_eq!((spec.frames, spec.bins), (598, 257));
    let feature = encoder.encode(&spec.data).unwrap();
    assert_eq!(feature.len(), 128);
    assert!(feature.iter().all(|v| v.is_finite()));
    assert_eq!(encoder.encode_pcm(&tone(), 16000.0).unwrap(), feature);

    let mut both = spec.data.clone();
    both.extend_from_slice(&spec.data);
    let batch = encoder.encode_batch(&both, 2).unwrap();
    for (a, b) in batch[..128].iter().zip(&feature) {
        assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()));
    }

    let error = encoder.encode(&spec.data[..1000]).err().unwrap();
    assert_eq!(error.status, sys::S2F_ERR_SHAPE_MISMATCH);
    let mut bad = spec.data.clone();
    bad[17] = f32::NAN;
    let error = encoder.encode(&bad).err().unwrap();
    assert_eq!(error.status, sys::S2F_ERR_NON_FINITE, "{}", error);
    assert!(!error.message.is_empty());

    let long: Vec<f32> = tone().iter().chain(tone().iter()).chain(tone().iter()).cloned().collect();
    let segments = spectrogram.compute_segments(&long).unwrap();
    assert_eq!(segments.segments, 2); // 9 s: clips at 0 and 3 s
    assert_eq!(downmix(&[1.0, 3.0, -1.0, 1.0], 2).unwrap(), vec![2.0, 0.0]);
    let mut params = spectrogram_default_params();
    params.fft_size = 500;
    assert_eq!(Spectrogram::new(&params).err().unwrap().status, sys::S2F_ERR_INVALID_ARGUMENT);
}

#[test]
fn face_decoder_and_warp() {
    let model = model();
    let mut decoder = FaceDecoder::new(&model).unwrap();
    let (dim, height, width, landmarks) = decoder.shape();
    let feature: Vec<f32> = (0..dim).map(|i| ((i * 37 % 11) as f32 - 5.0) / 5.0).collect();
    let face = decoder.decode_u8(&feature).unwrap();
    assert_eq!(face.rgb.len(), height * width * 3);
    assert_eq!(face.landmarks.len(), 2 * landmarks);
    let float_face = decoder.decode(&feature).unwrap();
    assert!(float_face.rgb.iter().all(|v| (0.0..=1.0).contains(v)));
    assert!(decoder.decode_texture(&feature).is_ok());
    assert_eq!(decoder.mean_landmarks().unwrap().len(), 2 * landmarks);
    assert_eq!(decoder.decode(&feature[..dim - 1]).err().unwrap().status, sys::S2F_ERR_SHAPE_MISMATCH);

    let image: Vec<f32> = (0..8 * 8).map(|i| i as f32 / 64.0).collect();
    let points = [2.0f32, 2.0, 5.0, 2.0, 3.0, 5.0];
    let same = warp_image(&image, 8, 8, 1, &points, &points, &warp_default_params()).unwrap();
    for (a, b) in same.iter().zip(&image) {
        assert!((a - b).abs() < 1e-4);
    }
    assert!(warp_image(&image, 8, 8, 1, &points, &points[..4], &warp_default_params()).is_err());
}

#[test]
fn face_encoder_when_present() {
    let model = match std::env::var("S2F_TEST_FACE_MODEL") {
        Ok(path) if !path.is_empty() => Model::load(path).unwrap(),
        _ => {
            eprintln!("S2F_TEST_FACE_MODEL is not set: face encoder not tested");
            return;
        }
    };
    assert_eq!(FaceEncoder::new(&self::model()).err().unwrap().status, sys::S2F_ERR_NOT_FOUND);
    let mut encoder = FaceEncoder::new(&model).unwrap();
    let (w, h) = (120usize, 150usize);
    let pixels: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7) % 251) as u8).collect();
    let image = RgbImage { data: &pixels, width: w, height: h };
    let feature = encoder.encode(image).unwrap();
    assert_eq!(feature.len(), encoder.feature_dim());
    let crop = crop_resize(image, (10.0, 10.0, 100.0, 100.0), ResizeFilter::BilinearAntialias, 64, 64).unwrap();
    assert_eq!(crop.len(), 64 * 64 * 3);
    assert!(encoder.encode(RgbImage { data: &pixels[..10], width: w, height: h }).is_err());
}

#[test]
fn index_round_trip_and_errors() {
    let mut index = FaceIndex::new(4, Metric::Cosine, Storage::F32, 1).unwrap();
    index.add(&[10, 11, 12], &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.7, 0.7, 0.0, 0.0]).unwrap();
    assert_eq!(index.len(), 3);
    let hits = index.search(&[1.0, 0.1, 0.0, 0.0], 2).unwrap();
    assert_eq!(hits.ids, vec![10, 12]);
    let path = scratch("gallery.s2fi");
    index.save(&path).unwrap();
    let loaded = FaceIndex::load(&path).unwrap();
    assert_eq!(loaded.search(&[1.0, 0.1, 0.0, 0.0], 2).unwrap(), hits);
    let batch = loaded.search_batch(&[1.0, 0.1, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0], 1).unwrap();
    assert_eq!(batch[1].ids, vec![11]);
    let merged = topk_merge(Metric::Cosine, &[hits.clone(), batch[1].clone()], 2).unwrap();
    assert_eq!(merged.ids, vec![11, 10]); // 11 matches its query exactly (score 1)
    index.export(scratch("v.npy"), scratch("ids.npy"), ExportFormat::Npy).unwrap();

    assert_eq!(index.remove(99).err().unwrap().status, sys::S2F_ERR_NOT_FOUND);
    assert_eq!(index.add(&[10], &[1.0, 0.0, 0.0, 0.0]).err().unwrap().status, sys::S2F_ERR_INVALID_ARGUMENT);
    assert_eq!(index.search(&[1.0, 2.0], 1).err().unwrap().status, sys::S2F_ERR_INVALID_ARGUMENT);
    let bad = scratch("bad.s2fi");
    std::fs::write(&bad, b"definitely not an index").unwrap();
    let error = FaceIndex::load(&bad).err().unwrap();
    assert!(error.status == sys::S2F_ERR_BAD_FORMAT || error.status == sys::S2F_ERR_IO, "{}", error);
    assert!(FaceIndex::load("/nonexistent.s2fi").is_err());
}

#[test]
fn pipeline_equals_the_handles() {
    let model = model();
    let mut pipeline = Pipeline::new(&model).unwrap();
    let mut encoder = VoiceEncoder::new(&model).unwrap();
    let pcm = tone();
    // two tones are not speech: refused by default, accepted with the check off
    let refused = pipeline.encode(&pcm, 1, 16000.0, false).unwrap_err();
    assert_eq!(refused.status, sys::S2F_ERR_NO_SPEECH, "{}", refused);
    assert!(pipeline.set_min_speech(-1.0).is_err());
    pipeline.set_min_speech(0.0).unwrap();
    let feature = pipeline.encode(&pcm, 1, 16000.0, false).unwrap();
    assert_eq!(feature, encoder.encode_pcm(&pcm, 16000.0).unwrap());
    let stereo: Vec<f32> = pcm.iter().flat_map(|&x| [x, x]).collect();
    assert_eq!(pipeline.encode(&stereo, 2, 16000.0, false).unwrap(), feature);
    let face = pipeline.face(&pcm, 1, 16000.0, false).unwrap();
    let mut decoder = FaceDecoder::new(&model).unwrap();
    assert_eq!(face.rgb, decoder.decode_u8(&feature).unwrap().rgb);
    let mut index = FaceIndex::new(feature.len(), Metric::Cosine, Storage::F32, 1).unwrap();
    index.add(&[5], &feature).unwrap();
    assert_eq!(pipeline.search(&index, &pcm, 1, 16000.0, false, 1).unwrap().ids, vec![5]);
    let error = pipeline.encode(&stereo[..stereo.len() - 1], 2, 16000.0, false).unwrap_err();
    assert_eq!(error.status, sys::S2F_ERR_INVALID_ARGUMENT);
}
