/*
 * fp_report_rec.c - one run as the report adds it up (fp_rec, fp_report_internal.h), and its
 * line in a shard's partial file: what `fpsim --runs N --shard K/N` writes per run and
 * `fpsim merge` adds back (fp_report_write_run_line, fp_report_add_line in fp_report.h).
 *
 * The line is a JSON array, numbers written by fp_fmt_double (they read back bit for bit):
 *
 *   [pass, run, [13 summary values], [mem_na, cpu_na, not_run, simulated, found, missed,
 *    unobservable, true_positives, false_alarms],
 *    [[method, 9 values], ...], [[kind, target, impact, cost, severity, consequence, matched,
 *    resource], ...], [[kind, target, outcome], ...]]
 *
 * with kinds, severities, outcomes and resources as their enum values (the fpsim version in the
 * part's header pins them).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_escape.h"
#include "fp_report_internal.h"

static const char *const s_resources[] = {"time", "peak memory", "CPU"};
#define N_RESOURCES (sizeof s_resources / sizeof s_resources[0])

const char *fp_rec_resource_name(int resource)
{
    return resource >= 0 && (size_t)resource < N_RESOURCES ? s_resources[resource] : "time";
}

/* The run's resource a saving in `unit` is a share of (docs/analysis.md "Cost"). */
static int resource_of(const char *unit)
{
    if (unit != NULL && strcmp(unit, "MB") == 0)
        return 1;
    if (unit != NULL && strcmp(unit, "core-s") == 0)
        return 2;
    return 0;
}

void fp_rec_cleanup(fp_rec *rec)
{
    if (rec == NULL)
        return;
    fp_free(rec->methods);
    fp_free(rec->findings);
    fp_free(rec->truth);
    for (size_t i = 0; i < rec->n_strings; i++)
        fp_free(rec->strings[i]);
    fp_free(rec->strings);
    memset(rec, 0, sizeof *rec);
}

fp_status fp_rec_from_run(fp_rec *rec, const fp_profile *p, const fp_analysis *a,
                          const fp_match_result *mr, int simulated)
{
    const fp_run_metrics *m = fp_analysis_run(a);
    size_t n, i;
    memset(rec, 0, sizeof *rec);
    rec->v[FP_S_DURATION] = m->duration_s;
    rec->v[FP_S_PEAK_MEM] = m->peak_mem_mb;
    rec->v[FP_S_AVG_MEM] = m->avg_mem_mb;
    rec->v[FP_S_AVG_CPU] = m->avg_cpu_pct;
    rec->v[FP_S_PEAK_CPU] = m->peak_cpu_pct;
    rec->v[FP_S_IO_OPS] = m->io_ops;
    rec->v[FP_S_IO_MB] = m->io_bytes / 1048576.0;
    rec->v[FP_S_SCORE] = fp_analysis_score(a);
    rec->v[FP_S_F_CRITICAL] = (double)fp_analysis_count_severity(a, FP_SEV_CRITICAL);
    rec->v[FP_S_F_HIGH] = (double)fp_analysis_count_severity(a, FP_SEV_HIGH);
    rec->v[FP_S_F_MEDIUM] = (double)fp_analysis_count_severity(a, FP_SEV_MEDIUM);
    rec->v[FP_S_F_LOW] = (double)fp_analysis_count_severity(a, FP_SEV_LOW);
    rec->v[FP_S_F_TOTAL] =
        rec->v[FP_S_F_CRITICAL] + rec->v[FP_S_F_HIGH] + rec->v[FP_S_F_MEDIUM] + rec->v[FP_S_F_LOW];
    rec->mem_na = m->mem_source == FP_SOURCE_NONE;
    rec->cpu_na = m->cpu_source == FP_SOURCE_NONE;
    rec->not_run = fp_analysis_not_run(a);
    rec->simulated = simulated;
    if (simulated) {
        rec->found = mr->found;
        rec->missed = mr->missed;
        rec->unobservable = mr->unobservable;
        rec->true_positives = mr->true_positives;
        rec->false_alarms = mr->false_alarms;
    }

    const fp_method_metrics *mm = fp_analysis_methods(a, &n);
    if ((rec->methods = fp_calloc(n ? n : 1, sizeof *rec->methods)) == NULL)
        return FP_ENOMEM;
    for (i = 0; i < n; i++) {
        if (mm[i].calls == 0)
            continue; /* not called in this run: no aggregate counts it */
        fp_rec_method *r = &rec->methods[rec->n_methods++];
        r->name = mm[i].name;
        r->v[FP_M_CALLS] = (double)mm[i].calls;
        r->v[FP_M_TOTAL] = mm[i].total_s;
        r->v[FP_M_MEAN] = mm[i].mean_s;
        r->v[FP_M_P50] = mm[i].p50_s;
        r->v[FP_M_P95] = mm[i].p95_s;
        r->v[FP_M_P99] = mm[i].p99_s;
        r->v[FP_M_MEM] = mm[i].mem_alloc_mb;
        r->v[FP_M_CPU] = mm[i].cpu_pct;
        r->v[FP_M_SHARE] = mm[i].share;
    }

    const fp_finding *f = fp_analysis_findings(a, &n);
    if ((rec->findings = fp_calloc(n ? n : 1, sizeof *rec->findings)) == NULL)
        return FP_ENOMEM;
    rec->n_findings = n;
    for (i = 0; i < n; i++) {
        fp_rec_finding *r = &rec->findings[i];
        r->kind = f[i].kind;
        r->target = f[i].target_name;
        r->impact = f[i].impact;
        r->cost = f[i].cost;
        r->severity = f[i].severity;
        r->consequence = f[i].caused_by > 0;
        r->matched = simulated && mr->finding_truth[i] >= 0;
        r->resource = resource_of(f[i].improvement_unit);
    }

    if (simulated) {
        const fp_truth *t = fp_profile_truth(p);
        n = fp_profile_truth_count(p);
        if ((rec->truth = fp_calloc(n ? n : 1, sizeof *rec->truth)) == NULL)
            return FP_ENOMEM;
        rec->n_truth = n;
        for (i = 0; i < n; i++) {
            rec->truth[i].kind = t[i].kind;
            rec->truth[i].target = fp_report_target_label(p, t[i].target);
            rec->truth[i].outcome = mr->truth_outcome[i];
        }
    }
    return FP_OK;
}

