/*
 * test_baseline.c - the baseline model (learning, quantiles), its file (round trip, the strict
 * reader's exact errors) and the analysis against it (a x2 slowdown found, a method that always
 * takes 7 s a known hotspot, no baseline = fp_analyze()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_sim.h"
#include "fp_test.h"
#include "fp_validate.h"

static fp_scenario *load(const char *rel)
{
    char path[1024];
    fp_scenario *scn = NULL;
    fp_error err = FP_ERROR_INIT;
    snprintf(path, sizeof path, "%s/%s", FP_SOURCE_DIR, rel);
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_file(&scn, path, &err), FP_OK);
    return scn;
}

static fp_baseline *learn(const fp_scenario *scn, uint64_t runs)
{
    fp_baseline *b = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_learn_baseline(&b, scn, NULL, 42, runs, NULL, NULL, NULL, &err), FP_OK);
    return b;
}

static void test_learn(void)
{
    fp_scenario *scn = load("scenarios/cpu-intensive.yaml");
    fp_baseline *b = learn(scn, 20);
    const fp_baseline_dist *d;
    CU_ASSERT_EQUAL(fp_baseline_runs(b), 20);
    CU_ASSERT_EQUAL(fp_baseline_method_count(b), 12);
    d = fp_baseline_method_dist(b, "quality_gate_check", FP_BM_SELF_S);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n, 20);
    /* lognormal, median 0.4 s, 18 calls: the per-run mean own time is near 0.41 s */
    CU_ASSERT(d->q[4] > 0.35 && d->q[4] < 0.5);
    for (size_t j = 1; j < FP_BASELINE_NQ; j++)
        CU_ASSERT(d->q[j] >= d->q[j - 1]);
    d = fp_baseline_method_dist(b, "quality_gate_check", FP_BM_CALLS);
    FP_ASSERT_NEAR(d->q[0], 18.0, 1e-12);
    FP_ASSERT_NEAR(d->q[8], 18.0, 1e-12);
    CU_ASSERT_PTR_NULL(fp_baseline_method_dist(b, "no_such_method", FP_BM_SELF_S));
    d = fp_baseline_run_dist(b, FP_BR_DURATION_S);
    CU_ASSERT(d->n == 20 && d->q[4] > 60 && d->q[4] < 90);
    /* a different seed gives a different (independent) sample */
    fp_baseline *b2 = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_validate_learn_baseline(&b2, scn, NULL, 43, 20, NULL, NULL, NULL, &err),
                    FP_OK);
    CU_ASSERT(fp_baseline_run_dist(b2, FP_BR_DURATION_S)->q[4] != d->q[4]);
    fp_baseline_free(b2);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

static void test_test(void)
{
    fp_baseline_dist d = {30, {0.9, 0.92, 0.94, 0.97, 1.0, 1.03, 1.06, 1.08, 1.1}};
    double p, r;
    fp_baseline_test(&d, 1.0, &p, &r);
    CU_ASSERT(p > 0.4 && p < 0.6);
    FP_ASSERT_NEAR(r, 1.0, 1e-12);
    fp_baseline_test(&d, 2.0, &p, &r);
    CU_ASSERT(p < 1e-6);
    FP_ASSERT_NEAR(r, 2.0, 1e-12);
    /* a median of 0: any positive value is far above */
    fp_baseline_dist z = {30, {0}};
    fp_baseline_test(&z, 5.0, &p, &r);
    CU_ASSERT(p < 1e-6 && r > 1e6);
}

/* The upper tail decides a one-sided test: a right-skewed distribution (the mean of a Pareto
 * method's calls) whose quartiles are tight but whose 90th and 95th percentiles are far out
 * has the wider scale of its upper tail; a log-symmetric one keeps its quartiles' scale. */
static void test_tail_aware(void)
{
    fp_baseline_dist skew = {30, {0.145, 0.148, 0.151, 0.153, 0.164, 0.178, 0.212, 0.216, 0.39}};
    fp_baseline_dist sym = {30, {0.8, 0.85, 0.9, 0.935, 1.0, 1.07, 1.1, 1.12, 1.2}};
    double p, r, p_iqr;
    /* 0.249 s is 1.5x the median: p ~ 1e-4 on the quartiles alone (scale 0.11), ~0.02 on the
     * upper tail's scale (0.18) */
    fp_baseline_test(&skew, 0.249, &p, &r);
    p_iqr =
        1.0 - gsl_cdf_tdist_P(
                  log(0.249 / 0.164) / (log(0.178 / 0.153) / 1.349 * sqrt(1.0 + 1.0 / 30.0)), 29.0);
    CU_ASSERT(p_iqr < 1e-3);
    CU_ASSERT(p > 0.005 && p < 0.05);
    /* symmetric: p of 1.4 as the quartiles say (the tail percentiles imply a narrower scale) */
    fp_baseline_test(&sym, 1.4, &p, &r);
    p_iqr = 1.0 -
            gsl_cdf_tdist_P(log(1.4) / (log(1.07 / 0.935) / 1.349 * sqrt(1.0 + 1.0 / 30.0)), 29.0);
    FP_ASSERT_NEAR(p, p_iqr, 1e-6 * p_iqr);
}

/* tail_ratio (the largest call over the median) is a maximum: its log is tested on a Gumbel
 * tail, far heavier than a normal's, so a 10x jump of a heavy-tailed method's largest call is
 * unusual but not beyond a per-run Bonferroni cut, while a normal test calls it impossible. */
static void test_tail_ratio_gumbel(void)
{
    fp_baseline_dist d = {30, {2.69, 2.74, 3.03, 3.47, 6.28, 8.5, 12.8, 26.3, 106}};
    double p_norm, p_gum, r;
    fp_baseline_test(&d, 70.0, &p_norm, &r);
    fp_baseline_test_metric(FP_BM_TAIL_RATIO, &d, 70.0, &p_gum, &r);
    FP_ASSERT_NEAR(r, 70.0 / 6.28, 1e-9);
    CU_ASSERT(p_norm < 2e-3);
    CU_ASSERT(p_gum > 3.0 * p_norm && p_gum < 0.05);
    /* at the median: a Gumbel's median, p = 0.5 */
    fp_baseline_test_metric(FP_BM_TAIL_RATIO, &d, 6.28, &p_gum, &r);
    FP_ASSERT_NEAR(p_gum, 0.5, 1e-9);
    /* the other metrics keep fp_baseline_test() */
    fp_baseline_test_metric(FP_BM_SELF_S, &d, 70.0, &p_gum, &r);
    FP_ASSERT_NEAR(p_gum, p_norm, 1e-15);
}

