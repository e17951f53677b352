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
 *
 * GSL: the caller must turn off GSL's default error handler, which aborts the process, before
 * the first call (gsl_set_error_handler_off(), as cli/main.c and the tests do); a failing GSL
 * routine then gives FP_EINTERNAL instead of abort().
 */
#ifndef FP_ANALYSIS_H
#define FP_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "fp_core.h"
#include "fp_profile.h"

/* ---- the detector registry and its thresholds ---- */

/*
 * FP_DETECTOR_LIST(D, T): every detector, once, in fp_kind order (checked at compile time), each
 * with its thresholds. The thresholds struct, FP_THRESHOLDS_INIT, the threshold key table, the
 * dispatch in fp_detect.c, the recommendation texts and validate's --sweep list and default
 * grids all come from it; docs/analysis.md's threshold table is checked against it by
 * tests/unit/test_analysis.c. Adding a detector: docs/architecture.md, "Adding a detector".
 *
 *   D(name, ID, phase, needs, action, sweep_key, sweep_grid, thresholds)
 *     name        detector name, a token equal to fp_kind_name(FP_KIND_<ID>)
 *     ID          the kind of its findings, FP_KIND_<ID>
 *     phase       METHOD: runs once per method, as detect_<name>(); PROCESS: once per run after
 *                 every method, as detect_<name>_process(); BOTH: both (fp_detect.c)
 *     needs       the FP_DATA_* bits (profile/fp_profile.h) it needs, or 0: it does not run on a
 *                 profile without them (fp_analysis_not_run())
 *     action      recommendation text, followed by the target: "Reduce the own work of 'load'"
 *     sweep_key   the threshold `fpsim validate --sweep <name>` varies (key after "<name>.")
 *     sweep_grid  its default grid, parenthesised, ascending
 *     thresholds  its T() rows
 *   T(group, field, key, unit, default, min, max, help)
 *     group       the detector name (or `score`); the dotted key is "<group>.<key>"
 *     field       the member of fp_thresholds
 *     unit, default, [min, max], help: as in fp_threshold_info
 */
