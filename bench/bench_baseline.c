/*
 * bench_baseline.c - what a baseline adds to the analysis of one run (target: at most 20 %), and
 * what learning `--baseline auto` costs, per built-in scenario and on the unlike ETL flow.
 *
 * Each scenario's runs (scenario probabilities) are simulated once into memory; then paired
 * rounds analyse the same runs with fp_analyze() and with fp_analyze_with_baseline() (the order
 * alternating between rounds), timed with the process CPU clock; the figure is the median over
 * rounds of (time with baseline) / (time without) - 1.
 *
 * Usage: bench_baseline [rounds (default 11)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_sim.h"
#include "fp_validate.h"

#define RUNS 64

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double analyse_all(fp_profile **p, const fp_baseline *b)
{
    fp_error err = FP_ERROR_INIT;
    double t0 = cpu_now();
    for (size_t k = 0; k < RUNS; k++) {
        fp_analysis *a = NULL;
        if (fp_analyze_with_baseline(&a, p[k], NULL, b, &err) != FP_OK)
            exit(1);
        fp_analysis_free(a);
    }
    return cpu_now() - t0;
}

int main(int argc, char **argv)
{
    static const char *const files[] = {
        "scenarios/optimal.yaml", "scenarios/bottlenecked.yaml", "scenarios/memory-intensive.yaml",
        "scenarios/cpu-intensive.yaml", "tests/data/unlike/baseline-etl.yaml"};
    int rounds = argc > 1 ? atoi(argv[1]) : 11;
    if (rounds < 1 || rounds > 101)
        rounds = 11;
    gsl_set_error_handler_off();
    printf("%-18s %14s %16s %14s %18s\n", "scenario", "analyse ms/run", "+baseline ms/run",
           "baseline adds", "learn (30 runs) ms");
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[1024];
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_sim *sim = NULL;
        fp_baseline *b = NULL;
        fp_profile *p[RUNS];
        double extra[101], t_plain[101], t_base[101];
        snprintf(path, sizeof path, "%s/%s", FP_SOURCE_DIR, files[f]);
        if (fp_scenario_load_file(&s, path, &err) != FP_OK ||
            fp_sim_new(&sim, s, NULL, &err) != FP_OK) {
            fprintf(stderr, "bench_baseline: %s: %s\n", path, err.msg);
            return 1;
        }
        for (size_t k = 0; k < RUNS; k++)
            if ((p[k] = fp_profile_new()) == NULL || fp_sim_run(sim, 1, k, p[k], &err) != FP_OK)
                return 1;
        double t0 = cpu_now();
        if (fp_validate_learn_baseline(&b, s, NULL, 1, FP_BASELINE_AUTO_RUNS, NULL, NULL, NULL,
                                       &err) != FP_OK)
            return 1;
        double learn = cpu_now() - t0;
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                t_plain[r] = analyse_all(p, NULL);
                t_base[r] = analyse_all(p, b);
            } else {
                t_base[r] = analyse_all(p, b);
                t_plain[r] = analyse_all(p, NULL);
            }
            extra[r] = t_base[r] / t_plain[r] - 1.0;
        }
        gsl_sort(extra, 1, (size_t)rounds);
        gsl_sort(t_plain, 1, (size_t)rounds);
        gsl_sort(t_base, 1, (size_t)rounds);
        printf("%-18s %14.3f %16.3f %13.1f%% %18.1f\n", fp_scenario_name(s),
               1e3 * t_plain[rounds / 2] / RUNS, 1e3 * t_base[rounds / 2] / RUNS,
               100.0 * extra[rounds / 2], 1e3 * learn);
        for (size_t k = 0; k < RUNS; k++)
            fp_profile_free(p[k]);
        fp_baseline_free(b);
        fp_sim_free(sim);
        fp_scenario_free(s);
    }
    printf("process CPU time; medians over %d paired rounds of %d runs; baseline adds = "
           "(analyse with baseline) / (analyse) - 1 (target <= 20 %%)\n",
           rounds, RUNS);
    return 0;
}
