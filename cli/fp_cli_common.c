/* fp_cli_common.c - diagnostics, strict parsing, scenario resolution, atomic output, signals. */
#if !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH, realpath */
#endif
#include "fp_cli.h"
#include "fp_escape.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_builtin.h"
#include "fp_sim.h"
#include "fp_validate.h"

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "fp_cli_signal is stored by a signal handler");
atomic_int fp_cli_signal;

/*
 * Temp files of outputs not yet committed (the fallback when O_TMPFILE is unsupported), so a
 * handler can remove them: a fixed table the handlers read with async-signal-safe calls only.
 * Entries are set and cleared with every signal blocked.
 */
#define TMP_SLOTS 8
static char s_tmp_path[TMP_SLOTS][PATH_MAX];
static volatile sig_atomic_t s_tmp_used[TMP_SLOTS];
static mode_t s_umask = 022;
static int s_stdout_closed; /* fd 1 was closed at start (now /dev/null) */

/* Outputs that are pipes, FIFOs or sockets (stdout included): on SIGINT/SIGTERM the handler
 * makes them non-blocking, so a writer stalled on a reader that stopped draining fails with
 * EAGAIN at once instead of blocking again after the first EINTR. */
#define PIPE_SLOTS 4
static volatile sig_atomic_t s_pipe_fd[PIPE_SLOTS] = {-1, -1, -1, -1};

/* Stops watching `fd` (about to be closed). */
static void unwatch(int fd)
{
    for (int i = 0; i < PIPE_SLOTS; i++)
        if (s_pipe_fd[i] == fd)
            s_pipe_fd[i] = -1;
}

static void watch_if_pipe(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)))
        return;
    for (int i = 0; i < PIPE_SLOTS; i++)
        if (s_pipe_fd[i] < 0) {
            s_pipe_fd[i] = fd;
            return;
        }
}

static void remove_temps(void)
{
    for (int i = 0; i < TMP_SLOTS; i++)
        if (s_tmp_used[i])
            unlink(s_tmp_path[i]);
}

/* Nonzero while the CLI is inside a library call that reads and cannot poll for a signal (cJSON
 * parsing a whole JSON document: about 5 s for 200 MB) and that writes nothing. */
static volatile sig_atomic_t s_unpolled;

/* Ends the process as the check after a SIGINT/SIGTERM would: the message, no temp file left,
 * status 130/143. Async-signal-safe. */
static void end_interrupted(int sig)
{
    static const char msg[] = "fpsim: interrupted\n";
    remove_temps();
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    _exit(sig == SIGTERM ? FP_EXIT_SIGTERM : FP_EXIT_SIGINT);
}

/* SIGINT/SIGTERM: recorded, acted on at the next check (exit 130/143, nothing committed). A
 * second one while the first is pending removes the temp files and ends the process by it. Inside
 * an unpolled read there is no next check soon: the handler ends the process at once, with the
 * same message, status and cleanup as the check would give (nothing is committed either way). */
static void on_signal(int sig)
{
    if (s_unpolled)
        end_interrupted(sig);
    if (fp_cli_signal != 0) {
        remove_temps();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    fp_cli_signal = sig;
    for (int i = 0; i < PIPE_SLOTS; i++) {
        int fd = s_pipe_fd[i], fl;
        if (fd >= 0 && (fl = fcntl(fd, F_GETFL)) != -1)
            fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
}

/* SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM: remove the temp files, then end by the
 * signal's default action (status 128+N as before; a core for SIGQUIT). */
static void on_fatal(int sig)
{
    remove_temps();
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int s_fatal[] = {SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM};

/* Blocks every signal; `old` receives the previous mask (restore with sigprocmask). */
static void block_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, old);
}

void fp_cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    /* No SA_RESTART: a read or write blocked on a FIFO or a stalled pipe returns EINTR. */
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_fatal;
    for (size_t i = 0; i < sizeof(s_fatal) / sizeof(s_fatal[0]); i++) {
        struct sigaction cur;
        /* A signal the parent ignores (nohup's SIGHUP) stays ignored. */
        if (sigaction(s_fatal[i], NULL, &cur) == 0 && cur.sa_handler == SIG_IGN)
            continue;
        sigaction(s_fatal[i], &sa, NULL);
    }
    /* A file size limit (ulimit -f) is then a write error (EFBIG, exit 74), not a kill. */
    signal(SIGXFSZ, SIG_IGN);
    watch_if_pipe(STDOUT_FILENO);
    s_umask = umask(022);
    umask(s_umask);
}

void fp_cli_std_fds(void)
{
    /* A closed 0, 1 or 2 would be reused by the first file opened, and diagnostics would land
     * in an output file: each is opened on /dev/null. */
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        s_stdout_closed |= fd == 1;
        int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (n >= 0 && n != fd) {
            dup2(n, fd);
            close(n);
        }
    }
}

