/*
 * fpsim_span.c - the client library of fpsim/span.h, linked into the programs being recorded.
 * Unlike fpsim's own library it reads the environment (FPSIM_TRACE_FD, once, at load) and keeps
 * globals (the descriptor, the registry of thread buffers): that is its job.
 *
 * Each thread encodes its events into its own buffer (allocated at its first event, never per
 * event) and writes whole lines with one write() of at most PIPE_BUF bytes, so lines of different
 * threads and processes never mix on the pipe. A buffer is written when the next event would not
 * fit, when its oldest event is FP_SPAN_AGE_US old (checked at each event), at fpsim_span_flush(),
 * at thread exit (a pthread key destructor) and at process exit (a destructor, for every thread's
 * buffer). After fork() the child drops the parent's buffered events (the parent writes them) and
 * every buffer but its own thread's. What is lost, by design (docs/record.md): the events still
 * buffered when a process dies without running its exit handlers (a crash, a signal, _exit(),
 * exec without fpsim_span_flush()): at most one buffer per thread, FP_SPAN_AGE_US of events.
 */
#define _GNU_SOURCE 1
#include "fpsim/span.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* A write of at most PIPE_BUF (4096 on Linux) bytes to a pipe is atomic. */
#define FP_SPAN_CAP 4096
/* The longest line: 200 name bytes escaped to 6 each, the rest, a counter's value. */
#define FP_SPAN_LINE_MAX 1600
/* A buffer whose oldest event is this old is written at the next event. */
#define FP_SPAN_AGE_US 100000LL
#define FP_SPAN_NAME_MAX 200

int fpsim_span_fd_ = -1;

/* A thread's buffer. Its thread appends lines without a lock (len, then committed); whoever
 * writes it out (its thread when full or old, the exit flush for any thread) holds `lock`. The
 * exit flush writes [written, committed) and moves `written`; the thread's own write empties it. */
typedef struct span_buf {
    atomic_int committed;                      /* bytes of whole lines, published by its thread */
    atomic_int lock;                           /* 1 while someone writes the buffer out */
    int len;                                   /* its thread's view: bytes buffered */
    int written;                               /* bytes the exit flush already wrote (lock) */
    volatile sig_atomic_t in_event;            /* its thread is inside an event */
    long long first_us;                        /* ts of the oldest buffered event */
    int base_len;                              /* length of suffix without the seconds */
    int suffix_len;                            /* length of suffix */
    long long sec;                             /* the seconds at the end of suffix, or -1 */
    struct span_buf *prev, *next;              /* the registry (s_lock) */
    char suffix[80];                           /* ","pid":P,"tid":T,"ts":SECONDS */
    char data[FP_SPAN_CAP + FP_SPAN_LINE_MAX]; /* whole lines; past CAP only within an event */
} span_buf;

static _Thread_local span_buf *t_buf; /* the calling thread's, or NULL */
static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static pthread_key_t s_key;
static int s_key_ok;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER; /* guards s_head and the links */
static span_buf *s_head;
static atomic_int s_direct; /* 1 after the exit flush: every event is written at once */

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

