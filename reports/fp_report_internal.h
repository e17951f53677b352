/*
 * fp_report_internal.h - private pieces of the reports module: quantile accumulators, the
 * per-scenario state kept by fp_report_add_run(), the table model shared by the text and
 * Markdown writers, and number formatting. Never included outside reports/.
 */
#ifndef FP_REPORT_INTERNAL_H
#define FP_REPORT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp_report.h"

/* ---- quantile accumulator (fp_quant.c) ---- */

/* The quantiles every accumulator tracks: index 0 = 5 %, 1 = median, 2 = 95 %. */
#define FP_Q_P5 0
#define FP_Q_MED 1
#define FP_Q_P95 2

/*
 * Invariant: while n <= FP_REPORT_EXACT_RUNS, `buf` holds all n values sorted ascending and
 * streaming == 0; after that, buf is freed, streaming == 1 and the P-square markers (heights q,
 * positions pos, desired positions want) estimate the three quantiles. All values are finite.
 */
typedef struct fp_qacc {
    size_t n;
    double *buf;
    size_t cap;
    int streaming;
    double q[3][5], pos[3][5], want[3][5];
} fp_qacc;

void fp_qacc_init(fp_qacc *a);
void fp_qacc_cleanup(fp_qacc *a);
/* Adds finite `x`. FP_OK or FP_ENOMEM (a unchanged). */
fp_status fp_qacc_add(fp_qacc *a, double x);
/* Quantile FP_Q_P5 / FP_Q_MED / FP_Q_P95; 0 when empty. Exact: linear interpolation between
 * order statistics at (n - 1) * p (as gsl_stats_quantile_from_sorted_data). */
double fp_qacc_get(const fp_qacc *a, int which);

/* ---- string -> index map (fp_quant.c) ---- */

typedef struct fp_smap {
    fp_strmap map; /* key -> position in keys/vals */
    size_t n, keys_cap, vals_cap;
    char **keys; /* owned, in insertion order */
    size_t *vals;
} fp_smap;

void fp_smap_init(fp_smap *m);
void fp_smap_cleanup(fp_smap *m);
/* Index stored for `key`, or (size_t)-1. */
size_t fp_smap_get(const fp_smap *m, const char *key);
/* Stores key -> val (key copied; replaces). FP_OK or FP_ENOMEM. */
fp_status fp_smap_put(fp_smap *m, const char *key, size_t val);

/* ---- per-scenario state (fp_report.c) ---- */

enum {
    FP_S_DURATION = 0,
    FP_S_PEAK_MEM,
    FP_S_AVG_MEM,
    FP_S_AVG_CPU,
    FP_S_PEAK_CPU,
    FP_S_IO_OPS,
    FP_S_IO_MB,
    FP_S_SCORE,
    FP_S_F_CRITICAL,
    FP_S_F_HIGH,
    FP_S_F_MEDIUM,
    FP_S_F_LOW,
    FP_S_F_TOTAL,
    FP_S_COUNT
};

/* Static description of a summary metric. */
typedef struct fp_sum_info {
    const char *key;   /* JSON / CSV key ("duration_s") */
    const char *label; /* text label ("Duration") */
    const char *unit;  /* "s", "MB", "%", "ops", "", ... */
    int decimals;      /* text precision */
} fp_sum_info;

extern const fp_sum_info fp_sum_infos[FP_S_COUNT];

/* Per-method statistics kept over runs (medians). */
enum {
    FP_M_CALLS = 0,
    FP_M_TOTAL,
    FP_M_MEAN,
    FP_M_P50,
    FP_M_P95,
    FP_M_P99,
    FP_M_MEM,
    FP_M_CPU,
    FP_M_SHARE,
    FP_M_COUNT
};

typedef struct fp_magg {
    const char *name; /* in the scenario's string pool */
    size_t runs;      /* runs in which the method was called */
    fp_qacc q[FP_M_COUNT];
} fp_magg;

