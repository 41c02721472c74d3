/* The voice encoder's architecture as read from "voice_encoder.*" container metadata. */
#ifndef S2F_PIPELINE_VOICE_ENCODER_CONFIG_H
#define S2F_PIPELINE_VOICE_ENCODER_CONFIG_H

#include "model/model.h"
#include "nn/padding.h"

#define S2FI_VOICE_MAX_CONVS 16
#define S2FI_VOICE_MAX_FCS 4

typedef struct s2fi_voice_config {
    int conv_count;
    int conv_channels[S2FI_VOICE_MAX_CONVS];
    int conv_strides[S2FI_VOICE_MAX_CONVS];
    int pool_time[S2FI_VOICE_MAX_CONVS]; /* time pooling factor after each conv, 1 = none */
    int kernel;
    s2fi_padding_mode padding;
    int input_bins;
    int input_channels;
    int fc_count;
    int fc_dims[S2FI_VOICE_MAX_FCS];
    double bn_eps;
} s2fi_voice_config;

/** Reads and validates the metadata; every failure names the offending key. */
s2f_status s2fi_voice_config_read(const s2f_model *model, s2fi_voice_config *config,
                                  s2fi_error_slot *slot);

#endif
