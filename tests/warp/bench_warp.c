/* Times s2f_warp_image on the decoder's size: 224×224×3, 68 landmarks + boundary points.
 * Run with `meson test -C BUILD --benchmark --suite warp -v` (or directly). Prints the median
 * of repeated calls per order. */
#include <speech2face.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    enum { H = 224, W = 224, C = 3, N = 68, REPEATS = 21 };
    float *image = malloc(sizeof(float) * H * W * C), *out = malloc(sizeof(float) * H * W * C);
    float src[2 * N], dst[2 * N];
    if (!image || !out)
        return 1;
    for (size_t i = 0; i < (size_t)H * W * C; ++i)
        image[i] = (float)((i * 2654435761u) % 1000) / 1000.0f;
    /* Landmarks on a few rings around the face centre, moved smoothly by a couple of pixels. */
    for (int t = 0; t < N; ++t) {
        double angle = 2.0 * M_PI * t / 17.0, radius = 20.0 + 20.0 * (t % 4);
        src[2 * t] = (float)(112.0 + radius * cos(angle));
        src[2 * t + 1] = (float)(112.0 + radius * sin(angle));
        dst[2 * t] = src[2 * t] + (float)(2.0 * sin(0.05 * src[2 * t + 1]));
        dst[2 * t + 1] = src[2 * t + 1] + (float)(2.0 * cos(0.05 * src[2 * t]));
    }
    for (int order = 1; order <= 3; ++order) {
        s2f_warp_params params = s2f_warp_default_params();
        params.order = order;
        double times[REPEATS];
        for (int r = 0; r < REPEATS; ++r) {
            double start = now_seconds();
            s2f_status status = s2f_warp_image(image, H, W, C, src, dst, N, &params, out);
            times[r] = now_seconds() - start;
            if (status != S2F_OK) {
                fprintf(stderr, "warp failed: %s\n", s2f_last_error_message());
                return 1;
            }
        }
        qsort(times, REPEATS, sizeof times[0], compare_doubles);
        printf("warp %dx%dx%d, %d landmarks + %d boundary points, order %d: median %.2f ms "
               "(min %.2f ms)\n",
               H, W, C, N, 4 * params.boundary_points, order, 1e3 * times[REPEATS / 2],
               1e3 * times[0]);
    }
    free(image);
    free(out);
    return 0;
}
