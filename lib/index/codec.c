#include "index/codec.h"

#include <math.h>
#include <string.h>

uint16_t s2fi_f32_to_f16(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000u;
    uint32_t abs_bits = bits & 0x7fffffffu;
    if (abs_bits >= 0x7f800000u) /* inf or NaN */
        return (uint16_t)(sign | 0x7c00u | (abs_bits > 0x7f800000u ? 0x200u : 0));
    if (abs_bits >= 0x477ff000u) /* rounds to beyond 65504 */
        return (uint16_t)(sign | 0x7c00u);
    if (abs_bits < 0x38800000u) { /* below the smallest normal half: subnormal or zero */
        if (abs_bits < 0x33000000u)
            return (uint16_t)sign;
        uint32_t mantissa = (abs_bits & 0x7fffffu) | 0x800000u;
        int shift = 126 - (int)(abs_bits >> 23); /* 14..24 */
        uint32_t half = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1u)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = (abs_bits - 0x38000000u) >> 13;
    uint32_t rest = abs_bits & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
        half++;
    return (uint16_t)(sign | half);
}

float s2fi_f16_to_f32(uint16_t half)
{
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    uint32_t exponent = (half >> 10) & 0x1fu;
    uint32_t mantissa = half & 0x3ffu;
    uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else {
        float value = ldexpf((float)mantissa, -24);
        return sign ? -value : value;
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

void s2fi_encode_row(s2f_storage storage, const float *x, size_t dim, void *code, float *offset,
                     float *scale)
{
    switch (storage) {
    case S2F_STORAGE_F32:
        memcpy(code, x, dim * sizeof(float));
        break;
    case S2F_STORAGE_F16: {
        uint16_t *out = code;
        for (size_t i = 0; i < dim; ++i)
            out[i] = s2fi_f32_to_f16(x[i]);
        break;
    }
    case S2F_STORAGE_INT8: {
        /* Affine per row: codes -127..127 span [min, max], so non-negative (ReLU) features use
         * all 255 levels rather than half of them as a symmetric code would. */
        float lo = x[0], hi = x[0];
        for (size_t i = 1; i < dim; ++i) {
            lo = fminf(lo, x[i]);
            hi = fmaxf(hi, x[i]);
        }
        float mid = 0.5f * lo + 0.5f * hi;
        float step = (0.5f * hi - 0.5f * lo) / 127.0f;
        int8_t *out = code;
        if (!(step > 0.0f) || !isfinite(1.0f / step)) {
            memset(out, 0, dim);
            *offset = mid;
            *scale = 0.0f;
            break;
        }
        for (size_t i = 0; i < dim; ++i) {
            float level = nearbyintf((x[i] - mid) / step);
            out[i] = (int8_t)fmaxf(-127.0f, fminf(127.0f, level));
        }
        *offset = mid;
        *scale = step;
        break;
    }
    }
}

void s2fi_decode_row(s2f_storage storage, const void *code, float offset, float scale, size_t dim,
                     float *out)
{
    switch (storage) {
    case S2F_STORAGE_F32:
        memcpy(out, code, dim * sizeof(float));
        break;
    case S2F_STORAGE_F16: {
        const uint16_t *in = code;
        for (size_t i = 0; i < dim; ++i)
            out[i] = s2fi_f16_to_f32(in[i]);
        break;
    }
    case S2F_STORAGE_INT8: {
        const int8_t *in = code;
        for (size_t i = 0; i < dim; ++i)
            out[i] = offset + scale * (float)in[i];
        break;
    }
    }
}
