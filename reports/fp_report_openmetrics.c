/*
 * fp_report_openmetrics.c - the report and the validate report as metrics: the Prometheus /
 * OpenMetrics text exposition (metric names, types, labels and units in docs/output-formats.md,
 * "OpenMetrics"), for node_exporter's textfile collector, a Pushgateway or promtool.
 *
 * The format is the common ground of the Prometheus text format 0.0.4 and OpenMetrics 1.0 that
 * `promtool check metrics` (2.42) accepts: names with the fpsim_ prefix and their base unit
 * (_seconds, _bytes, _ratio), one # HELP and one # TYPE per family, written just before its first
 * sample (a family with no sample is not written at all), each family's samples together, counters
 * declared by their sample name ending in _total (promtool refuses the OpenMetrics form in which
 * `# TYPE x counter` announces samples `x_total`), no blank line, and `# EOF` last (a comment in
 * the 0.0.4 format). Label values go through the one escaper (fp_put_om), numbers through the one
 * formatter (fp_fmt_double); a value that is not available or not finite is left out, never
 * written as NaN. No timestamps: the same input gives the same bytes.
 */
#include "fp_report_internal.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* The writer: the family being written and whether its # HELP and # TYPE are out. */
typedef struct om {
    FILE *f;
    const char *name, *type, *help;
    int started;
} om;

typedef struct om_label {
    const char *key, *value;
} om_label;

/* The labels of one sample: OM_LABELS({"scenario", name}, {"kind", k}) gives the array and its
 * length, as om_sample() takes them. */
#define OM_LABELS(...)                                                                             \
    (const om_label[]){__VA_ARGS__}, sizeof((const om_label[]){__VA_ARGS__}) / sizeof(om_label)

/* Starts family `name` (static strings); nothing is written until its first sample. */
static void om_family(om *o, const char *name, const char *type, const char *help)
{
    o->name = name;
    o->type = type;
    o->help = help;
    o->started = 0;
}

/* One sample of the current family, NAME[SUFFIX]{labels} VALUE; left out when v is not finite. */
static void om_sample(om *o, const char *suffix, const om_label *l, size_t n, double v)
{
    char num[FP_FMT_DOUBLE_SIZE];
    if (!isfinite(v))
        return;
    if (!o->started) {
        fprintf(o->f, "# HELP %s %s\n# TYPE %s %s\n", o->name, o->help, o->name, o->type);
        o->started = 1;
    }
    fputs(o->name, o->f);
    if (suffix != NULL)
        fputs(suffix, o->f);
    if (n > 0) {
        putc('{', o->f);
        for (size_t i = 0; i < n; i++) {
            fprintf(o->f, "%s%s=\"", i ? "," : "", l[i].key);
            fp_put_om(o->f, l[i].value);
            putc('"', o->f);
        }
        putc('}', o->f);
    }
    fp_fmt_double(num, v == 0 ? 0.0 : v); /* never "-0" */
    fprintf(o->f, " %s\n", num);
}

static void om_build_info(om *o)
{
    om_family(o, "fpsim_build_info", "gauge", "The fpsim that wrote these metrics (always 1).");
    om_sample(o, NULL, OM_LABELS({"version", fp_report_meta_get(NULL).fpsim_version}), 1.0);
}

static void om_end(om *o)
{
    fputs("# EOF\n", o->f);
}

/* ---- the report ---- */

/* The per-scenario medians, one family each, in this order. */
static const struct {
    int k; /* FP_S_* */
    const char *name, *type;
    double scale; /* from the report's unit to the base unit */
    const char *help;
} s_sum[] = {
    {FP_S_DURATION, "fpsim_run_duration_seconds", "gauge", 1.0,
     "Wall time of a run (median over the scenario's runs)."},
    {FP_S_PEAK_MEM, "fpsim_memory_peak_bytes", "gauge", 1048576.0,
     "Peak resident memory of a run (median over the scenario's runs)."},
    {FP_S_AVG_MEM, "fpsim_memory_average_bytes", "gauge", 1048576.0,
     "Time-weighted mean memory of a run (median over the scenario's runs)."},
    {FP_S_AVG_CPU, "fpsim_cpu_average_ratio", "gauge", 0.01,
     "Mean CPU use of a run as a share of the machine's cores, 0 to 1 (median over the "
     "scenario's runs)."},
    {FP_S_PEAK_CPU, "fpsim_cpu_peak_ratio", "gauge", 0.01,
     "Largest CPU use of a run as a share of the machine's cores, 0 to 1 (median over the "
     "scenario's runs)."},
    {FP_S_IO_OPS, "fpsim_io_operations_total", "counter", 1.0,
     "I/O operations of a run (median over the scenario's runs)."},
    {FP_S_IO_MB, "fpsim_io_bytes_total", "counter", 1048576.0,
     "Bytes read and written by a run (median over the scenario's runs)."},
    {FP_S_SCORE, "fpsim_score", "gauge", 1.0,
     "Health score of a run, 0 to 100, lower when findings cost more (median over the scenario's "
     "runs)."},
};

