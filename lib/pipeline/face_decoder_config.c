#include "pipeline/face_decoder_config.h"

#include "image/spline_warp.h"

#include <math.h>
#include <string.h>

#define KEY(name) "face_decoder." name
#define MAX_WIDTH 65536
#define MAX_IMAGE_SIZE 4096

static s2f_status read_int(const s2f_model *model, const char *key, int min, int max, int *out,
                           s2fi_error_slot *slot)
{
    int64_t value;
    s2f_status status = s2fi_model_get_i64(model, key, &value, slot);
    if (status != S2F_OK)
        return status;
    if (value < min || value > max)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s = %lld is outside %d..%d", key,
                         (long long)value, min, max);
    *out = (int)value;
    return S2F_OK;
}

/* Reads an integer array key (at most `max` entries, each in [1, MAX_WIDTH]); `min_count` may
 * be 0 for lists that can be empty. */
static s2f_status read_int_array(const s2f_model *model, const char *key, int min_count, int max,
                                 int *out, int *count, s2fi_error_slot *slot)
{
    const int64_t *values;
    size_t n;
    s2f_status status = s2fi_model_get_i64_array(model, key, &values, &n, slot);
    if (status != S2F_OK)
        return status;
    if (n < (size_t)min_count || n > (size_t)max)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s has %zu entries; expected %d..%d", key, n,
                         min_count, max);
    for (size_t i = 0; i < n; ++i) {
        if (values[i] < 1 || values[i] > MAX_WIDTH)
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s[%zu] = %lld is outside 1..%d", key, i,
                             (long long)values[i], MAX_WIDTH);
        out[i] = (int)values[i];
    }
    *count = (int)n;
    return S2F_OK;
}

/* Whether an optional key exists, asked without a failing lookup (which would leave a message
 * in the thread's error slot of a call that succeeds). Keys are few; a scan is fine. */
static int has_key(const s2f_model *model, const char *key)
{
    size_t count = 0;
    char name[256];
    if (s2f_model_metadata_count(model, &count) != S2F_OK)
        return 0;
    for (size_t i = 0; i < count; ++i)
        if (s2f_model_metadata_key(model, i, name, sizeof name, NULL) == S2F_OK &&
            strcmp(name, key) == 0)
            return 1;
    return 0;
}

static s2f_status read_warp(const s2f_model *model, s2fi_face_decoder_config *c,
                            s2fi_error_slot *slot)
{
    c->warp = (s2f_warp_params){
        .size = sizeof(s2f_warp_params),
        .order = S2FI_FACE_DEFAULT_WARP_ORDER,
        .boundary_points = S2FI_FACE_DEFAULT_WARP_BOUNDARY_POINTS,
        .regularization = S2FI_FACE_DEFAULT_WARP_REGULARIZATION,
    };
    s2f_status status;
    int value = 0;
    if (has_key(model, KEY("warp_order"))) {
        if ((status = read_int(model, KEY("warp_order"), 1, 3, &value, slot)))
            return status;
        c->warp.order = value;
    }
    if (has_key(model, KEY("warp_boundary_points"))) {
        if ((status = read_int(model, KEY("warp_boundary_points"), 0,
                               S2FI_WARP_MAX_BOUNDARY_POINTS, &value, slot)))
            return status;
        c->warp.boundary_points = value;
    }
    if (has_key(model, KEY("warp_regularization"))) {
        if ((status = s2fi_model_get_f64(model, KEY("warp_regularization"),
                                         &c->warp.regularization, slot)))
            return status;
        if (!isfinite(c->warp.regularization) || c->warp.regularization < 0.0)
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                             "face_decoder.warp_regularization = %g must be finite and >= 0",
                             c->warp.regularization);
    }
    if ((size_t)c->landmark_count + 4 * (size_t)c->warp.boundary_points >
        S2FI_WARP_MAX_CONTROL_POINTS)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         "%d landmarks and %d boundary points per edge exceed the warp's %d "
                         "control points", c->landmark_count, (int)c->warp.boundary_points,
                         S2FI_WARP_MAX_CONTROL_POINTS);
    return S2F_OK;
}

