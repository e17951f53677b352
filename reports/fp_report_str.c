/*
 * fp_report_str.c - how a string value (a scenario, method or file name) is written in each
 * format, one helper per format, shared by every writer in reports/:
 *
 *  - text: control bytes (C0 and DEL) become spaces, so a name cannot move the cursor, recolour
 *    or retitle a terminal (the table/document sink, fp_report_table.c, does the same);
 *  - Markdown: the same, and | \ ` * _ < > are backslash-escaped (CommonMark escapes every ASCII
 *    punctuation), so a name such as std::vector<int>::push_back stays literal text and never
 *    opens an HTML tag, a code span, emphasis or a table cell. fp_md_escape_at() is the rule for
 *    Markdown text in general, shared with the document sink (fp_report_table.c), which writes
 *    prose around names: | \ ` * > always, < only where it could open a tag (not "p < 0.001");
 *    `_` is left to the sink's text (intraword underscores are not emphasis in CommonMark/GFM);
 *  - JSON: the one escaper of fpsim (profile/fp_escape.h);
 *  - CSV: data as is, an RFC 4180 field (quoted when it holds , " CR or LF; quotes doubled);
 *  - HTML: & < > " ' as entities and control bytes as spaces, safe in element text and in quoted
 *    attributes of HTML, XHTML and SVG alike (the HTML writer, fp_report_html.c, writes every
 *    string through it);
 *  - OpenMetrics (and the Prometheus text format): a label value with \\, \" and \n escaped,
 *    other control bytes as spaces (so a name cannot break the line-oriented format) and invalid
 *    UTF-8 as U+FFFD, which promtool and the Prometheus parsers would refuse.
 *
 * Also the metadata block every document records (fp_report_meta_get).
 */
#include "fp_report_internal.h"

#include <string.h>

#include <gsl/gsl_version.h>

#include "fp_escape.h"

int fp_is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

int fp_csv_needs_quotes(const char *s)
{
    size_t n = strlen(s);
    return strpbrk(s, ",\"\r\n") != NULL || (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
}

void fp_put_text(FILE *f, const char *s)
{
    fp_put_text_pad(f, s, 0);
}

void fp_put_text_pad(FILE *f, const char *s, size_t width)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
        putc(fp_is_control(*c) ? ' ' : *c, f);
    for (size_t n = fp_utf8_width(s); n < width; n++) /* display columns, not bytes */
        putc(' ', f);
}

int fp_md_escape_at(const char *s)
{
    unsigned char c = (unsigned char)s[0], n = (unsigned char)s[1];
    if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '>')
        return 1;
    /* "<int>" or "</a>" would open an HTML tag (or an autolink); "p < 0.001" opens nothing. */
    return c == '<' &&
           ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || n == '/' || n == '!' || n == '?');
}

void fp_put_md(FILE *f, const char *s)
{
    for (const char *c = s; *c != '\0'; c++) {
        if (fp_md_escape_at(c) || *c == '_' || *c == '<')
            putc('\\', f);
        putc(fp_is_control((unsigned char)*c) ? ' ' : *c, f);
    }
}

void fp_put_json(FILE *f, const char *s)
{
    fp_json_put_string(f, s);
}

void fp_put_csv(FILE *f, const char *s)
{
    if (!fp_csv_needs_quotes(s)) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

/* Writes the well-formed UTF-8 sequence at `c` as it is, or U+FFFD for a byte that starts none;
 * returns the bytes consumed (at least 1). */
static size_t put_utf8(FILE *f, const unsigned char *c)
{
    size_t n = fp_utf8_len(c);
    if (n == 0) {
        fputs("\xef\xbf\xbd", f);
        return 1;
    }
    fwrite(c, 1, n, f);
    return n;
}

/* Bytes written as they are: printable ASCII other than & < > " '. */
static int html_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

void fp_put_html(FILE *f, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (html_plain(*c)) { /* a run of plain bytes in one write */
            const unsigned char *e = c + 1;
            while (html_plain(*e))
                e++;
            fwrite(c, 1, (size_t)(e - c), f);
            c = e - 1;
            continue;
        }
        if (*c >= 0x80) { /* XML must parse it */
            c += put_utf8(f, c) - 1;
            continue;
        }
        switch (*c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            putc(fp_is_control(*c) ? ' ' : *c, f);
        }
    }
}

void fp_put_om(FILE *f, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c >= 0x80) {
            c += put_utf8(f, c) - 1;
        } else if (*c == '\\' || *c == '"') {
            putc('\\', f);
            putc(*c, f);
        } else if (*c == '\n') {
            fputs("\\n", f);
        } else {
            putc(fp_is_control(*c) ? ' ' : *c, f);
        }
    }
}

fp_report_meta fp_report_meta_get(const char *rng)
{
    fp_report_meta m;
    m.fpsim_version = fp_version();
    m.gsl_version = GSL_VERSION;
    m.rng = rng != NULL ? rng : "mt19937";
    return m;
}

fp_status fp_report_finish(FILE *f, fp_error *err)
{
    if (ferror(f))
        return fp_error_set(err, FP_EIO, "write error");
    return FP_OK;
}
