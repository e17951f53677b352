/*
 * bench_trace.c - reading and analysing a large Chrome Trace Event file, next to the time cJSON
 * alone takes to parse the same file (target: read + analyse <= 1.5x the bare parse).
 *
 * Usage: bench_trace [SPANS (default 1000000)] [FILE (default: a temp file)]
 *   Writes a trace of SPANS calls (a flat flow of 1,000 top-level calls with nested callees,
 *   built by hand, so the benchmark does not depend on a scenario), then times, in this order and
 *   each in a fresh child process so that peak RSS is per phase (three interleaved rounds; the
 *   fastest time of each phase is compared):
 *     parse    cJSON_ParseWithLength on the file's bytes, then cJSON_Delete;
 *     read     fp_trace_read_chrome into a profile;
 *     analyse  read + fp_analyze (what `fpsim analyze` does, minus the report).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_formats.h"
#include "fp_profile.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/* Runs one phase in a child; prints seconds (excluding reading the file) and peak RSS. */
static double phase(const char *name, const char *path, int which)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        size_t len = 0;
        char *text = slurp(path, &len);
        double t0 = now(), t = -1;
        if (text != NULL && which == 0) {
            cJSON *j = cJSON_ParseWithLength(text, len);
            if (j != NULL)
                t = now() - t0;
            cJSON_Delete(j);
        } else if (text != NULL) {
            fp_profile *p = fp_profile_new();
            fp_error err = FP_ERROR_INIT;
            if (fp_trace_read_chrome(p, text, len, path, NULL, &err) == FP_OK) {
                t = now() - t0;
                if (which == 2) {
                    fp_analysis *a = NULL;
                    t = fp_analyze(&a, p, NULL, &err) == FP_OK ? now() - t0 : -1;
                    fp_analysis_free(a);
                }
            } else {
                fprintf(stderr, "bench_trace: %s\n", err.msg);
            }
            fp_profile_free(p);
        }
        free(text);
        if (write(fd[1], &t, sizeof t) != sizeof t)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    double t = -1;
    if (read(fd[0], &t, sizeof t) != sizeof t)
        t = -1;
    close(fd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    printf("%-8s %8.3f s  peak RSS %7.1f MB\n", name, t, (double)ru.ru_maxrss / 1024.0);
    return t;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    char path[256];
    if (argc > 2) {
        snprintf(path, sizeof path, "%s", argv[2]);
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
    printf("trace: %zu spans, %.1f MB (%s)\n", n, (double)len / 1048576.0, path);
    /* three rounds, interleaved; the fastest of each phase (noise only ever adds time) */
    double tp = 1e300, tr = 1e300, ta = 1e300;
    for (int round = 0; round < 3; round++) {
        double x = phase("parse", path, 0), y = phase("read", path, 1),
               z = phase("analyse", path, 2);
        tp = x >= 0 && x < tp ? x : tp;
        tr = y >= 0 && y < tr ? y : tr;
        ta = z >= 0 && z < ta ? z : ta;
    }
    printf("fastest: parse %.3f s, read %.3f s, read+analyse %.3f s\n", tp, tr, ta);
    printf("read / parse = %.2f, read+analyse / parse = %.2f (target <= 1.5)\n", tr / tp, ta / tp);
    if (argc <= 2)
        unlink(path);
    return 0;
}
