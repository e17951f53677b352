/*
 * fp_report_html.c - every document as one self-contained HTML page (docs/output-formats.md,
 * "HTML"): inline CSS and SVG, no script, no external asset, XHTML-compatible markup (every
 * element closed, so a strict XML parser reads it), byte-identical for the same input. Each page
 * draws its pictures first and then holds the text document itself (the same findings and
 * recommendations as the text format) in a <pre>. Every chart has a <title>, a <desc> and an
 * aria-label; colours are the Okabe-Ito palette (colour-blind safe, prints). Every string goes
 * through fp_put_html() (fp_report_str.c).
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "fp_report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Okabe-Ito */
#define C_ORANGE "#E69F00"
#define C_SKY "#56B4E9"
#define C_GREEN "#009E73"
#define C_YELLOW "#F0E442"
#define C_BLUE "#0072B2"
#define C_VERMIL "#D55E00"
#define C_PURPLE "#CC79A7"
#define C_GREY "#999999"

static const char *const s_cycle[] = {C_VERMIL, C_BLUE, C_ORANGE, C_GREEN, C_PURPLE, C_SKY};
#define N_CYCLE (sizeof s_cycle / sizeof s_cycle[0])

#define W 900.0 /* chart width */
#define ML 70.0 /* left margin */
#define MR 20.0 /* right margin */
#define PW (W - ML - MR)

/* ---- coordinates: rounded to tenths without printf's floating point ---- */

typedef struct coord {
    char s[32];
} coord;

/* Writes t tenths as "12" or "12.3" (never "-0") at `o` (room for 24 bytes) and returns the end.
 * The one coordinate formatter of the pictures (C() and the paths): integer arithmetic into a
 * local cursor, no printf and no stores through a struct the compiler must reload. */
static char *put_tenths(char *o, long long t)
{
    char tmp[24];
    int n = 0;
    unsigned long long u, ip;
    if (t < 0) {
        *o++ = '-';
        u = 0ull - (unsigned long long)t;
    } else {
        u = (unsigned long long)t;
    }
    ip = u / 10;
    if (ip < 1000) { /* a chart's coordinates: up to three integer digits, unrolled */
        if (ip >= 100)
            *o++ = (char)('0' + ip / 100);
        if (ip >= 10)
            *o++ = (char)('0' + ip / 10 % 10);
        *o++ = (char)('0' + ip % 10);
    } else {
        do {
            tmp[n++] = (char)('0' + ip % 10);
            ip /= 10;
        } while (ip > 0 && n < 20);
        while (n > 0)
            *o++ = tmp[--n];
    }
    if (u % 10 != 0) {
        *o++ = '.';
        *o++ = (char)('0' + u % 10);
    }
    return o;
}

/* `v` in tenths, as a double that converts to long long without overflow: a chart's coordinates
 * are small, but hostile input (a fuzzed profile with huge times) can place a point anywhere, and
 * a conversion out of range is undefined. Non-finite values are 0. */
static double clamp_tenths(double v)
{
    double t = isfinite(v) ? v * 10.0 : 0.0;
    return t > 1e15 ? 1e15 : t < -1e15 ? -1e15 : t;
}

/* `v` rounded to tenths as "12" or "12.3" (never "-0"), in a value that lives until the end of
 * the full expression: C(x).s as a printf argument. */
static coord C(double v)
{
    coord c;
    *put_tenths(c.s, llround(clamp_tenths(v))) = '\0';
    return c;
}

/* ---- text ---- */

/* printf into a buffer, then escaped. */
static void put_fmt(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void put_fmt(FILE *f, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fp_put_html(f, buf);
}

static const char *num(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.4g", v == 0 ? 0.0 : v);
    return buf;
}

static void page_open(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width\"/>\n"
          "<title>",
          f);
    fp_put_html(f, title);
    fputs("</title>\n<style>\n"
          "body{font:14px/1.45 system-ui,sans-serif;color:#111;background:#fff;margin:2em auto;"
          "max-width:960px;padding:0 1em}\n"
          "h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ccc;margin-top:2em}"
          "h3{font-size:1.1em}\n"
          "svg.chart{display:block;max-width:100%;height:auto;margin:.5em 0 1.5em}\n"
          "svg text{font:11px sans-serif;fill:#111}svg .ax{stroke:#555;stroke-width:1}"
          "svg .grid{stroke:#ddd;stroke-width:1}\n"
          "svg rect.n:hover,svg rect.bar:hover{stroke:#000;stroke-width:1.5}\n"
          "p.cap{color:#444;font-size:.92em;margin-top:-1em}\n"
          "pre{font:12px/1.35 ui-monospace,monospace;background:#f6f6f6;padding:1em;"
          "overflow-x:auto;white-space:pre}\n"
          "@media print{pre{white-space:pre-wrap}svg.chart{break-inside:avoid}}\n"
          "</style>\n</head>\n<body>\n",
          f);
}

static void page_close(FILE *f)
{
    fputs("</body>\n</html>\n", f);
}

/* The text document of the page, written by `text(ctx, mem)`, as a <pre>. */
static fp_status text_block(FILE *f, const char *heading,
                            fp_status (*text)(const void *ctx, FILE *mem, fp_error *err),
                            const void *ctx, fp_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    fp_status st;
    if (mem == NULL)
        return fp_error_set(err, FP_ENOMEM, "report: out of memory");
    st = text(ctx, mem, err);
    if (fclose(mem) != 0 && st == FP_OK)
        st = fp_error_set(err, FP_ENOMEM, "report: out of memory");
    if (st == FP_OK) {
        fputs("<h2 id=\"text\">", f);
        fp_put_html(f, heading);
        fputs("</h2>\n<pre>", f);
        /* line by line: the escaper turns control bytes, newlines included, into spaces */
        for (char *line = buf, *nl; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl != NULL)
                *nl = '\0';
            fp_put_html(f, line);
            if (nl != NULL)
                putc('\n', f);
        }
        fputs("</pre>\n", f);
    }
    free(buf); /* open_memstream's buffer: the C library's allocation */
    return st;
}

/* ---- SVG ---- */

/* Opens a chart: <svg> with its id, size, aria-label, <title> and <desc>. */
static void svg_open(FILE *f, const char *id, double h, const char *title, const char *desc)
{
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"%s\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
            id, W, h, W, h);
    fp_put_html(f, title);
    fprintf(f, "\" aria-describedby=\"%s-desc\">\n<title>", id);
    fp_put_html(f, title);
    fprintf(f, "</title>\n<desc id=\"%s-desc\">", id);
    fp_put_html(f, desc);
    fputs("</desc>\n", f);
}

