/* Every lib/nn kernel against PyTorch: replays the cases tools/goldens/gen_nn_goldens.py wrote into the
 * folder given as argv[1] (the committed goldens, or a fresh live-oracle run). */
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/small_gemm.h"
#include "nn/dense.h"
#include "nn/pool.h"
#include "nn/reduce.h"
#include "golden_cases.h"

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RELATIVE_TOLERANCE 1e-5


static s2fi_shape shape_hwc(const npy_array *a)
{
    return (s2fi_shape){(int)a->shape[0], (int)a->shape[1], (int)a->shape[2]};
}

static void run_conv_case(const char *case_dir)
{
    npy_array config = golden_load(case_dir, "config"), input = golden_load(case_dir, "input"),
              weight = golden_load(case_dir, "weight"), bias = golden_load(case_dir, "bias"),
              scale = golden_load(case_dir, "scale"), shift = golden_load(case_dir, "shift"),
              expected = golden_load(case_dir, "expected");
    const float *c = config.data;
    s2fi_conv2d_config cfg = {
        .in_channels = (int)c[0], .out_channels = (int)c[1], .kernel_h = (int)c[2],
        .kernel_w = (int)c[3], .stride_h = (int)c[4], .stride_w = (int)c[5],
        .padding = (s2fi_padding_mode)(int)c[6], .pad_h = {(int)c[7], (int)c[8]},
        .pad_w = {(int)c[9], (int)c[10]},
    };
    s2fi_epilogue post = {.relu = c[11] != 0};
    if (c[12] != 0) {
        post.scale = scale.data;
        post.shift = shift.data;
    }
    s2fi_conv2d conv;
    assert_int_equal(s2fi_conv2d_init(&conv, &cfg, weight.data, bias.data, NULL), S2F_OK);
    s2fi_shape out_shape;
    assert_true(s2fi_conv2d_output_shape(&conv, shape_hwc(&input), &out_shape));
    assert_int_equal(out_shape.height, expected.shape[0]);
    assert_int_equal(out_shape.width, expected.shape[1]);
    assert_int_equal(out_shape.channels, expected.shape[2]);

    /* One-row blocks, a few rows, and everything at once must all give the same answer, on one
     * thread and on two. */
    const size_t budgets[] = {1, 3 * (size_t)out_shape.width * 16 * (size_t)cfg.in_channels, 1u << 26};
    for (size_t run = 0; run < 2 * sizeof budgets / sizeof budgets[0]; ++run) {
        const size_t b = run / 2, threads = 1 + run % 2;
        size_t ws_floats = s2fi_conv2d_workspace_floats(&conv, shape_hwc(&input), budgets[b], threads);
        float *workspace = malloc((ws_floats ? ws_floats : 1) * sizeof(float));
        float *out = malloc(expected.count * sizeof(float));
        s2fi_conv2d_forward(&conv, input.data, shape_hwc(&input), out, &post, workspace,
                            ws_floats ? ws_floats : budgets[b], threads, NULL);
        golden_expect_close(case_dir, out, &expected);
        free(out);
        free(workspace);
    }
    s2fi_conv2d_release(&conv);
    npy_array *all[] = {&config, &input, &weight, &bias, &scale, &shift, &expected};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
        npy_free(all[i]);
}

static void run_pool_case(const char *case_dir)
{
    npy_array config = golden_load(case_dir, "config"), input = golden_load(case_dir, "input"),
              expected = golden_load(case_dir, "expected");
    const float *c = config.data;
    s2fi_shape out_shape;
    assert_true(s2fi_maxpool2d_output_shape(shape_hwc(&input), (int)c[0], (int)c[1], (int)c[2],
                                            (int)c[3], &out_shape));
    assert_int_equal(s2fi_shape_count(out_shape), expected.count);
    float *out = malloc(expected.count * sizeof(float));
    s2fi_maxpool2d(input.data, shape_hwc(&input), (int)c[0], (int)c[1], (int)c[2], (int)c[3], out, 1, NULL);
    golden_expect_close(case_dir, out, &expected);
    free(out);
    npy_free(&config);
    npy_free(&input);
    npy_free(&expected);
}

