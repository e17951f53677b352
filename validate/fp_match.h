/*
 * fp_match.h - matching the findings of an analysis to the ground truth of a simulated run.
 *
 * Part of the validation layer (validate/), which sits above analysis/: analysis/ never reads the
 * ground truth, and no detector calls this. It exists so that reports can mark each injected
 * bottleneck found or missed and each finding true or false alarm, and so that `fpsim validate`
 * can compute precision and recall. The rules are documented
 * in docs/validation.md ("Matching findings to ground truth"):
 *
 *  - a finding and a truth record are candidates when their kinds are equal and their targets
 *    agree: the same method; a process-level truth with a process-level finding; for the
 *    time-based kinds (memory_leak, cpu_saturation) a method-level truth also with a
 *    process-level finding, since a leak or a CPU episode may not be attributable to one method;
 *  - for the time-based kinds the two time windows must also overlap once widened by the
 *    tolerance max(abs_tol_s, rel_tol * run duration) (defaults 2 s and 5 %);
 *  - truth records with no observable effect (affected_calls == 0 and every extra_* == 0) are
 *    "not observable": they are neither found nor missed and never match a finding;
 *  - one finding matches at most one truth record and vice versa, chosen greedily: candidate
 *    pairs are taken in the order (same target before process fallback, larger signed window
 *    overlap, lower truth index, lower finding index), and a pair is kept when both are free.
 *
 * Ownership: fp_match_result is caller-allocated (fp_match_result_init / fp_match_result_cleanup);
 * its arrays are owned by it and reallocated by each match call.
 */
#ifndef FP_MATCH_H
#define FP_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "fp_analysis.h"
#include "fp_core.h"
#include "fp_profile.h"

/* Default tolerance for the time-based kinds: max(FP_MATCH_ABS_TOL_S, FP_MATCH_REL_TOL * run). */
#define FP_MATCH_ABS_TOL_S 2.0
#define FP_MATCH_REL_TOL 0.05

/* Matching parameters. Plain value type; FP_MATCH_OPTIONS_INIT gives the defaults. */
typedef struct fp_match_options {
    double abs_tol_s; /* absolute window tolerance, seconds (>= 0) */
    double rel_tol;   /* tolerance as a fraction of the run duration (>= 0) */
} fp_match_options;

#define FP_MATCH_OPTIONS_INIT                                                                      \
    {                                                                                              \
        FP_MATCH_ABS_TOL_S, FP_MATCH_REL_TOL                                                       \
    }

/* What became of one truth record. */
typedef enum fp_truth_outcome {
    FP_TRUTH_FOUND = 0,   /* matched by a finding */
    FP_TRUTH_MISSED,      /* observable, but no finding matched it */
    FP_TRUTH_UNOBSERVABLE /* no effect on the run (affected_calls == 0, no extra cost) */
} fp_truth_outcome;

/* "found", "missed", "not_observable"; NULL when out of range. Static string. */
const char *fp_truth_outcome_name(fp_truth_outcome o);

/* finding_truth[j] of a consequence (fp_finding.caused_by > 0) of a true finding that matched
 * no truth itself: neither a true positive nor a false alarm. */
#define FP_MATCH_CONSEQUENCE (-2)

/*
 * Result of one match. Invariants: truth_outcome[i] == FP_TRUTH_FOUND iff truth_finding[i] >= 0;
 * finding_truth[j] >= 0 iff finding j is a true positive, and then truth_finding[finding_truth[j]]
 * == j; finding_truth[j] == FP_MATCH_CONSEQUENCE for the `consequences`; found + missed +
 * unobservable == n_truth; true_positives + false_alarms + consequences == n_findings;
 * found == true_positives.
 */
typedef struct fp_match_result {
    size_t n_truth;
    fp_truth_outcome *truth_outcome; /* n_truth entries */
    int64_t *truth_finding;          /* n_truth entries: index of the matching finding, or -1 */
    size_t n_findings;
    int64_t *finding_truth; /* n_findings entries: index of the matched truth, -1 (false alarm)
                               or FP_MATCH_CONSEQUENCE */
    size_t found, missed, unobservable;
    size_t true_positives, false_alarms;
    size_t consequences; /* consequences of true findings: neither true nor false */
    double tolerance_s;  /* the window tolerance used, seconds */
} fp_match_result;

/* Sets `r` to an empty result (no allocation). */
void fp_match_result_init(fp_match_result *r);

/* Frees the arrays of `r` and re-initialises it. NULL is a no-op. */
void fp_match_result_cleanup(fp_match_result *r);

/* 1 when truth record `t` had an observable effect on its run, else 0. */
int fp_truth_observable(const fp_truth *t);

/*
 * Matches `n_findings` findings against `n_truth` truth records of a run lasting `duration_s`
 * (used for the relative tolerance). Root findings are matched first, then consequences
 * (fp_finding.caused_by > 0) may match a truth left over; a consequence left unmatched whose
 * cause is a true positive is FP_MATCH_CONSEQUENCE, else a false alarm.
 * `opt` may be NULL (defaults). Fills `out` (previous content
 * freed). FP_OK, FP_EINVAL (negative or non-finite tolerance or duration) or FP_ENOMEM; on error
 * `out` is left empty. Deterministic; O((n_truth * n_findings) log(...)) time.
 */
fp_status fp_match_findings(fp_match_result *out, const fp_truth *truth, size_t n_truth,
                            const fp_finding *findings, size_t n_findings, double duration_s,
                            const fp_match_options *opt, fp_error *err);

/*
 * Matches the findings of `a` against the ground truth of `p` (the profile `a` was computed
 * from), using fp_profile_duration(p) for the relative tolerance. Same contract as
 * fp_match_findings(). A profile without truth records gives every finding as a false alarm;
 * callers decide whether that is meaningful (fp_meta.simulated).
 */
fp_status fp_match_run(fp_match_result *out, const fp_profile *p, const fp_analysis *a,
                       const fp_match_options *opt, fp_error *err);

#endif /* FP_MATCH_H */
