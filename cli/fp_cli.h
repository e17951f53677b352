/*
 * fp_cli.h - shared pieces of the fpsim command: exit codes, diagnostics, strict number parsing,
 * the common-options parser, scenario resolution, atomic output files, signal handling
 * (cli/fp_cli_common.c) and the steps the commands share between parsing and writing
 * (cli/fp_cli_run.c). Only cli/ prints or exits.
 */
#ifndef FP_CLI_H
#define FP_CLI_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "fp_analysis.h"
#include "fp_core.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_progress.h"
#include "fp_report.h"
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

/*
 * Set by the SIGINT/SIGTERM handler (the handler does nothing else). A lock-free C11 atomic, so
 * the handler may store it and validate's worker threads (its cancel callback) may read it.
 */
extern atomic_int fp_cli_signal;

/*
 * Installs the signal handlers (docs/reliability.md): SIGINT/SIGTERM set fp_cli_signal (a second
 * one removes temp files and ends the process); SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2 and
 * SIGALRM remove the uncommitted temp files and end it by the signal; SIGXFSZ is ignored. None
 * uses SA_RESTART, so blocking reads and writes return EINTR. Records the umask.
 */
void fp_cli_install_signals(void);

/* Opens /dev/null on each of fd 0, 1, 2 that is closed (call first in main). An output to a
 * standard output that was closed still fails at the commit (74). */
void fp_cli_std_fds(void);

/*
 * Marks the start (on != 0) and end (on == 0) of a read the library cannot interrupt (a whole JSON
 * document parsed by cJSON) and during which fpsim writes nothing: a SIGINT/SIGTERM then ends the
 * process at once ("fpsim: interrupted", temp files removed, 130/143) instead of after the parse.
 * A signal already pending when it starts ends the process there. Main thread only; no nesting.
 */
void fp_cli_unpolled(int on);

/* A cancel callback for the library (ctx unused): nonzero when a SIGINT/SIGTERM is pending. */
int fp_cli_cancel_cb(void *ctx);

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

/* "fpsim: out of memory" on stderr; returns FP_EXIT_SOFTWARE (70). */
int fp_cli_nomem(void);

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

/* The batch seed of `scn`: --seed when given, else the scenario's seed:, else the default. */
uint64_t fp_cli_seed_for(int has_seed, uint64_t seed, const fp_scenario *scn);

/* The generator's name ("mt19937" for NULL, the default). */
const char *fp_cli_rng_name(const gsl_rng_type *t);

/*
 * ---- The common-options parser ----
 *
 * Every command parses its argv with fp_cli_parse(). It declares which common options it takes
 * (a mask of FP_CLI_O_*; -h/--help is always taken) and adds its own options as a table of
 * fp_cli_option handled by a callback, so a common option is spelled, checked and worded the same
 * in every command. Parsing is getopt_long (abbreviations of long options accepted, options and
 * arguments in any order, "--" ends the options); the first bad option wins:
 *   unknown option '--x' | option '--x' needs an argument | unexpected argument 'x'
 * each printed with fp_cli_usage() (exit 64), as are the common options' own value errors.
 *
 * Every command uses it (cli/fp_cli_report.c is the simplest; fp_cli_validate.c has the most
 * own options; fp_cli_compare.c takes positional arguments and its own --scenario):
 *   static const fp_cli_option opts[] = {{"jobs", 'j', 1, OPT_JOBS}, {NULL, 0, 0, 0}};
 *   fp_cli_spec spec = {s_help, FP_CMD_VALIDATE_OPTS, 0, opts, on_option, NULL, 0, &o};
 *   fp_cli_common c; fp_cli_common_init(&c); c.runs = 100;      (defaults before parsing)
 *   int rc = fp_cli_parse(&c, &spec, argc, argv);   -1: --help printed (exit 0); >0: exit status
 *   ... fp_cli_common_cleanup(&c);
 * A command whose rule for a common option differs (compare takes exactly two --scenario) leaves
 * it out of its mask and declares an fp_cli_option of the same name instead.
 */
