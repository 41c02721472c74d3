/* INDEX.names: the gallery's id → photo path table, beside the index file, one
 * "id<TAB>absolute path" line per photo. The index stores ids only; this file lets search name
 * (and the contact sheet show) its results. */
#ifndef S2F_CLI_GALLERY_NAMES_H
#define S2F_CLI_GALLERY_NAMES_H

#include <stddef.h>
#include <stdint.h>

typedef struct gallery_names {
    int64_t *ids;
    char **paths;
    size_t count, capacity;
} gallery_names;

/* Reads INDEX.names. A missing file gives an empty table and returns 1; 0 on success; -1 with a
 * message for a malformed file. */
int gallery_names_read(const char *index_path, gallery_names *names, char *error,
                       size_t error_size);
/* Appends one entry (copies path). Returns -1 on out of memory. */
int gallery_names_add(gallery_names *names, int64_t id, const char *path);
/* Path of `id`, or NULL. */
const char *gallery_names_find(const gallery_names *names, int64_t id);
/* Writes INDEX.names atomically (temporary file + rename). */
int gallery_names_write(const char *index_path, const gallery_names *names, char *error,
                        size_t error_size);
void gallery_names_free(gallery_names *names);

#endif
