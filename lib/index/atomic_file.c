#include "index/atomic_file.h"

#include "core/crc32.h"
#include "index/index_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* The directory part of `path` ("." or "/" where it has none); NULL when out of memory. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* fsync of the directory makes the rename itself durable. */
static int sync_directory_of(const char *path)
{
    char *dir = directory_of(path);
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

/* Whether `name` is "<base>.tmp-<pid>-<serial>", the name this file gives its temporary files. */
static bool is_temp_name_of(const char *name, const char *base)
{
    size_t length = strlen(base);
    if (strncmp(name, base, length) != 0 || strncmp(name + length, ".tmp-", 5) != 0)
        return false;
    const char *p = name + length + 5;
    for (int part = 0; part < 2; ++part) {
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            ++p;
        if (part == 0 && *p++ != '-')
            return false;
    }
    return *p == '\0';
}

/* Removes temporary files that saves of `path` left behind when their process died (kill -9,
 * power loss). A saving process holds an exclusive flock on its temporary file from creation
 * to rename, and the kernel drops it when the process dies, whatever the PID namespace: a file
 * that can be locked has no living writer. Best effort: failures leave the file for next time. */
static void remove_stale_temporaries(const char *path)
{
    char *dir = directory_of(path);
    if (!dir)
        return;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *listing = dir_fd >= 0 ? fdopendir(dir_fd) : NULL;
    if (!listing) {
        if (dir_fd >= 0)
            close(dir_fd);
        free(dir);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (!is_temp_name_of(entry->d_name, base))
            continue;
        int fd = openat(dir_fd, entry->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dir_fd, entry->d_name, 0);
        close(fd);
    }
    closedir(listing); /* closes dir_fd */
    free(dir);
}

/* Creates the temporary file, locked (see remove_stale_temporaries). A sweeper of another
 * process may lock and unlink a file in the instant between its creation and our lock: then
 * the locked file has no name left, and a new one is made. */
static int create_locked_temporary(const char *path, char *temp, size_t length)
{
    static unsigned long counter;
    for (int attempt = 0; attempt < 8; ++attempt) {
        unsigned long serial = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        /* Same directory as the target, so rename() is atomic (never crosses a file system). */
        snprintf(temp, length, "%s.tmp-%ld-%lu", path, (long)getpid(), serial);
        int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            return -1;
        struct stat info;
        if (flock(fd, LOCK_EX) == 0 && fstat(fd, &info) == 0 && info.st_nlink > 0)
            return fd;
        close(fd);
    }
    errno = EAGAIN;
    return -1;
}

s2f_status s2fi_write_file_atomically(const s2f_face_index *index, const char *path,
                                      s2fi_file_producer produce, void *context)
{
    size_t length = strlen(path) + 64;
    char *temp = malloc(length);
    if (!temp)
        return s2fi_index_fail(index, S2F_ERR_OUT_OF_MEMORY, "cannot name a temporary file");
    remove_stale_temporaries(path);
    int fd = create_locked_temporary(path, temp, length);
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
    /* Renamed while still open, so still locked: no sweeper can take it before. Once fsync has
     * succeeded, close has nothing left to report. */
    if (status == S2F_OK && !error && rename(temp, path) != 0) {
        error = errno;
        step = "rename";
    }
    close(fd);
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
