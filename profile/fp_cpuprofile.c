/*
 * fp_cpuprofile.c - reads a V8 CPU profile (.cpuprofile: `node --cpu-prof`, Chrome DevTools'
 * "Save profile", the Profiler.stop result of the DevTools protocol).
 *
 * The document: {"nodes": [{"id", "callFrame": {"functionName", "url", "lineNumber", ...},
 * "children": [ids], ...}], "startTime", "endTime" (microseconds), "samples": [node id per
 * sample], "timeDeltas": [microseconds since the previous sample]}.
 *
 * The conversion (documented in docs/output-formats.md): sample k is taken at
 * startTime + timeDeltas[0..k] and its stack (the path from the root to the sampled node, the
 * "(root)" node left out) holds until the next sample (the last until endTime). Consecutive
 * samples with the same stack prefix share its spans (fp_profile_internal.h), so a function sampled
 * N times in a row is one span per frame lasting those samples' time. "(idle)" samples are gaps (no
 * span); "(program)" is kept as a frame; a "(garbage collector)" sample keeps the previous sample's
 * stack with the collector on top (V8 samples GC as a child of the root, which would otherwise cut
 * the interrupted function into two calls). A function is named "NAME (FILE:LINE)" with FILE the
 * url's last path component and LINE 1-based, or NAME alone when it has no url ("(anonymous)" when
 * NAME is empty). Everything is on track 0; the run is named by the file's stem and has no series;
 * memory and CPU are marked unknown (fp_profile_set_data(), so the memory and CPU detectors do not
 * run and reports print n/a).
 */
#include "fp_formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

/* Call depth accepted (a deeper or cyclic parent chain is an error). */
#define CP_MAX_DEPTH 4096

typedef struct cp_node {
    double id;
    long parent; /* index into the node array, -1 for a root */
    uint32_t method;
    int idle; /* "(idle)": no work */
    int root; /* "(root)": left out of stacks */
    int gc;   /* "(garbage collector)": runs inside whatever was running */
} cp_node;

typedef struct cp_id {
    double id;
    size_t ix;
} cp_id;

static int cmp_id(const void *a, const void *b)
{
    double x = ((const cp_id *)a)->id, y = ((const cp_id *)b)->id;
    return x < y ? -1 : (x > y);
}

typedef struct cp {
    fp_profile *p;
    const char *file;
    fp_error *err;
    cp_node *nodes; /* owned */
    cp_id *ids;     /* owned: sorted by id */
    size_t n;
    char path[FP_ERROR_PATH_MAX];
} cp;

static fp_status cp_nomem(cp *r)
{
    return fp_error_set(r->err, FP_ENOMEM, "out of memory reading %s", r->file);
}

static long find_id(const cp *r, double id)
{
    cp_id key = {id, 0};
    const cp_id *hit = bsearch(&key, r->ids, r->n, sizeof(*r->ids), cmp_id);
    return hit != NULL ? (long)hit->ix : -1;
}

static int is_int(const cJSON *it)
{
    return cJSON_IsNumber(it) && isfinite(it->valuedouble) &&
           it->valuedouble == floor(it->valuedouble);
}

/* The method name of a call frame: "NAME (FILE:LINE)", NAME alone without url. */
static fp_status intern_frame(cp *r, const cJSON *cf, size_t i, cp_node *nd)
{
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(cf, "functionName");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(cf, "url");
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(cf, "lineNumber");
    if (!cJSON_IsObject(cf)) {
        snprintf(r->path, sizeof(r->path), "nodes[%zu].callFrame", i);
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path, "expected an object, got %s",
                              fp_stacks_json_type(cf));
    }
    if (!cJSON_IsString(fn)) {
        snprintf(r->path, sizeof(r->path), "nodes[%zu].callFrame.functionName", i);
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path, "expected a string, got %s",
                              fp_stacks_json_type(fn));
    }
    const char *name = fn->valuestring[0] != '\0' ? fn->valuestring : "(anonymous)";
    nd->idle = strcmp(name, "(idle)") == 0;
    nd->root = strcmp(name, "(root)") == 0;
    nd->gc = strcmp(name, "(garbage collector)") == 0;
    if (nd->idle || nd->root)
        return FP_OK; /* never a frame: not a method either */
    char *buf = NULL;
    if (cJSON_IsString(url) && url->valuestring[0] != '\0') {
        const char *base = strrchr(url->valuestring, '/');
        base = base != NULL && base[1] != '\0' ? base + 1 : url->valuestring;
        size_t need = strlen(name) + strlen(base) + 32;
        buf = fp_malloc(need);
        if (buf == NULL)
            return cp_nomem(r);
        if (is_int(line) && line->valuedouble >= 0 && line->valuedouble < 1e9)
            snprintf(buf, need, "%s (%s:%ld)", name, base, (long)line->valuedouble + 1);
        else
            snprintf(buf, need, "%s (%s)", name, base);
    }
    fp_status st = fp_profile_intern_method(r->p, buf != NULL ? buf : name, &nd->method);
    fp_free(buf);
    return st != FP_OK ? cp_nomem(r) : FP_OK;
}

