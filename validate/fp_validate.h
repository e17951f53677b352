/*
 * fp_validate.h - detector accuracy against ground truth: per-run records, order-independent
 * accumulation in run order, the statistics `fpsim validate` reports (docs/validation.md), and the
 * engine that produces them (accuracy study, threshold sweeps, power curves; last section).
 *
 * Part of the validation layer (validate/, between sim + analysis and reports). The statistics and
 * per-run records read the ground truth (like fp_match) and no simulator header: they work on any
 * profile that carries truth records; only the engine simulates. The engine simulates, analyses
 * and matches each run, turns it into a small fixed-size fp_validate_run record
 * (fp_validate_run_record), optionally adds the time to detect of its time-based labels
 * (fp_validate_time_to_detect), and adds the records to an accumulator in run-index order. Records
 * are plain values, so workers can fill them in any order and the caller merges them in index
 * order: the accumulated result, including every floating sum, depends only on the records and
 * their order, never on threads.
 *
 * Memory: an accumulator holds counts, sums, a bounded sample buffer of Spearman pairs (at most
 * FP_VALIDATE_SAMPLE_CAP, the first ones in run order) and per time-based kind a quantile store of
 * the times to detect: every value up to FP_VALIDATE_TTD_EXACT (the p95 is exact), log-bucket
 * counts beyond (the p95 within 0.1 %, flagged approximate; fp_quantile.h). Its size is bounded,
 * whatever the number of runs (docs/validation.md, docs/performance.md).
 *
 * Ownership: fp_validate_acc_new() hands over a new accumulator (free with fp_validate_acc_free()).
 * Summaries are plain values; their per-source array is borrowed from the accumulator. The
 * engine's ownership rules are stated in its section below.
 */
#ifndef FP_VALIDATE_H
#define FP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_core.h"
#include "fp_match.h"
#include "fp_profile.h"
#include "fp_scenario.h"

/* Truth records kept per run record (more are counted in n_dropped, not itemised). */
#define FP_VALIDATE_MAX_ITEMS 32
/* Spearman pairs kept per accumulator (the first ones in run order; docs/validation.md): 160 KB.
 * The Spearman correlation over more true positives is an estimate over these (the writers say
 * so). */
#define FP_VALIDATE_SAMPLE_CAP 10000
/* Times to detect kept exactly per kind and accumulator (80 KB); beyond, the p95 comes from a
 * relative-error sketch (fp_quantile.h) and is flagged approximate. */
#define FP_VALIDATE_TTD_EXACT 10000
/* Recommendations counted as "top k" for the root-cause hit rate: k = max(FP_VALIDATE_TOP_K,
 * observable labels in the run), so a run with 4 injected bottlenecks can score 100 %. */
#define FP_VALIDATE_TOP_K 3
/* Re-analyses per label in the time-to-detect bisection. */
#define FP_VALIDATE_TTD_STEPS 8

/* ---- statistics ---- */

/*
 * Wilson score interval for a proportion k/n at confidence `conf` (e.g. 0.95), using
 * z = gsl_cdf_ugaussian_Pinv(1 - (1 - conf) / 2). `n` may be fractional (used for F1). n == 0
 * gives [0, 1]. FP_OK, or FP_EINVAL when k < 0, k > n or conf is not in (0, 1).
 */
fp_status fp_validate_wilson(double *lo, double *hi, double k, double n, double conf,
                             fp_error *err);

/*
 * Spearman rank correlation of x and y (n pairs) with average ranks for ties
 * (gsl_stats_spearman). `work` must hold 2n doubles. Returns 0 when n < 2 or either variable is
 * constant (the correlation is then undefined; callers report it as not available).
 */
double fp_validate_spearman(const double *x, const double *y, size_t n, double *work);

/* NAB-style cost profiles (Lavin & Ahmad 2015): weights of a true positive, false positive and
 * false negative. */
typedef enum fp_nab_profile {
    FP_NAB_STANDARD = 0, /* A_TP 1, A_FP -0.11, A_FN -1 */
    FP_NAB_LOW_FP,       /* A_TP 1, A_FP -0.22, A_FN -1 */
    FP_NAB_LOW_FN,       /* A_TP 1, A_FP -0.11, A_FN -2 */
    FP_NAB_PROFILE_COUNT
} fp_nab_profile;

