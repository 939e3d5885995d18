/* Tariffs (DCC duis-templates tariff model): a day of TOU crossing switch points and a
 * season change, special days, block thresholds, a hybrid tariff, the standing charge,
 * pending tariff activation, billing snapshots, GB local time, chunk invariance, and dynamic
 * prices from a caller's price table.
 *
 * Money arithmetic for the expectations: prices here have scale -2 (0.01 p/kWh), so with the
 * cost unit of 10^-8 p one Wh costs price x 10^(-2 - 3 + 8) = price x 1000 units, and one
 * penny is 10^8 units.  Instants: 2024-03-31T00:00Z = 1711843200, 2024-01-01 = 1704067200,
 * 2024-12-24 = 1734998400, 2024-07-01 = 1719792000, 2024-01-31 = 1706659200 (Python
 * calendar.timegm). */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/status_supply.h"
#include "mm/tariff.h"

#define P 100000000LL /* cost units per penny */
#define H 3600u
#define DAY 86400u
#define MAR31 1711843200u
#define JAN1 1704067200u
#define DEC24 1734998400u
#define JUL1 1719792000u
#define JAN31 1706659200u

/* A one-season, one-week, flat definition at PRICE (rate 0) that tests then edit. */
static void flat(mm_tariff_def *d, uint32_t price)
{
    memset(d, 0, sizeof *d);
    d->id = 1;
    d->price_scale = -2;
    d->standing_scale = -2;
    d->n_seasons = 1;
    d->season[0] = (mm_tariff_season){.month = 1, .day = 1, .week = 0};
    d->day[0].n = 1;
    d->day[0].sw[0] = (mm_tariff_switch){.minute = 0, .rate = 0, .price_set = MM_TARIFF_NONE};
    d->tou_price[0] = price;
}

/* Constant import P_MW from FROM to TO, split at every tariff change and at most STEP_S per
 * call.  Returns the cost the calls reported. */
static mm_cost_t drive(mm_tariff *t, uint32_t from, uint32_t to, uint32_t p_mw, uint32_t step_s)
{
    mm_cost_t sum = 0;
    for (uint32_t now = from; now < to;) {
        uint32_t end = to;
        if (end - now > step_s) end = now + step_s;
        if (mm_tariff_next_change(t) < end) end = mm_tariff_next_change(t);
        sum += mm_tariff_accumulate(t, end, (uint64_t)p_mw * (end - now) * 1000u);
        now = end;
    }
    return sum;
}

/* ---- TOU: switch points and a season change ---- */

static mm_tariff_def tou;

static void setup_tou(void)
{
    flat(&tou, 0);
    /* winter from 1 Jan and from 1 Oct (week 0): night 10 p 00:00-07:00 and 23:00-24:00,
     * day 30 p; summer from 1 Apr (week 1): 15 p, peak 40 p 16:00-19:00 */
    tou.n_seasons = 3;
    tou.season[1] = (mm_tariff_season){.month = 4, .day = 1, .week = 1};
    tou.season[2] = (mm_tariff_season){.month = 10, .day = 1, .week = 0};
    tou.tou_price[0] = 1000;
    tou.tou_price[1] = 3000;
    tou.tou_price[2] = 1500;
    tou.tou_price[3] = 4000;
    tou.day[0] = (mm_tariff_day_profile){
        .n = 3, .sw = {{0, 0, MM_TARIFF_NONE}, {7 * 60, 1, MM_TARIFF_NONE}, {23 * 60, 0, MM_TARIFF_NONE}}};
    tou.day[1] = (mm_tariff_day_profile){
        .n = 3, .sw = {{0, 2, MM_TARIFF_NONE}, {16 * 60, 3, MM_TARIFF_NONE}, {19 * 60, 2, MM_TARIFF_NONE}}};
    memset(tou.week[0], 0, 7);
    memset(tou.week[1], 1, 7);
}

