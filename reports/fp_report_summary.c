/*
 * fp_report_summary.c - the short Markdown summaries for CI pages (`--summary FILE`, or
 * $GITHUB_STEP_SUMMARY): one per document (report, compare, validate), each a heading, a small
 * table and the gate's outcome. Names go through the one Markdown escaper (fp_put_md).
 */
#include "fp_report_internal.h"

#include <stdio.h>

#include "fp_compare.h"
#include "fp_validate.h"

/* The gate line: nothing when no gate was asked for (NULL), passed (""), or why it failed. */
static void gate_line(FILE *f, const char *gate)
{
    if (gate == NULL)
        return;
    if (gate[0] == '\0') {
        fputs("\nGate: passed\n", f);
        return;
    }
    fputs("\nGate: **failed**: ", f);
    fp_put_md(f, gate);
    fputc('\n', f);
}

fp_status fp_report_write_summary(const fp_report *r, FILE *f, const char *gate, fp_error *err)
{
    char b1[64], b2[64];
    fputs("### fpsim report\n\n", f);
    fputs("| Scenario | Runs | Score | Findings | Top finding |\n", f);
    fputs("|---|--:|--:|--:|---|\n", f);
    size_t worst = fp_report_pick(r, FP_S_SCORE, 0);
    for (size_t i = 0; i < r->n_scns; i++) {
        const fp_scn *s = r->scns[i];
        fputs("| ", f);
        fp_put_md(f, s->name);
        if (i == worst && r->n_scns > 1)
            fputs(" (worst)", f);
        fprintf(f, " | %zu | %s | %s | ", s->runs,
                s->runs
                    ? fp_fmt_fixed(b1, sizeof(b1), fp_qacc_get(&s->sum[FP_S_SCORE], FP_Q_MED), 1)
                    : "n/a",
                s->runs ? fp_fmt_count(b2, sizeof(b2), fp_qacc_get(&s->sum[FP_S_F_TOTAL], FP_Q_MED))
                        : "n/a");
        if (s->has_detail && s->d.n_findings > 0) {
            const fp_finding *t = &s->d.findings[0];
            fprintf(f, "%s %s on ", fp_severity_name(t->severity), fp_kind_name(t->kind));
            fp_put_md(f, t->target_name);
            fprintf(f, " (impact %.0f)", t->impact);
        } else {
            fputs("none", f);
        }
        fputs(" |\n", f);
    }
    if (r->n_scns > 1 && r->scns[0]->runs > 1)
        fputs("\nScore and findings are medians over the runs.\n", f);
    gate_line(f, gate);
    fputc('\n', f);
    return fp_report_finish(f, err);
}

static const char *word(fp_change ch)
{
    return ch == FP_CHANGE_REGRESSION ? "regression" : "improvement";
}

fp_status fp_report_write_compare_summary(FILE *f, const fp_compare *c,
                                          const fp_report_compare_side sides[2], const char *gate,
                                          fp_error *err)
{
    size_t nm, nr, shown = 0;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    fputs("### fpsim compare: ", f);
    fp_put_md(f, sides[0].source);
    fputs(" vs ", f);
    fp_put_md(f, sides[1].source);
    fprintf(f, "\n\n%zu vs %zu runs: %zu regressions, %zu improvements.\n",
            fp_compare_run_count(c, FP_SIDE_BASE), fp_compare_run_count(c, FP_SIDE_NEW),
            fp_compare_count(c, FP_CHANGE_REGRESSION), fp_compare_count(c, FP_CHANGE_IMPROVEMENT));
    for (size_t i = 0; i < nr; i++) {
        const fp_sample_delta *d = &rd[i].d;
        if (d->change != FP_CHANGE_REGRESSION && d->change != FP_CHANGE_IMPROVEMENT)
            continue;
        if (shown++ == 0)
            fputs("\n| What | Ratio | p | Verdict |\n|---|--:|--:|---|\n", f);
        fprintf(f, "| run %s | %.3f | %.2g | %s |\n", rd[i].name, d->ratio, d->mw.p,
                word(d->change));
    }
    for (size_t i = 0; i < nm && shown < 10; i++) {
        const fp_sample_delta *d = &md[i].time;
        if (md[i].change != FP_CHANGE_REGRESSION && md[i].change != FP_CHANGE_IMPROVEMENT)
            continue;
        if (shown++ == 0)
            fputs("\n| What | Ratio | p | Verdict |\n|---|--:|--:|---|\n", f);
        fputs("| method ", f);
        fp_put_md(f, md[i].name);
        fprintf(f, " | %.3f | %.2g | %s |\n", d->ratio, d->mw.p, word(md[i].change));
    }
    gate_line(f, gate);
    fputc('\n', f);
    return fp_report_finish(f, err);
}

fp_status fp_report_write_validate_summary(FILE *f, const fp_validate_engine *e, const char *gate,
                                           fp_error *err)
{
    const fp_validate_summary *s = fp_validate_engine_overall(e);
    const fp_validate_kind_stats *o = &s->overall;
    char p[32], r[32], f1[32];
    fputs("### fpsim validate\n\n", f);
    fputs("| Runs | TP | FP | FN | Precision | Recall | F1 |\n", f);
    fputs("|--:|--:|--:|--:|--:|--:|--:|\n", f);
    fprintf(f, "| %llu | %llu | %llu | %llu | %s | %s | %s |\n", (unsigned long long)s->runs,
            (unsigned long long)o->tp, (unsigned long long)o->fp, (unsigned long long)o->fn,
            o->precision.available ? fp_fmt_fixed(p, sizeof(p), o->precision.value, 3) : "n/a",
            o->recall.available ? fp_fmt_fixed(r, sizeof(r), o->recall.value, 3) : "n/a",
            o->f1.available ? fp_fmt_fixed(f1, sizeof(f1), o->f1.value, 3) : "n/a");
    gate_line(f, gate);
    fputc('\n', f);
    return fp_report_finish(f, err);
}
