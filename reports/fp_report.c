/*
 * fp_report.c - the report object: scenarios, runs, what is copied from each run, and the
 * aggregates over runs that every writer reads. The writers are in fp_report_text.c (text and
 * Markdown), fp_report_json.c and fp_report_csv.c.
 */
#include "fp_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fp_report_internal.h"

const fp_sum_info fp_sum_infos[FP_S_COUNT] = {
    {"duration_s", "Duration", "s", 3},
    {"peak_memory_mb", "Peak memory", "MB", 1},
    {"avg_memory_mb", "Average memory", "MB", 1},
    {"avg_cpu_pct", "Average CPU", "%", 1},
    {"peak_cpu_pct", "Peak CPU", "%", 1},
    {"io_ops", "I/O operations", "ops", 0},
    {"io_mb", "I/O volume", "MB", 1},
    {"score", "Score", "/100", 1},
    {"findings_critical", "Findings: critical", "", -1},
    {"findings_high", "Findings: high", "", -1},
    {"findings_medium", "Findings: medium", "", -1},
    {"findings_low", "Findings: low", "", -1},
    {"findings_total", "Findings: total", "", -1},
};

static const char *const s_format_names[] = {"text", "json", "markdown",
                                             "csv",  "html", "openmetrics"};
_Static_assert(sizeof s_format_names / sizeof s_format_names[0] == FP_REPORT_OPENMETRICS + 1,
               "s_format_names: one name per fp_report_format, in enum order (OpenMetrics is the "
               "last)");

fp_status fp_report_format_from_name(const char *name, fp_report_format *out)
{
    if (name == NULL)
        return FP_EINVAL;
    for (size_t i = 0; i < sizeof s_format_names / sizeof s_format_names[0]; i++) {
        if (strcmp(name, s_format_names[i]) == 0) {
            *out = (fp_report_format)i;
            return FP_OK;
        }
    }
    if (strcmp(name, "md") == 0) {
        *out = FP_REPORT_MARKDOWN;
        return FP_OK;
    }
    return FP_EINVAL;
}

const char *fp_report_format_name(fp_report_format f)
{
    if ((unsigned)f >= sizeof s_format_names / sizeof s_format_names[0])
        return NULL;
    return s_format_names[f];
}

/* ---- lifecycle ---- */

fp_report *fp_report_new(const fp_report_options *o)
{
    fp_report_options def = FP_REPORT_OPTIONS_INIT;
    fp_match_options mdef = FP_MATCH_OPTIONS_INIT;
    fp_report *r = fp_calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    if (o == NULL)
        o = &def;
    r->opt = *o;
    r->match = o->match ? *o->match : mdef;
    r->opt.match = &r->match;
    if (o->title && o->title[0]) {
        r->title = fp_strdup(o->title);
        if (r->title == NULL) {
            fp_free(r);
            return NULL;
        }
    }
    r->opt.title = r->title;
    return r;
}

static void detail_clear(fp_detail *d)
{
    fp_free(d->methods);
    fp_free(d->path);
    fp_free(d->findings);
    fp_free(d->recs);
    fp_free(d->known);
    fp_free(d->truth);
    fp_free(d->truth_target);
    fp_free(d->markers);
    fp_free(d->events);
    fp_match_result_cleanup(&d->match);
    fp_pics_free(d->pics);
    memset(d, 0, sizeof *d);
}

static void scn_free(fp_scn *s)
{
    size_t i;
    int k;
    if (s == NULL)
        return;
    fp_free(s->name);
    fp_free(s->rng);
    fp_free(s->gsl);
    for (k = 0; k < FP_S_COUNT; k++)
        fp_qacc_cleanup(&s->sum[k]);
    detail_clear(&s->d);
    for (i = 0; i < s->n_maggs; i++)
        for (k = 0; k < FP_M_COUNT; k++)
            fp_qacc_cleanup(&s->maggs[i].q[k]);
    fp_free(s->maggs);
    fp_smap_cleanup(&s->mmap);
    for (i = 0; i < s->n_faggs; i++) {
        fp_qacc_cleanup(&s->faggs[i].impact);
        fp_qacc_cleanup(&s->faggs[i].cost);
    }
    fp_free(s->faggs);
    fp_smap_cleanup(&s->fmap);
    fp_free(s->taggs);
    fp_smap_cleanup(&s->tmap);
    fp_free(s->guards);
    for (i = 0; i < s->n_pool; i++)
        fp_free(s->pool[i]);
    fp_free(s->pool);
    fp_free(s);
}

