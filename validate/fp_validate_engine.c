/*
 * fp_validate_engine.c - the run engine of `fpsim validate`: a small thread pool that simulates,
 * analyses and matches runs in batches, and the three studies built on it (accuracy, threshold
 * sweep, power curve). Contracts and the determinism argument in fp_validate.h.
 */
#include "fp_validate.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fp_progress.h"
#include "fp_sim.h"

/* ---- small helpers ---- */

void fp_validate_rate_set(fp_validate_rate *r, double num, double den)
{
    r->num = num;
    r->den = den;
    r->available = den > 0;
    r->value = den > 0 ? num / den : 0;
    if (fp_validate_wilson(&r->lo, &r->hi, num, den, 0.95, NULL) != FP_OK || !r->available)
        r->lo = r->hi = 0;
}

static const char *const s_inject_names[] = {"both", "all", "none", "scenario"};

const char *fp_validate_inject_name(fp_validate_inject m)
{
    return (unsigned)m < sizeof s_inject_names / sizeof s_inject_names[0] ? s_inject_names[m] : "?";
}

fp_status fp_validate_inject_from_name(const char *name, fp_validate_inject *out)
{
    for (size_t i = 0; i < sizeof s_inject_names / sizeof s_inject_names[0]; i++) {
        if (strcmp(name, s_inject_names[i]) == 0) {
            *out = (fp_validate_inject)i;
            return FP_OK;
        }
    }
    return FP_EINVAL;
}

/* ---- the engine object ---- */

typedef struct scen {
    const fp_scenario *scn; /* NULL: recorded (fp_validate_engine_add_recorded), name below */
    char *name;             /* a recorded scenario's name (owned) */
    uint64_t seed;
    fp_thresholds th;
    const fp_baseline *baseline; /* borrowed; NULL: none */
    fp_validate_acc *acc;
    fp_validate_source *sources;
    fp_validate_scenario_result res;
    double cost; /* seconds per unit from the probe (progress_work); 1 without one */
} scen;

struct fp_validate_engine {
    fp_validate_config cfg;
    scen *scns;
    size_t n_scns, cap_scns;
    fp_validate_acc *all;
    fp_validate_summary overall;
    fp_validate_sweep_point pts[FP_VALIDATE_MAX_GRID];
    size_t n_pts;
    fp_kind kind;
    const char *key;
    fp_validate_power_row *rows;
    size_t n_rows;
    uint64_t done, total; /* progress of the current study */
    uint64_t *seg_units;  /* the study's passes in order: units and each unit's cost (progress) */
    double *seg_cost;
    size_t n_seg;
    double work_total;
    uint64_t pass; /* run_pass calls of the current study (shards and merge) */
};

static void interrupted(fp_error *err)
{
    fp_error_set(err, FP_EINTR, "interrupted");
}

static int cancelled(const fp_validate_config *c)
{
    return c->cancel != NULL && c->cancel(c->cancel_ctx);
}

