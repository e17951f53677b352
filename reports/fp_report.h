/*
 * fp_report.h - the report: per-scenario summaries over runs, the detail of one run, the ground
 * truth beside the findings, and the cross-scenario comparison, written as text, JSON, Markdown
 * or CSV (formats in docs/output-formats.md); and every other document fpsim writes: the
 * validate accuracy report, threshold sweeps, power curves and compare's output. cli/ only picks
 * the writer and the format.
 *
 * Use: fp_report_new(), then for each scenario fp_report_begin_scenario() followed by one
 * fp_report_add_run() per run, then fp_report_write() (any number of times), fp_report_free().
 *
 * A report copies what it needs from each run and keeps nothing of the profile or analysis, so
 * they may be freed or reset right after fp_report_add_run(). Memory is bounded in the number of
 * runs: per scenario it keeps the full detail of its first run, and per metric a quantile
 * accumulator that is exact up to FP_REPORT_EXACT_RUNS values and a streaming P-square estimate
 * (Jain and Chlamtac, 1985) of the 5th, 50th and 95th percentiles beyond that. Aggregates over
 * runs are keyed by method name and by (kind, target name), so they grow with the number of
 * distinct methods, not with the number of runs.
 *
 * Output is a pure function of the inputs and options: no timestamps, no locale (numbers always
 * use '.'), no environment. Every number written is finite; a value that is not available is
 * written as "n/a" (text, Markdown), null (JSON) or an empty field (CSV).
 *
 * Ownership: fp_report_new() returns a new report (free with fp_report_free()); strings passed in
 * are copied. The report never touches a random generator.
 */
#ifndef FP_REPORT_H
#define FP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp_analysis.h"
#include "fp_compare.h"
#include "fp_core.h"
#include "fp_match.h"
#include "fp_profile.h"
#include "fp_validate.h"

/* Version of the report JSON structure (docs/output-formats.md, "Report JSON"; 3: the renames
 * listed there under "Changes in version 3"). */
#define FP_REPORT_SCHEMA_VERSION 3

/* Runs per scenario up to which medians and ranges are exact. */
#define FP_REPORT_EXACT_RUNS 512

typedef enum fp_report_format {
    FP_REPORT_TEXT = 0,
    FP_REPORT_JSON,
    FP_REPORT_MARKDOWN,
    FP_REPORT_CSV,
    FP_REPORT_HTML,
    FP_REPORT_OPENMETRICS /* the report and validate only; compare, sweep and power refuse it */
} fp_report_format;

/*
 * Looks a format up by name: "text", "json", "markdown" (also "md"), "csv", "html",
 * "openmetrics". FP_OK, or FP_EINVAL (unknown name; *out unchanged).
 */
fp_status fp_report_format_from_name(const char *name, fp_report_format *out);

/* Canonical name of a format ("text", "json", "markdown", "csv", "html", "openmetrics"); NULL
 * when out of range. */
const char *fp_report_format_name(fp_report_format f);

/* Report options. Plain value type; FP_REPORT_OPTIONS_INIT gives the defaults. */
typedef struct fp_report_options {
    fp_report_format format; /* used by fp_report_write() */
    int detailed;            /* 1: per-method table, critical path, findings, recommendations,
                                ground truth and the aggregates over runs */
    int colour;              /* 1: ANSI colours in the text format (the caller decides: terminal
                                and NO_COLOR unset); ignored by the other formats */
    const char *title;       /* optional first line/heading; NULL or "" for none (copied) */
    const fp_match_options *match; /* ground-truth matching tolerances; NULL for the defaults
                                      (copied) */
} fp_report_options;

#define FP_REPORT_OPTIONS_INIT                                                                     \
    {                                                                                              \
        FP_REPORT_TEXT, 0, 0, NULL, NULL                                                           \
    }

typedef struct fp_report fp_report;

/* New empty report; free with fp_report_free(). `o` may be NULL (defaults). NULL on ENOMEM. */
fp_report *fp_report_new(const fp_report_options *o);

/* Frees `r`. NULL is a no-op. */
void fp_report_free(fp_report *r);

/*
 * Starts a new scenario section; later runs are added to it. `scenario` is its display name,
 * `seed` the batch seed, `rng` the GSL generator name and `gsl_version` the GSL version (strings
 * may be NULL, meaning "", and are copied). Scenario names need not be unique. FP_OK or
 * FP_ENOMEM.
 */
fp_status fp_report_begin_scenario(fp_report *r, const char *scenario, uint64_t seed,
                                   const char *rng, const char *gsl_version, fp_error *err);