/* Replaces every `from` in `text` by `to` (no longer than `from`), in place; the count. */
/* Every method's and run metric's learnt distribution of `c` is `b`'s, bit for bit (same order). */
static void expect_same_dists(const fp_baseline *b, const fp_baseline *c)
{
    for (size_t i = 0; i < fp_baseline_method_count(b); i++) {
        const char *nm = fp_baseline_method_name(b, i);
        CU_ASSERT_STRING_EQUAL(nm, fp_baseline_method_name(c, i));
        for (int k = 0; k < FP_BM_COUNT; k++)
            CU_ASSERT(memcmp(fp_baseline_method_dist(b, nm, k), fp_baseline_method_dist(c, nm, k),
                             sizeof(fp_baseline_dist)) == 0);
    }
    for (int k = 0; k < FP_BR_COUNT; k++)
        CU_ASSERT(memcmp(fp_baseline_run_dist(b, k), fp_baseline_run_dist(c, k),
                         sizeof(fp_baseline_dist)) == 0);
}

static size_t replace_all(char *text, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), count = 0;
    char *at = text;
    while ((at = strstr(at, from)) != NULL) {
        memcpy(at, to, nt);
        memmove(at + nt, at + nf, strlen(at + nf) + 1);
        at += nt;
        count++;
    }
    return count;
}

/* A version-4 file's text (fp_baseline_write_json()) as the version-3 writer spelt it: the
 * per-call means under their old keys, one of each per method. */
static void to_version3(char *text, size_t methods)
{
    CU_ASSERT_EQUAL(replace_all(text, "\"version\": 4,", "\"version\": 3,"), 1);
    CU_ASSERT_EQUAL(replace_all(text, "\"self_mean_s\":", "\"self_s\":"), methods);
    CU_ASSERT_EQUAL(replace_all(text, "\"alloc_mean_mb\":", "\"alloc_mb\":"), methods);
    CU_ASSERT_EQUAL(replace_all(text, "\"retained_mean_mb\":", "\"retained_mb\":"), methods);
}

/* Version 4 names the per-call means as the report does (self_mean_s, alloc_mean_mb,
 * retained_mean_mb); the same baseline spelt as version 3 (self_s, alloc_mb, retained_mb) reads
 * to the same distributions. */
