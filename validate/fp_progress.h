/*
 * fp_progress.h - the rate and ETA of a long run (validate, the default command's --runs), as a
 * pure function of (wall time, amount done) samples, so it is tested with synthetic timings
 * (tests/unit/test_validate.c, suite progress) and printed by cli/. The amount is runs, or the
 * estimated work of the runs (fp_progress_work()) when they cost different amounts: validate -s
 * all runs its scenarios one after another at 0.7 to 4.8 ms per run, and a rate of runs measured
 * on the cheap first one promises far too much.
 *
 * The rate is measured over a sliding window: the most recent half (at least) of the elapsed
 * time, so a start-up phase (loading, thread start, a fast first scenario) stops counting once
 * the run is long enough, and the window is long enough to smooth batch-sized steps. Samples are
 * kept at most every elapsed/64 seconds in a ring of FP_PROGRESS_RING entries, so the ring spans
 * at least the last 1 - e^-1 (63 %) of the elapsed time. docs/performance.md ("Progress").
 *
 * Ownership: fp_progress is a plain value, no allocation; the caller gives the times (monotonic
 * wall clock seconds, never CPU time, which threads add up).
 */
#ifndef FP_PROGRESS_H
#define FP_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define FP_PROGRESS_RING 64

typedef struct fp_progress {
    double t0;                     /* the start */
    double t[FP_PROGRESS_RING];    /* sample times, ring */
    double done[FP_PROGRESS_RING]; /* amount done at t[] */
    unsigned head, n;              /* next slot; samples held */
    double now;                    /* the latest update */
    double done_now;
} fp_progress;

/* Starts at time `t0` with nothing done. */
void fp_progress_start(fp_progress *p, double t0);
/* Records the amount `done` (runs, or work) finished at time `t` (t non-decreasing, done
 * non-decreasing). */
void fp_progress_update(fp_progress *p, double t, double done);
/* The rate (amount/s) over the window and the ETA (s) to `total`; returns 0 when no rate is
 * known yet (nothing done, or no time elapsed), then *rate = *eta_s = 0. */
int fp_progress_eta(const fp_progress *p, double total, double *rate, double *eta_s);

/* The estimated work of the first `done` runs of a study whose runs go through `n` segments one
 * after another (the scenarios of validate -s all, in order): segment i has units[i] runs that
 * cost cost[i] each (any unit: the engine's probe measures seconds of one thread). Runs past the
 * last segment count nothing. With done = the study's runs, the study's total work. Arrays
 * borrowed, read only. */
double fp_progress_work(const uint64_t *units, const double *cost, size_t n, uint64_t done);

#endif
