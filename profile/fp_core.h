/*
 * fp_core.h - status codes, the caller-owned error record, and the allocation seam shared by
 * every fpsim module.
 *
 * Conventions (see docs/architecture.md):
 *  - any function that can fail returns fp_status and fills a caller-owned fp_error;
 *  - the library never prints, never exits and never reads the environment;
 *  - every allocation goes through fp_malloc/fp_calloc/fp_realloc/fp_free so that tests can make
 *    the N-th allocation fail (fp_alloc_fail_after()).
 */
#ifndef FP_CORE_H
#define FP_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum fp_status {
    FP_OK = 0,
    FP_ENOMEM,  /* allocation failed */
    FP_EIO,     /* read or write failed */
    FP_EPARSE,  /* malformed input (YAML, JSON, number) */
    FP_EINVAL,  /* well-formed input with an invalid value */
    FP_ERANGE,  /* number out of range */
    FP_ELIMIT,  /* input exceeds a documented size or depth limit */
    FP_EINTR,   /* interrupted by a signal */
    FP_ENOENT,  /* input does not exist or cannot be opened */
    FP_EOUTPUT, /* output cannot be created */
    FP_EINTERNAL
} fp_status;

#define FP_ERROR_MSG_MAX 256
#define FP_ERROR_PATH_MAX 256
#define FP_ERROR_FILE_MAX 512

/*
 * Error record, owned by the caller (usually on the stack). `line` and `col` are 1-based; 0 means
 * "not known" (e.g. a byte offset is then given in msg). `key_path` is the dotted path of the
 * offending key in the input document ("methods[2].duration_s"), or empty.
 */
typedef struct fp_error {
    fp_status status;
    char file[FP_ERROR_FILE_MAX];
    unsigned long line;
    unsigned long col;
    char key_path[FP_ERROR_PATH_MAX];
    char msg[FP_ERROR_MSG_MAX];
} fp_error;

#define FP_ERROR_INIT                                                                              \
    {                                                                                              \
        FP_OK, "", 0, 0, "", ""                                                                    \
    }

/* Resets `err` to FP_ERROR_INIT. `err` may be NULL. */
void fp_error_clear(fp_error *err);

/*
 * Records a failure in `err` (may be NULL) and returns `status`, so callers can write
 * `return fp_error_set(err, FP_EINVAL, "...")`. Location fields are left untouched.
 */
