/*
 * bench_validate.c - validation throughput of the engine (validate/fp_validate.h): simulate +
 * analyse + match + record per run, every bottleneck injected, no time to detect, with 1 and 2
 * worker threads, and the peak RSS. Usage: bench_validate [SCENARIO.yaml] [RUNS]. Results in
 * docs/performance.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sys/resource.h>

#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_validate.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : FP_SOURCE_DIR "/scenarios/bottlenecked.yaml";
    uint64_t runs = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000;
    fp_scenario *scn = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    double rate1 = 0;
    int rc = 0;
    gsl_set_error_handler_off();
    if (fp_scenario_load_file(&scn, path, &err) != FP_OK) {
        fprintf(stderr, "bench_validate: %s: %s\n", path, err.msg);
        return 1;
    }
    for (unsigned jobs = 1; jobs <= 2 && rc == 0; jobs++) {
        fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
        fp_validate_engine *e = NULL;
        cfg.runs = runs;
        cfg.jobs = jobs;
        cfg.inject = FP_VALIDATE_INJECT_ALL;
        cfg.ttd = 0;
        double t0 = now_s();
        if (fp_validate_engine_new(&e, &cfg, &err) != FP_OK ||
            fp_validate_engine_add_scenario(e, scn, 42, &th, &err) != FP_OK ||
            fp_validate_engine_run(e, &err) != FP_OK) {
            fprintf(stderr, "bench_validate: %s\n", err.msg);
            rc = 1;
        }
        fp_validate_engine_free(e);
        double dt = now_s() - t0, rate = (double)runs / dt;
        if (jobs == 1)
            rate1 = rate;
        printf("%s: %llu runs, %u job(s): %.3f s, %.0f runs/s%s", fp_scenario_name(scn),
               (unsigned long long)runs, jobs, dt, rate, jobs == 1 ? "\n" : "");
        if (jobs == 2)
            printf(" (%.2fx one job)\n", rate / rate1);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    fp_scenario_free(scn);
    return rc;
}
