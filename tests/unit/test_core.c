/*
 * test_core.c - the shared core (profile/fp_core.h): the allocation seam's fail-after-N hook,
 * also when several threads allocate at once (run under ThreadSanitizer in .ci/run); the FNV-1a
 * hash against published vectors; the string map; line:column.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_core.h"
#include "fp_test.h"

/* ---- allocation seam ---- */

static void test_fail_after(void)
{
    fp_alloc_fail_after(3);
    void *a = fp_malloc(8), *b = fp_calloc(2, 8), *c = fp_malloc(8), *d = fp_realloc(NULL, 8);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NULL(c); /* the third and every later allocation fail */
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_EQUAL(fp_alloc_count(), 4);
    fp_alloc_fail_after(0); /* disables failures, restarts the count */
    CU_ASSERT_EQUAL(fp_alloc_count(), 0);
    c = fp_malloc(8);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_EQUAL(fp_alloc_count(), 1);
    fp_free(a);
    fp_free(b);
    fp_free(c);
}

#define N_THREADS 4
#define N_ALLOCS 2000

static void *alloc_worker(void *arg)
{
    unsigned long *failed = arg;
    for (int i = 0; i < N_ALLOCS; i++) {
        void *p = fp_malloc(16);
        if (p == NULL)
            (*failed)++;
        fp_free(p);
    }
    return NULL;
}

/* Runs N_THREADS allocating threads; returns the number of failed allocations in all of them. */
static unsigned long run_threads(void)
{
    pthread_t t[N_THREADS];
    unsigned long failed[N_THREADS];
    unsigned long sum = 0;
    int started = 0;
    memset(failed, 0, sizeof(failed));
    for (int i = 0; i < N_THREADS; i++)
        started += pthread_create(&t[i], NULL, alloc_worker, &failed[i]) == 0;
    CU_ASSERT_EQUAL_FATAL(started, N_THREADS);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(t[i], NULL);
        sum += failed[i];
    }
    return sum;
}

/* The counter is shared by every thread: no increment is lost, and the N-th allocation of the
 * whole process fails, whichever thread makes it. */
static void test_threads(void)
{
    fp_alloc_fail_after(0);
    CU_ASSERT_EQUAL(run_threads(), 0);
    CU_ASSERT_EQUAL(fp_alloc_count(), (unsigned long)N_THREADS * N_ALLOCS);
    unsigned long at = (unsigned long)N_THREADS * N_ALLOCS / 2;
    fp_alloc_fail_after(at);
    CU_ASSERT_EQUAL(run_threads(), (unsigned long)N_THREADS * N_ALLOCS - at + 1);
    fp_alloc_fail_after(0);
}

/* ---- hash ---- */

/* The FNV-1a 64 test vectors of the reference implementation (fnv_test.c, isthe.com). */
static void test_fnv1a(void)
{
    CU_ASSERT_EQUAL(fp_hash_str(""), UINT64_C(0xcbf29ce484222325));
    CU_ASSERT_EQUAL(fp_hash_str("a"), UINT64_C(0xaf63dc4c8601ec8c));
    CU_ASSERT_EQUAL(fp_hash_str("b"), UINT64_C(0xaf63df4c8601f1a5));
    CU_ASSERT_EQUAL(fp_hash_str("foo"), UINT64_C(0xdcb27518fed9d577));
    CU_ASSERT_EQUAL(fp_hash_str("foobar"), UINT64_C(0x85944171f73967e8));
    /* bytes: the same function, NULs and high bytes included */
    CU_ASSERT_EQUAL(fp_hash_bytes("foobar", 6), UINT64_C(0x85944171f73967e8));
    CU_ASSERT_EQUAL(fp_hash_bytes("", 1), UINT64_C(0xaf63bd4c8601b7df)); /* one NUL byte */
    CU_ASSERT_NOT_EQUAL(fp_hash_bytes("\xff", 1), fp_hash_bytes("\x7f", 1));
    /* continued: the same as one call over all the bytes; a separator keeps fields apart */
    CU_ASSERT_EQUAL(fp_hash_bytes_from(FP_HASH_INIT, "", 0), fp_hash_str(""));
    CU_ASSERT_EQUAL(fp_hash_bytes_from(fp_hash_bytes("foo", 3), "bar", 3), fp_hash_str("foobar"));
    uint64_t ab_c = fp_hash_bytes_from(fp_hash_bytes("ab", 3), "c", 1); /* "ab" NUL "c" */
    uint64_t a_bc = fp_hash_bytes_from(fp_hash_bytes("a", 2), "bc", 2); /* "a" NUL "bc" */
    CU_ASSERT_NOT_EQUAL(ab_c, a_bc);
}

