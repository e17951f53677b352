/*
 * test_formats.c - unit tests of the format converters (profile/fp_trace.c, profile/fp_export.c):
 * exact output of every writer on a small hand-built profile, the Chrome trace round trip, the
 * trace reader on hand-written and real traces (tests/data/traces), and one test per class of bad
 * trace input with its exact message and event path; the input reader (profile/fp_input.c) on
 * runs documents, directories and generate indexes, and the runs document writer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp_escape.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_scenario.h"
#include "fp_sim.h"
#include "fp_test.h"

#include <cjson/cJSON.h>
#include <zlib.h>

/* ---- fixture ---- */

static fp_span mk(uint32_t method, int32_t parent, uint32_t track, double start, double dur)
{
    fp_span s;
    memset(&s, 0, sizeof(s));
    s.method = method;
    s.parent = parent;
    s.track = track;
    s.start_s = start;
    s.dur_s = dur;
    s.cpu_pct = 50.0;
    s.mem_alloc_mb = 2.0;
    s.mem_retained_mb = 0.5;
    s.io_ops = 1.0;
    s.io_bytes = 4096.0;
    return s;
}

/*
 * main [0,2] on track 0 with two children: io [0.25,1.5] on track 1 (a parallel callee, whose
 * parent runs on another track) and work [0.5,1.5] on track 0; then main [2,3]. Self times:
 * main 2 - |[0.25,1.5]| = 0.75 and 1, io 1.25, work 1. Series: 3 samples of 1 s.
 */
static fp_profile *make_small(void)
{
    fp_profile *p = fp_profile_new();
    uint32_t m_main, m_work, m_io;
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(fp_profile_set_meta(p, "demo", 42, 1, "mt19937", "2.7.1", "simulated", 1),
                          FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "main", &m_main), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "work", &m_work), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "io;x", &m_io), FP_OK);
    fp_span s[] = {mk(m_main, -1, 0, 0.0, 2.0), mk(m_io, 0, 1, 0.25, 1.25),
                   mk(m_work, 0, 0, 0.5, 1.0), mk(m_main, -1, 0, 2.0, 1.0)};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s[i], NULL), FP_OK);
    double *mem, *cpu, *ops, *bytes;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 1.0, &mem, &cpu, &ops, &bytes), FP_OK);
    for (size_t k = 0; k < 3; k++) {
        mem[k] = 100.0 + 0.5 * (double)k;
        cpu[k] = 25.0 * (double)k;
        ops[k] = (double)k;
        bytes[k] = 512.0 * (double)k;
    }
    fp_truth t;
    memset(&t, 0, sizeof(t));
    t.kind = FP_KIND_SLOW_METHOD;
    t.target = (int32_t)m_work;
    t.start_s = 0.5;
    t.end_s = 3.0;
    t.magnitude = 2.0;
    t.affected_calls = 1;
    t.extra_s = 0.5;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    t.kind = FP_KIND_MEMORY_LEAK;
    t.target = FP_TARGET_PROCESS;
    t.extra_s = 0.0;
    t.extra_mb = 1.0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_check(p, NULL), FP_OK);
    return p;
}

typedef fp_status (*writer_fn)(const fp_profile *, FILE *, fp_error *);

/* Runs `fn` into a memory buffer; returns the text (free with free()). */
static char *write_to_string(writer_fn fn, const fp_profile *p, fp_status *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(f != NULL);
    fp_error err = FP_ERROR_INIT;
    *st = fn(p, f, &err);
    fclose(f);
    return buf;
}

static void expect_output(writer_fn fn, const fp_profile *p, const char *want)
{
    fp_status st;
    char *got = write_to_string(fn, p, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n--- got:\n%s\n--- want:\n%s\n", got, want);
    free(got);
}

/* ---- writers ---- */

static void test_names(void)
{
    fp_format f = FP_FORMAT_COUNT;
    CU_ASSERT_EQUAL(fp_format_from_name("speedscope", &f), FP_OK);
    CU_ASSERT_EQUAL(f, FP_FORMAT_SPEEDSCOPE);
    CU_ASSERT_EQUAL(fp_format_from_name("Chrome", &f), FP_EINVAL);
    CU_ASSERT_EQUAL(f, FP_FORMAT_SPEEDSCOPE);
    CU_ASSERT_STRING_EQUAL(fp_format_ext(FP_FORMAT_CHROME), "trace.json");
    CU_ASSERT_STRING_EQUAL(fp_format_name(FP_FORMAT_TRUTH), "truth");
    CU_ASSERT_PTR_NULL(fp_format_name(FP_FORMAT_COUNT));
    CU_ASSERT_PTR_NULL(fp_format_ext((fp_format)-1));
}

static void test_folded(void)
{
    fp_profile *p = make_small();
    /* ';' in a method name would split the frame: it is written as ':'. */
    expect_output(fp_export_folded, p, "main 1750000\nmain;io:x 1250000\nmain;work 1000000\n");
    fp_profile_free(p);
}

/* One folded frame rule (fp_escape.h): ';' as ':', white space and control bytes as '_'. */
static void test_folded_names(void)
{
    fp_profile *p = fp_profile_new();
    uint32_t a, b;
    CU_ASSERT_FATAL(p != NULL);
    fp_profile_intern_method(p, "a b", &a);
    fp_profile_intern_method(p, "x;\x1b[2J\x7f", &b);
    fp_span s[] = {mk(a, -1, 0, 0.0, 2e-6), mk(b, 0, 0, 0.0, 1e-6)};
    for (size_t i = 0; i < 2; i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s[i], NULL), FP_OK);
    expect_output(fp_export_folded, p, "a_b 1\na_b;x:_[2J_ 1\n");
    CU_ASSERT_EQUAL(fp_folded_char('\t'), '_');
    CU_ASSERT_EQUAL(fp_folded_char('\xc3'), '\xc3'); /* UTF-8 passes */
    fp_profile_free(p);
}

/* A stack whose self time rounds to 0 us is omitted; equal stacks are summed before rounding. */
static void test_folded_rounding(void)
{
    fp_profile *p = fp_profile_new();
    uint32_t a, b;
    CU_ASSERT_FATAL(p != NULL);
    fp_profile_intern_method(p, "a", &a);
    fp_profile_intern_method(p, "b", &b);
    fp_span s[] = {mk(a, -1, 0, 0.0, 1e-6), mk(b, 0, 0, 0.0, 0.6e-6), mk(a, -1, 0, 1.0, 0.3e-6),
                   mk(a, -1, 0, 2.0, 0.3e-6)};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s[i], NULL), FP_OK);
    /* a: 0.4 + 0.3 + 0.3 = 1.0 us; a;b: 0.6 us -> 1. */
    expect_output(fp_export_folded, p, "a 1\na;b 1\n");
    fp_profile_free(p);
}

static void test_csv(void)
{
    fp_profile *p = make_small();
    expect_output(fp_export_series_csv, p,
                  "sample,start_s,mem_mb,cpu_pct,io_ops,io_bytes\r\n"
                  "0,0,100,0,0,0\r\n1,1,100.5,25,1,512\r\n2,2,101,50,2,1024\r\n");
    fp_profile_free(p);
}

static void test_manifest(void)
{
    fp_profile *p = make_small();
    expect_output(
        fp_export_manifest, p,
        "{\n  \"fpsim_manifest\": 1,\n  \"scenario\": \"demo\",\n  \"seed\": \"42\",\n"
        "  \"run_index\": 1,\n  \"rng\": \"mt19937\",\n  \"gsl_version\": \"2.7.1\",\n"
        "  \"fpsim_version\": \"0.1.0\",\n  \"simulated\": true,\n  \"duration_s\": 3,\n"
        "  \"injected\": [\n"
        "    {\"kind\": \"slow_method\", \"target\": \"work\", \"source\": 0, \"start_s\": 0.5, "
        "\"end_s\": 3, \"magnitude\": 2, \"affected_calls\": 1, \"extra_s\": 0.5, \"extra_mb\": 0, "
        "\"extra_calls\": 0, \"extra_io_ops\": 0, \"extra_io_bytes\": 0, \"extra_cpu_pct_s\": 0},\n"
        "    {\"kind\": \"memory_leak\", \"target\": null, \"source\": 0, \"start_s\": 0.5, "
        "\"end_s\": 3, \"magnitude\": 2, \"affected_calls\": 1, \"extra_s\": 0, \"extra_mb\": 1, "
        "\"extra_calls\": 0, \"extra_io_ops\": 0, \"extra_io_bytes\": 0, \"extra_cpu_pct_s\": 0}\n"
        "  ]\n}\n");
    fp_profile_free(p);
}

static void test_speedscope(void)
{
    fp_profile *p = make_small();
    expect_output(fp_export_speedscope, p,
                  "{\n  \"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n"
                  "  \"name\": \"demo run 1\",\n  \"exporter\": \"fpsim 0.1.0\",\n"
                  "  \"activeProfileIndex\": 0,\n"
                  "  \"shared\": {\"frames\": [{\"name\": \"main\"}, {\"name\": \"work\"}, "
                  "{\"name\": \"io;x\"}]},\n  \"profiles\": [\n"
                  "    {\"type\": \"evented\", \"name\": \"track 0\", \"unit\": \"seconds\", "
                  "\"startValue\": 0, \"endValue\": 3, \"events\": [\n"
                  "        {\"type\": \"O\", \"frame\": 0, \"at\": 0},\n"
                  "        {\"type\": \"O\", \"frame\": 1, \"at\": 0.5},\n"
                  "        {\"type\": \"C\", \"frame\": 1, \"at\": 1.5},\n"
                  "        {\"type\": \"C\", \"frame\": 0, \"at\": 2},\n"
                  "        {\"type\": \"O\", \"frame\": 0, \"at\": 2},\n"
                  "        {\"type\": \"C\", \"frame\": 0, \"at\": 3}\n      ]},\n"
                  "    {\"type\": \"evented\", \"name\": \"track 1\", \"unit\": \"seconds\", "
                  "\"startValue\": 0, \"endValue\": 3, \"events\": [\n"
                  "        {\"type\": \"O\", \"frame\": 2, \"at\": 0.25},\n"
                  "        {\"type\": \"C\", \"frame\": 2, \"at\": 1.5}\n      ]}\n  ]\n}\n");
    fp_profile_free(p);
}

/* Back-to-back calls whose first start + dur lands a few ulps past the next start (a generated
 * memory-intensive run): the first closes before the second opens (events O C O C), so
 * speedscope does not nest the second in the first and cut it to nothing. */
static void test_speedscope_back_to_back(void)
{
    fp_profile *p = fp_profile_new();
    uint32_t m;
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "conduct_research", &m), FP_OK);
    fp_span s[] = {mk(m, -1, 0, 0.33018099970473513, 2.2206816189788867),
                   mk(m, -1, 0, 2.5508626186836216, 1.7451710069399415)};
    CU_ASSERT_FATAL(s[0].start_s + s[0].dur_s > s[1].start_s); /* the float overlap */
    for (size_t i = 0; i < 2; i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s[i], NULL), FP_OK);
    fp_status st;
    char *got = write_to_string(fp_export_speedscope, p, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    char types[8] = "";
    size_t nt = 0;
    for (const char *q = strstr(got, "\"type\": \""); q != NULL && nt + 1 < sizeof(types);
         q = strstr(q + 1, "\"type\": \"")) {
        char c = q[strlen("\"type\": \"")];
        if (c == 'O' || c == 'C')
            types[nt++] = c;
    }
    types[nt] = '\0';
    CU_ASSERT_STRING_EQUAL(types, "OCOC");
    /* the second call keeps its length: it closes at its own end */
    CU_ASSERT_PTR_NOT_NULL(
        strstr(got, "{\"type\": \"C\", \"frame\": 0, \"at\": 4.296033625623563}"));
    free(got);
    fp_profile_free(p);
}

static void test_speedscope_empty(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    fp_status st;
    char *got = write_to_string(fp_export_speedscope, p, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"name\": \"track 0\", \"unit\": \"seconds\", "
                                       "\"startValue\": 0, \"endValue\": 0, \"events\": []}"));
    free(got);
    got = write_to_string(fp_export_folded, p, &st);
    CU_ASSERT_EQUAL(st, FP_OK);
    CU_ASSERT_STRING_EQUAL(got, "");
    free(got);
    got = write_to_string(fp_export_series_csv, p, &st);
    CU_ASSERT_STRING_EQUAL(got, "sample,start_s,mem_mb,cpu_pct,io_ops,io_bytes\r\n");
    free(got);
    fp_profile_free(p);
}

