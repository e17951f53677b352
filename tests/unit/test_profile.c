/*
 * test_profile.c - unit tests of the profile model (profile/fp_profile.c): lifecycle, reuse,
 * interning, metadata, series, and fp_profile_check() on one bad profile per invariant.
 * and the JSON writer and reader (profile/fp_profile_json.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_profile.h"
#include "fp_test.h"

/* ---- shared fixture ---- */

static fp_span mk_span(uint32_t method, int32_t parent, double start, double dur)
{
    fp_span s;
    memset(&s, 0, sizeof(s));
    s.method = method;
    s.parent = parent;
    s.start_s = start;
    s.dur_s = dur;
    s.cpu_pct = 12.5;
    s.mem_alloc_mb = 1.0;
    s.mem_retained_mb = 0.25;
    s.io_ops = 3;
    s.io_bytes = 4096;
    return s;
}

static fp_profile *tp_make_good(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    uint32_t m0, m1, m2;
    CU_ASSERT_EQUAL_FATAL(
        fp_profile_set_meta(p, "checkout", 42, 3, "mt19937", "2.7", "simulated", 1), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "handle_request", &m0), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "validate_inputs", &m1), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "generate_draft", &m2), FP_OK);
    /* 0: [0,2] top; 1: [0.1,0.5] child; 2: [0.2,0.3] grandchild; 3: [0.6,1.9] child;
     * 4: [2,3] top; 5: [2.5,3] child of 4. */
    fp_span s[] = {mk_span(m0, -1, 0.0, 2.0), mk_span(m1, 0, 0.1, 0.4),  mk_span(m2, 1, 0.2, 0.1),
                   mk_span(m2, 0, 0.6, 1.3),  mk_span(m0, -1, 2.0, 1.0), mk_span(m1, 4, 2.5, 0.5)};
    s[3].track = 1;
    s[5].cpu_pct = 100.0;
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s[i], NULL), FP_OK);
    double *mem, *cpu, *iops, *ibytes;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 30, 0.1, &mem, &cpu, &iops, &ibytes), FP_OK);
    for (size_t i = 0; i < 30; i++) {
        mem[i] = 100.0 + (double)i;
        cpu[i] = (double)(i % 10) * 10.0;
        iops[i] = (double)i;
        ibytes[i] = (double)i * 512.0;
    }
    fp_truth t;
    memset(&t, 0, sizeof(t));
    t.kind = FP_KIND_SLOW_METHOD;
    t.target = (int32_t)m2;
    t.source = 0;
    t.start_s = 0.0;
    t.end_s = 3.0;
    t.magnitude = 3.5;
    t.affected_calls = 2;
    t.extra_s = 0.7;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    t.kind = FP_KIND_MEMORY_LEAK;
    t.target = FP_TARGET_PROCESS;
    t.source = 1;
    t.start_s = 1.0;
    t.affected_calls = 0;
    t.extra_s = 0;
    t.extra_mb = 2.0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    return p;
}

/* ---- suite model ---- */

static void test_new_empty(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL(fp_profile_method_count(p), 0);
    CU_ASSERT_EQUAL(fp_profile_span_count(p), 0);
    CU_ASSERT_PTR_NULL(fp_profile_spans(p));
    CU_ASSERT_EQUAL(fp_profile_truth_count(p), 0);
    CU_ASSERT_EQUAL(fp_profile_series(p).n, 0);
    CU_ASSERT_EQUAL(fp_profile_duration(p), 0.0);
    fp_meta m = fp_profile_meta(p);
    CU_ASSERT_STRING_EQUAL(m.scenario, "");
    CU_ASSERT_STRING_EQUAL(m.rng, "");
    CU_ASSERT_STRING_EQUAL(m.fpsim_version, fp_version());
    CU_ASSERT_EQUAL(m.simulated, 0);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    fp_profile_free(p);
    fp_profile_free(NULL);
}

