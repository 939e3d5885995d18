/* Tariff definitions: the mm_tariff_def meters are commissioned with, for every tariff a
 * supplier offers -- flat, Economy 7, static TOU, Agile-style, real-time, block ("the first x
 * units at y, the rest at z") and hybrid (TOU plus block) -- from the scenario's price model
 * and, for block and hybrid, a numeric block definition (scenario/blocks.h reads it from
 * text).
 *
 * The meters' side (models/meter/include/mm/tariff.h): prices are integers at
 * GRID_PRICE_SCALE (10^-2 p/kWh), the day is split into 48 half-hour TOU rates where prices
 * vary, switch points, dates and block periods are in UTC (the simulator's time), and a
 * hybrid Wh costs its TOU price plus its block price.
 *
 * Not here: loading firmware images and the meters' configurations (firmware.h), carrying
 * later prices to meters (downlink.c), scenario keys naming the tariff (scenario/keys.c).
 */
#ifndef SIM_TARIFFDEF_H
#define SIM_TARIFFDEF_H

#include "scenario.h"
#include "scenario/blocks.h"

#include "grid/price.h"
#include "mm/tariff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The tariff a meter is commissioned with; the values are the scenario's (sim_tariff). */
typedef enum sim_tariff_kind {
    SIM_TARIFF_KIND_FLAT = SIM_TARIFF_FLAT,     /* one rate */
    SIM_TARIFF_KIND_E7 = SIM_TARIFF_E7,         /* 48 TOU rates ... */
    SIM_TARIFF_KIND_TOU = SIM_TARIFF_TOU,       /* ... from the price model's */
    SIM_TARIFF_KIND_AGILE = SIM_TARIFF_AGILE,   /* ... first published day */
    SIM_TARIFF_KIND_RTP = SIM_TARIFF_RTP,       /* ... */
    SIM_TARIFF_KIND_BLOCK = SIM_TARIFF_BLOCK,   /* block price set 0 alone */
    SIM_TARIFF_KIND_HYBRID = SIM_TARIFF_HYBRID, /* tou's 48 rates + block price set 0 */
} sim_tariff_kind;

/* Half-hour of the UTC day that settlement period P of SC starts in: the meters' TOU rate
 * of P (48 rates, one per half-hour of the UTC day). */
uint32_t sim_period_rate(const sim_scenario *sc, uint32_t p);
/* Can the prices of TARIFF for period P be sent at NOW [s since start]? */
bool sim_price_published(const grid_price_model *m, grid_tariff tariff, uint32_t p, uint32_t now);

/* Build into *D the tariff of KIND (a sim_tariff_kind) that meters are commissioned with at
 * the start of SC's run of WINDOWS settlement periods:
 *   flat        the flat unit rate and standing charge of PRICES;
 *   e7 .. rtp   48 TOU rates, one per half-hour of the UTC day, priced from the run's first
 *               24 hours as published at the start (a negative price becomes 0); the later
 *               prices of agile and rtp reach meters as commands;
 *   block       BLK's price set as block price set 0 at every switch point, no TOU price;
 *   hybrid      tou's 48 rates, and BLK's price set on top at every switch point.
 * The standing charge is always the flat tariff's.  BLK (block and hybrid only; ignored
 * otherwise, may be NULL) sets the block period: a day (from 00:00 UTC), a week (from Monday
 * 00:00 UTC), or the calendar month (monthly billing on the 1st, the block period being the
 * billing period).  Its prices are rounded to the nearest price unit (10^-2 p/kWh); a price
 * that is not a finite number >= 0, or above what the meters' tariff holds, is refused, as
 * are thresholds not strictly ascending above 0 and a price count other than
 * n_thresholds + 1 (a slot after the last is NaN, as sim_block_parse_prices leaves it, or 0).
 * *PERIODS_KNOWN: settlement periods from the start whose prices the definition holds (0 for
 * flat and block).  0, or -1 with a one-line reason in ERR (*D is then unspecified). */
int sim_tariff_def_build(mm_tariff_def *d, int kind, const sim_block_def *blk,
                         const sim_scenario *sc, const grid_price_model *prices, uint32_t windows,
                         uint32_t *periods_known, char *err, size_t errlen);

#endif
