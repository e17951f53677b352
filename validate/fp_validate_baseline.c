/*
 * fp_validate_baseline.c - learning a scenario's baseline from clean simulated runs on an
 * independent seed stream (`fpsim baseline --scenario`, `--baseline auto`).
 */
#include "fp_validate.h"

#include "fp_sim.h"

fp_status fp_validate_learn_baseline(fp_baseline **out, const fp_scenario *scn,
                                     const gsl_rng_type *rng, uint64_t seed, uint64_t runs,
                                     const fp_thresholds *th, fp_validate_cancel_fn cancel,
                                     void *cancel_ctx, fp_error *err)
{
    fp_sim_options o = FP_SIM_OPTIONS_INIT;
    fp_sim *sim = NULL;
    fp_profile *prof = NULL;
    fp_baseline *b = NULL;
    uint64_t bseed = fp_sim_stream_seed(seed, fp_scenario_name(scn), 0, FP_BASELINE_SEED_COMPONENT);
    fp_status st;
    uint64_t r;

    *out = NULL;
    o.rng_type = rng;
    o.force_bottlenecks = 0; /* clean runs: nothing injected */
    o.cancel = cancel;
    o.cancel_ctx = cancel_ctx;
    st = fp_sim_new(&sim, scn, &o, err);
    if (st == FP_OK && (prof = fp_profile_new()) == NULL)
        st = fp_error_set(err, FP_ENOMEM, "out of memory");
    if (st == FP_OK)
        st = fp_baseline_new(&b, err);
    for (r = 0; st == FP_OK && r < runs; r++) {
        if (cancel != NULL && cancel(cancel_ctx))
            st = fp_error_set(err, FP_EINTR, "interrupted");
        if (st == FP_OK)
            st = fp_sim_run(sim, bseed, r, prof, err);
        if (st == FP_OK)
            st = fp_baseline_add(b, prof, th, cancel, cancel_ctx, err);
    }
    if (st == FP_OK)
        st = fp_baseline_finish(b, err);
    fp_profile_free(prof);
    fp_sim_free(sim);
    if (st != FP_OK)
        fp_baseline_free(b);
    else
        *out = b;
    return st;
}
