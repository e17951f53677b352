/*
 * fp_dist.c - distributions of scenario values: parameter validation, GSL sampling with
 * truncation by rejection, CDFs, means and supports (see fp_dist.h and docs/distributions.md).
 *
 * GSL's samplers do not check their parameters (reliability.md, GSL 2.7.1) and several return
 * `unsigned int`, so fp_dist_make() is the only gate: everything it accepts can be sampled
 * without undefined behaviour (the count limits below exist for that reason) and every draw is
 * finite (non-finite draws are rejected like out-of-bounds ones).
 */
#include "fp_dist.h"

#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

/* Bounds must leave at least this much probability mass (checked with the CDF). */
#define MIN_MASS 1e-6

/*
 * Count limits. gsl_ran_poisson converts mu * 7/8 to unsigned int, and the negative binomial
 * and geometric samplers return unsigned int, so large means would overflow inside GSL.
 * Poisson: mean <= 1e9 keeps mu * 7/8 < UINT_MAX. Negative binomial: the Poisson rate is
 * Gamma(n) * (1-p)/p, which for n = 1 reaches ~22 times the mean with a 32-bit uniform, so the
 * mean is capped at 1e6. Geometric: the draw is log(u) / log1p(-p) <= ~33 / p, so p >= 1e-6.
 */
#define MAX_POISSON_MEAN 1e9
#define MAX_BINOMIAL_N 1e9
#define MAX_NEGBIN_MEAN 1e6
#define MIN_GEOMETRIC_P 1e-6

/* Special `where` indices (fp_dist_where.param). */
#define WHERE_NAME (-1)
#define WHERE_VALUES (-2)
#define WHERE_WEIGHTS (-3)
#define WHERE_MAPPING (-4)

/*
 * Every kind's name and parameterisations: set[s] lists the parameter names of one accepted
 * parameterisation (NULL = unused slot). A kind with two sets accepts either, never a mix.
 * The canonical a[] layout is documented in fp_dist.h.
 */
typedef struct kind_info {
    const char *name;
    const char *set[2][2];
} kind_info;

static const kind_info kinds[FP_DIST_KIND_COUNT] = {
    [FP_DIST_CONSTANT] = {"constant", {{"value", NULL}, {NULL, NULL}}},
    [FP_DIST_UNIFORM] = {"uniform", {{"min", "max"}, {NULL, NULL}}},
    [FP_DIST_NORMAL] = {"normal", {{"mean", "sd"}, {NULL, NULL}}},
    [FP_DIST_LOGNORMAL] = {"lognormal", {{"median", "sigma"}, {"mean", "sd"}}},
    [FP_DIST_GAMMA] = {"gamma", {{"shape", "scale"}, {"mean", "sd"}}},
    [FP_DIST_EXPONENTIAL] = {"exponential", {{"mean", NULL}, {NULL, NULL}}},
    [FP_DIST_WEIBULL] = {"weibull", {{"scale", "shape"}, {NULL, NULL}}},
    [FP_DIST_PARETO] = {"pareto", {{"scale", "shape"}, {NULL, NULL}}},
    [FP_DIST_BETA] = {"beta", {{"a", "b"}, {NULL, NULL}}},
    [FP_DIST_POISSON] = {"poisson", {{"mean", NULL}, {NULL, NULL}}},
    [FP_DIST_BINOMIAL] = {"binomial", {{"n", "p"}, {NULL, NULL}}},
    [FP_DIST_NEGATIVE_BINOMIAL] = {"negative_binomial", {{"n", "p"}, {NULL, NULL}}},
    [FP_DIST_GEOMETRIC] = {"geometric", {{"p", NULL}, {NULL, NULL}}},
    [FP_DIST_CHOICE] = {"choice", {{NULL, NULL}, {NULL, NULL}}},
};

