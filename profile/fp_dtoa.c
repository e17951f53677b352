/*
 * fp_dtoa.c - fp_fmt_double(): a double as the short decimal that reads back to the same double,
 * without printf. Grisu2 (Florian Loitsch, "Printing floating-point numbers quickly and
 * accurately with integers", PLDI 2010), in the layout of Milo Yip's dtoa: the digits always
 * round-trip through strtod (exact by construction), and are the shortest in more than 99.9 % of
 * cases (otherwise one digit longer). Laid out like printf's %.17g (the exponent form when the
 * decimal exponent is below -4 or at least 17, at least two exponent digits), so the many values
 * that %.17g already writes short (0.5, 100, 1e-07) look the same. Contract in fp_core.h.
 */
#include "fp_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct diyfp {
    uint64_t f;
    int e;
} diyfp;

/* Normalised 64-bit significands and binary exponents of 10^k, k = -348, -340, ..., 340 (rounded
 * to nearest; generated with exact rationals). */
static const struct {
    uint64_t f;
    int e;
} s_pow10[] = {
    {UINT64_C(0xfa8fd5a0081c0288), -1220}, /* 1e-348 */
    {UINT64_C(0xbaaee17fa23ebf76), -1193}, /* 1e-340 */
    {UINT64_C(0x8b16fb203055ac76), -1166}, /* 1e-332 */
    {UINT64_C(0xcf42894a5dce35ea), -1140}, /* 1e-324 */
    {UINT64_C(0x9a6bb0aa55653b2d), -1113}, /* 1e-316 */
    {UINT64_C(0xe61acf033d1a45df), -1087}, /* 1e-308 */
    {UINT64_C(0xab70fe17c79ac6ca), -1060}, /* 1e-300 */
    {UINT64_C(0xff77b1fcbebcdc4f), -1034}, /* 1e-292 */
    {UINT64_C(0xbe5691ef416bd60c), -1007}, /* 1e-284 */
    {UINT64_C(0x8dd01fad907ffc3c), -980},  /* 1e-276 */
    {UINT64_C(0xd3515c2831559a83), -954},  /* 1e-268 */
    {UINT64_C(0x9d71ac8fada6c9b5), -927},  /* 1e-260 */
    {UINT64_C(0xea9c227723ee8bcb), -901},  /* 1e-252 */
    {UINT64_C(0xaecc49914078536d), -874},  /* 1e-244 */
    {UINT64_C(0x823c12795db6ce57), -847},  /* 1e-236 */
    {UINT64_C(0xc21094364dfb5637), -821},  /* 1e-228 */
    {UINT64_C(0x9096ea6f3848984f), -794},  /* 1e-220 */
    {UINT64_C(0xd77485cb25823ac7), -768},  /* 1e-212 */
    {UINT64_C(0xa086cfcd97bf97f4), -741},  /* 1e-204 */
    {UINT64_C(0xef340a98172aace5), -715},  /* 1e-196 */
    {UINT64_C(0xb23867fb2a35b28e), -688},  /* 1e-188 */
    {UINT64_C(0x84c8d4dfd2c63f3b), -661},  /* 1e-180 */
    {UINT64_C(0xc5dd44271ad3cdba), -635},  /* 1e-172 */
    {UINT64_C(0x936b9fcebb25c996), -608},  /* 1e-164 */
    {UINT64_C(0xdbac6c247d62a584), -582},  /* 1e-156 */
    {UINT64_C(0xa3ab66580d5fdaf6), -555},  /* 1e-148 */
    {UINT64_C(0xf3e2f893dec3f126), -529},  /* 1e-140 */
    {UINT64_C(0xb5b5ada8aaff80b8), -502},  /* 1e-132 */
    {UINT64_C(0x87625f056c7c4a8b), -475},  /* 1e-124 */
    {UINT64_C(0xc9bcff6034c13053), -449},  /* 1e-116 */
    {UINT64_C(0x964e858c91ba2655), -422},  /* 1e-108 */
    {UINT64_C(0xdff9772470297ebd), -396},  /* 1e-100 */
    {UINT64_C(0xa6dfbd9fb8e5b88f), -369},  /* 1e-92 */
    {UINT64_C(0xf8a95fcf88747d94), -343},  /* 1e-84 */
    {UINT64_C(0xb94470938fa89bcf), -316},  /* 1e-76 */
    {UINT64_C(0x8a08f0f8bf0f156b), -289},  /* 1e-68 */
    {UINT64_C(0xcdb02555653131b6), -263},  /* 1e-60 */
    {UINT64_C(0x993fe2c6d07b7fac), -236},  /* 1e-52 */
    {UINT64_C(0xe45c10c42a2b3b06), -210},  /* 1e-44 */
    {UINT64_C(0xaa242499697392d3), -183},  /* 1e-36 */
    {UINT64_C(0xfd87b5f28300ca0e), -157},  /* 1e-28 */
    {UINT64_C(0xbce5086492111aeb), -130},  /* 1e-20 */
    {UINT64_C(0x8cbccc096f5088cc), -103},  /* 1e-12 */
    {UINT64_C(0xd1b71758e219652c), -77},   /* 1e-4 */
    {UINT64_C(0x9c40000000000000), -50},   /* 1e4 */
    {UINT64_C(0xe8d4a51000000000), -24},   /* 1e12 */
    {UINT64_C(0xad78ebc5ac620000), 3},     /* 1e20 */
    {UINT64_C(0x813f3978f8940984), 30},    /* 1e28 */
    {UINT64_C(0xc097ce7bc90715b3), 56},    /* 1e36 */
    {UINT64_C(0x8f7e32ce7bea5c70), 83},    /* 1e44 */
    {UINT64_C(0xd5d238a4abe98068), 109},   /* 1e52 */
    {UINT64_C(0x9f4f2726179a2245), 136},   /* 1e60 */
    {UINT64_C(0xed63a231d4c4fb27), 162},   /* 1e68 */
    {UINT64_C(0xb0de65388cc8ada8), 189},   /* 1e76 */
    {UINT64_C(0x83c7088e1aab65db), 216},   /* 1e84 */
    {UINT64_C(0xc45d1df942711d9a), 242},   /* 1e92 */
    {UINT64_C(0x924d692ca61be758), 269},   /* 1e100 */
    {UINT64_C(0xda01ee641a708dea), 295},   /* 1e108 */
    {UINT64_C(0xa26da3999aef774a), 322},   /* 1e116 */
    {UINT64_C(0xf209787bb47d6b85), 348},   /* 1e124 */
    {UINT64_C(0xb454e4a179dd1877), 375},   /* 1e132 */
    {UINT64_C(0x865b86925b9bc5c2), 402},   /* 1e140 */
    {UINT64_C(0xc83553c5c8965d3d), 428},   /* 1e148 */
    {UINT64_C(0x952ab45cfa97a0b3), 455},   /* 1e156 */
    {UINT64_C(0xde469fbd99a05fe3), 481},   /* 1e164 */
    {UINT64_C(0xa59bc234db398c25), 508},   /* 1e172 */
    {UINT64_C(0xf6c69a72a3989f5c), 534},   /* 1e180 */
    {UINT64_C(0xb7dcbf5354e9bece), 561},   /* 1e188 */
    {UINT64_C(0x88fcf317f22241e2), 588},   /* 1e196 */
    {UINT64_C(0xcc20ce9bd35c78a5), 614},   /* 1e204 */
    {UINT64_C(0x98165af37b2153df), 641},   /* 1e212 */
    {UINT64_C(0xe2a0b5dc971f303a), 667},   /* 1e220 */
    {UINT64_C(0xa8d9d1535ce3b396), 694},   /* 1e228 */
    {UINT64_C(0xfb9b7cd9a4a7443c), 720},   /* 1e236 */
    {UINT64_C(0xbb764c4ca7a44410), 747},   /* 1e244 */
    {UINT64_C(0x8bab8eefb6409c1a), 774},   /* 1e252 */
    {UINT64_C(0xd01fef10a657842c), 800},   /* 1e260 */
    {UINT64_C(0x9b10a4e5e9913129), 827},   /* 1e268 */
    {UINT64_C(0xe7109bfba19c0c9d), 853},   /* 1e276 */
    {UINT64_C(0xac2820d9623bf429), 880},   /* 1e284 */
    {UINT64_C(0x80444b5e7aa7cf85), 907},   /* 1e292 */
    {UINT64_C(0xbf21e44003acdd2d), 933},   /* 1e300 */
    {UINT64_C(0x8e679c2f5e44ff8f), 960},   /* 1e308 */
    {UINT64_C(0xd433179d9c8cb841), 986},   /* 1e316 */
    {UINT64_C(0x9e19db92b4e31ba9), 1013},  /* 1e324 */
    {UINT64_C(0xeb96bf6ebadf77d9), 1039},  /* 1e332 */
    {UINT64_C(0xaf87023b9bf0ee6b), 1066},  /* 1e340 */
};

