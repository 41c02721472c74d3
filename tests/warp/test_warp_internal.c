/* Private pieces of the warp: the LU solver, the spline fit's interpolation property and its
 * invariance to the coordinate normalisation, boundary points, planar layout and workspace
 * reuse (what the face decoder relies on). */
#include "core/error.h"
#include "image/bilinear.h"
#include "image/linear_solve.h"
#include "image/polyharmonic.h"
#include "image/spline_fit.h"
#include "image/spline_warp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

static double uniform(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (double)((*state >> 8) & 0xffffff) / (double)0x1000000;
}

static void lu_solves_a_system_that_needs_pivoting(void **state)
{
    (void)state;
    /* Zero leading diagonal: solvable only with row exchanges. */
    double a[9] = {0, 2, 1, 1, 1, 1, 2, 1, 0};
    const double x_true[3] = {1.5, -2.0, 0.25};
    double b[3];
    for (int i = 0; i < 3; ++i)
        b[i] = a[3 * i] * x_true[0] + a[3 * i + 1] * x_true[1] + a[3 * i + 2] * x_true[2];
    int pivots[3];
    double work[3];
    assert_true(s2fi_lu_factor(a, 3, pivots, 1e-12, NULL));
    s2fi_lu_solve(a, 3, pivots, b, 1, work);
    for (int i = 0; i < 3; ++i)
        assert_true(fabs(b[i] - x_true[i]) < 1e-14);
}

static void lu_reports_singular_matrices(void **state)
{
    (void)state;
    double repeated_row[9] = {1, 2, 3, 4, 5, 6, 1, 2, 3};
    int pivots[3];
    size_t step = 99;
    assert_false(s2fi_lu_factor(repeated_row, 3, pivots, 1e-12, &step));
    assert_true(step < 3);
    double zero[4] = {0};
    assert_false(s2fi_lu_factor(zero, 2, pivots, 1e-12, NULL));
    double poisoned[4] = {1, NAN, 0, 1};
    assert_false(s2fi_lu_factor(poisoned, 2, pivots, 1e-12, NULL));
}

static void fast_log_matches_libm(void **state)
{
    (void)state;
    double worst = 0.0;
    unsigned seed = 7;
    for (int i = 0; i < 200000; ++i) {
        double v = exp((uniform(&seed) - 0.5) * 1400.0);  /* 1e-304 … 1e304 */
        if (!(v > 0.0) || !isfinite(v))
            continue;
        double err = fabs(s2fi_log_positive(v) - log(v)) / fmax(1.0, fabs(log(v)));
        worst = fmax(worst, err);
    }
    for (double v = 0.5; v < 2.0; v += 1e-5)
        worst = fmax(worst, fabs(s2fi_log_positive(v) - log(v)));
    print_message("fast log: worst error %.3g\n", worst);
    assert_true(worst < 1e-13);
    assert_true(s2fi_phi2_of_squared(0.0) == 0.0);
    assert_true(s2fi_phi1_of_squared(0.0) == 0.0 && s2fi_phi3_of_squared(0.0) == 0.0);
    assert_true(fabs(s2fi_phi2_of_squared(4.0) - 4.0 * log(2.0)) < 1e-14);
}

/* f(c_i) = value_i exactly when λ = 0, and the RBF weights satisfy Σw = 0, Σw·c = 0. */
static void spline_interpolates_its_centres(void **state)
{
    (void)state;
    enum { N = 40 };
    double centres[2 * N], values[2 * N];
    unsigned seed = 11;
    for (int i = 0; i < N; ++i) {
        centres[2 * i] = 300.0 * uniform(&seed) + 1000.0;  /* far from the origin on purpose */
        centres[2 * i + 1] = 200.0 * uniform(&seed) - 50.0;
        values[2 * i] = 10.0 * uniform(&seed) - 5.0;
        values[2 * i + 1] = 10.0 * uniform(&seed) - 5.0;
    }
    void *scratch = malloc(s2fi_spline_scratch_bytes(N));
    for (int order = 1; order <= 3; ++order) {
        s2fi_spline spline;
        assert_int_equal(s2fi_spline_fit(centres, values, N, order, 0.0, scratch, &spline, NULL),
                         S2F_OK);
        double worst = 0.0, sums[3][2] = {{0}};
        for (int i = 0; i < N; ++i) {
            /* Evaluate through the row evaluator on a one-pixel "row" placed at the centre. */
            s2fi_spline shifted = spline;
            shifted.origin_x -= centres[2 * i];  /* makes pixel x = 0 land on the centre */
            double nx, vx, vy;
            s2fi_spline_eval_row(&shifted, centres[2 * i + 1], 1, &nx, &vx, &vy);
            worst = fmax(worst, fmax(fabs(vx - values[2 * i]), fabs(vy - values[2 * i + 1])));
            for (int d = 0; d < 2; ++d) {
                sums[0][d] += spline.weights[2 * i + d];
                sums[1][d] += spline.weights[2 * i + d] * spline.centres[2 * i];
                sums[2][d] += spline.weights[2 * i + d] * spline.centres[2 * i + 1];
            }
        }
        print_message("order %d: worst |f(c_i) - value_i| = %.3g\n", order, worst);
        assert_true(worst < 1e-9);
        for (int r = 0; r < 3; ++r)
            for (int d = 0; d < 2; ++d)
                assert_true(fabs(sums[r][d]) < 1e-8);
    }
    free(scratch);
}