static void test_chrome_write(void)
{
    fp_profile *p = make_small();
    expect_output(
        fp_trace_write_chrome, p,
        "{\"traceEvents\": [\n"
        "{\"ph\": \"M\", \"pid\": 1, \"tid\": 0, \"name\": \"process_name\", \"args\": {\"name\": "
        "\"demo\"}},\n"
        "{\"ph\": \"M\", \"pid\": 1, \"tid\": 0, \"name\": \"thread_name\", \"args\": {\"name\": "
        "\"track 0\"}},\n"
        "{\"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"name\": \"thread_name\", \"args\": {\"name\": "
        "\"track 1\"}},\n"
        "{\"ph\": \"X\", \"pid\": 1, \"tid\": 0, \"name\": \"main\", \"cat\": \"fpsim\", \"ts\": "
        "0, "
        "\"dur\": 2000000, \"fpsim\": {\"span\": 0, \"parent\": -1, \"cpu_pct\": 50, "
        "\"mem_alloc_mb\": 2, \"mem_retained_mb\": 0.5, \"io_ops\": 1, \"io_bytes\": 4096}},\n"
        "{\"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"name\": \"io;x\", \"cat\": \"fpsim\", \"ts\": "
        "250000, \"dur\": 1250000, \"fpsim\": {\"span\": 1, \"parent\": 0, \"cpu_pct\": "
        "50, \"mem_alloc_mb\": 2, \"mem_retained_mb\": 0.5, \"io_ops\": 1, \"io_bytes\": 4096}},\n"
        "{\"ph\": \"X\", \"pid\": 1, \"tid\": 0, \"name\": \"work\", \"cat\": \"fpsim\", \"ts\": "
        "500000, \"dur\": 1000000, \"fpsim\": {\"span\": 2, \"parent\": 0, \"cpu_pct\": "
        "50, \"mem_alloc_mb\": 2, \"mem_retained_mb\": 0.5, \"io_ops\": 1, \"io_bytes\": 4096}},\n"
        "{\"ph\": \"X\", \"pid\": 1, \"tid\": 0, \"name\": \"main\", \"cat\": \"fpsim\", \"ts\": "
        "2000000, \"dur\": 1000000, \"fpsim\": {\"span\": 3, \"parent\": -1, "
        "\"cpu_pct\": 50, \"mem_alloc_mb\": 2, \"mem_retained_mb\": 0.5, \"io_ops\": 1, "
        "\"io_bytes\": 4096}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"memory\", \"ts\": 0, \"args\": "
        "{\"MB\": 100}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"cpu\", \"ts\": 0, \"args\": "
        "{\"percent\": 0}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"io\", \"ts\": 0, \"args\": {\"ops\": "
        "0, "
        "\"bytes\": 0}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"memory\", \"ts\": 1000000, \"args\": "
        "{\"MB\": 100.5}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"cpu\", \"ts\": 1000000, \"args\": "
        "{\"percent\": 25}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"io\", \"ts\": 1000000, \"args\": "
        "{\"ops\": 1, \"bytes\": 512}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"memory\", \"ts\": 2000000, \"args\": "
        "{\"MB\": 101}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"cpu\", \"ts\": 2000000, \"args\": "
        "{\"percent\": 50}},\n"
        "{\"ph\": \"C\", \"pid\": 1, \"tid\": 0, \"name\": \"io\", \"ts\": 2000000, \"args\": "
        "{\"ops\": 2, \"bytes\": 1024}}\n"
        "],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {\"producer\": \"fpsim\", "
        "\"fpsim_version\": \"0.1.0\", \"scenario\": \"demo\", \"seed\": \"42\", \"run_index\": 1, "
        "\"rng\": \"mt19937\", \"gsl_version\": \"2.7.1\"}}\n");
    fp_profile_free(p);
}

/* One X event of an exported trace, as a strict consumer sees it. */
typedef struct x_event {
    double tid, ts, dur, span, parent;
} x_event;

static int cmp_x_event(const void *a, const void *b)
{
    const x_event *x = a, *y = b;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->dur != y->dur) /* the enclosing span first */
        return x->dur > y->dur ? -1 : 1;
    return x->span < y->span ? -1 : (x->span > y->span);
}

/*
 * Checks strict nesting of an exported trace with no tolerance: integer ts and dur; per thread,
 * in time order, each span either lies inside the innermost open span or starts at or after its
 * end; and each span lies inside the span its fpsim_parent names (across threads too). Returns
 * the number of violations.
 */
static size_t strict_nesting_violations(const char *text)
{
    cJSON *root = cJSON_Parse(text);
    CU_ASSERT_FATAL(root != NULL);
    const cJSON *evs = cJSON_GetObjectItemCaseSensitive(root, "traceEvents");
    size_t n = 0, bad = 0, cap = (size_t)cJSON_GetArraySize(evs);
    x_event *x = calloc(cap + 1, sizeof(*x));
    x_event *by_span = calloc(cap + 1, sizeof(*x));
    CU_ASSERT_FATAL(x != NULL && by_span != NULL);
    for (const cJSON *e = evs->child; e != NULL; e = e->next) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(e, "ph")->valuestring, "X") != 0)
            continue;
        /* Ids sit in the top-level "fpsim" object; no args, which speedscope folds into the
         * frame name (a unique value per span stops it from merging frames). */
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(e, "fpsim");
        CU_ASSERT_FATAL(cJSON_IsObject(ids));
        bad += cJSON_GetObjectItemCaseSensitive(e, "args") != NULL;
        x_event v = {cJSON_GetObjectItemCaseSensitive(e, "tid")->valuedouble,
                     cJSON_GetObjectItemCaseSensitive(e, "ts")->valuedouble,
                     cJSON_GetObjectItemCaseSensitive(e, "dur")->valuedouble,
                     cJSON_GetObjectItemCaseSensitive(ids, "span")->valuedouble,
                     cJSON_GetObjectItemCaseSensitive(ids, "parent")->valuedouble};
        bad += v.ts != floor(v.ts) || v.dur != floor(v.dur) || v.dur < 0;
        by_span[(size_t)v.span] = v;
        x[n++] = v;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i].parent >= 0) {
            const x_event *q = &by_span[(size_t)x[i].parent];
            bad += x[i].ts < q->ts || x[i].ts + x[i].dur > q->ts + q->dur;
        }
    qsort(x, n, sizeof(*x), cmp_x_event);
    size_t *stack = calloc(n + 1, sizeof(size_t)), depth = 0;
    CU_ASSERT_FATAL(stack != NULL);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && x[i].tid != x[i - 1].tid)
            depth = 0;
        while (depth > 0 && x[i].ts >= x[stack[depth - 1]].ts + x[stack[depth - 1]].dur &&
               !(x[i].dur == 0 && x[i].ts == x[stack[depth - 1]].ts))
            depth--;
        if (depth > 0) {
            const x_event *top = &x[stack[depth - 1]];
            bad += x[i].ts + x[i].dur > top->ts + top->dur;
        }
        stack[depth++] = i;
    }
    free(stack);
    free(x);
    free(by_span);
    cJSON_Delete(root);
    return bad;
}

/* Every exported trace of the built-in scenarios' runs nests strictly (issue 10: back-to-back
 * spans overlapped by ~1e-8 us when ts and dur were scaled separately). */
static void test_chrome_strict_nesting(void)
{
    static const char *const names[] = {"optimal", "bottlenecked", "memory-intensive",
                                        "cpu-intensive"};
    size_t spans = 0;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", FP_SOURCE_DIR, names[k]);
        fp_scenario *scn = NULL;
        fp_sim *sim = NULL;
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_EQUAL_FATAL(fp_scenario_load_file(&scn, path, &err), FP_OK);
        CU_ASSERT_EQUAL_FATAL(fp_sim_new(&sim, scn, NULL, &err), FP_OK);
        fp_profile *p = fp_profile_new();
        CU_ASSERT_FATAL(p != NULL);
        for (uint64_t run = 0; run < 3; run++) {
            CU_ASSERT_EQUAL_FATAL(fp_sim_run(sim, 42, run, p, &err), FP_OK);
            fp_status st;
            char *text = write_to_string(fp_trace_write_chrome, p, &st);
            CU_ASSERT_EQUAL_FATAL(st, FP_OK);
            size_t bad = strict_nesting_violations(text);
            if (bad != 0)
                fprintf(stderr, "%s run %u: %zu nesting violations\n", names[k], (unsigned)run,
                        bad);
            CU_ASSERT_EQUAL(bad, 0);
            spans += fp_profile_span_count(p);
            free(text);
        }
        fp_profile_free(p);
        fp_sim_free(sim);
        fp_scenario_free(scn);
    }
    CU_ASSERT(spans > 1000);
}

/* The check itself catches the overlap that fractional ts/dur produced. */
static void test_chrome_strict_nesting_detects(void)
{
    CU_ASSERT_EQUAL(
        strict_nesting_violations(
            "{\"traceEvents\": [{\"ph\": \"X\", \"tid\": 0, \"ts\": 0, \"dur\": 10, \"fpsim\": "
            "{\"span\": 0, \"parent\": -1}}, {\"ph\": \"X\", \"tid\": 0, \"ts\": 5, "
            "\"dur\": 6, \"fpsim\": {\"span\": 1, \"parent\": -1}}]}"),
        1);
    CU_ASSERT_EQUAL(
        strict_nesting_violations(
            "{\"traceEvents\": [{\"ph\": \"X\", \"tid\": 0, \"ts\": 0.5, \"dur\": 10, \"fpsim\": "
            "{\"span\": 0, \"parent\": -1}}, {\"ph\": \"X\", \"tid\": 1, \"ts\": 5, "
            "\"dur\": 6, \"fpsim\": {\"span\": 1, \"parent\": 0}}]}"),
        2);
}

/* Writers refuse a profile that breaks the invariants, and report a dead stream as FP_EIO. */
static void test_write_errors(void)
{
    fp_profile *p = make_small();
    fp_profile_spans_mut(p)[2].dur_s = NAN;
    writer_fn fns[] = {fp_trace_write_chrome, fp_export_folded, fp_export_speedscope,
                       fp_export_series_csv, fp_export_manifest};
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        fp_error err = FP_ERROR_INIT;
        FILE *f = fopen("/dev/null", "w");
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT_EQUAL(fns[i](p, f, &err), FP_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.key_path, "spans[2].dur_s");
        fclose(f);
    }
    fp_profile_free(p);
    p = make_small();
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        fp_error err = FP_ERROR_INIT;
        FILE *f = fopen("/dev/null", "r"); /* writes fail: ferror is set */
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT_EQUAL(fns[i](p, f, &err), FP_EIO);
        fclose(f);
    }
    fp_profile_free(p);
}

/* ---- round trip and reader ---- */

static fp_profile *read_trace(const char *text, size_t len, fp_trace_stats *stats, fp_error *err,
                              fp_status *st)
{
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    *st = fp_trace_read_chrome(q, text, len, "t.json", stats, err);
    return q;
}

/* Instants are counted as markers; tdur is the span's thread CPU. */
static void test_read_instants(void)
{
    const char *text = "[{\"ph\":\"X\",\"name\":\"a\",\"ts\":0,\"dur\":100,\"tts\":5,\"tdur\":25},"
                       "{\"ph\":\"i\",\"name\":\"mark\",\"ts\":50,\"s\":\"t\"},"
                       "{\"ph\":\"I\",\"name\":\"mark\",\"ts\":51,\"args\":{}},"
                       "{\"ph\":\"n\",\"name\":\"m2\",\"ts\":60,\"cat\":\"x\",\"id\":1},"
                       "{\"ph\":\"i\",\"name\":\"p\",\"ts\":70,\"s\":\"p\",\"pid\":3},"
                       "{\"ph\":\"I\",\"ts\":\"bad\"}]";
    fp_trace_stats ts;
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    fp_profile *q = read_trace(text, strlen(text), &ts, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL(ts.instants, 5); /* the one without a valid ts is only counted */
    CU_ASSERT_EQUAL(ts.ignored, 0);  /* kept as markers, not ignored */
    CU_ASSERT_EQUAL_FATAL(fp_profile_marker_count(q), 4);
    double t;
    uint32_t track;
    /* thread-scoped on the X's thread (pid and tid absent: 0, as the span's): its track */
    CU_ASSERT_STRING_EQUAL(fp_profile_marker(q, 0, &t, &track), "mark");
    CU_ASSERT_DOUBLE_EQUAL(t, 50e-6, 1e-12);
    CU_ASSERT_EQUAL(track, fp_profile_spans(q)[0].track);
    CU_ASSERT_STRING_EQUAL(fp_profile_marker(q, 1, &t, &track), "mark");
    CU_ASSERT_DOUBLE_EQUAL(t, 51e-6, 1e-12);
    CU_ASSERT_STRING_EQUAL(fp_profile_marker(q, 2, &t, &track), "m2");
    CU_ASSERT_DOUBLE_EQUAL(t, 60e-6, 1e-12);
    /* process-scoped: no track */
    CU_ASSERT_STRING_EQUAL(fp_profile_marker(q, 3, NULL, &track), "p");
    CU_ASSERT_EQUAL(track, FP_MARKER_NO_TRACK);
    CU_ASSERT_PTR_NULL(fp_profile_marker(q, 4, NULL, NULL));
    /* thread time: tdur 25 of dur 100 is 25 % CPU, from the spans (no series CPU) */
    CU_ASSERT_EQUAL(fp_profile_data(q), FP_DATA_CPU);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 1);
    CU_ASSERT_DOUBLE_EQUAL(fp_profile_spans(q)[0].cpu_pct, 25.0, 1e-6);
    fp_profile_free(q);
}

