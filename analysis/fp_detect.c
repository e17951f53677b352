/*
 * fp_detect.c - the bottleneck detectors. Each is a static unit reading the metrics and the
 * workspace and appending findings; docs/analysis.md documents every formula and default.
 *
 * Common shape of a finding: share (the part of the run's time, memory or CPU the problem
 * accounts for), excess (how far the measured value is beyond its threshold: 1 - threshold /
 * measured, or for CPU, bounded by 100, (measured - threshold) / (100 - threshold)) and the
 * estimated saving (improvement: seconds, MB or core-seconds the problem adds). The cost, impact
 * and severity derive from the saving in fp_analysis_costs() (docs/analysis.md "Cost").
 */
#include "fp_analysis_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static const char *const s_sugg_slow[] = {
    "profile the method's own work line by line and optimise the hottest loop",
    "cache results of repeated identical calls",
    "move work off the critical path or run independent parts in parallel",
    "use a more efficient algorithm or data structure",
};
static const char *const s_sugg_outliers[] = {
    "inspect the slowest calls: look for lock contention, retries, GC pauses or cold caches",
    "add timeouts and bounded retries around remote calls",
    "warm caches or connection pools before the run",
    "log inputs of outlier calls to find the slow cases",
};
static const char *const s_sugg_hotspot[] = {
    "stream or chunk the data instead of materialising it at once",
    "reuse buffers across calls instead of allocating per call",
    "use more compact data types or representations",
    "release large temporaries as soon as they are no longer needed",
};
static const char *const s_sugg_leak[] = {
    "find objects that stay referenced after use (caches without eviction, global lists)",
    "bound caches with a size limit or an eviction policy",
    "close files, sockets and handles in all paths",
    "compare heap snapshots taken at the onset and at the end of the run",
};
static const char *const s_sugg_cpu[] = {
    "reduce the computation: better algorithm, vectorisation, avoiding recomputation",
    "spread CPU-heavy work over time or more cores",
    "cache expensive computed values",
    "check for busy-waiting or spinning loops",
};
static const char *const s_sugg_storm[] = {
    "batch the calls: process many items per call",
    "memoise calls with repeated arguments",
    "hoist invariant calls out of loops",
    "check for accidental N+1 call patterns",
};
static const char *const s_sugg_io[] = {
    "batch small reads and writes into larger ones",
    "buffer or cache frequently read data in memory",
    "use asynchronous or parallel I/O",
    "compress data or avoid reading data that is not used",
};

#define SET_SUGG(f, arr)                                                                           \
    do {                                                                                           \
        size_t i_;                                                                                 \
        for (i_ = 0; i_ < FP_FINDING_MAX_SUGGESTIONS; i_++)                                        \
            (f)->suggestions[i_] = (arr)[i_];                                                      \
        (f)->n_suggestions = FP_FINDING_MAX_SUGGESTIONS;                                           \
    } while (0)

static double excess_ratio(double measured, double thr)
{
    if (measured <= thr)
        return 0.0;
    if (thr <= 0.0)
        return 1.0;
    return fp_clamp(1.0 - thr / measured, 0.0, 1.0);
}

static double excess_pct(double measured, double thr)
{
    if (measured <= thr)
        return 0.0;
    return fp_clamp((measured - thr) / (100.0 - thr), 0.0, 1.0);
}

static void evid(fp_finding *f, const char *name, double v)
{
    if (f->n_evidence < FP_FINDING_MAX_EVIDENCE) {
        f->evidence[f->n_evidence].name = name;
        f->evidence[f->n_evidence].value = fp_fin(v);
        f->n_evidence++;
    }
}

/* Fills the common fields and derives impact and severity. */
static void finish(fp_finding *f, fp_kind kind, int32_t target, const char *name, double measured,
                   double thr, const char *unit, const char *rule, double share, double excess)
{
    f->kind = kind;
    f->target = target;
    f->target_name = name;
    f->measured = fp_fin(measured);
    f->threshold = fp_fin(thr);
    f->unit = unit;
    f->rule = rule;
    f->share = fp_clamp(share, 0.0, 1.0);
    f->excess = fp_clamp(excess, 0.0, 1.0);
    /* impact and severity come from the cost, once every saving is known: fp_analysis_costs() */
    f->start_s = fp_fin(f->start_s);
    f->end_s = fp_fin(f->end_s);
    f->improvement = fp_clamp(f->improvement, 0.0, 1e300);
}

/* A duration for a root-cause text: "%.3g s" from 1 ms up (and for 0), in a unit that fits below
 * (µs, ns), so that a real sub-millisecond call never reads as scientific notation. Returns buf. */
typedef struct dur_buf {
    char s[32];
} dur_buf;

static const char *dur_text(dur_buf *b, double sec)
{
    if (!(sec > 0) || sec >= 1e-3)
        snprintf(b->s, sizeof b->s, "%.3g s", sec);
    else if (sec >= 1e-6)
        snprintf(b->s, sizeof b->s, "%.3g \xc2\xb5s" /* UTF-8 micro sign */, sec * 1e6);
    else
        snprintf(b->s, sizeof b->s, "%.3g ns", sec * 1e9);
    return b->s;
}

/* First start and last end over the spans of method m. */
static void method_window(const fp_work *w, size_t m, double *t0, double *t1)
{
    size_t k;
    *t0 = 0;
    *t1 = 0;
    for (k = w->m_off[m]; k < w->m_off[m + 1]; k++) {
        const fp_span *s = &w->spans[w->m_idx[k]];
        if (k == w->m_off[m] || s->start_s < *t0)
            *t0 = s->start_s;
        if (k == w->m_off[m] || s->start_s + s->dur_s > *t1)
            *t1 = s->start_s + s->dur_s;
    }
}

/* ---- slow_method ---- */

static fp_status detect_slow_method(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    fp_finding f;
    double path_share = fp_clamp(fp_div(mm->path_s, w->duration), 0.0, 1.0);
    int by_mean = mm->self_mean_s > th->slow_mean_s;
    int by_share = th->slow_path_share > 0 && path_share > th->slow_path_share;
    double e;

    if (mm->calls == 0 || (!by_mean && !by_share))
        return FP_OK;
    memset(&f, 0, sizeof f);
    method_window(w, m, &f.start_s, &f.end_s);
    e = by_mean ? excess_ratio(mm->self_mean_s, th->slow_mean_s)
                : excess_ratio(path_share, th->slow_path_share);
    /* The saving is what brings the method within both rules, the larger of the two: per call,
     * path_s (1 - mean_s / self_mean); by share, x with (P - x) / (D - x) = t, since the run
     * shortens with the method: x = (P - t D) / (1 - t) = P e_share / (1 - t) (P - t D alone
     * would leave the method above its share). x <= P as P <= D. */
    f.improvement = by_mean ? mm->path_s * e : 0.0;
    if (by_share && th->slow_path_share < 1.0) {
        double x = mm->path_s * excess_ratio(path_share, th->slow_path_share) /
                   (1.0 - th->slow_path_share);
        if (x > f.improvement)
            f.improvement = x < mm->path_s ? x : mm->path_s;
    }
    f.improvement_unit = "s";
    evid(&f, "calls", (double)mm->calls);
    evid(&f, "self_mean_s", mm->self_mean_s);
    evid(&f, "self_s", mm->self_s);
    evid(&f, "path_s", mm->path_s);
    evid(&f, "path_share", path_share);
    evid(&f, "p95_s", mm->p95_s);
    dur_buf d1, d2, d3;
    snprintf(f.root_cause, sizeof f.root_cause,
             "'%s' spends %s of own time per call over %zu calls (threshold %s); its own "
             "work takes %s of the critical path, %.1f%% of the run (threshold %.1f%%).",
             mm->name, dur_text(&d1, mm->self_mean_s), mm->calls, dur_text(&d2, th->slow_mean_s),
             dur_text(&d3, mm->path_s), 100.0 * path_share, 100.0 * th->slow_path_share);
    SET_SUGG(&f, s_sugg_slow);
    if (by_mean)
        finish(&f, FP_KIND_SLOW_METHOD, (int32_t)m, mm->name, mm->self_mean_s, th->slow_mean_s, "s",
               "mean_s", path_share, e);
    else
        finish(&f, FP_KIND_SLOW_METHOD, (int32_t)m, mm->name, path_share, th->slow_path_share,
               "fraction", "path_share", path_share, e);
    return fp_analysis_push_finding(a, &f, err);
}

/* ---- latency_outliers ---- */

#define LOG_FLOOR_S 1e-9

/* Degrees of freedom of the robust scale: the MAD's asymptotic efficiency at the normal is
 * 0.3675, so it carries the information of about 0.37 n observations. */
