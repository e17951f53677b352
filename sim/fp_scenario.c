/*
 * fp_scenario.c - the scenario loader: YAML text -> validated struct fp_scenario.
 *
 * Two stages. (1) The strict YAML layer shared with every YAML input (profile/fp_yaml.h:
 * libyaml's event API, never yaml_parser_load) builds a node tree: mappings, sequences and
 * scalars with 1-based marks. Aliases, anchors, tags, merge keys, several documents and nesting
 * deeper than FP_SCENARIO_MAX_DEPTH are rejected while streaming, so the tree is never deeper
 * than the limit and the validator may recurse. (2) The validator walks the tree against the schema
 * of docs/scenario-format.md and fills struct fp_scenario (fp_scenario_internal.h) with every field
 * set, defaults included. Every failure leaves file, line, column, key path and a short message in
 * the caller's fp_error; nothing is returned on failure.
 *
 * Allocation goes through fp_malloc & co. (libyaml's own buffers do not), so the fault tests can
 * fail any of the loader's allocations.
 */
#include "fp_scenario.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp_dist.h"
#include "fp_scenario_internal.h"
#include "fp_yaml.h"

/* ------------------------------------------------------------------------------------------ */
/* Node tree and checked accessors: the strict YAML layer of profile/fp_yaml.h                */
/* ------------------------------------------------------------------------------------------ */

/* Short names for the shared YAML layer, so that the validator below reads as before. */
typedef fp_yaml_node node;
typedef fp_yaml_kind node_kind;
typedef fp_yaml_ctx ctx;
typedef fp_yaml_fields fields;
#define N_SCALAR FP_YAML_SCALAR
#define N_MAP FP_YAML_MAP
#define N_SEQ FP_YAML_SEQ
#define MAX_FIELDS FP_YAML_MAX_FIELDS
#define FAIL FP_YAML_FAIL
#define node_free fp_yaml_node_free
#define map_len fp_yaml_map_len
#define fail_at fp_yaml_fail_at
#define fail_nomem fp_yaml_fail_nomem
#define path_key fp_yaml_path_key
#define path_index fp_yaml_path_index
#define path_pop fp_yaml_path_pop
#define is_null fp_yaml_is_null
#define parse_number fp_yaml_parse_number
#define kind_word fp_yaml_kind_word
#define get_number fp_yaml_get_number
#define get_number_in fp_yaml_get_number_in
#define get_string fp_yaml_get_string
#define get_bool fp_yaml_get_bool
#define expect_kind fp_yaml_expect_kind
#define map_fields fp_yaml_map_fields
#define missing fp_yaml_missing
#define find_duplicate fp_yaml_find_duplicate
#define check_keys_unique fp_yaml_check_keys_unique

/* ------------------------------------------------------------------------------------------ */
/* Scenario scalars                                                                           */
/* ------------------------------------------------------------------------------------------ */

/* A number whose magnitude is within FP_SCENARIO_MAX_NUMBER, so that products cannot overflow. */
static fp_status check_bound(ctx *c, const node *n, double v)
{
    if (fabs(v) > FP_SCENARIO_MAX_NUMBER)
        return FAIL(c, FP_EINVAL, n, "number %g exceeds the bound %g: products could overflow", v,
                    FP_SCENARIO_MAX_NUMBER);
    return FP_OK;
}

static fp_status get_bounded(ctx *c, const node *n, double *out)
{
    fp_status st = get_number(c, n, out);
    return st == FP_OK ? check_bound(c, n, *out) : st;
}

static fp_status get_seed(ctx *c, const node *n, uint64_t *out)
{
    if (n->kind != N_SCALAR || !n->plain || n->len == 0)
        return FAIL(c, FP_EINVAL, n, "expected a number, got %s", kind_word(n));
    uint64_t v = 0;
    int ok = 1;
    for (const char *p = n->str; *p; p++) {
        if (*p < '0' || *p > '9') {
            ok = 0;
            break;
        }
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) {
            ok = 0;
            break;
        }
        v = v * 10 + d;
    }
    if (!ok)
        return FAIL(c, FP_EINVAL, n, "'seed' must be an integer in [0, %llu], got '%.40s'",
                    (unsigned long long)UINT64_MAX, n->str);
    *out = v;
    return FP_OK;
}

/* Whether `s` is 1..max characters from [A-Za-z0-9] plus the characters in `extra`. */
static int name_ok(const char *s, size_t max, const char *extra)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr(extra, ch) != NULL))
            return 0;
    }
    return n >= 1 && n <= max;
}

/* ------------------------------------------------------------------------------------------ */
/* VALUE: a number or a distribution mapping                                                  */
/* ------------------------------------------------------------------------------------------ */

/* A sequence of plain numbers into a new array (*out, NULL when empty). */
static fp_status get_number_list(ctx *c, const node *seq, double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    fp_status st = expect_kind(c, seq, N_SEQ);
    if (st != FP_OK)
        return st;
    if (seq->n > FP_DIST_MAX_CHOICES) {
        size_t old = path_index(c, FP_DIST_MAX_CHOICES);
        st = FAIL(c, FP_ELIMIT, seq->kids[FP_DIST_MAX_CHOICES], "too many values (max %d)",
                  FP_DIST_MAX_CHOICES);
        path_pop(c, old);
        return st;
    }
    if (seq->n == 0)
        return FP_OK;
    double *v = fp_malloc(seq->n * sizeof *v);
    if (v == NULL)
        return fail_nomem(c);
    for (size_t i = 0; i < seq->n; i++) {
        size_t old = path_index(c, i);
        st = get_bounded(c, seq->kids[i], &v[i]);
        if (st != FP_OK) {
            fp_free(v);
            return st;
        }
        path_pop(c, old);
    }
    *out = v;
    *n = seq->n;
    return FP_OK;
}

