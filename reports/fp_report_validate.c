/*
 * fp_report_validate.c - the outputs of `fpsim validate`: the accuracy report, the threshold
 * sweep and the power curve, each in text, JSON, Markdown and CSV (docs/validation.md). They read
 * the results of a validate engine (validate/fp_validate.h) and write names through the per-format
 * string helpers (fp_report_str.c).
 */
#include "fp_report_internal.h"

#include "fp_quantile.h"

#include <string.h>

/* The metadata block of the validate documents. */
static fp_report_meta meta(const fp_validate_config *c)
{
    return fp_report_meta_get(c->rng != NULL ? c->rng->name : NULL);
}

/* ---- numbers: every fixed-decimal value through the one formatter, fp_fmt_fixed ---- */

typedef struct fx_buf {
    char s[64];
} fx_buf;

/* `v` with `dec` decimals (fp_fmt_fixed: never "-0", "n/a" when not finite), in a value that
 * lives until the end of the full expression: fx(v, 6).s as a printf argument. */
/* Every digit of a number (fp_fmt_g17): null in JSON, empty in CSV when it is not finite. */
#define JG(v) fp_fmt_g17((char[32]){""}, 32, (v), "null")
#define CG(v) fp_fmt_g17((char[32]){""}, 32, (v), "")

static fx_buf fx(double v, int dec)
{
    fx_buf b;
    fp_fmt_fixed(b.s, sizeof b.s, v, dec);
    return b;
}

/* A time-to-detect p95 with `dec` decimals, "~" before it when it comes from the sketch
 * (fp_validate_kind_stats.ttd_p95_approximate): the text and Markdown cells. */
static fx_buf p95_cell(const fp_validate_kind_stats *k, int dec)
{
    fx_buf b;
    b.s[0] = '~';
    fp_fmt_fixed(b.s + 1, sizeof b.s - 1, k->ttd_p95_s, dec);
    return k->ttd_p95_approximate ? b : fx(k->ttd_p95_s, dec);
}

/* Whether a kind row of `s` shows an approximate p95 (the writers then add a note). */
static int p95_approximate(const fp_validate_summary *s)
{
    for (int k = 0; k < FP_KIND_COUNT; k++)
        if (s->kinds[k].ttd_n > 0 && s->kinds[k].ttd_p95_approximate)
            return 1;
    return 0;
}

/* ---- rates ---- */

static void json_rate(FILE *f, const char *name, const fp_validate_rate *r)
{
    if (!r->available)
        fprintf(f, "\"%s\": null", name);
    else
        fprintf(f, "\"%s\": {\"value\": %s, \"lo\": %s, \"hi\": %s}", name, fx(r->value, 6).s,
                fx(r->lo, 6).s, fx(r->hi, 6).s);
}

/* "0.9512 [0.9301, 0.9660]" or "n/a". */
static void text_rate(FILE *f, const fp_validate_rate *r, int width)
{
    char buf[3 * 64 + 8];
    if (!r->available)
        snprintf(buf, sizeof buf, "n/a");
    else
        snprintf(buf, sizeof buf, "%s [%s, %s]", fx(r->value, 4).s, fx(r->lo, 4).s, fx(r->hi, 4).s);
    fprintf(f, "%-*s", width, buf);
}

static void csv_rate(FILE *f, const fp_validate_rate *r)
{
    if (r->available)
        fprintf(f, ",%s,%s,%s", fx(r->value, 6).s, fx(r->lo, 6).s, fx(r->hi, 6).s);
    else
        fputs(",,,", f);
}

static void md_rate(FILE *f, const fp_validate_rate *r)
{
    if (r->available)
        fprintf(f, " %s [%s, %s] |", fx(r->value, 4).s, fx(r->lo, 4).s, fx(r->hi, 4).s);
    else
        fputs(" n/a |", f);
}

/* Rate in a bullet: no table cell separator. */
static void md_rate_plain(FILE *f, const fp_validate_rate *r)
{
    if (r->available)
        fprintf(f, " %s [%s, %s]", fx(r->value, 4).s, fx(r->lo, 4).s, fx(r->hi, 4).s);
    else
        fputs(" n/a", f);
}

static const char *source_kind(const fp_validate_source *s)
{
    return s->kind >= 0 ? fp_kind_name((fp_kind)s->kind) : "?";
}

/* ---- the accuracy report ---- */

