/*
 * fp_cli_validate.c - `fpsim validate`: option parsing, progress on standard error and the call
 * into the validation engine (validate/fp_validate.h), whose results are written by reports/
 * (fp_report_write_validate, _sweep, _power). Studies, determinism at any --jobs and the per-kind
 * tables are documented in validate/fp_validate.h; the statistics in docs/validation.md.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "fp_analysis.h"
#include "fp_cli.h"
#include "fp_cli_shard.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_validate.h"

static const char *const s_help =
    "Usage: fpsim validate --scenario NAME|FILE|all [--runs N] [--seed S] [--jobs J] [options]\n"
    "       fpsim validate --sweep DETECTOR|KEY [--grid V,V,...] [options]\n"
    "       fpsim validate --power KIND [--grid S,S,...] [options]\n"
    "       fpsim validate --record [--runs N] [--seed S] [options] -- COMMAND [ARGS...]\n"
    "                             (real processes: 'fpsim validate --record --help')\n"
    "\n"
    "Simulates runs whose ground truth is known, analyses each with the default (or given)\n"
    "thresholds, matches findings to injected bottlenecks (rules in docs/validation.md) and\n"
    "reports per scenario x kind and overall: TP, FP, FN, precision, recall and F1 with 95 %\n"
    "Wilson intervals, false alarms on runs with nothing injected, time to detect (leaks, CPU),\n"
    "severity calibration (top-1, top-3, Spearman) and NAB-style scores.\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME   built-in, 'all' or a scenario file; repeatable (default all)\n"
    "  -n, --runs N          run indices per scenario (default 100); each index is simulated\n"
    "                        with every bottleneck injected and with none (see --inject)\n"
    "      --seed N          batch seed (default: the scenario's seed:, else 42)\n"
    "      --rng NAME        GSL generator (default mt19937)\n"
    "  -j, --jobs J          worker threads (default 1); output is identical for any J\n"
    "      --inject MODE     both (default): each index once with all, once with none;\n"
    "                        all; none; scenario (the scenario's probabilities)\n"
    "      --no-ttd          skip the time-to-detect re-analyses (faster)\n"
    "      --sweep DET       sweep a detector's threshold (slow_method, latency_outliers,\n"
    "                        memory_hotspot, memory_leak, cpu_saturation, call_storm,\n"
    "                        io_heavy, or a dotted threshold key); prints precision/recall\n"
    "                        per threshold and the best-F1 threshold\n"
    "      --power KIND      sweep the injected magnitude scale of KIND (every bottleneck\n"
    "                        injected) and print detection probability per magnitude and\n"
    "                        the minimum detectable effect at >= 90 % recall\n"
    "      --grid LIST       comma-separated thresholds (--sweep) or scales (--power)\n"
    "      --set KEY=VALUE   set an analysis threshold (repeatable; 'fpsim thresholds')\n"
    "      --baseline B      auto (default; none with --sweep): learn what is normal from\n"
    "                        30 clean runs of each scenario on an independent seed stream;\n"
    "                        none: absolute thresholds only; or a baseline FILE\n"
    "  -f, --format FMT      text, json, markdown (md), csv, html or openmetrics (default\n"
    "                        text; openmetrics: the accuracy report only)\n"
    "  -o, --output FILE     write atomically to FILE (default standard output)\n"
    "      --shard K/N       compute only the run indices i with i mod N = K (0 <= K < N) and\n"
    "                        write a partial result; 'fpsim merge' joins the N parts into\n"
    "                        this command's output, byte for byte (docs/validation.md)\n"
    "      --checkpoint FILE keep every finished run's record in FILE as the study goes: a\n"
    "                        SIGINT/SIGTERM leaves it for --resume (removed on success)\n"
    "      --resume          continue the study a --checkpoint FILE holds (same command and\n"
    "                        options) to the output of an uninterrupted run\n"
    "      --fail-below F1   exit 1 when the overall F1 is below F1 (CI gate); says why on\n"
    "                        stderr\n"
    "      --summary FILE    append a Markdown summary for CI pages to FILE\n"
    "                        (default: $GITHUB_STEP_SUMMARY when set)\n"
    "  -q, --quiet           no progress on standard error\n"
    "  -h, --help            show this help\n"
    "\n"
    "Progress (runs done, runs/s, ETA) goes to standard error when it is a terminal.\n"
    "Exit status: 0 ok, 1 --fail-below triggered, 64 usage, 65 bad data, 66 no input,\n"
    "70 internal or out of memory, 73 cannot create output, 74 read or write error,\n"
    "130/143 interrupted.\n";

#define MAX_GRID FP_VALIDATE_MAX_GRID

typedef struct vopts {
    fp_cli_common c; /* --scenario, --runs, --seed, --rng, --format, --output */
    unsigned jobs;
    fp_validate_inject inject;
    int ttd;
    const char *sweep; /* detector name or key */
    int power;         /* -1 off, else fp_kind */
    double grid[MAX_GRID];
    size_t n_grid;
    double fail_below; /* < 0: off */
    int quiet;
    const char *checkpoint; /* --checkpoint FILE, or NULL */
    int resume;             /* --resume */
} vopts;