static void test_meta(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    char name[] = "web";
    CU_ASSERT_EQUAL(fp_profile_set_meta(p, name, UINT64_MAX, 7, NULL, "2.7", NULL, 5), FP_OK);
    name[0] = 'X'; /* copied, not borrowed */
    fp_meta m = fp_profile_meta(p);
    CU_ASSERT_STRING_EQUAL(m.scenario, "web");
    CU_ASSERT_EQUAL(m.seed, UINT64_MAX);
    CU_ASSERT_EQUAL(m.run_index, 7);
    CU_ASSERT_STRING_EQUAL(m.rng, "");
    CU_ASSERT_STRING_EQUAL(m.gsl_version, "2.7");
    CU_ASSERT_STRING_EQUAL(m.source, "");
    CU_ASSERT_STRING_EQUAL(m.fpsim_version, fp_version());
    CU_ASSERT_EQUAL(m.simulated, 1);
    /* Setting from the profile's own current values is allowed. */
    CU_ASSERT_EQUAL(fp_profile_set_meta(p, m.scenario, 1, 2, m.rng, m.gsl_version, "x", 0), FP_OK);
    m = fp_profile_meta(p);
    CU_ASSERT_STRING_EQUAL(m.scenario, "web");
    CU_ASSERT_STRING_EQUAL(m.gsl_version, "2.7");
    CU_ASSERT_STRING_EQUAL(m.source, "x");
    fp_profile_free(p);
}

static void test_kind_names(void)
{
    const char *names[] = {"slow_method",    "latency_outliers", "memory_hotspot", "memory_leak",
                           "cpu_saturation", "call_storm",       "io_heavy"};
    CU_ASSERT_EQUAL(FP_KIND_COUNT, 7);
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        CU_ASSERT_STRING_EQUAL(fp_kind_name((fp_kind)k), names[k]);
        fp_kind out = FP_KIND_COUNT;
        CU_ASSERT_EQUAL(fp_kind_from_name(names[k], &out), FP_OK);
        CU_ASSERT_EQUAL(out, (fp_kind)k);
    }
    CU_ASSERT_PTR_NULL(fp_kind_name(FP_KIND_COUNT));
    CU_ASSERT_PTR_NULL(fp_kind_name((fp_kind)-1));
    fp_kind out = FP_KIND_IO_HEAVY;
    CU_ASSERT_EQUAL(fp_kind_from_name("slow", &out), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_kind_from_name("Slow_Method", &out), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_kind_from_name(NULL, &out), FP_EINVAL);
    CU_ASSERT_EQUAL(out, FP_KIND_IO_HEAVY);
}

static void test_intern_small(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    uint32_t a, b, c;
    CU_ASSERT_EQUAL(fp_profile_intern_method(p, "a", &a), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_intern_method(p, "b", &b), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_intern_method(p, "a", &c), FP_OK);
    CU_ASSERT_EQUAL(a, 0);
    CU_ASSERT_EQUAL(b, 1);
    CU_ASSERT_EQUAL(c, 0);
    CU_ASSERT_EQUAL(fp_profile_method_count(p), 2);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(p, 1), "b");
    CU_ASSERT_PTR_NULL(fp_profile_method_name(p, 2));
    CU_ASSERT_EQUAL(fp_profile_find_method(p, "b"), 1);
    CU_ASSERT_EQUAL(fp_profile_find_method(p, "c"), -1);
    CU_ASSERT_EQUAL(fp_profile_intern_method(p, "", &c), FP_OK);
    CU_ASSERT_EQUAL(c, 2);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(p, 2), "");
    fp_profile_free(p);
}

/* Crosses the linear/hash threshold and several hash growths; also after reset. */
static void test_intern_large(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    char name[32];
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < 5000; i++) {
            snprintf(name, sizeof(name), "m%lu", (unsigned long)i);
            uint32_t ix = 0;
            CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, name, &ix), FP_OK);
            CU_ASSERT_EQUAL_FATAL(ix, i);
        }
        CU_ASSERT_EQUAL(fp_profile_method_count(p), 5000);
        int bad = 0;
        for (uint32_t i = 0; i < 5000; i++) {
            snprintf(name, sizeof(name), "m%lu", (unsigned long)i);
            uint32_t ix = 0;
            bad += fp_profile_find_method(p, name) != (int32_t)i;
            bad += fp_profile_intern_method(p, name, &ix) != FP_OK || ix != i;
            bad += strcmp(fp_profile_method_name(p, i), name) != 0;
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(fp_profile_method_count(p), 5000);
        CU_ASSERT_EQUAL(fp_profile_find_method(p, "m5000"), -1);
        CU_ASSERT_EQUAL(fp_profile_find_method(p, "m"), -1);
        fp_profile_reset(p);
        CU_ASSERT_EQUAL(fp_profile_method_count(p), 0);
        CU_ASSERT_EQUAL(fp_profile_find_method(p, "m1"), -1);
        CU_ASSERT_EQUAL(fp_profile_find_method(p, "m100"), -1);
    }
    fp_profile_free(p);
}