static void boundary_points_follow_tensorflow(void **state)
{
    (void)state;
    double xy[2 * 16];
    assert_int_equal(s2fi_warp_boundary_points(5, 9, 0, xy), 0);
    assert_int_equal(s2fi_warp_boundary_points(5, 9, 1, xy), 4);
    const double corners[] = {0, 0, 8, 0, 0, 4, 8, 4};
    for (int i = 0; i < 8; ++i)
        assert_true(xy[i] == corners[i]);
    assert_int_equal(s2fi_warp_boundary_points(5, 9, 2, xy), 8);
    const double eight[] = {0, 0, 4, 0, 8, 0, 0, 2, 8, 2, 0, 4, 4, 4, 8, 4};
    for (int i = 0; i < 16; ++i)
        assert_true(xy[i] == eight[i]);
    assert_int_equal(s2fi_warp_boundary_points(64, 64, 4, xy), 16);
}

/* The decoder's path: planar C×H×W buffers and a reused workspace give the same pixels as the
 * interleaved public call. */
static void planar_layout_and_workspace_reuse_match_interleaved(void **state)
{
    (void)state;
    enum { H = 20, W = 27, C = 3, N = 9 };
    float interleaved[H * W * C], planar[C * H * W], out_i[H * W * C], out_p[C * H * W];
    unsigned seed = 5;
    for (int i = 0; i < H * W * C; ++i)
        interleaved[i] = (float)uniform(&seed);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            for (int c = 0; c < C; ++c)
                planar[(c * H + y) * W + x] = interleaved[(y * W + x) * C + c];
    float src[2 * N], dst[2 * N];
    for (int t = 0; t < N; ++t) {
        src[2 * t] = (float)(2.0 + 22.0 * uniform(&seed));
        src[2 * t + 1] = (float)(2.0 + 15.0 * uniform(&seed));
        dst[2 * t] = src[2 * t] + (float)(2.0 * uniform(&seed) - 1.0);
        dst[2 * t + 1] = src[2 * t + 1] + (float)(2.0 * uniform(&seed) - 1.0);
    }
    s2f_warp_params params = {.size = sizeof params, .order = 2, .boundary_points = 2};
    s2fi_image_layout li = s2fi_image_layout_interleaved(H, W, C);
    s2fi_image_layout lp = s2fi_image_layout_planar(H, W, C);
    s2fi_warp_workspace ws = {0};
    s2fi_error_slot slot = {0};
    assert_int_equal(s2fi_warp_f32(interleaved, &li, src, dst, N, &params, out_i, NULL, &slot),
                     S2F_OK);
    for (int repeat = 0; repeat < 3; ++repeat) {
        assert_int_equal(s2fi_warp_f32(planar, &lp, src, dst, N, &params, out_p, &ws, &slot),
                         S2F_OK);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                for (int c = 0; c < C; ++c)
                    assert_true(out_p[(c * H + y) * W + x] == out_i[(y * W + x) * C + c]);
    }
    size_t bytes = ws.bytes;
    assert_true(bytes > 0);
    /* A failing call records in the slot and leaves the workspace usable. */
    dst[0] = NAN;
    assert_int_equal(s2fi_warp_f32(planar, &lp, src, dst, N, &params, out_p, &ws, &slot),
                     S2F_ERR_NON_FINITE);
    assert_int_equal(slot.status, S2F_ERR_NON_FINITE);
    assert_non_null(strstr(slot.message, "dst_points[0]"));
    assert_int_equal(ws.bytes, bytes);
    s2fi_warp_workspace_release(&ws);
    s2fi_warp_workspace_release(&ws);  /* idempotent */
    assert_null(ws.block);
}

/* With λ = 0 the dense flow at a destination point that falls on a pixel is dst − src. */
static void dense_flow_hits_the_control_points(void **state)
{
    (void)state;
    enum { H = 16, W = 16 };
    const float src[] = {3.5f, 4.0f, 11.0f, 3.0f, 7.0f, 12.5f, 12.0f, 10.0f};
    const float dst[] = {4.0f, 5.0f, 10.0f, 3.0f, 7.0f, 11.0f, 12.0f, 9.0f};
    double flow[H * W * 2];
    s2f_warp_params params = {.size = sizeof params, .order = 2, .boundary_points = 1};
    assert_int_equal(s2fi_warp_dense_flow(H, W, src, dst, 4, &params, flow, NULL), S2F_OK);
    for (int t = 0; t < 4; ++t) {
        int x = (int)dst[2 * t], y = (int)dst[2 * t + 1];
        assert_true(fabs(flow[(y * W + x) * 2] - (dst[2 * t] - src[2 * t])) < 1e-9);
        assert_true(fabs(flow[(y * W + x) * 2 + 1] - (dst[2 * t + 1] - src[2 * t + 1])) < 1e-9);
    }
    /* Corners are boundary points: zero flow there. */
    assert_true(fabs(flow[0]) < 1e-9 && fabs(flow[1]) < 1e-9);
    assert_true(fabs(flow[((H - 1) * W + W - 1) * 2]) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lu_solves_a_system_that_needs_pivoting),
        cmocka_unit_test(lu_reports_singular_matrices),
        cmocka_unit_test(fast_log_matches_libm),
        cmocka_unit_test(spline_interpolates_its_centres),
        cmocka_unit_test(boundary_points_follow_tensorflow),
        cmocka_unit_test(planar_layout_and_workspace_reuse_match_interleaved),
        cmocka_unit_test(dense_flow_hits_the_control_points),
    };
    return cmocka_run_group_tests_name("warp (internal)", tests, NULL, NULL);
}
