/* Threshold Anomaly Detection (net/tad.h) against counts worked out by hand: what passes is
 * exactly each limit per window, a trip holds its category for quarantine_s, a system trip
 * holds every user, and bad input is refused. */
#include "net/tad.h"

#include "sim/rng.h"
#include "ckpt_blob.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- checkpoints ------------------------------------------------------------------------ */

static int tad_io(void *model, sim_ckpt *c)
{
    return net_tad_ckpt(model, c);
}

static blob tad_save(net_tad *d)
{
    return blob_save(tad_io, d);
}

/* Loads the first N bytes of S into D: net_tad_ckpt's result; the error, if any, in ERR. */
static int tad_load(net_tad *d, const blob *s, size_t n, char *err, size_t errlen)
{
    return blob_load(tad_io, d, s, n, err, errlen);
}

/* Every limit on, 5 users, 12-min windows, holds of 20 min. */
static net_tad_config ck_cfg(void)
{
    return cfg(720, 20, 60, 50, 150, 1200);
}

/* One command of a random stream (fixed seed): bursts of one user's critical commands on top
 * of a background from every user, at about 1/s. */
static void ck_offer(sim_rng *r, double *t, uint32_t *user, bool *critical)
{
    *t += 2 * sim_rng_uniform(r);
    bool attack = fmod(*t, 3000) < 600;
    *user = attack && sim_rng_uniform(r) < 0.7 ? 2 : (uint32_t)sim_rng_below(r, 5);
    *critical = attack || sim_rng_uniform(r) < 0.2;
}

/* Saved after 4,000 commands, loaded into a TAD set up alike: the next 8,000 get the same
 * verdicts for the same reasons, and the counts end equal. */
Test(tad_ckpt, resumes_with_the_same_verdicts)
{
    net_tad_config c = ck_cfg();
    net_tad d[2];
    cr_assert_eq(net_tad_init(&d[0], &c, 5), 0);
    sim_rng r;
    sim_rng_seed(&r, 4, 5, "test.tad.ckpt");
    double t = 0;
    uint32_t user;
    bool critical;
    for (int k = 0; k < 4000; k++) {
        ck_offer(&r, &t, &user, &critical);
        cr_assert(net_tad_offer(&d[0], user, critical, t, NULL) >= 0);
    }
    blob s = tad_save(&d[0]);
    cr_assert_eq(net_tad_init(&d[1], &c, 5), 0);
    char err[256];
    cr_assert_eq(tad_load(&d[1], &s, s.n, err, sizeof err), 0, "%s", err);
    /* the clock came too: an offer before it is refused */
    cr_expect_eq(net_tad_offer(&d[1], 0, false, t - 1, NULL), -1);
    uint32_t held = 0;
    for (int k = 0; k < 8000; k++) {
        ck_offer(&r, &t, &user, &critical);
        net_tad_limit why[2];
        int v[2];
        for (int m = 0; m < 2; m++)
            v[m] = net_tad_offer(&d[m], user, critical, t, &why[m]);
        cr_assert(v[0] == v[1] && why[0] == why[1], "command %d: %d (%d) vs %d (%d)", k, v[0],
                  why[0], v[1], why[1]);
        held += v[0] == NET_TAD_QUARANTINED;
    }
    cr_expect(held > 100 && d[0].sys.trips > 0, "%u held, %u system trips", held, d[0].sys.trips);
    cr_expect(memcmp(d[0].u, d[1].u, 5 * sizeof d[0].u[0]) == 0, "users' counts differ");
    cr_expect(memcmp(&d[0].sys, &d[1].sys, sizeof d[0].sys) == 0, "system counts differ");
    cr_expect(d[0].clock == d[1].clock);
    free(s.b);
}

Test(tad_ckpt, other_users_or_a_cut_checkpoint_fail)
{
    net_tad_config c = ck_cfg();
    net_tad d;
    cr_assert_eq(net_tad_init(&d, &c, 5), 0);
    for (int k = 0; k < 100; k++)
        net_tad_offer(&d, (uint32_t)k % 5, k % 2, k, NULL);
    blob s = tad_save(&d);
    char err[256];
    cr_assert_eq(net_tad_init(&d, &c, 4), 0);
    cr_expect_eq(tad_load(&d, &s, s.n, err, sizeof err), -1);
    cr_expect(strstr(err, "TAD users"), "'%s'", err);
    for (size_t k = 0; k < 8; k++) {
        size_t cut = k < 7 ? s.n * k / 7 : s.n - 1;
        cr_assert_eq(net_tad_init(&d, &c, 5), 0);
        cr_expect_eq(tad_load(&d, &s, cut, err, sizeof err), -1, "cut at %zu of %zu", cut, s.n);
        cr_expect(strstr(err, "ends early"), "cut at %zu: '%s'", cut, err);
    }
    free(s.b);
}
