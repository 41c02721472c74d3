/* VGG-16 / VGG-Face (Simonyan & Zisserman; Parkhi et al.) on lib/nn layers: 3×3 convolutions
 * (padding 1) + ReLU with 2×2 max-pools as listed in "face_encoder.vgg_layers" (-1 = pool),
 * flatten in PyTorch's (C, H, W) order, FC layers "face_encoder.fc_dims" with ReLU between them
 * and after the last one iff "face_encoder.output_relu". Tensor names follow torchvision's VGG:
 * "features.<module index>.weight/bias", "classifier.<3·j>.weight/bias". */
#include "core/alloc.h"
#include "nn/pool.h"
#include "pipeline/face_network.h"

#include <stdio.h>
#include <string.h>

#define KEY(name) "face_encoder." name
#define IM2COL_BUDGET_FLOATS ((size_t)1 << 20)

static s2f_status read_layers(const s2f_model *model, s2fi_face_vgg *net, int *fc_dims,
                              s2fi_error_slot *slot)
{
    const int64_t *values;
    size_t n;
    s2f_status status = s2fi_model_get_i64_array(model, KEY("vgg_layers"), &values, &n, slot);
    if (status != S2F_OK)
        return status;
    if (n == 0 || n > S2FI_FACE_MAX_VGG_LAYERS)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, KEY("vgg_layers") " has %zu entries; 1..%d",
                         n, S2FI_FACE_MAX_VGG_LAYERS);
    for (size_t i = 0; i < n; ++i) {
        if (values[i] != -1 && (values[i] < 1 || values[i] > 65536))
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                             KEY("vgg_layers") "[%zu] = %lld: expected channels 1..65536 or -1",
                             i, (long long)values[i]);
        net->layers[i] = (int)values[i];
    }
    net->layer_count = (int)n;
    if ((status = s2fi_model_get_i64_array(model, KEY("fc_dims"), &values, &n, slot)))
        return status;
    if (n == 0 || n > S2FI_FACE_MAX_FCS)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, KEY("fc_dims") " has %zu entries; 1..%d", n,
                         S2FI_FACE_MAX_FCS);
    for (size_t j = 0; j < n; ++j) {
        if (values[j] < 1 || values[j] > (1 << 20))
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, KEY("fc_dims") "[%zu] = %lld is out of range",
                             j, (long long)values[j]);
        fc_dims[j] = (int)values[j];
    }
    net->fc_count = (int)n;
    int64_t relu;
    if ((status = s2fi_model_get_i64(model, KEY("output_relu"), &relu, slot)))
        return status;
    net->output_relu = relu != 0;
    return S2F_OK;
}

