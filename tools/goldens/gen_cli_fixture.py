#!/usr/bin/python3
"""Model fixture for the front-end tests (s2f CLI, Python, Rust): random weights, real shapes.

    /usr/bin/python3 tools/goldens/gen_cli_fixture.py generate tests/cli/data/voice_decoder.s2fm

`generate` (needs torch) writes a voice encoder with the "small" widths of
tools/goldens/gen_voice_goldens.py but a 128-D feature, and the "small" face decoder of
tools/goldens/gen_face_decoder_goldens.py taking 128-D features: 128 is the default face space (face-api's
descriptor), so voice features can be searched in a gallery built by the real face encoder.
The tests add models/face_encoder_faceapi.s2fm's face encoder with s2f_model.merge.
"""
import dataclasses
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/
from reference import s2f_model  # noqa: E402

FEATURE_DIM = 128


def generate(path, seed=20240601):
    import torch
    from convert.convert_face_decoder import face_decoder_parts
    from convert.convert_voice_encoder import voice_encoder_parts
    from goldens.gen_face_decoder_goldens import CONFIGS as DECODER_CONFIGS
    from goldens.gen_voice_goldens import CONFIGS as VOICE_CONFIGS
    from reference import face_decoder, voice_encoder

    voice_config = VOICE_CONFIGS["small"]
    voice_config = dataclasses.replace(voice_config,
                                       fc_dims=[*voice_config.fc_dims[:-1], FEATURE_DIM])
    decoder_config = dataclasses.replace(DECODER_CONFIGS["small"], feature_dim=FEATURE_DIM)
    generator = torch.Generator().manual_seed(seed)
    voice = voice_encoder.randomize_(voice_encoder.VoiceEncoder(voice_config), generator)
    decoder = face_decoder.randomize_(face_decoder.FaceDecoder(decoder_config), generator)
    metadata = {"general.architecture": "speech2face",
                "general.provenance": f"tools/goldens/gen_cli_fixture.py generate (seed {seed}): random "
                                      "weights for testing the front ends only"}
    tensors = {}
    for part_metadata, part_tensors in (voice_encoder_parts(voice), face_decoder_parts(decoder)):
        metadata.update(part_metadata)
        tensors.update(part_tensors)
    s2f_model.write_model(path, metadata, tensors)


def main(argv):
    if len(argv) == 3 and argv[1] == "generate":
        generate(argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