/* Writes data[from, to) to the descriptor; errno is kept. */
static void put_bytes(const char *data, int from, int to)
{
    int saved = errno; /* a span never changes the program's errno */
    const char *p = data + from;
    int left = to - from;
    while (left > 0 && fpsim_span_fd_ >= 0) {
        ssize_t w = write(fpsim_span_fd_, p, (size_t)left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the reader is gone: nothing to do but drop the events */
        p += w;
        left -= (int)w;
    }
    errno = saved;
}

/* Takes b->lock, waiting for the other side to finish its write() (or gives up: 0). */
static int buf_lock(span_buf *b)
{
    for (int i = 0; i < 100000; i++) {
        if (!atomic_exchange_explicit(&b->lock, 1, memory_order_acquire))
            return 1;
        sched_yield();
    }
    return 0;
}

static void buf_unlock(span_buf *b)
{
    atomic_store_explicit(&b->lock, 0, memory_order_release);
}

/* Its thread: writes the first n bytes (whole lines, at most CAP: one write()) and keeps the rest.
 */
static void buf_write(span_buf *b, int n)
{
    int locked = buf_lock(b); /* never 0 but when an exit flush is stuck: then dropped */
    if (locked && n > b->written)
        put_bytes(b->data, b->written, n);
    if (n < b->len)
        memmove(b->data, b->data + n, (size_t)(b->len - n));
    b->len -= n;
    b->written = 0;
    atomic_store_explicit(&b->committed, b->len, memory_order_release);
    if (locked)
        buf_unlock(b);
}

/* The exit flush, from any thread: writes what b's thread has committed and not yet written. */
static void buf_write_committed(span_buf *b)
{
    if (!buf_lock(b))
        return;
    int c = atomic_load_explicit(&b->committed, memory_order_acquire);
    if (c > b->written) {
        put_bytes(b->data, b->written, c);
        b->written = c;
    }
    buf_unlock(b);
}

static void set_suffix(span_buf *b)
{
    b->base_len =
        snprintf(b->suffix, sizeof(b->suffix), "\",\"pid\":%ld,\"tid\":%ld,\"ts\":", (long)getpid(),
                 (long)syscall(SYS_gettid));
    b->suffix_len = b->base_len;
    b->sec = -1;
}

/* Thread exit: write, unregister and free the thread's buffer. */
static void buf_release(void *arg)
{
    span_buf *b = arg;
    buf_write(b, b->len);
    pthread_mutex_lock(&s_lock);
    if (b->prev != NULL)
        b->prev->next = b->next;
    else
        s_head = b->next;
    if (b->next != NULL)
        b->next->prev = b->prev;
    pthread_mutex_unlock(&s_lock);
    if (t_buf == b)
        t_buf = NULL;
    free(b);
}

static void fork_prepare(void)
{
    pthread_mutex_lock(&s_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&s_lock);
}

/* In the child: only the forking thread exists; its buffered events are the parent's. */
static void fork_child(void)
{
    pthread_mutex_init(&s_lock, NULL);
    span_buf *b = s_head;
    while (b != NULL) {
        span_buf *next = b->next;
        if (b != t_buf)
            free(b);
        b = next;
    }
    s_head = t_buf;
    if (t_buf != NULL) {
        t_buf->prev = t_buf->next = NULL;
        t_buf->len = 0;
        t_buf->written = 0;
        t_buf->in_event = 0;
        atomic_store(&t_buf->committed, 0);
        atomic_store(&t_buf->lock, 0);
        set_suffix(t_buf);
    }
}

static void setup_once(void)
{
    s_key_ok = pthread_key_create(&s_key, buf_release) == 0;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* The calling thread's first event: its buffer, registered; NULL when out of memory. */
static span_buf *buf_new(void)
{
    pthread_once(&s_once, setup_once);
    int saved = errno;
    span_buf *b = malloc(sizeof(*b));
    errno = saved;
    if (b == NULL)
        return NULL;
    atomic_init(&b->committed, 0);
    atomic_init(&b->lock, 0);
    b->len = 0;
    b->written = 0;
    b->in_event = 0;
    b->first_us = 0;
    b->prev = NULL;
    set_suffix(b);
    pthread_mutex_lock(&s_lock);
    b->next = s_head;
    if (s_head != NULL)
        s_head->prev = b;
    s_head = b;
    pthread_mutex_unlock(&s_lock);
    if (s_key_ok)
        pthread_setspecific(s_key, b);
    t_buf = b;
    return b;
}

/* Process exit (after main returns or exit()): write every thread's buffer; from then on every
 * event is written at once (static destructors and other threads may still emit). */
__attribute__((destructor)) static void fpsim_span_fini(void)
{
    atomic_store(&s_direct, 1);
    pthread_mutex_lock(&s_lock);
    for (span_buf *b = s_head; b != NULL; b = b->next)
        buf_write_committed(b);
    pthread_mutex_unlock(&s_lock);
}

/* Appends `s` JSON-escaped, at most `max` source bytes. */
static size_t put_name(char *out, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; s != NULL && s[i] != '\0' && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
            out[n++] = (char)c;
        } else if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[c >> 4];
            out[n + 5] = hex[c & 15];
            n += 6;
        }
    }
    return n;
}

