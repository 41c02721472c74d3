/* s2f_voice_encoder: spectrogram (time × freq × {re, im}) → face feature, paper Table 1. */
#include "core/alloc.h"
#include "core/workers.h"
#include "model/model.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/pool.h"
#include "nn/reduce.h"
#include "pipeline/voice_encoder_config.h"
#include "pipeline/voice_encoder_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Convolution blocks (im2col rows, Winograd tiles) are sized to this many floats (8 MB): large
 * enough that each GEMM has hundreds of rows, small enough to stay in cache. The widest Winograd
 * layers exceed it (their blocks never go below 128 tiles, nn/winograd.c): on the paper model the
 * workspace peaks at ≈ 55 MB in conv 8, next to ≈ 120 MB of activations. */
#define IM2COL_BUDGET_FLOATS ((size_t)2 << 20)

/* Longest clip accepted (about 46 hours at 100 frames/s): keeps every size computation far from
 * overflow, and anything longer is a caller's bug. */
#define MAX_FRAMES ((size_t)1 << 24)

/* s2f_voice_encoder_set_threads' upper bound: anything more is a caller's bug. */
#define MAX_THREADS 1024

/* One step of the forward pass over the conv stack, planned for a given input length. */
typedef struct stage {
    int conv;        /* index of the conv layer */
    int pooled;      /* a time max-pool follows the conv */
    s2fi_shape conv_out;
    s2fi_shape pool_out;
} stage;

struct s2f_voice_encoder {
    s2fi_error_slot error;
    s2fi_voice_config config;
    s2fi_conv2d convs[S2FI_VOICE_MAX_CONVS];
    float *bn_scale[S2FI_VOICE_MAX_CONVS]; /* NULL after the last (linear) conv */
    float *bn_shift[S2FI_VOICE_MAX_CONVS];
    float *pooled_scale, *pooled_shift;    /* BatchNorm after the time mean */
    s2fi_dense fcs[S2FI_VOICE_MAX_FCS];
    int out_bins;                          /* frequency bins left after the conv stack */
    int last_channels;
    size_t min_frames;
    size_t threads_setting;                /* 0: follow OpenBLAS (s2f_voice_encoder_set_threads) */
    s2fi_pool *pool;                       /* its helper threads, kept between encodes; NULL
                                              (out of memory at create): threads per call */

    /* Plan and buffers for `planned_frames` input frames on `threads` threads; rebuilt when
     * either changes. */
    size_t planned_frames;
    size_t threads;
    stage stages[S2FI_VOICE_MAX_CONVS];
    float *buffers[2];
    size_t buffer_floats[2];
    float *im2col;
    size_t im2col_floats;
    /* Batch matrices for the FC layers, grown to the largest batch seen. */
    float *fc_buffers[2];
    size_t fc_batch_capacity;

    s2fi_voice_tap_fn tap;
    void *tap_user;
};

static void emit(const s2f_voice_encoder *e, const char *name, const float *data, s2fi_shape s)
{
    if (e->tap)
        e->tap(name, data, s.height, s.width, s.channels, e->tap_user);
}

/* Builds the plan for `frames` input frames; returns 0 if the clip is too short for the stack.
 * Reports the floats each ping-pong buffer and the im2col workspace need. */
static int plan(const s2f_voice_encoder *e, size_t frames, size_t threads, stage *stages,
                size_t need[2], size_t *im2col_need)
{
    if (frames > MAX_FRAMES)
        return 0;
    s2fi_shape shape = {(int)frames, e->config.input_bins, e->config.input_channels};
    int target = 0;
    need[0] = need[1] = 0;
    *im2col_need = 0;
    for (int i = 0; i < e->config.conv_count; ++i) {
        stage *s = &stages[i];
        s->conv = i;
        size_t ws = s2fi_conv2d_workspace_floats(&e->convs[i], shape, IM2COL_BUDGET_FLOATS, threads);
        if (!s2fi_conv2d_output_shape(&e->convs[i], shape, &s->conv_out))
            return 0;
        if (ws > *im2col_need)
            *im2col_need = ws;
        shape = s->conv_out;
        if (s2fi_shape_count(shape) > need[target])
            need[target] = s2fi_shape_count(shape);
        target ^= 1;
        s->pooled = e->config.pool_time[i] > 1;
        if (s->pooled) {
            int f = e->config.pool_time[i];
            if (!s2fi_maxpool2d_output_shape(shape, f, 1, f, 1, &s->pool_out))
                return 0;
            shape = s->pool_out;
            if (s2fi_shape_count(shape) > need[target])
                need[target] = s2fi_shape_count(shape);
            target ^= 1;
        }
    }
    /* The time mean (width × channels) lands in the buffer the next stage would have used. */
    size_t mean_floats = (size_t)shape.width * (size_t)shape.channels;
    if (mean_floats > need[target])
        need[target] = mean_floats;
    return 1;
}

