/* Loading a record of any schema from a YAML file: the file's `extends:` chain, then
 * --set overrides, merged key by key (later wins), every key converted or defaulted.
 * sim_scenario_load is this with the scenario's table; tests load their own tables.
 */
#ifndef SIM_SCENARIO_LOAD_H
#define SIM_SCENARIO_LOAD_H

#include "schema.h"

/* What a load gives besides the record, each malloc'd: the resolved text; the files read
 * (PATH and its extends chain, each name followed by a NUL, the list ended by an empty name);
 * the keys of S given by a file or --set, one line each: "key.path<TAB>FILE:LINE:COL". */
typedef struct sim_load_out {
    char *resolved, *files, *given;
} sim_load_out;

/* Load PATH into REC (S->size bytes, zeroed by the caller) as sim_scenario_load does
 * (sim/scenario.h: messages, --set SETS, extends).  SWEEP (sim/scenario.h) NULL: `sweep:`
 * is not a key.
 * On success 0 and *OUT; else -1, ERR, and OUT all NULL. */
int sim_schema_load(const sim_schema *s, const char *path, const char *const *sets, size_t nsets,
                    void *rec, sim_sweep *sweep, sim_load_out *out, char *err, size_t errlen);

#endif
