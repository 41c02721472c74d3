"""The oracles: independent implementations libspeech2face is checked against. PyTorch modules of
every network (voice_encoder, face_decoder, face_recognition_net), the model container's Python
reader/writer (s2f_model: also `info` and `merge` on the command line), numpy references of the
spectrogram (spectrogram_ref) and the spline warp (warp_ref), the face index against numpy and
FAISS (index_oracle, index_features), and the original face-api in Node (compare_face_api,
faceapi_oracle.js). Nothing here imports another tools/ folder."""
