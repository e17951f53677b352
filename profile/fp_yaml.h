/*
 * fp_yaml.h - the strict YAML layer every YAML input of fpsim goes through (scenarios in sim/,
 * the --thresholds file in cli/): libyaml's event API feeds a small node tree, and helpers check
 * that tree's values with errors located as FILE:LINE:COL plus the key path.
 *
 * What the tree never holds (rejected while streaming, each with its location): anchors, aliases,
 * tags, merge keys (`<<`), more than one document, NUL characters, nesting deeper than the
 * caller's limit, UTF-16 input. libyaml's own syntax errors carry its problem and, when it gives
 * one, its context mark ("did not find expected key (while parsing a block mapping at 3:1)").
 * Because the tree is never deeper than the limit, validators may recurse over it.
 *
 * Why a public header in profile/: profile/ is the layer that owns input formats, and both the
 * scenario loader (sim/) and the CLI's thresholds loader use the same code, so that every YAML
 * file fpsim reads is held to the same rules and gives the same messages.
 *
 * Ownership: fp_yaml_parse() hands over a new tree (free with fp_yaml_node_free(); NULL is a
 * no-op). Nodes, their strings and their children are owned by the tree; every other function
 * borrows. The context (fp_yaml_ctx) is a caller-owned plain value; its `err` is the caller's.
 * All allocation goes through fp_malloc & co. (libyaml's own buffers do not).
 */
#ifndef FP_YAML_H
#define FP_YAML_H

#include <stddef.h>

#include "fp_core.h"

/* Largest nesting limit fp_yaml_parse() accepts (the parser's stack is this deep). */
#define FP_YAML_MAX_DEPTH 64

typedef enum fp_yaml_kind { FP_YAML_SCALAR, FP_YAML_MAP, FP_YAML_SEQ } fp_yaml_kind;

/*
 * One YAML node. A mapping stores keys and values alternately in kids (kids[2i] is key i,
 * kids[2i+1] its value); a sequence stores its items. A scalar owns `str` (NUL-terminated,
 * never containing a NUL byte: those are rejected) and remembers whether it was plain (unquoted),
 * which is what tells numbers from strings. Marks are 1-based. Read-only for users of the tree.
 */
typedef struct fp_yaml_node {
    fp_yaml_kind kind;
    int plain;
    unsigned long line, col;
    char *str;
    size_t len;
    struct fp_yaml_node **kids;
    size_t n, cap;
} fp_yaml_node;

/*
 * Validation context: the file named in errors, the error sink (may be NULL) and the key path of
 * the node being checked ("methods[2].duration_s"), grown with fp_yaml_path_key() /
 * fp_yaml_path_index() and cut back with fp_yaml_path_pop(). Initialise with
 * FP_YAML_CTX_INIT(file, err).
 */
typedef struct fp_yaml_ctx {
    const char *file;
    fp_error *err;
    char path[FP_ERROR_PATH_MAX];
    size_t plen;
} fp_yaml_ctx;

#define FP_YAML_CTX_INIT(file, err)                                                                \
    {                                                                                              \
        (file), (err), "", 0                                                                       \
    }

/*
 * Parses `text` (`len` bytes, need not be NUL-terminated; a UTF-8 BOM is skipped) into a tree.
 * *root is NULL when the stream holds no document or a document with an empty (null) root.
 * Depth counts collections (the root mapping is depth 1); a collection deeper than `max_depth`
 * (at most FP_YAML_MAX_DEPTH) is FP_ELIMIT "nesting deeper than N". `what` names the input in
 * the UTF-16 message ("scenario must be UTF-8 (found a UTF-16 byte order mark)").
 * FP_OK; FP_EPARSE (libyaml syntax or reader error, invalid UTF-8 reported as "at byte N");
 * FP_EINVAL (anchor, alias, tag, merge key, second document, NUL); FP_ELIMIT; FP_ENOMEM.
 */
fp_status fp_yaml_parse(fp_yaml_ctx *c, const char *text, size_t len, const char *what,
                        size_t max_depth, fp_yaml_node **root);

/* Frees a tree. NULL is a no-op. */
void fp_yaml_node_free(fp_yaml_node *n);

/* ---- errors and key paths ---- */

