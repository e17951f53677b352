/*
 * fp_planted.c - a real program with planted problems of known truth, for `fpsim record`'s
 * ground-truth test (tests/record/test_record.sh, docs/record.md). Each switch plants one:
 *   --slow MS        5 "fast_step" spans of 10 ms, then one "slow_step" span busy for MS ms
 *   --leak MBPS      allocate and touch MBPS MB per second, keep it (for --for seconds)
 *   --burst K        K threads busy for --for seconds (no span)
 *   --calls N        N calls of a cheap function (30 us busy), each a span "tiny_call"
 *   --for S          length of --leak and --burst (default 1.5)
 *   --sleep MS       idle time at the end (default 200)
 * With no switch it is the clean run: a few short spans and sleeps, nothing to find.
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fpsim/span.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile unsigned long s_sink;
static void *s_kept; /* the leak's chunks, never freed */

static void busy(double seconds)
{
    double end = now_s() + seconds;
    unsigned long x = 1;
    while (now_s() < end)
        for (int i = 0; i < 10000; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
    s_sink += x;
}

static void nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void *burn(void *arg)
{
    busy(*(const double *)arg);
    return NULL;
}

static void step(const char *name, double seconds)
{
    FPSIM_SCOPE(name);
    busy(seconds);
}

/* cheap, but not free: 3000 calls take about 0.1 s, a share of the run a storm must have */
static void tiny(int i)
{
    FPSIM_SCOPE("tiny_call");
    busy(0.00003);
    s_sink += (unsigned long)i;
}

int main(int argc, char **argv)
{
    double slow_ms = 0, leak = 0, dur = 1.5, sleep_ms = 200;
    long burst = 0, calls = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--slow") == 0)
            slow_ms = atof(v);
        else if (strcmp(k, "--leak") == 0)
            leak = atof(v);
        else if (strcmp(k, "--burst") == 0)
            burst = atol(v);
        else if (strcmp(k, "--calls") == 0)
            calls = atol(v);
        else if (strcmp(k, "--for") == 0)
            dur = atof(v);
        else if (strcmp(k, "--sleep") == 0)
            sleep_ms = atof(v);
        else {
            fprintf(stderr, "fp_planted: unknown switch %s\n", k);
            return 2;
        }
    }
    for (int i = 0; i < 5; i++)
        step("fast_step", 0.010);
    if (slow_ms > 0)
        step("slow_step", slow_ms / 1000.0);
    if (leak > 0) {
        /* 20 chunks a second, each touched so it is resident, never freed */
        double t0 = now_s();
        size_t chunk = (size_t)(leak * 1048576.0 / 20.0);
        while (now_s() - t0 < dur) {
            char *p = malloc(chunk);
            if (p == NULL)
                return 3;
            memset(p, 1, chunk);
            /* kept reachable (a list through the chunks) so LeakSanitizer does not object */
            if (chunk >= sizeof(void *)) {
                memcpy(p, &s_kept, sizeof(void *));
                s_kept = p;
            }
            nap(0.05);
        }
    }
    if (burst > 0) { /* no span: the burst is the process's, not a method's */
        pthread_t th[64];
        if (burst > 64)
            burst = 64;
        for (long i = 0; i < burst; i++)
            pthread_create(&th[i], NULL, burn, &dur);
        for (long i = 0; i < burst; i++)
            pthread_join(th[i], NULL);
    }
    for (long i = 0; i < calls; i++)
        tiny((int)i);
    if (slow_ms <= 0 && leak <= 0 && burst <= 0 && calls <= 0)
        nap(0.8); /* the clean run lasts about a second */
    nap(sleep_ms / 1000.0);
    return 0;
}
