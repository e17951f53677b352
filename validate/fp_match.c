/*
 * fp_match.c - one-to-one matching of findings to ground-truth records (rules in fp_match.h and
 * docs/validation.md). Greedy over the candidate pairs sorted by a total order, so the result does
 * not depend on anything but the inputs.
 */
#include "fp_match.h"
#include "fp_validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *fp_truth_outcome_name(fp_truth_outcome o)
{
    switch (o) {
    case FP_TRUTH_FOUND:
        return "found";
    case FP_TRUTH_MISSED:
        return "missed";
    case FP_TRUTH_UNOBSERVABLE:
        return "not_observable";
    }
    return NULL;
}

void fp_match_result_init(fp_match_result *r)
{
    memset(r, 0, sizeof *r);
}

void fp_match_result_cleanup(fp_match_result *r)
{
    if (r == NULL)
        return;
    fp_free(r->truth_outcome);
    fp_free(r->truth_finding);
    fp_free(r->finding_truth);
    fp_match_result_init(r);
}

int fp_truth_observable(const fp_truth *t)
{
    return t->affected_calls > 0 || t->extra_s != 0 || t->extra_mb != 0 || t->extra_calls != 0 ||
           t->extra_io_ops != 0 || t->extra_io_bytes != 0 || t->extra_cpu_pct_s != 0;
}

/* A candidate pair and its sort keys. */
typedef struct cand {
    size_t truth, finding;
    int root;       /* 1 for a root finding, 0 for a consequence (matched after every root) */
    int exact;      /* 1 when the targets are equal, 0 for the process fallback */
    double overlap; /* signed overlap of the two windows, seconds (negative: a gap) */
} cand;

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->root != b->root)
        return a->root > b->root ? -1 : 1;
    if (a->exact != b->exact)
        return a->exact > b->exact ? -1 : 1;
    if (a->overlap != b->overlap)
        return a->overlap > b->overlap ? -1 : 1;
    if (a->truth != b->truth)
        return a->truth < b->truth ? -1 : 1;
    if (a->finding != b->finding)
        return a->finding < b->finding ? -1 : 1;
    return 0;
}

/* Returns 1 and fills *c when (t, f) is a candidate pair under tolerance `tol`. */
static int candidate(const fp_truth *t, const fp_finding *f, double tol, cand *c)
{
    double lo, hi;
    if (t->kind != f->kind)
        return 0;
    if (t->target == f->target)
        c->exact = 1;
    else if (fp_validate_time_based(t->kind) && f->target == FP_TARGET_PROCESS)
        c->exact = 0;
    else
        return 0;
    lo = t->start_s > f->start_s ? t->start_s : f->start_s;
    hi = t->end_s < f->end_s ? t->end_s : f->end_s;
    c->overlap = hi - lo;
    if (!isfinite(c->overlap))
        c->overlap = 0;
    if (fp_validate_time_based(t->kind) && c->overlap < -tol)
        return 0;
    return 1;
}

fp_status fp_match_findings(fp_match_result *out, const fp_truth *truth, size_t n_truth,
                            const fp_finding *findings, size_t n_findings, double duration_s,
                            const fp_match_options *opt, fp_error *err)
{
    fp_match_options def = FP_MATCH_OPTIONS_INIT;
    cand *cands = NULL;
    size_t n_cands = 0, cap = 0, i, j;
    fp_status st = FP_OK;
    double tol;

    fp_match_result_cleanup(out);
    if (opt == NULL)
        opt = &def;
    if (!(opt->abs_tol_s >= 0) || !(opt->rel_tol >= 0) || !isfinite(opt->abs_tol_s) ||
        !isfinite(opt->rel_tol) || !(duration_s >= 0) || !isfinite(duration_s))
        return fp_error_set(err, FP_EINVAL,
                            "match: tolerances and duration must be finite and >= 0");
    tol = opt->rel_tol * duration_s;
    if (tol < opt->abs_tol_s)
        tol = opt->abs_tol_s;

    out->n_truth = n_truth;
    out->n_findings = n_findings;
    out->tolerance_s = tol;
    out->truth_outcome = fp_calloc(n_truth ? n_truth : 1, sizeof *out->truth_outcome);
    out->truth_finding = fp_calloc(n_truth ? n_truth : 1, sizeof *out->truth_finding);
    out->finding_truth = fp_calloc(n_findings ? n_findings : 1, sizeof *out->finding_truth);
    if (!out->truth_outcome || !out->truth_finding || !out->finding_truth) {
        st = FP_ENOMEM;
        goto out;
    }
    for (i = 0; i < n_truth; i++) {
        out->truth_finding[i] = -1;
        out->truth_outcome[i] =
            fp_truth_observable(&truth[i]) ? FP_TRUTH_MISSED : FP_TRUTH_UNOBSERVABLE;
    }
    for (j = 0; j < n_findings; j++)
        out->finding_truth[j] = -1;

    for (i = 0; i < n_truth; i++) {
        if (out->truth_outcome[i] == FP_TRUTH_UNOBSERVABLE)
            continue;
        for (j = 0; j < n_findings; j++) {
            cand c;
            if (!candidate(&truth[i], &findings[j], tol, &c))
                continue;
            c.truth = i;
            c.finding = j;
            c.root = findings[j].caused_by == 0;
            st = fp_grow((void **)&cands, &cap, n_cands + 1, sizeof *cands);
            if (st != FP_OK)
                goto out;
            cands[n_cands++] = c;
        }
    }
    if (n_cands > 1)
        qsort(cands, n_cands, sizeof *cands, cand_cmp);
    for (i = 0; i < n_cands; i++) {
        const cand *c = &cands[i];
        if (out->truth_finding[c->truth] >= 0 || out->finding_truth[c->finding] >= 0)
            continue;
        out->truth_finding[c->truth] = (int64_t)c->finding;
        out->finding_truth[c->finding] = (int64_t)c->truth;
        out->truth_outcome[c->truth] = FP_TRUTH_FOUND;
    }
    for (i = 0; i < n_truth; i++) {
        if (out->truth_outcome[i] == FP_TRUTH_FOUND)
            out->found++;
        else if (out->truth_outcome[i] == FP_TRUTH_MISSED)
            out->missed++;
        else
            out->unobservable++;
    }
    for (j = 0; j < n_findings; j++) {
        size_t cause = findings[j].caused_by;
        if (out->finding_truth[j] < 0 && cause > 0 && cause <= n_findings &&
            out->finding_truth[cause - 1] >= 0)
            out->finding_truth[j] = FP_MATCH_CONSEQUENCE;
        if (out->finding_truth[j] >= 0)
            out->true_positives++;
        else if (out->finding_truth[j] == FP_MATCH_CONSEQUENCE)
            out->consequences++;
        else
            out->false_alarms++;
    }
out:
    fp_free(cands);
    if (st != FP_OK) {
        fp_match_result_cleanup(out);
        return fp_error_set(err, st, "match: out of memory");
    }
    return FP_OK;
}

fp_status fp_match_run(fp_match_result *out, const fp_profile *p, const fp_analysis *a,
                       const fp_match_options *opt, fp_error *err)
{
    size_t n_findings = 0;
    const fp_finding *f = fp_analysis_findings(a, &n_findings);
    return fp_match_findings(out, fp_profile_truth(p), fp_profile_truth_count(p), f, n_findings,
                             fp_profile_duration(p), opt, err);
}
