/* s2f_face_encoder: RGB face crop → face feature (face-api's ResNet or VGG-16/VGG-Face). */
#include "core/alloc.h"
#include "model/model.h"
#include "pipeline/face_encoder_internal.h"
#include "pipeline/face_network.h"
#include "pipeline/face_resize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KEY(name) "face_encoder." name

typedef enum architecture { ARCH_DLIB_RESNET, ARCH_VGG16 } architecture;

struct s2f_face_encoder {
    s2fi_error_slot error;
    architecture arch;
    int input_size;
    float mean[3];
    float scale;
    int pad_to_square;
    s2f_resize_filter model_filter; /* what the model's metadata asks for */
    s2f_resize_filter filter;       /* in effect */
    int feature_dim;
    s2fi_weight_store weights;
    s2fi_face_resnet resnet;
    s2fi_face_vgg vgg;
    float *input;   /* input_size² × 3, the normalised network input */
    float *feature; /* feature_dim, written to the caller only on success */
    s2fi_face_workspace ws; /* its pool: helper threads kept between encodes */
    s2fi_face_group group;  /* a batch's small-map blocks on lane 0 (allocated on first need) */
    /* s2f_face_encoder_encode_batch's extra lanes (one image at a time each, on a worker of
     * ws.pool), allocated on the first batch that uses them */
    struct batch_lane *lanes;
    size_t lane_count;
};

/* What one image in flight needs besides the shared weights. */
typedef struct batch_lane {
    float *input, *feature;
    s2fi_face_workspace ws;
    s2fi_error_slot error;
    s2fi_face_group group; /* as the encoder's */
} batch_lane;

static s2f_status read_preprocessing(s2f_face_encoder *e, const s2f_model *model)
{
    s2fi_error_slot *slot = &e->error;
    int64_t size, pad = 1;
    double scale;
    const float *mean;
    size_t mean_count;
    const char *resize = NULL;
    s2f_status status;
    if ((status = s2fi_model_get_i64(model, KEY("input_size"), &size, slot)) ||
        (status = s2fi_model_get_f32_array(model, KEY("input_mean"), &mean, &mean_count, slot)) ||
        (status = s2fi_model_get_f64(model, KEY("input_scale"), &scale, slot)))
        return status;
    if (size < 8 || size > 4096)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, KEY("input_size") " = %lld is outside 8..4096",
                         (long long)size);
    if (mean_count != 3 || !isfinite(mean[0]) || !isfinite(mean[1]) || !isfinite(mean[2]))
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         KEY("input_mean") " must be 3 finite values (R, G, B); it has %zu",
                         mean_count);
    if (!isfinite(scale) || scale == 0.0)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, KEY("input_scale") " = %g is unusable", scale);
    /* Optional keys: pad-to-square (default on) and the filter the network was used with. */
    status = s2fi_model_get_i64(model, KEY("pad_to_square"), &pad, slot);
    if (status != S2F_OK && status != S2F_ERR_NOT_FOUND)
        return status;
    status = s2fi_model_get_string(model, KEY("resize"), &resize, slot);
    if (status != S2F_OK && status != S2F_ERR_NOT_FOUND)
        return status;
    e->model_filter = S2F_RESIZE_BILINEAR_ANTIALIAS;
    if (resize && strcmp(resize, "bilinear_tf") == 0)
        e->model_filter = S2F_RESIZE_BILINEAR_TF;
    else if (resize && strcmp(resize, "bilinear_antialias") != 0)
        return s2fi_fail(slot, S2F_ERR_UNSUPPORTED, KEY("resize") " \"%s\" is unknown", resize);
    e->filter = e->model_filter;
    e->input_size = (int)size;
    memcpy(e->mean, mean, sizeof e->mean);
    e->scale = (float)scale;
    e->pad_to_square = pad != 0;
    return S2F_OK;
}

/* One image's buffers, sized by e->ws (input, feature, activations, layer workspace); false
 * when memory runs out (what was allocated is freed by free_lane). */
