/*
 * bench_record.c - the cost of `fpsim record` (docs/performance.md, "Recording overhead"):
 *  1. a span begin/end pair of fpsim/span.h, not recorded (FPSIM_TRACE_FD unset) and recorded
 *     (to a pipe drained by a thread, as under `fpsim record`): thread CPU time per pair, median
 *     and range over rounds;
 *  2. the overhead on the recorded program at the default intervals (100 ms, I/O 500 ms): a
 *     CPU-bound and an allocation-heavy workload (this program, `bench_record work cpu|alloc`),
 *     run bare and under fp_record_run() in paired rounds (order alternating), comparing wall
 *     time and the child's CPU time (wait4 rusage: user + system), median and range of the
 *     recorded/bare ratios;
 *  3. fpsim's own peak RSS and CPU while recording `sleep S` at an interval (`rss` mode).
 * Usage: bench_record [spans|overhead] [ROUNDS]   (default 5 rounds; about 1 s per pair)
 *        bench_record rss FPSIM SECONDS INTERVAL
 */
#include <fcntl.h>
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

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and prints "WHAT: median M UNIT (min A, max B) over N rounds". */
static void print_spread(const char *what, double *v, int n, const char *unit)
{
    qsort(v, (size_t)n, sizeof(double), cmp);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("%s: median %.4g%s (min %.4g, max %.4g) over %d rounds\n", what, med, unit, v[0],
           v[n - 1], n);
}

/* ns of thread CPU time per begin/end pair over `n` pairs. The empty asm makes the compiler
 * read fpsim_span_fd_ at every pair, as in a program that does work between spans. */
static double span_round(long n)
{
    double t = thread_cpu_s();
    for (long i = 0; i < n; i++) {
        fpsim_span_begin("bench");
        __asm__ volatile("" ::: "memory");
        fpsim_span_end("bench");
        __asm__ volatile("" ::: "memory");
    }
    return (thread_cpu_s() - t) / (double)n * 1e9;
}

/* The pair's cost, not recorded (FPSIM_TRACE_FD unset) and recorded to a pipe drained by another
 * thread (as under `fpsim record`), on the calling thread's CPU clock (the write()s included). */
static void bench_spans(int rounds)
{
    const long n_off = 20000000L, n_on = 1000000L;
    double off[100], on[100];
    for (int r = 0; r < rounds; r++)
        off[r] = span_round(n_off);
    int p[2];
    if (pipe(p) != 0)
        return;
    pthread_t th;
    pthread_create(&th, NULL, drain, &p[0]);
    fpsim_span_fd_ = p[1];
    for (int r = 0; r < rounds; r++)
        on[r] = span_round(n_on);
    fpsim_span_flush();
    fpsim_span_fd_ = -1;
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    printf("span begin/end pair (%ld pairs per round, thread CPU time):\n", n_off);
    print_spread("  not recorded", off, rounds, " ns");
    printf("span begin/end pair (%ld pairs per round, thread CPU time, write()s included):\n",
           n_on);
    print_spread("  recorded", on, rounds, " ns");
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

/* Paired rounds (the order alternates) of each workload bare and recorded: ratios and times. */
static int bench_overhead(char *self, int rounds)
{
    char *kinds[] = {(char *)(uintptr_t) "cpu", (char *)(uintptr_t) "alloc"};
    for (int k = 0; k < 2; k++) {
        double rw[100], rc[100];
        for (int i = 0; i < rounds; i++) {
            double bw, bc, ew, ec;
            if (i % 2 == 0) {
                run_bare(self, kinds[k], &bw, &bc);
                if (run_recorded(self, kinds[k], &ew, &ec) != 0)
                    return 1;
            } else {
                if (run_recorded(self, kinds[k], &ew, &ec) != 0)
                    return 1;
                run_bare(self, kinds[k], &bw, &bc);
            }
            rw[i] = ew / bw;
            rc[i] = ec / bc;
            printf("%-5s round %d: bare %.3f s wall %.3f s CPU; recorded %.3f s wall %.3f s CPU\n",
                   kinds[k], i, bw, bc, ew, ec);
        }
        char what[64];
        snprintf(what, sizeof(what), "%s recorded/bare wall", kinds[k]);
        print_spread(what, rw, rounds, "");
        snprintf(what, sizeof(what), "%s recorded/bare CPU", kinds[k]);
        print_spread(what, rc, rounds, "");
    }
    return 0;
}

/* fpsim's own peak RSS (wait4 of `FPSIM record --interval IV -o /dev/null -- sleep S`: the
 * maximum over fpsim and sleep, and sleep is the smaller) and CPU time. */
static int bench_rss(char *fpsim, char *secs, char *iv)
{
    double t = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        char rec[] = "record", ivo[] = "--interval", dd[] = "--", sl[] = "sleep";
        char *argv[] = {fpsim, rec, ivo, iv, dd, sl, secs, NULL};
        execv(fpsim, argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_record: %s record failed\n", fpsim);
        return 1;
    }
    double wall = now_s() - t, ivs = 0;
    if (fp_record_parse_duration_s(iv, &ivs) != FP_OK)
        return 1;
    printf("record --interval %s -- sleep %s: %.1f s wall, %.0f ticks, peak RSS %ld kB, "
           "CPU %.2f s\n",
           iv, secs, wall, wall / ivs, ru.ru_maxrss,
           (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "work") == 0)
        return work(argv[2]);
    if (argc == 5 && strcmp(argv[1], "rss") == 0)
        return bench_rss(argv[2], argv[3], argv[4]);
    const char *mode = "all";
    int a = 1;
    if (argc > 1 && (strcmp(argv[1], "spans") == 0 || strcmp(argv[1], "overhead") == 0))
        mode = argv[a++];
    int rounds = argc > a ? atoi(argv[a]) : 5;
    if (rounds < 1 || rounds > 100) {
        fprintf(stderr, "usage: bench_record [spans|overhead] [ROUNDS 1..100]\n"
                        "       bench_record rss FPSIM SECONDS INTERVAL\n");
        return 64;
    }
    if (strcmp(mode, "overhead") != 0)
        bench_spans(rounds);
    if (strcmp(mode, "spans") != 0)
        return bench_overhead(argv[0], rounds);
    return 0;
}