/* Records an FP_EINVAL with a formatted message and the culprit's location. */
static fp_status bad(fp_error *err, fp_dist_where *where, int param, long element, const char *fmt,
                     ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static fp_status bad(fp_error *err, fp_dist_where *where, int param, long element, const char *fmt,
                     ...)
{
    char msg[FP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (where != NULL) {
        where->param = param;
        where->element = element;
    }
    return fp_error_set(err, FP_EINVAL, "%s", msg);
}

/*
 * Did-you-mean: fp_suggest()'s edit-distance match, else a candidate of at least two characters
 * that the word starts with ("sdev" -> "sd", "shape_k" -> "shape"), which edit distance alone
 * misses for short parameter names.
 */
static const char *suggest(const char *word, const char *const *cands, size_t n)
{
    const char *s = fp_suggest(word, cands, n);
    if (s != NULL)
        return s;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(cands[i]);
        if (len >= 2 && strncmp(word, cands[i], len) == 0)
            return cands[i];
    }
    return NULL;
}

/* Writes "a, b, c" into buf. */
static void join(char *buf, size_t size, const char *const *items, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", items[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* The parameter names `kind` accepts, in documentation order (for suggestions). */
static size_t kind_keys(fp_dist_kind kind, const char **keys)
{
    size_t n = 0;
    for (int s = 0; s < 2; s++)
        for (int j = 0; j < 2; j++)
            if (kinds[kind].set[s][j] != NULL)
                keys[n++] = kinds[kind].set[s][j];
    if (kind != FP_DIST_CONSTANT && kind != FP_DIST_UNIFORM) {
        keys[n++] = "min";
        keys[n++] = "max";
    }
    if (kind == FP_DIST_CHOICE) {
        keys[n++] = "values";
        keys[n++] = "weights";
    }
    return n;
}

static int is_count_kind(fp_dist_kind k)
{
    return k == FP_DIST_POISSON || k == FP_DIST_BINOMIAL || k == FP_DIST_NEGATIVE_BINOMIAL ||
           k == FP_DIST_GEOMETRIC;
}

void fp_dist_constant(fp_dist *d, double value)
{
    fp_dist init = FP_DIST_INIT;
    *d = init;
    d->a[0] = value;
}

const char *fp_dist_kind_name(fp_dist_kind kind)
{
    if ((int)kind < 0 || kind >= FP_DIST_KIND_COUNT)
        return NULL;
    return kinds[kind].name;
}

void fp_dist_cleanup(fp_dist *d)
{
    if (d == NULL)
        return;
    fp_free(d->values);
    fp_free(d->weights);
    if (d->table != NULL)
        gsl_ran_discrete_free(d->table);
    fp_dist init = FP_DIST_INIT;
    *d = init;
}

/*
 * Allocates the choice arrays of `d` for `n` entries, copies `values` and `weights` (already
 * normalised) when they are not NULL, and sets n_choices. FP_OK or FP_ENOMEM.
 */
static fp_status alloc_choice(fp_dist *d, const double *values, const double *weights, size_t n)
{
    size_t bytes;
    if (!fp_mul_size(n, sizeof(double), &bytes))
        return FP_ENOMEM;
    d->values = fp_malloc(bytes);
    if (d->values == NULL)
        return FP_ENOMEM;
    d->weights = fp_malloc(bytes);
    if (d->weights == NULL)
        return FP_ENOMEM;
    if (values != NULL)
        memcpy(d->values, values, bytes);
    if (weights != NULL)
        memcpy(d->weights, weights, bytes);
    d->n_choices = n;
    return FP_OK;
}

/*
 * Builds the GSL lookup table from d->weights. GSL allocates with malloc, outside the fp_malloc
 * seam; as the weights are validated, NULL can only mean that memory ran out.
 */
static fp_status build_table(fp_dist *d)
{
    d->table = gsl_ran_discrete_preproc(d->n_choices, d->weights);
    return d->table != NULL ? FP_OK : FP_ENOMEM;
}

fp_status fp_dist_copy(fp_dist *dst, const fp_dist *src)
{
    fp_dist d = *src;
    d.values = NULL;
    d.weights = NULL;
    d.table = NULL;
    d.n_choices = 0;
    fp_status st = FP_OK;
    if (src->kind == FP_DIST_CHOICE) {
        st = alloc_choice(&d, src->values, src->weights, src->n_choices);
        if (st == FP_OK)
            st = build_table(&d);
    }
    if (st != FP_OK) {
        fp_dist_cleanup(&d);
        fp_dist init = FP_DIST_INIT;
        *dst = init;
        return st;
    }
    *dst = d;
    return FP_OK;
}

/* Natural support of the untruncated distribution. */
static void natural_support(const fp_dist *d, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    switch (d->kind) {
    case FP_DIST_CONSTANT:
        *lo = *hi = d->a[0];
        break;
    case FP_DIST_UNIFORM:
        *lo = d->a[0];
        *hi = d->a[1];
        break;
    case FP_DIST_NORMAL:
        if (d->a[1] == 0.0)
            *lo = *hi = d->a[0];
        break;
    case FP_DIST_LOGNORMAL:
    case FP_DIST_GAMMA:
    case FP_DIST_EXPONENTIAL:
    case FP_DIST_WEIBULL:
        *lo = 0.0;
        break;
    case FP_DIST_PARETO:
        *lo = d->a[1];
        break;
    case FP_DIST_BETA:
        *lo = 0.0;
        *hi = 1.0;
        break;
    case FP_DIST_POISSON:
        *lo = 0.0;
        if (d->a[0] == 0.0)
            *hi = 0.0;
        break;
    case FP_DIST_BINOMIAL:
        *lo = d->a[0] == 1.0 ? d->a[1] : 0.0;
        *hi = d->a[0] == 0.0 ? 0.0 : d->a[1];
        break;
    case FP_DIST_NEGATIVE_BINOMIAL:
        *lo = 0.0;
        if (d->a[0] == 1.0)
            *hi = 0.0;
        break;
    case FP_DIST_GEOMETRIC:
        *lo = 1.0;
        if (d->a[0] == 1.0)
            *hi = 1.0;
        break;
    case FP_DIST_CHOICE:
        *lo = INFINITY;
        *hi = -INFINITY;
        for (size_t i = 0; i < d->n_choices; i++) {
            double v = d->values[i];
            if (d->weights[i] <= 0.0 || (d->has_min && v < d->min) || (d->has_max && v > d->max))
                continue;
            if (v < *lo)
                *lo = v;
            if (v > *hi)
                *hi = v;
        }
        break;
    case FP_DIST_KIND_COUNT:
        assert(0);
        break;
    }
}

void fp_dist_support(const fp_dist *d, double *lo, double *hi)
{
    natural_support(d, lo, hi);
    if (d->has_min) {
        double m = is_count_kind(d->kind) ? ceil(d->min) : d->min;
        if (m > *lo)
            *lo = m;
    }
    if (d->has_max) {
        double m = is_count_kind(d->kind) ? floor(d->max) : d->max;
        if (m < *hi)
            *hi = m;
    }
}

int fp_dist_is_discrete(const fp_dist *d)
{
    switch (d->kind) {
    case FP_DIST_POISSON:
    case FP_DIST_BINOMIAL:
    case FP_DIST_NEGATIVE_BINOMIAL:
    case FP_DIST_GEOMETRIC:
        return 1;
    case FP_DIST_CONSTANT:
        return floor(d->a[0]) == d->a[0];
    case FP_DIST_CHOICE:
        for (size_t i = 0; i < d->n_choices; i++)
            if (floor(d->values[i]) != d->values[i])
                return 0;
        return d->n_choices > 0;
    default:
        return 0;
    }
}

/* floor(x) as the unsigned int GSL's discrete CDFs take; the caller has checked 0 <= x. */
static unsigned int to_uint(double x)
{
    return (unsigned int)floor(x);
}

double fp_dist_cdf(const fp_dist *d, double x)
{
    const double p0 = d->a[0], p1 = d->a[1];
    if (isnan(x))
        return NAN;
    if (isinf(x))
        return x > 0 ? 1.0 : 0.0;
    switch (d->kind) {
    case FP_DIST_CONSTANT:
        return x < p0 ? 0.0 : 1.0;
    case FP_DIST_UNIFORM:
        return gsl_cdf_flat_P(x, p0, p1);
    case FP_DIST_NORMAL:
        if (p1 == 0.0)
            return x < p0 ? 0.0 : 1.0;
        return gsl_cdf_gaussian_P(x - p0, p1);
    case FP_DIST_LOGNORMAL:
        return x <= 0.0 ? 0.0 : gsl_cdf_lognormal_P(x, p0, p1);
    case FP_DIST_GAMMA:
        return x <= 0.0 ? 0.0 : gsl_cdf_gamma_P(x, p0, p1);
    case FP_DIST_EXPONENTIAL:
        return x <= 0.0 ? 0.0 : gsl_cdf_exponential_P(x, p0);
    case FP_DIST_WEIBULL:
        return x <= 0.0 ? 0.0 : gsl_cdf_weibull_P(x, p0, p1);
    case FP_DIST_PARETO:
        return x < p1 ? 0.0 : gsl_cdf_pareto_P(x, p0, p1);
    case FP_DIST_BETA:
        if (x <= 0.0)
            return 0.0;
        return x >= 1.0 ? 1.0 : gsl_cdf_beta_P(x, p0, p1);
    case FP_DIST_POISSON:
        if (x < 0.0)
            return 0.0;
        return x >= (double)UINT_MAX ? 1.0 : gsl_cdf_poisson_P(to_uint(x), p0);
    case FP_DIST_BINOMIAL:
        if (x < 0.0)
            return 0.0;
        return x >= p1 ? 1.0 : gsl_cdf_binomial_P(to_uint(x), p0, (unsigned int)p1);
    case FP_DIST_NEGATIVE_BINOMIAL:
        if (x < 0.0)
            return 0.0;
        if (p0 == 1.0 || x >= (double)UINT_MAX)
            return 1.0;
        return gsl_cdf_negative_binomial_P(to_uint(x), p0, p1);
    case FP_DIST_GEOMETRIC:
        if (x < 1.0)
            return 0.0;
        return x >= (double)UINT_MAX ? 1.0 : gsl_cdf_geometric_P(to_uint(x), p0);
    case FP_DIST_CHOICE: {
        double s = 0.0;
        for (size_t i = 0; i < d->n_choices; i++)
            if (d->values[i] <= x)
                s += d->weights[i];
        return s > 1.0 ? 1.0 : s;
    }
    case FP_DIST_KIND_COUNT:
        break;
    }
    assert(0);
    return NAN;
}

/* P(lo <= X <= hi) of the untruncated distribution. */
static double mass_between(const fp_dist *d, double lo, double hi)
{
    if (d->kind == FP_DIST_CHOICE) {
        double s = 0.0;
        for (size_t i = 0; i < d->n_choices; i++)
            if (d->values[i] >= lo && d->values[i] <= hi)
                s += d->weights[i];
        return s;
    }
    if (is_count_kind(d->kind))
        return fp_dist_cdf(d, floor(hi)) - fp_dist_cdf(d, ceil(lo) - 1.0);
    if (d->kind == FP_DIST_NORMAL && d->a[1] == 0.0)
        return d->a[0] >= lo && d->a[0] <= hi ? 1.0 : 0.0;
    return fp_dist_cdf(d, hi) - fp_dist_cdf(d, lo);
}

double fp_dist_mean(const fp_dist *d)
{
    const double p0 = d->a[0], p1 = d->a[1];
    switch (d->kind) {
    case FP_DIST_CONSTANT:
    case FP_DIST_EXPONENTIAL:
    case FP_DIST_POISSON:
        return p0;
    case FP_DIST_UNIFORM:
        return 0.5 * p0 + 0.5 * p1;
    case FP_DIST_NORMAL:
        return p0;
    case FP_DIST_LOGNORMAL:
        return exp(p0 + 0.5 * p1 * p1);
    case FP_DIST_GAMMA:
        return p0 * p1;
    case FP_DIST_WEIBULL: {
        gsl_sf_result lg;
        if (gsl_sf_lngamma_e(1.0 + 1.0 / p1, &lg) != GSL_SUCCESS)
            return INFINITY;
        return p0 * exp(lg.val);
    }
    case FP_DIST_PARETO:
        return p0 > 1.0 ? p0 * p1 / (p0 - 1.0) : (double)NAN;
    case FP_DIST_BETA:
        return p0 / (p0 + p1);
    case FP_DIST_BINOMIAL:
        return p1 * p0;
    case FP_DIST_NEGATIVE_BINOMIAL:
        return p1 * (1.0 - p0) / p0;
    case FP_DIST_GEOMETRIC:
        return 1.0 / p0;
    case FP_DIST_CHOICE: {
        double s = 0.0;
        for (size_t i = 0; i < d->n_choices; i++)
            s += d->weights[i] * d->values[i];
        return s;
    }
    case FP_DIST_KIND_COUNT:
        break;
    }
    assert(0);
    return NAN;
}

/* One untruncated draw. */
static double draw(const fp_dist *d, gsl_rng *r)
{
    const double p0 = d->a[0], p1 = d->a[1];
    switch (d->kind) {
    case FP_DIST_CONSTANT:
        return p0;
    case FP_DIST_UNIFORM:
        return gsl_ran_flat(r, p0, p1);
    case FP_DIST_NORMAL:
        return p0 + gsl_ran_gaussian(r, p1);
    case FP_DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, p0, p1);
    case FP_DIST_GAMMA:
        return gsl_ran_gamma(r, p0, p1);
    case FP_DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, p0);
    case FP_DIST_WEIBULL:
        return gsl_ran_weibull(r, p0, p1);
    case FP_DIST_PARETO:
        return gsl_ran_pareto(r, p0, p1);
    case FP_DIST_BETA:
        return gsl_ran_beta(r, p0, p1);
    case FP_DIST_POISSON:
        return (double)gsl_ran_poisson(r, p0);
    case FP_DIST_BINOMIAL:
        return (double)gsl_ran_binomial(r, p0, (unsigned int)p1);
    case FP_DIST_NEGATIVE_BINOMIAL:
        return (double)gsl_ran_negative_binomial(r, p0, p1);
    case FP_DIST_GEOMETRIC:
        return (double)gsl_ran_geometric(r, p0);
    case FP_DIST_CHOICE:
        return d->values[gsl_ran_discrete(r, d->table)];
    case FP_DIST_KIND_COUNT:
        break;
    }
    assert(0);
    return NAN;
}

