/*
 * fp_trace.c - Chrome Trace Event JSON (the "JSON Array" and "JSON Object" formats of the Trace
 * Event Format document), written for Perfetto / chrome://tracing and read from real tracers
 * (Node.js --trace-events-enabled, Chromium --trace-startup, ...) or from fpsim itself.
 *
 * The reader treats its input as untrusted, like the profile JSON reader: size cap, NUL and
 * nesting depth checked before cJSON (recursive) sees the text, then every event's phase, types
 * and numbers checked, the first problem reported with the event index ("traceEvents[12].dur").
 * It streams: events are parsed and converted one at a time (see "top level" below), and the
 * whole-tree reader is kept as the reference that reports every error.
 * Real traces are not sorted by time and interleave threads, so events are collected first,
 * then B/E pairs are matched per thread in time order, spans nested per thread by interval, and
 * the whole forest is emitted in the profile's pre-order.
 */
#include "fp_formats.h"
#include "fp_escape.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

/* Same limits as the profile JSON reader (fp_profile_json.c explains the numbers). */
/* Largest timestamp or duration accepted, microseconds: 2^53 keeps them exact integers. */
#define TR_MAX_US 9007199254740992.0
/* Nesting tolerance in microseconds (0.5 ns; the profile allows FP_SPAN_NEST_TOL = 1 ns). Absorbs
 * the rounding of seconds -> microseconds -> seconds in fpsim's own traces (half of it, so that the
 * profile's own 1e-9 s check still holds); real traces tick in whole microseconds. */
#define TR_TOL_US 5e-4
/* Resampled series longer than this are refused (a few close counter samples and one far away
 * would otherwise ask for an unbounded grid). */
#define TR_MAX_SAMPLES 10000000u

enum { SER_MEM = 0, SER_CPU, SER_IOOPS, SER_IOBYTES, SER_COUNT };

/* ======================================================================== writer */

/* Writes `s` as a JSON string: the one escaper shared by every writer (fp_escape.h). */
static void put_string(FILE *out, const char *s)
{
    fp_json_put_string(out, s);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y);
}

/* Index of `t` in the sorted distinct `tracks` (`n` entries; `t` is one of them). */
static size_t track_slot(const uint32_t *tracks, size_t n, uint32_t t)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tracks[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Whole microseconds of a time in seconds (times are finite and below 2^53 us by the checks). */
static int64_t to_us(double s)
{
    return (int64_t)llround(s * 1e6);
}

/*
 * One integer start and end (microseconds) per span, so that a viewer sees strict nesting: each
 * bound is rounded once (ts and dur are not scaled separately), then clamped into the parent and
 * into the enclosing span of the same track, and a span starts no earlier than the end of the
 * previous span it does not nest in on its track. The profile allows 1 ns of slack in nesting;
 * the clamps absorb it. `tracks` holds the `nt` distinct tracks, sorted.
 */
static fp_status span_us(const fp_profile *p, const uint32_t *tracks, size_t nt, int64_t *us,
                         fp_error *err)
{
    size_t n = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    long *top = fp_malloc((nt > 0 ? nt : 1) * sizeof(long));
    long *below = fp_malloc((n > 0 ? n : 1) * sizeof(long));
    if (top == NULL || below == NULL) {
        fp_free(top);
        fp_free(below);
        return fp_error_set(err, FP_ENOMEM, "out of memory writing Chrome trace");
    }
    for (size_t k = 0; k < nt; k++)
        top[k] = -1;
    for (size_t i = 0; i < n; i++) {
        const fp_span *s = &sp[i];
        int64_t a = to_us(s->start_s), b = to_us(s->start_s + s->dur_s);
        size_t slot = track_slot(tracks, nt, s->track);
        long prev = -1;
        while (top[slot] >= 0 &&
               sp[top[slot]].start_s + sp[top[slot]].dur_s <= s->start_s + FP_SPAN_NEST_TOL) {
            prev = top[slot];
            top[slot] = below[prev];
        }
        if (s->parent >= 0) {
            a = a < us[2 * s->parent] ? us[2 * s->parent] : a;
            b = b > us[2 * s->parent + 1] ? us[2 * s->parent + 1] : b;
        }
        if (top[slot] >= 0) {
            a = a < us[2 * top[slot]] ? us[2 * top[slot]] : a;
            b = b > us[2 * top[slot] + 1] ? us[2 * top[slot] + 1] : b;
        }
        if (prev >= 0 && a < us[2 * prev + 1])
            a = us[2 * prev + 1];
        if (b < a)
            b = a;
        us[2 * i] = a;
        us[2 * i + 1] = b;
        below[i] = top[slot];
        top[slot] = (long)i;
    }
    fp_free(top);
    fp_free(below);
    return FP_OK;
}

fp_status fp_trace_write_chrome(const fp_profile *p, FILE *out, fp_error *err)
{
    fp_status st = fp_profile_check(p, err);
    if (st != FP_OK)
        return st;
    size_t n = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    uint32_t *tracks = NULL;
    int64_t *us = NULL;
    size_t nt = 0;
    if (n > 0) {
        tracks = fp_calloc(n, sizeof(uint32_t));
        us = fp_calloc(2 * n, sizeof(int64_t));
        if (tracks == NULL || us == NULL) {
            fp_free(tracks);
            fp_free(us);
            return fp_error_set(err, FP_ENOMEM, "out of memory writing Chrome trace");
        }
        for (size_t i = 0; i < n; i++)
            tracks[i] = sp[i].track;
        qsort(tracks, n, sizeof(uint32_t), cmp_u32);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || tracks[i] != tracks[i - 1])
                tracks[nt++] = tracks[i];
        if ((st = span_us(p, tracks, nt, us, err)) != FP_OK) {
            fp_free(tracks);
            fp_free(us);
            return st;
        }
    }
    fp_meta m = fp_profile_meta(p);
    fputs("{\"traceEvents\": [\n", out);
    fputs(
        "{\"ph\": \"M\", \"pid\": 1, \"tid\": 0, \"name\": \"process_name\", \"args\": {\"name\": ",
        out);
    put_string(out, m.scenario[0] != '\0' ? m.scenario : "fpsim");
    fputs("}}", out);
    for (size_t i = 0; i < nt; i++)
        fprintf(out,
                ",\n{\"ph\": \"M\", \"pid\": 1, \"tid\": %" PRIu32
                ", \"name\": \"thread_name\", \"args\": {\"name\": \"track %" PRIu32 "\"}}",
                tracks[i], tracks[i]);
    for (size_t i = 0; i < n; i++) {
        const fp_span *s = &sp[i];
        fprintf(out, ",\n{\"ph\": \"X\", \"pid\": 1, \"tid\": %" PRIu32 ", \"name\": ", s->track);
        put_string(out, fp_profile_method_name(p, s->method));
        fprintf(out,
                ", \"cat\": \"fpsim\", \"ts\": %" PRId64 ", \"dur\": %" PRId64
                ", \"fpsim\": {\"span\": "
                "%zu, \"parent\": %" PRId32 ", \"cpu_pct\": %s, \"mem_alloc_mb\": %s, "
                "\"mem_retained_mb\": %s, \"io_ops\": %s, \"io_bytes\": %s}}",
                us[2 * i], us[2 * i + 1] - us[2 * i], i, s->parent, FP_G(s->cpu_pct),
                FP_G(s->mem_alloc_mb), FP_G(s->mem_retained_mb), FP_G(s->io_ops),
                FP_G(s->io_bytes));
    }
    fp_free(us);
    fp_series ser = fp_profile_series(p);
    for (size_t k = 0; k < ser.n; k++) {
        int64_t ts = to_us((double)k * ser.interval_s);
        fprintf(out,
                ",\n{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"memory\", \"ts\": %" PRId64
                ", "
                "\"args\": {\"MB\": %s}}",
                ts, FP_G(ser.mem_mb[k]));
        fprintf(out,
                ",\n{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"cpu\", \"ts\": %" PRId64
                ", "
                "\"args\": {\"percent\": %s}}",
                ts, FP_G(ser.cpu_pct[k]));
        fprintf(out,
                ",\n{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"io\", \"ts\": %" PRId64 ", "
                "\"args\": {\"ops\": %s, \"bytes\": %s}}",
                ts, FP_G(ser.io_ops[k]), FP_G(ser.io_bytes[k]));
    }
    fputs("\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {\"producer\": \"fpsim\", "
          "\"fpsim_version\": ",
          out);
    put_string(out, m.fpsim_version);
    fputs(", \"scenario\": ", out);
    put_string(out, m.scenario);
    fprintf(out, ", \"seed\": \"%" PRIu64 "\", \"run_index\": %" PRIu64 ", \"rng\": ", m.seed,
            m.run_index);
    put_string(out, m.rng);
    fputs(", \"gsl_version\": ", out);
    put_string(out, m.gsl_version);
    fputs("}}\n", out);
    fp_free(tracks);
    if (ferror(out))
        return fp_error_set(err, FP_EIO, "cannot write Chrome trace");
    return FP_OK;
}

/* ======================================================================== sniffing */

fp_input_kind fp_trace_sniff(const char *text, size_t len)
{
    /* One sniffer for every input (fp_input.c); this function keeps its two answers. */
    return fp_input_sniff(text, len) == FP_INPUT_CHROME ? FP_INPUT_CHROME : FP_INPUT_PROFILE;
}

/* ======================================================================== reader */

/* What a span may carry besides its interval: resource attributes and fpsim's span ids. Only
 * spans that have any (fpsim's own exports, traces with attributes) get one, so a tracer's span
 * stays small (raw_span.extra). */
typedef struct raw_extra {
    double attr[5];    /* cpu_pct, mem_alloc_mb, mem_retained_mb, io_ops, io_bytes */
    double fpsim_span; /* -1 when absent */
    double fpsim_parent;
    int has_attr;     /* attrs came from the event */
    int ids_in_fpsim; /* the ids came from the top-level "fpsim" object (else from args) */
} raw_extra;

#define TR_NO_EXTRA UINT32_MAX

/* One span before nesting: microseconds as in the file. Kept small (one per span of the trace,
 * alive until the profile is built): links are 32-bit (at most 2^31 spans, add_span). */
typedef struct raw_span {
    int64_t pid, tid;
    double ts, end; /* microseconds */
    size_t ev;      /* event index (X, or the B of a pair) */
    size_t end_ev;  /* event index that set the end (X, or the E of a pair) */
    uint32_t method;
    uint32_t track;
    uint32_t extra; /* index into trd.extras, TR_NO_EXTRA */
    int32_t
        lane; /* 0: the thread's own spans; >= 1: an async lane of the thread (see match_async) */
    int32_t parent; /* index into the raw span array, -1 */
    int32_t first_child, last_child, next_sibling;
    uint8_t is_x;    /* a complete (X) event */
    uint8_t has_cpu; /* cpu holds the thread's CPU share (tdur, or tts at both ends) */
    float cpu;       /* thread time / wall time x 100, capped at 100 */
} raw_span;

/* One B or E event. */
typedef struct raw_mark {
    int begin;
    int64_t pid, tid;
    double ts;
    double tts; /* thread clock (microseconds); < 0: absent */
    size_t ev;
    const cJSON *obj;
} raw_mark;

/* One async b/e event of a user-timing category (its strings are not kept: the event may not
 * outlive read_event()). Pairs match on (pid, method, id hash) in time order. */
typedef struct async_mark {
    int begin;
    int64_t pid, tid;
    uint32_t method;
    uint64_t id; /* async_id(): hash of the "id" / "id2" text and the category */
    double ts;
    double tts; /* thread clock (microseconds); < 0: absent */
    size_t ev;
} async_mark;

/* One i / I / n instant kept as a marker (fp_profile_add_marker) once tracks are known. */
typedef struct raw_instant {
    double ts; /* microseconds */
    int64_t pid, tid;
    int on_thread;   /* thread-scoped (the default "s": "t") with a pid and tid */
    size_t name_off; /* into trd.inames */
    size_t seq;      /* file order: equal times keep it */
} raw_instant;

