/* The face decoder's lib/nn kernels against PyTorch: replays the cases that
 * tools/goldens/gen_nn_decoder_goldens.py wrote into the folder given as argv[1] (the committed goldens,
 * or a fresh live-oracle run): transposed convolution, sigmoid, CHW → NHWC. */
#include "nn/activation.h"
#include "nn/conv_transpose2d.h"
#include "nn/layout.h"
#include "golden_cases.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RELATIVE_TOLERANCE 1e-5


static void run_conv_transpose_case(const char *case_dir)
{
    npy_array config = golden_load(case_dir, "config"), input = golden_load(case_dir, "input"),
              weight = golden_load(case_dir, "weight"), bias = golden_load(case_dir, "bias"),
              scale = golden_load(case_dir, "scale"), shift = golden_load(case_dir, "shift"),
              expected = golden_load(case_dir, "expected");
    const float *c = config.data;
    const s2fi_conv_transpose2d_config cfg = {
        .in_channels = (int)c[0], .out_channels = (int)c[1], .kernel_h = (int)c[2],
        .kernel_w = (int)c[3], .stride_h = (int)c[4], .stride_w = (int)c[5], .pad_h = (int)c[6],
        .pad_w = (int)c[7], .output_pad_h = (int)c[8], .output_pad_w = (int)c[9],
    };
    s2fi_epilogue post = {.relu = c[10] != 0};
    if (c[11] != 0) {
        post.scale = scale.data;
        post.shift = shift.data;
    }
    s2fi_conv_transpose2d conv;
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &cfg, weight.data,
                                                bias.count ? bias.data : NULL, NULL), S2F_OK);
    const s2fi_shape in_shape = {(int)input.shape[0], (int)input.shape[1], (int)input.shape[2]};
    s2fi_shape out_shape;
    assert_true(s2fi_conv_transpose2d_output_shape(&conv, in_shape, &out_shape));
    assert_int_equal(out_shape.height, expected.shape[0]);
    assert_int_equal(out_shape.width, expected.shape[1]);
    assert_int_equal(out_shape.channels, expected.shape[2]);

    /* One input row per block, two rows, and everything at once must all agree: the epilogue
     * must run on each output row exactly once, after its last contribution. */
    const size_t row_floats = (size_t)in_shape.width * (size_t)cfg.kernel_h *
                              (size_t)cfg.kernel_w * (size_t)cfg.out_channels;
    const size_t budgets[] = {1, 2 * row_floats, 1u << 26};
    /* 1–3 threads: with AVX-512 the library's kernel splits the columns among them. */
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; ++b)
        for (size_t threads = 1; threads <= 3; ++threads) {
            size_t ws_floats = s2fi_conv_transpose2d_workspace_floats(&conv, in_shape, budgets[b]);
            assert_true(ws_floats >= row_floats);
            float *workspace = malloc(ws_floats * sizeof(float));
            float *out = malloc(expected.count * sizeof(float));
            for (size_t i = 0; i < expected.count; ++i)
                out[i] = 1e30f; /* the layer must overwrite every output, gaps included */
            s2fi_conv_transpose2d_forward(&conv, input.data, in_shape, out, &post, workspace,
                                          ws_floats, threads, NULL);
            golden_expect_close(case_dir, out, &expected);
            free(out);
            free(workspace);
        }
    s2fi_conv_transpose2d_release(&conv);
    npy_array *all[] = {&config, &input, &weight, &bias, &scale, &shift, &expected};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
        npy_free(all[i]);
}

static void run_sigmoid_case(const char *case_dir)
{
    npy_array input = golden_load(case_dir, "input"), expected = golden_load(case_dir, "expected");
    s2fi_sigmoid(input.data, input.count);
    golden_expect_close(case_dir, input.data, &expected);
    /* Saturation is exact, not merely close. */
    assert_true(input.data[0] == 0.0f);
    assert_true(input.data[1] == 1.0f);
    npy_free(&input);
    npy_free(&expected);
}

static void run_chw_case(const char *case_dir)
{
    npy_array config = golden_load(case_dir, "config"), input = golden_load(case_dir, "input"),
              expected = golden_load(case_dir, "expected");
    const s2fi_shape shape = {(int)config.data[1], (int)config.data[2], (int)config.data[0]};
    float *out = malloc(expected.count * sizeof(float));
    s2fi_chw_to_hwc(input.data, shape, out);
    assert_memory_equal(out, expected.data, expected.count * sizeof(float));
    free(out);
    npy_free(&config);
    npy_free(&input);
    npy_free(&expected);
}

