/*
 * test_scenario.c - unit tests of the scenario loader (sim/fp_scenario.c).
 *
 * Suites:
 *  good   - good files load with every field (defaults included) as written; CRLF, missing final
 *           newline and a UTF-8 BOM give identical scenarios; the documented example and the
 *           built-in scenarios load; file-level errors (missing file, directory).
 *  bad    - every tests/data/bad/<id>-<name>.yaml fails with exactly the error line in its .err
 *           sibling (without the file prefix) and the expected status.
 *  limits - generated inputs: size cap, nesting depth (17 and 200000), too many methods, callees
 *           and bottlenecks, a large free-form mapping, every prefix of a good file.
 *  faults - the N-th allocation fails, for every N until the load succeeds: FP_ENOMEM and no
 *           leak (the sanitizer build checks the leaks).
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fp_test.h"
#include "fp_scenario.h"
#include "fp_scenario_internal.h"

#define GOOD_DIR FP_TEST_DATA "/good"
#define BAD_DIR FP_TEST_DATA "/bad"

/* ---- helpers ---- */

/* Growable text buffer for generated inputs (test code: plain malloc). */
typedef struct tbuf {
    char *s;
    size_t n, cap;
} tbuf;

static void tb_add(tbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void tb_add(tbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (w < 0)
            abort();
        if ((size_t)w < room) {
            b->n += (size_t)w;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap - b->n <= (size_t)w)
            ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (ns == NULL)
            abort();
        b->s = ns;
        b->cap = ncap;
    }
}

