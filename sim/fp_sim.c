/*
 * fp_sim.c - the stochastic mock profiler (docs/simulation.md).
 *
 * A run is built in three passes over one reusable workspace:
 *   A. structure: the call tree in pre-order, with every base draw (own duration, CPU, memory,
 *      I/O, callee counts) taken from the flow generator, and the calls a call storm adds taken
 *      from that bottleneck's own generator (whole subtrees), so the base draws never shift;
 *   B. timeline: one forward walk assigns start times, applies method-level injections (their
 *      per-call draws come from their own generators), and emits spans, CPU/I/O segments and
 *      memory events; every injected change is added to that injection's ground-truth record;
 *   C. series: segments and memory events are binned at the sampling interval, process-level
 *      injections (leak per second, CPU episodes) are applied, then measurement noise.
 * Invariants the passes maintain are those of profile/fp_profile.h (checked by the tests).
 */
#include "fp_sim.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_version.h>

#include "fp_mt_internal.h"
#include "fp_scenario_internal.h"

#define NOISE_COMPONENT UINT64_C(0x6e6f697365)

/* One call in the structure pass. Pre-order: a node's subtree is [index, end). */
typedef struct node {
    uint32_t method;
    int32_t parent;
    uint32_t end;
    uint32_t group;    /* callee-edge instance: consecutive parallel siblings share it */
    uint32_t call_ix;  /* index among the calls of this method, in pre-order */
    uint16_t parallel; /* 1 when this call runs concurrently with its group */
    uint16_t storm;    /* 1 + index of the call_storm bottleneck that added it, else 0 */
    double own;        /* own work, seconds (before injections) */
    double cpu;        /* own-work CPU % */
    double alloc;      /* MB allocated */
    double retained;   /* MB retained after the call */
    double io_ops;
    double io_bytes;
} node;

/* Own work of one span half: CPU and I/O spread evenly over [t0, t1). */
typedef struct segment {
    double t0, t1;
    double cpu;
    double io_ops, io_bytes;
} segment;

typedef struct mem_event {
    double t;
    double mb;
} mem_event;

/* Per-run state of one declared bottleneck. */
typedef struct bstate {
    int active;
    double magnitude;
    double fraction;     /* latency_outliers */
    uint32_t onset_call; /* fraction onset on a method: first affected call index */
    int started;         /* first affected call seen (for the ramp origin) */
    double t_on;         /* ramp origin, seconds */
    size_t n_episodes;   /* cpu_saturation on the process */
    size_t last_ix;      /* 1 + index of the last call it affected */
    fp_truth truth;      /* accumulated while the timeline is built */
} bstate;

struct fp_sim {
    const fp_scenario *scn;
    fp_sim_options opts;
    gsl_rng *flow;
    gsl_rng *noise;
    gsl_rng **brng; /* one per bottleneck */
    bstate *bs;
    node *nodes;
    size_t n_nodes, cap_nodes;
    segment *segs;
    size_t n_segs, cap_segs;
    mem_event *mev;
    size_t n_mev, cap_mev;
    uint32_t *calls_per_method;
    double *episode_u;   /* per bottleneck x episode: start position in [0,1) */
    double *episode_len; /* per bottleneck x episode: length, seconds */
    size_t cap_episodes;
    double *cum; /* memory event bins */
    size_t cap_cum;
    uint32_t next_group;
    uint32_t next_track;
    fp_status fail; /* first failure inside the recursive passes */
    uint32_t polls; /* counts calls between polls of opts.cancel */
};

/* Every 4096 calls, polls the cancel callback; when it says stop, fails the run with FP_EINTR. */
static int sim_cancelled(fp_sim *s)
{
    if (s->opts.cancel == NULL || (++s->polls & 0xFFFu) != 0)
        return s->fail == FP_EINTR;
    if (s->fail == FP_OK && s->opts.cancel(s->opts.cancel_ctx))
        s->fail = FP_EINTR;
    return s->fail == FP_EINTR;
}

/* ---- seeding ---- */

