/*
 * fp_yaml.c - the strict YAML layer (fp_yaml.h): libyaml events -> node tree, and the checked
 * accessors the scenario loader (sim/fp_scenario.c) and the thresholds loader (cli/) share.
 *
 * libyaml's event API is used, never yaml_parser_load, which expands aliases and is quadratic in
 * depth. Aliases, anchors, tags, merge keys, several documents and nesting deeper than the
 * caller's limit are rejected while streaming, so the tree is never deeper than the limit and
 * validators may recurse. Every failure leaves file, line, column, key path and a short message
 * in the caller's fp_error.
 */
#include "fp_yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ------------------------------------------------------------------------------------------ */
/* Node tree, errors and key paths                                                            */
/* ------------------------------------------------------------------------------------------ */

void fp_yaml_node_free(fp_yaml_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n; i++)
        fp_yaml_node_free(n->kids[i]);
    fp_free(n->kids);
    fp_free(n->str);
    fp_free(n);
}

/* Number of key/value pairs of a mapping. */
size_t fp_yaml_map_len(const fp_yaml_node *m)
{
    return m->n / 2;
}

/*
 * Control bytes (C0, DEL) as '?': messages quote names and keys from the file, and a raw ESC or
 * newline would drive the terminal the message is printed on. The one rule for every message
 * of the YAML inputs (scenarios, --thresholds).
 */
static void blank_controls(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
}

fp_status fp_yaml_fail_at(fp_yaml_ctx *c, fp_status st, unsigned long line, unsigned long col,
                          const char *fmt, ...)
{
    char msg[FP_ERROR_MSG_MAX], path[sizeof c->path];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    blank_controls(msg);
    snprintf(path, sizeof path, "%s", c->path);
    blank_controls(path);
    fp_error_set_at(c->err, st, c->file, line, col, "%s", msg);
    fp_error_set_path(c->err, path);
    return st;
}

fp_status fp_yaml_fail_nomem(fp_yaml_ctx *c)
{
    fp_error_set_at(c->err, FP_ENOMEM, c->file, 0, 0, "out of memory");
    fp_error_set_path(c->err, "");
    return FP_ENOMEM;
}

/* Appends ".key" (or "key" at the root) to the path; returns the old length for path_pop. */
size_t fp_yaml_path_key(fp_yaml_ctx *c, const char *key)
{
    size_t old = c->plen;
    int w = snprintf(c->path + c->plen, sizeof c->path - c->plen, "%s%s", c->plen ? "." : "", key);
    if (w > 0)
        c->plen += (size_t)w;
    if (c->plen >= sizeof c->path)
        c->plen = sizeof c->path - 1;
    return old;
}

/* Appends "[i]" to the path; returns the old length. */
size_t fp_yaml_path_index(fp_yaml_ctx *c, size_t i)
{
    size_t old = c->plen;
    int w = snprintf(c->path + c->plen, sizeof c->path - c->plen, "[%zu]", i);
    if (w > 0)
        c->plen += (size_t)w;
    if (c->plen >= sizeof c->path)
        c->plen = sizeof c->path - 1;
    return old;
}

void fp_yaml_path_pop(fp_yaml_ctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 1: events -> tree                                                                    */
/* ------------------------------------------------------------------------------------------ */

static fp_status yaml_failure(fp_yaml_ctx *c, const yaml_parser_t *p, const char *text, size_t len,
                              size_t base)
{
    const char *problem = p->problem ? p->problem : "YAML error";
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return fp_yaml_fail_nomem(c);
    case YAML_READER_ERROR: {
        unsigned long line, col;
        size_t off = p->problem_offset + base;
        /* Count from after the BOM, which is not a column of its own. */
        fp_line_col(text + base, len - base, p->problem_offset, FP_LC_CHARS, &line, &col);
        if (p->problem_value != -1)
            return fp_yaml_fail_at(c, FP_EPARSE, line, col, "%s (0x%02X) at byte %zu", problem,
                                   (unsigned)p->problem_value, off);
        return fp_yaml_fail_at(c, FP_EPARSE, line, col, "%s at byte %zu", problem, off);
    }
    default:
        if (p->context != NULL)
            return fp_yaml_fail_at(c, FP_EPARSE, (unsigned long)p->problem_mark.line + 1,
                                   (unsigned long)p->problem_mark.column + 1, "%s (%s at %lu:%lu)",
                                   problem, p->context, (unsigned long)p->context_mark.line + 1,
                                   (unsigned long)p->context_mark.column + 1);
        return fp_yaml_fail_at(c, FP_EPARSE, (unsigned long)p->problem_mark.line + 1,
                               (unsigned long)p->problem_mark.column + 1, "%s", problem);
    }
}