static fp_status read_nodes(cp *r, const cJSON *nodes)
{
    fp_status st;
    r->n = (size_t)cJSON_GetArraySize(nodes);
    r->nodes = fp_calloc(r->n + 1, sizeof(*r->nodes));
    r->ids = fp_calloc(r->n + 1, sizeof(*r->ids));
    if (r->nodes == NULL || r->ids == NULL)
        return cp_nomem(r);
    size_t i = 0;
    for (const cJSON *nd = nodes->child; nd != NULL; nd = nd->next, i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(nd, "id");
        if (!is_int(id)) {
            snprintf(r->path, sizeof(r->path), "nodes[%zu].id", i);
            return fp_stacks_fail(
                r->err, FP_EINVAL, r->file, r->path, "expected an integer node id, got %s",
                cJSON_IsNumber(id) ? "a non-integer number" : fp_stacks_json_type(id));
        }
        r->nodes[i].id = id->valuedouble;
        r->nodes[i].parent = -1;
        r->ids[i].id = id->valuedouble;
        r->ids[i].ix = i;
        if ((st = intern_frame(r, cJSON_GetObjectItemCaseSensitive(nd, "callFrame"), i,
                               &r->nodes[i])) != FP_OK)
            return st;
    }
    qsort(r->ids, r->n, sizeof(*r->ids), cmp_id);
    for (size_t k = 1; k < r->n; k++)
        if (r->ids[k].id == r->ids[k - 1].id) {
            snprintf(r->path, sizeof(r->path), "nodes[%zu].id",
                     r->ids[k].ix > r->ids[k - 1].ix ? r->ids[k].ix : r->ids[k - 1].ix);
            return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path, "duplicate node id %.0f",
                                  r->ids[k].id);
        }
    i = 0;
    for (const cJSON *nd = nodes->child; nd != NULL; nd = nd->next, i++) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(nd, "children");
        if (ch == NULL)
            continue;
        snprintf(r->path, sizeof(r->path), "nodes[%zu].children", i);
        if (!cJSON_IsArray(ch))
            return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                  "expected an array of node ids, got %s", fp_stacks_json_type(ch));
        size_t k = 0;
        for (const cJSON *c = ch->child; c != NULL; c = c->next, k++) {
            long ci = is_int(c) ? find_id(r, c->valuedouble) : -1;
            snprintf(r->path, sizeof(r->path), "nodes[%zu].children[%zu]", i, k);
            if (ci < 0)
                return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                      "expected the id of a node, got %s",
                                      is_int(c) ? "an id no node has" : fp_stacks_json_type(c));
            if (r->nodes[ci].parent >= 0 || (size_t)ci == i)
                return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                      "node %.0f has two parents", r->nodes[ci].id);
            r->nodes[ci].parent = (long)i;
        }
    }
    return FP_OK;
}

/*
 * The stack of node `ix` into `stack` (outermost first; *depth 0 for idle). V8 samples garbage
 * collection as a child of the root: such a sample keeps the stack of the previous sample (still
 * in `stack`, *depth frames) and adds the collector on top, so a GC pause does not cut the
 * function it interrupted into two calls.
 */
static fp_status node_stack(cp *r, long ix, uint32_t *stack, size_t *depth, size_t *base)
{
    size_t d = 0;
    const cp_node *nd = &r->nodes[ix];
    if (nd->gc && (nd->parent < 0 || r->nodes[nd->parent].root)) {
        if (*base >= CP_MAX_DEPTH)
            return fp_stacks_fail(r->err, FP_ELIMIT, r->file, "nodes", "call chain deeper than %d",
                                  CP_MAX_DEPTH);
        stack[*base] = nd->method;
        *depth = *base + 1;
        return FP_OK;
    }
    *depth = 0;
    *base = 0;
    if (nd->idle)
        return FP_OK;
    for (long k = ix; k >= 0; k = r->nodes[k].parent) {
        if (r->nodes[k].root && r->nodes[k].parent < 0)
            continue;
        if (d >= CP_MAX_DEPTH)
            return fp_stacks_fail(r->err, FP_ELIMIT, r->file, "nodes",
                                  "call chain of node %.0f deeper than %d (or a cycle)",
                                  r->nodes[ix].id, CP_MAX_DEPTH);
        stack[d++] = r->nodes[k].method;
    }
    for (size_t a = 0, b = d; a + 1 < b; a++, b--) {
        uint32_t t = stack[a];
        stack[a] = stack[b - 1];
        stack[b - 1] = t;
    }
    *depth = d;
    *base = d;
    return FP_OK;
}