static uint64_t splitmix64(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

uint64_t fp_sim_stream_seed(uint64_t seed, const char *scenario_name, uint64_t run_index,
                            uint64_t component)
{
    uint64_t h = fp_hash_str(scenario_name); /* FNV-1a 64 */
    uint64_t x = splitmix64(seed);
    x = splitmix64(x ^ h);
    x = splitmix64(x ^ run_index);
    x = splitmix64(x ^ component);
    return x;
}

fp_status fp_sim_rng_type(const char *name, const gsl_rng_type **out, fp_error *err)
{
    const gsl_rng_type **t = gsl_rng_types_setup();
    for (; *t != NULL; t++) {
        if (strcmp((*t)->name, name) == 0) {
            *out = *t;
            return FP_OK;
        }
    }
    return fp_error_set(err, FP_EINVAL,
                        "unknown random generator '%s' (try mt19937, ranlxd2, taus2, gfsr4; "
                        "see the GSL manual for the full list)",
                        name);
}

/* ---- lifecycle ---- */

fp_status fp_sim_new(fp_sim **out, const fp_scenario *scn, const fp_sim_options *opts,
                     fp_error *err)
{
    fp_sim *s = fp_calloc(1, sizeof(*s));
    fp_status st = FP_ENOMEM;
    if (s == NULL)
        goto out;
    s->scn = scn;
    fp_sim_options def = FP_SIM_OPTIONS_INIT;
    s->opts = opts != NULL ? *opts : def;
    if (s->opts.rng_type == NULL)
        s->opts.rng_type = gsl_rng_mt19937;
    if (s->opts.max_samples == 0 || s->opts.max_samples > FP_SIM_MAX_SAMPLES)
        s->opts.max_samples = FP_SIM_MAX_SAMPLES;
    /* mt19937 (the default) as fp_mt.c's lazily seeded copy: the same streams, reseeded for
     * a fraction of the cost (fp_mt_internal.h). */
    const gsl_rng_type *gen = fp_mt_fast_type(s->opts.rng_type);
    s->flow = gsl_rng_alloc(gen);
    s->noise = gsl_rng_alloc(gen);
    if (s->flow == NULL || s->noise == NULL)
        goto out;
    size_t nb = scn->n_bottlenecks;
    s->brng = fp_calloc(nb ? nb : 1, sizeof(*s->brng));
    s->bs = fp_calloc(nb ? nb : 1, sizeof(*s->bs));
    s->calls_per_method = fp_calloc(scn->n_methods ? scn->n_methods : 1, sizeof(uint32_t));
    if (s->brng == NULL || s->bs == NULL || s->calls_per_method == NULL)
        goto out;
    for (size_t i = 0; i < nb; i++) {
        s->brng[i] = gsl_rng_alloc(gen);
        if (s->brng[i] == NULL)
            goto out;
    }
    *out = s;
    return FP_OK;
out:
    fp_sim_free(s);
    return fp_error_set(err, st, "out of memory creating the simulator");
}

void fp_sim_free(fp_sim *s)
{
    if (s == NULL)
        return;
    if (s->brng != NULL) {
        for (size_t i = 0; i < s->scn->n_bottlenecks; i++)
            if (s->brng[i] != NULL)
                gsl_rng_free(s->brng[i]);
    }
    if (s->flow != NULL)
        gsl_rng_free(s->flow);
    if (s->noise != NULL)
        gsl_rng_free(s->noise);
    fp_free(s->brng);
    fp_free(s->bs);
    fp_free(s->nodes);
    fp_free(s->segs);
    fp_free(s->mev);
    fp_free(s->calls_per_method);
    fp_free(s->episode_u);
    fp_free(s->episode_len);
    fp_free(s->cum);
    fp_free(s);
}

/* ---- helpers ---- */

/* A count drawn from a distribution: rounded to nearest, never negative, capped. */
static uint32_t draw_count(const fp_dist *d, gsl_rng *r)
{
    double x = fp_dist_sample(d, r);
    if (!(x > 0.0))
        return 0;
    x = floor(x + 0.5);
    /* one past the limit, so that an oversized count fails with FP_ELIMIT instead of being capped
     */
    return x > (double)FP_SIM_MAX_SPANS ? (uint32_t)FP_SIM_MAX_SPANS + 1 : (uint32_t)x;
}

static double nonneg(double x)
{
    return x > 0.0 ? x : 0.0;
}

static double clamp_pct(double x)
{
    return x < 0.0 ? 0.0 : (x > 100.0 ? 100.0 : x);
}

/* Strength in [0, 1] of an injection whose effect starts at t_on and ramps over ramp_s. */
static double ramp_strength(double t, double t_on, double ramp_s)
{
    if (t < t_on)
        return 0.0;
    if (ramp_s <= 0.0)
        return 1.0;
    double s = (t - t_on) / ramp_s;
    return s < 1.0 ? s : 1.0;
}

double fp_sim_effective_magnitude(fp_kind k, double magnitude, double scale)
{
    const fp_kind_info *in = fp_kind_info_get(k);
    if (in == NULL)
        return NAN;
    switch (in->mag_mode) {
    case FP_MAG_FACTOR:
        return 1.0 + (magnitude - 1.0) * scale;
    case FP_MAG_AMOUNT:
        return magnitude * scale;
    }
    return NAN;
}

/*
 * What an injection of kind k and drawn magnitude m adds, at strength str (ramp x scale), to a
 * per-call quantity `base` (own time, I/O): base * (fp_sim_effective_magnitude(k, m, str) - 1)
 * for a factor kind, fp_sim_effective_magnitude(k, m, str) for an amount kind (base unused).
 * The factor form is evaluated as base * (m - 1) * str, the order earlier releases used, so runs
 * stay bit-identical (test_sim checks it against fp_sim_effective_magnitude()).
 */
static double increase(fp_kind k, double base, double m, double str)
{
    const fp_kind_info *in = fp_kind_info_get(k);
    switch (in->mag_mode) {
    case FP_MAG_FACTOR:
        return base * (m - 1.0) * str;
    case FP_MAG_AMOUNT:
        return fp_sim_effective_magnitude(k, m, str);
    }
    return 0.0;
}

/*
 * What an injection does in the simulator. Every kind maps to one effect (effect_of()), and the
 * simulator's code switches over effects, not kinds: a new kind that behaves like an existing
 * one is one line in effect_of(); a new behaviour is a new effect, and -Wswitch then names every
 * switch that must handle it.
 */
typedef enum sim_effect {
    E_OWN_TIME, /* own time x factor (with `fraction`: each call hit with that probability) */
    E_ALLOC,    /* + MB allocated per call */
    E_RETAIN,   /* + MB allocated and kept per call; on the process: a growing memory series */
    E_IO,       /* I/O operations and bytes x factor */
    E_CPU,      /* own-work CPU raised towards a target %, applied after the others (its
                   CPU-seconds use the final own time); on the process: episodes in the series */
    E_CALLS     /* extra calls of the target (pass A: structure) */
} sim_effect;

static sim_effect effect_of(fp_kind k)
{
    switch (k) {
    case FP_KIND_SLOW_METHOD:
    case FP_KIND_LATENCY_OUTLIERS:
        return E_OWN_TIME;
    case FP_KIND_MEMORY_HOTSPOT:
        return E_ALLOC;
    case FP_KIND_MEMORY_LEAK:
        return E_RETAIN;
    case FP_KIND_IO_HEAVY:
        return E_IO;
    case FP_KIND_CPU_SATURATION:
        return E_CPU;
    case FP_KIND_CALL_STORM:
        return E_CALLS;
    case FP_KIND_COUNT:
        break;
    }
    assert(!"not a kind");
    return E_OWN_TIME;
}

static int is_method_kind_on(const fp_bottleneck_spec *b, uint32_t m)
{
    return b->target >= 0 && (uint32_t)b->target == m;
}

/* ---- pass A: structure ---- */

static void gen_calls(fp_sim *s, int32_t parent, uint32_t m, uint32_t n, uint32_t group,
                      int parallel, gsl_rng *r, uint16_t storm);

/*
 * Extra calls of callee `m` that active call storms add next to `base` ordinary calls. The
 * expected number is base * (k - 1); it is rounded stochastically per call site (up with the
 * probability of its fractional part, drawn from the bottleneck's own stream), so the extra calls
 * are unbiased for any factor: rounding each site to the nearest integer made x1.4 on a site of
 * one call add nothing and x1.6 add as much as x2.4. Integral expectations draw nothing, so such
 * runs are as before; the draw is deterministic per (seed, scenario, run index).
 */
static void gen_storm_calls(fp_sim *s, int32_t parent, uint32_t m, uint32_t base, uint32_t group,
                            int parallel)
{
    const fp_scenario *scn = s->scn;
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *bs = &scn->bottlenecks[b];
        if (!s->bs[b].active || effect_of(bs->kind) != E_CALLS || !is_method_kind_on(bs, m))
            continue;
        double k =
            fp_sim_effective_magnitude(bs->kind, s->bs[b].magnitude, s->opts.magnitude_scale);
        double want = (double)base * (k - 1.0), extra = floor(want);
        if (want > extra && gsl_rng_uniform(s->brng[b]) < want - extra)
            extra += 1.0;
        if (extra > (double)FP_SIM_MAX_SPANS)
            extra = (double)FP_SIM_MAX_SPANS + 1; /* fails with FP_ELIMIT, never capped */
        gen_calls(s, parent, m, (uint32_t)extra, group, parallel, s->brng[b], (uint16_t)(b + 1));
    }
}

