/*
 * fp_profile.c - the shared profile model: growable arrays for methods, spans, series and ground
 * truth, method interning, metadata, and the invariant checker.
 *
 * Memory is kept across fp_profile_reset() so that simulating thousands of runs into one profile
 * allocates only while the largest run so far grows.
 */
#include "fp_profile.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fp_profile_internal.h"

/*
 * Invariants of the representation (beyond the model invariants in fp_profile.h):
 *  - method i's name is the NUL-terminated string at names + name_off[i]; names_len bytes of the
 *    arena are used. Names are unique.
 *  - when n_methods > FP_METHOD_LINEAR_MAX, `by_name` maps every method's name to its index;
 *    otherwise it is empty (lookups scan the names) and keeps its capacity for reuse.
 *  - the four series arrays each have room for at least series_n samples.
 *  - meta strings are NULL (meaning "") or NUL-terminated buffers of capacity *_cap.
 */
typedef struct meta_str {
    char *s;
    size_t cap;
} meta_str;

struct fp_profile {
    meta_str scenario, rng, gsl_version, source;
    uint64_t seed;
    uint64_t run_index;
    int simulated;
    uint32_t cores; /* 0 is read as 1 (a new profile is zeroed) */

    char *names;
    size_t names_len, names_cap;
    size_t *name_off;
    size_t n_methods, methods_cap;
    fp_strmap by_name;

    fp_span *spans;
    size_t n_spans, spans_cap;

    double interval_s;
    size_t series_n;
    double *ser[4]; /* mem_mb, cpu_pct, io_ops, io_bytes */
    size_t ser_cap[4];

    fp_truth *truth;
    size_t n_truth, truth_cap;

    unsigned char *mflags; /* FP_METHOD_* of methods 0..n_mflags-1; later methods have none */
    size_t n_mflags, mflags_cap;
    unsigned data; /* FP_DATA_* present (all after reset) */

    struct marker {
        size_t name_off; /* into mnames */
        double ts_s;
        uint32_t track;
    } * markers;
    size_t n_markers, markers_cap;
    char *mnames; /* NUL-terminated marker names, back to back */
    size_t mnames_len, mnames_cap;

    /* run events: the strings of event i are at enames + its offsets (NUL-terminated) */
    struct event {
        fp_run_event v; /* guard, unit and action are NULL here: see the offsets */
        size_t guard_off, unit_off, action_off;
    } * events;
    size_t n_events, events_cap;
    char *enames;
    size_t enames_len, enames_cap;
};

const char *const fp_span_field_names[FP_SPAN_NFIELDS] = {
    "method",  "parent",       "track",           "start_s", "dur_s",
    "cpu_pct", "mem_alloc_mb", "mem_retained_mb", "io_ops",  "io_bytes"};

static const fp_kind_info s_kinds[FP_KIND_COUNT] = {
#define KIND_INFO(id, name, process_ok, time_based, mode, lo, hi, label, keys, measure)            \
    {FP_KIND_##id, name, process_ok, time_based, mode, lo, hi, label, keys, measure},
    FP_KIND_LIST(KIND_INFO)
#undef KIND_INFO
};

const fp_kind_info *fp_kind_info_get(fp_kind kind)
{
    if ((int)kind < 0 || kind >= FP_KIND_COUNT)
        return NULL;
    return &s_kinds[kind];
}

const char *fp_kind_name(fp_kind kind)
{
    const fp_kind_info *in = fp_kind_info_get(kind);
    return in != NULL ? in->name : NULL;
}

fp_status fp_kind_from_name(const char *name, fp_kind *out)
{
    if (name == NULL)
        return FP_EINVAL;
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        if (strcmp(name, s_kinds[k].name) == 0) {
            if (out != NULL)
                *out = (fp_kind)k;
            return FP_OK;
        }
    }
    return FP_EINVAL;
}

fp_profile *fp_profile_new(void)
{
    fp_profile *p = fp_calloc(1, sizeof(fp_profile));
    if (p != NULL)
        p->data = FP_DATA_ALL;
    return p;
}