/* Output size after the upsampling stack, or 0 if it leaves the supported range. */
static int upsampled_size(const s2fi_face_decoder_config *c)
{
    long long size = c->texture_size;
    for (int i = 0; i < c->upsample_count; ++i) {
        size = (size - 1) * c->upsample_stride - 2LL * c->upsample_padding + c->upsample_kernel +
               c->upsample_output_padding;
        if (size < 1 || size > MAX_IMAGE_SIZE)
            return 0;
    }
    return (int)size;
}

s2f_status s2fi_face_decoder_config_read(const s2f_model *model, s2fi_face_decoder_config *c,
                                         s2fi_error_slot *slot)
{
    memset(c, 0, sizeof *c);
    const char *architecture;
    s2f_status status = s2fi_model_get_string(model, KEY("architecture"), &architecture, slot);
    if (status != S2F_OK)
        return status;
    if (strcmp(architecture, "speech2face-face-decoder") != 0)
        return s2fi_fail(slot, S2F_ERR_UNSUPPORTED, "face decoder architecture \"%s\" is unknown",
                         architecture);
    if ((status = read_int(model, KEY("feature_dim"), 1, MAX_WIDTH, &c->feature_dim, slot)) ||
        (status = read_int(model, KEY("hidden_dim"), 1, MAX_WIDTH, &c->hidden_dim, slot)) ||
        (status = read_int_array(model, KEY("landmark_hidden"), 0, S2FI_FACE_MAX_LANDMARK_HIDDEN,
                                 c->landmark_hidden, &c->landmark_hidden_count, slot)) ||
        (status = read_int(model, KEY("landmark_count"), 1, S2FI_FACE_MAX_LANDMARKS,
                           &c->landmark_count, slot)) ||
        (status = read_int(model, KEY("texture_size"), 1, 1024, &c->texture_size, slot)) ||
        (status = read_int(model, KEY("texture_channels"), 1, MAX_WIDTH, &c->texture_channels,
                           slot)) ||
        (status = read_int_array(model, KEY("upsample_channels"), 0, S2FI_FACE_MAX_UPSAMPLES,
                                 c->upsample_channels, &c->upsample_count, slot)) ||
        (status = read_int(model, KEY("upsample_kernel"), 1, 64, &c->upsample_kernel, slot)) ||
        (status = read_int(model, KEY("upsample_stride"), 1, 64, &c->upsample_stride, slot)) ||
        (status = read_int(model, KEY("upsample_padding"), 0, 64, &c->upsample_padding, slot)) ||
        (status = read_int(model, KEY("upsample_output_padding"), 0, 63,
                           &c->upsample_output_padding, slot)) ||
        (status = read_int(model, KEY("image_size"), 2, MAX_IMAGE_SIZE, &c->image_size, slot)))
        return status;
    if (c->upsample_output_padding >= c->upsample_stride)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         "face_decoder.upsample_output_padding = %d must be below "
                         "upsample_stride = %d", c->upsample_output_padding, c->upsample_stride);
    if ((size_t)c->texture_channels * (size_t)c->texture_size * (size_t)c->texture_size >
        ((size_t)1 << 28))
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "a %d×%d×%d texture grid is too large",
                         c->texture_size, c->texture_size, c->texture_channels);
    const int computed = upsampled_size(c);
    if (computed != c->image_size)
        return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH,
                         "face_decoder.image_size = %d but %d upsamplings of a %d×%d grid "
                         "(kernel %d, stride %d, padding %d, output padding %d) give %d",
                         c->image_size, c->upsample_count, c->texture_size, c->texture_size,
                         c->upsample_kernel, c->upsample_stride, c->upsample_padding,
                         c->upsample_output_padding, computed);

    size_t count;
    if ((status = s2fi_model_get_f32_array(model, KEY("mean_landmarks"), &c->mean_landmarks,
                                           &count, slot)))
        return status;
    if (count != 2 * (size_t)c->landmark_count)
        return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH,
                         "face_decoder.mean_landmarks has %zu values; %d landmarks need %d",
                         count, c->landmark_count, 2 * c->landmark_count);
    for (size_t i = 0; i < count; ++i)
        if (!isfinite(c->mean_landmarks[i]))
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                             "face_decoder.mean_landmarks[%zu] (%s of landmark %zu) is not finite",
                             i, i % 2 ? "y" : "x", i / 2);
    return read_warp(model, c, slot);
}