#define OUTLIER_DF_PER_CALL 0.3675

/*
 * Significance of the k largest z-scores (zs sorted descending, count entries) among n calls:
 * min over k of P(Bin(n, q_k) >= k), q_k = P(T > zs[k-1]) for Student's t with df degrees of
 * freedom, times count (Bonferroni over the k tried). In [0, 1].
 */
static double outliers_p_value(const double *zs, size_t count, size_t n, double df)
{
    double best = 1.0;
    size_t k;

    for (k = 1; k <= count; k++) {
        double q = gsl_cdf_tdist_Q(zs[k - 1], df);
        double pk = gsl_cdf_binomial_Q((unsigned)(k - 1), q > 0 ? q : 0.0, (unsigned)n);
        if (isfinite(pk) && pk < best)
            best = pk;
    }
    return fp_clamp(best * (double)count, 0.0, 1.0);
}

/* Reference window of the gap test: the normalised spacings of the next max(10, n / 10) calls
 * below the tested group. */
#define OUTLIER_GAP_REF_MIN 10
#define OUTLIER_GAP_REF_DIV 10
/* The body (calls that are not candidates) has a heavy, exponential-in-log (Pareto-like) upper
 * tail when its octile skewness in log space, (Q7/8 + Q1/8 - 2 Q1/2) / (Q7/8 - Q1/8), is above
 * this: 0 for a log-normal body, 0.42 for a Pareto one. Only then (or for a group the size of a
 * mode) is the gap test needed; a log-normal body keeps the log-normal test's power. */
#define OUTLIER_HEAVY_SKEW 0.2

/* Floor on the gap test's tail scale, as a fraction of the robust log scale (ties: quantised
 * timers give zero spacings, which must not make every gap infinitely significant). */
#define OUTLIER_GAP_SCALE_FLOOR 0.1

/*
 * Gap test (tail-index aware): with l sorted ascending (n values), the normalised spacing of the
 * top m calls, D_m = m (l[n-m] - l[n-m-1]), is exponential with the tail's mean excess when the
 * log tail is exponential (a Pareto tail; Renyi's representation, the spacings behind Hill's
 * estimator), and smaller for a lighter, log-normal tail. The mean theta is estimated from the
 * median of the next R normalised spacings below the group (median / ln 2, robust to a few
 * gaps), floored at `floor_theta`, and p_m = exp(-D_m / theta). Returns min over m in
 * [1, max_m] of p_m times the number of m tried (Bonferroni), and the best m in *m_best (0 when
 * nothing could be tested: p = 1). `tmp` holds n doubles.
 */
static double outliers_gap_p(const double *l, size_t n, size_t max_m, double floor_theta,
                             double *tmp, size_t *m_best)
{
    size_t m, k, tried = 0, r = n / OUTLIER_GAP_REF_DIV;
    double best = 1.0;

    if (r < OUTLIER_GAP_REF_MIN)
        r = OUTLIER_GAP_REF_MIN;
    *m_best = 0;
    for (m = 1; m <= max_m && m + 3 < n; m++) {
        double dm = (double)m * (l[n - m] - l[n - m - 1]), theta, pm;
        size_t j = 0;
        for (k = m + 1; k <= m + r && k + 1 <= n - 1; k++)
            tmp[j++] = (double)k * (l[n - k] - l[n - k - 1]);
        if (j < 3)
            break;
        tried++;
        theta = gsl_stats_median(tmp, 1, j) / M_LN2;
        if (!(theta > floor_theta))
            theta = floor_theta;
        if (!(theta > 0) || !(dm > 0))
            continue;
        /* D_m / theta is about F(2, 2j) under the exponential null (theta estimated from j
         * spacings): P = (1 + D_m / (j theta))^-j */
        pm = pow(1.0 + dm / ((double)j * theta), -(double)j);
        if (pm < best || *m_best == 0) {
            best = pm;
            *m_best = m;
        }
    }
    return fp_clamp(best * (double)(tried ? tried : 1), 0.0, 1.0);
}

/* Octile skewness of the sorted values x[0..n): (Q7/8 + Q1/8 - 2 Q1/2) / (Q7/8 - Q1/8), 0 when
 * the octiles coincide. */
static double octile_skew(const double *x, size_t n)
{
    double q1 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.125);
    double q2 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.5);
    double q7 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.875);
    return fp_div(q7 + q1 - 2.0 * q2, q7 - q1);
}

/*
 * The logarithms l[j] = log(max(x[j], LOG_FLOOR_S)) of the sorted times x[0..n), taken when first
 * asked for: l[lo..hi) are computed so far (the range only grows, so each is taken once). Log is
 * monotone, so l is sorted too. Most methods are done with the middle half (the median and the
 * MAD): the calls far from the median need no logarithm then.
 */
typedef struct lazy_logs {
    const double *x;
    double *l;
    size_t lo, hi;
} lazy_logs;

static double log_at(lazy_logs *g, size_t j)
{
    while (j < g->lo) {
        g->lo--;
        g->l[g->lo] = log(g->x[g->lo] > LOG_FLOOR_S ? g->x[g->lo] : LOG_FLOOR_S);
    }
    while (j >= g->hi) {
        g->l[g->hi] = log(g->x[g->hi] > LOG_FLOOR_S ? g->x[g->hi] : LOG_FLOOR_S);
        g->hi++;
    }
    return g->l[j];
}

/*
 * The median of |l[j] - med| over l[0..n) sorted ascending (n > 0, med its median), the value
 * gsl_stats_median gives, without a selection: at and below the middle the distances grow as j
 * falls, above it they grow with j, so a walk outward from the middle meets them in ascending
 * order and stops at the middle rank. It takes only the logarithms it meets.
 */
static double sorted_mad(lazy_logs *g, size_t n, double med)
{
    size_t lhs = (n - 1) / 2, rhs = n / 2, left = lhs + 1, right = lhs + 1, r;
    double d = 0, lo = 0;
    for (r = 0; r <= rhs; r++) {
        /* next distance: from l[left - 1] (below) or l[right] (above), the smaller */
        if (right >= n ||
            (left > 0 && fabs(log_at(g, left - 1) - med) <= fabs(log_at(g, right) - med)))
            d = fabs(log_at(g, --left) - med);
        else
            d = fabs(log_at(g, right++) - med);
        if (r == lhs)
            lo = d;
    }
    return lhs == rhs ? d : (lo + d) / 2.0;
}

