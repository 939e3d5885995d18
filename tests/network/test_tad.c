/* Threshold Anomaly Detection (net/tad.h) against counts worked out by hand: what passes is
 * exactly each limit per window, a trip holds its category for quarantine_s, a system trip
 * holds every user, and bad input is refused. */
#include "net/tad.h"

#include <criterion/criterion.h>
#include <math.h>

static net_tad_config cfg(double window_s, uint32_t cu, uint32_t cs, uint32_t au, uint32_t as,
                          double q_s)
{
    return (net_tad_config){.window_s = window_s,
                            .critical_user = cu,
                            .critical_system = cs,
                            .all_user = au,
                            .all_system = as,
                            .quarantine_s = q_s};
}

/* N commands of USER, CRITICAL or not, every STEP_S from T0: how many passed. */
static uint32_t offer_n(net_tad *d, uint32_t user, bool critical, double t0, double step_s,
                        uint32_t n)
{
    uint32_t passed = 0;
    for (uint32_t k = 0; k < n; k++) {
        int v = net_tad_offer(d, user, critical, t0 + k * step_s, NULL);
        cr_assert(v == NET_TAD_PASS || v == NET_TAD_QUARANTINED);
        passed += v == NET_TAD_PASS;
    }
    return passed;
}

Test(tad, no_limits_pass_everything)
{
    net_tad d;
    net_tad_config c = cfg(3600, 0, 0, 0, 0, 86400);
    cr_assert_eq(net_tad_init(&d, &c, 3), 0);
    cr_expect_eq(offer_n(&d, 0, true, 0, 0.01, 100000), 100000);
    cr_expect_eq(d.sys.trips, 0);
}

/* A compromised user's mass disable stops at its limit; the quarantine outlasts the attack, so
 * exactly the limit passes; other users and the user's non-critical commands are not held. */
Test(tad, user_limit_holds_the_rest)
{
    net_tad d;
    net_tad_config c = cfg(3600, 250, 0, 0, 0, 86400);
    cr_assert_eq(net_tad_init(&d, &c, 2), 0);
    cr_expect_eq(offer_n(&d, 0, true, 0, 0.1, 10000), 250);
    cr_expect_eq(d.u[0].quarantined, 9750);
    cr_expect_eq(d.u[0].trips, 1);
    /* the next window does not release it: the trip holds for a day */
    cr_expect_eq(offer_n(&d, 0, true, 4000, 1, 10), 0);
    cr_expect_eq(offer_n(&d, 1, true, 4100, 1, 10), 10);
    cr_expect_eq(offer_n(&d, 0, false, 4200, 1, 10), 10);
    net_tad_limit why;
    cr_expect_eq(net_tad_offer(&d, 0, true, 5000, &why), NET_TAD_QUARANTINED);
    cr_expect_eq(why, NET_TAD_CRITICAL_USER);
    /* a day after the trip, a new window: the limit again */
    double trip = 250 * 0.1;
    cr_expect_eq(offer_n(&d, 0, true, trip + 86400, 0.1, 1000), 250);
}

/* With no quarantine beyond the instant, each window lets exactly the limit through: over 5
 * windows of a steady stream, 5 x limit. */
Test(tad, limit_per_window)
{
    net_tad d;
    net_tad_config c = cfg(600, 40, 0, 0, 0, 0);
    cr_assert_eq(net_tad_init(&d, &c, 1), 0);
    cr_expect_eq(offer_n(&d, 0, true, 0, 1, 3000), 5 * 40);
}

/* The system limit counts every user; its trip holds them all, legitimate ones too. */
Test(tad, system_limit_holds_every_user)
{
    net_tad d;
    net_tad_config c = cfg(3600, 0, 30, 0, 0, 7200);
    cr_assert_eq(net_tad_init(&d, &c, 4), 0);
    uint32_t passed = 0;
    for (uint32_t k = 0; k < 400; k++)
        passed += net_tad_offer(&d, k % 4, true, k, NULL) == NET_TAD_PASS;
    cr_expect_eq(passed, 30);
    cr_expect_eq(d.sys.trips, 1);
    net_tad_limit why;
    cr_expect_eq(net_tad_offer(&d, 3, true, 1000, &why), NET_TAD_QUARANTINED);
    cr_expect_eq(why, NET_TAD_CRITICAL_SYSTEM);
    cr_expect_eq(net_tad_offer(&d, 3, false, 1001, &why), NET_TAD_PASS);
    /* the hold ends quarantine_s after the trip (at t = 30) */
    cr_expect_eq(net_tad_offer(&d, 3, true, 30 + 7200, &why), NET_TAD_PASS);
}

/* The all-commands limits hold non-critical commands too. */
Test(tad, all_commands_limit)
{
    net_tad d;
    net_tad_config c = cfg(3600, 0, 0, 100, 0, 3600);
    cr_assert_eq(net_tad_init(&d, &c, 2), 0);
    cr_expect_eq(offer_n(&d, 1, false, 0, 1, 60) + offer_n(&d, 1, true, 60, 1, 60), 100);
    net_tad_limit why;
    cr_expect_eq(net_tad_offer(&d, 1, false, 200, &why), NET_TAD_QUARANTINED);
    cr_expect_eq(why, NET_TAD_ALL_USER);
    c = cfg(3600, 0, 0, 0, 10, 3600);
    cr_assert_eq(net_tad_init(&d, &c, 2), 0);
    cr_expect_eq(offer_n(&d, 0, false, 0, 1, 6) + offer_n(&d, 1, false, 6, 1, 6), 10);
}

Test(tad, bad_input)
{
    net_tad d;
    net_tad_config c = cfg(0, 1, 0, 0, 0, 0);
    cr_expect_eq(net_tad_init(&d, &c, 1), -1);
    c = cfg(60, 1, 0, 0, 0, -1);
    cr_expect_eq(net_tad_init(&d, &c, 1), -1);
    c = cfg(NAN, 1, 0, 0, 0, 0);
    cr_expect_eq(net_tad_init(&d, &c, 1), -1);
    c = cfg(60, 1, 0, 0, 0, 0);
    cr_expect_eq(net_tad_init(&d, &c, 0), -1);
    cr_expect_eq(net_tad_init(&d, &c, NET_TAD_USERS_MAX + 1), -1);
    cr_assert_eq(net_tad_init(&d, &c, 2), 0);
    cr_expect_eq(net_tad_offer(&d, 2, true, 0, NULL), -1);
    cr_expect_eq(net_tad_offer(&d, 0, true, 10, NULL), NET_TAD_PASS);
    cr_expect_eq(net_tad_offer(&d, 0, true, 9, NULL), -1); /* time went back */
    cr_expect_eq(net_tad_offer(&d, 0, true, NAN, NULL), -1);
}