/* The thread count an encode call uses now: OpenBLAS's unless the caller chose one. */
static size_t resolve_threads(const s2f_voice_encoder *e)
{
    if (e->threads_setting > 0)
        return e->threads_setting;
    return s2fi_blas_threads(MAX_THREADS);
}

static s2f_status prepare(s2f_voice_encoder *e, size_t frames)
{
    /* The length check comes before the cache test: a fresh encoder has planned_frames == 0,
     * so 0 frames would otherwise "hit the cache" and run the network on nothing. */
    if (frames < e->min_frames)
        return s2fi_fail(&e->error, S2F_ERR_SHAPE_MISMATCH,
                         "%zu frames is too short for this voice encoder (needs at least %zu)",
                         frames, e->min_frames);
    const size_t threads = resolve_threads(e);
    if (frames == e->planned_frames && threads == e->threads)
        return S2F_OK;
    stage stages[S2FI_VOICE_MAX_CONVS];
    size_t need[2], im2col_need;
    /* min_frames is the shortest length that plans and longer clips only grow every stage,
     * so this fails only beyond MAX_FRAMES, which encode_batch already refuses. */
    if (!plan(e, frames, threads, stages, need, &im2col_need))
        return s2fi_fail(&e->error, S2F_ERR_SHAPE_MISMATCH,
                         "%zu frames do not fit this voice encoder's layers", frames);
    for (int b = 0; b < 2; ++b) {
        if (need[b] <= e->buffer_floats[b])
            continue;
        s2fi_free(e->buffers[b]);
        e->buffer_floats[b] = 0;
        if (!(e->buffers[b] = s2fi_aligned_alloc(need[b] * sizeof(float))))
            return s2fi_fail(&e->error, S2F_ERR_OUT_OF_MEMORY,
                             "no memory for %zu activation floats", need[b]);
        e->buffer_floats[b] = need[b];
    }
    if (im2col_need > e->im2col_floats) {
        s2fi_free(e->im2col);
        e->im2col_floats = 0;
        if (!(e->im2col = s2fi_aligned_alloc(im2col_need * sizeof(float))))
            return s2fi_fail(&e->error, S2F_ERR_OUT_OF_MEMORY, "no memory for convolution workspace");
        e->im2col_floats = im2col_need;
    }
    memcpy(e->stages, stages, sizeof stages);
    e->planned_frames = frames;
    e->threads = threads;
    return S2F_OK;
}

static s2f_status prepare_batch(s2f_voice_encoder *e, size_t batch)
{
    if (batch <= e->fc_batch_capacity)
        return S2F_OK;
    size_t widest = (size_t)e->out_bins * (size_t)e->last_channels;
    for (int j = 0; j < e->config.fc_count; ++j)
        if ((size_t)e->config.fc_dims[j] > widest)
            widest = (size_t)e->config.fc_dims[j];
    size_t floats;
    if (!s2fi_mul_size(batch, widest, &floats))
        return s2fi_fail(&e->error, S2F_ERR_OUT_OF_MEMORY, "batch of %zu clips is too large", batch);
    for (int b = 0; b < 2; ++b) {
        s2fi_free(e->fc_buffers[b]);
        e->fc_buffers[b] = s2fi_aligned_alloc(floats * sizeof(float));
    }
    if (!e->fc_buffers[0] || !e->fc_buffers[1]) {
        e->fc_batch_capacity = 0;
        return s2fi_fail(&e->error, S2F_ERR_OUT_OF_MEMORY, "no memory for a batch of %zu clips", batch);
    }
    e->fc_batch_capacity = batch;
    return S2F_OK;
}

/* Conv stack → time mean → ReLU → BatchNorm, written channel-major (PyTorch's flatten order, in
 * which FC1's columns are stored) into `flat` (last_channels × out_bins floats). */