static int cmp_instant(const void *a, const void *b)
{
    const raw_instant *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

typedef struct raw_sample {
    double ts; /* microseconds */
    double value;
    size_t seq; /* file order: equal timestamps keep it (the later value wins) */
} raw_sample;

typedef struct trd {
    fp_error *err;
    const char *file;
    fp_profile *p;
    fp_trace_stats *stats;
    raw_span *spans;
    size_t n_spans, cap_spans;
    raw_extra *extras;
    size_t n_extras, cap_extras;
    raw_mark *marks;
    size_t n_marks, cap_marks;
    async_mark *amarks;
    size_t n_amarks, cap_amarks;
    raw_sample *samples[SER_COUNT];
    size_t n_samples[SER_COUNT], cap_samples[SER_COUNT];
    char *series_owner[SER_COUNT]; /* "name.key" of the counter claiming each series */
    const char *process_name;
    double end_ts;    /* latest timestamp or X end seen: where cut-off B events end */
    size_t cpu_spans; /* spans with a thread CPU share (raw_span.has_cpu) */
    raw_instant *instants;
    size_t n_instants, cap_instants;
    char *inames; /* instant names, NUL-terminated, back to back */
    size_t inames_len, inames_cap;
} trd;

static fp_status tr_fail(trd *r, fp_status st, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static fp_status tr_fail(trd *r, fp_status st, const char *path, const char *fmt, ...)
{
    char msg[FP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fp_error_set_at(r->err, st, r->file, 0, 0, "%s", msg);
    fp_error_set_path(r->err, path);
    return st;
}

static fp_status tr_nomem(trd *r)
{
    return fp_error_set_at(r->err, FP_ENOMEM, r->file, 0, 0, "out of memory reading trace");
}

/*
 * "traceEvents[I]" followed by ".KEY" (KEY NULL: nothing) into buf; returns buf. Called only on
 * the error path: building the path of every field of every event cost a tenth of a read.
 */
static const char *ev_path(char *buf, size_t size, size_t i, const char *key)
{
    snprintf(buf, size, "traceEvents[%zu]%s%s", i, key != NULL ? "." : "", key != NULL ? key : "");
    return buf;
}

/* "traceEvents[I].args.KEY" (KEY cut at 80 bytes) into buf; returns buf. Error path only. */
static const char *arg_path(char *buf, size_t size, size_t i, const char *key)
{
    snprintf(buf, size, "traceEvents[%zu].args.%.80s", i, key);
    return buf;
}

static const char *type_name(const cJSON *it)
{
    if (it == NULL)
        return "nothing";
    if (cJSON_IsString(it))
        return "a string";
    if (cJSON_IsNumber(it))
        return "a number";
    if (cJSON_IsObject(it))
        return "an object";
    if (cJSON_IsArray(it))
        return "an array";
    if (cJSON_IsBool(it))
        return "a boolean";
    if (cJSON_IsNull(it))
        return "null";
    return "an invalid value";
}

/* Case-sensitive lookup that also rejects a duplicated key (cJSON keeps both). */
static const cJSON *get(const cJSON *obj, const char *key, int *dup)
{
    const cJSON *found = NULL;
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        /* the first byte first: this lookup runs for every field of every event */
        if (c->string != NULL && c->string[0] == key[0] && strcmp(c->string, key) == 0) {
            if (found != NULL)
                *dup = 1;
            else
                found = c;
        }
    }
    return found;
}

/* A time field: finite number in [0, 2^53] microseconds. `what` is the key. */
static fp_status want_time(trd *r, const cJSON *ev, size_t i, const char *what, double *out)
{
    char path[96];
    int dup = 0;
    const cJSON *it = get(ev, what, &dup);
    if (dup)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what), "duplicate key '%s'",
                       what);
    if (it == NULL)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what), "missing field '%s'",
                       what);
    if (!cJSON_IsNumber(it))
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what),
                       "expected a non-negative number, got %s", type_name(it));
    double v = it->valuedouble;
    if (!isfinite(v) || v > TR_MAX_US)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what),
                       "number out of range (must be finite and at most 2^53 microseconds)");
    if (v < 0.0)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what),
                       "expected a non-negative number, got %.17g", v);
    *out = v;
    return FP_OK;
}

/* pid or tid: an integer (absent means 0). */
/* A pid or tid value fpsim takes: a finite integer of at most TR_MAX_US in magnitude (so it
 * converts to int64_t exactly). */
static int id_valid(const cJSON *it)
{
    return cJSON_IsNumber(it) && isfinite(it->valuedouble) &&
           it->valuedouble == floor(it->valuedouble) && fabs(it->valuedouble) <= TR_MAX_US;
}

static fp_status want_id(trd *r, const cJSON *ev, size_t i, const char *what, int64_t *out)
{
    char path[96];
    int dup = 0;
    const cJSON *it = get(ev, what, &dup);
    *out = 0;
    if (dup)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what), "duplicate key '%s'",
                       what);
    if (it == NULL)
        return FP_OK;
    if (!id_valid(it))
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, what),
                       "expected an integer, got %s",
                       cJSON_IsNumber(it) ? "a non-integer number" : type_name(it));
    *out = (int64_t)it->valuedouble;
    return FP_OK;
}

/* The event's "name": a string (required when `required`). *out NULL when absent. */
static fp_status want_name(trd *r, const cJSON *ev, size_t i, int required, const char **out)
{
    char path[96];
    int dup = 0;
    const cJSON *it = get(ev, "name", &dup);
    *out = NULL;
    if (dup)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "name"),
                       "duplicate key 'name'");
    if (it == NULL) {
        if (required)
            return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "name"),
                           "missing field 'name'");
        return FP_OK;
    }
    if (!cJSON_IsString(it))
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "name"),
                       "expected a string, got %s", type_name(it));
    *out = it->valuestring;
    return FP_OK;
}

/* "args": absent, or an object. */
static fp_status want_args(trd *r, const cJSON *ev, size_t i, const cJSON **out)
{
    char path[96];
    int dup = 0;
    const cJSON *it = get(ev, "args", &dup);
    *out = NULL;
    if (dup)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "args"),
                       "duplicate key 'args'");
    if (it == NULL)
        return FP_OK;
    if (!cJSON_IsObject(it))
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "args"),
                       "expected an object, got %s", type_name(it));
    *out = it;
    return FP_OK;
}

static const char *const s_attr_keys[5] = {"cpu_pct", "mem_alloc_mb", "mem_retained_mb", "io_ops",
                                           "io_bytes"};

/* The attributes and ids of one object: `args` (old form: keys cpu_pct, ..., fpsim_span,
 * fpsim_parent) or the event's top-level "fpsim" object (keys cpu_pct, ..., span, parent).
 * All optional; when present, checked. `where` is "args" or "fpsim" for error paths. */
static fp_status extra_from(trd *r, const cJSON *obj, size_t i, const char *where,
                            const char *const *id_keys, raw_extra *x)
{
    char path[160];
    for (int k = 0; k < 7; k++) {
        const char *key = k < 5 ? s_attr_keys[k] : id_keys[k - 5];
        int dup = 0;
        const cJSON *it = get(obj, key, &dup);
        if (it == NULL)
            continue;
            /* the path is built on the error path only (it cost a tenth of a read) */
#define EXTRA_PATH (snprintf(path, sizeof(path), "traceEvents[%zu].%s.%s", i, where, key), path)
        if (dup)
            return tr_fail(r, FP_EINVAL, EXTRA_PATH, "duplicate key '%s'", key);
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
            return tr_fail(r, FP_EINVAL, EXTRA_PATH, "expected a finite number, got %s",
                           cJSON_IsNumber(it) ? "a non-finite number" : type_name(it));
        double v = it->valuedouble;
        if (k < 5) {
            if (v < 0.0 || (k == 0 && v > 100.0))
                return tr_fail(r, FP_EINVAL, EXTRA_PATH, "expected a number in [0, %s], got %.17g",
                               k == 0 ? "100" : "inf)", v);
            x->attr[k] = v;
            x->has_attr = 1;
        } else {
            if (v != floor(v) || v < (k == 6 ? -1.0 : 0.0) || v > TR_MAX_US)
                return tr_fail(r, FP_EINVAL, EXTRA_PATH, "expected an integer span id, got %.17g",
                               v);
            if (k == 5)
                x->fpsim_span = v;
            else
                x->fpsim_parent = v;
            x->ids_in_fpsim = where[0] == 'f';
        }
#undef EXTRA_PATH
    }
    return FP_OK;
}

/*
 * Span attributes and fpsim ids of event `ev` (index i, args `args` or NULL): from args (the
 * form fpsim wrote before, still read) and then from the top-level "fpsim" object (the form it
 * writes now, which wins: viewers fold args into frame names, not unknown top-level keys). A
 * span with any of them gets a raw_extra (s->extra); others stay TR_NO_EXTRA.
 */
static fp_status span_args(trd *r, const cJSON *ev, const cJSON *args, size_t i, raw_span *s)
{
    static const char *const old_ids[2] = {"fpsim_span", "fpsim_parent"};
    static const char *const new_ids[2] = {"span", "parent"};
    raw_extra x;
    fp_status st;
    int dup = 0;
    s->extra = TR_NO_EXTRA;
    const cJSON *fp = get(ev, "fpsim", &dup);
    if (args == NULL && fp == NULL)
        return FP_OK;
    memset(&x, 0, sizeof(x));
    x.fpsim_span = -1.0;
    x.fpsim_parent = -1.0;
    if (args != NULL && (st = extra_from(r, args, i, "args", old_ids, &x)) != FP_OK)
        return st;
    if (fp != NULL) {
        char path[96];
        if (dup)
            return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "fpsim"),
                           "duplicate key 'fpsim'");
        if (!cJSON_IsObject(fp))
            return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "fpsim"),
                           "expected an object, got %s", type_name(fp));
        if ((st = extra_from(r, fp, i, "fpsim", new_ids, &x)) != FP_OK)
            return st;
    }
    if (!x.has_attr && x.fpsim_span < 0.0 && x.fpsim_parent < 0.0)
        return FP_OK;
    if (r->n_extras >= TR_NO_EXTRA ||
        fp_grow((void **)&r->extras, &r->cap_extras, r->n_extras + 1, sizeof(raw_extra)) != FP_OK)
        return tr_nomem(r);
    s->extra = (uint32_t)r->n_extras;
    r->extras[r->n_extras++] = x;
    return FP_OK;
}

/* The extra of span `s`, NULL when it has none. */
static const raw_extra *extra_of(const trd *r, const raw_span *s)
{
    return s->extra != TR_NO_EXTRA ? &r->extras[s->extra] : NULL;
}

static fp_status add_span(trd *r, const raw_span *s)
{
    if (r->n_spans >= (size_t)INT32_MAX)
        return fp_error_set_at(r->err, FP_ELIMIT, r->file, 0, 0, "more than 2^31 spans");
    if (fp_grow((void **)&r->spans, &r->cap_spans, r->n_spans + 1, sizeof(raw_span)) != FP_OK)
        return tr_nomem(r);
    r->spans[r->n_spans++] = *s;
    return FP_OK;
}

static void note_ignored(trd *r, const char *ph)
{
    if (r->stats == NULL)
        return;
    r->stats->ignored++;
    char *list = r->stats->ignored_phases;
    size_t len = strlen(list);
    /* Already listed? Entries are comma separated. */
    for (const char *c = list; *c != '\0';) {
        size_t n = strcspn(c, ",");
        if (n == strlen(ph) && strncmp(c, ph, n) == 0)
            return;
        c += n;
        if (*c == ',')
            c++;
    }
    if (len + strlen(ph) + 2 < sizeof(r->stats->ignored_phases))
        snprintf(list + len, sizeof(r->stats->ignored_phases) - len, "%s%s", len ? "," : "", ph);
}

