/*
 * fp_report_csv.c - the report as one RFC 4180 CSV table in the tidy shape.
 *
 * A report has many tables with different columns; rather than several CSV sections (which
 * RFC 4180 readers do not expect) it is one table with one row per entity: the fixed key
 * columns
 *     table,format_version,scenario,key
 * (`table` the entity type: meta, summary, method, finding, ...; `key` the entity within it)
 * followed by one column per measure (the union over all tables, in the fixed order of
 * `columns` below), empty where a measure does not apply. Filtering on `table` gives each wide
 * table. Numbers are written in full (the shortest form that reads back exactly), so CSV and
 * JSON agree; a value that is not available is an empty field. Records end in CRLF.
 * Documented in docs/output-formats.md ("CSV").
 */
#include "fp_report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The measure columns, in header order. A writer naming any other column is a bug (FP_EINVAL). */
static const char *const columns[] = {
    /* meta */
    "schema_version", "fpsim_version", "title", "seed", "rng", "gsl_version", "runs", "quantiles",
    "detail_run",
    /* summary, comparison, geomean */
    "p5", "median", "p95", "status", "geomean",
    /* truth_totals */
    "simulated_runs", "found", "missed", "not_observable", "true_findings", "false_alarms",
    "recall", "precision",
    /* method, critical_path */
    "calls", "total_s", "self_s", "mean_s", "p50_s", "p95_s", "p99_s", "alloc_mb", "cpu_pct",
    "share", "spans", "path_s",
    /* finding, known_hotspot, recommendation, truth */
    "kind", "caused_by", "target", "severity", "impact", "start_s", "end_s", "rule", "measured",
    "threshold", "unit", "root_cause", "improvement", "improvement_unit", "truth",
    "baseline_median", "baseline_p99", "text", "finding", "evidence", "magnitude", "affected_calls",
    "outcome",
    /* method_runs, finding_runs, truth_runs */
    "calls.p5", "calls.median", "calls.p95", "total_s.p5", "total_s.median", "total_s.p95",
    "mean_s.p5", "mean_s.median", "mean_s.p95", "p50_s.p5", "p50_s.median", "p50_s.p95", "p95_s.p5",
    "p95_s.median", "p95_s.p95", "p99_s.p5", "p99_s.median", "p99_s.p95", "alloc_mb.p5",
    "alloc_mb.median", "alloc_mb.p95", "cpu_pct.p5", "cpu_pct.median", "cpu_pct.p95", "share.p5",
    "share.median", "share.p95", "impact.p5", "impact.median", "impact.p95", "worst_severity",
    "false_alarm_runs", "records"};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

/* The writer: the row being filled (owned copies, freed by flush) and the first error. */
typedef struct csv {
    FILE *out;
    fp_status st;
    const char *table;    /* the table of the next values */
    const char *scenario; /* its scenario ("" for the report's own rows) */
    int open;             /* whether a row is pending */
    const char *ptable;   /* the pending row's table, scenario and key */
    const char *pscenario;
    char *pkey;
    char *val[N_COLUMNS]; /* its values; NULL = empty */
} csv;

static void field(csv *c, const char *s)
{
    const char *p;
    if (c->st != FP_OK)
        return;
    int quote = fp_csv_needs_quotes(s);
    if (quote && fputc('"', c->out) == EOF)
        c->st = FP_EIO;
    for (p = s; *p && c->st == FP_OK; p++) {
        if (*p == '"' && fputc('"', c->out) == EOF)
            c->st = FP_EIO;
        if (fputc(*p, c->out) == EOF)
            c->st = FP_EIO;
    }
    if (quote && c->st == FP_OK && fputc('"', c->out) == EOF)
        c->st = FP_EIO;
}

static void sep(csv *c)
{
    if (c->st == FP_OK && fputc(',', c->out) == EOF)
        c->st = FP_EIO;
}

/* Writes the pending row, if any, and frees its values. */
static void flush(csv *c)
{
    char v[16];
    if (c->open && c->st == FP_OK) {
        snprintf(v, sizeof v, "%d", FP_CSV_REPORT_VERSION);
        field(c, c->ptable);
        sep(c);
        field(c, v);
        sep(c);
        field(c, c->pscenario);
        sep(c);
        field(c, c->pkey);
        for (size_t i = 0; i < N_COLUMNS; i++) {
            sep(c);
            field(c, c->val[i] ? c->val[i] : "");
        }
        if (c->st == FP_OK && fputs("\r\n", c->out) == EOF)
            c->st = FP_EIO;
    }
    for (size_t i = 0; i < N_COLUMNS; i++) {
        fp_free(c->val[i]);
        c->val[i] = NULL;
    }
    fp_free(c->pkey);
    c->pkey = NULL;
    c->open = 0;
}

