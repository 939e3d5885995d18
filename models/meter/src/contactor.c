/* Supply contactor, load limiting and auxiliary load control switches (see mm/contactor.h). */
#include <string.h>

#include "mm/alerts.h"
#include "mm/contactor.h"
#include "mm/rand.h"
#include "mm/status_supply.h"

#define SECONDS_PER_DAY 86400u
#define F_OVER 0x01u /* import above the load limit */

static void log_ev(mm_contactor *c, uint32_t t, uint16_t code, int32_t v)
{
    mm_event_log_add(c->log, t, code, v, 0);
}

/* Uniform in 0..MAX through the RNG HAL; 0 without a source or if it fails. */
static uint16_t draw_offset(mm_hal_rng *rng, uint16_t max)
{
    uint32_t r = 0;
    if (rng == NULL || mm_rand_uniform(rng, max, &r) != MM_OK) return 0;
    return (uint16_t)r;
}

static void alcs_redraw(mm_contactor *c, uint32_t day)
{
    c->alcs_day = day;
    for (unsigned i = 0; i < c->cfg->n_alcs; i++)
        c->alcs_offset[i] = draw_offset(c->rng, c->cfg->alcs[i].random_offset_s);
}

/* Calendar state of switch I at second SOD of the day. */
static bool alcs_calendar_on(const mm_contactor *c, unsigned i, uint32_t sod)
{
    const mm_alcs_calendar *cal = &c->cfg->alcs[i];
    if (cal->n_points == 0) return false;
    bool on = cal->points[cal->n_points - 1u].on != 0; /* carried over from yesterday */
    for (unsigned k = 0; k < cal->n_points; k++) {
        if ((uint32_t)cal->points[k].minute * 60u + c->alcs_offset[i] <= sod)
            on = cal->points[k].on != 0;
    }
    return on;
}

static void alcs_update(mm_contactor *c, uint32_t now)
{
    uint32_t day = now / SECONDS_PER_DAY;
    if (day != c->alcs_day) alcs_redraw(c, day);
    uint32_t sod = now % SECONDS_PER_DAY;
    for (unsigned i = 0; i < c->cfg->n_alcs; i++) {
        uint8_t bit = (uint8_t)(1u << i);
        if ((c->alcs_boost & bit) && now >= c->boost_until[i]) c->alcs_boost &= (uint8_t)~bit;
        bool on = (c->alcs_boost & bit) || alcs_calendar_on(c, i, sod);
        if (on != ((c->alcs_on & bit) != 0)) {
            c->alcs_on = on ? (uint8_t)(c->alcs_on | bit) : (uint8_t)(c->alcs_on & ~bit);
            log_ev(c, now, MM_ALERT_ALCS_STATE_CHANGED, (int32_t)(i << 8 | (on ? 1u : 0u)));
        }
    }
}

int mm_contactor_init(mm_contactor *c, const mm_contactor_config *cfg, mm_event_log *log,
                      mm_hal_rng *rng, uint32_t now)
{
    if (c == NULL) return MM_EINVAL;
    memset(c, 0, sizeof *c);
    if (cfg == NULL || cfg->n_alcs > MM_ALCS_MAX) return MM_EINVAL;
    for (unsigned i = 0; i < cfg->n_alcs; i++) {
        const mm_alcs_calendar *cal = &cfg->alcs[i];
        if (cal->n_points > MM_ALCS_POINTS_MAX) return MM_EINVAL;
        for (unsigned k = 0; k < cal->n_points; k++)
            if (cal->points[k].minute >= 1440u ||
                (k > 0 && cal->points[k].minute <= cal->points[k - 1u].minute))
                return MM_EINVAL;
    }
    c->cfg = cfg;
    c->log = log;
    c->rng = rng;
    c->ll = cfg->load_limit;
    c->now = now;
    c->state = MM_SUPPLY_CONNECTED;
    alcs_redraw(c, now / SECONDS_PER_DAY);
    uint32_t sod = now % SECONDS_PER_DAY;
    for (unsigned i = 0; i < cfg->n_alcs; i++)
        if (alcs_calendar_on(c, i, sod)) c->alcs_on |= (uint8_t)(1u << i);
    return MM_OK;
}

void mm_contactor_deinit(mm_contactor *c)
{
    if (c != NULL) memset(c, 0, sizeof *c);
}

/* Open for REASON (remote or credit): disconnected until every reason is cleared. */
static void open_for(mm_contactor *c, uint8_t reason, uint32_t t)
{
    c->off |= reason;
    c->flags &= (uint8_t)~F_OVER;
    c->state = MM_SUPPLY_DISCONNECTED;
    log_ev(c, t, MM_ALERT_SUPPLY_DISABLED, reason);
}

int mm_contactor_remote_disable(mm_contactor *c, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return MM_EINVAL;
    mm_contactor_update(c, now);
    open_for(c, MM_OFF_REMOTE, c->now);
    return MM_OK;
}

int mm_contactor_remote_enable(mm_contactor *c, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return MM_EINVAL;
    mm_contactor_update(c, now);
    if (c->off & (uint8_t)~MM_OFF_REMOTE) return MM_ESTATE;
    c->off = 0;
    if (c->state != MM_SUPPLY_CONNECTED) {
        c->state = MM_SUPPLY_CONNECTED;
        log_ev(c, c->now, MM_ALERT_SUPPLY_ENABLED, 0);
    }
    return MM_OK;
}

int mm_contactor_remote_arm(mm_contactor *c, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return MM_EINVAL;
    mm_contactor_update(c, now);
    if (c->off & (uint8_t)~MM_OFF_REMOTE) return MM_ESTATE;
    c->off = 0;
    if (c->state == MM_SUPPLY_DISCONNECTED) {
        c->state = MM_SUPPLY_ARMED;
        log_ev(c, c->now, MM_ALERT_SUPPLY_ARMED, 0);
    }
    return MM_OK;
}