static void test_roundtrip(void)
{
    fp_profile *p = make_small();
    fp_status st;
    char *text = write_to_string(fp_trace_write_chrome, p, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL(fp_trace_sniff(text, strlen(text)), FP_INPUT_CHROME);
    fp_trace_stats ts;
    fp_error err = FP_ERROR_INIT;
    fp_profile *q = read_trace(text, strlen(text), &ts, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL(ts.events, 16);
    CU_ASSERT_EQUAL(ts.spans, 4);
    CU_ASSERT_EQUAL(ts.metadata, 3);
    CU_ASSERT_EQUAL(ts.counters, 9);
    CU_ASSERT_EQUAL(ts.ignored, 0);
    CU_ASSERT_EQUAL(ts.threads, 2);
    CU_ASSERT_EQUAL(ts.counter_interval_s, 1.0);
    fp_meta m = fp_profile_meta(q);
    CU_ASSERT_STRING_EQUAL(m.scenario, "demo");
    CU_ASSERT_STRING_EQUAL(m.source, "chrome-trace");
    CU_ASSERT_EQUAL(m.simulated, 0);
    CU_ASSERT_EQUAL(fp_profile_truth_count(q), 0);
    /* Same spans, same order (the cross-track child keeps its parent), same series. */
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 4);
    const fp_span *a = fp_profile_spans(p), *b = fp_profile_spans(q);
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[i].method),
                               fp_profile_method_name(p, a[i].method));
        CU_ASSERT_EQUAL(b[i].parent, a[i].parent);
        CU_ASSERT_EQUAL(b[i].track, a[i].track);
        CU_ASSERT_EQUAL(b[i].start_s, a[i].start_s);
        CU_ASSERT_EQUAL(b[i].dur_s, a[i].dur_s);
        CU_ASSERT_EQUAL(b[i].cpu_pct, a[i].cpu_pct);
        CU_ASSERT_EQUAL(b[i].mem_alloc_mb, a[i].mem_alloc_mb);
        CU_ASSERT_EQUAL(b[i].mem_retained_mb, a[i].mem_retained_mb);
        CU_ASSERT_EQUAL(b[i].io_ops, a[i].io_ops);
        CU_ASSERT_EQUAL(b[i].io_bytes, a[i].io_bytes);
    }
    fp_series sa = fp_profile_series(p), sb = fp_profile_series(q);
    CU_ASSERT_EQUAL_FATAL(sb.n, sa.n);
    CU_ASSERT_EQUAL(sb.interval_s, sa.interval_s);
    for (size_t k = 0; k < sa.n; k++) {
        CU_ASSERT_EQUAL(sb.mem_mb[k], sa.mem_mb[k]);
        CU_ASSERT_EQUAL(sb.cpu_pct[k], sa.cpu_pct[k]);
        CU_ASSERT_EQUAL(sb.io_ops[k], sa.io_ops[k]);
        CU_ASSERT_EQUAL(sb.io_bytes[k], sa.io_bytes[k]);
    }
    /* Writing the converted profile again gives the same trace apart from the metadata. */
    char *again = write_to_string(fp_trace_write_chrome, q, &st);
    const char *cut = strstr(text, "\"otherData\"");
    CU_ASSERT_FATAL(cut != NULL);
    CU_ASSERT_EQUAL(strncmp(again, text, (size_t)(cut - text)), 0);
    free(again);
    /* Files written before the ids moved out of args still read the same: rewrite every
     * "fpsim": {"span": I, "parent": J, ...} as "args": {"fpsim_span": I, "fpsim_parent": J, ...}.
     */
    char *old = malloc(2 * strlen(text) + 1);
    CU_ASSERT_FATAL(old != NULL);
    size_t o = 0, rewritten = 0;
    for (const char *c = text; *c != '\0';) {
        static const char from[] = "\"fpsim\": {\"span\": ", to[] = "\"args\": {\"fpsim_span\": ";
        static const char pfrom[] = "\"parent\": ", pto[] = "\"fpsim_parent\": ";
        if (strncmp(c, from, sizeof(from) - 1) == 0) {
            memcpy(old + o, to, sizeof(to) - 1), o += sizeof(to) - 1, c += sizeof(from) - 1;
            rewritten++;
        } else if (strncmp(c, pfrom, sizeof(pfrom) - 1) == 0) {
            memcpy(old + o, pto, sizeof(pto) - 1), o += sizeof(pto) - 1, c += sizeof(pfrom) - 1;
        } else {
            old[o++] = *c++;
        }
    }
    old[o] = '\0';
    CU_ASSERT_EQUAL(rewritten, 4);
    fp_profile *r = read_trace(old, o, NULL, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(r), 4);
    const fp_span *c2 = fp_profile_spans(r);
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(c2[i].parent, a[i].parent);
        CU_ASSERT_EQUAL(c2[i].track, a[i].track);
        CU_ASSERT_EQUAL(c2[i].cpu_pct, a[i].cpu_pct);
        CU_ASSERT_EQUAL(c2[i].io_bytes, a[i].io_bytes);
    }
    fp_profile_free(r);
    free(old);
    free(text);
    fp_profile_free(q);
    fp_profile_free(p);
}

/* Times that are not exact in microseconds survive within the nesting tolerance. */
static void test_roundtrip_inexact(void)
{
    fp_profile *p = fp_profile_new();
    uint32_t a, b;
    CU_ASSERT_FATAL(p != NULL);
    fp_profile_intern_method(p, "a", &a);
    fp_profile_intern_method(p, "b", &b);
    double t = 0.1;
    for (int i = 0; i < 50; i++) {
        fp_span s = mk(a, -1, 0, t, 0.3);
        size_t ix;
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, &ix), FP_OK);
        /* a child that ends exactly with its parent, then a sibling right after */
        fp_span c = mk(b, (int32_t)ix, 0, t + 0.1, 0.2);
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &c, NULL), FP_OK);
        t += 0.3;
    }
    CU_ASSERT_EQUAL_FATAL(fp_profile_check(p, NULL), FP_OK);
    fp_status st;
    char *text = write_to_string(fp_trace_write_chrome, p, &st);
    fp_error err = FP_ERROR_INIT;
    fp_profile *q = read_trace(text, strlen(text), NULL, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 100);
    const fp_span *x = fp_profile_spans(p), *y = fp_profile_spans(q);
    size_t bad = 0;
    for (size_t i = 0; i < 100; i++) {
        /* First span starts at 0.1 s: times come back relative to it. */
        bad += y[i].parent != x[i].parent;
        bad += fabs(y[i].start_s - (x[i].start_s - 0.1)) > 1e-12;
        bad += fabs(y[i].dur_s - x[i].dur_s) > 1e-12;
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(text);
    fp_profile_free(q);
    fp_profile_free(p);
}

static void test_sniff(void)
{
    const char *chrome[] = {"[]", "  \n[{\"ph\":\"X\"}]",
                            "{\"a\": {\"traceEvents\": 1}, \"traceEvents\": []}",
                            "\xef\xbb\xbf{\"traceEvents\": []}"};
    const char *profile[] = {"",
                             "   ",
                             "{\"schema_version\": 1}",
                             "{\"meta\": {\"traceEvents\": []}}",
                             "{\"x\": \"traceEvents\"}",
                             "{\"traceEvents",
                             "nul"};
    for (size_t i = 0; i < sizeof(chrome) / sizeof(chrome[0]); i++)
        CU_ASSERT_EQUAL(fp_trace_sniff(chrome[i], strlen(chrome[i])), FP_INPUT_CHROME);
    for (size_t i = 0; i < sizeof(profile) / sizeof(profile[0]); i++)
        CU_ASSERT_EQUAL(fp_trace_sniff(profile[i], strlen(profile[i])), FP_INPUT_PROFILE);
}

/* The hand-written trace of tests/data/traces: B/E pairs, two pids, counters in bytes, CPU > 100.
 */
static void test_read_handwritten(void)
{
    size_t len;
    char *text = fp_test_read_file(FP_TEST_DATA "/traces/handwritten-counters.json", &len);
    CU_ASSERT_FATAL(text != NULL);
    fp_trace_stats ts;
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    fp_profile *q = read_trace(text, len, &ts, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL(ts.events, 17);
    CU_ASSERT_EQUAL(ts.spans, 5);
    CU_ASSERT_EQUAL(ts.metadata, 2);
    CU_ASSERT_EQUAL(ts.counters, 6);
    CU_ASSERT_EQUAL(ts.ignored, 1); /* the unknown "gc" counter (the instant is a marker) */
    CU_ASSERT_STRING_EQUAL(ts.ignored_phases, "C");
    CU_ASSERT_EQUAL(fp_profile_marker_count(q), 1);
    CU_ASSERT_EQUAL(ts.threads, 3);
    CU_ASSERT_EQUAL(ts.unclosed, 0);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).scenario, "handwritten");
    /* Pre-order: request(7/1) [0,1] > parse [0,.2], query [.3,.9]; request(8/1) [.1,.6];
     * flush(7/2) [.5,.9]. Tracks: (7,1)=0, (7,2)=1, (8,1)=2. */
    static const char *const names[] = {"request", "parse", "query", "request", "flush"};
    static const int32_t parents[] = {-1, 0, 0, -1, -1};
    static const uint32_t tracks[] = {0, 0, 0, 2, 1};
    static const double starts[] = {0.0, 0.0, 0.3, 0.1, 0.5};
    static const double durs[] = {1.0, 0.2, 0.6, 0.5, 0.4};
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 5);
    const fp_span *s = fp_profile_spans(q);
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, s[i].method), names[i]);
        CU_ASSERT_EQUAL(s[i].parent, parents[i]);
        CU_ASSERT_EQUAL(s[i].track, tracks[i]);
        FP_ASSERT_NEAR(s[i].start_s, starts[i], 1e-12);
        FP_ASSERT_NEAR(s[i].dur_s, durs[i], 1e-12);
        CU_ASSERT_EQUAL(s[i].cpu_pct, 0.0);
    }
    fp_series ser = fp_profile_series(q);
    CU_ASSERT_EQUAL_FATAL(ser.n, 3);
    CU_ASSERT_EQUAL(ser.interval_s, 0.5);
    CU_ASSERT_EQUAL(ser.mem_mb[0], 100.0);
    CU_ASSERT_EQUAL(ser.mem_mb[1], 200.0);
    CU_ASSERT_EQUAL(ser.mem_mb[2], 150.0);
    CU_ASSERT_EQUAL(ser.cpu_pct[0], 40.0);
    CU_ASSERT_EQUAL(ser.cpu_pct[1], 100.0);
    CU_ASSERT_EQUAL(ser.cpu_pct[2], 10.0);
    CU_ASSERT_EQUAL(ser.io_ops[2], 0.0);
    CU_ASSERT_EQUAL(fp_profile_check(q, NULL), FP_OK);
    free(text);
    fp_profile_free(q);
}

