/* face-api's FaceRecognitionNet (a port of dlib's ResNet face descriptor) on lib/nn layers.
 * Structure, from the package's src/faceRecognitionNet (TypeScript):
 *   stem: conv k×k /s VALID + bias → scale → ReLU → max-pool VALID
 *   block: conv 3×3 SAME → scale → ReLU → conv 3×3 SAME → scale, + x → ReLU
 *   down block: conv1 is 3×3 /2 VALID; shortcut = avg-pool 2×2 /2 of x, channels zero-extended;
 *               the main branch is zero-extended at the bottom/right to the shortcut's size
 *   global mean → fc (no bias).
 * Each "scale" directly follows its convolution, so it is folded into the weights. */
#include "core/alloc.h"
#include "nn/avgpool.h"
#include "nn/pool.h"
#include "nn/residual.h"
#include "pipeline/face_network.h"

#include <stdio.h>
#include <string.h>

#define KEY(name) "face_encoder." name
#define IM2COL_BUDGET_FLOATS ((size_t)1 << 20)

static s2f_status read_int(const s2f_model *model, const char *key, int lo, int hi, int *out,
                           s2fi_error_slot *slot)
{
    int64_t value;
    s2f_status status = s2fi_model_get_i64(model, key, &value, slot);
    if (status != S2F_OK)
        return status;
    if (value < lo || value > hi)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s = %lld is outside %d..%d", key,
                         (long long)value, lo, hi);
    *out = (int)value;
    return S2F_OK;
}

/* Loads "<prefix>.<conv>.weight/.bias" and "<prefix>.<scale>.weight/.bias" into a convolution
 * with the scale folded in. */
static s2f_status load_conv_scale(s2fi_conv2d *conv, const s2fi_conv2d_config *config,
                                  const s2f_model *model, s2fi_weight_store *store,
                                  const char *prefix, const char *conv_name,
                                  const char *scale_name, s2fi_error_slot *slot)
{
    const int64_t weight_shape[4] = {config->out_channels, config->in_channels, config->kernel_h,
                                     config->kernel_w};
    const int64_t vector_shape[1] = {config->out_channels};
    const float *weight, *bias, *scale, *shift;
    char name[160];
    s2f_status status;
    snprintf(name, sizeof name, KEY("%s.%s.weight"), prefix, conv_name);
    if ((status = s2fi_weights_get(store, model, name, 4, weight_shape, &weight, slot)))
        return status;
    snprintf(name, sizeof name, KEY("%s.%s.bias"), prefix, conv_name);
    if ((status = s2fi_weights_get(store, model, name, 1, vector_shape, &bias, slot)))
        return status;
    snprintf(name, sizeof name, KEY("%s.%s.weight"), prefix, scale_name);
    if ((status = s2fi_weights_get(store, model, name, 1, vector_shape, &scale, slot)))
        return status;
    snprintf(name, sizeof name, KEY("%s.%s.bias"), prefix, scale_name);
    if ((status = s2fi_weights_get(store, model, name, 1, vector_shape, &shift, slot)))
        return status;
    if ((status = s2fi_conv2d_init(conv, config, weight, bias, slot)))
        return status;
    s2fi_conv2d_fold_affine(conv, scale, shift);
    return S2F_OK;
}

static void need(size_t *buffer_floats, s2fi_shape shape)
{
    if (s2fi_shape_count(shape) > *buffer_floats)
        *buffer_floats = s2fi_shape_count(shape);
}

static void need_im2col(size_t *im2col_floats, const s2fi_conv2d *conv, s2fi_shape in)
{
    size_t floats = s2fi_conv2d_workspace_floats(conv, in, IM2COL_BUDGET_FLOATS,
                                                 S2FI_FACE_MAX_THREADS);
    if (floats > *im2col_floats)
        *im2col_floats = floats;
}