typedef struct fp_fagg {
    fp_kind kind;
    const char *target; /* method name or "process" */
    size_t runs;        /* runs with at least one such finding */
    size_t false_runs;  /* runs where none of them matched the truth (simulated runs only) */
    fp_severity worst;
    fp_qacc impact;   /* largest impact per run */
    fp_qacc cost;     /* largest cost per run (share of the run's resource, in [0, 1]) */
    const char *unit; /* the resource of that cost: "s", "core-s" or "MB" (static) */
} fp_fagg;

typedef struct fp_tagg {
    fp_kind kind;
    const char *target;
    size_t records, found, missed, unobservable;
} fp_tagg;

/* A marker of the run shown in detail (fp_profile_marker()). */
typedef struct fp_report_marker {
    const char *name; /* in the scenario's string pool */
    double ts_s;
    uint32_t track; /* FP_MARKER_NO_TRACK: none */
} fp_report_marker;

/* Markers kept per detail (JSON lists these; the text report the first FP_REPORT_TEXT_MARKERS). */
#define FP_REPORT_MAX_MARKERS 1000
#define FP_REPORT_TEXT_MARKERS 20

/* Run events kept per detail (fp_profile_event(): fpsim record's guard breaches and sampling
 * gaps; every format lists those kept, the text the first FP_REPORT_TEXT_EVENTS of each kind). */
#define FP_REPORT_MAX_EVENTS 1000
#define FP_REPORT_TEXT_EVENTS 20

/* The full detail of one run. Strings point into the scenario's string pool or are static. */
typedef struct fp_detail {
    uint64_t run_index;
    int simulated;
    fp_run_metrics run;
    double score;
    fp_score_status status;
    fp_method_metrics *methods; /* sorted by total (desc), name */
    size_t n_methods;
    fp_path_entry *path;
    size_t n_path;
    fp_finding *findings;
    size_t n_findings;
    fp_recommendation *recs;
    size_t n_recs;
    fp_known_hotspot *known; /* budget breaches normal for the flow (--baseline) */
    size_t n_known;
    uint64_t baseline_runs; /* 0: analysed without a baseline */
    fp_truth *truth;
    const char **truth_target; /* n_truth names */
    size_t n_truth;
    fp_match_result match;
    fp_report_marker *markers; /* the first min(n_markers_total, FP_REPORT_MAX_MARKERS) */
    size_t n_markers, n_markers_total;
    fp_run_event *events; /* the first min(n_events_total, FP_REPORT_MAX_EVENTS) run events */
    size_t n_events, n_events_total;
    struct fp_pics *pics; /* what the pictures need (HTML, sparklines); NULL when not kept */
} fp_detail;

typedef struct fp_scn {
    char *name, *rng, *gsl;
    uint64_t seed;
    size_t runs;
    size_t simulated_runs;
    fp_qacc sum[FP_S_COUNT];
    size_t na_runs[FP_S_COUNT]; /* runs whose value k is unknown (no data in the input): n/a */
    unsigned not_run;           /* fp_analysis_not_run() of the runs, OR-ed */
    uint64_t kind_sev[FP_KIND_COUNT][FP_SEV_CRITICAL + 1]; /* findings over the runs, by kind
                                                              and severity (consequences too) */
    fp_report_guard *guards; /* fp_report_set_guards(); strings in the pool */
    size_t n_guards;
    size_t t_found, t_missed, t_unobservable, f_true, f_false;
    int has_detail;
    fp_detail d;
    fp_magg *maggs;
    size_t n_maggs, cap_maggs;
    fp_smap mmap;
    fp_fagg *faggs;
    size_t n_faggs, cap_faggs;
    fp_smap fmap;
    fp_tagg *taggs;
    size_t n_taggs, cap_taggs;
    fp_smap tmap;
    char **pool; /* owned strings */
    size_t n_pool, cap_pool;
} fp_scn;

