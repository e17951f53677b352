/*
 * test_sim.c - the mock profiler: determinism, coherence of every run, ground truth equal to
 * what the spans show, injection probabilities, bounded memory, and the built-in scenarios'
 * calibration against the seed design's figures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "fp_mt_internal.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_sim.h"
#include "fp_test.h"

static fp_scenario *load(const char *path)
{
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    if (fp_scenario_load_file(&s, path, &err) != FP_OK) {
        char buf[1024];
        fp_error_format(&err, buf, sizeof(buf));
        fprintf(stderr, "load %s: %s\n", path, buf);
        return NULL;
    }
    return s;
}

static fp_scenario *load_builtin(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, name);
    return load(path);
}

static fp_scenario *load_data(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/sim/%s", FP_TEST_DATA, name);
    return load(path);
}

static const char *const s_builtins[] = {"optimal", "bottlenecked", "memory-intensive",
                                         "cpu-intensive"};

/* Self time of span i: its duration minus the union of its children's intervals. */
static double span_self(const fp_profile *p, size_t i)
{
    const fp_span *sp = fp_profile_spans(p);
    size_t n = fp_profile_span_count(p);
    double *lo = malloc(n * sizeof(double)), *hi = malloc(n * sizeof(double));
    size_t k = 0;
    for (size_t j = i + 1; j < n; j++) {
        if (sp[j].parent == (int32_t)i) {
            lo[k] = sp[j].start_s;
            hi[k] = sp[j].start_s + sp[j].dur_s;
            k++;
        }
    }
    /* sort by start (insertion sort: few children) */
    for (size_t a = 1; a < k; a++) {
        for (size_t b = a; b > 0 && lo[b - 1] > lo[b]; b--) {
            double t = lo[b];
            lo[b] = lo[b - 1];
            lo[b - 1] = t;
            t = hi[b];
            hi[b] = hi[b - 1];
            hi[b - 1] = t;
        }
    }
    double covered = 0.0, cur_lo = 0.0, cur_hi = -1.0;
    for (size_t a = 0; a < k; a++) {
        if (lo[a] > cur_hi) {
            if (cur_hi > cur_lo)
                covered += cur_hi - cur_lo;
            cur_lo = lo[a];
            cur_hi = hi[a];
        } else if (hi[a] > cur_hi) {
            cur_hi = hi[a];
        }
    }
    if (cur_hi > cur_lo)
        covered += cur_hi - cur_lo;
    free(lo);
    free(hi);
    return sp[i].dur_s - covered;
}

typedef struct totals {
    double calls, self_s, alloc, retained, io_ops, io_bytes, cpu_s;
} totals;

static totals method_totals(const fp_profile *p, const char *name)
{
    totals t;
    memset(&t, 0, sizeof(t));
    int32_t m = fp_profile_find_method(p, name);
    const fp_span *sp = fp_profile_spans(p);
    for (size_t i = 0; i < fp_profile_span_count(p); i++) {
        if ((int32_t)sp[i].method != m)
            continue;
        double self = span_self(p, i);
        t.calls += 1;
        t.self_s += self;
        t.alloc += sp[i].mem_alloc_mb;
        t.retained += sp[i].mem_retained_mb;
        t.io_ops += sp[i].io_ops;
        t.io_bytes += sp[i].io_bytes;
        t.cpu_s += sp[i].cpu_pct * self;
    }
    return t;
}

static int profiles_equal(const fp_profile *a, const fp_profile *b)
{
    size_t n = fp_profile_span_count(a);
    if (n != fp_profile_span_count(b))
        return 0;
    if (n > 0 && memcmp(fp_profile_spans(a), fp_profile_spans(b), n * sizeof(fp_span)) != 0)
        return 0;
    fp_series sa = fp_profile_series(a), sb = fp_profile_series(b);
    if (sa.n != sb.n || sa.interval_s != sb.interval_s)
        return 0;
    size_t bytes = sa.n * sizeof(double);
    if (memcmp(sa.mem_mb, sb.mem_mb, bytes) || memcmp(sa.cpu_pct, sb.cpu_pct, bytes) ||
        memcmp(sa.io_ops, sb.io_ops, bytes) || memcmp(sa.io_bytes, sb.io_bytes, bytes))
        return 0;
    size_t nt = fp_profile_truth_count(a);
    if (nt != fp_profile_truth_count(b))
        return 0;
    return nt == 0 || memcmp(fp_profile_truth(a), fp_profile_truth(b), nt * sizeof(fp_truth)) == 0;
}

/* ---- determinism ---- */

/* 4 parallel workers at 24 % of a core each: 96 % of a 1-core process, 24 % of a 4-core one
 * (idle 0, no noise); the profile records the cores */
