/*
 * fp_baseline.c - the baseline model (learning, quantiles), its JSON file (writer and strict
 * reader) and the comparison of an analysed run with it (fp_baseline_apply(), called by
 * fp_analyze_with_baseline()). docs/analysis.md, "Baselines", states the test.
 */
#include "fp_baseline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "fp_analysis_internal.h"
#include "fp_escape.h"
#include "fp_json.h"

const double fp_baseline_levels[FP_BASELINE_NQ] = {0.01, 0.05, 0.10, 0.25, 0.50,
                                                   0.75, 0.90, 0.95, 0.99};

/* The per-method metrics' keys (version 4): the report's names for the same quantity. The first
 * three are per-call means, self_mean_s and alloc_mean_mb as in the findings' evidence
 * (fp_method_metrics); the report's methods[] self_s, alloc_mb and retained_mb are per-run totals.
 */
static const char *const s_metric_keys[FP_BM_COUNT] = {
    "self_mean_s", "calls",  "alloc_mean_mb", "retained_mean_mb",
    "cpu_pct",     "io_ops", "tail_frac",     "tail_ratio"};
/* Versions 2 and 3 (still read) gave the per-call means the report's names of the totals. */
static const char *const s_metric_keys_v3[FP_BM_COUNT] = {
    "self_s", "calls", "alloc_mb", "retained_mb", "cpu_pct", "io_ops", "tail_frac", "tail_ratio"};
/* The first version whose per-method keys are s_metric_keys. */
#define BL_VERSION_MEAN_KEYS 4
static const char *const s_run_keys[FP_BR_COUNT] = {
    "duration_s",          "mem_level_mb",           "mem_slope_mb_s",
    "mem_noise_mb",        "cpu_level_pct",          "cpu_slope_pct_s",
    "cpu_noise_pct",       "cpu_episode_max_core_s", "cpu_episode_total_core_s",
    "mem_tail_slope_mb_s", "mem_tail_growth_mb",     "mem_peak_over_mb"};

/* The process-level run metrics are the analysis' FP_PROC_* in the same order. */
_Static_assert(FP_BR_COUNT - FP_BR_COUNT_V2 == FP_PROC_N, "one run metric per FP_PROC_*");
_Static_assert(FP_BR_MEM_TAIL_SLOPE_MB_S - FP_BR_COUNT_V2 == FP_PROC_LEAK_SLOPE_MB_S &&
                   FP_BR_MEM_PEAK_OVER_MB - FP_BR_COUNT_V2 == FP_PROC_MEM_PEAK_OVER_MB,
               "FP_BR_* and FP_PROC_* in the same order");

const char *fp_baseline_metric_key(fp_baseline_metric m)
{
    return (unsigned)m < FP_BM_COUNT ? s_metric_keys[m] : NULL;
}

const char *fp_baseline_run_metric_key(fp_baseline_run_metric m)
{
    return (unsigned)m < FP_BR_COUNT ? s_run_keys[m] : NULL;
}

/* A growing sample (learning only). */
typedef struct sample {
    double *v;
    size_t n, cap;
} sample;

typedef struct bl_method {
    char *name;
    sample s[FP_BM_COUNT];
    fp_baseline_dist d[FP_BM_COUNT];
} bl_method;

struct fp_baseline {
    uint64_t runs;
    int finished;
    bl_method *m; /* sorted by name once finished */
    size_t n_m, cap_m;
    sample rs[FP_BR_COUNT];
    fp_baseline_dist rd[FP_BR_COUNT];
};

fp_status fp_baseline_new(fp_baseline **out, fp_error *err)
{
    *out = fp_calloc(1, sizeof **out);
    return *out ? FP_OK : fp_error_set(err, FP_ENOMEM, "baseline: out of memory");
}

void fp_baseline_free(fp_baseline *b)
{
    size_t i, k;
    if (!b)
        return;
    for (i = 0; i < b->n_m; i++) {
        fp_free(b->m[i].name);
        for (k = 0; k < FP_BM_COUNT; k++)
            fp_free(b->m[i].s[k].v);
    }
    for (k = 0; k < FP_BR_COUNT; k++)
        fp_free(b->rs[k].v);
    fp_free(b->m);
    fp_free(b);
}

static fp_status push(sample *s, double x, fp_error *err)
{
    if (s->n >= FP_BASELINE_MAX_SAMPLES)
        return FP_OK;
    if (fp_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "baseline: out of memory");
    s->v[s->n++] = fp_fin(x);
    return FP_OK;
}

static bl_method *find_method(const fp_baseline *b, const char *name)
{
    size_t i;
    if (b->finished) {
        size_t lo = 0, hi = b->n_m;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(b->m[mid].name, name);
            if (c == 0)
                return &b->m[mid];
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return NULL;
    }
    for (i = 0; i < b->n_m; i++)
        if (strcmp(b->m[i].name, name) == 0)
            return &b->m[i];
    return NULL;
}

static fp_status add_method(fp_baseline *b, const char *name, bl_method **out, fp_error *err)
{
    bl_method *m;
    if (fp_grow((void **)&b->m, &b->cap_m, b->n_m + 1, sizeof *b->m) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "baseline: out of memory");
    m = &b->m[b->n_m];
    memset(m, 0, sizeof *m);
    m->name = fp_strdup(name);
    if (!m->name)
        return fp_error_set(err, FP_ENOMEM, "baseline: out of memory");
    b->n_m++;
    *out = m;
    return FP_OK;
}

/* Level (mean), slope per second (least squares) and residual sd of one series. */
static void series_stats(const double *y, size_t n, double dt, double *level, double *slope,
                         double *noise)
{
    double c0 = 0, c1 = 0, cov00, cov01, cov11, sumsq = 0;
    double *x;
    size_t i;

    *level = *slope = *noise = 0;
    if (!y || n == 0)
        return;
    *level = fp_fin(gsl_stats_mean(y, 1, n));
    if (n < 3)
        return;
    x = fp_malloc(n * sizeof *x);
    if (!x)
        return; /* the level alone: the slope and noise stay 0 */
    for (i = 0; i < n; i++)
        x[i] = (double)i * dt;
    if (gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) == 0) {
        *slope = fp_fin(c1);
        *noise = fp_fin(sqrt(sumsq / (double)(n - 2)));
    }
    fp_free(x);
}

/* 1 when metric k is a tail metric and method m has too few calls to have one learnt or
 * tested (fewer than latency_outliers.min_calls, or no tails computed). */
static int has_tail(const fp_analysis *a, const fp_method_metrics *m, fp_baseline_metric k)
{
    return (k == FP_BM_TAIL_FRAC || k == FP_BM_TAIL_RATIO) &&
           (a->tails == NULL || m->container || (double)m->calls < a->th.outlier_min_calls);
}

/* The memory series' peak over its level, maximum - median (FP_PROC_MEM_PEAK_OVER_MB), into
 * a->proc when the profile has a memory series. Only learning needs it (nothing tests it yet). */
static fp_status peak_over_level(fp_analysis *a, const fp_profile *p, fp_error *err)
{
    fp_series ser = fp_profile_series(p);
    unsigned need = FP_DATA_MEM | FP_DATA_SERIES_MEM;
    double *v, top = -HUGE_VAL;
    size_t k;
    if ((fp_profile_data(p) & need) != need || ser.n == 0 || ser.mem_mb == NULL)
        return FP_OK;
    v = fp_malloc(ser.n * sizeof *v);
    if (!v)
        return fp_error_set(err, FP_ENOMEM, "baseline: out of memory");
    for (k = 0; k < ser.n; k++) {
        v[k] = ser.mem_mb[k];
        top = v[k] > top ? v[k] : top;
    }
    gsl_sort(v, 1, ser.n);
    a->proc[FP_PROC_MEM_PEAK_OVER_MB] =
        fp_fin(top - gsl_stats_median_from_sorted_data(v, 1, ser.n));
    a->proc_have |= 1u << FP_PROC_MEM_PEAK_OVER_MB;
    fp_free(v);
    return FP_OK;
}