static void run_mean_case(const char *case_dir)
{
    npy_array input = golden_load(case_dir, "input"), expected = golden_load(case_dir, "expected");
    float *out = malloc(expected.count * sizeof(float));
    s2fi_mean_over_height(input.data, shape_hwc(&input), out);
    golden_expect_close(case_dir, out, &expected);
    free(out);
    npy_free(&input);
    npy_free(&expected);
}

static void run_dense_case(const char *case_dir)
{
    npy_array config = golden_load(case_dir, "config"), input = golden_load(case_dir, "input"),
              weight = golden_load(case_dir, "weight"), bias = golden_load(case_dir, "bias"),
              expected = golden_load(case_dir, "expected");
    s2fi_dense layer = {(int)config.data[0], (int)config.data[1], weight.data, bias.data};
    float *out = malloc(expected.count * sizeof(float));
    s2fi_dense_forward(&layer, input.data, (int)input.shape[0], out, config.data[2] != 0, 1, NULL);
    golden_expect_close(case_dir, out, &expected);
    /* Row by row: batch 1 is the GEMV path (the library's own with AVX-512). */
    for (size_t r = 0; r < (size_t)input.shape[0]; ++r)
        s2fi_dense_forward(&layer, input.data + r * (size_t)layer.in_features, 1,
                           out + r * (size_t)layer.out_features, config.data[2] != 0, 2, NULL);
    golden_expect_close(case_dir, out, &expected);
    free(out);
    npy_array *all[] = {&config, &input, &weight, &bias, &expected};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
        npy_free(all[i]);
}

/* A batch-1 layer of 1.2 MB (so its rows split among the workers, 1027 = a last group of 3):
 * every thread count gives the same outputs bit for bit, within float rounding of a double
 * reference, with the bias and ReLU applied. */
static void dense_gemv_matches_reference_on_any_threads(void **state)
{
    (void)state;
    enum { OUT = 1027, IN = 301 };
    float *weight = malloc((size_t)OUT * IN * sizeof(float)), x[IN], bias[OUT];
    float *y1 = malloc(OUT * sizeof(float)), *y3 = malloc(OUT * sizeof(float));
    uint32_t seed = 7;
    for (size_t i = 0; i < (size_t)OUT * IN; ++i)
        weight[i] = (float)((seed = seed * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
    for (int i = 0; i < IN; ++i)
        x[i] = (float)((seed = seed * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
    for (int i = 0; i < OUT; ++i)
        bias[i] = 0.01f * (float)(i % 7) - 0.03f;
    const s2fi_dense layer = {IN, OUT, weight, bias};
    s2fi_dense_forward(&layer, x, 1, y1, true, 1, NULL);
    s2fi_dense_forward(&layer, x, 1, y3, true, 3, NULL);
    assert_memory_equal(y1, y3, OUT * sizeof(float));
    for (int o = 0; o < OUT; ++o) {
        double sum = bias[o];
        for (int i = 0; i < IN; ++i)
            sum += (double)weight[(size_t)o * IN + i] * x[i];
        const double want = sum > 0.0 ? sum : 0.0;
        assert_true(fabs(y1[o] - want) <= 1e-5);
    }
    free(weight);
    free(y1);
    free(y3);
}

static void run_batchnorm_case(const char *case_dir)
{
    npy_array config = golden_load(case_dir, "config"), eps = golden_load(case_dir, "eps"),
              input = golden_load(case_dir, "input"), gamma = golden_load(case_dir, "gamma"),
              beta = golden_load(case_dir, "beta"), mean = golden_load(case_dir, "mean"),
              var = golden_load(case_dir, "var"), expected = golden_load(case_dir, "expected");
    const int channels = (int)config.data[0];
    float *scale = malloc((size_t)channels * sizeof(float));
    float *shift = malloc((size_t)channels * sizeof(float));
    assert_int_equal(s2fi_batchnorm_to_affine(gamma.data, beta.data, mean.data, var.data,
                                              eps.data[0], channels, scale, shift), 0);
    s2fi_epilogue post = {.scale = scale, .shift = shift};
    s2fi_epilogue_apply(&post, input.data, input.count / (size_t)channels, channels);
    golden_expect_close(case_dir, input.data, &expected);

    float bad_var[1] = {-1.0f};
    assert_int_equal(s2fi_batchnorm_to_affine(gamma.data, beta.data, mean.data, bad_var, 0.0, 1,
                                              scale, shift), -1);
    free(scale);
    free(shift);
    npy_array *all[] = {&config, &eps, &input, &gamma, &beta, &mean, &var, &expected};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
        npy_free(all[i]);
}

static void conv2d_matches_pytorch(void **state) { (void)state; golden_replay("conv_", run_conv_case); }
static void maxpool_matches_pytorch(void **state) { (void)state; golden_replay("pool_", run_pool_case); }
static void mean_matches_pytorch(void **state) { (void)state; golden_replay("mean_", run_mean_case); }
static void dense_matches_pytorch(void **state) { (void)state; golden_replay("dense_", run_dense_case); }
static void batchnorm_matches_pytorch(void **state)
{
    (void)state;
    golden_replay("batchnorm_", run_batchnorm_case);
}

static void padding_arithmetic_matches_tensorflow(void **state)
{
    (void)state;
    s2fi_axis_padding pad, none = {0, 0};
    /* The paper's time axis: 598 frames, 4-tap kernel, stride 1 → 598, padding 1 before 2 after. */
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_SAME, 598, 4, 1, none, &pad), 598);
    assert_int_equal(pad.before, 1);
    assert_int_equal(pad.after, 2);
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_SAME, 37, 4, 2, none, &pad), 19);
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_SAME, 19, 4, 2, none, &pad), 10);
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_VALID, 598, 4, 1, none, &pad), 595);
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_VALID, 3, 4, 1, none, &pad), 0);
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_EXPLICIT, 3, 4, 1, (s2fi_axis_padding){-1, 0}, &pad), 0);
    assert_int_equal(s2fi_axis_output(S2FI_PADDING_SAME, 0, 4, 1, none, &pad), 0);
}