int fp_cli_signal_exit(void)
{
    if (fp_cli_signal == SIGINT)
        return FP_EXIT_SIGINT;
    if (fp_cli_signal == SIGTERM)
        return FP_EXIT_SIGTERM;
    return 0;
}

void fp_cli_unpolled(int on)
{
    s_unpolled = on != 0;
    if (on && fp_cli_signal != 0) /* arrived just before: no handler call is coming */
        end_interrupted(fp_cli_signal);
}

int fp_cli_cancel_cb(void *ctx)
{
    (void)ctx;
    return fp_cli_signal != 0;
}

void fp_cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fputs("fpsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int fp_cli_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("fpsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'fpsim --help'.\n", stderr);
    return FP_EXIT_USAGE;
}

int fp_cli_nomem(void)
{
    fp_cli_errorf("out of memory");
    return FP_EXIT_SOFTWARE;
}

int fp_cli_exit_for(fp_status st)
{
    switch (st) {
    case FP_OK:
        return FP_EXIT_OK;
    case FP_EPARSE:
    case FP_EINVAL:
    case FP_ERANGE:
    case FP_ELIMIT:
        return FP_EXIT_DATA;
    case FP_ENOENT:
        return FP_EXIT_NOINPUT;
    case FP_EOUTPUT:
        return FP_EXIT_CANTCREAT;
    case FP_EIO:
        return FP_EXIT_IOERR;
    case FP_EINTR:
        return fp_cli_signal == SIGTERM ? FP_EXIT_SIGTERM : FP_EXIT_SIGINT;
    case FP_ENOMEM:
    case FP_EINTERNAL:
        return FP_EXIT_SOFTWARE;
    }
    return FP_EXIT_SOFTWARE;
}

int fp_cli_report_error(const fp_error *err)
{
    /* A signal stopped the library, or a pending one caused the failure (an interrupted
     * write): one "interrupted" line and 130/143. */
    if (err->status == FP_EINTR || fp_cli_signal != 0) {
        fp_cli_errorf("interrupted");
        return fp_cli_exit_for(FP_EINTR);
    }
    char buf[FP_ERROR_FILE_MAX + FP_ERROR_MSG_MAX + FP_ERROR_PATH_MAX + 64];
    fp_error_format(err, buf, sizeof(buf));
    fprintf(stderr, "fpsim: %s\n", buf);
    return fp_cli_exit_for(err->status);
}

int fp_cli_parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int fp_cli_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
              *p == 'E'))
            return -1; /* no hex, no nan/inf, no spaces */
    }
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno == ERANGE || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* ---- the common options' values (0, or the usage error printed and 64) ---- */