/* ---- progress ---- */

/* The engine's progress callback: called after each batch. */
static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    fp_cli_progress_update(ctx, done, total);
}

/* The same with the engine's work estimate (the ETA of scenarios that cost different amounts). */
static void on_progress_work(void *ctx, uint64_t done, uint64_t total, double work_done,
                             double work_total)
{
    fp_cli_progress_update_work(ctx, done, total, work_done, work_total);
}

/* The engine's cancel callback: a SIGINT or SIGTERM is pending. */
static int on_cancel(void *ctx)
{
    (void)ctx;
    return fp_cli_signal != 0;
}

/* After a study: a shard's part gets its trailer; a merge checks every part was read whole. */
static fp_status end_study(fp_cli_shard_out *shard, fp_cli_merge *merge, fp_error *err)
{
    if (shard != NULL)
        return fp_cli_shard_end(shard, err);
    if (merge != NULL)
        return fp_cli_merge_finish(merge, err);
    return FP_OK;
}

/* ---- options ---- */

static int parse_grid(vopts *o, const char *s)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", s);
    o->n_grid = 0;
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        double v;
        if (o->n_grid == MAX_GRID || fp_cli_parse_double(tok, &v) != 0 || !(v >= 0))
            return -1;
        o->grid[o->n_grid++] = v;
    }
    return o->n_grid > 0 ? 0 : -1;
}

enum {
    OPT_JOBS,
    OPT_INJECT,
    OPT_NOTTD,
    OPT_SWEEP,
    OPT_POWER,
    OPT_GRID,
    OPT_FAIL,
    OPT_QUIET,
    OPT_CHECKPOINT,
    OPT_RESUME
};

static int on_option(void *ctx, int id, char *arg)
{
    vopts *o = ctx;
    switch (id) {
    case OPT_JOBS: {
        uint64_t j;
        if (fp_cli_parse_u64(arg, &j) != 0 || j == 0 || j > 256)
            return fp_cli_usage("--jobs must be an integer in [1, 256], got '%s'", arg);
        o->jobs = (unsigned)j;
        return 0;
    }
    case OPT_INJECT:
        if (fp_validate_inject_from_name(arg, &o->inject) != FP_OK)
            return fp_cli_usage("--inject must be both, all, none or scenario, got '%s'", arg);
        return 0;
    case OPT_NOTTD:
        o->ttd = 0;
        return 0;
    case OPT_SWEEP:
        o->sweep = arg;
        return 0;
    case OPT_POWER: {
        fp_kind k;
        if (fp_kind_from_name(arg, &k) != FP_OK)
            return fp_cli_usage("--power: unknown bottleneck kind '%s'", arg);
        o->power = (int)k;
        return 0;
    }
    case OPT_GRID:
        if (parse_grid(o, arg) != 0)
            return fp_cli_usage("--grid must be a comma-separated list of at most %d "
                                "numbers >= 0, got '%s'",
                                MAX_GRID, arg);
        return 0;
    case OPT_FAIL:
        if (fp_cli_parse_double(arg, &o->fail_below) != 0 || o->fail_below < 0 || o->fail_below > 1)
            return fp_cli_usage("--fail-below must be a number in [0, 1], got '%s'", arg);
        return 0;
    case OPT_QUIET:
        o->quiet = 1;
        return 0;
    case OPT_CHECKPOINT:
        o->checkpoint = arg;
        return 0;
    case OPT_RESUME:
        o->resume = 1;
        return 0;
    }
    return FP_EXIT_SOFTWARE; /* not reached: every id of own[] is handled */
}