Test(tariff, a_tou_day_crosses_its_switch_points_and_the_season_changes_at_midnight,
     .init = setup_tou)
{
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &tou, MAR31, NULL, 0), MM_OK);
    cr_expect_eq(t.rate, 0);
    cr_expect_eq(mm_tariff_next_change(&t), MAR31 + 7 * H);
    /* 1 kW for 31 March (winter) and 1 April (summer) */
    mm_cost_t c = drive(&t, MAR31, MAR31 + 2 * DAY, 1000000, 1800);
    static const uint32_t want_wh[4] = {8000, 16000, 21000, 3000};
    /* 8 kWh x 10 p + 16 kWh x 30 p + 21 kWh x 15 p + 3 kWh x 40 p = 80 + 480 + 315 + 120 p */
    for (int r = 0; r < 4; r++)
        cr_expect_eq(t.tou_wh[r], want_wh[r], "rate %d", r);
    cr_expect_eq(c, 995 * P);
    cr_expect_eq(t.total, 995 * P);
    cr_expect_eq(t.bill_energy, 995 * P);
    cr_expect_eq(t.import_wh, 48000u);
}

Test(tariff, the_rate_in_force_follows_the_switching_table, .init = setup_tou)
{
    static const struct {
        uint32_t at;   /* seconds after 2024-03-31T00:00Z */
        uint8_t rate;
        mm_cost_t unit; /* cost of the next Wh */
        uint32_t next;  /* next change, seconds after the same origin */
    } cases[] = {
        {0, 0, 1000000, 7 * H},
        {7 * H - 1, 0, 1000000, 7 * H},
        {7 * H, 1, 3000000, 23 * H},
        {23 * H, 0, 1000000, DAY},
        {DAY, 2, 1500000, DAY + 16 * H}, /* 1 April: summer */
        {DAY + 16 * H, 3, 4000000, DAY + 19 * H},
        {DAY + 19 * H, 2, 1500000, 2 * DAY},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mm_tariff t;
        cr_assert_eq(mm_tariff_init(&t, &tou, MAR31 + cases[k].at, NULL, 0), MM_OK);
        cr_expect_eq(t.rate, cases[k].rate, "case %zu", k);
        cr_expect_eq(mm_tariff_unit_cost(&t), cases[k].unit, "case %zu", k);
        cr_expect_eq(mm_tariff_next_change(&t), MAR31 + cases[k].next, "case %zu", k);
    }
}

Test(tariff, a_special_day_overrides_the_week_profile, .init = setup_tou)
{
    /* Christmas every year: day profile 2, rate 4 free all day */
    tou.tou_price[4] = 0;
    tou.day[2] = (mm_tariff_day_profile){.n = 1, .sw = {{0, 4, MM_TARIFF_NONE}}};
    tou.n_special = 1;
    tou.special[0] = (mm_tariff_special_day){.year = 0, .month = 12, .day = 25, .day_profile = 2};
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &tou, DEC24, NULL, 0), MM_OK);
    mm_cost_t c = drive(&t, DEC24, DEC24 + 3 * DAY, 1000000, 3600);
    /* 24 and 26 Dec are winter days (8 kWh night, 16 kWh day); the 25th is free */
    cr_expect_eq(t.tou_wh[0], 16000u);
    cr_expect_eq(t.tou_wh[1], 32000u);
    cr_expect_eq(t.tou_wh[4], 24000u);
    cr_expect_eq(c, 2 * (80 + 480) * P);
}

/* ---- blocks ---- */

/* Blocks only: the first 1 kWh at 10 p, the next 2 kWh at 20 p, the rest at 30 p; a daily
 * block period from JAN1. */
static void blocks(mm_tariff_def *d)
{
    flat(d, 0);
    d->day[0].sw[0] = (mm_tariff_switch){0, MM_TARIFF_NONE, 0};
    d->price_set[0] = (mm_tariff_price_set){.n_thresholds = 2, .threshold_wh = {1000, 3000},
                                            .price = {1000, 2000, 3000}};
    d->block_period_min = 1440;
    d->block_period_start = JAN1;
}

