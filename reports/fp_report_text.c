/*
 * fp_report_text.c - the human-readable report, built once as headings, lines and tables and
 * rendered either as aligned plain text or as GitHub Markdown (fp_report_table.c). Layout and
 * precision are documented in docs/output-formats.md ("Text report", "Markdown").
 */
#include "fp_report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NB 64 /* number buffers */

static fp_style sev_style(fp_severity s)
{
    switch (s) {
    case FP_SEV_CRITICAL:
    case FP_SEV_HIGH:
        return FP_STYLE_RED;
    case FP_SEV_MEDIUM:
        return FP_STYLE_YELLOW;
    case FP_SEV_LOW:
        break;
    }
    return FP_STYLE_NONE;
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

static const char *pct(char *buf, size_t size, double ratio, size_t den)
{
    if (den == 0)
        return snprintf(buf, size, "n/a"), buf;
    return fp_fmt_fixed(buf, size, 100.0 * ratio, 1);
}

/* Summary metric k's value for a cell: durations in a unit that fits (fp_fmt_duration), counts
 * as counts, others with the metric's decimals. */
static int sum_is_duration(int k)
{
    return strcmp(fp_sum_infos[k].unit, "s") == 0;
}

static const char *fmt_sum(char *buf, size_t size, int k, double v)
{
    int dec = fp_sum_infos[k].decimals;
    if (sum_is_duration(k))
        return fp_fmt_duration(buf, size, v);
    return dec < 0 ? fp_fmt_count(buf, size, v) : fp_fmt_fixed(buf, size, v, dec);
}

static void summary(fp_doc *d, const fp_scn *s)
{
    static const char *const h1[] = {"Metric", "Value", "Unit"};
    static const char *const hn[] = {"Metric", "Median", "P5", "P95", "Unit"};
    char a[NB];
    fp_tab t;
    double score = fp_qacc_get(&s->sum[FP_S_SCORE], FP_Q_MED);
    fp_score_status status = fp_score_status_from_score(score);

    fp_doc_heading(d, 3, "Summary%s", s->runs > 1 ? " (median and 5-95 % range over runs)" : "");
    if (s->runs == 1)
        fp_tab_init(&t, 3, h1, "lrl");
    else
        fp_tab_init(&t, 5, hn, "lrrrl");
    for (int k = 0; k < FP_S_COUNT; k++) {
        const fp_sum_info *in = &fp_sum_infos[k];
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", in->label);
        for (int q = 0; q < (s->runs == 1 ? 1 : 3); q++) {
            static const int order[3] = {FP_Q_MED, FP_Q_P5, FP_Q_P95};
            double v = fp_qacc_get(&s->sum[k], s->runs == 1 ? FP_Q_MED : order[q]);
            if (s->na_runs[k] == s->runs)
                fp_tab_cell(&t, FP_STYLE_NONE, "n/a");
            else
                fp_tab_cell(&t, FP_STYLE_NONE, "%s", fmt_sum(a, sizeof a, k, v));
        }
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", sum_is_duration(k) ? "" : in->unit);
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_doc_line(d, "Status: %s (score %s/100%s)", fp_score_status_name(status),
                fp_fmt_fixed(a, sizeof a, score, 1), s->runs > 1 ? ", median" : "");
    if (s->not_run != 0) {
        char list[256] = "";
        size_t len = 0;
        for (int k = 0; k < FP_KIND_COUNT; k++)
            if (s->not_run >> k & 1u)
                len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0,
                                        "%s%s", len ? ", " : "", fp_kind_name((fp_kind)k));
        fp_doc_line(d,
                    "Not run (the input has no memory or CPU data): %s; the score covers only "
                    "the detectors that ran.",
                    list);
    }
    if (s->simulated_runs > 0) {
        size_t obs = s->t_found + s->t_missed, nf = s->f_true + s->f_false;
        char r1[NB], r2[NB];
        /* two lines, so that each fits in FP_TEXT_WIDTH columns */
        fp_doc_line(
            d, "Ground truth (%zu simulated run%s): %zu found, %zu missed, %zu not observable;",
            s->simulated_runs, plural(s->simulated_runs), s->t_found, s->t_missed,
            s->t_unobservable);
        fp_doc_line(d, "findings: %zu true, %zu false alarm%s; recall %s %%, precision %s %%",
                    s->f_true, s->f_false, plural(s->f_false),
                    pct(r1, sizeof r1, obs ? (double)s->t_found / (double)obs : 0, obs),
                    pct(r2, sizeof r2, nf ? (double)s->f_true / (double)nf : 0, nf));
    }
    fp_doc_blank(d);
}

static void detail_methods(fp_doc *d, const fp_scn *s, const char *which)
{
    static const char *const h[] = {"Method", "Calls", "Total",    "Mean",  "P50",
                                    "P95",    "P99",   "Alloc MB", "CPU %", "Share %"};
    const fp_detail *dt = &s->d;
    char a[NB];
    fp_tab t;
    size_t i;
    fp_doc_heading(d, 3, "Methods (%s)", which);
    if (dt->n_methods == 0) {
        fp_doc_line(d, "No methods.");
        fp_doc_blank(d);
        return;
    }
    fp_tab_init(&t, 10, h, "lrrrrrrrrr");
    for (i = 0; i < dt->n_methods; i++) {
        const fp_method_metrics *m = &dt->methods[i];
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", m->name);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", m->calls);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, m->total_s));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, m->mean_s));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, m->p50_s));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, m->p95_s));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, m->p99_s));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_fixed(a, sizeof a, m->mem_alloc_mb, 1));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_fixed(a, sizeof a, m->cpu_pct, 1));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_fixed(a, sizeof a, 100.0 * m->share, 1));
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_doc_line(d, "Times are inclusive per call; CPU %% is the time-weighted CPU of the method's "
                   "own work; Share %% is its own time over the run duration.");
    if (dt->n_known > 0) {
        fp_doc_line(d,
                    "Known hotspots (over a budget, normal for this flow in the baseline of "
                    "%" PRIu64 " runs; not findings):",
                    dt->baseline_runs);
        for (i = 0; i < dt->n_known; i++)
            fp_doc_line(d, "  - '%s': %s", dt->known[i].target_name, dt->known[i].text);
    }
    fp_doc_blank(d);
}