/* "low", "medium", "high", "critical" -> fp_severity value. 0, or -1 for another word. */
static int parse_severity(const char *s, int *out)
{
    for (int i = FP_SEV_LOW; i <= FP_SEV_CRITICAL; i++) {
        if (strcmp(s, fp_severity_name((fp_severity)i)) == 0) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

static int opt_scenario(char ***names, size_t *n, const char *arg)
{
    char **v = realloc(*names, (*n + 1) * sizeof(char *));
    if (v == NULL)
        return fp_cli_nomem();
    *names = v;
    v[(*n)++] = (char *)(uintptr_t)arg; /* argv strings, never written */
    return 0;
}

static int opt_runs(const char *arg, uint64_t max, uint64_t *out)
{
    if (fp_cli_parse_u64(arg, out) != 0 || *out == 0 || *out > max)
        return fp_cli_usage("--runs must be an integer in [1, %llu], got '%s'",
                            (unsigned long long)max, arg);
    return 0;
}

static int opt_seed(const char *arg, uint64_t *seed, int *has_seed)
{
    if (fp_cli_parse_u64(arg, seed) != 0)
        return fp_cli_usage("--seed must be an integer in [0, 18446744073709551615], got '%s'",
                            arg);
    *has_seed = 1;
    return 0;
}

static int opt_rng(const char *arg, const gsl_rng_type **out)
{
    fp_error err = FP_ERROR_INIT;
    if (fp_sim_rng_type(arg, out, &err) != FP_OK)
        return fp_cli_usage("--rng: %s", err.msg);
    return 0;
}

uint64_t fp_cli_seed_for(int has_seed, uint64_t seed, const fp_scenario *scn)
{
    if (has_seed)
        return seed;
    uint64_t s = FP_SIM_DEFAULT_SEED;
    fp_scenario_has_seed(scn, &s);
    return s;
}

const char *fp_cli_rng_name(const gsl_rng_type *t)
{
    return t != NULL ? t->name : "mt19937";
}

/* Most --set values one command takes. */
#define MAX_SETS 64

/* --set KEY=NUMBER: the key is checked against the thresholds (did-you-mean) and its range. */
static int opt_set(fp_cli_common *c, char *arg)
{
    char *eq = strchr(arg, '=');
    double v;
    fp_thresholds probe = FP_THRESHOLDS_INIT;
    fp_error err = FP_ERROR_INIT;
    if (eq == NULL || fp_cli_parse_double(eq + 1, &v) != 0)
        return fp_cli_usage("--set needs KEY=NUMBER, got '%s'", arg);
    if (c->n_sets == MAX_SETS)
        return fp_cli_usage("--set: at most %d thresholds", MAX_SETS);
    *eq = '\0';
    if (fp_thresholds_set(&probe, arg, v, &err) != FP_OK)
        return fp_cli_usage("--set: %s", err.msg);
    char **k = realloc(c->set_keys, (c->n_sets + 1) * sizeof(*k));
    if (k == NULL)
        return fp_cli_nomem();
    c->set_keys = k;
    double *vv = realloc(c->set_values, (c->n_sets + 1) * sizeof(*vv));
    if (vv == NULL)
        return fp_cli_nomem();
    c->set_values = vv;
    c->set_keys[c->n_sets] = arg;
    c->set_values[c->n_sets++] = v;
    return 0;
}

/* ---- the common-options parser ---- */

/* getopt_long values of the options without a one-letter name: past every char value. */
enum {
    V_SEED = 0x100,
    V_RNG,
    V_FAIL_ON,
    V_THRESHOLDS,
    V_BASELINE,
    V_SET,
    V_SHARD,
    V_SUMMARY,
    V_OWN = 0x200
};

/* The common options: mask bit, long name, whether it takes a value, getopt value. */
static const struct common_opt {
    unsigned bit;
    const char *name;
    int has_arg;
    int val;
} s_common[] = {{FP_CLI_O_SCENARIO, "scenario", 1, 's'},
                {FP_CLI_O_DETAILED, "detailed", 0, 'd'},
                {FP_CLI_O_RUNS, "runs", 1, 'n'},
                {FP_CLI_O_SEED, "seed", 1, V_SEED},
                {FP_CLI_O_RNG, "rng", 1, V_RNG},
                {FP_CLI_O_FORMAT, "format", 1, 'f'},
                {FP_CLI_O_OUTPUT, "output", 1, 'o'},
                {FP_CLI_O_THRESHOLDS, "thresholds", 1, V_THRESHOLDS},
                {FP_CLI_O_FAIL_ON, "fail-on", 1, V_FAIL_ON},
                {FP_CLI_O_BASELINE, "baseline", 1, V_BASELINE},
                {FP_CLI_O_SET, "set", 1, V_SET},
                {FP_CLI_O_SHARD, "shard", 1, V_SHARD},
                {FP_CLI_O_SUMMARY, "summary", 1, V_SUMMARY}};

#define N_COMMON (sizeof(s_common) / sizeof(s_common[0]))
#define MAX_OPTS 64 /* options of one command, --help included */

void fp_cli_common_init(fp_cli_common *c)
{
    memset(c, 0, sizeof(*c));
    c->runs = 1;
    c->fail_on = -1;
    c->report_format = FP_REPORT_TEXT;
}

void fp_cli_common_cleanup(fp_cli_common *c)
{
    free(c->scenarios);
    free(c->set_keys);
    free(c->set_values);
    fp_cli_common_init(c);
}

/* Appends one option to the getopt_long tables. */
static void add_opt(struct option *lo, size_t *n, char *shorts, size_t *ns, const char *name,
                    int has_arg, int val)
{
    assert(*n + 1 < MAX_OPTS);
    lo[*n].name = name;
    lo[*n].has_arg = has_arg ? required_argument : no_argument;
    lo[*n].flag = NULL;
    lo[*n].val = val;
    (*n)++;
    if (val > 0 && val < 0x100) {
        assert(strchr(shorts, val) == NULL); /* one letter, one option */
        shorts[(*ns)++] = (char)val;
        if (has_arg)
            shorts[(*ns)++] = ':';
        shorts[*ns] = '\0';
    }
}

/* --shard K/N: shard K (0-based) of N, 1 <= N <= 10^6. */
static int opt_shard(const char *arg, uint64_t *k, uint64_t *n)
{
    char buf[64];
    const char *slash = strchr(arg, '/');
    if (slash != NULL && (size_t)(slash - arg) < sizeof buf) {
        memcpy(buf, arg, (size_t)(slash - arg));
        buf[slash - arg] = '\0';
        if (fp_cli_parse_u64(buf, k) == 0 && fp_cli_parse_u64(slash + 1, n) == 0 && *n >= 1 &&
            *n <= 1000000 && *k < *n)
            return 0;
    }
    *n = 0;
    return fp_cli_usage("--shard must be K/N with 0 <= K < N <= 1000000, got '%s'", arg);
}

/* Handles one common option; 0, a usage error's exit status, or -2 when `val` is not a common
 * option the command takes (a command's own option may reuse a letter it leaves out: compare's
 * -s). */
static int common_value(fp_cli_common *c, const fp_cli_spec *spec, int val, char *arg)
{
    unsigned bit = 0;
    for (size_t i = 0; i < N_COMMON; i++)
        if (s_common[i].val == val)
            bit = s_common[i].bit;
    if (!(spec->common & bit))
        return -2;
    switch (val) {
    case 's':
        return opt_scenario(&c->scenarios, &c->n_scenarios, arg);
    case 'd':
        c->detailed = 1;
        return 0;
    case 'n':
        c->has_runs = 1;
        return opt_runs(arg, spec->max_runs ? spec->max_runs : FP_CLI_MAX_RUNS, &c->runs);
    case V_SEED:
        return opt_seed(arg, &c->seed, &c->has_seed);
    case V_RNG:
        return opt_rng(arg, &c->rng);
    case 'f':
        c->format = arg;
        if (spec->on_format != NULL)
            return spec->on_format(spec->ctx, arg);
        if (fp_report_format_from_name(arg, &c->report_format) != FP_OK)
            return fp_cli_usage(
                "--format must be text, json, markdown, csv, html or openmetrics, got '%s'", arg);
        return 0;
    case 'o':
        c->output = arg;
        return 0;
    case V_THRESHOLDS:
        c->thresholds = arg;
        return 0;
    case V_BASELINE:
        if (arg[0] == '\0')
            return fp_cli_usage("--baseline needs FILE, auto or none");
        c->baseline = arg;
        return 0;
    case V_SET:
        return opt_set(c, arg);
    case V_SHARD:
        return opt_shard(arg, &c->shard_k, &c->shard_n);
    case V_SUMMARY:
        c->summary = arg;
        return 0;
    case V_FAIL_ON:
        if (parse_severity(arg, &c->fail_on) != 0)
            return fp_cli_usage("--fail-on must be low, medium, high or critical, got '%s'", arg);
        return 0;
    }
    return -2; /* not a common option */
}

static char *dir_of(const char *path);
static int is_system_path(const char *p);
static const fp_builtin *find_builtin(const char *name);

/* The canonical name of a path that does not exist: realpath(parent) + "/" + name. */
static char *resolved_name(const char *path)
{
    char *dir = dir_of(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *rdir = dir != NULL ? realpath(dir, NULL) : NULL;
    char *out = NULL;
    if (rdir != NULL && (out = malloc(strlen(rdir) + strlen(base) + 2)) != NULL)
        sprintf(out, "%s/%s", rdir, base);
    free(dir);
    free(rdir);
    return out;
}

int fp_cli_same_file(const char *out, const char *in)
{
    if (out == NULL || in == NULL || strcmp(out, "-") == 0 || strcmp(in, "-") == 0)
        return 0;
    struct stat so, si;
    int out_exists = stat(out, &so) == 0, in_exists = stat(in, &si) == 0;
    if (out_exists && (!S_ISREG(so.st_mode) || is_system_path(out)))
        return 0; /* a device or pipe is written in place: never a file's replacement */
    if (out_exists && in_exists)
        return so.st_dev == si.st_dev && so.st_ino == si.st_ino;
    if (out_exists || in_exists)
        return 0;
    char *a = resolved_name(out), *b = resolved_name(in); /* two outputs not yet made */
    int same = a != NULL && b != NULL && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same || strcmp(out, in) == 0;
}

/* The usage error when c->output is the same file as a scenario file or --thresholds. */
static int check_output(const fp_cli_common *c)
{
    for (size_t i = 0; c->output != NULL && i < c->n_scenarios; i++)
        if (find_builtin(c->scenarios[i]) == NULL && fp_cli_same_file(c->output, c->scenarios[i]))
            return fp_cli_usage("--output '%s' is also an input", c->output);
    if (fp_cli_same_file(c->output, c->thresholds))
        return fp_cli_usage("--output '%s' is also an input", c->output);
    return 0;
}

int fp_cli_parse(fp_cli_common *c, const fp_cli_spec *spec, int argc, char **argv)
{
    struct option lo[MAX_OPTS];
    char shorts[3 * MAX_OPTS + 2] = ":";
    size_t n = 0, ns = 1;
    for (size_t i = 0; i < N_COMMON; i++) {
        if (spec->common & s_common[i].bit)
            add_opt(lo, &n, shorts, &ns, s_common[i].name, s_common[i].has_arg, s_common[i].val);
    }
    for (size_t i = 0; spec->options != NULL && spec->options[i].name != NULL; i++) {
        const fp_cli_option *o = &spec->options[i];
        add_opt(lo, &n, shorts, &ns, o->name, o->has_arg,
                o->short_name != 0 ? o->short_name : V_OWN + (int)i);
    }
    add_opt(lo, &n, shorts, &ns, "help", 0, 'h');
    memset(&lo[n], 0, sizeof(lo[n]));

    int ch, rc;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (ch == 'h') {
            fputs(spec->help, stdout);
            return -1;
        }
        if (ch == ':')
            return fp_cli_usage("option '%s' needs an argument", argv[optind - 1]);
        if (ch == '?')
            return fp_cli_usage("unknown option '%s'", argv[optind - 1]);
        rc = common_value(c, spec, ch, optarg);
        for (size_t i = 0; rc == -2; i++) { /* the command's own option: find its entry */
            const fp_cli_option *o = &spec->options[i];
            if ((o->short_name != 0 ? o->short_name : V_OWN + (int)i) == ch)
                rc = spec->on_option(spec->ctx, o->id, o->has_arg ? optarg : NULL);
        }
        if (rc != 0)
            return rc;
    }
    if (spec->positional) {
        c->args = argv + optind;
        c->n_args = (size_t)(argc - optind);
    } else if (optind < argc) {
        return fp_cli_usage("unexpected argument '%s'", argv[optind]);
    }
    return check_output(c);
}

/* ---- scenarios ---- */

/* Canonical order of `--scenario all`. */
static const char *const s_all[] = {"optimal", "bottlenecked", "memory-intensive", "cpu-intensive"};

static const fp_builtin *find_builtin(const char *name)
{
    char canon[128];
    size_t n = strlen(name);
    if (n >= sizeof(canon))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        canon[i] = name[i] == '_' ? '-' : name[i];
    for (size_t i = 0; i < fp_builtin_count; i++)
        if (strcmp(fp_builtins[i].name, canon) == 0)
            return &fp_builtins[i];
    return NULL;
}

/* The built-ins in listing order: those of `all` first, then the others. */
static size_t builtin_order(const fp_builtin **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(s_all) / sizeof(s_all[0]) && n < cap; i++)
        if ((out[n] = find_builtin(s_all[i])) != NULL)
            n++;
    for (size_t i = 0; i < fp_builtin_count && n < cap; i++) {
        int listed = 0;
        for (size_t j = 0; j < sizeof(s_all) / sizeof(s_all[0]); j++)
            listed |= strcmp(s_all[j], fp_builtins[i].name) == 0;
        if (!listed)
            out[n++] = &fp_builtins[i];
    }
    return n;
}

void fp_cli_list_builtins(FILE *out)
{
    const fp_builtin *b[64];
    size_t n = builtin_order(b, 64);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s\n", b[i]->name);
}

int fp_cli_describe_builtins(FILE *out)
{
    const fp_builtin *b[64];
    size_t n = builtin_order(b, 64), w = 0;
    for (size_t i = 0; i < n; i++)
        w = strlen(b[i]->name) > w ? strlen(b[i]->name) : w;
    for (size_t i = 0; i < n; i++) {
        fp_error err = FP_ERROR_INIT;
        fp_scenario *s = NULL;
        char file[160];
        snprintf(file, sizeof(file), "<builtin:%s>", b[i]->name);
        if (fp_scenario_load_string(&s, b[i]->text, b[i]->len, file, &err) != FP_OK)
            return fp_cli_report_error(&err);
        fprintf(out, "%-*s  %s\n", (int)w, b[i]->name, fp_scenario_description(s));
        fp_scenario_free(s);
    }
    return 0;
}

int fp_cli_show_builtin(FILE *out, const char *name)
{
    const fp_builtin *b = find_builtin(name);
    if (b == NULL) {
        const char *cands[64];
        const fp_builtin *all[64];
        size_t n = builtin_order(all, 64);
        for (size_t i = 0; i < n; i++)
            cands[i] = all[i]->name;
        const char *sug = fp_suggest(name, cands, n);
        if (sug != NULL)
            return fp_cli_usage("--show: unknown built-in scenario '%s' (did you mean '%s'?)", name,
                                sug);
        return fp_cli_usage("--show: unknown built-in scenario '%s' (see 'fpsim scenarios')", name);
    }
    fwrite(b->text, 1, b->len, out);
    return 0;
}

static int push_scenario(fp_cli_scenarios *out, fp_scenario *s)
{
    fp_scenario **items = realloc(out->items, (out->n + 1) * sizeof(*items));
    if (items == NULL) {
        fp_scenario_free(s);
        return fp_cli_nomem();
    }
    out->items = items;
    out->items[out->n++] = s;
    return 0;
}

static int load_one(fp_cli_scenarios *out, const char *name)
{
    fp_error err = FP_ERROR_INIT;
    fp_scenario *s = NULL;
    fp_status st;
    const fp_builtin *b = find_builtin(name);
    if (b != NULL) {
        char file[160];
        snprintf(file, sizeof(file), "<builtin:%s>", b->name);
        st = fp_scenario_load_string(&s, b->text, b->len, file, &err);
    } else {
        struct stat sb;
        if (strchr(name, '/') == NULL && strstr(name, ".y") == NULL && stat(name, &sb) != 0) {
            const char *cands[sizeof(s_all) / sizeof(s_all[0]) + 1];
            size_t nc = 0;
            for (size_t i = 0; i < sizeof(s_all) / sizeof(s_all[0]); i++)
                cands[nc++] = s_all[i];
            cands[nc++] = "all";
            const char *sug = fp_suggest(name, cands, nc);
            if (sug != NULL)
                return fp_cli_usage("unknown scenario '%s' (did you mean '%s'?)", name, sug);
            return fp_cli_usage("unknown scenario '%s': not a built-in (optimal, bottlenecked, "
                                "memory-intensive, cpu-intensive, all) nor a file",
                                name);
        }
        st = fp_scenario_load_file(&s, name, &err);
    }
    if (st != FP_OK)
        return fp_cli_report_error(&err);
    return push_scenario(out, s);
}

int fp_cli_load_scenarios(fp_cli_scenarios *out, char *const *names, size_t n_names)
{
    static char all[] = "all";
    static char *const every[] = {all};
    out->items = NULL;
    out->n = 0;
    if (n_names == 0) {
        names = every;
        n_names = 1;
    }
    for (size_t i = 0; i < n_names; i++) {
        int rc = 0;
        if (strcmp(names[i], "all") == 0) {
            for (size_t j = 0; j < sizeof(s_all) / sizeof(s_all[0]) && rc == 0; j++)
                rc = load_one(out, s_all[j]);
        } else {
            rc = load_one(out, names[i]);
        }
        if (rc != 0) {
            fp_cli_free_scenarios(out);
            return rc;
        }
    }
    return 0;
}

void fp_cli_free_scenarios(fp_cli_scenarios *s)
{
    for (size_t i = 0; i < s->n; i++)
        fp_scenario_free(s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* ---- output ---- */

/* A path under /dev or /proc (/dev/stdout, /dev/fd/1, /proc/self/fd/1): always written in place,
 * even when it leads to a regular file, so a link there is never replaced. */
static int is_system_path(const char *p)
{
    return strncmp(p, "/dev/", 5) == 0 || strncmp(p, "/proc/", 6) == 0;
}

static int out_fail(fp_cli_out *o, const char *path, int e)
{
    fp_cli_errorf("%s: cannot create output: %s", path, strerror(e));
    fp_cli_out_abort(o);
    return FP_EXIT_CANTCREAT;
}

/* Opens a device, FIFO or system path for writing in place (never replaced). */
static int out_open_in_place(fp_cli_out *o, const char *path)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return out_fail(o, path, errno);
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        lseek(fd, 0, SEEK_END); /* /dev/stdout redirected to a file: append, as the shell would */
    o->in_place = 1;
    watch_if_pipe(fd);
    o->path = strdup(path);
    o->f = o->path != NULL ? fdopen(fd, "w") : NULL;
    if (o->f == NULL) {
        int e = errno;
        close(fd);
        return o->path == NULL ? (fp_cli_out_abort(o), fp_cli_nomem()) : out_fail(o, path, e);
    }
    return 0;
}

/* The directory part of `path` ("." when none), newly allocated. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    char *d = malloc((size_t)(slash - path) + 1);
    if (d != NULL) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

/* A fresh temp name beside o->path: DIR/.BASE.XXXXXX (mkstemp's template). */
static char *tmp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t need = dirlen + strlen(base) + 16;
    char *t = malloc(need);
    if (t != NULL)
        snprintf(t, need, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
    return t;
}

int fp_cli_out_open(fp_cli_out *o, const char *path)
{
    memset(o, 0, sizeof(*o));
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    struct stat sb, lsb;
    int exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode)) {
        fp_cli_errorf("%s: cannot create output: is a directory", path);
        return FP_EXIT_CANTCREAT;
    }
    /* A device or pipe (/dev/null, /dev/full, a FIFO), or a link to one, or anything under /dev
     * or /proc: written in place, never replaced by a rename; errors surface at the commit. */
    if ((exists && !S_ISREG(sb.st_mode)) || is_system_path(path))
        return out_open_in_place(o, path);
    /* A symlink to a regular file: its target is replaced, the link stays. */
    if (exists && lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode))
        o->path = realpath(path, NULL);
    else
        o->path = strdup(path);
    char *dir = o->path != NULL ? dir_of(o->path) : NULL;
    if (dir == NULL) {
        fp_cli_out_abort(o);
        return fp_cli_nomem();
    }
    int fd = -1;
