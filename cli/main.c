/*
 * main.c - the fpsim command: dispatches to the subcommands, prints help and version.
 * The only place (with the other cli/ files) that prints, exits or reads the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <yaml.h>

#include "fp_cli.h"

static const char *const s_usage =
    "Usage: fpsim [report] [--scenario NAME|FILE|all] [--detailed] [options]\n"
    "       fpsim COMMAND [options]      ('fpsim COMMAND --help' for each command's options)\n"
    "\n"
    "fpsim simulates profiling runs of multi-step flows from scenario files, analyses them with\n"
    "its real analysis engine and reports per-run and cross-scenario results.\n"
    "\n"
    "Commands:\n";

static const char *const s_options =
    "\n"
    "Common options:\n"
    "  -s, --scenario NAME   built-in (optimal, bottlenecked, memory-intensive, cpu-intensive;\n"
    "                        underscores accepted), 'all', or a scenario YAML file\n"
    "  -n, --runs N          runs per scenario\n"
    "      --seed N          batch seed (default: the scenario's seed:, else 42); recorded in "
    "output\n"
    "      --rng NAME        GSL random generator (default mt19937)\n"
    "  -f, --format FMT      output format\n"
    "  -o, --output FILE     write atomically to FILE instead of standard output\n"
    "  -h, --help            show this help;  -V, --version  show versions\n"
    "\n"
    "Exit status:\n"
    "  0 success; 1 a --fail-on gate triggered; 64 usage error; 65 bad scenario or profile data;\n"
    "  66 input cannot be opened; 70 internal error or out of memory; 73 output cannot be\n"
    "  created; 74 read or write error; 130 interrupted (SIGINT); 143 terminated (SIGTERM).\n"
    "  An output that is also an input is a usage error (64).\n";

static const char *const s_scenarios_help =
    "Usage: fpsim scenarios [--show NAME | --names]\n"
    "\n"
    "Lists the built-in scenarios with their one-line description, in the order\n"
    "'--scenario all' runs them.\n"
    "\n"
    "Options:\n"
    "      --show NAME   print the built-in's YAML (a starting point for your own scenario)\n"
    "      --names       print the names only, one per line\n"
    "  -h, --help        show this help\n";

enum { OPT_SHOW, OPT_NAMES };

typedef struct scn_opts {
    const char *show;
    int names;
} scn_opts;

static int scenarios_option(void *ctx, int id, char *arg)
{
    scn_opts *o = ctx;
    if (id == OPT_SHOW)
        o->show = arg;
    else
        o->names = 1;
    return 0;
}

static int cmd_scenarios(int argc, char **argv)
{
    static const fp_cli_option own[] = {
        {"show", 0, 1, OPT_SHOW}, {"names", 0, 0, OPT_NAMES}, {NULL, 0, 0, 0}};
    scn_opts o = {NULL, 0};
    const fp_cli_spec spec = {
        s_scenarios_help, FP_CMD_SCENARIOS_OPTS, 0, own, scenarios_option, NULL, 0, &o};
    fp_cli_common c;
    fp_cli_common_init(&c);
    int rc = fp_cli_parse(&c, &spec, argc, argv);
    fp_cli_common_cleanup(&c);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (o.show != NULL && o.names)
        return fp_cli_usage("--show and --names exclude each other");
    if (o.show != NULL)
        return fp_cli_show_builtin(stdout, o.show);
    if (o.names) {
        fp_cli_list_builtins(stdout);
        return 0;
    }
    return fp_cli_describe_builtins(stdout);
}

/*
 * The commands: one entry each. `run` gets argv from the command's name on and returns the exit
 * status (the common options it takes are the FP_CMD_*_OPTS mask its own parser passes to
 * fp_cli_parse(), cli/fp_cli.h). The top-level --help lists them in this order; a mistyped name
 * is matched against them for a did-you-mean.
 */
typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary; /* one line in the top-level --help */
} command;

