/*
 * test_dist.c - unit tests of sim/fp_dist.c: parameter validation (exact messages and `where`),
 * conversions, copy/cleanup/allocation failure, and statistical tests of every sampler.
 *
 * Statistical method (docs/distributions.md): fixed seeds with mt19937, n = 100 000 draws per
 * case. Continuous kinds: one-sample Kolmogorov-Smirnov against fp_dist_cdf (or the truncated
 * CDF), rejected when sqrt(n) D > 1.949 (alpha = 0.001), plus the sample mean within 5 sd/sqrt(n)
 * where the variance is finite. Discrete kinds and choice: chi-square goodness of fit on counts
 * (adjacent bins merged until each expects >= 5), rejected above gsl_cdf_chisq_Qinv(0.001, dof).
 * Power: the same tests, same seed and n, reject samplers mis-scaled by 5%.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "fp_core.h"
#include "fp_dist.h"
#include "fp_test.h"

#define N_DRAWS 100000
#define MAX_PARAMS 4

/* ---- helpers ---------------------------------------------------------------------------- */

static gsl_rng *new_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    gsl_rng_set(r, seed);
    return r;
}

/* Builds a distribution that must be valid (fatal assertion otherwise). */
static fp_dist make_ok(const char *name, const fp_dist_param *p, size_t np)
{
    fp_dist d = FP_DIST_INIT;
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_dist_make(&d, name, p, np, NULL, 0, NULL, 0, NULL, &err);
    if (st != FP_OK)
        fprintf(stderr, "\nfp_dist_make(%s): %s\n", name, err.msg);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    return d;
}

static fp_dist make_choice_ok(const double *v, size_t nv, const double *w, size_t nw,
                              const fp_dist_param *p, size_t np)
{
    fp_dist d = FP_DIST_INIT;
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_dist_make(&d, "choice", p, np, v, nv, w, nw, NULL, &err);
    if (st != FP_OK)
        fprintf(stderr, "\nfp_dist_make(choice): %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    return d;
}

static int is_init(const fp_dist *d)
{
    return d->kind == FP_DIST_CONSTANT && d->a[0] == 0.0 && d->a[1] == 0.0 && !d->has_min &&
           !d->has_max && d->n_choices == 0 && d->values == NULL && d->weights == NULL &&
           d->table == NULL;
}

static double *draw_n(const fp_dist *d, unsigned long seed, size_t n)
{
    double *x = malloc(n * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    gsl_rng *r = new_rng(seed);
    for (size_t i = 0; i < n; i++)
        x[i] = fp_dist_sample(d, r);
    gsl_rng_free(r);
    return x;
}

static double cdf_plain(double x, const void *ctx)
{
    return fp_dist_cdf(ctx, x);
}

/* The CDF of `d` truncated to its bounds: (F(x) - F(min-)) / (F(max) - F(min-)). */
typedef struct trunc_cdf {
    const fp_dist *d;
    double flo, fhi;
} trunc_cdf;

static trunc_cdf trunc_of(const fp_dist *d)
{
    trunc_cdf t = {d, 0.0, 1.0};
    int disc = fp_dist_is_discrete(d);
    if (d->has_min)
        t.flo = fp_dist_cdf(d, disc ? ceil(d->min) - 1.0 : d->min);
    if (d->has_max)
        t.fhi = fp_dist_cdf(d, disc ? floor(d->max) : d->max);
    return t;
}

static double cdf_trunc(double x, const void *ctx)
{
    const trunc_cdf *t = ctx;
    double f = (fp_dist_cdf(t->d, x) - t->flo) / (t->fhi - t->flo);
    return f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
}

static double sample_mean(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

/*
 * Chi-square statistic of draws `x` against the discrete CDF `cdf` on the sorted support points
 * `pts`: bin i holds the draws in [pts[i], pts[i+1]) (the first bin also everything below, the
 * last everything above) and has probability F(pts[i]) - F(pts[i-1]). Adjacent bins are merged
 * left to right until each expects >= 5 (a short last bin joins its neighbour). Stores the
 * degrees of freedom in *dof.
 */
static double chisq(const double *pts, size_t npts, double (*cdf)(double, const void *),
                    const void *ctx, const double *x, size_t n, size_t *dof)
{
    double *obs = calloc(npts, sizeof *obs);
    double *exp_ = calloc(npts, sizeof *exp_);
    CU_ASSERT_PTR_NOT_NULL_FATAL(obs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exp_);
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = npts; /* largest k with pts[k] <= x[i] (0 if none) */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (pts[mid] <= x[i])
                lo = mid;
            else
                hi = mid;
        }
        obs[lo] += 1.0;
    }
    double prev = 0.0;
    for (size_t k = 0; k < npts; k++) {
        double f = k + 1 < npts ? cdf(pts[k], ctx) : 1.0;
        exp_[k] = (double)n * (f - prev);
        prev = f;
    }
    /* merge */
    size_t nb = 0;
    double o = 0.0, e = 0.0;
    for (size_t k = 0; k < npts; k++) {
        o += obs[k];
        e += exp_[k];
        if (e >= 5.0) {
            obs[nb] = o;
            exp_[nb] = e;
            nb++;
            o = e = 0.0;
        }
    }
    if (e > 0.0 || o > 0.0) {
        CU_ASSERT_FATAL(nb > 0);
        obs[nb - 1] += o;
        exp_[nb - 1] += e;
    }
    double stat = 0.0;
    for (size_t k = 0; k < nb; k++)
        stat += (obs[k] - exp_[k]) * (obs[k] - exp_[k]) / exp_[k];
    free(obs);
    free(exp_);
    CU_ASSERT_FATAL(nb >= 2);
    *dof = nb - 1;
    return stat;
}

/* Integer support points lo..K for a count distribution, K where n*(1-F(K)) < 0.5. */
static double *int_points(const fp_dist *d, size_t *npts)
{
    double lo, hi;
    fp_dist_support(d, &lo, &hi);
    size_t cap = 100000, k = 0;
    double *pts = malloc(cap * sizeof *pts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pts);
    for (double v = lo; v <= hi && k < cap; v += 1.0) {
        pts[k++] = v;
        if ((double)N_DRAWS * (1.0 - fp_dist_cdf(d, v)) < 0.5)
            break;
    }
    *npts = k;
    return pts;
}

/* Sorted distinct values of a choice. */
static double *choice_points(const fp_dist *d, size_t *npts)
{
    double *pts = malloc(d->n_choices * sizeof *pts);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pts);
    memcpy(pts, d->values, d->n_choices * sizeof *pts);
    gsl_sort(pts, 1, d->n_choices);
    size_t k = 0;
    for (size_t i = 0; i < d->n_choices; i++)
        if (k == 0 || pts[i] != pts[k - 1])
            pts[k++] = pts[i];
    *npts = k;
    return pts;
}

/* ---- suite make ------------------------------------------------------------------------- */

typedef struct err_case {
    const char *name;
    fp_dist_param p[MAX_PARAMS];
    size_t np;
    const double *values;
    size_t nv;
    const double *weights;
    size_t nw;
    const char *msg;
    int where_param;
    long where_element;
} err_case;

static const double v12[] = {1, 2};
static const double v1inf[] = {1, INFINITY};
static const double w1[] = {1};
static const double w1m1[] = {1, -1};
static const double wnan1[] = {NAN, 1};
static const double w00[] = {0, 0};
static const double v123[] = {1, 2, 3};

