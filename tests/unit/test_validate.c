/*
 * test_validate.c - fp_validate: Wilson intervals, Spearman, NAB scoring (exact values on hand
 * examples), per-run records from a hand-built profile, prefix truncation, time to detect and
 * the order-determined accumulation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "fp_report.h"
#include "fp_scenario.h"
#include "fp_sim.h"
#include "fp_test.h"
#include "fp_progress.h"
#include "fp_quantile.h"
#include "fp_validate.h"

/* ---- statistics ---- */

static void test_wilson(void)
{
    double lo, hi;
    fp_error err = FP_ERROR_INIT;
    /* 8/10 at 95 %: the textbook Wilson interval [0.4902, 0.9433]. */
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, 8, 10, 0.95, &err), FP_OK);
    FP_ASSERT_NEAR(lo, 0.4901625, 1e-6);
    FP_ASSERT_NEAR(hi, 0.9433178, 1e-6);
    /* k = 0 and k = n: exact endpoints 0 and 1; 0/10 upper = z^2 / (n + z^2). */
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, 0, 10, 0.95, &err), FP_OK);
    CU_ASSERT_EQUAL(lo, 0.0);
    FP_ASSERT_NEAR(hi, 3.8414588 / 13.8414588, 1e-7);
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, 10, 10, 0.95, &err), FP_OK);
    CU_ASSERT_EQUAL(hi, 1.0);
    FP_ASSERT_NEAR(lo, 10.0 / 13.8414588, 1e-7);
    /* n = 0: the whole range. */
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, 0, 0, 0.95, &err), FP_OK);
    CU_ASSERT_EQUAL(lo, 0.0);
    CU_ASSERT_EQUAL(hi, 1.0);
    /* invalid */
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, 11, 10, 0.95, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, 1, 10, 1.0, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_validate_wilson(&lo, &hi, -1, 10, 0.95, &err), FP_EINVAL);
}

static void test_spearman(void)
{
    double x[] = {1, 2, 3, 4, 5}, y[] = {5, 6, 7, 8, 7}, r[] = {9, 7, 5, 3, 1},
           c[] = {2, 2, 2, 2, 2};
    double work[10];
    /* Ties get average ranks: y ranks 1, 2, 3.5, 5, 3.5 -> rho = 8 / sqrt(10 * 9.5). */
    FP_ASSERT_NEAR(fp_validate_spearman(x, y, 5, work), 8.0 / sqrt(95.0), 1e-12);
    FP_ASSERT_NEAR(fp_validate_spearman(x, r, 5, work), -1.0, 1e-12);
    FP_ASSERT_NEAR(fp_validate_spearman(x, x, 5, work), 1.0, 1e-12);
    /* constant or too short: 0 (not available), never NaN */
    CU_ASSERT_EQUAL(fp_validate_spearman(x, c, 5, work), 0.0);
    CU_ASSERT_EQUAL(fp_validate_spearman(x, y, 1, work), 0.0);
}

static void test_nab(void)
{
    double s1 = 2.0 / (1.0 + exp(-5.0)) - 1.0;
    FP_ASSERT_NEAR(fp_validate_nab_sigmoid(-1), s1, 1e-15);
    FP_ASSERT_NEAR(fp_validate_nab_sigmoid(0), 0.0, 1e-15);
    FP_ASSERT_NEAR(fp_validate_nab_sigmoid(-5), s1, 1e-15); /* clamped */
    FP_ASSERT_NEAR(fp_validate_nab_sigmoid(-0.5), 2.0 / (1.0 + exp(-2.5)) - 1.0, 1e-15);
    /* Hand example: 3 labels, 2 detected at onset, 1 missed, 1 false alarm.
     * standard: S = 2 s1 - 0.11 - 1, null -3, perfect 3. */
    FP_ASSERT_NEAR(fp_validate_nab_score(FP_NAB_STANDARD, 2 * s1, 1, 1, 3),
                   100.0 * (2 * s1 - 0.11 - 1 + 3) / 6.0, 1e-12);
    FP_ASSERT_NEAR(fp_validate_nab_score(FP_NAB_STANDARD, 2 * s1, 1, 1, 3), 64.38715, 1e-4);
    /* low_fp doubles the false-alarm cost; low_fn doubles the miss cost (null -6, perfect 3). */
    FP_ASSERT_NEAR(fp_validate_nab_score(FP_NAB_LOW_FP, 2 * s1, 1, 1, 3),
                   100.0 * (2 * s1 - 0.22 - 1 + 3) / 6.0, 1e-12);
    FP_ASSERT_NEAR(fp_validate_nab_score(FP_NAB_LOW_FN, 2 * s1, 1, 1, 3),
                   100.0 * (2 * s1 - 0.11 - 2 + 6) / 9.0, 1e-12);
    /* the null detector scores 0, a perfect one (credit = labels) 100 */
    FP_ASSERT_NEAR(fp_validate_nab_score(FP_NAB_STANDARD, 0, 0, 4, 4), 0.0, 1e-12);
    FP_ASSERT_NEAR(fp_validate_nab_score(FP_NAB_LOW_FN, 4, 0, 0, 4), 100.0, 1e-12);
    CU_ASSERT_EQUAL(fp_validate_nab_score(FP_NAB_STANDARD, 0, 3, 0, 0), 0.0);
    CU_ASSERT_STRING_EQUAL(fp_validate_nab_name(FP_NAB_LOW_FP), "low_fp");
    CU_ASSERT_PTR_NULL(fp_validate_nab_name(FP_NAB_PROFILE_COUNT));
}

/* ---- records ---- */

static uint32_t method(fp_profile *p, const char *name)
{
    uint32_t m = 0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, name, &m), FP_OK);
    return m;
}

static void span(fp_profile *p, uint32_t m, double start, double dur, double cpu)
{
    fp_span s;
    memset(&s, 0, sizeof s);
    s.method = m;
    s.parent = -1;
    s.start_s = start;
    s.dur_s = dur;
    s.cpu_pct = cpu;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
}

static void truth(fp_profile *p, fp_kind k, int32_t target, double start, double end,
                  uint32_t calls, double extra_s, double extra_cpu)
{
    fp_truth t;
    memset(&t, 0, sizeof t);
    t.kind = k;
    t.target = target;
    t.start_s = start;
    t.end_s = end;
    t.affected_calls = calls;
    t.extra_s = extra_s;
    t.extra_cpu_pct_s = extra_cpu;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
}

/* a: 10 calls of 3 s (slow); b: 20 calls of 0.1 s. */
static fp_profile *slow_profile(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    uint32_t a = method(p, "a"), b = method(p, "b");
    double t = 0;
    for (int i = 0; i < 10; i++, t += 3)
        span(p, a, t, 3, 20);
    for (int i = 0; i < 20; i++, t += 0.1)
        span(p, b, t, 0.1, 20);
    return p;
}

static void test_record(void)
{
    fp_profile *p = slow_profile();
    fp_analysis *a = NULL;
    fp_match_result m;
    fp_validate_run r;
    fp_error err = FP_ERROR_INIT;

    truth(p, FP_KIND_SLOW_METHOD, 0, 0, 30, 10, 20, 0);   /* found: a is slow */
    truth(p, FP_KIND_SLOW_METHOD, 1, 30, 32, 1, 0.01, 0); /* missed: b is not */
    truth(p, FP_KIND_MEMORY_LEAK, 1, 0, 0, 0, 0, 0);      /* no effect: not observable */
    fp_match_result_init(&m);
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, p, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&m, p, a, NULL, &err), FP_OK);
    fp_validate_run_record(&r, 7, p, a, &m);
    CU_ASSERT_EQUAL(r.run_index, 7);
    CU_ASSERT_EQUAL(r.injected, 1);
    CU_ASSERT_EQUAL(r.tp[FP_KIND_SLOW_METHOD], 1);
    CU_ASSERT_EQUAL(r.fn[FP_KIND_SLOW_METHOD], 1);
    CU_ASSERT_EQUAL(r.fp[FP_KIND_SLOW_METHOD], 0);
    CU_ASSERT_EQUAL(r.unobservable, 1);
    CU_ASSERT_EQUAL(r.n_items, 2);
    CU_ASSERT_EQUAL(r.top1, 1);
    CU_ASSERT_EQUAL(r.top1_found, 1);
    CU_ASSERT_EQUAL(r.items[0].found, 1);
    CU_ASSERT_EQUAL(r.items[0].rank, 0);
    FP_ASSERT_NEAR(r.items[0].cost, 20.0 / 32.0, 1e-12); /* extra seconds / duration */
    CU_ASSERT_EQUAL(r.items[1].found, 0);
    CU_ASSERT_EQUAL(r.items[1].rank, -1);

    /* When the costliest label is missed, top1 is wrong but top1_found is still right. */
    fp_profile_spans_mut(p); /* no change; rebuild the truth with b costliest */
    fp_profile *q = slow_profile();
    truth(q, FP_KIND_SLOW_METHOD, 0, 0, 30, 10, 5, 0);
    truth(q, FP_KIND_SLOW_METHOD, 1, 30, 32, 20, 10, 0);
    fp_analysis_free(a);
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, q, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&m, q, a, NULL, &err), FP_OK);
    fp_validate_run_record(&r, 8, q, a, &m);
    CU_ASSERT_EQUAL(r.top1, 0);
    CU_ASSERT_EQUAL(r.top1_found, 1);

    /* Nothing injected: top1 n/a; the run is clean. */
    fp_profile *c = slow_profile();
    fp_analysis_free(a);
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, c, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&m, c, a, NULL, &err), FP_OK);
    fp_validate_run_record(&r, 9, c, a, &m);
    CU_ASSERT_EQUAL(r.injected, 0);
    CU_ASSERT_EQUAL(r.top1, -1);
    CU_ASSERT_EQUAL(r.fp[FP_KIND_SLOW_METHOD], 1); /* a is slow, but nothing was injected */

    fp_analysis_free(a);
    fp_match_result_cleanup(&m);
    fp_profile_free(p);
    fp_profile_free(q);
    fp_profile_free(c);
}