static void test_version3_keys(void)
{
    fp_scenario *scn = load("scenarios/optimal.yaml");
    fp_baseline *b = learn(scn, 8), *c = NULL;
    fp_error err = FP_ERROR_INIT;
    char *text = NULL;
    size_t len = 0, nm = fp_baseline_method_count(b);
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_STRING_EQUAL(fp_baseline_metric_key(FP_BM_SELF_S), "self_mean_s");
    CU_ASSERT_STRING_EQUAL(fp_baseline_metric_key(FP_BM_ALLOC_MB), "alloc_mean_mb");
    CU_ASSERT_STRING_EQUAL(fp_baseline_metric_key(FP_BM_RETAINED_MB), "retained_mean_mb");
    CU_ASSERT_STRING_EQUAL(fp_baseline_metric_key(FP_BM_CALLS), "calls");
    CU_ASSERT_PTR_NULL(fp_baseline_metric_key(FP_BM_COUNT));
    CU_ASSERT_EQUAL_FATAL(fp_baseline_write_json(b, f, &err), FP_OK);
    fclose(f);
    CU_ASSERT_FATAL(nm > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"version\": 4,"));
    CU_ASSERT_PTR_NULL(strstr(text, "\"self_s\""));
    /* the version-4 keys in a version-3 file are refused, and the version-3 keys in version 4 */
    CU_ASSERT_EQUAL(replace_all(text, "\"version\": 4,", "\"version\": 3,"), 1);
    CU_ASSERT_EQUAL(fp_baseline_read_json(&c, text, strlen(text), "b.json", &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.key_path, "methods[0].self_mean_s");
    CU_ASSERT_EQUAL(replace_all(text, "\"version\": 3,", "\"version\": 4,"), 1);
    to_version3(text, nm);
    CU_ASSERT_EQUAL(replace_all(text, "\"version\": 3,", "\"version\": 4,"), 1);
    fp_error_clear(&err);
    CU_ASSERT_EQUAL(fp_baseline_read_json(&c, text, strlen(text), "b.json", &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.key_path, "methods[0].self_s");
    CU_ASSERT_EQUAL(replace_all(text, "\"version\": 4,", "\"version\": 3,"), 1);
    fp_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(fp_baseline_read_json(&c, text, strlen(text), "b.json", &err), FP_OK);
    CU_ASSERT_EQUAL(fp_baseline_method_count(c), nm);
    expect_same_dists(b, c);
    free(text);
    fp_baseline_free(c);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

static void test_roundtrip(void)
{
    fp_scenario *scn = load("scenarios/optimal.yaml");
    fp_baseline *b = learn(scn, 8), *c = NULL;
    fp_error err = FP_ERROR_INIT;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_EQUAL_FATAL(fp_baseline_write_json(b, f, &err), FP_OK);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(fp_baseline_read_json(&c, text, len, "b.json", &err), FP_OK);
    CU_ASSERT_EQUAL(fp_baseline_runs(c), 8);
    CU_ASSERT_EQUAL(fp_baseline_method_count(c), fp_baseline_method_count(b));
    expect_same_dists(b, c);
    free(text);
    fp_baseline_free(c);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

#define Q9 "[0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]"
#define D9 "{\"n\": 3, \"q\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}"
#define RUN                                                                                        \
    "{\"duration_s\": " D9 ", \"mem_level_mb\": " D9 ", \"mem_slope_mb_s\": " D9                   \
    ", \"mem_noise_mb\": " D9 ", \"cpu_level_pct\": " D9 ", \"cpu_slope_pct_s\": " D9              \
    ", \"cpu_noise_pct\": " D9 "}"
#define METHOD(name)                                                                               \
    "{\"name\": \"" name "\", \"self_s\": " D9 ", \"calls\": " D9 ", \"alloc_mb\": " D9            \
    ", \"retained_mb\": " D9 ", \"cpu_pct\": " D9 ", \"io_ops\": " D9 ", \"tail_frac\": " D9       \
    ", \"tail_ratio\": " D9 "}"
#define METHOD_SELF(self)                                                                          \
    "{\"name\": \"a\", \"self_s\": " self ", \"calls\": " D9 ", \"alloc_mb\": " D9                 \
    ", \"retained_mb\": " D9 ", \"cpu_pct\": " D9 ", \"io_ops\": " D9 ", \"tail_frac\": " D9       \
    ", \"tail_ratio\": " D9 "}"
#define HEAD "{\"format\": \"fpsim-baseline\", \"version\": 2, \"runs\": 3, \"quantiles\": " Q9
#define HEAD3 "{\"format\": \"fpsim-baseline\", \"version\": 3, \"runs\": 3, \"quantiles\": " Q9
#define RUN3                                                                                       \
    "{\"duration_s\": " D9 ", \"mem_level_mb\": " D9 ", \"mem_slope_mb_s\": " D9                   \
    ", \"mem_noise_mb\": " D9 ", \"cpu_level_pct\": " D9 ", \"cpu_slope_pct_s\": " D9              \
    ", \"cpu_noise_pct\": " D9 ", \"cpu_episode_max_core_s\": " D9                                 \
    ", \"cpu_episode_total_core_s\": " D9 ", \"mem_tail_slope_mb_s\": " D9                         \
    ", \"mem_tail_growth_mb\": " D9 ", \"mem_peak_over_mb\": " D9 "}"

static void test_reader_errors(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD("a") "]}", NULL},
        {"{\"format\": \"fpsim-baseline\",\n \"version\": 1,,}",
         "b.json:2:16: error: malformed JSON: unexpected '}'"},
        {"[]", "b.json: error: a baseline must be a JSON object"},
        {"{\"format\": \"x\"}", "b.json: error: format must be \"fpsim-baseline\" (format)"},
        {"{\"format\": \"fpsim-baseline\", \"version\": 1}",
         "b.json: error: unsupported baseline version (2 to 4 are supported) (version)"},
        {"{\"format\": \"fpsim-baseline\", \"version\": 5}",
         "b.json: error: unsupported baseline version (2 to 4 are supported) (version)"},
        {"{\"format\": \"fpsim-baseline\", \"version\": 3.5}",
         "b.json: error: unsupported baseline version (2 to 4 are supported) (version)"},
        /* version 3 needs the process-level run metrics; version 2 must not have them */
        {HEAD3 ", \"run\": " RUN ", \"methods\": []}",
         "b.json: error: missing key 'cpu_episode_max_core_s' (run.cpu_episode_max_core_s)"},
        {HEAD3 ", \"run\": " RUN3 ", \"methods\": [" METHOD("a") "]}", NULL},
        {HEAD ", \"run\": " RUN3 ", \"methods\": []}",
         "b.json: error: unknown key 'cpu_episode_max_core_s' (run.cpu_episode_max_core_s)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [], \"extra\": 1}",
         "b.json: error: unknown key 'extra' (extra)"},
        {HEAD ", \"methods\": []}", "b.json: error: missing key 'run' (run)"},
        {HEAD ", \"run\": " RUN ", \"methods\": {}}",
         "b.json: error: methods must be an array (methods)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD("a") ", " METHOD("a") "]}",
         "b.json: error: method 'a' given twice (methods[1].name)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD("") "]}",
         "b.json: error: methods[0].name must be a non-empty string (methods[0].name)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD_SELF("1") "]}",
         "b.json: error: methods[0].self_s must be an object (methods[0].self_s)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD_SELF(
             "{\"n\": 3, \"q\": [1, 1, 1, 1, 1, 1, 1, 1, 1], \"x\": 1}") "]}",
         "b.json: error: unknown key 'x' (methods[0].self_s.x)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD_SELF(
             "{\"n\": -1, \"q\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}") "]}",
         "b.json: error: methods[0].self_s.n must be a non-negative integer (methods[0].self_s.n)"},
        {HEAD ", \"run\": " RUN ", \"methods\": [" METHOD_SELF(
             "{\"n\": 3, \"q\": [1, 1, 1, 1, 1, 1, 1, \"1\", 1]}") "]}",
         "b.json: error: methods[0].self_s.q must be an array of 9 numbers (methods[0].self_s.q)"},
        {HEAD ", \"run\": {\"duration_s\": {\"n\": 1.5, \"q\": [1,1,1,1,1,1,1,1,1]}}, "
              "\"methods\": []}",
         "b.json: error: missing key 'mem_level_mb' (run.mem_level_mb)"},
        {"{\"format\": \"fpsim-baseline\", \"version\": 2, \"runs\": \"3\", \"quantiles\": " Q9
         ", \"run\": " RUN ", \"methods\": []}",
         "b.json: error: runs must be a non-negative integer (runs)"},
        {"{\"format\": \"fpsim-baseline\", \"version\": 2, \"runs\": 3, \"quantiles\": [0.5], "
         "\"run\": " RUN ", \"methods\": []}",
         "b.json: error: quantiles must be the 9 levels 0.01 .. 0.99 (quantiles)"},
        {HEAD ", \"run\": {\"duration_s\": {\"n\": 3, \"q\": [2, 1, 1, 1, 1, 1, 1, 1, 1]}, "
              "\"mem_level_mb\": " D9 ", \"mem_slope_mb_s\": " D9 ", \"mem_noise_mb\": " D9
              ", \"cpu_level_pct\": " D9 ", \"cpu_slope_pct_s\": " D9 ", \"cpu_noise_pct\": " D9
              "}, \"methods\": []}",
         "b.json: error: run.duration_s.q must be non-decreasing (run.duration_s.q)"},
        {HEAD ", \"run\": {\"duration_s\": {\"n\": 1.5, \"q\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}, "
              "\"mem_level_mb\": " D9 ", \"mem_slope_mb_s\": " D9 ", \"mem_noise_mb\": " D9
              ", \"cpu_level_pct\": " D9 ", \"cpu_slope_pct_s\": " D9 ", \"cpu_noise_pct\": " D9
              "}, \"methods\": []}",
         "b.json: error: run.duration_s.n must be a non-negative integer (run.duration_s.n)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fp_baseline *b = NULL;
        fp_error err = FP_ERROR_INIT;
        char got[600];
        fp_status st =
            fp_baseline_read_json(&b, cases[i].text, strlen(cases[i].text), "b.json", &err);
        if (cases[i].want == NULL) {
            CU_ASSERT_EQUAL(st, FP_OK);
            CU_ASSERT_PTR_NOT_NULL(b);
        } else {
            CU_ASSERT_NOT_EQUAL(st, FP_OK);
            CU_ASSERT_PTR_NULL(b);
            fp_error_format(&err, got, sizeof got);
            if (strcmp(got, cases[i].want) != 0)
                fprintf(stderr, "\ncase %zu: got '%s'\n     want '%s'\n", i, got, cases[i].want);
            CU_ASSERT_STRING_EQUAL(got, cases[i].want);
        }
        fp_baseline_free(b);
    }
}