static int parse(vopts *o, int argc, char **argv)
{
    static const fp_cli_option own[] = {{"jobs", 'j', 1, OPT_JOBS},
                                        {"inject", 0, 1, OPT_INJECT},
                                        {"no-ttd", 0, 0, OPT_NOTTD},
                                        {"sweep", 0, 1, OPT_SWEEP},
                                        {"power", 0, 1, OPT_POWER},
                                        {"grid", 0, 1, OPT_GRID},
                                        {"fail-below", 0, 1, OPT_FAIL},
                                        {"quiet", 'q', 0, OPT_QUIET},
                                        {"checkpoint", 0, 1, OPT_CHECKPOINT},
                                        {"resume", 0, 0, OPT_RESUME},
                                        {NULL, 0, 0, 0}};
    const fp_cli_spec spec = {s_help, FP_CMD_VALIDATE_OPTS, 0, own, on_option, NULL, 0, o};
    int rc = fp_cli_parse(&o->c, &spec, argc, argv);
    if (rc != 0)
        return rc;
    if (o->sweep != NULL && o->power >= 0)
        return fp_cli_usage("--sweep and --power cannot be combined");
    if (o->n_grid > 0 && o->sweep == NULL && o->power < 0)
        return fp_cli_usage("--grid needs --sweep or --power");
    if (o->c.shard_n > 0 && o->c.format != NULL)
        return fp_cli_usage("--shard writes a partial result: give --format to 'fpsim merge'");
    if (o->resume && o->checkpoint == NULL)
        return fp_cli_usage("--resume needs the --checkpoint FILE to continue");
    if (o->checkpoint != NULL && o->c.shard_n > 0)
        return fp_cli_usage("--checkpoint is not for shards: a shard that fails is rerun whole");
    if (o->c.report_format == FP_REPORT_OPENMETRICS && (o->sweep != NULL || o->power >= 0))
        return fp_cli_usage("--format openmetrics is a format of the accuracy report, not of "
                            "--sweep or --power");
    if (o->fail_below >= 0 && (o->sweep != NULL || o->power >= 0))
        return fp_cli_usage("--fail-below applies to the accuracy report, not to --sweep or "
                            "--power");
    if (o->power >= 0 && o->n_grid > 0) {
        for (size_t i = 0; i < o->n_grid; i++)
            if (!(o->grid[i] > 0))
                return fp_cli_usage("--grid scales for --power must be > 0");
    }
    return 0;
}

void fp_cli_validate_gate(fp_cli_gate *g, const fp_validate_engine *e, double fail_below)
{
    const fp_validate_summary *all = fp_validate_engine_overall(e);
    if (!(fail_below >= 0 && (!all->overall.f1.available || all->overall.f1.value < fail_below)))
        return;
    if (all->overall.f1.available)
        fp_cli_gate_fire(g, "--fail-below %g: overall F1 is %.4f (limit: at least %g)", fail_below,
                         all->overall.f1.value, fail_below);
    else
        fp_cli_gate_fire(g,
                         "--fail-below %g: overall F1 is n/a (no labels nor findings; limit: at "
                         "least %g)",
                         fail_below, fail_below);
}

fp_status fp_cli_validate_summary(void *ctx, FILE *out, fp_error *err)
{
    const fp_cli_vsummary *vs = ctx;
    return fp_report_write_validate_summary(out, vs->e, vs->gate, err);
}

int fp_cmd_validate(int argc, char **argv)
{
    /* --record (before any "--") validates recorded runs of a command instead */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--record") == 0)
            return fp_cli_validate_record_main(argc, argv);
    return fp_cli_validate_main(argc, argv, NULL);
}

