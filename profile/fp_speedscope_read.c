/*
 * fp_speedscope_read.c - reads speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json), as written by speedscope's export and by
 * `fpsim generate` (fp_export_speedscope()).
 *
 * shared.frames become methods (by name; frames of the same name are one method). Each profile
 * is a track of one run, in file order:
 *  - "evented": O/C events open and close frames (properly nested, times non-decreasing; frames
 *    still open at the end close at endValue);
 *  - "sampled": samples (frame indices, outermost first) with weights; sample k holds from the
 *    sum of the earlier weights, and consecutive samples sharing a prefix share its spans
 *    (fp_profile_internal.h).
 * Units "seconds", "milliseconds", "microseconds", "nanoseconds" (or "none", taken as seconds);
 * times are relative to the smallest startValue of all profiles. The run is named by the file's
 * "name", else the file's stem.
 */
#include "fp_formats.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

#define SS_SCHEMA "https://www.speedscope.app/file-format-schema.json"

typedef struct ss {
    fp_profile *p;
    const char *file;
    fp_error *err;
    uint32_t *methods; /* frame index -> method (owned) */
    size_t n_frames;
    uint32_t *stack; /* owned */
    size_t cap;
    char path[FP_ERROR_PATH_MAX];
} ss;

static const struct {
    const char *name;
    double to_s;
} s_units[] = {{"seconds", 1.0},
               {"milliseconds", 1e-3},
               {"microseconds", 1e-6},
               {"nanoseconds", 1e-9},
               {"none", 1.0}};

static fp_status ss_nomem(ss *r)
{
    return fp_error_set(r->err, FP_ENOMEM, "out of memory reading %s", r->file);
}

/* Item `key` of `obj` as a finite number; path for messages "PREFIX.KEY". */
static fp_status want_num(ss *r, const cJSON *obj, const char *prefix, const char *key, double *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(r->path, sizeof(r->path), "%s%s%s", prefix, prefix[0] ? "." : "", key);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path, "expected a number, got %s",
                              fp_stacks_json_type(it));
    *out = it->valuedouble;
    return FP_OK;
}

/* A frame index item: an integer in [0, n_frames). */
static fp_status want_frame(ss *r, const cJSON *it, const char *path, uint32_t *out)
{
    if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) || it->valuedouble < 0 ||
        it->valuedouble >= (double)r->n_frames)
        return fp_stacks_fail(
            r->err, FP_EINVAL, r->file, path, "expected a frame index in [0, %zu), got %s",
            r->n_frames, cJSON_IsNumber(it) ? "a number out of range" : fp_stacks_json_type(it));
    *out = (uint32_t)it->valuedouble;
    return FP_OK;
}

static fp_status push(ss *r, size_t depth, uint32_t m)
{
    if (fp_grow((void **)&r->stack, &r->cap, depth + 1, sizeof(*r->stack)) != FP_OK)
        return ss_nomem(r);
    r->stack[depth] = m;
    return FP_OK;
}

static fp_status read_evented(ss *r, const cJSON *prof, size_t pi, double origin, double scale,
                              double end, fp_stacks *b)
{
    char path[FP_ERROR_PATH_MAX];
    snprintf(path, sizeof(path), "profiles[%zu].events", pi);
    const cJSON *evs = cJSON_GetObjectItemCaseSensitive(prof, "events");
    if (!cJSON_IsArray(evs))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, path, "expected an array, got %s",
                              fp_stacks_json_type(evs));
    size_t depth = 0, ei = 0;
    uint32_t *frames = NULL; /* frame index per open level: r->stack holds methods */
    size_t fcap = 0;
    double last = -HUGE_VAL;
    fp_status st = FP_OK;
    for (const cJSON *e = evs->child; e != NULL && st == FP_OK; e = e->next, ei++) {
        char pre[96]; /* short enough for "PRE.frame" to fit a key path */
        snprintf(pre, sizeof(pre), "profiles[%zu].events[%zu]", pi, ei);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        double at;
        uint32_t fr;
        if ((st = want_num(r, e, pre, "at", &at)) != FP_OK)
            break;
        snprintf(r->path, sizeof(r->path), "%s.frame", pre);
        if ((st = want_frame(r, cJSON_GetObjectItemCaseSensitive(e, "frame"), r->path, &fr)) !=
            FP_OK)
            break;
        if (at < last) {
            snprintf(r->path, sizeof(r->path), "%s.at", pre);
            st = fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                "events go back in time (%.17g after %.17g)", at, last);
            break;
        }
        last = at;
        int open = cJSON_IsString(type) && strcmp(type->valuestring, "O") == 0;
        int close = cJSON_IsString(type) && strcmp(type->valuestring, "C") == 0;
        if (!open && !close) {
            snprintf(r->path, sizeof(r->path), "%s.type", pre);
            st = fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                "expected \"O\" or \"C\", got %s", fp_stacks_json_type(type));
            break;
        }
        if (open) {
            if (fp_grow((void **)&frames, &fcap, depth + 1, sizeof(*frames)) != FP_OK) {
                st = ss_nomem(r);
                break;
            }
            frames[depth] = fr;
            if ((st = push(r, depth, r->methods[fr])) != FP_OK)
                break;
            depth++;
        } else {
            if (depth == 0 || frames[depth - 1] != fr) {
                snprintf(r->path, sizeof(r->path), "%s.frame", pre);
                st = depth == 0 ? fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                                 "closes frame %u but no frame is open", fr)
                                : fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                                 "closes frame %u but frame %u is open", fr,
                                                 frames[depth - 1]);
                break;
            }
            depth--;
        }
        st = fp_stacks_at(b, r->stack, depth, (at - origin) * scale, r->err);
    }
    fp_free(frames);
    if (st == FP_OK)
        fp_stacks_end(b, ((end > last ? end : last) - origin) * scale);
    return st;
}

