/*
 * fp_report_json.c - the report as one JSON document (structure in docs/output-formats.md,
 * "Report JSON"; version FP_REPORT_SCHEMA_VERSION).
 *
 * cJSON builds the structure, but it never sees a string value nor a double. Strings are escaped
 * by fpsim's one JSON escaper (profile/fp_escape.h) and added raw, so every JSON output writes a
 * name the same way. cJSON 1.7.15 prints NaN/Inf as null without warning and loses digits of
 * some values, so every number is formatted by fpsim (shortest "%.Ng" that reads back exactly,
 * integers as integers) and added with cJSON_CreateRaw. A value that is not finite or not available
 * is written as null. Seeds are strings, because a 64-bit seed does not fit a JSON number read as a
 * double.
 */
#include "fp_report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_escape.h"

/* Build context: the first allocation failure is sticky. */
typedef struct jctx {
    int oom;
} jctx;

static cJSON *chk(jctx *c, cJSON *item)
{
    if (item == NULL)
        c->oom = 1;
    return item;
}

static void add(jctx *c, cJSON *obj, const char *key, cJSON *item)
{
    if (item == NULL) {
        c->oom = 1;
        return;
    }
    if (obj == NULL ||
        (key ? !cJSON_AddItemToObject(obj, key, item) : !cJSON_AddItemToArray(obj, item))) {
        cJSON_Delete(item);
        c->oom = 1;
    }
}

static cJSON *num(double v)
{
    char buf[64];
    if (!isfinite(v))
        return cJSON_CreateNull();
    return cJSON_CreateRaw(fp_fmt_exact(buf, sizeof buf, v));
}

static void jnum(jctx *c, cJSON *o, const char *key, double v)
{
    add(c, o, key, num(v));
}

static void juint(jctx *c, cJSON *o, const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    add(c, o, key, cJSON_CreateRaw(buf));
}

/* Strings are escaped by fpsim's one JSON escaper (profile/fp_escape.h), not by cJSON, so every
 * JSON output of fpsim writes a name the same way. */
static void jstr(jctx *c, cJSON *o, const char *key, const char *s)
{
    char *q;
    if (s == NULL) {
        add(c, o, key, cJSON_CreateNull());
        return;
    }
    if ((q = fp_json_quote(s)) == NULL) {
        c->oom = 1;
        return;
    }
    add(c, o, key, cJSON_CreateRaw(q));
    fp_free(q);
}

static void jbool(jctx *c, cJSON *o, const char *key, int v)
{
    add(c, o, key, cJSON_CreateBool(v));
}

static cJSON *jobj(jctx *c, cJSON *parent, const char *key)
{
    cJSON *o = chk(c, cJSON_CreateObject());
    if (o)
        add(c, parent, key, o);
    return c->oom ? NULL : o;
}

static cJSON *jarr(jctx *c, cJSON *parent, const char *key)
{
    cJSON *o = chk(c, cJSON_CreateArray());
    if (o)
        add(c, parent, key, o);
    return c->oom ? NULL : o;
}

/* {"median": m, "p5": a, "p95": b} */
static void jquant(jctx *c, cJSON *o, const char *key, const fp_qacc *q, double scale)
{
    cJSON *x = jobj(c, o, key);
    if (x == NULL)
        return;
    jnum(c, x, "median", scale * fp_qacc_get(q, FP_Q_MED));
    jnum(c, x, "p5", scale * fp_qacc_get(q, FP_Q_P5));
    jnum(c, x, "p95", scale * fp_qacc_get(q, FP_Q_P95));
}

static void ratio(jctx *c, cJSON *o, const char *key, size_t num_, size_t den)
{
    if (den == 0)
        add(c, o, key, cJSON_CreateNull());
    else
        jnum(c, o, key, (double)num_ / (double)den);
}