/* A call storm making its method 75 % of the run: slow_method (path_share) on the same method is
 * its consequence. With the storm injected, the consequence is neither a true nor a false
 * positive and is counted; without (a clean run), both are false alarms. */
static void test_record_consequence(void)
{
    fp_profile *p = fp_profile_new();
    fp_analysis *a = NULL;
    fp_match_result m;
    fp_validate_run r;
    fp_error err = FP_ERROR_INIT;
    const fp_finding *f;
    size_t nf;
    CU_ASSERT_FATAL(p != NULL);
    uint32_t s = method(p, "fetch_row"), o = method(p, "other");
    double t = 0;
    for (int i = 0; i < 1500; i++, t += 0.01)
        span(p, s, t, 0.01, 10);
    for (int i = 0; i < 5; i++, t += 1.0)
        span(p, o, t, 1.0, 10);
    truth(p, FP_KIND_CALL_STORM, (int32_t)s, 0, 15, 1200, 12, 0);
    fp_match_result_init(&m);
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, p, NULL, &err), FP_OK);
    f = fp_analysis_findings(a, &nf);
    CU_ASSERT_EQUAL_FATAL(nf, 2);
    CU_ASSERT_EQUAL(f[0].kind, FP_KIND_CALL_STORM);
    CU_ASSERT_EQUAL(f[1].kind, FP_KIND_SLOW_METHOD);
    CU_ASSERT_EQUAL(f[1].caused_by, 1);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&m, p, a, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(m.true_positives, 1);
    CU_ASSERT_EQUAL(m.false_alarms, 0);
    CU_ASSERT_EQUAL(m.consequences, 1);
    CU_ASSERT_EQUAL(m.finding_truth[1], FP_MATCH_CONSEQUENCE);
    fp_validate_run_record(&r, 1, p, a, &m);
    CU_ASSERT_EQUAL(r.tp[FP_KIND_CALL_STORM], 1);
    CU_ASSERT_EQUAL(r.fp[FP_KIND_SLOW_METHOD], 0);
    CU_ASSERT_EQUAL(r.consequences, 1);
    {
        fp_validate_acc *acc = NULL;
        fp_validate_summary sum;
        CU_ASSERT_EQUAL_FATAL(fp_validate_acc_new(&acc, 1, &err), FP_OK);
        fp_validate_acc_add(acc, &r);
        fp_validate_acc_add(acc, &r);
        CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(acc, &sum, &err), FP_OK);
        CU_ASSERT_EQUAL(sum.consequences, 2);
        CU_ASSERT_EQUAL(sum.overall.fp, 0);
        fp_validate_acc_free(acc);
    }
    /* a slow_method truth on the same method is matched by the consequence itself */
    truth(p, FP_KIND_SLOW_METHOD, (int32_t)s, 0, 15, 1500, 3, 0);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&m, p, a, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(m.true_positives, 2);
    CU_ASSERT_EQUAL(m.consequences, 0);
    /* clean run (no truth): the cause is a false alarm, and so is its consequence */
    fp_profile_reset(p);
    s = method(p, "fetch_row");
    o = method(p, "other");
    t = 0;
    for (int i = 0; i < 1500; i++, t += 0.01)
        span(p, s, t, 0.01, 10);
    for (int i = 0; i < 5; i++, t += 1.0)
        span(p, o, t, 1.0, 10);
    fp_analysis_free(a);
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, p, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_match_run(&m, p, a, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(m.false_alarms, 2);
    CU_ASSERT_EQUAL(m.consequences, 0);
    fp_analysis_free(a);
    fp_match_result_cleanup(&m);
    fp_profile_free(p);
}

/*
 * CPU cost against the process's cores: the total is cores x duration core-seconds in the
 * validator's true cost and in the analysis' finding cost alike, and the truth's
 * extra_cpu_pct_s is % of one core whatever the cores (the series is % of all of them).
 */
static void test_truth_cost_cores(void)
{
    fp_truth t;
    fp_run_metrics run;
    memset(&t, 0, sizeof t);
    memset(&run, 0, sizeof run);
    t.kind = FP_KIND_CPU_SATURATION;
    t.extra_cpu_pct_s = 200; /* 2 core-seconds */
    run.duration_s = 10;
    run.cores = 1;
    FP_ASSERT_NEAR(fp_validate_truth_cost(&t, &run), 0.2, 1e-12);
    run.cores = 4;
    FP_ASSERT_NEAR(fp_validate_truth_cost(&t, &run), 0.05, 1e-12);
    run.cores = 0; /* unknown: one core */
    FP_ASSERT_NEAR(fp_validate_truth_cost(&t, &run), 0.2, 1e-12);

    /* A 1 s episode at 95 % of 4 cores over a 20 % level (idle 10 % + one worker at 40 % of a
     * core / 4), no noise: the truth holds (95 - 20) % x 1 s x 4 cores = 3 core-seconds, the
     * finding's saving is the same core-seconds above the background, and both costs are
     * 3 / (4 cores x 4 s). With cores 1 the level is 50 %: 0.45 core-s of 4 s. */
    static const int cores[] = {4, 1};
    static const double level[] = {20, 50};
    for (size_t c = 0; c < 2; c++) {
        char text[512];
        fp_scenario *s = NULL;
        fp_sim *sim = NULL, *sim0 = NULL;
        fp_sim_options on = FP_SIM_OPTIONS_INIT, off = FP_SIM_OPTIONS_INIT;
        fp_profile *p = fp_profile_new(), *p0 = fp_profile_new();
        fp_analysis *a = NULL;
        fp_error err = FP_ERROR_INIT;
        const fp_finding *f;
        size_t nf, i, n_cpu = 0;
        double diff = 0;
        snprintf(text, sizeof text,
                 "name: cores\nprocess: {idle_cpu_percent: 10, cores: %d, sample_interval_s: 0.1,\n"
                 "  noise: {memory_mb: 0, cpu_percent: 0, io_relative: 0}}\n"
                 "methods:\n  - {name: w, calls: 1, duration_s: 4, cpu_percent: 40}\n"
                 "bottlenecks:\n  - {kind: cpu_saturation, target: process, magnitude: 95, "
                 "episodes: 1,\n"
                 "     episode_s: 1, onset_s: 1}\n",
                 cores[c]);
        CU_ASSERT_EQUAL_FATAL(fp_scenario_load_string(&s, text, strlen(text), "cores", &err),
                              FP_OK);
        on.force_bottlenecks = 1;
        off.force_bottlenecks = 0;
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, s, &on, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim0, s, &off, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 3, 0, p, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim0, 3, 0, p0, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_profile_truth_count(p), 1);
        const fp_truth *tr = fp_profile_truth(p);
        fp_series on_s = fp_profile_series(p), off_s = fp_profile_series(p0);
        CU_ASSERT_EQUAL_FATAL(on_s.n, off_s.n);
        for (i = 0; i < on_s.n; i++)
            diff += (on_s.cpu_pct[i] - off_s.cpu_pct[i]) * on_s.interval_s;
        FP_ASSERT_NEAR(off_s.cpu_pct[0], level[c], 1e-9);
        /* the truth is the series' added %·s times the cores: % of one core */
        FP_ASSERT_NEAR(tr->extra_cpu_pct_s, diff * cores[c], 1e-6);
        FP_ASSERT_NEAR(tr->extra_cpu_pct_s, (95.0 - level[c]) * cores[c], 1e-6);
        CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, p, NULL, &err), FP_OK);
        FP_ASSERT_NEAR(fp_analysis_run(a)->cores, cores[c], 0);
        double want = fp_validate_truth_cost(tr, fp_analysis_run(a));
        FP_ASSERT_NEAR(want, (95.0 - level[c]) / 100.0 / 4.0, 1e-6);
        f = fp_analysis_findings(a, &nf);
        for (i = 0; i < nf; i++) {
            if (f[i].kind != FP_KIND_CPU_SATURATION || f[i].target != FP_TARGET_PROCESS)
                continue;
            n_cpu++;
            CU_ASSERT_STRING_EQUAL(f[i].improvement_unit, "core-s");
            /* the samples the episode covers only in part are where the two differ (about
             * 1 %); an analysis total of one core would make the cost 4 times the truth's */
            FP_ASSERT_NEAR(f[i].improvement, (95.0 - level[c]) / 100.0 * cores[c],
                           0.03 * (95.0 - level[c]) / 100.0 * cores[c]);
            FP_ASSERT_NEAR(f[i].cost, want, 0.03 * want);
            FP_ASSERT_NEAR(f[i].cost, f[i].improvement / (4.0 * cores[c]), 1e-12);
        }
        CU_ASSERT_EQUAL(n_cpu, 1);
        fp_analysis_free(a);
        fp_profile_free(p);
        fp_profile_free(p0);
        fp_sim_free(sim);
        fp_sim_free(sim0);
        fp_scenario_free(s);
    }
}

