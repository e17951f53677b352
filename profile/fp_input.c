/*
 * fp_input.c - the one input reader (fp_formats.h): sniffs what a path names (profile JSON, runs
 * document, Chrome trace, `fpsim generate` index or directory, a directory of JSON files) and
 * hands out its runs one at a time, each file read and parsed once.
 *
 * State: the list of files still to read (one for a plain file; the index's or the directory's
 * files otherwise) and the file being read: either its parsed profile JSON tree, whose runs are
 * read (and then freed) one by one, or a Chrome trace, converted when its one run is asked for:
 * a regular file is kept open and streamed (fp_trace_read_chrome_file()), standard input is read
 * whole first. Nothing is printed; every problem goes into the caller's fp_error.
 */
#include "fp_formats.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

/* Inputs larger than this are refused while reading (the JSON readers' own cap). */
#define IN_MAX_BYTES FP_JSON_GUARD_MAX_BYTES

/* Version of the index written by `fpsim generate` (fp_export_index()). */
#define IN_INDEX_VERSION FP_INDEX_VERSION

struct fp_input {
    char **files; /* paths still to read, in order (owned) */
    size_t n_files, next_file;
    char *cur_file;   /* the file being read (owned; moved out of `files`) */
    char *truth_file; /* the manifest read for the last run, or NULL (owned) */
    int from_list;    /* the files came from an index or a directory listing */
    fp_input_kind kind;
    /* FP_INPUT_CHROME: the open file streamed by the next fp_input_next() (a regular file), or
     * else its text (standard input) */
    FILE *trace;
    char *text;
    size_t len;
    /* FP_INPUT_PROFILE / FP_INPUT_RUNS: the tree, and the next run to read */
    cJSON *root;
    cJSON *next_run; /* next element of "runs" (FP_INPUT_RUNS) */
    size_t run;      /* index of the next run within cur_file */
    int pending;     /* a run is left in the current file */
};

/* ======================================================================== sniffing */

/* Top-level keys the sniffer knows; KEY_PROFILE marks any key of a profile or runs document. */
enum {
    KEY_TRACE = 1 << 0,
    KEY_INDEX = 1 << 1,
    KEY_SCHEMA = 1 << 2,
    KEY_NODES = 1 << 3,
    KEY_SAMPLES = 1 << 4,
    KEY_START = 1 << 5,
    KEY_HEAD = 1 << 6,
    KEY_MANIFEST = 1 << 7,
    KEY_PROFILE = 1 << 8
};

static const struct {
    const char *name;
    unsigned bit;
} s_keys[] = {
    {"traceEvents", KEY_TRACE}, {"fpsim_index", KEY_INDEX},       {"$schema", KEY_SCHEMA},
    {"nodes", KEY_NODES},       {"samples", KEY_SAMPLES},         {"startTime", KEY_START},
    {"head", KEY_HEAD},         {"fpsim_manifest", KEY_MANIFEST}, {"schema_version", KEY_PROFILE},
    {"meta", KEY_PROFILE},      {"methods", KEY_PROFILE},         {"spans", KEY_PROFILE},
    {"series", KEY_PROFILE},    {"truth", KEY_PROFILE},           {"fpsim_runs", KEY_PROFILE},
    {"runs", KEY_PROFILE}};

/* What the sniffer saw. */
typedef struct sniffed {
    size_t start;    /* first non-blank byte */
    unsigned keys;   /* KEY_* bits of the top-level keys */
    size_t n_keys;   /* top-level keys seen */
    int closed;      /* the top-level object ends (depth back to 0) */
    char names[160]; /* the first top-level keys, "\"a\", \"b\"" (truncated) */
} sniffed;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Scans the top-level object starting at text[i] == '{': a string at depth 1 right after '{' or
 * ',' is a key. */
