/*
 * fp_export.c - write-only viewer and data formats of a profile: folded stacks, speedscope JSON,
 * the series as CSV and the ground-truth manifest (docs/output-formats.md); and the index.json of
 * `fpsim generate`, read back by fp_input.c. The Chrome trace, which is also read back, lives in
 * fp_trace.c.
 *
 * Every writer derives its output from the profile alone (no clock, no locale), so the files of a
 * run are byte-identical across invocations.
 */
#include "fp_formats.h"
#include "fp_escape.h"
#include "fp_profile_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_names[FP_FORMAT_COUNT] = {"profile", "truth",  "csv",
                                                     "folded",  "chrome", "speedscope"};
static const char *const s_exts[FP_FORMAT_COUNT] = {
    "profile.json", "truth.json", "series.csv", "folded", "trace.json", "speedscope.json"};

const char *fp_format_name(fp_format f)
{
    return (unsigned)f < FP_FORMAT_COUNT ? s_names[f] : NULL;
}

const char *fp_format_ext(fp_format f)
{
    return (unsigned)f < FP_FORMAT_COUNT ? s_exts[f] : NULL;
}

fp_status fp_format_from_name(const char *name, fp_format *out)
{
    for (int i = 0; i < FP_FORMAT_COUNT; i++) {
        if (strcmp(name, s_names[i]) == 0) {
            *out = (fp_format)i;
            return FP_OK;
        }
    }
    return FP_EINVAL;
}

/* Writes `s` as a JSON string: the one escaper shared by every writer (fp_escape.h). */
static void put_string(FILE *out, const char *s)
{
    fp_json_put_string(out, s);
}

static fp_status finish(FILE *out, fp_error *err, const char *what)
{
    if (ferror(out))
        return fp_error_set(err, FP_EIO, "cannot write %s", what);
    return FP_OK;
}

/* The writers below trust the invariants (finite values); refuse a profile that breaks them. */
static fp_status precheck(const fp_profile *p, fp_error *err)
{
    return fp_profile_check(p, err);
}

/*
 * Self time of every span: duration minus the union of its children's intervals (clipped to the
 * span). Children follow their parent in pre-order and appear in start order, so one pass with
 * the end of the last merged interval per parent suffices. *out is new (fp_free).
 */
static fp_status self_times(const fp_profile *p, double **out)
{
    size_t n = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    double *self = NULL, *cur = NULL;
    fp_status st = FP_ENOMEM;
    *out = NULL;
    if (n == 0)
        return FP_OK;
    self = fp_calloc(n, sizeof(double));
    cur = fp_calloc(n, sizeof(double));
    if (self == NULL || cur == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        self[i] = 0.0; /* covered time so far */
        cur[i] = -INFINITY;
    }
    for (size_t j = 0; j < n; j++) {
        int32_t q = sp[j].parent;
        if (q < 0)
            continue;
        double pe = sp[q].start_s + sp[q].dur_s;
        double s = sp[j].start_s < sp[q].start_s ? sp[q].start_s : sp[j].start_s;
        double e = sp[j].start_s + sp[j].dur_s;
        if (e > pe)
            e = pe;
        if (e <= s)
            continue;
        if (s >= cur[q]) {
            self[q] += e - s;
            cur[q] = e;
        } else if (e > cur[q]) {
            self[q] += e - cur[q];
            cur[q] = e;
        }
    }
    for (size_t i = 0; i < n; i++) {
        double v = sp[i].dur_s - self[i];
        self[i] = v > 0.0 ? v : 0.0;
    }
    *out = self;
    self = NULL;
    st = FP_OK;
out:
    fp_free(self);
    fp_free(cur);
    return st;
}

/* ======================================================================== folded stacks */

typedef struct stack_row {
    char *stack;
    double self_s;
} stack_row;

static int cmp_rows(const void *a, const void *b)
{
    return strcmp(((const stack_row *)a)->stack, ((const stack_row *)b)->stack);
}

/* Appends the sanitised name of method `m` to buf at *len (buf is large enough). */
static void append_name(char *buf, size_t *len, const char *name)
{
    for (const char *c = name; *c != '\0'; c++)
        buf[(*len)++] = fp_folded_char(*c);
}

