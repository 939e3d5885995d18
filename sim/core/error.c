#include "sim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *sim_strerror(int code)
{
    switch (code) {
#define SIM_ERROR_CASE(name, c, msg)                                                           \
    case c:                                                                                    \
        return msg;
        SIM_ERROR_MAP(SIM_ERROR_CASE)
#undef SIM_ERROR_CASE
    }
    return "unknown error";
}

void sim_panic_at(const char *file, int line, double sim_t, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: internal error at simulated time %.3f s: ", file, line, sim_t);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
