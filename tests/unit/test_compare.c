/*
 * test_compare.c - the two-sample statistics (Mann-Whitney U, Hodges-Lehmann), the decision
 * rule and the comparison of two sets of runs, against hand-computed values, brute-force exact
 * permutation distributions and sorted pairwise differences, and fixed-seed error-rate checks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "fp_compare.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_test.h"

/* ---- helpers ---- */

/* Brute force: the exact two-sided p of U for distinct values, by enumerating every way of
 * choosing which nb of the N ranks belong to b (N <= 20). */
static double brute_exact_p(size_t na, size_t nb, double u_obs)
{
    size_t n = na + nb;
    double le = 0, ge = 0, total = 0;
    for (unsigned long mask = 0; mask < (1ul << n); mask++) {
        if ((size_t)__builtin_popcountl(mask) != nb)
            continue;
        /* U of b = sum of b's ranks (1-based) - nb(nb+1)/2 */
        double rs = 0;
        for (size_t r = 0; r < n; r++)
            if (mask & (1ul << r))
                rs += (double)(r + 1);
        double u = rs - (double)nb * ((double)nb + 1) / 2;
        total++;
        le += u <= u_obs;
        ge += u >= u_obs;
    }
    double p = 2 * (le < ge ? le : ge) / total;
    return p < 1 ? p : 1;
}

/* Brute force: U by counting pairs. */
static double brute_u(const double *a, size_t na, const double *b, size_t nb)
{
    double u = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            u += b[j] > a[i] ? 1.0 : (b[j] == a[i] ? 0.5 : 0.0);
    return u;
}

/* Sorted pairwise differences b_j - a_i (new array, free with free()). */
static double *brute_diffs(const double *a, size_t na, const double *b, size_t nb)
{
    double *d = malloc(na * nb * sizeof(double));
    size_t k = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            d[k++] = b[j] - a[i];
    gsl_sort(d, 1, k);
    return d;
}

static void fill_lognormal(gsl_rng *r, double *x, size_t n, double scale, double sigma)
{
    for (size_t i = 0; i < n; i++)
        x[i] = scale * gsl_ran_lognormal(r, 0.0, sigma);
}

/* ---- Mann-Whitney U ---- */

/* R: wilcox.test(x, y, alternative = "greater") gives W = 35, p-value = 0.1272 (Hollander &
 * Wolfe's permeability data, the example in R's ?wilcox.test); two-sided is 764/3003. */
static void test_mw_r_example(void)
{
    const double x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const double y[] = {1.15, 0.88, 0.90, 0.74, 1.21};
    fp_mw_result r;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(y, 5, x, 10, &r, &err), FP_OK);
    CU_ASSERT_EQUAL(r.u, 35.0);
    CU_ASSERT_EQUAL(r.mean, 25.0);
    CU_ASSERT_TRUE(r.exact);
    CU_ASSERT_FALSE(r.ties);
    FP_ASSERT_NEAR(r.p, 764.0 / 3003.0, 1e-12);
    FP_ASSERT_NEAR(r.p / 2, 0.1272, 5e-5);
    CU_ASSERT_TRUE(r.z > 0);
    /* swapped: U is the complement, same two-sided p */
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(x, 10, y, 5, &r, &err), FP_OK);
    CU_ASSERT_EQUAL(r.u, 15.0);
    FP_ASSERT_NEAR(r.p, 764.0 / 3003.0, 1e-12);
    CU_ASSERT_TRUE(r.z < 0);
}

/* The exact p against an independent enumeration of all rank assignments. */
static void test_mw_exact_brute(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t sizes[][2] = {{1, 1}, {1, 5}, {3, 4}, {4, 6}, {6, 6}, {7, 9}, {2, 12}};
    for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
        size_t na = sizes[t][0], nb = sizes[t][1];
        for (unsigned long seed = 1; seed <= 5; seed++) {
            gsl_rng_set(rng, seed * 1000 + t);
            double a[16], b[16];
            /* distinct values: b shifted by a varying amount so every U region is visited */
            for (size_t i = 0; i < na; i++)
                a[i] = gsl_rng_uniform(rng);
            for (size_t i = 0; i < nb; i++)
                b[i] = gsl_rng_uniform(rng) + 0.2 * ((double)seed - 3.0);
            fp_mw_result r;
            CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, na, b, nb, &r, NULL), FP_OK);
            CU_ASSERT_TRUE(r.exact);
            CU_ASSERT_EQUAL(r.u, brute_u(a, na, b, nb));
            FP_ASSERT_NEAR(r.p, brute_exact_p(na, nb, r.u), 1e-12);
        }
    }
    gsl_rng_free(rng);
}