typedef struct fp_nab_weights {
    double tp, fp, fn;
} fp_nab_weights;

/* Weights of profile `p` (standard for an out-of-range value). */
fp_nab_weights fp_validate_nab_weights(fp_nab_profile p);

/* "standard", "low_fp", "low_fn"; NULL when out of range. Static string. */
const char *fp_validate_nab_name(fp_nab_profile p);

/*
 * NAB's scaled sigmoid credit of a detection at relative position y in its label window
 * (y = -1 at the onset, 0 at the window's end): 2 / (1 + exp(5y)) - 1, y clamped to [-1, 0].
 * 0.9866 at the onset, 0 at the end.
 */
double fp_validate_nab_sigmoid(double y);

/*
 * Normalised NAB score: 100 * (S - S_null) / (S_perfect - S_null) with
 * S = A_TP * tp_credit + A_FP * fp + A_FN * fn, S_null = A_FN * labels (nothing detected) and
 * S_perfect = A_TP * labels. 0 = the null detector, 100 = perfect; negative when false alarms
 * cost more than the detections earn. 0 when labels == 0.
 */
double fp_validate_nab_score(fp_nab_profile p, double tp_credit, uint64_t fp, uint64_t fn,
                             uint64_t labels);

/* ---- per-run records ---- */

/*
 * True cost of an injected bottleneck as a share of the same resource's total in the run, the
 * same notion as a finding's `cost` (docs/analysis.md "Cost"), chosen by its kind's
 * fp_truth_measure: added seconds / duration (slow_method, latency_outliers, call_storm,
 * io_heavy), MB per affected call / peak memory (memory_hotspot), retained MB / peak memory
 * (memory_leak), added CPU percent-seconds of one core / (100 x cores x duration), i.e.
 * core-seconds of the process's cores (cpu_saturation; run->cores below 1 is read as 1).
 * Clamped to [0, 1]; 0 when a denominator is 0.
 */
double fp_validate_truth_cost(const fp_truth *t, const fp_run_metrics *run);

/* One observable truth record of a run. Plain value type. */
typedef struct fp_validate_item {
    fp_kind kind;
    uint32_t source;  /* index of the bottleneck in the scenario */
    int found;        /* 1 when a finding matched it */
    int32_t rank;     /* 0-based rank of the matching finding / recommendation, -1 if missed */
    double cost;      /* fp_validate_truth_cost() */
    double impact;    /* impact of the matching finding (0 if missed) */
    double window_s;  /* end_s - start_s of the truth window */
    int has_ttd;      /* 1 when ttd_s was measured */
    double ttd_s;     /* time to detect from the onset, seconds */
    uint32_t truth;   /* index of the truth record in the profile */
    int32_t target;   /* method index or FP_TARGET_PROCESS */
    double magnitude; /* the drawn magnitude (fp_truth.magnitude) */
} fp_validate_item;

/*
 * The result of one run. Plain value type (fixed size, no pointers), so workers fill records
 * in any order and the caller adds them in run order. Invariant: sum over kinds of tp[] equals
 * the number of found items (when n_dropped == 0).
 */
typedef struct fp_validate_run {
    uint64_t run_index;
    int injected;               /* at least one observable truth record */
    uint32_t tp[FP_KIND_COUNT]; /* findings matched to a truth record of that kind */
    uint32_t fp[FP_KIND_COUNT]; /* findings of that kind matched to nothing */
    uint32_t fn[FP_KIND_COUNT]; /* observable truth records of that kind not found */
    uint32_t unobservable;      /* truth records with no effect */
    uint32_t consequences;      /* findings reported under a true cause: neither tp nor fp */
    uint32_t n_findings;
    int top1;         /* -1 n/a (nothing injected), 0 wrong, 1 right */
    int top1_found;   /* the same among the found labels only: -1 when none found */
    size_t n_items;   /* items[] used */
    size_t n_dropped; /* observable truth records beyond FP_VALIDATE_MAX_ITEMS */
    fp_validate_item items[FP_VALIDATE_MAX_ITEMS];
} fp_validate_run;