static void conv_transpose_matches_pytorch(void **state)
{
    (void)state;
    golden_replay("convtranspose_", run_conv_transpose_case);
}
static void sigmoid_matches_pytorch(void **state) { (void)state; golden_replay("sigmoid_", run_sigmoid_case); }
static void chw_to_hwc_matches_pytorch_view(void **state) { (void)state; golden_replay("chw_", run_chw_case); }

static void conv_transpose_geometry(void **state)
{
    (void)state;
    float weight[2 * 3 * 25] = {0};
    s2fi_conv_transpose2d conv;
    s2fi_conv_transpose2d_config cfg = {.in_channels = 2, .out_channels = 3, .kernel_h = 5,
                                        .kernel_w = 5, .stride_h = 2, .stride_w = 2, .pad_h = 2,
                                        .pad_w = 2, .output_pad_h = 1, .output_pad_w = 1};
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &cfg, weight, NULL, NULL), S2F_OK);
    s2fi_shape out;
    /* 5×5, stride 2, padding 2, output padding 1: exactly double, 14 → 28 → … → 224. */
    for (int size = 1; size <= 112; size *= 2) {
        assert_true(s2fi_conv_transpose2d_output_shape(&conv, (s2fi_shape){size, size + 1, 2}, &out));
        assert_int_equal(out.height, 2 * size);
        assert_int_equal(out.width, 2 * size + 2);
        assert_int_equal(out.channels, 3);
    }
    assert_false(s2fi_conv_transpose2d_output_shape(&conv, (s2fi_shape){4, 4, 3}, &out));
    assert_false(s2fi_conv_transpose2d_output_shape(&conv, (s2fi_shape){0, 4, 2}, &out));
    s2fi_conv_transpose2d_release(&conv);
    s2fi_conv_transpose2d_release(&conv); /* idempotent */
}

static void conv_transpose_rejects_invalid_layers(void **state)
{
    (void)state;
    float weight[4] = {0};
    s2fi_conv_transpose2d conv;
    s2fi_error_slot slot = {0};
    const s2fi_conv_transpose2d_config ok = {.in_channels = 1, .out_channels = 1, .kernel_h = 2,
                                             .kernel_w = 2, .stride_h = 2, .stride_w = 2};
    s2fi_conv_transpose2d_config bad = ok;
    bad.out_channels = 0;
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &bad, weight, NULL, &slot),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(slot.message, "not a valid layer"));
    s2fi_conv_transpose2d_release(&conv); /* safe after a failed init */
    bad = ok;
    bad.output_pad_w = 2; /* PyTorch: output padding must be smaller than the stride */
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &bad, weight, NULL, &slot),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(slot.message, "output padding"));
    bad = ok;
    bad.pad_h = -1;
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &bad, weight, NULL, &slot),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &ok, NULL, NULL, &slot),
                     S2F_ERR_INVALID_ARGUMENT);
    /* Padding that crops everything away leaves no output. */
    bad = ok;
    bad.pad_h = 5;
    assert_int_equal(s2fi_conv_transpose2d_init(&conv, &bad, weight, NULL, &slot), S2F_OK);
    s2fi_shape out;
    assert_false(s2fi_conv_transpose2d_output_shape(&conv, (s2fi_shape){2, 2, 1}, &out));
    assert_int_equal(s2fi_conv_transpose2d_workspace_floats(&conv, (s2fi_shape){2, 2, 1}, 100), 0);
    s2fi_conv_transpose2d_release(&conv);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
        return 2;
    }
    golden_cases_init(argv[1], RELATIVE_TOLERANCE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conv_transpose_geometry),
        cmocka_unit_test(conv_transpose_rejects_invalid_layers),
        cmocka_unit_test(conv_transpose_matches_pytorch),
        cmocka_unit_test(sigmoid_matches_pytorch),
        cmocka_unit_test(chw_to_hwc_matches_pytorch_view),
    };
    int failed = cmocka_run_group_tests_name("face decoder nn layers vs PyTorch", tests, NULL, NULL);
    printf("%d cases; worst max|Δ|/max|ref|: %.3g\n", golden_cases_run(), golden_worst_error());
    return failed;
}
