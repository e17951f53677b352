/*
 * fp_analysis.c - fp_analyze(): checks the profile, computes metrics and the critical path
 * (fp_metrics.c), runs the detectors (fp_detect.c), sorts the findings, scores the run and
 * ranks the recommendations; plus the accessors.
 */
#include "fp_analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_analysis_internal.h"

fp_status fp_analysis_push_finding(fp_analysis *a, const fp_finding *f, fp_error *err)
{
    if (fp_grow((void **)&a->findings, &a->cap_findings, a->n_findings + 1, sizeof *f) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    a->findings[a->n_findings++] = *f;
    return FP_OK;
}

/* Impact points per factor of 10 in cost: critical (> 90) from a cost of 46 %, high (> 70)
 * from 10 %, medium (> 50) from 2.2 %, 0 at 0.046 %. */
#define IMPACT_PER_DECADE 30.0

/* The run's total of the resource a saving in `unit` is counted in: seconds of the run,
 * core-seconds of the process's cores over the run (cores x duration), or peak MB
 * (docs/analysis.md "Cost"; the validator takes the true cost with the same totals). */
static double resource_total(const fp_analysis *a, const char *unit)
{
    if (unit != NULL && strcmp(unit, "MB") == 0)
        return a->run.peak_mem_mb;
    if (unit != NULL && strcmp(unit, FP_UNIT_CORE_S) == 0)
        return (a->run.cores >= 1 ? a->run.cores : 1.0) * a->run.duration_s;
    return a->run.duration_s; /* "s" */
}

/* 1 when f's saving in `unit` counts towards a cap on `target` (a method index, or
 * FP_TARGET_PROCESS - 1 for all): consequences (caused_by != 0) have none of their own. */
static int capped(const fp_finding *f, const char *unit, int64_t target)
{
    return f->caused_by == 0 && (target < FP_TARGET_PROCESS || f->target == target) &&
           f->improvement_unit != NULL && strcmp(f->improvement_unit, unit) == 0;
}

/* Scales the savings in `unit` of the root findings selected by `target` down so they add up to
 * at most `cap`. */
static void cap_savings(fp_analysis *a, const char *unit, int64_t target, double cap)
{
    double sum = 0;
    size_t i;
    for (i = 0; i < a->n_findings; i++)
        if (capped(&a->findings[i], unit, target))
            sum += a->findings[i].improvement;
    if (!(sum > cap))
        return;
    for (i = 0; i < a->n_findings; i++) {
        fp_finding *f = &a->findings[i];
        if (capped(f, unit, target))
            f->improvement = cap > 0 ? f->improvement * (cap / sum) : 0.0;
    }
}

void fp_analysis_costs(fp_analysis *a)
{
    static const char *const units[] = {"s", FP_UNIT_CORE_S, "MB"};
    size_t i, u;

    /* the time findings of one method (a call storm and its slow method, say) cannot save more
     * than the method's time in the run; no resource can save more than the run holds of it */
    for (i = 0; i < a->n_methods; i++) {
        double t = a->methods[i].total_s;
        cap_savings(a, "s", (int64_t)i, t < a->run.duration_s ? t : a->run.duration_s);
    }
    for (u = 0; u < sizeof units / sizeof units[0]; u++)
        cap_savings(a, units[u], (int64_t)FP_TARGET_PROCESS - 1, resource_total(a, units[u]));
    for (i = 0; i < a->n_findings; i++) {
        fp_finding *f = &a->findings[i];
        if (f->caused_by != 0)
            f->improvement = 0; /* a consequence: its saving is its cause's (cost 0, impact 0) */
        f->cost = fp_clamp(fp_div(f->improvement, resource_total(a, f->improvement_unit)), 0, 1);
        f->impact =
            f->cost > 0 ? fp_clamp(100.0 + IMPACT_PER_DECADE * log10(f->cost), 0.0, 100.0) : 0.0;
        f->severity = fp_severity_from_impact(f->impact);
    }
}

/* Severity (desc), impact (desc), kind, target name, start: a total, deterministic order. */
static int cmp_finding(const void *pa, const void *pb)
{
    const fp_finding *x = pa, *y = pb;
    int c;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if (x->impact != y->impact)
        return x->impact > y->impact ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    c = strcmp(x->target_name, y->target_name);
    if (c != 0)
        return c;
    if (x->start_s != y->start_s)
        return x->start_s < y->start_s ? -1 : 1;
    return (x->target > y->target) - (x->target < y->target);
}

/*
 * Root-cause rules: a finding of kind `effect` (and rule `effect_rule`, NULL: any) on the same
 * target as a finding of kind `cause` is that cause's consequence, when `explains` (NULL:
 * always) says the cause accounts for it. A call storm inflates its method's share of the
 * critical path (slow_method's path_share rule), not its time per call (the mean_s rule stays a
 * finding of its own). An I/O-bound method's time is its I/O wait: a slow_method (any rule) on a
 * method with io_heavy is io_heavy's consequence when the I/O wait io_heavy would save is at
 * least half the slow method's excess (its excess is mostly I/O wait). Likewise a few outlier
 * calls raise their method's mean and path share: a slow_method whose excess is mostly the
 * outliers' time beyond the median is latency_outliers' consequence.
 */
typedef struct cause_rule {
    fp_kind cause, effect;
    const char *effect_rule;
    int (*explains)(const fp_finding *cause, const fp_finding *effect);
} cause_rule;

/* Share of an effect's saving its cause's saving must reach to explain it. */
#define MOSTLY_EXPLAINS_SHARE 0.5

static int mostly_explains(const fp_finding *c, const fp_finding *e)
{
    /* once marked (caused_by != 0) an effect keeps its cause: its saving is then 0 */
    return e->caused_by != 0 || c->improvement >= MOSTLY_EXPLAINS_SHARE * e->improvement;
}

static const cause_rule s_cause_rules[] = {
    {FP_KIND_CALL_STORM, FP_KIND_SLOW_METHOD, "path_share", NULL},
    {FP_KIND_IO_HEAVY, FP_KIND_SLOW_METHOD, NULL, mostly_explains},
    {FP_KIND_LATENCY_OUTLIERS, FP_KIND_SLOW_METHOD, NULL, mostly_explains},
};

/* Index of the root finding that explains finding j, or n_findings. */
static size_t find_cause(const fp_analysis *a, size_t j)
{
    const fp_finding *e = &a->findings[j];
    size_t i, r;

    for (r = 0; r < sizeof s_cause_rules / sizeof s_cause_rules[0]; r++) {
        const cause_rule *cr = &s_cause_rules[r];
        if (e->kind != cr->effect || (cr->effect_rule && strcmp(e->rule, cr->effect_rule) != 0))
            continue;
        for (i = 0; i < a->n_findings; i++)
            if (i != j && a->findings[i].kind == cr->cause && a->findings[i].target == e->target &&
                (!cr->explains || cr->explains(&a->findings[i], e)))
                return i;
    }
    return a->n_findings;
}

/*
 * Marks the consequences before their costs are taken (the findings are not sorted yet):
 * caused_by = 1 for now (link_causes() sets the cause's rank once the order is known) and no
 * saving, so fp_analysis_costs() leaves them out of every cap and gives them cost 0.
 */
static void mark_consequences(fp_analysis *a)
{
    size_t j;
    for (j = 0; j < a->n_findings; j++)
        if (find_cause(a, j) < a->n_findings) {
            a->findings[j].caused_by = 1;
            a->findings[j].improvement = 0;
        }
}

/*
 * Links consequences to their causes (the findings are sorted): the root findings keep their
 * order and come first, the consequences follow in theirs, each with caused_by = its cause's
 * 1-based rank and no saving of its own (it is part of the cause's). Causes are never
 * consequences themselves (no rule has a kind on both sides).
 */
static fp_status link_causes(fp_analysis *a, fp_error *err)
{
    size_t n = a->n_findings, i, k = 0, *cause = NULL, *rank = NULL;
    fp_finding *sorted = NULL;

    a->n_recs = n;
    if (n < 2)
        return FP_OK;
    /* the three arrays in one allocation: n findings, then n causes and n ranks */
    sorted = fp_calloc(n, sizeof *sorted + 2 * sizeof *cause);
    if (!sorted)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    cause = (size_t *)(void *)(sorted + n);
    rank = cause + n;
    for (i = 0; i < n; i++) /* only the findings mark_consequences() marked */
        cause[i] = a->findings[i].caused_by != 0 ? find_cause(a, i) : n;
    for (i = 0; i < n; i++)
        if (cause[i] == n) {
            rank[i] = k;
            sorted[k++] = a->findings[i];
        }
    a->n_recs = k;
    for (i = 0; i < n; i++)
        if (cause[i] != n) {
            sorted[k] = a->findings[i];
            sorted[k].caused_by = rank[cause[i]] + 1;
            sorted[k].improvement = 0;
            k++;
        }
    memcpy(a->findings, sorted, n * sizeof *sorted);
    fp_free(sorted);
    return FP_OK;
}

/*
 * Appends s to buf (size bytes, NUL-terminated, *len of them used) as snprintf("%s") would at
 * that point: the bytes that fit, glibc's "(null)" for NULL. Building a text from pieces this
 * way gives snprintf's result without parsing a format for every piece.
 */
static void put_str(char *buf, size_t size, size_t *len, const char *s)
{
    size_t n, room = size - 1 - *len;
    if (s == NULL)
        s = "(null)";
    n = strlen(s);
    if (n > room)
        n = room;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

static fp_status build_recommendations(fp_analysis *a, fp_error *err)
{
    size_t i;

    a->recs = fp_calloc(a->n_recs ? a->n_recs : 1, sizeof *a->recs);
    if (!a->recs)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    for (i = 0; i < a->n_recs; i++) {
        const fp_finding *f = &a->findings[i];
        fp_recommendation *r = &a->recs[i];
        r->rank = i + 1;
        r->finding = i;
        r->kind = f->kind;
        r->target = f->target;
        r->target_name = f->target_name;
        r->improvement = f->improvement;
        r->improvement_unit = f->improvement_unit;
        /* "%s %s%s%s (%s, %s): %s; estimated saving %.3g %s." in pieces, one snprintf for the
         * number: the same text, a third of the cost */
        char num[32];
        size_t tlen = 0;
        snprintf(num, sizeof num, "%.3g", f->improvement);
        const char *const piece[] = {fp_detector_get((size_t)f->kind)->action,
                                     " ",
                                     f->target >= 0 ? "'" : "",
                                     f->target_name,
                                     f->target >= 0 ? "'" : "",
                                     " (",
                                     fp_kind_name(f->kind),
                                     ", ",
                                     fp_severity_name(f->severity),
                                     "): ",
                                     f->n_suggestions > 0 ? f->suggestions[0] : "investigate",
                                     "; estimated saving ",
                                     num,
                                     " ",
                                     f->improvement_unit,
                                     "."};
        r->text[0] = '\0';
        for (size_t k = 0; k < sizeof piece / sizeof piece[0]; k++)
            put_str(r->text, sizeof r->text, &tlen, piece[k]);
        size_t elen = 0; /* what snprintf("%s") wrote, without the format machinery */
        put_str(r->evidence, sizeof r->evidence, &elen, f->root_cause);
    }
    return FP_OK;
}

/* Score points per root finding, whatever its cost: a finding is worth a look. */
#define SCORE_FINDING_POINTS 1.0

/*
 * The score is driven by the findings' costs (docs/analysis.md "Score and status"): for each
 * resource (time, core-seconds, peak memory) E = the sum of the root findings' costs in it (at
 * most 1: fp_analysis_costs() caps the savings at the run's total), and
 *     score = 100 * prod(1 - E) - 1 per root finding - 5 per budget breached, in [0, 100],
 * so a run whose findings explain half its time scores about 50, one with a 2 % finding 97.
 */
static void score(fp_analysis *a)
{
    static const char *const units[] = {"s", FP_UNIT_CORE_S, "MB"};
    double keep = 1.0, s;
    size_t i, u, roots = 0;

    for (u = 0; u < sizeof units / sizeof units[0]; u++) {
        double e = 0;
        for (i = 0; i < a->n_findings; i++) {
            const fp_finding *f = &a->findings[i];
            if (f->caused_by == 0 && f->improvement_unit != NULL &&
                strcmp(f->improvement_unit, units[u]) == 0)
                e += f->cost;
        }
        keep *= 1.0 - fp_clamp(e, 0.0, 1.0);
    }
    for (i = 0; i < a->n_findings; i++)
        roots += a->findings[i].caused_by == 0;
    s = 100.0 * keep - SCORE_FINDING_POINTS * (double)roots;
    if (a->run.peak_mem_mb > a->th.score_peak_mem_mb)
        s -= 5.0;
    if (a->run.avg_cpu_pct > a->th.score_avg_cpu_pct)
        s -= 5.0;
    a->score = fp_clamp(fp_fin(s), 0.0, 100.0);
    a->status = fp_score_status_from_score(a->score);
}

static fp_status copy_names(fp_analysis *a, const fp_profile *p, fp_error *err)
{
    size_t i, total = 0, off = 0;

    for (i = 0; i < a->n_methods; i++) {
        const char *nm = fp_profile_method_name(p, i);
        size_t len = strlen(nm ? nm : "") + 1;
        if (total > SIZE_MAX - len)
            return fp_error_set(err, FP_ENOMEM, "analysis: method names too long");
        total += len;
    }
    a->names = fp_malloc(total ? total : 1);
    if (!a->names)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    for (i = 0; i < a->n_methods; i++) {
        const char *nm = fp_profile_method_name(p, i);
        size_t len = strlen(nm ? nm : "") + 1;
        memcpy(a->names + off, nm ? nm : "", len);
        a->methods[i].name = a->names + off;
        off += len;
    }
    return FP_OK;
}

fp_status fp_analyze(fp_analysis **out, const fp_profile *p, const fp_thresholds *t, fp_error *err)
{
    return fp_analyze_cancellable(out, p, t, NULL, NULL, NULL, err);
}

fp_status fp_analyze_with_baseline(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                                   const struct fp_baseline *b, fp_error *err)
{
    return fp_analyze_cancellable(out, p, t, b, NULL, NULL, err);
}

/* FP_EINTR when the caller's cancel callback says stop, else FP_OK. */
static fp_status poll_cancel(int (*cancel)(void *), void *ctx, fp_error *err)
{
    if (cancel != NULL && cancel(ctx))
        return fp_error_set(err, FP_EINTR, "interrupted");
    return FP_OK;
}

static fp_status analyze_impl(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                              const struct fp_baseline *b, int tails, int (*cancel)(void *ctx),
                              void *cancel_ctx, fp_error *err);

fp_status fp_analyze_full(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                          const struct fp_baseline *b, int tails, int (*cancel)(void *ctx),
                          void *cancel_ctx, fp_error *err)
{
    return analyze_impl(out, p, t, b, tails, cancel, cancel_ctx, err);
}

/* With a baseline, the latency tails are measured too (fp_metrics_tails()). */
fp_status fp_analyze_cancellable(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                                 const struct fp_baseline *b, int (*cancel)(void *ctx),
                                 void *cancel_ctx, fp_error *err)
{
    return analyze_impl(out, p, t, b, b != NULL, cancel, cancel_ctx, err);
}

static fp_status analyze_impl(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                              const struct fp_baseline *b, int tails, int (*cancel)(void *ctx),
                              void *cancel_ctx, fp_error *err)
{
    fp_analysis *a = NULL;
    fp_work w;
    fp_status st;
    size_t i;

    *out = NULL;
    memset(&w, 0, sizeof w);
    st = fp_profile_check(p, err);
    if (st != FP_OK)
        goto out;
    a = fp_calloc(1, sizeof *a);
    if (!a) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto out;
    }
    if (t)
        a->th = *t;
    else
        fp_thresholds_init(&a->th);
    a->n_methods = fp_profile_method_count(p);
    w.spans = fp_profile_spans(p);
    w.n_spans = fp_profile_span_count(p);
    w.ser = fp_profile_series(p);
    w.data = fp_profile_data(p);
    w.duration = fp_fin(fp_profile_duration(p));
    w.cores = fp_profile_meta(p).cores >= 1 ? (double)fp_profile_meta(p).cores : 1.0;
    if (w.duration < 0)
        w.duration = 0;
    for (i = 0; i < w.n_spans; i++) {
        if (w.spans[i].method >= a->n_methods) {
            st = fp_error_set(err, FP_EINVAL, "span %zu: method index %u out of range", i,
                              (unsigned)w.spans[i].method);
            goto out;
        }
    }
    a->methods = fp_calloc(a->n_methods ? a->n_methods : 1, sizeof *a->methods);
    if (!a->methods) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto out;
    }
    st = copy_names(a, p, err);
    if (st != FP_OK)
        goto out;
    for (i = 0; i < a->n_methods; i++)
        a->methods[i].container = (fp_profile_method_flags(p, i) & FP_METHOD_CONTAINER) != 0;
    if ((st = poll_cancel(cancel, cancel_ctx, err)) != FP_OK)
        goto out;
    st = fp_metrics_compute(a, &w, err);
    if (st == FP_OK)
        st = poll_cancel(cancel, cancel_ctx, err);
    if (st != FP_OK)
        goto out;
    st = fp_detect_all(a, &w, err);
    if (st == FP_OK && tails)
        st = fp_metrics_tails(a, &w, err); /* after the detectors: it reuses w.buf */
    if (st == FP_OK)
        st = poll_cancel(cancel, cancel_ctx, err);
    if (st != FP_OK)
        goto out;
    if (b) {
        /* before the consequences and the costs: a baseline finding's saving is capped with
         * the others', and an absolute finding that is normal for the flow (a known hotspot)
         * is no finding, so it costs nothing and explains nothing */
        st = fp_baseline_apply(a, b, err);
        if (st != FP_OK)
            goto out;
    }
    mark_consequences(a);
    fp_analysis_costs(a);
    if (a->n_findings > 1)
        qsort(a->findings, a->n_findings, sizeof *a->findings, cmp_finding);
    st = link_causes(a, err);
    if (st != FP_OK)
        goto out;
    st = build_recommendations(a, err);
    if (st != FP_OK)
        goto out;
    score(a);
out:
    fp_free(w.block);
    if (st != FP_OK)
        fp_analysis_free(a);
    else
        *out = a;
    return st;
}

