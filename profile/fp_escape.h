/*
 * fp_escape.h - the one JSON string escaper of fpsim, used by every JSON writer (profile JSON,
 * runs documents, Chrome traces, exports, reports, validate, compare, generate's index), and the
 * one folded-stacks frame rule.
 *
 * Escaping, identical everywhere: '"' and '\' get a backslash; the control bytes with a short
 * form are written as \b \f \n \r \t; every other byte below 0x20 and DEL (0x7f) as \u00XX
 * (lower-case hex); well-formed UTF-8 sequences pass through unchanged; every byte that starts
 * no well-formed UTF-8 sequence (a stray continuation byte, a truncated sequence, an overlong
 * form, a surrogate, above U+10FFFF) is written as \ufffd (U+FFFD). The output is therefore
 * valid JSON (and valid UTF-8) for any input string and never carries a raw control byte to a
 * terminal.
 *
 * Ownership: fp_json_quote() hands over a new string (free with fp_free()).
 */
#ifndef FP_ESCAPE_H
#define FP_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes `s` as a JSON string literal (with the quotes) to `out`. Errors show in ferror(out). */
void fp_json_put_string(FILE *out, const char *s);

/*
 * Length (1-4) of the well-formed UTF-8 sequence at `s` (RFC 3629: no overlongs, surrogates or
 * code points above U+10FFFF), or 0 when the byte at `s` starts none; 1 for ASCII. Stops at a
 * NUL. The one UTF-8 rule of every writer (JSON here; HTML and OpenMetrics labels in reports/).
 */
size_t fp_utf8_len(const unsigned char *s);

/* `s` as a new JSON string literal (with the quotes); NULL when out of memory. */
char *fp_json_quote(const char *s);

/*
 * The one rule for a name's byte in a folded-stacks frame (fp_export_folded and compare's folded
 * diff): ';' (the frame separator) as ':', white space and every other control byte (C0, DEL) as
 * '_', so a line always splits back into frames and numbers and no raw ESC reaches a terminal.
 */
char fp_folded_char(char c);

#endif /* FP_ESCAPE_H */