static const command s_commands[] = {
    {"report", fp_cmd_report, "simulate, analyse and report: the default command"},
    {"simulate", fp_cmd_simulate, "simulated runs: summaries or full profiles as JSON"},
    {"generate", fp_cmd_generate,
     "fixture files per run: profile, truth, CSV, folded, Chrome trace, speedscope"},
    {"analyze", fp_cmd_analyze, "analyse profile JSON or Chrome Trace Event files"},
    {"compare", fp_cmd_compare, "compare two profiles, run directories or scenarios per method"},
    {"record", fp_cmd_record, "run a command and profile it: samples, spans, guards, report"},
    {"validate", fp_cmd_validate, "detector accuracy against ground truth"},
    {"baseline", fp_cmd_baseline, "learn what is normal for a flow into a baseline file"},
    {"thresholds", fp_cmd_thresholds, "list every analysis threshold: default, unit, meaning"},
    {"merge", fp_cmd_merge,
     "join the --shard K/N parts of report, simulate or validate into one output"},
    {"scenarios", cmd_scenarios, "list the built-in scenarios; --show NAME prints one's YAML"},
};

#define N_COMMANDS (sizeof(s_commands) / sizeof(s_commands[0]))

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(s_commands[i].name, name) == 0)
            return &s_commands[i];
    return NULL;
}

/* The command whose name is closest to `word` (fp_suggest), or NULL. */
static const char *suggest_command(const char *word)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++)
        names[i] = s_commands[i].name;
    return fp_suggest(word, names, N_COMMANDS);
}

static void print_help(void)
{
    fputs(s_usage, stdout);
    for (size_t i = 0; i < N_COMMANDS; i++)
        printf("  %-10s  %s\n", s_commands[i].name, s_commands[i].summary);
    fputs(s_options, stdout);
}

/*
 * The versions fpsim runs with (the shared libraries' own answers: gsl_version,
 * yaml_get_version(), cJSON_Version()) and, when any differs, those it was built with (the
 * headers', and libyaml's from pkg-config).
 */
static void print_version(void)
{
    int ymaj, ymin, ypatch;
    char yaml_run[48], cjson_build[48];
    yaml_get_version(&ymaj, &ymin, &ypatch);
    snprintf(yaml_run, sizeof yaml_run, "%d.%d.%d", ymaj, ymin, ypatch);
    snprintf(cjson_build, sizeof cjson_build, "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR,
             CJSON_VERSION_PATCH);
#ifdef FP_BUILD_YAML_VERSION
    const char *yaml_build = FP_BUILD_YAML_VERSION;
#else
    const char *yaml_build = yaml_run;
#endif
    printf("fpsim %s (GSL %s, libyaml %s, cJSON %s)\n", fp_version(), gsl_version, yaml_run,
           cJSON_Version());
    if (strcmp(gsl_version, GSL_VERSION) != 0 || strcmp(yaml_run, yaml_build) != 0 ||
        strcmp(cJSON_Version(), cjson_build) != 0)
        printf("built with GSL %s, libyaml %s, cJSON %s\n", GSL_VERSION, yaml_build, cjson_build);
}

int main(int argc, char **argv)
{
    fp_cli_std_fds();
    gsl_set_error_handler_off();
    fp_cli_install_signals();
    /* Test-only, undocumented in --help (docs/reliability.md): make the N-th allocation through
     * the library's seam (cJSON's included) and every later one fail, for the loop over N in
     * tests/cli/test_oom.sh. */
    const char *fail_at = getenv("FPSIM_TEST_ALLOC_FAIL");
    uint64_t n_fail;
    if (fail_at != NULL && fp_cli_parse_u64(fail_at, &n_fail) == 0)
        fp_alloc_fail_after((unsigned long)n_fail);
    int rc;
    const char *first = argc >= 2 ? argv[1] : NULL;
    const command *cmd = first != NULL ? find_command(first) : NULL;
    const char *near = NULL;
    if (cmd != NULL) {
        rc = cmd->run(argc - 1, argv + 1);
    } else if (first != NULL && (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)) {
        print_help();
        rc = 0;
    } else if (first != NULL && (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0)) {
        print_version();
        rc = 0;
    } else if (first != NULL && first[0] != '-' && (near = suggest_command(first)) != NULL) {
        /* The default command takes no positional argument, so a bare word is always an error;
         * one close to a command's name is most likely that command mistyped. */
        rc = fp_cli_usage("unknown command '%s' (did you mean '%s'?)", first, near);
    } else {
        rc = fp_cmd_report(argc, argv); /* no command: options of the default command */
    }
    /* A failed write to stdout (e.g. /dev/full, closed) must not exit 0. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == 0) {
            fp_cli_errorf("error writing standard output");
            rc = FP_EXIT_IOERR;
        }
    }
    if (fclose(stdout) != 0 && rc == 0) {
        fp_cli_errorf("error writing standard output");
        rc = FP_EXIT_IOERR;
    }
    return rc;
}
