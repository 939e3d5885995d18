/* `metersim info TRACE.h5`: what a trace holds, for a human at a terminal. */
#ifndef SIM_INFO_H
#define SIM_INFO_H

#include <hdf5.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* 0, or -1 with the reason in ERR (not HDF5, not a metersim trace, unreadable). */
int sim_info(const char *path, FILE *out, char *err, size_t errlen);

/* PATH opened read-only with HDF5's error printing off; -1 with the reason in ERR (cannot be
 * opened, not HDF5, damaged). */
hid_t sim_h5_open(const char *path, char *err, size_t errlen);

/* Scalar attributes of a trace object, shared with diff: a string (fixed or variable length)
 * into BUF, an integer as uint64.  0, or -1 when absent or of another class. */
int sim_h5_attr_str(hid_t obj, const char *name, char *buf, size_t n);
int sim_h5_attr_u64(hid_t obj, const char *name, uint64_t *v);

#endif