/*
 * Fills `out` from a profile `p` (with its ground truth), its analysis `a` and the match `m` of
 * the two (fp_match_run). The top finding (rank 0) is right (top1) when it matches a truth
 * record with the largest cost in the run, and right among the found (top1_found) when it
 * matches one with the largest cost among the truth records some finding matched. No time to detect
 * (has_ttd = 0). Cannot fail.
 */
void fp_validate_run_record(fp_validate_run *out, uint64_t run_index, const fp_profile *p,
                            const fp_analysis *a, const fp_match_result *m);

/* 1 for the time-based kinds (fp_kind_info.time_based: memory_leak, cpu_saturation), else 0 (also
 * for a kind out of range). */
int fp_validate_time_based(fp_kind k);

/*
 * Copies into `dst` (reset first) the part of `src` observed up to time `t`: spans starting
 * before t, clipped to end at t; series samples wholly before t (n = floor(t / interval));
 * the method table, metadata and truth records unchanged. FP_OK, FP_EINVAL (t not finite or
 * negative) or FP_ENOMEM.
 */
fp_status fp_validate_truncate(fp_profile *dst, const fp_profile *src, double t, fp_error *err);

/*
 * Time to detect truth record `truth` of `p`: the earliest time t (after its onset) at which the
 * analysis of the prefix [0, t] (fp_validate_truncate) reports a finding matching it, found by
 * bisection over t in [onset, end of run] with FP_VALIDATE_TTD_STEPS re-analyses (detection is
 * assumed monotone in t; the result is the upper end of the last bracket, so resolution is
 * (end - onset) / 2^steps). *ttd_s = t - onset. *detected = 0 (and *ttd_s = 0) when the full
 * run does not detect it. `scratch` and `sm` are caller-owned work objects. FP_OK or the
 * analysis' / match's error.
 */
fp_status fp_validate_time_to_detect(double *ttd_s, int *detected, const fp_profile *p,
                                     size_t truth, const fp_thresholds *t,
                                     const fp_match_options *mo, fp_profile *scratch,
                                     fp_match_result *sm, fp_error *err);

/* ---- partial results: one record as a line of JSON ---- */

/*
 * Writes record `r` of pass `pass` as one JSON array of numbers (no newline): pass, unit
 * (r->run_index), injected, tp[FP_KIND_COUNT], fp[...], fn[...], unobservable, consequences,
 * n_findings, top1, top1_found, n_dropped, n_items, then per item kind, source, found, rank,
 * cost, impact, window_s, has_ttd, ttd_s, truth, target, magnitude. Doubles are written by
 * fp_json_put_double(FP_NONFINITE_EXACT): the shortest exact digits, read back bit for bit by
 * fp_validate_run_parse (NaN as null, the infinities as +-1e999; lines an older fpsim wrote
 * with %.17g read the same). FP_OK or FP_EIO.
 */
fp_status fp_validate_run_write(FILE *f, uint64_t pass, const fp_validate_run *r, fp_error *err);

/* Parses one line written by fp_validate_run_write() into *pass and `r`. FP_OK, or FP_EPARSE
 * with "record: ..." in `err` (the caller adds the file and line). */
fp_status fp_validate_run_parse(const char *line, uint64_t *pass, fp_validate_run *r,
                                fp_error *err);

/* ---- accumulation ---- */

typedef struct fp_validate_acc fp_validate_acc;

/*
 * New accumulator for a scenario with `n_sources` declared bottlenecks (per-source recall rows;
 * items with a larger source index are counted in the kind rows only). FP_OK or FP_ENOMEM.
 */
fp_status fp_validate_acc_new(fp_validate_acc **out, size_t n_sources, fp_error *err);

/* Frees `acc`. NULL is a no-op. */
void fp_validate_acc_free(fp_validate_acc *acc);

