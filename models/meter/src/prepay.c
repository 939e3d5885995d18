/* Credit and prepayment (see mm/prepay.h). */
#include <string.h>

#include "mm/alerts.h"
#include "mm/prepay.h"
#include "mm/status_supply.h"

#define SECONDS_PER_DAY 86400u
#define EPOCH_WEEKDAY 3u /* 1970-01-01 was a Thursday; Monday = 0 */

int mm_prepay_init(mm_prepay *p, const mm_prepay_config *cfg, mm_event_log *log,
                   mm_payment_mode mode, mm_credit_t balance, uint32_t now)
{
    if (p == NULL) return MM_EINVAL;
    memset(p, 0, sizeof *p);
    if (cfg == NULL || (mode != MM_MODE_CREDIT && mode != MM_MODE_PREPAYMENT)) return MM_EINVAL;
    p->cfg = cfg;
    p->log = log;
    p->mode = (uint8_t)mode;
    p->balance = balance;
    p->now = now;
    for (unsigned i = 0; i < 2; i++)
        p->debt_period[i] = cfg->time_debt[i].period_s ? now / cfg->time_debt[i].period_s : 0u;
    p->pay_period = cfg->payment_debt_cap_period_s ? now / cfg->payment_debt_cap_period_s : 0u;
    mm_prepay_update(p, now);
    return MM_OK;
}

void mm_prepay_deinit(mm_prepay *p)
{
    if (p != NULL) memset(p, 0, sizeof *p);
}

bool mm_prepay_friendly(const mm_prepay_config *cfg, uint32_t t)
{
    if (cfg == NULL) return false;
    uint32_t day = t / SECONDS_PER_DAY;
    unsigned wd = (unsigned)((day + EPOCH_WEEKDAY) % 7u);
    uint32_t minute = (t % SECONDS_PER_DAY) / 60u;
    for (unsigned i = 0; i < MM_FRIENDLY_MAX; i++) {
        const mm_friendly_period *f = &cfg->friendly[i];
        if ((f->days >> wd & 1u) && minute >= f->start_min && minute < f->end_min) return true;
    }
    return false;
}

mm_credit_t mm_prepay_available(const mm_prepay *p)
{
    return p->balance + (p->ec == MM_EC_ACTIVE ? p->cfg->ec_limit : 0);
}

static void log_ev(mm_prepay *p, uint16_t code, mm_credit_t v)
{
    /* event values are 32-bit: amounts saturate */
    int32_t x = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
    mm_event_log_add(p->log, p->now, code, x, 0);
}

static void evaluate(mm_prepay *p)
{
    const mm_prepay_config *c = p->cfg;
    if (p->mode != MM_MODE_PREPAYMENT) {
        p->flags = 0;
        return;
    }
    if ((p->ec == MM_EC_ACTIVE || p->ec == MM_EC_EXHAUSTED) && p->balance >= 0) p->ec = MM_EC_NONE;
    if (p->ec == MM_EC_NONE && c->ec_limit > 0 && p->balance < c->ec_threshold) {
        p->ec = MM_EC_AVAILABLE;
        log_ev(p, MM_ALERT_EMERGENCY_CREDIT_AVAILABLE, p->balance);
    }
    if (p->ec == MM_EC_ACTIVE && p->balance <= -c->ec_limit) {
        p->ec = MM_EC_EXHAUSTED;
        log_ev(p, MM_ALERT_EMERGENCY_CREDIT_EXHAUSTED, p->balance);
    }
    mm_credit_t avail = mm_prepay_available(p);
    if (avail < c->low_credit) {
        if (!(p->flags & MM_PP_LOW_ALERTED)) {
            p->flags |= MM_PP_LOW_ALERTED;
            log_ev(p, MM_ALERT_LOW_CREDIT, avail);
        }
    } else {
        p->flags &= (uint8_t)~MM_PP_LOW_ALERTED;
    }
    if (avail < c->disablement) {
        if (p->flags & MM_PP_DISABLE) return;
        if (mm_prepay_friendly(c, p->now)) {
            if (!(p->flags & MM_PP_SUSPENDED)) {
                p->flags |= MM_PP_SUSPENDED;
                log_ev(p, MM_ALERT_DISABLEMENT_SUSPENDED, avail);
            }
        } else {
            p->flags = (uint8_t)((p->flags | MM_PP_DISABLE) & ~MM_PP_SUSPENDED);
            log_ev(p, MM_ALERT_CREDIT_BELOW_DISABLEMENT, avail);
        }
    } else {
        p->flags &= (uint8_t) ~(MM_PP_DISABLE | MM_PP_SUSPENDED);
    }
}