static const char s_d2[] = "0001020304050607080910111213141516171819202122232425262728293031323334"
                           "3536373839404142434445464748495051525354555657585960616263646566676869"
                           "707172737475767778798081828384858687888990919293949596979899";

/* Writes the two digits of r < 100. */
static void put_2(char *out, unsigned r)
{
    out[0] = s_d2[2 * r];
    out[1] = s_d2[2 * r + 1];
}

/* Appends the decimal digits of v >= 0. */
static char *put_ll(char *out, long long v)
{
    unsigned long long u = v < 0 ? 0 : (unsigned long long)v;
    int nd = 1;
    for (unsigned long long t = u; t >= 10; t /= 10)
        nd++;
    char *q = out + nd;
    while (u >= 100) {
        q -= 2;
        put_2(q, (unsigned)(u % 100));
        u /= 100;
    }
    if (u >= 10)
        put_2(q - 2, (unsigned)u);
    else
        q[-1] = (char)('0' + u);
    return out + nd;
}

void fpsim_span_emit_(char phase, const char *name, double value)
{
    span_buf *b = t_buf;
    if (b == NULL && (b = buf_new()) == NULL)
        return;
    if (b->in_event)
        return; /* a signal handler interrupted an event of this thread: dropped */
    b->in_event = 1;
    atomic_signal_fence(memory_order_seq_cst);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long us = (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
    if (ts.tv_sec != b->sec) /* the suffix ends with the seconds: rewritten once a second */
        b->suffix_len = (int)(put_ll(b->suffix + b->base_len, (long long)ts.tv_sec) - b->suffix);
    b->sec = ts.tv_sec;
    int start = b->len;
    char *p = b->data + start;
    memcpy(p, "{\"ph\":\"B\",\"name\":\"", 18);
    p[7] = phase;
    p += 18;
    p += put_name(p, name, FP_SPAN_NAME_MAX);
    memcpy(p, b->suffix, sizeof(b->suffix)); /* fixed size: inlined; the room allows it */
    if (ts.tv_sec > 0) {
        p += b->suffix_len; /* then the microseconds, 6 digits */
        unsigned lo = (unsigned)(ts.tv_nsec / 1000);
        put_2(p, lo / 10000);
        put_2(p + 2, lo / 100 % 100);
        put_2(p + 4, lo % 100);
        p += 6;
    } else {
        p = put_ll(p + b->base_len, us);
    }
    if (phase == 'C') {
        int saved = errno;
        p += snprintf(p, 48, ",\"args\":{\"value\":%.17g}", value);
        errno = saved;
    }
    p[0] = '}';
    p[1] = '\n';
    b->len = (int)(p + 2 - b->data);
    if (start == 0)
        b->first_us = us;
    if (b->len > FP_SPAN_CAP) {
        buf_write(b, start); /* the lines before this one: at most CAP bytes, one write() */
        b->first_us = us;
    }
    if (us - b->first_us >= FP_SPAN_AGE_US || atomic_load_explicit(&s_direct, memory_order_relaxed))
        buf_write(b, b->len);
    else
        atomic_store_explicit(&b->committed, b->len, memory_order_release);
    atomic_signal_fence(memory_order_seq_cst);
    b->in_event = 0;
}

void fpsim_span_flush(void)
{
    span_buf *b = t_buf;
    if (b == NULL || b->in_event)
        return;
    b->in_event = 1;
    atomic_signal_fence(memory_order_seq_cst);
    buf_write(b, b->len);
    atomic_signal_fence(memory_order_seq_cst);
    b->in_event = 0;
}