/*
 * Sets the key path of the node about to be added under the open collections `stack` (used for
 * errors found while streaming, before validation): each mapping contributes the key of the value
 * being built (none when the new node is itself a key), each sequence the item's index.
 */
static void stream_path(fp_yaml_ctx *c, fp_yaml_node *const *stack, size_t depth)
{
    fp_yaml_path_pop(c, 0);
    for (size_t i = 0; i < depth; i++) {
        const fp_yaml_node *n = stack[i];
        /* Below the innermost level the open child is already the last kid. */
        size_t next = i + 1 < depth ? n->n - 1 : n->n;
        if (n->kind == FP_YAML_SEQ)
            fp_yaml_path_index(c, next);
        else if (next % 2 == 1 && n->kids[next - 1]->kind == FP_YAML_SCALAR)
            fp_yaml_path_key(c, n->kids[next - 1]->str);
    }
}

/* Rejects node properties we do not support: anchors and tags. */
static fp_status check_props(fp_yaml_ctx *c, const yaml_event_t *ev, const yaml_char_t *anchor,
                             const yaml_char_t *tag, fp_yaml_node *const *stack, size_t depth)
{
    unsigned long line = (unsigned long)ev->start_mark.line + 1;
    unsigned long col = (unsigned long)ev->start_mark.column + 1;
    if (anchor != NULL || tag != NULL)
        stream_path(c, stack, depth);
    if (anchor != NULL)
        return fp_yaml_fail_at(c, FP_EINVAL, line, col, "anchors are not supported");
    if (tag != NULL)
        return fp_yaml_fail_at(c, FP_EINVAL, line, col, "tags are not supported");
    return FP_OK;
}

