/*
 * fp_validate.c - per-run validation records, their accumulation, and the statistics of
 * `fpsim validate`: Wilson intervals, Spearman rank correlation, NAB-style scores and the time to
 * detect by prefix re-analysis (definitions in fp_validate.h and docs/validation.md).
 */
#include "fp_validate.h"

#include "fp_quantile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

/* ---- statistics ---- */

fp_status fp_validate_wilson(double *lo, double *hi, double k, double n, double conf, fp_error *err)
{
    if (!(k >= 0) || !(k <= n) || !(conf > 0 && conf < 1) || !isfinite(n))
        return fp_error_set(err, FP_EINVAL, "wilson: need 0 <= k <= n and 0 < conf < 1");
    if (n <= 0) {
        *lo = 0;
        *hi = 1;
        return FP_OK;
    }
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - conf) / 2.0);
    double p = k / n, z2 = z * z;
    double den = 1.0 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / den;
    double half = z / den * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    *lo = centre - half;
    *hi = centre + half;
    /* Exact endpoints at k = 0 and k = n; clamp rounding elsewhere. */
    if (k <= 0 || *lo < 0)
        *lo = 0;
    if (k >= n || *hi > 1)
        *hi = 1;
    return FP_OK;
}

double fp_validate_spearman(const double *x, const double *y, size_t n, double *work)
{
    if (n < 2)
        return 0;
    double r = gsl_stats_spearman(x, 1, y, 1, n, work);
    return isfinite(r) ? r : 0;
}

fp_nab_weights fp_validate_nab_weights(fp_nab_profile p)
{
    fp_nab_weights w = {1.0, -0.11, -1.0};
    if (p == FP_NAB_LOW_FP)
        w.fp = -0.22;
    else if (p == FP_NAB_LOW_FN)
        w.fn = -2.0;
    return w;
}

const char *fp_validate_nab_name(fp_nab_profile p)
{
    switch (p) {
    case FP_NAB_STANDARD:
        return "standard";
    case FP_NAB_LOW_FP:
        return "low_fp";
    case FP_NAB_LOW_FN:
        return "low_fn";
    case FP_NAB_PROFILE_COUNT:
        break;
    }
    return NULL;
}

double fp_validate_nab_sigmoid(double y)
{
    if (!(y >= -1))
        y = -1;
    if (y > 0)
        y = 0;
    return 2.0 / (1.0 + exp(5.0 * y)) - 1.0;
}

double fp_validate_nab_score(fp_nab_profile p, double tp_credit, uint64_t fp, uint64_t fn,
                             uint64_t labels)
{
    if (labels == 0)
        return 0;
    fp_nab_weights w = fp_validate_nab_weights(p);
    double s = w.tp * tp_credit + w.fp * (double)fp + w.fn * (double)fn;
    double s_null = w.fn * (double)labels, s_perfect = w.tp * (double)labels;
    return 100.0 * (s - s_null) / (s_perfect - s_null);
}

/* ---- per-run records ---- */

static double share(double num, double den)
{
    if (!(den > 0) || !(num > 0))
        return 0;
    double r = num / den;
    if (!isfinite(r))
        return 0;
    return r > 1 ? 1 : r;
}

double fp_validate_truth_cost(const fp_truth *t, const fp_run_metrics *run)
{
    const fp_kind_info *ki = fp_kind_info_get(t->kind);
    if (ki == NULL)
        return 0;
    switch (ki->measure) {
    case FP_MEASURE_EXTRA_S:
        return share(t->extra_s, run->duration_s);
    case FP_MEASURE_EXTRA_MB_PER_CALL:
        return share(t->extra_mb / (t->affected_calls > 0 ? (double)t->affected_calls : 1.0),
                     run->peak_mem_mb);
    case FP_MEASURE_EXTRA_MB:
        return share(t->extra_mb, run->peak_mem_mb);
    case FP_MEASURE_EXTRA_CPU_PCT_S: /* core-seconds above the base, of the cores' run */
        return share(t->extra_cpu_pct_s,
                     100.0 * (run->cores >= 1 ? run->cores : 1.0) * run->duration_s);
    }
    return 0;
}