static void gen_node(fp_sim *s, int32_t parent, uint32_t m, uint32_t group, int parallel,
                     gsl_rng *r, uint16_t storm)
{
    if (s->fail != FP_OK)
        return;
    if (s->n_nodes >= FP_SIM_MAX_SPANS) {
        s->fail = FP_ELIMIT;
        return;
    }
    if (fp_grow((void **)&s->nodes, &s->cap_nodes, s->n_nodes + 1, sizeof(node)) != FP_OK) {
        s->fail = FP_ENOMEM;
        return;
    }
    const fp_method_spec *ms = &s->scn->methods[m];
    size_t ix = s->n_nodes++;
    node *nd = &s->nodes[ix];
    nd->method = m;
    nd->parent = parent;
    nd->group = group;
    nd->parallel = (uint16_t)(parallel != 0);
    nd->storm = storm;
    nd->call_ix = s->calls_per_method[m]++;
    nd->own = nonneg(fp_dist_sample(&ms->duration_s, r));
    nd->cpu = clamp_pct(fp_dist_sample(&ms->cpu_pct, r));
    nd->alloc = nonneg(fp_dist_sample(&ms->alloc_mb, r));
    double frac = fp_dist_sample(&ms->retained_frac, r);
    frac = frac < 0.0 ? 0.0 : (frac > 1.0 ? 1.0 : frac);
    nd->retained = nd->alloc * frac;
    double ops = nonneg(fp_dist_sample(&ms->io_ops, r));
    double bytes = nonneg(fp_dist_sample(&ms->io_bytes, r));
    if (ms->io_is_rate) {
        ops *= nd->own;
        bytes *= nd->own;
    }
    nd->io_ops = ops;
    nd->io_bytes = bytes;
    for (size_t e = 0; e < ms->n_callees; e++) {
        const fp_callee_spec *c = &ms->callees[e];
        uint32_t n = draw_count(&c->count, r);
        uint32_t g = s->next_group++;
        gen_calls(s, (int32_t)ix, c->method, n, g, c->parallel, r, 0);
        gen_storm_calls(s, (int32_t)ix, c->method, n, g, c->parallel);
    }
    s->nodes[ix].end = (uint32_t)s->n_nodes; /* nodes may have moved: index, not pointer */
}

