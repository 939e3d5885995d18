/* Engine: runs one scenario on SimGrid and writes its trace.
 *
 * Households live in compact arrays owned by areas (groups of premises behind one LV
 * substation or WAN cell); one SimGrid actor per area advances its households from
 * event to event, closes every settlement period on each meter and sends their WAN
 * messages as real SimGrid communications to the head-end actor (DESIGN.md).  The
 * main thread drives SimGrid one 30-minute window at a time with simgrid_run_until,
 * and between windows writes what the window finished to the trace, reports progress
 * and notices SIGINT/SIGTERM.
 *
 * Only one engine per process (a SimGrid limitation).
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sim_run_opts {
    const char *out_path; /* trace path (written as OUT.partial first) */
    bool quiet;           /* no progress line, no summary */
    bool progress;        /* progress line on stderr (the CLI sets it for a terminal) */
} sim_run_opts;

typedef struct sim_run_summary {
    uint64_t households;
    int64_t span_s;          /* simulated time reached [s] */
    uint64_t events;         /* household load events processed */
    uint64_t wan_sent;       /* WAN messages sent */
    uint64_t wan_delivered;  /* ... and delivered to the head-end within the run */
    uint64_t interruptions;  /* premises that lost supply (each loss counted) */
    uint64_t alerts_sent;    /* AD1 and restore alerts sent */
    uint64_t alerts_delivered;
    uint64_t peak_cell_backlog; /* most messages waiting in one cell queue */
    double wall_s;
    double household_days_per_s;
    uint64_t peak_rss_bytes;
    bool complete;
    const char *trace_path;  /* file written */
} sim_run_summary;

/* 0: completed. 1: runtime failure or interrupted (message in ERR; when interrupted,
 * the trace is a valid file with complete = 0). */
int sim_engine_run(const sim_scenario *sc, const sim_run_opts *opts, sim_run_summary *sum,
                   char *err, size_t errlen);

void sim_summary_print(const sim_run_summary *s, FILE *out);

#endif