static void test_truncate(void)
{
    fp_profile *p = slow_profile(), *d = fp_profile_new();
    fp_error err = FP_ERROR_INIT;
    double *mem, *cpu, *ops, *bytes;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 32, 1.0, &mem, &cpu, &ops, &bytes), FP_OK);
    for (int i = 0; i < 32; i++)
        mem[i] = i;
    truth(p, FP_KIND_SLOW_METHOD, 0, 0, 30, 10, 20, 0);
    CU_ASSERT_EQUAL_FATAL(fp_validate_truncate(d, p, 4.5, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_span_count(d), 2); /* [0,3) and [3,4.5) */
    FP_ASSERT_NEAR(fp_profile_spans(d)[1].dur_s, 1.5, 1e-12);
    FP_ASSERT_NEAR(fp_profile_duration(d), 4.5, 1e-12);
    CU_ASSERT_EQUAL(fp_profile_series(d).n, 4);
    CU_ASSERT_EQUAL(fp_profile_series(d).mem_mb[3], 3.0);
    CU_ASSERT_EQUAL(fp_profile_method_count(d), 2);
    CU_ASSERT_EQUAL(fp_profile_truth_count(d), 1);
    CU_ASSERT_EQUAL(fp_profile_check(d, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_truncate(d, p, -1, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_validate_truncate(d, p, NAN, &err), FP_EINVAL);
    fp_profile_free(p);
    fp_profile_free(d);
}

static void test_ttd(void)
{
    /* cool work 0..10 s at 20 % CPU, then hot at 95 % from 10 to 20 s: the per-method CPU
     * detector fires on a prefix that includes enough of hot's work (below), found by a
     * bisection over [10, 20] with 8 analyses. */
    fp_profile *p = fp_profile_new(), *scratch = fp_profile_new();
    fp_match_result sm;
    fp_error err = FP_ERROR_INIT;
    uint32_t cool = method(p, "cool"), hot = method(p, "hot");
    double ttd = -1;
    int det = -1;
    for (int i = 0; i < 10; i++)
        span(p, cool, i, 1, 20);
    for (int i = 0; i < 10; i++)
        span(p, hot, 10 + i, 1, 95);
    truth(p, FP_KIND_CPU_SATURATION, (int32_t)hot, 10, 20, 10, 0, 750);
    fp_match_result_init(&sm);
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_time_to_detect(&ttd, &det, p, 0, NULL, NULL, scratch, &sm, &err), FP_OK);
    CU_ASSERT_EQUAL(det, 1);
    /* the per-method finding needs the episode area of cpu_saturation.min_pct_s (5 %*s):
     * (95 - 80) % x hot's own time >= 5, i.e. 1/3 s of hot's work; the bisection resolves that
     * to within 10 / 2^7 s */
    CU_ASSERT_TRUE(ttd >= 1.0 / 3.0 && ttd <= 1.0 / 3.0 + 10.0 / 128.0);

    /* A label the full run does not detect: not detected, ttd 0. */
    truth(p, FP_KIND_SLOW_METHOD, (int32_t)cool, 0, 10, 10, 1, 0);
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_time_to_detect(&ttd, &det, p, 1, NULL, NULL, scratch, &sm, &err), FP_OK);
    CU_ASSERT_EQUAL(det, 0);
    CU_ASSERT_EQUAL(ttd, 0.0);
    fp_match_result_cleanup(&sm);
    fp_profile_free(p);
    fp_profile_free(scratch);
}

/* ---- accumulation ---- */

static void test_acc(void)
{
    fp_validate_acc *acc = NULL;
    fp_validate_summary s;
    fp_validate_run r[3];
    fp_error err = FP_ERROR_INIT;
    memset(r, 0, sizeof r);
    /* run 0: 2 labels (slow found at rank 0, leak missed), 1 false alarm (cpu) */
    r[0].injected = 1;
    r[0].top1 = 1;
    r[0].top1_found = 1;
    r[0].tp[FP_KIND_SLOW_METHOD] = 1;
    r[0].fn[FP_KIND_MEMORY_LEAK] = 1;
    r[0].fp[FP_KIND_CPU_SATURATION] = 1;
    r[0].n_items = 2;
    r[0].items[0] = (fp_validate_item){FP_KIND_SLOW_METHOD, 0, 1, 0, 0.5, 80, 10, 0, 0, 0, 0, 2};
    r[0].items[1] = (fp_validate_item){FP_KIND_MEMORY_LEAK, 1, 0, -1, 0.1, 0, 20, 0, 0, 1, -1, 3};
    /* run 1: clean, 2 false alarms */
    r[1].top1 = -1;
    r[1].top1_found = -1;
    r[1].fp[FP_KIND_LATENCY_OUTLIERS] = 2;
    /* run 2: leak found at rank 4 (outside the top 3) with a time to detect of 5 s of 20 */
    r[2].injected = 1;
    r[2].top1 = 0;
    r[2].top1_found = 0;
    r[2].tp[FP_KIND_MEMORY_LEAK] = 1;
    r[2].n_items = 1;
    r[2].items[0] = (fp_validate_item){FP_KIND_MEMORY_LEAK, 1, 1, 4, 0.2, 60, 20, 1, 5, 0, -1, 3};

    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_new(&acc, 2, &err), FP_OK);
    for (int i = 0; i < 3; i++)
        fp_validate_acc_add(acc, &r[i]);
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(acc, &s, &err), FP_OK);
    CU_ASSERT_EQUAL(s.runs, 3);
    CU_ASSERT_EQUAL(s.injected_runs, 2);
    CU_ASSERT_EQUAL(s.clean_runs, 1);
    CU_ASSERT_EQUAL(s.overall.tp, 2);
    CU_ASSERT_EQUAL(s.overall.fp, 3);
    CU_ASSERT_EQUAL(s.overall.fn, 1);
    FP_ASSERT_NEAR(s.overall.precision.value, 2.0 / 5.0, 1e-15);
    FP_ASSERT_NEAR(s.overall.recall.value, 2.0 / 3.0, 1e-15);
    FP_ASSERT_NEAR(s.overall.f1.value, 2.0 * 2 / (2.0 * 2 + 3 + 1), 1e-15);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].tp, 1);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].fn, 1);
    CU_ASSERT_FALSE(s.kinds[FP_KIND_LATENCY_OUTLIERS].recall.available);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_n, 1);
    FP_ASSERT_NEAR(s.kinds[FP_KIND_MEMORY_LEAK].ttd_mean_s, 5.0, 1e-15);
    FP_ASSERT_NEAR(s.kinds[FP_KIND_MEMORY_LEAK].ttd_p95_s, 5.0, 1e-15);
    CU_ASSERT_EQUAL(s.clean_false_alarms, 2);
    FP_ASSERT_NEAR(s.clean_false_alarms_per_run, 2.0, 1e-15);
    FP_ASSERT_NEAR(s.clean_runs_alarmed.value, 1.0, 1e-15);
    FP_ASSERT_NEAR(s.top1.value, 0.5, 1e-15);
    FP_ASSERT_NEAR(s.topk.value, 1.0 / 3.0, 1e-15); /* slow at rank 0; leak missed; rank 4 */
    CU_ASSERT_EQUAL(s.sources[1].found, 1);
    CU_ASSERT_EQUAL(s.sources[1].missed, 1);
    CU_ASSERT_EQUAL(s.sources[1].kind, FP_KIND_MEMORY_LEAK);
    /* NAB: credits s(-1) for slow and s(5/20 - 1) for the leak; 3 FP, 1 FN, 3 labels */
    double credit = fp_validate_nab_sigmoid(-1) + fp_validate_nab_sigmoid(-0.75);
    FP_ASSERT_NEAR(s.nab[FP_NAB_STANDARD], fp_validate_nab_score(FP_NAB_STANDARD, credit, 3, 1, 3),
                   1e-12);
    CU_ASSERT_EQUAL(s.spearman_available, 0); /* only 2 pairs */

    /* Same records in the same order into a second accumulator: identical summary. */
    fp_validate_acc *b = NULL;
    fp_validate_summary t;
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_new(&b, 2, &err), FP_OK);
    for (int i = 0; i < 3; i++)
        fp_validate_acc_add(b, &r[i]);
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(b, &t, &err), FP_OK);
    CU_ASSERT_EQUAL(memcmp(&s.overall, &t.overall, sizeof s.overall), 0);
    CU_ASSERT_EQUAL(memcmp(s.nab, t.nab, sizeof s.nab), 0);
    fp_validate_acc_free(acc);
    fp_validate_acc_free(b);
}

/* ---- suite engine: the run engine (validate/fp_validate_engine.c) ---- */

static fp_scenario *load_builtin(const char *name)
{
    char path[1024];
    fp_scenario *scn = NULL;
    fp_error err = FP_ERROR_INIT;
    snprintf(path, sizeof path, "%s/scenarios/%s.yaml", FP_SOURCE_DIR, name);
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_file(&scn, path, &err), FP_OK);
    return scn;
}

/* New engine over `scns` with `jobs` workers and default thresholds. */
static fp_validate_engine *engine(fp_scenario *const *scns, size_t n, unsigned jobs, uint64_t runs)
{
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    cfg.runs = runs;
    cfg.jobs = jobs;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scns[i], 7 + i, &th, &err), FP_OK);
    return e;
}

typedef fp_status (*writer_fn)(FILE *, fp_report_format, const fp_validate_engine *, fp_error *);

static char *render(writer_fn fn, fp_report_format fmt, const fp_validate_engine *e)
{
    char *buf = NULL;
    size_t len = 0;
    fp_error err = FP_ERROR_INIT;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fn(f, fmt, e, &err), FP_OK);
    fclose(f);
    return buf;
}

/* The same study with 1 and 3 workers gives byte-identical documents in every format. */
static void test_engine_jobs(void)
{
    fp_scenario *scns[2] = {load_builtin("bottlenecked"), load_builtin("memory-intensive")};
    fp_validate_engine *e1 = engine(scns, 2, 1, 6), *e3 = engine(scns, 2, 3, 6);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_run(e1, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_run(e3, &err), FP_OK);
    const fp_validate_summary *all = fp_validate_engine_overall(e1);
    CU_ASSERT_EQUAL(all->runs, 24); /* 2 scenarios x 6 indices x (all, none) */
    CU_ASSERT_EQUAL(all->injected_runs, 12);
    CU_ASSERT(all->overall.tp > 0);
    const fp_validate_scenario_result *r = fp_validate_engine_scenario(e1, 0);
    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_STRING_EQUAL(r->name, fp_scenario_name(scns[0]));
    CU_ASSERT_EQUAL(r->seed, 7);
    CU_ASSERT_EQUAL(r->n_sources, fp_scenario_bottleneck_count(scns[0]));
    CU_ASSERT_EQUAL(r->sources[0].kind, (int)FP_KIND_SLOW_METHOD);
    CU_ASSERT_PTR_NULL(fp_validate_engine_scenario(e1, 2));
    for (int fmt = FP_REPORT_TEXT; fmt <= FP_REPORT_CSV; fmt++) {
        char *a = render(fp_report_write_validate, (fp_report_format)fmt, e1);
        char *b = render(fp_report_write_validate, (fp_report_format)fmt, e3);
        CU_ASSERT_STRING_EQUAL(a, b);
        free(a);
        free(b);
    }
    fp_validate_engine_free(e1);
    fp_validate_engine_free(e3);
    fp_scenario_free(scns[0]);
    fp_scenario_free(scns[1]);
}

