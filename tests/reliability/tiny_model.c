#include "tiny_model.h"

#include "core/alloc.h"
#include "model/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                               \
    do {                                                                                          \
        s2f_status status_ = (call);                                                              \
        if (status_ != S2F_OK)                                                                    \
            return status_;                                                                       \
    } while (0)

typedef struct voice_shape {
    int bins, channels, kernel, conv_count;
    int64_t conv_channels[4], conv_strides[4], pool_time[4];
    const char *padding;
    int fc_count;
    int64_t fc_dims[2];
} voice_shape;

typedef struct decoder_shape {
    int feature_dim, hidden_dim, landmark_hidden_count, landmark_count, texture_size,
        texture_channels, upsample_count, kernel, stride, padding, image_size;
    int64_t landmark_hidden[1], upsample_channels[3];
} decoder_shape;

static const voice_shape voice_presets[] = {
    [TINY_MODEL_FUZZ] = {.bins = 8, .channels = 2, .kernel = 2, .conv_count = 2,
                         .conv_channels = {3, 4}, .conv_strides = {1, 2}, .pool_time = {1, 1},
                         .padding = "valid", .fc_count = 1, .fc_dims = {6}},
    [TINY_MODEL_PIPELINE] = {.bins = 257, .channels = 2, .kernel = 3, .conv_count = 4,
                             .conv_channels = {4, 6, 8, 8}, .conv_strides = {1, 2, 2, 2},
                             .pool_time = {1, 2, 2, 1}, .padding = "same", .fc_count = 2,
                             .fc_dims = {16, 12}},
    [TINY_MODEL_WINOGRAD] = {.bins = 257, .channels = 2, .kernel = 4, .conv_count = 4,
                             .conv_channels = {16, 16, 16, 16}, .conv_strides = {1, 1, 2, 2},
                             .pool_time = {1, 2, 1, 1}, .padding = "same", .fc_count = 2,
                             .fc_dims = {16, 12}},
};

static const decoder_shape decoder_presets[] = {
    [TINY_MODEL_FUZZ] = {.feature_dim = 6, .hidden_dim = 8, .landmark_hidden_count = 0,
                         .landmark_count = 5, .texture_size = 3, .texture_channels = 4,
                         .upsample_count = 1, .upsample_channels = {3}, .kernel = 4,
                         .stride = 2, .padding = 1, .image_size = 6},
    [TINY_MODEL_PIPELINE] = {.feature_dim = 12, .hidden_dim = 16, .landmark_hidden_count = 1,
                             .landmark_hidden = {12}, .landmark_count = 8, .texture_size = 4,
                             .texture_channels = 6, .upsample_count = 3,
                             .upsample_channels = {6, 4, 3}, .kernel = 4, .stride = 2,
                             .padding = 1, .image_size = 32},
    [TINY_MODEL_WINOGRAD] = {.feature_dim = 12, .hidden_dim = 16, .landmark_hidden_count = 1,
                             .landmark_hidden = {12}, .landmark_count = 8, .texture_size = 4,
                             .texture_channels = 6, .upsample_count = 3,
                             .upsample_channels = {6, 4, 3}, .kernel = 4, .stride = 2,
                             .padding = 1, .image_size = 32},
};

/* xorshift32: deterministic, seedable, no global state. */
static float next_uniform(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return (float)(x >> 8) * (1.0f / 16777216.0f); /* [0, 1) */
}

/* A tensor of uniform(-bound, bound) + offset values, shaped as given. */
static s2f_status add_random(s2fi_model_writer *w, uint32_t *rng, const char *name, int ndim,
                             const int64_t *shape, float bound, float offset)
{
    size_t count = 1;
    for (int d = 0; d < ndim; ++d)
        count *= (size_t)shape[d];
    float *values = malloc(count * sizeof *values);
    if (!values)
        return S2F_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < count; ++i)
        values[i] = offset + bound * (2.0f * next_uniform(rng) - 1.0f);
    s2f_status status = s2fi_model_writer_add_tensor(w, name, S2FI_DTYPE_F32, ndim, shape, values);
    free(values);
    return status;
}

/* Layer weights scaled by 1/sqrt(fan_in) so that activations stay O(1) through the stack. */
static s2f_status add_layer(s2fi_model_writer *w, uint32_t *rng, const char *prefix, int ndim,
                            const int64_t *weight_shape, int64_t fan_in, int64_t outputs)
{
    char name[128];
    const float bound = 1.0f / sqrtf((float)fan_in);
    snprintf(name, sizeof name, "%s.weight", prefix);
    CHECK(add_random(w, rng, name, ndim, weight_shape, bound, 0.0f));
    snprintf(name, sizeof name, "%s.bias", prefix);
    return add_random(w, rng, name, 1, (const int64_t[]){outputs}, 0.1f, 0.0f);
}

