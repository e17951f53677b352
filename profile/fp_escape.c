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

void fp_json_put_string(FILE *out, const char *s)
{
    char buf[8];
    putc('"', out);
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        const char *e = escape(*c, buf);
        if (e != NULL)
            fputs(e, out);
        else
            putc(*c, out);
    }
    putc('"', out);
}

char *fp_json_quote(const char *s)
{
    char buf[8];
    size_t n = 3; /* quotes and NUL; at most 6 bytes per input byte */
    if (strlen(s) > (SIZE_MAX - n) / 6)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        const char *e = escape(*c, buf);
        n += e != NULL ? strlen(e) : 1;
    }
    char *q = fp_malloc(n), *w = q;
    if (q == NULL)
        return NULL;
    *w++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        const char *e = escape(*c, buf);
        if (e != NULL) {
            size_t k = strlen(e);
            memcpy(w, e, k);
            w += k;
        } else {
            *w++ = (char)*c;
        }
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
