/* The public decode functions of s2f_face_decoder: validate the caller's arguments, run the
 * network (face_decoder.c), warp the texture from the mean-face landmarks to the predicted ones
 * and write the caller's buffers — only once nothing can fail any more. */
#include "core/alloc.h"
#include "pipeline/face_decoder_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

/* Checks shared by every decode call: the feature, and the optional landmarks output. */
static s2f_status check_feature(s2f_face_decoder *d, const float *feature, size_t feature_dim,
                                const float *landmarks, size_t landmarks_capacity)
{
    if (!feature)
        return s2fi_fail(&d->error, S2F_ERR_INVALID_ARGUMENT, "feature is NULL");
    if (feature_dim != (size_t)d->config.feature_dim)
        return s2fi_fail(&d->error, S2F_ERR_SHAPE_MISMATCH,
                         "feature has %zu values; this decoder takes %d", feature_dim,
                         d->config.feature_dim);
    const size_t landmark_floats = 2 * (size_t)d->config.landmark_count;
    if (landmarks && landmarks_capacity < landmark_floats)
        return s2fi_fail(&d->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "landmarks holds %zu floats; %d landmarks need %zu",
                         landmarks_capacity, d->config.landmark_count, landmark_floats);
    for (size_t i = 0; i < feature_dim; ++i)
        if (!isfinite(feature[i]))
            return s2fi_fail(&d->error, S2F_ERR_NON_FINITE, "feature[%zu] is %s", i,
                             isnan(feature[i]) ? "NaN" : "infinite");
    return S2F_OK;
}

static s2f_status check_image_output(s2f_face_decoder *d, const void *image, size_t image_bytes,
                                     const char *name, size_t capacity, size_t needed,
                                     const float *landmarks)
{
    if (!image)
        return s2fi_fail(&d->error, S2F_ERR_INVALID_ARGUMENT, "%s is NULL", name);
    if (capacity < needed)
        return s2fi_fail(&d->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "%s holds %zu values; a %d×%d RGB image needs %zu", name, capacity,
                         d->image_shape.height, d->image_shape.width, needed);
    if (landmarks && s2fi_ranges_overlap(image, image_bytes, landmarks,
                              2 * (size_t)d->config.landmark_count * sizeof(float)))
        return s2fi_fail(&d->error, S2F_ERR_INVALID_ARGUMENT, "%s and landmarks overlap", name);
    return S2F_OK;
}

/* Network + warp into `rgb` (H×W×3 floats). Leaves `rgb` untouched on failure. */
static s2f_status decode_into(s2f_face_decoder *d, const float *feature, float *rgb)
{
    s2f_status status = s2fi_face_decoder_forward(d, feature);
    if (status != S2F_OK)
        return status;
    const s2fi_image_layout layout =
        s2fi_image_layout_interleaved(d->image_shape.height, d->image_shape.width, 3);
    status = s2fi_warp_f32(d->texture, &layout, d->config.mean_landmarks, d->landmarks,
                           (size_t)d->config.landmark_count, &d->config.warp, rgb,
                           &d->warp_workspace, &d->error);
    if (status == S2F_ERR_SINGULAR) {
        char detail[S2FI_ERROR_MESSAGE_MAX]; /* the slot is about to be rewritten */
        snprintf(detail, sizeof detail, "%s", s2fi_error_slot_message(&d->error));
        return s2fi_fail(&d->error, S2F_ERR_SINGULAR,
                         "the warp from the mean face to the predicted landmarks is singular "
                         "(%s); a model with face_decoder.warp_regularization > 0 avoids this",
                         detail);
    }
    return status;
}

static void copy_landmarks(const s2f_face_decoder *d, float *landmarks)
{
    if (landmarks)
        memcpy(landmarks, d->landmarks, 2 * (size_t)d->config.landmark_count * sizeof(float));
}

