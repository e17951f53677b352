/*
 * test_reports.c - unit tests of the reports module (reports/) and of the ground-truth matcher
 * (analysis/fp_match.c): matching rules case by case, quantile accumulators, table layout,
 * CSV quoting, Markdown escaping, golden files of every format for a hand-built profile, and
 * degenerate profiles that must never print NaN or Inf.
 *
 * Golden files live in tests/golden/unit/; run with FP_UPDATE_GOLDEN=1 to rewrite them (then
 * review the diff).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_analysis.h"
#include "fp_compare.h"
#include "fp_escape.h"
#include "fp_match.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_test.h"

/* the table model is internal, but its layout is what the text report is made of */
#include "fp_report_internal.h"

#define LONG_NAME "a_very_long_method_name_that_is_exactly_sixty_characters_ok_"
#define ODD_NAME "parse, \"quoted\" | piped"

/* ---- helpers ---- */

/* Renders with `fn` into a new string (free with free()). */
static char *render(fp_status (*fn)(const fp_report *, FILE *, fp_error *), const fp_report *r,
                    fp_status *st)
{
    char *buf = NULL;
    size_t len = 0;
    fp_error err = FP_ERROR_INIT;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(f != NULL);
    *st = fn(r, f, &err);
    fclose(f);
    if (*st != FP_OK)
        fprintf(stderr, "render: %s\n", err.msg);
    return buf;
}

/* Compares `got` with tests/golden/unit/NAME, or rewrites it when FP_UPDATE_GOLDEN=1. */
static void golden(const char *name, const char *got)
{
    char path[1024];
    const char *upd = getenv("FP_UPDATE_GOLDEN");
    size_t len = 0;
    char *want;
    snprintf(path, sizeof path, "%s/tests/golden/unit/%s", FP_SOURCE_DIR, name);
    if (upd && strcmp(upd, "1") == 0) {
        FILE *f = fopen(path, "wb");
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT(fputs(got, f) != EOF);
        CU_ASSERT(fclose(f) == 0);
        return;
    }
    want = fp_test_read_file(path, &len);
    if (want == NULL) {
        fprintf(stderr, "missing golden file %s (run with FP_UPDATE_GOLDEN=1)\n", path);
        CU_FAIL("missing golden file");
        return;
    }
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "golden mismatch: %s\n--- got ---\n%s\n", path, got);
        CU_FAIL("output differs from the golden file");
    }
    free(want);
}

/* 1 when `s` contains a word "nan", "inf" or "infinity" (any case). */
static int has_nonfinite_word(const char *s)
{
    while (*s) {
        char w[16];
        size_t n = 0;
        while (*s && !isalpha((unsigned char)*s))
            s++;
        while (*s && isalpha((unsigned char)*s)) {
            if (n + 1 < sizeof w)
                w[n++] = (char)tolower((unsigned char)*s);
            s++;
        }
        w[n] = '\0';
        if (strcmp(w, "nan") == 0 || strcmp(w, "inf") == 0 || strcmp(w, "infinity") == 0)
            return 1;
    }
    return 0;
}

static fp_span span(uint32_t m, int32_t parent, double start, double dur)
{
    fp_span s;
    memset(&s, 0, sizeof s);
    s.method = m;
    s.parent = parent;
    s.start_s = start;
    s.dur_s = dur;
    s.cpu_pct = 40;
    s.mem_alloc_mb = 2;
    s.io_ops = 1;
    s.io_bytes = 4096;
    return s;
}

static fp_truth truth(fp_kind k, int32_t target, double t0, double t1, uint32_t calls, double extra)
{
    fp_truth t;
    memset(&t, 0, sizeof t);
    t.kind = k;
    t.target = target;
    t.start_s = t0;
    t.end_s = t1;
    t.affected_calls = calls;
    t.extra_s = extra;
    t.magnitude = 1.5;
    return t;
}

/*
 * A simulated-looking run: 3 requests of 4 s + run/10, each calling a slow method (2.5 s + run/10),
 * a 60-character method and a method with a comma, quotes and a pipe in its name; memory leaks 20
 * MB/s after 4 s. Truth: the slow method (found), the leak (found), an I/O injection that stays
 * under the thresholds (missed), a call storm that never fired (not observable).
 */
static fp_profile *make_run(const char *scenario, uint64_t run)
{
    fp_profile *p = fp_profile_new();
    uint32_t m0, m1, m2, m3;
    double *mem, *cpu, *iops, *ibytes;
    double extra = (double)run / 10.0;
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_FATAL(fp_profile_set_meta(p, scenario, 42, run, "mt19937", "2.7", "simulated", 1) ==
                    FP_OK);
    CU_ASSERT_FATAL(fp_profile_intern_method(p, "handle_request", &m0) == FP_OK);
    CU_ASSERT_FATAL(fp_profile_intern_method(p, "generate_draft", &m1) == FP_OK);
    CU_ASSERT_FATAL(fp_profile_intern_method(p, LONG_NAME, &m2) == FP_OK);
    CU_ASSERT_FATAL(fp_profile_intern_method(p, ODD_NAME, &m3) == FP_OK);
    for (int i = 0; i < 3; i++) {
        double t0 = (4.0 + extra) * i;
        size_t top;
        fp_span s = span(m0, -1, t0, 4.0 + extra);
        CU_ASSERT_FATAL(fp_profile_add_span(p, &s, &top) == FP_OK);
        s = span(m1, (int32_t)top, t0 + 0.1, 2.5 + extra);
        s.cpu_pct = 60;
        CU_ASSERT_FATAL(fp_profile_add_span(p, &s, NULL) == FP_OK);
        s = span(m2, (int32_t)top, t0 + 2.7 + extra, 0.5);
        CU_ASSERT_FATAL(fp_profile_add_span(p, &s, NULL) == FP_OK);
        s = span(m3, (int32_t)top, t0 + 3.3 + extra, 0.2);
        CU_ASSERT_FATAL(fp_profile_add_span(p, &s, NULL) == FP_OK);
    }
    CU_ASSERT_FATAL(fp_profile_series_resize(p, 120 + 3 * run, 0.1, &mem, &cpu, &iops, &ibytes) ==
                    FP_OK);
    for (size_t k = 0; k < 120 + 3 * run; k++) {
        double t = 0.1 * (double)(k + 1);
        mem[k] = 100.0 + (t > 4.0 ? 20.0 * (t - 4.0) : 0.0) + (double)(k % 3) * 0.25;
        cpu[k] = 30.0 + (double)(k % 5);
        iops[k] = 1;
        ibytes[k] = 4096;
    }
    fp_truth t = truth(FP_KIND_SLOW_METHOD, (int32_t)m1, 0.1, 10.7, 3, 3.0 + 3 * extra);
    CU_ASSERT_FATAL(fp_profile_add_truth(p, &t) == FP_OK);
    t = truth(FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS, 4.0, 12.0, 0, 0);
    t.extra_mb = 160;
    CU_ASSERT_FATAL(fp_profile_add_truth(p, &t) == FP_OK);
    t = truth(FP_KIND_IO_HEAVY, (int32_t)m2, 2.7, 11.2, 3, 0);
    t.extra_io_ops = 3;
    CU_ASSERT_FATAL(fp_profile_add_truth(p, &t) == FP_OK);
    t = truth(FP_KIND_CALL_STORM, (int32_t)m3, 12.0, 12.0, 0, 0);
    CU_ASSERT_FATAL(fp_profile_add_truth(p, &t) == FP_OK);
    return p;
}

static fp_analysis *analyse(const fp_profile *p)
{
    fp_analysis *a = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_analyze(&a, p, NULL, &err);
    if (st != FP_OK)
        fprintf(stderr, "fp_analyze: %s\n", err.msg);
    CU_ASSERT_FATAL(st == FP_OK && a != NULL);
    return a;
}

/* Adds `runs` runs of make_run() to the current scenario of `r`. */
static void add_runs(fp_report *r, const char *scenario, size_t runs)
{
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_FATAL(fp_report_begin_scenario(r, scenario, 42, "mt19937", "2.7", &err) == FP_OK);
    for (size_t i = 0; i < runs; i++) {
        fp_profile *p = make_run(scenario, i);
        fp_analysis *a = analyse(p);
        fp_status st = fp_report_add_run(r, p, a, &err);
        if (st != FP_OK)
            fprintf(stderr, "add_run: %s\n", err.msg);
        CU_ASSERT_FATAL(st == FP_OK);
        fp_analysis_free(a);
        fp_profile_free(p);
    }
}