/* ---- the line ---- */

/* A number, after a comma when `comma`: null when not finite (the report refuses non-finite
 * analyses; a line stays readable all the same). */
static void put_d(FILE *f, double v, int comma)
{
    if (comma)
        fputc(',', f);
    fp_json_put_double(f, v, FP_NONFINITE_NULL);
}

static void put_u(FILE *f, unsigned long long v)
{
    fprintf(f, ",%llu", v);
}

fp_status fp_rec_write(FILE *f, uint64_t pass, uint64_t run, const fp_rec *rec, fp_error *err)
{
    size_t i;
    int k;
    fprintf(f, "[%llu,%llu,[", (unsigned long long)pass, (unsigned long long)run);
    for (k = 0; k < FP_S_COUNT; k++)
        put_d(f, rec->v[k], k > 0);
    fprintf(f, "],[%d", rec->mem_na);
    put_u(f, (unsigned long long)rec->cpu_na);
    put_u(f, rec->not_run);
    put_u(f, (unsigned long long)rec->simulated);
    put_u(f, rec->found);
    put_u(f, rec->missed);
    put_u(f, rec->unobservable);
    put_u(f, rec->true_positives);
    put_u(f, rec->false_alarms);
    fputs("],[", f);
    for (i = 0; i < rec->n_methods; i++) {
        fputs(i > 0 ? ",[" : "[", f);
        fp_json_put_string(f, rec->methods[i].name);
        for (k = 0; k < FP_M_COUNT; k++)
            put_d(f, rec->methods[i].v[k], 1);
        fputc(']', f);
    }
    fputs("],[", f);
    for (i = 0; i < rec->n_findings; i++) {
        const fp_rec_finding *r = &rec->findings[i];
        fprintf(f, "%s[%d,", i > 0 ? "," : "", (int)r->kind);
        fp_json_put_string(f, r->target);
        put_d(f, r->impact, 1);
        put_d(f, r->cost, 1);
        fprintf(f, ",%d,%d,%d,%d]", (int)r->severity, r->consequence, r->matched, r->resource);
    }
    fputs("],[", f);
    for (i = 0; i < rec->n_truth; i++) {
        fprintf(f, "%s[%d,", i > 0 ? "," : "", (int)rec->truth[i].kind);
        fp_json_put_string(f, rec->truth[i].target);
        fprintf(f, ",%d]", (int)rec->truth[i].outcome);
    }
    fputs("]]", f);
    return ferror(f) ? fp_error_set(err, FP_EIO, "write error") : FP_OK;
}

/* A reader over the parsed line: the first error wins. */
typedef struct rd {
    int bad;
    const char *what; /* the first malformed field */
} rd;

static double num(rd *r, const cJSON *x, const char *what)
{
    if (cJSON_IsNull(x))
        return NAN;
    if (!cJSON_IsNumber(x)) {
        if (!r->bad)
            r->what = what;
        r->bad = 1;
        return 0;
    }
    return x->valuedouble;
}

/* An integer in [lo, hi]. */
static long long whole(rd *r, const cJSON *x, double lo, double hi, const char *what)
{
    double v = num(r, x, what);
    if (!(v >= lo && v <= hi) || v != floor(v)) {
        if (!r->bad)
            r->what = what;
        r->bad = 1;
        return (long long)lo;
    }
    return (long long)v;
}

