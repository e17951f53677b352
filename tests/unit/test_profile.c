/*
 * test_profile.c - unit tests of the profile model (profile/fp_profile.c): lifecycle, reuse,
 * interning, metadata, series, and fp_profile_check() on one bad profile per invariant.
 * and the JSON writer and reader (profile/fp_profile_json.c); the strict YAML layer
 * (profile/fp_yaml.c) on its own: tree shape, accessors, one case per refused construct with its
 * message and location, and allocation failures.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile.h"
#include "fp_test.h"
#include "fp_yaml.h"

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
    /* cores: 1 until set, kept by set_meta, back to 1 on reset; 0 is rejected */
    CU_ASSERT_EQUAL(m.cores, 1);
    CU_ASSERT_EQUAL(fp_profile_set_cores(p, 4), FP_OK);
    CU_ASSERT_EQUAL(fp_profile_set_cores(p, 0), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_profile_meta(p).cores, 4);
    /* Setting from the profile's own current values is allowed. */
    CU_ASSERT_EQUAL(fp_profile_set_meta(p, m.scenario, 1, 2, m.rng, m.gsl_version, "x", 0), FP_OK);
    m = fp_profile_meta(p);
    CU_ASSERT_STRING_EQUAL(m.scenario, "web");
    CU_ASSERT_STRING_EQUAL(m.gsl_version, "2.7");
    CU_ASSERT_STRING_EQUAL(m.source, "x");
    CU_ASSERT_EQUAL(m.cores, 4);
    fp_profile_reset(p);
    CU_ASSERT_EQUAL(fp_profile_meta(p).cores, 1);
    fp_profile_free(p);
}

static void test_kind_names(void)
{
    const char *names[] = {"slow_method",    "latency_outliers", "memory_hotspot", "memory_leak",
                           "cpu_saturation", "call_storm",       "io_heavy"};
    CU_ASSERT_EQUAL(FP_KIND_COUNT, 7);
    for (int k = 0; k < FP_KIND_COUNT && k < (int)(sizeof names / sizeof names[0]); k++) {
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

/* The kind table: one row per kind, in enum order, with consistent magnitude ranges. */
static void test_kind_table(void)
{
    CU_ASSERT_PTR_NULL(fp_kind_info_get(FP_KIND_COUNT));
    CU_ASSERT_PTR_NULL(fp_kind_info_get((fp_kind)-1));
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        const fp_kind_info *in = fp_kind_info_get((fp_kind)k);
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        CU_ASSERT_EQUAL(in->kind, (fp_kind)k);
        CU_ASSERT_PTR_EQUAL(in->name, fp_kind_name((fp_kind)k));
        CU_ASSERT_PTR_NOT_NULL(in->mag_label);
        CU_ASSERT(in->mag_min < in->mag_max);
        /* a factor means "x times": its range starts at 1 (no effect) */
        if (in->mag_mode == FP_MAG_FACTOR)
            CU_ASSERT_EQUAL(in->mag_min, 1.0);
        CU_ASSERT_EQUAL(in->keys & ~(FP_KIND_KEY_FRACTION | FP_KIND_KEY_EPISODES), 0u);
        /* the episodes keys exist only with target process */
        if (in->keys & FP_KIND_KEY_EPISODES)
            CU_ASSERT(in->process_ok);
    }
    /* the documented facts the loader's messages and validate's labels rely on */
    CU_ASSERT(fp_kind_info_get(FP_KIND_MEMORY_LEAK)->process_ok);
    CU_ASSERT(fp_kind_info_get(FP_KIND_CPU_SATURATION)->process_ok);
    CU_ASSERT(!fp_kind_info_get(FP_KIND_SLOW_METHOD)->process_ok);
    CU_ASSERT(fp_kind_info_get(FP_KIND_MEMORY_LEAK)->time_based);
    CU_ASSERT(!fp_kind_info_get(FP_KIND_IO_HEAVY)->time_based);
    CU_ASSERT_EQUAL(fp_kind_info_get(FP_KIND_CPU_SATURATION)->mag_max, 100.0);
    CU_ASSERT_STRING_EQUAL(fp_kind_info_get(FP_KIND_MEMORY_HOTSPOT)->mag_label, "MB per call");
    CU_ASSERT_EQUAL(fp_kind_info_get(FP_KIND_CALL_STORM)->mag_mode, FP_MAG_FACTOR);
    CU_ASSERT_EQUAL(fp_kind_info_get(FP_KIND_MEMORY_LEAK)->mag_mode, FP_MAG_AMOUNT);
}

/*
 * Every "kind" property with an "enum" anywhere in the JSON schemas lists exactly the kind
 * table's names, in order. Returns how many such enums were found under `node`.
 */
static int check_kind_enums(const cJSON *node, const char *file)
{
    int found = 0;
    const cJSON *it;
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return 0;
    cJSON_ArrayForEach(it, node)
    {
        const cJSON *en = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "enum") : NULL;
        if (it->string != NULL && strcmp(it->string, "kind") == 0 && cJSON_IsArray(en)) {
            found++;
            int n = cJSON_GetArraySize(en);
            if (n != FP_KIND_COUNT)
                fprintf(stderr, "%s: kind enum has %d names, the kind table %d\n", file, n,
                        (int)FP_KIND_COUNT);
            CU_ASSERT_EQUAL(n, FP_KIND_COUNT);
            for (int k = 0; k < n && k < FP_KIND_COUNT; k++) {
                const cJSON *v = cJSON_GetArrayItem(en, k);
                CU_ASSERT_FATAL(cJSON_IsString(v));
                if (strcmp(v->valuestring, fp_kind_name((fp_kind)k)) != 0)
                    fprintf(stderr, "%s: kind enum[%d] is '%s', the kind table says '%s'\n", file,
                            k, v->valuestring, fp_kind_name((fp_kind)k));
                CU_ASSERT_STRING_EQUAL(v->valuestring, fp_kind_name((fp_kind)k));
            }
        }
        found += check_kind_enums(it, file);
    }
    return found;
}

/* Every schema in schemas/ (all *.json files) agrees with the kind table. */
static void test_kind_schema(void)
{
    char dir[512];
    int found = 0, files = 0;
    snprintf(dir, sizeof dir, "%s/schemas", FP_SOURCE_DIR);
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 5, ".json") != 0)
            continue;
        char path[1024];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = fp_test_read_file(path, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        cJSON *doc = cJSON_ParseWithLength(text, len);
        CU_ASSERT_PTR_NOT_NULL(doc);
        found += check_kind_enums(doc, e->d_name);
        files++;
        cJSON_Delete(doc);
        free(text);
    }
    closedir(d);
    CU_ASSERT(files >= 3);
    CU_ASSERT(found >= 1); /* at least manifest.schema.json's truth records */
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
    /* Spans end at 3.0, and so do the 30 samples of 0.1 s (30 * 0.1 rounds to exactly 3). */
    CU_ASSERT_EQUAL(fp_profile_duration(p), 3.0);
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
    char msg[64];
    snprintf(msg, sizeof msg, "truth 2: kind %d is not a known kind", (int)FP_KIND_COUNT);
    expect_check(p, msg, "truth[2].kind");

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

/* ---- run events ---- */

/* A breach whose strings need escaping, and a gap. */
static void add_two_events(fp_profile *p)
{
    fp_run_event b = {FP_EVENT_GUARD_BREACH,
                      0.30000000000000004,
                      99,
                      "max-rss",
                      213.08203125,
                      50,
                      "M\"B\n",
                      "kill",
                      7};
    fp_run_event g = {FP_EVENT_SAMPLING_GAP, 1.2, 1.6000000000000001, "ignored", 5, 6, "x", "y", 3};
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_event(p, &b), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_event(p, &g), FP_OK);
}