fp_status fp_yaml_parse(fp_yaml_ctx *c, const char *text, size_t len, const char *what,
                        size_t max_depth, fp_yaml_node **root)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    fp_yaml_node *stack[FP_YAML_MAX_DEPTH];
    size_t depth = 0, docs = 0;
    fp_yaml_node *top = NULL;
    fp_status st = FP_OK;
    size_t base = 0;
    int done = 0;

    *root = NULL;
    if (max_depth > FP_YAML_MAX_DEPTH)
        max_depth = FP_YAML_MAX_DEPTH;
    memset(&ev, 0, sizeof ev);
    /* A UTF-8 BOM is skipped here so that libyaml can be told the encoding is UTF-8: UTF-16
     * input then fails as invalid UTF-8 instead of being silently decoded. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        base = 3;
    if (len >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 || memcmp(text, "\xFE\xFF", 2) == 0))
        return fp_yaml_fail_at(c, FP_EPARSE, 1, 1,
                               "%s must be UTF-8 (found a UTF-16 byte order mark)", what);
    if (!yaml_parser_initialize(&parser))
        return fp_yaml_fail_nomem(c);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text + base, len - base);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            st = yaml_failure(c, &parser, text, len, base);
            goto out;
        }
        unsigned long line = (unsigned long)ev.start_mark.line + 1;
        unsigned long col = (unsigned long)ev.start_mark.column + 1;
        fp_yaml_node *nd = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                st = fp_yaml_fail_at(c, FP_EINVAL, line, col, "more than one YAML document");
                goto out;
            }
            break;
        case YAML_ALIAS_EVENT:
            stream_path(c, stack, depth);
            st = fp_yaml_fail_at(c, FP_EINVAL, line, col, "aliases are not supported");
            goto out;
        case YAML_SCALAR_EVENT:
            st = check_props(c, &ev, ev.data.scalar.anchor, ev.data.scalar.tag, stack, depth);
            if (st != FP_OK)
                goto out;
            if (memchr(ev.data.scalar.value, '\0', ev.data.scalar.length) != NULL) {
                stream_path(c, stack, depth);
                st = fp_yaml_fail_at(c, FP_EINVAL, line, col, "NUL characters are not allowed");
                goto out;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
            st = check_props(c, &ev, ev.data.sequence_start.anchor, ev.data.sequence_start.tag,
                             stack, depth);
            if (st != FP_OK)
                goto out;
            break;
        case YAML_MAPPING_START_EVENT:
            st = check_props(c, &ev, ev.data.mapping_start.anchor, ev.data.mapping_start.tag, stack,
                             depth);
            if (st != FP_OK)
                goto out;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
            ev.type == YAML_MAPPING_START_EVENT) {
            int is_coll = ev.type != YAML_SCALAR_EVENT;
            fp_yaml_node *parent = depth > 0 ? stack[depth - 1] : NULL;
            if (ev.type == YAML_SCALAR_EVENT && parent != NULL && parent->kind == FP_YAML_MAP &&
                parent->n % 2 == 0 && ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                strcmp((const char *)ev.data.scalar.value, "<<") == 0) {
                stream_path(c, stack, depth);
                st = fp_yaml_fail_at(c, FP_EINVAL, line, col, "merge keys are not supported");
                goto out;
            }
            if (is_coll && depth >= max_depth) {
                stream_path(c, stack, depth);
                st = fp_yaml_fail_at(c, FP_ELIMIT, line, col, "nesting deeper than %zu", max_depth);
                goto out;
            }
            nd = fp_calloc(1, sizeof *nd);
            if (nd == NULL) {
                st = fp_yaml_fail_nomem(c);
                goto out;
            }
            nd->line = line;
            nd->col = col;
            if (ev.type == YAML_SCALAR_EVENT) {
                nd->kind = FP_YAML_SCALAR;
                nd->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                nd->len = ev.data.scalar.length;
                nd->str = fp_malloc(nd->len + 1);
                if (nd->str == NULL) {
                    fp_yaml_node_free(nd);
                    st = fp_yaml_fail_nomem(c);
                    goto out;
                }
                memcpy(nd->str, ev.data.scalar.value, nd->len);
                nd->str[nd->len] = '\0';
            } else {
                nd->kind = ev.type == YAML_MAPPING_START_EVENT ? FP_YAML_MAP : FP_YAML_SEQ;
            }
            if (parent == NULL) {
                fp_yaml_node_free(
                    top); /* cannot happen with one document; keeps ownership simple */
                top = nd;
            } else {
                if (fp_grow((void **)&parent->kids, &parent->cap, parent->n + 1,
                            sizeof *parent->kids) != FP_OK) {
                    fp_yaml_node_free(nd);
                    st = fp_yaml_fail_nomem(c);
                    goto out;
                }
                parent->kids[parent->n++] = nd;
            }
            if (is_coll)
                stack[depth++] = nd;
        }
        yaml_event_delete(&ev);
    }

out:
    yaml_event_delete(&ev);
    yaml_parser_delete(&parser);
    if (st != FP_OK) {
        fp_yaml_node_free(top);
        return st;
    }
    if (top != NULL && top->kind == FP_YAML_SCALAR && top->plain && top->len == 0) {
        fp_yaml_node_free(top);
        top = NULL;
    }
    *root = top;
    return FP_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Stage 2: scalar helpers                                                                    */
/* ------------------------------------------------------------------------------------------ */

int fp_yaml_is_null(const fp_yaml_node *n)
{
    return n->kind == FP_YAML_SCALAR && n->plain && n->len == 0;
}

/* Strict number parse of a plain scalar: returns 0 ok, 1 invalid, 2 not finite, 3 overflow. */
int fp_yaml_parse_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '.')
        p++;
    if (strcmp(p, "nan") == 0 || strcmp(p, "NaN") == 0 || strcmp(p, "NAN") == 0 ||
        strcmp(p, "inf") == 0 || strcmp(p, "Inf") == 0 || strcmp(p, "INF") == 0 ||
        strcmp(p, "infinity") == 0 || strcmp(p, "Infinity") == 0 || strcmp(p, "INFINITY") == 0)
        return 2;
    if (*s == '\0')
        return 1;
    for (p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.' || *p == 'e' ||
              *p == 'E'))
            return 1;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return 1;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
        return 3;
    if (!isfinite(v))
        return 2;
    *out = v;
    return 0;
}