/* Reset keeps capacity: refilling a profile to the same size allocates nothing. */
static void test_reset_reuses(void)
{
    fp_profile *p = tp_make_good();
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "extra_%d", i);
        CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, name, NULL), FP_OK);
    }
    fp_span s = mk_span(0, -1, 10.0, 1.0);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    fp_profile_reset(p);
    CU_ASSERT_EQUAL(fp_profile_span_count(p), 0);
    CU_ASSERT_EQUAL(fp_profile_method_count(p), 0);
    CU_ASSERT_EQUAL(fp_profile_truth_count(p), 0);
    CU_ASSERT_EQUAL(fp_profile_series(p).n, 0);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(p).scenario, "");
    CU_ASSERT_EQUAL(fp_profile_meta(p).seed, 0);

    fp_alloc_fail_after(1); /* any allocation from here on fails */
    CU_ASSERT_EQUAL(fp_profile_set_meta(p, "checkout", 1, 0, "mt19937", "2.7", "simulated", 1),
                    FP_OK);
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "extra_%d", i);
        CU_ASSERT_EQUAL(fp_profile_intern_method(p, name, NULL), FP_OK);
    }
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 30, 0.5, NULL, NULL, NULL, NULL), FP_OK);
    fp_truth t;
    memset(&t, 0, sizeof(t));
    CU_ASSERT_EQUAL(fp_profile_add_truth(p, &t), FP_OK);
    CU_ASSERT_EQUAL(fp_alloc_count(), 0);
    /* One more span than before needs no allocation either (capacity doubled); a much larger
     * table does, and fails cleanly. */
    CU_ASSERT_EQUAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 1000000, 0.5, NULL, NULL, NULL, NULL), FP_ENOMEM);
    fp_alloc_fail_after(0);
    CU_ASSERT_EQUAL(fp_profile_series(p).n, 30);
    CU_ASSERT_EQUAL(fp_profile_span_count(p), 1001);
    CU_ASSERT_EQUAL(fp_profile_method_count(p), 200);
    fp_profile_free(p);
}

static void test_series(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    double *mem = NULL, *cpu = NULL;
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 4, 0.0, &mem, NULL, NULL, NULL), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 4, -1.0, &mem, NULL, NULL, NULL), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 4, NAN, &mem, NULL, NULL, NULL), FP_EINVAL);
    CU_ASSERT_PTR_NULL(mem);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 0, 0.0, NULL, NULL, NULL, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 4, 0.25, &mem, &cpu, NULL, NULL), FP_OK);
    mem[3] = 7.0;
    cpu[0] = 50.0;
    fp_series s = fp_profile_series(p);
    CU_ASSERT_EQUAL(s.n, 4);
    CU_ASSERT_EQUAL(s.interval_s, 0.25);
    CU_ASSERT_EQUAL(s.mem_mb[3], 7.0);
    CU_ASSERT_EQUAL(s.cpu_pct[0], 50.0);
    CU_ASSERT_EQUAL(s.io_ops[2], 0.0);
    CU_ASSERT_EQUAL(fp_profile_duration(p), 1.0);
    /* Resizing zeroes the samples and keeps the buffers. */
    double *mem2 = NULL;
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 2, 0.5, &mem2, NULL, NULL, NULL), FP_OK);
    CU_ASSERT_PTR_EQUAL(mem2, mem);
    s = fp_profile_series(p);
    CU_ASSERT_EQUAL(s.mem_mb[0], 0.0);
    CU_ASSERT_EQUAL(s.cpu_pct[0], 0.0);
    CU_ASSERT_EQUAL(s.n, 2);
    fp_profile_free(p);
}

static void test_spans_duration(void)
{
    fp_profile *p = tp_make_good();
    CU_ASSERT_EQUAL(fp_profile_span_count(p), 6);
    const fp_span *s = fp_profile_spans(p);
    CU_ASSERT_EQUAL(s[3].track, 1);
    CU_ASSERT_EQUAL(s[5].parent, 4);
    /* Spans end at 3.0; the 30 samples of 0.1 s end at 30*0.1 = 3.0000000000000004. */
    CU_ASSERT_EQUAL(fp_profile_duration(p), 30 * 0.1);
    CU_ASSERT_EQUAL(fp_profile_series_resize(p, 0, 0.0, NULL, NULL, NULL, NULL), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_duration(p), 3.0);
    size_t ix = 0;
    fp_span extra = mk_span(0, -1, 3.0, 4.5);
    CU_ASSERT_EQUAL(fp_profile_add_span(p, &extra, &ix), FP_OK);
    CU_ASSERT_EQUAL(ix, 6);
    CU_ASSERT_EQUAL(fp_profile_duration(p), 7.5);
    fp_profile_spans_mut(p)[6].dur_s = 1.0;
    CU_ASSERT_EQUAL(fp_profile_duration(p), 4.0);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    fp_profile_free(p);
}

