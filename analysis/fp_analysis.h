/*
 * fp_analysis.h - the analysis engine: metrics, critical path, bottleneck findings, score and
 * recommendations computed from one profile.
 *
 * The analysis reads only what a profile read from a file or converted from a real trace also
 * has: spans, the method table, the resource series and metadata. It never reads the ground
 * truth, so its answers are the same for simulated and real profiles. Every number it hands out
 * is finite: divisions by zero, n < 2 variances and empty inputs give 0 (and, where it matters,
 * a flag saying the value is not available). Formulas, defaults and the reasons for them are in
 * docs/analysis.md.
 *
 * Units follow fp_profile.h: seconds, MB (2^20 bytes), CPU percent of the machine in [0, 100],
 * I/O operations and bytes.
 *
 * Ownership: fp_analyze() hands over a new fp_analysis (free with fp_analysis_free()). Every
 * pointer returned by an accessor is borrowed from the analysis and valid until it is freed; the
 * analysis copies what it needs from the profile (method names included), so the profile may be
 * modified, reset or freed afterwards. An analysis is immutable and may be read from several
 * threads.
 */
#ifndef FP_ANALYSIS_H
#define FP_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "fp_core.h"
#include "fp_profile.h"

/* ---- thresholds ---- */

/*
 * Detector thresholds. Plain value type: initialise with FP_THRESHOLDS_INIT, change fields
 * directly or by dotted name with fp_thresholds_set(). Each detection comparison is strict
 * ("above" means measured > threshold; p-values: p < threshold), so a value exactly at a
 * threshold never fires. Requirements named min_* ("needed") are minimums: met when >=.
 * A threshold documented as "0 off" turns its rule off when set to 0.
 */
typedef struct fp_thresholds {
    /* slow_method: per-method own (self) time */
    double slow_mean_s;     /* "slow_method.mean_s": mean self seconds per call (2.0) */
    double slow_path_share; /* "slow_method.path_share": own time on the critical path / run
                               duration (0.5; 0 off) */
    /* latency_outliers: modified z-score on log per-call self times */
    double outlier_z;            /* "latency_outliers.z" (3.5) */
    double outlier_min_calls;    /* "latency_outliers.min_calls": calls needed to test (20) */
    double outlier_min_count;    /* "latency_outliers.min_count": outliers needed (1) */
    double outlier_min_fraction; /* "latency_outliers.min_fraction": outliers / calls (0) */
    double outlier_min_excess_s; /* "latency_outliers.min_excess_s": x - median (0.001 s) */
    double outlier_p_value;      /* "latency_outliers.p_value": significance of the outliers'
                                    count and size, Bonferroni over methods (1e-4) */
    /* memory_hotspot */
    double hotspot_alloc_mb; /* "memory_hotspot.alloc_mb": mean MB allocated per call (100) */
    /* memory_leak: retention recorded by a method's spans, or a ramp in the unexplained
     * memory series (series minus what the spans account for) */
    double leak_min_slope_mb_s; /* "memory_leak.min_slope_mb_s": growth rate (0.5 MB/s) */
    double leak_min_growth_mb;  /* "memory_leak.min_growth_mb": growth or retention (50 MB) */
    double leak_p_value;        /* "memory_leak.p_value": one-sided t-test on the slope (0.001) */
    double leak_min_samples;    /* "memory_leak.min_samples": series length needed (10) */
    /* cpu_saturation: a method's own-work CPU, or process episodes in the series */
    double cpu_pct;         /* "cpu_saturation.pct": series sample or method CPU % (80) */
    double cpu_min_samples; /* "cpu_saturation.min_samples": episode length in samples (3) */
    double cpu_min_pct_s;   /* "cpu_saturation.min_pct_s": episode area above the threshold,
                               percent-seconds (5) */
    /* call_storm */
    double storm_calls; /* "call_storm.calls": calls of one method per run (1000) */
    double storm_ratio; /* "call_storm.ratio": calls / median calls of all methods (0 off) */
    /* io_heavy: per method */
    double io_ops;        /* "io_heavy.ops": operations per run (10000) */
    double io_mb;         /* "io_heavy.mb": MB read + written per run (1024) */
    double io_ops_per_s;  /* "io_heavy.ops_per_s": ops per second of own time (1000; 0 off) */
    double io_min_self_s; /* "io_heavy.min_self_s": own time needed for the rate rule (1.0) */
    /* score: run-level penalties */
    double score_peak_mem_mb; /* "score.peak_memory_mb": peak memory above it costs 5 (1000) */
    double score_avg_cpu_pct; /* "score.avg_cpu_pct": average CPU above it costs 5 (80) */
} fp_thresholds;

