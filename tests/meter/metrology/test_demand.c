/* Meter demand and voltage channel: block demand over the configured integration period,
 * maximum demand per billing period, time-weighted average voltage and slot status, and the
 * waveform entry point mm_meter_add_energy.  Expected figures by hand in the comments. */
#include <criterion/criterion.h>

#include "mm/meter.h"

#define MIN_MS 60000u

Test(demand, the_maximum_block_demand_is_kept_per_billing_period)
{
    static const struct {
        uint8_t minutes;
        struct {
            int32_t p_mw;
            uint32_t ms;
        } seg[3];
        uint32_t md_mw, md_period; /* after the three half-hours below */
    } cases[] = {
        /* 30-min blocks: 1 kW x 30 min -> 1 kW; 3 kW x 10 min -> 1 kW; 6 kW x 15 min -> 3 kW */
        {30, {{1000000, 30 * MIN_MS}, {3000000, 10 * MIN_MS}, {6000000, 15 * MIN_MS}}, 3000000, 2},
        {0, {{1000000, 30 * MIN_MS}, {3000000, 10 * MIN_MS}, {6000000, 15 * MIN_MS}}, 3000000, 2},
        /* 15-min blocks: the 6 kW quarter-hour is one whole block -> 6 kW */
        {15, {{1000000, 30 * MIN_MS}, {3000000, 10 * MIN_MS}, {6000000, 15 * MIN_MS}}, 6000000, 2},
        /* 5-min blocks: 3 kW for 10 min fills two blocks -> 3 kW; 6 kW -> 6 kW */
        {5, {{7000000, 1 * MIN_MS}, {3000000, 10 * MIN_MS}, {6000000, 15 * MIN_MS}}, 6000000, 2},
        /* export never counts: -9 kW; 1 kW for 30 min is the maximum */
        {30, {{1000000, 30 * MIN_MS}, {-9000000, 30 * MIN_MS}, {0, 30 * MIN_MS}}, 1000000, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mm_meter_config cfg = {.register_digits = 9, .demand_minutes = cases[k].minutes};
        mm_meter m;
        mm_max_demand md;
        cr_assert_eq(mm_meter_init(&m, &cfg, NULL, 0, 0), MM_OK);
        for (int p = 0; p < 3; p++) {
            mm_meter_advance(&m, cases[k].seg[p].p_mw, 0, cases[k].seg[p].ms);
            mm_meter_advance(&m, 0, 0, 30 * MIN_MS - cases[k].seg[p].ms);
            mm_meter_hh_close(&m);
        }
        mm_meter_max_demand(&m, &md);
        cr_expect_eq(md.mw, cases[k].md_mw, "case %zu", k);
        cr_expect_eq(md.period, cases[k].md_period, "case %zu", k);
        mm_meter_max_demand_reset(&m, &md);
        cr_expect_eq(md.mw, cases[k].md_mw, "case %zu: the closed period's maximum", k);
        mm_meter_max_demand(&m, &md);
        cr_expect_eq(md.mw, 0u, "case %zu: a new billing period starts at zero", k);
    }
}

Test(demand, a_block_split_into_any_steps_gives_the_same_demand)
{
    mm_meter_config cfg = {.register_digits = 9, .demand_minutes = 30};
    mm_meter a, b;
    mm_max_demand ma, mb;
    cr_assert_eq(mm_meter_init(&a, &cfg, NULL, 0, 0), MM_OK);
    cr_assert_eq(mm_meter_init(&b, &cfg, NULL, 0, 0), MM_OK);
    mm_meter_advance(&a, 2345678, 0, 90 * MIN_MS); /* three blocks in one step */
    for (uint32_t t = 0; t < 90 * MIN_MS; t += 7000u)
        mm_meter_advance(&b, 2345678, 0, 90 * MIN_MS - t < 7000u ? 90 * MIN_MS - t : 7000u);
    mm_meter_max_demand(&a, &ma);
    mm_meter_max_demand(&b, &mb);
    cr_expect_eq(ma.mw, 2345678u);
    cr_expect_eq(mb.mw, 2345678u);
    cr_expect_eq(a.block_demand_mw, b.block_demand_mw);
}

Test(demand, init_rejects_an_integration_period_that_does_not_divide_the_half_hour)
{
    mm_meter m;
    mm_meter_config bad = {.register_digits = 9, .demand_minutes = 7};
    cr_expect_eq(mm_meter_init(&m, &bad, NULL, 0, 0), MM_EINVAL);
}

Test(voltage, the_slot_holds_the_time_weighted_average_voltage)
{
    static const mm_meter_config cfg = {.register_digits = 9};
    mm_profile_slot log[4], s;
    mm_meter m;
    cr_assert_eq(mm_meter_init(&m, &cfg, log, 4, 10), MM_OK);
    /* (230 V x 20 min + 240 V x 10 min) / 30 min = 233.33 V -> 2333 x 0.1 V */
    mm_meter_set_voltage(&m, 230000);
    mm_meter_advance(&m, 1000000, 0, 20 * MIN_MS);
    mm_meter_set_voltage(&m, 240000);
    mm_meter_advance(&m, 1000000, 0, 10 * MIN_MS);
    mm_meter_hh_close(&m);
    cr_assert_eq(mm_meter_profile(&m, 0, &s), MM_OK);
    cr_expect_eq(s.v_avg_dv, 2333);
    cr_expect_eq(s.status, 0);
    cr_expect_eq(s.wh[MM_CH_IMPORT], 500u);
    /* voltage known for only 10 of 30 min: the average is over those 10 (253.45 V) */
    mm_meter_set_voltage(&m, 0);
    mm_meter_advance(&m, 0, 0, 20 * MIN_MS);
    mm_meter_set_voltage(&m, 253450);
    mm_meter_advance(&m, 0, 0, 10 * MIN_MS);
    mm_meter_flag_period(&m, MM_SLOT_CLOCK_SET);
    mm_meter_hh_close(&m);
    mm_meter_profile(&m, 0, &s);
    cr_expect_eq(s.v_avg_dv, 2535, "253.45 V rounds half up to 253.5 V");
    cr_expect_eq(s.status, MM_SLOT_CLOCK_SET);
    /* no voltage, a short period */
    mm_meter_set_voltage(&m, 0);
    mm_meter_advance(&m, 0, 0, 5 * MIN_MS);
    mm_meter_hh_close(&m);
    mm_meter_profile(&m, 0, &s);
    cr_expect_eq(s.v_avg_dv, 0);
    cr_expect_eq(s.status, MM_SLOT_NO_VOLTAGE | MM_SLOT_SHORT);
    cr_expect_eq(s.period, 12u);
}

Test(demand, energy_from_the_waveform_path_feeds_the_same_registers)
{
    static const mm_meter_config cfg = {.register_digits = 9};
    mm_meter a, b;
    cr_assert_eq(mm_meter_init(&a, &cfg, NULL, 0, 0), MM_OK);
    cr_assert_eq(mm_meter_init(&b, &cfg, NULL, 0, 0), MM_OK);
    /* 1 kW, 0.5 kvar lagging for 1 h, then 2 kW export, 1 kvar leading for 30 min */
    mm_meter_advance(&a, 1000000, 500000, 3600000u);
    mm_meter_advance(&a, -2000000, -1000000, 1800000u);
    for (int k = 0; k < 3600; k++)
        mm_meter_add_energy(&b, 1000000000, 500000000, 1000u);
    mm_meter_add_energy(&b, -3600000000000, -1800000000000, 1800000u);
    for (int ch = 0; ch < MM_CH_COUNT; ch++) {
        cr_expect_eq(a.reg[ch].value, b.reg[ch].value, "channel %d", ch);
        cr_expect_eq(a.reg[ch].remainder, b.reg[ch].remainder, "channel %d", ch);
    }
    cr_expect_eq(mm_meter_register(&b, MM_CH_IMPORT), 1000u);
    cr_expect_eq(mm_meter_register(&b, MM_CH_REXPORT), 500u);
}