/*
 * Adds one run of the current scenario: `p` is the run's profile, `a` its analysis (from
 * fp_analyze(p)). The first run added to a scenario is kept in full for the detailed sections;
 * every run feeds the medians and ranges and the aggregates over runs. When the profile is
 * simulated (fp_profile_meta(p).simulated), its ground truth is matched to the findings
 * (fp_match_run()). Nothing of `p` or `a` is retained.
 * Errors: FP_EINVAL (no scenario begun), FP_EINTERNAL (a non-finite number in the analysis),
 * FP_ENOMEM. After an error the report stays valid; the failing run may be partly counted.
 */
fp_status fp_report_add_run(fp_report *r, const fp_profile *p, const fp_analysis *a, fp_error *err);

/*
 * Shards of the default command (docs/validation.md, "Shards and merge"): a run as one line of
 * JSON (no newline) carrying everything fp_report_add_run() adds up from it beyond a first run's
 * detail, after the numbers `pass` (the scenario's position) and the run's index. The ground
 * truth is matched with the report's options; `r` is not changed. FP_OK, FP_EIO (ferror(f)),
 * FP_ENOMEM. Nothing of `p` or `a` is retained.
 */
fp_status fp_report_write_run_line(const fp_report *r, FILE *f, uint64_t pass, const fp_profile *p,
                                   const fp_analysis *a, fp_error *err);

/* What fp_report_add_line() shows of each finding of the run (target borrowed for the call). */
typedef void (*fp_report_finding_fn)(void *ctx, size_t index, fp_kind kind, const char *target,
                                     fp_severity severity, double impact);

/*
 * Adds the run of a line written by fp_report_write_run_line() to the current scenario, exactly
 * as fp_report_add_run() added it: the same aggregates, in the order lines are added. A
 * scenario's first run must be added by fp_report_add_run() (its detail is not in the line).
 * The line must be of pass `pass` and run `run`; `each` (may be NULL; `ctx` its argument) sees
 * the run's findings first, in order. `line` is borrowed.
 * Errors: FP_EINVAL (no scenario, or its first run not added), FP_EPARSE (malformed, or of
 * another pass or run; err says which), FP_ENOMEM. After an error nothing of the line is added.
 */
fp_status fp_report_add_line(fp_report *r, const char *line, uint64_t pass, uint64_t run,
                             fp_report_finding_fn each, void *ctx, fp_error *err);

/*
 * A guard of a recorded run (`fpsim record --max-rss` ...), for the metrics export: its limit and
 * what its breaches were (the CLI sums fp_record_breaches() per guard). Plain value; strings
 * borrowed for the call (copied).
 */
typedef struct fp_report_guard {
    const char *name;      /* "max-rss", "max-time", "max-cpu" */
    const char *unit;      /* of limit and max_value: "bytes", "seconds" or "cores" */
    const char *action;    /* --on-breach: "warn", "term" or "kill" */
    double limit;          /* finite */
    size_t breaches;       /* times it was breached (0: never) */
    double first_breach_s; /* seconds from the start to the first breach (when breaches > 0) */
    double max_value;      /* the largest value measured at a breach (when breaches > 0) */
} fp_report_guard;

/*
 * Sets the guards of the current scenario (replacing any set before): the OpenMetrics writer
 * exports them (fpsim_guard_*, docs/output-formats.md); the other formats do not show them.
 * FP_OK, FP_EINVAL (no scenario begun, a NULL string or a non-finite number), FP_ENOMEM.
 */
fp_status fp_report_set_guards(fp_report *r, const fp_report_guard *g, size_t n, fp_error *err);

/* Number of scenarios begun so far. */
size_t fp_report_scenario_count(const fp_report *r);

/*
 * Writes the whole report to `out` in the format of the options. The stream is not flushed or
 * closed. FP_OK, FP_EIO (ferror(out) set after writing), FP_ENOMEM.
 */
fp_status fp_report_write(const fp_report *r, FILE *out, fp_error *err);

/* The writers behind fp_report_write(), callable directly with the same contract. */
fp_status fp_report_write_text(const fp_report *r, FILE *out, fp_error *err);
fp_status fp_report_write_json(const fp_report *r, FILE *out, fp_error *err);
fp_status fp_report_write_markdown(const fp_report *r, FILE *out, fp_error *err);
fp_status fp_report_write_csv(const fp_report *r, FILE *out, fp_error *err);
/* One self-contained HTML page (inline CSS and SVG, no script needed, no external asset): the
 * pictures of each scenario's detailed run (series timelines with the findings' and the ground
 * truth's windows, the icicle of the spans with the critical path, per-method times), the
 * comparison across scenarios, and the text report itself (docs/output-formats.md, "HTML"). */
