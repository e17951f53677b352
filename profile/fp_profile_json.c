/*
 * fp_profile_json.c - the profile's JSON form (docs/output-formats.md, "Profile JSON").
 *
 * The writer streams with fprintf and never builds a cJSON tree: a profile can hold 10^6 spans,
 * and cJSON 1.7.15 prints some doubles lossily and NaN/Inf as null. Every double is printed with
 * fp_fmt_double() (the shortest digits that strtod, used by cJSON's parser, reads back
 * bit-exactly), so write -> read -> write is byte-identical.
 *
 * The reader treats its input as untrusted: it copies it to a NUL-terminated buffer, rejects
 * embedded NUL bytes and nesting deeper than FP_JSON_GUARD_MAX_DEPTH before parsing (cJSON's own
 * limit is 1000 and recursive), parses with cJSON_ParseWithLengthOpts (the error position comes
 * back through the out parameter, not cJSON's global cJSON_GetErrorPtr()), then checks every key,
 * type and invariant, reporting the JSON path of the first problem.
 */
#include "fp_profile.h"
#include "fp_escape.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

/*
 * Input limits (fp_profile_internal.h): nesting deeper than FP_JSON_GUARD_MAX_DEPTH (a runs
 * document needs 5) and more than FP_JSON_GUARD_MAX_BYTES. cJSON's tree costs about 11 nodes
 * (~700 bytes) per span row, roughly 11x the text, so a 1 GiB document already needs ~12 GB.
 */

/* Largest integer a double holds exactly; run_index above it would not round-trip. */
#define FP_JSON_MAX_EXACT_INT 9007199254740992.0

/* Version of the runs document wrapper {"fpsim_runs": 1, "runs": [...]}. */
#define FP_RUNS_VERSION 1

static const char *const s_series_keys[4] = {"mem_mb", "cpu_pct", "io_ops", "io_bytes"};

/* ======================================================================== writer */

static void pad(FILE *out, int level)
{
    for (int i = 0; i < level; i++)
        fputs("  ", out);
}

/* Writes `s` as a JSON string: the one escaper shared by every writer (fp_escape.h). */
static void put_string(FILE *out, const char *s)
{
    fp_json_put_string(out, s);
}

static const double *truth_numbers(const fp_truth *t, size_t k)
{
    const double *v[] = {&t->start_s,      &t->end_s,          &t->magnitude,
                         &t->extra_s,      &t->extra_mb,       &t->extra_calls,
                         &t->extra_io_ops, &t->extra_io_bytes, &t->extra_cpu_pct_s};
    return v[k];
}

static const char *const s_truth_num_keys[9] = {
    "start_s",     "end_s",        "magnitude",      "extra_s",        "extra_mb",
    "extra_calls", "extra_io_ops", "extra_io_bytes", "extra_cpu_pct_s"};

/* Refuses to write a non-finite value: finds the first one and reports its JSON path. */
static fp_status find_nonfinite(const fp_profile *p, int include_truth, fp_error *err)
{
    char path[96];
    const fp_span *sp = fp_profile_spans(p);
    size_t n = fp_profile_span_count(p);
    for (size_t i = 0; i < n; i++) {
        const double v[] = {sp[i].start_s,         sp[i].dur_s,  sp[i].cpu_pct, sp[i].mem_alloc_mb,
                            sp[i].mem_retained_mb, sp[i].io_ops, sp[i].io_bytes};
        for (int f = 0; f < 7; f++) {
            if (!isfinite(v[f])) {
                snprintf(path, sizeof(path), "spans.rows[%zu][%d]", i, FP_SPAN_START_S + f);
                fp_error_set_path(err, path);
                return fp_error_set(err, FP_EINVAL, "span %zu: %s is not finite (%g)", i,
                                    fp_span_field_names[FP_SPAN_START_S + f], v[f]);
            }
        }
    }
    fp_series s = fp_profile_series(p);
    if (!isfinite(s.interval_s)) {
        fp_error_set_path(err, "series.interval_s");
        return fp_error_set(err, FP_EINVAL, "series interval_s is not finite (%g)", s.interval_s);
    }
    const double *arr[4] = {s.mem_mb, s.cpu_pct, s.io_ops, s.io_bytes};
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < s.n; i++) {
            if (!isfinite(arr[k][i])) {
                snprintf(path, sizeof(path), "series.%s[%zu]", s_series_keys[k], i);
                fp_error_set_path(err, path);
                return fp_error_set(err, FP_EINVAL, "series %s[%zu] is not finite (%g)",
                                    s_series_keys[k], i, arr[k][i]);
            }
        }
    }
    if (!include_truth)
        return FP_OK;
    const fp_truth *t = fp_profile_truth(p);
    for (size_t i = 0; i < fp_profile_truth_count(p); i++) {
        for (size_t k = 0; k < 9; k++) {
            double v = *truth_numbers(&t[i], k);
            if (!isfinite(v)) {
                snprintf(path, sizeof(path), "truth[%zu].%s", i, s_truth_num_keys[k]);
                fp_error_set_path(err, path);
                return fp_error_set(err, FP_EINVAL, "truth %zu: %s is not finite (%g)", i,
                                    s_truth_num_keys[k], v);
            }
        }
    }
    return FP_OK;
}