static fp_status detect_latency_outliers(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    size_t n_tested = w->outlier_methods;
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    size_t n = mm->calls, k, j, count = 0, m_gap = 0;
    double *lx = w->buf, *dev = w->buf2;
    double med_l, mad, scale, med_x, x_top, excess_s = 0, zmax = 0, zsum = 0, t0 = 0, t1 = 0, p, df;
    double p_gap = 1.0, cut = -HUGE_VAL;
    fp_finding f;

    if (n == 0 || (double)n < th->outlier_min_calls || n > UINT_MAX)
        return FP_OK;
    /* one sort (or none: fp_method_self_sorted()): the logs of the sorted times are sorted too
     * (log is monotone), and the MAD needs only a walk out from their middle (sorted_mad()) */
    fp_method_self_sorted(w, m, dev, lx);
    med_x = gsl_stats_median_from_sorted_data(dev, 1, n);
    x_top = dev[n - 1];
    lazy_logs lg = {dev, lx, (n - 1) / 2, (n - 1) / 2};
    log_at(&lg, n / 2); /* the middle one or two: their median is that of all the logs */
    med_l = gsl_stats_median_from_sorted_data(lx + (n - 1) / 2, 1, n / 2 - (n - 1) / 2 + 1);
    mad = sorted_mad(&lg, n, med_l);
    /* z = 0.6745 (x - med) / MAD; when MAD = 0 (more than half the calls tie) the
     * Iglewicz-Hoaglin fallback z = (x - med) / (1.253314 MeanAD) is used */
    if (mad > 0) {
        scale = mad / 0.6745;
    } else {
        double meanad = 0;
        log_at(&lg, 0);
        log_at(&lg, n - 1);
        for (j = 0; j < n; j++)
            dev[j] = fabs(lx[j] - med_l);
        fp_sort_doubles(dev, n); /* summed in ascending order, as always */
        for (j = 0; j < n; j++)
            meanad += dev[j];
        meanad /= (double)n;
        if (!(meanad > 0))
            return FP_OK; /* all calls equal: nothing stands out */
        scale = 1.253314 * meanad;
    }
    /* both tests of a candidate are monotone in the time: when the longest call is none, no
     * call is (most methods end here, without the logarithms of their outer calls) */
    if (!(x_top - med_x > th->outlier_min_excess_s) ||
        !(((x_top > LOG_FLOOR_S ? log(x_top) : log(LOG_FLOOR_S)) - med_l) / scale > th->outlier_z))
        return FP_OK;
    log_at(&lg, 0); /* every logarithm, before dev is reused */
    log_at(&lg, n - 1);
    /* lx stays sorted; dev collects the candidate outliers' z-scores */
    for (k = w->m_off[m]; k < w->m_off[m + 1]; k++) {
        double x = w->self[w->m_idx[k]], z;
        if (!(x - med_x > th->outlier_min_excess_s))
            continue; /* tested first: most calls fail it, and it needs no logarithm */
        z = ((x > LOG_FLOOR_S ? log(x) : log(LOG_FLOOR_S)) - med_l) / scale;
        if (z > th->outlier_z)
            dev[count++] = z;
    }
    if (count == 0)
        return FP_OK;
    /* significance of the count and size of the candidates under a log-normal null,
     * Bonferroni over the methods tested */
    fp_sort_doubles(dev, count);
    for (j = 0; j < count / 2; j++) {
        double tmp = dev[j];
        dev[j] = dev[count - 1 - j];
        dev[count - 1 - j] = tmp;
    }
    df = OUTLIER_DF_PER_CALL * (double)n;
    p = fp_clamp(outliers_p_value(dev, count, n, df) * (double)(n_tested ? n_tested : 1), 0, 1);
    if (!(p < th->outlier_p_value))
        return FP_OK;
    /* rare and apart: the outliers are the top m calls above the most significant gap, fewer
     * than a latency mode, and that gap must be unlikely under an exponential (Pareto) log tail
     * too; a heavy tail or a stable second mode alone never passes */
    if (th->outlier_gap_p_value < 1.0 &&
        ((double)count >= th->outlier_mode_min_calls || n - count < 8 ||
         octile_skew(lx, n - count) > OUTLIER_HEAVY_SKEW)) {
        double mode_min = th->outlier_mode_min_calls - 1.0;
        size_t max_m = mode_min < (double)count ? (size_t)mode_min : count;
        p_gap =
            fp_clamp(outliers_gap_p(lx, n, max_m, OUTLIER_GAP_SCALE_FLOOR * scale, dev, &m_gap) *
                         (double)(n_tested ? n_tested : 1),
                     0, 1);
        if (m_gap == 0 || !(p_gap < th->outlier_gap_p_value))
            return FP_OK;
        cut = lx[n - m_gap];
    }
    for (k = w->m_off[m], count = 0; k < w->m_off[m + 1]; k++) {
        size_t si = w->m_idx[k];
        double x = w->self[si], lv, z;
        if (!(x - med_x > th->outlier_min_excess_s))
            continue;
        lv = x > LOG_FLOOR_S ? log(x) : log(LOG_FLOOR_S);
        z = (lv - med_l) / scale;
        if (z > th->outlier_z && lv >= cut) {
            const fp_span *s = &w->spans[si];
            if (count == 0 || s->start_s < t0)
                t0 = s->start_s;
            if (count == 0 || s->start_s + s->dur_s > t1)
                t1 = s->start_s + s->dur_s;
            count++;
            excess_s += x - med_x;
            zsum += z;
            if (z > zmax)
                zmax = z;
        }
    }
    if (count == 0 || (double)count < th->outlier_min_count ||
        (double)count < th->outlier_min_fraction * (double)n)
        return FP_OK;
    memset(&f, 0, sizeof f);
    f.start_s = t0;
    f.end_s = t1;
    f.improvement = excess_s;
    f.improvement_unit = "s";
    evid(&f, "outliers", (double)count);
    evid(&f, "calls", (double)n);
    evid(&f, "p_value", p);
    evid(&f, "median_self_s", med_x);
    evid(&f, "excess_s", excess_s);
    evid(&f, "gap_p_value", p_gap);
    dur_buf d1, d2;
    snprintf(f.root_cause, sizeof f.root_cause,
             "%zu of %zu calls of '%s' (%.2f%%) take far longer than its median own time of "
             "%s (modified z up to %.1f, threshold %.1f; p = %.2g, gap p = %.2g), adding %s in "
             "total.",
             count, n, mm->name, 100.0 * (double)count / (double)n, dur_text(&d1, med_x), zmax,
             th->outlier_z, p, p_gap, dur_text(&d2, excess_s));
    SET_SUGG(&f, s_sugg_outliers);
    finish(&f, FP_KIND_LATENCY_OUTLIERS, (int32_t)m, mm->name, zmax, th->outlier_z, "z",
           "modified_z", fp_div(excess_s, w->duration),
           excess_ratio(zsum / (double)count, th->outlier_z));
    return fp_analysis_push_finding(a, &f, err);
}

/* ---- memory_hotspot ---- */

static fp_status detect_memory_hotspot(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    fp_finding f;
    double peak = a->run.peak_mem_mb;

    if (mm->calls == 0 || !(mm->mem_alloc_mean_mb > th->hotspot_alloc_mb))
        return FP_OK;
    memset(&f, 0, sizeof f);
    method_window(w, m, &f.start_s, &f.end_s);
    f.improvement = mm->mem_alloc_mean_mb - th->hotspot_alloc_mb;
    f.improvement_unit = "MB";
    evid(&f, "alloc_mean_mb", mm->mem_alloc_mean_mb);
    evid(&f, "alloc_max_mb", mm->mem_alloc_max_mb);
    evid(&f, "alloc_total_mb", mm->mem_alloc_mb);
    evid(&f, "calls", (double)mm->calls);
    evid(&f, "peak_memory_mb", peak);
    snprintf(f.root_cause, sizeof f.root_cause,
             "'%s' allocates %.1f MB per call on average (largest call %.1f MB, threshold %.1f "
             "MB) over %zu calls, %.1f%% of the run's peak memory of %.1f MB.",
             mm->name, mm->mem_alloc_mean_mb, mm->mem_alloc_max_mb, th->hotspot_alloc_mb, mm->calls,
             100.0 * fp_clamp(fp_div(mm->mem_alloc_mean_mb, peak), 0, 1), peak);
    SET_SUGG(&f, s_sugg_hotspot);
    finish(&f, FP_KIND_MEMORY_HOTSPOT, (int32_t)m, mm->name, mm->mem_alloc_mean_mb,
           th->hotspot_alloc_mb, "MB", "alloc_mb", fp_div(mm->mem_alloc_mean_mb, peak),
           excess_ratio(mm->mem_alloc_mean_mb, th->hotspot_alloc_mb));
    return fp_analysis_push_finding(a, &f, err);
}

/* ---- memory_leak ---- */

#define LEAK_GRID 20
#define LEAK_PERSIST 0.75
/* A leak is growth that continues to the end of the observed window: the fitted ramp of the
 * series must still be rising in the last quarter of the window after its onset, and a method's
 * retention must go on in the second half of its window (at least this share of it there). A
 * step that allocates once and then stays flat (a cache warm-up) is neither. */
#define LEAK_TAIL_FRACTION 0.75
#define LEAK_TAIL_SHARE 0.25

/*
 * Ramp model of the memory series: y = a + b * clamp(t - t_c, 0, t_d - t_c), flat up to sample
 * c, linear up to sample d, flat afterwards (d = n - 1: growing to the end). t_i = (i + 1) iv,
 * the end of sample i's interval.
 */
typedef struct ramp_fit {
    size_t c, d;
    double c0, c1, cov11, rss;
} ramp_fit;

static int fit_ramp(const fp_series *ser, const double *y, double *x, size_t c, size_t d,
                    ramp_fit *out)
{
    double iv = ser->interval_s, tc = (double)(c + 1) * iv, len = (double)(d - c) * iv;
    double cov00, cov01;
    size_t i;

    for (i = 0; i < ser->n; i++) {
        double v = (double)(i + 1) * iv - tc;
        x[i] = v < 0 ? 0 : (v > len ? len : v);
    }
    out->c = c;
    out->d = d;
    if (gsl_fit_linear(x, 1, y, 1, ser->n, &out->c0, &out->c1, &cov00, &cov01, &out->cov11,
                       &out->rss) != GSL_SUCCESS)
        return 0;
    return isfinite(out->rss) && isfinite(out->c1) && isfinite(out->cov11);
}

/*
 * Prefix sums of the series for O(1) candidate evaluation: the ramp regressor is
 * x_i = iv * clamp(i - c, 0, d - c), so every sum the least-squares fit needs is a closed form
 * in c, d and prefix sums of y and i*y. Candidates are ranked by that residual sum of squares;
 * the chosen one is then fitted with gsl_fit_linear, which gives the reported numbers.
 */
