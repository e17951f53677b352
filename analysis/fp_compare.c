/*
 * fp_compare.c - Mann-Whitney U, Hodges-Lehmann, the decision rule, and the comparison of two
 * sets of runs (per method, run level, folded stacks). Formulas and choices: docs/compare.md.
 *
 * Order statistics of the na * nb pairwise differences are selected without forming them: with
 * both samples sorted, the number of differences <= v is counted in O(na + nb) by a two-pointer
 * walk, and v is bisected over the ordered bit patterns of doubles (at most 64 steps) until few
 * enough candidates remain to be collected and sorted. The result is exact (the same double a
 * full sort of the differences would give) for any sample size.
 */
#include "fp_compare.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

/* Below this many differences (or candidates) they are simply collected and sorted. */
#define SMALL_DIFFS 4096

/* ------------------------------------------------------------------------------------------ */
/* Mann-Whitney U                                                                              */

static int all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/*
 * Exact null distribution of U for samples of m and n distinct values: out[u] (u = 0..m*n) is
 * the number of the C(m+n, m) orderings with U = u. Recurrence on the largest value, which
 * either belongs to the m-sample (it beats all n others) or not:
 * f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u). Only additions, so doubles stay accurate.
 */
static fp_status wilcox_counts(size_t m, size_t n, double *out, fp_error *err)
{
    size_t len = m * n + 1, cells;
    if (!fp_mul_size(2 * (m + 1), len, &cells))
        return fp_error_set(err, FP_ENOMEM, "compare: exact U distribution too large");
    double *buf = fp_calloc(cells, sizeof(double));
    if (buf == NULL)
        return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
    double *old = buf, *cur = buf + (m + 1) * len;
    for (size_t mm = 0; mm <= m; mm++)
        old[mm * len] = 1.0; /* f(m', 0, u) = [u == 0] */
    for (size_t nn = 1; nn <= n; nn++) {
        memset(cur, 0, (m + 1) * len * sizeof(double));
        cur[0] = 1.0; /* f(0, n', u) = [u == 0] */
        for (size_t mm = 1; mm <= m; mm++) {
            double *dst = cur + mm * len;
            const double *left = cur + (mm - 1) * len, *up = old + mm * len;
            size_t top = mm * nn;
            for (size_t u = 0; u <= top; u++)
                dst[u] = (u >= nn ? left[u - nn] : 0.0) + up[u];
        }
        double *t = old;
        old = cur;
        cur = t;
    }
    memcpy(out, old + m * len, len * sizeof(double));
    fp_free(buf);
    return FP_OK;
}

/* The test on ascending-sorted samples. */
static fp_status mw_sorted(const double *a, size_t na, const double *b, size_t nb,
                           fp_mw_result *out, fp_error *err)
{
    memset(out, 0, sizeof(*out));
    out->p = 1.0;
    if (na == 0 || nb == 0)
        return FP_OK;
    double n1 = (double)na, n2 = (double)nb, nt = n1 + n2;
    double rank0 = 0.0, rb = 0.0, tsum = 0.0;
    size_t i = 0, j = 0, groups = 0;
    while (i < na || j < nb) {
        double v = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
        size_t ca = 0, cb = 0;
        while (i < na && a[i] == v) {
            i++;
            ca++;
        }
        while (j < nb && b[j] == v) {
            j++;
            cb++;
        }
        double t = (double)(ca + cb);
        rb += (double)cb * (rank0 + (t + 1.0) / 2.0);
        if (t > 1.0)
            tsum += t * t * t - t;
        rank0 += t;
        groups++;
    }
    out->ties = tsum > 0.0;
    out->u = rb - n2 * (n2 + 1.0) / 2.0;
    out->mean = n1 * n2 / 2.0;
    double var = n1 * n2 / 12.0 * ((nt + 1.0) - tsum / (nt * (nt - 1.0)));
    out->sd = (groups > 1 && var > 0.0) ? sqrt(var) : 0.0;
    if (out->sd == 0.0)
        return FP_OK; /* every value ties: no evidence either way, p = 1 */
    double d = out->u - out->mean;
    double corr = d > 0.0 ? 0.5 : (d < 0.0 ? -0.5 : 0.0);
    out->z = (d - corr) / out->sd;
    if (!out->ties && na < FP_MW_EXACT_MAX && nb < FP_MW_EXACT_MAX) {
        size_t len = na * nb + 1;
        double *f = fp_malloc(len * sizeof(double));
        if (f == NULL)
            return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
        fp_status st = wilcox_counts(na, nb, f, err);
        if (st != FP_OK) {
            fp_free(f);
            return st;
        }
        size_t u = (size_t)out->u; /* an integer without ties */
        double total = 0.0, le = 0.0, ge = 0.0;
        for (size_t k = 0; k < len; k++) {
            total += f[k];
            if (k <= u)
                le += f[k];
            if (k >= u)
                ge += f[k];
        }
        fp_free(f);
        double p = 2.0 * (le < ge ? le : ge) / total;
        out->p = p < 1.0 ? p : 1.0;
        out->exact = 1;
        return FP_OK;
    }
    double p = 2.0 * gsl_cdf_ugaussian_Q(fabs(out->z));
    out->p = p < 1.0 ? p : 1.0;
    return FP_OK;
}