int fp_validate_time_based(fp_kind k)
{
    const fp_kind_info *ki = fp_kind_info_get(k);
    return ki != NULL && ki->time_based;
}

void fp_validate_run_record(fp_validate_run *out, uint64_t run_index, const fp_profile *p,
                            const fp_analysis *a, const fp_match_result *m)
{
    size_t nf = 0;
    const fp_finding *f = fp_analysis_findings(a, &nf);
    const fp_truth *truth = fp_profile_truth(p);
    const fp_run_metrics *rm = fp_analysis_run(a);
    double best_cost = -1, best_found = -1;

    memset(out, 0, sizeof *out);
    out->run_index = run_index;
    out->top1 = -1;
    out->top1_found = -1;
    out->n_findings = (uint32_t)nf;
    for (size_t j = 0; j < nf && j < m->n_findings; j++) {
        if (f[j].kind >= FP_KIND_COUNT)
            continue;
        if (m->finding_truth[j] >= 0)
            out->tp[f[j].kind]++;
        else if (m->finding_truth[j] == FP_MATCH_CONSEQUENCE)
            out->consequences++;
        else
            out->fp[f[j].kind]++;
    }
    for (size_t i = 0; i < m->n_truth; i++) {
        const fp_truth *t = &truth[i];
        if (m->truth_outcome[i] == FP_TRUTH_UNOBSERVABLE) {
            out->unobservable++;
            continue;
        }
        out->injected = 1;
        if (t->kind < FP_KIND_COUNT && m->truth_outcome[i] == FP_TRUTH_MISSED)
            out->fn[t->kind]++;
        double cost = fp_validate_truth_cost(t, rm);
        if (cost > best_cost)
            best_cost = cost;
        if (m->truth_outcome[i] == FP_TRUTH_FOUND && cost > best_found)
            best_found = cost;
        if (out->n_items == FP_VALIDATE_MAX_ITEMS) {
            out->n_dropped++;
            continue;
        }
        fp_validate_item *it = &out->items[out->n_items++];
        it->kind = t->kind;
        it->source = t->source;
        it->truth = (uint32_t)i;
        it->target = t->target;
        it->magnitude = t->magnitude;
        it->cost = cost;
        it->window_s = t->end_s > t->start_s ? t->end_s - t->start_s : 0;
        it->found = m->truth_outcome[i] == FP_TRUTH_FOUND;
        it->rank = it->found ? (int32_t)m->truth_finding[i] : -1;
        it->impact = it->found ? f[m->truth_finding[i]].impact : 0;
    }
    if (out->injected) {
        out->top1 = 0;
        if (nf > 0 && m->n_findings > 0 && m->finding_truth[0] >= 0) {
            const fp_truth *t = &truth[m->finding_truth[0]];
            /* Right when the top finding's truth is (one of) the costliest. */
            double c = fp_validate_truth_cost(t, rm);
            out->top1 = c >= best_cost;
            out->top1_found = c >= best_found;
        } else if (best_found >= 0) {
            out->top1_found = 0;
        }
    }
}

/* ---- prefixes and time to detect ---- */

