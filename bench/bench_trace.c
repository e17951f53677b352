/*
 * bench_trace.c - reading and analysing a large Chrome Trace Event file, side by side with cJSON
 * parsing the same file into a tree and with Python's json.load (issue 10 section 4 targets: the
 * read <= json.load and <= 1.0x the bare cJSON parse; peak RSS <= 300 MB at 10^6 spans).
 *
 * Usage: bench_trace [SPANS (default 300000)] [ROUNDS (default 9)] [FILE (default: a temp file)]
 *   FP_BENCH_QUICK=1: 9 rounds of a tenth of the spans.
 *   Writes a trace of SPANS calls (a flat flow of 1,000 top-level calls with nested callees,
 *   built by hand, so the benchmark does not depend on a scenario), then runs ROUNDS rounds; each
 *   round times every phase once, in this order (reversed in odd rounds, fp_bench_first_side),
 *   each in a fresh child process (so that peak RSS
 *   is per phase) on that child's process CPU clock (CLOCK_PROCESS_CPUTIME_ID):
 *     parse    cJSON_ParseWithLength on the file's bytes (read before the clock starts), then
 *              cJSON_Delete;
 *     python   python3's json.load of the file (time.process_time() around it, in python3);
 *     read     fp_trace_read_chrome_file on the open file (what `fpsim analyze` does to read a
 *              trace: the file is read in chunks, inside the clock);
 *     analyse  read + fp_analyze (what `fpsim analyze` does, minus the report).
 *   Prints every phase's median and spread over the rounds, its peak RSS (the largest of the
 *   rounds, from wait4), and the median and spread of the per-round ratios (rounds paired: each
 *   ratio is taken within one round, so slow and fast moments of the machine cancel out);
 *   fp_bench.h does the clock and the statistics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_bench.h"
#include "fp_formats.h"
#include "fp_profile.h"

static int build(fp_profile *p, size_t n_spans)
{
    const char *names[] = {"load", "parse", "transform", "lookup", "validate", "store"};
    uint32_t m[6];
    for (int i = 0; i < 6; i++)
        if (fp_profile_intern_method(p, names[i], &m[i]) != FP_OK)
            return -1;
    /* each top-level call has per_top - 1 children of 1 ms each, back to back */
    size_t per_top = n_spans / 1000 > 1 ? n_spans / 1000 : 1;
    double t = 0.0;
    size_t made = 0;
    while (made < n_spans) {
        size_t kids = per_top - 1;
        if (made + 1 + kids > n_spans)
            kids = n_spans - made - 1;
        fp_span top = {m[0], -1, 0, t, 0.002 + 0.001 * (double)kids, 20.0, 1.0, 0.0, 1.0, 4096.0};
        size_t ti;
        if (fp_profile_add_span(p, &top, &ti) != FP_OK)
            return -1;
        made++;
        for (size_t k = 0; k < kids; k++, made++) {
            fp_span c = {m[1 + k % 5], (int32_t)ti, 0,   t + 0.001 + 0.001 * (double)k,
                         0.001,        40.0,        0.1, 0.0,
                         0.0,          0.0};
            if (fp_profile_add_span(p, &c, NULL) != FP_OK)
                return -1;
        }
        t += top.dur_s;
    }
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

enum { PH_PARSE, PH_PYTHON, PH_READ, PH_ANALYSE, PH_COUNT };
static const char *const s_phase[PH_COUNT] = {"parse", "python", "read", "analyse"};

