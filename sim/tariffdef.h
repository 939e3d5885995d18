/* Tariff definitions: the mm_tariff_def meters are commissioned with, built from the
 * scenario's prices.
 *
 * Not here: loading firmware images and the meters' configurations (firmware.h), carrying
 * later prices to meters (downlink.c).
 */
#ifndef SIM_TARIFFDEF_H
#define SIM_TARIFFDEF_H

#include "scenario.h"

#include "grid/price.h"
#include "mm/tariff.h"

#include <stdbool.h>
#include <stdint.h>

/* Half-hour of the UTC day that settlement period P of SC starts in: the meters' TOU rate
 * of P (48 rates, one per half-hour of the UTC day). */
uint32_t sim_period_rate(const sim_scenario *sc, uint32_t p);
/* Can the prices of TARIFF for period P be sent at NOW [s since start]? */
bool sim_price_published(const grid_price_model *m, grid_tariff tariff, uint32_t p, uint32_t now);

/* The commissioning tariff of TARIFF into *D; *PERIODS_KNOWN: settlement periods whose
 * prices it holds.  0, or -1 if the firmware's check refuses the definition. */
int sim_commissioning_tariff(mm_tariff_def *d, uint32_t *periods_known, const sim_scenario *sc,
                             const grid_price_model *prices, grid_tariff tariff, uint32_t windows);

#endif