fp_status fp_validate_truncate(fp_profile *dst, const fp_profile *src, double t, fp_error *err)
{
    fp_status st = FP_OK;
    fp_meta meta = fp_profile_meta(src);
    size_t nm = fp_profile_method_count(src), ns = fp_profile_span_count(src);
    const fp_span *sp = fp_profile_spans(src);
    fp_series se = fp_profile_series(src);
    int32_t *map = NULL; /* old span index -> new, -1 when dropped */

    if (!isfinite(t) || t < 0)
        return fp_error_set(err, FP_EINVAL, "truncate: time must be finite and >= 0");
    fp_profile_reset(dst);
    st = fp_profile_set_meta(dst, meta.scenario, meta.seed, meta.run_index, meta.rng,
                             meta.gsl_version, meta.source, meta.simulated);
    if (st == FP_OK)
        st = fp_profile_set_cores(dst, meta.cores);
    if (st != FP_OK)
        goto out;
    for (size_t i = 0; i < nm; i++) {
        uint32_t ix;
        st = fp_profile_intern_method(dst, fp_profile_method_name(src, i), &ix);
        if (st != FP_OK)
            goto out;
    }
    map = fp_malloc((ns ? ns : 1) * sizeof *map);
    if (map == NULL) {
        st = FP_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < ns; i++) {
        fp_span s = sp[i];
        map[i] = -1;
        if (!(s.start_s < t) || (s.parent >= 0 && map[s.parent] < 0))
            continue;
        if (s.start_s + s.dur_s > t) {
            /* Clip, and scale the span's amounts to the part observed. */
            double keep = t - s.start_s, frac = s.dur_s > 0 ? keep / s.dur_s : 1.0;
            s.dur_s = keep;
            s.io_ops *= frac;
            s.io_bytes *= frac;
            s.mem_retained_mb = 0; /* retention is known only once the call returns */
        }
        if (s.parent >= 0)
            s.parent = map[s.parent];
        size_t ix;
        st = fp_profile_add_span(dst, &s, &ix);
        if (st != FP_OK)
            goto out;
        map[i] = (int32_t)ix;
    }
    if (se.n > 0) {
        size_t n = (size_t)floor(t / se.interval_s + 1e-9);
        double *mem, *cpu, *ops, *bytes;
        if (n > se.n)
            n = se.n;
        st = fp_profile_series_resize(dst, n, se.interval_s, &mem, &cpu, &ops, &bytes);
        if (st != FP_OK)
            goto out;
        if (n > 0) {
            memcpy(mem, se.mem_mb, n * sizeof *mem);
            memcpy(cpu, se.cpu_pct, n * sizeof *cpu);
            memcpy(ops, se.io_ops, n * sizeof *ops);
            memcpy(bytes, se.io_bytes, n * sizeof *bytes);
        }
    }
    for (size_t i = 0; i < fp_profile_truth_count(src); i++) {
        st = fp_profile_add_truth(dst, &fp_profile_truth(src)[i]);
        if (st != FP_OK)
            goto out;
    }
out:
    fp_free(map);
    if (st != FP_OK) {
        fp_profile_reset(dst);
        return fp_error_set(err, st, "truncate: out of memory");
    }
    return FP_OK;
}

/* Whether the analysis of the prefix [0, t] of `p` finds truth record `truth`. */
static fp_status prefix_detects(int *hit, const fp_profile *p, size_t truth, double t,
                                const fp_thresholds *th, const fp_match_options *mo,
                                fp_profile *scratch, fp_match_result *sm, fp_error *err)
{
    fp_analysis *a = NULL;
    fp_status st = fp_validate_truncate(scratch, p, t, err);
    *hit = 0;
    if (st != FP_OK)
        return st;
    st = fp_analyze(&a, scratch, th, err);
    if (st != FP_OK)
        return st;
    size_t nf = 0;
    const fp_finding *f = fp_analysis_findings(a, &nf);
    st = fp_match_findings(sm, fp_profile_truth(scratch), fp_profile_truth_count(scratch), f, nf,
                           fp_profile_duration(scratch), mo, err);
    if (st == FP_OK)
        *hit = sm->truth_outcome[truth] == FP_TRUTH_FOUND;
    fp_analysis_free(a);
    return st;
}