static const err_case err_cases[] = {
    {"normla",
     {{"mean", 1}, {"sd", 1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "unknown distribution 'normla' (did you mean 'normal'?)",
     -1,
     -1},
    {"gama",
     {{"shape", 1}, {"scale", 1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "unknown distribution 'gama' (did you mean 'gamma'?)",
     -1,
     -1},
    {"foo",
     {{"mean", 1}},
     1,
     NULL,
     0,
     NULL,
     0,
     "unknown distribution 'foo' (expected constant, uniform, normal, lognormal, gamma, "
     "exponential, weibull, pareto, beta, poisson, binomial, negative_binomial, geometric, "
     "choice)",
     -1,
     -1},
    {NULL, {{"mean", 1}}, 1, NULL, 0, NULL, 0, "missing distribution name", -1, -1},
    {"", {{"mean", 1}}, 1, NULL, 0, NULL, 0, "missing distribution name", -1, -1},
    {"normal",
     {{"mean", 1}, {"sdev", 2}},
     2,
     NULL,
     0,
     NULL,
     0,
     "unknown parameter 'sdev' for normal (did you mean 'sd'?)",
     1,
     -1},
    {"normal",
     {{"maen", 1}, {"sd", 2}},
     2,
     NULL,
     0,
     NULL,
     0,
     "unknown parameter 'maen' for normal (expected mean, sd, min, max)",
     0,
     -1},
    {"exponential",
     {{"meen", 1}},
     1,
     NULL,
     0,
     NULL,
     0,
     "unknown parameter 'meen' for exponential (did you mean 'mean'?)",
     0,
     -1},
    {"normal",
     {{"mean", 1}, {"sd", 1}, {"foo", 3}},
     3,
     NULL,
     0,
     NULL,
     0,
     "unknown parameter 'foo' for normal (expected mean, sd, min, max)",
     2,
     -1},
    {"lognormal",
     {{"mu", 1}},
     1,
     NULL,
     0,
     NULL,
     0,
     "unknown parameter 'mu' for lognormal (expected median, sigma, mean, sd, min, max)",
     0,
     -1},
    {"normal",
     {{"mean", 1}, {"sd", 1}, {"sd", 2}},
     3,
     NULL,
     0,
     NULL,
     0,
     "duplicate parameter 'sd'",
     2,
     -1},
    {"normal",
     {{"mean", NAN}, {"sd", 1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'mean' must be finite, got nan",
     0,
     -1},
    {"normal",
     {{"mean", 1}, {"sd", INFINITY}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'sd' must be finite, got inf",
     1,
     -1},
    {"normal",
     {{"mean", 1}, {"sd", 1}, {"min", -INFINITY}},
     3,
     NULL,
     0,
     NULL,
     0,
     "'min' must be finite, got -inf",
     2,
     -1},
    {"normal", {{"mean", 1}}, 1, NULL, 0, NULL, 0, "normal needs 'sd'", -4, -1},
    {"normal", {{"sd", 1}}, 1, NULL, 0, NULL, 0, "normal needs 'mean'", -4, -1},
    {"normal", {{"mean", 1}, {"sd", -1}}, 2, NULL, 0, NULL, 0, "'sd' must be >= 0, got -1", 1, -1},
    {"constant",
     {{"value", 1}, {"min", 0}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'min' is not allowed for constant",
     1,
     -1},
    {"constant", {{"value", 1}}, 0, NULL, 0, NULL, 0, "constant needs 'value'", -4, -1},
    {"uniform",
     {{"min", 5}, {"max", 2}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'min' must be < 'max', got 5 >= 2",
     1,
     -1},
    {"uniform",
     {{"max", 3}, {"min", 3}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'min' must be < 'max', got 3 >= 3",
     0,
     -1},
    {"uniform", {{"min", 5}}, 1, NULL, 0, NULL, 0, "uniform needs 'max'", -4, -1},
    {"lognormal",
     {{"median", 1}, {"sd", 2}},
     2,
     NULL,
     0,
     NULL,
     0,
     "lognormal takes either (median, sigma) or (mean, sd); cannot mix 'median' with 'sd'",
     1,
     -1},
    {"gamma",
     {{"mean", 1}, {"sd", 1}, {"shape", 2}},
     3,
     NULL,
     0,
     NULL,
     0,
     "gamma takes either (shape, scale) or (mean, sd); cannot mix 'mean' with 'shape'",
     2,
     -1},
    {"lognormal",
     {{"min", 1}},
     1,
     NULL,
     0,
     NULL,
     0,
     "lognormal needs (median, sigma) or (mean, sd)",
     -4,
     -1},
    {"lognormal", {{"mean", 1}}, 1, NULL, 0, NULL, 0, "lognormal needs 'sd'", -4, -1},
    {"lognormal",
     {{"median", 1}, {"sigma", 0}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'sigma' must be > 0, got 0",
     1,
     -1},
    {"lognormal",
     {{"median", -1}, {"sigma", 1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'median' must be > 0, got -1",
     0,
     -1},
    {"lognormal", {{"mean", 2}, {"sd", 0}}, 2, NULL, 0, NULL, 0, "'sd' must be > 0, got 0", 1, -1},
    {"lognormal",
     {{"mean", 1e-300}, {"sd", 1e300}},
     2,
     NULL,
     0,
     NULL,
     0,
     "lognormal with mean 1e-300 and sd 1e+300 is out of range",
     -4,
     -1},
    {"gamma",
     {{"shape", 0}, {"scale", 1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'shape' must be > 0, got 0",
     0,
     -1},
    {"gamma",
     {{"shape", 1}, {"scale", -2}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'scale' must be > 0, got -2",
     1,
     -1},
    {"gamma",
     {{"mean", 1e-200}, {"sd", 1e200}},
     2,
     NULL,
     0,
     NULL,
     0,
     "gamma with mean 1e-200 and sd 1e+200 is out of range",
     -4,
     -1},
    {"exponential", {{"mean", 0}}, 1, NULL, 0, NULL, 0, "'mean' must be > 0, got 0", 0, -1},
    {"weibull",
     {{"scale", 1}, {"shape", 0}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'shape' must be > 0, got 0",
     1,
     -1},
    {"pareto",
     {{"scale", -1}, {"shape", 2}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'scale' must be > 0, got -1",
     0,
     -1},
    {"beta", {{"a", 1}, {"b", 0}}, 2, NULL, 0, NULL, 0, "'b' must be > 0, got 0", 1, -1},
    {"poisson", {{"mean", -0.5}}, 1, NULL, 0, NULL, 0, "'mean' must be >= 0, got -0.5", 0, -1},
    {"poisson", {{"mean", 2e9}}, 1, NULL, 0, NULL, 0, "'mean' must be <= 1e+09, got 2e+09", 0, -1},
    {"binomial",
     {{"n", 2.5}, {"p", 0.5}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'n' must be a non-negative integer, got 2.5",
     0,
     -1},
    {"binomial",
     {{"p", 0.5}, {"n", -1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'n' must be a non-negative integer, got -1",
     1,
     -1},
    {"binomial",
     {{"n", 2e9}, {"p", 0.5}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'n' must be <= 1e+09, got 2e+09",
     0,
     -1},
    {"binomial",
     {{"n", 10}, {"p", 1.5}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'p' must be in [0,1], got 1.5",
     1,
     -1},
    {"binomial",
     {{"n", 10}, {"p", -0.1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'p' must be in [0,1], got -0.1",
     1,
     -1},
    {"negative_binomial",
     {{"n", 0}, {"p", 0.5}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'n' must be a positive integer, got 0",
     0,
     -1},
    {"negative_binomial",
     {{"n", 3}, {"p", 0}},
     2,
     NULL,
     0,
     NULL,
     0,
     "'p' must be in (0,1], got 0",
     1,
     -1},
    {"negative_binomial",
     {{"n", 3}, {"p", 1e-7}},
     2,
     NULL,
     0,
     NULL,
     0,
     "negative_binomial mean n*(1-p)/p must be <= 1e+06, got 3e+07",
     1,
     -1},
    {"geometric", {{"p", 0}}, 1, NULL, 0, NULL, 0, "'p' must be in [1e-06,1], got 0", 0, -1},
    {"geometric", {{"p", 1.5}}, 1, NULL, 0, NULL, 0, "'p' must be in [1e-06,1], got 1.5", 0, -1},
    {"normal",
     {{"mean", 0}, {"sd", 1}, {"min", 2}, {"max", 1}},
     4,
     NULL,
     0,
     NULL,
     0,
     "'min' must be <= 'max', got 2 > 1",
     3,
     -1},
    {"exponential",
     {{"mean", 1}, {"max", -1}},
     2,
     NULL,
     0,
     NULL,
     0,
     "bounds [-inf, -1] leave 0 of the probability mass, need at least 1e-06",
     1,
     -1},
    {"poisson",
     {{"mean", 3}, {"min", 2.2}, {"max", 2.8}},
     3,
     NULL,
     0,
     NULL,
     0,
     "bounds [2.2, 2.8] leave 0 of the probability mass, need at least 1e-06",
     2,
     -1},
    {"beta",
     {{"a", 2}, {"b", 2}, {"min", 1}},
     3,
     NULL,
     0,
     NULL,
     0,
     "bounds [1, inf] leave 0 of the probability mass, need at least 1e-06",
     2,
     -1},
    {"normal",
     {{"mean", 1}, {"sd", 1}},
     2,
     v12,
     2,
     NULL,
     0,
     "'values' is only allowed for choice",
     -2,
     -1},
    {"normal",
     {{"mean", 1}, {"sd", 1}},
     2,
     NULL,
     0,
     w1,
     1,
     "'weights' is only allowed for choice",
     -3,
     -1},
    {"choice", {{"min", 0}}, 0, NULL, 0, NULL, 0, "choice needs 'values'", -4, -1},
    {"choice", {{"min", 0}}, 0, NULL, 0, w1, 1, "choice needs 'values'", -4, -1},
    {"choice", {{"min", 0}}, 0, v12, 0, NULL, 0, "'values' must not be empty", -2, -1},
    {"choice", {{"min", 0}}, 0, v1inf, 2, NULL, 0, "'values[1]' must be finite, got inf", -2, 1},
    {"choice",
     {{"min", 0}},
     0,
     v12,
     2,
     w1,
     1,
     "'weights' has 1 elements but 'values' has 2",
     -3,
     -1},
    {"choice", {{"min", 0}}, 0, v12, 2, w1m1, 2, "'weights[1]' must be >= 0, got -1", -3, 1},
    {"choice", {{"min", 0}}, 0, v12, 2, wnan1, 2, "'weights[0]' must be finite, got nan", -3, 0},
    {"choice", {{"min", 0}}, 0, v12, 2, w00, 2, "'weights' must not all be zero", -3, -1},
    {"choice",
     {{"value", 3}},
     1,
     v12,
     2,
     NULL,
     0,
     "unknown parameter 'value' for choice (did you mean 'values'?)",
     0,
     -1},
    {"choice", {{"values", 3}}, 1, v12, 2, NULL, 0, "'values' must be a list", 0, -1},
    {"choice",
     {{"min", 5}},
     1,
     v123,
     3,
     NULL,
     0,
     "bounds [5, inf] leave 0 of the probability mass, need at least 1e-06",
     0,
     -1},
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        const err_case *c = &err_cases[i];
        fp_dist d;
        fp_dist_where where = {99, 99};
        fp_error err = FP_ERROR_INIT;
        memset(&d, 0x5a, sizeof d); /* garbage in: must come out as FP_DIST_INIT */
        fp_status st = fp_dist_make(&d, c->name, c->p, c->np, c->values, c->nv, c->weights, c->nw,
                                    &where, &err);
        int ok = st == FP_EINVAL && err.status == FP_EINVAL && strcmp(err.msg, c->msg) == 0 &&
                 where.param == c->where_param && where.element == c->where_element && is_init(&d);
        if (!ok)
            fprintf(stderr, "\ncase %zu (%s): status %d, where {%d, %ld}, msg \"%s\"\n", i,
                    c->name != NULL ? c->name : "NULL", (int)st, where.param, where.element,
                    err.msg);
        CU_ASSERT(ok);
    }
}

static void test_too_many_choices(void)
{
    static double v[FP_DIST_MAX_CHOICES + 1];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = (double)i;
    fp_dist d = FP_DIST_INIT;
    fp_dist_where where = {0, 0};
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(
        fp_dist_make(&d, "choice", NULL, 0, v, FP_DIST_MAX_CHOICES + 1, NULL, 0, &where, &err),
        FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "'values' has 4097 elements, at most 4096 allowed");
    CU_ASSERT_EQUAL(where.param, -2);
    CU_ASSERT(is_init(&d));
    /* exactly the maximum is fine */
    CU_ASSERT_EQUAL(
        fp_dist_make(&d, "choice", NULL, 0, v, FP_DIST_MAX_CHOICES, NULL, 0, &where, &err), FP_OK);
    CU_ASSERT_EQUAL(d.n_choices, FP_DIST_MAX_CHOICES);
    fp_dist_cleanup(&d);
}

/* The 1e-6 mass threshold: normal tail beyond 4.7 (1.3e-6) passes, beyond 6 (1e-9) fails. */
static void test_mass_threshold(void)
{
    fp_dist d = FP_DIST_INIT;
    fp_dist_where where = {0, 0};
    fp_error err = FP_ERROR_INIT;
    fp_dist_param ok[] = {{"mean", 0}, {"sd", 1}, {"min", 4.7}};
    CU_ASSERT_EQUAL(fp_dist_make(&d, "normal", ok, 3, NULL, 0, NULL, 0, &where, &err), FP_OK);
    fp_dist_cleanup(&d);
    fp_dist_param tiny[] = {{"mean", 0}, {"sd", 1}, {"min", 6}};
    CU_ASSERT_EQUAL(fp_dist_make(&d, "normal", tiny, 3, NULL, 0, NULL, 0, &where, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(strncmp(err.msg, "bounds [6, inf] leave 9.8", 25), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "e-10 of the probability mass, need at least 1e-06"));
    CU_ASSERT_EQUAL(where.param, 2);
    /* a discrete bound is on whole values: P(X = 2) of poisson(3) is enough */
    fp_dist_param pm[] = {{"mean", 3}, {"min", 1.5}, {"max", 2.5}};
    CU_ASSERT_EQUAL(fp_dist_make(&d, "poisson", pm, 3, NULL, 0, NULL, 0, &where, &err), FP_OK);
    fp_dist_cleanup(&d);
    /* choice: weight 1 in 1e6+1 is below the threshold, 1 in 5e5+1 above */
    const double v[] = {1, 2};
    const double w_low[] = {1, 1e6}, w_ok[] = {1, 5e5};
    fp_dist_param mx[] = {{"max", 1.5}};
    CU_ASSERT_EQUAL(fp_dist_make(&d, "choice", mx, 1, v, 2, w_low, 2, &where, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(strncmp(err.msg, "bounds [-inf, 1.5] leave 9.99999e-07 of", 39), 0);
    CU_ASSERT_EQUAL(fp_dist_make(&d, "choice", mx, 1, v, 2, w_ok, 2, &where, &err), FP_OK);
    fp_dist_cleanup(&d);
}

static void test_canonical(void)
{
    struct {
        const char *name;
        fp_dist_param p[2];
        size_t np;
        fp_dist_kind kind;
        double a0, a1;
    } cases[] = {
        {"constant", {{"value", 2.5}}, 1, FP_DIST_CONSTANT, 2.5, 0},
        {"uniform", {{"max", 5}, {"min", -2}}, 2, FP_DIST_UNIFORM, -2, 5},
        {"normal", {{"sd", 2}, {"mean", 3}}, 2, FP_DIST_NORMAL, 3, 2},
        {"normal", {{"mean", 3}, {"sd", 0}}, 2, FP_DIST_NORMAL, 3, 0},
        {"gamma", {{"shape", 2.5}, {"scale", 1.5}}, 2, FP_DIST_GAMMA, 2.5, 1.5},
        {"exponential", {{"mean", 2}}, 1, FP_DIST_EXPONENTIAL, 2, 0},
        {"weibull", {{"scale", 2}, {"shape", 1.5}}, 2, FP_DIST_WEIBULL, 2, 1.5},
        {"pareto", {{"scale", 2}, {"shape", 3}}, 2, FP_DIST_PARETO, 3, 2},
        {"beta", {{"a", 2}, {"b", 5}}, 2, FP_DIST_BETA, 2, 5},
        {"poisson", {{"mean", 4.5}}, 1, FP_DIST_POISSON, 4.5, 0},
        {"poisson", {{"mean", 0}}, 1, FP_DIST_POISSON, 0, 0},
        {"binomial", {{"n", 20}, {"p", 0.3}}, 2, FP_DIST_BINOMIAL, 0.3, 20},
        {"negative_binomial", {{"n", 3}, {"p", 0.4}}, 2, FP_DIST_NEGATIVE_BINOMIAL, 0.4, 3},
        {"geometric", {{"p", 0.2}}, 1, FP_DIST_GEOMETRIC, 0.2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fp_dist d = make_ok(cases[i].name, cases[i].p, cases[i].np);
        CU_ASSERT_EQUAL(d.kind, cases[i].kind);
        CU_ASSERT_EQUAL(d.a[0], cases[i].a0);
        CU_ASSERT_EQUAL(d.a[1], cases[i].a1);
        CU_ASSERT(!d.has_min && !d.has_max);
        CU_ASSERT_STRING_EQUAL(fp_dist_kind_name(d.kind), cases[i].name);
        fp_dist_cleanup(&d);
    }
    /* bounds are stored as given */
    fp_dist_param pb[] = {{"min", 1}, {"mean", 3}, {"sd", 2}, {"max", 7}};
    fp_dist d = make_ok("normal", pb, 4);
    CU_ASSERT(d.has_min && d.has_max);
    CU_ASSERT_EQUAL(d.min, 1.0);
    CU_ASSERT_EQUAL(d.max, 7.0);
    fp_dist_cleanup(&d);
}

static void test_lognormal_conversion(void)
{
    fp_dist_param pm[] = {{"median", 2}, {"sigma", 0.5}};
    fp_dist d = make_ok("lognormal", pm, 2);
    FP_ASSERT_NEAR(d.a[0], log(2.0), 1e-12);
    FP_ASSERT_NEAR(exp(d.a[0]), 2.0, 1e-12);
    CU_ASSERT_EQUAL(d.a[1], 0.5);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 2.0), 0.5, 1e-12); /* the median */
    FP_ASSERT_NEAR(fp_dist_mean(&d), 2.0 * exp(0.125), 1e-12);

    fp_dist_param ps[] = {{"mean", 10}, {"sd", 3}};
    fp_dist e = make_ok("lognormal", ps, 2);
    double s2 = log(1.09); /* 1 + (3/10)^2 */
    FP_ASSERT_NEAR(e.a[1], sqrt(s2), 1e-12);
    FP_ASSERT_NEAR(e.a[0], log(10.0) - s2 / 2.0, 1e-12);
    /* round trip: the moments of (mu, sigma) are the given mean and sd */
    double mean = exp(e.a[0] + e.a[1] * e.a[1] / 2.0);
    double var = (exp(e.a[1] * e.a[1]) - 1.0) * exp(2.0 * e.a[0] + e.a[1] * e.a[1]);
    FP_ASSERT_NEAR(mean, 10.0, 1e-12);
    FP_ASSERT_NEAR(sqrt(var), 3.0, 1e-12);
    FP_ASSERT_NEAR(fp_dist_mean(&e), 10.0, 1e-12);
    /* large values do not overflow (sd/mean is formed first) */
    fp_dist_param pl[] = {{"mean", 1e200}, {"sd", 1e200}};
    fp_dist l = make_ok("lognormal", pl, 2);
    FP_ASSERT_NEAR(l.a[1], sqrt(log(2.0)), 1e-12);
    FP_ASSERT_NEAR(l.a[0], log(1e200) - log(2.0) / 2.0, 1e-12 * 460.0);
}

static void test_gamma_conversion(void)
{
    fp_dist_param ps[] = {{"sd", 3}, {"mean", 6}};
    fp_dist d = make_ok("gamma", ps, 2);
    FP_ASSERT_NEAR(d.a[0], 4.0, 1e-12);
    FP_ASSERT_NEAR(d.a[1], 1.5, 1e-12);
    FP_ASSERT_NEAR(fp_dist_mean(&d), 6.0, 1e-12);
    FP_ASSERT_NEAR(sqrt(d.a[0]) * d.a[1], 3.0, 1e-12);
}

static void test_copy(void)
{
    const double v[] = {3, 1, 2};
    const double w[] = {2, 1, 1};
    fp_dist_param b[] = {{"max", 2.5}};
    fp_dist src = make_choice_ok(v, 3, w, 3, b, 1);
    fp_dist dst;
    CU_ASSERT_EQUAL_FATAL(fp_dist_copy(&dst, &src), FP_OK);
    CU_ASSERT_EQUAL(dst.kind, FP_DIST_CHOICE);
    CU_ASSERT_EQUAL(dst.n_choices, 3);
    CU_ASSERT(dst.values != src.values && dst.weights != src.weights && dst.table != src.table);
    CU_ASSERT(memcmp(dst.values, v, sizeof v) == 0);
    CU_ASSERT(memcmp(dst.weights, src.weights, sizeof w) == 0);
    CU_ASSERT_EQUAL(dst.weights[0], 0.5);
    CU_ASSERT_EQUAL(dst.weights[1], 0.25);
    CU_ASSERT(dst.has_max && dst.max == 2.5);
    fp_dist_cleanup(&src);
    CU_ASSERT(is_init(&src));
    /* the copy still works after the source is gone (ASan would flag a shared buffer) */
    gsl_rng *r = new_rng(7);
    for (int i = 0; i < 1000; i++) {
        double x = fp_dist_sample(&dst, r);
        CU_ASSERT(x == 1.0 || x == 2.0);
    }
    gsl_rng_free(r);
    fp_dist_cleanup(&dst);

    fp_dist_param pn[] = {{"mean", 1}, {"sd", 2}, {"min", 0}};
    fp_dist n = make_ok("normal", pn, 3);
    CU_ASSERT_EQUAL_FATAL(fp_dist_copy(&dst, &n), FP_OK);
    CU_ASSERT(memcmp(&dst, &n, sizeof n) == 0);
    fp_dist_cleanup(&dst);
    fp_dist_cleanup(&n);
}

static void test_cleanup(void)
{
    fp_dist d = FP_DIST_INIT;
    fp_dist_cleanup(&d);
    CU_ASSERT(is_init(&d));
    fp_dist_cleanup(&d);
    fp_dist_cleanup(NULL);
    fp_dist_constant(&d, 4.0);
    CU_ASSERT_EQUAL(d.kind, FP_DIST_CONSTANT);
    CU_ASSERT_EQUAL(d.a[0], 4.0);
    fp_dist_cleanup(&d);
    CU_ASSERT(is_init(&d));
    const double v[] = {1, 2};
    fp_dist c = make_choice_ok(v, 2, NULL, 0, NULL, 0);
    fp_dist_cleanup(&c);
    CU_ASSERT(is_init(&c));
    fp_dist_cleanup(&c); /* twice is safe */
}

/* Every allocation of fp_dist_make(choice) and fp_dist_copy fails in turn: FP_ENOMEM, no leak. */
static void test_alloc_failure(void)
{
    const double v[] = {1, 2, 3};
    fp_dist d;
    fp_error err = FP_ERROR_INIT;
    unsigned long n;
    int failures = 0;
    for (n = 1; n < 10; n++) {
        fp_alloc_fail_after(n);
        fp_status st = fp_dist_make(&d, "choice", NULL, 0, v, 3, NULL, 0, NULL, &err);
        fp_alloc_fail_after(0);
        if (st == FP_OK)
            break;
        failures++;
        CU_ASSERT_EQUAL(st, FP_ENOMEM);
        CU_ASSERT_EQUAL(err.status, FP_ENOMEM);
        CU_ASSERT_STRING_EQUAL(err.msg, "out of memory");
        CU_ASSERT(is_init(&d));
    }
    CU_ASSERT_EQUAL(failures, 2); /* values, weights */
    CU_ASSERT_EQUAL_FATAL(d.kind, FP_DIST_CHOICE);

    fp_dist c;
    failures = 0;
    for (n = 1; n < 10; n++) {
        fp_alloc_fail_after(n);
        fp_status st = fp_dist_copy(&c, &d);
        fp_alloc_fail_after(0);
        if (st == FP_OK)
            break;
        failures++;
        CU_ASSERT_EQUAL(st, FP_ENOMEM);
        CU_ASSERT(is_init(&c));
    }
    CU_ASSERT_EQUAL(failures, 2);
    fp_dist_cleanup(&c);
    fp_dist_cleanup(&d);

    /* non-choice kinds never allocate */
    fp_alloc_fail_after(1);
    fp_dist_param p[] = {{"mean", 1}, {"sd", 1}};
    fp_status st = fp_dist_make(&d, "normal", p, 2, NULL, 0, NULL, 0, NULL, &err);
    fp_alloc_fail_after(0);
    CU_ASSERT_EQUAL(st, FP_OK);
}

static void test_support(void)
{
    struct {
        const char *name;
        fp_dist_param p[4];
        size_t np;
        double lo, hi;
    } cases[] = {
        {"constant", {{"value", 2}}, 1, 2, 2},
        {"uniform", {{"min", -1}, {"max", 3}}, 2, -1, 3},
        {"normal", {{"mean", 1}, {"sd", 2}}, 2, -INFINITY, INFINITY},
        {"normal", {{"mean", 1}, {"sd", 2}, {"min", 0}}, 3, 0, INFINITY},
        {"normal", {{"mean", 1}, {"sd", 0}}, 2, 1, 1},
        {"lognormal", {{"median", 1}, {"sigma", 1}}, 2, 0, INFINITY},
        {"lognormal", {{"median", 1}, {"sigma", 1}, {"min", -5}, {"max", 9}}, 4, 0, 9},
        {"gamma", {{"shape", 2}, {"scale", 1}}, 2, 0, INFINITY},
        {"exponential", {{"mean", 1}, {"max", 4}}, 2, 0, 4},
        {"weibull", {{"scale", 1}, {"shape", 2}}, 2, 0, INFINITY},
        {"pareto", {{"scale", 2}, {"shape", 3}}, 2, 2, INFINITY},
        {"beta", {{"a", 2}, {"b", 3}, {"max", 0.5}}, 3, 0, 0.5},
        {"poisson", {{"mean", 3}}, 1, 0, INFINITY},
        {"poisson", {{"mean", 3}, {"min", 0.5}, {"max", 7.5}}, 3, 1, 7},
        {"binomial", {{"n", 10}, {"p", 0.5}}, 2, 0, 10},
        {"binomial", {{"n", 10}, {"p", 1}}, 2, 10, 10},
        {"negative_binomial", {{"n", 2}, {"p", 0.5}}, 2, 0, INFINITY},
        {"geometric", {{"p", 0.5}}, 1, 1, INFINITY},
        {"geometric", {{"p", 0.5}, {"max", 3.9}}, 2, 1, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fp_dist d = make_ok(cases[i].name, cases[i].p, cases[i].np);
        double lo = NAN, hi = NAN;
        fp_dist_support(&d, &lo, &hi);
        if (lo != cases[i].lo || hi != cases[i].hi)
            fprintf(stderr, "\nsupport case %zu (%s): [%g, %g]\n", i, cases[i].name, lo, hi);
        CU_ASSERT(lo == cases[i].lo && hi == cases[i].hi);
        fp_dist_cleanup(&d);
    }
    const double v[] = {4, -2, 7, 9};
    const double w[] = {1, 1, 1, 0};
    fp_dist c = make_choice_ok(v, 4, w, 4, NULL, 0);
    double lo, hi;
    fp_dist_support(&c, &lo, &hi);
    CU_ASSERT(lo == -2.0 && hi == 7.0); /* 9 has weight 0 */
    fp_dist_cleanup(&c);
    fp_dist_param b[] = {{"min", 0}};
    c = make_choice_ok(v, 4, NULL, 0, b, 1);
    fp_dist_support(&c, &lo, &hi);
    CU_ASSERT(lo == 4.0 && hi == 9.0);
    fp_dist_cleanup(&c);
}

static void test_mean_cdf(void)
{
    fp_dist_param pp[] = {{"scale", 2}, {"shape", 1}};
    fp_dist d = make_ok("pareto", pp, 2);
    CU_ASSERT(isnan(fp_dist_mean(&d))); /* infinite mean */
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, 1.9), 0.0);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 4.0), 0.5, 1e-15);
    fp_dist_param pw[] = {{"scale", 2}, {"shape", 1.5}};
    d = make_ok("weibull", pw, 2);
    FP_ASSERT_NEAR(fp_dist_mean(&d), 1.8054905859018673, 1e-12);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 2.0), 1.0 - exp(-1.0), 1e-15);
    fp_dist_param pn[] = {{"mean", 3}, {"sd", 0}};
    d = make_ok("normal", pn, 2);
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, 2.999), 0.0);
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, 3.0), 1.0);
    CU_ASSERT(isnan(fp_dist_cdf(&d, NAN)));
    fp_dist_param pg[] = {{"p", 0.25}};
    d = make_ok("geometric", pg, 1);
    CU_ASSERT_EQUAL(fp_dist_mean(&d), 4.0);
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, 0.5), 0.0);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 1.0), 0.25, 1e-15);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 2.5), 1.0 - 0.75 * 0.75, 1e-15);
    fp_dist_param pb[] = {{"n", 10}, {"p", 0.5}};
    d = make_ok("binomial", pb, 2);
    CU_ASSERT_EQUAL(fp_dist_mean(&d), 5.0);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 0.0), 1.0 / 1024.0, 1e-15);
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, 10.0), 1.0);
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, -INFINITY), 0.0);
    fp_dist_param pnb[] = {{"n", 3}, {"p", 0.4}};
    d = make_ok("negative_binomial", pnb, 2);
    FP_ASSERT_NEAR(fp_dist_mean(&d), 4.5, 1e-12);
    FP_ASSERT_NEAR(fp_dist_cdf(&d, 0.0), 0.064, 1e-15);
    fp_dist_param pu[] = {{"min", 2}, {"max", 6}};
    d = make_ok("uniform", pu, 2);
    CU_ASSERT_EQUAL(fp_dist_mean(&d), 4.0);
    CU_ASSERT_EQUAL(fp_dist_cdf(&d, 3.0), 0.25);

    const double v[] = {10, 1, 5};
    const double w[] = {1, 2, 1};
    fp_dist c = make_choice_ok(v, 3, w, 3, NULL, 0);
    CU_ASSERT_EQUAL(fp_dist_mean(&c), 4.25);
    CU_ASSERT_EQUAL(fp_dist_cdf(&c, 0.5), 0.0);
    CU_ASSERT_EQUAL(fp_dist_cdf(&c, 1.0), 0.5);
    CU_ASSERT_EQUAL(fp_dist_cdf(&c, 7.0), 0.75);
    CU_ASSERT_EQUAL(fp_dist_cdf(&c, 10.0), 1.0);
    fp_dist_cleanup(&c);
}

static void test_names_discrete(void)
{
    const char *names[] = {"constant",    "uniform",           "normal",    "lognormal", "gamma",
                           "exponential", "weibull",           "pareto",    "beta",      "poisson",
                           "binomial",    "negative_binomial", "geometric", "choice"};
    for (int k = 0; k < FP_DIST_KIND_COUNT; k++)
        CU_ASSERT_STRING_EQUAL(fp_dist_kind_name((fp_dist_kind)k), names[k]);
    CU_ASSERT_PTR_NULL(fp_dist_kind_name(FP_DIST_KIND_COUNT));
    CU_ASSERT_PTR_NULL(fp_dist_kind_name((fp_dist_kind)-1));

    fp_dist d;
    fp_dist_constant(&d, 3.0);
    CU_ASSERT_TRUE(fp_dist_is_discrete(&d));
    fp_dist_constant(&d, 3.5);
    CU_ASSERT_FALSE(fp_dist_is_discrete(&d));
    fp_dist_param pp[] = {{"mean", 2}};
    d = make_ok("poisson", pp, 1);
    CU_ASSERT_TRUE(fp_dist_is_discrete(&d));
    d = make_ok("exponential", pp, 1);
    CU_ASSERT_FALSE(fp_dist_is_discrete(&d));
    const double vi[] = {1, 2}, vf[] = {1, 2.5};
    fp_dist c = make_choice_ok(vi, 2, NULL, 0, NULL, 0);
    CU_ASSERT_TRUE(fp_dist_is_discrete(&c));
    fp_dist_cleanup(&c);
    c = make_choice_ok(vf, 2, NULL, 0, NULL, 0);
    CU_ASSERT_FALSE(fp_dist_is_discrete(&c));
    fp_dist_cleanup(&c);
}

/* ---- suite sample ----------------------------------------------------------------------- */

static void test_deterministic(void)
{
    fp_dist_param p[] = {{"shape", 2}, {"scale", 3}, {"max", 20}};
    fp_dist d = make_ok("gamma", p, 3);
    double *a = draw_n(&d, 42, 1000);
    double *b = draw_n(&d, 42, 1000);
    double *c = draw_n(&d, 43, 1000);
    CU_ASSERT(memcmp(a, b, 1000 * sizeof *a) == 0);
    CU_ASSERT(memcmp(a, c, 1000 * sizeof *a) != 0);
    free(a);
    free(b);
    free(c);
}

static void test_constant_and_degenerate(void)
{
    gsl_rng *r = new_rng(1);
    fp_dist d;
    fp_dist_constant(&d, -2.5);
    CU_ASSERT_EQUAL(fp_dist_sample(&d, r), -2.5);
    fp_dist_param pn[] = {{"mean", 3}, {"sd", 0}};
    d = make_ok("normal", pn, 2);
    CU_ASSERT_EQUAL(fp_dist_sample(&d, r), 3.0);
    fp_dist_param pb[] = {{"n", 0}, {"p", 0.5}};
    d = make_ok("binomial", pb, 2);
    CU_ASSERT_EQUAL(fp_dist_sample(&d, r), 0.0);
    fp_dist_param pp[] = {{"mean", 0}};
    d = make_ok("poisson", pp, 1);
    CU_ASSERT_EQUAL(fp_dist_sample(&d, r), 0.0);
    fp_dist_param pg[] = {{"p", 1}};
    d = make_ok("geometric", pg, 1);
    CU_ASSERT_EQUAL(fp_dist_sample(&d, r), 1.0);
    gsl_rng_free(r);
}

/* Draws of a truncated distribution stay inside the bounds; the clamp path is exercised. */
static void test_bounds_and_clamp(void)
{
    const size_t n = 20000;
    /* mass 1.3e-6 above 4.7: nearly every sample exhausts the 1000 redraws and is clamped */
    fp_dist_param pn[] = {{"mean", 0}, {"sd", 1}, {"min", 4.7}};
    fp_dist d = make_ok("normal", pn, 3);
    double *x = draw_n(&d, 5, 2000);
    size_t at_min = 0;
    for (size_t i = 0; i < 2000; i++) {
        CU_ASSERT_FATAL(isfinite(x[i]) && x[i] >= 4.7);
        at_min += x[i] == 4.7;
    }
    CU_ASSERT(at_min > 1000);
    free(x);

    /* discrete clamp goes to a whole value: floor(60.5) */
    fp_dist_param pp[] = {{"mean", 100}, {"max", 60.5}};
    d = make_ok("poisson", pp, 2);
    x = draw_n(&d, 6, 2000);
    size_t at_max = 0;
    for (size_t i = 0; i < 2000; i++) {
        CU_ASSERT_FATAL(x[i] <= 60.0 && x[i] == floor(x[i]));
        at_max += x[i] == 60.0;
    }
    CU_ASSERT(at_max > 0);
    free(x);

    /* choice clamps to an allowed value */
    const double v[] = {1, 2};
    const double w[] = {1, 5e5};
    fp_dist_param mx[] = {{"max", 1.5}};
    fp_dist c = make_choice_ok(v, 2, w, 2, mx, 1);
    x = draw_n(&c, 7, 500);
    for (size_t i = 0; i < 500; i++)
        CU_ASSERT_FATAL(x[i] == 1.0);
    free(x);
    fp_dist_cleanup(&c);

    /* two-sided bounds with moderate mass are never clamped in practice */
    fp_dist_param pl[] = {{"median", 1}, {"sigma", 1}, {"min", 0.5}, {"max", 4}};
    d = make_ok("lognormal", pl, 4);
    x = draw_n(&d, 8, n);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_FATAL(x[i] >= 0.5 && x[i] <= 4.0 && x[i] != 0.5 && x[i] != 4.0);
    free(x);
}

/* Heavy tails that overflow to inf are redrawn, and clamped to DBL_MAX if they always do. */
static void test_always_finite(void)
{
    fp_dist_param p1[] = {{"scale", 1}, {"shape", 0.002}}; /* ~24% of raw draws are inf */
    fp_dist d = make_ok("pareto", p1, 2);
    double *x = draw_n(&d, 9, 5000);
    for (size_t i = 0; i < 5000; i++)
        CU_ASSERT_FATAL(isfinite(x[i]) && x[i] >= 1.0);
    free(x);
    fp_dist_param p2[] = {{"scale", 1}, {"shape", 1e-9}}; /* essentially every raw draw is inf */
    d = make_ok("pareto", p2, 2);
    x = draw_n(&d, 10, 50);
    for (size_t i = 0; i < 50; i++)
        CU_ASSERT_FATAL(isfinite(x[i]) && x[i] >= 1.0);
    CU_ASSERT_EQUAL(x[0], DBL_MAX);
    free(x);
    fp_dist_param p3[] = {{"median", 1}, {"sigma", 1e3}};
    d = make_ok("lognormal", p3, 2);
    x = draw_n(&d, 11, 5000);
    for (size_t i = 0; i < 5000; i++)
        CU_ASSERT_FATAL(isfinite(x[i]) && x[i] >= 0.0);
    free(x);
}

static void test_choice_values_only(void)
{
    const double v[] = {1, 2.5, 7, 10, 42};
    const double w[] = {1, 2, 3, 4, 0};
    fp_dist c = make_choice_ok(v, 5, w, 5, NULL, 0);
    double *x = draw_n(&c, 12, 20000);
    for (size_t i = 0; i < 20000; i++)
        CU_ASSERT_FATAL(x[i] == 1 || x[i] == 2.5 || x[i] == 7 || x[i] == 10); /* never 42 */
    free(x);
    fp_dist_cleanup(&c);
}

/* ---- suite ks --------------------------------------------------------------------------- */

typedef struct ks_case {
    const char *name;
    fp_dist_param p[MAX_PARAMS];
    size_t np;
    double mean; /* expected mean (NaN: undefined) */
    double var;  /* variance (NaN: infinite; no mean test) */
    unsigned long seed;
} ks_case;

static const ks_case ks_cases[] = {
    {"uniform", {{"min", -2}, {"max", 5}}, 2, 1.5, 49.0 / 12.0, 101},
    {"normal", {{"mean", 3}, {"sd", 2}}, 2, 3, 4, 102},
    {"normal", {{"mean", 0}, {"sd", 1}}, 2, 0, 1, 103},
    {"lognormal", {{"median", 2}, {"sigma", 0.5}}, 2, 2.2662969061336526, 1.458783416049546, 104},
    {"lognormal", {{"mean", 10}, {"sd", 3}}, 2, 10, 9, 105},
    {"gamma", {{"shape", 2.5}, {"scale", 1.5}}, 2, 3.75, 5.625, 106},
    {"gamma", {{"mean", 6}, {"sd", 3}}, 2, 6, 9, 107},
    {"gamma", {{"shape", 0.5}, {"scale", 2}}, 2, 1, 2, 108},
    {"exponential", {{"mean", 2}}, 1, 2, 4, 109},
    {"exponential", {{"mean", 1}}, 1, 1, 1, 110},
    {"weibull", {{"scale", 2}, {"shape", 1.5}}, 2, 1.8054905859018673, 1.5027611392557279, 111},
    {"weibull", {{"scale", 1}, {"shape", 0.7}}, 2, 1.2658235060572833, 3.4268355536531523, 112},
    {"pareto", {{"scale", 1}, {"shape", 3}}, 2, 1.5, 0.75, 113},
    {"pareto", {{"scale", 2}, {"shape", 1.5}}, 2, 6, NAN, 114},
    {"pareto", {{"scale", 1}, {"shape", 0.8}}, 2, NAN, NAN, 115},
    {"beta", {{"a", 2}, {"b", 5}}, 2, 2.0 / 7.0, 10.0 / 392.0, 116},
    {"beta", {{"a", 0.5}, {"b", 0.5}}, 2, 0.5, 0.125, 117},
};

static void run_ks(const fp_dist *d, unsigned long seed, const char *label, double exp_mean,
                   double var)
{
    double *x = draw_n(d, seed, N_DRAWS);
    int finite = 1;
    for (size_t i = 0; i < N_DRAWS; i++)
        finite &= isfinite(x[i]) != 0;
    CU_ASSERT(finite);
    if (isfinite(var)) {
        double m = sample_mean(x, N_DRAWS);
        double tol = 5.0 * sqrt(var / N_DRAWS);
        if (fabs(m - exp_mean) > tol)
            fprintf(stderr, "\n%s: mean %g, expected %g +- %g\n", label, m, exp_mean, tol);
        CU_ASSERT(fabs(m - exp_mean) <= tol);
    }
    trunc_cdf t = trunc_of(d);
    double ks = d->has_min || d->has_max ? fp_test_ks(x, N_DRAWS, cdf_trunc, &t)
                                         : fp_test_ks(x, N_DRAWS, cdf_plain, d);
    if (ks > FP_KS_CRIT_001)
        fprintf(stderr, "\n%s: KS sqrt(n)D = %.3f > %.3f\n", label, ks, FP_KS_CRIT_001);
    CU_ASSERT(ks <= FP_KS_CRIT_001);
    free(x);
}

static void test_ks_continuous(void)
{
    for (size_t i = 0; i < sizeof ks_cases / sizeof ks_cases[0]; i++) {
        const ks_case *c = &ks_cases[i];
        fp_dist d = make_ok(c->name, c->p, c->np);
        double m = fp_dist_mean(&d);
        if (isnan(c->mean)) {
            CU_ASSERT(isnan(m));
        } else {
            FP_ASSERT_NEAR(m, c->mean, 1e-12 * fabs(c->mean) + 1e-15);
        }
        run_ks(&d, c->seed, c->name, c->mean, c->var);
        fp_dist_cleanup(&d);
    }
}

static const ks_case trunc_cases[] = {
    {"normal", {{"mean", 0}, {"sd", 1}, {"min", -1}, {"max", 2}}, 4, NAN, NAN, 201},
    {"normal", {{"mean", 10}, {"sd", 8}, {"min", 0}}, 3, NAN, NAN, 202},
    {"exponential", {{"mean", 1}, {"max", 3}}, 2, NAN, NAN, 203},
    {"lognormal", {{"median", 1}, {"sigma", 1}, {"min", 0.5}, {"max", 4}}, 4, NAN, NAN, 204},
    {"gamma", {{"shape", 2}, {"scale", 1}, {"min", 1}}, 3, NAN, NAN, 205},
    {"weibull", {{"scale", 1}, {"shape", 2}, {"max", 1.5}}, 3, NAN, NAN, 206},
    {"pareto", {{"scale", 1}, {"shape", 1.2}, {"max", 100}}, 3, NAN, NAN, 207},
    {"beta", {{"a", 2}, {"b", 2}, {"min", 0.2}, {"max", 0.9}}, 4, NAN, NAN, 208},
    {"normal", {{"mean", 0}, {"sd", 1}, {"min", 2.5}}, 3, NAN, NAN, 209}, /* mass 0.6% */
};

static void test_ks_truncated(void)
{
    for (size_t i = 0; i < sizeof trunc_cases / sizeof trunc_cases[0]; i++) {
        const ks_case *c = &trunc_cases[i];
        fp_dist d = make_ok(c->name, c->p, c->np);
        CU_ASSERT(d.has_min || d.has_max);
        run_ks(&d, c->seed, c->name, NAN, NAN);
        fp_dist_cleanup(&d);
    }
}

/* KS statistic of draws from `drawn` tested against the CDF of `model`. */
static double ks_of(const fp_dist *drawn, const fp_dist *model, unsigned long seed)
{
    double *x = draw_n(drawn, seed, N_DRAWS);
    double ks = fp_test_ks(x, N_DRAWS, cdf_plain, model);
    free(x);
    return ks;
}

/* The test has power: a 5% scale error at the same seed and n is rejected. */
static void test_ks_power(void)
{
    fp_dist_param pn[] = {{"mean", 0}, {"sd", 1}};
    fp_dist_param pn5[] = {{"mean", 0}, {"sd", 1.05}};
    fp_dist n = make_ok("normal", pn, 2), n5 = make_ok("normal", pn5, 2);
    CU_ASSERT(ks_of(&n, &n, 103) <= FP_KS_CRIT_001); /* the seed of ks_cases[2] */
    CU_ASSERT(ks_of(&n5, &n, 103) > FP_KS_CRIT_001);
    fp_dist_param pe[] = {{"mean", 1}};
    fp_dist_param pe5[] = {{"mean", 1.05}};
    fp_dist e = make_ok("exponential", pe, 1), e5 = make_ok("exponential", pe5, 1);
    CU_ASSERT(ks_of(&e, &e, 110) <= FP_KS_CRIT_001); /* the seed of ks_cases[9] */
    CU_ASSERT(ks_of(&e5, &e, 110) > FP_KS_CRIT_001);
    /* a truncated sampler compared with the untruncated CDF is rejected too */
    fp_dist_param pt[] = {{"mean", 0}, {"sd", 1}, {"max", 2.5}};
    fp_dist t = make_ok("normal", pt, 3);
    CU_ASSERT(ks_of(&t, &n, 103) > FP_KS_CRIT_001);
}

/* ---- suite chisq ------------------------------------------------------------------------ */

typedef struct chisq_case {
    const char *name;
    fp_dist_param p[MAX_PARAMS];
    size_t np;
    double mean, var; /* untruncated moments (var NaN: no mean test) */
    unsigned long seed;
} chisq_case;

static const chisq_case chisq_cases[] = {
    {"poisson", {{"mean", 4.5}}, 1, 4.5, 4.5, 301},
    {"poisson", {{"mean", 0.3}}, 1, 0.3, 0.3, 302},
    {"poisson", {{"mean", 200}}, 1, 200, 200, 303},
    {"binomial", {{"n", 20}, {"p", 0.3}}, 2, 6, 4.2, 304},
    {"binomial", {{"n", 1000}, {"p", 0.02}}, 2, 20, 19.6, 305},
    {"binomial", {{"n", 50}, {"p", 0.9}}, 2, 45, 4.5, 306},
    {"negative_binomial", {{"n", 3}, {"p", 0.4}}, 2, 4.5, 11.25, 307},
    {"negative_binomial", {{"n", 1}, {"p", 0.05}}, 2, 19, 380, 308},
    {"geometric", {{"p", 0.2}}, 1, 5, 20, 309},
    {"geometric", {{"p", 0.9}}, 1, 1.0 / 0.9, 0.1 / 0.81, 310},
    {"poisson", {{"mean", 4.5}, {"min", 2}, {"max", 8}}, 3, NAN, NAN, 311},
    {"geometric", {{"p", 0.2}, {"min", 3.5}}, 2, NAN, NAN, 312},
    {"binomial", {{"n", 20}, {"p", 0.3}, {"max", 4}}, 3, NAN, NAN, 313},
};

/* Chi-square of `drawn`'s samples against `model` (truncated to model's bounds). */
static double chisq_of(const fp_dist *drawn, const fp_dist *model, unsigned long seed, size_t *dof,
                       double *mean)
{
    size_t npts;
    double *pts =
        model->kind == FP_DIST_CHOICE ? choice_points(model, &npts) : int_points(model, &npts);
    double *x = draw_n(drawn, seed, N_DRAWS);
    if (mean != NULL)
        *mean = sample_mean(x, N_DRAWS);
    trunc_cdf t = trunc_of(model);
    double stat = chisq(pts, npts, cdf_trunc, &t, x, N_DRAWS, dof);
    free(x);
    free(pts);
    return stat;
}

static void check_chisq(const fp_dist *d, unsigned long seed, const char *label, double mean,
                        double var)
{
    size_t dof;
    double m;
    double stat = chisq_of(d, d, seed, &dof, &m);
    double crit = gsl_cdf_chisq_Qinv(0.001, (double)dof);
    if (!(stat <= crit))
        fprintf(stderr, "\n%s: chi-square %.2f > %.2f (dof %zu)\n", label, stat, crit, dof);
    CU_ASSERT(stat <= crit);
    if (isfinite(var)) {
        double tol = 5.0 * sqrt(var / N_DRAWS);
        if (fabs(m - mean) > tol)
            fprintf(stderr, "\n%s: mean %g, expected %g +- %g\n", label, m, mean, tol);
        CU_ASSERT(fabs(m - mean) <= tol);
    }
}

static void test_chisq_discrete(void)
{
    for (size_t i = 0; i < sizeof chisq_cases / sizeof chisq_cases[0]; i++) {
        const chisq_case *c = &chisq_cases[i];
        fp_dist d = make_ok(c->name, c->p, c->np);
        if (isfinite(c->var))
            FP_ASSERT_NEAR(fp_dist_mean(&d), c->mean, 1e-12 * c->mean);
        double lo, hi;
        fp_dist_support(&d, &lo, &hi);
        double *x = draw_n(&d, c->seed, 1000);
        for (size_t k = 0; k < 1000; k++)
            CU_ASSERT_FATAL(x[k] >= lo && x[k] <= hi && x[k] == floor(x[k]));
        free(x);
        check_chisq(&d, c->seed, c->name, c->mean, c->var);
        fp_dist_cleanup(&d);
    }
}

static void test_chisq_choice(void)
{
    const double v[] = {10, 1, 2.5, 7, 42};
    const double w[] = {4, 1, 2, 3, 0};
    fp_dist c = make_choice_ok(v, 5, w, 5, NULL, 0);
    /* mean (40 + 1 + 5 + 21)/10 = 6.7, E[X^2] = (100*4 + 1 + 6.25*2 + 49*3)/10 = 56.05 */
    FP_ASSERT_NEAR(fp_dist_mean(&c), 6.7, 1e-12);
    check_chisq(&c, 401, "choice", 6.7, 56.05 - 6.7 * 6.7);
    fp_dist_cleanup(&c);

    const double ve[] = {3, 1, 2};
    c = make_choice_ok(ve, 3, NULL, 0, NULL, 0);
    check_chisq(&c, 402, "choice (equal)", 2.0, 2.0 / 3.0);
    fp_dist_cleanup(&c);

    const double vt[] = {1, 2, 3, 4, 5};
    fp_dist_param b[] = {{"min", 2}, {"max", 4}};
    c = make_choice_ok(vt, 5, NULL, 0, b, 2);
    check_chisq(&c, 403, "choice (bounded)", NAN, NAN);
    fp_dist_cleanup(&c);

    /* 200 values, uneven weights */
    double vm[200], wm[200];
    for (int i = 0; i < 200; i++) {
        vm[i] = (double)(i * 3);
        wm[i] = 1.0 + (double)(i % 7);
    }
    c = make_choice_ok(vm, 200, wm, 200, NULL, 0);
    check_chisq(&c, 404, "choice (200)", NAN, NAN);
    fp_dist_cleanup(&c);
}

/* The chi-square test has power: 5% off in a Poisson mean or in choice weights is rejected. */
static void test_chisq_power(void)
{
    size_t dof;
    fp_dist_param p[] = {{"mean", 5}};
    fp_dist_param p5[] = {{"mean", 5.25}};
    fp_dist d = make_ok("poisson", p, 1), d5 = make_ok("poisson", p5, 1);
    double ok = chisq_of(&d, &d, 301, &dof, NULL);
    CU_ASSERT(ok <= gsl_cdf_chisq_Qinv(0.001, (double)dof));
    double off = chisq_of(&d5, &d, 301, &dof, NULL);
    CU_ASSERT(off > gsl_cdf_chisq_Qinv(0.001, (double)dof));

    fp_dist_param g[] = {{"p", 0.2}};
    fp_dist_param g5[] = {{"p", 0.21}};
    fp_dist e = make_ok("geometric", g, 1), e5 = make_ok("geometric", g5, 1);
    off = chisq_of(&e5, &e, 309, &dof, NULL);
    CU_ASSERT(off > gsl_cdf_chisq_Qinv(0.001, (double)dof));

    const double v[] = {1, 2, 3, 4};
    const double w[] = {1, 1, 1, 1};
    const double w5[] = {1.05, 1, 1, 0.95};
    fp_dist c = make_choice_ok(v, 4, w, 4, NULL, 0), c5 = make_choice_ok(v, 4, w5, 4, NULL, 0);
    off = chisq_of(&c5, &c, 405, &dof, NULL);
    CU_ASSERT(off > gsl_cdf_chisq_Qinv(0.001, (double)dof));
    fp_dist_cleanup(&c);
    fp_dist_cleanup(&c5);
}

/* ---- registration ----------------------------------------------------------------------- */

int fp_test_register(void)
{
    static const fp_test_case make[] = {
        {"errors", test_errors},
        {"too_many_choices", test_too_many_choices},
        {"mass_threshold", test_mass_threshold},
        {"canonical", test_canonical},
        {"lognormal_conversion", test_lognormal_conversion},
        {"gamma_conversion", test_gamma_conversion},
        {"copy", test_copy},
        {"cleanup", test_cleanup},
        {"alloc_failure", test_alloc_failure},
        {"support", test_support},
        {"mean_cdf", test_mean_cdf},
        {"names_discrete", test_names_discrete},
        {NULL, NULL},
    };
    static const fp_test_case sample[] = {
        {"deterministic", test_deterministic},
        {"constant_and_degenerate", test_constant_and_degenerate},
        {"bounds_and_clamp", test_bounds_and_clamp},
        {"always_finite", test_always_finite},
        {"choice_values_only", test_choice_values_only},
        {NULL, NULL},
    };
    static const fp_test_case ks[] = {
        {"continuous", test_ks_continuous},
        {"truncated", test_ks_truncated},
        {"power", test_ks_power},
        {NULL, NULL},
    };
    static const fp_test_case chisq_tests[] = {
        {"discrete", test_chisq_discrete},
        {"choice", test_chisq_choice},
        {"power", test_chisq_power},
        {NULL, NULL},
    };
    if (fp_test_add_suite("make", make) != 0 || fp_test_add_suite("sample", sample) != 0 ||
        fp_test_add_suite("ks", ks) != 0 || fp_test_add_suite("chisq", chisq_tests) != 0)
        return -1;
    return 0;
}
