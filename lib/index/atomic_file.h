/* Crash-safe file replacement: write a temporary file in the target's directory, fsync it,
 * rename it over the target, fsync the directory. At every instant the target path names
 * either the complete old file or the complete new one. */
#ifndef S2F_INDEX_ATOMIC_FILE_H
#define S2F_INDEX_ATOMIC_FILE_H

#include "speech2face.h"

#include <stddef.h>
#include <stdint.h>

/** Sequential writer over a file descriptor that keeps a running CRC-32 of what it wrote. */
typedef struct s2fi_file_writer {
    int fd;
    uint64_t position;
    uint32_t crc;
    int error; /* errno of the first failure, 0 if none */
} s2fi_file_writer;

/** Appends bytes (retrying short writes and EINTR). No-op after a failure. */
void s2fi_writer_put(s2fi_file_writer *writer, const void *data, size_t size);
/** Appends zero bytes up to the next multiple of `alignment`. */
void s2fi_writer_pad(s2fi_file_writer *writer, size_t alignment);

/** Fills the file through the writer; returns S2F_OK or records its own error. `writer->error`
 *  set on return is turned into S2F_ERR_IO by the caller. */
typedef s2f_status (*s2fi_file_producer)(s2fi_file_writer *writer, void *context);

/** Writes `path` atomically with `produce`. On any failure the temporary file is removed and
 *  `path` is untouched. `index` (may be NULL) receives the error message. */
s2f_status s2fi_write_file_atomically(const s2f_face_index *index, const char *path,
                                      s2fi_file_producer produce, void *context);

#endif
