/* The face decoder's architecture as read from "face_decoder.*" container metadata
 * (docs/face-decoder.md lists every key). */
#ifndef S2F_PIPELINE_FACE_DECODER_CONFIG_H
#define S2F_PIPELINE_FACE_DECODER_CONFIG_H

#include "model/model.h"

#define S2FI_FACE_MAX_UPSAMPLES 8
#define S2FI_FACE_MAX_LANDMARK_HIDDEN 4
/* The warp solves an (L + boundary + 3)² system: keep L well inside its 1024-point limit. */
#define S2FI_FACE_MAX_LANDMARKS 512

typedef struct s2fi_face_decoder_config {
    int feature_dim;
    int hidden_dim;
    int landmark_hidden_count;
    int landmark_hidden[S2FI_FACE_MAX_LANDMARK_HIDDEN];
    int landmark_count;
    int texture_size;       /* S: the texture FC's output is viewed as C0 × S × S */
    int texture_channels;   /* C0 */
    int upsample_count;
    int upsample_channels[S2FI_FACE_MAX_UPSAMPLES];
    int upsample_kernel, upsample_stride, upsample_padding, upsample_output_padding;
    int image_size;         /* output height = width, checked against the layer arithmetic */
    const float *mean_landmarks; /* landmark_count (x, y) pairs, borrowed from the model */
    s2f_warp_params warp;   /* a full struct (size set): order, boundary points, regularization */
} s2fi_face_decoder_config;

/* Defaults of the optional warp keys. */
#define S2FI_FACE_DEFAULT_WARP_ORDER 2
#define S2FI_FACE_DEFAULT_WARP_BOUNDARY_POINTS 2
#define S2FI_FACE_DEFAULT_WARP_REGULARIZATION 1e-3

/** Reads and validates the metadata; every failure names the offending key. */
s2f_status s2fi_face_decoder_config_read(const s2f_model *model, s2fi_face_decoder_config *config,
                                         s2fi_error_slot *slot);

#endif