/* ---- suite match ---- */

static fp_finding finding(fp_kind k, int32_t target, double t0, double t1)
{
    fp_finding f;
    memset(&f, 0, sizeof f);
    f.kind = k;
    f.target = target;
    f.target_name = target < 0 ? "process" : "m";
    f.start_s = t0;
    f.end_s = t1;
    return f;
}

static void test_match_kind_and_method(void)
{
    fp_truth t[2] = {truth(FP_KIND_SLOW_METHOD, 1, 0, 10, 5, 2.0),
                     truth(FP_KIND_CALL_STORM, 2, 0, 10, 5, 0)};
    fp_finding f[3] = {finding(FP_KIND_LATENCY_OUTLIERS, 1, 0, 10), /* kind differs */
                       finding(FP_KIND_CALL_STORM, 3, 0, 10),       /* method differs */
                       finding(FP_KIND_SLOW_METHOD, 1, 50, 60)};    /* far in time: still ok */
    fp_match_result r;
    fp_error err = FP_ERROR_INIT;
    fp_match_result_init(&r);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, t, 2, f, 3, 100, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND);
    CU_ASSERT_EQUAL(r.truth_finding[0], 2);
    CU_ASSERT_EQUAL(r.truth_outcome[1], FP_TRUTH_MISSED);
    CU_ASSERT_EQUAL(r.truth_finding[1], -1);
    CU_ASSERT_EQUAL(r.finding_truth[0], -1);
    CU_ASSERT_EQUAL(r.finding_truth[1], -1);
    CU_ASSERT_EQUAL(r.finding_truth[2], 0);
    CU_ASSERT_EQUAL(r.found, 1);
    CU_ASSERT_EQUAL(r.missed, 1);
    CU_ASSERT_EQUAL(r.unobservable, 0);
    CU_ASSERT_EQUAL(r.true_positives, 1);
    CU_ASSERT_EQUAL(r.false_alarms, 2);
    /* a method-level slow_method truth is not matched by a process-level finding */
    f[2].target = FP_TARGET_PROCESS;
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, t, 2, f, 3, 100, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.found, 0);
    fp_match_result_cleanup(&r);
    fp_match_result_cleanup(&r); /* idempotent */
}

static void test_match_window_tolerance(void)
{
    /* run of 100 s: tolerance max(2, 5) = 5 s */
    fp_truth t = truth(FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS, 10, 20, 0, 0);
    fp_finding f = finding(FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS, 25, 90); /* gap 5 s */
    fp_match_result r;
    fp_match_options o = FP_MATCH_OPTIONS_INIT;
    fp_error err = FP_ERROR_INIT;
    t.extra_mb = 50;
    fp_match_result_init(&r);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, &f, 1, 100, NULL, &err), FP_OK);
    CU_ASSERT_DOUBLE_EQUAL(r.tolerance_s, 5.0, 0);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND); /* gap == tolerance: inside */
    f.start_s = 25.001;
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, &f, 1, 100, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_MISSED);
    CU_ASSERT_EQUAL(r.false_alarms, 1);
    /* short run: the absolute 2 s floor applies */
    f.start_s = 21.9;
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, &f, 1, 30, NULL, &err), FP_OK);
    CU_ASSERT_DOUBLE_EQUAL(r.tolerance_s, 2.0, 0);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND);
    f.start_s = 22.1;
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, &f, 1, 30, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_MISSED);
    /* the tolerance is a parameter */
    o.abs_tol_s = 3;
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, &f, 1, 30, &o, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND);
    o.rel_tol = -1;
    CU_ASSERT_EQUAL(fp_match_findings(&r, &t, 1, &f, 1, 30, &o, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(r.n_truth, 0);
    /* a finding window before the truth window, inside tolerance */
    f = finding(FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS, 0, 8.5);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, &f, 1, 30, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND);
    fp_match_result_cleanup(&r);
}

static void test_match_targets_time_based(void)
{
    /* a method-level CPU truth: matched by the method's finding, else by a process episode */
    fp_truth t = truth(FP_KIND_CPU_SATURATION, 4, 10, 20, 7, 1.0);
    fp_finding f[2] = {finding(FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, 12, 18),
                       finding(FP_KIND_CPU_SATURATION, 4, 0, 30)};
    fp_match_result r;
    fp_error err = FP_ERROR_INIT;
    fp_match_result_init(&r);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, f, 2, 30, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_finding[0], 1); /* same target first, although overlap is equal */
    CU_ASSERT_EQUAL(r.finding_truth[0], -1);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, f, 1, 30, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_finding[0], 0); /* process fallback */
    /* a process-level truth is not matched by a method-level finding */
    t.target = FP_TARGET_PROCESS;
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, &t, 1, f + 1, 1, 30, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_MISSED);
    fp_match_result_cleanup(&r);
}

static void test_match_one_to_one(void)
{
    /* two CPU episodes, two findings: each finding takes the truth it overlaps most */
    fp_truth t[2] = {truth(FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, 10, 20, 0, 0),
                     truth(FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, 22, 40, 0, 0)};
    fp_finding f[3] = {finding(FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, 21, 39),
                       finding(FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, 11, 21),
                       finding(FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS, 10, 20)};
    fp_match_result r;
    fp_error err = FP_ERROR_INIT;
    t[0].extra_cpu_pct_s = 100;
    t[1].extra_cpu_pct_s = 100;
    fp_match_result_init(&r);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, t, 2, f, 3, 100, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_finding[1], 0); /* overlap 17 */
    CU_ASSERT_EQUAL(r.truth_finding[0], 2); /* overlap 10 beats finding 1's 9 */
    CU_ASSERT_EQUAL(r.finding_truth[1], -1);
    CU_ASSERT_EQUAL(r.found, 2);
    CU_ASSERT_EQUAL(r.false_alarms, 1);
    /* exact tie in overlap: the lower finding index wins */
    f[1] = f[2];
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, t, 2, f, 3, 100, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_finding[0], 1);
    CU_ASSERT_EQUAL(r.finding_truth[2], -1);
    /* one finding, two identical truths: only the first is found */
    t[1] = t[0];
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, t, 2, f + 2, 1, 100, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND);
    CU_ASSERT_EQUAL(r.truth_outcome[1], FP_TRUTH_MISSED);
    fp_match_result_cleanup(&r);
}

static void test_match_unobservable(void)
{
    fp_truth t[2] = {truth(FP_KIND_CALL_STORM, 1, 5, 5, 0, 0),
                     truth(FP_KIND_SLOW_METHOD, 1, 0, 3, 0, 0)};
    fp_finding f = finding(FP_KIND_CALL_STORM, 1, 0, 10);
    fp_match_result r;
    fp_error err = FP_ERROR_INIT;
    t[1].extra_s = 0.5; /* no affected call, but an effect: observable */
    CU_ASSERT(!fp_truth_observable(&t[0]));
    CU_ASSERT(fp_truth_observable(&t[1]));
    fp_match_result_init(&r);
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, t, 2, &f, 1, 10, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_UNOBSERVABLE);
    CU_ASSERT_EQUAL(r.truth_outcome[1], FP_TRUTH_MISSED);
    CU_ASSERT_EQUAL(r.finding_truth[0], -1); /* never matched to a truth without effect */
    CU_ASSERT_EQUAL(r.unobservable, 1);
    CU_ASSERT_EQUAL(r.missed, 1);
    CU_ASSERT_EQUAL(r.found, 0);
    CU_ASSERT_STRING_EQUAL(fp_truth_outcome_name(FP_TRUTH_UNOBSERVABLE), "not_observable");
    /* empty inputs */
    CU_ASSERT_EQUAL_FATAL(fp_match_findings(&r, NULL, 0, NULL, 0, 0, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.found + r.missed + r.unobservable + r.false_alarms, 0);
    fp_match_result_cleanup(&r);
}