typedef struct ramp_sums {
    const double *py;  /* py[i] = sum of y[0..i) */
    const double *piy; /* piy[i] = sum of j * y[j] over j < i */
    double syy;        /* sum of y^2 */
} ramp_sums;

static double ramp_rss(const fp_series *ser, const ramp_sums *rs, size_t c, size_t d)
{
    double n = (double)ser->n, iv = ser->interval_s, L = (double)(d - c);
    double tail = (double)(ser->n - 1 - d);
    double sy = rs->py[ser->n];
    double sx = iv * (L * (L + 1.0) / 2.0 + tail * L);
    double sxx = iv * iv * (L * (L + 1.0) * (2.0 * L + 1.0) / 6.0 + tail * L * L);
    double mid_y = rs->py[d + 1] - rs->py[c + 1], mid_iy = rs->piy[d + 1] - rs->piy[c + 1];
    double sxy = iv * (mid_iy - (double)c * mid_y + L * (sy - rs->py[d + 1]));
    double cxx = sxx - sx * sx / n, cxy = sxy - sx * sy / n, cyy = rs->syy - sy * sy / n;
    if (!(cxx > 0))
        return HUGE_VAL;
    double rss = cyy - cxy * cxy / cxx;
    return rss > 0 ? rss : 0.0;
}

/* Keeps the candidate with the smaller residual sum of squares (ties: the earlier one). */
static void try_ramp(const fp_series *ser, const ramp_sums *rs, size_t c, size_t d, size_t min_win,
                     ramp_fit *best, int *have)
{
    if (d <= c || d - c < min_win || d >= ser->n)
        return;
    double rss = ramp_rss(ser, rs, c, d);
    if (isfinite(rss) && (!*have || rss < best->rss)) {
        best->c = c;
        best->d = d;
        best->rss = rss;
        *have = 1;
    }
}

/*
 * The changes of the memory the spans account for, per sample interval: the curve of
 * fp_metrics.c (+alloc at a call's start, -(alloc - retained) at its end) changes by out[k]
 * up to t_k = (k + 1) iv, so its level at t_k is the running sum of out[0..k]. Subtracting that
 * level from the series removes transient allocations and the retention already attributed to
 * methods, leaving baseline + unexplained growth + noise.
 */
static fp_status explained_memory(const fp_work *w, double *out, fp_error *err)
{
    size_t n = w->n_spans, ns = w->ser.n, i;
    double iv = w->ser.interval_s, inv_iv = 1.0 / iv, ns_d = (double)ns;
    /* sample indices as signed integers: one instruction each way between them and doubles
     * (a size_t takes a test and a branch); a series has far fewer than 2^53 samples */
    const int64_t ns_i = (int64_t)ns;

    (void)err;
    /* Each event is added to the first sample whose end time t_k = (k + 1) iv satisfies
     * t <= t_k + 1e-9 (a difference array, no sort). */
    memset(out, 0, ns * sizeof *out);
    for (i = 0; i < 2 * n && ns > 0; i++) {
        const fp_span *s = &w->spans[i / 2];
        double t = (i % 2 == 0) ? s->start_s : s->start_s + s->dur_s;
        double delta = (i % 2 == 0) ? s->mem_alloc_mb : -(s->mem_alloc_mb - s->mem_retained_mb);
        /* a first guess (t / iv, without the call of ceil or a division): the two loops
         * below end on the same sample from any start */
        double kf = t * inv_iv;
        int64_t k = kf > 0 ? (kf < ns_d ? (int64_t)kf : ns_i) : 0;
        while (k > 0 && t <= (double)k * iv + 1e-9)
            k--;
        while (k < ns_i && (double)(k + 1) * iv + 1e-9 < t)
            k++;
        if (k < ns_i)
            out[k] += delta;
    }
    return FP_OK;
}

static fp_status detect_memory_leak_process(fp_analysis *a, const fp_work *w, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_series *ser = &w->ser;
    size_t n = ser->n, min_win, i, j, k, step, stride, sm, lo, hi;
    double iv = ser->interval_s, *x = w->buf, *y = NULL, rho, num = 0, den = 0, factor, n_eff;
    double p, se, t_on, t_off, growth, final_level, max_level, run_sum, explained;
    ramp_fit best;
    int have = 0, to_end;
    fp_finding f;
    fp_status st = FP_OK;

    a->proc[FP_PROC_LEAK_SLOPE_MB_S] = a->proc[FP_PROC_LEAK_GROWTH_MB] = 0.0;
    a->has_leak_candidate = 0;
    a->proc_have |= 1u << FP_PROC_LEAK_SLOPE_MB_S | 1u << FP_PROC_LEAK_GROWTH_MB;
    if (n == 0 || (double)n < th->leak_min_samples || !(iv > 0))
        return FP_OK;
    min_win = n / 20 > 4 ? n / 20 : 4;
    if (min_win >= n)
        return FP_OK;
    y = fp_malloc(n * sizeof *y); /* explained_memory() writes every element */
    if (!y)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    st = explained_memory(w, y, err);
    if (st != FP_OK)
        goto out;
    /* one pass, three independent chains: the explained level (the running sum of its
     * changes), the unexplained memory y = series - level, and y's range */
    double level = 0, first = 0.0 + y[0], y_lo = HUGE_VAL, y_hi = -HUGE_VAL;
    for (i = 0; i < n; i++) {
        level += y[i];
        y[i] = ser->mem_mb[i] - level;
        y_lo = y[i] < y_lo ? y[i] : y_lo;
        y_hi = y[i] > y_hi ? y[i] : y_hi;
    }
    explained = level - first; /* the explained level's change from the first sample */
    /*
     * No ramp fit can reach the growth threshold: for the ramp regressor x (0 up to the onset,
     * linear, then flat) the least-squares growth b * L is at most (R / 2) * L * sum|x - mean| /
     * sum (x - mean)^2 <= 1.5 R, R the range of y (the factor is below 3 for every onset and end,
     * checked exhaustively for n <= 200). So when 1.5 R <= the growth threshold the search is
     * skipped: same findings, and most runs (no leak) skip the costliest part of the analysis.
     */
    if (1.5 * (y_hi - y_lo) <= th->leak_min_growth_mb)
        goto out;
    memset(&best, 0, sizeof best);
    /* prefix sums for the candidate search (x is free until the final fit) */
    double *py =
        fp_malloc(2 * (n + 1) * sizeof *py); /* two prefix-sum arrays, each starting at 0 */
    if (!py) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto out;
    }
    ramp_sums rs = {py, py + n + 1, 0.0};
    py[0] = py[n + 1] = 0.0;
    for (i = 0; i < n; i++) {
        py[i + 1] = py[i] + y[i];
        py[n + 1 + i + 1] = py[n + 1 + i] + (double)i * y[i];
        rs.syy += y[i] * y[i];
    }
    /* coarse grid of (onset, end) pairs, then a local refinement of each boundary */
    for (j = 0; j <= LEAK_GRID; j++)
        for (k = j + 1; k <= LEAK_GRID; k++)
            try_ramp(ser, &rs, j * (n - 1) / LEAK_GRID, k * (n - 1) / LEAK_GRID, min_win, &best,
                     &have);
    if (!have) {
        fp_free(py);
        goto out;
    }
    step = (n - 1) / LEAK_GRID + 1;
    stride = step / 25 + 1;
    {
        size_t c0 = best.c, d0 = best.d;
        lo = c0 > step ? c0 - step : 0;
        for (i = lo; i <= c0 + step && i < n; i += stride)
            try_ramp(ser, &rs, i, best.d, min_win, &best, &have);
        lo = d0 > step ? d0 - step : 0;
        hi = best.d + step;
        for (i = lo; i <= hi && i < n; i += stride)
            try_ramp(ser, &rs, best.c, i, min_win, &best, &have);
    }
    fp_free(py);
    if (!fit_ramp(ser, y, x, best.c, best.d, &best))
        goto out;
    /* lag-1 autocorrelation of the residuals: n_eff = n (1 - rho) / (1 + rho) for rho > 0 */
    for (i = 0; i < n; i++) {
        double r = y[i] - (best.c0 + best.c1 * x[i]);
        w->buf2[i] = r;
        den += r * r;
        if (i > 0)
            num += r * w->buf2[i - 1];
    }
    rho = den > 0 ? num / den : 0.0;
    if (rho < 0)
        rho = 0;
    if (rho > 0.99)
        rho = 0.99;
    factor = sqrt((1.0 + rho) / (1.0 - rho));
    n_eff = (double)n * (1.0 - rho) / (1.0 + rho);
    se = sqrt(best.cov11 > 0 ? best.cov11 : 0.0) * factor;
    if (se > 0)
        p = gsl_cdf_tdist_Q(best.c1 / se, n_eff > 3.0 ? n_eff - 2.0 : 1.0);
    else
        p = best.c1 > 0 ? 0.0 : 1.0; /* exact fit */
    p = fp_clamp(p, 0.0, 1.0);
    t_on = (double)(best.c + 1) * iv;
    t_off = best.d == n - 1 ? w->duration : (double)(best.d + 1) * iv;
    growth = best.c1 * (double)(best.d - best.c) * iv;
    /* persistence: the final level keeps >= 75 % of the peak rise (rise-then-fall is no leak) */
    sm = (n - best.c) / 10 > 3 ? (n - best.c) / 10 : 3;
    if (sm > n - best.c)
        sm = n - best.c;
    double max_sum = -HUGE_VAL;
    run_sum = 0;
    for (i = best.c; i < n; i++) {
        run_sum += y[i];
        if (i >= best.c + sm)
            run_sum -= y[i - sm];
        if (i + 1 >= best.c + sm && run_sum > max_sum)
            max_sum = run_sum;
    }
    /* the largest window mean: a division by sm > 0 is monotone, so that of the largest sum */
    max_level = max_sum / (double)sm;
    final_level = run_sum / (double)sm;
    /* the last segment: growth that goes on to the end of the window and is not released */
    to_end = !(final_level - best.c0 < LEAK_PERSIST * (max_level - best.c0)) &&
             !((double)best.d < (double)best.c + LEAK_TAIL_FRACTION * (double)(n - 1 - best.c));
    if (to_end && best.c1 > 0) {
        a->proc[FP_PROC_LEAK_SLOPE_MB_S] = fp_fin(best.c1);
        a->proc[FP_PROC_LEAK_GROWTH_MB] = fp_fin(growth);
    }
    if (!(best.c1 > 0) || !(p < th->leak_p_value) || !to_end)
        goto out;
    /* significant and going on to the end, but under the slope or growth budget: no finding,
     * the candidate a baseline reports when its slope is beyond normal (fp_baseline.c) */
    int under = !(best.c1 > th->leak_min_slope_mb_s) || !(growth > th->leak_min_growth_mb);

    memset(&f, 0, sizeof f);
    f.start_s = t_on;
    f.end_s = t_off;
    f.improvement = growth;
    f.improvement_unit = "MB";
    evid(&f, "slope_mb_s", best.c1);
    evid(&f, "p_value", p);
    evid(&f, "growth_mb", growth);
    evid(&f, "onset_s", t_on);
    evid(&f, "lag1_autocorr", rho);
    evid(&f, "explained_growth_mb", explained);
    snprintf(f.root_cause, sizeof f.root_cause,
             "Memory not accounted for by any call grows by %.3g MB/s from %.3g s to %.3g s "
             "(+%.1f MB, one-sided p = %.2g; thresholds %.3g MB/s, %.1f MB, p < %.2g) and is not "
             "released.",
             best.c1, t_on, t_off, growth, p, th->leak_min_slope_mb_s, th->leak_min_growth_mb,
             th->leak_p_value);
    SET_SUGG(&f, s_sugg_leak);
    finish(&f, FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS, "process", best.c1, th->leak_min_slope_mb_s,
           "MB/s", "slope", fp_div(growth, a->run.peak_mem_mb),
           excess_ratio(best.c1, th->leak_min_slope_mb_s));
    if (under) {
        a->leak_candidate = f;
        a->has_leak_candidate = 1;
    } else {
        st = fp_analysis_push_finding(a, &f, err);
    }
