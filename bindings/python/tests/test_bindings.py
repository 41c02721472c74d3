"""Tests of the Python bindings (bindings/python/speech2face) on the built library."""
import ctypes
import os
import re

import numpy as np
import pytest

import speech2face as s2f
from speech2face import _lib


def tone(seconds=3.0, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 1330 * t)).astype(np.float32)


def test_every_header_function_has_a_prototype(source_root):
    header = open(os.path.join(source_root, "include", "speech2face.h")).read()
    declared = set(re.findall(r"S2F_API[^;(]*?\b(s2f_\w+)\s*\(", header))
    assert declared, "no S2F_API functions found"
    missing = declared - set(_lib.PROTOTYPES)
    assert not missing, f"no ctypes prototype for {sorted(missing)}"
    assert not set(_lib.PROTOTYPES) - declared, "prototypes of functions the header lacks"


def test_params_structs_match_the_library():
    for struct, function in ((_lib.ModelLoadParams, "s2f_model_load_default_params_sized"),
                             (_lib.SpectrogramParams, "s2f_spectrogram_default_params_sized"),
                             (_lib.WarpParams, "s2f_warp_default_params_sized"),
                             (_lib.FaceIndexParams, "s2f_face_index_default_params_sized")):
        params = struct()
        assert getattr(_lib.lib, function)(ctypes.byref(params), ctypes.sizeof(params)) == 0
        assert params.size == ctypes.sizeof(params)
    p = s2f.Spectrogram().params
    assert (p["sample_rate"], p["window"], p["hop"], p["fft_size"]) == (16000.0, 400, 160, 512)


def test_version_and_errors():
    assert re.fullmatch(r"\d+\.\d+\.\d+", s2f.version())
    assert s2f.status_name(3) == "S2F_ERR_IO"
    with pytest.raises(s2f.S2FError) as caught:
        s2f.Model("/nonexistent/model.s2fm")
    error = caught.value
    assert (error.status, error.name) == (3, "S2F_ERR_IO")
    assert "/nonexistent/model.s2fm" in error.message and "S2F_ERR_IO" in str(error)


def test_bad_model_files(tmp_path, clips):
    with pytest.raises(s2f.S2FError) as caught:
        s2f.Model(clips[0])
    assert caught.value.name == "S2F_ERR_BAD_FORMAT"
    with pytest.raises(s2f.S2FError):
        s2f.Model.from_bytes(b"")
    with pytest.raises(s2f.S2FError):
        s2f.Model.from_bytes(b"S2FM" + bytes(200))


def test_model_introspection_and_lifetime(model_path):
    with s2f.Model(model_path) as model:
        assert model.has_component("voice_encoder") and model.has_component("face_decoder")
        assert model.metadata("voice_encoder.feature_dim") == 128
        assert isinstance(model.metadata("voice_encoder.conv_channels"), np.ndarray)
        assert "general.architecture" in model.metadata_dict()
        name = model.tensor_names()[0]
        dtype, shape = model.tensor_info(name)
        assert dtype in ("float32", "float16", "uint8", "int32") and len(shape) >= 1
        with pytest.raises(s2f.S2FError) as caught:
            model.metadata("no.such_key")
        assert caught.value.name == "S2F_ERR_NOT_FOUND"
        encoder = s2f.VoiceEncoder(model)
    # The model is closed, yet the encoder keeps its weights alive.
    assert model.closed
    with pytest.raises(ValueError):
        model.has_component("voice_encoder")
    assert encoder.encode_pcm(tone()).shape == (128,)
    encoder.close()
    encoder.close()  # idempotent
    with pytest.raises(ValueError):
        encoder.encode_pcm(tone())
    with pytest.raises(TypeError):
        s2f.VoiceEncoder("not a model")


