/*
 * fp_record.c - the recorder of `fpsim record` (fp_record.h): fork/exec, the /proc sampler of the
 * process tree, guards, the span pipe, and the profile built from the samples.
 */
#define _GNU_SOURCE 1 /* pipe2, O_CLOEXEC, wait4 */
#include "fp_record.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fp_escape.h"
#include "fp_formats.h"

/* One sample of the whole tree; cumulative values include processes already gone. */
typedef struct sample {
    double t_s;      /* seconds from the start */
    double rss_mb;   /* resident memory of the live tree */
    double cpu_s;    /* cumulative user+system CPU of the tree */
    double io_ops;   /* cumulative read+write syscalls */
    double io_bytes; /* cumulative rchar+wchar */
    int io_valid;    /* the I/O counters were read at this sample */
} sample;

/* A process seen in the tree, with its last cumulative values. */
typedef struct proc_rec {
    pid_t pid;
    unsigned long long start; /* starttime, tells a reused pid apart */
    double cpu_s, io_ops, io_bytes;
    unsigned epoch; /* the sample it was last seen in */
} proc_rec;

struct fp_record {
    fp_record_options o;
    fp_record_summary sum;
    sample *samples;
    size_t n_samples, cap_samples;
    fp_record_breach *breaches;
    size_t n_breaches, cap_breaches;
    fp_record_gap *gaps;
    size_t n_gaps, cap_gaps;
    proc_rec *procs;
    size_t n_procs, cap_procs;
    double dead_cpu_s, dead_io_ops, dead_io_bytes; /* processes gone */
    char *lines;                                   /* span events from the pipe (JSON lines) */
    size_t n_lines, cap_lines;
    char *trace_text; /* --trace file contents, or NULL */
    size_t trace_len;
    long long t0_us; /* CLOCK_MONOTONIC at the start, microseconds */
    double tick_s;
    long clk_tck;
    long page;
    long ncpu;
};

static const char *const s_guard_names[FP_GUARD_COUNT] = {"max-rss", "max-time", "max-cpu"};

const char *fp_record_guard_name(fp_record_guard g)
{
    return (unsigned)g < FP_GUARD_COUNT ? s_guard_names[g] : NULL;
}

static const char *const s_guard_units[FP_GUARD_COUNT] = {"MB", "s", "cores"};

const char *fp_record_guard_unit(fp_record_guard g)
{
    return (unsigned)g < FP_GUARD_COUNT ? s_guard_units[g] : NULL;
}

const char *fp_record_action_name(fp_record_action a)
{
    static const char *const names[] = {"warn", "term", "kill"};
    return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : NULL;
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* ---- units ---- */

typedef struct unit {
    const char *suffix;
    double factor;
} unit;

static fp_status parse_units(const char *s, const unit *units, double *out)
{
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s) || *s == '-' || *s == '+')
        return FP_EINVAL;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !isfinite(v) || v <= 0.0)
        return FP_EINVAL;
    for (const char *p = s; p < end; p++)
        if (!isdigit((unsigned char)*p) && *p != '.')
            return FP_EINVAL; /* no hex, exponent, inf, nan */
    for (const unit *u = units; u->suffix != NULL; u++) {
        if (strcmp(end, u->suffix) == 0) {
            *out = v * u->factor;
            return isfinite(*out) ? FP_OK : FP_EINVAL;
        }
    }
    return FP_EINVAL;
}

fp_status fp_record_parse_size_mb(const char *s, double *mb)
{
    static const unit units[] = {
        {"", 1.0 / 1048576.0}, {"B", 1.0 / 1048576.0}, {"k", 1.0 / 1024.0}, {"K", 1.0 / 1024.0},
        {"KB", 1.0 / 1024.0},  {"KiB", 1.0 / 1024.0},  {"M", 1.0},          {"MB", 1.0},
        {"MiB", 1.0},          {"G", 1024.0},          {"GB", 1024.0},      {"GiB", 1024.0},
        {"T", 1048576.0},      {"TB", 1048576.0},      {"TiB", 1048576.0},  {NULL, 0.0}};
    return parse_units(s, units, mb);
}

fp_status fp_record_parse_duration_s(const char *s, double *seconds)
{
    static const unit units[] = {{"", 1.0},   {"s", 1.0},    {"ms", 1e-3},  {"us", 1e-6},
                                 {"m", 60.0}, {"min", 60.0}, {"h", 3600.0}, {NULL, 0.0}};
    return parse_units(s, units, seconds);
}

/* ---- growth helpers ---- */

static fp_status push(void **arr, size_t *n, size_t *cap, size_t size, const void *item)
{
    if (fp_grow(arr, cap, *n + 1, size) != FP_OK)
        return FP_ENOMEM;
    memcpy((char *)*arr + *n * size, item, size);
    (*n)++;
    return FP_OK;
}

/* ---- /proc ---- */