void fp_profile_free(fp_profile *p)
{
    if (p == NULL)
        return;
    fp_free(p->scenario.s);
    fp_free(p->rng.s);
    fp_free(p->gsl_version.s);
    fp_free(p->source.s);
    fp_free(p->names);
    fp_free(p->name_off);
    fp_strmap_cleanup(&p->by_name);
    fp_free(p->spans);
    for (int k = 0; k < 4; k++)
        fp_free(p->ser[k]);
    fp_free(p->truth);
    fp_free(p->mflags);
    fp_free(p->markers);
    fp_free(p->mnames);
    fp_free(p->events);
    fp_free(p->enames);
    fp_free(p);
}

static void meta_str_clear(meta_str *m)
{
    if (m->s != NULL)
        m->s[0] = '\0';
}

void fp_profile_reset(fp_profile *p)
{
    meta_str_clear(&p->scenario);
    meta_str_clear(&p->rng);
    meta_str_clear(&p->gsl_version);
    meta_str_clear(&p->source);
    p->seed = 0;
    p->run_index = 0;
    p->simulated = 0;
    p->cores = 1;
    p->names_len = 0;
    p->n_methods = 0;
    p->n_mflags = 0;
    p->data = FP_DATA_ALL;
    fp_strmap_clear(&p->by_name);
    p->n_spans = 0;
    p->interval_s = 0.0;
    p->series_n = 0;
    p->n_truth = 0;
    p->n_markers = 0;
    p->mnames_len = 0;
    p->n_events = 0;
    p->enames_len = 0;
}

/* ---- metadata ---- */

static const char *meta_get(const meta_str *m)
{
    return m->s != NULL ? m->s : "";
}

fp_meta fp_profile_meta(const fp_profile *p)
{
    fp_meta m;
    m.scenario = meta_get(&p->scenario);
    m.seed = p->seed;
    m.run_index = p->run_index;
    m.rng = meta_get(&p->rng);
    m.gsl_version = meta_get(&p->gsl_version);
    m.fpsim_version = fp_version();
    m.source = meta_get(&p->source);
    m.simulated = p->simulated;
    m.cores = p->cores ? p->cores : 1;
    return m;
}

/* Makes room for `src` (NULL = "") in `m` without changing its content. */
static fp_status meta_reserve(meta_str *m, const char *src)
{
    size_t need = (src != NULL ? strlen(src) : 0) + 1;
    if (need <= m->cap)
        return FP_OK;
    char *s = fp_realloc(m->s, need);
    if (s == NULL)
        return FP_ENOMEM;
    if (m->s == NULL)
        s[0] = '\0';
    m->s = s;
    m->cap = need;
    return FP_OK;
}

static void meta_copy(meta_str *m, const char *src)
{
    const char *v = src != NULL ? src : "";
    /* memmove: `src` may alias the current value (e.g. the caller passes fp_profile_meta()). */
    memmove(m->s, v, strlen(v) + 1);
}

fp_status fp_profile_set_meta(fp_profile *p, const char *scenario, uint64_t seed,
                              uint64_t run_index, const char *rng, const char *gsl_version,
                              const char *source, int simulated)
{
    /* Reserve everything first so that a failure leaves the metadata unchanged. Each argument
     * may be the profile's own current value of that same field (a buffer is reallocated only
     * for a longer string), but not of another field. */
    if (meta_reserve(&p->scenario, scenario) != FP_OK || meta_reserve(&p->rng, rng) != FP_OK ||
        meta_reserve(&p->gsl_version, gsl_version) != FP_OK ||
        meta_reserve(&p->source, source) != FP_OK)
        return FP_ENOMEM;
    meta_copy(&p->scenario, scenario);
    meta_copy(&p->rng, rng);
    meta_copy(&p->gsl_version, gsl_version);
    meta_copy(&p->source, source);
    p->seed = seed;
    p->run_index = run_index;
    p->simulated = simulated != 0;
    return FP_OK;
}

fp_status fp_profile_set_cores(fp_profile *p, uint32_t cores)
{
    if (cores == 0)
        return FP_EINVAL;
    p->cores = cores;
    return FP_OK;
}

/* ---- methods ---- */

size_t fp_profile_method_count(const fp_profile *p)
{
    return p->n_methods;
}

const char *fp_profile_method_name(const fp_profile *p, size_t i)
{
    if (i >= p->n_methods)
        return NULL;
    return p->names + p->name_off[i];
}

