/*
 * fp_cli_shard.c - shards of `fpsim validate --shard K/N` and `fpsim merge PARTS...`
 * (cli/fp_cli_shard.h). A partial file is JSON, one record per line so that it is written and
 * read as a stream (schemas/partial.schema.json):
 *
 *   {"header":{...the campaign, "shard":{"k":K,"n":N}},
 *   "records":[
 *   [pass,unit,...]          (fp_validate_run_write)
 *   ,[pass,unit,...]
 *   ],"count":RECORDS}
 */
#include "fp_cli_shard.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_builtin.h"

#define PART_FORMAT "fpsim-partial"
#define PART_SCHEMA_VERSION 1

static const char *const s_merge_help =
    "Usage: fpsim merge PART... [-o FILE] [-f FORMAT]\n"
    "\n"
    "Merges the partial results of 'fpsim validate --shard K/N' or 'fpsim simulate --shard K/N'\n"
    "(K = 0 .. N-1) into the output the one-process run writes, byte for byte. The parts must come "
    "from the same command and\n"
    "options, seed, scenario files (by content hash) and fpsim version, and every shard must be\n"
    "given once. The scenario files must be readable at the paths the shards used.\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT      the command's formats: validate text, json, markdown (md), csv,\n"
    "                        html, openmetrics; simulate text, json (default text)\n"
    "  -o, --output FILE     write atomically to FILE (default standard output)\n"
    "  -h, --help            show this help\n";

/* ---- the campaign: options and scenarios ---- */

/* Whether argv word `a` is one of the options left out of the campaign (they do not change the
 * results); *takes_arg: it takes the next word as its value. Long names may be abbreviated, as
 * getopt_long allows, to 3 letters or more. */
static int left_out(const char *a, int *takes_arg)
{
    static const struct {
        const char *name;
        char short_name;
        int has_arg;
    } s_out[] = {{"shard", 0, 1},
                 {"output", 'o', 1},
                 {"format", 'f', 1},
                 {"jobs", 'j', 1},
                 {"quiet", 'q', 0}};
    *takes_arg = 0;
    for (size_t i = 0; i < sizeof s_out / sizeof s_out[0]; i++) {
        if (a[0] == '-' && a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            if (len >= 3 && strncmp(a + 2, s_out[i].name, len) == 0) {
                *takes_arg = s_out[i].has_arg && eq == NULL;
                return 1;
            }
        } else if (a[0] == '-' && s_out[i].short_name != 0 && a[1] == s_out[i].short_name) {
            *takes_arg = s_out[i].has_arg && a[2] == '\0';
            return 1;
        }
    }
    return 0;
}

/* FNV-1a 64 of the scenario's text (the embedded text of a built-in, else the file's bytes), as
 * 16 hex digits; "" when the file cannot be read. */
static void scenario_hash(const fp_scenario *s, char out[17])
{
    const char *file = fp_scenario_file(s);
    out[0] = '\0';
    if (file == NULL)
        return;
    if (strncmp(file, "<builtin:", 9) == 0) {
        for (size_t i = 0; i < fp_builtin_count; i++) {
            size_t n = strlen(fp_builtins[i].name);
            if (strncmp(file + 9, fp_builtins[i].name, n) == 0 && file[9 + n] == '>')
                snprintf(
                    out, 17, "%016llx",
                    (unsigned long long)fp_hash_bytes(fp_builtins[i].text, fp_builtins[i].len));
        }
        return;
    }
    FILE *f = fopen(file, "rb");
    if (f == NULL)
        return;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            cap = 2 * (len + got);
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, got);
        len += got;
    }
    if (!ferror(f))
        snprintf(out, 17, "%016llx", (unsigned long long)fp_hash_bytes(buf ? buf : "", len));
    free(buf);
    fclose(f);
}

static cJSON *scenarios_json(const fp_cli_scenarios *scns, const uint64_t *seeds)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a != NULL && i < scns->n; i++) {
        char hash[17], seed[24];
        scenario_hash(scns->items[i], hash);
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)seeds[i]);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(a, o);
        cJSON_AddStringToObject(o, "name", fp_scenario_name(scns->items[i]));
        cJSON_AddStringToObject(o, "file", fp_scenario_file(scns->items[i]));
        cJSON_AddStringToObject(o, "hash", hash);
        cJSON_AddStringToObject(o, "seed", seed);
    }
    return a;
}

/* ---- writing a part ---- */