double fp_dist_sample(const fp_dist *d, gsl_rng *r)
{
    double x = NAN;
    if (d->kind == FP_DIST_CONSTANT)
        return d->a[0];
    for (int i = 0; i < FP_DIST_MAX_REJECT; i++) {
        x = draw(d, r);
        if (isfinite(x) && (!d->has_min || x >= d->min) && (!d->has_max || x <= d->max))
            return x;
    }
    /* Every draw was rejected: clamp the last one into the (truncated) support, finitely. */
    double lo, hi;
    fp_dist_support(d, &lo, &hi);
    if (isnan(x))
        x = isfinite(lo) ? lo : isfinite(hi) ? hi : 0.0;
    if (x < lo)
        x = lo;
    if (x > hi)
        x = hi;
    if (x > DBL_MAX)
        x = DBL_MAX;
    if (x < -DBL_MAX)
        x = -DBL_MAX;
    return x;
}

/* Indices into params of the keys found by fp_dist_make (-1: absent). */
typedef struct found_keys {
    int set[2][2];
    int min, max;
} found_keys;

/* Classifies every parameter: known, not duplicated, finite. */
static fp_status scan_params(found_keys *f, fp_dist_kind kind, const fp_dist_param *params,
                             size_t n_params, fp_dist_where *where, fp_error *err)
{
    const char *name = kinds[kind].name;
    for (size_t i = 0; i < n_params; i++) {
        const char *key = params[i].key;
        int *slot = NULL;
        assert(key != NULL);
        for (int s = 0; s < 2 && slot == NULL; s++)
            for (int j = 0; j < 2 && slot == NULL; j++)
                if (kinds[kind].set[s][j] != NULL && strcmp(key, kinds[kind].set[s][j]) == 0)
                    slot = &f->set[s][j];
        if (slot == NULL && kind != FP_DIST_CONSTANT && kind != FP_DIST_UNIFORM) {
            if (strcmp(key, "min") == 0)
                slot = &f->min;
            else if (strcmp(key, "max") == 0)
                slot = &f->max;
        }
        if (slot == NULL) {
            if (kind == FP_DIST_CONSTANT && (strcmp(key, "min") == 0 || strcmp(key, "max") == 0))
                return bad(err, where, (int)i, -1, "'%s' is not allowed for constant", key);
            if (kind == FP_DIST_CHOICE &&
                (strcmp(key, "values") == 0 || strcmp(key, "weights") == 0))
                return bad(err, where, (int)i, -1, "'%s' must be a list", key);
            const char *keys[8];
            size_t nk = kind_keys(kind, keys);
            const char *s = suggest(key, keys, nk);
            if (s != NULL)
                return bad(err, where, (int)i, -1,
                           "unknown parameter '%.64s' for %s (did you mean '%s'?)", key, name, s);
            char list[128];
            join(list, sizeof list, keys, nk);
            return bad(err, where, (int)i, -1, "unknown parameter '%.64s' for %s (expected %s)",
                       key, name, list);
        }
        if (*slot != -1)
            return bad(err, where, (int)i, -1, "duplicate parameter '%s'", key);
        if (!isfinite(params[i].value))
            return bad(err, where, (int)i, -1, "'%s' must be finite, got %g", key, params[i].value);
        *slot = (int)i;
    }
    return FP_OK;
}