/* Ties, by hand: a = {1,2,2,3}, b = {2,3,3,4,5}. Midranks 1 | 3 3 3 | 6 6 6 | 8 | 9; b's rank
 * sum 3+6+6+8+9 = 32, U = 32 - 15 = 17 (pair count: 2 + 3.5 + 3.5 + 4 + 4). Tie groups of 3 and
 * 3: sum(t^3 - t) = 48; var = 20/12 (10 - 48/72) = 140/9; z = (17 - 10 - 0.5) / sqrt(140/9)
 * = 1.64805; p = 0.099342 (R: wilcox.test(b, a) gives W = 17, p-value = 0.09934). */
static void test_mw_ties_by_hand(void)
{
    const double a[] = {2, 1, 3, 2}, b[] = {3, 5, 2, 4, 3};
    fp_mw_result r;
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, 4, b, 5, &r, NULL), FP_OK);
    CU_ASSERT_EQUAL(r.u, 17.0);
    CU_ASSERT_TRUE(r.ties);
    CU_ASSERT_FALSE(r.exact);
    FP_ASSERT_NEAR(r.sd, sqrt(140.0 / 9.0), 1e-12);
    FP_ASSERT_NEAR(r.z, 6.5 / sqrt(140.0 / 9.0), 1e-12);
    FP_ASSERT_NEAR(r.p, 2 * gsl_cdf_ugaussian_Q(6.5 / sqrt(140.0 / 9.0)), 1e-15);
    FP_ASSERT_NEAR(r.p, 0.099342, 1e-6);
}

/* Normal approximation without ties (n >= 50): z from the untied variance. */
static void test_mw_normal_large(void)
{
    double a[60], b[60];
    for (size_t i = 0; i < 60; i++) {
        a[i] = (double)i;
        b[i] = (double)i + 10.5; /* no ties: halves never equal integers */
    }
    fp_mw_result r;
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, 60, b, 60, &r, NULL), FP_OK);
    CU_ASSERT_FALSE(r.exact);
    double u = brute_u(a, 60, b, 60);
    CU_ASSERT_EQUAL(r.u, u);
    double sd = sqrt(60.0 * 60.0 * 121.0 / 12.0);
    FP_ASSERT_NEAR(r.z, (u - 1800.0 - 0.5) / sd, 1e-12);
    FP_ASSERT_NEAR(r.p, 2 * gsl_cdf_ugaussian_Q((u - 1800.0 - 0.5) / sd), 1e-15);
}

static void test_mw_identical_ties_small(void)
{
    double x[20];
    for (size_t i = 0; i < 20; i++)
        x[i] = 1.0 + 0.25 * (double)i;
    fp_mw_result r;
    /* identical inputs: u == mean, p exactly 1 */
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(x, 20, x, 20, &r, NULL), FP_OK);
    CU_ASSERT_EQUAL(r.u, r.mean);
    CU_ASSERT_EQUAL(r.p, 1.0);
    CU_ASSERT_EQUAL(r.z, 0.0);
    /* all ties: sd 0, p 1 */
    const double five[] = {5, 5, 5};
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(five, 3, five, 2, &r, NULL), FP_OK);
    CU_ASSERT_EQUAL(r.u, 3.0);
    CU_ASSERT_EQUAL(r.sd, 0.0);
    CU_ASSERT_EQUAL(r.p, 1.0);
    /* n = 1 each: U = 1 of 2 equally likely orders, p = 1 */
    const double one[] = {1}, two[] = {2};
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(one, 1, two, 1, &r, NULL), FP_OK);
    CU_ASSERT_EQUAL(r.u, 1.0);
    CU_ASSERT_TRUE(r.exact);
    CU_ASSERT_EQUAL(r.p, 1.0);
    /* empty side */
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(one, 1, two, 0, &r, NULL), FP_OK);
    CU_ASSERT_EQUAL(r.p, 1.0);
    /* non-finite input */
    const double bad[] = {1, NAN};
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_mann_whitney(one, 1, bad, 2, &r, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "compare: samples must be finite");
    CU_ASSERT_EQUAL(r.p, 1.0);
}

/* ---- Hodges-Lehmann and order statistics of differences ---- */

