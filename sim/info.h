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
/* The whole string attribute NAME (fixed or variable length, e.g. scenario_yaml), allocated;
 * the caller frees it.  NULL when absent, of another class or out of memory. */
char *sim_h5_attr_text(hid_t obj, const char *name);

/* The value text of KEY ("trace.events") in a resolved scenario TEXT (/meta scenario_yaml)
 * into BUF; 0, or -1 when TEXT has no such key (diff_keys.c). */
int sim_resolved_value(const char *text, const char *key, char *buf, size_t n);

/* The /meta attributes (trace.h) every reader of a trace needs. */
typedef struct sim_h5_meta {
    char version[64];    /* metersim_version */
    char firmware[128];  /* firmware_build, "?" when absent */
    char start[64];      /* sim_start, "2026-01-12T00:00:00Z" */
    uint64_t seed;
    uint64_t complete;   /* 1 when the run completed */
    uint64_t households;
} sim_h5_meta;

enum { SIM_H5_NOT_TRACE = -1, SIM_H5_META_MISSING = -2 };

/* /meta of F opened into *META (-1 when F has none; the caller closes it) and read into M.
 * 0; SIM_H5_NOT_TRACE without /meta metersim_version; SIM_H5_META_MISSING when another
 * attribute of M is absent or unreadable. */
int sim_h5_meta_read(hid_t f, hid_t *meta, sim_h5_meta *m);

#endif
