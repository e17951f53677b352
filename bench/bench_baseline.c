/*
 * bench_baseline.c - what a baseline adds to the analysis of one run (target: at most 20 %), and
 * what learning `--baseline auto` costs, per built-in scenario, on the unlike ETL flow and on
 * two flows whose runs have process-level findings to test (tests/data/unlike/proc-*).
 *
 * Each scenario's runs (scenario probabilities) are simulated once into memory; then paired
 * rounds analyse the same runs with fp_analyze() and with fp_analyze_with_baseline() (the order
 * alternating between rounds), timed with the process CPU clock; the figure is the median over
 * rounds of (time with baseline) / (time without) - 1 (fp_bench.h: paired rounds, thread CPU
 * clock, median and spread).
 *
 * Usage: bench_baseline [rounds (default 11)]     FP_BENCH_QUICK=1: 9 rounds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_bench.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_sim.h"
#include "fp_validate.h"

#define RUNS 64
#define REPS 8 /* each side analyses the RUNS runs REPS times: ~10-50 ms of CPU */

typedef struct {
    fp_profile **p;
    const fp_baseline *b;
    fp_bench_meter m;
} base_ctx;

/* Side 0 analyses the runs without the baseline, side 1 with it. */
static int base_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    base_ctx *c = vctx;
    fp_error err = FP_ERROR_INIT;
    (void)round;
    fp_bench_start(&c->m);
    for (size_t k = 0; k < RUNS * REPS; k++) {
        fp_analysis *a = NULL;
        if (fp_analyze_with_baseline(&a, c->p[k % RUNS], NULL, side ? c->b : NULL, &err) != FP_OK)
            return -1;
        fp_analysis_free(a);
    }
    *out = fp_bench_stop(&c->m);
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const files[] = {
        "scenarios/optimal.yaml", "scenarios/bottlenecked.yaml", "scenarios/memory-intensive.yaml",
        "scenarios/cpu-intensive.yaml", "tests/data/unlike/baseline-etl.yaml",
        /* process-level findings tested in every run: ~8 CPU episodes; a leak and 2 episodes */
        "tests/data/unlike/proc-saturated-batch.yaml", "tests/data/unlike/proc-scale.yaml"};
    size_t rounds = fp_bench_rounds(argc > 1 ? atoi(argv[1]) : 0, 11);
    const char *isrc = "";
    gsl_set_error_handler_off();
    printf("%-18s %14s %16s %18s  %s\n", "scenario", "analyse ms/run", "+baseline ms/run",
           "learn (30 runs) ms", "baseline adds (%)");
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[1024];
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_sim *sim = NULL;
        fp_baseline *b = NULL;
        fp_profile *p[RUNS];
        base_ctx c = {.p = p};
        fp_bench_paired res;
        snprintf(path, sizeof path, "%s/%s", FP_SOURCE_DIR, files[f]);
        if (fp_scenario_load_file(&s, path, &err) != FP_OK ||
            fp_sim_new(&sim, s, NULL, &err) != FP_OK) {
            fprintf(stderr, "bench_baseline: %s: %s\n", path, err.msg);
            return 1;
        }
        for (size_t k = 0; k < RUNS; k++)
            if ((p[k] = fp_profile_new()) == NULL || fp_sim_run(sim, 1, k, p[k], &err) != FP_OK)
                return 1;
        fp_bench_meter_open(&c.m, FP_BENCH_THREAD);
        fp_bench_start(&c.m);
        if (fp_validate_learn_baseline(&b, s, NULL, 1, FP_BASELINE_AUTO_RUNS, NULL, NULL, NULL,
                                       &err) != FP_OK)
            return 1;
        double learn = fp_bench_stop(&c.m).sec;
        c.b = b;
        if (fp_bench_pair(rounds, base_side, &c, &res) != 0)
            return 1;
        printf("%-18s %14.3f %16.3f %18.1f  ", fp_scenario_name(s),
               1e3 * res.sec_a.median / (RUNS * REPS), 1e3 * res.sec_b.median / (RUNS * REPS),
               1e3 * learn);
        fp_bench_print_stats(stdout, &res.ratio, -1.0, 100.0, 1);
        printf("\n");
        isrc = fp_bench_instr_source(&c.m);
        fp_bench_meter_close(&c.m);
        for (size_t k = 0; k < RUNS; k++)
            fp_profile_free(p[k]);
        fp_baseline_free(b);
        fp_sim_free(sim);
        fp_scenario_free(s);
    }
    printf("thread CPU clock; %zu paired rounds of %d x %d analyses; baseline adds = "
           "(analyse with baseline) / (analyse) - 1 per round (target <= 20 %%); instructions: "
           "%s\n",
           rounds, REPS, RUNS, isrc);
    return 0;
}