/* a = 1..10, b = a + 3: differences 3 + (j - i), value 3 + d appears 10 - |d| times. Pooled
 * sample: 4..10 tie in pairs, sum(t^3 - t) = 42, var = 100/12 (21 - 42/380), sd = 13.194;
 * k = floor(50 - 1.959964 * 13.194) = 24; d(24) = 0 (cumulative counts 1,3,6,10,15,21,28 for
 * d = -9..-3), d(77) = 6. Shift = 3. */
static void test_hl_by_hand(void)
{
    double a[10], b[10];
    for (int i = 0; i < 10; i++) {
        a[i] = i + 1;
        b[i] = i + 4;
    }
    fp_hl_result h;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_hodges_lehmann(a, 10, b, 10, 0.95, &h, &err), FP_OK);
    CU_ASSERT_EQUAL(h.shift, 3.0);
    CU_ASSERT_TRUE(h.ci_valid);
    CU_ASSERT_EQUAL(h.lo, 0.0);
    CU_ASSERT_EQUAL(h.hi, 6.0);
    /* too small for a 95 % interval: 1 vs 1 */
    CU_ASSERT_EQUAL_FATAL(fp_hodges_lehmann(a, 1, b, 1, 0.95, &h, &err), FP_OK);
    CU_ASSERT_EQUAL(h.shift, 3.0);
    CU_ASSERT_FALSE(h.ci_valid);
    CU_ASSERT_EQUAL(h.lo, 3.0);
    CU_ASSERT_EQUAL(h.hi, 3.0);
    /* even number of differences: mean of the two middle ones; {0,1} vs {10}: 9, 10 -> 9.5 */
    const double a2[] = {1, 0}, b2[] = {10};
    CU_ASSERT_EQUAL_FATAL(fp_hodges_lehmann(a2, 2, b2, 1, 0.95, &h, &err), FP_OK);
    CU_ASSERT_EQUAL(h.shift, 9.5);
    CU_ASSERT_EQUAL(fp_hodges_lehmann(a2, 2, b2, 1, 1.0, &h, &err), FP_EINVAL);
}

/* The selection against a full sort, past the small-sample path (75 000 and 90 000 diffs), on
 * continuous data and on heavily tied integers. */
static void test_hl_kth_exact(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    for (int tied = 0; tied < 2; tied++) {
        size_t na = tied ? 300 : 300, nb = tied ? 300 : 250;
        double *a = malloc(na * sizeof(double)), *b = malloc(nb * sizeof(double));
        for (size_t i = 0; i < na; i++)
            a[i] = tied ? (double)gsl_rng_uniform_int(rng, 10) : gsl_ran_lognormal(rng, 0, 1);
        for (size_t i = 0; i < nb; i++)
            b[i] = tied ? (double)gsl_rng_uniform_int(rng, 12) : 1.1 * gsl_ran_lognormal(rng, 0, 1);
        gsl_sort(a, 1, na);
        gsl_sort(b, 1, nb);
        double *d = brute_diffs(a, na, b, nb);
        size_t total = na * nb;
        const size_t ks[] = {1, 2, 17, 1000, total / 3, total / 2, total / 2 + 1, total - 1, total};
        for (size_t t = 0; t < sizeof(ks) / sizeof(ks[0]); t++) {
            double v = -1;
            CU_ASSERT_EQUAL_FATAL(fp_pairwise_diff_kth(a, na, b, nb, ks[t], &v, NULL), FP_OK);
            CU_ASSERT_EQUAL(v, d[ks[t] - 1]);
        }
        double v;
        CU_ASSERT_EQUAL(fp_pairwise_diff_kth(a, na, b, nb, 0, &v, NULL), FP_EINVAL);
        CU_ASSERT_EQUAL(fp_pairwise_diff_kth(a, na, b, nb, total + 1, &v, NULL), FP_EINVAL);
        /* HL and its CI equal the brute-force order statistics */
        fp_hl_result h;
        fp_mw_result r;
        CU_ASSERT_EQUAL_FATAL(fp_hodges_lehmann(a, na, b, nb, 0.95, &h, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, na, b, nb, &r, NULL), FP_OK);
        CU_ASSERT_EQUAL(h.shift, d[total / 2 - 1] / 2 + d[total / 2] / 2);
        size_t k = (size_t)floor((double)total / 2 - gsl_cdf_ugaussian_Qinv(0.025) * r.sd);
        CU_ASSERT_TRUE(h.ci_valid);
        CU_ASSERT_EQUAL(h.lo, d[k - 1]);
        CU_ASSERT_EQUAL(h.hi, d[total - k]);
        CU_ASSERT_TRUE(h.lo <= h.shift && h.shift <= h.hi);
        free(d);
        free(a);
        free(b);
    }
    gsl_rng_free(rng);
}