static void test_cores(void)
{
    static const char *yaml[2] = {
        "name: c\nprocess: {idle_cpu_percent: 0, noise: {cpu_percent: 0}}\nmethods:\n"
        "  - {name: f, calls: 1, duration_s: 0, callees: [{method: w, count: 4, parallel: "
        "true}]}\n  - {name: w, duration_s: 2, cpu_percent: 24}\n",
        "name: c\nprocess: {idle_cpu_percent: 0, cores: 4, noise: {cpu_percent: 0}}\nmethods:\n"
        "  - {name: f, calls: 1, duration_s: 0, callees: [{method: w, count: 4, parallel: "
        "true}]}\n  - {name: w, duration_s: 2, cpu_percent: 24}\n"};
    static const double want[2] = {96.0, 24.0};
    for (int i = 0; i < 2; i++) {
        fp_scenario *s = NULL;
        fp_sim *sim = NULL;
        fp_profile *p = fp_profile_new();
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&s, yaml[i], strlen(yaml[i]), "c", &err),
                              FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 1, 0, p, NULL), FP_OK);
        CU_ASSERT_EQUAL(fp_profile_meta(p).cores, i == 0 ? 1u : 4u);
        fp_series ser = fp_profile_series(p);
        CU_ASSERT_FATAL(ser.n == 20);
        for (size_t k = 0; k < ser.n; k++)
            FP_ASSERT_NEAR(ser.cpu_pct[k], want[i], 1e-9);
        fp_profile_free(p);
        fp_sim_free(sim);
        fp_scenario_free(s);
    }
}

static void test_same_seed_same_run(void)
{
    fp_scenario *s = load_builtin("bottlenecked");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_sim *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&a, s, NULL, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&b, s, NULL, NULL), FP_OK);
    fp_profile *pa = fp_profile_new(), *pb = fp_profile_new();
    /* run 7 alone vs run 7 after runs 0..6 on another simulator: identical */
    for (uint64_t r = 0; r < 7; r++)
        CU_ASSERT_EQUAL(fp_sim_run(a, 99, r, pa, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_sim_run(a, 99, 7, pa, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_sim_run(b, 99, 7, pb, NULL), FP_OK);
    CU_ASSERT_TRUE(profiles_equal(pa, pb));
    /* another seed or run index differs */
    CU_ASSERT_EQUAL(fp_sim_run(b, 100, 7, pb, NULL), FP_OK);
    CU_ASSERT_FALSE(profiles_equal(pa, pb));
    CU_ASSERT_EQUAL(fp_sim_run(b, 99, 8, pb, NULL), FP_OK);
    CU_ASSERT_FALSE(profiles_equal(pa, pb));
    fp_meta m = fp_profile_meta(pa);
    CU_ASSERT_STRING_EQUAL(m.scenario, "bottlenecked");
    CU_ASSERT_EQUAL(m.seed, 99);
    CU_ASSERT_EQUAL(m.run_index, 7);
    CU_ASSERT_STRING_EQUAL(m.rng, "mt19937");
    CU_ASSERT_TRUE(m.simulated);
    fp_profile_free(pa);
    fp_profile_free(pb);
    fp_sim_free(a);
    fp_sim_free(b);
    fp_scenario_free(s);
}

static void test_rng_choice(void)
{
    const gsl_rng_type *t = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_sim_rng_type("ranlxd2", &t, &err), FP_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->name, "ranlxd2");
    CU_ASSERT_EQUAL(fp_sim_rng_type("mt1993", &t, &err), FP_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown random generator 'mt1993'"));

    fp_scenario *s = load_builtin("optimal");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    CU_ASSERT_EQUAL(fp_sim_rng_type("taus2", &o.rng_type, NULL), FP_OK);
    fp_sim *sim = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, &o, NULL), FP_OK);
    fp_profile *p = fp_profile_new();
    CU_ASSERT_EQUAL(fp_sim_run(sim, 1, 0, p, NULL), FP_OK);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(p).rng, "taus2");
    fp_profile_free(p);
    fp_sim_free(sim);
    fp_scenario_free(s);
}

static void test_stream_seed(void)
{
    /* The documented mixing function: pinned values, so a change is noticed. */
    uint64_t a = fp_sim_stream_seed(42, "optimal", 0, 0);
    CU_ASSERT_EQUAL(a, fp_sim_stream_seed(42, "optimal", 0, 0));
    CU_ASSERT_NOT_EQUAL(a, fp_sim_stream_seed(42, "optimal", 1, 0));
    CU_ASSERT_NOT_EQUAL(a, fp_sim_stream_seed(42, "optimal", 0, 1));
    CU_ASSERT_NOT_EQUAL(a, fp_sim_stream_seed(43, "optimal", 0, 0));
    CU_ASSERT_NOT_EQUAL(a, fp_sim_stream_seed(42, "optimal2", 0, 0));
    /* seed 0 is an ordinary seed (not GSL's "default seed") */
    CU_ASSERT_NOT_EQUAL(fp_sim_stream_seed(0, "x", 0, 0), fp_sim_stream_seed(4357, "x", 0, 0));
}

/* ---- coherence ---- */