def test_spectrogram(clips):
    import soundfile
    samples, rate = soundfile.read(clips[0], dtype="float32")
    with s2f.Spectrogram(sample_rate=rate) as spectrogram:
        spec = spectrogram.compute(samples)
        assert spec.shape == (598, 257, 2) and spec.dtype == np.float32
        reused = np.full((598, 257, 2), np.nan, np.float32)  # a caller's buffer, written in place
        assert spectrogram.compute(samples, out=reused) is reused
        assert np.array_equal(reused, spec)
        for wrong in (np.empty((598, 257, 2), np.float64), np.empty((597, 257, 2), np.float32),
                      np.empty((257, 598, 2), np.float32).transpose(1, 0, 2)):
            with pytest.raises(ValueError):
                spectrogram.compute(samples, out=wrong)
        long = np.tile(samples, 4)
        segments = spectrogram.compute_segments(long)
        assert segments.shape[1:] == (598, 257, 2) and segments.shape[0] >= 2
        with pytest.raises(ValueError):
            spectrogram.compute(np.zeros((2, 2, 2), np.float32))
        bad = samples.copy()
        bad[100] = np.nan
        with pytest.raises(s2f.S2FError) as caught:
            spectrogram.compute(bad)
        assert caught.value.name == "S2F_ERR_NON_FINITE" and caught.value.message
    with pytest.raises(s2f.S2FError) as caught:
        s2f.Spectrogram(fft_size=500)
    assert caught.value.name == "S2F_ERR_INVALID_ARGUMENT"
    with pytest.raises(TypeError):
        s2f.Spectrogram(no_such_parameter=1)
    stereo = np.stack([np.ones(10, np.float32), -np.ones(10, np.float32) * 3], axis=1)
    assert np.array_equal(s2f.downmix(stereo), np.full(10, -1.0, np.float32))


def test_pipeline_equals_the_handles(model_path, clips):
    import soundfile
    samples, rate = soundfile.read(clips[0], dtype="float32")
    stereo = np.stack([samples, samples * 0.5], axis=1)
    with s2f.Model(model_path) as model, s2f.Pipeline(model) as pipeline, \
            s2f.VoiceEncoder(model) as encoder, s2f.FaceDecoder(model) as decoder:
        feature = pipeline.encode(samples, rate)
        assert np.array_equal(feature, encoder.encode_pcm(samples, rate))
        assert np.array_equal(pipeline.encode(stereo, rate),
                              encoder.encode_pcm(s2f.downmix(stereo), rate))
        batch = pipeline.encode_batch([samples, samples[:rate * 3]], rate)
        assert np.array_equal(batch[0], feature) and batch.shape == (2, pipeline.dim)
        rgb, landmarks, same = pipeline.face(samples, rate)
        assert np.array_equal(same, feature)
        assert rgb.shape == pipeline.image_size + (3,) and rgb.dtype == np.uint8
        assert landmarks.shape == (pipeline.landmark_count, 2)
        index = s2f.FaceIndex(dim=pipeline.dim)
        index.add(np.arange(3), np.stack([feature, -feature, feature + 1]))
        scores, ids = pipeline.search(index, samples, rate, k=2)
        assert ids[0] == 0 and np.allclose(scores[0], 1.0, atol=1e-5)
        scores, ids = pipeline.search(index, samples, rate, k=5)  # 3 in the gallery
        assert ids.tolist()[3:] == [-1, -1] and np.isnan(scores[3:]).all()
        with pytest.raises(s2f.S2FError) as caught:
            pipeline.encode(samples, 1000)
        assert caught.value.name == "S2F_ERR_INVALID_ARGUMENT" and "spectrogram" in caught.value.message
    model = s2f.Model(model_path)
    pipeline = s2f.Pipeline(model)
    model.close()  # the pipeline keeps the weights alive
    assert np.array_equal(pipeline.encode(samples, rate), feature)
    pipeline.close()


def test_default_model_follows_s2f_model(model_path, monkeypatch):
    monkeypatch.setenv("S2F_MODEL", model_path)
    assert s2f.Model.default_path() == model_path
    with s2f.Model.default() as model, s2f.VoiceEncoder(model):
        pass
    monkeypatch.delenv("S2F_MODEL")
    package = os.path.dirname(s2f.__file__)
    clone_model = os.path.normpath(os.path.join(package, "..", "..", "..", "models",
                                                "default.s2fm"))
    try:
        path = s2f.Model.default_path()
        # a wheel or an installed library finds its own model; imported from a clone without
        # an installed model, the clone's models/default.s2fm
        assert path.endswith("speech2face/default.s2fm") or path == clone_model
        if path == clone_model:
            with s2f.Model.default() as model:
                assert model.has_component("voice_encoder")
    except s2f.S2FError as error:  # elsewhere none: the message says where it looked
        assert error.name == "S2F_ERR_NOT_FOUND" and "default.s2fm" in error.message