static void conv_rejects_invalid_layers(void **state)
{
    (void)state;
    float weight[4] = {0};
    s2fi_conv2d conv;
    s2fi_error_slot slot = {0};
    s2fi_conv2d_config bad = {.in_channels = 1, .out_channels = 0, .kernel_h = 2, .kernel_w = 2,
                              .stride_h = 1, .stride_w = 1};
    assert_int_equal(s2fi_conv2d_init(&conv, &bad, weight, NULL, &slot), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(slot.message, "not a valid layer"));
    s2fi_conv2d_release(&conv); /* safe after a failed init */
    s2fi_conv2d_config ok = bad;
    ok.out_channels = 1;
    assert_int_equal(s2fi_conv2d_init(&conv, &ok, weight, NULL, &slot), S2F_OK);
    s2fi_shape out;
    assert_false(s2fi_conv2d_output_shape(&conv, (s2fi_shape){1, 1, 1}, &out));
    assert_false(s2fi_conv2d_output_shape(&conv, (s2fi_shape){4, 4, 3}, &out)); /* wrong channels */
    s2fi_conv2d_release(&conv);
}

static void conv_fold_affine_equals_affine_after(void **state)
{
    (void)state;
    /* conv → affine (no ReLU between) folded into the weights gives the unfolded result. */
    enum { H = 5, W = 6, CI = 3, CO = 4 };
    float weight[CO * CI * 9], bias[CO], scale[CO], shift[CO], in[H * W * CI];
    srand(7);
    for (size_t i = 0; i < sizeof weight / sizeof *weight; ++i) weight[i] = (float)((double)rand() / RAND_MAX) - 0.5f;
    for (size_t i = 0; i < sizeof in / sizeof *in; ++i) in[i] = (float)((double)rand() / RAND_MAX) - 0.5f;
    for (int i = 0; i < CO; ++i) {
        bias[i] = 0.1f * (float)i;
        scale[i] = -1.0f + 0.7f * (float)i;
        shift[i] = 0.3f - 0.2f * (float)i;
    }
    s2fi_conv2d_config cfg = {CI, CO, 3, 3, 1, 1, S2FI_PADDING_SAME, {0, 0}, {0, 0}, S2FI_CONV_AUTO, 0, 0};
    s2fi_conv2d plain, folded;
    assert_int_equal(s2fi_conv2d_init(&plain, &cfg, weight, bias, NULL), S2F_OK);
    assert_int_equal(s2fi_conv2d_init(&folded, &cfg, weight, bias, NULL), S2F_OK);
    s2fi_conv2d_fold_affine(&folded, scale, shift);
    float ws[H * W * CI * 9], a[H * W * CO], b[H * W * CO];
    s2fi_epilogue post = {.scale = scale, .shift = shift};
    s2fi_conv2d_forward(&plain, in, (s2fi_shape){H, W, CI}, a, &post, ws, sizeof ws / sizeof *ws, 1, NULL);
    s2fi_conv2d_forward(&folded, in, (s2fi_shape){H, W, CI}, b, NULL, ws, sizeof ws / sizeof *ws, 1, NULL);
    assert_true(npy_max_abs_diff(a, b, H * W * CO) < 1e-5);
    s2fi_conv2d_release(&plain);
    s2fi_conv2d_release(&folded);
}

