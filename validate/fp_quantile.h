/*
 * fp_quantile.h - quantiles of a stream of values in bounded memory: exact while the stream is
 * short, a relative-error sketch beyond. Used by `fpsim validate` for the time-to-detect p95
 * (docs/validation.md, "Time to detect"), where a campaign of 10^6 runs would otherwise keep
 * 8 bytes per detection.
 *
 * A store keeps every value until it holds more than `exact_cap` of them; its quantiles are then
 * those of GSL (gsl_stats_quantile_from_sorted_data over the sorted values: the value at index
 * f (n - 1), linearly interpolated between its two neighbours). On the value after exact_cap it
 * moves every value into a log-bucket histogram (a DDSketch-style dense store) and keeps only
 * counts from then on:
 *   - a value v > FP_QUANTILE_MIN goes to bucket i = ceil(ln v / ln g), g = (1 + a) / (1 - a),
 *     a = FP_QUANTILE_REL_ERR, so g^(i-1) < v <= g^i; values <= FP_QUANTILE_MIN (0, and anything
 *     not above it: negative values, NaN) are counted in a bucket of their own, read back as 0;
 *   - the order statistic x[j] is read back as the bucket's middle 2 g^i / (g + 1) (within a
 *     relative a of every value in the bucket), clamped to the smallest and largest value added
 *     (kept exactly; x[0] and x[n-1] are those values, unless x[0] is in the bucket of 0), and
 *     the quantile interpolates the two order statistics as GSL does.
 * So a sketched quantile is within a relative FP_QUANTILE_REL_ERR (0.1 %) of the exact one, or
 * within FP_QUANTILE_MIN in absolute terms for values at or below it. The histogram depends only
 * on the multiset of values added, never on their order.
 *
 * Memory: exact_cap doubles before the switch (allocated at the first value, resident as they
 * are written), then one
 * 8-byte count per bucket between the smallest and the largest bucket seen (plus slack of at
 * most half the range): ln(max / min) / (2 a) buckets, about 1,150 per decade of values (for
 * times to detect from 0.3 to 8 s: about 1,650 buckets, 13 KB), whatever the number of values.
 *
 * Ownership: fp_quantile_store_new() hands over a new store (free with fp_quantile_store_free()).
 * Adding never fails: a value that cannot be kept (out of memory) marks the store, and
 * fp_quantile_store_quantile() then fails with FP_ENOMEM. Not thread-safe; no globals.
 */
#ifndef FP_QUANTILE_H
#define FP_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

#include "fp_core.h"

/* Relative accuracy of a sketched quantile, and the value at and below which values count as 0. */
#define FP_QUANTILE_REL_ERR 0.001
#define FP_QUANTILE_MIN 1e-9

typedef struct fp_quantile_store fp_quantile_store;

/* New empty store, exact up to `exact_cap` values (0: sketched from the first value). FP_OK or
 * FP_ENOMEM ("quantile store: out of memory"). */
fp_status fp_quantile_store_new(fp_quantile_store **out, size_t exact_cap, fp_error *err);

/* Frees `q`. NULL is a no-op. */
void fp_quantile_store_free(fp_quantile_store *q);

/* Adds one value. Cannot fail (an allocation failure marks the store; see above). */
void fp_quantile_store_add(fp_quantile_store *q, double v);

/* Values added. */
uint64_t fp_quantile_store_count(const fp_quantile_store *q);

/* 1 while every value is kept (quantiles exact), 0 once sketched (quantiles approximate). */
int fp_quantile_store_exact(const fp_quantile_store *q);

/* Bytes of heap the store holds now (the struct, its value buffer and its buckets): bounded by
 * exact_cap and the buckets' range, not by the number of values. */
size_t fp_quantile_store_bytes(const fp_quantile_store *q);

/*
 * The f-quantile (0 <= f <= 1) of the values added into *out (0 when none were added). In exact
 * mode it sorts the kept values in place (later adds append; the result does not depend on
 * order). FP_OK, FP_EINVAL (f outside [0, 1]) or FP_ENOMEM (a value could not be kept).
 */
fp_status fp_quantile_store_quantile(fp_quantile_store *q, double f, double *out, fp_error *err);

#endif