/* Real traces (tests/data/traces/README.md says which tool wrote each). */
static void test_read_real(void)
{
    static const struct {
        const char *file;
        size_t events, spans, threads;
    } cases[] = {{"node-v20-trace-events.json", 122, 44, 1},
                 {"chromium-156-startup.json", 689, 681, 2}};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof(path), "%s/traces/%s", FP_TEST_DATA, cases[c].file);
        char *text = fp_test_read_file(path, &len);
        CU_ASSERT_FATAL(text != NULL);
        CU_ASSERT_EQUAL(fp_trace_sniff(text, len), FP_INPUT_CHROME);
        fp_trace_stats ts;
        fp_error err = FP_ERROR_INIT;
        fp_status st;
        fp_profile *q = read_trace(text, len, &ts, &err, &st);
        CU_ASSERT_EQUAL(st, FP_OK);
        if (st != FP_OK)
            fprintf(stderr, "%s: %s (%s)\n", cases[c].file, err.msg, err.key_path);
        CU_ASSERT_EQUAL(ts.events, cases[c].events);
        CU_ASSERT_EQUAL(ts.spans, cases[c].spans);
        CU_ASSERT_EQUAL(ts.threads, cases[c].threads);
        if (ts.threads != cases[c].threads || ts.spans != cases[c].spans)
            fprintf(stderr, "%s: %zu threads, %zu spans\n", cases[c].file, ts.threads, ts.spans);
        CU_ASSERT_EQUAL(fp_profile_span_count(q), cases[c].spans);
        CU_ASSERT_EQUAL(fp_profile_series(q).n, 0);
        CU_ASSERT_EQUAL(fp_profile_check(q, NULL), FP_OK);
        /* The earliest event is time 0. */
        double first = INFINITY;
        for (size_t i = 0; i < fp_profile_span_count(q); i++)
            if (fp_profile_spans(q)[i].start_s < first)
                first = fp_profile_spans(q)[i].start_s;
        CU_ASSERT_EQUAL(first, 0.0);
        free(text);
        fp_profile_free(q);
    }
}

/* A B without an E (tracing stopped mid-task) ends at the last timestamp of the trace. */
static void test_unclosed(void)
{
    const char *t = "{\"traceEvents\": [{\"ph\":\"B\",\"name\":\"outer\",\"ts\":10,\"tid\":1},"
                    "{\"ph\":\"X\",\"name\":\"inner\",\"ts\":20,\"dur\":30,\"tid\":1},"
                    "{\"ph\":\"X\",\"name\":\"other\",\"ts\":40,\"dur\":70,\"tid\":2}],"
                    "\"displayTimeUnit\": \"ns\"}";
    fp_trace_stats ts;
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    fp_profile *q = read_trace(t, strlen(t), &ts, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL(ts.unclosed, 1);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 3);
    const fp_span *s = fp_profile_spans(q);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, s[0].method), "outer");
    FP_ASSERT_NEAR(s[0].dur_s, 100e-6, 1e-15); /* 10 .. 110 us */
    CU_ASSERT_EQUAL(s[1].parent, 0);
    CU_ASSERT_EQUAL(s[2].parent, -1);
    fp_profile_free(q);
}

/* A trace with only counters gives series and no spans. */
static void test_counters_only(void)
{
    const char *t = "[{\"ph\":\"C\",\"name\":\"heap\",\"ts\":5,\"args\":{\"used_mb\":1}},"
                    "{\"ph\":\"C\",\"name\":\"heap\",\"ts\":105,\"args\":{\"used_mb\":2}},"
                    "{\"ph\":\"C\",\"name\":\"heap\",\"ts\":305,\"args\":{\"used_mb\":4}},"
                    "{\"ph\":\"C\",\"name\":\"disk\",\"ts\":205,\"args\":{\"read_bytes\":7,"
                    "\"ops\":3}}]";
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    fp_profile *q = read_trace(t, strlen(t), NULL, &err, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
    fp_series s = fp_profile_series(q);
    /* distinct timestamps 5,105,205,305: median gap 100 us; 4 samples from t0 = 5 */
    CU_ASSERT_EQUAL_FATAL(s.n, 4);
    FP_ASSERT_NEAR(s.interval_s, 100e-6, 1e-18);
    CU_ASSERT_EQUAL(s.mem_mb[0], 1.0);
    CU_ASSERT_EQUAL(s.mem_mb[1], 2.0);
    CU_ASSERT_EQUAL(s.mem_mb[2], 2.0); /* held */
    CU_ASSERT_EQUAL(s.mem_mb[3], 4.0);
    CU_ASSERT_EQUAL(s.io_bytes[1], 0.0);
    CU_ASSERT_EQUAL(s.io_bytes[2], 7.0);
    CU_ASSERT_EQUAL(s.io_ops[2], 3.0);
    fp_profile_free(q);
}

/* ---- bad input ---- */

typedef struct bad_case {
    const char *text;
    fp_status status;
    const char *path;
    const char *msg;
} bad_case;

static const bad_case s_bad[] = {
    /* structure and types */
    {"{\"traceEvents\": 5}", FP_EINVAL, "traceEvents", "expected an array of events, got a number"},
    {"{\"events\": []}", FP_EINVAL, "", "missing field 'traceEvents'"},
    {"\"x\"", FP_EINVAL, "", "expected an array of events, got a string"},
    {"[5]", FP_EINVAL, "traceEvents[0]", "expected an object, got a number"},
    {"[{\"name\":\"a\",\"ts\":1}]", FP_EINVAL, "traceEvents[0].ph", "missing field 'ph'"},
    {"[{\"ph\":7}]", FP_EINVAL, "traceEvents[0].ph",
     "expected a one-letter phase string, got a number"},
    {"[{\"ph\":\"X\",\"ts\":1,\"dur\":1}]", FP_EINVAL, "traceEvents[0].name",
     "missing field 'name'"},
    {"[{\"ph\":\"X\",\"name\":3,\"ts\":1,\"dur\":1}]", FP_EINVAL, "traceEvents[0].name",
     "expected a string, got a number"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"dur\":1}]", FP_EINVAL, "traceEvents[0].ts",
     "missing field 'ts'"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":\"1\",\"dur\":1}]", FP_EINVAL, "traceEvents[0].ts",
     "expected a non-negative number, got a string"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":0,\"dur\":1},{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,"
     "\"dur\":-2}]",
     FP_EINVAL, "traceEvents[1].dur", "expected a non-negative number, got -2"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":-1,\"dur\":1}]", FP_EINVAL, "traceEvents[0].ts",
     "expected a non-negative number, got -1"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1e400,\"dur\":1}]", FP_EINVAL, "traceEvents[0].ts",
     "number out of range (must be finite and at most 2^53 microseconds)"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1e300}]", FP_EINVAL, "traceEvents[0].dur",
     "number out of range (must be finite and at most 2^53 microseconds)"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"tid\":1.5}]", FP_EINVAL,
     "traceEvents[0].tid", "expected an integer, got a non-integer number"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"pid\":\"p\"}]", FP_EINVAL,
     "traceEvents[0].pid", "expected an integer, got a string"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"args\":[]}]", FP_EINVAL,
     "traceEvents[0].args", "expected an object, got an array"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"args\":{\"cpu_pct\":101}}]", FP_EINVAL,
     "traceEvents[0].args.cpu_pct", "expected a number in [0, 100], got 101"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"ts\":2,\"dur\":1}]", FP_EINVAL, "traceEvents[0].ts",
     "duplicate key 'ts'"},
    {"{\"traceEvents\": [], \"displayTimeUnit\": \"s\"}", FP_EINVAL, "displayTimeUnit",
     "expected \"ms\" or \"ns\", got s"},
    /* counters and metadata */
    {"[{\"ph\":\"C\",\"name\":\"mem\",\"ts\":1,\"args\":{\"v\":\"big\"}}]", FP_EINVAL,
     "traceEvents[0].args.v", "expected a finite number, got a string"},
    {"[{\"ph\":\"C\",\"name\":\"mem\",\"ts\":1,\"args\":{\"v\":-5}}]", FP_EINVAL,
     "traceEvents[0].args.v", "expected a non-negative number, got -5"},
    {"[{\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{}}]", FP_EINVAL, "traceEvents[0].args.name",
     "expected a string, got nothing"},
    /* fractional timestamps 5e-324 us apart: the interval underflows to 0 s (was "out of
     * memory", exit 70) */
    {"[{\"ph\":\"C\",\"name\":\"rss_bytes\",\"ts\":0,\"args\":{\"value\":1}},"
     "{\"ph\":\"C\",\"name\":\"rss_bytes\",\"ts\":5e-324,\"args\":{\"value\":2}}]",
     FP_EINVAL, "traceEvents",
     "counter timestamps are too close together to resample (median interval "
     "4.9406564584124654e-324 us)"},
    /* nesting and pairing */
    {"[{\"ph\":\"X\",\"name\":\"p\",\"ts\":0,\"dur\":10},{\"ph\":\"X\",\"name\":\"c\",\"ts\":5,"
     "\"dur\":10}]",
     FP_EINVAL, "traceEvents[1].dur",
     "ends at 15 us, after the enclosing event traceEvents[0] (ends at 10 us) on pid 0 tid 0"},
    {"[{\"ph\":\"B\",\"name\":\"p\",\"ts\":0,\"tid\":3},{\"ph\":\"X\",\"name\":\"c\",\"ts\":5,"
     "\"dur\":10,\"tid\":3},{\"ph\":\"E\",\"ts\":8,\"tid\":3}]",
     FP_EINVAL, "traceEvents[1].dur",
     "ends at 15 us, after the enclosing event traceEvents[0] (ends at 8 us) on pid 0 tid 3"},
    {"[{\"ph\":\"E\",\"ts\":8,\"tid\":3}]", FP_EINVAL, "traceEvents[0]",
     "E event without a matching B on pid 0 tid 3"},
    {"[{\"ph\":\"B\",\"name\":\"a\",\"ts\":1},{\"ph\":\"E\",\"name\":\"b\",\"ts\":2}]", FP_EINVAL,
     "traceEvents[1].name", "E event 'b' does not match the open B event 'a' (traceEvents[0])"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"args\":{\"fpsim_span\":0,"
     "\"fpsim_parent\":9}}]",
     FP_EINVAL, "traceEvents[0].args.fpsim_parent", "no event has fpsim_span 9"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"tid\":1,\"args\":{\"fpsim_span\":0}},"
     "{\"ph\":\"X\",\"name\":\"b\",\"ts\":1,\"dur\":5,\"tid\":2,\"args\":{\"fpsim_span\":1,"
     "\"fpsim_parent\":0}}]",
     FP_EINVAL, "traceEvents[1].args.fpsim_parent",
     "span fpsim_span 0 (traceEvents[0]) does not enclose this event"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"fpsim\":{\"span\":0,\"parent\":9}}]",
     FP_EINVAL, "traceEvents[0].fpsim.parent", "no event has fpsim_span 9"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"fpsim\":{\"span\":0.5}}]", FP_EINVAL,
     "traceEvents[0].fpsim.span", "expected an integer span id, got 0.5"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"fpsim\":{\"cpu_pct\":101}}]", FP_EINVAL,
     "traceEvents[0].fpsim.cpu_pct", "expected a number in [0, 100], got 101"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":1,\"dur\":1,\"fpsim\":[]}]", FP_EINVAL,
     "traceEvents[0].fpsim", "expected an object, got an array"},
    /* empty */
    {"[]", FP_EINVAL, "traceEvents",
     "no span (X, B/E) and no counter (C) event: nothing to analyse"},
    {"{\"traceEvents\": [{\"ph\":\"i\",\"name\":\"m\",\"ts\":1}]}", FP_EINVAL, "traceEvents",
     "no span (X, B/E) and no counter (C) event: nothing to analyse"},
    /* malformed JSON */
    {"[{\"ph\":\"X\",", FP_EPARSE, "", "malformed JSON: unexpected end of input"},
    {"[1,]", FP_EPARSE, "", "malformed JSON: unexpected ']'"},
    {"[] x", FP_EPARSE, "", "malformed JSON: unexpected 'x'"},
    {"[{\"ph\":\"X\",\"name\":\"a\",\"ts\":NaN,\"dur\":1}]", FP_EPARSE, "",
     "malformed JSON: unexpected 'N'"},
};

