/*
 * fp_cli_validate.c - `fpsim validate`: simulate runs with known ground truth, analyse them, match
 * the findings to the truth and report detector accuracy (docs/validation.md). Also threshold
 * sweeps (--sweep) and magnitude power curves (--power).
 *
 * Determinism at any --jobs: run indices are processed in batches; within a batch each worker
 * takes the next unprocessed index and writes a fixed-size record into that index's slot; after
 * the batch the records are added to the accumulators in index order. Every sum is therefore
 * taken in the same order whatever the scheduling, and memory is O(batch), not O(runs).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <gsl/gsl_version.h>

#include "fp_analysis.h"
#include "fp_cli.h"
#include "fp_match.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_sim.h"
#include "fp_validate.h"

static const char *const s_help =
    "Usage: fpsim validate --scenario NAME|FILE|all [--runs N] [--seed S] [--jobs J] [options]\n"
    "       fpsim validate --sweep DETECTOR|KEY [--grid V,V,...] [options]\n"
    "       fpsim validate --power KIND [--grid S,S,...] [options]\n"
    "\n"
    "Simulates runs whose ground truth is known, analyses each with the default (or given)\n"
    "thresholds, matches findings to injected bottlenecks (rules in docs/validation.md) and\n"
    "reports per scenario x kind and overall: TP, FP, FN, precision, recall and F1 with 95 %\n"
    "Wilson intervals, false alarms on runs with nothing injected, time to detect (leaks, CPU),\n"
    "severity calibration (top-1, top-3, Spearman) and NAB-style scores.\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME   built-in, 'all' or a scenario file; repeatable (default all)\n"
    "  -n, --runs N          run indices per scenario (default 100); each index is simulated\n"
    "                        with every bottleneck injected and with none (see --inject)\n"
    "      --seed N          batch seed (default: the scenario's seed:, else 42)\n"
    "      --rng NAME        GSL generator (default mt19937)\n"
    "  -j, --jobs J          worker threads (default 1); output is identical for any J\n"
    "      --inject MODE     both (default): each index once with all, once with none;\n"
    "                        all; none; scenario (the scenario's probabilities)\n"
    "      --no-ttd          skip the time-to-detect re-analyses (faster)\n"
    "      --sweep DET       sweep a detector's threshold (slow_method, latency_outliers,\n"
    "                        memory_hotspot, memory_leak, cpu_saturation, call_storm,\n"
    "                        io_heavy, or a dotted threshold key); prints precision/recall\n"
    "                        per threshold and the best-F1 threshold\n"
    "      --power KIND      sweep the injected magnitude scale of KIND (every bottleneck\n"
    "                        injected) and print detection probability per magnitude and\n"
    "                        the minimum detectable effect at >= 90 % recall\n"
    "      --grid LIST       comma-separated thresholds (--sweep) or scales (--power)\n"
    "      --set KEY=VALUE   set an analysis threshold (repeatable)\n"
    "  -f, --format FMT      text, json, markdown (md) or csv (default text)\n"
    "  -o, --output FILE     write atomically to FILE (default standard output)\n"
    "      --fail-below F1   exit 1 when the overall F1 is below F1 (CI gate)\n"
    "  -q, --quiet           no progress on standard error\n"
    "  -h, --help            show this help\n"
    "\n"
    "Progress (runs done, runs/s, ETA) goes to standard error when it is a terminal.\n"
    "Exit status: 0 ok, 1 --fail-below triggered, 64 usage, 65 bad data, 66 no input,\n"
    "70 internal, 73 cannot create output, 74 write error, 130/143 interrupted.\n";

static void rate(fp_validate_rate *r, double num, double den);

enum inject_mode { INJECT_BOTH, INJECT_ALL, INJECT_NONE, INJECT_SCENARIO };

#define MAX_GRID 64
#define MAX_SETS 64

typedef struct vopts {
    char **scenarios;
    size_t n_scenarios;
    uint64_t runs;
    int has_seed;
    uint64_t seed;
    const gsl_rng_type *rng;
    unsigned jobs;
    enum inject_mode inject;
    int ttd;
    const char *sweep; /* detector name or key */
    int power;         /* -1 off, else fp_kind */
    double grid[MAX_GRID];
    size_t n_grid;
    char *set_key[MAX_SETS];
    double set_val[MAX_SETS];
    size_t n_sets;
    fp_report_format format;
    const char *output;
    double fail_below; /* < 0: off */
    int quiet;
} vopts;

/* ---- progress ---- */

