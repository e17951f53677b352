/*
 * bench_validate.c - validation throughput: simulate + analyse + match + record per run, with 1
 * and 2 threads (each thread owns its simulator, profile and accumulator; runs are strided), and
 * the peak RSS. Usage: bench_validate [SCENARIO.yaml] [RUNS]. Results in docs/performance.md.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sys/resource.h>

#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_match.h"
#include "fp_sim.h"
#include "fp_validate.h"

typedef struct job {
    const fp_scenario *scn;
    uint64_t runs, first, stride;
    int ok;
} job;

static void *work(void *arg)
{
    job *j = arg;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    fp_validate_acc *acc = NULL;
    fp_match_result m;
    fp_error err = FP_ERROR_INIT;
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    so.force_bottlenecks = 1;
    fp_match_result_init(&m);
    j->ok = 0;
    if (p == NULL || fp_sim_new(&sim, j->scn, &so, &err) != FP_OK ||
        fp_validate_acc_new(&acc, 0, &err) != FP_OK)
        goto out;
    for (uint64_t r = j->first; r < j->runs; r += j->stride) {
        fp_analysis *a = NULL;
        fp_validate_run rec;
        if (fp_sim_run(sim, 42, r, p, &err) != FP_OK || fp_analyze(&a, p, NULL, &err) != FP_OK ||
            fp_match_run(&m, p, a, NULL, &err) != FP_OK) {
            fp_analysis_free(a);
            goto out;
        }
        fp_validate_run_record(&rec, r, p, a, &m);
        fp_validate_acc_add(acc, &rec);
        fp_analysis_free(a);
    }
    j->ok = 1;
out:
    if (!j->ok)
        fprintf(stderr, "bench_validate: %s\n", err.msg);
    fp_validate_acc_free(acc);
    fp_match_result_cleanup(&m);
    fp_sim_free(sim);
    fp_profile_free(p);
    return NULL;
}

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
    double rate1 = 0;
    gsl_set_error_handler_off();
    if (fp_scenario_load_file(&scn, path, &err) != FP_OK) {
        fprintf(stderr, "bench_validate: %s: %s\n", path, err.msg);
        return 1;
    }
    for (unsigned jobs = 1; jobs <= 2; jobs++) {
        pthread_t t[2];
        job j[2];
        double t0 = now_s();
        for (unsigned i = 0; i < jobs; i++) {
            j[i] = (job){scn, runs, i, jobs, 0};
            pthread_create(&t[i], NULL, work, &j[i]);
        }
        for (unsigned i = 0; i < jobs; i++)
            pthread_join(t[i], NULL);
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
    return 0;
}
