#include "png_write.h"

#include <png.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void set_error(char *error, size_t error_size, const char *fmt, ...)
{
    if (!error || error_size == 0)
        return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(error, error_size, fmt, args);
    va_end(args);
}

/* libpng reports errors through a callback that must not return: jump back to the writer. */
typedef struct png_failure {
    jmp_buf jump;
    char message[256];
} png_failure;

static void on_png_error(png_structp png, png_const_charp message)
{
    png_failure *failure = png_get_error_ptr(png);
    snprintf(failure->message, sizeof failure->message, "%s", message);
    longjmp(failure->jump, 1);
}

static void on_png_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

/* Closes and removes a partial file; standard output is only flushed (nothing to remove). */
static void close_output(FILE *file, int to_stdout, const char *path)
{
    if (to_stdout) {
        fflush(file);
        return;
    }
    fclose(file);
    remove(path);
}

/* channels: 3 (RGB) or 1 (grey). */
static int png_write_8bit(const char *path, const uint8_t *pixels, int channels, int width,
                          int height, size_t row_stride, char *error, size_t error_size)
{
    if (!path || !pixels || width < 1 || height < 1 ||
        row_stride < (size_t)width * (size_t)channels) {
        set_error(error, error_size, "png_write: invalid arguments");
        return -1;
    }
    const int to_stdout = strcmp(path, "-") == 0; /* "-": standard output (a pipe) */
    FILE *file = to_stdout ? stdout : fopen(path, "wb");
    if (!file) {
        set_error(error, error_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* Declared volatile: modified between setjmp and a possible longjmp. */
    png_failure failure = {.message = ""};
    png_structp volatile png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_png_error, on_png_warning);
    png_infop volatile info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
        close_output(file, to_stdout, path);
        set_error(error, error_size, "libpng: out of memory");
        return -1;
    }
    if (setjmp(failure.jump)) {
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
        close_output(file, to_stdout, path);
        set_error(error, error_size, "libpng: %s", failure.message);
        return -1;
    }
    png_init_io(png, file);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, pixels + (size_t)y * row_stride);
    png_write_end(png, NULL);
    png_structp p = png;
    png_infop i = info;
    png_destroy_write_struct(&p, &i);
    if (to_stdout ? fflush(file) != 0 : fclose(file) != 0) {
        if (!to_stdout)
            remove(path);
        set_error(error, error_size, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int png_write_rgb8(const char *path, const uint8_t *rgb, int width, int height, size_t row_stride,
                   char *error, size_t error_size)
{
    return png_write_8bit(path, rgb, 3, width, height, row_stride, error, error_size);
}

int png_write_gray8(const char *path, const uint8_t *grey, int width, int height,
                    size_t row_stride, char *error, size_t error_size)
{
    return png_write_8bit(path, grey, 1, width, height, row_stride, error, error_size);
}
