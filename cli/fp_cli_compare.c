/*
 * fp_cli_compare.c - `fpsim compare BASE NEW`: compares two inputs of the input reader
 * (fp_input_open(): the same files and directories `fpsim analyze` reads), or two scenarios
 * simulated in-process, per method and at run level, with the
 * Mann-Whitney U test, the Hodges-Lehmann shift and a noise threshold (analysis/fp_compare.h,
 * docs/compare.md). Writes text, JSON, Markdown or CSV, and optionally the differential folded
 * stacks for red/blue flame graphs.
 */
#include <stdlib.h>
#include <string.h>

#include "fp_cli.h"
#include "fp_compare.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_report.h"

static const char *const s_help =
    "Usage: fpsim compare [options] BASE NEW\n"
    "       fpsim compare [options] --scenario A --scenario B [--runs N] [--seed S]\n"
    "\n"
    "Compares two sets of runs. BASE and NEW are whatever 'fpsim analyze' reads: profile JSON\n"
    "files (one profile or a runs document, as written by 'fpsim simulate --format json'),\n"
    "Chrome Trace Event JSON, 'fpsim generate' directories or their index.json, or directories\n"
    "whose *.json files (directly inside or one level down, e.g. DIR/<scenario>/run-<k>.json)\n"
    "are all read in name order ('-' is standard input); or two scenarios simulated here.\n"
    "Per method (matched by name): median\n"
    "calls per run, median per-call time, ratio, Mann-Whitney U p-value, Hodges-Lehmann shift\n"
    "with its 95 % interval, and a verdict; the same for run duration, peak memory and average\n"
    "CPU. A regression is slower, significant (p < alpha) and beyond the noise threshold.\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME     built-in or scenario file; give exactly two (BASE, then NEW)\n"
    "  -n, --runs N            runs per scenario (default 30)\n"
    "      --seed N            batch seed of both scenarios (default: each scenario's seed:,\n"
    "                          else 42)\n"
    "      --rng NAME          GSL generator (default mt19937)\n"
    "      --alpha P           significance level, (0, 1] (default 0.002)\n"
    "      --noise F           noise threshold on the ratio of medians, [0, 10] (default 0.05)\n"
    "      --min-samples N     values needed per side for a per-method verdict (default 9)\n"
    "  -f, --format FMT        text, json, markdown (md), csv or html (default text)\n"
    "  -o, --output FILE       write atomically to FILE (default standard output)\n"
    "      --folded-diff FILE  write 'stack before after' lines (mean self time per run, us)\n"
    "                          for difffolded.pl / flamegraph.pl red-blue flame graphs\n"
    "      --fail-on-regression  exit 1 when any regression is flagged; says which on stderr\n"
    "      --summary FILE      append a Markdown summary for CI pages to FILE\n"
    "                          (default: $GITHUB_STEP_SUMMARY when set)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 ok, 1 regression with --fail-on-regression, 64 usage, 65 bad data,\n"
    "66 no input, 70 internal or out of memory, 73 cannot create output, 74 read or write error,\n"
    "130/143 interrupted.\n";

typedef struct cmp_opts {
    fp_cli_common c;    /* --runs, --seed, --rng, --format, --output; BASE and NEW are c.args */
    char *scenarios[2]; /* compare's own --scenario: exactly two */
    size_t n_scenarios;
    fp_compare_options co;
    const char *folded;
    int fail_on_regression;
} cmp_opts;

/* What each side was, for the report header. */
typedef struct side_info {
    char desc[600];
    int simulated;
    uint64_t seed;
} side_info;

enum { OPT_SCENARIO, OPT_ALPHA, OPT_NOISE, OPT_MIN, OPT_FOLDED, OPT_FAIL };

