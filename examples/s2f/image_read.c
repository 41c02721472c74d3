/* PNG (libpng's simplified API) and JPEG (libjpeg-turbo) files → 8-bit RGB. The format is taken
 * from the file's first bytes, not its name. Errors never exit: libjpeg's fatal-error handler is
 * replaced by a longjmp back here. */
#include "cli.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */

#include <jpeglib.h>
#include <stdlib.h>
#include <string.h>

/* Photos larger than this are refused rather than decoded into gigabytes. */
#define IMAGE_MAX_PIXELS (1u << 28)

static int read_png(const char *path, uint8_t **rgb, int *width, int *height, char *error,
                    size_t error_size)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) {
        snprintf(error, error_size, "%s: not a readable PNG (%s)", path, image.message);
        return -1;
    }
    if ((uint64_t)image.width * image.height > IMAGE_MAX_PIXELS) {
        snprintf(error, error_size, "%s: %ux%u pixels is too large", path, image.width,
                 image.height);
        png_image_free(&image);
        return -1;
    }
    image.format = PNG_FORMAT_RGB; /* alpha is composited onto black, grey expanded */
    uint8_t *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) {
        snprintf(error, error_size, "%s: out of memory", path);
        png_image_free(&image);
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        snprintf(error, error_size, "%s: PNG decoding failed (%s)", path, image.message);
        free(pixels);
        return -1;
    }
    *rgb = pixels;
    *width = (int)image.width;
    *height = (int)image.height;
    return 0;
}

typedef struct jpeg_error_jump {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_error_jump;

static void jpeg_fail(j_common_ptr info)
{
    jpeg_error_jump *err = (jpeg_error_jump *)info->err;
    err->base.format_message(info, err->message);
    longjmp(err->jump, 1);
}

static void jpeg_quiet(j_common_ptr info, int level)
{
    (void)info;
    (void)level; /* corrupt-data warnings: libjpeg recovers; do not print from here */
}

static int read_jpeg(const char *path, FILE *file, uint8_t **rgb, int *width, int *height,
                     char *error, size_t error_size)
{
    struct jpeg_decompress_struct info;
    jpeg_error_jump err;
    /* volatile: modified between setjmp and a possible longjmp. */
    uint8_t *volatile pixels = NULL;
    info.err = jpeg_std_error(&err.base);
    err.base.error_exit = jpeg_fail;
    err.base.emit_message = jpeg_quiet;
    if (setjmp(err.jump)) {
        snprintf(error, error_size, "%s: JPEG decoding failed (%s)", path, err.message);
        jpeg_destroy_decompress(&info);
        free(pixels);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_stdio_src(&info, file);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_RGB; /* greyscale and YCbCr alike become RGB */
    jpeg_start_decompress(&info);
    if ((uint64_t)info.output_width * info.output_height > IMAGE_MAX_PIXELS ||
        info.output_components != 3) {
        snprintf(error, error_size, "%s: %ux%u JPEG with %d components is not usable", path,
                 info.output_width, info.output_height, info.output_components);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    size_t stride = (size_t)info.output_width * 3;
    pixels = malloc(stride * info.output_height);
    if (!pixels) {
        snprintf(error, error_size, "%s: out of memory", path);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    *rgb = pixels;
    return 0;
}

int image_read_rgb8(const char *path, uint8_t **rgb, int *width, int *height, char *error,
                    size_t error_size)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(error, error_size, "%s: cannot open: %m", path);
        return -1;
    }
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, sizeof magic, file);
    int result;
    if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) {
        rewind(file);
        result = read_jpeg(path, file, rgb, width, height, error, error_size);
    } else if (got == 8 && png_sig_cmp(magic, 0, 8) == 0) {
        result = read_png(path, rgb, width, height, error, error_size);
    } else {
        snprintf(error, error_size, "%s: not a PNG or JPEG image", path);
        result = -1;
    }
    fclose(file);
    return result;
}
