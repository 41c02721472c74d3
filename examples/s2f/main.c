/* s2f: the libspeech2face command-line tool. This file: the subcommand table, `s2f --help`
 * and `s2f --version`. Each subcommand lives in cmd_<name>.c; docs/cli.md is the manual. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
    const char *name;       /* "gallery build" is matched as two words */
    int (*run)(cli_args *);
    unsigned options;
    const char *usage;
} command;

#define COMMON_MODEL "  -m, --model FILE    model container (default: see s2f --help)\n"
#define COMMON_QUIET "  -q, --quiet         no progress bar\n"
#define COMMON_FORCE                                                                        \
    "  --force             predict even from audio with under 0.5 s of speech (silence, noise,\n" \
    "                      hum, tones and clips under a second are refused otherwise, exit 3)\n"
#define COMMON_THREADS                                                                      \
    "  -t, --threads N     threads of OpenBLAS, the library's layers, the index and embed's\n" \
    "                      files at a time (default: OPENBLAS_NUM_THREADS; the index: all cores)\n"

static const command commands[] = {
    {"face", cmd_face,
     OPT_OUTPUT | OPT_MODEL | OPT_THREADS | OPT_LANDMARKS | OPT_SEGMENTS | OPT_FORCE,
     "usage: s2f face VOICE -o FACE.png [--landmarks] [--segments] [--force] [-m MODEL]\n"
     "Reconstructs the canonical face of the speaker of VOICE (any audio libsndfile reads).\n"
     "  -o, --output FILE   the face, PNG (required)\n"
     "  --landmarks         draw the predicted landmarks as dots on the face\n"
     "  --segments          long audio: average the features of 6 s windows every 3 s\n"
     COMMON_FORCE COMMON_MODEL COMMON_THREADS},
    {"embed", cmd_embed,
     OPT_MODEL | OPT_THREADS | OPT_JSON | OPT_NPY | OPT_SEGMENTS | OPT_QUIET | OPT_FORCE,
     "usage: s2f embed VOICE... [--json | --npy OUT.npy] [--segments] [-m MODEL]\n"
     "Face features predicted from speech, one per file. Default output: one line per file,\n"
     "\"FILE<TAB>v1 v2 ... vD\" (each value reads back as the exact float32).\n"
     "  --json              [{\"file\": ..., \"feature\": [...]}, ...] on stdout\n"
     "  --npy FILE          an N x D float32 .npy, rows in argument order\n"
     "  --segments          long audio: average the features of 6 s windows every 3 s\n"
     COMMON_FORCE COMMON_MODEL COMMON_THREADS COMMON_QUIET},
    {"embed-face", cmd_embed_face, OPT_MODEL | OPT_THREADS | OPT_JSON | OPT_NPY | OPT_QUIET,
     "usage: s2f embed-face PHOTO... [--json | --npy OUT.npy] [-m MODEL]\n"
     "Face features of face crops (PNG or JPEG) with the model's face encoder; output as embed.\n"
     "  --json, --npy FILE  as for s2f embed\n"
     COMMON_MODEL COMMON_THREADS COMMON_QUIET},
    {"spectrogram", cmd_spectrogram, OPT_OUTPUT | OPT_WHOLE,
     "usage: s2f spectrogram VOICE -o SPEC.png [--whole]\n"
     "A picture of the network's input: time on x (one column per 10 ms frame), frequency up\n"
     "(257 rows, 0 to 8 kHz); grey level = 20·log10 of the magnitude of the compressed complex\n"
     "value, from 24 dB (= 80 dB before the |x|^0.3 compression) below the loudest bin\n"
     "(black) to the loudest (white).\n"
     "  -o, --output FILE   the picture, PNG (required)\n"
     "  --whole             the whole recording instead of the first 6 s (tiled if shorter)\n"},
    {"gallery build", cmd_gallery_build,
     OPT_MODEL | OPT_THREADS | OPT_QUIET | OPT_METRIC,
     "usage: s2f gallery build INDEX PHOTO... [--metric cosine|ip|l2|l1] [-m MODEL]\n"
     "Creates (or replaces) the face index INDEX from face photos (PNG/JPEG) encoded with the\n"
     "model's face encoder. Photo i gets id i; INDEX.names lists \"id<TAB>absolute path\".\n"
     "  --metric NAME       cosine (default), ip (inner product), l2 or l1\n"
     COMMON_MODEL COMMON_THREADS COMMON_QUIET},
    {"gallery add", cmd_gallery_add, OPT_MODEL | OPT_THREADS | OPT_QUIET,
     "usage: s2f gallery add INDEX PHOTO... [-m MODEL]\n"
     "Adds photos to an existing index, with ids after the largest in INDEX.names.\n"
     COMMON_MODEL COMMON_THREADS COMMON_QUIET},
    {"search", cmd_search,
     OPT_MODEL | OPT_THREADS | OPT_JSON | OPT_K | OPT_SHEET | OPT_SEGMENTS | OPT_FORCE,
     "usage: s2f search INDEX VOICE... [-k 5] [--sheet SHEET.png] [--json] [-m MODEL]\n"
     "The gallery faces closest to the face predicted from each VOICE, best first. With\n"
     "several voices each text line starts with the voice, --json prints an array of the\n"
     "per-voice objects and the sheet has one row per voice.\n"
     "  -k N                number of results (default 5)\n"
     "  --sheet FILE        contact sheet PNG: the reconstructed face (if the model has a face\n"
     "                      decoder), then the top-k gallery photos, left to right\n"
     "  --json              {\"query\", \"index\", \"results\": [{\"rank\", \"id\", \"score\",\n"
     "                      \"file\"}, ...]}\n"
     "  --segments          long audio: average the features of 6 s windows every 3 s\n"
     COMMON_FORCE COMMON_MODEL COMMON_THREADS},
};