static void svg_close(FILE *f)
{
    fputs("</svg>\n", f);
}

/* A text element; `anchor` "start", "middle" or "end". */
static void svg_text(FILE *f, double x, double y, const char *anchor, const char *s)
{
    fprintf(f, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\">", C(x).s, C(y).s, anchor);
    fp_put_html(f, s);
    fputs("</text>\n", f);
}

/* A tick step near span/5: 1, 2 or 5 times a power of ten. */
static double nice_step(double span)
{
    double raw = span / 5.0, p, m;
    if (!(raw > 0) || !isfinite(raw))
        return 1;
    p = pow(10.0, floor(log10(raw)));
    m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* A horizontal axis at y from 0 to `max` (x from ML to ML + PW) with ticks and a unit. */
static void x_axis(FILE *f, double y, double top, double max, const char *unit)
{
    char a[64], b[80];
    double step = nice_step(max);
    fprintf(f, "<line class=\"ax\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(ML).s, C(y).s,
            C(ML + PW).s, C(y).s);
    for (double t = 0; t <= max * 1.0000001 && step > 0; t += step) {
        double x = ML + PW * t / max;
        fprintf(f, "<line class=\"grid\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(x).s,
                C(top).s, C(x).s, C(y).s);
        snprintf(b, sizeof b, "%s%s", num(a, sizeof a, t), t == 0 ? unit : "");
        svg_text(f, x, y + 14, "middle", b);
    }
}

static double scale_max(double v)
{
    return v > 0 && isfinite(v) ? v : 1;
}

/* Cuts `s` to at most `chars` code points ("..." added) into buf. */
static const char *clip(const char *s, size_t chars, char *buf, size_t size)
{
    size_t n = 0, i = 0, cp = 0;
    if (fp_utf8_width(s) <= chars) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    if (chars < 2) {
        buf[0] = '\0';
        return buf;
    }
    while (s[i] != '\0' && n + 8 < size) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (cp == chars - 1)
                break;
            cp++;
        }
        buf[n++] = s[i++];
    }
    snprintf(buf + n, size - n, "\u2026");
    return buf;
}

/* ---- paths: many points, written without printf ---- */

typedef struct path_buf {
    FILE *f;
    size_t n;
    int held;         /* a point is held back: the middle of a horizontal run is dropped */
    long long hx, hy; /* the held (or last) point, tenths */
    char b[4096];
} path_buf;

/* Tenths of a coordinate, rounded half away from zero (clamped as C()'s). */
static long long tenths(double v)
{
    double t = clamp_tenths(v);
    return (long long)(t < 0 ? t - 0.5 : t + 0.5);
}

static void path_put(path_buf *pb, char cmd, long long x, long long y)
{
    char *o;
    if (pb->n + 64 > sizeof pb->b) {
        fwrite(pb->b, 1, pb->n, pb->f);
        pb->n = 0;
    }
    o = pb->b + pb->n;
    *o++ = cmd;
    o = put_tenths(o, x);
    *o++ = ' ';
    o = put_tenths(o, y);
    pb->n = (size_t)(o - pb->b);
}

static void path_flush(path_buf *pb)
{
    if (pb->held)
        path_put(pb, 'L', pb->hx, pb->hy);
    pb->held = 0;
    fwrite(pb->b, 1, pb->n, pb->f);
    pb->n = 0;
}

/* A path command and point "M12.3 45"; x and y are finite coordinates inside the chart, rounded
 * to tenths. The points between the ends of a run at the same height are left out: the line is
 * the same, and idle stretches (I/O at zero) cost two points. */
static void path_point(path_buf *pb, char cmd, double xd, double yd)
{
    long long x = tenths(xd), y = tenths(yd);
    if (cmd == 'M') {
        path_flush(pb);
        path_put(pb, 'M', x, y);
    } else if (y == pb->hy) {
        pb->held = 1; /* extends the run: keep only its newest point */
    } else {
        if (pb->held)
            path_put(pb, 'L', pb->hx, pb->hy);
        pb->held = 0;
        path_put(pb, 'L', x, y);
    }
    pb->hx = x;
    pb->hy = y;
}

/* ---- the report: one scenario's run ---- */

static const char *const s_series_label[FP_PICS_SERIES] = {"Memory (MB)", "CPU (%)",
                                                           "I/O (ops per sample)"};
static const char *const s_series_colour[FP_PICS_SERIES] = {C_BLUE, C_VERMIL, C_GREEN};

/* Most run events of each kind drawn on a timeline (the text report lists them all). */
#define MAX_DRAWN_EVENTS 200

/* The sampling gaps as hatched bands across the panels [top, bottom): a light grey band with
 * diagonal strokes (drawn as lines clipped to the band by hand, so the page needs no pattern
 * reference), and a <title> saying what is missing. */
static void gap_bands(FILE *f, const fp_detail *d, double top, double bottom, double tmax)
{
    char a[64], b[64];
    size_t drawn = 0;
    for (size_t i = 0; i < d->n_events && drawn < MAX_DRAWN_EVENTS; i++) {
        const fp_run_event *e = &d->events[i];
        if (e->kind != FP_EVENT_SAMPLING_GAP)
            continue;
        drawn++;
        double x0 = ML + PW * e->start_s / tmax, x1 = ML + PW * e->end_s / tmax, h = bottom - top;
        if (x1 - x0 < 3)
            x1 = x0 + 3;
        fputs("<g class=\"gap\"><title>", f);
        put_fmt(f, "sampling gap %s..%s s: %" PRIu64 " sample%s missed (series carried over)",
                num(a, sizeof a, e->start_s), num(b, sizeof b, e->end_s), e->missed,
                e->missed == 1 ? "" : "s");
        fprintf(f,
                "</title><rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\" "
                "fill-opacity=\"0.18\" stroke=\"#555\" stroke-width=\"0.8\"/>"
                "<path stroke=\"#555\" stroke-width=\"0.8\" fill=\"none\" d=\"",
                C(x0).s, C(top).s, C(x1 - x0).s, C(h).s, C_GREY);
        /* 45-degree strokes x - (bottom - y) = c every 6 units, clipped to [x0, x1] */
        for (double c = x0 - h; c < x1; c += 6.0) {
            double ax = c, ay = bottom, bx = c + h, by = top;
            if (ax < x0) {
                ay = bottom - (x0 - ax);
                ax = x0;
            }
            if (bx > x1) {
                by = top + (bx - x1);
                bx = x1;
            }
            if (bx - ax < 0.5)
                continue;
            fprintf(f, "M%s %sL%s %s", C(ax).s, C(ay).s, C(bx).s, C(by).s);
        }
        fputs("\"/></g>\n", f);
    }
}