static void test_events(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    fp_run_event e;
    CU_ASSERT_EQUAL(fp_profile_event_count(p), 0);
    CU_ASSERT_EQUAL(fp_profile_event(p, 0, &e), 0);
    CU_ASSERT_STRING_EQUAL(fp_event_kind_name(FP_EVENT_GUARD_BREACH), "guard_breach");
    CU_ASSERT_STRING_EQUAL(fp_event_kind_name(FP_EVENT_SAMPLING_GAP), "sampling_gap");
    CU_ASSERT_PTR_NULL(fp_event_kind_name(FP_EVENT_KIND_COUNT));
    add_two_events(p);
    CU_ASSERT_EQUAL_FATAL(fp_profile_event_count(p), 2);
    CU_ASSERT_FATAL(fp_profile_event(p, 0, &e));
    /* a breach keeps its guard, value, limit, unit and action; its end is its start */
    CU_ASSERT_EQUAL(e.kind, FP_EVENT_GUARD_BREACH);
    CU_ASSERT_EQUAL(e.start_s, 0.30000000000000004);
    CU_ASSERT_EQUAL(e.end_s, 0.30000000000000004);
    CU_ASSERT_STRING_EQUAL(e.guard, "max-rss");
    CU_ASSERT_EQUAL(e.value, 213.08203125);
    CU_ASSERT_EQUAL(e.limit, 50);
    CU_ASSERT_STRING_EQUAL(e.unit, "M\"B\n");
    CU_ASSERT_STRING_EQUAL(e.action, "kill");
    CU_ASSERT_EQUAL(e.missed, 0);
    /* a gap keeps its window and count only */
    CU_ASSERT_FATAL(fp_profile_event(p, 1, &e));
    CU_ASSERT_EQUAL(e.kind, FP_EVENT_SAMPLING_GAP);
    CU_ASSERT_EQUAL(e.start_s, 1.2);
    CU_ASSERT_EQUAL(e.end_s, 1.6000000000000001);
    CU_ASSERT_EQUAL(e.missed, 3);
    CU_ASSERT_STRING_EQUAL(e.guard, "");
    CU_ASSERT_STRING_EQUAL(e.unit, "");
    CU_ASSERT_STRING_EQUAL(e.action, "");
    CU_ASSERT_EQUAL(e.value, 0);
    /* refused, nothing added */
    fp_run_event bad1 = {FP_EVENT_SAMPLING_GAP, 2, 1, "", 0, 0, "", "", 1};
    fp_run_event bad2 = {FP_EVENT_GUARD_BREACH, 1, 1, "", 1, 1, "MB", "warn", 0};
    fp_run_event bad3 = {FP_EVENT_GUARD_BREACH, NAN, 0, "max-rss", 1, 1, "MB", "warn", 0};
    fp_run_event bad4 = {FP_EVENT_GUARD_BREACH, 1, 0, "max-rss", INFINITY, 1, "MB", "warn", 0};
    fp_run_event bad5 = {FP_EVENT_KIND_COUNT, 1, 1, "max-rss", 1, 1, "MB", "warn", 0};
    fp_run_event bad6 = {FP_EVENT_SAMPLING_GAP, 1, 2, "", 0, 0, "", "", FP_EVENT_MAX_MISSED + 1};
    fp_run_event bad7 = {FP_EVENT_GUARD_BREACH, 1, 1, NULL, 1, 1, "MB", "warn", 0};
    const fp_run_event *bads[] = {&bad1, &bad2, &bad3, &bad4, &bad5, &bad6, &bad7};
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
        CU_ASSERT_EQUAL(fp_profile_add_event(p, bads[i]), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_profile_event_count(p), 2);
    /* NULL unit and action are stored as "" */
    fp_run_event nul = {FP_EVENT_GUARD_BREACH, 1, 1, "max-cpu", 3, 2, NULL, NULL, 0};
    CU_ASSERT_EQUAL(fp_profile_add_event(p, &nul), FP_OK);
    CU_ASSERT_FATAL(fp_profile_event(p, 2, &e));
    CU_ASSERT_STRING_EQUAL(e.guard, "max-cpu");
    CU_ASSERT_STRING_EQUAL(e.unit, "");
    CU_ASSERT_STRING_EQUAL(e.action, "");
    fp_profile_reset(p);
    CU_ASSERT_EQUAL(fp_profile_event_count(p), 0);
    fp_profile_free(p);
    /* out of memory (the first or the second allocation): nothing added */
    for (unsigned long n = 1; n <= 2; n++) {
        p = fp_profile_new();
        CU_ASSERT_FATAL(p != NULL);
        fp_alloc_fail_after(n);
        CU_ASSERT_EQUAL(fp_profile_add_event(p, &nul), FP_ENOMEM);
        fp_alloc_fail_after(0);
        CU_ASSERT_EQUAL(fp_profile_event_count(p), 0);
        fp_profile_free(p);
    }
}

/* ---- JSON helpers ---- */

/* Writes `p` to a new malloc'ed string (free with free()); asserts success. */
static char *to_json(const fp_profile *p, int include_truth, int indent, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    CU_ASSERT_FATAL(f != NULL);
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_profile_write_json(p, include_truth, indent, f, &err);
    CU_ASSERT_EQUAL(fclose(f), 0);
    CU_ASSERT_EQUAL(st, FP_OK);
    if (st != FP_OK)
        fprintf(stderr, "\n  write: %s (%s)\n", err.msg, err.key_path);
    if (len != NULL)
        *len = n;
    return buf;
}

static fp_profile *from_json(const char *text, size_t len, size_t run)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_profile_read_json(p, text, len, run, "mem.json", &err);
    CU_ASSERT_EQUAL(st, FP_OK);
    if (st != FP_OK) {
        char line[600];
        fp_error_format(&err, line, sizeof(line));
        fprintf(stderr, "\n  read: %s\n", line);
    }
    return p;
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof(double)) == 0;
}

