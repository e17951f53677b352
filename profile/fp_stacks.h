/*
 * fp_stacks.h - turns a sequence of call stacks (sampled or evented) into nested spans, for the
 * readers of sampled formats (V8 .cpuprofile, speedscope, folded stacks).
 *
 * The conversion: a stack holds at time t until the next stack (or the end). Consecutive stacks
 * that share a prefix share its spans: when the stack changes at time t, the frames above the
 * common prefix are closed at t and the new frames opened at t. So a function sampled N times in
 * a row is one span per frame lasting those N samples, and the spans are nested (each inside its
 * caller's) and appended in pre-order, as fp_profile.h requires.
 *
 * Ownership: fp_stacks_new() hands over a builder (free with fp_stacks_free(); NULL is a no-op)
 * that borrows `p` until it is freed; spans are appended to `p` as frames open, and their
 * durations set as they close. Internal to profile/ (not installed).
 */
#ifndef FP_STACKS_H
#define FP_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "fp_core.h"
#include "fp_profile.h"

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

/* ---- shared by the JSON readers of sampled formats (fp_cpuprofile.c, fp_speedscope_read.c) ----
 */

struct cJSON;

/* Sets `err` to `st` with `file`, no line, the message and the key path `path`. Returns `st`. */
fp_status fp_stacks_fail(fp_error *err, fp_status st, const char *file, const char *path,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* "a string", "an array", ... for messages ("expected a number, got a string"). */
const char *fp_stacks_json_type(const struct cJSON *it);

#endif /* FP_STACKS_H */
