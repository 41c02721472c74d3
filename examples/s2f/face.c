/* Photo file → face feature with the model's face encoder (embed-face, gallery). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Photos per encode_batch call: enough for every thread to take several, few enough that the
 * decoded photos of one batch stay small (32 × a 224 × 224 crop: 4.8 MB). */
#define PHOTO_BATCH 32

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

/* Reports a photo the encoder refused: a photo that is unusable itself (a 100000×1 strip, …) is
 * bad input, anything else a runtime failure. */
static int photo_error(s2f_face_encoder *encoder, const char *path, s2f_status status)
{
    return cli_library_error(status == S2F_ERR_INVALID_ARGUMENT ? CLI_BAD_INPUT : CLI_RUNTIME,
                             path, status, s2f_face_encoder_last_error(encoder));
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
    return status == S2F_OK ? CLI_OK : photo_error(encoder, path, status);
}

/* Encodes photos[0..n) (decoded, all width × height) into features; on a failure, encodes them
 * one by one to name the photo at fault. */
static int encode_run(s2f_face_encoder *encoder, const char *const *paths, uint8_t **photos,
                      size_t n, int width, int height, uint8_t *packed, float *features,
                      size_t dim)
{
    const size_t bytes = (size_t)width * (size_t)height * 3;
    for (size_t i = 0; i < n; ++i)
        memcpy(packed + i * bytes, photos[i], bytes);
    if (s2f_face_encoder_encode_batch(encoder, packed, n, width, height, (size_t)width * 3, bytes,
                                      features, n * dim) == S2F_OK)
        return CLI_OK;
    for (size_t i = 0; i < n; ++i) {
        s2f_status status = s2f_face_encoder_encode(encoder, photos[i], width, height,
                                                    (size_t)width * 3, features + i * dim, dim);
        if (status != S2F_OK)
            return photo_error(encoder, paths[i], status);
    }
    return CLI_OK;
}

int cli_face_features(s2f_face_encoder *encoder, const char *const *paths, size_t count,
                      float *features, size_t dim, progress *bar)
{
    uint8_t *photos[PHOTO_BATCH] = {0}, *packed = NULL;
    size_t packed_bytes = 0;
    int rc = CLI_OK;
    for (size_t start = 0; start < count && rc == CLI_OK;) {
        /* Decode the next run of same-size photos (at most PHOTO_BATCH). */
        size_t n = 0;
        int width = 0, height = 0;
        char error[4200];
        while (start + n < count && n < PHOTO_BATCH) {
            int w = 0, h = 0;
            if (image_read_rgb8(paths[start + n], &photos[n], &w, &h, error, sizeof error) != 0) {
                photos[n] = NULL;
                if (n == 0) {
                    cli_error("%s", error);
                    rc = CLI_BAD_INPUT;
                }
                break; /* encode what came before; this photo is reported when it comes first */
            }
            if (n > 0 && (w != width || h != height)) {
                free(photos[n]); /* decoded again as the first of the next run */
                photos[n] = NULL;
                break;
            }
            width = w;
            height = h;
            ++n;
        }
        if (rc == CLI_OK && n > 0) {
            const size_t need = n * (size_t)width * (size_t)height * 3;
            if (need > packed_bytes) {
                uint8_t *grown = realloc(packed, need);
                if (!grown) {
                    cli_error("out of memory for %zu photos of %d×%d", n, width, height);
                    rc = CLI_RUNTIME;
                } else {
                    packed = grown;
                    packed_bytes = need;
                }
            }
            if (rc == CLI_OK)
                rc = encode_run(encoder, paths + start, photos, n, width, height, packed,
                                features + start * dim, dim);
        }
        for (size_t i = 0; i < n; ++i) {
            free(photos[i]);
            photos[i] = NULL;
            if (rc == CLI_OK)
                progress_step(bar);
        }
        start += n;
    }
    free(packed);
    return rc;
}