static void summary(jctx *c, cJSON *so, const fp_scn *s)
{
    cJSON *sum, *gt;
    if (s->runs == 0) { /* no run: nothing to summarise (not a row of zeros) */
        add(c, so, "summary", cJSON_CreateNull());
        add(c, so, "ground_truth_totals", cJSON_CreateNull());
        return;
    }
    sum = jobj(c, so, "summary");
    if (sum == NULL)
        return;
    for (int k = 0; k < FP_S_COUNT; k++)
        jquant(c, sum, fp_sum_infos[k].key, &s->sum[k], 1.0);
    jstr(c, sum, "status",
         fp_score_status_name(
             fp_score_status_from_score(fp_qacc_get(&s->sum[FP_S_SCORE], FP_Q_MED))));
    /* Only when something is unknown, so that reports of simulated runs keep their shape. */
    int any_na = 0;
    for (int k = 0; k < FP_S_COUNT; k++)
        any_na |= s->na_runs[k] == s->runs;
    if (any_na) {
        cJSON *na = jarr(c, sum, "not_available");
        for (int k = 0; na != NULL && k < FP_S_COUNT; k++)
            if (s->na_runs[k] == s->runs)
                jstr(c, na, NULL, fp_sum_infos[k].key);
    }
    if (s->not_run != 0) {
        cJSON *nr = jarr(c, sum, "detectors_not_run");
        for (int k = 0; nr != NULL && k < FP_KIND_COUNT; k++)
            if (s->not_run >> k & 1u)
                jstr(c, nr, NULL, fp_kind_name((fp_kind)k));
    }
    if (s->simulated_runs == 0) {
        add(c, so, "ground_truth_totals", cJSON_CreateNull());
        return;
    }
    gt = jobj(c, so, "ground_truth_totals");
    if (gt == NULL)
        return;
    juint(c, gt, "simulated_runs", s->simulated_runs);
    juint(c, gt, "found", s->t_found);
    juint(c, gt, "missed", s->t_missed);
    juint(c, gt, "not_observable", s->t_unobservable);
    juint(c, gt, "true_findings", s->f_true);
    juint(c, gt, "false_alarms", s->f_false);
    ratio(c, gt, "recall", s->t_found, s->t_found + s->t_missed);
    ratio(c, gt, "precision", s->f_true, s->f_true + s->f_false);
}

/* The ranked findings of run `d` (the detailed run), as key "findings" of `parent`. */
static void findings(jctx *c, cJSON *parent, const fp_detail *d)
{
    cJSON *arr = jarr(c, parent, "findings"), *x;
    size_t i, k;
    for (i = 0; arr && i < d->n_findings; i++) {
        const fp_finding *f = &d->findings[i];
        cJSON *ev, *sg;
        if (!(x = jobj(c, arr, NULL)))
            break;
        juint(c, x, "rank", i + 1);
        if (f->caused_by > 0)
            juint(c, x, "caused_by", f->caused_by);
        jstr(c, x, "kind", fp_kind_name(f->kind));
        jstr(c, x, "target", f->target_name);
        jstr(c, x, "severity", fp_severity_name(f->severity));
        jnum(c, x, "impact", f->impact);
        jnum(c, x, "share", f->share);
        jnum(c, x, "excess", f->excess);
        jnum(c, x, "start_s", f->start_s);
        jnum(c, x, "end_s", f->end_s);
        jstr(c, x, "rule", f->rule);
        jnum(c, x, "measured", f->measured);
        jnum(c, x, "threshold", f->threshold);
        jstr(c, x, "unit", f->unit);
        ev = jobj(c, x, "evidence");
        for (k = 0; ev && k < f->n_evidence; k++)
            jnum(c, ev, f->evidence[k].name, f->evidence[k].value);
        jstr(c, x, "root_cause", f->root_cause);
        sg = jarr(c, x, "suggestions");
        for (k = 0; sg && k < f->n_suggestions; k++)
            jstr(c, sg, NULL, f->suggestions[k]);
        jnum(c, x, "improvement", f->improvement);
        jstr(c, x, "improvement_unit", f->improvement_unit);
        if (!d->simulated)
            add(c, x, "truth", cJSON_CreateNull());
        else if (d->match.finding_truth[i] >= 0)
            juint(c, x, "truth", (uint64_t)d->match.finding_truth[i] + 1);
        else if (d->match.finding_truth[i] == FP_MATCH_CONSEQUENCE)
            jstr(c, x, "truth", "consequence");
        else
            jbool(c, x, "truth", 0);
    }
}