static void detail_path(fp_doc *d, const fp_scn *s, const char *which)
{
    static const char *const h[] = {"Method", "Spans", "Time", "Share %"};
    const fp_detail *dt = &s->d;
    char a[NB];
    fp_tab t;
    fp_doc_heading(d, 3, "Critical path (%s)", which);
    fp_tab_init(&t, 4, h, "lrrr");
    for (size_t i = 0; i < dt->n_path; i++) {
        const fp_path_entry *e = &dt->path[i];
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", e->name);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", e->spans);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, e->seconds));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_fixed(a, sizeof a, 100.0 * e->share, 1));
    }
    fp_tab_cell(&t, FP_STYLE_DIM, "(idle)");
    fp_tab_cell(&t, FP_STYLE_NONE, "%s", "");
    fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, dt->run.idle_path_s));
    fp_tab_cell(&t, FP_STYLE_NONE, "%s",
                fp_fmt_fixed(
                    a, sizeof a,
                    dt->run.duration_s > 0 ? 100.0 * dt->run.idle_path_s / dt->run.duration_s : 0.0,
                    1));
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
}

static void detail_markers(fp_doc *d, const fp_scn *s, const char *which)
{
    const fp_detail *dt = &s->d;
    char a[NB];
    size_t shown = dt->n_markers < FP_REPORT_TEXT_MARKERS ? dt->n_markers : FP_REPORT_TEXT_MARKERS;
    if (dt->n_markers_total == 0)
        return;
    if (shown < dt->n_markers_total)
        fp_doc_heading(d, 3, "Markers (%s, the first %zu of %zu)", which, shown,
                       dt->n_markers_total);
    else
        fp_doc_heading(d, 3, "Markers (%s)", which);
    for (size_t i = 0; i < shown; i++) {
        const fp_report_marker *m = &dt->markers[i];
        if (m->track == FP_MARKER_NO_TRACK)
            fp_doc_item(d, FP_STYLE_NONE, "%s %s", fp_fmt_duration(a, sizeof a, m->ts_s), m->name);
        else
            fp_doc_item(d, FP_STYLE_NONE, "%s %s (track %" PRIu32 ")",
                        fp_fmt_duration(a, sizeof a, m->ts_s), m->name, m->track);
    }
    fp_doc_blank(d);
}

