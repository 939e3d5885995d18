/* Meter power path and profile log: exact integration for any split of an interval,
 * four-quadrant routing, cyclic registers and the half-hourly ring.  Expected figures are
 * worked by hand in the comments (1 Wh = 3.6e9 uJ = 3600 W for 1 s); the random property
 * uses 128-bit host arithmetic as an independent oracle. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/energy.h"
#include "mm/meter.h"

#define UNIT 3600000000u /* uJ per Wh */

static const mm_meter_config cfg6 = {.register_digits = 6};
static const mm_meter_config cfg9 = {.register_digits = 9};
static const mm_meter_config cfg12 = {.register_digits = 12};

static void start(mm_meter *m, const mm_meter_config *cfg)
{
    cr_assert_eq(mm_meter_init(m, cfg, NULL, 0, 0), MM_OK);
}

static void expect_same_registers(const mm_meter *a, const mm_meter *b, const char *what)
{
    for (int ch = 0; ch < MM_CH_COUNT; ch++) {
        cr_expect_eq(a->reg[ch].value, b->reg[ch].value, "%s: channel %d value", what, ch);
        cr_expect_eq(a->reg[ch].remainder, b->reg[ch].remainder, "%s: channel %d rem", what, ch);
    }
}

/* ---- N one-second steps == one N-second step ---- */

static const struct {
    int32_t p_mw;
    uint32_t n_s;
    mm_channel ch;
    mm_wh_t wh;
    mm_uj_t rem;
} steady_cases[] = {
    {3600000, 1, MM_CH_IMPORT, 1, 0},              /* 3600 W x 1 s = 1 Wh exactly */
    {3600000, 3600, MM_CH_IMPORT, 3600, 0},        /* 3.6 kW x 1 h */
    {1, 86400, MM_CH_IMPORT, 0, 86400000},         /* 1 mW x 1 day = 8.64e7 uJ */
    {1000, 59, MM_CH_IMPORT, 0, 59000000},         /* 1 W x 59 s */
    {-2500000, 1800, MM_CH_EXPORT, 1250, 0},       /* 2.5 kW PV for a half-hour */
    {23000000, 1800, MM_CH_IMPORT, 11500, 0},      /* 100 A x 230 V for a half-hour */
    {999999, 3601, MM_CH_IMPORT, 1000, 996399000}, /* 3,600,996,399,000 uJ */
};

Test(meter, n_one_second_steps_give_the_registers_of_one_n_second_step)
{
    for (size_t i = 0; i < sizeof steady_cases / sizeof steady_cases[0]; i++) {
        mm_meter whole, steps;
        start(&whole, &cfg9);
        start(&steps, &cfg9);
        mm_meter_advance(&whole, steady_cases[i].p_mw, 0, steady_cases[i].n_s * 1000u);
        for (uint32_t s = 0; s < steady_cases[i].n_s; s++)
            mm_meter_advance(&steps, steady_cases[i].p_mw, 0, 1000u);
        expect_same_registers(&whole, &steps, "steady");
        cr_expect_eq(mm_meter_register(&whole, steady_cases[i].ch), steady_cases[i].wh, "case %zu",
                     i);
        cr_expect_eq(whole.reg[steady_cases[i].ch].remainder, steady_cases[i].rem, "case %zu", i);
    }
}

Test(meter, one_millisecond_steps_accumulate_exactly)
{
    mm_meter m;
    start(&m, &cfg6);
    for (int i = 0; i < 999; i++)
        mm_meter_advance(&m, 3600000, 0, 1);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 0u); /* 999 ms at 3600 W: 0.999 Wh */
    cr_expect_eq(m.reg[MM_CH_IMPORT].remainder, 3596400000);
    mm_meter_advance(&m, 3600000, 0, 1);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 1u); /* the 1000th ms completes it */
    cr_expect_eq(m.reg[MM_CH_IMPORT].remainder, 0);
    mm_meter_advance(&m, 1, 0, 1);
    cr_expect_eq(m.reg[MM_CH_IMPORT].remainder, 1); /* 1 mW x 1 ms = 1 uJ is kept */
}

Test(meter, power_just_below_a_wh_leaves_it_in_the_remainder)
{
    mm_meter m;
    start(&m, &cfg6);
    mm_meter_advance(&m, 3599999, 0, 1000); /* 3,599,999,000 uJ */
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 0u);
    cr_expect_eq(m.reg[MM_CH_IMPORT].remainder, 3599999000);
    mm_meter_advance(&m, 1000, 0, 1); /* + 1,000 uJ */
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 1u);
    cr_expect_eq(m.reg[MM_CH_IMPORT].remainder, 0);
}

/* ---- any split, random property against a 128-bit oracle ---- */

static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

