/* "Did you mean": the message for an unknown key names the nearest valid key, or lists
 * the keys expected where it was written. */
#ifndef SIM_SCENARIO_SUGGEST_H
#define SIM_SCENARIO_SUGGEST_H

#include "diag.h"
#include "schema.h"
#include "ytree.h"

/* KEY (KEYLEN bytes, may hold NUL) found under PREFIX ("" for the top level) of the
 * record at AT (see sim_key_join) at LINE:COL of D is not a key of S. */
void sim_unknown_key(sim_diag *dg, const sim_ydoc *d, int line, int col, const sim_schema *s,
                     const char *at, const char *prefix, const char *key, size_t keylen);

#endif
