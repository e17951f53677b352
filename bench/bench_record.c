/*
 * bench_record.c - the cost of `fpsim record` (docs/performance.md, "Recording overhead"):
 *  1. a span begin/end pair of fpsim/span.h, not recorded (FPSIM_TRACE_FD unset) and recorded
 *     (to a pipe drained by a thread, as under `fpsim record`);
 *  2. the overhead on the recorded program at the default intervals (100 ms, I/O 500 ms): a
 *     CPU-bound and an allocation-heavy workload (this program, `bench_record work cpu|alloc`),
 *     run bare and under fp_record_run() in paired rounds (order alternating), comparing wall
 *     time and the child's CPU time (wait4 rusage: user + system).
 * Usage: bench_record [ROUNDS]   (default 5 pairs per workload; about 1 s per pair)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fp_record.h"
#include "fpsim/span.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile unsigned long s_sink;

/* The workloads: about 0.5 s of CPU each on an idle machine. */
static int work(const char *kind)
{
    if (strcmp(kind, "cpu") == 0) {
        unsigned long x = 1;
        for (long i = 0; i < 400000000L; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        s_sink = x;
        return 0;
    }
    /* allocation-heavy: many small and medium blocks, touched, half kept until the end */
    enum { N = 200000 };
    static void *kept[N];
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < N; i++) {
            size_t sz = 16 + (size_t)((i * 2654435761u) % 4096);
            char *p = malloc(sz);
            if (p == NULL)
                return 1;
            memset(p, i, sz);
            if (i % 2 == 0) {
                free(p);
            } else {
                free(kept[i]);
                kept[i] = p;
            }
        }
    }
    for (int i = 0; i < N; i++)
        free(kept[i]);
    return 0;
}

static void *drain(void *arg)
{
    int fd = *(int *)arg;
    char buf[65536];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    return NULL;
}

static void bench_spans(void)
{
    const long n_off = 100000000L, n_on = 300000L;
    double t = now_s();
    for (long i = 0; i < n_off; i++) {
        fpsim_span_begin("bench");
        fpsim_span_end("bench");
    }
    double off_ns = (now_s() - t) / (double)n_off * 1e9;
    int p[2];
    if (pipe(p) != 0)
        return;
    pthread_t th;
    pthread_create(&th, NULL, drain, &p[0]);
    fpsim_span_fd_ = p[1];
    t = now_s();
    for (long i = 0; i < n_on; i++) {
        fpsim_span_begin("bench");
        fpsim_span_end("bench");
    }
    double on_ns = (now_s() - t) / (double)n_on * 1e9;
    fpsim_span_fd_ = -1;
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    printf("span begin/end pair: %.2f ns not recorded, %.0f ns recorded (pipe)\n", off_ns, on_ns);
}

/* Runs `self work kind` bare: wall and child CPU seconds. */
static void run_bare(char *self, char *kind, double *wall, double *cpu)
{
    double t = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        char w[] = "work";
        char *argv[] = {self, w, kind, NULL};
        execv(self, argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    wait4(pid, &st, 0, &ru);
    *wall = now_s() - t;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int run_recorded(char *self, char *kind, double *wall, double *cpu)
{
    char w[] = "work";
    char *argv[] = {self, w, kind, NULL};
    fp_record_options o = FP_RECORD_OPTIONS_INIT;
    fp_record *r = NULL;
    fp_error err = FP_ERROR_INIT;
    double t = now_s();
    if (fp_record_run(&r, argv, &o, &err) != FP_OK) {
        fprintf(stderr, "bench_record: %s\n", err.msg);
        fp_record_free(r);
        return -1;
    }
    *wall = now_s() - t;
    *cpu = fp_record_summary_get(r)->cpu_s;
    fp_record_free(r);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "work") == 0)
        return work(argv[2]);
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    if (rounds < 1 || rounds > 100)
        rounds = 5;
    bench_spans();
    char *kinds[] = {(char *)(uintptr_t) "cpu", (char *)(uintptr_t) "alloc"};
    for (int k = 0; k < 2; k++) {
        double rw[100], rc[100];
        for (int i = 0; i < rounds; i++) {
            double bw, bc, ew, ec;
            if (i % 2 == 0) {
                run_bare(argv[0], kinds[k], &bw, &bc);
                if (run_recorded(argv[0], kinds[k], &ew, &ec) != 0)
                    return 1;
            } else {
                if (run_recorded(argv[0], kinds[k], &ew, &ec) != 0)
                    return 1;
                run_bare(argv[0], kinds[k], &bw, &bc);
            }
            rw[i] = ew / bw;
            rc[i] = ec / bc;
            printf("%-5s round %d: bare %.3f s wall %.3f s CPU; recorded %.3f s wall %.3f s CPU\n",
                   kinds[k], i, bw, bc, ew, ec);
        }
        qsort(rw, (size_t)rounds, sizeof(double), cmp);
        qsort(rc, (size_t)rounds, sizeof(double), cmp);
        printf("%-5s median recorded/bare over %d pairs: wall %.4f, CPU %.4f\n", kinds[k], rounds,
               rw[rounds / 2], rc[rounds / 2]);
    }
    return 0;
}
