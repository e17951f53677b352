/*
 * fp_escape.c - the JSON string escaper (rules in fp_escape.h).
 */
#include "fp_escape.h"

#include <stdint.h>
#include <string.h>

#include "fp_core.h"

/* The escape sequence of byte `c` into `buf` (at least 7 bytes), or NULL when it passes as is. */
static const char *escape(unsigned char c, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        if (c >= 0x20 && c != 0x7f)
            return NULL;
        memcpy(buf, "\\u00", 4);
        buf[4] = hex[c >> 4];
        buf[5] = hex[c & 15];
        buf[6] = '\0';
        return buf;
    }
}

size_t fp_utf8_len(const unsigned char *s)
{
#define CONT(x) ((x) >= 0x80 && (x) <= 0xBF)
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return CONT(s[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi && CONT(s[2]) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && CONT(s[2]) && CONT(s[3]) ? 4 : 0;
    }
    return 0;
#undef CONT
}

/* The replacement of a byte that starts no well-formed UTF-8 sequence: U+FFFD, escaped. */
static const char s_replacement[] = "\\ufffd";

/* One step of the escaper at `c`: the text to write (*e, or NULL for the `*n` bytes at c as
 * they are); returns the bytes consumed. */
static size_t step(const unsigned char *c, char *buf, const char **e, size_t *n)
{
    size_t k = fp_utf8_len(c);
    *e = NULL;
    *n = k;
    if (k == 0) {
        *e = s_replacement;
        return 1;
    }
    if (k == 1)
        *e = escape(*c, buf);
    return k;
}

void fp_json_put_string(FILE *out, const char *s)
{
    char buf[8];
    putc('"', out);
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0';) {
        const char *e;
        size_t n, k = step(c, buf, &e, &n);
        if (e != NULL)
            fputs(e, out);
        else
            fwrite(c, 1, n, out);
        c += k;
    }
    putc('"', out);
}

char *fp_json_quote(const char *s)
{
    char buf[8];
    size_t n = 3; /* quotes and NUL; at most 6 bytes per input byte */
    if (strlen(s) > (SIZE_MAX - n) / 6)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0';) {
        const char *e;
        size_t m, k = step(c, buf, &e, &m);
        n += e != NULL ? strlen(e) : m;
        c += k;
    }
    char *q = fp_malloc(n), *w = q;
    if (q == NULL)
        return NULL;
    *w++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0';) {
        const char *e;
        size_t m, k = step(c, buf, &e, &m);
        if (e != NULL) {
            size_t len = strlen(e);
            memcpy(w, e, len);
            w += len;
        } else {
            memcpy(w, c, m);
            w += m;
        }
        c += k;
    }
    *w++ = '"';
    *w = '\0';
    return q;
}

char fp_folded_char(char c)
{
    unsigned char u = (unsigned char)c;
    if (c == ';')
        return ':';
    return u <= 0x20 || u == 0x7f ? '_' : c;
}
