/*
 * fp_cli_record.c - `fpsim record [options] -- COMMAND [ARGS...]`: runs COMMAND under the recorder
 * (record/fp_record.h), builds its profile, and analyses and reports it as `analyze` does
 * (docs/record.md). The command's exit status is fpsim's unless fpsim fails or a guard stops it.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fp_baseline.h"
#include "fp_cli.h"
#include "fp_record.h"

static const char *const s_help =
    "Usage: fpsim record [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND (no shell), samples its whole process tree from /proc (resident memory,\n"
    "user+system CPU, threads, /proc/PID/io), collects the spans it writes to the descriptor\n"
    "in $FPSIM_TRACE_FD (Chrome Trace Event lines; fpsim/span.h), and prints the same report\n"
    "as 'fpsim analyze' for the profile. SIGINT, SIGTERM and SIGHUP are passed to COMMAND.\n"
    "\n"
    "Options:\n"
    "      --interval DUR     memory/CPU sampling interval (default 100ms; at least 1ms)\n"
    "      --io-interval DUR  /proc/PID/io interval (default 500ms)\n"
    "      --trace FILE       a Chrome trace COMMAND writes; its spans are merged\n"
    "      --save FILE        also write the profile JSON to FILE (for analyze/compare)\n"
    "      --name NAME        name of the run and its root span (default: COMMAND's name)\n"
    "      --max-rss SIZE     guard: resident memory of the tree (500M, 2G)\n"
    "      --max-time DUR     guard: wall time (90s, 1h)\n"
    "      --max-cpu CORES    guard: cores in use, mean over --cpu-window (default 5s)\n"
    "      --cpu-window DUR   window of --max-cpu\n"
    "      --on-breach ACT    warn (default), term (SIGTERM, SIGKILL after --grace, default\n"
    "                         2s) or kill\n"
    "      --grace DUR        time between term's SIGTERM and SIGKILL\n"
    "  -d, --detailed         add per-method tables, critical path, findings, recommendations\n"
    "  -f, --format FMT       text, json, markdown (md), csv, html or openmetrics (default\n"
    "                         text)\n"
    "  -o, --output FILE      write the report atomically to FILE (default standard output)\n"
    "      --thresholds FILE  analysis thresholds (as for analyze)\n"
    "      --set KEY=VALUE    set one analysis threshold (repeatable; 'fpsim thresholds')\n"
    "      --baseline B       a baseline FILE ('fpsim baseline') to test the run against\n"
    "      --fail-on SEV      exit 1 when COMMAND exits 0 and a finding is at or above SEV\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: COMMAND's own (128+N when killed by signal N), except: 124 a guard with\n"
    "term or kill stopped it; 126/127 COMMAND cannot be run / not found; 1 --fail-on\n"
    "triggered (COMMAND exited 0); 64 usage; 65 bad span data; 70 internal; 73 cannot create\n"
    "output; 74 write error.\n";

enum {
    OPT_INTERVAL,
    OPT_IO_INTERVAL,
    OPT_TRACE,
    OPT_SAVE,
    OPT_NAME,
    OPT_MAX_RSS,
    OPT_MAX_TIME,
    OPT_MAX_CPU,
    OPT_CPU_WINDOW,
    OPT_ON_BREACH,
    OPT_GRACE
};

typedef struct rec_opts {
    fp_cli_common c;
    fp_record_options ro;
    const char *save;
    const char *name;
} rec_opts;

static int duration_opt(const char *opt, const char *arg, double min_s, double *out)
{
    if (fp_record_parse_duration_s(arg, out) != FP_OK || *out < min_s)
        return fp_cli_usage("--%s must be a duration such as 100ms, 90s or 1h%s, got '%s'", opt,
                            min_s > 0 ? " (at least 1ms)" : "", arg);
    return 0;
}

static int on_option(void *ctx, int id, char *arg)
{
    rec_opts *o = ctx;
    double v;
    switch (id) {
    case OPT_INTERVAL:
        return duration_opt("interval", arg, 1e-3, &o->ro.interval_s);
    case OPT_IO_INTERVAL:
        return duration_opt("io-interval", arg, 1e-3, &o->ro.io_interval_s);
    case OPT_CPU_WINDOW:
        return duration_opt("cpu-window", arg, 1e-3, &o->ro.cpu_window_s);
    case OPT_GRACE:
        return duration_opt("grace", arg, 0.0, &o->ro.grace_s);
    case OPT_MAX_TIME:
        return duration_opt("max-time", arg, 0.0, &o->ro.limit[FP_GUARD_MAX_TIME]);
    case OPT_MAX_RSS:
        if (fp_record_parse_size_mb(arg, &o->ro.limit[FP_GUARD_MAX_RSS]) != FP_OK)
            return fp_cli_usage("--max-rss must be a size such as 500M or 2G, got '%s'", arg);
        return 0;
    case OPT_MAX_CPU:
        if (fp_cli_parse_double(arg, &v) != 0 || !(v > 0.0))
            return fp_cli_usage("--max-cpu must be a positive number of cores, got '%s'", arg);
        o->ro.limit[FP_GUARD_MAX_CPU] = v;
        return 0;
    case OPT_ON_BREACH:
        if (strcmp(arg, "warn") == 0)
            o->ro.on_breach = FP_RECORD_WARN;
        else if (strcmp(arg, "term") == 0)
            o->ro.on_breach = FP_RECORD_TERM;
        else if (strcmp(arg, "kill") == 0)
            o->ro.on_breach = FP_RECORD_KILL;
        else
            return fp_cli_usage("--on-breach must be warn, term or kill, got '%s'", arg);
        return 0;
    case OPT_TRACE:
        o->ro.trace_file = arg;
        return 0;
    case OPT_SAVE:
        o->save = arg;
        return 0;
    case OPT_NAME:
        o->name = arg;
        return 0;
    }
    return 0;
}

static void on_hup(int sig)
{
    fp_cli_signal = sig;
}

/* The signal the handlers stored, for the recorder to forward; cleared, so that fpsim's exit
 * status stays the command's. */
