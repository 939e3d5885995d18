/* Contactor: the meter's supply switch (100 A, seed 002) and its auxiliary load
 * control switches (ALCS).
 *
 * Supply states: connected, disconnected, armed (open, waiting for the customer's button or
 * PIN to close, GBCS alert 0x8F32).  Several reasons can hold the supply off at once, each
 * cleared by its own path: a remote disable (cleared by a remote enable or arm), prepayment credit
 * (cleared when credit is back: the supply then arms, GB practice, so nobody's appliances
 * restart unattended) and load limiting (cleared after the restoration delay).  The supply
 * closes only when no reason is left.
 *
 * Load limiting (GBCS alerts 0x8F01, 0x8F33, 0x8F34): when active import exceeds the
 * threshold the meter logs 0x8F01; if it stays above for the whole period, the supply is
 * disabled then armed (0x8F33); after the restoration delay it is enabled again (0x8F34),
 * or earlier by the button.  Exact in time: the caller reports each power change
 * (mm_contactor_power) and asks for the next deadline (mm_contactor_next_event).
 *
 * ALCS: up to MM_ALCS_MAX switches (5, seed 003), each following a daily calendar of
 * switch points shifted by a random offset drawn each day, uniformly in 0..random_offset_s,
 * through the RNG HAL (so a street of meters does not switch water heaters in the same
 * second), and a boost that holds a switch on for a while.  Changes log 0x8131.  Time is the
 * meter clock [s, UTC].  Deliberately not here: why the supply is off for credit (prepay.h),
 * relay hardware, HAN-connected switches (HCALCS).
 */
#ifndef MM_CONTACTOR_H
#define MM_CONTACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/event_log.h"
#include "mm/mm_config.h"
#include "mm_hal_rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mm_supply_state {
    MM_SUPPLY_CONNECTED = 0,
    MM_SUPPLY_DISCONNECTED = 1,
    MM_SUPPLY_ARMED = 2,
} mm_supply_state;

#define MM_OFF_REMOTE 0x01u /* remote disable command */
#define MM_OFF_CREDIT 0x02u /* prepayment: credit below disablement threshold */
#define MM_OFF_LOAD 0x04u   /* load limiting, until the restoration delay has passed */

typedef struct mm_load_limit {
    uint32_t threshold_w; /* active import above which the limit counts [W]; 0 = off */
    uint32_t period_s;    /* how long above before the supply is disabled [s] */
    uint32_t restore_s;   /* delay before the supply is enabled again [s] */
} mm_load_limit;

typedef struct mm_alcs_point {
    uint16_t minute; /* minute of the day [min, UTC], points sorted ascending */
    uint8_t on;      /* switch state from this point on */
    uint8_t rsv;
} mm_alcs_point;

typedef struct mm_alcs_calendar {
    mm_alcs_point points[MM_ALCS_POINTS_MAX];
    uint8_t n_points;         /* 0 = switch always off unless boosted */
    uint16_t random_offset_s; /* largest random delay of each switching [s] */
} mm_alcs_calendar;

typedef struct mm_contactor_config {
    mm_load_limit load_limit; /* until a command sets another */
    uint8_t n_alcs;           /* 0..MM_ALCS_MAX */
    mm_alcs_calendar alcs[MM_ALCS_MAX];
} mm_contactor_config;

typedef struct mm_contactor {
    const mm_contactor_config *cfg;
    mm_event_log *log;
    mm_hal_rng *rng;
    mm_load_limit ll;                  /* settings in force */
    uint32_t now;                      /* meter time of the last update [s] */
    uint32_t over_since;               /* import above the limit since [s] */
    uint32_t restore_at;               /* load-limit restoration time [s] */
    uint32_t alcs_day;                 /* day the ALCS offsets were drawn for [days] */
    uint32_t boost_until[MM_ALCS_MAX]; /* end of each switch's boost [s] */
    uint16_t alcs_offset[MM_ALCS_MAX]; /* today's random offset per switch [s] */
    uint8_t state;                     /* mm_supply_state */
    uint8_t off;                       /* MM_OFF_* reasons holding the supply off */
    uint8_t flags;                     /* internal */
    uint8_t alcs_on;                   /* bit i: switch i closed */
    uint8_t alcs_boost;                /* bit i: switch i boosted */
} mm_contactor;

/* Connected, no reason off, ALCS per calendar at meter time NOW.  CFG, LOG, RNG kept by
 * pointer (RNG may be NULL: offsets 0).  MM_EINVAL for a NULL config, n_alcs out of range or
 * unsorted points. */
int mm_contactor_init(mm_contactor *c, const mm_contactor_config *cfg, mm_event_log *log,
                      mm_hal_rng *rng, uint32_t now);
void mm_contactor_deinit(mm_contactor *c); /* accepts NULL */

int mm_contactor_remote_disable(mm_contactor *c, uint32_t now);
/* Close at once.  MM_ESTATE (and nothing closes) while credit or load limiting holds it off. */
int mm_contactor_remote_enable(mm_contactor *c, uint32_t now);
/* Arm (0x8F32): the customer closes it.  MM_ESTATE while another reason holds it off. */
int mm_contactor_remote_arm(mm_contactor *c, uint32_t now);
/* The customer's button: closes an armed supply (also one armed by load limiting). */
int mm_contactor_button(mm_contactor *c, uint32_t now);
/* Prepayment's verdict: WANTS_OFF opens the supply; when it clears, the supply arms. */
void mm_contactor_credit(mm_contactor *c, bool wants_off, uint32_t now);
int mm_contactor_set_load_limit(mm_contactor *c, const mm_load_limit *ll, uint32_t now);

/* Active power from NOW on [mW, + import]; call at every change. */
void mm_contactor_power(mm_contactor *c, int32_t p_mw, uint32_t now);
/* Process deadlines up to NOW: load-limit trip and restoration, ALCS switching, boosts. */
void mm_contactor_update(mm_contactor *c, uint32_t now);
/* Earliest meter time after the last update at which something is due; UINT32_MAX if none. */
uint32_t mm_contactor_next_event(const mm_contactor *c);

/* Hold switch IDX on for DURATION_S from NOW (0 cancels).  MM_EINVAL for a bad IDX. */
int mm_contactor_boost(mm_contactor *c, unsigned idx, uint32_t duration_s, uint32_t now);

static inline bool mm_contactor_closed(const mm_contactor *c)
{
    return c->state == MM_SUPPLY_CONNECTED;
}
static inline bool mm_contactor_alcs_on(const mm_contactor *c, unsigned idx)
{
    return idx < MM_ALCS_MAX && (c->alcs_on >> idx & 1u);
}

#ifdef __cplusplus
}
#endif

#endif