/* Findings of `kind` on method `name` in `a`, and whether one has rule "baseline". */
static size_t count(const fp_analysis *a, fp_kind kind, const char *name, int *by_baseline)
{
    size_t n, c = 0;
    const fp_finding *f = fp_analysis_findings(a, &n);
    *by_baseline = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].kind == kind && strcmp(f[i].target_name, name) == 0) {
            c++;
            *by_baseline |= strcmp(f[i].rule, "baseline") == 0;
        }
    return c;
}

static fp_profile *simulate(const fp_scenario *scn, int force, uint64_t run)
{
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    fp_error err = FP_ERROR_INIT;
    o.force_bottlenecks = force;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, scn, &o, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 42, run, p, &err), FP_OK);
    fp_sim_free(sim);
    return p;
}

/* Every baseline finding of `a` is costed like its kind's detector (docs/analysis.md "Cost"),
 * with the baseline median in place of the budget: its saving is the excess over the median in
 * the kind's unit (at most that: fp_analysis_costs() may scale savings down together), its cost
 * the saving as a share of the run's total of the resource, impact 100 + 30 log10(cost).
 * Returns how many it checked. */
static size_t check_costs(const fp_analysis *a)
{
    size_t n, nm, i, checked = 0;
    const fp_finding *f = fp_analysis_findings(a, &n);
    const fp_method_metrics *ms = fp_analysis_methods(a, &nm);
    const fp_run_metrics *run = fp_analysis_run(a);
    for (i = 0; i < n; i++) {
        const fp_method_metrics *m;
        double med, x, e, want, total;
        const char *unit, *key;
        char lead[256];
        if (strcmp(f[i].rule, "baseline") != 0)
            continue;
        CU_ASSERT_FATAL(f[i].target >= 0 && (size_t)f[i].target < nm);
        m = &ms[f[i].target];
        CU_ASSERT_STRING_EQUAL(f[i].evidence[0].name, "baseline_median");
        med = f[i].evidence[0].value;
        x = f[i].measured;
        e = 1.0 - med / x;
        total = run->duration_s;
        switch (f[i].kind) {
        case FP_KIND_SLOW_METHOD:
            want = m->path_s * e, unit = "s";
            key = "self_mean_s";
            break;
        case FP_KIND_CALL_STORM:
            want = (m->total_s < run->duration_s ? m->total_s : run->duration_s) * e, unit = "s";
            key = "calls";
            break;
        case FP_KIND_IO_HEAVY:
            want = m->self_s * e, unit = "s";
            key = "io_ops";
            break;
        case FP_KIND_MEMORY_HOTSPOT:
            want = x - med, unit = "MB", total = run->peak_mem_mb;
            key = "alloc_mean_mb";
            break;
        case FP_KIND_MEMORY_LEAK:
            want = (x - med) * (double)m->calls, unit = "MB", total = run->peak_mem_mb;
            key = "retained_mean_mb";
            break;
        case FP_KIND_CPU_SATURATION:
            want = m->self_s * (x - med) / 100.0, unit = "core-s";
            key = "cpu_pct";
            total = (run->cores >= 1 ? run->cores : 1.0) * run->duration_s;
            break;
        case FP_KIND_LATENCY_OUTLIERS:
        default:
            CU_FAIL("a baseline finding of a kind the baseline does not test");
            continue;
        }
        CU_ASSERT_STRING_EQUAL(f[i].improvement_unit, unit);
        /* the root cause names the metric by its file key (a per-call mean's: *_mean_*) */
        snprintf(lead, sizeof lead, "%s of '%s' is ", key, m->name);
        CU_ASSERT(strncmp(f[i].root_cause, lead, strlen(lead)) == 0);
        CU_ASSERT(f[i].improvement > 0);
        CU_ASSERT(f[i].improvement <= want * (1 + 1e-9));
        if (n == 1) /* nothing to share a cap with */
            FP_ASSERT_NEAR(f[i].improvement, want, 1e-9 * want);
        FP_ASSERT_NEAR(f[i].cost, f[i].improvement / total > 1 ? 1 : f[i].improvement / total,
                       1e-12);
        FP_ASSERT_NEAR(f[i].impact, fmax(0.0, 100.0 + 30.0 * log10(f[i].cost)), 1e-9);
        CU_ASSERT_EQUAL(f[i].severity, fp_severity_from_impact(f[i].impact));
        checked++;
    }
    return checked;
}

/* Plants below the absolute MDE of four kinds: found only against the baseline, and costed. */
static void test_costs(void)
{
    static const char *const files[] = {"tests/data/unlike/mde-call-storm-below.yaml",
                                        "tests/data/unlike/mde-io-heavy-below.yaml",
                                        "tests/data/unlike/mde-memory-hotspot-below.yaml",
                                        "tests/data/unlike/mde-memory-leak-below.yaml"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        fp_scenario *scn = load(files[k]);
        fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
        fp_error err = FP_ERROR_INIT;
        size_t checked = 0;
        for (uint64_t run = 0; run < 3; run++) {
            fp_profile *inj = simulate(scn, 1, run);
            fp_analysis *a = NULL;
            CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, inj, NULL, b, &err), FP_OK);
            checked += check_costs(a);
            fp_analysis_free(a);
            fp_profile_free(inj);
        }
        if (checked < 3)
            fprintf(stderr, "\n%s: %zu baseline findings in 3 runs\n", files[k], checked);
        CU_ASSERT(checked >= 3);
        fp_baseline_free(b);
        fp_scenario_free(scn);
    }
}

