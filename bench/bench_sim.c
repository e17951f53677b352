/*
 * bench_sim.c - simulated runs per second for each built-in scenario, and the ratio of that cost
 * to the bare cost of drawing the same number and kinds of variates from the same generator.
 *
 * The bare loop replays, for every call of a simulated run, the draws the simulator makes for it
 * (duration, CPU, allocation, retained fraction, I/O ops and bytes, and each callee count) with
 * fp_dist_sample on the scenario's own distributions, plus three ziggurat Gaussians per series
 * sample (the measurement noise), from a generator of the type the simulator allocates
 * (fp_mt_fast_type: mt19937, lazily seeded). So the ratio is what the simulator adds on top of
 * sampling.
 *
 * Paired rounds (fp_bench.h): in each round the same block of runs is simulated (side B) and its
 * variates replayed (side A: the runs are simulated again outside the clock, only the replay is
 * timed), on the thread CPU clock; ratio = simulation / bare, per round, then median and spread.
 *
 * Usage: bench_sim [seconds-per-measurement (default 1.0)] [rounds (default 11)]
 *        FP_BENCH_QUICK=1: 9 rounds, a tenth of the time.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "fp_bench.h"
#include "fp_mt_internal.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_scenario_internal.h"
#include "fp_sim.h"

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

typedef struct {
    const fp_scenario *s;
    fp_sim *sim;
    fp_profile *p;
    gsl_rng *r;
    fp_bench_meter m;
    size_t block, first, spans, samples;
    double sink;
} sim_ctx;

/* Side 0: the bare variates of the round's runs; side 1: simulating them. */
static int sim_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    sim_ctx *c = vctx;
    fp_error err = FP_ERROR_INIT;
    size_t first = c->first + round * c->block;
    *out = (fp_bench_sample){0, 0};
    if (side == 1)
        fp_bench_start(&c->m);
    for (size_t k = 0; k < c->block; k++) {
        if (fp_sim_run(c->sim, 1, first + k, c->p, &err) != FP_OK)
            return -1;
        if (side == 1) {
            c->spans += fp_profile_span_count(c->p);
            c->samples += fp_profile_series(c->p).n;
        } else {
            fp_bench_start(&c->m);
            c->sink += replay(c->s, c->p, c->r);
            fp_bench_add(out, fp_bench_stop(&c->m));
        }
    }
    if (side == 1)
        *out = fp_bench_stop(&c->m);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    double budget = (argc > 1 ? atof(argv[1]) : 1.0) * fp_bench_scale();
    size_t rounds = fp_bench_rounds(argc > 2 ? atoi(argv[2]) : 0, 11);
    if (!(budget > 0))
        budget = fp_bench_scale();
    static const char *const names[] = {"optimal", "bottlenecked", "memory-intensive",
                                        "cpu-intensive"};
    printf("%-18s %10s %10s %12s %12s  %s\n", "scenario", "runs/s", "spans/run", "samples/run",
           "bare runs/s", "ratio sim / bare");
    for (size_t b = 0; b < 4; b++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, names[b]);
        fp_scenario *s = NULL;
        fp_error err = FP_ERROR_INIT;
        if (fp_scenario_load_file(&s, path, &err) != FP_OK) {
            fprintf(stderr, "bench_sim: %s: %s\n", path, err.msg);
            return 1;
        }
        sim_ctx c = {.s = s,
                     .p = fp_profile_new(),
                     .r = gsl_rng_alloc(fp_mt_fast_type(gsl_rng_mt19937)),
                     .block = 16};
        if (c.p == NULL || c.r == NULL || fp_sim_new(&c.sim, s, NULL, &err) != FP_OK)
            return 1;
        fp_bench_meter_open(&c.m, FP_BENCH_THREAD);
        /* One block is sized to take about budget / rounds / 2 seconds of simulation. */
        fp_bench_sample t;
        do {
            c.block *= 2;
            if (sim_side(&c, 1, 0, &t) != 0)
                return 1;
        } while (t.sec < budget / (double)rounds / 2);
        c.first = c.block;
        c.spans = c.samples = 0;
        fp_bench_paired res;
        if (fp_bench_pair(rounds, sim_side, &c, &res) != 0)
            return 1;
        double runs = (double)(c.block * rounds);
        printf("%-18s %10.0f %10.1f %12.1f %12.0f  ", names[b], (double)c.block / res.sec_b.median,
               (double)c.spans / runs, (double)c.samples / runs,
               (double)c.block / res.sec_a.median);
        fp_bench_print_stats(stdout, &res.ratio, 0.0, 1.0, 2);
        if (res.has_instr) {
            printf("; instructions ");
            fp_bench_print_stats(stdout, &res.instr_ratio, 0.0, 1.0, 2);
        }
        printf("%s\n", c.sink == 12345.678 ? "!" : "");
        if (b == 3)
            printf("%zu paired rounds, thread CPU clock; instructions: %s\n", rounds,
                   fp_bench_instr_source(&c.m));
        fp_bench_meter_close(&c.m);
        gsl_rng_free(c.r);
        fp_sim_free(c.sim);
        fp_profile_free(c.p);
        fp_scenario_free(s);
    }
    printf("ratio = simulation CPU time / bare variate CPU time per round (target <= 2)\n");
    return 0;
}
