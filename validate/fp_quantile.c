/*
 * fp_quantile.c - quantiles in bounded memory: exact values up to a cap, then a log-bucket
 * sketch (definitions and bounds in fp_quantile.h).
 */
#include "fp_quantile.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/*
 * Invariants: n counts every value added. Exact mode (sketched == 0): v[0..n) are the values
 * (n <= exact_cap <= cap). Sketched: v is NULL; zero + the sum of counts[0..nb) == n, counts[b]
 * is the number of values in bucket lo + b; vmin and vmax are the smallest and largest values
 * added (over every value, from the first).
 */
struct fp_quantile_store {
    uint64_t n;
    size_t exact_cap;
    double *v;
    size_t cap;
    int sketched;
    int oom;
    double vmin, vmax;
    int64_t lo;
    size_t nb;
    uint64_t *counts;
    uint64_t zero;
};

fp_status fp_quantile_store_new(fp_quantile_store **out, size_t exact_cap, fp_error *err)
{
    fp_quantile_store *q = fp_calloc(1, sizeof *q);
    *out = NULL;
    if (q == NULL)
        return fp_error_set(err, FP_ENOMEM, "quantile store: out of memory");
    q->exact_cap = exact_cap;
    q->sketched = exact_cap == 0;
    *out = q;
    return FP_OK;
}

void fp_quantile_store_free(fp_quantile_store *q)
{
    if (q == NULL)
        return;
    fp_free(q->v);
    fp_free(q->counts);
    fp_free(q);
}

static double log_gamma(void)
{
    return log((1.0 + FP_QUANTILE_REL_ERR) / (1.0 - FP_QUANTILE_REL_ERR));
}

/* Makes bucket i part of the dense range (with some slack); 0 on allocation failure. */
static int cover(fp_quantile_store *q, int64_t i)
{
    if (q->nb > 0 && i >= q->lo && i < q->lo + (int64_t)q->nb)
        return 1;
    int64_t lo = q->nb > 0 && q->lo < i ? q->lo : i;
    int64_t hi = q->nb > 0 && q->lo + (int64_t)q->nb - 1 > i ? q->lo + (int64_t)q->nb - 1 : i;
    int64_t extra = (hi - lo + 1) / 4 + 16;
    if (q->nb > 0) { /* grow towards the new bucket only */
        if (i < q->lo)
            lo -= extra;
        else
            hi += extra;
    } else {
        hi += extra;
    }
    size_t nb = (size_t)(hi - lo + 1);
    if (nb > SIZE_MAX / sizeof *q->counts)
        return 0;
    uint64_t *c = fp_calloc(nb, sizeof *c);
    if (c == NULL)
        return 0;
    if (q->nb > 0)
        memcpy(c + (q->lo - lo), q->counts, q->nb * sizeof *c);
    fp_free(q->counts);
    q->counts = c;
    q->lo = lo;
    q->nb = nb;
    return 1;
}

/* Counts v in its bucket (sketched mode). */
static void bucket_add(fp_quantile_store *q, double v)
{
    if (!(v > FP_QUANTILE_MIN)) {
        q->zero++;
        return;
    }
    if (v > DBL_MAX)
        v = DBL_MAX;
    int64_t i = (int64_t)ceil(log(v) / log_gamma());
    if (!cover(q, i)) {
        q->oom = 1;
        return;
    }
    q->counts[i - q->lo]++;
}

/* Moves the kept values into buckets and frees them. */
static void sketch(fp_quantile_store *q)
{
    for (size_t j = 0; j < (size_t)q->n; j++)
        bucket_add(q, q->v[j]);
    fp_free(q->v);
    q->v = NULL;
    q->cap = 0;
    q->sketched = 1;
}

void fp_quantile_store_add(fp_quantile_store *q, double v)
{
    if (q->n == 0 || v < q->vmin)
        q->vmin = v;
    if (q->n == 0 || v > q->vmax)
        q->vmax = v;
    if (q->oom) { /* the summary fails: only count */
        q->n++;
        return;
    }
    if (!q->sketched && q->n == q->exact_cap)
        sketch(q);
    if (q->sketched) {
        bucket_add(q, v);
        q->n++;
        return;
    }
    if (q->n == q->cap) {
        /* One allocation of the whole cap: its pages become resident only as values are
         * written, and no chain of reallocations leaves freed blocks behind. */
        size_t cap = q->exact_cap;
        double *nv = cap <= SIZE_MAX / sizeof(double) ? fp_malloc(cap * sizeof *nv) : NULL;
        if (nv == NULL) {
            q->oom = 1;
            q->n++;
            return;
        }
        q->v = nv;
        q->cap = cap;
    }
    q->v[q->n++] = v;
}

uint64_t fp_quantile_store_count(const fp_quantile_store *q)
{
    return q->n;
}

int fp_quantile_store_exact(const fp_quantile_store *q)
{
    return !q->sketched;
}

size_t fp_quantile_store_bytes(const fp_quantile_store *q)
{
    return sizeof *q + q->cap * sizeof *q->v + q->nb * sizeof *q->counts;
}

/* The j-th smallest value (0-based, j < n) as the sketch gives it back. */
static double order_stat(const fp_quantile_store *q, uint64_t j)
{
    if (j < q->zero)
        return 0;
    if (j == q->n - 1) /* the extremes are kept exactly */
        return q->vmax;
    if (j == 0)
        return q->vmin;
    uint64_t seen = q->zero;
    for (size_t b = 0; b < q->nb; b++) {
        seen += q->counts[b];
        if (j < seen) {
            double g = exp(log_gamma());
            double mid = 2.0 * exp((double)(q->lo + (int64_t)b) * log_gamma()) / (g + 1.0);
            if (mid < q->vmin)
                mid = q->vmin;
            if (mid > q->vmax)
                mid = q->vmax;
            return mid;
        }
    }
    return q->vmax; /* not reached while the invariants hold */
}

fp_status fp_quantile_store_quantile(fp_quantile_store *q, double f, double *out, fp_error *err)
{
    *out = 0;
    if (!(f >= 0 && f <= 1))
        return fp_error_set(err, FP_EINVAL, "quantile: f must be in [0, 1]");
    if (q->oom)
        return fp_error_set(err, FP_ENOMEM, "quantile store: out of memory keeping %llu values",
                            (unsigned long long)q->n);
    if (q->n == 0)
        return FP_OK;
    if (!q->sketched) {
        gsl_sort(q->v, 1, (size_t)q->n);
        *out = gsl_stats_quantile_from_sorted_data(q->v, 1, (size_t)q->n, f);
        return FP_OK;
    }
    /* gsl_stats_quantile_from_sorted_data's definition over the sketch's order statistics. */
    double index = f * (double)(q->n - 1);
    uint64_t lhs = (uint64_t)index;
    double delta = index - (double)lhs;
    if (lhs >= q->n - 1)
        *out = order_stat(q, q->n - 1);
    else
        *out = (1 - delta) * order_stat(q, lhs) + delta * order_stat(q, lhs + 1);
    return FP_OK;
}