static const char *str(rd *r, fp_rec *rec, const cJSON *x, const char *what)
{
    if (!cJSON_IsString(x)) {
        if (!r->bad)
            r->what = what;
        r->bad = 1;
        return "";
    }
    char *c = fp_strdup(x->valuestring);
    if (c == NULL || fp_grow((void **)&rec->strings, &rec->cap_strings, rec->n_strings + 1,
                             sizeof *rec->strings) != FP_OK) {
        fp_free(c);
        if (!r->bad)
            r->what = NULL; /* out of memory */
        r->bad = 2;
        return "";
    }
    rec->strings[rec->n_strings++] = c;
    return c;
}

/* An array of exactly `n` items (n 0: any size); NULL (marked bad) otherwise. */
static const cJSON *arr(rd *r, const cJSON *x, int n, const char *what)
{
    if (!cJSON_IsArray(x) || (n > 0 && cJSON_GetArraySize(x) != n)) {
        if (!r->bad)
            r->what = what;
        r->bad = 1;
        return NULL;
    }
    return x;
}

#define BIG 9007199254740992.0 /* 2^53: integers read exactly */

fp_status fp_rec_parse(fp_rec *rec, const char *line, uint64_t *pass, uint64_t *run, fp_error *err)
{
    rd r = {0, NULL};
    memset(rec, 0, sizeof *rec);
    fp_json_use_allocator(); /* cJSON's allocations through the seam (fp_core.h) */
    cJSON *root = cJSON_Parse(line);
    if (root == NULL)
        return fp_json_alloc_failed() ? fp_error_set(err, FP_ENOMEM, "out of memory")
                                      : fp_error_set(err, FP_EPARSE, "malformed run record");
    const cJSON *top = arr(&r, root, 7, "the record");
    if (top != NULL) {
        *pass = (uint64_t)whole(&r, cJSON_GetArrayItem(top, 0), 0, BIG, "pass");
        *run = (uint64_t)whole(&r, cJSON_GetArrayItem(top, 1), 0, BIG, "run");
        const cJSON *v = arr(&r, cJSON_GetArrayItem(top, 2), FP_S_COUNT, "summary values");
        for (int k = 0; v != NULL && k < FP_S_COUNT; k++)
            rec->v[k] = num(&r, cJSON_GetArrayItem(v, k), "summary values");
        const cJSON *c = arr(&r, cJSON_GetArrayItem(top, 3), 9, "counts");
        if (c != NULL) {
            rec->mem_na = (int)whole(&r, cJSON_GetArrayItem(c, 0), 0, 1, "counts");
            rec->cpu_na = (int)whole(&r, cJSON_GetArrayItem(c, 1), 0, 1, "counts");
            rec->not_run = (unsigned)whole(&r, cJSON_GetArrayItem(c, 2), 0, 4294967295.0, "counts");
            rec->simulated = (int)whole(&r, cJSON_GetArrayItem(c, 3), 0, 1, "counts");
            size_t *dst[] = {&rec->found, &rec->missed, &rec->unobservable, &rec->true_positives,
                             &rec->false_alarms};
            for (int k = 0; k < 5; k++)
                *dst[k] = (size_t)whole(&r, cJSON_GetArrayItem(c, 4 + k), 0, BIG, "counts");
        }
        const cJSON *ms = arr(&r, cJSON_GetArrayItem(top, 4), 0, "methods");
        const cJSON *fs = arr(&r, cJSON_GetArrayItem(top, 5), 0, "findings");
        const cJSON *ts = arr(&r, cJSON_GetArrayItem(top, 6), 0, "ground truth");
        size_t nm = ms ? (size_t)cJSON_GetArraySize(ms) : 0;
        size_t nf = fs ? (size_t)cJSON_GetArraySize(fs) : 0;
        size_t nt = ts ? (size_t)cJSON_GetArraySize(ts) : 0;
        rec->methods = fp_calloc(nm ? nm : 1, sizeof *rec->methods);
        rec->findings = fp_calloc(nf ? nf : 1, sizeof *rec->findings);
        rec->truth = fp_calloc(nt ? nt : 1, sizeof *rec->truth);
        if (rec->methods == NULL || rec->findings == NULL || rec->truth == NULL) {
            r.bad = 2;
            r.what = NULL;
        }
        const cJSON *x;
        if (ms != NULL && r.bad != 2) {
            cJSON_ArrayForEach(x, ms)
            {
                fp_rec_method *m = &rec->methods[rec->n_methods++];
                if (arr(&r, x, 1 + FP_M_COUNT, "a method") == NULL)
                    break;
                m->name = str(&r, rec, cJSON_GetArrayItem(x, 0), "a method's name");
                for (int k = 0; k < FP_M_COUNT; k++)
                    m->v[k] = num(&r, cJSON_GetArrayItem(x, 1 + k), "a method's values");
            }
        }
        if (fs != NULL && r.bad != 2) {
            cJSON_ArrayForEach(x, fs)
            {
                fp_rec_finding *f = &rec->findings[rec->n_findings++];
                if (arr(&r, x, 8, "a finding") == NULL)
                    break;
                f->kind = (fp_kind)whole(&r, cJSON_GetArrayItem(x, 0), 0, FP_KIND_COUNT - 1,
                                         "a finding's kind");
                f->target = str(&r, rec, cJSON_GetArrayItem(x, 1), "a finding's target");
                f->impact = num(&r, cJSON_GetArrayItem(x, 2), "a finding's impact");
                f->cost = num(&r, cJSON_GetArrayItem(x, 3), "a finding's cost");
                f->severity = (fp_severity)whole(&r, cJSON_GetArrayItem(x, 4), 0, FP_SEV_CRITICAL,
                                                 "a finding's severity");
                f->consequence = (int)whole(&r, cJSON_GetArrayItem(x, 5), 0, 1, "a finding");
                f->matched = (int)whole(&r, cJSON_GetArrayItem(x, 6), 0, 1, "a finding");
                f->resource =
                    (int)whole(&r, cJSON_GetArrayItem(x, 7), 0, N_RESOURCES - 1, "a finding");
            }
        }
        if (ts != NULL && r.bad != 2) {
            cJSON_ArrayForEach(x, ts)
            {
                fp_rec_truth *t = &rec->truth[rec->n_truth++];
                if (arr(&r, x, 3, "a ground-truth record") == NULL)
                    break;
                t->kind = (fp_kind)whole(&r, cJSON_GetArrayItem(x, 0), 0, FP_KIND_COUNT - 1,
                                         "a ground-truth kind");
                t->target = str(&r, rec, cJSON_GetArrayItem(x, 1), "a ground-truth target");
                t->outcome =
                    (fp_truth_outcome)whole(&r, cJSON_GetArrayItem(x, 2), 0, FP_TRUTH_UNOBSERVABLE,
                                            "a ground-truth outcome");
            }
        }
    }
    cJSON_Delete(root);
    if (r.bad == 2)
        return fp_error_set(err, FP_ENOMEM, "out of memory");
    if (r.bad)
        return fp_error_set(err, FP_EPARSE, "malformed run record (%s)", r.what);
    return FP_OK;
}

