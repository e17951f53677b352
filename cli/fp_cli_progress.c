/*
 * fp_cli_progress.c - the progress line of long runs on standard error (validate, the default
 * command): "WHAT: DONE/TOTAL runs, RATE runs/s, ETA S s", at most every 0.25 s, with the
 * sliding-window estimate of validate/fp_progress.h (docs/performance.md, "Progress"); the ETA
 * over the engine's estimated work when it gives one (validate of several scenarios).
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
    pg->work_total = 0;
    fp_progress_start(&pg->est, now_s());
    fp_progress_start(&pg->work, now_s());
}

void fp_cli_progress_show(fp_cli_progress *pg, int final)
{
    if (!pg->on)
        return;
    double t = now_s();
    if (!final && t - pg->last < 0.25)
        return;
    pg->last = t;
    double rate, eta, wrate;
    fp_progress_eta(&pg->est, (double)pg->total, &rate, &eta);
    if (pg->work_total > 0)
        fp_progress_eta(&pg->work, pg->work_total, &wrate, &eta);
    fprintf(stderr, "\r%s: %llu/%llu runs, %.1f runs/s, ETA %.0f s   ", pg->what,
            (unsigned long long)pg->done, (unsigned long long)pg->total, rate, eta);
    if (final)
        fputc('\n', stderr);
}

/* Records the runs (and the work, when work_total > 0) at the current time; shows the line. */
static void update(fp_cli_progress *pg, uint64_t done, uint64_t total, double work_done,
                   double work_total)
{
    if (!pg->on)
        return;
    double t = now_s();
    if (pg->total != 0 && (done < pg->done || total != pg->total)) { /* a new study */
        fp_progress_start(&pg->est, t);
        fp_progress_start(&pg->work, t);
    }
    pg->done = done;
    pg->total = total;
    pg->work_total = work_total;
    fp_progress_update(&pg->est, t, (double)done);
    fp_progress_update(&pg->work, t, work_done);
    fp_cli_progress_show(pg, 0);
}

void fp_cli_progress_update(fp_cli_progress *pg, uint64_t done, uint64_t total)
{
    update(pg, done, total, 0, 0);
}

void fp_cli_progress_update_work(fp_cli_progress *pg, uint64_t done, uint64_t total,
                                 double work_done, double work_total)
{
    update(pg, done, total, work_done, work_total);
}