/* The key function of `by_name`: method i's name. */
static const char *method_key(const void *ctx, size_t i)
{
    const fp_profile *p = ctx;
    return p->names + p->name_off[i];
}

int32_t fp_profile_find_method(const fp_profile *p, const char *name)
{
    if (p->n_methods > FP_METHOD_LINEAR_MAX) {
        size_t i;
        return fp_strmap_find(&p->by_name, name, method_key, p, &i) ? (int32_t)i : -1;
    }
    for (size_t m = 0; m < p->n_methods; m++) {
        if (strcmp(p->names + p->name_off[m], name) == 0)
            return (int32_t)m;
    }
    return -1;
}

fp_status fp_profile_intern_method(fp_profile *p, const char *name, uint32_t *out)
{
    int32_t found = fp_profile_find_method(p, name);
    if (found >= 0) {
        if (out != NULL)
            *out = (uint32_t)found;
        return FP_OK;
    }
    /* Span and truth indices are int32_t / uint32_t; keep the table addressable by both. */
    if (p->n_methods >= (size_t)INT32_MAX)
        return FP_ENOMEM;
    size_t len = strlen(name) + 1;
    size_t n = p->n_methods + 1;
    /* Reserve everything before committing, so that failure leaves the table unchanged. */
    if (len > (size_t)-1 - p->names_len)
        return FP_ENOMEM;
    fp_status st = fp_grow((void **)&p->names, &p->names_cap, p->names_len + len, 1);
    if (st == FP_OK)
        st = fp_grow((void **)&p->name_off, &p->methods_cap, n, sizeof(size_t));
    if (st != FP_OK)
        return st;
    if (n > FP_METHOD_LINEAR_MAX &&
        (st = fp_strmap_reserve(&p->by_name, n, method_key, p)) != FP_OK)
        return st;
    memcpy(p->names + p->names_len, name, len);
    p->name_off[p->n_methods] = p->names_len;
    p->names_len += len;
    p->n_methods = n;
    /* The adds cannot fail: room for n entries is reserved above. Past the linear limit the
     * map takes every method at once, then each new one. */
    if (n == FP_METHOD_LINEAR_MAX + 1) {
        for (size_t m = 0; m < n; m++)
            fp_strmap_add(&p->by_name, m, method_key, p);
    } else if (n > FP_METHOD_LINEAR_MAX) {
        fp_strmap_add(&p->by_name, n - 1, method_key, p);
    }
    if (out != NULL)
        *out = (uint32_t)(n - 1);
    return FP_OK;
}

/* ---- spans ---- */

size_t fp_profile_span_count(const fp_profile *p)
{
    return p->n_spans;
}

const fp_span *fp_profile_spans(const fp_profile *p)
{
    return p->n_spans > 0 ? p->spans : NULL;
}

fp_span *fp_profile_spans_mut(fp_profile *p)
{
    return p->n_spans > 0 ? p->spans : NULL;
}

fp_status fp_profile_add_span(fp_profile *p, const fp_span *s, size_t *out)
{
    fp_status st = fp_grow((void **)&p->spans, &p->spans_cap, p->n_spans + 1, sizeof(fp_span));
    if (st != FP_OK)
        return st;
    p->spans[p->n_spans] = *s;
    if (out != NULL)
        *out = p->n_spans;
    p->n_spans++;
    return FP_OK;
}

fp_status fp_profile_reserve_spans(fp_profile *p, size_t n)
{
    size_t bytes;
    if (n <= p->spans_cap)
        return FP_OK;
    if (!fp_mul_size(n, sizeof(fp_span), &bytes))
        return FP_ENOMEM;
    fp_span *sp = fp_realloc(p->spans, bytes);
    if (sp == NULL)
        return FP_ENOMEM;
    p->spans = sp;
    p->spans_cap = n;
    return FP_OK;
}

/* ---- series ---- */

fp_series fp_profile_series(const fp_profile *p)
{
    fp_series s;
    s.interval_s = p->interval_s;
    s.n = p->series_n;
    s.mem_mb = p->series_n > 0 ? p->ser[0] : NULL;
    s.cpu_pct = p->series_n > 0 ? p->ser[1] : NULL;
    s.io_ops = p->series_n > 0 ? p->ser[2] : NULL;
    s.io_bytes = p->series_n > 0 ? p->ser[3] : NULL;
    return s;
}

