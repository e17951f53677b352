/*
 * fp_planted.c - a real program with planted problems of known truth, for `fpsim record`'s
 * ground-truth test (tests/record/test_record.sh, docs/record.md). Each switch plants one:
 *   --slow MS        5 "fast_step" spans of 10 ms, then one "slow_step" span busy for MS ms
 *   --leak MBPS      allocate and touch MBPS MB per second, keep it (for --for seconds)
 *   --burst K        K threads busy for --for seconds (no span)
 *   --calls N        N calls of a cheap function (30 us busy), each a span "tiny_call"
 *   --io MB          span "io_step": write MB MB to a file in 4 KiB writes over the first half of
 *                    --for seconds, read it back over the second half (512 I/O operations
 *                    a MB), delete it
 *   --fsync 1        fsync the file after each batch of --io writes
 *   --io-dir DIR     where --io's file goes (default $TMPDIR, else /tmp)
 *   --for S          length of --leak, --burst and --io (default 1.5)
 *   --sleep MS       idle time at the end (default 200)
 * With no switch it is the clean run: a few short spans and sleeps, nothing to find.
 *
 * Under `fpsim validate --record` (docs/validation.md "Real processes") the switches come from
 * the environment instead: FPSIM_PLANT names the kind to plant (slow_method, memory_leak,
 * cpu_saturation, call_storm or io_heavy, each with the sizes of tests/record/test_record.sh;
 * empty or another kind: nothing), and the ground truth is written to FPSIM_TRUTH as an fpsim
 * manifest (scenario FPSIM_SCENARIO, seed FPSIM_SEED, run_index FPSIM_RUN), its windows in
 * seconds on CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Heavy file I/O in one span: MB MB written in 4 KiB writes, 20 batches a second over the first
 * half of `dur`, then read back the same way over the second half. 0, or 4 (cannot write). */
static int io_step(double mb, double dur, int sync, const char *dir)
{
    FPSIM_SCOPE("io_step");
    char path[4096], block[4096];
    snprintf(path, sizeof(path), "%s/fp_planted.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return 4;
    unlink(path); /* gone when closed, whatever happens */
    memset(block, 'x', sizeof(block));
    long blocks = (long)(mb * 256.0), batches = (long)(dur * 10.0);
    if (batches < 1)
        batches = 1;
    int rc = 0;
    for (int phase = 0; phase < 2 && rc == 0; phase++) {
        if (phase == 1 && lseek(fd, 0, SEEK_SET) != 0)
            rc = 4;
        for (long b = 0, done = 0; b < batches && rc == 0; b++) {
            double t0 = now_s();
            long upto = blocks * (b + 1) / batches;
            for (; done < upto; done++) {
                ssize_t n =
                    phase == 0 ? write(fd, block, sizeof(block)) : read(fd, block, sizeof(block));
                if (n != (ssize_t)sizeof(block)) {
                    rc = 4;
                    break;
                }
            }
            if (phase == 0 && sync && fsync(fd) != 0)
                rc = 4;
            double left = 0.05 - (now_s() - t0);
            if (left > 0)
                nap(left);
        }
    }
    close(fd);
    return rc;
}

/* What was planted, for the manifest. */
typedef struct planted {
    const char *kind, *target; /* target NULL: the process */
    double start_s, end_s, magnitude, affected_calls, extra_s, extra_mb, extra_calls, extra_io_ops,
        extra_io_bytes, extra_cpu_pct_s;
} planted;

static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

/* Writes the fpsim manifest (profile/fp_manifest_read.c's layout) to FPSIM_TRUTH; 0 or 5. */
static int write_truth(const char *path, const planted *p)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 5;
    const char *scn = getenv("FPSIM_SCENARIO"), *seed = getenv("FPSIM_SEED");
    const char *run = getenv("FPSIM_RUN");
    fputs("{\"fpsim_manifest\": 1, \"scenario\": ", f);
    put_json_string(f, scn != NULL ? scn : "fp_planted");
    fputs(", \"seed\": ", f);
    put_json_string(f, seed != NULL ? seed : "0");
    fprintf(f, ", \"run_index\": %s, \"injected\": [", run != NULL ? run : "0");
    if (p->kind != NULL) {
        fputs("{\"kind\": ", f);
        put_json_string(f, p->kind);
        fputs(", \"target\": ", f);
        if (p->target != NULL)
            put_json_string(f, p->target);
        else
            fputs("null", f);
        fprintf(f,
                ", \"source\": 0, \"start_s\": %.6f, \"end_s\": %.6f, \"magnitude\": %g, "
                "\"affected_calls\": %.0f, \"extra_s\": %g, \"extra_mb\": %g, \"extra_calls\": %g, "
                "\"extra_io_ops\": %g, \"extra_io_bytes\": %g, \"extra_cpu_pct_s\": %g}",
                p->start_s, p->end_s, p->magnitude, p->affected_calls, p->extra_s, p->extra_mb,
                p->extra_calls, p->extra_io_ops, p->extra_io_bytes, p->extra_cpu_pct_s);
    }
    fputs("]}\n", f);
    return fclose(f) == 0 ? 0 : 5;
}

