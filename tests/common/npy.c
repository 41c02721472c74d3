#include "npy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *error, size_t error_size, const char *path, const char *why)
{
    snprintf(error, error_size, "%s: %s", path, why);
    return -1;
}

/* Parses "'shape': (a, b, c)" from the header dict. */
static int parse_shape(const char *header, npy_array *out)
{
    const char *p = strstr(header, "'shape'");
    if (!p || !(p = strchr(p, '(')))
        return -1;
    ++p;
    out->ndim = 0;
    out->count = 1;
    while (*p && *p != ')') {
        while (*p == ' ' || *p == ',')
            ++p;
        if (*p == ')')
            break;
        char *end;
        long long dim = strtoll(p, &end, 10);
        if (end == p || dim < 0 || out->ndim == NPY_MAX_DIMS)
            return -1;
        out->shape[out->ndim++] = dim;
        out->count *= (size_t)dim;
        p = end;
    }
    return 0;
}

int npy_load(const char *path, npy_array *out, char *error, size_t error_size)
{
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "rb");
    if (!file)
        return fail(error, error_size, path, "cannot open");
    unsigned char preamble[12];
    int result = -1;
    char *header = NULL;
    void *raw = NULL;
    if (fread(preamble, 1, 10, file) != 10 || memcmp(preamble, "\x93NUMPY", 6) != 0) {
        fail(error, error_size, path, "not a .npy file");
        goto done;
    }
    size_t header_len;
    if (preamble[6] == 1) {
        header_len = preamble[8] | (size_t)preamble[9] << 8;
    } else {
        if (fread(preamble + 10, 1, 2, file) != 2)
            goto done;
        header_len = preamble[8] | (size_t)preamble[9] << 8 | (size_t)preamble[10] << 16 |
                     (size_t)preamble[11] << 24;
    }
    header = calloc(header_len + 1, 1);
    if (!header || fread(header, 1, header_len, file) != header_len) {
        fail(error, error_size, path, "truncated header");
        goto done;
    }
    if (strstr(header, "'fortran_order': True")) {
        fail(error, error_size, path, "Fortran order not supported");
        goto done;
    }
    if (parse_shape(header, out) != 0) {
        fail(error, error_size, path, "bad shape");
        goto done;
    }
    static const struct { const char *descr; size_t size; } kinds[] = {
        {"'<f4'", 4}, {"'<f8'", 8}, {"'<i4'", 4}, {"'<i8'", 8}, {"'|u1'", 1},
    };
    int kind = -1;
    for (int k = 0; k < 5; ++k)
        if (strstr(header, kinds[k].descr))
            kind = k;
    if (kind < 0) {
        fail(error, error_size, path, "unsupported dtype");
        goto done;
    }
    size_t bytes = out->count * kinds[kind].size;
    raw = malloc(bytes ? bytes : 1);
    out->data = malloc((out->count ? out->count : 1) * sizeof(float));
    if (!raw || !out->data || fread(raw, 1, bytes, file) != bytes) {
        fail(error, error_size, path, "truncated data");
        goto done;
    }
    for (size_t i = 0; i < out->count; ++i) {
        switch (kind) {
        case 0: out->data[i] = ((const float *)raw)[i]; break;
        case 1: out->data[i] = (float)((const double *)raw)[i]; break;
        case 2: out->data[i] = (float)((const int32_t *)raw)[i]; break;
        case 3: out->data[i] = (float)((const int64_t *)raw)[i]; break;
        default: out->data[i] = ((const uint8_t *)raw)[i]; break;
        }
    }
    result = 0;
done:
    if (result != 0)
        npy_free(out);
    free(raw);
    free(header);
    fclose(file);
    return result;
}

void npy_free(npy_array *array)
{
    free(array->data);
    array->data = NULL;
    array->count = 0;
}

double npy_max_abs_diff(const float *a, const float *b, size_t count)
{
    double worst = 0;
    for (size_t i = 0; i < count; ++i) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= worst)) /* also catches NaN */
            worst = isnan(d) ? INFINITY : d;
    }
    return worst;
}

double npy_max_abs(const float *a, size_t count)
{
    double worst = 0;
    for (size_t i = 0; i < count; ++i)
        if (fabs(a[i]) > worst)
            worst = fabs(a[i]);
    return worst;
}