static int on_option(void *ctx, int id, char *arg)
{
    cmp_opts *o = ctx;
    uint64_t u;
    double d;
    switch (id) {
    case OPT_SCENARIO:
        if (o->n_scenarios == 2)
            return fp_cli_usage("compare takes exactly two --scenario options");
        o->scenarios[o->n_scenarios++] = arg;
        return 0;
    case OPT_ALPHA:
        if (fp_cli_parse_double(arg, &d) != 0 || !(d > 0.0 && d <= 1.0))
            return fp_cli_usage("--alpha must be a number in (0, 1], got '%s'", arg);
        o->co.alpha = d;
        return 0;
    case OPT_NOISE:
        if (fp_cli_parse_double(arg, &d) != 0 || !(d >= 0.0 && d <= 10.0))
            return fp_cli_usage("--noise must be a number in [0, 10], got '%s'", arg);
        o->co.noise = d;
        return 0;
    case OPT_MIN:
        if (fp_cli_parse_u64(arg, &u) != 0 || u == 0 || u > 1000000000)
            return fp_cli_usage("--min-samples must be an integer in [1, 1000000000], got '%s'",
                                arg);
        o->co.min_samples = (size_t)u;
        return 0;
    case OPT_FOLDED:
        o->folded = arg;
        return 0;
    case OPT_FAIL:
        o->fail_on_regression = 1;
        return 0;
    }
    return FP_EXIT_SOFTWARE; /* not reached: every id of own[] is handled */
}

static int parse(cmp_opts *o, int argc, char **argv)
{
    static const fp_cli_option own[] = {{"scenario", 's', 1, OPT_SCENARIO},
                                        {"alpha", 0, 1, OPT_ALPHA},
                                        {"noise", 0, 1, OPT_NOISE},
                                        {"min-samples", 0, 1, OPT_MIN},
                                        {"folded-diff", 0, 1, OPT_FOLDED},
                                        {"fail-on-regression", 0, 0, OPT_FAIL},
                                        {NULL, 0, 0, 0}};
    const fp_cli_spec spec = {s_help, FP_CMD_COMPARE_OPTS, 1000000, own, on_option, NULL, 1, o};
    int rc = fp_cli_parse(&o->c, &spec, argc, argv);
    if (rc != 0)
        return rc;
    const fp_cli_common *c = &o->c;
    if (c->report_format == FP_REPORT_OPENMETRICS)
        return fp_cli_usage("--format openmetrics is a format of the report, analyze, record and "
                            "validate, not of compare");
    if (c->n_args > 2)
        return fp_cli_usage("unexpected argument '%s'", c->args[2]);
    if (o->n_scenarios > 0 && c->n_args > 0)
        return fp_cli_usage("cannot mix --scenario with BASE/NEW files");
    if (o->n_scenarios == 1)
        return fp_cli_usage("compare needs two --scenario options (BASE and NEW)");
    if (o->n_scenarios == 0 && c->n_args != 2)
        return fp_cli_usage("compare needs BASE and NEW (files or directories) or two "
                            "--scenario options");
    if (c->n_args > 0 && (c->has_runs || c->has_seed || c->rng != NULL))
        return fp_cli_usage("--runs, --seed and --rng apply only to --scenario");
    for (size_t i = 0; i < c->n_args; i++) {
        if (fp_cli_same_file(c->output, c->args[i]) || fp_cli_same_file(o->folded, c->args[i]))
            return fp_cli_usage("refusing to overwrite input '%s'", c->args[i]);
    }
    for (size_t i = 0; i < o->n_scenarios; i++) {
        if (fp_cli_same_file(c->output, o->scenarios[i]) ||
            fp_cli_same_file(o->folded, o->scenarios[i]))
            return fp_cli_usage("refusing to overwrite input '%s'", o->scenarios[i]);
    }
    if (fp_cli_same_file(c->output, o->folded))
        return fp_cli_usage("--output and --folded-diff name the same file '%s'", c->output);
    return 0;
}

/* ---- the two sides ---- */