static fp_status get_dist(ctx *c, const node *m, fp_dist *out)
{
    fp_status st = check_keys_unique(c, m);
    if (st != FP_OK)
        return st;
    size_t n = map_len(m), np = 0, nv = 0, nw = 0;
    const node *name_node = NULL, *values_node = NULL, *weights_node = NULL;
    double *values = NULL, *weights = NULL;
    size_t *param_pair = NULL;
    fp_dist_param *params = fp_malloc((n ? n : 1) * sizeof *params);
    param_pair = fp_malloc((n ? n : 1) * sizeof *param_pair);
    if (params == NULL || param_pair == NULL) {
        st = fail_nomem(c);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const node *k = m->kids[2 * i], *v = m->kids[2 * i + 1];
        size_t old = path_key(c, k->str);
        if (strcmp(k->str, "dist") == 0) {
            const char *s;
            st = get_string(c, v, &s);
            name_node = v;
        } else if (strcmp(k->str, "values") == 0) {
            values_node = v;
            st = get_number_list(c, v, &values, &nv);
        } else if (strcmp(k->str, "weights") == 0) {
            weights_node = v;
            st = get_number_list(c, v, &weights, &nw);
        } else {
            params[np].key = k->str;
            param_pair[np] = i;
            st = get_bounded(c, v, &params[np].value);
            np++;
        }
        if (st != FP_OK)
            goto out;
        path_pop(c, old);
    }
    if (name_node == NULL) {
        st = missing(c, m, "dist");
        goto out;
    }
    fp_dist_where where = {-4, -1};
    fp_error derr = FP_ERROR_INIT;
    st = fp_dist_make(out, name_node->str, params, np, values, nv, weights, nw, &where, &derr);
    if (st == FP_ENOMEM) {
        st = fail_nomem(c);
    } else if (st != FP_OK) {
        const node *at = m;
        size_t old = c->plen;
        if (where.param >= 0 && (size_t)where.param < np) {
            const node *k = m->kids[2 * param_pair[where.param]];
            at = k;
            path_key(c, k->str);
        } else if (where.param == -1) {
            at = name_node;
            path_key(c, "dist");
        } else if ((where.param == -2 && values_node != NULL) ||
                   (where.param == -3 && weights_node != NULL)) {
            const node *list = where.param == -2 ? values_node : weights_node;
            at = list;
            path_key(c, where.param == -2 ? "values" : "weights");
            if (where.element >= 0 && (size_t)where.element < list->n) {
                at = list->kids[where.element];
                path_index(c, (size_t)where.element);
            }
        }
        st = FAIL(c, st, at, "%s", derr.msg[0] ? derr.msg : fp_status_str(st));
        path_pop(c, old);
    }
out:
    fp_free(params);
    fp_free(param_pair);
    fp_free(values);
    fp_free(weights);
    return st;
}

/* A VALUE: plain number (a constant) or a distribution mapping. `out` must be FP_DIST_INIT. */
static fp_status get_value(ctx *c, const node *n, fp_dist *out)
{
    if (n->kind == N_MAP)
        return get_dist(c, n, out);
    if (n->kind == N_SEQ)
        return FAIL(c, FP_EINVAL, n, "expected a number or a distribution, got %s", kind_word(n));
    double v;
    fp_status st = get_bounded(c, n, &v);
    if (st == FP_OK)
        fp_dist_constant(out, v);
    return st;
}

/* Checks that every value `d` can produce lies in [lo, hi] (hi may be INFINITY). */
static fp_status check_support(ctx *c, const node *n, const char *what, const fp_dist *d, double lo,
                               double hi)
{
    double dlo, dhi;
    fp_dist_support(d, &dlo, &dhi);
    if (d->kind == FP_DIST_CONSTANT) {
        double v = d->a[0];
        if (v < lo || v > hi) {
            if (isinf(hi))
                return FAIL(c, FP_EINVAL, n, "'%s' must be >= %g, got %g", what, lo, v);
            return FAIL(c, FP_EINVAL, n, "'%s' must be in [%g, %g], got %g", what, lo, hi, v);
        }
        return FP_OK;
    }
    if (!(dlo >= lo)) {
        if (lo == 0.0)
            return FAIL(c, FP_EINVAL, n, "'%s' can be negative: give the distribution 'min: 0'",
                        what);
        return FAIL(c, FP_EINVAL, n, "'%s' can be below %g: give the distribution 'min: %g'", what,
                    lo, lo);
    }
    if (!(dhi <= hi))
        return FAIL(c, FP_EINVAL, n, "'%s' can exceed %g: give the distribution 'max: %g'", what,
                    hi, hi);
    return FP_OK;
}

/*
 * Optional VALUE field: if `v` is set, parses it under path `.key` and checks its support;
 * otherwise sets the constant `def`.
 */
static fp_status value_field(ctx *c, const node *v, const char *key, fp_dist *out, double def,
                             double lo, double hi)
{
    if (v == NULL) {
        fp_dist_constant(out, def);
        return FP_OK;
    }
    size_t old = path_key(c, key);
    fp_status st = get_value(c, v, out);
    if (st == FP_OK)
        st = check_support(c, v, key, out, lo, hi);
    if (st == FP_OK)
        path_pop(c, old);
    return st;
}