s2f_status s2fi_face_vgg_build(s2fi_face_vgg *net, const s2f_model *model,
                               s2fi_weight_store *store, int input_size, size_t *buffer_floats,
                               size_t *im2col_floats, int *feature_dim, s2fi_error_slot *slot)
{
    int fc_dims[S2FI_FACE_MAX_FCS];
    s2f_status status = read_layers(model, net, fc_dims, slot);
    if (status != S2F_OK)
        return status;
    *buffer_floats = *im2col_floats = 0;
    s2fi_shape shape = {input_size, input_size, 3};
    int module = 0; /* torchvision's index in `features`: conv, ReLU, pool are one module each */
    char name[96];
    for (int i = 0; i < net->layer_count; ++i) {
        if (net->layers[i] < 0) {
            if (!s2fi_maxpool2d_output_shape(shape, 2, 2, 2, 2, &net->shapes[i]))
                return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH,
                                 "input size %d is too small for pool at layer %d", input_size, i);
            module += 1;
        } else {
            const int64_t weight_shape[4] = {net->layers[i], shape.channels, 3, 3};
            const int64_t bias_shape[1] = {net->layers[i]};
            const float *weight, *bias;
            snprintf(name, sizeof name, KEY("features.%d.weight"), module);
            if ((status = s2fi_weights_get(store, model, name, 4, weight_shape, &weight, slot)))
                return status;
            snprintf(name, sizeof name, KEY("features.%d.bias"), module);
            if ((status = s2fi_weights_get(store, model, name, 1, bias_shape, &bias, slot)))
                return status;
            const s2fi_conv2d_config config = {
                .in_channels = shape.channels, .out_channels = net->layers[i], .kernel_h = 3,
                .kernel_w = 3, .stride_h = 1, .stride_w = 1, .padding = S2FI_PADDING_EXPLICIT,
                .pad_h = {1, 1}, .pad_w = {1, 1},
                .out_height_hint = shape.height, .out_width_hint = shape.width, /* 3×3, pad 1 */
            };
            if ((status = s2fi_conv2d_init(&net->convs[i], &config, weight, bias, slot)))
                return status;
            size_t ws = s2fi_conv2d_workspace_floats(&net->convs[i], shape, IM2COL_BUDGET_FLOATS,
                                                     S2FI_FACE_MAX_THREADS);
            if (ws > *im2col_floats)
                *im2col_floats = ws;
            s2fi_conv2d_output_shape(&net->convs[i], shape, &net->shapes[i]);
            module += 2;
        }
        shape = net->shapes[i];
        if (s2fi_shape_count(shape) > *buffer_floats)
            *buffer_floats = s2fi_shape_count(shape);
    }
    int64_t fc_in = (int64_t)s2fi_shape_count(shape);
    for (int j = 0; j < net->fc_count; ++j) {
        const int64_t weight_shape[2] = {fc_dims[j], fc_in};
        const int64_t bias_shape[1] = {fc_dims[j]};
        s2fi_dense *fc = &net->fcs[j];
        snprintf(name, sizeof name, KEY("classifier.%d.weight"), 3 * j);
        if ((status = s2fi_weights_get(store, model, name, 2, weight_shape, &fc->weight, slot)))
            return status;
        snprintf(name, sizeof name, KEY("classifier.%d.bias"), 3 * j);
        if ((status = s2fi_weights_get(store, model, name, 1, bias_shape, &fc->bias, slot)))
            return status;
        fc->in_features = (int)fc_in;
        fc->out_features = fc_dims[j];
        fc_in = fc_dims[j];
        if ((size_t)fc_dims[j] > *buffer_floats)
            *buffer_floats = (size_t)fc_dims[j];
    }
    *feature_dim = fc_dims[net->fc_count - 1];
    return S2F_OK;
}

void s2fi_face_vgg_release(s2fi_face_vgg *net)
{
    for (int i = 0; i < S2FI_FACE_MAX_VGG_LAYERS; ++i)
        s2fi_conv2d_release(&net->convs[i]);
}

void s2fi_face_vgg_forward(const s2fi_face_vgg *net, const float *input, int input_size,
                           s2fi_face_workspace *ws, float *feature)
{
    const s2fi_epilogue relu = {.relu = true};
    s2fi_shape shape = {input_size, input_size, 3};
    const float *x = input;
    int target = 0;
    char name[32];
    for (int i = 0; i < net->layer_count; ++i) {
        float *out = ws->buffers[target];
        if (net->layers[i] < 0) {
            s2fi_maxpool2d(x, shape, 2, 2, 2, 2, out, ws->threads, ws->pool);
            snprintf(name, sizeof name, "pool%d", i);
        } else {
            s2fi_conv2d_forward(&net->convs[i], x, shape, out, &relu, ws->im2col,
                                ws->im2col_floats, ws->threads, ws->pool);
            snprintf(name, sizeof name, "conv%d", i);
        }
        shape = net->shapes[i];
        if (ws->tap)
            ws->tap(name, out, shape.height, shape.width, shape.channels, ws->tap_user);
        x = out;
        target ^= 1;
    }
    /* PyTorch flattens (C, H, W): the order fc6's columns are stored in. */
    float *flat = ws->buffers[target];
    const size_t pixels = (size_t)shape.height * (size_t)shape.width;
    for (size_t p = 0; p < pixels; ++p)
        for (int c = 0; c < shape.channels; ++c)
            flat[(size_t)c * pixels + p] = x[p * (size_t)shape.channels + (size_t)c];
    x = flat;
    target ^= 1;
    for (int j = 0; j < net->fc_count; ++j) {
        const int last = j + 1 == net->fc_count;
        float *out = last ? feature : ws->buffers[target];
        s2fi_dense_forward(&net->fcs[j], x, 1, out, !last || net->output_relu, ws->threads,
                           ws->pool);
        snprintf(name, sizeof name, "fc%d", j + 1);
        if (ws->tap)
            ws->tap(name, out, 1, 1, net->fcs[j].out_features, ws->tap_user);
        x = out;
        target ^= 1;
    }
}