static void text_kind_row(FILE *f, const char *label, const fp_validate_kind_stats *k, int ttd)
{
    fprintf(f, "  %-17s %7llu %7llu %7llu  ", label, (unsigned long long)k->tp,
            (unsigned long long)k->fp, (unsigned long long)k->fn);
    text_rate(f, &k->precision, 25);
    text_rate(f, &k->recall, 25);
    text_rate(f, &k->f1, 25);
    if (ttd && k->ttd_n > 0)
        fprintf(f, "%8s %8s", fx(k->ttd_mean_s, 3).s, p95_cell(k, 3).s);
    fputc('\n', f);
}

static int kind_seen(const fp_validate_kind_stats *k)
{
    return k->tp + k->fp + k->fn > 0;
}

/* `sr` is NULL for the overall summary (no per-bottleneck rows). */
static void text_summary(FILE *f, const fp_validate_summary *s,
                         const fp_validate_scenario_result *sr)
{
    fprintf(f, "  %-17s %7s %7s %7s  %-25s%-25s%-25s%8s %8s\n", "kind", "TP", "FP", "FN",
            "precision [95% CI]", "recall [95% CI]", "F1 [95% CI]", "TTD mean", "p95 (s)");
    for (int k = 0; k < FP_KIND_COUNT; k++)
        if (kind_seen(&s->kinds[k]))
            text_kind_row(f, fp_kind_name((fp_kind)k), &s->kinds[k], 1);
    text_kind_row(f, "all", &s->overall, 0);
    fprintf(f,
            "  consequences of true findings (reported under their cause, neither TP nor FP): "
            "%llu\n",
            (unsigned long long)s->consequences);
    fprintf(f, "  false alarms on clean runs: %s per run (%llu in %llu runs); runs with any: ",
            fx(s->clean_false_alarms_per_run, 4).s, (unsigned long long)s->clean_false_alarms,
            (unsigned long long)s->clean_runs);
    text_rate(f, &s->clean_runs_alarmed, 0);
    fputs("\n  top finding is the costliest injected bottleneck: ", f);
    text_rate(f, &s->top1, 0);
    fputs("\n  top finding is the costliest detected bottleneck: ", f);
    text_rate(f, &s->top1_found, 0);
    fprintf(f,
            "\n  injected bottlenecks in the top-max(%d, n) recommendations: ", FP_VALIDATE_TOP_K);
    text_rate(f, &s->topk, 0);
    if (s->spearman_available && s->spearman_of > s->spearman_n) /* capped: say so */
        fprintf(f,
                "\n  Spearman(impact, true cost): %s over the first %llu of %llu true positives "
                "(an estimate)",
                fx(s->spearman, 4).s, (unsigned long long)s->spearman_n,
                (unsigned long long)s->spearman_of);
    else if (s->spearman_available)
        fprintf(f, "\n  Spearman(impact, true cost): %s over %llu true positives",
                fx(s->spearman, 4).s, (unsigned long long)s->spearman_n);
    else
        fputs("\n  Spearman(impact, true cost): n/a", f);
    fprintf(f, "\n  NAB scores: standard %s, low_fp %s, low_fn %s\n", fx(s->nab[0], 2).s,
            fx(s->nab[1], 2).s, fx(s->nab[2], 2).s);
    if (sr != NULL && s->n_sources > 0) {
        fputs("  per declared bottleneck:\n", f);
        for (size_t i = 0; i < s->n_sources && i < sr->n_sources; i++) {
            const fp_validate_source_stats *ss = &s->sources[i];
            fprintf(f, "    [%zu] %-16s on ", i, source_kind(&sr->sources[i]));
            fp_put_text_pad(f, sr->sources[i].target, 22);
            fprintf(f, " found %llu / %llu  recall ", (unsigned long long)ss->found,
                    (unsigned long long)(ss->found + ss->missed));
            text_rate(f, &ss->recall, 0);
            fputc('\n', f);
        }
    }
    if (s->dropped > 0)
        fprintf(f, "  note: %llu truth records beyond %d per run were counted but not itemised\n",
                (unsigned long long)s->dropped, FP_VALIDATE_MAX_ITEMS);
    if (p95_approximate(s))
        fprintf(f,
                "  note: ~ marks a time-to-detect p95 over more than %d values: approximate, "
                "within %g %% of the exact value\n",
                FP_VALIDATE_TTD_EXACT, 100.0 * FP_QUANTILE_REL_ERR);
}

