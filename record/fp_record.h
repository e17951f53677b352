/*
 * fp_record.h - profiling a real process (`fpsim record`): run a command, sample its whole
 * process tree from /proc, collect the spans it writes, apply the guards, and build an fpsim
 * profile from it (docs/record.md).
 *
 * The recorder forks and execs the command (no shell), gives it the write end of a pipe named by
 * the environment variable FP_RECORD_TRACE_ENV (the only environment change it makes, in the
 * child), and then loops: at each tick of CLOCK_MONOTONIC it samples every process of the tree
 * (resident memory, user+system CPU time, threads, and every io_interval_s /proc/PID/io), checks
 * the guards, drains the span pipe, and forwards any signal the caller reports pending. It never
 * prints, exits or reads the environment; signal handlers are the caller's (cli/).
 *
 * Ownership: fp_record_run() returns a recording owned by the caller (fp_record_free()); the
 * accessors return borrowed pointers valid until it is freed. Not thread-safe; one recording
 * runs at a time per process (it waits for its own child only).
 */
#ifndef FP_RECORD_H
#define FP_RECORD_H

#include <stddef.h>

#include "fp_core.h"
#include "fp_profile.h"

/* The environment variable holding the span pipe's descriptor number in the child. */
#define FP_RECORD_TRACE_ENV "FPSIM_TRACE_FD"

/* What a guard does when its limit is crossed. */
typedef enum fp_record_action {
    FP_RECORD_WARN = 0, /* record the breach, let the command run */
    FP_RECORD_TERM,     /* SIGTERM to the tree, SIGKILL after grace_s */
    FP_RECORD_KILL      /* SIGKILL to the tree */
} fp_record_action;

/* "warn", "term", "kill" (the --on-breach spelling); NULL when out of range. Static string. */
const char *fp_record_action_name(fp_record_action a);

/* The guards, in the order of fp_record_breach.guard. */
typedef enum fp_record_guard {
    FP_GUARD_MAX_RSS = 0, /* resident memory of the tree, MB */
    FP_GUARD_MAX_TIME,    /* wall time since the start, s */
    FP_GUARD_MAX_CPU,     /* cores in use, mean over cpu_window_s */
    FP_GUARD_COUNT
} fp_record_guard;

/* "max-rss", "max-time", "max-cpu"; NULL when out of range. Static string. */
const char *fp_record_guard_name(fp_record_guard g);

/* The unit of a guard's value and limit: "MB", "s", "cores"; NULL when out of range. Static. */
const char *fp_record_guard_unit(fp_record_guard g);

/* How to record. Plain value; strings borrowed for the call of fp_record_run(). */
typedef struct fp_record_options {
    double interval_s;            /* sampling interval (memory, CPU, threads); > 0 */
    double io_interval_s;         /* /proc/PID/io interval; >= interval_s (rounded to a multiple) */
    double limit[FP_GUARD_COUNT]; /* guard limits (MB, s, cores); 0: off */
    double cpu_window_s;          /* window of the max-cpu guard */
    fp_record_action on_breach;
    double grace_s;          /* TERM: SIGKILL this long after SIGTERM */
    const char *trace_file;  /* a Chrome trace the command writes (--trace), read at the end;
                                NULL: none */
    const char *trace_label; /* name of the trace input in errors (NULL: trace_file) */
    /* Called after each wake-up: returns a signal the caller received that the recorder is to
     * forward to the command (0: none), and forgets it. NULL: nothing is forwarded. */
    int (*take_signal)(void *ctx);
    void *signal_ctx; /* passed to take_signal */
} fp_record_options;

#define FP_RECORD_OPTIONS_INIT                                                                     \
    {                                                                                              \
        0.1, 0.5, {0.0, 0.0, 0.0}, 5.0, FP_RECORD_WARN, 2.0, NULL, NULL, NULL, NULL                \
    }

/* One guard breach. Plain value. */
typedef struct fp_record_breach {
    fp_record_guard guard;
    double t_s;              /* when it was seen, seconds from the start */
    double value;            /* the measured value (MB, s, cores) */
    double limit;            /* the limit it crossed */
    fp_record_action action; /* what was done */
} fp_record_breach;