typedef struct prog {
    uint64_t calls, last_done, total;
    int monotone;
} prog;

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    prog *p = ctx;
    p->monotone &= done > p->last_done && done <= total;
    p->calls++;
    p->last_done = done;
    p->total = total;
}

typedef struct wprog {
    prog runs;
    double work_done, work_total;
    int work_monotone, work_is_runs;
} wprog;

static void on_progress_work(void *ctx, uint64_t done, uint64_t total, double work_done,
                             double work_total)
{
    wprog *w = ctx;
    on_progress(&w->runs, done, total);
    w->work_monotone &= work_done > w->work_done && work_done <= work_total * (1 + 1e-12);
    w->work_is_runs &= work_done == (double)done && work_total == (double)total;
    w->work_done = work_done;
    w->work_total = work_total;
}

/* progress_work: without a probe (runs < 1024) the work is the runs; two scenarios of 1024 runs
 * are probed first, and the work is then seconds (far below the runs' count), growing to its
 * total; the results equal those of the study without progress_work. */
static void test_engine_progress_work(void)
{
    fp_scenario *scn = load_builtin("optimal");
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL, *ref = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    wprog w = {{0, 0, 0, 1}, 0, 0, 1, 1};
    cfg.runs = 300;
    cfg.ttd = 0;
    cfg.inject = FP_VALIDATE_INJECT_NONE;
    cfg.progress_work = on_progress_work;
    cfg.progress_ctx = &w;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 1, &th, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 2, &th, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_engine_run(e, &err), FP_OK);
    CU_ASSERT_EQUAL(w.runs.last_done, 600);
    CU_ASSERT(w.work_is_runs && w.work_monotone && w.runs.monotone);
    fp_validate_engine_free(e);

    memset(&w, 0, sizeof w);
    w.runs.monotone = w.work_monotone = w.work_is_runs = 1;
    cfg.runs = 1024;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 1, &th, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 2, &th, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_engine_run(e, &err), FP_OK);
    CU_ASSERT_EQUAL(w.runs.last_done, 2048);
    CU_ASSERT(w.runs.monotone && w.work_monotone);
    CU_ASSERT_FALSE(w.work_is_runs);
    CU_ASSERT(w.work_total > 0 && w.work_total < 100); /* 2048 runs of about a millisecond */
    CU_ASSERT_DOUBLE_EQUAL(w.work_done, w.work_total, 1e-12 * w.work_total);
    cfg.progress_work = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&ref, &cfg, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(ref, scn, 1, &th, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(ref, scn, 2, &th, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_engine_run(ref, &err), FP_OK);
    for (size_t i = 0; i < 2; i++) {
        const fp_validate_summary *x = &fp_validate_engine_scenario(e, i)->sum;
        const fp_validate_summary *y = &fp_validate_engine_scenario(ref, i)->sum;
        CU_ASSERT_EQUAL(x->runs, 1024);
        CU_ASSERT_EQUAL(x->runs, y->runs);
        CU_ASSERT_EQUAL(x->overall.fp, y->overall.fp);
        CU_ASSERT_EQUAL(x->clean_false_alarms, y->clean_false_alarms);
        CU_ASSERT(x->clean_false_alarms_per_run == y->clean_false_alarms_per_run);
    }
    fp_validate_engine_free(ref);
    fp_validate_engine_free(e);
    fp_scenario_free(scn);
}

static int cancel_after(void *ctx)
{
    int *budget = ctx;
    return --*budget < 0;
}

/* Progress reaches the total through the callback; a cancel callback stops a study (FP_EINTR). */
static void test_engine_progress_cancel(void)
{
    fp_scenario *scn = load_builtin("optimal");
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    prog p = {0, 0, 0, 1};
    int budget = 3;
    cfg.runs = 300; /* 600 units: 3 batches of 256 with one worker */
    cfg.ttd = 0;
    cfg.progress = on_progress;
    cfg.progress_ctx = &p;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 1, &th, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_engine_run(e, &err), FP_OK);
    CU_ASSERT_EQUAL(p.calls, 3);
    CU_ASSERT_EQUAL(p.last_done, 600);
    CU_ASSERT_EQUAL(p.total, 600);
    CU_ASSERT(p.monotone);
    fp_validate_engine_free(e);

    cfg.progress = NULL;
    cfg.cancel = cancel_after;
    cfg.cancel_ctx = &budget;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 1, &th, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_engine_run(e, &err), FP_EINTR);
    CU_ASSERT_STRING_EQUAL(err.msg, "interrupted");
    fp_validate_engine_free(e);

    cfg.cancel = NULL;
    cfg.jobs = 0;
    CU_ASSERT_EQUAL(fp_validate_engine_new(&e, &cfg, &err), FP_EINVAL);
    CU_ASSERT_PTR_NULL(e);
    fp_scenario_free(scn);
}

/* --sweep names: a detector, a default key, any detector threshold; errors for the rest. */
static void test_engine_sweep_resolve(void)
{
    double grid[FP_VALIDATE_MAX_GRID], def;
    size_t n;
    fp_kind k;
    const char *key;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds t = FP_THRESHOLDS_INIT;
    CU_ASSERT_EQUAL(fp_validate_sweep_resolve("slow_method", &k, &key, grid, &n, &err), FP_OK);
    CU_ASSERT_EQUAL(k, FP_KIND_SLOW_METHOD);
    CU_ASSERT_STRING_EQUAL(key, "slow_method.mean_s");
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_EQUAL(grid[0], 0.5);
    CU_ASSERT_EQUAL(fp_validate_sweep_resolve("io_heavy.ops", &k, &key, grid, &n, &err), FP_OK);
    CU_ASSERT_EQUAL(k, FP_KIND_IO_HEAVY);
    CU_ASSERT_EQUAL(n, 6);
    /* Another key of a detector: 7 multiples of its default. */
    CU_ASSERT_EQUAL_FATAL(fp_thresholds_get(&t, "latency_outliers.min_calls", &def, &err), FP_OK);
    CU_ASSERT_EQUAL(
        fp_validate_sweep_resolve("latency_outliers.min_calls", &k, &key, grid, &n, &err), FP_OK);
    CU_ASSERT_EQUAL(k, FP_KIND_LATENCY_OUTLIERS);
    CU_ASSERT_EQUAL(n, 7);
    CU_ASSERT_EQUAL(grid[3], def);
    CU_ASSERT_EQUAL(grid[6], 4 * def);
    /* ... only those inside the key's [min, max], without repeats; none for a default of 0 */
    CU_ASSERT_EQUAL(fp_validate_sweep_resolve("slow_method.path_share", &k, &key, grid, &n, &err),
                    FP_OK);
    CU_ASSERT_EQUAL(n, 6); /* 0.125 ... 1: 2 * 0.5 = 1 is the max, 4 * 0.5 is over it */
    CU_ASSERT_EQUAL(grid[5], 1.0);
    CU_ASSERT_EQUAL(
        fp_validate_sweep_resolve("latency_outliers.min_count", &k, &key, grid, &n, &err), FP_OK);
    CU_ASSERT_EQUAL(n, 4); /* 1, 1.5, 2, 4: min 1 */
    CU_ASSERT_EQUAL(grid[0], 1.0);
    CU_ASSERT_EQUAL(fp_validate_sweep_resolve("call_storm.ratio", &k, &key, grid, &n, &err), FP_OK);
    CU_ASSERT_EQUAL(n, 0);
    for (size_t i = 0; i < fp_thresholds_key_count(); i++) {
        const fp_threshold_info *ti = fp_thresholds_key_info(i);
        if (fp_validate_sweep_resolve(ti->key, &k, &key, grid, &n, &err) != FP_OK)
            continue; /* the score's keys */
        CU_ASSERT_EQUAL(fp_validate_sweep_check(key, grid, n, &err), FP_OK);
        for (size_t j = 1; j < n; j++)
            CU_ASSERT(grid[j] > grid[j - 1]);
    }
    /* every value is checked against the key's range before anything runs */
    const double bad[] = {0.5, 2};
    CU_ASSERT_EQUAL(fp_validate_sweep_check("slow_method.path_share", bad, 2, &err), FP_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "analysis threshold 'slow_method.path_share' must be in [0, 1], got 2");
    CU_ASSERT_EQUAL(fp_validate_sweep_check("slow_method.path_share", bad, 1, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_sweep_resolve("nope", &k, &key, grid, &n, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown detector or threshold 'nope'");
    CU_ASSERT_EQUAL(fp_validate_sweep_resolve("score.avg_cpu_pct", &k, &key, grid, &n, &err),
                    FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "'score.avg_cpu_pct' is not a detector threshold");
    fp_validate_inject m = FP_VALIDATE_INJECT_BOTH;
    for (int i = FP_VALIDATE_INJECT_BOTH; i <= FP_VALIDATE_INJECT_SCENARIO; i++) {
        CU_ASSERT_EQUAL(
            fp_validate_inject_from_name(fp_validate_inject_name((fp_validate_inject)i), &m),
            FP_OK);
        CU_ASSERT_EQUAL((int)m, i);
    }
    CU_ASSERT_EQUAL(fp_validate_inject_from_name("some", &m), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(fp_validate_inject_name((fp_validate_inject)9), "?");
}

/*
 * validate --help names every detector --sweep takes (cli/fp_cli_validate.c: "threshold (NAME,
 * NAME, ..., or a dotted threshold key)"): the list in the help text is the registry's, in order.
 */
static void test_sweep_help_lists_detectors(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cli/fp_cli_validate.c", FP_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char src[1 << 17];
    size_t len = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    src[len] = '\0';
    const char *b = strstr(src, "sweep a detector's threshold (");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    b += strlen("sweep a detector's threshold (");
    const char *e = strstr(b, ", or a dotted threshold key");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    /* the names without the C string's quotes, "\n" escapes and indentation */
    char is[1024], want[1024] = "";
    size_t k = 0;
    for (const char *c = b; c < e && k + 1 < sizeof is; c++) {
        if (c[0] == '\\' && c[1] == 'n')
            c++;
        else if (*c != '"' && *c != ' ' && *c != '\n')
            is[k++] = *c;
    }
    is[k] = '\0';
    for (size_t i = 0; i < fp_detector_count(); i++) {
        if (i > 0)
            strcat(want, ",");
        strcat(want, fp_detector_get(i)->name);
    }
    if (strcmp(is, want) != 0)
        fprintf(stderr, "validate --help --sweep list:\n  is:   %s\n  want: %s\n", is, want);
    CU_ASSERT_STRING_EQUAL(is, want);
}

/* A sweep gives one point per threshold; a power curve rows grouped per bottleneck, grid order. */
/* Synthetic timings: `phases` of (duration s, runs/s), updates every 0.25 s. Checks the ETA is
 * within 25 % of the true remaining time at every update from `check_from` runs on; returns the
 * largest relative error of the naive estimator (runs done / elapsed) over the same updates. */
static double progress_run(const double (*phases)[2], int n_phases, uint64_t total,
                           uint64_t check_from)
{
    fp_progress p;
    double end = 0, naive_worst = 0, worst = 0;
    for (int i = 0; i < n_phases; i++)
        end += phases[i][0];
    fp_progress_start(&p, 0);
    double t = 0, done = 0;
    int ph = 0;
    double ph_end = phases[0][0];
    while (ph < n_phases) {
        t += 0.25;
        while (ph < n_phases && t > ph_end) {
            ph++;
            if (ph < n_phases)
                ph_end += phases[ph][0];
        }
        if (ph >= n_phases)
            break;
        done += 0.25 * phases[ph][1];
        fp_progress_update(&p, t, (uint64_t)done);
        double rate, eta;
        if ((uint64_t)done < check_from)
            continue;
        CU_ASSERT_FATAL(fp_progress_eta(&p, total, &rate, &eta));
        double truth = end - t;
        if (truth < 1)
            break;
        double e = fabs(eta - truth) / truth;
        worst = e > worst ? e : worst;
        double naive = ((double)total - done) / (done / t);
        double ne = fabs(naive - truth) / truth;
        naive_worst = ne > naive_worst ? ne : naive_worst;
    }
    CU_ASSERT(worst <= 0.25);
    if (worst > 0.25)
        fprintf(stderr, "progress: ETA off by %.0f %%\n", 100 * worst);
    return naive_worst;
}

/* The ETA is within 25 % after the first 10 % with a start-up phase (60 s with no run done, then
 * 100 runs/s), and after twice the fast phase's time when the first 10 % ran 10x faster; the
 * naive estimate is far off in both (so the test tells them apart). */
static void test_progress_eta(void)
{
    fp_progress p;
    double rate, eta;
    fp_progress_start(&p, 100);
    CU_ASSERT_FALSE(fp_progress_eta(&p, 10, &rate, &eta));
    fp_progress_update(&p, 102, 0);
    CU_ASSERT_FALSE(fp_progress_eta(&p, 10, &rate, &eta));
    fp_progress_update(&p, 104, 4);
    /* the window is the last half: 4 runs in [102, 104], 2 runs/s, 3 s for the 6 left */
    CU_ASSERT(fp_progress_eta(&p, 10, &rate, &eta));
    FP_ASSERT_NEAR(rate, 2.0, 1e-12);
    FP_ASSERT_NEAR(eta, 3.0, 1e-12);

    static const double startup[][2] = {{60, 0}, {1000, 100}};
    CU_ASSERT(progress_run(startup, 2, 100000, 10000) > 0.4);
    static const double fast_first[][2] = {{10, 1000}, {900, 100}};
    CU_ASSERT(progress_run(fast_first, 2, 100000, 12500) > 0.4);
    static const double steady[][2] = {{2000, 100}};
    CU_ASSERT(progress_run(steady, 1, 200000, 20000) < 0.01);
}

/* fp_progress_work: runs through segments in order, each run at its segment's cost. */
static void test_progress_work(void)
{
    static const uint64_t units[] = {10, 0, 20};
    static const double cost[] = {1.0, 7.0, 0.5};
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 3, 0), 0.0, 0);
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 3, 4), 4.0, 0);
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 3, 10), 10.0, 0);
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 3, 16), 13.0, 0);
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 3, 30), 20.0, 0);
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 3, UINT64_MAX), 20.0, 0);
    FP_ASSERT_NEAR(fp_progress_work(units, cost, 0, 5), 0.0, 0);
}

