/* Command-line parsing shared by every subcommand: one table of options, each subcommand
 * accepting a subset (an option it does not use is a usage error, not silently ignored). */
#include "cli.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct option_spec {
    const char *long_name;
    char short_name;     /* 0: none */
    unsigned flag;
    int takes_value;
} option_spec;

static const option_spec option_table[] = {
    {"output", 'o', OPT_OUTPUT, 1},    {"model", 'm', OPT_MODEL, 1},
    {"threads", 't', OPT_THREADS, 1},  {"json", 0, OPT_JSON, 0},
    {"npy", 0, OPT_NPY, 1},            {"landmarks", 0, OPT_LANDMARKS, 0},
    {"segments", 0, OPT_SEGMENTS, 0},  {"k", 'k', OPT_K, 1},
    {"sheet", 0, OPT_SHEET, 1},        {"quiet", 'q', OPT_QUIET, 0},
    {"whole", 0, OPT_WHOLE, 0},        {"metric", 0, OPT_METRIC, 1},
    {"force", 0, OPT_FORCE, 0},
};

static int parse_count(const char *text, const char *option, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) {
        cli_error("%s needs an integer from %ld to %ld, not '%s'", option, min, max, text);
        return CLI_USAGE;
    }
    *out = value;
    return CLI_OK;
}

static int parse_metric(const char *text, s2f_metric *out)
{
    static const struct { const char *name; s2f_metric metric; } names[] = {
        {"cosine", S2F_METRIC_COSINE}, {"ip", S2F_METRIC_INNER_PRODUCT},
        {"l2", S2F_METRIC_L2}, {"l1", S2F_METRIC_L1}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].metric;
            return CLI_OK;
        }
    cli_error("--metric must be cosine, ip, l2 or l1, not '%s'", text);
    return CLI_USAGE;
}

static int store(cli_args *args, const option_spec *spec, const char *value)
{
    switch (spec->flag) {
    case OPT_OUTPUT: args->output = value; return CLI_OK;
    case OPT_MODEL: args->model = value; return CLI_OK;
    case OPT_THREADS: return parse_count(value, "--threads", 1, 1024, &args->threads);
    case OPT_JSON: args->json = 1; return CLI_OK;
    case OPT_NPY: args->npy = value; return CLI_OK;
    case OPT_LANDMARKS: args->landmarks = 1; return CLI_OK;
    case OPT_SEGMENTS: args->segments = 1; return CLI_OK;
    case OPT_K: return parse_count(value, "-k", 1, 100000, &args->k);
    case OPT_SHEET: args->sheet = value; return CLI_OK;
    case OPT_QUIET: args->quiet = 1; return CLI_OK;
    case OPT_WHOLE: args->whole = 1; return CLI_OK;
    case OPT_METRIC: return parse_metric(value, &args->metric);
    case OPT_FORCE: args->force = 1; return CLI_OK;
    default: return CLI_USAGE;
    }
}

int cli_parse(int argc, char **argv, int first, unsigned allowed, cli_args *args, int *help_shown,
              const char *usage_text)
{
    *args = (cli_args){.threads = -1, .k = 5, .metric = S2F_METRIC_COSINE};
    *help_shown = 0;
    /* Positional arguments are collected into argv's own storage: they are at most argc. */
    args->inputs = calloc((size_t)argc, sizeof *args->inputs);
    if (!args->inputs) {
        cli_error("out of memory");
        return CLI_RUNTIME;
    }
    int options_done = 0;
    for (int i = first; i < argc; ++i) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            args->inputs[args->n_inputs++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            *help_shown = 1;
            return CLI_OK;
        }
        const option_spec *spec = NULL;
        const char *value = NULL;
        for (size_t s = 0; s < sizeof option_table / sizeof option_table[0] && !spec; ++s) {
            const option_spec *candidate = &option_table[s];
            size_t len = strlen(candidate->long_name);
            if (arg[1] == '-' && strncmp(arg + 2, candidate->long_name, len) == 0 &&
                (arg[2 + len] == '\0' || arg[2 + len] == '=')) {
                spec = candidate;
                if (arg[2 + len] == '=')
                    value = arg + 3 + len;
            } else if (arg[1] != '-' && candidate->short_name && arg[1] == candidate->short_name) {
                spec = candidate;
                if (arg[2])
                    value = arg + 2; /* -k5, -ofile */
            }
        }
        if (!spec) {
            cli_error("%s: unknown option '%s'\n%s", argv[first - 1], arg, usage_text);
            return CLI_USAGE;
        }
        if (!(allowed & spec->flag)) {
            cli_error("%s does not take option '%s'\n%s", argv[first - 1], arg, usage_text);
            return CLI_USAGE;
        }
        if (spec->takes_value && !value) {
            if (i + 1 >= argc) {
                cli_error("option '%s' needs a value", arg);
                return CLI_USAGE;
            }
            value = argv[++i];
        } else if (!spec->takes_value && value) {
            cli_error("option '--%s' takes no value", spec->long_name);
            return CLI_USAGE;
        }
        int rc = store(args, spec, value);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

/* --threads also sizes OpenBLAS's pool. The library never touches BLAS threading (it is a
 * process-wide setting an embedding application owns); s2f is such an application. The symbol
 * is looked up at run time, so the tool links and runs against a library built on another BLAS
 * (where --threads then only affects the index). */
void cli_set_blas_threads(int threads)
{
    void (*set_threads)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (set_threads)
        set_threads(threads);
}

int cli_blas_threads(void)
{
    int (*get_threads)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    const int threads = get_threads ? get_threads() : 1;
    return threads < 1 ? 1 : threads;
}

void cli_apply_blas_threads(const cli_args *args)
{
    if (args->threads >= 1)
        cli_set_blas_threads((int)args->threads);
}