static void json_kind(FILE *f, const fp_validate_kind_stats *k, const char *ind)
{
    fprintf(f, "{\"tp\": %llu, \"fp\": %llu, \"fn\": %llu, ", (unsigned long long)k->tp,
            (unsigned long long)k->fp, (unsigned long long)k->fn);
    json_rate(f, "precision", &k->precision);
    fputs(", ", f);
    json_rate(f, "recall", &k->recall);
    fputs(", ", f);
    json_rate(f, "f1", &k->f1);
    if (k->ttd_n > 0)
        fprintf(f, ",\n%s \"time_to_detect\": {\"n\": %llu, \"mean_s\": %s, \"p95_s\": %s%s}", ind,
                (unsigned long long)k->ttd_n, fx(k->ttd_mean_s, 6).s, fx(k->ttd_p95_s, 6).s,
                k->ttd_p95_approximate ? ", \"p95_approximate\": true" : "");
    fputc('}', f);
}

static void json_summary(FILE *f, const fp_validate_summary *s,
                         const fp_validate_scenario_result *sr, const char *ind)
{
    fprintf(f, "%s\"runs\": %llu, \"injected_runs\": %llu, \"clean_runs\": %llu,\n", ind,
            (unsigned long long)s->runs, (unsigned long long)s->injected_runs,
            (unsigned long long)s->clean_runs);
    fprintf(f, "%s\"kinds\": {", ind);
    int first = 1;
    for (int k = 0; k < FP_KIND_COUNT; k++) {
        if (!kind_seen(&s->kinds[k]))
            continue;
        fprintf(f, "%s\n%s  \"%s\": ", first ? "" : ",", ind, fp_kind_name((fp_kind)k));
        json_kind(f, &s->kinds[k], ind);
        first = 0;
    }
    fprintf(f, "%s},\n%s\"all\": ", first ? "" : "\n", ind);
    json_kind(f, &s->overall, ind);
    fprintf(f, ",\n%s\"consequences\": %llu", ind, (unsigned long long)s->consequences);
    fprintf(f, ",\n%s\"clean_false_alarms\": %llu, \"clean_false_alarms_per_run\": %s, ", ind,
            (unsigned long long)s->clean_false_alarms, fx(s->clean_false_alarms_per_run, 6).s);
    json_rate(f, "clean_runs_alarmed", &s->clean_runs_alarmed);
    fprintf(f, ",\n%s", ind);
    json_rate(f, "top1", &s->top1);
    fputs(", ", f);
    json_rate(f, "top1_found", &s->top1_found);
    fputs(", ", f);
    json_rate(f, "topk", &s->topk);
    fprintf(f, ", \"top_k\": %d,\n%s\"spearman\": ", FP_VALIDATE_TOP_K, ind);
    if (s->spearman_available)
        fprintf(f, "%s", fx(s->spearman, 6).s);
    else
        fputs("null", f);
    fprintf(f,
            ", \"spearman_n\": %llu,\n%s\"nab\": {\"standard\": %s, \"low_fp\": %s, "
            "\"low_fn\": %s}",
            (unsigned long long)s->spearman_n, ind, fx(s->nab[0], 4).s, fx(s->nab[1], 4).s,
            fx(s->nab[2], 4).s);
    if (sr != NULL) {
        fprintf(f, ",\n%s\"bottlenecks\": [", ind);
        for (size_t i = 0; i < s->n_sources && i < sr->n_sources; i++) {
            const fp_validate_source_stats *ss = &s->sources[i];
            fprintf(f, "%s\n%s  {\"index\": %zu, \"kind\": ", i ? "," : "", ind, i);
            if (sr->sources[i].kind >= 0)
                fp_put_json(f, fp_kind_name((fp_kind)sr->sources[i].kind));
            else
                fputs("null", f);
            fputs(", \"target\": ", f);
            fp_put_json(f, sr->sources[i].target);
            fprintf(f, ", \"found\": %llu, \"missed\": %llu, ", (unsigned long long)ss->found,
                    (unsigned long long)ss->missed);
            json_rate(f, "recall", &ss->recall);
            fputc('}', f);
        }
        fprintf(f, "%s]", s->n_sources ? "\n" : "");
        if (s->n_sources)
            fputs(ind, f);
    }
    fputc('\n', f);
}

/* One tidy CSV row (docs/output-formats.md, "CSV"): table `kind` for a kind's row, `scenario`
 * for the scenario's "all" row (which alone has the ranking and score measures). */