out:
    fp_free(y);
    return st;
}

/*
 * Method-level leak: the spans themselves record memory still held after each call
 * (mem_retained_mb). A method retaining more than memory_leak.min_growth_mb in total, at a rate
 * (total over the window from its first retaining call's start to its last one's end) above
 * memory_leak.min_slope_mb_s, leaks. No test statistic: the retention is measured, not inferred.
 */
static fp_status detect_memory_leak(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    double t0 = 0, t1 = 0, rate, len, m0, m1, mid, tail_mb = 0;
    size_t k, n = 0;
    fp_finding f;

    if (mm->calls == 0 || !(mm->mem_retained_mb > th->leak_min_growth_mb))
        return FP_OK;
    for (k = w->m_off[m]; k < w->m_off[m + 1]; k++) {
        const fp_span *s = &w->spans[w->m_idx[k]];
        if (!(s->mem_retained_mb > 0))
            continue;
        if (n == 0 || s->start_s < t0)
            t0 = s->start_s;
        if (n == 0 || s->start_s + s->dur_s > t1)
            t1 = s->start_s + s->dur_s;
        n++;
    }
    len = t1 - t0;
    rate = len > 0 ? mm->mem_retained_mb / len : mm->mem_retained_mb / 1e-9;
    rate = fp_fin(rate);
    if (!(rate > th->leak_min_slope_mb_s))
        return FP_OK;
    /* growth must go on to the end of the method's observed window (first retaining call to its
     * last call): the calls starting in the second half of it retain >= LEAK_TAIL_SHARE of the
     * total, so one call (or a burst) that fills a cache and then stays flat is not a leak */
    method_window(w, m, &m0, &m1);
    mid = t0 + (m1 - t0) / 2.0;
    for (k = w->m_off[m]; k < w->m_off[m + 1]; k++) {
        const fp_span *s = &w->spans[w->m_idx[k]];
        if (s->mem_retained_mb > 0 && s->start_s > mid)
            tail_mb += s->mem_retained_mb;
    }
    if (!(tail_mb >= LEAK_TAIL_SHARE * mm->mem_retained_mb))
        return FP_OK;
    memset(&f, 0, sizeof f);
    f.start_s = t0;
    f.end_s = t1;
    f.improvement = mm->mem_retained_mb;
    f.improvement_unit = "MB";
    evid(&f, "retained_mb", mm->mem_retained_mb);
    evid(&f, "retaining_calls", (double)n);
    evid(&f, "calls", (double)mm->calls);
    evid(&f, "rate_mb_s", rate);
    evid(&f, "peak_memory_mb", a->run.peak_mem_mb);
    snprintf(f.root_cause, sizeof f.root_cause,
             "%zu of %zu calls of '%s' keep %.1f MB allocated after they return (threshold %.1f "
             "MB), at %.3g MB/s between %.3g s and %.3g s.",
             n, mm->calls, mm->name, mm->mem_retained_mb, th->leak_min_growth_mb, rate, t0, t1);
    SET_SUGG(&f, s_sugg_leak);
    finish(&f, FP_KIND_MEMORY_LEAK, (int32_t)m, mm->name, mm->mem_retained_mb,
           th->leak_min_growth_mb, "MB", "retained_mb",
           fp_div(mm->mem_retained_mb, a->run.peak_mem_mb),
           excess_ratio(mm->mem_retained_mb, th->leak_min_growth_mb));
    return fp_analysis_push_finding(a, &f, err);
}

/* ---- cpu_saturation ---- */

/* Whole-percent bucket of a percentage: monotone in v (values outside [0, 100] go to the end
 * buckets). */
#define PCT_BUCKETS 101
static unsigned pct_bucket(double v)
{
    double c = v >= 1.0 ? v : 0.0; /* below 1 (and NaN): bucket 0 */
    c = c < (double)(PCT_BUCKETS - 1) ? c : (double)(PCT_BUCKETS - 1);
    return (unsigned)(int)c; /* no branch: the series jumps between buckets */
}

/*
 * The median of x[0..n) (n > 0), values in [0, 100] (a CPU series), as gsl_sort +
 * gsl_stats_median_from_sorted_data give it (the two middle values averaged for an even n)
 * without sorting: the buckets are monotone in the value, so one counting pass finds the buckets
 * of the middle ranks, and a selection among the values of those buckets (copied to a scratch
 * array) finds the values. FP_OK or FP_ENOMEM.
 */
