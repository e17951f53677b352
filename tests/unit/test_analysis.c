/*
 * test_analysis.c - unit tests of the analysis engine (analysis/) on hand-built profiles:
 * thresholds by name, metrics (exact percentiles, self time with nested and parallel children,
 * the critical path), each detector (positive, negative, exactly at the threshold, one call, all
 * calls equal, heavy tails), the score, edge cases that must never yield NaN/Inf, deterministic
 * order, and allocation failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "fp_analysis.h"
#include "fp_analysis_internal.h" /* fp_sort_doubles() */
#include "fp_profile.h"
#include "fp_test.h"

/* ---- builders ---- */

static fp_profile *tb_new(void)
{
    fp_profile *p = fp_profile_new();
    CU_ASSERT_FATAL(p != NULL);
    return p;
}

static uint32_t tb_method(fp_profile *p, const char *name)
{
    uint32_t m = 0;
    CU_ASSERT_EQUAL_FATAL(fp_profile_intern_method(p, name, &m), FP_OK);
    return m;
}

/* Adds a span with all resource fields zero; returns its index. */
static int32_t tb_span(fp_profile *p, uint32_t m, int32_t parent, double start, double dur)
{
    fp_span s;
    size_t idx = 0;
    memset(&s, 0, sizeof s);
    s.method = m;
    s.parent = parent;
    s.start_s = start;
    s.dur_s = dur;
    CU_ASSERT_EQUAL_FATAL(fp_profile_add_span(p, &s, &idx), FP_OK);
    return (int32_t)idx;
}

static fp_span *tb_last(fp_profile *p)
{
    return &fp_profile_spans_mut(p)[fp_profile_span_count(p) - 1];
}

/* `n` sequential top-level calls of m with the given durations, starting at t0; returns end. */
static double tb_calls(fp_profile *p, uint32_t m, const double *dur, size_t n, double t0)
{
    size_t i;
    for (i = 0; i < n; i++) {
        tb_span(p, m, -1, t0, dur[i]);
        t0 += dur[i];
    }
    return t0;
}

/* Series of n samples at interval iv, all zero; returns pointers. */
static void tb_series(fp_profile *p, size_t n, double iv, double **mem, double **cpu, double **ops,
                      double **bytes)
{
    CU_ASSERT_EQUAL_FATAL(fp_profile_series_resize(p, n, iv, mem, cpu, ops, bytes), FP_OK);
}

static fp_analysis *an(const fp_profile *p, const fp_thresholds *t)
{
    fp_analysis *a = NULL;
    fp_error err = FP_ERROR_INIT;
    fp_status st = fp_analyze(&a, p, t, &err);
    if (st != FP_OK)
        fprintf(stderr, "fp_analyze: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(st, FP_OK);
    CU_ASSERT_FATAL(a != NULL);
    return a;
}

static size_t count_kind(const fp_analysis *a, fp_kind k)
{
    size_t n, i, c = 0;
    const fp_finding *f = fp_analysis_findings(a, &n);
    for (i = 0; i < n; i++)
        if (f[i].kind == k)
            c++;
    return c;
}

static const fp_finding *find(const fp_analysis *a, fp_kind k, int32_t target)
{
    size_t n, i;
    const fp_finding *f = fp_analysis_findings(a, &n);
    for (i = 0; i < n; i++)
        if (f[i].kind == k && f[i].target == target)
            return &f[i];
    return NULL;
}

static double evidence(const fp_finding *f, const char *name)
{
    size_t i;
    for (i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].name, name) == 0)
            return f->evidence[i].value;
    CU_FAIL("evidence name not found");
    return NAN;
}

static int all_finite_d(const double *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Asserts every double the analysis exposes is finite and in its documented range. */
static void assert_sane(const fp_analysis *a)
{
    const fp_run_metrics *r = fp_analysis_run(a);
    size_t n, i;
    const fp_method_metrics *mm = fp_analysis_methods(a, &n);
    const fp_path_entry *pe;
    const fp_finding *f;
    const fp_recommendation *rec;
    double rv[] = {r->duration_s, r->self_s,        r->parallelism,  r->peak_mem_mb,
                   r->avg_mem_mb, r->mem_growth_mb, r->peak_cpu_pct, r->avg_cpu_pct,
                   r->io_ops,     r->io_bytes,      r->io_ops_per_s, r->io_bytes_per_s,
                   r->idle_path_s};

    CU_ASSERT(all_finite_d(rv, sizeof rv / sizeof rv[0]));
    CU_ASSERT(r->avg_cpu_pct <= r->peak_cpu_pct && r->peak_cpu_pct <= 100.0);
    CU_ASSERT(r->avg_mem_mb <= r->peak_mem_mb);
    for (i = 0; i < n; i++) {
        double v[] = {mm[i].total_s,
                      mm[i].self_s,
                      mm[i].mean_s,
                      mm[i].sd_s,
                      mm[i].self_mean_s,
                      mm[i].min_s,
                      mm[i].max_s,
                      mm[i].p50_s,
                      mm[i].p95_s,
                      mm[i].p99_s,
                      mm[i].share,
                      mm[i].mem_alloc_mb,
                      mm[i].mem_alloc_mean_mb,
                      mm[i].mem_alloc_max_mb,
                      mm[i].mem_retained_mb,
                      mm[i].cpu_pct,
                      mm[i].io_ops,
                      mm[i].io_bytes,
                      mm[i].path_s};
        CU_ASSERT(all_finite_d(v, sizeof v / sizeof v[0]));
        CU_ASSERT(mm[i].name != NULL);
    }
    pe = fp_analysis_critical_path(a, &n);
    for (i = 0; i < n; i++)
        CU_ASSERT(isfinite(pe[i].seconds) && isfinite(pe[i].share));
    f = fp_analysis_findings(a, &n);
    for (i = 0; i < n; i++) {
        size_t k;
        double v[] = {f[i].start_s, f[i].end_s,  f[i].measured, f[i].threshold,
                      f[i].share,   f[i].excess, f[i].impact,   f[i].improvement};
        CU_ASSERT(all_finite_d(v, sizeof v / sizeof v[0]));
        for (k = 0; k < f[i].n_evidence; k++)
            CU_ASSERT(isfinite(f[i].evidence[k].value));
        CU_ASSERT(f[i].impact >= 0 && f[i].impact <= 100);
        CU_ASSERT(f[i].severity == fp_severity_from_impact(f[i].impact));
        CU_ASSERT(f[i].root_cause[0] != '\0');
        CU_ASSERT(strstr(f[i].root_cause, "nan") == NULL && strstr(f[i].root_cause, "inf") == NULL);
    }
    rec = fp_analysis_recommendations(a, &n);
    for (i = 0; i < n; i++) {
        CU_ASSERT(rec[i].rank == i + 1);
        CU_ASSERT(isfinite(rec[i].improvement));
    }
    CU_ASSERT(isfinite(fp_analysis_score(a)));
    CU_ASSERT(fp_analysis_score(a) >= 0 && fp_analysis_score(a) <= 100);
}

/* Deterministic Pareto quantiles: x_i = xm (1 - u_i)^(-1/alpha), u_i = (i + 0.5) / n. */
static void pareto_quantiles(double *x, size_t n, double xm, double alpha)
{
    size_t i;
    for (i = 0; i < n; i++)
        x[i] = xm * pow(1.0 - ((double)i + 0.5) / (double)n, -1.0 / alpha);
}

/* ---- thresholds ---- */

static void test_thresholds_defaults(void)
{
    fp_thresholds init = FP_THRESHOLDS_INIT, t;
    size_t i;

    memset(&t, 0xff, sizeof t);
    fp_thresholds_init(&t);
    CU_ASSERT_EQUAL(memcmp(&t, &init, sizeof t), 0);
    CU_ASSERT_EQUAL(fp_thresholds_key_count(), sizeof(fp_thresholds) / sizeof(double));
    CU_ASSERT_PTR_NULL(fp_thresholds_key_info(fp_thresholds_key_count()));
    for (i = 0; i < fp_thresholds_key_count(); i++) {
        const fp_threshold_info *in = fp_thresholds_key_info(i);
        double v = -1;
        fp_error err = FP_ERROR_INIT;
        CU_ASSERT_FATAL(in != NULL);
        CU_ASSERT_EQUAL(fp_thresholds_get(&init, in->key, &v, &err), FP_OK);
        CU_ASSERT_EQUAL(v, in->def);
        /* key order follows the struct: the i-th double */
        CU_ASSERT_EQUAL(v, ((const double *)&init)[i]);
        CU_ASSERT(in->min <= in->def && in->def <= in->max);
    }
    CU_ASSERT_EQUAL(init.slow_mean_s, 2.0);
    CU_ASSERT_EQUAL(init.hotspot_alloc_mb, 100.0);
    CU_ASSERT_EQUAL(init.cpu_pct, 80.0);
    CU_ASSERT_EQUAL(init.storm_calls, 1000.0);
}

static void test_thresholds_set(void)
{
    fp_thresholds t = FP_THRESHOLDS_INIT, before;
    fp_error err = FP_ERROR_INIT;
    double v = 0;

    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "slow_method.mean_s", 0.25, &err), FP_OK);
    CU_ASSERT_EQUAL(t.slow_mean_s, 0.25);
    CU_ASSERT_EQUAL(fp_thresholds_get(&t, "slow_method.mean_s", &v, &err), FP_OK);
    CU_ASSERT_EQUAL(v, 0.25);
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "io_heavy.min_self_s", 3, &err), FP_OK);
    CU_ASSERT_EQUAL(t.io_min_self_s, 3.0);
    before = t;
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "slow_method.mean", 1.0, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown analysis threshold 'slow_method.mean' (did you mean "
                                    "'slow_method.mean_s'?)");
    CU_ASSERT_STRING_EQUAL(err.key_path, "slow_method.mean");
    fp_error_clear(&err);
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "zzz", 1.0, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown analysis threshold 'zzz'");
    fp_error_clear(&err);
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "cpu_saturation.pct", 120, &err), FP_ERANGE);
    CU_ASSERT_STRING_EQUAL(
        err.msg, "analysis threshold 'cpu_saturation.pct' must be in [0, 99.999], got 120");
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "memory_leak.p_value", NAN, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "memory_leak.p_value", INFINITY, &err), FP_EINVAL);
    CU_ASSERT_EQUAL(fp_thresholds_set(&t, "call_storm.calls", -1, &err), FP_ERANGE);
    CU_ASSERT_EQUAL(memcmp(&t, &before, sizeof t), 0);
    CU_ASSERT_EQUAL(fp_thresholds_get(&t, "nope", &v, &err), FP_EINVAL);
}

/* The --thresholds file reader: both forms, file order, located errors, the size limit. */
static void test_thresholds_file(void)
{
    fp_thresholds_overrides o;
    fp_error err = FP_ERROR_INIT;
    const char *good = "# c\nslow_method: {mean_s: 3}\n'call_storm.calls': 5\n";
    CU_ASSERT_EQUAL_FATAL(fp_thresholds_load_yaml(good, strlen(good), "t.yaml", &o, &err), FP_OK);
    CU_ASSERT_EQUAL_FATAL(o.n, 2);
    CU_ASSERT_STRING_EQUAL(o.keys[0], "slow_method.mean_s");
    CU_ASSERT_EQUAL(o.values[0], 3.0);
    CU_ASSERT_STRING_EQUAL(o.keys[1], "call_storm.calls");
    fp_thresholds_overrides_free(&o);
    CU_ASSERT_EQUAL(o.n, 0);
    CU_ASSERT_EQUAL(fp_thresholds_load_yaml("", 0, "t.yaml", &o, &err), FP_OK);
    CU_ASSERT_EQUAL(o.n, 0);
    const char *dup = "slow_method.mean_s: 3\nslow_method: {mean_s: 4}\n";
    CU_ASSERT_EQUAL(fp_thresholds_load_yaml(dup, strlen(dup), "t.yaml", &o, &err), FP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "duplicate threshold 'slow_method.mean_s'");
    CU_ASSERT_STRING_EQUAL(err.file, "t.yaml");
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_PTR_NULL(o.keys);
    const char *range = "slow_method.path_share: 2\n";
    CU_ASSERT_EQUAL(fp_thresholds_load_yaml(range, strlen(range), "t.yaml", &o, &err), FP_ERANGE);
    CU_ASSERT_EQUAL(
        fp_thresholds_load_yaml(good, FP_THRESHOLDS_FILE_MAX_BYTES + 1, "t.yaml", &o, &err),
        FP_ELIMIT);
    CU_ASSERT_STRING_EQUAL(err.msg, "thresholds file larger than 1 MiB");
}