fp_status fp_report_write_html(const fp_report *r, FILE *out, fp_error *err);
/* The Prometheus/OpenMetrics text exposition of the report (docs/output-formats.md,
 * "OpenMetrics"): per scenario the medians over its runs, the findings by kind and severity, the
 * per-method call durations as a summary, the guards; `# EOF` last. Accepted by
 * `promtool check metrics`, node_exporter's textfile collector and the Pushgateway. */
fp_status fp_report_write_openmetrics(const fp_report *r, FILE *out, fp_error *err);

/* ---- the other documents: validate, sweep, power, compare ----
 *
 * Each writes one document in `fmt` to `out` (not flushed or closed) from results it only reads
 * (borrowed for the call). Names are written the same way in every output: escaped in JSON (the
 * one escaper, profile/fp_escape.h), as data in CSV, with control bytes as spaces in text and
 * Markdown. Numbers are those of the documented formats (docs/validation.md, docs/compare.md).
 * FP_OK, or FP_EIO when ferror(out) is set afterwards. FP_REPORT_OPENMETRICS is a format of the
 * validate report only (precision and recall per kind, docs/output-formats.md): the sweep, power
 * and compare writers refuse it with FP_EINVAL, writing nothing.
 */

/* The accuracy report of `fpsim validate` after fp_validate_engine_run(e). */
fp_status fp_report_write_validate(FILE *out, fp_report_format fmt, const fp_validate_engine *e,
                                   fp_error *err);
/* The threshold sweep after fp_validate_engine_sweep(e). */
fp_status fp_report_write_sweep(FILE *out, fp_report_format fmt, const fp_validate_engine *e,
                                fp_error *err);
/* The power curve after fp_validate_engine_power(e). */
fp_status fp_report_write_power(FILE *out, fp_report_format fmt, const fp_validate_engine *e,
                                fp_error *err);

/* What one side of a comparison was, for the header. Plain value; `source` borrowed. */
typedef struct fp_report_compare_side {
    const char *source; /* the file, directory or scenario it was read or simulated from */
    int simulated;      /* 1: simulated here, with `seed` */
    uint64_t seed;
} fp_report_compare_side;

/* The comparison `c` (after fp_compare_finish()) of sides[0] (BASE) and sides[1] (NEW); `rng` is
 * the generator name of simulated sides (NULL: "mt19937"). */
fp_status fp_report_write_compare(FILE *out, fp_report_format fmt, const fp_compare *c,
                                  const fp_report_compare_side sides[2], const char *rng,
                                  fp_error *err);

/*
 * compare's --folded-diff: the differential folded stacks of `c` (fp_compare_stack_at()), one
 * line "frame;frame;leaf BEFORE AFTER" per call stack seen on either side, BEFORE / AFTER the
 * mean self time per run in whole microseconds (rounded), the format difffolded.pl writes and
 * flamegraph.pl reads for red/blue differential flame graphs. Lines sorted bytewise by stack;
 * frame names through the folded-stacks rule (fp_folded_char(): ';' becomes ':', whitespace and
 * control bytes '_'). FP_OK, FP_ENOMEM or FP_EIO.
 */
fp_status fp_report_write_compare_folded(FILE *out, const fp_compare *c, fp_error *err);

/* ---- the CI summaries (--summary FILE, $GITHUB_STEP_SUMMARY) ----
 *
 * A short Markdown block (a heading, a table, the gate's outcome) appended to a CI page. `gate`
 * is NULL when no gate was asked for, "" when it passed, else the one line saying why it fired
 * (as printed on stderr). FP_OK, or FP_EIO when ferror(out) is set afterwards.
 */
/* Per scenario: runs, score, findings and the top finding; the worst scenario marked. */
fp_status fp_report_write_summary(const fp_report *r, FILE *out, const char *gate, fp_error *err);
/* The run counts, the counts of regressions and improvements, and each of them. */
fp_status fp_report_write_compare_summary(FILE *out, const fp_compare *c,
                                          const fp_report_compare_side sides[2], const char *gate,
                                          fp_error *err);
/* The overall TP, FP, FN, precision, recall and F1. */
fp_status fp_report_write_validate_summary(FILE *out, const fp_validate_engine *e, const char *gate,
                                           fp_error *err);

#endif /* FP_REPORT_H */
