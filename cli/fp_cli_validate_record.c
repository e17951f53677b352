/*
 * fp_cli_validate_record.c - `fpsim validate --record [options] -- COMMAND [ARGS...]`: the
 * real-process counterpart of validate (docs/validation.md "Real processes"). Each run index
 * records COMMAND twice under the recorder (record/fp_record.h): once with one problem drawn
 * from the seed planted, once clean. The plan goes to the program in the environment, the
 * program writes its ground truth as an fpsim manifest to the path fpsim gives, and each
 * recording is analysed, matched against its truth (validate/fp_match.h) and accumulated by the
 * validation engine (fp_validate_engine_add_recorded), whose report writers print it as validate
 * does.
 */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>

#include "fp_cli.h"
#include "fp_match.h"
#include "fp_record.h"
#include "fp_validate.h"

static const char *const s_help =
    "Usage: fpsim validate --record [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Records COMMAND (as 'fpsim record' does) twice per run index: once with one problem\n"
    "drawn from the seed planted, once clean. The plan is passed in the environment:\n"
    "  FPSIM_PLANT     the kind to plant (slow_method, memory_leak, ...; empty: none)\n"
    "  FPSIM_TRUTH     where COMMAND writes its ground truth (an fpsim manifest, times in\n"
    "                  seconds on CLOCK_MONOTONIC)\n"
    "  FPSIM_SCENARIO, FPSIM_SEED, FPSIM_RUN   the manifest's scenario, seed and run_index\n"
    "Each recording is analysed and its findings matched against the truth; prints\n"
    "precision, recall and F1 with 95 % Wilson intervals per kind and overall, as validate.\n"
    "The contract is in docs/validation.md (\"Real processes\").\n"
    "\n"
    "Options:\n"
    "      --record          required: validate recorded runs of COMMAND\n"
    "  -n, --runs N          run indices (default 10); each recorded planted and clean\n"
    "      --seed N          seed of the draws (default 42)\n"
    "      --plant LIST      kinds to draw from, comma-separated (default: slow_method,\n"
    "                        memory_leak,cpu_saturation,call_storm,io_heavy)\n"
    "      --name NAME       scenario name (default: COMMAND's name)\n"
    "      --thresholds FILE analysis thresholds (as for analyze)\n"
    "      --set KEY=VALUE   set an analysis threshold (repeatable; 'fpsim thresholds')\n"
    "  -f, --format FMT      text, json, markdown (md), csv, html or openmetrics (default\n"
    "                        text)\n"
    "  -o, --output FILE     write atomically to FILE (default standard output)\n"
    "      --fail-below F1   exit 1 when the overall F1 is below F1 (CI gate)\n"
    "      --summary FILE    append a Markdown summary for CI pages to FILE\n"
    "  -q, --quiet           no line per recording on standard error\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 --fail-below triggered, 64 usage, 65 bad data (COMMAND failed,\n"
    "wrote no or a bad manifest), 70 internal or out of memory, 73 cannot create output,\n"
    "74 write error, 126/127 COMMAND cannot be run / not found, 130/143 interrupted.\n";

/* The environment of the contract (docs/validation.md "Real processes"). */
#define ENV_PLANT "FPSIM_PLANT"
#define ENV_TRUTH "FPSIM_TRUTH"
#define ENV_SCENARIO "FPSIM_SCENARIO"
#define ENV_SEED "FPSIM_SEED"
#define ENV_RUN "FPSIM_RUN"

static const char s_default_plant[] = "slow_method,memory_leak,cpu_saturation,call_storm,io_heavy";

enum { OPT_RECORD, OPT_PLANT, OPT_NAME, OPT_FAIL, OPT_QUIET };

typedef struct vr_opts {
    fp_cli_common c;
    fp_kind plant[FP_KIND_COUNT];
    size_t n_plant;
    const char *name;
    double fail_below; /* < 0: off */
    int quiet;
} vr_opts;

static int parse_plant(vr_opts *o, const char *s)
{
    char buf[512];
    if (strlen(s) >= sizeof buf)
        return fp_cli_usage("--plant: list too long");
    snprintf(buf, sizeof buf, "%s", s);
    o->n_plant = 0;
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        fp_kind k;
        if (fp_kind_from_name(tok, &k) != FP_OK)
            return fp_cli_usage("--plant: unknown bottleneck kind '%s'", tok);
        for (size_t i = 0; i < o->n_plant; i++)
            if (o->plant[i] == k)
                return fp_cli_usage("--plant: kind '%s' given twice", tok);
        o->plant[o->n_plant++] = k;
    }
    return o->n_plant > 0 ? 0 : fp_cli_usage("--plant needs at least one kind");
}

