/*
 * fp_cli_run.c - the steps the commands share between parsing and writing: the simulation loop,
 * the input-reading loop, analysing a run into a report with the --fail-on gate, and finishing
 * an output. Each prints its own errors (cli/ is where fpsim prints) and returns an exit status.
 */
#include "fp_cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fp_sim.h"

int fp_cli_interrupted(void)
{
    if (!fp_cli_signal)
        return 0;
    fp_cli_errorf("interrupted");
    return fp_cli_signal_exit();
}

int fp_cli_simulate(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed, uint64_t runs,
                    fp_profile *prof, fp_cli_sim_fn each, void *ctx)
{
    return fp_cli_simulate_shard(scn, rng, seed, runs, 0, 0, prof, each, ctx);
}

int fp_cli_simulate_shard(const fp_scenario *scn, const gsl_rng_type *rng, uint64_t seed,
                          uint64_t runs, uint64_t shard_k, uint64_t shard_n, fp_profile *prof,
                          fp_cli_sim_fn each, void *ctx)
{
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    so.rng_type = rng;
    so.cancel = fp_cli_cancel_cb; /* a SIGINT/SIGTERM stops a run within a fraction of a second */
    fp_error err = FP_ERROR_INIT;
    fp_sim *sim = NULL;
    int rc = 0;
    if (fp_sim_new(&sim, scn, &so, &err) != FP_OK)
        return fp_cli_report_error(&err);
    uint64_t step = shard_n > 0 ? shard_n : 1;
    for (uint64_t r = shard_n > 0 ? shard_k : 0; r < runs && rc == 0; r += step) {
        if ((rc = fp_cli_interrupted()) != 0)
            break;
        if (fp_sim_run(sim, seed, r, prof, &err) != FP_OK)
            rc = fp_cli_report_error(&err);
        else
            rc = each(ctx, prof, r);
    }
    fp_sim_free(sim);
    return rc;
}

int fp_cli_read_input(const char *path, fp_profile *prof, fp_cli_input_fn each, void *ctx)
{
    fp_error err = FP_ERROR_INIT;
    fp_input *in = NULL;
    fp_input_run run;
    int rc = 0, got = 0;
    /* Opening parses a JSON document whole, and the sampled formats parse theirs in next(): both
     * are unpolled reads (nothing is written meanwhile), so a signal ends them at once. */
    fp_cli_unpolled(1);
    fp_status st = fp_input_open(&in, path, &err);
    fp_cli_unpolled(0);
    if (st != FP_OK)
        return fp_cli_report_input_error(&err);
    while (rc == 0) {
        if ((rc = fp_cli_interrupted()) != 0)
            break;
        fp_cli_unpolled(1);
        st = fp_input_next(in, prof, &run, &got, &err);
        fp_cli_unpolled(0);
        if (st != FP_OK) {
            rc = fp_cli_report_input_error(&err);
            break;
        }
        if (!got)
            break;
        rc = each(ctx, prof, &run);
    }
    fp_input_close(in);
    return rc;
}

int fp_cli_report_open(const fp_cli_common *c, fp_cli_out *out, fp_report **rep)
{
    *rep = NULL;
    int rc = fp_cli_out_open(out, c->output);
    if (rc != 0)
        return rc;
    fp_report_options ro = FP_REPORT_OPTIONS_INIT;
    ro.format = c->report_format;
    ro.detailed = c->detailed;
    ro.colour = c->report_format == FP_REPORT_TEXT && fp_cli_use_colour(out->f);
    if ((*rep = fp_report_new(&ro)) == NULL) {
        return fp_cli_nomem();
    }
    return 0;
}

int fp_cli_report_run(fp_report *rep, const fp_profile *prof, const fp_thresholds *th, int fail_on,
                      const char *file, fp_cli_gate *gate)
{
    return fp_cli_report_run_baseline(rep, prof, th, NULL, fail_on, file, gate);
}

int fp_cli_report_run_baseline(fp_report *rep, const fp_profile *prof, const fp_thresholds *th,
                               const struct fp_baseline *b, int fail_on, const char *file,
                               fp_cli_gate *gate)
{
    fp_error err = FP_ERROR_INIT;
    fp_analysis *a = NULL;
    if (fp_analyze_cancellable(&a, prof, th, b, fp_cli_cancel_cb, NULL, &err) != FP_OK) {
        if (file != NULL && err.file[0] == '\0')
            snprintf(err.file, sizeof(err.file), "%s", file);
        return fp_cli_report_error(&err);
    }
    int rc = fp_cli_report_add_analyzed(rep, prof, a, fail_on, file, gate);
    fp_analysis_free(a);
    return rc;
}

