/* Writes 8-bit RGB and greyscale images as PNG with libpng: shared by the examples and the s2f tool. */
#ifndef S2F_EXAMPLES_PNG_WRITE_H
#define S2F_EXAMPLES_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

/** Writes a width×height RGB image (3 bytes per pixel, rows `row_stride` bytes apart) to
 *  `path`. Returns 0 on success, -1 with a message in `error` (may be NULL) otherwise; a failed
 *  write removes the partial file. */
int png_write_rgb8(const char *path, const uint8_t *rgb, int width, int height, size_t row_stride,
                   char *error, size_t error_size);

/** As png_write_rgb8 for a greyscale image (1 byte per pixel). */
int png_write_gray8(const char *path, const uint8_t *grey, int width, int height,
                    size_t row_stride, char *error, size_t error_size);

#endif