static void write_truth(const fp_profile *p, const fp_truth *t, FILE *out)
{
    fputs("{\"kind\": ", out);
    const char *kind = fp_kind_name(t->kind);
    put_string(out, kind != NULL ? kind : "");
    fputs(", \"target\": ", out);
    const char *target = t->target >= 0 ? fp_profile_method_name(p, (size_t)t->target) : NULL;
    if (target != NULL)
        put_string(out, target);
    else
        fputs("null", out);
    fprintf(out, ", \"source\": %" PRIu32, t->source);
    for (size_t k = 0; k < 3; k++)
        fprintf(out, ", \"%s\": %s", s_truth_num_keys[k], FP_G(*truth_numbers(t, k)));
    fprintf(out, ", \"affected_calls\": %" PRIu32, t->affected_calls);
    for (size_t k = 3; k < 9; k++)
        fprintf(out, ", \"%s\": %s", s_truth_num_keys[k], FP_G(*truth_numbers(t, k)));
    putc('}', out);
}

/* One run event as an object on one line; the keys depend on the kind (docs/output-formats.md).
 * Its numbers are finite: fp_profile_add_event() refuses others. */
static void write_event(const fp_run_event *e, FILE *out)
{
    fputs("{\"kind\": ", out);
    put_string(out, fp_event_kind_name(e->kind));
    if (e->kind == FP_EVENT_GUARD_BREACH) {
        fprintf(out, ", \"t_s\": %s, \"guard\": ", FP_G(e->start_s));
        put_string(out, e->guard);
        fprintf(out, ", \"value\": %s", FP_G(e->value));
        fprintf(out, ", \"limit\": %s, \"unit\": ", FP_G(e->limit));
        put_string(out, e->unit);
        fputs(", \"action\": ", out);
        put_string(out, e->action);
    } else {
        fprintf(out, ", \"start_s\": %s", FP_G(e->start_s));
        fprintf(out, ", \"end_s\": %s, \"missed\": %" PRIu64, FP_G(e->end_s), e->missed);
    }
    putc('}', out);
}

fp_status fp_profile_write_json(const fp_profile *p, int include_truth, int indent, FILE *out,
                                fp_error *err)
{
    fp_status st = find_nonfinite(p, include_truth, err);
    if (st != FP_OK)
        return st;
    /* The kind and target of a truth record are written by name; refuse ones without a name. */
    const fp_truth *truth = fp_profile_truth(p);
    size_t n_truth = include_truth ? fp_profile_truth_count(p) : 0;
    for (size_t i = 0; i < n_truth; i++) {
        if (fp_kind_name(truth[i].kind) == NULL ||
            (truth[i].target != FP_TARGET_PROCESS &&
             fp_profile_method_name(p, (size_t)truth[i].target) == NULL)) {
            char path[64];
            snprintf(path, sizeof(path), "truth[%zu]", i);
            fp_error_set_path(err, path);
            return fp_error_set(err, FP_EINVAL, "truth %zu: invalid kind %d or target %ld", i,
                                (int)truth[i].kind, (long)truth[i].target);
        }
    }
    int L = indent < 0 ? 0 : indent;
    fp_meta m = fp_profile_meta(p);

    fputs("{\n", out);
    pad(out, L + 1);
    fprintf(out, "\"schema_version\": %d,\n", FP_PROFILE_SCHEMA_VERSION);
    pad(out, L + 1);
    fputs("\"meta\": {\"scenario\": ", out);
    put_string(out, m.scenario);
    fprintf(out, ", \"seed\": \"%" PRIu64 "\", \"run_index\": %" PRIu64 ", \"rng\": ", m.seed,
            m.run_index);
    put_string(out, m.rng);
    fputs(", \"gsl_version\": ", out);
    put_string(out, m.gsl_version);
    fputs(", \"fpsim_version\": ", out);
    put_string(out, m.fpsim_version);
    fputs(", \"source\": ", out);
    put_string(out, m.source);
    fprintf(out, ", \"simulated\": %s", m.simulated ? "true" : "false");
    if (m.cores > 1) /* optional: absent means 1 */
        fprintf(out, ", \"cores\": %" PRIu32, m.cores);
    fputs("},\n", out);

    pad(out, L + 1);
    fputs("\"methods\": [", out);
    for (size_t i = 0; i < fp_profile_method_count(p); i++) {
        if (i > 0)
            fputs(", ", out);
        put_string(out, fp_profile_method_name(p, i));
    }
    fputs("],\n", out);

    pad(out, L + 1);
    fputs("\"spans\": {\n", out);
    pad(out, L + 2);
    fputs("\"fields\": [", out);
    for (int f = 0; f < FP_SPAN_NFIELDS; f++)
        fprintf(out, "%s\"%s\"", f > 0 ? ", " : "", fp_span_field_names[f]);
    fputs("],\n", out);
    pad(out, L + 2);
    fputs("\"rows\": [", out);
    const fp_span *sp = fp_profile_spans(p);
    size_t n = fp_profile_span_count(p);
    for (size_t i = 0; i < n; i++) {
        fputs(i > 0 ? ",\n" : "\n", out);
        pad(out, L + 3);
        const fp_span *s = &sp[i];
        char row[64 + 7 * FP_FMT_DOUBLE_SIZE];
        int w =
            snprintf(row, 64, "[%" PRIu32 ",%" PRId32 ",%" PRIu32, s->method, s->parent, s->track);
        const double v[7] = {s->start_s,         s->dur_s,  s->cpu_pct, s->mem_alloc_mb,
                             s->mem_retained_mb, s->io_ops, s->io_bytes};
        size_t len = (size_t)w;
        for (int k = 0; k < 7; k++) {
            row[len++] = ',';
            len += fp_fmt_double(row + len, v[k]);
        }
        row[len++] = ']';
        if (fwrite(row, 1, len, out) != len)
            goto io_error; /* stop early on a dead stream rather than format 10^6 rows */
    }
    if (n > 0) {
        putc('\n', out);
        pad(out, L + 2);
    }
    fputs("]\n", out);
    pad(out, L + 1);
    fputs("},\n", out);

    fp_series ser = fp_profile_series(p);
    const double *arr[4] = {ser.mem_mb, ser.cpu_pct, ser.io_ops, ser.io_bytes};
    pad(out, L + 1);
    fputs("\"series\": {\n", out);
    pad(out, L + 2);
    fprintf(out, "\"interval_s\": %s,\n", FP_G(ser.interval_s));
    for (int k = 0; k < 4; k++) {
        pad(out, L + 2);
        fprintf(out, "\"%s\": [", s_series_keys[k]);
        for (size_t i = 0; i < ser.n; i++) {
            char num[FP_FMT_DOUBLE_SIZE + 1];
            num[0] = ',';
            size_t len = fp_fmt_double(num + 1, arr[k][i]) + 1;
            fwrite(i > 0 ? num : num + 1, 1, i > 0 ? len : len - 1, out);
        }
        fputs(k < 3 ? "],\n" : "]\n", out);
    }
    /* the optional keys that follow: events (only when there are some), truth */
    size_t n_events = fp_profile_event_count(p);
    pad(out, L + 1);
    fputs(include_truth || n_events > 0 ? "},\n" : "}\n", out);

    if (n_events > 0) {
        pad(out, L + 1);
        fputs("\"events\": [", out);
        for (size_t i = 0; i < n_events; i++) {
            fp_run_event e;
            fp_profile_event(p, i, &e);
            fputs(i > 0 ? ",\n" : "\n", out);
            pad(out, L + 2);
            write_event(&e, out);
        }
        putc('\n', out);
        pad(out, L + 1);
        fputs(include_truth ? "],\n" : "]\n", out);
    }
    if (include_truth) {
        pad(out, L + 1);
        fputs("\"truth\": [", out);
        for (size_t i = 0; i < n_truth; i++) {
            fputs(i > 0 ? ",\n" : "\n", out);
            pad(out, L + 2);
            write_truth(p, &truth[i], out);
        }
        if (n_truth > 0) {
            putc('\n', out);
            pad(out, L + 1);
        }
        fputs("]\n", out);
    }
    pad(out, L);
    putc('}', out);
    if (ferror(out))
        goto io_error;
    return FP_OK;
io_error:
    return fp_error_set(err, FP_EIO, "cannot write profile JSON");
}