/* Reads a small file into buf (NUL-terminated); returns its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

typedef struct proc_stat {
    pid_t pid, ppid;
    unsigned long long start;
    double cpu_ticks;
    long threads;
    long rss_pages;
} proc_stat;

/* Parses /proc/PID/stat; 0 or -1 (gone). */
static int read_stat(pid_t pid, proc_stat *st)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_small(path, buf, sizeof(buf)) < 0)
        return -1;
    const char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    if (p == NULL)
        return -1;
    /* fields from 3 (state) on */
    char state;
    int ppid;
    unsigned long long utime, stime, start;
    long threads, rss;
    if (sscanf(p + 2,
               "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %ld %*d %llu "
               "%*u %ld",
               &state, &ppid, &utime, &stime, &threads, &start, &rss) != 7)
        return -1;
    st->pid = pid;
    st->ppid = ppid;
    st->start = start;
    st->cpu_ticks = (double)utime + (double)stime;
    st->threads = threads;
    st->rss_pages = rss;
    return 0;
}

/* Reads syscr+syscw and rchar+wchar of /proc/PID/io; 0 or -1. */
static int read_io(pid_t pid, double *ops, double *bytes)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
    if (read_small(path, buf, sizeof(buf)) < 0)
        return -1;
    unsigned long long rchar = 0, wchar = 0, syscr = 0, syscw = 0;
    for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        unsigned long long v;
        if (sscanf(line, "rchar: %llu", &v) == 1)
            rchar = v;
        else if (sscanf(line, "wchar: %llu", &v) == 1)
            wchar = v;
        else if (sscanf(line, "syscr: %llu", &v) == 1)
            syscr = v;
        else if (sscanf(line, "syscw: %llu", &v) == 1)
            syscw = v;
    }
    *ops = (double)syscr + (double)syscw;
    *bytes = (double)rchar + (double)wchar;
    return 0;
}

static proc_rec *find_proc(fp_record *r, pid_t pid, unsigned long long start)
{
    for (size_t i = 0; i < r->n_procs; i++)
        if (r->procs[i].pid == pid && r->procs[i].start == start)
            return &r->procs[i];
    return NULL;
}

/*
 * One sample of the tree rooted at `root` at time t_s. The tree is found from the parent pids of
 * every process in /proc; processes no longer seen add their last values to the dead totals.
 */
static fp_status take_sample(fp_record *r, pid_t root, double t_s, int with_io, unsigned epoch)
{
    proc_stat *all = NULL;
    size_t n_all = 0, cap_all = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return FP_EIO;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        proc_stat st;
        if (read_stat((pid_t)atoi(e->d_name), &st) != 0)
            continue;
        if (push((void **)&all, &n_all, &cap_all, sizeof(st), &st) != FP_OK) {
            closedir(d);
            fp_free(all);
            return FP_ENOMEM;
        }
    }
    closedir(d);
    /* Mark the tree: the root, then anything whose parent is marked, until nothing changes. */
    unsigned char *in = calloc(n_all ? n_all : 1, 1);
    if (in == NULL) {
        fp_free(all);
        return FP_ENOMEM;
    }
    for (size_t i = 0; i < n_all; i++)
        in[i] = all[i].pid == root;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n_all; i++) {
            if (in[i])
                continue;
            for (size_t j = 0; j < n_all; j++) {
                if (in[j] && all[j].pid == all[i].ppid) {
                    in[i] = 1;
                    changed = 1;
                    break;
                }
            }
        }
    }
    fp_status st = FP_OK;
    double rss = 0.0, cpu = 0.0, ops = 0.0, bytes = 0.0;
    size_t procs = 0, threads = 0;
    for (size_t i = 0; i < n_all && st == FP_OK; i++) {
        if (!in[i])
            continue;
        proc_rec *p = find_proc(r, all[i].pid, all[i].start);
        if (p == NULL) {
            proc_rec nr;
            memset(&nr, 0, sizeof(nr));
            nr.pid = all[i].pid;
            nr.start = all[i].start;
            if ((st = push((void **)&r->procs, &r->n_procs, &r->cap_procs, sizeof(nr), &nr)) !=
                FP_OK)
                break;
            p = &r->procs[r->n_procs - 1];
        }
        p->epoch = epoch;
        p->cpu_s = all[i].cpu_ticks / (double)r->clk_tck;
        if (with_io) {
            double o, b;
            if (read_io(all[i].pid, &o, &b) == 0) {
                p->io_ops = o;
                p->io_bytes = b;
            }
        }
        rss += (double)all[i].rss_pages * (double)r->page / 1048576.0;
        procs++;
        threads += all[i].threads > 0 ? (size_t)all[i].threads : 0;
    }
    free(in);
    fp_free(all);
    if (st != FP_OK)
        return st;
    /* Processes not seen this time are gone: keep their last values, drop them. */
    size_t k = 0;
    for (size_t i = 0; i < r->n_procs; i++) {
        proc_rec *p = &r->procs[i];
        if (p->epoch != epoch) {
            r->dead_cpu_s += p->cpu_s;
            r->dead_io_ops += p->io_ops;
            r->dead_io_bytes += p->io_bytes;
            continue;
        }
        cpu += p->cpu_s;
        ops += p->io_ops;
        bytes += p->io_bytes;
        r->procs[k++] = *p;
    }
    r->n_procs = k;
    sample s = {t_s,    rss, cpu + r->dead_cpu_s, ops + r->dead_io_ops, bytes + r->dead_io_bytes,
                with_io};
    /* cumulative values never go down (a process's counters vanish when it is reaped) */
    if (r->n_samples > 0) {
        const sample *prev = &r->samples[r->n_samples - 1];
        s.cpu_s = fmax(s.cpu_s, prev->cpu_s);
        s.io_ops = fmax(s.io_ops, prev->io_ops);
        s.io_bytes = fmax(s.io_bytes, prev->io_bytes);
    }
    if (procs > r->sum.max_procs)
        r->sum.max_procs = procs;
    if (threads > r->sum.max_threads)
        r->sum.max_threads = threads;
    if (rss > r->sum.peak_rss_mb)
        r->sum.peak_rss_mb = rss;
    return push((void **)&r->samples, &r->n_samples, &r->cap_samples, sizeof(s), &s);
}