/* The detector registry: one per kind in kind order, thresholds grouped under its name. */
static void test_registry(void)
{
    size_t total = 0;
    CU_ASSERT_EQUAL(fp_detector_count(), (size_t)FP_KIND_COUNT);
    CU_ASSERT_PTR_NULL(fp_detector_get(fp_detector_count()));
    CU_ASSERT_PTR_NULL(fp_detector_find("nope"));
    CU_ASSERT_PTR_NULL(fp_detector_find(NULL));
    CU_ASSERT_PTR_NULL(fp_detector_find("score"));
    for (size_t i = 0; i < fp_detector_count(); i++) {
        const fp_detector_info *d = fp_detector_get(i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(d->kind, (fp_kind)i);
        CU_ASSERT_STRING_EQUAL(d->name, fp_kind_name(d->kind));
        CU_ASSERT_PTR_EQUAL(fp_detector_find(d->name), d);
        CU_ASSERT(d->phase == FP_DETECT_METHOD || d->phase == FP_DETECT_PROCESS ||
                  d->phase == FP_DETECT_BOTH);
        CU_ASSERT(d->action != NULL && d->action[0] != '\0');
        CU_ASSERT_EQUAL(d->needs & ~FP_DATA_ALL, 0u);
        CU_ASSERT_EQUAL(d->needs,
                        d->kind == FP_KIND_MEMORY_HOTSPOT || d->kind == FP_KIND_MEMORY_LEAK
                            ? FP_DATA_MEM
                        : d->kind == FP_KIND_CPU_SATURATION ? FP_DATA_CPU
                                                            : 0u);
        CU_ASSERT(d->n_thresholds >= 1);
        CU_ASSERT_EQUAL(d->first_threshold, total); /* contiguous, in list order */
        size_t nl = strlen(d->name);
        int sweep_found = 0;
        for (size_t j = 0; j < d->n_thresholds; j++) {
            const fp_threshold_info *in = fp_thresholds_key_info(d->first_threshold + j);
            CU_ASSERT_PTR_NOT_NULL_FATAL(in);
            CU_ASSERT(strncmp(in->key, d->name, nl) == 0 && in->key[nl] == '.');
            sweep_found += strcmp(in->key, d->sweep_key) == 0;
        }
        CU_ASSERT_EQUAL(sweep_found, 1); /* the sweep key is one of its own thresholds */
        CU_ASSERT(d->n_sweep >= 2);
        for (size_t g = 1; g < d->n_sweep; g++)
            CU_ASSERT(d->sweep_grid[g - 1] < d->sweep_grid[g]);
        total += d->n_thresholds;
    }
    /* the rest are the score's */
    for (size_t i = total; i < fp_thresholds_key_count(); i++)
        CU_ASSERT(strncmp(fp_thresholds_key_info(i)->key, "score.", 6) == 0);
    CU_ASSERT_EQUAL(fp_thresholds_key_count() - total, 2);

    /* validate's --sweep list, as it was (cli/fp_cli_validate.c s_sweeps) */
    const fp_detector_info *d = fp_detector_find("memory_leak");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(d->sweep_key, "memory_leak.min_growth_mb");
    CU_ASSERT_EQUAL(d->n_sweep, 6);
    CU_ASSERT_EQUAL(d->sweep_grid[0], 10.0);
    CU_ASSERT_EQUAL(d->sweep_grid[5], 400.0);
    CU_ASSERT_EQUAL(d->phase, FP_DETECT_BOTH);
    d = fp_detector_find("slow_method");
    CU_ASSERT_STRING_EQUAL(d->sweep_key, "slow_method.mean_s");
    CU_ASSERT_EQUAL(d->n_sweep, 10);
    CU_ASSERT_EQUAL(d->sweep_grid[1], 0.75);
    CU_ASSERT_EQUAL(d->phase, FP_DETECT_METHOD);
    CU_ASSERT_STRING_EQUAL(d->action, "Reduce the own work of");
    CU_ASSERT_STRING_EQUAL(fp_detector_find("io_heavy")->sweep_key, "io_heavy.ops");
    CU_ASSERT_EQUAL(fp_detector_find("cpu_saturation")->sweep_grid[0], 60.0);
}

/*
 * Reads the table that follows the line `header` in docs/analysis.md into `rows` (one string
 * per line, stripped of the newline). Returns the count, or -1 when the header is missing.
 */
static int doc_table(const char *header, char rows[][512], int max)
{
    char path[512];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/docs/analysis.md", FP_SOURCE_DIR);
    char *text = fp_test_read_file(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    char *at = strstr(text, header);
    int n = -1;
    if (at != NULL) {
        n = 0;
        char *line = strchr(at, '\n'); /* skip the header and the |---| line */
        line = line ? strchr(line + 1, '\n') : NULL;
        while (line != NULL && line[1] == '|' && n < max) {
            char *end = strchr(line + 1, '\n');
            size_t l = end ? (size_t)(end - line - 1) : strlen(line + 1);
            snprintf(rows[n++], 512, "%.*s", (int)(l < 511 ? l : 511), line + 1);
            line = end;
        }
    }
    free(text);
    return n;
}

/* docs/analysis.md's threshold table lists every threshold of the registry, in order. */
static void test_registry_docs_thresholds(void)
{
    static char rows[64][512];
    int n = doc_table("| threshold | default | unit | range | meaning |", rows, 64);
    CU_ASSERT_EQUAL(n, (int)fp_thresholds_key_count());
    for (int i = 0; i < (int)fp_thresholds_key_count(); i++) {
        const fp_threshold_info *in = fp_thresholds_key_info((size_t)i);
        char want[512];
        snprintf(want, sizeof want, "| `%s` | %g | %s | [%g, %g] | %s |", in->key, in->def,
                 in->unit, in->min, in->max, in->help);
        const char *is = i < n ? rows[i] : "(missing)";
        if (strcmp(is, want) != 0)
            fprintf(stderr, "docs/analysis.md threshold row %d:\n  is:   %s\n  want: %s\n", i, is,
                    want);
        CU_ASSERT_STRING_EQUAL(is, want);
    }
}

/* docs/analysis.md's detector table lists every detector of the registry, in order. */
static void test_registry_docs_detectors(void)
{
    static char rows[64][512];
    int n =
        doc_table("| detector | runs | recommendation | `--sweep` key | default grid |", rows, 64);
    CU_ASSERT_EQUAL(n, (int)fp_detector_count());
    for (int i = 0; i < (int)fp_detector_count(); i++) {
        const fp_detector_info *d = fp_detector_get((size_t)i);
        char want[512], grid[256];
        size_t gl = 0;
        grid[0] = '\0';
        for (size_t g = 0; g < d->n_sweep && gl < sizeof grid; g++)
            gl += (size_t)snprintf(grid + gl, sizeof grid - gl, "%s%g", g ? ", " : "",
                                   d->sweep_grid[g]);
        const char *phase = d->phase == FP_DETECT_METHOD    ? "per method"
                            : d->phase == FP_DETECT_PROCESS ? "per run"
                                                            : "per method and per run";
        snprintf(want, sizeof want, "| `%s` | %s | %s ... | `%s` | %s |", d->name, phase, d->action,
                 d->sweep_key, grid);
        const char *is = i < n ? rows[i] : "(missing)";
        if (strcmp(is, want) != 0)
            fprintf(stderr, "docs/analysis.md detector row %d:\n  is:   %s\n  want: %s\n", i, is,
                    want);
        CU_ASSERT_STRING_EQUAL(is, want);
    }
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(fp_severity_name(FP_SEV_CRITICAL), "critical");
    CU_ASSERT_STRING_EQUAL(fp_severity_name(FP_SEV_LOW), "low");
    CU_ASSERT_PTR_NULL(fp_severity_name((fp_severity)4));
    CU_ASSERT_EQUAL(fp_severity_from_impact(90.0), FP_SEV_HIGH);
    CU_ASSERT_EQUAL(fp_severity_from_impact(90.0001), FP_SEV_CRITICAL);
    CU_ASSERT_EQUAL(fp_severity_from_impact(70.0), FP_SEV_MEDIUM);
    CU_ASSERT_EQUAL(fp_severity_from_impact(50.0), FP_SEV_LOW);
    CU_ASSERT_EQUAL(fp_severity_from_impact(50.5), FP_SEV_MEDIUM);
    CU_ASSERT_EQUAL(fp_score_status_from_score(90.0), FP_SCORE_EXCELLENT);
    CU_ASSERT_EQUAL(fp_score_status_from_score(89.99), FP_SCORE_GOOD);
    CU_ASSERT_EQUAL(fp_score_status_from_score(70.0), FP_SCORE_GOOD);
    CU_ASSERT_EQUAL(fp_score_status_from_score(50.0), FP_SCORE_FAIR);
    CU_ASSERT_EQUAL(fp_score_status_from_score(49.9), FP_SCORE_POOR);
    CU_ASSERT_STRING_EQUAL(fp_score_status_name(FP_SCORE_EXCELLENT), "excellent");
    CU_ASSERT_STRING_EQUAL(fp_score_status_name(FP_SCORE_POOR), "poor");
    CU_ASSERT_STRING_EQUAL(fp_source_name(FP_SOURCE_SPANS), "spans");
}

/* ---- metrics ---- */

/*
 * fp_sort_doubles_into() gives gsl_sort's array bit for bit, whichever GSL routine it uses: random,
 * ascending, descending and tied values on both sides of its insertion limit, zeros of both
 * signs (equal values whose order shows: gsl_sort's must be kept) and NaNs.
 */
static void test_sort_into(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double src[200], want[200], got[201];
    size_t n, i;
    int pattern;

    CU_ASSERT_FATAL(r != NULL);
    for (pattern = 0; pattern < 6; pattern++) {
        for (n = 0; n <= 200; n += (n < 100 ? 1 : 13)) {
            for (i = 0; i < n; i++) {
                double u = gsl_rng_uniform(r);
                switch (pattern) {
                case 0: /* random */
                    src[i] = exp(8.0 * u - 4.0);
                    break;
                case 1: /* ascending */
                    src[i] = (double)i * 0.25;
                    break;
                case 2: /* descending, with ties */
                    src[i] = (double)((n - i) / 3);
                    break;
                case 3: /* few distinct values */
                    src[i] = (double)(gsl_rng_uniform_int(r, 4) + 1);
                    break;
                case 4: /* zeros of both signs among others */
                    src[i] = u < 0.3 ? 0.0 : (u < 0.6 ? -0.0 : u);
                    break;
                default: /* a NaN among others (none reaches it from a checked profile) */
                    src[i] = u < 0.1 ? (double)NAN : u;
                    break;
                }
            }
            memcpy(want, src, n * sizeof *src);
            gsl_sort(want, 1, n);
            got[n] = 42.0; /* not written beyond n */
            fp_sort_doubles_into(got, src, n);
            CU_ASSERT(n == 0 || memcmp(got, want, n * sizeof *got) == 0);
            CU_ASSERT_EQUAL(got[n], 42.0);
        }
    }
    gsl_rng_free(r);
}

static void test_percentiles(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "a"), b = tb_method(p, "b");
    const double da[] = {3, 1, 5, 2, 4}, db[] = {10, 1, 3, 2};
    double t;
    fp_analysis *x;
    size_t n;
    const fp_method_metrics *mm;

    t = tb_calls(p, a, da, 5, 0);
    tb_calls(p, b, db, 4, t);
    x = an(p, NULL);
    mm = fp_analysis_methods(x, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(mm[0].calls, 5);
    CU_ASSERT_STRING_EQUAL(mm[0].name, "a");
    FP_ASSERT_NEAR(mm[0].mean_s, 3.0, 1e-12);
    FP_ASSERT_NEAR(mm[0].sd_s, sqrt(2.5), 1e-12);
    CU_ASSERT_EQUAL(mm[0].min_s, 1.0);
    CU_ASSERT_EQUAL(mm[0].max_s, 5.0);
    /* interpolated: index f (n - 1) = 2, 3.8, 3.96 */
    FP_ASSERT_NEAR(mm[0].p50_s, 3.0, 1e-12);
    FP_ASSERT_NEAR(mm[0].p95_s, 4.8, 1e-12);
    FP_ASSERT_NEAR(mm[0].p99_s, 4.96, 1e-12);
    /* {1, 2, 3, 10}: index 1.5, 2.85, 2.97 */
    FP_ASSERT_NEAR(mm[1].p50_s, 2.5, 1e-12);
    FP_ASSERT_NEAR(mm[1].p95_s, 3.0 + 0.85 * 7.0, 1e-12);
    FP_ASSERT_NEAR(mm[1].p99_s, 3.0 + 0.97 * 7.0, 1e-12);
    FP_ASSERT_NEAR(mm[1].total_s, 16.0, 1e-12);
    FP_ASSERT_NEAR(mm[0].share, 15.0 / 31.0, 1e-12);
    FP_ASSERT_NEAR(fp_analysis_run(x)->duration_s, 31.0, 1e-12);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/*
 * P [0,10] with children A [1,4] (which has D [2,3]), B [2,6] on another track (parallel with A)
 * and C [7,8]; then Q [12,15] at top level.
 */
static fp_profile *tree_profile(void)
{
    fp_profile *p = tb_new();
    uint32_t mp = tb_method(p, "P"), ma = tb_method(p, "A"), mb = tb_method(p, "B");
    uint32_t mc = tb_method(p, "C"), md = tb_method(p, "D"), mq = tb_method(p, "Q");
    int32_t sp = tb_span(p, mp, -1, 0, 10);
    int32_t sa = tb_span(p, ma, sp, 1, 3);
    tb_span(p, md, sa, 2, 1);
    tb_span(p, mb, sp, 2, 4);
    tb_last(p)->track = 1;
    tb_span(p, mc, sp, 7, 1);
    tb_span(p, mq, -1, 12, 3);
    return p;
}

static void test_self_time(void)
{
    fp_profile *p = tree_profile();
    fp_analysis *x = an(p, NULL);
    size_t n;
    const fp_method_metrics *mm = fp_analysis_methods(x, &n);
    const fp_run_metrics *r = fp_analysis_run(x);

    CU_ASSERT_EQUAL_FATAL(n, 6);
    /* P: 10 - |[1,6] u [7,8]| = 4; A: 3 - 1 = 2 */
    FP_ASSERT_NEAR(mm[0].self_s, 4.0, 1e-12);
    FP_ASSERT_NEAR(mm[1].self_s, 2.0, 1e-12);
    FP_ASSERT_NEAR(mm[2].self_s, 4.0, 1e-12);
    FP_ASSERT_NEAR(mm[3].self_s, 1.0, 1e-12);
    FP_ASSERT_NEAR(mm[4].self_s, 1.0, 1e-12);
    FP_ASSERT_NEAR(mm[5].self_s, 3.0, 1e-12);
    FP_ASSERT_NEAR(mm[0].total_s, 10.0, 1e-12);
    FP_ASSERT_NEAR(r->self_s, 15.0, 1e-12);
    FP_ASSERT_NEAR(r->duration_s, 15.0, 1e-12);
    FP_ASSERT_NEAR(r->parallelism, 1.0, 1e-12);
    CU_ASSERT_EQUAL(r->track_count, 2);
    CU_ASSERT_EQUAL(r->span_count, 6);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_critical_path(void)
{
    fp_profile *p = tree_profile();
    fp_analysis *x = an(p, NULL);
    size_t n, ns, i;
    const fp_path_entry *pe = fp_analysis_critical_path(x, &n);
    const size_t *sp = fp_analysis_critical_spans(x, &ns);
    const size_t want_spans[] = {0, 3, 4, 5};
    double sum = 0;

    /*
     * Root: Q [12,15] (3 s), gap [10,12] idle, then P: C ends last (8): P gets [8,10], C 1 s,
     * then B (ends 6 <= 7): P gets [6,7], B 4 s; A ends 4 > 2: skipped; P gets [0,2].
     */
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_STRING_EQUAL(pe[0].name, "P");
    FP_ASSERT_NEAR(pe[0].seconds, 5.0, 1e-12);
    CU_ASSERT_EQUAL(pe[0].spans, 1);
    CU_ASSERT_STRING_EQUAL(pe[1].name, "B");
    FP_ASSERT_NEAR(pe[1].seconds, 4.0, 1e-12);
    CU_ASSERT_STRING_EQUAL(pe[2].name, "Q");
    FP_ASSERT_NEAR(pe[2].seconds, 3.0, 1e-12);
    FP_ASSERT_NEAR(pe[2].share, 0.2, 1e-12);
    CU_ASSERT_STRING_EQUAL(pe[3].name, "C");
    FP_ASSERT_NEAR(pe[3].seconds, 1.0, 1e-12);
    FP_ASSERT_NEAR(fp_analysis_run(x)->idle_path_s, 2.0, 1e-12);
    for (i = 0; i < n; i++)
        sum += pe[i].seconds;
    FP_ASSERT_NEAR(sum + fp_analysis_run(x)->idle_path_s, 15.0, 1e-12);
    CU_ASSERT_EQUAL_FATAL(ns, 4);
    for (i = 0; i < ns; i++)
        CU_ASSERT_EQUAL(sp[i], want_spans[i]);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_overlapping_top_level(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "a"), b = tb_method(p, "b");
    fp_analysis *x;
    size_t n;
    const fp_path_entry *pe;

    /* a [0,5] and b [1,4] overlap on two tracks: b is hidden behind a */
    tb_span(p, a, -1, 0, 5);
    tb_span(p, b, -1, 1, 3);
    tb_last(p)->track = 1;
    x = an(p, NULL);
    pe = fp_analysis_critical_path(x, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(pe[0].name, "a");
    FP_ASSERT_NEAR(pe[0].seconds, 5.0, 1e-12);
    FP_ASSERT_NEAR(fp_analysis_run(x)->parallelism, 8.0 / 5.0, 1e-12);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_run_resources(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "a");
    fp_analysis *x;
    const fp_run_metrics *r;
    double *mem, *cpu, *ops, *bytes;
    size_t i;

    /* no series: memory rebuilt from spans: +alloc at start, -(alloc - retained) at end */
    tb_span(p, a, -1, 0, 2);
    tb_last(p)->mem_alloc_mb = 10;
    tb_last(p)->mem_retained_mb = 4;
    tb_last(p)->cpu_pct = 50;
    tb_last(p)->io_ops = 8;
    tb_span(p, a, -1, 2, 2);
    tb_last(p)->mem_alloc_mb = 10;
    tb_last(p)->cpu_pct = 100;
    x = an(p, NULL);
    r = fp_analysis_run(x);
    CU_ASSERT_EQUAL(r->mem_source, FP_SOURCE_SPANS);
    /* level 10 on [0,2), 4 + 10 = 14 on [2,4) */
    FP_ASSERT_NEAR(r->peak_mem_mb, 14.0, 1e-12);
    FP_ASSERT_NEAR(r->avg_mem_mb, 12.0, 1e-12);
    CU_ASSERT_EQUAL(r->cpu_source, FP_SOURCE_SPANS);
    FP_ASSERT_NEAR(r->avg_cpu_pct, 75.0, 1e-12);
    FP_ASSERT_NEAR(r->peak_cpu_pct, 100.0, 1e-12);
    FP_ASSERT_NEAR(r->io_ops_per_s, 2.0, 1e-12);
    FP_ASSERT_NEAR(fp_analysis_methods(x, &i)[0].cpu_pct, 75.0, 1e-12);
    assert_sane(x);
    fp_analysis_free(x);

    /* with series: figures come from it */
    tb_series(p, 4, 1.0, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 4; i++) {
        mem[i] = 100.0 + (double)i;
        cpu[i] = 10.0 * (double)(i + 1);
        ops[i] = 5;
        bytes[i] = 1024;
    }
    x = an(p, NULL);
    r = fp_analysis_run(x);
    CU_ASSERT_EQUAL(r->mem_source, FP_SOURCE_SERIES);
    FP_ASSERT_NEAR(r->peak_mem_mb, 103.0, 1e-12);
    FP_ASSERT_NEAR(r->avg_mem_mb, 101.5, 1e-12);
    FP_ASSERT_NEAR(r->mem_growth_mb, 3.0, 1e-12);
    FP_ASSERT_NEAR(r->peak_cpu_pct, 40.0, 1e-12);
    FP_ASSERT_NEAR(r->avg_cpu_pct, 25.0, 1e-12);
    FP_ASSERT_NEAR(r->io_ops, 20.0, 1e-12);
    FP_ASSERT_NEAR(r->io_bytes_per_s, 1024.0, 1e-12);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- slow_method ---- */

static void test_slow_positive(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "fetch"), b = tb_method(p, "parse");
    const double da[] = {3, 3, 3};
    double db[20], t;
    size_t i;
    fp_analysis *x;
    const fp_finding *f;

    for (i = 0; i < 20; i++)
        db[i] = 0.1;
    t = tb_calls(p, a, da, 3, 0);
    tb_calls(p, b, db, 20, t);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_SLOW_METHOD), 1);
    f = find(x, FP_KIND_SLOW_METHOD, (int32_t)a);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "mean_s");
    CU_ASSERT_STRING_EQUAL(f->target_name, "fetch");
    FP_ASSERT_NEAR(f->measured, 3.0, 1e-12);
    CU_ASSERT_EQUAL(f->threshold, 2.0);
    /* share 9/11 (both rules fire): the saving is the larger of the per-call one (9 s on the
     * path times 1/3 = 3 s) and the share one (x with (9 - x) / (11 - x) = 0.5: 7 s); cost
     * 7/11, impact = 100 + 30 lg(7/11) = 94.1 */
    FP_ASSERT_NEAR(f->share, 9.0 / 11.0, 1e-12);
    FP_ASSERT_NEAR(f->cost, 7.0 / 11.0, 1e-12);
    FP_ASSERT_NEAR(f->impact, 100.0 + 30.0 * log10(7.0 / 11.0), 1e-9);
    CU_ASSERT_EQUAL(f->severity, FP_SEV_CRITICAL);
    FP_ASSERT_NEAR(f->improvement, 7.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(f->improvement_unit, "s");
    FP_ASSERT_NEAR(f->start_s, 0.0, 1e-12);
    FP_ASSERT_NEAR(f->end_s, 9.0, 1e-12);
    CU_ASSERT(strstr(f->root_cause, "'fetch' spends 3 s of own time per call over 3 calls") !=
              NULL);
    CU_ASSERT_EQUAL(f->n_suggestions, 4);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_slow_negative_and_threshold(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "a"), b = tb_method(p, "b");
    const double da[] = {2, 2, 2}, db[] = {1, 1, 1, 1, 1, 1};
    fp_analysis *x;
    double t;

    /* mean exactly 2 s and path share exactly 0.5: both comparisons are strict, nothing fires */
    t = tb_calls(p, a, da, 3, 0);
    tb_calls(p, b, db, 6, t);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_SLOW_METHOD), 0);
    fp_analysis_free(x);
    /* a hair above the mean threshold fires */
    fp_profile_spans_mut(p)[2].dur_s = 2.0 + 3e-6;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_SLOW_METHOD), 1);
    CU_ASSERT_PTR_NOT_NULL(find(x, FP_KIND_SLOW_METHOD, (int32_t)a));
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_slow_self_attribution(void)
{
    fp_profile *p = tb_new();
    uint32_t mp = tb_method(p, "handler"), mc = tb_method(p, "db_query");
    uint32_t mo = tb_method(p, "other");
    fp_thresholds th = FP_THRESHOLDS_INIT;
    int32_t s;
    size_t i;
    fp_analysis *x;
    double t = 0;

    /* handler: 5 s inclusive, 0.5 s own; db_query 4.5 s own; other fills the run */
    for (i = 0; i < 2; i++) {
        s = tb_span(p, mp, -1, t, 5);
        tb_span(p, mc, s, t + 0.25, 4.5);
        t += 5;
    }
    for (i = 0; i < 20; i++, t += 1)
        tb_span(p, mo, -1, t, 1);
    th.slow_path_share = 0; /* judge the mean rule alone */
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_SLOW_METHOD), 1);
    CU_ASSERT_PTR_NOT_NULL(find(x, FP_KIND_SLOW_METHOD, (int32_t)mc));
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_SLOW_METHOD, (int32_t)mp));
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_slow_share_one_call_equal(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "a"), b = tb_method(p, "b");
    fp_thresholds th = FP_THRESHOLDS_INIT;
    fp_analysis *x;
    const fp_finding *f;
    double da[10];
    size_t i;

    /* one call of 3 s: the mean rule fires */
    tb_span(p, a, -1, 0, 3);
    x = an(p, NULL);
    f = find(x, FP_KIND_SLOW_METHOD, (int32_t)a);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "mean_s");
    FP_ASSERT_NEAR(f->share, 1.0, 1e-12);
    /* the per-call saving is 3 s x (1 - 2/3) = 1 s, but the method is the whole run: it is
     * brought to half of the run only by removing it, so the share rule's saving is all 3 s:
     * cost 1, impact 100 */
    FP_ASSERT_NEAR(f->improvement, 3.0, 1e-12);
    FP_ASSERT_NEAR(f->cost, 1.0, 1e-12);
    CU_ASSERT_EQUAL(f->severity, FP_SEV_CRITICAL);
    fp_analysis_free(x);
    fp_profile_reset(p);

    /* ten equal 1 s calls of a (10/16 of the critical path) and six of b: only the share rule */
    a = tb_method(p, "a");
    b = tb_method(p, "b");
    for (i = 0; i < 10; i++)
        da[i] = 1.0;
    tb_calls(p, b, da, 6, tb_calls(p, a, da, 10, 0));
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_SLOW_METHOD), 1);
    f = find(x, FP_KIND_SLOW_METHOD, (int32_t)a);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "path_share");
    FP_ASSERT_NEAR(f->measured, 0.625, 1e-12);
    FP_ASSERT_NEAR(f->excess, 1.0 - 0.5 / 0.625, 1e-12);
    /* the saving brings a to its share of the shorter run: (10 - 4) / (16 - 4) = 0.5, not
     * 10 x excess = 2 s (8 of 14 s would still be above half of the run) */
    FP_ASSERT_NEAR(f->improvement, 4.0, 1e-9);
    FP_ASSERT_NEAR(f->cost, 4.0 / 16.0, 1e-12);
    fp_analysis_free(x);
    /* 0 disables the share rule */
    th.slow_path_share = 0;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_SLOW_METHOD), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_slow_heavy_tail(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "a"), b = tb_method(p, "b");
    double d[200], filler[400];
    size_t i;
    fp_analysis *x;
    const fp_method_metrics *mm;
    const fp_finding *f;

    /* Pareto alpha 1.5, xm 0.5: mean of the quantiles is about 1.5 s: not slow on the mean rule,
     * but the percentiles must show the tail exactly */
    pareto_quantiles(d, 200, 0.5, 1.5);
    for (i = 0; i < 400; i++)
        filler[i] = 1.0;
    tb_calls(p, b, filler, 400, tb_calls(p, a, d, 200, 0));
    x = an(p, NULL);
    mm = fp_analysis_methods(x, &i);
    CU_ASSERT(mm[0].mean_s < 2.0);
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_SLOW_METHOD, (int32_t)a));
    /* sorted quantiles: p99 index 0.99 * 199 = 197.01 */
    FP_ASSERT_NEAR(mm[0].p99_s, d[197] + 0.01 * (d[198] - d[197]), 1e-9);
    FP_ASSERT_NEAR(mm[0].max_s, d[199], 1e-12);
    fp_analysis_free(x);
    /* the same tail scaled by 2 has mean ~3 s: slow */
    for (i = 0; i < 200; i++)
        d[i] *= 2.0;
    fp_profile_reset(p);
    a = tb_method(p, "a");
    tb_calls(p, a, d, 200, 0);
    x = an(p, NULL);
    f = find(x, FP_KIND_SLOW_METHOD, (int32_t)a);
    CU_ASSERT_FATAL(f != NULL);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- latency_outliers ---- */