/*
 * Adds one run record. Call in run-index order for reproducible sample buffers and sums.
 * Cannot fail: the time-to-detect stores grow up to their bound (fp_quantile.h), and a value
 * they could not keep (out of memory) makes fp_validate_acc_summary() fail with FP_ENOMEM.
 */
void fp_validate_acc_add(fp_validate_acc *acc, const fp_validate_run *r);

/* A proportion with its 95 % Wilson interval. available = 0 when the denominator is 0. */
typedef struct fp_validate_rate {
    double value, lo, hi;
    double num, den;
    int available;
} fp_validate_rate;

/* Confusion counts and rates of one kind (or of all kinds). */
typedef struct fp_validate_kind_stats {
    uint64_t tp, fp, fn;
    fp_validate_rate precision, recall, f1; /* f1 as TP / (TP + (FP + FN) / 2) */
    uint64_t ttd_n;                         /* labels with a measured time to detect */
    double ttd_mean_s, ttd_p95_s;           /* 0 when ttd_n == 0; the mean is exact */
    int ttd_p95_approximate; /* 1 when ttd_n > FP_VALIDATE_TTD_EXACT: the p95 is within
                                FP_QUANTILE_REL_ERR (0.1 %) of the exact value (fp_quantile.h) */
} fp_validate_kind_stats;

/* Recall of one declared bottleneck. */
typedef struct fp_validate_source_stats {
    fp_kind kind; /* kind of its first item (FP_KIND_COUNT when never observed) */
    uint64_t found, missed;
    fp_validate_rate recall;
} fp_validate_source_stats;

typedef struct fp_validate_summary {
    uint64_t runs, injected_runs, clean_runs;
    fp_validate_kind_stats kinds[FP_KIND_COUNT];
    fp_validate_kind_stats overall;
    uint64_t consequences;               /* findings reported under a true cause (caused_by),
                                            counted neither as true nor as false positives */
    uint64_t clean_false_alarms;         /* false alarms summed over clean runs */
    double clean_false_alarms_per_run;   /* clean_false_alarms / clean_runs */
    fp_validate_rate clean_runs_alarmed; /* clean runs with >= 1 false alarm / clean runs */
    fp_validate_rate top1;               /* right top finding / injected runs */
    fp_validate_rate top1_found;         /* top finding is the costliest *found* label / runs
                                            with a found label (ranking alone, not recall) */
    fp_validate_rate topk;               /* labels found in the top-k / observable labels */
    uint64_t spearman_n;                 /* (impact, cost) pairs used */
    uint64_t spearman_of; /* true positives in all: more than spearman_n when the pairs were
                             capped at the first FP_VALIDATE_SAMPLE_CAP (the writers say so) */
    double spearman;      /* rank correlation; available when spearman_n >= 3 */
    int spearman_available;
    double nab[FP_NAB_PROFILE_COUNT]; /* normalised NAB scores */
    uint64_t dropped;                 /* items beyond FP_VALIDATE_MAX_ITEMS */
    size_t n_sources;
    const fp_validate_source_stats *sources; /* borrowed from the accumulator */
} fp_validate_summary;

/*
 * Computes the summary. FP_OK, FP_ENOMEM (quantile/Spearman work space) or FP_EINTERNAL.
 * Deterministic in the records and their order.
 */
fp_status fp_validate_acc_summary(fp_validate_acc *acc, fp_validate_summary *out, fp_error *err);

/* ---- per-kind tables of the engine ----
 *
 * The default sweep list and grids, the default power grid, the simulator's effective magnitude
 * and the magnitude units live in ONE place, validate/fp_validate_kinds.c, until the kind table
 * and detector registry replace them.
 */

/*
 * Resolves a --sweep name: a detector name ("slow_method", ...) or one of the default sweep keys
 * gives that detector's key and default grid; any other detector threshold key ("x.y" with x a
 * detector) gives that key and those of 0.25, 0.5, 0.75, 1, 1.5, 2 and 4 times its default that
 * lie in the key's [min, max], without repeats; a key whose default is 0 gets no grid (*n = 0:
 * the caller must supply the values). `*key` is static or `name` itself (borrowed). `grid` must
 * hold FP_VALIDATE_MAX_GRID values. FP_OK, FP_ELIMIT (a default grid too long), or FP_EINVAL with
 * the message "unknown detector or threshold 'NAME'" or "'NAME' is not a detector threshold".
 */