/* ---- decision rule ---- */

static void test_decision_boundaries(void)
{
    fp_compare_options o = FP_COMPARE_OPTIONS_INIT;
    o.noise = 0.25; /* exact in binary, so 1 + noise is exactly 1.25 */
    o.alpha = 0.002;
    CU_ASSERT_EQUAL(fp_compare_classify(1.25, 0.001, 10, 10, 9, &o), FP_CHANGE_NONE);
    CU_ASSERT_EQUAL(fp_compare_classify(nextafter(1.25, 2), 0.001, 10, 10, 9, &o),
                    FP_CHANGE_REGRESSION);
    CU_ASSERT_EQUAL(fp_compare_classify(0.75, 0.001, 10, 10, 9, &o), FP_CHANGE_NONE);
    CU_ASSERT_EQUAL(fp_compare_classify(nextafter(0.75, 0), 0.001, 10, 10, 9, &o),
                    FP_CHANGE_IMPROVEMENT);
    /* p exactly at alpha is not significant; just below is */
    CU_ASSERT_EQUAL(fp_compare_classify(2.0, 0.002, 10, 10, 9, &o), FP_CHANGE_NONE);
    CU_ASSERT_EQUAL(fp_compare_classify(2.0, nextafter(0.002, 0), 10, 10, 9, &o),
                    FP_CHANGE_REGRESSION);
    CU_ASSERT_EQUAL(fp_compare_classify(0.5, 0.002, 10, 10, 9, &o), FP_CHANGE_NONE);
    /* minimum sample size on either side */
    CU_ASSERT_EQUAL(fp_compare_classify(2.0, 1e-9, 8, 10, 9, &o), FP_CHANGE_INSUFFICIENT);
    CU_ASSERT_EQUAL(fp_compare_classify(2.0, 1e-9, 10, 8, 9, &o), FP_CHANGE_INSUFFICIENT);
    CU_ASSERT_EQUAL(fp_compare_classify(2.0, 1e-9, 9, 9, 9, &o), FP_CHANGE_REGRESSION);
    CU_ASSERT_STRING_EQUAL(fp_change_name(FP_CHANGE_INSUFFICIENT), "insufficient_data");
    CU_ASSERT_STRING_EQUAL(fp_change_name(FP_CHANGE_NONE), "no_change");
    CU_ASSERT_PTR_NULL(fp_change_name((fp_change)99));
}

/* p exactly at alpha with a real test result: the tie example's p as alpha. */
static void test_decision_p_at_alpha(void)
{
    double a[12], b[12];
    for (int i = 0; i < 12; i++) {
        a[i] = 1.0 + 0.01 * i;
        b[i] = 1.5 + 0.01 * i;
    }
    fp_mw_result r;
    CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, 12, b, 12, &r, NULL), FP_OK);
    CU_ASSERT_TRUE(r.exact);
    /* complete separation: p = 2 / C(24, 12) */
    FP_ASSERT_NEAR(r.p, 2.0 / 2704156.0, 1e-18);
    fp_compare_options o = FP_COMPARE_OPTIONS_INIT;
    o.alpha = r.p;
    CU_ASSERT_EQUAL(fp_compare_classify(1.5, r.p, 12, 12, 9, &o), FP_CHANGE_NONE);
    o.alpha = nextafter(r.p, 1);
    CU_ASSERT_EQUAL(fp_compare_classify(1.5, r.p, 12, 12, 9, &o), FP_CHANGE_REGRESSION);
}

/* ---- error rates over fixed seeds ---- */

/* Same distribution on both sides, 1000 seeds: a regression (p < 0.002, beyond 5 % noise) at
 * most 0.2 % + 3 sigma of the time (binomial sigma = sqrt(0.002 * 0.998 / 1000)), i.e. <= 6.
 * The exact branch (n = 12) must keep p < 0.05 at most 5 % + 3 sigma (<= 70). */
