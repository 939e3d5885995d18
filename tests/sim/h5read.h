/* Test helpers: read whole datasets and attributes of a trace with the HDF5 C API. */
#ifndef TESTS_H5READ_H
#define TESTS_H5READ_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

/* Whole dataset as native TYPE; dims into DIMS (rank <= 2); malloc'd buffer or NULL. */
void *h5_read_all(hid_t f, const char *path, hid_t type, hsize_t dims[2], int *rank);
int h5_attr_str(hid_t obj, const char *name, char *buf, size_t n);
int h5_attr_u64(hid_t obj, const char *name, uint64_t *v);
/* One /events row, and its HDF5 compound type (caller closes it). */
typedef struct h5_event {
    double t_s;
    uint32_t household;
    uint32_t code;
    int64_t value;
} h5_event;
hid_t h5_event_type(void);

/* Run $METERSIM_BIN on tests/sim/data/SCENARIO into DIR/NAME (--quiet, then EXTRA
 * options) and open the trace read-only; -1 if the run failed or the file does not open. */
hid_t run_trace(const char *dir, const char *name, const char *scenario, const char *extra);

/* Run a shell command, return its exit status (or -1). */
int run_cmd(const char *fmt, ...);

#endif
