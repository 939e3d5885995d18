/* Block tariffs as a scenario writes them: thresholds ("4 kWh, 10 kWh") and unit prices
 * ("20 p/kWh, 30 p/kWh"), parsed into numbers for the firmware's tariff definition. */
#ifndef SIM_SCENARIO_BLOCKS_H
#define SIM_SCENARIO_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

typedef enum sim_block_period { SIM_BLOCK_DAY, SIM_BLOCK_WEEK, SIM_BLOCK_MONTH } sim_block_period;

typedef struct sim_block_def {
    sim_block_period period;
    uint8_t n_thresholds;     /* 0..3 */
    uint8_t n_prices;         /* prices given, 0..4 */
    uint32_t threshold_wh[3]; /* strictly ascending [Wh] */
    double price_p_kwh[4];    /* [p/kWh] */
} sim_block_def;

int sim_block_parse_thresholds(const char *text, sim_block_def *b, char *why, size_t whylen);
int sim_block_parse_prices(const char *text, sim_block_def *b, char *why, size_t whylen);
/* The same as scenario key checks (sim_key.check). */
int sim_block_check_thresholds(const char *text, char *why, size_t whylen);
int sim_block_check_prices(const char *text, char *why, size_t whylen);

#endif
