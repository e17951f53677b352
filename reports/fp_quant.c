/*
 * fp_quant.c - bounded-memory quantile accumulators and a small string map for the report.
 *
 * Why a hybrid: medians over a handful of runs must be exact (they appear in golden files and a
 * user checking by hand expects the textbook median), but a report over 10^6 runs must not keep
 * 10^6 values per metric and per method. So values are kept sorted up to FP_REPORT_EXACT_RUNS;
 * at the next value the P-square estimators (Jain and Chlamtac, CACM 28(10), 1985) are started
 * from those order statistics and updated in O(1) per value from then on. P-square is
 * deterministic, needs no random sampling (the report never touches an RNG), and stays within
 * the observed min/max.
 */
#include "fp_report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double s_probs[3] = {0.05, 0.5, 0.95};

void fp_qacc_init(fp_qacc *a)
{
    memset(a, 0, sizeof *a);
}

void fp_qacc_cleanup(fp_qacc *a)
{
    fp_free(a->buf);
    fp_qacc_init(a);
}

static double exact_quantile(const double *v, size_t n, double p)
{
    double h, frac;
    size_t lo;
    if (n == 0)
        return 0;
    h = (double)(n - 1) * p;
    lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    frac = h - (double)lo;
    return v[lo] + frac * (v[lo + 1] - v[lo]);
}

/* Starts P-square from the n sorted values in buf (n > FP_REPORT_EXACT_RUNS >= 5). */
static void p2_start(fp_qacc *a)
{
    size_t n = a->n;
    for (int k = 0; k < 3; k++) {
        double p = s_probs[k];
        double dn[5] = {0, p / 2, p, (1 + p) / 2, 1};
        for (int i = 0; i < 5; i++) {
            double want = 1.0 + (double)(n - 1) * dn[i];
            double pos = floor(want + 0.5);
            /* keep positions strictly increasing (guaranteed for n >= 64; cheap to enforce) */
            if (i > 0 && pos <= a->pos[k][i - 1])
                pos = a->pos[k][i - 1] + 1;
            if (pos > (double)n)
                pos = (double)n;
            a->pos[k][i] = pos;
            a->want[k][i] = want;
            a->q[k][i] = a->buf[(size_t)pos - 1];
        }
    }
    fp_free(a->buf);
    a->buf = NULL;
    a->cap = 0;
    a->streaming = 1;
}

static void p2_add(fp_qacc *a, double x)
{
    for (int k = 0; k < 3; k++) {
        double p = s_probs[k];
        double dn[5] = {0, p / 2, p, (1 + p) / 2, 1};
        double *q = a->q[k], *n = a->pos[k], *np = a->want[k];
        int c, i;
        if (x < q[0]) {
            q[0] = x;
            c = 0;
        } else if (x >= q[4]) {
            q[4] = x;
            c = 3;
        } else {
            c = 0;
            while (c < 3 && x >= q[c + 1])
                c++;
        }
        for (i = c + 1; i < 5; i++)
            n[i] += 1;
        for (i = 0; i < 5; i++)
            np[i] += dn[i];
        for (i = 1; i <= 3; i++) {
            double d = np[i] - n[i];
            if ((d >= 1 && n[i + 1] - n[i] > 1) || (d <= -1 && n[i - 1] - n[i] < -1)) {
                int s = d > 0 ? 1 : -1;
                double qp =
                    q[i] + (double)s / (n[i + 1] - n[i - 1]) *
                               ((n[i] - n[i - 1] + s) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
                                (n[i + 1] - n[i] - s) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
                if (!(q[i - 1] < qp && qp < q[i + 1]))
                    qp = q[i] + s * (q[i + s] - q[i]) / (n[i + s] - n[i]);
                q[i] = qp;
                n[i] += s;
            }
        }
    }
}

fp_status fp_qacc_add(fp_qacc *a, double x)
{
    size_t lo, hi;
    if (a->streaming) {
        a->n++;
        p2_add(a, x);
        return FP_OK;
    }
    if (a->n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        double *b;
        if (cap > FP_REPORT_EXACT_RUNS + 1)
            cap = FP_REPORT_EXACT_RUNS + 1;
        b = fp_realloc(a->buf, cap * sizeof *b);
        if (b == NULL)
            return FP_ENOMEM;
        a->buf = b;
        a->cap = cap;
    }
    /* sorted insertion: binary search for the first element > x */
    lo = 0;
    hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->buf[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(a->buf + lo + 1, a->buf + lo, (a->n - lo) * sizeof *a->buf);
    a->buf[lo] = x;
    a->n++;
    if (a->n > FP_REPORT_EXACT_RUNS)
        p2_start(a);
    return FP_OK;
}

double fp_qacc_get(const fp_qacc *a, int which)
{
    if (a->n == 0 || which < 0 || which > 2)
        return 0;
    if (a->streaming)
        return a->q[which][2];
    return exact_quantile(a->buf, a->n, s_probs[which]);
}

/* ---- string map: owned keys over the core's fp_strmap ---- */

void fp_smap_init(fp_smap *m)
{
    memset(m, 0, sizeof *m);
    fp_strmap_init(&m->map);
}

void fp_smap_cleanup(fp_smap *m)
{
    for (size_t i = 0; i < m->n; i++)
        fp_free(m->keys[i]);
    fp_free(m->keys);
    fp_free(m->vals);
    fp_strmap_cleanup(&m->map);
    fp_smap_init(m);
}

static const char *smap_key(const void *ctx, size_t i)
{
    return ((const fp_smap *)ctx)->keys[i];
}

size_t fp_smap_get(const fp_smap *m, const char *key)
{
    size_t i;
    return fp_strmap_find(&m->map, key, smap_key, m, &i) ? m->vals[i] : (size_t)-1;
}

fp_status fp_smap_put(fp_smap *m, const char *key, size_t val)
{
    size_t i;
    if (fp_strmap_find(&m->map, key, smap_key, m, &i)) {
        m->vals[i] = val;
        return FP_OK;
    }
    if (fp_grow((void **)&m->keys, &m->keys_cap, m->n + 1, sizeof *m->keys) != FP_OK ||
        fp_grow((void **)&m->vals, &m->vals_cap, m->n + 1, sizeof *m->vals) != FP_OK ||
        (m->keys[m->n] = fp_strdup(key)) == NULL)
        return FP_ENOMEM;
    if (fp_strmap_add(&m->map, m->n, smap_key, m) != FP_OK) {
        fp_free(m->keys[m->n]);
        return FP_ENOMEM;
    }
    m->vals[m->n++] = val;
    return FP_OK;
}