enum {
    FP_CLI_O_SCENARIO = 1u << 0,   /* -s, --scenario NAME|FILE|all, repeatable */
    FP_CLI_O_RUNS = 1u << 1,       /* -n, --runs N, in [1, max_runs] */
    FP_CLI_O_SEED = 1u << 2,       /* --seed N, in [0, 2^64-1] */
    FP_CLI_O_RNG = 1u << 3,        /* --rng NAME, a GSL generator */
    FP_CLI_O_FORMAT = 1u << 4,     /* -f, --format FMT (the command's names; see fp_cli_spec) */
    FP_CLI_O_OUTPUT = 1u << 5,     /* -o, --output FILE */
    FP_CLI_O_FAIL_ON = 1u << 6,    /* --fail-on low|medium|high|critical */
    FP_CLI_O_THRESHOLDS = 1u << 7, /* --thresholds FILE (not read while parsing) */
    FP_CLI_O_DETAILED = 1u << 8,   /* -d, --detailed */
    FP_CLI_O_BASELINE = 1u << 9,   /* --baseline FILE|auto|none (not read while parsing) */
    FP_CLI_O_SET = 1u << 10,       /* --set KEY=NUMBER, repeatable, checked while parsing */
    FP_CLI_O_SHARD = 1u << 11,     /* --shard K/N, 0 <= K < N (docs/validation.md) */
    FP_CLI_O_SUMMARY = 1u << 12    /* --summary FILE (Markdown for CI pages, appended) */
};

/* The options of the commands that simulate scenarios. */
#define FP_CLI_O_SIMULATING (FP_CLI_O_SCENARIO | FP_CLI_O_RUNS | FP_CLI_O_SEED | FP_CLI_O_RNG)

/*
 * The common options each command takes, one mask per command, passed by its parser to
 * fp_cli_parse() (fp_cli_spec), so they are written once. compare's --scenario is its own option
 * (exactly two), so FP_CMD_COMPARE_OPTS leaves FP_CLI_O_SCENARIO out.
 */
#define FP_CMD_REPORT_OPTS                                                                         \
    (FP_CLI_O_SIMULATING | FP_CLI_O_FORMAT | FP_CLI_O_OUTPUT | FP_CLI_O_FAIL_ON |                  \
     FP_CLI_O_THRESHOLDS | FP_CLI_O_DETAILED | FP_CLI_O_BASELINE | FP_CLI_O_SET |                  \
     FP_CLI_O_SUMMARY | FP_CLI_O_SHARD)
#define FP_CMD_SIMULATE_OPTS                                                                       \
    (FP_CLI_O_SIMULATING | FP_CLI_O_FORMAT | FP_CLI_O_OUTPUT | FP_CLI_O_SHARD)
#define FP_CMD_GENERATE_OPTS (FP_CLI_O_SIMULATING | FP_CLI_O_SHARD)
#define FP_CMD_ANALYZE_OPTS                                                                        \
    (FP_CLI_O_FORMAT | FP_CLI_O_OUTPUT | FP_CLI_O_FAIL_ON | FP_CLI_O_THRESHOLDS |                  \
     FP_CLI_O_DETAILED | FP_CLI_O_BASELINE | FP_CLI_O_SET | FP_CLI_O_SUMMARY)
#define FP_CMD_COMPARE_OPTS                                                                        \
    (FP_CLI_O_RUNS | FP_CLI_O_SEED | FP_CLI_O_RNG | FP_CLI_O_FORMAT | FP_CLI_O_OUTPUT |            \
     FP_CLI_O_SUMMARY)
#define FP_CMD_VALIDATE_OPTS                                                                       \
    (FP_CLI_O_SIMULATING | FP_CLI_O_FORMAT | FP_CLI_O_OUTPUT | FP_CLI_O_BASELINE | FP_CLI_O_SET |  \
     FP_CLI_O_SHARD | FP_CLI_O_SUMMARY)