typedef struct progress {
    int on;
    uint64_t done, total;
    double t0, last;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress_tick(progress *pg, uint64_t n, int final)
{
    pg->done += n;
    if (!pg->on)
        return;
    double t = now_s();
    if (!final && t - pg->last < 0.25)
        return;
    pg->last = t;
    double rate = t > pg->t0 ? (double)pg->done / (t - pg->t0) : 0;
    double eta = rate > 0 ? (double)(pg->total - pg->done) / rate : 0;
    fprintf(stderr, "\rvalidate: %llu/%llu runs, %.1f runs/s, ETA %.0f s   ",
            (unsigned long long)pg->done, (unsigned long long)pg->total, rate, eta);
    if (final)
        fputc('\n', stderr);
}

/* ---- the parallel pass ---- */

/* What one pass over one scenario simulates. */
typedef struct pass_cfg {
    const fp_scenario *scn;
    uint64_t seed;
    uint64_t runs;
    enum inject_mode inject;
    double scale;
    int ttd;
    fp_thresholds th;
    const gsl_rng_type *rng;
} pass_cfg;

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
    int variant = per_index == 2 ? (int)(unit % 2) : (cfg->inject == INJECT_NONE ? 0 : 1);
    fp_analysis *a = NULL;
    fp_status st = fp_sim_run(w->sim[variant], cfg->seed, run, w->prof, &w->err);
    if (st == FP_OK)
        st = fp_analyze(&a, w->prof, &cfg->th, &w->err);
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

static void *batch_worker(void *arg)
{
    batch *b = ((void **)arg)[0];
    worker *w = ((void **)arg)[1];
    for (;;) {
        pthread_mutex_lock(&b->mu);
        uint64_t off = b->next < b->count ? b->next++ : b->count;
        pthread_mutex_unlock(&b->mu);
        if (off >= b->count || w->st != FP_OK || fp_cli_signal)
            break;
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
    free(w);
}

static int workers_new(worker **out, unsigned n, const pass_cfg *cfg)
{
    worker *w = calloc(n, sizeof *w);
    *out = w;
    if (w == NULL)
        goto oom;
    for (unsigned i = 0; i < n; i++) {
        fp_sim_options so = FP_SIM_OPTIONS_INIT;
        so.rng_type = cfg->rng;
        so.magnitude_scale = cfg->scale;
        fp_match_result_init(&w[i].m);
        fp_match_result_init(&w[i].sm);
        fp_error_clear(&w[i].err);
        so.force_bottlenecks = 0;
        if (fp_sim_new(&w[i].sim[0], cfg->scn, &so, &w[i].err) != FP_OK)
            return fp_cli_report_error(&w[i].err);
        so.force_bottlenecks = cfg->inject == INJECT_SCENARIO ? -1 : 1;
        if (fp_sim_new(&w[i].sim[1], cfg->scn, &so, &w[i].err) != FP_OK)
            return fp_cli_report_error(&w[i].err);
        w[i].prof = fp_profile_new();
        w[i].scratch = fp_profile_new();
        if (w[i].prof == NULL || w[i].scratch == NULL)
            goto oom;
    }
    return 0;
oom:
    fp_cli_errorf("out of memory");
    return FP_EXIT_SOFTWARE;
}

/* Callback receiving each record in unit order. */
typedef void (*record_fn)(void *ctx, const fp_validate_run *r);

/* Runs one pass; calls `fn` for every record in unit order. Returns 0 or an exit status. */
static int run_pass(const pass_cfg *cfg, unsigned jobs, progress *pg, record_fn fn, void *ctx)
{
    unsigned per_index = cfg->inject == INJECT_BOTH ? 2 : 1;
    uint64_t units = cfg->runs * per_index;
    uint64_t cap = (uint64_t)BATCH_PER_JOB * jobs;
    worker *w = NULL;
    fp_validate_run *recs = NULL;
    pthread_t *tids = NULL;
    void **args = NULL;
    batch b;
    int rc = workers_new(&w, jobs, cfg);
    memset(&b, 0, sizeof b);
    pthread_mutex_init(&b.mu, NULL);
    if (rc != 0)
        goto out;
    recs = malloc(cap * sizeof *recs);
    tids = calloc(jobs, sizeof *tids);
    args = calloc(2 * (size_t)jobs, sizeof *args);
    if (recs == NULL || tids == NULL || args == NULL) {
        fp_cli_errorf("out of memory");
        rc = FP_EXIT_SOFTWARE;
        goto out;
    }
    b.cfg = cfg;
    b.w = w;
    b.recs = recs;
    b.per_index = per_index;
    for (uint64_t first = 0; first < units; first += cap) {
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
        if (fp_cli_signal) {
            if (pg->on)
                fputc('\n', stderr);
            fp_cli_errorf("interrupted");
            rc = fp_cli_signal_exit();
            goto out;
        }
        for (unsigned j = 0; j < jobs; j++) {
            if (w[j].st != FP_OK) {
                rc = fp_cli_report_error(&w[j].err);
                goto out;
            }
        }
        for (uint64_t k = 0; k < b.count; k++)
            fn(ctx, &recs[k]);
        progress_tick(pg, b.count, 0);
    }
out:
    pthread_mutex_destroy(&b.mu);
    free(args);
    free(tids);
    free(recs);
    workers_free(w, jobs);
    return rc;
}

/* ---- thresholds, names ---- */

static int make_thresholds(const vopts *o, const fp_scenario *scn, fp_thresholds *t)
{
    fp_thresholds_init(t);
    for (size_t i = 0; i < fp_scenario_analysis_count(scn); i++) {
        double v;
        unsigned long line, col;
        const char *key = fp_scenario_analysis_key(scn, i, &v, &line, &col);
        fp_error err = FP_ERROR_INIT;
        if (fp_thresholds_set(t, key, v, &err) != FP_OK) {
            char msg[FP_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err.msg);
            fp_error_set_at(&err, err.status, fp_scenario_file(scn), line, col, "%s", msg);
            return fp_cli_report_error(&err);
        }
    }
    for (size_t i = 0; i < o->n_sets; i++)
        fp_thresholds_set(t, o->set_key[i], o->set_val[i], NULL);
    return 0;
}

/* Names of the declared bottlenecks' targets, from one all-injected run ("?" if never seen). */
typedef struct source_names {
    size_t n;
    char (*name)[128];
    int *kind;
} source_names;

static int probe_sources(source_names *sn, const fp_scenario *scn, uint64_t seed,
                         const gsl_rng_type *rng)
{
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    fp_error err = FP_ERROR_INIT;
    int rc = 0;
    so.rng_type = rng;
    so.force_bottlenecks = 1;
    sn->n = fp_scenario_bottleneck_count(scn);
    sn->name = calloc(sn->n ? sn->n : 1, sizeof *sn->name);
    sn->kind = calloc(sn->n ? sn->n : 1, sizeof *sn->kind);
    if (p == NULL || sn->name == NULL || sn->kind == NULL) {
        fp_cli_errorf("out of memory");
        rc = FP_EXIT_SOFTWARE;
        goto out;
    }
    for (size_t i = 0; i < sn->n; i++) {
        snprintf(sn->name[i], sizeof sn->name[i], "?");
        sn->kind[i] = -1;
    }
    if (fp_sim_new(&sim, scn, &so, &err) != FP_OK || fp_sim_run(sim, seed, 0, p, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto out;
    }
    for (size_t i = 0; i < fp_profile_truth_count(p); i++) {
        const fp_truth *t = &fp_profile_truth(p)[i];
        if (t->source >= sn->n)
            continue;
        const char *nm = t->target == FP_TARGET_PROCESS
                             ? "process"
                             : fp_profile_method_name(p, (size_t)t->target);
        snprintf(sn->name[t->source], sizeof sn->name[t->source], "%s", nm ? nm : "?");
        sn->kind[t->source] = (int)t->kind;
    }
out:
    fp_sim_free(sim);
    fp_profile_free(p);
    return rc;
}

static void source_names_free(source_names *sn)
{
    free(sn->name);
    free(sn->kind);
    sn->name = NULL;
    sn->kind = NULL;
    sn->n = 0;
}

/* ---- output helpers ---- */

static void json_rate(FILE *f, const char *name, const fp_validate_rate *r)
{
    if (!r->available)
        fprintf(f, "\"%s\": null", name);
    else
        fprintf(f, "\"%s\": {\"value\": %.6f, \"lo\": %.6f, \"hi\": %.6f}", name, r->value, r->lo,
                r->hi);
}

/* "0.9512 [0.9301, 0.9660]" or "n/a". */
static void text_rate(FILE *f, const fp_validate_rate *r, int width)
{
    char buf[64];
    if (!r->available)
        snprintf(buf, sizeof buf, "n/a");
    else
        snprintf(buf, sizeof buf, "%.4f [%.4f, %.4f]", r->value, r->lo, r->hi);
    fprintf(f, "%-*s", width, buf);
}

static void csv_rate(FILE *f, const fp_validate_rate *r)
{
    if (r->available)
        fprintf(f, ",%.6f,%.6f,%.6f", r->value, r->lo, r->hi);
    else
        fputs(",,,", f);
}

/* ---- the main report ---- */

typedef struct scen_result {
    const char *name;
    uint64_t seed;
    fp_validate_acc *acc;
    fp_validate_summary sum;
    source_names sn;
} scen_result;

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

static const char *inject_name(enum inject_mode m)
{
    switch (m) {
    case INJECT_BOTH:
        return "both";
    case INJECT_ALL:
        return "all";
    case INJECT_NONE:
        return "none";
    case INJECT_SCENARIO:
        return "scenario";
    }
    return "?";
}

static void text_kind_row(FILE *f, const char *label, const fp_validate_kind_stats *k, int ttd)
{
    fprintf(f, "  %-17s %7llu %7llu %7llu  ", label, (unsigned long long)k->tp,
            (unsigned long long)k->fp, (unsigned long long)k->fn);
    text_rate(f, &k->precision, 25);
    text_rate(f, &k->recall, 25);
    text_rate(f, &k->f1, 25);
    if (ttd && k->ttd_n > 0)
        fprintf(f, "%8.3f %8.3f", k->ttd_mean_s, k->ttd_p95_s);
    fputc('\n', f);
}

static int kind_seen(const fp_validate_kind_stats *k)
{
    return k->tp + k->fp + k->fn > 0;
}

static void text_summary(FILE *f, const fp_validate_summary *s, const source_names *sn)
{
    fprintf(f, "  %-17s %7s %7s %7s  %-25s%-25s%-25s%8s %8s\n", "kind", "TP", "FP", "FN",
            "precision [95% CI]", "recall [95% CI]", "F1 [95% CI]", "TTD mean", "p95 (s)");
    for (int k = 0; k < FP_KIND_COUNT; k++)
        if (kind_seen(&s->kinds[k]))
            text_kind_row(f, fp_kind_name((fp_kind)k), &s->kinds[k], 1);
    text_kind_row(f, "all", &s->overall, 0);
    fprintf(f, "  false alarms on clean runs: %.4f per run (%llu in %llu runs); runs with any: ",
            s->clean_false_alarms_per_run, (unsigned long long)s->clean_false_alarms,
            (unsigned long long)s->clean_runs);
    text_rate(f, &s->clean_runs_alarmed, 0);
    fputs("\n  top finding is the costliest injected bottleneck: ", f);
    text_rate(f, &s->top1, 0);
    fputs("\n  top finding is the costliest detected bottleneck: ", f);
    text_rate(f, &s->top1_found, 0);
    fprintf(f,
            "\n  injected bottlenecks in the top-max(%d, n) recommendations: ", FP_VALIDATE_TOP_K);
    text_rate(f, &s->topk, 0);
    if (s->spearman_available)
        fprintf(f, "\n  Spearman(impact, true cost): %.4f over %llu true positives", s->spearman,
                (unsigned long long)s->spearman_n);
    else
        fputs("\n  Spearman(impact, true cost): n/a", f);
    fprintf(f, "\n  NAB scores: standard %.2f, low_fp %.2f, low_fn %.2f\n", s->nab[0], s->nab[1],
            s->nab[2]);
    if (sn != NULL && s->n_sources > 0) {
        fputs("  per declared bottleneck:\n", f);
        for (size_t i = 0; i < s->n_sources && i < sn->n; i++) {
            const fp_validate_source_stats *ss = &s->sources[i];
            fprintf(f, "    [%zu] %-16s on %-22s found %llu / %llu  recall ", i,
                    sn->kind[i] >= 0 ? fp_kind_name((fp_kind)sn->kind[i]) : "?", sn->name[i],
                    (unsigned long long)ss->found, (unsigned long long)(ss->found + ss->missed));
            text_rate(f, &ss->recall, 0);
            fputc('\n', f);
        }
    }
    if (s->dropped > 0)
        fprintf(f, "  note: %llu truth records beyond %d per run were counted but not itemised\n",
                (unsigned long long)s->dropped, FP_VALIDATE_MAX_ITEMS);
}

static void json_kind(FILE *f, const fp_validate_kind_stats *k, const char *ind)
{
    fprintf(f, "{\"tp\": %llu, \"fp\": %llu, \"fn\": %llu, ", (unsigned long long)k->tp,
            (unsigned long long)k->fp, (unsigned long long)k->fn);
    json_rate(f, "precision", &k->precision);
    fputs(", ", f);
    json_rate(f, "recall", &k->recall);
    fputs(", ", f);
    json_rate(f, "f1", &k->f1);
    if (k->ttd_n > 0)
        fprintf(f, ",\n%s \"time_to_detect\": {\"n\": %llu, \"mean_s\": %.6f, \"p95_s\": %.6f}",
                ind, (unsigned long long)k->ttd_n, k->ttd_mean_s, k->ttd_p95_s);
    fputc('}', f);
}

static void json_summary(FILE *f, const fp_validate_summary *s, const source_names *sn,
                         const char *ind)
{
    fprintf(f, "%s\"runs\": %llu, \"injected_runs\": %llu, \"clean_runs\": %llu,\n", ind,
            (unsigned long long)s->runs, (unsigned long long)s->injected_runs,
            (unsigned long long)s->clean_runs);
    fprintf(f, "%s\"kinds\": {", ind);
    int first = 1;
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        if (!kind_seen(&s->kinds[k]))
            continue;
        fprintf(f, "%s\n%s  \"%s\": ", first ? "" : ",", ind, fp_kind_name((fp_kind)k));
        json_kind(f, &s->kinds[k], ind);
        first = 0;
    }
    fprintf(f, "%s},\n%s\"all\": ", first ? "" : "\n", ind);
    json_kind(f, &s->overall, ind);
    fprintf(f, ",\n%s\"clean_false_alarms\": %llu, \"clean_false_alarms_per_run\": %.6f, ", ind,
            (unsigned long long)s->clean_false_alarms, s->clean_false_alarms_per_run);
    json_rate(f, "clean_runs_alarmed", &s->clean_runs_alarmed);
    fprintf(f, ",\n%s", ind);
    json_rate(f, "top1", &s->top1);
    fputs(", ", f);
    json_rate(f, "top1_found", &s->top1_found);
    fputs(", ", f);
    json_rate(f, "topk", &s->topk);
    fprintf(f, ", \"top_k\": %d,\n%s\"spearman\": ", FP_VALIDATE_TOP_K, ind);
    if (s->spearman_available)
        fprintf(f, "%.6f", s->spearman);
    else
        fputs("null", f);
    fprintf(f,
            ", \"spearman_n\": %llu,\n%s\"nab\": {\"standard\": %.4f, \"low_fp\": %.4f, "
            "\"low_fn\": %.4f}",
            (unsigned long long)s->spearman_n, ind, s->nab[0], s->nab[1], s->nab[2]);
    if (sn != NULL) {
        fprintf(f, ",\n%s\"bottlenecks\": [", ind);
        for (size_t i = 0; i < s->n_sources && i < sn->n; i++) {
            const fp_validate_source_stats *ss = &s->sources[i];
            fprintf(f, "%s\n%s  {\"index\": %zu, \"kind\": ", i ? "," : "", ind, i);
            if (sn->kind[i] >= 0)
                fp_cli_json_str(f, fp_kind_name((fp_kind)sn->kind[i]));
            else
                fputs("null", f);
            fputs(", \"target\": ", f);
            fp_cli_json_str(f, sn->name[i]);
            fprintf(f, ", \"found\": %llu, \"missed\": %llu, ", (unsigned long long)ss->found,
                    (unsigned long long)ss->missed);
            json_rate(f, "recall", &ss->recall);
            fputc('}', f);
        }
        fprintf(f, "%s]", s->n_sources ? "\n" : "");
        if (s->n_sources)
            fputs(ind, f);
    }
    fputc('\n', f);
}

static void csv_kind_row(FILE *f, const char *scn, const char *kind,
                         const fp_validate_kind_stats *k, const fp_validate_summary *s)
{
    fp_cli_csv_str(f, scn);
    fprintf(f, ",%s,%llu,%llu,%llu", kind, (unsigned long long)k->tp, (unsigned long long)k->fp,
            (unsigned long long)k->fn);
    csv_rate(f, &k->precision);
    csv_rate(f, &k->recall);
    csv_rate(f, &k->f1);
    if (k->ttd_n > 0)
        fprintf(f, ",%llu,%.6f,%.6f", (unsigned long long)k->ttd_n, k->ttd_mean_s, k->ttd_p95_s);
    else
        fputs(",0,,", f);
    if (s != NULL) {
        fprintf(f, ",%llu,%llu,%.6f", (unsigned long long)s->runs,
                (unsigned long long)s->clean_runs, s->clean_false_alarms_per_run);
        csv_rate(f, &s->top1);
        csv_rate(f, &s->top1_found);
        csv_rate(f, &s->topk);
        if (s->spearman_available)
            fprintf(f, ",%.6f", s->spearman);
        else
            fputc(',', f);
        fprintf(f, ",%.4f,%.4f,%.4f", s->nab[0], s->nab[1], s->nab[2]);
    } else {
        fputs(",,,,,,,,,,,,,,,,", f);
    }
    fputs("\r\n", f);
}

static void csv_summary(FILE *f, const char *scn, const fp_validate_summary *s)
{
    for (int k = 0; k < FP_KIND_COUNT; k++)
        if (kind_seen(&s->kinds[k]))
            csv_kind_row(f, scn, fp_kind_name((fp_kind)k), &s->kinds[k], NULL);
    csv_kind_row(f, scn, "all", &s->overall, s);
}

static void md_rate(FILE *f, const fp_validate_rate *r)
{
    if (r->available)
        fprintf(f, " %.4f [%.4f, %.4f] |", r->value, r->lo, r->hi);
    else
        fputs(" n/a |", f);
}

/* Rate in a bullet: no table cell separator. */
static void md_rate_plain(FILE *f, const fp_validate_rate *r)
{
    if (r->available)
        fprintf(f, " %.4f [%.4f, %.4f]", r->value, r->lo, r->hi);
    else
        fputs(" n/a", f);
}

static void md_summary(FILE *f, const fp_validate_summary *s, const source_names *sn)
{
    fputs("| kind | TP | FP | FN | precision [95 % CI] | recall [95 % CI] | F1 [95 % CI] | "
          "TTD mean / p95 (s) |\n|---|---:|---:|---:|---|---|---|---|\n",
          f);
    for (int k = 0; k <= FP_KIND_COUNT; k++) {
        const fp_validate_kind_stats *ks = k < FP_KIND_COUNT ? &s->kinds[k] : &s->overall;
        if (k < FP_KIND_COUNT && !kind_seen(ks))
            continue;
        fprintf(f, "| %s | %llu | %llu | %llu |",
                k < FP_KIND_COUNT ? fp_kind_name((fp_kind)k) : "**all**",
                (unsigned long long)ks->tp, (unsigned long long)ks->fp, (unsigned long long)ks->fn);
        md_rate(f, &ks->precision);
        md_rate(f, &ks->recall);
        md_rate(f, &ks->f1);
        if (ks->ttd_n > 0 && k < FP_KIND_COUNT)
            fprintf(f, " %.3f / %.3f |\n", ks->ttd_mean_s, ks->ttd_p95_s);
        else
            fputs(" |\n", f);
    }
    fprintf(f, "\n- false alarms on clean runs: %.4f per run; runs with any:",
            s->clean_false_alarms_per_run);
    md_rate_plain(f, &s->clean_runs_alarmed);
    fputs("\n- top finding is the costliest injected bottleneck:", f);
    md_rate_plain(f, &s->top1);
    fputs("\n- top finding is the costliest detected bottleneck:", f);
    md_rate_plain(f, &s->top1_found);
    fprintf(f,
            "\n- injected bottlenecks in the top-max(%d, n) recommendations:", FP_VALIDATE_TOP_K);
    md_rate_plain(f, &s->topk);
    if (s->spearman_available)
        fprintf(f, "\n- Spearman(impact, true cost): %.4f (n = %llu)", s->spearman,
                (unsigned long long)s->spearman_n);
    fprintf(f, "\n- NAB scores: standard %.2f, low_fp %.2f, low_fn %.2f\n", s->nab[0], s->nab[1],
            s->nab[2]);
    if (sn != NULL && s->n_sources > 0) {
        fputs("\n| # | bottleneck | target | found / observable | recall [95 % CI] |\n"
              "|---:|---|---|---:|---|\n",
              f);
        for (size_t i = 0; i < s->n_sources && i < sn->n; i++) {
            const fp_validate_source_stats *ss = &s->sources[i];
            fprintf(f, "| %zu | %s | ", i,
                    sn->kind[i] >= 0 ? fp_kind_name((fp_kind)sn->kind[i]) : "?");
            fp_cli_md_str(f, sn->name[i]);
            fprintf(f, " | %llu / %llu |", (unsigned long long)ss->found,
                    (unsigned long long)(ss->found + ss->missed));
            md_rate(f, &ss->recall);
            fputc('\n', f);
        }
    }
}

static void write_report(FILE *f, const vopts *o, scen_result *r, size_t n,
                         const fp_validate_summary *all)
{
    switch (o->format) {
    case FP_REPORT_JSON:
        fprintf(f, "{\n  \"fpsim_validate\": 1,\n  \"fpsim_version\": ");
        fp_cli_json_str(f, fp_version());
        fprintf(f, ",\n  \"gsl_version\": \"%s\", \"rng\": ", GSL_VERSION);
        fp_cli_json_str(f, fp_cli_rng_name(o->rng));
        fprintf(f, ",\n  \"runs\": %llu, \"inject\": \"%s\", \"time_to_detect\": %s,\n",
                (unsigned long long)o->runs, inject_name(o->inject), o->ttd ? "true" : "false");
        fputs("  \"scenarios\": [", f);
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
            fp_cli_json_str(f, r[i].name);
            fprintf(f, ", \"seed\": %llu,\n", (unsigned long long)r[i].seed);
            json_summary(f, &r[i].sum, &r[i].sn, "     ");
            fputs("    }", f);
        }
        fputs("\n  ],\n  \"overall\": {\n", f);
        json_summary(f, all, NULL, "    ");
        fputs("  }\n}\n", f);
        break;
    case FP_REPORT_CSV:
        fputs("scenario,kind,tp,fp,fn,precision,precision_lo,precision_hi,recall,recall_lo,"
              "recall_hi,f1,f1_lo,f1_hi,ttd_n,ttd_mean_s,ttd_p95_s,runs,clean_runs,"
              "clean_false_alarms_per_run,top1,top1_lo,top1_hi,top1_found,top1_found_lo,"
              "top1_found_hi,topk,topk_lo,topk_hi,spearman,"
              "nab_standard,nab_low_fp,nab_low_fn\r\n",
              f);
        for (size_t i = 0; i < n; i++)
            csv_summary(f, r[i].name, &r[i].sum);
        csv_summary(f, "(overall)", all);
        break;
    case FP_REPORT_MARKDOWN:
        fprintf(f, "# fpsim validate\n\n%llu run indices per scenario, injection %s, GSL %s, %s\n",
                (unsigned long long)o->runs, inject_name(o->inject), GSL_VERSION,
                fp_cli_rng_name(o->rng));
        for (size_t i = 0; i < n; i++) {
            fputs("\n## ", f);
            fp_cli_md_str(f, r[i].name);
            fprintf(f, " (seed %llu, %llu runs: %llu injected, %llu clean)\n\n",
                    (unsigned long long)r[i].seed, (unsigned long long)r[i].sum.runs,
                    (unsigned long long)r[i].sum.injected_runs,
                    (unsigned long long)r[i].sum.clean_runs);
            md_summary(f, &r[i].sum, &r[i].sn);
        }
        fputs("\n## Overall\n\n", f);
        md_summary(f, all, NULL);
        break;
    default:
        fprintf(f, "fpsim validate: %llu run indices per scenario, injection %s, GSL %s, %s\n",
                (unsigned long long)o->runs, inject_name(o->inject), GSL_VERSION,
                fp_cli_rng_name(o->rng));
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "\nscenario %s (seed %llu): %llu runs, %llu injected, %llu clean\n",
                    r[i].name, (unsigned long long)r[i].seed, (unsigned long long)r[i].sum.runs,
                    (unsigned long long)r[i].sum.injected_runs,
                    (unsigned long long)r[i].sum.clean_runs);
            text_summary(f, &r[i].sum, &r[i].sn);
        }
        fprintf(f, "\noverall: %llu runs, %llu injected, %llu clean\n",
                (unsigned long long)all->runs, (unsigned long long)all->injected_runs,
                (unsigned long long)all->clean_runs);
        text_summary(f, all, NULL);
        break;
    }
}

