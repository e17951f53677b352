/*
 * fp_baseline.h - what is normal for a flow, learnt from clean runs, and the test of a run
 * against it (docs/analysis.md, "Baselines").
 *
 * A baseline holds, per method (by name), a fixed set of quantiles (FP_BASELINE_QUANTILES) of
 * six per-run metrics: mean own (self) time per call, calls per run, mean allocation and
 * retention per call, own-work CPU % and I/O operations per run; and per run, the same quantiles
 * of the duration and of the memory and CPU series' level (mean), slope (least squares, per
 * second) and noise (residual standard deviation), and of the process-level metrics the process
 * detectors are tested by (fp_baseline_run_metric: the largest CPU episode's excess and the
 * run's total, the memory's last-segment slope and growth, its peak over level). It records how
 * many runs it was learnt from. It learns only from profiles (through fp_analyze()), never from the
 * ground truth.
 *
 * Learning: fp_baseline_new(), fp_baseline_add() per run (each method keeps at most
 * FP_BASELINE_MAX_SAMPLES per-run values, the first ones), then fp_baseline_finish(), which
 * sorts the samples and keeps only the quantiles (gsl_stats_quantile_from_sorted_data). A
 * finished baseline is immutable: it may be read from several threads, and fp_baseline_add()
 * on it is FP_EINVAL.
 *
 * The file: fp_baseline_write_json() and fp_baseline_read_json() (format "fpsim-baseline",
 * version 4, schemas/baseline.schema.json; versions 2 and 3 are still read: they name the
 * per-call means self_s, alloc_mb and retained_mb (version 4: self_mean_s, alloc_mean_mb,
 * retained_mean_mb, as the report names them; its self_s, alloc_mb and retained_mb are per-run
 * totals), and version 2 has no process-level run metrics: absent, n = 0, so the process
 * detectors keep their absolute rules). The reader is
 * strict: unknown keys, wrong types, missing keys, non-increasing quantiles and a wrong format or
 * version are FP_EINVAL with the key path; malformed JSON is FP_EPARSE at FILE:LINE:COL.
 *
 * Ownership: fp_baseline_new() and fp_baseline_read_json() hand over a new baseline (free with
 * fp_baseline_free(); NULL is a no-op). fp_baseline_add() copies what it needs from the profile.
 * Strings returned are borrowed from the baseline.
 */
#ifndef FP_BASELINE_H
#define FP_BASELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp_analysis.h"
#include "fp_core.h"
#include "fp_profile.h"

#define FP_BASELINE_FORMAT "fpsim-baseline"
#define FP_BASELINE_VERSION 4
/* The oldest version still read: version 2, without the process-level run metrics (every
 * version from it to FP_BASELINE_VERSION is read). */
#define FP_BASELINE_VERSION_MIN 2
/* Per-run values each method keeps while learning (the first ones). */
#define FP_BASELINE_MAX_SAMPLES 4096
/* Runs a metric needs before a run is tested against it. */
#define FP_BASELINE_MIN_RUNS 5
/* Clean runs `--baseline auto` learns from (docs/analysis.md gives the cost). */
#define FP_BASELINE_AUTO_RUNS 30
/* Component of the simulator's documented seed mixing that seeds the batch of `--baseline auto`
 * ("baseline" in ASCII): a stream no analysed run uses. */
#define FP_BASELINE_SEED_COMPONENT UINT64_C(0x626173656c696e65)

/* A call is in its method's tail when its own time is above this many times the median. */
#define FP_BASELINE_TAIL_K 3.0

/* The quantile levels kept per metric, ascending. */
#define FP_BASELINE_NQ 9
extern const double fp_baseline_levels[FP_BASELINE_NQ];

/* Per-method metrics (one value per run in which the method was called). */
typedef enum fp_baseline_metric {
    FP_BM_SELF_S = 0,  /* mean own time per call, s */
    FP_BM_CALLS,       /* calls per run */
    FP_BM_ALLOC_MB,    /* mean allocation per call, MB */
    FP_BM_RETAINED_MB, /* mean retention per call, MB */
    FP_BM_CPU_PCT,     /* own-work CPU % */
    FP_BM_IO_OPS,      /* I/O operations per run */
    /* the latency tail, for methods with at least latency_outliers.min_calls calls: */
    FP_BM_TAIL_FRAC,  /* fraction of calls whose own time is above FP_BASELINE_TAIL_K x median */
    FP_BM_TAIL_RATIO, /* largest own time of a call / median own time of its calls */
    FP_BM_COUNT
} fp_baseline_metric;

/* Per-run metrics. */
typedef enum fp_baseline_run_metric {
    FP_BR_DURATION_S = 0,
    FP_BR_MEM_LEVEL_MB,
    FP_BR_MEM_SLOPE_MB_S,
    FP_BR_MEM_NOISE_MB,
    FP_BR_CPU_LEVEL_PCT,
    FP_BR_CPU_SLOPE_PCT_S,
    FP_BR_CPU_NOISE_PCT,
    /* process-level (version 3; a version-2 file has none: n = 0, never tested), measured from
     * the sampled series by the process detectors (docs/analysis.md, "Process-level metrics"): */
    FP_BR_CPU_EPISODE_MAX_CORE_S, /* the largest CPU episode's excess over the background, core-s */
    FP_BR_CPU_EPISODE_TOTAL_CORE_S, /* the sum of the run's CPU episodes' excess, core-s */
    FP_BR_MEM_TAIL_SLOPE_MB_S, /* slope of the memory's last segment, growing to the end, MB/s */
    FP_BR_MEM_TAIL_GROWTH_MB,  /* its growth, MB */
    FP_BR_MEM_PEAK_OVER_MB,    /* the memory series' peak over its level (max - median), MB */
    FP_BR_COUNT
} fp_baseline_run_metric;
/* Run metrics of a version-2 file (the first ones). */
#define FP_BR_COUNT_V2 FP_BR_CPU_EPISODE_MAX_CORE_S