/* Picks the parameterisation (0 or 1) and checks that it is complete and not mixed. */
static fp_status pick_set(int *chosen, const found_keys *f, fp_dist_kind kind,
                          const fp_dist_param *params, fp_dist_where *where, fp_error *err)
{
    const kind_info *k = &kinds[kind];
    int first[2] = {-1, -1};
    for (int s = 0; s < 2; s++)
        for (int j = 0; j < 2; j++) {
            int i = f->set[s][j];
            if (i >= 0 && (first[s] < 0 || i < first[s]))
                first[s] = i;
        }
    if (first[0] >= 0 && first[1] >= 0) {
        int early = first[0] < first[1] ? first[0] : first[1];
        int late = first[0] < first[1] ? first[1] : first[0];
        return bad(err, where, late, -1,
                   "%s takes either (%s, %s) or (%s, %s); cannot mix '%s' with '%s'", k->name,
                   k->set[0][0], k->set[0][1], k->set[1][0], k->set[1][1], params[early].key,
                   params[late].key);
    }
    if (k->set[1][0] != NULL && first[0] < 0 && first[1] < 0)
        return bad(err, where, WHERE_MAPPING, -1, "%s needs (%s, %s) or (%s, %s)", k->name,
                   k->set[0][0], k->set[0][1], k->set[1][0], k->set[1][1]);
    *chosen = first[1] >= 0 ? 1 : 0;
    for (int j = 0; j < 2; j++)
        if (k->set[*chosen][j] != NULL && f->set[*chosen][j] < 0)
            return bad(err, where, WHERE_MAPPING, -1, "%s needs '%s'", k->name, k->set[*chosen][j]);
    return FP_OK;
}

