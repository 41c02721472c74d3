/* Audio files → mono float PCM for the examples and the s2f tool. Decoding is deliberately not
 * in the library (which takes PCM): any format libsndfile reads (WAV, FLAC, OGG/Vorbis, Opus,
 * AIFF, …, MP3 with libsndfile >= 1.1) works here; multi-channel input is averaged with
 * s2f_audio_downmix(). The frame count in a file's header is never trusted: it may be 0 or
 * "unknown" (a streamed FLAC), or a lie; files are read in pieces until the decoder says EOF. */
#ifndef S2F_EXAMPLES_AUDIO_FILE_H
#define S2F_EXAMPLES_AUDIO_FILE_H

#include <stddef.h>

/* Piece by piece: for audio of any length in bounded memory. */
typedef struct audio_reader {
    void *file;         /* SNDFILE */
    const char *path;
    double sample_rate; /* Hz, as stored in the file */
    int channels;       /* of the file, before downmixing */
    float *interleaved; /* one piece as decoded */
    size_t piece_frames;
    size_t frames_read; /* so far */
    /* Standard input ("-"), read whole first: FLAC and Ogg decoders seek, a pipe cannot. */
    unsigned char *memory;
    size_t memory_size, memory_position;
} audio_reader;

/** Opens `path` (or "-": standard input, read into memory first) for reading in pieces of up
 *  to `piece_frames` frames; 0 on success, -1 with a message in `error`. */
int audio_reader_open(const char *path, size_t piece_frames, audio_reader *reader, char *error,
                      size_t error_size);
/** Reads the next piece, downmixed, into `mono` (room for piece_frames samples): returns the
 *  samples read (0 at the end of the file), or -1 with a message in `error`. */
long audio_reader_read(audio_reader *reader, float *mono, char *error, size_t error_size);
void audio_reader_close(audio_reader *reader);

/* The whole file at once: for clips (the bounded tools use audio_reader). */
typedef struct audio_pcm {
    float *samples;     /* mono, nominally in [-1, 1]; free with audio_pcm_free */
    size_t n_samples;
    double sample_rate; /* Hz, as stored in the file */
    int channels;       /* of the file, before downmixing */
} audio_pcm;

/** Reads all of `path`; returns 0 on success, -1 with a message in `error` otherwise (also for
 *  a file that decodes to no samples). */
int audio_file_read(const char *path, audio_pcm *out, char *error, size_t error_size);
void audio_pcm_free(audio_pcm *pcm);

#endif