/* An absolute finding whose metric is beyond normal costs its excess over the baseline median:
 * cpu-intensive's generate_draft normally runs at ~66 % CPU, so its injected ~98 % costs the
 * ~32 points above that (the truth's extra core-seconds), not the ~90 above the process
 * background that the detector alone measures (which made it outrank a costlier slowdown). */
static void test_absolute_excess(void)
{
    fp_scenario *scn = load("scenarios/cpu-intensive.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
    fp_error err = FP_ERROR_INIT;
    size_t checked = 0;
    for (uint64_t run = 0; run < 3; run++) {
        fp_profile *inj = simulate(scn, 1, run);
        fp_analysis *a = NULL, *an = NULL; /* with the baseline, and without: today's */
        size_t nt = fp_profile_truth_count(inj), nf = 0, nfn = 0;
        const fp_truth *t = fp_profile_truth(inj);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, inj, NULL, b, &err), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&an, inj, NULL, NULL, &err), FP_OK);
        const fp_finding *f = fp_analysis_findings(a, &nf), *fn = fp_analysis_findings(an, &nfn);
        for (size_t i = 0; i < nf; i++) {
            if (f[i].kind != FP_KIND_CPU_SATURATION || strcmp(f[i].rule, "method_pct") != 0)
                continue;
            for (size_t k = 0; k < nt; k++) {
                if (t[k].kind != FP_KIND_CPU_SATURATION || t[k].target != f[i].target)
                    continue;
                double truth = t[k].extra_cpu_pct_s / 100.0;
                CU_ASSERT(f[i].improvement > 0.8 * truth && f[i].improvement < 1.25 * truth);
                for (size_t j = 0; j < nfn; j++)
                    if (fn[j].kind == f[i].kind && fn[j].target == f[i].target)
                        CU_ASSERT(fn[j].improvement > 1.1 * truth &&
                                  fabs(fn[j].improvement - truth) >
                                      2.0 * fabs(f[i].improvement - truth));
                checked++;
            }
        }
        fp_analysis_free(a);
        fp_analysis_free(an);
        fp_profile_free(inj);
    }
    CU_ASSERT(checked >= 2);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

/* A breach in another currency than its baseline metric (bimodal-latency's lookup: over the
 * slow_method budget by its share of the critical path, a fraction, and normal by its own time
 * per call, in s) names the metric, the run's value and every baseline number in the metric's
 * unit: no fraction read against seconds. */
static void test_known_currency(void)
{
    fp_scenario *scn = load("tests/data/unlike/bimodal-latency.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
    fp_error err = FP_ERROR_INIT;
    size_t mixed = 0;
    for (uint64_t run = 0; run < 3; run++) {
        fp_profile *p = simulate(scn, 0, run);
        fp_analysis *a = NULL;
        size_t n = 0;
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, p, NULL, b, &err), FP_OK);
        const fp_known_hotspot *h = fp_analysis_known_hotspots(a, &n);
        for (size_t i = 0; i < n; i++) {
            if (h[i].kind != FP_KIND_SLOW_METHOD || strcmp(h[i].unit, "fraction") != 0)
                continue;
            char want[128];
            CU_ASSERT(strstr(h[i].text, "fraction), normal for this flow: own time per call ") !=
                      NULL);
            snprintf(want, sizeof want, "baseline median %.3g s, p99 %.3g s over 30 runs",
                     h[i].baseline_median, h[i].baseline_p99);
            CU_ASSERT(strstr(h[i].text, want) != NULL);
            CU_ASSERT(h[i].baseline_median < 0.5); /* seconds per call, not the 0.9 share */
            mixed++;
        }
        fp_analysis_free(a);
        fp_profile_free(p);
    }
    CU_ASSERT(mixed >= 2);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

static void test_slowdown_found(void)
{
    fp_scenario *scn = load("tests/data/unlike/baseline-slowdown.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
    fp_error err = FP_ERROR_INIT;
    int bb;
    for (uint64_t run = 0; run < 5; run++) {
        fp_profile *inj = simulate(scn, 1, run), *clean = simulate(scn, 0, run);
        fp_analysis *a = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, inj, NULL, b, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_SLOW_METHOD, "score_item", &bb), 1);
        CU_ASSERT_EQUAL(fp_analysis_baseline_runs(a), FP_BASELINE_AUTO_RUNS);
        fp_analysis_free(a);
        /* the same run without the injection: nothing */
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, clean, NULL, b, &err), FP_OK);
        size_t n;
        fp_analysis_findings(a, &n);
        CU_ASSERT_EQUAL(n, 0);
        fp_analysis_free(a);
        fp_profile_free(inj);
        fp_profile_free(clean);
    }
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

