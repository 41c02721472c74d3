#include "index/atomic_file.h"

#include "core/crc32.h"
#include "index/index_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void s2fi_writer_put(s2fi_file_writer *writer, const void *data, size_t size)
{
    if (writer->error)
        return;
    writer->crc = s2fi_crc32_update(writer->crc, data, size);
    const char *p = data;
    while (size > 0) {
        size_t chunk = size > ((size_t)1 << 30) ? ((size_t)1 << 30) : size;
        ssize_t written = write(writer->fd, p, chunk);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            writer->error = errno;
            return;
        }
        if (written == 0) {
            writer->error = EIO;
            return;
        }
        p += written;
        size -= (size_t)written;
        writer->position += (uint64_t)written;
    }
}

void s2fi_writer_pad(s2fi_file_writer *writer, size_t alignment)
{
    static const char zeros[64];
    size_t extra = (size_t)(writer->position % alignment);
    if (extra)
        s2fi_writer_put(writer, zeros, alignment - extra);
}

/* fsync of the directory makes the rename itself durable. */
static int sync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return ENOMEM;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return errno;
    int result = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return result;
}

s2f_status s2fi_write_file_atomically(const s2f_face_index *index, const char *path,
                                      s2fi_file_producer produce, void *context)
{
    static unsigned long counter;
    unsigned long serial = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    size_t length = strlen(path) + 64;
    char *temp = malloc(length);
    if (!temp)
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "cannot name a temporary file");
    /* Same directory as the target, so rename() is atomic (never crosses a file system). */
    snprintf(temp, length, "%s.tmp-%ld-%lu", path, (long)getpid(), serial);
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int saved = errno;
        free(temp);
        return s2fi_index_fail(index, S2F_ERR_IO, "cannot create a temporary file next to %s: %s",
                               path, strerror(saved));
    }
    s2fi_file_writer writer = {.fd = fd};
    s2f_status status = produce(&writer, context);
    const char *step = "write";
    int error = writer.error;
    if (status == S2F_OK && !error && fsync(fd) != 0) {
        error = errno;
        step = "fsync";
    }
    if (close(fd) != 0 && status == S2F_OK && !error) {
        error = errno;
        step = "close";
    }
    if (status == S2F_OK && !error && rename(temp, path) != 0) {
        error = errno;
        step = "rename";
    }
    if (status != S2F_OK || error) {
        unlink(temp);
        free(temp);
        if (status != S2F_OK)
            return status;
        return s2fi_index_fail(index, S2F_ERR_IO, "saving %s: %s failed: %s (%s left unchanged)",
                               path, step, strerror(error), path);
    }
    free(temp);
    error = sync_directory_of(path);
    if (error)
        return s2fi_index_fail(index, S2F_ERR_IO,
                               "saving %s: the file is in place but fsync of its directory failed: "
                               "%s",
                               path, strerror(error));
    return S2F_OK;
}
