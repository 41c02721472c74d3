/* Inference BatchNorm as a per-channel affine: y = (x - mean) / sqrt(var + eps) * gamma + beta
 *                                              = x * scale + shift. */
#ifndef S2F_NN_BATCHNORM_H
#define S2F_NN_BATCHNORM_H

/** Fills scale/shift ([channels] each). Computed in double so the folded form matches the
 *  textbook formula to float rounding. Returns 0, or -1 if some var + eps is not positive. */
int s2fi_batchnorm_to_affine(const float *gamma, const float *beta, const float *mean,
                             const float *var, double eps, int channels, float *scale,
                             float *shift);

#endif