static void check_coherent(const fp_profile *p, int *bad)
{
    fp_error err = FP_ERROR_INIT;
    if (fp_profile_check(p, &err) != FP_OK) {
        if (*bad < 3)
            fprintf(stderr, "check: %s\n", err.msg);
        (*bad)++;
        return;
    }
    const fp_span *sp = fp_profile_spans(p);
    size_t n = fp_profile_span_count(p);
    double end = 0.0, sum_top = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].parent < 0) {
            double e = sp[i].start_s + sp[i].dur_s;
            if (e > end)
                end = e;
            sum_top += sp[i].dur_s;
        }
    }
    double dur = fp_profile_duration(p);
    /* top-level calls run back to back: the run is exactly their sum */
    if (fabs(end - dur) > 1e-9 || fabs(sum_top - dur) > 1e-6 * (1 + dur))
        (*bad)++;
    fp_series s = fp_profile_series(p);
    double peak = 0, avg = 0;
    for (size_t k = 0; k < s.n; k++) {
        if (!(s.mem_mb[k] >= 0) || !(s.cpu_pct[k] >= 0 && s.cpu_pct[k] <= 100) ||
            !(s.io_ops[k] >= 0) || !(s.io_bytes[k] >= 0))
            (*bad)++;
        if (s.cpu_pct[k] > peak)
            peak = s.cpu_pct[k];
        avg += s.cpu_pct[k];
    }
    avg /= (double)(s.n ? s.n : 1);
    if (!(avg <= peak && peak <= 100.0))
        (*bad)++;
    if (s.n != (size_t)ceil(dur / s.interval_s - 1e-9) && !(s.n == 1 && dur < s.interval_s))
        (*bad)++;
    /* truth windows lie within the run */
    const fp_truth *t = fp_profile_truth(p);
    for (size_t i = 0; i < fp_profile_truth_count(p); i++) {
        if (t[i].start_s < 0 || t[i].end_s > dur + 1e-9 || t[i].start_s > t[i].end_s + 1e-9)
            (*bad)++;
    }
}

static void test_coherence_builtins(void)
{
    fp_profile *p = fp_profile_new();
    for (size_t b = 0; b < 4; b++) {
        fp_scenario *s = load_builtin(s_builtins[b]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        fp_sim *sim = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
        int bad = 0;
        for (uint64_t seed = 1; seed <= 1000; seed++) {
            CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, seed, 0, p, NULL), FP_OK);
            check_coherent(p, &bad);
        }
        CU_ASSERT_EQUAL(bad, 0);
        fp_sim_free(sim);
        fp_scenario_free(s);
    }
    fp_profile_free(p);
}

static void test_coherence_costs(void)
{
    fp_scenario *s = load_data("costs.yaml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_profile *p = fp_profile_new();
    for (int force = -1; force <= 1; force++) {
        fp_sim_options o = FP_SIM_OPTIONS_INIT;
        o.force_bottlenecks = force;
        fp_sim *sim = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, &o, NULL), FP_OK);
        int bad = 0;
        for (uint64_t seed = 1; seed <= 1000; seed++) {
            CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, seed, 0, p, NULL), FP_OK);
            check_coherent(p, &bad);
        }
        CU_ASSERT_EQUAL(bad, 0);
        fp_sim_free(sim);
    }
    fp_profile_free(p);
    fp_scenario_free(s);
}

/* ---- ground truth equals what the spans show ---- */

static const fp_truth *truth_of(const fp_profile *p, uint32_t source, size_t nth)
{
    const fp_truth *t = fp_profile_truth(p);
    for (size_t i = 0; i < fp_profile_truth_count(p); i++)
        if (t[i].source == source && nth-- == 0)
            return &t[i];
    return NULL;
}

#define REL_NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL((a), (b), 1e-9 * (1.0 + fabs(a) + fabs(b)))

/* Each kind's fp_kind_info.measure names a ground-truth number the simulator fills in. */
static void test_truth_measure(void)
{
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        const fp_kind_info *in = fp_kind_info_get((fp_kind)k);
        double mag = in->mag_mode == FP_MAG_FACTOR ? 3.0 : in->mag_max <= 100.0 ? 95.0 : 40.0;
        char text[1024];
        snprintf(text, sizeof text,
                 "name: measure\nmethods:\n  - name: main\n    calls: 1\n    duration_s: 0.5\n"
                 "    callees:\n      - method: helper\n        count: 20\n"
                 "  - name: helper\n    duration_s: 0.05\n    cpu_percent: 10\n"
                 "    memory:\n      alloc_mb: 1\n    io: {ops: 4, bytes: 4096}\n"
                 "bottlenecks:\n  - kind: %s\n    target: helper\n    magnitude: %g\n%s",
                 in->name, mag, (in->keys & FP_KIND_KEY_FRACTION) ? "    fraction: 1\n" : "");
        fp_scenario *scn = NULL;
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&scn, text, strlen(text), "m.yaml", &err),
                              FP_OK);
        fp_sim_options o = FP_SIM_OPTIONS_INIT;
        o.force_bottlenecks = 1;
        fp_sim *sim = NULL;
        fp_profile *p = fp_profile_new();
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, scn, &o, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 3, 0, p, NULL), FP_OK);
        const fp_truth *t = truth_of(p, 0, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        double v = -1.0;
        switch (in->measure) {
        case FP_MEASURE_EXTRA_S:
            v = t->extra_s;
            break;
        case FP_MEASURE_EXTRA_MB_PER_CALL:
            v = t->affected_calls > 0 ? t->extra_mb / t->affected_calls : 0.0;
            break;
        case FP_MEASURE_EXTRA_MB:
            v = t->extra_mb;
            break;
        case FP_MEASURE_EXTRA_CPU_PCT_S:
            v = t->extra_cpu_pct_s;
            break;
        }
        if (!(v > 0.0))
            fprintf(stderr, "%s: measure %d is %g\n", in->name, (int)in->measure, v);
        CU_ASSERT(v > 0.0);
        fp_sim_free(sim);
        fp_profile_free(p);
        fp_scenario_free(scn);
    }
}