#define FP_VALIDATE_MAX_GRID 64
fp_status fp_validate_sweep_resolve(const char *name, fp_kind *kind, const char **key, double *grid,
                                    size_t *n, fp_error *err);

/*
 * Checks every value of a sweep grid against threshold `key` before anything runs: FP_OK;
 * FP_EINVAL for more than FP_VALIDATE_MAX_GRID values, an unknown key or a non-finite value;
 * FP_ERANGE for a value outside the key's [min, max] ("analysis threshold 'K' must be in
 * [MIN, MAX], got V"), as fp_thresholds_set() words it.
 */
fp_status fp_validate_sweep_check(const char *key, const double *grid, size_t n, fp_error *err);

/* The default magnitude scales of a power curve (static array of *n values). */
const double *fp_validate_power_grid(size_t *n);

/* The effective magnitude the simulator applies to drawn magnitude `m` at scale `scale`. */
double fp_validate_effective_magnitude(fp_kind k, double m, double scale);

/* Unit of a power curve's magnitude for kind `k` ("factor", "MB per call", ...). Static string. */
const char *fp_validate_magnitude_label(fp_kind k);

/* Sets `r` to num / den with its 95 % Wilson interval (available = 0 when den == 0). */
void fp_validate_rate_set(fp_validate_rate *r, double num, double den);

/* ---- the engine: simulate, analyse, match and accumulate many runs ----
 *
 * An engine runs one of three studies over the scenarios added to it: the accuracy report
 * (fp_validate_engine_run), a threshold sweep (fp_validate_engine_sweep) or a magnitude power
 * curve (fp_validate_engine_power). Runs are simulated by `jobs` worker threads, each with its own
 * simulators and profiles. Determinism at any `jobs`: run indices are processed in batches; within
 * a batch each worker takes the next unprocessed index and writes a fixed-size record into that
 * index's slot; after the batch the records are added in index order. Every sum is therefore
 * taken in the same order whatever the scheduling, and memory is O(batch), not O(runs).
 *
 * The engine never prints: progress goes to the optional callback (called from the calling thread
 * after each batch), and the optional cancel callback is polled by the workers between runs and
 * after each batch (a study then fails with FP_EINTR, "interrupted").
 *
 * Ownership: fp_validate_engine_new() hands over a new engine (free with
 * fp_validate_engine_free()). Scenarios and the rng type are borrowed and must outlive the
 * engine; thresholds are copied. Results are borrowed from the engine and valid until the next
 * study or fp_validate_engine_free().
 */

/* Which variants of each run index are simulated. */
typedef enum fp_validate_inject {
    FP_VALIDATE_INJECT_BOTH = 0, /* each index once with every bottleneck, once with none */
    FP_VALIDATE_INJECT_ALL,      /* every bottleneck injected */
    FP_VALIDATE_INJECT_NONE,     /* nothing injected */
    FP_VALIDATE_INJECT_SCENARIO  /* the scenario's own probabilities */
} fp_validate_inject;

/* "both", "all", "none", "scenario"; "?" when out of range. Static string. */
const char *fp_validate_inject_name(fp_validate_inject m);

/* Looks a mode up by name. FP_OK, or FP_EINVAL (*out unchanged). */
fp_status fp_validate_inject_from_name(const char *name, fp_validate_inject *out);

/* Progress: `done` of `total` runs finished in the current study. */
typedef void (*fp_validate_progress_fn)(void *ctx, uint64_t done, uint64_t total);
/* Progress with the estimated work: `work_done` of `work_total` (seconds of one thread: each
 * scenario's cost per run measured by a short probe at the start of the study; every run counts
 * 1 without a probe). The ETA of a study whose scenarios cost different amounts per run is
 * (work_total - work_done) / the work's rate (docs/performance.md, "Progress"). */
typedef void (*fp_validate_progress_work_fn)(void *ctx, uint64_t done, uint64_t total,
                                             double work_done, double work_total);
