/* Contactor: state transitions, load limiting exact in time, ALCS calendars with a random
 * offset, boost. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/alerts.h"
#include "mm/contactor.h"
#include "mm/status_supply.h"
#include "mm_port_sim.h"

#define T0 1704067200u

typedef struct ct {
    mm_contactor_config cfg;
    mm_event ring[32];
    mm_event_log log;
    mm_hal_rng rng;
    mm_contactor c;
} ct;

static void ct_start(ct *s, uint32_t now)
{
    mm_event_log_init(&s->log, s->ring, 32);
    mm_port_sim_rng_init_seed(&s->rng, 3u);
    cr_assert_eq(mm_contactor_init(&s->c, &s->cfg, &s->log, &s->rng, now), MM_OK);
}

static uint32_t when(const ct *s, uint16_t code)
{
    mm_event ev;
    return mm_event_log_find(&s->log, code, &ev) == MM_OK ? ev.time : 0;
}

enum op { DISABLE, ENABLE, ARM, BUTTON, CREDIT_OFF, CREDIT_OK };

Test(contactor, transitions_follow_the_table)
{
    static const struct {
        enum op op;
        int rc;
        uint8_t state;
        uint16_t alert; /* newest event after the step, 0 = unchanged */
    } steps[] = {
        {BUTTON, MM_ESTATE, MM_SUPPLY_CONNECTED, 0}, /* nothing to re-enable */
        {DISABLE, MM_OK, MM_SUPPLY_DISCONNECTED, MM_ALERT_SUPPLY_DISABLED},
        {BUTTON, MM_ESTATE, MM_SUPPLY_DISCONNECTED, 0}, /* not armed: no local close */
        {ARM, MM_OK, MM_SUPPLY_ARMED, MM_ALERT_SUPPLY_ARMED},
        {BUTTON, MM_OK, MM_SUPPLY_CONNECTED, MM_ALERT_SUPPLY_ENABLED},
        {CREDIT_OFF, MM_OK, MM_SUPPLY_DISCONNECTED, MM_ALERT_SUPPLY_DISABLED},
        {ENABLE, MM_ESTATE, MM_SUPPLY_DISCONNECTED, 0}, /* credit still holds it off */
        {DISABLE, MM_OK, MM_SUPPLY_DISCONNECTED, MM_ALERT_SUPPLY_DISABLED},
        {CREDIT_OK, MM_OK, MM_SUPPLY_DISCONNECTED, 0}, /* remote still holds it off */
        {ENABLE, MM_OK, MM_SUPPLY_CONNECTED, MM_ALERT_SUPPLY_ENABLED},
        {CREDIT_OFF, MM_OK, MM_SUPPLY_DISCONNECTED, MM_ALERT_SUPPLY_DISABLED},
        {CREDIT_OK, MM_OK, MM_SUPPLY_ARMED, MM_ALERT_SUPPLY_ARMED}, /* top-up arms, GB */
        {BUTTON, MM_OK, MM_SUPPLY_CONNECTED, MM_ALERT_SUPPLY_ENABLED},
    };
    ct s = {0};
    ct_start(&s, T0);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        uint32_t t = T0 + 10u * (uint32_t)(i + 1);
        uint32_t before = s.log.total;
        int rc = MM_OK;
        switch (steps[i].op) {
        case DISABLE:
            rc = mm_contactor_remote_disable(&s.c, t);
            break;
        case ENABLE:
            rc = mm_contactor_remote_enable(&s.c, t);
            break;
        case ARM:
            rc = mm_contactor_remote_arm(&s.c, t);
            break;
        case BUTTON:
            rc = mm_contactor_button(&s.c, t);
            break;
        case CREDIT_OFF:
            mm_contactor_credit(&s.c, true, t);
            break;
        case CREDIT_OK:
            mm_contactor_credit(&s.c, false, t);
            break;
        }
        cr_expect_eq(rc, steps[i].rc, "step %zu", i);
        cr_expect_eq(s.c.state, steps[i].state, "step %zu", i);
        mm_event ev;
        if (steps[i].alert) {
            cr_expect_eq(mm_event_log_get(&s.log, 0, &ev), MM_OK);
            cr_expect_eq(ev.code, steps[i].alert, "step %zu: %#x", i, ev.code);
            cr_expect_eq(ev.time, t);
        } else {
            cr_expect_eq(s.log.total, before, "step %zu logs nothing", i);
        }
    }
}

/* 10 kW for 60 s trips; restoration after 300 s.  12 kW from T0+100: 0x8F01 at 100, trip
 * (0x8F33) at 160, restore (0x8F34) at 460.  A dip below the limit restarts the period. */