/* python3 measuring its own json.load; the seconds come back on stdout, *rss_mb from wait4. */
static double run_python(const char *path, double *rss_mb)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execlp("python3", "python3", "-c",
               "import json,time,sys\n"
               "f=open(sys.argv[1])\n"
               "t=time.process_time(); json.load(f); print(time.process_time()-t)",
               path, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[64] = "";
    ssize_t n = 0, got;
    /* Read to the end: python may write its line in more than one piece, and closing the pipe
     * after the first would kill it with a broken pipe. */
    while ((got = read(fd[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0 &&
           (size_t)(n += got) < sizeof buf - 1)
        ;
    close(fd[0]);
    fp_bench_sample cpu;
    long rss_kib = 0;
    int rc = fp_bench_wait_child(pid, &cpu, &rss_kib);
    *rss_mb = (double)rss_kib / 1024.0;
    if (n <= 0 || rc != 0)
        return -1;
    buf[n] = '\0';
    return strtod(buf, NULL);
}

/* Runs one phase in a child; returns its seconds (-1 on failure) and *rss_mb its peak RSS. */
static double phase(const char *path, int which, double *rss_mb)
{
    if (which == PH_PYTHON)
        return run_python(path, rss_mb);
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        double t = -1;
        if (which == PH_PARSE) {
            size_t len = 0;
            char *text = slurp(path, &len);
            double t0 = fp_bench_cpu_now(FP_BENCH_PROCESS);
            cJSON *j = text != NULL ? cJSON_ParseWithLength(text, len) : NULL;
            if (j != NULL)
                t = fp_bench_cpu_now(FP_BENCH_PROCESS) - t0;
            cJSON_Delete(j);
            free(text);
        } else {
            FILE *f = fopen(path, "rb");
            fp_profile *p = fp_profile_new();
            fp_error err = FP_ERROR_INIT;
            double t0 = fp_bench_cpu_now(FP_BENCH_PROCESS);
            if (f != NULL && fp_trace_read_chrome_file(p, f, path, NULL, &err) == FP_OK) {
                t = fp_bench_cpu_now(FP_BENCH_PROCESS) - t0;
                if (which == PH_ANALYSE) {
                    fp_analysis *a = NULL;
                    t = fp_analyze(&a, p, NULL, &err) == FP_OK
                            ? fp_bench_cpu_now(FP_BENCH_PROCESS) - t0
                            : -1;
                    fp_analysis_free(a);
                }
            } else {
                fprintf(stderr, "bench_trace: %s\n", err.msg);
            }
            fp_profile_free(p);
            if (f != NULL)
                fclose(f);
        }
        if (write(fd[1], &t, sizeof t) != sizeof t)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    double t = -1;
    if (read(fd[0], &t, sizeof t) != sizeof t)
        t = -1;
    close(fd[0]);
    fp_bench_sample cpu;
    long rss_kib = 0;
    if (fp_bench_wait_child(pid, &cpu, &rss_kib) != 0)
        t = -1;
    *rss_mb = (double)rss_kib / 1024.0;
    return t;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : (size_t)(300000 * fp_bench_scale());
    size_t rounds = fp_bench_rounds(argc > 2 ? atoi(argv[2]) : 0, 9);
    char path[256];
    if (argc > 3) {
        snprintf(path, sizeof path, "%s", argv[3]);
    } else {
        snprintf(path, sizeof path, "/tmp/bench_trace_%d.json", (int)getpid());
    }
    fp_profile *p = fp_profile_new();
    FILE *f = fopen(path, "w");
    fp_error err = FP_ERROR_INIT;
    if (p == NULL || f == NULL || build(p, n) != 0 || fp_trace_write_chrome(p, f, &err) != FP_OK) {
        fprintf(stderr, "bench_trace: cannot build the trace: %s\n", err.msg);
        return 1;
    }
    fclose(f);
    fp_profile_free(p);
    size_t len = 0;
    char *text = slurp(path, &len);
    free(text);
    printf("trace: %zu spans, %.1f MB (%s), %zu rounds, process CPU clock\n", n,
           (double)len / 1048576.0, path, rounds);
    double t[PH_COUNT][FP_BENCH_MAX_ROUNDS], rss[PH_COUNT] = {0}, ratio[4][FP_BENCH_MAX_ROUNDS];
    int ok = 1;
    for (size_t r = 0; r < rounds; r++) {
        for (int i = 0; i < PH_COUNT; i++) {
            int k = fp_bench_first_side(r) ? PH_COUNT - 1 - i : i;
            double m = 0;
            t[k][r] = phase(path, k, &m);
            if (t[k][r] < 0)
                ok = 0;
            if (m > rss[k])
                rss[k] = m;
        }
        printf("round %zu:", r + 1);
        for (int k = 0; k < PH_COUNT; k++)
            printf(" %s %.3f s", s_phase[k], t[k][r]);
        printf("\n");
        ratio[0][r] = t[PH_READ][r] / t[PH_PARSE][r];
        ratio[1][r] = t[PH_ANALYSE][r] / t[PH_PARSE][r];
        ratio[2][r] = t[PH_READ][r] / t[PH_PYTHON][r];
        ratio[3][r] = t[PH_ANALYSE][r] / t[PH_PYTHON][r];
    }
    if (!ok) {
        fprintf(stderr, "bench_trace: a phase failed\n");
        return 1;
    }
    for (int k = 0; k < PH_COUNT; k++) {
        fp_bench_stats st;
        fp_bench_stats_of(t[k], rounds, &st);
        printf("%-8s CPU s: ", s_phase[k]);
        fp_bench_print_stats(stdout, &st, 0.0, 1.0, 3);
        printf("  peak RSS %7.1f MB\n", rss[k]);
    }
    static const char *const names[4] = {"read / parse", "read+analyse / parse", "read / python",
                                         "read+analyse / python"};
    for (int q = 0; q < 4; q++) {
        fp_bench_stats st;
        fp_bench_stats_of(ratio[q], rounds, &st);
        printf("%-22s ", names[q]);
        fp_bench_print_stats(stdout, &st, 0.0, 1.0, 2);
        printf(" (paired rounds; target <= 1.0)\n");
    }
    if (argc <= 3)
        unlink(path);
    return 0;
}
