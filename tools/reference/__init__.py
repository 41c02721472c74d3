"""Reference PyTorch/numpy implementations of every network in libspeech2face (the oracles)."""