/* Allocation failure at every step of building a profile: FP_ENOMEM, no leak, no crash. */
static void test_alloc_fail(void)
{
    int done = 0;
    for (unsigned long n = 1; n < 200 && !done; n++) {
        fp_alloc_fail_after(n);
        fp_profile *p = fp_profile_new();
        fp_status st = p != NULL ? FP_OK : FP_ENOMEM;
        char name[32];
        for (int i = 0; st == FP_OK && i < 100; i++) {
            snprintf(name, sizeof(name), "method_%d", i);
            uint32_t ix;
            st = fp_profile_intern_method(p, name, &ix);
            if (st == FP_OK)
                CU_ASSERT_EQUAL(ix, (uint32_t)i);
        }
        if (st == FP_OK)
            st = fp_profile_set_meta(p, "s", 1, 2, "r", "g", "simulated", 1);
        fp_span s = mk_span(0, -1, 0, 1);
        for (int i = 0; st == FP_OK && i < 100; i++)
            st = fp_profile_add_span(p, &s, NULL);
        if (st == FP_OK)
            st = fp_profile_series_resize(p, 100, 0.1, NULL, NULL, NULL, NULL);
        fp_truth t;
        memset(&t, 0, sizeof(t));
        for (int i = 0; st == FP_OK && i < 40; i++)
            st = fp_profile_add_truth(p, &t);
        fp_alloc_fail_after(0);
        if (st == FP_OK) {
            done = 1;
        } else {
            CU_ASSERT_EQUAL(st, FP_ENOMEM);
            /* The profile is still consistent: every interned name is findable. */
            if (p != NULL) {
                for (size_t i = 0; i < fp_profile_method_count(p); i++)
                    CU_ASSERT_EQUAL(fp_profile_find_method(p, fp_profile_method_name(p, i)),
                                    (int32_t)i);
            }
        }
        fp_profile_free(p);
    }
    CU_ASSERT(done);
}

/* ---- suite check: one bad profile per invariant ---- */

static void expect_check(fp_profile *p, const char *msg, const char *path)
{
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(err.status, FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, msg);
    CU_ASSERT_STRING_EQUAL(err.key_path, path);
    if (strcmp(err.msg, msg) != 0 || strcmp(err.key_path, path) != 0)
        fprintf(stderr, "\n  got '%s' (%s)\n", err.msg, err.key_path);
    fp_profile_free(p);
}

static fp_span *good_spans(fp_profile **pp)
{
    *pp = tp_make_good();
    return fp_profile_spans_mut(*pp);
}

static void test_check_good(void)
{
    fp_profile *p = tp_make_good();
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    CU_ASSERT_EQUAL(err.status, FP_OK);
    /* A child exactly at its parent's edges, and 1e-10 s over them, is inside. */
    fp_span *s = fp_profile_spans_mut(p);
    s[5].dur_s = 0.5 + 1e-10;
    s[1].start_s = 0.0 - 0.0;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    /* Sibling starts may be equal. */
    s[3].start_s = s[1].start_s;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    fp_profile_free(p);
}

static void test_check_parent_index(void)
{
    fp_profile *p;
    good_spans(&p)[2].parent = 2;
    expect_check(p, "span 2: parent 2 must be -1 or an index smaller than the span's own (2)",
                 "spans[2].parent");
    good_spans(&p)[1].parent = 5;
    expect_check(p, "span 1: parent 5 must be -1 or an index smaller than the span's own (1)",
                 "spans[1].parent");
    good_spans(&p)[3].parent = -2;
    expect_check(p, "span 3: parent -2 must be -1 or an index smaller than the span's own (3)",
                 "spans[3].parent");
}

static void test_check_preorder(void)
{
    fp_profile *p;
    /* Span 5 claims parent 0, but span 4 (top level) already closed span 0's subtree. */
    fp_span *s = good_spans(&p);
    s[5].parent = 0;
    s[5].start_s = 1.0;
    expect_check(p,
                 "span 5: parent 0 is not an ancestor of the previous span (spans must be in "
                 "pre-order)",
                 "spans[5].parent");
}