static void test_known_hotspot(void)
{
    fp_scenario *scn = load("tests/data/unlike/baseline-always-7s.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
    fp_profile *p = simulate(scn, 0, 0);
    fp_error err = FP_ERROR_INIT;
    fp_analysis *a = NULL, *a0 = NULL, *an = NULL;
    size_t n, n0, nn;
    int bb;
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a0, p, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(count(a0, FP_KIND_SLOW_METHOD, "render_report", &bb), 1);
    CU_ASSERT_PTR_NULL(fp_analysis_known_hotspots(a0, &n0));
    CU_ASSERT_EQUAL(n0, 0);
    CU_ASSERT_EQUAL(fp_analysis_baseline_runs(a0), 0);
    CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, p, NULL, b, &err), FP_OK);
    CU_ASSERT_EQUAL(count(a, FP_KIND_SLOW_METHOD, "render_report", &bb), 0);
    const fp_known_hotspot *h = fp_analysis_known_hotspots(a, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(h[0].kind, FP_KIND_SLOW_METHOD);
    CU_ASSERT_STRING_EQUAL(h[0].target_name, "render_report");
    CU_ASSERT(h[0].baseline_median > 6 && h[0].baseline_median < 8);
    CU_ASSERT(strstr(h[0].text, "normal for this flow") != NULL);
    /* one currency: the breach in seconds, the baseline median and p99 in seconds too */
    CU_ASSERT(strstr(h[0].text, "s > 2 s), normal for this flow: baseline median ") != NULL);
    CU_ASSERT(strstr(h[0].text, " s over 30 runs") != NULL);
    /* a known hotspot costs nothing: no finding, no score points */
    CU_ASSERT(fp_analysis_score(a) > fp_analysis_score(a0));
    /* no baseline: exactly fp_analyze() */
    CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&an, p, NULL, NULL, &err), FP_OK);
    const fp_finding *f0 = fp_analysis_findings(a0, &n0), *fn = fp_analysis_findings(an, &nn);
    CU_ASSERT_EQUAL(n0, nn);
    for (size_t i = 0; i < n0 && i < nn; i++)
        CU_ASSERT(f0[i].kind == fn[i].kind && f0[i].impact == fn[i].impact);
    FP_ASSERT_NEAR(fp_analysis_score(a0), fp_analysis_score(an), 0);
    fp_analysis_free(a);
    fp_analysis_free(a0);
    fp_analysis_free(an);
    fp_profile_free(p);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

/* The latency tail: a stable second mode the baseline has (8 % cache misses ~20x slower) is
 * normal for the flow (a known hotspot, not a finding), while rare large outliers planted on a
 * method whose baseline has no tail are still found, as latency_outliers, not slow_method. */
static void test_tails(void)
{
    fp_scenario *scn = load("tests/data/unlike/bimodal-latency.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
    const fp_baseline_dist *d = fp_baseline_method_dist(b, "lookup", FP_BM_TAIL_FRAC);
    fp_error err = FP_ERROR_INIT;
    size_t absolute = 0, known = 0, n, run;
    int bb;

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n, FP_BASELINE_AUTO_RUNS);
    CU_ASSERT(d->q[4] > 0.04 && d->q[4] < 0.12); /* the 8 % miss mode, above 3x the median */
    d = fp_baseline_method_dist(b, "lookup", FP_BM_TAIL_RATIO);
    CU_ASSERT(d->q[4] > 10 && d->q[4] < 30); /* misses about 20x a hit */
    /* handle_batch has 5 calls, under latency_outliers.min_calls: no tail learnt */
    CU_ASSERT_EQUAL(fp_baseline_method_dist(b, "handle_batch", FP_BM_TAIL_FRAC)->n, 0);
    for (run = 0; run < 10; run++) {
        fp_profile *p = simulate(scn, 0, run);
        fp_analysis *a0 = NULL, *a = NULL;
        const fp_known_hotspot *h;
        size_t i;
        CU_ASSERT_EQUAL_FATAL(fp_analyze(&a0, p, NULL, &err), FP_OK);
        absolute += count(a0, FP_KIND_LATENCY_OUTLIERS, "lookup", &bb);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, p, NULL, b, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_LATENCY_OUTLIERS, "lookup", &bb), 0);
        CU_ASSERT_EQUAL(count(a, FP_KIND_SLOW_METHOD, "lookup", &bb), 0);
        h = fp_analysis_known_hotspots(a, &n);
        for (i = 0; i < n; i++)
            known += h[i].kind == FP_KIND_LATENCY_OUTLIERS;
        fp_analysis_free(a0);
        fp_analysis_free(a);
        fp_profile_free(p);
    }
    CU_ASSERT(absolute >= 8); /* without a baseline the mode is outliers in most runs */
    CU_ASSERT_EQUAL(known, absolute);
    fp_baseline_free(b);
    fp_scenario_free(scn);

    /* 10 % of 'target's calls 14x slower, on a log-normal body: found in every run */
    scn = load("tests/data/unlike/mde-latency-outliers-above.yaml");
    b = learn(scn, FP_BASELINE_AUTO_RUNS);
    for (run = 0; run < 5; run++) {
        fp_profile *p = simulate(scn, 1, run);
        fp_analysis *a = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, p, NULL, b, &err), FP_OK);
        const fp_finding *f = fp_analysis_findings(a, &n);
        CU_ASSERT_EQUAL(count(a, FP_KIND_LATENCY_OUTLIERS, "target", &bb), 1);
        /* the outliers make 'target' most of the critical path: that slow_method is their
         * consequence (analysis/fp_analysis.c root-cause rules), never a finding of its own */
        for (size_t i = 0; i < n; i++)
            CU_ASSERT(f[i].kind != FP_KIND_SLOW_METHOD || f[i].caused_by != 0);
        fp_analysis_free(a);
        fp_profile_free(p);
    }
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

/* ---- process-level metrics (fp_baseline_proc_metrics()) on constructed series ---- */

#define PROC_N 40

/* One call of 'work' over the whole 40 s window (10 % CPU, no memory: it explains nothing) and
 * a 40-sample series at 1 s, memory 100 MB and CPU 20 %, to be shaped by each test. */
static fp_profile *proc_profile(double **mem, double **cpu)
{
    fp_profile *p = fp_profile_new();
    double *ops, *bytes;
    uint32_t m = 0;
    fp_span s;
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "work", &m), FP_OK);
    memset(&s, 0, sizeof s);
    s.method = m;
    s.parent = -1;
    s.dur_s = PROC_N;
    s.cpu_pct = 10;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, PROC_N, 1.0, mem, cpu, &ops, &bytes), FP_OK);
    for (size_t k = 0; k < PROC_N; k++) {
        (*mem)[k] = 100.0;
        (*cpu)[k] = 20.0;
    }
    return p;
}

static void proc_metrics(const fp_profile *p, fp_baseline_proc *out)
{
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_baseline_proc_metrics(p, NULL, out, &err), FP_OK);
    /* every metric measured: the profile has memory and CPU */
    CU_ASSERT_EQUAL(out->have, (1u << (FP_BR_COUNT - FP_BR_COUNT_V2)) - 1u);
}

#define PV(pm, m) ((pm).v[(m)-FP_BR_COUNT_V2])