/* n calls with self times base * exp(l_i) for the given log offsets. */
static void add_log_calls(fp_profile *p, uint32_t m, const double *l, size_t n, double base,
                          double *t)
{
    size_t i;
    for (i = 0; i < n; i++) {
        double d = base * exp(l[i]);
        tb_span(p, m, -1, *t, d);
        *t += d;
    }
}

static void test_outliers_positive_threshold(void)
{
    /* 5 at -0.1, 7 at 0, 5 at +0.1, k at L: median 0 and MAD 0.1 in log space */
    double l[20], t = 0;
    size_t i, k = 0;
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "lookup");
    fp_analysis *x;
    const fp_finding *f;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    double z;

    for (i = 0; i < 5; i++)
        l[k++] = -0.1;
    for (i = 0; i < 7; i++)
        l[k++] = 0.0;
    for (i = 0; i < 5; i++)
        l[k++] = 0.1;
    for (i = 0; i < 3; i++)
        l[k++] = 1.0;
    add_log_calls(p, m, l, 20, 0.1, &t);
    /* lookup is the whole run: without the share rule, whose saving would be all of it (and
     * cap this finding's, "Cost"), the outliers' saving is their own */
    th.slow_path_share = 0;
    x = an(p, &th);
    th = (fp_thresholds)FP_THRESHOLDS_INIT;
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    z = f->measured;
    FP_ASSERT_NEAR(z, 6.745, 1e-6); /* 0.6745 * 1.0 / 0.1 */
    FP_ASSERT_NEAR(evidence(f, "outliers"), 3.0, 0);
    FP_ASSERT_NEAR(evidence(f, "median_self_s"), 0.1, 1e-12);
    FP_ASSERT_NEAR(f->improvement, 3.0 * (0.1 * exp(1.0) - 0.1), 1e-9);
    FP_ASSERT_NEAR(f->start_s, 17 * 0.1 + 0.1 * (5 * exp(-0.1) + 5 * exp(0.1) - 10), 1e-9);
    fp_analysis_free(x);
    /* z exactly at the threshold does not fire; just below it fires */
    th.outlier_z = z;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    th.outlier_z = z * (1 - 1e-9);
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 1);
    fp_analysis_free(x);
    /* min_count: 3 outliers meet 3 (>=), not 4 */
    th = (fp_thresholds)FP_THRESHOLDS_INIT;
    th.outlier_min_count = 4;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    /* min_calls: 20 calls meet 20, not 21 */
    th = (fp_thresholds)FP_THRESHOLDS_INIT;
    th.outlier_min_calls = 21;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_outliers_negative(void)
{
    double l[200], t = 0;
    size_t i;
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "m"), e = tb_method(p, "equal"), one = tb_method(p, "one");
    fp_analysis *x;

    /* log-normal quantiles with sigma 0.5: max z is Phi^-1(0.9975) = 2.8 < 3.5 */
    for (i = 0; i < 200; i++)
        l[i] = 0.5 * gsl_cdf_ugaussian_Pinv(((double)i + 0.5) / 200.0);
    add_log_calls(p, m, l, 200, 0.05, &t);
    /* all calls equal: MAD and mean absolute deviation are 0, nothing stands out */
    for (i = 0; i < 50; i++)
        l[i] = 0;
    add_log_calls(p, e, l, 50, 0.05, &t);
    tb_span(p, one, -1, t, 100.0); /* one call: below min_calls */
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_outliers_mad_zero_and_fraction(void)
{
    double l[1000], t = 0;
    size_t i;
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "m");
    fp_analysis *x;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    const fp_finding *f;

    /* 95 % of calls tie (MAD = 0): the mean-absolute-deviation fallback still finds 5 % at 10x */
    for (i = 0; i < 100; i++)
        l[i] = i < 95 ? 0.0 : log(10.0);
    add_log_calls(p, m, l, 100, 0.02, &t);
    x = an(p, NULL);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "outliers"), 5.0, 0);
    FP_ASSERT_NEAR(f->measured, log(10.0) / (1.253314 * 0.05 * log(10.0)), 1e-6);
    fp_analysis_free(x);
    /* min_fraction 0.05 is met by 5/100 (>=); 0.051 is not */
    th.outlier_min_fraction = 0.05;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 1);
    fp_analysis_free(x);
    th.outlier_min_fraction = 0.051;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    /* tiny absolute excess (calls of 2 us vs 20 us) is below min_excess_s: no finding */
    fp_profile_reset(p);
    m = tb_method(p, "m");
    t = 0;
    add_log_calls(p, m, l, 100, 2e-6, &t);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* n log offsets at the normal quantiles with log-sd sigma (median 0, MAD sigma * 0.6745). */