/* Optional plain-number field within [lo, hi]; `def` when absent. */
static fp_status number_field(ctx *c, const node *v, const char *key, double *out, double def,
                              double lo, double hi)
{
    if (v == NULL) {
        *out = def;
        return FP_OK;
    }
    size_t old = path_key(c, key);
    fp_status st = get_number_in(c, v, key, lo, hi, out);
    if (st == FP_OK)
        st = check_bound(c, v, *out);
    if (st == FP_OK)
        path_pop(c, old);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Sections                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static const char *const top_keys[] = {"name",    "description", "seed",    "process",
                                       "methods", "bottlenecks", "analysis"};
enum { T_NAME, T_DESC, T_SEED, T_PROCESS, T_METHODS, T_BOTTLENECKS, T_ANALYSIS, T_N };

static const char *const process_keys[] = {"baseline_memory_mb",
                                           "idle_cpu_percent",
                                           "sample_interval_s",
                                           "noise",
                                           "io_latency_ms",
                                           "io_bandwidth_mb_s",
                                           "cores",
                                           "memory_growth_mb_s"};
enum { P_BASE, P_IDLE, P_INTERVAL, P_NOISE, P_IO_LAT, P_IO_BW, P_CORES, P_GROWTH, P_N };

static const char *const noise_keys[] = {"memory_mb", "cpu_percent", "io_relative"};
enum { Z_MEM, Z_CPU, Z_IO, Z_N };

static const char *const method_keys[] = {"name",   "calls", "duration_s", "cpu_percent",
                                          "memory", "io",    "callees"};
enum { M_NAME, M_CALLS, M_DURATION, M_CPU, M_MEMORY, M_IO, M_CALLEES, M_N };

static const char *const memory_keys[] = {"alloc_mb", "retained_fraction"};
enum { MM_ALLOC, MM_RETAINED, MM_N };

static const char *const io_keys[] = {"ops", "bytes", "ops_per_s", "bytes_per_s"};
enum { IO_OPS, IO_BYTES, IO_OPS_RATE, IO_BYTES_RATE, IO_N };

static const char *const callee_keys[] = {"method", "count", "parallel"};
enum { C_METHOD, C_COUNT, C_PARALLEL, C_N };

static const char *const bottleneck_keys[] = {
    "kind",           "target", "probability", "magnitude", "onset_s",
    "onset_fraction", "ramp_s", "fraction",    "episodes",  "episode_s"};
enum {
    B_KIND,
    B_TARGET,
    B_PROB,
    B_MAGNITUDE,
    B_ONSET_S,
    B_ONSET_FRAC,
    B_RAMP,
    B_FRACTION,
    B_EPISODES,
    B_EPISODE_S,
    B_N
};

/*
 * The names of the kinds that accept kind-only key bits `keys` (0: that may target the process),
 * from profile/'s kind table, joined as "a", "a and b" or "a, b and c" into buf (NUL-terminated).
 */
static const char *kinds_with(char *buf, size_t size, unsigned keys)
{
    const char *names[FP_KIND_COUNT];
    size_t n = 0, len = 0;
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        const fp_kind_info *in = fp_kind_info_get((fp_kind)k);
        if (keys != 0 ? (in->keys & keys) != 0 : in->process_ok != 0)
            names[n++] = in->name;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
        int w = snprintf(buf + len, size - len, "%s%s", sep, names[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return buf;
}

/* A callee's `method:` value, kept until every method name is known. */
typedef struct callee_ref {
    const node *name;
} callee_ref;

typedef struct loader {
    ctx c;
    fp_scenario *s;
    const node *method_nodes; /* the `methods` sequence */
    callee_ref *refs;         /* all callees, method-major */
    size_t *ref_off;          /* per method: index of its first callee in refs */
    size_t n_refs;
    const char **names; /* method names, declaration order (borrowed from the scenario) */
    fp_strmap by_name;  /* method name -> index into names (the core's string map) */
} loader;

static fp_status parse_process(ctx *c, const node *v, fp_process_spec *p)
{
    fields f, z;
    const node *noise = NULL;
    fp_status st;
    memset(&f, 0, sizeof f);
    memset(&z, 0, sizeof z);
    if (v != NULL) {
        if ((st = expect_kind(c, v, N_MAP)) != FP_OK)
            return st;
        if ((st = map_fields(c, v, process_keys, P_N, &f)) != FP_OK)
            return st;
        noise = f.val[P_NOISE];
    }
    if ((st = value_field(c, f.val[P_BASE], "baseline_memory_mb", &p->baseline_mb, 100.0, 0.0,
                          INFINITY)) != FP_OK)
        return st;
    if ((st = value_field(c, f.val[P_IDLE], "idle_cpu_percent", &p->idle_cpu_pct, 1.0, 0.0,
                          100.0)) != FP_OK)
        return st;
    if ((st = number_field(c, f.val[P_INTERVAL], "sample_interval_s", &p->sample_interval_s, 0.1,
                           0.001, 60.0)) != FP_OK)
        return st;
    {
        double cores;
        if ((st = number_field(c, f.val[P_CORES], "cores", &cores, 1.0, 1.0,
                               (double)FP_SCENARIO_MAX_CORES)) != FP_OK)
            return st;
        if (cores != floor(cores)) {
            size_t at = path_key(c, "cores");
            (void)at;
            return FAIL(c, FP_EINVAL, f.val[P_CORES], "'cores' must be a whole number, got %g",
                        cores);
        }
        p->cores = (uint32_t)cores;
    }
    /* I/O time: each operation waits io_latency_ms, each MB 1 / io_bandwidth_mb_s seconds */
    if ((st = number_field(c, f.val[P_IO_LAT], "io_latency_ms", &p->io_latency_s,
                           FP_SCENARIO_IO_LATENCY_MS, 0.0, 60000.0)) != FP_OK)
        return st;
    p->io_latency_s /= 1000.0;
    if ((st = number_field(c, f.val[P_IO_BW], "io_bandwidth_mb_s", &p->io_bandwidth_mb_s,
                           FP_SCENARIO_IO_BANDWIDTH_MB_S, 0.001, 1e9)) != FP_OK)
        return st;
    /* a normal pattern, not a bottleneck: memory that grows in every run (a cache outside the
     * profiled code); without a baseline the process-level leak rule reports it */
    if ((st = number_field(c, f.val[P_GROWTH], "memory_growth_mb_s", &p->memory_growth_mb_s, 0.0,
                           0.0, 1e6)) != FP_OK)
        return st;
    size_t old = c->plen;
    if (noise != NULL) {
        path_key(c, "noise");
        if ((st = expect_kind(c, noise, N_MAP)) != FP_OK)
            return st;
        if ((st = map_fields(c, noise, noise_keys, Z_N, &z)) != FP_OK)
            return st;
    }
    if ((st = number_field(c, z.val[Z_MEM], "memory_mb", &p->noise_mem_mb, 0.5, 0.0, INFINITY)) !=
        FP_OK)
        return st;
    if ((st = number_field(c, z.val[Z_CPU], "cpu_percent", &p->noise_cpu_pct, 1.0, 0.0,
                           INFINITY)) != FP_OK)
        return st;
    if ((st = number_field(c, z.val[Z_IO], "io_relative", &p->noise_io_rel, 0.05, 0.0, 1.0)) !=
        FP_OK)
        return st;
    path_pop(c, old);
    return FP_OK;
}

static fp_status parse_io(ctx *c, const node *v, fp_method_spec *ms)
{
    fields f;
    fp_status st;
    memset(&f, 0, sizeof f);
    if (v != NULL) {
        if ((st = expect_kind(c, v, N_MAP)) != FP_OK)
            return st;
        if ((st = map_fields(c, v, io_keys, IO_N, &f)) != FP_OK)
            return st;
    }
    /* The first key written decides the form; the first key of the other form is the error. */
    int first = -1, other = -1;
    for (int i = 0; i < IO_N; i++) {
        if (f.val[i] != NULL && (first < 0 || f.pos[i] < f.pos[first]))
            first = i;
    }
    int first_rate = first >= IO_OPS_RATE;
    for (int i = 0; i < IO_N; i++) {
        if (f.val[i] != NULL && (i >= IO_OPS_RATE) != first_rate &&
            (other < 0 || f.pos[i] < f.pos[other]))
            other = i;
    }
    if (other >= 0) {
        path_key(c, io_keys[other]);
        return FAIL(c, FP_EINVAL, f.key[other], "cannot mix per-call I/O ('%s') with rates ('%s')",
                    io_keys[first_rate ? other : first], io_keys[first_rate ? first : other]);
    }
    ms->io_is_rate = first_rate;
    if ((st = value_field(c, f.val[first_rate ? IO_OPS_RATE : IO_OPS],
                          first_rate ? "ops_per_s" : "ops", &ms->io_ops, 0.0, 0.0, INFINITY)) !=
        FP_OK)
        return st;
    return value_field(c, f.val[first_rate ? IO_BYTES_RATE : IO_BYTES],
                       first_rate ? "bytes_per_s" : "bytes", &ms->io_bytes, 0.0, 0.0, INFINITY);
}

static fp_status parse_callee(loader *L, const node *m, fp_callee_spec *cs, callee_ref *ref)
{
    ctx *c = &L->c;
    fields f;
    fp_status st;
    if ((st = expect_kind(c, m, N_MAP)) != FP_OK)
        return st;
    if ((st = map_fields(c, m, callee_keys, C_N, &f)) != FP_OK)
        return st;
    cs->line = m->line;
    cs->col = m->col;
    if (f.val[C_METHOD] == NULL)
        return missing(c, m, "method");
    const char *s;
    size_t old = path_key(c, "method");
    if ((st = get_string(c, f.val[C_METHOD], &s)) != FP_OK)
        return st;
    path_pop(c, old);
    ref->name = f.val[C_METHOD];
    if ((st = value_field(c, f.val[C_COUNT], "count", &cs->count, 1.0, 0.0, INFINITY)) != FP_OK)
        return st;
    cs->parallel = 0;
    if (f.val[C_PARALLEL] != NULL) {
        old = path_key(c, "parallel");
        if ((st = get_bool(c, f.val[C_PARALLEL], &cs->parallel)) != FP_OK)
            return st;
        path_pop(c, old);
    }
    return FP_OK;
}

static fp_status parse_method(loader *L, const node *m, fp_method_spec *ms, size_t ref_base)
{
    ctx *c = &L->c;
    fields f, mem;
    fp_status st;
    if ((st = expect_kind(c, m, N_MAP)) != FP_OK)
        return st;
    if ((st = map_fields(c, m, method_keys, M_N, &f)) != FP_OK)
        return st;
    ms->line = m->line;
    ms->col = m->col;
    if (f.val[M_NAME] == NULL)
        return missing(c, m, "name");
    if (f.val[M_DURATION] == NULL)
        return missing(c, m, "duration_s");
    const char *name;
    size_t old = path_key(c, "name");
    if ((st = get_string(c, f.val[M_NAME], &name)) != FP_OK)
        return st;
    if (!name_ok(name, FP_SCENARIO_MAX_NAME, "_.:-"))
        return FAIL(c, FP_EINVAL, f.val[M_NAME],
                    "method name must match [A-Za-z0-9_.:-]{1,128}, got '%.40s'", name);
    path_pop(c, old);
    ms->name = fp_strdup(name);
    if (ms->name == NULL)
        return fail_nomem(c);
    if ((st = value_field(c, f.val[M_CALLS], "calls", &ms->calls, 0.0, 0.0, INFINITY)) != FP_OK)
        return st;
    if ((st = value_field(c, f.val[M_DURATION], "duration_s", &ms->duration_s, 0.0, 0.0,
                          INFINITY)) != FP_OK)
        return st;
    if ((st = value_field(c, f.val[M_CPU], "cpu_percent", &ms->cpu_pct, 10.0, 0.0, 100.0)) != FP_OK)
        return st;
    memset(&mem, 0, sizeof mem);
    old = c->plen;
    if (f.val[M_MEMORY] != NULL) {
        path_key(c, "memory");
        if ((st = expect_kind(c, f.val[M_MEMORY], N_MAP)) != FP_OK)
            return st;
        if ((st = map_fields(c, f.val[M_MEMORY], memory_keys, MM_N, &mem)) != FP_OK)
            return st;
    }
    if ((st = value_field(c, mem.val[MM_ALLOC], "alloc_mb", &ms->alloc_mb, 0.0, 0.0, INFINITY)) !=
        FP_OK)
        return st;
    if ((st = value_field(c, mem.val[MM_RETAINED], "retained_fraction", &ms->retained_frac, 0.0,
                          0.0, 1.0)) != FP_OK)
        return st;
    path_pop(c, old);
    if (f.val[M_IO] != NULL)
        path_key(c, "io");
    if ((st = parse_io(c, f.val[M_IO], ms)) != FP_OK)
        return st;
    path_pop(c, old);

    const node *cl = f.val[M_CALLEES];
    if (cl != NULL) {
        path_key(c, "callees");
        if ((st = expect_kind(c, cl, N_SEQ)) != FP_OK)
            return st;
        if (cl->n > FP_SCENARIO_MAX_CALLEES) {
            path_index(c, FP_SCENARIO_MAX_CALLEES);
            return FAIL(c, FP_ELIMIT, cl->kids[FP_SCENARIO_MAX_CALLEES],
                        "too many callees (max %d)", FP_SCENARIO_MAX_CALLEES);
        }
        if (cl->n > 0) {
            ms->callees = fp_calloc(cl->n, sizeof *ms->callees);
            if (ms->callees == NULL)
                return fail_nomem(c);
        }
        for (size_t j = 0; j < cl->n; j++) {
            size_t o2 = path_index(c, j);
            ms->n_callees = j + 1; /* so fp_scenario_free cleans a half-made entry */
            if ((st = parse_callee(L, cl->kids[j], &ms->callees[j], &L->refs[ref_base + j])) !=
                FP_OK)
                return st;
            path_pop(c, o2);
        }
        path_pop(c, old);
    }
    return FP_OK;
}

static const char *method_name_key(const void *names, size_t i)
{
    return ((const char *const *)names)[i];
}

/* Index of method `name`, or -1. */
static long find_method(const loader *L, const char *name)
{
    size_t i;
    return fp_strmap_find(&L->by_name, name, method_name_key, L->names, &i) ? (long)i : -1;
}

static fp_status unknown_method(loader *L, const node *at, const char *what, int allow_process)
{
    ctx *c = &L->c;
    const char *sug = fp_suggest(at->str, L->names, L->s->n_methods);
    if (allow_process && sug == NULL) {
        static const char *const proc[] = {"process"};
        sug = fp_suggest(at->str, proc, 1);
    }
    if (sug != NULL)
        return FAIL(c, FP_EINVAL, at, "unknown %s '%.40s' (did you mean '%s'?)", what, at->str,
                    sug);
    return FAIL(c, FP_EINVAL, at, "unknown %s '%.40s'", what, at->str);
}

static fp_status parse_methods(loader *L, const node *seq)
{
    ctx *c = &L->c;
    fp_scenario *s = L->s;
    fp_status st;
    size_t old = path_key(c, "methods");
    if ((st = expect_kind(c, seq, N_SEQ)) != FP_OK)
        return st;
    if (seq->n == 0)
        return FAIL(c, FP_EINVAL, seq, "'methods' must not be empty");
    if (seq->n > FP_SCENARIO_MAX_METHODS) {
        path_index(c, FP_SCENARIO_MAX_METHODS);
        return FAIL(c, FP_ELIMIT, seq->kids[FP_SCENARIO_MAX_METHODS], "too many methods (max %d)",
                    FP_SCENARIO_MAX_METHODS);
    }
    L->method_nodes = seq;

    /* Count callee entries first so that the name references have one array. */
    size_t total = 0;
    L->ref_off = fp_calloc(seq->n + 1, sizeof *L->ref_off);
    if (L->ref_off == NULL)
        return fail_nomem(c);
    for (size_t i = 0; i < seq->n; i++) {
        L->ref_off[i] = total;
        const node *m = seq->kids[i];
        if (m->kind != N_MAP)
            continue;
        for (size_t k = 0; k < map_len(m); k++) {
            const node *key = m->kids[2 * k], *v = m->kids[2 * k + 1];
            if (key->kind == N_SCALAR && strcmp(key->str, "callees") == 0 && v->kind == N_SEQ)
                total += v->n; /* a duplicate key fails before its second list is used */
        }
    }
    L->ref_off[seq->n] = total;
    L->refs = fp_calloc(total ? total : 1, sizeof *L->refs);
    s->methods = fp_calloc(seq->n, sizeof *s->methods);
    L->names = fp_calloc(seq->n, sizeof *L->names);
    if (L->refs == NULL || s->methods == NULL || L->names == NULL ||
        fp_strmap_reserve(&L->by_name, seq->n, method_name_key, L->names) != FP_OK)
        return fail_nomem(c);

    for (size_t i = 0; i < seq->n; i++) {
        size_t o2 = path_index(c, i);
        s->n_methods = i + 1;
        if ((st = parse_method(L, seq->kids[i], &s->methods[i], L->ref_off[i])) != FP_OK)
            return st;
        path_pop(c, o2);
        L->names[i] = s->methods[i].name;
    }

    /* Unique names: report the first repeated name in file order. */
    size_t dup = (size_t)-1;
    for (size_t i = 0; i < s->n_methods && dup == (size_t)-1; i++) {
        if (find_method(L, L->names[i]) >= 0)
            dup = i;
        else if (fp_strmap_add(&L->by_name, i, method_name_key, L->names) != FP_OK)
            return fail_nomem(c); /* (not after the reserve above) */
    }
    if (dup != (size_t)-1) {
        const node *m = seq->kids[dup];
        fields f;
        (void)map_fields(c, m, method_keys, M_N, &f); /* succeeded before */
        path_index(c, dup);
        path_key(c, "name");
        return FAIL(c, FP_EINVAL, f.val[M_NAME], "duplicate method name '%s'",
                    s->methods[dup].name);
    }

    /* Resolve callees. */
    for (size_t i = 0; i < s->n_methods; i++) {
        fp_method_spec *ms = &s->methods[i];
        for (size_t j = 0; j < ms->n_callees; j++) {
            const node *nm = L->refs[L->ref_off[i] + j].name;
            long t = find_method(L, nm->str);
            if (t < 0) {
                path_index(c, i);
                path_key(c, "callees");
                path_index(c, j);
                path_key(c, "method");
                return unknown_method(L, nm, "method", 0);
            }
            ms->callees[j].method = (uint32_t)t;
        }
    }
    path_pop(c, old);
    return FP_OK;
}

/*
 * Rejects call cycles with an iterative depth-first search (declaration order, callees in
 * order): the first back edge found closes the cycle and is where the error points.
 */
static fp_status check_cycles(loader *L)
{
    ctx *c = &L->c;
    fp_scenario *s = L->s;
    size_t n = s->n_methods;
    fp_status st = FP_OK;
    unsigned char *color = fp_calloc(n, 1); /* 0 white, 1 on the stack, 2 done */
    size_t *stk = fp_malloc(n * sizeof *stk), *next = fp_malloc(n * sizeof *next);
    if (color == NULL || stk == NULL || next == NULL) {
        st = fail_nomem(c);
        goto out;
    }
    for (size_t root = 0; root < n; root++) {
        if (color[root] != 0)
            continue;
        size_t sp = 0;
        stk[sp] = root;
        next[sp] = 0;
        sp++;
        color[root] = 1;
        while (sp > 0) {
            size_t u = stk[sp - 1];
            fp_method_spec *mu = &s->methods[u];
            if (next[sp - 1] == mu->n_callees) {
                color[u] = 2;
                sp--;
                continue;
            }
            size_t j = next[sp - 1]++;
            size_t v = mu->callees[j].method;
            if (color[v] == 0) {
                color[v] = 1;
                stk[sp] = v;
                next[sp] = 0;
                sp++;
            } else if (color[v] == 1) {
                char msg[FP_ERROR_MSG_MAX];
                size_t len = 0, from = 0;
                while (stk[from] != v)
                    from++;
                int w = snprintf(msg, sizeof msg, "call cycle:");
                len = w > 0 ? (size_t)w : 0;
                for (size_t k = from; k <= sp && len < sizeof msg; k++) {
                    const char *nm = k < sp ? s->methods[stk[k]].name : s->methods[v].name;
                    w = snprintf(msg + len, sizeof msg - len, "%s%s", k > from ? " -> " : " ", nm);
                    len += w > 0 ? (size_t)w : 0;
                }
                if (len >= sizeof msg)
                    memcpy(msg + sizeof msg - 4, "...", 4);
                path_key(c, "methods");
                path_index(c, u);
                path_key(c, "callees");
                path_index(c, j);
                path_key(c, "method");
                st = FAIL(c, FP_EINVAL, L->refs[L->ref_off[u] + j].name, "%s", msg);
                goto out;
            }
        }
    }
out:
    fp_free(color);
    fp_free(stk);
    fp_free(next);
    return st;
}

static fp_status check_called(loader *L)
{
    ctx *c = &L->c;
    fp_scenario *s = L->s;
    unsigned char *called = fp_calloc(s->n_methods, 1);
    if (called == NULL)
        return fail_nomem(c);
    for (size_t i = 0; i < s->n_methods; i++) {
        for (size_t j = 0; j < s->methods[i].n_callees; j++)
            called[s->methods[i].callees[j].method] = 1;
    }
    fp_status st = FP_OK;
    for (size_t i = 0; i < s->n_methods && st == FP_OK; i++) {
        const fp_dist *d = &s->methods[i].calls;
        if (!called[i] && d->kind == FP_DIST_CONSTANT && d->a[0] == 0.0) {
            path_key(c, "methods");
            path_index(c, i);
            st = FAIL(c, FP_EINVAL, L->method_nodes->kids[i], "method '%s' is never called",
                      s->methods[i].name);
        }
    }
    fp_free(called);
    return st;
}

static fp_status parse_bottleneck(loader *L, const node *m, fp_bottleneck_spec *b)
{
    ctx *c = &L->c;
    fields f;
    fp_status st;
    const char *s;
    size_t old;
    if ((st = expect_kind(c, m, N_MAP)) != FP_OK)
        return st;
    if ((st = map_fields(c, m, bottleneck_keys, B_N, &f)) != FP_OK)
        return st;
    b->line = m->line;
    b->col = m->col;
    /* Defaults first, so that every field is set even when a later check fails. */
    b->probability = 1.0;
    b->onset_is_fraction = 1;
    b->onset = 0.0;
    b->ramp_s = 0.0;
    fp_dist_constant(&b->fraction, 0.05);
    fp_dist_constant(&b->episodes, 1.0);
    fp_dist_constant(&b->episode_s, 2.0);
    if (f.val[B_KIND] == NULL)
        return missing(c, m, "kind");
    if (f.val[B_TARGET] == NULL)
        return missing(c, m, "target");
    if (f.val[B_MAGNITUDE] == NULL)
        return missing(c, m, "magnitude");

    old = path_key(c, "kind");
    if ((st = get_string(c, f.val[B_KIND], &s)) != FP_OK)
        return st;
    fp_kind kind;
    if (fp_kind_from_name(s, &kind) != FP_OK) {
        const char *names[FP_KIND_COUNT];
        for (int k = 0; k < FP_KIND_COUNT; k++)
            names[k] = fp_kind_name((fp_kind)k);
        const char *sug = fp_suggest(s, names, FP_KIND_COUNT);
        if (sug != NULL)
            return FAIL(c, FP_EINVAL, f.val[B_KIND],
                        "unknown bottleneck kind '%.40s' (did you mean '%s'?)", s, sug);
        return FAIL(c, FP_EINVAL, f.val[B_KIND], "unknown bottleneck kind '%.40s'", s);
    }
    b->kind = kind;
    path_pop(c, old);

    const fp_kind_info *ki = fp_kind_info_get(b->kind);
    char which[160];
    int process_ok = ki->process_ok;
    old = path_key(c, "target");
    if ((st = get_string(c, f.val[B_TARGET], &s)) != FP_OK)
        return st;
    if (strcmp(s, "process") == 0) {
        if (!process_ok)
            return FAIL(c, FP_EINVAL, f.val[B_TARGET], "target 'process' is allowed only for %s",
                        kinds_with(which, sizeof which, 0u));
        b->target = FP_TARGET_PROCESS;
    } else {
        long t = find_method(L, s);
        if (t < 0)
            return unknown_method(L, f.val[B_TARGET], "target", process_ok);
        b->target = (int32_t)t;
    }
    path_pop(c, old);

    if ((st = number_field(c, f.val[B_PROB], "probability", &b->probability, 1.0, 0.0, 1.0)) !=
        FP_OK)
        return st;

    double lo = ki->mag_min, hi = ki->mag_max;
    if ((st = value_field(c, f.val[B_MAGNITUDE], "magnitude", &b->magnitude, 0.0, lo, hi)) != FP_OK)
        return st;

    if (f.val[B_ONSET_S] != NULL && f.val[B_ONSET_FRAC] != NULL) {
        int later = f.pos[B_ONSET_S] > f.pos[B_ONSET_FRAC] ? B_ONSET_S : B_ONSET_FRAC;
        path_key(c, bottleneck_keys[later]);
        return FAIL(c, FP_EINVAL, f.key[later],
                    "give either 'onset_s' or 'onset_fraction', not both");
    }
    if (f.val[B_ONSET_S] != NULL) {
        b->onset_is_fraction = 0;
        if ((st = number_field(c, f.val[B_ONSET_S], "onset_s", &b->onset, 0.0, 0.0, INFINITY)) !=
            FP_OK)
            return st;
    } else if ((st = number_field(c, f.val[B_ONSET_FRAC], "onset_fraction", &b->onset, 0.0, 0.0,
                                  1.0)) != FP_OK) {
        return st;
    }
    if ((st = number_field(c, f.val[B_RAMP], "ramp_s", &b->ramp_s, 0.0, 0.0, INFINITY)) != FP_OK)
        return st;

    if (f.val[B_FRACTION] != NULL && (ki->keys & FP_KIND_KEY_FRACTION) == 0) {
        path_key(c, "fraction");
        return FAIL(c, FP_EINVAL, f.key[B_FRACTION], "'fraction' applies only to %s",
                    kinds_with(which, sizeof which, FP_KIND_KEY_FRACTION));
    }
    int episodic = (ki->keys & FP_KIND_KEY_EPISODES) != 0 && b->target == FP_TARGET_PROCESS;
    for (int k = B_EPISODES; k <= B_EPISODE_S; k++) {
        if (f.val[k] != NULL && !episodic) {
            path_key(c, bottleneck_keys[k]);
            return FAIL(c, FP_EINVAL, f.key[k], "'%s' applies only to %s on the process",
                        bottleneck_keys[k], kinds_with(which, sizeof which, FP_KIND_KEY_EPISODES));
        }
    }
    /* Replace the defaults (constants own nothing, so no cleanup is needed). */
    if (f.val[B_FRACTION] != NULL &&
        (st = value_field(c, f.val[B_FRACTION], "fraction", &b->fraction, 0.05, 0.0, 1.0)) != FP_OK)
        return st;
    if (f.val[B_EPISODES] != NULL && (st = value_field(c, f.val[B_EPISODES], "episodes",
                                                       &b->episodes, 1.0, 0.0, INFINITY)) != FP_OK)
        return st;
    if (f.val[B_EPISODE_S] != NULL &&
        (st = value_field(c, f.val[B_EPISODE_S], "episode_s", &b->episode_s, 2.0, 0.0, INFINITY)) !=
            FP_OK)
        return st;
    return FP_OK;
}

static fp_status parse_bottlenecks(loader *L, const node *seq)
{
    ctx *c = &L->c;
    fp_scenario *s = L->s;
    fp_status st;
    size_t old = path_key(c, "bottlenecks");
    if ((st = expect_kind(c, seq, N_SEQ)) != FP_OK)
        return st;
    if (seq->n > FP_SCENARIO_MAX_BOTTLENECKS) {
        path_index(c, FP_SCENARIO_MAX_BOTTLENECKS);
        return FAIL(c, FP_ELIMIT, seq->kids[FP_SCENARIO_MAX_BOTTLENECKS],
                    "too many bottlenecks (max %d)", FP_SCENARIO_MAX_BOTTLENECKS);
    }
    if (seq->n > 0) {
        s->bottlenecks = fp_calloc(seq->n, sizeof *s->bottlenecks);
        if (s->bottlenecks == NULL)
            return fail_nomem(c);
    }
    for (size_t i = 0; i < seq->n; i++) {
        size_t o2 = path_index(c, i);
        s->n_bottlenecks = i + 1;
        if ((st = parse_bottleneck(L, seq->kids[i], &s->bottlenecks[i])) != FP_OK)
            return st;
        path_pop(c, o2);
    }
    path_pop(c, old);
    return FP_OK;
}

static fp_status parse_analysis(ctx *c, const node *m, fp_scenario *s)
{
    fp_status st;
    size_t old = path_key(c, "analysis");
    if ((st = expect_kind(c, m, N_MAP)) != FP_OK)
        return st;
    if ((st = check_keys_unique(c, m)) != FP_OK)
        return st;
    size_t n = map_len(m);
    if (n == 0) {
        path_pop(c, old);
        return FP_OK;
    }
    s->overrides = fp_calloc(n, sizeof *s->overrides);
    if (s->overrides == NULL)
        return fail_nomem(c);
    for (size_t i = 0; i < n; i++) {
        const node *k = m->kids[2 * i], *v = m->kids[2 * i + 1];
        size_t o2 = path_key(c, k->str);
        if (k->len == 0)
            return FAIL(c, FP_EINVAL, k, "expected a string key, got %s", kind_word(k));
        fp_analysis_override *o = &s->overrides[i];
        s->n_overrides = i + 1;
        o->line = k->line;
        o->col = k->col;
        if ((st = get_number(c, v, &o->value)) != FP_OK)
            return st;
        o->key = fp_strdup(k->str);
        if (o->key == NULL)
            return fail_nomem(c);
        path_pop(c, o2);
    }
    path_pop(c, old);
    return FP_OK;
}

static fp_status parse_scenario(loader *L, const node *root)
{
    ctx *c = &L->c;
    fp_scenario *s = L->s;
    fields f;
    fp_status st;
    const char *str;
    size_t old;

    if (root == NULL)
        return fail_at(c, FP_EINVAL, 1, 1, "no scenario in file");
    if ((st = expect_kind(c, root, N_MAP)) != FP_OK)
        return st;
    if ((st = map_fields(c, root, top_keys, T_N, &f)) != FP_OK)
        return st;
    if (f.val[T_NAME] == NULL)
        return missing(c, root, "name");
    if (f.val[T_METHODS] == NULL)
        return missing(c, root, "methods");

    old = path_key(c, "name");
    if ((st = get_string(c, f.val[T_NAME], &str)) != FP_OK)
        return st;
    if (!name_ok(str, 64, "_.-"))
        return FAIL(c, FP_EINVAL, f.val[T_NAME],
                    "'name' must match [A-Za-z0-9_.-]{1,64}, got '%.40s'", str);
    path_pop(c, old);
    if ((s->name = fp_strdup(str)) == NULL)
        return fail_nomem(c);

    str = "";
    if (f.val[T_DESC] != NULL) {
        old = path_key(c, "description");
        if ((st = get_string(c, f.val[T_DESC], &str)) != FP_OK)
            return st;
        path_pop(c, old);
    }
    if ((s->description = fp_strdup(str)) == NULL)
        return fail_nomem(c);

    if (f.val[T_SEED] != NULL) {
        old = path_key(c, "seed");
        if ((st = get_seed(c, f.val[T_SEED], &s->seed)) != FP_OK)
            return st;
        s->has_seed = 1;
        path_pop(c, old);
    }

    old = c->plen;
    if (f.val[T_PROCESS] != NULL)
        path_key(c, "process");
    if ((st = parse_process(c, f.val[T_PROCESS], &s->process)) != FP_OK)
        return st;
    path_pop(c, old);

    if ((st = parse_methods(L, f.val[T_METHODS])) != FP_OK)
        return st;
    if ((st = check_cycles(L)) != FP_OK)
        return st;
    if ((st = check_called(L)) != FP_OK)
        return st;
    if (f.val[T_BOTTLENECKS] != NULL && (st = parse_bottlenecks(L, f.val[T_BOTTLENECKS])) != FP_OK)
        return st;
    if (f.val[T_ANALYSIS] != NULL && (st = parse_analysis(c, f.val[T_ANALYSIS], s)) != FP_OK)
        return st;
    return FP_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                 */
/* ------------------------------------------------------------------------------------------ */

fp_status fp_scenario_load_string(fp_scenario **out, const char *text, size_t len, const char *file,
                                  fp_error *err)
{
    loader L;
    node *root = NULL;
    fp_status st;

    *out = NULL;
    memset(&L, 0, sizeof L);
    L.c.file = file != NULL ? file : "<string>";
    L.c.err = err;
    fp_error_clear(err);

    if (len > FP_SCENARIO_MAX_BYTES)
        return fail_at(&L.c, FP_ELIMIT, 0, 0, "scenario larger than 1 MiB");
    L.s = fp_calloc(1, sizeof *L.s);
    if (L.s == NULL)
        return fail_nomem(&L.c);
    if ((L.s->file = fp_strdup(L.c.file)) == NULL) {
        st = fail_nomem(&L.c);
        goto out;
    }
    if ((st = fp_yaml_parse(&L.c, text, len, "scenario", FP_SCENARIO_MAX_DEPTH, &root)) != FP_OK)
        goto out;
    st = parse_scenario(&L, root);

out:
    node_free(root);
    fp_free(L.refs);
    fp_free(L.ref_off);
    fp_free(L.names);
    fp_strmap_cleanup(&L.by_name);
    if (st != FP_OK) {
        fp_scenario_free(L.s);
        return st;
    }
    *out = L.s;
    return FP_OK;
}

fp_status fp_scenario_load_file(fp_scenario **out, const char *path, fp_error *err)
{
    fp_status st = FP_OK;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat sb;

    *out = NULL;
    fp_error_clear(err);
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == EINTR) /* a FIFO without a writer, and a signal: give up */
        return fp_error_set_at(err, FP_EINTR, path, 0, 0, "interrupted");
    if (fd < 0)
        return fp_error_set_at(err, FP_ENOENT, path, 0, 0, "cannot open: %s",
                               fp_strerror(errno, (char[128]){""}, 128));
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        st = fp_error_set_at(err, FP_ENOENT, path, 0, 0, "is a directory");
        goto out;
    }
    /* Read at most FP_SCENARIO_MAX_BYTES + 1 bytes: one more than allowed proves the excess
     * without reading (or trusting st_size of) a huge or endless input. */
    for (;;) {
        if (len == cap) {
            size_t ncap = cap == 0 ? 64 * 1024 : cap * 2;
            if (ncap > FP_SCENARIO_MAX_BYTES + 1)
                ncap = FP_SCENARIO_MAX_BYTES + 1;
            if (ncap == cap)
                break;
            char *nb = fp_realloc(buf, ncap);
            if (nb == NULL) {
                st = fp_error_set_at(err, FP_ENOMEM, path, 0, 0, "out of memory");
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0) {
            /* A signal (the caller's handlers are installed without SA_RESTART, so only one it
             * acts on interrupts): stop, so a FIFO whose writer stays open cannot hang. */
            if (errno == EINTR) {
                st = fp_error_set_at(err, FP_EINTR, path, 0, 0, "interrupted");
                goto out;
            }
            st = fp_error_set_at(err, FP_EIO, path, 0, 0, "read error: %s",
                                 fp_strerror(errno, (char[128]){""}, 128));
            goto out;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (len > FP_SCENARIO_MAX_BYTES) {
        st = fp_error_set_at(err, FP_ELIMIT, path, 0, 0, "scenario larger than 1 MiB");
        goto out;
    }
    st = fp_scenario_load_string(out, buf != NULL ? buf : "", len, path, err);
out:
    fp_free(buf);
    close(fd);
    return st;
}

void fp_scenario_free(fp_scenario *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_methods; i++) {
        fp_method_spec *m = &s->methods[i];
        fp_free(m->name);
        fp_dist_cleanup(&m->calls);
        fp_dist_cleanup(&m->duration_s);
        fp_dist_cleanup(&m->cpu_pct);
        fp_dist_cleanup(&m->alloc_mb);
        fp_dist_cleanup(&m->retained_frac);
        fp_dist_cleanup(&m->io_ops);
        fp_dist_cleanup(&m->io_bytes);
        for (size_t j = 0; j < m->n_callees; j++)
            fp_dist_cleanup(&m->callees[j].count);
        fp_free(m->callees);
    }
    fp_free(s->methods);
    for (size_t i = 0; i < s->n_bottlenecks; i++) {
        fp_bottleneck_spec *b = &s->bottlenecks[i];
        fp_dist_cleanup(&b->magnitude);
        fp_dist_cleanup(&b->fraction);
        fp_dist_cleanup(&b->episodes);
        fp_dist_cleanup(&b->episode_s);
    }
    fp_free(s->bottlenecks);
    for (size_t i = 0; i < s->n_overrides; i++)
        fp_free(s->overrides[i].key);
    fp_free(s->overrides);
    fp_dist_cleanup(&s->process.baseline_mb);
    fp_dist_cleanup(&s->process.idle_cpu_pct);
    fp_free(s->name);
    fp_free(s->description);
    fp_free(s->file);
    fp_free(s);
}

const char *fp_scenario_name(const fp_scenario *s)
{
    return s->name;
}

const char *fp_scenario_description(const fp_scenario *s)
{
    return s->description != NULL ? s->description : "";
}

int fp_scenario_has_seed(const fp_scenario *s, uint64_t *seed)
{
    if (s->has_seed && seed != NULL)
        *seed = s->seed;
    return s->has_seed;
}

size_t fp_scenario_method_count(const fp_scenario *s)
{
    return s->n_methods;
}

const char *fp_scenario_method_name(const fp_scenario *s, size_t i)
{
    return i < s->n_methods ? s->methods[i].name : NULL;
}

size_t fp_scenario_bottleneck_count(const fp_scenario *s)
{
    return s->n_bottlenecks;
}

size_t fp_scenario_analysis_count(const fp_scenario *s)
{
    return s->n_overrides;
}

const char *fp_scenario_analysis_key(const fp_scenario *s, size_t i, double *value,
                                     unsigned long *line, unsigned long *col)
{
    if (i >= s->n_overrides)
        return NULL;
    const fp_analysis_override *o = &s->overrides[i];
    if (value != NULL)
        *value = o->value;
    if (line != NULL)
        *line = o->line;
    if (col != NULL)
        *col = o->col;
    return o->key;
}

const char *fp_scenario_file(const fp_scenario *s)
{
    return s->file;
}
