/* Photo file → face feature with the model's face encoder (embed-face, gallery). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cli_face_encoder_create(const s2f_model *model, const char *model_path,
                            s2f_face_encoder **out, size_t *dim)
{
    int rc = cli_require_component(model, model_path, "face_encoder",
                                   "photos: embed-face, gallery");
    if (rc != CLI_OK)
        return rc;
    s2f_status status = s2f_face_encoder_create(model, out);
    if (status != S2F_OK) {
        char context[4200];
        snprintf(context, sizeof context, "model %s: face encoder", model_path);
        return cli_library_error(CLI_BAD_INPUT, context, status, s2f_last_error_message());
    }
    s2f_face_encoder_shape(*out, dim, NULL);
    return CLI_OK;
}

int cli_face_feature(s2f_face_encoder *encoder, const char *path, float *feature, size_t dim)
{
    uint8_t *rgb = NULL;
    int width = 0, height = 0;
    char error[4200];
    if (image_read_rgb8(path, &rgb, &width, &height, error, sizeof error) != 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    s2f_status status = s2f_face_encoder_encode(encoder, rgb, width, height, (size_t)width * 3,
                                                feature, dim);
    free(rgb);
    if (status != S2F_OK)
        /* The encoder refuses only what the photo itself is (a 100000×1 strip, …): bad input. */
        return cli_library_error(status == S2F_ERR_INVALID_ARGUMENT ? CLI_BAD_INPUT : CLI_RUNTIME,
                                 path, status, s2f_face_encoder_last_error(encoder));
    return CLI_OK;
}
