#include "gallery_names.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void names_path(const char *index_path, char *out, size_t size)
{
    snprintf(out, size, "%s.names", index_path);
}

int gallery_names_add(gallery_names *names, int64_t id, const char *path)
{
    if (names->count == names->capacity) {
        size_t capacity = names->capacity ? 2 * names->capacity : 64;
        int64_t *ids = realloc(names->ids, capacity * sizeof *ids);
        if (!ids)
            return -1;
        names->ids = ids;
        char **paths = realloc(names->paths, capacity * sizeof *paths);
        if (!paths)
            return -1;
        names->paths = paths;
        names->capacity = capacity;
    }
    char *copy = strdup(path);
    if (!copy)
        return -1;
    names->ids[names->count] = id;
    names->paths[names->count++] = copy;
    return 0;
}

int gallery_names_read(const char *index_path, gallery_names *names, char *error,
                       size_t error_size)
{
    *names = (gallery_names){0};
    char path[4200];
    names_path(index_path, path, sizeof path);
    FILE *file = fopen(path, "r");
    if (!file)
        return errno == ENOENT ? 1 : (snprintf(error, error_size, "cannot read %s: %s", path,
                                               strerror(errno)), -1);
    char *line = NULL;
    size_t line_capacity = 0;
    ssize_t length;
    size_t line_number = 0;
    int result = 0;
    while ((length = getline(&line, &line_capacity, file)) > 0) {
        ++line_number;
        if (line[length - 1] == '\n')
            line[--length] = '\0';
        char *tab = strchr(line, '\t'), *end;
        errno = 0;
        long long id = tab ? strtoll(line, &end, 10) : 0;
        if (!tab || errno || end != tab || tab[1] == '\0') {
            snprintf(error, error_size, "%s:%zu: expected \"id<TAB>path\"", path, line_number);
            result = -1;
            break;
        }
        if (gallery_names_add(names, (int64_t)id, tab + 1) != 0) {
            snprintf(error, error_size, "%s: out of memory", path);
            result = -1;
            break;
        }
    }
    free(line);
    fclose(file);
    if (result != 0)
        gallery_names_free(names);
    return result;
}

const char *gallery_names_find(const gallery_names *names, int64_t id)
{
    for (size_t i = 0; i < names->count; ++i)
        if (names->ids[i] == id)
            return names->paths[i];
    return NULL;
}

int gallery_names_write(const char *index_path, const gallery_names *names, char *error,
                        size_t error_size)
{
    char path[4200], temporary[4300];
    names_path(index_path, path, sizeof path);
    snprintf(temporary, sizeof temporary, "%s.tmp-%ld", path, (long)getpid());
    FILE *file = fopen(temporary, "w");
    if (!file) {
        snprintf(error, error_size, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    int ok = 1;
    for (size_t i = 0; i < names->count && ok; ++i)
        ok = fprintf(file, "%" PRId64 "\t%s\n", names->ids[i], names->paths[i]) > 0;
    int saved_errno = errno;
    ok = fclose(file) == 0 && ok;
    if (!ok || rename(temporary, path) != 0) {
        if (ok)
            saved_errno = errno;
        remove(temporary);
        snprintf(error, error_size, "cannot write %s: %s", path, strerror(saved_errno));
        return -1;
    }
    return 0;
}

void gallery_names_free(gallery_names *names)
{
    for (size_t i = 0; i < names->count; ++i)
        free(names->paths[i]);
    free(names->paths);
    free(names->ids);
    *names = (gallery_names){0};
}