static void encode_convs(s2f_voice_encoder *e, const float *input, size_t frames, float *flat)
{
    const float *current = input;
    s2fi_shape shape = {(int)frames, e->config.input_bins, e->config.input_channels};
    int target = 0;
    char name[16];
    for (int i = 0; i < e->config.conv_count; ++i) {
        const stage *s = &e->stages[i];
        s2fi_epilogue post = {0};
        if (e->bn_scale[i]) {
            post.relu = true;
            post.scale = e->bn_scale[i];
            post.shift = e->bn_shift[i];
        }
        float *out = e->buffers[target];
        s2fi_conv2d_forward(&e->convs[i], current, shape, out, &post, e->im2col, e->im2col_floats,
                            e->threads, e->pool);
        snprintf(name, sizeof name, "conv%d", i + 1);
        emit(e, name, out, s->conv_out);
        current = out;
        shape = s->conv_out;
        target ^= 1;
        if (s->pooled) {
            int f = e->config.pool_time[i];
            out = e->buffers[target];
            s2fi_maxpool2d(current, shape, f, 1, f, 1, out, e->threads, e->pool);
            snprintf(name, sizeof name, "pool%d", i + 1);
            emit(e, name, out, s->pool_out);
            current = out;
            shape = s->pool_out;
            target ^= 1;
        }
    }
    /* The mean is written into the spare buffer (bins × channels), then transposed into `flat`. */
    float *mean = e->buffers[target];
    s2fi_mean_over_height(current, shape, mean);
    const s2fi_epilogue post = {.relu = true, .scale = e->pooled_scale, .shift = e->pooled_shift};
    s2fi_epilogue_apply(&post, mean, (size_t)shape.width, shape.channels);
    emit(e, "pooled", mean, (s2fi_shape){1, shape.width, shape.channels});
    for (int x = 0; x < shape.width; ++x)
        for (int c = 0; c < shape.channels; ++c)
            flat[(size_t)c * (size_t)shape.width + (size_t)x] = mean[(size_t)x * (size_t)shape.channels + (size_t)c];
}

static const float *encode_fcs(s2f_voice_encoder *e, size_t batch)
{
    const float *x = e->fc_buffers[0];
    char name[16];
    for (int j = 0; j < e->config.fc_count; ++j) {
        float *y = e->fc_buffers[(j + 1) & 1];
        s2fi_dense_forward(&e->fcs[j], x, (int)batch, y, j + 1 < e->config.fc_count, e->threads,
                           e->pool);
        snprintf(name, sizeof name, "fc%d", j + 1);
        emit(e, name, y, (s2fi_shape){1, (int)batch, e->config.fc_dims[j]});
        x = y;
    }
    return x;
}

/* ----------------------------------------------------------------------------------- build */

static s2f_status load_batchnorm(s2f_voice_encoder *e, const s2f_model *model, const char *prefix,
                                 int channels, float **scale, float **shift)
{
    const char *parts[4] = {"weight", "bias", "running_mean", "running_var"};
    const float *values[4];
    const int64_t shape[1] = {channels};
    char name[128];
    for (int p = 0; p < 4; ++p) {
        snprintf(name, sizeof name, "voice_encoder.%s.%s", prefix, parts[p]);
        s2f_status status = s2fi_model_tensor_f32(model, name, 1, shape, &values[p], &e->error);
        if (status != S2F_OK)
            return status;
    }
    *scale = s2fi_aligned_alloc((size_t)channels * sizeof(float));
    *shift = s2fi_aligned_alloc((size_t)channels * sizeof(float));
    if (!*scale || !*shift)
        return s2fi_fail(&e->error, S2F_ERR_OUT_OF_MEMORY, "no memory for %s", prefix);
    if (s2fi_batchnorm_to_affine(values[0], values[1], values[2], values[3], e->config.bn_eps,
                                 channels, *scale, *shift) != 0)
        return s2fi_fail(&e->error, S2F_ERR_BAD_FORMAT,
                         "voice_encoder.%s has a variance + eps that is not positive", prefix);
    return S2F_OK;
}