/* ---- sweep ---- */

typedef struct sweep_def {
    const char *detector;
    const char *key;
    double grid[12];
    size_t n;
} sweep_def;

static const sweep_def s_sweeps[] = {
    {"slow_method", "slow_method.mean_s", {0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4}, 10},
    {"latency_outliers", "latency_outliers.z", {2.5, 3, 3.5, 4, 4.5, 5, 6, 8}, 8},
    {"memory_hotspot", "memory_hotspot.alloc_mb", {25, 50, 75, 100, 150, 200, 300, 400}, 8},
    {"memory_leak", "memory_leak.min_growth_mb", {10, 25, 50, 100, 200, 400}, 6},
    {"cpu_saturation", "cpu_saturation.pct", {60, 70, 75, 80, 85, 90, 95}, 7},
    {"call_storm", "call_storm.calls", {100, 250, 500, 1000, 2000, 5000}, 6},
    {"io_heavy", "io_heavy.ops", {1000, 2500, 5000, 10000, 20000, 50000}, 6},
};

typedef struct sweep_point {
    double value;
    fp_validate_kind_stats ks;
} sweep_point;

static int run_sweep(const vopts *o, fp_cli_scenarios *scns, progress *pg, fp_kind kind,
                     const char *key, const double *grid, size_t n_grid, sweep_point *pts)
{
    int rc = 0;
    for (size_t g = 0; g < n_grid && rc == 0; g++) {
        fp_validate_acc *acc = NULL;
        fp_error err = FP_ERROR_INIT;
        if (fp_validate_acc_new(&acc, 0, &err) != FP_OK)
            return fp_cli_report_error(&err);
        for (size_t i = 0; i < scns->n && rc == 0; i++) {
            pass_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.scn = scns->items[i];
            cfg.seed = fp_cli_seed_for(o->has_seed, o->seed, cfg.scn);
            cfg.runs = o->runs;
            cfg.inject = o->inject;
            cfg.scale = 1.0;
            cfg.rng = o->rng;
            rc = make_thresholds(o, cfg.scn, &cfg.th);
            if (rc == 0 && fp_thresholds_set(&cfg.th, key, grid[g], &err) != FP_OK)
                rc = fp_cli_report_error(&err);
            acc_pair ap = {acc, NULL};
            if (rc == 0)
                rc = run_pass(&cfg, o->jobs, pg, add_both, &ap);
        }
        fp_validate_summary s;
        if (rc == 0 && fp_validate_acc_summary(acc, &s, &err) != FP_OK)
            rc = fp_cli_report_error(&err);
        if (rc == 0) {
            pts[g].value = grid[g];
            pts[g].ks = s.kinds[kind];
        }
        fp_validate_acc_free(acc);
    }
    return rc;
}

