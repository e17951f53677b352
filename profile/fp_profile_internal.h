/*
 * fp_profile_internal.h - private helpers shared by the profile module's sources (the model, its
 * JSON form and the trace formats).
 * Never included outside profile/.
 */
#ifndef FP_PROFILE_INTERNAL_H
#define FP_PROFILE_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "fp_profile.h"

/* Column order of a span, shared by the checker's messages and the JSON "fields" list. */
enum {
    FP_SPAN_METHOD = 0,
    FP_SPAN_PARENT,
    FP_SPAN_TRACK,
    FP_SPAN_START_S,
    FP_SPAN_DUR_S,
    FP_SPAN_CPU_PCT,
    FP_SPAN_MEM_ALLOC_MB,
    FP_SPAN_MEM_RETAINED_MB,
    FP_SPAN_IO_OPS,
    FP_SPAN_IO_BYTES,
    FP_SPAN_NFIELDS
};

/* Field names in column order ("method", "parent", ..., "io_bytes"). */
extern const char *const fp_span_field_names[FP_SPAN_NFIELDS];

/* Tolerance of the "child inside parent" invariant, seconds. */
#define FP_SPAN_NEST_TOL 1e-9

/*
 * Checks every invariant of span `i` that involves only spans 0..i (all earlier spans are
 * assumed valid). On a violation returns the offending column (FP_SPAN_*) and writes a message
 * without location ("dur_s must be >= 0, got -1") into msg[size]; returns -1 when span i is valid.
 */
int fp_profile_check_span(const fp_profile *p, size_t i, char *msg, size_t size);

/* Number of methods the table holds before lookups switch from a linear scan to a hash. */
#define FP_METHOD_LINEAR_MAX 64

/* Limits of the guarded JSON parse. */
#define FP_JSON_GUARD_MAX_DEPTH 64
#define FP_JSON_GUARD_MAX_BYTES ((size_t)1 << 30)

struct cJSON;

/*
 * Parses `text` (`len` bytes, need not be NUL-terminated) into a new cJSON tree (*out, free with
 * cJSON_Delete). Before cJSON sees it: more than FP_JSON_GUARD_MAX_BYTES is FP_ELIMIT ("WHAT
 * larger than 1 GiB"), a NUL byte FP_EPARSE and nesting deeper than FP_JSON_GUARD_MAX_DEPTH
 * FP_ELIMIT, both located; then malformed JSON or trailing garbage is FP_EPARSE at the byte where
 * cJSON stopped. `what` names the input kind in messages ("profile JSON", "trace").
 */
fp_status fp_json_parse_guarded(const char *text, size_t len, const char *file, const char *what,
                                fp_error *err, struct cJSON **out);

/*
 * The profile JSON reader on a tree parsed once (fp_profile_json.c), for the input reader
 * (fp_input.c). fp_profile_json_locate() finds the runs of `root`: a runs document sets *runs to
 * its "runs" array (borrowed from `root`) and *count to its length; a single profile sets *runs
 * to NULL and *count to 1. fp_profile_json_read_node() reads the profile object `obj` into `out`
 * (reset first; left empty on error); `in_runs` non-zero prefixes key paths with "runs[RUN]."
 * as fp_profile_read_json() does. Errors as fp_profile_read_json(), `file` naming the input.
 */
fp_status fp_profile_json_locate(const struct cJSON *root, const char *file,
                                 const struct cJSON **runs, size_t *count, fp_error *err);
fp_status fp_profile_json_read_node(fp_profile *out, const struct cJSON *obj, size_t run,
                                    int in_runs, const char *file, fp_error *err);

/*
 * Reads the rest of `f` into a new NUL-terminated buffer (*out, fp_free; *len bytes); `path`
 * names it in errors: FP_ELIMIT "input larger than N bytes" past FP_JSON_GUARD_MAX_BYTES,
 * FP_ENOENT "cannot read: ...", FP_ENOMEM. Does not close `f` (fp_input.c).
 */
fp_status fp_read_stream(FILE *f, const char *path, char **out, size_t *len, fp_error *err);

#endif /* FP_PROFILE_INTERNAL_H */
