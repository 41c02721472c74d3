/* Audio file → face feature: libsndfile (examples/common/audio_file.c) reads it in pieces, and
 * the library's s2f_pipeline (begin / write / finish) does the rest: spectrogram at the file's
 * rate, the voice encoder a few clips at a time, the mean over --segments. Memory stays that of
 * one clip batch whatever the recording's length; without --segments reading stops once the
 * first 6 s are in. */
#include "cli.h"

#include "common/audio_file.h"

#include <stdio.h>
#include <stdlib.h>

#define PIECE_FRAMES 65536 /* ~1.4 s at 48 kHz per read */

int cli_voice_feature(s2f_pipeline *pipeline, const char *path, int segments, float *feature,
                      size_t dim)
{
    char error[4200];
    audio_reader reader;
    if (audio_reader_open(path, PIECE_FRAMES, &reader, error, sizeof error) != 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    float *mono = malloc(sizeof(float) * PIECE_FRAMES);
    int rc = CLI_RUNTIME;
    if (!mono) {
        cli_error("%s: out of memory", path);
        goto done;
    }
    /* The reader downmixes, so the pipeline gets mono. */
    s2f_status status = s2f_pipeline_begin(pipeline, 1, reader.sample_rate, segments);
    long got = 0;
    int enough = 0;
    while (status == S2F_OK && !enough &&
           (got = audio_reader_read(&reader, mono, error, sizeof error)) > 0)
        status = s2f_pipeline_write(pipeline, mono, (size_t)got, &enough);
    if (got < 0) {
        cli_error("%s", error);
        rc = CLI_BAD_INPUT;
        goto done;
    }
    if (status == S2F_OK)
        status = s2f_pipeline_finish(pipeline, feature, dim);
    /* What the audio itself is (an unusable rate, NaN samples, too little audio or speech) is
     * bad input. */
    if (status != S2F_OK)
        rc = cli_library_error(status == S2F_ERR_INVALID_ARGUMENT || status == S2F_ERR_NON_FINITE ||
                                       status == S2F_ERR_NO_SPEECH
                                   ? CLI_BAD_INPUT
                                   : CLI_RUNTIME,
                               path, status, s2f_pipeline_last_error(pipeline));
    else
        rc = CLI_OK;
    if (status == S2F_ERR_NO_SPEECH)
        cli_error("%s: --force predicts a face from it anyway", path);
done:
    free(mono);
    audio_reader_close(&reader);
    return rc;
}

int cli_pipeline_create(const s2f_model *model, const char *model_path, int force,
                        s2f_pipeline **out, size_t *dim)
{
    int rc = cli_require_component(model, model_path, "voice_encoder",
                                   "speech: face, embed, search");
    if (rc != CLI_OK)
        return rc;
    s2f_status status = s2f_pipeline_create(model, out);
    if (status != S2F_OK) {
        char context[4200];
        snprintf(context, sizeof context, "model %s: voice pipeline", model_path);
        return cli_library_error(CLI_BAD_INPUT, context, status, s2f_last_error_message());
    }
    if (force)
        s2f_pipeline_set_min_speech(*out, 0.0);
    s2f_pipeline_shape(*out, dim, NULL, NULL, NULL);
    return CLI_OK;
}
