/*
 * fp_cli_generate.c - `fpsim generate`: simulated runs written as fixture files in every format
 * other tools read (profile JSON, ground-truth manifest, series CSV, folded stacks, Chrome trace,
 * speedscope), plus an index.json describing them. Layout: DIR/<scenario>/run-<k>.<ext>
 * (docs/output-formats.md). Every file is written atomically and depends only on the scenario,
 * seed, generator and fpsim/GSL versions, so repeated invocations are byte-identical.
 *
 * All or nothing (docs/reliability.md): a DIR that does not exist is built as a temporary
 * directory beside it (.DIR.fpsim-XXXXXX) and renamed into place at the end, or removed on any
 * failure or signal; into an existing DIR every file is replaced atomically, index.json last,
 * under an exclusive flock() on DIR itself, so a second concurrent run fails clearly (73).
 */
#if !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* nftw's FTW_DEPTH | FTW_PHYS */
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_version.h>

#include "fp_cli.h"
#include "fp_cli_shard.h"
#include "fp_escape.h"
#include "fp_formats.h"
#include "fp_profile.h"

static const char *const s_help =
    "Usage: fpsim generate --scenario NAME|FILE|all --out DIR [options]\n"
    "\n"
    "Simulates runs of each scenario and writes, per run, DIR/<scenario>/run-<k>.<ext>:\n"
    "  profile.json     profile JSON without the ground truth (input of 'fpsim analyze')\n"
    "  truth.json       ground-truth manifest: every injected bottleneck\n"
    "  series.csv       memory, CPU and I/O series\n"
    "  folded           folded stacks (flamegraph.pl, inferno, speedscope), self time in us\n"
    "  trace.json       Chrome Trace Event JSON (Perfetto, chrome://tracing)\n"
    "  speedscope.json  speedscope's evented profile format\n"
    "and DIR/index.json listing the scenarios, seeds, versions and files. All or nothing: a\n"
    "new DIR appears only when complete; in an existing DIR every file is replaced atomically,\n"
    "index.json last, and a second concurrent run into it fails (73).\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME   built-in, 'all', or a scenario file; may be repeated\n"
    "  -n, --runs N          runs per scenario (default 1)\n"
    "      --seed N          batch seed (default: the scenario's seed:, else 42)\n"
    "      --rng NAME        GSL generator (default mt19937)\n"
    "      --out DIR         output directory (required)\n"
    "      --formats LIST    comma-separated subset of profile,truth,csv,folded,chrome,\n"
    "                        speedscope (default all)\n"
    "      --shard K/N       write only the runs k with k mod N = K (0 <= K < N); every shard\n"
    "                        writes the same index.json, so the union of the N shards' DIRs is\n"
    "                        the one-process DIR, byte for byte (docs/validation.md)\n"
    "      --checkpoint FILE note each finished run in FILE: a SIGINT/SIGTERM then keeps the\n"
    "                        runs written so far (a new DIR's temporary directory too) for\n"
    "                        --resume (FILE is removed on success)\n"
    "      --resume          continue the generate a --checkpoint FILE holds (same command\n"
    "                        and options) to the DIR of an uninterrupted run\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad scenario, 66 no input, 70 internal or out of memory,\n"
    "73 cannot create output or DIR locked by another run, 74 write error, 130/143 interrupted.\n";

typedef struct gen_opts {
    fp_cli_common c; /* --scenario, --runs, --seed, --rng */
    const char *out_dir;
    int formats[FP_FORMAT_COUNT];
    const char *checkpoint; /* --checkpoint FILE, or NULL */
    int resume;             /* --resume */
} gen_opts;