#define FP_CMD_MERGE_OPTS (FP_CLI_O_FORMAT | FP_CLI_O_OUTPUT)
#define FP_CMD_SCENARIOS_OPTS 0u
#define FP_CMD_RECORD_OPTS FP_CMD_ANALYZE_OPTS
#define FP_CMD_BASELINE_OPTS (FP_CLI_O_SIMULATING | FP_CLI_O_OUTPUT | FP_CLI_O_SET)
#define FP_CMD_THRESHOLDS_OPTS 0u

/* Default upper bound of --runs. */
#define FP_CLI_MAX_RUNS UINT64_C(100000000)

/*
 * The values of the common options. Strings are borrowed from argv; the `scenarios` array is
 * owned (free with fp_cli_common_cleanup()). Set defaults after fp_cli_common_init() and before
 * fp_cli_parse(); an option given twice keeps the last value (--scenario accumulates).
 */
typedef struct fp_cli_common {
    char **scenarios; /* --scenario values in order */
    size_t n_scenarios;
    uint64_t runs; /* --runs (default 1); has_runs: given */
    int has_runs;
    uint64_t seed; /* --seed; has_seed: given */
    int has_seed;
    const gsl_rng_type *rng;        /* --rng; NULL: the default (mt19937) */
    const char *format;             /* --format as given, or NULL */
    fp_report_format report_format; /* --format as a report format (default text) when the
                                       spec has no format hook */
    const char *output;             /* --output, or NULL: standard output */
    const char *thresholds;         /* --thresholds FILE, or NULL */
    int fail_on;                    /* --fail-on as an fp_severity, or -1 (default: off) */
    int detailed;                   /* --detailed given */
    const char *summary;            /* --summary FILE, or NULL ($GITHUB_STEP_SUMMARY applies) */
    const char *baseline;           /* --baseline as given ("auto", "none", a file), or NULL */
    char **set_keys;                /* --set keys (owned array of argv strings cut at '=') */
    double *set_values;             /* and their values; n_sets of each */
    size_t n_sets;
    uint64_t shard_k, shard_n; /* --shard K/N; shard_n 0: not given */
    char **args;               /* positional arguments (spec.positional), into argv */
    size_t n_args;
} fp_cli_common;

/* Sets the defaults above (zero, runs 1, fail_on -1, text). */
void fp_cli_common_init(fp_cli_common *c);

/* Frees what fp_cli_parse() allocated; `c` is then as after fp_cli_common_init(). */
void fp_cli_common_cleanup(fp_cli_common *c);

/* A command-specific option. The table ends with an entry whose name is NULL. */
typedef struct fp_cli_option {
    const char *name; /* long name without "--" */
    int short_name;   /* one-letter name ('j'), or 0 for none; not a taken common option's */
    int has_arg;      /* 1: takes a value; 0: a flag */
    int id;           /* passed to on_option */
} fp_cli_option;

/* How a command parses its argv. Plain value, filled by the command (all fields read-only). */
typedef struct fp_cli_spec {
    const char *help;             /* printed to standard output for -h/--help */
    unsigned common;              /* FP_CLI_O_* mask: the common options taken (FP_CMD_*_OPTS) */
    uint64_t max_runs;            /* upper bound of --runs; 0: FP_CLI_MAX_RUNS */
    const fp_cli_option *options; /* the command's own options, or NULL */
    /* Called for each of the command's own options in command-line order, `arg` NULL for a
     * flag, else the argv string (the command may keep it, or edit it in place). Returns 0, or
     * a usage error's exit status (from fp_cli_usage()). */
    int (*on_option)(void *ctx, int id, char *arg);
    /* Checks and stores --format (NULL: the report formats text, json, markdown (md), csv into
     * report_format). Returns 0 or a usage error's exit status, like on_option. */
    int (*on_format)(void *ctx, const char *arg);
    int positional; /* 1: positional arguments go to args; 0: they are a usage error */
    void *ctx;      /* passed to the hooks */
} fp_cli_spec;

/*
 * Parses argv (argv[0] is the command's name) into `c` as `spec` says. Returns 0; -1 when
 * --help was printed (the command then exits 0); or, after printing a usage error, its exit
 * status (64). Checks that need every option (a required --scenario) are the command's.
 */
