/* The two networks the face encoder runs (selected by "face_encoder.architecture"), built from
 * container metadata + tensors on the generic layers of lib/nn. Both take a normalised
 * input_size × input_size × 3 NHWC image and write feature_dim floats. */
#ifndef S2F_PIPELINE_FACE_NETWORK_H
#define S2F_PIPELINE_FACE_NETWORK_H

#include "core/workers.h"
#include "model/model.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/tensor.h"
#include "pipeline/face_weights.h"

#define S2FI_FACE_MAX_BLOCKS 64
#define S2FI_FACE_MAX_VGG_LAYERS 64
#define S2FI_FACE_MAX_FCS 8
/* Threads one encode uses at most: the workspace is sized for this many at build time. A
 * 150 × 150 ResNet has too little work per layer for more to help. */
#define S2FI_FACE_MAX_THREADS 8

/** Called after each stage with its name ("stem", "block3", "conv5", "fc2", ...) and NHWC data. */
typedef void (*s2fi_face_tap_fn)(const char *stage, const float *data, int height, int width,
                                 int channels, void *user_data);

/** Activation memory shared by a forward pass: four buffers of `buffer_floats` each, and the
 *  layers' workspace (sized for S2FI_FACE_MAX_THREADS threads). */
typedef struct s2fi_face_workspace {
    float *buffers[4];
    size_t buffer_floats;
    float *im2col;
    size_t im2col_floats;
    size_t threads;   /* 1..S2FI_FACE_MAX_THREADS, for the layers' own work (not sgemm's) */
    s2fi_pool *pool;  /* their helper threads (NULL: started per call) */
    s2fi_face_tap_fn tap;
    void *tap_user;
} s2fi_face_workspace;

/* ---- dlib-style ResNet (face-api's FaceRecognitionNet) ---- */
typedef struct s2fi_face_block {
    int down;
    s2fi_conv2d conv1, conv2; /* per-channel scales folded in */
    s2fi_shape in, mid, out;  /* input, conv1/conv2 output, block output */
    s2fi_shape pooled;        /* shortcut after the 2×2 average pool (down blocks) */
} s2fi_face_block;

typedef struct s2fi_face_resnet {
    s2fi_conv2d stem;
    int pool_kernel, pool_stride;
    s2fi_shape stem_out, pool_out;
    int block_count;
    s2fi_face_block blocks[S2FI_FACE_MAX_BLOCKS];
    s2fi_dense fc;
    /* Blocks [group_from, block_count) run on small maps (s2fi_conv2d_whole_map): a batch runs
     * them for several images at once (s2fi_face_resnet_forward_tail), with activations of
     * group_buffer_floats and patches of group_im2col_floats per group. */
    int group_from;
    size_t group_buffer_floats; /* per image */
    size_t group_im2col_floats; /* per group of S2FI_FACE_GROUP images */
} s2fi_face_resnet;

/* Images a batch takes through the small-map blocks together: their weights (2.4 MB per
 * 4×4 × 256 layer of face-api's) are then read once per group instead of once per image. */
#define S2FI_FACE_GROUP 8

/** A group's activations (four buffers of S2FI_FACE_GROUP × group_buffer_floats) and patches. */
typedef struct s2fi_face_group {
    float *buffers[4];
    float *im2col;
} s2fi_face_group;

/* ---- VGG-16 / VGG-Face ---- */
typedef struct s2fi_face_vgg {
    int layer_count;
    int layers[S2FI_FACE_MAX_VGG_LAYERS]; /* > 0: conv 3×3 with that many channels; -1: pool */
    s2fi_conv2d convs[S2FI_FACE_MAX_VGG_LAYERS];
    s2fi_shape shapes[S2FI_FACE_MAX_VGG_LAYERS]; /* output of each layer */
    int fc_count;
    s2fi_dense fcs[S2FI_FACE_MAX_FCS];
    int output_relu;
} s2fi_face_vgg;

/** Builds the ResNet from "face_encoder.*" for an input of input_size² pixels; reports the
 *  floats each workspace buffer and the im2col workspace need, and the feature dimension. */
s2f_status s2fi_face_resnet_build(s2fi_face_resnet *net, const s2f_model *model,
                                  s2fi_weight_store *store, int input_size, size_t *buffer_floats,
                                  size_t *im2col_floats, int *feature_dim, s2fi_error_slot *slot);
void s2fi_face_resnet_release(s2fi_face_resnet *net);
/** `input` (normalised, input_size² × 3) must not be one of the workspace buffers. */
void s2fi_face_resnet_forward(const s2fi_face_resnet *net, const float *input, int input_size,
                              s2fi_face_workspace *ws, float *feature);

/** Allocates / frees a group's buffers for `net`; false when memory runs out (what was
 *  allocated is freed). */
bool s2fi_face_group_alloc(s2fi_face_group *group, const s2fi_face_resnet *net);
void s2fi_face_group_free(s2fi_face_group *group);
/** The stem and the blocks before group_from on one image (on ws, `ws->threads` threads); the
 *  result goes to image `slot` of group->buffers[0]. */
void s2fi_face_resnet_forward_head(const s2fi_face_resnet *net, const float *input,
                                   int input_size, s2fi_face_workspace *ws,
                                   s2fi_face_group *group, size_t slot);
/** The blocks from group_from, the pooling and the FC for the `count` (≤ S2FI_FACE_GROUP)
 *  images that forward_head put in the group, on the calling thread: feature i goes to
 *  features + i·feature_dim, equal bit for bit to s2fi_face_resnet_forward's. */
void s2fi_face_resnet_forward_tail(const s2fi_face_resnet *net, size_t count,
                                   s2fi_face_group *group, float *features);

s2f_status s2fi_face_vgg_build(s2fi_face_vgg *net, const s2f_model *model,
                               s2fi_weight_store *store, int input_size, size_t *buffer_floats,
                               size_t *im2col_floats, int *feature_dim, s2fi_error_slot *slot);
void s2fi_face_vgg_release(s2fi_face_vgg *net);
void s2fi_face_vgg_forward(const s2fi_face_vgg *net, const float *input, int input_size,
                           s2fi_face_workspace *ws, float *feature);

#endif
