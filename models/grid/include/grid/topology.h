/* Distribution topology: national -> DNO regions -> primary substations -> HV feeders ->
 * LV substations -> LV feeders -> premises, with a dwelling type per premises.
 *
 * Household ids are assigned in topology order (region, primary, LV substation), so every
 * LV substation, primary and region is a contiguous id range; the engine's areas (WAN
 * cells) group whole LV substations of one region.  The tree is generated from the
 * scenario and the seed alone (streams per region and per substation), so it does not
 * change with the area size.  Per-premises attributes that need no storage (LV feeder,
 * dwelling type) are derived on demand from (seed, household id).
 *
 * Sources: 14 DNO licence areas in GB (Ofgem); about 70 customers per LV transformer
 * (Electricity North West: 2.4M customers, 34,000 transformers).  Region shares default to
 * the DNOs' published customer numbers (approximate, see topology.c).
 * Not here: faults and outages (outage.h), loads.
 */
#ifndef GRID_TOPOLOGY_H
#define GRID_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#define GRID_REGIONS_MAX 14

typedef enum grid_dwelling { GRID_HOUSE = 0, GRID_FLAT = 1 } grid_dwelling;

typedef struct grid_topology_params {
    uint64_t seed;
    uint32_t households;
    uint32_t region_mask;                    /* bit r: licence area r (sim/regions.h) */
    double region_share[GRID_REGIONS_MAX];   /* relative; 0 entries: use defaults */
    double lv_customers_mean;                /* customers per LV substation [-] */
    double lv_customers_cv;                  /* coefficient of variation of that count [-] */
    uint32_t primary_customers;              /* customers per primary substation [-] */
    uint32_t hv_feeders_per_primary;         /* [-] */
    uint32_t lv_feeders_per_substation;      /* [-] */
    double flat_share;                       /* share of premises that are flats [-] */
} grid_topology_params;

typedef struct grid_lv_substation {
    uint32_t first;    /* first household id */
    uint32_t count;    /* households */
    uint32_t primary;  /* primary substation index (national) */
    uint32_t hv_feeder;/* HV feeder index (national) */
    uint16_t region;   /* 0-based region */
} grid_lv_substation;

typedef struct grid_topology {
    grid_topology_params p;
    uint32_t n_lv;
    grid_lv_substation *lv;     /* n_lv, in household order */
    uint32_t n_primary;
    uint32_t n_hv_feeders;
    uint32_t region_first[GRID_REGIONS_MAX + 1]; /* household id range per region (empty: not in the run) */
} grid_topology;

/* Default shares of GB customers per DNO licence area, in the order of grid_region_name. */
extern const double grid_region_default_share[GRID_REGIONS_MAX];
const char *grid_region_name(unsigned region);

int grid_topology_create(const grid_topology_params *p, grid_topology **out, char *err,
                         size_t errlen);
void grid_topology_destroy(grid_topology *t);

/* LV substation of household ID (binary search). */
uint32_t grid_topology_lv_of(const grid_topology *t, uint32_t id);
/* LV feeder (0..lv_feeders_per_substation-1) and dwelling type of household ID. */
uint8_t grid_topology_feeder(const grid_topology *t, uint32_t id);
grid_dwelling grid_topology_dwelling(const grid_topology *t, uint32_t id);

#endif
