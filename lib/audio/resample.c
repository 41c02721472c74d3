#include "audio/resample.h"

#include <math.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

/* Input is fed in bounded chunks so that a long recording of which only the first seconds are
 * wanted is not converted in full. soxr's output does not depend on the chunking. */

struct s2fi_resampler {
    soxr_t soxr;
    double input_rate;
    double output_rate;
};

s2f_status s2fi_resampler_create(double input_rate, double output_rate, s2fi_resampler **out,
                                 s2fi_error_slot *slot)
{
    *out = NULL;
    s2fi_resampler *resampler = calloc(1, sizeof *resampler);
    if (!resampler)
        return s2fi_fail(slot, S2F_ERR_OUT_OF_MEMORY, "cannot allocate a resampler");
    resampler->input_rate = input_rate;
    resampler->output_rate = output_rate;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    /* SOXR_HQ: 20-bit precision, linear phase (no group-delay distortion of the spectrogram),
     * passband flat to 0.913 of the output Nyquist frequency. */
    soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_runtime_spec_t runtime = soxr_runtime_spec(1); /* the caller owns the threading */
    soxr_error_t error = NULL;
    resampler->soxr = soxr_create(input_rate, output_rate, 1, &error, &io, &quality, &runtime);
    if (error || !resampler->soxr) {
        s2fi_resampler_free(resampler);
        return s2fi_fail(slot, S2F_ERR_INTERNAL, "libsoxr cannot resample %g Hz to %g Hz: %s",
                         input_rate, output_rate, error ? error : "unknown error");
    }
    *out = resampler;
    return S2F_OK;
}

void s2fi_resampler_free(s2fi_resampler *resampler)
{
    if (!resampler)
        return;
    if (resampler->soxr)
        soxr_delete(resampler->soxr);
    free(resampler);
}

size_t s2fi_resampled_length(size_t n_in, double input_rate, double output_rate)
{
    return (size_t)llround((double)n_in * output_rate / input_rate);
}

static s2f_status overflowed(const s2fi_resampler *resampler, size_t at, s2fi_error_slot *slot)
{
    return s2fi_fail(slot, S2F_ERR_NON_FINITE,
                     "resampling %g Hz to %g Hz overflowed at output sample %zu: input amplitude "
                     "too large for float",
                     resampler->input_rate, resampler->output_rate, at);
}

s2f_status s2fi_resampler_restart(s2fi_resampler *resampler, s2fi_error_slot *slot)
{
    soxr_error_t error = soxr_clear(resampler->soxr);
    if (error)
        return s2fi_fail(slot, S2F_ERR_INTERNAL, "libsoxr cannot reset: %s", error);
    return S2F_OK;
}

s2f_status s2fi_resample_piece(s2fi_resampler *resampler, const float *in, size_t n_in,
                               float *out, size_t out_capacity, size_t *consumed,
                               size_t *produced, s2fi_error_slot *slot)
{
    *consumed = *produced = 0;
    size_t chunk = n_in < S2FI_RESAMPLE_CHUNK ? n_in : S2FI_RESAMPLE_CHUNK;
    soxr_error_t error = in ? soxr_process(resampler->soxr, in, chunk, consumed, out,
                                           out_capacity, produced)
                            : soxr_process(resampler->soxr, NULL, 0, NULL, out, out_capacity,
                                           produced);
    if (error)
        return s2fi_fail(slot, S2F_ERR_INTERNAL, "libsoxr failed while resampling: %s", error);
    for (size_t i = 0; i < *produced; ++i)
        if (!isfinite(out[i]))
            return overflowed(resampler, i, slot);
    return S2F_OK;
}

s2f_status s2fi_resample(s2fi_resampler *resampler, const float *in, size_t n_in, float *out,
                         size_t n_wanted, s2fi_error_slot *slot)
{
    soxr_error_t error = soxr_clear(resampler->soxr);
    if (error)
        return s2fi_fail(slot, S2F_ERR_INTERNAL, "libsoxr cannot reset: %s", error);
    size_t in_pos = 0, out_pos = 0;
    int idle_calls = 0; /* guards against a resampler that neither reads nor writes */
    while (out_pos < n_wanted) {
        size_t consumed = 0, produced = 0;
        if (in_pos < n_in) {
            size_t chunk = n_in - in_pos < S2FI_RESAMPLE_CHUNK ? n_in - in_pos : S2FI_RESAMPLE_CHUNK;
            error = soxr_process(resampler->soxr, in + in_pos, chunk, &consumed, out + out_pos,
                                 n_wanted - out_pos, &produced);
            in_pos += consumed;
        } else {
            /* End of input: NULL input makes soxr drain its filter. */
            error = soxr_process(resampler->soxr, NULL, 0, NULL, out + out_pos,
                                 n_wanted - out_pos, &produced);
            if (!error && produced == 0)
                break;
        }
        if (error)
            return s2fi_fail(slot, S2F_ERR_INTERNAL, "libsoxr failed while resampling: %s",
                             error);
        out_pos += produced;
        idle_calls = consumed == 0 && produced == 0 ? idle_calls + 1 : 0;
        if (idle_calls > 100)
            return s2fi_fail(slot, S2F_ERR_INTERNAL, "libsoxr stalled at input sample %zu", in_pos);
    }
    if (out_pos < n_wanted)
        memset(out + out_pos, 0, sizeof(float) * (n_wanted - out_pos));
    for (size_t i = 0; i < n_wanted; ++i)
        if (!isfinite(out[i]))
            return overflowed(resampler, i, slot);
    return S2F_OK;
}
