/*
 * fp_metrics.c - span indices, self times, per-method and run metrics, and the critical path.
 *
 * Self time of a span = its duration minus the length of the union of its children's
 * intervals (clipped to the span): children may run in parallel on other tracks, so summing
 * their durations would over-subtract. The critical path is the standard backward walk: from
 * the end of a span, step into the child that finishes last among those ending by the current
 * time, credit the gap to the parent's own work, continue from that child's start.
 */
#include "fp_analysis_internal.h"
#include "fp_baseline.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define EPS_S 1e-9

/* ---- sorting doubles ---- */

/* GSL's sort (the house uses GSL's, not a sort of its own): the one call every sort of doubles in
 * the analysis goes through, so a faster one, if ever needed, is one change. */
void fp_sort_doubles(double *x, size_t n)
{
    gsl_sort(x, 1, n);
}

/* Up to this many values a sorted copy is gsl_sort_smallest(): an insertion into the destination,
 * about 1.5x faster than gsl_sort's heapsort on 48-128 values in random order (2x below 16,
 * 10x on ascending ones); quadratic: at 96 values in descending order, its worst case, it takes
 * about heapsort's time on 96 random ones (3.1 against 3.6 us here). */
#define SORT_INSERT_MAX 96

void fp_sort_doubles_into(double *dst, const double *src, size_t n)
{
    double zero = 0.0; /* 1 when some value is +0, -0 or NaN (a flag of doubles: no branch) */
    for (size_t i = 0; i < n; i++)
        zero = (src[i] == 0.0 || src[i] != src[i]) ? 1.0 : zero;
    /* equal doubles are the same bits but for the sign of zero, which the two sorts may order
     * differently, and a NaN compares with nothing, so the two would place it differently: with
     * either (a NaN cannot reach here from a checked profile), gsl_sort's order, so the result
     * is gsl_sort's bit for bit */
    if (n <= SORT_INSERT_MAX && zero == 0.0) {
        gsl_sort_smallest(dst, n, src, 1, n);
        return;
    }
    memcpy(dst, src, n * sizeof *dst);
    gsl_sort(dst, 1, n);
}

void fp_method_self_sorted(const fp_work *w, size_t m, double *out, double *scratch)
{
    size_t n = w->m_off[m + 1] - w->m_off[m], j, k;
    if (w->self_is_dur[m]) {
        memcpy(out, w->dur_sorted + w->m_off[m], n * sizeof *out); /* the same array */
        return;
    }
    for (j = 0, k = w->m_off[m]; k < w->m_off[m + 1]; k++, j++)
        scratch[j] = w->self[w->m_idx[k]];
    fp_sort_doubles_into(out, scratch, n);
}

/* Parent of span i, or n (the virtual root) for top-level or invalid parents. */
static size_t parent_of(const fp_work *w, size_t i)
{
    int32_t p = w->spans[i].parent;
    return (p >= 0 && (size_t)p < i) ? (size_t)p : w->n_spans;
}

/*
 * Offsets of k arrays in one allocation: array j has counts[j] elements of sizes[j] bytes and
 * starts at off[j], a multiple of FP_PART_ALIGN (enough for every element type here); *total is
 * the block's size. 0 on overflow.
 */
#define FP_PART_ALIGN 16
static int part_offsets(size_t k, const size_t *counts, const size_t *sizes, size_t *off,
                        size_t *total)
{
    size_t at = 0, bytes;
    for (size_t j = 0; j < k; j++) {
        if (!fp_mul_size(counts[j], sizes[j], &bytes) || bytes > SIZE_MAX - at - FP_PART_ALIGN)
            return 0;
        off[j] = at;
        at += (bytes + FP_PART_ALIGN - 1) / FP_PART_ALIGN * FP_PART_ALIGN;
    }
    *total = at ? at : 1;
    return 1;
}

/* The workspace's arrays in one allocation (w->block, freed by the caller): the offsets are
 * zeroed (build_index() counts in them), every other array is written before it is read. */