#define FP_THRESHOLDS_INIT                                                                         \
    {                                                                                              \
        2.0, 0.5, 3.5, 20.0, 1.0, 0.0, 0.001, 0.0001, 100.0, 0.5, 50.0, 0.001, 10.0, 80.0, 3.0,    \
            5.0, 1000.0, 0.0, 10000.0, 1024.0, 1000.0, 1.0, 1000.0, 80.0                           \
    }

/* Description of one settable threshold (static data). */
typedef struct fp_threshold_info {
    const char *key;  /* dotted name, e.g. "slow_method.mean_s" */
    const char *unit; /* "s", "MB", "MB/s", "%", "calls", "ratio", ... */
    double def;       /* default value */
    double min, max;  /* accepted closed range */
    const char *help; /* one sentence for --help and docs */
} fp_threshold_info;

/* Resets `t` to the defaults. */
void fp_thresholds_init(fp_thresholds *t);

/* Number of settable thresholds. */
size_t fp_thresholds_key_count(void);

/* Description of threshold `i` (static), or NULL when i >= fp_thresholds_key_count(). */
const fp_threshold_info *fp_thresholds_key_info(size_t i);

/*
 * Sets threshold `key` to `value`. Returns FP_OK; FP_EINVAL for an unknown key (the message
 * suggests the closest known key: "unknown analysis threshold 'slow_method.mean' (did you mean
 * 'slow_method.mean_s'?)") or a non-finite value; FP_ERANGE when value is outside the key's
 * [min, max]. `t` is unchanged on error. err->key_path is set to the key.
 */
fp_status fp_thresholds_set(fp_thresholds *t, const char *key, double value, fp_error *err);

/* Reads threshold `key` into *out. FP_OK or FP_EINVAL (unknown key, with suggestion). */
fp_status fp_thresholds_get(const fp_thresholds *t, const char *key, double *out, fp_error *err);

/* ---- results ---- */

typedef enum fp_severity {
    FP_SEV_LOW = 0, /* impact <= 50 */
    FP_SEV_MEDIUM,  /* 50 < impact <= 70 */
    FP_SEV_HIGH,    /* 70 < impact <= 90 */
    FP_SEV_CRITICAL /* impact > 90 */
} fp_severity;

/* "low", "medium", "high", "critical"; NULL when out of range. Static string. */
const char *fp_severity_name(fp_severity s);

/* Severity of an impact in [0, 100]: critical > 90, high > 70, medium > 50, else low. */
fp_severity fp_severity_from_impact(double impact);

typedef enum fp_score_status {
    FP_SCORE_POOR = 0, /* score < 50 */
    FP_SCORE_FAIR,     /* 50 <= score < 70 */
    FP_SCORE_GOOD,     /* 70 <= score < 90 */
    FP_SCORE_EXCELLENT /* score >= 90 */
} fp_score_status;

/* "poor", "fair", "good", "excellent"; NULL when out of range. Static string. */
const char *fp_score_status_name(fp_score_status s);

/* Status of a score: excellent >= 90, good >= 70, fair >= 50, else poor. */
fp_score_status fp_score_status_from_score(double score);

/* Where a run-level resource figure comes from. */
typedef enum fp_source {
    FP_SOURCE_NONE = 0, /* not available: the value is 0 */
    FP_SOURCE_SERIES,   /* the profile's resource series */
    FP_SOURCE_SPANS     /* reconstructed from span attributes (no series) */
} fp_source;