static int parse_formats(gen_opts *o, const char *list)
{
    memset(o->formats, 0, sizeof(o->formats));
    const char *c = list;
    int any = 0;
    for (;;) {
        size_t len = strcspn(c, ",");
        char name[32];
        fp_format f;
        if (len == 0 || len >= sizeof(name))
            return fp_cli_usage("--formats: expected a comma-separated list of profile, truth, "
                                "csv, folded, chrome, speedscope, got '%s'",
                                list);
        memcpy(name, c, len);
        name[len] = '\0';
        if (fp_format_from_name(name, &f) != FP_OK)
            return fp_cli_usage("--formats: unknown format '%s' (profile, truth, csv, folded, "
                                "chrome, speedscope)",
                                name);
        if (o->formats[f])
            return fp_cli_usage("--formats: '%s' given twice", name);
        o->formats[f] = 1;
        any = 1;
        c += len;
        if (*c == '\0')
            break;
        c++;
    }
    return any ? 0 : fp_cli_usage("--formats: empty list");
}

enum { OPT_OUT, OPT_FORMATS, OPT_CHECKPOINT, OPT_RESUME };

static int on_option(void *ctx, int id, char *arg)
{
    gen_opts *o = ctx;
    switch (id) {
    case OPT_OUT:
        if (arg[0] == '\0')
            return fp_cli_usage("--out needs a directory");
        o->out_dir = arg;
        return 0;
    case OPT_FORMATS:
        return parse_formats(o, arg);
    case OPT_CHECKPOINT:
        o->checkpoint = arg;
        return 0;
    case OPT_RESUME:
        o->resume = 1;
        return 0;
    }
    return FP_EXIT_SOFTWARE; /* not reached: every id of own[] is handled */
}

static int parse(gen_opts *o, int argc, char **argv)
{
    static const fp_cli_option own[] = {{"out", 0, 1, OPT_OUT},
                                        {"formats", 0, 1, OPT_FORMATS},
                                        {"checkpoint", 0, 1, OPT_CHECKPOINT},
                                        {"resume", 0, 0, OPT_RESUME},
                                        {NULL, 0, 0, 0}};
    const fp_cli_spec spec = {s_help, FP_CMD_GENERATE_OPTS, 0, own, on_option, NULL, 0, o};
    for (int f = 0; f < FP_FORMAT_COUNT; f++)
        o->formats[f] = 1;
    int rc = fp_cli_parse(&o->c, &spec, argc, argv);
    if (rc != 0)
        return rc;
    if (o->c.n_scenarios == 0)
        return fp_cli_usage("generate needs --scenario NAME|FILE|all");
    if (o->out_dir == NULL)
        return fp_cli_usage("generate needs --out DIR");
    if (o->resume && o->checkpoint == NULL)
        return fp_cli_usage("--resume needs the --checkpoint FILE to continue");
    return 0;
}

/* mkdir -p: creates `path` and its missing parents. Prints the error; returns 0 or 73. */
static int make_dirs(const char *path)
{
    char *buf = strdup(path);
    int rc = 0;
    if (buf == NULL) {
        return fp_cli_nomem();
    }
    size_t len = strlen(buf);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char keep = buf[i];
        buf[i] = '\0';
        struct stat sb;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
            fp_cli_errorf("%s: cannot create directory: %s", buf, strerror(errno));
            rc = FP_EXIT_CANTCREAT;
        } else if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            fp_cli_errorf("%s: cannot create directory: %s", buf,
                          errno == 0 || errno == EEXIST ? "exists and is not a directory"
                                                        : strerror(errno));
            rc = FP_EXIT_CANTCREAT;
        }
        buf[i] = keep;
        if (rc != 0)
            break;
    }
    free(buf);
    return rc;
}

