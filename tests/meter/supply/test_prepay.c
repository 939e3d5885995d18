/* Prepayment: running out at a computable minute (and not inside a friendly period),
 * emergency credit, time-based debts and the payment-based debt at 10 % capped per week.
 * Amounts in credit units (1 unit = 0.001 p); every expectation worked out in the comments. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/alerts.h"
#include "mm/prepay.h"
#include "mm/status_supply.h"

#define T0 1704067200u                   /* 2024-01-01T00:00:00Z, a Monday */
#define P(x) ((mm_credit_t)(x)*1000)     /* pence */
#define GBP(x) ((mm_credit_t)(x)*100000) /* pounds */

typedef struct pp {
    mm_prepay_config cfg;
    mm_event ring[32];
    mm_event_log log;
    mm_prepay p;
} pp;

static void pp_start(pp *s, mm_credit_t balance)
{
    mm_event_log_init(&s->log, s->ring, 32);
    cr_assert_eq(mm_prepay_init(&s->p, &s->cfg, &s->log, MM_MODE_PREPAYMENT, balance, T0), MM_OK);
}

static uint32_t when(const pp *s, uint16_t code)
{
    mm_event ev;
    return mm_event_log_find(&s->log, code, &ev) == MM_OK ? ev.time : 0;
}

/* 12.34 p a minute from 1 pound: after k minutes 100000 - 12340 k; the first k with a
 * balance below 0 is k = 9 (100000 - 111060 = -11060), the first below the 30 p low-credit
 * threshold (30000) is k = 6 (25960). */
Test(prepay, credit_runs_out_at_the_computed_minute)
{
    pp s = {0};
    s.cfg.low_credit = P(30);
    s.cfg.disablement = 0;
    pp_start(&s, GBP(1));
    for (uint32_t k = 1; k <= 12; k++) {
        mm_prepay_debit(&s.p, 12340, T0 + 60u * k);
        cr_expect_eq(mm_prepay_wants_disable(&s.p), k >= 9, "minute %u", k);
    }
    cr_expect_eq(when(&s, MM_ALERT_CREDIT_BELOW_DISABLEMENT), T0 + 9u * 60u);
    cr_expect_eq(when(&s, MM_ALERT_LOW_CREDIT), T0 + 6u * 60u);
    cr_expect_eq(s.p.balance, GBP(1) - 12 * 12340);
    /* credit back: the request is withdrawn */
    cr_expect_eq(mm_prepay_top_up(&s.p, GBP(5), T0 + 800u, NULL), MM_OK);
    cr_expect(!mm_prepay_wants_disable(&s.p));
}

/* Friendly period Monday 16:00-17:00.  Credit runs out at 16:09 (same debits from 16:00):
 * suspended (0x8F83) then, at 17:00 exactly, disabled (0x8F0F). */
Test(prepay, supply_is_never_cut_inside_a_friendly_period)
{
    pp s = {0};
    s.cfg.friendly[0] =
        (mm_friendly_period){.days = 0x01, .start_min = 16 * 60, .end_min = 17 * 60};
    const uint32_t t16 = T0 + 16u * 3600u;
    pp_start(&s, GBP(1));
    for (uint32_t k = 1; k <= 59; k++) {
        mm_prepay_debit(&s.p, 12340, t16 + 60u * k);
        cr_expect(!mm_prepay_wants_disable(&s.p), "minute %u", k);
    }
    cr_expect_eq(when(&s, MM_ALERT_DISABLEMENT_SUSPENDED), t16 + 9u * 60u);
    cr_expect_eq(mm_prepay_next_event(&s.p), t16 + 3600u, "wakes at the end of the period");
    mm_prepay_update(&s.p, t16 + 3600u);
    cr_expect(mm_prepay_wants_disable(&s.p));
    cr_expect_eq(when(&s, MM_ALERT_CREDIT_BELOW_DISABLEMENT), t16 + 3600u);
    /* the same on Tuesday is not friendly (mask Monday only) */
    cr_expect(!mm_prepay_friendly(&s.cfg, t16 + 86400u + 60u));
    cr_expect(mm_prepay_friendly(&s.cfg, t16 + 7u * 86400u));
}

/* EC threshold 1 pound, limit 5 pounds; from 1.50 pounds. */
Test(prepay, emergency_credit_is_offered_activated_exhausted_and_repaid)
{
    pp s = {0};
    s.cfg.ec_threshold = GBP(1);
    s.cfg.ec_limit = GBP(5);
    pp_start(&s, 150000);
    cr_expect_eq(s.p.ec, MM_EC_NONE);
    mm_prepay_debit(&s.p, 60000, T0 + 60); /* 90000 < 100000: offered */
    cr_expect_eq(s.p.ec, MM_EC_AVAILABLE);
    cr_expect_eq(when(&s, MM_ALERT_EMERGENCY_CREDIT_AVAILABLE), T0 + 60);
    mm_prepay_debit(&s.p, 100000, T0 + 120); /* -10000, not activated: disabled */
    cr_expect(mm_prepay_wants_disable(&s.p));
    cr_expect_eq(mm_prepay_ec_activate(&s.p, T0 + 180), MM_OK);
    cr_expect_eq(s.p.ec, MM_EC_ACTIVE);
    cr_expect_eq(mm_prepay_available(&s.p), 490000);
    cr_expect(!mm_prepay_wants_disable(&s.p));
    cr_expect_eq(mm_prepay_ec_activate(&s.p, T0 + 190), MM_ESTATE, "only once");
    mm_prepay_debit(&s.p, 489999, T0 + 240); /* balance -499999: 1 unit left */
    cr_expect_eq(s.p.ec, MM_EC_ACTIVE);
    mm_prepay_debit(&s.p, 1, T0 + 300); /* -500000 = -limit: exhausted */
    cr_expect_eq(s.p.ec, MM_EC_EXHAUSTED);
    cr_expect_eq(when(&s, MM_ALERT_EMERGENCY_CREDIT_EXHAUSTED), T0 + 300);
    cr_expect(mm_prepay_wants_disable(&s.p));
    cr_expect_eq(mm_prepay_top_up(&s.p, GBP(10), T0 + 360, NULL), MM_OK);
    cr_expect_eq(s.p.balance, 500000, "the top-up repaid the emergency credit first");
    cr_expect_eq(s.p.ec, MM_EC_NONE);
    cr_expect(!mm_prepay_wants_disable(&s.p));
}

