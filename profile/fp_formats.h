/*
 * fp_formats.h - converting profiles to and from the formats other tools speak: Chrome Trace
 * Event JSON (read and write; opens in Perfetto and chrome://tracing), folded stacks (for
 * flamegraph.pl, inferno, speedscope), speedscope's own JSON, the resource series as CSV, the
 * ground-truth manifest JSON and `fpsim generate`'s index.json (written here, read by the input
 * reader). Layouts are documented in docs/output-formats.md.
 *
 * Why a header separate from fp_profile.h: fp_profile.h is the model every module speaks (and
 * its own lossless JSON form); this header is format conversion at the edges and the one input
 * reader (fp_input_open(): every format runs are read from), used only by the CLI (generate,
 * analyze, compare), the benchmarks and the tests. The analysis and the simulator never need it,
 * and a change to a viewer format must not touch the model's header.
 *
 * All writers stream with fprintf (every double "%.17g" unless stated), check ferror at the end
 * and return FP_OK, FP_EINVAL (a value that cannot be written, e.g. non-finite), FP_ENOMEM or
 * FP_EIO. They never flush or close `out`. Output is a pure function of the profile: no
 * timestamps, no locale, no environment, so repeated runs are byte-identical.
 *
 * Ownership: writers borrow the profile (the index writer its fp_index). The trace reader fills a
 * caller-owned profile (reset first; left empty on error) and never keeps a pointer to the input
 * text.
 */
#ifndef FP_FORMATS_H
#define FP_FORMATS_H

#include <stddef.h>
#include <stdint.h>
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
 * event, pid 1, tid = track, name = method, ts/dur in whole microseconds derived from one
 * integer start and end per span (each rounded once, then clamped into the parent and the
 * enclosing span of its track, and after the previous span of its track), so children never
 * overlap their parent or their siblings in a strict viewer; a top-level "fpsim" object (not
 * args, which viewers such as speedscope fold into the frame name) holds the span's resource
 * attributes and its span/parent ids (so a span whose parent runs on another track keeps that
 * parent when read back; the reader also takes the older args form fpsim_span/fpsim_parent);
 * X events have no args; the series are counter (C) events "memory" {"MB"}, "cpu"
 * {"percent"} and "io" {"ops", "bytes"}, one per sample at the start of its interval (whole
 * microseconds).
 */
fp_status fp_trace_write_chrome(const fp_profile *p, FILE *out, fp_error *err);

/*
 * Folded stacks: one line "root;child;leaf WEIGHT" per distinct call stack (method names from
 * the top-level span down, following parent links across tracks), WEIGHT the summed self time
 * (duration minus the union of its children) in whole microseconds, rounded once per stack.
 * Lines are sorted bytewise by stack; stacks whose weight rounds to 0 are omitted. Names are
 * written with fp_folded_char() (fp_escape.h) so that a line always splits back.
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

/* ---- the `fpsim generate` index (profile/fp_export.c; read back by fp_input_open()) ---- */

/* Version of the index JSON ({"fpsim_index": 1, ...}); fp_input_open() reads this version. */
#define FP_INDEX_VERSION 1

/* One scenario of an index. Plain value type; every string is borrowed. */
typedef struct fp_index_scenario {
    const char *name; /* the scenario's name */
    const char *file; /* the scenario file it was loaded from; NULL for a built-in (null) */
    const char *dir;  /* its directory, relative to the index's */
    uint64_t seed;    /* the batch seed (written as a decimal string) */
} fp_index_scenario;

/* What a generate run wrote. Plain value type; everything is borrowed. */
typedef struct fp_index {
    const char *gsl_version;            /* GSL_VERSION of the simulating build */
    const char *rng;                    /* the generator's name, "mt19937" */
    const int *formats;                 /* FP_FORMAT_COUNT flags: which formats were written */
    uint64_t runs;                      /* runs per scenario */
    const fp_index_scenario *scenarios; /* in the order they were generated */
    size_t n_scenarios;
} fp_index;

