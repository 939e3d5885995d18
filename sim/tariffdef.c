#include "tariffdef.h"

#include "sim/timeutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
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
static int rates_def(mm_tariff_def *d, uint32_t *periods_known, const sim_scenario *sc,
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
        for (uint32_t p = 0;
             p < MM_TARIFF_TOU_RATES && p < windows && sim_price_published(prices, tariff, p, 0);
             p++) {
            grid_price q;
            grid_price_get(prices, tariff, p, &q);
            d->tou_price[sim_period_rate(sc, p)] = q.unit > 0 ? (uint32_t)q.unit : 0u;
            *periods_known = p + 1;
        }
    }
    return mm_tariff_def_check(d) == MM_OK ? 0 : -1;
}

_Static_assert(SIM_BLOCK_THRESHOLDS == MM_TARIFF_THRESHOLDS, "a block definition is a price set");

/* Does a unit price U [10^GRID_PRICE_SCALE p/kWh] fit the meters' tariff?  Asked of the
 * firmware's own check, on a one-rate definition holding it. */
static bool price_fits(uint32_t u)
{
    mm_tariff_def d;
    memset(&d, 0, sizeof d);
    d.price_scale = GRID_PRICE_SCALE;
    d.standing_scale = GRID_PRICE_SCALE;
    d.n_seasons = 1;
    d.season[0].month = 1;
    d.season[0].day = 1;
    d.day[0].n = 1;
    d.day[0].sw[0].price_set = MM_TARIFF_NONE;
    d.tou_price[0] = u;
    return mm_tariff_def_check(&d) == MM_OK;
}

/* B's thresholds take n_thresholds + 1 prices; GIVEN says what came instead. */
static void count_error(const sim_block_def *b, const char *given, char *err, size_t errlen)
{
    unsigned n = b->n_thresholds;
    snprintf(err, errlen, "block tariff: %u threshold%s take%s %u price%s, %s", n,
             n == 1 ? "" : "s", n == 1 ? "s" : "", n + 1u, n == 0 ? "" : "s", given);
}

/* Price K of B [p/kWh] at the meters' price scale, rounded to the nearest unit. */
static int block_price(const sim_block_def *b, unsigned k, uint32_t *out, char *err, size_t errlen)
{
    double p = b->price_p_kwh[k];
    if (isnan(p)) {
        char given[16];
        snprintf(given, sizeof given, "%u given", k);
        count_error(b, given, err, errlen);
        return -1;
    }
    double units = round(p * GRID_PRICE_PER_PENNY);
    if (!(p >= 0.0) || !(units <= (double)UINT32_MAX) || !price_fits((uint32_t)units)) {
        uint32_t lo = 0, hi = UINT32_MAX; /* the largest price that fits: in [lo, hi] */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2u + 1u;
            if (price_fits(mid))
                lo = mid;
            else
                hi = mid - 1u;
        }
        snprintf(err, errlen,
                 "block tariff: price %u (%g p/kWh) is outside what the meters hold: 0 to "
                 "%" PRIu32 ".%02" PRIu32 " p/kWh",
                 k + 1u, p, lo / GRID_PRICE_PER_PENNY, lo % GRID_PRICE_PER_PENNY);
        return -1;
    }
    *out = (uint32_t)units;
    return 0;
}