/* Every field of `a` and `b` is bit-identical. */
static void assert_same_profile(const fp_profile *a, const fp_profile *b, int with_truth)
{
    fp_meta ma = fp_profile_meta(a), mb = fp_profile_meta(b);
    CU_ASSERT_STRING_EQUAL(ma.scenario, mb.scenario);
    CU_ASSERT_EQUAL(ma.seed, mb.seed);
    CU_ASSERT_EQUAL(ma.run_index, mb.run_index);
    CU_ASSERT_STRING_EQUAL(ma.rng, mb.rng);
    CU_ASSERT_STRING_EQUAL(ma.gsl_version, mb.gsl_version);
    CU_ASSERT_STRING_EQUAL(ma.source, mb.source);
    CU_ASSERT_EQUAL(ma.simulated, mb.simulated);
    CU_ASSERT_EQUAL_FATAL(fp_profile_method_count(a), fp_profile_method_count(b));
    for (size_t i = 0; i < fp_profile_method_count(a); i++)
        CU_ASSERT_STRING_EQUAL(fp_profile_method_name(a, i), fp_profile_method_name(b, i));
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(a), fp_profile_span_count(b));
    const fp_span *sa = fp_profile_spans(a), *sb = fp_profile_spans(b);
    int bad = 0;
    for (size_t i = 0; i < fp_profile_span_count(a); i++) {
        bad += sa[i].method != sb[i].method || sa[i].parent != sb[i].parent ||
               sa[i].track != sb[i].track;
        bad += !same_double(sa[i].start_s, sb[i].start_s) + !same_double(sa[i].dur_s, sb[i].dur_s);
        bad += !same_double(sa[i].cpu_pct, sb[i].cpu_pct);
        bad += !same_double(sa[i].mem_alloc_mb, sb[i].mem_alloc_mb);
        bad += !same_double(sa[i].mem_retained_mb, sb[i].mem_retained_mb);
        bad += !same_double(sa[i].io_ops, sb[i].io_ops);
        bad += !same_double(sa[i].io_bytes, sb[i].io_bytes);
    }
    CU_ASSERT_EQUAL(bad, 0);
    fp_series ra = fp_profile_series(a), rb = fp_profile_series(b);
    CU_ASSERT_EQUAL_FATAL(ra.n, rb.n);
    CU_ASSERT(same_double(ra.interval_s, rb.interval_s));
    for (size_t i = 0; i < ra.n; i++) {
        bad +=
            !same_double(ra.mem_mb[i], rb.mem_mb[i]) + !same_double(ra.cpu_pct[i], rb.cpu_pct[i]);
        bad += !same_double(ra.io_ops[i], rb.io_ops[i]);
        bad += !same_double(ra.io_bytes[i], rb.io_bytes[i]);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* run events are written with or without the truth */
    CU_ASSERT_EQUAL_FATAL(fp_profile_event_count(a), fp_profile_event_count(b));
    for (size_t i = 0; i < fp_profile_event_count(a); i++) {
        fp_run_event ea, eb;
        CU_ASSERT_FATAL(fp_profile_event(a, i, &ea) && fp_profile_event(b, i, &eb));
        bad += ea.kind != eb.kind || ea.missed != eb.missed;
        bad += !same_double(ea.start_s, eb.start_s) + !same_double(ea.end_s, eb.end_s);
        bad += !same_double(ea.value, eb.value) + !same_double(ea.limit, eb.limit);
        bad += strcmp(ea.guard, eb.guard) != 0 || strcmp(ea.unit, eb.unit) != 0 ||
               strcmp(ea.action, eb.action) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    if (!with_truth) {
        CU_ASSERT_EQUAL(fp_profile_truth_count(b), 0);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(fp_profile_truth_count(a), fp_profile_truth_count(b));
    const fp_truth *ta = fp_profile_truth(a), *tb = fp_profile_truth(b);
    for (size_t i = 0; i < fp_profile_truth_count(a); i++) {
        CU_ASSERT_EQUAL(ta[i].kind, tb[i].kind);
        CU_ASSERT_EQUAL(ta[i].target, tb[i].target);
        CU_ASSERT_EQUAL(ta[i].source, tb[i].source);
        CU_ASSERT_EQUAL(ta[i].affected_calls, tb[i].affected_calls);
        CU_ASSERT(same_double(ta[i].start_s, tb[i].start_s));
        CU_ASSERT(same_double(ta[i].end_s, tb[i].end_s));
        CU_ASSERT(same_double(ta[i].magnitude, tb[i].magnitude));
        CU_ASSERT(same_double(ta[i].extra_s, tb[i].extra_s));
        CU_ASSERT(same_double(ta[i].extra_mb, tb[i].extra_mb));
        CU_ASSERT(same_double(ta[i].extra_calls, tb[i].extra_calls));
        CU_ASSERT(same_double(ta[i].extra_io_ops, tb[i].extra_io_ops));
        CU_ASSERT(same_double(ta[i].extra_io_bytes, tb[i].extra_io_bytes));
        CU_ASSERT(same_double(ta[i].extra_cpu_pct_s, tb[i].extra_cpu_pct_s));
    }
}

/* A profile full of values that print badly with fewer than 17 digits. */
static fp_profile *make_awkward(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(fp_profile_set_meta(p, "we\"ird\\ name\n\t\x01 \xc3\xa9",
                                              4611686018427387904u + 1u, 9007199254740992u,
                                              "mt19937", "2.7", "simulated", 1),
                          FP_OK);
    uint32_t m0, m1;
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "a\"b", &m0), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "process", &m1), FP_OK);
    fp_span s = mk_span(m0, -1, 1e-300, 0.1 + 0.2);
    s.cpu_pct = 100.0 / 3.0;
    s.mem_alloc_mb = 123456789.123456789;
    s.mem_retained_mb = 4.9406564584124654e-324; /* smallest denormal */
    s.io_ops = 9007199254740993.0;               /* rounds to 2^53 */
    s.io_bytes = 1.7976931348623157e308;
    s.track = UINT32_MAX;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    fp_span c = mk_span(m1, 0, 0.1, 0.2 - 1e-17);
    c.mem_alloc_mb = -0.0;
    c.cpu_pct = 0.1 + 0.7;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &c, NULL), FP_OK);
    double *mem, *cpu, *iops, *ibytes;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 0.1, &mem, &cpu, &iops, &ibytes), FP_OK);
    for (int i = 0; i < 3; i++) {
        mem[i] = 1.0 / (i + 3.0);
        cpu[i] = 100.0 - 1e-13 * i;
        iops[i] = 1e22 * i;
        ibytes[i] = 2.2250738585072014e-308 * i;
    }
    fp_truth t;
    memset(&t, 0, sizeof(t));
    t.kind = FP_KIND_CPU_SATURATION;
    t.target = (int32_t)m1;
    t.source = UINT32_MAX;
    t.start_s = 0.1 + 0.2;
    t.end_s = 0.30000000000000004;
    t.magnitude = 1e-300;
    t.affected_calls = UINT32_MAX;
    t.extra_s = -1.5; /* extras may be negative: they are increments */
    t.extra_cpu_pct_s = 123456789.123456789;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_check(p, &err), FP_OK);
    return p;
}

/* ---- suite json_write ---- */

static const char s_expected_small[] =
    "{\n"
    "  \"schema_version\": 1,\n"
    "  \"meta\": {\"scenario\": \"s\", \"seed\": \"18446744073709551615\", \"run_index\": 2, "
    "\"rng\": \"mt19937\", \"gsl_version\": \"2.7\", \"fpsim_version\": \"@V@\", "
    "\"source\": \"simulated\", \"simulated\": true},\n"
    "  \"methods\": [\"main\", \"work\"],\n"
    "  \"spans\": {\n"
    "    \"fields\": [\"method\", \"parent\", \"track\", \"start_s\", \"dur_s\", \"cpu_pct\", "
    "\"mem_alloc_mb\", \"mem_retained_mb\", \"io_ops\", \"io_bytes\"],\n"
    "    \"rows\": [\n"
    "      [0,-1,0,0,2,12.5,1,0.25,3,4096],\n"
    "      [1,0,3,0.1,0.5,12.5,1,0.25,3,4096]\n"
    "    ]\n"
    "  },\n"
    "  \"series\": {\n"
    "    \"interval_s\": 1,\n"
    "    \"mem_mb\": [0,1.5],\n"
    "    \"cpu_pct\": [0,0],\n"
    "    \"io_ops\": [0,0],\n"
    "    \"io_bytes\": [0,0]\n"
    "  },\n"
    "  \"truth\": [\n"
    "    {\"kind\": \"io_heavy\", \"target\": \"work\", \"source\": 4, \"start_s\": 0, \"end_s\": "
    "2, \"magnitude\": 3, \"affected_calls\": 1, \"extra_s\": 0, \"extra_mb\": 0, "
    "\"extra_calls\": 0, \"extra_io_ops\": 7, \"extra_io_bytes\": 0, \"extra_cpu_pct_s\": 0},\n"
    "    {\"kind\": \"memory_leak\", \"target\": null, \"source\": 5, \"start_s\": 0, \"end_s\": "
    "2, \"magnitude\": 3, \"affected_calls\": 1, \"extra_s\": 0, \"extra_mb\": 0, "
    "\"extra_calls\": 0, \"extra_io_ops\": 7, \"extra_io_bytes\": 0, \"extra_cpu_pct_s\": 0}\n"
    "  ]\n"
    "}";

