/*
 * fp_folded_read.c - reads folded stacks (flamegraph.pl's input, `fpsim generate`'s .folded):
 * one "frame;frame;frame COUNT" line per stack.
 *
 * Folded stacks carry no time order, so the stacks are laid end to end in file order, each
 * lasting COUNT microseconds (fpsim writes self time in whole microseconds; for sample counts
 * from other tools, one sample is one microsecond: only the shares matter to the analysis).
 * Consecutive lines sharing a prefix share its spans (fp_profile_internal.h), so a sorted file
 * gives one span per distinct call path: the flame graph's own layout. Everything is on track 0.
 */
#include "fp_formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fp_profile_internal.h"

/* Frames per line accepted (a deeper stack is FP_ELIMIT). */
#define FOLD_MAX_DEPTH 4096

typedef struct fold {
    fp_profile *p;
    const char *file;
    fp_error *err;
    uint32_t *frames; /* owned */
    size_t cap;
    char *name; /* owned: one frame name, NUL-terminated */
    size_t name_cap;
} fold;

static fp_status fold_fail(fold *f, fp_status st, unsigned long line, unsigned long col,
                           const char *msg)
{
    return fp_error_set_at(f->err, st, f->file, line, col, "%s", msg);
}

/* Interns the frame `s` (`n` bytes) into frames[depth]. */
static fp_status add_frame(fold *f, const char *s, size_t n, size_t depth)
{
    if (fp_grow((void **)&f->name, &f->name_cap, n + 1, 1) != FP_OK ||
        fp_grow((void **)&f->frames, &f->cap, depth + 1, sizeof(*f->frames)) != FP_OK)
        return fp_error_set(f->err, FP_ENOMEM, "out of memory reading %s", f->file);
    memcpy(f->name, s, n);
    f->name[n] = '\0';
    if (fp_profile_intern_method(f->p, f->name, &f->frames[depth]) != FP_OK)
        return fp_error_set(f->err, FP_ENOMEM, "out of memory reading %s", f->file);
    return FP_OK;
}

/* Parses COUNT: a non-negative decimal number (digits, optionally '.' and digits). */
static int parse_count(const char *s, size_t n, double *out)
{
    size_t i = 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0 || i != n || n > 40)
        return 0;
    char buf[48];
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return isfinite(*out);
}

static fp_status read_lines(fold *f, const char *text, size_t len, fp_stacks *b)
{
    static const char want[] = "expected 'FRAME;FRAME;... COUNT' (frames separated by ';', then "
                               "one space and a non-negative sample count)";
    double t_us = 0.0;
    size_t stacks = 0;
    unsigned long line = 0;
    fp_status st;
    for (size_t pos = 0; pos < len;) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        line++;
        const char *nul = memchr(s, '\0', n);
        if (nul != NULL)
            return fold_fail(f, FP_EPARSE, line, (unsigned long)(nul - s) + 1, "NUL byte");
        if (n > 0 && s[n - 1] == '\r')
            n--;
        size_t lead = 0;
        while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        if (lead == n || s[lead] == '#')
            continue; /* blank line or comment */
        const char *sp = NULL;
        for (size_t i = n; i > lead; i--)
            if (s[i - 1] == ' ') {
                sp = s + i - 1;
                break;
            }
        if (sp == NULL || sp == s + lead)
            return fold_fail(f, FP_EPARSE, line, (unsigned long)n + 1, want);
        double count;
        size_t cn = (size_t)(s + n - (sp + 1));
        if (!parse_count(sp + 1, cn, &count)) {
            char msg[FP_ERROR_MSG_MAX];
            snprintf(msg, sizeof(msg), "expected a non-negative sample count, got '%.*s'",
                     (int)(cn > 40 ? 40 : cn), sp + 1);
            return fold_fail(f, FP_EPARSE, line, (unsigned long)(sp + 1 - s) + 1, msg);
        }
        size_t depth = 0;
        const char *end = sp;
        while (end > s + lead && end[-1] == ' ')
            end--; /* "a;b  12": extra spaces before the count */
        for (const char *q = s + lead; q <= end;) {
            const char *semi = memchr(q, ';', (size_t)(end - q));
            const char *fe = semi != NULL ? semi : end;
            if (fe == q)
                return fold_fail(f, FP_EPARSE, line, (unsigned long)(q - s) + 1,
                                 "empty frame name");
            if (depth >= FOLD_MAX_DEPTH)
                return fold_fail(f, FP_ELIMIT, line, (unsigned long)(q - s) + 1,
                                 "stack deeper than 4096 frames");
            if ((st = add_frame(f, q, (size_t)(fe - q), depth++)) != FP_OK)
                return st;
            if (semi == NULL)
                break;
            q = semi + 1;
        }
        if (count <= 0.0)
            continue;
        if ((st = fp_stacks_at(b, f->frames, depth, t_us * 1e-6, f->err)) != FP_OK)
            return st;
        t_us += count;
        stacks++;
    }
    if (stacks == 0)
        return fp_error_set_at(f->err, FP_EINVAL, f->file, 0, 0,
                               "no stack with a positive count in the folded file");
    fp_stacks_end(b, t_us * 1e-6);
    return FP_OK;
}

fp_status fp_folded_read(fp_profile *out, const char *text, size_t len, const char *file,
                         fp_error *err)
{
    fold f = {out, file, err, NULL, 0, NULL, 0};
    fp_stacks *b = NULL;
    fp_profile_reset(out);
    fp_status st = fp_stacks_set_meta(out, file, "folded", err);
    if (st == FP_OK)
        st = fp_stacks_new(&b, out, 0, err);
    if (st == FP_OK)
        st = read_lines(&f, text, len, b);
    fp_stacks_free(b);
    fp_free(f.frames);
    fp_free(f.name);
    if (st != FP_OK)
        fp_profile_reset(out);
    else /* memory and CPU are not in the format: unknown, not zero (fp_profile_data()) */
        fp_profile_set_data(out, 0);
    return st;
}
