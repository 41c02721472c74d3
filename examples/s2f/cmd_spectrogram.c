/* s2f spectrogram VOICE -o SPEC.png: a greyscale picture of the voice encoder's input. Column t
 * is frame t (10 ms apart), row 0 (top) the highest bin (8 kHz), the bottom row 0 Hz. A pixel's
 * grey level is 20·log10 of the magnitude sqrt(re² + im²) of the *compressed* complex value (the
 * network's input, sign(x)·|x|^0.3 per part), mapped linearly from 24 dB below the loudest bin
 * (black) to the loudest (white). 24 dB of compressed magnitude is 80 dB of the uncompressed
 * spectrum (the exponent 0.3 scales decibels by 0.3).
 *
 * Memory is bounded whatever the recording's length: the audio is streamed twice through the
 * library's spectrogram stream (once for the loudest level, once to draw), so only the picture
 * itself is held, one byte per pixel: 92 MB for an hour with --whole. Pictures wider than
 * MAX_PICTURE_FRAMES are refused (docs/cli.md). */
#include "cli.h"

#include "common/audio_file.h"
#include "common/png_write.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SPECTROGRAM_RANGE_DB 24.0
#define MAX_PICTURE_FRAMES 400000 /* 66 min at 100 frames/s: 103 MB of picture */
#define PIECE_FRAMES 65536
#define BLOCK_FRAMES 598 /* frames read from the stream at a time (one paper clip) */

typedef struct picture {
    double loudest;   /* dB; found by the first pass */
    uint8_t *grey;    /* bins × frames, drawn by the second pass */
    size_t frames;    /* counted by the first pass */
    size_t bins;
} picture;

static double decibels(const float *value)
{
    double re = value[0], im = value[1];
    return 20.0 * log10(sqrt(re * re + im * im) + 1e-12);
}

/* One pass over the file: streams it and visits every frame block. The first pass (grey NULL)
 * counts frames and finds the loudest level; the second draws. */
static int pass(const char *path, int whole, picture *pic, float *block)
{
    char error[4200];
    audio_reader reader;
    if (audio_reader_open(path, PIECE_FRAMES, &reader, error, sizeof error) != 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    int rc = CLI_RUNTIME;
    s2f_spectrogram_stream *stream = NULL;
    float *mono = malloc(sizeof(float) * PIECE_FRAMES);
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = reader.sample_rate;
    if (whole)
        params.clip_seconds = 0.0;
    s2f_status status = s2f_spectrogram_stream_create(&params, &stream);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_BAD_INPUT, path, status, s2f_last_error_message());
        goto done;
    }
    if (!mono) {
        cli_error("out of memory");
        goto done;
    }
    size_t t0 = 0, per_frame = pic->bins * 2;
    int finished = 0;
    long got = 0;
    /* Without --whole the picture is the first clip: reading stops once it is out. */
    while (whole || t0 == 0) {
        size_t frames = 0;
        status = s2f_spectrogram_stream_read(stream, block, per_frame * BLOCK_FRAMES, &frames);
        if (status != S2F_OK) {
            rc = cli_library_error(CLI_RUNTIME, path, status,
                                   s2f_spectrogram_stream_last_error(stream));
            goto done;
        }
        if (frames > 0) {
            if (t0 + frames > MAX_PICTURE_FRAMES) {
                cli_error("%s: more than %d frames (%.0f minutes) is too wide for a picture; "
                          "cut the audio first",
                          path, MAX_PICTURE_FRAMES, MAX_PICTURE_FRAMES / 6000.0);
                rc = CLI_BAD_INPUT;
                goto done;
            }
            if (pic->grey && t0 + frames > pic->frames) {
                cli_error("%s: the file changed while it was being read", path);
                rc = CLI_BAD_INPUT;
                goto done;
            }
            for (size_t t = 0; t < frames; ++t)
                for (size_t f = 0; f < pic->bins; ++f) {
                    double level = decibels(block + t * per_frame + 2 * f);
                    if (!pic->grey) {
                        if (level > pic->loudest)
                            pic->loudest = level;
                        continue;
                    }
                    level = (level - pic->loudest) / SPECTROGRAM_RANGE_DB + 1.0;
                    level = level < 0.0 ? 0.0 : level > 1.0 ? 1.0 : level;
                    pic->grey[(pic->bins - 1 - f) * pic->frames + t0 + t] =
                        (uint8_t)lrint(255.0 * level);
                }
            t0 += frames;
            continue;
        }
        if (finished)
            break;
        got = audio_reader_read(&reader, mono, error, sizeof error);
        if (got < 0) {
            cli_error("%s", error);
            rc = CLI_BAD_INPUT;
            goto done;
        }
        status = got > 0 ? s2f_spectrogram_stream_write(stream, mono, (size_t)got)
                         : s2f_spectrogram_stream_finish(stream);
        finished = got == 0;
        if (status != S2F_OK) {
            rc = cli_library_error(status == S2F_ERR_NON_FINITE ||
                                           status == S2F_ERR_INVALID_ARGUMENT
                                       ? CLI_BAD_INPUT
                                       : CLI_RUNTIME,
                                   path, status, s2f_spectrogram_stream_last_error(stream));
            goto done;
        }
    }
    if (!pic->grey)
        pic->frames = t0;
    rc = CLI_OK;
done:
    free(mono);
    s2f_spectrogram_stream_free(stream);
    audio_reader_close(&reader);
    return rc;
}

int cmd_spectrogram(cli_args *args)
{
    if (args->n_inputs != 1 || !args->output) {
        cli_error("spectrogram needs one VOICE file and -o SPEC.png (s2f spectrogram --help)");
        return CLI_USAGE;
    }
    const char *path = args->inputs[0];
    picture pic = {.loudest = -INFINITY};
    s2f_spectrogram_params defaults = s2f_spectrogram_default_params();
    pic.bins = (size_t)defaults.fft_size / 2 + 1;
    float *block = malloc(sizeof(float) * pic.bins * 2 * BLOCK_FRAMES);
    if (!block) {
        cli_error("out of memory");
        return CLI_RUNTIME;
    }
    int rc = pass(path, args->whole, &pic, block);
    if (rc == CLI_OK) {
        pic.grey = malloc(pic.frames * pic.bins);
        if (!pic.grey) {
            cli_error("out of memory for a %zu × %zu picture", pic.frames, pic.bins);
            rc = CLI_RUNTIME;
        }
    }
    if (rc == CLI_OK)
        rc = pass(path, args->whole, &pic, block);
    if (rc == CLI_OK) {
        char error[4200];
        if (png_write_gray8(args->output, pic.grey, (int)pic.frames, (int)pic.bins, pic.frames,
                            error, sizeof error) != 0) {
            cli_error("%s", error);
            rc = CLI_RUNTIME;
        }
    }
    free(pic.grey);
    free(block);
    return rc;
}