static void gen_calls(fp_sim *s, int32_t parent, uint32_t m, uint32_t n, uint32_t group,
                      int parallel, gsl_rng *r, uint16_t storm)
{
    for (uint32_t i = 0; i < n && s->fail == FP_OK && !sim_cancelled(s); i++)
        gen_node(s, parent, m, group, parallel, r, storm);
}

/* ---- pass B: timeline ---- */

static fp_status push_segment(fp_sim *s, double t0, double t1, double cpu, double ops, double bytes)
{
    if (fp_grow((void **)&s->segs, &s->cap_segs, s->n_segs + 1, sizeof(segment)) != FP_OK)
        return FP_ENOMEM;
    segment *g = &s->segs[s->n_segs++];
    g->t0 = t0;
    g->t1 = t1;
    g->cpu = cpu;
    g->io_ops = ops;
    g->io_bytes = bytes;
    return FP_OK;
}

static fp_status push_mem(fp_sim *s, double t, double mb)
{
    if (mb == 0.0)
        return FP_OK;
    if (fp_grow((void **)&s->mev, &s->cap_mev, s->n_mev + 1, sizeof(mem_event)) != FP_OK)
        return FP_ENOMEM;
    s->mev[s->n_mev].t = t;
    s->mev[s->n_mev].mb = mb;
    s->n_mev++;
    return FP_OK;
}

static void note_affected(bstate *b, double start, size_t ix)
{
    b->last_ix = ix + 1;
    if (b->truth.affected_calls == 0 || start < b->truth.start_s)
        b->truth.start_s = start;
    b->truth.affected_calls++;
}

static void note_end(bstate *b, double end)
{
    if (end > b->truth.end_s)
        b->truth.end_s = end;
}

/* Whether call `nd` of the target is past the onset; sets the ramp origin on the first. */
static int past_onset(const fp_bottleneck_spec *spec, bstate *b, const node *nd, double t)
{
    if (spec->onset_is_fraction) {
        if (nd->call_ix < b->onset_call)
            return 0;
    } else if (t < spec->onset) {
        return 0;
    }
    if (!b->started) {
        b->started = 1;
        b->t_on = spec->onset_is_fraction ? t : spec->onset;
    }
    return 1;
}

static double exec_node(fp_sim *s, fp_span *spans, size_t ix, double t, uint32_t track);

/* Seconds a call waits for `ops` I/O operations moving `bytes` bytes (docs/simulation.md). */
static double io_wait_s(const fp_process_spec *p, double ops, double bytes)
{
    return ops * p->io_latency_s + bytes / 1048576.0 / p->io_bandwidth_mb_s;
}

static double exec_children(fp_sim *s, fp_span *spans, size_t ix, double t, uint32_t track)
{
    size_t j = ix + 1, end = s->nodes[ix].end;
    while (j < end && s->fail == FP_OK) {
        const node *c = &s->nodes[j];
        if (!c->parallel) {
            t = exec_node(s, spans, j, t, track);
            j = c->end;
            continue;
        }
        /* A parallel group: consecutive siblings with the same group start together. */
        /* Tracks for the whole group are reserved before any member runs, so nested groups
         * (which reserve beyond them) never share a track with a concurrent sibling. */
        uint32_t g = c->group;
        uint32_t members = 0;
        for (size_t k = j; k < end && s->nodes[k].parallel && s->nodes[k].group == g;
             k = s->nodes[k].end)
            members++;
        uint32_t base = s->next_track;
        s->next_track += members - 1;
        double t_end = t;
        for (uint32_t i = 0; i < members; i++) {
            uint32_t tr = i == 0 ? track : base + i - 1;
            double e = exec_node(s, spans, j, t, tr);
            if (e > t_end)
                t_end = e;
            j = s->nodes[j].end;
        }
        s->next_track = base; /* every member has ended: the tracks are free again */
        t = t_end;
    }
    return t;
}