int main(int argc, char **argv)
{
    double slow_ms = 0, leak = 0, dur = 1.5, sleep_ms = 200, io_mb = 0;
    long burst = 0, calls = 0, sync = 0;
    const char *io_dir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
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
        else if (strcmp(k, "--io") == 0)
            io_mb = atof(v);
        else if (strcmp(k, "--fsync") == 0)
            sync = atol(v);
        else if (strcmp(k, "--io-dir") == 0)
            io_dir = v;
        else {
            fprintf(stderr, "fp_planted: unknown switch %s\n", k);
            return 2;
        }
    }
    /* validate --record's plan: the same sizes as the switches of test_record.sh */
    const char *plant = getenv("FPSIM_PLANT"), *truth = getenv("FPSIM_TRUTH");
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    planted pl;
    memset(&pl, 0, sizeof(pl));
    if (plant != NULL && strcmp(plant, "slow_method") == 0) {
        slow_ms = 1000;
    } else if (plant != NULL && strcmp(plant, "memory_leak") == 0) {
        leak = 100;
    } else if (plant != NULL && strcmp(plant, "cpu_saturation") == 0) {
        burst = 4 * (ncpu > 0 ? ncpu : 1);
    } else if (plant != NULL && strcmp(plant, "call_storm") == 0) {
        calls = 3000;
        sleep_ms = 1500;
    } else if (plant != NULL && strcmp(plant, "io_heavy") == 0) {
        io_mb = 64;
        dur = 1;
        sleep_ms = 1500;
    }
    for (int i = 0; i < 5; i++)
        step("fast_step", 0.010);
    if (slow_ms > 0) {
        pl = (planted){"slow_method",
                       "slow_step",
                       now_s(),
                       0,
                       slow_ms / 1000.0,
                       1,
                       slow_ms / 1000.0,
                       0,
                       0,
                       0,
                       0,
                       0};
        step("slow_step", slow_ms / 1000.0);
        pl.end_s = now_s();
    }
    if (leak > 0) {
        pl = (planted){"memory_leak", NULL, now_s(), 0, leak, 1, 0, leak * dur, 0, 0, 0, 0};
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
        pl.end_s = now_s();
    }
    if (burst > 0) { /* no span: the burst is the process's, not a method's */
        pthread_t th[64];
        if (burst > 64)
            burst = 64;
        double cores = (double)(burst < ncpu ? burst : ncpu);
        pl = (planted){"cpu_saturation",   NULL, now_s(), 0, (double)burst, 1, 0, 0, 0, 0, 0,
                       100.0 * cores * dur};
        for (long i = 0; i < burst; i++)
            pthread_create(&th[i], NULL, burn, &dur);
        for (long i = 0; i < burst; i++)
            pthread_join(th[i], NULL);
        pl.end_s = now_s();
    }
    if (calls > 0) {
        pl = (planted){"call_storm",  "tiny_call", now_s(), 0, (double)calls, (double)calls, 0, 0,
                       (double)calls, 0,           0,       0};
        for (long i = 0; i < calls; i++)
            tiny((int)i);
        pl.end_s = now_s();
        pl.extra_s = pl.end_s - pl.start_s;
    }
    if (io_mb > 0) {
        pl = (planted){"io_heavy",
                       "io_step",
                       now_s(),
                       0,
                       io_mb,
                       1,
                       0,
                       0,
                       0,
                       512.0 * io_mb,
                       2.0 * io_mb * 1048576.0,
                       0};
        if (io_step(io_mb, dur, sync != 0, io_dir) != 0) {
            fprintf(stderr, "fp_planted: cannot write and read back %s/fp_planted.*\n", io_dir);
            return 4;
        }
        pl.end_s = now_s();
        pl.extra_s = pl.end_s - pl.start_s;
    }
    if (slow_ms <= 0 && leak <= 0 && burst <= 0 && calls <= 0 && io_mb <= 0)
        nap(0.8); /* the clean run lasts about a second */
    nap(sleep_ms / 1000.0);
    if (truth != NULL && write_truth(truth, &pl) != 0) {
        fprintf(stderr, "fp_planted: cannot write the ground truth to %s\n", truth);
        return 5;
    }
    return 0;
}