/* Whether evaluate() at balance B would leave everything as it is (prepayment mode, not
 * suspended).  Each of its tests is a threshold on B whose outcome, for the state as it is,
 * changes nothing on one side only, so the balances at which this holds form an interval. */
static bool settled_at(const mm_prepay *p, mm_credit_t b)
{
    const mm_prepay_config *c = p->cfg;
    if ((p->ec == MM_EC_ACTIVE || p->ec == MM_EC_EXHAUSTED) && b >= 0) return false;
    if (p->ec == MM_EC_NONE && c->ec_limit > 0 && b < c->ec_threshold) return false;
    if (p->ec == MM_EC_ACTIVE && b <= -c->ec_limit) return false;
    mm_credit_t avail = b + (p->ec == MM_EC_ACTIVE ? c->ec_limit : 0);
    if ((avail < c->low_credit) != ((p->flags & MM_PP_LOW_ALERTED) != 0)) return false;
    if (avail < c->disablement) return (p->flags & MM_PP_DISABLE) != 0;
    return (p->flags & MM_PP_DISABLE) == 0;
}

bool mm_prepay_debit_quiet(const mm_prepay *p, mm_credit_t debit)
{
    if (p == NULL || p->cfg == NULL || p->mode != MM_MODE_PREPAYMENT || debit < 0) return false;
    if (p->flags & MM_PP_SUSPENDED) return false; /* friendly periods end on the minute */
    if (p->balance < INT64_MIN + debit) return false;
    return settled_at(p, p->balance) && settled_at(p, p->balance - debit);
}

static void debt_cleared(mm_prepay *p, unsigned which)
{
    static const uint16_t code[MM_DEBT_COUNT] = {
        MM_ALERT_DEBT_CLEARED_TIME_1, MM_ALERT_DEBT_CLEARED_TIME_2, MM_ALERT_DEBT_CLEARED_PAYMENT};
    log_ev(p, code[which], 0);
}

/* Recovery for N elapsed periods at RATE, at most DEBT; no 64-bit division: with N < 2^20
 * and RATE < 2^43 the product stays below 2^63, and beyond either bound the debt is cleared
 * anyway for any debt below 2^43 (88 million pounds at the default scale). */
static mm_credit_t recovery(uint32_t n, mm_credit_t rate, mm_credit_t debt)
{
    if (rate <= 0 || debt <= 0) return 0;
    if (n >= (1u << 20) || rate >= ((mm_credit_t)1 << 43)) return debt;
    mm_credit_t x = rate * (mm_credit_t)n;
    return x < debt ? x : debt;
}

void mm_prepay_update(mm_prepay *p, uint32_t now)
{
    if (p == NULL || p->cfg == NULL) return;
    if (now > p->now) p->now = now; /* a meter clock set back (< 10 s) collects nothing twice */
    for (unsigned i = 0; i < 2; i++) {
        uint32_t per = p->cfg->time_debt[i].period_s;
        if (per == 0) continue;
        uint32_t idx = p->now / per;
        if (idx <= p->debt_period[i]) continue;
        uint32_t n = idx - p->debt_period[i];
        p->debt_period[i] = idx;
        if (p->mode != MM_MODE_PREPAYMENT || p->debt[i] <= 0) continue;
        mm_credit_t x = recovery(n, p->cfg->time_debt[i].rate, p->debt[i]);
        p->debt[i] -= x;
        p->balance -= x;
        if (p->debt[i] == 0 && x > 0) debt_cleared(p, i);
    }
    evaluate(p);
}

void mm_prepay_debit(mm_prepay *p, mm_credit_t cost, uint32_t now)
{
    if (p == NULL || p->cfg == NULL) return;
    if (p->mode == MM_MODE_PREPAYMENT && cost > 0) p->balance -= cost;
    mm_prepay_update(p, now);
}