/* Cancellation: nonzero stops the study. Called from worker threads: must be thread-safe. */
typedef int (*fp_validate_cancel_fn)(void *ctx);
/* Shards: receives each record a shard computes, in unit order within its pass (the study's
 * run_pass calls numbered from 0 in order), on the calling thread. */
typedef fp_status (*fp_validate_sink_fn)(void *ctx, uint64_t pass, const fp_validate_run *r,
                                         fp_error *err);
/* Merge: fills `r` with the record of unit `unit` (run index `run`) of pass `pass`, read from
 * the shards instead of simulated; asked in unit order. FP_OK or the reader's error. */
typedef fp_status (*fp_validate_source_fn)(void *ctx, uint64_t pass, uint64_t unit, uint64_t run,
                                           fp_validate_run *r, fp_error *err);

/* Resume: fills `r` with the record of unit `unit` of pass `pass` that an interrupted study
 * kept, and sets *got; *got 0 when there is none (the study simulates from that unit on). Asked
 * in unit order from unit 0 of every pass. FP_OK or the reader's error. */
typedef fp_status (*fp_validate_replay_fn)(void *ctx, uint64_t pass, uint64_t unit,
                                           fp_validate_run *r, int *got, fp_error *err);

/* Engine configuration. Plain value type; FP_VALIDATE_CONFIG_INIT gives the defaults. */
typedef struct fp_validate_config {
    uint64_t runs;             /* run indices per scenario (>= 1) */
    fp_validate_inject inject; /* ignored by the power study (always all) */
    int ttd;                   /* 1: measure the time to detect (accuracy study only) */
    unsigned jobs;             /* worker threads (>= 1) */
    const gsl_rng_type *rng;   /* NULL: mt19937 (borrowed) */
    fp_validate_progress_fn progress;
    void *progress_ctx;
    fp_validate_cancel_fn cancel;
    void *cancel_ctx;
    /* Shards (docs/validation.md "Shards and merge"): run index i belongs to shard i mod
     * shard_n. With `sink` set, only the run indices of shard `shard_k` (0-based, < shard_n)
     * are simulated, each record goes to `sink`, and the study's results are not meaningful.
     * With `source` set, nothing is simulated: every record comes from `source` (the merge), so
     * the results equal those of the one-process run whose shards wrote the records. */
    uint64_t shard_k, shard_n;
    fp_validate_sink_fn sink;
    void *sink_ctx;
    fp_validate_source_fn source;
    void *source_ctx;
    /* Checkpoints (docs/validation.md "Checkpoint and resume"): with `log` set, every record
     * the study adds up goes to `log` too, in unit order, after each batch (so what it has
     * received when a signal stops the study is a prefix of every pass); with `replay` set,
     * each pass first takes the records `replay` still has, then simulates the rest, so the
     * results equal those of the uninterrupted study. Neither with `sink` or `source`. */
    fp_validate_sink_fn log;
    void *log_ctx;
    fp_validate_replay_fn replay;
    void *replay_ctx;
    /* Progress with the work estimate, called with progress_ctx instead of `progress` when set.
     * It makes a study of several scenarios with at least 1024 runs each time the first 16
     * units of each scenario first, on the calling thread (under 2 % of the study; the results
     * do not change). */
    fp_validate_progress_work_fn progress_work;
} fp_validate_config;

#define FP_VALIDATE_CONFIG_INIT                                                                    \
    {                                                                                              \
        100, FP_VALIDATE_INJECT_BOTH, 1, 1, NULL, NULL, NULL, NULL, NULL, 0, 1, NULL, NULL, NULL,  \
            NULL, NULL, NULL, NULL, NULL, NULL                                                     \
    }

typedef struct fp_validate_engine fp_validate_engine;

/* New engine with a copy of `cfg`. FP_OK, FP_EINVAL (runs or jobs 0) or FP_ENOMEM. */
fp_status fp_validate_engine_new(fp_validate_engine **out, const fp_validate_config *cfg,
                                 fp_error *err);

/* Frees `e` and every result. NULL is a no-op. */
void fp_validate_engine_free(fp_validate_engine *e);