Test(tariff, block_thresholds_price_each_wh_by_the_block_period_consumption)
{
    static mm_tariff_def d;
    blocks(&d);
    static const struct {
        uint32_t p_mw;     /* for 5 hours */
        mm_cost_t cost;    /* units */
        uint32_t blk[4];   /* block registers after the day */
    } cases[] = {
        {100000, 500 * 1000000LL, {500, 0, 0, 0}},                     /* 0.5 kWh: 5 p */
        {200000, 1000 * 1000000LL, {1000, 0, 0, 0}},                   /* exactly 1 kWh */
        {600000, 1000000000LL + 2000 * 2000000LL, {1000, 2000, 0, 0}}, /* 3 kWh: 10 + 40 p */
        {1000000, 1000000000LL + 4000000000LL + 2000 * 3000000LL, {1000, 2000, 2000, 0}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mm_tariff t;
        cr_assert_eq(mm_tariff_init(&t, &d, JAN1, NULL, 0), MM_OK);
        cr_expect_eq(drive(&t, JAN1, JAN1 + 5 * H, cases[k].p_mw, 60), cases[k].cost, "case %zu", k);
        for (int b = 0; b < 4; b++)
            cr_expect_eq(t.block_wh[0][b], cases[k].blk[b], "case %zu block %d", k, b);
        /* the next day starts again in the first block */
        drive(&t, JAN1 + 5 * H, JAN1 + DAY + H, 0, 3600);
        cr_expect(mm_tariff_take_events(&t) & MM_TARIFF_EV_BLOCK, "case %zu", k);
        cr_expect_eq(t.block_period_wh, 0u, "case %zu", k);
        cr_expect_eq(mm_tariff_unit_cost(&t), 1000000, "case %zu", k);
    }
}

/* The cost bound the ESME uses to debit a run of minutes at once: exact where every Wh has
 * one price (energy at 12 p/kWh plus a 50 p standing charge over 5 h: 3 kWh x 12 p + 50 x
 * 5/24 p), the top block's price where the energy may cross thresholds (the 3 kWh above, all
 * at 30 p: 90 p, against 10 + 40 p billed), and none past the next change. */
Test(tariff, the_cost_bound_is_exact_for_one_price_and_above_for_blocks)
{
    static mm_tariff_def d;
    flat(&d, 1200);
    d.standing_charge = 5000;
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &d, JAN1, NULL, 0), MM_OK);
    uint64_t uj = 600000ull * 5u * H * 1000u; /* 600 W for 5 h: 3 kWh */
    mm_cost_t bound = mm_tariff_cost_bound(&t, JAN1 + 5 * H, uj);
    cr_expect_eq(bound, 3000 * 1200000LL + 50 * P * 5 / 24);
    cr_expect_eq(mm_tariff_accumulate(&t, JAN1 + 5 * H, uj), bound);
    cr_expect_eq(mm_tariff_cost_bound(&t, mm_tariff_next_change(&t) + 1u, 0), -1);

    blocks(&d);
    cr_assert_eq(mm_tariff_init(&t, &d, JAN1, NULL, 0), MM_OK);
    bound = mm_tariff_cost_bound(&t, JAN1 + 5 * H, uj);
    cr_expect_eq(bound, 90 * P);
    cr_expect_eq(mm_tariff_accumulate(&t, JAN1 + 5 * H, uj), 50 * P);
}

Test(tariff, a_hybrid_switch_point_adds_the_tou_and_block_prices)
{
    static mm_tariff_def d;
    flat(&d, 1000); /* TOU 10 p */
    d.day[0].sw[0].price_set = 0;
    d.price_set[0] = (mm_tariff_price_set){.n_thresholds = 1, .threshold_wh = {2000},
                                           .price = {0, 500}}; /* +5 p above 2 kWh */
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &d, JAN1, NULL, 0), MM_OK);
    /* 3 kWh: 3000 Wh x 10 p + 1000 Wh x 5 p = 30 + 5 p */
    cr_expect_eq(drive(&t, JAN1, JAN1 + 3 * H, 1000000, 900), 35 * P);
    cr_expect_eq(t.tou_wh[0], 3000u);
    cr_expect_eq(t.block_wh[0][0], 2000u);
    cr_expect_eq(t.block_wh[0][1], 1000u);
}