struct fp_report {
    fp_report_options opt; /* title and match point into this struct's copies */
    char *title;
    fp_match_options match;
    fp_scn **scns;
    size_t n_scns, cap_scns;
};

/* ---- formatting helpers (fp_report_fmt.c) ---- */

/* Fixed-point with `dec` decimals ("%.4g" when that does not fit in `size`); "n/a" when not
 * finite; never "-0". Returns buf. */
const char *fp_fmt_fixed(char *buf, size_t size, double v, int dec);
/* Shortest "%.Ng" that reads back exactly (round trip); "null"-free: caller checks finiteness. */
const char *fp_fmt_exact(char *buf, size_t size, double v);
/* "%.17g" (every digit, as the compare, sweep and power documents write their numbers; their
 * bytes differ from fp_fmt_exact's) when `v` is finite, else `nonfinite` ("null" in JSON, "" in
 * CSV). Returns buf or nonfinite. */
const char *fp_fmt_g17(char *buf, size_t size, double v, const char *nonfinite);
/* Integer-valued doubles without decimals, others with one decimal (for median counts). */
const char *fp_fmt_count(char *buf, size_t size, double v);

/*
 * A duration in seconds in the unit that fits, for text and Markdown (JSON and CSV keep exact
 * seconds): the largest of s, ms, \u00b5s (UTF-8 micro sign), ns in which the value rounded to
 * 3 significant digits is at least 1, with 3 significant digits ("1.50 s", "12.3 ms", "250 ns";
 * from 1000 s on, all integer digits: "1234 s", never an exponent); "0 s" for 0; "n/a" when not
 * finite. Switching units at 1000: 999.96 ms is "1.00 s". Returns buf.
 */
const char *fp_fmt_duration(char *buf, size_t size, double seconds);
/* A measured value followed by its unit: fp_fmt_duration when unit is "s"; else integers as
 * integers, |v| >= 1e4 without decimals, others "%.4g"; then " unit" (nothing for ""). */
const char *fp_fmt_measure(char *buf, size_t size, double v, const char *unit);

/* Sorted views used by every writer (arrays of indices; free with fp_free). */
size_t *fp_report_sorted_maggs(const fp_scn *s);
size_t *fp_report_sorted_faggs(const fp_scn *s);
size_t *fp_report_sorted_taggs(const fp_scn *s);

/* Geometric mean of the medians of summary metric `k` over all scenarios with runs; returns 0
 * and sets *ok = 0 when any is <= 0 or none has runs. */
double fp_report_geomean(const fp_report *r, int k, int *ok);

/* Index of the best (or worst) scenario by summary metric k's median; (size_t)-1 when none.
 * `highest` selects the maximum; ties go to the earlier scenario. */
size_t fp_report_pick(const fp_report *r, int k, int highest);
/* Why scenario s scores as it does: its top finding (in the most runs, then the costliest) and
 * its median cost, written into buf ("slow_method on 'x' costs 41.0 % of the run's time"), or
 * "no findings". Returns buf. */
const char *fp_report_score_why(const fp_scn *s, char *buf, size_t size);

/* ---- string values (fp_report_str.c): one helper per format, used by every writer ---- */

/* Text: control bytes as spaces. _pad adds spaces up to `width` display columns. */
void fp_put_text(FILE *f, const char *s);
void fp_put_text_pad(FILE *f, const char *s, size_t width);
/* Markdown: control bytes as spaces, | \ ` * _ < > escaped. */
void fp_put_md(FILE *f, const char *s);
/* Whether Markdown text needs a backslash before s[0] (`s` inside a NUL-terminated string):
 * | \ ` * > always, < before a letter, '/', '!' or '?'. The one rule for every Markdown writer. */