static fp_status alloc_arrays(fp_work *w, size_t n_methods, fp_error *err)
{
    size_t n = w->n_spans, nb = n > w->ser.n ? n : w->ser.n, off[9], total;
    char *blk;

    if (nb == 0)
        nb = 1;
    if (n_methods == SIZE_MAX || n > SIZE_MAX - 2)
        return fp_error_set(err, FP_ENOMEM, "analysis: profile too large");
    const size_t counts[9] = {n + 1, n + 2, n + 1, n_methods + 1, n + 1,
                              nb,    nb,    n + 1, n_methods + 1};
    const size_t sizes[9] = {sizeof(double), sizeof(size_t), sizeof(size_t),
                             sizeof(size_t), sizeof(size_t), sizeof(double),
                             sizeof(double), sizeof(double), 1};
    if (!part_offsets(9, counts, sizes, off, &total))
        return fp_error_set(err, FP_ENOMEM, "analysis: profile too large");
    blk = fp_malloc(total);
    if (!blk)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    memset(blk + off[1], 0, counts[1] * sizes[1]);
    memset(blk + off[3], 0, counts[3] * sizes[3]);
    w->block = blk;
    w->self = (double *)(void *)(blk + off[0]);
    w->child_off = (size_t *)(void *)(blk + off[1]);
    w->child_idx = (size_t *)(void *)(blk + off[2]);
    w->m_off = (size_t *)(void *)(blk + off[3]);
    w->m_idx = (size_t *)(void *)(blk + off[4]);
    w->buf = (double *)(void *)(blk + off[5]);
    w->buf2 = (double *)(void *)(blk + off[6]);
    w->dur_sorted = (double *)(void *)(blk + off[7]);
    w->self_is_dur = (unsigned char *)(blk + off[8]);
    return FP_OK;
}

/* Counting sort of spans by parent and by method; both keep span order inside a group. */
static void build_index(fp_work *w, size_t n_methods)
{
    size_t n = w->n_spans, i, acc, tmp;

    for (i = 0; i < n; i++) {
        w->child_off[parent_of(w, i) + 1]++;
        w->m_off[w->spans[i].method + 1]++;
    }
    for (i = 1; i < n + 2; i++)
        w->child_off[i] += w->child_off[i - 1];
    for (i = 1; i < n_methods + 1; i++)
        w->m_off[i] += w->m_off[i - 1];
    /* fill: each offset serves as the cursor of its group and ends at the next group's start */
    for (i = 0; i < n; i++) {
        size_t p = parent_of(w, i);
        w->child_idx[w->child_off[p]++] = i;
        w->m_idx[w->m_off[w->spans[i].method]++] = i;
    }
    /* the cursors moved each offset to the next group's start: shift back */
    acc = 0;
    for (i = 0; i < n + 1; i++) {
        tmp = w->child_off[i];
        w->child_off[i] = acc;
        acc = tmp;
    }
    w->child_off[n + 1] = n;
    acc = 0;
    for (i = 0; i < n_methods; i++) {
        tmp = w->m_off[i];
        w->m_off[i] = acc;
        acc = tmp;
    }
    w->m_off[n_methods] = n;
}

static void compute_self(fp_work *w)
{
    size_t i, k;

    for (i = 0; i < w->n_spans; i++) {
        const fp_span *s = &w->spans[i];
        double s0 = s->start_s, s1 = s->start_s + s->dur_s, cur0 = 0, cur1 = 0, covered = 0;
        int open = 0;

        /* children are in start order (profile invariant): one sweep gives the union */
        for (k = w->child_off[i]; k < w->child_off[i + 1]; k++) {
            const fp_span *c = &w->spans[w->child_idx[k]];
            double c0 = c->start_s < s0 ? s0 : c->start_s;
            double c1 = c->start_s + c->dur_s > s1 ? s1 : c->start_s + c->dur_s;
            if (c1 <= c0)
                continue;
            if (open && c0 <= cur1) {
                if (c1 > cur1)
                    cur1 = c1;
            } else {
                if (open)
                    covered += cur1 - cur0;
                cur0 = c0;
                cur1 = c1;
                open = 1;
            }
        }
        if (open)
            covered += cur1 - cur0;
        w->self[i] = fp_clamp(s->dur_s - covered, 0.0, s->dur_s);
    }
}

/* 1 when span i runs inside another call of its own method (recursion: counted once). */
static int inside_same_method(const fp_work *w, size_t i)
{
    uint32_t m = w->spans[i].method;
    for (size_t p = parent_of(w, i); p < w->n_spans; p = parent_of(w, p))
        if (w->spans[p].method == m)
            return 1;
    return 0;
}

/*
 * A sum of finite span values that is not finite overflowed: an error (FP_ERANGE), never a
 * silent 0 (fp_fin()). `what` names the quantity, `whose` the method or "the run".
 */