static void test_match_run(void)
{
    fp_profile *p = make_run("checkout", 0);
    fp_analysis *a = analyse(p);
    fp_match_result r;
    fp_error err = FP_ERROR_INIT;
    size_t nf, i;
    const fp_finding *f = fp_analysis_findings(a, &nf);
    fp_match_result_init(&r);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&r, p, a, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(r.n_truth, 4);
    CU_ASSERT_EQUAL(r.n_findings, nf);
    CU_ASSERT_EQUAL(r.truth_outcome[0], FP_TRUTH_FOUND); /* slow generate_draft */
    CU_ASSERT_EQUAL(r.truth_outcome[1], FP_TRUTH_FOUND); /* leak */
    CU_ASSERT_EQUAL(r.truth_outcome[2], FP_TRUTH_MISSED);
    CU_ASSERT_EQUAL(r.truth_outcome[3], FP_TRUTH_UNOBSERVABLE);
    CU_ASSERT_DOUBLE_EQUAL(r.tolerance_s, 2.0, 0);
    CU_ASSERT_EQUAL(r.found, r.true_positives);
    for (i = 0; i < nf; i++)
        if (r.finding_truth[i] >= 0)
            CU_ASSERT_EQUAL(f[i].kind, fp_profile_truth(p)[r.finding_truth[i]].kind);
    fp_match_result_cleanup(&r);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* ---- suite quant ---- */

static void test_quant_exact(void)
{
    fp_qacc q;
    fp_qacc_init(&q);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_MED), 0, 0);
    CU_ASSERT_EQUAL(fp_qacc_add(&q, 3), FP_OK);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_P5), 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_MED), 3, 0);
    CU_ASSERT_EQUAL(fp_qacc_add(&q, 1), FP_OK);
    CU_ASSERT_EQUAL(fp_qacc_add(&q, 10), FP_OK);
    CU_ASSERT_EQUAL(fp_qacc_add(&q, 2), FP_OK);
    /* sorted 1 2 3 10: median at h = 1.5 -> 2.5; p5 at h = 0.15 -> 1.15; p95 at 2.85 -> 8.95 */
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_MED), 2.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_P5), 1.15, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_P95), 8.95, 1e-12);
    fp_qacc_cleanup(&q);
}

static void test_quant_streaming(void)
{
    /* 0..N-1 in a scrambled order (multiplicative hash, N prime): quantiles ~ p*(N-1) */
    const size_t n = 100003;
    fp_qacc q;
    fp_qacc_init(&q);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL_FATAL(fp_qacc_add(&q, (double)((i * 48271u) % n)), FP_OK);
    CU_ASSERT(q.streaming);
    CU_ASSERT_PTR_NULL(q.buf); /* memory no longer grows with n */
    CU_ASSERT_EQUAL(q.n, n);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_MED), 0.5 * (double)(n - 1), 0.01 * (double)n);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_P5), 0.05 * (double)(n - 1), 0.01 * (double)n);
    CU_ASSERT_DOUBLE_EQUAL(fp_qacc_get(&q, FP_Q_P95), 0.95 * (double)(n - 1), 0.01 * (double)n);
    fp_qacc_cleanup(&q);
}

static void test_quant_smap(void)
{
    fp_smap m;
    char key[32];
    fp_smap_init(&m);
    CU_ASSERT_EQUAL(fp_smap_get(&m, "x"), (size_t)-1);
    for (size_t i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "method_%zu", i);
        CU_ASSERT_EQUAL_FATAL(fp_smap_put(&m, key, i * 7), FP_OK);
    }
    for (size_t i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "method_%zu", i);
        CU_ASSERT_EQUAL(fp_smap_get(&m, key), i * 7);
    }
    CU_ASSERT_EQUAL(fp_smap_put(&m, "method_3", 5), FP_OK);
    CU_ASSERT_EQUAL(fp_smap_get(&m, "method_3"), 5);
    CU_ASSERT_EQUAL(m.n, 1000);
    fp_smap_cleanup(&m);
}

/* ---- suite layout ---- */

static char *render_table(const fp_tab *t, int markdown)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fp_doc d = {f, markdown, 0, FP_OK};
    CU_ASSERT_FATAL(f != NULL);
    fp_doc_table(&d, t);
    CU_ASSERT_EQUAL(d.st, FP_OK);
    fclose(f);
    return buf;
}

static void test_layout_alignment(void)
{
    static const char *const h[] = {"Method", "Calls", "Total s"};
    fp_tab t;
    char *out;
    fp_tab_init(&t, 3, h, "lrr");
    fp_tab_cell(&t, FP_STYLE_NONE, "short");
    fp_tab_cell(&t, FP_STYLE_NONE, "3");
    fp_tab_cell(&t, FP_STYLE_NONE, "1.500");
    fp_tab_cell(&t, FP_STYLE_NONE, "%s", LONG_NAME);
    fp_tab_cell(&t, FP_STYLE_NONE, "12345");
    fp_tab_cell(&t, FP_STYLE_NONE, "0.250");
    out = render_table(&t, 0);
    /* a name wider than FP_TEXT_CELL_MAX (32) is shortened in the middle, listed in full below */
    CU_ASSERT_STRING_EQUAL(out, "Method                            Calls  Total s\n"
                                "--------------------------------  -----  -------\n"
                                "short                                 3    1.500\n"
                                "a_very_long_met...characters_ok_  12345    0.250\n"
                                "a_very_long_met...characters_ok_ = " LONG_NAME "\n\n");
    free(out);
    fp_tab_cleanup(&t);
}

static void test_layout_markdown(void)
{
    static const char *const h[] = {"Name", "N"};
    fp_tab t;
    char *out;
    fp_tab_init(&t, 2, h, "lr");
    fp_tab_cell(&t, FP_STYLE_NONE, "%s", ODD_NAME);
    fp_tab_cell(&t, FP_STYLE_NONE, "7");
    fp_tab_cell(&t, FP_STYLE_NONE, "back\\slash");
    fp_tab_cell(&t, FP_STYLE_NONE, "10");
    out = render_table(&t, 1);
    CU_ASSERT_STRING_EQUAL(out, "| Name                     |   N |\n"
                                "| ------------------------ | --: |\n"
                                "| parse, \"quoted\" \\| piped |   7 |\n"
                                "| back\\\\slash              |  10 |\n\n");
    free(out);
    fp_tab_cleanup(&t);
}

static void test_layout_trailing_and_colour(void)
{
    static const char *const h[] = {"Metric", "Value", "Unit"};
    fp_tab t;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    fp_doc d;
    fp_tab_init(&t, 3, h, "lrl");
    fp_tab_cell(&t, FP_STYLE_RED, "Score");
    fp_tab_cell(&t, FP_STYLE_NONE, "12.0");
    fp_tab_cell(&t, FP_STYLE_NONE, "%s", ""); /* empty last cell: no trailing blanks */
    f = open_memstream(&buf, &len);
    d = (fp_doc){f, 0, 0, FP_OK};
    fp_doc_table(&d, &t);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "Metric  Value  Unit\n------  -----  ----\nScore    12.0\n\n");
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    d = (fp_doc){f, 0, 1, FP_OK};
    fp_doc_table(&d, &t);
    fclose(f);
    /* colour codes do not count towards the width */
    CU_ASSERT_STRING_EQUAL(buf, "\033[1mMetric\033[0m  \033[1mValue\033[0m  \033[1mUnit\033[0m\n"
                                "------  -----  ----\n"
                                "\033[31mScore\033[0m    12.0\n\n");
    free(buf);
    fp_tab_cleanup(&t);
}

static void test_layout_numbers(void)
{
    char b[64];
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, sizeof b, -0.0001, 2), "0.00");
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, sizeof b, NAN, 2), "n/a");
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, sizeof b, -INFINITY, 2), "n/a");
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, sizeof b, 2.345, 1), "2.3");
    /* too wide for the buffer in fixed form: exponent form, never a truncated digit string */
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, sizeof b, 3.7309e306, 3), "3.731e+306");
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, sizeof b, -5e200, 1), "-5e+200");
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, 12, 123456789.0, 3), "1.235e+08");
    CU_ASSERT_STRING_EQUAL(fp_fmt_fixed(b, 12, 1234.5, 3), "1234.500");
    CU_ASSERT_STRING_EQUAL(fp_fmt_exact(b, sizeof b, 0.1), "0.1");
    CU_ASSERT_STRING_EQUAL(fp_fmt_exact(b, sizeof b, -0.0), "0");
    CU_ASSERT_STRING_EQUAL(fp_fmt_exact(b, sizeof b, 1.0 / 3.0), "0.3333333333333333");
    CU_ASSERT_STRING_EQUAL(fp_fmt_exact(b, sizeof b, 9007199254740993.0), "9007199254740992");
    CU_ASSERT_STRING_EQUAL(fp_fmt_exact(b, sizeof b, INFINITY), "null");
    /* the compare, sweep and power documents' numbers: every digit, never "nan" or "inf" */
    CU_ASSERT_STRING_EQUAL(fp_fmt_g17(b, sizeof b, 0.1, "null"), "0.10000000000000001");
    CU_ASSERT_STRING_EQUAL(fp_fmt_g17(b, sizeof b, NAN, "null"), "null");
    CU_ASSERT_STRING_EQUAL(fp_fmt_g17(b, sizeof b, -INFINITY, ""), "");
    CU_ASSERT_STRING_EQUAL(fp_fmt_count(b, sizeof b, 2.0), "2");
    CU_ASSERT_STRING_EQUAL(fp_fmt_count(b, sizeof b, 2.5), "2.5");
    CU_ASSERT_EQUAL(fp_utf8_width("d\xc3\xa9j\xc3\xa0"), 4);
}