int fp_md_escape_at(const char *s);
/* JSON: the one escaper (profile/fp_escape.h), with the quotes. */
void fp_put_json(FILE *f, const char *s);
/* The `format_version` column of every CSV row fpsim writes (docs/output-formats.md, "CSV"), one
 * per output. Version 2 gave all of them one tidy shape (issue 11; version 1 was the long form
 * for the report and no table column); since then each is bumped on its own when its columns or
 * the keys in them change, so a script over an output that did not change keeps working: 3 for
 * the report (critical_path's `seconds` is `path_s`) and compare (`peak_mem_mb` is
 * `peak_memory_mb`), validate's still 2. */
#define FP_CSV_REPORT_VERSION 3
#define FP_CSV_COMPARE_VERSION 3
#define FP_CSV_VALIDATE_VERSION 2
/* The `fpsim_compare` version of `fpsim compare --format json` (2: the run-level metric
 * `peak_mem_mb` is `peak_memory_mb`, as in the report). */
#define FP_COMPARE_JSON_VERSION 2
/* CSV: an RFC 4180 field, quoted (with "" for ") when fp_csv_needs_quotes(s). */
void fp_put_csv(FILE *f, const char *s);
/* The one CSV quoting rule of every writer: a comma, quote, CR or LF, or a leading or trailing
 * space (which some readers strip). */
int fp_csv_needs_quotes(const char *s);
/* The one control-byte rule (C0 and DEL) of every writer. */
int fp_is_control(unsigned char c);
/* HTML (and XML: SVG, attributes): & < > " ' as entities, control bytes as spaces. */
void fp_put_html(FILE *f, const char *s);
/* An OpenMetrics / Prometheus label value, without its quotes: \\ \" and \n escaped (the
 * exposition formats' three escapes), other control bytes as spaces, bytes of invalid UTF-8 as
 * U+FFFD (a parser refuses a label value that is not UTF-8). */
void fp_put_om(FILE *f, const char *s);
/*
 * The metadata a document records, filled in one place for every document and format: fpsim's
 * version, the GSL version built against and the generator's name (`rng` NULL: the default,
 * "mt19937"). Static or borrowed strings.
 */
typedef struct fp_report_meta {
    const char *fpsim_version;
    const char *gsl_version;
    const char *rng;
} fp_report_meta;
fp_report_meta fp_report_meta_get(const char *rng);

/* FP_EIO when ferror(f), else FP_OK: the end of every writer. */
fp_status fp_report_finish(FILE *f, fp_error *err);

/* ---- table model (fp_report_table.c) ---- */

typedef enum fp_style {
    FP_STYLE_NONE = 0,
    FP_STYLE_BOLD,
    FP_STYLE_RED,
    FP_STYLE_YELLOW,
    FP_STYLE_GREEN,
    FP_STYLE_DIM
} fp_style;

/* A table: ncol columns, cells appended row-major. Errors are sticky in `st`. */
typedef struct fp_tab {
    size_t ncol;
    const char *const *head; /* static */
    const char *align;       /* ncol chars: 'l' or 'r' */
    char **cells;
    unsigned char *style;
    size_t n, cap; /* cells */
    fp_status st;
} fp_tab;