/* ---- magnitude arithmetic ---- */

/* fp_sim_effective_magnitude: factors scale their excess over 1, amounts scale as a whole. */
static void test_effective_magnitude(void)
{
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_SLOW_METHOD, 3.0, 0.5), 2.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_CALL_STORM, 11.0, 0.1), 2.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_IO_HEAVY, 5.0, 0.0), 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_LATENCY_OUTLIERS, 4.0, 1.0), 4.0,
                           1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_MEMORY_HOTSPOT, 200.0, 0.25), 50.0,
                           1e-12);
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_MEMORY_LEAK, 8.0, 0.5), 4.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude(FP_KIND_CPU_SATURATION, 90.0, 0.5), 45.0,
                           1e-15);
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        const fp_kind_info *in = fp_kind_info_get((fp_kind)k);
        double m = in->mag_mode == FP_MAG_FACTOR ? 3.0 : 30.0;
        double want = in->mag_mode == FP_MAG_FACTOR ? 1.0 + (m - 1.0) * 0.3 : m * 0.3;
        CU_ASSERT_DOUBLE_EQUAL(fp_sim_effective_magnitude((fp_kind)k, m, 0.3), want, 1e-12);
    }
    CU_ASSERT(isnan(fp_sim_effective_magnitude(FP_KIND_COUNT, 2.0, 1.0)));
}

/* Runs one forced injection at magnitude_scale `scale`; returns main's first span. */
static fp_span scaled_span(const char *kind, double magnitude, double scale)
{
    char text[512];
    snprintf(text, sizeof text,
             "name: mag\nmethods:\n  - name: main\n    calls: 1\n    duration_s: 0.5\n"
             "    memory:\n      alloc_mb: 10\nbottlenecks:\n  - kind: %s\n    target: main\n"
             "    magnitude: %g\n",
             kind, magnitude);
    fp_scenario *s = NULL;
    fp_span sp;
    memset(&sp, 0, sizeof sp);
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&s, text, strlen(text), "mag.yaml", NULL), FP_OK);
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    o.force_bottlenecks = 1;
    o.magnitude_scale = scale;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, &o, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 1, 0, p, NULL), FP_OK);
    CU_ASSERT_FATAL(fp_profile_span_count(p) >= 1);
    sp = fp_profile_spans(p)[0];
    fp_sim_free(sim);
    fp_profile_free(p);
    fp_scenario_free(s);
    return sp;
}

/* The simulator applies exactly the effect fp_sim_effective_magnitude() describes. */
static void test_effective_magnitude_applied(void)
{
    const double scales[] = {0.0, 0.25, 1.0, 2.0};
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        double sc = scales[i];
        fp_span base = scaled_span("slow_method", 3.0, 0.0);
        fp_span slow = scaled_span("slow_method", 3.0, sc);
        REL_NEAR(slow.dur_s / base.dur_s, fp_sim_effective_magnitude(FP_KIND_SLOW_METHOD, 3.0, sc));
        fp_span hot = scaled_span("memory_hotspot", 40.0, sc);
        REL_NEAR(hot.mem_alloc_mb - base.mem_alloc_mb,
                 fp_sim_effective_magnitude(FP_KIND_MEMORY_HOTSPOT, 40.0, sc));
    }
}

/* process.io_latency_ms / io_bandwidth_mb_s: checked by the loader, with the exact message. */
static void test_io_keys(void)
{
    static const struct {
        const char *process, *msg, *path;
        unsigned long col;
    } bad[] = {
        {"{io_latency_ms: -1}", "'io_latency_ms' must be in [0, 60000], got -1",
         "process.io_latency_ms", 26},
        {"{io_latency_ms: 60001}", "'io_latency_ms' must be in [0, 60000], got 60001",
         "process.io_latency_ms", 26},
        {"{io_bandwidth_mb_s: 0}", "'io_bandwidth_mb_s' must be in [0.001, 1e+09], got 0",
         "process.io_bandwidth_mb_s", 30},
        {"{io_bandwidth_mb_s: fast}", NULL, "process.io_bandwidth_mb_s", 30},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "name: x\nprocess: %s\nmethods:\n  - {name: m, calls: 1, duration_s: 0.1}\n",
                 bad[i].process);
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_EQUAL(fp_scenario_load_string(&s, text, strlen(text), "io.yaml", &err),
                        FP_EINVAL);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_STRING_EQUAL(err.key_path, bad[i].path);
        CU_ASSERT_EQUAL(err.line, 2);
        CU_ASSERT_EQUAL(err.col, bad[i].col);
        if (bad[i].msg != NULL)
            CU_ASSERT_STRING_EQUAL(err.msg, bad[i].msg);
        fp_scenario_free(s);
    }
}

