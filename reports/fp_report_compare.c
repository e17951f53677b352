/*
 * fp_report_compare.c - the output of `fpsim compare` (analysis/fp_compare.h, docs/compare.md) in
 * text, JSON, Markdown and CSV. Names (methods, the sources of the two sides) go through the
 * per-format string helpers (fp_report_str.c): escaped in JSON, data in CSV, control bytes as
 * spaces in text and Markdown.
 */
#include "fp_report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_escape.h"

/* Verdict words for people. */
static const char *verdict(fp_change ch)
{
    switch (ch) {
    case FP_CHANGE_NONE:
        return "no change";
    case FP_CHANGE_REGRESSION:
        return "REGRESSION";
    case FP_CHANGE_IMPROVEMENT:
        return "improvement";
    case FP_CHANGE_INSUFFICIENT:
        return "insufficient data";
    case FP_CHANGE_ADDED:
        return "added";
    case FP_CHANGE_REMOVED:
        return "removed";
    }
    return "?";
}

/* Every digit of a number (fp_fmt_g17): null in JSON, empty in CSV when it is not finite. */
#define JG(v) fp_fmt_g17((char[32]){""}, 32, (v), "null")
#define CG(v) fp_fmt_g17((char[32]){""}, 32, (v), "")

static void json_delta(FILE *f, const fp_sample_delta *d)
{
    fprintf(f,
            "\"n_base\": %zu, \"n_new\": %zu, \"base_median\": %s, \"new_median\": %s, "
            "\"ratio\": ",
            d->n_base, d->n_new, JG(d->base_median), JG(d->new_median));
    fputs(d->ratio_defined ? JG(d->ratio) : "null", f);
    fprintf(f,
            ", \"ratio_defined\": %s, \"u\": %s, \"z\": %s, \"p_value\": %s, "
            "\"exact\": %s, \"hl_shift\": %s, \"hl_ci\": ",
            d->ratio_defined ? "true" : "false", JG(d->mw.u), JG(d->mw.z), JG(d->mw.p),
            d->mw.exact ? "true" : "false", JG(d->hl.shift));
    if (d->hl.ci_valid)
        fprintf(f, "[%s, %s]", JG(d->hl.lo), JG(d->hl.hi));
    else
        fputs("null", f);
}

static void write_json(FILE *f, const fp_compare *c, const fp_report_compare_side *si,
                       const fp_report_meta *m)
{
    const fp_compare_options *co = fp_compare_opts(c);
    size_t nm, nr, used;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    double g = fp_compare_geomean(c, &used);
    fprintf(f, "{\"fpsim_compare\": %d, \"fpsim_version\": ", FP_COMPARE_JSON_VERSION);
    fp_put_json(f, m->fpsim_version);
    fprintf(f, ", \"gsl_version\": \"%s\",\n", m->gsl_version);
    for (int s = 0; s < 2; s++) {
        fprintf(f, " \"%s\": {\"source\": ", s ? "new" : "base");
        fp_put_json(f, si[s].source);
        fprintf(f, ", \"runs\": %zu", fp_compare_run_count(c, (fp_side)s));
        if (si[s].simulated)
            fprintf(f, ", \"seed\": \"%llu\", \"rng\": \"%s\"", (unsigned long long)si[s].seed,
                    m->rng);
        fputs("},\n", f);
    }
    fprintf(f,
            " \"options\": {\"alpha\": %s, \"noise\": %s, \"min_samples\": %zu, "
            "\"min_runs\": %zu, \"conf\": %s},\n",
            JG(co->alpha), JG(co->noise), co->min_samples, co->min_runs, JG(co->conf));
    fputs(" \"run_level\": [", f);
    for (size_t i = 0; i < nr; i++) {
        fprintf(f, "%s\n  {\"metric\": \"%s\", \"unit\": \"%s\", \"change\": \"%s\", ",
                i ? "," : "", rd[i].name, rd[i].unit, fp_change_name(rd[i].d.change));
        json_delta(f, &rd[i].d);
        fputc('}', f);
    }
    fputs("\n ],\n \"methods\": [", f);
    for (size_t i = 0; i < nm; i++) {
        fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
        fp_put_json(f, md[i].name);
        fprintf(f, ", \"change\": \"%s\", \"calls_base\": %s, \"calls_new\": %s, ",
                fp_change_name(md[i].change), JG(md[i].calls_base), JG(md[i].calls_new));
        json_delta(f, &md[i].time);
        fputc('}', f);
    }
    fprintf(f,
            "\n ],\n \"summary\": {\"regressions\": %zu, \"improvements\": %zu, "
            "\"no_change\": %zu, \"insufficient_data\": %zu, \"added\": %zu, \"removed\": %zu, "
            "\"geomean_ratio\": %s, \"geomean_methods\": %zu}}\n",
            fp_compare_count(c, FP_CHANGE_REGRESSION), fp_compare_count(c, FP_CHANGE_IMPROVEMENT),
            fp_compare_count(c, FP_CHANGE_NONE), fp_compare_count(c, FP_CHANGE_INSUFFICIENT),
            fp_compare_count(c, FP_CHANGE_ADDED), fp_compare_count(c, FP_CHANGE_REMOVED), JG(g),
            used);
}

