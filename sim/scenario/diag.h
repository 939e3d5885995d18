/* Messages of one load: at most SIM_DIAG_MAX, each "FILE:LINE:COL: key.path: message",
 * given in file load order, then by position. */
#ifndef SIM_SCENARIO_DIAG_H
#define SIM_SCENARIO_DIAG_H

#include "ytree.h"

#include <stdbool.h>
#include <stddef.h>

#define SIM_DIAG_MAX 20

typedef struct sim_diag_rec {
    int order, line, col, seq;
    char *text;
} sim_diag_rec;

typedef struct sim_diag {
    sim_diag_rec recs[SIM_DIAG_MAX];
    int n, seq;
} sim_diag;

bool sim_diag_full(const sim_diag *dg);

/* Printable, one-line form of user text inside a message, cut to fit BUF with "...". */
void sim_show(const char *s, size_t n, char *buf, size_t len);

void sim_diag_add(sim_diag *dg, int order, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* "FILE:LINE:COL: PATH: message" */
void sim_diag_at(sim_diag *dg, const sim_ydoc *d, int line, int col, const char *path,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Sort the messages, write them one a line into ERR (cut to ERRLEN) and free them. */
void sim_diag_flush(sim_diag *dg, char *err, size_t errlen);

#endif
