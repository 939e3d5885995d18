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
 * entries), consecutive, so each holds a contiguous household range, balanced by households.
 * A cut falls at a region boundary when one lies within a tenth of a rank's fair share of the
 * balanced cut, so ranks hold whole DNO regions where that costs little balance; else
 * between two areas (WAN cells), never inside one.  A pure function of the spans and RANKS.
 * Returns 0, or -1 with a message in ERR when there are fewer areas than ranks. */
int sim_partition_ranks(const sim_area_span *spans, uint32_t n_areas, uint32_t ranks,
                        uint32_t *first, char *err, size_t errlen);

#endif
