/* Block tariffs as a scenario writes them ("the first x units at y, the rest at z"):
 * thresholds such as "3 kWh, 8 kWh" and prices such as "15 p/kWh, 25.5 p/kWh", read into a
 * numeric definition that sim/tariffdef.c turns into the meters' block price set.
 *
 * Reading the text only: no firmware, no prices model.  Whether a price fits the meters'
 * integer price scale is the tariff builder's question (sim_tariff_def_build).
 */
#ifndef SIM_SCENARIO_BLOCKS_H
#define SIM_SCENARIO_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#define SIM_BLOCK_THRESHOLDS 3 /* per price set, as the firmware holds them (mm/tariff.h) */

/* The span over which block consumption adds up before it starts again from 0 (UTC). */
typedef enum sim_block_period { SIM_BLOCK_DAY, SIM_BLOCK_WEEK, SIM_BLOCK_MONTH } sim_block_period;

/* price_p_kwh[k] applies while the block period's consumption is at or above
 * threshold_wh[k-1] and below threshold_wh[k]. */
typedef struct sim_block_def {
    sim_block_period period;
    uint8_t n_thresholds;                         /* 0..3 */
    uint32_t threshold_wh[SIM_BLOCK_THRESHOLDS];  /* strictly ascending [Wh] */
    double price_p_kwh[SIM_BLOCK_THRESHOLDS + 1]; /* n_thresholds + 1 prices [p/kWh] */
} sim_block_def;

/* "3 kWh, 8 kWh" (each value in Wh or kWh, a whole number of Wh above 0, strictly
 * ascending, at most 3; "" or blanks: none) into B's n_thresholds and threshold_wh (the
 * unused ones 0).  0, or -1 with B untouched and a one-line reason in WHY. */
int sim_block_parse_thresholds(const char *text, sim_block_def *b, char *why, size_t whylen);

/* "15 p/kWh, 25.5 p/kWh" (each in p/kWh or GBP/kWh, >= 0, 1 to 4 of them) into B's
 * price_p_kwh; the slots after the last price given are NaN (sim_tariff_def_build refuses a
 * count that does not match the thresholds).  The number of prices, or -1 with B untouched
 * and a one-line reason in WHY. */
int sim_block_parse_prices(const char *text, sim_block_def *b, char *why, size_t whylen);

/* The same as the scenario keys' check functions: 0, or -1 with the reason. */
int sim_block_check_thresholds(const char *text, char *why, size_t whylen);
int sim_block_check_prices(const char *text, char *why, size_t whylen);

#endif