/* Lower-case copy of "name.key" into buf. */
static void lower_join(char *buf, size_t size, const char *a, const char *b)
{
    snprintf(buf, size, "%s.%s", a, b);
    for (char *c = buf; *c != '\0'; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
}

/* Series a counter feeds (SER_*), or -1; *bytes set when the value is in bytes (memory). */
static int classify_counter(const char *lname, int *bytes)
{
    *bytes = strstr(lname, "byte") != NULL;
    if (strstr(lname, "cpu") != NULL)
        return SER_CPU;
    if (strstr(lname, "mem") != NULL || strstr(lname, "rss") != NULL ||
        strstr(lname, "heap") != NULL)
        return SER_MEM;
    if (strncmp(lname, "io.", 3) == 0 || strstr(lname, "io_") != NULL ||
        strstr(lname, "disk") != NULL) {
        if (strstr(lname, "byte") != NULL)
            return SER_IOBYTES;
        if (strstr(lname, "op") != NULL)
            return SER_IOOPS;
    }
    return -1;
}

/* Appends one sample to series k when `owner` ("name.key", lower case) feeds it: the first
 * source of a kind owns the series, a second one is skipped. Sets *used when taken. */
static fp_status push_sample(trd *r, int k, const char *owner, double ts, double v, int *used)
{
    if (r->series_owner[k] == NULL) {
        r->series_owner[k] = fp_strdup(owner);
        if (r->series_owner[k] == NULL)
            return tr_nomem(r);
    } else if (strcmp(r->series_owner[k], owner) != 0) {
        return FP_OK;
    }
    if (fp_grow((void **)&r->samples[k], &r->cap_samples[k], r->n_samples[k] + 1,
                sizeof(raw_sample)) != FP_OK)
        return tr_nomem(r);
    r->samples[k][r->n_samples[k]].ts = ts;
    r->samples[k][r->n_samples[k]].value = v;
    r->samples[k][r->n_samples[k]].seq = r->n_samples[k];
    r->n_samples[k]++;
    *used = 1;
    return FP_OK;
}

static fp_status read_counter(trd *r, const cJSON *ev, size_t i, const char *name)
{
    double ts;
    const cJSON *args;
    char path[160];
    fp_status st = want_time(r, ev, i, "ts", &ts);
    if (st == FP_OK)
        st = want_args(r, ev, i, &args);
    if (st != FP_OK)
        return st;
    if (ts > r->end_ts)
        r->end_ts = ts;
    int used = 0;
    for (const cJSON *a = args != NULL ? args->child : NULL; a != NULL; a = a->next) {
        if (!cJSON_IsNumber(a) || !isfinite(a->valuedouble))
            return tr_fail(r, FP_EINVAL, arg_path(path, sizeof(path), i, a->string),
                           "expected a finite number, got %s",
                           cJSON_IsNumber(a) ? "a non-finite number" : type_name(a));
        char lname[256];
        int bytes;
        lower_join(lname, sizeof(lname), name, a->string);
        int k = classify_counter(lname, &bytes);
        if (k < 0)
            continue;
        double v = a->valuedouble;
        if (v < 0.0)
            return tr_fail(r, FP_EINVAL, arg_path(path, sizeof(path), i, a->string),
                           "expected a non-negative number, got %.17g", v);
        if (k == SER_MEM && bytes)
            v /= 1048576.0;
        if (k == SER_CPU && v > 100.0)
            v = 100.0;
        fp_status st2 = push_sample(r, k, lname, ts, v, &used);
        if (st2 != FP_OK)
            return st2;
    }
    if (r->stats != NULL) {
        if (used)
            r->stats->counters++;
        else
            note_ignored(r, "C");
    }
    return FP_OK;
}

/* ---- tracer conventions (docs/real-traces.md) ---- */

/* Scheduler wrappers: containers of the user code they run (FP_METHOD_CONTAINER). */
static const char *const s_containers[] = {
    /* Node.js event-loop phases (category node.environment) */
    "RunTimers", "CheckImmediate", "RunAndClearNativeImmediates", "RunAndClearInterrupts",
    /* Chromium task scheduling (toplevel) */
    "RunTask", "ThreadControllerImpl::RunTask", "ThreadPool_RunTask", "ThreadController active",
    "SequenceManager RunTask", "TaskQueueManager::ProcessTaskFromWorkQueue",
    "MessageLoop::RunTask"};

/* Categories whose async b/e events are the user's own spans. */
static const char *const s_user_timing[] = {"node.console", "node.perf.usertiming",
                                            "blink.user_timing", "blink.console"};

/* A string member `key` of `obj` (NULL when absent, not a string or empty). */
static const char *str_member(const cJSON *obj, const char *key)
{
    int dup = 0;
    const cJSON *it = obj != NULL && cJSON_IsObject(obj) ? get(obj, key, &dup) : NULL;
    return it != NULL && cJSON_IsString(it) && it->valuestring[0] != '\0' ? it->valuestring : NULL;
}

/* 1 when the comma-separated category list `cat` holds one of `list`. */
static int cat_has(const char *cat, const char *const *list, size_t n)
{
    for (const char *c = cat; c != NULL && *c != '\0';) {
        size_t len = strcspn(c, ",");
        for (size_t k = 0; k < n; k++)
            if (strlen(list[k]) == len && strncmp(c, list[k], len) == 0)
                return 1;
        c += len;
        if (*c == ',')
            c++;
    }
    return 0;
}

/* Longest subject kept from args in a method name, bytes. */
#define TR_SUBJECT_MAX 240

/*
 * The method of a span: its event name, followed by the subject the tracer put in args when the
 * name is generic: clang's args.detail ("Source /usr/include/c++/12/regex", "InstantiateFunction
 * std::sort<int *>"), V8's args.data.functionName ("FunctionCall longTask"). Scheduler wrappers
 * are flagged as containers.
 */
static fp_status intern_span(trd *r, const char *name, const cJSON *args, uint32_t *method)
{
    const char *subject = str_member(args, "detail");
    if (subject == NULL && args != NULL) {
        int dup = 0;
        const cJSON *data = get(args, "data", &dup);
        subject = str_member(data, "functionName");
    }
    fp_status st;
    size_t known = fp_profile_method_count(r->p);
    if (subject != NULL) {
        char buf[512];
        snprintf(buf, sizeof(buf), "%.200s %.*s", name, TR_SUBJECT_MAX, subject);
        st = fp_profile_intern_method(r->p, buf, method);
    } else {
        st = fp_profile_intern_method(r->p, name, method);
    }
    if (st != FP_OK)
        return tr_nomem(r);
    /* A method seen before already has its flags (the names are compared once per method). */
    for (size_t k = 0; *method >= known && k < sizeof(s_containers) / sizeof(s_containers[0]); k++)
        if (strcmp(name, s_containers[k]) == 0 &&
            fp_profile_set_method_flags(r->p, *method, FP_METHOD_CONTAINER) != FP_OK)
            return tr_nomem(r);
    return FP_OK;
}

/*
 * Memory the tracer wrote in an event's args: V8's heap size after a GC
 * (args.usedHeapSizeAfter, on MinorGC / MajorGC ends and V8.GC* events) and Chromium's
 * UpdateCounters (args.data.jsHeapSizeUsed), in bytes. Feeds the memory series unless a C
 * counter or another process (`pid`: the first one seen wins) claimed it first. Sets *used when a
 * sample was taken.
 */
static fp_status heap_sample(trd *r, const cJSON *args, int64_t pid, double ts, int *used)
{
    static const struct {
        const char *data; /* member of args holding the object, NULL: args itself */
        const char *key;
        const char *owner;
    } s_heap[] = {{NULL, "usedHeapSizeAfter", "v8.usedheapsizeafter"},
                  {"data", "jsHeapSizeUsed", "blink.jsheapsizeused"}};
    if (args == NULL)
        return FP_OK;
    for (size_t k = 0; k < sizeof(s_heap) / sizeof(s_heap[0]); k++) {
        int dup = 0;
        const cJSON *obj = s_heap[k].data != NULL ? get(args, s_heap[k].data, &dup) : args;
        const cJSON *v = obj != NULL && cJSON_IsObject(obj) ? get(obj, s_heap[k].key, &dup) : NULL;
        if (v == NULL || !cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0.0)
            continue;
        char owner[64];
        snprintf(owner, sizeof(owner), "%s@%" PRId64, s_heap[k].owner, pid);
        fp_status st = push_sample(r, SER_MEM, owner, ts, v->valuedouble / 1048576.0, used);
        if (st != FP_OK)
            return st;
    }
    return FP_OK;
}

/* A hex string of at most 16 digits ("2556000", as memory-infra writes sizes) in *out. */
static int hex_bytes(const char *s, double *out)
{
    size_t n = s != NULL ? strlen(s) : 0;
    uint64_t v = 0;
    if (n == 0 || n > 16)
        return 0;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        v = v * 16 + (uint64_t)d;
    }
    *out = (double)v;
    return 1;
}

/*
 * Chromium's memory-infra dump (a `v` event, docs/real-traces.md): the process's private
 * footprint, args.dumps.process_totals.private_footprint_bytes (else resident_set_bytes), a hex
 * string of bytes, at the event's ts. Feeds the memory series like heap_sample(): the first
 * source and the first process win. A dump without those totals or without a numeric ts is
 * only counted as ignored (the allocator trees are not read). Sets *used when a sample was taken.
 */
static fp_status dump_sample(trd *r, const cJSON *ev, size_t i, int *used)
{
    static const char *const keys[] = {"private_footprint_bytes", "resident_set_bytes"};
    int dup = 0;
    const cJSON *args = get(ev, "args", &dup);
    const cJSON *dumps = args != NULL && cJSON_IsObject(args) ? get(args, "dumps", &dup) : NULL;
    const cJSON *tot =
        dumps != NULL && cJSON_IsObject(dumps) ? get(dumps, "process_totals", &dup) : NULL;
    const cJSON *ts = get(ev, "ts", &dup);
    if (tot == NULL || !cJSON_IsObject(tot) || ts == NULL || !cJSON_IsNumber(ts))
        return FP_OK;
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        double bytes, t;
        int64_t pid;
        if (!hex_bytes(str_member(tot, keys[k]), &bytes))
            continue;
        fp_status st = want_time(r, ev, i, "ts", &t);
        if (st == FP_OK)
            st = want_id(r, ev, i, "pid", &pid);
        if (st != FP_OK)
            return st;
        char owner[80];
        snprintf(owner, sizeof(owner), "chromium.%s@%" PRId64, keys[k], pid);
        if ((st = push_sample(r, SER_MEM, owner, t, bytes / 1048576.0, used)) != FP_OK)
            return st;
        if (*used && t > r->end_ts)
            r->end_ts = t;
        return FP_OK;
    }
    return FP_OK;
}

/* The core hash of the id text and the category as one key, a NUL byte between them. */
static uint64_t async_id(const char *idtext, const char *cat)
{
    uint64_t h = FP_HASH_INIT;
    if (idtext != NULL)
        h = fp_hash_bytes_from(h, idtext, strlen(idtext));
    h = fp_hash_bytes_from(h, "", 1);
    return cat != NULL ? fp_hash_bytes_from(h, cat, strlen(cat)) : h;
}

/*
 * Keeps an i / I / n instant as a marker (docs/real-traces.md, "Instants"): its name (or ""), its
 * ts, and its thread when thread-scoped. An instant without a valid ts is only counted. Markers
 * are optional, so malformed fields are never an error here.
 */
static fp_status keep_instant(trd *r, const cJSON *ev)
{
    int dup = 0;
    const cJSON *ts = get(ev, "ts", &dup);
    if (dup || !cJSON_IsNumber(ts) || !isfinite(ts->valuedouble))
        return FP_OK;
    const char *name = str_member(ev, "name");
    const char *scope = str_member(ev, "s");
    const cJSON *pid = get(ev, "pid", &dup), *tid = get(ev, "tid", &dup);
    raw_instant in;
    memset(&in, 0, sizeof(in));
    in.ts = ts->valuedouble;
    /* pid and tid: absent means 0, as for spans (want_id); one that is not a valid id (say
     * 1e84, which no int64_t holds) makes the instant a process-wide marker */
    in.on_thread = (scope == NULL || strcmp(scope, "t") == 0) && (pid == NULL || id_valid(pid)) &&
                   (tid == NULL || id_valid(tid));
    if (in.on_thread) {
        in.pid = pid != NULL ? (int64_t)pid->valuedouble : 0;
        in.tid = tid != NULL ? (int64_t)tid->valuedouble : 0;
    }
    if (name == NULL)
        name = "";
    size_t len = strlen(name) + 1;
    if (fp_grow((void **)&r->instants, &r->cap_instants, r->n_instants + 1, sizeof(raw_instant)) !=
            FP_OK ||
        fp_grow((void **)&r->inames, &r->inames_cap, r->inames_len + len, 1) != FP_OK)
        return tr_nomem(r);
    memcpy(r->inames + r->inames_len, name, len);
    in.name_off = r->inames_len;
    in.seq = r->n_instants;
    r->inames_len += len;
    r->instants[r->n_instants++] = in;
    return FP_OK;
}

