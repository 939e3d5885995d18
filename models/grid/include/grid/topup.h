/* Prepayment customers' top-ups: when a household whose meter is in prepayment mode buys
 * credit, how much, and whether online (the supplier sends it to the meter over the WAN) or
 * as a 20-digit UTRN typed at the meter.
 *
 * Behaviour: once the credit available on the meter falls below a threshold the customer
 * notices within a delay drawn uniformly from a window (next visit to a shop, pay day), or
 * almost at once when the meter has cut the supply.  The amounts are whole pounds (a UTRN
 * carries at most 8,191 in its value class).  Defaults are typical figures, not measured ones:
 * Uswitch (2022) found that a 10-pound top-up lasted prepayment households 4.5 days on
 * average, so a 20-pound top-up every week or so at GB median consumption.
 *
 * Not here: the meter's credit arithmetic (firmware), UTRN coding (the port), the WAN.
 */
#ifndef GRID_TOPUP_H
#define GRID_TOPUP_H

#include "sim/rng.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct grid_topup_config {
    int64_t below_p;      /* tops up once available credit falls below this [p] */
    uint32_t amount_gbp;  /* each top-up [GBP], 1..8191 */
    uint32_t notice_s;    /* latest extra delay after noticing low credit [s] */
    uint32_t react_s;     /* delay before any top-up, the whole one when supply is off [s] */
    double online_share;  /* top-ups bought online and sent over the WAN [fraction] */
} grid_topup_config;

/* 5 pounds, 20 pounds, within 16 hours, 60 s, half online. */
void grid_topup_config_default(grid_topup_config *c);
/* 0, or -1 when a value is outside its range. */
int grid_topup_config_check(const grid_topup_config *c);

/* Should a household with CREDIT_BELOW_THRESHOLD plan a top-up?  If so, *DELAY_S is how long
 * until it buys: REACT when SUPPLY_OFF (no draw), else REACT plus a uniform draw from
 * [0, notice) on the household's behaviour stream R. */
static inline uint32_t grid_topup_delay(const grid_topup_config *c, bool supply_off, sim_rng *r)
{
    return supply_off ? c->react_s : c->react_s + (uint32_t)sim_rng_below(r, c->notice_s);
}

/* Is this top-up bought online?  One draw from R. */
static inline bool grid_topup_online(const grid_topup_config *c, sim_rng *r)
{
    return sim_rng_uniform(r) < c->online_share;
}

#endif