static fp_status pct_median(const double *x, size_t n, double *out, fp_error *err)
{
    size_t cum[PCT_BUCKETS + 1] = {0}, lhs = (n - 1) / 2, rhs = n / 2, m = 0, k;
    size_t part[2][PCT_BUCKETS] = {{0}};
    unsigned b, lo, hi;
    double *scratch;
    /* two partial counts: a series that stays in one bucket does not wait on one counter */
    for (k = 0; k + 1 < n; k += 2) {
        part[0][pct_bucket(x[k])]++;
        part[1][pct_bucket(x[k + 1])]++;
    }
    if (k < n)
        part[0][pct_bucket(x[k])]++;
    for (b = 0; b < PCT_BUCKETS; b++) /* cum[b]: values below bucket b */
        cum[b + 1] = cum[b] + part[0][b] + part[1][b];
    for (lo = 0; cum[lo + 1] <= lhs; lo++)
        ;
    for (hi = lo; cum[hi + 1] <= rhs; hi++)
        ;
    /* one spare element: every value is written, the next one overwrites it unless it is
     * counted (no branch) */
    scratch = fp_malloc((cum[hi + 1] - cum[lo] + 1) * sizeof *scratch);
    if (!scratch)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    /* pct_bucket(v) in [lo, hi] as two comparisons of v (bucket b holds [b, b + 1) but for
     * the end buckets; NaN, in bucket 0, passes the upper test and only the lower bound 0) */
    const unsigned no_lo = lo == 0, no_hi = hi == PCT_BUCKETS - 1;
    const double lo_v = (double)lo, hi_v = (double)hi + 1.0;
    for (k = 0; k < n; k++) {
        scratch[m] = x[k]; /* ranks cum[lo] .. cum[hi + 1] - 1 */
        m += (no_lo | (x[k] >= lo_v)) & (no_hi | !(x[k] >= hi_v));
    }
    *out = gsl_stats_select(scratch, 1, m, lhs - cum[lo]);
    if (lhs != rhs)
        *out = (*out + gsl_stats_select(scratch, 1, m, rhs - cum[lo])) / 2.0;
    fp_free(scratch);
    return FP_OK;
}

/*
 * The CPU % a CPU finding's excess is measured from: the median of the CPU series (episodes
 * are a minority of the samples), else the run's mean CPU over the spans; never above the
 * cpu_saturation threshold (a process busy all along still costs its CPU above the budget).
 * Only CPU findings need it: computed by the first one, kept in w->lazy for the others.
 * FP_OK or FP_ENOMEM.
 */
static fp_status cpu_background(const fp_analysis *a, const fp_work *w, double *out, fp_error *err)
{
    double bg = a->run.avg_cpu_pct;
    if (!w->lazy->have_cpu_background) {
        if (w->ser.n > 0 && w->ser.cpu_pct != NULL) {
            fp_status st = pct_median(w->ser.cpu_pct, w->ser.n, &bg, err);
            if (st != FP_OK)
                return st;
        }
        bg = fp_fin(bg);
        w->lazy->cpu_background = bg < a->th.cpu_pct ? bg : a->th.cpu_pct;
        w->lazy->have_cpu_background = 1;
    }
    *out = w->lazy->cpu_background;
    return FP_OK;
}

static fp_status detect_cpu_saturation(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    fp_finding f;
    double bg;
    fp_status st;

    if (mm->calls == 0 || !(mm->self_s > 0) || !(mm->cpu_pct > th->cpu_pct))
        return FP_OK;
    /* the area gate of a process episode (cpu_saturation.min_pct_s): a 2 us call at 100 % of its
     * thread (a trace's thread time, docs/real-traces.md) is not a saturation */
    if ((mm->cpu_pct - th->cpu_pct) * mm->self_s < th->cpu_min_pct_s)
        return FP_OK;
    if ((st = cpu_background(a, w, &bg, err)) != FP_OK)
        return st;
    memset(&f, 0, sizeof f);
    method_window(w, m, &f.start_s, &f.end_s);
    /* cost: the core-seconds above the background CPU, not the method's total CPU (its CPU is %
     * of one core, the background the series' level per core) */
    f.improvement = mm->self_s * fp_clamp(mm->cpu_pct - bg, 0.0, 100.0) / 100.0;
    f.improvement_unit = FP_UNIT_CORE_S;
    evid(&f, "cpu_pct", mm->cpu_pct);
    evid(&f, "self_s", mm->self_s);
    evid(&f, "calls", (double)mm->calls);
    evid(&f, "share", mm->share);
    snprintf(f.root_cause, sizeof f.root_cause,
             "'%s' runs its own work at %.1f%% CPU (time-weighted over %zu calls, threshold "
             "%.1f%%) for %.3g s, %.1f%% of the run.",
             mm->name, mm->cpu_pct, mm->calls, th->cpu_pct, mm->self_s, 100.0 * mm->share);
    SET_SUGG(&f, s_sugg_cpu);
    finish(&f, FP_KIND_CPU_SATURATION, (int32_t)m, mm->name, mm->cpu_pct, th->cpu_pct, "%",
           "method_pct", mm->share * mm->cpu_pct / 100.0, excess_pct(mm->cpu_pct, th->cpu_pct));
    return fp_analysis_push_finding(a, &f, err);
}

/*
 * Seconds of span i's own work inside [t0, t1]: its overlap with the window minus the overlap of
 * the union of its children (in start order) with the window.
 */
static double own_overlap(const fp_work *w, size_t i, double t0, double t1)
{
    const fp_span *s = &w->spans[i];
    double ov = fp_overlap(s->start_s, s->start_s + s->dur_s, t0, t1), cur0 = 0, cur1 = 0;
    double covered = 0;
    int open = 0;
    size_t k;

    if (ov <= 0)
        return 0.0;
    for (k = w->child_off[i]; k < w->child_off[i + 1]; k++) {
        const fp_span *c = &w->spans[w->child_idx[k]];
        double c0 = c->start_s > t0 ? c->start_s : t0;
        double c1 = c->start_s + c->dur_s < t1 ? c->start_s + c->dur_s : t1;
        if (c0 < s->start_s)
            c0 = s->start_s;
        if (c1 > s->start_s + s->dur_s)
            c1 = s->start_s + s->dur_s;
        if (c1 <= c0)
            continue;
        if (open && c0 <= cur1) {
            if (c1 > cur1)
                cur1 = c1;
        } else {
            if (open)
                covered += cur1 - cur0;
            cur0 = c0;
            cur1 = c1;
            open = 1;
        }
    }
    if (open)
        covered += cur1 - cur0;
    return ov > covered ? ov - covered : 0.0;
}

/* CPU-seconds of own work each method does inside [t0, t1] (n_methods entries). */
static void cpu_contrib(const fp_analysis *a, const fp_work *w, double t0, double t1,
                        double *contrib)
{
    size_t i;
    memset(contrib, 0, a->n_methods * sizeof *contrib);
    for (i = 0; i < w->n_spans; i++) {
        const fp_span *s = &w->spans[i];
        if (s->cpu_pct > 0 && s->start_s < t1 && s->start_s + s->dur_s > t0)
            contrib[s->method] += s->cpu_pct / 100.0 * own_overlap(w, i, t0, t1);
    }
}

/* Adds cpu_pct x (overlap with each sample) / iv of the interval [g0, g1] to curve[] and the
 * covered fraction of each sample to cover[]. */
static void add_cpu_interval(const fp_series *ser, double g0, double g1, double cpu, double *curve,
                             double *cover)
{
    double iv = ser->interval_s;
    size_t k, k0, k1;

    if (!(g1 > g0) || g0 >= (double)ser->n * iv)
        return;
    k0 = g0 > 0 ? (size_t)(g0 / iv) : 0;
    k1 = (size_t)(g1 / iv);
    if (k1 >= ser->n)
        k1 = ser->n - 1;
    for (k = k0; k <= k1; k++) {
        double ov = fp_overlap(g0, g1, (double)k * iv, (double)(k + 1) * iv) / iv;
        curve[k] += cpu * ov;
        cover[k] += ov;
    }
}

/*
 * CPU % (of the process's cores) per sample from the own work of the methods already flagged for
 * CPU saturation: each flagged span's own-work intervals (the span minus the union of its
 * children) at its cpu_pct / cores, and the fraction of each sample those intervals cover.
 */
static void flagged_cpu_curve(const fp_work *w, const char *flagged, double *curve, double *cover)
{
    size_t i, k;

    memset(curve, 0, w->ser.n * sizeof *curve);
    memset(cover, 0, w->ser.n * sizeof *cover);
    for (i = 0; i < w->n_spans; i++) {
        const fp_span *s = &w->spans[i];
        double s0 = s->start_s, s1 = s->start_s + s->dur_s, cur = s0;
        if (!flagged[s->method] || !(s->cpu_pct > 0))
            continue;
        for (k = w->child_off[i]; k < w->child_off[i + 1]; k++) {
            const fp_span *c = &w->spans[w->child_idx[k]];
            double c0 = c->start_s, c1 = c->start_s + c->dur_s;
            if (c0 > cur)
                add_cpu_interval(&w->ser, cur, c0 < s1 ? c0 : s1, s->cpu_pct / w->cores, curve,
                                 cover);
            if (c1 > cur)
                cur = c1;
        }
        if (s1 > cur)
            add_cpu_interval(&w->ser, cur, s1, s->cpu_pct / w->cores, curve, cover);
    }
}