/* The guard breaches as labelled vertical markers across the panels [top, bottom). */
static void breach_marks(FILE *f, const fp_detail *d, double top, double bottom, double tmax)
{
    char a[64], b[64], c[64];
    size_t drawn = 0;
    for (size_t i = 0; i < d->n_events && drawn < MAX_DRAWN_EVENTS; i++) {
        const fp_run_event *e = &d->events[i];
        if (e->kind != FP_EVENT_GUARD_BREACH)
            continue;
        double x = ML + PW * e->start_s / tmax;
        int left = x < ML + PW * 0.6;
        char lab[160];
        fputs("<g class=\"breach\"><title>", f);
        put_fmt(f, "guard %s breached at %s s: %s > limit %s (%s)", e->guard,
                num(a, sizeof a, e->start_s), fp_fmt_measure(b, sizeof b, e->value, e->unit),
                fp_fmt_measure(c, sizeof c, e->limit, e->unit), e->action);
        fprintf(f,
                "</title><line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#000\" "
                "stroke-width=\"1.5\"/><path fill=\"#000\" d=\"M%s %sL%s %sL%s %sZ\"/>",
                C(x).s, C(top).s, C(x).s, C(bottom).s, C(x - 5).s, C(top - 7).s, C(x + 5).s,
                C(top - 7).s, C(x).s, C(top).s);
        snprintf(lab, sizeof lab, "%s %s", e->guard, e->action);
        svg_text(f, left ? x + 4 : x - 4, bottom - 4 - 11.0 * (double)(drawn % 3),
                 left ? "start" : "end", lab);
        fputs("</g>\n", f);
        drawn++;
    }
}

/* Captions under the timeline naming its breaches and gaps in words (the first few; the text
 * report below lists them all): one paragraph per kind, none when the run has none. */
static void events_caption(FILE *f, const fp_detail *d)
{
    char a[64], b[64], c[64];
    for (int kind = 0; kind < FP_EVENT_KIND_COUNT; kind++) {
        size_t k = 0;
        for (size_t i = 0; i < d->n_events; i++) {
            const fp_run_event *e = &d->events[i];
            if ((int)e->kind != kind)
                continue;
            if (k == 5) {
                fputs("; ...", f);
                break;
            }
            if (k == 0)
                fputs(kind == FP_EVENT_GUARD_BREACH ? "<p class=\"cap\">Guard breaches (black "
                                                      "markers): "
                                                    : "<p class=\"cap\">Sampling gaps (hatched): ",
                      f);
            if (kind == FP_EVENT_GUARD_BREACH)
                put_fmt(f, "%s%s at %s, %s > limit %s (%s)", k ? "; " : "", e->guard,
                        fp_fmt_duration(a, sizeof a, e->start_s),
                        fp_fmt_measure(b, sizeof b, e->value, e->unit),
                        fp_fmt_measure(c, sizeof c, e->limit, e->unit), e->action);
            else
                put_fmt(f, "%s%s..%s, %" PRIu64 " missed", k ? "; " : "",
                        fp_fmt_duration(a, sizeof a, e->start_s),
                        fp_fmt_duration(b, sizeof b, e->end_s), e->missed);
            k++;
        }
        if (k > 0)
            fputs(".</p>\n", f);
    }
}

