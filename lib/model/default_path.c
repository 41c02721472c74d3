/* Where the default model is: $S2F_MODEL, else the installed share/speech2face/default.s2fm,
 * found relative to this library's own file (dladdr) so that an install works from any prefix,
 * and keeps working when moved. Build-time layout: S2FI_LIBDIR and S2FI_DATADIR are meson's
 * libdir and datadir, relative to the prefix (absolute ones are used as they are). */
#include "core/error.h"
#include "model/install_layout.h" /* generated: S2FI_PREFIX, S2FI_LIBDIR, S2FI_DATADIR */

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL_NAME "speech2face/default.s2fm"
#define MAX_CANDIDATES 3

typedef struct candidates {
    char paths[MAX_CANDIDATES][PATH_MAX];
    int count;
} candidates;

static void add(candidates *c, const char *prefix, const char *middle)
{
    if (c->count < MAX_CANDIDATES &&
        snprintf(c->paths[c->count], PATH_MAX, "%s/%s/%s", prefix, middle, MODEL_NAME) <
            PATH_MAX)
        c->count++;
}

/* The installed model's candidates, from the directory this library was loaded from. */
static void installed_candidates(candidates *c)
{
    Dl_info info;
    if (S2FI_LIBDIR[0] == '/' || S2FI_DATADIR[0] == '/') { /* absolute: not relocatable */
        add(c, S2FI_DATADIR[0] == '/' ? "" : S2FI_PREFIX, S2FI_DATADIR + (S2FI_DATADIR[0] == '/'));
        return;
    }
    if (!dladdr((void *)installed_candidates, &info) || !info.dli_fname)
        return;
    char dir[PATH_MAX];
    if (!realpath(info.dli_fname, dir))
        return;
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    *slash = '\0'; /* the library's directory */
    /* prefix/<libdir>/libspeech2face.so: strip libdir to find the prefix. */
    size_t dir_length = strlen(dir), libdir_length = strlen(S2FI_LIBDIR);
    if (dir_length > libdir_length && dir[dir_length - libdir_length - 1] == '/' &&
        strcmp(dir + dir_length - libdir_length, S2FI_LIBDIR) == 0) {
        char prefix[PATH_MAX];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(dir_length - libdir_length - 1), dir);
        add(c, prefix, S2FI_DATADIR);
    }
    /* A static link puts this code in the program: prefix/bin/program. */
    char parent[PATH_MAX];
    if (snprintf(parent, sizeof parent, "%s/..", dir) < (int)sizeof parent)
        add(c, parent, S2FI_DATADIR);
}

S2F_API s2f_status s2f_model_default_path(char *buf, size_t capacity, size_t *length)
{
    if (!buf && capacity > 0)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_model_default_path: buf is NULL");
    candidates c = {.count = 0};
    const char *env = getenv("S2F_MODEL");
    const char *found = NULL;
    if (env && *env) {
        found = env; /* the user's choice: used even if it does not exist (load says why) */
    } else {
        installed_candidates(&c);
        for (int i = 0; i < c.count && !found; ++i)
            if (access(c.paths[i], R_OK) == 0)
                found = c.paths[i];
    }
    if (!found) {
        char tried[3 * PATH_MAX + 64] = "";
        for (int i = 0; i < c.count; ++i)
            snprintf(tried + strlen(tried), sizeof tried - strlen(tried), "%s%s", i ? ", " : "",
                     c.paths[i]);
        return s2fi_fail(NULL, S2F_ERR_NOT_FOUND,
                         "no default model: S2F_MODEL is not set and none is installed (tried "
                         "%s)",
                         c.count ? tried : "no install location: the library's path is unknown");
    }
    size_t needed = strlen(found);
    if (length)
        *length = needed;
    if (capacity <= needed)
        return s2fi_fail(NULL, S2F_ERR_BUFFER_TOO_SMALL,
                         "s2f_model_default_path: the path needs %zu bytes with its NUL, buf holds "
                         "%zu",
                         needed + 1, capacity);
    memcpy(buf, found, needed + 1);
    return S2F_OK;
}

S2F_API s2f_status s2f_model_load_default(const s2f_model_load_params *params, s2f_model **out)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_model_load_default: out is NULL");
    char path[PATH_MAX];
    s2f_status status = s2f_model_default_path(path, sizeof path, NULL);
    if (status != S2F_OK)
        return status;
    return s2f_model_load_file(path, params, out);
}
