/* CRC-32/IEEE, the zlib/PNG/gzip CRC (reflected polynomial 0xEDB88320, initial and final XOR
 * 0xFFFFFFFF), from zlib itself: the model container's and the index file's checksums are
 * zlib.crc32 of their bytes, so any zlib (Python's included) reproduces them. */
#ifndef S2F_CORE_CRC32_H
#define S2F_CORE_CRC32_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/** Continues a CRC over `size` more bytes: start with crc = 0, feed chunks in order; the result
 *  equals zlib.crc32 of the concatenation. crc32_z takes a size_t length (no 4 GiB limit).
 *  Thread-safe. */
static inline uint32_t s2fi_crc32_update(uint32_t crc, const void *data, size_t size)
{
    return (uint32_t)crc32_z(crc, (const unsigned char *)data, size);
}

#endif
