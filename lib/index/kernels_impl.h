/* Kernel bodies, included once per instruction set by kernels.c with KSUFFIX set and a
 * `#pragma GCC target` active. GCC's vector extensions let one source become zmm, ymm or xmm
 * code; the 16-lane accumulators keep enough independent sums in flight to hide FMA latency. */
#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2(a, b)
#define KFN(name) KCAT(name, KSUFFIX)

static inline float KFN(hsum)(v16sf v)
{
    float s = 0.0f;
    for (int j = 0; j < 16; ++j)
        s += v[j];
    return s;
}

static inline v16sf KFN(load_f32)(const float *p)
{
    v16sf v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline v16sf KFN(load_f16)(const uint16_t *p)
{
#if defined(S2FI_HAVE_FLOAT16_VECTORS)
    v16hf h;
    memcpy(&h, p, sizeof h);
    return __builtin_convertvector(h, v16sf);
#else
    v16sf v;
    for (int i = 0; i < 16; ++i)
        v[i] = s2fi_f16_to_f32(p[i]);
    return v;
#endif
}

static inline v16sf KFN(load_i8)(const int8_t *p)
{
    v16qi c;
    memcpy(&c, p, sizeof c);
    return __builtin_convertvector(c, v16sf);
}

static inline v16sf KFN(vabs)(v16sf v)
{
    v16si bits = (v16si)v & 0x7fffffff;
    return (v16sf)bits;
}

static void KFN(dot_f32)(const float *q, const float *rows, size_t n, size_t d, float *out)
{
    size_t r = 0;
    /* Four rows at a time: each query load feeds four FMAs, and short rows (D = 128) pay the
     * horizontal reduction only once per row. */
    for (; r + 4 <= n; r += 4) {
        const float *x0 = rows + r * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
        v16sf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        size_t i = 0;
        for (; i + 16 <= d; i += 16) {
            v16sf qv = KFN(load_f32)(q + i);
            a0 += qv * KFN(load_f32)(x0 + i);
            a1 += qv * KFN(load_f32)(x1 + i);
            a2 += qv * KFN(load_f32)(x2 + i);
            a3 += qv * KFN(load_f32)(x3 + i);
        }
        float s0 = KFN(hsum)(a0), s1 = KFN(hsum)(a1), s2 = KFN(hsum)(a2), s3 = KFN(hsum)(a3);
        for (; i < d; ++i) {
            s0 += q[i] * x0[i];
            s1 += q[i] * x1[i];
            s2 += q[i] * x2[i];
            s3 += q[i] * x3[i];
        }
        out[r] = s0;
        out[r + 1] = s1;
        out[r + 2] = s2;
        out[r + 3] = s3;
    }
    for (; r < n; ++r) {
        const float *x = rows + r * d;
        v16sf a = {0}, b = {0};
        size_t i = 0;
        for (; i + 32 <= d; i += 32) {
            a += KFN(load_f32)(q + i) * KFN(load_f32)(x + i);
            b += KFN(load_f32)(q + i + 16) * KFN(load_f32)(x + i + 16);
        }
        for (; i + 16 <= d; i += 16)
            a += KFN(load_f32)(q + i) * KFN(load_f32)(x + i);
        float s = KFN(hsum)(a + b);
        for (; i < d; ++i)
            s += q[i] * x[i];
        out[r] = s;
    }
}

static void KFN(l2_f32)(const float *q, const float *rows, size_t n, size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const float *x = rows + r * d;
        v16sf a = {0}, b = {0};
        size_t i = 0;
        for (; i + 32 <= d; i += 32) {
            v16sf e = KFN(load_f32)(q + i) - KFN(load_f32)(x + i);
            v16sf f = KFN(load_f32)(q + i + 16) - KFN(load_f32)(x + i + 16);
            a += e * e;
            b += f * f;
        }
        for (; i + 16 <= d; i += 16) {
            v16sf e = KFN(load_f32)(q + i) - KFN(load_f32)(x + i);
            a += e * e;
        }
        float s = KFN(hsum)(a + b);
        for (; i < d; ++i)
            s += (q[i] - x[i]) * (q[i] - x[i]);
        out[r] = s;
    }
}

static void KFN(l1_f32)(const float *q, const float *rows, size_t n, size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const float *x = rows + r * d;
        v16sf a = {0}, b = {0};
        size_t i = 0;
        for (; i + 32 <= d; i += 32) {
            a += KFN(vabs)(KFN(load_f32)(q + i) - KFN(load_f32)(x + i));
            b += KFN(vabs)(KFN(load_f32)(q + i + 16) - KFN(load_f32)(x + i + 16));
        }
        for (; i + 16 <= d; i += 16)
            a += KFN(vabs)(KFN(load_f32)(q + i) - KFN(load_f32)(x + i));
        float s = KFN(hsum)(a + b);
        for (; i < d; ++i)
            s += fabsf(q[i] - x[i]);
        out[r] = s;
    }
}