/* Checks that params[i] > 0. */
static fp_status need_pos(const fp_dist_param *params, int i, fp_dist_where *where, fp_error *err)
{
    if (params[i].value > 0.0)
        return FP_OK;
    return bad(err, where, i, -1, "'%s' must be > 0, got %g", params[i].key, params[i].value);
}

/* Checks params[i] is an integer in [lo, MAX_BINOMIAL_N]; `what` names the range. */
static fp_status need_count(const fp_dist_param *params, int i, double lo, const char *what,
                            fp_dist_where *where, fp_error *err)
{
    double v = params[i].value;
    if (v < lo || floor(v) != v)
        return bad(err, where, i, -1, "'%s' must be a %s integer, got %g", params[i].key, what, v);
    if (v > MAX_BINOMIAL_N)
        return bad(err, where, i, -1, "'%s' must be <= %g, got %g", params[i].key, MAX_BINOMIAL_N,
                   v);
    return FP_OK;
}

/* Validates the chosen parameters of `d->kind` and stores the canonical a[]. */
static fp_status set_params(fp_dist *d, int s, const found_keys *f, const fp_dist_param *params,
                            fp_dist_where *where, fp_error *err)
{
    fp_status st = FP_OK;
    const int i0 = f->set[s][0], i1 = f->set[s][1];
    const double v0 = i0 >= 0 ? params[i0].value : 0.0;
    const double v1 = i1 >= 0 ? params[i1].value : 0.0;
    switch (d->kind) {
    case FP_DIST_CONSTANT:
        d->a[0] = v0;
        return FP_OK;
    case FP_DIST_EXPONENTIAL:
        if ((st = need_pos(params, i0, where, err)) != FP_OK)
            return st;
        d->a[0] = v0;
        return FP_OK;
    case FP_DIST_UNIFORM:
        if (!(v0 < v1))
            return bad(err, where, i1, -1, "'min' must be < 'max', got %g >= %g", v0, v1);
        d->a[0] = v0;
        d->a[1] = v1;
        return FP_OK;
    case FP_DIST_NORMAL:
        if (v1 < 0.0)
            return bad(err, where, i1, -1, "'sd' must be >= 0, got %g", v1);
        d->a[0] = v0;
        d->a[1] = v1;
        return FP_OK;
    case FP_DIST_LOGNORMAL:
    case FP_DIST_GAMMA:
        if ((st = need_pos(params, i0, where, err)) != FP_OK ||
            (st = need_pos(params, i1, where, err)) != FP_OK)
            return st;
        if (s == 0) {
            d->a[0] = d->kind == FP_DIST_LOGNORMAL ? log(v0) : v0;
            d->a[1] = v1;
            return FP_OK;
        }
        if (d->kind == FP_DIST_LOGNORMAL) {
            /* sigma^2 = log(1 + (sd/mean)^2), mu = log(mean) - sigma^2/2; the ratio first so
             * that large values do not overflow. */
            double cv = v1 / v0;
            double s2 = log1p(cv * cv);
            d->a[0] = log(v0) - 0.5 * s2;
            d->a[1] = sqrt(s2);
        } else {
            /* shape = (mean/sd)^2, scale = sd^2/mean */
            double ratio = v0 / v1;
            d->a[0] = ratio * ratio;
            d->a[1] = v1 / ratio;
        }
        if (!(isfinite(d->a[0]) && isfinite(d->a[1]) && d->a[1] > 0.0 &&
              (d->kind == FP_DIST_LOGNORMAL || d->a[0] > 0.0)))
            return bad(err, where, WHERE_MAPPING, -1, "%s with mean %g and sd %g is out of range",
                       kinds[d->kind].name, v0, v1);
        return FP_OK;
    case FP_DIST_WEIBULL:
    case FP_DIST_PARETO:
    case FP_DIST_BETA:
        if ((st = need_pos(params, i0, where, err)) != FP_OK ||
            (st = need_pos(params, i1, where, err)) != FP_OK)
            return st;
        /* pareto is stored (shape, scale), the order gsl_ran_pareto takes */
        d->a[0] = d->kind == FP_DIST_PARETO ? v1 : v0;
        d->a[1] = d->kind == FP_DIST_PARETO ? v0 : v1;
        return FP_OK;
    case FP_DIST_POISSON:
        if (v0 < 0.0)
            return bad(err, where, i0, -1, "'mean' must be >= 0, got %g", v0);
        if (v0 > MAX_POISSON_MEAN)
            return bad(err, where, i0, -1, "'mean' must be <= %g, got %g", MAX_POISSON_MEAN, v0);
        d->a[0] = v0;
        return FP_OK;
    case FP_DIST_BINOMIAL:
        if ((st = need_count(params, i0, 0.0, "non-negative", where, err)) != FP_OK)
            return st;
        if (!(v1 >= 0.0 && v1 <= 1.0))
            return bad(err, where, i1, -1, "'p' must be in [0,1], got %g", v1);
        d->a[0] = v1;
        d->a[1] = v0;
        return FP_OK;
    case FP_DIST_NEGATIVE_BINOMIAL: {
        if ((st = need_count(params, i0, 1.0, "positive", where, err)) != FP_OK)
            return st;
        if (!(v1 > 0.0 && v1 <= 1.0))
            return bad(err, where, i1, -1, "'p' must be in (0,1], got %g", v1);
        double mean = v0 * (1.0 - v1) / v1;
        if (!(mean <= MAX_NEGBIN_MEAN))
            return bad(err, where, i1, -1, "negative_binomial mean n*(1-p)/p must be <= %g, got %g",
                       MAX_NEGBIN_MEAN, mean);
        d->a[0] = v1;
        d->a[1] = v0;
        return FP_OK;
    }
    case FP_DIST_GEOMETRIC:
        if (!(v0 >= MIN_GEOMETRIC_P && v0 <= 1.0))
            return bad(err, where, i0, -1, "'p' must be in [%g,1], got %g", MIN_GEOMETRIC_P, v0);
        d->a[0] = v0;
        return FP_OK;
    case FP_DIST_CHOICE:
    case FP_DIST_KIND_COUNT:
        break;
    }
    return FP_OK;
}

