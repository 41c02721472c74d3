#include "audio_file.h"

#include <speech2face.h>

#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHANNELS 256 /* s2f_audio_downmix's limit */

/* libsndfile's virtual I/O over the bytes of standard input held in the reader. */
static sf_count_t memory_length(void *user)
{
    return (sf_count_t)((audio_reader *)user)->memory_size;
}

static sf_count_t memory_seek(sf_count_t offset, int whence, void *user)
{
    audio_reader *r = user;
    sf_count_t base = whence == SEEK_CUR ? (sf_count_t)r->memory_position
                      : whence == SEEK_END ? (sf_count_t)r->memory_size
                                           : 0;
    sf_count_t target = base + offset;
    if (target < 0 || target > (sf_count_t)r->memory_size)
        return -1;
    r->memory_position = (size_t)target;
    return target;
}

static sf_count_t memory_read(void *destination, sf_count_t count, void *user)
{
    audio_reader *r = user;
    size_t left = r->memory_size - r->memory_position;
    size_t n = count < 0 ? 0 : (size_t)count < left ? (size_t)count : left;
    memcpy(destination, r->memory + r->memory_position, n);
    r->memory_position += n;
    return (sf_count_t)n;
}

static sf_count_t memory_write(const void *source, sf_count_t count, void *user)
{
    (void)source, (void)count, (void)user;
    return 0;
}

static sf_count_t memory_tell(void *user)
{
    return (sf_count_t)((audio_reader *)user)->memory_position;
}

/* Reads all of standard input into reader->memory. */
static int slurp_stdin(audio_reader *reader, char *error, size_t error_size)
{
    size_t capacity = 0;
    for (;;) {
        if (reader->memory_size == capacity) {
            size_t grown = capacity ? capacity * 2 : (size_t)1 << 20;
            unsigned char *bigger = realloc(reader->memory, grown);
            if (!bigger) {
                snprintf(error, error_size, "standard input: out of memory after %zu bytes",
                         reader->memory_size);
                return -1;
            }
            reader->memory = bigger;
            capacity = grown;
        }
        size_t got = fread(reader->memory + reader->memory_size, 1,
                           capacity - reader->memory_size, stdin);
        reader->memory_size += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        snprintf(error, error_size, "standard input: read error");
        return -1;
    }
    return 0;
}

int audio_reader_open(const char *path, size_t piece_frames, audio_reader *reader, char *error,
                      size_t error_size)
{
    *reader = (audio_reader){.path = path, .piece_frames = piece_frames};
    SF_INFO info = {0};
    SNDFILE *file = NULL;
    if (strcmp(path, "-") == 0) {
        if (slurp_stdin(reader, error, error_size) != 0) {
            audio_reader_close(reader);
            return -1;
        }
        SF_VIRTUAL_IO io = {memory_length, memory_seek, memory_read, memory_write, memory_tell};
        file = sf_open_virtual(&io, SFM_READ, &info, reader);
    } else {
        file = sf_open(path, SFM_READ, &info);
    }
    if (!file) {
        snprintf(error, error_size, "%s: %s", path, sf_strerror(NULL));
        audio_reader_close(reader);
        return -1;
    }
    if (info.channels < 1 || info.channels > MAX_CHANNELS || info.samplerate <= 0) {
        snprintf(error, error_size, "%s: %d channels at %d Hz is not usable audio", path,
                 info.channels, info.samplerate);
        reader->file = file;
        audio_reader_close(reader);
        return -1;
    }
    reader->file = file;
    reader->sample_rate = info.samplerate;
    reader->channels = info.channels;
    /* Sized from our piece length, never from the header's frame count. */
    reader->interleaved = malloc(sizeof(float) * piece_frames * (size_t)info.channels);
    if (!reader->interleaved) {
        snprintf(error, error_size, "%s: out of memory for a %zu-frame piece", path,
                 piece_frames);
        audio_reader_close(reader);
        return -1;
    }
    return 0;
}

long audio_reader_read(audio_reader *reader, float *mono, char *error, size_t error_size)
{
    /* libsndfile scales integer PCM to [-1, 1) (x / 32768 for 16-bit), as numpy readers do. */
    sf_count_t got = sf_readf_float(reader->file, reader->interleaved,
                                    (sf_count_t)reader->piece_frames);
    if (got < 0 || sf_error(reader->file) != SF_ERR_NO_ERROR) {
        snprintf(error, error_size, "%s: decoding failed after %zu frames: %s", reader->path,
                 reader->frames_read, sf_strerror(reader->file));
        return -1;
    }
    if (got == 0)
        return 0;
    if (s2f_audio_downmix(reader->interleaved, (size_t)got, reader->channels, mono) != S2F_OK) {
        snprintf(error, error_size, "%s: %s", reader->path, s2f_last_error_message());
        return -1;
    }
    reader->frames_read += (size_t)got;
    return (long)got;
}

void audio_reader_close(audio_reader *reader)
{
    if (reader->file)
        sf_close(reader->file);
    free(reader->interleaved);
    free(reader->memory);
    *reader = (audio_reader){0};
}

int audio_file_read(const char *path, audio_pcm *out, char *error, size_t error_size)
{
    *out = (audio_pcm){0};
    enum { PIECE = 1 << 16 };
    audio_reader reader;
    if (audio_reader_open(path, PIECE, &reader, error, error_size) != 0)
        return -1;
    float *samples = NULL;
    size_t n = 0, capacity = 0;
    long got = 0;
    for (;;) {
        if (capacity - n < PIECE) {
            size_t grown = capacity ? capacity * 2 : PIECE;
            float *bigger =
                grown > SIZE_MAX / sizeof(float) ? NULL : realloc(samples, sizeof(float) * grown);
            if (!bigger) {
                snprintf(error, error_size, "%s: out of memory after %zu samples", path, n);
                free(samples);
                audio_reader_close(&reader);
                return -1;
            }
            samples = bigger;
            capacity = grown;
        }
        got = audio_reader_read(&reader, samples + n, error, error_size);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    out->sample_rate = reader.sample_rate;
    out->channels = reader.channels;
    audio_reader_close(&reader);
    if (got < 0 || n == 0) {
        if (got == 0)
            snprintf(error, error_size, "%s: no samples could be decoded", path);
        free(samples);
        return -1;
    }
    out->samples = samples;
    out->n_samples = n;
    return 0;
}

void audio_pcm_free(audio_pcm *pcm)
{
    if (!pcm)
        return;
    free(pcm->samples);
    *pcm = (audio_pcm){0};
}