/* The run's events of `kind` (fpsim record's guard breaches or sampling gaps) as a table
 * under its own heading; nothing when there are none. Shown with or without --detailed: they
 * say how far the run's measurements can be trusted. */
static void run_events(fp_doc *d, const fp_scn *s, fp_event_kind kind)
{
    static const char *const hb[] = {"Time", "Guard", "Value", "Limit", "Action"};
    static const char *const hg[] = {"Start", "End", "Length", "Missed samples"};
    const fp_detail *dt = &s->d;
    int breach = kind == FP_EVENT_GUARD_BREACH;
    char a[NB], b[NB], which[NB], more[NB] = "";
    size_t total = 0, shown = 0;
    fp_tab t;
    for (size_t i = 0; i < dt->n_events; i++)
        total += dt->events[i].kind == kind;
    if (total == 0)
        return;
    snprintf(which, sizeof which, "run %" PRIu64, dt->run_index);
    if (total > FP_REPORT_TEXT_EVENTS)
        snprintf(more, sizeof more, ", the first %d of %zu", FP_REPORT_TEXT_EVENTS, total);
    fp_doc_heading(d, 3, "%s (%s%s)", breach ? "Guard breaches" : "Sampling gaps", which, more);
    if (breach)
        fp_tab_init(&t, 5, hb, "rlrrl");
    else
        fp_tab_init(&t, 4, hg, "rrrr");
    for (size_t i = 0; i < dt->n_events && shown < FP_REPORT_TEXT_EVENTS; i++) {
        const fp_run_event *e = &dt->events[i];
        if (e->kind != kind)
            continue;
        shown++;
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, e->start_s));
        if (breach) {
            fp_tab_cell(&t, FP_STYLE_RED, "%s", e->guard);
            fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_measure(a, sizeof a, e->value, e->unit));
            fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_measure(b, sizeof b, e->limit, e->unit));
            fp_tab_cell(&t, FP_STYLE_NONE, "%s", e->action);
        } else {
            fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_duration(a, sizeof a, e->end_s));
            fp_tab_cell(&t, FP_STYLE_NONE, "%s",
                        fp_fmt_duration(b, sizeof b, e->end_s - e->start_s));
            fp_tab_cell(&t, FP_STYLE_NONE, "%" PRIu64, e->missed);
        }
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    if (!breach) {
        fp_doc_line(d, "Inside a gap the series carry the sample before it (memory) and the mean "
                       "rate across it (CPU, I/O).");
        fp_doc_blank(d);
    }
}

static void window(char *buf, size_t size, double t0, double t1)
{
    char a[NB], b[NB];
    snprintf(buf, size, "%s..%s", fp_fmt_duration(a, sizeof a, t0),
             fp_fmt_duration(b, sizeof b, t1));
}

