/* The fleet over time: what changes about the meters as the run goes, decided once a day at
 * each UTC midnight (and at the run start) by the coordinator while every area waits, so the
 * decisions are a pure function of the scenario, the seed and the fleet before them.
 *
 * SMETS2 installs (installs.*): at a dated national yearly rate scaled to the sample, meters
 * are replaced in a fixed hash order, traditional ones and (installs.smets1_share) SMETS1 ones
 * not adopted by the DCC; each is a visit between 08:00 and 18:00 UTC that household.c carries
 * out (supply off, change-of-meter reading, a new meter commissioned over the DCC).
 *
 * Changes of supplier (switching.*): at a dated national yearly rate scaled to the sample,
 * households drawn uniformly each day move to another supplier by market share (a menu tariff
 * drawn again from its menu); a smart meter takes the gaining supplier's configuration
 * (mm_abi change_supplier: registers, credit and history stay); a SMETS1 meter not adopted by
 * the DCC stays smart only if the gaining supplier can operate it (switching.smets1_kept_smart),
 * else it goes to traditional mode, keeping the losing supplier's configuration, until the DCC
 * adopts it or an install replaces it.
 *
 * SMETS1 enrolment and adoption into the DCC (migration.*).  SMETS1 meters whose
 * operator's cohort has started are tried in a fixed order (a hash of seed and household), up
 * to the day's capacity (the national schedule scaled to the sample, the fraction carried to
 * the next day).  An attempt fails with the scenario's probabilities (always for want of a WAN
 * when the premises has no supply); missing keys exclude the meter at once, other failures are
 * retried on later days until max_attempts.  A migrated meter keeps its image and its
 * operator's WAN, but its traffic goes through the DCC's SMETS1 service to the DCC head-end.
 *
 * Faults (faults.*): each day smart meters fail at the yearly rate (households drawn from the
 * day's stream); a faulty meter is in traditional mode (no WAN) until a visit on a day drawn
 * from its own stream (exponential, faults.repair_mean) replaces it with a new SMETS2 meter of
 * installs.population.  SMETS2 meters that start in traditional mode (dumb_share) are faulty
 * ones.  A faulty meter is not migrated, nor replaced by an install.
 * Firmware campaigns take their day's meters after these (campaign.c).
 * Every day ends with a /fleet/daily row.
 *
 * Under MPI every rank holds the whole fleet table and makes every decision, so all ranks
 * decide alike; only what touches a meter (its events, visits, a new configuration) is done
 * by the rank whose area holds it.  Before each day the ranks exchange what their handlers
 * changed in the table (sim_fleet.touched) and which premises are without supply (an
 * attempt on a hub without supply fails; a meter without supply gets its configuration
 * later): sim_lifecycle_sync.
 * Not here: what a route means for a meter's messages (uplink.c, downlink.c, household.c).
 */
#ifndef SIM_LIFECYCLE_H
#define SIM_LIFECYCLE_H

#include "fleet.h"
#include "output/records.h"
#include "net/headend.h"
#include "sim/vec.h"

#include <stdint.h>

typedef struct sim_area sim_area;
typedef struct sim_ctx sim_ctx;
typedef struct sim_sink sim_sink;

typedef struct sim_lifecycle {
    const sim_ctx *cx;
    sim_fleet *fleet;
    sim_area *areas;
    uint32_t n_areas;
    const sim_sink *sink; /* the head-ends, whose traffic each day's row counts */
    uint8_t *tries;      /* [households] migration attempts so far; MIG_EXCLUDED bit: excluded */
    uint8_t *smso;       /* [households] the SMETS1 operator of its meter (its supplier's at the
                          * start): the migration cohort, whatever supplier it has since */
    uint32_t *order;     /* SMETS1 households still to migrate, in the order they are tried */
    uint32_t n_order;
    double carry;        /* migrations of the sample's capacity not yet used [meters] */
    uint32_t *inst[2];   /* households whose meter an install replaces: [0] traditional, [1]
                          * SMETS1, in the order installers come */
    uint32_t n_inst[2];
    double inst_carry[2]; /* installs of the sample's rate not yet made, per kind [meters] */
    double switch_carry;  /* supplier switches of the sample's rate not yet made [households] */
    uint32_t *repair_day; /* [households] faults.*: 0 working; else the UTC day (since 1970) of
                           * its replacement visit, REPAIR_VISITING once that is planned */
    double fault_carry;   /* faults of the sample's rate not yet drawn [meters] */
    int day_open;        /* a /fleet/daily row is being counted */
    sim_fleet_day_row day;
    sim_vec rows;        /* closed rows not yet streamed (sim_fleet_day_row) */
    uint64_t offered[NET_HE_NCLASS + 1]; /* DCC head-end requests offered so far, by class;
                                          * [NET_HE_NCLASS]: the SMETS1 head-ends' */
    uint8_t *off;        /* [households] without supply at the last sync (every rank's) */
    void *xbuf;          /* the sync's gathered rows */
    size_t xcap;
    int err;             /* first failure (SIM_E*) */
} sim_lifecycle;

/* 0, or SIM_ENOMEM. */
int sim_lifecycle_init(sim_lifecycle *l, const sim_ctx *cx, sim_fleet *fleet, sim_area *areas,
                       uint32_t n_areas);
void sim_lifecycle_free(sim_lifecycle *l);
/* Save or load (sim/ckpt.h) what the fleet's days change.  0, or -1 (sim_ckpt_err). */
int sim_lifecycle_ckpt(sim_lifecycle *l, sim_ckpt *c);
/* Every rank (par.h), at a UTC midnight before sim_lifecycle_day: the fleet rows handlers
 * changed since the last sync, and which premises are without supply, from every rank.  0, or
 * SIM_ENOMEM (on every rank). */
int sim_lifecycle_sync(sim_lifecycle *l);
/* T [s since start] begins a UTC day (or is the run start): the day before closes and today's
 * migrations run. */
void sim_lifecycle_day(sim_lifecycle *l, uint32_t t);
/* The run ends at T: the open day's row closes. */
void sim_lifecycle_close(sim_lifecycle *l, uint32_t t);

#endif