static double exec_node(fp_sim *s, fp_span *spans, size_t ix, double t, uint32_t track)
{
    const fp_scenario *scn = s->scn;
    const node nd = s->nodes[ix];
    double start = t;
    (void)sim_cancelled(s); /* sets s->fail, which stops the callers' loops */
    double own = nd.own, cpu = nd.cpu, alloc = nd.alloc, retained = nd.retained;
    double ops = nd.io_ops, bytes = nd.io_bytes;
    double scale = s->opts.magnitude_scale;

    /* Method-level injections in declaration order; each records its own increment. */
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        bstate *bs = &s->bs[b];
        sim_effect e = effect_of(spec->kind);
        if (!bs->active || !is_method_kind_on(spec, nd.method) || e == E_CALLS || e == E_CPU)
            continue;
        int hit = 1;
        if (fp_kind_info_get(spec->kind)->keys & FP_KIND_KEY_FRACTION) /* drawn for every call */
            hit = gsl_rng_uniform(s->brng[b]) < bs->fraction;
        if (!past_onset(spec, bs, &nd, t) || !hit)
            continue;
        double str = ramp_strength(t, bs->t_on, spec->ramp_s) * scale;
        double m = bs->magnitude;
        fp_kind k = spec->kind;
        switch (e) {
        case E_OWN_TIME: {
            double add = increase(k, own, m, str);
            own += add;
            bs->truth.extra_s += add;
            break;
        }
        case E_ALLOC: {
            double add = increase(k, alloc, m, str);
            alloc += add;
            bs->truth.extra_mb += add;
            break;
        }
        case E_RETAIN: {
            double add = increase(k, alloc, m, str);
            alloc += add;
            retained += add;
            bs->truth.extra_mb += add;
            break;
        }
        case E_IO: {
            double add_ops = increase(k, ops, m, str), add_bytes = increase(k, bytes, m, str);
            bs->truth.extra_io_ops += add_ops;
            bs->truth.extra_io_bytes += add_bytes;
            bs->truth.extra_s += io_wait_s(&scn->process, add_ops, add_bytes);
            ops += add_ops;
            bytes += add_bytes;
            break;
        }
        case E_CPU:   /* applied last, below */
        case E_CALLS: /* adds calls in pass A */
            break;
        }
        note_affected(bs, start, ix);
    }
    /* CPU saturation last: its CPU-seconds use the final own time. */
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        bstate *bs = &s->bs[b];
        if (!bs->active || effect_of(spec->kind) != E_CPU || !is_method_kind_on(spec, nd.method) ||
            !past_onset(spec, bs, &nd, t))
            continue;
        double str = ramp_strength(t, bs->t_on, spec->ramp_s) * scale;
        double target = clamp_pct(bs->magnitude);
        double ncpu = target > cpu ? cpu + (target - cpu) * (str > 1.0 ? 1.0 : str) : cpu;
        bs->truth.extra_cpu_pct_s += (ncpu - cpu) * own;
        cpu = ncpu;
        note_affected(bs, start, ix);
    }

    /* The call's own time is its work plus its I/O wait, during which it uses no CPU: the
     * span's CPU % is the time-weighted mean, so its CPU-seconds stay cpu x work. */
    double work = own;
    own += io_wait_s(&scn->process, ops, bytes);
    if (own > work)
        cpu = cpu * work / own;
    double half = own / 2.0;
    if (push_segment(s, t, t + half, cpu, ops / 2.0, bytes / 2.0) != FP_OK ||
        push_mem(s, t, alloc) != FP_OK) {
        s->fail = FP_ENOMEM;
        return t;
    }
    t += half;
    t = exec_children(s, spans, ix, t, track);
    if (push_segment(s, t, t + (own - half), cpu, ops - ops / 2.0, bytes - bytes / 2.0) != FP_OK ||
        push_mem(s, t + (own - half), -(alloc - retained)) != FP_OK) {
        s->fail = FP_ENOMEM;
        return t;
    }
    t += own - half;

    fp_span *sp = &spans[ix];
    sp->method = nd.method;
    sp->parent = nd.parent;
    sp->track = track;
    sp->start_s = start;
    sp->dur_s = t - start;
    sp->cpu_pct = cpu;
    sp->mem_alloc_mb = alloc;
    sp->mem_retained_mb = retained;
    sp->io_ops = ops;
    sp->io_bytes = bytes;

    /* Ground-truth windows of method-level injections that touched this call. */
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        bstate *bs = &s->bs[b];
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        if (!bs->active)
            continue;
        if (effect_of(spec->kind) == E_CALLS) {
            int root = nd.storm == b + 1; /* only the roots of added subtrees carry the flag */
            if (root) {
                note_affected(bs, start, ix);
                bs->truth.extra_calls += 1.0;
                bs->truth.extra_s += t - start;
                note_end(bs, t);
            }
        } else if (bs->last_ix == ix + 1) {
            note_end(bs, t);
        }
    }
    return t;
}

