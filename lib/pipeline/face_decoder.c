/* s2f_face_decoder: building the network from a model, and its forward pass
 * (face feature → landmarks + texture; docs/face-decoder.md). The public decode functions,
 * which validate, warp and convert, are in face_decoder_decode.c. */
#include "core/alloc.h"
#include "core/workers.h"
#include "model/model.h"
#include "nn/activation.h"
#include "nn/layout.h"
#include "pipeline/face_decoder_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column blocks of the transposed convolutions are sized to this many floats (4 MB): dozens of
 * input rows per GEMM at 224×224, a small fraction of the activations. */
#define COLUMNS_BUDGET_FLOATS ((size_t)1 << 20)

static void emit(const s2f_face_decoder *d, const char *name, const float *data, s2fi_shape s)
{
    if (d->tap)
        d->tap(name, data, s.height, s.width, s.channels, d->tap_user);
}

static void emit_vector(const s2f_face_decoder *d, const char *name, const float *data, int n)
{
    emit(d, name, data, (s2fi_shape){1, 1, n});
}

/* ----------------------------------------------------------------------------------- build */

static s2f_status load_dense(s2f_face_decoder *d, const s2f_model *model, const char *layer,
                             int in_features, int out_features, s2fi_dense *dense)
{
    char name[128];
    const int64_t weight_shape[2] = {out_features, in_features};
    const int64_t bias_shape[1] = {out_features};
    s2f_status status;
    snprintf(name, sizeof name, "face_decoder.%s.weight", layer);
    if ((status = s2fi_model_tensor_f32(model, name, 2, weight_shape, &dense->weight, &d->error)))
        return status;
    snprintf(name, sizeof name, "face_decoder.%s.bias", layer);
    if ((status = s2fi_model_tensor_f32(model, name, 1, bias_shape, &dense->bias, &d->error)))
        return status;
    dense->in_features = in_features;
    dense->out_features = out_features;
    return S2F_OK;
}

static s2f_status build_landmark_head(s2f_face_decoder *d, const s2f_model *model)
{
    const s2fi_face_decoder_config *c = &d->config;
    int in = c->hidden_dim;
    char layer[32];
    d->landmark_layer_count = c->landmark_hidden_count + 1;
    for (int j = 0; j < d->landmark_layer_count; ++j) {
        const int out = j < c->landmark_hidden_count ? c->landmark_hidden[j] : 2 * c->landmark_count;
        snprintf(layer, sizeof layer, "landmark%d", j + 1);
        s2f_status status = load_dense(d, model, layer, in, out, &d->landmark_layers[j]);
        if (status != S2F_OK)
            return status;
        in = out;
    }
    return S2F_OK;
}