/* A synthetic two-speed study, like validate -s all: 10,000 runs at 1 ms, then 10,000 at 4 ms
 * (50 s), updated every 0.25 s. Over the work (the probe's exact costs) the ETA is exactly the
 * time left at 10, 25, 50 and 75 % of the time; over the runs it is 15 s at 10 % (45 s left). */
static void test_progress_two_speed(void)
{
    static const uint64_t units[] = {10000, 10000};
    static const double cost[] = {0.001, 0.004};
    static const double at[] = {5, 12.5, 25, 37.5}; /* 10, 25, 50, 75 % of 50 s */
    fp_progress work, runs;
    fp_progress_start(&work, 0);
    fp_progress_start(&runs, 0);
    double total = fp_progress_work(units, cost, 2, UINT64_MAX);
    FP_ASSERT_NEAR(total, 50.0, 1e-9);
    size_t k = 0;
    for (int step = 1; step <= 200 && k < 4; step++) {
        double t = 0.25 * step;
        uint64_t done = t <= 10 ? (uint64_t)(t * 1000) : 10000 + (uint64_t)((t - 10) * 250);
        fp_progress_update(&work, t, fp_progress_work(units, cost, 2, done));
        fp_progress_update(&runs, t, (double)done);
        if (t != at[k])
            continue;
        double rate, eta;
        CU_ASSERT_FATAL(fp_progress_eta(&work, total, &rate, &eta));
        FP_ASSERT_NEAR(rate, 1.0, 1e-9);
        FP_ASSERT_NEAR(eta, 50 - t, 1e-9);
        if (k == 0) {
            CU_ASSERT_FATAL(fp_progress_eta(&runs, 20000, &rate, &eta));
            FP_ASSERT_NEAR(rate, 1000.0, 1e-9);
            FP_ASSERT_NEAR(eta, 15.0, 1e-9);
        }
        k++;
    }
    CU_ASSERT_EQUAL(k, 4);
}

/* Feeds `n` one-label records with time to detect ttd(i) = 1 s for i < n1, else 2 s. */
static void add_ttd_runs(fp_validate_acc *acc, int n, int n1)
{
    fp_validate_run r;
    memset(&r, 0, sizeof r);
    r.injected = 1;
    r.top1 = 1;
    r.top1_found = 1;
    r.tp[FP_KIND_MEMORY_LEAK] = 1;
    r.n_items = 1;
    for (int i = 0; i < n; i++) {
        double ttd = i < n1 ? 1.0 : 2.0;
        r.items[0] =
            (fp_validate_item){FP_KIND_MEMORY_LEAK, 0, 1, 0, 0.2, 60, 20, 1, ttd, 0, -1, 3};
        fp_validate_acc_add(acc, &r);
    }
}

/* The time-to-detect p95 over every value, not over a first sample: exact (and not flagged) up
 * to FP_VALIDATE_TTD_EXACT values; beyond, from the sketch, flagged approximate and within
 * FP_QUANTILE_REL_ERR of 2 s. 150 000 values, the first 100 000 of them 1 s: a sample of the
 * first values would say 1 s. */
static void test_acc_ttd_exact(void)
{
    fp_validate_acc *acc = NULL;
    fp_validate_summary s;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_new(&acc, 1, &err), FP_OK);
    /* FP_VALIDATE_TTD_EXACT values, 94 % of them 1 s: exact, p95 between the two */
    add_ttd_runs(acc, FP_VALIDATE_TTD_EXACT, FP_VALIDATE_TTD_EXACT / 100 * 94);
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(acc, &s, &err), FP_OK);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_n, FP_VALIDATE_TTD_EXACT);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_p95_approximate, 0);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_p95_s, 2.0);
    fp_validate_acc_free(acc);

    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_new(&acc, 1, &err), FP_OK);
    add_ttd_runs(acc, 150000, 100000);
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(acc, &s, &err), FP_OK);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_n, 150000);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_p95_approximate, 1);
    double p95 = s.kinds[FP_KIND_MEMORY_LEAK].ttd_p95_s;
    FP_ASSERT_NEAR(p95, 2.0, 2.0 * FP_QUANTILE_REL_ERR);
    FP_ASSERT_NEAR(s.kinds[FP_KIND_MEMORY_LEAK].ttd_mean_s, 4.0 / 3.0, 1e-12);
    /* the Spearman pairs are capped, and the summary says of how many true positives (the
     * writers then call it an estimate over the first FP_VALIDATE_SAMPLE_CAP) */
    CU_ASSERT_EQUAL(s.spearman_n, FP_VALIDATE_SAMPLE_CAP);
    CU_ASSERT_EQUAL(s.spearman_of, 150000);
    /* a second summary gives the same */
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(acc, &s, &err), FP_OK);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_p95_s, p95);
    fp_validate_acc_free(acc);
}

/* An accumulator's memory does not grow with the runs: once the Spearman sample is full and the
 * time-to-detect store is sketched, a million more runs (times in the range already seen) make no
 * allocation at all. (Before issue 15's bound every time to detect was kept: 8 bytes a run,
 * grown by doubling, so this count was 5.) */
static void test_acc_memory_bounded(void)
{
    fp_validate_acc *acc = NULL;
    fp_validate_summary s;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_new(&acc, 1, &err), FP_OK);
    add_ttd_runs(acc, 2 * FP_VALIDATE_TTD_EXACT, FP_VALIDATE_TTD_EXACT);
    fp_alloc_fail_after(0); /* count from here, fail nothing */
    add_ttd_runs(acc, 1000000, 500000);
    CU_ASSERT_EQUAL(fp_alloc_count(), 0);
    CU_ASSERT_EQUAL_FATAL(fp_validate_acc_summary(acc, &s, &err), FP_OK);
    CU_ASSERT_EQUAL(s.kinds[FP_KIND_MEMORY_LEAK].ttd_n, 1020000);
    fp_validate_acc_free(acc);
}