static void test_check_sibling_order(void)
{
    fp_profile *p;
    fp_span *s = good_spans(&p);
    s[3].start_s = 0.05; /* sibling of span 1 which starts at 0.1 */
    s[3].dur_s = 1.0;
    expect_check(p,
                 "span 3: start_s 0.050000000000000003 is before its previous sibling's start "
                 "0.10000000000000001 (span 1)",
                 "spans[3].start_s");
    s = good_spans(&p);
    s[0].start_s = 0.05; /* top-level siblings too */
    s[0].dur_s = 1.95;
    s[4].start_s = 0.0;
    s[4].dur_s = 3.0;
    expect_check(p,
                 "span 4: start_s 0 is before its previous sibling's start 0.050000000000000003 "
                 "(span 0)",
                 "spans[4].start_s");
}

static void test_check_method_index(void)
{
    fp_profile *p;
    good_spans(&p)[2].method = 3;
    expect_check(p, "span 2: method index 3 out of range (3 methods)", "spans[2].method");
}

static void test_check_finite(void)
{
    static const char *const names[] = {"start_s",         "dur_s",  "cpu_pct", "mem_alloc_mb",
                                        "mem_retained_mb", "io_ops", "io_bytes"};
    for (int f = 0; f < 7; f++) {
        for (int inf = 0; inf < 2; inf++) {
            fp_profile *p;
            fp_span *s = good_spans(&p);
            double v = inf ? -INFINITY : NAN;
            double *fields[] = {&s[2].start_s,      &s[2].dur_s,           &s[2].cpu_pct,
                                &s[2].mem_alloc_mb, &s[2].mem_retained_mb, &s[2].io_ops,
                                &s[2].io_bytes};
            *fields[f] = v;
            char msg[128], path[64];
            snprintf(msg, sizeof(msg), "span 2: %s is not finite", names[f]);
            snprintf(path, sizeof(path), "spans[2].%s", names[f]);
            expect_check(p, msg, path);
        }
    }
    /* Finite start and duration whose sum overflows. */
    fp_profile *p;
    fp_span *s = good_spans(&p);
    s[4].start_s = 1e308;
    s[4].dur_s = 1e308;
    s[5].start_s = 1e308;
    expect_check(p, "span 4: start_s + dur_s is not finite", "spans[4].dur_s");
}

static void test_check_negative(void)
{
    static const char *const names[] = {"start_s",         "dur_s",  "cpu_pct", "mem_alloc_mb",
                                        "mem_retained_mb", "io_ops", "io_bytes"};
    for (int f = 0; f < 7; f++) {
        fp_profile *p;
        fp_span *s = good_spans(&p);
        double *fields[] = {&s[0].start_s,         &s[0].dur_s,  &s[0].cpu_pct, &s[0].mem_alloc_mb,
                            &s[0].mem_retained_mb, &s[0].io_ops, &s[0].io_bytes};
        *fields[f] = -0.5;
        char msg[128], path[64];
        snprintf(msg, sizeof(msg), "span 0: %s must be >= 0, got -0.5", names[f]);
        snprintf(path, sizeof(path), "spans[0].%s", names[f]);
        expect_check(p, msg, path);
    }
}

static void test_check_cpu_range(void)
{
    fp_profile *p;
    good_spans(&p)[5].cpu_pct = 100.5;
    expect_check(p, "span 5: cpu_pct must be in [0,100], got 100.5", "spans[5].cpu_pct");
}

static void test_check_inside_parent(void)
{
    fp_profile *p;
    fp_span *s = good_spans(&p);
    s[5].start_s = 2.0 - 2e-9; /* parent 4 starts at 2.0 */
    expect_check(p, "span 5: start_s 1.9999999980000001 is before its parent's start 2 (span 4)",
                 "spans[5].start_s");
    s = good_spans(&p);
    s[2].dur_s = 0.31; /* ends at 0.51, parent 1 ends at 0.5 */
    expect_check(p, "span 2: ends at 0.51000000000000001, after its parent's end 0.5 (span 1)",
                 "spans[2].dur_s");
    s = good_spans(&p);
    s[5].dur_s = 0.5 + 2e-9;
    expect_check(p, "span 5: ends at 3.0000000020000002, after its parent's end 3 (span 4)",
                 "spans[5].dur_s");
}

