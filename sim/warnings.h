/* Warnings: settings a scenario validates with but that have no effect on the run, or that
 * almost certainly are not what was meant (a dynamic tariff nobody responds to, a storm on
 * licence areas the run does not hold, keys of a feature left switched off).  `validate` and
 * `run` print them on stderr; a run also keeps them in its trace (/meta attribute `warnings`).
 * They never stop a run: a study may mean exactly that. */
#ifndef SIM_WARNINGS_H
#define SIM_WARNINGS_H

#include "scenario.h"

#include <stddef.h>

#define SIM_WARNINGS_MAX 32
#define SIM_WARNING_LEN 512

typedef struct sim_warnings {
    size_t n;       /* kept, at most SIM_WARNINGS_MAX */
    size_t dropped; /* found beyond that */
    /* "FILE:LINE:COL: warning: key: why", where a file or --set gave the key; the scenario's
     * own path when the key took its default */
    char text[SIM_WARNINGS_MAX][SIM_WARNING_LEN];
} sim_warnings;

/* Every warning SC deserves, in a fixed order. */
void sim_warnings_collect(const sim_scenario *sc, sim_warnings *w);

/* The warnings, each ended by a newline, into BUF; "" for none. */
void sim_warnings_text(const sim_warnings *w, char *buf, size_t len);

#endif
