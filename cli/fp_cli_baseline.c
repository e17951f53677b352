/*
 * fp_cli_baseline.c - `fpsim baseline`: learns what is normal for a flow, from clean simulated
 * runs of a scenario or from real profiles and traces, and writes the baseline file
 * (analysis/fp_baseline.h, schemas/baseline.schema.json).
 */
#include <stdlib.h>
#include <string.h>

#include "fp_baseline.h"
#include "fp_cli.h"
#include "fp_profile.h"
#include "fp_validate.h"

static const char *const s_help =
    "Usage: fpsim baseline --scenario NAME|FILE [--runs N] [--seed S] -o FILE\n"
    "       fpsim baseline FILE|DIR... -o FILE\n"
    "\n"
    "Learns what is normal for a flow and writes it as a baseline file (versioned JSON,\n"
    "schemas/baseline.schema.json) for '--baseline FILE' of report, analyze and validate:\n"
    "per method the quantiles of its own time per call, calls, allocation and retention per\n"
    "call, CPU and I/O per run; per run the duration and the memory and CPU series' level,\n"
    "slope and noise. With --scenario it learns from clean simulated runs (nothing injected)\n"
    "on the seed stream '--baseline auto' uses; with files from every run of each input\n"
    "(profile JSON, runs documents, Chrome traces, generate directories, '-').\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME   built-in or scenario file (one)\n"
    "  -n, --runs N          clean runs to learn from (default 30)\n"
    "      --seed N          batch seed (default: the scenario's seed:, else 42)\n"
    "      --rng NAME        GSL generator (default mt19937)\n"
    "      --set KEY=VALUE   set an analysis threshold (repeatable)\n"
    "  -o, --output FILE     write atomically to FILE (default standard output)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad data, 66 no input, 70 internal,\n"
    "73 cannot create output, 74 write error, 130/143 interrupted.\n";

typedef struct bl_ctx {
    fp_baseline *b;
    const fp_thresholds *th;
} bl_ctx;

static int on_input(void *ctx, fp_profile *prof, const fp_input_run *run)
{
    bl_ctx *c = ctx;
    fp_error err = FP_ERROR_INIT;
    if (fp_baseline_add(c->b, prof, c->th, fp_cli_cancel_cb, NULL, &err) != FP_OK) {
        if (err.file[0] == '\0')
            snprintf(err.file, sizeof(err.file), "%s", run->file);
        return fp_cli_report_error(&err);
    }
    return 0;
}

int fp_cmd_baseline(int argc, char **argv)
{
    fp_cli_common c;
    fp_cli_common_init(&c);
    c.runs = FP_BASELINE_AUTO_RUNS;
    const fp_cli_spec spec = {s_help, FP_CMD_BASELINE_OPTS, 0, NULL, NULL, NULL, 1, NULL};
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    fp_profile *prof = NULL;
    fp_baseline *b = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds th;
    int rc = fp_cli_parse(&c, &spec, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (c.n_scenarios > 1 || (c.n_scenarios == 1 && c.n_args > 0)) {
        rc = fp_cli_usage("baseline takes one --scenario, or input files, not both");
        goto done;
    }
    if (c.n_scenarios == 0 && c.n_args == 0) {
        rc = fp_cli_usage("baseline needs --scenario NAME|FILE or at least one input FILE");
        goto done;
    }
    if (c.n_scenarios == 0 && (c.has_runs || c.has_seed || c.rng != NULL)) {
        rc = fp_cli_usage("--runs, --seed and --rng apply to --scenario only");
        goto done;
    }
    if (c.n_scenarios == 1 && strcmp(c.scenarios[0], "all") == 0) {
        rc = fp_cli_usage("baseline learns one scenario; 'all' is not one");
        goto done;
    }
    if (c.n_scenarios == 1) {
        if ((rc = fp_cli_load_scenarios(&scns, c.scenarios, 1)) != 0 ||
            (rc = fp_cli_thresholds_for(&c, scns.items[0], NULL, &th)) != 0)
            goto done;
        uint64_t seed = fp_cli_seed_for(c.has_seed, c.seed, scns.items[0]);
        if (fp_validate_learn_baseline(&b, scns.items[0], c.rng, seed, c.runs, &th,
                                       fp_cli_cancel_cb, NULL, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
    } else {
        if ((rc = fp_cli_thresholds_for(&c, NULL, NULL, &th)) != 0)
            goto done;
        if ((prof = fp_profile_new()) == NULL || fp_baseline_new(&b, &err) != FP_OK) {
            rc = fp_cli_nomem();
            goto done;
        }
        bl_ctx ctx = {b, &th};
        for (size_t i = 0; i < c.n_args; i++)
            if ((rc = fp_cli_read_input(c.args[i], prof, on_input, &ctx)) != 0)
                goto done;
        if (fp_baseline_finish(b, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            goto done;
        }
    }
    if ((rc = fp_cli_out_open(&out, c.output)) != 0)
        goto done;
    rc = fp_cli_out_finish(&out, fp_baseline_write_json(b, out.f, &err), &err, 0);
done:
    fp_cli_out_abort(&out); /* no-op once committed */
    fp_baseline_free(b);
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_common_cleanup(&c);
    return rc;
}
