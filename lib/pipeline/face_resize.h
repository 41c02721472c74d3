/* Cropping and resizing of uint8 RGB images into float pixels (0..255), for the face encoder's
 * input and the public s2f_image_crop_resize. Two filters (s2f_resize_filter):
 *
 *  - BILINEAR_TF: TensorFlow's legacy tf.image.resize_bilinear (align_corners and
 *    half_pixel_centers false), which face-api applies to its input: output pixel o samples
 *    box_x + o·(box_w / out_w), interpolating the two nearest pixels, the second index clamped to
 *    the box's last pixel. No antialiasing: a large downscale skips pixels. Needed to reproduce
 *    face-api's descriptors exactly.
 *  - BILINEAR_ANTIALIAS: Pillow's Image.resize(BILINEAR, box=...): a triangle filter stretched by
 *    the downscale factor, so every input pixel contributes (proper antialiasing), pixel centres
 *    at half-integers, weights renormalised where the filter leaves the image.
 *
 * The box is in pixel units ((0, 0) is the top-left corner of the top-left pixel) and may extend
 * past the image: outside, the image is black (zero), as face-api's pad-to-square. */
#ifndef S2F_PIPELINE_FACE_RESIZE_H
#define S2F_PIPELINE_FACE_RESIZE_H

#include "core/error.h"
#include "speech2face.h"

#include <stddef.h>
#include <stdint.h>

/* Limits on images accepted anywhere in the face encoder's API. */
#define S2FI_IMAGE_MAX_SIDE 32768
#define S2FI_IMAGE_MAX_PIXELS ((size_t)1 << 28)
#define S2FI_CROP_MAX_OUTPUT_SIDE 8192

typedef struct s2fi_crop_box {
    double x, y, width, height;
} s2fi_crop_box;

/** Validates an input image (non-NULL, sizes within the limits, stride >= 3·width, no size
 *  overflow). Returns S2F_OK or a named error recorded in `slot`. `what` names it in messages. */
s2f_status s2fi_image_check(const uint8_t *rgb, int width, int height, size_t stride_bytes,
                            const char *what, s2fi_error_slot *slot);

/** Resamples `box` of the image into out_height × out_width × 3 floats (0..255) at `out`.
 *  `filter` is S2F_RESIZE_BILINEAR_TF or S2F_RESIZE_BILINEAR_ANTIALIAS; the image must have
 *  passed s2fi_image_check and the box be finite with positive size.
 *  Errors: S2F_ERR_OUT_OF_MEMORY (temporary rows), S2F_ERR_INVALID_ARGUMENT (unknown filter). */
s2f_status s2fi_crop_resize_f32(const uint8_t *rgb, int width, int height, size_t stride_bytes,
                                s2fi_crop_box box, s2f_resize_filter filter, float *out,
                                int out_width, int out_height, s2fi_error_slot *slot);

/** face-api's padToSquare(centred): the square box, in the image's pixel units, that pads the
 *  shorter side with zeros: round(d / 2) pixels after the image, the rest before. */
s2fi_crop_box s2fi_pad_to_square_box(int width, int height);

#endif