int fp_cli_parse(fp_cli_common *c, const fp_cli_spec *spec, int argc, char **argv);

/* Loads every name in `names` (none: every built-in, as "all"); on failure prints the error and
 * returns its exit status. */
int fp_cli_load_scenarios(fp_cli_scenarios *out, char *const *names, size_t n_names);
void fp_cli_free_scenarios(fp_cli_scenarios *s);

/* Prints the built-in scenario names, one per line. */
void fp_cli_list_builtins(FILE *out);

/* Prints "NAME  DESCRIPTION" per built-in (its description: key), names aligned. Returns 0, or
 * prints the error and returns its exit status. */
int fp_cli_describe_builtins(FILE *out);

/* Prints the YAML text of built-in `name` (underscores accepted), byte for byte. Returns 0, or a
 * usage error (64) with a did-you-mean for an unknown name. */
int fp_cli_show_builtin(FILE *out, const char *name);

/*
 * Output destination: stdout ("-" or NULL path); a device, FIFO, or any path under /dev or /proc
 * (also through a symlink), opened and written in place, never replaced; or a regular file
 * (through a symlink: its target) written atomically: an unnamed O_TMPFILE file in the target's
 * directory linked in and renamed over the target at the commit, or where O_TMPFILE is not
 * supported a temp file DIR/.NAME.XXXXXX that the signal handlers remove. New files get mode
 * 0666 less the umask. All-zero is a valid "not opened" value.
 */
typedef struct fp_cli_out {
    FILE *f;
    char *path;   /* NULL for stdout; the file written or replaced */
    char *tmp;    /* the fallback temp file's path, or NULL */
    int anon;     /* 1: f is an unnamed O_TMPFILE file */
    int slot;     /* the fallback temp file's entry in the handlers' table + 1, or 0 */
    int in_place; /* 1: a device, FIFO or system path written in place */
} fp_cli_out;

/*
 * Whether output `out` would replace input (or other output) `in`: both exist and are the same
 * file by device and inode, or neither exists and both resolve to the same parent directory and
 * name. "-", NULL, devices and /dev, /proc paths are never the same file (written in place).
 * fp_cli_parse() checks --output against the --scenario files and --thresholds; commands check
 * their own inputs and outputs (analyze FILEs, compare BASE/NEW and --folded-diff).
 */
int fp_cli_same_file(const char *out, const char *in);

/* Opens the destination; on failure prints the error and returns its exit status (73). */
int fp_cli_out_open(fp_cli_out *o, const char *path);

/* Finishes: checks the stream, links or renames, closes. Returns 0; or with a SIGINT/SIGTERM
 * pending, commits nothing, prints "interrupted" and returns 130/143; or prints and returns 74. */
int fp_cli_out_commit(fp_cli_out *o);

/* Abandons a file output (closes and unlinks the temp file). A no-op after a commit, and on an
 * fp_cli_out zeroed or never opened, so a command may call it on every exit path. */
void fp_cli_out_abort(fp_cli_out *o);

/*
 * Prints an error of the input reader (fp_input_open(), fp_input_next()) and returns its exit
 * status: an input that cannot be opened or read as "fpsim: FILE: cannot open: REASON" (66),
 * everything else as fp_cli_report_error() does.
 */
int fp_cli_report_input_error(const fp_error *err);

/*
 * The --thresholds FILE overrides: a YAML mapping read by the strict YAML layer of scenarios
 * (profile/fp_yaml.h: no anchors, aliases, tags or merge keys, one document, at most 1 MiB),
 * whose values are numbers by dotted name ("slow_method.mean_s: 3") or mappings of numbers per
 * detector ("slow_method: {mean_s: 3}"); block or flow style, keys quoted or not; an empty file
 * sets nothing. Every name and value is checked against the analysis thresholds when loading
 * (unknown names get a did-you-mean; a name given twice, in either form, is an error), errors
 * located as FILE:LINE:COL.
 */
