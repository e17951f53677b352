/*
 * fp_cli_analyze.c - `fpsim analyze FILE...`: the analysis and report of the default command,
 * run on profiles from files instead of simulations. A FILE is anything the input reader
 * (fp_input_open() in profile/fp_formats.h) reads: an fpsim profile JSON (one profile, or a runs
 * document: every run), a Chrome Trace Event JSON as real tracers write it, a V8 .cpuprofile,
 * speedscope JSON or folded stacks (any of them gzip-compressed), an `fpsim generate` directory
 * or index.json, or a directory of such files (docs/output-formats.md). Every input is
 * read and checked before anything is written, so a bad file leaves no output.
 */
#include <stdlib.h>
#include <string.h>

#include "fp_analysis.h"
#include "fp_baseline.h"
#include "fp_cli.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_report.h"

static const char *const s_help =
    "Usage: fpsim analyze FILE... [options]\n"
    "\n"
    "Analyses profiles read from files and prints the same report as the default command.\n"
    "A FILE is an fpsim profile JSON (a single profile, or a runs document from\n"
    "'fpsim simulate --format json': every run is analysed) or a Chrome Trace Event JSON\n"
    "({\"traceEvents\": [...]} or a bare array, e.g. from node --trace-events-enabled):\n"
    "X and B/E events become spans, C counters the memory/CPU/I/O series; other phases are\n"
    "ignored with a note. A FILE may also be an 'fpsim generate' directory or its\n"
    "index.json (the runs it lists), or another directory (every *.json directly inside\n"
    "or one level down, in name order). '-' reads standard input.\n"
    "\n"
    "Options:\n"
    "  -d, --detailed         add per-method tables, critical path, findings, recommendations\n"
    "  -f, --format FMT       text, json, markdown (md), csv, html or openmetrics (default\n"
    "                         text)\n"
    "  -o, --output FILE      write atomically to FILE (default standard output)\n"
    "      --thresholds FILE  analysis thresholds, a YAML mapping 'name: number' (dotted\n"
    "                         names, or one mapping per detector: 'slow_method: {mean_s: 3}')\n"
    "      --set KEY=VALUE    set one analysis threshold (repeatable; 'fpsim thresholds')\n"
    "      --baseline B       a baseline FILE ('fpsim baseline') to test every run against;\n"
    "                         none (default): absolute thresholds only\n"
    "      --fail-on SEV      exit 1 when any finding is at or above SEV\n"
    "                         (low, medium, high, critical); says why on stderr\n"
    "      --summary FILE     append a Markdown summary for CI pages to FILE\n"
    "                         (default: $GITHUB_STEP_SUMMARY when set)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 1 --fail-on triggered, 64 usage, 65 bad profile or trace data,\n"
    "66 no input, 70 internal or out of memory, 73 cannot create output, 74 read or write error,\n"
    "130/143 interrupted.\n";

typedef struct an_opts {
    fp_cli_common c; /* every option of analyze is a common one; the FILEs are c.args */
    fp_thresholds th;
    fp_baseline *bl; /* --baseline FILE, or NULL (none, the default for files) */
} an_opts;

static int parse(an_opts *o, int argc, char **argv)
{
    const fp_cli_spec spec = {s_help, FP_CMD_ANALYZE_OPTS, 0, NULL, NULL, NULL, 1, o};
    int rc = fp_cli_parse(&o->c, &spec, argc, argv);
    if (rc != 0)
        return rc;
    if (o->c.n_args == 0)
        return fp_cli_usage("analyze needs at least one FILE");
    for (size_t i = 0; i < o->c.n_args && o->c.output != NULL; i++) {
        if (fp_cli_same_file(o->c.output, o->c.args[i]))
            return fp_cli_usage("--output '%s' is also an input", o->c.output);
    }
    return 0;
}

typedef struct an_state {
    an_opts *o;
    fp_report *rep;
    char prev[FP_ERROR_FILE_MAX]; /* the section of the previous run */
    int first;                    /* the next run is its input's first */
    fp_cli_gate gate;
    char **sections; /* section names started so far, by this and earlier inputs (owned) */
    size_t n_sections, cap_sections;
    size_t first_section; /* sections[0..first_section) were started by earlier inputs */
} an_state;

/* Whether a section called `name` was started, by an earlier input when `earlier`. */
static int section_used(const an_state *s, const char *name, int earlier)
{
    size_t n = earlier ? s->first_section : s->n_sections;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->sections[i], name) == 0)
            return 1;
    return 0;
}