/*
 * Thread CPU time (docs/real-traces.md): Chromium and Node.js write the thread clock `tts` on
 * events and the thread duration `tdur` on X events, in microseconds. A value that is absent, not
 * a number, negative or not finite is no data (never an error: the wall-clock fields are what a
 * trace must have). Returns the value or -1.
 */
static double thread_time(const cJSON *ev, const char *key)
{
    int dup = 0;
    const cJSON *v = get(ev, key, &dup);
    if (dup || !cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
        return -1.0;
    return v->valuedouble;
}

/* Sets span s's CPU share from `thread_us` of thread time over its wall time (capped at 100 %:
 * the two clocks are sampled separately); nothing when either is unknown or the span is empty. */
static void span_cpu(trd *r, raw_span *s, double thread_us)
{
    double wall = s->end - s->ts;
    if (!(thread_us >= 0) || !(wall > 0))
        return;
    double pct = 100.0 * thread_us / wall;
    s->cpu = (float)(pct > 100.0 ? 100.0 : pct);
    s->has_cpu = 1;
    r->cpu_spans++;
}

/*
 * Nestable async b/e (and legacy S/F) events. Those of a user-timing category (console.time,
 * performance.measure) are collected for match_async; others, and async instants (n), are
 * ignored with a count.
 */
static fp_status read_async(trd *r, const cJSON *ev, size_t i, const char *phase)
{
    const char *cat = str_member(ev, "cat");
    const char *name = NULL;
    fp_status st;
    int begin = phase[0] == 'b' || phase[0] == 'S';
    if (phase[0] == 'n' ||
        !cat_has(cat, s_user_timing, sizeof(s_user_timing) / sizeof(s_user_timing[0]))) {
        note_ignored(r, phase);
        return FP_OK;
    }
    async_mark m;
    memset(&m, 0, sizeof(m));
    m.begin = begin;
    m.ev = i;
    if ((st = want_name(r, ev, i, 1, &name)) != FP_OK ||
        (st = want_time(r, ev, i, "ts", &m.ts)) != FP_OK ||
        (st = want_id(r, ev, i, "pid", &m.pid)) != FP_OK ||
        (st = want_id(r, ev, i, "tid", &m.tid)) != FP_OK)
        return st;
    /* console.time('x') is traced as "time::x": the user's label is the name. */
    if (strncmp(name, "time::", 6) == 0 && name[6] != '\0')
        name += 6;
    if (fp_profile_intern_method(r->p, name, &m.method) != FP_OK)
        return tr_nomem(r);
    int dup = 0;
    const cJSON *id = get(ev, "id", &dup);
    if (id == NULL)
        id = get(ev, "id2", &dup);
    char num[32];
    const char *idtext = NULL;
    if (id != NULL && cJSON_IsString(id)) {
        idtext = id->valuestring;
    } else if (id != NULL && cJSON_IsNumber(id)) {
        snprintf(num, sizeof(num), "%.17g", id->valuedouble);
        idtext = num;
    } else if (id != NULL && cJSON_IsObject(id)) {
        idtext =
            str_member(id, "local") != NULL ? str_member(id, "local") : str_member(id, "global");
    }
    m.id = async_id(idtext, cat);
    m.tts = thread_time(ev, "tts");
    if (m.ts > r->end_ts)
        r->end_ts = m.ts;
    if (fp_grow((void **)&r->amarks, &r->cap_amarks, r->n_amarks + 1, sizeof(async_mark)) != FP_OK)
        return tr_nomem(r);
    r->amarks[r->n_amarks++] = m;
    return FP_OK;
}

static fp_status read_event(trd *r, const cJSON *ev, size_t i)
{
    char path[96];
    if (!cJSON_IsObject(ev))
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, NULL),
                       "expected an object, got %s", type_name(ev));
    int dup = 0;
    const cJSON *ph = get(ev, "ph", &dup);
    if (dup)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "ph"), "duplicate key 'ph'");
    if (ph == NULL)
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "ph"), "missing field 'ph'");
    if (!cJSON_IsString(ph) || ph->valuestring[0] == '\0')
        return tr_fail(r, FP_EINVAL, ev_path(path, sizeof(path), i, "ph"),
                       "expected a one-letter phase string, got %s",
                       cJSON_IsString(ph) ? "\"\"" : type_name(ph));
    const char *phase = ph->valuestring;
    const char *name = NULL;
    fp_status st;
    if (strcmp(phase, "X") == 0) {
        raw_span s;
        double dur;
        const cJSON *args;
        memset(&s, 0, sizeof(s));
        if ((st = want_name(r, ev, i, 1, &name)) != FP_OK ||
            (st = want_time(r, ev, i, "ts", &s.ts)) != FP_OK ||
            (st = want_time(r, ev, i, "dur", &dur)) != FP_OK ||
            (st = want_id(r, ev, i, "pid", &s.pid)) != FP_OK ||
            (st = want_id(r, ev, i, "tid", &s.tid)) != FP_OK ||
            (st = want_args(r, ev, i, &args)) != FP_OK ||
            (st = span_args(r, ev, args, i, &s)) != FP_OK)
            return st;
        /* clang's "Total <phase>" events sum a phase over the compile: a summary, not work. */
        if (strncmp(name, "Total ", 6) == 0) {
            if (s.extra != TR_NO_EXTRA)
                r->n_extras--; /* no span, so no extra */
            if (r->stats != NULL)
                r->stats->summaries++;
            return FP_OK;
        }
        int used = 0;
        if ((st = heap_sample(r, args, s.pid, s.ts + dur, &used)) != FP_OK)
            return st;
        s.end = s.ts + dur;
        s.ev = s.end_ev = i;
        s.is_x = 1;
        span_cpu(r, &s, thread_time(ev, "tdur"));
        if (s.end > r->end_ts)
            r->end_ts = s.end;
        if ((st = intern_span(r, name, args, &s.method)) != FP_OK)
            return st;
        return add_span(r, &s);
    }
    if (strcmp(phase, "B") == 0 || strcmp(phase, "E") == 0) {
        raw_mark m;
        memset(&m, 0, sizeof(m));
        m.begin = phase[0] == 'B';
        m.ev = i;
        m.obj = ev;
        m.tts = thread_time(ev, "tts");
        if ((st = want_name(r, ev, i, m.begin, &name)) != FP_OK ||
            (st = want_time(r, ev, i, "ts", &m.ts)) != FP_OK ||
            (st = want_id(r, ev, i, "pid", &m.pid)) != FP_OK ||
            (st = want_id(r, ev, i, "tid", &m.tid)) != FP_OK)
            return st;
        const cJSON *args;
        int used = 0;
        if ((st = want_args(r, ev, i, &args)) != FP_OK ||
            (st = heap_sample(r, args, m.pid, m.ts, &used)) != FP_OK)
            return st;
        if (m.ts > r->end_ts)
            r->end_ts = m.ts;
        if (fp_grow((void **)&r->marks, &r->cap_marks, r->n_marks + 1, sizeof(raw_mark)) != FP_OK)
            return tr_nomem(r);
        r->marks[r->n_marks++] = m;
        return FP_OK;
    }
    if (strcmp(phase, "C") == 0) {
        if ((st = want_name(r, ev, i, 1, &name)) != FP_OK)
            return st;
        return read_counter(r, ev, i, name);
    }
    if (strcmp(phase, "M") == 0) {
        const cJSON *args;
        if ((st = want_name(r, ev, i, 1, &name)) != FP_OK ||
            (st = want_args(r, ev, i, &args)) != FP_OK)
            return st;
        if (strcmp(name, "process_name") == 0 || strcmp(name, "thread_name") == 0) {
            const cJSON *v = args != NULL ? get(args, "name", &dup) : NULL;
            if (v == NULL || !cJSON_IsString(v)) {
                snprintf(path, sizeof(path), "traceEvents[%zu].args.name", i);
                return tr_fail(r, FP_EINVAL, path, "expected a string, got %s", type_name(v));
            }
            if (name[0] == 'p' && r->process_name == NULL)
                r->process_name = v->valuestring;
        }
        if (r->stats != NULL)
            r->stats->metadata++;
        return FP_OK;
    }
    if (strchr("benSF", phase[0]) != NULL && phase[1] == '\0') {
        if (phase[0] == 'n') {
            if (r->stats != NULL)
                r->stats->instants++;
            return keep_instant(r, ev);
        }
        return read_async(r, ev, i, phase);
    }
    if ((phase[0] == 'I' || phase[0] == 'i') && phase[1] == '\0') {
        /* Instants are kept only for the memory they carry (Chromium's UpdateCounters). */
        const cJSON *args;
        double ts;
        int64_t pid;
        int used = 0;
        if ((st = want_args(r, ev, i, &args)) != FP_OK)
            return st;
        if (args != NULL && get(ev, "ts", &dup) != NULL) {
            if ((st = want_time(r, ev, i, "ts", &ts)) != FP_OK ||
                (st = want_id(r, ev, i, "pid", &pid)) != FP_OK ||
                (st = heap_sample(r, args, pid, ts, &used)) != FP_OK)
                return st;
            if (used && ts > r->end_ts)
                r->end_ts = ts;
        }
        if (used) {
            if (r->stats != NULL)
                r->stats->counters++;
            return FP_OK;
        }
        if (r->stats != NULL)
            r->stats->instants++;
        return keep_instant(r, ev);
    }
    if (phase[0] == 'v' && phase[1] == '\0') {
        int used = 0;
        if ((st = dump_sample(r, ev, i, &used)) != FP_OK)
            return st;
        if (used) {
            if (r->stats != NULL)
                r->stats->counters++;
            return FP_OK;
        }
    }
    note_ignored(r, phase);
    return FP_OK;
}

/* Sort keys for B/E matching: thread, time, then file order (stable). */
static int cmp_marks(const void *a, const void *b)
{
    const raw_mark *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->ev < y->ev ? -1 : (x->ev > y->ev);
}

/* Turns B event `b` ended by `e` (NULL: cut off at `end`) into a span. */
static fp_status close_span(trd *r, const raw_mark *b, const raw_mark *e, double end)
{
    raw_span s;
    const cJSON *args;
    int dup = 0;
    const cJSON *bn = get(b->obj, "name", &dup);
    fp_status st;
    memset(&s, 0, sizeof(s));
    s.pid = b->pid;
    s.tid = b->tid;
    s.ts = b->ts;
    s.end = end;
    s.ev = b->ev;
    s.end_ev = e != NULL ? e->ev : b->ev;
    if ((st = want_args(r, b->obj, b->ev, &args)) != FP_OK ||
        (st = span_args(r, b->obj, args, b->ev, &s)) != FP_OK)
        return st;
    if ((st = intern_span(r, bn->valuestring, args, &s.method)) != FP_OK)
        return st;
    if (e != NULL && b->tts >= 0 && e->tts >= b->tts)
        span_cpu(r, &s, e->tts - b->tts);
    return add_span(r, &s);
}

/* Matches B/E pairs per thread into spans. */
static fp_status match_marks(trd *r)
{
    fp_status st = FP_OK;
    size_t *stack = NULL;
    char path[96];
    if (r->n_marks == 0)
        return FP_OK;
    qsort(r->marks, r->n_marks, sizeof(raw_mark), cmp_marks);
    stack = fp_calloc(r->n_marks, sizeof(size_t));
    if (stack == NULL)
        return tr_nomem(r);
    size_t depth = 0;
    for (size_t i = 0; i <= r->n_marks; i++) {
        const raw_mark *m = i < r->n_marks ? &r->marks[i] : NULL;
        /* A new thread (or the end): a B still open was cut off when tracing stopped (Chromium
         * writes these); it lasts until the end of the trace, as in Perfetto. */
        while (depth > 0 && (m == NULL || m->pid != r->marks[stack[0]].pid ||
                             m->tid != r->marks[stack[0]].tid)) {
            const raw_mark *b = &r->marks[stack[--depth]];
            if ((st = close_span(r, b, NULL, r->end_ts)) != FP_OK)
                goto out;
            if (r->stats != NULL)
                r->stats->unclosed++;
        }
        if (m == NULL)
            break;
        if (m->begin) {
            stack[depth++] = i;
            continue;
        }
        snprintf(path, sizeof(path), "traceEvents[%zu]", m->ev);
        if (depth == 0) {
            st = tr_fail(r, FP_EINVAL, path,
                         "E event without a matching B on pid %" PRId64 " tid %" PRId64, m->pid,
                         m->tid);
            goto out;
        }
        const raw_mark *b = &r->marks[stack[--depth]];
        int dup = 0;
        const cJSON *bn = get(b->obj, "name", &dup);
        const cJSON *en = get(m->obj, "name", &dup);
        if (en != NULL && en->valuestring[0] != '\0' && strcmp(en->valuestring, bn->valuestring)) {
            snprintf(path, sizeof(path), "traceEvents[%zu].name", m->ev);
            st = tr_fail(r, FP_EINVAL, path,
                         "E event '%.60s' does not match the open B event '%.60s' "
                         "(traceEvents[%zu])",
                         en->valuestring, bn->valuestring, b->ev);
            goto out;
        }
        if ((st = close_span(r, b, m, m->ts)) != FP_OK)
            goto out;
    }
out:
    fp_free(stack);
    return st;
}