/* A call waits ops x latency + MB / bandwidth for its I/O with no CPU: its span is longer by
 * that wait and its CPU % is the time-weighted mean, so it looks I/O-bound. */
static void test_io_time(void)
{
    const char *text = "name: io\nprocess: {io_latency_ms: 1, io_bandwidth_mb_s: 100}\n"
                       "methods:\n  - name: m\n    calls: 1\n    duration_s: 0.1\n"
                       "    cpu_percent: 50\n    io: {ops: 1000, bytes: 10485760}\n";
    fp_scenario *s = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&s, text, strlen(text), "io.yaml", NULL), FP_OK);
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 1, 0, p, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(p), 1);
    const fp_span *sp = fp_profile_spans(p);
    /* 0.1 s of work + 1000 x 1 ms + 10 MB / 100 MB/s = 1.2 s; CPU 50 % x 0.1 / 1.2 */
    REL_NEAR(sp->dur_s, 1.2);
    REL_NEAR(sp->cpu_pct, 50.0 * 0.1 / 1.2);
    REL_NEAR(sp->cpu_pct / 100.0 * sp->dur_s, 0.05); /* CPU-seconds unchanged */
    fp_sim_free(sim);
    fp_profile_free(p);
    fp_scenario_free(s);
}

/* Calls of method `name` in one forced run of `text` at `seed`, run index `i`. */
static size_t calls_of(const fp_scenario *scn, uint64_t i, const char *name)
{
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    o.force_bottlenecks = 1;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, scn, &o, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 7, i, p, NULL), FP_OK);
    for (size_t k = 0; k < fp_profile_span_count(p); k++) {
        const char *nm = fp_profile_method_name(p, fp_profile_spans(p)[k].method);
        n += nm != NULL && strcmp(nm, name) == 0;
    }
    fp_sim_free(sim);
    fp_profile_free(p);
    return n;
}

/* A call storm of factor m adds (m - 1) x base calls on average, also when every call site calls
 * the target once (base 1 per site: rounding per site made x1.4 add none and x1.6 one per site,
 * as many as x2.4). Fixed seed, 200 sites x 60 runs: the mean extra's sd is about 0.9 calls. */
static void test_call_storm_unbiased(void)
{
    const double factors[] = {1.4, 1.6, 2.4, 3.0};
    for (size_t f = 0; f < sizeof factors / sizeof factors[0]; f++) {
        char text[512];
        snprintf(text, sizeof text,
                 "name: storm\nmethods:\n  - name: caller\n    calls: 200\n    duration_s: 0.001\n"
                 "    callees:\n      - {method: helper, count: 1}\n  - name: helper\n"
                 "    duration_s: 0.0001\nbottlenecks:\n  - kind: call_storm\n    target: helper\n"
                 "    magnitude: %g\n",
                 factors[f]);
        fp_scenario *scn = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&scn, text, strlen(text), "s.yaml", NULL),
                              FP_OK);
        double sum = 0;
        const int runs = 60;
        for (int i = 0; i < runs; i++)
            sum += (double)calls_of(scn, (uint64_t)i, "helper") - 200.0;
        double mean = sum / runs, want = (factors[f] - 1.0) * 200.0;
        CU_ASSERT(fabs(mean - want) < 4.0);
        if (fabs(mean - want) >= 4.0)
            fprintf(stderr, "call storm x%g: mean extra %g, expected %g\n", factors[f], mean, want);
        CU_ASSERT_EQUAL(calls_of(scn, 3, "helper"), calls_of(scn, 3, "helper")); /* per seed */
        fp_scenario_free(scn);
    }
}