static fp_status check_sum(double sum, const char *what, const char *whose_kind, const char *whose,
                           fp_error *err)
{
    if (isfinite(sum))
        return FP_OK;
    if (whose == NULL)
        return fp_error_set(err, FP_ERANGE, "analysis: %s of %s overflow", what, whose_kind);
    return fp_error_set(err, FP_ERANGE, "analysis: %s of %s '%s' overflow", what, whose_kind,
                        whose);
}

static fp_status method_metrics(fp_analysis *a, const fp_work *w, fp_error *err)
{
    size_t m, k;

    for (m = 0; m < a->n_methods; m++) {
        fp_method_metrics *mm = &a->methods[m];
        size_t n = w->m_off[m + 1] - w->m_off[m], j = 0;
        double sum = 0, incl = 0, self = 0, cpu_w = 0, alloc = 0, amax = 0, ret = 0, ops = 0,
               bytes = 0, *d = w->dur_sorted + w->m_off[m], *dur = w->buf;
        int same = 1;

        mm->calls = n;
        w->self_is_dur[m] = 0;
        if (n == 0)
            continue;
        for (k = w->m_off[m]; k < w->m_off[m + 1]; k++) {
            const fp_span *s = &w->spans[w->m_idx[k]];
            double sf = w->self[w->m_idx[k]];
            dur[j++] = s->dur_s;
            same &= memcmp(&sf, &s->dur_s, sizeof sf) == 0;
            incl += s->dur_s;
            if (!inside_same_method(w, w->m_idx[k]))
                sum += s->dur_s;
            self += sf;
            cpu_w += s->cpu_pct * sf;
            alloc += s->mem_alloc_mb;
            if (s->mem_alloc_mb > amax)
                amax = s->mem_alloc_mb;
            ret += s->mem_retained_mb;
            ops += s->io_ops;
            bytes += s->io_bytes;
        }
        const struct {
            double v;
            const char *what;
        } sums[] = {{sum, "total time"},      {self, "self time"},     {alloc, "allocated memory"},
                    {ret, "retained memory"}, {ops, "I/O operations"}, {bytes, "I/O bytes"}};
        for (size_t q = 0; q < sizeof sums / sizeof sums[0]; q++) {
            fp_status st = check_sum(sums[q].v, sums[q].what, "method",
                                     mm->name != NULL ? mm->name : "?", err);
            if (st != FP_OK)
                return st;
        }
        fp_sort_doubles_into(d, dur, n);
        w->self_is_dur[m] = (unsigned char)same;
        mm->total_s = fp_fin(sum);
        mm->self_s = fp_fin(self);
        mm->mean_s = fp_div(incl, (double)n);
        mm->sd_s = n >= 2 ? fp_fin(gsl_stats_sd(d, 1, n)) : 0.0;
        mm->self_mean_s = fp_div(self, (double)n);
        mm->min_s = d[0];
        mm->max_s = d[n - 1];
        mm->p50_s = fp_fin(gsl_stats_quantile_from_sorted_data(d, 1, n, 0.50));
        mm->p95_s = fp_fin(gsl_stats_quantile_from_sorted_data(d, 1, n, 0.95));
        mm->p99_s = fp_fin(gsl_stats_quantile_from_sorted_data(d, 1, n, 0.99));
        mm->share = fp_clamp(fp_div(self, w->duration), 0.0, 1.0);
        mm->mem_alloc_mb = fp_fin(alloc);
        mm->mem_alloc_mean_mb = fp_div(alloc, (double)n);
        mm->mem_alloc_max_mb = amax;
        mm->mem_retained_mb = fp_fin(ret);
        mm->cpu_pct = fp_clamp(fp_div(cpu_w, self), 0.0, 100.0);
        mm->io_ops = fp_fin(ops);
        mm->io_bytes = fp_fin(bytes);
    }
    return FP_OK;
}

typedef struct mem_event {
    double t;
    double delta;
} mem_event;

static int cmp_event(const void *pa, const void *pb)
{
    const mem_event *x = pa, *y = pb;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    /* frees first at equal times: a call ending as another starts does not overlap it */
    return (x->delta > y->delta) - (x->delta < y->delta);
}