/* Payment debt 10 pounds at 10 % of each top-up, capped at 3 pounds a week (weeks counted
 * from the epoch, a Thursday: T0 + 3 days is the next Thursday).
 *   top-up 20 pounds: 10 % = 2 pounds recovered (room 3)      -> debt 8, balance +18
 *   top-up 20 pounds: 10 % = 2, room 1 pound: 1 recovered    -> debt 7, balance +19
 *   next week, 20 pounds: 2 recovered                        -> debt 5, balance +18 */
Test(prepay, payment_debt_takes_ten_percent_capped_per_week)
{
    pp s = {0};
    s.cfg.payment_debt_percent = 10;
    s.cfg.payment_debt_cap = GBP(3);
    s.cfg.payment_debt_cap_period_s = 7u * 86400u;
    pp_start(&s, 0);
    mm_prepay_set_debt(&s.p, MM_DEBT_PAYMENT, GBP(10), T0);
    static const struct {
        uint32_t t;
        mm_credit_t recovered, debt, balance;
    } steps[] = {
        {T0 + 3600u, GBP(2), GBP(8), GBP(18)},
        {T0 + 7200u, GBP(1), GBP(7), GBP(37)},
        {T0 + 3u * 86400u + 60u, GBP(2), GBP(5), GBP(55)},
    };
    for (size_t i = 0; i < 3; i++) {
        mm_credit_t rec = -1;
        cr_assert_eq(mm_prepay_top_up(&s.p, GBP(20), steps[i].t, &rec), MM_OK);
        cr_expect_eq(rec, steps[i].recovered, "top-up %zu", i);
        cr_expect_eq(s.p.debt[MM_DEBT_PAYMENT], steps[i].debt, "top-up %zu", i);
        cr_expect_eq(s.p.balance, steps[i].balance, "top-up %zu", i);
    }
}

/* Time debt 1: 2.50 pounds at 1 pound a day; time debt 2: 0.30 pounds at 0.10 an hour.
 * After 1 day: debt 1 at 1.50, debt 2 cleared (3 hours); after 3 days both clear;
 * balance 10 - 2.50 - 0.30. */
Test(prepay, time_debts_are_recovered_per_period_until_cleared)
{
    pp s = {0};
    s.cfg.time_debt[0] = (mm_time_debt_config){.rate = GBP(1), .period_s = 86400u};
    s.cfg.time_debt[1] = (mm_time_debt_config){.rate = P(10), .period_s = 3600u};
    pp_start(&s, GBP(10));
    mm_prepay_set_debt(&s.p, MM_DEBT_TIME_1, 250000, T0);
    mm_prepay_set_debt(&s.p, MM_DEBT_TIME_2, P(30), T0);
    cr_expect_eq(mm_prepay_next_event(&s.p), T0 + 3600u);
    mm_prepay_update(&s.p, T0 + 86400u);
    cr_expect_eq(s.p.debt[MM_DEBT_TIME_1], 150000);
    cr_expect_eq(s.p.debt[MM_DEBT_TIME_2], 0);
    cr_expect_eq(when(&s, MM_ALERT_DEBT_CLEARED_TIME_2), T0 + 86400u);
    mm_prepay_update(&s.p, T0 + 3u * 86400u + 5u);
    cr_expect_eq(s.p.debt[MM_DEBT_TIME_1], 0);
    cr_expect_eq(when(&s, MM_ALERT_DEBT_CLEARED_TIME_1), T0 + 3u * 86400u + 5u);
    cr_expect_eq(s.p.balance, GBP(10) - 250000 - P(30));
}

Test(prepay, credit_mode_neither_debits_nor_disables)
{
    pp s = {0};
    s.cfg.time_debt[0] = (mm_time_debt_config){.rate = GBP(1), .period_s = 86400u};
    pp_start(&s, 0);
    mm_prepay_set_debt(&s.p, MM_DEBT_TIME_1, GBP(3), T0);
    cr_expect_eq(mm_prepay_set_mode(&s.p, MM_MODE_CREDIT, T0), MM_OK);
    mm_prepay_debit(&s.p, GBP(50), T0 + 86400u * 2u);
    cr_expect_eq(s.p.balance, 0);
    cr_expect_eq(s.p.debt[MM_DEBT_TIME_1], GBP(3));
    cr_expect(!mm_prepay_wants_disable(&s.p));
    cr_expect_eq(mm_prepay_set_mode(&s.p, MM_MODE_PREPAYMENT, T0 + 86400u * 2u), MM_OK);
    mm_prepay_debit(&s.p, 1, T0 + 86400u * 2u + 60u);
    cr_expect(mm_prepay_wants_disable(&s.p));
    cr_expect_eq(s.p.debt[MM_DEBT_TIME_1], GBP(3), "no recovery for the days in credit mode");
}