static void detail_findings(fp_doc *d, const fp_scn *s, const char *which)
{
    static const char *const h[] = {"#",      "Severity", "Impact",    "Kind", "Target",
                                    "Window", "Measured", "Threshold", "Truth"};
    const fp_detail *dt = &s->d;
    char a[NB], b[NB], w[2 * NB];
    fp_tab t;
    size_t i;
    fp_doc_heading(d, 3, "Findings (%s, by severity then impact)", which);
    if (dt->n_findings == 0) {
        fp_doc_line(d, "No findings.");
        fp_doc_blank(d);
        return;
    }
    fp_tab_init(&t, dt->simulated ? 9 : 8, h, "rlrllrrrl");
    for (i = 0; i < dt->n_findings; i++) {
        const fp_finding *f = &dt->findings[i];
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", i + 1);
        fp_tab_cell(&t, sev_style(f->severity), "%s", fp_severity_name(f->severity));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_fixed(a, sizeof a, f->impact, 1));
        if (f->caused_by > 0)
            fp_tab_cell(&t, FP_STYLE_NONE, "%s (caused by #%zu)", fp_kind_name(f->kind),
                        f->caused_by);
        else
            fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_kind_name(f->kind));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", f->target_name);
        window(w, sizeof w, f->start_s, f->end_s);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", w);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_measure(a, sizeof a, f->measured, f->unit));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_measure(b, sizeof b, f->threshold, f->unit));
        if (dt->simulated) {
            int64_t tr = dt->match.finding_truth[i];
            if (tr >= 0)
                fp_tab_cell(&t, FP_STYLE_GREEN, "true (#%" PRId64 ")", tr + 1);
            else if (tr == FP_MATCH_CONSEQUENCE)
                fp_tab_cell(&t, FP_STYLE_NONE, "consequence of #%zu", f->caused_by);
            else
                fp_tab_cell(&t, FP_STYLE_YELLOW, "false alarm");
        }
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    for (i = 0; i < dt->n_findings; i++) {
        if (dt->findings[i].caused_by > 0)
            fp_doc_item(d, FP_STYLE_NONE, "#%zu (caused by #%zu, its saving counted there) %s",
                        i + 1, dt->findings[i].caused_by, dt->findings[i].root_cause);
        else
            fp_doc_item(d, FP_STYLE_NONE, "#%zu %s", i + 1, dt->findings[i].root_cause);
    }
    fp_doc_blank(d);
}

static void detail_recs(fp_doc *d, const fp_scn *s, const char *which)
{
    const fp_detail *dt = &s->d;
    fp_doc_heading(d, 3, "Recommendations (%s)", which);
    if (dt->n_recs == 0) {
        fp_doc_line(d, "No recommendations: no finding.");
        fp_doc_blank(d);
        return;
    }
    for (size_t i = 0; i < dt->n_recs; i++) {
        const fp_recommendation *rc = &dt->recs[i];
        /* the text names the kind and severity, and finding #N above gives the evidence: neither
         * is repeated here */
        fp_doc_item(d, FP_STYLE_NONE, "%zu. %s (finding #%zu)", rc->rank, rc->text,
                    rc->finding + 1);
    }
    fp_doc_blank(d);
}

static void detail_truth(fp_doc *d, const fp_scn *s, const char *which)
{
    static const char *const h[] = {"#",         "Kind",  "Target", "Window",
                                    "Magnitude", "Calls", "Outcome"};
    const fp_detail *dt = &s->d;
    char a[NB], w[2 * NB];
    fp_tab t;
    fp_doc_heading(d, 3, "Ground truth (%s)", which);
    if (dt->n_truth == 0) {
        fp_doc_line(d, "Nothing was injected in this run.");
        fp_doc_blank(d);
        return;
    }
    fp_tab_init(&t, 7, h, "rlllrrl");
    for (size_t i = 0; i < dt->n_truth; i++) {
        const fp_truth *tr = &dt->truth[i];
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", i + 1);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_kind_name(tr->kind));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", dt->truth_target[i]);
        window(w, sizeof w, tr->start_s, tr->end_s);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", w);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_fmt_measure(a, sizeof a, tr->magnitude, ""));
        fp_tab_cell(&t, FP_STYLE_NONE, "%" PRIu32, tr->affected_calls);
        switch (dt->match.truth_outcome[i]) {
        case FP_TRUTH_FOUND:
            fp_tab_cell(&t, FP_STYLE_GREEN, "found (finding #%" PRId64 ")",
                        dt->match.truth_finding[i] + 1);
            break;
        case FP_TRUTH_MISSED:
            fp_tab_cell(&t, FP_STYLE_RED, "missed");
            break;
        case FP_TRUTH_UNOBSERVABLE:
            fp_tab_cell(&t, FP_STYLE_DIM, "not observable");
            break;
        }
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_doc_line(d,
                "Matching: same kind and target; leak and CPU windows must overlap within %s "
                "(docs/validation.md).",
                fp_fmt_duration(a, sizeof a, dt->match.tolerance_s));
    fp_doc_blank(d);
}

