/*
 * fp_scenario.h - loading and validating scenario files (docs/scenario-format.md).
 *
 * A scenario declares a flow's methods (calls, per-call duration, CPU, memory and I/O as
 * distributions, callees), the process (baseline memory, idle CPU, measurement noise, sampling
 * interval), the bottlenecks to inject, and optional analysis threshold overrides.
 *
 * Loading is strict: every problem is reported as FP_EPARSE / FP_EINVAL / FP_ELIMIT with the
 * file, 1-based line and column and key path of the offending node in the fp_error, and nothing
 * is returned. The loader uses libyaml's event API (never the document loader), rejects aliases,
 * anchors, tags, duplicate keys, unknown keys (with a did-you-mean suggestion), nesting deeper
 * than FP_SCENARIO_MAX_DEPTH and files larger than FP_SCENARIO_MAX_BYTES.
 *
 * Ownership: fp_scenario_load_* return a new scenario; free it with fp_scenario_free(). A loaded
 * scenario is immutable and may be shared by several threads.
 */
#ifndef FP_SCENARIO_H
#define FP_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "fp_core.h"

#define FP_SCENARIO_MAX_BYTES (1024 * 1024)
#define FP_SCENARIO_MAX_DEPTH 16
#define FP_SCENARIO_MAX_METHODS 1024
#define FP_SCENARIO_MAX_BOTTLENECKS 256
#define FP_SCENARIO_MAX_CALLEES 64
/* Longest method name a scenario may declare, in bytes (without the NUL). */
#define FP_SCENARIO_MAX_NAME 128
/*
 * Largest magnitude of any number in a scenario (values, distribution parameters, choice
 * values): products of a few of them (calls x duration x magnitude x bytes ...) stay far below
 * DBL_MAX, so no simulated or analysed total can overflow. Larger numbers are a load error.
 */
#define FP_SCENARIO_MAX_NUMBER 1e12

typedef struct fp_scenario fp_scenario;

/*
 * Loads a scenario from YAML text (`len` bytes; need not be NUL-terminated). `file` is the name
 * used in error messages (e.g. the path, or "<builtin:optimal>"). On success stores a new
 * scenario in *out. Returns FP_OK, FP_EPARSE (YAML syntax), FP_EINVAL (schema), FP_ELIMIT or
 * FP_ENOMEM; `err` then holds the location and message.
 */
fp_status fp_scenario_load_string(fp_scenario **out, const char *text, size_t len, const char *file,
                                  fp_error *err);

/*
 * Loads a scenario file. FP_ENOENT when it cannot be opened or is a directory, FP_ELIMIT when it
 * is larger than FP_SCENARIO_MAX_BYTES, FP_EIO on a read error, else as fp_scenario_load_string.
 */
fp_status fp_scenario_load_file(fp_scenario **out, const char *path, fp_error *err);

/* Frees `s`. NULL is a no-op. */
void fp_scenario_free(fp_scenario *s);

/* The scenario's `name` (borrowed). */
const char *fp_scenario_name(const fp_scenario *s);

/* The scenario's `description` (borrowed; "" when absent). */
const char *fp_scenario_description(const fp_scenario *s);

/* Whether the file sets `seed:`, and its value. */
int fp_scenario_has_seed(const fp_scenario *s, uint64_t *seed);

/* Number of methods and their names (borrowed), in declaration order. */
size_t fp_scenario_method_count(const fp_scenario *s);
const char *fp_scenario_method_name(const fp_scenario *s, size_t i);

/* Number of bottlenecks declared. */
size_t fp_scenario_bottleneck_count(const fp_scenario *s);

/*
 * Analysis threshold overrides from the scenario's `analysis:` mapping, in file order: key i,
 * its value, and where it was written (for error messages when the analysis rejects a key).
 * The loader checks only that values are finite numbers; the analysis module owns the names.
 */
size_t fp_scenario_analysis_count(const fp_scenario *s);
const char *fp_scenario_analysis_key(const fp_scenario *s, size_t i, double *value,
                                     unsigned long *line, unsigned long *col);

/* The file name given at load time (borrowed). */
const char *fp_scenario_file(const fp_scenario *s);

#endif /* FP_SCENARIO_H */
