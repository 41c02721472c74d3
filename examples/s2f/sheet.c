/* Drawing for --landmarks and --sheet, and the face decoder call shared by face and search. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>

void draw_dot(uint8_t *rgb, int width, int height, size_t stride, float x, float y, int radius,
              const uint8_t color[3])
{
    int cx = (int)lrintf(x), cy = (int)lrintf(y);
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            int px = cx + dx, py = cy + dy;
            if (dx * dx + dy * dy > radius * radius || px < 0 || py < 0 || px >= width ||
                py >= height)
                continue;
            uint8_t *pixel = rgb + (size_t)py * stride + (size_t)px * 3;
            pixel[0] = color[0];
            pixel[1] = color[1];
            pixel[2] = color[2];
        }
}

int sheet_place(uint8_t *sheet, size_t sheet_stride, int x0, int y0, int tile, const uint8_t *src,
                int width, int height)
{
    /* The central square of the photo, resized (antialiased) to the tile. */
    int side = width < height ? width : height;
    double box_x = (width - side) / 2.0, box_y = (height - side) / 2.0;
    uint8_t *target = sheet + (size_t)y0 * sheet_stride + (size_t)x0 * 3;
    s2f_status status = s2f_image_crop_resize(src, width, height, (size_t)width * 3, box_x, box_y,
                                              side, side, S2F_RESIZE_BILINEAR_ANTIALIAS, target,
                                              tile, tile, sheet_stride);
    if (status != S2F_OK)
        return cli_library_error(CLI_RUNTIME, "contact sheet", status, s2f_last_error_message());
    return CLI_OK;
}

int cli_decode_face(s2f_face_decoder *decoder, const float *feature, size_t dim, uint8_t **rgb,
                    size_t *side, float **landmarks, size_t *landmark_count)
{
    size_t height = 0, width = 0, count = 0;
    s2f_face_decoder_shape(decoder, NULL, &height, &width, &count);
    uint8_t *pixels = malloc(height * width * 3);
    float *points = malloc(2 * count * sizeof *points);
    if (!pixels || !points) {
        free(pixels);
        free(points);
        cli_error("out of memory for a %zux%zu face", width, height);
        return CLI_RUNTIME;
    }
    s2f_status status = s2f_face_decoder_decode_u8(decoder, feature, dim, pixels, width * 3,
                                                   height * width * 3, points, 2 * count);
    if (status != S2F_OK) {
        free(pixels);
        free(points);
        return cli_library_error(CLI_RUNTIME, "face decoder", status,
                                 s2f_face_decoder_last_error(decoder));
    }
    *rgb = pixels;
    *side = width;
    if (landmarks) {
        *landmarks = points;
        *landmark_count = count;
    } else {
        free(points);
    }
    return CLI_OK;
}