static void across_methods(fp_doc *d, const fp_scn *s)
{
    static const char *const h[] = {"Method", "Runs", "Calls (median)", "Total", "Mean",   "P50",
                                    "P95",    "P99",  "Alloc MB",       "CPU %", "Share %"};
    static const int dec[FP_M_COUNT] = {-1, -2, -2, -2, -2, -2, 1, 1, 1}; /* -2: duration */
    char a[NB];
    fp_tab t;
    size_t *ix = fp_report_sorted_maggs(s);
    if (ix == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    fp_doc_heading(d, 3, "Methods across %zu runs (medians over the runs calling the method)",
                   s->runs);
    fp_tab_init(&t, 11, h, "lrrrrrrrrrr");
    for (size_t i = 0; i < s->n_maggs; i++) {
        const fp_magg *g = &s->maggs[ix[i]];
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", g->name);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", g->runs);
        for (int k = 0; k < FP_M_COUNT; k++) {
            double v = fp_qacc_get(&g->q[k], FP_Q_MED);
            if (k == FP_M_SHARE)
                v *= 100.0;
            fp_tab_cell(&t, FP_STYLE_NONE, "%s",
                        dec[k] == -2 ? fp_fmt_duration(a, sizeof a, v)
                        : dec[k] < 0 ? fp_fmt_count(a, sizeof a, v)
                                     : fp_fmt_fixed(a, sizeof a, v, dec[k]));
        }
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_free(ix);
}

static void across_findings(fp_doc *d, const fp_scn *s)
{
    static const char *const h[] = {"Kind",          "Target",         "Runs",
                                    "Median impact", "Worst severity", "False-alarm runs"};
    char a[NB];
    fp_tab t;
    size_t *ix = fp_report_sorted_faggs(s);
    if (ix == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    fp_doc_heading(d, 3, "Findings across %zu runs", s->runs);
    if (s->n_faggs == 0) {
        fp_doc_line(d, "No findings in any run.");
        fp_doc_blank(d);
        fp_free(ix);
        return;
    }
    fp_tab_init(&t, s->simulated_runs ? 6 : 5, h, "llrrlr");
    for (size_t i = 0; i < s->n_faggs; i++) {
        const fp_fagg *g = &s->faggs[ix[i]];
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_kind_name(g->kind));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", g->target);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", g->runs);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s",
                    fp_fmt_fixed(a, sizeof a, fp_qacc_get(&g->impact, FP_Q_MED), 1));
        fp_tab_cell(&t, sev_style(g->worst), "%s", fp_severity_name(g->worst));
        if (s->simulated_runs)
            fp_tab_cell(&t, FP_STYLE_NONE, "%zu", g->false_runs);
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_free(ix);
}

