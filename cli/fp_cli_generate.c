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

#include <gsl/gsl_version.h>

#include "fp_cli.h"
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
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad scenario, 66 no input, 70 internal or out of memory,\n"
    "73 cannot create output or DIR locked by another run, 74 write error, 130/143 interrupted.\n";

typedef struct gen_opts {
    fp_cli_common c; /* --scenario, --runs, --seed, --rng */
    const char *out_dir;
    int formats[FP_FORMAT_COUNT];
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

enum { OPT_OUT, OPT_FORMATS };

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
    }
    return FP_EXIT_SOFTWARE; /* not reached: every id of own[] is handled */
}

static int parse(gen_opts *o, int argc, char **argv)
{
    static const fp_cli_option own[] = {
        {"out", 0, 1, OPT_OUT}, {"formats", 0, 1, OPT_FORMATS}, {NULL, 0, 0, 0}};
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

/* Publishes a staged directory (rename into place) when rc is 0, else removes it; unlocks. */
static int end_output(const char *out_dir, char *stage, int lock_fd, int rc)
{
    if (rc == 0 && stage != NULL && (rc = fp_cli_interrupted()) == 0 &&
        rename(stage, out_dir) != 0) {
        fp_cli_errorf("%s: cannot create directory: %s", out_dir,
                      errno == EEXIST || errno == ENOTEMPTY ? "created meanwhile by another run"
                                                            : strerror(errno));
        rc = FP_EXIT_CANTCREAT;
    }
    if (rc != 0 && stage != NULL)
        nftw(stage, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(stage);
    if (lock_fd >= 0)
        close(lock_fd);
    return rc;
}

int fp_cmd_generate(int argc, char **argv)
{
    gen_opts o;
    memset(&o, 0, sizeof(o));
    fp_cli_common_init(&o.c);
    fp_cli_scenarios scns = {NULL, 0};
    fp_profile *prof = NULL;
    gen_ctx g = {&o, NULL, NULL, NULL, 0};
    char *stage = NULL;
    int lock_fd = -1, begun = 0;
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
    if (prof == NULL || g.path == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    rc = begin_output(o.out_dir, &stage, &lock_fd);
    begun = 1;
    if (rc != 0)
        goto done;
    g.root = stage != NULL ? stage : o.out_dir;
    for (size_t i = 0; i < scns.n; i++) {
        const fp_scenario *scn = scns.items[i];
        char dir[256];
        dir_name(fp_scenario_name(scn), dir, sizeof(dir));
        snprintf(g.path, g.cap, "%s/%s", g.root, dir);
        if ((rc = make_dirs(g.path)) != 0)
            goto done;
        g.dir = dir;
        uint64_t seed = fp_cli_seed_for(o.c.has_seed, o.c.seed, scn);
        if ((rc = fp_cli_simulate(scn, o.c.rng, seed, o.c.runs, prof, on_run, &g)) != 0)
            goto done;
    }
    rc = write_index(&o, g.root, &scns, fp_cli_rng_name(o.c.rng));
done:
    if (begun)
        rc = end_output(o.out_dir, stage, lock_fd, rc);
    free(g.path);
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    fp_cli_common_cleanup(&o.c);
    return rc;
}