static fp_profile *make_small(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(
        fp_profile_set_meta(p, "s", UINT64_MAX, 2, "mt19937", "2.7", "simulated", 1), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "main", NULL), FP_OK);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "work", NULL), FP_OK);
    fp_span s = mk_span(0, -1, 0, 2);
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    s = mk_span(1, 0, 0.1, 0.5);
    s.track = 3;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    double *mem;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 2, 1.0, &mem, NULL, NULL, NULL), FP_OK);
    mem[1] = 1.5;
    fp_truth t;
    memset(&t, 0, sizeof(t));
    t.kind = FP_KIND_IO_HEAVY;
    t.target = 1;
    t.source = 4;
    t.end_s = 2;
    t.magnitude = 3;
    t.affected_calls = 1;
    t.extra_io_ops = 7;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    t.kind = FP_KIND_MEMORY_LEAK;
    t.target = FP_TARGET_PROCESS;
    t.source = 5;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    return p;
}

/* Expected text with @V@ replaced by this build's version (new; free with free()). */
static char *expected_small(void)
{
    const char *v = fp_version();
    const char *at = strstr(s_expected_small, "@V@");
    size_t n = strlen(s_expected_small) - 3 + strlen(v);
    char *e = malloc(n + 1);
    CU_ASSERT_FATAL(e != NULL);
    snprintf(e, n + 1, "%.*s%s%s", (int)(at - s_expected_small), s_expected_small, v, at + 3);
    return e;
}

static void test_write_exact(void)
{
    fp_profile *p = make_small();
    char *got = to_json(p, 1, 0, NULL);
    char *want = expected_small();
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n--- got:\n%s\n--- want:\n%s\n", got, want);
    free(got);
    free(want);
    fp_profile_free(p);
}

/* indent = 2: every line after the first gains 4 spaces; without truth, no "truth" key. */
static void test_write_indent_no_truth(void)
{
    fp_profile *p = make_small();
    char *got = to_json(p, 0, 2, NULL);
    char *want = expected_small();
    /* Build the expected indented text without truth from the indent-0 text. */
    char *cut = strstr(want, ",\n  \"truth\"");
    CU_ASSERT_FATAL(cut != NULL);
    strcpy(cut, "\n}");
    size_t cap = strlen(want) * 2 + 1, o = 0;
    char *ind = malloc(cap);
    CU_ASSERT_FATAL(ind != NULL);
    for (const char *c = want; *c != '\0'; c++) {
        ind[o++] = *c;
        if (*c == '\n') {
            memcpy(ind + o, "    ", 4);
            o += 4;
        }
    }
    ind[o] = '\0';
    CU_ASSERT_STRING_EQUAL(got, ind);
    CU_ASSERT_PTR_NULL(strstr(got, "truth"));
    free(ind);
    free(want);
    free(got);
    fp_profile_free(p);
}

static void test_write_empty(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    char *got = to_json(p, 1, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"methods\": [],\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"rows\": []\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"mem_mb\": [],\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"truth\": []\n}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"seed\": \"0\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"simulated\": false"));
    fp_profile *q = from_json(got, strlen(got), 0);
    assert_same_profile(p, q, 1);
    fp_profile_free(q);
    free(got);
    fp_profile_free(p);
}

static void expect_write_nonfinite(fp_profile *p, int include_truth, const char *msg,
                                   const char *path)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    CU_ASSERT_FATAL(f != NULL);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_write_json(p, include_truth, 0, f, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fclose(f), 0);
    CU_ASSERT_EQUAL(n, 0); /* nothing written */
    CU_ASSERT_STRING_EQUAL(err.msg, msg);
    CU_ASSERT_STRING_EQUAL(err.key_path, path);
    free(buf);
    fp_profile_free(p);
}

static void test_write_nonfinite(void)
{
    fp_profile *p = make_small();
    fp_profile_spans_mut(p)[1].dur_s = NAN;
    expect_write_nonfinite(p, 1, "span 1: dur_s is not finite (nan)", "spans.rows[1][4]");
    p = make_small();
    fp_profile_spans_mut(p)[0].io_bytes = -INFINITY;
    expect_write_nonfinite(p, 1, "span 0: io_bytes is not finite (-inf)", "spans.rows[0][9]");
    p = make_small();
    double *cpu;
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, 3, 1.0, NULL, &cpu, NULL, NULL), FP_OK);
    cpu[2] = INFINITY;
    expect_write_nonfinite(p, 1, "series cpu_pct[2] is not finite (inf)", "series.cpu_pct[2]");
    /* Truth is checked only when written. */
    p = make_small();
    fp_truth t;
    memset(&t, 0, sizeof(t));
    t.extra_mb = NAN;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_truth(p, &t), FP_OK);
    char *ok = to_json(p, 0, 0, NULL);
    free(ok);
    expect_write_nonfinite(p, 1, "truth 2: extra_mb is not finite (nan)", "truth[2].extra_mb");
}

/* A full disk: the error is reported (FP_EIO), not swallowed. */
static void test_write_eio(void)
{
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL) {
        CU_FAIL("cannot open /dev/full");
        return;
    }
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, "m", NULL), FP_OK);
    fp_span s = mk_span(0, -1, 0, 1);
    for (int i = 0; i < 2000; i++)
        CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, NULL), FP_OK);
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_write_json(p, 1, 0, f, &err), FP_EIO);
    CU_ASSERT_EQUAL(err.status, FP_EIO);
    CU_ASSERT_STRING_EQUAL(err.msg, "cannot write profile JSON");
    fclose(f);
    fp_profile_free(p);
}

/* ---- suite json_read ---- */

static void test_roundtrip_awkward(void)
{
    fp_profile *p = make_awkward();
    size_t n1, n2;
    char *t1 = to_json(p, 1, 0, &n1);
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"seed\": \"4611686018427387905\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"run_index\": 9007199254740992,"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(t1, "\"scenario\": \"we\\\"ird\\\\ name\\n\\t\\u0001 \xc3\xa9\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "[0,-1,4294967295,1e-300,"
                                      "0.30000000000000004,33.333333333333336,"
                                      "123456789.12345679,5e-324,"
                                      "9007199254740992,1.7976931348623157e+308]"));
    /* the shortest digits that read back (fp_fmt_double), not 17 */
    CU_ASSERT_PTR_NOT_NULL(strstr(t1, "[1,0,0,0.1,0.2,"
                                      "0.7999999999999999,-0,"));
    fp_profile *q = from_json(t1, n1, 0);
    assert_same_profile(p, q, 1);
    CU_ASSERT_EQUAL(fp_profile_meta(q).seed, 4611686018427387905u);
    CU_ASSERT_EQUAL(fp_profile_truth(q)[0].target, 1); /* "process" is a method name here */
    char *t2 = to_json(q, 1, 0, &n2);
    CU_ASSERT_EQUAL(n1, n2);
    CU_ASSERT(n1 == n2 && memcmp(t1, t2, n1) == 0);
    free(t1);
    free(t2);
    fp_profile_free(q);
    fp_profile_free(p);
}

static void test_roundtrip_good(void)
{
    fp_profile *p = tp_make_good();
    size_t n1, n2;
    char *t1 = to_json(p, 1, 0, &n1);
    fp_profile *q = from_json(t1, n1, 0);
    assert_same_profile(p, q, 1);
    char *t2 = to_json(q, 1, 0, &n2);
    CU_ASSERT(n1 == n2 && memcmp(t1, t2, n1) == 0);
    /* Without truth: read back with none. */
    free(t2);
    t2 = to_json(p, 0, 0, &n2);
    fp_profile *r = from_json(t2, n2, 0);
    assert_same_profile(p, r, 0);
    /* Reading into a used profile replaces its contents. */
    fp_error err = FP_ERROR_INIT;
    CU_ASSERT_EQUAL(fp_profile_read_json(r, t1, n1, 0, "x", &err), FP_OK);
    assert_same_profile(p, r, 1);
    fp_profile_free(r);
    free(t1);
    free(t2);
    fp_profile_free(q);
    fp_profile_free(p);
}