fp_status fp_profile_series_resize(fp_profile *p, size_t n, double interval_s, double **mem_mb,
                                   double **cpu_pct, double **io_ops, double **io_bytes)
{
    if (n > 0 && !(interval_s > 0.0 && isfinite(interval_s)))
        return FP_EINVAL;
    for (int k = 0; k < 4; k++) {
        fp_status st = fp_grow((void **)&p->ser[k], &p->ser_cap[k], n, sizeof(double));
        if (st != FP_OK)
            return st;
    }
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < n; i++)
            p->ser[k][i] = 0.0;
    }
    p->series_n = n;
    p->interval_s = interval_s;
    double **outs[4] = {mem_mb, cpu_pct, io_ops, io_bytes};
    for (int k = 0; k < 4; k++) {
        if (outs[k] != NULL)
            *outs[k] = p->ser[k];
    }
    return FP_OK;
}

/* ---- ground truth ---- */

size_t fp_profile_truth_count(const fp_profile *p)
{
    return p->n_truth;
}

const fp_truth *fp_profile_truth(const fp_profile *p)
{
    return p->n_truth > 0 ? p->truth : NULL;
}

fp_status fp_profile_add_truth(fp_profile *p, const fp_truth *t)
{
    fp_status st = fp_grow((void **)&p->truth, &p->truth_cap, p->n_truth + 1, sizeof(fp_truth));
    if (st != FP_OK)
        return st;
    p->truth[p->n_truth++] = *t;
    return FP_OK;
}

/* ---- derived values and checks ---- */

double fp_profile_duration(const fp_profile *p)
{
    double d = 0.0;
    for (size_t i = 0; i < p->n_spans; i++) {
        const fp_span *s = &p->spans[i];
        if (s->parent < 0 && s->start_s + s->dur_s > d)
            d = s->start_s + s->dur_s;
    }
    /* The series' last interval may be partial (it ends with the run), so the series only
     * decide the duration of a profile without spans. */
    if (p->n_spans == 0 && p->series_n > 0)
        d = (double)p->series_n * p->interval_s;
    return d;
}

static double span_value(const fp_span *s, int field)
{
    switch (field) {
    case FP_SPAN_START_S:
        return s->start_s;
    case FP_SPAN_DUR_S:
        return s->dur_s;
    case FP_SPAN_CPU_PCT:
        return s->cpu_pct;
    case FP_SPAN_MEM_ALLOC_MB:
        return s->mem_alloc_mb;
    case FP_SPAN_MEM_RETAINED_MB:
        return s->mem_retained_mb;
    case FP_SPAN_IO_OPS:
        return s->io_ops;
    default:
        return s->io_bytes;
    }
}

/* 1 when v is in [0, DBL_MAX]: one comparison pair also rejects NaN and +-inf (no branch). */
static int in_range(double v)
{
    return (v >= 0.0) & (v <= DBL_MAX);
}

