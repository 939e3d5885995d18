/* `metersim diff A.h5 B.h5`: where two runs of the same households diverge.
 *
 * Firmware teams run one scenario and seed with two firmware builds and compare the traces
 * household by household: the first settlement period where any half-hourly channel differs,
 * the end-of-run register deltas, the bill deltas (/meter/billing/final, when both traces have
 * it), the events one run recorded later or earlier than the other (paired) or not at all,
 * totals per payment mode and fleet population, and the scenario keys that differ.  The [household, period]
 * matrices are read in blocks of households and periods, so memory grows with the number of
 * households, not with the length of the run.
 * Not here: why two runs diverge, or statistics across households beyond counts.
 */
#ifndef SIM_DIFF_H
#define SIM_DIFF_H

#include <stddef.h>
#include <stdio.h>

typedef struct sim_diff_opts {
    size_t max_lines; /* diverging households listed, 0 = all */
    int quiet;        /* the summary only */
    int all;          /* every group and event code, not only those that differ */
    int json;         /* the whole report as one JSON object */
    double window_s;  /* events of one household and code further apart are not paired */
} sim_diff_opts;

#define SIM_DIFF_WINDOW_S 3600.0 /* default pairing window [s] */

/* 0 identical, 1 the runs differ, -1 with the reason in ERR (a file is missing, not a
 * metersim trace, has a dataset of unexpected type or shape, or the two traces simulate
 * different households). */
int sim_diff(const char *path_a, const char *path_b, const sim_diff_opts *opts, FILE *out,
             char *err, size_t errlen);

#endif