static void test_engine_sweep_power(void)
{
    fp_scenario *scns[2] = {load_builtin("optimal"), load_builtin("memory-intensive")};
    fp_validate_engine *e = engine(scns, 2, 2, 4);
    fp_error err = FP_ERROR_INIT;
    static const double sgrid[] = {0.5, 100};
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_engine_sweep(e, FP_KIND_SLOW_METHOD, "slow_method.mean_s", sgrid, 2, &err),
        FP_OK);
    size_t n;
    fp_kind k;
    const char *key;
    const fp_validate_sweep_point *pts = fp_validate_engine_sweep_points(e, &n, &k, &key);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(k, FP_KIND_SLOW_METHOD);
    CU_ASSERT_STRING_EQUAL(key, "slow_method.mean_s");
    CU_ASSERT_EQUAL(pts[1].value, 100);
    /* A higher threshold: fewer findings, so fewer false alarms and no more true positives. */
    CU_ASSERT(pts[0].ks.tp > 0);
    CU_ASSERT(pts[0].ks.fp > pts[1].ks.fp);
    CU_ASSERT(pts[0].ks.tp >= pts[1].ks.tp);
    CU_ASSERT_EQUAL(fp_validate_engine_sweep(e, FP_KIND_SLOW_METHOD, "no.such", sgrid, 1, &err),
                    FP_EINVAL);

    static const double pgrid[] = {0.05, 1, 3};
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_power(e, FP_KIND_MEMORY_LEAK, pgrid, 3, &err), FP_OK);
    const fp_validate_power_row *rows = fp_validate_engine_power_rows(e, &n, &k);
    CU_ASSERT_EQUAL(k, FP_KIND_MEMORY_LEAK);
    CU_ASSERT_EQUAL_FATAL(n, 6); /* memory-intensive declares two leaks; optimal none */
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(rows[i].scenario, 1);
        CU_ASSERT_EQUAL(rows[i].g, i % 3);
        CU_ASSERT_EQUAL(rows[i].scale, pgrid[i % 3]);
        CU_ASSERT_EQUAL(rows[i].total, 4);
        if (i % 3 > 0)
            CU_ASSERT(rows[i].magnitude > rows[i - 1].magnitude);
    }
    double mag, s = fp_validate_power_mde(rows, n, 1, rows[0].source, &mag);
    CU_ASSERT(s < 0 || (s == rows[0].scale && mag == rows[0].magnitude) ||
              (s == rows[1].scale && mag == rows[1].magnitude) ||
              (s == rows[2].scale && mag == rows[2].magnitude));
    CU_ASSERT_EQUAL(fp_validate_power_mde(rows, n, 0, 0, &mag), -1);
    CU_ASSERT_EQUAL(mag, 0);
    fp_validate_engine_free(e);
    fp_scenario_free(scns[0]);
    fp_scenario_free(scns[1]);
}

static fp_scenario *load_unlike(const char *name)
{
    char path[1024];
    fp_scenario *scn = NULL;
    fp_error err = FP_ERROR_INIT;
    snprintf(path, sizeof path, "%s/tests/data/unlike/%s.yaml", FP_SOURCE_DIR, name);
    CU_ASSERT_EQUAL_FATAL(fp_scenario_load_file(&scn, path, &err), FP_OK);
    return scn;
}

/* --inject both on a scenario without bottlenecks: each index once, as a clean run (it used to
 * simulate the same clean run twice and count both). A scenario with bottlenecks: twice. */
static void test_engine_both_without_bottlenecks(void)
{
    fp_scenario *scns[2] = {load_unlike("heavy-tail-pareto"), load_builtin("optimal")};
    fp_validate_engine *e = engine(scns, 2, 1, 6);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_run(e, &err), FP_OK);
    const fp_validate_summary *clean = &fp_validate_engine_scenario(e, 0)->sum;
    CU_ASSERT_EQUAL(clean->runs, 6);
    CU_ASSERT_EQUAL(clean->clean_runs, 6);
    CU_ASSERT_EQUAL(clean->injected_runs, 0);
    const fp_validate_summary *inj = &fp_validate_engine_scenario(e, 1)->sum;
    CU_ASSERT_EQUAL(inj->runs, 12);
    CU_ASSERT_EQUAL(inj->clean_runs, 6);
    CU_ASSERT_EQUAL(fp_validate_engine_overall(e)->runs, 18);
    fp_validate_engine_free(e);
    fp_scenario_free(scns[0]);
    fp_scenario_free(scns[1]);
}

/* --power of a kind no scenario declares is an error before any run, with a message. */
static void test_engine_power_undeclared(void)
{
    fp_scenario *scns[2] = {load_builtin("optimal"), load_builtin("memory-intensive")};
    static const double g[] = {1};
    fp_error err = FP_ERROR_INIT;
    fp_validate_engine *e = engine(scns, 1, 1, 2);
    CU_ASSERT_EQUAL(fp_validate_engine_power(e, FP_KIND_CALL_STORM, g, 1, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "scenario 'optimal' declares no bottleneck of kind call_storm");
    fp_validate_engine_free(e);
    e = engine(scns, 2, 1, 2);
    CU_ASSERT_EQUAL(fp_validate_engine_power(e, FP_KIND_IO_HEAVY, g, 1, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "no scenario declares a bottleneck of kind io_heavy");
    CU_ASSERT_EQUAL(fp_validate_engine_power(e, FP_KIND_MEMORY_LEAK, g, 1, &err), FP_OK);
    fp_validate_engine_free(e);
    fp_scenario_free(scns[0]);
    fp_scenario_free(scns[1]);
}

/* A sweep of a kind with only false alarms: the best point is the one that removes them (fewest
 * false positives, ties to the value nearest the default), not "F1 0 at the first point". */
static void test_engine_sweep_best(void)
{
    /* 1,500 cheap calls: call_storm fires when its min_share is off (by default those calls are
     * too cheap a share of the run to be a storm at all) */
    fp_scenario *scn = load_unlike("many-cheap-calls");
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    fp_error err = FP_ERROR_INIT;
    cfg.runs = 3;
    cfg.jobs = 1;
    th.storm_min_share = 0;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_scenario(e, scn, 7, &th, &err), FP_OK);
    static const double g[] = {100, 1000, 5000, 2000, 3000};
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_engine_sweep(e, FP_KIND_CALL_STORM, "call_storm.calls", g, 5, &err), FP_OK);
    fp_validate_best_rule rule;
    double def;
    CU_ASSERT_EQUAL(fp_validate_sweep_best(e, &rule, &def), 3); /* 2000: 0 FP, nearest 1000 */
    CU_ASSERT_EQUAL(rule, FP_VALIDATE_BEST_FEWEST_FP);
    CU_ASSERT_EQUAL(def, 1000);
    /* With true positives, the highest F1 as before. */
    fp_validate_engine_free(e);
    fp_scenario_free(scn);
    scn = load_builtin("optimal");
    e = engine(&scn, 1, 1, 3);
    static const double g2[] = {0.5, 2, 100};
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_engine_sweep(e, FP_KIND_SLOW_METHOD, "slow_method.mean_s", g2, 3, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_validate_sweep_best(e, &rule, NULL), 1);
    CU_ASSERT_EQUAL(rule, FP_VALIDATE_BEST_F1);
    fp_validate_engine_free(e);
    fp_scenario_free(scn);
}

/* The per-kind tables: unchanged values of the simulator's arithmetic and the units. */
static void test_engine_kind_tables(void)
{
    size_t n;
    const double *g = fp_validate_power_grid(&n);
    CU_ASSERT_EQUAL(n, 13);
    CU_ASSERT_EQUAL(g[0], 0.02);
    CU_ASSERT_EQUAL(g[12], 3.0);
    FP_ASSERT_NEAR(fp_validate_effective_magnitude(FP_KIND_SLOW_METHOD, 3, 0.5), 2.0, 1e-15);
    FP_ASSERT_NEAR(fp_validate_effective_magnitude(FP_KIND_MEMORY_LEAK, 3, 0.5), 1.5, 1e-15);
    CU_ASSERT_STRING_EQUAL(fp_validate_magnitude_label(FP_KIND_MEMORY_HOTSPOT), "MB per call");
    CU_ASSERT_STRING_EQUAL(fp_validate_magnitude_label(FP_KIND_SLOW_METHOD), "factor");
    /* cpu_saturation: the column is target x scale (the simulator raises the CPU from its level
     * c to c + (target - c) * min(scale, 1)); the label says both, not "scale x (target - base)".
     */
    FP_ASSERT_NEAR(fp_validate_effective_magnitude(FP_KIND_CPU_SATURATION, 90, 0.5), 45, 1e-12);
    CU_ASSERT_STRING_EQUAL(fp_validate_magnitude_label(FP_KIND_CPU_SATURATION),
                           "target CPU % x scale; the CPU rises min(scale, 1) of the way to the "
                           "target");
    fp_validate_rate r;
    fp_validate_rate_set(&r, 0, 0);
    CU_ASSERT_EQUAL(r.available, 0);
    CU_ASSERT_EQUAL(r.lo, 0);
    fp_validate_rate_set(&r, 3, 4);
    CU_ASSERT(r.available && r.value == 0.75 && r.lo < 0.75 && r.hi > 0.75);
}

/* A record written as a partial-result line reads back bit for bit: random doubles of every
 * magnitude (and NaN, the infinities, -0), every count; a malformed line is refused. */
