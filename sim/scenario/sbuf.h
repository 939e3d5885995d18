/* A growing text buffer for the writers (write.c, jschema.c): printf appends, and a failed
 * allocation is remembered once instead of checked after every line. */
#ifndef SIM_SCENARIO_SBUF_H
#define SIM_SCENARIO_SBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom; /* an append failed: S is incomplete, free it and report out of memory */
} sbuf;

void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