/* The engine's configuration (borrowed). */
const fp_validate_config *fp_validate_engine_config(const fp_validate_engine *e);

/*
 * Adds scenario `scn` (borrowed) with its batch seed and the thresholds to analyse its runs with
 * (copied). Studies run the scenarios in the order added. FP_OK or FP_ENOMEM.
 */
fp_status fp_validate_engine_add_scenario(fp_validate_engine *e, const fp_scenario *scn,
                                          uint64_t seed, const fp_thresholds *th, fp_error *err);

/*
 * Analyses scenario i's runs against baseline `b` (borrowed; must outlive the engine; NULL:
 * none, the default) in the accuracy, sweep and power studies; the time to detect is measured
 * without it. FP_OK or FP_EINVAL (no scenario i).
 */
fp_status fp_validate_engine_set_baseline(fp_validate_engine *e, size_t i, const fp_baseline *b,
                                          fp_error *err);

/*
 * Learns the baseline of `scn` from `runs` clean runs (nothing injected) simulated with `rng`
 * (NULL: mt19937) on the batch seed fp_sim_stream_seed(seed, name, 0,
 * FP_BASELINE_SEED_COMPONENT): a stream independent of every run simulated from `seed` itself,
 * so the runs analysed are never the runs learnt from. Each run is analysed with `th`. `cancel`
 * (may be NULL: never) is given to the simulator (fp_sim_options.cancel) and to each analysis,
 * and polled between runs: nonzero stops the learning with FP_EINTR within a fraction of a
 * second. On FP_OK *out is new and finished (free with fp_baseline_free()); errors are the
 * simulator's or the analysis', or FP_EINTR (*out stays NULL).
 */
fp_status fp_validate_learn_baseline(fp_baseline **out, const fp_scenario *scn,
                                     const gsl_rng_type *rng, uint64_t seed, uint64_t runs,
                                     const fp_thresholds *th, fp_validate_cancel_fn cancel,
                                     void *cancel_ctx, fp_error *err);

/* A declared bottleneck of a scenario, as seen in one all-injected run. */
typedef struct fp_validate_source {
    int kind;                              /* fp_kind, or -1 when never observed */
    char target[FP_SCENARIO_MAX_NAME + 1]; /* method name, "process", or "?" when never seen */
} fp_validate_source;

/* Per-scenario result. Plain value; pointers borrowed from the engine. */
typedef struct fp_validate_scenario_result {
    const char *name; /* fp_scenario_name() */
    uint64_t seed;
    fp_validate_summary sum; /* accuracy study only */
    size_t n_sources;        /* accuracy and power studies */
    const fp_validate_source *sources;
} fp_validate_scenario_result;

/*
 * The accuracy study: every scenario's runs, per scenario and overall. FP_OK, FP_EINTR
 * (cancelled), or the simulator's / analysis' / match's error (with its location).
 */
fp_status fp_validate_engine_run(fp_validate_engine *e, fp_error *err);

size_t fp_validate_engine_scenario_count(const fp_validate_engine *e);
/* Result of scenario i (borrowed); NULL when out of range. */
const fp_validate_scenario_result *fp_validate_engine_scenario(const fp_validate_engine *e,
                                                               size_t i);
/* The summary over all scenarios of the last accuracy study (borrowed). */
const fp_validate_summary *fp_validate_engine_overall(const fp_validate_engine *e);

/*
 * Adds a scenario whose runs were not simulated but recorded by the caller (`fpsim validate
 * --record`, docs/validation.md "Real processes"): `n_runs` records made with
 * fp_validate_run_record() from each recorded profile, its ground truth (the program's manifest)
 * and its analysis, in run order; `sources` the planted problems by source index (copied, as
 * `name`). Its summary and the overall one are computed at once, so the report writers take the
 * engine as after fp_validate_engine_run(). An engine with a recorded scenario runs no study
 * (they return FP_EINVAL), and recorded and simulated scenarios do not mix. FP_OK, FP_EINVAL,
 * FP_ENOMEM.
 */
