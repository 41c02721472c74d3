/* Encoding of gallery rows into the storage types and back. */
#ifndef S2F_INDEX_CODEC_H
#define S2F_INDEX_CODEC_H

#include "speech2face.h"

#include <stddef.h>
#include <stdint.h>

/** float32 → IEEE binary16, round to nearest even (overflow → ±inf; inputs here are finite and
 *  the caller rejects values beyond the half range). */
uint16_t s2fi_f32_to_f16(float value);
float s2fi_f16_to_f32(uint16_t half);

/** Largest finite binary16 value. */
#define S2FI_F16_MAX 65504.0f

/** Encodes one row `x[dim]` into `code` (row_bytes of the storage); for INT8 also writes the
 *  affine parameters. */
void s2fi_encode_row(s2f_storage storage, const float *x, size_t dim, void *code, float *offset,
                     float *scale);
/** Decodes one row into `out[dim]`. */
void s2fi_decode_row(s2f_storage storage, const void *code, float offset, float scale, size_t dim,
                     float *out);

#endif
