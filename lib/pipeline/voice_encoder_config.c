#include "pipeline/voice_encoder_config.h"

#include <string.h>

#define KEY(name) "voice_encoder." name

/* Reads an integer array key into `out` (at most `max` entries, each in [1, 65536]). */
static s2f_status read_int_array(const s2f_model *model, const char *key, int *out, int max,
                                 int *count, s2fi_error_slot *slot)
{
    const int64_t *values;
    size_t n;
    s2f_status status = s2fi_model_get_i64_array(model, key, &values, &n, slot);
    if (status != S2F_OK)
        return status;
    if (n == 0 || n > (size_t)max)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s has %zu entries; expected 1..%d", key, n, max);
    for (size_t i = 0; i < n; ++i) {
        if (values[i] < 1 || values[i] > 65536)
            return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s[%zu] = %lld is out of range", key, i,
                             (long long)values[i]);
        out[i] = (int)values[i];
    }
    *count = (int)n;
    return S2F_OK;
}

static s2f_status read_int(const s2f_model *model, const char *key, int *out, s2fi_error_slot *slot)
{
    int64_t value;
    s2f_status status = s2fi_model_get_i64(model, key, &value, slot);
    if (status != S2F_OK)
        return status;
    if (value < 1 || value > 65536)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "%s = %lld is out of range", key, (long long)value);
    *out = (int)value;
    return S2F_OK;
}

s2f_status s2fi_voice_config_read(const s2f_model *model, s2fi_voice_config *c, s2fi_error_slot *slot)
{
    memset(c, 0, sizeof *c);
    const char *architecture;
    s2f_status status = s2fi_model_get_string(model, KEY("architecture"), &architecture, slot);
    if (status != S2F_OK)
        return status;
    if (strcmp(architecture, "speech2face-voice-encoder") != 0)
        return s2fi_fail(slot, S2F_ERR_UNSUPPORTED, "voice encoder architecture \"%s\" is unknown",
                         architecture);

    int strides_count, pool_count;
    if ((status = read_int_array(model, KEY("conv_channels"), c->conv_channels,
                                 S2FI_VOICE_MAX_CONVS, &c->conv_count, slot)) ||
        (status = read_int_array(model, KEY("conv_strides"), c->conv_strides,
                                 S2FI_VOICE_MAX_CONVS, &strides_count, slot)) ||
        (status = read_int_array(model, KEY("pool_time"), c->pool_time, S2FI_VOICE_MAX_CONVS,
                                 &pool_count, slot)) ||
        (status = read_int_array(model, KEY("fc_dims"), c->fc_dims, S2FI_VOICE_MAX_FCS,
                                 &c->fc_count, slot)) ||
        (status = read_int(model, KEY("kernel"), &c->kernel, slot)) ||
        (status = read_int(model, KEY("input_bins"), &c->input_bins, slot)) ||
        (status = read_int(model, KEY("input_channels"), &c->input_channels, slot)))
        return status;
    if (strides_count != c->conv_count || pool_count != c->conv_count)
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT,
                         "conv_channels, conv_strides and pool_time differ in length (%d, %d, %d)",
                         c->conv_count, strides_count, pool_count);

    const char *padding;
    if ((status = s2fi_model_get_string(model, KEY("padding"), &padding, slot)))
        return status;
    if (strcmp(padding, "same") == 0)
        c->padding = S2FI_PADDING_SAME;
    else if (strcmp(padding, "valid") == 0)
        c->padding = S2FI_PADDING_VALID;
    else
        return s2fi_fail(slot, S2F_ERR_UNSUPPORTED, "voice_encoder.padding \"%s\" is not same/valid",
                         padding);

    if ((status = s2fi_model_get_f64(model, KEY("bn_eps"), &c->bn_eps, slot)))
        return status;
    if (!(c->bn_eps >= 0.0 && c->bn_eps < 1.0))
        return s2fi_fail(slot, S2F_ERR_BAD_FORMAT, "voice_encoder.bn_eps = %g is out of range",
                         c->bn_eps);

    int64_t feature_dim;
    if ((status = s2fi_model_get_i64(model, KEY("feature_dim"), &feature_dim, slot)))
        return status;
    if (feature_dim != c->fc_dims[c->fc_count - 1])
        return s2fi_fail(slot, S2F_ERR_SHAPE_MISMATCH,
                         "voice_encoder.feature_dim = %lld but the last FC has %d outputs",
                         (long long)feature_dim, c->fc_dims[c->fc_count - 1]);
    return S2F_OK;
}