static void csv_kind_row(FILE *f, const char *scn, const char *kind,
                         const fp_validate_kind_stats *k, const fp_validate_summary *s)
{
    fprintf(f, "%s,%d,", s != NULL ? "scenario" : "kind", FP_CSV_VALIDATE_VERSION);
    fp_put_csv(f, scn);
    fprintf(f, ",%s,%llu,%llu,%llu", kind, (unsigned long long)k->tp, (unsigned long long)k->fp,
            (unsigned long long)k->fn);
    csv_rate(f, &k->precision);
    csv_rate(f, &k->recall);
    csv_rate(f, &k->f1);
    if (k->ttd_n > 0)
        fprintf(f, ",%llu,%s,%s", (unsigned long long)k->ttd_n, fx(k->ttd_mean_s, 6).s,
                fx(k->ttd_p95_s, 6).s);
    else
        fputs(",0,,", f);
    if (s != NULL) {
        fprintf(f, ",%llu,%llu,%s", (unsigned long long)s->runs, (unsigned long long)s->clean_runs,
                fx(s->clean_false_alarms_per_run, 6).s);
        csv_rate(f, &s->top1);
        csv_rate(f, &s->top1_found);
        csv_rate(f, &s->topk);
        if (s->spearman_available)
            fprintf(f, ",%s", fx(s->spearman, 6).s);
        else
            fputc(',', f);
        fprintf(f, ",%s,%s,%s,%llu", fx(s->nab[0], 4).s, fx(s->nab[1], 4).s, fx(s->nab[2], 4).s,
                (unsigned long long)s->consequences);
    } else {
        fputs(",,,,,,,,,,,,,,,,,", f);
    }
    fputs("\r\n", f);
}

static void csv_summary(FILE *f, const char *scn, const fp_validate_summary *s)
{
    for (int k = 0; k < FP_KIND_COUNT; k++)
        if (kind_seen(&s->kinds[k]))
            csv_kind_row(f, scn, fp_kind_name((fp_kind)k), &s->kinds[k], NULL);
    csv_kind_row(f, scn, "all", &s->overall, s);
}

static void md_summary(FILE *f, const fp_validate_summary *s, const fp_validate_scenario_result *sr)
{
    fputs("| kind | TP | FP | FN | precision [95 % CI] | recall [95 % CI] | F1 [95 % CI] | "
          "TTD mean / p95 (s) |\n|---|---:|---:|---:|---|---|---|---|\n",
          f);
    for (int k = 0; k <= FP_KIND_COUNT; k++) {
        const fp_validate_kind_stats *ks = k < FP_KIND_COUNT ? &s->kinds[k] : &s->overall;
        if (k < FP_KIND_COUNT && !kind_seen(ks))
            continue;
        fprintf(f, "| %s | %llu | %llu | %llu |",
                k < FP_KIND_COUNT ? fp_kind_name((fp_kind)k) : "**all**",
                (unsigned long long)ks->tp, (unsigned long long)ks->fp, (unsigned long long)ks->fn);
        md_rate(f, &ks->precision);
        md_rate(f, &ks->recall);
        md_rate(f, &ks->f1);
        if (ks->ttd_n > 0 && k < FP_KIND_COUNT)
            fprintf(f, " %s / %s |\n", fx(ks->ttd_mean_s, 3).s, p95_cell(ks, 3).s);
        else
            fputs(" |\n", f);
    }
    fprintf(f,
            "\n- consequences of true findings (reported under their cause, neither TP nor FP): "
            "%llu",
            (unsigned long long)s->consequences);
    fprintf(f, "\n- false alarms on clean runs: %s per run; runs with any:",
            fx(s->clean_false_alarms_per_run, 4).s);
    md_rate_plain(f, &s->clean_runs_alarmed);
    fputs("\n- top finding is the costliest injected bottleneck:", f);
    md_rate_plain(f, &s->top1);
    fputs("\n- top finding is the costliest detected bottleneck:", f);
    md_rate_plain(f, &s->top1_found);
    fprintf(f,
            "\n- injected bottlenecks in the top-max(%d, n) recommendations:", FP_VALIDATE_TOP_K);
    md_rate_plain(f, &s->topk);
    if (s->spearman_available && s->spearman_of > s->spearman_n) /* capped: say so */
        fprintf(f, "\n- Spearman(impact, true cost): %s (n = %llu, the first of %llu: an estimate)",
                fx(s->spearman, 4).s, (unsigned long long)s->spearman_n,
                (unsigned long long)s->spearman_of);
    else if (s->spearman_available)
        fprintf(f, "\n- Spearman(impact, true cost): %s (n = %llu)", fx(s->spearman, 4).s,
                (unsigned long long)s->spearman_n);
    fprintf(f, "\n- NAB scores: standard %s, low_fp %s, low_fn %s\n", fx(s->nab[0], 2).s,
            fx(s->nab[1], 2).s, fx(s->nab[2], 2).s);
    if (p95_approximate(s))
        fprintf(f,
                "- note: ~ marks a time-to-detect p95 over more than %d values: approximate, "
                "within %g %% of the exact value\n",
                FP_VALIDATE_TTD_EXACT, 100.0 * FP_QUANTILE_REL_ERR);
    if (sr != NULL && s->n_sources > 0) {
        fputs("\n| # | bottleneck | target | found / observable | recall [95 % CI] |\n"
              "|---:|---|---|---:|---|\n",
              f);
        for (size_t i = 0; i < s->n_sources && i < sr->n_sources; i++) {
            const fp_validate_source_stats *ss = &s->sources[i];
            fprintf(f, "| %zu | %s | ", i, source_kind(&sr->sources[i]));
            fp_put_md(f, sr->sources[i].target);
            fprintf(f, " | %llu / %llu |", (unsigned long long)ss->found,
                    (unsigned long long)(ss->found + ss->missed));
            md_rate(f, &ss->recall);
            fputc('\n', f);
        }
    }
}