/* fp_strerror: the errno message without strerror()'s shared buffer. */
static void test_strerror(void)
{
    char buf[128];
    CU_ASSERT_STRING_EQUAL(fp_strerror(ENOENT, buf, sizeof buf), strerror(ENOENT));
    CU_ASSERT_STRING_EQUAL(fp_strerror(EACCES, buf, sizeof buf), strerror(EACCES));
    CU_ASSERT_STRING_EQUAL(fp_strerror(ENOENT, NULL, 0), "unknown error");
    CU_ASSERT(fp_strerror(-12345, buf, sizeof buf)[0] != '\0');
}

/* ---- string map ---- */

/* Test table: n names "k0", "k1", ... in one buffer that moves on every growth. */
typedef struct names {
    char *buf;
    size_t len, n;
    size_t off[2000];
} names;

static const char *names_key(const void *ctx, size_t i)
{
    const names *t = ctx;
    return t->buf + t->off[i];
}

static void names_push(names *t, const char *s)
{
    size_t l = strlen(s) + 1;
    char *nb = malloc(t->len + l); /* always a new block: keys move between calls */
    CU_ASSERT_PTR_NOT_NULL_FATAL(nb);
    if (t->len > 0)
        memcpy(nb, t->buf, t->len);
    memcpy(nb + t->len, s, l);
    free(t->buf);
    t->buf = nb;
    t->off[t->n++] = t->len;
    t->len += l;
}

static void test_strmap(void)
{
    names t;
    memset(&t, 0, sizeof(t));
    fp_strmap m = FP_STRMAP_INIT;
    size_t ix = 99;
    char key[32];
    CU_ASSERT_EQUAL(fp_strmap_find(&m, "k0", names_key, &t, &ix), 0);
    for (size_t i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "k%zu", i);
        names_push(&t, key);
        CU_ASSERT_EQUAL_FATAL(fp_strmap_add(&m, i, names_key, &t), FP_OK);
    }
    CU_ASSERT_EQUAL(m.n, 2000);
    CU_ASSERT(m.cap >= 4000 && (m.cap & (m.cap - 1)) == 0); /* load <= 1/2, power of two */
    int all = 1;
    for (size_t i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "k%zu", i);
        all &= fp_strmap_find(&m, key, names_key, &t, &ix) == 1 && ix == i;
    }
    CU_ASSERT(all);
    CU_ASSERT_EQUAL(fp_strmap_find(&m, "k2000", names_key, &t, &ix), 0);
    CU_ASSERT_EQUAL(fp_strmap_find(&m, "", names_key, &t, &ix), 0);
    CU_ASSERT_EQUAL(fp_strmap_find(&m, "k", names_key, &t, &ix), 0);

    /* clear keeps the capacity: refilling to the same size allocates nothing */
    size_t cap = m.cap;
    fp_strmap_clear(&m);
    CU_ASSERT_EQUAL(m.n, 0);
    CU_ASSERT_EQUAL(fp_strmap_find(&m, "k0", names_key, &t, &ix), 0);
    fp_alloc_fail_after(1);
    for (size_t i = 0; i < 2000; i++)
        CU_ASSERT_EQUAL(fp_strmap_add(&m, i, names_key, &t), FP_OK);
    CU_ASSERT_EQUAL(fp_alloc_count(), 0);
    CU_ASSERT_EQUAL(m.cap, cap);
    CU_ASSERT(fp_strmap_find(&m, "k1999", names_key, &t, &ix) == 1 && ix == 1999);
    fp_alloc_fail_after(0);
    fp_strmap_cleanup(&m);
    CU_ASSERT_PTR_NULL(m.slots);
    CU_ASSERT_EQUAL(m.cap, 0);
    free(t.buf);
}