/* ---- pass C: series ---- */

static fp_status build_series(fp_sim *s, fp_profile *out, double dur, double baseline, double idle)
{
    const fp_scenario *scn = s->scn;
    double dt = scn->process.sample_interval_s;
    if (!(dur / dt <= (double)s->opts.max_samples)) /* also catches a non-finite duration */
        return FP_ELIMIT;
    size_t n = (size_t)ceil(dur / dt - 1e-9);
    if (n == 0)
        n = 1;
    double *mem, *cpu, *iops, *ibytes;
    fp_status st = fp_profile_series_resize(out, n, dt, &mem, &cpu, &iops, &ibytes);
    if (st != FP_OK)
        return st;
    if (fp_grow((void **)&s->cum, &s->cap_cum, n, sizeof(double)) != FP_OK)
        return FP_ENOMEM;
    memset(s->cum, 0, n * sizeof(double));

    /* Memory: each event counts from the end of the interval it falls in. */
    for (size_t i = 0; i < s->n_mev; i++) {
        size_t k = (size_t)(s->mev[i].t / dt);
        if (k >= n)
            k = n - 1;
        s->cum[k] += s->mev[i].mb;
    }
    double level = baseline;
    for (size_t k = 0; k < n; k++) {
        level += s->cum[k];
        mem[k] = level;
    }
    /* process.memory_growth_mb_s: steady growth no span accounts for, at the end of each
     * interval (no draw: scenarios without it are unchanged) */
    if (scn->process.memory_growth_mb_s > 0)
        for (size_t k = 0; k < n; k++)
            mem[k] += scn->process.memory_growth_mb_s * (double)(k + 1) * dt;

    /* CPU and I/O: segments spread over the intervals they overlap. */
    for (size_t k = 0; k < n; k++)
        cpu[k] = 0.0;
    for (size_t i = 0; i < s->n_segs; i++) {
        const segment *g = &s->segs[i];
        double len = g->t1 - g->t0;
        size_t k0 = (size_t)(g->t0 / dt);
        if (k0 >= n)
            k0 = n - 1;
        if (!(len > 0.0)) {
            iops[k0] += g->io_ops;
            ibytes[k0] += g->io_bytes;
            continue;
        }
        for (size_t k = k0; k < n; k++) {
            double a = (double)k * dt, b = a + dt;
            if (a >= g->t1)
                break;
            double lo = g->t0 > a ? g->t0 : a;
            double hi = g->t1 < b ? g->t1 : b;
            if (k == n - 1)
                hi = g->t1; /* the last interval absorbs any rounding at the end */
            double ov = hi - lo;
            if (ov <= 0.0)
                continue;
            cpu[k] += g->cpu * ov;
            iops[k] += g->io_ops * ov / len;
            ibytes[k] += g->io_bytes * ov / len;
        }
    }
    for (size_t k = 0; k < n; k++) {
        double a = (double)k * dt;
        double w = (k == n - 1) ? dur - a : dt;
        if (!(w > 0.0))
            w = dt;
        /* own-work CPU is % of one core; the series is % of the process's cores */
        cpu[k] =
            clamp_pct(idle + cpu[k] / w / (double)(scn->process.cores ? scn->process.cores : 1));
    }

    /* Process-level injections. */
    size_t ep_base = 0;
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        bstate *bs = &s->bs[b];
        if (spec->target != FP_TARGET_PROCESS) {
            continue;
        }
        size_t n_ep = bs->n_episodes;
        if (!bs->active) {
            ep_base += n_ep;
            continue;
        }
        double t_on = spec->onset_is_fraction ? spec->onset * dur : spec->onset;
        if (t_on > dur)
            t_on = dur;
        double scale = s->opts.magnitude_scale;
        switch (effect_of(spec->kind)) {
        case E_RETAIN: {
            double rate = fp_sim_effective_magnitude(spec->kind, bs->magnitude, scale);
            double r = spec->ramp_s, grown = 0.0;
            for (size_t k = 0; k < n; k++) {
                double te = (double)(k + 1) * dt;
                if (te > dur)
                    te = dur;
                double x = te - t_on;
                if (x <= 0.0)
                    continue;
                grown = rate * (r > 0.0 && x < r ? x * x / (2.0 * r) : x - (r > 0.0 ? r / 2.0 : 0));
                mem[k] += grown;
            }
            bs->truth.start_s = t_on;
            bs->truth.end_s = dur;
            bs->truth.extra_mb = grown;
            st = fp_profile_add_truth(out, &bs->truth);
            if (st != FP_OK)
                return st;
            break;
        }
        case E_CPU: {
            double target = clamp_pct(bs->magnitude);
            /* the series is % of the process's cores; the truth is % of one core (x cores) */
            double cores = (double)(scn->process.cores ? scn->process.cores : 1);
            for (size_t e = 0; e < n_ep; e++) {
                fp_truth tr = bs->truth;
                /* Episode e is placed in the e-th of n_ep equal slots after the onset, so
                 * episodes never overlap and each is its own, separable ground-truth label. */
                double slot = (dur - t_on) / (double)n_ep;
                double len = s->episode_len[ep_base + e];
                if (len > slot)
                    len = slot;
                double t0 = t_on + slot * (double)e + s->episode_u[ep_base + e] * (slot - len);
                double t1 = t0 + len;
                tr.start_s = t0;
                tr.end_s = t1;
                tr.extra_cpu_pct_s = 0.0;
                for (size_t k = (size_t)(t0 / dt); k < n; k++) {
                    double a = (double)k * dt, bnd = (k == n - 1) ? dur : a + dt;
                    if (a >= t1)
                        break;
                    double lo = t0 > a ? t0 : a, hi = t1 < bnd ? t1 : bnd;
                    double w = bnd - a;
                    if (hi <= lo || w <= 0.0)
                        continue;
                    double str = ramp_strength(lo, t0, spec->ramp_s) * scale;
                    if (str > 1.0)
                        str = 1.0;
                    double want = cpu[k] + (target - cpu[k]) * str;
                    if (want <= cpu[k])
                        continue;
                    double ncpu = cpu[k] + (want - cpu[k]) * (hi - lo) / w;
                    tr.extra_cpu_pct_s += (ncpu - cpu[k]) * w * cores;
                    cpu[k] = ncpu;
                }
                st = fp_profile_add_truth(out, &tr);
                if (st != FP_OK)
                    return st;
            }
            break;
        }
        case E_OWN_TIME: /* methods only: the loader refuses `target: process` */
        case E_ALLOC:
        case E_IO:
        case E_CALLS:
            break;
        }
        ep_base += n_ep;
    }

    /* Measurement noise, from its own stream; then the physical bounds. */
    const fp_process_spec *ps = &scn->process;
    for (size_t k = 0; k < n; k++) {
        double zm = gsl_ran_gaussian_ziggurat(s->noise, 1.0);
        double zc = gsl_ran_gaussian_ziggurat(s->noise, 1.0);
        double zi = gsl_ran_gaussian_ziggurat(s->noise, 1.0);
        mem[k] = nonneg(mem[k] + ps->noise_mem_mb * zm);
        cpu[k] = clamp_pct(cpu[k] + ps->noise_cpu_pct * zc);
        double f = nonneg(1.0 + ps->noise_io_rel * zi);
        iops[k] *= f;
        ibytes[k] *= f;
    }
    return FP_OK;
}