fp_status fp_report_write_validate(FILE *f, fp_report_format fmt, const fp_validate_engine *e,
                                   fp_error *err)
{
    const fp_validate_config *o = fp_validate_engine_config(e);
    const fp_validate_summary *all = fp_validate_engine_overall(e);
    size_t n = fp_validate_engine_scenario_count(e);
    const char *inject = fp_validate_inject_name(o->inject);
    fp_report_meta m = meta(o);
    switch (fmt) {
    case FP_REPORT_JSON:
        fprintf(f, "{\n  \"fpsim_validate\": 2,\n  \"fpsim_version\": ");
        fp_put_json(f, m.fpsim_version);
        fprintf(f, ",\n  \"gsl_version\": \"%s\", \"rng\": ", m.gsl_version);
        fp_put_json(f, m.rng);
        fprintf(f, ",\n  \"runs\": %llu, \"inject\": \"%s\", \"time_to_detect\": %s,\n",
                (unsigned long long)o->runs, inject, o->ttd ? "true" : "false");
        fputs("  \"scenarios\": [", f);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_scenario_result *r = fp_validate_engine_scenario(e, i);
            fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
            fp_put_json(f, r->name);
            fprintf(f, ", \"seed\": \"%llu\",\n", (unsigned long long)r->seed); /* string: v2 */
            json_summary(f, &r->sum, r, "     ");
            fputs("    }", f);
        }
        fputs("\n  ],\n  \"overall\": {\n", f);
        json_summary(f, all, NULL, "    ");
        fputs("  }\n}\n", f);
        break;
    case FP_REPORT_CSV:
        fputs("table,format_version,scenario,kind,tp,fp,fn,precision,precision_lo,precision_hi,"
              "recall,recall_lo,"
              "recall_hi,f1,f1_lo,f1_hi,ttd_n,ttd_mean_s,ttd_p95_s,runs,clean_runs,"
              "clean_false_alarms_per_run,top1,top1_lo,top1_hi,top1_found,top1_found_lo,"
              "top1_found_hi,topk,topk_lo,topk_hi,spearman,"
              "nab_standard,nab_low_fp,nab_low_fn,consequences\r\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_scenario_result *r = fp_validate_engine_scenario(e, i);
            csv_summary(f, r->name, &r->sum);
        }
        csv_summary(f, "(overall)", all);
        break;
    case FP_REPORT_MARKDOWN:
        fprintf(f, "# fpsim validate\n\n%llu run indices per scenario, injection %s, GSL %s, %s\n",
                (unsigned long long)o->runs, inject, m.gsl_version, m.rng);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_scenario_result *r = fp_validate_engine_scenario(e, i);
            fputs("\n## ", f);
            fp_put_md(f, r->name);
            fprintf(f, " (seed %llu, %llu runs: %llu injected, %llu clean)\n\n",
                    (unsigned long long)r->seed, (unsigned long long)r->sum.runs,
                    (unsigned long long)r->sum.injected_runs,
                    (unsigned long long)r->sum.clean_runs);
            md_summary(f, &r->sum, r);
        }
        fputs("\n## Overall\n\n", f);
        md_summary(f, all, NULL);
        break;
    case FP_REPORT_TEXT:
        fprintf(f, "fpsim validate: %llu run indices per scenario, injection %s, GSL %s, %s\n",
                (unsigned long long)o->runs, inject, m.gsl_version, m.rng);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_scenario_result *r = fp_validate_engine_scenario(e, i);
            fputs("\nscenario ", f);
            fp_put_text(f, r->name);
            fprintf(f, " (seed %llu): %llu runs, %llu injected, %llu clean\n",
                    (unsigned long long)r->seed, (unsigned long long)r->sum.runs,
                    (unsigned long long)r->sum.injected_runs,
                    (unsigned long long)r->sum.clean_runs);
            text_summary(f, &r->sum, r);
        }
        fprintf(f, "\noverall: %llu runs, %llu injected, %llu clean\n",
                (unsigned long long)all->runs, (unsigned long long)all->injected_runs,
                (unsigned long long)all->clean_runs);
        text_summary(f, all, NULL);
        break;
    case FP_REPORT_HTML:
        fp_html_validate(f, e);
        break;
    case FP_REPORT_OPENMETRICS:
        fp_om_validate(f, e);
        break;
    }
    return fp_report_finish(f, err);
}