static void scan_keys(const char *text, size_t len, size_t i, sniffed *sn)
{
    int depth = 0;
    char prev = 0;
    for (; i < len; i++) {
        char ch = text[i];
        if (ch == '"') {
            size_t start = i + 1, j = start;
            while (j < len && text[j] != '"') {
                if (text[j] == '\\')
                    j++;
                j++;
            }
            if (depth == 1 && (prev == '{' || prev == ',') && j < len) {
                size_t n = j - start, used = strlen(sn->names);
                for (size_t k = 0; k < sizeof(s_keys) / sizeof(s_keys[0]); k++)
                    if (strlen(s_keys[k].name) == n && memcmp(text + start, s_keys[k].name, n) == 0)
                        sn->keys |= s_keys[k].bit;
                if (sn->keys & KEY_TRACE)
                    return; /* a trace wins wherever its key is: no need to scan on */
                if (sn->n_keys < 4 && used + n + 5 < sizeof(sn->names))
                    snprintf(sn->names + used, sizeof(sn->names) - used, "%s\"%.*s\"",
                             used > 0 ? ", " : "", (int)n, text + start);
                sn->n_keys++;
            }
            i = j;
            prev = '"';
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if ((ch == '}' || ch == ']') && --depth == 0) {
            sn->closed = 1;
            return;
        }
        if (!is_blank(ch))
            prev = ch;
    }
}

/* Whether the first non-blank line is "FRAME;... COUNT": no leading '{' or '[', a space, then a
 * non-negative decimal count ending the line. */
static int folded_line(const char *text, size_t len, size_t i)
{
    const char *s = text + i;
    const char *nl = memchr(s, '\n', len - i);
    size_t n = nl != NULL ? (size_t)(nl - s) : len - i;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n == 0 || memchr(s, '\0', n) != NULL)
        return 0;
    size_t k = n, digits = 0;
    while (k > 0 && ((s[k - 1] >= '0' && s[k - 1] <= '9') || s[k - 1] == '.'))
        digits += s[--k] != '.';
    return digits > 0 && k > 1 && s[k - 1] == ' ' && s[0] != '{' && s[0] != '[' && s[0] != '"';
}

/* Binary: a NUL or other control bytes (not blanks) in the first 4 KiB. */
static int looks_binary(const char *text, size_t len)
{
    size_t n = len < 4096 ? len : 4096, ctl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0)
            return 1;
        ctl += c < 0x20 && !is_blank((char)c) && c != '\f';
    }
    return ctl > 0 && ctl * 20 >= n; /* over 5 % control bytes */
}

static int looks_csv(const char *text, size_t len, size_t i)
{
    const char *nl = memchr(text + i, '\n', len - i);
    size_t n = nl != NULL ? (size_t)(nl - (text + i)) : len - i;
    return memchr(text + i, ',', n) != NULL;
}

static fp_input_kind sniff(const char *text, size_t len, sniffed *sn)
{
    size_t i = 0;
    memset(sn, 0, sizeof(*sn));
    if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf)
        i = 3;
    while (i < len && is_blank(text[i]))
        i++;
    sn->start = i;
    if (i >= len)
        return FP_INPUT_PROFILE;
    if (text[i] == '[')
        return FP_INPUT_CHROME;
    if (text[i] != '{') {
        if (folded_line(text, len, i))
            return FP_INPUT_FOLDED;
        if (looks_binary(text, len) || looks_csv(text, len, i))
            return FP_INPUT_UNKNOWN;
        return FP_INPUT_PROFILE;
    }
    scan_keys(text, len, i, sn);
    if (sn->keys & KEY_TRACE) /* a trace wins wherever its key is */
        return FP_INPUT_CHROME;
    if (sn->keys & KEY_INDEX)
        return FP_INPUT_INDEX;
    if (sn->keys & KEY_SCHEMA)
        return FP_INPUT_SPEEDSCOPE;
    if (sn->keys & KEY_NODES)
        return FP_INPUT_CPUPROFILE;
    /* Truncated or malformed text: the JSON reader says where. */
    if ((sn->keys & KEY_PROFILE) || sn->n_keys == 0 || !sn->closed)
        return FP_INPUT_PROFILE;
    return FP_INPUT_UNKNOWN;
}