int fp_cli_report_add_analyzed(fp_report *rep, const fp_profile *prof, const fp_analysis *a,
                               int fail_on, const char *file, fp_cli_gate *gate)
{
    fp_error err = FP_ERROR_INIT;
    size_t nf;
    const fp_finding *f = fp_analysis_findings(a, &nf);
    fp_meta m = fp_profile_meta(prof);
    for (size_t k = 0; k < nf && fail_on >= 0; k++) {
        if ((int)f[k].severity < fail_on)
            continue;
        char where[FP_ERROR_FILE_MAX + 64] = "";
        if (m.scenario[0] != '\0')
            snprintf(where, sizeof(where), " in '%s' run %llu", m.scenario,
                     (unsigned long long)m.run_index);
        else if (file != NULL)
            snprintf(where, sizeof(where), " in %s", file);
        fp_cli_gate_fire(gate, "--fail-on %s: finding #%zu %s on '%s' is %s (impact %.0f)%s",
                         fp_severity_name((fp_severity)fail_on), k + 1, fp_kind_name(f[k].kind),
                         f[k].target_name, fp_severity_name(f[k].severity), f[k].impact, where);
    }
    return fp_report_add_run(rep, prof, a, &err) != FP_OK ? fp_cli_report_error(&err) : 0;
}

int fp_cli_out_finish(fp_cli_out *o, fp_status st, const fp_error *err, int gate)
{
    int rc;
    if (st != FP_OK && st != FP_EIO) /* a write error is reported by the commit */
        rc = fp_cli_report_error(err);
    else
        rc = fp_cli_out_commit(o);
    if (rc != 0) {
        fp_cli_out_abort(o);
        return rc;
    }
    return gate ? FP_EXIT_FINDINGS : 0;
}

/* ---- gates ---- */

void fp_cli_gate_fire(fp_cli_gate *g, const char *fmt, ...)
{
    if (!g->fired) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->why, sizeof(g->why), fmt, ap);
        va_end(ap);
    }
    g->fired = 1;
    g->count++;
}

void fp_cli_gate_print(const fp_cli_gate *g)
{
    if (!g->fired)
        return;
    if (g->count > 1)
        fprintf(stderr, "fpsim: gate: %s (and %zu more)\n", g->why, g->count - 1);
    else
        fprintf(stderr, "fpsim: gate: %s\n", g->why);
}

/* ---- the CI summary ---- */

int fp_cli_write_summary(const char *path, fp_cli_summary_fn write, void *ctx)
{
    if (path == NULL) {
        path = getenv("GITHUB_STEP_SUMMARY");
        if (path == NULL || path[0] == '\0')
            return 0;
    }
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "a");
    if (f == NULL) {
        fp_cli_errorf("%s: cannot open summary: %s", path, strerror(errno));
        return FP_EXIT_CANTCREAT;
    }
    fp_error err = FP_ERROR_INIT;
    fp_status st = write(ctx, f, &err);
    int bad = fflush(f) != 0 || ferror(f);
    if (f != stdout && fclose(f) != 0)
        bad = 1;
    if (st != FP_OK && st != FP_EIO)
        return fp_cli_report_error(&err);
    if (bad || st == FP_EIO) {
        fp_cli_errorf("%s: summary write failed", path);
        return FP_EXIT_IOERR;
    }
    return 0;
}

/* ---- what a run count can show ---- */

double fp_cli_mw_min_p(size_t n1, size_t n2)
{
    /* 2 / C(n1 + n2, n1), in logs so that large counts do not overflow */
    if (n1 == 0 || n2 == 0)
        return 1.0;
    double lc = lgamma((double)(n1 + n2) + 1) - lgamma((double)n1 + 1) - lgamma((double)n2 + 1);
    double p = 2.0 * exp(-lc);
    return p > 1.0 ? 1.0 : p;
}

size_t fp_cli_mw_runs_needed(double alpha)
{
    size_t n = 1;
    while (n < 1000 && !(fp_cli_mw_min_p(n, n) < alpha))
        n++;
    return n;
}
