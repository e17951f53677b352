/*
 * test_realtraces.c - tracer conventions of the Chrome trace reader (profile/fp_trace.c) and the
 * analysis of real traces with planted problems (tests/data/traces/real/, recorded by
 * scripts/record-traces/; each trace's truth is in its .truth.txt). docs/real-traces.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_analysis.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_test.h"

/* Reads `text` as a Chrome trace (must succeed) and analyses it with default thresholds. */
static fp_profile *read_text(const char *text, size_t len, fp_trace_stats *ts)
{
    fp_profile *p = fp_profile_new();
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_FATAL(p != NULL);
    fp_status st = fp_trace_read_chrome(p, text, len, "t.json", ts, &err);
    if (st != FP_OK)
        fprintf(stderr, "read: %s (%s)\n", err.msg, err.key_path);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    return p;
}

static fp_profile *read_real(const char *name, fp_trace_stats *ts)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/traces/real/%s", FP_TEST_DATA, name);
    char *text = fp_test_read_file(path, &len);
    CU_ASSERT_FATAL(text != NULL);
    fp_profile *p = read_text(text, len, ts);
    free(text);
    return p;
}

static fp_analysis *analyse(const fp_profile *p)
{
    fp_analysis *a = NULL;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(fp_analyze(&a, p, NULL, &err), FP_OK);
    return a;
}

/* Index of the first finding of `kind` on `target` (NULL: the process), or -1. */
static long find(const fp_analysis *a, fp_kind kind, const char *target)
{
    size_t n;
    const fp_finding *f = fp_analysis_findings(a, &n);
    for (size_t i = 0; i < n; i++)
        if (f[i].kind == kind && (target == NULL ? f[i].target == FP_TARGET_PROCESS
                                                 : strcmp(f[i].target_name, target) == 0))
            return (long)i;
    return -1;
}

static void print_findings(const char *what, const fp_analysis *a)
{
    size_t n;
    const fp_finding *f = fp_analysis_findings(a, &n);
    for (size_t i = 0; i < n && i < 5; i++)
        fprintf(stderr, "%s #%zu %s %s impact %.1f\n", what, i, fp_kind_name(f[i].kind),
                f[i].target_name, f[i].impact);
}

/* 1 when `text` prints a duration in scientific notation ("6.8e-05 s"). */
static int sci_seconds(const char *text)
{
    for (const char *c = strstr(text, "e-"); c != NULL; c = strstr(c + 2, "e-")) {
        const char *d = c + 2;
        while (*d >= '0' && *d <= '9')
            d++;
        if (d > c + 2 && strncmp(d, " s", 2) == 0)
            return 1;
    }
    return 0;
}

/* Root causes print sub-millisecond durations in a unit that fits, never "6.8e-05 s". */
static void check_texts(const fp_analysis *a)
{
    size_t n;
    const fp_finding *f = fp_analysis_findings(a, &n);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_FALSE(sci_seconds(f[i].root_cause));
        if (sci_seconds(f[i].root_cause))
            fprintf(stderr, "scientific seconds: %s\n", f[i].root_cause);
    }
}

/* ---- conventions on small inline traces ---- */

/* clang: generic names take args.detail; "Total ..." summaries are left out (counted). */
static void test_detail_and_totals(void)
{
    const char *t =
        "{\"traceEvents\":["
        "{\"ph\":\"X\",\"name\":\"Source\",\"ts\":0,\"dur\":100,\"pid\":1,\"tid\":1,"
        "\"args\":{\"detail\":\"./heavy.h\"}},"
        "{\"ph\":\"X\",\"name\":\"InstantiateFunction\",\"ts\":120,\"dur\":50,\"pid\":1,"
        "\"tid\":1,\"args\":{\"detail\":\"std::sort<int *>\"}},"
        "{\"ph\":\"X\",\"name\":\"Total Source\",\"ts\":0,\"dur\":100,\"pid\":1,\"tid\":2},"
        "{\"ph\":\"X\",\"name\":\"Total Frontend\",\"ts\":0,\"dur\":170,\"pid\":1,\"tid\":3}]}";
    fp_trace_stats ts;
    fp_profile *p = read_text(t, strlen(t), &ts);
    CU_ASSERT_EQUAL(fp_profile_span_count(p), 2);
    CU_ASSERT_EQUAL(ts.summaries, 2);
    CU_ASSERT_EQUAL(ts.threads, 1);
    CU_ASSERT(fp_profile_find_method(p, "Source ./heavy.h") >= 0);
    CU_ASSERT(fp_profile_find_method(p, "InstantiateFunction std::sort<int *>") >= 0);
    CU_ASSERT(fp_profile_find_method(p, "Total Source") < 0);
    CU_ASSERT(fp_profile_find_method(p, "Source") < 0);
    /* No memory or CPU in this trace: marked unknown. */
    CU_ASSERT_EQUAL(fp_profile_data(p), 0u);
    fp_profile_free(p);
}