static void write_sweep(FILE *f, const vopts *o, fp_kind kind, const char *key,
                        const sweep_point *pts, size_t n)
{
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (pts[i].ks.f1.available && (best == n || pts[i].ks.f1.value > pts[best].ks.f1.value))
            best = i;
    switch (o->format) {
    case FP_REPORT_JSON:
        fprintf(f, "{\n  \"fpsim_validate_sweep\": 1, \"detector\": \"%s\", \"key\": ",
                fp_kind_name(kind));
        fp_cli_json_str(f, key);
        fprintf(f, ", \"runs\": %llu, \"inject\": \"%s\",\n  \"points\": [",
                (unsigned long long)o->runs, inject_name(o->inject));
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s\n    {\"threshold\": %.17g, ", i ? "," : "", pts[i].value);
            json_kind(f, &pts[i].ks, "    ");
            fputc('}', f);
        }
        fputs("\n  ],\n  \"best_f1_threshold\": ", f);
        if (best < n)
            fprintf(f, "%.17g\n}\n", pts[best].value);
        else
            fputs("null\n}\n", f);
        break;
    case FP_REPORT_CSV:
        fputs("threshold,tp,fp,fn,precision,precision_lo,precision_hi,recall,recall_lo,recall_hi,"
              "f1,f1_lo,f1_hi,best\r\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_kind_stats *k = &pts[i].ks;
            fprintf(f, "%.17g,%llu,%llu,%llu", pts[i].value, (unsigned long long)k->tp,
                    (unsigned long long)k->fp, (unsigned long long)k->fn);
            csv_rate(f, &k->precision);
            csv_rate(f, &k->recall);
            csv_rate(f, &k->f1);
            fprintf(f, ",%d\r\n", i == best);
        }
        break;
    case FP_REPORT_MARKDOWN:
        fprintf(f,
                "# Threshold sweep: %s (`%s`)\n\n| threshold | TP | FP | FN | precision | "
                "recall | F1 |\n|---:|---:|---:|---:|---|---|---|\n",
                fp_kind_name(kind), key);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_kind_stats *k = &pts[i].ks;
            fprintf(f, "| %g%s | %llu | %llu | %llu |", pts[i].value, i == best ? " **best**" : "",
                    (unsigned long long)k->tp, (unsigned long long)k->fp,
                    (unsigned long long)k->fn);
            md_rate(f, &k->precision);
            md_rate(f, &k->recall);
            md_rate(f, &k->f1);
            fputc('\n', f);
        }
        break;
    default:
        fprintf(f, "threshold sweep: %s (%s), %llu run indices per scenario, injection %s\n",
                fp_kind_name(kind), key, (unsigned long long)o->runs, inject_name(o->inject));
        fprintf(f, "  %-12s %7s %7s %7s  %-25s%-25s%-25s\n", "threshold", "TP", "FP", "FN",
                "precision [95% CI]", "recall [95% CI]", "F1 [95% CI]");
        for (size_t i = 0; i < n; i++) {
            const fp_validate_kind_stats *k = &pts[i].ks;
            fprintf(f, "  %-12g %7llu %7llu %7llu  ", pts[i].value, (unsigned long long)k->tp,
                    (unsigned long long)k->fp, (unsigned long long)k->fn);
            text_rate(f, &k->precision, 25);
            text_rate(f, &k->recall, 25);
            text_rate(f, &k->f1, 0);
            fputc('\n', f);
        }
        if (best < n)
            fprintf(f, "best F1: %.4f at %s = %g\n", pts[best].ks.f1.value, key, pts[best].value);
        else
            fputs("best F1: n/a (no labels or findings of this kind)\n", f);
        break;
    }
}

