/* s2f embed VOICE... and s2f embed-face PHOTO...: one face feature per file, printed as text
 * lines, JSON, or written as an N × D .npy. Any failing file stops the batch (nothing is
 * written), with that file's exit code. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

typedef enum embed_source { FROM_VOICE, FROM_PHOTO } embed_source;

static void print_features(const cli_args *args, const float *features, size_t dim)
{
    if (args->json)
        putchar('[');
    for (size_t i = 0; i < args->n_inputs; ++i) {
        const float *row = features + i * dim;
        if (args->json) {
            printf("%s\n {\"file\": ", i ? "," : "");
            json_print_string(args->inputs[i]);
            printf(", \"feature\": [");
        } else {
            printf("%s\t", args->inputs[i]);
        }
        for (size_t d = 0; d < dim; ++d) {
            if (d)
                fputs(args->json ? ", " : " ", stdout);
            print_float(row[d]);
        }
        fputs(args->json ? "]}" : "\n", stdout);
    }
    if (args->json)
        puts("\n]");
}

static int embed(cli_args *args, embed_source source)
{
    const char *what = source == FROM_VOICE ? "VOICE" : "PHOTO";
    if (args->n_inputs == 0) {
        cli_error("%s needs at least one %s file (s2f %s --help)", args->command, what,
                  args->command);
        return CLI_USAGE;
    }
    if (args->json && args->npy) {
        cli_error("--json and --npy are alternatives: give one");
        return CLI_USAGE;
    }
    cli_apply_blas_threads(args);
    s2f_model *model = NULL;
    s2f_pipeline *voice = NULL;
    s2f_face_encoder *face = NULL;
    float *features = NULL;
    const char *model_path = NULL;
    size_t dim = 0;
    int rc = cli_load_model(args, &model, &model_path);
    if (rc == CLI_OK)
        rc = source == FROM_VOICE ? cli_pipeline_create(model, model_path, args->force, &voice, &dim)
                                  : cli_face_encoder_create(model, model_path, &face, &dim);
    if (rc != CLI_OK)
        goto done;
    features = malloc(args->n_inputs * dim * sizeof *features);
    if (!features) {
        cli_error("out of memory for %zu features", args->n_inputs);
        rc = CLI_RUNTIME;
        goto done;
    }
    progress bar;
    progress_start(&bar, "embedding", args->n_inputs, args->quiet);
    const char *const *inputs = (const char *const *)args->inputs;
    rc = source == FROM_VOICE
             ? cli_voice_features(model, voice, args->force, inputs, args->n_inputs,
                                  args->segments, features, dim, &bar)
             : cli_face_features(face, inputs, args->n_inputs, features, dim, &bar);
    progress_end(&bar);
    if (rc != CLI_OK)
        goto done;
    if (args->npy) {
        char error[4200];
        if (npy_write_f32(args->npy, features, args->n_inputs, dim, error, sizeof error) != 0) {
            cli_error("%s", error);
            rc = CLI_RUNTIME;
        }
    } else {
        print_features(args, features, dim);
    }
done:
    free(features);
    s2f_face_encoder_free(face);
    s2f_pipeline_free(voice);
    s2f_model_free(model);
    return rc;
}

int cmd_embed(cli_args *args)
{
    return embed(args, FROM_VOICE);
}

int cmd_embed_face(cli_args *args)
{
    return embed(args, FROM_PHOTO);
}
