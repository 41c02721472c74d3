#include "nn/padding.h"

int s2fi_axis_output(s2fi_padding_mode mode, int in, int kernel, int stride,
                     s2fi_axis_padding explicit_pad, s2fi_axis_padding *pad_out)
{
    s2fi_axis_padding pad = {0, 0};
    if (in <= 0 || kernel <= 0 || stride <= 0)
        return 0;
    if (mode == S2FI_PADDING_SAME) {
        /* TF: out = ceil(in / s); total = max((out - 1) * s + k - in, 0); the smaller half goes
         * before, so a 4-tap kernel at stride 1 pads 1 before and 2 after. */
        int out = (in + stride - 1) / stride;
        int total = (out - 1) * stride + kernel - in;
        if (total < 0)
            total = 0;
        pad.before = total / 2;
        pad.after = total - pad.before;
    } else if (mode == S2FI_PADDING_EXPLICIT) {
        if (explicit_pad.before < 0 || explicit_pad.after < 0)
            return 0;
        pad = explicit_pad;
    }
    long padded = (long)in + pad.before + pad.after;
    if (padded < kernel)
        return 0;
    if (pad_out)
        *pad_out = pad;
    return (int)((padded - kernel) / stride + 1);
}
