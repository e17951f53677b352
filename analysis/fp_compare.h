/*
 * fp_compare.h - statistically sound comparison of two runs or two sets of runs (BASE vs NEW).
 *
 * Why a second public header in analysis/: fp_analysis.h describes one profile; a comparison is
 * about two *sets* of profiles and has its own statistics (Mann-Whitney U, Hodges-Lehmann),
 * decision rule and lifecycle (runs are accumulated one by one). Keeping it apart lets
 * `fpsim compare` and report writers include only what they use, and keeps fp_analysis.h stable
 * for its owner. It depends on fp_analysis.h (run metrics come from fp_analyze()) and, like the
 * rest of the analysis, never reads the ground truth nor any sim/ header.
 *
 * Method (docs/compare.md gives the formulas and the reasons):
 *  - per method (matched by name): the per-call inclusive durations of every run of a side are
 *    pooled; the two pools are compared with a two-sided Mann-Whitney U test and the
 *    Hodges-Lehmann shift (median of all pairwise differences new - base) with a confidence
 *    interval; "calls" is the median over runs of the calls per run (0 where a run lacks it);
 *  - run level: duration, peak memory and average CPU (fp_run_metrics) per run, compared the
 *    same way when both sides have >= 2 runs;
 *  - decision: a regression is NEW slower (ratio of medians new/base > 1 + noise), significant
 *    (p < alpha) and both samples have >= min_samples values; an improvement is the mirror
 *    (ratio < 1 - noise, p < alpha); anything else is "no change", or "insufficient data" below
 *    the minimum sample size. Comparisons are strict: exactly at a threshold is not a change.
 *
 * Every number handed out is finite (no NaN, no Inf). Results are deterministic: they depend
 * only on the profiles and the order in which runs are added.
 *
 * Ownership: fp_compare_new() hands over a new object (free with fp_compare_free()). Profiles
 * passed to fp_compare_add_run() are only read during the call. Pointers returned by accessors
 * are borrowed and valid until the object is freed. Not thread-safe.
 */
#ifndef FP_COMPARE_H
#define FP_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp_analysis.h"
#include "fp_core.h"
#include "fp_profile.h"

/* ---- two-sample statistics (pure functions on arrays) ---- */

/*
 * Samples of up to FP_MW_EXACT_MAX - 1 values on each side without any tie get the exact
 * distribution of U (as R's wilcox.test does); otherwise the normal approximation with tie
 * correction and continuity correction is used.
 */
#define FP_MW_EXACT_MAX 50

/* Result of a Mann-Whitney U test. Plain value type. */
typedef struct fp_mw_result {
    double u;    /* U of the second sample b: #pairs (a_i, b_j) with b_j > a_i, ties count 1/2 */
    double mean; /* na * nb / 2 */
    double sd;   /* tie-corrected standard deviation of U under H0 (0 when every value ties) */
    double z;    /* continuity-corrected normal score, sign of u - mean (0 when sd == 0) */
    double p;    /* two-sided p-value in [0, 1]; 1 when a sample is empty or every value ties */
    int exact;   /* 1 when p comes from the exact distribution of U */
    int ties;    /* 1 when the pooled sample has at least one tie */
} fp_mw_result;

/*
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of b against a. U counts how often b beats
 * a, so u > mean means b tends to be larger. Exact when na, nb < FP_MW_EXACT_MAX and there are
 * no ties; else z = (u - mean - 0.5 sign(u - mean)) / sd and p = 2 Q(|z|) (gsl_cdf_ugaussian_Q),
 * with sd^2 = na nb / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))) over tie groups of size t.
 * Empty samples give p = 1. Returns FP_OK, FP_EINVAL (a non-finite value) or FP_ENOMEM.
 */
fp_status fp_mann_whitney(const double *a, size_t na, const double *b, size_t nb, fp_mw_result *out,
                          fp_error *err);

/* Hodges-Lehmann shift with its confidence interval. Plain value type. */
typedef struct fp_hl_result {
    double shift;  /* median of the na * nb differences b_j - a_i */
    double lo, hi; /* confidence interval; the min and max difference when !ci_valid */
    int ci_valid;  /* 0 when the samples are too small for the requested level */
} fp_hl_result;