static s2f_status read_blocks(const s2f_model *model, int *channels, int *downs, int *count,
                              s2fi_error_slot *slot)
{
    const int64_t *ch, *dn;
    size_t n_ch, n_dn;
    s2f_status status;
    if ((status = s2fi_model_get_i64_array(model, KEY("block_channels"), &ch, &n_ch, slot)) ||
        (status = s2fi_model_get_i64_array(model, KEY("block_down"), &dn, &n_dn, slot)))
        return status;
    if (n_ch == 0 || n_ch > S2FI_FACE_MAX_BLOCKS || n_ch != n_dn)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         KEY("block_channels") " has %zu entries and " KEY("block_down")
                         " %zu; expected the same number, 1..%d", n_ch, n_dn, S2FI_FACE_MAX_BLOCKS);
    for (size_t i = 0; i < n_ch; ++i) {
        if (ch[i] < 1 || ch[i] > 65536 || (dn[i] != 0 && dn[i] != 1))
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                             "block %zu: %lld channels, down %lld (expected 1..65536 and 0/1)", i,
                             (long long)ch[i], (long long)dn[i]);
        channels[i] = (int)ch[i];
        downs[i] = (int)dn[i];
    }
    *count = (int)n_ch;
    return S2F_OK;
}

/* The trailing blocks whose convolutions both run on the whole-map path, and what a group
 * of S2FI_FACE_GROUP images needs to run them together. */
static void plan_groups(s2fi_face_resnet *net)
{
    net->group_from = net->block_count;
    while (net->group_from > 0) {
        const s2fi_face_block *b = &net->blocks[net->group_from - 1];
        if (!s2fi_conv2d_whole_map(&b->conv1, b->in) || !s2fi_conv2d_whole_map(&b->conv2, b->mid))
            break;
        net->group_from--;
    }
    net->group_buffer_floats = net->group_im2col_floats = 0;
    for (int i = net->group_from; i < net->block_count; ++i) {
        const s2fi_face_block *b = &net->blocks[i];
        const s2fi_shape shapes[] = {b->in, b->mid, b->out, b->pooled};
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; ++k)
            need(&net->group_buffer_floats, shapes[k]);
        const size_t floats[] = {
            s2fi_conv2d_images_workspace_floats(&b->conv1, b->in, S2FI_FACE_GROUP),
            s2fi_conv2d_images_workspace_floats(&b->conv2, b->mid, S2FI_FACE_GROUP)};
        for (size_t k = 0; k < 2; ++k)
            if (floats[k] > net->group_im2col_floats)
                net->group_im2col_floats = floats[k];
    }
}