static void test_record_line(void)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    char *buf = NULL;
    size_t len = 0;
    for (int trial = 0; trial < 2000; trial++) {
        fp_validate_run r, back;
        memset(&r, 0, sizeof r);
        r.run_index = gsl_rng_get(g);
        r.injected = (int)(trial & 1);
        for (int k = 0; k < FP_KIND_COUNT; k++) {
            r.tp[k] = (uint32_t)gsl_rng_get(g);
            r.fp[k] = (uint32_t)gsl_rng_uniform_int(g, 5);
            r.fn[k] = (uint32_t)k;
        }
        r.top1 = (int)gsl_rng_uniform_int(g, 3) - 1;
        r.top1_found = -1;
        r.n_findings = 7;
        r.n_dropped = (size_t)trial;
        r.n_items = (size_t)gsl_rng_uniform_int(g, FP_VALIDATE_MAX_ITEMS + 1);
        for (size_t i = 0; i < r.n_items; i++) {
            fp_validate_item *it = &r.items[i];
            uint64_t bits = ((uint64_t)gsl_rng_get(g) << 32) ^ gsl_rng_get(g);
            double d;
            memcpy(&d, &bits, sizeof d); /* any bit pattern: subnormals, huge, NaN */
            it->kind = (fp_kind)gsl_rng_uniform_int(g, FP_KIND_COUNT);
            it->rank = (int32_t)gsl_rng_uniform_int(g, 9) - 1;
            it->cost = isnan(d) ? 0.1 : d;
            it->impact = gsl_rng_uniform(g) * pow(10, (double)gsl_rng_uniform_int(g, 40) - 20);
            it->window_s = i == 0 ? -0.0 : (i == 1 ? (double)INFINITY : -(double)INFINITY);
            it->ttd_s = (double)NAN;
            it->target = -1;
            it->magnitude = 1.0 / 3.0;
        }
        FILE *f = open_memstream(&buf, &len);
        CU_ASSERT_EQUAL_FATAL(fp_validate_run_write(f, 3, &r, NULL), FP_OK);
        fclose(f);
        uint64_t pass = 0;
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(fp_validate_run_parse(buf, &pass, &back, &err), FP_OK);
        CU_ASSERT_EQUAL(pass, 3);
        for (size_t i = 0; i < r.n_items; i++) {
            CU_ASSERT(isnan(back.items[i].ttd_s));
            back.items[i].ttd_s = r.items[i].ttd_s = 0; /* NaN != NaN in memcmp terms too */
        }
        CU_ASSERT(memcmp(&r, &back, sizeof r) == 0);
        free(buf);
        buf = NULL;
    }
    gsl_rng_free(g);
    fp_validate_run r;
    uint64_t pass;
    fp_error err = FP_ERROR_INIT;
    /* a line as an older fpsim wrote it (doubles with %.17g) reads the same values */
    CU_ASSERT_EQUAL_FATAL(fp_validate_run_parse("[3,5,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
                                                "0,0,2,1,-1,0,1,2,0,1,1,0.10000000000000001,"
                                                "1e999,-0,1,0.33333333333333331,4,-1,"
                                                "0.33333333333333331]",
                                                &pass, &r, &err),
                          FP_OK);
    CU_ASSERT(pass == 3 && r.run_index == 5 && r.n_items == 1 && r.items[0].source == 0);
    CU_ASSERT(r.items[0].cost == 0.1 && r.items[0].impact == (double)INFINITY);
    CU_ASSERT(r.items[0].window_s == 0 && signbit(r.items[0].window_s));
    CU_ASSERT(r.items[0].ttd_s == 1.0 / 3.0 && r.items[0].magnitude == 1.0 / 3.0);
    CU_ASSERT_EQUAL(fp_validate_run_parse("[1,2,x]", &pass, &r, &err), FP_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "record: malformed at byte 6");
}

/* validate --record's engine: recorded runs (records made by the caller) give the summaries the
 * report writers read, per scenario and overall; no study runs on such an engine. */
/* Writes the validate report of a recorded scenario of `n_runs` runs, each with
 * FP_VALIDATE_MAX_ITEMS found memory leaks with times to detect, in `fmt` (new; free()). */
static char *recorded_ttd_report(size_t n_runs, fp_report_format fmt)
{
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_validate_source src[1] = {{FP_KIND_MEMORY_LEAK, "leaky"}};
    fp_validate_run *runs = calloc(n_runs, sizeof *runs);
    char *buf = NULL;
    size_t len = 0;
    cfg.runs = n_runs;
    cfg.ttd = 1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(runs);
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    for (size_t i = 0; i < n_runs; i++) {
        runs[i].run_index = i;
        runs[i].injected = 1;
        runs[i].tp[FP_KIND_MEMORY_LEAK] = FP_VALIDATE_MAX_ITEMS;
        runs[i].n_findings = FP_VALIDATE_MAX_ITEMS;
        runs[i].top1 = runs[i].top1_found = 1;
        runs[i].n_items = FP_VALIDATE_MAX_ITEMS;
        for (size_t j = 0; j < FP_VALIDATE_MAX_ITEMS; j++)
            runs[i].items[j] = (fp_validate_item){FP_KIND_MEMORY_LEAK,
                                                  0,
                                                  1,
                                                  (int32_t)j,
                                                  0.01 * (double)(j + 1),
                                                  90 - (double)j,
                                                  20,
                                                  1,
                                                  1.0 + 0.001 * (double)((i * 7 + j) % 1000),
                                                  (uint32_t)j,
                                                  2,
                                                  64};
    }
    CU_ASSERT_EQUAL_FATAL(
        fp_validate_engine_add_recorded(e, "leaky", 7, src, 1, runs, n_runs, &err), FP_OK);
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(fp_report_write_validate(f, fmt, e, &err), FP_OK);
    fclose(f);
    fp_validate_engine_free(e);
    free(runs);
    return buf;
}

/* The writers say when the time-to-detect p95 and the Spearman correlation are approximate
 * (more than FP_VALIDATE_TTD_EXACT times, FP_VALIDATE_SAMPLE_CAP true positives), and only then. */
static void test_engine_approximate_labels(void)
{
    const char *note = "note: ~ marks a time-to-detect p95 over more than 10000 values: "
                       "approximate, within 0.1 % of the exact value";
    size_t exact_runs = FP_VALIDATE_TTD_EXACT / FP_VALIDATE_MAX_ITEMS;      /* 312: 9984 values */
    size_t approx_runs = 2 * FP_VALIDATE_TTD_EXACT / FP_VALIDATE_MAX_ITEMS; /* 20000 values */
    char *t = recorded_ttd_report(exact_runs, FP_REPORT_TEXT);
    char *j = recorded_ttd_report(exact_runs, FP_REPORT_JSON);
    CU_ASSERT_PTR_NULL(strstr(t, note));
    CU_ASSERT_PTR_NULL(strstr(t, " ~1."));
    CU_ASSERT_PTR_NULL(strstr(t, "an estimate"));
    CU_ASSERT_PTR_NULL(strstr(j, "p95_approximate"));
    free(t);
    free(j);
    t = recorded_ttd_report(approx_runs, FP_REPORT_TEXT);
    j = recorded_ttd_report(approx_runs, FP_REPORT_JSON);
    char *m = recorded_ttd_report(approx_runs, FP_REPORT_MARKDOWN);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, note));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, " ~1."));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "over the first 10000 of 20000 true positives (an estimate)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"p95_approximate\": true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "- note: ~ marks a time-to-detect p95"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, " / ~1."));
    free(t);
    free(j);
    free(m);
}

static void test_engine_recorded(void)
{
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    fp_error err = FP_ERROR_INIT;
    cfg.runs = 2;
    cfg.ttd = 0;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_new(&e, &cfg, &err), FP_OK);
    fp_validate_source src[2] = {{FP_KIND_IO_HEAVY, "io_step"}, {FP_KIND_SLOW_METHOD, "?"}};
    fp_validate_run runs[4];
    memset(runs, 0, sizeof runs);
    /* run 0 planted: io_heavy found; run 0 clean: one false alarm (slow_method);
     * run 1 planted: io_heavy missed; run 1 clean: nothing */
    runs[0].run_index = 0;
    runs[0].injected = 1;
    runs[0].tp[FP_KIND_IO_HEAVY] = 1;
    runs[0].n_findings = 1;
    runs[0].top1 = 1;
    runs[0].top1_found = 1;
    runs[0].n_items = 1;
    runs[0].items[0] = (fp_validate_item){FP_KIND_IO_HEAVY, 0, 1, 0, 0.4, 90, 1.0, 0, 0, 0, 2, 64};
    runs[1].run_index = 0;
    runs[1].fp[FP_KIND_SLOW_METHOD] = 1;
    runs[1].n_findings = 1;
    runs[1].top1 = runs[1].top1_found = -1;
    runs[2].run_index = 1;
    runs[2].injected = 1;
    runs[2].fn[FP_KIND_IO_HEAVY] = 1;
    runs[2].top1 = 0;
    runs[2].top1_found = -1;
    runs[2].n_items = 1;
    runs[2].items[0] = (fp_validate_item){FP_KIND_IO_HEAVY, 0, 0, -1, 0.4, 0, 1.0, 0, 0, 0, 2, 64};
    runs[3].run_index = 1;
    runs[3].top1 = runs[3].top1_found = -1;
    CU_ASSERT_EQUAL_FATAL(fp_validate_engine_add_recorded(e, "planted", 7, src, 2, runs, 4, &err),
                          FP_OK);
    CU_ASSERT_EQUAL(fp_validate_engine_scenario_count(e), 1);
    const fp_validate_scenario_result *r = fp_validate_engine_scenario(e, 0);
    CU_ASSERT_STRING_EQUAL(r->name, "planted");
    CU_ASSERT_EQUAL(r->seed, 7);
    CU_ASSERT_EQUAL(r->n_sources, 2);
    CU_ASSERT_STRING_EQUAL(r->sources[0].target, "io_step");
    CU_ASSERT_EQUAL(r->sum.runs, 4);
    CU_ASSERT_EQUAL(r->sum.injected_runs, 2);
    CU_ASSERT_EQUAL(r->sum.clean_runs, 2);
    CU_ASSERT_EQUAL(r->sum.kinds[FP_KIND_IO_HEAVY].tp, 1);
    CU_ASSERT_EQUAL(r->sum.kinds[FP_KIND_IO_HEAVY].fn, 1);
    CU_ASSERT_EQUAL(r->sum.overall.fp, 1);
    CU_ASSERT_DOUBLE_EQUAL(r->sum.overall.precision.value, 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r->sum.overall.recall.value, 0.5, 1e-12);
    CU_ASSERT_EQUAL(r->sum.clean_false_alarms, 1);
    CU_ASSERT_EQUAL(r->sum.sources[0].found, 1);
    CU_ASSERT_EQUAL(r->sum.sources[0].missed, 1);
    const fp_validate_summary *all = fp_validate_engine_overall(e);
    CU_ASSERT_EQUAL(all->overall.tp, 1);
    CU_ASSERT_EQUAL(all->runs, 4);
    /* the report writers take it as after a study */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL(fp_report_write_validate(f, FP_REPORT_JSON, e, &err), FP_OK);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"name\": \"planted\""));
    free(buf);
    /* no study on a recorded scenario */
    CU_ASSERT_EQUAL(fp_validate_engine_run(e, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "validate: a recorded scenario runs no study");
    CU_ASSERT_EQUAL(r->sum.runs, 4); /* and the results are kept */
    fp_validate_engine_free(e);
}