/* ---- power ---- */

static const double s_power_grid[] = {0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4,
                                      0.5,  0.7,  1.0, 1.5,  2.0, 3.0};

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

/* The effective magnitude the simulator applies at `scale` (sim/fp_sim.c). */
static double effective_magnitude(fp_kind k, double m, double scale)
{
    switch (k) {
    case FP_KIND_SLOW_METHOD:
    case FP_KIND_LATENCY_OUTLIERS:
    case FP_KIND_CALL_STORM:
    case FP_KIND_IO_HEAVY:
        return 1.0 + (m - 1.0) * scale;
    default:
        return m * scale;
    }
}

static const char *magnitude_label(fp_kind k)
{
    switch (k) {
    case FP_KIND_MEMORY_HOTSPOT:
        return "MB per call";
    case FP_KIND_MEMORY_LEAK:
        return "MB/s or MB per call";
    case FP_KIND_CPU_SATURATION:
        return "scale x (target CPU % - base)";
    default:
        return "factor";
    }
}

typedef struct power_row {
    size_t scenario, source, g;
    double scale, magnitude;
    uint64_t found, total;
    fp_validate_rate recall;
} power_row;

static int power_row_cmp(const void *pa, const void *pb)
{
    const power_row *a = pa, *b = pb;
    if (a->scenario != b->scenario)
        return a->scenario < b->scenario ? -1 : 1;
    if (a->source != b->source)
        return a->source < b->source ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

static int run_power(const vopts *o, fp_cli_scenarios *scns, progress *pg, fp_kind kind,
                     const double *grid, size_t n_grid, power_row **rows_out, size_t *n_rows,
                     source_names *sns)
{
    power_row *rows = NULL;
    size_t nr = 0;
    int rc = 0;
    for (size_t i = 0; i < scns->n && rc == 0; i++) {
        const fp_scenario *scn = scns->items[i];
        uint64_t seed = fp_cli_seed_for(o->has_seed, o->seed, scn);
        rc = probe_sources(&sns[i], scn, seed, o->rng);
        size_t ns = sns[i].n, any = 0;
        for (size_t s = 0; s < ns; s++)
            any += sns[i].kind[s] == (int)kind;
        if (rc != 0 || any == 0)
            continue;
        power_ctx pc = {kind, ns, calloc(ns, sizeof(uint64_t)), calloc(ns, sizeof(uint64_t)),
                        calloc(ns, sizeof(double))};
        power_row *nrws = realloc(rows, (nr + n_grid * ns) * sizeof *rows);
        if (pc.found == NULL || pc.total == NULL || pc.mag_sum == NULL || nrws == NULL) {
            fp_cli_errorf("out of memory");
            rc = FP_EXIT_SOFTWARE;
        }
        if (nrws != NULL)
            rows = nrws;
        for (size_t g = 0; g < n_grid && rc == 0; g++) {
            pass_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.scn = scn;
            cfg.seed = seed;
            cfg.runs = o->runs;
            cfg.inject = INJECT_ALL;
            cfg.scale = grid[g];
            cfg.rng = o->rng;
            memset(pc.found, 0, ns * sizeof(uint64_t));
            memset(pc.total, 0, ns * sizeof(uint64_t));
            memset(pc.mag_sum, 0, ns * sizeof(double));
            rc = make_thresholds(o, scn, &cfg.th);
            if (rc == 0)
                rc = run_pass(&cfg, o->jobs, pg, power_add, &pc);
            for (size_t s = 0; s < ns && rc == 0; s++) {
                if (sns[i].kind[s] != (int)kind)
                    continue;
                power_row *pr = &rows[nr++];
                pr->scenario = i;
                pr->source = s;
                pr->g = g;
                pr->scale = grid[g];
                pr->found = pc.found[s];
                pr->total = pc.total[s];
                pr->magnitude =
                    pc.total[s]
                        ? effective_magnitude(kind, pc.mag_sum[s] / (double)pc.total[s], grid[g])
                        : 0;
                rate(&pr->recall, (double)pr->found, (double)pr->total);
            }
        }
        free(pc.found);
        free(pc.total);
        free(pc.mag_sum);
    }
    /* Group the rows per (scenario, bottleneck), grid order inside. */
    if (nr > 1)
        qsort(rows, nr, sizeof *rows, power_row_cmp);
    *rows_out = rows;
    *n_rows = nr;
    return rc;
}

/* Smallest grid scale of (scenario, source) from which recall stays >= 0.9; -1 when none. */
static double mde_scale(const power_row *rows, size_t n, size_t scn, size_t src, double *mag)
{
    double best = -1;
    *mag = 0;
    for (size_t i = n; i-- > 0;) {
        const power_row *r = &rows[i];
        if (r->scenario != scn || r->source != src)
            continue;
        if (!(r->recall.available && r->recall.value >= 0.9))
            break;
        best = r->scale;
        *mag = r->magnitude;
    }
    return best;
}

static void write_power(FILE *f, const vopts *o, fp_kind kind, const power_row *rows, size_t n,
                        const fp_cli_scenarios *scns, const source_names *sns)
{
    switch (o->format) {
    case FP_REPORT_JSON:
        fprintf(f,
                "{\n  \"fpsim_validate_power\": 1, \"kind\": \"%s\", \"runs\": %llu,\n"
                "  \"points\": [",
                fp_kind_name(kind), (unsigned long long)o->runs);
        for (size_t i = 0; i < n; i++) {
            const power_row *r = &rows[i];
            fprintf(f, "%s\n    {\"scenario\": ", i ? "," : "");
            fp_cli_json_str(f, fp_scenario_name(scns->items[r->scenario]));
            fprintf(f, ", \"bottleneck\": %zu, \"target\": ", r->source);
            fp_cli_json_str(f, sns[r->scenario].name[r->source]);
            fprintf(
                f, ", \"scale\": %.17g, \"magnitude\": %.6f, \"found\": %llu, \"labels\": %llu, ",
                r->scale, r->magnitude, (unsigned long long)r->found, (unsigned long long)r->total);
            json_rate(f, "recall", &r->recall);
            fputc('}', f);
        }
        fputs("\n  ],\n  \"mde\": [", f);
        {
            int first = 1;
            for (size_t i = 0; i < n; i++) {
                if (i > 0 && rows[i].scenario == rows[i - 1].scenario &&
                    rows[i].source == rows[i - 1].source)
                    continue;
                double mag, s = mde_scale(rows, n, rows[i].scenario, rows[i].source, &mag);
                fprintf(f, "%s\n    {\"scenario\": ", first ? "" : ",");
                fp_cli_json_str(f, fp_scenario_name(scns->items[rows[i].scenario]));
                fprintf(f, ", \"bottleneck\": %zu, ", rows[i].source);
                if (s >= 0)
                    fprintf(f, "\"scale\": %.17g, \"magnitude\": %.6f}", s, mag);
                else
                    fputs("\"scale\": null, \"magnitude\": null}", f);
                first = 0;
            }
        }
        fputs("\n  ]\n}\n", f);
        return;
    case FP_REPORT_CSV:
        fputs("scenario,bottleneck,target,scale,magnitude,found,labels,recall,recall_lo,"
              "recall_hi\r\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const power_row *r = &rows[i];
            fp_cli_csv_str(f, fp_scenario_name(scns->items[r->scenario]));
            fprintf(f, ",%zu,", r->source);
            fp_cli_csv_str(f, sns[r->scenario].name[r->source]);
            fprintf(f, ",%.17g,%.6f,%llu,%llu", r->scale, r->magnitude,
                    (unsigned long long)r->found, (unsigned long long)r->total);
            csv_rate(f, &r->recall);
            fputs("\r\n", f);
        }
        return;
    case FP_REPORT_MARKDOWN:
        fprintf(f,
                "# Power: %s\n\n| scenario | # | target | scale | magnitude (%s) | found / "
                "labels | recall [95 %% CI] |\n|---|---:|---|---:|---:|---:|---|\n",
                fp_kind_name(kind), magnitude_label(kind));
        for (size_t i = 0; i < n; i++) {
            const power_row *r = &rows[i];
            fputs("| ", f);
            fp_cli_md_str(f, fp_scenario_name(scns->items[r->scenario]));
            fprintf(f, " | %zu | ", r->source);
            fp_cli_md_str(f, sns[r->scenario].name[r->source]);
            fprintf(f, " | %g | %.3f | %llu / %llu |", r->scale, r->magnitude,
                    (unsigned long long)r->found, (unsigned long long)r->total);
            md_rate(f, &r->recall);
            fputc('\n', f);
        }
        break;
    default:
        fprintf(f,
                "power: %s, %llu runs per magnitude, every bottleneck injected; magnitude = %s\n",
                fp_kind_name(kind), (unsigned long long)o->runs, magnitude_label(kind));
        for (size_t i = 0; i < n; i++) {
            const power_row *r = &rows[i];
            if (i == 0 || r->scenario != rows[i - 1].scenario || r->source != rows[i - 1].source)
                fprintf(f, "\n%s [%zu] on %s\n  %-8s %12s %10s  %s\n",
                        fp_scenario_name(scns->items[r->scenario]), r->source,
                        sns[r->scenario].name[r->source], "scale", "magnitude", "found",
                        "detection probability [95% CI]");
            char fl[48];
            snprintf(fl, sizeof fl, "%llu/%llu", (unsigned long long)r->found,
                     (unsigned long long)r->total);
            fprintf(f, "  %-8g %12.3f %10s  ", r->scale, r->magnitude, fl);
            text_rate(f, &r->recall, 0);
            fputc('\n', f);
        }
        break;
    }
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && rows[i].scenario == rows[i - 1].scenario &&
            rows[i].source == rows[i - 1].source)
            continue;
        double mag, s = mde_scale(rows, n, rows[i].scenario, rows[i].source, &mag);
        fprintf(f, "%sminimum detectable effect (recall >= 0.9) of %s [%zu] on %s: ",
                o->format == FP_REPORT_MARKDOWN ? "- " : "",
                fp_scenario_name(scns->items[rows[i].scenario]), rows[i].source,
                sns[rows[i].scenario].name[rows[i].source]);
        if (s >= 0)
            fprintf(f, "scale %g (magnitude %.3f)\n", s, mag);
        else
            fputs("not reached on the grid\n", f);
    }
}