static char *read_data(const char *path, size_t *len)
{
    char *t = fp_test_read_file(path, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* Loads `text` and returns the status; *out gets the scenario (or NULL), err the error. */
static fp_status load_str(fp_scenario **out, const char *text, size_t len, fp_error *err)
{
    return fp_scenario_load_string(out, text, len, "t.yaml", err);
}

/* The formatted error without the "t.yaml:" file prefix (and the space after it). */
static const char *err_line(const fp_error *err, const char *file, char *buf, size_t size)
{
    fp_error_format(err, buf, size);
    size_t fl = strlen(file);
    if (strncmp(buf, file, fl) == 0 && buf[fl] == ':') {
        size_t skip = fl + 1 + (buf[fl + 1] == ' ');
        memmove(buf, buf + skip, strlen(buf + skip) + 1);
    }
    return buf;
}

/* Expects `text` to fail with status `st` and exactly the error line `want`. */
static void expect_error(const char *text, size_t len, fp_status st, const char *want)
{
    fp_scenario *s = (fp_scenario *)1;
    fp_error err = FP_ERROR_INIT;
    char buf[1024];
    fp_status got = load_str(&s, text, len, &err);
    CU_ASSERT_EQUAL(got, st);
    CU_ASSERT_EQUAL(err.status, st);
    CU_ASSERT_PTR_NULL(s);
    err_line(&err, "t.yaml", buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", buf, want);
    CU_ASSERT_STRING_EQUAL(buf, want);
    fp_scenario_free(s == (fp_scenario *)1 ? NULL : s);
}

static int dist_eq(const fp_dist *a, const fp_dist *b)
{
    if (a->kind != b->kind || a->a[0] != b->a[0] || a->a[1] != b->a[1] ||
        a->has_min != b->has_min || a->has_max != b->has_max || a->n_choices != b->n_choices)
        return 0;
    if ((a->has_min && a->min != b->min) || (a->has_max && a->max != b->max))
        return 0;
    for (size_t i = 0; i < a->n_choices; i++) {
        if (a->values[i] != b->values[i] || a->weights[i] != b->weights[i])
            return 0;
    }
    return 1;
}

/* Field-by-field equality, marks included. */
static int scenario_eq(const fp_scenario *x, const fp_scenario *y)
{
    if (strcmp(x->name, y->name) || strcmp(x->description, y->description) ||
        x->has_seed != y->has_seed || x->seed != y->seed)
        return 0;
    const fp_process_spec *p = &x->process, *q = &y->process;
    if (!dist_eq(&p->baseline_mb, &q->baseline_mb) ||
        !dist_eq(&p->idle_cpu_pct, &q->idle_cpu_pct) ||
        p->sample_interval_s != q->sample_interval_s || p->noise_mem_mb != q->noise_mem_mb ||
        p->noise_cpu_pct != q->noise_cpu_pct || p->noise_io_rel != q->noise_io_rel)
        return 0;
    if (x->n_methods != y->n_methods || x->n_bottlenecks != y->n_bottlenecks ||
        x->n_overrides != y->n_overrides)
        return 0;
    for (size_t i = 0; i < x->n_methods; i++) {
        const fp_method_spec *a = &x->methods[i], *b = &y->methods[i];
        if (strcmp(a->name, b->name) || !dist_eq(&a->calls, &b->calls) ||
            !dist_eq(&a->duration_s, &b->duration_s) || !dist_eq(&a->cpu_pct, &b->cpu_pct) ||
            !dist_eq(&a->alloc_mb, &b->alloc_mb) ||
            !dist_eq(&a->retained_frac, &b->retained_frac) || a->io_is_rate != b->io_is_rate ||
            !dist_eq(&a->io_ops, &b->io_ops) || !dist_eq(&a->io_bytes, &b->io_bytes) ||
            a->n_callees != b->n_callees || a->line != b->line || a->col != b->col)
            return 0;
        for (size_t j = 0; j < a->n_callees; j++) {
            const fp_callee_spec *c = &a->callees[j], *d = &b->callees[j];
            if (c->method != d->method || !dist_eq(&c->count, &d->count) ||
                c->parallel != d->parallel || c->line != d->line || c->col != d->col)
                return 0;
        }
    }
    for (size_t i = 0; i < x->n_bottlenecks; i++) {
        const fp_bottleneck_spec *a = &x->bottlenecks[i], *b = &y->bottlenecks[i];
        if (a->kind != b->kind || a->target != b->target || a->probability != b->probability ||
            !dist_eq(&a->magnitude, &b->magnitude) ||
            a->onset_is_fraction != b->onset_is_fraction || a->onset != b->onset ||
            a->ramp_s != b->ramp_s || !dist_eq(&a->fraction, &b->fraction) ||
            !dist_eq(&a->episodes, &b->episodes) || !dist_eq(&a->episode_s, &b->episode_s) ||
            a->line != b->line || a->col != b->col)
            return 0;
    }
    for (size_t i = 0; i < x->n_overrides; i++) {
        const fp_analysis_override *a = &x->overrides[i], *b = &y->overrides[i];
        if (strcmp(a->key, b->key) || a->value != b->value || a->line != b->line ||
            a->col != b->col)
            return 0;
    }
    return 1;
}

static void assert_const(const fp_dist *d, double v)
{
    CU_ASSERT_EQUAL(d->kind, FP_DIST_CONSTANT);
    CU_ASSERT_EQUAL(d->a[0], v);
}

/* ---- good ---- */

static void test_minimal_defaults(void)
{
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_file(&s, GOOD_DIR "/minimal.yaml", &err), FP_OK);
    CU_ASSERT_STRING_EQUAL(fp_scenario_name(s), "minimal");
    CU_ASSERT_STRING_EQUAL(fp_scenario_description(s), "");
    CU_ASSERT_STRING_EQUAL(fp_scenario_file(s), GOOD_DIR "/minimal.yaml");
    uint64_t seed = 7;
    CU_ASSERT_EQUAL(fp_scenario_has_seed(s, &seed), 0);
    CU_ASSERT_EQUAL(seed, 7);
    /* process defaults */
    assert_const(&s->process.baseline_mb, 100.0);
    assert_const(&s->process.idle_cpu_pct, 1.0);
    CU_ASSERT_EQUAL(s->process.sample_interval_s, 0.1);
    CU_ASSERT_EQUAL(s->process.cores, 1);
    CU_ASSERT_EQUAL(s->process.noise_mem_mb, 0.5);
    CU_ASSERT_EQUAL(s->process.noise_cpu_pct, 1.0);
    CU_ASSERT_EQUAL(s->process.noise_io_rel, 0.05);
    /* method defaults */
    CU_ASSERT_EQUAL_FATAL(fp_scenario_method_count(s), 1);
    CU_ASSERT_STRING_EQUAL(fp_scenario_method_name(s, 0), "only");
    CU_ASSERT_PTR_NULL(fp_scenario_method_name(s, 1));
    const fp_method_spec *m = &s->methods[0];
    assert_const(&m->calls, 1.0);
    assert_const(&m->duration_s, 0.5);
    assert_const(&m->cpu_pct, 10.0);
    assert_const(&m->alloc_mb, 0.0);
    assert_const(&m->retained_frac, 0.0);
    CU_ASSERT_EQUAL(m->io_is_rate, 0);
    assert_const(&m->io_ops, 0.0);
    assert_const(&m->io_bytes, 0.0);
    CU_ASSERT_EQUAL(m->n_callees, 0);
    CU_ASSERT_PTR_NULL(m->callees);
    CU_ASSERT_EQUAL(m->line, 3);
    CU_ASSERT_EQUAL(m->col, 5);
    CU_ASSERT_EQUAL(fp_scenario_bottleneck_count(s), 0);
    CU_ASSERT_EQUAL(fp_scenario_analysis_count(s), 0);
    CU_ASSERT_PTR_NULL(fp_scenario_analysis_key(s, 0, NULL, NULL, NULL));
    fp_scenario_free(s);
}

static void test_full_values(void)
{
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_file(&s, GOOD_DIR "/full.yaml", &err), FP_OK);
    CU_ASSERT_STRING_EQUAL(s->name, "full-1.0_x");
    CU_ASSERT_STRING_EQUAL(s->description, "Every key, non-default values");
    uint64_t seed = 0;
    CU_ASSERT_EQUAL(fp_scenario_has_seed(s, &seed), 1);
    CU_ASSERT_EQUAL(seed, UINT64_MAX);

    const fp_process_spec *p = &s->process;
    CU_ASSERT_EQUAL(p->baseline_mb.kind, FP_DIST_NORMAL);
    CU_ASSERT_EQUAL(p->baseline_mb.a[0], 150.0);
    CU_ASSERT_EQUAL(p->baseline_mb.a[1], 8.0);
    CU_ASSERT_EQUAL(p->baseline_mb.has_min, 1);
    CU_ASSERT_EQUAL(p->baseline_mb.min, 100.0);
    CU_ASSERT_EQUAL(p->baseline_mb.has_max, 0);
    assert_const(&p->idle_cpu_pct, 2.5);
    CU_ASSERT_EQUAL(p->sample_interval_s, 0.05);
    CU_ASSERT_EQUAL(p->noise_mem_mb, 1.5);
    CU_ASSERT_EQUAL(p->noise_cpu_pct, 2.0);
    CU_ASSERT_EQUAL(p->noise_io_rel, 0.1);

    CU_ASSERT_EQUAL_FATAL(s->n_methods, 3);
    const fp_method_spec *m = &s->methods[0];
    CU_ASSERT_STRING_EQUAL(m->name, "main");
    CU_ASSERT_EQUAL(m->line, 14);
    CU_ASSERT_EQUAL(m->col, 5);
    assert_const(&m->calls, 2.0);
    CU_ASSERT_EQUAL(m->duration_s.kind, FP_DIST_LOGNORMAL);
    FP_ASSERT_NEAR(m->duration_s.a[0], log(0.4), 1e-12);
    FP_ASSERT_NEAR(m->duration_s.a[1], 0.2, 1e-12);
    CU_ASSERT_EQUAL(m->cpu_pct.kind, FP_DIST_UNIFORM);
    CU_ASSERT_EQUAL(m->cpu_pct.a[0], 20.0);
    CU_ASSERT_EQUAL(m->cpu_pct.a[1], 30.0);
    assert_const(&m->alloc_mb, 5.0);
    assert_const(&m->retained_frac, 0.25);
    CU_ASSERT_EQUAL(m->io_is_rate, 0);
    assert_const(&m->io_ops, 3.0);
    assert_const(&m->io_bytes, 65536.0);
    CU_ASSERT_EQUAL_FATAL(m->n_callees, 2);
    CU_ASSERT_EQUAL(m->callees[0].method, 1);
    CU_ASSERT_EQUAL(m->callees[0].count.kind, FP_DIST_POISSON);
    CU_ASSERT_EQUAL(m->callees[0].count.a[0], 4.0);
    CU_ASSERT_EQUAL(m->callees[0].parallel, 1);
    CU_ASSERT_EQUAL(m->callees[0].line, 23);
    CU_ASSERT_EQUAL(m->callees[0].col, 9);
    CU_ASSERT_EQUAL(m->callees[1].method, 2);
    assert_const(&m->callees[1].count, 1.0);
    CU_ASSERT_EQUAL(m->callees[1].parallel, 0);

    m = &s->methods[1];
    CU_ASSERT_STRING_EQUAL(m->name, "worker");
    assert_const(&m->calls, 0.0);
    CU_ASSERT_EQUAL(m->duration_s.kind, FP_DIST_GAMMA);
    CU_ASSERT_EQUAL(m->duration_s.a[0], 2.0);
    CU_ASSERT_EQUAL(m->duration_s.a[1], 0.05);
    assert_const(&m->cpu_pct, 80.0);
    assert_const(&m->alloc_mb, 0.0);
    CU_ASSERT_EQUAL(m->io_is_rate, 1);
    assert_const(&m->io_ops, 10.0);
    assert_const(&m->io_bytes, 1e6);
    CU_ASSERT_EQUAL_FATAL(m->n_callees, 1);
    CU_ASSERT_EQUAL(m->callees[0].method, 2);
    assert_const(&m->callees[0].count, 0.0);
    CU_ASSERT_EQUAL(m->callees[0].parallel, 0);
    CU_ASSERT_EQUAL(m->callees[0].line, 34);
    CU_ASSERT_EQUAL(m->callees[0].col, 9);

    m = &s->methods[2];
    CU_ASSERT_STRING_EQUAL(m->name, "db:query");
    CU_ASSERT_EQUAL(m->duration_s.kind, FP_DIST_EXPONENTIAL);
    CU_ASSERT_EQUAL(m->duration_s.a[0], 0.01);
    assert_const(&m->cpu_pct, 10.0);
    CU_ASSERT_EQUAL(m->alloc_mb.kind, FP_DIST_CHOICE);
    CU_ASSERT_EQUAL_FATAL(m->alloc_mb.n_choices, 3);
    CU_ASSERT_EQUAL(m->alloc_mb.values[0], 1.0);
    CU_ASSERT_EQUAL(m->alloc_mb.values[1], 2.0);
    CU_ASSERT_EQUAL(m->alloc_mb.values[2], 4.0);
    FP_ASSERT_NEAR(m->alloc_mb.weights[0], 0.5, 1e-15);
    FP_ASSERT_NEAR(m->alloc_mb.weights[1], 0.25, 1e-15);
    FP_ASSERT_NEAR(m->alloc_mb.weights[2], 0.25, 1e-15);
    CU_ASSERT_EQUAL(m->n_callees, 0);

    CU_ASSERT_EQUAL_FATAL(fp_scenario_bottleneck_count(s), 7);
    const fp_bottleneck_spec *b = s->bottlenecks;
    /* kinds in fp_kind order, so the index is also the kind */
    for (int i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(b[i].kind, (fp_kind)i);
    CU_ASSERT_EQUAL(b[0].target, 1);
    CU_ASSERT_EQUAL(b[0].probability, 0.6);
    assert_const(&b[0].magnitude, 3.0);
    CU_ASSERT_EQUAL(b[0].onset_is_fraction, 0);
    CU_ASSERT_EQUAL(b[0].onset, 10.0);
    CU_ASSERT_EQUAL(b[0].ramp_s, 2.0);
    assert_const(&b[0].fraction, 0.05);
    assert_const(&b[0].episodes, 1.0);
    assert_const(&b[0].episode_s, 2.0);
    CU_ASSERT_EQUAL(b[0].line, 39);
    CU_ASSERT_EQUAL(b[0].col, 5);

    CU_ASSERT_EQUAL(b[1].target, 2);
    CU_ASSERT_EQUAL(b[1].probability, 1.0);
    CU_ASSERT_EQUAL(b[1].magnitude.kind, FP_DIST_UNIFORM);
    CU_ASSERT_EQUAL(b[1].magnitude.a[0], 5.0);
    CU_ASSERT_EQUAL(b[1].magnitude.a[1], 10.0);
    assert_const(&b[1].fraction, 0.1);
    CU_ASSERT_EQUAL(b[1].onset_is_fraction, 1);
    CU_ASSERT_EQUAL(b[1].onset, 0.5);
    CU_ASSERT_EQUAL(b[1].ramp_s, 0.0);

    CU_ASSERT_EQUAL(b[2].target, 0);
    assert_const(&b[2].magnitude, 50.0);
    CU_ASSERT_EQUAL(b[2].onset_is_fraction, 1);
    CU_ASSERT_EQUAL(b[2].onset, 0.0);

    CU_ASSERT_EQUAL(b[3].target, FP_TARGET_PROCESS);
    assert_const(&b[3].magnitude, 0.5);

    CU_ASSERT_EQUAL(b[4].target, FP_TARGET_PROCESS);
    assert_const(&b[4].magnitude, 95.0);
    assert_const(&b[4].episodes, 3.0);
    CU_ASSERT_EQUAL(b[4].episode_s.kind, FP_DIST_UNIFORM);
    CU_ASSERT_EQUAL(b[4].episode_s.a[0], 1.0);
    CU_ASSERT_EQUAL(b[4].episode_s.a[1], 3.0);

    CU_ASSERT_EQUAL(b[5].target, 2);
    assert_const(&b[5].magnitude, 4.0);
    CU_ASSERT_EQUAL(b[6].target, 1);
    CU_ASSERT_EQUAL(b[6].probability, 0.0);
    assert_const(&b[6].magnitude, 2.5);

    CU_ASSERT_EQUAL_FATAL(fp_scenario_analysis_count(s), 2);
    double v = 0;
    unsigned long line = 0, col = 0;
    CU_ASSERT_STRING_EQUAL(fp_scenario_analysis_key(s, 0, &v, &line, &col), "slow_method.mean_s");
    CU_ASSERT_EQUAL(v, 2.0);
    CU_ASSERT_EQUAL(line, 69);
    CU_ASSERT_EQUAL(col, 3);
    CU_ASSERT_STRING_EQUAL(fp_scenario_analysis_key(s, 1, &v, &line, &col), "score.weight");
    CU_ASSERT_EQUAL(v, -1e-3);
    CU_ASSERT_EQUAL(line, 70);
    fp_scenario_free(s);
}

/* CRLF line ends, no final newline and a UTF-8 BOM give the same scenario, marks included. */
static void test_line_ends_and_bom(void)
{
    size_t len;
    char *lf = read_data(GOOD_DIR "/full.yaml", &len);
    CU_ASSERT_FATAL(len > 0 && lf[len - 1] == '\n');
    char *crlf = malloc(2 * len + 4), *bom = malloc(len + 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(crlf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bom);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (lf[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = lf[i];
    }
    memcpy(bom, "\xEF\xBB\xBF", 3);
    memcpy(bom + 3, lf, len);

    struct {
        const char *text;
        size_t len;
    } variants[] = {
        {crlf, n},      /* CRLF */
        {crlf, n - 2},  /* CRLF, no final newline */
        {lf, len - 1},  /* LF, no final newline */
        {bom, len + 3}, /* BOM */
        {bom, len + 2}, /* BOM, no final newline */
    };
    fp_scenario *ref = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(load_str(&ref, lf, len, &err), FP_OK);
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        fp_scenario *s = NULL;
        CU_ASSERT_EQUAL(load_str(&s, variants[i].text, variants[i].len, &err), FP_OK);
        if (s != NULL)
            CU_ASSERT(scenario_eq(ref, s));
        fp_scenario_free(s);
    }
    /* The comparison can fail: a one-character change is noticed. */
    char *lf2 = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lf2);
    memcpy(lf2, lf, len);
    char *at = strstr(lf2, "ramp_s: 2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    at[8] = '3';
    fp_scenario *s2 = NULL;
    CU_ASSERT_EQUAL(load_str(&s2, lf2, len, &err), FP_OK);
    if (s2 != NULL)
        CU_ASSERT_FALSE(scenario_eq(ref, s2));
    fp_scenario_free(s2);
    fp_scenario_free(ref);
    free(lf2);
    free(lf);
    free(crlf);
    free(bom);
}

/*
 * docs/scenario-format.md's kinds table has a row for every kind of profile/'s kind table, with
 * `process` rows exactly for the kinds that may target the process, and the magnitude support
 * the loader enforces (">= 1", ">= 0" or "within [0, 100]").
 */
static void test_documented_kinds(void)
{
    size_t len = 0;
    char *text = fp_test_read_file(FP_SOURCE_DIR "/docs/scenario-format.md", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        const fp_kind_info *in = fp_kind_info_get((fp_kind)k);
        char support[64], row[128];
        if (isinf(in->mag_max))
            snprintf(support, sizeof support, ">= %g |", in->mag_min);
        else
            snprintf(support, sizeof support, "within [%g, %g] |", in->mag_min, in->mag_max);
        for (int proc = 0; proc <= 1; proc++) {
            snprintf(row, sizeof row, "\n| `%s` | %s | ", in->name, proc ? "process" : "method");
            const char *at = strstr(text, row);
            int want = proc ? in->process_ok : 1;
            if ((at != NULL) != want)
                fprintf(stderr, "docs/scenario-format.md: row '%s' %s\n", row + 1,
                        want ? "missing" : "unexpected");
            CU_ASSERT_EQUAL(at != NULL, want);
            if (at != NULL) {
                const char *eol = strchr(at + 1, '\n');
                const char *sup = strstr(at, support);
                CU_ASSERT(sup != NULL && (eol == NULL || sup < eol));
            }
        }
    }
    free(text);
}

/* docs/example-scenario.yaml loads and uses every bottleneck kind and both I/O forms. */
static void test_documented_example(void)
{
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(
        fp_scenario_load_file(&s, FP_SOURCE_DIR "/docs/example-scenario.yaml", &err), FP_OK);
    int kinds[FP_KIND_COUNT] = {0}, process_targets = 0, rate = 0, per_call = 0, parallel = 0;
    for (size_t i = 0; i < s->n_bottlenecks; i++) {
        kinds[s->bottlenecks[i].kind] = 1;
        process_targets += s->bottlenecks[i].target == FP_TARGET_PROCESS;
    }
    for (int k = 0; k < FP_KIND_COUNT; k++)
        CU_ASSERT(kinds[k]);
    CU_ASSERT_EQUAL(process_targets, 2);
    int dist_kinds[FP_DIST_KIND_COUNT] = {0};
    for (size_t i = 0; i < s->n_methods; i++) {
        const fp_method_spec *m = &s->methods[i];
        rate += m->io_is_rate && m->io_ops.kind == FP_DIST_CONSTANT && m->io_ops.a[0] > 0;
        per_call += !m->io_is_rate && m->io_ops.kind == FP_DIST_CONSTANT && m->io_ops.a[0] > 0;
        const fp_dist *ds[] = {&m->calls,    &m->duration_s, &m->cpu_pct,
                               &m->alloc_mb, &m->io_ops,     &m->io_bytes};
        for (size_t j = 0; j < sizeof ds / sizeof ds[0]; j++)
            dist_kinds[ds[j]->kind] = 1;
        for (size_t j = 0; j < m->n_callees; j++) {
            parallel += m->callees[j].parallel;
            dist_kinds[m->callees[j].count.kind] = 1;
        }
    }
    for (int k = 0; k < FP_DIST_KIND_COUNT; k++) {
        if (!dist_kinds[k])
            fprintf(stderr, "\n  example does not use distribution %d\n", k);
        CU_ASSERT(dist_kinds[k]);
    }
    CU_ASSERT(rate >= 1);
    CU_ASSERT(per_call >= 1);
    CU_ASSERT(parallel >= 1);
    CU_ASSERT(fp_scenario_has_seed(s, NULL));
    CU_ASSERT(fp_scenario_analysis_count(s) >= 1);
    fp_scenario_free(s);
}

/* The built-in scenarios (scenarios/NAME.yaml) load. */
static void test_builtin_scenarios(void)
{
    static const char *const names[] = {"optimal", "bottlenecked", "memory-intensive",
                                        "cpu-intensive"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/scenarios/%s.yaml", FP_SOURCE_DIR, names[i]);
        if (access(path, R_OK) != 0)
            continue; /* written by another module; absent in a partial checkout */
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_status st = fp_scenario_load_file(&s, path, &err);
        if (st != FP_OK) {
            char buf[1024];
            fp_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "\n  %s\n", buf);
        }
        CU_ASSERT_EQUAL(st, FP_OK);
        if (s != NULL)
            CU_ASSERT_STRING_EQUAL(fp_scenario_name(s), names[i]);
        fp_scenario_free(s);
    }
}

static void test_open_errors(void)
{
    fp_scenario *s = (fp_scenario *)1;
    fp_error err = FP_ERROR_INIT;
    char buf[1024];
    CU_ASSERT_EQUAL(fp_scenario_load_file(&s, GOOD_DIR "/no-such-file.yaml", &err), FP_ENOENT);
    CU_ASSERT_PTR_NULL(s);
    fp_error_format(&err, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, GOOD_DIR
                           "/no-such-file.yaml: error: cannot open: No such file or directory");
    CU_ASSERT_EQUAL(fp_scenario_load_file(&s, GOOD_DIR, &err), FP_ENOENT);
    fp_error_format(&err, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, GOOD_DIR ": error: is a directory");
    /* /dev/null is an empty file, not an open error */
    CU_ASSERT_EQUAL(fp_scenario_load_file(&s, "/dev/null", &err), FP_EINVAL);
    fp_error_format(&err, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "/dev/null:1:1: error: no scenario in file");
}

/* Details not covered by files: string forms, accepted number spellings, null file name. */
static void test_accepted_forms(void)
{
    static const char text[] = "name: \"42\"\n"
                               "description: |\n  two\n  lines\n"
                               "seed: 0\n"
                               "methods:\n"
                               "  - {name: 'a.b-c_d:e', calls: +1, duration_s: .5e1}\n"
                               "  - name: z\n    calls: 1.\n    duration_s: 1e-400\n";
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&s, text, strlen(text), NULL, &err), FP_OK);
    CU_ASSERT_STRING_EQUAL(s->name, "42");
    CU_ASSERT_STRING_EQUAL(s->description, "two\nlines\n");
    CU_ASSERT_STRING_EQUAL(fp_scenario_file(s), "<string>");
    uint64_t seed = 9;
    CU_ASSERT_EQUAL(fp_scenario_has_seed(s, &seed), 1);
    CU_ASSERT_EQUAL(seed, 0);
    CU_ASSERT_STRING_EQUAL(s->methods[0].name, "a.b-c_d:e");
    assert_const(&s->methods[0].calls, 1.0);
    assert_const(&s->methods[0].duration_s, 5.0);
    assert_const(&s->methods[1].calls, 1.0);
    CU_ASSERT(s->methods[1].duration_s.a[0] >= 0.0 && s->methods[1].duration_s.a[0] < 1e-300);
    fp_scenario_free(s);
    fp_scenario_free(NULL);
}