/* Memory curve rebuilt from spans: +alloc at start, -(alloc - retained) at the end. */
static fp_status mem_from_spans(fp_run_metrics *r, const fp_work *w, fp_error *err)
{
    size_t n = w->n_spans, i, bytes;
    mem_event *ev;
    double level = 0, peak = 0, area = 0, prev_t = 0;

    if (!fp_mul_size(n, 2 * sizeof(mem_event), &bytes))
        return fp_error_set(err, FP_ENOMEM, "analysis: profile too large");
    ev = fp_malloc(bytes ? bytes : 1);
    if (!ev)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    for (i = 0; i < n; i++) {
        const fp_span *s = &w->spans[i];
        ev[2 * i].t = s->start_s;
        ev[2 * i].delta = s->mem_alloc_mb;
        ev[2 * i + 1].t = s->start_s + s->dur_s;
        ev[2 * i + 1].delta = -(s->mem_alloc_mb - s->mem_retained_mb);
    }
    qsort(ev, 2 * n, sizeof *ev, cmp_event);
    for (i = 0; i < 2 * n; i++) {
        area += level * (ev[i].t - prev_t);
        prev_t = ev[i].t;
        level += ev[i].delta;
        if (level > peak)
            peak = level;
    }
    if (w->duration > prev_t)
        area += level * (w->duration - prev_t);
    r->mem_source = FP_SOURCE_SPANS;
    r->peak_mem_mb = fp_fin(peak);
    r->avg_mem_mb = fp_clamp(fp_div(area, w->duration), 0.0, r->peak_mem_mb);
    fp_free(ev);
    return FP_OK;
}

