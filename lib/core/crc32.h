/* CRC-32/IEEE (the zlib/PNG/gzip CRC: reflected polynomial 0xEDB88320, initial and final XOR
 * 0xFFFFFFFF), so Python's zlib.crc32 reproduces the model container's and the index file's checksums. */
#ifndef S2F_CORE_CRC32_H
#define S2F_CORE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/** Continues a CRC over `size` more bytes: start with crc = 0, feed chunks in order; the result
 *  equals zlib.crc32 of the concatenation. Slicing-by-8, thread-safe. */
uint32_t s2fi_crc32_update(uint32_t crc, const void *data, size_t size);

#endif