/* Sort keys for async matching: pid, method, id, time, file order. */
static int cmp_amarks(const void *a, const void *b)
{
    const async_mark *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->method != y->method)
        return x->method < y->method ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->ev < y->ev ? -1 : (x->ev > y->ev);
}

typedef struct lane_key {
    int64_t pid, tid;
    double ts, end;
    size_t ix;
} lane_key;

static int cmp_lane(const void *a, const void *b)
{
    const lane_key *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->ix < y->ix ? -1 : (x->ix > y->ix);
}

/*
 * Matches user-timing b/e pairs (same pid, name and id, in time order; nestable ids stack) into
 * spans, then puts them on async lanes of the thread that began them: lane 1, 2, ... each hold
 * spans that do not overlap, the first free lane taken in start order. An e without a b is
 * ignored with a count (the trace started after it began); a b without an e lasts until the end
 * of the trace (stats->unclosed), as B events do.
 */
static fp_status match_async(trd *r)
{
    fp_status st = FP_OK;
    size_t *stack = NULL;
    lane_key *keys = NULL;
    double *lane_end = NULL;
    size_t first = r->n_spans;
    if (r->n_amarks == 0)
        return FP_OK;
    qsort(r->amarks, r->n_amarks, sizeof(async_mark), cmp_amarks);
    stack = fp_calloc(r->n_amarks, sizeof(size_t));
    if (stack == NULL)
        return tr_nomem(r);
    size_t depth = 0;
    for (size_t i = 0; i <= r->n_amarks; i++) {
        const async_mark *m = i < r->n_amarks ? &r->amarks[i] : NULL;
        const async_mark *top = depth > 0 ? &r->amarks[stack[depth - 1]] : NULL;
        while (depth > 0 &&
               (m == NULL || m->pid != top->pid || m->method != top->method || m->id != top->id)) {
            const async_mark *b = &r->amarks[stack[--depth]];
            raw_span sp;
            memset(&sp, 0, sizeof(sp));
            sp.method = b->method;
            sp.pid = b->pid;
            sp.tid = b->tid;
            sp.ts = b->ts;
            sp.end = r->end_ts;
            sp.ev = sp.end_ev = b->ev;
            sp.extra = TR_NO_EXTRA;
            sp.lane = 1;
            if ((st = add_span(r, &sp)) != FP_OK)
                goto out;
            if (r->stats != NULL)
                r->stats->unclosed++;
        }
        if (m == NULL)
            break;
        if (m->begin) {
            stack[depth++] = i;
            continue;
        }
        if (depth == 0) {
            note_ignored(r, "e");
            continue;
        }
        const async_mark *b = &r->amarks[stack[--depth]];
        raw_span sp;
        memset(&sp, 0, sizeof(sp));
        sp.method = b->method;
        sp.pid = b->pid;
        sp.tid = b->tid;
        sp.ts = b->ts;
        sp.end = m->ts;
        sp.ev = b->ev;
        sp.end_ev = m->ev;
        sp.extra = TR_NO_EXTRA;
        sp.lane = 1;
        /* the thread's CPU over the user span, when both ends are on the same thread */
        if (b->tid == m->tid && b->tts >= 0 && m->tts >= b->tts)
            span_cpu(r, &sp, m->tts - b->tts);
        if ((st = add_span(r, &sp)) != FP_OK)
            goto out;
    }
    /* Lanes: per thread, in start order, the first lane whose last span has ended. */
    size_t na = r->n_spans - first;
    if (na == 0)
        goto out;
    keys = fp_calloc(na, sizeof(lane_key));
    lane_end = fp_calloc(na, sizeof(double));
    if (keys == NULL || lane_end == NULL) {
        st = tr_nomem(r);
        goto out;
    }
    for (size_t k = 0; k < na; k++) {
        const raw_span *sp = &r->spans[first + k];
        keys[k] = (lane_key){sp->pid, sp->tid, sp->ts, sp->end, first + k};
    }
    qsort(keys, na, sizeof(lane_key), cmp_lane);
    size_t lanes = 0;
    for (size_t k = 0; k < na; k++) {
        if (k > 0 && (keys[k].pid != keys[k - 1].pid || keys[k].tid != keys[k - 1].tid))
            lanes = 0;
        size_t l = 0;
        while (l < lanes && lane_end[l] > keys[k].ts + TR_TOL_US)
            l++;
        if (l == lanes)
            lanes++;
        lane_end[l] = keys[k].end;
        r->spans[keys[k].ix].lane = (int32_t)l + 1;
    }
out:
    fp_free(stack);
    fp_free(keys);
    fp_free(lane_end);
    return st;
}

typedef struct ord {
    uint32_t track;
    double ts, end;
    size_t ev;
    size_t ix;
} ord;

/* Track, start, longer first (the enclosing span first), event index. */
static int cmp_ord(const void *a, const void *b)
{
    const ord *x = a, *y = b;
    if (x->track != y->track)
        return x->track < y->track ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return x->ev < y->ev ? -1 : (x->ev > y->ev);
}

/* Start, then track, then event index: the order siblings are stored in. */
static int cmp_start(const void *a, const void *b)
{
    const ord *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    if (x->track != y->track)
        return x->track < y->track ? -1 : 1;
    return x->ev < y->ev ? -1 : (x->ev > y->ev);
}

typedef struct thread_key {
    int64_t pid, tid;
    int lane;
} thread_key;

static int cmp_thread(const void *a, const void *b)
{
    const thread_key *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    return x->lane < y->lane ? -1 : (x->lane > y->lane);
}

/* The innermost span of track `track` that encloses [ts, end], or -1. `o` is sorted by cmp_ord
 * and spans on one track are nested: every span enclosing [ts, end] encloses the last span of
 * the track starting at or before ts, so the answer is on that span's parent chain. */
static long enclosing(const trd *r, const ord *o, size_t n, uint32_t track, double ts, double end)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o[mid].track < track || (o[mid].track == track && o[mid].ts <= ts))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || o[lo - 1].track != track)
        return -1;
    for (long k = (long)o[lo - 1].ix; k >= 0; k = r->spans[k].parent)
        if (r->spans[k].ts <= ts + TR_TOL_US && end <= r->spans[k].end + TR_TOL_US)
            return k;
    return -1;
}

typedef struct id_ix {
    double id;
    size_t ix;
} id_ix;

static int cmp_id(const void *a, const void *b)
{
    const id_ix *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->ix < y->ix ? -1 : (x->ix > y->ix);
}

static void end_path(const raw_span *s, char *path, size_t size)
{
    if (s->is_x)
        snprintf(path, size, "traceEvents[%zu].dur", s->ev);
    else if (s->end_ev == s->ev)
        snprintf(path, size, "traceEvents[%zu]", s->ev);
    else
        snprintf(path, size, "traceEvents[%zu].ts", s->end_ev);
}

/* The kept instants as profile markers, times relative to t0 (microseconds; the first instant
 * when the trace has no span or sample), each on its thread's own track (lane 0) when the
 * thread has spans. `threads` (nt unique keys, sorted by cmp_thread) may be NULL. */
static fp_status build_markers(trd *r, double t0, const thread_key *threads, size_t nt)
{
    if (r->n_instants > 1) /* in time order */
        qsort(r->instants, r->n_instants, sizeof(raw_instant), cmp_instant);
    if (!isfinite(t0))
        for (size_t i = 0; i < r->n_instants; i++)
            if (i == 0 || r->instants[i].ts < t0)
                t0 = r->instants[i].ts;
    for (size_t i = 0; i < r->n_instants; i++) {
        const raw_instant *in = &r->instants[i];
        uint32_t track = FP_MARKER_NO_TRACK;
        if (in->on_thread && nt > 0) {
            thread_key k = {in->pid, in->tid, 0};
            const thread_key *hit = bsearch(&k, threads, nt, sizeof(thread_key), cmp_thread);
            if (hit != NULL)
                track = (uint32_t)(hit - threads);
        }
        if (fp_profile_add_marker(r->p, r->inames + in->name_off, (in->ts - t0) / 1e6, track) !=
            FP_OK)
            return tr_nomem(r);
    }
    return FP_OK;
}

/* Assigns tracks, nests spans per thread and across tracks (fpsim_parent), then appends them to
 * the profile in pre-order with times relative to t0 (microseconds); the markers too. */
