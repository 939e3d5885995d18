/* Tariff definitions (sim/tariffdef.h): a meter commissioned the way the simulator does it
 * (a credit-mode configuration as the runner's, the built-in firmware through its ABI table, the
 * sim port's HAL) with a block, hybrid or flat tariff bills exactly what the hand
 * calculations here say for a known consumption profile, and its block consumption starts
 * again at the block period's boundary in UTC.
 *
 * Tolerance: none.  Every profile gives whole Wh in every half-hour (300 W x 30 min = 150 Wh)
 * and every price is a whole number of 0.01 p/kWh, so each bill is an exact integer in the
 * firmware's cost unit (10^-MM_COST_DECIMALS p); the expectations are written in 0.01 p.
 * The standing charge is 48 p/day, exactly 1 p per half-hour. */
#include "firmware.h"
#include "tariffdef.h"

#include "mm/abi.h"
#include "mm_port_sim.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JAN12 1768176000 /* 2026-01-12T00:00:00Z, a Monday */
#define DAY 86400u
#define H 3600u
#define CENTS(x) ((mm_cost_t)(x) * (MM_COST_PER_PENNY / 100)) /* X in 0.01 p */

typedef struct world {
    sim_scenario sc;
    grid_price_model *prices;
    struct { /* what the runner commissions a credit meter with */
        const mm_abi *abi;
        uint32_t nvm_size;
        mm_tariff_def tariff;
        mm_esme_config credit;
        mm_hal_crypto crypto;
    } fw;
    uint32_t windows;
} world;

