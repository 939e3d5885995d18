/* Prepayment top-ups (grid/topup.h): the noticing delay is uniform on [react, react + notice)
 * (its mean checked against the analytic (2 react + notice) / 2), a household whose supply is
 * off tops up after exactly react without drawing, and the online share is a Bernoulli
 * proportion (checked within 4 standard errors). */
#include "grid/topup.h"

#include <criterion/criterion.h>
#include <math.h>

Test(topup, defaults_are_valid_and_bad_values_are_refused)
{
    grid_topup_config c;
    grid_topup_config_default(&c);
    cr_assert_eq(grid_topup_config_check(&c), 0);
    cr_assert_eq(c.amount_gbp, 20u);
    cr_assert_eq(c.below_p, 500);
    grid_topup_config bad = c;
    bad.amount_gbp = 8192; /* more than a UTRN's 13-bit value */
    cr_assert_eq(grid_topup_config_check(&bad), -1);
    bad = c;
    bad.online_share = 1.5;
    cr_assert_eq(grid_topup_config_check(&bad), -1);
    bad = c;
    bad.notice_s = 0;
    cr_assert_eq(grid_topup_config_check(&bad), -1);
}

Test(topup, delay_is_uniform_over_the_noticing_window)
{
    grid_topup_config c;
    grid_topup_config_default(&c);
    sim_rng r;
    sim_rng_seed(&r, 7, 1, "household.behaviour");
    enum { N = 200000 };
    double sum = 0;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (int k = 0; k < N; k++) {
        uint32_t d = grid_topup_delay(&c, false, &r);
        sum += d;
        if (d < lo) lo = d;
        if (d > hi) hi = d;
    }
    double mean = sum / N, expect = c.react_s + (c.notice_s - 1) / 2.0;
    double se = c.notice_s / sqrt(12.0) / sqrt((double)N);
    cr_expect(fabs(mean - expect) < 4 * se, "mean %.1f s, expected %.1f +- %.1f", mean, expect, 4 * se);
    cr_expect_geq(lo, c.react_s);
    cr_expect_lt(hi, c.react_s + c.notice_s);
}

Test(topup, supply_off_tops_up_at_once_without_drawing)
{
    grid_topup_config c;
    grid_topup_config_default(&c);
    sim_rng a, b;
    sim_rng_seed(&a, 7, 2, "household.behaviour");
    b = a;
    cr_assert_eq(grid_topup_delay(&c, true, &a), c.react_s);
    cr_assert_eq(sim_rng_uniform(&a), sim_rng_uniform(&b)); /* the stream did not move */
}

Test(topup, online_share_is_the_proportion_bought_online)
{
    grid_topup_config c;
    grid_topup_config_default(&c);
    c.online_share = 0.3;
    sim_rng r;
    sim_rng_seed(&r, 9, 3, "household.behaviour");
    enum { N = 100000 };
    int online = 0;
    for (int k = 0; k < N; k++) online += grid_topup_online(&c, &r);
    double p = (double)online / N, se = sqrt(0.3 * 0.7 / N);
    cr_expect(fabs(p - 0.3) < 4 * se, "share %.4f", p);
}