#ifdef O_TMPFILE
    /* An unnamed file: nothing visible until the commit links it, whatever kills fpsim. */
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666); /* the kernel applies the umask */
    o->anon = fd >= 0;
#endif
    free(dir);
    if (fd < 0) {
        /* Fallback: a named temp file, listed for the signal handlers to remove. */
        if ((o->tmp = tmp_name(o->path)) == NULL) {
            fp_cli_out_abort(o);
            return fp_cli_nomem();
        }
        sigset_t old;
        block_signals(&old);
        fd = mkstemp(o->tmp);
        int e = errno;
        for (int i = 0; fd >= 0 && i < TMP_SLOTS && o->slot == 0; i++) {
            if (!s_tmp_used[i] && strlen(o->tmp) < PATH_MAX) {
                strcpy(s_tmp_path[i], o->tmp);
                s_tmp_used[i] = 1;
                o->slot = i + 1;
            }
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (fd < 0) {
            free(o->tmp);
            o->tmp = NULL;
            return out_fail(o, path, e);
        }
        fchmod(fd, 0666 & ~s_umask); /* mkstemp makes 0600: the mode follows the umask */
    }
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        int e = errno;
        close(fd);
        return out_fail(o, path, e);
    }
    return 0;
}

/* Links the unnamed file of `o` in as a temp name, then renames it over o->path. */
static int link_anon(fp_cli_out *o)
{
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(o->f));
    for (int attempt = 0; attempt < 100; attempt++) {
        char *t = tmp_name(o->path);
        if (t == NULL)
            return ENOMEM;
        /* A unique name: mkstemp's, removed again (signals are blocked meanwhile). */
        int tfd = mkstemp(t);
        if (tfd < 0) {
            int e = errno;
            free(t);
            return e;
        }
        close(tfd);
        unlink(t);
        int rc = linkat(AT_FDCWD, proc, AT_FDCWD, t, AT_SYMLINK_FOLLOW);
#ifdef AT_EMPTY_PATH
        if (rc != 0 && errno != EEXIST)
            rc = linkat(fileno(o->f), "", AT_FDCWD, t, AT_EMPTY_PATH);
#endif
        if (rc != 0) {
            int e = errno;
            free(t);
            if (e == EEXIST)
                continue;
            return e;
        }
        if (rename(t, o->path) != 0) {
            int e = errno;
            unlink(t);
            free(t);
            return e;
        }
        free(t);
        return 0;
    }
    return EEXIST;
}