static bool alloc_lane(const s2f_face_encoder *e, float **input, float **feature,
                       s2fi_face_workspace *ws)
{
    const size_t input_floats = (size_t)e->input_size * (size_t)e->input_size * 3;
    *input = s2fi_aligned_alloc(input_floats * sizeof(float));
    *feature = s2fi_aligned_alloc((size_t)e->feature_dim * sizeof(float));
    ws->buffer_floats = e->ws.buffer_floats;
    ws->im2col_floats = e->ws.im2col_floats;
    bool ok = *input && *feature;
    for (int b = 0; b < 4; ++b)
        ok = (ws->buffers[b] = s2fi_aligned_alloc(ws->buffer_floats * sizeof(float))) && ok;
    ws->im2col = ws->im2col_floats ? s2fi_aligned_alloc(ws->im2col_floats * sizeof(float)) : NULL;
    return ok && (!ws->im2col_floats || ws->im2col);
}

static void free_lane(float *input, float *feature, s2fi_face_workspace *ws)
{
    s2fi_free(input);
    s2fi_free(feature);
    for (int b = 0; b < 4; ++b)
        s2fi_free(ws->buffers[b]);
    s2fi_free(ws->im2col);
}

static s2f_status build(s2f_face_encoder *e, const s2f_model *model)
{
    const char *arch;
    s2f_status status = s2fi_model_get_string(model, KEY("architecture"), &arch, &e->error);
    if (status != S2F_OK)
        return status;
    if (strcmp(arch, "dlib_resnet") == 0)
        e->arch = ARCH_DLIB_RESNET;
    else if (strcmp(arch, "vgg16") == 0)
        e->arch = ARCH_VGG16;
    else
        return s2fi_fail(&e->error, S2F_ERR_UNSUPPORTED,
                         "face encoder architecture \"%s\" is unknown (dlib_resnet, vgg16)", arch);
    if ((status = read_preprocessing(e, model)))
        return status;
    size_t buffer_floats, im2col_floats;
    if (e->arch == ARCH_DLIB_RESNET)
        status = s2fi_face_resnet_build(&e->resnet, model, &e->weights, e->input_size,
                                        &buffer_floats, &im2col_floats, &e->feature_dim, &e->error);
    else
        status = s2fi_face_vgg_build(&e->vgg, model, &e->weights, e->input_size, &buffer_floats,
                                     &im2col_floats, &e->feature_dim, &e->error);
    if (status != S2F_OK)
        return status;
    e->ws.buffer_floats = buffer_floats;
    e->ws.im2col_floats = im2col_floats;
    e->ws.pool = s2fi_pool_create(); /* NULL (no memory): threads are started per call */
    if (!alloc_lane(e, &e->input, &e->feature, &e->ws))
        return s2fi_fail(&e->error, S2F_ERR_OUT_OF_MEMORY,
                         "no memory for the face encoder's workspace (%zu floats × 4)",
                         buffer_floats);
    return S2F_OK;
}

S2F_API void s2f_face_encoder_free(s2f_face_encoder *encoder)
{
    if (!encoder)
        return;
    s2fi_face_resnet_release(&encoder->resnet);
    s2fi_face_vgg_release(&encoder->vgg);
    s2fi_weights_release(&encoder->weights);
    free_lane(encoder->input, encoder->feature, &encoder->ws);
    s2fi_face_group_free(&encoder->group);
    for (size_t i = 0; i < encoder->lane_count; ++i) {
        free_lane(encoder->lanes[i].input, encoder->lanes[i].feature, &encoder->lanes[i].ws);
        s2fi_face_group_free(&encoder->lanes[i].group);
    }
    free(encoder->lanes);
    s2fi_pool_free(encoder->ws.pool);
    free(encoder);
}

S2F_API s2f_status s2f_face_encoder_create(const s2f_model *model, s2f_face_encoder **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "out is NULL");
    if (!model)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "model is NULL");
    if (!s2fi_model_has_component(model, "face_encoder"))
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "the model has no face_encoder component");
    s2f_face_encoder *e = calloc(1, sizeof *e);
    if (!e)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "no memory for a face encoder");
    s2f_status status = build(e, model);
    if (status != S2F_OK) {
        /* s2fi_fail also wrote the message to the thread's slot. */
        s2f_face_encoder_free(e);
        return status;
    }
    *out = e;
    return S2F_OK;
}