/* Severities from the worst down, as the other reports list them. */
static const fp_severity s_sevs[] = {FP_SEV_CRITICAL, FP_SEV_HIGH, FP_SEV_MEDIUM, FP_SEV_LOW};

/* The method summary's quantiles and the per-method statistic (FP_M_*) of each. */
static const struct {
    const char *q;
    int m;
} s_quantiles[] = {{"0.5", FP_M_P50}, {"0.95", FP_M_P95}, {"0.99", FP_M_P99}};

static void om_summary_metrics(om *o, const fp_report *r)
{
    om_family(o, "fpsim_runs", "gauge", "Runs of the scenario the other values summarise.");
    for (size_t i = 0; i < r->n_scns; i++)
        om_sample(o, NULL, OM_LABELS({"scenario", r->scns[i]->name}), (double)r->scns[i]->runs);

    for (size_t j = 0; j < sizeof s_sum / sizeof s_sum[0]; j++) {
        om_family(o, s_sum[j].name, s_sum[j].type, s_sum[j].help);
        for (size_t i = 0; i < r->n_scns; i++) {
            const fp_scn *s = r->scns[i];
            int k = s_sum[j].k;
            if (s->runs == 0 || s->na_runs[k] == s->runs) /* unknown: n/a in the other formats */
                continue;
            om_sample(o, NULL, OM_LABELS({"scenario", s->name}),
                      s_sum[j].scale * fp_qacc_get(&s->sum[k], FP_Q_MED));
        }
        if (s_sum[j].k == FP_S_DURATION) {
            om_family(o, "fpsim_machine_cores", "gauge",
                      "Cores of the machine the CPU ratios are shares of (the scenario's first "
                      "run).");
            for (size_t i = 0; i < r->n_scns; i++)
                if (r->scns[i]->has_detail)
                    om_sample(o, NULL, OM_LABELS({"scenario", r->scns[i]->name}),
                              r->scns[i]->d.run.cores);
        }
    }
}

static fp_status om_findings(om *o, const fp_report *r)
{
    om_family(o, "fpsim_findings_total", "counter",
              "Findings by detector kind and severity, over all the scenario's runs (consequences "
              "included).");
    for (size_t i = 0; i < r->n_scns; i++)
        for (int k = 0; k < FP_KIND_COUNT; k++)
            for (size_t v = 0; v < sizeof s_sevs / sizeof s_sevs[0]; v++)
                if (r->scns[i]->kind_sev[k][s_sevs[v]] > 0)
                    om_sample(o, NULL,
                              OM_LABELS({"scenario", r->scns[i]->name},
                                        {"kind", fp_kind_name((fp_kind)k)},
                                        {"severity", fp_severity_name(s_sevs[v])}),
                              (double)r->scns[i]->kind_sev[k][s_sevs[v]]);

    /* Two families over the same sorted (kind, target) aggregates: the order of the text
     * report's "Findings over the runs". */
    for (int fam = 0; fam < 2; fam++) {
        if (fam == 0)
            om_family(o, "fpsim_finding_runs", "gauge",
                      "Runs of the scenario with a finding of this kind on this target (a "
                      "method, or process).");
        else
            om_family(o, "fpsim_finding_cost_ratio", "gauge",
                      "Share of the run's time, CPU or peak memory the finding costs, 0 to 1 "
                      "(median over the runs with it).");
        for (size_t i = 0; i < r->n_scns; i++) {
            const fp_scn *s = r->scns[i];
            size_t *ix = fp_report_sorted_faggs(s);
            if (ix == NULL)
                return FP_ENOMEM;
            for (size_t j = 0; j < s->n_faggs; j++) {
                const fp_fagg *g = &s->faggs[ix[j]];
                om_sample(o, NULL,
                          OM_LABELS({"scenario", s->name}, {"kind", fp_kind_name(g->kind)},
                                    {"target", g->target}),
                          fam == 0 ? (double)g->runs : fp_qacc_get(&g->cost, FP_Q_MED));
            }
            fp_free(ix);
        }
    }
    return FP_OK;
}

