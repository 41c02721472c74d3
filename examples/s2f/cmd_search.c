/* s2f search INDEX VOICE... [-k 5] [--sheet SHEET.png] [--json]: the gallery faces closest to
 * the face feature predicted from each voice. One voice prints as before; several prefix each
 * text line with the voice's path, print a JSON array of the per-voice objects, and give the
 * sheet one row per voice. */
#include "cli.h"

#include "common/png_write.h"
#include "gallery_names.h"
#include "label.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHEET_TILE 160
#define SHEET_GAP 4
/* Two lines under each tile: what it is (rank and score, or "voice"), then its file name. */
#define SHEET_LABEL_BAND (2 * LABEL_LINE_HEIGHT + 2)
#define SHEET_ROW (SHEET_TILE + SHEET_LABEL_BAND + SHEET_GAP)

static void print_results(const cli_args *args, size_t voice, const int64_t *ids,
                          const float *scores, size_t found, const gallery_names *names)
{
    const int several = args->n_inputs > 2;
    const char *query = args->inputs[1 + voice];
    if (args->json) {
        if (several)
            fputs(voice == 0 ? "[" : ",\n", stdout);
        printf("{\"query\": ");
        json_print_string(query);
        printf(", \"index\": ");
        json_print_string(args->inputs[0]);
        printf(", \"results\": [");
        for (size_t r = 0; r < found; ++r) {
            const char *file = gallery_names_find(names, ids[r]);
            printf("%s\n  {\"rank\": %zu, \"id\": %" PRId64 ", \"score\": ", r ? "," : "", r + 1,
                   ids[r]);
            print_float(scores[r]);
            printf(", \"file\": ");
            if (file)
                json_print_string(file);
            else
                printf("null");
            putchar('}');
        }
        fputs("\n]}", stdout);
        if (!several || voice + 2 == args->n_inputs)
            puts(several ? "]" : "");
        return;
    }
    for (size_t r = 0; r < found; ++r) {
        const char *file = gallery_names_find(names, ids[r]);
        if (several)
            printf("%s\t", query);
        printf("%zu\t%" PRId64 "\t", r + 1, ids[r]);
        print_float(scores[r]);
        printf("\t%s\n", file ? file : "-");
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strcmp(path, "-") == 0 ? "stdin" : slash ? slash + 1 : path;
}

/* The two label lines under the tile at x0 of the row at y0. */
static void sheet_label(uint8_t *sheet, size_t stride, int sheet_width, int sheet_height, int x0,
                        int y0, const char *what, const char *name)
{
    static const uint8_t ink[3] = {32, 32, 32};
    const size_t max_chars = SHEET_TILE / LABEL_ADVANCE;
    char fitted[SHEET_TILE / LABEL_ADVANCE + 1];
    int y = y0 + SHEET_TILE + 2;
    label_fit(what, max_chars, fitted, sizeof fitted);
    label_draw(sheet, sheet_width, sheet_height, stride, x0, y, fitted, ink);
    label_fit(name, max_chars, fitted, sizeof fitted);
    label_draw(sheet, sheet_width, sheet_height, stride, x0, y + LABEL_LINE_HEIGHT, fitted, ink);
}

/* One row of the sheet at y0: [reconstructed face] + one tile per result, on white, each with
 * its label. */
static int sheet_row(uint8_t *sheet, size_t stride, int sheet_width, int sheet_height, int y0,
                     const char *voice, const uint8_t *face, size_t face_side, const int64_t *ids,
                     const float *scores, size_t found, const gallery_names *names)
{
    int rc = CLI_OK;
    size_t tile = 0;
    if (face) {
        rc = sheet_place(sheet, stride, SHEET_GAP, y0, SHEET_TILE, face, (int)face_side,
                         (int)face_side);
        sheet_label(sheet, stride, sheet_width, sheet_height, SHEET_GAP, y0, "voice",
                    base_name(voice));
    }
    tile += face ? 1 : 0;
    for (size_t r = 0; r < found && rc == CLI_OK; ++r, ++tile) {
        int x0 = (int)(SHEET_GAP + tile * (SHEET_TILE + SHEET_GAP));
        const char *file = gallery_names_find(names, ids[r]);
        char what[64], unnamed[48];
        snprintf(what, sizeof what, "#%zu %.3f", r + 1, (double)scores[r]);
        snprintf(unnamed, sizeof unnamed, "id %" PRId64, ids[r]);
        sheet_label(sheet, stride, sheet_width, sheet_height, x0, y0, what,
                    file ? base_name(file) : unnamed);
        uint8_t *rgb = NULL;
        int w = 0, h = 0;
        char error[4200];
        if (!file || image_read_rgb8(file, &rgb, &w, &h, error, sizeof error) != 0) {
            if (file)
                cli_warning("%s (grey tile on the sheet)", error);
            else
                cli_warning("id %" PRId64 " is not in the .names file (grey tile on the sheet)",
                            ids[r]);
            for (int y = 0; y < SHEET_TILE; ++y)
                memset(sheet + (size_t)(y0 + y) * stride + (size_t)x0 * 3, 160, SHEET_TILE * 3);
            continue;
        }
        rc = sheet_place(sheet, stride, x0, y0, SHEET_TILE, rgb, w, h);
        free(rgb);
    }
    return rc;
}

int cmd_search(cli_args *args)
{
    if (args->n_inputs < 2) {
        cli_error("search needs INDEX and at least one VOICE file (s2f search --help)");
        return CLI_USAGE;
    }
    const char *index_path = args->inputs[0];
    const size_t voices = args->n_inputs - 1;
    cli_apply_blas_threads(args);
    s2f_model *model = NULL;
    s2f_pipeline *pipeline = NULL;
    s2f_face_decoder *decoder = NULL;
    s2f_face_index *index = NULL;
    float *feature = NULL, *scores = NULL;
    int64_t *ids = NULL;
    uint8_t *face = NULL, *sheet = NULL;
    gallery_names names = {0};
    const char *model_path = NULL;
    size_t dim = 0, k = (size_t)args->k, face_side = 0, stride = 0;
    int sheet_width = 0, sheet_height = 0;
    char error[4200];

    int rc = cli_load_model(args, &model, &model_path);
    if (rc == CLI_OK)
        rc = cli_pipeline_create(model, model_path, args->force, &pipeline, &dim);
    if (rc != CLI_OK)
        goto done;
    if ((rc = cli_open_index(args, index_path, dim, "voice encoder", &index)) != CLI_OK)
        goto done;
    if (gallery_names_read(index_path, &names, error, sizeof error) < 0) {
        cli_warning("%s; results are shown without file names", error);
        names = (gallery_names){0};
    }
    feature = malloc(dim * sizeof *feature);
    ids = malloc(k * sizeof *ids);
    scores = malloc(k * sizeof *scores);
    if (!feature || !ids || !scores) {
        cli_error("out of memory");
        rc = CLI_RUNTIME;
        goto done;
    }
    if (args->sheet) {
        /* The reconstructed face leads each row when the model can draw one. */
        int has_decoder = 0;
        s2f_model_has_component(model, "face_decoder", &has_decoder);
        if (has_decoder && s2f_face_decoder_create(model, &decoder) == S2F_OK) {
            size_t decoder_dim = 0;
            s2f_face_decoder_shape(decoder, &decoder_dim, NULL, NULL, NULL);
            if (decoder_dim != dim) {
                s2f_face_decoder_free(decoder);
                decoder = NULL;
            }
        }
        size_t tiles = k + (decoder ? 1 : 0);
        sheet_width = (int)(tiles * SHEET_TILE + (tiles + 1) * SHEET_GAP);
        sheet_height = (int)(voices * SHEET_ROW + SHEET_GAP);
        stride = (size_t)sheet_width * 3;
        sheet = malloc(stride * (size_t)sheet_height);
        if (!sheet) {
            cli_error("out of memory for the contact sheet");
            rc = CLI_RUNTIME;
            goto done;
        }
        memset(sheet, 255, stride * (size_t)sheet_height);
    }
    for (size_t v = 0; v < voices && rc == CLI_OK; ++v) {
        size_t found = 0;
        rc = cli_voice_feature(pipeline, args->inputs[1 + v], args->segments, feature, dim);
        if (rc != CLI_OK)
            break;
        s2f_status status = s2f_face_index_search(index, feature, k, ids, scores, &found);
        if (status != S2F_OK) {
            rc = cli_library_error(CLI_RUNTIME, "search", status,
                                   s2f_face_index_last_error(index));
            break;
        }
        print_results(args, v, ids, scores, found, &names);
        if (sheet) {
            free(face);
            face = NULL;
            if (decoder &&
                cli_decode_face(decoder, feature, dim, &face, &face_side, NULL, NULL) != CLI_OK)
                face = NULL;
            int y0 = (int)(SHEET_GAP + v * SHEET_ROW);
            rc = sheet_row(sheet, stride, sheet_width, sheet_height, y0, args->inputs[1 + v],
                           face, face_side, ids, scores, found, &names);
        }
    }
    if (rc == CLI_OK && sheet &&
        png_write_rgb8(args->sheet, sheet, sheet_width, sheet_height, stride, error,
                       sizeof error)) {
        cli_error("%s", error);
        rc = CLI_RUNTIME;
    }
done:
    free(sheet);
    free(face);
    gallery_names_free(&names);
    free(scores);
    free(ids);
    free(feature);
    s2f_face_index_free(index);
    s2f_face_decoder_free(decoder);
    s2f_pipeline_free(pipeline);
    s2f_model_free(model);
    return rc;
}