/* One tidy CSV row (docs/output-formats.md, "CSV"): table (run_metric or method),
 * format_version, the name, then the measures; CRLF like every fpsim CSV. */
static void csv_row(FILE *f, const char *table, const char *name, const char *unit, fp_change ch,
                    double cb, double cn, const fp_sample_delta *d)
{
    fprintf(f, "%s,%d,", table, FP_CSV_COMPARE_VERSION);
    fp_put_csv(f, name);
    fprintf(f, ",%s,%s,%zu,%zu,%s,%s,%s,%s,", unit, fp_change_name(ch), d->n_base, d->n_new, CG(cb),
            CG(cn), CG(d->base_median), CG(d->new_median));
    if (d->ratio_defined)
        fputs(CG(d->ratio), f);
    fprintf(f, ",%s,%s,%s,%s,", CG(d->mw.p), CG(d->mw.u), CG(d->mw.z), CG(d->hl.shift));
    if (d->hl.ci_valid)
        fprintf(f, "%s,%s\r\n", CG(d->hl.lo), CG(d->hl.hi));
    else
        fputs(",\r\n", f);
}

static void write_csv(FILE *f, const fp_compare *c)
{
    size_t nm, nr;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    fputs("table,format_version,name,unit,change,n_base,n_new,calls_base,calls_new,base_median,"
          "new_median,ratio,p_value,u,z,hl_shift,hl_lo,hl_hi\r\n",
          f);
    for (size_t i = 0; i < nr; i++)
        csv_row(f, "run_metric", rd[i].name, rd[i].unit, rd[i].d.change, NAN, NAN, &rd[i].d);
    for (size_t i = 0; i < nm; i++)
        csv_row(f, "method", md[i].name, "s", md[i].change, md[i].calls_base, md[i].calls_new,
                &md[i].time);
}

/* "1.234" or "n/a" into buf. */
static const char *fmt_ratio(char *buf, size_t n, const fp_sample_delta *d)
{
    if (d->ratio_defined)
        fp_fmt_fixed(buf, n, d->ratio, 3);
    else
        snprintf(buf, n, "n/a");
    return buf;
}

/* A shift in seconds with its sign, in a unit that fits ("+1.20 ms", "-3.00 s", "0 s"). */
static const char *fmt_shift(char *buf, size_t n, double v)
{
    char a[48];
    fp_fmt_duration(a, sizeof a, v);
    snprintf(buf, n, "%s%.47s", a[0] != '-' && v > 0 && strcmp(a, "0 s") != 0 ? "+" : "", a);
    return buf;
}

static const char *fmt_ci(char *buf, size_t n, const fp_sample_delta *d)
{
    char a[64], b[64], c[64];
    if (d->n_base == 0 || d->n_new == 0)
        snprintf(buf, n, "-");
    else if (d->hl.ci_valid)
        snprintf(buf, n, "%s [%s, %s]", fmt_shift(a, sizeof a, d->hl.shift),
                 fmt_shift(b, sizeof b, d->hl.lo), fmt_shift(c, sizeof c, d->hl.hi));
    else
        snprintf(buf, n, "%s [n/a]", fmt_shift(a, sizeof a, d->hl.shift));
    return buf;
}

/* A run-level median: a duration in a unit that fits when `unit` is "s", else the number alone
 * (its unit is in the row's label; counts never in exponent form). */
static const char *fmt_run(char *buf, size_t n, double v, const char *unit)
{
    return strcmp(unit, "s") == 0 ? fp_fmt_duration(buf, n, v) : fp_fmt_measure(buf, n, v, "");
}

static void write_summary_line(FILE *f, const fp_compare *c, const char *pre)
{
    size_t used;
    char gb[64];
    double g = fp_compare_geomean(c, &used);
    fprintf(f,
            "%s%zu regression(s), %zu improvement(s), %zu no change, %zu insufficient data, "
            "%zu added, %zu removed; geometric mean of per-method ratios %s over %zu "
            "method(s)\n",
            pre, fp_compare_count(c, FP_CHANGE_REGRESSION),
            fp_compare_count(c, FP_CHANGE_IMPROVEMENT), fp_compare_count(c, FP_CHANGE_NONE),
            fp_compare_count(c, FP_CHANGE_INSUFFICIENT), fp_compare_count(c, FP_CHANGE_ADDED),
            fp_compare_count(c, FP_CHANGE_REMOVED), fp_fmt_fixed(gb, sizeof gb, g, 4), used);
}