static s2f_status build_layers(s2f_voice_encoder *e, const s2f_model *model)
{
    const s2fi_voice_config *c = &e->config;
    char name[128];
    int in_channels = c->input_channels;
    int bins = c->input_bins;
    for (int i = 0; i < c->conv_count; ++i) {
        const int oc = c->conv_channels[i];
        const int64_t weight_shape[4] = {oc, in_channels, c->kernel, c->kernel};
        const int64_t bias_shape[1] = {oc};
        const float *weight, *bias;
        s2f_status status;
        snprintf(name, sizeof name, "voice_encoder.conv%d.weight", i + 1);
        if ((status = s2fi_model_tensor_f32(model, name, 4, weight_shape, &weight, &e->error)))
            return status;
        snprintf(name, sizeof name, "voice_encoder.conv%d.bias", i + 1);
        if ((status = s2fi_model_tensor_f32(model, name, 1, bias_shape, &bias, &e->error)))
            return status;
        const s2fi_conv2d_config conv = {
            .in_channels = in_channels, .out_channels = oc, .kernel_h = c->kernel,
            .kernel_w = c->kernel, .stride_h = c->conv_strides[i], .stride_w = c->conv_strides[i],
            .padding = c->padding,
        };
        if ((status = s2fi_conv2d_init(&e->convs[i], &conv, weight, bias, &e->error)))
            return status;
        if (i + 1 < c->conv_count) {
            snprintf(name, sizeof name, "bn%d", i + 1);
            if ((status = load_batchnorm(e, model, name, oc, &e->bn_scale[i], &e->bn_shift[i])))
                return status;
        }
        bins = s2fi_axis_output(c->padding, bins, c->kernel, c->conv_strides[i],
                                (s2fi_axis_padding){0, 0}, NULL);
        if (bins <= 0)
            return s2fi_fail(&e->error, S2F_ERR_SHAPE_MISMATCH,
                             "%d input bins vanish before conv %d", c->input_bins, i + 1);
        in_channels = oc;
    }
    e->out_bins = bins;
    e->last_channels = in_channels;
    s2f_status status = load_batchnorm(e, model, "bn_pool", in_channels, &e->pooled_scale,
                                       &e->pooled_shift);
    if (status != S2F_OK)
        return status;

    int64_t fc_in = (int64_t)bins * in_channels;
    for (int j = 0; j < c->fc_count; ++j) {
        const int64_t weight_shape[2] = {c->fc_dims[j], fc_in};
        const int64_t bias_shape[1] = {c->fc_dims[j]};
        s2fi_dense *fc = &e->fcs[j];
        snprintf(name, sizeof name, "voice_encoder.fc%d.weight", j + 1);
        if ((status = s2fi_model_tensor_f32(model, name, 2, weight_shape, &fc->weight, &e->error)))
            return status;
        snprintf(name, sizeof name, "voice_encoder.fc%d.bias", j + 1);
        if ((status = s2fi_model_tensor_f32(model, name, 1, bias_shape, &fc->bias, &e->error)))
            return status;
        fc->in_features = (int)fc_in;
        fc->out_features = c->fc_dims[j];
        fc_in = c->fc_dims[j];
    }
    return S2F_OK;
}

/* The shortest clip the stack accepts, found by trying lengths: cheap (shape arithmetic only). */
static size_t find_min_frames(const s2f_voice_encoder *e)
{
    stage stages[S2FI_VOICE_MAX_CONVS];
    size_t need[2], im2col_need;
    for (size_t frames = 1; frames <= 100000; ++frames)
        if (plan(e, frames, 1, stages, need, &im2col_need))
            return frames;
    return 0;
}

S2F_API void s2f_voice_encoder_free(s2f_voice_encoder *encoder)
{
    if (!encoder)
        return;
    for (int i = 0; i < S2FI_VOICE_MAX_CONVS; ++i) {
        s2fi_conv2d_release(&encoder->convs[i]);
        s2fi_free(encoder->bn_scale[i]);
        s2fi_free(encoder->bn_shift[i]);
    }
    s2fi_free(encoder->pooled_scale);
    s2fi_free(encoder->pooled_shift);
    for (int b = 0; b < 2; ++b) {
        s2fi_free(encoder->buffers[b]);
        s2fi_free(encoder->fc_buffers[b]);
    }
    s2fi_free(encoder->im2col);
    s2fi_pool_free(encoder->pool);
    free(encoder);
}

S2F_API s2f_status s2f_voice_encoder_create(const s2f_model *model, s2f_voice_encoder **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!model)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model is NULL");
    if (!s2fi_model_has_component(model, "voice_encoder"))
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "the model has no voice_encoder component");
    s2f_voice_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "no memory for a voice encoder");
    s2f_status status = s2fi_voice_config_read(model, &e->config, &e->error);
    if (status == S2F_OK)
        status = build_layers(e, model);
    if (status == S2F_OK && (e->min_frames = find_min_frames(e)) == 0)
        status = s2fi_fail(&e->error, S2F_ERR_SHAPE_MISMATCH,
                           "no clip length up to 100000 frames fits this voice encoder");
    if (status != S2F_OK) {
        /* The message is in the thread's slot too (s2fi_fail writes both). */
        s2f_voice_encoder_free(e);
        return status;
    }
    e->pool = s2fi_pool_create();
    *out = e;
    return S2F_OK;
}

