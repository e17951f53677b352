/*
 * bench_record.c - the cost of `fpsim record` (docs/performance.md, "Recording overhead"):
 *  1. a span begin/end pair of fpsim/span.h, not recorded (FPSIM_TRACE_FD unset) and recorded
 *     (to a pipe drained by a thread, as under `fpsim record`);
 *  2. the overhead on the recorded program at the default intervals (100 ms, I/O 500 ms): a
 *     CPU-bound and an allocation-heavy workload (this program, `bench_record work cpu|alloc`),
 *     run bare and under fp_record_run() in paired rounds (fp_bench.h: order alternating, ratio
 *     per round, median and spread), comparing the child's CPU time (wait4 rusage: user +
 *     system) and, for reference only, wall time (which on a shared machine mostly measures
 *     the other load).
 * The span pairs are timed on the thread CPU clock.
 * Usage: bench_record [ROUNDS]   (default 9 pairs per workload; about 1 s per pair)
 *        FP_BENCH_QUICK=1: 9 rounds.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fp_bench.h"
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
    fp_bench_meter m;
    fp_bench_meter_open(&m, FP_BENCH_THREAD);
    fp_bench_start(&m);
    for (long i = 0; i < n_off; i++) {
        fpsim_span_begin("bench");
        fpsim_span_end("bench");
    }
    double off_ns = fp_bench_stop(&m).sec / (double)n_off * 1e9;
    int p[2];
    if (pipe(p) != 0)
        return;
    pthread_t th;
    pthread_create(&th, NULL, drain, &p[0]);
    fpsim_span_fd_ = p[1];
    fp_bench_start(&m);
    for (long i = 0; i < n_on; i++) {
        fpsim_span_begin("bench");
        fpsim_span_end("bench");
    }
    double on_ns = fp_bench_stop(&m).sec / (double)n_on * 1e9;
    fp_bench_meter_close(&m);
    fpsim_span_fd_ = -1;
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    printf("span begin/end pair (thread CPU): %.2f ns not recorded, %.0f ns recorded (pipe)\n",
           off_ns, on_ns);
}

/* Runs `self work kind` bare: wall and child CPU seconds. */
static int run_bare(char *self, char *kind, double *wall, double *cpu)
{
    double t = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        char w[] = "work";
        char *argv[] = {self, w, kind, NULL};
        execv(self, argv);
        _exit(127);
    }
    fp_bench_sample c;
    int rc = fp_bench_wait_child(pid, &c, NULL);
    *wall = now_s() - t;
    *cpu = c.sec;
    return rc;
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

typedef struct {
    char *self, *kind;
    double wall[2][FP_BENCH_MAX_ROUNDS];
} rec_ctx;

/* Side 0: the workload bare; side 1: under fp_record_run(). The child's CPU seconds. */
static int rec_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    rec_ctx *c = vctx;
    out->instr = -1;
    int rc = side ? run_recorded(c->self, c->kind, &c->wall[1][round], &out->sec)
                  : run_bare(c->self, c->kind, &c->wall[0][round], &out->sec);
    printf("%-5s round %zu: %s %.3f s wall %.3f s CPU\n", c->kind, round,
           side ? "recorded" : "bare", c->wall[side][round], out->sec);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "work") == 0)
        return work(argv[2]);
    size_t rounds = fp_bench_rounds(argc > 1 ? atoi(argv[1]) : 0, 9);
    bench_spans();
    char *kinds[] = {(char *)(uintptr_t) "cpu", (char *)(uintptr_t) "alloc"};
    for (int k = 0; k < 2; k++) {
        static rec_ctx c;
        fp_bench_paired res;
        double rw[FP_BENCH_MAX_ROUNDS];
        fp_bench_stats wall;
        c.self = argv[0];
        c.kind = kinds[k];
        if (fp_bench_pair(rounds, rec_side, &c, &res) != 0)
            return 1;
        for (size_t i = 0; i < rounds; i++)
            rw[i] = c.wall[1][i] / c.wall[0][i];
        fp_bench_stats_of(rw, rounds, &wall);
        printf("%-5s recorded / bare over %zu paired rounds: CPU ", kinds[k], rounds);
        fp_bench_print_stats(stdout, &res.ratio, 0.0, 1.0, 4);
        printf("; wall (reference only) ");
        fp_bench_print_stats(stdout, &wall, 0.0, 1.0, 4);
        printf("\n");
    }
    return 0;
}