/* ---- one run ---- */

/* Draws which bottlenecks occur in this run and their parameters, each from its own stream. */
static fp_status decide_bottlenecks(fp_sim *s, uint64_t seed, uint64_t run_index)
{
    const fp_scenario *scn = s->scn;
    size_t total_ep = 0;
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        gsl_rng *r = s->brng[b];
        gsl_rng_set(r, fp_sim_stream_seed(seed, scn->name, run_index, 1 + (uint64_t)b));
        bstate *bs = &s->bs[b];
        memset(bs, 0, sizeof(*bs));
        double u = gsl_rng_uniform(r);
        bs->active =
            s->opts.force_bottlenecks < 0 ? u < spec->probability : s->opts.force_bottlenecks > 0;
        bs->magnitude = fp_dist_sample(&spec->magnitude, r);
        const fp_kind_info *ki = fp_kind_info_get(spec->kind);
        bs->fraction =
            (ki->keys & FP_KIND_KEY_FRACTION) != 0 ? fp_dist_sample(&spec->fraction, r) : 0.0;
        bs->truth.kind = spec->kind;
        bs->truth.target = spec->target;
        bs->truth.source = (uint32_t)b;
        bs->truth.magnitude = bs->magnitude;
        if ((ki->keys & FP_KIND_KEY_EPISODES) != 0 && spec->target == FP_TARGET_PROCESS) {
            bs->n_episodes = draw_count(&spec->episodes, r);
            if (bs->n_episodes > 1000)
                bs->n_episodes = 1000;
            size_t need = total_ep + bs->n_episodes;
            size_t cap_u = s->cap_episodes, cap_l = s->cap_episodes;
            if (fp_grow((void **)&s->episode_u, &cap_u, need, sizeof(double)) != FP_OK ||
                fp_grow((void **)&s->episode_len, &cap_l, need, sizeof(double)) != FP_OK)
                return FP_ENOMEM;
            s->cap_episodes = cap_u < cap_l ? cap_u : cap_l;
            for (size_t e = 0; e < bs->n_episodes; e++) {
                s->episode_u[total_ep + e] = gsl_rng_uniform(r);
                s->episode_len[total_ep + e] = nonneg(fp_dist_sample(&spec->episode_s, r));
            }
            total_ep = need;
        }
    }
    return FP_OK;
}

