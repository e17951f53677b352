/*
 * bench_validate.c - validation throughput of the engine (validate/fp_validate.h): simulate +
 * analyse + match + record per run, every bottleneck injected, no time to detect, with 1 and 2
 * worker threads, and the peak RSS.
 *
 * Paired rounds (fp_bench.h): each round runs the same RUNS runs with 1 job (side A) and with 2
 * (side B), on the process CPU clock (every thread's CPU, so other load on the shared cores does
 * not count). The ratio B / A is the CPU the second thread's coordination costs: with a free
 * core, 2 jobs are 2 / ratio times faster in wall time (a wall-clock speed-up measured on a
 * loaded shared machine says more about the other load than about fpsim).
 *
 * Usage: bench_validate [SCENARIO.yaml] [RUNS (default 2000)] [rounds (default 11)]
 *        FP_BENCH_QUICK=1: 9 rounds of a tenth of the runs. Results in docs/performance.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sys/resource.h>

#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_bench.h"
#include "fp_validate.h"

typedef struct {
    const fp_scenario *scn;
    uint64_t runs;
    fp_bench_meter m;
} val_ctx;

/* Side 0: one job; side 1: two. */
static int val_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    val_ctx *c = vctx;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    int rc = 0;
    (void)round;
    cfg.runs = c->runs;
    cfg.jobs = (unsigned)side + 1;
    cfg.inject = FP_VALIDATE_INJECT_ALL;
    cfg.ttd = 0;
    fp_bench_start(&c->m);
    if (fp_validate_engine_new(&e, &cfg, &err) != FP_OK ||
        fp_validate_engine_add_scenario(e, c->scn, 42, &th, &err) != FP_OK ||
        fp_validate_engine_run(e, &err) != FP_OK) {
        fprintf(stderr, "bench_validate: %s\n", err.msg);
        rc = -1;
    }
    fp_validate_engine_free(e);
    *out = fp_bench_stop(&c->m);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : FP_SOURCE_DIR "/scenarios/bottlenecked.yaml";
    val_ctx c = {.runs = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000};
    size_t rounds = fp_bench_rounds(argc > 3 ? atoi(argv[3]) : 0, 11);
    fp_scenario *scn = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_bench_paired res;
    gsl_set_error_handler_off();
    c.runs = (uint64_t)((double)c.runs * fp_bench_scale());
    if (c.runs < 1)
        c.runs = 1;
    if (fp_scenario_load_file(&scn, path, &err) != FP_OK) {
        fprintf(stderr, "bench_validate: %s: %s\n", path, err.msg);
        return 1;
    }
    c.scn = scn;
    fp_bench_meter_open(&c.m, FP_BENCH_PROCESS);
    int rc = fp_bench_pair(rounds, val_side, &c, &res) == 0 ? 0 : 1;
    if (rc == 0) {
        printf("%s: %llu runs per side, %zu paired rounds, process CPU clock\n",
               fp_scenario_name(scn), (unsigned long long)c.runs, rounds);
        printf("  1 job:  %.0f runs per CPU second (median)\n", (double)c.runs / res.sec_a.median);
        printf("  2 jobs: %.0f runs per CPU second (median)\n", (double)c.runs / res.sec_b.median);
        printf("  CPU of 2 jobs / 1 job: ");
        fp_bench_print_stats(stdout, &res.ratio, 0.0, 1.0, 3);
        printf("\n  wall speed-up with a free core: %.2fx\n", 2.0 / res.ratio.median);
        printf("instructions: %s\n", fp_bench_instr_source(&c.m));
    }
    fp_bench_meter_close(&c.m);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    fp_scenario_free(scn);
    return rc;
}