/* Durations in a unit that fits: 3 significant digits, units switch at 1000 (after rounding),
 * never an exponent, never "0.000 s" for a sub-millisecond value. */
static void test_layout_durations(void)
{
    char b[64];
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 0.0), "0 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, -0.0), "0 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 37.349), "37.3 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 4.075), "4.08 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 0.445), "445 ms");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 0.054), "54.0 ms");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 1.8e-5), "18.0 \xc2\xb5s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 2.5e-7), "250 ns");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 1e-6), "1.00 \xc2\xb5s");
    /* rounding up to 1000 of a unit moves to the next unit */
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 0.99996), "1.00 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 9.9996e-4), "1.00 ms");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 0.9994e-3), "999 \xc2\xb5s");
    /* large: all integer digits, no exponent */
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 1234.4), "1234 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 1e7), "10000000 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, -0.002), "-2.00 ms");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, NAN), "n/a");
    CU_ASSERT_STRING_EQUAL(fp_fmt_duration(b, sizeof b, 5e-13), "0.00 ns");
    /* values with a unit: durations through fp_fmt_duration, counts never in exponent form */
    CU_ASSERT_STRING_EQUAL(fp_fmt_measure(b, sizeof b, 2.0, "s"), "2.00 s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_measure(b, sizeof b, 123456.0, "calls"), "123456 calls");
    CU_ASSERT_STRING_EQUAL(fp_fmt_measure(b, sizeof b, 12345.6, "ops/s"), "12346 ops/s");
    CU_ASSERT_STRING_EQUAL(fp_fmt_measure(b, sizeof b, 2.968, ""), "2.968");
    CU_ASSERT_STRING_EQUAL(fp_fmt_measure(b, sizeof b, 50.25, "MB"), "50.25 MB");
}

/* One CSV rule for every writer: the report's fields and fp_put_csv (compare, validate) alike
 * quote a value with a leading or trailing space, as well as , " CR LF. */
static void test_layout_csv_one_rule(void)
{
    const char *in[] = {"plain", " lead", "trail ", "a,b", "q\"", "in side"};
    const char *want = "plain\" lead\"\"trail \"\"a,b\"\"q\"\"\"in side";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(f != NULL);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        fp_put_csv(f, in[i]);
        CU_ASSERT_EQUAL(fp_csv_needs_quotes(in[i]), i >= 1 && i <= 4);
    }
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, want);
    free(buf);
}

static void test_layout_csv_quoting(void)
{
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    fp_status st;
    char *out;
    o.detailed = 1;
    o.title = "t,\"1\"";
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    add_runs(r, "a, \"b\"", 1);
    out = render(fp_report_write_csv, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    /* the tidy shape: key columns, then one column per measure (calls is the 23rd measure) */
    CU_ASSERT(strncmp(out, "table,format_version,scenario,key,schema_version,", 49) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\r\nmeta,3,,,3,0.1.0,\"t,\"\"1\"\"\",,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out,
                                  "\r\nmethod,3,\"a, \"\"b\"\"\",\"parse, \"\"quoted\"\" | piped\","
                                  ",,,,,,,,,,,,,,,,,,,,,,3,"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(out, "\r\nmethod,3,\"a, \"\"b\"\"\"," LONG_NAME ",,,,,,,,,,,,,,,,,,,,,,,3,"));
    /* every record has the header's number of fields (commas outside quotes) and ends in CRLF */
    {
        int inq = 0, fields = 1, records = 0, header = 0;
        for (const char *p = out; *p; p++) {
            if (*p == '"')
                inq = !inq;
            else if (!inq && *p == ',')
                fields++;
            else if (!inq && *p == '\r') {
                CU_ASSERT_EQUAL(p[1], '\n');
                if (records == 0)
                    header = fields;
                CU_ASSERT_EQUAL(fields, header);
                fields = 1;
                records++;
                p++;
            } else if (!inq && *p == '\n')
                CU_FAIL("bare LF outside quotes");
        }
        CU_ASSERT(header > 90);
        CU_ASSERT(records > 15);
        CU_ASSERT_EQUAL(inq, 0);
    }
    free(out);
    fp_report_free(r);
}

static void test_layout_markdown_report(void)
{
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    fp_status st;
    char *out;
    o.detailed = 1;
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    add_runs(r, "pipe|scenario", 1);
    out = render(fp_report_write_markdown, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "## Scenario: pipe\\|scenario\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "| parse, \"quoted\" \\| piped "));
    CU_ASSERT_PTR_NULL(strstr(out, "quoted\" | piped"));
    free(out);
    fp_report_free(r);
}

/* Control bytes in names (from untrusted profiles and traces) never reach the output raw. */
static void test_layout_control_bytes(void)
{
    static const char *const h[] = {"Name", "N"};
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    fp_status st;
    fp_tab t;
    char *out;
    fp_tab_init(&t, 2, h, "lr");
    fp_tab_cell(&t, FP_STYLE_NONE, "%s", "a\033]0;x\007b\177c");
    fp_tab_cell(&t, FP_STYLE_NONE, "1");
    out = render_table(&t, 0);
    CU_ASSERT_STRING_EQUAL(out, "Name        N\n"
                                "----------  -\n"
                                "a ]0;x b c  1\n\n");
    free(out);
    fp_tab_cleanup(&t);
    for (int md = 0; md < 2; md++) {
        o.detailed = 1;
        r = fp_report_new(&o);
        CU_ASSERT_FATAL(r != NULL);
        add_runs(r, "esc\033[2J\rname", 1);
        out = render(md ? fp_report_write_markdown : fp_report_write_text, r, &st);
        CU_ASSERT_EQUAL(st, FP_OK);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "Scenario: esc [2J name\n"));
        for (const char *c = out; *c; c++)
            if ((unsigned char)*c < 0x20 && *c != '\n') {
                CU_FAIL("control byte in the report");
                break;
            }
        free(out);
        fp_report_free(r);
    }
}

/* ---- suite golden ---- */

static fp_report *golden_report(fp_report_format fmt, int detailed, int colour)
{
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    o.format = fmt;
    o.detailed = detailed;
    o.colour = colour;
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    add_runs(r, "checkout", 1);
    {
        /* guards of a recorded run: only the OpenMetrics format shows them, so the other
         * formats' goldens are those of a report without them */
        static const fp_report_guard g[2] = {
            {"max-rss", "bytes", "warn", 524288000.0, 2, 0.5, 629145600.0},
            {"max-time", "seconds", "warn", 90.0, 0, 0.0, 0.0}};
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_FATAL(fp_report_set_guards(r, g, 2, &err) == FP_OK);
    }
    add_runs(r, "checkout-batch", 3);
    return r;
}

