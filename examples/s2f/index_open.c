/* Opens an existing face index for a command that will put features of `dim` floats into it or
 * search it with them (gallery add, search). */
#include "cli.h"

#include <stdio.h>

int cli_open_index(const cli_args *args, const char *index_path, size_t dim,
                   const char *feature_source, s2f_face_index **out)
{
    s2f_status status = s2f_face_index_load(index_path, out);
    if (status != S2F_OK) {
        char context[4200];
        snprintf(context, sizeof context, "cannot load index %s", index_path);
        return cli_library_error(CLI_BAD_INPUT, context, status, s2f_last_error_message());
    }
    if (s2f_face_index_dim(*out) != dim) {
        cli_error("index %s holds %zu-D features but the model's %s gives %zu-D", index_path,
                  s2f_face_index_dim(*out), feature_source, dim);
        return CLI_BAD_INPUT;
    }
    if (args->threads > 0)
        s2f_face_index_set_threads(*out, (size_t)args->threads);
    return CLI_OK;
}
