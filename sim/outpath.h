/* Output paths: whether a command may write a file there, decided before any work starts.
 *
 * An output must be a regular file (or not exist yet) in an existing, writable directory; it
 * must not be the scenario or any other file the run reads (an extends base, a firmware image,
 * the weather CSV), nor their OUT.partial; it must not exist unless the caller was given
 * --force.  The trace writer (trace.h) builds the file as OUT.partial beside it and renames it
 * into place, so a path that passes here is never truncated or half written.
 * Not here: creating, writing or renaming files.
 */
#ifndef SIM_OUTPATH_H
#define SIM_OUTPATH_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

/* The longest output path accepted [bytes, without its NUL]: room for ".partial" within the
 * trace writer's buffers and PATH_MAX. */
#define SIM_OUT_PATH_MAX 1000

/* 0 when OUT may be written for a run of SC (its inputs: SCENARIO, the extends chain, the
 * images and the weather file SC names); else -1 with one line in ERR naming OUT and why. */
int sim_out_check(const char *out, const sim_scenario *sc, bool force, char *err, size_t errlen);

#endif