/* ---- standing charge ---- */

Test(tariff, the_standing_charge_accrues_linearly_and_each_day_adds_it_exactly)
{
    static mm_tariff_def d;
    flat(&d, 0);
    d.standing_charge = 6012; /* 60.12 p/day: 6.012e9 units a day */
    static const struct {
        uint32_t secs, step;
        mm_cost_t cost;
    } cases[] = {
        {1, 1, 69583},                 /* floor(6.012e9 / 86400) */
        {12 * H, 1800, 3006000000LL},  /* half a day */
        {DAY, 1, 6012000000LL},        /* 86400 one-second calls: exactly one day */
        {DAY, DAY, 6012000000LL},
        {7 * DAY, 7, 7 * 6012000000LL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mm_tariff t;
        cr_assert_eq(mm_tariff_init(&t, &d, JAN1, NULL, 0), MM_OK);
        cr_expect_eq(drive(&t, JAN1, JAN1 + cases[k].secs, 0, cases[k].step), cases[k].cost,
                     "case %zu", k);
        cr_expect_eq(t.bill_standing, cases[k].cost, "case %zu", k);
    }
    mm_cost_t acc = 6012000000LL + 99999999LL;
    cr_expect_eq(mm_cost_take_pence(&acc), 61);
    cr_expect_eq(acc, 11999999LL);
    acc = -1;
    cr_expect_eq(mm_cost_take_pence(&acc), -1, "a debt rounds towards minus infinity");
    cr_expect_eq(acc, P - 1);
}

/* ---- chunk invariance ---- */

Test(tariff, any_split_of_the_same_energy_gives_the_same_registers_and_cost, .init = setup_tou)
{
    tou.standing_charge = 5321;
    tou.day[0].sw[1].price_set = 1;
    tou.price_set[1] = (mm_tariff_price_set){.n_thresholds = 3, .threshold_wh = {700, 1900, 4100},
                                             .price = {100, 200, 300, 400}};
    tou.block_period_min = 60 * 24;
    tou.block_period_start = MAR31;
    static const uint32_t steps[] = {1, 7, 60, 601, 1800, 7 * 3600, 2 * DAY};
    mm_tariff ref;
    mm_cost_t ref_cost = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        mm_tariff t;
        cr_assert_eq(mm_tariff_init(&t, &tou, MAR31, NULL, 0), MM_OK);
        /* 1234.567 W: not a whole number of Wh in any step */
        mm_cost_t c = drive(&t, MAR31, MAR31 + 2 * DAY, 1234567, steps[k]);
        if (k == 0) {
            ref = t;
            ref_cost = c;
            continue;
        }
        cr_expect_eq(c, ref_cost, "step %u", steps[k]);
        cr_expect_eq(t.total, ref.total, "step %u", steps[k]);
        cr_expect_eq(t.rem_uj, ref.rem_uj, "step %u", steps[k]);
        cr_expect(memcmp(t.tou_wh, ref.tou_wh, sizeof t.tou_wh) == 0, "step %u", steps[k]);
        cr_expect(memcmp(t.block_wh, ref.block_wh, sizeof t.block_wh) == 0, "step %u", steps[k]);
    }
    /* 1234.567 W x 48 h = 59259.216 Wh */
    cr_expect_eq(ref.import_wh, 59259u);
}

/* ---- pending tariff ---- */

Test(tariff, a_pending_tariff_takes_over_at_its_activation_time)
{
    static mm_tariff_def a, b;
    flat(&a, 2000);
    flat(&b, 3000);
    b.id = 2;
    b.standing_charge = 8640; /* 86.40 p/day = 1e5 units a second */
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &a, JAN1, NULL, 0), MM_OK);
    cr_assert_eq(mm_tariff_set_pending(&t, &b, JAN1 + 12 * H), MM_OK);
    cr_expect_eq(mm_tariff_next_change(&t), JAN1 + 12 * H);
    /* 12 kWh at 20 p + 12 kWh at 30 p + half a day of 86.40 p = 240 + 360 + 43.20 p */
    mm_cost_t c = drive(&t, JAN1, JAN1 + DAY, 1000000, 3600);
    cr_expect_eq(c, 600 * P + 4320000000LL);
    cr_expect_eq(t.def, &b);
    cr_expect_eq(t.pending, NULL);
    cr_expect(mm_tariff_take_events(&t) & MM_TARIFF_EV_ACTIVATED);
    cr_expect_eq(t.tou_wh[0], 24000u, "registers carry on across the change");
    /* one in the past takes over at once */
    cr_assert_eq(mm_tariff_set_pending(&t, &a, JAN1), MM_OK);
    cr_expect_eq(t.def, &a);
}