/* ------------------------------------------------------------------ runs document */

fp_status fp_runs_write_begin(fp_runs_writer *w, FILE *out, const char *gsl_version,
                              const char *rng, fp_error *err)
{
    w->out = out;
    w->runs = 0;
    /* The version strings are fpsim's own and GSL's (no characters needing escapes), written
     * raw as they always were; the generator name comes from GSL's table. */
    fprintf(out,
            "{\"fpsim_runs\": %d, \"fpsim_version\": \"%s\", \"gsl_version\": \"%s\", "
            "\"rng\": \"%s\", \"runs\": [",
            FP_RUNS_VERSION, fp_version(), gsl_version, rng);
    if (ferror(out))
        return fp_error_set(err, FP_EIO, "cannot write runs document");
    return FP_OK;
}

fp_status fp_runs_write_run(fp_runs_writer *w, const fp_profile *p, fp_error *err)
{
    fputs(w->runs == 0 ? "\n" : ",\n", w->out);
    fp_status st = fp_profile_write_json(p, 1, 1, w->out, err);
    if (st == FP_OK)
        w->runs++;
    return st;
}

fp_status fp_runs_write_end(fp_runs_writer *w, fp_error *err)
{
    fputs("\n]}\n", w->out);
    if (ferror(w->out))
        return fp_error_set(err, FP_EIO, "cannot write runs document");
    return FP_OK;
}

/* ======================================================================== reader */

/* Reader state. `prefix` is prepended to every key path ("runs[2]." inside a runs document). */
typedef struct rd {
    fp_error *err;
    const char *file;
    char prefix[48];
    char msg[FP_ERROR_MSG_MAX];
} rd;