static void normal_logs(double *l, size_t n, double sigma)
{
    size_t i;
    for (i = 0; i < n; i++)
        l[i] = sigma * gsl_cdf_ugaussian_Pinv(((double)i + 0.5) / (double)n);
}

/* The documented p-value of outliers with sorted (descending) z-scores among n calls. */
static double outliers_p(const double *zs, size_t count, size_t n, size_t methods)
{
    double best = 1, df = 0.3675 * (double)n;
    size_t k;
    for (k = 1; k <= count; k++) {
        double pk =
            gsl_cdf_binomial_Q((unsigned)(k - 1), gsl_cdf_tdist_Q(zs[k - 1], df), (unsigned)n);
        if (pk < best)
            best = pk;
    }
    return best * (double)count * (double)methods;
}

static void test_outliers_single_call(void)
{
    /* 199 log-normal calls (sigma 0.3) and one 8x slower call: z = 0.6745 ln 8 / MAD, about
     * 7; one call is enough when it is that extreme (the old rule needed 3) */
    double l[200], t = 0, z, p;
    fp_profile *p0 = tb_new();
    uint32_t m = tb_method(p0, "search"), m2;
    fp_analysis *x;
    const fp_finding *f;
    fp_thresholds th = FP_THRESHOLDS_INIT;

    normal_logs(l, 199, 0.3);
    l[199] = log(8.0);
    add_log_calls(p0, m, l, 200, 0.4, &t);
    x = an(p0, NULL);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "outliers"), 1.0, 0);
    z = f->measured;
    CU_ASSERT(z > 6.5 && z < 7.5);
    p = evidence(f, "p_value");
    FP_ASSERT_NEAR(p, outliers_p(&z, 1, 200, 1), 1e-12 * p);
    CU_ASSERT(p < 1e-6);
    fp_analysis_free(x);
    /* at the p threshold: no finding; just above it: a finding */
    th.outlier_p_value = p;
    x = an(p0, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    th.outlier_p_value = p * (1 + 1e-9);
    x = an(p0, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 1);
    fp_analysis_free(x);
    /* a second tested method doubles the p-value (Bonferroni over methods; the gap test, whose
     * p doubles too, is switched off: 1) */
    m2 = tb_method(p0, "other");
    normal_logs(l, 20, 0.3);
    add_log_calls(p0, m2, l, 20, 0.4, &t);
    th = (fp_thresholds)FP_THRESHOLDS_INIT;
    th.outlier_gap_p_value = 1;
    x = an(p0, &th);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "p_value"), 2 * p, 1e-12 * p);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 1);
    fp_analysis_free(x);
    fp_profile_free(p0);
}

static void test_outliers_many_calls_not_significant(void)
{
    /* 10,000 log-normal calls plus 3 at z = 3.6: about 2.3 calls beyond z = 3.5 are expected
     * by chance, so 5-6 of them are no evidence of anything */
    size_t n = 10003, i;
    double *l = malloc(n * sizeof *l), t = 0;
    fp_profile *p0 = tb_new();
    uint32_t m = tb_method(p0, "step");
    fp_analysis *x;
    fp_thresholds th = FP_THRESHOLDS_INIT;

    CU_ASSERT_FATAL(l != NULL);
    normal_logs(l, 10000, 0.1);
    for (i = 10000; i < n; i++)
        l[i] = 3.6 * 0.1;
    add_log_calls(p0, m, l, n, 0.05, &t);
    x = an(p0, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    /* they are outliers by the per-call rule: with the old count rule (3 calls, no test) and
     * a p threshold of 0.5 they would be reported */
    th.outlier_p_value = 0.5;
    th.outlier_gap_p_value = 1; /* and no gap test: they do not stand apart from the tail */
    x = an(p0, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 1);
    fp_analysis_free(x);
    /* the body is log-normal (octile skewness 0) and the group is small: the gap test does not
     * apply, so switching it back on changes nothing */
    th.outlier_gap_p_value = 0.01;
    x = an(p0, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 1);
    fp_analysis_free(x);
    free(l);
    fp_profile_free(p0);
}

static void test_outliers_heavy_tail(void)
{
    /*
     * A Pareto tail is exponential in log space, where about 4 % of calls lie beyond z = 3.5
     * whatever alpha is: the log-normal test alone flags it (p < 1e-50 for 1,000 calls), but the
     * calls do not stand apart from the tail below them, so the gap test keeps it quiet. Five
     * calls 50x above the largest Pareto call are found, and only those five.
     */
    double d[1005], t;
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "m");
    fp_analysis *x;
    const fp_finding *f;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    size_t i;

    pareto_quantiles(d, 1000, 0.01, 1.5);
    t = tb_calls(p, m, d, 1000, 0);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    th.outlier_gap_p_value = 1; /* the gap test off: the old behaviour */
    x = an(p, &th);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(evidence(f, "outliers") / evidence(f, "calls") > 0.03 &&
              evidence(f, "outliers") / evidence(f, "calls") < 0.05);
    CU_ASSERT(evidence(f, "p_value") < 1e-50);
    fp_analysis_free(x);
    for (i = 0; i < 5; i++)
        d[i] = 50.0 * d[999] * (1.0 + 0.1 * (double)i);
    t = tb_calls(p, m, d, 5, t);
    (void)t;
    x = an(p, NULL);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "outliers"), 5.0, 0);
    CU_ASSERT(evidence(f, "gap_p_value") < 1e-6);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* n log offsets of a two-mode mixture at the quantiles of each component: (1 - w) at
 * N(0, s1), w at N(shift, s2). */
static void mixture_logs(double *l, size_t n, double w, double s1, double shift, double s2)
{
    size_t n2 = (size_t)(w * (double)n + 0.5), n1 = n - n2, i;
    normal_logs(l, n1, s1);
    for (i = 0; i < n2; i++)
        l[n1 + i] = shift + s2 * gsl_cdf_ugaussian_Pinv(((double)i + 0.5) / (double)n2);
}

static void test_outliers_bimodal(void)
{
    /* a stable second mode: 8 % of 400 calls (32) 12x slower (cache misses) is a latency mode,
     * not outliers, though the log-normal test alone flags all 32 */
    double l[403], t = 0;
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "lookup");
    fp_analysis *x;
    const fp_finding *f;
    fp_thresholds th = FP_THRESHOLDS_INIT;

    mixture_logs(l, 400, 0.08, 0.25, log(12.0), 0.2);
    add_log_calls(p, m, l, 400, 0.01, &t);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_LATENCY_OUTLIERS), 0);
    fp_analysis_free(x);
    th.outlier_gap_p_value = 1;
    x = an(p, &th);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "outliers"), 32.0, 0);
    fp_analysis_free(x);
    /* mode_min_calls above the group's 32 calls: the group counts as rare outliers again */
    th = (fp_thresholds)FP_THRESHOLDS_INIT;
    th.outlier_mode_min_calls = 33;
    x = an(p, &th);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "outliers"), 32.0, 0);
    fp_analysis_free(x);
    /* three calls far above both modes (100x the main one) are outliers: found, only them */
    l[0] = l[1] = l[2] = log(100.0);
    add_log_calls(p, m, l, 3, 0.01, &t);
    x = an(p, NULL);
    f = find(x, FP_KIND_LATENCY_OUTLIERS, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "outliers"), 3.0, 0);
    FP_ASSERT_NEAR(evidence(f, "excess_s"), 3.0 * (1.0 - evidence(f, "median_self_s")), 1e-9);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- memory_hotspot ---- */

static void test_hotspot(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "load"), b = tb_method(p, "small"), c = tb_method(p, "edge");
    uint32_t d = tb_method(p, "tail");
    fp_analysis *x;
    const fp_finding *f;
    double t = 0, q[100], qmean = 0, peak;
    size_t i;

    for (i = 0; i < 4; i++, t += 1) {
        tb_span(p, a, -1, t, 1);
        tb_last(p)->mem_alloc_mb = i < 2 ? 100.0 : 200.0; /* mean 150 */
        tb_span(p, b, -1, t + 0.5, 0.5);
        tb_last(p)->track = 1;
        tb_last(p)->mem_alloc_mb = 50;
        tb_span(p, c, -1, t + 0.5, 0.5);
        tb_last(p)->track = 2;
        tb_last(p)->mem_alloc_mb = 100.0; /* exactly the threshold: not above */
    }
    /* heavy tail: Pareto allocations, mean over all calls decides */
    pareto_quantiles(q, 100, 20.0, 1.2);
    for (i = 0; i < 100; i++, t += 0.01) {
        tb_span(p, d, -1, t, 0.01);
        tb_last(p)->mem_alloc_mb = q[i];
    }
    for (i = 0; i < 100; i++)
        qmean += q[i] / 100.0;
    peak = q[99] > 350.0 ? q[99] : 350.0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_HOTSPOT), qmean > 100.0 ? 2 : 1);
    CU_ASSERT_EQUAL(find(x, FP_KIND_MEMORY_HOTSPOT, (int32_t)d) != NULL, qmean > 100.0);
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_MEMORY_HOTSPOT, (int32_t)b));
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_MEMORY_HOTSPOT, (int32_t)c));
    f = find(x, FP_KIND_MEMORY_HOTSPOT, (int32_t)a);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(f->measured, 150.0, 1e-12);
    CU_ASSERT_STRING_EQUAL(f->unit, "MB");
    FP_ASSERT_NEAR(f->improvement, 50.0, 1e-12);
    FP_ASSERT_NEAR(evidence(f, "alloc_max_mb"), 200.0, 1e-12);
    /* peak from spans: 200 (a) + 50 (b) + 100 (c) at once, or the largest tail call */
    FP_ASSERT_NEAR(fp_analysis_run(x)->peak_mem_mb, peak, 1e-9);
    FP_ASSERT_NEAR(f->share, 150.0 / peak, 1e-9);
    /* cost: the 50 MB saving as a share of the peak */
    FP_ASSERT_NEAR(f->cost, 50.0 / peak, 1e-9);
    FP_ASSERT_NEAR(f->impact, fmin(100.0, 100.0 + 30.0 * log10(50.0 / peak)), 1e-9);
    fp_analysis_free(x);
    /* one call just above */
    fp_profile_reset(p);
    a = tb_method(p, "one");
    tb_span(p, a, -1, 0, 1);
    tb_last(p)->mem_alloc_mb = 100.001;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_HOTSPOT), 1);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- memory_leak ---- */