static s2f_status build_texture_head(s2f_face_decoder *d, const s2f_model *model)
{
    const s2fi_face_decoder_config *c = &d->config;
    d->texture_grid = (s2fi_shape){c->texture_size, c->texture_size, c->texture_channels};
    s2f_status status = load_dense(d, model, "texture_fc", c->hidden_dim,
                                   (int)s2fi_shape_count(d->texture_grid), &d->texture_fc);
    if (status != S2F_OK)
        return status;
    s2fi_shape shape = d->texture_grid;
    char name[128];
    for (int i = 0; i < c->upsample_count; ++i) {
        const int oc = c->upsample_channels[i];
        const int64_t weight_shape[4] = {shape.channels, oc, c->upsample_kernel, c->upsample_kernel};
        const int64_t bias_shape[1] = {oc};
        const float *weight, *bias;
        snprintf(name, sizeof name, "face_decoder.upconv%d.weight", i + 1);
        if ((status = s2fi_model_tensor_f32(model, name, 4, weight_shape, &weight, &d->error)))
            return status;
        snprintf(name, sizeof name, "face_decoder.upconv%d.bias", i + 1);
        if ((status = s2fi_model_tensor_f32(model, name, 1, bias_shape, &bias, &d->error)))
            return status;
        const s2fi_conv_transpose2d_config layer = {
            .in_channels = shape.channels, .out_channels = oc,
            .kernel_h = c->upsample_kernel, .kernel_w = c->upsample_kernel,
            .stride_h = c->upsample_stride, .stride_w = c->upsample_stride,
            .pad_h = c->upsample_padding, .pad_w = c->upsample_padding,
            .output_pad_h = c->upsample_output_padding, .output_pad_w = c->upsample_output_padding,
        };
        if ((status = s2fi_conv_transpose2d_init(&d->upconvs[i], &layer, weight, bias, &d->error)))
            return status;
        if (!s2fi_conv_transpose2d_output_shape(&d->upconvs[i], shape, &d->upconv_out[i]))
            return s2fi_fail(&d->error, S2F_ERR_SHAPE_MISMATCH,
                             "upconv%d leaves no output for a %d×%d input", i + 1, shape.height,
                             shape.width);
        shape = d->upconv_out[i];
    }
    const int64_t rgb_weight_shape[4] = {3, shape.channels, 1, 1};
    const int64_t rgb_bias_shape[1] = {3};
    const float *weight, *bias;
    if ((status = s2fi_model_tensor_f32(model, "face_decoder.to_rgb.weight", 4, rgb_weight_shape,
                                        &weight, &d->error)) ||
        (status = s2fi_model_tensor_f32(model, "face_decoder.to_rgb.bias", 1, rgb_bias_shape,
                                        &bias, &d->error)))
        return status;
    const s2fi_conv2d_config rgb = {
        .in_channels = shape.channels, .out_channels = 3, .kernel_h = 1, .kernel_w = 1,
        .stride_h = 1, .stride_w = 1, .padding = S2FI_PADDING_VALID,
    };
    if ((status = s2fi_conv2d_init(&d->to_rgb, &rgb, weight, bias, &d->error)))
        return status;
    if (shape.height != c->image_size || shape.width != c->image_size)
        return s2fi_fail(&d->error, S2F_ERR_INTERNAL, "upsampling gives %d×%d, metadata says %d",
                         shape.height, shape.width, c->image_size);
    d->image_shape = (s2fi_shape){shape.height, shape.width, 3};
    return S2F_OK;
}

static float *alloc_floats(size_t count)
{
    size_t bytes;
    if (count == 0 || !s2fi_mul_size(count, sizeof(float), &bytes))
        return NULL;
    return s2fi_aligned_alloc(bytes);
}

/* Every buffer a forward pass needs, sized once: the network has a fixed input size. */
static s2f_status allocate_workspace(s2f_face_decoder *d)
{
    const s2fi_face_decoder_config *c = &d->config;
    size_t widest_mlp = (size_t)2 * (size_t)c->landmark_count;
    for (int j = 0; j < c->landmark_hidden_count; ++j)
        if ((size_t)c->landmark_hidden[j] > widest_mlp)
            widest_mlp = (size_t)c->landmark_hidden[j];
    size_t activation = s2fi_shape_count(d->texture_grid);
    s2fi_shape shape = d->texture_grid;
    d->columns_floats = 0;
    for (int i = 0; i < c->upsample_count; ++i) {
        size_t columns = s2fi_conv_transpose2d_workspace_floats(&d->upconvs[i], shape,
                                                                COLUMNS_BUDGET_FLOATS);
        if (columns > d->columns_floats)
            d->columns_floats = columns;
        shape = d->upconv_out[i];
        if (s2fi_shape_count(shape) > activation)
            activation = s2fi_shape_count(shape);
    }
    const size_t image = s2fi_shape_count(d->image_shape);
    d->hidden_values = alloc_floats((size_t)c->hidden_dim);
    d->mlp[0] = alloc_floats(widest_mlp);
    d->mlp[1] = alloc_floats(widest_mlp);
    d->landmarks = alloc_floats(2 * (size_t)c->landmark_count);
    d->texture_chw = alloc_floats(s2fi_shape_count(d->texture_grid));
    d->buffers[0] = alloc_floats(activation);
    d->buffers[1] = c->upsample_count ? alloc_floats(activation) : NULL;
    d->columns = d->columns_floats ? alloc_floats(d->columns_floats) : NULL;
    d->texture = alloc_floats(image);
    d->image = alloc_floats(image);
    if (!d->hidden_values || !d->mlp[0] || !d->mlp[1] || !d->landmarks || !d->texture_chw ||
        !d->buffers[0] || (c->upsample_count && !d->buffers[1]) ||
        (d->columns_floats && !d->columns) || !d->texture || !d->image)
        return s2fi_fail(&d->error, S2F_ERR_OUT_OF_MEMORY,
                         "no memory for the face decoder's workspace (%zu activation floats)",
                         activation);
    return S2F_OK;
}