static int remember_section(an_state *s, const char *name)
{
    char *copy = fp_strdup(name);
    if (copy == NULL || fp_grow((void **)&s->sections, &s->cap_sections, s->n_sections + 1,
                                sizeof(*s->sections)) != FP_OK) {
        fp_free(copy);
        return fp_cli_nomem();
    }
    s->sections[s->n_sections++] = copy;
    return 0;
}

/*
 * Adds one run of an input to the report, with the notes on a Chrome trace's ignored events. A
 * section starts with the input's first run and whenever the section name (the run's scenario,
 * else its file) changes; a name an earlier input already used is told apart by the run's file
 * ("bottlenecked (b/run-0.profile.json)").
 */
static int on_run(void *ctx, fp_profile *prof, const fp_input_run *run)
{
    an_state *s = ctx;
    if (run->kind == FP_INPUT_CHROME) {
        if (run->trace.ignored > 0)
            fprintf(stderr, "fpsim: %s: note: ignored %zu of %zu events (phases %s)\n", run->file,
                    run->trace.ignored, run->trace.events, run->trace.ignored_phases);
        if (run->trace.unclosed > 0)
            fprintf(stderr, "fpsim: %s: note: %zu B events have no E; they end with the trace\n",
                    run->file, run->trace.unclosed);
    }
    fp_meta m = fp_profile_meta(prof);
    const char *name = m.scenario[0] != '\0' ? m.scenario : run->file;
    if (s->first || strcmp(s->prev, name) != 0) {
        char label[2 * FP_ERROR_FILE_MAX + 4];
        snprintf(label, sizeof(label), "%s", name);
        if (section_used(s, name, 1) && strcmp(name, run->file) != 0)
            snprintf(label, sizeof(label), "%s (%s)", name, run->file);
        int rc;
        if (!section_used(s, name, 0) && (rc = remember_section(s, name)) != 0)
            return rc;
        fp_error err = FP_ERROR_INIT;
        if (fp_report_begin_scenario(s->rep, label, m.seed, m.rng, m.gsl_version, &err) != FP_OK)
            return fp_cli_report_error(&err);
    }
    s->first = 0;
    snprintf(s->prev, sizeof(s->prev), "%s", name);
    return fp_cli_report_run_baseline(s->rep, prof, &s->o->th, s->o->bl, s->o->c.fail_on, run->file,
                                      &s->gate);
}

/* The CI summary of the report, with the --fail-on gate's outcome. */
static fp_status write_summary(void *ctx, FILE *f, fp_error *err)
{
    const an_state *s = ctx;
    return fp_report_write_summary(s->rep, f, s->o->c.fail_on < 0 ? NULL : s->gate.why, err);
}

int fp_cmd_analyze(int argc, char **argv)
{
    an_opts o;
    fp_cli_common_init(&o.c);
    fp_thresholds_init(&o.th);
    o.bl = NULL;
    fp_cli_thresholds file_th = {NULL, NULL, 0};
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    an_state s;
    memset(&s, 0, sizeof(s));
    s.o = &o;
    fp_profile *prof = NULL;
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if ((o.c.thresholds != NULL && (rc = fp_cli_load_thresholds(o.c.thresholds, &file_th)) != 0) ||
        (rc = fp_cli_thresholds_for(&o.c, NULL, &file_th, &o.th)) != 0 ||
        (rc = fp_cli_baseline_for(&o.c, "none", NULL, 0, &o.th, &o.bl)) != 0)
        goto done;
    /* The output is opened first (temp file; nothing is renamed into place on error) so that
     * colour can follow the destination, as in the default command. */
    if ((rc = fp_cli_report_open(&o.c, &out, &s.rep)) != 0)
        goto done;
    if ((prof = fp_profile_new()) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    for (size_t i = 0; i < o.c.n_args; i++) {
        s.first = 1;
        s.first_section = s.n_sections;
        if ((rc = fp_cli_read_input(o.c.args[i], prof, on_run, &s)) != 0)
            goto done;
    }
    fp_error err = FP_ERROR_INIT;
    rc = fp_cli_out_finish(&out, fp_report_write(s.rep, out.f, &err), &err, s.gate.fired);
    fp_cli_gate_print(&s.gate);
    if (rc == 0 || rc == FP_EXIT_FINDINGS) {
        int src = fp_cli_write_summary(o.c.summary, write_summary, &s);
        rc = src != 0 ? src : rc;
    }
done:
    fp_cli_out_abort(&out); /* no-op once committed */
    fp_report_free(s.rep);
    fp_profile_free(prof);
    for (size_t i = 0; i < s.n_sections; i++)
        fp_free(s.sections[i]);
    fp_free(s.sections);
    fp_cli_free_thresholds(&file_th);
    fp_baseline_free(o.bl);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