/* New ascending-sorted copy of x (free with fp_free); *out NULL when n == 0. */
static fp_status sorted_copy(const double *x, size_t n, double **out, fp_error *err)
{
    *out = NULL;
    if (n == 0)
        return FP_OK;
    size_t bytes;
    if (!fp_mul_size(n, sizeof(double), &bytes) || (*out = fp_malloc(bytes)) == NULL)
        return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
    memcpy(*out, x, bytes);
    gsl_sort(*out, 1, n);
    return FP_OK;
}

fp_status fp_mann_whitney(const double *a, size_t na, const double *b, size_t nb, fp_mw_result *out,
                          fp_error *err)
{
    double *sa = NULL, *sb = NULL;
    fp_status st = FP_OK;
    memset(out, 0, sizeof(*out));
    out->p = 1.0;
    if (!all_finite(a, na) || !all_finite(b, nb)) {
        st = fp_error_set(err, FP_EINVAL, "compare: samples must be finite");
        goto out;
    }
    if ((st = sorted_copy(a, na, &sa, err)) != FP_OK ||
        (st = sorted_copy(b, nb, &sb, err)) != FP_OK)
        goto out;
    st = mw_sorted(sa, na, sb, nb, out, err);
out:
    fp_free(sa);
    fp_free(sb);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Order statistics of pairwise differences, Hodges-Lehmann                                   */

/* Monotone map of doubles to unsigned integers (finite values; -0 sorts just below +0). */
static uint64_t dkey(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof(u));
    return (u >> 63) ? ~u : (u | (UINT64_C(1) << 63));
}

static double dunkey(uint64_t k)
{
    uint64_t u = (k >> 63) ? (k & ~(UINT64_C(1) << 63)) : ~k;
    double x;
    memcpy(&x, &u, sizeof(x));
    return x;
}

/* Number of pairs with b_j - a_i <= v (both sorted ascending): non-decreasing in i. */
static size_t count_le(const double *a, size_t na, const double *b, size_t nb, double v)
{
    size_t j = 0, total = 0;
    for (size_t i = 0; i < na; i++) {
        while (j < nb && b[j] - a[i] <= v)
            j++;
        total += j;
    }
    return total;
}

/* Collects the differences in (lo, hi] (or all when all != 0) into buf (capacity cap). */
static size_t collect(const double *a, size_t na, const double *b, size_t nb, double lo, double hi,
                      int all, double *buf, size_t cap)
{
    size_t jl = 0, jh = 0, k = 0;
    for (size_t i = 0; i < na; i++) {
        if (all) {
            jl = 0;
            jh = nb;
        } else {
            while (jl < nb && b[jl] - a[i] <= lo)
                jl++;
            while (jh < nb && b[jh] - a[i] <= hi)
                jh++;
        }
        for (size_t j = jl; j < jh && k < cap; j++)
            buf[k++] = b[j] - a[i];
    }
    return k;
}