int mm_contactor_button(mm_contactor *c, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return MM_EINVAL;
    mm_contactor_update(c, now);
    if (c->state != MM_SUPPLY_ARMED || (c->off & (uint8_t)~MM_OFF_LOAD)) return MM_ESTATE;
    c->off = 0;
    c->state = MM_SUPPLY_CONNECTED;
    log_ev(c, c->now, MM_ALERT_SUPPLY_ENABLED, 0);
    return MM_OK;
}

void mm_contactor_credit(mm_contactor *c, bool wants_off, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return;
    mm_contactor_update(c, now);
    if (wants_off && !(c->off & MM_OFF_CREDIT)) {
        open_for(c, MM_OFF_CREDIT, c->now);
    } else if (!wants_off && (c->off & MM_OFF_CREDIT)) {
        c->off &= (uint8_t)~MM_OFF_CREDIT;
        if (c->off == 0) {
            c->state = MM_SUPPLY_ARMED;
            log_ev(c, c->now, MM_ALERT_SUPPLY_ARMED, 0);
        }
    }
}

int mm_contactor_set_load_limit(mm_contactor *c, const mm_load_limit *ll, uint32_t now)
{
    if (c == NULL || c->cfg == NULL || ll == NULL) return MM_EINVAL;
    mm_contactor_update(c, now);
    c->ll = *ll;
    c->flags &= (uint8_t)~F_OVER; /* a new limit starts its period afresh */
    return MM_OK;
}

void mm_contactor_power(mm_contactor *c, int32_t p_mw, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return;
    mm_contactor_update(c, now);
    bool over = c->state == MM_SUPPLY_CONNECTED && c->ll.threshold_w > 0 && p_mw > 0 &&
                (uint64_t)p_mw > (uint64_t)c->ll.threshold_w * 1000u;
    if (over && !(c->flags & F_OVER)) {
        c->flags |= F_OVER;
        c->over_since = c->now;
        log_ev(c, c->now, MM_ALERT_ABOVE_LOAD_LIMIT, p_mw / 1000);
        mm_contactor_update(c, now); /* a zero period trips at once */
    } else if (!over) {
        c->flags &= (uint8_t)~F_OVER;
    }
}

void mm_contactor_update(mm_contactor *c, uint32_t now)
{
    if (c == NULL || c->cfg == NULL) return;
    if (now > c->now) c->now = now;
    /* deadlines in time order: a trip before its own restoration */
    if ((c->flags & F_OVER) && c->state == MM_SUPPLY_CONNECTED &&
        c->now - c->over_since >= c->ll.period_s) {
        uint32_t t = c->over_since + c->ll.period_s;
        c->flags &= (uint8_t)~F_OVER;
        c->off |= MM_OFF_LOAD;
        c->state = MM_SUPPLY_ARMED;
        c->restore_at = t + c->ll.restore_s;
        log_ev(c, t, MM_ALERT_LOAD_LIMIT_DISABLED, (int32_t)c->ll.threshold_w);
    }
    if ((c->off & MM_OFF_LOAD) && c->now >= c->restore_at) {
        c->off &= (uint8_t)~MM_OFF_LOAD;
        if (c->off == 0 && c->state == MM_SUPPLY_ARMED) {
            c->state = MM_SUPPLY_CONNECTED;
            log_ev(c, c->restore_at, MM_ALERT_LOAD_LIMIT_RESTORED, 0);
        }
    }
    if (c->cfg->n_alcs > 0) alcs_update(c, c->now);
}

uint32_t mm_contactor_next_event(const mm_contactor *c)
{
    uint32_t t = UINT32_MAX;
    if (c == NULL || c->cfg == NULL) return t;
    if ((c->flags & F_OVER) && c->state == MM_SUPPLY_CONNECTED) {
        uint64_t x = (uint64_t)c->over_since + c->ll.period_s;
        if (x < t) t = (uint32_t)x;
    }
    if ((c->off & MM_OFF_LOAD) && c->restore_at < t) t = c->restore_at;
    if (c->cfg->n_alcs > 0) {
        uint32_t day0 = c->alcs_day * SECONDS_PER_DAY;
        uint64_t midnight = (uint64_t)day0 + SECONDS_PER_DAY;
        if (midnight < t) t = (uint32_t)midnight;
        for (unsigned i = 0; i < c->cfg->n_alcs; i++) {
            const mm_alcs_calendar *cal = &c->cfg->alcs[i];
            for (unsigned k = 0; k < cal->n_points; k++) {
                uint64_t x =
                    (uint64_t)day0 + (uint32_t)cal->points[k].minute * 60u + c->alcs_offset[i];
                if (x > c->now && x < t) {
                    t = (uint32_t)x;
                    break;
                }
            }
            if ((c->alcs_boost >> i & 1u) && c->boost_until[i] < t) t = c->boost_until[i];
        }
    }
    return t;
}

int mm_contactor_boost(mm_contactor *c, unsigned idx, uint32_t duration_s, uint32_t now)
{
    if (c == NULL || c->cfg == NULL || idx >= c->cfg->n_alcs) return MM_EINVAL;
    mm_contactor_update(c, now);
    uint8_t bit = (uint8_t)(1u << idx);
    if (duration_s == 0) {
        c->alcs_boost &= (uint8_t)~bit;
    } else {
        c->alcs_boost |= bit;
        uint64_t end = (uint64_t)c->now + duration_s;
        c->boost_until[idx] = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
        log_ev(c, c->now, MM_ALERT_BOOST_STARTED, (int32_t)idx);
    }
    alcs_update(c, c->now);
    return MM_OK;
}