/* The detailed run's run events (fpsim record's guard breaches and sampling gaps) as key
 * "run_events" of `so`, only when it has some (every other output is unchanged). */
static void run_events(jctx *c, cJSON *so, const fp_detail *d)
{
    cJSON *ev, *br, *gp, *x;
    size_t i;
    if (d->n_events_total == 0 || !(ev = jobj(c, so, "run_events")))
        return;
    juint(c, ev, "run_index", d->run_index);
    juint(c, ev, "events_total", d->n_events_total);
    br = jarr(c, ev, "guard_breaches");
    gp = jarr(c, ev, "sampling_gaps");
    for (i = 0; br && gp && i < d->n_events; i++) {
        const fp_run_event *e = &d->events[i];
        if (!(x = jobj(c, e->kind == FP_EVENT_GUARD_BREACH ? br : gp, NULL)))
            break;
        if (e->kind == FP_EVENT_GUARD_BREACH) {
            jnum(c, x, "t_s", e->start_s);
            jstr(c, x, "guard", e->guard);
            jnum(c, x, "value", e->value);
            jnum(c, x, "limit", e->limit);
            jstr(c, x, "unit", e->unit);
            jstr(c, x, "action", e->action);
        } else {
            jnum(c, x, "start_s", e->start_s);
            jnum(c, x, "end_s", e->end_s);
            juint(c, x, "missed", e->missed);
        }
    }
}