static void write_text(FILE *f, const fp_compare *c, const fp_report_compare_side *si,
                       const fp_report_meta *m, int md)
{
    const fp_compare_options *co = fp_compare_opts(c);
    size_t nm, nr;
    const fp_method_delta *mdl = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    char rb[32], cb[256], n1[64], n2[64], a1[64], a2[64];
    if (md) {
        fputs("# fpsim compare\n\n", f);
        for (int s = 0; s < 2; s++) {
            fprintf(f, "- %s: ", s ? "NEW" : "BASE");
            fp_put_md(f, si[s].source);
            fprintf(f, " (%zu runs", fp_compare_run_count(c, (fp_side)s));
            if (si[s].simulated)
                fprintf(f, ", seed %llu", (unsigned long long)si[s].seed);
            fputs(")\n", f);
        }
        fprintf(f,
                "- alpha %g, noise %g %%, min samples %zu; fpsim %s, GSL %s\n\n"
                "## Run level (median per run)\n\n"
                "| metric | base | new | ratio | p-value | verdict |\n"
                "|---|---:|---:|---:|---:|---|\n",
                co->alpha, co->noise * 100, co->min_samples, m->fpsim_version, m->gsl_version);
        for (size_t i = 0; i < nr; i++)
            fprintf(f, "| %s (%s) | %s | %s | %s | %.3g | %s |\n", rd[i].name, rd[i].unit,
                    fmt_run(n1, sizeof n1, rd[i].d.base_median, rd[i].unit),
                    fmt_run(n2, sizeof n2, rd[i].d.new_median, rd[i].unit),
                    fmt_ratio(rb, sizeof(rb), &rd[i].d), rd[i].d.mw.p, verdict(rd[i].d.change));
        fputs("\n## Methods (per-call inclusive time, pooled over runs)\n\n"
              "| method | calls base | calls new | median base | median new | ratio | "
              "p-value | HL shift [95 % CI] | verdict |\n"
              "|---|---:|---:|---:|---:|---:|---:|---|---|\n",
              f);
        for (size_t i = 0; i < nm; i++) {
            fputs("| ", f);
            fp_put_md(f, mdl[i].name);
            fprintf(f, " | %s | %s | %s | %s | %s | %.3g | %s | %s |\n",
                    fp_fmt_count(n1, sizeof n1, mdl[i].calls_base),
                    fp_fmt_count(n2, sizeof n2, mdl[i].calls_new),
                    fp_fmt_duration(a1, sizeof a1, mdl[i].time.base_median),
                    fp_fmt_duration(a2, sizeof a2, mdl[i].time.new_median),
                    fmt_ratio(rb, sizeof(rb), &mdl[i].time), mdl[i].time.mw.p,
                    fmt_ci(cb, sizeof(cb), &mdl[i].time), verdict(mdl[i].change));
        }
        fputc('\n', f);
        write_summary_line(f, c, "**Summary:** ");
        return;
    }
    fprintf(f, "fpsim compare (fpsim %s, GSL %s)\n", m->fpsim_version, m->gsl_version);
    for (int s = 0; s < 2; s++) {
        fprintf(f, "  %-4s ", s ? "NEW" : "BASE");
        fp_put_text(f, si[s].source);
        fprintf(f, " (%zu runs", fp_compare_run_count(c, (fp_side)s));
        if (si[s].simulated)
            fprintf(f, ", seed %llu", (unsigned long long)si[s].seed);
        fputs(")\n", f);
    }
    fprintf(f, "  regression: ratio > %g, p < %g, >= %zu values per side\n\n", 1 + co->noise,
            co->alpha, co->min_samples);
    fprintf(f, "Run level (median per run)\n  %-14s %12s %12s %8s %9s  %s\n", "metric", "base",
            "new", "ratio", "p-value", "verdict");
    for (size_t i = 0; i < nr; i++)
        fprintf(f, "  %-14s %12s %12s %8s %9.3g  %s\n", rd[i].name,
                fmt_run(n1, sizeof n1, rd[i].d.base_median, rd[i].unit),
                fmt_run(n2, sizeof n2, rd[i].d.new_median, rd[i].unit),
                fmt_ratio(rb, sizeof(rb), &rd[i].d), rd[i].d.mw.p, verdict(rd[i].d.change));
    fprintf(f,
            "\nMethods (per-call inclusive time, pooled over runs)\n"
            "  %-26s %7s %7s %10s %10s %7s %9s  %-34s %s\n",
            "method", "calls_b", "calls_n", "median_b", "median_n", "ratio", "p-value",
            "HL shift [95% CI]", "verdict");
    for (size_t i = 0; i < nm; i++) {
        fputs("  ", f);
        fp_put_text_pad(f, mdl[i].name, 26);
        fprintf(f, " %7s %7s %10s %10s %7s %9.3g  %-34s %s\n",
                fp_fmt_count(n1, sizeof n1, mdl[i].calls_base),
                fp_fmt_count(n2, sizeof n2, mdl[i].calls_new),
                fp_fmt_duration(a1, sizeof a1, mdl[i].time.base_median),
                fp_fmt_duration(a2, sizeof a2, mdl[i].time.new_median),
                fmt_ratio(rb, sizeof(rb), &mdl[i].time), mdl[i].time.mw.p,
                fmt_ci(cb, sizeof(cb), &mdl[i].time), verdict(mdl[i].change));
    }
    fputc('\n', f);
    write_summary_line(f, c, "Summary: ");
}