/* Memory series: base + rate * max(0, t - onset) (+ optional Gaussian noise, sd). */
static void leak_series(fp_profile *p, size_t n, double iv, double base, double onset, double rate,
                        double sd, gsl_rng *r)
{
    double *mem, *cpu, *ops, *bytes;
    size_t i;
    tb_series(p, n, iv, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < n; i++) {
        double t = (double)(i + 1) * iv;
        mem[i] = base + (t > onset ? rate * (t - onset) : 0.0);
        if (r && sd > 0)
            mem[i] += gsl_ran_gaussian(r, sd);
        if (mem[i] < 0)
            mem[i] = 0;
        cpu[i] = 20.0;
    }
}

static void test_leak_positive(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "cache_put"), o = tb_method(p, "work");
    fp_analysis *x;
    const fp_finding *f;
    double t;

    gsl_rng_set(r, 7);
    /* 200 samples of 0.1 s, flat at 300 MB until 8 s, then +10 MB/s: +120 MB; noise sd 3 MB */
    leak_series(p, 200, 0.1, 300, 8.0, 10.0, 3.0, r);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 1);
    f = find(x, FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->target_name, "process");
    CU_ASSERT_STRING_EQUAL(f->rule, "slope");
    CU_ASSERT(fabs(f->measured - 10.0) < 0.5);
    CU_ASSERT(fabs(f->start_s - 8.0) <= 0.5);
    CU_ASSERT(f->end_s >= 19.0 && f->end_s <= 20.0);
    CU_ASSERT(evidence(f, "p_value") < 1e-6);
    CU_ASSERT(fabs(f->improvement - 120.0) < 12.0);
    CU_ASSERT_STRING_EQUAL(f->improvement_unit, "MB");
    assert_sane(x);
    fp_analysis_free(x);

    /*
     * The same growth recorded by the spans of cache_put (10 MB retained per call from 8 s on):
     * a method-level leak, and the series growth is explained, so no process-level one.
     */
    for (t = 0; t < 20.0 - 1e-9; t += 1.0) {
        tb_span(p, t >= 8.0 ? m : o, -1, t, 1.0);
        tb_last(p)->mem_retained_mb = t >= 8.0 ? 10.0 : 0.0;
        tb_last(p)->mem_alloc_mb = t >= 8.0 ? 10.0 : 0.0;
    }
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 1);
    f = find(x, FP_KIND_MEMORY_LEAK, (int32_t)m);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "retained_mb");
    FP_ASSERT_NEAR(f->measured, 120.0, 1e-9);
    FP_ASSERT_NEAR(evidence(f, "rate_mb_s"), 10.0, 1e-9);
    FP_ASSERT_NEAR(f->start_s, 8.0, 1e-12);
    FP_ASSERT_NEAR(f->end_s, 20.0, 1e-12);
    assert_sane(x);
    fp_analysis_free(x);
    gsl_rng_free(r);
    fp_profile_free(p);
}

static void test_leak_method_threshold(void)
{
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "m");
    fp_analysis *x;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    size_t i;

    /* 5 calls retaining 10 MB each: 50 MB is not above 50 MB */
    for (i = 0; i < 5; i++) {
        tb_span(p, m, -1, (double)i, 1.0);
        tb_last(p)->mem_alloc_mb = 10;
        tb_last(p)->mem_retained_mb = 10;
    }
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    th.leak_min_growth_mb = 49.999;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 1);
    fp_analysis_free(x);
    /* rate 50 MB / 5 s = 10 MB/s: a minimum slope of 10 is not exceeded */
    th.leak_min_slope_mb_s = 10.0;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    /* one call retaining 60 MB (a step, then flat): not a leak at the default thresholds */
    fp_profile_reset(p);
    m = tb_method(p, "once");
    tb_span(p, m, -1, 0, 0.5);
    tb_last(p)->mem_alloc_mb = 60;
    tb_last(p)->mem_retained_mb = 60;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    assert_sane(x);
    fp_analysis_free(x);
    /* a cache warm-up: the first of 10 calls of 'lookup' keeps 120 MB, the others keep nothing:
     * a step, not a leak; the same 120 MB kept 12 MB per call over the 10 calls is one, with
     * its rate and window */
    fp_profile_reset(p);
    m = tb_method(p, "lookup");
    for (i = 0; i < 10; i++) {
        tb_span(p, m, -1, (double)i, 1.0);
        tb_last(p)->mem_alloc_mb = i == 0 ? 120 : 1;
        tb_last(p)->mem_retained_mb = i == 0 ? 120 : 0;
    }
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    for (i = 0; i < 10; i++)
        fp_profile_spans_mut(p)[i].mem_retained_mb = 12;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 1);
    {
        const fp_finding *f = find(x, FP_KIND_MEMORY_LEAK, (int32_t)m);
        CU_ASSERT_FATAL(f != NULL);
        FP_ASSERT_NEAR(evidence(f, "rate_mb_s"), 12.0, 1e-9);
        FP_ASSERT_NEAR(f->start_s, 0.0, 0);
        FP_ASSERT_NEAR(f->end_s, 10.0, 1e-12);
    }
    fp_analysis_free(x);
    /* retention in the first 6 calls only (72 MB, none in the second half of the window): the
     * growth stopped, not a leak */
    for (i = 6; i < 10; i++)
        fp_profile_spans_mut(p)[i].mem_retained_mb = 0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_leak_negative(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    fp_profile *p = tb_new();
    fp_analysis *x;
    double *mem, *cpu, *ops, *bytes;
    size_t i, seed, alarms = 0;

    /* flat noisy series, 200 seeds: alarms must stay rare (<= 1 %); deterministic seeds */
    for (seed = 1; seed <= 200; seed++) {
        gsl_rng_set(r, seed);
        fp_profile_reset(p);
        leak_series(p, 300, 0.1, 500, 0, 0, 10.0, r);
        x = an(p, NULL);
        alarms += count_kind(x, FP_KIND_MEMORY_LEAK);
        fp_analysis_free(x);
    }
    CU_ASSERT(alarms <= 2);

    /* rises by 300 MB, then falls back: not a leak */
    fp_profile_reset(p);
    tb_series(p, 200, 0.1, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 200; i++)
        mem[i] = 100.0 + (i < 100 ? 3.0 * (double)i : 3.0 * (double)(200 - i)) +
                 gsl_ran_gaussian(r, 2.0);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);

    /* too few samples (9 < 10) even with a clean slope */
    fp_profile_reset(p);
    leak_series(p, 9, 1.0, 100, 0, 50.0, 0, NULL);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    assert_sane(x);
    fp_analysis_free(x);
    gsl_rng_free(r);
    fp_profile_free(p);
}

static void test_leak_threshold_and_plateau(void)
{
    fp_profile *p = tb_new();
    fp_analysis *x;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    const fp_finding *f;
    double *mem, *cpu, *ops, *bytes, slope;
    size_t i;

    /* noiseless 2 MB/s from t = 0: exact fit, p = 0 */
    leak_series(p, 100, 1.0, 100, 0, 2.0, 0, NULL);
    x = an(p, NULL);
    f = find(x, FP_KIND_MEMORY_LEAK, FP_TARGET_PROCESS);
    CU_ASSERT_FATAL(f != NULL);
    slope = f->measured;
    FP_ASSERT_NEAR(slope, 2.0, 1e-9);
    FP_ASSERT_NEAR(evidence(f, "p_value"), 0.0, 1e-12);
    fp_analysis_free(x);
    /* min slope exactly at the measured slope: strict, no finding; a bit lower: finding */
    th.leak_min_slope_mb_s = slope;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    th.leak_min_slope_mb_s = slope * (1 - 1e-9);
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 1);
    fp_analysis_free(x);
    /* growth below min_growth: 0.6 MB/s over 50 s = 30 MB < 50 */
    fp_profile_reset(p);
    leak_series(p, 50, 1.0, 100, 0, 0.6, 0, NULL);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    /* growth that stops at 60 % of the run and stays flat is not a leak (a leak continues to
     * the end of the window); stopping at 95 % still is */
    fp_profile_reset(p);
    tb_series(p, 100, 1.0, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 100; i++)
        mem[i] = 200.0 + 3.0 * (double)(i < 20 ? 0 : (i < 60 ? i - 20 : 40)) +
                 ((int)((i * 7919) % 13) - 6) * 0.5;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    assert_sane(x);
    fp_analysis_free(x);
    for (i = 0; i < 100; i++)
        mem[i] = 200.0 + 3.0 * (double)(i < 20 ? 0 : (i < 95 ? i - 20 : 75)) +
                 ((int)((i * 7919) % 13) - 6) * 0.5;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 1);
    assert_sane(x);
    fp_analysis_free(x);
    /* a 120 MB step (a warm-up nobody's spans account for) at 10 s, flat afterwards: no leak */
    for (i = 0; i < 100; i++)
        mem[i] = 200.0 + (i < 10 ? 0.0 : 120.0) + ((int)((i * 7919) % 13) - 6) * 0.5;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_MEMORY_LEAK), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- cpu_saturation ---- */

static void test_cpu_episodes(void)
{
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "m");
    fp_analysis *x;
    const fp_finding *f;
    double *mem, *cpu, *ops, *bytes;
    size_t i, n, k;
    const fp_finding *all;
    fp_thresholds th = FP_THRESHOLDS_INIT;

    tb_span(p, m, -1, 0, 5.0);
    tb_last(p)->cpu_pct = 30;
    tb_series(p, 50, 0.1, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 50; i++)
        cpu[i] = 30.0;
    for (i = 10; i < 20; i++)
        cpu[i] = 95.0;                            /* 1.0 .. 2.0 s */
    cpu[30] = cpu[31] = 90.0;                     /* two samples: too short */
    cpu[40] = cpu[41] = cpu[43] = cpu[44] = 99.0; /* dip at 42 bridged: 4 above, 5 long */
    cpu[42] = 70.0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 2);
    all = fp_analysis_findings(x, &n);
    f = NULL;
    for (k = 0; k < n; k++)
        if (all[k].kind == FP_KIND_CPU_SATURATION && all[k].start_s < 1.5)
            f = &all[k];
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(f->target, FP_TARGET_PROCESS);
    FP_ASSERT_NEAR(f->start_s, 1.0, 1e-12);
    FP_ASSERT_NEAR(f->end_s, 2.0, 1e-12);
    FP_ASSERT_NEAR(f->measured, 95.0, 1e-12);
    /* share of the run's CPU capacity: 1 s at 95 % of a 5 s run */
    FP_ASSERT_NEAR(f->share, 0.2 * 0.95, 1e-12);
    FP_ASSERT_NEAR(f->excess, 0.75, 1e-12);
    /* cost: the excess over the background (the series' median, 30 %), not the total CPU:
     * 10 samples x 65 % x 0.1 s = 0.65 core-seconds of a 5 s run, 0.13: impact 73.4 */
    FP_ASSERT_NEAR(f->improvement, 0.65, 1e-12);
    CU_ASSERT_STRING_EQUAL(f->improvement_unit, "core-s");
    FP_ASSERT_NEAR(f->cost, 0.13, 1e-12);
    FP_ASSERT_NEAR(f->impact, 100.0 + 30.0 * log10(0.13), 1e-9);
    CU_ASSERT_EQUAL(f->severity, FP_SEV_HIGH);
    for (k = 0; k < n; k++)
        if (all[k].kind == FP_KIND_CPU_SATURATION && all[k].start_s > 3.5) {
            FP_ASSERT_NEAR(all[k].start_s, 4.0, 1e-12);
            FP_ASSERT_NEAR(all[k].end_s, 4.5, 1e-12);
            FP_ASSERT_NEAR(all[k].measured, (99.0 * 4 + 70.0) / 5.0, 1e-12);
            /* area over the samples above the line only: 4 x 19 x 0.1 */
            FP_ASSERT_NEAR(evidence(&all[k], "pct_s_above"), 7.6, 1e-9);
        }
    fp_analysis_free(x);
    /* area above the line: 3 samples at 95 give 15 x 0.3 = 4.5 percent-seconds */
    for (i = 40; i < 45; i++)
        cpu[i] = 30.0;
    cpu[30] = cpu[31] = cpu[32] = 95.0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 1); /* 4.5 < 5: only the first */
    fp_analysis_free(x);
    th.cpu_min_pct_s = 4.4;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 2);
    fp_analysis_free(x);
    th.cpu_min_pct_s = 4.6;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 1);
    fp_analysis_free(x);
    cpu[32] = 30.0;
    /* exactly 80 %: not above */
    for (i = 10; i < 20; i++)
        cpu[i] = 80.0;
    cpu[30] = cpu[31] = 30.0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_cpu_method(void)
{
    fp_profile *p = tb_new();
    uint32_t hot = tb_method(p, "hot"), cool = tb_method(p, "cool"), edge = tb_method(p, "edge");
    fp_analysis *x;
    const fp_finding *f;
    double *mem, *cpu, *ops, *bytes;
    size_t i;

    /* hot: 2 s at 90 % then 2 s at 100 %: time-weighted 95 */
    tb_span(p, hot, -1, 0, 2);
    tb_last(p)->cpu_pct = 90;
    tb_span(p, hot, -1, 2, 2);
    tb_last(p)->cpu_pct = 100;
    tb_span(p, cool, -1, 4, 4);
    tb_last(p)->cpu_pct = 20;
    tb_span(p, edge, -1, 8, 2);
    tb_last(p)->cpu_pct = 80;
    /* the series shows hot's episode: it merges into the method finding */
    tb_series(p, 10, 1.0, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 10; i++)
        cpu[i] = i < 4 ? 96.0 : 20.0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 1);
    f = find(x, FP_KIND_CPU_SATURATION, (int32_t)hot);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(f->measured, 95.0, 1e-12);
    FP_ASSERT_NEAR(f->share, 0.4 * 0.95, 1e-12); /* its CPU-seconds / (100 % x duration) */
    CU_ASSERT_STRING_EQUAL(f->rule, "method_pct");
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_CPU_SATURATION, (int32_t)edge));
    fp_analysis_free(x);
    fp_profile_free(p);
}