/* Where the runs of one side go. */
typedef struct side_ctx {
    fp_compare *c;
    fp_side side;
    size_t added;
} side_ctx;

static int on_input_run(void *ctx, fp_profile *prof, const fp_input_run *run)
{
    side_ctx *sc = ctx;
    fp_error err = FP_ERROR_INIT;
    if (fp_compare_add_run(sc->c, sc->side, prof, &err) != FP_OK) {
        if (err.file[0] == '\0')
            snprintf(err.file, sizeof(err.file), "%s", run->file);
        return fp_cli_report_error(&err);
    }
    sc->added++;
    return 0;
}

static int on_sim_run(void *ctx, fp_profile *prof, uint64_t run)
{
    side_ctx *sc = ctx;
    fp_error err = FP_ERROR_INIT;
    (void)run;
    if (fp_compare_add_run(sc->c, sc->side, prof, &err) != FP_OK)
        return fp_cli_report_error(&err);
    return 0;
}

/*
 * Adds every run of input `path` to side `side`: whatever `fpsim analyze` reads (fp_input_open():
 * profile, runs document, Chrome trace, generate directory or index, directory of JSON files).
 */
static int add_path(fp_compare *c, fp_side side, const char *path, fp_profile *prof,
                    side_info *info)
{
    side_ctx sc = {c, side, 0};
    snprintf(info->desc, sizeof(info->desc), "%s", path);
    int rc = fp_cli_read_input(path, prof, on_input_run, &sc);
    if (rc == 0 && sc.added == 0) {
        fp_cli_errorf("%s: no runs", path);
        rc = FP_EXIT_DATA;
    }
    return rc;
}

/* Simulates the --runs runs of `scn` into side `side`. */
static int add_scenario(fp_compare *c, fp_side side, const fp_scenario *scn, const cmp_opts *o,
                        fp_profile *prof, side_info *info)
{
    side_ctx sc = {c, side, 0};
    uint64_t seed = fp_cli_seed_for(o->c.has_seed, o->c.seed, scn);
    info->simulated = 1;
    info->seed = seed;
    snprintf(info->desc, sizeof(info->desc), "%s", fp_scenario_name(scn));
    return fp_cli_simulate(scn, o->c.rng, seed, o->c.runs, prof, on_sim_run, &sc);
}

/*
 * Warns when the run counts cannot reach significance at run level: the smallest p of the exact
 * two-sided Mann-Whitney test for n1 vs n2 runs is 2 / C(n1 + n2, n1), and a verdict needs
 * p < alpha.
 */
static void warn_power(const fp_compare *c)
{
    size_t n1 = fp_compare_run_count(c, FP_SIDE_BASE), n2 = fp_compare_run_count(c, FP_SIDE_NEW);
    double alpha = fp_compare_opts(c)->alpha, pmin = fp_cli_mw_min_p(n1, n2);
    if (pmin < alpha)
        return;
    fp_cli_errorf("warning: %zu vs %zu runs cannot reach significance at run level (smallest "
                  "possible p %.3g >= alpha %g); %zu runs per side would",
                  n1, n2, pmin, alpha, fp_cli_mw_runs_needed(alpha));
}

/* Fires `g` for each regression: run-level metrics first, then methods. */
static void gate_regressions(const fp_compare *c, fp_cli_gate *g)
{
    size_t nm, nr;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    const fp_compare_options *co = fp_compare_opts(c);
    for (size_t i = 0; i < nr; i++) {
        const fp_sample_delta *d = &rd[i].d;
        if (d->change == FP_CHANGE_REGRESSION)
            fp_cli_gate_fire(g,
                             "--fail-on-regression: run %s %.4g -> %.4g %s (ratio %.3f, p %.2g; "
                             "limit ratio > %.3f and p < %g)",
                             rd[i].name, d->base_median, d->new_median, rd[i].unit, d->ratio,
                             d->mw.p, 1.0 + co->noise, co->alpha);
    }
    for (size_t i = 0; i < nm; i++) {
        const fp_sample_delta *d = &md[i].time;
        if (md[i].change == FP_CHANGE_REGRESSION)
            fp_cli_gate_fire(g,
                             "--fail-on-regression: method '%s' per-call time %.4g -> %.4g s "
                             "(ratio %.3f, p %.2g; limit ratio > %.3f and p < %g)",
                             md[i].name, d->base_median, d->new_median, d->ratio, d->mw.p,
                             1.0 + co->noise, co->alpha);
    }
}