/* clang-format off */
#define FP_DETECTOR_LIST(D, T) \
    D(slow_method, SLOW_METHOD, METHOD, 0, "Reduce the own work of", \
      "mean_s", (0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4), \
      T(slow_method, slow_mean_s, "mean_s", "s", 2.0, 0.0, 1e9, \
        "a method is slow when its mean own (self) time per call is above this") \
      T(slow_method, slow_path_share, "path_share", "fraction", 0.5, 0.0, 1.0, \
        "a method is slow when its own work is above this share of the critical path (0 off)")) \
    D(latency_outliers, LATENCY_OUTLIERS, METHOD, 0, \
      "Remove the causes of the slow outlier calls of", \
      "z", (2.5, 3, 3.5, 4, 4.5, 5, 6, 8), \
      T(latency_outliers, outlier_z, "z", "z", 3.5, 0.5, 1e3, \
        "a call is an outlier when its modified z-score (log self time) is above this") \
      T(latency_outliers, outlier_min_calls, "min_calls", "calls", 20.0, 3.0, 1e12, \
        "calls a method needs before its outliers are tested") \
      T(latency_outliers, outlier_min_count, "min_count", "calls", 1.0, 1.0, 1e12, \
        "outlier calls needed for a finding") \
      T(latency_outliers, outlier_min_fraction, "min_fraction", "fraction", 0.0, 0.0, 1.0, \
        "outlier calls needed, as a fraction of the method's calls") \
      T(latency_outliers, outlier_min_excess_s, "min_excess_s", "s", 0.001, 0.0, 1e9, \
        "an outlier must also exceed the median self time by this many seconds") \
      T(latency_outliers, outlier_p_value, "p_value", "p", 1e-4, 1e-300, 0.5, \
        "outliers are reported when their count and size have p below this under a log-normal " \
        "null (Bonferroni over methods)") \
      T(latency_outliers, outlier_gap_p_value, "gap_p_value", "p", 0.01, 1e-300, 1.0, \
        "the outliers must also stand apart from the tail below them: gap p below this under " \
        "an exponential (Pareto) log tail, Bonferroni over methods (1 off)") \
      T(latency_outliers, outlier_mode_min_calls, "mode_min_calls", "calls", 20.0, 2.0, 1e12, \
        "a separated group of this many slow calls or more is a latency mode, not outliers")) \
    D(memory_hotspot, MEMORY_HOTSPOT, METHOD, FP_DATA_MEM, "Cut the per-call allocation of", \
      "alloc_mb", (25, 50, 75, 100, 150, 200, 300, 400), \
      T(memory_hotspot, hotspot_alloc_mb, "alloc_mb", "MB", 100.0, 0.0, 1e12, \
        "a method is a memory hotspot when its mean allocation per call is above this")) \
    D(memory_leak, MEMORY_LEAK, BOTH, FP_DATA_MEM, "Release the memory retained by", \
      "min_growth_mb", (10, 25, 50, 100, 200, 400), \
      T(memory_leak, leak_min_slope_mb_s, "min_slope_mb_s", "MB/s", 0.5, 0.0, 1e12, \
        "memory growth rate after the onset must be above this") \
      T(memory_leak, leak_min_growth_mb, "min_growth_mb", "MB", 50.0, 0.0, 1e12, \
        "memory growth from the onset to the end of the run must be above this") \
      T(memory_leak, leak_p_value, "p_value", "p", 0.001, 1e-300, 0.5, \
        "the slope's one-sided t-test p-value must be below this") \
      T(memory_leak, leak_min_samples, "min_samples", "samples", 10.0, 4.0, 1e12, \
        "memory samples needed before a leak is tested")) \
    D(cpu_saturation, CPU_SATURATION, BOTH, FP_DATA_CPU, "Lower the CPU demand of", \
      "pct", (60, 70, 75, 80, 85, 90, 95), \
      T(cpu_saturation, cpu_pct, "pct", "%", 80.0, 0.0, 99.999, \
        "CPU saturation: series samples or a method's own-work CPU above this") \
      T(cpu_saturation, cpu_min_samples, "min_samples", "samples", 3.0, 1.0, 1e12, \
        "consecutive samples above cpu_saturation.pct needed for an episode") \
      T(cpu_saturation, cpu_min_pct_s, "min_pct_s", "%*s", 5.0, 0.0, 1e15, \
        "the area above cpu_saturation.pct (percent-seconds) of an episode or a method's own work needed for a finding")) \
    D(call_storm, CALL_STORM, METHOD, 0, "Reduce the number of calls of", \
      "calls", (100, 250, 500, 1000, 2000, 5000), \
      T(call_storm, storm_calls, "calls", "calls", 1000.0, 0.0, 1e15, \
        "a method called more often than this in one run is a call storm") \
      T(call_storm, storm_ratio, "ratio", "ratio", 0.0, 0.0, 1e15, \
        "also a storm when calls exceed this times the median calls per method (0 off)") \
      T(call_storm, storm_min_share, "min_share", "fraction", 0.05, 0.0, 1.0, \
        "a storm's calls must take at least this share of the run's time (0 off)")) \
    D(io_heavy, IO_HEAVY, BOTH, 0, "Reduce and batch the I/O of", \
      "ops", (1000, 2500, 5000, 10000, 20000, 50000), \
      T(io_heavy, io_ops, "ops", "ops", 10000.0, 0.0, 1e18, \
        "a method issuing more I/O operations than this in one run is I/O heavy") \
      T(io_heavy, io_mb, "mb", "MB", 1024.0, 0.0, 1e15, \
        "a method reading and writing more MB than this in one run is I/O heavy") \
      T(io_heavy, io_ops_per_s, "ops_per_s", "ops/s", 1000.0, 0.0, 1e18, \
        "a method issuing more ops per second of own time than this is I/O heavy (0 off)") \
      T(io_heavy, io_min_self_s, "min_self_s", "s", 1.0, 0.0, 1e9, \
        "own time a method needs before its I/O rate is judged"))