S2F_API const char *s2f_face_encoder_last_error(const s2f_face_encoder *encoder)
{
    return encoder ? s2fi_error_slot_message(&encoder->error) : "encoder is NULL";
}

S2F_API s2f_status s2f_face_encoder_shape(const s2f_face_encoder *encoder, size_t *feature_dim,
                                          size_t *input_size)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    if (feature_dim)
        *feature_dim = (size_t)encoder->feature_dim;
    if (input_size)
        *input_size = (size_t)encoder->input_size;
    return S2F_OK;
}

S2F_API s2f_status s2f_face_encoder_set_resize_filter(s2f_face_encoder *encoder,
                                                      s2f_resize_filter filter)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    switch (filter) {
    case S2F_RESIZE_MODEL_DEFAULT:
        encoder->filter = encoder->model_filter;
        return S2F_OK;
    case S2F_RESIZE_BILINEAR_TF:
    case S2F_RESIZE_BILINEAR_ANTIALIAS:
        encoder->filter = filter;
        return S2F_OK;
    }
    return s2fi_fail(&encoder->error, S2F_ERR_INVALID_ARGUMENT, "unknown resize filter %d",
                     (int)filter);
}

/* The layers' threads follow OpenBLAS's count, as the voice encoder's do by default, so one
 * setting (OPENBLAS_NUM_THREADS) governs both: sgemm runs on OpenBLAS's threads, the Winograd
 * transforms and small products, the stem and the pooling on these. */
static size_t layer_threads(void)
{
    return s2fi_blas_threads(S2FI_FACE_MAX_THREADS);
}

/* One validated image → the network's normalised input; failures are written to `error`. */
static s2f_status prepare_input(const s2f_face_encoder *e, const uint8_t *rgb, int width,
                                int height, size_t stride_bytes, float *input,
                                const s2fi_face_workspace *ws, s2fi_error_slot *error)
{
    const s2fi_crop_box box = e->pad_to_square ? s2fi_pad_to_square_box(width, height)
                                               : (s2fi_crop_box){0.0, 0.0, width, height};
    s2f_status status = s2fi_crop_resize_f32(rgb, width, height, stride_bytes, box, e->filter,
                                             input, e->input_size, e->input_size, error);
    if (status != S2F_OK)
        return status;
    const size_t pixels = (size_t)e->input_size * (size_t)e->input_size;
    for (size_t p = 0; p < pixels; ++p)
        for (int c = 0; c < 3; ++c)
            input[3 * p + c] = (input[3 * p + c] - e->mean[c]) * e->scale;
    if (ws->tap)
        ws->tap("input", input, e->input_size, e->input_size, 3, ws->tap_user);
    return S2F_OK;
}

static s2f_status check_feature(const s2f_face_encoder *e, const float *feature,
                                s2fi_error_slot *error)
{
    for (int i = 0; i < e->feature_dim; ++i)
        if (!isfinite(feature[i]))
            return s2fi_fail(error, S2F_ERR_NON_FINITE,
                             "feature value %d is not finite (are the model's weights sane?)", i);
    return S2F_OK;
}

/* One validated image → `feature`, on one lane's buffers (`ws->threads` threads); failures
 * are written to `error`. Reads the encoder's weights and settings only. */
static s2f_status run_network(const s2f_face_encoder *e, const uint8_t *rgb, int width,
                              int height, size_t stride_bytes, float *input,
                              s2fi_face_workspace *ws, float *feature, s2fi_error_slot *error)
{
    s2f_status status = prepare_input(e, rgb, width, height, stride_bytes, input, ws, error);
    if (status != S2F_OK)
        return status;
    if (e->arch == ARCH_DLIB_RESNET)
        s2fi_face_resnet_forward(&e->resnet, input, e->input_size, ws, feature);
    else
        s2fi_face_vgg_forward(&e->vgg, input, e->input_size, ws, feature);
    return check_feature(e, feature, error);
}

/* One image → e->feature, the layers on the encoder's threads. The image has been validated. */
static s2f_status encode_one(s2f_face_encoder *e, const uint8_t *rgb, int width, int height,
                             size_t stride_bytes)
{
    e->ws.threads = layer_threads();
    return run_network(e, rgb, width, height, stride_bytes, e->input, &e->ws, e->feature,
                       &e->error);
}