static void test_fpr(void)
{
    fp_compare_options o = FP_COMPARE_OPTIONS_INIT;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int flagged = 0, sig = 0, sig12 = 0;
    for (unsigned long seed = 1; seed <= 1000; seed++) {
        gsl_rng_set(rng, seed);
        double a[50], b[50];
        fill_lognormal(rng, a, 50, 1.0, 0.3);
        fill_lognormal(rng, b, 50, 1.0, 0.3);
        fp_mw_result r;
        CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, 12, b + 20, 12, &r, NULL), FP_OK);
        CU_ASSERT_TRUE(r.exact);
        sig12 += r.p < 0.05;
        CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, 50, b, 50, &r, NULL), FP_OK);
        gsl_sort(a, 1, 50);
        gsl_sort(b, 1, 50);
        double ratio = (b[24] + b[25]) / (a[24] + a[25]);
        sig += r.p < o.alpha;
        flagged += fp_compare_classify(ratio, r.p, 50, 50, 9, &o) == FP_CHANGE_REGRESSION;
    }
    double limit = 1000 * (0.002 + 3 * sqrt(0.002 * 0.998 / 1000));
    CU_ASSERT_TRUE(flagged <= limit);
    CU_ASSERT_TRUE(sig <= limit);
    CU_ASSERT_TRUE(sig12 <= 1000 * (0.05 + 3 * sqrt(0.05 * 0.95 / 1000)));
    /* and the test is not degenerate: the exact branch does reject sometimes */
    CU_ASSERT_TRUE(sig12 >= 10);
    gsl_rng_free(rng);
}

/* A 20 % slowdown with n = 50 per side (per-call spread sigma 0.1) is flagged for every seed,
 * and its HL interval covers the true shift of the medians in most seeds. */
static void test_power(void)
{
    fp_compare_options o = FP_COMPARE_OPTIONS_INIT;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int flagged = 0, covered = 0;
    for (unsigned long seed = 1; seed <= 100; seed++) {
        gsl_rng_set(rng, seed);
        double a[50], b[50];
        fill_lognormal(rng, a, 50, 1.0, 0.1);
        fill_lognormal(rng, b, 50, 1.2, 0.1);
        fp_mw_result r;
        fp_hl_result h;
        CU_ASSERT_EQUAL_FATAL(fp_mann_whitney(a, 50, b, 50, &r, NULL), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_hodges_lehmann(a, 50, b, 50, 0.95, &h, NULL), FP_OK);
        gsl_sort(a, 1, 50);
        gsl_sort(b, 1, 50);
        double ratio = (b[24] + b[25]) / (a[24] + a[25]);
        flagged += fp_compare_classify(ratio, r.p, 50, 50, 9, &o) == FP_CHANGE_REGRESSION;
        covered += h.lo <= 0.2 && 0.2 <= h.hi;
    }
    CU_ASSERT_EQUAL(flagged, 100);
    CU_ASSERT_TRUE(covered >= 88); /* 95 % nominal; 100 * (0.95 - 3 * 0.022) = 88.5 */
    gsl_rng_free(rng);
}

/* ---- the comparison object on hand-built profiles ---- */

static uint32_t tb_method(fp_profile *p, const char *name)
{
    uint32_t m = 0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, name, &m), FP_OK);
    return m;
}

static int32_t tb_span(fp_profile *p, uint32_t m, int32_t parent, double start, double dur)
{
    fp_span s;
    memset(&s, 0, sizeof(s));
    s.method = m;
    s.parent = parent;
    s.start_s = start;
    s.dur_s = dur;
    s.cpu_pct = 10;
    size_t i = 0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, &i), FP_OK);
    return (int32_t)i;
}

/*
 * One run: `calls` top-level calls of "load", each with one child "parse" lasting `parse_s`
 * times a per-call jitter; plus "legacy" (base) or "fresh" (new) once.
 */
static void build_run(fp_profile *p, gsl_rng *r, size_t calls, double parse_s, int extra_new)
{
    fp_profile_reset(p);
    CU_ASSERT_EQUAL_FATAL(fp_profile_set_meta(p, "t", 1, 0, "", "", "test", 0), FP_OK);
    uint32_t load = tb_method(p, "load"), parse = tb_method(p, "parse");
    double t = 0;
    for (size_t i = 0; i < calls; i++) {
        double pd = parse_s * (r ? gsl_ran_lognormal(r, 0, 0.05) : 1.0);
        int32_t l = tb_span(p, load, -1, t, 0.5 + pd);
        tb_span(p, parse, l, t + 0.25, pd);
        t += 0.5 + pd;
    }
    tb_span(p, tb_method(p, extra_new ? "fresh" : "legacy"), -1, t, 0.1);
}

