/* fp_core.c - status strings, error records, the allocation seam and overflow-checked sizes. */
#include "fp_core.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_version.h"

/*
 * Fault-injection state for tests (fp_alloc_fail_after). The library's only process-wide
 * mutable state, never set outside tests. It is atomic because the allocator is called from
 * several threads at once (validate --jobs): a fail-after-N hook must count the allocations of
 * every thread to make "the N-th allocation from now" fail wherever it happens, which a
 * thread-local counter would not. Counting starts with the first fp_alloc_fail_after() call
 * (s_armed), so the CLI, which never arms the hook, pays one relaxed load per allocation and
 * never writes a shared cache line.
 */
static atomic_bool s_armed;
static atomic_ulong s_fail_at;
static atomic_ulong s_count;

void fp_alloc_fail_after(unsigned long n)
{
    atomic_store_explicit(&s_fail_at, n, memory_order_relaxed);
    atomic_store_explicit(&s_count, 0, memory_order_relaxed);
    atomic_store_explicit(&s_armed, true, memory_order_release);
}

unsigned long fp_alloc_count(void)
{
    return atomic_load_explicit(&s_count, memory_order_relaxed);
}

static int should_fail(void)
{
    if (!atomic_load_explicit(&s_armed, memory_order_acquire))
        return 0;
    unsigned long c = atomic_fetch_add_explicit(&s_count, 1, memory_order_relaxed) + 1;
    unsigned long at = atomic_load_explicit(&s_fail_at, memory_order_relaxed);
    return at != 0 && c >= at;
}

void *fp_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size == 0 ? 1 : size);
}

void *fp_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    if (n == 0 || size == 0)
        return calloc(1, 1);
    return calloc(n, size);
}

void *fp_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(ptr, size == 0 ? 1 : size);
}

void fp_free(void *ptr)
{
    free(ptr);
}

/* ---- cJSON through the seam ---- */

/* Set on the thread whose cJSON allocation failed, so a NULL from cJSON_Parse* can be told
 * apart: out of memory, not malformed JSON. */
static _Thread_local int s_json_nomem;

static void *json_malloc(size_t size)
{
    void *p = fp_malloc(size);
    if (p == NULL)
        s_json_nomem = 1;
    return p;
}

static void json_hooks_once(void)
{
    cJSON_Hooks h = {json_malloc, fp_free};
    cJSON_InitHooks(&h);
}

void fp_json_use_allocator(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, json_hooks_once);
    s_json_nomem = 0;
}

int fp_json_alloc_failed(void)
{
    int r = s_json_nomem;
    s_json_nomem = 0;
    return r;
}

char *fp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = fp_malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

int fp_mul_size(size_t n, size_t size, size_t *out)
{
    if (size != 0 && n > (size_t)-1 / size)
        return 0;
    *out = n * size;
    return 1;
}

fp_status fp_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return FP_OK;
    size_t ncap = *cap < 16 ? 16 : *cap;
    while (ncap < need) {
        if (ncap > (size_t)-1 / 2)
            return FP_ENOMEM;
        ncap *= 2;
    }
    size_t bytes;
    if (!fp_mul_size(ncap, elem, &bytes))
        return FP_ENOMEM;
    void *p = fp_realloc(*arr, bytes);
    if (p == NULL)
        return FP_ENOMEM;
    *arr = p;
    *cap = ncap;
    return FP_OK;
}

const char *fp_status_str(fp_status status)
{
    switch (status) {
    case FP_OK:
        return "success";
    case FP_ENOMEM:
        return "out of memory";
    case FP_EIO:
        return "I/O error";
    case FP_EPARSE:
        return "parse error";
    case FP_EINVAL:
        return "invalid value";
    case FP_ERANGE:
        return "out of range";
    case FP_ELIMIT:
        return "limit exceeded";
    case FP_EINTR:
        return "interrupted";
    case FP_ENOENT:
        return "cannot open input";
    case FP_EOUTPUT:
        return "cannot create output";
    case FP_EINTERNAL:
        return "internal error";
    }
    return "unknown error";
}

void fp_error_clear(fp_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
}

static void set_msg(fp_error *err, fp_status status, const char *fmt, va_list ap)
{
    err->status = status;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

fp_status fp_error_set(fp_error *err, fp_status status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        set_msg(err, status, fmt, ap);
        va_end(ap);
    }
    return status;
}

fp_status fp_error_set_at(fp_error *err, fp_status status, const char *file, unsigned long line,
                          unsigned long col, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        set_msg(err, status, fmt, ap);
        va_end(ap);
        if (file != NULL)
            snprintf(err->file, sizeof(err->file), "%s", file);
        err->line = line;
        err->col = col;
    }
    return status;
}

void fp_error_set_path(fp_error *err, const char *key_path)
{
    if (err != NULL)
        snprintf(err->key_path, sizeof(err->key_path), "%s", key_path ? key_path : "");
}