void fp_tab_init(fp_tab *t, size_t ncol, const char *const *head, const char *align);
void fp_tab_cleanup(fp_tab *t);
void fp_tab_cell(fp_tab *t, fp_style style, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Text documents fit in FP_TEXT_WIDTH columns: prose (lines, items, sublines) is wrapped at
 * spaces, and a table cell wider than FP_TEXT_CELL_MAX columns is shortened in the middle
 * (fp_utf8_shorten) with its full text listed under the table. Markdown is left whole.
 */
#define FP_TEXT_WIDTH 100
#define FP_TEXT_CELL_MAX 32

/* A document sink rendering as text (optionally coloured) or Markdown. Errors are sticky. */
typedef struct fp_doc {
    FILE *out;
    int markdown;
    int colour;
    fp_status st;
} fp_doc;

void fp_doc_heading(fp_doc *d, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* One line of prose (Markdown: a paragraph line; `|` and leading specials are escaped). */
void fp_doc_line(fp_doc *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A list item (text: "  - " prefix; Markdown: "- "). */
void fp_doc_item(fp_doc *d, fp_style style, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A continuation line of the previous list item (indented under it). */
void fp_doc_subline(fp_doc *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void fp_doc_blank(fp_doc *d);
void fp_doc_table(fp_doc *d, const fp_tab *t);

/* ---- display width (fp_report_width.c): fpsim's own East Asian Width and combining tables,
 * the same whatever the locale ---- */

/* Columns code point `c` takes in a terminal: 0 (combining, zero width), 1, or 2 (wide). */
int fp_cp_width(uint32_t c);
/* Decodes the UTF-8 sequence at `s` (not at its end) into *cp; returns its length. A byte that
 * does not start a valid sequence is one U+FFFD of length 1. */
size_t fp_utf8_next(const char *s, uint32_t *cp);
/* Display width of UTF-8 text (columns; invalid bytes count 1). */
size_t fp_utf8_width(const char *s);
/* `s` shortened in the middle to at most `max` columns ("head...tail", never splitting a
 * character or separating a combining mark from its base) into buf; `s` as is when it fits or
 * when max < 5. Returns buf. */
const char *fp_utf8_shorten(char *buf, size_t size, const char *s, size_t max);

/* ---- pictures (fp_report_pics.c): what the HTML charts and the text sparklines draw ---- */

#define FP_PICS_COLS 300   /* columns a series is reduced to (min and max per column) */
#define FP_PICS_NODES 2000 /* icicle nodes kept (the widest first) */
#define FP_PICS_DEPTH 24   /* icicle depth kept */

enum { FP_PICS_MEM = 0, FP_PICS_CPU, FP_PICS_IO, FP_PICS_SERIES };

/* One node of the icicle: a call stack path, merged over the run's spans. */
typedef struct fp_pics_node {
    const char *name; /* in the scenario's string pool */
    int32_t parent;   /* node index, -1 at the root level */
    uint32_t depth;
    double x, w; /* left edge and width, seconds of inclusive time (parent-relative layout) */
    double secs; /* inclusive seconds of its spans (w is scaled to fit inside the parent) */
    double crit; /* share of secs on the critical path, [0, 1] */
} fp_pics_node;

/* The series of one run, min/max per column over the run's time, and its spans' icicle. */
typedef struct fp_pics {
    double t_end; /* time axis end, seconds (> 0 when cols > 0) */
    size_t cols;  /* columns of the series (0: no series) */
    int banded;   /* 1: a column holds several samples (a min-max band); 0: one sample each */
    int has[FP_PICS_SERIES];
    double mn[FP_PICS_SERIES][FP_PICS_COLS], mx[FP_PICS_SERIES][FP_PICS_COLS];
    fp_pics_node *nodes; /* in layout order: a parent before its children */
    size_t n_nodes;
    double root_w; /* total width of the root level, seconds */
} fp_pics;

/* Builds the pictures of run `p` analysed as `a`; names go into `keep(ctx, name)` (a pool copy,
 * NULL on ENOMEM). New (fp_pics_free), NULL on ENOMEM. */
fp_pics *fp_pics_new(const fp_profile *p, const fp_analysis *a,
                     const char *(*keep)(void *ctx, const char *name), void *ctx);
void fp_pics_free(fp_pics *pc);
/* A sparkline of series `k` in `width` cells (UTF-8 blocks, max per cell) into buf; "" when the
 * series is absent. Returns buf. */
const char *fp_pics_spark(const fp_pics *pc, int k, size_t width, char *buf, size_t size);

/* ---- HTML (fp_report_html.c): the other documents; the report is fp_report_write_html ---- */

void fp_html_validate(FILE *f, const fp_validate_engine *e);
void fp_html_sweep(FILE *f, const fp_validate_engine *e);
void fp_html_power(FILE *f, const fp_validate_engine *e);
void fp_html_compare(FILE *f, const fp_compare *c, const fp_report_compare_side sides[2],
                     const char *rng);

/* ---- one run as the report adds it up (fp_report_rec.c) ---- */

/*
 * What fp_report_add_run() adds to a scenario's aggregates from one run (everything but the
 * detail and pictures of a first run): built from a run (fp_rec_from_run, strings borrowed from
 * the run) or read from a shard's record line (fp_rec_parse, strings owned by the record), and
 * added by fp_scn_add_rec() (fp_report.c). The line carries exactly these fields, so a merge adds
 * up the same numbers in the same order as the one-process run (docs/validation.md, "Shards and
 * merge"). fp_rec_cleanup frees what the record owns (arrays, and strings when parsed).
 */
typedef struct fp_rec_method {
    const char *name;
    double v[FP_M_COUNT];
} fp_rec_method;

typedef struct fp_rec_finding {
    fp_kind kind;
    const char *target;
    double impact, cost;
    fp_severity severity;
    int consequence; /* caused_by > 0 */
    int matched;     /* simulated runs: matched a ground-truth record */
    int resource;    /* index of the cost's resource (fp_rec_resource_name) */
} fp_rec_finding;

typedef struct fp_rec_truth {
    fp_kind kind;
    const char *target;
    fp_truth_outcome outcome;
} fp_rec_truth;

typedef struct fp_rec {
    double v[FP_S_COUNT];
    int mem_na, cpu_na; /* no memory / CPU data in the run */
    unsigned not_run;   /* fp_analysis_not_run() */
    int simulated;
    size_t found, missed, unobservable, true_positives, false_alarms; /* the match's counts */
    fp_rec_method *methods; /* the methods called in the run, in the analysis' order */
    size_t n_methods;
    fp_rec_finding *findings; /* every finding, in the analysis' order */
    size_t n_findings;
    fp_rec_truth *truth; /* simulated runs: the ground truth, in the profile's order */
    size_t n_truth;
    char **strings; /* parsed records: the strings they own */
    size_t n_strings, cap_strings;
} fp_rec;

/* The name of a cost's resource by index: "time", "peak memory", "CPU". */
const char *fp_rec_resource_name(int resource);
/* Fills `rec` from run `p` analysed as `a` and matched as `mr` (when `simulated`). FP_OK or
 * FP_ENOMEM (rec then needs fp_rec_cleanup all the same). */
fp_status fp_rec_from_run(fp_rec *rec, const fp_profile *p, const fp_analysis *a,
                          const fp_match_result *mr, int simulated);
/* Writes `rec` as one line of JSON, without the newline, after the numbers pass and run. */
fp_status fp_rec_write(FILE *f, uint64_t pass, uint64_t run, const fp_rec *rec, fp_error *err);
/* Reads a line written by fp_rec_write. FP_OK, FP_EPARSE (with what is wrong), FP_ENOMEM. */
fp_status fp_rec_parse(fp_rec *rec, const char *line, uint64_t *pass, uint64_t *run, fp_error *err);
void fp_rec_cleanup(fp_rec *rec);
/* Adds a run to scenario `s`'s aggregates (fp_report.c). FP_OK or FP_ENOMEM. */
fp_status fp_scn_add_rec(fp_scn *s, const fp_rec *rec);

/* A ground-truth target's name in profile `p`: "process", the method's name, or "?" for an index
 * the profile has no method for (borrowed from `p`). */
const char *fp_report_target_label(const fp_profile *p, int32_t target);
/* ---- OpenMetrics (fp_report_openmetrics.c): the validate report; the report is
 * fp_report_write_openmetrics ---- */

void fp_om_validate(FILE *f, const fp_validate_engine *e);

/* Builds the text/Markdown document (fp_report_text.c). */
fp_status fp_report_write_doc(const fp_report *r, FILE *out, int markdown, fp_error *err);

#endif /* FP_REPORT_INTERNAL_H */
