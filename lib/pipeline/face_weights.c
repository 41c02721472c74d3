#include "pipeline/face_weights.h"

#include "core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float half_to_float(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h >> 15) << 31;
    const int exponent = (h >> 10) & 0x1f;
    const uint32_t mantissa = h & 0x3ff;
    uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent == 0) {
        /* zero or subnormal: mantissa · 2^-24, exact in float */
        float value = (float)mantissa * 0x1p-24f;
        memcpy(&bits, &value, sizeof bits);
        bits |= sign;
    } else {
        bits = sign | ((uint32_t)(exponent - 15 + 127) << 23) | (mantissa << 13);
    }
    float out;
    memcpy(&out, &bits, sizeof out);
    return out;
}

static s2f_status keep(s2fi_weight_store *store, float *buffer, s2fi_error_slot *slot)
{
    if (store->count == store->capacity) {
        size_t capacity = store->capacity ? store->capacity * 2 : 32;
        float **grown = realloc(store->owned, capacity * sizeof *grown);
        if (!grown) {
            s2fi_free(buffer);
            return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory for the weight list");
        }
        store->owned = grown;
        store->capacity = capacity;
    }
    store->owned[store->count++] = buffer;
    return S2F_OK;
}

static s2f_status read_quantization(const s2f_model *model, const char *name, double *scale,
                                    double *minimum, s2fi_error_slot *slot)
{
    char key[300];
    snprintf(key, sizeof key, "%s.q_scale", name);
    s2f_status status = s2fi_model_get_f64(model, key, scale, slot);
    if (status == S2F_OK) {
        snprintf(key, sizeof key, "%s.q_min", name);
        status = s2fi_model_get_f64(model, key, minimum, slot);
    }
    if (status == S2F_ERR_NOT_FOUND)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         "uint8 tensor %s has no %s.q_scale / %s.q_min dequantisation metadata",
                         name, name, name);
    if (status != S2F_OK)
        return status;
    if (!isfinite(*scale) || !isfinite(*minimum))
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "dequantisation of %s is not finite", name);
    return S2F_OK;
}

s2f_status s2fi_weights_get(s2fi_weight_store *store, const s2f_model *model, const char *name,
                            int ndim, const int64_t *shape, const float **data,
                            s2fi_error_slot *slot)
{
    s2fi_tensor_view view;
    s2f_status status = s2fi_model_tensor(model, name, &view, slot);
    if (status != S2F_OK)
        return status;
    int same = view.ndim == ndim;
    for (int d = 0; same && d < ndim; ++d)
        same = view.shape[d] == shape[d];
    if (!same) {
        char want[96] = "", have[96] = "";
        for (int d = 0; d < ndim; ++d)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", d ? "×" : "",
                     (long long)shape[d]);
        for (int d = 0; d < view.ndim; ++d)
            snprintf(have + strlen(have), sizeof have - strlen(have), "%s%lld", d ? "×" : "",
                     (long long)view.shape[d]);
        return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH, "tensor %s is %s; expected %s", name,
                         view.ndim ? have : "a scalar", want);
    }
    if (view.dtype == S2FI_DTYPE_F32) {
        *data = view.data;
        return S2F_OK;
    }
    double scale = 0.0, minimum = 0.0;
    if (view.dtype == S2FI_DTYPE_U8 &&
        (status = read_quantization(model, name, &scale, &minimum, slot)) != S2F_OK)
        return status;
    if (view.dtype != S2FI_DTYPE_U8 && view.dtype != S2FI_DTYPE_F16)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         "tensor %s has dtype %d; the face encoder reads f32, f16 and u8", name,
                         (int)view.dtype);
    const size_t count = (size_t)view.count;
    float *buffer = s2fi_aligned_alloc((count ? count : 1) * sizeof(float));
    if (!buffer)
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "no memory to convert %s", name);
    if (view.dtype == S2FI_DTYPE_U8) {
        const uint8_t *codes = view.data;
        for (size_t i = 0; i < count; ++i)
            buffer[i] = (float)((double)codes[i] * scale + minimum);
    } else {
        const uint16_t *halves = view.data;
        for (size_t i = 0; i < count; ++i)
            buffer[i] = half_to_float(halves[i]);
    }
    for (size_t i = 0; i < count; ++i)
        if (!isfinite(buffer[i])) {
            s2fi_free(buffer);
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "tensor %s value %zu is not finite", name, i);
        }
    if ((status = keep(store, buffer, slot)) != S2F_OK)
        return status;
    *data = buffer;
    return S2F_OK;
}

void s2fi_weights_release(s2fi_weight_store *store)
{
    for (size_t i = 0; i < store->count; ++i)
        s2fi_free(store->owned[i]);
    free(store->owned);
    memset(store, 0, sizeof *store);
}
