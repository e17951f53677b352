/*
 * fp_profile.h - the profile model every fpsim module speaks.
 *
 * A profile is one run of a flow: metadata, a method table, spans (one per call), resource series
 * sampled at a fixed interval, and (for simulated runs only) the ground truth of what was injected.
 * The simulator writes profiles, the JSON reader builds them from files, and the analysis reads
 * them. The analysis must never read the ground truth (it is there for validation only).
 *
 * Units: time in seconds from the start of the run; memory in MB (1 MB = 2^20 bytes, as in the
 * seed design); CPU in percent of the whole machine, in [0, 100]; I/O in operations and bytes.
 *
 * Invariants of a complete profile (checked by fp_profile_check()):
 *  - spans are stored in pre-order: a span's parent has a smaller index (or is -1 for a top-level
 *    span); spans with the same parent appear in start order;
 *  - every span lies inside its parent: parent.start <= start and end <= parent.end (to 1e-9 s);
 *  - all numbers are finite; durations, memory, I/O are >= 0; CPU values are in [0, 100];
 *  - duration = end of the last top-level span; a profile without spans lasts n * interval_s;
 *    the series' last interval may be partial: it ends with the run;
 *  - the four series have the same length n and sample k covers [k*interval, (k+1)*interval).
 *
 * Ownership: an fp_profile owns everything it points to. Pointers returned by accessors are
 * borrowed and valid until the next call that modifies the profile, fp_profile_reset() or
 * fp_profile_free(). A profile is not thread-safe; distinct profiles may be used from distinct
 * threads.
 */
#ifndef FP_PROFILE_H
#define FP_PROFILE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp_core.h"

/* Version of the profile JSON structure written by fp_profile_write_json(). */
#define FP_PROFILE_SCHEMA_VERSION 1

/* Target index meaning "the whole process" rather than one method. */
#define FP_TARGET_PROCESS (-1)

/* One call of one method. Plain value type. */
typedef struct fp_span {
    uint32_t method;        /* index into the profile's method table */
    int32_t parent;         /* index of the enclosing span, or -1 at top level */
    uint32_t track;         /* thread / track id; concurrent spans use distinct tracks */
    double start_s;         /* start, seconds from the beginning of the run */
    double dur_s;           /* inclusive duration (own work plus callees), seconds */
    double cpu_pct;         /* CPU % of the machine while this span does its own work */
    double mem_alloc_mb;    /* memory allocated by this call (own work), MB */
    double mem_retained_mb; /* part of mem_alloc_mb still held after the call ends, MB */
    double io_ops;          /* I/O operations issued by this call's own work */
    double io_bytes;        /* bytes read + written by this call's own work */
} fp_span;

/* Resource series, sampled every interval_s. Borrowed view into a profile. */
typedef struct fp_series {
    double interval_s;      /* sampling interval, seconds (> 0 when n > 0) */
    size_t n;               /* number of samples */
    const double *mem_mb;   /* process memory at the end of each interval, MB */
    const double *cpu_pct;  /* mean process CPU % over each interval, [0, 100] */
    const double *io_ops;   /* I/O operations completed in each interval */
    const double *io_bytes; /* bytes transferred in each interval */
} fp_series;

/*
 * How a kind's drawn magnitude is scaled by fp_sim_options.magnitude_scale (power sweeps):
 * a factor (>= 1, "x times as much") keeps 1 as "no effect" and scales its excess; an amount
 * (MB, MB/s, a CPU target %) is scaled as a whole. See fp_sim_effective_magnitude().
 */
typedef enum fp_magnitude_mode {
    FP_MAG_FACTOR = 0, /* effective = 1 + (m - 1) * scale */
    FP_MAG_AMOUNT      /* effective = m * scale */
} fp_magnitude_mode;

/*
 * The ground-truth number (fp_truth) that measures how big one injection of a kind was: validate
 * relates it to the run's matching total (duration, peak memory, one core over the run) to get
 * the injection's cost, with the analysis's definition (docs/analysis.md "Cost"); I/O costs
 * time (extra_s), as it does in the simulator. A new kind measured like an existing one needs no
 * new case there.
 */
