/* The s2f command-line tool: declarations shared by its subcommands (examples/s2f/).
 * The tool is an application of the public API only: it includes <speech2face.h> and nothing
 * from lib/. Every subcommand is `int cmd_x(cli_args *)` returning one of the exit codes below. */
#ifndef S2F_CLI_H
#define S2F_CLI_H

#include <speech2face.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes, documented in `s2f --help` and docs/cli.md. */
enum {
    CLI_OK = 0,          /* success */
    CLI_RUNTIME = 1,     /* the library or the system failed while working, or an output could
                            not be written */
    CLI_USAGE = 2,       /* bad command line */
    CLI_BAD_INPUT = 3    /* an input file (audio, image, model, index) is missing, unreadable or
                            unusable (wrong format, a model without the needed component) */
};

/* Options understood by some subcommand; each subcommand declares which it accepts. */
enum {
    OPT_OUTPUT = 1u << 0,     /* -o, --output FILE */
    OPT_MODEL = 1u << 1,      /* -m, --model FILE */
    OPT_THREADS = 1u << 2,    /* -t, --threads N */
    OPT_JSON = 1u << 3,       /* --json */
    OPT_NPY = 1u << 4,        /* --npy FILE */
    OPT_LANDMARKS = 1u << 5,  /* --landmarks */
    OPT_SEGMENTS = 1u << 6,   /* --segments */
    OPT_K = 1u << 7,          /* -k N */
    OPT_SHEET = 1u << 8,      /* --sheet FILE */
    OPT_QUIET = 1u << 9,      /* -q, --quiet: no progress bar */
    OPT_WHOLE = 1u << 10,     /* --whole: the whole recording, not the first 6 s */
    OPT_METRIC = 1u << 11,    /* --metric NAME */
    OPT_FORCE = 1u << 12      /* --force: accept audio with too little speech */
};

#define CLI_MAX_INPUTS 1000000

typedef struct cli_args {
    const char *command;      /* e.g. "embed", "gallery build" */
    const char *output;
    const char *model;
    const char *npy;
    const char *sheet;
    long threads;             /* -1: not given */
    long k;                   /* default 5 */
    int json, landmarks, segments, quiet, whole, force;
    s2f_metric metric;
    const char **inputs;      /* positional arguments (borrowed from argv) */
    size_t n_inputs;
} cli_args;

/* Subcommands. */
int cmd_face(cli_args *args);
int cmd_embed(cli_args *args);
int cmd_embed_face(cli_args *args);
int cmd_spectrogram(cli_args *args);
int cmd_gallery_build(cli_args *args);
int cmd_gallery_add(cli_args *args);
int cmd_search(cli_args *args);

/* options.c: parses argv[first..argc) into *args, accepting the options in `allowed`. Returns
 * CLI_OK, or CLI_USAGE after printing why (or 0 with *help_shown set for --help). */
int cli_parse(int argc, char **argv, int first, unsigned allowed, cli_args *args, int *help_shown,
              const char *usage_text);
/* Applies --threads to OpenBLAS (when the loaded BLAS is OpenBLAS); see docs/cli.md. */
void cli_apply_blas_threads(const cli_args *args);
/* OpenBLAS's thread count (1 when the loaded BLAS is not OpenBLAS), and its setter (a no-op
 * then). */
int cli_blas_threads(void);
void cli_set_blas_threads(int threads);

/* report.c: every message goes to stderr as "s2f: ...". */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* "s2f: <context>: S2F_ERR_X: <message>"; returns `exit_code`. */
int cli_library_error(int exit_code, const char *context, s2f_status status, const char *message);

/* model_path.c: loads the model (--model, $S2F_MODEL, installed, source tree). On failure prints
 * the paths tried or the library's message and returns CLI_BAD_INPUT. */
int cli_load_model(const cli_args *args, s2f_model **out, const char **path_out);
/* Fails with CLI_BAD_INPUT and a clear message if the model lacks `component`. */
int cli_require_component(const s2f_model *model, const char *path, const char *component,
                          const char *needed_for);

/* voice.c: a voice pipeline on the model (checking its voice encoder first) and its feature
 * size; `force` turns its speech check off (--force). */