/* ---- guards ---- */

/* Signals every process of the tree still known, then the root. */
static void signal_tree(fp_record *r, pid_t root, int sig)
{
    for (size_t i = 0; i < r->n_procs; i++)
        if (r->procs[i].pid != root)
            kill(r->procs[i].pid, sig);
    kill(root, sig);
}

/* Checks the guards against the newest sample; returns the action to take now (-1: none). */
static int check_guards(fp_record *r, int *fired)
{
    const sample *s = &r->samples[r->n_samples - 1];
    double value[FP_GUARD_COUNT] = {s->rss_mb, s->t_s, 0.0};
    /* CPU: mean cores over the window ending now, once the window has been seen */
    double w = r->o.cpu_window_s;
    value[FP_GUARD_MAX_CPU] = -1.0;
    if (s->t_s >= w) {
        for (size_t i = r->n_samples; i-- > 0;) {
            if (s->t_s - r->samples[i].t_s >= w - 1e-9) {
                double dt = s->t_s - r->samples[i].t_s;
                value[FP_GUARD_MAX_CPU] = dt > 0 ? (s->cpu_s - r->samples[i].cpu_s) / dt : 0.0;
                break;
            }
        }
    }
    int act = -1;
    for (int g = 0; g < FP_GUARD_COUNT; g++) {
        if (r->o.limit[g] <= 0.0 || fired[g] || value[g] <= r->o.limit[g])
            continue;
        fired[g] = 1;
        fp_record_breach b = {(fp_record_guard)g, s->t_s, value[g], r->o.limit[g], r->o.on_breach};
        if (push((void **)&r->breaches, &r->n_breaches, &r->cap_breaches, sizeof(b), &b) != FP_OK)
            return -2;
        if (r->o.on_breach != FP_RECORD_WARN)
            act = (int)r->o.on_breach;
    }
    return act;
}

/* ---- the span pipe ---- */

static fp_status drain(fp_record *r, int fd)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FP_OK; /* EAGAIN, EOF or error: nothing more now */
        if (fp_grow((void **)&r->lines, &r->cap_lines, r->n_lines + (size_t)n + 1, 1) != FP_OK)
            return FP_ENOMEM;
        memcpy(r->lines + r->n_lines, buf, (size_t)n);
        r->n_lines += (size_t)n;
        r->lines[r->n_lines] = '\0';
    }
}

static fp_status read_file(const char *path, char **text, size_t *len, fp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fp_error_set(err, FP_ENOENT, "cannot open trace '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (fp_grow((void **)&buf, &cap, n + got + 1, 1) != FP_OK) {
            fclose(f);
            fp_free(buf);
            return fp_error_set(err, FP_ENOMEM, "out of memory");
        }
        memcpy(buf + n, chunk, got);
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fp_free(buf);
        return fp_error_set(err, FP_EIO, "cannot read trace '%s'", path);
    }
    *text = buf;
    *len = n;
    return FP_OK;
}

/* ---- the run ---- */

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

/* In the child: exec, or report errno on the status pipe and _exit(127). */
static void child_exec(char *const argv[], int trace_w, int status_w)
{
    char num[32];
    snprintf(num, sizeof(num), "%d", trace_w);
    setenv(FP_RECORD_TRACE_ENV, num, 1);
    execvp(argv[0], argv);
    int e = errno;
    ssize_t ignored = write(status_w, &e, sizeof(e));
    (void)ignored;
    _exit(e == ENOENT ? 127 : 126);
}