/* ---- the public pair (fp_report.h) ---- */

fp_status fp_report_write_run_line(const fp_report *r, FILE *f, uint64_t pass, const fp_profile *p,
                                   const fp_analysis *a, fp_error *err)
{
    fp_match_result mr;
    fp_rec rec;
    fp_status st = FP_OK;
    int simulated = fp_profile_meta(p).simulated != 0;
    fp_match_result_init(&mr);
    if (simulated && (st = fp_match_run(&mr, p, a, &r->match, err)) != FP_OK)
        return st;
    st = fp_rec_from_run(&rec, p, a, &mr, simulated);
    if (st == FP_OK)
        st = fp_rec_write(f, pass, fp_profile_meta(p).run_index, &rec, err);
    else
        fp_error_set(err, st, "report: out of memory");
    fp_rec_cleanup(&rec);
    fp_match_result_cleanup(&mr);
    return st;
}

fp_status fp_report_add_line(fp_report *r, const char *line, uint64_t pass, uint64_t run,
                             fp_report_finding_fn each, void *ctx, fp_error *err)
{
    fp_rec rec;
    uint64_t got_pass = 0, got_run = 0;
    if (r->n_scns == 0 || r->scns[r->n_scns - 1]->runs == 0)
        return fp_error_set(err, FP_EINVAL,
                            "report: a scenario's first run is added with fp_report_add_run");
    fp_status st = fp_rec_parse(&rec, line, &got_pass, &got_run, err);
    if (st == FP_OK && (got_pass != pass || got_run != run))
        st = fp_error_set(err, FP_EPARSE,
                          "record of scenario %llu run %llu where scenario %llu run %llu belongs",
                          (unsigned long long)got_pass, (unsigned long long)got_run,
                          (unsigned long long)pass, (unsigned long long)run);
    for (size_t i = 0; st == FP_OK && each != NULL && i < rec.n_findings; i++)
        each(ctx, i, rec.findings[i].kind, rec.findings[i].target, rec.findings[i].severity,
             rec.findings[i].impact);
    if (st == FP_OK && (st = fp_scn_add_rec(r->scns[r->n_scns - 1], &rec)) != FP_OK)
        fp_error_set(err, st, "report: out of memory");
    fp_rec_cleanup(&rec);
    return st;
}