fp_status fp_pairwise_diff_kth(const double *a, size_t na, const double *b, size_t nb, size_t k,
                               double *out, fp_error *err)
{
    size_t total;
    double *buf = NULL;
    fp_status st = FP_OK;
    *out = 0.0;
    if (na == 0 || nb == 0 || !fp_mul_size(na, nb, &total) || k < 1 || k > total)
        return fp_error_set(err, FP_EINVAL, "compare: difference rank %zu out of range", k);
    double lo = b[0] - a[na - 1], hi = b[nb - 1] - a[0];
    if (!isfinite(lo) || !isfinite(hi))
        return fp_error_set(err, FP_EINVAL, "compare: differences overflow");
    size_t cap = na + nb > SMALL_DIFFS ? na + nb : SMALL_DIFFS;
    if (total <= cap) {
        if ((buf = fp_malloc(total * sizeof(double))) == NULL)
            return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
        collect(a, na, b, nb, 0, 0, 1, buf, total);
        gsl_sort(buf, 1, total);
        *out = buf[k - 1];
        goto out;
    }
    size_t cnt_lo = count_le(a, na, b, nb, lo);
    if (cnt_lo >= k) {
        *out = lo; /* the minimum difference */
        goto out;
    }
    size_t cnt_hi = total;
    /* Invariant: cnt_lo = #(d <= lo) < k <= #(d <= hi) = cnt_hi. */
    for (;;) {
        if (cnt_hi - cnt_lo <= cap) {
            size_t m = cnt_hi - cnt_lo;
            if ((buf = fp_malloc(m * sizeof(double))) == NULL) {
                st = fp_error_set(err, FP_ENOMEM, "compare: out of memory");
                goto out;
            }
            size_t got = collect(a, na, b, nb, lo, hi, 0, buf, m);
            if (got != m) {
                st = fp_error_set(err, FP_EINTERNAL, "compare: difference count mismatch");
                goto out;
            }
            gsl_sort(buf, 1, m);
            *out = buf[k - cnt_lo - 1];
            goto out;
        }
        uint64_t kl = dkey(lo), kh = dkey(hi);
        if (kh - kl <= 1) {
            *out = hi; /* no double between lo and hi: every candidate equals hi */
            goto out;
        }
        double mid = dunkey(kl + (kh - kl) / 2);
        size_t c = count_le(a, na, b, nb, mid);
        if (c >= k) {
            hi = mid;
            cnt_hi = c;
        } else {
            lo = mid;
            cnt_lo = c;
        }
    }
out:
    fp_free(buf);
    return st;
}

/* HL on sorted samples; `sd` is the tie-corrected sd of U (from mw_sorted). */
static fp_status hl_sorted(const double *a, size_t na, const double *b, size_t nb, double conf,
                           double sd, fp_hl_result *out, fp_error *err)
{
    fp_status st;
    size_t total;
    memset(out, 0, sizeof(*out));
    if (na == 0 || nb == 0)
        return FP_OK;
    if (!fp_mul_size(na, nb, &total))
        return fp_error_set(err, FP_ENOMEM, "compare: samples too large");
    double x, y;
    if (total % 2 == 1) {
        if ((st = fp_pairwise_diff_kth(a, na, b, nb, total / 2 + 1, &x, err)) != FP_OK)
            return st;
        out->shift = x;
    } else {
        if ((st = fp_pairwise_diff_kth(a, na, b, nb, total / 2, &x, err)) != FP_OK ||
            (st = fp_pairwise_diff_kth(a, na, b, nb, total / 2 + 1, &y, err)) != FP_OK)
            return st;
        out->shift = x / 2.0 + y / 2.0;
    }
    double z = gsl_cdf_ugaussian_Qinv((1.0 - conf) / 2.0);
    double kk = floor((double)total / 2.0 - z * sd);
    if (kk >= 1.0) {
        size_t k = (size_t)kk;
        if ((st = fp_pairwise_diff_kth(a, na, b, nb, k, &out->lo, err)) != FP_OK ||
            (st = fp_pairwise_diff_kth(a, na, b, nb, total + 1 - k, &out->hi, err)) != FP_OK)
            return st;
        out->ci_valid = 1;
    } else {
        out->lo = b[0] - a[na - 1];
        out->hi = b[nb - 1] - a[0];
    }
    return FP_OK;
}