static void test_truth_costs(void)
{
    fp_scenario *s = load_data("costs.yaml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_sim_options on = FP_SIM_OPTIONS_INIT, off = FP_SIM_OPTIONS_INIT;
    on.force_bottlenecks = 1;
    off.force_bottlenecks = 0;
    fp_sim *son = NULL, *soff = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&son, s, &on, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&soff, s, &off, NULL), FP_OK);
    fp_profile *pon = fp_profile_new(), *poff = fp_profile_new();
    for (uint64_t seed = 1; seed <= 200; seed++) {
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(son, seed, 0, pon, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(soff, seed, 0, poff, NULL), FP_OK);
        CU_ASSERT_EQUAL(fp_profile_truth_count(poff), 0);
        /* 10 declared; process cpu_saturation gives one record per episode (2) */
        CU_ASSERT_EQUAL(fp_profile_truth_count(pon), 11);
        totals a1 = method_totals(pon, "a"), a0 = method_totals(poff, "a");
        totals b1 = method_totals(pon, "b"), b0 = method_totals(poff, "b");
        totals c1 = method_totals(pon, "c"), c0 = method_totals(poff, "c");
        totals d1 = method_totals(pon, "d"), d0 = method_totals(poff, "d");
        const fp_truth *slow = truth_of(pon, 0, 0), *slow2 = truth_of(pon, 9, 0);
        const fp_truth *outl = truth_of(pon, 1, 0), *hot = truth_of(pon, 2, 0);
        const fp_truth *leak = truth_of(pon, 3, 0), *pleak = truth_of(pon, 4, 0);
        const fp_truth *csat = truth_of(pon, 5, 0), *storm = truth_of(pon, 7, 0);
        const fp_truth *io = truth_of(pon, 8, 0);
        CU_ASSERT_FATAL(slow && slow2 && outl && hot && leak && pleak && csat && storm && io);
        /* slow_method twice on a (overlapping): increments add up to the change */
        REL_NEAR(a1.self_s - a0.self_s, slow->extra_s + slow2->extra_s);
        CU_ASSERT_EQUAL(a1.calls, a0.calls);
        CU_ASSERT_EQUAL(slow2->affected_calls, 3);
        CU_ASSERT_EQUAL(slow->affected_calls, 2); /* onset_fraction 0.3 of 3 calls: calls 1, 2 */
        /* b: outliers add own work, io_heavy adds I/O wait (process defaults: 0.1 ms per
         * operation, 500 MB/s) */
        REL_NEAR(b1.self_s - b0.self_s, outl->extra_s + io->extra_s);
        REL_NEAR(io->extra_s, io->extra_io_ops * 1e-4 + io->extra_io_bytes / 1048576.0 / 500.0);
        CU_ASSERT(io->extra_s > 0.0);
        REL_NEAR(c1.alloc - c0.alloc, hot->extra_mb);
        CU_ASSERT_EQUAL(hot->affected_calls, 6);
        REL_NEAR(a1.retained - a0.retained, leak->extra_mb);
        REL_NEAR(a1.alloc - a0.alloc, leak->extra_mb);
        CU_ASSERT_DOUBLE_EQUAL(leak->extra_mb, 30.0, 1e-9);
        REL_NEAR(c1.cpu_s - c0.cpu_s, csat->extra_cpu_pct_s);
        CU_ASSERT_DOUBLE_EQUAL(csat->extra_cpu_pct_s, 6 * 0.2 * 49.0, 1e-9);
        CU_ASSERT_EQUAL(d1.calls - d0.calls, storm->extra_calls);
        CU_ASSERT_EQUAL(storm->extra_calls, 9); /* 3 calls of d, x4 */
        REL_NEAR(d1.self_s - d0.self_s, storm->extra_s);
        REL_NEAR(b1.io_ops - b0.io_ops, io->extra_io_ops);
        REL_NEAR(b1.io_bytes - b0.io_bytes, io->extra_io_bytes);
        /* process leak: 2 MB/s from 0.5 s, ramped over 1 s: 2 * (T - 0.5 - 0.5) at the end */
        double dur = fp_profile_duration(pon);
        CU_ASSERT_DOUBLE_EQUAL(pleak->extra_mb, 2.0 * (dur - 1.0), 1e-9);
        CU_ASSERT_DOUBLE_EQUAL(pleak->start_s, 0.5, 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(pleak->end_s, dur, 1e-12);
        for (size_t e = 0; e < 2; e++) {
            const fp_truth *ep = truth_of(pon, 6, e);
            CU_ASSERT_PTR_NOT_NULL_FATAL(ep);
            CU_ASSERT_DOUBLE_EQUAL(ep->end_s - ep->start_s, 0.3, 1e-9);
            CU_ASSERT(ep->extra_cpu_pct_s >= 0.0); /* 0 where the CPU was already that high */
        }
    }
    fp_profile_free(pon);
    fp_profile_free(poff);
    fp_sim_free(son);
    fp_sim_free(soff);
    fp_scenario_free(s);
}

/* Probability of occurrence: a chi-square (1 dof) test on the number of runs with injection. */
static void test_probability(void)
{
    fp_scenario *s = load_builtin("optimal");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_sim *sim = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
    fp_profile *p = fp_profile_new();
    const size_t n = 10000;
    size_t hits = 0;
    for (size_t r = 0; r < n; r++) {
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 5, r, p, NULL), FP_OK);
        const fp_truth *t = fp_profile_truth(p);
        for (size_t i = 0; i < fp_profile_truth_count(p); i++)
            hits += t[i].source == 0;
    }
    double pr = 0.1, e1 = (double)n * pr, e0 = (double)n - e1;
    double o1 = (double)hits, o0 = (double)(n - hits);
    double chi2 = (o1 - e1) * (o1 - e1) / e1 + (o0 - e0) * (o0 - e0) / e0;
    CU_ASSERT(chi2 < gsl_cdf_chisq_Qinv(0.001, 1));
    fp_profile_free(p);
    fp_sim_free(sim);
    fp_scenario_free(s);
}

/* Memory is reused: after warm-up, more runs allocate (almost) nothing. */
static void test_memory_reuse(void)
{
    fp_scenario *s = load_builtin("bottlenecked");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_sim *sim = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
    fp_profile *p = fp_profile_new();
    for (uint64_t r = 0; r < 200; r++)
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 3, r, p, NULL), FP_OK);
    fp_alloc_fail_after(0); /* resets the allocation counter */
    for (uint64_t r = 200; r < 2200; r++)
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 3, r, p, NULL), FP_OK);
    /* only a run larger than every earlier one may grow a buffer (doubling: a handful) */
    CU_ASSERT(fp_alloc_count() < 40);
    fp_profile_free(p);
    fp_sim_free(sim);
    fp_scenario_free(s);
}