/*
 * The process-level metrics of one analysed profile, as a baseline learns them (FP_BR_* of the
 * process-level group; `have` bit (m - FP_BR_COUNT_V2) set when metric m was measured:
 * its detector ran on the data it needs). `p` analysed with `t` (NULL: defaults). FP_OK, or
 * fp_analyze()'s errors.
 */
typedef struct fp_baseline_proc {
    double v[FP_BR_COUNT - FP_BR_COUNT_V2];
    unsigned have;
} fp_baseline_proc;
fp_status fp_baseline_proc_metrics(const fp_profile *p, const fp_thresholds *t,
                                   fp_baseline_proc *out, fp_error *err);

/* JSON key of a metric in a version-FP_BASELINE_VERSION file ("self_mean_s", ...); NULL when out
 * of range. Static strings. */
const char *fp_baseline_metric_key(fp_baseline_metric m);
const char *fp_baseline_run_metric_key(fp_baseline_run_metric m);

/* A learnt distribution: `n` values summarised by the quantiles at fp_baseline_levels. */
typedef struct fp_baseline_dist {
    uint64_t n;
    double q[FP_BASELINE_NQ];
} fp_baseline_dist;

typedef struct fp_baseline fp_baseline;

/* New empty baseline. FP_OK or FP_ENOMEM. */
fp_status fp_baseline_new(fp_baseline **out, fp_error *err);

/* Frees `b`. NULL is a no-op. */
void fp_baseline_free(fp_baseline *b);

/*
 * Learns from one clean run `p`, analysed with `t` (NULL: defaults). The analysis polls
 * `cancel(cancel_ctx)` between its stages (`cancel` may be NULL: never); nonzero stops it with
 * FP_EINTR and `b` unchanged. FP_OK, FP_EINVAL (a finished baseline, or fp_analyze()'s errors),
 * FP_EINTR, FP_ENOMEM.
 */
fp_status fp_baseline_add(fp_baseline *b, const fp_profile *p, const fp_thresholds *t,
                          int (*cancel)(void *ctx), void *cancel_ctx, fp_error *err);

/* Turns the samples into quantiles; the baseline is then immutable. FP_OK or FP_ENOMEM. */
fp_status fp_baseline_finish(fp_baseline *b, fp_error *err);

/* Runs learnt from. */
uint64_t fp_baseline_runs(const fp_baseline *b);

/* Methods known, and the name of method i (borrowed; NULL when out of range). */
size_t fp_baseline_method_count(const fp_baseline *b);
const char *fp_baseline_method_name(const fp_baseline *b, size_t i);

/* Distribution of metric `m` of method `name` (finished baselines), or NULL when unknown. */
const fp_baseline_dist *fp_baseline_method_dist(const fp_baseline *b, const char *name,
                                                fp_baseline_metric m);

/* Distribution of run metric `m` (finished baselines). Borrowed. */
const fp_baseline_dist *fp_baseline_run_dist(const fp_baseline *b, fp_baseline_run_metric m);

/* Writes a finished baseline as JSON to `f`. FP_OK, FP_EINVAL (not finished) or FP_EIO. */
fp_status fp_baseline_write_json(const fp_baseline *b, FILE *f, fp_error *err);

/*
 * Reads a baseline file's `len` bytes of `text`; `file` names it in errors. On FP_OK *out is a
 * new finished baseline; on error *out is NULL.
 */
fp_status fp_baseline_read_json(fp_baseline **out, const char *text, size_t len, const char *file,
                                fp_error *err);

/*
 * The test of one value against a distribution, one-sided (higher than normal): FP_OK with
 * *p_value the normal tail probability of log(x) under the distribution's robust centre (log
 * median) and scale (the larger of log interquartile range / 1.349 and the mean scale implied by
 * the 90th and 95th percentiles, (log q - log median) / z_q: a right-skewed metric's upper tail;
 * at least FP_BASELINE_MIN_LOG_SCALE), and
 * *ratio = x / median. Values are shifted by a small floor before the log so zeros are allowed.
 */
#define FP_BASELINE_MIN_LOG_SCALE 0.05
/* False-alarm rate per run over every test (Bonferroni), and the smallest ratio to the median
 * that is a finding. */
#define FP_BASELINE_ALPHA 0.01
#define FP_BASELINE_MIN_RATIO 1.5
/* A budget breach within this ratio of the baseline median stays normal (a known hotspot). */
#define FP_BASELINE_NORMAL_RATIO 1.2
void fp_baseline_test(const fp_baseline_dist *d, double x, double *p_value, double *ratio);

/*
 * The test fp_baseline_apply() uses for per-method metric `m`: fp_baseline_test(), except for
 * FP_BM_TAIL_RATIO (the largest call over the median, a maximum), whose upper tail on the log
 * scale is a Gumbel's: location and scale from the learnt median, 90th and 95th percentiles,
 * the scale widened by sqrt(1 + 1/n), p = 1 - exp(-exp(-(log x - location) / scale)).
 */
void fp_baseline_test_metric(fp_baseline_metric m, const fp_baseline_dist *d, double x,
                             double *p_value, double *ratio);

#endif /* FP_BASELINE_H */
