/* Activations in lib/nn are single images in NHWC order: height × width × channels, row-major,
 * channels fastest. For the voice encoder height is time, width is frequency. NHWC makes a
 * stride-1 convolution's patch rows contiguous runs of channels, which im2col copies with memcpy. */
#ifndef S2F_NN_TENSOR_H
#define S2F_NN_TENSOR_H

#include <stddef.h>

typedef struct s2fi_shape {
    int height;
    int width;
    int channels;
} s2fi_shape;

static inline size_t s2fi_shape_count(s2fi_shape shape)
{
    return (size_t)shape.height * (size_t)shape.width * (size_t)shape.channels;
}

#endif