static int32_t random_power(uint64_t *s)
{
    switch (xs(s) % 6) {
    case 0:
        return (int32_t)(xs(s) % 2001) - 1000; /* +-1 W in mW */
    case 1:
        return (int32_t)(xs(s) % 46000001) - 23000000; /* +-23 kW */
    case 2:
        return xs(s) % 2 ? INT32_MAX : INT32_MIN; /* full scale */
    case 3:
        return 0;
    default:
        return (int32_t)(uint32_t)xs(s); /* anything */
    }
}

Test(meter, any_split_of_any_load_profile_gives_the_exact_registers)
{
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int trial = 0; trial < 400; trial++) {
        mm_meter whole, split;
        start(&whole, trial % 2 ? &cfg6 : &cfg12);
        start(&split, trial % 2 ? &cfg6 : &cfg12);
        __extension__ unsigned __int128 e[MM_CH_COUNT] = {0};
        int pieces = 1 + (int)(xs(&seed) % 8);
        for (int k = 0; k < pieces; k++) {
            int32_t p = random_power(&seed), q = random_power(&seed);
            uint32_t dur = (uint32_t)(xs(&seed) % 4000001u); /* up to ~67 min */
            mm_meter_advance(&whole, p, q, dur);
            uint32_t max_chunk = (uint32_t[]){1u, 1000u, 60000u, dur + 1u}[xs(&seed) % 4];
            if (max_chunk == 1u && dur > 20000u) max_chunk = 1000u;
            for (uint32_t left = dur; left > 0;) {
                uint32_t c = 1u + (uint32_t)(xs(&seed) % max_chunk);
                if (c > left) c = left;
                mm_meter_advance(&split, p, q, c);
                left -= c;
            }
            if (p) e[p > 0 ? MM_CH_IMPORT : MM_CH_EXPORT] += mm_energy_uj(p, dur);
            if (q) e[q > 0 ? MM_CH_RIMPORT : MM_CH_REXPORT] += mm_energy_uj(q, dur);
        }
        expect_same_registers(&whole, &split, "split");
        for (int ch = 0; ch < MM_CH_COUNT; ch++) {
            cr_expect_eq(whole.reg[ch].value, (mm_wh_t)((e[ch] / UNIT) % whole.modulus),
                         "trial %d channel %d", trial, ch);
            cr_expect_eq(whole.reg[ch].remainder, (mm_uj_t)(e[ch] % UNIT), "trial %d ch %d", trial,
                         ch);
        }
    }
}

/* ---- four quadrants ---- */

Test(meter, active_and_reactive_power_go_to_the_register_of_their_sign)
{
    static const struct {
        int32_t p_mw, q_mvar;
        mm_wh_t want[MM_CH_COUNT]; /* import, export, r.import, r.export after 1 h */
    } cases[] = {
        {1000000, 500000, {1000, 0, 500, 0}},   /* Q1: 1 kW, 0.5 kvar lagging */
        {-1000000, 500000, {0, 1000, 500, 0}},  /* Q2 */
        {-1000000, -500000, {0, 1000, 0, 500}}, /* Q3 */
        {1000000, -500000, {1000, 0, 0, 500}},  /* Q4 */
        {1000000, 0, {1000, 0, 0, 0}},          {0, -500000, {0, 0, 0, 500}}, {0, 0, {0, 0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_meter m;
        start(&m, &cfg6);
        mm_meter_advance(&m, cases[i].p_mw, cases[i].q_mvar, 3600000u);
        for (int ch = 0; ch < MM_CH_COUNT; ch++)
            cr_expect_eq(mm_meter_register(&m, (mm_channel)ch), cases[i].want[ch],
                         "case %zu channel %d", i, ch);
        cr_expect_eq(m.demand_mw, cases[i].p_mw, "case %zu", i);
    }
}

/* ---- wrap ---- */

Test(meter, registers_wrap_at_ten_to_the_digits_and_the_period_delta_survives_it)
{
    mm_profile_slot log[4], s;
    mm_meter m;
    cr_assert_eq(mm_meter_init(&m, &cfg6, log, 4, 0), MM_OK);
    mm_meter_advance(&m, 2000000000, 0, 1799982u); /* 2 MW x 1,799,982 ms = 999,990 Wh */
    mm_meter_hh_close(&m);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 999990u);
    mm_meter_advance(&m, 2000000, 0, 36000u); /* 2 kW x 36 s = 20 Wh, crossing 10^6 */
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 10u);
    mm_meter_hh_close(&m);
    cr_assert_eq(mm_meter_profile(&m, 0, &s), MM_OK);
    cr_expect_eq(s.wh[MM_CH_IMPORT], 20u);
    cr_assert_eq(mm_meter_profile(&m, 1, &s), MM_OK);
    cr_expect_eq(s.wh[MM_CH_IMPORT], 999990u);
}