int fp_cli_shard_begin(fp_cli_shard_out *o, FILE *f, const char *command, int argc, char **argv,
                       const fp_cli_scenarios *scns, const uint64_t *seeds, uint64_t k, uint64_t n)
{
    o->f = f;
    o->count = 0;
    cJSON *h = cJSON_CreateObject();
    cJSON *args = cJSON_CreateArray();
    cJSON_AddStringToObject(h, "format", PART_FORMAT);
    cJSON_AddNumberToObject(h, "schema_version", PART_SCHEMA_VERSION);
    cJSON_AddStringToObject(h, "fpsim_version", fp_version());
    cJSON_AddStringToObject(h, "command", command);
    for (int i = 1; i < argc; i++) {
        int takes;
        if (left_out(argv[i], &takes)) {
            i += takes;
            continue;
        }
        cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
    }
    cJSON_AddItemToObject(h, "args", args);
    cJSON_AddItemToObject(h, "scenarios", scenarios_json(scns, seeds));
    cJSON *sh = cJSON_AddObjectToObject(h, "shard");
    cJSON_AddNumberToObject(sh, "k", (double)k);
    cJSON_AddNumberToObject(sh, "n", (double)n);
    char *text = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    if (text == NULL)
        return fp_cli_nomem();
    fprintf(f, "{\"header\":%s,\n\"records\":[\n", text);
    free(text);
    return 0;
}

fp_status fp_cli_shard_sink(void *ctx, uint64_t pass, const fp_validate_run *r, fp_error *err)
{
    fp_cli_shard_out *o = ctx;
    if (o->count++ > 0)
        fputc(',', o->f);
    fp_status st = fp_validate_run_write(o->f, pass, r, err);
    fputc('\n', o->f);
    return st;
}

fp_status fp_cli_shard_end(fp_cli_shard_out *o, fp_error *err)
{
    fprintf(o->f, "],\"count\":%llu}\n", (unsigned long long)o->count);
    return ferror(o->f) ? fp_error_set(err, FP_EIO, "write error") : FP_OK;
}

/* ---- reading the parts ---- */

typedef struct part {
    const char *path;
    FILE *f;
    char *line;
    size_t cap;
    unsigned long lineno;
    uint64_t k, read;
    cJSON *header;
} part;

struct fp_cli_merge {
    part *parts; /* indexed by K once checked */
    size_t n;
    const cJSON *header; /* parts[0]'s */
};

/* Reads the next line of `p` (without its newline); NULL at the end of the file. */
static char *next_line(part *p)
{
    ssize_t got = getline(&p->line, &p->cap, p->f);
    if (got < 0)
        return NULL;
    p->lineno++;
    if (got > 0 && p->line[got - 1] == '\n')
        p->line[got - 1] = '\0';
    return p->line;
}

static int open_part(part *p, const char *path)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    p->f = fopen(path, "rb");
    if (p->f == NULL) {
        fp_cli_errorf("merge: cannot open '%s'", path);
        return FP_EXIT_NOINPUT;
    }
    char *l = next_line(p);
    size_t len = l ? strlen(l) : 0;
    const char *pre = "{\"header\":";
    if (l != NULL && len > strlen(pre) + 1 && strncmp(l, pre, strlen(pre)) == 0 &&
        l[len - 1] == ',') {
        l[len - 1] = '\0';
        p->header = cJSON_Parse(l + strlen(pre));
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(p->header, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(p->header, "schema_version");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(p->header, "shard");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(sh, "k");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(sh, "n");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, PART_FORMAT) != 0 || !cJSON_IsNumber(k) ||
        !cJSON_IsNumber(n) || !(n->valuedouble >= 1) || !(k->valuedouble >= 0) ||
        k->valuedouble >= n->valuedouble) {
        fp_cli_errorf("merge: '%s' is not a partial result of 'fpsim validate --shard'", path);
        return FP_EXIT_DATA;
    }
    if (!cJSON_IsNumber(ver) || ver->valueint != PART_SCHEMA_VERSION) {
        fp_cli_errorf("merge: '%s' has partial-result schema version %d, this fpsim reads %d", path,
                      cJSON_IsNumber(ver) ? ver->valueint : -1, PART_SCHEMA_VERSION);
        return FP_EXIT_DATA;
    }
    p->k = (uint64_t)k->valuedouble;
    if (next_line(p) == NULL || strcmp(p->line, "\"records\":[") != 0) {
        fp_cli_errorf("merge: '%s' is not a partial result of 'fpsim validate --shard'", path);
        return FP_EXIT_DATA;
    }
    return 0;
}

/* The header of `p` without its shard, printed, for comparing campaigns. */
static int same_item(const part *a, const part *b, const char *key)
{
    return cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a->header, key),
                         cJSON_GetObjectItemCaseSensitive(b->header, key), 1);
}

