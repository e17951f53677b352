/*
 * test_span.c - the span client library (include/fpsim/span.h, span/fpsim_span.c): per-thread
 * buffers flushed at thread exit, at process exit (threads still running included), when a buffer
 * is old, and what a fork()ed child and a child that ends with _exit() write. Each case runs in a
 * fork()ed child that writes to a pipe; the parent reads every line and checks it.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fp_test.h"
#include "fpsim/span.h"

typedef struct line {
    char ph;
    char name[64];
    long pid, tid;
    long long ts;
} line;

typedef struct lines {
    line *v;
    size_t n, cap;
    int bad; /* lines that are not exactly the span line format */
} lines;

/* Parses one line of the format of fpsim/span.h; 0 when it is not exactly that. */
static int parse_line(const char *s, line *out)
{
    int end = -1;
    if (sscanf(s, "{\"ph\":\"%c\",\"name\":\"%63[^\"]\",\"pid\":%ld,\"tid\":%ld,\"ts\":%lld}%n",
               &out->ph, out->name, &out->pid, &out->tid, &out->ts, &end) != 5 ||
        end < 0 || s[end] != '\0')
        return 0;
    return 1;
}

static void add_text(lines *ls, char *text)
{
    for (char *save = NULL, *s = strtok_r(text, "\n", &save); s != NULL;
         s = strtok_r(NULL, "\n", &save)) {
        if (ls->n == ls->cap) {
            ls->cap = ls->cap ? 2 * ls->cap : 1024;
            ls->v = realloc(ls->v, ls->cap * sizeof(line));
            if (ls->v == NULL)
                abort();
        }
        if (parse_line(s, &ls->v[ls->n]))
            ls->n++;
        else
            ls->bad++;
    }
}

/* Reads fd until EOF (or `want` lines when want > 0, waiting at most 10 s for each read). */
static void read_lines(int fd, lines *ls, size_t want)
{
    size_t cap = 1 << 16, n = 0;
    char *text = malloc(cap);
    if (text == NULL)
        abort();
    for (;;) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 10000) <= 0)
            break;
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            text = realloc(text, cap);
            if (text == NULL)
                abort();
        }
        ssize_t got = read(fd, text + n, 4096);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
        if (want > 0) {
            size_t nl = 0;
            for (size_t i = 0; i < n; i++)
                nl += text[i] == '\n';
            if (nl >= want)
                break;
        }
    }
    text[n] = '\0';
    add_text(ls, text);
    free(text);
}

/* Forks; the child writes spans to a pipe through `child(arg)` and exits as it does. The parent
 * reads every line until EOF and reaps the child: its exit status. */
static int run_child(void (*child)(void *), void *arg, lines *ls)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        fpsim_span_fd_ = p[1];
        child(arg);
        exit(0);
    }
    close(p[1]);
    read_lines(p[0], ls, 0);
    close(p[0]);
    int st = -1;
    waitpid(pid, &st, 0);
    return st;
}

enum { N_THREADS = 4, N_PAIRS = 700 };

typedef struct worker {
    int k;
    pthread_mutex_t *m;
    pthread_cond_t *c;
    int *done;
    int park; /* 1: stay alive (blocked) until the process exits */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    char outer[16], inner[16];
    snprintf(outer, sizeof(outer), "t%d", w->k);
    snprintf(inner, sizeof(inner), "t%d_in", w->k);
    for (int i = 0; i < N_PAIRS; i++) {
        fpsim_span_begin(outer);
        fpsim_span_begin(inner);
        fpsim_span_end(inner);
        fpsim_span_end(outer);
    }
    pthread_mutex_lock(w->m);
    (*w->done)++;
    pthread_cond_broadcast(w->c);
    if (w->park)
        for (;;)
            pthread_cond_wait(w->c, w->m); /* never returns: the process exits under it */
    pthread_mutex_unlock(w->m);
    return NULL;
}

/* Threads 0 and 1 end (their buffers are written at thread exit); 2 and 3 are still blocked
 * when main returns (theirs are written by the exit flush); main's own spans too. */
static void child_threads(void *arg)
{
    (void)arg;
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    static int done;
    static worker w[N_THREADS];
    pthread_t th[N_THREADS];
    fpsim_span_begin("main");
    for (int k = 0; k < N_THREADS; k++) {
        w[k] = (worker){k, &m, &c, &done, k >= 2};
        if (pthread_create(&th[k], NULL, work, &w[k]) != 0)
            _exit(3);
    }
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    pthread_mutex_lock(&m);
    while (done < N_THREADS)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    fpsim_span_end("main");
    exit(0); /* threads 2 and 3 are blocked in pthread_cond_wait */
}

/* Every line well formed; per thread, time never goes back and B/E nest with matching names. */
static void check_threads_order(const lines *ls, long *tids, size_t *counts, size_t ntid)
{
    for (size_t t = 0; t < ntid; t++) {
        long long last = -1;
        char stack[4][64];
        int depth = 0, ok = 1;
        for (size_t i = 0; i < ls->n; i++) {
            const line *l = &ls->v[i];
            if (l->tid != tids[t])
                continue;
            counts[t]++;
            if (l->ts < last)
                ok = 0;
            last = l->ts;
            if (l->ph == 'B') {
                if (depth == 4)
                    ok = 0;
                else
                    snprintf(stack[depth++], 64, "%s", l->name);
            } else if (l->ph == 'E') {
                if (depth == 0 || strcmp(stack[depth - 1], l->name) != 0)
                    ok = 0;
                else
                    depth--;
            }
        }
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(depth, 0);
    }
}