s2f_status s2fi_face_resnet_build(s2fi_face_resnet *net, const s2f_model *model,
                                  s2fi_weight_store *store, int input_size, size_t *buffer_floats,
                                  size_t *im2col_floats, int *feature_dim, s2fi_error_slot *slot)
{
    int stem_channels = 0, stem_kernel = 0, stem_stride = 0, channels[S2FI_FACE_MAX_BLOCKS],
        downs[S2FI_FACE_MAX_BLOCKS], features = 0;
    s2f_status status;
    if ((status = read_int(model, KEY("stem_channels"), 1, 65536, &stem_channels, slot)) ||
        (status = read_int(model, KEY("stem_kernel"), 1, 64, &stem_kernel, slot)) ||
        (status = read_int(model, KEY("stem_stride"), 1, 64, &stem_stride, slot)) ||
        (status = read_int(model, KEY("stem_pool_kernel"), 1, 64, &net->pool_kernel, slot)) ||
        (status = read_int(model, KEY("stem_pool_stride"), 1, 64, &net->pool_stride, slot)) ||
        (status = read_int(model, KEY("feature_dim"), 1, 1 << 20, &features, slot)) ||
        (status = read_blocks(model, channels, downs, &net->block_count, slot)))
        return status;

    *buffer_floats = *im2col_floats = 0;
    s2fi_shape shape = {input_size, input_size, 3};
    const s2fi_conv2d_config stem = {
        .in_channels = 3, .out_channels = stem_channels, .kernel_h = stem_kernel,
        .kernel_w = stem_kernel, .stride_h = stem_stride, .stride_w = stem_stride,
        .padding = S2FI_PADDING_VALID,
    };
    if ((status = load_conv_scale(&net->stem, &stem, model, store, "stem", "conv", "scale", slot)))
        return status;
    need_im2col(im2col_floats, &net->stem, shape);
    if (!s2fi_conv2d_output_shape(&net->stem, shape, &net->stem_out) ||
        !s2fi_maxpool2d_output_shape(net->stem_out, net->pool_kernel, net->pool_kernel,
                                     net->pool_stride, net->pool_stride, &net->pool_out))
        return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH, "input size %d is too small for the stem",
                         input_size);
    need(buffer_floats, net->stem_out);
    need(buffer_floats, net->pool_out);
    shape = net->pool_out;

    for (int i = 0; i < net->block_count; ++i) {
        s2fi_face_block *b = &net->blocks[i];
        char prefix[32];
        snprintf(prefix, sizeof prefix, "blocks.%d", i);
        b->down = downs[i];
        b->in = shape;
        if (!b->down && channels[i] != shape.channels)
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                             "block %d changes %d channels to %d without downsampling", i,
                             shape.channels, channels[i]);
        if (b->down && channels[i] < shape.channels)
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                             "down block %d reduces %d channels to %d", i, shape.channels,
                             channels[i]);
        /* a down block's VALID 3×3 /2 conv1: (size - 3) / 2 + 1 */
        const int mid_h = b->down ? (shape.height - 3) / 2 + 1 : shape.height;
        const int mid_w = b->down ? (shape.width - 3) / 2 + 1 : shape.width;
        const s2fi_conv2d_config conv1 = {
            .in_channels = shape.channels, .out_channels = channels[i], .kernel_h = 3,
            .kernel_w = 3, .stride_h = b->down ? 2 : 1, .stride_w = b->down ? 2 : 1,
            .padding = b->down ? S2FI_PADDING_VALID : S2FI_PADDING_SAME,
            .out_height_hint = mid_h, .out_width_hint = mid_w, /* the map it will run at */
        };
        const s2fi_conv2d_config conv2 = {
            .in_channels = channels[i], .out_channels = channels[i], .kernel_h = 3, .kernel_w = 3,
            .stride_h = 1, .stride_w = 1, .padding = S2FI_PADDING_SAME,
            .out_height_hint = mid_h, .out_width_hint = mid_w,
        };
        if ((status = load_conv_scale(&b->conv1, &conv1, model, store, prefix, "conv1", "scale1",
                                      slot)) ||
            (status = load_conv_scale(&b->conv2, &conv2, model, store, prefix, "conv2", "scale2",
                                      slot)))
            return status;
        if (!s2fi_conv2d_output_shape(&b->conv1, shape, &b->mid))
            return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH,
                             "input size %d leaves a %d×%d map, too small for block %d",
                             input_size, shape.height, shape.width, i);
        need_im2col(im2col_floats, &b->conv1, shape);
        need_im2col(im2col_floats, &b->conv2, b->mid);
        b->out = b->mid;
        if (b->down) {
            if (!s2fi_avgpool2d_output_shape(shape, 2, 2, 2, 2, &b->pooled) ||
                b->pooled.height < b->mid.height || b->pooled.width < b->mid.width)
                return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH,
                                 "block %d: a %d×%d map does not downsample", i, shape.height,
                                 shape.width);
            b->out = (s2fi_shape){b->pooled.height, b->pooled.width, b->mid.channels};
            need(buffer_floats, b->pooled);
        }
        need(buffer_floats, b->mid);
        need(buffer_floats, b->out);
        shape = b->out;
    }
    plan_groups(net);
    const int64_t fc_shape[2] = {features, shape.channels};
    if ((status = s2fi_weights_get(store, model, KEY("fc.weight"), 2, fc_shape, &net->fc.weight,
                                   slot)))
        return status;
    net->fc.in_features = shape.channels;
    net->fc.out_features = features;
    net->fc.bias = NULL;
    *feature_dim = features;
    return S2F_OK;
}