static float uniform(void)
{
    return (float)((double)rand() / RAND_MAX) - 0.5f;
}

/* Seeded random weights (uniform in ±weight_scale/2), input (±½), and per-channel bias, BatchNorm
 * scale (around 1) and shift for `channels` outputs. */
static void random_layer(unsigned seed, float *weight, size_t weights, float weight_scale,
                         float *in, size_t inputs, float *bias, float *scale, float *shift,
                         int channels)
{
    srand(seed);
    for (size_t i = 0; i < weights; ++i) weight[i] = uniform() * weight_scale;
    for (size_t i = 0; i < inputs; ++i) in[i] = uniform();
    for (int i = 0; i < channels; ++i) {
        bias[i] = uniform();
        scale[i] = 0.5f + uniform();
        shift[i] = uniform();
    }
}

/* Runs `fast` (AUTO's pick, on `threads` threads, blocks sized to `fast_budget` floats) and
 * `plain` (im2col + GEMM) with a ReLU epilogue on the same input; their outputs (into a and b)
 * must agree to 1e-5 of the largest value. Releases both layers. */
static void expect_same_output(s2fi_conv2d *fast, s2fi_conv2d *plain, const float *in,
                               s2fi_shape in_shape, size_t fast_budget, size_t threads, float *a,
                               float *b)
{
    s2fi_shape out_shape;
    assert_true(s2fi_conv2d_output_shape(fast, in_shape, &out_shape));
    const s2fi_epilogue relu = {.relu = true};
    size_t fast_floats = s2fi_conv2d_workspace_floats(fast, in_shape, fast_budget, threads);
    size_t plain_floats = s2fi_conv2d_workspace_floats(plain, in_shape, 1u << 20, 1);
    float *fast_ws = malloc(fast_floats * sizeof(float)), *plain_ws = malloc(plain_floats * sizeof(float));
    s2fi_conv2d_forward(fast, in, in_shape, a, &relu, fast_ws, fast_floats, threads, NULL);
    s2fi_conv2d_forward(plain, in, in_shape, b, &relu, plain_ws, plain_floats, 1, NULL);
    const size_t count = s2fi_shape_count(out_shape);
    float peak = 0.0f;
    for (size_t i = 0; i < count; ++i)
        peak = fabsf(b[i]) > peak ? fabsf(b[i]) : peak;
    assert_true(peak > 0.5f);
    assert_true(npy_max_abs_diff(a, b, count) <= 1e-5 * peak);
    free(fast_ws);
    free(plain_ws);
    s2fi_conv2d_release(fast);
    s2fi_conv2d_release(plain);
}

/* A layer big enough for several tile blocks and partial edge tiles, with the BatchNorm of the
 * voice encoder folded in: the path AUTO picks — Winograd for 3×3 and 4×4 kernels and ≥ 16
 * input channels (4×4 at stride 2 after the polyphase split), the small-depth kernel for a
 * patch of ≤ 256 floats and a multiple of 8 outputs — must agree with plain im2col + GEMM. */
