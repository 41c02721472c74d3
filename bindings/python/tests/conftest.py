"""Fixtures of the binding tests. The meson test 'python-bindings' sets S2F_LIBRARY (the built
.so), PYTHONPATH (bindings/python) and S2F_SOURCE_ROOT / S2F_SAMPLES; the model is the front-end
fixture tests/cli/data/voice_decoder.s2fm merged with models/face_encoder_faceapi.s2fm when the
tree has it."""
import os
import sys

import pytest

SOURCE = os.environ.get("S2F_SOURCE_ROOT",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
SAMPLES = os.environ.get("S2F_SAMPLES", os.path.join(SOURCE, "..", "shared", "data", "s2f-samples",
                                                     "avspeech"))
sys.path.insert(0, os.path.join(SOURCE, "tools"))


@pytest.fixture(scope="session")
def source_root():
    return SOURCE


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    from reference import s2f_model
    parts = [os.path.join(SOURCE, "tests", "cli", "data", "voice_decoder.s2fm")]
    face_model = os.path.join(SOURCE, "models", "face_encoder_faceapi.s2fm")
    if os.path.exists(face_model):
        parts.append(face_model)
    path = str(tmp_path_factory.mktemp("model") / "fixture.s2fm")
    s2f_model.merge(path, parts)
    return path


@pytest.fixture(scope="session")
def clips():
    wav = os.path.join(SAMPLES, "Wav")
    if not os.path.isdir(wav):
        pytest.skip(f"{wav} is absent")
    return [os.path.join(wav, name) for name in sorted(os.listdir(wav))[:2]]


@pytest.fixture(scope="session")
def photos():
    faces = os.path.join(SAMPLES, "Face_ori")
    if not os.path.isdir(faces):
        pytest.skip(f"{faces} is absent")
    return [os.path.join(faces, name) for name in sorted(os.listdir(faces))[:3]]