static uint64_t shard_n(const part *p)
{
    return (uint64_t)cJSON_GetObjectItemCaseSensitive(
               cJSON_GetObjectItemCaseSensitive(p->header, "shard"), "n")
        ->valuedouble;
}

/* Checks the parts belong together; orders them by K. 0 or an exit status (printed). */
static int check_parts(fp_cli_merge *m)
{
    part *p = m->parts;
    uint64_t n = shard_n(&p[0]);
    static const struct {
        const char *key, *what;
    } s_keys[] = {{"fpsim_version", "another fpsim version"},
                  {"command", "another command"},
                  {"args", "other options"},
                  {"scenarios", "other scenarios (files, content or seeds)"}};
    for (size_t i = 1; i < m->n; i++) {
        for (size_t j = 0; j < sizeof s_keys / sizeof s_keys[0]; j++) {
            if (!same_item(&p[0], &p[i], s_keys[j].key)) {
                fp_cli_errorf("merge: '%s' is not from the campaign of '%s': %s", p[i].path,
                              p[0].path, s_keys[j].what);
                return FP_EXIT_DATA;
            }
        }
        if (shard_n(&p[i]) != n) {
            fp_cli_errorf("merge: '%s' is shard %llu/%llu, '%s' is of %llu shards", p[i].path,
                          (unsigned long long)p[i].k, (unsigned long long)shard_n(&p[i]), p[0].path,
                          (unsigned long long)n);
            return FP_EXIT_DATA;
        }
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(p[0].header, "fpsim_version");
    if (!cJSON_IsString(ver) || strcmp(ver->valuestring, fp_version()) != 0) {
        fp_cli_errorf("merge: the parts were written by fpsim %s, this is fpsim %s",
                      cJSON_IsString(ver) ? ver->valuestring : "?", fp_version());
        return FP_EXIT_DATA;
    }
    /* Every shard once, ordered by K. */
    part *by_k = calloc(n, sizeof *by_k);
    if (by_k == NULL)
        return fp_cli_nomem();
    for (size_t i = 0; i < m->n; i++) {
        if (by_k[p[i].k].path != NULL) {
            fp_cli_errorf("merge: shard %llu/%llu given twice ('%s' and '%s')",
                          (unsigned long long)p[i].k, (unsigned long long)n, by_k[p[i].k].path,
                          p[i].path);
            free(by_k);
            return FP_EXIT_DATA;
        }
        by_k[p[i].k] = p[i];
    }
    for (uint64_t k = 0; k < n; k++) {
        if (by_k[k].path == NULL) {
            fp_cli_errorf("merge: shard %llu/%llu is missing", (unsigned long long)k,
                          (unsigned long long)n);
            free(by_k);
            return FP_EXIT_DATA;
        }
    }
    free(m->parts);
    m->parts = by_k;
    m->header = by_k[0].header;
    return 0;
}

int fp_cli_merge_check(const fp_cli_merge *m, const fp_cli_scenarios *scns, const uint64_t *seeds)
{
    cJSON *now = scenarios_json(scns, seeds);
    const cJSON *then = cJSON_GetObjectItemCaseSensitive(m->header, "scenarios");
    int same = now != NULL && cJSON_Compare(now, then, 1);
    cJSON_Delete(now);
    if (!same) {
        fp_cli_errorf("merge: the scenario files differ from those the shards ran (content hash)");
        return FP_EXIT_DATA;
    }
    return 0;
}

const char *fp_cli_merge_line(fp_cli_merge *m, uint64_t run, fp_error *err)
{
    part *p = &m->parts[run % m->n];
    char *l = next_line(p);
    if (l == NULL || l[0] == ']') {
        fp_error_set(err, FP_EPARSE,
                     "merge: '%s' ends before run %llu (truncated, or another campaign)", p->path,
                     (unsigned long long)run);
        return NULL;
    }
    p->read++;
    return l[0] == ',' ? l + 1 : l;
}

/* Where the last line given by fp_cli_merge_line for `run` came from. */
static const part *line_part(const fp_cli_merge *m, uint64_t run)
{
    return &m->parts[run % m->n];
}

fp_status fp_cli_merge_source(void *ctx, uint64_t pass, uint64_t unit, uint64_t run,
                              fp_validate_run *r, fp_error *err)
{
    fp_cli_merge *m = ctx;
    const char *l = fp_cli_merge_line(m, run, err);
    if (l == NULL)
        return err->status;
    const part *p = line_part(m, run);
    uint64_t got_pass;
    fp_status st = fp_validate_run_parse(l, &got_pass, r, err);
    if (st != FP_OK)
        return fp_error_set(err, st, "merge: %s:%lu: %s", p->path, p->lineno, err->msg);
    if (got_pass != pass || r->run_index != unit)
        return fp_error_set(err, FP_EPARSE,
                            "merge: %s:%lu: record of pass %llu unit %llu where pass %llu unit "
                            "%llu belongs",
                            p->path, p->lineno, (unsigned long long)got_pass,
                            (unsigned long long)r->run_index, (unsigned long long)pass,
                            (unsigned long long)unit);
    return FP_OK;
}

fp_status fp_cli_merge_finish(fp_cli_merge *m, fp_error *err)
{
    for (size_t i = 0; i < m->n; i++) {
        part *p = &m->parts[i];
        char *l = next_line(p);
        unsigned long long count;
        char tail;
        if (l == NULL || sscanf(l, "],\"count\":%llu%c", &count, &tail) != 2 || tail != '}' ||
            count != p->read || next_line(p) != NULL)
            return fp_error_set(err, FP_EPARSE,
                                "merge: '%s' does not end after its %llu records (truncated, or "
                                "another campaign)",
                                p->path, (unsigned long long)p->read);
    }
    return FP_OK;
}

/* ---- the command ---- */

int fp_cmd_merge(int argc, char **argv)
{
    fp_cli_common c;
    fp_cli_common_init(&c);
    const fp_cli_spec spec = {s_merge_help, FP_CMD_MERGE_OPTS, 0, NULL, NULL, NULL, 1, NULL};
    fp_cli_merge m = {NULL, 0, NULL};
    char **vargv = NULL, *fmt = NULL, *outp = NULL;
    int rc = fp_cli_parse(&c, &spec, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (c.n_args == 0) {
        rc = fp_cli_usage("merge needs the partial files of every shard");
        goto done;
    }
    m.parts = calloc(c.n_args, sizeof *m.parts);
    if (m.parts == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    m.n = c.n_args;
    for (size_t i = 0; i < c.n_args && rc == 0; i++)
        rc = open_part(&m.parts[i], c.args[i]);
    if (rc != 0 || (rc = check_parts(&m)) != 0)
        goto done;
    /* The command line of the campaign, with the merge's format and output. */
    static const struct {
        const char *name;
        int (*main)(int argc, char **argv, fp_cli_merge *m);
        int quiet; /* takes --quiet */
    } s_commands[] = {{"validate", fp_cli_validate_main, 1}, {"simulate", fp_cli_simulate_main, 0}};
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(m.header, "args");
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(m.header, "command");
    size_t ci = 0;
    while (ci < sizeof s_commands / sizeof s_commands[0] &&
           !(cJSON_IsString(cmd) && strcmp(cmd->valuestring, s_commands[ci].name) == 0))
        ci++;
    if (ci == sizeof s_commands / sizeof s_commands[0]) {
        fp_cli_errorf("merge: '%s' is of command '%s'; merge reads the parts of validate and "
                      "simulate",
                      m.parts[0].path, cJSON_IsString(cmd) ? cmd->valuestring : "?");
        rc = FP_EXIT_DATA;
        goto done;
    }
    int na = cJSON_GetArraySize(args);
    vargv = calloc((size_t)na + 7, sizeof *vargv);
    if (vargv == NULL) {
        rc = fp_cli_nomem();
        goto done;
    }
    static char s_quiet[] = "--quiet", s_format[] = "--format", s_output[] = "--output";
    int vn = 0;
    vargv[vn++] = cmd->valuestring;
    const cJSON *a;
    cJSON_ArrayForEach(a, args)
    {
        if (!cJSON_IsString(a)) {
            fp_cli_errorf("merge: '%s': malformed header", m.parts[0].path);
            rc = FP_EXIT_DATA;
            goto done;
        }
        vargv[vn++] = a->valuestring;
    }
    if (s_commands[ci].quiet)
        vargv[vn++] = s_quiet;
    if (c.format != NULL) {
        vargv[vn++] = s_format;
        vargv[vn++] = fmt = strdup(c.format);
    }
    if (c.output != NULL) {
        vargv[vn++] = s_output;
        vargv[vn++] = outp = strdup(c.output);
    }
    if ((c.format != NULL && fmt == NULL) || (c.output != NULL && outp == NULL)) {
        rc = fp_cli_nomem();
        goto done;
    }
    rc = s_commands[ci].main(vn, vargv, &m);
done:
    free(vargv);
    free(fmt);
    free(outp);
    for (size_t i = 0; m.parts != NULL && i < m.n; i++) {
        if (m.parts[i].f != NULL)
            fclose(m.parts[i].f);
        free(m.parts[i].line);
        cJSON_Delete(m.parts[i].header);
    }
    free(m.parts);
    fp_cli_common_cleanup(&c);
    return rc;
}