/* Records r->msg (already formatted) with the path given by `fmt`, and returns `status`. */
static fp_status rd_fail(rd *r, fp_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static fp_status rd_fail(rd *r, fp_status status, const char *fmt, ...)
{
    char sub[FP_ERROR_PATH_MAX];
    char path[FP_ERROR_PATH_MAX + 48];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sub, sizeof(sub), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s%s", r->prefix, sub);
    /* A top-level problem in a runs document is at "runs[2]" (no trailing dot). */
    size_t len = strlen(path);
    if (len > 0 && path[len - 1] == '.')
        path[len - 1] = '\0';
    fp_error_set_at(r->err, status, r->file, 0, 0, "%s", r->msg);
    fp_error_set_path(r->err, path);
    return status;
}

static const char *type_name(const cJSON *it)
{
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

/* Each want_* returns 1 when `it` has the wanted type, else 0 with the message in r->msg. */
static int want_type(rd *r, const cJSON *it, int ok, const char *what)
{
    if (ok)
        return 1;
    snprintf(r->msg, sizeof(r->msg), "expected %s, got %s", what, type_name(it));
    return 0;
}

static int want_number(rd *r, const cJSON *it, double *out)
{
    if (!want_type(r, it, cJSON_IsNumber(it), "a number"))
        return 0;
    if (!isfinite(it->valuedouble)) {
        snprintf(r->msg, sizeof(r->msg), "number is out of range (not a finite double)");
        return 0;
    }
    *out = it->valuedouble;
    return 1;
}

static int want_int(rd *r, const cJSON *it, double lo, double hi, double *out)
{
    double v;
    if (!want_number(r, it, &v))
        return 0;
    if (v != floor(v) || v < lo || v > hi) {
        snprintf(r->msg, sizeof(r->msg), "expected an integer in [%.17g, %.17g], got %.17g", lo, hi,
                 v);
        return 0;
    }
    *out = v;
    return 1;
}

/*
 * Looks up the keys `names[0..n)` in object `obj` (one pass over its children) and stores each
 * child in out[i] (NULL when absent). Rejects duplicate keys (cJSON keeps both), unknown keys
 * unless `allow_unknown`, and absent keys whose bit is set in `required`. `where` is the path of
 * the object for messages about it ("" for the top level; `prefix` is added by rd_fail).
 */
static fp_status get_fields(rd *r, const cJSON *obj, const char *where, const char *const *names,
                            size_t n, unsigned required, int allow_unknown, const cJSON **out)
{
    const char *sep = where[0] != '\0' ? "." : "";
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        size_t k = 0;
        while (k < n && strcmp(c->string, names[k]) != 0)
            k++;
        if (k == n) {
            if (allow_unknown)
                continue;
            const char *near = fp_suggest(c->string, names, n);
            if (near != NULL)
                snprintf(r->msg, sizeof(r->msg), "unknown key '%.80s' (did you mean '%s'?)",
                         c->string, near);
            else
                snprintf(r->msg, sizeof(r->msg), "unknown key '%.80s'", c->string);
            return rd_fail(r, FP_EINVAL, "%s%s%.80s", where, sep, c->string);
        }
        if (out[k] != NULL) {
            snprintf(r->msg, sizeof(r->msg), "duplicate key '%s'", names[k]);
            return rd_fail(r, FP_EINVAL, "%s%s%s", where, sep, names[k]);
        }
        out[k] = c;
    }
    for (size_t i = 0; i < n; i++) {
        if (out[i] == NULL && (required & (1u << i))) {
            snprintf(r->msg, sizeof(r->msg), "missing field '%s'", names[i]);
            return rd_fail(r, FP_EINVAL, "%s", where);
        }
    }
    return FP_OK;
}

/* Strict unsigned decimal: digits only, no sign, no spaces, at most UINT64_MAX. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

static fp_status read_meta(rd *r, fp_profile *p, const cJSON *meta)
{
    static const char *const keys[] = {"scenario", "seed",        "run_index",
                                       "rng",      "gsl_version", "fpsim_version",
                                       "source",   "simulated",   "cores"};
    const cJSON *f[9];
    double cores = 1;
    if (!want_type(r, meta, cJSON_IsObject(meta), "an object"))
        return rd_fail(r, FP_EINVAL, "meta");
    fp_status st = get_fields(r, meta, "meta", keys, 9, 0xffu, 0, f); /* cores optional */
    if (st != FP_OK)
        return st;
    static const int str_keys[] = {0, 1, 3, 4, 5, 6};
    for (size_t k = 0; k < sizeof(str_keys) / sizeof(str_keys[0]); k++) {
        int i = str_keys[k];
        if (!want_type(r, f[i], cJSON_IsString(f[i]), "a string"))
            return rd_fail(r, FP_EINVAL, "meta.%s", keys[i]);
    }
    uint64_t seed;
    if (!parse_u64(f[1]->valuestring, &seed)) {
        snprintf(r->msg, sizeof(r->msg),
                 "expected a decimal string of an unsigned 64-bit integer, got '%.40s'",
                 f[1]->valuestring);
        return rd_fail(r, FP_EINVAL, "meta.seed");
    }
    double run_index;
    if (!want_int(r, f[2], 0, FP_JSON_MAX_EXACT_INT, &run_index))
        return rd_fail(r, FP_EINVAL, "meta.run_index");
    if (!want_type(r, f[7], cJSON_IsBool(f[7]), "a boolean"))
        return rd_fail(r, FP_EINVAL, "meta.simulated");
    if (f[8] != NULL && !want_int(r, f[8], 1, 4096, &cores))
        return rd_fail(r, FP_EINVAL, "meta.cores");
    /* fpsim_version is checked for type only: the model always reports this build's version. */
    st = fp_profile_set_meta(p, f[0]->valuestring, seed, (uint64_t)run_index, f[3]->valuestring,
                             f[4]->valuestring, f[6]->valuestring, cJSON_IsTrue(f[7]));
    if (st != FP_OK)
        return fp_error_set(r->err, st, "out of memory reading profile JSON");
    (void)fp_profile_set_cores(p, (uint32_t)cores); /* cores >= 1: cannot fail */
    return FP_OK;
}