typedef struct cmp_summary {
    const fp_compare *c;
    const fp_report_compare_side *sides;
    const char *gate;
} cmp_summary;

static fp_status write_summary(void *ctx, FILE *f, fp_error *err)
{
    const cmp_summary *cs = ctx;
    return fp_report_write_compare_summary(f, cs->c, cs->sides, cs->gate, err);
}

int fp_cmd_compare(int argc, char **argv)
{
    cmp_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    o.c.runs = 30;
    o.co = (fp_compare_options)FP_COMPARE_OPTIONS_INIT;
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out, fold;
    memset(&out, 0, sizeof(out));
    memset(&fold, 0, sizeof(fold));
    fp_profile *prof = NULL;
    fp_compare *c = NULL;
    side_info si[2];
    memset(si, 0, sizeof(si));
    fp_error err = FP_ERROR_INIT;
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (o.n_scenarios == 2 && (rc = fp_cli_load_scenarios(&scns, o.scenarios, 2)) != 0)
        goto done;
    if ((prof = fp_profile_new()) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    if (fp_compare_new(&c, &o.co, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    for (int s = 0; s < 2 && rc == 0; s++) {
        if (o.n_scenarios == 2)
            rc = add_scenario(c, (fp_side)s, scns.items[s], &o, prof, &si[s]);
        else
            rc = add_path(c, (fp_side)s, o.c.args[s], prof, &si[s]);
    }
    if (rc != 0)
        goto done;
    if (fp_compare_finish(c, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    warn_power(c);
    if (o.folded != NULL) {
        if ((rc = fp_cli_out_open(&fold, o.folded)) != 0)
            goto done;
        if (fp_compare_write_folded(c, fold.f, &err) != FP_OK) {
            snprintf(err.file, sizeof(err.file), "%s", o.folded);
            rc = fp_cli_report_error(&err);
            goto done;
        }
    }
    if ((rc = fp_cli_out_open(&out, o.c.output)) != 0)
        goto done;
    const fp_report_compare_side sides[2] = {{si[0].desc, si[0].simulated, si[0].seed},
                                             {si[1].desc, si[1].simulated, si[1].seed}};
    fp_status wst =
        fp_report_write_compare(out.f, o.c.report_format, c, sides, fp_cli_rng_name(o.c.rng), &err);
    if (wst != FP_OK && wst != FP_EIO) { /* write errors: reported by the commit below */
        rc = fp_cli_report_error(&err);
        goto done;
    }
    if ((rc = fp_cli_interrupted()) != 0 ||
        (o.folded != NULL && (rc = fp_cli_out_commit(&fold)) != 0))
        goto done;
    fp_cli_gate gate = FP_CLI_GATE_INIT;
    if (o.fail_on_regression)
        gate_regressions(c, &gate);
    rc = fp_cli_out_finish(&out, FP_OK, &err, gate.fired);
    fp_cli_gate_print(&gate);
    if (rc == 0 || rc == FP_EXIT_FINDINGS) {
        cmp_summary cs = {c, sides, o.fail_on_regression ? gate.why : NULL};
        int src = fp_cli_write_summary(o.c.summary, write_summary, &cs);
        rc = src != 0 ? src : rc;
    }
done:
    fp_cli_out_abort(&out); /* no-ops once committed */
    fp_cli_out_abort(&fold);
    fp_compare_free(c);
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
