/*
 * fp_validate_kinds.c - THE PER-KIND TABLES OF THE VALIDATION ENGINE, kept together in one place:
 * the default sweep list and grids (s_sweeps), the default power grid (s_power_grid), the
 * simulator's effective magnitude (effective_magnitude) and the magnitude units
 * (magnitude_label). They are moved unchanged from cli/fp_cli_validate.c and are to be replaced
 * by the bottleneck kind table (profile/) and the detector registry (analysis/): a new detector
 * or kind then needs no edit here.
 */
#include "fp_validate.h"

#include <stdio.h>
#include <string.h>

/* ======================= BEGIN per-kind tables (replaced by the kind table / registry) ======== */

typedef struct sweep_def {
    const char *detector;
    const char *key;
    double grid[12];
    size_t n;
} sweep_def;

static const sweep_def s_sweeps[] = {
    {"slow_method", "slow_method.mean_s", {0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4}, 10},
    {"latency_outliers", "latency_outliers.z", {2.5, 3, 3.5, 4, 4.5, 5, 6, 8}, 8},
    {"memory_hotspot", "memory_hotspot.alloc_mb", {25, 50, 75, 100, 150, 200, 300, 400}, 8},
    {"memory_leak", "memory_leak.min_growth_mb", {10, 25, 50, 100, 200, 400}, 6},
    {"cpu_saturation", "cpu_saturation.pct", {60, 70, 75, 80, 85, 90, 95}, 7},
    {"call_storm", "call_storm.calls", {100, 250, 500, 1000, 2000, 5000}, 6},
    {"io_heavy", "io_heavy.ops", {1000, 2500, 5000, 10000, 20000, 50000}, 6},
};

static const double s_power_grid[] = {0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4,
                                      0.5,  0.7,  1.0, 1.5,  2.0, 3.0};

/* The effective magnitude the simulator applies at `scale` (sim/fp_sim.c). */
static double effective_magnitude(fp_kind k, double m, double scale)
{
    switch (k) {
    case FP_KIND_SLOW_METHOD:
    case FP_KIND_LATENCY_OUTLIERS:
    case FP_KIND_CALL_STORM:
    case FP_KIND_IO_HEAVY:
        return 1.0 + (m - 1.0) * scale;
    default:
        return m * scale;
    }
}

static const char *magnitude_label(fp_kind k)
{
    switch (k) {
    case FP_KIND_MEMORY_HOTSPOT:
        return "MB per call";
    case FP_KIND_MEMORY_LEAK:
        return "MB/s or MB per call";
    case FP_KIND_CPU_SATURATION:
        return "scale x (target CPU % - base)";
    default:
        return "factor";
    }
}

/* ======================= END per-kind tables ================================================= */

fp_status fp_validate_sweep_resolve(const char *name, fp_kind *kind, const char **key, double *grid,
                                    size_t *n, fp_error *err)
{
    for (size_t i = 0; i < sizeof s_sweeps / sizeof s_sweeps[0]; i++) {
        if (strcmp(name, s_sweeps[i].detector) == 0 || strcmp(name, s_sweeps[i].key) == 0) {
            fp_kind_from_name(s_sweeps[i].detector, kind);
            *key = s_sweeps[i].key;
            *n = s_sweeps[i].n;
            memcpy(grid, s_sweeps[i].grid, *n * sizeof *grid);
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
    if (strcmp(det, "score") == 0 || fp_kind_from_name(det, kind) != FP_OK)
        return fp_error_set(err, FP_EINVAL, "'%s' is not a detector threshold", name);
    *key = name;
    static const double mult[] = {0.25, 0.5, 0.75, 1, 1.5, 2, 4};
    *n = 0;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        grid[(*n)++] = def * mult[i];
    return FP_OK;
}

const double *fp_validate_power_grid(size_t *n)
{
    *n = sizeof s_power_grid / sizeof s_power_grid[0];
    return s_power_grid;
}

double fp_validate_effective_magnitude(fp_kind k, double m, double scale)
{
    return effective_magnitude(k, m, scale);
}

const char *fp_validate_magnitude_label(fp_kind k)
{
    return magnitude_label(k);
}
