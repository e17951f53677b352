/*
 * fp_thresholds.c - detector thresholds by dotted name, and the names of severities, score
 * statuses and data sources.
 */
#include "fp_analysis.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

typedef struct key_def {
    fp_threshold_info info;
    size_t offset; /* of the double in fp_thresholds */
} key_def;

#define K(key, unit, def, lo, hi, field, help)                                                     \
    {                                                                                              \
        {key, unit, def, lo, hi, help}, offsetof(fp_thresholds, field)                             \
    }

/* Kept in the order of the struct; the defaults here must equal FP_THRESHOLDS_INIT (tested). */
static const key_def s_keys[] = {
    K("slow_method.mean_s", "s", 2.0, 0.0, 1e9, slow_mean_s,
      "a method is slow when its mean own (self) time per call is above this"),
    K("slow_method.path_share", "fraction", 0.5, 0.0, 1.0, slow_path_share,
      "a method is slow when its own work is above this share of the critical path (0 off)"),
    K("latency_outliers.z", "z", 3.5, 0.5, 1e3, outlier_z,
      "a call is an outlier when its modified z-score (log self time) is above this"),
    K("latency_outliers.min_calls", "calls", 20.0, 3.0, 1e12, outlier_min_calls,
      "calls a method needs before its outliers are tested"),
    K("latency_outliers.min_count", "calls", 1.0, 1.0, 1e12, outlier_min_count,
      "outlier calls needed for a finding"),
    K("latency_outliers.min_fraction", "fraction", 0.0, 0.0, 1.0, outlier_min_fraction,
      "outlier calls needed, as a fraction of the method's calls"),
    K("latency_outliers.min_excess_s", "s", 0.001, 0.0, 1e9, outlier_min_excess_s,
      "an outlier must also exceed the median self time by this many seconds"),
    K("latency_outliers.p_value", "p", 1e-4, 1e-300, 0.5, outlier_p_value,
      "outliers are reported when their count and size have p below this under a log-normal "
      "null (Bonferroni over methods)"),
    K("memory_hotspot.alloc_mb", "MB", 100.0, 0.0, 1e12, hotspot_alloc_mb,
      "a method is a memory hotspot when its mean allocation per call is above this"),
    K("memory_leak.min_slope_mb_s", "MB/s", 0.5, 0.0, 1e12, leak_min_slope_mb_s,
      "memory growth rate after the onset must be above this"),
    K("memory_leak.min_growth_mb", "MB", 50.0, 0.0, 1e12, leak_min_growth_mb,
      "memory growth from the onset to the end of the run must be above this"),
    K("memory_leak.p_value", "p", 0.001, 1e-300, 0.5, leak_p_value,
      "the slope's one-sided t-test p-value must be below this"),
    K("memory_leak.min_samples", "samples", 10.0, 4.0, 1e12, leak_min_samples,
      "memory samples needed before a leak is tested"),
    K("cpu_saturation.pct", "%", 80.0, 0.0, 99.999, cpu_pct,
      "CPU saturation: series samples or a method's own-work CPU above this"),
    K("cpu_saturation.min_samples", "samples", 3.0, 1.0, 1e12, cpu_min_samples,
      "consecutive samples above cpu_saturation.pct needed for an episode"),
    K("cpu_saturation.min_pct_s", "%*s", 5.0, 0.0, 1e15, cpu_min_pct_s,
      "an episode's area above cpu_saturation.pct (percent-seconds) needed for a finding"),
    K("call_storm.calls", "calls", 1000.0, 0.0, 1e15, storm_calls,
      "a method called more often than this in one run is a call storm"),
    K("call_storm.ratio", "ratio", 0.0, 0.0, 1e15, storm_ratio,
      "also a storm when calls exceed this times the median calls per method (0 off)"),
    K("io_heavy.ops", "ops", 10000.0, 0.0, 1e18, io_ops,
      "a method issuing more I/O operations than this in one run is I/O heavy"),
    K("io_heavy.mb", "MB", 1024.0, 0.0, 1e15, io_mb,
      "a method reading and writing more MB than this in one run is I/O heavy"),
    K("io_heavy.ops_per_s", "ops/s", 1000.0, 0.0, 1e18, io_ops_per_s,
      "a method issuing more ops per second of own time than this is I/O heavy (0 off)"),
    K("io_heavy.min_self_s", "s", 1.0, 0.0, 1e9, io_min_self_s,
      "own time a method needs before its I/O rate is judged"),
    K("score.peak_memory_mb", "MB", 1000.0, 0.0, 1e15, score_peak_mem_mb,
      "peak memory above this costs 5 score points"),
    K("score.avg_cpu_pct", "%", 80.0, 0.0, 100.0, score_avg_cpu_pct,
      "average CPU above this costs 5 score points"),
};

