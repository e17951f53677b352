/*
 * test_trace_stream.c - the Chrome trace reader on a file read in chunks
 * (fp_trace_read_chrome_file) against the same text read from memory (fp_trace_read_chrome):
 * same profile, stats and error (status, message, path, line, column) for the real traces, for
 * events and numbers cut by the 1 MiB read window at every offset, for events the reader must
 * keep (B/E pairs, process names) and for errors found late in a large file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_test.h"

/* The read window of fp_trace.c (SRC_CHUNK). */
#define WINDOW ((size_t)1 << 20)

typedef struct outcome {
    fp_status st;
    fp_error err;
    fp_trace_stats stats;
    char *chrome; /* the profile written back as a Chrome trace ("" when the read failed) */
} outcome;

static void outcome_free(outcome *o)
{
    free(o->chrome);
}

static void capture(outcome *o, fp_profile *p)
{
    size_t n = 0;
    FILE *m = open_memstream(&o->chrome, &n);
    CU_ASSERT_FATAL(m != NULL);
    if (o->st == FP_OK) {
        fp_error e = FP_ERROR_INIT;
        CU_ASSERT(fp_trace_write_chrome(p, m, &e) == FP_OK);
    }
    fclose(m);
}

static void read_mem(const char *text, size_t len, outcome *o)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    memset(o, 0, sizeof(*o));
    fp_error_clear(&o->err);
    o->st = fp_trace_read_chrome(p, text, len, "t.json", &o->stats, &o->err);
    capture(o, p);
    fp_profile_free(p);
}

static void read_file(const char *text, size_t len, outcome *o)
{
    FILE *f = tmpfile();
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_FATAL(fwrite(text, 1, len, f) == len);
    rewind(f);
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    memset(o, 0, sizeof(*o));
    fp_error_clear(&o->err);
    o->st = fp_trace_read_chrome_file(p, f, "t.json", &o->stats, &o->err);
    capture(o, p);
    fp_profile_free(p);
    fclose(f);
}

/* Both readers agree on `text`; returns the in-memory outcome's status. */
static fp_status same(const char *what, const char *text, size_t len)
{
    outcome a, b;
    read_mem(text, len, &a);
    read_file(text, len, &b);
    int ok = a.st == b.st && strcmp(a.err.msg, b.err.msg) == 0 &&
             strcmp(a.err.key_path, b.err.key_path) == 0 && strcmp(a.err.file, b.err.file) == 0 &&
             a.err.line == b.err.line && a.err.col == b.err.col &&
             memcmp(&a.stats, &b.stats, sizeof(a.stats)) == 0 && strcmp(a.chrome, b.chrome) == 0;
    if (!ok)
        fprintf(stderr, "\n%s: memory %d '%s' '%s' %lu:%lu, file %d '%s' '%s' %lu:%lu\n", what,
                (int)a.st, a.err.msg, a.err.key_path, a.err.line, a.err.col, (int)b.st, b.err.msg,
                b.err.key_path, b.err.line, b.err.col);
    CU_ASSERT(ok);
    fp_status st = a.st;
    outcome_free(&a);
    outcome_free(&b);
    return st;
}

static void test_real(void)
{
    static const char *const files[] = {"chromium-156-startup.json", "handwritten-counters.json",
                                        "node-v20-trace-events.json"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/traces/%s", FP_TEST_DATA, files[i]);
        char *text = fp_test_read_file(path, &len);
        CU_ASSERT_FATAL(text != NULL);
        CU_ASSERT_EQUAL(same(files[i], text, len), FP_OK);
        free(text);
    }
}

/* A growing text buffer. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        CU_ASSERT_FATAL(b->s != NULL);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void pad(sbuf *b, size_t upto)
{
    while (b->n < upto)
        put(b, " ", 1);
}

/* Every byte of an event (numbers, strings, literals, escapes) lands on the window's edge once. */
static void test_window_edge(void)
{
    static const char ev[] =
        "{\"ph\": \"X\", \"name\": \"f\\u00e9\\\"x\", \"ts\": 12345.678, \"dur\": 1e2, \"pid\": 1, "
        "\"tid\": 2, \"cat\": null, \"args\": {\"ok\": true, \"no\": false, \"cpu_pct\": 50}}";
    size_t failed = 0;
    for (size_t shift = 0; shift < sizeof(ev) + 2; shift++) {
        sbuf b = {NULL, 0, 0};
        puts_(&b, "{\"otherData\": {\"x\": [1, 2]}, \"traceEvents\": [");
        pad(&b, WINDOW - shift);
        puts_(&b, ev);
        puts_(&b, ",\n");
        puts_(&b, ev);
        puts_(&b, "], \"displayTimeUnit\": \"ns\"}");
        if (same("window edge", b.s, b.n) != FP_OK)
            failed++;
        free(b.s);
    }
    CU_ASSERT_EQUAL(failed, 0);
}