static fp_status om_methods(om *o, const fp_report *r)
{
    om_family(o, "fpsim_method_call_duration_seconds", "summary",
              "Inclusive duration of one call of a method: quantiles of a run, _sum the method's "
              "total time and _count its calls in a run (medians over the scenario's runs).");
    for (size_t i = 0; i < r->n_scns; i++) {
        const fp_scn *s = r->scns[i];
        size_t *ix = fp_report_sorted_maggs(s);
        if (ix == NULL)
            return FP_ENOMEM;
        for (size_t j = 0; j < s->n_maggs; j++) {
            const fp_magg *g = &s->maggs[ix[j]];
            for (size_t q = 0; q < sizeof s_quantiles / sizeof s_quantiles[0]; q++)
                om_sample(o, NULL,
                          OM_LABELS({"scenario", s->name}, {"method", g->name},
                                    {"quantile", s_quantiles[q].q}),
                          fp_qacc_get(&g->q[s_quantiles[q].m], FP_Q_MED));
            om_sample(o, "_sum", OM_LABELS({"scenario", s->name}, {"method", g->name}),
                      fp_qacc_get(&g->q[FP_M_TOTAL], FP_Q_MED));
            om_sample(o, "_count", OM_LABELS({"scenario", s->name}, {"method", g->name}),
                      fp_qacc_get(&g->q[FP_M_CALLS], FP_Q_MED));
        }
        fp_free(ix);
    }
    return FP_OK;
}

static void om_guards(om *o, const fp_report *r)
{
    om_family(o, "fpsim_guard_limit", "gauge",
              "Limit of a guard of fpsim record, in the unit the unit label names (bytes, "
              "seconds or cores).");
    for (size_t i = 0; i < r->n_scns; i++)
        for (size_t j = 0; j < r->scns[i]->n_guards; j++) {
            const fp_report_guard *g = &r->scns[i]->guards[j];
            om_sample(
                o, NULL,
                OM_LABELS({"scenario", r->scns[i]->name}, {"guard", g->name}, {"unit", g->unit}),
                g->limit);
        }
    om_family(o, "fpsim_guard_breaches_total", "counter",
              "Times a guard of fpsim record saw its limit crossed during the run; action is "
              "what it then did (warn, term or kill).");
    for (size_t i = 0; i < r->n_scns; i++)
        for (size_t j = 0; j < r->scns[i]->n_guards; j++) {
            const fp_report_guard *g = &r->scns[i]->guards[j];
            om_sample(o, NULL,
                      OM_LABELS({"scenario", r->scns[i]->name}, {"guard", g->name},
                                {"action", g->action}),
                      (double)g->breaches);
        }
    om_family(o, "fpsim_guard_first_breach_seconds", "gauge",
              "Time from the start of the recorded run to a guard's first breach.");
    for (size_t i = 0; i < r->n_scns; i++)
        for (size_t j = 0; j < r->scns[i]->n_guards; j++) {
            const fp_report_guard *g = &r->scns[i]->guards[j];
            if (g->breaches > 0)
                om_sample(o, NULL, OM_LABELS({"scenario", r->scns[i]->name}, {"guard", g->name}),
                          g->first_breach_s);
        }
    om_family(o, "fpsim_guard_breach_max", "gauge",
              "Largest value measured at a breach of a guard, in the unit the unit label names.");
    for (size_t i = 0; i < r->n_scns; i++)
        for (size_t j = 0; j < r->scns[i]->n_guards; j++) {
            const fp_report_guard *g = &r->scns[i]->guards[j];
            if (g->breaches > 0)
                om_sample(o, NULL,
                          OM_LABELS({"scenario", r->scns[i]->name}, {"guard", g->name},
                                    {"unit", g->unit}),
                          g->max_value);
        }
}

fp_status fp_report_write_openmetrics(const fp_report *r, FILE *out, fp_error *err)
{
    om o = {out, NULL, NULL, NULL, 0};
    fp_status st;
    om_build_info(&o);
    om_summary_metrics(&o, r);
    if ((st = om_findings(&o, r)) != FP_OK || (st = om_methods(&o, r)) != FP_OK)
        return fp_error_set(err, st, "report: out of memory");
    om_guards(&o, r);
    om_end(&o);
    return fp_report_finish(out, err);
}

/* ---- the validate report ---- */

/* The confusion counts, one counter family each. */
static const struct {
    const char *name;
    size_t off; /* of a uint64_t in fp_validate_kind_stats */
    const char *help;
} s_counts[] = {
    {"fpsim_validate_true_positives_total", offsetof(fp_validate_kind_stats, tp),
     "Findings that matched an injected bottleneck of their kind."},
    {"fpsim_validate_false_positives_total", offsetof(fp_validate_kind_stats, fp),
     "Findings that matched no injected bottleneck (false alarms)."},
    {"fpsim_validate_false_negatives_total", offsetof(fp_validate_kind_stats, fn),
     "Observable injected bottlenecks no finding matched (misses)."},
};