fp_status fp_record_run(fp_record **out, char *const argv[], const fp_record_options *o,
                        fp_error *err)
{
    *out = NULL;
    if (argv == NULL || argv[0] == NULL)
        return fp_error_set(err, FP_EINVAL, "no command to record");
    if (!(o->interval_s > 0.0) || !(o->io_interval_s > 0.0) || !(o->cpu_window_s > 0.0) ||
        o->grace_s < 0.0)
        return fp_error_set(err, FP_EINVAL, "intervals must be positive");
    fp_record *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    r->o = *o;
    r->tick_s = o->interval_s;
    r->clk_tck = sysconf(_SC_CLK_TCK);
    r->page = sysconf(_SC_PAGESIZE);
    r->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (r->clk_tck <= 0)
        r->clk_tck = 100;
    if (r->page <= 0)
        r->page = 4096;
    if (r->ncpu <= 0)
        r->ncpu = 1;
    long io_every = lround(o->io_interval_s / o->interval_s);
    if (io_every < 1)
        io_every = 1;

    int tp[2], sp[2];
    if (pipe2(tp, O_CLOEXEC) != 0) {
        fp_record_free(r);
        return fp_error_set(err, FP_EIO, "cannot create a pipe: %s", strerror(errno));
    }
    if (pipe2(sp, O_CLOEXEC) != 0) {
        close(tp[0]);
        close(tp[1]);
        fp_record_free(r);
        return fp_error_set(err, FP_EIO, "cannot create a pipe: %s", strerror(errno));
    }
    /* The child's end of the span pipe survives exec (and goes to its children). */
    int child_w = dup(tp[1]);
    r->t0_us = now_us();
    r->sum.t0_s = (double)r->t0_us / 1e6;
    pid_t pid = child_w < 0 ? -1 : fork();
    if (pid == 0) {
        close(tp[0]);
        close(sp[0]);
        child_exec(argv, child_w, sp[1]);
    }
    int fork_errno = errno;
    if (child_w >= 0)
        close(child_w);
    close(tp[1]);
    close(sp[1]);
    if (pid < 0) {
        close(tp[0]);
        close(sp[0]);
        fp_record_free(r);
        return fp_error_set(err, FP_EIO, "cannot start '%s': %s", argv[0], strerror(fork_errno));
    }
    /* Did exec work? The status pipe closes on exec, or carries errno. */
    int exec_errno = 0;
    ssize_t got;
    while ((got = read(sp[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR) {
    }
    close(sp[0]);
    fcntl(tp[0], F_SETFL, fcntl(tp[0], F_GETFL) | O_NONBLOCK);
    int pidfd = pidfd_open_(pid);

    fp_status st = FP_OK;
    int fired[FP_GUARD_COUNT] = {0, 0, 0};
    int status = 0, reaped = 0, trace_open = 1;
    long long kill_at_us = -1;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    unsigned long tick = 0;
    double last_t = 0.0;
    if (got > 0) {
        /* exec failed: the child exits at once */
        while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
        }
        reaped = 1;
    }
    while (!reaped && st == FP_OK) {
        long long next_us = r->t0_us + (long long)llround((double)(tick + 1) * o->interval_s * 1e6);
        long long now = now_us();
        if (kill_at_us >= 0 && now >= kill_at_us) {
            signal_tree(r, pid, SIGKILL);
            kill_at_us = -1;
        }
        if (now < next_us) {
            struct pollfd pf[2];
            int npf = 0;
            if (pidfd >= 0)
                pf[npf++] = (struct pollfd){pidfd, POLLIN, 0};
            if (trace_open)
                pf[npf++] = (struct pollfd){tp[0], POLLIN, 0};
            long long wait_us = next_us - now;
            if (kill_at_us >= 0 && kill_at_us - now < wait_us)
                wait_us = kill_at_us - now;
            int pr = poll(pf, (nfds_t)npf, (int)((wait_us + 999) / 1000));
            int sig = o->take_signal != NULL ? o->take_signal(o->signal_ctx) : 0;
            if (sig > 0)
                kill(pid, sig);
            if (pr > 0) {
                for (int i = 0; i < npf; i++) {
                    if (pf[i].fd == tp[0] && (pf[i].revents & (POLLIN | POLLHUP))) {
                        if ((st = drain(r, tp[0])) != FP_OK)
                            break;
                        if ((pf[i].revents & POLLHUP) && !(pf[i].revents & POLLIN))
                            trace_open = 0;
                    }
                }
            }
            int exited = pidfd >= 0 && pr > 0 && (pf[0].revents & POLLIN);
            if (pidfd < 0) {
                siginfo_t si;
                memset(&si, 0, sizeof(si));
                exited = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | WNOHANG) == 0 &&
                         si.si_pid == pid;
            }
            if (!exited && now_us() < next_us)
                continue;
            if (exited) {
                /* a last sample of the zombie's CPU and I/O, then reap */
                double t = (double)(now_us() - r->t0_us) / 1e6;
                if ((st = take_sample(r, pid, t, 1, (unsigned)tick + 1)) != FP_OK)
                    break;
                while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
                }
                reaped = 1;
                last_t = t;
                break;
            }
        }
        /* A tick: sample, and note the ticks missed since the last sample. */
        now = now_us();
        double t = (double)(now - r->t0_us) / 1e6;
        unsigned long due = (unsigned long)floor(t / o->interval_s + 1e-9);
        if (due > tick + 1) {
            fp_record_gap g = {last_t, t, (size_t)(due - tick - 1)};
            if ((st = push((void **)&r->gaps, &r->n_gaps, &r->cap_gaps, sizeof(g), &g)) != FP_OK)
                break;
        }
        tick = due > tick ? due : tick + 1;
        if ((st = take_sample(r, pid, t, tick % (unsigned long)io_every == 0, (unsigned)tick)) !=
            FP_OK)
            break;
        last_t = t;
        int act = check_guards(r, fired);
        if (act == -2) {
            st = FP_ENOMEM;
            break;
        }
        if (act >= 0 && !r->sum.stopped_by_guard) {
            r->sum.stopped_by_guard = 1;
            if (act == FP_RECORD_KILL) {
                signal_tree(r, pid, SIGKILL);
            } else {
                signal_tree(r, pid, SIGTERM);
                kill_at_us = now_us() + (long long)llround(o->grace_s * 1e6);
            }
        }
    }
    if (!reaped) {
        /* an error stopped the loop: do not leave the command behind */
        kill(pid, SIGKILL);
        while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
        }
        last_t = (double)(now_us() - r->t0_us) / 1e6;
    }
    if (pidfd >= 0)
        close(pidfd);
    /* What descendants still write after the command exited is lost; the rest is read. */
    if (st == FP_OK)
        st = drain(r, tp[0]);
    close(tp[0]);
    if (st != FP_OK) {
        fp_record_free(r);
        return fp_error_set(err, st, st == FP_ENOMEM ? "out of memory" : "cannot read /proc");
    }
    r->sum.wall_s = last_t;
    double ru_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    double sampled = r->n_samples > 0 ? r->samples[r->n_samples - 1].cpu_s : 0.0;
    r->sum.cpu_s = fmax(ru_cpu, sampled);
    r->sum.samples = r->n_samples;
    if (WIFSIGNALED(status)) {
        r->sum.signaled = 1;
        r->sum.exit_status = 128 + WTERMSIG(status);
    } else {
        r->sum.exit_status = WEXITSTATUS(status);
    }
    if (o->trace_file != NULL) {
        fp_status ts = read_file(o->trace_file, &r->trace_text, &r->trace_len, err);
        if (ts != FP_OK) {
            fp_record_free(r);
            return ts;
        }
    }
    *out = r;
    if (got > 0) {
        r->sum.exit_status = exec_errno == ENOENT ? 127 : 126;
        return fp_error_set(err, FP_ENOENT, "cannot run '%s': %s", argv[0], strerror(exec_errno));
    }
    return FP_OK;
}