fp_status fp_baseline_add(fp_baseline *b, const fp_profile *p, const fp_thresholds *t,
                          int (*cancel)(void *ctx), void *cancel_ctx, fp_error *err)
{
    fp_analysis *a = NULL;
    const fp_method_metrics *mm;
    const fp_run_metrics *run;
    fp_series ser;
    double rv[FP_BR_COUNT];
    size_t i, n, k;
    fp_status st;

    if (b->finished)
        return fp_error_set(err, FP_EINVAL, "baseline: already finished");
    st = fp_analyze_full(&a, p, t, NULL, 1, cancel, cancel_ctx, err); /* with the tails */
    if (st != FP_OK)
        return st;
    mm = fp_analysis_methods(a, &n);
    for (i = 0; i < n && st == FP_OK; i++) {
        const fp_method_metrics *m = &mm[i];
        double v[FP_BM_COUNT];
        bl_method *bm;
        if (m->calls == 0)
            continue;
        bm = find_method(b, m->name);
        if (!bm && (st = add_method(b, m->name, &bm, err)) != FP_OK)
            break;
        v[FP_BM_SELF_S] = m->self_mean_s;
        v[FP_BM_CALLS] = (double)m->calls;
        v[FP_BM_ALLOC_MB] = m->mem_alloc_mean_mb;
        v[FP_BM_RETAINED_MB] = fp_div(m->mem_retained_mb, (double)m->calls);
        v[FP_BM_CPU_PCT] = m->cpu_pct;
        v[FP_BM_IO_OPS] = m->io_ops;
        v[FP_BM_TAIL_FRAC] = a->tails[i * FP_TAIL_N + FP_TAIL_FRAC];
        v[FP_BM_TAIL_RATIO] = a->tails[i * FP_TAIL_N + FP_TAIL_RATIO];
        for (k = 0; k < FP_BM_COUNT && st == FP_OK; k++)
            if (!has_tail(a, m, (fp_baseline_metric)k)) /* too few calls for a tail */
                st = push(&bm->s[k], v[k], err);
    }
    if (st == FP_OK)
        st = peak_over_level(a, p, err);
    run = fp_analysis_run(a);
    ser = fp_profile_series(p);
    rv[FP_BR_DURATION_S] = run->duration_s;
    series_stats(ser.mem_mb, ser.n, ser.interval_s, &rv[FP_BR_MEM_LEVEL_MB],
                 &rv[FP_BR_MEM_SLOPE_MB_S], &rv[FP_BR_MEM_NOISE_MB]);
    series_stats(ser.cpu_pct, ser.n, ser.interval_s, &rv[FP_BR_CPU_LEVEL_PCT],
                 &rv[FP_BR_CPU_SLOPE_PCT_S], &rv[FP_BR_CPU_NOISE_PCT]);
    for (k = 0; k < FP_BR_COUNT_V2 && st == FP_OK; k++)
        st = push(&b->rs[k], rv[k], err);
    /* the process-level metrics of the detectors that ran on the data they need */
    for (k = FP_BR_COUNT_V2; k < FP_BR_COUNT && st == FP_OK; k++)
        if (a->proc_have >> (k - FP_BR_COUNT_V2) & 1u)
            st = push(&b->rs[k], a->proc[k - FP_BR_COUNT_V2], err);
    if (st == FP_OK)
        b->runs++;
    fp_analysis_free(a);
    return st;
}

fp_status fp_baseline_proc_metrics(const fp_profile *p, const fp_thresholds *t,
                                   fp_baseline_proc *out, fp_error *err)
{
    fp_analysis *a = NULL;
    fp_status st = fp_analyze_full(&a, p, t, NULL, 0, NULL, NULL, err);
    memset(out, 0, sizeof *out);
    if (st != FP_OK)
        return st;
    st = peak_over_level(a, p, err);
    memcpy(out->v, a->proc, sizeof out->v);
    out->have = a->proc_have;
    fp_analysis_free(a);
    return st;
}

static void summarise(sample *s, fp_baseline_dist *d)
{
    size_t j;
    memset(d, 0, sizeof *d);
    d->n = s->n;
    if (s->n == 0)
        return;
    gsl_sort(s->v, 1, s->n);
    for (j = 0; j < FP_BASELINE_NQ; j++) {
        d->q[j] = fp_fin(gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, fp_baseline_levels[j]));
        if (j > 0 && d->q[j] < d->q[j - 1]) /* interpolating between equal values can round down */
            d->q[j] = d->q[j - 1];
    }
    fp_free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_method(const void *x, const void *y)
{
    return strcmp(((const bl_method *)x)->name, ((const bl_method *)y)->name);
}

fp_status fp_baseline_finish(fp_baseline *b, fp_error *err)
{
    size_t i, k;
    (void)err;
    if (b->finished)
        return FP_OK;
    for (i = 0; i < b->n_m; i++)
        for (k = 0; k < FP_BM_COUNT; k++)
            summarise(&b->m[i].s[k], &b->m[i].d[k]);
    for (k = 0; k < FP_BR_COUNT; k++)
        summarise(&b->rs[k], &b->rd[k]);
    if (b->n_m > 1)
        qsort(b->m, b->n_m, sizeof *b->m, cmp_method);
    b->finished = 1;
    return FP_OK;
}

uint64_t fp_baseline_runs(const fp_baseline *b)
{
    return b->runs;
}

size_t fp_baseline_method_count(const fp_baseline *b)
{
    return b->n_m;
}

const char *fp_baseline_method_name(const fp_baseline *b, size_t i)
{
    return i < b->n_m ? b->m[i].name : NULL;
}

const fp_baseline_dist *fp_baseline_method_dist(const fp_baseline *b, const char *name,
                                                fp_baseline_metric m)
{
    const bl_method *bm;
    if (!b->finished || (unsigned)m >= FP_BM_COUNT)
        return NULL;
    bm = find_method(b, name);
    return bm ? &bm->d[m] : NULL;
}

const fp_baseline_dist *fp_baseline_run_dist(const fp_baseline *b, fp_baseline_run_metric m)
{
    return b->finished && (unsigned)m < FP_BR_COUNT ? &b->rd[m] : NULL;
}

/* ---- the file ---- */

static void put_dist(FILE *f, const fp_baseline_dist *d)
{
    size_t j;
    fprintf(f, "{\"n\": %llu, \"q\": [", (unsigned long long)d->n);
    for (j = 0; j < FP_BASELINE_NQ; j++)
        fprintf(f, "%s%.17g", j ? ", " : "", d->q[j]);
    fputs("]}", f);
}