int fp_profile_check_span(const fp_profile *p, size_t i, char *msg, size_t size)
{
    const fp_span *s = &p->spans[i];
    /* every field finite and >= 0 (nearly always): the two loops below, which name the first
     * bad field (a non-finite one before a negative one), are only for a span that is not */
    int fields_ok = in_range(s->start_s) & in_range(s->dur_s) & in_range(s->cpu_pct) &
                    in_range(s->mem_alloc_mb) & in_range(s->mem_retained_mb) & in_range(s->io_ops) &
                    in_range(s->io_bytes);
    for (int f = FP_SPAN_START_S; !fields_ok && f < FP_SPAN_NFIELDS; f++) {
        if (!isfinite(span_value(s, f))) {
            snprintf(msg, size, "%s is not finite", fp_span_field_names[f]);
            return f;
        }
    }
    for (int f = FP_SPAN_START_S; !fields_ok && f < FP_SPAN_NFIELDS; f++) {
        double v = span_value(s, f);
        if (v < 0.0) {
            snprintf(msg, size, "%s must be >= 0, got %.17g", fp_span_field_names[f], v);
            return f;
        }
    }
    if (s->cpu_pct > 100.0) {
        snprintf(msg, size, "cpu_pct must be in [0,100], got %.17g", s->cpu_pct);
        return FP_SPAN_CPU_PCT;
    }
    double end = s->start_s + s->dur_s;
    if (!isfinite(end)) {
        snprintf(msg, size, "start_s + dur_s is not finite");
        return FP_SPAN_DUR_S;
    }
    if (s->method >= p->n_methods) {
        snprintf(msg, size, "method index %lu out of range (%zu methods)", (unsigned long)s->method,
                 p->n_methods);
        return FP_SPAN_METHOD;
    }
    if (s->parent < -1 || (s->parent >= 0 && (size_t)s->parent >= i)) {
        snprintf(msg, size, "parent %ld must be -1 or an index smaller than the span's own (%zu)",
                 (long)s->parent, i);
        return FP_SPAN_PARENT;
    }
    /*
     * Pre-order: the parent must be the previous span or one of its ancestors. Walking up from
     * span i-1 visits exactly the spans that close before span i; the last one visited below the
     * parent is span i's previous sibling. Each span is walked past at most once over the whole
     * array (it is closed afterwards), so checking all spans is linear.
     */
    long prev_sib = -1;
    long cur = (long)i - 1;
    while (cur != (long)s->parent) {
        if (cur < 0) {
            snprintf(msg, size,
                     "parent %ld is not an ancestor of the previous span (spans must be in "
                     "pre-order)",
                     (long)s->parent);
            return FP_SPAN_PARENT;
        }
        prev_sib = cur;
        cur = p->spans[cur].parent;
    }
    if (s->parent >= 0) {
        const fp_span *ps = &p->spans[s->parent];
        double pend = ps->start_s + ps->dur_s;
        if (s->start_s < ps->start_s - FP_SPAN_NEST_TOL) {
            snprintf(msg, size, "start_s %.17g is before its parent's start %.17g (span %ld)",
                     s->start_s, ps->start_s, (long)s->parent);
            return FP_SPAN_START_S;
        }
        if (end > pend + FP_SPAN_NEST_TOL) {
            snprintf(msg, size, "ends at %.17g, after its parent's end %.17g (span %ld)", end, pend,
                     (long)s->parent);
            return FP_SPAN_DUR_S;
        }
    }
    if (prev_sib >= 0 && s->start_s < p->spans[prev_sib].start_s) {
        snprintf(msg, size, "start_s %.17g is before its previous sibling's start %.17g (span %ld)",
                 s->start_s, p->spans[prev_sib].start_s, prev_sib);
        return FP_SPAN_START_S;
    }
    return -1;
}

static const char *const s_series_names[4] = {"mem_mb", "cpu_pct", "io_ops", "io_bytes"};

static fp_status check_truth(const fp_profile *p, size_t i, fp_error *err)
{
    const fp_truth *t = &p->truth[i];
    char path[64];
    const char *field = NULL;
    fp_status st = FP_OK;
    struct {
        const char *name;
        double v;
    } nums[] = {{"start_s", t->start_s},
                {"end_s", t->end_s},
                {"magnitude", t->magnitude},
                {"extra_s", t->extra_s},
                {"extra_mb", t->extra_mb},
                {"extra_calls", t->extra_calls},
                {"extra_io_ops", t->extra_io_ops},
                {"extra_io_bytes", t->extra_io_bytes},
                {"extra_cpu_pct_s", t->extra_cpu_pct_s}};
    if ((int)t->kind < 0 || t->kind >= FP_KIND_COUNT) {
        field = "kind";
        st =
            fp_error_set(err, FP_EINVAL, "truth %zu: kind %d is not a known kind", i, (int)t->kind);
        goto out;
    }
    if (t->target < FP_TARGET_PROCESS || (t->target >= 0 && (size_t)t->target >= p->n_methods)) {
        field = "target";
        st = fp_error_set(err, FP_EINVAL, "truth %zu: target %ld out of range (%zu methods)", i,
                          (long)t->target, p->n_methods);
        goto out;
    }
    for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
        if (!isfinite(nums[k].v)) {
            field = nums[k].name;
            st = fp_error_set(err, FP_EINVAL, "truth %zu: %s is not finite", i, field);
            goto out;
        }
    }
    if (t->start_s < 0.0) {
        field = "start_s";
        st = fp_error_set(err, FP_EINVAL, "truth %zu: start_s must be >= 0, got %.17g", i,
                          t->start_s);
        goto out;
    }
    if (t->end_s < t->start_s) {
        field = "end_s";
        st = fp_error_set(err, FP_EINVAL, "truth %zu: end_s %.17g is before start_s %.17g", i,
                          t->end_s, t->start_s);
        goto out;
    }