/*
 * An async pair is keyed by its id and category as two fields: id "0xe," of category
 * "node.console" and id "0x" of category "e,node.console" are different pairs, though their
 * concatenations are equal, so this e closes nothing and the b is left open.
 */
static void test_async_id_cat_separate(void)
{
    const char *t =
        "{\"traceEvents\":["
        "{\"ph\":\"X\",\"cat\":\"node\",\"name\":\"RunTimers\",\"ts\":1000,"
        "\"dur\":5000,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"b\",\"cat\":\"node.console\",\"name\":\"time::work\",\"id\":\"0xe,\","
        "\"ts\":1100,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"e\",\"cat\":\"e,node.console\",\"name\":\"time::work\",\"id\":\"0x\","
        "\"ts\":5900,\"pid\":7,\"tid\":7}]}";
    fp_trace_stats ts;
    fp_profile *p = read_text(t, strlen(t), &ts);
    int32_t work = fp_profile_find_method(p, "work");
    const fp_span *s = fp_profile_spans(p);
    for (size_t i = 0; i < fp_profile_span_count(p); i++)
        CU_ASSERT(work < 0 || s[i].method != (uint32_t)work || s[i].dur_s != 0.0048);
    fp_profile_free(p);
}

/*
 * Node: console.time b/e pairs become spans on an async lane of their thread, parented to the
 * event-loop phase (a container) that ran them; an e without a b is ignored; async events of
 * other categories are ignored; a GC end's usedHeapSizeAfter is a memory sample.
 */
