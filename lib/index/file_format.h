/* On-disk layout of a saved face index, version 1 (specified in docs/index-format.md).
 * Little-endian. A 128-byte header, then sections each starting on a 64-byte boundary, zero
 * padded, so the file can be mapped and its arrays used in place:
 *
 *   0   char[8]  magic "S2FINDEX"
 *   8   u32      format version (1)
 *   12  u32      header bytes (128)
 *   16  u64      dim
 *   24  u64      count
 *   32  u32      metric (s2f_metric)
 *   36  u32      storage (s2f_storage)
 *   40  u64      ids offset        (int64[count])
 *   48  u64      codes offset      (count × row bytes: f32, f16 or int8)
 *   56  u64      offsets offset    (float32[count], INT8 only, else 0)
 *   64  u64      scales offset     (float32[count], INT8 only, else 0)
 *   72  u64      file bytes
 *   80  u32      CRC-32 of bytes [128, file bytes)
 *   84  u8[40]   reserved, zero
 *   124 u32      CRC-32 of header bytes [0, 124)
 */
#ifndef S2F_INDEX_FILE_FORMAT_H
#define S2F_INDEX_FILE_FORMAT_H

#include <stdint.h>
#include <string.h>

#define S2FI_INDEX_MAGIC "S2FINDEX"
#define S2FI_INDEX_FORMAT_VERSION 1u
#define S2FI_INDEX_HEADER_BYTES 128u
#define S2FI_INDEX_SECTION_ALIGN 64u

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#  error "the index file format code assumes a little-endian host"
#endif

typedef struct s2fi_index_header {
    uint64_t dim, count;
    uint32_t metric, storage;
    uint64_t ids_offset, codes_offset, offsets_offset, scales_offset, file_bytes;
    uint32_t data_crc;
} s2fi_index_header;

static inline void s2fi_put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void s2fi_put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t s2fi_get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t s2fi_get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

#endif