/*
 * The index JSON of `fpsim generate` (docs/output-formats.md, schemas/): {"fpsim_index": 1,
 * "fpsim_version", "gsl_version", "rng", "layout": "<scenario>/run-<k>.<ext>", "formats" (names,
 * fp_format order), "scenarios": [{"name", "file", "dir", "seed", "runs": [{"run_index", "files":
 * {FORMAT: "DIR/run-K.EXT", ...}}, ...]}, ...]}, ending with a newline. It holds no floating-point
 * number (integers are written in decimal, the seed as a string so that no reader rounds it);
 * strings go through fp_escape.h. FP_OK, FP_EINVAL (a NULL rng, gsl_version or formats, or a
 * scenario without name or dir; nothing written), FP_ENOMEM or FP_EIO. Borrows `ix`.
 */
fp_status fp_export_index(const fp_index *ix, FILE *out, fp_error *err);

/* ---- Chrome Trace Event reader (profile/fp_trace.c) ---- */

/*
 * Kind of an input, decided by fp_input_sniff() (and fp_trace_sniff()) without parsing the whole
 * document; FP_INPUT_RUNS is told from FP_INPUT_PROFILE only once the document is parsed.
 */
typedef enum fp_input_kind {
    FP_INPUT_PROFILE = 0, /* an fpsim profile or runs document (or malformed JSON) */
    FP_INPUT_CHROME,      /* a bare array, or an object whose top level has "traceEvents" */
    FP_INPUT_RUNS,        /* a runs document {"fpsim_runs": 1, "runs": [...]} */
    FP_INPUT_INDEX,       /* an `fpsim generate` index.json (top-level "fpsim_index") */
    FP_INPUT_CPUPROFILE,  /* a V8 CPU profile (top-level "nodes") */
    FP_INPUT_SPEEDSCOPE,  /* a speedscope file (top-level "$schema") */
    FP_INPUT_FOLDED,      /* folded stacks: the first line is "FRAME;FRAME COUNT" */
    FP_INPUT_UNKNOWN      /* something fpsim does not read (fp_input_looks_like() says what) */
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
    size_t counters;           /* C events used, and I / v events that fed the memory series */
    size_t metadata;           /* M events */
    size_t ignored;            /* events of other phases, and C events of unknown counters */
    char ignored_phases[64];   /* the distinct ignored phases, "i,s,f" (truncated) */
    size_t threads;            /* distinct (pid, tid) pairs with spans = tracks */
    double counter_interval_s; /* the resampling interval (0 without counters) */
    size_t summaries;          /* tracer summary events left out (clang's "Total ..." X events) */
    size_t instants;           /* i/I/n events not used as memory samples: markers the profile
                                * has no place for, counted (also in `ignored`) */
} fp_trace_stats;