static void test_proc_flat(void)
{
    double *mem, *cpu;
    fp_profile *p = proc_profile(&mem, &cpu);
    fp_baseline_proc pm;
    proc_metrics(p, &pm);
    for (int m = FP_BR_COUNT_V2; m < FP_BR_COUNT; m++)
        CU_ASSERT_EQUAL(PV(pm, m), 0.0);
    fp_profile_free(p);
}

/* A step (a cache warmed once, +100 MB at 10 s) then flat: no last segment, no peak over the
 * level (the level is the upper step: the median of 10 x 100 and 30 x 200 MB). */
static void test_proc_step(void)
{
    double *mem, *cpu;
    fp_profile *p = proc_profile(&mem, &cpu);
    fp_baseline_proc pm;
    for (size_t k = 10; k < PROC_N; k++)
        mem[k] = 200.0;
    proc_metrics(p, &pm);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_TAIL_SLOPE_MB_S), 0.0);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_TAIL_GROWTH_MB), 0.0);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_PEAK_OVER_MB), 0.0);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_CPU_EPISODE_MAX_CORE_S), 0.0);
    fp_profile_free(p);
}

/* A ramp to the end: 100 + 2 t MB at the end of each 1 s sample (t = 1..40). The last segment
 * is the whole window: slope 2 MB/s, growth 2 x 39 s = 78 MB (samples 0 to 39); the peak 180 MB
 * over the median (140 + 142) / 2 = 141 MB is 39 MB. */
static void test_proc_ramp(void)
{
    double *mem, *cpu;
    fp_profile *p = proc_profile(&mem, &cpu);
    fp_baseline_proc pm;
    for (size_t k = 0; k < PROC_N; k++)
        mem[k] = 100.0 + 2.0 * (double)(k + 1);
    proc_metrics(p, &pm);
    FP_ASSERT_NEAR(PV(pm, FP_BR_MEM_TAIL_SLOPE_MB_S), 2.0, 1e-9);
    FP_ASSERT_NEAR(PV(pm, FP_BR_MEM_TAIL_GROWTH_MB), 78.0, 1e-9);
    FP_ASSERT_NEAR(PV(pm, FP_BR_MEM_PEAK_OVER_MB), 39.0, 1e-12);
    /* a ramp that stops (flat from 20 s) is no last segment */
    for (size_t k = 20; k < PROC_N; k++)
        mem[k] = mem[19];
    proc_metrics(p, &pm);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_TAIL_SLOPE_MB_S), 0.0);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_TAIL_GROWTH_MB), 0.0);
    fp_profile_free(p);
}

/* Bursts over a 20 % background on 2 cores: 5 samples at 100 % (excess (100 - 20) % x 1 s x 2
 * cores each: 8 core-s) and 3 at 90 % (3 x 0.7 x 2 = 4.2 core-s): the largest 8, the total
 * 12.2 core-s. */
static void test_proc_burst(void)
{
    double *mem, *cpu;
    fp_profile *p = proc_profile(&mem, &cpu);
    fp_baseline_proc pm;
    CU_ASSERT_EQUAL_FATAL(fp_profile_set_cores(p, 2), FP_OK);
    for (size_t k = 10; k < 15; k++)
        cpu[k] = 100.0;
    for (size_t k = 25; k < 28; k++)
        cpu[k] = 90.0;
    proc_metrics(p, &pm);
    FP_ASSERT_NEAR(PV(pm, FP_BR_CPU_EPISODE_MAX_CORE_S), 8.0, 1e-9);
    FP_ASSERT_NEAR(PV(pm, FP_BR_CPU_EPISODE_TOTAL_CORE_S), 12.2, 1e-9);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_TAIL_SLOPE_MB_S), 0.0);
    CU_ASSERT_EQUAL(PV(pm, FP_BR_MEM_PEAK_OVER_MB), 0.0);
    /* without CPU data the CPU metrics are not measured (their detector does not run) */
    fp_profile_set_data(p, FP_DATA_MEM | FP_DATA_SERIES_MEM);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_baseline_proc_metrics(p, NULL, &pm, &err), FP_OK);
    CU_ASSERT_EQUAL(pm.have & (1u << (FP_BR_CPU_EPISODE_MAX_CORE_S - FP_BR_COUNT_V2)), 0u);
    CU_ASSERT_NOT_EQUAL(pm.have & (1u << (FP_BR_MEM_PEAK_OVER_MB - FP_BR_COUNT_V2)), 0u);
    fp_profile_free(p);
}

/* The process-level findings against a learnt baseline: memory that normally grows through the
 * window is a known hotspot (absolute rule: a leak), a leak planted on top of it stays a finding
 * whose saving is the growth beyond normal; a version-2 baseline keeps the absolute rule. */