int fp_cli_out_commit(fp_cli_out *o)
{
    int rc;
    if (o->path == NULL) {
        int bad = fflush(stdout) != 0 || ferror(stdout);
        if ((rc = fp_cli_interrupted()) != 0)
            return rc;
        if (s_stdout_closed) { /* the report went to /dev/null: lost, as a write error */
            errno = EBADF;
            bad = 1;
        }
        if (bad) {
            fp_cli_errorf("error writing standard output: %s", strerror(errno));
            return FP_EXIT_IOERR;
        }
        return 0;
    }
    int e = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        e = errno ? errno : EIO;
    sigset_t old;
    block_signals(&old);
    /* A SIGINT/SIGTERM that came while writing: nothing is committed. */
    if (fp_cli_signal != 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        fp_cli_out_abort(o);
        return fp_cli_interrupted();
    }
    if (e == 0 && o->anon)
        e = link_anon(o);
    if (o->in_place)
        unwatch(fileno(o->f));
    if (fclose(o->f) != 0 && e == 0)
        e = errno ? errno : EIO;
    o->f = NULL;
    if (e == 0 && o->tmp != NULL && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e == 0 && o->slot != 0) {
        s_tmp_used[o->slot - 1] = 0;
        o->slot = 0;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        fp_cli_errorf("%s: write failed: %s", o->path, strerror(e));
        fp_cli_out_abort(o);
        return FP_EXIT_IOERR;
    }
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    return 0;
}