static void test_async_user_timing(void)
{
    const char *t =
        "{\"traceEvents\":["
        "{\"ph\":\"X\",\"cat\":\"node,node.environment\",\"name\":\"RunTimers\",\"ts\":1000,"
        "\"dur\":5000,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"b\",\"cat\":\"node,node.console\",\"name\":\"time::work\",\"id\":\"0x0\","
        "\"ts\":1100,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"e\",\"cat\":\"node,node.console\",\"name\":\"time::work\",\"id\":\"0x0\","
        "\"ts\":5900,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"e\",\"cat\":\"node,node.console\",\"name\":\"time::orphan\",\"id\":\"0x0\","
        "\"ts\":900,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"b\",\"cat\":\"node,node.async_hooks\",\"name\":\"Timeout\",\"id\":\"0x1\","
        "\"ts\":1000,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"B\",\"cat\":\"v8\",\"name\":\"MinorGC\",\"ts\":2000,\"pid\":7,\"tid\":7},"
        "{\"ph\":\"E\",\"cat\":\"v8\",\"name\":\"MinorGC\",\"ts\":2100,\"pid\":7,\"tid\":7,"
        "\"args\":{\"usedHeapSizeAfter\":10485760}}]}";
    fp_trace_stats ts;
    fp_profile *p = read_text(t, strlen(t), &ts);
    CU_ASSERT_EQUAL(fp_profile_span_count(p), 3);
    CU_ASSERT_EQUAL(ts.ignored, 2); /* the orphan e and the async_hooks b */
    int32_t work = fp_profile_find_method(p, "work");
    int32_t timers = fp_profile_find_method(p, "RunTimers");
    CU_ASSERT_FATAL(work >= 0 && timers >= 0);
    CU_ASSERT_EQUAL(fp_profile_method_flags(p, (size_t)timers), FP_METHOD_CONTAINER);
    CU_ASSERT_EQUAL(fp_profile_method_flags(p, (size_t)work), 0u);
    const fp_span *s = fp_profile_spans(p);
    for (size_t i = 0; i < fp_profile_span_count(p); i++) {
        if (s[i].method != (uint32_t)work)
            continue;
        CU_ASSERT(s[i].parent >= 0);
        CU_ASSERT_EQUAL(s[s[i].parent].method, (uint32_t)timers);
        CU_ASSERT_NOT_EQUAL(s[i].track, s[s[i].parent].track);
        CU_ASSERT_DOUBLE_EQUAL(s[i].dur_s, 0.0048, 1e-12);
    }
    /* memory in the series (V8 heap sizes), no thread time in the trace: CPU unknown */
    CU_ASSERT_EQUAL(fp_profile_data(p), FP_DATA_MEM | FP_DATA_SERIES_MEM);
    fp_series ser = fp_profile_series(p);
    CU_ASSERT(ser.n > 0);
    if (ser.n > 0)
        CU_ASSERT_DOUBLE_EQUAL(ser.mem_mb[ser.n - 1], 10.0, 1e-9);
    /* The container's time goes to the user span inside it: its self time is what is left. */
    fp_analysis *a = analyse(p);
    size_t nm;
    const fp_method_metrics *mm = fp_analysis_methods(a, &nm);
    CU_ASSERT(mm[timers].container);
    CU_ASSERT(mm[timers].self_s < 0.0003);
    CU_ASSERT(find(a, FP_KIND_SLOW_METHOD, "RunTimers") < 0);
    CU_ASSERT(find(a, FP_KIND_SLOW_METHOD, "work") >= 0);
    /* CPU is unknown: cpu_saturation did not run, the run's CPU figures say so. */
    CU_ASSERT(fp_analysis_not_run(a) & (1u << FP_KIND_CPU_SATURATION));
    CU_ASSERT_FALSE(fp_analysis_not_run(a) & (1u << FP_KIND_MEMORY_LEAK));
    CU_ASSERT_EQUAL(fp_analysis_run(a)->cpu_source, FP_SOURCE_NONE);
    CU_ASSERT_EQUAL(fp_analysis_run(a)->mem_source, FP_SOURCE_SERIES);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* Recursion is counted once: a call inside a call of the same method adds nothing to the total. */
/* B/E thread time: the tts difference over the wall time; a heap series carries no CPU, so the
 * run's CPU comes from the spans (not 0 % from the series). Bad tts is no data, not an error. */
static void test_read_thread_time(void)
{
    const char *text =
        "[{\"ph\":\"B\",\"name\":\"a\",\"ts\":0,\"tts\":10,\"pid\":1,\"tid\":1},"
        "{\"ph\":\"E\",\"name\":\"a\",\"ts\":1000,\"tts\":510,\"pid\":1,\"tid\":1},"
        "{\"ph\":\"X\",\"name\":\"b\",\"ts\":1000,\"dur\":1000,\"tdur\":\"x\",\"pid\":1,"
        "\"tid\":1},"
        "{\"ph\":\"X\",\"name\":\"c\",\"ts\":2000,\"dur\":10,\"tdur\":12,\"pid\":1,"
        "\"tid\":1},"
        "{\"ph\":\"C\",\"name\":\"mem\",\"ts\":0,\"pid\":1,\"args\":{\"bytes\":1048576}},"
        "{\"ph\":\"C\",\"name\":\"mem\",\"ts\":2010,\"pid\":1,\"args\":{\"bytes\":2097152}}]";
    fp_trace_stats ts;
    fp_profile *q = read_text(text, strlen(text), &ts);
    CU_ASSERT_EQUAL(fp_profile_data(q), FP_DATA_MEM | FP_DATA_SERIES_MEM | FP_DATA_CPU);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 3);
    const fp_span *sp = fp_profile_spans(q);
    for (size_t i = 0; i < 3; i++) {
        const char *name = fp_profile_method_name(q, sp[i].method);
        double want = strcmp(name, "a") == 0   ? 50.0   /* (510 - 10) / 1000 */
                      : strcmp(name, "b") == 0 ? 0.0    /* tdur not a number: no data */
                                               : 100.0; /* 12 / 10, capped */
        CU_ASSERT_DOUBLE_EQUAL(sp[i].cpu_pct, want, 1e-6);
    }
    fp_analysis *a = analyse(q);
    const fp_run_metrics *rm = fp_analysis_run(a);
    CU_ASSERT_EQUAL(rm->cpu_source, FP_SOURCE_SPANS);
    CU_ASSERT_EQUAL(rm->mem_source, FP_SOURCE_SERIES);
    CU_ASSERT_DOUBLE_EQUAL(rm->peak_cpu_pct, 100.0, 1e-6);
    CU_ASSERT(rm->avg_cpu_pct > 20.0); /* 500 + 10 us of CPU over 2010 us */
    CU_ASSERT_DOUBLE_EQUAL(rm->peak_mem_mb, 2.0, 1e-9);
    fp_analysis_free(a);
    fp_profile_free(q);
}

