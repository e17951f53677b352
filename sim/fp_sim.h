/*
 * fp_sim.h - the stochastic mock profiler: turns a scenario into profiling runs.
 *
 * A run is generated event by event (docs/simulation.md): top-level calls in declaration order,
 * each call doing half of its own work, then its callees (sequentially, or all at once for a
 * parallel edge), then the other half. Spans, memory, CPU and I/O series and the ground truth of
 * every injected bottleneck all come from that one timeline, so they agree with each other.
 *
 * Randomness: each run has its own generator, seeded by fp_sim_stream_seed(seed, scenario name,
 * run index, component): run k is identical whether simulated alone, in a batch or on another
 * thread. Component 0 drives the flow; component 1 + i drives bottleneck i (occurrence,
 * magnitude, onset, and any calls it adds), so injecting a bottleneck never shifts the baseline
 * draws and a run with the injection differs from the run without it exactly by what the ground
 * truth records. Component 0x6e6f697365 ("noise") drives the measurement noise.
 *
 * Ownership: an fp_sim borrows the scenario (which must outlive it) and owns its generators and
 * workspace. One fp_sim per thread; fp_sim_run() reuses the output profile's allocations, so
 * simulating many runs does not grow memory.
 *
 * GSL: the caller must turn off GSL's default error handler, which aborts the process, before
 * the first call (gsl_set_error_handler_off(), as cli/main.c and the tests do), so that a GSL
 * error is a return value the library checks, not abort().
 */
#ifndef FP_SIM_H
#define FP_SIM_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "fp_scenario.h"
#include "fp_profile.h"

#define FP_SIM_DEFAULT_SEED 42
#define FP_SIM_MAX_SPANS 10000000
#define FP_SIM_MAX_SAMPLES 10000000 /* per series, per run */

/* Options for a simulator. Plain value type; initialise with FP_SIM_OPTIONS_INIT. */
typedef struct fp_sim_options {
    const gsl_rng_type *rng_type; /* NULL: gsl_rng_mt19937 */
    int force_bottlenecks;        /* -1: use each probability; 0: inject none; 1: inject all */
    double magnitude_scale; /* multiplies drawn magnitudes' effect (power sweeps); 1 = as is */
    /* Polled every few thousand calls while a run is built (well under a second apart);
     * nonzero stops fp_sim_run() with FP_EINTR. NULL: never. The callback and `cancel_ctx`
     * are borrowed; it may be called from the thread running fp_sim_run(). */
    int (*cancel)(void *ctx);
    void *cancel_ctx;
    /* Most samples per series a run may have, else fp_sim_run() fails with FP_ELIMIT; 0 (and
     * anything above FP_SIM_MAX_SAMPLES) means FP_SIM_MAX_SAMPLES. A fuzz campaign lowers it so
     * heavy-tailed inputs do not spend minutes on one run. */
    size_t max_samples;
} fp_sim_options;

#define FP_SIM_OPTIONS_INIT                                                                        \
    {                                                                                              \
        NULL, -1, 1.0, NULL, NULL, 0                                                               \
    }

typedef struct fp_sim fp_sim;

/*
 * New simulator for `scn` (borrowed). `opts` may be NULL for defaults. Returns FP_OK or
 * FP_ENOMEM; on success *out is new, free with fp_sim_free().
 */
fp_status fp_sim_new(fp_sim **out, const fp_scenario *scn, const fp_sim_options *opts,
                     fp_error *err);

/* Frees `sim`. NULL is a no-op. */
void fp_sim_free(fp_sim *sim);

/*
 * Simulates run `run_index` of the batch seeded with `seed` into `out` (reset first). Returns
 * FP_OK, FP_ELIMIT (more than FP_SIM_MAX_SPANS spans, e.g. a call storm gone wild, or a run so
 * long that its series would exceed fp_sim_options.max_samples samples) or FP_ENOMEM.
 */
fp_status fp_sim_run(fp_sim *sim, uint64_t seed, uint64_t run_index, fp_profile *out,
                     fp_error *err);

/*
 * The effect size the simulator applies, at full strength (after any ramp), for a drawn
 * magnitude `magnitude` of kind `k` when fp_sim_options.magnitude_scale is `scale`. By the
 * kind's fp_kind_info.mag_mode: a factor (slow_method, latency_outliers, call_storm, io_heavy)
 * gives 1 + (magnitude - 1) * scale, so scale 0 means no effect and 1 the magnitude as drawn; an
 * amount (memory_hotspot MB per call, memory_leak MB/s or MB per call, cpu_saturation target
 * CPU %) gives magnitude * scale. For cpu_saturation the simulator does not use this value: it
 * raises the CPU from its level c to c + (target - c) * min(scale, 1), so magnitude * scale is
 * only a nominal size (fp_kind_info.mag_label says both). NaN for an out-of-range kind. Pure;
 * thread-safe.
 */
double fp_sim_effective_magnitude(fp_kind k, double magnitude, double scale);

/*
 * The documented mixing function: splitmix64 folded over (seed, FNV-1a 64 of the scenario name,
 * run index, component). Exposed for docs and tests.
 */
uint64_t fp_sim_stream_seed(uint64_t seed, const char *scenario_name, uint64_t run_index,
                            uint64_t component);

/*
 * Looks up a GSL generator by name in gsl_rng_types_setup() (never gsl_rng_env_setup()).
 * FP_OK or FP_EINVAL (message lists a few valid names).
 */
fp_status fp_sim_rng_type(const char *name, const gsl_rng_type **out, fp_error *err);

#endif /* FP_SIM_H */
