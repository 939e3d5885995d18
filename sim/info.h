/* `metersim info TRACE.h5`: what a trace holds, for a human at a terminal. */
#ifndef SIM_INFO_H
#define SIM_INFO_H

#include <stddef.h>
#include <stdio.h>

/* 0, or -1 with the reason in ERR (not HDF5, not a metersim trace, unreadable). */
int sim_info(const char *path, FILE *out, char *err, size_t errlen);

#endif
