/*
 * fp_formats.h - converting profiles to and from the formats other tools speak: Chrome Trace
 * Event JSON (read and write; opens in Perfetto and chrome://tracing), folded stacks (for
 * flamegraph.pl, inferno, speedscope), speedscope's own JSON, the resource series as CSV, and
 * the ground-truth manifest JSON. Layouts are documented in docs/output-formats.md.
 *
 * Why a header separate from fp_profile.h: fp_profile.h is the model every module speaks (and
 * its own lossless JSON form); this header is format conversion at the edges, used only by the
 * CLI (generate, analyze) and the tests. The analysis and the simulator never need it, and a
 * change to a viewer format must not touch the model's header.
 *
 * All writers stream with fprintf (every double "%.17g" unless stated), check ferror at the end
 * and return FP_OK, FP_EINVAL (a value that cannot be written, e.g. non-finite), FP_ENOMEM or
 * FP_EIO. They never flush or close `out`. Output is a pure function of the profile: no
 * timestamps, no locale, no environment, so repeated runs are byte-identical.
 *
 * Ownership: writers borrow the profile. The trace reader fills a caller-owned profile (reset
 * first; left empty on error) and never keeps a pointer to the input text.
 */
#ifndef FP_FORMATS_H
#define FP_FORMATS_H

#include <stddef.h>
#include <stdio.h>

#include "fp_core.h"
#include "fp_profile.h"

/* Version of the manifest JSON ({"fpsim_manifest": 1, ...}). */
#define FP_MANIFEST_VERSION 1

/* The files `fpsim generate` can write per run. */
typedef enum fp_format {
    FP_FORMAT_PROFILE = 0, /* profile JSON without truth (fp_profile_write_json) */
    FP_FORMAT_TRUTH,       /* ground-truth manifest JSON */
    FP_FORMAT_CSV,         /* resource series CSV */
    FP_FORMAT_FOLDED,      /* folded stacks */
    FP_FORMAT_CHROME,      /* Chrome Trace Event JSON */
    FP_FORMAT_SPEEDSCOPE,  /* speedscope JSON */
    FP_FORMAT_COUNT
} fp_format;

/* "profile", "truth", "csv", "folded", "chrome", "speedscope"; NULL when out of range. */
const char *fp_format_name(fp_format f);

/*
 * File name extension of a format, without the leading dot: "profile.json", "truth.json",
 * "series.csv", "folded", "trace.json", "speedscope.json"; NULL when out of range.
 */
const char *fp_format_ext(fp_format f);

/* Looks a format up by name. FP_OK or FP_EINVAL (*out unchanged). */
fp_status fp_format_from_name(const char *name, fp_format *out);

/* ---- writers (profile/fp_trace.c, profile/fp_export.c) ---- */

/*
 * Chrome Trace Event JSON: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}.
 * Metadata (M) events name the process and one thread per track; every span is a complete (X)
 * event, pid 1, tid = track, name = method, ts/dur in microseconds (fractional, %.17g), args
 * holding the span's resource attributes and its fpsim span/parent ids (so a span whose parent
 * runs on another track keeps that parent when read back); the series are counter (C) events
 * "memory" {"MB"}, "cpu" {"percent"} and "io" {"ops", "bytes"}, one per sample at the start of
 * its interval.
 */
fp_status fp_trace_write_chrome(const fp_profile *p, FILE *out, fp_error *err);

/*
 * Folded stacks: one line "root;child;leaf WEIGHT" per distinct call stack (method names from
 * the top-level span down, following parent links across tracks), WEIGHT the summed self time
 * (duration minus the union of its children) in whole microseconds, rounded once per stack.
 * Lines are sorted bytewise by stack; stacks whose weight rounds to 0 are omitted. ';' in a
 * method name becomes ':' and control characters become ' ' so that a line always splits back.
 */
fp_status fp_export_folded(const fp_profile *p, FILE *out, fp_error *err);

/*
 * speedscope JSON (https://www.speedscope.app/file-format-schema.json): shared frames (one per
 * method, method table order) and one "evented" profile per track, unit "seconds", with
 * properly nested open (O) / close (C) events in time order.
 */