/* B/E pairs and the process name outlive their events; a name longer than the window. */
static void test_kept_and_long(void)
{
    sbuf b = {NULL, 0, 0};
    char line[256];
    puts_(&b, "[{\"ph\": \"M\", \"name\": \"process_name\", \"args\": {\"name\": \"proc\"}}");
    for (int i = 0; i < 30000; i++) {
        snprintf(line, sizeof(line),
                 ",\n{\"ph\": \"B\", \"name\": \"step%d\", \"ts\": %d, \"tid\": %d, \"args\": "
                 "{\"io_ops\": %d}},\n{\"ph\": \"E\", \"ts\": %d, \"tid\": %d}",
                 i % 7, i * 10, i % 3, i, i * 10 + 5, i % 3);
        puts_(&b, line);
    }
    puts_(&b, ",\n{\"ph\": \"X\", \"name\": \"");
    for (size_t i = 0; i < 3 * WINDOW; i++)
        put(&b, "a", 1);
    puts_(&b, "\", \"ts\": 400000, \"dur\": 3}]");
    CU_ASSERT_FATAL(b.n > 4 * WINDOW);
    CU_ASSERT_EQUAL(same("kept and long", b.s, b.n), FP_OK);
    outcome o;
    read_file(b.s, b.n, &o);
    CU_ASSERT_EQUAL(o.stats.spans, 30001);
    CU_ASSERT_EQUAL(o.stats.events, 60002);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.chrome, "\"args\": {\"name\": \"proc\"}"));
    outcome_free(&o);
    free(b.s);
}

/* Errors found after megabytes of good events: the same error as the whole-text reader. */
static void test_late_errors(void)
{
    static const char *const tails[] = {
        "]} x",                                                         /* trailing garbage */
        ", {\"ph\": \"X\", \"ts\": 1,}]}",                              /* malformed event */
        ", {\"ph\": \"X\", \"name\": \"a\", \"ts\": -1, \"dur\": 1}]}", /* a bad value */
        "], \"traceEvents\": []}",                                      /* duplicate key */
        "], \"displayTimeUnit\": \"s\"}",                               /* bad unit */
        "], \"otherData\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", /* too deep */
        ", {\"ph\": \"X\", \"name\": \"a\\u0000\"}]}", /* fine: an escaped NUL */
        "]",                                           /* unterminated object */
    };
    static const fp_status want[] = {FP_EPARSE, FP_EPARSE, FP_EINVAL, FP_EINVAL,
                                     FP_EINVAL, FP_ELIMIT, FP_EINVAL, FP_EPARSE};
    for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
        sbuf b = {NULL, 0, 0};
        puts_(&b, "{\"traceEvents\": [");
        for (int i = 0; b.n < 2 * WINDOW; i++) {
            char line[160];
            /* an event error early on: a syntax error later must still win, as before */
            snprintf(line, sizeof(line),
                     "%s{\"ph\": \"X\", \"name\": \"n\", \"ts\": %d, \"dur\": 1%s}\n", i ? "," : "",
                     i * 2, (t == 0 || t == 1) && i == 5 ? ", \"pid\": 0.5" : "");
            puts_(&b, line);
        }
        puts_(&b, tails[t]);
        char what[32];
        snprintf(what, sizeof(what), "late error %zu", t);
        CU_ASSERT_EQUAL(same(what, b.s, b.n), want[t]);
        free(b.s);
    }
    /* a NUL byte at the very end */
    sbuf b = {NULL, 0, 0};
    puts_(&b, "[");
    for (int i = 0; b.n < 2 * WINDOW; i++) {
        char line[160];
        snprintf(line, sizeof(line), "%s{\"ph\": \"X\", \"name\": \"n\", \"ts\": %d, \"dur\": 1}\n",
                 i ? "," : "", i * 2);
        puts_(&b, line);
    }
    put(&b, "]\0", 2);
    CU_ASSERT_EQUAL(same("late NUL", b.s, b.n), FP_EPARSE);
    free(b.s);
}