static void test_check_series(void)
{
    fp_profile *p = tp_make_good();
    double *mem, *cpu, *iops, *ibytes;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 0.5, &mem, &cpu, &iops, &ibytes), FP_OK);
    cpu[2] = 100.25;
    expect_check(p, "series cpu_pct[2] must be in [0,100], got 100.25", "series.cpu_pct[2]");
    p = tp_make_good();
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 0.5, &mem, &cpu, &iops, &ibytes), FP_OK);
    mem[1] = -1.0;
    expect_check(p, "series mem_mb[1] must be >= 0, got -1", "series.mem_mb[1]");
    p = tp_make_good();
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 0.5, &mem, &cpu, &iops, &ibytes), FP_OK);
    ibytes[0] = INFINITY;
    expect_check(p, "series io_bytes[0] is not finite, got inf", "series.io_bytes[0]");
    p = tp_make_good();
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 0.5, &mem, &cpu, &iops, &ibytes), FP_OK);
    iops[0] = NAN;
    expect_check(p, "series io_ops[0] is not finite, got nan", "series.io_ops[0]");
}

static void test_check_truth(void)
{
    fp_profile *p = tp_make_good();
    fp_truth t;
    memset(&t, 0, sizeof(t));
    t.kind = FP_KIND_COUNT;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    expect_check(p, "truth 2: kind 7 is not a known kind", "truth[2].kind");

    p = tp_make_good();
    memset(&t, 0, sizeof(t));
    t.target = 3;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    expect_check(p, "truth 2: target 3 out of range (3 methods)", "truth[2].target");

    p = tp_make_good();
    t.target = -2;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    expect_check(p, "truth 2: target -2 out of range (3 methods)", "truth[2].target");

    p = tp_make_good();
    memset(&t, 0, sizeof(t));
    t.extra_cpu_pct_s = NAN;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    expect_check(p, "truth 2: extra_cpu_pct_s is not finite", "truth[2].extra_cpu_pct_s");

    p = tp_make_good();
    memset(&t, 0, sizeof(t));
    t.start_s = -1.0;
    t.end_s = 1.0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    expect_check(p, "truth 2: start_s must be >= 0, got -1", "truth[2].start_s");

    p = tp_make_good();
    memset(&t, 0, sizeof(t));
    t.start_s = 2.0;
    t.end_s = 1.5;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    expect_check(p, "truth 2: end_s 1.5 is before start_s 2", "truth[2].end_s");
}

/* A deep chain and a wide fan-out of 10^5 spans check in linear time and pass. */
static void test_check_large(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "f", NULL), FP_OK);
    const size_t n = 100000;
    for (size_t i = 0; i < n; i++) {
        /* First half: a chain (each span inside the previous); second half: children of 0. */
        fp_span s = mk_span(0, i < n / 2 ? (int32_t)i - 1 : 0, 0.0, 0.0);
        if (i < n / 2) {
            s.start_s = (double)i * 1e-6;
            s.dur_s = 1.0 - 2.0 * s.start_s;
        } else {
            s.start_s = 0.5;
            s.dur_s = 0.0;
        }
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    }
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    fp_profile_free(p);
}

/* ---- registration ---- */

int fp_test_register(void)
{
    static const fp_test_case model[] = {{"new_empty", test_new_empty},
                                         {"meta", test_meta},
                                         {"kind_names", test_kind_names},
                                         {"intern_small", test_intern_small},
                                         {"intern_large", test_intern_large},
                                         {"reset_reuses", test_reset_reuses},
                                         {"series", test_series},
                                         {"spans_duration", test_spans_duration},
                                         {"alloc_fail", test_alloc_fail},
                                         {NULL, NULL}};
    static const fp_test_case check[] = {{"good", test_check_good},
                                         {"parent_index", test_check_parent_index},
                                         {"preorder", test_check_preorder},
                                         {"sibling_order", test_check_sibling_order},
                                         {"method_index", test_check_method_index},
                                         {"finite", test_check_finite},
                                         {"negative", test_check_negative},
                                         {"cpu_range", test_check_cpu_range},
                                         {"inside_parent", test_check_inside_parent},
                                         {"series", test_check_series},
                                         {"truth", test_check_truth},
                                         {"large", test_check_large},
                                         {NULL, NULL}};
    if (fp_test_add_suite("model", model) != 0 || fp_test_add_suite("check", check) != 0)
        return -1;
    return 0;
}
