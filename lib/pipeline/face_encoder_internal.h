/* Private hooks of the face encoder, for tests and debugging tools. */
#ifndef S2F_PIPELINE_FACE_ENCODER_INTERNAL_H
#define S2F_PIPELINE_FACE_ENCODER_INTERNAL_H

#include "pipeline/face_network.h"
#include "speech2face.h"

/** Calls `fn` after each stage of later forward passes ("input" = the normalised network input,
 *  then the network's stages, see s2fi_face_tap_fn); NULL turns it off. */
void s2fi_face_encoder_set_tap(s2f_face_encoder *encoder, s2fi_face_tap_fn fn, void *user_data);

#endif
