/*
 * fp_bench.h - the one timing, pairing and statistics helper of every benchmark in bench/.
 *
 * Benchmarks run on shared, loaded machines, so wall time says more about the neighbours than
 * about fpsim. Every bench therefore:
 *   - times with a CPU clock: the calling thread's (CLOCK_THREAD_CPUTIME_ID), the process's
 *     (CLOCK_PROCESS_CPUTIME_ID, when worker threads do the work) or, for a child process, the
 *     user + system time wait4() reports for it;
 *   - counts retired user-space instructions too where the machine has a counter
 *     (perf_event_open; virtual machines often have none: fp_bench_instr_source() says which);
 *     bench/callgrind.sh gives deterministic instruction counts anywhere;
 *   - pairs the two sides of every ratio round by round (fp_bench_pair: A then B, then B then A,
 *     ...), takes the ratio within each round, and reports median, quartiles and range over at
 *     least FP_BENCH_MIN_ROUNDS rounds.
 *
 * Not part of the fpsim library: benches are programs and may print. No globals except the
 * instruction counter's file descriptor, which belongs to the meter that opened it.
 */
#ifndef FP_BENCH_H
#define FP_BENCH_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define FP_BENCH_MIN_ROUNDS 9
#define FP_BENCH_MAX_ROUNDS 101

typedef enum {
    FP_BENCH_THREAD, /* CLOCK_THREAD_CPUTIME_ID: the calling thread only */
    FP_BENCH_PROCESS /* CLOCK_PROCESS_CPUTIME_ID: every thread of the process */
} fp_bench_clock;

/* One measurement: CPU seconds, and instructions (negative when not counted). */
typedef struct {
    double sec;
    double instr;
} fp_bench_sample;

/* A CPU clock plus, when available, an instruction counter on the same scope (the calling
 * thread, or the process with the threads it creates later). Caller-owned; close it. */
typedef struct {
    fp_bench_clock clock;
    int fd;  /* perf_event_open counter, or -1 */
    int err; /* errno of a failed perf_event_open, 0 when open */
    double t0;
    unsigned long long i0;
} fp_bench_meter;

void fp_bench_meter_open(fp_bench_meter *m, fp_bench_clock clock);
void fp_bench_meter_close(fp_bench_meter *m);
/* Starts a measurement; fp_bench_stop returns what it took since. Start/stop pairs may be
 * summed by the caller (fp_bench_add). */
void fp_bench_start(fp_bench_meter *m);
fp_bench_sample fp_bench_stop(fp_bench_meter *m);
void fp_bench_add(fp_bench_sample *sum, fp_bench_sample s);
/* "perf_event_open (user-space instructions)" or "none: perf_event_open: REASON". Static. */
const char *fp_bench_instr_source(const fp_bench_meter *m);

/* Seconds on `clock` now. */
double fp_bench_cpu_now(fp_bench_clock clock);

/* Waits for child `pid`; *out gets its user + system CPU (instructions not counted) and
 * *maxrss_kib (may be NULL) its peak RSS. Returns 0 when it exited with status 0, else -1. */
int fp_bench_wait_child(pid_t pid, fp_bench_sample *out, long *maxrss_kib);

/* Median, quartiles (linear interpolation between order statistics) and range of v[0..n). */
typedef struct {
    size_t n;
    double median, q1, q3, min, max;
} fp_bench_stats;
void fp_bench_stats_of(const double *v, size_t n, fp_bench_stats *out);

/*
 * One side of a paired measurement: does the work of `side` (0 = A, 1 = B) for `round` and
 * stores what it measured in *out (the side chooses what to time: setup it needs but which is
 * not part of the measurement stays outside its start/stop). Returns 0, or -1 on failure.
 */
typedef int (*fp_bench_side_fn)(void *ctx, int side, size_t round, fp_bench_sample *out);

/* Which side runs first in `round`: A (0) in even rounds, B (1) in odd ones. */
int fp_bench_first_side(size_t round);

/* The outcome of fp_bench_pair: per round samples, and statistics over rounds of each side's
 * seconds, of the per-round ratio B / A, and (has_instr) of instructions and their ratio. */
typedef struct {
    size_t rounds;
    fp_bench_sample a[FP_BENCH_MAX_ROUNDS], b[FP_BENCH_MAX_ROUNDS];
    fp_bench_stats sec_a, sec_b, ratio;
    int has_instr;
    fp_bench_stats instr_a, instr_b, instr_ratio;
} fp_bench_paired;

/* Runs `rounds` (FP_BENCH_MIN_ROUNDS..FP_BENCH_MAX_ROUNDS) paired rounds of `fn`, the order
 * alternating (fp_bench_first_side). Returns 0, or -1 when a side failed or rounds is out of
 * range. */
int fp_bench_pair(size_t rounds, fp_bench_side_fn fn, void *ctx, fp_bench_paired *out);

/* Prints "median M (IQR Q1-Q3, range MIN-MAX)", each value v as (v + offset) * scale with
 * `decimals` decimals (offset -1, scale 100: a ratio as "adds N %"). */
void fp_bench_print_stats(FILE *f, const fp_bench_stats *s, double offset, double scale,
                          int decimals);

/* Rounds and a work scale for a bench: FP_BENCH_QUICK=1 in the environment (CTest) asks for
 * FP_BENCH_MIN_ROUNDS rounds and a tenth of the work; otherwise `def_rounds` and 1.0. A
 * command-line value > 0 overrides the rounds. */
size_t fp_bench_rounds(int argc_value, size_t def_rounds);
double fp_bench_scale(void);

#endif