int mm_prepay_top_up(mm_prepay *p, mm_credit_t amount, uint32_t now, mm_credit_t *recovered)
{
    if (p == NULL || p->cfg == NULL || amount <= 0) return MM_EINVAL;
    const mm_prepay_config *c = p->cfg;
    if (now > p->now) p->now = now;
    mm_credit_t share = 0;
    if (p->debt[MM_DEBT_PAYMENT] > 0 && c->payment_debt_percent > 0) {
        uint32_t idx = c->payment_debt_cap_period_s ? p->now / c->payment_debt_cap_period_s : 0u;
        if (idx != p->pay_period) {
            p->pay_period = idx;
            p->pay_collected = 0;
        }
        share = mm_credit_percent(amount, c->payment_debt_percent);
        if (c->payment_debt_cap > 0) {
            mm_credit_t room = c->payment_debt_cap - p->pay_collected;
            if (room < 0) room = 0;
            if (share > room) share = room;
        }
        if (share > p->debt[MM_DEBT_PAYMENT]) share = p->debt[MM_DEBT_PAYMENT];
        p->debt[MM_DEBT_PAYMENT] -= share;
        p->pay_collected += share;
        if (share > 0 && p->debt[MM_DEBT_PAYMENT] == 0) debt_cleared(p, MM_DEBT_PAYMENT);
    }
    p->balance += amount - share;
    if (recovered != NULL) *recovered = share;
    mm_prepay_update(p, now);
    return MM_OK;
}

int mm_prepay_ec_activate(mm_prepay *p, uint32_t now)
{
    if (p == NULL || p->cfg == NULL) return MM_EINVAL;
    mm_prepay_update(p, now);
    if (p->mode != MM_MODE_PREPAYMENT || p->ec != MM_EC_AVAILABLE) return MM_ESTATE;
    p->ec = MM_EC_ACTIVE;
    log_ev(p, MM_ALERT_EMERGENCY_CREDIT_ACTIVATED, p->cfg->ec_limit);
    evaluate(p);
    return MM_OK;
}

int mm_prepay_set_mode(mm_prepay *p, mm_payment_mode mode, uint32_t now)
{
    if (p == NULL || p->cfg == NULL) return MM_EINVAL;
    if (mode != MM_MODE_CREDIT && mode != MM_MODE_PREPAYMENT) return MM_EINVAL;
    mm_prepay_update(p, now);
    if (p->mode != (uint8_t)mode) {
        p->mode = (uint8_t)mode;
        log_ev(p, MM_ALERT_MODE_CHANGED, (mm_credit_t)mode);
        /* debt periods restart from now: no recovery for time spent in credit mode */
        for (unsigned i = 0; i < 2; i++) {
            uint32_t per = p->cfg->time_debt[i].period_s;
            p->debt_period[i] = per ? p->now / per : 0u;
        }
    }
    evaluate(p);
    return MM_OK;
}

int mm_prepay_set_debt(mm_prepay *p, unsigned which, mm_credit_t amount, uint32_t now)
{
    if (p == NULL || p->cfg == NULL || which >= MM_DEBT_COUNT || amount < 0) return MM_EINVAL;
    mm_prepay_update(p, now);
    p->debt[which] = amount;
    return MM_OK;
}

uint32_t mm_prepay_next_event(const mm_prepay *p)
{
    uint32_t t = UINT32_MAX;
    if (p == NULL || p->cfg == NULL || p->mode != MM_MODE_PREPAYMENT) return t;
    for (unsigned i = 0; i < 2; i++) {
        uint32_t per = p->cfg->time_debt[i].period_s;
        if (per == 0 || p->debt[i] <= 0) continue;
        uint64_t next = ((uint64_t)(p->now / per) + 1u) * per;
        if (next < t) t = (uint32_t)next;
    }
    if (p->flags & MM_PP_SUSPENDED) { /* friendly periods change on minute boundaries */
        uint64_t next = ((uint64_t)(p->now / 60u) + 1u) * 60u;
        if (next < t) t = (uint32_t)next;
    }
    return t;
}
