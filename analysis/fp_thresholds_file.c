/*
 * fp_thresholds_file.c - the --thresholds file: a strict YAML mapping (profile/fp_yaml.h) of
 * threshold names to numbers, read into dotted keys checked against the detector registry.
 * The CLI (cli/fp_cli_common.c) reads the file and prints; the fuzzer's `thresholds` target
 * calls the same function on its bytes.
 */
#include "fp_analysis.h"

#include <stdio.h>
#include <string.h>

#include "fp_yaml.h"

/* One threshold of the file: its full dotted name and where its key is. */
typedef struct th_entry {
    char *name;
    double value;
    const fp_yaml_node *key;
} th_entry;

typedef struct th_list {
    th_entry *v;
    size_t n, cap;
} th_list;

/* The number of threshold `name` in node `v`: a plain finite number (the strict YAML parse). */
static fp_status th_value(fp_yaml_ctx *c, const char *name, const fp_yaml_node *v, double *out)
{
    if (v->kind == FP_YAML_SCALAR && v->plain && v->len > 0) {
        if (fp_yaml_parse_number(v->str, out) == 0)
            return FP_OK;
        return FP_YAML_FAIL(c, FP_EINVAL, v, "expected a finite number for '%.80s', got '%.40s'",
                            name, v->str);
    }
    return FP_YAML_FAIL(c, FP_EINVAL, v, "expected a finite number for '%.80s', got %s", name,
                        fp_yaml_kind_word(v));
}

/* Adds threshold `prefix.key` (or `key`) with the number in `v`, checked by the analysis. */
static fp_status th_add(fp_yaml_ctx *c, th_list *l, fp_thresholds *probe, const char *prefix,
                        const fp_yaml_node *key, const fp_yaml_node *v)
{
    if (key->kind != FP_YAML_SCALAR)
        return FP_YAML_FAIL(c, FP_EINVAL, key, "expected a threshold name, got %s",
                            fp_yaml_kind_word(key));
    size_t need = (prefix != NULL ? strlen(prefix) + 1 : 0) + key->len + 1;
    char *name = fp_malloc(need);
    if (name == NULL)
        return fp_yaml_fail_nomem(c);
    snprintf(name, need, "%s%s%s", prefix != NULL ? prefix : "", prefix != NULL ? "." : "",
             key->str);
    double value = 0;
    fp_error terr = FP_ERROR_INIT;
    fp_status st = th_value(c, name, v, &value);
    if (st == FP_OK && (st = fp_thresholds_set(probe, name, value, &terr)) != FP_OK)
        fp_yaml_fail_at(c, st, key->line, key->col, "%s", terr.msg);
    if (st == FP_OK && fp_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) != FP_OK)
        st = fp_yaml_fail_nomem(c);
    if (st != FP_OK) {
        fp_free(name);
        return st;
    }
    l->v[l->n].name = name;
    l->v[l->n].value = value;
    l->v[l->n].key = key;
    l->n++;
    return FP_OK;
}

/*
 * The thresholds in the tree: a mapping whose values are numbers ("slow_method.mean_s: 3") or
 * mappings of numbers, one per detector ("slow_method: {mean_s: 3}"); both forms give the same
 * dotted names, each of which may appear once.
 */
static fp_status th_collect(fp_yaml_ctx *c, const fp_yaml_node *root, th_list *l)
{
    fp_thresholds probe = FP_THRESHOLDS_INIT;
    fp_status st = FP_OK;
    if (root == NULL)
        return FP_OK; /* empty, comments only, or '---' */
    if (root->kind != FP_YAML_MAP)
        return FP_YAML_FAIL(c, FP_EINVAL, root,
                            "expected a mapping of threshold names to numbers, got %s",
                            fp_yaml_kind_word(root));
    for (size_t i = 0; st == FP_OK && i < fp_yaml_map_len(root); i++) {
        const fp_yaml_node *k = root->kids[2 * i], *v = root->kids[2 * i + 1];
        if (v->kind != FP_YAML_MAP || k->kind != FP_YAML_SCALAR) {
            st = th_add(c, l, &probe, NULL, k, v);
            continue;
        }
        for (size_t j = 0; st == FP_OK && j < fp_yaml_map_len(v); j++)
            st = th_add(c, l, &probe, k->str, v->kids[2 * j], v->kids[2 * j + 1]);
    }
    if (st != FP_OK || l->n < 2)
        return st;
    const char **names = fp_malloc(l->n * sizeof(*names));
    size_t dup;
    if (names == NULL)
        return fp_yaml_fail_nomem(c);
    for (size_t i = 0; i < l->n; i++)
        names[i] = l->v[i].name;
    st = fp_yaml_find_duplicate(names, l->n, &dup);
    fp_free(names);
    if (st != FP_OK)
        return fp_yaml_fail_nomem(c);
    if (dup != (size_t)-1)
        return FP_YAML_FAIL(c, FP_EINVAL, l->v[dup].key, "duplicate threshold '%.80s'",
                            l->v[dup].name);
    return FP_OK;
}

void fp_thresholds_overrides_free(fp_thresholds_overrides *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++)
        fp_free(o->keys[i]);
    fp_free(o->keys);
    fp_free(o->values);
    memset(o, 0, sizeof(*o));
}

fp_status fp_thresholds_load_yaml(const char *text, size_t len, const char *file,
                                  fp_thresholds_overrides *out, fp_error *err)
{
    memset(out, 0, sizeof(*out));
    if (len > FP_THRESHOLDS_FILE_MAX_BYTES)
        return fp_error_set_at(err, FP_ELIMIT, file, 0, 0, "thresholds file larger than 1 MiB");
    fp_yaml_ctx c = FP_YAML_CTX_INIT(file, err);
    fp_yaml_node *root = NULL;
    th_list l = {NULL, 0, 0};
    fp_status st =
        fp_yaml_parse(&c, text, len, "thresholds file", FP_THRESHOLDS_FILE_MAX_DEPTH, &root);
    if (st == FP_OK)
        st = th_collect(&c, root, &l);
    if (st == FP_OK && l.n > 0) {
        out->keys = fp_calloc(l.n, sizeof(char *));
        out->values = fp_calloc(l.n, sizeof(double));
        if (out->keys == NULL || out->values == NULL)
            st = fp_yaml_fail_nomem(&c);
        for (size_t i = 0; st == FP_OK && i < l.n; i++) {
            out->keys[i] = l.v[i].name; /* handed over */
            l.v[i].name = NULL;
            out->values[i] = l.v[i].value;
            out->n = i + 1;
        }
    }
    for (size_t i = 0; i < l.n; i++)
        fp_free(l.v[i].name);
    fp_free(l.v);
    fp_yaml_node_free(root);
    if (st != FP_OK)
        fp_thresholds_overrides_free(out);
    return st;
}
