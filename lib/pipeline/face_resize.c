#include "pipeline/face_resize.h"

#include "core/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

s2f_status s2fi_image_check(const uint8_t *rgb, int width, int height, size_t stride_bytes,
                            const char *what, s2fi_error_slot *slot)
{
    if (!rgb)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "%s pixels are NULL", what);
    if (width < 1 || height < 1 || width > S2FI_IMAGE_MAX_SIDE || height > S2FI_IMAGE_MAX_SIDE)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "%s is %d×%d pixels; each side must be 1..%d", what, width, height,
                         S2FI_IMAGE_MAX_SIDE);
    if ((size_t)width * (size_t)height > S2FI_IMAGE_MAX_PIXELS)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "%s has %zu pixels; at most %zu", what,
                         (size_t)width * (size_t)height, S2FI_IMAGE_MAX_PIXELS);
    if (stride_bytes < (size_t)width * 3)
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "%s row stride %zu bytes is less than 3 × width = %zu", what,
                         stride_bytes, (size_t)width * 3);
    size_t span;
    if (!s2fi_mul_size(stride_bytes, (size_t)height - 1, &span) ||
        !s2fi_add_size(span, (size_t)width * 3, &span) || span > (SIZE_MAX >> 1))
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "%s row stride %zu bytes × %d rows overflows the address space", what,
                         stride_bytes, height);
    return S2F_OK;
}

s2fi_crop_box s2fi_pad_to_square_box(int width, int height)
{
    const int side = width > height ? width : height;
    const int diff = side - (width < height ? width : height);
    const int after = (diff + 1) / 2; /* JS Math.round(diff * 0.5) */
    const int before = diff - after;
    s2fi_crop_box box = {0.0, 0.0, side, side};
    if (width < height)
        box.x = -before;
    else
        box.y = -before;
    return box;
}

/* ---------------------------------------------------------------- TF legacy bilinear */

typedef struct tf_tap {
    int64_t first;  /* absolute pixel index of the first sample (may be outside the image) */
    int64_t second; /* absolute index of the second sample */
    float frac;     /* weight of the second sample */
} tf_tap;

static void tf_taps(double origin, double extent, int out_size, tf_tap *taps)
{
    /* TF: scale and source position in float, floor for the first index. */
    const float scale = (float)(extent / (double)out_size);
    const double base = floor(origin);
    const double offset = origin - base; /* 0 for an integer box: then everything is TF-exact */
    const int64_t last = (int64_t)ceil(origin + extent) - 1;
    for (int o = 0; o < out_size; ++o) {
        const float u = (float)o * scale;
        double position = (double)u + offset;
        double lower = floor(position);
        taps[o].first = (int64_t)base + (int64_t)lower;
        taps[o].second = taps[o].first + 1 <= last ? taps[o].first + 1 : last;
        taps[o].frac = (float)(position - lower);
    }
}

static inline const uint8_t *pixel_or_null(const uint8_t *rgb, int width, int height,
                                           size_t stride, int64_t x, int64_t y)
{
    if (x < 0 || y < 0 || x >= width || y >= height)
        return NULL;
    return rgb + (size_t)y * stride + (size_t)x * 3;
}

static s2f_status resize_tf(const uint8_t *rgb, int width, int height, size_t stride,
                            s2fi_crop_box box, float *out, int out_width, int out_height,
                            s2fi_error_slot *slot)
{
    tf_tap *xs = malloc((size_t)out_width * sizeof *xs);
    tf_tap *ys = malloc((size_t)out_height * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory for resize taps");
    }
    tf_taps(box.x, box.width, out_width, xs);
    tf_taps(box.y, box.height, out_height, ys);
    static const uint8_t black[3] = {0, 0, 0};
    for (int oy = 0; oy < out_height; ++oy) {
        const tf_tap ty = ys[oy];
        float *dst = out + (size_t)oy * (size_t)out_width * 3;
        for (int ox = 0; ox < out_width; ++ox) {
            const tf_tap tx = xs[ox];
            const uint8_t *tl = pixel_or_null(rgb, width, height, stride, tx.first, ty.first);
            const uint8_t *tr = pixel_or_null(rgb, width, height, stride, tx.second, ty.first);
            const uint8_t *bl = pixel_or_null(rgb, width, height, stride, tx.first, ty.second);
            const uint8_t *br = pixel_or_null(rgb, width, height, stride, tx.second, ty.second);
            tl = tl ? tl : black;
            tr = tr ? tr : black;
            bl = bl ? bl : black;
            br = br ? br : black;
            for (int c = 0; c < 3; ++c) {
                /* The same operation order as TF's kernel: lerp along x, then along y. */
                const float top = (float)tl[c] + ((float)tr[c] - (float)tl[c]) * tx.frac;
                const float bottom = (float)bl[c] + ((float)br[c] - (float)bl[c]) * tx.frac;
                dst[ox * 3 + c] = top + (bottom - top) * ty.frac;
            }
        }
    }
    free(xs);
    free(ys);
    return S2F_OK;
}

/* ------------------------------------------------------ Pillow-style antialiased bilinear */

typedef struct aa_axis {
    int *start;      /* [out] first input index of each output's taps */
    int *count;      /* [out] number of taps (0: the output pixel is outside the image) */
    double *weights; /* [out][max_taps] normalised weights */
    int max_taps;
} aa_axis;