/*
 * The fast path (X and C events of strings, numbers and flat objects, parsed without cJSON)
 * gives what cJSON gives: each trace is read as written, then with every event given a member
 * "zz": [0], which the reader ignores but which sends the event the cJSON way. Same profile,
 * stats and error, event by event: tricky numbers, white space, args with strings, a nested
 * object one level too deep, duplicated keys, escapes, empty objects.
 */
static void test_fast_path(void)
{
    static const char *const events[] = {
        "{\"ph\":\"X\",\"name\":\"a\",\"ts\":1e3,\"dur\":1.5E+2,\"pid\":-0,\"tid\":7}",
        "{ \"ph\" : \"X\" ,\n\t\"name\" : \"b c\" , \"ts\" : 0.1 , \"dur\" : 12345678901234567 }",
        "{\"ph\":\"X\",\"name\":\"Source\",\"ts\":5,\"dur\":2,\"args\":{\"detail\":\"x.h\"}}",
        "{\"ph\":\"X\",\"name\":\"f\",\"ts\":5,\"dur\":2,\"args\":{\"data\":{\"functionName\":"
        "\"g\"}}}",
        "{\"ph\":\"X\",\"name\":\"h\",\"ts\":5,\"dur\":2,\"fpsim\":{\"span\":0,\"cpu_pct\":50}}",
        "{\"ph\":\"X\",\"name\":\"MajorGC\",\"ts\":9,\"dur\":1,\"args\":{\"usedHeapSizeAfter\":"
        "1048576}}",
        "{\"ph\":\"C\",\"name\":\"memory\",\"ts\":3,\"args\":{\"MB\":12.5}}",
        "{\"ph\":\"X\",\"name\":\"e\",\"ts\":5,\"dur\":2,\"args\":{}}",
        "{\"ph\":\"X\",\"name\":\"Total Frontend\",\"ts\":0,\"dur\":20}",
        "{\"ph\":\"X\",\"name\":\"d\",\"name\":\"d\",\"ts\":1,\"dur\":1}",
        "{\"ph\":\"X\",\"name\":\"a\\u0062\",\"ts\":1,\"dur\":1}",
        "{\"ph\":\"X\",\"name\":\"n\",\"ts\":1,\"dur\":-1}",
        "{\"ph\":\"X\",\"name\":\"n\",\"ts\":1,\"dur\":1,\"tid\":1.5}",
        "{\"ph\":\"X\",\"name\":\"n\",\"ts\":1,\"dur\":\"1\"}",
    };
    size_t n = sizeof(events) / sizeof(events[0]);
    for (size_t k = 0; k < n; k++) {
        char fast[512], slow[512];
        const char *ev = events[k];
        size_t len = strlen(ev);
        /* the event, and a span after it so that every trace has something to analyse */
        snprintf(fast, sizeof(fast), "[%s,{\"ph\":\"X\",\"name\":\"z\",\"ts\":100,\"dur\":1}]", ev);
        snprintf(slow, sizeof(slow),
                 "[%.*s,\"zz\":[0]},{\"ph\":\"X\",\"name\":\"z\",\"ts\":100,\"dur\":1,\"zz\":[0]}]",
                 (int)(len - 1), ev);
        outcome a, b;
        read_file(fast, strlen(fast), &a);
        read_file(slow, strlen(slow), &b);
        int ok = a.st == b.st && strcmp(a.err.msg, b.err.msg) == 0 &&
                 strcmp(a.err.key_path, b.err.key_path) == 0 &&
                 memcmp(&a.stats, &b.stats, sizeof(a.stats)) == 0 &&
                 strcmp(a.chrome, b.chrome) == 0;
        if (!ok)
            fprintf(stderr, "\nfast path, event %zu: %d '%s' vs %d '%s'\n", k, (int)a.st, a.err.msg,
                    (int)b.st, b.err.msg);
        CU_ASSERT(ok);
        outcome_free(&a);
        outcome_free(&b);
    }
}

int fp_test_register(void)
{
    static const fp_test_case stream[] = {{"real", test_real},
                                          {"window_edge", test_window_edge},
                                          {"kept_and_long", test_kept_and_long},
                                          {"late_errors", test_late_errors},
                                          {"fast_path", test_fast_path},
                                          {NULL, NULL}};
    return fp_test_add_suite("stream", stream);
}