static fp_status run_metrics(fp_analysis *a, const fp_work *w, fp_error *err)
{
    fp_run_metrics *r = &a->run;
    size_t i, tracks = 0;
    double self = 0, ops = 0, bytes = 0, cpu_w = 0, cpu_max = 0;
    fp_status st = FP_OK;

    r->duration_s = fp_fin(w->duration);
    r->cores = w->cores >= 1 ? w->cores : 1.0;
    r->span_count = w->n_spans;
    r->method_count = a->n_methods;
    /* distinct tracks: ids are usually small, so mark them in a bitmap of the scratch buffer
     * (n_spans doubles = 64 n_spans bits); larger ids fall back to sorting a copy */
    uint32_t max_track = 0;
    for (i = 0; i < w->n_spans; i++)
        if (w->spans[i].track > max_track)
            max_track = w->spans[i].track;
    if (w->n_spans > 0 && (size_t)max_track < 64 * w->n_spans) {
        uint64_t *bits = (uint64_t *)(void *)w->buf;
        memset(bits, 0, ((size_t)max_track / 64 + 1) * sizeof *bits);
        for (i = 0; i < w->n_spans; i++) {
            uint32_t t = w->spans[i].track;
            uint64_t bit = UINT64_C(1) << (t % 64);
            if (!(bits[t / 64] & bit)) {
                bits[t / 64] |= bit;
                tracks++;
            }
        }
    } else {
        for (i = 0; i < w->n_spans; i++)
            w->buf[i] = (double)w->spans[i].track; /* exact below 2^53 */
        gsl_sort(w->buf, 1, w->n_spans);
        for (i = 0; i < w->n_spans; i++)
            if (i == 0 || w->buf[i] != w->buf[i - 1])
                tracks++;
    }
    r->track_count = tracks;
    for (i = 0; i < w->n_spans; i++) {
        const fp_span *s = &w->spans[i];
        self += w->self[i];
        ops += s->io_ops;
        bytes += s->io_bytes;
        cpu_w += s->cpu_pct * w->self[i];
        if (w->self[i] > 0 && s->cpu_pct > cpu_max)
            cpu_max = s->cpu_pct;
    }
    if ((st = check_sum(self, "self time", "the run", NULL, err)) != FP_OK ||
        (st = check_sum(ops, "I/O operations", "the run", NULL, err)) != FP_OK ||
        (st = check_sum(bytes, "I/O bytes", "the run", NULL, err)) != FP_OK)
        return st;
    r->self_s = fp_fin(self);
    r->parallelism = fp_div(self, w->duration);

    /* Each resource from its own source (fp_profile_data()): the series when it carries that
     * resource, else the spans (a trace's heap series has no CPU; its CPU is span thread time). */
    const fp_series *ser = &w->ser;
    int ser_mem = ser->n > 0 && (w->data & FP_DATA_SERIES_MEM);
    int ser_cpu = ser->n > 0 && (w->data & FP_DATA_SERIES_CPU);
    /* one pass over the series for every sum and maximum: the four sums are four independent
     * chains of additions, each in sample order as before */
    double mmax = ser->n > 0 ? ser->mem_mb[0] : 0, msum = 0, cmax = 0, csum = 0, so = 0, sb = 0;
    for (i = 0; i < ser->n; i++) {
        /* the maxima as selections, not branches (the series jumps up and down) */
        mmax = ser->mem_mb[i] > mmax ? ser->mem_mb[i] : mmax;
        msum += ser->mem_mb[i];
        cmax = ser->cpu_pct[i] > cmax ? ser->cpu_pct[i] : cmax;
        csum += ser->cpu_pct[i];
        so += ser->io_ops[i];
        sb += ser->io_bytes[i];
    }
    if (ser_mem) {
        r->mem_source = FP_SOURCE_SERIES;
        r->peak_mem_mb = fp_fin(mmax);
        r->avg_mem_mb = fp_clamp(msum / (double)ser->n, 0.0, r->peak_mem_mb);
        r->mem_growth_mb = fp_fin(ser->mem_mb[ser->n - 1] - ser->mem_mb[0]);
    } else if (w->n_spans > 0) {
        st = mem_from_spans(r, w, err);
    }
    if (ser_cpu) {
        r->cpu_source = FP_SOURCE_SERIES;
        r->peak_cpu_pct = fp_clamp(cmax, 0.0, 100.0);
        r->avg_cpu_pct = fp_clamp(csum / (double)ser->n, 0.0, r->peak_cpu_pct);
    } else if (w->n_spans > 0) {
        r->cpu_source = FP_SOURCE_SPANS;
        /* span CPU is % of one core; run CPU is % of the process's cores */
        r->peak_cpu_pct = fp_clamp(cpu_max / w->cores, 0.0, 100.0);
        r->avg_cpu_pct = fp_clamp(fp_div(cpu_w, w->duration) / w->cores, 0.0, 100.0);
        if (r->avg_cpu_pct > r->peak_cpu_pct)
            r->peak_cpu_pct = r->avg_cpu_pct;
    }
    if (ser->n > 0) {
        if ((st = check_sum(so, "I/O operations", "the run", NULL, err)) != FP_OK ||
            (st = check_sum(sb, "I/O bytes", "the run", NULL, err)) != FP_OK)
            return st;
        /* I/O: the series counts everything, spans may miss unattributed work */
        r->io_ops = fp_fin(so > ops ? so : ops);
        r->io_bytes = fp_fin(sb > bytes ? sb : bytes);
    } else {
        r->io_ops = fp_fin(ops);
        r->io_bytes = fp_fin(bytes);
    }
    /* Zeros that mean "unknown" (fp_profile_data()) are not figures: reports print n/a. */
    if (!(w->data & FP_DATA_MEM)) {
        r->mem_source = FP_SOURCE_NONE;
        r->peak_mem_mb = r->avg_mem_mb = r->mem_growth_mb = 0.0;
    }
    if (!(w->data & FP_DATA_CPU)) {
        r->cpu_source = FP_SOURCE_NONE;
        r->peak_cpu_pct = r->avg_cpu_pct = 0.0;
    }
    r->io_ops_per_s = fp_div(r->io_ops, w->duration);
    r->io_bytes_per_s = fp_div(r->io_bytes, w->duration);
    return st;
}

/* ---- critical path ---- */

typedef struct end_key {
    double end, start;
    size_t idx;
} end_key;