fp_status fp_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb, double conf,
                            fp_hl_result *out, fp_error *err)
{
    double *sa = NULL, *sb = NULL;
    fp_status st = FP_OK;
    memset(out, 0, sizeof(*out));
    if (!(conf > 0.0 && conf < 1.0)) {
        st = fp_error_set(err, FP_EINVAL, "compare: confidence level must be in (0, 1)");
        goto out;
    }
    if (!all_finite(a, na) || !all_finite(b, nb)) {
        st = fp_error_set(err, FP_EINVAL, "compare: samples must be finite");
        goto out;
    }
    if ((st = sorted_copy(a, na, &sa, err)) != FP_OK ||
        (st = sorted_copy(b, nb, &sb, err)) != FP_OK)
        goto out;
    /* The exact branch of the U test is not needed here: only its sd. */
    double sd = 0.0;
    if (na > 0 && nb > 0) {
        fp_mw_result tmp;
        if ((st = mw_sorted(sa, na, sb, nb, &tmp, err)) != FP_OK)
            goto out;
        sd = tmp.sd;
    }
    st = hl_sorted(sa, na, sb, nb, conf, sd, out, err);
out:
    fp_free(sa);
    fp_free(sb);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Decision rule                                                                               */

const char *fp_change_name(fp_change c)
{
    static const char *const names[] = {"no_change",         "regression", "improvement",
                                        "insufficient_data", "added",      "removed"};
    return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : NULL;
}

fp_change fp_compare_classify(double ratio, double p, size_t na, size_t nb, size_t min_n,
                              const fp_compare_options *o)
{
    if (na < min_n || nb < min_n || na == 0 || nb == 0)
        return FP_CHANGE_INSUFFICIENT;
    if (!(p < o->alpha))
        return FP_CHANGE_NONE;
    if (ratio > 1.0 + o->noise)
        return FP_CHANGE_REGRESSION;
    if (ratio < 1.0 - o->noise)
        return FP_CHANGE_IMPROVEMENT;
    return FP_CHANGE_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* The comparison object                                                                       */

typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

static fp_status dvec_push(dvec *d, double x)
{
    if (d->n == d->cap && fp_grow((void **)&d->v, &d->cap, d->n + 1, sizeof(double)) != FP_OK)
        return FP_ENOMEM;
    d->v[d->n++] = x;
    return FP_OK;
}

/* A method seen on either side. calls[s] has one entry per run of side s since it was seen
 * (earlier runs are back-filled with 0 when it first appears, later ones at finish). */
typedef struct cmethod {
    char *name;
    dvec samples[2]; /* per-call inclusive durations, seconds */
    dvec calls[2];   /* calls per run */
} cmethod;

/* A call stack node: (parent node, method) -> self seconds summed over the runs of each side. */
typedef struct cnode {
    uint32_t parent; /* node index, or UINT32_MAX at the root */
    uint32_t method; /* index into methods */
    double self_s[2];
} cnode;

struct fp_compare {
    fp_compare_options opt;
    int finished;
    size_t runs[2];
    cmethod *methods;
    size_t n_methods, cap_methods;
    fp_strmap by_name; /* method name -> index into methods */
    cnode *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t *nhash; /* node index + 1 */
    size_t nhash_cap;
    dvec runm[2][FP_RUN_METRIC_COUNT];
    /* per-profile scratch, reused across runs */
    uint32_t *lmap;
    size_t cap_lmap;
    uint32_t *span_node;
    double *cover_end, *covered;
    size_t cap_spans;
    /* results */
    fp_method_delta *deltas;
    fp_run_delta run_deltas[FP_RUN_METRIC_COUNT];
};

static uint64_t hash_node(uint32_t parent, uint32_t method)
{
    uint64_t x = ((uint64_t)parent << 32) ^ method;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* Rebuilds the node hash table with capacity >= 2n + 2. */
static fp_status rehash(fp_compare *c)
{
    size_t n = c->n_nodes;
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    uint32_t *t = fp_calloc(cap, sizeof(uint32_t));
    if (t == NULL)
        return FP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = hash_node(c->nodes[i].parent, c->nodes[i].method);
        size_t s = (size_t)h & (cap - 1);
        while (t[s] != 0)
            s = (s + 1) & (cap - 1);
        t[s] = (uint32_t)(i + 1);
    }
    fp_free(c->nhash);
    c->nhash = t;
    c->nhash_cap = cap;
    return FP_OK;
}

/* The key function of `by_name`: method i's name. */
static const char *method_key(const void *ctx, size_t i)
{
    const fp_compare *c = ctx;
    return c->methods[i].name;
}

static fp_status intern_method(fp_compare *c, const char *name, uint32_t *out)
{
    size_t found;
    if (fp_strmap_find(&c->by_name, name, method_key, c, &found)) {
        *out = (uint32_t)found;
        return FP_OK;
    }
    if (c->n_methods >= UINT32_MAX - 1 ||
        fp_grow((void **)&c->methods, &c->cap_methods, c->n_methods + 1, sizeof(cmethod)) != FP_OK)
        return FP_ENOMEM;
    cmethod *m = &c->methods[c->n_methods];
    memset(m, 0, sizeof(*m));
    if ((m->name = fp_strdup(name)) == NULL)
        return FP_ENOMEM;
    if (fp_strmap_add(&c->by_name, c->n_methods, method_key, c) != FP_OK) {
        fp_free(m->name); /* not added: the method table is as before */
        m->name = NULL;
        return FP_ENOMEM;
    }
    *out = (uint32_t)c->n_methods++;
    return FP_OK;
}

static fp_status intern_node(fp_compare *c, uint32_t parent, uint32_t method, uint32_t *out)
{
    size_t mask = c->nhash_cap - 1, s = (size_t)hash_node(parent, method) & mask;
    for (; c->nhash[s] != 0; s = (s + 1) & mask) {
        const cnode *nd = &c->nodes[c->nhash[s] - 1];
        if (nd->parent == parent && nd->method == method) {
            *out = c->nhash[s] - 1;
            return FP_OK;
        }
    }
    if (c->n_nodes >= UINT32_MAX - 1 ||
        fp_grow((void **)&c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof(cnode)) != FP_OK)
        return FP_ENOMEM;
    cnode *nd = &c->nodes[c->n_nodes];
    memset(nd, 0, sizeof(*nd));
    nd->parent = parent;
    nd->method = method;
    *out = (uint32_t)c->n_nodes++;
    c->nhash[s] = *out + 1;
    if (2 * c->n_nodes + 2 > c->nhash_cap)
        return rehash(c);
    return FP_OK;
}

fp_status fp_compare_new(fp_compare **out, const fp_compare_options *o, fp_error *err)
{
    fp_compare_options def = FP_COMPARE_OPTIONS_INIT;
    *out = NULL;
    if (o == NULL)
        o = &def;
    if (!(o->alpha > 0.0 && o->alpha <= 1.0))
        return fp_error_set(err, FP_EINVAL, "compare: alpha must be in (0, 1], got %g", o->alpha);
    if (!(o->noise >= 0.0 && o->noise <= 10.0))
        return fp_error_set(err, FP_EINVAL, "compare: noise must be in [0, 10], got %g", o->noise);
    if (!(o->conf > 0.0 && o->conf < 1.0))
        return fp_error_set(err, FP_EINVAL, "compare: confidence must be in (0, 1), got %g",
                            o->conf);
    fp_compare *c = fp_calloc(1, sizeof(*c));
    if (c == NULL)
        return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
    c->opt = *o;
    if (rehash(c) != FP_OK) {
        fp_compare_free(c);
        return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
    }
    *out = c;
    return FP_OK;
}

void fp_compare_free(fp_compare *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_methods; i++) {
        fp_free(c->methods[i].name);
        for (int s = 0; s < 2; s++) {
            fp_free(c->methods[i].samples[s].v);
            fp_free(c->methods[i].calls[s].v);
        }
    }
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < FP_RUN_METRIC_COUNT; k++)
            fp_free(c->runm[s][k].v);
    fp_free(c->methods);
    fp_strmap_cleanup(&c->by_name);
    fp_free(c->nodes);
    fp_free(c->nhash);
    fp_free(c->lmap);
    fp_free(c->span_node);
    fp_free(c->cover_end);
    fp_free(c->covered);
    fp_free(c->deltas);
    fp_free(c);
}

