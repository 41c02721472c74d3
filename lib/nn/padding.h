/* Padding of one spatial axis of a convolution or pooling window. */
#ifndef S2F_NN_PADDING_H
#define S2F_NN_PADDING_H

typedef enum s2fi_padding_mode {
    S2FI_PADDING_VALID = 0,    /* no padding; output = floor((in - k) / s) + 1 */
    S2FI_PADDING_SAME = 1,     /* TensorFlow "SAME": output = ceil(in / s), the odd pixel after */
    S2FI_PADDING_EXPLICIT = 2, /* caller-given before/after, as PyTorch's padding= */
} s2fi_padding_mode;

typedef struct s2fi_axis_padding {
    int before;
    int after;
} s2fi_axis_padding;

/** Padding and output length of one axis. Returns the output length, or 0 when the window does
 *  not fit (the caller reports S2F_ERR_SHAPE_MISMATCH). `explicit_pad` is used in EXPLICIT mode. */
int s2fi_axis_output(s2fi_padding_mode mode, int in, int kernel, int stride,
                     s2fi_axis_padding explicit_pad, s2fi_axis_padding *pad_out);

#endif
