/*
 * fp_report_table.c - number formatting, the table model and the document sink that renders
 * headings, lines, list items and tables as aligned plain text (optionally with ANSI colours) or
 * as GitHub Markdown.
 *
 * Column widths are computed from the content (header included), so a 60-character method name
 * widens its column instead of overflowing it; numbers are right-aligned under right-aligned
 * headers. Widths count UTF-8 code points, not bytes. Trailing blanks are never written.
 */
#include "fp_report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

/* Removes a leading '-' from a result that is all zeros ("-0.00" -> "0.00"). */
static void no_negative_zero(char *buf)
{
    const char *p;
    if (buf[0] != '-')
        return;
    for (p = buf + 1; *p; p++)
        if (*p != '0' && *p != '.')
            return;
    memmove(buf, buf + 1, strlen(buf));
}

const char *fp_fmt_fixed(char *buf, size_t size, double v, int dec)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    /* A value too large for the buffer in fixed notation (|v| >= ~1e60 in the 64-byte buffers
     * the writers use) would be cut to its leading digits, i.e. printed as a different number:
     * use 4 significant digits in exponent form instead. */
    int w = snprintf(buf, size, "%.*f", dec, v);
    if (w < 0 || (size_t)w >= size)
        snprintf(buf, size, "%.4g", v);
    no_negative_zero(buf);
    return buf;
}

const char *fp_fmt_g17(char *buf, size_t size, double v, const char *nonfinite)
{
    if (!isfinite(v))
        return nonfinite;
    snprintf(buf, size, "%.17g", v);
    return buf;
}

