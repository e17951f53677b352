/*
 * fpsim/span.h - spans and counters from a program recorded by `fpsim record` (docs/record.md).
 *
 * Link with -lfpsim_span (pkg-config fpsim-span). Under `fpsim record`, the environment variable
 * FPSIM_TRACE_FD names a pipe; each call encodes one Chrome Trace Event line
 * ({"ph":"B","name":...,"pid":...,"tid":...,"ts":...}) into a buffer of the calling thread, ts
 * being CLOCK_MONOTONIC in microseconds (read once per event), the clock `fpsim record` samples
 * on. The buffer is written with one write() of whole lines (at most 4096 bytes: atomic on a pipe)
 * when full, when its oldest event is 100 ms old (checked at the next event), at
 * fpsim_span_flush(), at thread exit and at process exit (exit() or a return from main). Lost:
 * what is still buffered when a process ends otherwise (a crash, a signal, _exit(), exec without
 * a flush). A fork()ed child starts with an empty buffer. Without FPSIM_TRACE_FD (or when it is
 * not an open descriptor) every call is one test of a global and nothing else. Safe from any
 * thread; B/E pairs must nest on each thread, and a span must end with the name it began with.
 * An event from a signal handler that interrupted an event of the same thread is dropped.
 *
 *   void load(void) { FPSIM_SCOPE("load"); ... }        (GCC/Clang: ends when `load` returns)
 *   fpsim_span_begin("parse"); ...; fpsim_span_end("parse");
 *   fpsim_counter("queue_depth", 12.0);
 *
 * Names are copied into the line (at most 200 bytes, JSON-escaped); nothing is allocated per event
 * (one buffer of about 6 KB per thread that emits, freed at its exit).
 */
#ifndef FPSIM_SPAN_H
#define FPSIM_SPAN_H

#ifdef __cplusplus
extern "C" {
#endif

/* The descriptor spans go to, or -1: set once, when the library is loaded. Read-only. */
extern int fpsim_span_fd_;

/* Writes one event (phase 'B', 'E' or 'C'); use the functions below. */
void fpsim_span_emit_(char phase, const char *name, double value);

/* Writes the calling thread's buffered events now (before exec, or before a risky step). */
void fpsim_span_flush(void);

/* 1 when running under `fpsim record` (spans are written), else 0. */
static inline int fpsim_span_enabled(void)
{
    return fpsim_span_fd_ >= 0;
}

/* Begins span `name` on the calling thread. */
static inline void fpsim_span_begin(const char *name)
{
    if (fpsim_span_fd_ >= 0)
        fpsim_span_emit_('B', name, 0.0);
}

/* Ends the innermost span of the calling thread, which must be called `name`. */
static inline void fpsim_span_end(const char *name)
{
    if (fpsim_span_fd_ >= 0)
        fpsim_span_emit_('E', name, 0.0);
}

/* Records counter `name` at `value` now (a Chrome "C" event). */
static inline void fpsim_counter(const char *name, double value)
{
    if (fpsim_span_fd_ >= 0)
        fpsim_span_emit_('C', name, value);
}

/* ---- the scope macro (GCC and Clang: the cleanup attribute) ---- */

typedef struct fpsim_scope_ {
    const char *name;
} fpsim_scope_;

static inline fpsim_scope_ fpsim_scope_begin_(const char *name)
{
    fpsim_scope_ s = {name};
    fpsim_span_begin(name);
    return s;
}

static inline void fpsim_scope_end_(fpsim_scope_ *s)
{
    fpsim_span_end(s->name);
}

#define FPSIM_CAT2_(a, b) a##b
#define FPSIM_CAT_(a, b) FPSIM_CAT2_(a, b)
/* A span `name` from here to the end of the enclosing block. */
#define FPSIM_SCOPE(name)                                                                          \
    __attribute__((cleanup(fpsim_scope_end_))) fpsim_scope_ FPSIM_CAT_(fpsim_scope_, __LINE__) =   \
        fpsim_scope_begin_(name)

#ifdef __cplusplus
}
#endif

#endif /* FPSIM_SPAN_H */