static fp_status read_sampled(ss *r, const cJSON *prof, size_t pi, double origin, double scale,
                              double start, fp_stacks *b)
{
    char path[FP_ERROR_PATH_MAX];
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(prof, "samples");
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(prof, "weights");
    snprintf(path, sizeof(path), "profiles[%zu].samples", pi);
    if (!cJSON_IsArray(samples))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, path, "expected an array, got %s",
                              fp_stacks_json_type(samples));
    snprintf(path, sizeof(path), "profiles[%zu].weights", pi);
    if (!cJSON_IsArray(weights) || cJSON_GetArraySize(weights) != cJSON_GetArraySize(samples))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, path,
                              "expected an array of one weight per sample");
    double t = start;
    size_t si = 0;
    const cJSON *w = weights->child;
    for (const cJSON *s = samples->child; s != NULL; s = s->next, w = w->next, si++) {
        snprintf(path, sizeof(path), "profiles[%zu].weights[%zu]", pi, si);
        if (!cJSON_IsNumber(w) || !isfinite(w->valuedouble) || w->valuedouble < 0)
            return fp_stacks_fail(r->err, FP_EINVAL, r->file, path,
                                  "expected a non-negative number, got %s",
                                  cJSON_IsNumber(w) ? "a negative number" : fp_stacks_json_type(w));
        snprintf(path, sizeof(path), "profiles[%zu].samples[%zu]", pi, si);
        if (!cJSON_IsArray(s))
            return fp_stacks_fail(r->err, FP_EINVAL, r->file, path,
                                  "expected an array of frame indices, got %s",
                                  fp_stacks_json_type(s));
        size_t depth = 0;
        fp_status st;
        for (const cJSON *f = s->child; f != NULL; f = f->next, depth++) {
            uint32_t fr;
            snprintf(path, sizeof(path), "profiles[%zu].samples[%zu][%zu]", pi, si, depth);
            if ((st = want_frame(r, f, path, &fr)) != FP_OK ||
                (st = push(r, depth, r->methods[fr])) != FP_OK)
                return st;
        }
        if ((st = fp_stacks_at(b, r->stack, depth, (t - origin) * scale, r->err)) != FP_OK)
            return st;
        t += w->valuedouble;
    }
    fp_stacks_end(b, (t - origin) * scale);
    return FP_OK;
}

