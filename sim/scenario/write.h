/* Writers: the resolved text of a scenario (stored in every trace) and the Markdown
 * reference of its keys. */
#ifndef SIM_SCENARIO_WRITE_H
#define SIM_SCENARIO_WRITE_H

#include "scenario.h"

/* Every key of SC with its value in natural units, as a file would write it; malloc'd,
 * NULL when out of memory.  PATH is named in the first line. */
char *sim_resolved_text(const sim_scenario *sc, const char *path);

#endif