/* The run-level score's thresholds: a group of the same shape that is not a detector. */
#define FP_SCORE_THRESHOLD_LIST(T) \
    T(score, score_peak_mem_mb, "peak_memory_mb", "MB", 1000.0, 0.0, 1e15, \
      "peak memory above this costs 5 score points") \
    T(score, score_avg_cpu_pct, "avg_cpu_pct", "%", 80.0, 0.0, 100.0, \
      "average CPU above this costs 5 score points")
/* clang-format on */

/* Every threshold, detectors' first (in list order), then the score's. */
#define FP_DETECTOR_THRESHOLDS_(name, id, phase, needs, action, sweep_key, sweep_grid, thresholds) \
    thresholds
#define FP_THRESHOLD_LIST(T) FP_DETECTOR_LIST(FP_DETECTOR_THRESHOLDS_, T) FP_SCORE_THRESHOLD_LIST(T)

/*
 * Detector thresholds. Plain value type: initialise with FP_THRESHOLDS_INIT, change fields
 * directly or by dotted name with fp_thresholds_set(). One double per T() row of the lists
 * above, named by its `field` (key, unit, default and meaning are there). Each detection
 * comparison is strict ("above" means measured > threshold; p-values: p < threshold), so a value
 * exactly at a threshold never fires. Requirements named min_* ("needed") are minimums: met when
 * >=. A threshold documented as "0 off" turns its rule off when set to 0.
 */
typedef struct fp_thresholds {
#define FP_THRESHOLD_FIELD_(group, field, key, unit, def, lo, hi, help) double field;
    FP_THRESHOLD_LIST(FP_THRESHOLD_FIELD_)
#undef FP_THRESHOLD_FIELD_
} fp_thresholds;