/* One value: column `column` of the entity (c->table, c->scenario, key). Consecutive values of
 * one entity make one row; a new entity (or a column given twice) starts the next row. */
static void row(csv *c, const char *key, const char *column, const char *value)
{
    size_t i;
    if (c->st != FP_OK)
        return;
    for (i = 0; i < N_COLUMNS && strcmp(columns[i], column) != 0; i++)
        ;
    if (i == N_COLUMNS) {
        c->st = FP_EINVAL;
        return;
    }
    if (!c->open || strcmp(c->ptable, c->table) != 0 || strcmp(c->pscenario, c->scenario) != 0 ||
        strcmp(c->pkey, key) != 0 || c->val[i] != NULL) {
        flush(c);
        c->pkey = fp_strdup(key);
        if (c->pkey == NULL) {
            c->st = FP_ENOMEM;
            return;
        }
        c->ptable = c->table;
        c->pscenario = c->scenario;
        c->open = 1;
    }
    c->val[i] = fp_strdup(value ? value : "");
    if (c->val[i] == NULL)
        c->st = FP_ENOMEM;
}

static void rnum(csv *c, const char *key, const char *column, double v)
{
    char buf[64];
    row(c, key, column, isfinite(v) ? fp_fmt_exact(buf, sizeof buf, v) : "");
}

static void ruint(csv *c, const char *key, const char *column, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    row(c, key, column, buf);
}

static void rquant(csv *c, const char *key, const char *prefix, const fp_qacc *q)
{
    static const char *const suff[3] = {".p5", ".median", ".p95"};
    static const int order[3] = {FP_Q_MED, FP_Q_P5, FP_Q_P95};
    char col[128];
    for (int i = 0; i < 3; i++) {
        snprintf(col, sizeof col, "%s%s", prefix, suff[order[i]]);
        rnum(c, key, col, fp_qacc_get(q, order[i]));
    }
}

static void ratio(csv *c, const char *key, const char *column, size_t n, size_t d)
{
    if (d == 0)
        row(c, key, column, "");
    else
        rnum(c, key, column, (double)n / (double)d);
}