static fp_status read_methods(rd *r, fp_profile *p, const cJSON *methods)
{
    if (!want_type(r, methods, cJSON_IsArray(methods), "an array"))
        return rd_fail(r, FP_EINVAL, "methods");
    size_t i = 0;
    for (const cJSON *c = methods->child; c != NULL; c = c->next, i++) {
        if (!want_type(r, c, cJSON_IsString(c), "a string"))
            return rd_fail(r, FP_EINVAL, "methods[%zu]", i);
        if (fp_profile_find_method(p, c->valuestring) >= 0) {
            snprintf(r->msg, sizeof(r->msg), "duplicate method '%.80s'", c->valuestring);
            return rd_fail(r, FP_EINVAL, "methods[%zu]", i);
        }
        fp_status st = fp_profile_intern_method(p, c->valuestring, NULL);
        if (st != FP_OK)
            return fp_error_set(r->err, st, "out of memory reading profile JSON");
    }
    return FP_OK;
}

static fp_status read_spans(rd *r, fp_profile *p, const cJSON *spans)
{
    static const char *const keys[] = {"fields", "rows"};
    const cJSON *f[2];
    if (!want_type(r, spans, cJSON_IsObject(spans), "an object"))
        return rd_fail(r, FP_EINVAL, "spans");
    fp_status st = get_fields(r, spans, "spans", keys, 2, 0x3u, 0, f);
    if (st != FP_OK)
        return st;
    if (!want_type(r, f[0], cJSON_IsArray(f[0]), "an array"))
        return rd_fail(r, FP_EINVAL, "spans.fields");
    int nf = cJSON_GetArraySize(f[0]);
    if (nf != FP_SPAN_NFIELDS) {
        snprintf(r->msg, sizeof(r->msg), "expected %d field names, got %d", FP_SPAN_NFIELDS, nf);
        return rd_fail(r, FP_EINVAL, "spans.fields");
    }
    int k = 0;
    for (const cJSON *c = f[0]->child; c != NULL; c = c->next, k++) {
        if (!cJSON_IsString(c) || strcmp(c->valuestring, fp_span_field_names[k]) != 0) {
            snprintf(r->msg, sizeof(r->msg), "expected \"%s\" (fields are listed in a fixed order)",
                     fp_span_field_names[k]);
            return rd_fail(r, FP_EINVAL, "spans.fields[%d]", k);
        }
    }
    if (!want_type(r, f[1], cJSON_IsArray(f[1]), "an array"))
        return rd_fail(r, FP_EINVAL, "spans.rows");
    size_t i = 0;
    for (const cJSON *row = f[1]->child; row != NULL; row = row->next, i++) {
        if (!want_type(r, row, cJSON_IsArray(row), "an array"))
            return rd_fail(r, FP_EINVAL, "spans.rows[%zu]", i);
        double v[FP_SPAN_NFIELDS];
        int col = 0;
        for (const cJSON *c = row->child; c != NULL; c = c->next, col++) {
            if (col >= FP_SPAN_NFIELDS)
                break;
            int ok;
            if (col == FP_SPAN_PARENT)
                ok = want_int(r, c, -1, INT32_MAX, &v[col]);
            else if (col == FP_SPAN_METHOD || col == FP_SPAN_TRACK)
                ok = want_int(r, c, 0, UINT32_MAX, &v[col]);
            else
                ok = want_number(r, c, &v[col]);
            if (!ok)
                return rd_fail(r, FP_EINVAL, "spans.rows[%zu][%d]", i, col);
        }
        int len = col < FP_SPAN_NFIELDS ? col : cJSON_GetArraySize(row);
        if (len != FP_SPAN_NFIELDS) {
            snprintf(r->msg, sizeof(r->msg), "expected %d values, got %d", FP_SPAN_NFIELDS, len);
            return rd_fail(r, FP_EINVAL, "spans.rows[%zu]", i);
        }
        fp_span s;
        s.method = (uint32_t)v[FP_SPAN_METHOD];
        s.parent = (int32_t)v[FP_SPAN_PARENT];
        s.track = (uint32_t)v[FP_SPAN_TRACK];
        s.start_s = v[FP_SPAN_START_S];
        s.dur_s = v[FP_SPAN_DUR_S];
        s.cpu_pct = v[FP_SPAN_CPU_PCT];
        s.mem_alloc_mb = v[FP_SPAN_MEM_ALLOC_MB];
        s.mem_retained_mb = v[FP_SPAN_MEM_RETAINED_MB];
        s.io_ops = v[FP_SPAN_IO_OPS];
        s.io_bytes = v[FP_SPAN_IO_BYTES];
        st = fp_profile_add_span(p, &s, NULL);
        if (st != FP_OK)
            return fp_error_set(r->err, st, "out of memory reading profile JSON");
        int bad = fp_profile_check_span(p, i, r->msg, sizeof(r->msg));
        if (bad >= 0)
            return rd_fail(r, FP_EINVAL, "spans.rows[%zu][%d]", i, bad);
    }
    return FP_OK;
}

