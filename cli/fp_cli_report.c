/*
 * fp_cli_report.c - the default command: simulate each scenario, analyse every run, and write the
 * report (per-scenario summaries, --detailed sections, the cross-scenario comparison).
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_version.h>

#include "fp_analysis.h"
#include "fp_cli.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_sim.h"

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
    "  -f, --format FMT       text, json, markdown (md) or csv (default text)\n"
    "  -o, --output FILE      write atomically to FILE (default standard output)\n"
    "      --thresholds FILE  analysis thresholds, a flat YAML mapping 'name: number'\n"
    "                         (names in docs/analysis.md; they override a scenario's analysis:)\n"
    "      --fail-on SEV      exit 1 when any finding is at or above SEV\n"
    "                         (low, medium, high, critical)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 1 --fail-on triggered, 64 usage, 65 bad data, 66 no input,\n"
    "70 internal, 73 cannot create output, 74 write error, 130/143 interrupted.\n";

typedef struct report_opts {
    fp_cli_common c; /* every option of report is a common one */
    fp_cli_thresholds overrides;
} report_opts;

/* ---- options ---- */

static int parse(report_opts *o, int argc, char **argv)
{
    const fp_cli_spec spec = {s_help, FP_CMD_REPORT_OPTS, 0, NULL, NULL, NULL, 0, o};
    return fp_cli_parse(&o->c, &spec, argc, argv);
}

int fp_cmd_report(int argc, char **argv)
{
    report_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    fp_profile *prof = NULL;
    fp_sim *sim = NULL;
    fp_report *rep = NULL;
    int gate = 0;
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (o.c.thresholds != NULL && (rc = fp_cli_load_thresholds(o.c.thresholds, &o.overrides)) != 0)
        goto done;
    if (o.c.n_scenarios == 0) {
        static char all[] = "all";
        static char *def[] = {all};
        rc = fp_cli_load_scenarios(&scns, def, 1);
    } else {
        rc = fp_cli_load_scenarios(&scns, o.c.scenarios, o.c.n_scenarios);
    }
    if (rc != 0)
        goto done;
    fp_report_options ro = FP_REPORT_OPTIONS_INIT;
    ro.format = o.c.report_format;
    ro.detailed = o.c.detailed;
    prof = fp_profile_new();
    if (prof == NULL || (rc = fp_cli_out_open(&out, o.c.output)) != 0) {
        if (prof == NULL) {
            fp_cli_errorf("out of memory");
            rc = FP_EXIT_SOFTWARE;
        }
        goto done;
    }
    ro.colour = o.c.report_format == FP_REPORT_TEXT && fp_cli_use_colour(out.f);
    rep = fp_report_new(&ro);
    if (rep == NULL) {
        fp_cli_errorf("out of memory");
        rc = FP_EXIT_SOFTWARE;
        goto done;
    }
    fp_error err = FP_ERROR_INIT;
    for (size_t i = 0; i < scns.n; i++) {
        const fp_scenario *scn = scns.items[i];
        fp_thresholds th;
        if ((rc = fp_cli_scenario_thresholds(scn, &o.overrides, &th)) != 0)
            goto done;
        uint64_t seed = fp_cli_seed_for(o.c.has_seed, o.c.seed, scn);
        fp_sim_options so = FP_SIM_OPTIONS_INIT;
        so.rng_type = o.c.rng;
        fp_sim_free(sim);
        sim = NULL;
        if (fp_sim_new(&sim, scn, &so, &err) != FP_OK ||
            fp_report_begin_scenario(rep, fp_scenario_name(scn), seed, fp_cli_rng_name(o.c.rng),
                                     GSL_VERSION, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
        for (uint64_t r = 0; r < o.c.runs; r++) {
            if (fp_cli_signal) {
                fp_cli_errorf("interrupted");
                rc = fp_cli_signal_exit();
                goto done;
            }
            fp_analysis *a = NULL;
            if (fp_sim_run(sim, seed, r, prof, &err) != FP_OK ||
                fp_analyze(&a, prof, &th, &err) != FP_OK) {
                rc = fp_cli_report_error(&err);
                goto done;
            }
            size_t nf;
            const fp_finding *f = fp_analysis_findings(a, &nf);
            for (size_t k = 0; k < nf && o.c.fail_on >= 0; k++)
                gate |= (int)f[k].severity >= o.c.fail_on;
            fp_status st = fp_report_add_run(rep, prof, a, &err);
            fp_analysis_free(a);
            if (st != FP_OK) {
                rc = fp_cli_report_error(&err);
                goto done;
            }
        }
    }
    if (fp_report_write(rep, out.f, &err) != FP_OK && err.status != FP_EIO) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    rc = fp_cli_out_commit(&out);
    if (rc == 0 && gate)
        rc = FP_EXIT_FINDINGS;
done:
    if (rc != 0 && rc != FP_EXIT_FINDINGS)
        fp_cli_out_abort(&out);
    fp_report_free(rep);
    fp_sim_free(sim);
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_free_thresholds(&o.overrides);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