void fp_report_free(fp_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_scns; i++)
        scn_free(r->scns[i]);
    fp_free(r->scns);
    fp_free(r->title);
    fp_free(r);
}

size_t fp_report_scenario_count(const fp_report *r)
{
    return r->n_scns;
}

static char *dup0(const char *s)
{
    return fp_strdup(s ? s : "");
}

fp_status fp_report_begin_scenario(fp_report *r, const char *scenario, uint64_t seed,
                                   const char *rng, const char *gsl_version, fp_error *err)
{
    fp_scn *s;
    if (fp_grow((void **)&r->scns, &r->cap_scns, r->n_scns + 1, sizeof *r->scns) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "report: out of memory");
    s = fp_calloc(1, sizeof *s);
    if (s == NULL)
        return fp_error_set(err, FP_ENOMEM, "report: out of memory");
    s->name = dup0(scenario);
    s->rng = dup0(rng);
    s->gsl = dup0(gsl_version);
    s->seed = seed;
    fp_match_result_init(&s->d.match);
    if (!s->name || !s->rng || !s->gsl) {
        scn_free(s);
        return fp_error_set(err, FP_ENOMEM, "report: out of memory");
    }
    r->scns[r->n_scns++] = s;
    return FP_OK;
}

/* ---- copying a run ---- */

/* Copies `str` into the scenario's pool; NULL on ENOMEM. */
static const char *keep(fp_scn *s, const char *str)
{
    char *c;
    if (fp_grow((void **)&s->pool, &s->cap_pool, s->n_pool + 1, sizeof *s->pool) != FP_OK)
        return NULL;
    c = dup0(str);
    if (c)
        s->pool[s->n_pool++] = c;
    return c;
}

static const char *keep_pool(void *ctx, const char *str)
{
    return keep(ctx, str);
}

/* Allocates a copy of n elements of size `size` (n may be 0). */
static void *copy_array(const void *src, size_t n, size_t size)
{
    size_t bytes;
    void *dst;
    if (!fp_mul_size(n ? n : 1, size, &bytes))
        return NULL;
    dst = fp_malloc(bytes);
    if (dst && n)
        memcpy(dst, src, n * size);
    return dst;
}

static int fin(double v)
{
    return isfinite(v);
}

/* Checks that every number the report will print is finite. */
static int analysis_finite(const fp_analysis *a)
{
    const fp_run_metrics *m = fp_analysis_run(a);
    size_t n, i, k;
    const fp_method_metrics *mm;
    const fp_finding *f;
    const fp_path_entry *pe;
    if (!fin(m->duration_s) || !fin(m->peak_mem_mb) || !fin(m->avg_mem_mb) ||
        !fin(m->avg_cpu_pct) || !fin(m->peak_cpu_pct) || !fin(m->io_ops) || !fin(m->io_bytes) ||
        !fin(m->idle_path_s) || !fin(m->self_s) || !fin(m->parallelism) ||
        !fin(fp_analysis_score(a)))
        return 0;
    mm = fp_analysis_methods(a, &n);
    for (i = 0; i < n; i++) {
        if (!fin(mm[i].total_s) || !fin(mm[i].mean_s) || !fin(mm[i].p50_s) || !fin(mm[i].p95_s) ||
            !fin(mm[i].p99_s) || !fin(mm[i].mem_alloc_mb) || !fin(mm[i].cpu_pct) ||
            !fin(mm[i].share) || !fin(mm[i].self_s))
            return 0;
    }
    pe = fp_analysis_critical_path(a, &n);
    for (i = 0; i < n; i++)
        if (!fin(pe[i].seconds) || !fin(pe[i].share))
            return 0;
    f = fp_analysis_findings(a, &n);
    for (i = 0; i < n; i++) {
        if (!fin(f[i].impact) || !fin(f[i].start_s) || !fin(f[i].end_s) || !fin(f[i].measured) ||
            !fin(f[i].threshold) || !fin(f[i].improvement) || !fin(f[i].share) || !fin(f[i].excess))
            return 0;
        for (k = 0; k < f[i].n_evidence; k++)
            if (!fin(f[i].evidence[k].value))
                return 0;
    }
    return 1;
}

