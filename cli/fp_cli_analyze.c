/*
 * fp_cli_analyze.c - `fpsim analyze FILE...`: the analysis and report of the default command,
 * run on profiles from files instead of simulations. A FILE is anything the input reader
 * (fp_input_open() in profile/fp_formats.h) reads: an fpsim profile JSON (one profile, or a runs
 * document: every run), a Chrome Trace Event JSON as real tracers write it, an `fpsim generate`
 * directory or index.json, or a directory of such files (docs/output-formats.md). Every input is
 * read and checked before anything is written, so a bad file leaves no output.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "fp_analysis.h"
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
    "  -f, --format FMT       text, json, markdown (md) or csv (default text)\n"
    "  -o, --output FILE      write atomically to FILE (default standard output)\n"
    "      --thresholds FILE  analysis thresholds, a YAML mapping 'name: number' (dotted\n"
    "                         names, or one mapping per detector: 'slow_method: {mean_s: 3}')\n"
    "      --fail-on SEV      exit 1 when any finding is at or above SEV\n"
    "                         (low, medium, high, critical)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 1 --fail-on triggered, 64 usage, 65 bad profile or trace data,\n"
    "66 no input, 70 internal, 73 cannot create output, 74 write error, 130/143 interrupted.\n";

typedef struct an_opts {
    char **files;
    size_t n_files;
    fp_report_format format;
    int detailed;
    const char *output;
    const char *thresholds_file;
    int fail_on;
    fp_thresholds th;
} an_opts;

static int parse(an_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {{"detailed", no_argument, NULL, 'd'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"thresholds", required_argument, NULL, 'T'},
                                             {"fail-on", required_argument, NULL, 'F'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":df:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->detailed = 1;
            break;
        case 'f':
            if (fp_report_format_from_name(optarg, &o->format) != FP_OK)
                return fp_cli_usage("--format must be text, json, markdown or csv, got '%s'",
                                    optarg);
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'T':
            o->thresholds_file = optarg;
            break;
        case 'F':
            if (fp_cli_parse_severity(optarg, &o->fail_on) != 0)
                return fp_cli_usage("--fail-on must be low, medium, high or critical, got '%s'",
                                    optarg);
            break;
        case 'h':
            fputs(s_help, stdout);
            return -1;
        case ':':
            return fp_cli_usage("option '%s' needs an argument", argv[optind - 1]);
        default:
            return fp_cli_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    o->files = argv + optind;
    o->n_files = (size_t)(argc - optind);
    if (o->n_files == 0)
        return fp_cli_usage("analyze needs at least one FILE");
    for (size_t i = 0; i < o->n_files && o->output != NULL; i++) {
        if (strcmp(o->files[i], o->output) == 0 && strcmp(o->output, "-") != 0)
            return fp_cli_usage("--output '%s' is also an input", o->output);
    }
    return 0;
}

typedef struct an_state {
    an_opts *o;
    fp_report *rep;
    fp_profile *prof;
    int gate;
    char **sections; /* section names started by earlier inputs (owned) */
    size_t n_sections, cap_sections;
} an_state;

/* Whether an earlier input started a section called `name`. */
static int section_used(const an_state *s, const char *name)
{
    for (size_t i = 0; i < s->n_sections; i++)
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
        fp_cli_errorf("out of memory");
        return FP_EXIT_SOFTWARE;
    }
    s->sections[s->n_sections++] = copy;
    return 0;
}

/* Analyses the profile in s->prof and adds it to the report; `name` starts a section if new. */
static int add_profile(an_state *s, const char *file, const char *name, int new_section)
{
    fp_error err = FP_ERROR_INIT;
    fp_meta m = fp_profile_meta(s->prof);
    if (new_section &&
        fp_report_begin_scenario(s->rep, name, m.seed, m.rng, m.gsl_version, &err) != FP_OK)
        return fp_cli_report_error(&err);
    fp_analysis *a = NULL;
    if (fp_analyze(&a, s->prof, &s->o->th, &err) != FP_OK) {
        if (err.file[0] == '\0')
            snprintf(err.file, sizeof(err.file), "%s", file);
        return fp_cli_report_error(&err);
    }
    size_t nf;
    const fp_finding *f = fp_analysis_findings(a, &nf);
    for (size_t k = 0; k < nf && s->o->fail_on >= 0; k++)
        s->gate |= (int)f[k].severity >= s->o->fail_on;
    fp_status st = fp_report_add_run(s->rep, s->prof, a, &err);
    fp_analysis_free(a);
    return st != FP_OK ? fp_cli_report_error(&err) : 0;
}