/* ---- billing snapshots ---- */

Test(tariff, the_billing_calendar_takes_snapshots_and_keeps_the_last_twelve)
{
    static mm_tariff_def d;
    flat(&d, 1000);
    d.standing_charge = 10000; /* 100 p/day */
    d.billing = MM_BILLING_MONTHLY;
    d.billing_day = 1;
    mm_tariff_snapshot snaps[12], s;
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &d, JAN31, snaps, 12), MM_OK);
    cr_expect_eq(t.billing_next, JAN31 + DAY);
    drive(&t, JAN31, JAN31 + DAY + 6 * H, 1000000, 1800);
    cr_expect(mm_tariff_take_events(&t) & MM_TARIFF_EV_BILLING);
    cr_assert_eq(mm_tariff_snapshot_get(&t, 0, &s), MM_OK);
    cr_expect_eq(s.time, JAN31 + DAY);
    cr_expect_eq(s.tariff_id, 1u);
    cr_expect_eq(s.import_wh, 24000u);
    cr_expect_eq(s.tou_wh[0], 24000u);
    cr_expect_eq(s.energy_cost, 240 * P); /* 24 kWh x 10 p */
    cr_expect_eq(s.standing_cost, 100 * P);
    cr_expect_eq(t.bill_energy, 60 * P, "the new period has 6 h");
    cr_expect_eq(t.bill_standing, 25 * P);
    mm_max_demand md = {.mw = 1000000, .period = 77};
    cr_expect_eq(mm_tariff_snapshot_set_md(&t, &md), MM_OK);
    mm_tariff_snapshot_get(&t, 0, &s);
    cr_expect_eq(s.md.mw, 1000000u);
    cr_expect_eq(mm_tariff_snapshot_get(&t, 1, &s), MM_ENOENT);

    /* daily billing for 14 days: 12 kept, newest first */
    d.billing = MM_BILLING_DAILY;
    cr_assert_eq(mm_tariff_init(&t, &d, JAN1, snaps, 12), MM_OK);
    drive(&t, JAN1, JAN1 + 14 * DAY, 0, DAY);
    cr_expect_eq(t.count, 12u);
    for (uint16_t age = 0; age < 12; age++) {
        cr_assert_eq(mm_tariff_snapshot_get(&t, age, &s), MM_OK);
        cr_expect_eq(s.time, JAN1 + (14u - age) * DAY, "age %u", age);
        cr_expect_eq(s.standing_cost, 100 * P, "age %u", age);
    }
    cr_expect_eq(mm_tariff_snapshot_get(&t, 12, &s), MM_ENOENT);
}

/* ---- GB local time ---- */

Test(tariff, switch_points_in_gb_local_time_move_with_summer_time, .init = setup_tou)
{
    tou.gb_local_time = 1;
    mm_tariff t;
    /* 2024-03-31 is the day BST starts at 01:00Z: local 07:00 is 06:00Z */
    cr_assert_eq(mm_tariff_init(&t, &tou, MAR31, NULL, 0), MM_OK);
    cr_expect_eq(mm_tariff_next_change(&t), MAR31 + 6 * H);
    /* 1 July, summer season, BST: the 16:00 local peak starts at 15:00Z */
    cr_assert_eq(mm_tariff_init(&t, &tou, JUL1 + 12 * H, NULL, 0), MM_OK);
    cr_expect_eq(t.rate, 2);
    cr_expect_eq(mm_tariff_next_change(&t), JUL1 + 15 * H);
}

/* ---- dynamic prices ---- */