static fp_status ensure_scratch(fp_compare *c, size_t n_methods, size_t n_spans)
{
    if (n_methods > c->cap_lmap) {
        uint32_t *m = fp_realloc(c->lmap, n_methods * sizeof(uint32_t));
        if (m == NULL)
            return FP_ENOMEM;
        c->lmap = m;
        c->cap_lmap = n_methods;
    }
    if (n_spans > c->cap_spans) {
        size_t b32, b64;
        if (!fp_mul_size(n_spans, sizeof(uint32_t), &b32) ||
            !fp_mul_size(n_spans, sizeof(double), &b64))
            return FP_ENOMEM;
        uint32_t *sn = fp_realloc(c->span_node, b32);
        if (sn == NULL)
            return FP_ENOMEM;
        c->span_node = sn;
        double *ce = fp_realloc(c->cover_end, b64);
        if (ce == NULL)
            return FP_ENOMEM;
        c->cover_end = ce;
        double *cv = fp_realloc(c->covered, b64);
        if (cv == NULL)
            return FP_ENOMEM;
        c->covered = cv;
        c->cap_spans = n_spans;
    }
    return FP_OK;
}

/* Pads method m's calls on side s with zeros up to `runs` entries. */
static fp_status pad_calls(cmethod *m, int s, size_t runs)
{
    while (m->calls[s].n < runs)
        if (dvec_push(&m->calls[s], 0.0) != FP_OK)
            return FP_ENOMEM;
    return FP_OK;
}