static void scenario(csv *c, const fp_report *r, const fp_scn *s)
{
    char k[32];
    size_t i, j;
    const fp_detail *d = &s->d;

    flush(c); /* a scenario's rows never merge into the previous one's */
    c->scenario = s->name;
    c->table = "meta";
    ruint(c, "", "seed", s->seed);
    row(c, "", "rng", s->rng);
    row(c, "", "gsl_version", s->gsl);
    row(c, "", "fpsim_version", fp_report_meta_get(NULL).fpsim_version);
    ruint(c, "", "runs", s->runs);
    row(c, "", "quantiles", s->runs > FP_REPORT_EXACT_RUNS ? "p2" : "exact");
    if (r->opt.detailed && s->has_detail)
        ruint(c, "", "detail_run", d->run_index);

    c->table = "summary";
    for (int m = 0; m < FP_S_COUNT && s->runs; m++) {
        static const char *const cols[3] = {"p5", "median", "p95"};
        static const int order[3] = {FP_Q_MED, FP_Q_P5, FP_Q_P95};
        for (int q = 0; q < 3; q++)
            rnum(c, fp_sum_infos[m].key, cols[order[q]], fp_qacc_get(&s->sum[m], order[q]));
        if (m == FP_S_SCORE)
            row(c, fp_sum_infos[m].key, "status",
                fp_score_status_name(
                    fp_score_status_from_score(fp_qacc_get(&s->sum[FP_S_SCORE], FP_Q_MED))));
    }

    if (s->simulated_runs) {
        c->table = "truth_totals";
        ruint(c, "", "simulated_runs", s->simulated_runs);
        ruint(c, "", "found", s->t_found);
        ruint(c, "", "missed", s->t_missed);
        ruint(c, "", "not_observable", s->t_unobservable);
        ruint(c, "", "true_findings", s->f_true);
        ruint(c, "", "false_alarms", s->f_false);
        ratio(c, "", "recall", s->t_found, s->t_found + s->t_missed);
        ratio(c, "", "precision", s->f_true, s->f_true + s->f_false);
    }
    if (!r->opt.detailed || !s->has_detail)
        return;

    c->table = "method";
    for (i = 0; i < d->n_methods; i++) {
        const fp_method_metrics *m = &d->methods[i];
        ruint(c, m->name, "calls", m->calls);
        rnum(c, m->name, "total_s", m->total_s);
        rnum(c, m->name, "self_s", m->self_s);
        rnum(c, m->name, "mean_s", m->mean_s);
        rnum(c, m->name, "p50_s", m->p50_s);
        rnum(c, m->name, "p95_s", m->p95_s);
        rnum(c, m->name, "p99_s", m->p99_s);
        rnum(c, m->name, "alloc_mb", m->mem_alloc_mb);
        rnum(c, m->name, "cpu_pct", m->cpu_pct);
        rnum(c, m->name, "share", m->share);
    }
    c->table = "critical_path";
    for (i = 0; i < d->n_path; i++) {
        ruint(c, d->path[i].name, "spans", d->path[i].spans);
        rnum(c, d->path[i].name, "path_s", d->path[i].seconds);
        rnum(c, d->path[i].name, "share", d->path[i].share);
    }
    rnum(c, "(idle)", "path_s", d->run.idle_path_s);
    c->table = "finding";
    for (i = 0; i < d->n_findings; i++) {
        const fp_finding *f = &d->findings[i];
        snprintf(k, sizeof k, "%zu", i + 1);
        row(c, k, "kind", fp_kind_name(f->kind));
        if (f->caused_by > 0)
            ruint(c, k, "caused_by", f->caused_by);
        row(c, k, "target", f->target_name);
        row(c, k, "severity", fp_severity_name(f->severity));
        rnum(c, k, "impact", f->impact);
        rnum(c, k, "start_s", f->start_s);
        rnum(c, k, "end_s", f->end_s);
        row(c, k, "rule", f->rule);
        rnum(c, k, "measured", f->measured);
        rnum(c, k, "threshold", f->threshold);
        row(c, k, "unit", f->unit);
        row(c, k, "root_cause", f->root_cause);
        rnum(c, k, "improvement", f->improvement);
        row(c, k, "improvement_unit", f->improvement_unit);
        if (d->simulated) {
            if (d->match.finding_truth[i] >= 0)
                ruint(c, k, "truth", (uint64_t)d->match.finding_truth[i] + 1);
            else if (d->match.finding_truth[i] == FP_MATCH_CONSEQUENCE)
                row(c, k, "truth", "consequence");
            else
                row(c, k, "truth", "false_alarm");
        }
    }
    c->table = "known_hotspot"; /* rows only with a baseline */
    for (i = 0; i < d->n_known; i++) {
        const fp_known_hotspot *h = &d->known[i];
        snprintf(k, sizeof k, "%zu", i + 1);
        row(c, k, "kind", fp_kind_name(h->kind));
        row(c, k, "target", h->target_name);
        rnum(c, k, "measured", h->measured);
        rnum(c, k, "threshold", h->threshold);
        row(c, k, "unit", h->unit);
        rnum(c, k, "baseline_median", h->baseline_median);
        rnum(c, k, "baseline_p99", h->baseline_p99);
        row(c, k, "text", h->text);
    }
    c->table = "recommendation";
    for (i = 0; i < d->n_recs; i++) {
        const fp_recommendation *rc = &d->recs[i];
        snprintf(k, sizeof k, "%zu", rc->rank);
        ruint(c, k, "finding", rc->finding + 1);
        row(c, k, "kind", fp_kind_name(rc->kind));
        row(c, k, "target", rc->target_name);
        row(c, k, "text", rc->text);
        row(c, k, "evidence", rc->evidence);
        rnum(c, k, "improvement", rc->improvement);
        row(c, k, "improvement_unit", rc->improvement_unit);
    }
    if (d->simulated) {
        c->table = "truth";
        for (i = 0; i < d->n_truth; i++) {
            const fp_truth *t = &d->truth[i];
            snprintf(k, sizeof k, "%zu", i + 1);
            row(c, k, "kind", fp_kind_name(t->kind));
            row(c, k, "target", d->truth_target[i]);
            rnum(c, k, "start_s", t->start_s);
            rnum(c, k, "end_s", t->end_s);
            rnum(c, k, "magnitude", t->magnitude);
            ruint(c, k, "affected_calls", t->affected_calls);
            row(c, k, "outcome", fp_truth_outcome_name(d->match.truth_outcome[i]));
            if (d->match.truth_finding[i] >= 0)
                ruint(c, k, "finding", (uint64_t)d->match.truth_finding[i] + 1);
        }
    }
    if (s->runs < 2)
        return;
    {
        static const char *const mkeys[FP_M_COUNT] = {"calls",    "total_s", "mean_s",
                                                      "p50_s",    "p95_s",   "p99_s",
                                                      "alloc_mb", "cpu_pct", "share"};
        size_t *ix = fp_report_sorted_maggs(s);
        if (ix == NULL) {
            c->st = FP_ENOMEM;
            return;
        }
        c->table = "method_runs";
        for (i = 0; i < s->n_maggs; i++) {
            const fp_magg *g = &s->maggs[ix[i]];
            ruint(c, g->name, "runs", g->runs);
            for (j = 0; j < FP_M_COUNT; j++)
                rquant(c, g->name, mkeys[j], &g->q[j]);
        }
        fp_free(ix);
        ix = fp_report_sorted_faggs(s);
        if (ix == NULL) {
            c->st = FP_ENOMEM;
            return;
        }
        c->table = "finding_runs";
        for (i = 0; i < s->n_faggs; i++) {
            const fp_fagg *g = &s->faggs[ix[i]];
            snprintf(k, sizeof k, "%zu", i + 1);
            row(c, k, "kind", fp_kind_name(g->kind));
            row(c, k, "target", g->target);
            ruint(c, k, "runs", g->runs);
            rquant(c, k, "impact", &g->impact);
            row(c, k, "worst_severity", fp_severity_name(g->worst));
            if (s->simulated_runs)
                ruint(c, k, "false_alarm_runs", g->false_runs);
        }
        fp_free(ix);
        ix = fp_report_sorted_taggs(s);
        if (ix == NULL) {
            c->st = FP_ENOMEM;
            return;
        }
        c->table = "truth_runs";
        for (i = 0; i < s->n_taggs; i++) {
            const fp_tagg *g = &s->taggs[ix[i]];
            snprintf(k, sizeof k, "%zu", i + 1);
            row(c, k, "kind", fp_kind_name(g->kind));
            row(c, k, "target", g->target);
            ruint(c, k, "records", g->records);
            ruint(c, k, "found", g->found);
            ruint(c, k, "missed", g->missed);
            ruint(c, k, "not_observable", g->unobservable);
            ratio(c, k, "recall", g->found, g->found + g->missed);
        }
        fp_free(ix);
    }
}