/* A batch on several threads: image after image per lane, each lane's network on one thread
 * (a 150 × 150 ResNet has far more parallel work across images than inside a layer). Lane 0 is
 * the encoder's own buffers. Every image is computed as a one-thread single call computes it,
 * and the layers' arithmetic does not depend on their thread count, so the features equal
 * `count` single calls. */
typedef struct batch_job {
    s2f_face_encoder *e;
    const uint8_t *rgb;
    size_t count, image_stride_bytes, stride_bytes;
    int width, height;
    float *features;
    s2f_status status[S2FI_FACE_MAX_THREADS];
} batch_job;

/* Images [begin, end) of a batch on one lane, S2FI_FACE_GROUP at a time: each through the
 * stem and the large-map blocks alone, then the group together through the small-map blocks
 * (s2fi_face_resnet_forward_tail), which reads their weights once per group. Features equal
 * run_network's bit for bit (the small-map kernel computes each output pixel on its own). */
static s2f_status run_groups(const s2f_face_encoder *e, const batch_job *j, size_t begin,
                             size_t end, float *input, s2fi_face_workspace *ws,
                             s2fi_face_group *group, s2fi_error_slot *error)
{
    const size_t dim = (size_t)e->feature_dim;
    for (size_t first = begin; first < end; first += S2FI_FACE_GROUP) {
        const size_t count = end - first < S2FI_FACE_GROUP ? end - first : S2FI_FACE_GROUP;
        for (size_t k = 0; k < count; ++k) {
            s2f_status status = prepare_input(e, j->rgb + (first + k) * j->image_stride_bytes,
                                              j->width, j->height, j->stride_bytes, input, ws,
                                              error);
            if (status != S2F_OK)
                return status;
            s2fi_face_resnet_forward_head(&e->resnet, input, e->input_size, ws, group, k);
        }
        s2fi_face_resnet_forward_tail(&e->resnet, count, group, j->features + first * dim);
        for (size_t k = 0; k < count; ++k) {
            s2f_status status = check_feature(e, j->features + (first + k) * dim, error);
            if (status != S2F_OK)
                return status;
        }
    }
    return S2F_OK;
}

/* Whether a batch's lane can run its images in groups: a ResNet with small-map blocks, and
 * the group's buffers (allocated now if need be; without memory, image by image). */
static bool ready_for_groups(const s2f_face_encoder *e, s2fi_face_group *group)
{
    if (e->arch != ARCH_DLIB_RESNET || e->resnet.group_from >= e->resnet.block_count)
        return false;
    return group->buffers[0] || s2fi_face_group_alloc(group, &e->resnet);
}

static void encode_lane(void *context, size_t worker, size_t workers)
{
    batch_job *j = context;
    s2f_face_encoder *e = j->e;
    const size_t dim = (size_t)e->feature_dim;
    float *input = worker ? e->lanes[worker - 1].input : e->input;
    s2fi_face_workspace *ws = worker ? &e->lanes[worker - 1].ws : &e->ws;
    s2fi_error_slot *error = worker ? &e->lanes[worker - 1].error : &e->error;
    s2fi_face_group *group = worker ? &e->lanes[worker - 1].group : &e->group;
    const s2fi_face_tap_fn tap = ws->tap; /* a tap (tests) is not called from several threads */
    ws->tap = NULL;
    ws->threads = 1;
    s2fi_pool *pool = ws->pool; /* the pool is running this job */
    ws->pool = NULL;
    size_t begin, end;
    s2fi_worker_range(j->count, worker, workers, &begin, &end);
    j->status[worker] = S2F_OK;
    if (end - begin > 1 && ready_for_groups(e, group)) {
        j->status[worker] = run_groups(e, j, begin, end, input, ws, group, error);
        begin = end;
    }
    for (size_t i = begin; i < end; ++i) {
        j->status[worker] = run_network(e, j->rgb + i * j->image_stride_bytes, j->width, j->height,
                                        j->stride_bytes, input, ws, j->features + i * dim, error);
        if (j->status[worker] != S2F_OK)
            break;
    }
    ws->tap = tap;
    ws->pool = pool;
}