static fp_status build_spans(trd *r, double t0)
{
    size_t n = r->n_spans;
    fp_status st = FP_OK;
    thread_key *threads = NULL;
    ord *o = NULL;
    size_t *stack = NULL;
    id_ix *ids = NULL;
    char path[96];
    if (n == 0)
        return build_markers(r, t0, NULL, 0);
    threads = fp_calloc(n, sizeof(thread_key));
    o = fp_calloc(n, sizeof(ord));
    stack = fp_calloc(n, sizeof(size_t));
    ids = fp_calloc(n, sizeof(id_ix));
    if (threads == NULL || o == NULL || stack == NULL || ids == NULL) {
        st = tr_nomem(r);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        threads[i].pid = r->spans[i].pid;
        threads[i].tid = r->spans[i].tid;
        threads[i].lane = r->spans[i].lane;
    }
    qsort(threads, n, sizeof(thread_key), cmp_thread);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++)
        if (nt == 0 || cmp_thread(&threads[nt - 1], &threads[i]) != 0)
            threads[nt++] = threads[i];
    if (r->stats != NULL)
        r->stats->threads = nt;
    for (size_t i = 0; i < n; i++) {
        raw_span *s = &r->spans[i];
        thread_key k = {s->pid, s->tid, s->lane};
        const thread_key *hit = bsearch(&k, threads, nt, sizeof(thread_key), cmp_thread);
        s->track = (uint32_t)(hit - threads);
        s->parent = s->first_child = s->last_child = s->next_sibling = -1;
        o[i].track = s->track;
        o[i].ts = s->ts;
        o[i].end = s->end;
        o[i].ev = s->ev;
        o[i].ix = i;
    }
    if ((st = build_markers(r, t0, threads, nt)) != FP_OK)
        goto out;
    /* Per thread: nest by interval. */
    qsort(o, n, sizeof(ord), cmp_ord);
    size_t depth = 0;
    for (size_t k = 0; k < n; k++) {
        raw_span *s = &r->spans[o[k].ix];
        if (k > 0 && o[k - 1].track != o[k].track)
            depth = 0;
        while (depth > 0 && r->spans[stack[depth - 1]].end <= s->ts + TR_TOL_US)
            depth--;
        if (depth > 0) {
            const raw_span *up = &r->spans[stack[depth - 1]];
            if (s->end > up->end + TR_TOL_US) {
                end_path(s, path, sizeof(path));
                st = tr_fail(r, FP_EINVAL, path,
                             "ends at %.17g us, after the enclosing event traceEvents[%zu] "
                             "(ends at %.17g us) on pid %" PRId64 " tid %" PRId64,
                             s->end, up->ev, up->end, s->pid, s->tid);
                goto out;
            }
            s->parent = (int32_t)stack[depth - 1];
        }
        stack[depth++] = o[k].ix;
    }
    /* Async lanes: a top-level user-timing span belongs to the thread span enclosing it (the
     * scheduler wrapper that ran it), so the wrapper's time goes to the user's code. */
    for (size_t i = 0; i < n; i++) {
        raw_span *s = &r->spans[i];
        if (s->lane == 0 || s->parent >= 0)
            continue;
        thread_key k = {s->pid, s->tid, 0};
        const thread_key *hit = bsearch(&k, threads, nt, sizeof(thread_key), cmp_thread);
        if (hit != NULL)
            s->parent = (int32_t)enclosing(r, o, n, (uint32_t)(hit - threads), s->ts, s->end);
    }
    /* Across tracks: fpsim's own traces name the parent of a span that runs on another track. */
    size_t nid = 0;
    for (size_t i = 0; i < n; i++) {
        const raw_extra *x = extra_of(r, &r->spans[i]);
        if (x != NULL && x->fpsim_span >= 0.0) {
            ids[nid].id = x->fpsim_span;
            ids[nid].ix = i;
            nid++;
        }
    }
    qsort(ids, nid, sizeof(id_ix), cmp_id);
    for (size_t i = 0; i < n; i++) {
        raw_span *s = &r->spans[i];
        const raw_extra *x = extra_of(r, s);
        if (s->parent >= 0 || x == NULL || x->fpsim_parent < 0.0)
            continue;
        id_ix key = {x->fpsim_parent, 0};
        size_t lo = 0, hi = nid;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ids[mid].id < key.id)
                lo = mid + 1;
            else
                hi = mid;
        }
        snprintf(path, sizeof(path), "traceEvents[%zu].%s", s->ev,
                 x->ids_in_fpsim ? "fpsim.parent" : "args.fpsim_parent");
        if (lo >= nid || ids[lo].id != key.id) {
            st = tr_fail(r, FP_EINVAL, path, "no event has fpsim_span %.17g", key.id);
            goto out;
        }
        const raw_span *up = &r->spans[ids[lo].ix];
        if (ids[lo].ix == i || s->ts < up->ts - TR_TOL_US || s->end > up->end + TR_TOL_US) {
            st = tr_fail(r, FP_EINVAL, path,
                         "span fpsim_span %.17g (traceEvents[%zu]) does not enclose this event",
                         key.id, up->ev);
            goto out;
        }
        s->parent = (int32_t)ids[lo].ix;
    }
    /* Children lists in sibling order; then a depth-first walk writes the pre-order. */
    qsort(o, n, sizeof(ord), cmp_start);
    int32_t roots_first = -1, roots_last = -1;
    for (size_t k = 0; k < n; k++) {
        int32_t ix = (int32_t)o[k].ix;
        raw_span *s = &r->spans[ix];
        int32_t *first = s->parent >= 0 ? &r->spans[s->parent].first_child : &roots_first;
        int32_t *last = s->parent >= 0 ? &r->spans[s->parent].last_child : &roots_last;
        if (*last >= 0)
            r->spans[*last].next_sibling = ix;
        else
            *first = ix;
        *last = ix;
    }
    /* The scratch of the nesting is not needed by the walk: freed before the profile's spans
     * are made (peak memory at 10^6 spans, docs/performance.md). */
    fp_free(threads);
    fp_free(o);
    fp_free(ids);
    threads = NULL;
    o = NULL;
    ids = NULL;
    if (fp_profile_reserve_spans(r->p, n) != FP_OK) {
        st = tr_nomem(r);
        goto out;
    }
    /* Walk: `stack` holds the open spans (raw indices). A span's profile index is kept in its
     * last_child, which the walk no longer needs (a parent is written before its children). */
    depth = 0;
    int32_t cur = roots_first;
    size_t out_n = 0;
    while (cur >= 0 || depth > 0) {
        if (cur < 0) {
            cur = r->spans[stack[--depth]].next_sibling;
            continue;
        }
        raw_span *s = &r->spans[cur];
        fp_span sp;
        memset(&sp, 0, sizeof(sp));
        sp.method = s->method;
        sp.parent = s->parent >= 0 ? r->spans[s->parent].last_child : -1;
        sp.track = s->track;
        sp.start_s = (s->ts - t0) / 1e6;
        sp.dur_s = (s->end - s->ts) / 1e6;
        const raw_extra *x = extra_of(r, s);
        if (s->has_cpu)
            sp.cpu_pct = s->cpu;
        if (x != NULL && x->has_attr) { /* the trace's own attributes (fpsim's export) win */
            sp.cpu_pct = x->attr[0];
            sp.mem_alloc_mb = x->attr[1];
            sp.mem_retained_mb = x->attr[2];
            sp.io_ops = x->attr[3];
            sp.io_bytes = x->attr[4];
        }
        if (out_n > (size_t)INT32_MAX) {
            st = fp_error_set_at(r->err, FP_ELIMIT, r->file, 0, 0, "more than 2^31 spans");
            goto out;
        }
        s->last_child = (int32_t)out_n++;
        if (fp_profile_add_span(r->p, &sp, NULL) != FP_OK) {
            st = tr_nomem(r);
            goto out;
        }
        stack[depth++] = (size_t)cur;
        cur = s->first_child;
    }
    /* Spans never reached from a root hang on a cycle of fpsim_parent links. */
    if (out_n != n)
        st = tr_fail(r, FP_EINVAL, "traceEvents", "fpsim_parent links form a cycle");
out:
    fp_free(threads);
    fp_free(o);
    fp_free(stack);
    fp_free(ids);
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : (x > y);
}