fp_status fp_compare_add_run(fp_compare *c, fp_side side, const fp_profile *p, fp_error *err)
{
    fp_analysis *an = NULL;
    fp_status st = FP_OK;
    int s = side == FP_SIDE_NEW ? 1 : 0;
    if (c->finished)
        return fp_error_set(err, FP_EINVAL, "compare: run added after fp_compare_finish()");
    /* fp_analyze checks the invariants this code relies on (parents before children, nesting). */
    if ((st = fp_analyze(&an, p, NULL, err)) != FP_OK)
        goto out;
    const fp_run_metrics *rm = fp_analysis_run(an);
    double rv[FP_RUN_METRIC_COUNT] = {rm->duration_s, rm->peak_mem_mb, rm->avg_cpu_pct};
    size_t nm = fp_profile_method_count(p), ns = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    size_t run = c->runs[s];
    if (ensure_scratch(c, nm, ns) != FP_OK)
        goto nomem;
    for (size_t i = 0; i < nm; i++)
        if (intern_method(c, fp_profile_method_name(p, i), &c->lmap[i]) != FP_OK)
            goto nomem;
    for (size_t i = 0; i < ns; i++) {
        c->cover_end[i] = sp[i].start_s;
        c->covered[i] = 0.0;
    }
    for (size_t i = 0; i < ns; i++) {
        uint32_t gid = c->lmap[sp[i].method];
        cmethod *m = &c->methods[gid];
        int32_t par = sp[i].parent;
        if (dvec_push(&m->samples[s], sp[i].dur_s) != FP_OK || pad_calls(m, s, run + 1) != FP_OK)
            goto nomem;
        m->calls[s].v[run] += 1.0;
        uint32_t pnode = par >= 0 ? c->span_node[par] : UINT32_MAX;
        if (intern_node(c, pnode, gid, &c->span_node[i]) != FP_OK)
            goto nomem;
        if (par >= 0) {
            /* Union of the children's intervals, clipped to the parent: children come in start
             * order, so a running end of the covered part is enough. */
            double pend = sp[par].start_s + sp[par].dur_s;
            double from = sp[i].start_s > c->cover_end[par] ? sp[i].start_s : c->cover_end[par];
            double to = sp[i].start_s + sp[i].dur_s;
            if (to > pend)
                to = pend;
            if (to > from) {
                c->covered[par] += to - from;
                c->cover_end[par] = to;
            }
        }
    }
    for (size_t i = 0; i < ns; i++) {
        double self = sp[i].dur_s - c->covered[i];
        c->nodes[c->span_node[i]].self_s[s] += self > 0.0 ? self : 0.0;
    }
    for (int k = 0; k < FP_RUN_METRIC_COUNT; k++)
        if (dvec_push(&c->runm[s][k], isfinite(rv[k]) ? rv[k] : 0.0) != FP_OK)
            goto nomem;
    c->runs[s]++;
    goto out;
nomem:
    st = fp_error_set(err, FP_ENOMEM, "compare: out of memory");
out:
    fp_analysis_free(an);
    return st;
}