int fp_cli_validate_main(int argc, char **argv, fp_cli_merge *merge)
{
    vopts o;
    memset(&o, 0, sizeof o);
    fp_cli_common_init(&o.c);
    o.c.runs = 100;
    o.jobs = 1;
    o.ttd = 1;
    o.power = -1;
    o.fail_below = -1;
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof out);
    fp_validate_engine *eng = NULL;
    fp_baseline **bls = NULL; /* one per scenario (NULL entries: none) */
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    fp_cli_gate gate = FP_CLI_GATE_INIT;
    fp_cli_progress pg;
    fp_cli_progress_init(&pg, "validate", 0);
    uint64_t *seeds = NULL;
    fp_cli_shard_out shard;
    int sharded = 0;
    fp_cli_checkpoint *ck = NULL;

    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    fp_kind sweep_kind = FP_KIND_SLOW_METHOD;
    const char *sweep_key = NULL;
    double sweep_grid[MAX_GRID];
    size_t n_sweep = 0;
    if (o.sweep != NULL) {
        if (fp_validate_sweep_resolve(o.sweep, &sweep_kind, &sweep_key, sweep_grid, &n_sweep,
                                      &err) != FP_OK) {
            rc = fp_cli_usage("--sweep: %s", err.msg);
            goto done;
        }
        if (o.n_grid > 0) {
            memcpy(sweep_grid, o.grid, o.n_grid * sizeof *sweep_grid);
            n_sweep = o.n_grid;
        }
        if (n_sweep == 0) {
            rc = fp_cli_usage("--sweep %s: its default is 0, so give its values with --grid",
                              sweep_key);
            goto done;
        }
        if (fp_validate_sweep_check(sweep_key, sweep_grid, n_sweep, &err) != FP_OK) {
            rc = fp_cli_usage("--grid: %s", err.msg);
            goto done;
        }
    }
    if ((rc = fp_cli_load_scenarios(&scns, o.c.scenarios, o.c.n_scenarios)) != 0 ||
        (rc = fp_cli_out_open(&out, o.c.output)) != 0)
        goto done;

    sharded = o.c.shard_n > 0 && merge == NULL;
    seeds = calloc(scns.n ? scns.n : 1, sizeof *seeds);
    if (seeds == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    for (size_t i = 0; i < scns.n; i++)
        seeds[i] = fp_cli_seed_for(o.c.has_seed, o.c.seed, scns.items[i]);
    if (merge != NULL && (rc = fp_cli_merge_check(merge, &scns, seeds)) != 0)
        goto done;
    if (sharded && (rc = fp_cli_shard_begin(&shard, out.f, "validate", argc, argv, &scns, seeds,
                                            o.c.shard_k, o.c.shard_n)) != 0)
        goto done;
    if (merge == NULL && o.checkpoint != NULL &&
        (rc = fp_cli_checkpoint_open(&ck, o.checkpoint, o.resume, "validate", argc, argv, &scns,
                                     seeds)) != 0)
        goto done;
    fp_cli_progress_init(&pg, "validate", !o.quiet && isatty(STDERR_FILENO));
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    cfg.runs = o.c.runs;
    cfg.inject = o.inject;
    cfg.ttd = o.ttd;
    cfg.jobs = o.jobs;
    cfg.rng = o.c.rng;
    cfg.progress = on_progress;
    cfg.progress_work = pg.on ? on_progress_work : NULL; /* its probe only where it is shown */
    cfg.progress_ctx = &pg;
    cfg.cancel = on_cancel;
    if (sharded) {
        cfg.shard_k = o.c.shard_k;
        cfg.shard_n = o.c.shard_n;
        cfg.sink = fp_cli_shard_sink;
        cfg.sink_ctx = &shard;
    } else if (merge != NULL) {
        cfg.source = fp_cli_merge_source;
        cfg.source_ctx = merge;
    } else if (ck != NULL) {
        cfg.log = fp_cli_checkpoint_log;
        cfg.log_ctx = ck;
        cfg.replay = o.resume ? fp_cli_checkpoint_replay : NULL;
        cfg.replay_ctx = ck;
    }
    if (fp_validate_engine_new(&eng, &cfg, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    if ((bls = calloc(scns.n ? scns.n : 1, sizeof *bls)) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    /* --set, applied over each scenario's analysis: section as --thresholds is by report; the
     * baseline (default auto) is learnt on a seed stream independent of the validated runs */
    for (size_t i = 0; i < scns.n; i++) {
        fp_thresholds th;
        if ((rc = fp_cli_thresholds_for(&o.c, scns.items[i], NULL, &th)) != 0)
            goto done;
        uint64_t seed = seeds[i];
        /* a sweep studies the absolute rule alone unless --baseline is given */
        if ((rc = fp_cli_baseline_for(&o.c, o.sweep != NULL ? "none" : "auto", scns.items[i], seed,
                                      &th, &bls[i])) != 0)
            goto done;
        if (fp_validate_engine_add_scenario(eng, scns.items[i], seed, &th, &err) != FP_OK ||
            fp_validate_engine_set_baseline(eng, i, bls[i], &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
    }

    if (o.sweep != NULL) {
        st = fp_validate_engine_sweep(eng, sweep_kind, sweep_key, sweep_grid, n_sweep, &err);
        if (st == FP_OK && (st = end_study(sharded ? &shard : NULL, merge, &err)) != FP_OK)
            ;
        else if (st == FP_OK && !sharded) {
            fp_cli_progress_show(&pg, 1);
            st = fp_report_write_sweep(out.f, o.c.report_format, eng, &err);
        }
    } else if (o.power >= 0) {
        size_t ng = o.n_grid;
        const double *grid = ng > 0 ? o.grid : fp_validate_power_grid(&ng);
        st = fp_validate_engine_power(eng, (fp_kind)o.power, grid, ng, &err);
        if (st == FP_EINVAL) { /* no selected scenario declares the kind: a usage error */
            rc = fp_cli_usage("--power: %s", err.msg);
            goto done;
        }
        if (st == FP_OK && (st = end_study(sharded ? &shard : NULL, merge, &err)) != FP_OK)
            ;
        else if (st == FP_OK && !sharded) {
            fp_cli_progress_show(&pg, 1);
            st = fp_report_write_power(out.f, o.c.report_format, eng, &err);
        }
    } else {
        st = fp_validate_engine_run(eng, &err);
        if (st == FP_OK && (st = end_study(sharded ? &shard : NULL, merge, &err)) != FP_OK)
            ;
        else if (st == FP_OK && !sharded) {
            fp_cli_progress_show(&pg, 1);
            st = fp_report_write_validate(out.f, o.c.report_format, eng, &err);
        }
        if (st == FP_OK && !sharded)
            fp_cli_validate_gate(&gate, eng, o.fail_below);
    }
    if (st == FP_EINTR) { /* cancelled by a signal (on_cancel) */
        if (pg.on)
            fputc('\n', stderr);
        fp_cli_errorf("interrupted");
        rc = fp_cli_signal_exit(); /* the checkpoint is kept and said below */
    } else {
        rc = fp_cli_out_finish(&out, st, &err, gate.fired);
        fp_cli_gate_print(&gate);
        if ((rc == 0 || rc == FP_EXIT_FINDINGS) && o.sweep == NULL && o.power < 0 && !sharded) {
            fp_cli_vsummary vs = {eng, o.fail_below >= 0 ? gate.why : NULL};
            int src = fp_cli_write_summary(o.c.summary, fp_cli_validate_summary, &vs);
            rc = src != 0 ? src : rc;
        }
    }
done:
    /* interrupted (during the study, or before it while a baseline was learnt): the checkpoint
     * is kept, and says so */
    if (ck != NULL && (rc == FP_EXIT_SIGINT || rc == FP_EXIT_SIGTERM))
        fp_cli_errorf("%llu records kept in the checkpoint '%s': continue with --resume",
                      (unsigned long long)fp_cli_checkpoint_kept(ck), o.checkpoint);
    /* kept when the study was interrupted (above) or the output could not be committed */
    fp_cli_checkpoint_close(ck, rc != 0 && rc != FP_EXIT_FINDINGS);
    fp_cli_out_abort(&out); /* no-op once committed */
    fp_validate_engine_free(eng);
    for (size_t i = 0; bls != NULL && i < scns.n; i++)
        fp_baseline_free(bls[i]);
    free(bls);
    free(seeds);
    fp_cli_free_scenarios(&scns);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