/* Lanes for `workers` images in flight (the encoder's own buffers are lane 0); fewer when
 * memory runs out. Returns how many images can be in flight. */
static size_t ensure_lanes(s2f_face_encoder *e, size_t workers)
{
    if (workers - 1 <= e->lane_count)
        return workers;
    batch_lane *lanes = realloc(e->lanes, (workers - 1) * sizeof *lanes);
    if (!lanes)
        return e->lane_count + 1;
    e->lanes = lanes;
    while (e->lane_count < workers - 1) {
        batch_lane *lane = &e->lanes[e->lane_count];
        memset(lane, 0, sizeof *lane);
        if (!alloc_lane(e, &lane->input, &lane->feature, &lane->ws)) {
            free_lane(lane->input, lane->feature, &lane->ws);
            break;
        }
        e->lane_count++;
    }
    return e->lane_count + 1;
}

S2F_API s2f_status s2f_face_encoder_encode_batch(s2f_face_encoder *encoder, const uint8_t *rgb,
                                                 size_t count, int width, int height,
                                                 size_t stride_bytes, size_t image_stride_bytes,
                                                 float *features, size_t features_capacity)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    s2f_face_encoder *e = encoder;
    if (!features)
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT, "features is NULL");
    if (count == 0 || count > ((size_t)1 << 24))
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT, "count %zu is not in 1..2^24", count);
    s2f_status status = s2fi_image_check(rgb, width, height, stride_bytes, "image", &e->error);
    if (status != S2F_OK)
        return status;
    const size_t image_span = stride_bytes * ((size_t)height - 1) + (size_t)width * 3;
    size_t last_offset;
    if (count > 1 && (image_stride_bytes < image_span ||
                      !s2fi_mul_size(image_stride_bytes, count - 1, &last_offset) ||
                      last_offset > (SIZE_MAX >> 1)))
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT,
                         "image stride %zu bytes is smaller than one image (%zu bytes) or "
                         "overflows over %zu images", image_stride_bytes, image_span, count);
    const size_t dim = (size_t)e->feature_dim;
    if (features_capacity / dim < count)
        return s2fi_fail(&e->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "features holds %zu floats; %zu images need %zu", features_capacity,
                         count, count * dim);
    const size_t threads = layer_threads();
    size_t workers = threads < count ? threads : count;
    if (workers > 1)
        workers = ensure_lanes(e, workers);
    batch_job job = {.e = e, .rgb = rgb, .count = count, .image_stride_bytes = image_stride_bytes,
                     .stride_bytes = stride_bytes, .width = width, .height = height,
                     .features = features};
    if (workers <= 1 && threads == 1 && !e->ws.tap) { /* one lane on this thread, in groups */
        encode_lane(&job, 0, 1);
        return job.status[0]; /* its message is already in e->error */
    }
    if (workers <= 1) {
        /* Images one by one, each on the encoder's threads (no memory for a second lane): on
         * failure, earlier rows are unspecified (documented). */
        for (size_t i = 0; i < count; ++i) {
            if ((status = encode_one(e, rgb + i * image_stride_bytes, width, height, stride_bytes)))
                return status;
            memcpy(features + i * dim, e->feature, dim * sizeof(float));
        }
        return S2F_OK;
    }
    s2fi_run_workers(e->ws.pool, workers, encode_lane, &job);
    /* The failure of the earliest failing image: lanes take contiguous runs, in order. */
    for (size_t w = 0; w < workers; ++w)
        if (job.status[w] != S2F_OK)
            return w == 0 ? job.status[0]  /* its message is already in e->error */
                          : s2fi_fail(&e->error, job.status[w], "%s",
                                      s2fi_error_slot_message(&e->lanes[w - 1].error));
    return S2F_OK;
}