static void across_truth(fp_doc *d, const fp_scn *s)
{
    static const char *const h[] = {"Kind",   "Target",         "Records", "Found",
                                    "Missed", "Not observable", "Recall %"};
    char a[NB];
    fp_tab t;
    size_t *ix = fp_report_sorted_taggs(s);
    if (ix == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    fp_doc_heading(d, 3, "Ground truth across %zu simulated runs", s->simulated_runs);
    if (s->n_taggs == 0) {
        fp_doc_line(d, "Nothing was injected in any run.");
        fp_doc_blank(d);
        fp_free(ix);
        return;
    }
    fp_tab_init(&t, 7, h, "llrrrrr");
    for (size_t i = 0; i < s->n_taggs; i++) {
        const fp_tagg *g = &s->taggs[ix[i]];
        size_t obs = g->found + g->missed;
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", fp_kind_name(g->kind));
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", g->target);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", g->records);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", g->found);
        fp_tab_cell(&t, g->missed ? FP_STYLE_RED : FP_STYLE_NONE, "%zu", g->missed);
        fp_tab_cell(&t, FP_STYLE_NONE, "%zu", g->unobservable);
        fp_tab_cell(&t, FP_STYLE_NONE, "%s",
                    pct(a, sizeof a, obs ? (double)g->found / (double)obs : 0, obs));
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_free(ix);
}

static void detail(fp_doc *d, const fp_scn *s)
{
    char which[NB];
    snprintf(which, sizeof which, "run %" PRIu64, s->d.run_index);
    if (s->runs > 1)
        fp_doc_line(d,
                    "The detail below shows run %" PRIu64
                    ", the first of the %zu runs; the tables after it aggregate all runs.",
                    s->d.run_index, s->runs);
    else
        fp_doc_line(d, "The detail below shows run %" PRIu64 ".", s->d.run_index);
    fp_doc_blank(d);
    detail_methods(d, s, which);
    detail_path(d, s, which);
    detail_markers(d, s, which);
    detail_findings(d, s, which);
    detail_recs(d, s, which);
    if (s->d.simulated)
        detail_truth(d, s, which);
    if (s->runs > 1) {
        across_methods(d, s);
        across_findings(d, s);
        if (s->simulated_runs)
            across_truth(d, s);
    }
}

/* On a terminal (colour allowed): one sparkline per series of the first run. */
static void sparklines(fp_doc *d, const fp_scn *s)
{
    static const struct {
        int k;
        const char *label;
    } rows[] = {{FP_PICS_MEM, "Memory"}, {FP_PICS_CPU, "CPU   "}};
    char buf[3 * 64 + 1];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (fp_pics_spark(s->d.pics, rows[i].k, 60, buf, sizeof buf)[0] != '\0')
            fp_doc_line(d, "%s %s (run %" PRIu64 ", 0..%.1f s)", rows[i].label, buf, s->d.run_index,
                        s->d.pics->t_end);
    fp_doc_blank(d);
}

/* Comparison columns: summary metric and header. */
static const struct {
    int k;
    const char *head;
} s_cmp[] = {
    /* short headers: the table of four built-ins fits in FP_TEXT_WIDTH (100) columns */
    {FP_S_DURATION, "Duration"},   {FP_S_PEAK_MEM, "Peak MB"}, {FP_S_AVG_CPU, "Avg CPU %"},
    {FP_S_PEAK_CPU, "Peak CPU %"}, {FP_S_IO_OPS, "I/O ops"},   {FP_S_SCORE, "Score"},
    {FP_S_F_CRITICAL, "Crit"},     {FP_S_F_HIGH, "High"},      {FP_S_F_MEDIUM, "Med"},
    {FP_S_F_LOW, "Low"},
};
#define N_CMP (sizeof s_cmp / sizeof s_cmp[0])

static void comparison(fp_doc *d, const fp_report *r)
{
    const char *head[N_CMP + 1];
    char align[N_CMP + 2];
    char a[NB], b[NB], c[NB], why[256];
    int ranges = 0;
    size_t i, j;
    fp_tab t;

    for (i = 0; i < r->n_scns; i++)
        if (r->scns[i]->runs > 1)
            ranges = 1;
    head[0] = "Scenario";
    align[0] = 'l';
    for (j = 0; j < N_CMP; j++) {
        head[j + 1] = s_cmp[j].head;
        align[j + 1] = 'r';
    }
    align[N_CMP + 1] = '\0';
    fp_doc_heading(d, 2, "Comparison");
    /* text shows medians only, so that the table fits in FP_TEXT_WIDTH columns: the 5-95 %
     * ranges are in each scenario's summary above (and in Markdown, JSON and CSV) */
    int show_ranges = ranges && d->markdown;
    if (show_ranges)
        fp_doc_line(d, "Cells show the median over runs and the 5-95 %% range [P5, P95].");
    else if (ranges)
        fp_doc_line(d, "Cells show the median over runs; each scenario's summary above gives the "
                       "5-95 %% range.");
    fp_tab_init(&t, N_CMP + 1, head, align);
    for (i = 0; i < r->n_scns; i++) {
        const fp_scn *s = r->scns[i];
        fp_tab_cell(&t, FP_STYLE_NONE, "%s", s->name);
        for (j = 0; j < N_CMP; j++) {
            int k = s_cmp[j].k;
            if (s->runs == 0) {
                fp_tab_cell(&t, FP_STYLE_NONE, "n/a");
                continue;
            }
            fmt_sum(a, sizeof a, k, fp_qacc_get(&s->sum[k], FP_Q_MED));
            if (show_ranges && s->runs > 1)
                fp_tab_cell(&t, FP_STYLE_NONE, "%s [%s, %s]", a,
                            fmt_sum(b, sizeof b, k, fp_qacc_get(&s->sum[k], FP_Q_P5)),
                            fmt_sum(c, sizeof c, k, fp_qacc_get(&s->sum[k], FP_Q_P95)));
            else
                fp_tab_cell(&t, FP_STYLE_NONE, "%s", a);
        }
    }
    fp_tab_cell(&t, FP_STYLE_BOLD, "geometric mean");
    for (j = 0; j < N_CMP; j++) {
        int ok, k = s_cmp[j].k;
        double g = fp_report_geomean(r, k, &ok);
        int dec = fp_sum_infos[k].decimals;
        fp_tab_cell(&t, FP_STYLE_NONE, "%s",
                    !ok                  ? "n/a"
                    : sum_is_duration(k) ? fp_fmt_duration(a, sizeof a, g)
                                         : fp_fmt_fixed(a, sizeof a, g, dec < 0 ? 2 : dec));
    }
    fp_doc_table(d, &t);
    fp_tab_cleanup(&t);
    fp_doc_line(d, "Geometric mean over scenarios of the %s; n/a where a value is 0.",
                ranges ? "medians" : "values");
    fp_doc_blank(d);

    {
        static const struct {
            const char *label;
            int k, highest;
        } picks[] = {
            {"Best score", FP_S_SCORE, 1},
            {"Worst score", FP_S_SCORE, 0},
            {"Fastest", FP_S_DURATION, 0},
            {"Slowest", FP_S_DURATION, 1},
            {"Highest peak memory", FP_S_PEAK_MEM, 1},
            {"Most findings", FP_S_F_TOTAL, 1},
        };
        for (j = 0; j < sizeof picks / sizeof picks[0]; j++) {
            size_t w = fp_report_pick(r, picks[j].k, picks[j].highest);
            int k = picks[j].k;
            const char *unit = k == FP_S_F_TOTAL    ? " findings"
                               : k == FP_S_SCORE    ? "/100"
                               : k == FP_S_DURATION ? ""
                                                    : " MB";
            if (w == (size_t)-1)
                continue;
            fp_doc_item(d, FP_STYLE_NONE, "%s: %s (%s%s)%s%s", picks[j].label, r->scns[w]->name,
                        fmt_sum(a, sizeof a, k, fp_qacc_get(&r->scns[w]->sum[k], FP_Q_MED)), unit,
                        k == FP_S_SCORE && !picks[j].highest ? ": " : "",
                        k == FP_S_SCORE && !picks[j].highest
                            ? fp_report_score_why(r->scns[w], why, sizeof why)
                            : "");
        }
        fp_doc_blank(d);
        fp_doc_line(d, "Ties go to the scenario listed first.");
    }
}

/* "high memory_hotspot on 'generate_draft' (impact 89)": a scenario's top finding of run 0. */
static const char *top_finding(char *buf, size_t size, const fp_scn *s)
{
    if (!s->has_detail || s->d.n_findings == 0) {
        snprintf(buf, size, "no findings");
        return buf;
    }
    const fp_finding *f = &s->d.findings[0];
    snprintf(buf, size, "%s %s on '%s' (impact %.0f)", fp_severity_name(f->severity),
             fp_kind_name(f->kind), f->target_name, f->impact);
    return buf;
}

/*
 * The first lines a reader sees: which scenario is worst (lowest median score) and why (its top
 * finding and root cause), then one line per scenario. The detail follows.
 */
static void at_a_glance(fp_doc *d, const fp_report *r)
{
    char a[NB], top[FP_FINDING_TEXT_MAX + 128];
    size_t w = fp_report_pick(r, FP_S_SCORE, 0);
    if (w == (size_t)-1)
        return;
    const fp_scn *s = r->scns[w];
    double score = fp_qacc_get(&s->sum[FP_S_SCORE], FP_Q_MED);
    fp_doc_heading(d, 2, "At a glance");
    fp_doc_line(
        d, "%s: %s, score %s/100%s (%s); %s.", r->n_scns > 1 ? "Worst scenario" : "Scenario",
        s->name, fp_fmt_fixed(a, sizeof a, score, 1), s->runs > 1 ? " median" : "",
        fp_score_status_name(fp_score_status_from_score(score)), top_finding(top, sizeof top, s));
    if (s->has_detail && s->d.n_findings > 0)
        fp_doc_line(d, "Why%s: %s", s->runs > 1 ? " (run 0)" : "", s->d.findings[0].root_cause);
    if (r->n_scns > 1) {
        fp_doc_blank(d);
        for (size_t i = 0; i < r->n_scns; i++) {
            const fp_scn *x = r->scns[i];
            if (x->runs == 0)
                continue;
            fp_doc_item(d, FP_STYLE_NONE, "%s: score %s/100, top: %s", x->name,
                        fp_fmt_fixed(a, sizeof a, fp_qacc_get(&x->sum[FP_S_SCORE], FP_Q_MED), 1),
                        top_finding(top, sizeof top, x));
        }
    }
    fp_doc_blank(d);
}

fp_status fp_report_write_doc(const fp_report *r, FILE *out, int markdown, fp_error *err)
{
    fp_doc d;
    d.out = out;
    d.markdown = markdown;
    d.colour = r->opt.colour && !markdown;
    d.st = FP_OK;

    fp_doc_heading(&d, 1, "%s", r->title ? r->title : "fpsim report");
    fp_doc_line(&d, "fpsim %s; report schema %d; %zu scenario%s",
                fp_report_meta_get(NULL).fpsim_version, FP_REPORT_SCHEMA_VERSION, r->n_scns,
                plural(r->n_scns));
    fp_doc_blank(&d);
    at_a_glance(&d, r);
    for (size_t i = 0; i < r->n_scns && d.st == FP_OK; i++) {
        const fp_scn *s = r->scns[i];
        fp_doc_heading(&d, 2, "Scenario: %s", s->name);
        fp_doc_line(&d, "seed %" PRIu64 ", rng %s, GSL %s, fpsim %s, %zu run%s", s->seed,
                    s->rng[0] ? s->rng : "n/a", s->gsl[0] ? s->gsl : "n/a",
                    fp_report_meta_get(NULL).fpsim_version, s->runs, plural(s->runs));
        if (s->runs > FP_REPORT_EXACT_RUNS)
            fp_doc_line(&d,
                        "Medians and ranges are exact up to %d runs; beyond, P-square estimates.",
                        FP_REPORT_EXACT_RUNS);
        fp_doc_blank(&d);
        if (s->runs == 0) {
            fp_doc_line(&d, "No runs.");
            fp_doc_blank(&d);
            continue;
        }
        summary(&d, s);
        if (d.colour && s->has_detail && s->d.pics != NULL)
            sparklines(&d, s);
        if (s->has_detail) {
            run_events(&d, s, FP_EVENT_GUARD_BREACH);
            run_events(&d, s, FP_EVENT_SAMPLING_GAP);
        }
        if (r->opt.detailed && s->has_detail)
            detail(&d, s);
    }
    if (r->n_scns >= 2 && d.st == FP_OK)
        comparison(&d, r);
    if (d.st == FP_OK && ferror(out))
        d.st = FP_EIO;
    if (d.st != FP_OK)
        return fp_error_set(err, d.st, "report: %s",
                            d.st == FP_EIO ? "write error" : fp_status_str(d.st));
    return FP_OK;
}