fp_status fp_validate_time_to_detect(double *ttd_s, int *detected, const fp_profile *p,
                                     size_t truth, const fp_thresholds *t,
                                     const fp_match_options *mo, fp_profile *scratch,
                                     fp_match_result *sm, fp_error *err)
{
    const fp_truth *tr = &fp_profile_truth(p)[truth];
    double lo = tr->start_s, hi = fp_profile_duration(p);
    int hit = 0;
    fp_status st;

    *ttd_s = 0;
    *detected = 0;
    if (!(hi > lo))
        lo = hi;
    st = prefix_detects(&hit, p, truth, hi, t, mo, scratch, sm, err);
    if (st != FP_OK || !hit)
        return st;
    /* Invariant: the prefix ending at hi detects; lo is not known to. */
    for (int step = 1; step < FP_VALIDATE_TTD_STEPS; step++) {
        double mid = lo + (hi - lo) / 2.0;
        st = prefix_detects(&hit, p, truth, mid, t, mo, scratch, sm, err);
        if (st != FP_OK)
            return st;
        if (hit)
            hi = mid;
        else
            lo = mid;
    }
    *detected = 1;
    *ttd_s = hi - tr->start_s > 0 ? hi - tr->start_s : 0;
    return FP_OK;
}

/* ---- accumulation ---- */

/* A buffer of samples: the first `limit` values added (limit 0: every value, grown on demand). */
typedef struct sample_buf {
    double *v;
    size_t n, cap, limit;
    int oom; /* a value could not be kept (out of memory): the summary fails */
} sample_buf;

/*
 * Invariants: every counter is a sum over the records added; ttd[k] holds every ttd value of
 * kind k up to FP_VALIDATE_TTD_EXACT of them (exact quantiles), and their log-bucket counts
 * beyond (fp_quantile.h; the counts depend only on the values, not their order); the Spearman
 * buffers hold the first FP_VALIDATE_SAMPLE_CAP values in the order added (so the order of adds
 * is the only thing that matters); ttd_sum[k] sums all ttd values of kind k, in add order.
 */
struct fp_validate_acc {
    uint64_t runs, injected_runs, clean_runs, clean_alarmed, clean_fa, consequences;
    uint64_t tp[FP_KIND_COUNT], fp[FP_KIND_COUNT], fn[FP_KIND_COUNT];
    uint64_t ttd_n[FP_KIND_COUNT];
    double ttd_sum[FP_KIND_COUNT];
    fp_quantile_store *ttd[FP_KIND_COUNT]; /* NULL for kinds that are not time-based */
    sample_buf sp_impact, sp_cost;
    uint64_t spearman_n;
    uint64_t top1_right, top1_n, top1f_right, top1f_n, topk_hit, topk_n, dropped;
    double tp_credit; /* NAB credit summed over true positives */
    size_t n_sources;
    fp_validate_source_stats *sources;
};

fp_status fp_validate_acc_new(fp_validate_acc **out, size_t n_sources, fp_error *err)
{
    fp_validate_acc *acc = fp_calloc(1, sizeof *acc);
    fp_status st = FP_OK;
    *out = NULL;
    if (acc == NULL) {
        st = FP_ENOMEM;
        goto out;
    }
    acc->n_sources = n_sources;
    acc->sources = fp_calloc(n_sources ? n_sources : 1, sizeof *acc->sources);
    acc->sp_impact.v = fp_malloc(FP_VALIDATE_SAMPLE_CAP * sizeof(double));
    acc->sp_cost.v = fp_malloc(FP_VALIDATE_SAMPLE_CAP * sizeof(double));
    acc->sp_impact.cap = acc->sp_impact.limit = FP_VALIDATE_SAMPLE_CAP;
    acc->sp_cost.cap = acc->sp_cost.limit = FP_VALIDATE_SAMPLE_CAP;
    if (acc->sources == NULL || acc->sp_impact.v == NULL || acc->sp_cost.v == NULL) {
        st = FP_ENOMEM;
        goto out;
    }
    for (size_t k = 0; k < FP_KIND_COUNT; k++) {
        if (!fp_validate_time_based((fp_kind)k))
            continue;
        st = fp_quantile_store_new(&acc->ttd[k], FP_VALIDATE_TTD_EXACT, NULL);
        if (st != FP_OK)
            goto out;
    }
    for (size_t i = 0; i < n_sources; i++)
        acc->sources[i].kind = FP_KIND_COUNT;
out:
    if (st != FP_OK) {
        fp_validate_acc_free(acc);
        return fp_error_set(err, st, "validate: out of memory");
    }
    *out = acc;
    return FP_OK;
}