static const fp_method_delta *find_delta(const fp_compare *c, const char *name)
{
    size_t n;
    const fp_method_delta *d = fp_compare_methods(c, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

static void test_compare_regression(void)
{
    fp_profile *p = fp_profile_new();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    fp_compare *c = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_compare_new(&c, NULL, &err), FP_OK);
    for (int k = 0; k < 10; k++) {
        build_run(p, r, 5 + (size_t)(k % 2), 1.0, 0);
        CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, FP_SIDE_BASE, p, &err), FP_OK);
    }
    for (int k = 0; k < 10; k++) {
        build_run(p, r, 6, 1.3, 1);
        CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, FP_SIDE_NEW, p, &err), FP_OK);
    }
    CU_ASSERT_EQUAL_FATAL(fp_compare_finish(c, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_compare_run_count(c, FP_SIDE_BASE), 10);
    size_t n;
    const fp_method_delta *d = fp_compare_methods(c, &n);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    /* order: regressions (by name), ..., added, removed */
    CU_ASSERT_STRING_EQUAL(d[0].name, "load");
    CU_ASSERT_STRING_EQUAL(d[1].name, "parse");
    CU_ASSERT_STRING_EQUAL(d[2].name, "fresh");
    CU_ASSERT_STRING_EQUAL(d[3].name, "legacy");
    CU_ASSERT_EQUAL(d[2].change, FP_CHANGE_ADDED);
    CU_ASSERT_EQUAL(d[3].change, FP_CHANGE_REMOVED);
    const fp_method_delta *ps = find_delta(c, "parse");
    CU_ASSERT_EQUAL(ps->change, FP_CHANGE_REGRESSION);
    CU_ASSERT_EQUAL(ps->time.n_base, 55);
    CU_ASSERT_EQUAL(ps->time.n_new, 60);
    CU_ASSERT_EQUAL(ps->calls_base, 5.5); /* five runs of 5 calls, five of 6 */
    CU_ASSERT_EQUAL(ps->calls_new, 6.0);
    FP_ASSERT_NEAR(ps->time.ratio, 1.3, 0.03);
    FP_ASSERT_NEAR(ps->time.hl.shift, 0.3, 0.03);
    CU_ASSERT_TRUE(ps->time.hl.ci_valid && ps->time.hl.lo < 0.3 && 0.3 < ps->time.hl.hi);
    CU_ASSERT_TRUE(ps->time.mw.p < 1e-10);
    CU_ASSERT_EQUAL(find_delta(c, "fresh")->calls_base, 0.0);
    CU_ASSERT_EQUAL(find_delta(c, "fresh")->calls_new, 1.0);
    /* run level: durations grow, significant with 10 runs each */
    const fp_run_delta *rd = fp_compare_run_deltas(c, &n);
    CU_ASSERT_EQUAL_FATAL(n, FP_RUN_METRIC_COUNT);
    CU_ASSERT_STRING_EQUAL(rd[FP_RUN_DURATION].name, "duration_s");
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.change, FP_CHANGE_REGRESSION);
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.n_base, 10);
    CU_ASSERT_EQUAL(rd[FP_RUN_AVG_CPU].d.change, FP_CHANGE_NONE);
    CU_ASSERT_EQUAL(fp_compare_count(c, FP_CHANGE_REGRESSION), 3);
    size_t used;
    double g = fp_compare_geomean(c, &used);
    CU_ASSERT_EQUAL(used, 2);
    CU_ASSERT_TRUE(g > 1.1 && g < 1.35);
    /* finished: no more runs */
    CU_ASSERT_EQUAL(fp_compare_add_run(c, FP_SIDE_NEW, p, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_compare_finish(c, &err), FP_EINVAL);
    fp_compare_free(c);
    gsl_rng_free(r);
    fp_profile_free(p);
}

/* Identical sets: every verdict "no change" with p = 1; one run per side: run level has
 * insufficient data; few calls: methods have insufficient data. */
