/* Result formats: float32 .npy files and JSON on stdout. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes the .npy header and the values to `file`; returns whether every byte was written. */
static int npy_put(FILE *file, const float *values, size_t rows, size_t cols)
{
    char header[160];
    int len = rows ? snprintf(header, sizeof header,
                              "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
                              rows, cols)
                   : snprintf(header, sizeof header,
                              "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu,), }", cols);
    /* magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64. */
    int pad = (64 - (10 + len + 1) % 64) % 64;
    size_t count = (rows ? rows : 1) * cols;
    unsigned header_len = (unsigned)(len + pad + 1);
    unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                (unsigned char)(header_len & 0xff),
                                (unsigned char)(header_len >> 8)};
    int ok = fwrite(prefix, 1, sizeof prefix, file) == sizeof prefix &&
             fwrite(header, 1, (size_t)len, file) == (size_t)len;
    for (int i = 0; ok && i < pad; ++i)
        ok = fputc(' ', file) != EOF;
    ok = ok && fputc('\n', file) != EOF;
    return ok && fwrite(values, sizeof(float), count, file) == count; /* little-endian hosts */
}

int npy_write_f32(const char *path, const float *values, size_t rows, size_t cols, char *error,
                  size_t error_size)
{
    if (strcmp(path, "-") == 0) { /* standard output: no file to replace atomically */
        if (!npy_put(stdout, values, rows, cols) || fflush(stdout) != 0) {
            snprintf(error, error_size, "cannot write to standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    /* Written beside the target and renamed over it: a failure never leaves half a file. */
    char temporary[4200];
    snprintf(temporary, sizeof temporary, "%s.tmp-%ld", path, (long)getpid());
    FILE *file = fopen(temporary, "wb");
    if (!file) {
        snprintf(error, error_size, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    int ok = npy_put(file, values, rows, cols);
    int saved_errno = errno;
    ok = (fclose(file) == 0) && ok;
    if (!ok || rename(temporary, path) != 0) {
        if (ok)
            saved_errno = errno;
        remove(temporary);
        snprintf(error, error_size, "cannot write %s: %s", path, strerror(saved_errno));
        return -1;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at `c` (1…4), or 0 if the bytes there are not one
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *c)
{
    if (c[0] < 0x80)
        return 1;
    size_t length = c[0] >= 0xf0 ? 4 : c[0] >= 0xe0 ? 3 : c[0] >= 0xc0 ? 2 : 0;
    if (length == 0 || c[0] > 0xf4)
        return 0;
    unsigned long point = c[0] & (0x3f >> (length - 1));
    for (size_t i = 1; i < length; ++i) {
        if ((c[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        point = point << 6 | (c[i] & 0x3f);
    }
    static const unsigned long smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < smallest[length] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff))
        return 0;
    return length;
}

/* A JSON string. File names are bytes, not necessarily UTF-8: a byte that does not start a
 * valid UTF-8 sequence becomes U+FFFD, so the output is always valid JSON (and valid UTF-8). */
void json_print_string(const char *text)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c;) {
        size_t length = utf8_sequence(c);
        if (length == 0) {
            fputs("\\ufffd", stdout);
            ++c;
        } else if (*c == '"' || *c == '\\') {
            printf("\\%c", *c++);
        } else if (*c < 0x20) {
            printf("\\u%04x", *c++);
        } else {
            fwrite(c, 1, length, stdout);
            c += length;
        }
    }
    putchar('"');
}

void print_float(float value)
{
    printf("%.9g", (double)value);
}