/* A run whose series would exceed FP_SIM_MAX_SAMPLES is refused, not allocated. */
static void test_sample_limit(void)
{
    static const char text[] = "name: long\n"
                               "process: {sample_interval_s: 0.001}\n"
                               "methods:\n"
                               "  - {name: m, calls: 1, duration_s: 20000}\n";
    fp_scenario *s = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&s, text, sizeof(text) - 1, "long.yaml", &err),
                          FP_OK);
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_sim_run(sim, 1, 0, p, &err), FP_ELIMIT);
    CU_ASSERT_STRING_EQUAL(err.msg, "run 0 of 'long' lasts 20000 s: more than 10000000 samples "
                                    "at 0.001 s (raise process.sample_interval_s)");
    fp_sim_free(sim);
    sim = NULL;

    /* a lower max_samples: 20 s at 1 ms is 20,000 samples, refused under 19,999, run at 20,000;
     * above FP_SIM_MAX_SAMPLES it is clamped (the 20000 s run is still refused) */
    static const char short_text[] = "name: short\n"
                                     "process: {sample_interval_s: 0.001}\n"
                                     "methods:\n"
                                     "  - {name: m, calls: 1, duration_s: 20}\n";
    fp_scenario *s2 = NULL;
    CU_ASSERT_EQUAL_FATAL(
        fp_scenario_load_string(&s2, short_text, sizeof(short_text) - 1, "short.yaml", &err),
        FP_OK);
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    o.max_samples = 19999;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s2, &o, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_sim_run(sim, 1, 0, p, &err), FP_ELIMIT);
    CU_ASSERT_STRING_EQUAL(err.msg, "run 0 of 'short' lasts 20 s: more than 19999 samples "
                                    "at 0.001 s (raise process.sample_interval_s)");
    fp_sim_free(sim);
    o.max_samples = 20000;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s2, &o, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_sim_run(sim, 1, 0, p, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_series(p).n, 20000);
    fp_sim_free(sim);
    o.max_samples = (size_t)FP_SIM_MAX_SAMPLES * 4;
    CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, &o, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_sim_run(sim, 1, 0, p, &err), FP_ELIMIT);
    fp_profile_free(p);
    fp_sim_free(sim);
    fp_scenario_free(s2);
    fp_scenario_free(s);
}

static void test_alloc_failure(void)
{
    fp_scenario *s = load_data("costs.yaml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    o.force_bottlenecks = 1;
    int ok = 0;
    for (unsigned long n = 1; n < 400 && !ok; n++) {
        fp_sim *sim = NULL;
        fp_profile *p = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_alloc_fail_after(n);
        p = fp_profile_new();
        fp_status st = p ? fp_sim_new(&sim, s, &o, &err) : FP_ENOMEM;
        if (st == FP_OK)
            st = fp_sim_run(sim, 1, 0, p, &err);
        fp_alloc_fail_after(0);
        CU_ASSERT(st == FP_OK || st == FP_ENOMEM);
        ok = st == FP_OK;
        fp_sim_free(sim);
        fp_profile_free(p);
    }
    CU_ASSERT_TRUE(ok);
    fp_scenario_free(s);
}

/* ---- calibration of the built-ins (seed design figures, +-10 %) ---- */

typedef struct target {
    const char *name;
    double duration_s, peak_mem_mb, peak_cpu_pct; /* 0 = not specified */
    double any_bottleneck;                        /* fraction of runs with >= 1 injection */
} target;

static double median(double *x, size_t n)
{
    gsl_sort(x, 1, n);
    return gsl_stats_median_from_sorted_data(x, 1, n);
}

static void test_builtin_medians(void)
{
    static const target targets[] = {{"optimal", 25, 180, 45, 0.10},
                                     {"bottlenecked", 85, 650, 95, 0},
                                     {"memory-intensive", 55, 1200, 0, 0},
                                     {"cpu-intensive", 75, 0, 98, 0}};
    const size_t n = 200;
    double *dur = malloc(n * sizeof(double)), *mem = malloc(n * sizeof(double));
    double *cpu = malloc(n * sizeof(double));
    fp_profile *p = fp_profile_new();
    for (size_t b = 0; b < 4; b++) {
        const target *t = &targets[b];
        fp_scenario *s = load_builtin(t->name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        fp_sim *sim = NULL;
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, NULL, NULL), FP_OK);
        size_t with = 0;
        for (size_t r = 0; r < n; r++) {
            CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, FP_SIM_DEFAULT_SEED, r, p, NULL), FP_OK);
            fp_series se = fp_profile_series(p);
            dur[r] = fp_profile_duration(p);
            mem[r] = gsl_stats_max(se.mem_mb, 1, se.n);
            cpu[r] = gsl_stats_max(se.cpu_pct, 1, se.n);
            with += fp_profile_truth_count(p) > 0;
        }
        double md = median(dur, n), mm = median(mem, n), mc = median(cpu, n);
        printf("\n  %s: median duration %.1f s, peak memory %.0f MB, peak CPU %.1f %%, "
               "runs with injections %.2f\n",
               t->name, md, mm, mc, (double)with / (double)n);
        CU_ASSERT(fabs(md - t->duration_s) <= 0.1 * t->duration_s);
        if (t->peak_mem_mb > 0)
            CU_ASSERT(fabs(mm - t->peak_mem_mb) <= 0.1 * t->peak_mem_mb);
        if (t->peak_cpu_pct > 0)
            CU_ASSERT(fabs(mc - t->peak_cpu_pct) <= 0.1 * t->peak_cpu_pct);
        if (t->any_bottleneck > 0)
            CU_ASSERT(fabs((double)with / (double)n - t->any_bottleneck) <= 0.1);
        fp_sim_free(sim);
        fp_scenario_free(s);
    }
    fp_profile_free(p);
    free(dur);
    free(mem);
    free(cpu);
}