typedef fp_thresholds_overrides fp_cli_thresholds; /* read by fp_thresholds_load_yaml() */

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

/*
 * The thresholds for one scenario (or for files: `scn` NULL) with the command's --set values
 * applied last (after the scenario's analysis: and --thresholds). Returns 0, or prints the error
 * and returns its exit status.
 */
int fp_cli_thresholds_for(const fp_cli_common *c, const fp_scenario *scn,
                          const fp_cli_thresholds *file, fp_thresholds *out);

/*
 * The baseline of --baseline (c->baseline; NULL means `def`, "auto" or "none"): "none" gives
 * *out NULL; "auto" learns from FP_BASELINE_AUTO_RUNS clean runs of `scn` on the independent
 * seed stream of `seed` (fp_validate_learn_baseline(); "auto" without a scenario is a usage
 * error); else the file is read (fp_baseline_read_json()). *out is owned by the caller (free
 * with fp_baseline_free()). Returns 0, or prints the error and returns its exit status.
 */
struct fp_baseline;
int fp_cli_baseline_for(const fp_cli_common *c, const char *def, const fp_scenario *scn,
                        uint64_t seed, const fp_thresholds *th, struct fp_baseline **out);

/* Reads baseline file `path` into *out (caller-owned). 0, or prints the error and its status. */
int fp_cli_read_baseline(const char *path, struct fp_baseline **out);

/* Whether colour may be used on `f`: a terminal and NO_COLOR unset or empty. */
int fp_cli_use_colour(FILE *f);

/*
 * ---- Running the library (cli/fp_cli_run.c) ----
 * The steps the commands share between parsing and writing. Each prints its errors and returns
 * 0 or the exit status.
 */

/* 0, or when a SIGINT/SIGTERM is pending, prints "interrupted" and returns 130 or 143. */
int fp_cli_interrupted(void);

/* Called with each simulated run (index `run`) or input run; returns 0 or an exit status, which
 * stops the loop and is returned by it (the callback prints its own errors). */
typedef int (*fp_cli_sim_fn)(void *ctx, fp_profile *prof, uint64_t run);
typedef int (*fp_cli_input_fn)(void *ctx, fp_profile *prof, const fp_input_run *run);

/*
 * Simulates runs 0..runs-1 of `scn` with batch seed `seed` and generator `rng` (NULL: mt19937)
 * into `prof` (caller-owned), calling `each` after each run; a pending signal stops it before
 * the next run (fp_cli_interrupted()).
 */
int fp_cli_simulate(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed, uint64_t runs,
                    fp_profile *prof, fp_cli_sim_fn each, void *ctx);
/* The same for shard K of N (shard_n 0: every run): only the runs r with r mod N = K are
 * simulated and passed to `each` (docs/validation.md, "Shards and merge"). */
int fp_cli_simulate_shard(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                          uint64_t runs, uint64_t shard_k, uint64_t shard_n, fp_profile *prof,
                          fp_cli_sim_fn each, void *ctx);
/* The same for runs first, first + step, ... below `runs` (step >= 1): generate's --resume. */
int fp_cli_simulate_range(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                          uint64_t runs, uint64_t first, uint64_t step, fp_profile *prof,
                          fp_cli_sim_fn each, void *ctx);

/* The progress line of a long run on standard error (cli/fp_cli_progress.c). Plain value;
 * `what` borrowed. `on` 0: every call is a no-op (not a terminal, --quiet). */
typedef struct fp_cli_progress {
    int on;
    const char *what; /* "validate", "fpsim" */
    uint64_t done, total;
    double last;       /* when last shown */
    fp_progress est;   /* sliding-window rate and ETA */
    fp_progress work;  /* the same over the estimated work, when the engine gives it */
    double work_total; /* 0: no work estimate (the ETA is the runs') */
} fp_cli_progress;
void fp_cli_progress_init(fp_cli_progress *pg, const char *what, int on);
/* `done` of `total` runs finished; a smaller `done` or another `total` starts a new estimate. */
void fp_cli_progress_update(fp_cli_progress *pg, uint64_t done, uint64_t total);
/* The same with the engine's work estimate (fp_validate_progress_work_fn): the ETA is then the
 * work's, the rate still runs/s. */