/* Records `st` at line:col of c->file with the current key path; returns `st`. */
fp_status fp_yaml_fail_at(fp_yaml_ctx *c, fp_status st, unsigned long line, unsigned long col,
                          const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* fp_yaml_fail_at() at node `nd`'s mark. */
#define FP_YAML_FAIL(c, st, nd, ...) fp_yaml_fail_at((c), (st), (nd)->line, (nd)->col, __VA_ARGS__)

/* Records "out of memory" (FP_ENOMEM, no location) and returns FP_ENOMEM. */
fp_status fp_yaml_fail_nomem(fp_yaml_ctx *c);

/* Appends ".key" (or "key" at the root) / "[i]" to the key path; return the old length. */
size_t fp_yaml_path_key(fp_yaml_ctx *c, const char *key);
size_t fp_yaml_path_index(fp_yaml_ctx *c, size_t i);

/* Cuts the key path back to length `old`. */
void fp_yaml_path_pop(fp_yaml_ctx *c, size_t old);

/* ---- values ---- */

/* Number of key/value pairs of a mapping. */
size_t fp_yaml_map_len(const fp_yaml_node *m);

/* Whether `n` is the empty plain scalar (a missing value: `key:`). */
int fp_yaml_is_null(const fp_yaml_node *n);

/*
 * Strict number parse of a plain scalar's text: decimal digits, sign, '.', exponent only (no
 * hex, underscores or spaces). Returns 0 ok (*out set), 1 invalid, 2 not finite (nan, .inf,
 * Infinity, ...), 3 overflow.
 */
int fp_yaml_parse_number(const char *s, double *out);

/* "a mapping", "a sequence", "an empty value", "a number" or "a string" (static). */
const char *fp_yaml_kind_word(const fp_yaml_node *n);

/* A plain finite number; else FP_EINVAL "expected a number, got a string" and the like. */
fp_status fp_yaml_get_number(fp_yaml_ctx *c, const fp_yaml_node *n, double *out);

/* A plain number within [lo, hi] (hi may be INFINITY); `what` names it in the message. */
fp_status fp_yaml_get_number_in(fp_yaml_ctx *c, const fp_yaml_node *n, const char *what, double lo,
                                double hi, double *out);

/* Any scalar but an empty plain one; *out borrowed from the tree. */
fp_status fp_yaml_get_string(fp_yaml_ctx *c, const fp_yaml_node *n, const char **out);

/* Plain true or false. */
fp_status fp_yaml_get_bool(fp_yaml_ctx *c, const fp_yaml_node *n, int *out);

/* FP_OK when `n` is of kind `k` (a mapping or a sequence), else "expected a mapping, got ...". */
fp_status fp_yaml_expect_kind(fp_yaml_ctx *c, const fp_yaml_node *n, fp_yaml_kind k);

/* ---- mappings ---- */

#define FP_YAML_MAX_FIELDS 16

/*
 * The keys of one schema mapping, looked up by position in the schema's name list: val[i] is
 * the value of key names[i] (NULL when absent), key[i] the key node, pos[i] its pair index.
 */
typedef struct fp_yaml_fields {
    const fp_yaml_node *val[FP_YAML_MAX_FIELDS];
    const fp_yaml_node *key[FP_YAML_MAX_FIELDS];
    size_t pos[FP_YAML_MAX_FIELDS];
} fp_yaml_fields;

/*
 * Checks `m` (a mapping) against the key names (at most FP_YAML_MAX_FIELDS): every key a
 * string, known (else "unknown key 'x' (did you mean 'y'?)") and not repeated ("duplicate key
 * 'x'" at the second occurrence). Work is bounded by the number of names.
 */
fp_status fp_yaml_map_fields(fp_yaml_ctx *c, const fp_yaml_node *m, const char *const *names,
                             size_t n_names, fp_yaml_fields *f);

/* FP_EINVAL "missing required key 'KEY'" at mapping `m`. */
fp_status fp_yaml_missing(fp_yaml_ctx *c, const fp_yaml_node *m, const char *key);

/*
 * The first (in order) string of `strs` equal to an earlier one, found by sorting (n log n):
 * *dup = its index, or (size_t)-1. FP_OK or FP_ENOMEM (nothing recorded).
 */
fp_status fp_yaml_find_duplicate(const char *const *strs, size_t n, size_t *dup);

/* Checks that the keys of free-form mapping `m` are scalars and unique (n log n). */
fp_status fp_yaml_check_keys_unique(fp_yaml_ctx *c, const fp_yaml_node *m);

#endif /* FP_YAML_H */
