/*
 * fp_mt.c - mt19937 with lazy seeding, the same sequence as GSL's gsl_rng_mt19937
 * (fp_mt_internal.h). The recurrence, twist and tempering are those of GSL's mt.c (Makoto
 * Matsumoto and Takuji Nishimura's generator with the 2002 initialisation), in 32-bit words.
 */
#include "fp_mt_internal.h"

#include <stdint.h>

enum { MT_N = 624, MT_M = 397 };

#define UPPER_MASK UINT32_C(0x80000000)
#define LOWER_MASK UINT32_C(0x7fffffff)
#define MAGIC(y) (((y)&1u) ? UINT32_C(0x9908b0df) : 0u)

typedef struct {
    uint32_t mt[MT_N];
    int mti;   /* index of the next output in the current block */
    int ready; /* words 0..ready of the current block are twisted (outputs) */
    int init;  /* words 0..init of the seeding recurrence are computed (first block only) */
} mt_state;

static void mt_set(void *vstate, unsigned long int s)
{
    mt_state *st = vstate;
    if (s == 0)
        s = 4357; /* GSL's default seed */
    st->mt[0] = (uint32_t)(s & UINT32_C(0xffffffff));
    st->init = 1;
    st->ready = 0;
    st->mti = 0;
}

/* Twists words [from, to) of the block in place, in order (words before `from` are twisted
 * already): GSL's three loops, cut to the range. */
static void twist_range(uint32_t *mt, int from, int to)
{
    int kk = from;
    const int end1 = to < MT_N - MT_M ? to : MT_N - MT_M, end2 = to < MT_N - 1 ? to : MT_N - 1;
    for (; kk < end1; kk++) {
        uint32_t y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ MAGIC(y);
    }
    for (; kk < end2; kk++) {
        uint32_t y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (MT_M - MT_N)] ^ (y >> 1) ^ MAGIC(y);
    }
    if (to == MT_N) { /* the last word wraps around to the block's start */
        uint32_t y = (mt[MT_N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
        mt[MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ MAGIC(y);
    }
}

/*
 * Makes more outputs of the current block ready. After the first block, GSL's full twist of the
 * next block. In the first block after a seed, the next chunk (16, 32, 64, ... words), computing
 * first the seeding recurrence as far as that chunk reads it (word kk + M for kk < N - M, the
 * whole state after). The recurrence always stays ahead of the twist (init > ready), so it reads
 * words the twist has not overwritten. Kept out of line: the draws' fast path stays small.
 */
__attribute__((noinline)) static void mt_refill(mt_state *st)
{
    uint32_t *mt = st->mt;
    if (st->ready == MT_N) {
        twist_range(mt, 0, MT_N);
        st->mti = 0;
        return;
    }
    int next = st->ready + (st->ready < 16 ? 16 : st->ready);
    if (next > MT_N)
        next = MT_N;
    int need = next + MT_M < MT_N ? next + MT_M : MT_N;
    for (int i = st->init; i < need; i++)
        mt[i] = UINT32_C(1812433253) * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint32_t)i;
    if (need > st->init)
        st->init = need;
    twist_range(mt, st->ready, next);
    st->ready = next;
}

/* The next output: GSL's tempering of the next twisted word. */
static inline uint32_t mt_next(mt_state *st)
{
    if (st->mti >= st->ready)
        mt_refill(st);
    uint32_t k = st->mt[st->mti++];
    k ^= k >> 11;
    k ^= (k << 7) & UINT32_C(0x9d2c5680);
    k ^= (k << 15) & UINT32_C(0xefc60000);
    k ^= k >> 18;
    return k;
}

static unsigned long int mt_get(void *vstate)
{
    return mt_next(vstate);
}

static double mt_get_double(void *vstate)
{
    return (double)mt_next(vstate) / 4294967296.0;
}

static const gsl_rng_type s_mt_lazy = {"mt19937", 0xffffffffUL,  0, sizeof(mt_state), &mt_set,
                                       &mt_get,   &mt_get_double};

const gsl_rng_type *fp_mt19937_lazy(void)
{
    return &s_mt_lazy;
}

const gsl_rng_type *fp_mt_fast_type(const gsl_rng_type *t)
{
    return t == gsl_rng_mt19937 ? &s_mt_lazy : t;
}