typedef enum fp_truth_measure {
    FP_MEASURE_EXTRA_S = 0,       /* extra_s: time added */
    FP_MEASURE_EXTRA_MB_PER_CALL, /* extra_mb / affected_calls: MB added per affected call */
    FP_MEASURE_EXTRA_MB,          /* extra_mb: MB retained in total */
    FP_MEASURE_EXTRA_CPU_PCT_S    /* extra_cpu_pct_s: CPU percent-seconds (of one core) above
                                     the base */
} fp_truth_measure;

/* Kind-only scenario keys of a bottleneck (bit set in fp_kind_info.keys). */
#define FP_KIND_KEY_FRACTION 0x1u /* `fraction`: share of the calls affected */
#define FP_KIND_KEY_EPISODES 0x2u /* `episodes`, `episode_s`: only with target `process` */

/*
 * Every bottleneck kind, once, in fp_kind order. Everything per kind that is data rather than
 * behaviour comes from here: the enum, the names, the scenario loader's checks (process target,
 * magnitude range, kind-only keys), validate's magnitude labels and the schemas' kind enum
 * (checked by tests/unit/test_profile.c). Fields:
 *   X(ID, name, process_ok, time_based, mag_mode, mag_min, mag_max, mag_label, keys, measure)
 *   ID          suffix of the enum constant FP_KIND_<ID>
 *   name        the name in scenarios, profiles and reports
 *   process_ok  1 when `target: process` is allowed (else methods only)
 *   time_based  1 when its ground truth is a time window that matching must overlap
 *   mag_mode    FP_MAG_FACTOR or FP_MAG_AMOUNT (fp_magnitude_mode)
 *   mag_min/max closed range of the scenario's `magnitude` values
 *   mag_label   what the magnitude means, for reports ("factor", "MB per call", ...)
 *   keys        FP_KIND_KEY_* bits: kind-only scenario keys it accepts
 *   measure     FP_MEASURE_*: the ground-truth number that measures an injection's size
 * Adding a kind: one X() line here, then follow the compiler (-Wswitch) and docs/architecture.md.
 */
/* clang-format off */
#define FP_KIND_LIST(X) \
    X(SLOW_METHOD, "slow_method", 0, 0, FP_MAG_FACTOR, 1.0, HUGE_VAL, "factor", 0u, \
      FP_MEASURE_EXTRA_S) \
    X(LATENCY_OUTLIERS, "latency_outliers", 0, 0, FP_MAG_FACTOR, 1.0, HUGE_VAL, "factor", \
      FP_KIND_KEY_FRACTION, FP_MEASURE_EXTRA_S) \
    X(MEMORY_HOTSPOT, "memory_hotspot", 0, 0, FP_MAG_AMOUNT, 0.0, HUGE_VAL, "MB per call", 0u, \
      FP_MEASURE_EXTRA_MB_PER_CALL) \
    X(MEMORY_LEAK, "memory_leak", 1, 1, FP_MAG_AMOUNT, 0.0, HUGE_VAL, "MB/s or MB per call", 0u, \
      FP_MEASURE_EXTRA_MB) \
    X(CPU_SATURATION, "cpu_saturation", 1, 1, FP_MAG_AMOUNT, 0.0, 100.0, \
      "target CPU % x scale; the CPU rises min(scale, 1) of the way to the target", \
      FP_KIND_KEY_EPISODES, FP_MEASURE_EXTRA_CPU_PCT_S) \
    X(CALL_STORM, "call_storm", 0, 0, FP_MAG_FACTOR, 1.0, HUGE_VAL, "factor", 0u, \
      FP_MEASURE_EXTRA_S) \
    X(IO_HEAVY, "io_heavy", 0, 0, FP_MAG_FACTOR, 1.0, HUGE_VAL, "factor", 0u, \
      FP_MEASURE_EXTRA_S)
/* clang-format on */

/* Injected bottleneck kinds. Also the kinds of findings the analysis reports. */
typedef enum fp_kind {
#define FP_KIND_ENUM_(id, ...) FP_KIND_##id,
    FP_KIND_LIST(FP_KIND_ENUM_)
#undef FP_KIND_ENUM_
        FP_KIND_COUNT
} fp_kind;