/* ---- bad ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Syntax and encoding errors are FP_EPARSE; everything else in tests/data/bad is FP_EINVAL. */
static fp_status expected_status(const char *name)
{
    static const char *const parse_ids[] = {"Y01-", "Y02-", "Y03-", "Y04-", "Y05-"};
    for (size_t i = 0; i < sizeof parse_ids / sizeof parse_ids[0]; i++) {
        if (strncmp(name, parse_ids[i], 4) == 0)
            return FP_EPARSE;
    }
    return FP_EINVAL;
}

static void test_bad_files(void)
{
    DIR *d = opendir(BAD_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_str);
    CU_ASSERT(n >= 80); /* the suite cannot pass by finding nothing */
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024], errpath[1024], buf[1024];
        snprintf(path, sizeof path, "%s/%s", BAD_DIR, names[i]);
        snprintf(errpath, sizeof errpath, "%.*s.err", (int)(strlen(path) - 5), path);
        size_t elen;
        char *want = fp_test_read_file(errpath, &elen);
        if (want == NULL) {
            fprintf(stderr, "\n  %s: missing .err file\n", names[i]);
            CU_FAIL("missing .err file");
            free(names[i]);
            continue;
        }
        while (elen > 0 && (want[elen - 1] == '\n' || want[elen - 1] == '\r'))
            want[--elen] = '\0';
        fp_scenario *s = (fp_scenario *)1;
        fp_error err = FP_ERROR_INIT;
        fp_status st = fp_scenario_load_file(&s, path, &err);
        err_line(&err, path, buf, sizeof buf);
        int good = st == expected_status(names[i]) && err.status == st && s == NULL &&
                   strcmp(buf, want) == 0 && err.line > 0 && err.col > 0 &&
                   strcmp(err.file, path) == 0;
        if (!good)
            fprintf(stderr, "\n  %s: status %d\n    got:  %s\n    want: %s\n", names[i], (int)st,
                    buf, want);
        CU_ASSERT(good);
        ok += good;
        if (st == FP_OK)
            fp_scenario_free(s);
        free(want);
        free(names[i]);
    }
    CU_ASSERT_EQUAL(ok, n);
}