fp_status fp_report_write_compare(FILE *f, fp_report_format fmt, const fp_compare *c,
                                  const fp_report_compare_side side[2], const char *rng,
                                  fp_error *err)
{
    fp_report_meta m = fp_report_meta_get(rng);
    if (fmt == FP_REPORT_OPENMETRICS)
        return fp_error_set(err, FP_EINVAL, "compare: no openmetrics format");
    switch (fmt) {
    case FP_REPORT_JSON:
        write_json(f, c, side, &m);
        break;
    case FP_REPORT_CSV:
        write_csv(f, c);
        break;
    case FP_REPORT_TEXT:
    case FP_REPORT_MARKDOWN:
        write_text(f, c, side, &m, fmt == FP_REPORT_MARKDOWN);
        break;
    case FP_REPORT_HTML:
        fp_html_compare(f, c, side, rng);
        break;
    case FP_REPORT_OPENMETRICS: /* refused above */
        break;
    }
    return fp_report_finish(f, err);
}

/* ---- --folded-diff ---- */

typedef struct folded_line {
    char *stack;
    size_t node;
} folded_line;

static int cmp_folded(const void *x, const void *y)
{
    const folded_line *a = x, *b = y;
    return strcmp(a->stack, b->stack);
}

/* "caller;...;method" of stack `st`, whose caller's path (always built before it) is in paths. */
static char *frame_path(const fp_compare_stack *st, char *const *paths)
{
    const char *pre = st->parent == FP_COMPARE_STACK_ROOT ? NULL : paths[st->parent];
    size_t lp = pre ? strlen(pre) + 1 : 0, ln = strlen(st->method);
    char *s = fp_malloc(lp + ln + 1);
    if (s == NULL)
        return NULL;
    if (pre) {
        memcpy(s, pre, lp - 1);
        s[lp - 1] = ';';
    }
    for (size_t k = 0; k < ln; k++)
        s[lp + k] = fp_folded_char(st->method[k]);
    s[lp + ln] = '\0';
    return s;
}

/* Whole microseconds, rounded; 0 for what is not a positive finite number. */
static double whole_us(double s)
{
    double v = nearbyint(s * 1e6);
    return isfinite(v) && v > 0.0 ? v : 0.0;
}

fp_status fp_report_write_compare_folded(FILE *out, const fp_compare *c, fp_error *err)
{
    fp_status st = FP_OK;
    size_t n = fp_compare_stack_count(c);
    char **paths = NULL;
    folded_line *lines = NULL;
    if (n == 0)
        return FP_OK;
    paths = fp_calloc(n, sizeof(char *));
    lines = fp_calloc(n, sizeof(folded_line));
    if (paths == NULL || lines == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "compare: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        fp_compare_stack cs = fp_compare_stack_at(c, i);
        if ((paths[i] = frame_path(&cs, paths)) == NULL) {
            st = fp_error_set(err, FP_ENOMEM, "compare: out of memory");
            goto out;
        }
        lines[i].stack = paths[i];
        lines[i].node = i;
    }
    qsort(lines, n, sizeof(folded_line), cmp_folded);
    for (size_t i = 0; i < n; i++) {
        fp_compare_stack cs = fp_compare_stack_at(c, lines[i].node);
        if (fprintf(out, "%s %.0f %.0f\n", lines[i].stack, whole_us(cs.mean_self_s[0]),
                    whole_us(cs.mean_self_s[1])) < 0) {
            st = fp_error_set(err, FP_EIO, "error writing folded stacks");
            goto out;
        }
    }
out:
    if (paths != NULL)
        for (size_t i = 0; i < n; i++)
            fp_free(paths[i]);
    fp_free(paths);
    fp_free(lines);
    return st;
}