static void golden_case(fp_report_format fmt, int detailed, const char *name)
{
    fp_report *r = golden_report(fmt, detailed, 0);
    fp_status st;
    char *out = render(fp_report_write, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    golden(name, out);
    CU_ASSERT(!has_nonfinite_word(out));
    /* same inputs, same bytes */
    {
        fp_report *r2 = golden_report(fmt, detailed, 0);
        char *out2 = render(fp_report_write, r2, &st);
        CU_ASSERT_STRING_EQUAL(out, out2);
        free(out2);
        fp_report_free(r2);
    }
    free(out);
    fp_report_free(r);
}

static void test_golden_text(void)
{
    golden_case(FP_REPORT_TEXT, 0, "reports_summary.txt");
}

static void test_golden_text_detailed(void)
{
    golden_case(FP_REPORT_TEXT, 1, "reports_detailed.txt");
}

static void test_golden_markdown(void)
{
    golden_case(FP_REPORT_MARKDOWN, 1, "reports_detailed.md");
}

static void test_golden_json(void)
{
    golden_case(FP_REPORT_JSON, 1, "reports_detailed.json");
}

static void test_golden_csv(void)
{
    golden_case(FP_REPORT_CSV, 1, "reports_detailed.csv");
}

static void test_golden_html(void)
{
    golden_case(FP_REPORT_HTML, 1, "reports_detailed.html");
}

static void test_golden_openmetrics(void)
{
    golden_case(FP_REPORT_OPENMETRICS, 1, "reports_detailed.prom");
}

/* The exposition's shape, whatever the numbers: HELP then TYPE once per family, each family's
 * samples together and named after it, no blank line, # EOF last; and the guards' values. */
static void test_golden_openmetrics_shape(void)
{
    fp_report *r = golden_report(FP_REPORT_OPENMETRICS, 1, 0);
    fp_status st;
    char *out = render(fp_report_write, r, &st), *save = NULL;
    char fam[128] = "", seen[64][128];
    size_t n_seen = 0, len;
    CU_ASSERT_EQUAL(st, FP_OK);
    len = strlen(out);
    CU_ASSERT_FATAL(len > 6);
    CU_ASSERT_STRING_EQUAL(out + len - 6, "# EOF\n");
    CU_ASSERT_PTR_NULL(strstr(out, "\n\n"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(out, "\nfpsim_guard_limit{scenario=\"checkout\",guard=\"max-rss\",unit=\"bytes\"} "
                    "524288000\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nfpsim_guard_breaches_total{scenario=\"checkout\","
                                       "guard=\"max-time\",action=\"warn\"} 0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nfpsim_guard_first_breach_seconds{scenario=\"checkout\","
                                       "guard=\"max-rss\"} 0.5\n"));
    CU_ASSERT_PTR_NULL(strstr(out, "fpsim_guard_first_breach_seconds{scenario=\"checkout\","
                                   "guard=\"max-time\"}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nfpsim_runs{scenario=\"checkout-batch\"} 3\n"));
    for (char *line = strtok_r(out, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0) {
            size_t k = strcspn(line + 7, " ");
            CU_ASSERT_FATAL(k < sizeof fam && n_seen < 64);
            memcpy(fam, line + 7, k);
            fam[k] = '\0';
            for (size_t i = 0; i < n_seen; i++)
                CU_ASSERT_STRING_NOT_EQUAL(seen[i], fam); /* one HELP per family */
            strcpy(seen[n_seen++], fam);
            CU_ASSERT_EQUAL(strncmp(fam, "fpsim_", 6), 0);
        } else if (strncmp(line, "# TYPE ", 7) == 0) {
            CU_ASSERT_EQUAL(strncmp(line + 7, fam, strlen(fam)), 0);
            CU_ASSERT_EQUAL(line[7 + strlen(fam)], ' ');
        } else if (strcmp(line, "# EOF") != 0) {
            /* a sample of the current family: its name, or name_sum / name_count */
            size_t k = strcspn(line, "{ ");
            CU_ASSERT(fam[0] != '\0' && strncmp(line, fam, strlen(fam)) == 0 &&
                      (k == strlen(fam) || strncmp(line + strlen(fam), "_sum", 4) == 0 ||
                       strncmp(line + strlen(fam), "_count", 6) == 0));
        }
    }
    CU_ASSERT(n_seen >= 15);
    free(out);
    fp_report_free(r);
}

/* Label values through the one escaper: \\ \" \n escaped, control bytes as spaces, invalid
 * UTF-8 as U+FFFD; valid UTF-8 kept. */
static void test_outputs_openmetrics_escaper(void)
{
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    fp_status st;
    char *out;
    o.format = FP_REPORT_OPENMETRICS;
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    add_runs(r, "a\"b\\c\nd\te\xff\xc3\xa9", 1);
    out = render(fp_report_write, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(out, "\nfpsim_runs{scenario=\"a\\\"b\\\\c\\nd e\xef\xbf\xbd\xc3\xa9\"} 1\n"));
    free(out);
    fp_report_free(r);
}

static void test_golden_content(void)
{
    /* facts the goldens must show, checked independently of their exact bytes */
    fp_report *r = golden_report(FP_REPORT_TEXT, 1, 0);
    fp_status st;
    char *out = render(fp_report_write, r, &st);
    const char *cmp;
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "seed 42, rng mt19937, GSL 2.7, fpsim "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "The detail below shows run 0, the first of the 3 runs"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not observable"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "missed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "found (finding #"));
    cmp = strstr(out, "\nComparison\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cmp);
    CU_ASSERT_PTR_NOT_NULL(strstr(cmp, "geometric mean"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cmp, "Best score: "));
    /* text shows medians only (issue 11: the table fits in 100 columns); the ranges are in each
     * scenario's summary, which the line above the table says */
    CU_ASSERT_PTR_NOT_NULL(strstr(cmp, "checkout-batch  "));
    CU_ASSERT_PTR_NULL(strstr(cmp, " ["));
    CU_ASSERT_PTR_NOT_NULL(strstr(cmp, "each scenario's summary above gives the 5-95 % range"));
    /* no line ends with a blank */
    CU_ASSERT_PTR_NULL(strstr(out, " \n"));
    free(out);
    /* colour only when asked */
    fp_report_free(r);
    r = golden_report(FP_REPORT_TEXT, 1, 1);
    out = render(fp_report_write, r, &st);
    CU_ASSERT_PTR_NOT_NULL(strchr(out, '\033'));
    free(out);
    fp_report_free(r);
    r = golden_report(FP_REPORT_MARKDOWN, 1, 1);
    out = render(fp_report_write, r, &st);
    CU_ASSERT_PTR_NULL(strchr(out, '\033'));
    free(out);
    fp_report_free(r);
}

/* ---- suite degenerate ---- */

static void check_all_formats(fp_profile *p, const char *scenario)
{
    static const fp_report_format fmts[] = {FP_REPORT_TEXT, FP_REPORT_JSON, FP_REPORT_MARKDOWN,
                                            FP_REPORT_CSV};
    fp_analysis *a = analyse(p);
    fp_error err = FP_ERROR_INIT;
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        for (int det = 0; det < 2; det++) {
            fp_report_options o = FP_REPORT_OPTIONS_INIT;
            fp_report *r;
            fp_status st;
            char *out;
            o.format = fmts[i];
            o.detailed = det;
            r = fp_report_new(&o);
            CU_ASSERT_FATAL(r != NULL);
            /* two scenarios, so that the comparison and geometric means are written too */
            for (int s = 0; s < 2; s++) {
                CU_ASSERT_FATAL(fp_report_begin_scenario(r, scenario, 0, NULL, NULL, &err) ==
                                FP_OK);
                CU_ASSERT_FATAL(fp_report_add_run(r, p, a, &err) == FP_OK);
                CU_ASSERT_FATAL(fp_report_add_run(r, p, a, &err) == FP_OK);
            }
            out = render(fp_report_write, r, &st);
            CU_ASSERT_EQUAL(st, FP_OK);
            CU_ASSERT_PTR_NOT_NULL(out);
            if (has_nonfinite_word(out)) {
                fprintf(stderr, "non-finite word in:\n%s\n", out);
                CU_FAIL("NaN or Inf printed");
            }
            if (fmts[i] != FP_REPORT_CSV)
                CU_ASSERT(strstr(out, "n/a") != NULL || strstr(out, "null") != NULL);
            free(out);
            fp_report_free(r);
        }
    }
    fp_analysis_free(a);
}

static void test_degenerate_empty(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    check_all_formats(p, "empty");
    fp_profile_free(p);
}