/* ----------------------------------------------------------------------------------- forward */

static int all_finite(const float *values, size_t count)
{
    /* Summing |x|·0 stays 0 for finite x and becomes NaN for NaN/inf: one vectorisable pass. */
    float probe = 0.0f;
    for (size_t i = 0; i < count; ++i)
        probe += values[i] * 0.0f;
    return probe == 0.0f;
}

static void clamp_landmarks(float *xy, int count, float max_x, float max_y)
{
    for (int t = 0; t < count; ++t) {
        xy[2 * t] = fminf(fmaxf(xy[2 * t], 0.0f), max_x);
        xy[2 * t + 1] = fminf(fmaxf(xy[2 * t + 1], 0.0f), max_y);
    }
}

s2f_status s2fi_face_decoder_forward(s2f_face_decoder *d, const float *feature)
{
    const s2fi_face_decoder_config *c = &d->config;
    /* The library's own kernels' threads follow OpenBLAS's count, as its fallbacks' do. */
    const size_t threads = s2fi_blas_threads(S2FI_FACE_DECODER_MAX_THREADS);
    s2fi_dense_forward(&d->hidden, feature, 1, d->hidden_values, true, threads, d->pool);
    emit_vector(d, "hidden", d->hidden_values, c->hidden_dim);

    /* Landmark head: [FC + ReLU]* → FC 2L. */
    const float *x = d->hidden_values;
    char name[32];
    for (int j = 0; j < d->landmark_layer_count; ++j) {
        const int last = j + 1 == d->landmark_layer_count;
        float *y = last ? d->landmarks : d->mlp[j & 1];
        s2fi_dense_forward(&d->landmark_layers[j], x, 1, y, !last, threads, d->pool);
        snprintf(name, sizeof name, "landmark%d", j + 1);
        emit_vector(d, name, y, d->landmark_layers[j].out_features);
        x = y;
    }

    /* Texture head: FC + ReLU viewed as C0 × S × S (PyTorch's order) → NHWC → upsampling. */
    s2fi_dense_forward(&d->texture_fc, d->hidden_values, 1, d->texture_chw, true, threads,
                       d->pool);
    s2fi_chw_to_hwc(d->texture_chw, d->texture_grid, d->buffers[0]);
    emit(d, "texture_fc", d->buffers[0], d->texture_grid);
    s2fi_shape shape = d->texture_grid;
    int current = 0;
    const s2fi_epilogue relu = {.relu = true};
    for (int i = 0; i < c->upsample_count; ++i) {
        s2fi_conv_transpose2d_forward(&d->upconvs[i], d->buffers[current], shape,
                                      d->buffers[current ^ 1], &relu, d->columns,
                                      d->columns_floats, threads, d->pool);
        current ^= 1;
        shape = d->upconv_out[i];
        snprintf(name, sizeof name, "upconv%d", i + 1);
        emit(d, name, d->buffers[current], shape);
    }
    s2fi_conv2d_forward(&d->to_rgb, d->buffers[current], shape, d->texture, NULL, NULL, 0, 1, NULL);
    const size_t texture_floats = s2fi_shape_count(d->image_shape);
    s2fi_sigmoid(d->texture, texture_floats);
    emit(d, "texture", d->texture, d->image_shape);

    /* A finite but huge feature can overflow the network; say so rather than warp garbage. */
    if (!all_finite(d->landmarks, 2 * (size_t)c->landmark_count))
        return s2fi_fail(&d->error, S2F_ERR_NON_FINITE,
                         "the predicted landmarks overflowed to NaN/infinity: the feature's "
                         "magnitude is too large for this model");
    if (!all_finite(d->texture, texture_floats))
        return s2fi_fail(&d->error, S2F_ERR_NON_FINITE,
                         "the texture overflowed to NaN: the feature's magnitude is too large "
                         "for this model");
    clamp_landmarks(d->landmarks, c->landmark_count, (float)(d->image_shape.width - 1),
                    (float)(d->image_shape.height - 1));
    return S2F_OK;
}

