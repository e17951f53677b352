/*
 * bench_html.c - what `--format html` adds to `fpsim --scenario all --detailed` (the four
 * built-ins, one run each, simulated, analysed, added to a detailed report and written): the
 * whole job in text against the same job in HTML, in paired rounds (fp_bench.h: the order
 * alternating, the ratio per round, median and spread), timed with the thread CPU clock, and the
 * page size. Target: HTML adds <= 20 % to the job's
 * time, and the page is <= 1 MB (docs/performance.md, "HTML report").
 *
 * Usage: bench_html [rounds (default 11)] [jobs per round and side (default 20)]
 *        bench_html --cli PATH/TO/fpsim [rounds (default 11)] [runs per round and side (20)]
 *            the real command, `fpsim --scenario all --detailed [--format html] >/dev/null`
 *            (with `--baseline BASELINE` when given, e.g. `none`: the default, auto, learns a
 *            baseline per scenario, most of the command's time), spawned in paired rounds; the
 *            CPU time (user + system) of the children (wait4).
 *        FP_BENCH_QUICK=1: 9 rounds.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

#include "fp_analysis.h"
#include "fp_bench.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_scenario.h"
#include "fp_sim.h"

#define NSCN 4
static const char *const s_names[NSCN] = {"optimal", "bottlenecked", "memory-intensive",
                                          "cpu-intensive"};

/* One job: every scenario's run 0 simulated, analysed, reported and written as `fmt`. Returns the
 * bytes written. */
static long job(fp_sim **sims, fp_profile *p, fp_report_format fmt, FILE *out)
{
    fp_error err = FP_ERROR_INIT;
    fp_report_options o = FP_REPORT_OPTIONS_INIT;
    fp_report *r;
    long before = ftell(out);
    o.format = fmt;
    o.detailed = 1;
    r = fp_report_new(&o);
    if (r == NULL)
        exit(1);
    for (int i = 0; i < NSCN; i++) {
        fp_analysis *a = NULL;
        if (fp_report_begin_scenario(r, s_names[i], 42, "mt19937", GSL_VERSION, &err) != FP_OK ||
            fp_sim_run(sims[i], 42, 0, p, &err) != FP_OK ||
            fp_analyze(&a, p, NULL, &err) != FP_OK || fp_report_add_run(r, p, a, &err) != FP_OK)
            exit(1);
        fp_analysis_free(a);
    }
    if (fp_report_write(r, out, &err) != FP_OK)
        exit(1);
    fp_report_free(r);
    fflush(out);
    return ftell(out) - before;
}

typedef struct {
    fp_sim **sims;
    fp_profile *p;
    FILE *out;
    int n;
    long bytes[2];
    fp_bench_meter m;
} job_ctx;

/* Side 0: n jobs as text; side 1: as HTML. CPU seconds per job. */
static int job_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    job_ctx *c = vctx;
    (void)round;
    rewind(c->out);
    fp_bench_start(&c->m);
    for (int k = 0; k < c->n; k++)
        c->bytes[side] = job(c->sims, c->p, side ? FP_REPORT_HTML : FP_REPORT_TEXT, c->out);
    *out = fp_bench_stop(&c->m);
    out->sec /= c->n;
    if (out->instr >= 0)
        out->instr /= c->n;
    return 0;
}

extern char **environ;

typedef struct {
    const char *fpsim;
    int n;
    const char *baseline; /* --baseline VALUE, or NULL for the default */
} cli_ctx;

/* Side 0: n runs of `fpsim --scenario all --detailed --format text`, side 1: html; stdout to
 * /dev/null. The children's CPU seconds (user + system) per run. */