static mm_price_table table;

/* T started at NOW on D, with the price table attached. */
static void start_priced(mm_tariff *t, const mm_tariff_def *d, uint32_t now)
{
    cr_assert_eq(mm_tariff_init(t, d, now, NULL, 0), MM_OK);
    cr_assert_eq(mm_tariff_attach_prices(t, &table), MM_OK);
}

Test(tariff, an_attached_price_table_starts_from_the_tariff_in_force, .init = setup_tou)
{
    mm_tariff t;
    memset(&table, 0xA5, sizeof table);
    start_priced(&t, &tou, MAR31);
    cr_expect_eq(t.prices, &table);
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++) {
        cr_expect_eq(table.active[r], tou.tou_price[r], "rate %u", r);
        cr_expect_eq(table.pending_at[r], MM_TARIFF_NEVER, "rate %u", r);
    }
    cr_expect_eq(mm_tariff_next_change(&t), MAR31 + 7 * H, "nothing pending");
    cr_expect_eq(mm_tariff_attach_prices(NULL, &table), MM_EINVAL);
    cr_expect_eq(mm_tariff_attach_prices(&t, NULL), MM_OK, "detached: the def's prices again");
    cr_expect_eq(t.prices, NULL);
}

/* Rates 0 and 1 at 11.11 and 22.22 p from the start of 31 March (winter: 8 kWh night at rate
 * 0, 16 kWh day at rate 1): 8 x 11.11 + 16 x 22.22 = 88.88 + 355.52 = 444.40 p. */
Test(tariff, updated_prices_price_each_wh_exactly, .init = setup_tou)
{
    mm_tariff t;
    start_priced(&t, &tou, MAR31);
    static const uint32_t price[2] = {1111, 2222};
    cr_assert_eq(mm_tariff_update_prices(&t, MAR31, 0, 2, price), MM_OK);
    cr_expect_eq(mm_tariff_unit_cost(&t), 1111 * 1000);
    mm_cost_t c = drive(&t, MAR31, MAR31 + DAY, 1000000, 1800);
    cr_expect_eq(t.tou_wh[0], 8000u);
    cr_expect_eq(t.tou_wh[1], 16000u);
    cr_expect_eq(c, 44440000000LL);
    cr_expect_eq(t.bill_energy, 44440000000LL);
}

/* 1 kW from 00:00 to 01:00, 20 p until 00:30 and 30 p after: 0.5 kWh x 20 p + 0.5 kWh x 30 p
 * = 25 p exactly, whatever the calls (1 s, 7 s, one call a minute or the whole hour). */
Test(tariff, a_future_price_takes_over_exactly_at_its_instant)
{
    static mm_tariff_def d;
    flat(&d, 2000);
    static const uint32_t steps[] = {1, 7, 60, H};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        mm_tariff t;
        start_priced(&t, &d, JAN1);
        uint32_t p = 3000;
        cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + 1800, 0, 1, &p), MM_OK);
        cr_expect_eq(mm_tariff_next_change(&t), JAN1 + 1800, "step %u", steps[k]);
        cr_expect_eq(table.active[0], 2000u, "not before its time");
        cr_expect_eq(drive(&t, JAN1, JAN1 + H, 1000000, steps[k]), 25 * P, "step %u", steps[k]);
        cr_expect_eq(t.tou_wh[0], 1000u, "step %u", steps[k]);
        cr_expect_eq(table.active[0], 3000u, "step %u", steps[k]);
        cr_expect_eq(table.pending_at[0], MM_TARIFF_NEVER, "step %u", steps[k]);
        cr_expect_eq(mm_tariff_unit_cost(&t), 3000 * 1000, "step %u", steps[k]);
    }
}

