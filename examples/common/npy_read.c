#include "npy_read.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *error, size_t error_size, const char *path, const char *what)
{
    if (error && error_size)
        snprintf(error, error_size, "%s: %s", path, what);
    return -1;
}

int npy_read_f32(const char *path, float **values, size_t *count, char *error, size_t error_size)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return fail(error, error_size, path, strerror(errno));
    unsigned char preamble[12];
    if (fread(preamble, 1, 10, file) != 10 || memcmp(preamble, "\x93NUMPY", 6) != 0) {
        fclose(file);
        return fail(error, error_size, path, "not a .npy file");
    }
    size_t header_length = preamble[8] | (size_t)preamble[9] << 8;
    if (preamble[6] >= 2) { /* versions 2 and 3 have a 4-byte header length */
        if (fread(preamble + 10, 1, 2, file) != 2) {
            fclose(file);
            return fail(error, error_size, path, "truncated header");
        }
        header_length |= (size_t)preamble[10] << 16 | (size_t)preamble[11] << 24;
    }
    if (header_length == 0 || header_length > 65536) {
        fclose(file);
        return fail(error, error_size, path, "bad header length");
    }
    char *header = calloc(1, header_length + 1);
    if (!header || fread(header, 1, header_length, file) != header_length) {
        free(header);
        fclose(file);
        return fail(error, error_size, path, "truncated header");
    }
    int ok = strstr(header, "'descr': '<f4'") && strstr(header, "'fortran_order': False");
    const char *shape = strstr(header, "'shape': (");
    size_t n = 1;
    if (ok && shape) {
        for (const char *p = shape + 10; *p && *p != ')';) {
            char *end;
            unsigned long long extent = strtoull(p, &end, 10);
            if (end == p) {
                ++p;
                continue;
            }
            if (extent != 0 && n > SIZE_MAX / sizeof(float) / extent)
                ok = 0;
            n *= (size_t)extent;
            p = end;
        }
    }
    free(header);
    if (!ok || !shape) {
        fclose(file);
        return fail(error, error_size, path, "expected a C-order little-endian float32 array");
    }
    float *data = malloc(n ? n * sizeof(float) : 1);
    if (!data || fread(data, sizeof(float), n, file) != n) {
        free(data);
        fclose(file);
        return fail(error, error_size, path, "truncated data");
    }
    fclose(file);
    *values = data;
    *count = n;
    return 0;
}
