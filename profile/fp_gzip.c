/*
 * fp_gzip.c - transparent gzip decompression of inputs (zlib), so that every format fpsim reads
 * may also be read gzip-compressed (trace.json.gz, profile.cpuprofile.gz, ...).
 *
 * Untrusted input: the output is capped (a few kilobytes of gzip can expand to gigabytes), and
 * corrupt or truncated data is an error naming the file, never a partial read. Concatenated gzip
 * members (as `cat a.gz b.gz` makes) are read one after the other, as gzip(1) does.
 */
#include "fp_formats.h"

#include <string.h>

#include <zlib.h>

int fp_gzip_is(const char *text, size_t len)
{
    return len >= 2 && (unsigned char)text[0] == 0x1f && (unsigned char)text[1] == 0x8b;
}

fp_status fp_gunzip(const char *in, size_t len, size_t max_out, const char *file, char **out,
                    size_t *out_len, fp_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    *out = NULL;
    *out_len = 0;
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory decompressing %s", file);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    fp_status st = FP_OK;
    z.next_in = (Bytef *)(uintptr_t)in;
    size_t left = len;
    for (;;) {
        if (n == cap) {
            if (cap >= max_out + 1) {
                st = fp_error_set_at(err, FP_ELIMIT, file, 0, 0,
                                     "gzip data expands beyond %zu bytes (refused: possible "
                                     "decompression bomb)",
                                     max_out);
                break;
            }
            size_t ncap = cap == 0 ? (len < 65536 ? 65536 : len * 4) : cap * 2;
            if (ncap > max_out + 1)
                ncap = max_out + 1;
            char *nb = fp_realloc(buf, ncap + 1);
            if (nb == NULL) {
                st = fp_error_set(err, FP_ENOMEM, "out of memory decompressing %s", file);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        /* avail_in/avail_out are 32-bit: feed at most 1 GiB at a time. */
        uInt in_chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        uInt out_chunk = cap - n > (1u << 30) ? (1u << 30) : (uInt)(cap - n);
        z.avail_in = in_chunk;
        z.next_out = (Bytef *)buf + n;
        z.avail_out = out_chunk;
        int rc = inflate(&z, Z_NO_FLUSH);
        left -= in_chunk - z.avail_in;
        n += out_chunk - z.avail_out;
        if (rc == Z_STREAM_END) {
            if (left == 0)
                break;
            /* Another member follows (or padding zeros, which gzip also accepts). */
            const char *rest = (const char *)z.next_in;
            size_t zeros = 0;
            while (zeros < left && rest[zeros] == '\0')
                zeros++;
            if (zeros == left)
                break;
            if (!fp_gzip_is(rest, left)) {
                st = fp_error_set_at(err, FP_EPARSE, file, 0, 0,
                                     "not valid gzip data: trailing garbage after byte %zu",
                                     len - left);
                break;
            }
            inflateReset(&z);
            continue;
        }
        if (rc == Z_BUF_ERROR && left == 0 && z.avail_out > 0) {
            st = fp_error_set_at(err, FP_EPARSE, file, 0, 0,
                                 "not valid gzip data: truncated (the input ends inside the "
                                 "compressed stream)");
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            if (rc == Z_MEM_ERROR)
                st = fp_error_set(err, FP_ENOMEM, "out of memory decompressing %s", file);
            else
                st = fp_error_set_at(err, FP_EPARSE, file, 0, 0, "not valid gzip data: %s",
                                     z.msg != NULL ? z.msg : "corrupt stream");
            break;
        }
    }
    inflateEnd(&z);
    if (st == FP_OK && n > max_out)
        st = fp_error_set_at(err, FP_ELIMIT, file, 0, 0,
                             "gzip data expands beyond %zu bytes (refused: possible "
                             "decompression bomb)",
                             max_out);
    if (st != FP_OK) {
        fp_free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return FP_OK;
}