/* ---- the threshold sweep ---- */

fp_status fp_report_write_sweep(FILE *f, fp_report_format fmt, const fp_validate_engine *e,
                                fp_error *err)
{
    const fp_validate_config *o = fp_validate_engine_config(e);
    size_t n;
    fp_kind kind;
    const char *key;
    const fp_validate_sweep_point *pts = fp_validate_engine_sweep_points(e, &n, &kind, &key);
    fp_validate_best_rule rule;
    double def;
    size_t best = fp_validate_sweep_best(e, &rule, &def);
    if (fmt == FP_REPORT_OPENMETRICS)
        return fp_error_set(err, FP_EINVAL, "sweep: no openmetrics format");
    switch (fmt) {
    case FP_REPORT_JSON:
        fprintf(f, "{\n  \"fpsim_validate_sweep\": 1, \"detector\": \"%s\", \"key\": ",
                fp_kind_name(kind));
        fp_put_json(f, key);
        fprintf(f, ", \"runs\": %llu, \"inject\": \"%s\",\n  \"points\": [",
                (unsigned long long)o->runs, fp_validate_inject_name(o->inject));
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s\n    {\"threshold\": %s, \"stats\": ", i ? "," : "", JG(pts[i].value));
            json_kind(f, &pts[i].ks, "    ");
            fputc('}', f);
        }
        fputs("\n  ],\n  \"best_f1_threshold\": ", f);
        if (best < n && rule == FP_VALIDATE_BEST_F1)
            fputs(JG(pts[best].value), f);
        else
            fputs("null", f);
        if (best < n && rule == FP_VALIDATE_BEST_FEWEST_FP)
            fprintf(f, ",\n  \"fewest_false_alarms_threshold\": %s", JG(pts[best].value));
        fputs("\n}\n", f);
        break;
    case FP_REPORT_CSV:
        fputs("table,format_version,threshold,tp,fp,fn,precision,precision_lo,precision_hi,"
              "recall,recall_lo,recall_hi,f1,f1_lo,f1_hi,best\r\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_kind_stats *k = &pts[i].ks;
            fprintf(f, "sweep_point,%d,%s,%llu,%llu,%llu", FP_CSV_VALIDATE_VERSION,
                    CG(pts[i].value), (unsigned long long)k->tp, (unsigned long long)k->fp,
                    (unsigned long long)k->fn);
            csv_rate(f, &k->precision);
            csv_rate(f, &k->recall);
            csv_rate(f, &k->f1);
            fprintf(f, ",%d\r\n", i == best);
        }
        break;
    case FP_REPORT_MARKDOWN:
        fprintf(f,
                "# Threshold sweep: %s (`%s`)\n\n| threshold | TP | FP | FN | precision | "
                "recall | F1 |\n|---:|---:|---:|---:|---|---|---|\n",
                fp_kind_name(kind), key);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_kind_stats *k = &pts[i].ks;
            const char *mark = i != best ? ""
                               : rule == FP_VALIDATE_BEST_FEWEST_FP
                                   ? " **best (fewest false alarms)**"
                                   : " **best**";
            fprintf(f, "| %g%s | %llu | %llu | %llu |", pts[i].value, mark,
                    (unsigned long long)k->tp, (unsigned long long)k->fp,
                    (unsigned long long)k->fn);
            md_rate(f, &k->precision);
            md_rate(f, &k->recall);
            md_rate(f, &k->f1);
            fputc('\n', f);
        }
        break;
    case FP_REPORT_TEXT:
        fprintf(f, "threshold sweep: %s (%s), %llu run indices per scenario, injection %s\n",
                fp_kind_name(kind), key, (unsigned long long)o->runs,
                fp_validate_inject_name(o->inject));
        fprintf(f, "  %-12s %7s %7s %7s  %-25s%-25s%-25s\n", "threshold", "TP", "FP", "FN",
                "precision [95% CI]", "recall [95% CI]", "F1 [95% CI]");
        for (size_t i = 0; i < n; i++) {
            const fp_validate_kind_stats *k = &pts[i].ks;
            fprintf(f, "  %-12g %7llu %7llu %7llu  ", pts[i].value, (unsigned long long)k->tp,
                    (unsigned long long)k->fp, (unsigned long long)k->fn);
            text_rate(f, &k->precision, 25);
            text_rate(f, &k->recall, 25);
            text_rate(f, &k->f1, 0);
            fputc('\n', f);
        }
        if (best < n && rule == FP_VALIDATE_BEST_F1)
            fprintf(f, "best F1: %s at %s = %g\n", fx(pts[best].ks.f1.value, 4).s, key,
                    pts[best].value);
        else if (best < n)
            fprintf(f,
                    "best: %s = %g, the fewest false alarms (%llu); no true positive at any "
                    "threshold, so F1 cannot rank them (ties go to the default %g, else to the "
                    "nearest value)\n",
                    key, pts[best].value, (unsigned long long)pts[best].ks.fp, def);
        else
            fputs("best F1: n/a (no labels or findings of this kind)\n", f);
        break;
    case FP_REPORT_HTML:
        fp_html_sweep(f, e);
        break;
    case FP_REPORT_OPENMETRICS: /* refused above */
        break;
    }
    return fp_report_finish(f, err);
}