static void test_roundtrip_events(void)
{
    fp_profile *p = tp_make_good();
    size_t n1, n2;
    /* no events: no "events" key (every output without events is unchanged) */
    char *t0 = to_json(p, 1, 0, &n1);
    CU_ASSERT_PTR_NULL(strstr(t0, "\"events\""));
    free(t0);
    add_two_events(p);
    for (int truth = 0; truth < 2; truth++) {
        for (int indent = 0; indent < 2; indent++) {
            char *t1 = to_json(p, truth, indent, &n1);
            CU_ASSERT_PTR_NOT_NULL(strstr(t1, "\"events\": [\n"));
            CU_ASSERT_PTR_NOT_NULL(
                strstr(t1, "{\"kind\": \"guard_breach\", \"t_s\": 0.30000000000000004, "
                           "\"guard\": \"max-rss\", \"value\": 213.08203125, \"limit\": 50, "
                           "\"unit\": \"M\\\"B\\n\", \"action\": \"kill\"},\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr(t1, "{\"kind\": \"sampling_gap\", \"start_s\": 1.2, "
                                              "\"end_s\": 1.6, \"missed\": 3}\n"));
            CU_ASSERT_EQUAL(strstr(t1, "\"truth\"") != NULL, truth);
            fp_profile *q = from_json(t1, n1, 0);
            assert_same_profile(p, q, truth);
            char *t2 = to_json(q, truth, indent, &n2);
            CU_ASSERT(n1 == n2 && memcmp(t1, t2, n1) == 0);
            free(t1);
            free(t2);
            fp_profile_free(q);
        }
    }
    fp_profile_free(p);
}

static void test_read_recorded_file(void)
{
    size_t len;
    char *text = fp_test_read_file(FP_TEST_DATA "/profile/good/recorded.json", &len);
    CU_ASSERT_FATAL(text != NULL);
    fp_profile *p = from_json(text, len, 0);
    fp_run_event e;
    CU_ASSERT_STRING_EQUAL(fp_profile_meta(p).source, "record");
    CU_ASSERT_EQUAL_FATAL(fp_profile_event_count(p), 3);
    CU_ASSERT_FATAL(fp_profile_event(p, 1, &e));
    CU_ASSERT_EQUAL(e.kind, FP_EVENT_GUARD_BREACH);
    CU_ASSERT_STRING_EQUAL(e.guard, "max-time");
    CU_ASSERT_EQUAL(e.start_s, 3.7);
    CU_ASSERT_EQUAL(e.value, 3.7);
    CU_ASSERT_EQUAL(e.limit, 3.5);
    CU_ASSERT_STRING_EQUAL(e.unit, "s");
    CU_ASSERT_STRING_EQUAL(e.action, "term");
    CU_ASSERT_FATAL(fp_profile_event(p, 2, &e));
    CU_ASSERT_EQUAL(e.kind, FP_EVENT_SAMPLING_GAP);
    CU_ASSERT_EQUAL(e.start_s, 1.2);
    CU_ASSERT_EQUAL(e.end_s, 1.6);
    CU_ASSERT_EQUAL(e.missed, 3);
    fp_profile_free(p);
    free(text);
}

static void test_read_minimal_file(void)
{
    size_t len;
    char *text = fp_test_read_file(FP_TEST_DATA "/profile/good/minimal.json", &len);
    CU_ASSERT_FATAL(text != NULL);
    fp_profile *p = from_json(text, len, 0);
    fp_meta m = fp_profile_meta(p);
    CU_ASSERT_STRING_EQUAL(m.scenario, "mini");
    CU_ASSERT_EQUAL(m.seed, UINT64_MAX);
    CU_ASSERT_STRING_EQUAL(m.fpsim_version, fp_version()); /* the file says 0.0.0 */
    CU_ASSERT_EQUAL(m.simulated, 1);
    CU_ASSERT_EQUAL(fp_profile_method_count(p), 2);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(p), 2);
    const fp_span *s = fp_profile_spans(p);
    CU_ASSERT_EQUAL(s[1].method, 1);
    CU_ASSERT_EQUAL(s[1].parent, 0);
    CU_ASSERT_EQUAL(s[1].start_s, 0.5);
    CU_ASSERT_EQUAL(s[1].cpu_pct, 100.0);
    CU_ASSERT_EQUAL(s[1].io_bytes, 4096.0);
    fp_series r = fp_profile_series(p);
    CU_ASSERT_EQUAL_FATAL(r.n, 4);
    CU_ASSERT_EQUAL(r.interval_s, 0.5);
    CU_ASSERT_EQUAL(r.cpu_pct[2], 75.0);
    CU_ASSERT_EQUAL(fp_profile_duration(p), 2.0);
    CU_ASSERT_EQUAL_FATAL(fp_profile_truth_count(p), 2);
    CU_ASSERT_EQUAL(fp_profile_truth(p)[0].target, 1);
    CU_ASSERT_EQUAL(fp_profile_truth(p)[1].target, FP_TARGET_PROCESS);
    CU_ASSERT_EQUAL(fp_profile_truth(p)[1].kind, FP_KIND_MEMORY_LEAK);
    CU_ASSERT_EQUAL(fp_profile_truth(p)[1].extra_mb, 0.25);
    /* CRLF line endings read the same. */
    char *crlf = malloc(2 * len + 1);
    CU_ASSERT_FATAL(crlf != NULL);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            crlf[o++] = '\r';
        crlf[o++] = text[i];
    }
    fp_profile *q = from_json(crlf, o, 0);
    assert_same_profile(p, q, 1);
    fp_profile_free(q);
    free(crlf);
    fp_profile_free(p);
    free(text);
}

/* {"fpsim_runs": 1, "runs": [a, b]} built with the writer's indent parameter. */
static char *make_runs_doc(const fp_profile *a, const fp_profile *b, size_t *len)
{
    char *ta = to_json(a, 1, 2, NULL), *tb = to_json(b, 1, 2, NULL);
    size_t n = strlen(ta) + strlen(tb) + 128;
    char *doc = malloc(n);
    CU_ASSERT_FATAL(doc != NULL);
    *len = (size_t)snprintf(doc, n,
                            "{\n  \"fpsim_runs\": 1,\n  \"scenario\": \"x\",\n  \"runs\": [\n    "
                            "%s,\n    %s\n  ]\n}\n",
                            ta, tb);
    free(ta);
    free(tb);
    return doc;
}