void fp_validate_acc_free(fp_validate_acc *acc)
{
    if (acc == NULL)
        return;
    for (size_t k = 0; k < FP_KIND_COUNT; k++)
        fp_quantile_store_free(acc->ttd[k]);
    fp_free(acc->sp_impact.v);
    fp_free(acc->sp_cost.v);
    fp_free(acc->sources);
    fp_free(acc);
}

static void push(sample_buf *b, double v)
{
    if (b->v == NULL || (b->limit > 0 && b->n >= b->limit))
        return;
    if (b->n == b->cap) {
        double *nv = b->cap <= SIZE_MAX / (2 * sizeof(double))
                         ? fp_realloc(b->v, 2 * b->cap * sizeof(double))
                         : NULL;
        if (nv == NULL) {
            b->oom = 1;
            return;
        }
        b->v = nv;
        b->cap *= 2;
    }
    b->v[b->n++] = v;
}

void fp_validate_acc_add(fp_validate_acc *acc, const fp_validate_run *r)
{
    uint64_t fa = 0;
    acc->runs++;
    acc->consequences += r->consequences;
    for (size_t k = 0; k < FP_KIND_COUNT; k++) {
        acc->tp[k] += r->tp[k];
        acc->fp[k] += r->fp[k];
        acc->fn[k] += r->fn[k];
        fa += r->fp[k];
    }
    if (!r->injected) {
        acc->clean_runs++;
        acc->clean_fa += fa;
        acc->clean_alarmed += fa > 0;
    } else {
        acc->injected_runs++;
        acc->top1_n++;
        acc->top1_right += r->top1 == 1;
    }
    if (r->top1_found >= 0) {
        acc->top1f_n++;
        acc->top1f_right += r->top1_found == 1;
    }
    size_t k_top = r->n_items + r->n_dropped;
    if (k_top < FP_VALIDATE_TOP_K)
        k_top = FP_VALIDATE_TOP_K;
    acc->dropped += r->n_dropped;
    for (size_t i = 0; i < r->n_items; i++) {
        const fp_validate_item *it = &r->items[i];
        if (it->source < acc->n_sources) {
            fp_validate_source_stats *s = &acc->sources[it->source];
            if (s->kind == FP_KIND_COUNT)
                s->kind = it->kind;
            if (it->found)
                s->found++;
            else
                s->missed++;
        }
        acc->topk_n++;
        if (!it->found)
            continue;
        acc->topk_hit += it->rank >= 0 && (size_t)it->rank < k_top;
        acc->spearman_n++;
        push(&acc->sp_impact, it->impact);
        push(&acc->sp_cost, it->cost);
        double credit = fp_validate_nab_sigmoid(-1.0);
        if (it->has_ttd && it->kind < FP_KIND_COUNT) {
            acc->ttd_n[it->kind]++;
            acc->ttd_sum[it->kind] += it->ttd_s;
            if (acc->ttd[it->kind] != NULL)
                fp_quantile_store_add(acc->ttd[it->kind], it->ttd_s);
            if (it->window_s > 0)
                credit = fp_validate_nab_sigmoid(it->ttd_s / it->window_s - 1.0);
        }
        acc->tp_credit += credit;
    }
}

static void rate(fp_validate_rate *r, double num, double den)
{
    r->num = num;
    r->den = den;
    r->available = den > 0;
    r->value = den > 0 ? num / den : 0;
    fp_validate_wilson(&r->lo, &r->hi, num, den, 0.95, NULL);
    if (!r->available)
        r->lo = r->hi = 0;
}