/* Prices: flat 24.5 p/kWh and 48 p/day; static TOU 10 p/kWh with 25 p/kWh 16:00-19:00 UTC. */
static void world_open(world *w, int64_t start, uint32_t days)
{
    memset(w, 0, sizeof *w);
    w->sc.start_unix = start;
    w->sc.duration_s = (int64_t)days * DAY;
    w->sc.meter.register_digits = 9;
    w->windows = days * 48u;
    grid_price_config c;
    grid_price_config_default(&c);
    c.seed = 1;
    c.start_unix = start;
    c.n_periods = w->windows;
    c.flat.rate_p_kwh = 24.5;
    c.flat.standing_p_day = 48;
    c.tou.base_p_kwh = 10;
    c.tou.n_bands = 1;
    c.tou.bands[0] = (grid_tou_band){16 * 3600, 19 * 3600, 25};
    char err[256] = "";
    cr_assert_eq(grid_price_create(&c, &w->prices, err, sizeof err), 0, "%s", err);
    uint32_t known;
    cr_assert_eq(sim_tariff_def_build(&w->fw.tariff, SIM_TARIFF_FLAT, NULL, &w->sc, w->prices,
                                      w->windows, &known, err, sizeof err),
                 0, "%s", err);
    w->fw.abi = mm_abi_get();
    w->fw.nvm_size = w->fw.abi->nvm_footprint() + MM_PERSIST_NVM_ADDR;
    mm_port_sim_crypto_init(&w->fw.crypto, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    mm_esme_config *cfg = &w->fw.credit;
    cfg->meter.register_digits = 9;
    cfg->tariff = &w->fw.tariff;
    cfg->initial_mode = MM_MODE_CREDIT;
    cfg->nvm_addr = MM_PERSIST_NVM_ADDR;
    sim_fw_device_id(1, 0, cfg->utrn.device_id);
    sim_fw_device_id(1, 0, cfg->cmd.device_id);
}

static void world_close(world *w)
{
    grid_price_destroy(w->prices);
}

/* Replace the commissioning tariff with KIND's, as the runner will. */
static void world_tariff(world *w, int kind, const sim_block_def *blk)
{
    char err[256] = "";
    uint32_t known = 99;
    cr_assert_eq(sim_tariff_def_build(&w->fw.tariff, kind, blk, &w->sc, w->prices, w->windows,
                                      &known, err, sizeof err),
                 0, "%s", err);
}

typedef struct meter {
    const mm_abi *abi;
    mm_hal_clock clk;
    mm_hal_nvm nvm;
    mm_hal_rng rng;
    uint8_t *nvm_mem;
    mm_profile_slot profile[192];
    mm_event events[64];
    void *state;
    uint64_t ms; /* since commissioning */
} meter;

static meter *meter_new(world *w)
{
    meter *m = calloc(1, sizeof *m);
    m->abi = w->fw.abi;
    uint32_t al = m->abi->state_align;
    m->state = aligned_alloc(al, (m->abi->state_size + al - 1) / al * al);
    m->nvm_mem = calloc(1, w->fw.nvm_size);
    mm_port_sim_clock_init(&m->clk, (uint32_t)w->sc.start_unix);
    mm_port_sim_nvm_init(&m->nvm, m->nvm_mem, w->fw.nvm_size);
    mm_port_sim_rng_init_seed(&m->rng, 7u);
    mm_esme_hal hal = {&m->clk, &m->nvm, &m->rng, &w->fw.crypto};
    mm_esme_storage st = {m->profile, 192, m->events, 64, 0, NULL, NULL, {0}, NULL};
    cr_assert_eq(m->abi->init(m->state, &w->fw.credit, &hal, &st), MM_OK);
    return m;
}

static void meter_free(meter *m)
{
    m->abi->deinit(m->state);
    free(m->state);
    free(m->nvm_mem);
    free(m);
}

/* WATTS for SECONDS, closing every half-hour on its boundary as the engine does. */
static void run(meter *m, int32_t watts, uint32_t seconds)
{
    while (seconds > 0) {
        mm_esme_snapshot s;
        m->abi->snapshot(m->state, &s);
        uint32_t step = m->abi->next_boundary(m->state) - s.now;
        if (step > seconds) step = seconds;
        m->ms += (uint64_t)step * 1000u;
        mm_port_sim_clock_set_ms(&m->clk, m->ms);
        m->abi->advance(m->state, watts * 1000, 0, step * 1000u);
        if ((s.now + step) % 1800u == 0) m->abi->hh_close(m->state);
        seconds -= step;
    }
}

static mm_cost_t cost(meter *m)
{
    mm_esme_snapshot s;
    m->abi->snapshot(m->state, &s);
    return s.cost_total;
}

/* Bill the three days every tariff is billed for, from 00:00 UTC on 12 January, on KIND's
 * tariff, and expect each day's cost: the energy of ENERGY_CENTS [0.01 p] and 48 p standing.
 *   day 1  300 W all day: 7200 Wh, 900 Wh of it in 16:00-19:00;
 *   day 2  1 kW 06:00-08:00: 2000 Wh;
 *   day 3  2.5 kW 17:00-19:00: 5000 Wh, all in 16:00-19:00.
 * Returns the bill of the three days. */
static mm_cost_t three_days(int kind, const sim_block_def *blk, const int energy_cents[3])
{
    static const struct {
        uint32_t idle_h, on_h; /* of each day: on at WATTS from IDLE_H for ON_H hours */
        int32_t watts;
    } days[3] = {{0, 24, 300}, {6, 2, 1000}, {17, 2, 2500}};
    world w;
    world_open(&w, JAN12, 3);
    world_tariff(&w, kind, blk);
    meter *m = meter_new(&w);
    for (int d = 0; d < 3; d++) {
        mm_cost_t c0 = cost(m);
        run(m, 0, days[d].idle_h * H);
        run(m, days[d].watts, days[d].on_h * H);
        run(m, 0, (24 - days[d].idle_h - days[d].on_h) * H);
        cr_expect_eq(cost(m) - c0, CENTS(energy_cents[d] + 4800), "day %d", d + 1);
    }
    mm_cost_t total = cost(m);
    meter_free(m);
    world_close(&w);
    return total;
}

static const sim_block_def FIRST_4KWH_DAILY = {
    .period = SIM_BLOCK_DAY, .n_thresholds = 1, .threshold_wh = {4000}, .price_p_kwh = {20, 30}};

Test(tariffdef, flat_control_bills_the_hand_calculation)
{
    /* 24.5 p/kWh: day 1 7200 Wh = 176.4 p, day 2 49 p, day 3 122.5 p */
    static const int energy[3] = {17640, 4900, 12250};
    cr_expect_eq(three_days(SIM_TARIFF_KIND_FLAT, NULL, energy), CENTS(49190),
                 "347.9 p of energy + 144 p standing");
}

Test(tariffdef, block_first_4_kwh_a_day_at_20p_the_rest_at_30p)
{
    /* day 1: 4000 Wh x 20 + 3200 Wh x 30 = 176 p; day 2: 2000 x 20 = 40 p;
     * day 3: 4000 x 20 + 1000 x 30 = 110 p */
    static const int energy[3] = {17600, 4000, 11000};
    cr_expect_eq(three_days(SIM_TARIFF_KIND_BLOCK, &FIRST_4KWH_DAILY, energy), CENTS(47000),
                 "326 p of energy + 144 p standing");
}

Test(tariffdef, hybrid_is_the_tou_price_plus_the_block_price)
{
    /* TOU: day 1 6300 Wh x 10 + 900 Wh x 25 = 85.5 p, day 2 2000 x 10 = 20 p,
     * day 3 5000 x 25 = 125 p; the block adder as in the block test: 176, 40, 110 p */
    static const int energy[3] = {8550 + 17600, 2000 + 4000, 12500 + 11000};
    cr_expect_eq(three_days(SIM_TARIFF_KIND_HYBRID, &FIRST_4KWH_DAILY, energy), CENTS(70050),
                 "556.5 p of energy + 144 p standing");
}

/* The run starts at 09:30: the daily block period still begins at 00:00 UTC, not at the run
 * start's time of day. */
Test(tariffdef, the_daily_block_restarts_at_midnight_utc)
{
    world w;
    world_open(&w, JAN12 + 9 * H + 1800, 2);
    world_tariff(&w, SIM_TARIFF_KIND_BLOCK, &FIRST_4KWH_DAILY);
    cr_expect_eq(w.fw.tariff.block_period_min, 1440u);
    cr_expect_eq(w.fw.tariff.block_period_start, (uint32_t)JAN12);
    meter *m = meter_new(&w);
    mm_cost_t c0 = cost(m);
    run(m, 0, 12 * H);   /* to 21:30 */
    run(m, 2000, 2 * H); /* 4000 Wh: the first block is full */
    cr_expect_eq(cost(m) - c0, CENTS(2400 + 8000 + 400));
    c0 = cost(m);
    run(m, 2000, 1800); /* 23:30-24:00: 1000 Wh at 30 p */
    cr_expect_eq(cost(m) - c0, CENTS(3000 + 100));
    c0 = cost(m);
    run(m, 2000, 1800); /* 00:00-00:30: a new day, 1000 Wh at 20 p */
    cr_expect_eq(cost(m) - c0, CENTS(2000 + 100));
    c0 = cost(m);
    run(m, 2000, 5400); /* to 02:00: 3000 Wh more at 20 p, 4000 Wh today */
    cr_expect_eq(cost(m) - c0, CENTS(6000 + 300));
    c0 = cost(m);
    run(m, 0, 7 * H); /* to 09:00 */
    run(m, 2000, H);  /* 09:00-10:00, across the run start's time of day: all at 30 p */
    cr_expect_eq(cost(m) - c0, CENTS(1400 + 6000 + 200), "7 h of standing, then 1 h");
    meter_free(m);
    world_close(&w);
}

/* N days of 3 kWh in the evening (1.5 kW 18:00-20:00), expecting each day's cost: the energy
 * of ENERGY_CENTS [0.01 p] and 48 p standing. */
static void evenings(meter *m, int n, const int *energy_cents)
{
    for (int d = 0; d < n; d++) {
        mm_cost_t c0 = cost(m);
        run(m, 0, 18 * H);
        run(m, 1500, 2 * H);
        run(m, 0, 4 * H);
        cr_expect_eq(cost(m) - c0, CENTS(energy_cents[d] + 4800), "day %d", d + 1);
    }
}

/* 3 kWh every evening from Wednesday to the next Monday against a weekly 10 kWh block. */
Test(tariffdef, the_weekly_block_restarts_on_monday_utc)
{
    world w;
    world_open(&w, JAN12 + 2 * DAY, 6);
    sim_block_def b = {.period = SIM_BLOCK_WEEK,
                       .n_thresholds = 1,
                       .threshold_wh = {10000},
                       .price_p_kwh = {20, 30}};
    world_tariff(&w, SIM_TARIFF_KIND_BLOCK, &b);
    cr_expect_eq(w.fw.tariff.block_period_min, 7u * 1440u);
    cr_expect_eq(w.fw.tariff.block_period_start, (uint32_t)JAN12);
    meter *m = meter_new(&w);
    /* Wed, Thu, Fri 60 p each (9000 Wh); Sat 1000 x 20 + 2000 x 30; Sun 90 p; Mon 60 p again */
    static const int energy_cents[6] = {6000, 6000, 6000, 8000, 9000, 6000};
    evenings(m, 6, energy_cents);
    meter_free(m);
    world_close(&w);
}

/* 3 kWh a day from 30 January against a monthly 4 kWh block: it restarts on 1 February. */
Test(tariffdef, the_monthly_block_restarts_on_the_first_utc)
{
    world w;
    world_open(&w, JAN12 + 18 * DAY, 3);
    sim_block_def b = FIRST_4KWH_DAILY;
    b.period = SIM_BLOCK_MONTH;
    world_tariff(&w, SIM_TARIFF_KIND_BLOCK, &b);
    cr_expect_eq(w.fw.tariff.billing, MM_BILLING_MONTHLY);
    cr_expect_eq(w.fw.tariff.billing_day, 1);
    cr_expect_eq(w.fw.tariff.block_period_min, 0u);
    meter *m = meter_new(&w);
    static const int energy_cents[3] = {6000, 2000 + 6000, 6000};
    evenings(m, 3, energy_cents);
    meter_free(m);
    world_close(&w);
}

Test(tariffdef, definitions_hold_the_scenario_prices)
{
    world w;
    world_open(&w, JAN12, 2);
    mm_tariff_def d;
    uint32_t known = 99;
    char err[256] = "";
    sim_block_def b = {.period = SIM_BLOCK_DAY,
                       .n_thresholds = 3,
                       .threshold_wh = {3000, 8000, 12000},
                       .price_p_kwh = {15, 25.5, 30.004, 0.125}};
    cr_assert_eq(sim_tariff_def_build(&d, SIM_TARIFF_KIND_HYBRID, &b, &w.sc, w.prices, w.windows,
                                      &known, err, sizeof err),
                 0, "%s", err);
    cr_expect_eq(known, 48u);
    cr_expect_eq(d.day[0].n, 48);
    for (unsigned k = 0; k < 48; k++) {
        cr_expect_eq(d.day[0].sw[k].rate, k);
        cr_expect_eq(d.day[0].sw[k].price_set, 0);
        cr_expect_eq(d.tou_price[k], k >= 32 && k < 38 ? 2500u : 1000u, "rate %u", k);
    }
    cr_expect_eq(d.standing_charge, 4800u);
    cr_expect_eq(d.price_set[0].n_thresholds, 3);
    cr_expect_eq(d.price_set[0].threshold_wh[2], 12000u);
    cr_expect_eq(d.price_set[0].price[0], 1500u);
    cr_expect_eq(d.price_set[0].price[1], 2550u);
    cr_expect_eq(d.price_set[0].price[2], 3000u, "rounded to 0.01 p/kWh");
    cr_expect_eq(d.price_set[0].price[3], 13u, "0.125 rounds half away from zero");

    cr_assert_eq(sim_tariff_def_build(&d, SIM_TARIFF_KIND_BLOCK, &b, &w.sc, w.prices, w.windows,
                                      &known, err, sizeof err),
                 0, "%s", err);
    cr_expect_eq(known, 0u);
    cr_expect_eq(d.day[0].n, 1);
    cr_expect_eq(d.day[0].sw[0].rate, MM_TARIFF_NONE);
    cr_expect_eq(d.day[0].sw[0].price_set, 0);
    cr_expect_eq(d.billing, MM_BILLING_NONE);

    /* the parsers' output as it is: NaN after the last price */
    sim_block_def parsed = {.period = SIM_BLOCK_DAY};
    cr_assert_eq(sim_block_parse_thresholds("4 kWh", &parsed, err, sizeof err), 0);
    cr_assert_eq(sim_block_parse_prices("0.2 GBP/kWh, 30 p/kWh", &parsed, err, sizeof err), 2);
    cr_assert_eq(sim_tariff_def_build(&d, SIM_TARIFF_KIND_BLOCK, &parsed, &w.sc, w.prices,
                                      w.windows, &known, err, sizeof err),
                 0, "%s", err);
    cr_expect_eq(d.price_set[0].price[0], 2000u);
    cr_expect_eq(d.price_set[0].price[1], 3000u);
    world_close(&w);
}

typedef struct {
    int kind;
    sim_block_def b;
    int null_block;
    const char *err;
} refusal;

Test(tariffdef, definitions_refused_with_the_reason)
{
    world w;
    world_open(&w, JAN12, 1);
    const refusal cases[] = {
        {SIM_TARIFF_KIND_BLOCK, {0}, 1, "block tariff: no block definition"},
        {SIM_TARIFF_KIND_HYBRID, {0}, 1, "block tariff: no block definition"},
        {99, {0}, 1, "firmware tariff: unknown tariff kind 99"},
        {-1, {0}, 1, "firmware tariff: unknown tariff kind -1"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 1, .threshold_wh = {4000}, .price_p_kwh = {20, NAN, NAN, NAN}},
         0,
         "block tariff: 1 threshold takes 2 prices, 1 given"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 2, .threshold_wh = {4000, 5000}, .price_p_kwh = {20, 30, NAN, NAN}},
         0,
         "block tariff: 2 thresholds take 3 prices, 2 given"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 1, .threshold_wh = {4000}, .price_p_kwh = {20, 30, 40, NAN}},
         0,
         "block tariff: 1 threshold takes 2 prices, more given"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 0, .price_p_kwh = {20, 30}},
         0,
         "block tariff: 0 thresholds take 1 price, more given"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 4, .price_p_kwh = {20}},
         0,
         "block tariff: 4 thresholds, at most 3"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 2, .threshold_wh = {4000, 4000}, .price_p_kwh = {20, 30, 40}},
         0,
         "block tariff: thresholds must be strictly ascending above 0 Wh (threshold 2 is 4000 "
         "Wh)"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 1, .threshold_wh = {0}, .price_p_kwh = {20, 30}},
         0,
         "block tariff: thresholds must be strictly ascending above 0 Wh (threshold 1 is 0 Wh)"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 1, .threshold_wh = {4000}, .price_p_kwh = {20, -0.5}},
         0,
         "block tariff: price 2 (-0.5 p/kWh) is outside what the meters hold: 0 to 5497558.13 "
         "p/kWh"},
        {SIM_TARIFF_KIND_HYBRID,
         {.n_thresholds = 1, .threshold_wh = {4000}, .price_p_kwh = {5497558.14, 30}},
         0,
         "block tariff: price 1 (5.49756e+06 p/kWh) is outside what the meters hold: 0 to "
         "5497558.13 p/kWh"},
        {SIM_TARIFF_KIND_BLOCK,
         {.n_thresholds = 1, .threshold_wh = {4000}, .price_p_kwh = {INFINITY, 30}},
         0,
         "block tariff: price 1 (inf p/kWh) is outside what the meters hold: 0 to 5497558.13 "
         "p/kWh"},
        {SIM_TARIFF_KIND_BLOCK,
         {.period = (sim_block_period)7, .n_thresholds = 0, .price_p_kwh = {20}},
         0,
         "block tariff: unknown block period 7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mm_tariff_def d;
        uint32_t known = 99;
        char err[256] = "";
        cr_expect_eq(sim_tariff_def_build(&d, cases[i].kind,
                                          cases[i].null_block ? NULL : &cases[i].b, &w.sc, w.prices,
                                          w.windows, &known, err, sizeof err),
                     -1, "case %zu", i);
        cr_expect_str_eq(err, cases[i].err, "case %zu", i);
    }
    /* the largest price that fits is accepted */
    mm_tariff_def d;
    uint32_t known;
    char err[256] = "";
    sim_block_def b = {.n_thresholds = 0, .price_p_kwh = {5497558.13}};
    cr_expect_eq(sim_tariff_def_build(&d, SIM_TARIFF_KIND_HYBRID, &b, &w.sc, w.prices, w.windows,
                                      &known, err, sizeof err),
                 0, "%s", err);
    world_close(&w);
}