Test(contactor, load_limiting_trips_after_its_period_and_restores_after_its_delay)
{
    ct s = {0};
    s.cfg.load_limit = (mm_load_limit){.threshold_w = 10000, .period_s = 60, .restore_s = 300};
    ct_start(&s, T0);
    mm_contactor_power(&s.c, 12000000, T0 + 100);
    cr_expect_eq(when(&s, MM_ALERT_ABOVE_LOAD_LIMIT), T0 + 100);
    cr_expect_eq(mm_contactor_next_event(&s.c), T0 + 160);
    mm_contactor_update(&s.c, T0 + 159);
    cr_expect(mm_contactor_closed(&s.c));
    mm_contactor_update(&s.c, T0 + 200); /* late call: the trip is still dated 160 */
    cr_expect_eq(s.c.state, MM_SUPPLY_ARMED);
    cr_expect_eq(when(&s, MM_ALERT_LOAD_LIMIT_DISABLED), T0 + 160);
    cr_expect_eq(mm_contactor_next_event(&s.c), T0 + 460);
    mm_contactor_update(&s.c, T0 + 460);
    cr_expect(mm_contactor_closed(&s.c));
    cr_expect_eq(when(&s, MM_ALERT_LOAD_LIMIT_RESTORED), T0 + 460);

    /* exactly at the threshold is not above it; a dip restarts the count */
    mm_contactor_power(&s.c, 10000000, T0 + 500);
    cr_expect_eq(mm_contactor_next_event(&s.c), UINT32_MAX);
    mm_contactor_power(&s.c, 10000001, T0 + 510);
    mm_contactor_power(&s.c, 9000000, T0 + 560);
    mm_contactor_power(&s.c, 10000001, T0 + 565);
    mm_contactor_update(&s.c, T0 + 600);
    cr_expect(mm_contactor_closed(&s.c), "59 s + 35 s never made a whole period");
    mm_contactor_update(&s.c, T0 + 625);
    cr_expect_eq(s.c.state, MM_SUPPLY_ARMED);
    cr_expect_eq(mm_contactor_button(&s.c, T0 + 630), MM_OK, "the button closes it early");
    cr_expect(mm_contactor_closed(&s.c));
}

/* Switch 0: on 01:00-02:00 with no offset; switch 1: on from 06:00 to 07:00 delayed by a
 * random 0..600 s drawn per day. */
Test(contactor, alcs_follow_their_calendars_with_a_bounded_random_offset_and_boost)
{
    ct s = {0};
    s.cfg.n_alcs = 2;
    s.cfg.alcs[0].n_points = 2;
    s.cfg.alcs[0].points[0] = (mm_alcs_point){.minute = 60, .on = 1};
    s.cfg.alcs[0].points[1] = (mm_alcs_point){.minute = 120, .on = 0};
    s.cfg.alcs[1].n_points = 2;
    s.cfg.alcs[1].points[0] = (mm_alcs_point){.minute = 360, .on = 1};
    s.cfg.alcs[1].points[1] = (mm_alcs_point){.minute = 420, .on = 0};
    s.cfg.alcs[1].random_offset_s = 600;
    ct_start(&s, T0);
    cr_expect_eq(s.c.alcs_offset[0], 0);
    uint16_t off = s.c.alcs_offset[1];
    cr_expect_leq(off, 600);
    cr_expect_eq(mm_contactor_next_event(&s.c), T0 + 3600u);
    mm_contactor_update(&s.c, T0 + 3600u);
    cr_expect(mm_contactor_alcs_on(&s.c, 0));
    mm_contactor_update(&s.c, T0 + 7200u);
    cr_expect(!mm_contactor_alcs_on(&s.c, 0));
    cr_expect_eq(mm_contactor_next_event(&s.c), T0 + 21600u + off);
    mm_contactor_update(&s.c, T0 + 21600u + off - 1u);
    cr_expect(!mm_contactor_alcs_on(&s.c, 1));
    mm_contactor_update(&s.c, T0 + 21600u + off);
    cr_expect(mm_contactor_alcs_on(&s.c, 1));
    /* boost switch 0 for 30 min at noon */
    cr_expect_eq(mm_contactor_boost(&s.c, 0, 1800, T0 + 43200u), MM_OK);
    cr_expect(mm_contactor_alcs_on(&s.c, 0));
    mm_contactor_update(&s.c, T0 + 45000u);
    cr_expect(!mm_contactor_alcs_on(&s.c, 0));
    cr_expect_eq(mm_contactor_boost(&s.c, 2, 60, T0 + 45000u), MM_EINVAL);
    /* the next day's offset is drawn again, still within bounds */
    mm_contactor_update(&s.c, T0 + 86400u);
    cr_expect_leq(s.c.alcs_offset[1], 600);
}

Test(contactor, offsets_are_uniform_over_their_range)
{
    /* 2000 meters, offset 0..600: mean 300 within 4 standard errors (173/sqrt(2000) = 3.9). */
    uint64_t sum = 0;
    uint16_t lo = 600, hi = 0;
    for (unsigned i = 0; i < 2000; i++) {
        ct s = {0};
        s.cfg.n_alcs = 1;
        s.cfg.alcs[0].n_points = 1;
        s.cfg.alcs[0].random_offset_s = 600;
        mm_event_log_init(&s.log, s.ring, 32);
        mm_port_sim_rng_init_seed(&s.rng, 1000u + i);
        mm_contactor_init(&s.c, &s.cfg, &s.log, &s.rng, T0);
        uint16_t o = s.c.alcs_offset[0];
        sum += o;
        lo = o < lo ? o : lo;
        hi = o > hi ? o : hi;
    }
    double mean = (double)sum / 2000.0;
    cr_expect(mean > 300.0 - 16.0 && mean < 300.0 + 16.0, "mean %.1f", mean);
    cr_expect_leq(hi, 600);
    cr_expect_lt(lo, 10);
    cr_expect_gt(hi, 590);
}

Test(contactor, calendars_out_of_order_are_rejected)
{
    ct s = {0};
    s.cfg.n_alcs = 1;
    s.cfg.alcs[0].n_points = 2;
    s.cfg.alcs[0].points[0] = (mm_alcs_point){.minute = 120, .on = 1};
    s.cfg.alcs[0].points[1] = (mm_alcs_point){.minute = 60, .on = 0};
    cr_expect_eq(mm_contactor_init(&s.c, &s.cfg, NULL, NULL, T0), MM_EINVAL);
}