/* A few error paths checked inline (the location rules more than the messages). */
static void test_inline_errors(void)
{
    /* an unknown key in a callee entry and in memory; a flow mapping key that is a sequence */
    const char *t1 = "name: x\nmethods:\n  - name: a\n    calls: 1\n    duration_s: 1\n"
                     "    memory: {alloc_m: 1}\n";
    expect_error(t1, strlen(t1), FP_EINVAL,
                 "6:14: error: unknown key 'alloc_m' (did you mean 'alloc_mb'?) "
                 "(methods[0].memory.alloc_m)");
    /* process.cores: a whole number in [1, 4096] */
    const char *tc1 = "name: x\nprocess:\n  cores: 2.5\nmethods:\n  - {name: a, calls: 1, "
                      "duration_s: 1}\n";
    expect_error(tc1, strlen(tc1), FP_EINVAL,
                 "3:10: error: 'cores' must be a whole number, got 2.5 (process.cores)");
    const char *tc2 = "name: x\nprocess:\n  cores: 0\nmethods:\n  - {name: a, calls: 1, "
                      "duration_s: 1}\n";
    expect_error(tc2, strlen(tc2), FP_EINVAL,
                 "3:10: error: 'cores' must be in [1, 4096], got 0 (process.cores)");
    const char *t2 = "name: x\n? [a]\n: 1\nmethods: []\n";
    expect_error(t2, strlen(t2), FP_EINVAL, "2:3: error: expected a string key, got a sequence");
    /* a duplicate key inside a distribution mapping */
    const char *t3 = "name: x\nmethods:\n  - {name: a, calls: 1, duration_s: {dist: constant, "
                     "value: 1, value: 2}}\n";
    expect_error(t3, strlen(t3), FP_EINVAL,
                 "3:64: error: duplicate key 'value' (methods[0].duration_s.value)");
    /* names and keys from the file are quoted with their control bytes as '?' (no raw ESC) */
    const char *tx = "name: x\nmethods:\n  - {name: \"a\\eb\", calls: 1, duration_s: 1}\n";
    expect_error(tx, strlen(tx), FP_EINVAL,
                 "3:12: error: method name must match [A-Za-z0-9_.:-]{1,128}, got 'a?b' "
                 "(methods[0].name)");
    const char *ty = "name: x\n\"k\\e[2J\": 1\nmethods: []\n";
    fp_scenario *sy = NULL;
    fp_error ey = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(load_str(&sy, ty, strlen(ty), &ey), FP_EINVAL);
    CU_ASSERT_PTR_NULL(strchr(ey.msg, '\x1b'));
    CU_ASSERT_PTR_NULL(strchr(ey.key_path, '\x1b'));
    CU_ASSERT_PTR_NOT_NULL(strstr(ey.msg, "'k?[2J'"));
    /* the cycle closes at the edge found last by the walk, not at the first method */
    const char *t4 = "name: x\nmethods:\n  - {name: a, calls: 1, callees: [{method: b}], "
                     "duration_s: 1}\n  - {name: b, callees: [{method: c}], duration_s: 1}\n"
                     "  - {name: c, callees: [{method: b}], duration_s: 1}\n";
    expect_error(t4, strlen(t4), FP_EINVAL,
                 "5:34: error: call cycle: b -> c -> b (methods[2].callees[0].method)");
    /* a long cycle message is cut, never overflows */
    tbuf b = {0};
    tb_add(&b, "name: x\nmethods:\n");
    for (int i = 0; i < 40; i++)
        tb_add(&b,
               "  - {name: method_with_a_long_name_%02d, calls: %d, duration_s: 1, "
               "callees: [{method: method_with_a_long_name_%02d}]}\n",
               i, i == 0, (i + 1) % 40);
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(load_str(&s, b.s, b.n, &err), FP_EINVAL);
    CU_ASSERT(strncmp(err.msg, "call cycle: method_with_a_long_name_00 -> ", 40) == 0);
    CU_ASSERT(strlen(err.msg) == FP_ERROR_MSG_MAX - 1);
    CU_ASSERT(strcmp(err.msg + FP_ERROR_MSG_MAX - 4, "...") == 0);
    CU_ASSERT_EQUAL(err.line, 42);
    free(b.s);
    /* episodes on a process target of another kind; callee count below zero */
    const char *t5 = "name: x\nmethods:\n  - {name: a, calls: 1, duration_s: 1}\nbottlenecks:\n"
                     "  - {kind: memory_leak, target: process, magnitude: 1, episode_s: 3}\n";
    expect_error(t5, strlen(t5), FP_EINVAL,
                 "5:56: error: 'episode_s' applies only to cpu_saturation on the process "
                 "(bottlenecks[0].episode_s)");
    const char *t6 = "name: x\nmethods:\n  - {name: a, calls: 1, duration_s: 1, "
                     "callees: [{method: b, count: -1}]}\n  - {name: b, duration_s: 1}\n";
    expect_error(t6, strlen(t6), FP_EINVAL,
                 "3:69: error: 'count' must be >= 0, got -1 (methods[0].callees[0].count)");
    /* byte offsets count the BOM, columns do not */
    const char t7[] = "\xEF\xBB\xBFname: caf\xE9 z\n";
    expect_error(t7, sizeof t7 - 1, FP_EPARSE,
                 "1:11: error: invalid trailing UTF-8 octet (0x20) at byte 13");
    /* load_string rejects more than the cap without reading it */
    expect_error("", (size_t)FP_SCENARIO_MAX_BYTES + 1, FP_ELIMIT,
                 "error: scenario larger than 1 MiB");
}