/* A failed growth leaves the map as it was; after a reserve, adding never allocates. */
static void test_strmap_nomem(void)
{
    names t;
    memset(&t, 0, sizeof(t));
    fp_strmap m;
    fp_strmap_init(&m);
    size_t ix;
    char key[32];
    for (size_t i = 0; i < 8; i++) { /* capacity 16 holds 8 */
        snprintf(key, sizeof(key), "name-%zu", i);
        names_push(&t, key);
        CU_ASSERT_EQUAL_FATAL(fp_strmap_add(&m, i, names_key, &t), FP_OK);
    }
    CU_ASSERT_EQUAL(m.cap, 16);
    names_push(&t, "name-8");
    fp_alloc_fail_after(1);
    CU_ASSERT_EQUAL(fp_strmap_add(&m, 8, names_key, &t), FP_ENOMEM);
    CU_ASSERT_EQUAL(fp_strmap_reserve(&m, 100, names_key, &t), FP_ENOMEM);
    fp_alloc_fail_after(0);
    CU_ASSERT_EQUAL(m.n, 8);
    CU_ASSERT_EQUAL(m.cap, 16);
    CU_ASSERT(fp_strmap_find(&m, "name-7", names_key, &t, &ix) == 1 && ix == 7);
    CU_ASSERT_EQUAL(fp_strmap_find(&m, "name-8", names_key, &t, &ix), 0);

    CU_ASSERT_EQUAL(fp_strmap_reserve(&m, 100, names_key, &t), FP_OK);
    CU_ASSERT(m.cap >= 200);
    CU_ASSERT(fp_strmap_find(&m, "name-3", names_key, &t, &ix) == 1 && ix == 3); /* rehashed */
    fp_alloc_fail_after(1);
    CU_ASSERT_EQUAL(fp_strmap_add(&m, 8, names_key, &t), FP_OK);
    for (size_t i = 9; i < 100; i++) {
        snprintf(key, sizeof(key), "name-%zu", i);
        names_push(&t, key);
        CU_ASSERT_EQUAL(fp_strmap_add(&m, i, names_key, &t), FP_OK);
    }
    CU_ASSERT_EQUAL(fp_alloc_count(), 0);
    fp_alloc_fail_after(0);
    CU_ASSERT(fp_strmap_find(&m, "name-99", names_key, &t, &ix) == 1 && ix == 99);
    CU_ASSERT_EQUAL(fp_strmap_add(&m, (size_t)UINT32_MAX - 1, names_key, &t), FP_ELIMIT);
    fp_strmap_cleanup(&m);
    fp_strmap_cleanup(&m); /* twice is harmless */
    free(t.buf);
}

/* ---- line:column ---- */

static void lc(const char *text, size_t off, fp_lc_mode mode, unsigned long line, unsigned long col)
{
    unsigned long l = 0, c = 0;
    fp_line_col(text, strlen(text), off, mode, &l, &c);
    if (l != line || c != col)
        fprintf(stderr, "\n  fp_line_col(\"%s\", %zu, %d) = %lu:%lu, expected %lu:%lu\n", text, off,
                (int)mode, l, c, line, col);
    CU_ASSERT(l == line && c == col);
}

static void test_line_col(void)
{
    /* both modes agree on ASCII with LF line ends */
    for (int m = FP_LC_BYTES; m <= FP_LC_CHARS; m++) {
        lc("", 0, (fp_lc_mode)m, 1, 1);
        lc("abc", 0, (fp_lc_mode)m, 1, 1);
        lc("abc", 2, (fp_lc_mode)m, 1, 3);
        lc("ab\ncd", 2, (fp_lc_mode)m, 1, 3); /* the LF itself is on line 1 */
        lc("ab\ncd", 3, (fp_lc_mode)m, 2, 1);
        lc("ab\ncd", 4, (fp_lc_mode)m, 2, 2);
        lc("ab\ncd", 5, (fp_lc_mode)m, 2, 3);  /* the end */
        lc("ab\ncd", 99, (fp_lc_mode)m, 2, 3); /* past the end: the end */
        lc("\n\n\nx", 3, (fp_lc_mode)m, 4, 1);
    }
    /* bytes: JSON (cJSON gives byte offsets); CR is an ordinary byte */
    lc("\xc3\xa9x", 2, FP_LC_BYTES, 1, 3);
    lc("a\r\nb", 2, FP_LC_BYTES, 1, 3);
    lc("a\r\nb", 3, FP_LC_BYTES, 2, 1);
    lc("a\rb", 2, FP_LC_BYTES, 1, 3);
    /* chars: YAML (libyaml's marks): UTF-8 characters, CRLF and lone CR end lines */
    lc("\xc3\xa9x", 2, FP_LC_CHARS, 1, 2);
    lc("\xe2\x82\xacx\xf0\x9f\x98\x80y", 8, FP_LC_CHARS, 1, 4);
    lc("a\r\nb", 2, FP_LC_CHARS, 1, 2); /* the CR of CRLF takes no column */
    lc("a\r\nb", 3, FP_LC_CHARS, 2, 1);
    lc("a\rb", 2, FP_LC_CHARS, 2, 1);
    lc("a\r", 2, FP_LC_CHARS, 2, 1); /* a CR at the end ends a line */
    lc("a\r\r\nb", 4, FP_LC_CHARS, 3, 1);
}

/* fp_fmt_double: every value reads back bit for bit (random bit patterns of every exponent,
 * subnormals, and uniform data-like values), the digits are the shortest that round-trip (as
 * found by trying %.1g ... %.17g) in more than 99 % of cases (Grisu2's conservative interval
 * misses a shorter one whose distance is within about 1e-3 ulp of the rounding boundary: then
 * up to 17 digits, still exact), and the layout follows %.17g's. */