void fp_record_free(fp_record *r)
{
    if (r == NULL)
        return;
    fp_free(r->samples);
    fp_free(r->breaches);
    fp_free(r->gaps);
    fp_free(r->procs);
    fp_free(r->lines);
    fp_free(r->trace_text);
    free(r);
}

const fp_record_summary *fp_record_summary_get(const fp_record *r)
{
    return &r->sum;
}

const fp_record_breach *fp_record_breaches(const fp_record *r, size_t *n)
{
    *n = r->n_breaches;
    return r->n_breaches ? r->breaches : NULL;
}

const fp_record_gap *fp_record_gaps(const fp_record *r, size_t *n)
{
    *n = r->n_gaps;
    return r->n_gaps ? r->gaps : NULL;
}

/* ---- the profile ---- */

/* Appends the --trace document's events to `out`, each after a comma, shifted onto the
 * recording's clock when they do not lie on it (docs/record.md). */
static fp_status append_trace_file(const fp_record *r, FILE *out, fp_error *err)
{
    const char *label = r->o.trace_label != NULL ? r->o.trace_label : r->o.trace_file;
    cJSON *doc = cJSON_ParseWithLength(r->trace_text, r->trace_len);
    if (doc == NULL)
        return fp_error_set_at(err, FP_EPARSE, label, 0, 0, "not a JSON document");
    cJSON *events = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "traceEvents");
    if (!cJSON_IsArray(events)) {
        cJSON_Delete(doc);
        return fp_error_set_at(err, FP_EINVAL, label, 0, 0,
                               "not a Chrome trace (no traceEvents array)");
    }
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    cJSON *e;
    cJSON_ArrayForEach(e, events)
    {
        cJSON *ts = cJSON_GetObjectItemCaseSensitive(e, "ts");
        if (cJSON_IsNumber(ts)) {
            lo = fmin(lo, ts->valuedouble);
            hi = fmax(hi, ts->valuedouble);
        }
    }
    double end_us = (double)r->t0_us + r->sum.wall_s * 1e6;
    double shift = 0.0;
    if (lo <= hi && (lo < (double)r->t0_us - 1e6 || hi > end_us + 1e6))
        shift = (double)r->t0_us - lo; /* another clock: its first event at the start */
    fp_status st = FP_OK;
    cJSON_ArrayForEach(e, events)
    {
        cJSON *ts = cJSON_GetObjectItemCaseSensitive(e, "ts");
        if (cJSON_IsNumber(ts) && shift != 0.0)
            cJSON_SetNumberValue(ts, ts->valuedouble + shift);
        char *s = cJSON_PrintUnformatted(e);
        if (s == NULL) {
            st = fp_error_set(err, FP_ENOMEM, "out of memory");
            break;
        }
        fputs(",\n", out);
        fputs(s, out);
        cJSON_free(s);
    }
    cJSON_Delete(doc);
    return st;
}