static void check_auto_against_im2col(int kernel, int in_channels, int out_channels, int stride,
                                      size_t threads)
{
    enum { H = 71, W = 77, MAX_CI = 48, MAX_CO = 64 };
    static float weight[MAX_CO * MAX_CI * 49], in[H * W * MAX_CI], a[H * W * MAX_CO], b[H * W * MAX_CO];
    float bias[MAX_CO], scale[MAX_CO], shift[MAX_CO];
    const int CI = in_channels, CO = out_channels;
    assert_true(CI <= MAX_CI && CO <= MAX_CO);
    random_layer(11, weight, sizeof weight / sizeof *weight, 0.3f, in, sizeof in / sizeof *in, bias,
                 scale, shift, CO);
    s2fi_conv2d_config cfg = {CI, CO, kernel, kernel, stride, stride, S2FI_PADDING_SAME, {0, 0},
                              {0, 0}, S2FI_CONV_AUTO, 0, 0};
    s2fi_conv2d fast, plain;
    assert_int_equal(s2fi_conv2d_init(&fast, &cfg, weight, bias, NULL), S2F_OK);
    cfg.algorithm = S2FI_CONV_IM2COL;
    assert_int_equal(s2fi_conv2d_init(&plain, &cfg, weight, bias, NULL), S2F_OK);
    /* else the small-depth kernel (depth k² · CI ≤ 160) */
    const bool direct = kernel * kernel * CI <= S2FI_SMALL_GEMM_MAX_DEPTH &&
                        CO % S2FI_SMALL_GEMM_MIN_CHANNELS == 0;
    assert_int_equal(fast.use_winograd, CI >= 16 && (stride == 1 || kernel % 2 == 0) && !direct);
    assert_false(plain.use_winograd);
    s2fi_conv2d_fold_affine(&fast, scale, shift);
    s2fi_conv2d_fold_affine(&plain, scale, shift);
    const s2fi_shape in_shape = {H, W, CI};
    /* Small budget: many blocks of a few tiles each; the blocks must not interfere. */
    expect_same_output(&fast, &plain, in, in_shape, 30000, threads, a, b);
}

static void winograd_matches_im2col(void **state)
{
    (void)state;
    /* Strides 1 and 2 (polyphase); 2 and 3 threads split the tiles, the polyphase rows and the
     * products' positions (unevenly for 3). Stride 1 has 18 × 20 tiles: three blocks of at most
     * 128. */
    for (size_t threads = 1; threads <= 3; ++threads) {
        check_auto_against_im2col(4, 48, 40, 1, threads);
        check_auto_against_im2col(4, 48, 40, 2, threads);
        check_auto_against_im2col(3, 48, 40, 1, threads); /* F(4×4, 3×3): face-api's ResNet */
        /* 48 outputs: the products on the library's kernel (a 32- and a 16-channel column on
         * AVX-512), split by position among the workers; 40 above keeps sgemm */
        check_auto_against_im2col(4, 48, 48, 1, threads);
        check_auto_against_im2col(4, 48, 48, 2, threads);
        check_auto_against_im2col(3, 48, 48, 1, threads);
    }
}

/* The size hint keeps im2col where a map has too few tiles for Winograd to pay (face-api's
 * 8×8, 4×4 and 2×2 maps), and leaves larger maps on Winograd. */
static void winograd_size_hint_picks_im2col_for_small_maps(void **state)
{
    (void)state;
    static float weight[64 * 64 * 9];
    s2fi_conv2d_config cfg = {64, 64, 3, 3, 1, 1, S2FI_PADDING_SAME, {0, 0}, {0, 0},
                              S2FI_CONV_AUTO, 4, 4};
    s2fi_conv2d conv;
    assert_int_equal(s2fi_conv2d_init(&conv, &cfg, weight, NULL, NULL), S2F_OK);
    assert_false(conv.use_winograd); /* one 4×4 tile */
    s2fi_conv2d_release(&conv);
    cfg.out_height_hint = cfg.out_width_hint = 8; /* four tiles: the whole-map path wins */
    assert_int_equal(s2fi_conv2d_init(&conv, &cfg, weight, NULL, NULL), S2F_OK);
    assert_false(conv.use_winograd);
    s2fi_conv2d_release(&conv);
    cfg.out_height_hint = cfg.out_width_hint = 12; /* nine tiles */
    assert_int_equal(s2fi_conv2d_init(&conv, &cfg, weight, NULL, NULL), S2F_OK);
    assert_true(conv.use_winograd);
    s2fi_conv2d_release(&conv);
    cfg.out_height_hint = cfg.out_width_hint = 0; /* unknown */
    assert_int_equal(s2fi_conv2d_init(&conv, &cfg, weight, NULL, NULL), S2F_OK);
    assert_true(conv.use_winograd);
    s2fi_conv2d_release(&conv);
}