/*
 * Reads a Chrome Trace Event JSON document (`len` bytes of `text`, need not be NUL-terminated)
 * into `out` (reset first): a bare array of events or {"traceEvents": [...], ...}.
 *  - X events and B/E pairs become spans (a B without an E, as Chromium writes when tracing
 *    stops mid-task, lasts until the latest timestamp of the trace and is counted in
 *    stats->unclosed; an E without a B is an error); each (pid, tid) is a track (tracks numbered in
 *    ascending (pid, tid) order); on one track, intervals nest by time; across tracks spans are
 *    concurrent, unless an fpsim-written parent id names the enclosing span.
 *    Spans are stored in pre-order, times in seconds from the earliest X/B/E/C event.
 *  - C events become series: memory (name or argument mentions mem, rss, heap; bytes converted
 *    to MB when it mentions "byte"), CPU ("cpu", clamped to [0, 100]) and I/O ("io"/"disk";
 *    "op"/"byte"), resampled by sample-and-hold onto the median gap between counter timestamps
 *    (0.1 s with fewer than two).
 *  - M events name the process (the first process_name becomes the scenario); other phases are
 *    counted in `stats` (may be NULL) and otherwise ignored.
 *  - Tracer conventions (docs/real-traces.md): a generic name takes its subject from args.detail or
 *    args.data.functionName; clang's "Total ..." X events are left out (stats->summaries);
 *    user-timing b/e pairs (console.time, performance.measure) are spans on async lanes of their
 *    thread, parented to the thread span enclosing them; scheduler wrappers are flagged
 *    FP_METHOD_CONTAINER; V8 / Blink heap sizes in args feed the memory series; memory or CPU
 *    the trace does not carry is cleared with fp_profile_set_data(); thread time (X tdur, B/E and
 *    user-timing b/e tts at both ends) is each span's cpu_pct (FP_DATA_CPU; the heap series
 *    carries no CPU: FP_DATA_SERIES_CPU stays clear);
 *    i/I/n instants not used as memory are counted (stats->instants).
 *  - fpsim's own span ids and attributes are read from a top-level "fpsim" object (what
 *    fp_trace_write_chrome() writes) and from args (fpsim_span, fpsim_parent, cpu_pct, ...: the
 *    older form); the "fpsim" object wins.
 * `file` names the input in errors. Errors name the event: err->key_path is "traceEvents[12].dur"
 * (the index into the event array, also for a bare array). FP_OK; FP_EPARSE (malformed JSON,
 * with line:col); FP_EINVAL (wrong type, missing field, negative or non-finite time, overlapping
 * spans on one thread, an E without a B or with another name, no span and no counter event);
 * FP_ELIMIT (nesting deeper than 64, input over 1 GiB); FP_ENOMEM.
 */
fp_status fp_trace_read_chrome(fp_profile *out, const char *text, size_t len, const char *file,
                               fp_trace_stats *stats, fp_error *err);

/*
 * fp_trace_read_chrome() on the file `f` (borrowed, not closed), read from its current position
 * in bounded chunks: one event at a time is parsed and, unless the reader keeps it, freed, so
 * memory grows with the spans, not with the file. `f` must be seekable: on any error the reader
 * goes back to where it started and reads the text whole, so that every message and location is
 * exactly that of fp_trace_read_chrome(). Same results and errors, plus "input larger than N
 * bytes" (FP_ELIMIT) and read errors (FP_ENOENT).
 */
fp_status fp_trace_read_chrome_file(fp_profile *out, FILE *f, const char *file,
                                    fp_trace_stats *stats, fp_error *err);

/* ---- readers of sampled formats: one file, one run (conversion in docs/output-formats.md) ---- */

/*
 * Each reads `len` bytes of `text` (need not be NUL-terminated) into `out` (reset first; left
 * empty on error); `file` names the input in errors and, for formats without a run name, names
 * the run (its stem: "app" for "x/app.cpuprofile"). The run has no series and no ground truth,
 * memory and CPU marked unknown (fp_profile_data() == 0), metadata source "v8-cpuprofile",
 * "speedscope" or "folded". Errors: FP_EPARSE (malformed JSON
 * with LINE:COL; a folded line that is not "STACK COUNT", with LINE:COL), FP_EINVAL (a field of
 * the wrong type or value, with its key path, e.g. "nodes[3].children[0]",
 * "profiles[0].events[7].frame"), FP_ELIMIT (nesting, size or stack depth), FP_ENOMEM.
 *
 * fp_cpuprofile_read(): V8 .cpuprofile (node --cpu-prof). Sample k holds from startTime + the
 * sum of timeDeltas[0..k] until the next sample (the last until endTime); consecutive samples
 * sharing a stack prefix share its spans, so N consecutive samples of one stack are one span
 * per frame. "(root)" is left out, "(idle)" samples are gaps; functions are named
 * "NAME (FILE:LINE)".
 * fp_speedscope_read(): speedscope JSON, evented (O/C events) and sampled (samples + weights)
 * profiles, one track per profile; frames are methods by name.
 * fp_folded_read(): folded stacks, laid end to end in file order, COUNT microseconds each.
 */
fp_status fp_cpuprofile_read(fp_profile *out, const char *text, size_t len, const char *file,
                             fp_error *err);
fp_status fp_speedscope_read(fp_profile *out, const char *text, size_t len, const char *file,
                             fp_error *err);