/* "none", "series", "spans". Static string; NULL when out of range. */
const char *fp_source_name(fp_source s);

/* Run-level metrics. Plain value type. */
typedef struct fp_run_metrics {
    double duration_s;   /* fp_profile_duration() */
    size_t span_count;   /* spans (calls) */
    size_t method_count; /* methods in the method table */
    size_t track_count;  /* distinct track ids among spans */
    double self_s;       /* sum of every span's self time (can exceed duration when parallel) */
    double parallelism;  /* self_s / duration_s (0 when duration is 0) */
    fp_source mem_source;
    double peak_mem_mb;   /* max of the series; spans: max of the reconstructed curve */
    double avg_mem_mb;    /* time-weighted mean over the run */
    double mem_growth_mb; /* last sample minus first sample (series only, else 0) */
    fp_source cpu_source;
    double peak_cpu_pct; /* max sample; spans: max span CPU. avg <= peak <= 100 always */
    double avg_cpu_pct;  /* mean sample; spans: sum(cpu * self) / duration, clamped to 100 */
    double io_ops;       /* total operations (series if present, else spans) */
    double io_bytes;     /* total bytes */
    double io_ops_per_s; /* io_ops / duration_s (0 when duration is 0) */
    double io_bytes_per_s;
    double idle_path_s; /* seconds of the critical path with no top-level span running */
} fp_run_metrics;

/*
 * Per-method metrics; fp_analysis_methods() has one per method-table entry, in table order
 * (index = method index). Times are per call; percentiles are interpolated
 * (gsl_stats_quantile_from_sorted_data) over the real inclusive per-call durations.
 * A method with 0 calls has every number 0.
 */
typedef struct fp_method_metrics {
    const char *name; /* borrowed from the analysis */
    size_t calls;
    double total_s;     /* sum of inclusive durations (nested recursive calls count twice) */
    double self_s;      /* sum of self times: duration minus the union of child intervals */
    double mean_s;      /* mean inclusive duration per call */
    double sd_s;        /* sample standard deviation (n - 1); 0 when calls < 2 */
    double self_mean_s; /* mean self time per call */
    double min_s, max_s;
    double p50_s, p95_s, p99_s;
    double share;             /* self_s / run duration, clamped to [0, 1] */
    double mem_alloc_mb;      /* total allocated by its calls */
    double mem_alloc_mean_mb; /* per call */
    double mem_alloc_max_mb;  /* largest single call */
    double mem_retained_mb;   /* total retained after its calls */
    double cpu_pct;           /* self-time-weighted own-work CPU % (0 when self_s is 0) */
    double io_ops;
    double io_bytes;
    double path_s; /* seconds this method's own work spends on the critical path */
} fp_method_metrics;

/* One method's part of the critical path. Plain value type. */
typedef struct fp_path_entry {
    uint32_t method;  /* method index */
    const char *name; /* borrowed from the analysis */
    size_t spans;     /* spans of this method on the path */
    double seconds;   /* own-work seconds on the path */
    double share;     /* seconds / run duration */
} fp_path_entry;

#define FP_FINDING_MAX_EVIDENCE 6
#define FP_FINDING_MAX_SUGGESTIONS 4
#define FP_FINDING_TEXT_MAX 320

/* A named number backing a finding ("calls", "p_value", ...). */
typedef struct fp_evidence {
    const char *name; /* static string */
    double value;
} fp_evidence;

/*
 * One detected bottleneck. Plain value type, strings borrowed from the analysis or static.
 * impact = 100 * (1 - (1 - share) * (1 - excess)) where share is the part of the run's time,
 * memory or CPU the problem accounts for and excess how far the measured value is beyond the
 * threshold (docs/analysis.md gives both per kind); severity follows from impact.
 */