/* ---- options ---- */

static int parse_grid(vopts *o, const char *s)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", s);
    o->n_grid = 0;
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        double v;
        if (o->n_grid == MAX_GRID || fp_cli_parse_double(tok, &v) != 0 || !(v >= 0))
            return -1;
        o->grid[o->n_grid++] = v;
    }
    return o->n_grid > 0 ? 0 : -1;
}

static int parse(vopts *o, int argc, char **argv)
{
    enum { O_SEED = 256, O_RNG, O_INJECT, O_NOTTD, O_SWEEP, O_POWER, O_GRID, O_SET, O_FAIL };
    static const struct option longopts[] = {{"scenario", required_argument, NULL, 's'},
                                             {"runs", required_argument, NULL, 'n'},
                                             {"seed", required_argument, NULL, O_SEED},
                                             {"rng", required_argument, NULL, O_RNG},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"inject", required_argument, NULL, O_INJECT},
                                             {"no-ttd", no_argument, NULL, O_NOTTD},
                                             {"sweep", required_argument, NULL, O_SWEEP},
                                             {"power", required_argument, NULL, O_POWER},
                                             {"grid", required_argument, NULL, O_GRID},
                                             {"set", required_argument, NULL, O_SET},
                                             {"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"fail-below", required_argument, NULL, O_FAIL},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:n:j:f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if ((rc = fp_cli_opt_scenario(&o->scenarios, &o->n_scenarios, optarg)) != 0)
                return rc;
            break;
        case 'n':
            if ((rc = fp_cli_opt_runs(optarg, 100000000, &o->runs)) != 0)
                return rc;
            break;
        case O_SEED:
            if ((rc = fp_cli_opt_seed(optarg, &o->seed, &o->has_seed)) != 0)
                return rc;
            break;
        case O_RNG:
            if ((rc = fp_cli_opt_rng(optarg, &o->rng)) != 0)
                return rc;
            break;
        case 'j': {
            uint64_t j;
            if (fp_cli_parse_u64(optarg, &j) != 0 || j == 0 || j > 256)
                return fp_cli_usage("--jobs must be an integer in [1, 256], got '%s'", optarg);
            o->jobs = (unsigned)j;
            break;
        }
        case O_INJECT:
            if (strcmp(optarg, "both") == 0)
                o->inject = INJECT_BOTH;
            else if (strcmp(optarg, "all") == 0)
                o->inject = INJECT_ALL;
            else if (strcmp(optarg, "none") == 0)
                o->inject = INJECT_NONE;
            else if (strcmp(optarg, "scenario") == 0)
                o->inject = INJECT_SCENARIO;
            else
                return fp_cli_usage("--inject must be both, all, none or scenario, got '%s'",
                                    optarg);
            break;
        case O_NOTTD:
            o->ttd = 0;
            break;
        case O_SWEEP:
            o->sweep = optarg;
            break;
        case O_POWER: {
            fp_kind k;
            if (fp_kind_from_name(optarg, &k) != FP_OK)
                return fp_cli_usage("--power: unknown bottleneck kind '%s'", optarg);
            o->power = (int)k;
            break;
        }
        case O_GRID:
            if (parse_grid(o, optarg) != 0)
                return fp_cli_usage("--grid must be a comma-separated list of at most %d "
                                    "numbers >= 0, got '%s'",
                                    MAX_GRID, optarg);
            break;
        case O_SET: {
            char *eq = strchr(optarg, '=');
            double v;
            fp_thresholds probe = FP_THRESHOLDS_INIT;
            fp_error err = FP_ERROR_INIT;
            if (eq == NULL || fp_cli_parse_double(eq + 1, &v) != 0)
                return fp_cli_usage("--set needs KEY=NUMBER, got '%s'", optarg);
            if (o->n_sets == MAX_SETS)
                return fp_cli_usage("--set: at most %d thresholds", MAX_SETS);
            *eq = '\0';
            if (fp_thresholds_set(&probe, optarg, v, &err) != FP_OK)
                return fp_cli_usage("--set: %s", err.msg);
            o->set_key[o->n_sets] = optarg;
            o->set_val[o->n_sets++] = v;
            break;
        }
        case 'f':
            if (fp_report_format_from_name(optarg, &o->format) != FP_OK)
                return fp_cli_usage("--format must be text, json, markdown or csv, got '%s'",
                                    optarg);
            break;
        case 'o':
            o->output = optarg;
            break;
        case O_FAIL:
            if (fp_cli_parse_double(optarg, &o->fail_below) != 0 || o->fail_below < 0 ||
                o->fail_below > 1)
                return fp_cli_usage("--fail-below must be a number in [0, 1], got '%s'", optarg);
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            fputs(s_help, stdout);
            return -1;
        case ':':
            return fp_cli_usage("option '%s' needs an argument", argv[optind - 1]);
        default:
            return fp_cli_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fp_cli_usage("unexpected argument '%s'", argv[optind]);
    if (o->sweep != NULL && o->power >= 0)
        return fp_cli_usage("--sweep and --power cannot be combined");
    if (o->n_grid > 0 && o->sweep == NULL && o->power < 0)
        return fp_cli_usage("--grid needs --sweep or --power");
    if (o->fail_below >= 0 && (o->sweep != NULL || o->power >= 0))
        return fp_cli_usage("--fail-below applies to the accuracy report, not to --sweep or "
                            "--power");
    if (o->power >= 0 && o->n_grid > 0) {
        for (size_t i = 0; i < o->n_grid; i++)
            if (!(o->grid[i] > 0))
                return fp_cli_usage("--grid scales for --power must be > 0");
    }
    return 0;
}

/* Resolves --sweep to a kind, key and default grid. Returns 0 or a usage exit status. */
static int resolve_sweep(const vopts *o, fp_kind *kind, const char **key, double *grid, size_t *n)
{
    for (size_t i = 0; i < sizeof s_sweeps / sizeof s_sweeps[0]; i++) {
        if (strcmp(o->sweep, s_sweeps[i].detector) == 0 || strcmp(o->sweep, s_sweeps[i].key) == 0) {
            fp_kind_from_name(s_sweeps[i].detector, kind);
            *key = s_sweeps[i].key;
            *n = s_sweeps[i].n;
            memcpy(grid, s_sweeps[i].grid, *n * sizeof *grid);
            return 0;
        }
    }
    /* Any other threshold key: its detector is the part before the dot; grid around default. */
    double def;
    fp_thresholds t = FP_THRESHOLDS_INIT;
    fp_error err = FP_ERROR_INIT;
    if (fp_thresholds_get(&t, o->sweep, &def, &err) != FP_OK)
        return fp_cli_usage("--sweep: unknown detector or threshold '%s'", o->sweep);
    char det[64];
    snprintf(det, sizeof det, "%s", o->sweep);
    det[strcspn(det, ".")] = '\0';
    if (strcmp(det, "score") == 0 || fp_kind_from_name(det, kind) != FP_OK)
        return fp_cli_usage("--sweep: '%s' is not a detector threshold", o->sweep);
    *key = o->sweep;
    static const double mult[] = {0.25, 0.5, 0.75, 1, 1.5, 2, 4};
    *n = 0;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        grid[(*n)++] = def * mult[i];
    return 0;
}

static void rate(fp_validate_rate *r, double num, double den)
{
    r->num = num;
    r->den = den;
    r->available = den > 0;
    r->value = den > 0 ? num / den : 0;
    if (fp_validate_wilson(&r->lo, &r->hi, num, den, 0.95, NULL) != FP_OK || !r->available)
        r->lo = r->hi = 0;
}

int fp_cmd_validate(int argc, char **argv)
{
    vopts o;
    memset(&o, 0, sizeof o);
    o.runs = 100;
    o.jobs = 1;
    o.ttd = 1;
    o.power = -1;
    o.fail_below = -1;
    o.format = FP_REPORT_TEXT;
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof out);
    scen_result *res = NULL;
    source_names *sns = NULL;
    fp_validate_acc *all = NULL;
    power_row *prows = NULL;
    int gate = 0;
    progress pg;
    memset(&pg, 0, sizeof pg);

    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    fp_kind sweep_kind = FP_KIND_SLOW_METHOD;
    const char *sweep_key = NULL;
    double sweep_grid[MAX_GRID];
    size_t n_sweep = 0;
    if (o.sweep != NULL) {
        if ((rc = resolve_sweep(&o, &sweep_kind, &sweep_key, sweep_grid, &n_sweep)) != 0)
            goto done;
        if (o.n_grid > 0) {
            memcpy(sweep_grid, o.grid, o.n_grid * sizeof *sweep_grid);
            n_sweep = o.n_grid;
        }
    }
    if (o.n_scenarios == 0) {
        static char all_name[] = "all";
        static char *def[] = {all_name};
        rc = fp_cli_load_scenarios(&scns, def, 1);
    } else {
        rc = fp_cli_load_scenarios(&scns, o.scenarios, o.n_scenarios);
    }
    if (rc != 0)
        goto done;
    if ((rc = fp_cli_out_open(&out, o.output)) != 0)
        goto done;

    unsigned per_index = o.inject == INJECT_BOTH ? 2 : 1;
    pg.on = !o.quiet && isatty(STDERR_FILENO);
    pg.t0 = now_s();
    fp_error err = FP_ERROR_INIT;

    if (o.sweep != NULL) {
        sweep_point pts[MAX_GRID];
        pg.total = o.runs * per_index * scns.n * n_sweep;
        if ((rc = run_sweep(&o, &scns, &pg, sweep_kind, sweep_key, sweep_grid, n_sweep, pts)) != 0)
            goto done;
        progress_tick(&pg, 0, 1);
        write_sweep(out.f, &o, sweep_kind, sweep_key, pts, n_sweep);
    } else if (o.power >= 0) {
        const double *grid = o.n_grid > 0 ? o.grid : s_power_grid;
        size_t ng = o.n_grid > 0 ? o.n_grid : sizeof s_power_grid / sizeof s_power_grid[0];
        size_t nr = 0;
        sns = calloc(scns.n, sizeof *sns);
        if (sns == NULL) {
            fp_cli_errorf("out of memory");
            rc = FP_EXIT_SOFTWARE;
            goto done;
        }
        pg.total = o.runs * scns.n * ng;
        if ((rc = run_power(&o, &scns, &pg, (fp_kind)o.power, grid, ng, &prows, &nr, sns)) != 0)
            goto done;
        progress_tick(&pg, 0, 1);
        write_power(out.f, &o, (fp_kind)o.power, prows, nr, &scns, sns);
    } else {
        res = calloc(scns.n, sizeof *res);
        if (res == NULL || fp_validate_acc_new(&all, 0, &err) != FP_OK) {
            fp_cli_errorf("out of memory");
            rc = FP_EXIT_SOFTWARE;
            goto done;
        }
        pg.total = o.runs * per_index * scns.n;
        for (size_t i = 0; i < scns.n; i++) {
            pass_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.scn = scns.items[i];
            cfg.seed = fp_cli_seed_for(o.has_seed, o.seed, cfg.scn);
            cfg.runs = o.runs;
            cfg.inject = o.inject;
            cfg.scale = 1.0;
            cfg.ttd = o.ttd;
            cfg.rng = o.rng;
            res[i].name = fp_scenario_name(cfg.scn);
            res[i].seed = cfg.seed;
            if ((rc = make_thresholds(&o, cfg.scn, &cfg.th)) != 0 ||
                (rc = probe_sources(&res[i].sn, cfg.scn, cfg.seed, o.rng)) != 0)
                goto done;
            if (fp_validate_acc_new(&res[i].acc, res[i].sn.n, &err) != FP_OK) {
                rc = fp_cli_report_error(&err);
                goto done;
            }
            acc_pair ap = {res[i].acc, all};
            if ((rc = run_pass(&cfg, o.jobs, &pg, add_both, &ap)) != 0)
                goto done;
            if (fp_validate_acc_summary(res[i].acc, &res[i].sum, &err) != FP_OK) {
                rc = fp_cli_report_error(&err);
                goto done;
            }
        }
        progress_tick(&pg, 0, 1);
        fp_validate_summary s_all;
        if (fp_validate_acc_summary(all, &s_all, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
        write_report(out.f, &o, res, scns.n, &s_all);
        if (o.fail_below >= 0 &&
            (!s_all.overall.f1.available || s_all.overall.f1.value < o.fail_below)) {
            gate = 1;
            fp_cli_errorf("overall F1 %.4f is below --fail-below %g",
                          s_all.overall.f1.available ? s_all.overall.f1.value : 0.0, o.fail_below);
        }
    }
    rc = fp_cli_out_commit(&out);
    if (rc == 0 && gate)
        rc = FP_EXIT_FINDINGS;
done:
    if (rc != 0 && rc != FP_EXIT_FINDINGS)
        fp_cli_out_abort(&out);
    for (size_t i = 0; res != NULL && i < scns.n; i++) {
        fp_validate_acc_free(res[i].acc);
        source_names_free(&res[i].sn);
    }
    for (size_t i = 0; sns != NULL && i < scns.n; i++)
        source_names_free(&sns[i]);
    free(sns);
    free(res);
    free(prows);
    fp_validate_acc_free(all);
    fp_cli_free_scenarios(&scns);
    free(o.scenarios);
    return rc;
}