void fp_cli_out_abort(fp_cli_out *o)
{
    if (o->in_place && o->f != NULL)
        unwatch(fileno(o->f));
    if (o->f != NULL && o->f != stdout)
        fclose(o->f); /* an unnamed (O_TMPFILE) file vanishes here */
    o->f = NULL;
    if (o->tmp != NULL) {
        sigset_t old;
        block_signals(&old);
        unlink(o->tmp);
        if (o->slot != 0)
            s_tmp_used[o->slot - 1] = 0;
        o->slot = 0;
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    o->anon = o->in_place = 0;
}

int fp_cli_use_colour(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc != NULL && nc[0] != '\0')
        return 0;
    return isatty(fileno(f));
}

/* ---- input files ---- */

int fp_cli_report_input_error(const fp_error *err)
{
    /* The input itself cannot be opened or read: "FILE: cannot open: REASON", as always. */
    if (err->status == FP_ENOENT && err->file[0] != '\0' && err->line == 0 &&
        err->key_path[0] == '\0') {
        fp_cli_errorf("%s: %s", err->file, err->msg);
        return FP_EXIT_NOINPUT;
    }
    if (err->status == FP_ENOMEM && err->file[0] == '\0') {
        fp_cli_errorf("%s", err->msg[0] ? err->msg : "out of memory");
        return FP_EXIT_SOFTWARE;
    }
    return fp_cli_report_error(err);
}