S2F_API s2f_status s2f_face_encoder_encode(s2f_face_encoder *encoder, const uint8_t *rgb,
                                           int width, int height, size_t stride_bytes,
                                           float *feature, size_t feature_capacity)
{
    if (!encoder)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "encoder is NULL");
    s2f_face_encoder *e = encoder;
    if (!feature)
        return s2fi_fail(&e->error, S2F_ERR_INVALID_ARGUMENT, "feature is NULL");
    s2f_status status = s2fi_image_check(rgb, width, height, stride_bytes, "image", &e->error);
    if (status != S2F_OK)
        return status;
    if (feature_capacity < (size_t)e->feature_dim)
        return s2fi_fail(&e->error, S2F_ERR_BUFFER_TOO_SMALL,
                         "feature holds %zu floats; the model's feature has %d", feature_capacity,
                         e->feature_dim);
    if ((status = encode_one(e, rgb, width, height, stride_bytes)))
        return status;
    memcpy(feature, e->feature, (size_t)e->feature_dim * sizeof(float));
    return S2F_OK;
}

S2F_API s2f_status s2f_image_crop_resize(const uint8_t *rgb, int width, int height,
                                         size_t stride_bytes, double box_x, double box_y,
                                         double box_width, double box_height,
                                         s2f_resize_filter filter, uint8_t *out, int out_width,
                                         int out_height, size_t out_stride_bytes)
{
    s2f_status status = s2fi_image_check(rgb, width, height, stride_bytes, "image", NULL);
    if (status != S2F_OK)
        return status;
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "out is NULL");
    if (out_width < 1 || out_height < 1 || out_width > S2FI_CROP_MAX_OUTPUT_SIDE ||
        out_height > S2FI_CROP_MAX_OUTPUT_SIDE)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "output is %d×%d; each side must be 1..%d", out_width, out_height,
                         S2FI_CROP_MAX_OUTPUT_SIDE);
    if (out_stride_bytes < (size_t)out_width * 3)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "output stride %zu bytes is less than 3 × width = %zu", out_stride_bytes,
                         (size_t)out_width * 3);
    if (!isfinite(box_x) || !isfinite(box_y) || !isfinite(box_width) || !isfinite(box_height))
        return s2fi_fail(NULL, S2F_ERR_NON_FINITE, "the crop box has a NaN or infinite value");
    const double limit = 4.0 * S2FI_IMAGE_MAX_SIDE;
    if (box_width <= 0.0 || box_height <= 0.0 || box_width > limit || box_height > limit ||
        fabs(box_x) > limit || fabs(box_y) > limit)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "crop box (%g, %g) %g×%g: sizes must be positive and coordinates within "
                         "±%g", box_x, box_y, box_width, box_height, limit);
    /* Image extents up to the last pixel of the last row (both sizes validated above). */
    size_t in_bytes = (size_t)(height - 1) * stride_bytes + (size_t)width * 3;
    size_t out_bytes = (size_t)(out_height - 1) * out_stride_bytes + (size_t)out_width * 3;
    if (s2fi_ranges_overlap(rgb, in_bytes, out, out_bytes))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "out overlaps the input image; the crop cannot run in place");
    if (filter == S2F_RESIZE_MODEL_DEFAULT)
        filter = S2F_RESIZE_BILINEAR_ANTIALIAS;
    if (filter != S2F_RESIZE_BILINEAR_TF && filter != S2F_RESIZE_BILINEAR_ANTIALIAS)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "unknown resize filter %d", (int)filter);
    const size_t floats = (size_t)out_width * (size_t)out_height * 3;
    float *pixels = malloc(floats * sizeof *pixels);
    if (!pixels)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "no memory for a %d×%d crop", out_width,
                         out_height);
    const s2fi_crop_box box = {box_x, box_y, box_width, box_height};
    status = s2fi_crop_resize_f32(rgb, width, height, stride_bytes, box, filter, pixels, out_width,
                                  out_height, NULL);
    if (status == S2F_OK)
        for (int y = 0; y < out_height; ++y)
            for (size_t i = 0; i < (size_t)out_width * 3; ++i) {
                float v = pixels[(size_t)y * (size_t)out_width * 3 + i] + 0.5f;
                out[(size_t)y * out_stride_bytes + i] = v <= 0.0f ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
            }
    free(pixels);
    return status;
}

void s2fi_face_encoder_set_tap(s2f_face_encoder *encoder, s2fi_face_tap_fn fn, void *user_data)
{
    encoder->ws.tap = fn;
    encoder->ws.tap_user = user_data;
}
