/*
 * bench_analysis.c - runs per second of simulate-only and simulate+analyse for each built-in,
 * and the share the analysis adds (target: analysis adds <= 50 % to the simulation's cost).
 *
 * Paired rounds (fp_bench.h) on the same block of runs, thread CPU clock: side A simulates, side
 * B simulates and analyses; "analysis adds" is B / A - 1 per round, then median and spread.
 *
 * Usage: bench_analysis [seconds-per-measurement (default 1.0)] [rounds (default 11)]
 *        FP_BENCH_QUICK=1: 9 rounds, a tenth of the time.
 *        bench_analysis --fixed N sim|all SCENARIO
 *            simulates (and with "all" analyses) exactly N runs: for instruction counts with
 *            valgrind --tool=callgrind, which are repeatable whatever else the machine does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_bench.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_sim.h"

/* Runs `n` runs from `first`, analysing each when `analyse` is set. */
static void work(fp_sim *sim, fp_profile *p, int analyse, size_t first, size_t n)
{
    fp_error err = FP_ERROR_INIT;
    for (size_t k = first; k < first + n; k++) {
        if (fp_sim_run(sim, 1, k, p, &err) != FP_OK)
            exit(1);
        if (analyse) {
            fp_analysis *a = NULL;
            if (fp_analyze(&a, p, NULL, &err) != FP_OK)
                exit(1);
            fp_analysis_free(a);
        }
    }
}

typedef struct {
    fp_sim *sim;
    fp_profile *p;
    fp_bench_meter m;
    size_t block, first;
} an_ctx;

/* Side 0: simulate the round's block; side 1: simulate and analyse it. */
static int an_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    an_ctx *c = vctx;
    fp_bench_start(&c->m);
    work(c->sim, c->p, side, c->first + round * c->block, c->block);
    *out = fp_bench_stop(&c->m);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc == 5 && strcmp(argv[1], "--fixed") == 0) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, argv[4]);
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_sim *sim = NULL;
        fp_profile *p = fp_profile_new();
        if (p == NULL || fp_scenario_load_file(&s, path, &err) != FP_OK ||
            fp_sim_new(&sim, s, NULL, &err) != FP_OK)
            return 1;
        work(sim, p, strcmp(argv[3], "all") == 0, 0, (size_t)atol(argv[2]));
        fp_sim_free(sim);
        fp_profile_free(p);
        fp_scenario_free(s);
        return 0;
    }
    double budget = (argc > 1 ? atof(argv[1]) : 1.0) * fp_bench_scale();
    size_t rounds = fp_bench_rounds(argc > 2 ? atoi(argv[2]) : 0, 11);
    if (!(budget > 0))
        budget = fp_bench_scale();
    static const char *const names[] = {"optimal", "bottlenecked", "memory-intensive",
                                        "cpu-intensive"};
    const char *isrc = "";
    printf("%-18s %11s %19s  %s\n", "scenario", "sim runs/s", "sim+analyse runs/s",
           "analysis adds (%)");
    for (size_t b = 0; b < 4; b++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, names[b]);
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        an_ctx c = {.p = fp_profile_new(), .block = 16};
        if (c.p == NULL || fp_scenario_load_file(&s, path, &err) != FP_OK ||
            fp_sim_new(&c.sim, s, NULL, &err) != FP_OK) {
            fprintf(stderr, "bench_analysis: %s: %s\n", path, err.msg);
            return 1;
        }
        fp_bench_meter_open(&c.m, FP_BENCH_THREAD);
        fp_bench_sample t;
        do {
            c.block *= 2;
            an_side(&c, 0, 0, &t);
        } while (t.sec < budget / (double)rounds / 4);
        c.first = c.block;
        fp_bench_paired res;
        if (fp_bench_pair(rounds, an_side, &c, &res) != 0)
            return 1;
        printf("%-18s %11.0f %19.0f  ", names[b], (double)c.block / res.sec_a.median,
               (double)c.block / res.sec_b.median);
        fp_bench_print_stats(stdout, &res.ratio, -1.0, 100.0, 1); /* ratio - 1, in % */
        printf("\n");
        isrc = fp_bench_instr_source(&c.m);
        fp_bench_meter_close(&c.m);
        fp_sim_free(c.sim);
        fp_profile_free(c.p);
        fp_scenario_free(s);
    }
    printf("%zu paired rounds, thread CPU clock; analysis adds = (simulate+analyse time) / "
           "(simulate time) - 1 per round (target <= 50 %%); instructions: %s\n",
           rounds, isrc);
    return 0;
}