static void test_compare_identical_small(void)
{
    fp_profile *p = fp_profile_new();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    fp_compare *c = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_compare_new(&c, NULL, NULL), FP_OK);
    for (int side = 0; side < 2; side++) {
        gsl_rng_set(r, 5);
        for (int k = 0; k < 3; k++) {
            build_run(p, r, 5, 1.0, 0);
            CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, (fp_side)side, p, NULL), FP_OK);
        }
    }
    CU_ASSERT_EQUAL_FATAL(fp_compare_finish(c, NULL), FP_OK);
    size_t n;
    const fp_method_delta *d = fp_compare_methods(c, &n);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(d[i].name, "legacy") == 0) {
            CU_ASSERT_EQUAL(d[i].change, FP_CHANGE_INSUFFICIENT); /* 3 calls per side */
        } else {
            CU_ASSERT_EQUAL(d[i].change, FP_CHANGE_NONE);
        }
        CU_ASSERT_EQUAL(d[i].time.mw.p, 1.0);
        CU_ASSERT_EQUAL(d[i].time.ratio, 1.0);
        CU_ASSERT_EQUAL(d[i].time.hl.shift, 0.0);
    }
    const fp_run_delta *rd = fp_compare_run_deltas(c, &n);
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.change, FP_CHANGE_NONE);
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.mw.p, 1.0);
    CU_ASSERT_EQUAL(fp_compare_count(c, FP_CHANGE_REGRESSION), 0);
    fp_compare_free(c);

    /* n = 1 run per side */
    CU_ASSERT_EQUAL_FATAL(fp_compare_new(&c, NULL, NULL), FP_OK);
    build_run(p, NULL, 1, 1.0, 0);
    CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, FP_SIDE_BASE, p, NULL), FP_OK);
    build_run(p, NULL, 1, 9.0, 0);
    CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, FP_SIDE_NEW, p, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_compare_finish(c, NULL), FP_OK);
    rd = fp_compare_run_deltas(c, &n);
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.change, FP_CHANGE_INSUFFICIENT);
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.mw.p, 1.0);
    CU_ASSERT_EQUAL(rd[FP_RUN_DURATION].d.ratio, 9.6 / 1.6);
    CU_ASSERT_EQUAL(find_delta(c, "parse")->change, FP_CHANGE_INSUFFICIENT);
    CU_ASSERT_EQUAL(find_delta(c, "parse")->time.ratio, 9.0);
    CU_ASSERT_EQUAL(fp_compare_count(c, FP_CHANGE_REGRESSION), 0);
    fp_compare_free(c);
    gsl_rng_free(r);
    fp_profile_free(p);
}

/* Folded diff on exact values: a [0,1] with child b [0.25,0.5] (self 0.75 / 0.25) vs
 * a [0,2] with b [0.5,1.5] (1.0 / 1.0); names with ';' and spaces are sanitised. */
static void test_compare_folded(void)
{
    fp_profile *p = fp_profile_new();
    fp_compare *c = NULL;
    CU_ASSERT_EQUAL_FATAL(fp_compare_new(&c, NULL, NULL), FP_OK);
    for (int side = 0; side < 2; side++) {
        fp_profile_reset(p);
        uint32_t a = tb_method(p, "a"), b = tb_method(p, "b x;y\x1b");
        int32_t s = tb_span(p, a, -1, 0, side ? 2.0 : 1.0);
        tb_span(p, b, s, side ? 0.5 : 0.25, side ? 1.0 : 0.25);
        if (side == 0) {
            /* a second run on the base side with only "a" (self 0.5): mean (0.75 + 0.5) / 2 */
            CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, FP_SIDE_BASE, p, NULL), FP_OK);
            fp_profile_reset(p);
            tb_span(p, tb_method(p, "a"), -1, 0, 0.5);
        }
        CU_ASSERT_EQUAL_FATAL(fp_compare_add_run(c, (fp_side)side, p, NULL), FP_OK);
    }
    CU_ASSERT_EQUAL_FATAL(fp_compare_finish(c, NULL), FP_OK);
    /* the data (analysis/): two stacks, "a" at the root and "b ..." under it, mean self time
     * per run on each side (two BASE runs, one NEW) */
    CU_ASSERT_EQUAL_FATAL(fp_compare_stack_count(c), 2);
    fp_compare_stack s0 = fp_compare_stack_at(c, 0), s1 = fp_compare_stack_at(c, 1);
    CU_ASSERT_EQUAL(s0.parent, FP_COMPARE_STACK_ROOT);
    CU_ASSERT_STRING_EQUAL(s0.method, "a");
    FP_ASSERT_NEAR(s0.mean_self_s[0], (0.75 + 0.5) / 2, 1e-12);
    FP_ASSERT_NEAR(s0.mean_self_s[1], 1.0, 1e-12);
    CU_ASSERT_EQUAL(s1.parent, 0);
    CU_ASSERT_STRING_EQUAL(s1.method, "b x;y\x1b");
    FP_ASSERT_NEAR(s1.mean_self_s[0], 0.25 / 2, 1e-12);
    FP_ASSERT_NEAR(s1.mean_self_s[1], 1.0, 1e-12);
    /* the writer (reports/) */
    char buf[256];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fp_report_write_compare_folded(f, c, NULL), FP_OK);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "a 625000 1000000\na;b_x:y_ 125000 1000000\n"); /* no raw ESC */
    fp_compare_free(c);
    fp_profile_free(p);
}