Test(tariff, a_price_update_at_or_before_the_state_time_applies_at_once)
{
    static mm_tariff_def d;
    flat(&d, 2000);
    mm_tariff t;
    start_priced(&t, &d, JAN1);
    drive(&t, JAN1, JAN1 + H, 1000000, H); /* 1 kWh at 20 p */
    uint32_t later = 5000, past = 4000, now = 1500;
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + 2 * H, 0, 1, &later), MM_OK);
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1, 0, 1, &past), MM_OK);
    cr_expect_eq(table.active[0], 4000u);
    cr_expect_eq(table.pending_at[0], JAN1 + 2 * H, "the future price stays pending");
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + H, 0, 1, &now), MM_OK);
    cr_expect_eq(table.active[0], 1500u, "at the state's time is at once too");
    cr_expect_eq(mm_tariff_unit_cost(&t), 1500 * 1000);
    /* 1 kWh at 15 p, then 1 kWh at 50 p */
    cr_expect_eq(drive(&t, JAN1 + H, JAN1 + 3 * H, 1000000, H), 65 * P);
    cr_expect_eq(t.total, 85 * P);
}

Test(tariff, bad_price_updates_are_refused_and_change_nothing)
{
    static mm_tariff_def d;
    flat(&d, 2000);
    /* scale -2: 1 Wh at price p costs 1000 p units, at most 2^39 = 549755813888 */
    const uint32_t top = 549755813u;
    static uint32_t price[MM_TARIFF_TOU_RATES + 1];
    for (unsigned k = 0; k <= MM_TARIFF_TOU_RATES; k++)
        price[k] = 100u + k;
    static const struct {
        unsigned first, n, bad; /* bad: index set to top + 1, or none */
        int rc;
    } cases[] = {
        {0, 0, 99, MM_EINVAL},                       /* nothing to update */
        {MM_TARIFF_TOU_RATES - 1, 2, 99, MM_EINVAL}, /* one past the last rate */
        {MM_TARIFF_TOU_RATES, 1, 99, MM_EINVAL},
        {0, MM_TARIFF_TOU_RATES + 1, 99, MM_EINVAL},
        {3, 4, 2, MM_EINVAL}, /* the third price cannot be costed */
        {0, 1, 0, MM_EINVAL},
    };
    mm_tariff t;
    cr_assert_eq(mm_tariff_init(&t, &d, JAN1, NULL, 0), MM_OK);
    uint32_t ok = top;
    cr_expect_eq(mm_tariff_update_prices(&t, JAN1, 0, 1, &ok), MM_ENOTSUP, "no table");
    cr_assert_eq(mm_tariff_attach_prices(&t, &table), MM_OK);
    cr_expect_eq(mm_tariff_update_prices(&t, JAN1 + H, 1, 1, &ok), MM_OK, "the top is fine");
    mm_price_table before = table;
    uint32_t next = mm_tariff_next_change(&t);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint32_t bad[MM_TARIFF_TOU_RATES + 1];
        memcpy(bad, price, sizeof bad);
        if (cases[k].bad < cases[k].n) bad[cases[k].bad] = top + 1u;
        for (uint32_t at = JAN1; at <= JAN1 + 2 * H; at += 2 * H)
            cr_expect_eq(mm_tariff_update_prices(&t, at, cases[k].first, cases[k].n, bad),
                         cases[k].rc, "case %zu at %u", k, at);
        cr_expect(memcmp(&table, &before, sizeof table) == 0, "case %zu", k);
        cr_expect_eq(mm_tariff_next_change(&t), next, "case %zu", k);
    }
    cr_expect_eq(mm_tariff_update_prices(&t, JAN1, 0, 1, NULL), MM_EINVAL);
    cr_expect_eq(mm_tariff_update_prices(NULL, JAN1, 0, 1, price), MM_EINVAL);
}

/* The new tariff takes over at 12:00: its 30 p replace the updated 50 p, and the price that
 * was pending for 20:00 is dropped.  1 kW: 12 kWh x 50 p + 12 kWh x 30 p = 600 + 360 p. */