static void test_process_findings(void)
{
    fp_scenario *scn = load("tests/data/unlike/proc-leak-above-cache.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS), *b2 = NULL;
    fp_error err = FP_ERROR_INIT;
    const fp_baseline_dist *d = fp_baseline_run_dist(b, FP_BR_MEM_TAIL_SLOPE_MB_S);
    char *text = NULL;
    size_t len = 0, n;
    int bb;
    /* learnt: ~4 MB/s of normal growth in every clean run */
    CU_ASSERT(d->n == FP_BASELINE_AUTO_RUNS && d->q[0] > 3.5 && d->q[8] < 4.5);
    /* the same baseline as a version-2 file: no process-level metrics */
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_EQUAL_FATAL(fp_baseline_write_json(b, f, &err), FP_OK);
    fclose(f);
    to_version3(text, fp_baseline_method_count(b));
    char *v = strstr(text, "\"version\": 3");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    v[11] = '2';
    char *cut = strstr(text, ",\n    \"cpu_episode_max_core_s\"");
    char *end = strstr(text, "\n  },\n  \"methods\"");
    CU_ASSERT_FATAL(cut != NULL && end != NULL && cut < end);
    memmove(cut, end, strlen(end) + 1);
    CU_ASSERT_EQUAL_FATAL(fp_baseline_read_json(&b2, text, strlen(text), "b.json", &err), FP_OK);
    CU_ASSERT_EQUAL(fp_baseline_run_dist(b2, FP_BR_MEM_TAIL_SLOPE_MB_S)->n, 0);
    for (uint64_t run = 0; run < 3; run++) {
        fp_profile *clean = simulate(scn, 0, run), *inj = simulate(scn, 1, run);
        fp_analysis *a = NULL;
        const fp_known_hotspot *h;
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, clean, NULL, b, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_MEMORY_LEAK, "process", &bb), 0);
        h = fp_analysis_known_hotspots(a, &n);
        size_t leaks = 0;
        for (size_t i = 0; i < n; i++) /* (and 'serve' over the path-share budget) */
            if (h[i].kind == FP_KIND_MEMORY_LEAK) {
                leaks++;
                CU_ASSERT(h[i].target == FP_TARGET_PROCESS);
                /* the slope is the finding's own unit: the text compares MB/s with MB/s */
                CU_ASSERT(strstr(h[i].text, "over the memory_leak budget (") == h[i].text);
                CU_ASSERT(strstr(h[i].text, " MB/s > 0.5 MB/s), normal for this flow: baseline "
                                            "median ") != NULL);
            }
        CU_ASSERT_EQUAL(leaks, 1);
        fp_analysis_free(a);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, clean, NULL, b2, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_MEMORY_LEAK, "process", &bb), 1);
        fp_analysis_free(a);
        /* the planted leak (+4 MB/s) stays, costed by its growth beyond normal */
        fp_analysis *a0 = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_analyze(&a0, inj, NULL, &err), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, inj, NULL, b, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_MEMORY_LEAK, "process", &bb), 1);
        const fp_finding *fa = fp_analysis_findings(a, &n), *f0 = NULL, *f1 = NULL;
        for (size_t i = 0; i < n; i++)
            if (fa[i].kind == FP_KIND_MEMORY_LEAK)
                f1 = &fa[i];
        fa = fp_analysis_findings(a0, &n);
        for (size_t i = 0; i < n; i++)
            if (fa[i].kind == FP_KIND_MEMORY_LEAK)
                f0 = &fa[i];
        CU_ASSERT_FATAL(f0 != NULL && f1 != NULL);
        FP_ASSERT_NEAR(f1->improvement, f0->improvement * (1.0 - d->q[4] / f0->measured), 1e-9);
        fp_analysis_free(a0);
        fp_analysis_free(a);
        fp_profile_free(clean);
        fp_profile_free(inj);
    }
    free(text);
    fp_baseline_free(b2);
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

/* A slow leak under the absolute budget (0.3 MB/s < memory_leak.min_slope_mb_s) on a flow whose
 * memory is flat: no finding without a baseline; with one, a finding with rule "baseline" whose
 * saving is its growth beyond normal (all of it: the baseline's last segment does not grow). */
static void test_slow_leak(void)
{
    fp_scenario *scn = load("tests/data/unlike/proc-slow-leak.yaml");
    fp_baseline *b = learn(scn, FP_BASELINE_AUTO_RUNS);
    fp_error err = FP_ERROR_INIT;
    int bb;
    CU_ASSERT_EQUAL(fp_baseline_run_dist(b, FP_BR_MEM_TAIL_SLOPE_MB_S)->q[4], 0.0);
    for (uint64_t run = 0; run < 3; run++) {
        fp_profile *clean = simulate(scn, 0, run), *inj = simulate(scn, 1, run);
        fp_analysis *a = NULL;
        size_t n;
        CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, inj, NULL, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_MEMORY_LEAK, "process", &bb), 0);
        fp_analysis_free(a);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, inj, NULL, b, &err), FP_OK);
        CU_ASSERT_EQUAL(count(a, FP_KIND_MEMORY_LEAK, "process", &bb), 1);
        CU_ASSERT(bb);
        const fp_finding *f = fp_analysis_findings(a, &n);
        for (size_t i = 0; i < n; i++)
            if (f[i].kind == FP_KIND_MEMORY_LEAK) {
                CU_ASSERT(f[i].measured > 0.2 && f[i].measured < 0.5);
                CU_ASSERT_STRING_EQUAL(f[i].evidence[1].name, "growth_mb");
                FP_ASSERT_NEAR(f[i].improvement, f[i].evidence[1].value, 1e-9);
                CU_ASSERT(strstr(f[i].root_cause, "but the baseline's memory does not grow") !=
                          NULL);
            }
        fp_analysis_free(a);
        CU_ASSERT_EQUAL_FATAL(fp_analyze_with_baseline(&a, clean, NULL, b, &err), FP_OK);
        fp_analysis_findings(a, &n);
        CU_ASSERT_EQUAL(n, 0);
        fp_analysis_free(a);
        fp_profile_free(clean);
        fp_profile_free(inj);
    }
    fp_baseline_free(b);
    fp_scenario_free(scn);
}

int fp_test_register(void)
{
    static const fp_test_case model[] = {{"learn", test_learn},
                                         {"test", test_test},
                                         {"tail_aware", test_tail_aware},
                                         {"tail_ratio_gumbel", test_tail_ratio_gumbel},
                                         {NULL, NULL}};
    static const fp_test_case file[] = {{"roundtrip", test_roundtrip},
                                        {"version3_keys", test_version3_keys},
                                        {"reader_errors", test_reader_errors},
                                        {NULL, NULL}};
    static const fp_test_case apply[] = {{"slowdown_found", test_slowdown_found},
                                         {"known_hotspot", test_known_hotspot},
                                         {"costs", test_costs},
                                         {"absolute_excess", test_absolute_excess},
                                         {"known_currency", test_known_currency},
                                         {"tails", test_tails},
                                         {"process_findings", test_process_findings},
                                         {"slow_leak", test_slow_leak},
                                         {NULL, NULL}};
    static const fp_test_case proc[] = {{"flat", test_proc_flat},
                                        {"step", test_proc_step},
                                        {"ramp", test_proc_ramp},
                                        {"burst", test_proc_burst},
                                        {NULL, NULL}};
    if (fp_test_add_suite("model", model) != 0 || fp_test_add_suite("file", file) != 0 ||
        fp_test_add_suite("apply", apply) != 0 || fp_test_add_suite("proc", proc) != 0)
        return -1;
    return 0;
}