static void timeline(FILE *f, const fp_scn *s, size_t si)
{
    const fp_pics *pc = s->d.pics;
    const fp_detail *d = &s->d;
    const double panel = 90, gap = 26, top = 28;
    double strip =
        d->simulated && d->n_truth ? 22.0 * (double)(d->n_truth < 8 ? d->n_truth : 8) + 20 : 0;
    double y_axis = top + FP_PICS_SERIES * (panel + gap) - gap + 6;
    double h = y_axis + strip + 40;
    double tmax = scale_max(pc->t_end > d->run.duration_s ? pc->t_end : d->run.duration_s);
    char id[64], title[512], a[64], b[64], desc[768];
    size_t i, c;
    int k;

    snprintf(id, sizeof id, "s%zu-timeline", si);
    snprintf(title, sizeof title, "%s, run %" PRIu64 ": memory, CPU and I/O over time", s->name,
             d->run_index);
    /* only recorded runs have run events: other pages keep their description */
    snprintf(desc, sizeof desc, "%s%s",
             "Three panels on one time axis: process memory, CPU and I/O operations (each "
             "column shows the minimum to maximum of its samples, so peaks are kept). Shaded "
             "bands are the findings' windows, labelled with their rank and kind; below, the "
             "ground truth's windows of a simulated run.",
             d->n_events == 0 ? ""
                              : " Black vertical markers are guard breaches, labelled with the "
                                "guard and the action taken; hatched grey bands are sampling "
                                "gaps, where no sample was taken and the series carry the last "
                                "value over.");
    svg_open(f, id, h, title, desc);
    for (k = 0; k < FP_PICS_SERIES; k++) {
        double y0 = top + k * (panel + gap), hi = 0;
        svg_text(f, ML, y0 - 6, "start", s_series_label[k]);
        fprintf(f,
                "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" "
                "class=\"ax\"/>\n",
                C(ML).s, C(y0).s, C(PW).s, C(panel).s);
        if (pc->cols == 0 || !pc->has[k]) {
            svg_text(f, ML + PW / 2, y0 + panel / 2, "middle", "n/a (no data in the input)");
            continue;
        }
        for (c = 0; c < pc->cols; c++)
            hi = pc->mx[k][c] > hi ? pc->mx[k][c] : hi;
        hi = scale_max(hi);
        svg_text(f, ML - 4, y0 + 10, "end", num(a, sizeof a, hi));
        svg_text(f, ML - 4, y0 + panel, "end", "0");
        fprintf(f,
                "<path id=\"%s-%d\" fill=\"%s\" fill-opacity=\"0.55\" stroke=\"%s\" "
                "stroke-width=\"0.8\" d=\"",
                id, k, s_series_colour[k], s_series_colour[k]);
        {
            path_buf pb;
            pb.n = 0;
            pb.held = 0;
            pb.hx = pb.hy = 0;
            pb.f = f;
            for (c = 0; c < pc->cols; c++) {
                double t = ((double)c + 0.5) * pc->t_end / (double)pc->cols;
                path_point(&pb, c ? 'L' : 'M', ML + PW * t / tmax,
                           y0 + panel - panel * pc->mx[k][c] / hi);
            }
            /* the lower edge back (a band), unless every column is one sample (min = max) */
            if (pc->banded)
                for (c = pc->cols; c-- > 0;) {
                    double t = ((double)c + 0.5) * pc->t_end / (double)pc->cols;
                    path_point(&pb, 'L', ML + PW * t / tmax,
                               y0 + panel - panel * pc->mn[k][c] / hi);
                }
            path_flush(&pb);
        }
        fputs(pc->banded ? "Z\"/>\n" : "\"/>\n", f);
    }
    /* the findings' windows across the three panels */
    for (i = 0; i < d->n_findings; i++) {
        const fp_finding *fd = &d->findings[i];
        double x0 = ML + PW * fd->start_s / tmax, x1 = ML + PW * fd->end_s / tmax;
        const char *col = s_cycle[i % N_CYCLE];
        char lab[160];
        if (x1 - x0 < 2)
            x1 = x0 + 2;
        fprintf(f,
                "<g class=\"finding\"><rect x=\"%s\" y=\"%s\" width=\"%s\" "
                "height=\"%s\" fill=\"%s\" fill-opacity=\"0.16\" stroke=\"%s\" "
                "stroke-dasharray=\"3 2\"><title>",
                C(x0).s, C(top).s, C(x1 - x0).s, C(y_axis - 6 - top).s, col, col);
        put_fmt(f, "#%zu %s on %s, %s..%s s, %s", i + 1, fp_kind_name(fd->kind), fd->target_name,
                num(a, sizeof a, fd->start_s), num(b, sizeof b, fd->end_s),
                fp_severity_name(fd->severity));
        fputs("</title></rect>", f);
        snprintf(lab, sizeof lab, "#%zu %s", i + 1, fp_kind_name(fd->kind));
        svg_text(f, x0 + 2, top + 11 + 11.0 * (double)(i % 3), "start", lab);
        fputs("</g>\n", f);
    }
    gap_bands(f, d, top, y_axis - 6, tmax);
    breach_marks(f, d, top, y_axis - 6, tmax);
    x_axis(f, y_axis, top, tmax, " s");
    /* the ground truth's windows, one row each */
    if (strip > 0) {
        double y = y_axis + 30;
        svg_text(f, ML, y, "start", "Ground truth (simulated): found, missed or not observable");
        for (i = 0; i < d->n_truth && i < 8; i++) {
            const fp_truth *t = &d->truth[i];
            double x0 = ML + PW * t->start_s / tmax, x1 = ML + PW * t->end_s / tmax;
            fp_truth_outcome o = i < d->match.n_truth ? d->match.truth_outcome[i] : FP_TRUTH_MISSED;
            const char *col = o == FP_TRUTH_FOUND    ? C_GREEN
                              : o == FP_TRUTH_MISSED ? C_VERMIL
                                                     : C_GREY;
            const char *on = o == FP_TRUTH_FOUND    ? "found"
                             : o == FP_TRUTH_MISSED ? "missed"
                                                    : "not observable";
            char lab[256];
            double ry = y + 6 + 22.0 * (double)i;
            if (x1 - x0 < 2)
                x1 = x0 + 2;
            fprintf(f,
                    "<g class=\"truth\"><rect x=\"%s\" y=\"%s\" width=\"%s\" "
                    "height=\"16\" fill=\"%s\" fill-opacity=\"0.35\" stroke=\"%s\"><title>",
                    C(x0).s, C(ry).s, C(x1 - x0).s, col, col);
            put_fmt(f, "truth %s on %s, %s..%s s: %s", fp_kind_name(t->kind), d->truth_target[i],
                    num(a, sizeof a, t->start_s), num(b, sizeof b, t->end_s), on);
            fputs("</title></rect>", f);
            snprintf(lab, sizeof lab, "%s on %s (%s)", fp_kind_name(t->kind), d->truth_target[i],
                     on);
            svg_text(f, x0 < ML + PW * 0.6 ? x0 + 3 : x1 - 3, ry + 12,
                     x0 < ML + PW * 0.6 ? "start" : "end", lab);
            fputs("</g>\n", f);
        }
    }
    svg_close(f);
    events_caption(f, d);
}

static void icicle(FILE *f, const fp_scn *s, size_t si)
{
    const fp_pics *pc = s->d.pics;
    const double row = 18, top = 10;
    uint32_t depth = 0;
    char id[64], title[512], a[64], nm[160];
    size_t i;
    for (i = 0; i < pc->n_nodes; i++)
        depth = pc->nodes[i].depth + 1 > depth ? pc->nodes[i].depth + 1 : depth;
    snprintf(id, sizeof id, "s%zu-icicle", si);
    snprintf(title, sizeof title, "%s, run %" PRIu64 ": icicle of the spans", s->name,
             s->d.run_index);
    svg_open(f, id, top + row * depth + 40, title,
             "Icicle (flame) chart: each box is a call stack path, its width the inclusive time "
             "of its calls, callers above callees. Orange boxes are on the critical path; the "
             "darker bar inside shows their share on it.");
    x_axis(f, top + row * depth + 4, top, scale_max(pc->root_w), " s");
    for (i = 0; i < pc->n_nodes; i++) {
        const fp_pics_node *n = &pc->nodes[i];
        double x = ML + PW * n->x / scale_max(pc->root_w), w = PW * n->w / scale_max(pc->root_w);
        double y = top + row * n->depth;
        int crit = n->crit > 0;
        fprintf(f,
                "<g><rect class=\"n\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%.0f\" "
                "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\"><title>",
                C(x).s, C(y).s, C(w > 0.3 ? w : 0.3).s, row - 1, crit ? C_ORANGE : C_SKY);
        put_fmt(f, "%s: %s s inclusive%s", n->name, num(a, sizeof a, n->secs),
                crit ? ", on the critical path" : "");
        fputs("</title></rect>", f);
        if (crit)
            fprintf(f, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"3\" fill=\"%s\"/>", C(x).s,
                    C(y + row - 4).s, C(w * (n->crit > 1 ? 1 : n->crit)).s, C_VERMIL);
        if (w > 30)
            svg_text(f, x + 3, y + 12, "start", clip(n->name, (size_t)(w / 6.5), nm, sizeof nm));
        fputs("</g>\n", f);
    }
    svg_close(f);
}