static int method_cmp_total(const fp_method_metrics *a, const fp_method_metrics *b)
{
    if (a->total_s != b->total_s)
        return a->total_s > b->total_s ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int method_qsort_cmp(const void *a, const void *b)
{
    return method_cmp_total(a, b);
}

const char *fp_report_target_label(const fp_profile *p, int32_t target)
{
    const char *n;
    if (target == FP_TARGET_PROCESS)
        return "process";
    n = fp_profile_method_name(p, (size_t)target);
    return n ? n : "?";
}

static fp_status keep_detail(fp_scn *s, const fp_profile *p, const fp_analysis *a,
                             const fp_match_result *mr, int simulated)
{
    fp_detail *d = &s->d;
    size_t n, i;
    const fp_method_metrics *mm = fp_analysis_methods(a, &n);
    const fp_path_entry *pe;
    const fp_finding *f;
    const fp_recommendation *rc;

    detail_clear(d); /* a previous attempt may have failed half-way */
    d->run_index = fp_profile_meta(p).run_index;
    d->simulated = simulated;
    d->run = *fp_analysis_run(a);
    d->score = fp_analysis_score(a);
    d->status = fp_analysis_status(a);

    d->methods = copy_array(mm, n, sizeof *mm);
    if (!d->methods)
        return FP_ENOMEM;
    d->n_methods = n;
    for (i = 0; i < n; i++)
        if (!(d->methods[i].name = keep(s, mm[i].name)))
            return FP_ENOMEM;
    if (n > 1)
        qsort(d->methods, n, sizeof *d->methods, method_qsort_cmp);

    pe = fp_analysis_critical_path(a, &n);
    d->path = copy_array(pe, n, sizeof *pe);
    if (!d->path)
        return FP_ENOMEM;
    d->n_path = n;
    for (i = 0; i < n; i++)
        if (!(d->path[i].name = keep(s, pe[i].name)))
            return FP_ENOMEM;

    f = fp_analysis_findings(a, &n);
    d->findings = copy_array(f, n, sizeof *f);
    if (!d->findings)
        return FP_ENOMEM;
    d->n_findings = n;
    for (i = 0; i < n; i++)
        if (!(d->findings[i].target_name = keep(s, f[i].target_name)))
            return FP_ENOMEM;

    rc = fp_analysis_recommendations(a, &n);
    d->recs = copy_array(rc, n, sizeof *rc);
    if (!d->recs)
        return FP_ENOMEM;
    d->n_recs = n;
    for (i = 0; i < n; i++)
        if (!(d->recs[i].target_name = keep(s, rc[i].target_name)))
            return FP_ENOMEM;

    {
        const fp_known_hotspot *kh = fp_analysis_known_hotspots(a, &n);
        d->baseline_runs = fp_analysis_baseline_runs(a);
        d->known = copy_array(kh, n, sizeof *kh);
        if (!d->known)
            return FP_ENOMEM;
        d->n_known = n;
        for (i = 0; i < n; i++)
            if (!(d->known[i].target_name = keep(s, kh[i].target_name)))
                return FP_ENOMEM;
    }

    if (simulated) {
        n = fp_profile_truth_count(p);
        d->truth = copy_array(fp_profile_truth(p), n, sizeof *d->truth);
        d->truth_target = fp_calloc(n ? n : 1, sizeof *d->truth_target);
        if (!d->truth || !d->truth_target)
            return FP_ENOMEM;
        d->n_truth = n;
        for (i = 0; i < n; i++)
            if (!(d->truth_target[i] = keep(s, fp_report_target_label(p, d->truth[i].target))))
                return FP_ENOMEM;
        /* copy the match result */
        d->match = *mr;
        d->match.truth_outcome =
            copy_array(mr->truth_outcome, mr->n_truth, sizeof(fp_truth_outcome));
        d->match.truth_finding = copy_array(mr->truth_finding, mr->n_truth, sizeof(int64_t));
        d->match.finding_truth = copy_array(mr->finding_truth, mr->n_findings, sizeof(int64_t));
        if (!d->match.truth_outcome || !d->match.truth_finding || !d->match.finding_truth)
            return FP_ENOMEM;
    }
    n = fp_profile_marker_count(p);
    d->n_markers_total = n;
    if (n > FP_REPORT_MAX_MARKERS)
        n = FP_REPORT_MAX_MARKERS;
    if (n > 0) {
        d->markers = fp_calloc(n, sizeof *d->markers);
        if (!d->markers)
            return FP_ENOMEM;
        for (i = 0; i < n; i++, d->n_markers++) {
            fp_report_marker *m = &d->markers[i];
            if (!(m->name = keep(s, fp_profile_marker(p, i, &m->ts_s, &m->track))))
                return FP_ENOMEM;
        }
    }
    /* run events (fpsim record's guard breaches and sampling gaps), strings into the pool */
    n = fp_profile_event_count(p);
    d->n_events_total = n;
    if (n > FP_REPORT_MAX_EVENTS)
        n = FP_REPORT_MAX_EVENTS;
    if (n > 0) {
        d->events = fp_calloc(n, sizeof *d->events);
        if (!d->events)
            return FP_ENOMEM;
        for (i = 0; i < n; i++, d->n_events++) {
            fp_run_event *e = &d->events[i];
            fp_profile_event(p, i, e);
            if (!(e->guard = keep(s, e->guard)) || !(e->unit = keep(s, e->unit)) ||
                !(e->action = keep(s, e->action)))
                return FP_ENOMEM;
        }
    }
    s->has_detail = 1;
    return FP_OK;
}

static fp_status method_aggs(fp_scn *s, const fp_rec *rec)
{
    for (size_t i = 0; i < rec->n_methods; i++) {
        const fp_rec_method *m = &rec->methods[i];
        size_t idx;
        fp_magg *g;
        idx = fp_smap_get(&s->mmap, m->name);
        if (idx == (size_t)-1) {
            if (fp_grow((void **)&s->maggs, &s->cap_maggs, s->n_maggs + 1, sizeof *s->maggs) !=
                FP_OK)
                return FP_ENOMEM;
            g = &s->maggs[s->n_maggs];
            memset(g, 0, sizeof *g);
            if (!(g->name = keep(s, m->name)))
                return FP_ENOMEM;
            if (fp_smap_put(&s->mmap, m->name, s->n_maggs) != FP_OK)
                return FP_ENOMEM;
            idx = s->n_maggs++;
        }
        g = &s->maggs[idx];
        for (int k = 0; k < FP_M_COUNT; k++)
            if (fp_qacc_add(&g->q[k], m->v[k]) != FP_OK)
                return FP_ENOMEM;
        g->runs++;
    }
    return FP_OK;
}

/* Key of a (kind, target) aggregate: "kind\037target"; new (fp_free), NULL on ENOMEM. */
static char *agg_key(fp_kind kind, const char *target)
{
    const char *kn = fp_kind_name(kind);
    size_t len = strlen(kn) + strlen(target) + 2;
    char *k = fp_malloc(len);
    if (k)
        snprintf(k, len, "%s\037%s", kn, target);
    return k;
}

static fp_status finding_aggs(fp_scn *s, const fp_rec *rec)
{
    size_t n = rec->n_findings, i, j;
    const fp_rec_finding *f = rec->findings;
    int simulated = rec->simulated;
    for (i = 0; i < n; i++) {
        char *key;
        size_t idx;
        fp_fagg *g;
        double impact = f[i].impact, cost = f[i].cost;
        fp_severity worst = f[i].severity;
        int any_true = simulated && f[i].matched;
        /* one count per run and key: skip if an earlier finding had the same key */
        int dup = 0;
        if (f[i].consequence)
            continue; /* a consequence is shown under its cause, not as a finding of its own */
        for (j = 0; j < i && !dup; j++)
            dup = f[j].kind == f[i].kind && strcmp(f[j].target, f[i].target) == 0;
        if (dup)
            continue;
        for (j = i + 1; j < n; j++) {
            if (f[j].kind == f[i].kind && strcmp(f[j].target, f[i].target) == 0) {
                if (f[j].impact > impact)
                    impact = f[j].impact;
                if (f[j].cost > cost)
                    cost = f[j].cost;
                if (f[j].severity > worst)
                    worst = f[j].severity;
                if (simulated && f[j].matched)
                    any_true = 1;
            }
        }
        if (!(key = agg_key(f[i].kind, f[i].target)))
            return FP_ENOMEM;
        idx = fp_smap_get(&s->fmap, key);
        if (idx == (size_t)-1) {
            if (fp_grow((void **)&s->faggs, &s->cap_faggs, s->n_faggs + 1, sizeof *s->faggs) !=
                    FP_OK ||
                fp_smap_put(&s->fmap, key, s->n_faggs) != FP_OK) {
                fp_free(key);
                return FP_ENOMEM;
            }
            g = &s->faggs[s->n_faggs];
            memset(g, 0, sizeof *g);
            g->kind = f[i].kind;
            idx = s->n_faggs++;
            g->target = keep(s, f[i].target);
            if (g->target == NULL) {
                g->target = "";
                fp_free(key);
                return FP_ENOMEM;
            }
        }
        fp_free(key);
        g = &s->faggs[idx];
        if (fp_qacc_add(&g->impact, impact) != FP_OK || fp_qacc_add(&g->cost, cost) != FP_OK)
            return FP_ENOMEM;
        g->unit = fp_rec_resource_name(f[i].resource);
        if (g->runs == 0 || worst > g->worst)
            g->worst = worst;
        g->runs++;
        if (simulated && !any_true)
            g->false_runs++;
    }
    return FP_OK;
}

static fp_status truth_aggs(fp_scn *s, const fp_rec *rec)
{
    for (size_t i = 0; i < rec->n_truth; i++) {
        const fp_rec_truth *t = &rec->truth[i];
        char *key = agg_key(t->kind, t->target);
        size_t idx;
        fp_tagg *g;
        if (!key)
            return FP_ENOMEM;
        idx = fp_smap_get(&s->tmap, key);
        if (idx == (size_t)-1) {
            if (fp_grow((void **)&s->taggs, &s->cap_taggs, s->n_taggs + 1, sizeof *s->taggs) !=
                    FP_OK ||
                fp_smap_put(&s->tmap, key, s->n_taggs) != FP_OK) {
                fp_free(key);
                return FP_ENOMEM;
            }
            g = &s->taggs[s->n_taggs];
            memset(g, 0, sizeof *g);
            g->kind = t->kind;
            idx = s->n_taggs++;
            g->target = keep(s, t->target);
            if (g->target == NULL) {
                g->target = "";
                fp_free(key);
                return FP_ENOMEM;
            }
        }
        fp_free(key);
        g = &s->taggs[idx];
        g->records++;
        if (t->outcome == FP_TRUTH_FOUND)
            g->found++;
        else if (t->outcome == FP_TRUTH_MISSED)
            g->missed++;
        else
            g->unobservable++;
    }
    return FP_OK;
}

fp_status fp_scn_add_rec(fp_scn *s, const fp_rec *rec)
{
    fp_status st;
    /* Unknown figures (fp_profile_data()) are counted so that writers print n/a. */
    if (rec->mem_na) {
        s->na_runs[FP_S_PEAK_MEM]++;
        s->na_runs[FP_S_AVG_MEM]++;
    }
    if (rec->cpu_na) {
        s->na_runs[FP_S_AVG_CPU]++;
        s->na_runs[FP_S_PEAK_CPU]++;
    }
    s->not_run |= rec->not_run;
    for (size_t i = 0; i < rec->n_findings; i++) /* every finding, consequences too */
        if ((unsigned)rec->findings[i].kind < FP_KIND_COUNT &&
            (unsigned)rec->findings[i].severity <= FP_SEV_CRITICAL)
            s->kind_sev[rec->findings[i].kind][rec->findings[i].severity]++;
    for (int k = 0; k < FP_S_COUNT; k++)
        if (fp_qacc_add(&s->sum[k], rec->v[k]) != FP_OK)
            return FP_ENOMEM;
    if (rec->simulated) {
        s->simulated_runs++;
        s->t_found += rec->found;
        s->t_missed += rec->missed;
        s->t_unobservable += rec->unobservable;
        s->f_true += rec->true_positives;
        s->f_false += rec->false_alarms;
    }
    if ((st = method_aggs(s, rec)) != FP_OK || (st = finding_aggs(s, rec)) != FP_OK ||
        (st = truth_aggs(s, rec)) != FP_OK)
        return st;
    s->runs++;
    return FP_OK;
}

fp_status fp_report_add_run(fp_report *r, const fp_profile *p, const fp_analysis *a, fp_error *err)
{
    fp_scn *s;
    fp_match_result mr;
    fp_rec rec;
    fp_status st = FP_OK;
    int simulated;

    fp_match_result_init(&mr);
    memset(&rec, 0, sizeof rec);
    if (r->n_scns == 0)
        return fp_error_set(err, FP_EINVAL, "report: a run was added before any scenario");
    if (!analysis_finite(a))
        return fp_error_set(err, FP_EINTERNAL, "report: the analysis produced a non-finite number");
    s = r->scns[r->n_scns - 1];
    simulated = fp_profile_meta(p).simulated != 0;
    if (simulated) {
        st = fp_match_run(&mr, p, a, &r->match, err);
        if (st != FP_OK)
            return st;
    }
    if ((st = fp_rec_from_run(&rec, p, a, &mr, simulated)) != FP_OK)
        goto out;
    if (!s->has_detail && (st = keep_detail(s, p, a, &mr, simulated)) != FP_OK)
        goto out;
    /* the pictures only when drawn: HTML, or the text report's sparklines on a terminal */
    if (s->runs == 0 && s->d.pics == NULL &&
        (r->opt.format == FP_REPORT_HTML || (r->opt.format == FP_REPORT_TEXT && r->opt.colour)) &&
        (s->d.pics = fp_pics_new(p, a, keep_pool, s)) == NULL) {
        st = FP_ENOMEM;
        goto out;
    }
    st = fp_scn_add_rec(s, &rec);
out:
    fp_rec_cleanup(&rec);
    fp_match_result_cleanup(&mr);
    if (st != FP_OK)
        return fp_error_set(err, st, "report: out of memory");
    return FP_OK;
}

fp_status fp_report_set_guards(fp_report *r, const fp_report_guard *g, size_t n, fp_error *err)
{
    fp_scn *s;
    fp_report_guard *copy;
    if (r->n_scns == 0)
        return fp_error_set(err, FP_EINVAL, "report: guards were set before any scenario");
    for (size_t i = 0; i < n; i++)
        if (g[i].name == NULL || g[i].unit == NULL || g[i].action == NULL ||
            !isfinite(g[i].limit) || !isfinite(g[i].first_breach_s) || !isfinite(g[i].max_value))
            return fp_error_set(err, FP_EINVAL, "report: guard %zu is incomplete", i);
    s = r->scns[r->n_scns - 1];
    copy = copy_array(g, n, sizeof *g);
    if (copy == NULL)
        return fp_error_set(err, FP_ENOMEM, "report: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!(copy[i].name = keep(s, g[i].name)) || !(copy[i].unit = keep(s, g[i].unit)) ||
            !(copy[i].action = keep(s, g[i].action))) {
            fp_free(copy);
            return fp_error_set(err, FP_ENOMEM, "report: out of memory");
        }
    }
    fp_free(s->guards);
    s->guards = copy;
    s->n_guards = n;
    return FP_OK;
}