/* A run of missed samples: the sampler woke up late (stalled machine). Plain value. */
typedef struct fp_record_gap {
    double start_s, end_s; /* the interval without a sample */
    size_t missed;         /* sampling ticks missed */
} fp_record_gap;

/* What the recording saw, besides the profile. Plain value. */
typedef struct fp_record_summary {
    int exit_status;      /* the command's: its exit code, or 128 + signal when killed */
    int signaled;         /* killed by a signal (exit_status - 128) */
    int stopped_by_guard; /* a guard's term/kill ended the command */
    double wall_s;        /* start to exit */
    double cpu_s;         /* user + system CPU of the tree (incl. reaped descendants) */
    double peak_rss_mb;   /* the largest sampled resident memory of the tree */
    size_t samples;       /* samples taken */
    size_t max_procs;     /* most processes seen at once */
    size_t max_threads;   /* most threads seen at once */
    size_t spans;         /* spans the command wrote (pipe and --trace) */
    double t0_s;          /* the start on CLOCK_MONOTONIC, seconds: time 0 of the profile */
} fp_record_summary;

typedef struct fp_record fp_record;

/*
 * Runs argv (argv[0] looked up in PATH, execvp) until it exits, as `o` says, into *out.
 * FP_OK (whatever the command's exit status; see the summary), FP_EINVAL (bad options),
 * FP_ENOENT ("cannot run 'X': REASON", the command could not be executed: *out is still
 * returned with exit_status 127, or 126 when it exists but cannot be run), FP_EIO (fork, pipe),
 * FP_ENOMEM. On any error but FP_ENOENT *out is NULL.
 */
fp_status fp_record_run(fp_record **out, char *const argv[], const fp_record_options *o,
                        fp_error *err);

/* Frees `r`. NULL is a no-op. */
void fp_record_free(fp_record *r);

/* The summary (borrowed). */
const fp_record_summary *fp_record_summary_get(const fp_record *r);

/* The breaches in time order (borrowed, *n of them; NULL when none). */
const fp_record_breach *fp_record_breaches(const fp_record *r, size_t *n);

/* The gaps in time order (borrowed, *n of them; NULL when none). */
const fp_record_gap *fp_record_gaps(const fp_record *r, size_t *n);

/*
 * Builds the profile of the recording into `out` (reset first): metadata (scenario = `name`,
 * source "record", not simulated), the whole command as one root span (method `name`) carrying
 * the run's CPU and peak memory, the spans the command wrote (read by the Chrome trace reader,
 * fp_trace_read_chrome(), on the same CLOCK_MONOTONIC microsecond clock), each with the tree's
 * I/O while it was the innermost open span (the root keeps the I/O outside every span; the span
 * lines' own writes are not counted; docs/record.md "I/O of the spans"), and the series
 * at interval_s: memory at the end of each interval, CPU as percent of the machine, I/O
 * operations (read+write syscalls) and bytes (rchar+wchar) spread over their io interval. A gap
 * holds the memory of the sample before it and the mean CPU and I/O rate measured across it
 * (docs/record.md). The breaches and then the gaps become the profile's run events
 * (fp_profile_add_event(): guard name, value, limit, unit and action; start, end, ticks missed).
 * FP_OK, the trace reader's errors (in `err`, the file being trace_label or "FPSIM_TRACE_FD"),
 * FP_ENOMEM.
 */
fp_status fp_record_profile(const fp_record *r, const char *name, fp_profile *out, fp_error *err);

/*
 * Parses a size ("500M", "2G", "512k", "1048576": bytes, suffixes k/K, M, G, T as powers of
 * 1024, optional trailing "B" or "iB") into MB, and a duration ("90s", "1h", "100ms", "2m",
 * "500us", "1.5": seconds) into seconds. Whole string, finite, > 0. FP_OK or FP_EINVAL.
 */
fp_status fp_record_parse_size_mb(const char *s, double *mb);
fp_status fp_record_parse_duration_s(const char *s, double *seconds);

#endif /* FP_RECORD_H */