static void test_bad_inline(void)
{
    for (size_t i = 0; i < sizeof(s_bad) / sizeof(s_bad[0]); i++) {
        const bad_case *c = &s_bad[i];
        fp_error err = FP_ERROR_INIT;
        fp_status st;
        fp_profile *q = read_trace(c->text, strlen(c->text), NULL, &err, &st);
        int ok = st == c->status && strcmp(err.key_path, c->path) == 0 &&
                 strcmp(err.msg, c->msg) == 0 && strcmp(err.file, "t.json") == 0 &&
                 fp_profile_span_count(q) == 0 && fp_profile_method_count(q) == 0;
        if (!ok)
            fprintf(stderr, "\ncase %zu: status %d path '%s' msg '%s'\n", i, (int)st, err.key_path,
                    err.msg);
        CU_ASSERT(ok);
        fp_profile_free(q);
    }
}

/* NUL bytes and deep nesting are refused before cJSON sees the text, with line:col. */
static void test_bad_limits(void)
{
    char deep[200];
    memset(deep, '[', sizeof(deep));
    fp_error err = FP_ERROR_INIT;
    fp_status st;
    fp_profile *q = read_trace(deep, sizeof(deep), NULL, &err, &st);
    CU_ASSERT_EQUAL(st, FP_ELIMIT);
    CU_ASSERT_STRING_EQUAL(err.msg, "nesting deeper than 64");
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.col, 65);
    fp_profile_free(q);
    const char nul[] = "[\n {\"ph\": \"X\"\0}]";
    q = read_trace(nul, sizeof(nul) - 1, NULL, &err, &st);
    CU_ASSERT_EQUAL(st, FP_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "NUL byte in JSON text");
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.col, 12);
    fp_profile_free(q);
}

/* Every strict prefix of a real trace fails cleanly (FP_EPARSE with a location). */
static void test_truncation(void)
{
    size_t len;
    char *text = fp_test_read_file(FP_TEST_DATA "/traces/handwritten-counters.json", &len);
    CU_ASSERT_FATAL(text != NULL);
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    size_t bad = 0;
    /* The file ends with "]\n": prefixes up to len - 2 are incomplete. */
    for (size_t n = 0; n + 1 < len; n++) {
        fp_error err = FP_ERROR_INIT;
        fp_status st = fp_trace_read_chrome(q, text, n, "t.json", NULL, &err);
        bad += st != FP_EPARSE || err.line == 0 || err.col == 0 || fp_profile_span_count(q) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(text);
    fp_profile_free(q);
}

/* Allocation failure at every step of reading: FP_ENOMEM (or cJSON's parse failure, which
 * allocates with malloc and so cannot fail here), the profile left empty, no leak. */
static void test_alloc_fail(void)
{
    size_t len;
    char *text = fp_test_read_file(FP_TEST_DATA "/traces/handwritten-counters.json", &len);
    CU_ASSERT_FATAL(text != NULL);
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    size_t bad = 0, n;
    for (n = 1; n < 500; n++) {
        fp_error err = FP_ERROR_INIT;
        fp_alloc_fail_after(n);
        fp_status st = fp_trace_read_chrome(q, text, len, "t.json", NULL, &err);
        fp_alloc_fail_after(0);
        if (st == FP_OK)
            break;
        bad += st != FP_ENOMEM || fp_profile_span_count(q) != 0;
    }
    CU_ASSERT(n > 1 && n < 500);
    CU_ASSERT_EQUAL(bad, 0);
    /* The writers fail cleanly too. */
    fp_profile *p = make_small();
    writer_fn fns[] = {fp_trace_write_chrome, fp_export_folded, fp_export_speedscope};
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        fp_error err = FP_ERROR_INIT;
        FILE *f = fopen("/dev/null", "w");
        fp_alloc_fail_after(1);
        CU_ASSERT_EQUAL(fns[i](p, f, &err), FP_ENOMEM);
        fp_alloc_fail_after(0);
        fclose(f);
    }
    fp_profile_free(p);
    free(text);
    fp_profile_free(q);
}

/* ---- the input reader (profile/fp_input.c) ---- */

/* Writes `text` to DIR/NAME (DIR/SUB created by the caller). */
static void put_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

/* A runs document of `n` runs of the small profile, run_index 0..n-1, at DIR/NAME. */
static void put_runs(const char *dir, const char *name, size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fp_profile *p = make_small();
    fp_runs_writer w;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_runs_write_begin(&w, f, "2.7.1", "mt19937", &err), FP_OK);
    for (size_t k = 0; k < n; k++) {
        CU_ASSERT_EQUAL(fp_profile_set_meta(p, "demo", 42, k, "mt19937", "2.7.1", "simulated", 1),
                        FP_OK);
        CU_ASSERT_EQUAL(fp_runs_write_run(&w, p, &err), FP_OK);
    }
    CU_ASSERT_EQUAL(fp_runs_write_end(&w, &err), FP_OK);
    CU_ASSERT_EQUAL(w.runs, n);
    CU_ASSERT_EQUAL(fclose(f), 0);
    fp_profile_free(p);
}

/* Reads every run of `path`; returns the count, or (size_t)-1 on error (then *err is set). */
static size_t read_runs(fp_profile *q, const char *path, fp_input_kind *kinds, size_t max,
                        fp_error *err)
{
    fp_input *in = NULL;
    size_t n = 0;
    int got = 0;
    if (fp_input_open(&in, path, err) != FP_OK) {
        CU_ASSERT(in == NULL);
        return (size_t)-1;
    }
    for (;;) {
        fp_input_run run;
        if (fp_input_next(in, q, &run, &got, err) != FP_OK) {
            n = (size_t)-1;
            CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
            break;
        }
        if (!got)
            break;
        CU_ASSERT(run.file != NULL);
        if (run.kind == FP_INPUT_RUNS)
            CU_ASSERT_EQUAL(fp_profile_meta(q).run_index, run.index);
        if (n < max)
            kinds[n] = run.kind;
        n++;
    }
    fp_input_close(in);
    return n;
}

static size_t read_all_runs(const char *path, fp_input_kind *kinds, size_t max, fp_error *err)
{
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    size_t n = read_runs(q, path, kinds, max, err);
    fp_profile_free(q);
    return n;
}

static void test_input_sniff(void)
{
    CU_ASSERT_EQUAL(fp_input_sniff("{\"fpsim_index\": 1}", 18), FP_INPUT_INDEX);
    CU_ASSERT_EQUAL(fp_input_sniff("{\"fpsim_index\": 1, \"traceEvents\": []}", 37),
                    FP_INPUT_CHROME);
    /* an index key below the top level does not make an index; unknown top-level keys are not
     * a profile (issue 10: "not a format fpsim reads" instead of an unknown-key message) */
    CU_ASSERT_EQUAL(fp_input_sniff("{\"a\": {\"fpsim_index\": 1}}", 25), FP_INPUT_UNKNOWN);
    CU_ASSERT_EQUAL(fp_input_sniff("{\"meta\": {\"fpsim_index\": 1}}", 28), FP_INPUT_PROFILE);
    CU_ASSERT_EQUAL(fp_input_sniff("{\"fpsim_runs\": 1, \"runs\": []}", 29), FP_INPUT_PROFILE);
    CU_ASSERT_EQUAL(fp_input_sniff(" [", 2), FP_INPUT_CHROME);
    CU_ASSERT_EQUAL(fp_input_sniff("", 0), FP_INPUT_PROFILE);
    /* fp_trace_sniff keeps its two answers */
    CU_ASSERT_EQUAL(fp_trace_sniff("{\"fpsim_index\": 1}", 18), FP_INPUT_PROFILE);
}

static void test_input_files(void)
{
    char dir[] = "/tmp/fp_input_XXXXXX", sub[600], path[600];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    fp_error err = FP_ERROR_INIT;
    fp_input_kind k[8];
    /* the runs writer's layout, and every run read back in order from one parse */
    put_runs(dir, "runs.json", 3);
    snprintf(path, sizeof(path), "%s/runs.json", dir);
    size_t len;
    char *text = fp_test_read_file(path, &len);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT(strncmp(text, "{\"fpsim_runs\": 1, \"fpsim_version\": \"", 36) == 0);
    CU_ASSERT(
        strstr(text, "\"gsl_version\": \"2.7.1\", \"rng\": \"mt19937\", \"runs\": [\n{\n  ") !=
        NULL);
    CU_ASSERT(len > 5 && strcmp(text + len - 5, "}\n]}\n") == 0);
    free(text);
    CU_ASSERT_EQUAL(read_all_runs(path, k, 8, &err), 3);
    CU_ASSERT(k[0] == FP_INPUT_RUNS && k[2] == FP_INPUT_RUNS);
    /* a plain directory: *.json directly inside and one level down, in path order */
    snprintf(sub, sizeof(sub), "%s/z", dir);
    CU_ASSERT_FATAL(mkdir(sub, 0755) == 0);
    put_file(sub, "t.json", "[{\"ph\":\"X\",\"name\":\"a\",\"ts\":0,\"dur\":1}]");
    put_file(dir, "notes.txt", "not json");
    CU_ASSERT_EQUAL(read_all_runs(dir, k, 8, &err), 4);
    CU_ASSERT(k[0] == FP_INPUT_RUNS && k[3] == FP_INPUT_CHROME);
    /* an index makes it a generate directory: only the runs it lists */
    put_file(dir, "index.json",
             "{\"fpsim_index\": 1, \"scenarios\": [{\"runs\": [{\"files\": {\"chrome\": "
             "\"z/t.json\"}}, {\"files\": {\"profile\": \"z/t.json\", \"chrome\": \"x\"}}]}]}");
    CU_ASSERT_EQUAL(read_all_runs(dir, k, 8, &err), 2);
    CU_ASSERT(k[0] == FP_INPUT_CHROME && k[1] == FP_INPUT_CHROME);
    /* an index inside a listing is refused */
    snprintf(path, sizeof(path), "%s/z/index2.json", dir);
    put_file(sub, "index2.json", "{\"fpsim_index\": 1, \"scenarios\": []}");
    snprintf(path, sizeof(path), "%s/index.json", dir);
    remove(path);
    err = (fp_error)FP_ERROR_INIT;
    CU_ASSERT_EQUAL(read_all_runs(dir, k, 8, &err), (size_t)-1);
    CU_ASSERT_EQUAL(err.status, FP_EINVAL);
    CU_ASSERT(strstr(err.file, "index2.json") != NULL);
    /* errors: missing file, empty directory, bad run located by path */
    snprintf(path, sizeof(path), "%s/missing.json", dir);
    err = (fp_error)FP_ERROR_INIT;
    CU_ASSERT_EQUAL(read_all_runs(path, k, 8, &err), (size_t)-1);
    CU_ASSERT_EQUAL(err.status, FP_ENOENT);
    CU_ASSERT_STRING_EQUAL(err.msg, "cannot open: No such file or directory");
    CU_ASSERT_STRING_EQUAL(err.file, path);
    snprintf(sub, sizeof(sub), "%s/empty", dir);
    CU_ASSERT_FATAL(mkdir(sub, 0755) == 0);
    err = (fp_error)FP_ERROR_INIT;
    CU_ASSERT_EQUAL(read_all_runs(sub, k, 8, &err), (size_t)-1);
    CU_ASSERT_EQUAL(err.status, FP_ENOENT);
    CU_ASSERT_STRING_EQUAL(err.msg, "no *.json profiles in the directory or one level down");
    put_file(dir, "bad.json",
             "{\"fpsim_runs\": 1, \"runs\": [{\"schema_version\": 1}, {\"schema_version\": 2}]}");
    snprintf(path, sizeof(path), "%s/bad.json", dir);
    err = (fp_error)FP_ERROR_INIT;
    CU_ASSERT_EQUAL(read_all_runs(path, k, 8, &err), (size_t)-1);
    CU_ASSERT_EQUAL(err.status, FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.key_path, "runs[0]");
    CU_ASSERT_STRING_EQUAL(err.msg, "missing field 'meta'");
    /* allocation failures anywhere in open and next: FP_ENOMEM, never a crash or a leak */
    snprintf(path, sizeof(path), "%s/runs.json", dir);
    size_t n, bad = 0;
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    for (n = 1; n < 2000; n++) {
        err = (fp_error)FP_ERROR_INIT;
        fp_alloc_fail_after(n);
        size_t r = read_runs(q, path, k, 8, &err);
        fp_alloc_fail_after(0);
        if (r == 3)
            break;
        bad += r != (size_t)-1 || err.status != FP_ENOMEM;
    }
    fp_profile_free(q);
    CU_ASSERT(n > 1 && n < 2000);
    CU_ASSERT_EQUAL(bad, 0);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* ---- sampled formats, gzip, and what fpsim does not read ---- */

/* Writes `len` bytes to a new temporary file; returns its path (static buffer per call site). */
static void put_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

/* Opens `path` and reads its first run into `q`; the formatted error ("" on success) in msg. */
static fp_status read_one(const char *path, fp_profile *q, fp_input_kind *kind, char *msg,
                          size_t size)
{
    fp_input *in = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_input_run run;
    int got = 0;
    msg[0] = '\0';
    fp_status st = fp_input_open(&in, path, &err);
    if (st == FP_OK)
        st = fp_input_next(in, q, &run, &got, &err);
    if (st == FP_OK && kind != NULL)
        *kind = run.kind;
    if (st != FP_OK)
        fp_error_format(&err, msg, size);
    fp_input_close(in);
    return st;
}

/* Reads text as a file named `name` in a temporary directory. */
static fp_status read_text_as(const char *name, const char *text, size_t len, fp_profile *q,
                              fp_input_kind *kind, char *msg, size_t size)
{
    char dir[] = "/tmp/fp_fmt_XXXXXX", path[600];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    put_bytes(path, text, len);
    fp_status st = read_one(path, q, kind, msg, size);
    /* Messages name the file: make them comparable. */
    char *at = strstr(msg, path);
    if (at != NULL)
        memmove(at + strlen(name), at + strlen(path), strlen(at + strlen(path)) + 1),
            memcpy(at, name, strlen(name));
    remove(path);
    rmdir(dir);
    return st;
}

/* Self time of every method of `p`, summed: duration minus the union of children (one track). */
static double method_self(const fp_profile *p, const char *name)
{
    size_t n = fp_profile_span_count(p);
    const fp_span *sp = fp_profile_spans(p);
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fp_profile_method_name(p, sp[i].method), name) != 0)
            continue;
        double self = sp[i].dur_s;
        for (size_t j = i + 1; j < n; j++)
            if (sp[j].parent == (int32_t)i)
                self -= sp[j].dur_s;
        total += self;
    }
    return total;
}