fp_status fp_sim_run(fp_sim *s, uint64_t seed, uint64_t run_index, fp_profile *out, fp_error *err)
{
    const fp_scenario *scn = s->scn;
    fp_status st;
    double t = 0.0; /* the run's end, once the timeline is built */
    fp_profile_reset(out);
    st = fp_profile_set_meta(out, scn->name, seed, run_index, gsl_rng_name(s->flow), GSL_VERSION,
                             "simulated", 1);
    if (st == FP_OK)
        st = fp_profile_set_cores(out, scn->process.cores ? scn->process.cores : 1);
    if (st != FP_OK)
        goto fail;
    for (size_t m = 0; m < scn->n_methods; m++) {
        uint32_t ix;
        st = fp_profile_intern_method(out, scn->methods[m].name, &ix);
        if (st != FP_OK)
            goto fail;
    }
    gsl_rng_set(s->flow, fp_sim_stream_seed(seed, scn->name, run_index, 0));
    gsl_rng_set(s->noise, fp_sim_stream_seed(seed, scn->name, run_index, NOISE_COMPONENT));
    st = decide_bottlenecks(s, seed, run_index);
    if (st != FP_OK)
        goto fail;

    /* Pass A. */
    s->n_nodes = s->n_segs = s->n_mev = 0;
    s->next_group = 0;
    s->fail = FP_OK;
    memset(s->calls_per_method, 0, scn->n_methods * sizeof(uint32_t));
    double baseline = nonneg(fp_dist_sample(&scn->process.baseline_mb, s->flow));
    double idle = clamp_pct(fp_dist_sample(&scn->process.idle_cpu_pct, s->flow));
    for (size_t m = 0; m < scn->n_methods && s->fail == FP_OK; m++) {
        uint32_t n = draw_count(&scn->methods[m].calls, s->flow);
        uint32_t g = s->next_group++;
        gen_calls(s, -1, (uint32_t)m, n, g, 0, s->flow, 0);
        gen_storm_calls(s, -1, (uint32_t)m, n, g, 0);
    }
    if (s->fail != FP_OK) {
        st = s->fail;
        goto fail;
    }
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        if (spec->onset_is_fraction && spec->target >= 0) {
            double total = (double)s->calls_per_method[spec->target];
            s->bs[b].onset_call = (uint32_t)ceil(spec->onset * total - 1e-9);
        }
    }

    /* Pass B: spans are created in pre-order, so span index == node index. */
    fp_span blank;
    memset(&blank, 0, sizeof(blank));
    for (size_t i = 0; i < s->n_nodes; i++) {
        st = sim_cancelled(s) ? FP_EINTR : fp_profile_add_span(out, &blank, NULL);
        if (st != FP_OK)
            goto fail;
    }
    fp_span *spans = fp_profile_spans_mut(out);
    t = 0.0;
    s->next_track = 1;
    for (size_t i = 0; i < s->n_nodes && s->fail == FP_OK; i = s->nodes[i].end)
        t = exec_node(s, spans, i, t, 0);
    if (s->fail != FP_OK) {
        st = s->fail;
        goto fail;
    }
    for (size_t b = 0; b < scn->n_bottlenecks; b++) {
        const fp_bottleneck_spec *spec = &scn->bottlenecks[b];
        if (s->bs[b].active && spec->target != FP_TARGET_PROCESS) {
            if (s->bs[b].truth.affected_calls == 0)
                s->bs[b].truth.start_s = s->bs[b].truth.end_s = t;
            st = fp_profile_add_truth(out, &s->bs[b].truth);
            if (st != FP_OK)
                goto fail;
        }
    }

    /* Pass C. */
    if (s->opts.cancel != NULL && s->opts.cancel(s->opts.cancel_ctx)) {
        st = FP_EINTR;
        goto fail;
    }
    st = build_series(s, out, t, baseline, idle);
    if (st != FP_OK)
        goto fail;
    return FP_OK;
fail:
    if (st == FP_EINTR)
        return fp_error_set(err, st, "interrupted");
    if (st == FP_ELIMIT && s->fail == FP_ELIMIT)
        return fp_error_set(err, st, "run %llu of '%s' has more than %d calls",
                            (unsigned long long)run_index, scn->name, FP_SIM_MAX_SPANS);
    if (st == FP_ELIMIT)
        return fp_error_set(err, st,
                            "run %llu of '%s' lasts %g s: more than %zu samples at %g s "
                            "(raise process.sample_interval_s)",
                            (unsigned long long)run_index, scn->name, t, s->opts.max_samples,
                            scn->process.sample_interval_s);
    return fp_error_set(err, st, "out of memory simulating run %llu of '%s'",
                        (unsigned long long)run_index, scn->name);
}
