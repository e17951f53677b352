/*
 * fp_dist.h - the distributions a scenario number can follow, validated and sampled with GSL.
 *
 * A scenario value is either a constant or {dist: NAME, PARAMS..., min: A, max: B}. This module
 * knows every distribution's name and parameter names, validates the parameters (GSL's samplers
 * do not check them), samples with gsl_ran_* and gives the CDF (gsl_cdf_*) used by the
 * statistical tests. The YAML loader only collects the keys and numbers and calls fp_dist_make().
 *
 * Supported (parameter names in brackets; see docs/scenario-format.md):
 *   constant     [value]
 *   uniform      [min, max]                (min/max are the support here, not bounds)
 *   normal       [mean, sd]
 *   lognormal    [median, sigma] or [mean, sd]   (converted to mu, sigma)
 *   gamma        [shape, scale] or [mean, sd]
 *   exponential  [mean]
 *   weibull      [scale, shape]
 *   pareto       [scale, shape]            (x >= scale; called xm, alpha in some texts)
 *   beta         [a, b]
 *   poisson      [mean]
 *   binomial     [n, p]
 *   negative_binomial [n, p]               (failures before the n-th success)
 *   geometric    [p]                       (trials up to and including the first success, >= 1)
 *   choice       values: [..], weights: [..] (weights optional: equal)
 * Any of them (but constant) may have `min` and/or `max` bounds: the distribution is truncated
 * by rejection (draws outside [min, max] are redrawn), up to FP_DIST_MAX_REJECT draws, after which
 * the value is clamped. fp_dist_make() rejects bounds that leave less than 1e-6 of the mass.
 *
 * Ownership: an fp_dist owns its choice arrays and GSL lookup table; release with
 * fp_dist_cleanup(). Sampling is read-only on the fp_dist, so one fp_dist may be sampled from
 * several threads, each with its own gsl_rng.
 */
#ifndef FP_DIST_H
#define FP_DIST_H

#include <stddef.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "fp_core.h"

#define FP_DIST_MAX_REJECT 1000
#define FP_DIST_MAX_CHOICES 4096

typedef enum fp_dist_kind {
    FP_DIST_CONSTANT = 0,
    FP_DIST_UNIFORM,
    FP_DIST_NORMAL,
    FP_DIST_LOGNORMAL,
    FP_DIST_GAMMA,
    FP_DIST_EXPONENTIAL,
    FP_DIST_WEIBULL,
    FP_DIST_PARETO,
    FP_DIST_BETA,
    FP_DIST_POISSON,
    FP_DIST_BINOMIAL,
    FP_DIST_NEGATIVE_BINOMIAL,
    FP_DIST_GEOMETRIC,
    FP_DIST_CHOICE,
    FP_DIST_KIND_COUNT
} fp_dist_kind;

/*
 * A validated distribution. Treat as read-only after fp_dist_make(); the fields are visible so
 * that scenarios can be copied cheaply and tests can inspect the canonical parameters.
 * Canonical parameters in a[]: constant (value), uniform (min, max), normal (mean, sd),
 * lognormal (mu, sigma of log x), gamma (shape, scale), exponential (mean), weibull (scale,
 * shape), pareto (shape, scale), beta (a, b), poisson (mean), binomial (p, n),
 * negative_binomial (p, n), geometric (p), choice (unused).
 */
typedef struct fp_dist {
    fp_dist_kind kind;
    double a[2];
    int has_min, has_max;
    double min, max; /* truncation bounds when has_min / has_max */
    size_t n_choices;
    double *values;            /* choice: owned, n_choices */
    double *weights;           /* choice: owned, n_choices, normalised to sum 1 */
    gsl_ran_discrete_t *table; /* choice: owned */
} fp_dist;

#define FP_DIST_INIT                                                                               \
    {                                                                                              \
        FP_DIST_CONSTANT, {0, 0}, 0, 0, 0, 0, 0, NULL, NULL, NULL                                  \
    }

/* One "key: number" pair of a distribution mapping. `key` is borrowed. */
typedef struct fp_dist_param {
    const char *key;
    double value;
} fp_dist_param;

/*
 * Where fp_dist_make() found a problem: index into params (or -1 for the name itself, -2 for
 * the values list, -3 for the weights list, -4 for the whole mapping, e.g. a missing parameter),
 * and the element index within values/weights when relevant (else -1).
 */
typedef struct fp_dist_where {
    int param;
    long element;
} fp_dist_where;

/* Sets `d` to the constant `value` (never fails; no allocation). */
void fp_dist_constant(fp_dist *d, double value);

/*
 * Builds `out` from a distribution name and its parameters. `params` holds every numeric key of
 * the mapping except `dist` (including min/max bounds); `values` / `weights` are the choice lists
 * (NULL when absent). Unknown parameter names, missing ones, non-finite numbers and invalid
 * values (sd < 0, min > max, sigma <= 0, p outside [0,1], ...) are errors: FP_EINVAL with a
 * message such as "'sd' must be >= 0, got -1" or "unknown parameter 'sdev' for normal (did you
 * mean 'sd'?)" in err->msg, and `where` (may be NULL) pointing at the culprit. `out` is left
 * as FP_DIST_INIT on failure. FP_OK, FP_EINVAL or FP_ENOMEM. `where` is written only on
 * FP_EINVAL; the messages are listed in docs/distributions.md.
 */
fp_status fp_dist_make(fp_dist *out, const char *name, const fp_dist_param *params, size_t n_params,
                       const double *values, size_t n_values, const double *weights,
                       size_t n_weights, fp_dist_where *where, fp_error *err);

/* Frees what `d` owns and resets it to FP_DIST_INIT. NULL is a no-op. */
void fp_dist_cleanup(fp_dist *d);

/* Deep copy of `src` into `dst` (which must not own anything). FP_OK or FP_ENOMEM. */
fp_status fp_dist_copy(fp_dist *dst, const fp_dist *src);

/* One draw (truncated to the bounds as documented above). Always finite. */
double fp_dist_sample(const fp_dist *d, gsl_rng *r);

/*
 * Mean of the distribution ignoring the truncation bounds (NaN when undefined, e.g. Pareto with
 * shape <= 1). Used for documentation and calibration, never for sampling.
 */
double fp_dist_mean(const fp_dist *d);

/* Lower/upper CDF P(X <= x) of the untruncated distribution (for tests). */
double fp_dist_cdf(const fp_dist *d, double x);

/*
 * Whether the distribution takes integer values (poisson, binomial, ..., or an integer choice).
 * A constant counts as discrete when its value is integral.
 */
int fp_dist_is_discrete(const fp_dist *d);

/* "normal", ...; NULL if out of range. Static string. */
const char *fp_dist_kind_name(fp_dist_kind kind);

/* The smallest and largest value the (truncated) distribution can produce: used by validation
 * ("durations must be >= 0": a normal with no min bound can go negative and is rejected). */
void fp_dist_support(const fp_dist *d, double *lo, double *hi);

#endif /* FP_DIST_H */
