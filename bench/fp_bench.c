/*
 * fp_bench.c - CPU clocks, instruction counter, paired rounds and their statistics for the
 * benchmarks (fp_bench.h).
 */
#include "fp_bench.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

double fp_bench_cpu_now(fp_bench_clock clock)
{
    struct timespec ts;
    clock_gettime(clock == FP_BENCH_THREAD ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID,
                  &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void fp_bench_meter_open(fp_bench_meter *m, fp_bench_clock clock)
{
    struct perf_event_attr a;
    memset(m, 0, sizeof(*m));
    m->clock = clock;
    memset(&a, 0, sizeof(a));
    a.type = PERF_TYPE_HARDWARE;
    a.size = sizeof(a);
    a.config = PERF_COUNT_HW_INSTRUCTIONS;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    /* The process clock counts the worker threads the bench starts later: so does the counter. */
    a.inherit = clock == FP_BENCH_PROCESS;
    long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    m->fd = fd < 0 ? -1 : (int)fd;
    m->err = fd < 0 ? errno : 0;
}

void fp_bench_meter_close(fp_bench_meter *m)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

static unsigned long long read_counter(const fp_bench_meter *m)
{
    unsigned long long v = 0;
    if (m->fd < 0 || read(m->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
        return 0;
    return v;
}

void fp_bench_start(fp_bench_meter *m)
{
    m->i0 = read_counter(m);
    m->t0 = fp_bench_cpu_now(m->clock);
}

fp_bench_sample fp_bench_stop(fp_bench_meter *m)
{
    fp_bench_sample s;
    s.sec = fp_bench_cpu_now(m->clock) - m->t0;
    s.instr = m->fd >= 0 ? (double)(read_counter(m) - m->i0) : -1.0;
    return s;
}

void fp_bench_add(fp_bench_sample *sum, fp_bench_sample s)
{
    sum->sec += s.sec;
    sum->instr = sum->instr < 0 || s.instr < 0 ? -1.0 : sum->instr + s.instr;
}

const char *fp_bench_instr_source(const fp_bench_meter *m)
{
    if (m->fd >= 0)
        return "perf_event_open (user-space instructions)";
    switch (m->err) {
    case ENOENT:
    case ENODEV:
    case EOPNOTSUPP:
        return "none: perf_event_open: no hardware counter (a VM?); use bench/callgrind.sh";
    case EACCES:
    case EPERM:
        return "none: perf_event_open: not permitted (kernel.perf_event_paranoid); use "
               "bench/callgrind.sh";
    default:
        return "none: perf_event_open failed; use bench/callgrind.sh";
    }
}

int fp_bench_wait_child(pid_t pid, fp_bench_sample *out, long *maxrss_kib)
{
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    out->sec = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    out->instr = -1.0;
    if (maxrss_kib != NULL)
        *maxrss_kib = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void fp_bench_stats_of(const double *v, size_t n, fp_bench_stats *out)
{
    double s[FP_BENCH_MAX_ROUNDS];
    memset(out, 0, sizeof(*out));
    if (n == 0 || n > FP_BENCH_MAX_ROUNDS)
        return;
    memcpy(s, v, n * sizeof(double));
    gsl_sort(s, 1, n);
    out->n = n;
    out->min = s[0];
    out->max = s[n - 1];
    out->median = gsl_stats_median_from_sorted_data(s, 1, n);
    out->q1 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.25);
    out->q3 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.75);
}

int fp_bench_first_side(size_t round)
{
    return (int)(round % 2);
}

int fp_bench_pair(size_t rounds, fp_bench_side_fn fn, void *ctx, fp_bench_paired *out)
{
    double ta[FP_BENCH_MAX_ROUNDS], tb[FP_BENCH_MAX_ROUNDS], r[FP_BENCH_MAX_ROUNDS];
    double ia[FP_BENCH_MAX_ROUNDS], ib[FP_BENCH_MAX_ROUNDS], ir[FP_BENCH_MAX_ROUNDS];
    memset(out, 0, sizeof(*out));
    if (rounds < FP_BENCH_MIN_ROUNDS || rounds > FP_BENCH_MAX_ROUNDS)
        return -1;
    out->rounds = rounds;
    out->has_instr = 1;
    for (size_t k = 0; k < rounds; k++) {
        int first = fp_bench_first_side(k);
        fp_bench_sample *s[2] = {&out->a[k], &out->b[k]};
        if (fn(ctx, first, k, s[first]) != 0 || fn(ctx, 1 - first, k, s[1 - first]) != 0)
            return -1;
        ta[k] = out->a[k].sec;
        tb[k] = out->b[k].sec;
        r[k] = tb[k] / ta[k];
        ia[k] = out->a[k].instr;
        ib[k] = out->b[k].instr;
        ir[k] = ib[k] / ia[k];
        if (ia[k] < 0 || ib[k] < 0)
            out->has_instr = 0;
    }
    fp_bench_stats_of(ta, rounds, &out->sec_a);
    fp_bench_stats_of(tb, rounds, &out->sec_b);
    fp_bench_stats_of(r, rounds, &out->ratio);
    if (out->has_instr) {
        fp_bench_stats_of(ia, rounds, &out->instr_a);
        fp_bench_stats_of(ib, rounds, &out->instr_b);
        fp_bench_stats_of(ir, rounds, &out->instr_ratio);
    }
    return 0;
}

void fp_bench_print_stats(FILE *f, const fp_bench_stats *s, double offset, double scale,
                          int decimals)
{
    const double v[5] = {s->median, s->q1, s->q3, s->min, s->max};
    static const char *const sep[5] = {"median ", " (IQR ", "-", ", range ", "-"};
    for (int i = 0; i < 5; i++) {
        fputs(sep[i], f);
        fprintf(f, "%.*f", decimals, (v[i] + offset) * scale);
    }
    fputc(')', f);
}

size_t fp_bench_rounds(int argc_value, size_t def_rounds)
{
    const char *q = getenv("FP_BENCH_QUICK");
    size_t r = argc_value > 0                     ? (size_t)argc_value
               : q != NULL && strcmp(q, "1") == 0 ? FP_BENCH_MIN_ROUNDS
                                                  : def_rounds;
    if (r < FP_BENCH_MIN_ROUNDS)
        r = FP_BENCH_MIN_ROUNDS;
    return r > FP_BENCH_MAX_ROUNDS ? FP_BENCH_MAX_ROUNDS : r;
}

double fp_bench_scale(void)
{
    const char *q = getenv("FP_BENCH_QUICK");
    return q != NULL && strcmp(q, "1") == 0 ? 0.1 : 1.0;
}