/* A sample tells the CPU level of the time the flagged methods leave free only when at least
 * this fraction of it is free (the rest is dominated by the flagged work, idle CPU and noise). */
#define CPU_MIN_FREE 0.5

/*
 * Process-level CPU saturation: episodes of the residual series cpu[k] - flagged[k] (the CPU
 * left after removing the own work of methods already flagged for CPU) above the threshold.
 * Saturation that the flagged methods account for is theirs; the rest is the process's.
 */
static fp_status detect_cpu_saturation_process(fp_analysis *a, const fp_work *w, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_series *ser = &w->ser;
    size_t n = ser->n, i = 0, k;
    double iv = ser->interval_s, *contrib = NULL, *res = w->buf2, *cover = w->buf;
    char *flagged = NULL;
    fp_status st = FP_OK;

    a->proc[FP_PROC_CPU_EPISODE_MAX_CORE_S] = a->proc[FP_PROC_CPU_EPISODE_TOTAL_CORE_S] = 0.0;
    a->proc_have |= 1u << FP_PROC_CPU_EPISODE_MAX_CORE_S | 1u << FP_PROC_CPU_EPISODE_TOTAL_CORE_S;
    if (n == 0 || !(iv > 0))
        return FP_OK;
    /* one allocation: n_methods contributions, then n_methods flags */
    contrib = fp_calloc(a->n_methods ? a->n_methods : 1, sizeof(double) + 1);
    if (!contrib) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto out;
    }
    flagged = (char *)(contrib + (a->n_methods ? a->n_methods : 1));
    int any_flagged = 0;
    for (k = 0; k < a->n_findings; k++)
        if (a->findings[k].kind == FP_KIND_CPU_SATURATION && a->findings[k].target >= 0)
            flagged[a->findings[k].target] = any_flagged = 1;
    /* res = the CPU level during the part of each sample the flagged own work leaves free:
     * (observed - flagged CPU) / free fraction; cover = that free fraction, 0 when it is too
     * small to tell (those samples neither count nor break an episode). A sample no flagged
     * work covers (every sample when nothing is flagged) is its observed CPU with cover 1:
     * its flagged CPU is 0 (a sum of CPU x zero overlaps), so the formula gives exactly that. */
    if (!any_flagged) {
        memcpy(res, ser->cpu_pct, n * sizeof *res);
        for (k = 0; k < n; k++)
            cover[k] = 1.0;
    } else {
        flagged_cpu_curve(w, flagged, res, cover);
        for (k = 0; k < n; k++) {
            double free_f = 1.0 - cover[k];
            if (cover[k] == 0) {
                res[k] = ser->cpu_pct[k];
                cover[k] = 1.0;
            } else if (free_f >= CPU_MIN_FREE) {
                res[k] = fp_fin((ser->cpu_pct[k] - res[k]) / free_f);
                cover[k] = free_f;
            } else {
                res[k] = 0;
                cover[k] = 0;
            }
        }
    }
    while (i < n) {
        size_t b, e, ub, ue, above = 0, top = 0, second = 0;
        double sum = 0, mean, t0, t1, topv = -1, secv = -1, rsum = 0, area = 0;
        fp_finding f;

        if (!(ser->cpu_pct[i] > th->cpu_pct)) {
            i++;
            continue;
        }
        /* a segment of the observed series above the threshold, single-sample dips bridged */
        b = i;
        e = i;
        while (e + 1 < n && (ser->cpu_pct[e + 1] > th->cpu_pct ||
                             (e + 2 < n && ser->cpu_pct[e + 2] > th->cpu_pct)))
            e++;
        if (!(ser->cpu_pct[e] > th->cpu_pct))
            e--;
        i = e + 1;
        /* its unexplained part: samples still above the threshold without the flagged CPU */
        for (k = b, ub = e + 1, ue = b; k <= e; k++) {
            if (!(res[k] > th->cpu_pct))
                continue;
            if (ub > e)
                ub = k;
            ue = k;
            above++;
            area += (res[k] - th->cpu_pct) * cover[k] * iv;
        }
        if (above == 0 || (double)above < th->cpu_min_samples || area < th->cpu_min_pct_s)
            continue;
        b = ub;
        e = ue;
        for (k = b; k <= e; k++) {
            sum += ser->cpu_pct[k];
            rsum += res[k];
        }
        mean = sum / (double)(e - b + 1);
        t0 = (double)b * iv;
        t1 = (double)(e + 1) * iv;
        cpu_contrib(a, w, t0, t1, contrib);
        for (k = 0; k < a->n_methods; k++) {
            if (contrib[k] > topv) {
                second = top;
                secv = topv;
                top = k;
                topv = contrib[k];
            } else if (contrib[k] > secv) {
                second = k;
                secv = contrib[k];
            }
        }
        memset(&f, 0, sizeof f);
        f.start_s = t0;
        f.end_s = t1;
        /* cost: the episode's core-seconds above the background CPU, not its total CPU (the
         * series is % of the process's cores: x cores for core-seconds) */
        double bg;
        if ((st = cpu_background(a, w, &bg, err)) != FP_OK)
            break;
        for (k = b, f.improvement = 0; k <= e; k++)
            if (ser->cpu_pct[k] > bg)
                f.improvement += (ser->cpu_pct[k] - bg) / 100.0 * iv * w->cores;
        f.improvement_unit = FP_UNIT_CORE_S;
        if (f.improvement > a->proc[FP_PROC_CPU_EPISODE_MAX_CORE_S])
            a->proc[FP_PROC_CPU_EPISODE_MAX_CORE_S] = fp_fin(f.improvement);
        a->proc[FP_PROC_CPU_EPISODE_TOTAL_CORE_S] =
            fp_fin(a->proc[FP_PROC_CPU_EPISODE_TOTAL_CORE_S] + f.improvement);
        evid(&f, "mean_cpu_pct", mean);
        evid(&f, "length_s", t1 - t0);
        evid(&f, "samples", (double)(e - b + 1));
        evid(&f, "pct_s_above", area);
        evid(&f, "unflagged_mean_pct", rsum / (double)(e - b + 1));
        evid(&f, "top_method_cpu_s", topv > 0 ? topv : 0);
        snprintf(f.root_cause, sizeof f.root_cause,
                 "CPU stays above %.1f%% (mean %.1f%%) for %.3g s from %.3g s, not accounted for "
                 "by a method flagged for CPU; busiest methods then: %s, %s.",
                 th->cpu_pct, mean, t1 - t0, t0,
                 a->n_methods > 0 && topv > 0 ? a->methods[top].name : "none",
                 a->n_methods > 1 && secv > 0 ? a->methods[second].name : "none");
        SET_SUGG(&f, s_sugg_cpu);
        finish(&f, FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, "process", mean, th->cpu_pct, "%",
               "episode", fp_div((t1 - t0) * mean / 100.0, w->duration),
               excess_pct(mean, th->cpu_pct));
        st = fp_analysis_push_finding(a, &f, err);
        if (st != FP_OK)
            break;
    }
out:
    fp_free(contrib);
    return st;
}

/* ---- call_storm ---- */

static fp_status detect_call_storm(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    double median_calls = w->median_calls;
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    double calls = (double)mm->calls, thr;
    int by_abs = calls > th->storm_calls;
    int by_ratio =
        th->storm_ratio > 0 && median_calls > 0 && calls > th->storm_ratio * median_calls;
    fp_finding f;
    double e;

    double time_share = fp_clamp(fp_div(mm->total_s, w->duration), 0.0, 1.0);

    /* many cheap calls are not a storm: the calls must cost a material share of the run */
    if (mm->calls == 0 || (!by_abs && !by_ratio) || time_share < th->storm_min_share)
        return FP_OK;
    thr = by_abs ? th->storm_calls : th->storm_ratio * median_calls;
    e = excess_ratio(calls, thr);
    memset(&f, 0, sizeof f);
    method_window(w, m, &f.start_s, &f.end_s);
    f.improvement = (mm->total_s < w->duration ? mm->total_s : w->duration) * e;
    f.improvement_unit = "s";
    evid(&f, "calls", calls);
    evid(&f, "median_calls_per_method", median_calls);
    evid(&f, "total_s", mm->total_s);
    evid(&f, "mean_s", mm->mean_s);
    evid(&f, "time_share", time_share);
    dur_buf d1, d2;
    snprintf(f.root_cause, sizeof f.root_cause,
             "'%s' is called %zu times in one run (threshold %.0f; median over methods %.0f), "
             "spending %s in those calls at %s each, %.1f%% of the run (threshold %.1f%%).",
             mm->name, mm->calls, thr, median_calls, dur_text(&d1, mm->total_s),
             dur_text(&d2, mm->mean_s), 100.0 * time_share, 100.0 * th->storm_min_share);
    SET_SUGG(&f, s_sugg_storm);
    finish(&f, FP_KIND_CALL_STORM, (int32_t)m, mm->name, calls, thr, "calls",
           by_abs ? "calls" : "ratio", fp_div(mm->total_s, w->duration), e);
    return fp_analysis_push_finding(a, &f, err);
}