int cli_pipeline_create(const s2f_model *model, const char *model_path, int force,
                        s2f_pipeline **out, size_t *dim);
/* The face encoder likewise (for embed-face and gallery). */
int cli_face_encoder_create(const s2f_model *model, const char *model_path,
                            s2f_face_encoder **out, size_t *dim);
/* index_open.c: loads the index at `index_path` (*out is then owned by the caller, also on
 * failure), checks it holds `dim`-D features (`feature_source` names their encoder in the
 * message) and applies --threads. Returns an exit code. */
int cli_open_index(const cli_args *args, const char *index_path, size_t dim,
                   const char *feature_source, s2f_face_index **out);
/* A photo file → face feature; returns an exit code. */
int cli_face_feature(s2f_face_encoder *encoder, const char *path, float *feature, size_t dim);
typedef struct progress progress;
/* `count` photo files → features[i·dim ..], consecutive photos of one size encoded together
 * (s2f_face_encoder_encode_batch: one photo per thread), a step of `bar` per photo. The same
 * features and, for a bad photo, the same message as cli_face_feature on each. Exit code. */
int cli_face_features(s2f_face_encoder *encoder, const char *const *paths, size_t count,
                      float *features, size_t dim, progress *bar);

/* voice.c: an audio file → one face feature (dim floats) with the voice encoder: the first 6 s
 * (shorter audio tiled), or with `segments` the mean over 6 s windows every 3 s. */
int cli_voice_feature(s2f_pipeline *pipeline, const char *path, int segments, float *feature,
                      size_t dim);
/* voice_parallel.c: `count` audio files → features[i·dim ..] as cli_voice_feature, as many
 * files at a time as OpenBLAS has threads (up to 8): `pipeline` and one more pipeline of
 * `model` per extra thread (`force`: no speech check), OpenBLAS at one thread meanwhile. A
 * step of `bar` per file. On failure, the earliest failing file's exit code (files already
 * started finish; no new ones start). */
int cli_voice_features(const s2f_model *model, s2f_pipeline *pipeline, int force,
                       const char *const *paths, size_t count, int segments, float *features,
                       size_t dim, progress *bar);

/* image_read.c: PNG or JPEG → 8-bit RGB (rows of 3·width bytes, malloc'd). Returns 0, or -1
 * with a message in `error`. */
int image_read_rgb8(const char *path, uint8_t **rgb, int *width, int *height, char *error,
                    size_t error_size);

/* output.c */
/* Writes a float32 .npy of shape (rows, cols) (or (cols,) when rows is 0) atomically. */
int npy_write_f32(const char *path, const float *values, size_t rows, size_t cols, char *error,
                  size_t error_size);
/* JSON string literal of `text` to stdout (escaping quotes, backslashes, control bytes). */
void json_print_string(const char *text);
/* A float as the shortest decimal that reads back as the same float32 (%.9g). */
void print_float(float value);

/* progress.c: a progress bar on stderr, shown only when stderr is a terminal, there are at
 * least two items and --quiet is off. */
struct progress {
    size_t total, done;
    int active;
    const char *label;
    double started; /* seconds, monotonic clock: for the rate and the time left */
};
void progress_start(progress *bar, const char *label, size_t total, int quiet);
void progress_step(progress *bar);
void progress_end(progress *bar);

/* sheet.c: drawing helpers for --landmarks and --sheet. */
/* A filled disc of `radius` pixels at (x, y) in an RGB image. */
void draw_dot(uint8_t *rgb, int width, int height, size_t stride, float x, float y, int radius,
              const uint8_t color[3]);
/* Resizes `src` into a tile (antialiased) and copies it into the sheet at (x0, y0). */
int sheet_place(uint8_t *sheet, size_t sheet_stride, int x0, int y0, int tile, const uint8_t *src,
                int width, int height);

/* Face decoder output as an 8-bit image + landmarks; returns an exit code. */
int cli_decode_face(s2f_face_decoder *decoder, const float *feature, size_t dim, uint8_t **rgb,
                    size_t *side, float **landmarks, size_t *landmark_count);

#endif