fp_status fp_folded_read(fp_profile *out, const char *text, size_t len, const char *file,
                         fp_error *err);

/*
 * Adds the ground truth of the manifest `text` (`len` bytes; fp_export_manifest()'s layout) to
 * `p`, the run it describes: its scenario, seed and run_index must be `p`'s, its targets methods
 * of `p`. For `analyze` of a generated run-K.profile.json (written without truth), whose
 * run-K.truth.json lies beside it (profile/fp_manifest_read.c). FP_OK; FP_EPARSE (malformed
 * JSON); FP_EINVAL ("the manifest is not the profile's (want scenario 'S', seed N, run K)", a
 * bad record with its key path "injected[2].target"); FP_ENOMEM. On error `p` may hold some of
 * the records: the caller discards it.
 */
fp_status fp_manifest_read_truth(fp_profile *p, const char *text, size_t len, const char *file,
                                 fp_error *err);

/* ---- gzip (profile/fp_gzip.c) ---- */

/* Whether `text` starts with the gzip magic bytes 1f 8b. */
int fp_gzip_is(const char *text, size_t len);

/*
 * Decompresses the gzip data `in` (`len` bytes; concatenated members are read in turn) into a
 * new NUL-terminated buffer (*out, fp_free; *out_len bytes without the NUL). FP_OK; FP_ELIMIT
 * "gzip data expands beyond MAX bytes (refused: possible decompression bomb)" when the output
 * would exceed `max_out`; FP_EPARSE "not valid gzip data: REASON" (corrupt, truncated, trailing
 * garbage), err->file = `file`; FP_ENOMEM. *out is NULL on error.
 */
fp_status fp_gunzip(const char *in, size_t len, size_t max_out, const char *file, char **out,
                    size_t *out_len, fp_error *err);

/* ---- the input reader (profile/fp_input.c): every format fpsim reads runs from ---- */

/*
 * One reader for every input of `fpsim analyze` and `fpsim compare`, so that both read the same
 * things. fp_input_open() takes a path ("-" is standard input) that names:
 *  - an fpsim profile JSON (one run) or a runs document ("fpsim simulate --format json": every
 *    run, in order);
 *  - a Chrome Trace Event JSON, object or bare-array form (one run, fp_trace_read_chrome());
 *  - a V8 .cpuprofile, a speedscope JSON or folded stacks (one run each, readers above);
 *  - any of these gzip-compressed (fp_gunzip(), capped at 1 GiB decompressed);
 *  - an `fpsim generate` index.json, or a directory holding one: the runs it lists, scenario by
 *    scenario, each read from its profile JSON file, or from its Chrome trace when the profile
 *    format was not generated;
 *  - another directory: every *.json, *.cpuprofile and *.folded file (each also *.gz) directly
 *    inside it or one level down, in byte order of the path, each read as above; manifests
 *    (*.truth.json) are skipped, and so are a run's *.trace.json, *.speedscope.json and *.folded
 *    when its *.profile.json is beside them.
 * A profile read from "STEM.profile.json" that is simulated but holds no truth gets the truth of
 * "STEM.truth.json" beside it when that file exists (fp_manifest_read_truth()).
 * What a file is comes from its content (fp_input_sniff()), never from its name. Each file is
 * read and parsed once; runs are then handed out one at a time by fp_input_next() (a runs
 * document's tree shrinks as its runs are read), so reading N runs costs one parse, not N.
 *
 * Errors are those of the format readers (fp_profile_read_json(), fp_trace_read_chrome()), with
 * the same messages, FILE:LINE:COL and key paths ("runs[3].spans.rows[0][4]"), plus, with
 * err->file the path and no line: FP_ENOENT "cannot open: REASON", "cannot read: REASON" or
 * "no *.json profiles in the directory or one level down"; FP_ELIMIT "input larger than
 * 1073741824 bytes"; FP_EINVAL "no runs in the runs document" (key path "runs"), "not a format
 * fpsim reads (looks like X)" (fp_input_looks_like()) and the index's own problems (key paths
 * such as "scenarios[0].runs[1].files"); fp_gunzip()'s and fp_manifest_read_truth()'s errors;
 * FP_ENOMEM.
 *
 * Ownership: fp_input_open() hands over a new reader (free with fp_input_close(); NULL is a
 * no-op). It keeps its own copy of the path. fp_input_next() fills the caller-owned profile.
 */
