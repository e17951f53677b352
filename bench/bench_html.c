/*
 * bench_html.c - what `--format html` adds to `fpsim --scenario all --detailed` (the four
 * built-ins, one run each, simulated, analysed, added to a detailed report and written): the
 * whole job in text against the same job in HTML, in paired rounds (the order alternating),
 * timed with the process CPU clock, and the page size. Target: HTML adds <= 20 % to the job's
 * time, and the page is <= 1 MB (docs/performance.md, "HTML report").
 *
 * Usage: bench_html [rounds (default 11)] [jobs per round and side (default 20)]
 *        bench_html --cli PATH/TO/fpsim [rounds (default 11)] [runs per round and side (20)]
 *                   [BASELINE]
 *            the real command, `fpsim --scenario all --detailed [--format html] >/dev/null`
 *            (with `--baseline BASELINE` when given, e.g. `none`: the default, auto, learns a
 *            baseline per scenario, most of the command's time), spawned in paired rounds; the
 *            CPU time (user + system) of the children.
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
#include <gsl/gsl_sort.h>
#include <gsl/gsl_version.h>

#include "fp_analysis.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_scenario.h"
#include "fp_sim.h"

#define NSCN 4
static const char *const s_names[NSCN] = {"optimal", "bottlenecked", "memory-intensive",
                                          "cpu-intensive"};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

static double timed(fp_sim **sims, fp_profile *p, fp_report_format fmt, FILE *out, int n,
                    long *bytes)
{
    double t0 = cpu_now();
    for (int k = 0; k < n; k++)
        *bytes = job(sims, p, fmt, out);
    return (cpu_now() - t0) / n;
}

extern char **environ;

/* CPU seconds (user + system) of `n` runs of fpsim with `args`, stdout to /dev/null; with
 * `--baseline baseline` when `baseline` is not NULL. */
static double cli_timed(const char *fpsim, int html, int n, const char *baseline)
{
    double total = 0;
    for (int k = 0; k < n; k++) {
        char a0[1024], a1[] = "--scenario", a2[] = "all", a3[] = "--detailed", a4[] = "--format",
                       a5[] = "html", a6[] = "text", a7[] = "--baseline", a8[64];
        char *argv[] = {a0, a1, a2, a3, a4, html ? a5 : a6, baseline ? a7 : NULL, a8, NULL};
        posix_spawn_file_actions_t fa;
        snprintf(a0, sizeof a0, "%s", fpsim);
        snprintf(a8, sizeof a8, "%s", baseline ? baseline : "");
        pid_t pid;
        int status;
        struct rusage ru;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid, fpsim, &fa, NULL, argv, environ) != 0)
            exit(1);
        posix_spawn_file_actions_destroy(&fa);
        if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            exit(1);
        total += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    }
    return total / n;
}

static int cli_main(const char *fpsim, int rounds, int n, const char *baseline)
{
    double t_text[64], t_html[64], ratio[64];
    if (rounds < 1 || rounds > 64 || n < 1)
        return 2;
    cli_timed(fpsim, 1, 2, baseline); /* warm-up */
    for (int r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
            t_text[r] = cli_timed(fpsim, 0, n, baseline);
            t_html[r] = cli_timed(fpsim, 1, n, baseline);
        } else {
            t_html[r] = cli_timed(fpsim, 1, n, baseline);
            t_text[r] = cli_timed(fpsim, 0, n, baseline);
        }
        ratio[r] = t_html[r] / t_text[r];
    }
    gsl_sort(t_text, 1, (size_t)rounds);
    gsl_sort(t_html, 1, (size_t)rounds);
    gsl_sort(ratio, 1, (size_t)rounds);
    printf("fpsim --scenario all --detailed%s%s as a process, %d paired rounds x %d runs, child "
           "CPU (user + system)\n",
           baseline ? " --baseline " : "", baseline ? baseline : "", rounds, n);
    printf("  text: %.3f ms per run\n  html: %.3f ms per run\n", 1e3 * t_text[rounds / 2],
           1e3 * t_html[rounds / 2]);
    printf("  html / text: median %.3f (min %.3f, max %.3f); target <= 1.20\n", ratio[rounds / 2],
           ratio[0], ratio[rounds - 1]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--cli") == 0)
        return cli_main(argv[2], argc > 3 ? atoi(argv[3]) : 11, argc > 4 ? atoi(argv[4]) : 20,
                        argc > 5 ? argv[5] : NULL);
    {
        int rounds = argc > 1 ? atoi(argv[1]) : 11, n = argc > 2 ? atoi(argv[2]) : 20;
        fp_sim *sims[NSCN];
        fp_scenario *scn[NSCN];
        fp_profile *p = fp_profile_new();
        fp_error err = FP_ERROR_INIT;
        FILE *out = tmpfile();
        double t_text[64], t_html[64], ratio[64];
        long bt = 0, bh = 0;
        gsl_set_error_handler_off();
        if (rounds < 1 || rounds > 64 || n < 1 || p == NULL || out == NULL)
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
        timed(sims, p, FP_REPORT_HTML, out, 2, &bh); /* warm-up */
        for (int r = 0; r < rounds; r++) {
            rewind(out);
            if (r % 2 == 0) {
                t_text[r] = timed(sims, p, FP_REPORT_TEXT, out, n, &bt);
                t_html[r] = timed(sims, p, FP_REPORT_HTML, out, n, &bh);
            } else {
                t_html[r] = timed(sims, p, FP_REPORT_HTML, out, n, &bh);
                t_text[r] = timed(sims, p, FP_REPORT_TEXT, out, n, &bt);
            }
            ratio[r] = t_html[r] / t_text[r];
        }
        gsl_sort(t_text, 1, (size_t)rounds);
        gsl_sort(t_html, 1, (size_t)rounds);
        gsl_sort(ratio, 1, (size_t)rounds);
        printf(
            "fpsim --scenario all --detailed, in process, %d paired rounds x %d jobs, CPU clock\n",
            rounds, n);
        printf("  text: %.3f ms per job, %ld bytes\n", 1e3 * t_text[rounds / 2], bt);
        printf("  html: %.3f ms per job, %ld bytes\n", 1e3 * t_html[rounds / 2], bh);
        printf(
            "  html / text: median %.3f (min %.3f, max %.3f); target <= 1.20; page <= 1 MB: %s\n",
            ratio[rounds / 2], ratio[0], ratio[rounds - 1], bh <= 1048576 ? "yes" : "NO");
        for (int i = 0; i < NSCN; i++) {
            fp_sim_free(sims[i]);
            fp_scenario_free(scn[i]);
        }
        fp_profile_free(p);
        fclose(out);
        return 0;
    }
}
