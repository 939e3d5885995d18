/* The fleet: which population, supplier and tariff each household has (a pure function of
 * the scenario, its seed and the topology, so any partition of households into areas or
 * ranks agrees), and each population's resolved settings.
 *
 * Populations take their households in two steps: those with a count first (the households of
 * their regions in the order of a per-population hash, skipping any already taken), then the
 * rest by share among the populations found in the household's region (shares normalised,
 * stratified: a region's households hold each share to within one household).
 * A household whose population names no supplier draws one by market share; one whose
 * population's tariff is "menu" draws it from its supplier's tariff menu.
 * Not here: firmware images (firmware.c), what each generation does (household.c, uplink.c).
 */
#ifndef SIM_FLEET_H
#define SIM_FLEET_H

#include "scenario.h"
#include "scenario/blocks.h"

#include "grid/topology.h"

#include "sim/ckpt.h"
#include "sim/vec.h"

#include <stdint.h>

typedef struct sim_fleet_pop {
    const sim_population *p;
    uint32_t regions;    /* bit r: found in 0-based DNO region r */
    int supplier;        /* its supplier's index; -1: drawn per household */
    int tariff;          /* fixed sim_tariff; -1: drawn from the supplier's menu */
    double prepay_share; /* resolved */
    double dr_share;     /* resolved */
    uint8_t image;       /* index in the image registry (set by firmware.c) */
    uint32_t households; /* assigned to it */
} sim_fleet_pop;

typedef struct sim_fleet_supplier {
    const sim_supplier *s;
    double menu_cum[SIM_TARIFFS]; /* cumulative normalised menu shares */
    bool has_block;               /* defines a block tariff (block.prices) */
    sim_block_def block;
} sim_fleet_supplier;

/* How a meter's messages travel, which can change during a run (SMETS1 migration, meters going
 * dumb): none (a traditional meter, or a smart one in traditional mode), the DCC (a SMETS2
 * meter), its SMETS1 operator to its supplier's head-end, or the DCC's SMETS1 service (a
 * SMETS1 meter adopted by the DCC: still on its operator's WAN, translated to the DCC). */
typedef enum sim_route { SIM_ROUTE_NONE, SIM_ROUTE_DCC, SIM_ROUTE_SMSO, SIM_ROUTE_DCC_S1 } sim_route;
#define SIM_ROUTES 4

/* One household's place in the fleet (7 B, one table per run). */
typedef struct sim_fleet_hh {
    uint8_t pop, supplier, tariff;
    uint8_t image;  /* its meter's image in the registry (firmware.c): its population's, until
                     * a firmware campaign activates another */
    uint8_t route;  /* sim_route, now */
    uint8_t serial; /* meters installed at the premises since the run start (its device id) */
    uint8_t cred;   /* the supplier whose configuration the meter holds (a meter gone dumb keeps
                     * its losing supplier's until adopted) */
    uint8_t cfg;    /* ... and that configuration: sim_fw's cfg[cfg] (firmware.c; a checkpoint
                     * rebinds the meter to it) */
} sim_fleet_hh;

typedef struct sim_fleet {
    const sim_scenario *sc;
    uint32_t n_pops, n_suppliers;
    sim_fleet_pop pops[SIM_POPULATIONS_MAX];
    sim_fleet_supplier sup[SIM_SUPPLIERS_MAX];
    double sup_cum[SIM_SUPPLIERS_MAX];       /* cumulative normalised market shares */
    double sup_share[SIM_SUPPLIERS_MAX];     /* ... and each supplier's alone */
    int install_pop;                         /* installs.population's index; -1 without installs */
    uint8_t campaign_pop[SIM_CAMPAIGNS_MAX]; /* each firmware campaign's target population */
    /* each command run's (commands, then attack): supplier and population (-1 any), and the
     * earlier run its targets_of or replay_of names (-1 none) */
    int8_t run_supplier[2 * SIM_CMD_RUNS_MAX], run_pop[2 * SIM_CMD_RUNS_MAX];
    int8_t run_ref[2 * SIM_CMD_RUNS_MAX];
    sim_fleet_hh *hh;                        /* [households] */
    uint32_t tariff_households[SIM_TARIFFS]; /* households on each tariff */
    /* Households whose row a handler changed (a meter exchanged, an image activated) since
     * the ranks last exchanged their changes (lifecycle.c: every rank holds the whole table,
     * the fleet's daily decisions read it); uint32_t ids. */
    sim_vec touched;
} sim_fleet;

/* Resolve SC's suppliers and populations over TOPO and assign every household.  0, or -1 with
 * a message naming the population or supplier in ERR (sim_fleet_free is still called). */
int sim_fleet_build(sim_fleet *f, const sim_scenario *sc, const grid_topology *topo, char *err,
                    size_t errlen);
void sim_fleet_free(sim_fleet *f);
/* Save or load (sim/ckpt.h) what a run changes: every household's row, the tariffs' counts,
 * the rows touched since the last exchange.  0, or -1 (sim_ckpt_err). */
int sim_fleet_ckpt(sim_fleet *f, sim_ckpt *c);
/* A handler changed household ID's row (see touched).  0, or SIM_ENOMEM. */
int sim_fleet_touch(sim_fleet *f, uint32_t id);
/* What sim_fleet_build checks without a topology (suppliers, populations, their tariffs):
 * `metersim validate` reports it.  0, or -1 with the message in ERR. */
int sim_fleet_check(const sim_scenario *sc, char *err, size_t errlen);

/* Sort the N household ids IDS by a hash of (SALT + id): a fixed pseudo-random order that does
 * not depend on how households are grouped.  0, or -1 out of memory. */
int sim_fleet_hash_order(uint32_t *ids, uint32_t n, uint64_t salt);

/* The tariff of SUPPLIER's menu that uniform draw U picks. */
uint8_t sim_fleet_menu_pick(const sim_fleet *f, uint32_t supplier, double u);

/* Household ID's population's settings. */
static inline const sim_fleet_pop *sim_fleet_pop_of(const sim_fleet *f, uint32_t id)
{
    return &f->pops[f->hh[id].pop];
}

#endif
