#include "nn/activation.h"

#include <math.h>

void s2fi_sigmoid(float *data, size_t count)
{
    /* expf(−x) overflows to +inf for x < −88.7, giving 1/inf = 0: the correct limit. */
    for (size_t i = 0; i < count; ++i)
        data[i] = 1.0f / (1.0f + expf(-data[i]));
}