/* One row of FP_KIND_LIST. Static data; fields as documented there. */
typedef struct fp_kind_info {
    fp_kind kind;
    const char *name;
    int process_ok;
    int time_based;
    fp_magnitude_mode mag_mode;
    double mag_min, mag_max;
    const char *mag_label;
    unsigned keys;
    fp_truth_measure measure;
} fp_kind_info;

/*
 * The description of `kind`, or NULL for an out-of-range kind. Borrowed static data, valid for
 * the life of the program and safe to read from any thread; never free it.
 */
const fp_kind_info *fp_kind_info_get(fp_kind kind);

/* "slow_method", ...; NULL for an out-of-range kind. Static string. */
const char *fp_kind_name(fp_kind kind);

/* Looks a kind up by name; returns FP_OK or FP_EINVAL. */
fp_status fp_kind_from_name(const char *name, fp_kind *out);

/*
 * Ground truth of one injected bottleneck occurrence in one run. Plain value type.
 * Every occurrence is recorded, including ones that overlap others; the extra costs of
 * overlapping injections on the same calls are attributed in declaration order (each records the
 * increment it added on top of the earlier ones), so they add up to the total change.
 */
typedef struct fp_truth {
    fp_kind kind;
    int32_t target;          /* method index, or FP_TARGET_PROCESS */
    uint32_t source;         /* index of the bottleneck in the scenario's list */
    double start_s;          /* onset: when the injection first took effect */
    double end_s;            /* when it stopped having effect (end of run if persistent) */
    double magnitude;        /* the drawn magnitude (factor, MB, MB/s, CPU %, ...) */
    uint32_t affected_calls; /* calls changed (0 for process-level injections) */
    double extra_s;          /* time added to the target's spans, seconds */
    double extra_mb;       /* MB added: allocated (hotspot, summed over calls) or retained (leak) */
    double extra_calls;    /* calls added (call_storm) */
    double extra_io_ops;   /* I/O operations added */
    double extra_io_bytes; /* I/O bytes added */
    double extra_cpu_pct_s; /* CPU percent-seconds added (cpu_saturation), % of one core:
                               100 = one core-second, whatever fp_meta.cores is */
} fp_truth;

/* Run metadata. Strings are owned by the profile. */
typedef struct fp_meta {
    const char *scenario;      /* scenario name, "" if unknown */
    uint64_t seed;             /* the seed the run was derived from */
    uint64_t run_index;        /* index of the run within its batch */
    const char *rng;           /* GSL generator name, "" if not simulated */
    const char *gsl_version;   /* GSL version used to simulate, "" if not simulated */
    const char *fpsim_version; /* fpsim version that produced the profile */
    const char *source;        /* "simulated", "fpsim-json", "chrome-trace", ... */
    int simulated;             /* 1 when ground truth is meaningful */
    uint32_t cores; /* CPU cores the process can use (>= 1; 1 when unknown): the series' CPU % is
                       of all of them, a span's cpu_pct of one (docs/simulation.md) */
} fp_meta;

typedef struct fp_profile fp_profile;

/* New empty profile; free with fp_profile_free(). Returns NULL on allocation failure. */
fp_profile *fp_profile_new(void);

/* Frees `p` and everything it owns. NULL is a no-op. */
void fp_profile_free(fp_profile *p);

/*
 * Empties `p` (methods, spans, series, truth, metadata) but keeps its allocations for reuse, so
 * that simulating many runs into one profile does not grow memory.
 */
void fp_profile_reset(fp_profile *p);

/* ---- metadata ---- */

/* Borrowed view of the metadata; strings are valid until the next modification. */
fp_meta fp_profile_meta(const fp_profile *p);

/* Copies the strings (any may be NULL, meaning ""). FP_OK or FP_ENOMEM. */
fp_status fp_profile_set_meta(fp_profile *p, const char *scenario, uint64_t seed,
                              uint64_t run_index, const char *rng, const char *gsl_version,
                              const char *source, int simulated);

/*
 * Sets the cores the process can use (fp_meta.cores; fp_profile_reset() sets 1, and
 * fp_profile_set_meta() leaves it unchanged). FP_OK, or FP_EINVAL when cores is 0.
 */
fp_status fp_profile_set_cores(fp_profile *p, uint32_t cores);