static void test_threads_flush(void)
{
    lines ls = {0};
    int st = run_child(child_threads, NULL, &ls);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CU_ASSERT_EQUAL(ls.bad, 0); /* lines of different threads never mix */
    /* 4 threads x 700 x 4 events (about 200 KB: many buffer writes) + main's 2, none lost. */
    CU_ASSERT_EQUAL(ls.n, (size_t)(N_THREADS * N_PAIRS * 4 + 2));
    long tids[N_THREADS + 1];
    size_t ntid = 0;
    for (size_t i = 0; i < ls.n; i++) {
        size_t t = 0;
        while (t < ntid && tids[t] != ls.v[i].tid)
            t++;
        if (t == ntid && ntid < N_THREADS + 1)
            tids[ntid++] = ls.v[i].tid;
    }
    CU_ASSERT_EQUAL(ntid, (size_t)N_THREADS + 1);
    size_t counts[N_THREADS + 1] = {0};
    check_threads_order(&ls, tids, counts, ntid);
    for (size_t t = 0; t < ntid; t++)
        CU_ASSERT(counts[t] == 2 || counts[t] == (size_t)N_PAIRS * 4);
    free(ls.v);
}

/* The parent has an event buffered when it forks: the child must not write it again. */
static void child_forks(void *arg)
{
    (void)arg;
    fpsim_span_begin("parent");
    pid_t pid = fork();
    if (pid == 0) {
        fpsim_span_begin("child");
        fpsim_span_end("child");
        exit(0);
    }
    waitpid(pid, NULL, 0);
    fpsim_span_end("parent");
}

static void test_fork(void)
{
    lines ls = {0};
    int st = run_child(child_forks, NULL, &ls);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CU_ASSERT_EQUAL(ls.bad, 0);
    CU_ASSERT_EQUAL_FATAL(ls.n, 4);
    int parent = 0, child = 0;
    for (size_t i = 0; i < ls.n; i++) {
        parent += strcmp(ls.v[i].name, "parent") == 0;
        child += strcmp(ls.v[i].name, "child") == 0;
    }
    CU_ASSERT_EQUAL(parent, 2);
    CU_ASSERT_EQUAL(child, 2);
    /* the child's lines carry its own pid and tid, not the parent's */
    long ppid = -1, cpid = -1, ctid = -1;
    for (size_t i = 0; i < ls.n; i++) {
        if (strcmp(ls.v[i].name, "parent") == 0) {
            ppid = ls.v[i].pid;
        } else {
            cpid = ls.v[i].pid;
            ctid = ls.v[i].tid;
        }
    }
    CU_ASSERT(ppid > 0 && cpid > 0 && ppid != cpid && ctid == cpid);
    free(ls.v);
}

/* A process that ends with _exit() (or a crash) loses what it had not written: documented. */
static void child_no_flush(void *arg)
{
    (void)arg;
    fpsim_span_begin("kept");
    fpsim_span_end("kept");
    fpsim_span_flush();
    fpsim_span_begin("lost");
    fpsim_span_end("lost");
    _exit(0);
}

static void test_exit_without_flush(void)
{
    lines ls = {0};
    int st = run_child(child_no_flush, NULL, &ls);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CU_ASSERT_EQUAL(ls.bad, 0);
    CU_ASSERT_EQUAL_FATAL(ls.n, 2);
    CU_ASSERT_STRING_EQUAL(ls.v[0].name, "kept");
    CU_ASSERT_STRING_EQUAL(ls.v[1].name, "kept");
    free(ls.v);
}

/* An event after the buffer's oldest is 100 ms old writes the buffer: the parent reads both
 * while the child still lives, then kills it (nothing else is written). */
static void test_age_flush(void)
{
    int p[2];
    CU_ASSERT_FATAL(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        fpsim_span_fd_ = p[1];
        fpsim_span_begin("old");
        struct timespec d = {0, 150 * 1000000L};
        nanosleep(&d, NULL);
        fpsim_span_end("old");
        for (;;)
            pause();
    }
    close(p[1]);
    lines ls = {0};
    read_lines(p[0], &ls, 2);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(p[0]);
    CU_ASSERT_EQUAL(ls.bad, 0);
    CU_ASSERT_EQUAL_FATAL(ls.n, 2);
    CU_ASSERT(ls.v[1].ts - ls.v[0].ts >= 150000);
    free(ls.v);
}

/* Not recorded: nothing is written and errno is untouched. */
static void test_not_recorded(void)
{
    fpsim_span_fd_ = -1;
    CU_ASSERT_EQUAL(fpsim_span_enabled(), 0);
    errno = 1234;
    fpsim_span_begin("x");
    fpsim_span_end("x");
    fpsim_counter("c", 1.0);
    fpsim_span_flush();
    CU_ASSERT_EQUAL(errno, 1234);
}

int fp_test_register(void)
{
    static const fp_test_case buffer[] = {{"threads_flush", test_threads_flush},
                                          {"fork", test_fork},
                                          {"exit_without_flush", test_exit_without_flush},
                                          {"age_flush", test_age_flush},
                                          {"not_recorded", test_not_recorded},
                                          {NULL, NULL}};
    return fp_test_add_suite("buffer", buffer);
}