S2F_API const char *s2f_voice_encoder_last_error(const s2f_voice_encoder *encoder)
{
    return encoder ? s2fi_error_slot_message(&encoder->error) : "encoder is NULL";
}

S2F_API s2f_status s2f_voice_encoder_set_threads(s2f_voice_encoder *encoder, size_t threads)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    if (threads > MAX_THREADS)
        return s2fi_fail(&encoder->error, S2F_ERR_INVALID_ARGUMENT,
                         "%zu threads is more than %d", threads, MAX_THREADS);
    encoder->threads_setting = threads;
    return S2F_OK;
}

S2F_API s2f_status s2f_voice_encoder_shape(const s2f_voice_encoder *encoder, size_t *feature_dim,
                                           size_t *input_bins, size_t *input_channels,
                                           size_t *min_frames)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    if (feature_dim)
        *feature_dim = (size_t)encoder->config.fc_dims[encoder->config.fc_count - 1];
    if (input_bins)
        *input_bins = (size_t)encoder->config.input_bins;
    if (input_channels)
        *input_channels = (size_t)encoder->config.input_channels;
    if (min_frames)
        *min_frames = encoder->min_frames;
    return S2F_OK;
}

S2F_API s2f_status s2f_voice_encoder_encode_batch(s2f_voice_encoder *encoder,
                                                  const float *spectrograms, size_t count,
                                                  size_t frames, size_t bins, size_t channels,
                                                  float *features, size_t features_capacity)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    s2f_voice_encoder *e = encoder;
    if (!spectrograms || !features)
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT, "%s is NULL",
                         spectrograms ? "features" : "spectrograms");
    if (count == 0 || count > (1u << 20))
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT, "count %zu is not in 1..2^20", count);
    if (bins != (size_t)e->config.input_bins || channels != (size_t)e->config.input_channels)
        return s2fi_fail(&e->error, S2F_ERR_SHAPE_MISMATCH,
                         "spectrogram is %zu bins × %zu channels; the model takes %d × %d", bins,
                         channels, e->config.input_bins, e->config.input_channels);
    const size_t feature_dim = (size_t)e->config.fc_dims[e->config.fc_count - 1];
    if (features_capacity / feature_dim < count)
        return s2fi_fail(&e->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "features holds %zu floats; %zu clips need %zu", features_capacity,
                         count, count * feature_dim);
    size_t clip_floats;
    if (!s2fi_mul_size(frames, bins * channels, &clip_floats) || frames > MAX_FRAMES)
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT, "%zu frames is absurd", frames);
    for (size_t i = 0; i < count * clip_floats; ++i)
        if (!isfinite(spectrograms[i]))
            return s2fi_fail(&e->error, S2F_ERR_NON_FINITE,
                             "spectrogram value %zu of clip %zu is %s", i % clip_floats,
                             i / clip_floats, isnan(spectrograms[i]) ? "NaN" : "infinite");
    s2f_status status = prepare(e, frames);
    if (status == S2F_OK)
        status = prepare_batch(e, count);
    if (status != S2F_OK)
        return status;

    const size_t flat_floats = (size_t)e->out_bins * (size_t)e->last_channels;
    for (size_t clip = 0; clip < count; ++clip)
        encode_convs(e, spectrograms + clip * clip_floats, frames,
                     e->fc_buffers[0] + clip * flat_floats);
    const float *result = encode_fcs(e, count);
    /* Finite input near FLT_MAX can still overflow inside the network: never hand that out. */
    for (size_t i = 0; i < count * feature_dim; ++i)
        if (!isfinite(result[i]))
            return s2fi_fail(&e->error, S2F_ERR_NON_FINITE,
                             "the network overflowed on clip %zu (input values too large)",
                             i / feature_dim);
    memcpy(features, result, count * feature_dim * sizeof(float));
    return S2F_OK;
}

S2F_API s2f_status s2f_voice_encoder_encode(s2f_voice_encoder *encoder, const float *spectrogram,
                                            size_t frames, size_t bins, size_t channels,
                                            float *feature, size_t feature_capacity)
{
    return s2f_voice_encoder_encode_batch(encoder, spectrogram, 1, frames, bins, channels, feature,
                                          feature_capacity);
}

void s2fi_voice_encoder_set_tap(s2f_voice_encoder *encoder, s2fi_voice_tap_fn fn, void *user_data)
{
    encoder->tap = fn;
    encoder->tap_user = user_data;
}
