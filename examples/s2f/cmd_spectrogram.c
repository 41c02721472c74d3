/* s2f spectrogram VOICE -o SPEC.png: a picture of the voice encoder's input. Column t is frame t
 * (10 ms apart), row 0 (top) the highest bin (8 kHz), the bottom row 0 Hz. A pixel's grey level
 * is 20·log10 of the magnitude sqrt(re² + im²) of the *compressed* complex value (the network's
 * input, sign(x)·|x|^0.3 per part), mapped linearly from 24 dB below the loudest bin (black)
 * to the loudest (white). 24 dB of compressed magnitude is
 * 80 dB of the uncompressed spectrum (the exponent 0.3 scales decibels by 0.3). */
#include "cli.h"

#include "common/audio_file.h"
#include "common/png_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SPECTROGRAM_RANGE_DB 24.0

int cmd_spectrogram(cli_args *args)
{
    if (args->n_inputs != 1 || !args->output) {
        cli_error("spectrogram needs one VOICE file and -o SPEC.png (s2f spectrogram --help)");
        return CLI_USAGE;
    }
    audio_pcm pcm;
    char error[4200];
    if (audio_file_read(args->inputs[0], &pcm, error, sizeof error) != 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    int rc = CLI_RUNTIME;
    s2f_spectrogram *spectrogram = NULL;
    float *spec = NULL;
    double *decibels = NULL;
    uint8_t *rgb = NULL;
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = pcm.sample_rate;
    if (args->whole)
        params.clip_seconds = 0.0;
    size_t frames = 0, bins = 0;
    s2f_status status = s2f_spectrogram_create(&params, &spectrogram);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_BAD_INPUT, args->inputs[0], status, s2f_last_error_message());
        goto done;
    }
    status = s2f_spectrogram_shape(spectrogram, pcm.n_samples, &frames, &bins);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_BAD_INPUT, args->inputs[0], status,
                               s2f_spectrogram_last_error(spectrogram));
        goto done;
    }
    if (frames > 1000000) {
        cli_error("%s: %zu frames is too wide for a picture", args->inputs[0], frames);
        rc = CLI_BAD_INPUT;
        goto done;
    }
    spec = malloc(frames * bins * 2 * sizeof *spec);
    decibels = malloc(frames * bins * sizeof *decibels);
    rgb = malloc(frames * bins * 3);
    if (!spec || !decibels || !rgb) {
        cli_error("out of memory");
        goto done;
    }
    status = s2f_spectrogram_compute(spectrogram, pcm.samples, pcm.n_samples, spec,
                                     frames * bins * 2, NULL);
    if (status != S2F_OK) {
        rc = cli_library_error(status == S2F_ERR_NON_FINITE ? CLI_BAD_INPUT : CLI_RUNTIME,
                               args->inputs[0], status, s2f_spectrogram_last_error(spectrogram));
        goto done;
    }
    double loudest = -INFINITY;
    for (size_t i = 0; i < frames * bins; ++i) {
        double re = spec[2 * i], im = spec[2 * i + 1];
        decibels[i] = 20.0 * log10(sqrt(re * re + im * im) + 1e-12);
        if (decibels[i] > loudest)
            loudest = decibels[i];
    }
    for (size_t t = 0; t < frames; ++t)
        for (size_t f = 0; f < bins; ++f) {
            double level = (decibels[t * bins + f] - loudest) / SPECTROGRAM_RANGE_DB + 1.0;
            level = level < 0.0 ? 0.0 : level > 1.0 ? 1.0 : level;
            uint8_t grey = (uint8_t)lrint(255.0 * level);
            uint8_t *pixel = rgb + ((bins - 1 - f) * frames + t) * 3;
            pixel[0] = pixel[1] = pixel[2] = grey;
        }
    if (png_write_rgb8(args->output, rgb, (int)frames, (int)bins, frames * 3, error,
                       sizeof error) != 0) {
        cli_error("%s", error);
        goto done;
    }
    rc = CLI_OK;
done:
    free(rgb);
    free(decibels);
    free(spec);
    s2f_spectrogram_free(spectrogram);
    audio_pcm_free(&pcm);
    return rc;
}