/* ---- views shared by the writers ---- */

static size_t *iota(size_t n)
{
    size_t *ix = fp_malloc((n ? n : 1) * sizeof *ix);
    if (ix)
        for (size_t i = 0; i < n; i++)
            ix[i] = i;
    return ix;
}

/* insertion sort with a comparator on indices (n is small: distinct methods / kinds) */
static void sort_ix(size_t *ix, size_t n, const fp_scn *s,
                    int (*cmp)(const fp_scn *, size_t, size_t))
{
    for (size_t i = 1; i < n; i++) {
        size_t v = ix[i], j = i;
        while (j > 0 && cmp(s, ix[j - 1], v) > 0) {
            ix[j] = ix[j - 1];
            j--;
        }
        ix[j] = v;
    }
}

static int magg_cmp(const fp_scn *s, size_t a, size_t b)
{
    double ta = fp_qacc_get(&s->maggs[a].q[FP_M_TOTAL], FP_Q_MED);
    double tb = fp_qacc_get(&s->maggs[b].q[FP_M_TOTAL], FP_Q_MED);
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return strcmp(s->maggs[a].name, s->maggs[b].name);
}

static int fagg_cmp(const fp_scn *s, size_t a, size_t b)
{
    const fp_fagg *x = &s->faggs[a], *y = &s->faggs[b];
    double ix = fp_qacc_get(&x->impact, FP_Q_MED), iy = fp_qacc_get(&y->impact, FP_Q_MED);
    if (x->runs != y->runs)
        return x->runs > y->runs ? -1 : 1;
    if (ix != iy)
        return ix > iy ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->target, y->target);
}