static int on_option(void *ctx, int id, char *arg)
{
    vr_opts *o = ctx;
    switch (id) {
    case OPT_RECORD:
        return 0;
    case OPT_PLANT:
        return parse_plant(o, arg);
    case OPT_NAME:
        o->name = arg;
        return 0;
    case OPT_FAIL:
        if (fp_cli_parse_double(arg, &o->fail_below) != 0 || o->fail_below < 0 || o->fail_below > 1)
            return fp_cli_usage("--fail-below must be a number in [0, 1], got '%s'", arg);
        return 0;
    case OPT_QUIET:
        o->quiet = 1;
        return 0;
    }
    return FP_EXIT_SOFTWARE; /* not reached */
}

/* Forwards a SIGINT/SIGTERM to the command once, and keeps it pending for fpsim itself. */
static atomic_int s_forwarded;

static int take_signal(void *ctx)
{
    (void)ctx;
    int sig = atomic_load(&fp_cli_signal);
    if (sig == 0 || atomic_exchange(&s_forwarded, 1) != 0)
        return 0;
    return sig;
}

/* Reads a whole file; NULL with errno set when it cannot. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t nc = cap ? 2 * cap : 8192;
            char *nb = realloc(buf, nc);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/*
 * The program's manifest, made the recording's: start_s and end_s from CLOCK_MONOTONIC seconds
 * to seconds from the recording's start t0_s (never below 0), and each record's source set to its
 * kind's index in the plant list (the sources of the report). Returns a new text (cJSON_free) or
 * NULL (not JSON: the manifest reader then says why on the original text).
 */
static char *to_recording_clock(const char *text, size_t len, double t0_s, const vr_opts *o)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (root == NULL)
        return NULL;
    cJSON *inj = cJSON_GetObjectItemCaseSensitive(root, "injected");
    if (!cJSON_IsArray(inj))
        inj = NULL;
    cJSON *rec;
    cJSON_ArrayForEach(rec, inj)
    {
        static const char *const keys[] = {"start_s", "end_s"};
        for (size_t k = 0; k < 2; k++) {
            cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, keys[k]);
            if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
                cJSON_SetNumberValue(v, fmax(0.0, v->valuedouble - t0_s));
        }
        cJSON *kind = cJSON_GetObjectItemCaseSensitive(rec, "kind");
        cJSON *src = cJSON_GetObjectItemCaseSensitive(rec, "source");
        fp_kind k;
        if (cJSON_IsString(kind) && cJSON_IsNumber(src) &&
            fp_kind_from_name(kind->valuestring, &k) == FP_OK)
            for (size_t i = 0; i < o->n_plant; i++)
                if (o->plant[i] == k)
                    cJSON_SetNumberValue(src, (double)i);
    }
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return out;
}

/* State shared by the recordings. */
typedef struct vr_state {
    const vr_opts *o;
    char **cmd;
    const char *name;
    const fp_thresholds *th;
    char truth_path[4096];
    fp_profile *prof;
    fp_validate_source sources[FP_KIND_COUNT];
} vr_state;

static int setenv_u64(const char *key, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return setenv(key, buf, 1);
}

/*
 * One recording of run index `run`, planting `plant` (NULL: clean), into *rec. Returns 0, or
 * prints the error and returns the exit status.
 */