/*
 * The CPU background of both CPU findings' savings is the median of the series as a sort gives
 * it (fp_detect.c finds it by buckets and a selection, once, when the first CPU finding needs
 * it): an even number of samples whose two middle values lie in different buckets, fractional
 * values spread over many buckets.
 */
static void test_cpu_background_median(void)
{
    fp_profile *p = tb_new();
    uint32_t hot = tb_method(p, "hot"), rest = tb_method(p, "rest");
    fp_analysis *x;
    const fp_finding *f, *all;
    double *mem, *cpu, *ops, *bytes, sorted[100], bg, want;
    size_t i, n, k;

    tb_span(p, hot, -1, 0, 4);
    tb_last(p)->cpu_pct = 95;
    tb_span(p, rest, -1, 4, 6);
    tb_last(p)->cpu_pct = 20;
    tb_series(p, 100, 0.1, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 100; i++)
        cpu[i] = 20.0 + (double)((i * 37) % 23) * 0.37; /* 20 .. 28.14 */
    for (i = 0; i < 40; i++)
        cpu[i] = 96.0 - 0.01 * (double)i; /* hot's own work */
    for (i = 70; i < 80; i++)
        cpu[i] = 90.0 + 0.13 * (double)(i - 70); /* an episode nobody flagged explains */
    memcpy(sorted, cpu, sizeof sorted);
    gsl_sort(sorted, 1, 100);
    bg = gsl_stats_median_from_sorted_data(sorted, 1, 100); /* (28.x + 90) / 2 */
    CU_ASSERT(bg > 50 && bg < 80);                          /* below the threshold: not capped */
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 2);
    f = find(x, FP_KIND_CPU_SATURATION, (int32_t)hot);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_DOUBLE_EQUAL(f->improvement, 4.0 * (95.0 - bg) / 100.0, 0.0);
    f = find(x, FP_KIND_CPU_SATURATION, FP_TARGET_PROCESS);
    CU_ASSERT_FATAL(f != NULL);
    for (want = 0, k = 70; k < 80; k++)
        want += (cpu[k] - bg) / 100.0 * 0.1 * 1.0;
    CU_ASSERT_DOUBLE_EQUAL(f->improvement, want, 0.0);
    all = fp_analysis_findings(x, &n);
    CU_ASSERT(n >= 2 && all != NULL);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/*
 * The CPU background where the buckets of fp_detect.c's median meet: whole-percent values (each
 * the lower edge of its bucket), values below 1 % (bucket 0) and 100 % (the last bucket), for
 * a median in the first bucket, on an edge between two, and between bucket 99 and the last one
 * (99.5, under a threshold of 99.6 so that the cap does not hide it), as a sort gives it.
 */
static void test_cpu_background_median_edges(void)
{
    static const double fill[2][3] = {{0.25, 0.0, 0.75}, {30.0, 30.0, 30.0}};
    size_t c, i;

    for (c = 0; c < 3; c++) {
        fp_profile *p = tb_new();
        uint32_t hot = tb_method(p, "hot"), rest = tb_method(p, "rest");
        double *mem, *cpu, *ops, *bytes, sorted[60], bg;
        fp_analysis *x;
        const fp_finding *f;
        fp_thresholds th = FP_THRESHOLDS_INIT;

        tb_span(p, hot, -1, 0, 2);
        tb_last(p)->cpu_pct = c == 2 ? 100 : 95;
        tb_span(p, rest, -1, 2, 4);
        tb_last(p)->cpu_pct = 20;
        tb_series(p, 60, 0.1, &mem, &cpu, &ops, &bytes);
        for (i = 0; i < 60;
             i++) /* case 1: the middle ranks 29, 30 hold 30 and 31; case 2: 99, 100 */
            cpu[i] = c == 2 ? (i < 30 ? 99.0 : 100.0) : c == 1 && i >= 30 ? 31.0 : fill[c][i % 3];
        for (i = 0; i < 6; i++)
            cpu[i] = 1.0 + (double)i; /* edges of buckets 1 .. 6 */
        memcpy(sorted, cpu, sizeof sorted);
        gsl_sort(sorted, 1, 60);
        bg = gsl_stats_median_from_sorted_data(sorted, 1, 60);
        if (c == 1)
            CU_ASSERT_EQUAL(bg, 30.5);
        if (c == 2) {
            CU_ASSERT_EQUAL(bg, 99.5);
            th.cpu_pct = 99.6;
            th.cpu_min_pct_s = 0.0;
        }
        x = an(p, &th);
        f = find(x, FP_KIND_CPU_SATURATION, (int32_t)hot);
        CU_ASSERT_FATAL(f != NULL);
        /* the background is capped at the threshold (80 %) */
        bg = bg < fp_analysis_thresholds(x)->cpu_pct ? bg : fp_analysis_thresholds(x)->cpu_pct;
        CU_ASSERT_DOUBLE_EQUAL(
            f->improvement, 2.0 * fp_clamp((c == 2 ? 100.0 : 95.0) - bg, 0.0, 100.0) / 100.0, 0.0);
        fp_analysis_free(x);
        fp_profile_free(p);
    }
}

/* hot: one call [0, 10] at 100 % CPU (flagged) with a child [3.5, 6.5] at 5 %; series at 1 s. */
static fp_profile *cpu_partial_profile(int episode)
{
    fp_profile *p = tb_new();
    uint32_t hot = tb_method(p, "hot"), child = tb_method(p, "child");
    int32_t h;
    double *mem, *cpu, *ops, *bytes;
    size_t i;

    h = tb_span(p, hot, -1, 0, 10);
    tb_last(p)->cpu_pct = 100;
    tb_span(p, child, h, 3.5, 3);
    tb_last(p)->cpu_pct = 5;
    tb_span(p, child, -1, 10, 2);
    tb_last(p)->cpu_pct = 5;
    tb_series(p, 12, 1.0, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 12; i++)
        cpu[i] = i < 10 ? 100.0 : 20.0;
    /* samples 3 and 6 are half hot's own work (50 % of the sample's CPU), half the child's */
    cpu[3] = cpu[6] = episode ? 98.0 : 52.5;
    cpu[4] = cpu[5] = 98.0; /* an episode during the child only: 2 samples */
    return p;
}

static void test_cpu_episode_partial_samples(void)
{
    fp_profile *p = cpu_partial_profile(1);
    fp_thresholds th = FP_THRESHOLDS_INIT;
    fp_analysis *x;
    const fp_finding *f = NULL, *all;
    size_t n, i;

    /* the CPU level of the free half of samples 3 and 6 is (98 - 50) / 0.5 = 96 %: with them the
     * episode has 4 samples and an area of (16 * 0.5 + 18 + 18 + 16 * 0.5) * 1 s = 52 %*s */
    x = an(p, NULL);
    CU_ASSERT_PTR_NOT_NULL(find(x, FP_KIND_CPU_SATURATION, 0));
    all = fp_analysis_findings(x, &n);
    for (i = 0; i < n; i++)
        if (all[i].kind == FP_KIND_CPU_SATURATION && all[i].target == FP_TARGET_PROCESS)
            f = &all[i];
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(f->start_s, 3.0, 1e-12);
    FP_ASSERT_NEAR(f->end_s, 7.0, 1e-12);
    FP_ASSERT_NEAR(evidence(f, "pct_s_above"), 52.0, 1e-9);
    fp_analysis_free(x);
    /* the area requirement at exactly 52 is met (>=), just above it is not */
    th.cpu_min_pct_s = 52.0;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 2);
    fp_analysis_free(x);
    th.cpu_min_pct_s = 52.0 * (1 + 1e-9);
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 1);
    fp_analysis_free(x);
    fp_profile_free(p);
    /* without the episode in the partial samples their free half runs at 5 %: 2 samples only */
    p = cpu_partial_profile(0);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 1);
    CU_ASSERT_PTR_NOT_NULL(find(x, FP_KIND_CPU_SATURATION, 0));
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- call_storm ---- */

static void test_call_storm(void)
{
    fp_profile *p = tb_new();
    uint32_t s = tb_method(p, "storm"), e = tb_method(p, "edge"), q = tb_method(p, "quiet");
    fp_analysis *x;
    const fp_finding *f;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    double t = 0;
    size_t i;

    for (i = 0; i < 1001; i++, t += 0.001)
        tb_span(p, s, -1, t, 0.001);
    for (i = 0; i < 1000; i++, t += 0.001)
        tb_span(p, e, -1, t, 0.001); /* exactly 1000: not above */
    for (i = 0; i < 5; i++, t += 1)
        tb_span(p, q, -1, t, 1);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CALL_STORM), 1);
    f = find(x, FP_KIND_CALL_STORM, (int32_t)s);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(f->measured, 1001.0, 0);
    CU_ASSERT_STRING_EQUAL(f->rule, "calls");
    FP_ASSERT_NEAR(f->excess, 1.0 - 1000.0 / 1001.0, 1e-12);
    FP_ASSERT_NEAR(evidence(f, "median_calls_per_method"), 1000.0, 0);
    fp_analysis_free(x);

    /* ratio rule (off by default): 60 > 10 x median 5; 50 is not */
    fp_profile_reset(p);
    s = tb_method(p, "loop_body");
    e = tb_method(p, "a");
    q = tb_method(p, "b");
    t = 0;
    for (i = 0; i < 60; i++, t += 0.01)
        tb_span(p, s, -1, t, 0.01);
    for (i = 0; i < 5; i++, t += 0.01) {
        tb_span(p, e, -1, t, 0.01);
        tb_span(p, q, -1, t, 0.01);
        tb_last(p)->track = 1;
    }
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CALL_STORM), 0);
    fp_analysis_free(x);
    th.storm_ratio = 10;
    x = an(p, &th);
    f = find(x, FP_KIND_CALL_STORM, (int32_t)s);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "ratio");
    FP_ASSERT_NEAR(f->threshold, 50.0, 0);
    fp_analysis_free(x);
    th.storm_ratio = 12;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CALL_STORM), 0);
    fp_analysis_free(x);

    /* 1,500 cheap calls (0.5 ms) beside a 20 s stage: 0.75 s, 3.6 % of the run, below
     * call_storm.min_share (5 %): not a storm; with min_share 0.03 (or 0 = off) it is */
    fp_profile_reset(p);
    s = tb_method(p, "tick");
    e = tb_method(p, "stage");
    t = 0;
    for (i = 0; i < 1500; i++, t += 0.0005)
        tb_span(p, s, -1, t, 0.0005);
    tb_span(p, e, -1, t, 20.0);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CALL_STORM), 0);
    fp_analysis_free(x);
    th = (fp_thresholds)FP_THRESHOLDS_INIT;
    th.storm_min_share = 0.03;
    x = an(p, &th);
    f = find(x, FP_KIND_CALL_STORM, (int32_t)s);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(evidence(f, "time_share"), 0.75 / 20.75, 1e-9);
    fp_analysis_free(x);
    th.storm_min_share = 0;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CALL_STORM), 1);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- CPU against cores ---- */

static void test_cpu_cores(void)
{
    /* 4 parallel calls at 24 % of a core for 10 s, no series: 96 % of a 1-core process (above
     * score.avg_cpu_pct: 5 points off), 24 % of a 4-core one (no penalty) */
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "worker");
    fp_analysis *x;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    double score1;
    int i;

    /* worker is the whole run: its slow_method by share would cost all of it (score 0); the
     * test is about the CPU budget, so the share rule is off */
    th.slow_path_share = 0;
    for (i = 0; i < 4; i++) {
        tb_span(p, m, -1, 0, 10.0);
        tb_last(p)->track = (uint32_t)i;
        tb_last(p)->cpu_pct = 24;
    }
    x = an(p, &th);
    FP_ASSERT_NEAR(fp_analysis_run(x)->avg_cpu_pct, 96.0, 1e-9);
    score1 = fp_analysis_score(x);
    fp_analysis_free(x);
    CU_ASSERT_EQUAL_FATAL(fp_profile_set_cores(p, 4), FP_OK);
    x = an(p, &th);
    FP_ASSERT_NEAR(fp_analysis_run(x)->avg_cpu_pct, 24.0, 1e-9);
    FP_ASSERT_NEAR(fp_analysis_run(x)->peak_cpu_pct, 24.0, 1e-9);
    FP_ASSERT_NEAR(fp_analysis_score(x), score1 + 5.0, 0); /* the same findings, no CPU penalty */
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- root causes ---- */