static void test_sniff_formats(void)
{
    static const struct {
        const char *text;
        fp_input_kind kind;
    } cases[] = {
        {"{\"nodes\": [], \"startTime\": 0}", FP_INPUT_CPUPROFILE},
        {"{\"startTime\": 0, \"endTime\": 1, \"samples\": [], \"nodes\": []}", FP_INPUT_CPUPROFILE},
        {"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\"}",
         FP_INPUT_SPEEDSCOPE},
        {"main;work 12\nmain 3\n", FP_INPUT_FOLDED},
        {"\n  a 1.5\r\n", FP_INPUT_FOLDED},
        {"{\"head\": {}, \"samples\": []}", FP_INPUT_UNKNOWN},
        {"{\"fpsim_manifest\": 1}", FP_INPUT_UNKNOWN},
        {"a,b,c\n1,2,3\n", FP_INPUT_UNKNOWN},
        {"\x7f"
         "ELF\x02\x01\x01",
         FP_INPUT_UNKNOWN},
        {"{}", FP_INPUT_PROFILE},
        {"{\"nodes\": []}", FP_INPUT_CPUPROFILE},
        {"{\"foo\": [1, 2", FP_INPUT_PROFILE},
        {"{\"foo\": 1}", FP_INPUT_UNKNOWN},
        {"nope", FP_INPUT_PROFILE},
        {"\"a 1\"", FP_INPUT_PROFILE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fp_input_kind k = fp_input_sniff(cases[i].text, strlen(cases[i].text));
        if (k != cases[i].kind)
            fprintf(stderr, "sniff case %zu: got %d\n", i, (int)k);
        CU_ASSERT_EQUAL(k, cases[i].kind);
    }
    char buf[64];
    fp_input_looks_like("{}", 2, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "");
}

/* What fpsim does not read is named, not reported as an unknown key or malformed JSON. */
static void test_not_a_format(void)
{
    static const struct {
        const char *name, *text;
        size_t len;
        const char *want;
    } cases[] = {
        {"h.heapprofile", "{\"head\": {\"callFrame\": {}}, \"samples\": []}", 0,
         "h.heapprofile: error: not a format fpsim reads (looks like a V8 sampling heap profile "
         "(.heapprofile), which has allocations but no times; record a .cpuprofile (node "
         "--cpu-prof) or a trace)"},
        {"x.json", "{\"foo\": 1, \"bar\": [2], \"baz\": {}, \"qux\": 3, \"quux\": 4}", 0,
         "x.json: error: not a format fpsim reads (looks like a JSON object with top-level keys "
         "\"foo\", \"bar\", \"baz\", \"qux\", ...)"},
        {"run-0.truth.json", "{\"fpsim_manifest\": 1, \"injected\": []}", 0,
         "run-0.truth.json: error: not a format fpsim reads (looks like an fpsim ground-truth "
         "manifest; give the run's profile (run-K.profile.json), which finds the manifest beside "
         "it)"},
        {"s.csv", "sample,start_s,mem_mb\r\n0,0,1\r\n", 0,
         "s.csv: error: not a format fpsim reads (looks like CSV; fpsim reads profile JSON, "
         "Chrome traces, V8 .cpuprofile, speedscope JSON and folded stacks)"},
        {"a.out",
         "\x7f"
         "ELF\x02\x01\x01\0\0\0",
         10, "a.out: error: not a format fpsim reads (looks like binary data)"},
    };
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[512];
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        CU_ASSERT_EQUAL(read_text_as(cases[i].name, cases[i].text, len, q, NULL, msg, sizeof(msg)),
                        FP_EINVAL);
        CU_ASSERT_STRING_EQUAL(msg, cases[i].want);
    }
    fp_profile_free(q);
}

static void test_folded_read(void)
{
    /* Our own export reads back: the same self time per stack. */
    fp_profile *p = make_small(), *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    fp_status st;
    char *text = write_to_string(fp_export_folded, p, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    char msg[512];
    fp_input_kind kind;
    CU_ASSERT_EQUAL_FATAL(
        read_text_as("run-1.folded", text, strlen(text), q, &kind, msg, sizeof(msg)), FP_OK);
    CU_ASSERT_EQUAL(kind, FP_INPUT_FOLDED);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).scenario, "run-1");
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).source, "folded");
    CU_ASSERT_EQUAL(fp_profile_check(q, NULL), FP_OK);
    /* main 1750000, main;io:x 1250000, main;work 1000000: one main span with two children */
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 3);
    CU_ASSERT_DOUBLE_EQUAL(fp_profile_duration(q), 4.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(method_self(q, "main"), 1.75, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(method_self(q, "io:x"), 1.25, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(method_self(q, "work"), 1.0, 1e-9);
    /* Writing it again gives the same folded text. */
    char *again = write_to_string(fp_export_folded, q, &st);
    CU_ASSERT_STRING_EQUAL(again, text);
    free(again);
    free(text);
    /* Bad lines: LINE:COL and what is wrong. */
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"a;b 1\na;b\n", "f.folded:2:4: error: expected 'FRAME;FRAME;... COUNT' (frames "
                         "separated by ';', then one space and a non-negative sample count)"},
        {"a 1\nb;c 12x\n", "f.folded:2:5: error: expected a non-negative sample count, got '12x'"},
        {"a 1\na;;b 2\n", "f.folded:2:3: error: empty frame name"},
        {"a 0\n# only zero\n", "f.folded: error: no stack with a positive count in the folded "
                               "file"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        st = read_text_as("f.folded", bad[i].text, strlen(bad[i].text), q, NULL, msg, sizeof(msg));
        CU_ASSERT_NOT_EQUAL(st, FP_OK);
        CU_ASSERT_STRING_EQUAL(msg, bad[i].want);
        CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
    }
    fp_profile_free(q);
    fp_profile_free(p);
}

static void test_speedscope_read(void)
{
    /* Our own export: one evented profile per track, read back as tracks of one run. */
    fp_profile *p = make_small(), *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    fp_status st;
    char *text = write_to_string(fp_export_speedscope, p, &st);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    char msg[512];
    fp_input_kind kind;
    CU_ASSERT_EQUAL_FATAL(
        read_text_as("r.speedscope.json", text, strlen(text), q, &kind, msg, sizeof(msg)), FP_OK);
    free(text);
    CU_ASSERT_EQUAL(kind, FP_INPUT_SPEEDSCOPE);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).scenario, "demo run 1");
    CU_ASSERT_EQUAL(fp_profile_check(q, NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 4);
    const fp_span *b = fp_profile_spans(q);
    /* main [0,2] (track 0) > work [0.5,1.5]; io [0.25,1.5] on track 1 (top-level there); main
     * [2,3]: top-level trees in start order. */
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[0].method), "main");
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[1].method), "work");
    CU_ASSERT_EQUAL(b[1].parent, 0);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[2].method), "io;x");
    CU_ASSERT_EQUAL(b[2].track, 1);
    CU_ASSERT_EQUAL(b[2].parent, -1);
    CU_ASSERT_DOUBLE_EQUAL(b[2].start_s, 0.25, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[2].dur_s, 1.25, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[3].start_s, 2.0, 1e-12);
    /* A sampled profile in milliseconds: consecutive samples share their common frames. */
    static const char sampled[] =
        "{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\", \"shared\": "
        "{\"frames\": [{\"name\": \"main\"}, {\"name\": \"a\"}, {\"name\": \"b\"}]}, "
        "\"profiles\": [{\"type\": \"sampled\", \"name\": \"t\", \"unit\": \"milliseconds\", "
        "\"startValue\": 0, \"endValue\": 40, \"samples\": [[0, 1], [0, 1], [0, 2], [], [0]], "
        "\"weights\": [10, 10, 5, 5, 10]}]}";
    CU_ASSERT_EQUAL_FATAL(
        read_text_as("s.json", sampled, strlen(sampled), q, NULL, msg, sizeof(msg)), FP_OK);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).scenario, "s");
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 4); /* main > a, b; (gap); main */
    b = fp_profile_spans(q);
    CU_ASSERT_DOUBLE_EQUAL(b[0].dur_s, 0.025, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[1].dur_s, 0.020, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[2].start_s, 0.020, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[3].start_s, 0.030, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[3].dur_s, 0.010, 1e-12);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"$schema\": \"https://example.com/other.json\"}",
         "b.json: error: not a speedscope file (expected "
         "\"https://www.speedscope.app/file-format-schema.json\") ($schema)"},
        {"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\", \"shared\": "
         "{\"frames\": [{\"name\": \"a\"}]}, \"profiles\": [{\"type\": \"evented\", \"unit\": "
         "\"seconds\", \"startValue\": 0, \"endValue\": 1, \"events\": [{\"type\": \"O\", "
         "\"frame\": 0, \"at\": 0}, {\"type\": \"C\", \"frame\": 1, \"at\": 1}]}]}",
         "b.json: error: expected a frame index in [0, 1), got a number out of range "
         "(profiles[0].events[1].frame)"},
        {"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\", \"shared\": "
         "{\"frames\": [{\"name\": \"a\"}]}, \"profiles\": [{\"type\": \"evented\", \"unit\": "
         "\"bytes\", \"startValue\": 0, \"endValue\": 1, \"events\": []}]}",
         "b.json: error: expected a time unit (seconds, milliseconds, microseconds, nanoseconds "
         "or none), got \"bytes\" (profiles[0].unit)"},
        {"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\", \"shared\": "
         "{\"frames\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}, \"profiles\": [{\"type\": "
         "\"evented\", \"unit\": \"seconds\", \"startValue\": 0, \"endValue\": 1, \"events\": "
         "[{\"type\": \"O\", \"frame\": 0, \"at\": 0}, {\"type\": \"C\", \"frame\": 1, \"at\": "
         "1}]}]}",
         "b.json: error: closes frame 1 but frame 0 is open (profiles[0].events[1].frame)"},
        {"{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n \"shared\": }",
         "b.json:2:12: error: malformed JSON: unexpected '}'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        st = read_text_as("b.json", bad[i].text, strlen(bad[i].text), q, NULL, msg, sizeof(msg));
        CU_ASSERT_NOT_EQUAL(st, FP_OK);
        CU_ASSERT_STRING_EQUAL(msg, bad[i].want);
        CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
    }
    fp_profile_free(q);
    fp_profile_free(p);
}

