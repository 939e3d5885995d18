/* A scenario's sweep point by point (sim/scenario.h sim_sweep): which value of each key a
 * point takes, its --set overrides, and the trace it writes.  Points are numbered from 0 in
 * the order a sweep runs them, the numbers `metersim run --list-sweep` shows and
 * `--sweep-index` takes (a Slurm array's SLURM_ARRAY_TASK_ID). */
#ifndef SIM_SCENARIO_SWEEP_H
#define SIM_SCENARIO_SWEEP_H

#include "scenario.h"

#include <stddef.h>

/* The value of key K at point P (P < sw->n_points, K < sw->n_keys): a grid's last key
 * changes fastest, a zip's keys move together. */
const char *sim_sweep_value(const sim_sweep *sw, size_t p, size_t k);

/* "key=value" of key K at point P into BUF, as --set takes it; -1 when it does not fit. */
int sim_sweep_set(const sim_sweep *sw, size_t p, size_t k, char *buf, size_t len);

/* The trace point P writes for OUT: OUT with a tag before its extension (after its last
 * '/').  One key: "-VALUE" (out.h5 -> out-2min.h5); a grid or zip: "-NAME=VALUE,NAME=VALUE"
 * in key order (out.h5 -> out-households=20,seed=1.h5), NAME the key's last component
 * (meter.restore_dither -> restore_dither) unless two keys of the sweep share it, then the
 * whole key.  VALUE keeps only letters, digits, '.', '_' and '-' ("2 min" -> "2min").
 * -1 when it does not fit LEN. */
int sim_sweep_path(const sim_sweep *sw, size_t p, const char *out, char *buf, size_t len);

#endif