static void test_root_causes(void)
{
    /* fetch_row: 2,000 calls of 0.01 s (20 s) beside 5 s of stages: a call storm (2,000 > 1,000
     * calls) that makes it 80 % of the critical path, so slow_method's path_share rule fires on
     * the same method; that finding is the storm's consequence: ranked after it, caused_by 1,
     * no saving and no recommendation of its own, and no score weight */
    fp_profile *p = tb_new();
    uint32_t s = tb_method(p, "fetch_row"), o = tb_method(p, "stage");
    fp_analysis *x;
    const fp_finding *f;
    const fp_recommendation *rc;
    double t = 0;
    size_t i, n;

    for (i = 0; i < 2000; i++, t += 0.01)
        tb_span(p, s, -1, t, 0.01);
    for (i = 0; i < 5; i++, t += 1.0)
        tb_span(p, o, -1, t, 1.0);
    x = an(p, NULL);
    f = fp_analysis_findings(x, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(f[0].kind, FP_KIND_CALL_STORM);
    CU_ASSERT_EQUAL(f[0].caused_by, 0);
    CU_ASSERT(f[0].improvement > 0);
    CU_ASSERT_EQUAL(f[1].kind, FP_KIND_SLOW_METHOD);
    CU_ASSERT_STRING_EQUAL(f[1].rule, "path_share");
    CU_ASSERT_EQUAL(f[1].target, (int32_t)s);
    CU_ASSERT_EQUAL(f[1].caused_by, 1);
    FP_ASSERT_NEAR(f[1].improvement, 0.0, 0);
    rc = fp_analysis_recommendations(x, &n);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(rc[0].finding, 0);
    CU_ASSERT_EQUAL(rc[0].kind, FP_KIND_CALL_STORM);
    /* one root finding: the consequence costs no score points (docs/analysis.md "Score") */
    FP_ASSERT_NEAR(fp_analysis_score(x), 100.0 * (1.0 - f[0].cost) - 1.0, 1e-9);
    fp_analysis_free(x);

    /* slow by its time per call (mean_s), not by the call count: its own finding */
    fp_profile_reset(p);
    s = tb_method(p, "fetch_row");
    t = 0;
    for (i = 0; i < 1001; i++, t += 2.5)
        tb_span(p, s, -1, t, 2.5);
    x = an(p, NULL);
    f = fp_analysis_findings(x, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(f[0].caused_by, 0);
    CU_ASSERT_EQUAL(f[1].caused_by, 0);
    rc = fp_analysis_recommendations(x, &n);
    CU_ASSERT_EQUAL(n, 2);
    fp_analysis_free(x);

    /* io_heavy -> slow_method: 'load' takes 3 s a call (slow by mean_s, saving 12 s x 1/3 = 4 s)
     * and issues 40,000 I/O operations (4x io_heavy.ops: its I/O wait saving is 12 s x 0.75 =
     * 9 s, more than half the slow method's): the slow method is io_heavy's consequence */
    for (int k = 0; k < 2; k++) {
        uint32_t ld, ot;
        fp_profile_reset(p);
        ld = tb_method(p, "load");
        ot = tb_method(p, "other");
        t = 0;
        for (i = 0; i < 4; i++, t += 3.0) {
            tb_span(p, ld, -1, t, 3.0);
            tb_last(p)->io_ops = k == 0 ? 10000 : 2625;
        }
        for (i = 0; i < 8; i++, t += 1.0)
            tb_span(p, ot, -1, t, 1.0);
        x = an(p, NULL);
        f = fp_analysis_findings(x, &n);
        CU_ASSERT_EQUAL_FATAL(n, 2);
        if (k == 0) {
            CU_ASSERT_EQUAL(f[0].kind, FP_KIND_IO_HEAVY);
            CU_ASSERT_EQUAL(f[0].caused_by, 0);
            CU_ASSERT_EQUAL(f[1].kind, FP_KIND_SLOW_METHOD);
            CU_ASSERT_EQUAL(f[1].target, (int32_t)ld);
            CU_ASSERT_EQUAL(f[1].caused_by, 1);
            FP_ASSERT_NEAR(f[1].improvement, 0.0, 0);
            CU_ASSERT_EQUAL(fp_analysis_recommendations(x, &n) != NULL && n == 1, 1);
        } else {
            /* 10,500 operations: 0.57 s of I/O wait to save, not most of the slow method's
             * 4 s, so the slow method is a finding of its own, ranked first */
            CU_ASSERT_EQUAL(f[0].kind, FP_KIND_SLOW_METHOD);
            CU_ASSERT_EQUAL(f[0].caused_by, 0);
            CU_ASSERT_EQUAL(f[1].kind, FP_KIND_IO_HEAVY);
            CU_ASSERT_EQUAL(f[1].caused_by, 0);
            CU_ASSERT_EQUAL(fp_analysis_recommendations(x, &n) != NULL && n == 2, 1);
        }
        fp_analysis_free(x);
    }
    fp_profile_free(p);
}

/* ---- io_heavy ---- */

static void test_io(void)
{
    fp_profile *p = tb_new();
    uint32_t o = tb_method(p, "ops"), b = tb_method(p, "bytes"), r = tb_method(p, "rate");
    uint32_t s = tb_method(p, "short"), e = tb_method(p, "edge");
    fp_analysis *x;
    const fp_finding *f;
    double *mem, *cpu, *ops, *bytes;
    size_t i;

    tb_span(p, o, -1, 0, 20);
    tb_last(p)->io_ops = 10001;
    tb_span(p, b, -1, 20, 20);
    tb_last(p)->io_bytes = 1025.0 * 1048576.0;
    tb_span(p, r, -1, 40, 1);
    tb_last(p)->io_ops = 2000; /* 2000 ops/s over 1 s of own time */
    tb_span(p, s, -1, 41, 0.5);
    tb_last(p)->io_ops = 2000; /* 4000 ops/s but only 0.5 s of own time */
    tb_span(p, e, -1, 42, 20);
    tb_last(p)->io_ops = 10000; /* exactly at the count threshold; 500 ops/s */
    tb_last(p)->io_bytes = 1024.0 * 1048576.0;
    x = an(p, NULL);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_IO_HEAVY), 3);
    f = find(x, FP_KIND_IO_HEAVY, (int32_t)o);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "ops");
    f = find(x, FP_KIND_IO_HEAVY, (int32_t)b);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "mb");
    FP_ASSERT_NEAR(f->measured, 1025.0, 1e-9);
    f = find(x, FP_KIND_IO_HEAVY, (int32_t)r);
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_STRING_EQUAL(f->rule, "ops_per_s");
    FP_ASSERT_NEAR(f->measured, 2000.0, 1e-9);
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_IO_HEAVY, (int32_t)s));
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_IO_HEAVY, (int32_t)e));
    CU_ASSERT_PTR_NULL(find(x, FP_KIND_IO_HEAVY, FP_TARGET_PROCESS));
    fp_analysis_free(x);

    /* spans without I/O but a series with 20000 ops: a process-level finding */
    fp_profile_reset(p);
    o = tb_method(p, "m");
    tb_span(p, o, -1, 0, 10);
    tb_series(p, 10, 1.0, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 10; i++)
        ops[i] = 2000;
    x = an(p, NULL);
    f = find(x, FP_KIND_IO_HEAVY, FP_TARGET_PROCESS);
    CU_ASSERT_FATAL(f != NULL);
    FP_ASSERT_NEAR(f->measured, 20000.0, 1e-9);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* ---- score, recommendations, order ---- */