static const uint64_t s_p10[] = {UINT64_C(1),
                                 UINT64_C(10),
                                 UINT64_C(100),
                                 UINT64_C(1000),
                                 UINT64_C(10000),
                                 UINT64_C(100000),
                                 UINT64_C(1000000),
                                 UINT64_C(10000000),
                                 UINT64_C(100000000),
                                 UINT64_C(1000000000),
                                 UINT64_C(10000000000),
                                 UINT64_C(100000000000),
                                 UINT64_C(1000000000000),
                                 UINT64_C(10000000000000),
                                 UINT64_C(100000000000000),
                                 UINT64_C(1000000000000000),
                                 UINT64_C(10000000000000000),
                                 UINT64_C(100000000000000000),
                                 UINT64_C(1000000000000000000),
                                 UINT64_C(10000000000000000000)};

static diyfp mul(diyfp x, diyfp y)
{
    const uint64_t m32 = 0xFFFFFFFFu;
    uint64_t a = x.f >> 32, b = x.f & m32, c = y.f >> 32, d = y.f & m32;
    uint64_t ac = a * c, bc = b * c, ad = a * d, bd = b * d;
    uint64_t tmp = (bd >> 32) + (ad & m32) + (bc & m32);
    tmp += UINT64_C(1) << 31; /* round */
    diyfp r = {ac + (ad >> 32) + (bc >> 32) + (tmp >> 32), x.e + y.e + 64};
    return r;
}

