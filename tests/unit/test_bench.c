/*
 * test_bench.c - the benchmarks' helper (bench/fp_bench.h): statistics over rounds, the
 * alternating order of paired rounds, per-round ratios, and CPU clocks that do not count sleep.
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "fp_bench.h"
#include "fp_test.h"

static void test_stats(void)
{
    const double v[9] = {9, 1, 8, 2, 7, 3, 6, 4, 5};
    fp_bench_stats s;
    fp_bench_stats_of(v, 9, &s);
    CU_ASSERT_EQUAL(s.n, 9);
    FP_ASSERT_NEAR(s.median, 5.0, 1e-12);
    FP_ASSERT_NEAR(s.q1, 3.0, 1e-12);
    FP_ASSERT_NEAR(s.q3, 7.0, 1e-12);
    FP_ASSERT_NEAR(s.min, 1.0, 1e-12);
    FP_ASSERT_NEAR(s.max, 9.0, 1e-12);
    const double w[4] = {4, 1, 3, 2};
    fp_bench_stats_of(w, 4, &s);
    FP_ASSERT_NEAR(s.median, 2.5, 1e-12);
    FP_ASSERT_NEAR(s.q1, 1.75, 1e-12);
    CU_ASSERT(v[0] == 9.0); /* the input is not sorted in place */
}

/* A fake pair of sides: B costs 2 (+ round) seconds, A 1 (+ round); records the call order. */
typedef struct {
    int order[2 * FP_BENCH_MAX_ROUNDS];
    size_t n;
    int fail_at;
} fake;

static int fake_side(void *ctx, int side, size_t round, fp_bench_sample *out)
{
    fake *f = ctx;
    f->order[f->n++] = side;
    if ((int)f->n == f->fail_at)
        return -1;
    out->sec = (side == 0 ? 1.0 : 2.0) * (1.0 + (double)round);
    out->instr = side == 0 ? 100.0 : 300.0;
    return 0;
}

static void test_pair(void)
{
    fake f = {{0}, 0, -1};
    fp_bench_paired p;
    CU_ASSERT_EQUAL_FATAL(fp_bench_pair(9, fake_side, &f, &p), 0);
    CU_ASSERT_EQUAL(f.n, 18);
    for (size_t k = 0; k < 9; k++) { /* A B, B A, A B, ... */
        CU_ASSERT_EQUAL(f.order[2 * k], (int)(k % 2));
        CU_ASSERT_EQUAL(f.order[2 * k + 1], (int)(1 - k % 2));
    }
    /* Each round's ratio is 2 although the rounds' times spread 1..9 and 2..18. */
    FP_ASSERT_NEAR(p.ratio.median, 2.0, 1e-12);
    FP_ASSERT_NEAR(p.ratio.min, 2.0, 1e-12);
    FP_ASSERT_NEAR(p.ratio.max, 2.0, 1e-12);
    FP_ASSERT_NEAR(p.sec_a.median, 5.0, 1e-12);
    FP_ASSERT_NEAR(p.sec_b.max, 18.0, 1e-12);
    CU_ASSERT_TRUE(p.has_instr);
    FP_ASSERT_NEAR(p.instr_ratio.median, 3.0, 1e-12);
    /* Too few rounds, and a failing side, are errors. */
    f.n = 0;
    CU_ASSERT_EQUAL(fp_bench_pair(FP_BENCH_MIN_ROUNDS - 1, fake_side, &f, &p), -1);
    f.fail_at = 5;
    CU_ASSERT_EQUAL(fp_bench_pair(9, fake_side, &f, &p), -1);
}

static void test_clock(void)
{
    fp_bench_meter m;
    struct timespec w0, w1;
    fp_bench_meter_open(&m, FP_BENCH_THREAD);
    clock_gettime(CLOCK_MONOTONIC, &w0);
    fp_bench_start(&m);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL); /* sleeping costs no CPU */
    volatile double x = 0;
    for (int i = 0; i < 200000; i++)
        x += sqrt((double)i);
    fp_bench_sample s = fp_bench_stop(&m);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) * 1e-9;
    CU_ASSERT(s.sec > 0.0);
    CU_ASSERT(s.sec <= wall - 0.045); /* the 50 ms asleep are not in it */
    CU_ASSERT(s.instr < 0 ? m.fd < 0 : s.instr > 2e5);
    CU_ASSERT_PTR_NOT_NULL(fp_bench_instr_source(&m));
    fp_bench_meter_close(&m);
}

int fp_test_register(void)
{
    static const fp_test_case stats[] = {
        {"stats", test_stats}, {"pair", test_pair}, {"clock", test_clock}, {NULL, NULL}};
    return fp_test_add_suite("stats", stats);
}
