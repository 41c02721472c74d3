/* Interleaved multi-channel PCM → mono by averaging, for callers whose audio is stereo. */
#include "core/error.h"

#include <stdint.h>

#define MAX_CHANNELS 256

S2F_API s2f_status s2f_audio_downmix(const float *interleaved, size_t frames, int channels,
                                     float *mono_out)
{
    if (!interleaved || !mono_out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_audio_downmix: %s is NULL",
                         !interleaved ? "interleaved" : "mono_out");
    if (frames == 0)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_audio_downmix: frames is 0");
    if (channels < 1 || channels > MAX_CHANNELS)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_audio_downmix: channels is %d, expected 1..%d", channels,
                         MAX_CHANNELS);
    if (frames > SIZE_MAX / sizeof(float) / (size_t)channels)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_audio_downmix: %zu frames × %d channels overflows", frames, channels);
    /* Forward order makes mono_out == interleaved safe: output i is written after its inputs
     * i·channels … were read, and i <= i·channels, so no unread input is overwritten. */
    for (size_t i = 0; i < frames; ++i) {
        const float *frame = interleaved + i * (size_t)channels;
        double sum = 0.0;
        for (int c = 0; c < channels; ++c)
            sum += frame[c];
        mono_out[i] = (float)(sum / channels);
    }
    return S2F_OK;
}
