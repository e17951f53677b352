/*
 * fp_stacks.c - call stacks over time into nested spans (fp_profile_internal.h explains the
 * conversion).
 *
 * State: the open frames, outermost first, each with its method and the index of its span in
 * the profile (whose duration is set when the frame closes).
 */
#include "fp_profile_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

typedef struct open_frame {
    uint32_t method;
    size_t span;
} open_frame;

struct fp_stacks {
    fp_profile *p; /* borrowed */
    uint32_t track;
    open_frame *open; /* owned */
    size_t depth, cap;
};

fp_status fp_stacks_new(fp_stacks **out, fp_profile *p, uint32_t track, fp_error *err)
{
    fp_stacks *b = fp_calloc(1, sizeof(*b));
    *out = NULL;
    if (b == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory building spans");
    b->p = p;
    b->track = track;
    *out = b;
    return FP_OK;
}

/* Closes the open frames above `keep` at `t_s`. */
static void close_to(fp_stacks *b, size_t keep, double t_s)
{
    fp_span *sp = fp_profile_spans_mut(b->p);
    while (b->depth > keep) {
        fp_span *s = &sp[b->open[--b->depth].span];
        s->dur_s = t_s > s->start_s ? t_s - s->start_s : 0.0;
    }
}

fp_status fp_stacks_at(fp_stacks *b, const uint32_t *frames, size_t depth, double t_s,
                       fp_error *err)
{
    size_t k = 0;
    while (k < depth && k < b->depth && b->open[k].method == frames[k])
        k++;
    close_to(b, k, t_s);
    if (fp_grow((void **)&b->open, &b->cap, depth, sizeof(*b->open)) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory building spans");
    for (; k < depth; k++) {
        fp_span s = {0};
        s.method = frames[k];
        s.parent = k > 0 ? (int32_t)b->open[k - 1].span : -1;
        s.track = b->track;
        s.start_s = t_s;
        size_t ix;
        if (fp_profile_add_span(b->p, &s, &ix) != FP_OK)
            return fp_error_set(err, FP_ENOMEM, "out of memory building spans");
        b->open[k].method = frames[k];
        b->open[k].span = ix;
        b->depth = k + 1;
    }
    return FP_OK;
}

void fp_stacks_end(fp_stacks *b, double t_s)
{
    close_to(b, 0, t_s);
}

void fp_stacks_free(fp_stacks *b)
{
    if (b == NULL)
        return;
    fp_free(b->open);
    fp_free(b);
}

void fp_stacks_file_stem(const char *file, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (file == NULL || strcmp(file, "-") == 0) {
        snprintf(buf, size, "%s", "stdin");
        return;
    }
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    size_t n = strcspn(base, ".");
    if (n == 0) /* ".hidden" or "": the whole base name */
        n = strlen(base);
    if (n >= size)
        n = size - 1;
    memcpy(buf, base, n);
    buf[n] = '\0';
}

fp_status fp_stacks_set_meta(fp_profile *p, const char *file, const char *source, fp_error *err)
{
    char name[256];
    fp_stacks_file_stem(file, name, sizeof(name));
    if (fp_profile_set_meta(p, name, 0, 0, "", "", source, 0) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory reading %s", file);
    return FP_OK;
}

fp_status fp_stacks_fail(fp_error *err, fp_status st, const char *file, const char *path,
                         const char *fmt, ...)
{
    char msg[FP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fp_error_set_at(err, st, file, 0, 0, "%s", msg);
    fp_error_set_path(err, path);
    return st;
}

const char *fp_stacks_json_type(const cJSON *it)
{
    if (it == NULL)
        return "nothing";
    if (cJSON_IsString(it))
        return "a string";
    if (cJSON_IsNumber(it))
        return "a number";
    if (cJSON_IsArray(it))
        return "an array";
    if (cJSON_IsObject(it))
        return "an object";
    if (cJSON_IsBool(it))
        return "a boolean";
    return "null";
}

/* A top-level call tree of the source: spans [first, end). */
typedef struct tree {
    double start;
    uint32_t track;
    size_t first, end;
} tree;

static int cmp_tree(const void *a, const void *b)
{
    const tree *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->track != y->track)
        return x->track < y->track ? -1 : 1;
    return x->first < y->first ? -1 : (x->first > y->first);
}

fp_status fp_stacks_merge_tracks(fp_profile *dst, const fp_profile *src, fp_error *err)
{
    size_t n = fp_profile_span_count(src), nt = 0;
    const fp_span *sp = fp_profile_spans(src);
    fp_meta m = fp_profile_meta(src);
    if (fp_profile_set_meta(dst, m.scenario, m.seed, m.run_index, m.rng, m.gsl_version, m.source,
                            m.simulated) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory building spans");
    for (size_t i = 0; i < fp_profile_method_count(src); i++) {
        uint32_t id;
        if (fp_profile_intern_method(dst, fp_profile_method_name(src, i), &id) != FP_OK)
            return fp_error_set(err, FP_ENOMEM, "out of memory building spans");
    }
    tree *t = fp_malloc((n > 0 ? n : 1) * sizeof(*t));
    if (t == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory building spans");
    for (size_t i = 0; i < n; i++)
        if (sp[i].parent < 0) {
            if (nt > 0)
                t[nt - 1].end = i;
            t[nt].start = sp[i].start_s;
            t[nt].track = sp[i].track;
            t[nt].first = i;
            t[nt++].end = n;
        }
    qsort(t, nt, sizeof(*t), cmp_tree);
    fp_status st = FP_OK;
    for (size_t k = 0; k < nt && st == FP_OK; k++) {
        size_t base = fp_profile_span_count(dst);
        for (size_t i = t[k].first; i < t[k].end; i++) {
            fp_span s = sp[i];
            if (s.parent >= 0)
                s.parent = (int32_t)((size_t)s.parent - t[k].first + base);
            if (fp_profile_add_span(dst, &s, NULL) != FP_OK) {
                st = fp_error_set(err, FP_ENOMEM, "out of memory building spans");
                break;
            }
        }
    }
    fp_free(t);
    return st;
}