static fp_status read_series(rd *r, fp_profile *p, const cJSON *series)
{
    static const char *const keys[] = {"interval_s", "mem_mb", "cpu_pct", "io_ops", "io_bytes"};
    const cJSON *f[5];
    if (!want_type(r, series, cJSON_IsObject(series), "an object"))
        return rd_fail(r, FP_EINVAL, "series");
    fp_status st = get_fields(r, series, "series", keys, 5, 0x1fu, 0, f);
    if (st != FP_OK)
        return st;
    double interval;
    if (!want_number(r, f[0], &interval))
        return rd_fail(r, FP_EINVAL, "series.interval_s");
    int n = 0;
    for (int k = 0; k < 4; k++) {
        if (!want_type(r, f[k + 1], cJSON_IsArray(f[k + 1]), "an array"))
            return rd_fail(r, FP_EINVAL, "series.%s", keys[k + 1]);
        int len = cJSON_GetArraySize(f[k + 1]);
        if (k == 0) {
            n = len;
        } else if (len != n) {
            snprintf(r->msg, sizeof(r->msg), "expected %d samples (as in mem_mb), got %d", n, len);
            return rd_fail(r, FP_EINVAL, "series.%s", keys[k + 1]);
        }
    }
    if (n > 0 && !(interval > 0.0)) {
        snprintf(r->msg, sizeof(r->msg), "interval_s must be > 0, got %.17g", interval);
        return rd_fail(r, FP_EINVAL, "series.interval_s");
    }
    if (n == 0 && interval < 0.0) {
        snprintf(r->msg, sizeof(r->msg), "interval_s must be >= 0, got %.17g", interval);
        return rd_fail(r, FP_EINVAL, "series.interval_s");
    }
    double *arr[4];
    st = fp_profile_series_resize(p, (size_t)n, interval, &arr[0], &arr[1], &arr[2], &arr[3]);
    if (st != FP_OK)
        return fp_error_set(r->err, st, "out of memory reading profile JSON");
    for (int k = 0; k < 4; k++) {
        size_t i = 0;
        for (const cJSON *c = f[k + 1]->child; c != NULL; c = c->next, i++) {
            if (!want_number(r, c, &arr[k][i]))
                return rd_fail(r, FP_EINVAL, "series.%s[%zu]", keys[k + 1], i);
        }
    }
    return FP_OK;
}

static fp_status read_truth(rd *r, fp_profile *p, const cJSON *truth)
{
    static const char *const keys[] = {
        "kind",         "target",         "source",         "start_s",  "end_s",
        "magnitude",    "affected_calls", "extra_s",        "extra_mb", "extra_calls",
        "extra_io_ops", "extra_io_bytes", "extra_cpu_pct_s"};
    enum { NK = sizeof(keys) / sizeof(keys[0]) };
    if (!want_type(r, truth, cJSON_IsArray(truth), "an array"))
        return rd_fail(r, FP_EINVAL, "truth");
    size_t i = 0;
    for (const cJSON *o = truth->child; o != NULL; o = o->next, i++) {
        char where[48];
        snprintf(where, sizeof(where), "truth[%zu]", i);
        if (!want_type(r, o, cJSON_IsObject(o), "an object"))
            return rd_fail(r, FP_EINVAL, "%s", where);
        const cJSON *f[NK];
        fp_status st = get_fields(r, o, where, keys, NK, (1u << NK) - 1u, 0, f);
        if (st != FP_OK)
            return st;
        fp_truth t;
        memset(&t, 0, sizeof(t));
        if (!want_type(r, f[0], cJSON_IsString(f[0]), "a string"))
            return rd_fail(r, FP_EINVAL, "%s.kind", where);
        if (fp_kind_from_name(f[0]->valuestring, &t.kind) != FP_OK) {
            const char *kinds[FP_KIND_COUNT];
            for (int k = 0; k < FP_KIND_COUNT; k++)
                kinds[k] = fp_kind_name((fp_kind)k);
            const char *near = fp_suggest(f[0]->valuestring, kinds, FP_KIND_COUNT);
            if (near != NULL)
                snprintf(r->msg, sizeof(r->msg), "unknown kind '%.80s' (did you mean '%s'?)",
                         f[0]->valuestring, near);
            else
                snprintf(r->msg, sizeof(r->msg), "unknown kind '%.80s'", f[0]->valuestring);
            return rd_fail(r, FP_EINVAL, "%s.kind", where);
        }
        if (cJSON_IsNull(f[1])) {
            t.target = FP_TARGET_PROCESS;
        } else {
            if (!want_type(r, f[1], cJSON_IsString(f[1]), "a method name or null"))
                return rd_fail(r, FP_EINVAL, "%s.target", where);
            t.target = fp_profile_find_method(p, f[1]->valuestring);
            if (t.target < 0) {
                snprintf(r->msg, sizeof(r->msg), "unknown method '%.80s'", f[1]->valuestring);
                return rd_fail(r, FP_EINVAL, "%s.target", where);
            }
        }
        double u;
        if (!want_int(r, f[2], 0, UINT32_MAX, &u))
            return rd_fail(r, FP_EINVAL, "%s.source", where);
        t.source = (uint32_t)u;
        if (!want_int(r, f[6], 0, UINT32_MAX, &u))
            return rd_fail(r, FP_EINVAL, "%s.affected_calls", where);
        t.affected_calls = (uint32_t)u;
        double *nums[] = {&t.start_s,      &t.end_s,          &t.magnitude,
                          &t.extra_s,      &t.extra_mb,       &t.extra_calls,
                          &t.extra_io_ops, &t.extra_io_bytes, &t.extra_cpu_pct_s};
        static const int num_keys[] = {3, 4, 5, 7, 8, 9, 10, 11, 12};
        for (size_t k = 0; k < 9; k++) {
            if (!want_number(r, f[num_keys[k]], nums[k]))
                return rd_fail(r, FP_EINVAL, "%s.%s", where, keys[num_keys[k]]);
        }
        st = fp_profile_add_truth(p, &t);
        if (st != FP_OK)
            return fp_error_set(r->err, st, "out of memory reading profile JSON");
    }
    return FP_OK;
}