void s2fi_face_resnet_release(s2fi_face_resnet *net)
{
    s2fi_conv2d_release(&net->stem);
    for (int i = 0; i < S2FI_FACE_MAX_BLOCKS; ++i) {
        s2fi_conv2d_release(&net->blocks[i].conv1);
        s2fi_conv2d_release(&net->blocks[i].conv2);
    }
}

static void emit(const s2fi_face_workspace *ws, const char *name, const float *data, s2fi_shape s)
{
    if (ws->tap)
        ws->tap(name, data, s.height, s.width, s.channels, ws->tap_user);
}

/* The stem and its pool on one image; returns the buffer holding the result. */
static int forward_stem(const s2fi_face_resnet *net, const float *input, int input_size,
                        s2fi_face_workspace *ws)
{
    const s2fi_epilogue relu = {.relu = true};
    const s2fi_shape in_shape = {input_size, input_size, 3};
    float **buf = ws->buffers;
    s2fi_conv2d_forward(&net->stem, input, in_shape, buf[0], &relu, ws->im2col, ws->im2col_floats,
                        ws->threads, ws->pool);
    emit(ws, "stem", buf[0], net->stem_out);
    s2fi_maxpool2d(buf[0], net->stem_out, net->pool_kernel, net->pool_kernel, net->pool_stride,
                   net->pool_stride, buf[1], ws->threads, ws->pool);
    emit(ws, "stem_pool", buf[1], net->pool_out);
    return 1;
}

/* A block's end: out = ReLU(conv + shortcut), the shortcut the block's input, or for a down
 * block its 2×2 average pool (written to `pooled`). */
static void add_shortcut(const s2fi_face_block *b, const float *in, const float *conv,
                         float *pooled, float *out)
{
    if (b->down) {
        s2fi_avgpool2d(in, b->in, 2, 2, 2, 2, pooled);
        s2fi_residual_add(conv, b->mid, pooled, b->pooled, out, b->out, true);
    } else {
        s2fi_residual_add(conv, b->mid, in, b->in, out, b->out, true);
    }
}

/* Blocks [from, to) of one image whose input is in buffer x; returns the output's buffer. */
static int forward_blocks(const s2fi_face_resnet *net, int from, int to, s2fi_face_workspace *ws,
                          int x)
{
    const s2fi_epilogue relu = {.relu = true};
    float **buf = ws->buffers;
    char name[32];
    for (int i = from; i < to; ++i) {
        const s2fi_face_block *b = &net->blocks[i];
        const int t = (x + 1) & 3, u = (x + 2) & 3, p = (x + 3) & 3;
        s2fi_conv2d_forward(&b->conv1, buf[x], b->in, buf[t], &relu, ws->im2col,
                            ws->im2col_floats, ws->threads, ws->pool);
        s2fi_conv2d_forward(&b->conv2, buf[t], b->mid, buf[u], NULL, ws->im2col,
                            ws->im2col_floats, ws->threads, ws->pool);
        add_shortcut(b, buf[x], buf[u], buf[p], buf[t]);
        snprintf(name, sizeof name, "block%d", i);
        emit(ws, name, buf[t], b->out);
        x = t;
    }
    return x;
}