/* ---- io_heavy ---- */

static fp_status detect_io_heavy(fp_analysis *a, const fp_work *w, size_t m, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_method_metrics *mm = &a->methods[m];
    double mb = mm->io_bytes / 1048576.0, rate = fp_div(mm->io_ops, mm->self_s);
    double best = 0, measured = 0, thr = 0, r;
    const char *rule = NULL, *unit = NULL;
    fp_finding f;
    double e;

    if (mm->calls == 0)
        return FP_OK;
    if (mm->io_ops > th->io_ops) {
        r = fp_div(mm->io_ops, th->io_ops);
        if (th->io_ops <= 0 || r > best) {
            best = th->io_ops <= 0 ? HUGE_VAL : r;
            measured = mm->io_ops, thr = th->io_ops, rule = "ops", unit = "ops";
        }
    }
    if (mb > th->io_mb) {
        r = th->io_mb > 0 ? mb / th->io_mb : HUGE_VAL;
        if (!rule || r > best) {
            best = r;
            measured = mb, thr = th->io_mb, rule = "mb", unit = "MB";
        }
    }
    if (th->io_ops_per_s > 0 && mm->self_s >= th->io_min_self_s && mm->self_s > 0 &&
        rate > th->io_ops_per_s) {
        r = rate / th->io_ops_per_s;
        if (!rule || r > best) {
            best = r;
            measured = rate, thr = th->io_ops_per_s, rule = "ops_per_s", unit = "ops/s";
        }
    }
    if (!rule)
        return FP_OK;
    e = excess_ratio(measured, thr);
    memset(&f, 0, sizeof f);
    method_window(w, m, &f.start_s, &f.end_s);
    f.improvement = mm->self_s * e;
    f.improvement_unit = "s";
    evid(&f, "io_ops", mm->io_ops);
    evid(&f, "io_mb", mb);
    evid(&f, "ops_per_self_s", rate);
    evid(&f, "self_s", mm->self_s);
    evid(&f, "calls", (double)mm->calls);
    snprintf(f.root_cause, sizeof f.root_cause,
             "'%s' issues %.0f I/O operations (%.1f MB, %.0f ops per second of own time) over "
             "%zu calls; rule %s: %.4g %s above the threshold %.4g.",
             mm->name, mm->io_ops, mb, rate, mm->calls, rule, measured, unit, thr);
    SET_SUGG(&f, s_sugg_io);
    finish(&f, FP_KIND_IO_HEAVY, (int32_t)m, mm->name, measured, thr, unit, rule, mm->share, e);
    return fp_analysis_push_finding(a, &f, err);
}

/* Process-level I/O finding, only for profiles whose spans carry no I/O at all. */
static fp_status detect_io_heavy_process(fp_analysis *a, const fp_work *w, fp_error *err)
{
    const fp_thresholds *th = &a->th;
    const fp_run_metrics *r = &a->run;
    size_t i;
    double span_io = 0, mb = r->io_bytes / 1048576.0, measured, thr;
    const char *rule, *unit;
    fp_finding f;

    for (i = 0; i < w->n_spans; i++)
        span_io += w->spans[i].io_ops + w->spans[i].io_bytes;
    if (span_io > 0 || w->ser.n == 0)
        return FP_OK;
    if (r->io_ops > th->io_ops && fp_div(r->io_ops, th->io_ops) >= fp_div(mb, th->io_mb)) {
        measured = r->io_ops, thr = th->io_ops, rule = "ops", unit = "ops";
    } else if (mb > th->io_mb) {
        measured = mb, thr = th->io_mb, rule = "mb", unit = "MB";
    } else if (r->io_ops > th->io_ops) {
        measured = r->io_ops, thr = th->io_ops, rule = "ops", unit = "ops";
    } else {
        return FP_OK;
    }
    memset(&f, 0, sizeof f);
    f.start_s = 0;
    f.end_s = w->duration;
    f.improvement = 0;
    f.improvement_unit = "s";
    evid(&f, "io_ops", r->io_ops);
    evid(&f, "io_mb", mb);
    evid(&f, "ops_per_s", r->io_ops_per_s);
    snprintf(f.root_cause, sizeof f.root_cause,
             "The process performs %.0f I/O operations (%.1f MB) that no span accounts for; "
             "rule %s: %.4g %s above the threshold %.4g.",
             r->io_ops, mb, rule, measured, unit, thr);
    SET_SUGG(&f, s_sugg_io);
    finish(&f, FP_KIND_IO_HEAVY, FP_TARGET_PROCESS, "process", measured, thr, unit, rule, 0.0,
           excess_ratio(measured, thr));
    return fp_analysis_push_finding(a, &f, err);
}

/* Median call count over methods with at least one call (0 when none). */
static double median_calls(const fp_analysis *a, const fp_work *w)
{
    size_t i, k = 0;
    for (i = 0; i < a->n_methods; i++)
        if (a->methods[i].calls > 0)
            w->buf2[k++] = (double)a->methods[i].calls;
    if (k == 0)
        return 0.0;
    fp_sort_doubles_into(w->buf, w->buf2, k);
    return gsl_stats_median_from_sorted_data(w->buf, 1, k);
}

/* ---- dispatch: one entry per FP_DETECTOR_LIST row ---- */

typedef fp_status (*method_fn)(fp_analysis *a, const fp_work *w, size_t m, fp_error *err);
typedef fp_status (*process_fn)(fp_analysis *a, const fp_work *w, fp_error *err);

typedef struct detector_fns {
    method_fn method;   /* detect_<name>, or NULL */
    process_fn process; /* detect_<name>_process, or NULL */
} detector_fns;

#define FNS_METHOD(name) detect_##name, NULL
#define FNS_PROCESS(name) NULL, detect_##name##_process
#define FNS_BOTH(name) detect_##name, detect_##name##_process
#define DET_FNS(name, id, phase, ...) {FNS_##phase(name)},
#define NO_T(...)
static const detector_fns s_fns[FP_KIND_COUNT] = {FP_DETECTOR_LIST(DET_FNS, NO_T)};

/* The FP_DATA_* a detector needs (FP_DETECTOR_LIST); it does not run (fp_analysis_not_run())
 * when any is absent. */
static unsigned needs_data(fp_kind kind)
{
    return fp_detector_get((size_t)kind)->needs;
}

fp_status fp_detect_all(fp_analysis *a, fp_work *w, fp_error *err)
{
    size_t m, d;
    fp_status st = FP_OK;

    a->not_run = 0;
    for (d = 0; d < FP_KIND_COUNT; d++)
        if ((needs_data((fp_kind)d) & ~w->data) != 0)
            a->not_run |= 1u << d;

    w->median_calls = median_calls(a, w);
    fp_work_lazy lazy = {0, 0.0};
    w->lazy = &lazy;
    a->proc_have = 0; /* FP_PROC_MEM_PEAK_OVER_MB: learnt only, by fp_baseline.c */
    /* methods whose outliers are tested: the Bonferroni factor of latency_outliers */
    w->outlier_methods = 0;
    for (m = 0; m < a->n_methods; m++)
        if (a->methods[m].calls > 0 && (double)a->methods[m].calls >= a->th.outlier_min_calls)
            w->outlier_methods++;

    /* every method's detectors in list order, then the process-level ones (the CPU episodes
     * need the method CPU findings they may merge into) */
    for (m = 0; m < a->n_methods && st == FP_OK; m++)
        for (d = 0; d < FP_KIND_COUNT && st == FP_OK; d++)
            if (s_fns[d].method != NULL && !a->methods[m].container && !(a->not_run >> d & 1u))
                st = s_fns[d].method(a, w, m, err);
    for (d = 0; d < FP_KIND_COUNT && st == FP_OK; d++)
        if (s_fns[d].process != NULL && !(a->not_run >> d & 1u))
            st = s_fns[d].process(a, w, err);
    w->lazy = NULL;
    return st;
}