static void test_recursion_once(void)
{
    const char *t = "[{\"ph\":\"X\",\"name\":\"f\",\"ts\":0,\"dur\":1000000,\"tid\":1},"
                    "{\"ph\":\"X\",\"name\":\"f\",\"ts\":100000,\"dur\":800000,\"tid\":1},"
                    "{\"ph\":\"X\",\"name\":\"f\",\"ts\":200000,\"dur\":600000,\"tid\":1},"
                    "{\"ph\":\"X\",\"name\":\"g\",\"ts\":1000000,\"dur\":500000,\"tid\":1}]";
    fp_trace_stats ts;
    fp_profile *p = read_text(t, strlen(t), &ts);
    fp_analysis *a = analyse(p);
    size_t nm;
    const fp_method_metrics *mm = fp_analysis_methods(a, &nm);
    int32_t f = fp_profile_find_method(p, "f");
    CU_ASSERT_FATAL(f >= 0);
    CU_ASSERT_EQUAL(mm[f].calls, 3);
    CU_ASSERT_DOUBLE_EQUAL(mm[f].total_s, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(mm[f].mean_s, 0.8, 1e-12); /* per call: inclusive, every call */
    CU_ASSERT_DOUBLE_EQUAL(mm[f].self_s, 1.0, 1e-12);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* ---- recorded traces with planted problems ---- */

/* Node.js trace events: slowParse (6 x 2.5 s) and a 96 MB leak (node-slow-leak.truth.txt). */
static void test_node(void)
{
    fp_trace_stats ts;
    fp_profile *p = read_real("node-slow-leak.trace.json", &ts);
    fp_analysis *a = analyse(p);
    size_t n;
    const fp_finding *f = fp_analysis_findings(a, &n);
    long slow = find(a, FP_KIND_SLOW_METHOD, "slowParse");
    long leak = find(a, FP_KIND_MEMORY_LEAK, NULL);
    if (slow < 0 || leak < 0 || slow > 1 || leak > 1)
        print_findings("node", a);
    CU_ASSERT(slow >= 0);
    CU_ASSERT(leak >= 0);
    /* Both planted problems are the top two findings, the slow function first: its saving
     * (bringing it within both slow_method rules, 94 % of the run) costs more of the run's
     * time than the leak (about 62 MB of a 115 MB peak) does of its memory. */
    CU_ASSERT_EQUAL(slow, 0);
    CU_ASSERT_EQUAL(leak, 1);
    CU_ASSERT(n >= 2 && f[0].cost > f[1].cost);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(strcmp(f[i].target_name, "RunTimers") != 0);
        CU_ASSERT(strcmp(f[i].target_name, "RunAndClearNativeImmediates") != 0);
        CU_ASSERT(strcmp(f[i].target_name, "CheckImmediate") != 0);
        if (f[i].kind == FP_KIND_SLOW_METHOD) {
            CU_ASSERT_EQUAL((long)i, slow); /* the first slow method is the planted one */
            break;
        }
    }
    CU_ASSERT(fp_analysis_run(a)->peak_mem_mb > 96.0);
    check_texts(a);
    /* CPU from the spans' thread time (tdur, tts), not from the heap series. slowParse is a
     * busy loop, but the recording machine was shared: its thread clock advanced 4140 ms over
     * its 15016 ms of wall time (tts of its console.time b/e pairs), 27.6 %. */
    CU_ASSERT_EQUAL(fp_analysis_run(a)->cpu_source, FP_SOURCE_SPANS);
    CU_ASSERT(fp_analysis_run(a)->avg_cpu_pct > 0.0);
    size_t nm;
    const fp_method_metrics *mm = fp_analysis_methods(a, &nm);
    int seen = 0;
    for (size_t i = 0; i < nm; i++)
        if (strcmp(mm[i].name, "slowParse") == 0) {
            CU_ASSERT_DOUBLE_EQUAL(mm[i].cpu_pct, 27.6, 1.0);
            seen = 1;
        }
    CU_ASSERT(seen);
    for (size_t i = 0; i < n; i++) /* thread time adds no finding on tracer machinery */
        CU_ASSERT(f[i].kind != FP_KIND_CPU_SATURATION ||
                  strcmp(f[i].target_name, "slowParse") == 0);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* clang++ -ftime-trace: heavy_header.h and planted_kernel<int> (clang-heavy.truth.txt). */
static void test_clang_heavy(void)
{
    fp_trace_stats ts;
    fp_profile *p = read_real("clang-heavy.trace.json", &ts);
    fp_analysis *a = analyse(p);
    size_t n;
    const fp_finding *f = fp_analysis_findings(a, &n);
    long header = find(a, FP_KIND_SLOW_METHOD, "Source ./heavy_header.h");
    long kernel = find(a, FP_KIND_SLOW_METHOD, "InstantiateFunction planted_kernel<int>");
    if (header < 0 || kernel < 0 || header > 1 || kernel > 1)
        print_findings("clang", a);
    CU_ASSERT(header >= 0 && header <= 1);
    CU_ASSERT(kernel >= 0 && kernel <= 1);
    CU_ASSERT(ts.summaries > 0);
    for (size_t m = 0; m < fp_profile_method_count(p); m++)
        CU_ASSERT(strncmp(fp_profile_method_name(p, m), "Total ", 6) != 0);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT(f[i].impact > 0.0);
    /* Recursion counted once: no method's total exceeds the compile. */
    size_t nm;
    const fp_method_metrics *mm = fp_analysis_methods(a, &nm);
    double dur = fp_analysis_run(a)->duration_s;
    for (size_t m = 0; m < nm; m++)
        CU_ASSERT(mm[m].total_s <= dur + 1e-9);
    CU_ASSERT_NOT_EQUAL(fp_analysis_status(a), FP_SCORE_POOR);
    CU_ASSERT_EQUAL(fp_profile_data(p), 0u);
    check_texts(a);
    CU_ASSERT(fp_analysis_not_run(a) & (1u << FP_KIND_MEMORY_LEAK));
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* clang -ftime-trace of a normal file: nothing planted, nothing found, not "poor". */
static void test_clang_normal(void)
{
    fp_trace_stats ts;
    fp_profile *p = read_real("clang-normal.trace.json", &ts);
    fp_analysis *a = analyse(p);
    size_t n;
    fp_analysis_findings(a, &n);
    if (n != 0)
        print_findings("clang-normal", a);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_NOT_EQUAL(fp_analysis_status(a), FP_SCORE_POOR);
    CU_ASSERT(ts.summaries > 0);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* Chromium headless: the 1.5 s longTask (performance.measure) is the top finding. */
static void test_chromium(void)
{
    fp_trace_stats ts;
    fp_profile *p = read_real("chromium-long-task.trace.json", &ts);
    fp_analysis *a = analyse(p);
    size_t n;
    const fp_finding *f = fp_analysis_findings(a, &n);
    if (n == 0 || strcmp(f[0].target_name, "longTask") != 0)
        print_findings("chromium", a);
    CU_ASSERT_FATAL(n > 0);
    CU_ASSERT_EQUAL(f[0].kind, FP_KIND_SLOW_METHOD);
    CU_ASSERT_STRING_EQUAL(f[0].target_name, "longTask");
    int32_t rt = fp_profile_find_method(p, "ThreadControllerImpl::RunTask");
    CU_ASSERT(rt >= 0 && (fp_profile_method_flags(p, (size_t)rt) & FP_METHOD_CONTAINER));
    for (size_t i = 0; i < n; i++)
        CU_ASSERT(strstr(f[i].target_name, "RunTask") == NULL);
    /* UpdateCounters carry the JS heap (the series); CPU is the spans' thread time (tdur) */
    CU_ASSERT_EQUAL(fp_profile_data(p), FP_DATA_MEM | FP_DATA_SERIES_MEM | FP_DATA_CPU);
    CU_ASSERT_EQUAL(fp_analysis_run(a)->cpu_source, FP_SOURCE_SPANS);
    for (size_t i = 0; i < n; i++) /* thread time adds no cpu_saturation finding */
        CU_ASSERT(f[i].kind != FP_KIND_CPU_SATURATION);
    check_texts(a);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* Chromium memory-infra dumps (chromium-memory.truth.txt): the renderer's private footprint at
 * each periodic dump (0, 55.3 and 93.5 MB while the page retains 8 MB every 200 ms) is the
 * memory series. */
static void test_chromium_memory(void)
{
    fp_trace_stats ts;
    fp_profile *p = read_real("chromium-memory.trace.json", &ts);
    fp_analysis *a = analyse(p);
    CU_ASSERT_EQUAL(ts.counters, 3); /* the three dumps, each a memory sample */
    CU_ASSERT(strchr(ts.ignored_phases, 'v') == NULL);
    CU_ASSERT(fp_profile_data(p) & FP_DATA_MEM);
    CU_ASSERT(fp_profile_data(p) & FP_DATA_SERIES_MEM);
    CU_ASSERT_EQUAL(fp_analysis_run(a)->mem_source, FP_SOURCE_SERIES);
    /* 0x5d7c000 bytes = 93.484375 MB, the last and largest dump */
    CU_ASSERT_DOUBLE_EQUAL(fp_analysis_run(a)->peak_mem_mb, 93.484375, 1e-9);
    CU_ASSERT(fp_analysis_run(a)->avg_mem_mb > 0.0);
    check_texts(a);
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* A dump whose totals are not a hex string, or that has none, is ignored; resident_set_bytes
 * stands in when private_footprint_bytes is absent; the first process that reports wins. */
static void test_memory_dumps(void)
{
    static const char text[] =
        "{\"traceEvents\": ["
        "{\"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": 0, \"dur\": 3000000, \"name\": \"w\"},"
        "{\"ph\": \"v\", \"pid\": 1, \"tid\": -1, \"ts\": 0, \"name\": \"periodic_interval\","
        " \"args\": {\"dumps\": {\"process_totals\": {\"resident_set_bytes\": \"100000\"}}}},"
        "{\"ph\": \"v\", \"pid\": 2, \"tid\": -1, \"ts\": 1000000, \"name\": \"periodic_interval\","
        " \"args\": {\"dumps\": {\"process_totals\": {\"private_footprint_bytes\": \"f000000\"}}}},"
        "{\"ph\": \"v\", \"pid\": 1, \"tid\": -1, \"ts\": 2000000, \"name\": \"periodic_interval\","
        " \"args\": {\"dumps\": {\"process_totals\": {\"resident_set_bytes\": \"200000\"}}}},"
        "{\"ph\": \"v\", \"pid\": 1, \"tid\": -1, \"ts\": 2500000, \"name\": \"periodic_interval\","
        " \"args\": {\"dumps\": {\"process_totals\": {\"resident_set_bytes\": \"0x12\"}}}},"
        "{\"ph\": \"v\", \"pid\": 1, \"tid\": -1, \"ts\": 2600000, \"name\": \"detailed\","
        " \"args\": {\"dumps\": {\"allocators\": {}}}}]}";
    fp_trace_stats ts;
    fp_profile *p = read_text(text, sizeof(text) - 1, &ts);
    CU_ASSERT_EQUAL(ts.counters, 2); /* pid 1 at 0 s and 2 s; pid 2 is a second process */
    CU_ASSERT_EQUAL(ts.ignored, 3);  /* pid 2's dump, "0x12", the dump without totals */
    CU_ASSERT(strchr(ts.ignored_phases, 'v') != NULL);
    fp_analysis *a = analyse(p);
    CU_ASSERT_DOUBLE_EQUAL(fp_analysis_run(a)->peak_mem_mb, 2.0, 1e-9); /* 0x200000 bytes */
    fp_analysis_free(a);
    fp_profile_free(p);
}

/* The text check itself. */
static void test_sci_seconds(void)
{
    CU_ASSERT_TRUE(sci_seconds("median own time of 6.8e-05 s (modified"));
    CU_ASSERT_FALSE(sci_seconds("median own time of 68 \xc2\xb5s (p = 3.3e-05)"));
    CU_ASSERT_FALSE(sci_seconds("takes 0.306 s"));
}

int fp_test_register(void)
{
    static const fp_test_case conventions[] = {
        {"detail_totals", test_detail_and_totals}, {"async_user_timing", test_async_user_timing},
        {"memory_dumps", test_memory_dumps},       {"async_id_cat", test_async_id_cat_separate},
        {"recursion", test_recursion_once},        {"thread_time", test_read_thread_time},
        {"sci_seconds", test_sci_seconds},         {NULL, NULL}};
    static const fp_test_case recorded[] = {{"node", test_node},
                                            {"clang_heavy", test_clang_heavy},
                                            {"clang_normal", test_clang_normal},
                                            {"chromium", test_chromium},
                                            {"chromium_memory", test_chromium_memory},
                                            {NULL, NULL}};
    if (fp_test_add_suite("conventions", conventions) != 0 ||
        fp_test_add_suite("recorded", recorded) != 0)
        return -1;
    return 0;
}