void fp_analysis_free(fp_analysis *a)
{
    if (!a)
        return;
    fp_free(a->methods);
    fp_free(a->names);
    fp_free(a->path);
    fp_free(a->path_spans);
    fp_free(a->findings);
    fp_free(a->recs);
    fp_free(a->known);
    fp_free(a->tails);
    fp_free(a);
}

const fp_thresholds *fp_analysis_thresholds(const fp_analysis *a)
{
    return &a->th;
}

const fp_run_metrics *fp_analysis_run(const fp_analysis *a)
{
    return &a->run;
}

const fp_method_metrics *fp_analysis_methods(const fp_analysis *a, size_t *n)
{
    *n = a->n_methods;
    return a->n_methods ? a->methods : NULL;
}

const fp_path_entry *fp_analysis_critical_path(const fp_analysis *a, size_t *n)
{
    *n = a->n_path;
    return a->n_path ? a->path : NULL;
}

const size_t *fp_analysis_critical_spans(const fp_analysis *a, size_t *n)
{
    *n = a->n_path_spans;
    return a->n_path_spans ? a->path_spans : NULL;
}

const fp_finding *fp_analysis_findings(const fp_analysis *a, size_t *n)
{
    *n = a->n_findings;
    return a->n_findings ? a->findings : NULL;
}

size_t fp_analysis_count_severity(const fp_analysis *a, fp_severity s)
{
    size_t i, c = 0;
    for (i = 0; i < a->n_findings; i++)
        if (a->findings[i].severity == s)
            c++;
    return c;
}

const fp_recommendation *fp_analysis_recommendations(const fp_analysis *a, size_t *n)
{
    *n = a->n_recs;
    return a->n_recs ? a->recs : NULL;
}

const fp_known_hotspot *fp_analysis_known_hotspots(const fp_analysis *a, size_t *n)
{
    *n = a->n_known;
    return a->n_known ? a->known : NULL;
}

uint64_t fp_analysis_baseline_runs(const fp_analysis *a)
{
    return a->baseline_runs;
}

double fp_analysis_score(const fp_analysis *a)
{
    return a->score;
}

unsigned fp_analysis_not_run(const fp_analysis *a)
{
    return a->not_run;
}

fp_score_status fp_analysis_status(const fp_analysis *a)
{
    return a->status;
}