static diyfp normalize(diyfp x)
{
    while (!(x.f & (UINT64_C(1) << 63))) {
        x.f <<= 1;
        x.e--;
    }
    return x;
}

#define HIDDEN (UINT64_C(1) << 52)

/* The boundaries m- and m+ of the rounding interval of v, m+ normalised, m- on its exponent. */
static void boundaries(diyfp v, diyfp *mi, diyfp *pl)
{
    diyfp p = {(v.f << 1) + 1, v.e - 1};
    while (!(p.f & (HIDDEN << 1))) {
        p.f <<= 1;
        p.e--;
    }
    p.f <<= 64 - 52 - 2;
    p.e -= 64 - 52 - 2;
    diyfp m = v.f == HIDDEN ? (diyfp){(v.f << 2) - 1, v.e - 2} : (diyfp){(v.f << 1) - 1, v.e - 1};
    m.f <<= m.e - p.e;
    m.e = p.e;
    *mi = m;
    *pl = p;
}

static diyfp cached_power(int e, int *k10)
{
    double dk = (-61 - e) * 0.30102999566398114 + 347; /* dk > 0 */
    int k = (int)dk;
    if (dk - k > 0.0)
        k++;
    unsigned idx = (unsigned)((k >> 3) + 1);
    *k10 = -(-348 + (int)idx * 8);
    diyfp r = {s_pow10[idx].f, s_pow10[idx].e};
    return r;
}

static void grisu_round(char *buf, int len, uint64_t delta, uint64_t rest, uint64_t ten_kappa,
                        uint64_t wp_w)
{
    while (rest < wp_w && delta - rest >= ten_kappa &&
           (rest + ten_kappa < wp_w || wp_w - rest > rest + ten_kappa - wp_w)) {
        buf[len - 1]--;
        rest += ten_kappa;
    }
}

static int count_digits(uint32_t n)
{
    int d = 1;
    while (d < 10 && n >= s_p10[d])
        d++;
    return d;
}

