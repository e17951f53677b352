/*
 * fpsim_span.c - the client library of fpsim/span.h, linked into the programs being recorded.
 * Unlike fpsim's own library it reads the environment (FPSIM_TRACE_FD, once, at load) and keeps
 * one global (the descriptor): that is its job.
 */
#define _GNU_SOURCE 1
#include "fpsim/span.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int fpsim_span_fd_ = -1;

__attribute__((constructor)) static void fpsim_span_init(void)
{
    const char *v = getenv("FPSIM_TRACE_FD");
    if (v == NULL || *v < '0' || *v > '9')
        return;
    char *end = NULL;
    long fd = strtol(v, &end, 10);
    if (*end != '\0' || fd < 0 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0)
        return;
    fpsim_span_fd_ = (int)fd;
}

/* Appends `s` JSON-escaped, at most `max` source bytes. */
static size_t put_name(char *out, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; s != NULL && s[i] != '\0' && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[c >> 4];
            out[n + 5] = hex[c & 15];
            n += 6;
        } else {
            out[n++] = (char)c;
        }
    }
    return n;
}

void fpsim_span_emit_(char phase, const char *name, double value)
{
    char line[1600];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long us = (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
    int n = snprintf(line, sizeof(line), "{\"ph\":\"%c\",\"name\":\"", phase);
    n += (int)put_name(line + n, name, 200);
    n += snprintf(line + n, sizeof(line) - (size_t)n, "\",\"pid\":%ld,\"tid\":%ld,\"ts\":%lld",
                  (long)getpid(), (long)syscall(SYS_gettid), us);
    if (phase == 'C')
        n += snprintf(line + n, sizeof(line) - (size_t)n, ",\"args\":{\"value\":%.17g}", value);
    n += snprintf(line + n, sizeof(line) - (size_t)n, "}\n");
    int saved = errno; /* a span never changes the program's errno */
    ssize_t w;
    do
        w = write(fpsim_span_fd_, line, (size_t)n);
    while (w < 0 && errno == EINTR);
    errno = saved;
}