fp_input_kind fp_input_sniff(const char *text, size_t len)
{
    sniffed sn;
    return sniff(text, len, &sn);
}

void fp_input_looks_like(const char *text, size_t len, char *buf, size_t size)
{
    sniffed sn;
    if (size == 0)
        return;
    buf[0] = '\0';
    if (sniff(text, len, &sn) != FP_INPUT_UNKNOWN)
        return;
    if (text[sn.start] != '{')
        snprintf(buf, size, "%s",
                 fp_gzip_is(text, len)     ? "gzip data inside gzip data"
                 : looks_binary(text, len) ? "binary data"
                                           : "CSV; fpsim reads profile JSON, Chrome traces, V8 "
                                             ".cpuprofile, speedscope JSON and folded stacks");
    else if ((sn.keys & KEY_HEAD) && (sn.keys & KEY_SAMPLES))
        snprintf(buf, size,
                 "a V8 sampling heap profile (.heapprofile), which has allocations "
                 "but no times; record a .cpuprofile (node --cpu-prof) or a trace");
    else if (sn.keys & KEY_MANIFEST)
        snprintf(buf, size,
                 "an fpsim ground-truth manifest; give the run's profile "
                 "(run-K.profile.json), which finds the manifest beside it");
    else
        snprintf(buf, size, "a JSON object with top-level keys %s%s", sn.names,
                 sn.n_keys > 4 ? ", ..." : "");
}

/* ======================================================================== files */

