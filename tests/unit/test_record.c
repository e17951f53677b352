/*
 * test_record.c - the recorder (record/fp_record.h): option units, and real runs of small shell
 * commands: exit statuses, a span written to FPSIM_TRACE_FD, a command that cannot be run, a guard.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fp_record.h"
#include "fp_test.h"

static void test_sizes(void)
{
    double v = 0;
    CU_ASSERT_EQUAL(fp_record_parse_size_mb("500M", &v), FP_OK);
    FP_ASSERT_NEAR(v, 500.0, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_size_mb("2G", &v), FP_OK);
    FP_ASSERT_NEAR(v, 2048.0, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_size_mb("512k", &v), FP_OK);
    FP_ASSERT_NEAR(v, 0.5, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_size_mb("1048576", &v), FP_OK);
    FP_ASSERT_NEAR(v, 1.0, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_size_mb("1.5GiB", &v), FP_OK);
    FP_ASSERT_NEAR(v, 1536.0, 1e-12);
    const char *bad[] = {"", "M", "-1M", "0", "12Q", "1e3M", "0x10M", " 5M", "inf", "nanM"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(fp_record_parse_size_mb(bad[i], &v), FP_EINVAL);
}

static void test_durations(void)
{
    double v = 0;
    CU_ASSERT_EQUAL(fp_record_parse_duration_s("90s", &v), FP_OK);
    FP_ASSERT_NEAR(v, 90.0, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_duration_s("1h", &v), FP_OK);
    FP_ASSERT_NEAR(v, 3600.0, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_duration_s("100ms", &v), FP_OK);
    FP_ASSERT_NEAR(v, 0.1, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_duration_s("2m", &v), FP_OK);
    FP_ASSERT_NEAR(v, 120.0, 1e-12);
    CU_ASSERT_EQUAL(fp_record_parse_duration_s("1.5", &v), FP_OK);
    FP_ASSERT_NEAR(v, 1.5, 1e-12);
    const char *bad[] = {"", "s", "-1s", "0s", "10x", "1hh", "+3s"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(fp_record_parse_duration_s(bad[i], &v), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(fp_record_guard_name(FP_GUARD_MAX_CPU), "max-cpu");
    CU_ASSERT_PTR_NULL(fp_record_guard_name(FP_GUARD_COUNT));
}

/* Records `sh -c script` with a 20 ms interval. */
static fp_status record_sh(const char *script, fp_record_options *o, fp_record **r, fp_error *err)
{
    char sh[] = "sh", c[] = "-c", buf[1024];
    snprintf(buf, sizeof(buf), "%s", script);
    char *argv[] = {sh, c, buf, NULL};
    o->interval_s = 0.02;
    o->io_interval_s = 0.04;
    return fp_record_run(r, argv, o, err);
}

static void test_exit_and_span(void)
{
    fp_record_options o = FP_RECORD_OPTIONS_INIT;
    fp_record *r = NULL;
    fp_error err = FP_ERROR_INIT;
    /* a span from the shell on CLOCK_MONOTONIC, 100 ms after now, 50 ms long */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long us = (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000 + 100000;
    char script[512];
    snprintf(script, sizeof(script),
             "printf '{\"ph\":\"X\",\"name\":\"step\",\"pid\":1,\"tid\":1,\"ts\":%lld,"
             "\"dur\":50000}\\n' >&$FPSIM_TRACE_FD; sleep 0.3; exit 7",
             us);
    CU_ASSERT_EQUAL_FATAL(record_sh(script, &o, &r, &err), FP_OK);
    const fp_record_summary *s = fp_record_summary_get(r);
    CU_ASSERT_EQUAL(s->exit_status, 7);
    CU_ASSERT_FALSE(s->signaled);
    CU_ASSERT_FALSE(s->stopped_by_guard);
    CU_ASSERT(s->wall_s >= 0.3 && s->wall_s < 5.0);
    CU_ASSERT(s->samples >= 5);
    CU_ASSERT(s->peak_rss_mb > 0.0);
    CU_ASSERT(s->max_procs >= 1);
    fp_profile *p = fp_profile_new();
    CU_ASSERT_EQUAL_FATAL(fp_record_profile(r, "shell", p, &err), FP_OK);
    fp_meta m = fp_profile_meta(p);
    CU_ASSERT_STRING_EQUAL(m.scenario, "shell");
    CU_ASSERT_STRING_EQUAL(m.source, "record");
    CU_ASSERT_FALSE(m.simulated);
    CU_ASSERT_EQUAL(fp_profile_data(p), FP_DATA_ALL);
    /* root span first, a container; the shell's span under it */
    const fp_span *sp = fp_profile_spans(p);
    CU_ASSERT_EQUAL_FATAL(fp_profile_span_count(p), 2);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(p, sp[0].method), "shell");
    CU_ASSERT_EQUAL(fp_profile_method_flags(p, sp[0].method), FP_METHOD_CONTAINER);
    CU_ASSERT_EQUAL(sp[0].parent, -1);
    CU_ASSERT_STRING_EQUAL(fp_profile_method_name(p, sp[1].method), "step");
    CU_ASSERT_EQUAL(sp[1].parent, 0);
    FP_ASSERT_NEAR(sp[1].dur_s, 0.05, 1e-9);
    CU_ASSERT(sp[1].start_s > 0.0 && sp[1].start_s < 0.15);
    fp_series ser = fp_profile_series(p);
    FP_ASSERT_NEAR(ser.interval_s, 0.02, 1e-12);
    CU_ASSERT_EQUAL(ser.n, (size_t)ceil(fp_profile_duration(p) / 0.02 - 1e-9));
    CU_ASSERT(ser.mem_mb[ser.n / 2] > 0.0); /* (the first may have none on a loaded machine) */
    fp_profile_free(p);
    fp_record_free(r);
}