/* Directory name of a scenario: [A-Za-z0-9._-] kept, anything else '_', never "." or "..". */
static void dir_name(const char *name, char *out, size_t size)
{
    size_t k = 0;
    for (const char *c = name; *c != '\0' && k + 1 < size; c++) {
        int keep = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                   (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || (*c == '.' && k > 0);
        out[k++] = keep ? *c : '_';
    }
    out[k] = '\0';
    if (k == 0)
        snprintf(out, size, "scenario");
}

static fp_status write_format(fp_format f, const fp_profile *p, FILE *out, fp_error *err)
{
    fp_status st;
    switch (f) {
    case FP_FORMAT_PROFILE:
        st = fp_profile_write_json(p, 0, 0, out, err);
        if (st == FP_OK && putc('\n', out) == EOF)
            st = fp_error_set(err, FP_EIO, "cannot write profile JSON");
        return st;
    case FP_FORMAT_TRUTH:
        return fp_export_manifest(p, out, err);
    case FP_FORMAT_CSV:
        return fp_export_series_csv(p, out, err);
    case FP_FORMAT_FOLDED:
        return fp_export_folded(p, out, err);
    case FP_FORMAT_CHROME:
        return fp_trace_write_chrome(p, out, err);
    case FP_FORMAT_SPEEDSCOPE:
        return fp_export_speedscope(p, out, err);
    case FP_FORMAT_COUNT: /* not a format */
        break;
    }
    return fp_error_set(err, FP_EINTERNAL, "unknown format %d", (int)f);
}

/* Writes one file atomically; returns an exit status (0 ok). */
static int write_file(const char *path, fp_format f, const fp_profile *p)
{
    fp_cli_out out;
    fp_error err = FP_ERROR_INIT;
    int rc = fp_cli_out_open(&out, path);
    if (rc != 0)
        return rc;
    fp_status st = write_format(f, p, out.f, &err);
    if (st != FP_OK && st != FP_EIO) {
        fp_cli_out_abort(&out);
        if (err.file[0] == '\0')
            snprintf(err.file, sizeof(err.file), "%s", path);
        return fp_cli_report_error(&err);
    }
    rc = fp_cli_out_commit(&out);
    if (rc != 0)
        fp_cli_out_abort(&out);
    return rc;
}

/* DIR/index.json: what was generated, with the same names as the files (fp_export_index()). */
static int write_index(const gen_opts *o, const char *root, const fp_cli_scenarios *scns,
                       const char *rng_name)
{
    size_t need = strlen(root) + 16;
    char *path = malloc(need);
    fp_index_scenario *sc = calloc(scns->n > 0 ? scns->n : 1, sizeof(*sc));
    char(*dirs)[256] = calloc(scns->n > 0 ? scns->n : 1, sizeof(*dirs));
    fp_cli_out out;
    int rc;
    if (path == NULL || sc == NULL || dirs == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    for (size_t i = 0; i < scns->n; i++) {
        const fp_scenario *scn = scns->items[i];
        const char *file = fp_scenario_file(scn);
        dir_name(fp_scenario_name(scn), dirs[i], sizeof(dirs[i]));
        sc[i].name = fp_scenario_name(scn);
        sc[i].file = file == NULL || strncmp(file, "<builtin:", 9) == 0 ? NULL : file;
        sc[i].dir = dirs[i];
        sc[i].seed = fp_cli_seed_for(o->c.has_seed, o->c.seed, scn);
    }
    fp_index ix = {GSL_VERSION, rng_name, o->formats, o->c.runs, sc, scns->n};
    snprintf(path, need, "%s/index.json", root);
    if ((rc = fp_cli_out_open(&out, path)) != 0)
        goto done;
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_export_index(&ix, out.f, &err);
    if (st != FP_OK && st != FP_EIO) {
        fp_cli_out_abort(&out);
        rc = fp_cli_report_error(&err);
        goto done;
    }
    rc = fp_cli_out_commit(&out);
    if (rc != 0)
        fp_cli_out_abort(&out);
done:
    free(path);
    free(sc);
    free(dirs);
    return rc;
}

/* Two scenarios with one directory would overwrite each other's runs: 64 (usage) if any do. */
static int check_unique(const fp_cli_scenarios *scns)
{
    for (size_t i = 0; i < scns->n; i++) {
        char a[256], b[256];
        dir_name(fp_scenario_name(scns->items[i]), a, sizeof a);
        for (size_t j = 0; j < i; j++) {
            dir_name(fp_scenario_name(scns->items[j]), b, sizeof b);
            if (strcmp(a, b) == 0)
                return fp_cli_usage("--scenario: '%s' given twice (both would write DIR/%s/)",
                                    fp_scenario_name(scns->items[i]), a);
        }
    }
    return 0;
}

/* Where the runs of the current scenario are written. */
typedef struct gen_ctx {
    const gen_opts *o;
    const char *root; /* where the files go: DIR, or the temporary directory beside it */
    const char *dir;  /* the scenario's directory name */
    char *path;       /* buffer of `cap` bytes */
    size_t cap;
    fp_cli_checkpoint *ck; /* --checkpoint: each finished run is noted as [scenario, run] */
    size_t scn;            /* the scenario's position */
} gen_ctx;

/* Writes one run in every selected format. */
static int on_run(void *ctx, fp_profile *prof, uint64_t run)
{
    gen_ctx *g = ctx;
    int rc = 0;
    for (int k = 0; k < FP_FORMAT_COUNT && rc == 0; k++) {
        if (!g->o->formats[k])
            continue;
        snprintf(g->path, g->cap, "%s/%s/run-%" PRIu64 ".%s", g->root, g->dir, run,
                 fp_format_ext((fp_format)k));
        rc = write_file(g->path, (fp_format)k, prof);
    }
    if (rc == 0 && g->ck != NULL) {
        char line[64];
        fp_error err = FP_ERROR_INIT;
        snprintf(line, sizeof line, "[%zu,%" PRIu64 "]", g->scn, run);
        if (fp_cli_checkpoint_append(g->ck, line, &err) != FP_OK)
            rc = fp_cli_report_error(&err);
    }
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/*
 * Where generate writes: for an existing DIR, DIR itself, locked (*lock_fd); else a new
 * temporary directory beside it (*stage, malloc'd), made after DIR's parents. Prints the error
 * and returns its exit status.
 */
static int begin_output(const char *out_dir, char **stage, int *lock_fd)
{
    struct stat sb;
    *stage = NULL;
    *lock_fd = -1;
    if (stat(out_dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            fp_cli_errorf("%s: cannot create directory: exists and is not a directory", out_dir);
            return FP_EXIT_CANTCREAT;
        }
        /* The lock is on DIR itself (flock on its descriptor): no lock file is left. */
        int fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            fp_cli_errorf("%s: cannot create output: %s", out_dir, strerror(errno));
            return FP_EXIT_CANTCREAT;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            fp_cli_errorf("%s: another 'fpsim generate' is writing this directory", out_dir);
            close(fd);
            return FP_EXIT_CANTCREAT;
        }
        *lock_fd = fd;
        return 0;
    }
    char *copy = strdup(out_dir);
    if (copy == NULL)
        return fp_cli_nomem();
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    int rc = 0;
    if (slash != NULL && slash != copy) {
        *slash = '\0';
        rc = make_dirs(copy);
        *slash = '/';
    }
    size_t need = len + 32;
    char *t = rc == 0 ? malloc(need) : NULL;
    if (rc == 0 && t == NULL)
        rc = fp_cli_nomem();
    if (t != NULL) {
        snprintf(t, need, "%.*s.%s.fpsim-XXXXXX", (int)(base - copy), copy, base);
        if (mkdtemp(t) == NULL) {
            fp_cli_errorf("%s: cannot create directory: %s", out_dir, strerror(errno));
            free(t);
            t = NULL;
            rc = FP_EXIT_CANTCREAT;
        } else {
            mode_t um = umask(0);
            umask(um);
            chmod(t, 0777 & ~um); /* mkdtemp makes 0700: the mode follows the umask */
        }
    }
    free(copy);
    *stage = t;
    return rc;
}

/* Publishes a staged directory (rename into place) when rc is 0, else removes it unless
 * `keep` (an interrupted run with a checkpoint); unlocks. */
static int end_output(const char *out_dir, char *stage, int lock_fd, int rc, int keep)
{
    if (rc == 0 && stage != NULL && (rc = fp_cli_interrupted()) == 0 &&
        rename(stage, out_dir) != 0) {
        fp_cli_errorf("%s: cannot create directory: %s", out_dir,
                      errno == EEXIST || errno == ENOTEMPTY ? "created meanwhile by another run"
                                                            : strerror(errno));
        rc = FP_EXIT_CANTCREAT;
    }
    if (rc != 0 && stage != NULL && !keep)
        nftw(stage, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(stage);
    if (lock_fd >= 0)
        close(lock_fd);
    return rc;
}

/*
 * The checkpoint's first line: ["stage", PATH, DIR] (PATH: the temporary directory of a new
 * DIR; null when DIR existed, whose runs then must be resumed into the same DIR); then [scenario,
 * run] per finished run, in the order they are made. On --resume, reads them: *stage (malloc'd,
 * NULL for null) and where to go on (*scn, *next: the first run not made). 0 or an exit status
 * (printed).
 */
static int read_checkpoint(fp_cli_checkpoint *ck, const char *path, const gen_opts *o,
                           size_t n_scns, char **stage, size_t *scn, uint64_t *next)
{
    fp_error err = FP_ERROR_INIT;
    const char *l;
    unsigned long lineno = 0;
    uint64_t first = o->c.shard_n > 0 ? o->c.shard_k : 0,
             step = o->c.shard_n > 0 ? o->c.shard_n : 1;
    *stage = NULL;
    *scn = 0;
    *next = first;
    if (fp_cli_checkpoint_next(ck, &l, &lineno, &err) != FP_OK)
        return fp_cli_report_error(&err);
    cJSON *a = l != NULL ? cJSON_Parse(l) : NULL;
    const cJSON *tag = cJSON_GetArrayItem(a, 0), *dir = cJSON_GetArrayItem(a, 1),
                *out = cJSON_GetArrayItem(a, 2);
    int ok = cJSON_IsString(tag) && strcmp(tag->valuestring, "stage") == 0 &&
             (cJSON_IsNull(dir) || cJSON_IsString(dir)) && cJSON_IsString(out) &&
             cJSON_GetArraySize(a) == 3;
    if (ok && cJSON_IsNull(dir) && strcmp(out->valuestring, o->out_dir) != 0) {
        fp_cli_errorf("--resume: the runs the checkpoint notes are in '%s', not '%s'",
                      out->valuestring, o->out_dir);
        cJSON_Delete(a);
        return FP_EXIT_USAGE;
    }
    if (ok && cJSON_IsString(dir) && (*stage = strdup(dir->valuestring)) == NULL) {
        cJSON_Delete(a);
        return fp_cli_nomem();
    }
    cJSON_Delete(a);
    if (!ok) {
        fp_cli_errorf("--resume: %s:%lu: not the start of a generate checkpoint", path, lineno);
        return FP_EXIT_DATA;
    }
    for (;;) {
        if (fp_cli_checkpoint_next(ck, &l, &lineno, &err) != FP_OK)
            return fp_cli_report_error(&err);
        if (l == NULL)
            return 0;
        unsigned long long s_got, r_got;
        char tail;
        if (sscanf(l, "[%llu,%llu%c", &s_got, &r_got, &tail) != 3 || tail != ']' || s_got != *scn ||
            r_got != *next || *scn >= n_scns) {
            fp_cli_errorf("--resume: %s:%lu: not run %llu of scenario %zu, which comes next (not "
                          "a checkpoint of this campaign)",
                          path, lineno, (unsigned long long)*next, *scn);
            return FP_EXIT_DATA;
        }
        *next += step;
        if (*next >= o->c.runs) {
            (*scn)++;
            *next = first;
        }
    }
}

int fp_cmd_generate(int argc, char **argv)
{
    gen_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    fp_cli_scenarios scns = {NULL, 0};
    fp_profile *prof = NULL;
    gen_ctx g;
    memset(&g, 0, sizeof g);
    g.o = &o;
    char *stage = NULL;
    int lock_fd = -1, begun = 0;
    uint64_t *seeds = NULL;
    size_t from_scn = 0;
    uint64_t from_run = 0;
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    rc = fp_cli_load_scenarios(&scns, o.c.scenarios, o.c.n_scenarios);
    if (rc != 0 || (rc = check_unique(&scns)) != 0)
        goto done;
    prof = fp_profile_new();
    g.cap = strlen(o.out_dir) + 256 + 96; /* room for the staging name too */
    g.path = malloc(g.cap);
    seeds = calloc(scns.n ? scns.n : 1, sizeof *seeds);
    if (prof == NULL || g.path == NULL || seeds == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    for (size_t i = 0; i < scns.n; i++)
        seeds[i] = fp_cli_seed_for(o.c.has_seed, o.c.seed, scns.items[i]);
    from_run = o.c.shard_n > 0 ? o.c.shard_k : 0;
    if (o.checkpoint != NULL &&
        (rc = fp_cli_checkpoint_open(&g.ck, o.checkpoint, o.resume, "generate", argc, argv, &scns,
                                     seeds)) != 0)
        goto done;
    struct stat sb;
    if (o.resume) {
        if ((rc = read_checkpoint(g.ck, o.checkpoint, &o, scns.n, &stage, &from_scn, &from_run)) !=
            0)
            goto done;
        if (stage != NULL && (stat(stage, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
            fp_cli_errorf("--resume: the runs the checkpoint notes were in '%s', which is gone",
                          stage);
            rc = FP_EXIT_NOINPUT;
            goto done;
        }
        if (stage == NULL && stat(o.out_dir, &sb) != 0) {
            fp_cli_errorf("--resume: the runs the checkpoint notes were in '%s', which is gone",
                          o.out_dir);
            rc = FP_EXIT_NOINPUT;
            goto done;
        }
    }
    begun = 1;
    if (stage == NULL && (rc = begin_output(o.out_dir, &stage, &lock_fd)) != 0)
        goto done;
    if (g.ck != NULL && !o.resume) {
        fp_error err = FP_ERROR_INIT;
        char *q = stage != NULL ? fp_json_quote(stage) : NULL, *qd = fp_json_quote(o.out_dir);
        size_t need = (q != NULL ? strlen(q) : 4) + (qd != NULL ? strlen(qd) : 0) + 16;
        char *line = malloc(need);
        if ((stage != NULL && q == NULL) || qd == NULL || line == NULL) {
            rc = fp_cli_nomem();
        } else {
            snprintf(line, need, "[\"stage\",%s,%s]", q != NULL ? q : "null", qd);
            if (fp_cli_checkpoint_append(g.ck, line, &err) != FP_OK)
                rc = fp_cli_report_error(&err);
        }
        fp_free(q);
        fp_free(qd);
        free(line);
        if (rc != 0)
            goto done;
    }
    g.root = stage != NULL ? stage : o.out_dir;
    for (size_t i = from_scn; i < scns.n; i++) {
        const fp_scenario *scn = scns.items[i];
        char dir[256];
        dir_name(fp_scenario_name(scn), dir, sizeof(dir));
        snprintf(g.path, g.cap, "%s/%s", g.root, dir);
        if ((rc = make_dirs(g.path)) != 0)
            goto done;
        g.dir = dir;
        g.scn = i;
        uint64_t first = i == from_scn ? from_run : o.c.shard_n > 0 ? o.c.shard_k : 0;
        if ((rc = fp_cli_simulate_range(scn, o.c.rng, seeds[i], o.c.runs, first,
                                        o.c.shard_n > 0 ? o.c.shard_n : 1, prof, on_run, &g)) != 0)
            goto done;
    }
    rc = write_index(&o, g.root, &scns, fp_cli_rng_name(o.c.rng));
done:;
    /* interrupted with a checkpoint: the runs made so far stay for --resume */
    int keep = g.ck != NULL && fp_cli_signal != 0;
    int staged = stage != NULL;
    if (begun)
        rc = end_output(o.out_dir, stage, lock_fd, rc, keep);
    else
        free(stage);
    if (keep)
        fp_cli_errorf("%llu runs kept (checkpoint '%s'): continue with --resume",
                      (unsigned long long)(fp_cli_checkpoint_kept(g.ck) - 1), o.checkpoint);
    /* the checkpoint goes once DIR is complete, or when the runs it notes were removed */
    fp_cli_checkpoint_close(g.ck, rc != 0 && (keep || !begun || !staged));
    free(seeds);
    free(g.path);
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