fp_status fp_read_stream(FILE *f, const char *path, char **out, size_t *len, fp_error *err)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    fp_status st = FP_OK;
    *out = NULL;
    *len = 0;
    for (;;) {
        if (n == cap) {
            if (cap > IN_MAX_BYTES) {
                st = fp_error_set_at(err, FP_ELIMIT, path, 0, 0, "input larger than %zu bytes",
                                     (size_t)IN_MAX_BYTES);
                break;
            }
            size_t ncap = cap == 0 ? 65536 : cap * 2;
            char *nb = fp_realloc(buf, ncap + 1);
            if (nb == NULL) {
                st = fp_error_set(err, FP_ENOMEM, "out of memory reading %s", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            /* A read error after the open is an I/O error (exit 74, as for scenarios); a
             * signal interrupting a blocked read stops the read. */
            if (ferror(f) && errno == EINTR)
                st = fp_error_set_at(err, FP_EINTR, path, 0, 0, "interrupted");
            else if (ferror(f))
                st = fp_error_set_at(err, FP_EIO, path, 0, 0, "cannot read: %s",
                                     fp_strerror(errno, (char[128]){""}, 128));
            break;
        }
    }
    if (st == FP_OK && n > IN_MAX_BYTES)
        st = fp_error_set_at(err, FP_ELIMIT, path, 0, 0, "input larger than %zu bytes",
                             (size_t)IN_MAX_BYTES);
    if (st != FP_OK) {
        fp_free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return FP_OK;
}

/* Reads all of `path` ("-": standard input) into a new NUL-terminated buffer (fp_free). */
static fp_status read_all(const char *path, char **out, size_t *len, fp_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    *out = NULL;
    *len = 0;
    if (f == NULL)
        return fp_error_set_at(err, FP_ENOENT, path, 0, 0, "cannot open: %s",
                               fp_strerror(errno, (char[128]){""}, 128));
    fp_status st = fp_read_stream(f, path, out, len, err);
    if (!is_stdin)
        fclose(f);
    return st;
}

/*
 * Opens the regular file `path` and sniffs its first SNIFF_HEAD bytes: a Chrome trace is then
 * left open in *trace (at its start) to be streamed by fp_input_next(), so that its text is never
 * held whole. Anything else (or a prefix that cannot tell: the "traceEvents" key may come late)
 * leaves *trace NULL and the caller reads the whole file as before. Standard input and other
 * non-regular files are never streamed (they cannot be read twice, which the trace reader's
 * error path needs).
 */
#define SNIFF_HEAD 65536
static fp_status open_trace(const char *path, FILE **trace, fp_error *err)
{
    *trace = NULL;
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return FP_OK;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fp_error_set_at(err, FP_ENOENT, path, 0, 0, "cannot open: %s",
                               fp_strerror(errno, (char[128]){""}, 128));
    char *head = fp_malloc(SNIFF_HEAD);
    size_t n = head != NULL ? fread(head, 1, SNIFF_HEAD, f) : 0;
    int chrome = head != NULL && !ferror(f) && fp_input_sniff(head, n) == FP_INPUT_CHROME;
    fp_free(head);
    if (chrome && fseek(f, 0, SEEK_SET) == 0) {
        *trace = f;
        return FP_OK;
    }
    fclose(f);
    return FP_OK;
}

/* Appends a copy of `path` to the reader's file list. */
static fp_status push_file(fp_input *in, const char *path, size_t *cap, fp_error *err)
{
    char *s = fp_strdup(path);
    if (s == NULL ||
        fp_grow((void **)&in->files, cap, in->n_files + 1, sizeof(*in->files)) != FP_OK) {
        fp_free(s);
        return fp_error_set(err, FP_ENOMEM, "out of memory listing %s", path);
    }
    in->files[in->n_files++] = s;
    return FP_OK;
}

/* "DIR/NAME" into a new string, or NULL. */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = fp_malloc(a + b + 2);
    if (s == NULL)
        return NULL;
    memcpy(s, dir, a);
    s[a] = '/';
    memcpy(s + a + 1, name, b + 1);
    return s;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* Whether a directory entry is read: *.json, *.cpuprofile, *.folded, each optionally .gz. */
static int has_input_ext(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    if (ends_with(name, n, ".gz"))
        n -= 3;
    return ends_with(name, n, ".json") || ends_with(name, n, ".cpuprofile") ||
           ends_with(name, n, ".folded");
}

/*
 * `fpsim generate`'s files that are not runs or that repeat a run: a ground-truth manifest
 * (never a run), and a run's viewer formats (trace, speedscope, folded) when its profile JSON
 * "<stem>.profile.json" is beside them in `dir`.
 */
static int generate_extra(const char *dir, const char *name)
{
    static const char *const viewer[] = {".trace.json", ".speedscope.json", ".folded"};
    size_t n = strlen(name);
    if (ends_with(name, n, ".truth.json"))
        return 1;
    for (size_t k = 0; k < sizeof(viewer) / sizeof(viewer[0]); k++) {
        if (!ends_with(name, n, viewer[k]))
            continue;
        size_t stem = n - strlen(viewer[k]);
        char *prof = fp_malloc(strlen(dir) + stem + 16);
        struct stat sb;
        if (prof == NULL)
            return 0;
        sprintf(prof, "%s/%.*s.profile.json", dir, (int)stem, name);
        int beside = stat(prof, &sb) == 0 && S_ISREG(sb.st_mode);
        fp_free(prof);
        return beside;
    }
    return 0;
}

/* Lists the input files of `dir` (has_input_ext(), not generate_extra()) and, at depth 0, of its
 * subdirectories. */
static fp_status list_dir(fp_input *in, const char *dir, int depth, size_t *cap, fp_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (depth == 0)
            return fp_error_set_at(err, FP_ENOENT, dir, 0, 0, "cannot open: %s",
                                   fp_strerror(errno, (char[128]){""}, 128));
        return FP_OK; /* an unreadable subdirectory holds nothing we can read */
    }
    fp_status st = FP_OK;
    struct dirent *e;
    while (st == FP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *full = join(dir, e->d_name);
        struct stat sb;
        if (full == NULL) {
            st = fp_error_set(err, FP_ENOMEM, "out of memory listing %s", dir);
            break;
        }
        if (stat(full, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth == 0)
                st = list_dir(in, full, 1, cap, err);
            else if (S_ISREG(sb.st_mode) && has_input_ext(e->d_name) &&
                     !generate_extra(dir, e->d_name))
                st = push_file(in, full, cap, err);
        }
        fp_free(full);
    }
    closedir(d);
    return st;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* ======================================================================== index.json */

/* Whether `rel` is a relative path without ".." components (an index names its own files). */
static int safe_relative(const char *rel)
{
    if (rel[0] == '\0' || rel[0] == '/')
        return 0;
    for (const char *p = rel; *p != '\0';) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

/*
 * Lists the runs of the generate index `file` (its text in `text`): per run, its profile JSON
 * file, else its Chrome trace, as paths relative to the index's directory.
 */
static fp_status read_index(fp_input *in, const char *file, const char *text, size_t len,
                            size_t *cap, fp_error *err)
{
    cJSON *root = NULL;
    char path[FP_ERROR_PATH_MAX];
    fp_status st = fp_json_parse_guarded(text, len, file, "index", err, &root);
    if (st != FP_OK)
        return st;
    /* The index's directory: everything up to the last '/', or "." */
    const char *slash = strrchr(file, '/');
    size_t dlen = slash != NULL ? (size_t)(slash - file) : 1;
    char *dir = fp_malloc(dlen + 1);
    if (dir == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "out of memory reading %s", file);
        goto out;
    }
    memcpy(dir, slash != NULL ? file : ".", dlen);
    dir[dlen] = '\0';
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "fpsim_index");
    if (!cJSON_IsNumber(v) || v->valuedouble != IN_INDEX_VERSION) {
        st = fp_stacks_fail(err, FP_EINVAL, file, "fpsim_index",
                            "unsupported fpsim_index (this fpsim reads %d)", IN_INDEX_VERSION);
        goto out;
    }
    const cJSON *scns = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    if (!cJSON_IsArray(scns)) {
        st = fp_stacks_fail(err, FP_EINVAL, file, "scenarios", "expected an array of scenarios");
        goto out;
    }
    size_t si = 0, total = 0;
    for (const cJSON *s = scns->child; s != NULL; s = s->next, si++) {
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(s, "runs");
        if (!cJSON_IsArray(runs)) {
            snprintf(path, sizeof(path), "scenarios[%zu].runs", si);
            st = fp_stacks_fail(err, FP_EINVAL, file, path, "expected an array of runs");
            goto out;
        }
        size_t ri = 0;
        for (const cJSON *r = runs->child; r != NULL; r = r->next, ri++, total++) {
            const cJSON *files = cJSON_GetObjectItemCaseSensitive(r, "files");
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(files, "profile");
            const char *key = "profile";
            if (f == NULL) {
                f = cJSON_GetObjectItemCaseSensitive(files, "chrome");
                key = "chrome";
            }
            snprintf(path, sizeof(path), "scenarios[%zu].runs[%zu].files", si, ri);
            if (!cJSON_IsObject(files) || f == NULL) {
                st = fp_stacks_fail(err, FP_EINVAL, file, path,
                                    "the run lists no profile or chrome file (generate with "
                                    "--formats including profile or chrome)");
                goto out;
            }
            snprintf(path, sizeof(path), "scenarios[%zu].runs[%zu].files.%s", si, ri, key);
            if (!cJSON_IsString(f) || !safe_relative(f->valuestring)) {
                st = fp_stacks_fail(err, FP_EINVAL, file, path,
                                    "expected a path relative to the index's directory, without "
                                    "'..'");
                goto out;
            }
            char *full = join(dir, f->valuestring);
            if (full == NULL) {
                st = fp_error_set(err, FP_ENOMEM, "out of memory reading %s", file);
                goto out;
            }
            st = push_file(in, full, cap, err);
            fp_free(full);
            if (st != FP_OK)
                goto out;
        }
    }
    if (total == 0)
        st = fp_stacks_fail(err, FP_EINVAL, file, "scenarios", "no runs in the index");
out:
    fp_free(dir);
    cJSON_Delete(root);
    return st;
}

/* ======================================================================== reading */

static fp_status read_chrome(fp_profile *out, const char *text, size_t len, const char *file,
                             fp_input_run *run, fp_error *err)
{
    return fp_trace_read_chrome(out, text, len, file, run != NULL ? &run->trace : NULL, err);
}

static fp_status read_cpuprofile(fp_profile *out, const char *text, size_t len, const char *file,
                                 fp_input_run *run, fp_error *err)
{
    (void)run;
    return fp_cpuprofile_read(out, text, len, file, err);
}

static fp_status read_speedscope(fp_profile *out, const char *text, size_t len, const char *file,
                                 fp_input_run *run, fp_error *err)
{
    (void)run;
    return fp_speedscope_read(out, text, len, file, err);
}

static fp_status read_folded(fp_profile *out, const char *text, size_t len, const char *file,
                             fp_input_run *run, fp_error *err)
{
    (void)run;
    return fp_folded_read(out, text, len, file, err);
}

typedef fp_status (*text_reader_fn)(fp_profile *, const char *, size_t, const char *,
                                    fp_input_run *, fp_error *);

/* The formats read from their text as one run (profile JSON and runs documents are parsed at
 * load, an index expanded). */
static const struct {
    fp_input_kind kind;
    text_reader_fn read;
} s_text_readers[] = {{FP_INPUT_CHROME, read_chrome},
                      {FP_INPUT_CPUPROFILE, read_cpuprofile},
                      {FP_INPUT_SPEEDSCOPE, read_speedscope},
                      {FP_INPUT_FOLDED, read_folded}};

static text_reader_fn text_reader(fp_input_kind kind)
{
    for (size_t i = 0; i < sizeof(s_text_readers) / sizeof(s_text_readers[0]); i++)
        if (s_text_readers[i].kind == kind)
            return s_text_readers[i].read;
    return NULL;
}

/*
 * A generated run-K.profile.json is written without its ground truth, which lies beside it in
 * run-K.truth.json: a simulated run without truth read from "STEM.profile.json" gets the truth of
 * "STEM.truth.json" when that file exists (in->truth_file then names it).
 */
static fp_status add_manifest(fp_input *in, fp_profile *out, fp_error *err)
{
    static const char ext[] = ".profile.json";
    const char *file = in->cur_file;
    size_t n = strlen(file), e = sizeof(ext) - 1;
    fp_free(in->truth_file);
    in->truth_file = NULL;
    if (n <= e || strcmp(file + n - e, ext) != 0 || !fp_profile_meta(out).simulated ||
        fp_profile_truth_count(out) > 0)
        return FP_OK;
    char *path = fp_malloc(n + 8);
    if (path == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory reading %s", file);
    memcpy(path, file, n - e);
    strcpy(path + n - e, ".truth.json");
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fp_free(path);
        return FP_OK;
    }
    char *text = NULL;
    size_t len = 0;
    fp_status st = read_all(path, &text, &len, err);
    if (st == FP_OK)
        st = fp_manifest_read_truth(out, text, len, path, err);
    fp_free(text);
    if (st != FP_OK) {
        fp_free(path);
        return st;
    }
    in->truth_file = path;
    return FP_OK;
}

/* Frees what the current file holds. */
static void drop_current(fp_input *in)
{
    if (in->trace != NULL)
        fclose(in->trace);
    in->trace = NULL;
    fp_free(in->text);
    in->text = NULL;
    in->len = 0;
    cJSON_Delete(in->root);
    in->root = NULL;
    in->next_run = NULL;
    in->pending = 0;
}

static fp_status load_text(fp_input *in, size_t *cap, fp_error *err);

/* Makes `files[next_file]` the current file: reads it, then load_text(). */
static fp_status load_next(fp_input *in, size_t *cap, fp_error *err)
{
    drop_current(in);
    fp_free(in->cur_file);
    in->cur_file = in->files[in->next_file];
    in->files[in->next_file++] = NULL;
    in->run = 0;
    const char *file = in->cur_file;
    fp_status st = open_trace(file, &in->trace, err);
    if (st != FP_OK)
        return st;
    if (in->trace != NULL) {
        in->kind = FP_INPUT_CHROME;
        in->pending = 1;
        return FP_OK;
    }
    st = read_all(file, &in->text, &in->len, err);
    if (st != FP_OK)
        return st;
    return load_text(in, cap, err);
}

/* Inflates the current file's text when it is gzip, sniffs it (refusing what fpsim does not read)
 * and, for profile JSON, parses it once and locates its runs; the other formats are converted when
 * their one run is asked for, and an index is expanded into the file list only when it is the
 * input itself. Shared by files and fp_input_open_mem(), so both read the same formats. */
static fp_status load_text(fp_input *in, size_t *cap, fp_error *err)
{
    const char *file = in->cur_file;
    fp_status st;
    if (fp_gzip_is(in->text, in->len)) {
        char *plain = NULL;
        size_t plen = 0;
        st = fp_gunzip(in->text, in->len, IN_MAX_BYTES, file, &plain, &plen, err);
        fp_free(in->text);
        in->text = plain;
        in->len = plen;
        if (st != FP_OK)
            return st;
    }
    in->kind = fp_input_sniff(in->text, in->len);
    if (in->kind == FP_INPUT_UNKNOWN) {
        char what[320];
        fp_input_looks_like(in->text, in->len, what, sizeof(what));
        return fp_error_set_at(err, FP_EINVAL, file, 0, 0,
                               "not a format fpsim reads (looks like %s)", what);
    }
    if (text_reader(in->kind) != NULL) { /* converted when its one run is asked for */
        in->pending = 1;
        return FP_OK;
    }
    if (in->kind == FP_INPUT_INDEX) {
        if (in->from_list)
            return fp_error_set_at(err, FP_EINVAL, file, 0, 0,
                                   "an fpsim generate index is read only as the input itself "
                                   "(give it or its directory)");
        in->from_list = 1;
        st = read_index(in, file, in->text, in->len, cap, err);
        drop_current(in);
        return st;
    }
    st = fp_json_parse_guarded(in->text, in->len, file, "profile JSON", err, &in->root);
    fp_free(in->text); /* the tree stands alone */
    in->text = NULL;
    if (st != FP_OK)
        return st;
    const cJSON *runs = NULL;
    size_t count = 0;
    if ((st = fp_profile_json_locate(in->root, file, &runs, &count, err)) != FP_OK)
        return st;
    if (runs == NULL) {
        in->kind = FP_INPUT_PROFILE;
    } else {
        in->kind = FP_INPUT_RUNS;
        if (count == 0) {
            st = fp_error_set_at(err, FP_EINVAL, file, 0, 0, "no runs in the runs document");
            fp_error_set_path(err, "runs");
            return st;
        }
        /* The same array, reached through the tree we own so that read runs can be freed. */
        in->next_run = cJSON_GetObjectItemCaseSensitive(in->root, "runs")->child;
    }
    in->pending = 1;
    return FP_OK;
}

/* The end of both opens: an index replaced itself by its list, whose first file is loaded now;
 * hands the reader over, or frees it on error. */
static fp_status open_finish(fp_input *in, size_t *cap, fp_status st, fp_input **out, fp_error *err)
{
    while (st == FP_OK && !in->pending && in->next_file < in->n_files)
        st = load_next(in, cap, err);
    if (st != FP_OK) {
        fp_input_close(in);
        return st;
    }
    *out = in;
    return FP_OK;
}

fp_status fp_input_open(fp_input **out, const char *path, fp_error *err)
{
    fp_input *in = fp_calloc(1, sizeof(*in));
    size_t cap = 0;
    fp_status st = FP_OK;
    *out = NULL;
    if (in == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory opening %s", path);
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        in->from_list = 1;
        char *index = join(path, "index.json");
        if (index == NULL) {
            st = fp_error_set(err, FP_ENOMEM, "out of memory opening %s", path);
            goto out;
        }
        if (stat(index, &sb) == 0 && S_ISREG(sb.st_mode)) {
            /* A generate directory: its index says which files are runs. */
            in->from_list = 0;
            st = push_file(in, index, &cap, err);
        } else {
            st = list_dir(in, path, 0, &cap, err);
            if (st == FP_OK && in->n_files == 0)
                st = fp_error_set_at(err, FP_ENOENT, path, 0, 0,
                                     "no *.json profiles in the directory or one level down");
            if (st == FP_OK)
                qsort(in->files, in->n_files, sizeof(*in->files), cmp_str);
        }
        fp_free(index);
    } else {
        st = push_file(in, path, &cap, err);
    }
    if (st == FP_OK) /* the first file is read now: a bad input fails at open */
        st = load_next(in, &cap, err);
out:
    return open_finish(in, &cap, st, out, err);
}

fp_status fp_input_open_mem(fp_input **out, const char *text, size_t len, const char *name,
                            fp_error *err)
{
    fp_input *in = fp_calloc(1, sizeof(*in));
    size_t cap = 0;
    fp_status st = FP_OK;
    *out = NULL;
    if (in == NULL)
        return fp_error_set(err, FP_ENOMEM, "out of memory opening %s", name);
    if (len > IN_MAX_BYTES) {
        st = fp_error_set_at(err, FP_ELIMIT, name, 0, 0, "input larger than %zu bytes",
                             (size_t)IN_MAX_BYTES);
    } else if ((in->cur_file = fp_strdup(name)) == NULL ||
               (in->text = fp_malloc(len + 1)) == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "out of memory opening %s", name);
    } else {
        if (len > 0)
            memcpy(in->text, text, len);
        in->text[len] = '\0'; /* NUL-terminated, as read_all() leaves a file */
        in->len = len;
        st = load_text(in, &cap, err);
    }
    return open_finish(in, &cap, st, out, err);
}