static void detail(jctx *c, cJSON *so, const fp_scn *s)
{
    const fp_detail *d = &s->d;
    cJSON *dt = jobj(c, so, "detail"), *o, *arr, *x;
    size_t i;
    if (dt == NULL)
        return;
    juint(c, dt, "run_index", d->run_index);
    o = jobj(c, dt, "run");
    if (o) {
        jnum(c, o, "duration_s", d->run.duration_s);
        juint(c, o, "spans", d->run.span_count);
        juint(c, o, "methods", d->run.method_count);
        juint(c, o, "tracks", d->run.track_count);
        jnum(c, o, "self_s", d->run.self_s);
        jnum(c, o, "parallelism", d->run.parallelism);
        jstr(c, o, "memory_source", fp_source_name(d->run.mem_source));
        jnum(c, o, "peak_memory_mb", d->run.peak_mem_mb);
        jnum(c, o, "avg_memory_mb", d->run.avg_mem_mb);
        jnum(c, o, "memory_growth_mb", d->run.mem_growth_mb);
        jstr(c, o, "cpu_source", fp_source_name(d->run.cpu_source));
        jnum(c, o, "avg_cpu_pct", d->run.avg_cpu_pct);
        jnum(c, o, "peak_cpu_pct", d->run.peak_cpu_pct);
        jnum(c, o, "io_ops", d->run.io_ops);
        jnum(c, o, "io_bytes", d->run.io_bytes);
        jnum(c, o, "idle_path_s", d->run.idle_path_s);
        jnum(c, o, "score", d->score);
        jstr(c, o, "status", fp_score_status_name(d->status));
    }
    arr = jarr(c, dt, "methods");
    for (i = 0; arr && i < d->n_methods; i++) {
        const fp_method_metrics *m = &d->methods[i];
        if (!(x = jobj(c, arr, NULL)))
            break;
        jstr(c, x, "name", m->name);
        juint(c, x, "calls", m->calls);
        jnum(c, x, "total_s", m->total_s);
        jnum(c, x, "self_s", m->self_s);
        jnum(c, x, "mean_s", m->mean_s);
        jnum(c, x, "p50_s", m->p50_s);
        jnum(c, x, "p95_s", m->p95_s);
        jnum(c, x, "p99_s", m->p99_s);
        jnum(c, x, "alloc_mb", m->mem_alloc_mb);
        jnum(c, x, "retained_mb", m->mem_retained_mb);
        jnum(c, x, "cpu_pct", m->cpu_pct);
        jnum(c, x, "share", m->share);
        jnum(c, x, "io_ops", m->io_ops);
        jnum(c, x, "io_bytes", m->io_bytes);
    }
    if (d->baseline_runs > 0) { /* only with --baseline: outputs without one are unchanged */
        juint(c, dt, "baseline_runs", d->baseline_runs);
        arr = jarr(c, dt, "known_hotspots");
        for (i = 0; arr && i < d->n_known; i++) {
            const fp_known_hotspot *h = &d->known[i];
            if (!(x = jobj(c, arr, NULL)))
                break;
            jstr(c, x, "kind", fp_kind_name(h->kind));
            jstr(c, x, "target", h->target_name);
            jstr(c, x, "rule", h->rule);
            jnum(c, x, "measured", h->measured);
            jnum(c, x, "threshold", h->threshold);
            jstr(c, x, "unit", h->unit);
            jnum(c, x, "baseline_median", h->baseline_median);
            jnum(c, x, "baseline_p99", h->baseline_p99);
            jstr(c, x, "text", h->text);
        }
    }
    arr = jarr(c, dt, "critical_path");
    for (i = 0; arr && i < d->n_path; i++) {
        if (!(x = jobj(c, arr, NULL)))
            break;
        jstr(c, x, "method", d->path[i].name);
        juint(c, x, "spans", d->path[i].spans);
        jnum(c, x, "path_s", d->path[i].seconds);
        jnum(c, x, "share", d->path[i].share);
    }
    if (d->n_markers_total > 0) { /* only inputs with markers (traces): other outputs unchanged */
        juint(c, dt, "markers_total", d->n_markers_total);
        arr = jarr(c, dt, "markers");
        for (i = 0; arr && i < d->n_markers; i++) {
            if (!(x = jobj(c, arr, NULL)))
                break;
            jstr(c, x, "name", d->markers[i].name);
            jnum(c, x, "t_s", d->markers[i].ts_s);
            if (d->markers[i].track == FP_MARKER_NO_TRACK)
                add(c, x, "track", cJSON_CreateNull());
            else
                juint(c, x, "track", d->markers[i].track);
        }
    }
    findings(c, dt, d);
    arr = jarr(c, dt, "recommendations");
    for (i = 0; arr && i < d->n_recs; i++) {
        const fp_recommendation *rc = &d->recs[i];
        if (!(x = jobj(c, arr, NULL)))
            break;
        juint(c, x, "rank", rc->rank);
        juint(c, x, "finding", rc->finding + 1);
        jstr(c, x, "kind", fp_kind_name(rc->kind));
        jstr(c, x, "target", rc->target_name);
        jstr(c, x, "text", rc->text);
        jstr(c, x, "evidence", rc->evidence);
        jnum(c, x, "improvement", rc->improvement);
        jstr(c, x, "improvement_unit", rc->improvement_unit);
    }
    if (!d->simulated) {
        add(c, dt, "ground_truth", cJSON_CreateNull());
        return;
    }
    o = jobj(c, dt, "ground_truth");
    if (o == NULL)
        return;
    jnum(c, o, "tolerance_s", d->match.tolerance_s);
    arr = jarr(c, o, "records");
    for (i = 0; arr && i < d->n_truth; i++) {
        const fp_truth *t = &d->truth[i];
        if (!(x = jobj(c, arr, NULL)))
            break;
        juint(c, x, "index", i + 1);
        jstr(c, x, "kind", fp_kind_name(t->kind));
        jstr(c, x, "target", d->truth_target[i]);
        juint(c, x, "source", t->source);
        jnum(c, x, "start_s", t->start_s);
        jnum(c, x, "end_s", t->end_s);
        jnum(c, x, "magnitude", t->magnitude);
        juint(c, x, "affected_calls", t->affected_calls);
        jnum(c, x, "extra_s", t->extra_s);
        jnum(c, x, "extra_mb", t->extra_mb);
        jnum(c, x, "extra_calls", t->extra_calls);
        jnum(c, x, "extra_io_ops", t->extra_io_ops);
        jnum(c, x, "extra_io_bytes", t->extra_io_bytes);
        jnum(c, x, "extra_cpu_pct_s", t->extra_cpu_pct_s);
        jstr(c, x, "outcome", fp_truth_outcome_name(d->match.truth_outcome[i]));
        if (d->match.truth_finding[i] >= 0)
            juint(c, x, "finding", (uint64_t)d->match.truth_finding[i] + 1);
        else
            add(c, x, "finding", cJSON_CreateNull());
    }
}

