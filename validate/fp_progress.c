/* fp_progress.c - sliding-window rate and ETA of a long run (contracts in fp_progress.h). */
#include "fp_progress.h"

#include <string.h>

void fp_progress_start(fp_progress *p, double t0)
{
    memset(p, 0, sizeof *p);
    p->t0 = p->now = t0;
    p->t[0] = t0;
    p->done[0] = 0;
    p->head = 1;
    p->n = 1;
}

void fp_progress_update(fp_progress *p, double t, double done)
{
    unsigned last = (p->head + FP_PROGRESS_RING - 1) % FP_PROGRESS_RING;
    p->now = t;
    p->done_now = done;
    if (t - p->t[last] < (t - p->t0) / 64.0)
        return; /* too close to the last sample: the window only needs sparse ones */
    p->t[p->head] = t;
    p->done[p->head] = done;
    p->head = (p->head + 1) % FP_PROGRESS_RING;
    if (p->n < FP_PROGRESS_RING)
        p->n++;
}

int fp_progress_eta(const fp_progress *p, double total, double *rate, double *eta_s)
{
    double elapsed = p->now - p->t0;
    *rate = *eta_s = 0;
    if (elapsed <= 0 || p->done_now == 0)
        return 0;
    /* The latest sample at or before now - elapsed/2 (else the oldest held): a window of at
     * least half the elapsed time. */
    unsigned oldest = (p->head + FP_PROGRESS_RING - p->n) % FP_PROGRESS_RING, pick = oldest;
    for (unsigned i = 1; i < p->n; i++) {
        unsigned s = (oldest + i) % FP_PROGRESS_RING;
        if (p->t[s] > p->now - elapsed / 2)
            break;
        pick = s;
    }
    double span = p->now - p->t[pick];
    if (span <= 0 || p->done_now <= p->done[pick]) {
        /* no window yet: the rate since the start */
        *rate = p->done_now / elapsed;
    } else {
        *rate = (p->done_now - p->done[pick]) / span;
    }
    *eta_s = total > p->done_now ? (total - p->done_now) / *rate : 0;
    return 1;
}

double fp_progress_work(const uint64_t *units, const double *cost, size_t n, uint64_t done)
{
    double w = 0;
    for (size_t i = 0; i < n && done > 0; i++) {
        uint64_t k = done < units[i] ? done : units[i];
        w += (double)k * cost[i];
        done -= k;
    }
    return w;
}