/* ---- methods ---- */

/* Number of methods in the method table. */
size_t fp_profile_method_count(const fp_profile *p);

/* Name of method `i` (borrowed), or NULL if out of range. */
const char *fp_profile_method_name(const fp_profile *p, size_t i);

/*
 * Returns the index of method `name`, adding it if needed (the name is copied).
 * FP_OK or FP_ENOMEM. Lookup is linear in the number of methods for short tables and hashed for
 * long ones; adding does not invalidate span indices.
 */
fp_status fp_profile_intern_method(fp_profile *p, const char *name, uint32_t *out);

/* Index of method `name`, or -1 if absent. */
int32_t fp_profile_find_method(const fp_profile *p, const char *name);

/*
 * Method flags (FP_METHOD_*), set by readers of real traces. FP_METHOD_CONTAINER marks a tracer's
 * scheduler wrapper (Node's RunTimers, Chromium's RunTask, ...): its time belongs to the user code
 * running inside it, so the analysis runs no per-method detector on it (docs/real-traces.md).
 * Methods have no flags until set; fp_profile_reset() clears them.
 */
#define FP_METHOD_CONTAINER 0x1u

/* Sets the flags of method `m` (< fp_profile_method_count()). FP_OK, FP_EINVAL or FP_ENOMEM. */
fp_status fp_profile_set_method_flags(fp_profile *p, uint32_t m, unsigned flags);

/* Flags of method `m`; 0 when none were set or `m` is out of range. */
unsigned fp_profile_method_flags(const fp_profile *p, size_t m);

/* ---- spans ---- */

/* Number of spans. */
size_t fp_profile_span_count(const fp_profile *p);

/* The span array (borrowed, fp_profile_span_count() elements); NULL when empty. */
const fp_span *fp_profile_spans(const fp_profile *p);

/* Mutable access for builders (borrowed; invalidated by fp_profile_add_span()). */
fp_span *fp_profile_spans_mut(fp_profile *p);

/* Appends a copy of `s`; stores its index in *out (may be NULL). FP_OK or FP_ENOMEM. */
fp_status fp_profile_add_span(fp_profile *p, const fp_span *s, size_t *out);

/* Makes room for `n` spans in all, exactly (so that a builder that knows its count does not pay
 * for doubling, nor for the copy the doubling makes). FP_OK or FP_ENOMEM (nothing changed). */
fp_status fp_profile_reserve_spans(fp_profile *p, size_t n);

/* ---- series ---- */

/* Borrowed view of the series (n == 0 when the profile has none). */
fp_series fp_profile_series(const fp_profile *p);

/*
 * Sizes the four series to `n` samples at `interval_s`, all zero, and returns mutable pointers
 * through the out parameters (any may be NULL). FP_OK, FP_EINVAL (interval <= 0 with n > 0) or
 * FP_ENOMEM.
 */
fp_status fp_profile_series_resize(fp_profile *p, size_t n, double interval_s, double **mem_mb,
                                   double **cpu_pct, double **io_ops, double **io_bytes);

/*
 * Which resource data the profile really has (FP_DATA_* bits). Simulated and fpsim JSON
 * profiles have all of it (the default after fp_profile_reset()); a Chrome trace without memory
 * samples (counters, V8 heap sizes) or CPU samples clears the bit, and the series then hold zeros
 * that mean "unknown", not "none": detectors needing the data do not run, reports print "n/a".
 */
#define FP_DATA_MEM 0x1u
#define FP_DATA_CPU 0x2u
/* Where it is: the series' mem_mb (cpu_pct) column holds measured memory (CPU). Without the bit
 * the column is zeros that mean "not in the series", and the analysis takes that resource from
 * the spans (FP_DATA_MEM / FP_DATA_CPU still say whether the spans carry it): a Node.js or
 * Chromium trace has a heap series but its CPU, when any, is the spans' thread time. */
#define FP_DATA_SERIES_MEM 0x4u
#define FP_DATA_SERIES_CPU 0x8u
#define FP_DATA_ALL (FP_DATA_MEM | FP_DATA_CPU | FP_DATA_SERIES_MEM | FP_DATA_SERIES_CPU)

/* Sets the present bits (others are ignored). */
void fp_profile_set_data(fp_profile *p, unsigned present);