static int cmp_sample(const void *a, const void *b)
{
    const raw_sample *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Resamples the counters onto a fixed grid starting at t0 (sample-and-hold). */
static fp_status build_series(trd *r, double t0)
{
    size_t total = 0;
    fp_status st = FP_OK;
    double *ts = NULL;
    for (int k = 0; k < SER_COUNT; k++)
        total += r->n_samples[k];
    if (total == 0)
        return FP_OK;
    ts = fp_calloc(total, sizeof(double));
    if (ts == NULL)
        return tr_nomem(r);
    size_t m = 0;
    for (int k = 0; k < SER_COUNT; k++) {
        for (size_t i = 0; i < r->n_samples[k]; i++)
            ts[m++] = r->samples[k][i].ts;
        if (r->n_samples[k] > 0)
            qsort(r->samples[k], r->n_samples[k], sizeof(raw_sample), cmp_sample);
    }
    qsort(ts, m, sizeof(double), cmp_double);
    /* Distinct timestamps, then the gaps between them (in place). */
    size_t nd = 0;
    for (size_t i = 0; i < m; i++)
        if (nd == 0 || ts[i] != ts[nd - 1])
            ts[nd++] = ts[i];
    double last = ts[nd - 1];
    double interval_us = 1e5;
    if (nd >= 2) {
        for (size_t i = 0; i + 1 < nd; i++)
            ts[i] = ts[i + 1] - ts[i];
        qsort(ts, nd - 1, sizeof(double), cmp_double);
        size_t g = nd - 1;
        interval_us = g % 2 ? ts[g / 2] : 0.5 * (ts[g / 2 - 1] + ts[g / 2]);
    }
    double interval = interval_us / 1e6;
    /* Timestamps may be fractional: a median gap of a few denormals underflows to an interval
     * of 0 s, which the profile refuses (it is not an allocation failure). */
    if (!(interval >= DBL_MIN)) {
        st = tr_fail(r, FP_EINVAL, "traceEvents",
                     "counter timestamps are too close together to resample (median interval "
                     "%.17g us)",
                     interval_us);
        goto out;
    }
    double span = (last - t0) / interval_us;
    if (!(span < (double)TR_MAX_SAMPLES)) {
        st = fp_error_set_at(r->err, FP_ELIMIT, r->file, 0, 0,
                             "counter series would need more than %u samples at the median "
                             "interval of %.17g us",
                             TR_MAX_SAMPLES, interval_us);
        goto out;
    }
    size_t n = (size_t)floor(span + 0.5) + 1;
    double *arr[SER_COUNT];
    st = fp_profile_series_resize(r->p, n, interval, &arr[0], &arr[1], &arr[2], &arr[3]);
    if (st != FP_OK) {
        st = st == FP_ENOMEM ? tr_nomem(r)
                             : fp_error_set_at(r->err, st, r->file, 0, 0,
                                               "cannot resample counters at %.17g s", interval);
        goto out;
    }
    for (int k = 0; k < SER_COUNT; k++) {
        size_t j = 0;
        const raw_sample *s = r->samples[k];
        for (size_t i = 0; i < n; i++) {
            double g = t0 + (double)i * interval_us + interval_us * 1e-6;
            while (j < r->n_samples[k] && s[j].ts <= g)
                j++;
            /* Before the first sample, memory and CPU hold the first value; I/O is 0. */
            if (j > 0)
                arr[k][i] = s[j - 1].value;
            else if (r->n_samples[k] > 0 && (k == SER_MEM || k == SER_CPU))
                arr[k][i] = s[0].value;
        }
    }
    if (r->stats != NULL)
        r->stats->counter_interval_s = interval;
out:
    fp_free(ts);
    return st;
}

/* ======================================================================== top level */

/* Frees what a read holds (not the profile). */
static void trd_free(trd *r)
{
    for (int k = 0; k < SER_COUNT; k++) {
        fp_free(r->samples[k]);
        fp_free(r->series_owner[k]);
    }
    fp_free(r->spans);
    fp_free(r->extras);
    fp_free(r->marks);
    fp_free(r->amarks);
    fp_free(r->instants);
    fp_free(r->inames);
}

static void trd_init(trd *r, fp_profile *out, const char *file, fp_trace_stats *stats,
                     fp_error *err)
{
    memset(r, 0, sizeof(*r));
    r->err = err;
    r->file = file;
    r->p = out;
    r->stats = stats;
    if (stats != NULL)
        memset(stats, 0, sizeof(*stats));
    fp_profile_reset(out);
}

/* After every event was read: B/E pairs, then spans and series into the profile. */
static fp_status finish(trd *r, size_t n_events)
{
    fp_status st;
    fp_profile *out = r->p;
    if (r->stats != NULL)
        r->stats->events = n_events;
    if ((st = match_marks(r)) != FP_OK || (st = match_async(r)) != FP_OK)
        return st;
    /* Give back the doubling slack of the raw spans before the profile's own spans are built
     * next to them (up to half of the largest array of a large read). */
    if (r->n_spans > 0 && r->cap_spans > r->n_spans) {
        raw_span *shrunk = fp_realloc(r->spans, r->n_spans * sizeof(raw_span));
        if (shrunk != NULL) {
            r->spans = shrunk;
            r->cap_spans = r->n_spans;
        }
    }
    size_t n_counter = 0;
    for (int k = 0; k < SER_COUNT; k++)
        n_counter += r->n_samples[k];
    if (r->n_spans == 0 && n_counter == 0)
        return tr_fail(r, FP_EINVAL, "traceEvents",
                       "no span (X, B/E) and no counter (C) event: nothing to analyse");
    double t0 = INFINITY;
    for (size_t k = 0; k < r->n_spans; k++)
        if (r->spans[k].ts < t0)
            t0 = r->spans[k].ts;
    for (int k = 0; k < SER_COUNT; k++)
        for (size_t j = 0; j < r->n_samples[k]; j++)
            if (r->samples[k][j].ts < t0)
                t0 = r->samples[k][j].ts;
    if (r->stats != NULL)
        r->stats->spans = r->n_spans;
    st = fp_profile_set_meta(out, r->process_name != NULL ? r->process_name : "", 0, 0, "", "",
                             "chrome-trace", 0);
    if (st != FP_OK)
        return tr_nomem(r);
    if ((st = build_spans(r, t0)) != FP_OK || (st = build_series(r, t0)) != FP_OK)
        return st;
    /* Memory or CPU the trace does not carry is unknown, not zero (fp_profile_data()). */
    unsigned data = 0;
    int span_attr = 0;
    for (size_t k = 0; k < r->n_extras && !span_attr; k++)
        span_attr = r->extras[k].has_attr;
    if (r->n_samples[SER_MEM] > 0 || span_attr)
        data |= FP_DATA_MEM;
    if (r->n_samples[SER_CPU] > 0 || span_attr || r->cpu_spans > 0)
        data |= FP_DATA_CPU;
    if (r->n_samples[SER_MEM] > 0)
        data |= FP_DATA_SERIES_MEM;
    if (r->n_samples[SER_CPU] > 0)
        data |= FP_DATA_SERIES_CPU;
    fp_profile_set_data(out, data);
    fp_error tmp = FP_ERROR_INIT;
    if (fp_profile_check(out, &tmp) != FP_OK)
        return tr_fail(r, FP_EINVAL, "traceEvents", "converted profile is invalid: %s", tmp.msg);
    return FP_OK;
}

/* The whole-tree reader: the guarded parse of all of `text`, then every event. It is the
 * reference the streaming reader below must agree with, and what reports its errors. */
static fp_status read_tree(trd *r, const char *text, size_t len)
{
    cJSON *root = NULL;
    fp_status st = fp_json_parse_guarded(text, len, r->file, "trace", r->err, &root);
    if (st != FP_OK)
        goto out;
    const cJSON *events = root;
    if (cJSON_IsObject(root)) {
        int dup = 0;
        events = get(root, "traceEvents", &dup);
        if (dup) {
            st = tr_fail(r, FP_EINVAL, "traceEvents", "duplicate key 'traceEvents'");
            goto out;
        }
        if (events == NULL) {
            st = tr_fail(r, FP_EINVAL, "", "missing field 'traceEvents'");
            goto out;
        }
        const cJSON *unit = get(root, "displayTimeUnit", &dup);
        /* displayTimeUnit only changes how viewers label time; timestamps stay microseconds. */
        if (unit != NULL && (!cJSON_IsString(unit) || (strcmp(unit->valuestring, "ms") != 0 &&
                                                       strcmp(unit->valuestring, "ns") != 0))) {
            st = tr_fail(r, FP_EINVAL, "displayTimeUnit", "expected \"ms\" or \"ns\", got %s",
                         cJSON_IsString(unit) ? unit->valuestring : type_name(unit));
            goto out;
        }
    }
    if (!cJSON_IsArray(events)) {
        st = tr_fail(r, FP_EINVAL, cJSON_IsObject(root) ? "traceEvents" : "",
                     "expected an array of events, got %s", type_name(events));
        goto out;
    }
    size_t i = 0;
    for (const cJSON *ev = events->child; ev != NULL; ev = ev->next, i++) {
        if ((st = read_event(r, ev, i)) != FP_OK)
            goto out;
    }
    st = finish(r, i);
out:
    cJSON_Delete(root);
    return st;
}

/*
 * The streaming reader. The text comes from memory or from a file in chunks; a window holds
 * what is being looked at. The top level (the object and its keys, the traceEvents array and
 * its commas) is walked here; each value under it (one event, or one other top-level value such
 * as otherData) is delimited by a scan that also does the guard's checks (NUL bytes, nesting
 * depth counted from the top), then parsed alone by cJSON, so that it is accepted or rejected,
 * and its numbers and strings read, exactly as in the whole-tree parse. Each event goes to
 * read_event() and is then freed, except those whose phase read_event() may keep pointers into
 * until the end of the read (B/E marks, the process_name, and, to be safe with new phases, any
 * phase other than X and C).
 *
 * The walk accepts only what the whole-tree parse accepts; anything else (malformed JSON, a NUL
 * byte, depth, a duplicate or missing traceEvents, any error an event raises) ends it with
 * ST_RETRY, and the caller then runs read_tree() on the whole text: errors are rare, and so
 * every message, location and precedence (a syntax error anywhere before an event's error) stays
 * exactly the whole-tree reader's.
 */
#define ST_RETRY ((fp_status)-1)
#define SRC_CHUNK ((size_t)1 << 20)

typedef struct tr_src {
    FILE *f;       /* NULL: the whole text is `p` */
    char *buf;     /* the window's storage (file mode) */
    size_t cap;    /* its size */
    const char *p; /* the window */
    size_t len;    /* bytes in the window */
    size_t pos;    /* the cursor, an offset into the window */
    size_t total;  /* bytes read from the file so far */
    int eof;
} tr_src;

/*
 * Brings more bytes into the window, keeping those from offset *keep on (moved to the start;
 * *keep and the cursor follow, and *i when not NULL). 0 at the end of the input or on a read
 * error or past the size cap (the whole-text reader then says which).
 */
static int src_more(tr_src *s, size_t *keep, size_t *i)
{
    if (s->f == NULL || s->eof)
        return 0;
    size_t k = *keep;
    if (k > 0) {
        memmove(s->buf, s->buf + k, s->len - k);
        s->len -= k;
        s->pos -= k;
        if (i != NULL)
            *i -= k;
        *keep = 0;
    }
    if (s->cap - s->len < SRC_CHUNK / 2) {
        size_t ncap = s->cap == 0 ? SRC_CHUNK : s->cap * 2;
        char *nb = fp_realloc(s->buf, ncap);
        if (nb == NULL)
            return 0;
        s->buf = nb;
        s->cap = ncap;
    }
    s->p = s->buf;
    size_t got = fread(s->buf + s->len, 1, s->cap - s->len, s->f);
    /* A NUL byte anywhere is an error (the whole-text reader locates it): looked for once here,
     * so that events need no byte-by-byte scan. */
    if (memchr(s->buf + s->len, '\0', got) != NULL) {
        s->eof = 1;
        return 0;
    }
    s->len += got;
    s->total += got;
    if (got == 0 || s->total > FP_JSON_GUARD_MAX_BYTES) {
        s->eof = 1;
        return got > 0 && s->total <= FP_JSON_GUARD_MAX_BYTES;
    }
    return 1;
}

/* Skips what cJSON takes for whitespace (bytes 1 to 32); 0 on a NUL byte or at the end. */
static int skip_ws(tr_src *s)
{
    for (;;) {
        while (s->pos < s->len && (unsigned char)s->p[s->pos] - 1u < 32u)
            s->pos++;
        if (s->pos < s->len)
            return s->p[s->pos] != '\0';
        size_t keep = s->pos;
        if (!src_more(s, &keep, NULL))
            return 0;
    }
}

/*
 * Delimits the value at the cursor (a non-blank byte), whose container is at nesting `depth`:
 * on success [*start, *end) is the value and the cursor is at *end. 0 on a NUL byte, nesting
 * deeper than the guard allows, or the end of the input inside the value.
 */
static int scan_value(tr_src *s, int depth, size_t *start, size_t *end)
{
    size_t i = s->pos;
    int d = depth, in_str = 0;
    unsigned char first = (unsigned char)s->p[i];
    int scalar = first != '{' && first != '[';
    *start = i;
    for (;;) {
        if (i >= s->len) {
            if (!src_more(s, start, &i))
                return 0;
            continue;
        }
        const unsigned char *p = (const unsigned char *)s->p;
        if (in_str) {
            while (i < s->len && p[i] != '"' && p[i] != '\\' && p[i] != '\0')
                i++;
            if (i >= s->len)
                continue;
            if (p[i] == '\0')
                return 0;
            if (p[i] == '\\') {
                if (i + 1 >= s->len) {
                    if (!src_more(s, start, &i))
                        return 0;
                    continue;
                }
                if (p[i + 1] == '\0')
                    return 0;
                i += 2;
                continue;
            }
            in_str = 0;
            i++;
            if (scalar)
                break;
            continue;
        }
        unsigned char ch = p[i];
        if (ch == '"') {
            in_str = 1;
        } else if (ch == '{' || ch == '[') {
            if (++d > FP_JSON_GUARD_MAX_DEPTH)
                return 0;
        } else if (ch == '}' || ch == ']') {
            if (scalar)
                break;
            if (--d == depth) {
                i++;
                break;
            }
        } else if (ch == '\0') {
            return 0;
        } else if (scalar && (ch == ',' || ch <= 32)) {
            break;
        }
        i++;
    }
    *end = i;
    s->pos = i;
    return 1;
}

/* Parses the value [start, end) of the window alone; NULL unless cJSON takes all of it. */
static cJSON *parse_value_at(const tr_src *s, size_t start, size_t end)
{
    const char *stop = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s->p + start, end - start, &stop, 0);
    if (v != NULL && stop != s->p + end) {
        cJSON_Delete(v);
        v = NULL;
    }
    return v;
}

/* Nesting depth of `v`: 0 for a scalar, 1 for a flat object or array, ... */
static int tree_depth(const cJSON *v)
{
    int d = 0;
    /* the type bits, not cJSON_IsObject(): this runs on every event and those are calls */
    if ((v->type & (cJSON_Object | cJSON_Array)) == 0)
        return 0;
    for (const cJSON *c = v->child; c != NULL; c = c->next)
        if ((c->type & (cJSON_Object | cJSON_Array)) != 0) {
            int k = tree_depth(c);
            d = k > d ? k : d;
        }
    return d + 1;
}

/*
 * The value at the cursor (a non-blank byte), whose container is at nesting `depth`, parsed
 * alone; the cursor moves past it. Usually cJSON is simply run on the rest of the window and
 * finds the value's end itself; only a value that may run past the window (cJSON stopped at or
 * failed before its end, with more input to come) is delimited by scan_value() and parsed again.
 * NULL when malformed or nested deeper than the guard allows.
 */
static cJSON *next_value(tr_src *s, int depth)
{
    unsigned char first = (unsigned char)s->p[s->pos];
    /* what parse_value() starts on (a byte order mark here would be skipped by cJSON) */
    if (strchr("{[\"-0123456789tfn", first) == NULL || first == '\0')
        return NULL;
    const char *stop = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s->p + s->pos, s->len - s->pos, &stop, 0);
    if (v != NULL && (stop < s->p + s->len || s->eof)) {
        s->pos = (size_t)(stop - s->p);
    } else if (v == NULL && s->eof) {
        return NULL;
    } else {
        size_t start, end;
        cJSON_Delete(v);
        if (!scan_value(s, depth, &start, &end))
            return NULL;
        v = parse_value_at(s, start, end);
    }
    if (v != NULL && depth + tree_depth(v) > FP_JSON_GUARD_MAX_DEPTH) {
        cJSON_Delete(v);
        v = NULL;
    }
    return v;
}

/* Events read_event() may keep pointers into, freed at the end of the read. */
typedef struct kept_events {
    cJSON **ev;
    size_t n, cap;
} kept_events;

/* Frees `ev` after read_event() unless its phase may be kept (see above). 0 when out of memory. */
static int release_event(trd *r, kept_events *kept, cJSON *ev, const char *process_before)
{
    int dup = 0;
    const cJSON *ph = get(ev, "ph", &dup);
    const char *phase = cJSON_IsString(ph) ? ph->valuestring : "";
    if (strcmp(phase, "X") == 0 || strcmp(phase, "C") == 0 ||
        (strcmp(phase, "M") == 0 && r->process_name == process_before)) {
        cJSON_Delete(ev);
        return 1;
    }
    if (fp_grow((void **)&kept->ev, &kept->cap, kept->n + 1, sizeof(cJSON *)) != FP_OK) {
        cJSON_Delete(ev);
        return 0;
    }
    kept->ev[kept->n++] = ev;
    return 1;
}

/*
 * Fast path for the events that are most of a large trace and are freed at once (X and C):
 * an event object of strings and numbers, with at most one level of objects of strings and
 * numbers inside, is parsed into nodes on the stack instead of a heap cJSON tree (cJSON
 * allocates every node, key and string: about half of a read). The nodes are cJSON structs, so
 * read_event() runs on them unchanged. It takes only what cJSON would parse to the same tree:
 * no escape in a string, no NUL byte, numbers as cJSON reads them (its characters, strtod, at
 * most 63 bytes), no array, true, false or null, nothing past the window; anything else (and
 * every other phase) returns 0 and the event goes the cJSON way.
 */
#define FAST_NODES 48
#define FAST_TEXT 2048

typedef struct fast_event {
    cJSON node[FAST_NODES];
    size_t n_node;
    char text[FAST_TEXT];
    size_t n_text;
} fast_event;

/* A string at p[*pos] ('"') copied into fe->text; NULL when not plain or too long. */
static char *fast_string(const tr_src *s, size_t *pos, fast_event *fe)
{
    size_t i = *pos + 1;
    size_t start = i;
    while (i < s->len && s->p[i] != '"') {
        if (s->p[i] == '\\' || s->p[i] == '\0')
            return NULL;
        i++;
    }
    if (i >= s->len || fe->n_text + (i - start) + 1 > FAST_TEXT)
        return NULL;
    char *out = fe->text + fe->n_text;
    memcpy(out, s->p + start, i - start);
    out[i - start] = '\0';
    fe->n_text += i - start + 1;
    *pos = i + 1;
    return out;
}