/*
 * Hodges-Lehmann estimate of the shift b - a and its `conf` (e.g. 0.95) confidence interval:
 * with k = floor(na nb / 2 - z sd) (z = the normal quantile for (1 - conf) / 2, sd the
 * tie-corrected sd of U), the interval is [d(k), d(na nb + 1 - k)] over the sorted differences
 * d(1) <= ... <= d(na nb); k < 1 means not available. All order statistics are exact: they are
 * selected in O((na + nb) log) passes without forming the na * nb differences.
 * Empty samples give 0 and ci_valid = 0. Returns FP_OK, FP_EINVAL (a non-finite value, conf not
 * in (0, 1)) or FP_ENOMEM.
 */
fp_status fp_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb, double conf,
                            fp_hl_result *out, fp_error *err);

/*
 * The k-th smallest (1-based, 1 <= k <= na * nb) difference b_j - a_i of two ascending-sorted
 * arrays, exactly (each difference as computed in double). Exposed for tests. Needs scratch
 * memory only when few candidates remain: FP_OK, FP_EINVAL (k out of range) or FP_ENOMEM.
 */
fp_status fp_pairwise_diff_kth(const double *a_sorted, size_t na, const double *b_sorted, size_t nb,
                               size_t k, double *out, fp_error *err);

/* ---- decision rule ---- */

typedef enum fp_change {
    FP_CHANGE_NONE = 0,     /* not significant or within noise */
    FP_CHANGE_REGRESSION,   /* slower (or larger), significant, beyond noise */
    FP_CHANGE_IMPROVEMENT,  /* faster (or smaller), significant, beyond noise */
    FP_CHANGE_INSUFFICIENT, /* a side has fewer values than the minimum sample size */
    FP_CHANGE_ADDED,        /* method only in NEW */
    FP_CHANGE_REMOVED       /* method only in BASE */
} fp_change;

/* "no_change", "regression", "improvement", "insufficient_data", "added", "removed". Static. */
const char *fp_change_name(fp_change c);

/* Comparison settings. Plain value type; FP_COMPARE_OPTIONS_INIT gives the defaults. */
typedef struct fp_compare_options {
    double alpha;       /* significance: p < alpha (0.002, as asv) */
    double noise;       /* noise threshold on the ratio of medians (0.05 = 5 %) */
    size_t min_samples; /* values needed per side for a per-method verdict (9) */
    size_t min_runs;    /* runs needed per side for a run-level verdict (2) */
    double conf;        /* confidence level of the Hodges-Lehmann interval (0.95) */
} fp_compare_options;

#define FP_COMPARE_OPTIONS_INIT                                                                    \
    {                                                                                              \
        0.002, 0.05, 9, 2, 0.95                                                                    \
    }

/*
 * The decision rule: FP_CHANGE_INSUFFICIENT when na or nb < min_n; FP_CHANGE_REGRESSION when
 * ratio > 1 + noise and p < alpha; FP_CHANGE_IMPROVEMENT when ratio < 1 - noise and p < alpha;
 * else FP_CHANGE_NONE. All comparisons strict.
 */
fp_change fp_compare_classify(double ratio, double p, size_t na, size_t nb, size_t min_n,
                              const fp_compare_options *o);

/* ---- comparison of two sets of runs ---- */

typedef enum fp_side { FP_SIDE_BASE = 0, FP_SIDE_NEW = 1 } fp_side;

/* One compared quantity. Plain value type. */
typedef struct fp_sample_delta {
    size_t n_base, n_new; /* sample sizes */
    double base_median;   /* median of BASE's values (0 when empty) */
    double new_median;    /* median of NEW's values */
    double ratio;         /* new_median / base_median; 1 when both are 0; 0 when undefined */
    int ratio_defined;    /* 0 when base_median is 0 and new_median is not */
    fp_mw_result mw;      /* U test of NEW against BASE (p = 1 when not computed) */
    fp_hl_result hl;      /* shift NEW - BASE */
    fp_change change;     /* the verdict */
} fp_sample_delta;

/* One method, matched by name. Plain value type; name borrowed from the comparison. */
typedef struct fp_method_delta {
    const char *name;
    double calls_base, calls_new; /* median calls per run (0 where a run lacks the method) */
    fp_sample_delta time;         /* per-call inclusive durations, seconds, pooled over runs */
    fp_change change;             /* added / removed, else time.change */
} fp_method_delta;

