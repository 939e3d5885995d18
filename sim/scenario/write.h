/* Writers: the resolved text of a scenario (stored in every trace) and the Markdown
 * reference of its keys. */
#ifndef SIM_SCENARIO_WRITE_H
#define SIM_SCENARIO_WRITE_H

#include "schema.h"

/* Every key of S with its value in the record REC in natural units, as a file would write
 * it; malloc'd, NULL when out of memory.  PATH is named in the first line. */
char *sim_resolved_text(const sim_schema *s, const void *rec, const char *path);

/* Markdown table of every key of S: path, type/unit, default, range, description.  The
 * keys of a sequence's elements follow it as "seq[].key". */
int sim_schema_reference(const sim_schema *s, char **out_markdown);

#endif