out:
    if (field != NULL) {
        snprintf(path, sizeof(path), "truth[%zu].%s", i, field);
        fp_error_set_path(err, path);
    }
    return st;
}

static fp_status check_series(const fp_profile *p, fp_error *err)
{
    char path[64];
    if (p->series_n == 0)
        return FP_OK;
    if (!(p->interval_s > 0.0) || !isfinite(p->interval_s)) {
        fp_error_set_path(err, "series.interval_s");
        return fp_error_set(err, FP_EINVAL, "series: interval_s must be finite and > 0, got %.17g",
                            p->interval_s);
    }
    for (int k = 0; k < 4; k++) {
        /* fast scan: one comparison per value also rejects NaN and +-inf */
        const double hi = k == 1 ? 100.0 : DBL_MAX;
        const double *v0 = p->ser[k];
        size_t bad = 0;
        double out = 0.0; /* 1 once a value is out of range: a flag of doubles is vectorised */
        for (size_t i = 0; i < p->series_n; i++)
            out = v0[i] >= 0.0 && v0[i] <= hi ? out : 1.0;
        if (out == 0.0)
            continue;
        while (v0[bad] >= 0.0 && v0[bad] <= hi)
            bad++;
        for (size_t i = bad; i < p->series_n; i++) {
            double v = p->ser[k][i];
            const char *what = NULL;
            if (!isfinite(v))
                what = "is not finite";
            else if (v < 0.0)
                what = "must be >= 0";
            else if (k == 1 && v > 100.0)
                what = "must be in [0,100]";
            if (what != NULL) {
                snprintf(path, sizeof(path), "series.%s[%zu]", s_series_names[k], i);
                fp_error_set_path(err, path);
                return fp_error_set(err, FP_EINVAL, "series %s[%zu] %s, got %.17g",
                                    s_series_names[k], i, what, v);
            }
        }
    }
    return FP_OK;
}

fp_status fp_profile_check(const fp_profile *p, fp_error *err)
{
    char msg[200];
    char path[64];
    for (size_t i = 0; i < p->n_spans; i++) {
        int f = fp_profile_check_span(p, i, msg, sizeof(msg));
        if (f >= 0) {
            snprintf(path, sizeof(path), "spans[%zu].%s", i, fp_span_field_names[f]);
            fp_error_set_path(err, path);
            return fp_error_set(err, FP_EINVAL, "span %zu: %s", i, msg);
        }
    }
    fp_status st = check_series(p, err);
    if (st != FP_OK)
        return st;
    for (size_t i = 0; i < p->n_truth; i++) {
        st = check_truth(p, i, err);
        if (st != FP_OK)
            return st;
    }
    return FP_OK;
}

fp_status fp_profile_set_method_flags(fp_profile *p, uint32_t m, unsigned flags)
{
    if (m >= p->n_methods)
        return FP_EINVAL;
    if (m >= p->n_mflags) {
        if (fp_grow((void **)&p->mflags, &p->mflags_cap, (size_t)m + 1, 1) != FP_OK)
            return FP_ENOMEM;
        memset(p->mflags + p->n_mflags, 0, (size_t)m + 1 - p->n_mflags);
        p->n_mflags = (size_t)m + 1;
    }
    p->mflags[m] = (unsigned char)flags;
    return FP_OK;
}

unsigned fp_profile_method_flags(const fp_profile *p, size_t m)
{
    return m < p->n_mflags ? p->mflags[m] : 0u;
}

void fp_profile_set_data(fp_profile *p, unsigned present)
{
    p->data = present & FP_DATA_ALL;
}

unsigned fp_profile_data(const fp_profile *p)
{
    return p->data;
}

