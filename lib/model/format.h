/* On-disk layout of the model container, version 1 (docs/model-format.md is the specification;
 * this header and tools/reference/s2f_model.py must agree with it byte for byte). Shared by the loader and
 * the test writer so that neither can drift from the other. All integers are little-endian. */
#ifndef S2F_MODEL_FORMAT_H
#define S2F_MODEL_FORMAT_H

#include "model/model.h"

#include <stddef.h>
#include <stdint.h>

#define S2FI_MODEL_MAGIC "S2FM"
#define S2FI_MODEL_VERSION 1u

/* Fixed header: byte offsets of its fields. */
enum {
    S2FI_HDR_MAGIC = 0,              /* 4 bytes "S2FM" */
    S2FI_HDR_VERSION = 4,            /* u32 */
    S2FI_HDR_FLAGS = 8,              /* u32, must be 0 in version 1 */
    S2FI_HDR_CHECKSUM = 12,          /* u32 CRC-32/IEEE of every byte except these four */
    S2FI_HDR_FILE_SIZE = 16,         /* u64 */
    S2FI_HDR_METADATA_COUNT = 24,    /* u64 */
    S2FI_HDR_METADATA_OFFSET = 32,   /* u64, == S2FI_HDR_SIZE */
    S2FI_HDR_METADATA_SIZE = 40,     /* u64 */
    S2FI_HDR_TENSOR_COUNT = 48,      /* u64 */
    S2FI_HDR_TENSOR_OFFSET = 56,     /* u64, == metadata offset + metadata size */
    S2FI_HDR_TENSOR_SIZE = 64,       /* u64 */
    S2FI_HDR_DATA_OFFSET = 72,       /* u64, == tensor table end rounded up to 64 */
    S2FI_HDR_DATA_SIZE = 80,         /* u64, data offset + data size == file size */
    S2FI_HDR_RESERVED = 88,          /* u64, must be 0 in version 1 */
    S2FI_HDR_SIZE = 96,
};

/* Metadata value types (u32 in each metadata entry). */
typedef enum s2fi_meta_type {
    S2FI_META_I64 = 0,
    S2FI_META_F64 = 1,
    S2FI_META_STRING = 2,
    S2FI_META_I64_ARRAY = 3,
    S2FI_META_F32_ARRAY = 4,
} s2fi_meta_type;
#define S2FI_META_TYPE_COUNT 5
#define S2FI_DTYPE_COUNT 4

#define S2FI_DATA_ALIGNMENT 64u
/* Keys and tensor names: 1..255 bytes of printable ASCII without spaces, "<component>.<rest>". */
#define S2FI_NAME_MAX 255u
/* Longest string value (bytes, excluding the NUL the loader adds). */
#define S2FI_STRING_MAX (16u * 1024u * 1024u)

/* Smallest possible encodings; they bound the counts a header may claim before anything is
 * allocated for them. Metadata: u32 key length, 1 key byte, u32 type, 8 value bytes. Tensor:
 * u32 name length, 1 name byte, u32 dtype, u32 ndim, (no dims), u64 offset, u64 byte size. */
#define S2FI_META_ENTRY_MIN 17u
#define S2FI_TENSOR_ENTRY_MIN 29u

/** Bytes per element of a dtype; 0 for an unknown dtype. */
static inline size_t s2fi_dtype_size(uint32_t dtype)
{
    switch (dtype) {
    case S2FI_DTYPE_F32: return 4;
    case S2FI_DTYPE_F16: return 2;
    case S2FI_DTYPE_I32: return 4;
    case S2FI_DTYPE_U8: return 1;
    default: return 0;
    }
}

/** Whether `name` (`length` bytes, not necessarily NUL-terminated) is a valid key or tensor
 *  name; on failure *why says which rule it breaks (static string). */
int s2fi_model_name_is_valid(const char *name, size_t length, const char **why);

static inline uint32_t s2fi_read_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t s2fi_read_u64le(const uint8_t *p)
{
    return (uint64_t)s2fi_read_u32le(p) | (uint64_t)s2fi_read_u32le(p + 4) << 32;
}

static inline void s2fi_write_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void s2fi_write_u64le(uint8_t *p, uint64_t v)
{
    s2fi_write_u32le(p, (uint32_t)v);
    s2fi_write_u32le(p + 4, (uint32_t)(v >> 32));
}

#endif
