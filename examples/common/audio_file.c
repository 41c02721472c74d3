#include "audio_file.h"

#include <speech2face.h>

#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int audio_file_read(const char *path, audio_pcm *out, char *error, size_t error_size)
{
    *out = (audio_pcm){0};
    SF_INFO info = {0};
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (!file) {
        snprintf(error, error_size, "%s: %s", path, sf_strerror(NULL));
        return -1;
    }
    if (info.frames <= 0 || info.channels < 1 ||
        (uint64_t)info.frames > SIZE_MAX / sizeof(float) / (uint64_t)info.channels) {
        snprintf(error, error_size, "%s: %lld frames of %d channels is not usable audio", path,
                 (long long)info.frames, info.channels);
        sf_close(file);
        return -1;
    }
    size_t frames = (size_t)info.frames;
    float *interleaved = malloc(sizeof(float) * frames * (size_t)info.channels);
    if (!interleaved) {
        snprintf(error, error_size, "%s: out of memory for %zu frames", path, frames);
        sf_close(file);
        return -1;
    }
    /* libsndfile scales integer PCM to [-1, 1) (x / 32768 for 16-bit), as numpy readers do. */
    sf_count_t read = sf_readf_float(file, interleaved, info.frames);
    sf_close(file);
    if (read <= 0) {
        snprintf(error, error_size, "%s: no samples could be decoded", path);
        free(interleaved);
        return -1;
    }
    frames = (size_t)read;
    s2f_status status = s2f_audio_downmix(interleaved, frames, info.channels, interleaved);
    if (status != S2F_OK) {
        snprintf(error, error_size, "%s: %s", path, s2f_last_error_message());
        free(interleaved);
        return -1;
    }
    out->samples = interleaved; /* mono now occupies the first `frames` floats */
    out->n_samples = frames;
    out->sample_rate = info.samplerate;
    out->channels = info.channels;
    return 0;
}

void audio_pcm_free(audio_pcm *pcm)
{
    if (!pcm)
        return;
    free(pcm->samples);
    *pcm = (audio_pcm){0};
}
