/*
 * fp_validate_part.c - one validation record as a line of JSON: what a shard of `fpsim validate
 * --shard K/N` writes and `fpsim merge` reads back bit for bit (contracts in fp_validate.h).
 */
#include "fp_validate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_u(FILE *f, uint64_t v)
{
    fprintf(f, ",%llu", (unsigned long long)v);
}

static void put_i(FILE *f, int64_t v)
{
    fprintf(f, ",%lld", (long long)v);
}

/* Every double reads back bit for bit: the shortest exact digits, +-Inf as +-1e999, NaN null. */
static void put_d(FILE *f, double v)
{
    fputc(',', f);
    fp_json_put_double(f, v, FP_NONFINITE_EXACT);
}

fp_status fp_validate_run_write(FILE *f, uint64_t pass, const fp_validate_run *r, fp_error *err)
{
    fprintf(f, "[%llu", (unsigned long long)pass);
    put_u(f, r->run_index);
    put_i(f, r->injected);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        put_u(f, r->tp[k]);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        put_u(f, r->fp[k]);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        put_u(f, r->fn[k]);
    put_u(f, r->unobservable);
    put_u(f, r->consequences);
    put_u(f, r->n_findings);
    put_i(f, r->top1);
    put_i(f, r->top1_found);
    put_u(f, r->n_dropped);
    put_u(f, r->n_items);
    for (size_t i = 0; i < r->n_items && i < FP_VALIDATE_MAX_ITEMS; i++) {
        const fp_validate_item *it = &r->items[i];
        put_i(f, (int64_t)it->kind);
        put_u(f, it->source);
        put_i(f, it->found);
        put_i(f, it->rank);
        put_d(f, it->cost);
        put_d(f, it->impact);
        put_d(f, it->window_s);
        put_i(f, it->has_ttd);
        put_d(f, it->ttd_s);
        put_u(f, it->truth);
        put_i(f, it->target);
        put_d(f, it->magnitude);
    }
    fputc(']', f);
    if (ferror(f))
        return fp_error_set(err, FP_EIO, "write error");
    return FP_OK;
}

/* A cursor over the numbers of one record line. */
typedef struct cur {
    const char *p;
    int bad;
} cur;

/* Skips the separator before the next number ('[' first, ',' after). */
static void sep(cur *c, char want)
{
    while (*c->p == ' ')
        c->p++;
    if (*c->p != want)
        c->bad = 1;
    else
        c->p++;
}

static double get_d(cur *c)
{
    sep(c, ',');
    if (c->bad)
        return 0;
    if (strncmp(c->p, "null", 4) == 0) {
        c->p += 4;
        return NAN;
    }
    char *end;
    errno = 0;
    double v = strtod(c->p, &end);
    if (end == c->p)
        c->bad = 1;
    c->p = end;
    return v;
}

static int64_t get_i(cur *c, int64_t lo, int64_t hi)
{
    sep(c, ',');
    if (c->bad)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(c->p, &end, 10);
    if (end == c->p || errno != 0 || v < lo || v > hi)
        c->bad = 1;
    c->p = end;
    return v;
}

static uint64_t get_u(cur *c, uint64_t hi)
{
    sep(c, ',');
    if (c->bad)
        return 0;
    char *end;
    errno = 0;
    if (*c->p == '-')
        c->bad = 1;
    unsigned long long v = strtoull(c->p, &end, 10);
    if (end == c->p || errno != 0 || v > hi)
        c->bad = 1;
    c->p = end;
    return v;
}

fp_status fp_validate_run_parse(const char *line, uint64_t *pass, fp_validate_run *r, fp_error *err)
{
    cur c = {line, 0};
    memset(r, 0, sizeof *r);
    sep(&c, '[');
    if (!c.bad) {
        c.p--; /* the first number has no comma: read it as if it had one */
        char *end;
        errno = 0;
        *pass = strtoull(c.p + 1, &end, 10);
        c.bad = end == c.p + 1 || errno != 0;
        c.p = end;
    }
    r->run_index = get_u(&c, UINT64_MAX - 1);
    r->injected = (int)get_i(&c, INT32_MIN, INT32_MAX);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        r->tp[k] = (uint32_t)get_u(&c, UINT32_MAX);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        r->fp[k] = (uint32_t)get_u(&c, UINT32_MAX);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        r->fn[k] = (uint32_t)get_u(&c, UINT32_MAX);
    r->unobservable = (uint32_t)get_u(&c, UINT32_MAX);
    r->consequences = (uint32_t)get_u(&c, UINT32_MAX);
    r->n_findings = (uint32_t)get_u(&c, UINT32_MAX);
    r->top1 = (int)get_i(&c, -1, 1);
    r->top1_found = (int)get_i(&c, -1, 1);
    r->n_dropped = (size_t)get_u(&c, SIZE_MAX);
    r->n_items = (size_t)get_u(&c, FP_VALIDATE_MAX_ITEMS);
    for (size_t i = 0; i < r->n_items && !c.bad; i++) {
        fp_validate_item *it = &r->items[i];
        it->kind = (fp_kind)get_i(&c, 0, FP_KIND_COUNT - 1);
        it->source = (uint32_t)get_u(&c, UINT32_MAX);
        it->found = (int)get_i(&c, INT32_MIN, INT32_MAX);
        it->rank = (int32_t)get_i(&c, INT32_MIN, INT32_MAX);
        it->cost = get_d(&c);
        it->impact = get_d(&c);
        it->window_s = get_d(&c);
        it->has_ttd = (int)get_i(&c, INT32_MIN, INT32_MAX);
        it->ttd_s = get_d(&c);
        it->truth = (uint32_t)get_u(&c, UINT32_MAX);
        it->target = (int32_t)get_i(&c, INT32_MIN, INT32_MAX);
        it->magnitude = get_d(&c);
    }
    sep(&c, ']');
    if (c.bad)
        return fp_error_set(err, FP_EPARSE, "record: malformed at byte %ld",
                            (long)(c.p - line) + 1);
    return FP_OK;
}