static void test_degenerate_zero_span(void)
{
    fp_profile *p = fp_profile_new();
    uint32_t m;
    fp_span s;
    fp_truth t = truth(FP_KIND_SLOW_METHOD, 0, 0, 0, 1, 0);
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_FATAL(fp_profile_set_meta(p, "zero", 1, 0, "mt19937", "2.7", "simulated", 1) ==
                    FP_OK);
    CU_ASSERT_FATAL(fp_profile_intern_method(p, "noop", &m) == FP_OK);
    s = span(m, -1, 0, 0);
    CU_ASSERT_FATAL(fp_profile_add_span(p, &s, NULL) == FP_OK);
    CU_ASSERT_FATAL(fp_profile_add_truth(p, &t) == FP_OK);
    check_all_formats(p, "zero");
    fp_profile_free(p);
}

static void test_degenerate_no_runs(void)
{
    /* a scenario begun but never run, next to one with runs: comparison shows n/a for it */
    static fp_status (*const fns[])(const fp_report *, FILE *, fp_error *) = {
        fp_report_write_text, fp_report_write_json, fp_report_write_markdown, fp_report_write_csv};
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_error err = FP_ERROR_INIT;
    fp_report *r;
    o.detailed = 1;
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_FATAL(fp_report_begin_scenario(r, "never", 3, "mt19937", "2.7", &err) == FP_OK);
    add_runs(r, "once", 1);
    for (size_t i = 0; i < 4; i++) {
        fp_status st;
        char *out = render(fns[i], r, &st);
        CU_ASSERT_EQUAL(st, FP_OK);
        CU_ASSERT(!has_nonfinite_word(out));
        if (i == 0) {
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "No runs."));
            const char *row = strstr(out, "\nnever  ");
            CU_ASSERT_PTR_NOT_NULL_FATAL(row);
            CU_ASSERT_PTR_NOT_NULL(strstr(row, " n/a"));
            CU_ASSERT(strstr(row, " n/a") < strchr(row + 1, '\n'));
        }
        if (i == 1)
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"summary\":\tnull"));
        free(out);
    }
    fp_report_free(r);
}

/* ---- suite api ---- */

static void test_api_formats(void)
{
    fp_report_format f = FP_REPORT_TEXT;
    CU_ASSERT_EQUAL(fp_report_format_from_name("json", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_REPORT_JSON);
    CU_ASSERT_EQUAL(fp_report_format_from_name("md", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_REPORT_MARKDOWN);
    CU_ASSERT_EQUAL(fp_report_format_from_name("markdown", &f), FP_OK);
    CU_ASSERT_EQUAL(fp_report_format_from_name("csv", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_REPORT_CSV);
    CU_ASSERT_EQUAL(fp_report_format_from_name("html", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_REPORT_HTML);
    CU_ASSERT_STRING_EQUAL(fp_report_format_name(FP_REPORT_HTML), "html");
    CU_ASSERT_EQUAL(fp_report_format_from_name("openmetrics", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_REPORT_OPENMETRICS);
    CU_ASSERT_STRING_EQUAL(fp_report_format_name(FP_REPORT_OPENMETRICS), "openmetrics");
    CU_ASSERT_PTR_NULL(fp_report_format_name((fp_report_format)(FP_REPORT_OPENMETRICS + 1)));
    CU_ASSERT_EQUAL(fp_report_format_from_name("text", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_REPORT_TEXT);
    CU_ASSERT_EQUAL(fp_report_format_from_name("xml", &f), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_report_format_from_name("JSON", &f), FP_EINVAL);
    CU_ASSERT_EQUAL(f, FP_REPORT_TEXT);
    CU_ASSERT_STRING_EQUAL(fp_report_format_name(FP_REPORT_MARKDOWN), "markdown");
    CU_ASSERT_PTR_NULL(fp_report_format_name((fp_report_format)9));
}

static void test_api_errors(void)
{
    fp_report *r = fp_report_new(NULL);
    fp_profile *p = make_run("x", 0);
    fp_analysis *a = analyse(p);
    fp_error err = FP_ERROR_INIT;
    FILE *full;
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_EQUAL(fp_report_add_run(r, p, a, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "report: a run was added before any scenario");
    {
        fp_report_guard g = {"max-rss", "bytes", "warn", 1.0, 0, 0.0, 0.0};
        CU_ASSERT_EQUAL(fp_report_set_guards(r, &g, 1, &err), FP_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.msg, "report: guards were set before any scenario");
    }
    CU_ASSERT_EQUAL(fp_report_scenario_count(r), 0);
    CU_ASSERT_EQUAL(fp_report_begin_scenario(r, "x", 1, "mt19937", "2.7", &err), FP_OK);
    CU_ASSERT_EQUAL(fp_report_add_run(r, p, a, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_report_scenario_count(r), 1);
    {
        fp_report_guard g = {"max-rss", "bytes", "warn", HUGE_VAL, 0, 0.0, 0.0};
        CU_ASSERT_EQUAL(fp_report_set_guards(r, &g, 1, &err), FP_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.msg, "report: guard 0 is incomplete");
        g.limit = 1.0;
        g.unit = NULL;
        CU_ASSERT_EQUAL(fp_report_set_guards(r, &g, 1, &err), FP_EINVAL);
    }
    /* a write error is reported, in every format */
    full = fopen("/dev/full", "w");
    if (full != NULL) {
        fp_status (*fns[])(const fp_report *, FILE *, fp_error *) = {
            fp_report_write_text, fp_report_write_json, fp_report_write_markdown,
            fp_report_write_csv, fp_report_write_openmetrics};
        setvbuf(full, NULL, _IONBF, 0);
        for (size_t i = 0; i < 5; i++) {
            clearerr(full);
            CU_ASSERT_EQUAL(fns[i](r, full, &err), FP_EIO);
        }
        fclose(full);
    }
    fp_report_free(r);
    fp_report_free(NULL);
    fp_analysis_free(a);
    fp_profile_free(p);
}

static void test_api_alloc_failures(void)
{
    /* fail the N-th allocation for N = 1, 2, ... until the whole report succeeds */
    fp_profile *p[2] = {make_run("a", 0), make_run("a", 1)};
    fp_analysis *a[2] = {analyse(p[0]), analyse(p[1])};
    int ok = 0;
    for (unsigned long n = 1; n < 100000 && !ok; n++) {
        fp_report_options o = FP_REPORT_OPTIONS_INIT;
        fp_error err = FP_ERROR_INIT;
        fp_report *r;
        fp_status st = FP_OK;
        char *buf = NULL;
        size_t len = 0;
        FILE *f;
        o.detailed = 1;
        o.title = "t";
        fp_alloc_fail_after(n);
        r = fp_report_new(&o);
        if (r == NULL) {
            fp_alloc_fail_after(0);
            continue;
        }
        for (int s = 0; s < 2 && st == FP_OK; s++) {
            st = fp_report_begin_scenario(r, s ? "b" : "a", 1, "mt19937", "2.7", &err);
            for (int i = 0; i < 2 && st == FP_OK; i++)
                st = fp_report_add_run(r, p[i], a[i], &err);
            if (st == FP_OK) {
                static const fp_report_guard g = {"max-time", "seconds", "kill", 2.0, 1, 2.5, 2.5};
                st = fp_report_set_guards(r, &g, 1, &err);
            }
        }
        if (st == FP_OK) {
            f = open_memstream(&buf, &len);
            for (int fmt = 0; fmt < 5 && st == FP_OK; fmt++) {
                static fp_status (*const fns[])(const fp_report *, FILE *, fp_error *) = {
                    fp_report_write_text, fp_report_write_json, fp_report_write_markdown,
                    fp_report_write_csv, fp_report_write_openmetrics};
                st = fns[fmt](r, f, &err);
            }
            fclose(f);
            free(buf);
        }
        fp_alloc_fail_after(0);
        if (st == FP_OK)
            ok = 1;
        else
            CU_ASSERT_EQUAL(st, FP_ENOMEM);
        fp_report_free(r);
    }
    CU_ASSERT(ok);
    for (int i = 0; i < 2; i++) {
        fp_analysis_free(a[i]);
        fp_profile_free(p[i]);
    }
}

static void test_api_many_runs_bounded(void)
{
    /* runs beyond the exact limit switch to streaming quantiles; the detail stays run 0 */
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    fp_profile *p[2] = {make_run("many", 0), make_run("many", 1)};
    fp_analysis *a[2] = {analyse(p[0]), analyse(p[1])};
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    char *out;
    o.detailed = 1;
    o.format = FP_REPORT_JSON;
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_FATAL(fp_report_begin_scenario(r, "many", 7, "mt19937", "2.7", &err) == FP_OK);
    for (size_t i = 0; i < 2 * FP_REPORT_EXACT_RUNS + 10; i++)
        CU_ASSERT_EQUAL_FATAL(fp_report_add_run(r, p[i % 2], a[i % 2], &err), FP_OK);
    out = render(fp_report_write, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"quantiles\":\t\"p2\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"runs\":\t1034"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"run_index\":\t0"));
    CU_ASSERT(!has_nonfinite_word(out));
    free(out);
    fp_report_free(r);
    for (int i = 0; i < 2; i++) {
        fp_analysis_free(a[i]);
        fp_profile_free(p[i]);
    }
}

/* ---- suite outputs: the one JSON escaper and names in the validate/compare documents ---- */

/* Every byte 1..127 through the one escaper: short forms, \u00XX for other controls and DEL. */
static void test_outputs_json_escaper(void)
{
    char in[128], *q, *buf = NULL;
    size_t len = 0;
    for (int i = 1; i < 128; i++)
        in[i - 1] = (char)i;
    in[127] = '\0';
    q = fp_json_quote(in);
    CU_ASSERT_FATAL(q != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "\"\\u0001\\u0002"));
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e"));
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "\\u001f !\\\"#"));
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "[\\\\]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(q, "}~\\u007f\""));
    for (const char *c = q; *c; c++)
        CU_ASSERT((unsigned char)*c >= 0x20 && (unsigned char)*c != 0x7f);
    /* The stream form writes the same bytes, and a JSON parser reads the string back. */
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(f != NULL);
    fp_json_put_string(f, in);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, q);
    cJSON *j = cJSON_Parse(q);
    CU_ASSERT_FATAL(j != NULL);
    CU_ASSERT(cJSON_IsString(j) && strcmp(j->valuestring, in) == 0);
    cJSON_Delete(j);
    free(buf);
    fp_free(q);
    q = fp_json_quote("");
    CU_ASSERT_STRING_EQUAL(q, "\"\"");
    fp_free(q);
}

