/*
 * fp_cli_jobs.c - simulate and analyse the runs of one scenario on J threads, handing each run to
 * the caller in run order (cli/fp_cli.h, fp_cli_simulate_analyze). The runs go in batches of
 * 16 x J: each thread takes the next index of the batch (mutex-guarded counter) with its own
 * fp_sim, and the caller's callback sees the batch's runs in index order on the calling thread,
 * so everything it adds up is added in the same order for any J (the output is byte-identical).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_cli.h"
#include "fp_sim.h"

typedef struct slot {
    fp_profile *prof;
    fp_analysis *a;
    fp_status st;
    fp_error err;
} slot;

typedef struct batch {
    pthread_mutex_t mu;
    uint64_t first, count, next; /* owned runs first .. first+count-1; next to take (0-based) */
    uint64_t k, step;            /* the j-th owned run is run k + j * step */
    slot *slots;
    uint64_t seed;
    const fp_thresholds *th;
    const fp_baseline *bl;
} batch;

typedef struct worker {
    batch *b;
    fp_sim *sim;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    batch *b = w->b;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        uint64_t i = b->next < b->count ? b->next++ : UINT64_MAX;
        pthread_mutex_unlock(&b->mu);
        if (i == UINT64_MAX)
            return NULL;
        slot *s = &b->slots[i];
        s->err = (fp_error)FP_ERROR_INIT;
        s->st = fp_sim_run(w->sim, b->seed, b->k + (b->first + i) * b->step, s->prof, &s->err);
        if (s->st == FP_OK)
            s->st = fp_analyze_cancellable(&s->a, s->prof, b->th, b->bl, fp_cli_cancel_cb, NULL,
                                           &s->err);
    }
}

int fp_cli_simulate_analyze(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                            uint64_t runs, unsigned jobs, const fp_thresholds *th,
                            const struct fp_baseline *bl, fp_cli_analyzed_fn each, void *ctx)
{
    return fp_cli_simulate_analyze_shard(scn, rng, seed, runs, 0, 0, jobs, th, bl, each, ctx);
}

int fp_cli_simulate_analyze_shard(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                                  uint64_t runs, uint64_t shard_k, uint64_t shard_n, unsigned jobs,
                                  const fp_thresholds *th, const struct fp_baseline *bl,
                                  fp_cli_analyzed_fn each, void *ctx)
{
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    so.rng_type = rng;
    so.cancel = fp_cli_cancel_cb; /* a SIGINT/SIGTERM stops a run within a fraction of a second */
    fp_error err = FP_ERROR_INIT;
    unsigned nw = jobs > 0 ? jobs : 1;
    size_t cap = 16 * (size_t)nw;
    batch b;
    memset(&b, 0, sizeof b);
    b.seed = seed;
    b.th = th;
    b.bl = bl;
    b.k = shard_n > 0 ? shard_k : 0;
    b.step = shard_n > 0 ? shard_n : 1;
    uint64_t owned = runs > b.k ? (runs - b.k - 1) / b.step + 1 : 0;
    worker *ws = calloc(nw, sizeof *ws);
    pthread_t *tids = calloc(nw, sizeof *tids);
    b.slots = calloc(cap, sizeof *b.slots);
    int rc = 0;
    if (ws == NULL || tids == NULL || b.slots == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    for (size_t i = 0; i < cap && rc == 0; i++)
        if ((b.slots[i].prof = fp_profile_new()) == NULL)
            rc = fp_cli_nomem();
    for (unsigned t = 0; t < nw && rc == 0; t++) {
        ws[t].b = &b;
        if (fp_sim_new(&ws[t].sim, scn, &so, &err) != FP_OK)
            rc = fp_cli_report_error(&err);
    }
    if (rc != 0)
        goto done;
    pthread_mutex_init(&b.mu, NULL);
    for (uint64_t first = 0; first < owned && rc == 0; first += cap) {
        if ((rc = fp_cli_interrupted()) != 0)
            break;
        b.first = first;
        b.count = owned - first < cap ? owned - first : cap;
        b.next = 0;
        unsigned started = 0;
        for (unsigned t = 1; t < nw; t++) {
            if (pthread_create(&tids[t], NULL, work, &ws[t]) != 0)
                break;
            started = t;
        }
        work(&ws[0]); /* the calling thread works too; with J = 1 it is the only one */
        for (unsigned t = 1; t <= started; t++)
            pthread_join(tids[t], NULL);
        /* in run order: the first failed run stops it, as a one-thread loop would */
        for (uint64_t i = 0; i < b.count; i++) {
            slot *s = &b.slots[i];
            if (rc == 0 && s->st != FP_OK)
                rc = fp_cli_report_error(&s->err);
            else if (rc == 0)
                rc = each(ctx, s->prof, s->a, b.k + (first + i) * b.step);
            fp_analysis_free(s->a);
            s->a = NULL;
        }
    }
    pthread_mutex_destroy(&b.mu);
done:
    for (unsigned t = 0; ws != NULL && t < nw; t++)
        fp_sim_free(ws[t].sim);
    for (size_t i = 0; b.slots != NULL && i < cap; i++)
        fp_profile_free(b.slots[i].prof);
    free(b.slots);
    free(ws);
    free(tids);
    return rc;
}
