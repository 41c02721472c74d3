"""Converters into the .s2fm model container (written with tools/reference/s2f_model.py): PyTorch
state dicts of the reference modules (convert_voice_encoder, convert_face_decoder, through
converter_cli), face-api's weights from npm (convert_face_api, fetch_face_api.sh) and VGG-Face
(convert_vgg16)."""