static s2f_status add_batchnorm(s2fi_model_writer *w, uint32_t *rng, const char *prefix,
                                int64_t channels)
{
    static const char *parts[4] = {"weight", "bias", "running_mean", "running_var"};
    static const float offsets[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    static const float bounds[4] = {0.2f, 0.1f, 0.1f, 0.5f};
    char name[128];
    for (int p = 0; p < 4; ++p) {
        snprintf(name, sizeof name, "voice_encoder.%s.%s", prefix, parts[p]);
        CHECK(add_random(w, rng, name, 1, &channels, bounds[p], offsets[p]));
    }
    return S2F_OK;
}

static int64_t axis_output(const char *padding, int64_t size, int64_t kernel, int64_t stride)
{
    if (strcmp(padding, "same") == 0)
        return (size + stride - 1) / stride;
    return (size - kernel) / stride + 1;
}

static s2f_status add_voice_encoder(s2fi_model_writer *w, uint32_t *rng, const voice_shape *v)
{
    CHECK(s2fi_model_writer_set_string(w, "voice_encoder.architecture", "speech2face-voice-encoder"));
    CHECK(s2fi_model_writer_set_i64_array(w, "voice_encoder.conv_channels", v->conv_channels,
                                          (size_t)v->conv_count));
    CHECK(s2fi_model_writer_set_i64_array(w, "voice_encoder.conv_strides", v->conv_strides,
                                          (size_t)v->conv_count));
    CHECK(s2fi_model_writer_set_i64_array(w, "voice_encoder.pool_time", v->pool_time,
                                          (size_t)v->conv_count));
    CHECK(s2fi_model_writer_set_i64_array(w, "voice_encoder.fc_dims", v->fc_dims,
                                          (size_t)v->fc_count));
    CHECK(s2fi_model_writer_set_i64(w, "voice_encoder.kernel", v->kernel));
    CHECK(s2fi_model_writer_set_i64(w, "voice_encoder.input_bins", v->bins));
    CHECK(s2fi_model_writer_set_i64(w, "voice_encoder.input_channels", v->channels));
    CHECK(s2fi_model_writer_set_string(w, "voice_encoder.padding", v->padding));
    CHECK(s2fi_model_writer_set_f64(w, "voice_encoder.bn_eps", 1e-5));
    CHECK(s2fi_model_writer_set_i64(w, "voice_encoder.feature_dim", v->fc_dims[v->fc_count - 1]));

    char prefix[64];
    int64_t in_channels = v->channels, bins = v->bins;
    for (int i = 0; i < v->conv_count; ++i) {
        const int64_t oc = v->conv_channels[i];
        snprintf(prefix, sizeof prefix, "voice_encoder.conv%d", i + 1);
        CHECK(add_layer(w, rng, prefix, 4, (const int64_t[]){oc, in_channels, v->kernel, v->kernel},
                        in_channels * v->kernel * v->kernel, oc));
        snprintf(prefix, sizeof prefix, "bn%d", i + 1);
        CHECK(add_batchnorm(w, rng, i + 1 < v->conv_count ? prefix : "bn_pool", oc));
        bins = axis_output(v->padding, bins, v->kernel, v->conv_strides[i]);
        in_channels = oc;
    }
    int64_t fc_in = bins * in_channels;
    for (int j = 0; j < v->fc_count; ++j) {
        snprintf(prefix, sizeof prefix, "voice_encoder.fc%d", j + 1);
        CHECK(add_layer(w, rng, prefix, 2, (const int64_t[]){v->fc_dims[j], fc_in}, fc_in,
                        v->fc_dims[j]));
        fc_in = v->fc_dims[j];
    }
    return S2F_OK;
}

static s2f_status add_face_decoder(s2fi_model_writer *w, uint32_t *rng, const decoder_shape *d)
{
    CHECK(s2fi_model_writer_set_string(w, "face_decoder.architecture", "speech2face-face-decoder"));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.feature_dim", d->feature_dim));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.hidden_dim", d->hidden_dim));
    CHECK(s2fi_model_writer_set_i64_array(w, "face_decoder.landmark_hidden", d->landmark_hidden,
                                          (size_t)d->landmark_hidden_count));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.landmark_count", d->landmark_count));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.texture_size", d->texture_size));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.texture_channels", d->texture_channels));
    CHECK(s2fi_model_writer_set_i64_array(w, "face_decoder.upsample_channels",
                                          d->upsample_channels, (size_t)d->upsample_count));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.upsample_kernel", d->kernel));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.upsample_stride", d->stride));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.upsample_padding", d->padding));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.upsample_output_padding", 0));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.image_size", d->image_size));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.warp_order", 2));
    CHECK(s2fi_model_writer_set_i64(w, "face_decoder.warp_boundary_points", 1));
    CHECK(s2fi_model_writer_set_f64(w, "face_decoder.warp_regularization", 1e-3));

    /* Mean landmarks on a circle inside the image: distinct, not collinear, off the corners. */
    float mean[2 * 16];
    const double centre = 0.5 * (d->image_size - 1), radius = 0.3 * d->image_size;
    for (int i = 0; i < d->landmark_count; ++i) {
        const double angle = 6.283185307179586 * i / d->landmark_count + 0.3;
        mean[2 * i] = (float)(centre + radius * cos(angle));
        mean[2 * i + 1] = (float)(centre + radius * sin(angle));
    }
    CHECK(s2fi_model_writer_set_f32_array(w, "face_decoder.mean_landmarks", mean,
                                          2 * (size_t)d->landmark_count));

    CHECK(add_layer(w, rng, "face_decoder.fc_dec", 2,
                    (const int64_t[]){d->hidden_dim, d->feature_dim}, d->feature_dim, d->hidden_dim));
    char prefix[64];
    int64_t in = d->hidden_dim;
    for (int j = 0; j <= d->landmark_hidden_count; ++j) {
        const int64_t out = j < d->landmark_hidden_count ? d->landmark_hidden[j]
                                                         : 2 * (int64_t)d->landmark_count;
        snprintf(prefix, sizeof prefix, "face_decoder.landmark%d", j + 1);
        CHECK(add_layer(w, rng, prefix, 2, (const int64_t[]){out, in}, in, out));
        in = out;
    }
    const int64_t grid = (int64_t)d->texture_size * d->texture_size * d->texture_channels;
    CHECK(add_layer(w, rng, "face_decoder.texture_fc", 2, (const int64_t[]){grid, d->hidden_dim},
                    d->hidden_dim, grid));
    int64_t channels = d->texture_channels;
    for (int i = 0; i < d->upsample_count; ++i) {
        const int64_t oc = d->upsample_channels[i];
        snprintf(prefix, sizeof prefix, "face_decoder.upconv%d", i + 1);
        CHECK(add_layer(w, rng, prefix, 4, (const int64_t[]){channels, oc, d->kernel, d->kernel},
                        channels * d->kernel * d->kernel / (d->stride * d->stride), oc));
        channels = oc;
    }
    return add_layer(w, rng, "face_decoder.to_rgb", 4, (const int64_t[]){3, channels, 1, 1},
                     channels, 3);
}