/* Appends the span pipe's lines: JSON objects, one per line, blank lines and trailing commas
 * ignored (so a file written as "[\n{...},\n{...}\n]" reads too). */
static void append_lines(const fp_record *r, FILE *out)
{
    const char *p = r->lines, *end = r->lines + r->n_lines;
    while (p != NULL && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *a = p, *b = le;
        while (a < b && (isspace((unsigned char)*a) || *a == '[' || *a == ','))
            a++;
        while (b > a && (isspace((unsigned char)b[-1]) || b[-1] == ',' || b[-1] == ']'))
            b--;
        if (b > a && *a == '{') {
            fputs(",\n", out);
            fwrite(a, 1, (size_t)(b - a), out);
        }
        p = nl != NULL ? nl + 1 : end;
    }
}

/* Adds `amount`, spread evenly over [t0, t1], to the slots of `acc` (slot k: [k*iv, (k+1)*iv)). */
static void spread(double *acc, size_t n, double iv, double t0, double t1, double amount)
{
    if (n == 0 || amount == 0.0)
        return;
    if (!(t1 > t0)) {
        size_t k = (size_t)fmax(0.0, fmin((double)(n - 1), floor(t0 / iv)));
        acc[k] += amount;
        return;
    }
    size_t k0 = (size_t)fmax(0.0, fmin((double)(n - 1), floor(t0 / iv)));
    for (size_t k = k0; k < n; k++) {
        double a = fmax(t0, (double)k * iv), b = fmin(t1, (double)(k + 1) * iv);
        if (k == n - 1)
            b = t1; /* the last slot takes what runs past it */
        if (b > a)
            acc[k] += amount * (b - a) / (t1 - t0);
        if ((double)(k + 1) * iv >= t1)
            break;
    }
}

/* ---- I/O of the spans ---- */

/* One I/O sampling interval: the tree's read+write syscalls and bytes in [t0, t1]. */
typedef struct io_iv {
    double t0, t1, ops, bytes;
    double span_bytes; /* bytes of the span lines the command wrote in it */
    double excl;       /* seconds of innermost-span time in it, summed over threads */
    double ops_r;      /* ops per second of innermost-span time (bytes_r likewise) */
    double bytes_r;
} io_iv;

