/* Partitioning households into areas (WAN cells): consecutive whole LV substations of one
 * region, up to topology.area_households households each, or with the WAN technology model
 * as many as one site serves; an LV substation larger than that is an area of its own.
 * Household ids follow the topology tree, so an area is a contiguous id range.
 * Pure functions of the topology and the configuration: no SimGrid, no allocation of areas.
 */
#ifndef SIM_PARTITION_H
#define SIM_PARTITION_H

#include "grid/outage.h"
#include "grid/topology.h"
#include "net/wantech.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sim_area_span {
    uint32_t hh0, n;   /* households [hh0, hh0 + n) */
    uint32_t lv0, lv1; /* LV substations [lv0, lv1) */
    uint16_t region;   /* 1-based DNO region */
} sim_area_span;

/* LV_AREA[s] (topo->n_lv entries) = the area of LV substation s; *N_AREAS areas.  WT: the
 * technology model's configuration, or NULL for uniform areas of AREA_HOUSEHOLDS.
 * Returns 0, or -1 with a message in ERR. */
int sim_partition_areas(const grid_topology *topo, uint32_t area_households,
                        const net_wt_config *wt, uint32_t *lv_area, uint32_t *n_areas, char *err,
                        size_t errlen);
/* Each area's span; SPANS (one per area) must be zeroed. */
void sim_partition_spans(const grid_topology *topo, const uint32_t *lv_area, sim_area_span *spans);
/* ALL (time order) grouped by area into *SORTED (malloc'd), each area's events in time order;
 * area k's are [FIRST[k], FIRST[k+1]) (FIRST has n_areas + 1 entries).  0 or -1 (memory). */
int sim_partition_outages(const grid_outage_event *all, size_t n_all, const uint32_t *lv_area,
                          uint32_t n_areas, grid_outage_event **sorted, size_t *first);
/* Areas to RANKS ranks: rank r runs areas [FIRST[r], FIRST[r+1]) (FIRST has ranks + 1
 * entries), consecutive, so each holds a contiguous household range, never part of an area
 * (a WAN cell).  Balanced by work: an area of n households counts n (1 + log2 n), and rank 0,
 * which also writes the trace, takes SIM_PARTITION_WRITER_PERCENT of the whole less.  A cut
 * moves to a DNO region boundary when one lies within 2 % of a rank's share.  A pure function
 * of the spans and RANKS.  Returns 0, or -1 with a message in ERR when there are fewer
 * areas than ranks. */
/* Rank 0's extra work as the trace's writer, in percent of a one-process run's time: each rank
 * encodes its own half-hourly chunks (collect.c), so what is left to rank 0 is the writing,
 * the merge of every rank's events and the national series.  bench/scale, 200,000 households
 * over 14 regions, 1 day, 2 ranks: 6 % left rank 0 3.2 s of 37 s idle, 3 % balanced them. */
#define SIM_PARTITION_WRITER_PERCENT 3
int sim_partition_ranks(const sim_area_span *spans, uint32_t n_areas, uint32_t ranks,
                        uint32_t *first, char *err, size_t errlen);

#endif