/*
 * fp_mt.c's lazily seeded mt19937 gives GSL's mt19937 sequence draw for draw: for seeds at the
 * edges (0 is GSL's 4357, words above 32 bits are dropped but a nonzero seed is never 0's),
 * across the first block's chunks and the later full twists, and when reseeded mid-stream
 * after any number of draws, as the simulator does every run.
 */
static void test_mt19937_lazy(void)
{
    const unsigned long seeds[] = {
        0, 1, 4357, 0xffffffffUL, 1UL << 32, (1UL << 32) + 5, 0x9e3779b97f4a7c15UL, ~0UL};
    const size_t counts[] = {0, 1, 2, 15, 16, 17, 227, 228, 623, 624, 625, 1248, 1249, 3000};
    gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *lazy = gsl_rng_alloc(fp_mt19937_lazy());
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lazy);
    CU_ASSERT_STRING_EQUAL(gsl_rng_name(lazy), "mt19937");
    CU_ASSERT_EQUAL(gsl_rng_max(lazy), gsl_rng_max(ref));
    CU_ASSERT_EQUAL(gsl_rng_min(lazy), gsl_rng_min(ref));
    CU_ASSERT_PTR_EQUAL(fp_mt_fast_type(gsl_rng_mt19937), fp_mt19937_lazy());
    CU_ASSERT_PTR_EQUAL(fp_mt_fast_type(gsl_rng_taus2), gsl_rng_taus2);
    size_t mismatches = 0, draws = 0;
    /* Each seed, then each count of draws before the next reseed, on the same two generators. */
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
            unsigned long seed = seeds[i] ^ (unsigned long)c * (c > 0 && seeds[i] != 0);
            gsl_rng_set(ref, seed);
            gsl_rng_set(lazy, seed);
            for (size_t k = 0; k < counts[c]; k++, draws++) {
                if (k % 3 == 2) /* the doubles too */
                    mismatches += gsl_rng_uniform(ref) != gsl_rng_uniform(lazy);
                else
                    mismatches += gsl_rng_get(ref) != gsl_rng_get(lazy);
            }
        }
    }
    /* Streams seeded as the simulator seeds them, with the draws of a run's bottleneck. */
    for (uint64_t run = 0; run < 2000; run++) {
        uint64_t seed = fp_sim_stream_seed(42, "bottlenecked", run, 1 + run % 4);
        gsl_rng_set(ref, seed);
        gsl_rng_set(lazy, seed);
        for (size_t k = 0; k < 1 + run % 40; k++, draws++)
            mismatches += gsl_rng_uniform_pos(ref) != gsl_rng_uniform_pos(lazy);
    }
    CU_ASSERT(draws > 100000);
    CU_ASSERT_EQUAL(mismatches, 0);
    gsl_rng_free(ref);
    gsl_rng_free(lazy);
}

int fp_test_register(void)
{
    static const fp_test_case determinism[] = {{"same_seed_same_run", test_same_seed_same_run},
                                               {"cores", test_cores},
                                               {"rng_choice", test_rng_choice},
                                               {"stream_seed", test_stream_seed},
                                               {"mt19937_lazy", test_mt19937_lazy},
                                               {NULL, NULL}};
    static const fp_test_case coherence[] = {{"builtins_1000_seeds", test_coherence_builtins},
                                             {"costs_1000_seeds", test_coherence_costs},
                                             {NULL, NULL}};
    static const fp_test_case truth[] = {
        {"costs_equal_spans", test_truth_costs},
        {"probability", test_probability},
        {"effective_magnitude", test_effective_magnitude},
        {"truth_measure", test_truth_measure},
        {"io_keys", test_io_keys},
        {"io_time", test_io_time},
        {"effective_magnitude_applied", test_effective_magnitude_applied},
        {"call_storm_unbiased", test_call_storm_unbiased},
        {NULL, NULL}};
    static const fp_test_case resources[] = {{"memory_reuse", test_memory_reuse},
                                             {"alloc_failure", test_alloc_failure},
                                             {"sample_limit", test_sample_limit},
                                             {NULL, NULL}};
    static const fp_test_case calibration[] = {{"builtin_medians", test_builtin_medians},
                                               {NULL, NULL}};
    if (fp_test_add_suite("determinism", determinism) ||
        fp_test_add_suite("coherence", coherence) || fp_test_add_suite("truth", truth) ||
        fp_test_add_suite("resources", resources) || fp_test_add_suite("calibration", calibration))
        return -1;
    return 0;
}
