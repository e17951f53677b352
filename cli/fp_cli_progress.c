/*
 * fp_cli_progress.c - the progress line of long runs on standard error (validate, the default
 * command): "WHAT: DONE/TOTAL runs, RATE runs/s, ETA S s", at most every 0.25 s, with the
 * sliding-window estimate of validate/fp_progress.h (docs/performance.md, "Progress").
 */
#include <time.h>

#include "fp_cli.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void fp_cli_progress_init(fp_cli_progress *pg, const char *what, int on)
{
    pg->on = on;
    pg->what = what;
    pg->done = pg->total = 0;
    pg->last = 0;
    fp_progress_start(&pg->est, now_s());
}

void fp_cli_progress_show(fp_cli_progress *pg, int final)
{
    if (!pg->on)
        return;
    double t = now_s();
    if (!final && t - pg->last < 0.25)
        return;
    pg->last = t;
    double rate, eta;
    fp_progress_eta(&pg->est, pg->total, &rate, &eta);
    fprintf(stderr, "\r%s: %llu/%llu runs, %.1f runs/s, ETA %.0f s   ", pg->what,
            (unsigned long long)pg->done, (unsigned long long)pg->total, rate, eta);
    if (final)
        fputc('\n', stderr);
}

void fp_cli_progress_update(fp_cli_progress *pg, uint64_t done, uint64_t total)
{
    if (!pg->on)
        return;
    double t = now_s();
    if (pg->total != 0 && (done < pg->done || total != pg->total)) /* a new study */
        fp_progress_start(&pg->est, t);
    pg->done = done;
    pg->total = total;
    fp_progress_update(&pg->est, t, done);
    fp_cli_progress_show(pg, 0);
}