/* Invalid UTF-8 becomes \ufffd per bad byte; well-formed multi-byte sequences pass unchanged. */
static void test_outputs_json_escaper_utf8(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},                                   /* 2 bytes */
        {"\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\""}, /* 3, 4 */
        {"a\xff"
         "b",
         "\"a\\ufffdb\""},                                        /* never valid */
        {"\x80", "\"\\ufffd\""},                                  /* stray continuation */
        {"x\xc3", "\"x\\ufffd\""},                                /* truncated at the end */
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                       /* overlong '/' */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},            /* a surrogate */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *q = fp_json_quote(cases[i].in), *buf = NULL;
        size_t len = 0;
        CU_ASSERT_FATAL(q != NULL);
        CU_ASSERT_STRING_EQUAL(q, cases[i].out);
        FILE *f = open_memstream(&buf, &len);
        CU_ASSERT_FATAL(f != NULL);
        fp_json_put_string(f, cases[i].in);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(buf, q);
        cJSON *j = cJSON_Parse(q);
        CU_ASSERT(j != NULL && cJSON_IsString(j));
        cJSON_Delete(j);
        free(buf);
        fp_free(q);
    }
}

#define ESC_NAME "esc\033]0;x\007name\r\n|_"

static void add_compare_run(fp_compare *c, fp_side side, fp_profile *p, double dur)
{
    fp_error err = FP_ERROR_INIT;
    uint32_t m = 0;
    fp_span s;
    fp_profile_reset(p);
    CU_ASSERT_FATAL(fp_profile_set_meta(p, "t", 1, 0, "", "", "test", 0) == FP_OK);
    CU_ASSERT_FATAL(fp_profile_intern_method(p, ESC_NAME, &m) == FP_OK);
    for (int i = 0; i < 10; i++) {
        s = span(m, -1, i, dur);
        CU_ASSERT_FATAL(fp_profile_add_span(p, &s, NULL) == FP_OK);
    }
    CU_ASSERT_FATAL(fp_compare_add_run(c, side, p, &err) == FP_OK);
}

static char *render_compare(const fp_compare *c, fp_report_format fmt)
{
    static const fp_report_compare_side sides[2] = {{"base\033[2Jdir", 0, 0}, {"new\tdir", 1, 42}};
    char *buf = NULL;
    size_t len = 0;
    fp_error err = FP_ERROR_INIT;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fp_report_write_compare(f, fmt, c, sides, NULL, &err), FP_OK);
    fclose(f);
    return buf;
}

/* A method (and source) name with control bytes: escaped in JSON, data in CSV, spaces in text and
 * Markdown; compare wrote the raw ESC bytes to the terminal before. */
static void test_outputs_compare_control_bytes(void)
{
    fp_compare *c = NULL;
    fp_profile *p = fp_profile_new();
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_FATAL(fp_compare_new(&c, NULL, &err) == FP_OK);
    for (int k = 0; k < 10; k++) {
        add_compare_run(c, FP_SIDE_BASE, p, 1.0 + 0.01 * k);
        add_compare_run(c, FP_SIDE_NEW, p, 2.0 + 0.01 * k);
    }
    CU_ASSERT_FATAL(fp_compare_finish(c, &err) == FP_OK);
    for (int fmt = FP_REPORT_TEXT; fmt <= FP_REPORT_CSV; fmt++) {
        char *out = render_compare(c, (fp_report_format)fmt);
        CU_ASSERT_FATAL(out != NULL);
        if (fmt == FP_REPORT_CSV) {
            /* Data: the name as is, quoted because it holds CR and LF. */
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "method,3,\"" ESC_NAME "\",s,"));
        } else {
            for (const char *ch = out; *ch; ch++)
                if (((unsigned char)*ch < 0x20 && *ch != '\n') || *ch == 0x7f) {
                    CU_FAIL("control byte in the compare output");
                    break;
                }
        }
        if (fmt == FP_REPORT_TEXT) {
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "  BASE base [2Jdir (10 runs)\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "  NEW  new dir (10 runs, seed 42)\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  esc ]0;x name  |_       "));
        } else if (fmt == FP_REPORT_MARKDOWN) {
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "| esc ]0;x name  \\|\\_ |"));
        } else if (fmt == FP_REPORT_JSON) {
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"name\": \"esc\\u001b]0;x\\u0007name\\r\\n|_\""));
            CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"source\": \"base\\u001b[2Jdir\""));
            cJSON *j = cJSON_Parse(out);
            CU_ASSERT(j != NULL);
            cJSON_Delete(j);
        }
        free(out);
    }
    fp_compare_free(c);
    fp_profile_free(p);
}

/* Markdown names stay literal text on CommonMark/GFM: a C++ name is not an HTML tag, a backquote
 * does not open a code span, * and _ do not emphasise, | does not split a table cell. */
static void test_outputs_markdown_escaper(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"std::vector<int>::push_back", "std::vector\\<int\\>::push\\_back"},
        {"a|b`c*d\\e", "a\\|b\\`c\\*d\\\\e"},
        {"<script>", "\\<script\\>"},
        {"plain.name(x)", "plain.name(x)"},
        {"tab\there", "tab here"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CU_ASSERT_FATAL(f != NULL);
        fp_put_md(f, cases[i].in);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
        free(buf);
    }
}

/* The HTML escaper: markup characters as entities, control bytes as spaces, valid UTF-8 kept and
 * invalid bytes (which a strict XML parser refuses) as U+FFFD. */
static void test_outputs_html_escaper(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"std::vector<int>::push_back", "std::vector&lt;int&gt;::push_back"},
        {"a&b\"c'd", "a&amp;b&quot;c&#39;d"},
        {"<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"},
        {"tab\there\n\033[2J\177", "tab here  [2J "},
        {"caf\xc3\xa9 \xe2\x86\x92", "caf\xc3\xa9 \xe2\x86\x92"},
        {"bad\xff\xc3(", "bad\xef\xbf\xbd\xef\xbf\xbd("},
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},   /* a surrogate */
        {"\xf5\x80\x80!", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!"}, /* no lead byte */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CU_ASSERT_FATAL(f != NULL);
        fp_put_html(f, cases[i].in);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
        free(buf);
    }
}