static void across(jctx *c, cJSON *so, const fp_scn *s)
{
    static const char *const mkeys[FP_M_COUNT] = {"calls", "total_s",  "mean_s",  "p50_s", "p95_s",
                                                  "p99_s", "alloc_mb", "cpu_pct", "share"};
    cJSON *o = jobj(c, so, "across_runs"), *arr, *x;
    size_t *ix, i;
    if (o == NULL)
        return;
    ix = fp_report_sorted_maggs(s);
    arr = jarr(c, o, "methods");
    for (i = 0; ix && arr && i < s->n_maggs; i++) {
        const fp_magg *g = &s->maggs[ix[i]];
        if (!(x = jobj(c, arr, NULL)))
            break;
        jstr(c, x, "name", g->name);
        juint(c, x, "runs", g->runs);
        for (int k = 0; k < FP_M_COUNT; k++)
            jquant(c, x, mkeys[k], &g->q[k], 1.0);
    }
    c->oom |= ix == NULL;
    fp_free(ix);
    ix = fp_report_sorted_faggs(s);
    arr = jarr(c, o, "findings");
    for (i = 0; ix && arr && i < s->n_faggs; i++) {
        const fp_fagg *g = &s->faggs[ix[i]];
        if (!(x = jobj(c, arr, NULL)))
            break;
        jstr(c, x, "kind", fp_kind_name(g->kind));
        jstr(c, x, "target", g->target);
        juint(c, x, "runs", g->runs);
        jquant(c, x, "impact", &g->impact, 1.0);
        jstr(c, x, "worst_severity", fp_severity_name(g->worst));
        if (s->simulated_runs)
            juint(c, x, "false_alarm_runs", g->false_runs);
        else
            add(c, x, "false_alarm_runs", cJSON_CreateNull());
    }
    c->oom |= ix == NULL;
    fp_free(ix);
    ix = fp_report_sorted_taggs(s);
    arr = jarr(c, o, "ground_truth");
    for (i = 0; ix && arr && i < s->n_taggs; i++) {
        const fp_tagg *g = &s->taggs[ix[i]];
        if (!(x = jobj(c, arr, NULL)))
            break;
        jstr(c, x, "kind", fp_kind_name(g->kind));
        jstr(c, x, "target", g->target);
        juint(c, x, "records", g->records);
        juint(c, x, "found", g->found);
        juint(c, x, "missed", g->missed);
        juint(c, x, "not_observable", g->unobservable);
        ratio(c, x, "recall", g->found, g->found + g->missed);
    }
    c->oom |= ix == NULL;
    fp_free(ix);
}

static void comparison(jctx *c, cJSON *root, const fp_report *r)
{
    static const int cols[] = {FP_S_DURATION, FP_S_PEAK_MEM, FP_S_AVG_CPU,    FP_S_PEAK_CPU,
                               FP_S_IO_OPS,   FP_S_SCORE,    FP_S_F_CRITICAL, FP_S_F_HIGH,
                               FP_S_F_MEDIUM, FP_S_F_LOW,    FP_S_F_TOTAL};
    static const struct {
        const char *key;
        int k, highest;
    } picks[] = {
        {"best_score", FP_S_SCORE, 1},
        {"worst_score", FP_S_SCORE, 0},
        {"fastest", FP_S_DURATION, 0},
        {"slowest", FP_S_DURATION, 1},
        {"highest_peak_memory", FP_S_PEAK_MEM, 1},
        {"most_findings", FP_S_F_TOTAL, 1},
    };
    cJSON *cmp, *arr, *x, *g, *pk;
    size_t i, j;
    if (r->n_scns < 2) {
        add(c, root, "comparison", cJSON_CreateNull());
        return;
    }
    cmp = jobj(c, root, "comparison");
    arr = jarr(c, cmp, "rows");
    for (i = 0; arr && i < r->n_scns; i++) {
        const fp_scn *s = r->scns[i];
        if (!(x = jobj(c, arr, NULL)))
            break;
        jstr(c, x, "scenario", s->name);
        juint(c, x, "runs", s->runs);
        for (j = 0; j < sizeof cols / sizeof cols[0]; j++) {
            if (s->runs)
                jquant(c, x, fp_sum_infos[cols[j]].key, &s->sum[cols[j]], 1.0);
            else
                add(c, x, fp_sum_infos[cols[j]].key, cJSON_CreateNull());
        }
    }
    g = jobj(c, cmp, "geometric_mean");
    for (j = 0; g && j < sizeof cols / sizeof cols[0]; j++) {
        int ok;
        double v = fp_report_geomean(r, cols[j], &ok);
        add(c, g, fp_sum_infos[cols[j]].key, ok ? num(v) : cJSON_CreateNull());
    }
    pk = jobj(c, cmp, "picks");
    for (j = 0; pk && j < sizeof picks / sizeof picks[0]; j++) {
        size_t w = fp_report_pick(r, picks[j].k, picks[j].highest);
        if (w == (size_t)-1) {
            add(c, pk, picks[j].key, cJSON_CreateNull());
            continue;
        }
        x = jobj(c, pk, picks[j].key);
        if (x == NULL)
            break;
        jstr(c, x, "scenario", r->scns[w]->name);
        jnum(c, x, fp_sum_infos[picks[j].k].key,
             fp_qacc_get(&r->scns[w]->sum[picks[j].k], FP_Q_MED));
    }
}