fp_status fp_export_speedscope(const fp_profile *p, FILE *out, fp_error *err);

/*
 * Series CSV (RFC 4180, fixed header "sample,start_s,mem_mb,cpu_pct,io_ops,io_bytes"), one row per
 * sample; a profile without series gives the header only.
 */
fp_status fp_export_series_csv(const fp_profile *p, FILE *out, fp_error *err);

/*
 * Ground-truth manifest JSON: the run's metadata and every injected bottleneck occurrence
 * ("injected", the fields of fp_truth with the kind and target by name). Ends with a newline.
 */
fp_status fp_export_manifest(const fp_profile *p, FILE *out, fp_error *err);

/* ---- Chrome Trace Event reader (profile/fp_trace.c) ---- */

/* Kind of a JSON input, decided by fp_trace_sniff() without parsing the whole document. */
typedef enum fp_input_kind {
    FP_INPUT_PROFILE = 0, /* an fpsim profile or runs document (or not JSON at all) */
    FP_INPUT_CHROME       /* a bare array, or an object whose top level has "traceEvents" */
} fp_input_kind;

/*
 * Decides the kind of `text` (`len` bytes) from its first non-blank byte ('[' means a trace) and,
 * for an object, whether a top-level key is "traceEvents" (a single scan, strings skipped).
 * Malformed text is reported as FP_INPUT_PROFILE; the reader then says what is wrong.
 */
fp_input_kind fp_trace_sniff(const char *text, size_t len);

/* What a trace held, for notes. Plain value type. */
typedef struct fp_trace_stats {
    size_t events;             /* entries of traceEvents */
    size_t spans;              /* X events plus B/E pairs */
    size_t unclosed;           /* B events without an E, ended at the end of the trace */
    size_t counters;           /* C events used */
    size_t metadata;           /* M events */
    size_t ignored;            /* events of other phases, and C events of unknown counters */
    char ignored_phases[64];   /* the distinct ignored phases, "i,s,f" (truncated) */
    size_t threads;            /* distinct (pid, tid) pairs with spans = tracks */
    double counter_interval_s; /* the resampling interval (0 without counters) */
} fp_trace_stats;

/*
 * Reads a Chrome Trace Event JSON document (`len` bytes of `text`, need not be NUL-terminated)
 * into `out` (reset first): a bare array of events or {"traceEvents": [...], ...}.
 *  - X events and B/E pairs become spans (a B without an E, as Chromium writes when tracing
 *    stops mid-task, lasts until the latest timestamp of the trace and is counted in
 *    stats->unclosed; an E without a B is an error); each (pid, tid) is a track (tracks numbered in
 *    ascending (pid, tid) order); on one track, intervals nest by time; across tracks spans are
 *    concurrent, unless an fpsim-written "fpsim_parent" argument names the enclosing span.
 *    Spans are stored in pre-order, times in seconds from the earliest X/B/E/C event.
 *  - C events become series: memory (name or argument mentions mem, rss, heap; bytes converted
 *    to MB when it mentions "byte"), CPU ("cpu", clamped to [0, 100]) and I/O ("io"/"disk";
 *    "op"/"byte"), resampled by sample-and-hold onto the median gap between counter timestamps
 *    (0.1 s with fewer than two).
 *  - M events name the process (the first process_name becomes the scenario); other phases are
 *    counted in `stats` (may be NULL) and otherwise ignored.
 * `file` names the input in errors. Errors name the event: err->key_path is "traceEvents[12].dur"
 * (the index into the event array, also for a bare array). FP_OK; FP_EPARSE (malformed JSON,
 * with line:col); FP_EINVAL (wrong type, missing field, negative or non-finite time, overlapping
 * spans on one thread, an E without a B or with another name, no span and no counter event);
 * FP_ELIMIT (nesting deeper than 64, input over 1 GiB); FP_ENOMEM.
 */
fp_status fp_trace_read_chrome(fp_profile *out, const char *text, size_t len, const char *file,
                               fp_trace_stats *stats, fp_error *err);

#endif /* FP_FORMATS_H */