/* The HTML report writes a hostile scenario name escaped everywhere, and no script. */
static void test_outputs_html_report(void)
{
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    fp_status st;
    char *out;
    o.format = FP_REPORT_HTML;
    o.detailed = 1;
    r = fp_report_new(&o);
    CU_ASSERT_FATAL(r != NULL);
    add_runs(r, "<b>x</b>&\"'", 2);
    add_runs(r, "second", 1);
    out = render(fp_report_write, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NULL(strstr(out, "<b>x"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "&lt;b&gt;x&lt;/b&gt;&amp;&quot;&#39;"));
    CU_ASSERT_PTR_NULL(strstr(out, "<script"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "id=\"s0-timeline\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "id=\"s0-icicle\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "id=\"s0-methods\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "id=\"cmp-score\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "<pre>"));
    free(out);
    fp_report_free(r);
}

/* The report JSON writes names with the same escaper as every other JSON output. */
static void test_outputs_report_json_escaper(void)
{
    fp_report *r = fp_report_new(NULL);
    fp_status st;
    char *out, *q = fp_json_quote("esc\033[2J\177name");
    CU_ASSERT_FATAL(r != NULL && q != NULL);
    add_runs(r, "esc\033[2J\177name", 1);
    out = render(fp_report_write_json, r, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, q)); /* DEL as \u007f: cJSON wrote it raw */
    free(out);
    fp_free(q);
    fp_report_free(r);
}

/* Tables pad by display width: CJK takes 2 columns, combining marks 0 (issue 11). */
static void test_layout_display_width(void)
{
    static const char *const h[] = {"Method", "Calls"};
    static const char *const names[] = {
        "\xe6\x95\xb0\xe6\x8d\xae\xe5\x8a\xa0\xe8\xbd\xbd", /* 数据加载 */
        "gr\xc3\xb6\xc3\x9f"
        "e_berechnen",            /* größe_berechnen */
        "e\xcc\x81tape_suivante", /* e + U+0301 COMBINING ACUTE */
        "plain"};
    CU_ASSERT_EQUAL(fp_utf8_width(names[0]), 8);
    CU_ASSERT_EQUAL(fp_utf8_width(names[1]), 15);
    CU_ASSERT_EQUAL(fp_utf8_width(names[2]), 14);
    CU_ASSERT_EQUAL(fp_utf8_width("\xff\xfe"), 2);     /* invalid bytes: 1 each */
    CU_ASSERT_EQUAL(fp_utf8_width("\xef\xbc\xa1"), 2); /* U+FF21 FULLWIDTH A */
    CU_ASSERT_EQUAL(fp_utf8_width("\xea\xb0\x80"), 2); /* U+AC00 Hangul */
    CU_ASSERT_EQUAL(fp_utf8_width("a\xe2\x80\x8b"
                                  "b"),
                    2); /* U+200B zero width space */
    fp_tab t;
    fp_tab_init(&t, 2, h, "lr");
    for (size_t i = 0; i < 4; i++) {
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", names[i]);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", 10 * i + 1);
    }
    char *out = render_table(&t, 0);
    /* every line (header, rule, rows) ends in the same display column */
    size_t lines = 0;
    for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n"), lines++)
        CU_ASSERT_EQUAL(fp_utf8_width(line), 22); /* 15 (widest name) + 2 + 5 ("Calls") */
    CU_ASSERT_EQUAL(lines, 6);
    free(out);
    fp_tab_cleanup(&t);
    /* the same padding for the fixed-width columns of compare and validate */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fp_put_text_pad(f, names[0], 10);
    fputc('|', f);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "\xe6\x95\xb0\xe6\x8d\xae\xe5\x8a\xa0\xe8\xbd\xbd  |");
    free(buf);
}

/* Long names are shortened in the middle, never inside a character. */
static void test_layout_shorten(void)
{
    char b[128];
    CU_ASSERT_STRING_EQUAL(fp_utf8_shorten(b, sizeof b, "abcdefghijklmnopqrstuvwxyz", 10),
                           "abcd...xyz");
    CU_ASSERT_STRING_EQUAL(fp_utf8_shorten(b, sizeof b, "short", 10), "short");
    CU_ASSERT_STRING_EQUAL(fp_utf8_shorten(b, sizeof b, "exactly_10", 10), "exactly_10");
    /* 12 CJK characters (24 columns) into 10: head "数据" (4), "...", tail "载" (2) */
    fp_utf8_shorten(b, sizeof b,
                    "\xe6\x95\xb0\xe6\x8d\xae\xe5\x8a\xa0\xe8\xbd\xbd\xe6\x95\xb0\xe6\x8d\xae"
                    "\xe5\x8a\xa0\xe8\xbd\xbd\xe6\x95\xb0\xe6\x8d\xae\xe5\x8a\xa0\xe8\xbd\xbd",
                    10);
    CU_ASSERT_STRING_EQUAL(b, "\xe6\x95\xb0\xe6\x8d\xae...\xe8\xbd\xbd");
    CU_ASSERT(fp_utf8_width(b) <= 10);
    /* a combining mark stays with its base: "abcé" + ... keeps the U+0301 */
    fp_utf8_shorten(b, sizeof b, "abce\xcc\x81ghijklmnopqrstuvwxyz", 11);
    CU_ASSERT_STRING_EQUAL(b, "abce\xcc\x81...wxyz");
    CU_ASSERT(fp_utf8_width(b) <= 11);
}

int fp_test_register(void)
{
    static const fp_test_case match[] = {{"kind_and_method", test_match_kind_and_method},
                                         {"window_tolerance", test_match_window_tolerance},
                                         {"targets_time_based", test_match_targets_time_based},
                                         {"one_to_one", test_match_one_to_one},
                                         {"unobservable", test_match_unobservable},
                                         {"run", test_match_run},
                                         {NULL, NULL}};
    static const fp_test_case quant[] = {{"exact", test_quant_exact},
                                         {"streaming", test_quant_streaming},
                                         {"smap", test_quant_smap},
                                         {NULL, NULL}};
    static const fp_test_case layout[] = {{"alignment", test_layout_alignment},
                                          {"markdown_table", test_layout_markdown},
                                          {"trailing_and_colour", test_layout_trailing_and_colour},
                                          {"numbers", test_layout_numbers},
                                          {"durations", test_layout_durations},
                                          {"csv_quoting", test_layout_csv_quoting},
                                          {"csv_one_rule", test_layout_csv_one_rule},
                                          {"markdown_report", test_layout_markdown_report},
                                          {"control_bytes", test_layout_control_bytes},
                                          {"display_width", test_layout_display_width},
                                          {"shorten", test_layout_shorten},
                                          {NULL, NULL}};
    static const fp_test_case gold[] = {{"text", test_golden_text},
                                        {"text_detailed", test_golden_text_detailed},
                                        {"markdown", test_golden_markdown},
                                        {"json", test_golden_json},
                                        {"csv", test_golden_csv},
                                        {"html", test_golden_html},
                                        {"openmetrics", test_golden_openmetrics},
                                        {"openmetrics_shape", test_golden_openmetrics_shape},
                                        {"content", test_golden_content},
                                        {NULL, NULL}};
    static const fp_test_case degenerate[] = {{"empty", test_degenerate_empty},
                                              {"zero_span", test_degenerate_zero_span},
                                              {"no_runs", test_degenerate_no_runs},
                                              {NULL, NULL}};
    static const fp_test_case api[] = {{"formats", test_api_formats},
                                       {"errors", test_api_errors},
                                       {"alloc_failures", test_api_alloc_failures},
                                       {"many_runs", test_api_many_runs_bounded},
                                       {NULL, NULL}};
    static const fp_test_case outputs[] = {
        {"json_escaper", test_outputs_json_escaper},
        {"json_escaper_utf8", test_outputs_json_escaper_utf8},
        {"compare_control_bytes", test_outputs_compare_control_bytes},
        {"report_json_escaper", test_outputs_report_json_escaper},
        {"markdown_escaper", test_outputs_markdown_escaper},
        {"html_escaper", test_outputs_html_escaper},
        {"html_report", test_outputs_html_report},
        {"openmetrics_escaper", test_outputs_openmetrics_escaper},
        {NULL, NULL}};
    if (fp_test_add_suite("outputs", outputs) || fp_test_add_suite("match", match) ||
        fp_test_add_suite("quant", quant) || fp_test_add_suite("layout", layout) ||
        fp_test_add_suite("golden", gold) || fp_test_add_suite("degenerate", degenerate) ||
        fp_test_add_suite("api", api))
        return -1;
    return 0;
}