fp_status fp_validate_engine_new(fp_validate_engine **out, const fp_validate_config *cfg,
                                 fp_error *err)
{
    *out = NULL;
    if (cfg->runs == 0 || cfg->jobs == 0)
        return fp_error_set(err, FP_EINVAL, "validate: runs and jobs must be >= 1");
    if (cfg->shard_n == 0 || cfg->shard_k >= cfg->shard_n)
        return fp_error_set(err, FP_EINVAL, "validate: shard K/N needs 0 <= K < N");
    if ((cfg->log != NULL || cfg->replay != NULL) && (cfg->sink != NULL || cfg->source != NULL))
        return fp_error_set(err, FP_EINVAL, "validate: a checkpoint is not for shards or merges");
    fp_validate_engine *e = fp_calloc(1, sizeof *e);
    if (e == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    e->cfg = *cfg;
    *out = e;
    return FP_OK;
}

static void clear_results(fp_validate_engine *e)
{
    for (size_t i = 0; i < e->n_scns; i++) {
        fp_validate_acc_free(e->scns[i].acc);
        e->scns[i].acc = NULL;
        fp_free(e->scns[i].sources);
        e->scns[i].sources = NULL;
        memset(&e->scns[i].res, 0, sizeof e->scns[i].res);
        e->scns[i].res.name =
            e->scns[i].scn != NULL ? fp_scenario_name(e->scns[i].scn) : e->scns[i].name;
        e->scns[i].res.seed = e->scns[i].seed;
    }
    fp_validate_acc_free(e->all);
    e->all = NULL;
    memset(&e->overall, 0, sizeof e->overall);
    e->n_pts = 0;
    fp_free(e->rows);
    e->rows = NULL;
    e->n_rows = 0;
    e->done = 0;
    e->total = 0;
    e->pass = 0;
    fp_free(e->seg_units);
    fp_free(e->seg_cost);
    e->seg_units = NULL;
    e->seg_cost = NULL;
    e->n_seg = 0;
    e->work_total = 0;
}

void fp_validate_engine_free(fp_validate_engine *e)
{
    if (e == NULL)
        return;
    clear_results(e);
    for (size_t i = 0; i < e->n_scns; i++)
        fp_free(e->scns[i].name);
    fp_free(e->scns);
    fp_free(e);
}

const fp_validate_config *fp_validate_engine_config(const fp_validate_engine *e)
{
    return &e->cfg;
}

fp_status fp_validate_engine_add_scenario(fp_validate_engine *e, const fp_scenario *scn,
                                          uint64_t seed, const fp_thresholds *th, fp_error *err)
{
    if (fp_grow((void **)&e->scns, &e->cap_scns, e->n_scns + 1, sizeof *e->scns) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    scen *s = &e->scns[e->n_scns++];
    memset(s, 0, sizeof *s);
    s->scn = scn;
    s->seed = seed;
    s->th = *th;
    s->res.name = fp_scenario_name(scn);
    s->res.seed = seed;
    return FP_OK;
}

size_t fp_validate_engine_scenario_count(const fp_validate_engine *e)
{
    return e->n_scns;
}

const fp_validate_scenario_result *fp_validate_engine_scenario(const fp_validate_engine *e,
                                                               size_t i)
{
    return i < e->n_scns ? &e->scns[i].res : NULL;
}

const fp_validate_summary *fp_validate_engine_overall(const fp_validate_engine *e)
{
    return &e->overall;
}

const fp_validate_sweep_point *fp_validate_engine_sweep_points(const fp_validate_engine *e,
                                                               size_t *n, fp_kind *kind,
                                                               const char **key)
{
    *n = e->n_pts;
    if (kind != NULL)
        *kind = e->kind;
    if (key != NULL)
        *key = e->key;
    return e->pts;
}

const fp_validate_power_row *fp_validate_engine_power_rows(const fp_validate_engine *e, size_t *n,
                                                           fp_kind *kind)
{
    *n = e->n_rows;
    if (kind != NULL)
        *kind = e->kind;
    return e->rows;
}

/* Whether a scenario was added by fp_validate_engine_add_recorded() (no study runs then). */
static int has_recorded(const fp_validate_engine *e)
{
    for (size_t i = 0; i < e->n_scns; i++)
        if (e->scns[i].scn == NULL)
            return 1;
    return 0;
}

fp_status fp_validate_engine_set_baseline(fp_validate_engine *e, size_t i, const fp_baseline *b,
                                          fp_error *err)
{
    if (i >= e->n_scns)
        return fp_error_set(err, FP_EINVAL, "no scenario %zu", i);
    e->scns[i].baseline = b;
    return FP_OK;
}

/* ---- the parallel pass ---- */

/* What one pass over one scenario simulates. */
typedef struct pass_cfg {
    const fp_scenario *scn;
    uint64_t seed;
    uint64_t runs;
    fp_validate_inject inject;
    double scale;
    int ttd;
    fp_thresholds th;
    const fp_baseline *baseline;
    const gsl_rng_type *rng;
    const fp_validate_config *engine;
} pass_cfg;

/* Progress: `done` of `total` units, and with progress_work their estimated work. */
static void report(const fp_validate_engine *e)
{
    if (e->cfg.progress_work != NULL)
        e->cfg.progress_work(e->cfg.progress_ctx, e->done, e->total,
                             fp_progress_work(e->seg_units, e->seg_cost, e->n_seg, e->done),
                             e->work_total);
    else if (e->cfg.progress != NULL)
        e->cfg.progress(e->cfg.progress_ctx, e->done, e->total);
}

/* Per-thread state: its own simulators, profiles and match results (fp_sim is not shared). */
typedef struct worker {
    fp_sim *sim[2]; /* [0] none injected, [1] the pass' injection (all or the probabilities) */
    fp_profile *prof, *scratch;
    fp_match_result m, sm;
    fp_status st;
    fp_error err;
} worker;

#define BATCH_PER_JOB 256

typedef struct batch {
    const pass_cfg *cfg;
    worker *w;
    fp_validate_run *recs;
    uint64_t first, count; /* units [first, first + count) */
    uint64_t next;         /* next unit offset to hand out; guarded by mu */
    pthread_mutex_t mu;
    unsigned per_index; /* units per run index: 2 for INJECT_BOTH, else 1 */
} batch;

static fp_status do_unit(const pass_cfg *cfg, worker *w, uint64_t unit, unsigned per_index,
                         fp_validate_run *rec)
{
    uint64_t run = unit / per_index;
    int variant =
        per_index == 2 ? (int)(unit % 2) : (cfg->inject == FP_VALIDATE_INJECT_NONE ? 0 : 1);
    fp_analysis *a = NULL;
    fp_status st = fp_sim_run(w->sim[variant], cfg->seed, run, w->prof, &w->err);
    if (st == FP_OK)
        st = fp_analyze_cancellable(&a, w->prof, &cfg->th, cfg->baseline, cfg->engine->cancel,
                                    cfg->engine->cancel_ctx, &w->err);
    if (st == FP_OK)
        st = fp_match_run(&w->m, w->prof, a, NULL, &w->err);
    if (st == FP_OK) {
        fp_validate_run_record(rec, unit, w->prof, a, &w->m);
        for (size_t i = 0; cfg->ttd && i < rec->n_items && st == FP_OK; i++) {
            fp_validate_item *it = &rec->items[i];
            if (!it->found || !fp_validate_time_based(it->kind))
                continue;
            st = fp_validate_time_to_detect(&it->ttd_s, &it->has_ttd, w->prof, it->truth, &cfg->th,
                                            NULL, w->scratch, &w->sm, &w->err);
        }
    }
    fp_analysis_free(a);
    return st;
}

/* Whether run index `run` is computed here: always, except in a shard (cfg->sink set), which
 * computes the run indices i with i mod shard_n == shard_k. */
static int owned(const fp_validate_config *c, uint64_t run)
{
    return c->sink == NULL || run % c->shard_n == c->shard_k;
}

static void *batch_worker(void *arg)
{
    batch *b = ((void **)arg)[0];
    worker *w = ((void **)arg)[1];
    for (;;) {
        pthread_mutex_lock(&b->mu);
        uint64_t off = b->next < b->count ? b->next++ : b->count;
        pthread_mutex_unlock(&b->mu);
        if (off >= b->count || w->st != FP_OK || cancelled(b->cfg->engine))
            break;
        if (!owned(b->cfg->engine, (b->first + off) / b->per_index)) {
            b->recs[off].run_index = UINT64_MAX; /* another shard's */
            continue;
        }
        w->st = do_unit(b->cfg, w, b->first + off, b->per_index, &b->recs[off]);
    }
    return NULL;
}

static void workers_free(worker *w, unsigned n)
{
    for (unsigned i = 0; w != NULL && i < n; i++) {
        fp_sim_free(w[i].sim[0]);
        fp_sim_free(w[i].sim[1]);
        fp_profile_free(w[i].prof);
        fp_profile_free(w[i].scratch);
        fp_match_result_cleanup(&w[i].m);
        fp_match_result_cleanup(&w[i].sm);
    }
    fp_free(w);
}

static fp_status workers_new(worker **out, unsigned n, const pass_cfg *cfg, fp_error *err)
{
    worker *w = fp_calloc(n, sizeof *w);
    *out = w;
    if (w == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    for (unsigned i = 0; i < n; i++) {
        fp_match_result_init(&w[i].m);
        fp_match_result_init(&w[i].sm);
    }
    for (unsigned i = 0; i < n; i++) {
        fp_sim_options so = FP_SIM_OPTIONS_INIT;
        fp_status st;
        so.rng_type = cfg->rng;
        so.magnitude_scale = cfg->scale;
        /* The simulators poll the cancel callback inside a run too, so a signal stops a
         * batch within a fraction of a second, not at its end. */
        so.cancel = cfg->engine->cancel;
        so.cancel_ctx = cfg->engine->cancel_ctx;
        fp_error_clear(&w[i].err);
        so.force_bottlenecks = 0;
        if ((st = fp_sim_new(&w[i].sim[0], cfg->scn, &so, err)) != FP_OK)
            return st;
        so.force_bottlenecks = cfg->inject == FP_VALIDATE_INJECT_SCENARIO ? -1 : 1;
        if ((st = fp_sim_new(&w[i].sim[1], cfg->scn, &so, err)) != FP_OK)
            return st;
        w[i].prof = fp_profile_new();
        w[i].scratch = fp_profile_new();
        if (w[i].prof == NULL || w[i].scratch == NULL)
            return fp_error_set(err, FP_ENOMEM, "out of memory");
    }
    return FP_OK;
}

/* Callback receiving each record in unit order. */
typedef void (*record_fn)(void *ctx, const fp_validate_run *r);

/* A pass of the merge: every record from the source, in unit order, into `fn`. */
static fp_status merge_pass(fp_validate_engine *e, uint64_t pass, uint64_t units,
                            unsigned per_index, record_fn fn, void *ctx, fp_error *err)
{
    fp_validate_run rec;
    for (uint64_t u = 0; u < units; u++) {
        fp_status st = e->cfg.source(e->cfg.source_ctx, pass, u, u / per_index, &rec, err);
        if (st != FP_OK)
            return st;
        fn(ctx, &rec);
        e->done++;
        if (e->done % 4096 == 0 || u + 1 == units)
            report(e);
    }
    return FP_OK;
}

/* Runs one pass; calls `fn` for every record in unit order. */
static fp_status run_pass(fp_validate_engine *e, const pass_cfg *cfg, record_fn fn, void *ctx,
                          fp_error *err)
{
    unsigned jobs = e->cfg.jobs;
    unsigned per_index = cfg->inject == FP_VALIDATE_INJECT_BOTH ? 2 : 1;
    uint64_t units = cfg->runs * per_index;
    uint64_t pass = e->pass++;
    if (e->cfg.source != NULL)
        return merge_pass(e, pass, units, per_index, fn, ctx, err);
    uint64_t start = 0; /* units replayed from a checkpoint */
    if (e->cfg.replay != NULL) {
        fp_validate_run rec;
        int got = 1;
        while (start < units) {
            fp_status rst = e->cfg.replay(e->cfg.replay_ctx, pass, start, &rec, &got, err);
            if (rst != FP_OK)
                return rst;
            if (!got)
                break;
            fn(ctx, &rec);
            start++;
        }
        e->done += start;
        if (start > 0)
            report(e);
    }
    uint64_t cap = (uint64_t)BATCH_PER_JOB * jobs;
    worker *w = NULL;
    fp_validate_run *recs = NULL;
    pthread_t *tids = NULL;
    void **args = NULL;
    batch b;
    memset(&b, 0, sizeof b);
    pthread_mutex_init(&b.mu, NULL);
    fp_status st = workers_new(&w, jobs, cfg, err);
    if (st != FP_OK)
        goto out;
    recs = fp_malloc(cap * sizeof *recs);
    tids = fp_calloc(jobs, sizeof *tids);
    args = fp_calloc(2 * (size_t)jobs, sizeof *args);
    if (recs == NULL || tids == NULL || args == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "out of memory");
        goto out;
    }
    b.cfg = cfg;
    b.w = w;
    b.recs = recs;
    b.per_index = per_index;
    for (uint64_t first = start; first < units; first += cap) {
        b.first = first;
        b.count = units - first < cap ? units - first : cap;
        b.next = 0;
        unsigned started = 0;
        for (unsigned j = 0; j < jobs; j++) {
            args[2 * j] = &b;
            args[2 * j + 1] = &w[j];
        }
        if (jobs == 1) {
            batch_worker(args);
        } else {
            for (unsigned j = 0; j < jobs; j++) {
                if (pthread_create(&tids[j], NULL, batch_worker, &args[2 * j]) != 0)
                    break;
                started++;
            }
            if (started == 0)
                batch_worker(args); /* no thread could start: do the batch here */
            for (unsigned j = 0; j < started; j++)
                pthread_join(tids[j], NULL);
        }
        if (cancelled(&e->cfg)) {
            interrupted(err);
            st = FP_EINTR;
            goto out;
        }
        for (unsigned j = 0; j < jobs; j++) {
            if (w[j].st != FP_OK) {
                if (err != NULL)
                    *err = w[j].err;
                st = w[j].st;
                goto out;
            }
        }
        for (uint64_t k = 0; k < b.count && st == FP_OK; k++) {
            if (e->cfg.sink == NULL)
                fn(ctx, &recs[k]);
            else if (recs[k].run_index != UINT64_MAX)
                st = e->cfg.sink(e->cfg.sink_ctx, pass, &recs[k], err);
            if (st == FP_OK && e->cfg.log != NULL)
                st = e->cfg.log(e->cfg.log_ctx, pass, &recs[k], err);
        }
        if (st != FP_OK)
            goto out;
        e->done += b.count;
        report(e);
    }
out:
    pthread_mutex_destroy(&b.mu);
    fp_free(args);
    fp_free(tids);
    fp_free(recs);
    workers_free(w, jobs);
    return st;
}

/* The injection mode of a pass over `s`: BOTH on a scenario without bottlenecks would simulate
   the same clean run twice per index and count it twice, so it becomes NONE there. */
static fp_validate_inject scen_inject(const fp_validate_engine *e, const scen *s)
{
    if (e->cfg.inject == FP_VALIDATE_INJECT_BOTH && fp_scenario_bottleneck_count(s->scn) == 0)
        return FP_VALIDATE_INJECT_NONE;
    return e->cfg.inject;
}

/* Run indices times the variants simulated per index, summed over the scenarios. */
static uint64_t units_per_pass(const fp_validate_engine *e)
{
    uint64_t u = 0;
    for (size_t i = 0; i < e->n_scns; i++)
        u += e->cfg.runs * (scen_inject(e, &e->scns[i]) == FP_VALIDATE_INJECT_BOTH ? 2 : 1);
    return u;
}

static void pass_init(pass_cfg *p, const fp_validate_engine *e, const scen *s)
{
    memset(p, 0, sizeof *p);
    p->scn = s->scn;
    p->seed = s->seed;
    p->runs = e->cfg.runs;
    p->inject = scen_inject(e, s);
    p->scale = 1.0;
    p->th = s->th;
    p->baseline = s->baseline;
    p->rng = e->cfg.rng;
    p->engine = &e->cfg;
}

/* Names of the declared bottlenecks' targets, from one all-injected run ("?" if never seen). */
static fp_status probe_sources(scen *s, const gsl_rng_type *rng, fp_error *err)
{
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    fp_status st = FP_OK;
    size_t n = fp_scenario_bottleneck_count(s->scn);
    so.rng_type = rng;
    so.force_bottlenecks = 1;
    s->sources = fp_calloc(n ? n : 1, sizeof *s->sources);
    if (p == NULL || s->sources == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "out of memory");
        goto out;
    }
    s->res.n_sources = n;
    s->res.sources = s->sources;
    for (size_t i = 0; i < n; i++) {
        snprintf(s->sources[i].target, sizeof s->sources[i].target, "?");
        s->sources[i].kind = -1;
    }
    if ((st = fp_sim_new(&sim, s->scn, &so, err)) != FP_OK ||
        (st = fp_sim_run(sim, s->seed, 0, p, err)) != FP_OK)
        goto out;
    for (size_t i = 0; i < fp_profile_truth_count(p); i++) {
        const fp_truth *t = &fp_profile_truth(p)[i];
        if (t->source >= n)
            continue;
        const char *nm = t->target == FP_TARGET_PROCESS
                             ? "process"
                             : fp_profile_method_name(p, (size_t)t->target);
        snprintf(s->sources[t->source].target, sizeof s->sources[t->source].target, "%s",
                 nm ? nm : "?");
        s->sources[t->source].kind = (int)t->kind;
    }
out:
    fp_sim_free(sim);
    fp_profile_free(p);
    return st;
}

/* ---- the work estimate of progress_work ---- */

#define PROBE_UNITS 16       /* timed units per scenario */
#define PROBE_MIN_UNITS 1024 /* a scenario's units per pass from which the probe is worth it */

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Each scenario's cost per unit (s->cost): the wall time of its first PROBE_UNITS units of a
 * pass like `like` (the study's settings; scenario, thresholds and injection are each
 * scenario's own) on the
 * calling thread, results discarded. Only with progress_work, several scenarios and at least
 * PROBE_MIN_UNITS runs per scenario and pass (the probe then costs under 2 % of the study);
 * otherwise every cost is 1 (the work is the runs). Scenarios with skip[i] set (skip may be
 * NULL) are not probed. Nothing a study reports depends on it. */
static fp_status probe_costs(fp_validate_engine *e, const pass_cfg *like, const int *skip,
                             fp_error *err)
{
    for (size_t i = 0; i < e->n_scns; i++)
        e->scns[i].cost = 1;
    if (e->cfg.progress_work == NULL || e->cfg.source != NULL || e->n_scns < 2 ||
        e->cfg.runs < PROBE_MIN_UNITS)
        return FP_OK;
    fp_validate_run *rec = fp_malloc(sizeof *rec);
    if (rec == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    fp_status st = FP_OK;
    for (size_t i = 0; i < e->n_scns && st == FP_OK; i++) {
        scen *s = &e->scns[i];
        if (skip != NULL && skip[i])
            continue; /* not in the study */
        pass_cfg cfg = *like;
        cfg.scn = s->scn;
        cfg.seed = s->seed;
        cfg.th = s->th;
        cfg.baseline = s->baseline;
        if (like->inject != FP_VALIDATE_INJECT_ALL) /* the power study injects all everywhere */
            cfg.inject = scen_inject(e, s);
        unsigned per_index = cfg.inject == FP_VALIDATE_INJECT_BOTH ? 2 : 1;
        worker *w = NULL;
        if ((st = workers_new(&w, 1, &cfg, err)) == FP_OK) {
            double t0 = mono_s();
            for (uint64_t u = 0; u < PROBE_UNITS && st == FP_OK; u++) {
                if (cancelled(&e->cfg)) {
                    interrupted(err);
                    st = FP_EINTR;
                } else if ((st = do_unit(&cfg, w, u, per_index, rec)) != FP_OK && err != NULL) {
                    *err = w->err;
                }
            }
            double c = (mono_s() - t0) / PROBE_UNITS;
            s->cost = c > 1e-9 ? c : 1e-9;
        }
        workers_free(w, 1);
    }
    fp_free(rec);
    return st;
}

/* The study's passes in order as progress segments: `reps` passes of every scenario, grid-outer
 * (the sweep) or, with `scen_outer`, scenario-outer (the power curve, which skips the scenarios
 * with skip[i] set; skip may be NULL); sets the total work. */
static fp_status segments_set(fp_validate_engine *e, size_t reps, int scen_outer, const int *skip,
                              fp_error *err)
{
    size_t n = e->n_scns * reps;
    e->seg_units = fp_calloc(n ? n : 1, sizeof *e->seg_units);
    e->seg_cost = fp_calloc(n ? n : 1, sizeof *e->seg_cost);
    if (e->seg_units == NULL || e->seg_cost == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    e->n_seg = 0;
    for (size_t a = 0; a < (scen_outer ? e->n_scns : reps); a++) {
        for (size_t b = 0; b < (scen_outer ? reps : e->n_scns); b++) {
            size_t i = scen_outer ? a : b;
            if (skip != NULL && skip[i])
                continue;
            int both = !scen_outer && scen_inject(e, &e->scns[i]) == FP_VALIDATE_INJECT_BOTH;
            e->seg_units[e->n_seg] = e->cfg.runs * (both ? 2 : 1);
            e->seg_cost[e->n_seg] = e->scns[i].cost;
            e->n_seg++;
        }
    }
    e->work_total = fp_progress_work(e->seg_units, e->seg_cost, e->n_seg, UINT64_MAX);
    return FP_OK;
}

/* ---- the accuracy study ---- */

typedef struct acc_pair {
    fp_validate_acc *a, *b;
} acc_pair;

static void add_both(void *ctx, const fp_validate_run *r)
{
    acc_pair *p = ctx;
    fp_validate_acc_add(p->a, r);
    if (p->b != NULL)
        fp_validate_acc_add(p->b, r);
}

fp_status fp_validate_engine_run(fp_validate_engine *e, fp_error *err)
{
    fp_status st;
    if (has_recorded(e))
        return fp_error_set(err, FP_EINVAL, "validate: a recorded scenario runs no study");
    clear_results(e);
    e->total = units_per_pass(e);
    if (e->n_scns > 0) {
        pass_cfg like;
        pass_init(&like, e, e->scns);
        like.ttd = e->cfg.ttd;
        if ((st = probe_costs(e, &like, NULL, err)) != FP_OK)
            return st;
    }
    if ((st = segments_set(e, 1, 0, NULL, err)) != FP_OK ||
        (st = fp_validate_acc_new(&e->all, 0, err)) != FP_OK)
        return st;
    for (size_t i = 0; i < e->n_scns; i++) {
        scen *s = &e->scns[i];
        pass_cfg cfg;
        pass_init(&cfg, e, s);
        cfg.ttd = e->cfg.ttd;
        if ((st = probe_sources(s, e->cfg.rng, err)) != FP_OK ||
            (st = fp_validate_acc_new(&s->acc, s->res.n_sources, err)) != FP_OK)
            return st;
        acc_pair ap = {s->acc, e->all};
        if ((st = run_pass(e, &cfg, add_both, &ap, err)) != FP_OK ||
            (st = fp_validate_acc_summary(s->acc, &s->res.sum, err)) != FP_OK)
            return st;
    }
    return fp_validate_acc_summary(e->all, &e->overall, err);
}

/* ---- the threshold sweep ---- */

fp_status fp_validate_engine_sweep(fp_validate_engine *e, fp_kind kind, const char *key,
                                   const double *grid, size_t n, fp_error *err)
{
    fp_status st = FP_OK;
    if (has_recorded(e))
        return fp_error_set(err, FP_EINVAL, "validate: a recorded scenario runs no study");
    clear_results(e);
    if ((st = fp_validate_sweep_check(key, grid, n, err)) != FP_OK)
        return st;
    e->kind = kind;
    e->key = key;
    e->total = units_per_pass(e) * n;
    if (n > 0 && e->n_scns > 0) {
        pass_cfg like;
        pass_init(&like, e, &e->scns[0]);
        if ((st = probe_costs(e, &like, NULL, err)) != FP_OK ||
            (st = segments_set(e, n, 0, NULL, err)) != FP_OK)
            return st;
    }
    for (size_t g = 0; g < n && st == FP_OK; g++) {
        fp_validate_acc *acc = NULL;
        if ((st = fp_validate_acc_new(&acc, 0, err)) != FP_OK)
            return st;
        for (size_t i = 0; i < e->n_scns && st == FP_OK; i++) {
            pass_cfg cfg;
            pass_init(&cfg, e, &e->scns[i]);
            st = fp_thresholds_set(&cfg.th, key, grid[g], err);
            acc_pair ap = {acc, NULL};
            if (st == FP_OK)
                st = run_pass(e, &cfg, add_both, &ap, err);
        }
        fp_validate_summary s;
        if (st == FP_OK)
            st = fp_validate_acc_summary(acc, &s, err);
        if (st == FP_OK) {
            e->pts[g].value = grid[g];
            e->pts[g].ks = s.kinds[kind];
            e->n_pts = g + 1;
        }
        fp_validate_acc_free(acc);
    }
    return st;
}

size_t fp_validate_sweep_best(const fp_validate_engine *e, fp_validate_best_rule *rule, double *def)
{
    const fp_validate_sweep_point *p = e->pts;
    size_t n = e->n_pts, best = n;
    fp_thresholds t = FP_THRESHOLDS_INIT;
    double d = NAN;
    if (e->key == NULL || fp_thresholds_get(&t, e->key, &d, NULL) != FP_OK)
        d = NAN;
    if (def != NULL)
        *def = d;
    if (rule != NULL)
        *rule = FP_VALIDATE_BEST_NONE;
    for (size_t i = 0; i < n; i++)
        if (p[i].ks.f1.available && p[i].ks.f1.value > 0 &&
            (best == n || p[i].ks.f1.value > p[best].ks.f1.value))
            best = i;
    if (best < n) {
        if (rule != NULL)
            *rule = FP_VALIDATE_BEST_F1;
        return best;
    }
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= p[i].ks.tp + p[i].ks.fp + p[i].ks.fn > 0;
    for (size_t i = 0; any && i < n; i++) {
        const fp_validate_kind_stats *k = &p[i].ks;
        if (best == n || k->fp < p[best].ks.fp) {
            best = i;
            continue;
        }
        if (k->fp > p[best].ks.fp)
            continue;
        /* A tie: the default, else the value nearest to it, else the earlier point. */
        double db = fabs(p[best].value - d), di = fabs(p[i].value - d);
        if (!isnan(d) && p[best].value != d && (p[i].value == d || di < db))
            best = i;
    }
    if (best < n && rule != NULL)
        *rule = FP_VALIDATE_BEST_FEWEST_FP;
    return best;
}

/* ---- the power curve ---- */

typedef struct power_ctx {
    fp_kind kind;
    size_t n_sources;
    uint64_t *found, *total; /* per source */
    double *mag_sum;         /* per source: drawn magnitudes */
} power_ctx;

static void power_add(void *ctx, const fp_validate_run *r)
{
    power_ctx *p = ctx;
    for (size_t i = 0; i < r->n_items; i++) {
        const fp_validate_item *it = &r->items[i];
        if (it->kind != p->kind || it->source >= p->n_sources)
            continue;
        p->total[it->source]++;
        p->found[it->source] += it->found != 0;
        p->mag_sum[it->source] += it->magnitude;
    }
}

static int power_row_cmp(const void *pa, const void *pb)
{
    const fp_validate_power_row *a = pa, *b = pb;
    if (a->scenario != b->scenario)
        return a->scenario < b->scenario ? -1 : 1;
    if (a->source != b->source)
        return a->source < b->source ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

fp_status fp_validate_engine_power(fp_validate_engine *e, fp_kind kind, const double *grid,
                                   size_t n_grid, fp_error *err)
{
    fp_status st = FP_OK;
    if (has_recorded(e))
        return fp_error_set(err, FP_EINVAL, "validate: a recorded scenario runs no study");
    clear_results(e);
    e->kind = kind;
    /* A power curve of a kind that no scenario declares has no rows: an error, before any run. */
    size_t n_with = 0;
    for (size_t i = 0; i < e->n_scns && st == FP_OK; i++) {
        st = probe_sources(&e->scns[i], e->cfg.rng, err);
        size_t any = 0;
        for (size_t s = 0; st == FP_OK && s < e->scns[i].res.n_sources; s++)
            any += e->scns[i].sources[s].kind == (int)kind;
        n_with += any > 0;
    }
    if (st != FP_OK)
        return st;
    if (n_with == 0) {
        if (e->n_scns == 1)
            return fp_error_set(err, FP_EINVAL, "scenario '%s' declares no bottleneck of kind %s",
                                fp_scenario_name(e->scns[0].scn), fp_kind_name(kind));
        return fp_error_set(err, FP_EINVAL, "no scenario declares a bottleneck of kind %s",
                            fp_kind_name(kind));
    }
    e->total = e->cfg.runs * n_with * n_grid;
    int *skip = fp_calloc(e->n_scns ? e->n_scns : 1, sizeof *skip);
    if (skip == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    for (size_t i = 0; i < e->n_scns; i++) {
        size_t any = 0;
        for (size_t s = 0; s < e->scns[i].res.n_sources; s++)
            any += e->scns[i].sources[s].kind == (int)kind;
        skip[i] = any == 0;
    }
    pass_cfg like;
    pass_init(&like, e, e->scns);
    like.inject = FP_VALIDATE_INJECT_ALL;
    like.scale = n_grid > 0 ? grid[n_grid / 2] : 1.0;
    if ((st = probe_costs(e, &like, skip, err)) == FP_OK)
        st = segments_set(e, n_grid, 1, skip, err);
    fp_free(skip);
    if (st != FP_OK)
        return st;
    for (size_t i = 0; i < e->n_scns && st == FP_OK; i++) {
        scen *sc = &e->scns[i];
        size_t ns = sc->res.n_sources, any = 0;
        for (size_t s = 0; s < ns; s++)
            any += sc->sources[s].kind == (int)kind;
        if (any == 0)
            continue;
        power_ctx pc = {kind, ns, fp_calloc(ns, sizeof(uint64_t)), fp_calloc(ns, sizeof(uint64_t)),
                        fp_calloc(ns, sizeof(double))};
        fp_validate_power_row *nrws = NULL;
        if (n_grid * ns <= SIZE_MAX / sizeof *nrws - e->n_rows)
            nrws = fp_realloc(e->rows, (e->n_rows + n_grid * ns) * sizeof *nrws);
        if (pc.found == NULL || pc.total == NULL || pc.mag_sum == NULL || nrws == NULL)
            st = fp_error_set(err, FP_ENOMEM, "out of memory");
        if (nrws != NULL)
            e->rows = nrws;
        for (size_t g = 0; g < n_grid && st == FP_OK; g++) {
            pass_cfg cfg;
            pass_init(&cfg, e, sc);
            cfg.inject = FP_VALIDATE_INJECT_ALL;
            cfg.scale = grid[g];
            memset(pc.found, 0, ns * sizeof(uint64_t));
            memset(pc.total, 0, ns * sizeof(uint64_t));
            memset(pc.mag_sum, 0, ns * sizeof(double));
            st = run_pass(e, &cfg, power_add, &pc, err);
            for (size_t s = 0; s < ns && st == FP_OK; s++) {
                if (sc->sources[s].kind != (int)kind)
                    continue;
                fp_validate_power_row *pr = &e->rows[e->n_rows++];
                pr->scenario = i;
                pr->source = s;
                pr->g = g;
                pr->scale = grid[g];
                pr->found = pc.found[s];
                pr->total = pc.total[s];
                pr->magnitude = pc.total[s]
                                    ? fp_validate_effective_magnitude(
                                          kind, pc.mag_sum[s] / (double)pc.total[s], grid[g])
                                    : 0;
                fp_validate_rate_set(&pr->recall, (double)pr->found, (double)pr->total);
            }
        }
        fp_free(pc.found);
        fp_free(pc.total);
        fp_free(pc.mag_sum);
    }
    /* Group the rows per (scenario, bottleneck), grid order inside. */
    if (st == FP_OK && e->n_rows > 1)
        qsort(e->rows, e->n_rows, sizeof *e->rows, power_row_cmp);
    return st;
}

double fp_validate_power_mde(const fp_validate_power_row *rows, size_t n, size_t scn, size_t src,
                             double *mag)
{
    double best = -1;
    *mag = 0;
    for (size_t i = n; i-- > 0;) {
        const fp_validate_power_row *r = &rows[i];
        if (r->scenario != scn || r->source != src)
            continue;
        if (!(r->recall.available && r->recall.value >= 0.9))
            break;
        best = r->scale;
        *mag = r->magnitude;
    }
    return best;
}

/* ---- recorded runs (validate --record) ---- */

fp_status fp_validate_engine_add_recorded(fp_validate_engine *e, const char *name, uint64_t seed,
                                          const fp_validate_source *sources, size_t n_sources,
                                          const fp_validate_run *runs, size_t n_runs, fp_error *err)
{
    if (e->n_scns > 0 && !has_recorded(e))
        return fp_error_set(err, FP_EINVAL, "validate: recorded and simulated scenarios mixed");
    if (fp_grow((void **)&e->scns, &e->cap_scns, e->n_scns + 1, sizeof *e->scns) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    scen *s = &e->scns[e->n_scns];
    memset(s, 0, sizeof *s);
    size_t len = strlen(name);
    fp_status st = FP_OK;
    if ((s->name = fp_malloc(len + 1)) == NULL ||
        (s->sources = fp_calloc(n_sources ? n_sources : 1, sizeof *s->sources)) == NULL) {
        fp_free(s->name);
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    }
    memcpy(s->name, name, len + 1);
    if (n_sources > 0)
        memcpy(s->sources, sources, n_sources * sizeof *sources);
    e->n_scns++; /* from here on clear_results() frees what it holds */
    s->seed = seed;
    s->res.name = s->name;
    s->res.seed = seed;
    s->res.n_sources = n_sources;
    s->res.sources = s->sources;
    if (e->all == NULL && (st = fp_validate_acc_new(&e->all, 0, err)) != FP_OK)
        return st;
    if ((st = fp_validate_acc_new(&s->acc, n_sources, err)) != FP_OK)
        return st;
    for (size_t i = 0; i < n_runs; i++) {
        fp_validate_acc_add(s->acc, &runs[i]);
        fp_validate_acc_add(e->all, &runs[i]);
    }
    if ((st = fp_validate_acc_summary(s->acc, &s->res.sum, err)) != FP_OK)
        return st;
    return fp_validate_acc_summary(e->all, &e->overall, err);
}