fp_status fp_profile_add_marker(fp_profile *p, const char *name, double ts_s, uint32_t track)
{
    if (name == NULL || !isfinite(ts_s))
        return FP_EINVAL;
    size_t len = strlen(name) + 1;
    if (fp_grow((void **)&p->markers, &p->markers_cap, p->n_markers + 1, sizeof(*p->markers)) !=
            FP_OK ||
        len > SIZE_MAX - p->mnames_len ||
        fp_grow((void **)&p->mnames, &p->mnames_cap, p->mnames_len + len, 1) != FP_OK)
        return FP_ENOMEM;
    memcpy(p->mnames + p->mnames_len, name, len);
    p->markers[p->n_markers].name_off = p->mnames_len;
    p->markers[p->n_markers].ts_s = ts_s;
    p->markers[p->n_markers].track = track;
    p->mnames_len += len;
    p->n_markers++;
    return FP_OK;
}

size_t fp_profile_marker_count(const fp_profile *p)
{
    return p->n_markers;
}

const char *fp_profile_marker(const fp_profile *p, size_t i, double *ts_s, uint32_t *track)
{
    if (i >= p->n_markers)
        return NULL;
    if (ts_s != NULL)
        *ts_s = p->markers[i].ts_s;
    if (track != NULL)
        *track = p->markers[i].track;
    return p->mnames + p->markers[i].name_off;
}

/* ---- run events ---- */

static const char *const s_event_kinds[FP_EVENT_KIND_COUNT] = {"guard_breach", "sampling_gap"};

const char *fp_event_kind_name(fp_event_kind kind)
{
    return (int)kind >= 0 && kind < FP_EVENT_KIND_COUNT ? s_event_kinds[kind] : NULL;
}

fp_status fp_profile_add_event(fp_profile *p, const fp_run_event *e)
{
    int breach = e->kind == FP_EVENT_GUARD_BREACH;
    const char *str[3] = {breach && e->guard ? e->guard : "", breach && e->unit ? e->unit : "",
                          breach && e->action ? e->action : ""};
    size_t len[3], total = 0, base = p->enames_len;
    if ((int)e->kind < 0 || e->kind >= FP_EVENT_KIND_COUNT || !isfinite(e->start_s) ||
        (breach && (str[0][0] == '\0' || !isfinite(e->value) || !isfinite(e->limit))) ||
        (!breach &&
         (!(isfinite(e->end_s) && e->end_s >= e->start_s) || e->missed > FP_EVENT_MAX_MISSED)))
        return FP_EINVAL;
    for (int k = 0; k < 3; k++) {
        len[k] = strlen(str[k]) + 1;
        total += len[k]; /* three string lengths cannot overflow a size_t */
    }
    if (fp_grow((void **)&p->events, &p->events_cap, p->n_events + 1, sizeof(*p->events)) !=
            FP_OK ||
        total > SIZE_MAX - base ||
        fp_grow((void **)&p->enames, &p->enames_cap, base + total, 1) != FP_OK)
        return FP_ENOMEM;
    struct event *ev = &p->events[p->n_events++];
    memset(ev, 0, sizeof(*ev));
    ev->v.kind = e->kind;
    ev->v.start_s = e->start_s;
    ev->v.end_s = breach ? e->start_s : e->end_s;
    if (breach) {
        ev->v.value = e->value;
        ev->v.limit = e->limit;
    } else {
        ev->v.missed = e->missed;
    }
    size_t *off[3] = {&ev->guard_off, &ev->unit_off, &ev->action_off};
    for (int k = 0; k < 3; k++) {
        memcpy(p->enames + p->enames_len, str[k], len[k]);
        *off[k] = p->enames_len;
        p->enames_len += len[k];
    }
    return FP_OK;
}

size_t fp_profile_event_count(const fp_profile *p)
{
    return p->n_events;
}

int fp_profile_event(const fp_profile *p, size_t i, fp_run_event *out)
{
    if (i >= p->n_events)
        return 0;
    const struct event *ev = &p->events[i];
    *out = ev->v;
    out->guard = p->enames + ev->guard_off;
    out->unit = p->enames + ev->unit_off;
    out->action = p->enames + ev->action_off;
    return 1;
}