/* ---- quantile store (fp_quantile.h) ---- */

static const double q_fs[] = {0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1};
#define N_FS (sizeof q_fs / sizeof q_fs[0])

/* Exact mode: GSL's quantile of the sorted values, bit for bit. */
static void test_quantile_exact(void)
{
    fp_quantile_store *q = NULL;
    fp_error err = FP_ERROR_INIT;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double v[999], got;
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&q, 999, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 0.95, &got, &err), FP_OK);
    CU_ASSERT_EQUAL(got, 0.0); /* empty */
    for (size_t i = 0; i < 999; i++) {
        v[i] = gsl_ran_lognormal(r, 0, 1);
        fp_quantile_store_add(q, v[i]);
    }
    gsl_sort(v, 1, 999);
    CU_ASSERT_EQUAL(fp_quantile_store_exact(q), 1);
    CU_ASSERT_EQUAL(fp_quantile_store_count(q), 999);
    for (size_t i = 0; i < N_FS; i++) {
        CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, q_fs[i], &got, &err), FP_OK);
        CU_ASSERT_EQUAL(got, gsl_stats_quantile_from_sorted_data(v, 1, 999, q_fs[i]));
    }
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 1.5, &got, &err), FP_EINVAL);
    gsl_rng_free(r);
    fp_quantile_store_free(q);
}

/* Sketched: every quantile within FP_QUANTILE_REL_ERR of GSL's exact one (times to detect are
 * continuous: bisection points after onsets drawn at random, so there is no small set of
 * distinct values to count exactly; docs/validation.md). */
static void test_quantile_sketch(void)
{
    enum { N = 200000 };
    fp_quantile_store *q = NULL;
    fp_error err = FP_ERROR_INIT;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *v = malloc(N * sizeof *v), got;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&q, 1000, &err), FP_OK);
    for (size_t i = 0; i < N; i++) {
        v[i] = gsl_ran_lognormal(r, 0, 1.5);
        fp_quantile_store_add(q, v[i]);
    }
    gsl_sort(v, 1, N);
    CU_ASSERT_EQUAL(fp_quantile_store_exact(q), 0);
    CU_ASSERT_EQUAL(fp_quantile_store_count(q), N);
    for (size_t i = 0; i < N_FS; i++) {
        double want = gsl_stats_quantile_from_sorted_data(v, 1, N, q_fs[i]);
        CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, q_fs[i], &got, &err), FP_OK);
        CU_ASSERT(fabs(got - want) <= FP_QUANTILE_REL_ERR * want * (1 + 1e-9));
        CU_ASSERT(got != want || q_fs[i] == 0 || q_fs[i] == 1); /* not a copy: a sketch */
    }
    /* the extremes are kept: p0 and p100 are exact */
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 0, &got, &err), FP_OK);
    CU_ASSERT_EQUAL(got, v[0]);
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 1, &got, &err), FP_OK);
    CU_ASSERT_EQUAL(got, v[N - 1]);
    gsl_rng_free(r);
    free(v);
    fp_quantile_store_free(q);
}

/* The sketch depends on the values, not on their order, and its size on their range, not on
 * their number: 10^5 and 10^6 values in [0.3, 8] s hold the same buckets, within the bound of
 * fp_quantile.h (1.25 x the range in buckets + 16 + the struct). */
static void test_quantile_bounded(void)
{
    fp_quantile_store *a = NULL, *b = NULL;
    fp_error err = FP_ERROR_INIT;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double qa, qb;
    size_t bytes_1e5 = 0;
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&a, 10000, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&b, 10000, &err), FP_OK);
    fp_quantile_store_add(a, 0.3);
    fp_quantile_store_add(a, 8.0);
    for (size_t i = 0; i < 1000000; i++) {
        fp_quantile_store_add(a, 0.3 + 7.7 * gsl_rng_uniform(r));
        if (i == 100000)
            bytes_1e5 = fp_quantile_store_bytes(a);
    }
    CU_ASSERT_EQUAL(fp_quantile_store_bytes(a), bytes_1e5);
    double g = (1 + FP_QUANTILE_REL_ERR) / (1 - FP_QUANTILE_REL_ERR);
    double buckets = log(8.0 / 0.3) / log(g) + 2;
    CU_ASSERT(fp_quantile_store_bytes(a) <= (size_t)(8 * (1.25 * buckets + 16)) + 256);
    CU_ASSERT(fp_quantile_store_bytes(a) < 32 * 1024);
    /* the same values in the opposite order: the same quantiles, bit for bit */
    gsl_rng_set(r, 0);
    double *v = malloc(30000 * sizeof *v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (size_t i = 0; i < 30000; i++)
        v[i] = gsl_ran_lognormal(r, 1, 1);
    fp_quantile_store_free(a);
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&a, 10000, &err), FP_OK);
    for (size_t i = 0; i < 30000; i++) {
        fp_quantile_store_add(a, v[i]);
        fp_quantile_store_add(b, v[29999 - i]);
    }
    for (size_t i = 0; i < N_FS; i++) {
        CU_ASSERT_EQUAL(fp_quantile_store_quantile(a, q_fs[i], &qa, &err), FP_OK);
        CU_ASSERT_EQUAL(fp_quantile_store_quantile(b, q_fs[i], &qb, &err), FP_OK);
        CU_ASSERT_EQUAL(qa, qb);
    }
    free(v);
    gsl_rng_free(r);
    fp_quantile_store_free(a);
    fp_quantile_store_free(b);
}

/* Values at or below FP_QUANTILE_MIN (0, negatives, NaN) read back as 0 once sketched; a store
 * that cannot keep a value says so instead of answering. */
static void test_quantile_zero_and_oom(void)
{
    fp_quantile_store *q = NULL;
    fp_error err = FP_ERROR_INIT;
    double got = -1;
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&q, 0, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_quantile_store_exact(q), 0);
    fp_quantile_store_add(q, 0);
    fp_quantile_store_add(q, 0);
    fp_quantile_store_add(q, -1);
    fp_quantile_store_add(q, 5);
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 0.5, &got, &err), FP_OK);
    CU_ASSERT_EQUAL(got, 0.0);
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 1, &got, &err), FP_OK);
    FP_ASSERT_NEAR(got, 5.0, 5.0 * FP_QUANTILE_REL_ERR);
    fp_quantile_store_free(q);
    CU_ASSERT_EQUAL_FATAL(fp_quantile_store_new(&q, 100, &err), FP_OK);
    fp_alloc_fail_after(1);
    fp_quantile_store_add(q, 1.0);
    fp_alloc_fail_after(0);
    fp_quantile_store_add(q, 2.0);
    CU_ASSERT_EQUAL(fp_quantile_store_count(q), 2);
    CU_ASSERT_EQUAL(fp_quantile_store_quantile(q, 0.5, &got, &err), FP_ENOMEM);
    fp_quantile_store_free(q);
}

int fp_test_register(void)
{
    static const fp_test_case stats[] = {
        {"wilson", test_wilson}, {"spearman", test_spearman}, {"nab", test_nab}, {NULL, NULL}};
    static const fp_test_case records[] = {{"record", test_record},
                                           {"record_consequence", test_record_consequence},
                                           {"truth_cost_cores", test_truth_cost_cores},
                                           {"truncate", test_truncate},
                                           {"ttd", test_ttd},
                                           {"acc", test_acc},
                                           {"record_line", test_record_line},
                                           {NULL, NULL}};
    static const fp_test_case engine[] = {
        {"jobs", test_engine_jobs},
        {"progress_cancel", test_engine_progress_cancel},
        {"progress_work", test_engine_progress_work},
        {"sweep_resolve", test_engine_sweep_resolve},
        {"sweep_help", test_sweep_help_lists_detectors},
        {"sweep_power", test_engine_sweep_power},
        {"acc_ttd_exact", test_acc_ttd_exact},
        {"acc_memory_bounded", test_acc_memory_bounded},
        {"kind_tables", test_engine_kind_tables},
        {"both_without_bottlenecks", test_engine_both_without_bottlenecks},
        {"power_undeclared", test_engine_power_undeclared},
        {"sweep_best", test_engine_sweep_best},
        {"recorded", test_engine_recorded},
        {"approximate_labels", test_engine_approximate_labels},
        {NULL, NULL}};
    static const fp_test_case progress[] = {{"eta", test_progress_eta},
                                            {"work", test_progress_work},
                                            {"two_speed", test_progress_two_speed},
                                            {NULL, NULL}};
    static const fp_test_case quantile[] = {{"exact", test_quantile_exact},
                                            {"sketch", test_quantile_sketch},
                                            {"bounded", test_quantile_bounded},
                                            {"zero_and_oom", test_quantile_zero_and_oom},
                                            {NULL, NULL}};
    gsl_set_error_handler_off();
    if (fp_test_add_suite("stats", stats) || fp_test_add_suite("records", records) ||
        fp_test_add_suite("engine", engine) || fp_test_add_suite("progress", progress) ||
        fp_test_add_suite("quantile", quantile))
        return -1;
    return 0;
}