static int take_signal(void *ctx)
{
    (void)ctx;
    return atomic_exchange(&fp_cli_signal, 0);
}

/* The recording's notes on stderr: guard breaches and sampling gaps. */
static void print_notes(const fp_record *r)
{
    size_t n;
    const fp_record_breach *b = fp_record_breaches(r, &n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr,
                "fpsim: record: guard %s breached at %.3f s: %.3f %s > limit %.3f %s (%s)\n",
                fp_record_guard_name(b[i].guard), b[i].t_s, b[i].value,
                fp_record_guard_unit(b[i].guard), b[i].limit, fp_record_guard_unit(b[i].guard),
                fp_record_action_name(b[i].action));
    const fp_record_gap *g = fp_record_gaps(r, &n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "fpsim: record: note: %zu samples missed between %.3f s and %.3f s\n",
                g[i].missed, g[i].start_s, g[i].end_s);
}

/* The guards that were set, with their breaches, into the report's current scenario: what the
 * OpenMetrics format exports (fpsim_guard_*), in its base units. */
static fp_status set_guards(fp_report *rep, const fp_record_options *ro, const fp_record *r,
                            fp_error *err)
{
    static const struct {
        const char *unit;
        double to_base; /* from the recorder's MB, s, cores */
    } units[FP_GUARD_COUNT] = {{"bytes", 1048576.0}, {"seconds", 1.0}, {"cores", 1.0}};
    fp_report_guard g[FP_GUARD_COUNT];
    size_t n = 0, nb;
    const fp_record_breach *b = fp_record_breaches(r, &nb);
    for (int k = 0; k < FP_GUARD_COUNT; k++) {
        if (!(ro->limit[k] > 0.0))
            continue;
        fp_report_guard x = {fp_record_guard_name((fp_record_guard)k),
                             units[k].unit,
                             fp_record_action_name(ro->on_breach),
                             ro->limit[k] * units[k].to_base,
                             0,
                             0.0,
                             0.0};
        for (size_t i = 0; i < nb; i++) {
            if ((int)b[i].guard != k)
                continue;
            double v = b[i].value * units[k].to_base;
            if (x.breaches == 0 || v > x.max_value)
                x.max_value = v;
            if (x.breaches == 0)
                x.first_breach_s = b[i].t_s;
            x.breaches++;
        }
        g[n++] = x;
    }
    return fp_report_set_guards(rep, g, n, err);
}

static int save_profile(const char *path, const fp_profile *prof)
{
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    int rc = fp_cli_out_open(&out, path);
    if (rc != 0)
        return rc;
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_profile_write_json(prof, 0, 0, out.f, &err);
    if (st == FP_OK && fputc('\n', out.f) == EOF)
        st = FP_EIO;
    return fp_cli_out_finish(&out, st, &err, 0);
}