/* ----------------------------------------------------------------------------------- handle */

S2F_API void s2f_face_decoder_free(s2f_face_decoder *decoder)
{
    if (!decoder)
        return;
    for (int i = 0; i < S2FI_FACE_MAX_UPSAMPLES; ++i)
        s2fi_conv_transpose2d_release(&decoder->upconvs[i]);
    s2fi_conv2d_release(&decoder->to_rgb);
    float *owned[] = {decoder->hidden_values, decoder->mlp[0], decoder->mlp[1],
                      decoder->landmarks, decoder->texture_chw, decoder->buffers[0],
                      decoder->buffers[1], decoder->columns, decoder->texture, decoder->image};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; ++i)
        s2fi_free(owned[i]);
    s2fi_warp_workspace_release(&decoder->warp_workspace);
    s2fi_pool_free(decoder->pool);
    free(decoder);
}

S2F_API s2f_status s2f_face_decoder_create(const s2f_model *model, s2f_face_decoder **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!model)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model is NULL");
    if (!s2fi_model_has_component(model, "face_decoder"))
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "the model has no face_decoder component");
    s2f_face_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "no memory for a face decoder");
    s2f_status status = s2fi_face_decoder_config_read(model, &d->config, &d->error);
    if (status == S2F_OK)
        status = load_dense(d, model, "fc_dec", d->config.feature_dim, d->config.hidden_dim,
                            &d->hidden);
    if (status == S2F_OK)
        status = build_landmark_head(d, model);
    if (status == S2F_OK)
        status = build_texture_head(d, model);
    if (status == S2F_OK)
        status = allocate_workspace(d);
    d->pool = s2fi_pool_create(); /* NULL (no memory): threads are started per call */
    if (status != S2F_OK) {
        /* The message is in the thread's slot too (s2fi_fail writes both). */
        s2f_face_decoder_free(d);
        return status;
    }
    *out = d;
    return S2F_OK;
}

S2F_API const char *s2f_face_decoder_last_error(const s2f_face_decoder *decoder)
{
    return decoder ? s2fi_error_slot_message(&decoder->error) : "decoder is NULL";
}

S2F_API s2f_status s2f_face_decoder_shape(const s2f_face_decoder *decoder, size_t *feature_dim,
                                          size_t *height, size_t *width, size_t *landmark_count)
{
    if (!decoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "decoder is NULL");
    if (feature_dim)
        *feature_dim = (size_t)decoder->config.feature_dim;
    if (height)
        *height = (size_t)decoder->image_shape.height;
    if (width)
        *width = (size_t)decoder->image_shape.width;
    if (landmark_count)
        *landmark_count = (size_t)decoder->config.landmark_count;
    return S2F_OK;
}

void s2fi_face_decoder_set_tap(s2f_face_decoder *decoder, s2fi_face_tap_fn fn, void *user_data)
{
    decoder->tap = fn;
    decoder->tap_user = user_data;
}