/* ---- the power curve ---- */

static const char *scn_name(const fp_validate_engine *e, size_t i)
{
    return fp_validate_engine_scenario(e, i)->name;
}

static const char *target_name(const fp_validate_engine *e, size_t i, size_t src)
{
    return fp_validate_engine_scenario(e, i)->sources[src].target;
}

fp_status fp_report_write_power(FILE *f, fp_report_format fmt, const fp_validate_engine *e,
                                fp_error *err)
{
    const fp_validate_config *o = fp_validate_engine_config(e);
    size_t n;
    fp_kind kind;
    const fp_validate_power_row *rows = fp_validate_engine_power_rows(e, &n, &kind);
    if (fmt == FP_REPORT_OPENMETRICS)
        return fp_error_set(err, FP_EINVAL, "power: no openmetrics format");
    switch (fmt) {
    case FP_REPORT_JSON:
        fprintf(f,
                "{\n  \"fpsim_validate_power\": 1, \"kind\": \"%s\", \"runs\": %llu,\n"
                "  \"points\": [",
                fp_kind_name(kind), (unsigned long long)o->runs);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_power_row *r = &rows[i];
            fprintf(f, "%s\n    {\"scenario\": ", i ? "," : "");
            fp_put_json(f, scn_name(e, r->scenario));
            fprintf(f, ", \"bottleneck\": %zu, \"target\": ", r->source);
            fp_put_json(f, target_name(e, r->scenario, r->source));
            fprintf(f, ", \"scale\": %s, \"magnitude\": %s, \"found\": %llu, \"labels\": %llu, ",
                    JG(r->scale), fx(r->magnitude, 6).s, (unsigned long long)r->found,
                    (unsigned long long)r->total);
            json_rate(f, "recall", &r->recall);
            fputc('}', f);
        }
        fputs("\n  ],\n  \"mde\": [", f);
        {
            int first = 1;
            for (size_t i = 0; i < n; i++) {
                if (i > 0 && rows[i].scenario == rows[i - 1].scenario &&
                    rows[i].source == rows[i - 1].source)
                    continue;
                double mag,
                    s = fp_validate_power_mde(rows, n, rows[i].scenario, rows[i].source, &mag);
                fprintf(f, "%s\n    {\"scenario\": ", first ? "" : ",");
                fp_put_json(f, scn_name(e, rows[i].scenario));
                fprintf(f, ", \"bottleneck\": %zu, ", rows[i].source);
                if (s >= 0)
                    fprintf(f, "\"scale\": %s, \"magnitude\": %s}", JG(s), fx(mag, 6).s);
                else
                    fputs("\"scale\": null, \"magnitude\": null}", f);
                first = 0;
            }
        }
        fputs("\n  ]\n}\n", f);
        return fp_report_finish(f, err);
    case FP_REPORT_CSV:
        fputs("table,format_version,scenario,bottleneck,target,scale,magnitude,found,labels,"
              "recall,recall_lo,recall_hi\r\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const fp_validate_power_row *r = &rows[i];
            fprintf(f, "power_point,%d,", FP_CSV_VALIDATE_VERSION);
            fp_put_csv(f, scn_name(e, r->scenario));
            fprintf(f, ",%zu,", r->source);
            fp_put_csv(f, target_name(e, r->scenario, r->source));
            fprintf(f, ",%s,%s,%llu,%llu", CG(r->scale), fx(r->magnitude, 6).s,
                    (unsigned long long)r->found, (unsigned long long)r->total);
            csv_rate(f, &r->recall);
            fputs("\r\n", f);
        }
        return fp_report_finish(f, err);
    case FP_REPORT_MARKDOWN:
        fprintf(f,
                "# Power: %s\n\n| scenario | # | target | scale | magnitude (%s) | found / "
                "labels | recall [95 %% CI] |\n|---|---:|---|---:|---:|---:|---|\n",
                fp_kind_name(kind), fp_validate_magnitude_label(kind));
        for (size_t i = 0; i < n; i++) {
            const fp_validate_power_row *r = &rows[i];
            fputs("| ", f);
            fp_put_md(f, scn_name(e, r->scenario));
            fprintf(f, " | %zu | ", r->source);
            fp_put_md(f, target_name(e, r->scenario, r->source));
            fprintf(f, " | %g | %s | %llu / %llu |", r->scale, fx(r->magnitude, 3).s,
                    (unsigned long long)r->found, (unsigned long long)r->total);
            md_rate(f, &r->recall);
            fputc('\n', f);
        }
        break;
    case FP_REPORT_TEXT:
        fprintf(f,
                "power: %s, %llu runs per magnitude, every bottleneck injected; magnitude = %s\n",
                fp_kind_name(kind), (unsigned long long)o->runs, fp_validate_magnitude_label(kind));
        for (size_t i = 0; i < n; i++) {
            const fp_validate_power_row *r = &rows[i];
            if (i == 0 || r->scenario != rows[i - 1].scenario || r->source != rows[i - 1].source) {
                fputc('\n', f);
                fp_put_text(f, scn_name(e, r->scenario));
                fprintf(f, " [%zu] on ", r->source);
                fp_put_text(f, target_name(e, r->scenario, r->source));
                fprintf(f, "\n  %-8s %12s %10s  %s\n", "scale", "magnitude", "found",
                        "detection probability [95% CI]");
            }
            char fl[48];
            snprintf(fl, sizeof fl, "%llu/%llu", (unsigned long long)r->found,
                     (unsigned long long)r->total);
            fprintf(f, "  %-8g %12s %10s  ", r->scale, fx(r->magnitude, 3).s, fl);
            text_rate(f, &r->recall, 0);
            fputc('\n', f);
        }
        break;
    case FP_REPORT_HTML:
        fp_html_power(f, e);
        return fp_report_finish(f, err);
    case FP_REPORT_OPENMETRICS: /* refused above */
        return fp_report_finish(f, err);
    }
    /* Text and Markdown: the minimum detectable effect of each bottleneck, one line each. */
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && rows[i].scenario == rows[i - 1].scenario &&
            rows[i].source == rows[i - 1].source)
            continue;
        double mag, s = fp_validate_power_mde(rows, n, rows[i].scenario, rows[i].source, &mag);
        fprintf(f, "%sminimum detectable effect (recall >= 0.9) of ",
                fmt == FP_REPORT_MARKDOWN ? "- " : "");
        void (*put)(FILE *, const char *) = fmt == FP_REPORT_MARKDOWN ? fp_put_md : fp_put_text;
        put(f, scn_name(e, rows[i].scenario));
        fprintf(f, " [%zu] on ", rows[i].source);
        put(f, target_name(e, rows[i].scenario, rows[i].source));
        fputs(": ", f);
        if (s >= 0)
            fprintf(f, "scale %g (magnitude %s)\n", s, fx(mag, 3).s);
        else
            fputs("not reached on the grid\n", f);
    }
    return fp_report_finish(f, err);
}