/* Run-level metrics, in this order. */
enum { FP_RUN_DURATION = 0, FP_RUN_PEAK_MEM, FP_RUN_AVG_CPU, FP_RUN_METRIC_COUNT };

/* One run-level metric. Plain value type; strings static. */
typedef struct fp_run_delta {
    const char *name; /* "duration_s", "peak_memory_mb", "avg_cpu_pct" */
    const char *unit; /* "s", "MB", "%" */
    fp_sample_delta d;
} fp_run_delta;

typedef struct fp_compare fp_compare;

/*
 * New, empty comparison with options `o` (NULL: defaults). FP_OK, FP_EINVAL (alpha not in
 * (0, 1], noise not in [0, 10], conf not in (0, 1)) or FP_ENOMEM. On success *out is new (free
 * with fp_compare_free()); on error *out is NULL.
 */
fp_status fp_compare_new(fp_compare **out, const fp_compare_options *o, fp_error *err);

/* Frees `c`. NULL is a no-op. */
void fp_compare_free(fp_compare *c);

/*
 * Adds one run to side `side`: its per-call durations, calls per method, run metrics (through
 * fp_analyze(), so `p` must satisfy the profile invariants) and self time per call stack for the
 * folded diff. Memory grows with the number of calls, not with the profile. FP_OK, FP_EINVAL
 * (invalid profile, or called after fp_compare_finish()), FP_ENOMEM, FP_EINTERNAL. After an
 * error other than FP_EINVAL from the profile check the comparison may only be freed.
 */
fp_status fp_compare_add_run(fp_compare *c, fp_side side, const fp_profile *p, fp_error *err);

/*
 * Computes every result. Call once, after the last fp_compare_add_run(). FP_OK, FP_EINVAL
 * (called twice), FP_ENOMEM.
 */
fp_status fp_compare_finish(fp_compare *c, fp_error *err);

/* Options in use (a copy). Borrowed. */
const fp_compare_options *fp_compare_opts(const fp_compare *c);

/* Runs added to `side`. */
size_t fp_compare_run_count(const fp_compare *c, fp_side side);

/*
 * Per-method results after fp_compare_finish(), *n of them, ordered: regressions, improvements,
 * no change, insufficient data, added, removed; by name (bytewise) inside each group. Borrowed.
 */
const fp_method_delta *fp_compare_methods(const fp_compare *c, size_t *n);

/* Run-level results (FP_RUN_METRIC_COUNT entries) after fp_compare_finish(). Borrowed. */
const fp_run_delta *fp_compare_run_deltas(const fp_compare *c, size_t *n);

/* Number of methods plus run-level metrics with verdict `ch`. */
size_t fp_compare_count(const fp_compare *c, fp_change ch);

/*
 * Geometric mean of the per-method ratios of medians over methods present on both sides with a
 * defined, non-zero ratio (Google Benchmark's summary row); *n_used gets their number (may be
 * NULL). 1 when there is none.
 */
double fp_compare_geomean(const fp_compare *c, size_t *n_used);

/* Parent of a call stack at the root (fp_compare_stack.parent). */
#define FP_COMPARE_STACK_ROOT SIZE_MAX

/*
 * One call stack seen on either side (a node of the call tree both sides are merged into), the
 * data of the differential folded stacks (written by reports/: fp_report_write_compare_folded()).
 */
typedef struct fp_compare_stack {
    size_t parent;         /* index of the caller's stack, always lower; FP_COMPARE_STACK_ROOT */
    const char *method;    /* the innermost frame's method name; borrowed from the comparison */
    double mean_self_s[2]; /* mean self time per run of BASE and NEW (0 on a side with no run) */
} fp_compare_stack;

/* Number of call stacks seen on either side (after fp_compare_add_run(); stable once finished). */
size_t fp_compare_stack_count(const fp_compare *c);

/* Call stack i (< fp_compare_stack_count(c)), in the order first seen. */
fp_compare_stack fp_compare_stack_at(const fp_compare *c, size_t i);

#endif /* FP_COMPARE_H */