Test(meter, a_register_that_wraps_many_times_in_one_step_keeps_the_residue)
{
    mm_meter m;
    start(&m, &cfg6);
    /* (2^31 - 1) mW x (2^32 - 1) ms = 2,562,047,786 Wh + 812,324,865 uJ */
    mm_meter_advance(&m, INT32_MAX, 0, UINT32_MAX);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 47786u);
    cr_expect_eq(m.reg[MM_CH_IMPORT].remainder, 812324865);
}

Test(meter, a_period_delta_too_large_for_a_slot_saturates)
{
    mm_profile_slot log[1], s;
    mm_meter m;
    cr_assert_eq(mm_meter_init(&m, &cfg12, log, 1, 0), MM_OK);
    mm_meter_advance(&m, INT32_MAX, 0, UINT32_MAX);
    mm_meter_advance(&m, INT32_MAX, 0, UINT32_MAX); /* 5,124,095,572 Wh > 2^32 - 1 */
    mm_meter_hh_close(&m);
    cr_assert_eq(mm_meter_profile(&m, 0, &s), MM_OK);
    cr_expect_eq(s.wh[MM_CH_IMPORT], UINT32_MAX);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 5124095572u);
}

/* ---- profile ring ---- */

Test(meter, the_profile_ring_keeps_the_newest_depth_periods_by_age)
{
    mm_profile_slot log[4], s;
    memset(log, 0xA5, sizeof log);
    mm_meter m;
    cr_assert_eq(mm_meter_init(&m, &cfg6, log, 3, 100), MM_OK);
    cr_expect_eq(mm_meter_profile(&m, 0, &s), MM_ENOENT); /* nothing closed yet */
    for (uint32_t k = 1; k <= 5; k++) {
        mm_meter_advance(&m, 3600000, 0, k * 1000u); /* k Wh in period 99 + k */
        mm_meter_hh_close(&m);
    }
    cr_expect_eq(m.count, 3u);
    cr_expect_eq(m.period, 105u);
    for (uint32_t age = 0; age < 3; age++) {
        cr_assert_eq(mm_meter_profile(&m, age, &s), MM_OK, "age %u", age);
        cr_expect_eq(s.period, 104u - age, "age %u", age);
        cr_expect_eq(s.wh[MM_CH_IMPORT], 5u - age, "age %u", age);
        cr_expect_eq(s.wh[MM_CH_EXPORT], 0u, "age %u", age);
    }
    cr_expect_eq(mm_meter_profile(&m, 3, &s), MM_ENOENT); /* overwritten */
    cr_expect_eq(mm_meter_profile(&m, UINT32_MAX, &s), MM_ENOENT);
    cr_expect_eq(log[3].period, 0xA5A5A5A5u, "the slot past depth is never written");
}

Test(meter, a_meter_without_profile_storage_still_closes_periods)
{
    mm_profile_slot s;
    mm_meter m;
    cr_assert_eq(mm_meter_init(&m, &cfg6, NULL, 0, 7), MM_OK);
    mm_meter_advance(&m, 3600000, 0, 1000u);
    mm_meter_hh_close(&m);
    cr_expect_eq(m.period, 8u);
    cr_expect_eq(mm_meter_profile(&m, 0, &s), MM_ENOENT);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 1u);
}

/* ---- init ---- */

Test(meter, init_rejects_bad_arguments)
{
    mm_profile_slot log[1];
    mm_meter m;
    const mm_meter_config d5 = {.register_digits = 5}, d13 = {.register_digits = 13};
    cr_expect_eq(mm_meter_init(NULL, &cfg6, log, 1, 0), MM_EINVAL);
    cr_expect_eq(mm_meter_init(&m, NULL, log, 1, 0), MM_EINVAL);
    cr_expect_eq(mm_meter_init(&m, &d5, log, 1, 0), MM_EINVAL);
    cr_expect_eq(mm_meter_init(&m, &d13, log, 1, 0), MM_EINVAL);
    cr_expect_eq(mm_meter_init(&m, &cfg6, NULL, 1, 0), MM_EINVAL);
    /* a meter left by a failed init ignores the power path instead of crashing */
    mm_meter_advance(&m, 1000, 1000, 1000);
    mm_meter_hh_close(&m);
    cr_expect_eq(mm_meter_register(&m, MM_CH_IMPORT), 0u);
}

Test(meter, init_starts_every_register_at_zero_and_deinit_accepts_null)
{
    mm_meter m;
    memset(&m, 0x5A, sizeof m);
    cr_assert_eq(mm_meter_init(&m, &cfg12, NULL, 0, 42), MM_OK);
    for (int ch = 0; ch < MM_CH_COUNT; ch++) {
        cr_expect_eq(m.reg[ch].value, 0u);
        cr_expect_eq(m.reg[ch].remainder, 0);
    }
    cr_expect_eq(m.modulus, 1000000000000u);
    cr_expect_eq(m.period, 42u);
    mm_meter_deinit(&m);
    mm_meter_deinit(NULL);
}