fp_status fp_error_set(fp_error *err, fp_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Like fp_error_set, also setting file, line and column (1-based; file may be NULL). */
fp_status fp_error_set_at(fp_error *err, fp_status status, const char *file, unsigned long line,
                          unsigned long col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Sets the key path of `err` (may be NULL). */
void fp_error_set_path(fp_error *err, const char *key_path);

/*
 * Formats `err` as one line without the program prefix or a newline:
 * "FILE:LINE:COL: error: MSG (KEY_PATH)", omitting the parts that are unknown.
 * Writes at most `size` bytes (NUL-terminated) into `buf`.
 */
void fp_error_format(const fp_error *err, char *buf, size_t size);

/* Human-readable name of a status ("out of memory", ...). Static string. */
const char *fp_status_str(fp_status status);

/* Allocation seam. Same contracts as the libc functions; fp_free(NULL) is a no-op. */
void *fp_malloc(size_t size);
void *fp_calloc(size_t n, size_t size);
void *fp_realloc(void *ptr, size_t size);
void fp_free(void *ptr);

/* Returns a new copy of `s` (free with fp_free()), or NULL on allocation failure. */
char *fp_strdup(const char *s);

/*
 * Multiplies with overflow check: stores n*size in *out and returns 1, or returns 0 on overflow.
 */
int fp_mul_size(size_t n, size_t size, size_t *out);

/*
 * Grows the array *arr (element size `elem`, capacity *cap) so that it holds at least `need`
 * elements, doubling. Returns FP_OK or FP_ENOMEM (the array is unchanged on failure).
 */
fp_status fp_grow(void **arr, size_t *cap, size_t need, size_t elem);

/*
 * Test hook: the `n`-th allocation from now on (1-based) and every later one fail; 0 disables
 * failures but keeps counting. This is the only process-wide state of the library; it exists for
 * fault-injection tests and is never set by the CLI. Thread-safe: the counter is atomic and
 * counts the allocations of every thread, so "the n-th allocation" is the n-th in the whole
 * process (which one that is depends on scheduling when several threads allocate). Counting
 * starts with the first call; until then allocations are not counted.
 */
void fp_alloc_fail_after(unsigned long n);

/*
 * Number of allocation attempts (failed ones included) since the last fp_alloc_fail_after()
 * call, in every thread (for test loops); 0 before the first call.
 */
unsigned long fp_alloc_count(void);

/*
 * Routes cJSON's allocations through fp_malloc()/fp_free() (so the fail-after-N hook covers
 * them) and clears this thread's cJSON-allocation-failed flag. Idempotent and thread-safe (the
 * hooks are installed once); every user of cJSON calls it first.
 */
void fp_json_use_allocator(void);

/* Whether a cJSON allocation failed on this thread since the last fp_json_use_allocator() or
 * call of this; clears the flag. Tells a NULL of cJSON_Parse* from out of memory apart. */
int fp_json_alloc_failed(void);

/*
 * Did-you-mean: returns the candidate closest to `word` by edit distance (Levenshtein, ASCII,
 * case-sensitive) when that distance is at most max(1, strlen(word) / 3), else NULL. Ties go to
 * the earlier candidate. Returns a borrowed pointer into `candidates`.
 */
const char *fp_suggest(const char *word, const char *const *candidates, size_t n);

/*
 * FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the `n` bytes at `p`,
 * or of the bytes of `s` before its NUL. fpsim's one string hash: the hash tables use it, and the
 * simulator's seed mixing (docs/simulation.md) feeds it the scenario name, so its values are part
 * of the documented output and must not change.
 */
uint64_t fp_hash_bytes(const void *p, size_t n);
uint64_t fp_hash_str(const char *s);

/*
 * The same hash continued from `h` over `n` more bytes at `p`: fp_hash_bytes(ab, na + nb) ==
 * fp_hash_bytes_from(fp_hash_bytes(ab, na), ab + na, nb). Start from FP_HASH_INIT to hash several
 * fields as one key, with a separator byte between them (so "ab" + "c" and "a" + "bc" differ).
 */
#define FP_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t fp_hash_bytes_from(uint64_t h, const void *p, size_t n);

/*
 * The message of errno value `errnum`, thread-safe (strerror_r, the XSI or the GNU variant):
 * returns `buf` (n bytes, filled) or a static string; "unknown error" when there is none. For
 * every library message that quotes errno.
 */
const char *fp_strerror(int errnum, char *buf, size_t n);

/*
 * Writes `v` into `out` (at least FP_FMT_DOUBLE_SIZE bytes, NUL-terminated) as a short decimal
 * that strtod reads back to exactly `v` (profile/fp_dtoa.c: Grisu2, the shortest digits in nearly
 * every case), laid out like printf("%.17g"): exponent form when the decimal exponent is below -4
 * or at least 17, "-0" for negative zero, printf's text for NaN and the infinities. Returns the
 * length. The one number formatter of fpsim's data writers (profile, runs, trace, export).
 * FP_G(v) is the same in a temporary buffer, for a printf argument ("%s").
 */
#define FP_FMT_DOUBLE_SIZE 32
size_t fp_fmt_double(char *out, double v);
/* fp_fmt_double() returning `out`. */
const char *fp_g(char *out, double v);
#define FP_G(v) fp_g((char[FP_FMT_DOUBLE_SIZE]){0}, (v))

/*
 * What fp_json_put_double() writes for a value that is not finite (JSON has no NaN or infinity):
 * FP_NONFINITE_NULL writes `null` for NaN and both infinities (a line a reader takes as "no
 * value": the report's run lines, whose numbers are finite anyway); FP_NONFINITE_EXACT writes
 * NaN as `null` and +-Inf as `1e999` / `-1e999`, which strtod reads back as +-Inf (fpsim's own
 * record files, validate's part and checkpoint lines, whose every double must round-trip).
 */
typedef enum fp_nonfinite { FP_NONFINITE_NULL, FP_NONFINITE_EXACT } fp_nonfinite;

/*
 * Writes `v` to `f` as a JSON number: fp_fmt_double()'s text when it is finite (strtod reads it
 * back bit for bit, -0 and subnormals included), else as `nonfinite` says. The one number writer
 * of fpsim's JSON record lines (reports/fp_report_rec.c, validate/fp_validate_part.c). Cannot
 * fail; a write error stays in ferror(f) for the caller to check.
 */
void fp_json_put_double(FILE *f, double v, fp_nonfinite nonfinite);

/*
 * A string -> index map over strings the caller stores: element `i` of the caller's table has
 * the string key(ctx, i), and the map holds only indices, so the strings may move (a realloc'ed
 * name buffer) between calls as long as key() finds them. Open addressing with linear probing on
 * fp_hash_str(), load factor at most 1/2, capacity a power of two (at least 16).
 *
 * The struct is a plain value the caller embeds, set up with FP_STRMAP_INIT or fp_strmap_init();
 * it owns `slots` (released by fp_strmap_cleanup()). Every call that looks at keys takes the
 * caller's key function and context. Indices are below UINT32_MAX.
 */
typedef const char *(*fp_strmap_key_fn)(const void *ctx, size_t index);

typedef struct fp_strmap {
    uint32_t *slots; /* index + 1 per slot, 0 when empty; `cap` entries */
    size_t cap;
    size_t n; /* entries */
} fp_strmap;

#define FP_STRMAP_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Sets `m` to an empty map without slots. */
void fp_strmap_init(fp_strmap *m);

/* Frees the slots; `m` is then empty, as after fp_strmap_init(). */
void fp_strmap_cleanup(fp_strmap *m);

/* Empties `m` and keeps its capacity (no allocation when it is filled to the same size again). */
void fp_strmap_clear(fp_strmap *m);

/*
 * Makes room for `n` entries, so that adding up to `n` in all needs no allocation. FP_OK, or
 * FP_ENOMEM with `m` unchanged. Growing rehashes the present entries through key().
 */
fp_status fp_strmap_reserve(fp_strmap *m, size_t n, fp_strmap_key_fn key, const void *ctx);

/* Looks `s` up: returns 1 and sets *index when present, else 0. */
int fp_strmap_find(const fp_strmap *m, const char *s, fp_strmap_key_fn key, const void *ctx,
                   size_t *index);

/*
 * Adds element `index` under the string key(ctx, index), which must not be in the map yet.
 * Grows as needed: FP_OK, or FP_ENOMEM with `m` unchanged (never after a large enough
 * fp_strmap_reserve()). FP_ELIMIT when index >= UINT32_MAX - 1.
 */
fp_status fp_strmap_add(fp_strmap *m, size_t index, fp_strmap_key_fn key, const void *ctx);

/* How fp_line_col() counts. */
typedef enum fp_lc_mode {
    FP_LC_BYTES, /* lines end at LF; the column counts bytes (JSON: cJSON's byte offsets) */
    FP_LC_CHARS  /* lines end at LF, CRLF or a lone CR; the column counts UTF-8 characters
                    (YAML, as libyaml's marks) */
} fp_lc_mode;

/*
 * 1-based line and column of byte `off` of `text` (`len` bytes; `off` beyond it is taken as
 * `len`), for error messages "FILE:LINE:COL".
 */
void fp_line_col(const char *text, size_t len, size_t off, fp_lc_mode mode, unsigned long *line,
                 unsigned long *col);

/* fpsim's version string ("X.Y.Z"). Static string. */
const char *fp_version(void);

#endif /* FP_CORE_H */
