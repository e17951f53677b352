/*
 * fp_analysis_internal.h - the analysis object and the per-call workspace shared by the metric,
 * critical-path and detector units of analysis/. Private to analysis/.
 *
 * Invariants of a finished fp_analysis:
 *  - methods has n_methods entries (the profile's method table order), names point into `names`;
 *  - every double in every struct is finite (fp_fin() guards each division and GSL result);
 *  - findings are sorted (fp_analysis.h): the n_recs root findings first, then the consequences;
 *    recs[i].finding == i for the rank order.
 */
#ifndef FP_ANALYSIS_INTERNAL_H
#define FP_ANALYSIS_INTERNAL_H

#include <math.h>

#include "fp_analysis.h"

/*
 * Process-level metrics of one run, measured from the sampled series (never the ground truth)
 * by the process detectors whether or not they report anything, for the baseline
 * (fp_baseline.c, docs/analysis.md "Process-level metrics"):
 *  - FP_PROC_CPU_EPISODE_MAX_CORE_S / FP_PROC_CPU_EPISODE_TOTAL_CORE_S: the largest CPU
 *    episode's excess over the background and the sum over the run's episodes, core-seconds
 *    (cpu_saturation's process episodes, each as its saving; 0 without an episode);
 *  - FP_PROC_LEAK_SLOPE_MB_S / FP_PROC_LEAK_GROWTH_MB: the slope and growth of the memory
 *    series' last segment (the leak rule's ramp fit of the unexplained memory) when the ramp
 *    goes on to the end of the window and is not released, else 0; also 0 when the series'
 *    range cannot reach memory_leak.min_growth_mb (the fit is skipped);
 *  - FP_PROC_MEM_PEAK_OVER_MB: the memory series' peak over its level (maximum - median), MB;
 *    tested by nothing yet, so measured only when a baseline learns (fp_baseline.c), not by every
 *    analysis.
 */
enum {
    FP_PROC_CPU_EPISODE_MAX_CORE_S = 0,
    FP_PROC_CPU_EPISODE_TOTAL_CORE_S,
    FP_PROC_LEAK_SLOPE_MB_S,
    FP_PROC_LEAK_GROWTH_MB,
    FP_PROC_MEM_PEAK_OVER_MB,
    FP_PROC_N
};

struct fp_analysis {
    fp_thresholds th;
    fp_run_metrics run;
    fp_method_metrics *methods;
    size_t n_methods;
    char *names; /* all method names, NUL-separated; methods[i].name points in here */
    fp_path_entry *path;
    size_t n_path;
    size_t *path_spans;
    size_t n_path_spans;
    fp_finding *findings;
    size_t n_findings, cap_findings;
    fp_recommendation *recs; /* n_recs, one per root finding */
    size_t n_recs;
    double score;
    fp_score_status status;
    unsigned not_run;        /* fp_analysis_not_run() */
    fp_known_hotspot *known; /* fp_baseline_apply() */
    size_t n_known, cap_known;
    uint64_t baseline_runs;
    double *tails; /* FP_TAIL_N per method (fp_metrics_tails()), NULL unless computed */
    /* the run's process-level metrics (FP_PROC_*), set by the process detectors of fp_detect.c
     * from the sampled series; bit k of proc_have set when proc[k] was measured */
    double proc[FP_PROC_N];
    unsigned proc_have;
    /* the process leak rule's last segment when it is significant (p < memory_leak.p_value) but
     * under the slope or growth budget: no finding, but the one a baseline reports (rule
     * "baseline") when the slope is beyond normal; set by fp_detect.c */
    fp_finding leak_candidate;
    int has_leak_candidate;
};

/* The latency tail of method i: tails[i * FP_TAIL_N + FP_TAIL_*]. */
enum { FP_TAIL_FRAC = 0, FP_TAIL_RATIO, FP_TAIL_EXCESS_S, FP_TAIL_N };

/* Values computed by the first detector that needs them (fp_detect.c): fp_detect_all() points
 * fp_work.lazy at one for the time the detectors run. */
typedef struct fp_work_lazy {
    int have_cpu_background;
    double cpu_background; /* CPU % the excess of a CPU finding is measured from (median) */
} fp_work_lazy;

/*
 * Workspace of one fp_analyze() call, freed before it returns. Arrays indexed by span have
 * n_spans entries; the children index has a virtual root (index n_spans) whose children are the
 * top-level spans.
 */
