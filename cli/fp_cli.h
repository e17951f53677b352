/*
 * fp_cli.h - shared pieces of the fpsim command: exit codes, diagnostics, strict number parsing,
 * scenario resolution, atomic output files and signal handling. Only cli/ prints or exits.
 */
#ifndef FP_CLI_H
#define FP_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "fp_analysis.h"
#include "fp_core.h"
#include "fp_scenario.h"

/* Exit statuses (sysexits.h values), documented in --help and the README. */
enum {
    FP_EXIT_OK = 0,
    FP_EXIT_FINDINGS = 1, /* --fail-on / --fail-below / --fail-on-regression triggered */
    FP_EXIT_USAGE = 64,
    FP_EXIT_DATA = 65,
    FP_EXIT_NOINPUT = 66,
    FP_EXIT_SOFTWARE = 70,
    FP_EXIT_CANTCREAT = 73,
    FP_EXIT_IOERR = 74,
    FP_EXIT_SIGINT = 130,
    FP_EXIT_SIGTERM = 143
};

/* Set by the SIGINT/SIGTERM handler (the handler does nothing else). */
extern volatile sig_atomic_t fp_cli_signal;

/* Installs the SIGINT/SIGTERM handlers. */
void fp_cli_install_signals(void);

/* Exit status for a pending signal (130 or 143), or 0 when none. */
int fp_cli_signal_exit(void);

/* "fpsim: MSG" on stderr, one line. */
void fp_cli_errorf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Usage error: "fpsim: MSG" and "Try 'fpsim --help'." on stderr; returns FP_EXIT_USAGE. */
int fp_cli_usage(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Prints `err` as "fpsim: FILE:LINE:COL: error: MSG (PATH)" and returns the exit status for it. */
int fp_cli_report_error(const fp_error *err);

/* Exit status for a library status (65 for bad data, 66 for missing input, ...). */
int fp_cli_exit_for(fp_status st);

/* Strict parsers: whole string, no sign for unsigned, no hex, no nan/inf. Return 0 or -1. */
int fp_cli_parse_u64(const char *s, uint64_t *out);
int fp_cli_parse_double(const char *s, double *out);

/*
 * The scenarios named on the command line. A name is a built-in ("optimal", "memory-intensive",
 * underscores accepted), "all" (every built-in in canonical order), or a path to a YAML file.
 */
typedef struct fp_cli_scenarios {
    fp_scenario **items;
    size_t n;
} fp_cli_scenarios;

/*
 * The options shared by the commands that simulate (--scenario, --runs, --seed, --rng). Each
 * returns 0, or prints the usage error and returns 64.
 */
int fp_cli_opt_scenario(char ***names, size_t *n, const char *arg);
int fp_cli_opt_runs(const char *arg, uint64_t max, uint64_t *out);
int fp_cli_opt_seed(const char *arg, uint64_t *seed, int *has_seed);
int fp_cli_opt_rng(const char *arg, const gsl_rng_type **out);

/* The batch seed of `scn`: --seed when given, else the scenario's seed:, else the default. */
uint64_t fp_cli_seed_for(int has_seed, uint64_t seed, const fp_scenario *scn);

/* The generator's name ("mt19937" for NULL, the default). */
const char *fp_cli_rng_name(const gsl_rng_type *t);

/* Loads every name in `names`; on failure prints the error and returns its exit status. */
int fp_cli_load_scenarios(fp_cli_scenarios *out, char *const *names, size_t n_names);
void fp_cli_free_scenarios(fp_cli_scenarios *s);

/* Prints the built-in scenario names, one per line. */
void fp_cli_list_builtins(FILE *out);

/*
 * Output destination: stdout ("-" or NULL path) or a file written atomically: a temp file in the
 * same directory, flushed and closed with the result checked, then renamed over the target.
 */
typedef struct fp_cli_out {
    FILE *f;
    char *path; /* NULL for stdout */
    char *tmp;  /* temp file path */
} fp_cli_out;

/* Opens the destination; on failure prints the error and returns its exit status (73). */
int fp_cli_out_open(fp_cli_out *o, const char *path);

/* Finishes: checks the stream, closes, renames. Returns 0, or prints and returns 74. */
int fp_cli_out_commit(fp_cli_out *o);

/* Abandons a file output (closes and unlinks the temp file). Safe after commit. */
void fp_cli_out_abort(fp_cli_out *o);

/*
 * Prints an error of the input reader (fp_input_open(), fp_input_next()) and returns its exit
 * status: an input that cannot be opened or read as "fpsim: FILE: cannot open: REASON" (66),
 * everything else as fp_cli_report_error() does.
 */
int fp_cli_report_input_error(const fp_error *err);

/* "low", "medium", "high", "critical" -> fp_severity value. 0, or -1 for another word. */
int fp_cli_parse_severity(const char *s, int *out);

/*
 * The --thresholds FILE overrides: a YAML mapping read by the strict YAML layer of scenarios
 * (profile/fp_yaml.h: no anchors, aliases, tags or merge keys, one document, at most 1 MiB),
 * whose values are numbers by dotted name ("slow_method.mean_s: 3") or mappings of numbers per
 * detector ("slow_method: {mean_s: 3}"); block or flow style, keys quoted or not; an empty file
 * sets nothing. Every name and value is checked against the analysis thresholds when loading
 * (unknown names get a did-you-mean; a name given twice, in either form, is an error), errors
 * located as FILE:LINE:COL.
 */
typedef struct fp_cli_thresholds {
    char **keys;
    double *values;
    size_t n;
} fp_cli_thresholds;

/* Loads `file` into `out` (zeroed first). Prints the error and returns its exit status. */
int fp_cli_load_thresholds(const char *file, fp_cli_thresholds *out);
void fp_cli_free_thresholds(fp_cli_thresholds *t);

/*
 * The thresholds for one scenario: defaults, then the scenario's analysis: section (errors
 * located in the scenario file), then the --thresholds overrides (`file` may be NULL or empty).
 * Returns 0, or prints the error and returns its exit status.
 */
int fp_cli_scenario_thresholds(const fp_scenario *scn, const fp_cli_thresholds *file,
                               fp_thresholds *out);

/* Writes `s` as a JSON string literal with the one escaper of fpsim (profile/fp_escape.h:
 * fp_json_put_string); kept for the commands that still write JSON by hand. Every other output
 * (and CSV and Markdown strings) is written by reports/. */
void fp_cli_json_str(FILE *f, const char *s);

/* Whether colour may be used on `f`: a terminal and NO_COLOR unset or empty. */
int fp_cli_use_colour(FILE *f);

/* Subcommands. argv[0] is the subcommand name. */
int fp_cmd_simulate(int argc, char **argv);
int fp_cmd_report(int argc, char **argv);
int fp_cmd_compare(int argc, char **argv);
int fp_cmd_generate(int argc, char **argv);
int fp_cmd_analyze(int argc, char **argv);
int fp_cmd_validate(int argc, char **argv);

#endif
