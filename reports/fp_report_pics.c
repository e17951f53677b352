/*
 * fp_report_pics.c - what the pictures draw, taken from one run when it is added to a report:
 * the memory, CPU and I/O series reduced to FP_PICS_COLS columns keeping each column's minimum
 * and maximum (so no peak is lost, whatever the number of samples), and the icicle of the spans
 * (spans merged by call stack path, inclusive seconds, seconds on the critical path). Bounded in
 * size: the series by FP_PICS_COLS, the icicle by FP_PICS_NODES and FP_PICS_DEPTH.
 */
#include "fp_report_internal.h"

#include <string.h>

/* (parent node, method) -> node, open addressing. */
typedef struct node_map {
    size_t cap;
    int64_t *slot; /* node index or -1 */
} node_map;

static size_t nm_hash(int32_t parent, uint32_t method, size_t cap)
{
    uint64_t h = ((uint64_t)(uint32_t)parent << 32 | method) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

typedef struct build {
    fp_pics_node *nodes;
    uint32_t *method; /* per node */
    size_t n, cap;
    node_map map;
} build;

/* Node of (parent, method), created when new; -1 on ENOMEM or when full. */
static int64_t node_of(build *b, const fp_profile *p, int32_t parent, uint32_t method,
                       uint32_t depth)
{
    size_t h = nm_hash(parent, method, b->map.cap);
    while (b->map.slot[h] >= 0) {
        int64_t k = b->map.slot[h];
        if (b->nodes[k].parent == parent && b->method[k] == method)
            return k;
        h = (h + 1) & (b->map.cap - 1);
    }
    if (b->n * 2 + 2 > b->map.cap)
        return -1; /* the map is sized for the nodes kept while building */
    if (fp_grow((void **)&b->nodes, &b->cap, b->n + 1, sizeof *b->nodes) != FP_OK)
        return -1;
    {
        size_t mcap = b->cap;
        uint32_t *m = fp_realloc(b->method, mcap * sizeof *m);
        if (m == NULL)
            return -1;
        b->method = m;
    }
    memset(&b->nodes[b->n], 0, sizeof b->nodes[b->n]);
    b->nodes[b->n].parent = parent;
    b->nodes[b->n].depth = depth;
    b->nodes[b->n].name = fp_profile_method_name(p, method);
    b->method[b->n] = method;
    b->map.slot[h] = (int64_t)b->n;
    return (int64_t)b->n++;
}

static void series(fp_pics *pc, const fp_profile *p)
{
    fp_series s = fp_profile_series(p);
    const double *src[FP_PICS_SERIES];
    size_t cols, c, k;
    if (s.n == 0 || !(s.interval_s > 0))
        return;
    src[FP_PICS_MEM] = s.mem_mb;
    src[FP_PICS_CPU] = s.cpu_pct;
    src[FP_PICS_IO] = s.io_ops;
    pc->has[FP_PICS_MEM] = fp_profile_data(p) & FP_DATA_MEM ? 1 : 0;
    pc->has[FP_PICS_CPU] = fp_profile_data(p) & FP_DATA_CPU ? 1 : 0;
    pc->has[FP_PICS_IO] = 1;
    cols = s.n < FP_PICS_COLS ? s.n : FP_PICS_COLS;
    pc->cols = cols;
    pc->banded = s.n > cols;
    pc->t_end = (double)s.n * s.interval_s;
    for (k = 0; k < FP_PICS_SERIES; k++) {
        for (c = 0; c < cols; c++) {
            size_t i0 = c * s.n / cols, i1 = (c + 1) * s.n / cols, i;
            double lo = src[k][i0], hi = src[k][i0];
            for (i = i0 + 1; i < i1; i++) {
                double v = src[k][i];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            pc->mn[k][c] = lo;
            pc->mx[k][c] = hi;
        }
    }
}

/* Lays the nodes out (x of each from its parent and earlier siblings) and keeps the widest
 * FP_PICS_NODES, in an order where every parent comes before its children. */
static fp_status layout(fp_pics *pc, build *b)
{
    size_t i;
    double *next = fp_calloc(b->n ? b->n : 1, sizeof *next); /* next free x inside each node */
    double *csum = fp_calloc(b->n ? b->n : 1, sizeof *csum); /* children's inclusive seconds */
    double *orig = fp_calloc(b->n ? b->n : 1, sizeof *orig); /* own inclusive seconds */
    double root_x = 0;
    if (next == NULL || csum == NULL || orig == NULL) {
        fp_free(next);
        fp_free(csum);
        fp_free(orig);
        return FP_ENOMEM;
    }
    for (i = 0; i < b->n; i++) {
        orig[i] = b->nodes[i].w;
        b->nodes[i].secs = orig[i];
        b->nodes[i].crit = orig[i] > 0 ? b->nodes[i].crit / orig[i] : 0; /* now a share */
        if (b->nodes[i].parent >= 0)
            csum[b->nodes[i].parent] += orig[i];
    }
    /* creation order puts a parent before its children; concurrent children (on other tracks)
     * can add up to more than their parent: they are then scaled to fit inside it */
    for (i = 0; i < b->n; i++) {
        fp_pics_node *nd = &b->nodes[i];
        if (nd->parent < 0) {
            nd->x = root_x;
            root_x += nd->w;
        } else {
            size_t pa = (size_t)nd->parent;
            double room = orig[pa] > csum[pa] ? orig[pa] : csum[pa];
            nd->w = room > 0 ? orig[i] * b->nodes[pa].w / room : 0;
            nd->x = next[pa];
            next[pa] += nd->w;
        }
        next[i] = nd->x;
    }
    fp_free(csum);
    fp_free(orig);
    fp_free(next);
    pc->root_w = root_x;
    /* keep the nodes of at least 1/2000 of the root width, in creation order, up to the cap */
    pc->nodes = fp_calloc(b->n ? b->n : 1, sizeof *pc->nodes);
    if (pc->nodes == NULL)
        return FP_ENOMEM;
    {
        int64_t *newix = fp_calloc(b->n ? b->n : 1, sizeof *newix);
        if (newix == NULL)
            return FP_ENOMEM;
        for (i = 0; i < b->n; i++) {
            const fp_pics_node *nd = &b->nodes[i];
            newix[i] = -1;
            if (pc->n_nodes >= FP_PICS_NODES || nd->w * 2000.0 < pc->root_w ||
                (nd->parent >= 0 && newix[nd->parent] < 0))
                continue;
            pc->nodes[pc->n_nodes] = *nd;
            pc->nodes[pc->n_nodes].parent = nd->parent >= 0 ? (int32_t)newix[nd->parent] : -1;
            newix[i] = (int64_t)pc->n_nodes++;
        }
        fp_free(newix);
    }
    return FP_OK;
}

static fp_status icicle(fp_pics *pc, const fp_profile *p, const fp_analysis *a)
{
    size_t n = fp_profile_span_count(p), i, nc;
    const fp_span *sp = fp_profile_spans(p);
    const size_t *crit = fp_analysis_critical_spans(a, &nc);
    int64_t *node = NULL;
    uint32_t *depth = NULL;
    build b;
    fp_status st = FP_ENOMEM;
    memset(&b, 0, sizeof b);
    if (n == 0)
        return FP_OK;
    node = fp_malloc(n * sizeof *node);
    depth = fp_malloc(n * sizeof *depth);
    b.map.cap = 16; /* room for up to cap / 2 distinct stack paths while building */
    while (b.map.cap < 2 * ((n < 4 * FP_PICS_NODES ? n : 4 * FP_PICS_NODES) + 1))
        b.map.cap <<= 1;
    b.map.slot = fp_malloc(b.map.cap * sizeof *b.map.slot);
    if (!node || !depth || !b.map.slot)
        goto out;
    for (i = 0; i < b.map.cap; i++)
        b.map.slot[i] = -1;
    /* a span's parent may come after it in the array: resolve along the parent chain */
    for (i = 0; i < n; i++)
        node[i] = -2; /* not yet resolved */
    for (i = 0; i < n; i++) {
        size_t stack[FP_PICS_DEPTH + 64], top = 0, j = i;
        /* climb until a resolved span, the root, or too deep */
        while (node[j] == -2 && top < sizeof stack / sizeof stack[0]) {
            stack[top++] = j;
            if (sp[j].parent < 0 || (size_t)sp[j].parent >= n)
                break;
            j = (size_t)sp[j].parent;
        }
        while (top > 0) {
            size_t k = stack[--top];
            int32_t par = sp[k].parent;
            int64_t pn = par >= 0 && (size_t)par < n ? node[par] : -1;
            uint32_t d = par >= 0 && (size_t)par < n ? depth[par] + 1 : 0;
            depth[k] = d;
            if (par >= 0 && (size_t)par < n && pn < 0)
                node[k] = -1; /* under a dropped node */
            else if (d >= FP_PICS_DEPTH)
                node[k] = -1;
            else
                node[k] = node_of(&b, p, (int32_t)pn, sp[k].method, d);
            if (node[k] == -2)
                node[k] = -1;
        }
        if (node[i] == -2)
            node[i] = -1; /* deeper than the climb: not drawn */
    }
    for (i = 0; i < n; i++)
        if (node[i] >= 0)
            b.nodes[node[i]].w += sp[i].dur_s;
    for (i = 0; i < nc; i++)
        if (crit[i] < n && node[crit[i]] >= 0)
            b.nodes[node[crit[i]]].crit += sp[crit[i]].dur_s;
    st = layout(pc, &b);
out:
    fp_free(node);
    fp_free(depth);
    fp_free(b.nodes);
    fp_free(b.method);
    fp_free(b.map.slot);
    return st;
}

fp_pics *fp_pics_new(const fp_profile *p, const fp_analysis *a,
                     const char *(*keep)(void *ctx, const char *name), void *ctx)
{
    fp_pics *pc = fp_calloc(1, sizeof *pc);
    if (pc == NULL)
        return NULL;
    series(pc, p);
    if (icicle(pc, p, a) != FP_OK) {
        fp_pics_free(pc);
        return NULL;
    }
    for (size_t i = 0; i < pc->n_nodes; i++) {
        pc->nodes[i].name = keep(ctx, pc->nodes[i].name ? pc->nodes[i].name : "?");
        if (pc->nodes[i].name == NULL) {
            fp_pics_free(pc);
            return NULL;
        }
    }
    if (pc->t_end <= 0)
        pc->t_end = fp_analysis_run(a)->duration_s;
    return pc;
}

void fp_pics_free(fp_pics *pc)
{
    if (pc == NULL)
        return;
    fp_free(pc->nodes);
    fp_free(pc);
}

const char *fp_pics_spark(const fp_pics *pc, int k, size_t width, char *buf, size_t size)
{
    static const char *const bars[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};
    size_t c, len = 0;
    double lo = 0, hi = 0;
    buf[0] = '\0';
    if (pc == NULL || pc->cols == 0 || !pc->has[k] || width == 0)
        return buf;
    if (width > pc->cols)
        width = pc->cols;
    for (c = 0; c < pc->cols; c++) {
        if (c == 0 || pc->mn[k][c] < lo)
            lo = pc->mn[k][c];
        if (c == 0 || pc->mx[k][c] > hi)
            hi = pc->mx[k][c];
    }
    for (size_t w = 0; w < width && len + 4 < size; w++) {
        size_t c0 = w * pc->cols / width, c1 = (w + 1) * pc->cols / width;
        double v = pc->mx[k][c0];
        int level;
        for (c = c0 + 1; c < c1; c++)
            v = pc->mx[k][c] > v ? pc->mx[k][c] : v;
        level = hi > lo ? (int)((v - lo) / (hi - lo) * 7.0 + 0.5) : 0;
        level = level < 0 ? 0 : level > 7 ? 7 : level;
        memcpy(buf + len, bars[level], 3);
        len += 3;
    }
    buf[len] = '\0';
    return buf;
}