fp_status fp_baseline_write_json(const fp_baseline *b, FILE *f, fp_error *err)
{
    size_t i, k;
    if (!b->finished)
        return fp_error_set(err, FP_EINVAL, "baseline: not finished");
    fprintf(f,
            "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"runs\": %llu,\n  \"quantiles\": [",
            FP_BASELINE_FORMAT, FP_BASELINE_VERSION, (unsigned long long)b->runs);
    for (k = 0; k < FP_BASELINE_NQ; k++)
        fprintf(f, "%s%g", k ? ", " : "", fp_baseline_levels[k]);
    fputs("],\n  \"run\": {", f);
    for (k = 0; k < FP_BR_COUNT; k++) {
        fprintf(f, "%s\n    \"%s\": ", k ? "," : "", s_run_keys[k]);
        put_dist(f, &b->rd[k]);
    }
    fputs("\n  },\n  \"methods\": [", f);
    for (i = 0; i < b->n_m; i++) {
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        fp_json_put_string(f, b->m[i].name);
        for (k = 0; k < FP_BM_COUNT; k++) {
            fprintf(f, ",\n     \"%s\": ", s_metric_keys[k]);
            put_dist(f, &b->m[i].d[k]);
        }
        fputc('}', f);
    }
    fputs(b->n_m ? "\n  ]\n}\n" : "]\n}\n", f);
    return ferror(f) ? fp_error_set(err, FP_EIO, "baseline: write failed") : FP_OK;
}

/* Reader: every error names the file and the key path. */
static fp_status bad(fp_error *err, const char *file, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static fp_status bad(fp_error *err, const char *file, const char *path, const char *fmt, ...)
{
    char msg[FP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fp_error_set_at(err, FP_EINVAL, file, 0, 0, "%s", msg);
    fp_error_set_path(err, path);
    return FP_EINVAL;
}

/* Checks that object `o` has only the keys in `keys` (NULL-terminated) and all of them. */
static fp_status check_keys(const cJSON *o, const char *const *keys, const char *file,
                            const char *path, fp_error *err)
{
    const cJSON *c;
    char p[FP_ERROR_PATH_MAX];
    size_t i;
    if (!cJSON_IsObject(o))
        return bad(err, file, path, "%s must be an object", path[0] ? path : "the document");
    cJSON_ArrayForEach(c, o)
    {
        for (i = 0; keys[i]; i++)
            if (strcmp(c->string, keys[i]) == 0)
                break;
        if (!keys[i]) {
            snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", c->string);
            return bad(err, file, p, "unknown key '%s'", c->string);
        }
    }
    for (i = 0; keys[i]; i++)
        if (!cJSON_GetObjectItemCaseSensitive(o, keys[i])) {
            snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", keys[i]);
            return bad(err, file, p, "missing key '%s'", keys[i]);
        }
    return FP_OK;
}

static fp_status read_count(const cJSON *v, const char *file, const char *path, uint64_t *out,
                            fp_error *err)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9007199254740992.0 ||
        floor(v->valuedouble) != v->valuedouble)
        return bad(err, file, path, "%s must be a non-negative integer", path);
    *out = (uint64_t)v->valuedouble;
    return FP_OK;
}

static fp_status read_dist(const cJSON *o, const char *file, const char *path, fp_baseline_dist *d,
                           fp_error *err)
{
    static const char *const keys[] = {"n", "q", NULL};
    char p[FP_ERROR_PATH_MAX];
    const cJSON *q, *c;
    size_t j = 0;
    fp_status st = check_keys(o, keys, file, path, err);
    if (st != FP_OK)
        return st;
    snprintf(p, sizeof p, "%s.n", path);
    if ((st = read_count(cJSON_GetObjectItemCaseSensitive(o, "n"), file, p, &d->n, err)) != FP_OK)
        return st;
    snprintf(p, sizeof p, "%s.q", path);
    q = cJSON_GetObjectItemCaseSensitive(o, "q");
    if (!cJSON_IsArray(q) || cJSON_GetArraySize(q) != FP_BASELINE_NQ)
        return bad(err, file, p, "%s must be an array of 9 numbers", p);
    cJSON_ArrayForEach(c, q)
    {
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
            return bad(err, file, p, "%s must be an array of 9 numbers", p);
        d->q[j] = c->valuedouble;
        if (j > 0 && d->q[j] < d->q[j - 1])
            return bad(err, file, p, "%s must be non-decreasing", p);
        j++;
    }
    return FP_OK;
}

static fp_status read_tree(fp_baseline *b, const cJSON *root, const char *file, fp_error *err)
{
    static const char *const top[] = {"format", "version", "runs", "quantiles",
                                      "run",    "methods", NULL};
    const char *mkeys[FP_BM_COUNT + 2]; /* "name" and the metrics, NULL-terminated */
    const char *rkeys[FP_BR_COUNT + 1];
    const char *const *metric_keys = s_metric_keys;
    const cJSON *v, *c;
    char p[FP_ERROR_PATH_MAX];
    size_t k, i = 0, n_run = FP_BR_COUNT;
    fp_status st;

    for (k = 0; k < FP_BR_COUNT; k++)
        rkeys[k] = s_run_keys[k];

    if (!cJSON_IsObject(root))
        return bad(err, file, "", "a baseline must be a JSON object");
    /* the format and version first: another version may have other keys */
    v = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, FP_BASELINE_FORMAT) != 0)
        return bad(err, file, "format", "format must be \"%s\"", FP_BASELINE_FORMAT);
    v = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= FP_BASELINE_VERSION_MIN) ||
        v->valuedouble > FP_BASELINE_VERSION || floor(v->valuedouble) != v->valuedouble)
        return bad(err, file, "version", "unsupported baseline version (%d to %d are supported)",
                   FP_BASELINE_VERSION_MIN, FP_BASELINE_VERSION);
    /* version 2: no process-level run metrics (their distributions stay empty, n = 0) */
    if (v->valuedouble == FP_BASELINE_VERSION_MIN)
        n_run = FP_BR_COUNT_V2;
    rkeys[n_run] = NULL;
    /* versions 2 and 3: the per-call means under their old names */
    if (v->valuedouble < BL_VERSION_MEAN_KEYS)
        metric_keys = s_metric_keys_v3;
    mkeys[0] = "name";
    for (k = 0; k < FP_BM_COUNT; k++)
        mkeys[k + 1] = metric_keys[k];
    mkeys[FP_BM_COUNT + 1] = NULL;
    if ((st = check_keys(root, top, file, "", err)) != FP_OK)
        return st;
    if ((st = read_count(cJSON_GetObjectItemCaseSensitive(root, "runs"), file, "runs", &b->runs,
                         err)) != FP_OK)
        return st;
    v = cJSON_GetObjectItemCaseSensitive(root, "quantiles");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != FP_BASELINE_NQ)
        return bad(err, file, "quantiles", "%s must be the 9 levels 0.01 .. 0.99", "quantiles");
    cJSON_ArrayForEach(c, v)
    {
        if (!cJSON_IsNumber(c) || fabs(c->valuedouble - fp_baseline_levels[i]) > 1e-12)
            return bad(err, file, "quantiles", "%s must be the 9 levels 0.01 .. 0.99", "quantiles");
        i++;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "run");
    if ((st = check_keys(v, rkeys, file, "run", err)) != FP_OK)
        return st;
    for (k = 0; k < n_run; k++) {
        snprintf(p, sizeof p, "run.%s", s_run_keys[k]);
        if ((st = read_dist(cJSON_GetObjectItemCaseSensitive(v, s_run_keys[k]), file, p, &b->rd[k],
                            err)) != FP_OK)
            return st;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "methods");
    if (!cJSON_IsArray(v))
        return bad(err, file, "methods", "%s must be an array", "methods");
    i = 0;
    cJSON_ArrayForEach(c, v)
    {
        const cJSON *nm;
        bl_method *bm;
        snprintf(p, sizeof p, "methods[%zu]", i);
        if ((st = check_keys(c, mkeys, file, p, err)) != FP_OK)
            return st;
        nm = cJSON_GetObjectItemCaseSensitive(c, "name");
        snprintf(p, sizeof p, "methods[%zu].name", i);
        if (!cJSON_IsString(nm) || nm->valuestring[0] == '\0')
            return bad(err, file, p, "%s must be a non-empty string", p);
        if (find_method(b, nm->valuestring))
            return bad(err, file, p, "method '%s' given twice", nm->valuestring);
        if ((st = add_method(b, nm->valuestring, &bm, err)) != FP_OK)
            return st;
        for (k = 0; k < FP_BM_COUNT; k++) {
            snprintf(p, sizeof p, "methods[%zu].%s", i, metric_keys[k]);
            if ((st = read_dist(cJSON_GetObjectItemCaseSensitive(c, metric_keys[k]), file, p,
                                &bm->d[k], err)) != FP_OK)
                return st;
        }
        i++;
    }
    if (b->n_m > 1)
        qsort(b->m, b->n_m, sizeof *b->m, cmp_method);
    b->finished = 1;
    return FP_OK;
}

