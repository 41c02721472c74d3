/* Private hooks of the voice encoder, for tests and debugging tools. */
#ifndef S2F_PIPELINE_VOICE_ENCODER_INTERNAL_H
#define S2F_PIPELINE_VOICE_ENCODER_INTERNAL_H

#include "speech2face.h"

/** Called after each stage of a forward pass with the stage's name ("conv3", "pool3", "pooled",
 *  "fc1", ...), its activation in NHWC order (batch × features for FC stages) and that shape. */
typedef void (*s2fi_voice_tap_fn)(const char *stage, const float *data, int height, int width,
                                  int channels, void *user_data);

void s2fi_voice_encoder_set_tap(s2f_voice_encoder *encoder, s2fi_voice_tap_fn fn, void *user_data);

#endif
