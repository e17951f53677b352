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

static const char *const s_help =
    "Usage: fpsim [report] [--scenario NAME|FILE|all] [--detailed] [options]\n"
    "       fpsim COMMAND [options]      ('fpsim COMMAND --help' for each command's options)\n"
    "\n"
    "fpsim simulates profiling runs of multi-step flows from scenario files, analyses them with\n"
    "its real analysis engine and reports per-run and cross-scenario results.\n"
    "\n"
    "Commands:\n"
    "  report      simulate, analyse and report: the default command ('fpsim report --help')\n"
    "  simulate    simulated runs: summaries or full profiles as JSON ('fpsim simulate --help')\n"
    "  generate    fixture files per run: profile, truth, CSV, folded, Chrome trace, speedscope\n"
    "  analyze     analyse profile JSON or Chrome Trace Event files ('fpsim analyze --help')\n"
    "  compare     compare two profiles, run directories or scenarios per method\n"
    "  validate    detector accuracy against ground truth ('fpsim validate --help')\n"
    "  scenarios   list the built-in scenarios\n"
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
    "  66 input cannot be opened; 70 internal error; 73 output cannot be created;\n"
    "  74 write error; 130 interrupted (SIGINT); 143 terminated (SIGTERM).\n";

static void print_version(void)
{
    int ymaj, ymin, ypatch;
    yaml_get_version(&ymaj, &ymin, &ypatch);
    printf("fpsim %s (GSL %s, libyaml %d.%d.%d, cJSON %s)\n", fp_version(), GSL_VERSION, ymaj, ymin,
           ypatch, cJSON_Version());
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    fp_cli_install_signals();
    int rc;
    if (argc >= 2 && strcmp(argv[1], "simulate") == 0) {
        rc = fp_cmd_simulate(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "generate") == 0) {
        rc = fp_cmd_generate(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "analyze") == 0) {
        rc = fp_cmd_analyze(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "compare") == 0) {
        rc = fp_cmd_compare(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "validate") == 0) {
        rc = fp_cmd_validate(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "scenarios") == 0) {
        if (argc > 2)
            return fp_cli_usage("unexpected argument '%s'", argv[2]);
        fp_cli_list_builtins(stdout);
        rc = 0;
    } else if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(s_help, stdout);
        rc = 0;
    } else if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        print_version();
        rc = 0;
    } else if (argc >= 2 && strcmp(argv[1], "report") == 0) {
        rc = fp_cmd_report(argc - 1, argv + 1);
    } else {
        rc = fp_cmd_report(argc, argv);
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
