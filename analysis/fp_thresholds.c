/*
 * fp_thresholds.c - the detector registry and the detector thresholds by dotted name, both
 * generated from FP_DETECTOR_LIST (fp_analysis.h); and the names of severities, score statuses
 * and data sources.
 */
#include "fp_analysis.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

typedef struct key_def {
    fp_threshold_info info;
    size_t offset; /* of the double in fp_thresholds */
} key_def;

#define KEY_DEF(group, field, key, unit, def, lo, hi, help)                                        \
    {{#group "." key, unit, def, lo, hi, help}, offsetof(fp_thresholds, field)},

/* FP_THRESHOLD_LIST order, which is also the order of the struct and of FP_THRESHOLDS_INIT. */
static const key_def s_keys[] = {FP_THRESHOLD_LIST(KEY_DEF)};

/* ---- the registry ---- */

#define EXPAND_(...) __VA_ARGS__
#define NO_T_(...)
#define ONE_T_(...) +1

/* Detector index = kind: the list must follow fp_kind order. */
enum {
#define DET_ORD(name, id, ...) DORD_##name,
    FP_DETECTOR_LIST(DET_ORD, NO_T_) N_DETECTORS
};
#define DET_ORDER_CHECK(name, id, ...)                                                             \
    _Static_assert((int)DORD_##name == (int)FP_KIND_##id,                                          \
                   "FP_DETECTOR_LIST must list " #name " at the position of FP_KIND_" #id);
FP_DETECTOR_LIST(DET_ORDER_CHECK, NO_T_)
_Static_assert((int)N_DETECTORS == (int)FP_KIND_COUNT,
               "FP_DETECTOR_LIST needs one detector per kind");

/* Index in s_keys of each detector's first threshold: TBEGIN_<name>. */
enum {
#define TH_IDX(group, field, ...) TIDX_##field,
#define DET_BEGIN(name, id, phase, needs, action, sweep_key, grid, ths)                            \
    TBEGIN_##name, TBEGIN_FIX_##name = TBEGIN_##name - 1, ths
    FP_DETECTOR_LIST(DET_BEGIN, TH_IDX) N_DETECTOR_KEYS_
};

#define DET_GRID(name, id, phase, needs, action, sweep_key, grid, ths)                             \
    static const double s_grid_##name[] = {EXPAND_ grid};
FP_DETECTOR_LIST(DET_GRID, NO_T_)

#define DET_INFO(name, id, phase, needs, action, sweep_key, grid, ths)                             \
    {#name,                                                                                        \
     FP_KIND_##id,                                                                                 \
     FP_DETECT_##phase,                                                                            \
     needs,                                                                                        \
     action,                                                                                       \
     TBEGIN_##name,                                                                                \
     0 ths,                                                                                        \
     #name "." sweep_key,                                                                          \
     s_grid_##name,                                                                                \
     sizeof s_grid_##name / sizeof s_grid_##name[0]},
static const fp_detector_info s_detectors[] = {FP_DETECTOR_LIST(DET_INFO, ONE_T_)};

size_t fp_detector_count(void)
{
    return N_DETECTORS;
}

const fp_detector_info *fp_detector_get(size_t i)
{
    return i < N_DETECTORS ? &s_detectors[i] : NULL;
}

const fp_detector_info *fp_detector_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < N_DETECTORS; i++)
        if (strcmp(name, s_detectors[i].name) == 0)
            return &s_detectors[i];
    return NULL;
}

/* ---- thresholds by name ---- */

#define N_KEYS (sizeof s_keys / sizeof s_keys[0])

void fp_thresholds_init(fp_thresholds *t)
{
    size_t i;
    for (i = 0; i < N_KEYS; i++)
        *(double *)((char *)t + s_keys[i].offset) = s_keys[i].info.def;
}

size_t fp_thresholds_key_count(void)
{
    return N_KEYS;
}

const fp_threshold_info *fp_thresholds_key_info(size_t i)
{
    return i < N_KEYS ? &s_keys[i].info : NULL;
}

/* Index of `key`, or N_KEYS after filling `err` with an unknown-key message. */
static size_t find_key(const char *key, fp_error *err)
{
    const char *names[N_KEYS];
    const char *best;
    size_t i;

    for (i = 0; i < N_KEYS; i++) {
        if (key && strcmp(key, s_keys[i].info.key) == 0)
            return i;
        names[i] = s_keys[i].info.key;
    }
    best = key ? fp_suggest(key, names, N_KEYS) : NULL;
    if (best)
        fp_error_set(err, FP_EINVAL, "unknown analysis threshold '%s' (did you mean '%s'?)", key,
                     best);
    else
        fp_error_set(err, FP_EINVAL, "unknown analysis threshold '%s'", key ? key : "(null)");
    fp_error_set_path(err, key ? key : "");
    return N_KEYS;
}

fp_status fp_thresholds_set(fp_thresholds *t, const char *key, double value, fp_error *err)
{
    size_t i = find_key(key, err);
    const fp_threshold_info *in;

    if (i == N_KEYS)
        return FP_EINVAL;
    in = &s_keys[i].info;
    if (!isfinite(value)) {
        fp_error_set_path(err, key);
        return fp_error_set(err, FP_EINVAL, "analysis threshold '%s' must be finite", key);
    }
    if (value < in->min || value > in->max) {
        fp_error_set_path(err, key);
        return fp_error_set(err, FP_ERANGE, "analysis threshold '%s' must be in [%g, %g], got %g",
                            key, in->min, in->max, value);
    }
    *(double *)((char *)t + s_keys[i].offset) = value;
    return FP_OK;
}

fp_status fp_thresholds_get(const fp_thresholds *t, const char *key, double *out, fp_error *err)
{
    size_t i = find_key(key, err);

    if (i == N_KEYS)
        return FP_EINVAL;
    *out = *(const double *)((const char *)t + s_keys[i].offset);
    return FP_OK;
}

const char *fp_severity_name(fp_severity s)
{
    static const char *const names[] = {"low", "medium", "high", "critical"};
    return (unsigned)s < 4 ? names[s] : NULL;
}

fp_severity fp_severity_from_impact(double impact)
{
    if (impact > 90.0)
        return FP_SEV_CRITICAL;
    if (impact > 70.0)
        return FP_SEV_HIGH;
    if (impact > 50.0)
        return FP_SEV_MEDIUM;
    return FP_SEV_LOW;
}

const char *fp_score_status_name(fp_score_status s)
{
    static const char *const names[] = {"poor", "fair", "good", "excellent"};
    return (unsigned)s < 4 ? names[s] : NULL;
}

fp_score_status fp_score_status_from_score(double score)
{
    if (score >= 90.0)
        return FP_SCORE_EXCELLENT;
    if (score >= 70.0)
        return FP_SCORE_GOOD;
    if (score >= 50.0)
        return FP_SCORE_FAIR;
    return FP_SCORE_POOR;
}

const char *fp_source_name(fp_source s)
{
    static const char *const names[] = {"none", "series", "spans"};
    return (unsigned)s < 3 ? names[s] : NULL;
}