static void methods(FILE *f, const fp_scn *s, size_t si)
{
    const fp_detail *d = &s->d;
    size_t n = d->n_methods < 20 ? d->n_methods : 20, i;
    const double row = 20, top = 24, lm = 200;
    double max = 0;
    char id[64], title[512], a[64], b[64], c[64], nm[160];
    for (i = 0; i < n; i++) {
        const fp_method_metrics *m = &d->methods[i];
        double own = m->calls ? m->self_s / (double)m->calls : 0;
        max = own > max ? own : max;
        max = m->p95_s > max ? m->p95_s : max;
    }
    max = scale_max(max);
    snprintf(id, sizeof id, "s%zu-methods", si);
    snprintf(title, sizeof title, "%s, run %" PRIu64 ": time per call of each method", s->name,
             d->run_index);
    svg_open(f, id, top + row * (double)n + 34, title,
             "One row per method (the 20 with the most total time): the bar is its own time per "
             "call (without callees), the whisker runs from the median (p50) to the 95th "
             "percentile (p95) of its inclusive time per call.");
    svg_text(f, lm, 14, "start", "bar: own time per call; whisker: p50 to p95 per call");
    for (i = 0; i < n; i++) {
        const fp_method_metrics *m = &d->methods[i];
        double own = m->calls ? m->self_s / (double)m->calls : 0;
        double y = top + row * (double)i, sc = (W - MR - lm) / max;
        fprintf(f,
                "<g><rect class=\"bar\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%.0f\" "
                "fill=\"%s\"><title>",
                C(lm).s, C(y + 3).s, C(own * sc).s, row - 6, C_BLUE);
        put_fmt(f, "%s: own %s s per call, p50 %s s, p95 %s s, %zu calls", m->name,
                num(a, sizeof a, own), num(b, sizeof b, m->p50_s), num(c, sizeof c, m->p95_s),
                m->calls);
        fputs("</title></rect>", f);
        fprintf(f,
                "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#000\" "
                "stroke-width=\"1.5\"/><line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                "stroke=\"#000\"/><line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                "stroke=\"#000\"/>",
                C(lm + m->p50_s * sc).s, C(y + row / 2).s, C(lm + m->p95_s * sc).s,
                C(y + row / 2).s, C(lm + m->p50_s * sc).s, C(y + 4).s, C(lm + m->p50_s * sc).s,
                C(y + row - 4).s, C(lm + m->p95_s * sc).s, C(y + 4).s, C(lm + m->p95_s * sc).s,
                C(y + row - 4).s);
        svg_text(f, lm - 6, y + 14, "end", clip(m->name, 28, nm, sizeof nm));
        fputs("</g>\n", f);
    }
    {
        /* axis in seconds per call */
        double y = top + row * (double)n + 2, step = nice_step(max);
        fprintf(f, "<line class=\"ax\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(lm).s,
                C(y).s, C(W - MR).s, C(y).s);
        for (double t = 0; t <= max * 1.0000001; t += step) {
            char lab[80];
            snprintf(lab, sizeof lab, "%s%s", num(a, sizeof a, t), t == 0 ? " s" : "");
            svg_text(f, lm + t * (W - MR - lm) / max, y + 14, "middle", lab);
        }
    }
    svg_close(f);
}

/* Across scenarios: one chart per metric, median bars with the 5-95 % range. */
static void across(FILE *f, const fp_report *r)
{
    static const int ks[] = {FP_S_DURATION, FP_S_PEAK_MEM, FP_S_AVG_CPU, FP_S_SCORE};
    const double row = 20, top = 10, lm = 200;
    char a[64], b[64], c[64], title[256], nm[160];
    fputs("<h2 id=\"comparison\">Comparison across scenarios</h2>\n", f);
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        const fp_sum_info *in = &fp_sum_infos[ks[j]];
        double max = ks[j] == FP_S_SCORE ? 100 : 0;
        char id[64];
        for (size_t i = 0; i < r->n_scns; i++)
            if (r->scns[i]->runs > 0 && r->scns[i]->na_runs[ks[j]] < r->scns[i]->runs) {
                double v = fp_qacc_get(&r->scns[i]->sum[ks[j]], FP_Q_P95);
                max = v > max ? v : max;
            }
        max = scale_max(max);
        snprintf(id, sizeof id, "cmp-%s", in->key);
        snprintf(title, sizeof title, "%s (%s) per scenario: median and 5-95 %% range", in->label,
                 in->unit);
        svg_open(f, id, top + row * (double)r->n_scns + 34, title,
                 "One row per scenario: the bar is the median over runs, the whisker the 5th to "
                 "95th percentile.");
        for (size_t i = 0; i < r->n_scns; i++) {
            const fp_scn *s = r->scns[i];
            double y = top + row * (double)i, sc = (W - MR - lm) / max;
            double med = fp_qacc_get(&s->sum[ks[j]], FP_Q_MED);
            double p5 = fp_qacc_get(&s->sum[ks[j]], FP_Q_P5),
                   p95 = fp_qacc_get(&s->sum[ks[j]], FP_Q_P95);
            fputs("<g>", f);
            svg_text(f, lm - 6, y + 14, "end", clip(s->name, 28, nm, sizeof nm));
            if (s->runs == 0 || s->na_runs[ks[j]] == s->runs) {
                svg_text(f, lm + 4, y + 14, "start", "n/a");
                fputs("</g>\n", f);
                continue;
            }
            fprintf(f,
                    "<rect class=\"bar\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%.0f\" "
                    "fill=\"%s\"><title>",
                    C(lm).s, C(y + 3).s, C(med * sc).s, row - 6,
                    ks[j] == FP_S_SCORE ? C_GREEN : C_BLUE);
            put_fmt(f, "%s: median %s, 5-95 %% [%s, %s] %s", s->name, num(a, sizeof a, med),
                    num(b, sizeof b, p5), num(c, sizeof c, p95), in->unit);
            fputs("</title></rect>", f);
            if (s->runs > 1)
                fprintf(f,
                        "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#000\" "
                        "stroke-width=\"1.5\"/>",
                        C(lm + p5 * sc).s, C(y + row / 2).s, C(lm + p95 * sc).s, C(y + row / 2).s);
            svg_text(f, lm + med * sc + 4 + (s->runs > 1 ? (p95 - med) * sc : 0), y + 14, "start",
                     num(a, sizeof a, med));
            fputs("</g>\n", f);
        }
        svg_close(f);
    }
}

static fp_status report_text(const void *ctx, FILE *mem, fp_error *err)
{
    return fp_report_write_doc(ctx, mem, 0, err);
}