static fp_status read_doc(cp *r, const cJSON *root)
{
    fp_status st;
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(root, "samples");
    const cJSON *deltas = cJSON_GetObjectItemCaseSensitive(root, "timeDeltas");
    const cJSON *t0 = cJSON_GetObjectItemCaseSensitive(root, "startTime");
    const cJSON *t1 = cJSON_GetObjectItemCaseSensitive(root, "endTime");
    if (!cJSON_IsArray(nodes) || nodes->child == NULL)
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "nodes",
                              "expected a non-empty array of nodes, got %s",
                              cJSON_IsArray(nodes) ? "an empty array" : fp_stacks_json_type(nodes));
    if (!cJSON_IsNumber(t0) || !isfinite(t0->valuedouble))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "startTime",
                              "expected a number (microseconds), got %s", fp_stacks_json_type(t0));
    if (!cJSON_IsNumber(t1) || !isfinite(t1->valuedouble))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "endTime",
                              "expected a number (microseconds), got %s", fp_stacks_json_type(t1));
    if (!cJSON_IsArray(samples) || samples->child == NULL)
        return fp_stacks_fail(
            r->err, FP_EINVAL, r->file, "samples", "expected a non-empty array of node ids, got %s",
            cJSON_IsArray(samples) ? "an empty array" : fp_stacks_json_type(samples));
    if (!cJSON_IsArray(deltas) || cJSON_GetArraySize(deltas) != cJSON_GetArraySize(samples))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "timeDeltas",
                              "expected an array of one time delta per sample");
    if ((st = fp_stacks_set_meta(r->p, r->file, "v8-cpuprofile", r->err)) != FP_OK ||
        (st = read_nodes(r, nodes)) != FP_OK)
        return st;
    uint32_t *stack = fp_malloc(CP_MAX_DEPTH * sizeof(uint32_t));
    fp_stacks *b = NULL;
    if (stack == NULL)
        return cp_nomem(r);
    if ((st = fp_stacks_new(&b, r->p, 0, r->err)) != FP_OK) {
        fp_free(stack);
        return st;
    }
    double start = t0->valuedouble, t = start;
    size_t k = 0, depth = 0, base = 0;
    const cJSON *d = deltas->child;
    for (const cJSON *s = samples->child; s != NULL && st == FP_OK; s = s->next, d = d->next, k++) {
        if (!cJSON_IsNumber(d) || !isfinite(d->valuedouble)) {
            snprintf(r->path, sizeof(r->path), "timeDeltas[%zu]", k);
            st = fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path, "expected a number, got %s",
                                fp_stacks_json_type(d));
            break;
        }
        /* V8 occasionally records a sample slightly out of order: it holds from the previous
         * time (a negative delta would make time run backwards). */
        if (d->valuedouble > 0)
            t += d->valuedouble;
        long ix = is_int(s) ? find_id(r, s->valuedouble) : -1;
        if (ix < 0) {
            snprintf(r->path, sizeof(r->path), "samples[%zu]", k);
            st = fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                "expected the id of a node, got %s",
                                is_int(s) ? "an id no node has" : fp_stacks_json_type(s));
            break;
        }
        if ((st = node_stack(r, ix, stack, &depth, &base)) == FP_OK)
            st = fp_stacks_at(b, stack, depth, (t - start) * 1e-6, r->err);
    }
    if (st == FP_OK)
        fp_stacks_end(b, ((t1->valuedouble > t ? t1->valuedouble : t) - start) * 1e-6);
    fp_stacks_free(b);
    fp_free(stack);
    if (st == FP_OK && fp_profile_span_count(r->p) == 0)
        st = fp_stacks_fail(r->err, FP_EINVAL, r->file, "samples",
                            "every sample is idle: no call to analyse");
    return st;
}

fp_status fp_cpuprofile_read(fp_profile *out, const char *text, size_t len, const char *file,
                             fp_error *err)
{
    cp r;
    memset(&r, 0, sizeof(r));
    r.p = out;
    r.file = file;
    r.err = err;
    cJSON *root = NULL;
    fp_profile_reset(out);
    fp_status st = fp_json_parse_guarded(text, len, file, "cpuprofile", err, &root);
    if (st == FP_OK)
        st = read_doc(&r, root);
    cJSON_Delete(root);
    fp_free(r.nodes);
    fp_free(r.ids);
    if (st != FP_OK)
        fp_profile_reset(out);
    else /* memory and CPU are not in the format: unknown, not zero (fp_profile_data()) */
        fp_profile_set_data(out, 0);
    return st;
}