/* A V8 CPU profile: root > main > {fast, slow}, plus idle and GC samples. */
static const char s_cpuprofile[] =
    "{\"nodes\": ["
    "{\"id\": 1, \"callFrame\": {\"functionName\": \"(root)\", \"url\": \"\", \"lineNumber\": "
    "-1}, \"children\": [2, 5, 6]},"
    "{\"id\": 2, \"callFrame\": {\"functionName\": \"main\", \"url\": \"file:///x/app.js\", "
    "\"lineNumber\": 9}, \"children\": [3, 4]},"
    "{\"id\": 3, \"callFrame\": {\"functionName\": \"slow\", \"url\": \"file:///x/app.js\", "
    "\"lineNumber\": 0}},"
    "{\"id\": 4, \"callFrame\": {\"functionName\": \"\", \"url\": \"file:///x/app.js\", "
    "\"lineNumber\": 4}},"
    "{\"id\": 5, \"callFrame\": {\"functionName\": \"(idle)\", \"url\": \"\"}},"
    "{\"id\": 6, \"callFrame\": {\"functionName\": \"(garbage collector)\", \"url\": \"\"}}],"
    "\"startTime\": 1000, \"endTime\": 9000,"
    "\"samples\": [3, 3, 6, 3, 4, 5, 2],"
    "\"timeDeltas\": [0, 1000, 1000, 1000, 1000, 1000, 1000]}";

static void test_cpuprofile_read(void)
{
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    char msg[512];
    fp_input_kind kind;
    CU_ASSERT_EQUAL_FATAL(read_text_as("app.cpuprofile", s_cpuprofile, strlen(s_cpuprofile), q,
                                       &kind, msg, sizeof(msg)),
                          FP_OK);
    CU_ASSERT_EQUAL(kind, FP_INPUT_CPUPROFILE);
    fp_meta m = fp_profile_meta(q);
    CU_ASSERT_STRING_EQUAL(m.scenario, "app");
    CU_ASSERT_STRING_EQUAL(m.source, "v8-cpuprofile");
    CU_ASSERT_EQUAL(m.simulated, 0);
    CU_ASSERT_EQUAL(fp_profile_check(q, NULL), FP_OK);
    /* Samples at 0..6 ms: slow slow GC slow anon idle main; end 8 ms. The GC sample keeps slow
     * open (one slow call of 4 ms with GC inside), then the anonymous function, a gap, main. */
    CU_ASSERT_EQUAL(fp_profile_find_method(q, "(root)"), -1);
    CU_ASSERT_EQUAL(fp_profile_find_method(q, "(idle)"), -1);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(q), 5);
    const fp_span *b = fp_profile_spans(q);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[0].method), "main (app.js:10)");
    CU_ASSERT_DOUBLE_EQUAL(b[0].dur_s, 0.005, 1e-12);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[1].method), "slow (app.js:1)");
    CU_ASSERT_DOUBLE_EQUAL(b[1].dur_s, 0.004, 1e-12);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[2].method), "(garbage collector)");
    CU_ASSERT_EQUAL(b[2].parent, 1);
    CU_ASSERT_DOUBLE_EQUAL(b[2].start_s, 0.002, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[2].dur_s, 0.001, 1e-12);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[3].method), "(anonymous) (app.js:5)");
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(q, b[4].method), "main (app.js:10)");
    CU_ASSERT_DOUBLE_EQUAL(b[4].start_s, 0.006, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[4].dur_s, 0.002, 1e-12); /* until endTime */
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": \"f\"}}], \"startTime\": 0, "
         "\"endTime\": 1, \"samples\": [2], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: expected the id of a node, got an id no node has (samples[0])"},
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": \"f\"}}], \"startTime\": 0, "
         "\"endTime\": 1, \"samples\": [1, 1], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: expected an array of one time delta per sample (timeDeltas)"},
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": 3}}], \"startTime\": 0, "
         "\"endTime\": 1, \"samples\": [1], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: expected a string, got a number "
         "(nodes[0].callFrame.functionName)"},
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": \"f\"}, \"children\": [1]}], "
         "\"startTime\": 0, \"endTime\": 1, \"samples\": [1], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: node 1 has two parents (nodes[0].children[0])"},
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": \"f\"}}, {\"id\": 1, "
         "\"callFrame\": {\"functionName\": \"g\"}}], \"startTime\": 0, \"endTime\": 1, "
         "\"samples\": [1], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: duplicate node id 1 (nodes[1].id)"},
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": \"f\"}}], \"startTime\": "
         "\"x\", \"endTime\": 1, \"samples\": [1], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: expected a number (microseconds), got a string (startTime)"},
        {"{\"nodes\": [{\"id\": 1, \"callFrame\": {\"functionName\": \"(idle)\"}}], \"startTime\": "
         "0, \"endTime\": 1, \"samples\": [1], \"timeDeltas\": [0]}",
         "b.cpuprofile: error: every sample is idle: no call to analyse (samples)"},
        {"{\"nodes\": [{\"id\": 1,\n\"callFrame\": {\"functionName\": \"f\"}],",
         "b.cpuprofile:2:35: error: malformed JSON: unexpected ']'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fp_status st = read_text_as("b.cpuprofile", bad[i].text, strlen(bad[i].text), q, NULL, msg,
                                    sizeof(msg));
        CU_ASSERT_NOT_EQUAL(st, FP_OK);
        if (strcmp(msg, bad[i].want) != 0)
            fprintf(stderr, "cpuprofile case %zu: %s\n", i, msg);
        CU_ASSERT_STRING_EQUAL(msg, bad[i].want);
        CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
    }
    fp_profile_free(q);
}

/* The real `node --cpu-prof` recording (scripts/record-traces/cpuprof-record.sh) reads, and
 * its planted slow function holds most of the run. */
static void test_cpuprofile_real(void)
{
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    char msg[512];
    CU_ASSERT_EQUAL_FATAL(
        read_one(FP_TEST_DATA "/traces/real/cpuprof-app.cpuprofile", q, NULL, msg, sizeof(msg)),
        FP_OK);
    CU_ASSERT_EQUAL(fp_profile_check(q, NULL), FP_OK);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).scenario, "cpuprof-app");
    double slow = method_self(q, "slowFunction (cpuprof-app.js:9)");
    CU_ASSERT(slow > 0.7 * fp_profile_duration(q));
    fp_profile_free(q);
}

/* gzip-compressed `len` bytes of `text` (one member), into a malloc'd buffer. */
static unsigned char *gzip_bytes(const char *text, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    CU_ASSERT_FATAL(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *buf = malloc(cap);
    CU_ASSERT_FATAL(buf != NULL);
    z.next_in = (Bytef *)(uintptr_t)text;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    CU_ASSERT_FATAL(deflate(&z, Z_FINISH) == Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return buf;
}

static void test_gzip(void)
{
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    char msg[512];
    fp_input_kind kind;
    size_t n;
    /* Every format reads compressed: a cpuprofile, a folded file, a Chrome trace. */
    unsigned char *gz = gzip_bytes(s_cpuprofile, strlen(s_cpuprofile), &n);
    CU_ASSERT_EQUAL(
        read_text_as("app.cpuprofile.gz", (const char *)gz, n, q, &kind, msg, sizeof(msg)), FP_OK);
    CU_ASSERT_EQUAL(kind, FP_INPUT_CPUPROFILE);
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(q).scenario, "app");
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 5);
    /* Two concatenated members read as one text. */
    unsigned char *two = malloc(2 * n + 8);
    size_t n1, n2;
    unsigned char *g1 = gzip_bytes("main;a 5\n", 9, &n1), *g2 = gzip_bytes("main;b 7\n", 9, &n2);
    memcpy(two, g1, n1);
    memcpy(two + n1, g2, n2);
    CU_ASSERT_EQUAL(
        read_text_as("x.folded.gz", (const char *)two, n1 + n2, q, &kind, msg, sizeof(msg)), FP_OK);
    CU_ASSERT_EQUAL(kind, FP_INPUT_FOLDED);
    CU_ASSERT_DOUBLE_EQUAL(fp_profile_duration(q), 12e-6, 1e-15);
    free(g1);
    free(g2);
    free(two);
    const char *trace = "[{\"ph\":\"X\",\"name\":\"a\",\"ts\":0,\"dur\":5}]";
    unsigned char *gt = gzip_bytes(trace, strlen(trace), &n2);
    CU_ASSERT_EQUAL(read_text_as("t.json.gz", (const char *)gt, n2, q, &kind, msg, sizeof(msg)),
                    FP_OK);
    CU_ASSERT_EQUAL(kind, FP_INPUT_CHROME);
    /* Truncated and corrupt data: a clear error, nothing read. */
    CU_ASSERT_EQUAL(read_text_as("t.json.gz", (const char *)gt, n2 - 9, q, NULL, msg, sizeof(msg)),
                    FP_EPARSE);
    CU_ASSERT_STRING_EQUAL(msg, "t.json.gz: error: not valid gzip data: truncated (the input ends "
                                "inside the compressed stream)");
    gt[12] ^= 0xff;
    gt[13] ^= 0xff;
    CU_ASSERT_EQUAL(read_text_as("t.json.gz", (const char *)gt, n2, q, NULL, msg, sizeof(msg)),
                    FP_EPARSE);
    CU_ASSERT(strncmp(msg, "t.json.gz: error: not valid gzip data: ", 39) == 0);
    free(gt);
    /* A bomb: 1 MiB of zeros is ~1 KiB of gzip; a 64 KiB cap refuses it. */
    char *zeros = calloc(1, 1 << 20);
    CU_ASSERT_FATAL(zeros != NULL);
    unsigned char *bomb = gzip_bytes(zeros, 1 << 20, &n2);
    CU_ASSERT(n2 < 4096);
    char *out = NULL;
    size_t out_len = 0;
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_gunzip((const char *)bomb, n2, 65536, "z.gz", &out, &out_len, &err),
                    FP_ELIMIT);
    CU_ASSERT_PTR_NULL(out);
    fp_error_format(&err, msg, sizeof(msg));
    CU_ASSERT_STRING_EQUAL(msg, "z.gz: error: gzip data expands beyond 65536 bytes (refused: "
                                "possible decompression bomb)");
    CU_ASSERT_EQUAL(fp_gunzip((const char *)bomb, n2, 1 << 20, "z.gz", &out, &out_len, &err),
                    FP_OK);
    CU_ASSERT_EQUAL(out_len, (size_t)1 << 20);
    fp_free(out);
    free(bomb);
    free(zeros);
    free(gz);
    fp_profile_free(q);
}

/* fp_input_open_mem() reads what a file would: the sampled formats, gzip, and the refusal. */
static void test_mem_formats(void)
{
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    fp_input *in = NULL;
    fp_input_run run;
    int got = 0;
    fp_error err = FP_ERROR_INIT;
    size_t n;
    unsigned char *gz = gzip_bytes(s_cpuprofile, strlen(s_cpuprofile), &n);
    CU_ASSERT_FATAL(fp_input_open_mem(&in, (const char *)gz, n, "app.cpuprofile.gz", &err) ==
                    FP_OK);
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT(got == 1 && run.kind == FP_INPUT_CPUPROFILE);
    CU_ASSERT_STRING_EQUAL(run.file, "app.cpuprofile.gz");
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 5);
    CU_ASSERT_EQUAL(fp_profile_data(q), 0u); /* no memory or CPU in the format: unknown */
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT_EQUAL(got, 0);
    fp_input_close(in);
    static const char folded[] = "main;a 5\nmain;b 7\n";
    CU_ASSERT_FATAL(fp_input_open_mem(&in, folded, strlen(folded), "x", &err) == FP_OK);
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT(got == 1 && run.kind == FP_INPUT_FOLDED);
    CU_ASSERT_DOUBLE_EQUAL(fp_profile_duration(q), 12e-6, 1e-15);
    CU_ASSERT_EQUAL(fp_profile_data(q), 0u);
    fp_input_close(in);
    static const char speedscope[] =
        "{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\", \"shared\": "
        "{\"frames\": [{\"name\": \"main\"}]}, \"profiles\": [{\"type\": \"sampled\", "
        "\"name\": \"t\", \"unit\": \"milliseconds\", \"startValue\": 0, \"endValue\": 10, "
        "\"samples\": [[0]], \"weights\": [10]}]}";
    CU_ASSERT_FATAL(fp_input_open_mem(&in, speedscope, strlen(speedscope), "s.json", &err) ==
                    FP_OK);
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT(got == 1 && run.kind == FP_INPUT_SPEEDSCOPE);
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 1);
    CU_ASSERT_EQUAL(fp_profile_data(q), 0u);
    fp_input_close(in);
    /* errors at open name `name`; *out stays NULL */
    char msg[512];
    in = (fp_input *)q;
    CU_ASSERT_EQUAL(fp_input_open_mem(&in, (const char *)gz, n - 9, "t.gz", &err), FP_EPARSE);
    CU_ASSERT_PTR_NULL(in);
    fp_error_format(&err, msg, sizeof(msg));
    CU_ASSERT_STRING_EQUAL(msg, "t.gz: error: not valid gzip data: truncated (the input ends "
                                "inside the compressed stream)");
    err = (fp_error)FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_input_open_mem(&in, "a,b\n1,2\n", 8, "t.csv", &err), FP_EINVAL);
    CU_ASSERT_PTR_NULL(in);
    CU_ASSERT_STRING_EQUAL(err.file, "t.csv");
    CU_ASSERT(strstr(err.msg, "not a format fpsim reads (looks like CSV") != NULL);
    free(gz);
    fp_profile_free(q);
}