fp_status fp_report_write_csv(const fp_report *r, FILE *out, fp_error *err)
{
    static const int cols[] = {FP_S_DURATION, FP_S_PEAK_MEM, FP_S_AVG_CPU,    FP_S_PEAK_CPU,
                               FP_S_IO_OPS,   FP_S_SCORE,    FP_S_F_CRITICAL, FP_S_F_HIGH,
                               FP_S_F_MEDIUM, FP_S_F_LOW,    FP_S_F_TOTAL};
    csv c = {out, FP_OK, "meta", "", 0, NULL, NULL, NULL, {NULL}};
    size_t i, j;

    if (fputs("table,format_version,scenario,key", out) == EOF)
        c.st = FP_EIO;
    for (i = 0; i < N_COLUMNS; i++) {
        sep(&c);
        field(&c, columns[i]);
    }
    if (c.st == FP_OK && fputs("\r\n", out) == EOF)
        c.st = FP_EIO;
    ruint(&c, "", "schema_version", FP_REPORT_SCHEMA_VERSION);
    row(&c, "", "fpsim_version", fp_report_meta_get(NULL).fpsim_version);
    row(&c, "", "title", r->title ? r->title : "");
    for (i = 0; i < r->n_scns && c.st == FP_OK; i++)
        scenario(&c, r, r->scns[i]);
    if (r->n_scns >= 2) {
        static const char *const qcols[3] = {"p5", "median", "p95"};
        c.table = "comparison";
        for (i = 0; i < r->n_scns; i++) {
            const fp_scn *s = r->scns[i];
            c.scenario = s->name;
            for (j = 0; j < sizeof cols / sizeof cols[0] && s->runs; j++)
                for (int q = 0; q < 3; q++)
                    rnum(&c, fp_sum_infos[cols[j]].key, qcols[q],
                         fp_qacc_get(&s->sum[cols[j]], q == 0   ? FP_Q_P5
                                                       : q == 1 ? FP_Q_MED
                                                                : FP_Q_P95));
        }
        c.table = "geomean";
        c.scenario = "";
        for (j = 0; j < sizeof cols / sizeof cols[0]; j++) {
            int ok;
            double g = fp_report_geomean(r, cols[j], &ok);
            if (ok)
                rnum(&c, fp_sum_infos[cols[j]].key, "geomean", g);
            else
                row(&c, fp_sum_infos[cols[j]].key, "geomean", "");
        }
    }
    flush(&c);
    if (c.st == FP_OK && ferror(out))
        c.st = FP_EIO;
    if (c.st != FP_OK)
        return fp_error_set(err, c.st, "report: %s",
                            c.st == FP_EIO ? "write error" : fp_status_str(c.st));
    return FP_OK;
}