def test_spectrogram_stream_equals_the_one_shot_calls(clips):
    import soundfile
    samples, rate = soundfile.read(clips[0], dtype="float32")
    long = np.tile(samples, 3)
    resampled = 44100.0
    for sample_rate, clip_seconds in ((rate, 6.0), (resampled, 6.0), (rate, 0.0)):
        with s2f.Spectrogram(sample_rate=sample_rate, clip_seconds=clip_seconds) as spectrogram, \
                s2f.SpectrogramStream(sample_rate=sample_rate,
                                      clip_seconds=clip_seconds) as stream:
            out = []
            for start in range(0, long.size, 7919):
                out += stream.write(long[start:start + 7919])
            out += stream.finish()
            if clip_seconds > 0:
                expected = spectrogram.compute_segments(long)
                assert len(out) == expected.shape[0]
                assert np.array_equal(np.stack(out), expected)
            else:
                assert np.array_equal(np.concatenate(out), spectrogram.compute(long))
    with s2f.SpectrogramStream() as stream:
        with pytest.raises(s2f.S2FError) as caught:
            stream.finish()
        assert caught.value.name == "S2F_ERR_INVALID_ARGUMENT" and caught.value.message


def test_voice_encoder(model_path, clips):
    import soundfile
    samples, rate = soundfile.read(clips[0], dtype="float32")
    with s2f.Model(model_path) as model, s2f.VoiceEncoder(model) as encoder:
        assert (encoder.feature_dim, encoder.input_bins, encoder.input_channels) == (128, 257, 2)
        with s2f.Spectrogram(sample_rate=rate) as spectrogram:
            spec = spectrogram.compute(samples)
        feature = encoder.encode(spec)
        assert np.array_equal(feature, encoder.encode_pcm(samples, rate))
        batch = encoder.encode_batch(np.stack([spec, spec]))
        np.testing.assert_allclose(batch[1], feature, rtol=1e-5, atol=1e-6)
        with pytest.raises(s2f.S2FError) as caught:
            encoder.encode(spec[:, :100])
        assert caught.value.name == "S2F_ERR_SHAPE_MISMATCH"
        assert "257" in caught.value.message or "bins" in caught.value.message
        with pytest.raises(ValueError):
            encoder.encode(spec[0])
        assert encoder.encode_pcm(np.tile(samples, 3), rate, segments=True).shape == (128,)
        encoder.set_threads(2)
        np.testing.assert_allclose(encoder.encode(spec), feature, rtol=1e-5, atol=1e-6)
        with pytest.raises(s2f.S2FError) as caught:
            encoder.set_threads(5000)
        assert caught.value.name == "S2F_ERR_INVALID_ARGUMENT" and "threads" in caught.value.message


def test_face_decoder_and_warp(model_path):
    with s2f.Model(model_path) as model, s2f.FaceDecoder(model) as decoder:
        feature = np.random.default_rng(1).standard_normal(decoder.feature_dim).astype(np.float32)
        image, landmarks = decoder.decode(feature)
        assert image.shape == (decoder.height, decoder.width, 3)
        assert landmarks.shape == (decoder.landmark_count, 2)
        assert 0.0 <= image.min() and image.max() <= 1.0
        image_u8, landmarks_u8 = decoder.decode_u8(feature)
        assert image_u8.dtype == np.uint8 and np.array_equal(landmarks, landmarks_u8)
        assert np.abs(image_u8.astype(np.float32) / 255 - image).max() <= 0.5 / 255 + 1e-6
        texture, _ = decoder.decode_texture(feature)
        assert texture.shape == image.shape
        assert decoder.mean_landmarks().shape == (decoder.landmark_count, 2)
        with pytest.raises(s2f.S2FError) as caught:
            decoder.decode(feature[:-1])
        assert caught.value.name == "S2F_ERR_SHAPE_MISMATCH"
    points = np.array([[2, 2], [5, 2], [3, 5]], np.float32)
    img = np.random.default_rng(2).random((8, 8, 2)).astype(np.float32)
    np.testing.assert_allclose(s2f.warp_image(img, points, points), img, atol=1e-4)
    assert s2f.warp_image((img * 255).astype(np.uint8), points, points).dtype == np.uint8
    with pytest.raises(s2f.S2FError) as caught:
        s2f.warp_image(img, points[:1].repeat(3, 0), points[:1].repeat(3, 0))
    assert caught.value.name == "S2F_ERR_SINGULAR"


def test_face_encoder(model_path, photos):
    with s2f.Model(model_path) as model:
        if not model.has_component("face_encoder"):
            pytest.skip("no face encoder model in the tree")
        from PIL import Image
        image = np.asarray(Image.open(photos[0]).convert("RGB"))
        with s2f.FaceEncoder(model) as encoder:
            feature = encoder.encode(image)
            assert feature.shape == (encoder.feature_dim,) and np.isfinite(feature).all()
            batch = encoder.encode_batch(np.stack([image, image]))
            np.testing.assert_allclose(batch[0], feature, rtol=1e-5, atol=1e-6)
            encoder.set_resize_filter(s2f.RESIZE_BILINEAR_ANTIALIAS)
            with pytest.raises(s2f.S2FError):
                encoder.set_resize_filter(99)
            with pytest.raises(ValueError):
                encoder.encode(image[:, :, 0])
        crop = s2f.crop_resize(image, (10, 10, 100, 120), (50, 60))
        assert crop.shape == (60, 50, 3)


