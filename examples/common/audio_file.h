/* Audio files → mono float PCM for the examples and the s2f tool. Decoding is deliberately not
 * in the library (which takes PCM): any format libsndfile reads (WAV, FLAC, OGG/Vorbis, Opus,
 * AIFF, …, MP3 with libsndfile >= 1.1) works here; multi-channel input is averaged with
 * s2f_audio_downmix(). */
#ifndef S2F_EXAMPLES_AUDIO_FILE_H
#define S2F_EXAMPLES_AUDIO_FILE_H

#include <stddef.h>

typedef struct audio_pcm {
    float *samples;     /* mono, nominally in [-1, 1]; free with audio_pcm_free */
    size_t n_samples;
    double sample_rate; /* Hz, as stored in the file */
    int channels;       /* of the file, before downmixing */
} audio_pcm;

/** Reads `path`; returns 0 on success, -1 with a message in `error` otherwise. */
int audio_file_read(const char *path, audio_pcm *out, char *error, size_t error_size);
void audio_pcm_free(audio_pcm *pcm);

#endif