static void test_score(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "fetch"), b = tb_method(p, "parse");
    const double da[] = {3, 3, 3};
    double db[20], *mem, *cpu, *ops, *bytes, t;
    size_t i, n;
    fp_analysis *x;
    const fp_recommendation *rec;
    fp_thresholds th = FP_THRESHOLDS_INIT;

    for (i = 0; i < 20; i++)
        db[i] = 0.1;
    t = tb_calls(p, a, da, 3, 0);
    t = tb_calls(p, b, db, 20, t);
    /* series: flat 1200 MB (> 1000: -5), CPU 50 (not above 80) */
    tb_series(p, 11, 1.0, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 11; i++) {
        mem[i] = 1200;
        cpu[i] = 50;
    }
    /* the per-call rule alone (fetch's share rule would save 7 s, "Cost"), so that the one
     * finding is high */
    th.slow_path_share = 0;
    x = an(p, &th);
    /* one finding, slow_method on fetch, cost 3/11, impact 83.1 (high): the score is
     * 100 * (1 - 3/11) - 1 (one finding) - 5 (the memory budget) = 66.7, "fair" */
    CU_ASSERT_EQUAL(fp_analysis_findings(x, &n) != NULL, 1);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(fp_analysis_count_severity(x, FP_SEV_HIGH), 1);
    FP_ASSERT_NEAR(fp_analysis_findings(x, &n)[0].cost, 3.0 / 11.0, 1e-9);
    FP_ASSERT_NEAR(fp_analysis_score(x), 100.0 * (1.0 - 3.0 / 11.0) - 1.0 - 5.0, 1e-9);
    CU_ASSERT_EQUAL(fp_analysis_status(x), FP_SCORE_FAIR);
    rec = fp_analysis_recommendations(x, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(rec[0].rank, 1);
    CU_ASSERT_EQUAL(rec[0].finding, 0);
    CU_ASSERT_STRING_EQUAL(rec[0].target_name, "fetch");
    CU_ASSERT(strncmp(rec[0].text, "Reduce the own work of 'fetch' (slow_method, high)", 50) == 0);
    CU_ASSERT(strstr(rec[0].text, "estimated saving 3 s.") != NULL);
    CU_ASSERT_STRING_EQUAL(rec[0].evidence, fp_analysis_findings(x, &n)[0].root_cause);
    fp_analysis_free(x);
    /* CPU 95 on average: another -5, and the series now has a process CPU episode (11 s at
     * 95 %; busy all along, so its background is the 80 % threshold: 1.65 core-seconds above
     * it, cost 0.15, impact 75.3: high, -15) */
    for (i = 0; i < 11; i++)
        cpu[i] = 95;
    x = an(p, &th);
    CU_ASSERT_EQUAL(count_kind(x, FP_KIND_CPU_SATURATION), 1);
    /* two resources: time keeps 8/11, CPU 0.85; two findings and two budgets breached */
    FP_ASSERT_NEAR(fp_analysis_score(x), 100.0 * (8.0 / 11.0) * 0.85 - 2.0 - 5.0 - 5.0, 1e-9);
    CU_ASSERT_EQUAL(fp_analysis_status(x), FP_SCORE_POOR);
    /* findings sorted by cost: the slow method's 3/11 before the episode's 0.15 */
    CU_ASSERT_EQUAL(fp_analysis_findings(x, &n)[0].kind, FP_KIND_SLOW_METHOD);
    FP_ASSERT_NEAR(fp_analysis_findings(x, &n)[1].cost, 0.15, 1e-9);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/* The score follows the cost: one slow call that explains half the run scores far lower than
 * one that explains 2 % of it (the old severity weights gave both "high" -15). */
static void test_score_by_cost(void)
{
    fp_profile *p = tb_new();
    static const char *const other[] = {"parse", "render", "store", "send"};
    uint32_t a = tb_method(p, "fetch");
    double db[20], small, big, t;
    const double dsmall[] = {2.2}, dbig[] = {10.0};
    fp_analysis *x;
    size_t i, n;

    for (i = 0; i < 20; i++)
        db[i] = 0.1; /* 4 other methods of 2 s each, every one under the path-share budget */
    /* fetch: 2.2 s, 0.2 s above the 2 s budget, in a 10.2 s run: cost 2 % */
    t = tb_calls(p, a, dsmall, 1, 0);
    for (i = 0; i < 4; i++)
        t = tb_calls(p, tb_method(p, other[i]), db, 20, t);
    x = an(p, NULL);
    CU_ASSERT_EQUAL_FATAL(fp_analysis_findings(x, &n) != NULL && n == 1, 1);
    FP_ASSERT_NEAR(fp_analysis_findings(x, &n)[0].cost, 0.2 / 10.2, 1e-9);
    small = fp_analysis_score(x);
    FP_ASSERT_NEAR(small, 100.0 * (1.0 - 0.2 / 10.2) - 1.0, 1e-9);
    CU_ASSERT_EQUAL(fp_analysis_status(x), FP_SCORE_EXCELLENT);
    fp_analysis_free(x);
    /* fetch: 10 s, 8 s above the budget, in an 18 s run: cost 44 % */
    fp_profile_reset(p);
    a = tb_method(p, "fetch");
    t = tb_calls(p, a, dbig, 1, 0);
    for (i = 0; i < 4; i++)
        t = tb_calls(p, tb_method(p, other[i]), db, 20, t);
    x = an(p, NULL);
    CU_ASSERT_EQUAL_FATAL(fp_analysis_findings(x, &n) != NULL && n == 1, 1);
    FP_ASSERT_NEAR(fp_analysis_findings(x, &n)[0].cost, 8.0 / 18.0, 1e-9);
    big = fp_analysis_score(x);
    FP_ASSERT_NEAR(big, 100.0 * (1.0 - 8.0 / 18.0) - 1.0, 1e-9);
    CU_ASSERT_EQUAL(fp_analysis_status(x), FP_SCORE_FAIR);
    CU_ASSERT(small - big > 40.0);
    fp_analysis_free(x);
    fp_profile_free(p);
}

/*
 * Overlapping root findings on one method never save more than the method's time: their savings
 * are scaled down together to that cap (docs/analysis.md "Cost"). A consequence ("Root causes")
 * takes no part: the slow_method that a call storm makes of its method keeps a saving of 0 and
 * cost 0, and the storm's own saving is not scaled for it.
 */
static void test_savings_cap(void)
{
    fp_profile *p = tb_new();
    uint32_t a = tb_method(p, "lookup"), b = tb_method(p, "main");
    double *da = malloc(30000 * sizeof *da), t, sum = 0, storm0, io0;
    size_t i, n, nr;
    fp_analysis *x;
    const fp_finding *f, *storm, *slow, *io;

    CU_ASSERT_FATAL(da != NULL);
    for (i = 0; i < 30000; i++)
        da[i] = 0.001;
    t = tb_calls(p, a, da, 30000, 0);
    tb_span(p, b, -1, t, 1.0);
    x = an(p, NULL);
    storm = find(x, FP_KIND_CALL_STORM, (int32_t)a);
    slow = find(x, FP_KIND_SLOW_METHOD, (int32_t)a);
    CU_ASSERT_FATAL(storm != NULL && slow != NULL);
    /* storm: 30 s x (1 - 1000/30000) = 29 s, under the method's 30 s: not scaled; the slow
     * method (30 of 31 s of the path) is its consequence: before root causes, its 14.5 s would
     * have scaled both down by 30 / 43.5 */
    storm0 = 30.0 * (1.0 - 1000.0 / 30000.0);
    FP_ASSERT_NEAR(storm->improvement, storm0, 1e-6);
    CU_ASSERT_EQUAL(storm->caused_by, 0);
    CU_ASSERT_STRING_EQUAL(slow->rule, "path_share");
    CU_ASSERT_EQUAL(slow->caused_by, 1);
    FP_ASSERT_NEAR(slow->improvement, 0.0, 0);
    FP_ASSERT_NEAR(slow->cost, 0.0, 0);
    FP_ASSERT_NEAR(slow->impact, 0.0, 0);
    FP_ASSERT_NEAR(storm->cost, storm0 / 31.0, 1e-9);
    f = fp_analysis_findings(x, &n);
    (void)fp_analysis_recommendations(x, &nr);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(nr, 1);
    fp_analysis_free(x);

    /* one I/O operation per call as well: io_heavy (30,000 > 10,000 ops) saves 30 s x
     * (1 - 10000/30000) = 20 s; the storm's 29 s and it, 49 s for a method that takes 30 s, are
     * both scaled by 30 / 49; the consequence stays at 0 */
    fp_profile_reset(p);
    a = tb_method(p, "lookup");
    b = tb_method(p, "main");
    for (i = 0, t = 0; i < 30000; i++, t += 0.001) {
        tb_span(p, a, -1, t, 0.001);
        tb_last(p)->io_ops = 1;
    }
    tb_span(p, b, -1, t, 1.0);
    x = an(p, NULL);
    storm = find(x, FP_KIND_CALL_STORM, (int32_t)a);
    slow = find(x, FP_KIND_SLOW_METHOD, (int32_t)a);
    io = find(x, FP_KIND_IO_HEAVY, (int32_t)a);
    CU_ASSERT_FATAL(storm != NULL && slow != NULL && io != NULL);
    io0 = 30.0 * (1.0 - 10000.0 / 30000.0);
    FP_ASSERT_NEAR(storm->improvement, storm0 * 30.0 / (storm0 + io0), 1e-6);
    FP_ASSERT_NEAR(io->improvement, io0 * 30.0 / (storm0 + io0), 1e-6);
    CU_ASSERT_EQUAL(slow->caused_by, 1);
    FP_ASSERT_NEAR(slow->improvement, 0.0, 0);
    f = fp_analysis_findings(x, &n);
    for (i = 0; i < n; i++)
        if (strcmp(f[i].improvement_unit, "s") == 0)
            sum += f[i].improvement;
    CU_ASSERT(sum <= 30.0 + 1e-9);
    FP_ASSERT_NEAR(storm->cost, storm->improvement / 31.0, 1e-9);
    /* the consequence is ranked last, after every root finding */
    CU_ASSERT_EQUAL(f[n - 1].caused_by, 1);
    CU_ASSERT_EQUAL(f[0].caused_by, 0);
    fp_analysis_free(x);
    fp_profile_free(p);
    free(da);
}

static void test_order(void)
{
    fp_profile *p = tb_new();
    uint32_t mb = tb_method(p, "b"), ma = tb_method(p, "a");
    fp_analysis *x, *y;
    size_t n, n2, i;
    const fp_finding *f, *g;

    /* identical twins on two tracks: tie on severity and impact, broken by name */
    for (i = 0; i < 3; i++) {
        tb_span(p, mb, -1, 3.0 * (double)i, 3);
        tb_last(p)->mem_alloc_mb = 300;
        tb_span(p, ma, -1, 3.0 * (double)i, 3);
        tb_last(p)->track = 1;
        tb_last(p)->mem_alloc_mb = 300;
    }
    x = an(p, NULL);
    y = an(p, NULL);
    f = fp_analysis_findings(x, &n);
    g = fp_analysis_findings(y, &n2);
    CU_ASSERT_EQUAL_FATAL(n, 4); /* slow and hotspot for each */
    CU_ASSERT_EQUAL_FATAL(n2, n);
    for (i = 0; i + 1 < n; i++) {
        CU_ASSERT(f[i].severity > f[i + 1].severity ||
                  (f[i].severity == f[i + 1].severity && f[i].impact >= f[i + 1].impact));
        CU_ASSERT_EQUAL(f[i].kind, g[i].kind);
        CU_ASSERT_EQUAL(f[i].target, g[i].target);
        CU_ASSERT_STRING_EQUAL(f[i].root_cause, g[i].root_cause);
    }
    for (i = 0; i + 1 < n; i++)
        if (f[i].kind == f[i + 1].kind && f[i].impact == f[i + 1].impact)
            CU_ASSERT(strcmp(f[i].target_name, f[i + 1].target_name) < 0);
    fp_analysis_free(x);
    fp_analysis_free(y);
    fp_profile_free(p);
}

/* ---- edge cases ---- */

static void test_edge_empty_and_zero(void)
{
    fp_profile *p = tb_new();
    fp_analysis *x;
    size_t n;
    uint32_t m;
    double *mem, *cpu, *ops, *bytes;
    size_t i;

    x = an(p, NULL);
    CU_ASSERT_PTR_NULL(fp_analysis_findings(x, &n));
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_PTR_NULL(fp_analysis_methods(x, &n));
    CU_ASSERT_PTR_NULL(fp_analysis_critical_path(x, &n));
    CU_ASSERT_PTR_NULL(fp_analysis_critical_spans(x, &n));
    CU_ASSERT_EQUAL(fp_analysis_run(x)->mem_source, FP_SOURCE_NONE);
    CU_ASSERT_EQUAL(fp_analysis_score(x), 100.0);
    CU_ASSERT_EQUAL(fp_analysis_status(x), FP_SCORE_EXCELLENT);
    assert_sane(x);
    fp_analysis_free(x);

    /* a method with no calls, one zero-duration span, zero-duration children */
    m = tb_method(p, "zero");
    tb_method(p, "unused");
    tb_span(p, m, -1, 0, 0);
    tb_span(p, m, 0, 0, 0);
    x = an(p, NULL);
    CU_ASSERT_EQUAL(fp_analysis_run(x)->duration_s, 0.0);
    CU_ASSERT_EQUAL(fp_analysis_methods(x, &n)[0].calls, 2);
    CU_ASSERT_EQUAL(fp_analysis_methods(x, &n)[1].calls, 0);
    assert_sane(x);
    fp_analysis_free(x);

    /* one span, with all-zero series of one sample */
    fp_profile_reset(p);
    m = tb_method(p, "one");
    tb_span(p, m, -1, 0.5, 1.5);
    tb_last(p)->cpu_pct = 100;
    tb_last(p)->mem_alloc_mb = 1e6;
    tb_series(p, 1, 2.0, &mem, &cpu, &ops, &bytes);
    x = an(p, NULL);
    assert_sane(x);
    FP_ASSERT_NEAR(fp_analysis_run(x)->idle_path_s, 0.5, 1e-12);
    fp_analysis_free(x);

    /* many tiny equal calls and a constant series at 100 % CPU */
    fp_profile_reset(p);
    m = tb_method(p, "tiny");
    for (i = 0; i < 50; i++)
        tb_span(p, m, -1, (double)i * 1e-12, 1e-12);
    tb_series(p, 20, 1e-3, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 20; i++)
        cpu[i] = 100;
    x = an(p, NULL);
    assert_sane(x);
    fp_analysis_free(x);
    fp_profile_free(p);
}

static void test_edge_invalid(void)
{
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "m");
    fp_analysis *x = (fp_analysis *)&m;
    fp_error err = FP_ERROR_INIT;

    tb_span(p, m, -1, 0, 1);
    fp_profile_spans_mut(p)[0].dur_s = -1; /* violates the profile invariants */
    CU_ASSERT_EQUAL(fp_analyze(&x, p, NULL, &err), FP_EINVAL);
    CU_ASSERT_PTR_NULL(x);
    CU_ASSERT(err.msg[0] != '\0');
    fp_analysis_free(NULL);
    fp_profile_free(p);
}

/* Sums that overflow are an FP_ERANGE error naming the method and the quantity, never 0. */
static void test_edge_overflow(void)
{
    fp_profile *p = tb_new();
    uint32_t m = tb_method(p, "io_heavy");
    fp_analysis *a = NULL;
    fp_error err = FP_ERROR_INIT;
    int i;

    for (i = 0; i < 10; i++) {
        tb_span(p, m, -1, (double)i, 1.0);
        tb_last(p)->io_ops = 1e308;
    }
    CU_ASSERT_EQUAL(fp_analyze(&a, p, NULL, &err), FP_ERANGE);
    CU_ASSERT_PTR_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "I/O operations of method 'io_heavy' overflow"));
    fp_analysis_free(a);

    /* one call of 1e308 is large but finite: analysed, not an error */
    fp_profile_free(p);
    p = tb_new();
    m = tb_method(p, "io_heavy");
    tb_span(p, m, -1, 0.0, 1.0);
    tb_last(p)->io_ops = 1e308;
    a = an(p, NULL);
    FP_ASSERT_NEAR(fp_analysis_run(a)->io_ops, 1e308, 1e294);
    fp_analysis_free(a);
    fp_profile_free(p);
}

static void test_alloc_failure(void)
{
    fp_profile *p = tree_profile();
    double *mem, *cpu, *ops, *bytes;
    unsigned long k;
    size_t i;
    int ok = 0;

    tb_series(p, 40, 0.5, &mem, &cpu, &ops, &bytes);
    for (i = 0; i < 40; i++) {
        mem[i] = 100 + 5.0 * (double)i;
        cpu[i] = i > 10 && i < 20 ? 95 : 10;
    }
    for (k = 1; k < 200 && !ok; k++) {
        fp_analysis *x = NULL;
        fp_error err = FP_ERROR_INIT;
        fp_status st;
        fp_alloc_fail_after(k);
        st = fp_analyze(&x, p, NULL, &err);
        fp_alloc_fail_after(0);
        if (st == FP_OK) {
            ok = 1;
            CU_ASSERT(count_kind(x, FP_KIND_MEMORY_LEAK) == 1);
            fp_analysis_free(x);
        } else {
            CU_ASSERT_EQUAL(st, FP_ENOMEM);
            CU_ASSERT_PTR_NULL(x);
        }
    }
    CU_ASSERT(ok);
    fp_profile_free(p);
}

int fp_test_register(void)
{
    static const fp_test_case thresholds[] = {
        {"defaults", test_thresholds_defaults},
        {"set_get", test_thresholds_set},
        {"names", test_names},
        {"registry", test_registry},
        {"thresholds_file", test_thresholds_file},
        {"registry_docs_thresholds", test_registry_docs_thresholds},
        {"registry_docs_detectors", test_registry_docs_detectors},
        {NULL, NULL}};
    static const fp_test_case metrics[] = {{"sort_into", test_sort_into},
                                           {"percentiles", test_percentiles},
                                           {"self_time", test_self_time},
                                           {"critical_path", test_critical_path},
                                           {"overlapping_top_level", test_overlapping_top_level},
                                           {"run_resources", test_run_resources},

                                           {NULL, NULL}};
    static const fp_test_case slow[] = {{"positive", test_slow_positive},
                                        {"negative_threshold", test_slow_negative_and_threshold},
                                        {"self_attribution", test_slow_self_attribution},
                                        {"share_one_equal", test_slow_share_one_call_equal},
                                        {"heavy_tail", test_slow_heavy_tail},
                                        {NULL, NULL}};
    static const fp_test_case outliers[] = {
        {"positive_threshold", test_outliers_positive_threshold},
        {"negative", test_outliers_negative},
        {"bimodal", test_outliers_bimodal},
        {"mad_zero_fraction", test_outliers_mad_zero_and_fraction},
        {"heavy_tail", test_outliers_heavy_tail},
        {"single_call", test_outliers_single_call},
        {"many_calls_not_significant", test_outliers_many_calls_not_significant},
        {NULL, NULL}};
    static const fp_test_case memory[] = {
        {"hotspot", test_hotspot},
        {"leak_positive", test_leak_positive},
        {"leak_method_threshold", test_leak_method_threshold},
        {"leak_negative", test_leak_negative},
        {"leak_threshold_plateau", test_leak_threshold_and_plateau},
        {NULL, NULL}};
    static const fp_test_case cpu[] = {
        {"episodes", test_cpu_episodes},
        {"method", test_cpu_method},
        {"episode_partial_samples", test_cpu_episode_partial_samples},
        {"background_median", test_cpu_background_median},
        {"background_median_edges", test_cpu_background_median_edges},
        {NULL, NULL}};
    static const fp_test_case calls_io[] = {{"call_storm", test_call_storm},
                                            {"root_causes", test_root_causes},
                                            {"cpu_cores", test_cpu_cores},
                                            {"io_heavy", test_io},
                                            {NULL, NULL}};
    static const fp_test_case report[] = {{"score", test_score},
                                          {"score_by_cost", test_score_by_cost},
                                          {"savings_cap", test_savings_cap},
                                          {"order", test_order},
                                          {NULL, NULL}};
    static const fp_test_case edge[] = {{"empty_zero", test_edge_empty_and_zero},
                                        {"invalid", test_edge_invalid},
                                        {"overflow", test_edge_overflow},
                                        {"alloc_failure", test_alloc_failure},
                                        {NULL, NULL}};

    if (fp_test_add_suite("thresholds", thresholds) || fp_test_add_suite("metrics", metrics) ||
        fp_test_add_suite("slow", slow) || fp_test_add_suite("outliers", outliers) ||
        fp_test_add_suite("memory", memory) || fp_test_add_suite("cpu", cpu) ||
        fp_test_add_suite("calls_io", calls_io) || fp_test_add_suite("report", report) ||
        fp_test_add_suite("edge", edge))
        return -1;
    return 0;
}