static int tagg_cmp(const fp_scn *s, size_t a, size_t b)
{
    const fp_tagg *x = &s->taggs[a], *y = &s->taggs[b];
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->target, y->target);
}

size_t *fp_report_sorted_maggs(const fp_scn *s)
{
    size_t *ix = iota(s->n_maggs);
    if (ix)
        sort_ix(ix, s->n_maggs, s, magg_cmp);
    return ix;
}

size_t *fp_report_sorted_faggs(const fp_scn *s)
{
    size_t *ix = iota(s->n_faggs);
    if (ix)
        sort_ix(ix, s->n_faggs, s, fagg_cmp);
    return ix;
}

size_t *fp_report_sorted_taggs(const fp_scn *s)
{
    size_t *ix = iota(s->n_taggs);
    if (ix)
        sort_ix(ix, s->n_taggs, s, tagg_cmp);
    return ix;
}

double fp_report_geomean(const fp_report *r, int k, int *ok)
{
    double acc = 0;
    size_t n = 0;
    *ok = 0;
    for (size_t i = 0; i < r->n_scns; i++) {
        double v;
        if (r->scns[i]->runs == 0)
            continue;
        v = fp_qacc_get(&r->scns[i]->sum[k], FP_Q_MED);
        if (!(v > 0) || !isfinite(v))
            return 0;
        acc += log(v);
        n++;
    }
    if (n == 0)
        return 0;
    acc = exp(acc / (double)n);
    if (!isfinite(acc))
        return 0;
    *ok = 1;
    return acc;
}