/* Latest end first; then earlier start (longer span); then lower index. */
static int cmp_end_desc(const void *pa, const void *pb)
{
    const end_key *x = pa, *y = pb;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Below this many children, an insertion sort (qsort's call overhead dominated). */
#define SORT_SMALL 16

/* Sorts keys by cmp_end_desc (a total order: every sort gives the same array), an insertion
 * sort for the few children of most spans, qsort for many. */
static void sort_end_keys(end_key *keys, size_t n)
{
    if (n > SORT_SMALL) {
        qsort(keys, n, sizeof *keys, cmp_end_desc);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        end_key v = keys[i];
        size_t j = i;
        for (; j > 0 && cmp_end_desc(&keys[j - 1], &v) > 0; j--)
            keys[j] = keys[j - 1];
        keys[j] = v;
    }
}

typedef struct frame {
    size_t node; /* span index, or n_spans for the virtual root */
    double t;    /* current time of the backward walk inside node */
    size_t pos;  /* next candidate in the node's end-sorted children */
} frame;

/* Node i's children (i = n_spans: the top-level spans) into order[child_off[i] ..
 * child_off[i + 1]) by cmp_end_desc, the order the backward walk tries them in; keys of the same
 * range are scratch. */
static void children_by_end(const fp_work *w, end_key *keys, size_t *order, size_t i)
{
    size_t b = w->child_off[i], e = w->child_off[i + 1], k;
    /* children come in start order, so sequential ones are already in ascending end
     * order: fill reversed and sort only when that is not yet the (total) order */
    int sorted = 1;
    for (k = b; k < e; k++) {
        size_t ci = w->child_idx[b + (e - 1 - k)];
        const fp_span *c = &w->spans[ci];
        keys[k].end = c->start_s + c->dur_s;
        keys[k].start = c->start_s;
        keys[k].idx = ci;
        if (k > b && cmp_end_desc(&keys[k - 1], &keys[k]) > 0)
            sorted = 0;
    }
    if (!sorted)
        sort_end_keys(keys + b, e - b);
    for (k = b; k < e; k++)
        order[k] = keys[k].idx;
}

static fp_status critical_path(fp_analysis *a, const fp_work *w, fp_error *err)
{
    size_t n = w->n_spans, i, depth = 0, n_on = 0, off[5], total;
    end_key *keys = NULL;
    size_t *order = NULL;
    frame *stack = NULL;
    double *credit = NULL, idle = 0;
    char *on = NULL, *blk = NULL;
    fp_status st = FP_OK;

    /* one allocation for the five arrays; credit and on are zeroed, the others are written
     * before they are read */
    if (n > SIZE_MAX - 2) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: profile too large");
        goto out;
    }
    const size_t counts[5] = {n + 1, n + 1, n + 2, n + 1, n + 1};
    const size_t sizes[5] = {sizeof(end_key), sizeof(size_t), sizeof(frame), sizeof(double), 1};
    if (!part_offsets(5, counts, sizes, off, &total)) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: profile too large");
        goto out;
    }
    blk = fp_malloc(total);
    if (!blk) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto out;
    }
    memset(blk + off[3], 0, counts[3] * sizes[3]);
    memset(blk + off[4], 0, counts[4] * sizes[4]);
    keys = (end_key *)(void *)(blk + off[0]);
    order = (size_t *)(void *)(blk + off[1]);
    stack = (frame *)(void *)(blk + off[2]);
    credit = (double *)(void *)(blk + off[3]);
    on = blk + off[4];
    /* each node's children are put in walk order when the walk enters the node: only the
     * nodes on the path are entered */
    children_by_end(w, keys, order, n);
    stack[0].node = n;
    stack[0].t = w->duration;
    stack[0].pos = w->child_off[n];
    depth = 1;
    while (depth > 0) {
        frame *f = &stack[depth - 1];
        size_t end = w->child_off[f->node + 1];
        double node_start = f->node == n ? 0.0 : w->spans[f->node].start_s;
        double gap;
        size_t c;

        while (f->pos < end) {
            const fp_span *cs = &w->spans[order[f->pos]];
            if (cs->start_s + cs->dur_s <= f->t + EPS_S)
                break;
            f->pos++;
        }
        if (f->pos == end) {
            gap = f->t - node_start;
            if (gap > 0) {
                if (f->node == n)
                    idle += gap;
                else
                    credit[f->node] += gap;
            }
            depth--;
            continue;
        }
        c = order[f->pos++];
        gap = f->t - (w->spans[c].start_s + w->spans[c].dur_s);
        if (gap > 0) {
            if (f->node == n)
                idle += gap;
            else
                credit[f->node] += gap;
        }
        f->t = w->spans[c].start_s;
        on[c] = 1;
        stack[depth].node = c;
        stack[depth].t = w->spans[c].start_s + w->spans[c].dur_s;
        stack[depth].pos = w->child_off[c];
        depth++;
        children_by_end(w, keys, order, c);
    }

    /* per-method aggregation, without a branch per span: credit is 0 off the path (only the
     * spans walked into get any) and path_s, from +0 up, stays the same when 0 is added */
    for (i = 0; i < n; i++) {
        n_on += on[i];
        a->methods[w->spans[i].method].path_s += credit[i];
    }
    a->run.idle_path_s = fp_fin(idle);
    /* one spare entry: every index is written, only the path's are kept (no branch) */
    a->path_spans = fp_calloc(n_on + 1, sizeof(size_t));
    a->path = fp_calloc(a->n_methods ? a->n_methods : 1, sizeof(fp_path_entry));
    if (!a->path_spans || !a->path) {
        st = fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        a->path_spans[a->n_path_spans] = i;
        a->n_path_spans += on[i];
    }
    /* start order: sort by (start, index) using keys as scratch; the path's spans are found
     * in pre-order, which is usually that order already (the order is total: skipping the sort
     * then changes nothing) */
    int path_sorted = 1;
    for (i = 0; i < a->n_path_spans; i++) {
        keys[i].end = -w->spans[a->path_spans[i]].start_s; /* desc of -start = asc of start */
        keys[i].start = 0;
        keys[i].idx = a->path_spans[i];
        if (i > 0 && cmp_end_desc(&keys[i - 1], &keys[i]) > 0)
            path_sorted = 0;
    }
    if (!path_sorted) {
        sort_end_keys(keys, a->n_path_spans);
        for (i = 0; i < a->n_path_spans; i++)
            a->path_spans[i] = keys[i].idx;
    }
    for (i = 0; i < a->n_path_spans; i++)
        a->path[w->spans[a->path_spans[i]].method].spans++;
    for (i = 0; i < a->n_methods; i++) {
        fp_path_entry *pe;
        size_t spans_on = a->path[i].spans;
        if (spans_on == 0)
            continue;
        pe = &a->path[a->n_path++]; /* n_path <= i: compacting in place is safe */
        pe->method = (uint32_t)i;
        pe->name = a->methods[i].name;
        pe->spans = spans_on;
        a->methods[i].path_s = fp_fin(a->methods[i].path_s);
        pe->seconds = a->methods[i].path_s;
        pe->share = fp_clamp(fp_div(pe->seconds, w->duration), 0.0, 1.0);
    }