static void KFN(dot_f16)(const float *q, const uint16_t *rows, size_t n, size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const uint16_t *x = rows + r * d;
        v16sf a = {0}, b = {0};
        size_t i = 0;
        for (; i + 32 <= d; i += 32) {
            a += KFN(load_f32)(q + i) * KFN(load_f16)(x + i);
            b += KFN(load_f32)(q + i + 16) * KFN(load_f16)(x + i + 16);
        }
        for (; i + 16 <= d; i += 16)
            a += KFN(load_f32)(q + i) * KFN(load_f16)(x + i);
        float s = KFN(hsum)(a + b);
        for (; i < d; ++i)
            s += q[i] * s2fi_f16_to_f32(x[i]);
        out[r] = s;
    }
}

static void KFN(l1_f16)(const float *q, const uint16_t *rows, size_t n, size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const uint16_t *x = rows + r * d;
        v16sf a = {0};
        size_t i = 0;
        for (; i + 16 <= d; i += 16)
            a += KFN(vabs)(KFN(load_f32)(q + i) - KFN(load_f16)(x + i));
        float s = KFN(hsum)(a);
        for (; i < d; ++i)
            s += fabsf(q[i] - s2fi_f16_to_f32(x[i]));
        out[r] = s;
    }
}

static void KFN(dot_i8)(const float *q, const int8_t *rows, size_t n, size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const int8_t *x = rows + r * d;
        v16sf a = {0}, b = {0};
        size_t i = 0;
        for (; i + 32 <= d; i += 32) {
            a += KFN(load_f32)(q + i) * KFN(load_i8)(x + i);
            b += KFN(load_f32)(q + i + 16) * KFN(load_i8)(x + i + 16);
        }
        for (; i + 16 <= d; i += 16)
            a += KFN(load_f32)(q + i) * KFN(load_i8)(x + i);
        float s = KFN(hsum)(a + b);
        for (; i < d; ++i)
            s += q[i] * (float)x[i];
        out[r] = s;
    }
}

static void KFN(l1_i8)(const float *q, const int8_t *rows, const float *offsets,
                       const float *scales, size_t n, size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const int8_t *x = rows + r * d;
        float offset = offsets[r], scale = scales[r];
        v16sf a = {0};
        size_t i = 0;
        for (; i + 16 <= d; i += 16)
            a += KFN(vabs)(KFN(load_f32)(q + i) - (offset + scale * KFN(load_i8)(x + i)));
        float s = KFN(hsum)(a);
        for (; i < d; ++i)
            s += fabsf(q[i] - (offset + scale * (float)x[i]));
        out[r] = s;
    }
}

static void KFN(decode_f16)(const uint16_t *rows, size_t n, size_t d, float *out)
{
    size_t total = n * d, i = 0;
    for (; i + 16 <= total; i += 16) {
        v16sf v = KFN(load_f16)(rows + i);
        memcpy(out + i, &v, sizeof v);
    }
    for (; i < total; ++i)
        out[i] = s2fi_f16_to_f32(rows[i]);
}

static void KFN(decode_i8)(const int8_t *rows, const float *offsets, const float *scales, size_t n,
                           size_t d, float *out)
{
    for (size_t r = 0; r < n; ++r) {
        const int8_t *x = rows + r * d;
        float *y = out + r * d;
        float offset = offsets[r], scale = scales[r];
        size_t i = 0;
        for (; i + 16 <= d; i += 16) {
            v16sf v = offset + scale * KFN(load_i8)(x + i);
            memcpy(y + i, &v, sizeof v);
        }
        for (; i < d; ++i)
            y[i] = offset + scale * (float)x[i];
    }
}

static const s2fi_index_kernels KFN(kernels) = {
    .name = KSUFFIX_NAME,
    .dot_f32 = KFN(dot_f32),
    .l2_f32 = KFN(l2_f32),
    .l1_f32 = KFN(l1_f32),
    .dot_f16 = KFN(dot_f16),
    .l1_f16 = KFN(l1_f16),
    .dot_i8 = KFN(dot_i8),
    .l1_i8 = KFN(l1_i8),
    .decode_f16 = KFN(decode_f16),
    .decode_i8 = KFN(decode_i8),
};

#undef KFN
#undef KCAT
#undef KCAT2