def test_face_index(tmp_path):
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((20, 16)).astype(np.float32)
    with s2f.FaceIndex(dim=16, threads=1) as index:
        index.add(np.arange(100, 120), vectors)
        assert len(index) == 20 and index.dim == 16
        scores, ids = index.search(vectors[3], k=4)
        assert ids[0] == 103 and scores.shape == (4,) and np.all(np.diff(scores) <= 0)
        batch_scores, batch_ids = index.search(vectors[:2], k=3)  # FAISS's (D, I), (n, k)
        assert batch_ids.shape == batch_scores.shape == (2, 3)
        assert batch_ids[:, 0].tolist() == [100, 101]
        assert np.array_equal(batch_ids[1], index.search(vectors[1], k=3)[1])
        padded_scores, padded_ids = index.search(vectors[:1], k=25)  # 20 in the gallery
        assert padded_ids[0, 20:].tolist() == [-1] * 5 and np.isnan(padded_scores[0, 20:]).all()
        assert index.ntotal == 20
        index.save(tmp_path / "g.s2fi")
        index.export(tmp_path / "v.npy", tmp_path / "ids.npy")
        assert np.load(tmp_path / "ids.npy").tolist() == list(range(100, 120))
        with pytest.raises(s2f.S2FError) as caught:
            index.add([100], vectors[:1])  # duplicate id: nothing added
        assert caught.value.name == "S2F_ERR_INVALID_ARGUMENT" and len(index) == 20
        with pytest.raises(s2f.S2FError) as caught:
            index.remove(5)
        assert caught.value.name == "S2F_ERR_NOT_FOUND"
        with pytest.raises(ValueError):
            index.search(vectors[0][:8])
    with s2f.FaceIndex.load(tmp_path / "g.s2fi") as loaded:
        assert np.array_equal(loaded.search(vectors[3], k=4)[1], ids)
    (tmp_path / "bad.s2fi").write_bytes(b"not an index" * 10)
    with pytest.raises(s2f.S2FError):
        s2f.FaceIndex.load(tmp_path / "bad.s2fi")
    with pytest.raises(s2f.S2FError) as caught:
        s2f.FaceIndex(dim=0)
    assert caught.value.name == "S2F_ERR_INVALID_ARGUMENT"
    _, merged_ids = s2f.topk_merge("cosine", [[1, 2], [3, -1]],
                                   np.array([[0.9, 0.5], [0.7, np.nan]], np.float32), [2, 1], 2)
    assert merged_ids.tolist() == [1, 3]


def test_log_callback():
    messages = []
    s2f.set_log_callback(lambda level, text: messages.append((level, text)), s2f.LOG_DEBUG)
    try:
        with pytest.raises(s2f.S2FError):
            s2f.Model("/nonexistent/x.s2fm")
    finally:
        s2f.set_log_callback(None)
    assert all(isinstance(text, str) for _, text in messages)


def test_metric_and_storage_by_name_or_enum():
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((30, 8)).astype(np.float32)
    for metric, enum in (("cosine", s2f.Metric.COSINE), ("IP", s2f.Metric.INNER_PRODUCT),
                         ("l2", s2f.Metric.L2), ("L1", s2f.Metric.L1)):
        with s2f.FaceIndex(dim=8, metric=metric, storage="f16") as by_name, \
                s2f.FaceIndex(dim=8, metric=enum, storage=s2f.Storage.F16) as by_enum:
            by_name.add(np.arange(30), vectors)
            by_enum.add(np.arange(30), vectors)
            assert np.array_equal(by_name.search(vectors[:4], 5)[1], by_enum.search(vectors[:4], 5)[1])
    for bad in ("cosin", "euclid", 17, None.__class__):
        with pytest.raises(ValueError):
            s2f.FaceIndex(dim=8, metric=bad)
    with pytest.raises(ValueError):
        s2f.FaceIndex(dim=8, storage="bf16")