/* Validates the choice lists and allocates them, normalising the weights to sum 1. */
static fp_status make_choice(fp_dist *d, const double *values, size_t n_values,
                             const double *weights, size_t n_weights, fp_dist_where *where,
                             fp_error *err)
{
    if (values == NULL)
        return bad(err, where, WHERE_MAPPING, -1, "choice needs 'values'");
    if (n_values == 0)
        return bad(err, where, WHERE_VALUES, -1, "'values' must not be empty");
    if (n_values > FP_DIST_MAX_CHOICES)
        return bad(err, where, WHERE_VALUES, -1, "'values' has %zu elements, at most %d allowed",
                   n_values, FP_DIST_MAX_CHOICES);
    for (size_t i = 0; i < n_values; i++)
        if (!isfinite(values[i]))
            return bad(err, where, WHERE_VALUES, (long)i, "'values[%zu]' must be finite, got %g", i,
                       values[i]);
    double wmax = 0.0;
    if (weights != NULL) {
        if (n_weights != n_values)
            return bad(err, where, WHERE_WEIGHTS, -1,
                       "'weights' has %zu elements but 'values' has %zu", n_weights, n_values);
        for (size_t i = 0; i < n_weights; i++) {
            if (!isfinite(weights[i]))
                return bad(err, where, WHERE_WEIGHTS, (long)i,
                           "'weights[%zu]' must be finite, got %g", i, weights[i]);
            if (weights[i] < 0.0)
                return bad(err, where, WHERE_WEIGHTS, (long)i,
                           "'weights[%zu]' must be >= 0, got %g", i, weights[i]);
            if (weights[i] > wmax)
                wmax = weights[i];
        }
        if (wmax == 0.0)
            return bad(err, where, WHERE_WEIGHTS, -1, "'weights' must not all be zero");
    }
    fp_status st = alloc_choice(d, values, NULL, n_values);
    if (st == FP_OK) {
        /* Scale by the largest weight first so that the sum cannot overflow, then normalise. */
        double sum = 0.0;
        for (size_t i = 0; i < n_values; i++) {
            d->weights[i] = weights != NULL ? weights[i] / wmax : 1.0;
            sum += d->weights[i];
        }
        for (size_t i = 0; i < n_values; i++)
            d->weights[i] /= sum;
        st = build_table(d);
    }
    if (st != FP_OK)
        return fp_error_set(err, st, "out of memory");
    return FP_OK;
}