/* The optional "events" array: each object's keys are those of its kind, all required. */
static fp_status read_events(rd *r, fp_profile *p, const cJSON *events)
{
    static const char *const breach_keys[] = {"kind",  "t_s",  "guard", "value",
                                              "limit", "unit", "action"};
    static const char *const gap_keys[] = {"kind", "start_s", "end_s", "missed"};
    if (!want_type(r, events, cJSON_IsArray(events), "an array"))
        return rd_fail(r, FP_EINVAL, "events");
    size_t i = 0;
    for (const cJSON *o = events->child; o != NULL; o = o->next, i++) {
        char where[48];
        snprintf(where, sizeof(where), "events[%zu]", i);
        if (!want_type(r, o, cJSON_IsObject(o), "an object"))
            return rd_fail(r, FP_EINVAL, "%s", where);
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
        if (kind == NULL) {
            snprintf(r->msg, sizeof(r->msg), "missing field 'kind'");
            return rd_fail(r, FP_EINVAL, "%s", where);
        }
        if (!want_type(r, kind, cJSON_IsString(kind), "a string"))
            return rd_fail(r, FP_EINVAL, "%s.kind", where);
        fp_run_event e;
        memset(&e, 0, sizeof(e));
        if (strcmp(kind->valuestring, fp_event_kind_name(FP_EVENT_GUARD_BREACH)) == 0) {
            e.kind = FP_EVENT_GUARD_BREACH;
        } else if (strcmp(kind->valuestring, fp_event_kind_name(FP_EVENT_SAMPLING_GAP)) == 0) {
            e.kind = FP_EVENT_SAMPLING_GAP;
        } else {
            const char *kinds[FP_EVENT_KIND_COUNT];
            for (int k = 0; k < FP_EVENT_KIND_COUNT; k++)
                kinds[k] = fp_event_kind_name((fp_event_kind)k);
            const char *near = fp_suggest(kind->valuestring, kinds, FP_EVENT_KIND_COUNT);
            if (near != NULL)
                snprintf(r->msg, sizeof(r->msg), "unknown event kind '%.80s' (did you mean '%s'?)",
                         kind->valuestring, near);
            else
                snprintf(r->msg, sizeof(r->msg),
                         "unknown event kind '%.80s' (guard_breach or sampling_gap)",
                         kind->valuestring);
            return rd_fail(r, FP_EINVAL, "%s.kind", where);
        }
        int breach = e.kind == FP_EVENT_GUARD_BREACH;
        const char *const *keys = breach ? breach_keys : gap_keys;
        size_t nk = breach ? 7 : 4;
        const cJSON *f[7];
        fp_status st = get_fields(r, o, where, keys, nk, (1u << nk) - 1u, 0, f);
        if (st != FP_OK)
            return st;
        if (breach) {
            const char **strs[3] = {&e.guard, &e.unit, &e.action};
            static const int str_keys[3] = {2, 5, 6};
            for (int k = 0; k < 3; k++) {
                const cJSON *v = f[str_keys[k]];
                if (!want_type(r, v, cJSON_IsString(v), "a string"))
                    return rd_fail(r, FP_EINVAL, "%s.%s", where, keys[str_keys[k]]);
                *strs[k] = v->valuestring;
            }
            if (e.guard[0] == '\0') {
                snprintf(r->msg, sizeof(r->msg), "the guard's name is empty");
                return rd_fail(r, FP_EINVAL, "%s.guard", where);
            }
            double *nums[3] = {&e.start_s, &e.value, &e.limit};
            static const int num_keys[3] = {1, 3, 4};
            for (int k = 0; k < 3; k++)
                if (!want_number(r, f[num_keys[k]], nums[k]))
                    return rd_fail(r, FP_EINVAL, "%s.%s", where, keys[num_keys[k]]);
        } else {
            double missed;
            if (!want_number(r, f[1], &e.start_s))
                return rd_fail(r, FP_EINVAL, "%s.start_s", where);
            if (!want_number(r, f[2], &e.end_s))
                return rd_fail(r, FP_EINVAL, "%s.end_s", where);
            if (!want_int(r, f[3], 0, (double)FP_EVENT_MAX_MISSED, &missed))
                return rd_fail(r, FP_EINVAL, "%s.missed", where);
            e.missed = (uint64_t)missed;
            if (e.end_s < e.start_s) {
                snprintf(r->msg, sizeof(r->msg), "event %zu: end_s %.17g is before start_s %.17g",
                         i, e.end_s, e.start_s);
                return rd_fail(r, FP_EINVAL, "%s.end_s", where);
            }
        }
        st = fp_profile_add_event(p, &e); /* valid by now: only FP_ENOMEM is left */
        if (st != FP_OK)
            return fp_error_set(r->err, st, "out of memory reading profile JSON");
    }
    return FP_OK;
}