fp_status fp_baseline_read_json(fp_baseline **out, const char *text, size_t len, const char *file,
                                fp_error *err)
{
    cJSON *root = NULL;
    fp_baseline *b = NULL;
    fp_status st;

    *out = NULL;
    st = fp_json_parse(text, len, file, "baseline", err, &root);
    if (st != FP_OK)
        return st;
    st = fp_baseline_new(&b, err);
    if (st == FP_OK)
        st = read_tree(b, root, file, err);
    cJSON_Delete(root);
    if (st != FP_OK)
        fp_baseline_free(b);
    else
        *out = b;
    return st;
}

/* ---- the test ---- */

#define LOG_FLOOR 1e-9

/* The standardised log distance of x from the distribution (see fp_baseline_test()). */
static double test_z(const fp_baseline_dist *d, double x, double *ratio)
{
    const double *q = d->q;
    double lm = log(q[4] + LOG_FLOOR);
    double s = (log(q[5] + LOG_FLOOR) - log(q[3] + LOG_FLOOR)) / 1.349;
    /* the test is one-sided, so its scale is also read off the upper tail: the mean of the
     * normal scales that the learnt 90th and 95th percentiles imply. A right-skewed metric (the
     * mean of a Pareto method's calls, the largest of its calls) has a wider upper tail than its
     * interquartile range says; for a log-symmetric one both agree. */
    double su =
        0.5 * ((log(q[6] + LOG_FLOOR) - lm) / gsl_cdf_ugaussian_Pinv(fp_baseline_levels[6]) +
               (log(q[7] + LOG_FLOOR) - lm) / gsl_cdf_ugaussian_Pinv(fp_baseline_levels[7]));
    if (su > s)
        s = su;
    if (!(s >= FP_BASELINE_MIN_LOG_SCALE))
        s = FP_BASELINE_MIN_LOG_SCALE;
    /* a prediction for one new run from n learnt ones: the scale widened by sqrt(1 + 1/n) and
     * Student's t with n - 1 degrees of freedom (the centre and scale are estimates) */
    s *= sqrt(1.0 + 1.0 / (double)(d->n > 0 ? d->n : 1));
    /* a median of 0 (never retains, no I/O): any material value is a large ratio */
    *ratio = q[4] > 0 ? fp_div(x, q[4]) : (x > 0 ? 1e9 : 1.0);
    return fp_fin((log(fp_fin(x) > 0 ? x + LOG_FLOOR : LOG_FLOOR) - lm) / s);
}

static double tail_p(const fp_baseline_dist *d, double z)
{
    return fp_fin(d->n > 2 ? gsl_cdf_tdist_Q(z, (double)(d->n - 1)) : gsl_cdf_ugaussian_Q(z));
}

void fp_baseline_test(const fp_baseline_dist *d, double x, double *p_value, double *ratio)
{
    *p_value = tail_p(d, test_z(d, x, ratio));
}

/* Gumbel reduced variates of the 50th, 90th and 95th percentiles: -log(-log(q)). */
#define GUMBEL_Q50 0.36651292058166435
#define GUMBEL_Q90 2.2503673273124454
#define GUMBEL_Q95 2.9701952490421637

/* The largest of a method's calls (tail_ratio) is a maximum: on the log scale its upper tail is
 * a Gumbel's (extreme value theory; an exponential, Pareto or lognormal per-call tail all give
 * one), which is far heavier than a normal's. Its scale is the mean of those the learnt 90th
 * and 95th percentiles imply above the median, widened by sqrt(1 + 1/n) as test_z() does. */
static double gumbel_p(const fp_baseline_dist *d, double x, double *ratio)
{
    const double *q = d->q;
    double lm = log(q[4] + LOG_FLOOR);
    double beta = 0.5 * ((log(q[6] + LOG_FLOOR) - lm) / (GUMBEL_Q90 - GUMBEL_Q50) +
                         (log(q[7] + LOG_FLOOR) - lm) / (GUMBEL_Q95 - GUMBEL_Q50));
    double mu, t;
    if (!(beta >= FP_BASELINE_MIN_LOG_SCALE))
        beta = FP_BASELINE_MIN_LOG_SCALE;
    beta *= sqrt(1.0 + 1.0 / (double)(d->n > 0 ? d->n : 1));
    mu = lm - GUMBEL_Q50 * beta;
    *ratio = q[4] > 0 ? fp_div(x, q[4]) : (x > 0 ? 1e9 : 1.0);
    t = log(fp_fin(x) > 0 ? x + LOG_FLOOR : LOG_FLOOR);
    return fp_fin(-expm1(-exp(-(t - mu) / beta)));
}

void fp_baseline_test_metric(fp_baseline_metric m, const fp_baseline_dist *d, double x,
                             double *p_value, double *ratio)
{
    if (m == FP_BM_TAIL_RATIO)
        *p_value = gumbel_p(d, x, ratio);
    else
        fp_baseline_test(d, x, p_value, ratio);
}

/* The detector kind each per-method metric speaks for, and a finding's unit and suggestion. */
static const struct {
    fp_kind kind;
    const char *unit;
    const char *what;  /* the metric in words, for texts that name it */
    double min_excess; /* smallest material excess over the median, in the metric's unit */
    const char *suggestion;
} s_metric_kind[FP_BM_COUNT] = {
    {FP_KIND_SLOW_METHOD, "s", "own time per call", 0.0,
     "compare with the baseline runs: find what made each call slower than normal"},
    {FP_KIND_CALL_STORM, "calls", "calls", 10.0,
     "find the caller that now calls it more often than in the baseline runs"},
    {FP_KIND_MEMORY_HOTSPOT, "MB", "allocation per call", 1.0,
     "find what made each call allocate more than in the baseline runs"},
    {FP_KIND_MEMORY_LEAK, "MB", "retention per call", 1.0,
     "find what each call now retains that the baseline runs released"},
    {FP_KIND_CPU_SATURATION, "%", "own-work CPU", 5.0,
     "find what made its own work use more CPU than in the baseline runs"},
    {FP_KIND_IO_HEAVY, "ops", "I/O operations", 100.0,
     "find the I/O it now issues beyond the baseline runs"},
    {FP_KIND_LATENCY_OUTLIERS, "fraction", "share of calls above 3x the median", 0.0,
     "inspect the calls now far slower than its median: more of them than in the baseline runs"},
    {FP_KIND_LATENCY_OUTLIERS, "x median", "largest call over the median", 0.0,
     "inspect the slowest calls: further above its median than in the baseline runs"},
};