fp_status fp_export_folded(const fp_profile *p, FILE *out, fp_error *err)
{
    size_t n = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    double *self = NULL;
    size_t *plen = NULL;
    stack_row *rows = NULL;
    size_t nrows = 0;
    fp_status st = precheck(p, err);
    if (st != FP_OK)
        return st;
    if ((st = self_times(p, &self)) != FP_OK)
        goto nomem;
    if (n > 0) {
        plen = fp_calloc(n, sizeof(size_t));
        rows = fp_calloc(n, sizeof(stack_row));
        if (plen == NULL || rows == NULL)
            goto nomem;
    }
    /* Stack string length of each span: parent's + ';' + own name (parents come first). */
    for (size_t i = 0; i < n; i++) {
        size_t own = strlen(fp_profile_method_name(p, sp[i].method));
        size_t base = sp[i].parent >= 0 ? plen[sp[i].parent] + 1 : 0;
        if (base + own < base || base + own + 1 < base + own)
            goto nomem;
        plen[i] = base + own;
    }
    for (size_t i = 0; i < n; i++) {
        char *buf = fp_malloc(plen[i] + 1);
        if (buf == NULL)
            goto nomem;
        /* Fill from the leaf upwards: each ancestor's name ends where its own stack ends. */
        size_t j = i;
        for (;;) {
            const char *name = fp_profile_method_name(p, sp[j].method);
            size_t nl = strlen(name);
            size_t at = plen[j] - nl, len = at;
            append_name(buf, &len, name);
            if (sp[j].parent < 0)
                break;
            buf[at - 1] = ';';
            j = (size_t)sp[j].parent;
        }
        buf[plen[i]] = '\0';
        rows[nrows].stack = buf;
        rows[nrows].self_s = self[i];
        nrows++;
    }
    if (nrows > 0)
        qsort(rows, nrows, sizeof(stack_row), cmp_rows);
    for (size_t i = 0; i < nrows;) {
        double sum = 0.0;
        size_t k = i;
        while (k < nrows && strcmp(rows[k].stack, rows[i].stack) == 0)
            sum += rows[k++].self_s;
        double us = floor(sum * 1e6 + 0.5);
        if (us >= 1.0)
            fprintf(out, "%s %.0f\n", rows[i].stack, us);
        i = k;
    }
    st = finish(out, err, "folded stacks");
    goto out;
nomem:
    st = fp_error_set(err, FP_ENOMEM, "out of memory writing folded stacks");
out:
    for (size_t i = 0; i < nrows; i++)
        fp_free(rows[i].stack);
    fp_free(rows);
    fp_free(plen);
    fp_free(self);
    return st;
}

/* ======================================================================== speedscope */

typedef struct span_key {
    uint32_t track;
    double start, end;
    size_t index;
} span_key;

static int cmp_keys(const void *a, const void *b)
{
    const span_key *x = a, *y = b;
    if (x->track != y->track)
        return x->track < y->track ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* the enclosing span opens first */
    return x->index < y->index ? -1 : (x->index > y->index);
}

static void ss_event(FILE *out, int *first, char type, uint32_t frame, double at)
{
    fprintf(out, "%s\n        {\"type\": \"%c\", \"frame\": %" PRIu32 ", \"at\": %s}",
            *first ? "" : ",", type, frame, FP_G(at));
    *first = 0;
}