fp_status fp_validate_engine_add_recorded(fp_validate_engine *e, const char *name, uint64_t seed,
                                          const fp_validate_source *sources, size_t n_sources,
                                          const fp_validate_run *runs, size_t n_runs,
                                          fp_error *err);

/* One threshold of a sweep. */
typedef struct fp_validate_sweep_point {
    double value;
    fp_validate_kind_stats ks; /* the swept detector's kind, over all scenarios */
} fp_validate_sweep_point;

/*
 * The threshold sweep: for each of the `n` values of `grid` (n <= FP_VALIDATE_MAX_GRID), every
 * scenario's runs with threshold `key` set to it (no time to detect). `kind` is the detector's
 * kind (fp_validate_sweep_resolve). Every value is checked first (fp_validate_sweep_check), so
 * nothing runs when one is bad. FP_OK, FP_EINVAL (too many values, an unknown key, a non-finite
 * value), FP_ERANGE (a value outside the key's [min, max]), FP_EINTR, or a run's error.
 */
fp_status fp_validate_engine_sweep(fp_validate_engine *e, fp_kind kind, const char *key,
                                   const double *grid, size_t n, fp_error *err);

/* The points of the last sweep (borrowed), its kind and key (borrowed from the caller). */
const fp_validate_sweep_point *fp_validate_engine_sweep_points(const fp_validate_engine *e,
                                                               size_t *n, fp_kind *kind,
                                                               const char **key);

/* How fp_validate_sweep_best() chose its point. */
typedef enum fp_validate_best_rule {
    FP_VALIDATE_BEST_NONE,     /* no point has a label or a finding of the kind */
    FP_VALIDATE_BEST_F1,       /* the highest F1 (> 0); ties to the earlier point */
    FP_VALIDATE_BEST_FEWEST_FP /* no true positive anywhere: the fewest false positives */
} fp_validate_best_rule;

/*
 * The best point of the last sweep: the highest F1 when some point has F1 > 0 (ties to the
 * earlier point). When no point has a true positive (F1 is 0 or n/a everywhere, e.g. a kind with
 * only false alarms) F1 cannot rank the points, and the best is the point with the fewest false
 * positives, ties to the detector's default threshold (*def, from FP_THRESHOLDS_INIT) when it is
 * among them, else to the tied value nearest the default, else the earlier one. Returns the point's
 * index, or n (rule NONE) when no point has a label or a finding. `rule` and `def` may be NULL.
 */
size_t fp_validate_sweep_best(const fp_validate_engine *e, fp_validate_best_rule *rule,
                              double *def);

/* One point of a power curve: one declared bottleneck of one scenario at one scale. */
typedef struct fp_validate_power_row {
    size_t scenario, source, g;
    double scale, magnitude; /* magnitude: mean effective magnitude over the labels */
    uint64_t found, total;
    fp_validate_rate recall;
} fp_validate_power_row;

/*
 * The power curve of kind `kind`: for each scale of `grid`, every scenario's runs with every
 * bottleneck injected and magnitudes scaled. Rows are grouped per (scenario, bottleneck), grid
 * order inside; scenarios without a bottleneck of that kind give no rows. FP_OK, FP_EINTR, a
 * run's error, or FP_EINVAL (before any run) when no scenario declares a bottleneck of `kind`:
 * "scenario 'NAME' declares no bottleneck of kind KIND" (one scenario) or "no scenario declares a
 * bottleneck of kind KIND".
 */
fp_status fp_validate_engine_power(fp_validate_engine *e, fp_kind kind, const double *grid,
                                   size_t n, fp_error *err);

/* The rows of the last power study (borrowed) and its kind. */
const fp_validate_power_row *fp_validate_engine_power_rows(const fp_validate_engine *e, size_t *n,
                                                           fp_kind *kind);

/*
 * The smallest grid scale of (scenario, source) from which the recall stays >= 0.9 up to the end
 * of the grid, and its magnitude in *mag; -1 (and *mag = 0) when none. `rows` as returned above.
 */
double fp_validate_power_mde(const fp_validate_power_row *rows, size_t n, size_t scenario,
                             size_t source, double *mag);

#endif /* FP_VALIDATE_H */