def test_integer_and_multichannel_pcm_follow_the_stated_rule(model_path, clips):
    import soundfile
    samples, rate = soundfile.read(clips[0], dtype="float32")
    as_int16, _ = soundfile.read(clips[0], dtype="int16")
    as_int32, _ = soundfile.read(clips[0], dtype="int32")
    with s2f.Model(model_path) as model, s2f.VoiceEncoder(model) as encoder, \
            s2f.Pipeline(model) as pipeline:
        feature = encoder.encode_pcm(samples, rate)
        # 16-bit FLAC: int16 / 2**15 and int32 / 2**31 are exactly the float samples
        assert np.array_equal(encoder.encode_pcm(as_int16, rate), feature)
        assert np.array_equal(encoder.encode_pcm(as_int32, rate), feature)
        assert np.array_equal(encoder.encode_pcm(samples.astype(np.float64), rate), feature)
        assert np.array_equal(pipeline.encode(as_int16, rate), pipeline.encode(samples, rate))
        stereo = np.stack([samples, samples], axis=1)  # (frames, 2), as soundfile reads stereo
        assert np.array_equal(encoder.encode_pcm(stereo, rate), feature)
        assert np.array_equal(encoder.encode_pcm((stereo * 32767).astype(np.int16), rate),
                              encoder.encode_pcm((samples * 32767).astype(np.int16), rate))
        with pytest.raises(TypeError, match="full scale"):
            encoder.encode_pcm(as_int16.astype(np.int64), rate)
        with pytest.raises(ValueError, match="transpose"):
            encoder.encode_pcm(stereo.T, rate)
    pcm8 = np.array([0, 128, 255], np.uint8)
    assert np.allclose(s2f.downmix(pcm8[:, None]), [-1.0, 0.0, 127 / 128])


def test_the_installed_package_is_the_one_under_test():
    """Under tests/cli/check_wheel.sh: the wheel's own package, library and model are used."""
    if not os.environ.get("S2F_EXPECT_INSTALLED"):
        pytest.skip("runs against an installed wheel (tests/cli/check_wheel.sh)")
    source = os.path.realpath(os.environ["S2F_SOURCE_ROOT"])
    assert not os.path.realpath(s2f.__file__).startswith(source)
    assert os.path.realpath(_lib.lib._name).startswith(os.path.dirname(os.path.dirname(s2f.__file__)))
    assert s2f.Model.default_path() == os.path.join(os.path.dirname(s2f.__file__), "default.s2fm")
    with s2f.Model.default() as model:
        assert model.has_component("voice_encoder") and model.has_component("face_decoder")
    installed = set(os.listdir(os.path.dirname(s2f.__file__)))
    tree = set(os.listdir(os.path.join(source, "bindings", "python", "speech2face")))
    missing = {name for name in tree if name.endswith(".py") or name == "py.typed"} - installed
    assert not missing, f"bindings/python/meson.build does not install {sorted(missing)}"


def test_speech_is_measured_as_the_numpy_reference_does(clips, source_root):
    import soundfile
    sys_path = os.path.join(source_root, "tools", "eval")
    import sys
    sys.path.insert(0, sys_path)
    from speech_rule import speech_reference
    for clip in clips:
        samples, rate = soundfile.read(clip, dtype="float32")
        report = s2f.measure_speech(samples, rate)
        with s2f.Spectrogram(sample_rate=rate, clip_seconds=0) as spectrogram:
            reference, modulation = speech_reference(spectrogram.compute(samples))
        assert report.is_speech and abs(report.speech_seconds - reference) <= 0.02
        assert abs(report.modulation_db - modulation) < 1e-6 * max(1.0, modulation)
        assert report.seconds == pytest.approx(len(samples) / rate)
    silence = s2f.measure_speech(np.zeros(16000 * 6, np.int16), 16000)
    assert not silence.is_speech and silence.speech_seconds == 0.0


def test_pipeline_refuses_audio_without_speech(model_path, clips):
    import soundfile
    samples, rate = soundfile.read(clips[0], dtype="float32")
    with s2f.Model(model_path) as model, s2f.Pipeline(model) as pipeline:
        feature = pipeline.encode(samples, rate)
        for bad in (np.zeros(6 * rate, np.float32), tone(6.0, rate), samples[:rate // 10]):
            with pytest.raises(s2f.S2FError) as caught:
                pipeline.encode(bad, rate)
            assert caught.value.name == "S2F_ERR_NO_SPEECH" and "s of speech" in caught.value.message
        pipeline.set_min_speech(0)
        assert pipeline.encode(np.zeros(6 * rate, np.float32), rate).shape == feature.shape
        with pytest.raises(s2f.S2FError):
            pipeline.set_min_speech(-1)
    with s2f.Model(model_path) as model, s2f.Pipeline(model, min_speech_seconds=0) as lenient:
        assert lenient.encode(tone(6.0, rate), rate).shape == feature.shape