static double metric_value(const fp_analysis *a, size_t mi, fp_baseline_metric k)
{
    const fp_method_metrics *m = &a->methods[mi];
    switch (k) {
    case FP_BM_TAIL_FRAC:
        return a->tails ? a->tails[mi * FP_TAIL_N + FP_TAIL_FRAC] : 0.0;
    case FP_BM_TAIL_RATIO:
        return a->tails ? a->tails[mi * FP_TAIL_N + FP_TAIL_RATIO] : 0.0;
    case FP_BM_SELF_S:
        return m->self_mean_s;
    case FP_BM_CALLS:
        return (double)m->calls;
    case FP_BM_ALLOC_MB:
        return m->mem_alloc_mean_mb;
    case FP_BM_RETAINED_MB:
        return fp_div(m->mem_retained_mb, (double)m->calls);
    case FP_BM_CPU_PCT:
        return m->cpu_pct;
    case FP_BM_IO_OPS:
        return m->io_ops;
    case FP_BM_COUNT:
        break;
    }
    return 0.0;
}

/* The seconds a method's tail calls take beyond its median, scaled by how much of the tail
 * metric's value is beyond normal (1 - median / x): a tail finding's saving. */
static double tail_saving(const fp_analysis *a, size_t mi, double x, double med)
{
    double e = fp_clamp(1.0 - fp_div(med, x), 0.0, 1.0);
    return a->tails ? a->tails[mi * FP_TAIL_N + FP_TAIL_EXCESS_S] * e : 0.0;
}

/* Material: a time excess must cost at least 1 % of the run; the others their min_excess. */
static int material(const fp_analysis *a, size_t mi, fp_baseline_metric k, double x, double median)
{
    const fp_method_metrics *m = &a->methods[mi];
    double ex = x - median;
    if (k == FP_BM_SELF_S)
        return ex * (double)m->calls >= 0.01 * a->run.duration_s && ex > 0;
    if (k == FP_BM_TAIL_FRAC || k == FP_BM_TAIL_RATIO)
        return ex > 0 && tail_saving(a, mi, x, median) >= 0.01 * a->run.duration_s;
    return ex >= s_metric_kind[k].min_excess;
}

/* The estimated saving of a baseline finding, in its kind's unit, computed as that kind's
 * detector does (fp_detect.c) with the baseline median in place of the budget: the excess over
 * what is normal for this flow. fp_analysis_costs() then caps it with the other findings' and
 * takes its cost as a share of the run's total of the resource (docs/analysis.md "Cost"). */
static double baseline_saving(const fp_analysis *a, size_t mi, fp_baseline_metric k, double x,
                              double med, const char **unit)
{
    const fp_method_metrics *m = &a->methods[mi];
    double e = fp_clamp(1.0 - fp_div(med, x), 0.0, 1.0); /* 1 - typical / measured */
    double t = m->total_s < a->run.duration_s ? m->total_s : a->run.duration_s;
    switch (k) {
    case FP_BM_SELF_S: /* slow_method: the method's time on the critical path, scaled */
        *unit = "s";
        return m->path_s * e;
    case FP_BM_CALLS: /* call_storm: the time of the extra calls */
        *unit = "s";
        return t * e;
    case FP_BM_ALLOC_MB: /* memory_hotspot: MB per call above the typical allocation */
        *unit = "MB";
        return x - med;
    case FP_BM_RETAINED_MB: /* memory_leak: MB retained beyond the typical retention */
        *unit = "MB";
        return (x - med) * (double)m->calls;
    case FP_BM_CPU_PCT: /* cpu_saturation: core-seconds above the typical CPU of its work */
        *unit = FP_UNIT_CORE_S;
        return m->self_s * fp_clamp(x - med, 0.0, 100.0) / 100.0;
    case FP_BM_IO_OPS: /* io_heavy: the I/O-bound own time of the extra operations */
        *unit = "s";
        return m->self_s * e;
    case FP_BM_TAIL_FRAC: /* latency_outliers: the tail calls' time beyond the median */
    case FP_BM_TAIL_RATIO:
        *unit = "s";
        return tail_saving(a, mi, x, med);
    case FP_BM_COUNT:
        break;
    }
    *unit = "s";
    return 0.0;
}

static fp_status new_finding(fp_analysis *a, const fp_method_metrics *m, size_t mi,
                             fp_baseline_metric k, const fp_baseline_dist *d, double x, double p,
                             double ratio, fp_error *err)
{
    fp_finding f;
    double med = d->q[4];
    memset(&f, 0, sizeof f);
    f.kind = s_metric_kind[k].kind;
    f.target = (int32_t)mi;
    f.target_name = m->name;
    f.start_s = 0;
    f.end_s = a->run.duration_s;
    f.measured = x;
    f.threshold = d->q[FP_BASELINE_NQ - 1];
    f.unit = s_metric_kind[k].unit;
    f.rule = "baseline";
    f.evidence[0] = (fp_evidence){"baseline_median", med};
    f.evidence[1] = (fp_evidence){"ratio", ratio};
    f.evidence[2] = (fp_evidence){"p_value", p};
    f.evidence[3] = (fp_evidence){"baseline_runs", (double)d->n};
    f.n_evidence = 4;
    f.excess = fp_clamp(1.0 - fp_div(med, x), 0.0, 1.0);
    if (k == FP_BM_ALLOC_MB || k == FP_BM_RETAINED_MB)
        f.share = fp_clamp(fp_div(m->mem_alloc_max_mb, a->run.peak_mem_mb), 0.0, 1.0);
    else
        f.share =
            fp_clamp(fp_div(m->path_s > 0 ? m->path_s : m->self_s, a->run.duration_s), 0.0, 1.0);
    f.improvement = baseline_saving(a, mi, k, x, med, &f.improvement_unit);
    f.improvement = fp_fin(f.improvement > 0 ? f.improvement : 0);
    /* cost, impact and severity: fp_analysis_costs(), after the comparison */
    snprintf(f.root_cause, sizeof f.root_cause,
             "%s of '%s' is %.3g %s, %.2fx its baseline median %.3g %s over %llu runs "
             "(p = %.2g, corrected over %s)",
             s_metric_keys[k], m->name, x, f.unit, ratio, med, f.unit, (unsigned long long)d->n, p,
             "every method and metric");
    f.suggestions[0] = s_metric_kind[k].suggestion;
    f.n_suggestions = 1;
    return fp_analysis_push_finding(a, &f, err);
}

/* A known hotspot's text: the breach in the finding's unit, then what is normal in the
 * baseline metric's own unit. When the two differ (a slow_method breached by its share of the
 * critical path, a fraction, judged by its own time per call, in s; latency outliers' modified z
 * judged by a tail metric), the run's value of the metric is named with its unit, so no number
 * is read against another currency. */