s2f_status tiny_model_bytes(tiny_model_preset preset, uint32_t seed, uint8_t **bytes, size_t *size)
{
    if ((int)preset < 0 || preset > TINY_MODEL_WINOGRAD || !bytes || !size)
        return S2F_ERR_INVALID_ARGUMENT;
    s2fi_model_writer *w;
    CHECK(s2fi_model_writer_create(&w));
    uint32_t rng = seed ? seed : 0x9E3779B9u;
    uint8_t *aligned = NULL;
    size_t n = 0;
    s2f_status status = s2fi_model_writer_set_string(w, "general.architecture", "speech2face");
    if (status == S2F_OK)
        status = s2fi_model_writer_set_string(w, "general.provenance",
                                              "tests/reliability/tiny_model.c: random weights");
    if (status == S2F_OK)
        status = add_voice_encoder(w, &rng, &voice_presets[preset]);
    if (status == S2F_OK)
        status = add_face_decoder(w, &rng, &decoder_presets[preset]);
    if (status == S2F_OK)
        status = s2fi_model_writer_to_buffer(w, &aligned, &n);
    s2fi_model_writer_free(w);
    if (status != S2F_OK)
        return status;
    *bytes = malloc(n);
    if (!*bytes) {
        s2fi_free(aligned);
        return S2F_ERR_OUT_OF_MEMORY;
    }
    memcpy(*bytes, aligned, n);
    *size = n;
    s2fi_free(aligned);
    return S2F_OK;
}

s2f_status tiny_model_load(tiny_model_preset preset, uint32_t seed, s2f_model **out)
{
    uint8_t *bytes;
    size_t size;
    CHECK(tiny_model_bytes(preset, seed, &bytes, &size));
    s2f_status status = s2f_model_load_buffer(bytes, size, NULL, out);
    free(bytes);
    return status;
}