/* "a mapping", "a sequence", "an empty value", "a number" or "a string". */
const char *fp_yaml_kind_word(const fp_yaml_node *n)
{
    double v;
    if (n->kind == FP_YAML_MAP)
        return "a mapping";
    if (n->kind == FP_YAML_SEQ)
        return "a sequence";
    if (fp_yaml_is_null(n))
        return "an empty value";
    if (n->plain && fp_yaml_parse_number(n->str, &v) == 0)
        return "a number";
    return "a string";
}

/* A plain finite number. */
fp_status fp_yaml_get_number(fp_yaml_ctx *c, const fp_yaml_node *n, double *out)
{
    if (n->kind != FP_YAML_SCALAR || !n->plain || n->len == 0)
        return FP_YAML_FAIL(c, FP_EINVAL, n, "expected a number, got %s", fp_yaml_kind_word(n));
    switch (fp_yaml_parse_number(n->str, out)) {
    case 0:
        return FP_OK;
    case 2:
        return FP_YAML_FAIL(c, FP_EINVAL, n, "expected a finite number, got '%.40s'", n->str);
    case 3:
        return FP_YAML_FAIL(c, FP_EINVAL, n, "number out of range: '%.40s'", n->str);
    default:
        return FP_YAML_FAIL(c, FP_EINVAL, n, "invalid number '%.40s'", n->str);
    }
}

/* A plain number within [lo, hi] (hi may be INFINITY). */
fp_status fp_yaml_get_number_in(fp_yaml_ctx *c, const fp_yaml_node *n, const char *what, double lo,
                                double hi, double *out)
{
    fp_status st = fp_yaml_get_number(c, n, out);
    if (st != FP_OK)
        return st;
    if (*out < lo || *out > hi) {
        if (isinf(hi))
            return FP_YAML_FAIL(c, FP_EINVAL, n, "'%s' must be >= %g, got %g", what, lo, *out);
        return FP_YAML_FAIL(c, FP_EINVAL, n, "'%s' must be in [%g, %g], got %g", what, lo, hi,
                            *out);
    }
    return FP_OK;
}

/* Any scalar but an empty plain one; borrowed. */
fp_status fp_yaml_get_string(fp_yaml_ctx *c, const fp_yaml_node *n, const char **out)
{
    if (n->kind != FP_YAML_SCALAR || fp_yaml_is_null(n))
        return FP_YAML_FAIL(c, FP_EINVAL, n, "expected a string, got %s", fp_yaml_kind_word(n));
    *out = n->str;
    return FP_OK;
}

fp_status fp_yaml_get_bool(fp_yaml_ctx *c, const fp_yaml_node *n, int *out)
{
    if (n->kind == FP_YAML_SCALAR && n->plain && strcmp(n->str, "true") == 0) {
        *out = 1;
        return FP_OK;
    }
    if (n->kind == FP_YAML_SCALAR && n->plain && strcmp(n->str, "false") == 0) {
        *out = 0;
        return FP_OK;
    }
    if (n->kind == FP_YAML_SCALAR && n->plain && n->len > 0)
        return FP_YAML_FAIL(c, FP_EINVAL, n, "expected true or false, got '%.40s'", n->str);
    return FP_YAML_FAIL(c, FP_EINVAL, n, "expected true or false, got %s", fp_yaml_kind_word(n));
}

fp_status fp_yaml_expect_kind(fp_yaml_ctx *c, const fp_yaml_node *n, fp_yaml_kind k)
{
    if (n->kind == k)
        return FP_OK;
    return FP_YAML_FAIL(c, FP_EINVAL, n, "expected %s, got %s",
                        k == FP_YAML_MAP ? "a mapping" : "a sequence", fp_yaml_kind_word(n));
}

/* ------------------------------------------------------------------------------------------ */
/* Schema mappings                                                                            */
/* ------------------------------------------------------------------------------------------ */

/*
 * Checks `m` (a mapping) against the key names: every key a string, known (else did-you-mean)
 * and not repeated (reported at the second occurrence). Keys are checked in file order, so the
 * work is bounded by the number of names whatever the mapping's size.
 */
