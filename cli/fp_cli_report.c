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
#include "fp_cli_shard.h"
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
    "      --shard K/N        simulate and analyse only the runs k with k mod N = K\n"
    "                         (0 <= K < N) and write a partial result; 'fpsim merge' joins\n"
    "                         the N parts into this report (it takes --format)\n"
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
    char where[FP_ERROR_FILE_MAX + 64]; /* a merge: " in 'SCENARIO' run N" of the gate */
    fp_cli_merge *merge;
    fp_cli_progress pg; /* on a terminal, from 100 runs */
    uint64_t done, total;
    uint64_t pass;           /* the scenario's position */
    fp_cli_shard_out *shard; /* --shard: runs go to the partial file as lines */
    char *line0;             /* a merge: run 0's line, as this process computed it */
    size_t line0_len;
} report_ctx;

/* The CI summary of the report, with the --fail-on gate's outcome. */
static fp_status write_summary(void *ctx, FILE *f, fp_error *err)
{
    const report_ctx *r = ctx;
    return fp_report_write_summary(r->rep, f, r->fail_on < 0 ? NULL : r->gate.why, err);
}

/* Adds one analysed run to the report (in run order, fp_cli_simulate_analyze); a shard writes
 * its line instead; a merge also keeps run 0's line to compare with the part's. */
static int on_run(void *ctx, const fp_profile *prof, const fp_analysis *a, uint64_t run)
{
    report_ctx *r = ctx;
    fp_error err = FP_ERROR_INIT;
    fp_cli_progress_update(&r->pg, ++r->done, r->total);
    if (r->shard != NULL) {
        if (r->shard->count++ > 0)
            fputc(',', r->shard->f);
        if (fp_report_write_run_line(r->rep, r->shard->f, r->pass, prof, a, &err) != FP_OK)
            return fp_cli_report_error(&err);
        fputc('\n', r->shard->f);
        return 0;
    }
    if (r->line0 != NULL || run != 0 || r->merge == NULL)
        return fp_cli_report_add_analyzed(r->rep, prof, a, r->fail_on, NULL, &r->gate);
    FILE *f = open_memstream(&r->line0, &r->line0_len);
    if (f == NULL)
        return fp_cli_nomem();
    fp_status st = fp_report_write_run_line(r->rep, f, r->pass, prof, a, &err);
    if (fclose(f) != 0 && st == FP_OK)
        return fp_cli_nomem();
    if (st != FP_OK)
        return fp_cli_report_error(&err);
    return fp_cli_report_add_analyzed(r->rep, prof, a, r->fail_on, NULL, &r->gate);
}

/* The gate on a merged run's findings (fp_report_add_line). */
static void on_finding(void *ctx, size_t index, fp_kind kind, const char *target,
                       fp_severity severity, double impact)
{
    report_ctx *r = ctx;
    fp_cli_gate_finding(&r->gate, r->fail_on, index, kind, target, severity, impact, r->where);
}

/*
 * A merge's runs of one scenario: run 0 simulated and analysed here (the report keeps its
 * detail, which no line carries) and checked against the part's line of it; runs 1.. from the
 * parts' lines, in run order.
 */
static int merge_runs(report_ctx *r, const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                      uint64_t runs)
{
    fp_error err = FP_ERROR_INIT;
    free(r->line0);
    r->line0 = NULL;
    int rc = fp_cli_simulate_analyze(scn, rng, seed, 1, 1, &r->th, r->bl, on_run, r);
    if (rc != 0)
        return rc;
    const char *l = fp_cli_merge_line(r->merge, 0, &err);
    if (l == NULL)
        return fp_cli_report_error(&err);
    if (r->line0 == NULL || strcmp(l, r->line0) != 0) {
        fp_cli_errorf("merge: run 0 of '%s' computed here differs from the shard's (another "
                      "build, or another campaign)",
                      fp_scenario_name(scn));
        return FP_EXIT_DATA;
    }
    snprintf(r->where, sizeof r->where, " in '%s' run ", fp_scenario_name(scn));
    size_t wlen = strlen(r->where);
    for (uint64_t run = 1; run < runs; run++) {
        if ((rc = fp_cli_interrupted()) != 0)
            return rc;
        if ((l = fp_cli_merge_line(r->merge, run, &err)) == NULL)
            return fp_cli_report_error(&err);
        snprintf(r->where + wlen, sizeof r->where - wlen, "%llu", (unsigned long long)run);
        fp_cli_progress_update(&r->pg, ++r->done, r->total);
        fp_status st = fp_report_add_line(r->rep, l, r->pass, run, on_finding, r, &err);
        if (st == FP_EPARSE) {
            fp_cli_errorf("merge: run %llu of '%s': %s", (unsigned long long)run,
                          fp_scenario_name(scn), err.msg);
            return FP_EXIT_DATA;
        }
        if (st != FP_OK)
            return fp_cli_report_error(&err);
    }
    return 0;
}