/* ---- limits ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Writes `len` bytes to a new temporary file; returns its path in `path`. */
static void write_temp(char *path, size_t size, const char *text, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/fp_scenario_XXXXXX", dir != NULL ? dir : "/tmp");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        CU_ASSERT_FATAL(w > 0);
        done += (size_t)w;
    }
    close(fd);
}

static void test_size_cap(void)
{
    static const char head[] = "name: big\nmethods:\n  - {name: a, calls: 1, duration_s: 1}\n";
    size_t cap = FP_SCENARIO_MAX_BYTES;
    char *text = malloc(cap + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memcpy(text, head, sizeof head - 1);
    /* pad with comment lines up to exactly the cap */
    for (size_t i = sizeof head - 1; i < cap + 1; i++)
        text[i] = (i % 64 == 0) ? '\n' : '#';
    text[cap - 1] = '\n';
    char path[512], buf[1024];
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;

    write_temp(path, sizeof path, text, cap);
    CU_ASSERT_EQUAL(fp_scenario_load_file(&s, path, &err), FP_OK);
    fp_scenario_free(s);
    s = NULL;
    unlink(path);

    write_temp(path, sizeof path, text, cap + 1);
    CU_ASSERT_EQUAL(fp_scenario_load_file(&s, path, &err), FP_ELIMIT);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_STRING_EQUAL(err_line(&err, path, buf, sizeof buf),
                           "error: scenario larger than 1 MiB");
    unlink(path);
    free(text);
}

static void test_depth(void)
{
    /* 17 flow levels: the root mapping is level 1, so the 16th '[' is the 17th opener */
    tbuf b = {0};
    tb_add(&b, "name: x\nmethods: ");
    for (int i = 0; i < 16; i++)
        tb_add(&b, "[");
    for (int i = 0; i < 16; i++)
        tb_add(&b, "]");
    tb_add(&b, "\n");
    expect_error(b.s, b.n, FP_ELIMIT,
                 "2:25: error: nesting deeper than 16 "
                 "(methods[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0])");
    /* 16 levels pass the depth check and fail the schema instead */
    b.n = 0;
    tb_add(&b, "name: x\nmethods: ");
    for (int i = 0; i < 15; i++)
        tb_add(&b, "[");
    for (int i = 0; i < 15; i++)
        tb_add(&b, "]");
    expect_error(b.s, b.n, FP_EINVAL,
                 "2:11: error: expected a mapping, got a sequence (methods[0])");
    /* block mappings count the same way */
    b.n = 0;
    for (int i = 0; i < 17; i++)
        tb_add(&b, "%*sk%d:\n", i, "", i);
    expect_error(b.s, b.n, FP_ELIMIT,
                 "17:17: error: nesting deeper than 16 "
                 "(k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11.k12.k13.k14.k15)");
    /* 200000 openers: rejected at the 17th, quickly and without recursion */
    b.n = 0;
    for (int i = 0; i < 200000; i++)
        tb_add(&b, "[");
    double t0 = now_s();
    expect_error(
        b.s, b.n, FP_ELIMIT,
        "1:17: error: nesting deeper than 16 ([0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0])");
    double dt = now_s() - t0;
    CU_ASSERT(dt < 0.5);
    free(b.s);
}

static void test_counts(void)
{
    tbuf b = {0};
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    /* exactly the maximum number of methods loads */
    tb_add(&b, "name: x\nmethods:\n");
    for (int i = 0; i < FP_SCENARIO_MAX_METHODS; i++)
        tb_add(&b, "  - name: m%d\n    calls: 1\n    duration_s: 0.1\n", i);
    CU_ASSERT_EQUAL(load_str(&s, b.s, b.n, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_scenario_method_count(s), FP_SCENARIO_MAX_METHODS);
    CU_ASSERT_STRING_EQUAL(fp_scenario_method_name(s, 1023), "m1023");
    fp_scenario_free(s);
    /* one more is FP_ELIMIT at the extra entry */
    tb_add(&b, "  - name: m%d\n    calls: 1\n    duration_s: 0.1\n", FP_SCENARIO_MAX_METHODS);
    expect_error(b.s, b.n, FP_ELIMIT, "3075:5: error: too many methods (max 1024) (methods[1024])");

    /* callees: 65 entries */
    b.n = 0;
    tb_add(&b, "name: x\nmethods:\n  - name: a\n    calls: 1\n    duration_s: 1\n    callees:\n");
    for (int i = 0; i <= FP_SCENARIO_MAX_CALLEES; i++)
        tb_add(&b, "      - method: b\n");
    tb_add(&b, "  - name: b\n    duration_s: 1\n");
    expect_error(b.s, b.n, FP_ELIMIT,
                 "71:9: error: too many callees (max 64) (methods[0].callees[64])");

    /* bottlenecks: 257 entries */
    b.n = 0;
    tb_add(&b, "name: x\nmethods:\n  - {name: a, calls: 1, duration_s: 1}\nbottlenecks:\n");
    for (int i = 0; i <= FP_SCENARIO_MAX_BOTTLENECKS; i++)
        tb_add(&b, "  - {kind: slow_method, target: a, magnitude: 2}\n");
    expect_error(b.s, b.n, FP_ELIMIT,
                 "261:5: error: too many bottlenecks (max 256) (bottlenecks[256])");

    /* a large analysis mapping: duplicates are found by sorting, at the second occurrence */
    b.n = 0;
    tb_add(&b, "name: x\nmethods:\n  - {name: a, calls: 1, duration_s: 1}\nanalysis:\n");
    for (int i = 0; i < 50000; i++)
        tb_add(&b, "  k%d: %d\n", i, i);
    tb_add(&b, "  k49999: 1\n  k7: 2\n");
    double t0 = now_s();
    expect_error(b.s, b.n, FP_EINVAL, "50005:3: error: duplicate key 'k49999' (analysis.k49999)");
    CU_ASSERT(now_s() - t0 < 2.0);
    free(b.s);
}

/* Every prefix of a good file either loads or fails with a location; none crashes or leaks. */
static void test_truncation(void)
{
    size_t len;
    char *text = read_data(GOOD_DIR "/full.yaml", &len);
    size_t loaded = 0, failed = 0;
    for (size_t n = 0; n <= len; n++) {
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        /* a copy of exactly n bytes, so that reading past the end is caught by ASan */
        char *prefix = malloc(n ? n : 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(prefix);
        memcpy(prefix, text, n);
        fp_status st = load_str(&s, prefix, n, &err);
        if (st == FP_OK) {
            loaded++;
            fp_scenario_free(s);
        } else {
            failed++;
            int located = (st == FP_EPARSE || st == FP_EINVAL) && err.line > 0 && err.col > 0 &&
                          err.msg[0] != '\0';
            if (!located)
                fprintf(stderr, "\n  prefix %zu: status %d at %lu:%lu: %s\n", n, (int)st, err.line,
                        err.col, err.msg);
            CU_ASSERT(located);
        }
        free(prefix);
    }
    CU_ASSERT(loaded >= 1); /* the whole file */
    CU_ASSERT(failed > len / 2);
    free(text);
}

/* ---- faults ---- */

/* Fails allocation N = 1, 2, ... until the load succeeds: each failure is a clean FP_ENOMEM. */
static void alloc_loop(const char *path, const char *text, size_t len, fp_status final)
{
    unsigned long n;
    int finished = 0;
    for (n = 1; n < 100000 && !finished; n++) {
        fp_scenario *s = (fp_scenario *)1;
        fp_error err = FP_ERROR_INIT;
        fp_alloc_fail_after(n);
        fp_status st =
            path != NULL ? fp_scenario_load_file(&s, path, &err) : load_str(&s, text, len, &err);
        fp_alloc_fail_after(0);
        if (st == FP_ENOMEM) {
            CU_ASSERT_PTR_NULL(s);
            CU_ASSERT_EQUAL(err.status, FP_ENOMEM);
            CU_ASSERT_STRING_EQUAL(err.msg, "out of memory");
            continue;
        }
        CU_ASSERT_EQUAL(st, final);
        if (st == FP_OK)
            fp_scenario_free(s);
        else
            CU_ASSERT_PTR_NULL(s);
        finished = 1;
    }
    CU_ASSERT(finished);
    CU_ASSERT(n > 10); /* the loader does allocate through the seam */
}

static void test_alloc_failures(void)
{
    size_t len;
    char *text = read_data(GOOD_DIR "/full.yaml", &len);
    alloc_loop(NULL, text, len, FP_OK);
    alloc_loop(GOOD_DIR "/full.yaml", NULL, 0, FP_OK);
    alloc_loop(FP_SOURCE_DIR "/docs/example-scenario.yaml", NULL, 0, FP_OK);
    free(text);
    /* error paths under allocation failure */
    alloc_loop(BAD_DIR "/N12-three-cycle.yaml", NULL, 0, FP_EINVAL);
    alloc_loop(BAD_DIR "/N08-choice-weights.yaml", NULL, 0, FP_EINVAL);
    alloc_loop(BAD_DIR "/S05-duplicate-method.yaml", NULL, 0, FP_EINVAL);
    alloc_loop(BAD_DIR "/N12-never-called.yaml", NULL, 0, FP_EINVAL);
}

int fp_test_register(void)
{
    static const fp_test_case good[] = {{"minimal_defaults", test_minimal_defaults},
                                        {"full_values", test_full_values},
                                        {"line_ends_and_bom", test_line_ends_and_bom},
                                        {"documented_example", test_documented_example},
                                        {"documented_kinds", test_documented_kinds},
                                        {"builtin_scenarios", test_builtin_scenarios},
                                        {"open_errors", test_open_errors},
                                        {"accepted_forms", test_accepted_forms},
                                        {NULL, NULL}};
    static const fp_test_case bad[] = {
        {"bad_files", test_bad_files}, {"inline_errors", test_inline_errors}, {NULL, NULL}};
    static const fp_test_case limits[] = {{"size_cap", test_size_cap},
                                          {"depth", test_depth},
                                          {"counts", test_counts},
                                          {"truncation", test_truncation},
                                          {NULL, NULL}};
    static const fp_test_case faults[] = {{"alloc_failures", test_alloc_failures}, {NULL, NULL}};
    if (fp_test_add_suite("good", good) || fp_test_add_suite("bad", bad) ||
        fp_test_add_suite("limits", limits) || fp_test_add_suite("faults", faults))
        return -1;
    return 0;
}