/* ---- thresholds ---- */

void fp_cli_free_thresholds(fp_cli_thresholds *t)
{
    fp_thresholds_overrides_free(t);
}

/* Reads `file` (at most FP_THRESHOLDS_FILE_MAX_BYTES) into a new buffer; prints and returns the
 * exit status. */
static int th_read(const char *file, char **out, size_t *len)
{
    FILE *f = fopen(file, "rb");
    *out = NULL;
    *len = 0;
    if (f == NULL) {
        fp_cli_errorf("%s: cannot open: %s", file, strerror(errno));
        return FP_EXIT_NOINPUT;
    }
    char *buf = malloc(FP_THRESHOLDS_FILE_MAX_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        fp_cli_errorf("out of memory reading %s", file);
        return FP_EXIT_SOFTWARE;
    }
    size_t n = fread(buf, 1, FP_THRESHOLDS_FILE_MAX_BYTES + 1, f);
    int bad = ferror(f), e = errno;
    fclose(f);
    if (bad && e == EINTR) {
        free(buf);
        fp_cli_errorf("interrupted");
        return fp_cli_exit_for(FP_EINTR);
    }
    if (bad) {
        free(buf);
        fp_cli_errorf("%s: read error", file);
        return FP_EXIT_IOERR;
    }
    if (n > FP_THRESHOLDS_FILE_MAX_BYTES) {
        free(buf);
        fp_cli_errorf("%s: error: thresholds file larger than 1 MiB", file);
        return FP_EXIT_DATA;
    }
    *out = buf;
    *len = n;
    return 0;
}