static void kind_stats(fp_validate_kind_stats *s, uint64_t tp, uint64_t fp, uint64_t fn)
{
    s->tp = tp;
    s->fp = fp;
    s->fn = fn;
    rate(&s->precision, (double)tp, (double)(tp + fp));
    rate(&s->recall, (double)tp, (double)(tp + fn));
    rate(&s->f1, (double)tp, (double)tp + (double)(fp + fn) / 2.0);
}

fp_status fp_validate_acc_summary(fp_validate_acc *acc, fp_validate_summary *out, fp_error *err)
{
    uint64_t tp = 0, fp = 0, fn = 0, ttd_n = 0;
    double ttd_sum = 0;
    double *work = NULL;
    fp_status st = FP_OK;

    memset(out, 0, sizeof *out);
    out->runs = acc->runs;
    out->injected_runs = acc->injected_runs;
    out->clean_runs = acc->clean_runs;
    for (size_t k = 0; k < FP_KIND_COUNT; k++) {
        fp_validate_kind_stats *s = &out->kinds[k];
        kind_stats(s, acc->tp[k], acc->fp[k], acc->fn[k]);
        tp += acc->tp[k];
        fp += acc->fp[k];
        fn += acc->fn[k];
        s->ttd_n = acc->ttd_n[k];
        if (acc->ttd_n[k] > 0) {
            fp_quantile_store *q = acc->ttd[k];
            s->ttd_mean_s = acc->ttd_sum[k] / (double)acc->ttd_n[k];
            ttd_sum += acc->ttd_sum[k];
            ttd_n += acc->ttd_n[k];
            if (q != NULL) {
                /* Exact up to FP_VALIDATE_TTD_EXACT values, within FP_QUANTILE_REL_ERR beyond
                 * (the writers say so); repeatable: later adds and summaries see the same. */
                st = fp_quantile_store_quantile(q, 0.95, &s->ttd_p95_s, err);
                if (st != FP_OK)
                    return fp_error_set(
                        err, st, "validate: out of memory keeping %llu time-to-detect values",
                        (unsigned long long)acc->ttd_n[k]);
                s->ttd_p95_approximate = !fp_quantile_store_exact(q);
            }
        }
    }
    kind_stats(&out->overall, tp, fp, fn);
    out->overall.ttd_n = ttd_n;
    out->overall.ttd_mean_s = ttd_n > 0 ? ttd_sum / (double)ttd_n : 0;
    out->consequences = acc->consequences;
    out->clean_false_alarms = acc->clean_fa;
    out->clean_false_alarms_per_run =
        acc->clean_runs > 0 ? (double)acc->clean_fa / (double)acc->clean_runs : 0;
    rate(&out->clean_runs_alarmed, (double)acc->clean_alarmed, (double)acc->clean_runs);
    rate(&out->top1, (double)acc->top1_right, (double)acc->top1_n);
    rate(&out->top1_found, (double)acc->top1f_right, (double)acc->top1f_n);
    rate(&out->topk, (double)acc->topk_hit, (double)acc->topk_n);
    out->spearman_n = acc->sp_impact.n;
    out->spearman_of = acc->spearman_n;
    if (acc->sp_impact.n >= 3) {
        work = fp_malloc(2 * acc->sp_impact.n * sizeof *work);
        if (work == NULL) {
            st = fp_error_set(err, FP_ENOMEM, "validate: out of memory");
            goto out;
        }
        out->spearman =
            fp_validate_spearman(acc->sp_impact.v, acc->sp_cost.v, acc->sp_impact.n, work);
        out->spearman_available = 1;
    }
    for (int p = 0; p < FP_NAB_PROFILE_COUNT; p++)
        out->nab[p] = fp_validate_nab_score((fp_nab_profile)p, acc->tp_credit, fp, fn, tp + fn);
    out->dropped = acc->dropped;
    out->n_sources = acc->n_sources;
    out->sources = acc->sources;
    for (size_t i = 0; i < acc->n_sources; i++) {
        fp_validate_source_stats *s = &acc->sources[i];
        rate(&s->recall, (double)s->found, (double)(s->found + s->missed));
    }
out:
    fp_free(work);
    return st;
}