/* The rates and their 95 % Wilson bounds, one gauge family each. */
static const struct {
    const char *name;
    size_t off; /* of an fp_validate_rate in fp_validate_kind_stats */
    int part;   /* 0 the value, 1 the lower bound, 2 the upper bound */
    const char *help;
} s_rates[] = {
    {"fpsim_validate_precision_ratio", offsetof(fp_validate_kind_stats, precision), 0,
     "Precision of the detector: TP / (TP + FP)."},
    {"fpsim_validate_precision_lower_ratio", offsetof(fp_validate_kind_stats, precision), 1,
     "Lower bound of the precision's 95 % Wilson score interval."},
    {"fpsim_validate_precision_upper_ratio", offsetof(fp_validate_kind_stats, precision), 2,
     "Upper bound of the precision's 95 % Wilson score interval."},
    {"fpsim_validate_recall_ratio", offsetof(fp_validate_kind_stats, recall), 0,
     "Recall of the detector: TP / (TP + FN)."},
    {"fpsim_validate_recall_lower_ratio", offsetof(fp_validate_kind_stats, recall), 1,
     "Lower bound of the recall's 95 % Wilson score interval."},
    {"fpsim_validate_recall_upper_ratio", offsetof(fp_validate_kind_stats, recall), 2,
     "Upper bound of the recall's 95 % Wilson score interval."},
    {"fpsim_validate_f1_ratio", offsetof(fp_validate_kind_stats, f1), 0,
     "F1 of the detector: TP / (TP + (FP + FN) / 2)."},
};

/* Summary i of the validate report: the scenarios', then the overall one as "(overall)". */
static const fp_validate_summary *vsum(const fp_validate_engine *e, size_t i, const char **name)
{
    if (i < fp_validate_engine_scenario_count(e)) {
        const fp_validate_scenario_result *r = fp_validate_engine_scenario(e, i);
        *name = r->name;
        return &r->sum;
    }
    *name = "(overall)";
    return fp_validate_engine_overall(e);
}

/* Row k of a summary: kind k, or "all" (the overall row) for k == FP_KIND_COUNT; NULL for a kind
 * the runs never saw (no row in the other formats either). */
static const fp_validate_kind_stats *vkind(const fp_validate_summary *s, int k, const char **kind)
{
    const fp_validate_kind_stats *ks = k < FP_KIND_COUNT ? &s->kinds[k] : &s->overall;
    *kind = k < FP_KIND_COUNT ? fp_kind_name((fp_kind)k) : "all";
    if (k < FP_KIND_COUNT && ks->tp + ks->fp + ks->fn == 0)
        return NULL;
    return ks;
}

void fp_om_validate(FILE *f, const fp_validate_engine *e)
{
    om o = {f, NULL, NULL, NULL, 0};
    size_t n = fp_validate_engine_scenario_count(e) + 1;
    const char *scn, *kind;

    om_build_info(&o);
    om_family(&o, "fpsim_validate_runs", "gauge",
              "Run indices validated (injected and clean runs), per scenario and overall.");
    for (size_t i = 0; i < n; i++) {
        const fp_validate_summary *s = vsum(e, i, &scn);
        om_sample(&o, NULL, OM_LABELS({"scenario", scn}), (double)s->runs);
    }
    for (size_t j = 0; j < sizeof s_counts / sizeof s_counts[0]; j++) {
        om_family(&o, s_counts[j].name, "counter", s_counts[j].help);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_summary *s = vsum(e, i, &scn);
            for (int k = 0; k <= FP_KIND_COUNT; k++) {
                const fp_validate_kind_stats *ks = vkind(s, k, &kind);
                uint64_t v;
                if (ks == NULL)
                    continue;
                memcpy(&v, (const char *)ks + s_counts[j].off, sizeof v);
                om_sample(&o, NULL, OM_LABELS({"scenario", scn}, {"kind", kind}), (double)v);
            }
        }
    }
    for (size_t j = 0; j < sizeof s_rates / sizeof s_rates[0]; j++) {
        om_family(&o, s_rates[j].name, "gauge", s_rates[j].help);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_summary *s = vsum(e, i, &scn);
            for (int k = 0; k <= FP_KIND_COUNT; k++) {
                const fp_validate_kind_stats *ks = vkind(s, k, &kind);
                const fp_validate_rate *rt;
                if (ks == NULL)
                    continue;
                rt = (const fp_validate_rate *)((const char *)ks + s_rates[j].off);
                if (!rt->available) /* n/a: no denominator */
                    continue;
                om_sample(&o, NULL, OM_LABELS({"scenario", scn}, {"kind", kind}),
                          s_rates[j].part == 0   ? rt->value
                          : s_rates[j].part == 1 ? rt->lo
                                                 : rt->hi);
            }
        }
    }
    om_end(&o);
}