typedef struct fp_finding {
    fp_kind kind;
    int32_t target;          /* method index, or FP_TARGET_PROCESS */
    const char *target_name; /* method name, or "process" */
    double start_s, end_s;   /* when the problem is visible (onset .. end) */
    double measured;         /* the value compared with the threshold */
    double threshold;        /* the threshold it was compared with */
    const char *unit;        /* unit of measured and threshold ("s", "MB", "MB/s", "%", ...) */
    const char *rule;        /* which rule fired ("mean_s", "self_share", "episode", ...) */
    fp_evidence evidence[FP_FINDING_MAX_EVIDENCE];
    size_t n_evidence;
    double share;  /* in [0, 1] */
    double excess; /* in [0, 1] */
    double impact; /* in [0, 100] */
    fp_severity severity;
    char root_cause[FP_FINDING_TEXT_MAX];                /* one sentence with the numbers */
    const char *suggestions[FP_FINDING_MAX_SUGGESTIONS]; /* static strings */
    size_t n_suggestions;
    double improvement;           /* estimated saving, >= 0 */
    const char *improvement_unit; /* "s" or "MB" */
} fp_finding;

/* One ranked recommendation (one per finding). Plain value type. */
typedef struct fp_recommendation {
    size_t rank;    /* 1 = do first */
    size_t finding; /* index into fp_analysis_findings() */
    fp_kind kind;
    int32_t target;
    const char *target_name;
    char text[FP_FINDING_TEXT_MAX];     /* what to do, naming the method */
    char evidence[FP_FINDING_TEXT_MAX]; /* why: the measured numbers */
    double improvement;
    const char *improvement_unit;
} fp_recommendation;

typedef struct fp_analysis fp_analysis;

/*
 * Analyses `p` with thresholds `t` (NULL: defaults). On FP_OK *out is new (free with
 * fp_analysis_free()); on error *out is NULL. Errors: FP_EINVAL when `p` violates the profile
 * invariants (fp_profile_check()'s message), FP_ENOMEM, FP_EINTERNAL (a GSL routine failed).
 * Deterministic: the same profile and thresholds give the same analysis.
 */
fp_status fp_analyze(fp_analysis **out, const fp_profile *p, const fp_thresholds *t, fp_error *err);

/* Frees `a`. NULL is a no-op. */
void fp_analysis_free(fp_analysis *a);

/* The thresholds used (a copy). Borrowed. */
const fp_thresholds *fp_analysis_thresholds(const fp_analysis *a);

/* Run metrics. Borrowed. */
const fp_run_metrics *fp_analysis_run(const fp_analysis *a);

/* Per-method metrics, *n of them (method table order). Borrowed; NULL when *n == 0. */
const fp_method_metrics *fp_analysis_methods(const fp_analysis *a, size_t *n);

/*
 * The critical path aggregated per method, sorted by seconds (desc), then name. Borrowed.
 * The seconds of all entries plus run->idle_path_s equal the run duration.
 */
const fp_path_entry *fp_analysis_critical_path(const fp_analysis *a, size_t *n);

/* The spans on the critical path (indices into the profile's spans), in start order. Borrowed. */
const size_t *fp_analysis_critical_spans(const fp_analysis *a, size_t *n);

/*
 * Findings, sorted by severity (desc), impact (desc), kind, target name, start. Borrowed.
 * At most one finding per (kind, method); process-level CPU saturation gives one per episode.
 */
const fp_finding *fp_analysis_findings(const fp_analysis *a, size_t *n);

/* Number of findings with severity `s`. */
size_t fp_analysis_count_severity(const fp_analysis *a, fp_severity s);

/* Recommendations, rank order (same as the findings order). Borrowed. */
const fp_recommendation *fp_analysis_recommendations(const fp_analysis *a, size_t *n);

/*
 * Score in [0, 100]: 100 minus 25 / 15 / 8 / 3 per critical / high / medium / low finding,
 * minus 5 when peak memory > score.peak_memory_mb, minus 5 when average CPU >
 * score.avg_cpu_pct, clamped to [0, 100].
 */
double fp_analysis_score(const fp_analysis *a);

/* fp_score_status_from_score(fp_analysis_score(a)). */
fp_score_status fp_analysis_status(const fp_analysis *a);

#endif /* FP_ANALYSIS_H */