static fp_status push_known_as(fp_analysis *a, const fp_finding *f, const char *what,
                               const char *mu, const fp_baseline_dist *d, double x, fp_error *err)
{
    int same = f->unit != NULL && strcmp(f->unit, mu) == 0;
    fp_known_hotspot h;
    memset(&h, 0, sizeof h);
    h.kind = f->kind;
    h.target = f->target;
    h.target_name = f->target_name;
    h.measured = f->measured;
    h.threshold = f->threshold;
    h.unit = f->unit;
    h.rule = f->rule;
    h.baseline_median = d->q[4];
    h.baseline_p99 = d->q[FP_BASELINE_NQ - 1];
    h.baseline_runs = d->n;
    if (same)
        snprintf(h.text, sizeof h.text,
                 "over the %s budget (%.3g %s > %.3g %s), normal for this flow: baseline median "
                 "%.3g %s, p99 %.3g %s over %llu runs",
                 fp_kind_name(f->kind), f->measured, f->unit, f->threshold, f->unit, d->q[4], mu,
                 d->q[FP_BASELINE_NQ - 1], mu, (unsigned long long)d->n);
    else
        snprintf(h.text, sizeof h.text,
                 "over the %s budget (%.3g %s > %.3g %s), normal for this flow: %s %.3g %s, "
                 "baseline median %.3g %s, p99 %.3g %s over %llu runs",
                 fp_kind_name(f->kind), f->measured, f->unit ? f->unit : "", f->threshold,
                 f->unit ? f->unit : "", what, x, mu, d->q[4], mu, d->q[FP_BASELINE_NQ - 1], mu,
                 (unsigned long long)d->n);
    if (fp_grow((void **)&a->known, &a->cap_known, a->n_known + 1, sizeof h) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    a->known[a->n_known++] = h;
    return FP_OK;
}

/* push_known_as() for a method finding judged by per-method metric k. */
static fp_status push_known(fp_analysis *a, const fp_finding *f, fp_baseline_metric k,
                            const fp_baseline_dist *d, double x, fp_error *err)
{
    return push_known_as(a, f, s_metric_kind[k].what, s_metric_kind[k].unit, d, x, err);
}

/* ---- process-level findings (docs/analysis.md, "Process-level metrics") ---- */

/* A leak under the absolute budget is reported with a baseline when its growth beyond normal is
 * at least this many MB. */
#define PROC_LEAK_MIN_EXCESS_MB 10.0

/* 1 when x is beyond normal for d at Bonferroni level `cut`, as a method's metric is tested:
 * above the learnt 99th percentile, NORMAL_RATIO times the median, and p < cut. */
static int beyond_normal(const fp_baseline_dist *d, double x, double cut)
{
    double p = 1.0, r = d->q[4] > 0 ? x / d->q[4] : 1e9;
    if (x > d->q[FP_BASELINE_NQ - 1] && r >= FP_BASELINE_NORMAL_RATIO)
        fp_baseline_test(d, x, &p, &r);
    return p < cut;
}

static int learnt(const fp_baseline *b, fp_baseline_run_metric m)
{
    return b->rd[m].n >= FP_BASELINE_MIN_RUNS;
}

/* The run metric a process-level finding is tested by (FP_BR_COUNT: not tested: a method
 * finding, another kind, or a baseline without enough runs of the metric, as a version-2 file).
 * A CPU episode by its excess against the largest episode per run (and the run's total once);
 * the leak by its slope. */
static fp_baseline_run_metric proc_metric_of(const fp_baseline *b, const fp_finding *f)
{
    if (f->target != FP_TARGET_PROCESS)
        return FP_BR_COUNT;
    if (f->kind == FP_KIND_CPU_SATURATION && learnt(b, FP_BR_CPU_EPISODE_MAX_CORE_S) &&
        learnt(b, FP_BR_CPU_EPISODE_TOTAL_CORE_S))
        return FP_BR_CPU_EPISODE_MAX_CORE_S;
    if (f->kind == FP_KIND_MEMORY_LEAK && learnt(b, FP_BR_MEM_TAIL_SLOPE_MB_S))
        return FP_BR_MEM_TAIL_SLOPE_MB_S;
    return FP_BR_COUNT;
}

/* A process finding's value of its metric: an episode's excess (its saving, before any cap),
 * the leak's slope. */
static double proc_value(const fp_finding *f, fp_baseline_run_metric m)
{
    return m == FP_BR_CPU_EPISODE_MAX_CORE_S ? f->improvement : f->measured;
}

/* What a run metric is, in words and unit, for a known hotspot's text. */
static const char *proc_what(fp_baseline_run_metric m, const char **unit)
{
    *unit = m == FP_BR_MEM_TAIL_SLOPE_MB_S ? "MB/s" : FP_UNIT_CORE_S;
    switch (m) {
    case FP_BR_CPU_EPISODE_MAX_CORE_S:
        return "the episode's excess over the background";
    case FP_BR_CPU_EPISODE_TOTAL_CORE_S:
        return "the run's CPU episodes' excess over the background";
    default:
        return "the slope of the memory's last segment";
    }
}

/*
 * The process-level tests of one run. CPU episodes: the run's total excess is tested once; when
 * it is normal every episode is (a known hotspot, judged by the total); when it is beyond normal,
 * each episode is tested against the largest normal episode, and the episodes beyond it stay
 * findings (the largest episode of the run stays when none is: the excess is the run's, spread).
 * A leak: its slope against the learnt last-segment slope.
 */
typedef struct proc_plan {
    size_t n_tests;
    int cpu_total_beyond; /* the run's total CPU episode excess is beyond normal */
    int cpu_any_beyond;   /* some episode is beyond the largest normal one */
    size_t cpu_largest;   /* finding index of the run's largest episode */
} proc_plan;

static void plan_process(const fp_analysis *a, const fp_baseline *b, proc_plan *pl)
{
    size_t i;
    int cpu = 0;
    memset(pl, 0, sizeof *pl);
    pl->cpu_largest = (size_t)-1;
    for (i = 0; i < a->n_findings; i++) {
        fp_baseline_run_metric m = proc_metric_of(b, &a->findings[i]);
        if (m == FP_BR_COUNT)
            continue;
        pl->n_tests++;
        if (m == FP_BR_CPU_EPISODE_MAX_CORE_S) {
            cpu = 1;
            if (pl->cpu_largest == (size_t)-1 ||
                a->findings[i].improvement > a->findings[pl->cpu_largest].improvement)
                pl->cpu_largest = i;
        }
    }
    pl->n_tests += (size_t)cpu; /* the total, once */
    if (a->has_leak_candidate && learnt(b, FP_BR_MEM_TAIL_SLOPE_MB_S))
        pl->n_tests++; /* a leak under the budget (new_process_leak()) */
}

/* After the cut is known: the CPU total's verdict and whether any episode is beyond normal. */
static void judge_process(const fp_analysis *a, const fp_baseline *b, double cut, proc_plan *pl)
{
    size_t i;
    if (pl->cpu_largest == (size_t)-1)
        return;
    pl->cpu_total_beyond = beyond_normal(&b->rd[FP_BR_CPU_EPISODE_TOTAL_CORE_S],
                                         a->proc[FP_PROC_CPU_EPISODE_TOTAL_CORE_S], cut);
    for (i = 0; pl->cpu_total_beyond && i < a->n_findings; i++)
        if (proc_metric_of(b, &a->findings[i]) == FP_BR_CPU_EPISODE_MAX_CORE_S &&
            beyond_normal(&b->rd[FP_BR_CPU_EPISODE_MAX_CORE_S], a->findings[i].improvement, cut))
            pl->cpu_any_beyond = 1;
}

/*
 * Process finding i (tested by run metric m): *known = 1 and a known hotspot when it is normal
 * for this flow; else *known = 0 and its saving becomes its excess over normal: a CPU episode's
 * own excess, at most the run's total excess over the normal total; a leak's growth times
 * 1 - median / slope.
 */
static fp_status test_process_finding(fp_analysis *a, const fp_baseline *b, const proc_plan *pl,
                                      size_t i, fp_finding *f, fp_baseline_run_metric m, double cut,
                                      int *known, fp_error *err)
{
    const char *unit, *what;
    double x = proc_value(f, m);
    const fp_baseline_dist *d = &b->rd[m];
    if (m == FP_BR_CPU_EPISODE_MAX_CORE_S) {
        if (!pl->cpu_total_beyond) {
            m = FP_BR_CPU_EPISODE_TOTAL_CORE_S;
            d = &b->rd[m];
            x = a->proc[FP_PROC_CPU_EPISODE_TOTAL_CORE_S];
            *known = 1;
        } else {
            *known = pl->cpu_any_beyond ? !beyond_normal(d, x, cut) : i != pl->cpu_largest;
        }
        if (!*known) {
            double over = a->proc[FP_PROC_CPU_EPISODE_TOTAL_CORE_S] -
                          b->rd[FP_BR_CPU_EPISODE_TOTAL_CORE_S].q[4];
            f->improvement = fp_clamp(f->improvement, 0.0, over > 0 ? over : 0.0);
        }
    } else {
        *known = !beyond_normal(d, x, cut);
        if (!*known)
            f->improvement = fp_fin(f->improvement * fp_clamp(1.0 - fp_div(d->q[4], x), 0.0, 1.0));
    }
    if (!*known)
        return FP_OK;
    what = proc_what(m, &unit);
    return push_known_as(a, f, what, unit, d, x, err);
}

/*
 * The process leak the absolute rule left under its budget (a->leak_candidate: significant,
 * growing to the end, but slower than memory_leak.min_slope_mb_s or smaller than min_growth_mb)
 * becomes a finding with rule "baseline" when its slope is beyond normal at level `cut` and its
 * growth beyond normal, growth x (1 - median / slope), is at least PROC_LEAK_MIN_EXCESS_MB: a
 * slow leak in a flow whose memory is normally flat.
 */
static fp_status new_process_leak(fp_analysis *a, const fp_baseline *b, double cut, fp_error *err)
{
    const fp_baseline_dist *d = &b->rd[FP_BR_MEM_TAIL_SLOPE_MB_S];
    fp_finding f = a->leak_candidate;
    double x = f.measured, p, r, e, growth = f.improvement, onset = f.start_s;
    if (!a->has_leak_candidate || !learnt(b, FP_BR_MEM_TAIL_SLOPE_MB_S) ||
        !beyond_normal(d, x, cut))
        return FP_OK;
    e = fp_clamp(1.0 - fp_div(d->q[4], x), 0.0, 1.0);
    if (!(growth * e >= PROC_LEAK_MIN_EXCESS_MB))
        return FP_OK;
    fp_baseline_test(d, x, &p, &r);
    f.rule = "baseline";
    f.threshold = d->q[FP_BASELINE_NQ - 1];
    f.improvement = fp_fin(growth * e);
    f.excess = e;
    f.evidence[0] = (fp_evidence){"slope_mb_s", x};
    f.evidence[1] = (fp_evidence){"growth_mb", growth};
    f.evidence[2] = (fp_evidence){"onset_s", onset};
    f.evidence[3] = (fp_evidence){"baseline_median", d->q[4]};
    f.evidence[4] = (fp_evidence){"ratio", r};
    f.evidence[5] = (fp_evidence){"p_value", p};
    f.n_evidence = 6;
    {
        char normal[64];
        if (d->q[4] > 0)
            snprintf(normal, sizeof normal, "%.2fx the baseline median %.3g MB/s", r, d->q[4]);
        else
            snprintf(normal, sizeof normal, "the baseline's memory does not grow");
        snprintf(f.root_cause, sizeof f.root_cause,
                 "Memory not accounted for by any call grows by %.3g MB/s from %.3g s to %.3g s "
                 "(+%.1f MB) and is not released: under the budget (%.3g MB/s, %.1f MB), but %s "
                 "(%llu runs; p = %.2g, corrected over every test of the run).",
                 x, f.start_s, f.end_s, growth, a->th.leak_min_slope_mb_s, a->th.leak_min_growth_mb,
                 normal, (unsigned long long)d->n, p);
    }
    return fp_analysis_push_finding(a, &f, err);
}

/* An absolute finding whose metric is beyond normal: its saving is the excess over what is
 * normal for this flow (baseline_saving(), the learnt median in place of the detector's
 * reference), as a baseline finding's is and as the validator's truth cost defines it. The
 * detector's reference is a proxy for normal without a baseline (cpu_saturation: the process
 * background, far below a CPU-heavy method's usual CPU; a budget for the others). */
static void resaving(const fp_analysis *a, fp_finding *f, fp_baseline_metric k,
                     const fp_baseline_dist *d, double x)
{
    const char *unit = NULL;
    double s = baseline_saving(a, (size_t)f->target, k, x, d->q[4], &unit);
    if (f->improvement_unit && unit && strcmp(unit, f->improvement_unit) == 0 && s >= 0)
        f->improvement = fp_fin(s);
}

/* The metric a detector kind's method finding is judged by against the baseline, or -1. */
static int metric_of_kind(fp_kind k)
{
    size_t i;
    for (i = 0; i < FP_BM_COUNT; i++)
        if (s_metric_kind[i].kind == k)
            return (int)i;
    return -1;
}

/* 1 when the rise of method i's mean own time over its baseline median is carried by a few
 * calls: its tail calls' time beyond the median is at least half the mean's excess. */
static int tail_carried(const fp_analysis *a, size_t i, const double *xs, const fp_baseline *b)
{
    const fp_method_metrics *m = &a->methods[i];
    const fp_baseline_dist *d = fp_baseline_method_dist(b, m->name, FP_BM_SELF_S);
    double excess = (xs[i * FP_BM_COUNT + FP_BM_SELF_S] - d->q[4]) * (double)m->calls;
    return a->tails != NULL && a->tails[i * FP_TAIL_N + FP_TAIL_EXCESS_S] >= 0.5 * excess;
}

/* 1 when both tail metrics of method i were tested and are normal. */
static int tail_normal(size_t i, const unsigned char *verdict)
{
    return verdict[i * FP_BM_COUNT + FP_BM_TAIL_FRAC] == 1 &&
           verdict[i * FP_BM_COUNT + FP_BM_TAIL_RATIO] == 1;
}

/* A rise of method i's mean own time carried by a few calls (tail_carried()) is no slow method:
 * when a tail metric is beyond normal too (verdict 2 or 4) it is latency outliers, and the tail
 * metric (the more significant of the two) is reported instead of `best` (FP_BM_SELF_S); when
 * the tail is normal (tail_normal()), it is the flow's normal heavy tail and nothing is
 * reported (FP_BM_COUNT). */
static size_t tail_instead(const fp_analysis *a, size_t i, const unsigned char *verdict,
                           const double *pv, const double *xs, const fp_baseline *b, size_t best)
{
    size_t k, tk = FP_BM_COUNT;
    for (k = FP_BM_TAIL_FRAC; k <= FP_BM_TAIL_RATIO; k++) {
        size_t j = i * FP_BM_COUNT + k;
        if ((verdict[j] == 2 || verdict[j] == 4) &&
            (tk == FP_BM_COUNT || pv[j] < pv[i * FP_BM_COUNT + tk]))
            tk = k;
    }
    if (!tail_carried(a, i, xs, b))
        return best;
    if (tk != FP_BM_COUNT)
        return tk;
    return tail_normal(i, verdict) ? FP_BM_COUNT : best;
}

fp_status fp_baseline_apply(fp_analysis *a, const fp_baseline *b, fp_error *err)
{
    /* per (method, metric): 0 not tested, 1 normal, 2 different and material, 3 different and
     * reported by its detector, 4 beyond normal but too small to report */
    unsigned char *verdict;
    double *pv, *xs;
    size_t i, k, n_tests = 0, out = 0;
    fp_status st = FP_OK;
    proc_plan pp;
    double cut;

    if (!b || !b->finished || a->n_methods == 0)
        return FP_OK;
    pv = fp_calloc(a->n_methods * FP_BM_COUNT, 2 * sizeof *pv + 1); /* pv, xs, verdict */
    xs = pv ? pv + a->n_methods * FP_BM_COUNT : NULL;
    verdict = pv ? (unsigned char *)(xs + a->n_methods * FP_BM_COUNT) : NULL;
    if (!pv) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto done;
    }
    for (i = 0; i < a->n_methods; i++) {
        const fp_method_metrics *m = &a->methods[i];
        /* a container method (real traces) gets no per-method detector, so no comparison */
        const bl_method *bm = m->calls > 0 && !m->container ? find_method(b, m->name) : NULL;
        for (k = 0; bm && k < FP_BM_COUNT; k++) {
            /* nor does a metric whose detector did not run for lack of data */
            if (bm->d[k].n < FP_BASELINE_MIN_RUNS || (a->not_run >> s_metric_kind[k].kind & 1u) ||
                has_tail(a, m, (fp_baseline_metric)k))
                continue;
            xs[i * FP_BM_COUNT + k] = metric_value(a, i, (fp_baseline_metric)k);
            verdict[i * FP_BM_COUNT + k] = 1;
            n_tests++;
        }
    }
    /* and the process-level findings' tests (plan_process()) */
    plan_process(a, b, &pp);
    n_tests += pp.n_tests;
    /* Bonferroni over every (method, metric) test of the run. The tail probability is computed
     * only for values above the learnt 99th percentile and NORMAL_RATIO times the median: the
     * others are normal whatever it is (this keeps the comparison cheap). */
    cut = n_tests ? FP_BASELINE_ALPHA / (double)n_tests : 0.0;
    judge_process(a, b, cut, &pp);
    for (i = 0; i < a->n_methods; i++) {
        const fp_method_metrics *m = &a->methods[i];
        const bl_method *bm = NULL;
        for (k = 0; k < FP_BM_COUNT; k++) {
            size_t j = i * FP_BM_COUNT + k;
            const fp_baseline_dist *d;
            double x = xs[j], r;
            if (!verdict[j])
                continue;
            if (!bm)
                bm = find_method(b, m->name);
            d = &bm->d[k];
            if (!(x > d->q[FP_BASELINE_NQ - 1]))
                continue;
            r = d->q[4] > 0 ? x / d->q[4] : 1e9;
            if (!(r >= FP_BASELINE_NORMAL_RATIO))
                continue;
            fp_baseline_test_metric((fp_baseline_metric)k, d, x, &pv[j], &r);
            /* 4: beyond normal (suppresses no budget finding); 2: also big enough to report */
            if (pv[j] < cut)
                verdict[j] =
                    r >= FP_BASELINE_MIN_RATIO && material(a, i, (fp_baseline_metric)k, x, d->q[4])
                        ? 2
                        : 4;
        }
    }
    /* Absolute findings that are normal for this flow become known hotspots. Latency outliers
     * are normal when both the tail's size and its reach are (a stable second mode, a heavy
     * tail the baseline has too). */
    for (i = 0; i < a->n_findings; i++) {
        const fp_finding *f = &a->findings[i];
        int normal, k2 = f->target >= 0 ? metric_of_kind(f->kind) : -1;
        fp_baseline_run_metric pm = proc_metric_of(b, f);
        if (pm != FP_BR_COUNT) { /* a process-level finding: its run metric decides */
            fp_finding g = *f;
            st = test_process_finding(a, b, &pp, i, &g, pm, cut, &normal, err);
            a->findings[out] = g;
            if (st != FP_OK)
                goto done;
            out += !normal;
            continue;
        }
        size_t j = k2 >= 0 ? (size_t)f->target * FP_BM_COUNT + (size_t)k2 : 0;
        if (k2 == FP_BM_TAIL_FRAC && verdict[j] == 1 && verdict[j + 1] != 1)
            j++; /* FP_BM_TAIL_RATIO: its verdict decides */
        /* a slow method whose mean is above normal only by its normal heavy tail */
        normal = k2 >= 0 && (verdict[j] == 1 || (k2 == FP_BM_SELF_S && verdict[j] != 0 &&
                                                 tail_normal((size_t)f->target, verdict) &&
                                                 tail_carried(a, (size_t)f->target, xs, b)));
        if (normal) {
            st = push_known(
                a, f, (fp_baseline_metric)(j % FP_BM_COUNT),
                fp_baseline_method_dist(b, f->target_name, (fp_baseline_metric)(j % FP_BM_COUNT)),
                xs[j], err);
            if (st != FP_OK)
                goto done;
            continue;
        }
        if (k2 >= 0 && verdict[j] == 2)
            verdict[j] = 3; /* already reported by its detector */
        a->findings[out] = *f;
        if (k2 >= 0 && k2 < FP_BM_TAIL_FRAC && (verdict[j] == 3 || verdict[j] == 4))
            resaving(a, &a->findings[out], (fp_baseline_metric)k2,
                     fp_baseline_method_dist(b, f->target_name, k2), xs[j]);
        out++;
    }
    a->n_findings = out;
    /* Differences from normal no absolute rule caught, on methods no detector reported (a
     * method's finding explains its other differences: outlier calls raise its mean time, a
     * leak its allocation); a rise of allocation explained by retention is the leak's. */
    for (i = 0; i < a->n_methods; i++) {
        int reported = 0;
        size_t best = FP_BM_COUNT;
        for (k = 0; k < a->n_findings; k++)
            reported |= a->findings[k].target == (int32_t)i;
        for (k = 0; k < FP_BM_COUNT && !reported; k++) {
            size_t j = i * FP_BM_COUNT + k;
            if (verdict[j] != 2)
                continue;
            if (k == FP_BM_ALLOC_MB && verdict[i * FP_BM_COUNT + FP_BM_RETAINED_MB] == 2)
                continue;
            /* a tail alone is no finding (the largest of a heavy tail's calls varies too much
             * between runs for a normal test): it speaks only through tail_instead() */
            if (k == FP_BM_TAIL_FRAC || k == FP_BM_TAIL_RATIO)
                continue;
            if (best == FP_BM_COUNT || pv[j] < pv[i * FP_BM_COUNT + best])
                best = k; /* one finding per method: its most significant difference */
        }
        if (best == FP_BM_SELF_S)
            best = tail_instead(a, i, verdict, pv, xs, b, best);
        if (best < FP_BM_COUNT) {
            size_t j = i * FP_BM_COUNT + best;
            const fp_baseline_dist *d = fp_baseline_method_dist(b, a->methods[i].name, best);
            double p, r;
            fp_baseline_test_metric((fp_baseline_metric)best, d, xs[j], &p, &r);
            st = new_finding(a, &a->methods[i], i, best, d, xs[j], p, r, err);
            if (st != FP_OK)
                goto done;
        }
    }
    st = new_process_leak(a, b, cut, err);
    if (st != FP_OK)
        goto done;
    a->baseline_runs = b->runs;
done:
    fp_free(pv);
    return st;
}
