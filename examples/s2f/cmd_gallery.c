/* s2f gallery build INDEX PHOTO... / s2f gallery add INDEX PHOTO...: face photos → face
 * encoder → s2f_face_index, saved atomically, with INDEX.names beside it. On any failure the
 * existing index and names file are left as they were. */
#include "cli.h"

#include "gallery_names.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Encodes inputs[1..] into a new n × dim array. */
static int encode_photos(const cli_args *args, s2f_face_encoder *encoder, size_t dim,
                         float **out)
{
    size_t n = args->n_inputs - 1;
    float *features = malloc(n * dim * sizeof *features);
    if (!features) {
        cli_error("out of memory for %zu features", n);
        return CLI_RUNTIME;
    }
    progress bar;
    progress_start(&bar, "encoding faces", n, args->quiet);
    int rc = cli_face_features(encoder, (const char *const *)args->inputs + 1, n, features, dim,
                               &bar);
    progress_end(&bar);
    if (rc != CLI_OK) {
        free(features);
        return rc;
    }
    *out = features;
    return CLI_OK;
}

/* Absolute paths, so a search from another directory still finds the photos. */
static int record_names(const cli_args *args, const int64_t *ids, gallery_names *names)
{
    for (size_t i = 1; i < args->n_inputs; ++i) {
        const char *photo = args->inputs[i];
        char resolved[PATH_MAX];
        const char *path = realpath(photo, resolved) ? resolved : photo;
        if (strpbrk(path, "\t\n")) {
            cli_error("%s: photo paths with tabs or newlines cannot be listed in INDEX.names",
                      photo);
            return CLI_USAGE;
        }
        if (gallery_names_add(names, ids[i - 1], path) != 0) {
            cli_error("out of memory");
            return CLI_RUNTIME;
        }
    }
    return CLI_OK;
}

static int gallery(cli_args *args, int create)
{
    if (args->n_inputs < 2) {
        cli_error("%s needs INDEX and at least one PHOTO (s2f %s --help)", args->command,
                  args->command);
        return CLI_USAGE;
    }
    const char *index_path = args->inputs[0];
    size_t n = args->n_inputs - 1;
    cli_apply_blas_threads(args);
    s2f_model *model = NULL;
    s2f_face_encoder *encoder = NULL;
    s2f_face_index *index = NULL;
    float *features = NULL;
    int64_t *ids = NULL;
    gallery_names names = {0};
    const char *model_path = NULL;
    size_t dim = 0;
    char error[4200];
    s2f_status status;

    int rc = cli_load_model(args, &model, &model_path);
    if (rc == CLI_OK)
        rc = cli_face_encoder_create(model, model_path, &encoder, &dim);
    if (rc != CLI_OK)
        goto done;
    if (create) {
        s2f_face_index_params params = s2f_face_index_default_params();
        params.dim = dim;
        params.metric = args->metric;
        params.threads = args->threads > 0 ? (size_t)args->threads : 0;
        status = s2f_face_index_create(&params, &index);
        if (status != S2F_OK) {
            rc = cli_library_error(CLI_RUNTIME, "index", status, s2f_last_error_message());
            goto done;
        }
    } else {
        if ((rc = cli_open_index(args, index_path, dim, "face encoder", &index)) != CLI_OK)
            goto done;
        int read = gallery_names_read(index_path, &names, error, sizeof error);
        if (read < 0) {
            cli_error("%s", error);
            rc = CLI_BAD_INPUT;
            goto done;
        }
        if (read == 1)
            cli_warning("%s.names is missing: new photos get ids from %zu on", index_path,
                        s2f_face_index_size(index));
    }
    /* New ids follow the largest listed one (or the index size when nothing is listed). */
    int64_t next_id = create ? 0 : (int64_t)s2f_face_index_size(index);
    for (size_t i = 0; i < names.count; ++i)
        if (names.ids[i] >= next_id)
            next_id = names.ids[i] + 1;
    ids = malloc(n * sizeof *ids);
    if (!ids) {
        cli_error("out of memory");
        rc = CLI_RUNTIME;
        goto done;
    }
    for (size_t i = 0; i < n; ++i)
        ids[i] = next_id + (int64_t)i;
    rc = encode_photos(args, encoder, dim, &features);
    if (rc == CLI_OK)
        rc = record_names(args, ids, &names);
    if (rc != CLI_OK)
        goto done;
    status = s2f_face_index_add(index, ids, features, n);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_RUNTIME, "adding to the index", status,
                               s2f_face_index_last_error(index));
        goto done;
    }
    status = s2f_face_index_save(index, index_path);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_RUNTIME, index_path, status, s2f_face_index_last_error(index));
        goto done;
    }
    if (gallery_names_write(index_path, &names, error, sizeof error) != 0) {
        cli_error("%s (the index itself was saved)", error);
        rc = CLI_RUNTIME;
        goto done;
    }
    if (!args->quiet)
        fprintf(stderr, "s2f: %s: %zu faces (%zu added)\n", index_path,
                s2f_face_index_size(index), n);
done:
    gallery_names_free(&names);
    free(ids);
    free(features);
    s2f_face_index_free(index);
    s2f_face_encoder_free(encoder);
    s2f_model_free(model);
    return rc;
}

int cmd_gallery_build(cli_args *args)
{
    return gallery(args, 1);
}

int cmd_gallery_add(cli_args *args)
{
    return gallery(args, 0);
}