fp_status fp_report_write_html(const fp_report *r, FILE *out, fp_error *err)
{
    const char *title = r->title ? r->title : "fpsim report";
    fp_status st;
    page_open(out, title);
    fputs("<h1>", out);
    fp_put_html(out, title);
    fprintf(out,
            "</h1>\n<p>fpsim %s; report schema %d; %zu scenario%s. The pictures come first, "
            "then <a href=\"#text\">the text report</a>.</p>\n",
            fp_version(), FP_REPORT_SCHEMA_VERSION, r->n_scns, r->n_scns == 1 ? "" : "s");
    for (size_t i = 0; i < r->n_scns; i++) {
        const fp_scn *s = r->scns[i];
        char a[64];
        fprintf(out, "<h2 id=\"s%zu\">Scenario: ", i);
        fp_put_html(out, s->name);
        fputs("</h2>\n", out);
        if (s->runs == 0 || !s->has_detail) {
            fputs("<p>No runs.</p>\n", out);
            continue;
        }
        fprintf(out,
                "<p>%zu run%s; score %s/100 (median). The pictures show run %" PRIu64 ".</p>\n",
                s->runs, s->runs == 1 ? "" : "s",
                fp_fmt_fixed(a, sizeof a, fp_qacc_get(&s->sum[FP_S_SCORE], FP_Q_MED), 1),
                s->d.run_index);
        if (s->d.pics == NULL)
            continue;
        fputs("<h3>Timeline</h3>\n", out);
        timeline(out, s, i);
        if (s->d.pics->n_nodes > 0) {
            fputs("<h3>Spans</h3>\n", out);
            icicle(out, s, i);
        }
        if (s->d.n_methods > 0) {
            fputs("<h3>Methods</h3>\n", out);
            methods(out, s, i);
        }
    }
    if (r->n_scns >= 2)
        across(out, r);
    st = text_block(out, "Text report", report_text, r, err);
    if (st != FP_OK)
        return st;
    page_close(out);
    return fp_report_finish(out, err);
}

/* ---- compare: a forest plot ---- */

typedef struct cmp_ctx {
    const fp_compare *c;
    const fp_report_compare_side *sides;
    const char *rng;
} cmp_ctx;

static fp_status compare_text(const void *ctx, FILE *mem, fp_error *err)
{
    const cmp_ctx *x = ctx;
    return fp_report_write_compare(mem, FP_REPORT_TEXT, x->c, x->sides, x->rng, err);
}

void fp_html_compare(FILE *f, const fp_compare *c, const fp_report_compare_side sides[2],
                     const char *rng)
{
    size_t nm, i, shown = 0;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const double row = 20, top = 30, lm = 220;
    double lim = 0.1;
    char a[64], b[64], cc[64], nmb[160];
    cmp_ctx x = {c, sides, rng};
    fp_error e;
    fp_error_clear(&e);
    page_open(f, "fpsim compare");
    fputs("<h1>fpsim compare</h1>\n<p>BASE: ", f);
    fp_put_html(f, sides[0].source);
    fputs("; NEW: ", f);
    fp_put_html(f, sides[1].source);
    fputs("</p>\n<h2 id=\"shifts\">Per-method shifts</h2>\n", f);
    /* relative shift (HL shift / base median) with its interval; limits symmetric */
    for (i = 0; i < nm; i++) {
        const fp_sample_delta *d = &md[i].time;
        if (!(d->base_median > 0) || md[i].change == FP_CHANGE_ADDED ||
            md[i].change == FP_CHANGE_REMOVED)
            continue;
        shown++;
        double lo = fabs(d->hl.lo / d->base_median), hi = fabs(d->hl.hi / d->base_median);
        lim = lo > lim ? lo : lim;
        lim = hi > lim ? hi : lim;
    }
    lim = lim > 5 ? 5 : lim;
    svg_open(f, "forest", top + row * (double)shown + 40,
             "Forest plot: shift of each method's per-call time, NEW against BASE",
             "One row per method present on both sides: the dot is the Hodges-Lehmann shift of "
             "its per-call inclusive time relative to BASE's median, the line its confidence "
             "interval. Regressions are vermilion, improvements blue, the rest grey.");
    {
        double x0 = lm + (W - MR - lm) / 2;
        fprintf(f, "<line class=\"ax\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(x0).s,
                C(top - 6).s, C(x0).s, C(top + row * (double)shown).s);
        svg_text(f, x0, top - 12, "middle", "0 % (no change)");
        fprintf(f, "<circle cx=\"%s\" cy=\"8\" r=\"4\" fill=\"%s\"/>", C(ML).s, C_VERMIL);
        svg_text(f, ML + 8, 12, "start", "regression");
        fprintf(f, "<circle cx=\"%s\" cy=\"8\" r=\"4\" fill=\"%s\"/>", C(ML + 90).s, C_BLUE);
        svg_text(f, ML + 98, 12, "start", "improvement");
        fprintf(f, "<circle cx=\"%s\" cy=\"8\" r=\"4\" fill=\"%s\"/>", C(ML + 190).s, C_GREY);
        svg_text(f, ML + 198, 12, "start", "no change or not enough data");
    }
    shown = 0;
    for (i = 0; i < nm; i++) {
        const fp_sample_delta *d = &md[i].time;
        double sc = (W - MR - lm) / 2 / lim, x0 = lm + (W - MR - lm) / 2, y;
        const char *col = md[i].change == FP_CHANGE_REGRESSION    ? C_VERMIL
                          : md[i].change == FP_CHANGE_IMPROVEMENT ? C_BLUE
                                                                  : C_GREY;
        double s, lo, hi;
        if (!(d->base_median > 0) || md[i].change == FP_CHANGE_ADDED ||
            md[i].change == FP_CHANGE_REMOVED)
            continue;
        y = top + row * (double)shown++ + row / 2;
        s = d->hl.shift / d->base_median;
        lo = d->hl.lo / d->base_median;
        hi = d->hl.hi / d->base_median;
        s = s < -lim ? -lim : s > lim ? lim : s;
        lo = lo < -lim ? -lim : lo > lim ? lim : lo;
        hi = hi < -lim ? -lim : hi > lim ? lim : hi;
        fprintf(f, "<g class=\"%s\">",
                md[i].change == FP_CHANGE_REGRESSION ? "regression" : "method");
        svg_text(f, lm - 8, y + 4, "end", clip(md[i].name, 30, nmb, sizeof nmb));
        fprintf(f,
                "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" "
                "stroke-width=\"2\"/><circle cx=\"%s\" cy=\"%s\" r=\"4.5\" fill=\"%s\"><title>",
                C(x0 + lo * sc).s, C(y).s, C(x0 + hi * sc).s, C(y).s, col, C(x0 + s * sc).s, C(y).s,
                col);
        put_fmt(f, "%s: shift %s %% [%s, %s] of base median; %s", md[i].name,
                num(a, sizeof a, 100 * d->hl.shift / d->base_median),
                num(b, sizeof b, 100 * d->hl.lo / d->base_median),
                num(cc, sizeof cc, 100 * d->hl.hi / d->base_median), fp_change_name(md[i].change));
        fputs("</title></circle></g>\n", f);
    }
    {
        double y = top + row * (double)shown + 4, x0 = lm + (W - MR - lm) / 2;
        snprintf(a, sizeof a, "-%.0f %%", lim * 100);
        svg_text(f, lm, y + 14, "start", a);
        snprintf(a, sizeof a, "+%.0f %%", lim * 100);
        svg_text(f, W - MR, y + 14, "end", a);
        svg_text(f, x0, y + 14, "middle", "shift relative to BASE's median per call");
    }
    svg_close(f);
    text_block(f, "Text report", compare_text, &x, &e);
    page_close(f);
}

