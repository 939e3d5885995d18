/* Outages: background faults at every level of the distribution hierarchy, and storms.
 *
 * The result is a time-sorted list of supply events per LV substation (optionally one LV
 * feeder of it): "+1" when a fault takes its supply off, "-1" when that fault is repaired.
 * A premises is off while any fault covering it is open, so overlapping faults at
 * different levels compose without special cases (the engine keeps a counter).  Times are
 * whole seconds since the run's start: meters see power go off and on at exact times.
 *
 * Background faults (GB DNO reliability figures: a customer loses supply about once every 3
 * years, for about an hour): each unit at a level (HV feeder, LV substation, LV feeder) fails as a Poisson
 * process whose rate gives every customer `interruptions_per_year` x the level's share;
 * repair times are lognormal with the configured mean.  Each unit draws from its own
 * stream (seed, unit, level), so the events do not depend on areas or ranks.
 *
 * Storms: in the chosen regions, each LV substation is hit with probability `share`, at a
 * time uniform over the onset window, and restored after a time drawn from a two-group
 * lognormal mixture (a fast group restored within hours, a tail over days).  Storm Eunice
 * (Feb 2022: 1.4M off, 1.2M restored within about a day) is the default shape:
 * fast share 87 %, fast median 5 h, tail median 3 d, sigma 0.8, giving 86 % within 24 h.
 * Not here: what power loss does to meters, hubs or loads (engine, firmware).
 */
#ifndef GRID_OUTAGE_H
#define GRID_OUTAGE_H

#include "grid/topology.h"

#include <stddef.h>
#include <stdint.h>

#define GRID_ALL_FEEDERS 0xFFu

typedef enum grid_outage_cause {
    GRID_CAUSE_HV = 0,
    GRID_CAUSE_LV_SUBSTATION = 1,
    GRID_CAUSE_LV_FEEDER = 2,
    GRID_CAUSE_STORM = 3,
} grid_outage_cause;

typedef struct grid_storm_params {
    int enabled;
    int64_t start_s;          /* storm onset start [s since run start] */
    int64_t onset_s;          /* window over which substations fail [s] */
    uint32_t region_mask;     /* bit r: region r affected */
    double share;             /* of LV substations hit in those regions [-] */
    double fast_share;        /* of hit substations in the fast restoration group [-] */
    double fast_median_s;     /* median restoration time of the fast group [s] */
    double tail_median_s;     /* median restoration time of the tail [s] */
    double sigma;             /* lognormal sigma of both groups [-] */
} grid_storm_params;

typedef struct grid_outage_params {
    uint64_t seed;
    int64_t duration_s;             /* span to generate [s]; at most ~136 years */
    double interruptions_per_year;  /* background, per customer [1/yr] */
    double mean_duration_s;         /* background repair time, mean [s] */
    double duration_sigma;          /* lognormal sigma of repair times [-] */
    double share_hv;                /* shares of interruptions by level (sum to 1) */
    double share_lv_substation;
    double share_lv_feeder;
    grid_storm_params storm;
} grid_outage_params;

typedef struct grid_outage_event {
    uint32_t t;      /* [s since run start] */
    uint32_t lv;     /* LV substation index */
    uint8_t feeder;  /* LV feeder, or GRID_ALL_FEEDERS */
    int8_t delta;    /* +1 supply lost, -1 restored */
    uint8_t cause;   /* grid_outage_cause */
    uint8_t rsv;
} grid_outage_event;

/* All events within [0, duration) (restorations after the end are dropped), sorted by
 * (t, lv, feeder, delta).  *EVENTS is malloc'd. */
int grid_outage_generate(const grid_outage_params *p, const grid_topology *topo,
                         grid_outage_event **events, size_t *n, char *err, size_t errlen);

/* Analytic share of a storm's hit substations restored within T of losing supply. */
double grid_storm_restored_within(const grid_storm_params *s, double t_s);

#endif
