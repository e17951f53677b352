/*
 * fp_profile_internal.h - private helpers shared by the profile module's sources (the model, its
 * JSON form, the trace formats and the call-stack builder of the sampled formats).
 * Never included outside profile/.
 */
#ifndef FP_PROFILE_INTERNAL_H
#define FP_PROFILE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
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

/* ---- call stacks into spans (fp_stacks.c) ----
 *
 * For the readers of sampled formats (V8 .cpuprofile, speedscope, folded stacks) and the
 * manifest reader. The conversion: a stack holds at time t until the next stack (or the end).
 * Consecutive stacks that share a prefix share its spans: when the stack changes at time t, the
 * frames above the common prefix are closed at t and the new frames opened at t. So a function
 * sampled N times in a row is one span per frame lasting those N samples, and the spans are
 * nested (each inside its caller's) and appended in pre-order, as fp_profile.h requires.
 *
 * Ownership: fp_stacks_new() hands over a builder (free with fp_stacks_free(); NULL is a no-op)
 * that borrows `p` until it is freed; spans are appended to `p` as frames open, and their
 * durations set as they close.
 */

typedef struct fp_stacks fp_stacks;

/* New builder appending spans on `track` of `p`. FP_OK or FP_ENOMEM. */
fp_status fp_stacks_new(fp_stacks **out, fp_profile *p, uint32_t track, fp_error *err);

/*
 * The stack `frames` (method indices, outermost first, `depth` of them; depth 0 = idle) holds
 * from `t_s` on. `t_s` must not be earlier than the previous call's (the caller clamps).
 * FP_OK or FP_ENOMEM.
 */
fp_status fp_stacks_at(fp_stacks *b, const uint32_t *frames, size_t depth, double t_s,
                       fp_error *err);

/* Closes every open frame at `t_s` (>= the last time given). */
void fp_stacks_end(fp_stacks *b, double t_s);

void fp_stacks_free(fp_stacks *b);

/*
 * The run name of a file whose format has none: its base name up to the first '.'
 * ("prof/app.cpuprofile.gz" -> "app"), "stdin" for "-" or NULL; truncated to `size` - 1 bytes.
 */
void fp_stacks_file_stem(const char *file, char *buf, size_t size);

/* Sets `p`'s metadata for a converted real profile: scenario = the file's stem (above), seed 0,
 * not simulated, `source` as given. FP_OK or FP_ENOMEM. */
fp_status fp_stacks_set_meta(fp_profile *p, const char *file, const char *source, fp_error *err);

/*
 * Copies `src` (methods, metadata, spans) into the empty `dst`, ordering the top-level call trees
 * of all tracks by start (then track, then position), as the profile's pre-order requires when
 * tracks were built one after the other. FP_OK or FP_ENOMEM.
 */
fp_status fp_stacks_merge_tracks(fp_profile *dst, const fp_profile *src, fp_error *err);

/* Shared by the JSON readers of sampled formats (fp_cpuprofile.c, fp_speedscope_read.c). */

/* Sets `err` to `st` with `file`, no line, the message and the key path `path`. Returns `st`.
 * Also the generate-index reader's error (fp_input.c). */
fp_status fp_stacks_fail(fp_error *err, fp_status st, const char *file, const char *path,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* "a string", "an array", ... for messages ("expected a number, got a string"). */
const char *fp_stacks_json_type(const struct cJSON *it);

#endif /* FP_PROFILE_INTERNAL_H */
