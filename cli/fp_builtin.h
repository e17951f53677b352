/* fp_builtin.h - the built-in scenarios, embedded at build time (cmake/embed.cmake). */
#ifndef FP_BUILTIN_H
#define FP_BUILTIN_H

#include <stddef.h>

typedef struct fp_builtin {
    const char *name; /* file name without .yaml, e.g. "memory-intensive" */
    const char *text; /* YAML text, NUL-terminated */
    size_t len;       /* bytes, without the terminating NUL */
} fp_builtin;

extern const fp_builtin fp_builtins[];
extern const size_t fp_builtin_count;

#endif