/* A generate directory without its index: the profiles are read, their viewer formats and
 * manifests beside them are not. */
static void test_input_generate_dir(void)
{
    char dir[] = "/tmp/fp_gen_XXXXXX", path[600];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    fp_profile *p = make_small();
    static const struct {
        writer_fn fn;
        const char *name;
    } files[] = {{fp_trace_write_chrome, "run-0.trace.json"},
                 {fp_export_speedscope, "run-0.speedscope.json"},
                 {fp_export_folded, "run-0.folded"},
                 {fp_export_manifest, "run-0.truth.json"},
                 {fp_export_folded, "other.folded"}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        fp_status st;
        char *text = write_to_string(files[i].fn, p, &st);
        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        put_bytes(path, text, strlen(text));
        free(text);
    }
    put_runs(dir, "run-0.profile.json", 1);
    fp_input_kind k[8];
    fp_error err = FP_ERROR_INIT;
    /* other.folded and run-0.profile.json; the rest repeats run 0 or is its truth */
    CU_ASSERT_EQUAL(read_all_runs(dir, k, 8, &err), 2);
    CU_ASSERT(k[0] == FP_INPUT_FOLDED && k[1] == FP_INPUT_RUNS);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        remove(path);
    }
    snprintf(path, sizeof(path), "%s/run-0.profile.json", dir);
    remove(path);
    rmdir(dir);
    fp_profile_free(p);
}

/* The generate index: written by fp_export_index(), read back by fp_input_open() (round trip). */
static void test_input_index(void)
{
    char dir[] = "/tmp/fp_index_XXXXXX", sub[64], path[700];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    fp_error err = FP_ERROR_INIT;
    int formats[FP_FORMAT_COUNT] = {0};
    formats[FP_FORMAT_PROFILE] = formats[FP_FORMAT_CHROME] = 1;
    static const fp_index_scenario sc[2] = {{"alpha", NULL, "alpha", 7},
                                            {"b\"q", "/x/b\"q.yaml", "b_q", 18446744073709551615u}};
    const fp_index ix = {"2.7.1", "mt19937", formats, 2, sc, 2};
    /* the exact layout (the generate CLI test and the schema check the rest) */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fp_export_index(&ix, f, &err), FP_OK);
    CU_ASSERT_EQUAL(fclose(f), 0);
    static const char head[] = "{\n  \"fpsim_index\": 1,\n  \"fpsim_version\": \"";
    CU_ASSERT(strncmp(text, head, sizeof(head) - 1) == 0);
    CU_ASSERT(strstr(text, "\"formats\": [\"profile\", \"chrome\"],\n  \"scenarios\": [\n    "
                           "{\"name\": \"alpha\", \"file\": null, \"dir\": \"alpha\", \"seed\": "
                           "\"7\", \"runs\": [\n      {\"run_index\": 0, \"files\": {\"profile\": "
                           "\"alpha/run-0.profile.json\", \"chrome\": \"alpha/run-0.trace.json\"}},"
                           "\n      {\"run_index\": 1,") != NULL);
    CU_ASSERT(strstr(text, "{\"name\": \"b\\\"q\", \"file\": \"/x/b\\\"q.yaml\", \"dir\": \"b_q\", "
                           "\"seed\": \"18446744073709551615\"") != NULL);
    static const char tail[] = "\n    ]}\n  ]\n}\n";
    CU_ASSERT(len > sizeof(tail) && strcmp(text + len - (sizeof(tail) - 1), tail) == 0);
    CU_ASSERT_EQUAL(fp_input_sniff(text, len), FP_INPUT_INDEX);
    free(text);
    /* round trip: the index and the files it names, read back through fp_input */
    snprintf(path, sizeof(path), "%s/index.json", dir);
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fp_export_index(&ix, f, &err), FP_OK);
    CU_ASSERT_EQUAL(fclose(f), 0);
    fp_profile *p = make_small();
    for (size_t i = 0; i < 2; i++) {
        snprintf(sub, sizeof(sub), "%s/%s", dir, sc[i].dir);
        CU_ASSERT_FATAL(mkdir(sub, 0755) == 0);
        for (uint64_t r = 0; r < 2; r++) {
            CU_ASSERT_EQUAL(fp_profile_set_meta(p, sc[i].name, sc[i].seed, r, "mt19937", "2.7.1",
                                                "simulated", 1),
                            FP_OK);
            snprintf(path, sizeof(path), "%s/run-%u.profile.json", sub, (unsigned)r);
            f = fopen(path, "w");
            CU_ASSERT_FATAL(f != NULL);
            CU_ASSERT_EQUAL(fp_profile_write_json(p, 0, 0, f, &err), FP_OK);
            CU_ASSERT_EQUAL(fclose(f), 0);
        }
    }
    fp_profile_free(p);
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    fp_input *in = NULL;
    CU_ASSERT_FATAL(fp_input_open(&in, dir, &err) == FP_OK);
    size_t n = 0;
    int got = 1;
    while (got) {
        fp_input_run run;
        CU_ASSERT_FATAL(fp_input_next(in, q, &run, &got, &err) == FP_OK);
        if (!got)
            break;
        fp_meta m = fp_profile_meta(q);
        CU_ASSERT_EQUAL(run.kind, FP_INPUT_PROFILE);
        CU_ASSERT_STRING_EQUAL(m.scenario, sc[n / 2].name);
        CU_ASSERT_EQUAL(m.seed, sc[n / 2].seed);
        CU_ASSERT_EQUAL(m.run_index, n % 2);
        n++;
    }
    CU_ASSERT_EQUAL(n, 4);
    fp_input_close(in);
    fp_profile_free(q);
    /* refused descriptions */
    fp_index_scenario nodir = {"x", NULL, NULL, 1};
    fp_index bad = {"2.7.1", "mt19937", formats, 1, &nodir, 1};
    err = (fp_error)FP_ERROR_INIT;
    f = fopen("/dev/null", "w");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(fp_export_index(&bad, f, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(err.status, FP_EINVAL);
    fclose(f);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* fp_input_open_mem: the same sniffing and reading as a file, on bytes in memory. */
static void test_input_mem(void)
{
    char dir[] = "/tmp/fp_inmem_XXXXXX", path[700];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    fp_error err = FP_ERROR_INIT;
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    fp_input *in = NULL;
    fp_input_run run;
    int got = 0;
    /* a runs document: every run, in order, named by `name` */
    put_runs(dir, "runs.json", 3);
    snprintf(path, sizeof(path), "%s/runs.json", dir);
    size_t len;
    char *text = fp_test_read_file(path, &len);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT_FATAL(fp_input_open_mem(&in, text, len, "mem.json", &err) == FP_OK);
    free(text);
    for (size_t k = 0; k < 3; k++) {
        CU_ASSERT_EQUAL_FATAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
        CU_ASSERT_EQUAL(got, 1);
        CU_ASSERT_EQUAL(run.kind, FP_INPUT_RUNS);
        CU_ASSERT_EQUAL(run.index, k);
        CU_ASSERT_STRING_EQUAL(run.file, "mem.json");
        CU_ASSERT_EQUAL(fp_profile_meta(q).run_index, k);
    }
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT_EQUAL(got, 0);
    fp_input_close(in);
    /* a bare-array trace, not NUL-terminated (the length is what counts) */
    static const char trace[] = "[{\"ph\":\"X\",\"name\":\"a\",\"ts\":0,\"dur\":1}]garbage";
    CU_ASSERT_FATAL(fp_input_open_mem(&in, trace, sizeof(trace) - 1 - 7, "t", &err) == FP_OK);
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT(got == 1 && run.kind == FP_INPUT_CHROME && run.trace.spans == 1);
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 1);
    fp_input_close(in);
    /* an index: its files are relative to the directory of `name` */
    put_file(dir, "t.json", "[{\"ph\":\"X\",\"name\":\"b\",\"ts\":0,\"dur\":2}]");
    static const char index[] = "{\"fpsim_index\": 1, \"scenarios\": [{\"runs\": [{\"files\": "
                                "{\"chrome\": \"t.json\"}}]}]}";
    snprintf(path, sizeof(path), "%s/whatever.json", dir);
    CU_ASSERT_FATAL(fp_input_open_mem(&in, index, sizeof(index) - 1, path, &err) == FP_OK);
    CU_ASSERT_EQUAL(fp_input_next(in, q, &run, &got, &err), FP_OK);
    CU_ASSERT(got == 1 && run.kind == FP_INPUT_CHROME && strstr(run.file, "/t.json") != NULL);
    fp_input_close(in);
    /* errors name `name`; *out stays NULL */
    err = (fp_error)FP_ERROR_INIT;
    in = (fp_input *)q; /* overwritten with NULL */
    CU_ASSERT_EQUAL(fp_input_open_mem(&in, "{\"a\": ", 6, "bad.json", &err), FP_EPARSE);
    CU_ASSERT_PTR_NULL(in);
    CU_ASSERT_STRING_EQUAL(err.file, "bad.json");
    err = (fp_error)FP_ERROR_INIT;
    CU_ASSERT_EQUAL(
        fp_input_open_mem(&in, index, sizeof(index) - 1, "/nonexistent-fp/i.json", &err),
        FP_ENOENT);
    CU_ASSERT_PTR_NULL(in);
    fp_profile_free(q);
    char cmd[760];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

int fp_test_register(void)
{
    static const fp_test_case write[] = {
        {"names", test_names},
        {"folded", test_folded},
        {"folded_rounding", test_folded_rounding},
        {"folded_names", test_folded_names},
        {"csv", test_csv},
        {"manifest", test_manifest},
        {"speedscope", test_speedscope},
        {"speedscope_back_to_back", test_speedscope_back_to_back},
        {"empty", test_speedscope_empty},
        {"chrome", test_chrome_write},
        {"errors", test_write_errors},
        {"chrome_strict_nesting", test_chrome_strict_nesting},
        {"chrome_strict_nesting_detects", test_chrome_strict_nesting_detects},
        {NULL, NULL}};
    static const fp_test_case read[] = {{"roundtrip", test_roundtrip},
                                        {"roundtrip_inexact", test_roundtrip_inexact},
                                        {"sniff", test_sniff},
                                        {"handwritten", test_read_handwritten},
                                        {"instants", test_read_instants},
                                        {"real", test_read_real},
                                        {"unclosed", test_unclosed},
                                        {"counters_only", test_counters_only},
                                        {NULL, NULL}};
    static const fp_test_case bad[] = {{"inline", test_bad_inline},
                                       {"limits", test_bad_limits},
                                       {"truncation", test_truncation},
                                       {"alloc", test_alloc_fail},
                                       {NULL, NULL}};
    static const fp_test_case input[] = {{"sniff", test_input_sniff},
                                         {"files", test_input_files},
                                         {"sniff_formats", test_sniff_formats},
                                         {"not_a_format", test_not_a_format},
                                         {"generate_dir", test_input_generate_dir},
                                         {"index", test_input_index},
                                         {"mem", test_input_mem},
                                         {NULL, NULL}};
    static const fp_test_case sampled[] = {{"folded", test_folded_read},
                                           {"speedscope", test_speedscope_read},
                                           {"cpuprofile", test_cpuprofile_read},
                                           {"cpuprofile_real", test_cpuprofile_real},
                                           {"gzip", test_gzip},
                                           {"mem", test_mem_formats},
                                           {NULL, NULL}};
    if (fp_test_add_suite("write", write) != 0 || fp_test_add_suite("read", read) != 0 ||
        fp_test_add_suite("bad", bad) != 0 || fp_test_add_suite("input", input) != 0 ||
        fp_test_add_suite("sampled", sampled) != 0)
        return -1;
    return 0;
}