static void test_runs_document(void)
{
    fp_profile *a = tp_make_good();
    fp_profile *b = make_awkward();
    size_t len;
    char *doc = make_runs_doc(a, b, &len);
    fp_error err = FP_ERROR_INIT;
    size_t count = 0;
    CU_ASSERT_EQUAL(fp_profile_json_count(doc, len, "runs.json", &count, &err), FP_OK);
    CU_ASSERT_EQUAL(count, 2);
    fp_profile *q = from_json(doc, len, 0);
    assert_same_profile(a, q, 1);
    fp_profile_free(q);
    q = from_json(doc, len, 1);
    assert_same_profile(b, q, 1);
    /* Out of range: FP_ERANGE, and the profile is left empty. */
    CU_ASSERT_EQUAL(fp_profile_read_json(q, doc, len, 2, "runs.json", &err), FP_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "run 2 out of range (2 runs)");
    CU_ASSERT_STRING_EQUAL(err.key_path, "runs");
    CU_ASSERT_STRING_EQUAL(err.file, "runs.json");
    CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
    /* A single profile counts as 1; run 1 of it is out of range. */
    char *single = to_json(a, 1, 0, NULL);
    CU_ASSERT_EQUAL(fp_profile_json_count(single, strlen(single), "one.json", &count, &err), FP_OK);
    CU_ASSERT_EQUAL(count, 1);
    fp_error_clear(&err);
    CU_ASSERT_EQUAL(fp_profile_read_json(q, single, strlen(single), 1, "one.json", &err),
                    FP_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "run 1 out of range (1 runs)");
    CU_ASSERT_STRING_EQUAL(err.key_path, "");
    free(single);
    /* An error inside run 1 carries the run's path prefix. */
    char *bad = strstr(doc, "\"schema_version\": 1");
    bad = strstr(bad + 1, "\"schema_version\": 1");
    CU_ASSERT_FATAL(bad != NULL);
    bad[strlen("\"schema_version\": ")] = '3';
    fp_error_clear(&err);
    CU_ASSERT_EQUAL(fp_profile_read_json(q, doc, len, 1, "runs.json", &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "unsupported schema_version 3 (this fpsim reads 1)");
    CU_ASSERT_STRING_EQUAL(err.key_path, "runs[1].schema_version");
    /* ...and does not affect run 0. */
    fp_profile_free(q);
    q = from_json(doc, len, 0);
    assert_same_profile(a, q, 1);
    /* A run that is not an object. */
    const char *notobj = "{\"fpsim_runs\": 1, \"runs\": [{}, 5]}";
    CU_ASSERT_EQUAL(fp_profile_read_json(q, notobj, strlen(notobj), 1, "r.json", &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "expected an object, got a number");
    CU_ASSERT_STRING_EQUAL(err.key_path, "runs[1]");
    CU_ASSERT_EQUAL(fp_profile_read_json(q, notobj, strlen(notobj), 0, "r.json", &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "missing field 'schema_version'");
    CU_ASSERT_STRING_EQUAL(err.key_path, "runs[0]");
    fp_profile_free(q);
    free(doc);
    fp_profile_free(a);
    fp_profile_free(b);
}

/* Every strict prefix of a good document fails with FP_EPARSE and a location, never crashes. */
static void test_truncation(void)
{
    fp_profile *a = tp_make_good();
    fp_profile *b = make_awkward();
    size_t len;
    char *doc = make_runs_doc(a, b, &len);
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    size_t bad = 0;
    /* The document ends with "}\n": every prefix shorter than len - 1 is incomplete. */
    for (size_t n = 0; n + 1 < len; n++) {
        fp_error err = FP_ERROR_INIT;
        fp_status st = fp_profile_read_json(q, doc, n, 1, "t.json", &err);
        size_t cnt = 0;
        fp_error err2 = FP_ERROR_INIT;
        fp_status st2 = fp_profile_json_count(doc, n, "t.json", &cnt, &err2);
        bad += st != FP_EPARSE || err.line == 0 || err.col == 0 || st2 != FP_EPARSE;
        bad += strcmp(err.file, "t.json") != 0 || fp_profile_span_count(q) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    fp_profile_free(q);
    free(doc);
    fp_profile_free(a);
    fp_profile_free(b);
}

/* Allocation failure at every step of reading: FP_ENOMEM, profile left empty, no leak. */
static void test_read_alloc_fail(void)
{
    fp_profile *a = make_awkward();
    size_t len;
    char *text = to_json(a, 1, 0, &len);
    fp_profile *q = fp_profile_new();
    CU_ASSERT_FATAL(q != NULL);
    int done = 0;
    unsigned long n;
    for (n = 1; n < 500 && !done; n++) {
        fp_profile_free(q);
        q = fp_profile_new(); /* fresh, so every growth is exercised */
        CU_ASSERT_FATAL(q != NULL);
        fp_error err = FP_ERROR_INIT;
        fp_alloc_fail_after(n);
        fp_status st = fp_profile_read_json(q, text, len, 0, "a.json", &err);
        fp_alloc_fail_after(0);
        if (st == FP_OK) {
            done = 1;
            assert_same_profile(a, q, 1);
        } else {
            CU_ASSERT_EQUAL(st, FP_ENOMEM);
            CU_ASSERT_EQUAL(err.status, FP_ENOMEM);
            CU_ASSERT_STRING_EQUAL(err.file, "a.json");
            CU_ASSERT_EQUAL(fp_profile_span_count(q), 0);
            CU_ASSERT_EQUAL(fp_profile_method_count(q), 0);
        }
    }
    CU_ASSERT(done);
    CU_ASSERT(n > 3); /* several allocation points were exercised */
    fp_profile_free(q);
    free(text);
    fp_profile_free(a);
}

/* ---- suite json_bad ---- */

typedef struct bad_case {
    const char *name; /* tests/data/profile/bad/<name>.json */
    fp_status status;
    unsigned long line, col;
    const char *path;
    const char *msg;
} bad_case;

static const bad_case s_bad[] = {
    {"syntax_trailing_comma", FP_EPARSE, 2, 19, "", "malformed JSON: unexpected ']'"},
    {"syntax_truncated", FP_EPARSE, 2, 18, "", "malformed JSON: unexpected end of input"},
    {"syntax_garbage", FP_EPARSE, 2, 2, "", "malformed JSON: unexpected 'x'"},
    {"syntax_empty", FP_EPARSE, 1, 1, "", "malformed JSON: unexpected end of input"},
    {"syntax_bare_word", FP_EPARSE, 1, 7, "", "malformed JSON: unexpected 't'"},
    {"deep_nesting", FP_ELIMIT, 1, 65, "", "nesting deeper than 64"},
    {"type_top_array", FP_EINVAL, 0, 0, "", "expected an object, got an array"},
    {"dup_top_key", FP_EINVAL, 0, 0, "methods", "duplicate key 'methods'"},
    {"dup_meta_key", FP_EINVAL, 0, 0, "meta.run_index", "duplicate key 'run_index'"},
    {"dup_truth_key", FP_EINVAL, 0, 0, "truth[1].source", "duplicate key 'source'"},
    {"unknown_key", FP_EINVAL, 0, 0, "meta.simulatd",
     "unknown key 'simulatd' (did you mean 'simulated'?)"},
    {"missing_top_field", FP_EINVAL, 0, 0, "", "missing field 'methods'"},
    {"missing_meta_field", FP_EINVAL, 0, 0, "meta", "missing field 'seed'"},
    {"missing_truth_field", FP_EINVAL, 0, 0, "truth[0]", "missing field 'extra_s'"},
    {"type_run_index", FP_EINVAL, 0, 0, "meta.run_index", "expected a number, got a string"},
    {"type_span_value", FP_EINVAL, 0, 0, "spans.rows[1][4]", "expected a number, got a string"},
    {"type_methods", FP_EINVAL, 0, 0, "methods", "expected an array, got a string"},
    {"type_simulated", FP_EINVAL, 0, 0, "meta.simulated", "expected a boolean, got a number"},
    {"nonfinite_span", FP_EINVAL, 0, 0, "spans.rows[0][4]",
     "number is out of range (not a finite double)"},
    {"nonfinite_series", FP_EINVAL, 0, 0, "series.mem_mb[2]",
     "number is out of range (not a finite double)"},
    {"cpu_range", FP_EINVAL, 0, 0, "spans.rows[1][5]", "cpu_pct must be in [0,100], got 100.5"},
    {"series_cpu_range", FP_EINVAL, 0, 0, "series.cpu_pct[1]",
     "series cpu_pct[1] must be in [0,100], got 101"},
    {"method_not_int", FP_EINVAL, 0, 0, "spans.rows[1][0]",
     "expected an integer in [0, 4294967295], got 1.5"},
    {"parent_not_int", FP_EINVAL, 0, 0, "spans.rows[1][1]",
     "expected an integer in [-1, 2147483647], got -2"},
    {"negative_time", FP_EINVAL, 0, 0, "spans.rows[1][3]", "start_s must be >= 0, got -0.5"},
    {"negative_mem", FP_EINVAL, 0, 0, "spans.rows[1][7]", "mem_retained_mb must be >= 0, got -1"},
    {"parent_not_smaller", FP_EINVAL, 0, 0, "spans.rows[1][1]",
     "parent 1 must be -1 or an index smaller than the span's own (1)"},
    {"child_outside_parent", FP_EINVAL, 0, 0, "spans.rows[1][4]",
     "ends at 2.5, after its parent's end 2 (span 0)"},
    {"child_before_parent", FP_EINVAL, 0, 0, "spans.rows[1][3]",
     "start_s 0.5 is before its parent's start 0.75 (span 0)"},
    {"unknown_method_index", FP_EINVAL, 0, 0, "spans.rows[1][0]",
     "method index 2 out of range (2 methods)"},
    {"row_too_short", FP_EINVAL, 0, 0, "spans.rows[1]", "expected 10 values, got 9"},
    {"row_too_long", FP_EINVAL, 0, 0, "spans.rows[1]", "expected 10 values, got 11"},
    {"bad_fields", FP_EINVAL, 0, 0, "spans.fields[4]",
     "expected \"dur_s\" (fields are listed in a fixed order)"},
    {"series_length", FP_EINVAL, 0, 0, "series.cpu_pct",
     "expected 4 samples (as in mem_mb), got 3"},
    {"series_interval", FP_EINVAL, 0, 0, "series.interval_s", "interval_s must be > 0, got 0"},
    {"seed_number", FP_EINVAL, 0, 0, "meta.seed", "expected a string, got a number"},
    {"seed_overflow", FP_EINVAL, 0, 0, "meta.seed",
     "expected a decimal string of an unsigned 64-bit integer, got '18446744073709551616'"},
    {"seed_negative", FP_EINVAL, 0, 0, "meta.seed",
     "expected a decimal string of an unsigned 64-bit integer, got '-1'"},
    {"run_index_big", FP_EINVAL, 0, 0, "meta.run_index",
     "expected an integer in [0, 9007199254740992], got 9007199254740994"},
    {"schema_version", FP_EINVAL, 0, 0, "schema_version",
     "unsupported schema_version 2 (this fpsim reads 1)"},
    {"duplicate_method", FP_EINVAL, 0, 0, "methods[2]", "duplicate method 'main'"},
    {"truth_kind", FP_EINVAL, 0, 0, "truth[1].kind",
     "unknown kind 'memory_leek' (did you mean 'memory_leak'?)"},
    {"truth_target", FP_EINVAL, 0, 0, "truth[0].target", "unknown method 'wrok'"},
    {"truth_end_before_start", FP_EINVAL, 0, 0, "truth[1].end_s",
     "truth 1: end_s 0.5 is before start_s 1"},
    {"events_kind", FP_EINVAL, 0, 0, "events[1].kind",
     "unknown event kind 'sampling_gapp' (did you mean 'sampling_gap'?)"},
    {"events_gap_order", FP_EINVAL, 0, 0, "events[0].end_s",
     "event 0: end_s 1 is before start_s 1.5"},
    {"events_missing_field", FP_EINVAL, 0, 0, "events[0]", "missing field 'limit'"},
    {"events_gap_key", FP_EINVAL, 0, 0, "events[0].guard", "unknown key 'guard'"},
    {"runs_version", FP_EINVAL, 0, 0, "fpsim_runs",
     "unsupported fpsim_runs 2 (this fpsim reads 1)"},
    {"runs_not_array", FP_EINVAL, 0, 0, "runs", "expected an array, got an object"},
    {"runs_dup", FP_EINVAL, 0, 0, "runs", "duplicate key 'runs'"},
    {NULL, FP_OK, 0, 0, NULL, NULL}};

static void test_bad_files(void)
{
    size_t n_cases = 0;
    for (const bad_case *c = s_bad; c->name != NULL; c++, n_cases++) {
        char path[512], label[128];
        snprintf(path, sizeof(path), "%s/profile/bad/%s.json", FP_TEST_DATA, c->name);
        snprintf(label, sizeof(label), "bad/%s.json", c->name);
        size_t len;
        char *text = fp_test_read_file(path, &len);
        CU_ASSERT_FATAL(text != NULL);
        fp_profile *p = fp_profile_new();
        CU_ASSERT_FATAL(p != NULL);
        fp_error err = FP_ERROR_INIT;
        fp_status st = fp_profile_read_json(p, text, len, 0, label, &err);
        int ok = st == c->status && err.status == c->status && err.line == c->line &&
                 err.col == c->col && strcmp(err.key_path, c->path) == 0 &&
                 strcmp(err.msg, c->msg) == 0 && strcmp(err.file, label) == 0 &&
                 fp_profile_span_count(p) == 0 && fp_profile_method_count(p) == 0;
        CU_ASSERT(ok);
        if (!ok)
            fprintf(stderr, "\n  %s: got %d %lu:%lu '%s' (%s)\n", c->name, (int)st, err.line,
                    err.col, err.msg, err.key_path);
        /* The count API reports the same for document-level problems. */
        if (c->status == FP_EPARSE || c->status == FP_ELIMIT) {
            size_t cnt;
            fp_error e2 = FP_ERROR_INIT;
            CU_ASSERT_EQUAL(fp_profile_json_count(text, len, label, &cnt, &e2), c->status);
            CU_ASSERT_STRING_EQUAL(e2.msg, c->msg);
        }
        fp_profile_free(p);
        free(text);
    }
    CU_ASSERT_EQUAL(n_cases, 51);
}

static void test_bad_inline(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    fp_error err = FP_ERROR_INIT;
    /* Embedded NUL: cJSON would stop there and accept "{}". */
    CU_ASSERT_EQUAL(fp_profile_read_json(p, "{}\n\0{", 5, 0, "nul.json", &err), FP_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "NUL byte in JSON text");
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.col, 1);
    CU_ASSERT_STRING_EQUAL(err.file, "nul.json");
    /* Not NUL-terminated input: only `len` bytes are read. */
    const char *good = "{} trailing";
    size_t cnt = 0;
    CU_ASSERT_EQUAL(fp_profile_json_count(good, 2, "x", &cnt, &err), FP_OK);
    CU_ASSERT_EQUAL(cnt, 1);
    /* Depth 64 passes the depth check (and then fails on structure); 200000 is rejected fast. */
    char deep[64 * 2 + 1];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = '\0';
    CU_ASSERT_EQUAL(fp_profile_read_json(p, deep, 128, 0, "d.json", &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "expected an object, got an array");
    size_t big = 200000;
    char *very = malloc(big);
    CU_ASSERT_FATAL(very != NULL);
    memset(very, '{', big);
    CU_ASSERT_EQUAL(fp_profile_read_json(p, very, big, 0, "d.json", &err), FP_ELIMIT);
    CU_ASSERT_EQUAL(err.col, 65);
    /* Brackets inside strings do not count as nesting. */
    memset(very, '[', big);
    const char *pre = "{\"a\": \"";
    memcpy(very, pre, strlen(pre));
    memcpy(very + big - 2, "\"}", 2);
    CU_ASSERT_EQUAL(fp_profile_json_count(very, big, "s.json", &cnt, &err), FP_OK);
    free(very);
    /* Size cap, checked before the text is touched. */
    CU_ASSERT_EQUAL(fp_profile_json_count("{}", ((size_t)1 << 30) + 1, "huge.json", &cnt, &err),
                    FP_ELIMIT);
    CU_ASSERT_STRING_EQUAL(err.msg, "profile JSON larger than 1 GiB");
    CU_ASSERT_STRING_EQUAL(err.file, "huge.json");
    /* Escaped quote inside a string does not end it. */
    const char *esc = "{\"a\\\"[[[\": 1}";
    CU_ASSERT_EQUAL(fp_profile_json_count(esc, strlen(esc), "e.json", &cnt, &err), FP_OK);
    fp_profile_free(p);
}

/* ---- the strict YAML layer (profile/fp_yaml.c) ---- */

/* Parses `text`; returns the status, the tree in *root (NULL on error). */
static fp_status yaml_try(const char *text, size_t depth, fp_yaml_node **root, fp_error *err)
{
    fp_yaml_ctx c = FP_YAML_CTX_INIT("t.yaml", err);
    *err = (fp_error)FP_ERROR_INIT;
    return fp_yaml_parse(&c, text, strlen(text), "input", depth, root);
}

static void test_yaml_tree(void)
{
    fp_error err;
    fp_yaml_node *root = NULL;
    CU_ASSERT_EQUAL_FATAL(yaml_try("a: 1\nb: {c: \"x\", d: [1, 2]}\n", 4, &root, &err), FP_OK);
    CU_ASSERT_FATAL(root != NULL && root->kind == FP_YAML_MAP);
    CU_ASSERT_EQUAL(fp_yaml_map_len(root), 2);
    const fp_yaml_node *b = root->kids[3];
    CU_ASSERT(b->kind == FP_YAML_MAP && b->line == 2 && b->col == 4);
    CU_ASSERT(b->kids[1]->kind == FP_YAML_SCALAR && !b->kids[1]->plain);
    CU_ASSERT(b->kids[3]->kind == FP_YAML_SEQ && b->kids[3]->n == 2);
    /* checked accessors, with the key path of the context in errors */
    fp_yaml_ctx c = FP_YAML_CTX_INIT("t.yaml", &err);
    double v = 0;
    CU_ASSERT_EQUAL(fp_yaml_get_number(&c, root->kids[1], &v), FP_OK);
    CU_ASSERT_EQUAL(v, 1.0);
    size_t old = fp_yaml_path_key(&c, "b");
    fp_yaml_path_key(&c, "c");
    CU_ASSERT_EQUAL(fp_yaml_get_number(&c, b->kids[1], &v), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "expected a number, got a string");
    CU_ASSERT_STRING_EQUAL(err.key_path, "b.c");
    CU_ASSERT(err.line == 2 && err.col == 8);
    fp_yaml_path_pop(&c, old);
    CU_ASSERT_STRING_EQUAL(c.path, "");
    static const char *const names[] = {"a", "bb"};
    fp_yaml_fields f;
    CU_ASSERT_EQUAL(fp_yaml_map_fields(&c, root, names, 2, &f), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown key 'b' (did you mean 'a'?)");
    fp_yaml_node_free(root);
    fp_yaml_node_free(NULL);
    /* empty documents give no tree */
    CU_ASSERT_EQUAL(yaml_try("# nothing\n---\n", 4, &root, &err), FP_OK);
    CU_ASSERT(root == NULL);
}

static void test_yaml_bad(void)
{
    static const struct {
        const char *text;
        size_t depth;
        fp_status st;
        const char *msg;
        unsigned long line, col;
    } cases[] = {
        {"a: [[1]]\n", 2, FP_ELIMIT, "nesting deeper than 2", 1, 5},
        {"a: [[1]]\n", 3, FP_OK, "", 0, 0},
        {"a: &x 1\n", 4, FP_EINVAL, "anchors are not supported", 1, 4},
        {"a: 1\nb: *x\n", 4, FP_EINVAL, "aliases are not supported", 2, 4},
        {"a: !t 1\n", 4, FP_EINVAL, "tags are not supported", 1, 4},
        {"<<: {a: 1}\n", 4, FP_EINVAL, "merge keys are not supported", 1, 1},
        {"a: 1\n---\nb: 2\n", 4, FP_EINVAL, "more than one YAML document", 2, 1},
        {"\xff\xfe"
         "a",
         4, FP_EPARSE, "input must be UTF-8 (found a UTF-16 byte order mark)", 1, 1},
        {"a: \"1\n", 4, FP_EPARSE,
         "found unexpected end of stream (while scanning a quoted scalar at 1:4)", 2, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fp_error err;
        fp_yaml_node *root = NULL;
        fp_status st = yaml_try(cases[i].text, cases[i].depth, &root, &err);
        CU_ASSERT_EQUAL(st, cases[i].st);
        if (st != FP_OK) {
            CU_ASSERT(root == NULL);
            CU_ASSERT_STRING_EQUAL(err.msg, cases[i].msg);
            CU_ASSERT_EQUAL(err.line, cases[i].line);
            CU_ASSERT_EQUAL(err.col, cases[i].col);
            CU_ASSERT_STRING_EQUAL(err.file, "t.yaml");
        }
        fp_yaml_node_free(root);
    }
    /* every allocation may fail: FP_ENOMEM and no leak */
    const char *text = "a: {b: [1, 2, \"x\"], c: {d: 3}}\ne: f\n";
    size_t n, bad = 0;
    for (n = 1; n < 200; n++) {
        fp_error err;
        fp_yaml_node *root = NULL;
        fp_alloc_fail_after(n);
        fp_status st = yaml_try(text, 8, &root, &err);
        fp_alloc_fail_after(0);
        fp_yaml_node_free(root);
        if (st == FP_OK)
            break;
        bad += st != FP_ENOMEM || root != NULL;
    }
    CU_ASSERT(n > 1 && n < 200);
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- registration ---- */

int fp_test_register(void)
{
    static const fp_test_case model[] = {{"new_empty", test_new_empty},
                                         {"meta", test_meta},
                                         {"kind_names", test_kind_names},
                                         {"kind_table", test_kind_table},
                                         {"kind_schema", test_kind_schema},
                                         {"intern_small", test_intern_small},
                                         {"intern_large", test_intern_large},
                                         {"reset_reuses", test_reset_reuses},
                                         {"series", test_series},
                                         {"spans_duration", test_spans_duration},
                                         {"alloc_fail", test_alloc_fail},
                                         {"events", test_events},
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
    static const fp_test_case json_write[] = {
        {"exact", test_write_exact}, {"indent_no_truth", test_write_indent_no_truth},
        {"empty", test_write_empty}, {"nonfinite", test_write_nonfinite},
        {"eio", test_write_eio},     {NULL, NULL}};
    static const fp_test_case json_read[] = {{"roundtrip_awkward", test_roundtrip_awkward},
                                             {"roundtrip_good", test_roundtrip_good},
                                             {"roundtrip_events", test_roundtrip_events},
                                             {"recorded_file", test_read_recorded_file},
                                             {"minimal_file", test_read_minimal_file},
                                             {"runs_document", test_runs_document},
                                             {"truncation", test_truncation},
                                             {"alloc_fail", test_read_alloc_fail},
                                             {NULL, NULL}};
    static const fp_test_case json_bad[] = {
        {"files", test_bad_files}, {"inline", test_bad_inline}, {NULL, NULL}};
    static const fp_test_case yaml[] = {
        {"tree", test_yaml_tree}, {"bad", test_yaml_bad}, {NULL, NULL}};
    if (fp_test_add_suite("model", model) != 0 || fp_test_add_suite("check", check) != 0 ||
        fp_test_add_suite("json_write", json_write) != 0 ||
        fp_test_add_suite("json_read", json_read) != 0 ||
        fp_test_add_suite("json_bad", json_bad) != 0 || fp_test_add_suite("yaml", yaml) != 0)
        return -1;
    return 0;
}