static int record_one(vr_state *s, uint64_t run, const fp_kind *plant, fp_validate_run *rec)
{
    const vr_opts *o = s->o;
    const char *what = plant != NULL ? fp_kind_name(*plant) : "clean";
    fp_error err = FP_ERROR_INIT;
    unlink(s->truth_path);
    if (setenv(ENV_PLANT, plant != NULL ? fp_kind_name(*plant) : "", 1) != 0 ||
        setenv(ENV_TRUTH, s->truth_path, 1) != 0 || setenv(ENV_SCENARIO, s->name, 1) != 0 ||
        setenv_u64(ENV_SEED, o->c.seed) != 0 || setenv_u64(ENV_RUN, run) != 0)
        return fp_cli_nomem();
    fp_record_options ro = FP_RECORD_OPTIONS_INIT;
    ro.take_signal = take_signal;
    atomic_store(&s_forwarded, 0);
    fp_record *r = NULL;
    fp_status st = fp_record_run(&r, s->cmd, &ro, &err);
    int rc = 0;
    char *text = NULL, *shifted = NULL;
    fp_analysis *a = NULL;
    fp_match_result m;
    fp_match_result_init(&m);
    if (st != FP_OK) {
        rc = fp_cli_report_error(&err);
        if (r != NULL) /* the command could not be run: its shell-like status */
            rc = fp_record_summary_get(r)->exit_status;
        goto out;
    }
    if (fp_cli_signal != 0) {
        fp_cli_errorf("interrupted");
        rc = fp_cli_signal_exit();
        goto out;
    }
    const fp_record_summary *sum = fp_record_summary_get(r);
    if (sum->exit_status != 0) {
        fp_cli_errorf("validate --record: run %llu (%s): '%s' exited with status %d",
                      (unsigned long long)run, what, s->cmd[0], sum->exit_status);
        rc = FP_EXIT_DATA;
        goto out;
    }
    if ((st = fp_record_profile(r, s->name, s->prof, &err)) != FP_OK ||
        (st = fp_profile_set_meta(s->prof, s->name, o->c.seed, run, "", "", "record", 0)) !=
            FP_OK) {
        rc = st == FP_ENOMEM ? fp_cli_nomem() : fp_cli_report_error(&err);
        goto out;
    }
    size_t len = 0;
    if ((text = slurp(s->truth_path, &len)) == NULL) {
        fp_cli_errorf("validate --record: run %llu (%s): '%s' wrote no ground truth to %s "
                      "(%s; docs/validation.md \"Real processes\")",
                      (unsigned long long)run, what, s->cmd[0], s->truth_path, strerror(errno));
        rc = FP_EXIT_DATA;
        goto out;
    }
    shifted = to_recording_clock(text, len, sum->t0_s, o);
    const char *mt = shifted != NULL ? shifted : text;
    if ((st = fp_manifest_read_truth(s->prof, mt, strlen(mt), s->truth_path, &err)) != FP_OK ||
        (st = fp_analyze(&a, s->prof, s->th, &err)) != FP_OK ||
        (st = fp_match_run(&m, s->prof, a, NULL, &err)) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto out;
    }
    fp_validate_run_record(rec, run, s->prof, a, &m);
    /* the sources: each planted kind's target, as first seen */
    const fp_truth *t = fp_profile_truth(s->prof);
    for (size_t i = 0; i < fp_profile_truth_count(s->prof); i++) {
        fp_validate_source *src = t[i].source < o->n_plant ? &s->sources[t[i].source] : NULL;
        if (src == NULL || strcmp(src->target, "?") != 0)
            continue;
        snprintf(src->target, sizeof src->target, "%s",
                 t[i].target == FP_TARGET_PROCESS
                     ? "process"
                     : fp_profile_method_name(s->prof, (size_t)t[i].target));
    }
    if (!o->quiet)
        fprintf(stderr,
                "fpsim: validate --record: run %llu (%s): %.2f s, %u findings, %zu found, "
                "%zu missed, %zu false alarms\n",
                (unsigned long long)run, what, sum->wall_s, rec->n_findings, m.found, m.missed,
                m.false_alarms);
out:
    fp_match_result_cleanup(&m);
    fp_analysis_free(a);
    cJSON_free(shifted);
    free(text);
    fp_record_free(r);
    unlink(s->truth_path);
    return rc;
}