int fp_cli_load_thresholds(const char *file, fp_cli_thresholds *out)
{
    memset(out, 0, sizeof(*out));
    char *text = NULL;
    size_t len = 0;
    int rc = th_read(file, &text, &len);
    if (rc != 0)
        return rc;
    fp_error err = FP_ERROR_INIT;
    if (fp_thresholds_load_yaml(text, len, file, out, &err) != FP_OK)
        rc = fp_cli_report_error(&err);
    free(text);
    return rc;
}

int fp_cli_scenario_thresholds(const fp_scenario *scn, const fp_cli_thresholds *file,
                               fp_thresholds *t)
{
    fp_thresholds_init(t);
    for (size_t i = 0; scn != NULL && i < fp_scenario_analysis_count(scn); i++) {
        double v;
        unsigned long line, col;
        const char *key = fp_scenario_analysis_key(scn, i, &v, &line, &col);
        fp_error err = FP_ERROR_INIT;
        if (fp_thresholds_set(t, key, v, &err) != FP_OK) {
            char path[300], msg[FP_ERROR_MSG_MAX];
            snprintf(path, sizeof(path), "analysis.%s", key);
            snprintf(msg, sizeof(msg), "%s", err.msg); /* set_at rewrites err.msg */
            fp_error_set_at(&err, err.status, fp_scenario_file(scn), line, col, "%s", msg);
            fp_error_set_path(&err, path);
            return fp_cli_report_error(&err);
        }
    }
    for (size_t i = 0; file != NULL && i < file->n; i++)
        fp_thresholds_set(t, file->keys[i], file->values[i], NULL); /* checked when loaded */
    return 0;
}

int fp_cli_thresholds_for(const fp_cli_common *c, const fp_scenario *scn,
                          const fp_cli_thresholds *file, fp_thresholds *out)
{
    int rc = fp_cli_scenario_thresholds(scn, file, out);
    for (size_t i = 0; rc == 0 && i < c->n_sets; i++)
        fp_thresholds_set(out, c->set_keys[i], c->set_values[i], NULL); /* checked when parsed */
    return rc;
}

int fp_cli_read_baseline(const char *path, fp_baseline **out)
{
    fp_error err = FP_ERROR_INIT;
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fp_cli_errorf("%s: cannot open: %s", path, strerror(errno));
        return FP_EXIT_NOINPUT;
    }
    for (;;) {
        char buf[65536];
        size_t got = fread(buf, 1, sizeof(buf), f);
        if (got > 0) {
            char *t = realloc(text, len + got + 1);
            if (t == NULL) {
                fclose(f);
                free(text);
                return fp_cli_nomem();
            }
            text = t;
            memcpy(text + len, buf, got);
            len += got;
        }
        if (got < sizeof(buf))
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        fp_cli_errorf("%s: cannot read", path);
        return FP_EXIT_NOINPUT;
    }
    fp_status st = fp_baseline_read_json(out, text ? text : "", len, path, &err);
    free(text);
    return st != FP_OK ? fp_cli_report_error(&err) : 0;
}

int fp_cli_baseline_for(const fp_cli_common *c, const char *def, const fp_scenario *scn,
                        uint64_t seed, const fp_thresholds *th, fp_baseline **out)
{
    const char *b = c->baseline != NULL ? c->baseline : def;
    *out = NULL;
    if (b == NULL || strcmp(b, "none") == 0)
        return 0;
    if (strcmp(b, "auto") == 0) {
        fp_error err = FP_ERROR_INIT;
        if (scn == NULL)
            return fp_cli_usage("--baseline auto needs a scenario; give a baseline FILE");
        if (fp_validate_learn_baseline(out, scn, c->rng, seed, FP_BASELINE_AUTO_RUNS, th,
                                       fp_cli_cancel_cb, NULL, &err) != FP_OK)
            return fp_cli_report_error(&err);
        return 0;
    }
    return fp_cli_read_baseline(b, out);
}