static double median_sorted(const double *x, size_t n)
{
    if (n == 0)
        return 0.0;
    if (n % 2 == 1)
        return x[n / 2];
    return x[n / 2 - 1] / 2.0 + x[n / 2] / 2.0;
}

/* Fills d from two samples (sorted in place); the test runs when both have >= min_test. */
static fp_status sample_delta(const fp_compare *c, double *a, size_t na, double *b, size_t nb,
                              size_t min_n, size_t min_test, fp_sample_delta *d, fp_error *err)
{
    fp_status st;
    memset(d, 0, sizeof(*d));
    d->mw.p = 1.0;
    if (na > 0)
        gsl_sort(a, 1, na);
    if (nb > 0)
        gsl_sort(b, 1, nb);
    d->n_base = na;
    d->n_new = nb;
    d->base_median = median_sorted(a, na);
    d->new_median = median_sorted(b, nb);
    double cls_ratio;
    if (d->base_median > 0.0) {
        d->ratio = d->new_median / d->base_median;
        d->ratio_defined = isfinite(d->ratio);
        if (!d->ratio_defined)
            d->ratio = 0.0;
        cls_ratio = d->ratio_defined ? d->ratio : DBL_MAX;
    } else if (d->new_median == 0.0) {
        d->ratio = 1.0;
        d->ratio_defined = 1;
        cls_ratio = 1.0;
    } else {
        d->ratio = 0.0; /* base median 0, new median positive: "infinitely slower" */
        cls_ratio = DBL_MAX;
    }
    if (na >= min_test && nb >= min_test && na > 0 && nb > 0) {
        if ((st = mw_sorted(a, na, b, nb, &d->mw, err)) != FP_OK)
            return st;
        if ((st = hl_sorted(a, na, b, nb, c->opt.conf, d->mw.sd, &d->hl, err)) != FP_OK)
            return st;
    }
    d->change = fp_compare_classify(cls_ratio, d->mw.p, na, nb, min_n, &c->opt);
    return FP_OK;
}

static int change_rank(fp_change ch)
{
    switch (ch) {
    case FP_CHANGE_REGRESSION:
        return 0;
    case FP_CHANGE_IMPROVEMENT:
        return 1;
    case FP_CHANGE_NONE:
        return 2;
    case FP_CHANGE_INSUFFICIENT:
        return 3;
    case FP_CHANGE_ADDED:
        return 4;
    case FP_CHANGE_REMOVED:
        return 5;
    }
    return 6;
}

static int cmp_delta(const void *x, const void *y)
{
    const fp_method_delta *a = x, *b = y;
    int ra = change_rank(a->change), rb = change_rank(b->change);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return strcmp(a->name, b->name);
}

