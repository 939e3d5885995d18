/* The JSON Schema (draft 2020-12) of the files a key table reads, generated from the table
 * for editors (`metersim validate --schema`). */
#ifndef SIM_SCENARIO_JSCHEMA_H
#define SIM_SCENARIO_JSCHEMA_H

#include "schema.h"

#include <stdbool.h>

/* The schema of a file of S's keys as JSON text, titled TITLE; SWEEPS: the file may also
 * hold `sweep:`.  0 and *OUT_JSON malloc'd, or -1 (out of memory). */
int sim_schema_jsonschema(const sim_schema *s, const char *title, bool sweeps, char **out_json);

#endif