/* Significant digits of a number's text: no leading zeros, nor an integer's trailing zeros. */
static int digits_of(const char *s)
{
    char d[40];
    int n = 0, dot = 0;
    for (; *s && *s != 'e'; s++) {
        dot |= *s == '.';
        if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
            d[n++] = *s;
    }
    while (!dot && n > 0 && d[n - 1] == '0')
        n--;
    return n;
}

static void test_fmt_double(void)
{
    static const struct {
        double v;
        const char *want;
    } fixed[] = {{0.1, "0.1"},
                 {0.5, "0.5"},
                 {100, "100"},
                 {1e-7, "1e-07"},
                 {0.0001, "0.0001"},
                 {1e17, "1e+17"},
                 {1e16, "10000000000000000"},
                 {123456789.123456789, "123456789.12345679"},
                 {0.1 + 0.2, "0.30000000000000004"},
                 {5e-324, "5e-324"},
                 {1.7976931348623157e308, "1.7976931348623157e+308"},
                 {-0.0, "-0"},
                 {0, "0"},
                 {-12.5, "-12.5"},
                 {1e21, "1e+21"},
                 {1e-300, "1e-300"}};
    char b[FP_FMT_DOUBLE_SIZE], c[40];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        CU_ASSERT_EQUAL(fp_fmt_double(b, fixed[i].v), strlen(fixed[i].want));
        CU_ASSERT_STRING_EQUAL(b, fixed[i].want);
    }
    uint64_t x = UINT64_C(88172645463325252);
    long not_shortest = 0, n = 0;
    for (long i = 0; i < 400000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        if (i % 2) {
            memcpy(&d, &x, sizeof d);
            if (isnan(d))
                continue;
        } else {
            d = (double)(x >> 11) / 9007199254740992.0 * 1000.0;
        }
        fp_fmt_double(b, d);
        double back = strtod(b, NULL);
        CU_ASSERT(memcmp(&back, &d, sizeof d) == 0);
        if (i % 16 == 0 && isfinite(d) && d != 0) {
            int p = 1;
            for (; p < 17; p++) {
                snprintf(c, sizeof c, "%.*g", p, d);
                if (strtod(c, NULL) == d)
                    break;
            }
            int mine = digits_of(b);
            CU_ASSERT(mine <= 17);
            not_shortest += mine > p;
            n++;
        }
    }
    CU_ASSERT(not_shortest * 100 < n); /* Grisu2: shortest in > 99 % */
}

/* fp_json_put_double: fp_fmt_double's text for a finite value under either policy; NaN is null
 * under both; the infinities are null (FP_NONFINITE_NULL) or +-1e999 (FP_NONFINITE_EXACT), which
 * strtod reads back as the same infinity. */
static void test_json_put_double(void)
{
    static const struct {
        double v;
        const char *null_policy, *exact_policy;
    } cases[] = {{0.1, "0.1", "0.1"},
                 {-0.0, "-0", "-0"},
                 {5e-324, "5e-324", "5e-324"},
                 {123456789.123456789, "123456789.12345679", "123456789.12345679"},
                 {(double)NAN, "null", "null"},
                 {(double)INFINITY, "null", "1e999"},
                 {-(double)INFINITY, "null", "-1e999"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int exact = 0; exact < 2; exact++) {
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            CU_ASSERT_FATAL(f != NULL);
            fp_json_put_double(f, cases[i].v, exact ? FP_NONFINITE_EXACT : FP_NONFINITE_NULL);
            CU_ASSERT_FATAL(fclose(f) == 0);
            CU_ASSERT_STRING_EQUAL(buf, exact ? cases[i].exact_policy : cases[i].null_policy);
            if (exact && !isnan(cases[i].v)) {
                double back = strtod(buf, NULL);
                CU_ASSERT(memcmp(&back, &cases[i].v, sizeof back) == 0);
            }
            free(buf);
        }
    }
}

int fp_test_register(void)
{
    static const fp_test_case alloc[] = {
        {"fail_after", test_fail_after}, {"threads", test_threads}, {NULL, NULL}};
    static const fp_test_case hash[] = {{"fnv1a", test_fnv1a},
                                        {"strerror", test_strerror},
                                        {"fmt_double", test_fmt_double},
                                        {"json_put_double", test_json_put_double},
                                        {NULL, NULL}};
    static const fp_test_case strmap[] = {
        {"strmap", test_strmap}, {"nomem", test_strmap_nomem}, {NULL, NULL}};
    static const fp_test_case line_col[] = {{"line_col", test_line_col}, {NULL, NULL}};
    if (fp_test_add_suite("alloc", alloc) != 0 || fp_test_add_suite("hash", hash) != 0 ||
        fp_test_add_suite("strmap", strmap) != 0 || fp_test_add_suite("line_col", line_col) != 0)
        return -1;
    return 0;
}