static int cli_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    cli_ctx *c = vctx;
    (void)round;
    *out = (fp_bench_sample){0, -1};
    for (int k = 0; k < c->n; k++) {
        char a0[1024], a1[] = "--scenario", a2[] = "all", a3[] = "--detailed", a4[] = "--format",
                       a5[] = "html", a6[] = "text", a7[] = "--baseline", a8[64];
        char *argv[] = {a0, a1, a2, a3, a4, side ? a5 : a6, c->baseline ? a7 : NULL, a8, NULL};
        posix_spawn_file_actions_t fa;
        fp_bench_sample one;
        snprintf(a0, sizeof a0, "%s", c->fpsim);
        snprintf(a8, sizeof a8, "%s", c->baseline ? c->baseline : "");
        pid_t pid;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid, c->fpsim, &fa, NULL, argv, environ) != 0)
            return -1;
        posix_spawn_file_actions_destroy(&fa);
        if (fp_bench_wait_child(pid, &one, NULL) != 0)
            return -1;
        out->sec += one.sec / c->n;
    }
    return 0;
}

static int cli_main(const char *fpsim, size_t rounds, int n, const char *baseline)
{
    cli_ctx c = {fpsim, 2, baseline};
    fp_bench_sample warm;
    fp_bench_paired res;
    if (n < 1 || cli_side(&c, 1, 0, &warm) != 0) /* warm-up */
        return 2;
    c.n = n;
    if (fp_bench_pair(rounds, cli_side, &c, &res) != 0)
        return 1;
    printf("fpsim --scenario all --detailed%s%s as a process, %zu paired rounds x %d runs, child "
           "CPU (user + system, wait4)\n",
           baseline ? " --baseline " : "", baseline ? baseline : "", rounds, n);
    printf("  text: %.3f ms per run (median)\n  html: %.3f ms per run (median)\n",
           1e3 * res.sec_a.median, 1e3 * res.sec_b.median);
    printf("  html / text: ");
    fp_bench_print_stats(stdout, &res.ratio, 0.0, 1.0, 3);
    printf("; target <= 1.20\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--cli") == 0)
        return cli_main(argv[2], fp_bench_rounds(argc > 3 ? atoi(argv[3]) : 0, 11),
                        argc > 4 ? atoi(argv[4]) : 20, argc > 5 ? argv[5] : NULL);
    {
        size_t rounds = fp_bench_rounds(argc > 1 ? atoi(argv[1]) : 0, 11);
        fp_sim *sims[NSCN];
        fp_scenario *scn[NSCN];
        fp_error err = FP_ERROR_INIT;
        job_ctx c = {.sims = sims,
                     .p = fp_profile_new(),
                     .out = tmpfile(),
                     .n = argc > 2 ? atoi(argv[2]) : 20};
        fp_bench_sample warm;
        fp_bench_paired res;
        gsl_set_error_handler_off();
        if (c.n < 1 || c.p == NULL || c.out == NULL)
            return 2;
        for (int i = 0; i < NSCN; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/scenarios/%s.yaml", FP_SOURCE_DIR, s_names[i]);
            if (fp_scenario_load_file(&scn[i], path, &err) != FP_OK ||
                fp_sim_new(&sims[i], scn[i], NULL, &err) != FP_OK) {
                fprintf(stderr, "bench_html: %s\n", err.msg);
                return 1;
            }
        }
        fp_bench_meter_open(&c.m, FP_BENCH_THREAD);
        job_side(&c, 1, 0, &warm); /* warm-up */
        if (fp_bench_pair(rounds, job_side, &c, &res) != 0)
            return 1;
        printf("fpsim --scenario all --detailed, in process, %zu paired rounds x %d jobs, thread "
               "CPU clock\n",
               rounds, c.n);
        printf("  text: %.3f ms per job (median), %ld bytes\n", 1e3 * res.sec_a.median, c.bytes[0]);
        printf("  html: %.3f ms per job (median), %ld bytes\n", 1e3 * res.sec_b.median, c.bytes[1]);
        printf("  html / text: ");
        fp_bench_print_stats(stdout, &res.ratio, 0.0, 1.0, 3);
        printf("; target <= 1.20; page <= 1 MB: %s\n", c.bytes[1] <= 1048576 ? "yes" : "NO");
        printf("instructions: %s\n", fp_bench_instr_source(&c.m));
        fp_bench_meter_close(&c.m);
        for (int i = 0; i < NSCN; i++) {
            fp_sim_free(sims[i]);
            fp_scenario_free(scn[i]);
        }
        fp_profile_free(c.p);
        fclose(c.out);
        return 0;
    }
}
