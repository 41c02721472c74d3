/* Which model the tool uses: --model, else the library's default (s2f_model_default_path:
 * $S2F_MODEL, else the installed share/speech2face/default.s2fm, found relative to the library
 * wherever it is installed), else the source tree's models/default.s2fm (for running from a
 * build directory). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

int cli_load_model(const cli_args *args, s2f_model **out, const char **path_out)
{
    static char default_path[PATH_MAX];
    const char *path = NULL;
    const char *env = getenv("S2F_MODEL");
    if (args->model) {
        path = args->model;
    } else if (s2f_model_default_path(default_path, sizeof default_path, NULL) == S2F_OK) {
        path = default_path;
    } else if (access(S2F_SOURCE_MODEL, F_OK) == 0) {
        path = S2F_SOURCE_MODEL;
    } else {
        cli_error("%s; give --model FILE or set S2F_MODEL (also tried %s)",
                  s2f_last_error_message(), S2F_SOURCE_MODEL);
        return CLI_BAD_INPUT;
    }
    s2f_status status = s2f_model_load_file(path, NULL, out);
    if (status != S2F_OK) {
        char context[4200];
        snprintf(context, sizeof context, "cannot load model %s%s", path,
                 args->model ? "" : env && *env ? " (from S2F_MODEL)" : "");
        return cli_library_error(CLI_BAD_INPUT, context, status, s2f_last_error_message());
    }
    *path_out = path;
    return CLI_OK;
}

int cli_require_component(const s2f_model *model, const char *path, const char *component,
                          const char *needed_for)
{
    int has = 0;
    if (s2f_model_has_component(model, component, &has) != S2F_OK || !has) {
        cli_error("model %s has no %s component (needed for %s)", path, component, needed_for);
        return CLI_BAD_INPUT;
    }
    return CLI_OK;
}