void fp_error_format(const fp_error *err, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    size_t n = 0;
#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (n < size) {                                                                            \
            int w_ = snprintf(buf + n, size - n, __VA_ARGS__);                                     \
            if (w_ > 0)                                                                            \
                n += (size_t)w_;                                                                   \
        }                                                                                          \
    } while (0)
    if (err->file[0] != '\0') {
        APPEND("%s:", err->file);
        if (err->line > 0) {
            APPEND("%lu:", err->line);
            if (err->col > 0)
                APPEND("%lu:", err->col);
        }
        APPEND(" ");
    }
    APPEND("error: %s", err->msg[0] ? err->msg : fp_status_str(err->status));
    if (err->key_path[0] != '\0')
        APPEND(" (%s)", err->key_path);
#undef APPEND
}

/* Edit distance with a two-row table; words longer than 63 characters are never suggested. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row0[64], row1[64];
    if (la > 63 || lb > 63)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row0[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row1[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = row0[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = row0[j] + 1;
            size_t ins = row1[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            row1[j] = m < ins ? m : ins;
        }
        memcpy(row0, row1, (lb + 1) * sizeof(size_t));
    }
    return row0[lb];
}

const char *fp_suggest(const char *word, const char *const *candidates, size_t n)
{
    size_t limit = strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d <= limit && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

/* ---- hash, string map, line:column ---- */

uint64_t fp_hash_bytes_from(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* strerror_r returns int (XSI) or char * (GNU): one of these takes its result. */
static const char *strerror_xsi(int r, char *buf)
{
    return r == 0 ? buf : "unknown error";
}

static const char *strerror_gnu(char *r, char *buf)
{
    (void)buf;
    return r != NULL ? r : "unknown error";
}

const char *fp_strerror(int errnum, char *buf, size_t n)
{
    if (buf == NULL || n == 0)
        return "unknown error";
    buf[0] = '\0';
    const char *s =
        _Generic(strerror_r(errnum, buf, n), int: strerror_xsi, char *: strerror_gnu)(
            strerror_r(errnum, buf, n), buf);
    return s[0] != '\0' ? s : "unknown error";
}

uint64_t fp_hash_bytes(const void *p, size_t n)
{
    return fp_hash_bytes_from(FP_HASH_INIT, p, n);
}

uint64_t fp_hash_str(const char *s)
{
    return fp_hash_bytes(s, strlen(s));
}

void fp_strmap_init(fp_strmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->n = 0;
}

void fp_strmap_cleanup(fp_strmap *m)
{
    fp_free(m->slots);
    fp_strmap_init(m);
}

void fp_strmap_clear(fp_strmap *m)
{
    if (m->cap > 0)
        memset(m->slots, 0, m->cap * sizeof(uint32_t));
    m->n = 0;
}

/* Slot where `s` is, or the empty slot where it would go (the map has an empty slot). */
static size_t strmap_probe(const fp_strmap *m, const char *s, fp_strmap_key_fn key, const void *ctx)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)fp_hash_str(s) & mask;
    while (m->slots[i] != 0 && strcmp(key(ctx, m->slots[i] - 1), s) != 0)
        i = (i + 1) & mask;
    return i;
}

fp_status fp_strmap_reserve(fp_strmap *m, size_t n, fp_strmap_key_fn key, const void *ctx)
{
    if (n <= m->cap / 2)
        return FP_OK;
    size_t cap = m->cap < 16 ? 16 : m->cap;
    while (cap / 2 < n) {
        if (cap > (size_t)-1 / 4)
            return FP_ENOMEM;
        cap *= 2;
    }
    uint32_t *slots = fp_calloc(cap, sizeof(uint32_t));
    if (slots == NULL)
        return FP_ENOMEM;
    fp_strmap old = *m;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.slots[i] != 0)
            m->slots[strmap_probe(m, key(ctx, old.slots[i] - 1), key, ctx)] = old.slots[i];
    }
    fp_free(old.slots);
    return FP_OK;
}

int fp_strmap_find(const fp_strmap *m, const char *s, fp_strmap_key_fn key, const void *ctx,
                   size_t *index)
{
    if (m->n == 0)
        return 0;
    uint32_t v = m->slots[strmap_probe(m, s, key, ctx)];
    if (v == 0)
        return 0;
    *index = v - 1;
    return 1;
}

fp_status fp_strmap_add(fp_strmap *m, size_t index, fp_strmap_key_fn key, const void *ctx)
{
    if (index >= UINT32_MAX - 1)
        return FP_ELIMIT;
    fp_status st = fp_strmap_reserve(m, m->n + 1, key, ctx);
    if (st != FP_OK)
        return st;
    m->slots[strmap_probe(m, key(ctx, index), key, ctx)] = (uint32_t)(index + 1);
    m->n++;
    return FP_OK;
}

void fp_line_col(const char *text, size_t len, size_t off, fp_lc_mode mode, unsigned long *line,
                 unsigned long *col)
{
    unsigned long l = 1, c = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (mode == FP_LC_BYTES) {
            if (ch == '\n') {
                l++;
                c = 1;
            } else {
                c++;
            }
        } else if (ch == '\n' || (ch == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
            l++;
            c = 1;
        } else if (ch != '\r' && (ch & 0xC0) != 0x80) {
            c++; /* a character starts here (not a UTF-8 continuation byte) */
        }
    }
    *line = l;
    *col = c;
}

const char *fp_version(void)
{
    return FP_VERSION_STRING;
}