static fp_status read_doc(ss *r, const cJSON *root)
{
    fp_status st;
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "$schema");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, SS_SCHEMA) != 0)
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "$schema",
                              "not a speedscope file (expected \"%s\")", SS_SCHEMA);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (cJSON_IsString(name) && name->valuestring[0] != '\0') {
        if (fp_profile_set_meta(r->p, name->valuestring, 0, 0, "", "", "speedscope", 0) != FP_OK)
            return ss_nomem(r);
    } else if ((st = fp_stacks_set_meta(r->p, r->file, "speedscope", r->err)) != FP_OK) {
        return st;
    }
    const cJSON *frames = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "shared"), "frames");
    if (!cJSON_IsArray(frames))
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "shared.frames",
                              "expected an array, got %s", fp_stacks_json_type(frames));
    r->n_frames = (size_t)cJSON_GetArraySize(frames);
    r->methods = fp_calloc(r->n_frames + 1, sizeof(uint32_t));
    if (r->methods == NULL)
        return ss_nomem(r);
    size_t i = 0;
    for (const cJSON *f = frames->child; f != NULL; f = f->next, i++) {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(f, "name");
        if (!cJSON_IsString(fn)) {
            snprintf(r->path, sizeof(r->path), "shared.frames[%zu].name", i);
            return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path, "expected a string, got %s",
                                  fp_stacks_json_type(fn));
        }
        if (fp_profile_intern_method(r->p, fn->valuestring, &r->methods[i]) != FP_OK)
            return ss_nomem(r);
    }
    const cJSON *profs = cJSON_GetObjectItemCaseSensitive(root, "profiles");
    if (!cJSON_IsArray(profs) || profs->child == NULL)
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "profiles",
                              "expected a non-empty array of profiles");
    /* The common origin: the smallest startValue, in seconds. */
    double origin_s = HUGE_VAL;
    i = 0;
    for (const cJSON *pr = profs->child; pr != NULL; pr = pr->next, i++) {
        char pre[64];
        double sv, ev, scale = 0;
        snprintf(pre, sizeof(pre), "profiles[%zu]", i);
        const cJSON *unit = cJSON_GetObjectItemCaseSensitive(pr, "unit");
        for (size_t u = 0; u < sizeof(s_units) / sizeof(s_units[0]); u++)
            if (cJSON_IsString(unit) && strcmp(unit->valuestring, s_units[u].name) == 0)
                scale = s_units[u].to_s;
        if (scale == 0) {
            snprintf(r->path, sizeof(r->path), "%s.unit", pre);
            return fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                  "expected a time unit (seconds, milliseconds, microseconds, "
                                  "nanoseconds or none), got %s%s%s",
                                  cJSON_IsString(unit) ? "\"" : "",
                                  cJSON_IsString(unit) ? unit->valuestring
                                                       : fp_stacks_json_type(unit),
                                  cJSON_IsString(unit) ? "\"" : "");
        }
        if ((st = want_num(r, pr, pre, "startValue", &sv)) != FP_OK ||
            (st = want_num(r, pr, pre, "endValue", &ev)) != FP_OK)
            return st;
        if (sv * scale < origin_s)
            origin_s = sv * scale;
    }
    i = 0;
    for (const cJSON *pr = profs->child; pr != NULL; pr = pr->next, i++) {
        double scale = 1, sv = 0, ev = 0;
        const cJSON *unit = cJSON_GetObjectItemCaseSensitive(pr, "unit");
        for (size_t u = 0; u < sizeof(s_units) / sizeof(s_units[0]); u++)
            if (strcmp(unit->valuestring, s_units[u].name) == 0)
                scale = s_units[u].to_s;
        sv = cJSON_GetObjectItemCaseSensitive(pr, "startValue")->valuedouble;
        ev = cJSON_GetObjectItemCaseSensitive(pr, "endValue")->valuedouble;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(pr, "type");
        fp_stacks *b = NULL;
        if ((st = fp_stacks_new(&b, r->p, (uint32_t)i, r->err)) != FP_OK)
            return st;
        if (cJSON_IsString(type) && strcmp(type->valuestring, "evented") == 0) {
            st = read_evented(r, pr, i, origin_s / scale, scale, ev, b);
        } else if (cJSON_IsString(type) && strcmp(type->valuestring, "sampled") == 0) {
            st = read_sampled(r, pr, i, origin_s / scale, scale, sv, b);
        } else {
            snprintf(r->path, sizeof(r->path), "profiles[%zu].type", i);
            st = fp_stacks_fail(r->err, FP_EINVAL, r->file, r->path,
                                "expected \"evented\" or \"sampled\", got %s",
                                fp_stacks_json_type(type));
        }
        fp_stacks_free(b);
        if (st != FP_OK)
            return st;
    }
    if (fp_profile_span_count(r->p) == 0)
        return fp_stacks_fail(r->err, FP_EINVAL, r->file, "profiles", "no frame in any profile");
    return FP_OK;
}

fp_status fp_speedscope_read(fp_profile *out, const char *text, size_t len, const char *file,
                             fp_error *err)
{
    ss r;
    memset(&r, 0, sizeof(r));
    r.file = file;
    r.err = err;
    cJSON *root = NULL;
    fp_profile_reset(out);
    /* Tracks are built one after the other, then their call trees merged in start order. */
    r.p = fp_profile_new();
    if (r.p == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory reading %s", file);
    fp_status st = fp_json_parse_guarded(text, len, file, "speedscope JSON", err, &root);
    if (st == FP_OK)
        st = read_doc(&r, root);
    if (st == FP_OK)
        st = fp_stacks_merge_tracks(out, r.p, err);
    fp_profile_free(r.p);
    cJSON_Delete(root);
    fp_free(r.methods);
    fp_free(r.stack);
    if (st != FP_OK)
        fp_profile_reset(out);
    else /* memory and CPU are not in the format: unknown, not zero (fp_profile_data()) */
        fp_profile_set_data(out, 0);
    return st;
}