#define N_KEYS (sizeof s_keys / sizeof s_keys[0])

void fp_thresholds_init(fp_thresholds *t)
{
    size_t i;
    for (i = 0; i < N_KEYS; i++)
        *(double *)((char *)t + s_keys[i].offset) = s_keys[i].info.def;
}

size_t fp_thresholds_key_count(void)
{
    return N_KEYS;
}

const fp_threshold_info *fp_thresholds_key_info(size_t i)
{
    return i < N_KEYS ? &s_keys[i].info : NULL;
}

/* Index of `key`, or N_KEYS after filling `err` with an unknown-key message. */
static size_t find_key(const char *key, fp_error *err)
{
    const char *names[N_KEYS];
    const char *best;
    size_t i;

    for (i = 0; i < N_KEYS; i++) {
        if (key && strcmp(key, s_keys[i].info.key) == 0)
            return i;
        names[i] = s_keys[i].info.key;
    }
    best = key ? fp_suggest(key, names, N_KEYS) : NULL;
    if (best)
        fp_error_set(err, FP_EINVAL, "unknown analysis threshold '%s' (did you mean '%s'?)", key,
                     best);
    else
        fp_error_set(err, FP_EINVAL, "unknown analysis threshold '%s'", key ? key : "(null)");
    fp_error_set_path(err, key ? key : "");
    return N_KEYS;
}

fp_status fp_thresholds_set(fp_thresholds *t, const char *key, double value, fp_error *err)
{
    size_t i = find_key(key, err);
    const fp_threshold_info *in;

    if (i == N_KEYS)
        return FP_EINVAL;
    in = &s_keys[i].info;
    if (!isfinite(value)) {
        fp_error_set_path(err, key);
        return fp_error_set(err, FP_EINVAL, "analysis threshold '%s' must be finite", key);
    }
    if (value < in->min || value > in->max) {
        fp_error_set_path(err, key);
        return fp_error_set(err, FP_ERANGE, "analysis threshold '%s' must be in [%g, %g], got %g",
                            key, in->min, in->max, value);
    }
    *(double *)((char *)t + s_keys[i].offset) = value;
    return FP_OK;
}

fp_status fp_thresholds_get(const fp_thresholds *t, const char *key, double *out, fp_error *err)
{
    size_t i = find_key(key, err);

    if (i == N_KEYS)
        return FP_EINVAL;
    *out = *(const double *)((const char *)t + s_keys[i].offset);
    return FP_OK;
}

const char *fp_severity_name(fp_severity s)
{
    static const char *const names[] = {"low", "medium", "high", "critical"};
    return (unsigned)s < 4 ? names[s] : NULL;
}

fp_severity fp_severity_from_impact(double impact)
{
    if (impact > 90.0)
        return FP_SEV_CRITICAL;
    if (impact > 70.0)
        return FP_SEV_HIGH;
    if (impact > 50.0)
        return FP_SEV_MEDIUM;
    return FP_SEV_LOW;
}

const char *fp_score_status_name(fp_score_status s)
{
    static const char *const names[] = {"poor", "fair", "good", "excellent"};
    return (unsigned)s < 4 ? names[s] : NULL;
}

fp_score_status fp_score_status_from_score(double score)
{
    if (score >= 90.0)
        return FP_SCORE_EXCELLENT;
    if (score >= 70.0)
        return FP_SCORE_GOOD;
    if (score >= 50.0)
        return FP_SCORE_FAIR;
    return FP_SCORE_POOR;
}

const char *fp_source_name(fp_source s)
{
    static const char *const names[] = {"none", "series", "spans"};
    return (unsigned)s < 3 ? names[s] : NULL;
}
