/* fp_cli_simulate.c - `fpsim simulate`: simulated runs as summaries (text) or full profiles (JSON).
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_version.h>

#include "fp_cli.h"
#include "fp_profile.h"

static const char *const s_help =
    "Usage: fpsim simulate --scenario NAME|FILE|all [options]\n"
    "\n"
    "Simulates profiling runs of each scenario and prints one summary line per run (text) or\n"
    "every run's spans, series and ground truth (json, docs/output-formats.md).\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME   built-in (optimal, bottlenecked, memory-intensive, cpu-intensive),\n"
    "                        'all', or a scenario file; may be repeated\n"
    "  -n, --runs N          runs per scenario (default 1)\n"
    "      --seed N          batch seed, 0..2^64-1 (default: the scenario's seed:, else 42)\n"
    "      --rng NAME        GSL generator (default mt19937)\n"
    "  -f, --format FMT      text or json (default text)\n"
    "  -o, --output FILE     write to FILE atomically (default standard output)\n"
    "  -h, --help            show this help\n";

typedef struct sim_opts {
    fp_cli_common c; /* every option of simulate is a common one */
    int json;        /* --format json */
    fp_runs_writer rw;
    FILE *out;
} sim_opts;

/* Summary numbers of one run, straight from its spans and series. */
static void summarize(const fp_profile *p, double *peak_mem, double *avg_mem, double *peak_cpu,
                      double *avg_cpu, double *io_ops, double *io_bytes)
{
    fp_series s = fp_profile_series(p);
    *peak_mem = *avg_mem = *peak_cpu = *avg_cpu = *io_ops = *io_bytes = 0.0;
    for (size_t k = 0; k < s.n; k++) {
        if (s.mem_mb[k] > *peak_mem)
            *peak_mem = s.mem_mb[k];
        if (s.cpu_pct[k] > *peak_cpu)
            *peak_cpu = s.cpu_pct[k];
        *avg_mem += s.mem_mb[k];
        *avg_cpu += s.cpu_pct[k];
        *io_ops += s.io_ops[k];
        *io_bytes += s.io_bytes[k];
    }
    if (s.n > 0) {
        *avg_mem /= (double)s.n;
        *avg_cpu /= (double)s.n;
    }
}

static void write_text_run(FILE *f, const fp_profile *p)
{
    double pm, am, pc, ac, io, ib;
    summarize(p, &pm, &am, &pc, &ac, &io, &ib);
    fp_meta m = fp_profile_meta(p);
    fprintf(f, "%-18s %5llu %9.2f %9.1f %9.1f %6.1f %6.1f %9.0f %10.1f ", m.scenario,
            (unsigned long long)m.run_index, fp_profile_duration(p), pm, am, pc, ac, io,
            ib / 1048576.0);
    size_t nt = fp_profile_truth_count(p);
    const fp_truth *t = fp_profile_truth(p);
    if (nt == 0)
        fputs("-", f);
    for (size_t i = 0; i < nt; i++) {
        const char *target = t[i].target == FP_TARGET_PROCESS
                                 ? "process"
                                 : fp_profile_method_name(p, (size_t)t[i].target);
        fprintf(f, "%s%s@%s", i ? "," : "", fp_kind_name(t[i].kind), target);
    }
    fputc('\n', f);
}

static int parse_format(void *ctx, const char *arg)
{
    sim_opts *o = ctx;
    if (strcmp(arg, "text") == 0)
        o->json = 0;
    else if (strcmp(arg, "json") == 0)
        o->json = 1;
    else
        return fp_cli_usage("--format for simulate must be text or json, got '%s'", arg);
    return 0;
}

static int parse(sim_opts *o, int argc, char **argv)
{
    const fp_cli_spec spec = {s_help, FP_CMD_SIMULATE_OPTS, 0, NULL, NULL, parse_format, 0, o};
    int rc = fp_cli_parse(&o->c, &spec, argc, argv);
    if (rc != 0)
        return rc;
    if (o->c.n_scenarios == 0)
        return fp_cli_usage("simulate needs --scenario NAME|FILE|all");
    return 0;
}

/* Writes one simulated run: a summary line, or the run in the runs document. */
static int on_run(void *ctx, fp_profile *prof, uint64_t run)
{
    sim_opts *o = ctx;
    fp_error err = FP_ERROR_INIT;
    (void)run;
    if (!o->json)
        write_text_run(o->out, prof);
    else if (fp_runs_write_run(&o->rw, prof, &err) != FP_OK)
        return fp_cli_report_error(&err);
    return 0;
}

int fp_cmd_simulate(int argc, char **argv)
{
    sim_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    fp_profile *prof = NULL;
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    rc = fp_cli_load_scenarios(&scns, o.c.scenarios, o.c.n_scenarios);
    if (rc != 0)
        goto done;
    /* The analysis: section is checked as strictly as report and validate check it, although
     * simulate does not analyse: a misspelled threshold is an error here too. */
    for (size_t i = 0; i < scns.n; i++) {
        fp_thresholds th;
        if ((rc = fp_cli_scenario_thresholds(scns.items[i], NULL, &th)) != 0)
            goto done;
    }
    prof = fp_profile_new();
    if (prof == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    rc = fp_cli_out_open(&out, o.c.output);
    if (rc != 0)
        goto done;
    o.out = out.f;
    const char *rng_name = fp_cli_rng_name(o.c.rng);
    fp_error werr = FP_ERROR_INIT;
    /* A stream error (FP_EIO) is reported once, by the checked commit below. */
    if (o.json) {
        fp_runs_write_begin(&o.rw, out.f, GSL_VERSION, rng_name, &werr);
    } else {
        fprintf(out.f, "# fpsim %s, GSL %s, rng %s\n", fp_version(), GSL_VERSION, rng_name);
        fprintf(out.f, "%-18s %5s %9s %9s %9s %6s %6s %9s %10s %s\n", "# scenario", "run", "dur_s",
                "peak_mb", "avg_mb", "pk_cpu", "av_cpu", "io_ops", "io_mb", "injected");
    }
    for (size_t i = 0; i < scns.n; i++) {
        const fp_scenario *scn = scns.items[i];
        uint64_t seed = fp_cli_seed_for(o.c.has_seed, o.c.seed, scn);
        if (!o.json)
            fprintf(out.f, "# scenario %s, seed %llu\n", fp_scenario_name(scn),
                    (unsigned long long)seed);
        if ((rc = fp_cli_simulate(scn, o.c.rng, seed, o.c.runs, prof, on_run, &o)) != 0)
            goto done;
    }
    if (o.json)
        fp_runs_write_end(&o.rw, &werr);
    rc = fp_cli_out_commit(&out);
done:
    fp_cli_out_abort(&out); /* no-op once committed */
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