out:
    fp_free(blk);
    return st;
}

static int cmp_path_entry(const void *pa, const void *pb)
{
    const fp_path_entry *x = pa, *y = pb;
    if (x->seconds != y->seconds)
        return x->seconds > y->seconds ? -1 : 1;
    return strcmp(x->name, y->name);
}

fp_status fp_metrics_compute(fp_analysis *a, fp_work *w, fp_error *err)
{
    fp_status st = alloc_arrays(w, a->n_methods, err);

    if (st != FP_OK)
        return st;
    build_index(w, a->n_methods);
    compute_self(w);
    st = method_metrics(a, w, err);
    if (st != FP_OK)
        return st;
    st = run_metrics(a, w, err);
    if (st != FP_OK)
        return st;
    st = critical_path(a, w, err);
    if (st != FP_OK)
        return st;
    if (a->n_path > 1)
        qsort(a->path, a->n_path, sizeof *a->path, cmp_path_entry);
    return FP_OK;
}

fp_status fp_metrics_tails(fp_analysis *a, fp_work *w, fp_error *err)
{
    size_t m, j, n;

    a->tails = fp_calloc(a->n_methods ? a->n_methods * FP_TAIL_N : 1, sizeof *a->tails);
    if (!a->tails)
        return fp_error_set(err, FP_ENOMEM, "analysis: out of memory");
    for (m = 0; m < a->n_methods; m++) {
        double *t = &a->tails[m * FP_TAIL_N], med, top;
        n = w->m_off[m + 1] - w->m_off[m];
        if (a->methods[m].container || n == 0 || (double)n < a->th.outlier_min_calls)
            continue;
        fp_method_self_sorted(w, m, w->buf, w->buf2);
        med = gsl_stats_median_from_sorted_data(w->buf, 1, n);
        top = w->buf[n - 1];
        t[FP_TAIL_RATIO] = med > 0 ? fp_div(top, med) : 1.0;
        for (j = n; j > 0 && med > 0 && w->buf[j - 1] > FP_BASELINE_TAIL_K * med; j--) {
            t[FP_TAIL_FRAC] += 1.0;
            t[FP_TAIL_EXCESS_S] += w->buf[j - 1] - med;
        }
        t[FP_TAIL_FRAC] = fp_div(t[FP_TAIL_FRAC], (double)n);
        t[FP_TAIL_EXCESS_S] = fp_fin(t[FP_TAIL_EXCESS_S]);
    }
    return FP_OK;
}
