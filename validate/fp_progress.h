/*
 * fp_progress.h - the rate and ETA of a long run (validate, the default command's --runs), as a
 * pure function of (wall time, runs done) samples, so it is tested with synthetic timings
 * (tests/unit/test_validate_progress.c) and printed by cli/.
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

#include <stdint.h>

#define FP_PROGRESS_RING 64

typedef struct fp_progress {
    double t0;                       /* the start */
    double t[FP_PROGRESS_RING];      /* sample times, ring */
    uint64_t done[FP_PROGRESS_RING]; /* runs done at t[] */
    unsigned head, n;                /* next slot; samples held */
    double now;                      /* the latest update */
    uint64_t done_now;
} fp_progress;

/* Starts at time `t0` with nothing done. */
void fp_progress_start(fp_progress *p, double t0);
/* Records `done` runs finished at time `t` (t non-decreasing, done non-decreasing). */
void fp_progress_update(fp_progress *p, double t, uint64_t done);
/* The rate (runs/s) over the window and the ETA (s) to `total`; returns 0 when no rate is known
 * yet (nothing done, or no time elapsed), then *rate = *eta_s = 0. */
int fp_progress_eta(const fp_progress *p, uint64_t total, double *rate, double *eta_s);

#endif
