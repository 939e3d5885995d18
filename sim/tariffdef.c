#include "tariffdef.h"

#include "sim/timeutil.h"

#include <string.h>

uint32_t sim_period_rate(const sim_scenario *sc, uint32_t p)
{
    return (uint32_t)(((sc->start_unix + (int64_t)p * SIM_PERIOD_S) % SIM_DAY_S) / SIM_PERIOD_S);
}

bool sim_price_published(const grid_price_model *m, grid_tariff tariff, uint32_t p, uint32_t now)
{
    int64_t pub;
    grid_price pr;
    return grid_price_publication_s(m, tariff, p, &pub) == 0 && pub <= (int64_t)now &&
           grid_price_get(m, tariff, p, &pr) == 0;
}

/* The commissioning tariff: the flat retail rate in integer 10^-2 p/kWh (prices.c); any
 * other tariff as 48 TOU rates, one per half-hour of the UTC day, priced from the run's
 * first 24 hours as published at the start (static tariffs: all of it).  A dynamic
 * tariff's later prices reach the meters as MM_CMD_SET_PRICES. */
int sim_commissioning_tariff(mm_tariff_def *d, uint32_t *periods_known, const sim_scenario *sc,
                             const grid_price_model *prices, grid_tariff tariff, uint32_t windows)
{
    memset(d, 0, sizeof *d);
    grid_price pr = {0};
    grid_price_get(prices, GRID_TARIFF_FLAT, 0, &pr);
    d->id = 1;
    d->price_scale = GRID_PRICE_SCALE;
    d->standing_scale = GRID_PRICE_SCALE;
    d->standing_charge = (uint32_t)pr.standing;
    d->billing = MM_BILLING_NONE;
    d->n_seasons = 1;
    d->season[0].month = 1;
    d->season[0].day = 1;
    d->day[0].n = 1;
    d->day[0].sw[0].rate = 0;
    d->day[0].sw[0].price_set = MM_TARIFF_NONE;
    d->tou_price[0] = (uint32_t)pr.unit;
    if (tariff != GRID_TARIFF_FLAT) {
        d->day[0].n = MM_TARIFF_TOU_RATES;
        for (uint32_t k = 0; k < MM_TARIFF_TOU_RATES; k++) {
            d->day[0].sw[k] = (mm_tariff_switch){(uint16_t)(k * 30u), (uint8_t)k, MM_TARIFF_NONE};
            d->tou_price[k] = (uint32_t)pr.unit;
        }
        for (uint32_t p = 0; p < MM_TARIFF_TOU_RATES && p < windows &&
                             sim_price_published(prices, tariff, p, 0);
             p++) {
            grid_price q;
            grid_price_get(prices, tariff, p, &q);
            d->tou_price[sim_period_rate(sc, p)] = q.unit > 0 ? (uint32_t)q.unit : 0u;
            *periods_known = p + 1;
        }
    }
    return mm_tariff_def_check(d) == MM_OK ? 0 : -1;
}
