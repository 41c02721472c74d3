/* A one-line progress bar on stderr for batch work
 * ("embedding 12/340 [=====     ] 3.1/s, 1:46 left"), redrawn with a carriage return. Off when
 * stderr is not a terminal (logs and pipes stay clean), for a single item, and with --quiet. */
#include "cli.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void draw(const progress *bar)
{
    size_t filled = bar->total ? bar->done * BAR_WIDTH / bar->total : 0;
    fprintf(stderr, "\r%s %zu/%zu [", bar->label, bar->done, bar->total);
    for (size_t i = 0; i < BAR_WIDTH; ++i)
        fputc(i < filled ? '=' : ' ', stderr);
    fputc(']', stderr);
    double elapsed = now_seconds() - bar->started;
    if (bar->done > 0 && elapsed > 0.0) {
        double rate = (double)bar->done / elapsed;
        long left = (long)((double)(bar->total - bar->done) / rate + 0.5);
        fprintf(stderr, " %.1f/s, %ld:%02ld left ", rate, left / 60, left % 60);
    }
    fflush(stderr);
}

void progress_start(progress *bar, const char *label, size_t total, int quiet)
{
    *bar = (progress){.total = total, .label = label, .started = now_seconds(),
                      .active = !quiet && total > 1 && isatty(STDERR_FILENO)};
    if (bar->active)
        draw(bar);
}

void progress_step(progress *bar)
{
    ++bar->done;
    if (bar->active)
        draw(bar);
}

void progress_end(progress *bar)
{
    if (bar->active)
        fputc('\n', stderr);
    bar->active = 0;
}