int fp_cmd_report(int argc, char **argv)
{
    return fp_cli_report_main(argc, argv, NULL);
}

int fp_cli_report_main(int argc, char **argv, fp_cli_merge *merge)
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
    uint64_t *seeds = NULL;
    fp_cli_shard_out shard;
    int rc = fp_cli_parse(&o.c, &spec, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    r.fail_on = o.c.fail_on;
    r.merge = merge;
    if (o.c.shard_n > 0 && o.c.format != NULL && merge == NULL) {
        rc = fp_cli_usage("--shard writes a partial result: give --format to 'fpsim merge'");
        goto done;
    }
    if ((o.c.thresholds != NULL &&
         (rc = fp_cli_load_thresholds(o.c.thresholds, &o.overrides)) != 0) ||
        (rc = fp_cli_load_scenarios(&scns, o.c.scenarios, o.c.n_scenarios)) != 0)
        goto done;
    if ((seeds = calloc(scns.n ? scns.n : 1, sizeof *seeds)) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    for (size_t i = 0; i < scns.n; i++)
        seeds[i] = fp_cli_seed_for(o.c.has_seed, o.c.seed, scns.items[i]);
    if (merge != NULL && (rc = fp_cli_merge_check(merge, &scns, seeds)) != 0)
        goto done;
    if ((rc = fp_cli_report_open(&o.c, &out, &r.rep)) != 0)
        goto done;
    uint64_t k = 0, n = 0; /* this process's runs: k mod n (n 0: all) */
    if (o.c.shard_n > 0 && merge == NULL) {
        k = o.c.shard_k;
        n = o.c.shard_n;
        if ((rc = fp_cli_shard_begin(&shard, out.f, "report", argc, argv, &scns, seeds, k, n)) != 0)
            goto done;
        r.shard = &shard;
    }
    r.total = (n == 0 ? o.c.runs : o.c.runs > k ? (o.c.runs - k - 1) / n + 1 : 0) * scns.n;
    fp_cli_progress_init(&r.pg, "fpsim", r.total >= 100 && isatty(STDERR_FILENO));
    fp_error err = FP_ERROR_INIT;
    for (size_t i = 0; i < scns.n; i++) {
        const fp_scenario *scn = scns.items[i];
        if ((rc = fp_cli_thresholds_for(&o.c, scn, &o.overrides, &r.th)) != 0)
            goto done;
        uint64_t seed = seeds[i];
        r.pass = i;
        fp_baseline_free(r.bl);
        r.bl = NULL;
        if ((rc = fp_cli_baseline_for(&o.c, "auto", scn, seed, &r.th, &r.bl)) != 0)
            goto done;
        if (fp_report_begin_scenario(r.rep, fp_scenario_name(scn), seed, fp_cli_rng_name(o.c.rng),
                                     GSL_VERSION, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
        if (merge != NULL)
            rc = merge_runs(&r, scn, o.c.rng, seed, o.c.runs);
        else
            rc = fp_cli_simulate_analyze_shard(scn, o.c.rng, seed, o.c.runs, k, n, o.jobs, &r.th,
                                               r.bl, on_run, &r);
        if (rc != 0)
            goto done;
    }
    fp_cli_progress_show(&r.pg, 1);
    if (r.shard != NULL) { /* the part: no report, no gate, no summary (the merge's) */
        rc = fp_cli_out_finish(&out, fp_cli_shard_end(&shard, &err), &err, 0);
        goto done;
    }
    if (merge != NULL && fp_cli_merge_finish(merge, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
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
    free(seeds);
    free(r.line0);
    fp_report_free(r.rep);
    fp_baseline_free(r.bl);
    fp_cli_free_scenarios(&scns);
    fp_cli_free_thresholds(&o.overrides);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