/* Index of the interval holding t (the last one whose t0 <= t; 0 before the first). */
static size_t io_iv_at(const io_iv *iv, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (iv[mid].t0 <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Adds `sign` x the span's overlap with each interval to .excl (rate 0), or returns the span's
 * overlap weighted by the intervals' rates in *ops and *bytes (rate 1). */
static void io_overlap(io_iv *iv, size_t n, const fp_span *s, double sign, int rate, double *ops,
                       double *bytes)
{
    double a = s->start_s, b = s->start_s + s->dur_s;
    for (size_t i = io_iv_at(iv, n, a); i < n && iv[i].t0 < b; i++) {
        double o = fmin(b, iv[i].t1) - fmax(a, iv[i].t0);
        if (!(o > 0))
            continue;
        if (!rate) {
            iv[i].excl += sign * o;
        } else {
            *ops += sign * o * iv[i].ops_r;
            *bytes += sign * o * iv[i].bytes_r;
        }
    }
}

/*
 * Gives each span the I/O of the tree while it was the innermost open span of its thread
 * (docs/record.md "I/O of the spans"): the increase of read+write syscalls and bytes over each
 * io interval, less the span lines the command wrote to the pipe in it (fpsim's own
 * instrumentation: their bytes, and the fewest write()s that carry them), is spread evenly over the
 * interval and shared among the threads inside a span at the time. The root span (the whole
 * command) keeps what no other span took. The totals are `ops` and `bytes` (the tree's). FP_OK or
 * FP_ENOMEM.
 */
static fp_status attribute_io(const fp_record *r, fp_profile *out, size_t root, double ops,
                              double bytes)
{
    size_t n = 0, nsp = fp_profile_span_count(out);
    fp_span *sp = fp_profile_spans_mut(out);
    if (nsp == 0)
        return FP_OK;
    io_iv *iv = fp_calloc(r->n_samples + 1, sizeof(*iv));
    if (iv == NULL)
        return FP_ENOMEM;
    double t = 0.0, po = 0.0, pb = 0.0;
    for (size_t i = 0; i < r->n_samples; i++) {
        const sample *s = &r->samples[i];
        if (!s->io_valid && i + 1 != r->n_samples)
            continue;
        iv[n++] = (io_iv){t, s->t_s, s->io_ops - po, s->io_bytes - pb, 0, 0, 0, 0};
        t = s->t_s;
        po = s->io_ops;
        pb = s->io_bytes;
    }
    /* the span lines: their bytes at their ts (the span library writes a line within about
     * 100 ms of it), and as operations the fewest write()s that carry them (PIPE_BUF bytes of
     * whole lines each: a thread that emits rarely writes more often, at most 10 a second) */
    const char *p = r->lines, *end = r->lines + r->n_lines;
    while (n > 0 && p != NULL && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl + 1 : end;
        const char *ts = memmem(p, (size_t)(le - p), "\"ts\":", 5);
        if (ts != NULL) {
            double us = strtod(ts + 5, NULL);
            iv[io_iv_at(iv, n, (us - (double)r->t0_us) / 1e6)].span_bytes += (double)(le - p);
        }
        p = le;
    }
    for (size_t i = 0; i < n; i++) {
        iv[i].bytes -= iv[i].span_bytes;
        iv[i].ops -= ceil(iv[i].span_bytes / (double)PIPE_BUF);
    }
    /* innermost-span seconds per interval: each span's overlap less its children's */
    for (size_t k = 0; k < nsp; k++) {
        if (k == root)
            continue;
        io_overlap(iv, n, &sp[k], 1.0, 0, NULL, NULL);
        if (sp[k].parent >= 0 && (size_t)sp[k].parent != root)
            io_overlap(iv, n, &sp[k], -1.0, 0, NULL, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        double len = fmax(iv[i].t1 - iv[i].t0, iv[i].excl);
        iv[i].ops_r = len > 0 ? fmax(0.0, iv[i].ops) / len : 0.0;
        iv[i].bytes_r = len > 0 ? fmax(0.0, iv[i].bytes) / len : 0.0;
    }
    double got_ops = 0.0, got_bytes = 0.0;
    for (size_t k = 0; k < nsp; k++) {
        if (k == root)
            continue;
        double o = 0.0, b = 0.0;
        io_overlap(iv, n, &sp[k], 1.0, 1, &o, &b);
        sp[k].io_ops += o;
        sp[k].io_bytes += b;
        got_ops += o;
        got_bytes += b;
        if (sp[k].parent >= 0 && (size_t)sp[k].parent != root) {
            /* a child's time is not its parent's own */
            sp[sp[k].parent].io_ops -= o;
            sp[sp[k].parent].io_bytes -= b;
            got_ops -= o;
            got_bytes -= b;
        }
    }
    for (size_t k = 0; k < nsp; k++) { /* rounding of the subtractions */
        sp[k].io_ops = fmax(0.0, sp[k].io_ops);
        sp[k].io_bytes = fmax(0.0, sp[k].io_bytes);
    }
    sp[root].io_ops = fmax(0.0, ops - got_ops);
    sp[root].io_bytes = fmax(0.0, bytes - got_bytes);
    fp_free(iv);
    return FP_OK;
}

fp_status fp_record_profile(const fp_record *r, const char *name, fp_profile *out, fp_error *err)
{
    fp_profile_reset(out);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    long long wall_us = llround(r->sum.wall_s * 1e6);
    fputs("[{\"ph\": \"X\", \"pid\": 0, \"tid\": 0, \"name\": ", m);
    fp_json_put_string(m, name);
    fprintf(m, ", \"ts\": %lld, \"dur\": %lld}", r->t0_us, wall_us > 0 ? wall_us : 1);
    append_lines(r, m);
    fp_status st = FP_OK;
    if (r->trace_text != NULL)
        st = append_trace_file(r, m, err);
    fputs("\n]\n", m);
    if (fclose(m) != 0 && st == FP_OK)
        st = fp_error_set(err, FP_ENOMEM, "out of memory");
    if (st == FP_OK) {
        const char *label = r->trace_text != NULL
                                ? (r->o.trace_label ? r->o.trace_label : r->o.trace_file)
                                : FP_RECORD_TRACE_ENV;
        st = fp_trace_read_chrome(out, text, len, label, NULL, err);
    }
    free(text);
    if (st != FP_OK) {
        fp_profile_reset(out);
        return st;
    }
    if (fp_profile_set_meta(out, name, 0, 0, "", "", "record", 0) != FP_OK)
        goto nomem;
    fp_profile_set_data(out, FP_DATA_ALL);
    /* the guard breaches, then the sampling gaps, as the profile's run events */
    for (size_t k = 0; k < r->n_breaches; k++) {
        const fp_record_breach *b = &r->breaches[k];
        fp_run_event e = {FP_EVENT_GUARD_BREACH,
                          b->t_s,
                          b->t_s,
                          fp_record_guard_name(b->guard),
                          b->value,
                          b->limit,
                          fp_record_guard_unit(b->guard),
                          fp_record_action_name(b->action),
                          0};
        if (fp_profile_add_event(out, &e) != FP_OK)
            goto nomem; /* a breach is finite and named: only ENOMEM */
    }
    for (size_t k = 0; k < r->n_gaps; k++) {
        const fp_record_gap *g = &r->gaps[k];
        fp_run_event e = {FP_EVENT_SAMPLING_GAP, g->start_s, g->end_s, "", 0, 0, "", "",
                          (uint64_t)g->missed};
        if (fp_profile_add_event(out, &e) != FP_OK)
            goto nomem;
    }
    /* The command's spans (any thread, any process of the tree) go under the root span, which
     * is the first span (it starts with the recording) and grows to cover them all. */
    {
        fp_span *sp = fp_profile_spans_mut(out);
        size_t nsp = fp_profile_span_count(out);
        if (nsp > 0 && sp[0].parent == -1 && sp[0].start_s == 0.0 &&
            sp[0].method == (uint32_t)fp_profile_find_method(out, name)) {
            for (size_t k = 1; k < nsp; k++) {
                if (sp[k].parent == -1)
                    sp[k].parent = 0;
                sp[0].dur_s = fmax(sp[0].dur_s, sp[k].start_s + sp[k].dur_s);
            }
        }
    }

    double iv = r->o.interval_s;
    double dur = fp_profile_duration(out);
    size_t n = (size_t)ceil(dur / iv - 1e-9);
    if (n == 0)
        n = 1;
    double *mem, *cpu, *ops, *bytes;
    if (fp_profile_series_resize(out, n, iv, &mem, &cpu, &ops, &bytes) != FP_OK)
        goto nomem;
    /* memory: the last sample taken by the end of each slot (or half an interval later, as a
     * tick wakes up a little late), held over slots without one; the samples at the end
     * that read 0 (an exiting process has unmapped its memory; a zombie has none) do not count */
    size_t ns = r->n_samples;
    while (ns > 1 && r->samples[ns - 1].rss_mb == 0.0)
        ns--;
    double held = 0.0;
    size_t i = 0;
    for (size_t k = 0; k < n; k++) {
        double slot_end = ((double)k + 1.5) * iv; /* a tick runs a little late */
        while (i < ns && r->samples[i].t_s <= slot_end)
            held = r->samples[i++].rss_mb;
        mem[k] = held;
    }
    /* CPU and I/O: each sample's increase spread over the time since the previous one */
    double pt = 0.0, pcpu = 0.0, iot = 0.0, pops = 0.0, pbytes = 0.0;
    for (i = 0; i < r->n_samples; i++) {
        const sample *s = &r->samples[i];
        spread(cpu, n, iv, pt, s->t_s, s->cpu_s - pcpu);
        pt = s->t_s;
        pcpu = s->cpu_s;
        if (s->io_valid || i + 1 == r->n_samples) {
            spread(ops, n, iv, iot, s->t_s, s->io_ops - pops);
            spread(bytes, n, iv, iot, s->t_s, s->io_bytes - pbytes);
            iot = s->t_s;
            pops = s->io_ops;
            pbytes = s->io_bytes;
        }
    }
    double mean_cores = dur > 0 ? pcpu / dur : 0.0;
    for (size_t k = 0; k < n; k++) {
        double len_k = k + 1 < n ? iv : dur - (double)k * iv;
        double pct = len_k > 0 ? cpu[k] / len_k / (double)r->ncpu * 100.0 : 0.0;
        cpu[k] = fmin(100.0, fmax(0.0, pct));
    }
    /* the root span: the whole command, with the run's CPU and peak memory and the I/O no other
     * span took (attribute_io); a container (its time is its spans' and its processes'), so no
     * per-method detector runs on it */
    fp_span *sp = fp_profile_spans_mut(out);
    int32_t root = fp_profile_find_method(out, name);
    if (root >= 0 && fp_profile_set_method_flags(out, (uint32_t)root, FP_METHOD_CONTAINER) != FP_OK)
        goto nomem;
    for (size_t k = 0; k < fp_profile_span_count(out) && root >= 0; k++) {
        if (sp[k].method == (uint32_t)root && sp[k].parent == -1 && sp[k].start_s == 0.0) {
            sp[k].cpu_pct = fmin(100.0, mean_cores / (double)r->ncpu * 100.0);
            sp[k].mem_alloc_mb = r->sum.peak_rss_mb;
            if (attribute_io(r, out, k, pops, pbytes) != FP_OK)
                goto nomem;
            break;
        }
    }
    return fp_profile_check(out, err);
nomem:
    fp_profile_reset(out);
    return fp_error_set(err, FP_ENOMEM, "out of memory");
}