static fp_status read_profile(rd *r, fp_profile *p, const cJSON *obj)
{
    static const char *const keys[] = {"schema_version", "meta",  "methods", "spans",
                                       "series",         "truth", "events"};
    const cJSON *f[7];
    if (!want_type(r, obj, cJSON_IsObject(obj), "an object"))
        return rd_fail(r, FP_EINVAL, "%s", "");
    fp_status st = get_fields(r, obj, "", keys, 7, 0x1fu, 0, f);
    if (st != FP_OK)
        return st;
    double version;
    if (!want_int(r, f[0], 0, INT32_MAX, &version))
        return rd_fail(r, FP_EINVAL, "schema_version");
    if (version != FP_PROFILE_SCHEMA_VERSION) {
        snprintf(r->msg, sizeof(r->msg), "unsupported schema_version %.0f (this fpsim reads %d)",
                 version, FP_PROFILE_SCHEMA_VERSION);
        return rd_fail(r, FP_EINVAL, "schema_version");
    }
    if ((st = read_meta(r, p, f[1])) != FP_OK || (st = read_methods(r, p, f[2])) != FP_OK ||
        (st = read_spans(r, p, f[3])) != FP_OK || (st = read_series(r, p, f[4])) != FP_OK)
        return st;
    if (f[5] != NULL && (st = read_truth(r, p, f[5])) != FP_OK)
        return st;
    if (f[6] != NULL && (st = read_events(r, p, f[6])) != FP_OK)
        return st;
    /* Spans were checked row by row; this checks the series and truth values. Its key paths
     * ("series.cpu_pct[3]", "truth[1].end_s") are JSON paths already. */
    fp_error tmp = FP_ERROR_INIT;
    st = fp_profile_check(p, &tmp);
    if (st != FP_OK) {
        snprintf(r->msg, sizeof(r->msg), "%s", tmp.msg);
        return rd_fail(r, st, "%s", tmp.key_path);
    }
    return FP_OK;
}

/*
 * Finds the profiles of a document: a runs document yields its "runs" array (*runs) and count;
 * a single profile object yields runs == NULL and count 1.
 */
static fp_status locate_runs(rd *r, const cJSON *root, const cJSON **runs, size_t *count)
{
    static const char *const keys[] = {"fpsim_runs", "runs"};
    const cJSON *f[2];
    *runs = NULL;
    *count = 1;
    if (!want_type(r, root, cJSON_IsObject(root), "an object"))
        return rd_fail(r, FP_EINVAL, "%s", "");
    if (!cJSON_HasObjectItem(root, "fpsim_runs"))
        return FP_OK;
    /* Other top-level keys (summaries written beside the runs) are allowed and ignored. */
    fp_status st = get_fields(r, root, "", keys, 2, 0x3u, 1, f);
    if (st != FP_OK)
        return st;
    double version;
    if (!want_int(r, f[0], 0, INT32_MAX, &version))
        return rd_fail(r, FP_EINVAL, "fpsim_runs");
    if (version != FP_RUNS_VERSION) {
        snprintf(r->msg, sizeof(r->msg), "unsupported fpsim_runs %.0f (this fpsim reads %d)",
                 version, FP_RUNS_VERSION);
        return rd_fail(r, FP_EINVAL, "fpsim_runs");
    }
    if (!want_type(r, f[1], cJSON_IsArray(f[1]), "an array"))
        return rd_fail(r, FP_EINVAL, "runs");
    *runs = f[1];
    *count = (size_t)cJSON_GetArraySize(f[1]);
    return FP_OK;
}

fp_status fp_profile_json_locate(const cJSON *root, const char *file, const cJSON **runs,
                                 size_t *count, fp_error *err)
{
    rd r = {err, file, "", ""};
    fp_status st = locate_runs(&r, root, runs, count);
    if (st != FP_OK && err != NULL && err->file[0] == '\0' && file != NULL)
        snprintf(err->file, sizeof(err->file), "%s", file);
    return st;
}

fp_status fp_profile_json_read_node(fp_profile *out, const cJSON *obj, size_t run, int in_runs,
                                    const char *file, fp_error *err)
{
    rd r = {err, file, "", ""};
    fp_profile_reset(out);
    if (in_runs)
        snprintf(r.prefix, sizeof(r.prefix), "runs[%zu].", run);
    fp_status st = read_profile(&r, out, obj);
    if (st != FP_OK && err != NULL && err->file[0] == '\0' && file != NULL)
        snprintf(err->file, sizeof(err->file), "%s", file);
    if (st != FP_OK)
        fp_profile_reset(out);
    return st;
}

fp_status fp_profile_json_count(const char *text, size_t len, const char *file, size_t *count,
                                fp_error *err)
{
    rd r = {err, file, "", ""};
    cJSON *root = NULL;
    const cJSON *runs;
    fp_status st = fp_json_parse_guarded(text, len, file, "profile JSON", err, &root);
    if (st == FP_OK)
        st = locate_runs(&r, root, &runs, count);
    cJSON_Delete(root);
    return st;
}

fp_status fp_profile_read_json(fp_profile *out, const char *text, size_t len, size_t run,
                               const char *file, fp_error *err)
{
    rd r = {err, file, "", ""};
    cJSON *root = NULL;
    const cJSON *runs = NULL;
    size_t count = 0;
    fp_profile_reset(out);
    fp_status st = fp_json_parse_guarded(text, len, file, "profile JSON", err, &root);
    if (st != FP_OK)
        goto out;
    st = locate_runs(&r, root, &runs, &count);
    if (st != FP_OK)
        goto out;
    if (run >= count) {
        snprintf(r.msg, sizeof(r.msg), "run %zu out of range (%zu runs)", run, count);
        st = rd_fail(&r, FP_ERANGE, "%s", runs != NULL ? "runs" : "");
        goto out;
    }
    const cJSON *obj = root;
    if (runs != NULL) {
        obj = cJSON_GetArrayItem(runs, (int)run);
        snprintf(r.prefix, sizeof(r.prefix), "runs[%zu].", run);
    }
    st = read_profile(&r, out, obj);
out:
    if (st != FP_OK && err != NULL && err->file[0] == '\0' && file != NULL)
        snprintf(err->file, sizeof(err->file), "%s", file);
    if (st != FP_OK)
        fp_profile_reset(out);
    cJSON_Delete(root);
    return st;
}