const char *fp_fmt_exact(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "null");
        return buf;
    }
    if (v == 0) { /* also turns -0 into 0 */
        snprintf(buf, size, "0");
        return buf;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* integers: never "1.2e+02" */
        snprintf(buf, size, "%.0f", v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

const char *fp_fmt_count(char *buf, size_t size, double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0)
        return fp_fmt_fixed(buf, size, v, 0);
    return fp_fmt_fixed(buf, size, v, 1);
}

/* Unit steps for fp_fmt_duration, largest first. */
static const struct {
    double scale; /* unit per second */
    const char *name;
} s_dur_units[] = {{1.0, "s"}, {1e3, "ms"}, {1e6, "\xc2\xb5s" /* UTF-8 micro sign */}, {1e9, "ns"}};

const char *fp_fmt_duration(char *buf, size_t size, double seconds)
{
    size_t n = sizeof s_dur_units / sizeof s_dur_units[0], u;
    double a = fabs(seconds), x = 0;
    char num[64];
    if (!isfinite(seconds)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    if (a == 0) {
        snprintf(buf, size, "0 s");
        return buf;
    }
    /* The largest unit in which the value, rounded to 3 significant digits, is at least 1; the
     * rounding is checked on the printed digits, so 999.96 us becomes "1.00 ms", not "1000 us". */
    for (u = 0; u < n; u++) {
        snprintf(num, sizeof num, "%.2e", a * s_dur_units[u].scale); /* 3 significant digits */
        if (strtod(num, NULL) >= 1.0 || u + 1 == n)
            break;
    }
    x = a * s_dur_units[u].scale;
    /* 3 significant digits (more integer digits stay: "1234 s", never an exponent) */
    snprintf(num, sizeof num, "%.*f", x < 10 ? 2 : x < 100 ? 1 : 0, x);
    if (strcmp(num, "1000") == 0 && u > 0) { /* 999.5..999.99 of a unit: the next unit up */
        u--;
        x = a * s_dur_units[u].scale;
        snprintf(num, sizeof num, "%.2f", x);
    }
    snprintf(buf, size, "%s%s %s", seconds < 0 && strtod(num, NULL) != 0 ? "-" : "", num,
             s_dur_units[u].name);
    return buf;
}

const char *fp_fmt_measure(char *buf, size_t size, double v, const char *unit)
{
    char num[64];
    if (unit != NULL && strcmp(unit, "s") == 0)
        return fp_fmt_duration(buf, size, v);
    if (!isfinite(v))
        snprintf(num, sizeof num, "n/a");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(num, sizeof num, "%.0f", v == 0 ? 0.0 : v); /* counts: never an exponent */
    else if (fabs(v) >= 1e4 && fabs(v) < 1e15)
        snprintf(num, sizeof num, "%.0f", v);
    else
        snprintf(num, sizeof num, "%.4g", v);
    snprintf(buf, size, "%s%s%s", num, unit != NULL && unit[0] ? " " : "", unit ? unit : "");
    return buf;
}

/*
 * Replaces control bytes (C0 and DEL) with spaces. Names come from untrusted profiles and traces:
 * written raw, an ESC sequence in a method name would drive the reader's terminal (retitle,
 * clear, recolour) and a newline would break the one-line layout; none belongs in a report.
 */
static void blank_controls(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (fp_is_control(*p))
            *p = ' ';
}

/* ---- table ---- */

void fp_tab_init(fp_tab *t, size_t ncol, const char *const *head, const char *align)
{
    memset(t, 0, sizeof *t);
    t->ncol = ncol;
    t->head = head;
    t->align = align;
}

void fp_tab_cleanup(fp_tab *t)
{
    for (size_t i = 0; i < t->n; i++)
        fp_free(t->cells[i]);
    fp_free(t->cells);
    fp_free(t->style);
    memset(t, 0, sizeof *t);
}

void fp_tab_cell(fp_tab *t, fp_style style, const char *fmt, ...)
{
    va_list ap;
    int len;
    char *c;
    size_t cap = t->cap;
    if (t->st != FP_OK)
        return;
    if (fp_grow((void **)&t->cells, &cap, t->n + 1, sizeof *t->cells) != FP_OK) {
        t->st = FP_ENOMEM;
        return;
    }
    if (cap != t->cap) {
        unsigned char *st = fp_realloc(t->style, cap);
        if (st == NULL) {
            t->st = FP_ENOMEM;
            return; /* cells grew but cap stays: the next call grows again */
        }
        t->style = st;
        t->cap = cap;
    }
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) {
        t->st = FP_EINTERNAL;
        return;
    }
    c = fp_malloc((size_t)len + 1);
    if (c == NULL) {
        t->st = FP_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(c, (size_t)len + 1, fmt, ap);
    va_end(ap);
    /* a cell is one line: newlines, tabs and other control bytes become spaces */
    blank_controls(c);
    t->cells[t->n] = c;
    t->style[t->n] = (unsigned char)style;
    t->n++;
}

/* ---- document ---- */

static const char *style_on(fp_style s)
{
    switch (s) {
    case FP_STYLE_BOLD:
        return "\033[1m";
    case FP_STYLE_RED:
        return "\033[31m";
    case FP_STYLE_YELLOW:
        return "\033[33m";
    case FP_STYLE_GREEN:
        return "\033[32m";
    case FP_STYLE_DIM:
        return "\033[2m";
    case FP_STYLE_NONE:
        break;
    }
    return "";
}

static void put(fp_doc *d, const char *s)
{
    if (d->st == FP_OK && fputs(s, d->out) == EOF)
        d->st = FP_EIO;
}

static void putn(fp_doc *d, char ch, size_t n)
{
    for (size_t i = 0; i < n && d->st == FP_OK; i++)
        if (fputc(ch, d->out) == EOF)
            d->st = FP_EIO;
}

/* Writes `s` with Markdown's specials escaped (fp_md_escape_at(): `|`, `\`, backquote, `*`, `>`,
 * and `<` where it could open a tag), so names such as std::vector<int>::push_back stay text. */
static void put_md(fp_doc *d, const char *s)
{
    for (; *s && d->st == FP_OK; s++) {
        if (fp_md_escape_at(s))
            putn(d, '\\', 1);
        putn(d, *s, 1);
    }
}

static size_t md_width(const char *s)
{
    size_t w = fp_utf8_width(s);
    for (; *s; s++)
        if (fp_md_escape_at(s))
            w++;
    return w;
}

static void styled(fp_doc *d, fp_style st, const char *s)
{
    if (d->colour && !d->markdown && st != FP_STYLE_NONE && s[0] != '\0') {
        put(d, style_on(st));
        put(d, s);
        put(d, "\033[0m");
    } else if (d->markdown) {
        put_md(d, s);
    } else {
        put(d, s);
    }
}

/*
 * Text prose wrapped to FP_TEXT_WIDTH columns: `first` columns are already used on the first
 * line, continuation lines start with `indent` spaces. Breaks at spaces (a word wider than the
 * line stays whole); Markdown is written as one line (its readers wrap). Each piece is styled.
 */
static void wrapped(fp_doc *d, fp_style st, const char *s, size_t first, size_t indent)
{
    if (d->markdown) {
        styled(d, st, s);
        return;
    }
    size_t used = first;
    while (d->st == FP_OK) {
        size_t avail = FP_TEXT_WIDTH > used ? FP_TEXT_WIDTH - used : 1;
        size_t len = strlen(s), cut = len, w = 0, last_space = 0, i = 0;
        uint32_t cp;
        while (i < len) {
            size_t n = fp_utf8_next(s + i, &cp);
            if (s[i] == ' ')
                last_space = i;
            w += (size_t)fp_cp_width(cp);
            if (w > avail) {
                cut = last_space > 0 ? last_space : len; /* no space: the word stays whole */
                break;
            }
            i += n;
        }
        if (cut == len) {
            styled(d, st, s);
            return;
        }
        char *piece = fp_malloc(cut + 1);
        if (piece == NULL) {
            d->st = FP_ENOMEM;
            return;
        }
        memcpy(piece, s, cut);
        piece[cut] = '\0';
        styled(d, st, piece);
        fp_free(piece);
        put(d, "\n");
        putn(d, ' ', indent);
        used = indent;
        s += cut;
        while (*s == ' ')
            s++;
    }
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    int len;
    char *buf;
    va_copy(ap2, ap);
    len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0)
        return NULL;
    buf = fp_malloc((size_t)len + 1);
    if (buf) {
        vsnprintf(buf, (size_t)len + 1, fmt, ap);
        blank_controls(buf);
    }
    return buf;
}

void fp_doc_heading(fp_doc *d, int level, const char *fmt, ...)
{
    va_list ap;
    char *s;
    if (d->st != FP_OK)
        return;
    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    if (s == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    if (d->markdown) {
        putn(d, '#', (size_t)level);
        put(d, " ");
        put_md(d, s);
        put(d, "\n\n");
    } else {
        styled(d, FP_STYLE_BOLD, s);
        put(d, "\n");
        if (level <= 2) {
            putn(d, level == 1 ? '=' : '-', fp_utf8_width(s));
            put(d, "\n");
        }
        put(d, "\n");
    }
    fp_free(s);
}

void fp_doc_line(fp_doc *d, const char *fmt, ...)
{
    va_list ap;
    char *s;
    if (d->st != FP_OK)
        return;
    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    if (s == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    if (d->markdown) {
        /* a line starting with a Markdown block marker would change meaning */
        if (strchr("#>-+*=", s[0]) != NULL && s[0] != '\0')
            put(d, "\\");
        put_md(d, s);
        put(d, "  \n"); /* hard line break: lines stay lines */
    } else {
        wrapped(d, FP_STYLE_NONE, s, 0, 0);
        put(d, "\n");
    }
    fp_free(s);
}

void fp_doc_item(fp_doc *d, fp_style style, const char *fmt, ...)
{
    va_list ap;
    char *s;
    if (d->st != FP_OK)
        return;
    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    if (s == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    put(d, d->markdown ? "- " : "  - ");
    wrapped(d, style, s, 4, 4);
    put(d, "\n");
    fp_free(s);
}

void fp_doc_subline(fp_doc *d, const char *fmt, ...)
{
    va_list ap;
    char *s;
    if (d->st != FP_OK)
        return;
    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    if (s == NULL) {
        d->st = FP_ENOMEM;
        return;
    }
    put(d, d->markdown ? "  " : "    ");
    wrapped(d, FP_STYLE_DIM, s, 4, 4);
    put(d, "\n");
    fp_free(s);
}

void fp_doc_blank(fp_doc *d)
{
    put(d, "\n");
}

void fp_doc_table(fp_doc *d, const fp_tab *t)
{
    size_t nrow, c, r, *w;
    if (d->st != FP_OK)
        return;
    if (t->st != FP_OK) {
        d->st = t->st;
        return;
    }
    nrow = t->n / t->ncol;
    w = fp_calloc(t->ncol, sizeof *w);
    /* text: left-aligned cells (names) wider than FP_TEXT_CELL_MAX are shortened in the middle */
    char **view = fp_calloc(t->n ? t->n : 1, sizeof *view);
    size_t n_short = 0;
    if (w == NULL || view == NULL) {
        fp_free(w);
        fp_free(view);
        d->st = FP_ENOMEM;
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        view[i] = t->cells[i];
        if (d->markdown || t->align[i % t->ncol] != 'l' ||
            fp_utf8_width(t->cells[i]) <= FP_TEXT_CELL_MAX)
            continue;
        size_t size = strlen(t->cells[i]) + 4;
        char *sh = fp_malloc(size);
        if (sh == NULL) {
            d->st = FP_ENOMEM; /* the cell stays whole; nothing more is written */
            continue;
        }
        fp_utf8_shorten(sh, size, t->cells[i], FP_TEXT_CELL_MAX);
        view[i] = sh;
        n_short++;
    }
    for (c = 0; c < t->ncol; c++) {
        w[c] = d->markdown ? md_width(t->head[c]) : fp_utf8_width(t->head[c]);
        if (d->markdown && w[c] < 3)
            w[c] = 3; /* "---" */
        for (r = 0; r < nrow; r++) {
            const char *s = view[r * t->ncol + c];
            size_t cw = d->markdown ? md_width(s) : fp_utf8_width(s);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    /* rows: -1 = header, nrow = rule (printed after the header) */
    for (long ri = -1; ri < (long)nrow; ri++) {
        for (int pass = 0; pass < (ri == -1 ? 2 : 1); pass++) {
            int rule = pass == 1;
            size_t lastc = t->ncol - 1;
            /* text: stop after the last non-empty cell so that no line ends in blanks */
            while (!d->markdown && !rule && ri >= 0 && lastc > 0 &&
                   view[(size_t)ri * t->ncol + lastc][0] == '\0')
                lastc--;
            if (d->markdown)
                put(d, "|");
            for (c = 0; c < t->ncol; c++) {
                const char *s = ri < 0 ? t->head[c] : view[(size_t)ri * t->ncol + c];
                fp_style st = ri < 0 ? FP_STYLE_BOLD : (fp_style)t->style[(size_t)ri * t->ncol + c];
                size_t sw = d->markdown ? md_width(s) : fp_utf8_width(s);
                int right = t->align[c] == 'r';
                int last = c == lastc;
                if (d->markdown) {
                    put(d, " ");
                    if (rule) {
                        putn(d, '-', w[c] - (right ? 1 : 0));
                        if (right)
                            put(d, ":");
                    } else {
                        if (right)
                            putn(d, ' ', w[c] - sw);
                        put_md(d, s);
                        if (!right)
                            putn(d, ' ', w[c] - sw);
                    }
                    put(d, " |");
                    continue;
                }
                if (c > lastc)
                    break;
                if (c > 0)
                    put(d, "  ");
                if (rule) {
                    putn(d, '-', w[c]);
                    continue;
                }
                if (right)
                    putn(d, ' ', w[c] - sw);
                styled(d, st, s);
                if (!right && !last)
                    putn(d, ' ', w[c] - sw);
            }
            put(d, "\n");
        }
    }
    /* the full text of each shortened cell, once */
    for (size_t i = 0; i < t->n && n_short > 0; i++) {
        if (view[i] == t->cells[i])
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = view[j] != t->cells[j] && strcmp(t->cells[j], t->cells[i]) == 0;
        if (!seen) {
            put(d, view[i]);
            put(d, " = ");
            wrapped(d, FP_STYLE_NONE, t->cells[i], fp_utf8_width(view[i]) + 3, 4);
            put(d, "\n");
        }
    }
    put(d, "\n");
    for (size_t i = 0; i < t->n; i++)
        if (view[i] != t->cells[i])
            fp_free(view[i]);
    fp_free(view);
    fp_free(w);
}
