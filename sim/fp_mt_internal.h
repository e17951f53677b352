/*
 * fp_mt_internal.h - GSL's mt19937 generator with lazy seeding, for the simulator's per-run
 * streams (issue 15 section 3).
 *
 * Every run reseeds 3-6 generators (docs/simulation.md, "Seeds and streams"). gsl_rng_set on
 * GSL's mt19937 computes all 624 state words, and the first draw after it twists all 624; a
 * bottleneck's stream then draws a handful of numbers. The type below gives, for every seed,
 * exactly the sequence of gsl_rng_mt19937 (same state recurrence, twist and tempering; the
 * test sim.rng compares them draw for draw), but computes the seeding recurrence and the first
 * block's twist only as far as the draws need: the k-th of the first 227 outputs needs state
 * words 0..k+397, the rest of the first block the whole state. After the first block it is
 * GSL's algorithm. Its name is "mt19937", so profiles and reports name the generator as before.
 *
 * No global state: the type is a constant table; each gsl_rng owns its state.
 */
#ifndef FP_MT_INTERNAL_H
#define FP_MT_INTERNAL_H

#include <gsl/gsl_rng.h>

/* The lazily seeded mt19937 type (static storage, never freed). */
const gsl_rng_type *fp_mt19937_lazy(void);

/* The type the simulator allocates for `t`: fp_mt19937_lazy() for gsl_rng_mt19937, else `t`
 * itself. */
const gsl_rng_type *fp_mt_fast_type(const gsl_rng_type *t);

#endif
