"""PCM arrays in, float32 out, by one stated rule (docs/python.md, "Audio arrays").

- float32 and float64 are taken as they are: nominal full scale is [-1, 1].
- Integer PCM is scaled to that range by its type's full scale, as every audio library does:
  int8 / 2**7, int16 / 2**15, int32 / 2**31; uint8 (8-bit WAV's offset binary) is
  (x - 128) / 2**7. So 16-bit samples read with dtype="int16" give the same feature as the same
  file read as floats.
- Any other type (int64, unsigned wider than 8 bits, bool, complex, object) is refused: its
  full scale is not known, and guessing silently gives a wrong face.
- Shape: mono (frames,), or (frames, channels) as soundfile and scipy read them. The mono
  calls downmix channels by their mean (s2f_audio_downmix); an array whose "channels" axis is
  longer than 64 is refused as probably (channels, frames): transpose it.
"""
import numpy as np

MAX_CHANNELS = 64
_INTEGER_SCALE = {np.dtype(np.int8): 2.0**7, np.dtype(np.int16): 2.0**15,
                  np.dtype(np.int32): 2.0**31}


def to_float32(samples) -> np.ndarray:
    """samples as C-contiguous float32 (frames,) or (frames, channels), scaled by the rule above."""
    array = np.asarray(samples)
    if array.dtype in (np.float32, np.float64):
        pcm = array.astype(np.float32, copy=False)
    elif array.dtype in _INTEGER_SCALE:
        pcm = (array.astype(np.float64) / _INTEGER_SCALE[array.dtype]).astype(np.float32)
    elif array.dtype == np.uint8:
        pcm = ((array.astype(np.float64) - 128.0) / 2.0**7).astype(np.float32)
    else:
        raise TypeError(f"PCM of dtype {array.dtype} has no known full scale: pass float32/64 in "
                        "[-1, 1], or int8/int16/int32/uint8 PCM")
    if pcm.ndim not in (1, 2) or pcm.shape[0] == 0 or (pcm.ndim == 2 and pcm.shape[1] == 0):
        raise ValueError(f"expected (frames,) or (frames, channels) samples, got shape {pcm.shape}")
    if pcm.ndim == 2 and pcm.shape[1] > MAX_CHANNELS:
        raise ValueError(f"shape {pcm.shape} has {pcm.shape[1]} channels: expected (frames, "
                         "channels); transpose a (channels, frames) array")
    return np.ascontiguousarray(pcm)