/* The number at p[*pos] into `v` as cJSON's parse_number() does; 0 when it would not. */
static int fast_number(const tr_src *s, size_t *pos, cJSON *v)
{
    char num[64];
    size_t n = 0;
    while (*pos + n < s->len && strchr("0123456789+-eE.", s->p[*pos + n]) != NULL &&
           s->p[*pos + n] != '\0') {
        if (n == sizeof(num) - 1)
            return 0;
        num[n] = s->p[*pos + n];
        n++;
    }
    if (*pos + n >= s->len || n == 0)
        return 0;
    num[n] = '\0';
    char *end = NULL;
    double d = strtod(num, &end);
    if (end != num + n)
        return 0;
    v->type = cJSON_Number;
    v->valuedouble = d;
    v->valueint = d >= INT_MAX ? INT_MAX : (d <= (double)INT_MIN ? INT_MIN : (int)d);
    *pos += n;
    return 1;
}

static size_t fast_ws(const tr_src *s, size_t i)
{
    while (i < s->len && (unsigned char)s->p[i] <= 32 && s->p[i] != '\0')
        i++;
    return i;
}

/* The object at p[*pos] ('{') into a node `obj` of fe, members one level deep at most when
 * `nested` is 0. 1 when parsed, 0 when the cJSON way must take it. */
static int fast_object(const tr_src *s, size_t *pos, fast_event *fe, cJSON *obj, int nested)
{
    size_t i = fast_ws(s, *pos + 1);
    cJSON *last = NULL;
    memset(obj, 0, sizeof(*obj));
    obj->type = cJSON_Object;
    if (i < s->len && s->p[i] == '}') {
        *pos = i + 1;
        return 1;
    }
    for (;;) {
        if (i >= s->len || s->p[i] != '"' || fe->n_node >= FAST_NODES)
            return 0;
        cJSON *m = &fe->node[fe->n_node++];
        memset(m, 0, sizeof(*m));
        if ((m->string = fast_string(s, &i, fe)) == NULL)
            return 0;
        i = fast_ws(s, i);
        if (i >= s->len || s->p[i] != ':')
            return 0;
        i = fast_ws(s, i + 1);
        if (i >= s->len)
            return 0;
        char c = s->p[i];
        if (c == '"') {
            m->type = cJSON_String;
            if ((m->valuestring = fast_string(s, &i, fe)) == NULL)
                return 0;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!fast_number(s, &i, m))
                return 0;
        } else if (c == '{' && !nested) {
            char *key = m->string;
            if (!fast_object(s, &i, fe, m, 1))
                return 0;
            m->string = key;
        } else {
            return 0;
        }
        if (last != NULL) {
            last->next = m;
            m->prev = last;
        } else {
            obj->child = m;
        }
        last = m;
        if (obj->child != NULL)
            obj->child->prev = last; /* cJSON keeps the last member in the first one's prev */
        i = fast_ws(s, i);
        if (i >= s->len)
            return 0;
        if (s->p[i] == '}') {
            *pos = i + 1;
            return 1;
        }
        if (s->p[i] != ',')
            return 0;
        i = fast_ws(s, i + 1);
    }
}

/* Reads the event at the cursor the fast way when it can (*done set, the cursor moved past it,
 * read_event()'s status returned); otherwise leaves everything as it was. */
static fp_status fast_event_read(trd *r, tr_src *s, size_t i, fast_event *fe, int *done)
{
    size_t pos = s->pos;
    *done = 0;
    fe->n_node = 1;
    fe->n_text = 0;
    if (s->p[pos] != '{' || !fast_object(s, &pos, fe, &fe->node[0], 0))
        return FP_OK;
    int dup = 0;
    const cJSON *ph = get(&fe->node[0], "ph", &dup);
    if (dup || ph == NULL || !cJSON_IsString(ph) ||
        (strcmp(ph->valuestring, "X") != 0 && strcmp(ph->valuestring, "C") != 0))
        return FP_OK;
    *done = 1;
    s->pos = pos;
    return read_event(r, &fe->node[0], i);
}

/* The event at the cursor parsed by cJSON, read, then freed or kept (release_event()). */
static fp_status slow_event(trd *r, tr_src *s, int depth, kept_events *kept, size_t i)
{
    cJSON *ev = next_value(s, depth + 1);
    if (ev == NULL)
        return ST_RETRY;
    const char *process_before = r->process_name;
    if (read_event(r, ev, i) != FP_OK) {
        cJSON_Delete(ev);
        return ST_RETRY;
    }
    if (!release_event(r, kept, ev, process_before))
        return ST_RETRY;
    return FP_OK;
}

/* The events array at the cursor ('['), whose container is at nesting `depth`. */
static fp_status stream_events(trd *r, tr_src *s, int depth, kept_events *kept, size_t *n_events)
{
    size_t i = 0;
    if (depth + 1 > FP_JSON_GUARD_MAX_DEPTH)
        return ST_RETRY;
    s->pos++;
    if (!skip_ws(s))
        return ST_RETRY;
    if (s->p[s->pos] == ']') {
        s->pos++;
        *n_events = 0;
        return FP_OK;
    }
    fast_event *fe = fp_malloc(sizeof(fast_event));
    if (fe == NULL)
        return ST_RETRY;
    fp_status st = FP_OK;
    for (;; i++) {
        int fast = 0;
        if (!skip_ws(s)) {
            st = ST_RETRY;
            break;
        }
        if (depth + 3 <= FP_JSON_GUARD_MAX_DEPTH &&
            (st = fast_event_read(r, s, i, fe, &fast)) != FP_OK) {
            st = ST_RETRY;
            break;
        }
        if (!fast && (st = slow_event(r, s, depth, kept, i)) != FP_OK)
            break;
        if (!skip_ws(s)) {
            st = ST_RETRY;
            break;
        }
        char ch = s->p[s->pos++];
        if (ch == ']')
            break;
        if (ch != ',') {
            st = ST_RETRY;
            break;
        }
    }
    fp_free(fe);
    if (st != FP_OK)
        return st;
    *n_events = i + 1;
    return FP_OK;
}

/* The key at the cursor ('"') of the top-level object: 1 "traceEvents", 2 "displayTimeUnit",
 * 0 another key, -1 not a valid key. Keys are compared after unescaping, as cJSON stores them. */
static int stream_key(tr_src *s)
{
    size_t start, end;
    if (!scan_value(s, 1, &start, &end))
        return -1;
    const char *k = s->p + start + 1;
    size_t n = end - start - 2;
    char name[32];
    if (memchr(k, '\\', n) != NULL) {
        cJSON *v = parse_value_at(s, start, end);
        if (v == NULL)
            return -1;
        snprintf(name, sizeof(name), "%s",
                 strlen(v->valuestring) < sizeof(name) ? v->valuestring : "");
        cJSON_Delete(v);
    } else if (n < sizeof(name)) {
        memcpy(name, k, n);
        name[n] = '\0';
    } else {
        return 0;
    }
    if (strcmp(name, "traceEvents") == 0)
        return 1;
    if (strcmp(name, "displayTimeUnit") == 0)
        return 2;
    return 0;
}

/* Streams every event of `s` through read_event(); *n_out the number of events. */
static fp_status read_stream(trd *r, tr_src *s, kept_events *kept, size_t *n_out)
{
    size_t n_events = 0;
    fp_status st;
    size_t keep = 0;
    if (s->f != NULL && !src_more(s, &keep, NULL))
        return ST_RETRY;
    /* cJSON skips a UTF-8 byte order mark at the very start. */
    if (s->len >= 4 && memcmp(s->p, "\xEF\xBB\xBF", 3) == 0)
        s->pos = 3;
    if (!skip_ws(s))
        return ST_RETRY;
    if (s->p[s->pos] == '[') {
        if ((st = stream_events(r, s, 0, kept, &n_events)) != FP_OK)
            return st;
    } else if (s->p[s->pos] == '{') {
        int seen = 0, seen_unit = 0;
        s->pos++;
        if (!skip_ws(s) || s->p[s->pos] == '}')
            return ST_RETRY; /* no traceEvents */
        for (;;) {
            if (!skip_ws(s) || s->p[s->pos] != '"')
                return ST_RETRY;
            int key = stream_key(s);
            if (key < 0 || !skip_ws(s) || s->p[s->pos++] != ':' || !skip_ws(s))
                return ST_RETRY;
            if (key == 1) {
                if (seen++ || s->p[s->pos] != '[')
                    return ST_RETRY;
                if ((st = stream_events(r, s, 1, kept, &n_events)) != FP_OK)
                    return st;
            } else {
                cJSON *v = next_value(s, 1);
                if (v == NULL)
                    return ST_RETRY;
                /* displayTimeUnit only changes how viewers label time; timestamps stay
                 * microseconds. The first one counts, as in the whole-tree reader. */
                int bad = key == 2 && !seen_unit++ &&
                          (!cJSON_IsString(v) || (strcmp(v->valuestring, "ms") != 0 &&
                                                  strcmp(v->valuestring, "ns") != 0));
                cJSON_Delete(v);
                if (bad)
                    return ST_RETRY;
            }
            if (!skip_ws(s))
                return ST_RETRY;
            char ch = s->p[s->pos++];
            if (ch == '}')
                break;
            if (ch != ',')
                return ST_RETRY;
        }
        if (!seen)
            return ST_RETRY;
    } else {
        return ST_RETRY;
    }
    /* Nothing but whitespace may follow. */
    if (skip_ws(s) || s->pos < s->len)
        return ST_RETRY;
    *n_out = n_events;
    return FP_OK;
}

/* Runs the streaming reader, then finish(); *retry set when it gave up (ST_RETRY). The window
 * is freed before finish() and the kept events after it. */
static fp_status stream_or_retry(trd *r, tr_src *s, int *retry)
{
    kept_events kept = {NULL, 0, 0};
    size_t n_events = 0;
    fp_status st = read_stream(r, s, &kept, &n_events);
    fp_free(s->buf);
    s->buf = NULL;
    if (st == FP_OK)
        st = finish(r, n_events);
    for (size_t k = 0; k < kept.n; k++)
        cJSON_Delete(kept.ev[k]);
    fp_free(kept.ev);
    *retry = st == ST_RETRY;
    return st;
}

/* Common end of both entry points. */
static fp_status done(trd *r, fp_status st)
{
    fp_error *err = r->err;
    if (st != FP_OK && err != NULL && err->file[0] == '\0' && r->file != NULL)
        snprintf(err->file, sizeof(err->file), "%s", r->file);
    if (st != FP_OK)
        fp_profile_reset(r->p);
    trd_free(r);
    return st;
}

/* Starts again on the whole text (the streaming reader gave up). */
static fp_status retry_tree(trd *r, const char *text, size_t len)
{
    fp_profile *out = r->p;
    const char *file = r->file;
    fp_trace_stats *stats = r->stats;
    fp_error *err = r->err;
    trd_free(r);
    fp_error_clear(err);
    trd_init(r, out, file, stats, err);
    return read_tree(r, text, len);
}

fp_status fp_trace_read_chrome(fp_profile *out, const char *text, size_t len, const char *file,
                               fp_trace_stats *stats, fp_error *err)
{
    trd r;
    tr_src s;
    int retry = 0;
    trd_init(&r, out, file, stats, err);
    memset(&s, 0, sizeof(s));
    s.p = text;
    s.len = len;
    s.eof = 1;
    fp_status st = FP_OK;
    /* Too large, or a NUL byte: the whole-text reader says so, with the location. */
    int stream = len <= FP_JSON_GUARD_MAX_BYTES && memchr(text, '\0', len) == NULL;
    if (stream)
        st = stream_or_retry(&r, &s, &retry);
    if (!stream || retry)
        st = retry_tree(&r, text, len);
    return done(&r, st);
}

fp_status fp_trace_read_chrome_file(fp_profile *out, FILE *f, const char *file,
                                    fp_trace_stats *stats, fp_error *err)
{
    trd r;
    tr_src s;
    int retry = 0;
    trd_init(&r, out, file, stats, err);
    memset(&s, 0, sizeof(s));
    s.f = f;
    long at = ftell(f);
    fp_status st = stream_or_retry(&r, &s, &retry);
    if (retry) {
        char *text = NULL;
        size_t len = 0;
        if (at < 0 || fseek(f, at, SEEK_SET) != 0) {
            st = fp_error_set_at(err, FP_ENOENT, file, 0, 0, "cannot read: %s",
                                 fp_strerror(errno, (char[128]){""}, 128));
        } else {
            fp_error_clear(err);
            st = fp_read_stream(f, file != NULL ? file : "trace", &text, &len, err);
            if (st == FP_OK)
                st = retry_tree(&r, text, len);
        }
        fp_free(text);
    }
    return done(&r, st);
}
