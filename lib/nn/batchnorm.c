#include "nn/batchnorm.h"

#include <math.h>

int s2fi_batchnorm_to_affine(const float *gamma, const float *beta, const float *mean,
                             const float *var, double eps, int channels, float *scale,
                             float *shift)
{
    for (int c = 0; c < channels; ++c) {
        double denominator = (double)var[c] + eps;
        if (!(denominator > 0.0))
            return -1;
        double s = (double)gamma[c] / sqrt(denominator);
        scale[c] = (float)s;
        shift[c] = (float)((double)beta[c] - (double)mean[c] * s);
    }
    return 0;
}