fp_status fp_export_speedscope(const fp_profile *p, FILE *out, fp_error *err)
{
    size_t n = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    span_key *keys = NULL;
    size_t *stack = NULL;
    double *close_at = NULL;
    fp_status st = precheck(p, err);
    if (st != FP_OK)
        return st;
    if (n > 0) {
        keys = fp_calloc(n, sizeof(span_key));
        stack = fp_calloc(n, sizeof(size_t));
        close_at = fp_calloc(n, sizeof(double));
        if (keys == NULL || stack == NULL || close_at == NULL) {
            st = fp_error_set(err, FP_ENOMEM, "out of memory writing speedscope JSON");
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        keys[i].track = sp[i].track;
        keys[i].start = sp[i].start_s;
        keys[i].end = sp[i].start_s + sp[i].dur_s;
        keys[i].index = i;
    }
    if (n > 0)
        qsort(keys, n, sizeof(span_key), cmp_keys);
    fp_meta m = fp_profile_meta(p);
    double duration = fp_profile_duration(p);
    fputs("{\n  \"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n", out);
    fputs("  \"name\": ", out);
    char title[FP_ERROR_MSG_MAX];
    snprintf(title, sizeof(title), "%s run %" PRIu64, m.scenario[0] ? m.scenario : "fpsim",
             m.run_index);
    put_string(out, title);
    fprintf(out, ",\n  \"exporter\": \"fpsim %s\",\n  \"activeProfileIndex\": 0,\n", fp_version());
    fputs("  \"shared\": {\"frames\": [", out);
    for (size_t i = 0; i < fp_profile_method_count(p); i++) {
        fputs(i > 0 ? ", {\"name\": " : "{\"name\": ", out);
        put_string(out, fp_profile_method_name(p, i));
        putc('}', out);
    }
    fputs("]},\n  \"profiles\": [", out);
    size_t i = 0;
    int nprof = 0;
    while (i < n || nprof == 0) {
        uint32_t track = n > 0 ? keys[i].track : 0;
        fprintf(out,
                "%s\n    {\"type\": \"evented\", \"name\": \"track %" PRIu32 "\", \"unit\": "
                "\"seconds\", \"startValue\": 0, \"endValue\": %s, \"events\": [",
                nprof > 0 ? "," : "", track, FP_G(duration));
        nprof++;
        int first = 1;
        size_t depth = 0;
        double last = 0.0;
        for (; i < n && keys[i].track == track; i++) {
            const span_key *k = &keys[i];
            /* Close every open span that ends at or before this one starts, to the profile's
             * nesting slack as the Chrome trace writer does (span_us()): back-to-back spans
             * whose start + dur rounds a few ulps past the next start were nested, the next
             * one cut to nothing (speedscope then lost its time). */
            while (depth > 0 && close_at[depth - 1] <= k->start + FP_SPAN_NEST_TOL) {
                depth--;
                if (close_at[depth] > last)
                    last = close_at[depth];
                ss_event(out, &first, 'C', sp[stack[depth]].method, last);
            }
            double at = k->start > last ? k->start : last;
            double end = k->end;
            /* Nest strictly: a span overlapping the open one (possible only within the 1e-9 s
             * tolerance of the invariants) is cut at the enclosing end. */
            if (depth > 0 && end > close_at[depth - 1])
                end = close_at[depth - 1];
            if (end < at)
                end = at;
            ss_event(out, &first, 'O', sp[k->index].method, at);
            last = at;
            stack[depth] = k->index;
            close_at[depth] = end;
            depth++;
        }
        while (depth > 0) {
            depth--;
            if (close_at[depth] > last)
                last = close_at[depth];
            ss_event(out, &first, 'C', sp[stack[depth]].method, last);
        }
        fputs(first ? "]}" : "\n      ]}", out);
        if (n == 0)
            break;
    }
    fputs("\n  ]\n}\n", out);
    st = finish(out, err, "speedscope JSON");
out:
    fp_free(keys);
    fp_free(stack);
    fp_free(close_at);
    return st;
}

/* ======================================================================== series CSV */

fp_status fp_export_series_csv(const fp_profile *p, FILE *out, fp_error *err)
{
    fp_status st = precheck(p, err);
    if (st != FP_OK)
        return st;
    fp_series s = fp_profile_series(p);
    fputs("sample,start_s,mem_mb,cpu_pct,io_ops,io_bytes\r\n", out);
    for (size_t k = 0; k < s.n; k++)
        fprintf(out, "%zu,%s,%s,%s,%s,%s\r\n", k, FP_G((double)k * s.interval_s), FP_G(s.mem_mb[k]),
                FP_G(s.cpu_pct[k]), FP_G(s.io_ops[k]), FP_G(s.io_bytes[k]));
    return finish(out, err, "series CSV");
}

/* ======================================================================== manifest */

fp_status fp_export_manifest(const fp_profile *p, FILE *out, fp_error *err)
{
    fp_status st = precheck(p, err);
    if (st != FP_OK)
        return st;
    fp_meta m = fp_profile_meta(p);
    fprintf(out, "{\n  \"fpsim_manifest\": %d,\n  \"scenario\": ", FP_MANIFEST_VERSION);
    put_string(out, m.scenario);
    fprintf(out,
            ",\n  \"seed\": \"%" PRIu64 "\",\n  \"run_index\": %" PRIu64 ",\n  \"rng\": ", m.seed,
            m.run_index);
    put_string(out, m.rng);
    fputs(",\n  \"gsl_version\": ", out);
    put_string(out, m.gsl_version);
    fputs(",\n  \"fpsim_version\": ", out);
    put_string(out, m.fpsim_version);
    fprintf(out, ",\n  \"simulated\": %s,\n  \"duration_s\": %s,\n  \"injected\": [",
            m.simulated ? "true" : "false", FP_G(fp_profile_duration(p)));
    const fp_truth *t = fp_profile_truth(p);
    size_t nt = fp_profile_truth_count(p);
    for (size_t i = 0; i < nt; i++) {
        fputs(i > 0 ? ",\n    {\"kind\": " : "\n    {\"kind\": ", out);
        put_string(out, fp_kind_name(t[i].kind));
        fputs(", \"target\": ", out);
        if (t[i].target == FP_TARGET_PROCESS)
            fputs("null", out);
        else
            put_string(out, fp_profile_method_name(p, (size_t)t[i].target));
        fprintf(out,
                ", \"source\": %" PRIu32 ", \"start_s\": %s, \"end_s\": %s, "
                "\"magnitude\": %s, \"affected_calls\": %" PRIu32 ", \"extra_s\": %s, "
                "\"extra_mb\": %s, \"extra_calls\": %s, \"extra_io_ops\": %s, "
                "\"extra_io_bytes\": %s, \"extra_cpu_pct_s\": %s}",
                t[i].source, FP_G(t[i].start_s), FP_G(t[i].end_s), FP_G(t[i].magnitude),
                t[i].affected_calls, FP_G(t[i].extra_s), FP_G(t[i].extra_mb),
                FP_G(t[i].extra_calls), FP_G(t[i].extra_io_ops), FP_G(t[i].extra_io_bytes),
                FP_G(t[i].extra_cpu_pct_s));
    }
    fputs(nt > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
    return finish(out, err, "manifest JSON");
}

/* ======================================================================== generate index */

/* Writes the JSON string "DIR/run-K.EXT". */
static fp_status put_run_file(FILE *out, const char *dir, uint64_t run, const char *ext)
{
    size_t need = strlen(dir) + strlen(ext) + 32;
    char *rel = fp_malloc(need);
    if (rel == NULL)
        return FP_ENOMEM;
    snprintf(rel, need, "%s/run-%" PRIu64 ".%s", dir, run, ext);
    put_string(out, rel);
    fp_free(rel);
    return FP_OK;
}

fp_status fp_export_index(const fp_index *ix, FILE *out, fp_error *err)
{
    if (ix->rng == NULL || ix->gsl_version == NULL || ix->formats == NULL)
        return fp_error_set(err, FP_EINVAL, "index: no rng, gsl_version or formats");
    for (size_t i = 0; i < ix->n_scenarios; i++)
        if (ix->scenarios[i].name == NULL || ix->scenarios[i].dir == NULL)
            return fp_error_set(err, FP_EINVAL, "index: scenario %zu has no name or dir", i);
    fprintf(out, "{\n  \"fpsim_index\": %d,\n  \"fpsim_version\": ", FP_INDEX_VERSION);
    put_string(out, fp_version());
    fputs(",\n  \"gsl_version\": ", out);
    put_string(out, ix->gsl_version);
    fputs(",\n  \"rng\": ", out);
    put_string(out, ix->rng);
    fputs(",\n  \"layout\": \"<scenario>/run-<k>.<ext>\",\n  \"formats\": [", out);
    int first = 1;
    for (int k = 0; k < FP_FORMAT_COUNT; k++) {
        if (!ix->formats[k])
            continue;
        fputs(first ? "" : ", ", out);
        put_string(out, s_names[k]);
        first = 0;
    }
    fputs("],\n  \"scenarios\": [", out);
    for (size_t i = 0; i < ix->n_scenarios; i++) {
        const fp_index_scenario *sc = &ix->scenarios[i];
        fputs(i > 0 ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        put_string(out, sc->name);
        fputs(", \"file\": ", out);
        if (sc->file == NULL)
            fputs("null", out);
        else
            put_string(out, sc->file);
        fputs(", \"dir\": ", out);
        put_string(out, sc->dir);
        fprintf(out, ", \"seed\": \"%" PRIu64 "\", \"runs\": [", sc->seed);
        for (uint64_t r = 0; r < ix->runs; r++) {
            fprintf(out, "%s\n      {\"run_index\": %" PRIu64 ", \"files\": {", r > 0 ? "," : "",
                    r);
            first = 1;
            for (int k = 0; k < FP_FORMAT_COUNT; k++) {
                if (!ix->formats[k])
                    continue;
                fputs(first ? "" : ", ", out);
                put_string(out, s_names[k]);
                fputs(": ", out);
                if (put_run_file(out, sc->dir, r, s_exts[k]) != FP_OK)
                    return fp_error_set(err, FP_ENOMEM, "out of memory writing the index");
                first = 0;
            }
            fputs("}}", out);
        }
        fputs("\n    ]}", out);
    }
    fputs(ix->n_scenarios > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
    return finish(out, err, "index JSON");
}