fp_status fp_dist_make(fp_dist *out, const char *name, const fp_dist_param *params, size_t n_params,
                       const double *values, size_t n_values, const double *weights,
                       size_t n_weights, fp_dist_where *where, fp_error *err)
{
    fp_dist d = FP_DIST_INIT;
    found_keys f = {{{-1, -1}, {-1, -1}}, -1, -1};
    fp_status st = FP_OK;
    int kind = -1, set = 0;
    fp_dist_constant(out, 0.0);

    if (name == NULL || name[0] == '\0') {
        st = bad(err, where, WHERE_NAME, -1, "missing distribution name");
        goto out;
    }
    const char *names[FP_DIST_KIND_COUNT];
    for (int k = 0; k < FP_DIST_KIND_COUNT; k++) {
        names[k] = kinds[k].name;
        if (strcmp(name, kinds[k].name) == 0)
            kind = k;
    }
    if (kind < 0) {
        const char *s = suggest(name, names, FP_DIST_KIND_COUNT);
        if (s != NULL) {
            st = bad(err, where, WHERE_NAME, -1,
                     "unknown distribution '%.64s' (did you mean '%s'?)", name, s);
        } else {
            char list[192];
            join(list, sizeof list, names, FP_DIST_KIND_COUNT);
            st = bad(err, where, WHERE_NAME, -1, "unknown distribution '%.64s' (expected %s)", name,
                     list);
        }
        goto out;
    }
    d.kind = (fp_dist_kind)kind;
    if (n_params > 0 && params == NULL) {
        assert(0);
        st = bad(err, where, WHERE_MAPPING, -1, "internal error: no parameters");
        goto out;
    }
    if ((st = scan_params(&f, d.kind, params, n_params, where, err)) != FP_OK)
        goto out;
    if (d.kind != FP_DIST_CHOICE && (values != NULL || n_values > 0)) {
        st = bad(err, where, WHERE_VALUES, -1, "'values' is only allowed for choice");
        goto out;
    }
    if (d.kind != FP_DIST_CHOICE && (weights != NULL || n_weights > 0)) {
        st = bad(err, where, WHERE_WEIGHTS, -1, "'weights' is only allowed for choice");
        goto out;
    }
    if (d.kind == FP_DIST_CHOICE) {
        if ((st = make_choice(&d, values, n_values, weights, n_weights, where, err)) != FP_OK)
            goto out;
    } else {
        if ((st = pick_set(&set, &f, d.kind, params, where, err)) != FP_OK)
            goto out;
        if ((st = set_params(&d, set, &f, params, where, err)) != FP_OK)
            goto out;
    }

    /* Truncation bounds (uniform's min/max are its parameters, never bounds). */
    if (f.min >= 0) {
        d.has_min = 1;
        d.min = params[f.min].value;
    }
    if (f.max >= 0) {
        d.has_max = 1;
        d.max = params[f.max].value;
    }
    if (d.has_min && d.has_max && d.min > d.max) {
        st = bad(err, where, f.max, -1, "'min' must be <= 'max', got %g > %g", d.min, d.max);
        goto out;
    }
    if (d.has_min || d.has_max) {
        double lo = d.has_min ? d.min : -(double)INFINITY;
        double hi = d.has_max ? d.max : (double)INFINITY;
        double mass = mass_between(&d, lo, hi);
        if (!(mass >= MIN_MASS)) {
            st = bad(err, where, d.has_max ? f.max : f.min, -1,
                     "bounds [%g, %g] leave %g of the probability mass, need at least %g", lo, hi,
                     mass, MIN_MASS);
            goto out;
        }
    }

out:
    if (st != FP_OK) {
        fp_dist_cleanup(&d);
        return st;
    }
    *out = d;
    return FP_OK;
}