void fp_cli_progress_update_work(fp_cli_progress *pg, uint64_t done, uint64_t total,
                                 double work_done, double work_total);
/* Prints the line (at most every 0.25 s unless `final`, which ends it with a newline). */
void fp_cli_progress_show(fp_cli_progress *pg, int final);

/* What fp_cli_simulate_analyze() hands over: run `run`'s profile and analysis (both borrowed,
 * valid during the call). Returns 0 or an exit status (stops the loop). */
struct fp_baseline;
typedef int (*fp_cli_analyzed_fn)(void *ctx, const fp_profile *prof, const fp_analysis *a,
                                  uint64_t run);
/* Simulates and analyses runs 0..runs-1 of `scn` (thresholds `th`, baseline `bl` or NULL, both
 * borrowed, read-only) on `jobs` threads (0 or 1: the calling thread only), calling `each` in
 * run order on the calling thread, so its results do not depend on `jobs`
 * (cli/fp_cli_jobs.c). A pending signal stops it between batches. Returns 0 or an exit status
 * (printed). */
int fp_cli_simulate_analyze(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                            uint64_t runs, unsigned jobs, const fp_thresholds *th,
                            const struct fp_baseline *bl, fp_cli_analyzed_fn each, void *ctx);
/* The same for shard K of N (shard_n 0: every run): only the runs r < runs with r mod N = K, in
 * run order. */
int fp_cli_simulate_analyze_shard(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                                  uint64_t runs, uint64_t shard_k, uint64_t shard_n, unsigned jobs,
                                  const fp_thresholds *th, const struct fp_baseline *bl,
                                  fp_cli_analyzed_fn each, void *ctx);

/*
 * Reads every run of input `path` (fp_input_open(): profile, runs document, Chrome trace,
 * generate directory or index, directory of JSON files, "-") into `prof` (caller-owned), calling
 * `each` after each run; input errors are printed with fp_cli_report_input_error(), and a
 * pending signal stops it before the next run.
 */
int fp_cli_read_input(const char *path, fp_profile *prof, fp_cli_input_fn each, void *ctx);

/*
 * Opens the output c->output into `out`, then a new report (*rep, owned by the caller; free with
 * fp_report_free() also on error) for c->report_format and c->detailed, coloured when text goes
 * to a terminal (fp_cli_use_colour()).
 */
int fp_cli_report_open(const fp_cli_common *c, fp_cli_out *out, fp_report **rep);

/*
 * ---- Gates (--fail-on, --fail-below, --fail-on-regression) ----
 * A gate that fires says why: fp_cli_gate_fire() records the first thing that fired (which rule,
 * on what, the measured value and the limit) and counts the rest; fp_cli_gate_print() prints it
 * as one line on stderr, "fpsim: gate: WHY[ (and N more)]", whatever the output is. Plain value;
 * zero it (FP_CLI_GATE_INIT) before use.
 */
typedef struct fp_cli_gate {
    int fired;     /* 1 once anything fired */
    size_t count;  /* how many things fired */
    char why[640]; /* the first: "--fail-on high: finding #1 slow_method on 'load' is ..." */
} fp_cli_gate;

#define FP_CLI_GATE_INIT                                                                           \
    {                                                                                              \
        0, 0, ""                                                                                   \
    }