int fp_cmd_record(int argc, char **argv)
{
    static const fp_cli_option opts[] = {{"interval", 0, 1, OPT_INTERVAL},
                                         {"io-interval", 0, 1, OPT_IO_INTERVAL},
                                         {"trace", 0, 1, OPT_TRACE},
                                         {"save", 0, 1, OPT_SAVE},
                                         {"name", 0, 1, OPT_NAME},
                                         {"max-rss", 0, 1, OPT_MAX_RSS},
                                         {"max-time", 0, 1, OPT_MAX_TIME},
                                         {"max-cpu", 0, 1, OPT_MAX_CPU},
                                         {"cpu-window", 0, 1, OPT_CPU_WINDOW},
                                         {"on-breach", 0, 1, OPT_ON_BREACH},
                                         {"grace", 0, 1, OPT_GRACE},
                                         {NULL, 0, 0, 0}};
    rec_opts o;
    fp_cli_common_init(&o.c);
    fp_record_options init = FP_RECORD_OPTIONS_INIT;
    o.ro = init;
    o.save = NULL;
    o.name = NULL;
    fp_thresholds th;
    fp_thresholds_init(&th);
    fp_cli_thresholds file_th = {NULL, NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    fp_report *rep = NULL;
    fp_record *r = NULL;
    fp_profile *prof = NULL;
    fp_baseline *bl = NULL;
    fp_cli_gate gate = FP_CLI_GATE_INIT;
    int rc;

    /* The command starts after the first "--": options after it are the command's. */
    int split = 1;
    while (split < argc && strcmp(argv[split], "--") != 0)
        split++;
    const fp_cli_spec spec = {s_help, FP_CMD_RECORD_OPTS, 0, opts, on_option, NULL, 0, &o};
    rc = fp_cli_parse(&o.c, &spec, split, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (split + 1 >= argc) {
        rc = fp_cli_usage("record needs a command after '--' (fpsim record -- COMMAND ...)");
        goto done;
    }
    if (o.ro.io_interval_s < o.ro.interval_s)
        o.ro.io_interval_s = o.ro.interval_s;
    char **cmd = argv + split + 1;
    const char *name = o.name;
    if (name == NULL) {
        const char *slash = strrchr(cmd[0], '/');
        name = slash != NULL ? slash + 1 : cmd[0];
    }
    if ((o.c.thresholds != NULL && (rc = fp_cli_load_thresholds(o.c.thresholds, &file_th)) != 0) ||
        (rc = fp_cli_thresholds_for(&o.c, NULL, &file_th, &th)) != 0 ||
        (rc = fp_cli_baseline_for(&o.c, "none", NULL, 0, &th, &bl)) != 0)
        goto done;
    /* The report's output is opened before the command runs, so a bad -o fails early. */
    if ((rc = fp_cli_report_open(&o.c, &out, &rep)) != 0)
        goto done;
    if ((prof = fp_profile_new()) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_hup;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    o.ro.take_signal = take_signal;

    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_record_run(&r, cmd, &o.ro, &err);
    if (st != FP_OK) {
        rc = fp_cli_report_error(&err);
        if (r != NULL) /* the command could not be run: its shell-like status */
            rc = fp_record_summary_get(r)->exit_status;
        goto done;
    }
    print_notes(r);
    const fp_record_summary *sum = fp_record_summary_get(r);
    if (fp_record_profile(r, name, prof, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    if (o.save != NULL && (rc = save_profile(o.save, prof)) != 0)
        goto done;
    if (fp_report_begin_scenario(rep, name, 0, "", "", &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    if (set_guards(rep, &o.ro, r, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    if ((rc = fp_cli_report_run_baseline(rep, prof, &th, bl, o.c.fail_on, NULL, &gate)) != 0)
        goto done;
    rc = fp_cli_out_finish(&out, fp_report_write(rep, out.f, &err), &err, gate.fired);
    fp_cli_gate_print(&gate);
    if (rc != 0 && rc != FP_EXIT_FINDINGS)
        goto done;
    if (sum->stopped_by_guard)
        rc = 124;
    else if (sum->exit_status != 0)
        rc = sum->exit_status;
done:
    fp_cli_out_abort(&out);
    fp_report_free(rep);
    fp_record_free(r);
    fp_baseline_free(bl);
    fp_profile_free(prof);
    fp_cli_free_thresholds(&file_th);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