/*
 * Analyses every run of input `path` (fp_input_open(): profile, runs document, Chrome trace,
 * V8 .cpuprofile, speedscope, folded stacks, generate directory or index, directory of inputs).
 * A section starts with the input's first run and whenever the section name (the run's
 * scenario, else its file) changes; a name an earlier input already used is told apart by the
 * run's file ("bottlenecked (b/run-0.profile.json)").
 */
static int analyze_input(an_state *s, const char *path)
{
    fp_error err = FP_ERROR_INIT;
    fp_input *in = NULL;
    fp_input_run run;
    char prev[FP_ERROR_FILE_MAX] = "", label[2 * FP_ERROR_FILE_MAX + 4];
    size_t first_section = s->n_sections;
    int rc = 0, got = 0;
    if (fp_input_open(&in, path, &err) != FP_OK)
        return fp_cli_report_input_error(&err);
    for (size_t r = 0;; r++) {
        if (fp_cli_signal) {
            fp_cli_errorf("interrupted");
            rc = fp_cli_signal_exit();
            break;
        }
        if (fp_input_next(in, s->prof, &run, &got, &err) != FP_OK) {
            rc = fp_cli_report_input_error(&err);
            break;
        }
        if (!got)
            break;
        if (run.kind == FP_INPUT_CHROME) {
            if (run.trace.ignored > 0)
                fprintf(stderr, "fpsim: %s: note: ignored %zu of %zu events (phases %s)\n",
                        run.file, run.trace.ignored, run.trace.events, run.trace.ignored_phases);
            if (run.trace.unclosed > 0)
                fprintf(stderr,
                        "fpsim: %s: note: %zu B events have no E; they end with the trace\n",
                        run.file, run.trace.unclosed);
        }
        const char *scn = fp_profile_meta(s->prof).scenario;
        const char *name = scn[0] != '\0' ? scn : run.file;
        int new_section = r == 0 || strcmp(prev, name) != 0;
        snprintf(prev, sizeof(prev), "%s", name);
        snprintf(label, sizeof(label), "%s", name);
        if (new_section) {
            int clash = 0;
            for (size_t i = 0; i < first_section; i++)
                clash |= strcmp(s->sections[i], name) == 0;
            if (clash && strcmp(name, run.file) != 0)
                snprintf(label, sizeof(label), "%s (%s)", name, run.file);
            if (!section_used(s, name) && (rc = remember_section(s, name)) != 0)
                break;
        }
        if ((rc = add_profile(s, run.file, label, new_section)) != 0)
            break;
    }
    fp_input_close(in);
    return rc;
}

int fp_cmd_analyze(int argc, char **argv)
{
    an_opts o;
    memset(&o, 0, sizeof(o));
    o.fail_on = -1;
    o.format = FP_REPORT_TEXT;
    fp_thresholds_init(&o.th);
    fp_cli_out out;
    memset(&out, 0, sizeof(out));
    an_state s = {&o, NULL, NULL, 0, NULL, 0, 0};
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    fp_cli_thresholds file_th = {NULL, NULL, 0};
    if (o.thresholds_file != NULL &&
        ((rc = fp_cli_load_thresholds(o.thresholds_file, &file_th)) != 0 ||
         (rc = fp_cli_scenario_thresholds(NULL, &file_th, &o.th)) != 0)) {
        fp_cli_free_thresholds(&file_th);
        goto done;
    }
    fp_cli_free_thresholds(&file_th);
    /* The output is opened first (temp file; nothing is renamed into place on error) so that
     * colour can follow the destination, as in the default command. */
    if ((rc = fp_cli_out_open(&out, o.output)) != 0)
        goto done;
    fp_report_options ro = FP_REPORT_OPTIONS_INIT;
    ro.format = o.format;
    ro.detailed = o.detailed;
    ro.colour = o.format == FP_REPORT_TEXT && fp_cli_use_colour(out.f);
    s.prof = fp_profile_new();
    s.rep = fp_report_new(&ro);
    if (s.prof == NULL || s.rep == NULL) {
        fp_cli_errorf("out of memory");
        rc = FP_EXIT_SOFTWARE;
        goto done;
    }
    for (size_t i = 0; i < o.n_files; i++) {
        if ((rc = analyze_input(&s, o.files[i])) != 0)
            goto done;
    }
    fp_error err = FP_ERROR_INIT;
    if (fp_report_write(s.rep, out.f, &err) != FP_OK && err.status != FP_EIO) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    rc = fp_cli_out_commit(&out);
    if (rc == 0 && s.gate)
        rc = FP_EXIT_FINDINGS;
done:
    if (rc != 0 && rc != FP_EXIT_FINDINGS)
        fp_cli_out_abort(&out);
    fp_report_free(s.rep);
    fp_profile_free(s.prof);
    for (size_t i = 0; i < s.n_sections; i++)
        fp_free(s.sections[i]);
    fp_free(s.sections);
    return rc;
}