fp_status fp_compare_finish(fp_compare *c, fp_error *err)
{
    static const char *const names[FP_RUN_METRIC_COUNT] = {"duration_s", "peak_memory_mb",
                                                           "avg_cpu_pct"};
    static const char *const units[FP_RUN_METRIC_COUNT] = {"s", "MB", "%"};
    fp_status st;
    if (c->finished)
        return fp_error_set(err, FP_EINVAL, "compare: fp_compare_finish() called twice");
    c->finished = 1;
    if (c->n_methods > 0) {
        c->deltas = fp_calloc(c->n_methods, sizeof(fp_method_delta));
        if (c->deltas == NULL)
            return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
    }
    for (size_t i = 0; i < c->n_methods; i++) {
        cmethod *m = &c->methods[i];
        fp_method_delta *d = &c->deltas[i];
        d->name = m->name;
        for (int s = 0; s < 2; s++) {
            if (pad_calls(m, s, c->runs[s]) != FP_OK)
                return fp_error_set(err, FP_ENOMEM, "compare: out of memory");
            gsl_sort(m->calls[s].v, 1, m->calls[s].n);
        }
        d->calls_base = median_sorted(m->calls[0].v, m->calls[0].n);
        d->calls_new = median_sorted(m->calls[1].v, m->calls[1].n);
        st = sample_delta(c, m->samples[0].v, m->samples[0].n, m->samples[1].v, m->samples[1].n,
                          c->opt.min_samples, 1, &d->time, err);
        if (st != FP_OK)
            return st;
        if (m->samples[0].n == 0)
            d->change = FP_CHANGE_ADDED;
        else if (m->samples[1].n == 0)
            d->change = FP_CHANGE_REMOVED;
        else
            d->change = d->time.change;
    }
    if (c->n_methods > 1)
        qsort(c->deltas, c->n_methods, sizeof(fp_method_delta), cmp_delta);
    for (int k = 0; k < FP_RUN_METRIC_COUNT; k++) {
        fp_run_delta *r = &c->run_deltas[k];
        r->name = names[k];
        r->unit = units[k];
        size_t min_runs = c->opt.min_runs > 2 ? c->opt.min_runs : 2;
        st = sample_delta(c, c->runm[0][k].v, c->runm[0][k].n, c->runm[1][k].v, c->runm[1][k].n,
                          min_runs, 2, &r->d, err);
        if (st != FP_OK)
            return st;
    }
    return FP_OK;
}

const fp_compare_options *fp_compare_opts(const fp_compare *c)
{
    return &c->opt;
}

size_t fp_compare_run_count(const fp_compare *c, fp_side side)
{
    return c->runs[side == FP_SIDE_NEW ? 1 : 0];
}

const fp_method_delta *fp_compare_methods(const fp_compare *c, size_t *n)
{
    *n = c->finished ? c->n_methods : 0;
    return *n > 0 ? c->deltas : NULL;
}

const fp_run_delta *fp_compare_run_deltas(const fp_compare *c, size_t *n)
{
    *n = c->finished ? FP_RUN_METRIC_COUNT : 0;
    return *n > 0 ? c->run_deltas : NULL;
}

size_t fp_compare_count(const fp_compare *c, fp_change ch)
{
    size_t n = 0;
    if (!c->finished)
        return 0;
    for (size_t i = 0; i < c->n_methods; i++)
        n += c->deltas[i].change == ch;
    for (int k = 0; k < FP_RUN_METRIC_COUNT; k++)
        n += c->run_deltas[k].d.change == ch;
    return n;
}

double fp_compare_geomean(const fp_compare *c, size_t *n_used)
{
    double acc = 0.0;
    size_t n = 0;
    for (size_t i = 0; c->finished && i < c->n_methods; i++) {
        const fp_method_delta *d = &c->deltas[i];
        if (d->change == FP_CHANGE_ADDED || d->change == FP_CHANGE_REMOVED ||
            !d->time.ratio_defined || !(d->time.ratio > 0.0))
            continue;
        acc += log(d->time.ratio);
        n++;
    }
    if (n_used != NULL)
        *n_used = n;
    double g = n > 0 ? exp(acc / (double)n) : 1.0;
    return isfinite(g) ? g : 1.0;
}

/* ---- call stacks (the folded diff's data) ---- */

size_t fp_compare_stack_count(const fp_compare *c)
{
    return c->n_nodes;
}

fp_compare_stack fp_compare_stack_at(const fp_compare *c, size_t i)
{
    const cnode *nd = &c->nodes[i];
    fp_compare_stack s;
    s.parent = nd->parent == UINT32_MAX ? FP_COMPARE_STACK_ROOT : (size_t)nd->parent;
    s.method = c->methods[nd->method].name;
    for (int k = 0; k < 2; k++)
        s.mean_self_s[k] = c->runs[k] > 0 ? nd->self_s[k] / (double)c->runs[k] : 0.0;
    return s;
}