void s2fi_face_resnet_forward(const s2fi_face_resnet *net, const float *input, int input_size,
                              s2fi_face_workspace *ws, float *feature)
{
    int x = forward_stem(net, input, input_size, ws);
    x = forward_blocks(net, 0, net->block_count, ws, x);
    const s2fi_shape last = net->blocks[net->block_count - 1].out;
    float *pooled = ws->buffers[(x + 1) & 3];
    s2fi_global_avgpool(ws->buffers[x], last, pooled);
    emit(ws, "pooled", pooled, (s2fi_shape){1, 1, last.channels});
    s2fi_dense_forward(&net->fc, pooled, 1, feature, false, ws->threads, ws->pool);
}

bool s2fi_face_group_alloc(s2fi_face_group *group, const s2fi_face_resnet *net)
{
    memset(group, 0, sizeof *group);
    bool ok = true;
    /* (forward_tail's pooled features, the last block's channels, fit: group_buffer_floats
     * counts that block's whole output) */
    const size_t floats = S2FI_FACE_GROUP * net->group_buffer_floats;
    for (int k = 0; k < 4; ++k)
        ok = (group->buffers[k] = s2fi_aligned_alloc(floats * sizeof(float))) && ok;
    if (net->group_im2col_floats)
        ok = (group->im2col = s2fi_aligned_alloc(net->group_im2col_floats * sizeof(float))) && ok;
    if (!ok)
        s2fi_face_group_free(group);
    return ok;
}

void s2fi_face_group_free(s2fi_face_group *group)
{
    for (int k = 0; k < 4; ++k)
        s2fi_free(group->buffers[k]);
    s2fi_free(group->im2col);
    memset(group, 0, sizeof *group);
}

void s2fi_face_resnet_forward_head(const s2fi_face_resnet *net, const float *input,
                                   int input_size, s2fi_face_workspace *ws,
                                   s2fi_face_group *group, size_t slot)
{
    int x = forward_stem(net, input, input_size, ws);
    x = forward_blocks(net, 0, net->group_from, ws, x);
    const s2fi_shape out = net->group_from > 0 ? net->blocks[net->group_from - 1].out
                                               : net->pool_out;
    memcpy(group->buffers[0] + slot * s2fi_shape_count(out), ws->buffers[x],
           s2fi_shape_count(out) * sizeof(float));
}

/* As forward_blocks, for the group's `count` images at once. In every buffer the images lie
 * back to back at that stage's size, as s2fi_conv2d_forward_images takes them; each convolution
 * is one call for the group, the shortcut and the residual run per image. */
void s2fi_face_resnet_forward_tail(const s2fi_face_resnet *net, size_t count,
                                   s2fi_face_group *group, float *features)
{
    const s2fi_epilogue relu = {.relu = true};
    float **buf = group->buffers;
    int x = 0;
    for (int i = net->group_from; i < net->block_count; ++i) {
        const s2fi_face_block *b = &net->blocks[i];
        const int t = (x + 1) & 3, u = (x + 2) & 3, p = (x + 3) & 3;
        s2fi_conv2d_forward_images(&b->conv1, buf[x], b->in, count, buf[t], &relu, group->im2col);
        s2fi_conv2d_forward_images(&b->conv2, buf[t], b->mid, count, buf[u], NULL, group->im2col);
        const size_t in = s2fi_shape_count(b->in), mid = s2fi_shape_count(b->mid);
        const size_t out = s2fi_shape_count(b->out), pooled = s2fi_shape_count(b->pooled);
        for (size_t k = 0; k < count; ++k)
            add_shortcut(b, buf[x] + k * in, buf[u] + k * mid, buf[p] + k * pooled,
                         buf[t] + k * out);
        x = t;
    }
    const s2fi_shape last = net->blocks[net->block_count - 1].out;
    const size_t last_floats = s2fi_shape_count(last);
    float *pooled = buf[(x + 1) & 3];
    for (size_t k = 0; k < count; ++k) {
        s2fi_global_avgpool(buf[x] + k * last_floats, last, pooled);
        s2fi_dense_forward(&net->fc, pooled, 1, features + k * (size_t)net->fc.out_features,
                           false, 1, NULL);
    }
}