/* ---- validate ---- */

/* A rate as a dot with its interval on a [0, 1] axis from lm to W - MR. */
static void rate_mark(FILE *f, double lm, double y, const fp_validate_rate *r, const char *col,
                      const char *what, const char *label)
{
    double sc = W - MR - lm;
    char a[64], b[64], c[64];
    if (!r->available)
        return;
    fprintf(f,
            "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" "
            "stroke-width=\"2\"/><circle cx=\"%s\" cy=\"%s\" r=\"4\" fill=\"%s\"><title>",
            C(lm + r->lo * sc).s, C(y).s, C(lm + r->hi * sc).s, C(y).s, col,
            C(lm + r->value * sc).s, C(y).s, col);
    put_fmt(f, "%s %s: %s [%s, %s] (Wilson 95 %%)", label, what, num(a, sizeof a, r->value),
            num(b, sizeof b, r->lo), num(c, sizeof c, r->hi));
    fputs("</title></circle>\n", f);
}

static void unit_axis(FILE *f, double lm, double y, double top)
{
    char a[16];
    fprintf(f, "<line class=\"ax\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(lm).s, C(y).s,
            C(W - MR).s, C(y).s);
    for (int t = 0; t <= 10; t += 2) {
        double x = lm + (W - MR - lm) * t / 10.0;
        fprintf(f, "<line class=\"grid\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(x).s,
                C(top).s, C(x).s, C(y).s);
        snprintf(a, sizeof a, "%.1f", t / 10.0);
        svg_text(f, x, y + 14, "middle", a);
    }
}

static fp_status validate_text(const void *ctx, FILE *mem, fp_error *err)
{
    return fp_report_write_validate(mem, FP_REPORT_TEXT, ctx, err);
}

void fp_html_validate(FILE *f, const fp_validate_engine *e)
{
    const fp_validate_summary *s = fp_validate_engine_overall(e);
    const double row = 34, top = 34, lm = 170;
    size_t n = 0, i = 0;
    fp_error err;
    fp_error_clear(&err);
    for (int k = 0; k < FP_KIND_COUNT; k++)
        n += s->kinds[k].tp + s->kinds[k].fp + s->kinds[k].fn > 0;
    page_open(f, "fpsim validate");
    fputs("<h1>fpsim validate</h1>\n<h2 id=\"accuracy\">Precision and recall per kind</h2>\n", f);
    svg_open(f, "validate-pr", top + row * (double)(n + 1) + 30,
             "Precision and recall per kind, with 95 % Wilson intervals",
             "One row per bottleneck kind seen over all scenarios, and one for all kinds: "
             "precision (blue, upper) and recall (orange, lower), each a dot with its 95 % Wilson "
             "interval on a 0 to 1 axis.");
    svg_text(f, lm, 16, "start", "blue: precision; orange: recall (95 % Wilson intervals)");
    for (int k = 0; k <= FP_KIND_COUNT; k++) {
        const fp_validate_kind_stats *ks = k < FP_KIND_COUNT ? &s->kinds[k] : &s->overall;
        const char *name = k < FP_KIND_COUNT ? fp_kind_name((fp_kind)k) : "all";
        double y = top + row * (double)i;
        if (k < FP_KIND_COUNT && ks->tp + ks->fp + ks->fn == 0)
            continue;
        i++;
        fputs("<g>", f);
        svg_text(f, lm - 8, y + 14, "end", name);
        rate_mark(f, lm, y + 8, &ks->precision, C_BLUE, "precision", name);
        rate_mark(f, lm, y + 20, &ks->recall, C_ORANGE, "recall", name);
        fputs("</g>\n", f);
    }
    unit_axis(f, lm, top + row * (double)i, top);
    svg_close(f);
    text_block(f, "Text report", validate_text, e, &err);
    page_close(f);
}

static fp_status sweep_text(const void *ctx, FILE *mem, fp_error *err)
{
    return fp_report_write_sweep(mem, FP_REPORT_TEXT, ctx, err);
}

/* A [0,1] x [0,1] plot frame at (x0, y0) of size (w, h) with labels. */
static void frame01(FILE *f, double x0, double y0, double w, double h, const char *xl,
                    const char *yl, int x01)
{
    char a[16];
    for (int t = 0; x01 && t <= 10; t += 2) {
        snprintf(a, sizeof a, "%.1f", t / 10.0);
        svg_text(f, x0 + w * t / 10.0, y0 + h + 14, "middle", a);
    }
    fprintf(f,
            "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" "
            "class=\"ax\"/>\n",
            C(x0).s, C(y0).s, C(w).s, C(h).s);
    for (int t = 0; t <= 10; t += 2) {
        snprintf(a, sizeof a, "%.1f", t / 10.0);
        svg_text(f, x0 - 6, y0 + h - h * t / 10.0 + 4, "end", a);
        fprintf(f, "<line class=\"grid\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n", C(x0).s,
                C(y0 + h - h * t / 10.0).s, C(x0 + w).s, C(y0 + h - h * t / 10.0).s);
    }
    svg_text(f, x0 + w / 2, y0 + h + 32, "middle", xl);
    fprintf(f,
            "<text x=\"14\" y=\"%s\" transform=\"rotate(-90 14 %s)\" "
            "text-anchor=\"middle\">",
            C(y0 + h / 2).s, C(y0 + h / 2).s);
    fp_put_html(f, yl);
    fputs("</text>\n", f);
}

