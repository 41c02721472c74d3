/* The face decoder handle, shared by its build (face_decoder.c) and decode (face_decoder_decode.c)
 * halves, and its private hooks for tests and debugging tools. */
#ifndef S2F_PIPELINE_FACE_DECODER_INTERNAL_H
#define S2F_PIPELINE_FACE_DECODER_INTERNAL_H

#include "core/error.h"
#include "image/spline_warp.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/dense.h"
#include "pipeline/face_decoder_config.h"

/** Called after each stage of a forward pass with the stage's name ("hidden", "landmark1", …,
 *  "texture_fc", "upconv1", …, "texture"), its activation in NHWC order (1 × 1 × features for
 *  FC stages) and that shape. Landmarks are reported before clamping. */
typedef void (*s2fi_face_tap_fn)(const char *stage, const float *data, int height, int width,
                                 int channels, void *user_data);

/* Threads a decode uses at most (OpenBLAS's count, clamped). */
#define S2FI_FACE_DECODER_MAX_THREADS 8

struct s2f_face_decoder {
    s2fi_error_slot error;
    s2fi_face_decoder_config config;

    /* Layers. Dense weights are borrowed from the model; convolutions pack their own. */
    s2fi_dense hidden;                                       /* f_dec: D → hidden, ReLU */
    s2fi_dense landmark_layers[S2FI_FACE_MAX_LANDMARK_HIDDEN + 1];
    int landmark_layer_count;
    s2fi_dense texture_fc;                                   /* hidden → C0·S·S (CHW), ReLU */
    s2fi_conv_transpose2d upconvs[S2FI_FACE_MAX_UPSAMPLES];
    s2fi_shape upconv_out[S2FI_FACE_MAX_UPSAMPLES];
    s2fi_conv2d to_rgb;                                      /* 1×1, last channels → 3 */
    s2fi_shape texture_grid;                                 /* S × S × C0 */
    s2fi_shape image_shape;                                  /* H × W × 3 */

    /* Workspace, sized once at create time. */
    float *hidden_values;            /* hidden_dim */
    float *mlp[2];                   /* widest landmark layer, ping-pong */
    float *landmarks;                /* 2L: the last forward pass's landmarks, clamped */
    float *texture_chw;              /* C0·S·S: the texture FC's output in PyTorch order */
    float *buffers[2];               /* NHWC activations, ping-pong */
    float *columns;                  /* transposed convolution column buffer */
    size_t columns_floats;
    float *texture;                  /* H × W × 3: the last forward pass's unwarped texture */
    float *image;                    /* H × W × 3: the warped image, for the uint8 output */
    s2fi_warp_workspace warp_workspace;
    s2fi_pool *pool; /* helper threads of the transposed convolutions, kept between decodes */

    s2fi_face_tap_fn tap;
    void *tap_user;
};

void s2fi_face_decoder_set_tap(s2f_face_decoder *decoder, s2fi_face_tap_fn fn, void *user_data);

/** Runs the network on a validated feature: fills decoder->texture and decoder->landmarks
 *  (clamped to the image). Fails with S2F_ERR_NON_FINITE if the network overflowed. */
s2f_status s2fi_face_decoder_forward(s2f_face_decoder *decoder, const float *feature);

#endif
