/*
 * fp_cli_report.c - the default command: simulate each scenario, analyse every run, and write the
 * report (per-scenario summaries, --detailed sections, the cross-scenario comparison).
 */
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <gsl/gsl_version.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_cli.h"
#include "fp_profile.h"
#include "fp_report.h"

static const char *const s_help =
    "Usage: fpsim [--scenario NAME|FILE|all] [options]\n"
    "\n"
    "Simulates each scenario, analyses every run with the analysis engine and prints the\n"
    "report: duration, memory, CPU, I/O, score and findings per scenario, then (with several\n"
    "scenarios) the comparison table.\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME    built-in, 'all' (the default) or a scenario file; repeatable\n"
    "  -d, --detailed         add per-method tables, critical path, findings, recommendations\n"
    "                         and the ground truth beside the findings\n"
    "  -n, --runs N           runs per scenario (default 1); tables then show the median and\n"
    "                         the 5-95 % range\n"
    "      --seed N           batch seed (default: the scenario's seed:, else 42)\n"
    "      --rng NAME         GSL generator (default mt19937)\n"
    "  -f, --format FMT       text, json, markdown (md), csv, html or openmetrics (default\n"
    "                         text)\n"
    "  -o, --output FILE      write atomically to FILE (default standard output)\n"
    "      --thresholds FILE  analysis thresholds, a flat YAML mapping 'name: number'\n"
    "                         (names in docs/analysis.md; they override a scenario's analysis:)\n"
    "      --set KEY=VALUE    set one analysis threshold (repeatable; 'fpsim thresholds')\n"
    "      --baseline B       auto (default): learn what is normal from 30 clean runs of\n"
    "                         the scenario on an independent seed stream; none: absolute\n"
    "                         thresholds only; or a baseline FILE ('fpsim baseline')\n"
    "      --fail-on SEV      exit 1 when any finding is at or above SEV\n"
    "                         (low, medium, high, critical); says why on stderr\n"
    "      --summary FILE     append a Markdown summary for CI pages to FILE\n"
    "                         (default: $GITHUB_STEP_SUMMARY when set)\n"
    "  -j, --jobs J           simulate and analyse on J threads (default 1); the output is\n"
    "                         the same for any J\n"
    "\n"
    "Progress (runs done, runs/s, ETA) goes to standard error when it is a terminal and there\n"
    "are 100 runs or more.\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 1 --fail-on triggered, 64 usage, 65 bad data, 66 no input,\n"
    "70 internal or out of memory, 73 cannot create output, 74 read or write error,\n"
    "130/143 interrupted.\n";

typedef struct report_opts {
    fp_cli_common c; /* the common options */
    fp_cli_thresholds overrides;
    unsigned jobs; /* --jobs */
} report_opts;

enum { OPT_JOBS };

static int on_option(void *ctx, int id, char *arg)
{
    report_opts *o = ctx;
    uint64_t j;
    (void)id; /* OPT_JOBS, the only one */
    if (fp_cli_parse_u64(arg, &j) != 0 || j == 0 || j > 256)
        return fp_cli_usage("--jobs must be an integer in [1, 256], got '%s'", arg);
    o->jobs = (unsigned)j;
    return 0;
}

/* What each simulated run is added to. */
typedef struct report_ctx {
    fp_report *rep;
    fp_thresholds th; /* the current scenario's */
    fp_baseline *bl;  /* the current scenario's baseline, or NULL */
    int fail_on;
    fp_cli_gate gate;
    fp_cli_progress pg; /* on a terminal, from 100 runs */
    uint64_t done, total;
} report_ctx;

/* The CI summary of the report, with the --fail-on gate's outcome. */
static fp_status write_summary(void *ctx, FILE *f, fp_error *err)
{
    const report_ctx *r = ctx;
    return fp_report_write_summary(r->rep, f, r->fail_on < 0 ? NULL : r->gate.why, err);
}

/* Adds one analysed run to the report (in run order, fp_cli_simulate_analyze). */
static int on_run(void *ctx, const fp_profile *prof, const fp_analysis *a, uint64_t run)
{
    report_ctx *r = ctx;
    (void)run;
    fp_cli_progress_update(&r->pg, ++r->done, r->total);
    return fp_cli_report_add_analyzed(r->rep, prof, a, r->fail_on, NULL, &r->gate);
}

int fp_cmd_report(int argc, char **argv)
{
    report_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    static const fp_cli_option own[] = {{"jobs", 'j', 1, OPT_JOBS}, {NULL, 0, 0, 0}};
    const fp_cli_spec spec = {s_help, FP_CMD_REPORT_OPTS, 0, own, on_option, NULL, 0, &o};
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    report_ctx r;
    memset(&r, 0, sizeof r);
    r.th = (fp_thresholds)FP_THRESHOLDS_INIT;
    r.fail_on = -1;
    r.gate = (fp_cli_gate)FP_CLI_GATE_INIT;
    fp_cli_progress_init(&r.pg, "fpsim", 0);
    int rc = fp_cli_parse(&o.c, &spec, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    r.fail_on = o.c.fail_on;
    if ((o.c.thresholds != NULL &&
         (rc = fp_cli_load_thresholds(o.c.thresholds, &o.overrides)) != 0) ||
        (rc = fp_cli_load_scenarios(&scns, o.c.scenarios, o.c.n_scenarios)) != 0)
        goto done;
    if ((rc = fp_cli_report_open(&o.c, &out, &r.rep)) != 0)
        goto done;
    r.total = o.c.runs * scns.n;
    fp_cli_progress_init(&r.pg, "fpsim", r.total >= 100 && isatty(STDERR_FILENO));
    fp_error err = FP_ERROR_INIT;
    for (size_t i = 0; i < scns.n; i++) {
        const fp_scenario *scn = scns.items[i];
        if ((rc = fp_cli_thresholds_for(&o.c, scn, &o.overrides, &r.th)) != 0)
            goto done;
        uint64_t seed = fp_cli_seed_for(o.c.has_seed, o.c.seed, scn);
        fp_baseline_free(r.bl);
        r.bl = NULL;
        if ((rc = fp_cli_baseline_for(&o.c, "auto", scn, seed, &r.th, &r.bl)) != 0)
            goto done;
        if (fp_report_begin_scenario(r.rep, fp_scenario_name(scn), seed, fp_cli_rng_name(o.c.rng),
                                     GSL_VERSION, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
        if ((rc = fp_cli_simulate_analyze(scn, o.c.rng, seed, o.c.runs, o.jobs, &r.th, r.bl, on_run,
                                          &r)) != 0)
            goto done;
    }
    fp_cli_progress_show(&r.pg, 1);
    rc = fp_cli_out_finish(&out, fp_report_write(r.rep, out.f, &err), &err, r.gate.fired);
    fp_cli_gate_print(&r.gate);
    if (rc == 0 || rc == FP_EXIT_FINDINGS) {
        int src = fp_cli_write_summary(o.c.summary, write_summary, &r);
        rc = src != 0 ? src : rc;
    }
done:
    fp_cli_out_abort(&out); /* no-op once committed */
    fp_report_free(r.rep);
    fp_baseline_free(r.bl);
    fp_cli_free_scenarios(&scns);
    fp_cli_free_thresholds(&o.overrides);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