typedef struct fp_input fp_input;

/* What fp_input_next() read. Plain value type; `file` is borrowed (see below). */
typedef struct fp_input_run {
    const char *file;       /* the file the run came from (the path given, or a file inside the
                               directory); valid until the next fp_input_next() or fp_input_close() */
    fp_input_kind kind;     /* not FP_INPUT_INDEX nor FP_INPUT_UNKNOWN */
    size_t index;           /* 0-based position of the run within `file` */
    fp_trace_stats trace;   /* for FP_INPUT_CHROME: what the trace held (zero otherwise) */
    const char *truth_file; /* the manifest the run's ground truth was read from (a generated
                               run-K.profile.json's run-K.truth.json), or NULL; valid as `file` */
} fp_input_run;

/*
 * Decides the kind of `text` (already decompressed) from its first non-blank byte and its
 * top-level keys (one scan, strings skipped), in this order: '[' or "traceEvents" ->
 * FP_INPUT_CHROME; "fpsim_index" -> FP_INPUT_INDEX; "$schema" -> FP_INPUT_SPEEDSCOPE; "nodes" ->
 * FP_INPUT_CPUPROFILE; any key of a profile or runs document (schema_version, meta, methods,
 * spans, series, truth, fpsim_runs, runs), no key, or an object that does not close (malformed:
 * the JSON reader says where) -> FP_INPUT_PROFILE; other keys -> FP_INPUT_UNKNOWN. Text not
 * starting with '{' or '[': a first line "FRAME;... COUNT" -> FP_INPUT_FOLDED; NUL or other binary
 * bytes, or a comma-separated first line -> FP_INPUT_UNKNOWN; else FP_INPUT_PROFILE (the JSON
 * reader then says what is wrong, as for empty and malformed text).
 */
fp_input_kind fp_input_sniff(const char *text, size_t len);

/*
 * For text fp_input_sniff() calls FP_INPUT_UNKNOWN: what it looks like ("a V8 sampling heap
 * profile (.heapprofile) ...", "CSV", "binary data", "an fpsim ground-truth manifest ...", "a
 * JSON object with top-level keys \"a\", \"b\""), written into buf[size]; "" otherwise. The
 * reader's message is "not a format fpsim reads (looks like WHAT)".
 */
void fp_input_looks_like(const char *text, size_t len, char *buf, size_t size);

/*
 * Opens `path` (see above). A directory is listed, and a regular file read, sniffed and parsed,
 * here, so that a missing or malformed first input fails before any run is read. FP_OK or the
 * errors above; *out is NULL on error.
 */
fp_status fp_input_open(fp_input **out, const char *path, fp_error *err);

/*
 * fp_input_open() on `len` bytes of `text` already in memory (copied; need not be
 * NUL-terminated), sniffed and parsed like a file: `name` names it in errors and in
 * fp_input_run.file. Gzip is inflated and every format above read, as from a file. An index
 * given this way lists files relative to the directory of `name`, which are read from disk, and
 * a `name` ending in ".profile.json" finds its manifest beside it on disk. For tests and the fuzz
 * targets. FP_OK or the errors above.
 */
fp_status fp_input_open_mem(fp_input **out, const char *text, size_t len, const char *name,
                            fp_error *err);

/*
 * Reads the next run into `out` (reset first). *got is 1 when a run was read (then `run`
 * describes it; `run` may be NULL), 0 at the end of the input. On error `out` is left empty and
 * the reader should be closed.
 */
fp_status fp_input_next(fp_input *in, fp_profile *out, fp_input_run *run, int *got, fp_error *err);

/* Frees the reader. NULL is a no-op. */
void fp_input_close(fp_input *in);

#endif /* FP_FORMATS_H */
