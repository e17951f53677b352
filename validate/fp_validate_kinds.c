/*
 * fp_validate_kinds.c - what the validation engine needs per kind and per detector, all derived
 * from the two lists: the bottleneck kind table (FP_KIND_LIST, profile/fp_profile.h: magnitude
 * labels), the detector registry (FP_DETECTOR_LIST, analysis/fp_analysis.h: --sweep keys and
 * default grids) and the simulator's magnitude law (fp_sim_effective_magnitude). A new kind or
 * detector needs no edit here. The power grid is a scale, the same for every kind.
 */
#include "fp_validate.h"

#include "fp_sim.h"

#include <stdio.h>
#include <string.h>

/* The default grid of magnitude scales for --power (any kind). */
static const double s_power_grid[] = {0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4,
                                      0.5,  0.7,  1.0, 1.5,  2.0, 3.0};

/* The description of threshold `key`, or NULL. */
static const fp_threshold_info *threshold_info(const char *key)
{
    for (size_t i = 0; i < fp_thresholds_key_count(); i++)
        if (strcmp(fp_thresholds_key_info(i)->key, key) == 0)
            return fp_thresholds_key_info(i);
    return NULL;
}

fp_status fp_validate_sweep_resolve(const char *name, fp_kind *kind, const char **key, double *grid,
                                    size_t *n, fp_error *err)
{
    for (size_t i = 0; i < fp_detector_count(); i++) {
        const fp_detector_info *d = fp_detector_get(i);
        if (strcmp(name, d->name) == 0 || strcmp(name, d->sweep_key) == 0) {
            if (d->n_sweep > FP_VALIDATE_MAX_GRID)
                return fp_error_set(err, FP_ELIMIT,
                                    "the default grid of '%s' has more than %d values", d->name,
                                    FP_VALIDATE_MAX_GRID);
            *kind = d->kind;
            *key = d->sweep_key;
            *n = d->n_sweep;
            memcpy(grid, d->sweep_grid, *n * sizeof *grid);
            return FP_OK;
        }
    }
    /* Any other threshold key: its detector is the part before the dot; grid around default. */
    double def;
    fp_thresholds t = FP_THRESHOLDS_INIT;
    if (fp_thresholds_get(&t, name, &def, NULL) != FP_OK)
        return fp_error_set(err, FP_EINVAL, "unknown detector or threshold '%s'", name);
    char det[64];
    snprintf(det, sizeof det, "%s", name);
    det[strcspn(det, ".")] = '\0';
    const fp_detector_info *d = fp_detector_find(det);
    if (d == NULL)
        return fp_error_set(err, FP_EINVAL, "'%s' is not a detector threshold", name);
    *kind = d->kind;
    *key = name;
    /* Multiples of the default inside the key's [min, max], without repeats (ascending). A
     * default of 0 has no multiples: the caller must give the values (*n = 0). */
    static const double mult[] = {0.25, 0.5, 0.75, 1, 1.5, 2, 4};
    const fp_threshold_info *ti = threshold_info(name);
    *n = 0;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0] && def != 0; i++) {
        double v = def * mult[i];
        if (ti != NULL && (v < ti->min || v > ti->max))
            continue;
        if (*n > 0 && grid[*n - 1] == v)
            continue;
        grid[(*n)++] = v;
    }
    return FP_OK;
}

fp_status fp_validate_sweep_check(const char *key, const double *grid, size_t n, fp_error *err)
{
    if (n > FP_VALIDATE_MAX_GRID)
        return fp_error_set(err, FP_EINVAL, "sweep: at most %d thresholds", FP_VALIDATE_MAX_GRID);
    for (size_t i = 0; i < n; i++) {
        fp_thresholds t = FP_THRESHOLDS_INIT;
        fp_status st = fp_thresholds_set(&t, key, grid[i], err);
        if (st != FP_OK)
            return st;
    }
    return FP_OK;
}

const double *fp_validate_power_grid(size_t *n)
{
    *n = sizeof s_power_grid / sizeof s_power_grid[0];
    return s_power_grid;
}

double fp_validate_effective_magnitude(fp_kind k, double m, double scale)
{
    return fp_sim_effective_magnitude(k, m, scale);
}

const char *fp_validate_magnitude_label(fp_kind k)
{
    const fp_kind_info *ki = fp_kind_info_get(k);
    return ki ? ki->mag_label : "?";
}