S2F_API s2f_status s2f_face_decoder_decode(s2f_face_decoder *decoder, const float *feature,
                                           size_t feature_dim, float *rgb, size_t rgb_capacity,
                                           float *landmarks, size_t landmarks_capacity)
{
    if (!decoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "decoder is NULL");
    s2f_face_decoder *d = decoder;
    const size_t needed = s2fi_shape_count(d->image_shape);
    s2f_status status;
    if ((status = check_image_output(d, rgb, (rgb_capacity < needed ? rgb_capacity : needed) *
                                     sizeof(float), "rgb", rgb_capacity, needed, landmarks)) ||
        (status = check_feature(d, feature, feature_dim, landmarks, landmarks_capacity)) ||
        (status = decode_into(d, feature, rgb)))
        return status;
    copy_landmarks(d, landmarks);
    return S2F_OK;
}

S2F_API s2f_status s2f_face_decoder_decode_u8(s2f_face_decoder *decoder, const float *feature,
                                              size_t feature_dim, uint8_t *rgb,
                                              size_t row_stride, size_t rgb_capacity,
                                              float *landmarks, size_t landmarks_capacity)
{
    if (!decoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "decoder is NULL");
    s2f_face_decoder *d = decoder;
    const size_t height = (size_t)d->image_shape.height, row_bytes = (size_t)d->image_shape.width * 3;
    if (row_stride < row_bytes)
        return s2fi_fail(&d->error, S2F_ERR_INVALID_ARGUMENT,
                         "row_stride %zu is below the %zu bytes of one RGB row", row_stride,
                         row_bytes);
    size_t needed;
    if (!s2fi_mul_size(height - 1, row_stride, &needed) ||
        !s2fi_add_size(needed, row_bytes, &needed))
        return s2fi_fail(&d->error, S2F_ERR_INVALID_ARGUMENT, "row_stride %zu is absurd",
                         row_stride);
    s2f_status status;
    if ((status = check_image_output(d, rgb, rgb_capacity < needed ? rgb_capacity : needed,
                                     "rgb", rgb_capacity, needed, landmarks)) ||
        (status = check_feature(d, feature, feature_dim, landmarks, landmarks_capacity)) ||
        (status = decode_into(d, feature, d->image)))
        return status;
    for (size_t y = 0; y < height; ++y) {
        const float *src = d->image + y * row_bytes;
        uint8_t *dst = rgb + y * row_stride;
        for (size_t i = 0; i < row_bytes; ++i) {
            /* The warp blends sigmoid outputs, so values are in [0, 1]; clamp for rounding. */
            const float v = fminf(fmaxf(src[i], 0.0f), 1.0f);
            dst[i] = (uint8_t)(v * 255.0f + 0.5f);
        }
    }
    copy_landmarks(d, landmarks);
    return S2F_OK;
}

S2F_API s2f_status s2f_face_decoder_decode_texture(s2f_face_decoder *decoder,
                                                   const float *feature, size_t feature_dim,
                                                   float *texture, size_t texture_capacity,
                                                   float *landmarks, size_t landmarks_capacity)
{
    if (!decoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "decoder is NULL");
    s2f_face_decoder *d = decoder;
    const size_t needed = s2fi_shape_count(d->image_shape);
    s2f_status status;
    if ((status = check_image_output(d, texture,
                                     (texture_capacity < needed ? texture_capacity : needed) *
                                     sizeof(float), "texture", texture_capacity, needed,
                                     landmarks)) ||
        (status = check_feature(d, feature, feature_dim, landmarks, landmarks_capacity)) ||
        (status = s2fi_face_decoder_forward(d, feature)))
        return status;
    memcpy(texture, d->texture, needed * sizeof(float));
    copy_landmarks(d, landmarks);
    return S2F_OK;
}

S2F_API s2f_status s2f_face_decoder_mean_landmarks(const s2f_face_decoder *decoder,
                                                   float *landmarks, size_t landmarks_capacity)
{
    if (!decoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "decoder is NULL");
    /* A const handle's slot is not written: the thread's slot carries the message. */
    if (!landmarks)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "landmarks is NULL");
    const size_t floats = 2 * (size_t)decoder->config.landmark_count;
    if (landmarks_capacity < floats)
        return s2fi_fail(NULL, S2F_ERR_BUFFER_TOO_SMALL,
                         "landmarks holds %zu floats; %d landmarks need %zu", landmarks_capacity,
                         decoder->config.landmark_count, floats);
    memcpy(landmarks, decoder->config.mean_landmarks, floats * sizeof(float));
    return S2F_OK;
}