typedef struct fp_work {
    void *block; /* the one allocation self .. buf2 point into (fp_metrics_compute()) */
    const fp_span *spans;
    size_t n_spans;
    fp_series ser;
    double duration;
    double cores;  /* fp_meta.cores (>= 1): the series' CPU % is of all of them, spans' of one */
    unsigned data; /* fp_profile_data(): FP_DATA_* the profile really has */
    double *self;  /* self time of each span */
    size_t *child_off; /* n_spans + 2 offsets into child_idx (span order = start order) */
    size_t *child_idx;
    size_t *m_off;      /* n_methods + 1 offsets into m_idx */
    size_t *m_idx;      /* spans of each method, in span (pre-)order */
    double *dur_sorted; /* each method's call durations, sorted, at m_off[m] (method_metrics()) */
    unsigned char *self_is_dur; /* per method: every call's self time is its duration, bit for
                                 * bit (no child covers it), so dur_sorted is also its sorted
                                 * self times */
    double *buf;                /* scratch, max(n_spans, series n) doubles */
    double *buf2;               /* scratch, same size */
    /* set by fp_detect_all() before the detectors run: */
    double median_calls;    /* median call count over methods with calls (0 when none) */
    size_t outlier_methods; /* methods with enough calls to test for latency outliers */
    fp_work_lazy *lazy;     /* what the detectors compute on first use */
} fp_work;

/* Unit of a CPU finding's estimated saving: core-seconds above the background CPU. */
#define FP_UNIT_CORE_S "core-s"

/* Estimated savings capped per method and per resource, then each finding's cost (its saving
 * as a share of the resource's total) and from it impact and severity (docs/analysis.md
 * "Cost"). Consequences (caused_by != 0) keep a saving of 0, take no part in any cap and get
 * cost and impact 0 ("Root causes"). Called once after fp_detect_all(), fp_baseline_apply()
 * (whose findings it costs the same way; known hotspots are not findings and cost nothing) and
 * after the consequences are marked. */
void fp_analysis_costs(fp_analysis *a);

/* x when finite, else 0: the last guard before a value leaves the module (for ratios and GSL
 * results; a sum that overflows is an FP_ERANGE error instead, see check_sum() in fp_metrics.c). */
static inline double fp_fin(double x)
{
    return isfinite(x) ? x : 0.0;
}

/* a / b, or 0 when b == 0 or the result is not finite. */
static inline double fp_div(double a, double b)
{
    return b != 0.0 ? fp_fin(a / b) : 0.0;
}

static inline double fp_clamp(double x, double lo, double hi)
{
    x = fp_fin(x);
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Sorts x[0..n) ascending: gsl_sort(x, 1, n). */
void fp_sort_doubles(double *x, size_t n);

/* Writes src[0..n) sorted ascending to dst[0..n) (distinct arrays; src unchanged): GSL's
 * gsl_sort_smallest() for a few values, else gsl_sort(); the same bits either way (a zero,
 * whose sign the two could order differently, or a NaN, takes gsl_sort). */
void fp_sort_doubles_into(double *dst, const double *src, size_t n);

/* The self times of method m's calls, sorted, into out[0 .. calls): a copy of w->dur_sorted's
 * when they are its durations (w->self_is_dur), else a sort; `scratch` (calls doubles, not
 * `out`) is overwritten. After fp_metrics_compute(). */
void fp_method_self_sorted(const fp_work *w, size_t m, double *out, double *scratch);

/* Builds the indices and self times in `w`, fills a->methods, a->run, a->path (fp_metrics.c). */
fp_status fp_metrics_compute(fp_analysis *a, fp_work *w, fp_error *err);

/*
 * The latency tail of each method with at least latency_outliers.min_calls calls (the others
 * get zeros): the fraction of its calls whose own time is above FP_BASELINE_TAIL_K times the
 * median own time, the largest own time over the median, and the seconds those tail calls take
 * beyond the median (the baseline's "is this tail normal for the flow", fp_baseline.c). Allocates
 * a->tails. FP_OK or FP_ENOMEM.
 */
fp_status fp_metrics_tails(fp_analysis *a, fp_work *w, fp_error *err);

/* fp_analyze_with_baseline(), and the tails with `tails` != 0 (always with a baseline), polling
 * `cancel(cancel_ctx)` (may be NULL) as fp_analyze_cancellable() does. */
fp_status fp_analyze_full(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                          const struct fp_baseline *b, int tails, int (*cancel)(void *ctx),
                          void *cancel_ctx, fp_error *err);

/*
 * Runs every detector of FP_DETECTOR_LIST, appending to a->findings (fp_detect.c): for each
 * method the per-method detectors in list order, then the process-level ones in list order.
 */
fp_status fp_detect_all(fp_analysis *a, fp_work *w, fp_error *err);

/*
 * Compares the analysed run with baseline `b` (fp_baseline.c): moves normal method findings to
 * a->known and appends the significant differences, each with its saving in its kind's unit.
 * Called before the consequences are marked, the costs taken and the findings sorted.
 */
fp_status fp_baseline_apply(fp_analysis *a, const struct fp_baseline *b, fp_error *err);

/* Appends a copy of `f` to a->findings. FP_OK or FP_ENOMEM. */
fp_status fp_analysis_push_finding(fp_analysis *a, const fp_finding *f, fp_error *err);

/* Overlap length of [a0, a1] and [b0, b1] (0 when disjoint). */
static inline double fp_overlap(double a0, double a1, double b0, double b1)
{
    double lo = a0 > b0 ? a0 : b0;
    double hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0.0;
}

#endif /* FP_ANALYSIS_INTERNAL_H */
