/*
 * fp_cli_report.c - the default command: simulate each scenario, analyse every run, and write the
 * report (per-scenario summaries, --detailed sections, the cross-scenario comparison).
 */
#include <stdlib.h>
#include <string.h>

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
    "  -f, --format FMT       text, json, markdown (md), csv or html (default text)\n"
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
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 1 --fail-on triggered, 64 usage, 65 bad data, 66 no input,\n"
    "70 internal or out of memory, 73 cannot create output, 74 read or write error,\n"
    "130/143 interrupted.\n";

typedef struct report_opts {
    fp_cli_common c; /* every option of report is a common one */
    fp_cli_thresholds overrides;
} report_opts;

/* What each simulated run is added to. */
typedef struct report_ctx {
    fp_report *rep;
    fp_thresholds th; /* the current scenario's */
    fp_baseline *bl;  /* the current scenario's baseline, or NULL */
    int fail_on;
    fp_cli_gate gate;
} report_ctx;

/* The CI summary of the report, with the --fail-on gate's outcome. */
static fp_status write_summary(void *ctx, FILE *f, fp_error *err)
{
    const report_ctx *r = ctx;
    return fp_report_write_summary(r->rep, f, r->fail_on < 0 ? NULL : r->gate.why, err);
}

static int on_run(void *ctx, fp_profile *prof, uint64_t run)
{
    report_ctx *r = ctx;
    (void)run;
    return fp_cli_report_run_baseline(r->rep, prof, &r->th, r->bl, r->fail_on, NULL, &r->gate);
}

int fp_cmd_report(int argc, char **argv)
{
    report_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    const fp_cli_spec spec = {s_help, FP_CMD_REPORT_OPTS, 0, NULL, NULL, NULL, 0, &o};
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    fp_profile *prof = NULL;
    report_ctx r = {NULL, FP_THRESHOLDS_INIT, NULL, -1, FP_CLI_GATE_INIT};
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
    if ((prof = fp_profile_new()) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    if ((rc = fp_cli_report_open(&o.c, &out, &r.rep)) != 0)
        goto done;
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
        if ((rc = fp_cli_simulate(scn, o.c.rng, seed, o.c.runs, prof, on_run, &r)) != 0)
            goto done;
    }
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
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_free_thresholds(&o.overrides);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
