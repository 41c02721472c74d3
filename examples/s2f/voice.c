/* Audio file → face feature: libsndfile (examples/common/audio_file.c) → the paper's
 * spectrogram at the file's rate (the library resamples) → the voice encoder. */
#include "cli.h"

#include "common/audio_file.h"

#include <stdio.h>
#include <stdlib.h>

int cli_voice_feature(s2f_voice_encoder *encoder, const char *path, int segments, float *feature,
                      size_t dim)
{
    audio_pcm pcm;
    char error[4200];
    if (audio_file_read(path, &pcm, error, sizeof error) != 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    int rc = CLI_RUNTIME;
    s2f_spectrogram *spectrogram = NULL;
    float *spec = NULL, *features = NULL;
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = pcm.sample_rate;
    s2f_status status = s2f_spectrogram_create(&params, &spectrogram);
    if (status != S2F_OK) {
        /* A rate the library does not take (e.g. 4 kHz) is a property of the input file. */
        rc = cli_library_error(status == S2F_ERR_INVALID_ARGUMENT ? CLI_BAD_INPUT : CLI_RUNTIME,
                               path, status, s2f_last_error_message());
        goto done;
    }
    size_t frames = 0, bins = 0, count = 1;
    status = s2f_spectrogram_shape(spectrogram, pcm.n_samples, &frames, &bins);
    if (status == S2F_OK && segments)
        status = s2f_spectrogram_segment_count(spectrogram, pcm.n_samples, &count);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_BAD_INPUT, path, status,
                               s2f_spectrogram_last_error(spectrogram));
        goto done;
    }
    size_t floats = count * frames * bins * 2;
    spec = malloc(floats * sizeof *spec);
    features = malloc(count * dim * sizeof *features);
    if (!spec || !features) {
        cli_error("%s: out of memory for %zu spectrogram segments", path, count);
        goto done;
    }
    status = segments ? s2f_spectrogram_compute_segments(spectrogram, pcm.samples, pcm.n_samples,
                                                         spec, floats, NULL)
                      : s2f_spectrogram_compute(spectrogram, pcm.samples, pcm.n_samples, spec,
                                                floats, NULL);
    if (status != S2F_OK) {
        rc = cli_library_error(status == S2F_ERR_NON_FINITE ? CLI_BAD_INPUT : CLI_RUNTIME, path,
                               status, s2f_spectrogram_last_error(spectrogram));
        goto done;
    }
    /* One clip goes through encode (the call a user of the library makes for one clip). */
    status = count == 1 ? s2f_voice_encoder_encode(encoder, spec, frames, bins, 2, features, dim)
                        : s2f_voice_encoder_encode_batch(encoder, spec, count, frames, bins, 2,
                                                         features, count * dim);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_RUNTIME, path, status, s2f_voice_encoder_last_error(encoder));
        goto done;
    }
    /* One clip: the feature as the encoder gives it (bit-identical to the library called
     * directly). Several: their mean, summed in double. */
    for (size_t d = 0; d < dim; ++d) {
        double sum = 0.0;
        for (size_t s = 0; s < count; ++s)
            sum += features[s * dim + d];
        feature[d] = count == 1 ? features[d] : (float)(sum / (double)count);
    }
    rc = CLI_OK;
done:
    free(features);
    free(spec);
    s2f_spectrogram_free(spectrogram);
    audio_pcm_free(&pcm);
    return rc;
}

int cli_voice_encoder_create(const s2f_model *model, const char *model_path,
                             s2f_voice_encoder **out, size_t *dim)
{
    int rc = cli_require_component(model, model_path, "voice_encoder",
                                   "speech: face, embed, search");
    if (rc != CLI_OK)
        return rc;
    s2f_status status = s2f_voice_encoder_create(model, out);
    if (status != S2F_OK) {
        char context[4200];
        snprintf(context, sizeof context, "model %s: voice encoder", model_path);
        return cli_library_error(CLI_BAD_INPUT, context, status, s2f_last_error_message());
    }
    s2f_voice_encoder_shape(*out, dim, NULL, NULL, NULL);
    return CLI_OK;
}