int fp_cli_validate_record_main(int argc, char **argv)
{
    static const fp_cli_option own[] = {
        {"record", 0, 0, OPT_RECORD},   {"plant", 0, 1, OPT_PLANT},   {"name", 0, 1, OPT_NAME},
        {"fail-below", 0, 1, OPT_FAIL}, {"quiet", 'q', 0, OPT_QUIET}, {NULL, 0, 0, 0}};
    vr_opts o;
    memset(&o, 0, sizeof o);
    fp_cli_common_init(&o.c);
    o.c.runs = 10;
    o.c.seed = 42;
    o.fail_below = -1;
    fp_cli_thresholds file_th = {NULL, NULL, 0};
    fp_thresholds th;
    fp_cli_out out;
    memset(&out, 0, sizeof out);
    fp_validate_engine *eng = NULL;
    fp_validate_run *runs = NULL;
    gsl_rng *rng = NULL;
    fp_cli_gate gate = FP_CLI_GATE_INIT;
    fp_error err = FP_ERROR_INIT;
    vr_state s;
    memset(&s, 0, sizeof s);
    char dir[4096] = "";
    int rc;

    /* The command starts after the first "--", as for record. */
    int split = 1;
    while (split < argc && strcmp(argv[split], "--") != 0)
        split++;
    const fp_cli_spec spec = {s_help,
                              FP_CLI_O_RUNS | FP_CLI_O_SEED | FP_CLI_O_RNG | FP_CLI_O_FORMAT |
                                  FP_CLI_O_OUTPUT | FP_CLI_O_THRESHOLDS | FP_CLI_O_SET |
                                  FP_CLI_O_SUMMARY,
                              10000,
                              own,
                              on_option,
                              NULL,
                              0,
                              &o};
    rc = fp_cli_parse(&o.c, &spec, split, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (split + 1 >= argc) {
        rc = fp_cli_usage("validate --record needs a command after '--' (fpsim validate "
                          "--record -- COMMAND ...)");
        goto done;
    }
    if (o.n_plant == 0 && (rc = parse_plant(&o, s_default_plant)) != 0)
        goto done;
    s.o = &o;
    s.cmd = argv + split + 1;
    s.name = o.name;
    if (s.name == NULL) {
        const char *slash = strrchr(s.cmd[0], '/');
        s.name = slash != NULL ? slash + 1 : s.cmd[0];
    }
    if ((o.c.thresholds != NULL && (rc = fp_cli_load_thresholds(o.c.thresholds, &file_th)) != 0) ||
        (rc = fp_cli_thresholds_for(&o.c, NULL, &file_th, &th)) != 0)
        goto done;
    s.th = &th;
    if ((rc = fp_cli_out_open(&out, o.c.output)) != 0)
        goto done;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fpsim-validate-record.XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fp_cli_errorf("validate --record: cannot create a directory %s: %s", dir, strerror(errno));
        dir[0] = '\0';
        rc = FP_EXIT_CANTCREAT;
        goto done;
    }
    snprintf(s.truth_path, sizeof s.truth_path, "%s/truth.json", dir);
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    cfg.runs = o.c.runs;
    cfg.ttd = 0;
    cfg.rng = o.c.rng;
    if ((runs = calloc(2 * o.c.runs, sizeof *runs)) == NULL ||
        (rng = gsl_rng_alloc(o.c.rng != NULL ? o.c.rng : gsl_rng_mt19937)) == NULL ||
        (s.prof = fp_profile_new()) == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    if (fp_validate_engine_new(&eng, &cfg, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    for (size_t i = 0; i < o.n_plant; i++) {
        s.sources[i].kind = (int)o.plant[i];
        snprintf(s.sources[i].target, sizeof s.sources[i].target, "?");
    }
    gsl_rng_set(rng, (unsigned long)o.c.seed);
    /* each run index: the drawn problem planted, then clean (validate's --inject both) */
    for (uint64_t i = 0; i < o.c.runs; i++) {
        fp_kind k = o.plant[gsl_rng_uniform_int(rng, (unsigned long)o.n_plant)];
        if ((rc = record_one(&s, i, &k, &runs[2 * i])) != 0 ||
            (rc = record_one(&s, i, NULL, &runs[2 * i + 1])) != 0)
            goto done;
    }
    if (fp_validate_engine_add_recorded(eng, s.name, o.c.seed, s.sources, o.n_plant, runs,
                                        2 * o.c.runs, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    fp_status st = fp_report_write_validate(out.f, o.c.report_format, eng, &err);
    if (st == FP_OK)
        fp_cli_validate_gate(&gate, eng, o.fail_below);
    rc = fp_cli_out_finish(&out, st, &err, gate.fired);
    fp_cli_gate_print(&gate);
    if (rc == 0 || rc == FP_EXIT_FINDINGS) {
        fp_cli_vsummary vs = {eng, o.fail_below >= 0 ? gate.why : NULL};
        int src = fp_cli_write_summary(o.c.summary, fp_cli_validate_summary, &vs);
        rc = src != 0 ? src : rc;
    }
done:
    if (s.truth_path[0] != '\0')
        unlink(s.truth_path);
    if (dir[0] != '\0')
        rmdir(dir);
    fp_cli_out_abort(&out);
    fp_validate_engine_free(eng);
    fp_profile_free(s.prof);
    if (rng != NULL)
        gsl_rng_free(rng);
    free(runs);
    fp_cli_free_thresholds(&file_th);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