static void test_compare_errors(void)
{
    fp_compare *c = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_compare_options o = FP_COMPARE_OPTIONS_INIT;
    o.alpha = 0;
    CU_ASSERT_EQUAL(fp_compare_new(&c, &o, &err), FP_EINVAL);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_STRING_EQUAL(err.msg, "compare: alpha must be in (0, 1], got 0");
    o = (fp_compare_options)FP_COMPARE_OPTIONS_INIT;
    o.noise = -0.1;
    CU_ASSERT_EQUAL(fp_compare_new(&c, &o, &err), FP_EINVAL);
    /* an invalid profile (child outside its parent) is rejected with the checker's message */
    fp_profile *p = fp_profile_new();
    uint32_t m = tb_method(p, "m");
    int32_t s = tb_span(p, m, -1, 0, 1);
    tb_span(p, m, s, 0.5, 2);
    CU_ASSERT_EQUAL_FATAL(fp_compare_new(&c, NULL, &err), FP_OK);
    CU_ASSERT_EQUAL(fp_compare_add_run(c, FP_SIDE_BASE, p, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_compare_run_count(c, FP_SIDE_BASE), 0);
    fp_compare_free(c);
    fp_profile_free(p);
}

/* Every allocation failure is reported as FP_ENOMEM and leaks nothing (ASan/LSan). */
static void test_compare_enomem(void)
{
    fp_profile *p = fp_profile_new();
    build_run(p, NULL, 10, 1.0, 0);
    int done = 0;
    for (unsigned long n = 1; n < 2000 && !done; n++) {
        fp_compare *c = NULL;
        fp_alloc_fail_after(n);
        fp_status st = fp_compare_new(&c, NULL, NULL);
        for (int k = 0; st == FP_OK && k < 10; k++)
            st = fp_compare_add_run(c, (fp_side)(k % 2), p, NULL);
        if (st == FP_OK)
            st = fp_compare_finish(c, NULL);
        fp_alloc_fail_after(0);
        if (st == FP_OK)
            done = 1;
        else
            CU_ASSERT_EQUAL(st, FP_ENOMEM);
        fp_compare_free(c);
    }
    CU_ASSERT_TRUE(done);
    fp_profile_free(p);
}

int fp_test_register(void)
{
    static const fp_test_case mw[] = {{"r_example", test_mw_r_example},
                                      {"exact_brute_force", test_mw_exact_brute},
                                      {"ties_by_hand", test_mw_ties_by_hand},
                                      {"normal_large", test_mw_normal_large},
                                      {"identical_ties_n1", test_mw_identical_ties_small},
                                      {NULL, NULL}};
    static const fp_test_case hl[] = {
        {"by_hand", test_hl_by_hand}, {"kth_exact", test_hl_kth_exact}, {NULL, NULL}};
    static const fp_test_case decision[] = {{"boundaries", test_decision_boundaries},
                                            {"p_at_alpha", test_decision_p_at_alpha},
                                            {NULL, NULL}};
    static const fp_test_case rates[] = {
        {"false_positive", test_fpr}, {"power", test_power}, {NULL, NULL}};
    static const fp_test_case runs[] = {
        {"regression", test_compare_regression}, {"identical_small", test_compare_identical_small},
        {"folded", test_compare_folded},         {"errors", test_compare_errors},
        {"enomem", test_compare_enomem},         {NULL, NULL}};
    if (fp_test_add_suite("mw", mw) != 0 || fp_test_add_suite("hl", hl) != 0 ||
        fp_test_add_suite("decision", decision) != 0 || fp_test_add_suite("rates", rates) != 0 ||
        fp_test_add_suite("runs", runs) != 0)
        return -1;
    return 0;
}