/* Maps of at most 64 output pixels take the whole-map path (small-depth kernel one column of
 * weights at a time, columns split among workers): face-api's 4×4 and 2×2 maps of 256 channels,
 * its stride-2 down convs, here at 3×3 with a depth of 9 · 96 = 864. */
static void check_small_map(int CO)
{
    enum { CI = 96, MAX_CO = 80, MAXHW = 9 };
    static float weight[MAX_CO * CI * 9], in[MAXHW * MAXHW * CI], a[MAXHW * MAXHW * MAX_CO],
        b[MAXHW * MAXHW * MAX_CO];
    float bias[MAX_CO], scale[MAX_CO], shift[MAX_CO];
    random_layer(5, weight, sizeof weight / sizeof *weight, 0.1f, in, sizeof in / sizeof *in, bias,
                 scale, shift, CO);
    const struct { int size, stride; s2fi_padding_mode padding; int out; } cases[] = {
        {4, 1, S2FI_PADDING_SAME, 4}, {2, 1, S2FI_PADDING_SAME, 2}, {9, 2, S2FI_PADDING_VALID, 4}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; ++k)
        for (size_t threads = 1; threads <= 3; ++threads) {
            s2fi_conv2d_config cfg = {CI, CO, 3, 3, cases[k].stride, cases[k].stride,
                                      cases[k].padding, {0, 0}, {0, 0}, S2FI_CONV_AUTO,
                                      cases[k].out, cases[k].out};
            s2fi_conv2d fast, plain;
            assert_int_equal(s2fi_conv2d_init(&fast, &cfg, weight, bias, NULL), S2F_OK);
            cfg.algorithm = S2FI_CONV_IM2COL;
            assert_int_equal(s2fi_conv2d_init(&plain, &cfg, weight, bias, NULL), S2F_OK);
            assert_false(fast.use_winograd); /* the hint: too few tiles, or stride 2 */
            /* 32-channel panels where the AVX-512 kernel runs and CO allows */
            assert_int_equal(fast.panels, s2fi_small_gemm_panels_apply((size_t)CO));
            s2fi_conv2d_fold_affine(&fast, scale, shift); /* in either weight layout */
            s2fi_conv2d_fold_affine(&plain, scale, shift);
            const s2fi_shape in_shape = {cases[k].size, cases[k].size, CI};
            expect_same_output(&fast, &plain, in, in_shape, 1u << 20, threads, a, b);
        }
}

/* A small map (8×8) with a short patch (3×3 × 16 = 144) and no size hint qualifies for both the
 * whole-map path and the small-depth kernel: forward takes the whole-map path, and the
 * workspace size must be that path's (it once was the row kernel's, 8× smaller). A guard after
 * the workspace must stay untouched, and the output must match im2col. */