Test(tariff, a_tariff_activation_resets_the_price_table)
{
    static mm_tariff_def a, b;
    flat(&a, 2000);
    flat(&b, 3000);
    b.id = 2;
    mm_tariff t;
    start_priced(&t, &a, JAN1);
    uint32_t now = 5000, later = 9000;
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1, 0, 1, &now), MM_OK);
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + 20 * H, 0, 1, &later), MM_OK);
    cr_assert_eq(mm_tariff_set_pending(&t, &b, JAN1 + 12 * H), MM_OK);
    cr_expect_eq(drive(&t, JAN1, JAN1 + DAY, 1000000, 1800), 960 * P);
    cr_expect_eq(t.def, &b);
    cr_expect_eq(table.active[0], 3000u);
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        cr_expect_eq(table.pending_at[r], MM_TARIFF_NEVER, "rate %u", r);
    /* and one taking over at once resets it at once */
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + DAY, 0, 1, &now), MM_OK);
    cr_assert_eq(mm_tariff_set_pending(&t, &a, JAN1), MM_OK);
    cr_expect_eq(table.active[0], 2000u);
}

/* A table kept through a power cut: what fell due meanwhile takes over, the rest stays
 * pending; a price the tariff cannot take restarts the table. */
Test(tariff, a_resumed_price_table_keeps_its_prices_and_pending_changes)
{
    static mm_tariff_def d;
    flat(&d, 2000);
    mm_tariff t;
    start_priced(&t, &d, JAN1);
    uint32_t p[3] = {1000, 1100, 1200};
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1, 0, 1, &p[0]), MM_OK);
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + H, 1, 1, &p[1]), MM_OK);
    cr_assert_eq(mm_tariff_update_prices(&t, JAN1 + 3 * H, 2, 1, &p[2]), MM_OK);
    /* the RAM state is rebuilt two hours later */
    cr_assert_eq(mm_tariff_init(&t, &d, JAN1 + 2 * H, NULL, 0), MM_OK);
    cr_assert_eq(mm_tariff_resume_prices(&t, &table), MM_OK);
    cr_expect_eq(table.active[0], 1000u);
    cr_expect_eq(table.active[1], 1100u);
    cr_expect_eq(table.pending_at[1], MM_TARIFF_NEVER);
    cr_expect_eq(table.pending_at[2], JAN1 + 3 * H);
    cr_expect_eq(mm_tariff_next_change(&t), JAN1 + 3 * H);
    cr_expect_eq(mm_tariff_unit_cost(&t), 1000 * 1000);
    table.pending[2] = 549755814u; /* beyond what scale -2 can cost */
    cr_expect_eq(mm_tariff_resume_prices(&t, &table), MM_ECORRUPT);
    cr_expect_eq(table.active[0], 2000u);
    cr_expect_eq(table.pending_at[2], MM_TARIFF_NEVER);
    cr_expect_eq(mm_tariff_resume_prices(&t, NULL), MM_EINVAL);
}

/* ---- validation ---- */

Test(tariff, definitions_outside_the_model_are_rejected, .init = setup_tou)
{
    static const struct {
        int what;
    } cases[] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}};
    cr_expect_eq(mm_tariff_def_check(&tou), MM_OK);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        static mm_tariff_def d;
        d = tou;
        switch (cases[k].what) {
        case 0: d.day[0].sw[0].minute = 5; break;                  /* not starting at 00:00 */
        case 1: d.day[0].sw[2].minute = 7 * 60; break;             /* not ascending */
        case 2: d.day[0].sw[1].rate = MM_TARIFF_TOU_RATES; break;  /* rate out of range */
        case 3: d.price_scale = -6; break;                         /* below the cost unit */
        case 4: d.season[1].month = 1; break;                      /* seasons out of order */
        case 5: d.week[1][3] = 9; break;                           /* empty day profile */
        case 6: d.billing = MM_BILLING_MONTHLY; d.billing_day = 31; break;
        case 7: d.price_set[2].n_thresholds = 2; d.price_set[2].threshold_wh[1] = 0; break;
        }
        cr_expect_eq(mm_tariff_def_check(&d), MM_EINVAL, "case %zu", k);
    }
    mm_tariff t;
    cr_expect_eq(mm_tariff_init(&t, NULL, 0, NULL, 0), MM_EINVAL);
    cr_expect_eq(mm_tariff_init(&t, &tou, 0, NULL, 3), MM_EINVAL);
    mm_tariff_deinit(NULL);
}
