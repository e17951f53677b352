/*
 * fp_json_guard.c - the guarded JSON parse shared by the profile JSON and Chrome trace readers:
 * cJSON recurses and reports errors through a global, so the size, NUL bytes and nesting depth
 * are checked before parsing, trailing garbage is rejected, and the error position is turned
 * into a 1-based line and column.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

/*
 * Parses `text` into a new cJSON tree (*out, free with cJSON_Delete). Rejects NUL bytes and
 * nesting deeper than FP_JSON_GUARD_MAX_DEPTH before handing the text to cJSON, whose parser
 * recurses.
 */
fp_status fp_json_parse_guarded(const char *text, size_t len, const char *file, const char *what,
                                fp_error *err, cJSON **out)
{
    fp_status st = FP_OK;
    unsigned long line, col;
    char *buf = NULL;
    *out = NULL;
    if (len > FP_JSON_GUARD_MAX_BYTES)
        return fp_error_set_at(err, FP_ELIMIT, file, 0, 0, "%s larger than 1 GiB", what);
    int depth = 0, in_str = 0, esc = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch == '\0') {
            fp_line_col(text, len, i, FP_LC_BYTES, &line, &col);
            st = fp_error_set_at(err, FP_EPARSE, file, line, col, "NUL byte in JSON text");
            goto out;
        }
        if (in_str) {
            if (esc)
                esc = 0;
            else if (ch == '\\')
                esc = 1;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > FP_JSON_GUARD_MAX_DEPTH) {
                fp_line_col(text, len, i, FP_LC_BYTES, &line, &col);
                st = fp_error_set_at(err, FP_ELIMIT, file, line, col, "nesting deeper than %d",
                                     FP_JSON_GUARD_MAX_DEPTH);
                goto out;
            }
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    buf = fp_malloc(len + 1);
    if (buf == NULL) {
        st = fp_error_set(err, FP_ENOMEM, "out of memory reading %s", what);
        goto out;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* len + 1 with require_null_terminated: cJSON then rejects trailing garbage (it checks that
     * the byte after the value and any whitespace is the terminator). cJSON allocates with
     * fp_malloc (fp_json_use_allocator), and a failed allocation is out of memory, not a parse
     * error. */
    const char *end = NULL;
    fp_json_use_allocator();
    *out = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (*out == NULL && fp_json_alloc_failed()) {
        st = fp_error_set(err, FP_ENOMEM, "out of memory reading %s", what);
    } else if (*out == NULL) {
        size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;
        if (off > len)
            off = len;
        fp_line_col(buf, len, off, FP_LC_BYTES, &line, &col);
        unsigned char ch = off < len ? (unsigned char)buf[off] : 0;
        if (off >= len)
            st = fp_error_set_at(err, FP_EPARSE, file, line, col,
                                 "malformed JSON: unexpected end of input");
        else if (ch >= 0x21 && ch < 0x7f)
            st = fp_error_set_at(err, FP_EPARSE, file, line, col, "malformed JSON: unexpected '%c'",
                                 (char)ch);
        else
            st = fp_error_set_at(err, FP_EPARSE, file, line, col,
                                 "malformed JSON: unexpected byte 0x%02x", (unsigned)ch);
    }
out:
    fp_free(buf);
    return st;
}