fp_status fp_input_next(fp_input *in, fp_profile *out, fp_input_run *run, int *got, fp_error *err)
{
    fp_status st;
    size_t cap = in->n_files; /* no index is expanded after open: the list never grows here */
    *got = 0;
    while (!in->pending) {
        if (in->next_file >= in->n_files) {
            fp_profile_reset(out);
            return FP_OK;
        }
        if ((st = load_next(in, &cap, err)) != FP_OK) {
            fp_profile_reset(out);
            return st;
        }
    }
    if (run != NULL) {
        memset(run, 0, sizeof(*run));
        run->file = in->cur_file;
        run->kind = in->kind;
        run->index = in->run;
    }
    text_reader_fn read = text_reader(in->kind);
    if (in->kind == FP_INPUT_CHROME && in->trace != NULL) {
        fp_trace_stats *stats = run != NULL ? &run->trace : NULL;
        st = fp_trace_read_chrome_file(out, in->trace, in->cur_file, stats, err);
        drop_current(in);
    } else if (read != NULL) {
        st = read(out, in->text, in->len, in->cur_file, run, err);
        drop_current(in);
    } else if (in->kind == FP_INPUT_PROFILE) {
        st = fp_profile_json_read_node(out, in->root, 0, 0, in->cur_file, err);
        if (st == FP_OK && (st = add_manifest(in, out, err)) != FP_OK)
            fp_profile_reset(out);
        if (run != NULL)
            run->truth_file = in->truth_file;
        drop_current(in);
    } else {
        cJSON *item = in->next_run;
        in->next_run = item->next;
        st = fp_profile_json_read_node(out, item, in->run, 1, in->cur_file, err);
        /* Read runs are freed as we go: the tree shrinks instead of staying whole. */
        cJSON_Delete(
            cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(in->root, "runs"), item));
        if (in->next_run == NULL)
            drop_current(in);
    }
    in->run++;
    if (st == FP_OK)
        *got = 1;
    return st;
}

void fp_input_close(fp_input *in)
{
    if (in == NULL)
        return;
    drop_current(in);
    for (size_t i = in->next_file; i < in->n_files; i++)
        fp_free(in->files[i]);
    fp_free(in->files);
    fp_free(in->cur_file);
    fp_free(in->truth_file);
    fp_free(in);
}