fp_status fp_report_write_json(const fp_report *r, FILE *out, fp_error *err)
{
    jctx c = {0};
    fp_json_use_allocator(); /* cJSON's allocations through the seam (fp_core.h) */
    cJSON *root = cJSON_CreateObject(), *arr, *mt;
    char *text = NULL;
    fp_status st = FP_OK;
    size_t i;

    if (root == NULL)
        return fp_error_set(err, FP_ENOMEM, "report: out of memory");
    juint(&c, root, "schema_version", FP_REPORT_SCHEMA_VERSION);
    jstr(&c, root, "fpsim_version", fp_report_meta_get(NULL).fpsim_version);
    jstr(&c, root, "title", r->title);
    jbool(&c, root, "detailed", r->opt.detailed);
    mt = jobj(&c, root, "match_tolerance");
    if (mt) {
        jnum(&c, mt, "abs_s", r->match.abs_tol_s);
        jnum(&c, mt, "rel", r->match.rel_tol);
    }
    juint(&c, root, "exact_quantiles_up_to_runs", FP_REPORT_EXACT_RUNS);
    arr = jarr(&c, root, "scenarios");
    for (i = 0; arr && i < r->n_scns && !c.oom; i++) {
        const fp_scn *s = r->scns[i];
        cJSON *so = jobj(&c, arr, NULL);
        char seed[32];
        if (so == NULL)
            break;
        snprintf(seed, sizeof seed, "%" PRIu64, s->seed);
        jstr(&c, so, "name", s->name);
        jstr(&c, so, "seed", seed);
        jstr(&c, so, "rng", s->rng);
        jstr(&c, so, "gsl_version", s->gsl);
        jstr(&c, so, "fpsim_version", fp_report_meta_get(NULL).fpsim_version);
        juint(&c, so, "runs", s->runs);
        jstr(&c, so, "quantiles", s->runs > FP_REPORT_EXACT_RUNS ? "p2" : "exact");
        summary(&c, so, s);
        if (s->has_detail) /* always: --detailed adds detail, it never hides findings */
            findings(&c, so, &s->d);
        else
            add(&c, so, "findings", cJSON_CreateNull());
        if (s->has_detail)
            run_events(&c, so, &s->d);
        if (r->opt.detailed && s->has_detail) {
            detail(&c, so, s);
            if (s->runs > 1)
                across(&c, so, s);
            else
                add(&c, so, "across_runs", cJSON_CreateNull());
        } else {
            add(&c, so, "detail", cJSON_CreateNull());
            add(&c, so, "across_runs", cJSON_CreateNull());
        }
    }
    comparison(&c, root, r);
    if (c.oom) {
        st = fp_error_set(err, FP_ENOMEM, "report: out of memory");
        goto out;
    }
    text = cJSON_Print(root);
    if (text == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "report: out of memory");
        goto out;
    }
    if (fputs(text, out) == EOF || fputc('\n', out) == EOF || ferror(out))
        st = fp_error_set(err, FP_EIO, "report: write error");
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return st;
}