/* The present bits. */
unsigned fp_profile_data(const fp_profile *p);

/* ---- markers (instant events of a trace; the analysis does not use them) ---- */

/*
 * A point in time the input marked (a Chrome trace's i / I / n instant: "navigationStart",
 * "loopExit", ...), for reading a report against the timeline. `track` is the span track of
 * the thread that wrote it, or FP_MARKER_NO_TRACK (a process- or global-scoped instant, or a
 * thread without spans). Simulated and fpsim JSON profiles have none.
 */
#define FP_MARKER_NO_TRACK UINT32_MAX

/* Appends a marker: `name` is copied, `ts_s` seconds from the profile's time 0 (negative when
 * the instant came before the first span or sample). FP_OK, FP_EINVAL (NULL name or a time
 * that is not finite; nothing added) or FP_ENOMEM (nothing added). */
fp_status fp_profile_add_marker(fp_profile *p, const char *name, double ts_s, uint32_t track);

/* Markers in the order they were added (a trace's: in time order, then file order). */
size_t fp_profile_marker_count(const fp_profile *p);

/* Marker i (< fp_profile_marker_count()): its name (owned by the profile, valid until the next
 * fp_profile_add_marker(), fp_profile_reset() or fp_profile_free()); *ts_s and *track when not
 * NULL. NULL when i is out of range. */
const char *fp_profile_marker(const fp_profile *p, size_t i, double *ts_s, uint32_t *track);

/* ---- run events (what happened to the measurement itself; the analysis does not use them) ---- */

/*
 * A run event says something about how the run was measured rather than what the program did:
 * `fpsim record`'s guard breaches (a limit crossed, and what was done about it) and sampling
 * gaps (ticks the sampler missed, so the series there are not measured but carried over).
 * Simulated profiles and traces have none. Written in the profile JSON as the optional
 * "events" array (docs/output-formats.md) and shown by every report.
 */
typedef enum fp_event_kind {
    FP_EVENT_GUARD_BREACH = 0, /* a guard's limit was crossed at start_s */
    FP_EVENT_SAMPLING_GAP,     /* no sample in [start_s, end_s] */
    FP_EVENT_KIND_COUNT
} fp_event_kind;

/* One run event. Plain value; as returned by fp_profile_event() its strings are borrowed from
 * the profile (valid until the next fp_profile_add_event(), fp_profile_reset() or
 * fp_profile_free()). Fields that do not apply to the kind are 0 or "". */
typedef struct fp_run_event {
    fp_event_kind kind;
    double start_s;     /* breach: when it was seen; gap: the last sample before it */
    double end_s;       /* gap: the first sample after it (>= start_s); breach: start_s */
    const char *guard;  /* breach: the guard's name ("max-rss", "max-time", "max-cpu") */
    double value;       /* breach: the measured value, in `unit` */
    double limit;       /* breach: the limit it crossed, in `unit` */
    const char *unit;   /* breach: "MB", "s", "cores", ... */
    const char *action; /* breach: what was done ("warn", "term", "kill") */
    uint64_t missed;    /* gap: sampling ticks missed */
} fp_run_event;

/* Largest fp_run_event.missed (2^53: it is a JSON number, read back exactly). */
#define FP_EVENT_MAX_MISSED UINT64_C(9007199254740992)

/* "guard_breach", "sampling_gap"; NULL when out of range. Static string. */
const char *fp_event_kind_name(fp_event_kind kind);

/*
 * Appends a copy of `e` (its strings are copied; NULL strings are stored as ""). A breach's
 * end_s is stored as its start_s, and a gap's guard, value, limit, unit and action as 0 and "".
 * FP_OK, FP_EINVAL (kind out of range, a number that is not finite, a gap ending before it
 * starts or missing more than FP_EVENT_MAX_MISSED ticks, a breach without a guard name;
 * nothing added) or FP_ENOMEM (nothing added).
 */
fp_status fp_profile_add_event(fp_profile *p, const fp_run_event *e);

/* Events in the order they were added (a recording's: breaches in time order, then gaps). */
size_t fp_profile_event_count(const fp_profile *p);

