/* Private pieces of the face index: every SIMD kernel variant against a double-precision
 * reference, f16 conversion, CRC-32 check value, id map under churn, top-k order. */
#include "core/crc32.h"
#include "index/codec.h"
#include "index/id_map.h"
#include "index/kernels.h"
#include "index/topk.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static float frand(unsigned *seed)
{
    return (float)((double)rand_r(seed) / RAND_MAX) * 2.0f - 1.0f;
}

static void check_kernels(const s2fi_index_kernels *k)
{
    unsigned seed = 1;
    size_t dims[] = {1, 7, 16, 31, 33, 64, 100, 128, 515};
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; ++di) {
        size_t d = dims[di], n = 9;
        float *q = malloc(d * sizeof *q), *x = malloc(n * d * sizeof *x), out[9], dec[9 * 515];
        uint16_t *h = malloc(n * d * sizeof *h);
        int8_t *c = malloc(n * d);
        float offsets[9], scales[9];
        for (size_t i = 0; i < d; ++i)
            q[i] = frand(&seed);
        for (size_t i = 0; i < n * d; ++i) {
            x[i] = frand(&seed);
            h[i] = s2fi_f32_to_f16(x[i]);
            c[i] = (int8_t)(rand_r(&seed) % 255 - 127);
        }
        for (size_t r = 0; r < n; ++r) {
            offsets[r] = frand(&seed);
            scales[r] = 0.01f * (1 + frand(&seed));
        }
        double tol = 1e-5 * d;
        k->dot_f32(q, x, n, d, out);
        for (size_t r = 0; r < n; ++r) {
            double dot = 0, l2 = 0, l1 = 0, dh = 0, l1h = 0, di8 = 0, l1i8 = 0;
            for (size_t i = 0; i < d; ++i) {
                double xv = x[r * d + i], hv = s2fi_f16_to_f32(h[r * d + i]);
                double cv = c[r * d + i], dv = offsets[r] + scales[r] * cv;
                dot += q[i] * xv;
                l2 += (q[i] - xv) * (q[i] - xv);
                l1 += fabs(q[i] - xv);
                dh += q[i] * hv;
                l1h += fabs(q[i] - hv);
                di8 += q[i] * cv;
                l1i8 += fabs(q[i] - dv);
            }
            float o[7];
            k->dot_f32(q, x + r * d, 1, d, &o[0]);
            assert_true(fabs(out[r] - dot) < tol && fabs(o[0] - dot) < tol);
            k->l2_f32(q, x + r * d, 1, d, &o[1]);
            k->l1_f32(q, x + r * d, 1, d, &o[2]);
            k->dot_f16(q, h + r * d, 1, d, &o[3]);
            k->l1_f16(q, h + r * d, 1, d, &o[4]);
            k->dot_i8(q, c + r * d, 1, d, &o[5]);
            k->l1_i8(q, c + r * d, offsets + r, scales + r, 1, d, &o[6]);
            assert_true(fabs(o[1] - l2) < tol && fabs(o[2] - l1) < tol);
            assert_true(fabs(o[3] - dh) < tol && fabs(o[4] - l1h) < tol);
            assert_true(fabs(o[5] - di8) < tol * 127 && fabs(o[6] - l1i8) < tol);
        }
        k->decode_f16(h, n, d, dec);
        for (size_t i = 0; i < n * d; ++i)
            assert_true(dec[i] == s2fi_f16_to_f32(h[i]));
        k->decode_i8(c, offsets, scales, n, d, dec);
        for (size_t i = 0; i < n * d; ++i)
            assert_true(fabsf(dec[i] - (offsets[i / d] + scales[i / d] * c[i])) < 1e-6f);
        free(q);
        free(x);
        free(h);
        free(c);
    }
}

static void every_kernel_variant_matches_double_precision(void **state)
{
    (void)state;
    check_kernels(s2fi_index_kernels_portable());
    check_kernels(s2fi_index_kernels_best());
    print_message("best kernels here: %s\n", s2fi_index_kernels_best()->name);
}

static void f16_conversion_round_trips_and_rounds_to_even(void **state)
{
    (void)state;
    /* Every finite half converts to float and back unchanged. */
    for (uint32_t h = 0; h < 0x10000; ++h) {
        if ((h & 0x7c00) == 0x7c00)
            continue;
        assert_int_equal(s2fi_f32_to_f16(s2fi_f16_to_f32((uint16_t)h)), h);
    }
    assert_int_equal(s2fi_f32_to_f16(1.0f), 0x3c00);
    assert_int_equal(s2fi_f32_to_f16(65504.0f), 0x7bff);
    assert_int_equal(s2fi_f32_to_f16(1e6f), 0x7c00);
    assert_int_equal(s2fi_f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);       /* tie → even */
    assert_int_equal(s2fi_f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);       /* tie → even */
    assert_int_equal(s2fi_f32_to_f16(-5.9604645e-08f), 0x8001);          /* smallest subnormal */
}

static void crc32_matches_the_zlib_check_value(void **state)
{
    (void)state;
    assert_int_equal(s2fi_crc32_update(0, "123456789", 9), 0xCBF43926u);
    /* Chunked = whole. */
    uint32_t crc = s2fi_crc32_update(0, "1234", 4);
    assert_int_equal(s2fi_crc32_update(crc, "56789", 5), 0xCBF43926u);
}

static void id_map_survives_churn(void **state)
{
    (void)state;
    s2fi_id_map map = {0};
    enum { N = 20000 };
    assert_true(s2fi_id_map_reserve(&map, N));
    for (int64_t i = 0; i < N; ++i)
        assert_true(s2fi_id_map_insert(&map, i * 1024, (size_t)i));
    assert_false(s2fi_id_map_insert(&map, 5 * 1024, 0));
    for (int64_t i = 0; i < N; i += 3)
        assert_true(s2fi_id_map_erase(&map, i * 1024));
    size_t row;
    for (int64_t i = 0; i < N; ++i) {
        bool present = s2fi_id_map_find(&map, i * 1024, &row);
        assert_int_equal(present, i % 3 != 0);
        if (present)
            assert_int_equal(row, (size_t)i);
    }
    assert_false(s2fi_id_map_find(&map, -1, &row));
    s2fi_id_map_free(&map);
}

static void topk_keeps_best_with_id_tie_break(void **state)
{
    (void)state;
    float keys[4];
    int64_t ids[4];
    s2fi_topk t;
    s2fi_topk_init(&t, 4, keys, ids);
    float in_keys[] = {0.5f, 0.9f, 0.5f, 0.5f, 0.1f, 0.9f, 0.5f};
    int64_t in_ids[] = {30, 8, 10, 20, 1, 3, 5};
    for (int i = 0; i < 7; ++i)
        s2fi_topk_push(&t, in_keys[i], in_ids[i]);
    s2fi_topk_sort(&t);
    int64_t want[4] = {3, 8, 5, 10};
    assert_memory_equal(ids, want, sizeof want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kernel_variant_matches_double_precision),
        cmocka_unit_test(f16_conversion_round_trips_and_rounds_to_even),
        cmocka_unit_test(crc32_matches_the_zlib_check_value),
        cmocka_unit_test(id_map_survives_churn),
        cmocka_unit_test(topk_keeps_best_with_id_tie_break),
    };
    return cmocka_run_group_tests_name("face index internals", tests, NULL, NULL);
}