static void test_cannot_run(void)
{
    fp_record_options o = FP_RECORD_OPTIONS_INIT;
    fp_record *r = NULL;
    fp_error err = FP_ERROR_INIT;
    char cmd[] = "/nonexistent/fpsim-no-such-command";
    char *argv[] = {cmd, NULL};
    CU_ASSERT_EQUAL(fp_record_run(&r, argv, &o, &err), FP_ENOENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(fp_record_summary_get(r)->exit_status, 127);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot run '/nonexistent/fpsim-no-such-command'"));
    fp_record_free(r);
    char *none[] = {NULL};
    CU_ASSERT_EQUAL(fp_record_run(&r, none, &o, &err), FP_EINVAL);
    CU_ASSERT_PTR_NULL(r);
}

static void test_guard_term(void)
{
    fp_record_options o = FP_RECORD_OPTIONS_INIT;
    o.limit[FP_GUARD_MAX_TIME] = 0.1;
    o.on_breach = FP_RECORD_TERM;
    o.grace_s = 0.2;
    fp_record *r = NULL;
    fp_error err = FP_ERROR_INIT;
    /* ignores SIGTERM: SIGKILL after the grace period ends it */
    CU_ASSERT_EQUAL_FATAL(record_sh("trap '' TERM; sleep 3 & wait; sleep 3", &o, &r, &err), FP_OK);
    const fp_record_summary *s = fp_record_summary_get(r);
    CU_ASSERT(s->stopped_by_guard);
    CU_ASSERT(s->signaled);
    CU_ASSERT_EQUAL(s->exit_status, 128 + 9);
    CU_ASSERT(s->wall_s < 2.0);
    size_t n = 0;
    const fp_record_breach *b = fp_record_breaches(r, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(b[0].guard, FP_GUARD_MAX_TIME);
    CU_ASSERT(b[0].value > 0.1 && b[0].t_s == b[0].value);
    FP_ASSERT_NEAR(b[0].limit, 0.1, 1e-12);
    CU_ASSERT_EQUAL(b[0].action, FP_RECORD_TERM);
    fp_record_free(r);
}

/* 1 ms, the documented lower bound of --interval, works: every tick is a sample or a counted
 * gap (a loaded machine misses ticks), and the profile's series have 1 ms slots. */
static void test_interval_1ms(void)
{
    fp_record_options o = FP_RECORD_OPTIONS_INIT;
    fp_record *r = NULL;
    fp_error err = FP_ERROR_INIT;
    char sh[] = "sh", c[] = "-c", script[] = "sleep 0.3";
    char *argv[] = {sh, c, script, NULL};
    o.interval_s = 0.001;
    o.io_interval_s = 0.005;
    CU_ASSERT_EQUAL_FATAL(fp_record_run(&r, argv, &o, &err), FP_OK);
    const fp_record_summary *s = fp_record_summary_get(r);
    CU_ASSERT_EQUAL(s->exit_status, 0);
    CU_ASSERT(s->wall_s >= 0.3);
    size_t ng = 0, missed = 0;
    const fp_record_gap *g = fp_record_gaps(r, &ng);
    for (size_t i = 0; i < ng; i++)
        missed += g[i].missed;
    double ticks = s->wall_s / 0.001;
    fprintf(stderr, "interval_1ms: wall %.3f s, %zu samples, %zu missed in %zu gaps\n", s->wall_s,
            s->samples, missed, ng);
    CU_ASSERT(s->samples >= 10); /* on a loaded 2-core machine most ticks can be missed */
    CU_ASSERT((double)(s->samples + missed) >= 0.9 * ticks - 2);
    CU_ASSERT((double)(s->samples + missed) <= 1.1 * ticks + 2);
    fp_record_free(r);
}

int fp_test_register(void)
{
    static const fp_test_case units[] = {
        {"sizes", test_sizes}, {"durations", test_durations}, {NULL, NULL}};
    static const fp_test_case run[] = {{"exit_and_span", test_exit_and_span},
                                       {"cannot_run", test_cannot_run},
                                       {"guard_term", test_guard_term},
                                       {"interval_1ms", test_interval_1ms},
                                       {NULL, NULL}};
    if (fp_test_add_suite("units", units) != 0 || fp_test_add_suite("run", run) != 0)
        return -1;
    return 0;
}