fp_status fp_yaml_map_fields(fp_yaml_ctx *c, const fp_yaml_node *m, const char *const *names,
                             size_t n_names, fp_yaml_fields *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < fp_yaml_map_len(m); i++) {
        const fp_yaml_node *k = m->kids[2 * i];
        if (k->kind != FP_YAML_SCALAR)
            return FP_YAML_FAIL(c, FP_EINVAL, k, "expected a string key, got %s",
                                fp_yaml_kind_word(k));
        size_t j = 0;
        while (j < n_names && strcmp(names[j], k->str) != 0)
            j++;
        size_t old = fp_yaml_path_key(c, k->str);
        fp_status st = FP_OK;
        if (j == n_names) {
            const char *s = fp_suggest(k->str, names, n_names);
            if (s != NULL)
                st = FP_YAML_FAIL(c, FP_EINVAL, k, "unknown key '%.40s' (did you mean '%s'?)",
                                  k->str, s);
            else
                st = FP_YAML_FAIL(c, FP_EINVAL, k, "unknown key '%.40s'", k->str);
        } else if (f->val[j] != NULL) {
            st = FP_YAML_FAIL(c, FP_EINVAL, k, "duplicate key '%s'", k->str);
        }
        if (st != FP_OK)
            return st;
        fp_yaml_path_pop(c, old);
        f->val[j] = m->kids[2 * i + 1];
        f->key[j] = k;
        f->pos[j] = i;
    }
    return FP_OK;
}

fp_status fp_yaml_missing(fp_yaml_ctx *c, const fp_yaml_node *m, const char *key)
{
    return FP_YAML_FAIL(c, FP_EINVAL, m, "missing required key '%s'", key);
}

typedef struct key_ref {
    const char *s;
    size_t idx;
} key_ref;

static int key_ref_cmp(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int r = strcmp(x->s, y->s);
    if (r != 0)
        return r;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Finds the first (in file order) string of `strs` equal to an earlier one, by sorting: n log n
 * for free-form mappings (analysis, distributions) whose size the schema does not bound.
 * *dup = index, or (size_t)-1. FP_OK or FP_ENOMEM.
 */
fp_status fp_yaml_find_duplicate(const char *const *strs, size_t n, size_t *dup)
{
    *dup = (size_t)-1;
    if (n < 2)
        return FP_OK;
    key_ref *refs = fp_malloc(n * sizeof *refs);
    if (refs == NULL)
        return FP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        refs[i].s = strs[i];
        refs[i].idx = i;
    }
    qsort(refs, n, sizeof *refs, key_ref_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(refs[i].s, refs[i - 1].s) == 0 && refs[i].idx < *dup)
            *dup = refs[i].idx;
    }
    fp_free(refs);
    return FP_OK;
}

/* Checks that `m`'s keys are strings and unique; ENOMEM or EINVAL at the second occurrence. */
fp_status fp_yaml_check_keys_unique(fp_yaml_ctx *c, const fp_yaml_node *m)
{
    size_t n = fp_yaml_map_len(m), dup;
    for (size_t i = 0; i < n; i++) {
        const fp_yaml_node *k = m->kids[2 * i];
        if (k->kind != FP_YAML_SCALAR)
            return FP_YAML_FAIL(c, FP_EINVAL, k, "expected a string key, got %s",
                                fp_yaml_kind_word(k));
    }
    const char **strs = fp_malloc((n ? n : 1) * sizeof *strs);
    if (strs == NULL)
        return fp_yaml_fail_nomem(c);
    for (size_t i = 0; i < n; i++)
        strs[i] = m->kids[2 * i]->str;
    fp_status st = fp_yaml_find_duplicate(strs, n, &dup);
    fp_free(strs);
    if (st != FP_OK)
        return fp_yaml_fail_nomem(c);
    if (dup != (size_t)-1) {
        const fp_yaml_node *k = m->kids[2 * dup];
        size_t old = fp_yaml_path_key(c, k->str);
        st = FP_YAML_FAIL(c, FP_EINVAL, k, "duplicate key '%s'", k->str);
        fp_yaml_path_pop(c, old);
        return st;
    }
    return FP_OK;
}