/* Event i (< fp_profile_event_count()) into *out, strings borrowed as said at fp_run_event.
 * Returns 1, or 0 (and *out untouched) when i is out of range. */
int fp_profile_event(const fp_profile *p, size_t i, fp_run_event *out);

/* ---- ground truth (simulated runs only; the analysis never calls these) ---- */

size_t fp_profile_truth_count(const fp_profile *p);
const fp_truth *fp_profile_truth(const fp_profile *p);
fp_status fp_profile_add_truth(fp_profile *p, const fp_truth *t);

/* ---- derived values and checks ---- */

/* Run duration: end of the last top-level span; without spans, series length * interval. */
double fp_profile_duration(const fp_profile *p);

/*
 * Checks every invariant listed at the top of this file. FP_OK, or FP_EINVAL with a message
 * naming the first violation (span index, field) in `err`.
 */
fp_status fp_profile_check(const fp_profile *p, fp_error *err);

/* ---- JSON (profile/fp_profile_json.c; format in docs/output-formats.md) ---- */

/*
 * Writes `p` as one JSON object (no trailing newline) to `out`: metadata, method table, spans,
 * series and, when `include_truth` is non-zero, the ground truth. Every double is printed with
 * "%.17g" by fpsim itself (cJSON 1.7.15 prints some values lossily and NaN/Inf as null); the
 * invariants guarantee all values are finite, and a non-finite value is reported as FP_EINVAL
 * rather than written. `indent` is the indentation level of the object (0 = top level); output
 * uses 2 spaces per level, one span / truth record per line. FP_OK, FP_EINVAL or FP_EIO.
 */
fp_status fp_profile_write_json(const fp_profile *p, int include_truth, int indent, FILE *out,
                                fp_error *err);

/*
 * Reads a profile JSON document from `text` (`len` bytes, need not be NUL-terminated) into
 * `out` (which is reset first). The document is either one profile object as written by
 * fp_profile_write_json() or a runs document {"fpsim_runs": ..., "runs": [profile, ...]}, in
 * which case run number `run` (0-based) is read. `file` names the input in errors. Errors carry
 * the JSON path (e.g. "spans.rows[12][4]") in err->key_path; on any error `out` is left empty
 * (reset). FP_OK, FP_EPARSE (malformed JSON),
 * FP_EINVAL (wrong type, missing field, invariant violated), FP_ELIMIT (too deep or too large),
 * FP_ERANGE (run index out of range) or FP_ENOMEM.
 */
fp_status fp_profile_read_json(fp_profile *out, const char *text, size_t len, size_t run,
                               const char *file, fp_error *err);

/*
 * Number of profiles in a JSON document (1 for a single profile object). Same errors.
 * fp_profile_read_json() and this function parse the whole document on every call: to read every
 * run of a runs document, use the input reader (fp_input_open() in fp_formats.h), which parses
 * each file once.
 */
fp_status fp_profile_json_count(const char *text, size_t len, const char *file, size_t *count,
                                fp_error *err);

/*
 * The runs document writer ("fpsim simulate --format json"; read back by fp_profile_read_json()
 * and fp_input_next()): {"fpsim_runs": 1, "fpsim_version": ..., "gsl_version": ..., "rng": ...,
 * "runs": [profile, ...]} with every profile written by fp_profile_write_json() with its truth,
 * indent 1, one per line group. Plain value type; the caller owns `out` (never flushed or
 * closed here). Usage: begin, one add per run, end. Each returns FP_OK, FP_EINVAL (a value that
 * cannot be written) or FP_EIO (the stream is in error).
 */
typedef struct fp_runs_writer {
    FILE *out;
    size_t runs; /* runs written so far */
} fp_runs_writer;

/* Writes the header. `gsl_version` and `rng` are recorded as given (borrowed). */
fp_status fp_runs_write_begin(fp_runs_writer *w, FILE *out, const char *gsl_version,
                              const char *rng, fp_error *err);

/* Writes one run (borrowed). */
fp_status fp_runs_write_run(fp_runs_writer *w, const fp_profile *p, fp_error *err);

/* Closes the runs array and the document (ends with a newline). */
fp_status fp_runs_write_end(fp_runs_writer *w, fp_error *err);

#endif /* FP_PROFILE_H */