void fp_html_sweep(FILE *f, const fp_validate_engine *e)
{
    size_t n, i, best;
    fp_kind kind;
    const char *key;
    const fp_validate_sweep_point *pts = fp_validate_engine_sweep_points(e, &n, &kind, &key);
    fp_validate_best_rule rule;
    double def, x0 = ML, y0 = 30, w = PW, h = 360;
    char title[256], a[64], b[64], c[64];
    fp_error err;
    fp_error_clear(&err);
    best = fp_validate_sweep_best(e, &rule, &def);
    snprintf(title, sizeof title, "Threshold sweep of %s (%s): precision against recall",
             fp_kind_name(kind), key);
    page_open(f, title);
    fputs("<h1>", f);
    fp_put_html(f, title);
    fputs("</h1>\n", f);
    svg_open(f, "sweep", y0 + h + 50, title,
             "One point per threshold value: recall on the horizontal axis, precision on the "
             "vertical, joined in threshold order and labelled with the value; the best point "
             "(highest F1, or the fewest false alarms when nothing is found) is ringed.");
    frame01(f, x0, y0, w, h, "recall", "precision", 1);
    fprintf(f, "<path id=\"sweep-curve\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"",
            C_BLUE);
    for (i = 0; i < n; i++) {
        const fp_validate_kind_stats *k = &pts[i].ks;
        double rx = k->recall.available ? k->recall.value : 0;
        double py = k->precision.available ? k->precision.value : 0;
        fprintf(f, "%s%s %s", i ? "L" : "M", C(x0 + w * rx).s, C(y0 + h - h * py).s);
    }
    fputs("\"/>\n", f);
    for (i = 0; i < n; i++) {
        const fp_validate_kind_stats *k = &pts[i].ks;
        double px = x0 + w * (k->recall.available ? k->recall.value : 0);
        double py = y0 + h - h * (k->precision.available ? k->precision.value : 0);
        fprintf(f, "<g><circle cx=\"%s\" cy=\"%s\" r=\"%s\" fill=\"%s\"%s><title>", C(px).s,
                C(py).s, i == best ? "7" : "4", i == best ? C_VERMIL : C_BLUE,
                i == best ? " id=\"sweep-best\"" : "");
        put_fmt(f, "%s = %g: precision %s, recall %s, F1 %s%s", key, pts[i].value,
                k->precision.available ? num(a, sizeof a, k->precision.value) : "n/a",
                k->recall.available ? num(b, sizeof b, k->recall.value) : "n/a",
                k->f1.available ? num(c, sizeof c, k->f1.value) : "n/a",
                i == best ? (rule == FP_VALIDATE_BEST_F1 ? " (best F1)" : " (fewest false alarms)")
                          : "");
        fputs("</title></circle>", f);
        snprintf(a, sizeof a, "%g%s", pts[i].value, i == best ? " best" : "");
        svg_text(f, px + 7, py - 5, "start", a);
        fputs("</g>\n", f);
    }
    svg_close(f);
    text_block(f, "Text report", sweep_text, e, &err);
    page_close(f);
}

static fp_status power_text(const void *ctx, FILE *mem, fp_error *err)
{
    return fp_report_write_power(mem, FP_REPORT_TEXT, ctx, err);
}

void fp_html_power(FILE *f, const fp_validate_engine *e)
{
    size_t n, i, curve = 0;
    fp_kind kind;
    const fp_validate_power_row *rows = fp_validate_engine_power_rows(e, &n, &kind);
    double x0 = ML, y0 = 30, w = PW, h = 340, smax = 0;
    char title[256], a[64], b[64];
    fp_error err;
    fp_error_clear(&err);
    for (i = 0; i < n; i++)
        smax = rows[i].scale > smax ? rows[i].scale : smax;
    smax = scale_max(smax);
    snprintf(title, sizeof title, "Power curve of %s: detection probability against scale",
             fp_kind_name(kind));
    page_open(f, title);
    fputs("<h1>", f);
    fp_put_html(f, title);
    fputs("</h1>\n", f);
    svg_open(f, "power", y0 + h + 50, title,
             "One line per declared bottleneck: recall (detection probability) against the "
             "magnitude scale, with 95 % Wilson intervals; the dashed line is recall 0.9 and "
             "the ringed point on each line its minimum detectable effect.");
    frame01(f, x0, y0, w, h, "magnitude scale", "recall", 0);
    fprintf(f,
            "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#000\" "
            "stroke-dasharray=\"5 3\"/>\n",
            C(x0).s, C(y0 + h * 0.1).s, C(x0 + w).s, C(y0 + h * 0.1).s);
    {
        double step = nice_step(smax);
        for (double t = 0; t <= smax * 1.0000001; t += step)
            svg_text(f, x0 + w * t / smax, y0 + h + 14, "middle", num(a, sizeof a, t));
    }
    for (i = 0; i < n; curve++) {
        size_t j = i, k;
        const char *col = s_cycle[curve % N_CYCLE];
        double mag, mde;
        while (j < n && rows[j].scenario == rows[i].scenario && rows[j].source == rows[i].source)
            j++;
        mde = fp_validate_power_mde(rows, n, rows[i].scenario, rows[i].source, &mag);
        fprintf(f,
                "<g class=\"curve\"><path id=\"power-%zu\" fill=\"none\" stroke=\"%s\" "
                "stroke-width=\"1.5\" d=\"",
                curve, col);
        for (k = i; k < j; k++)
            fprintf(f, "%s%s %s", k > i ? "L" : "M", C(x0 + w * rows[k].scale / smax).s,
                    C(y0 + h - h * (rows[k].recall.available ? rows[k].recall.value : 0)).s);
        fputs("\"/>\n", f);
        for (k = i; k < j; k++) {
            const fp_validate_rate *r = &rows[k].recall;
            double px = x0 + w * rows[k].scale / smax;
            if (!r->available)
                continue;
            fprintf(f,
                    "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\"/>"
                    "<circle cx=\"%s\" cy=\"%s\" r=\"%s\" fill=\"%s\"><title>",
                    C(px).s, C(y0 + h - h * r->lo).s, C(px).s, C(y0 + h - h * r->hi).s, col,
                    C(px).s, C(y0 + h - h * r->value).s, rows[k].scale == mde ? "7" : "3.5", col);
            put_fmt(
                f, "%s [%zu] on %s, scale %g (magnitude %s): recall %s%s",
                fp_validate_engine_scenario(e, rows[k].scenario)->name, rows[k].source,
                fp_validate_engine_scenario(e, rows[k].scenario)->sources[rows[k].source].target,
                rows[k].scale, num(a, sizeof a, rows[k].magnitude), num(b, sizeof b, r->value),
                rows[k].scale == mde ? " (minimum detectable effect)" : "");
            fputs("</title></circle>\n", f);
        }
        {
            char lab[256];
            snprintf(lab, sizeof lab, "%s [%zu]: MDE %s",
                     fp_validate_engine_scenario(e, rows[i].scenario)->name, rows[i].source,
                     mde >= 0 ? num(a, sizeof a, mde) : "not reached");
            fprintf(f, "<rect x=\"%s\" y=\"%s\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                    C(x0 + w - 250).s, C(y0 + h - 16 - 14.0 * (double)curve - 9).s, col);
            svg_text(f, x0 + w - 236, y0 + h - 16 - 14.0 * (double)curve, "start", lab);
        }
        fputs("</g>\n", f);
        i = j;
    }
    svg_close(f);
    text_block(f, "Text report", power_text, e, &err);
    page_close(f);
}
