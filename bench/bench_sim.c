/*
 * bench_sim.c - simulated runs per second for each built-in scenario, and the ratio of that cost
 * to the bare cost of drawing the same number and kinds of variates from the same generator.
 *
 * The bare loop replays, for every call of a simulated run, the draws the simulator makes for it
 * (duration, CPU, allocation, retained fraction, I/O ops and bytes, and each callee count) with
 * fp_dist_sample on the scenario's own distributions, plus three ziggurat Gaussians per series
 * sample (the measurement noise). So the ratio is what the simulator adds on top of sampling.
 *
 * Usage: bench_sim [seconds-per-measurement (default 1.0)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_scenario_internal.h"
#include "fp_sim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The variates one run draws, replayed on `r`. Returns a checksum so nothing is optimised away. */
static double replay(const fp_scenario *s, const fp_profile *p, gsl_rng *r)
{
    double acc = 0.0;
    const fp_span *sp = fp_profile_spans(p);
    size_t n = fp_profile_span_count(p);
    for (size_t i = 0; i < n; i++) {
        const fp_method_spec *m = &s->methods[sp[i].method];
        acc += fp_dist_sample(&m->duration_s, r) + fp_dist_sample(&m->cpu_pct, r) +
               fp_dist_sample(&m->alloc_mb, r) + fp_dist_sample(&m->retained_frac, r) +
               fp_dist_sample(&m->io_ops, r) + fp_dist_sample(&m->io_bytes, r);
        for (size_t e = 0; e < m->n_callees; e++)
            acc += fp_dist_sample(&m->callees[e].count, r);
    }
    fp_series se = fp_profile_series(p);
    for (size_t k = 0; k < 3 * se.n; k++)
        acc += gsl_ran_gaussian_ziggurat(r, 1.0);
    return acc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    double budget = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(budget > 0))
        budget = 1.0;
    static const char *const names[] = {"optimal", "bottlenecked", "memory-intensive",
                                        "cpu-intensive"};
    printf("%-18s %12s %10s %12s %14s %8s\n", "scenario", "runs/s", "spans/run", "samples/run",
           "bare runs/s", "ratio");
    for (size_t b = 0; b < 4; b++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, names[b]);
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        if (fp_scenario_load_file(&s, path, &err) != FP_OK) {
            fprintf(stderr, "bench_sim: %s: %s\n", path, err.msg);
            return 1;
        }
        fp_sim *sim = NULL;
        fp_profile *p = fp_profile_new();
        if (p == NULL || fp_sim_new(&sim, s, NULL, &err) != FP_OK)
            return 1;
        /*
         * Interleaved rounds: each round simulates a block of runs, then replays the same
         * block's variates, so machine noise hits both alike; the medians over rounds are
         * printed. One block is sized to take about budget / ROUNDS seconds of simulation.
         */
        enum { ROUNDS = 11 };
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        size_t block = 16, spans = 0, samples = 0, next = 0;
        double t0 = now();
        while (now() - t0 < budget / ROUNDS / 4) {
            for (size_t k = 0; k < block; k++)
                if (fp_sim_run(sim, 1, next + k, p, &err) != FP_OK)
                    return 1;
            block *= 2;
        }
        double sim_rates[ROUNDS], bare_rates[ROUNDS], ratios[ROUNDS], sink = 0.0;
        for (int round = 0; round < ROUNDS; round++) {
            double a = now();
            for (size_t k = 0; k < block; k++) {
                if (fp_sim_run(sim, 1, next + k, p, &err) != FP_OK)
                    return 1;
                spans += fp_profile_span_count(p);
                samples += fp_profile_series(p).n;
            }
            double t_sim = now() - a, t_bare = 0.0;
            for (size_t k = 0; k < block; k++) {
                if (fp_sim_run(sim, 1, next + k, p, &err) != FP_OK)
                    return 1;
                double tb = now();
                sink += replay(s, p, r);
                t_bare += now() - tb;
            }
            sim_rates[round] = (double)block / t_sim;
            bare_rates[round] = (double)block / t_bare;
            ratios[round] = t_sim / t_bare;
            next += block;
        }
        gsl_sort(sim_rates, 1, ROUNDS);
        gsl_sort(bare_rates, 1, ROUNDS);
        gsl_sort(ratios, 1, ROUNDS);
        size_t runs = block * ROUNDS;
        printf("%-18s %12.0f %10.1f %12.1f %14.0f %8.2f%s\n", names[b], sim_rates[ROUNDS / 2],
               (double)spans / (double)runs, (double)samples / (double)runs, bare_rates[ROUNDS / 2],
               ratios[ROUNDS / 2], sink == 12345.678 ? "!" : "");
        gsl_rng_free(r);
        fp_sim_free(sim);
        fp_profile_free(p);
        fp_scenario_free(s);
    }
    printf("medians over 11 interleaved rounds; ratio = simulation time / bare variate time "
           "(target <= 2)\n");
    return 0;
}