size_t fp_report_pick(const fp_report *r, int k, int highest)
{
    size_t best = (size_t)-1;
    double bv = 0;
    for (size_t i = 0; i < r->n_scns; i++) {
        double v;
        if (r->scns[i]->runs == 0)
            continue;
        v = fp_qacc_get(&r->scns[i]->sum[k], FP_Q_MED);
        if (best == (size_t)-1 || (highest ? v > bv : v < bv)) {
            best = i;
            bv = v;
        }
    }
    return best;
}

const char *fp_report_score_why(const fp_scn *s, char *buf, size_t size)
{
    size_t *ix = s->n_faggs ? fp_report_sorted_faggs(s) : NULL;
    const fp_fagg *g = ix ? &s->faggs[ix[0]] : NULL;
    int n;

    fp_free(ix);
    if (g == NULL) {
        snprintf(buf, size, "%s", s->n_faggs ? "n/a" : "no findings");
        return buf;
    }
    n = snprintf(buf, size, "%s on %s%s%s costs %.1f %% of the run's %s", fp_kind_name(g->kind),
                 strcmp(g->target, "process") != 0 ? "'" : "", g->target,
                 strcmp(g->target, "process") != 0 ? "'" : "",
                 100.0 * fp_qacc_get(&g->cost, FP_Q_MED), g->unit ? g->unit : "time");
    if (s->runs > 1 && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " (median; in %zu of %zu runs)", g->runs, s->runs);
    return buf;
}

/* ---- dispatch ---- */

fp_status fp_report_write(const fp_report *r, FILE *out, fp_error *err)
{
    switch (r->opt.format) {
    case FP_REPORT_TEXT:
        return fp_report_write_text(r, out, err);
    case FP_REPORT_JSON:
        return fp_report_write_json(r, out, err);
    case FP_REPORT_MARKDOWN:
        return fp_report_write_markdown(r, out, err);
    case FP_REPORT_CSV:
        return fp_report_write_csv(r, out, err);
    case FP_REPORT_HTML:
        return fp_report_write_html(r, out, err);
    case FP_REPORT_OPENMETRICS:
        return fp_report_write_openmetrics(r, out, err);
    }
    return fp_error_set(err, FP_EINVAL, "report: unknown format %d", (int)r->opt.format);
}

fp_status fp_report_write_text(const fp_report *r, FILE *out, fp_error *err)
{
    return fp_report_write_doc(r, out, 0, err);
}

fp_status fp_report_write_markdown(const fp_report *r, FILE *out, fp_error *err)
{
    return fp_report_write_doc(r, out, 1, err);
}