static void digit_gen(diyfp w, diyfp mp, uint64_t delta, char *buf, int *len, int *k10)
{
    const diyfp one = {UINT64_C(1) << -mp.e, mp.e};
    const uint64_t wp_w = mp.f - w.f;
    uint32_t p1 = (uint32_t)(mp.f >> -one.e);
    uint64_t p2 = mp.f & (one.f - 1);
    int kappa = count_digits(p1);
    *len = 0;
    while (kappa > 0) {
        uint32_t d = (uint32_t)(p1 / s_p10[kappa - 1]);
        p1 = (uint32_t)(p1 % s_p10[kappa - 1]);
        if (d || *len)
            buf[(*len)++] = (char)('0' + d);
        kappa--;
        uint64_t tmp = ((uint64_t)p1 << -one.e) + p2;
        if (tmp <= delta) {
            *k10 += kappa;
            grisu_round(buf, *len, delta, tmp, s_p10[kappa] << -one.e, wp_w);
            return;
        }
    }
    for (;;) {
        p2 *= 10;
        delta *= 10;
        char d = (char)(p2 >> -one.e);
        if (d || *len)
            buf[(*len)++] = (char)('0' + d);
        p2 &= one.f - 1;
        kappa--;
        if (p2 < delta) {
            *k10 += kappa;
            grisu_round(buf, *len, delta, p2, one.f, -kappa < 20 ? wp_w * s_p10[-kappa] : 0);
            return;
        }
    }
}

/* Digits of v > 0 (finite) into buf, value = digits x 10^k10. */
static int grisu2(double value, char *buf, int *k10)
{
    uint64_t u;
    memcpy(&u, &value, sizeof u);
    int be = (int)((u >> 52) & 0x7FF);
    uint64_t sig = u & (HIDDEN - 1);
    diyfp v = be != 0 ? (diyfp){sig + HIDDEN, be - 1075} : (diyfp){sig, -1074};
    diyfp mi, pl;
    boundaries(v, &mi, &pl);
    diyfp c = cached_power(pl.e, k10);
    diyfp w = mul(normalize(v), c);
    diyfp wp = mul(pl, c), wm = mul(mi, c);
    wm.f++;
    wp.f--;
    int len;
    digit_gen(w, wp, wp.f - wm.f, buf, &len, k10);
    return len;
}

size_t fp_fmt_double(char *out, double v)
{
    if (!isfinite(v))
        return (size_t)snprintf(out, FP_FMT_DOUBLE_SIZE, "%.17g", v);
    char *p = out;
    if (signbit(v)) {
        *p++ = '-';
        v = -v;
    }
    if (v == 0) {
        *p++ = '0';
        *p = '\0';
        return (size_t)(p - out);
    }
    char d[24];
    int k10 = 0;
    int n = grisu2(v, d, &k10);
    int x = n + k10 - 1; /* decimal exponent of the first digit */
    if (x < -4 || x >= 17) {
        *p++ = d[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)n - 1);
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x;
        if (ax >= 100)
            *p++ = (char)('0' + ax / 100);
        *p++ = (char)('0' + ax / 10 % 10);
        *p++ = (char)('0' + ax % 10);
    } else if (x < 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > x; i--)
            *p++ = '0';
        memcpy(p, d, (size_t)n);
        p += n;
    } else if (n <= x + 1) {
        memcpy(p, d, (size_t)n);
        p += n;
        for (int i = n; i <= x; i++)
            *p++ = '0';
    } else {
        memcpy(p, d, (size_t)x + 1);
        p += x + 1;
        *p++ = '.';
        memcpy(p, d + x + 1, (size_t)(n - x - 1));
        p += n - x - 1;
    }
    *p = '\0';
    return (size_t)(p - out);
}

const char *fp_g(char *out, double v)
{
    fp_fmt_double(out, v);
    return out;
}

void fp_json_put_double(FILE *f, double v, fp_nonfinite nonfinite)
{
    char buf[FP_FMT_DOUBLE_SIZE];
    if (isfinite(v)) {
        fp_fmt_double(buf, v);
        fputs(buf, f);
    } else if (nonfinite == FP_NONFINITE_EXACT && isinf(v)) {
        fputs(v > 0 ? "1e999" : "-1e999", f);
    } else {
        fputs("null", f);
    }
}