static double triangle(double x)
{
    x = fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

static void aa_axis_free(aa_axis *a)
{
    free(a->start);
    free(a->count);
    free(a->weights);
}

/* Pillow's precompute_coeffs (libImaging/Resample.c) with the bilinear filter (support 1), except
 * that an output pixel whose centre lies outside the image gets no taps (black). */
static int aa_axis_build(aa_axis *a, double origin, double extent, int in_size, int out_size)
{
    const double scale = extent / (double)out_size;
    const double filterscale = scale < 1.0 ? 1.0 : scale;
    const double support = 1.0 * filterscale;
    a->max_taps = (int)ceil(support) * 2 + 1;
    a->start = calloc((size_t)out_size, sizeof *a->start);
    a->count = calloc((size_t)out_size, sizeof *a->count);
    a->weights = calloc((size_t)out_size * (size_t)a->max_taps, sizeof *a->weights);
    if (!a->start || !a->count || !a->weights)
        return 0;
    const double ss = 1.0 / filterscale;
    for (int o = 0; o < out_size; ++o) {
        const double center = origin + ((double)o + 0.5) * scale;
        if (!(center >= 0.0 && center < (double)in_size))
            continue;
        double lo = center - support + 0.5, hi = center + support + 0.5;
        int xmin = lo < 0.0 ? 0 : (int)lo;
        int xmax = hi > (double)in_size ? in_size : (int)hi;
        int n = xmax - xmin;
        if (n > a->max_taps)
            n = a->max_taps;
        double *w = a->weights + (size_t)o * (size_t)a->max_taps;
        double total = 0.0;
        for (int k = 0; k < n; ++k) {
            w[k] = triangle(((double)(k + xmin) - center + 0.5) * ss);
            total += w[k];
        }
        if (total != 0.0)
            for (int k = 0; k < n; ++k)
                w[k] /= total;
        a->start[o] = xmin;
        a->count[o] = n;
    }
    return 1;
}

static s2f_status resize_antialias(const uint8_t *rgb, int width, int height, size_t stride,
                                   s2fi_crop_box box, float *out, int out_width, int out_height,
                                   s2fi_error_slot *slot)
{
    aa_axis ax = {0}, ay = {0};
    float *rows = NULL;
    s2f_status status = S2F_OK;
    if (!aa_axis_build(&ax, box.x, box.width, width, out_width) ||
        !aa_axis_build(&ay, box.y, box.height, height, out_height)) {
        status = s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory for resize coefficients");
        goto done;
    }
    /* Input rows the vertical pass reads: filter them horizontally once each. */
    int row_lo = height, row_hi = 0;
    for (int o = 0; o < out_height; ++o)
        if (ay.count[o] > 0) {
            if (ay.start[o] < row_lo)
                row_lo = ay.start[o];
            if (ay.start[o] + ay.count[o] > row_hi)
                row_hi = ay.start[o] + ay.count[o];
        }
    const size_t out_row = (size_t)out_width * 3;
    if (row_hi > row_lo) {
        rows = malloc((size_t)(row_hi - row_lo) * out_row * sizeof *rows);
        if (!rows) {
            status = s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory for %d resized rows",
                               row_hi - row_lo);
            goto done;
        }
    }
    for (int y = row_lo; y < row_hi; ++y) {
        const uint8_t *src = rgb + (size_t)y * stride;
        float *dst = rows + (size_t)(y - row_lo) * out_row;
        for (int o = 0; o < out_width; ++o) {
            const double *w = ax.weights + (size_t)o * (size_t)ax.max_taps;
            const uint8_t *p = src + (size_t)ax.start[o] * 3;
            double r = 0.0, g = 0.0, b = 0.0;
            for (int k = 0; k < ax.count[o]; ++k) {
                r += w[k] * p[3 * k];
                g += w[k] * p[3 * k + 1];
                b += w[k] * p[3 * k + 2];
            }
            dst[3 * o] = (float)r;
            dst[3 * o + 1] = (float)g;
            dst[3 * o + 2] = (float)b;
        }
    }
    for (int o = 0; o < out_height; ++o) {
        float *dst = out + (size_t)o * out_row;
        const double *w = ay.weights + (size_t)o * (size_t)ay.max_taps;
        for (size_t i = 0; i < out_row; ++i) {
            double sum = 0.0;
            for (int k = 0; k < ay.count[o]; ++k)
                sum += w[k] * rows[(size_t)(ay.start[o] - row_lo + k) * out_row + i];
            dst[i] = (float)sum;
        }
    }
done:
    aa_axis_free(&ax);
    aa_axis_free(&ay);
    free(rows);
    return status;
}

s2f_status s2fi_crop_resize_f32(const uint8_t *rgb, int width, int height, size_t stride_bytes,
                                s2fi_crop_box box, s2f_resize_filter filter, float *out,
                                int out_width, int out_height, s2fi_error_slot *slot)
{
    switch (filter) {
    case S2F_RESIZE_BILINEAR_TF:
        return resize_tf(rgb, width, height, stride_bytes, box, out, out_width, out_height, slot);
    case S2F_RESIZE_BILINEAR_ANTIALIAS:
        return resize_antialias(rgb, width, height, stride_bytes, box, out, out_width, out_height,
                                slot);
    default:
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT, "unknown resize filter %d", (int)filter);
    }
}