#define FP_THRESHOLD_DEFAULT_(group, field, key, unit, def, lo, hi, help) def,
#define FP_THRESHOLDS_INIT                                                                         \
    {                                                                                              \
        FP_THRESHOLD_LIST(FP_THRESHOLD_DEFAULT_)                                                   \
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

/* Number of settable thresholds (the rows of FP_THRESHOLD_LIST). */
size_t fp_thresholds_key_count(void);

/*
 * Description of threshold `i` (FP_THRESHOLD_LIST order), or NULL when
 * i >= fp_thresholds_key_count(). Borrowed static data; never free it.
 */
const fp_threshold_info *fp_thresholds_key_info(size_t i);

/* When a detector runs (fp_detector_info.phase). */
typedef enum fp_detect_phase {
    FP_DETECT_METHOD = 1,  /* once per method */
    FP_DETECT_PROCESS = 2, /* once per run, after every method's detectors */
    FP_DETECT_BOTH = 3     /* both (bit set of the two) */
} fp_detect_phase;

/* One D() row of FP_DETECTOR_LIST. Static data. */
typedef struct fp_detector_info {
    const char *name;         /* "slow_method": fp_kind_name(kind) */
    fp_kind kind;             /* kind of its findings; fp_detector_get(kind) is this detector */
    fp_detect_phase phase;    /* when it runs */
    unsigned needs;           /* FP_DATA_* bits it needs to run, or 0 */
    const char *action;       /* recommendation text: "Reduce the own work of" + target */
    size_t first_threshold;   /* its thresholds: fp_thresholds_key_info(first_threshold + j), */
    size_t n_thresholds;      /* j < n_thresholds */
    const char *sweep_key;    /* full threshold key --sweep varies: "slow_method.mean_s" */
    const double *sweep_grid; /* its default grid, n_sweep values, ascending */
    size_t n_sweep;
} fp_detector_info;

/* Number of detectors: one per kind, FP_KIND_COUNT. */
size_t fp_detector_count(void);

/*
 * Detector `i` (0 <= i < fp_detector_count(); index i is the detector of kind i), or NULL when
 * out of range. Borrowed static data, valid for the life of the program and safe to read from
 * any thread; never free it.
 */
const fp_detector_info *fp_detector_get(size_t i);

/* The detector named `name` ("memory_leak"), or NULL (also for NULL). Borrowed static data. */
const fp_detector_info *fp_detector_find(const char *name);

/*
 * Sets threshold `key` to `value`. Returns FP_OK; FP_EINVAL for an unknown key (the message
 * suggests the closest known key: "unknown analysis threshold 'slow_method.mean' (did you mean
 * 'slow_method.mean_s'?)") or a non-finite value; FP_ERANGE when value is outside the key's
 * [min, max]. `t` is unchanged on error. err->key_path is set to the key.
 */
fp_status fp_thresholds_set(fp_thresholds *t, const char *key, double value, fp_error *err);

/* Reads threshold `key` into *out. FP_OK or FP_EINVAL (unknown key, with suggestion). */
fp_status fp_thresholds_get(const fp_thresholds *t, const char *key, double *out, fp_error *err);

/* ---- the --thresholds file (fp_thresholds_file.c) ---- */

/* Largest thresholds file, in bytes, and its YAML nesting limit (the forms allow depth 2). */
#define FP_THRESHOLDS_FILE_MAX_BYTES ((size_t)1 << 20)
#define FP_THRESHOLDS_FILE_MAX_DEPTH 16

/*
 * Threshold overrides read from a file: n dotted keys and their values, in file order, each
 * already checked by fp_thresholds_set(). Owns keys, each key and values (fp_malloc'd); free
 * with fp_thresholds_overrides_free() (NULL and a zeroed struct are fine).
 */
typedef struct fp_thresholds_overrides {
    char **keys;
    double *values;
    size_t n;
} fp_thresholds_overrides;

/*
 * Reads a thresholds file's `text` (`len` bytes; `file` names it in errors) into `out` (zeroed
 * first, left empty on error): a strict YAML mapping (profile/fp_yaml.h) of names to numbers,
 * "slow_method.mean_s: 3", or of detectors to mappings of numbers, "slow_method: {mean_s: 3}";
 * empty or comments only gives no overrides. FP_OK; FP_EPARSE / FP_EINVAL / FP_ELIMIT from the
 * YAML layer (located FILE:LINE:COL, key path set), FP_ELIMIT "thresholds file larger than
 * 1 MiB" past FP_THRESHOLDS_FILE_MAX_BYTES; FP_EINVAL for a non-number ("expected a finite
 * number for 'K', got ..."), a non-scalar name, an unknown name (with did-you-mean), a name given
 * twice in either form ("duplicate threshold 'K'"); FP_ERANGE for a value out of range; FP_ENOMEM.
 */
fp_status fp_thresholds_load_yaml(const char *text, size_t len, const char *file,
                                  fp_thresholds_overrides *out, fp_error *err);
void fp_thresholds_overrides_free(fp_thresholds_overrides *o);

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
    double cores;        /* fp_meta.cores (>= 1): the cores the run's CPU % and core-s are of */
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
    double total_s;     /* sum of inclusive durations; a call nested inside a call of the same
                           method adds nothing (recursion is counted once) */
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
    int container; /* FP_METHOD_CONTAINER set in the profile: no per-method detector runs on it */
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
    double improvement;           /* estimated saving, >= 0 (0 for a consequence: see below) */
    const char *improvement_unit; /* "s", "MB" or "core-s" (CPU above the background) */
    double cost; /* improvement / the run's total of that resource, in [0, 1] ("Cost"); 0 for a
                    consequence */
    /*
     * 0 for a root finding; k > 0 when this finding's cost is explained by finding #k (1-based
     * rank, always a root finding ranked before every consequence): "caused by #k". Its saving
     * is part of its cause's, so its improvement and cost are 0 and it has no recommendation nor
     * score weight. Rules: docs/analysis.md, "Root causes".
     */
    size_t caused_by;
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

/*
 * A breach of an absolute threshold (a budget) that the baseline says is normal for this flow:
 * shown beside the methods, not as a finding: it has no saving, costs nothing (no cost, impact
 * or score points), caps no other finding's saving and is no cause of one. Plain value; strings
 * borrowed from the analysis.
 */
typedef struct fp_known_hotspot {
    fp_kind kind;            /* the detector whose budget is breached */
    int32_t target;          /* method index, or FP_TARGET_PROCESS */
    const char *target_name; /* method name, or "process" */
    double measured, threshold;
    const char *unit, *rule;
    double baseline_median, baseline_p99; /* the baseline's, in the unit of its metric */
    uint64_t baseline_runs;
    char text[FP_FINDING_TEXT_MAX]; /* "over the slow_method budget (7 s > 2 s), normal ..." */
} fp_known_hotspot;

struct fp_baseline;

/*
 * fp_analyze() against a baseline (analysis/fp_baseline.h; NULL: exactly fp_analyze()). After
 * the detectors, each method's metrics are tested against the baseline (docs/analysis.md,
 * "Baselines"): a method finding that is normal for the flow moves to the known hotspots, and a
 * significant difference no detector reported becomes a finding with rule "baseline", whose
 * saving is its kind's excess over the baseline median, costed like every finding ("Cost"). The
 * baseline is borrowed for the call only.
 */
fp_status fp_analyze_with_baseline(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                                   const struct fp_baseline *b, fp_error *err);

/* Known hotspots, *n of them, in findings order of their detector. Borrowed; NULL when none. */
const fp_known_hotspot *fp_analysis_known_hotspots(const fp_analysis *a, size_t *n);

/* Runs of the baseline the analysis was compared with; 0 when none. */
uint64_t fp_analysis_baseline_runs(const fp_analysis *a);

/*
 * fp_analyze_with_baseline() (b may be NULL) that polls `cancel(cancel_ctx)` between its stages
 * (profile check, metrics, detectors, recommendations: each well under a second for
 * FP_SIM_MAX_SPANS spans); nonzero stops it with FP_EINTR ("interrupted") and *out NULL.
 * `cancel` may be NULL (never).
 */
fp_status fp_analyze_cancellable(fp_analysis **out, const fp_profile *p, const fp_thresholds *t,
                                 const struct fp_baseline *b, int (*cancel)(void *ctx),
                                 void *cancel_ctx, fp_error *err);

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
 * Findings: the root findings (caused_by == 0) sorted by severity (desc), impact (desc), kind,
 * target name, start; then the consequences (caused_by > 0) in the same order. Borrowed.
 * At most one finding per (kind, method); process-level CPU saturation gives one per episode.
 */
const fp_finding *fp_analysis_findings(const fp_analysis *a, size_t *n);

/* Number of findings with severity `s`. */
size_t fp_analysis_count_severity(const fp_analysis *a, fp_severity s);

/* Recommendations, one per root finding, rank order (recommendation i is for finding i; the
 * consequences, ranked after every root finding, have none). Borrowed. */
const fp_recommendation *fp_analysis_recommendations(const fp_analysis *a, size_t *n);

/*
 * Score in [0, 100]: 100 minus 25 / 15 / 8 / 3 per critical / high / medium / low root finding,
 * minus 5 when peak memory > score.peak_memory_mb, minus 5 when average CPU >
 * score.avg_cpu_pct, clamped to [0, 100].
 */
double fp_analysis_score(const fp_analysis *a);

/*
 * Detectors that did not run for lack of data, as bits (1u << fp_kind): memory_hotspot and
 * memory_leak when the profile has no memory data, cpu_saturation when it has no CPU data
 * (fp_profile_data()). 0 for simulated and fpsim JSON profiles. The score only covers the
 * detectors that ran: reports say which did not (docs/real-traces.md).
 */
unsigned fp_analysis_not_run(const fp_analysis *a);
_Static_assert(FP_KIND_COUNT <= 32, "fp_analysis_not_run() has one bit per kind in an unsigned");

/* fp_score_status_from_score(fp_analysis_score(a)). */
fp_score_status fp_analysis_status(const fp_analysis *a);

#endif /* FP_ANALYSIS_H */
