/* s2f face VOICE -o FACE.png [--landmarks]: voice → feature → face decoder → PNG. */
#include "cli.h"

#include "common/png_write.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_face(cli_args *args)
{
    if (args->n_inputs != 1 || !args->output) {
        cli_error("face needs one VOICE file and -o FACE.png (s2f face --help)");
        return CLI_USAGE;
    }
    cli_apply_blas_threads(args);
    s2f_model *model = NULL;
    s2f_pipeline *pipeline = NULL;
    s2f_face_decoder *decoder = NULL;
    float *feature = NULL, *landmarks = NULL;
    uint8_t *rgb = NULL;
    const char *model_path = NULL;
    size_t dim = 0, decoder_dim = 0, side = 0, count = 0;
    int rc = cli_load_model(args, &model, &model_path);
    if (rc == CLI_OK)
        rc = cli_pipeline_create(model, model_path, args->force, &pipeline, &dim);
    if (rc == CLI_OK)
        rc = cli_require_component(model, model_path, "face_decoder", "drawing the face");
    if (rc == CLI_OK) {
        s2f_status status = s2f_face_decoder_create(model, &decoder);
        if (status != S2F_OK)
            rc = cli_library_error(CLI_BAD_INPUT, "face decoder", status, s2f_last_error_message());
    }
    if (rc != CLI_OK)
        goto done;
    s2f_face_decoder_shape(decoder, &decoder_dim, NULL, NULL, NULL);
    if (decoder_dim != dim) {
        cli_error("model %s: the voice encoder gives %zu-D features but the face decoder takes "
                  "%zu-D", model_path, dim, decoder_dim);
        rc = CLI_BAD_INPUT;
        goto done;
    }
    feature = malloc(dim * sizeof *feature);
    if (!feature) {
        cli_error("out of memory");
        rc = CLI_RUNTIME;
        goto done;
    }
    rc = cli_voice_feature(pipeline, args->inputs[0], args->segments, feature, dim);
    if (rc == CLI_OK)
        rc = cli_decode_face(decoder, feature, dim, &rgb, &side, &landmarks, &count);
    if (rc != CLI_OK)
        goto done;
    if (args->landmarks) {
        static const uint8_t red[3] = {255, 32, 32};
        int radius = side >= 160 ? 2 : 1;
        for (size_t i = 0; i < count; ++i)
            draw_dot(rgb, (int)side, (int)side, side * 3, landmarks[2 * i], landmarks[2 * i + 1],
                     radius, red);
    }
    char error[4200];
    if (png_write_rgb8(args->output, rgb, (int)side, (int)side, side * 3, error, sizeof error)) {
        cli_error("%s", error);
        rc = CLI_RUNTIME;
    }
done:
    free(rgb);
    free(landmarks);
    free(feature);
    s2f_face_decoder_free(decoder);
    s2f_pipeline_free(pipeline);
    s2f_model_free(model);
    return rc;
}