static void short_patch_small_map_stays_in_its_workspace(void **state)
{
    (void)state;
    enum { CI = 16, CO = 32, HW = 8, GUARD = 256 };
    static float weight[CO * CI * 9], in[HW * HW * CI], a[HW * HW * CO], b[HW * HW * CO];
    float bias[CO], scale[CO], shift[CO];
    random_layer(9, weight, sizeof weight / sizeof *weight, 0.2f, in, sizeof in / sizeof *in, bias,
                 scale, shift, CO);
    s2fi_conv2d_config cfg = {CI, CO, 3, 3, 1, 1, S2FI_PADDING_SAME, {0, 0}, {0, 0},
                              S2FI_CONV_AUTO, 0, 0};
    s2fi_conv2d fast, plain;
    assert_int_equal(s2fi_conv2d_init(&fast, &cfg, weight, bias, NULL), S2F_OK);
    cfg.algorithm = S2FI_CONV_IM2COL;
    assert_int_equal(s2fi_conv2d_init(&plain, &cfg, weight, bias, NULL), S2F_OK);
    const s2fi_shape in_shape = {HW, HW, CI};
    assert_true(s2fi_conv2d_whole_map(&fast, in_shape));
    const size_t floats = s2fi_conv2d_workspace_floats(&fast, in_shape, 1u << 20, 1);
    float *workspace = malloc((floats + GUARD) * sizeof(float));
    for (size_t i = 0; i < floats + GUARD; ++i)
        workspace[i] = -12345.0f;
    s2fi_conv2d_forward(&fast, in, in_shape, a, NULL, workspace, floats, 1, NULL);
    for (size_t i = floats; i < floats + GUARD; ++i)
        assert_true(workspace[i] == -12345.0f);
    free(workspace);
    const size_t plain_floats = s2fi_conv2d_workspace_floats(&plain, in_shape, 1u << 20, 1);
    float *plain_ws = malloc(plain_floats * sizeof(float));
    s2fi_conv2d_forward(&plain, in, in_shape, b, NULL, plain_ws, plain_floats, 1, NULL);
    assert_true(npy_max_abs_diff(a, b, HW * HW * CO) <= 1e-5);
    free(plain_ws);
    s2fi_conv2d_release(&fast);
    s2fi_conv2d_release(&plain);
}

static void small_map_path_matches_im2col(void **state)
{
    (void)state;
    check_small_map(80); /* 16-channel columns (80 is no multiple of 32) */
    check_small_map(64); /* 32-channel panels on AVX-512 */
    /* A stride-2 3×3 layer (no Winograd) on a 36 × 39 map, depth 432: with AVX-512 the
     * whole-map path takes maps of up to 2^20 patch floats (face-api's 17 × 17 down conv). */
    for (size_t threads = 1; threads <= 3; ++threads)
        check_auto_against_im2col(3, 48, 64, 2, threads);
}

static void small_depth_kernel_matches_im2col(void **state)
{
    (void)state;
    /* The voice encoder's first layer in miniature (2 → 64 channels, 4×4), and a stride-2 one
     * with 4 input channels (depth 64), face-api's 7×7 stem (depth 147); 2 and 3 threads split the rows, and
     * 77 pixels per row leave a partial 6-pixel block. */
    for (size_t threads = 1; threads <= 3; ++threads) {
        check_auto_against_im2col(4, 2, 64, 1, threads);
        check_auto_against_im2col(4, 4, 32, 2, threads);
        check_auto_against_im2col(7, 3, 32, 2, threads); /* face-api's stem: depth 147 */
        /* The shipped voice encoder's first two layers (8 outputs: the 8-channel block, 77
         * pixels = 6 blocks of 12 and one of 5), and 24 = a 16- and an 8-channel column. */
        check_auto_against_im2col(4, 2, 8, 1, threads);
        check_auto_against_im2col(4, 8, 8, 1, threads);
        check_auto_against_im2col(4, 8, 24, 1, threads);
        check_auto_against_im2col(4, 16, 16, 1, threads); /* depth 256, the largest */
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
        return 2;
    }
    golden_cases_init(argv[1], RELATIVE_TOLERANCE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(padding_arithmetic_matches_tensorflow),
        cmocka_unit_test(conv2d_matches_pytorch),
        cmocka_unit_test(maxpool_matches_pytorch),
        cmocka_unit_test(mean_matches_pytorch),
        cmocka_unit_test(dense_matches_pytorch),
        cmocka_unit_test(dense_gemv_matches_reference_on_any_threads),
        cmocka_unit_test(batchnorm_matches_pytorch),
        cmocka_unit_test(conv_rejects_invalid_layers),
        cmocka_unit_test(conv_fold_affine_equals_affine_after),
        cmocka_unit_test(winograd_matches_im2col),
        cmocka_unit_test(winograd_size_hint_picks_im2col_for_small_maps),
        cmocka_unit_test(small_depth_kernel_matches_im2col),
        cmocka_unit_test(small_map_path_matches_im2col),
        cmocka_unit_test(short_patch_small_map_stays_in_its_workspace),
    };
    int failed = cmocka_run_group_tests_name("nn layers vs PyTorch", tests, NULL, NULL);
    printf("worst max|Δ|/max|ref| over all layer cases: %.3g\n", golden_worst_error());
    return failed;
}
