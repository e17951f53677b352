/*
 * fp_input.c - the one input reader (fp_formats.h): sniffs what a path names (profile JSON, runs
 * document, Chrome trace, `fpsim generate` index or directory, a directory of JSON files) and
 * hands out its runs one at a time, each file read and parsed once.
 *
 * State: the list of files still to read (one for a plain file; the index's or the directory's
 * files otherwise) and the file being read: either its parsed profile JSON tree, whose runs are
 * read (and then freed) one by one, or the text of a Chrome trace, converted when its one run is
 * asked for. Nothing is printed; every problem goes into the caller's fp_error.
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
    char *cur_file; /* the file being read (owned; moved out of `files`) */
    int from_list;  /* the files came from an index or a directory listing */
    fp_input_kind kind;
    /* FP_INPUT_CHROME: the text, converted by the next fp_input_next() */
    char *text;
    size_t len;
    /* FP_INPUT_PROFILE / FP_INPUT_RUNS: the tree, and the next run to read */
    cJSON *root;
    cJSON *next_run; /* next element of "runs" (FP_INPUT_RUNS) */
    size_t run;      /* index of the next run within cur_file */
    int pending;     /* a run is left in the current file */
};

/* ======================================================================== sniffing */

fp_input_kind fp_input_sniff(const char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
        (unsigned char)text[2] == 0xbf)
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i >= len)
        return FP_INPUT_PROFILE;
    if (text[i] == '[')
        return FP_INPUT_CHROME;
    if (text[i] != '{')
        return FP_INPUT_PROFILE;
    /* Scan the top-level object: a string at depth 1 right after '{' or ',' is a key. A trace
     * wins wherever its key is; an index needs its key and no "traceEvents". */
    static const char trace_key[] = "traceEvents";
    static const char index_key[] = "fpsim_index";
    int depth = 0, is_index = 0;
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
                size_t n = j - start;
                if (n == sizeof(trace_key) - 1 && memcmp(text + start, trace_key, n) == 0)
                    return FP_INPUT_CHROME;
                if (n == sizeof(index_key) - 1 && memcmp(text + start, index_key, n) == 0)
                    is_index = 1;
            }
            i = j;
            prev = '"';
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']')
            depth--;
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            prev = ch;
    }
    return is_index ? FP_INPUT_INDEX : FP_INPUT_PROFILE;
}

/* ======================================================================== files */

/* Reads all of `path` ("-": standard input) into a new NUL-terminated buffer (fp_free). */
static fp_status read_all(const char *path, char **out, size_t *len, fp_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    fp_status st = FP_OK;
    *out = NULL;
    *len = 0;
    if (f == NULL)
        return fp_error_set_at(err, FP_ENOENT, path, 0, 0, "cannot open: %s", strerror(errno));
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
            if (ferror(f))
                st =
                    fp_error_set_at(err, FP_ENOENT, path, 0, 0, "cannot read: %s", strerror(errno));
            break;
        }
    }
    if (!is_stdin)
        fclose(f);
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

static int has_json_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

/* Lists every *.json regular file of `dir` and, at depth 0, of its subdirectories. */
static fp_status list_dir(fp_input *in, const char *dir, int depth, size_t *cap, fp_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (depth == 0)
            return fp_error_set_at(err, FP_ENOENT, dir, 0, 0, "cannot open: %s", strerror(errno));
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
            else if (S_ISREG(sb.st_mode) && has_json_ext(e->d_name))
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

static fp_status index_fail(const char *file, const char *path, fp_status st, fp_error *err,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static fp_status index_fail(const char *file, const char *path, fp_status st, fp_error *err,
                            const char *fmt, ...)
{
    char msg[FP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fp_error_set_at(err, st, file, 0, 0, "%s", msg);
    fp_error_set_path(err, path);
    return st;
}

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
        st = index_fail(file, "fpsim_index", FP_EINVAL, err,
                        "unsupported fpsim_index (this fpsim reads %d)", IN_INDEX_VERSION);
        goto out;
    }
    const cJSON *scns = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    if (!cJSON_IsArray(scns)) {
        st = index_fail(file, "scenarios", FP_EINVAL, err, "expected an array of scenarios");
        goto out;
    }
    size_t si = 0, total = 0;
    for (const cJSON *s = scns->child; s != NULL; s = s->next, si++) {
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(s, "runs");
        if (!cJSON_IsArray(runs)) {
            snprintf(path, sizeof(path), "scenarios[%zu].runs", si);
            st = index_fail(file, path, FP_EINVAL, err, "expected an array of runs");
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
                st = index_fail(file, path, FP_EINVAL, err,
                                "the run lists no profile or chrome file (generate with "
                                "--formats including profile or chrome)");
                goto out;
            }
            snprintf(path, sizeof(path), "scenarios[%zu].runs[%zu].files.%s", si, ri, key);
            if (!cJSON_IsString(f) || !safe_relative(f->valuestring)) {
                st = index_fail(file, path, FP_EINVAL, err,
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
        st = index_fail(file, "scenarios", FP_EINVAL, err, "no runs in the index");
out:
    fp_free(dir);
    cJSON_Delete(root);
    return st;
}

/* ======================================================================== reading */

/* Frees what the current file holds. */
static void drop_current(fp_input *in)
{
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
    fp_status st = read_all(in->cur_file, &in->text, &in->len, err);
    if (st != FP_OK)
        return st;
    return load_text(in, cap, err);
}

/* Sniffs the current file's text and, for profile JSON, parses it once and locates its runs; an
 * index is expanded into the file list only when it is the input itself. */
static fp_status load_text(fp_input *in, size_t *cap, fp_error *err)
{
    const char *file = in->cur_file;
    fp_status st;
    in->kind = fp_input_sniff(in->text, in->len);
    if (in->kind == FP_INPUT_CHROME) {
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
    if (in->kind == FP_INPUT_CHROME) {
        st = fp_trace_read_chrome(out, in->text, in->len, in->cur_file,
                                  run != NULL ? &run->trace : NULL, err);
        drop_current(in);
    } else if (in->kind == FP_INPUT_PROFILE) {
        st = fp_profile_json_read_node(out, in->root, 0, 0, in->cur_file, err);
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
    fp_free(in);
}