static void print_help(FILE *out)
{
    char installed[4200];
    if (s2f_model_default_path(installed, sizeof installed, NULL) != S2F_OK)
        snprintf(installed, sizeof installed, "%s", s2f_last_error_message());
    fprintf(out,
            "usage: s2f COMMAND [OPTIONS] ARGS...    (s2f COMMAND --help for its options)\n"
            "Speech2Face from the command line (libspeech2face %s).\n\n"
            "Commands:\n"
            "  face VOICE -o FACE.png            the speaker's reconstructed face\n"
            "  embed VOICE...                    face features from speech\n"
            "  embed-face PHOTO...               face features from face photos\n"
            "  spectrogram VOICE -o SPEC.png     a picture of the input spectrogram\n"
            "  gallery build INDEX PHOTO...      a searchable gallery of face photos\n"
            "  gallery add INDEX PHOTO...        more photos into a gallery\n"
            "  search INDEX VOICE... [-k 5]      the gallery faces closest to each voice\n\n"
            "Audio: any file libsndfile reads (WAV, FLAC, OGG, ...), any rate, channels averaged.\n"
            "MODEL: --model FILE, else $S2F_MODEL, else PREFIX/share/speech2face/default.s2fm\n"
            "  beside the library (now: %s), else %s.\n"
            "Exit status: 0 success; 1 the library or the system failed (message: the status name\n"
            "  and the library's message), or an output could not be written; 2 bad command line;\n"
            "  3 an input file (audio, photo, model, index) is missing, unreadable or unusable.\n"
            "Options -h/--help and --version work everywhere.\n",
            s2f_version_string(), installed, S2F_SOURCE_MODEL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("s2f %s (libspeech2face %s)\n", S2F_VERSION_STRING, s2f_version_string());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; ++i) {
        const command *cmd = &commands[i];
        const char *space = strchr(cmd->name, ' ');
        int words = space ? 2 : 1;
        if (space) {
            size_t first = (size_t)(space - cmd->name);
            if (argc < 3 || strncmp(argv[1], cmd->name, first) != 0 || argv[1][first] ||
                strcmp(argv[2], space + 1) != 0)
                continue;
        } else if (strcmp(argv[1], cmd->name) != 0) {
            continue;
        }
        cli_args args;
        int help_shown = 0;
        int rc = cli_parse(argc, argv, 1 + words, cmd->options, &args, &help_shown, cmd->usage);
        if (rc != CLI_OK || help_shown)
            return rc;
        args.command = cmd->name;
        return cmd->run(&args);
    }
    if (strcmp(argv[1], "gallery") == 0) {
        if (argc == 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            /* The group's own help: its two subcommands' usages. */
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; ++i)
                if (strncmp(commands[i].name, "gallery ", 8) == 0)
                    printf("%s\n", commands[i].usage);
            return CLI_OK;
        }
        cli_error("gallery needs a subcommand: build or add (s2f gallery --help)");
    }
    else
        cli_error("unknown command '%s' (s2f --help lists them)", argv[1]);
    return CLI_USAGE;
}