/* B as block price set 0 of D, with its block period from the run start of SC. */
static int block_set(mm_tariff_def *d, const sim_block_def *b, const sim_scenario *sc, char *err,
                     size_t errlen)
{
    if (b == NULL) {
        snprintf(err, errlen, "block tariff: no block definition");
        return -1;
    }
    if (b->n_thresholds > MM_TARIFF_THRESHOLDS) {
        snprintf(err, errlen, "block tariff: %u thresholds, at most %d", b->n_thresholds,
                 MM_TARIFF_THRESHOLDS);
        return -1;
    }
    mm_tariff_price_set *ps = &d->price_set[0];
    ps->n_thresholds = b->n_thresholds;
    for (unsigned k = 0; k < b->n_thresholds; k++) {
        ps->threshold_wh[k] = b->threshold_wh[k];
        if (b->threshold_wh[k] == 0 || (k > 0 && b->threshold_wh[k] <= b->threshold_wh[k - 1])) {
            snprintf(err, errlen,
                     "block tariff: thresholds must be strictly ascending above 0 Wh "
                     "(threshold %u is %" PRIu32 " Wh)",
                     k + 1u, b->threshold_wh[k]);
            return -1;
        }
    }
    for (unsigned k = 0; k <= b->n_thresholds; k++)
        if (block_price(b, k, &ps->price[k], err, errlen) != 0) return -1;
    for (unsigned k = b->n_thresholds + 1u; k <= MM_TARIFF_THRESHOLDS; k++)
        if (!isnan(b->price_p_kwh[k]) && b->price_p_kwh[k] != 0.0) {
            count_error(b, "more given", err, errlen);
            return -1;
        }
    for (unsigned i = 0; i < d->day[0].n; i++)
        d->day[0].sw[i].price_set = 0;
    /* Meter time is Unix time (the sim port's RTC starts at the run start). */
    uint32_t day0 = (uint32_t)(sc->start_unix / SIM_DAY_S);
    switch (b->period) {
    case SIM_BLOCK_DAY:
        d->block_period_min = 1440;
        d->block_period_start = day0 * (uint32_t)SIM_DAY_S;
        return 0;
    case SIM_BLOCK_WEEK: {
        /* 1970-01-01 was a Thursday: day D is a Monday when (D + 3) % 7 == 0.  The Monday on
         * or before the start, or the first one after it in 1970's first days. */
        uint32_t back = (day0 + 3u) % 7u;
        d->block_period_min = 7 * 1440;
        d->block_period_start =
            (day0 >= back ? day0 - back : day0 + 7u - back) * (uint32_t)SIM_DAY_S;
        return 0;
    }
    case SIM_BLOCK_MONTH:
        d->billing = MM_BILLING_MONTHLY;
        d->billing_day = 1;
        d->block_period_min = 0; /* the billing period */
        return 0;
    }
    snprintf(err, errlen, "block tariff: unknown block period %d", (int)b->period);
    return -1;
}

int sim_tariff_def_build(mm_tariff_def *d, int kind, const sim_block_def *blk,
                         const sim_scenario *sc, const grid_price_model *prices, uint32_t windows,
                         uint32_t *periods_known, char *err, size_t errlen)
{
    static const grid_tariff rates[] = {
        [SIM_TARIFF_KIND_FLAT] = GRID_TARIFF_FLAT,  [SIM_TARIFF_KIND_E7] = GRID_TARIFF_E7,
        [SIM_TARIFF_KIND_TOU] = GRID_TARIFF_TOU,    [SIM_TARIFF_KIND_AGILE] = GRID_TARIFF_AGILE,
        [SIM_TARIFF_KIND_RTP] = GRID_TARIFF_RTP,    [SIM_TARIFF_KIND_BLOCK] = GRID_TARIFF_FLAT,
        [SIM_TARIFF_KIND_HYBRID] = GRID_TARIFF_TOU,
    };
    *periods_known = 0;
    if (kind < 0 || (size_t)kind >= sizeof rates / sizeof *rates) {
        snprintf(err, errlen, "firmware tariff: unknown tariff kind %d", kind);
        return -1;
    }
    if (rates_def(d, periods_known, sc, prices, rates[kind], windows) != 0) {
        snprintf(err, errlen, "firmware tariff: invalid definition");
        return -1;
    }
    if (kind == SIM_TARIFF_KIND_BLOCK) {
        d->day[0].sw[0].rate = MM_TARIFF_NONE;
        d->tou_price[0] = 0;
    }
    if (kind == SIM_TARIFF_KIND_BLOCK || kind == SIM_TARIFF_KIND_HYBRID) {
        if (block_set(d, blk, sc, err, errlen) != 0) return -1;
        if (mm_tariff_def_check(d) != MM_OK) {
            snprintf(err, errlen, "firmware tariff: invalid definition");
            return -1;
        }
    }
    return 0;
}
