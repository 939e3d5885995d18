/* Gas meter battery: wakes every 30 min, charge per exchange, OTA images. */
#include "net/han.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

static net_han gas_premises(const net_han_config *c, bool want_reach)
{
    for (uint64_t id = 0; id < 100000; id++) {
        net_han_params p = {
            .dwelling = NET_HAN_HOUSE, .hub = NET_HAN_HUB_SINGLE, .has_gas = true, .neighbours = 2};
        net_han h;
        cr_assert_eq(net_han_init(&h, c, 9, id, &p, NULL), 0);
        if ((net_han_band_used(&h, NET_HAN_GSME) >= 0) == want_reach) return h;
    }
    cr_assert_fail("no such premises");
    return (net_han){0};
}

/* Seed 003: the gas meter battery lasts 10-15 years in normal use. */
Test(han_battery, nominal_life_is_between_10_and_15_years)
{
    net_han_config c;
    net_han_config_default(&c);
    net_han h = gas_premises(&c, true);
    net_han_battery_out b;
    cr_assert_eq(net_han_gas_battery(&c, &h, &b), 0);
    fprintf(stderr, "gas meter: %.3f mA s per wake, %.1f uA average, life %.2f years\n",
            h.gas_wake_mas, b.steady_ua, b.life_years);
    cr_expect(b.life_years >= 10 && b.life_years <= 15, "life %.2f years", b.life_years);
    /* after a year of routine use the projection is unchanged */
    cr_assert_eq(net_han_gas_account(&c, &h, 0, 365 * 86400, NULL), 0);
    net_han_battery_out b1;
    net_han_gas_battery(&c, &h, &b1);
    cr_expect(fabs(b1.life_years - b.life_years) < 1e-6, "%.6f vs %.6f", b1.life_years,
              b.life_years);
}

/* Accounting a span in one piece or in arbitrary pieces gives the same wakes, and the same
 * charge up to rounding (chunking must not change results). */
Test(han_battery, splitting_a_span_gives_the_same_wakes_and_charge)
{
    net_han_config c;
    net_han_config_default(&c);
    net_han a = gas_premises(&c, true), b = a;
    uint32_t w;
    const uint32_t end = 40 * 86400 + 1234;
    cr_assert_eq(net_han_gas_account(&c, &a, 0, end, &w), 0);
    cr_expect_eq(w, a.gas_wakes);
    uint32_t t = 0, step = 1;
    while (t < end) {
        uint32_t t1 = t + step > end ? end : t + step;
        cr_assert_eq(net_han_gas_account(&c, &b, t, t1, NULL), 0);
        t = t1;
        step = step * 7 % 5003 + 1;
    }
    cr_expect_eq(a.gas_wakes, b.gas_wakes);
    cr_expect(fabs(a.gas_charge_mas - b.gas_charge_mas) <= 1e-9 * a.gas_charge_mas);
    /* 40 days of 30-minute wakes */
    cr_expect(a.gas_wakes == 40 * 48 || a.gas_wakes == 40 * 48 + 1, "%u wakes", a.gas_wakes);
    cr_expect_eq(net_han_gas_account(&c, &a, 10, 5, NULL), NET_EHAN_TIME);
}

Test(han_battery, wakes_fall_on_the_premises_phase)
{
    net_han_config c;
    net_han_config_default(&c);
    net_han h = gas_premises(&c, true);
    uint32_t t = net_han_gas_next_wake(&c, &h, 0);
    cr_expect_eq(t % 1800, h.gas_phase_s % 1800);
    uint32_t w;
    net_han_gas_account(&c, &h, t - 1, t, &w);
    cr_expect_eq(w, 1);
    net_han_gas_account(&c, &h, t, t + 1799, &w);
    cr_expect_eq(w, 0);
    cr_expect_eq(net_han_gas_next_wake(&c, &h, t), t + 1800);
}

/* An OTA image shortens the projected life by exactly its charge over the routine current;
 * seed 003: repeated firmware updates drain gas meter batteries. */
Test(han_battery, firmware_images_shorten_the_projected_life)
{
    net_han_config c;
    net_han_config_default(&c);
    net_han h = gas_premises(&c, true);
    net_han_battery_out b0, b1;
    net_han_gas_battery(&c, &h, &b0);
    double q0 = h.gas_charge_mas;
    cr_assert_eq(net_han_gas_ota(&c, &h, 200000), 0);
    net_han_gas_battery(&c, &h, &b1);
    double dq_mah = (h.gas_charge_mas - q0) / 3600.0;
    double lost_years = dq_mah / (b0.steady_ua * 1e-3) / (365.25 * 24);
    fprintf(stderr, "200 kB OTA image: %.2f mAh, life %.3f -> %.3f years\n", dq_mah, b0.life_years,
            b1.life_years);
    cr_expect(dq_mah > 0);
    cr_expect(fabs((b0.life_years - b1.life_years) - lost_years) < 1e-9);
    cr_expect_eq(h.ota_bytes, 200000u);
    for (int i = 0; i < 9; i++)
        net_han_gas_ota(&c, &h, 200000);
    net_han_battery_out b10;
    net_han_gas_battery(&c, &h, &b10);
    cr_expect(b10.life_years < b1.life_years);
    cr_expect_eq(net_han_gas_ota(&c, &h, 0), 0);
}

Test(han_battery, a_gas_meter_that_cannot_reach_the_hub_drains_faster)
{
    net_han_config c;
    net_han_config_default(&c);
    net_han ok = gas_premises(&c, true), lost = gas_premises(&c, false);
    cr_expect(lost.gas_wake_mas > ok.gas_wake_mas, "%.3f vs %.3f", lost.gas_wake_mas,
              ok.gas_wake_mas);
    cr_expect_eq(net_han_gas_ota(&c, &lost, 1000), NET_EHAN_NOGAS);
}

Test(han_battery, premises_without_gas_have_no_battery)
{
    net_han_config c;
    net_han_config_default(&c);
    net_han h;
    net_han_params p = {.dwelling = NET_HAN_HOUSE, .hub = NET_HAN_HUB_SINGLE, .has_gas = false};
    cr_assert_eq(net_han_init(&h, &c, 1, 1, &p, NULL), 0);
    net_han_battery_out b;
    cr_expect_eq(net_han_gas_battery(&c, &h, &b), NET_EHAN_NOGAS);
    cr_expect_eq(net_han_gas_account(&c, &h, 0, 10, NULL), NET_EHAN_NOGAS);
}
