/*
 * bench_analysis.c - runs per second of simulate-only and simulate+analyse for each built-in,
 * and the share the analysis adds (target: analysis adds <= 50 % to the simulation's cost).
 *
 * Usage: bench_analysis [seconds-per-measurement (default 1.0)]
 *        bench_analysis --fixed N sim|all SCENARIO
 *            simulates (and with "all" analyses) exactly N runs: for instruction counts with
 *            valgrind --tool=callgrind, which are repeatable whatever else the machine does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>

#include "fp_analysis.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_sim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds to run `n` runs from `first`, analysing each when `analyse` is set. */
static double timed(fp_sim *sim, fp_profile *p, int analyse, size_t first, size_t n)
{
    fp_error err = FP_ERROR_INIT;
    double t0 = now();
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
    return now() - t0;
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
        timed(sim, p, strcmp(argv[3], "all") == 0, 0, (size_t)atol(argv[2]));
        fp_sim_free(sim);
        fp_profile_free(p);
        fp_scenario_free(s);
        return 0;
    }
    double budget = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(budget > 0))
        budget = 1.0;
    static const char *const names[] = {"optimal", "bottlenecked", "memory-intensive",
                                        "cpu-intensive"};
    printf("%-18s %14s %18s %16s\n", "scenario", "sim runs/s", "sim+analyse runs/s",
           "analysis adds");
    for (size_t b = 0; b < 4; b++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, names[b]);
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_sim *sim = NULL;
        fp_profile *p = fp_profile_new();
        if (p == NULL || fp_scenario_load_file(&s, path, &err) != FP_OK ||
            fp_sim_new(&sim, s, NULL, &err) != FP_OK) {
            fprintf(stderr, "bench_analysis: %s: %s\n", path, err.msg);
            return 1;
        }
        /* Interleaved rounds on the same runs; medians over rounds (noise hits both alike). */
        enum { ROUNDS = 11 };
        size_t block = 16;
        while (timed(sim, p, 0, 0, block) < budget / ROUNDS / 4)
            block *= 2;
        double r_sim[ROUNDS], r_all[ROUNDS], extra[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            size_t first = (size_t)round * block;
            double ts = timed(sim, p, 0, first, block);
            double ta = timed(sim, p, 1, first, block);
            r_sim[round] = (double)block / ts;
            r_all[round] = (double)block / ta;
            extra[round] = ta / ts - 1.0;
        }
        gsl_sort(r_sim, 1, ROUNDS);
        gsl_sort(r_all, 1, ROUNDS);
        gsl_sort(extra, 1, ROUNDS);
        printf("%-18s %14.0f %18.0f %15.0f%%\n", names[b], r_sim[ROUNDS / 2], r_all[ROUNDS / 2],
               100.0 * extra[ROUNDS / 2]);
        fp_sim_free(sim);
        fp_profile_free(p);
        fp_scenario_free(s);
    }
    printf("medians over 11 interleaved rounds; analysis adds = (simulate+analyse time) / "
           "(simulate time) - 1 (target <= 50 %%)\n");
    return 0;
}
