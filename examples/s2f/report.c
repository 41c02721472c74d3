/* Messages to stderr, prefixed "s2f: ", so that scripts can tell them from results on stdout. */
#include "cli.h"

#include <stdio.h>

static void vreport(const char *kind, const char *format, va_list ap)
{
    /* One whole line at a time: embed's file threads (voice_parallel.c) may report at once. */
    flockfile(stderr);
    fprintf(stderr, "s2f: %s", kind);
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void cli_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vreport("", format, ap);
    va_end(ap);
}

void cli_warning(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vreport("warning: ", format, ap);
    va_end(ap);
}

int cli_library_error(int exit_code, const char *context, s2f_status status, const char *message)
{
    cli_error("%s: %s: %s", context, s2f_status_name(status),
              message && *message ? message : s2f_strerror(status));
    return exit_code;
}