/* Records one firing; the first one's text is kept. */
void fp_cli_gate_fire(fp_cli_gate *g, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints "fpsim: gate: WHY" (with " (and N more)" when several fired) when `g` fired. */
void fp_cli_gate_print(const fp_cli_gate *g);

/*
 * Analyses the run in `prof` with `th`, adds it to `rep`, and fires `gate` for each finding at
 * or above `fail_on` (an fp_severity; -1: never): the --fail-on gate. An analysis error that
 * names no file is located in `file` (NULL: left as is).
 */
int fp_cli_report_run(fp_report *rep, const fp_profile *prof, const fp_thresholds *th, int fail_on,
                      const char *file, fp_cli_gate *gate);

/*
 * The Markdown summary for CI pages: --summary FILE when given (`path` non-NULL), else
 * $GITHUB_STEP_SUMMARY when set and not empty, else nothing. The summary is appended (as GitHub
 * appends the steps' summaries), written by `write` with `ctx`. Returns 0, or prints the error
 * and returns 73 (cannot open) or 74 (write error).
 */
typedef fp_status (*fp_cli_summary_fn)(void *ctx, FILE *out, fp_error *err);
int fp_cli_write_summary(const char *path, fp_cli_summary_fn write, void *ctx);

/* validate's summary (validate and validate --record): an fp_cli_summary_fn whose ctx is an
 * fp_cli_vsummary (both borrowed for the call; gate: the --fail-below reason, or NULL). */
typedef struct fp_cli_vsummary {
    const struct fp_validate_engine *e;
    const char *gate;
} fp_cli_vsummary;
fp_status fp_cli_validate_summary(void *ctx, FILE *out, fp_error *err);

/* validate's --fail-below gate (validate and validate --record): fires `g` when fail_below >= 0
 * and the overall F1 of `e` is below it or not available. e is borrowed. */
void fp_cli_validate_gate(fp_cli_gate *g, const struct fp_validate_engine *e, double fail_below);

/*
 * The smallest number of runs per side with which the exact two-sided Mann-Whitney test of
 * n vs n can reach p < alpha (its smallest p is 2 / C(2n, n)); and that smallest p for n1 vs n2.
 */
double fp_cli_mw_min_p(size_t n1, size_t n2);
size_t fp_cli_mw_runs_needed(double alpha);

/* fp_cli_report_run() analysing against baseline `b` (borrowed; NULL: none). */
int fp_cli_report_run_baseline(fp_report *rep, const fp_profile *prof, const fp_thresholds *th,
                               const struct fp_baseline *b, int fail_on, const char *file,
                               fp_cli_gate *gate);
/* The same with the analysis `a` already made (borrowed): the --fail-on gate, then the report
 * (the default command's --jobs, fp_cli_simulate_analyze). */
int fp_cli_report_add_analyzed(fp_report *rep, const fp_profile *prof, const fp_analysis *a,
                               int fail_on, const char *file, fp_cli_gate *gate);
/* The --fail-on gate on finding `index` (0-based) of a run: fires when `severity` is at or above
 * `fail_on` (-1: no gate), naming it and `where` (" in 'SCENARIO' run N", or ""). */
void fp_cli_gate_finding(fp_cli_gate *gate, int fail_on, size_t index, fp_kind kind,
                         const char *target, fp_severity severity, double impact,
                         const char *where);

/*
 * Finishes output `o` after its writer returned `st` (error in `err`): a writer error other than
 * a write error (FP_EIO, which the checked commit reports) is printed and the output abandoned;
 * else it is committed (fp_cli_out_commit()). Returns that error's or the commit's status, else
 * FP_EXIT_FINDINGS when `gate` is set (a gate such as --fail-on triggered), else 0.
 */
int fp_cli_out_finish(fp_cli_out *o, fp_status st, const fp_error *err, int gate);

/* Subcommands. argv[0] is the subcommand name. */
int fp_cmd_simulate(int argc, char **argv);
int fp_cmd_report(int argc, char **argv);
int fp_cmd_compare(int argc, char **argv);
int fp_cmd_generate(int argc, char **argv);
int fp_cmd_analyze(int argc, char **argv);
int fp_cmd_validate(int argc, char **argv);
int fp_cmd_record(int argc, char **argv); /* cli/fp_cli_record.c */
/* `fpsim validate --record` (cli/fp_cli_validate_record.c), called by fp_cmd_validate(). */
int fp_cli_validate_record_main(int argc, char **argv);
int fp_cmd_baseline(int argc, char **argv);
int fp_cmd_thresholds(int argc, char **argv);
int fp_cmd_merge(int argc, char **argv);

#endif
