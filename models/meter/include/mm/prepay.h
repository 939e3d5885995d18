/* Prepay: the meter's payment modes and, in prepayment mode, its credit, emergency credit,
 * debt recovery and the decision to disable supply for lack of credit.
 *
 * GB model (seed 000, Aclara SGM1400 manual; alert codes from GBCS via
 * wireshark packet-gbcs.c):
 * - Credit and prepayment modes, switched by command.  In credit mode nothing here debits or
 *   disables; the tariff's cost registers are the bill.
 * - The meter balance falls with the cost of energy (mm_prepay_debit) and with time-based debt
 *   recovery, and rises with top-ups.  Available credit = balance, plus the emergency credit
 *   limit while emergency credit is in use.
 * - Emergency credit: offered once the balance falls below ec_threshold (0x8119), activated by
 *   the customer (0x81AB), used while the balance is negative down to -ec_limit, exhausted
 *   there (0x81AA).  A top-up repays it first (it is a negative balance); once the balance is
 *   back to zero or more it can be offered again.
 * - Two time-based debts, each recovered at `rate` per `period_s` from the balance at each
 *   period boundary of the meter clock, and one payment-based debt, recovered as a percentage
 *   of each top-up (e.g. 10 %) capped per cap period (e.g. a week).  Cleared debts log
 *   0x81A7/0x81A8/0x81A9.
 * - Low credit: available credit below low_credit logs 0x810D once per crossing.
 * - Disablement: available credit below the disablement threshold raises 0x8F0F and asks for
 *   the supply to be disabled -- except inside a non-disablement (friendly) period, when the
 *   meter logs 0x8F83 (disablement suspended) and disables only when the period ends.  When
 *   available credit is back at or above the threshold (top-up, emergency credit, credit mode)
 *   the request is withdrawn; the contactor then arms rather than reconnects (contactor.h).
 * Time is the meter clock in seconds (UTC; friendly periods use UTC weekdays and minutes, not
 * BST).  Deliberately not here: the contactor itself, tariffs and cost (the ESME composite
 * debits what the tariff charges), UTRN checks (utrn.h).
 */
#ifndef MM_PREPAY_H
#define MM_PREPAY_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/event_log.h"
#include "mm/mm_config.h"
#include "mm/money.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mm_payment_mode {
    MM_MODE_CREDIT = 0,
    MM_MODE_PREPAYMENT = 1,
} mm_payment_mode;

typedef enum mm_ec_state {
    MM_EC_NONE = 0,      /* not offered */
    MM_EC_AVAILABLE = 1, /* offered, not activated */
    MM_EC_ACTIVE = 2,    /* in use */
    MM_EC_EXHAUSTED = 3, /* used up; repaid by the next top-ups */
} mm_ec_state;

enum { MM_DEBT_TIME_1 = 0, MM_DEBT_TIME_2 = 1, MM_DEBT_PAYMENT = 2, MM_DEBT_COUNT = 3 };

typedef struct mm_friendly_period {
    uint8_t days;       /* weekday mask: bit 0 Monday .. bit 6 Sunday; 0 = unused entry */
    uint16_t start_min; /* start, minute of the day, inclusive [min, UTC] */
    uint16_t end_min;   /* end, minute of the day, exclusive; 1440 = midnight [min] */
} mm_friendly_period;

typedef struct mm_time_debt_config {
    mm_credit_t rate;  /* recovered each period [credit units] */
    uint32_t period_s; /* recovery period [s]; 0 = never recovered */
} mm_time_debt_config;

typedef struct mm_prepay_config {
    mm_credit_t low_credit;   /* 0x810D below this available credit */
    mm_credit_t disablement;  /* disable below this available credit (usually 0) */
    mm_credit_t ec_threshold; /* emergency credit offered below this balance */
    mm_credit_t ec_limit;     /* emergency credit amount; 0 = none offered */
    mm_time_debt_config time_debt[2];
    uint8_t payment_debt_percent;       /* share of each top-up recovered [%] */
    mm_credit_t payment_debt_cap;       /* most recovered per cap period; 0 = no cap */
    uint32_t payment_debt_cap_period_s; /* cap period [s], e.g. 604800 (a week) */
    mm_friendly_period friendly[MM_FRIENDLY_MAX];
} mm_prepay_config;

typedef struct mm_prepay {
    const mm_prepay_config *cfg;
    mm_event_log *log;
    mm_credit_t balance;             /* meter balance, < 0 while on emergency credit */
    mm_credit_t debt[MM_DEBT_COUNT]; /* outstanding debts */
    mm_credit_t pay_collected;       /* payment debt recovered in the current cap period */
    uint32_t pay_period;             /* index of that cap period (time / cap period) */
    uint32_t debt_period[2];         /* period index of the last time-debt collection */
    uint32_t now;                    /* meter time of the last update [s] */
    uint8_t mode;                    /* mm_payment_mode */
    uint8_t ec;                      /* mm_ec_state */
    uint8_t flags;                   /* MM_PP_* */
    uint8_t rsv;
} mm_prepay;

#define MM_PP_LOW_ALERTED 0x01u /* 0x810D logged for the current crossing */
#define MM_PP_DISABLE 0x02u     /* supply must be off for lack of credit */
#define MM_PP_SUSPENDED 0x04u   /* below the threshold inside a friendly period */

/* Start in MODE with BALANCE and no debt at meter time NOW.  CFG and LOG kept by pointer. */
int mm_prepay_init(mm_prepay *p, const mm_prepay_config *cfg, mm_event_log *log,
                   mm_payment_mode mode, mm_credit_t balance, uint32_t now);
void mm_prepay_deinit(mm_prepay *p); /* accepts NULL */

/* Bring the state to meter time NOW: time-debt recovery, end of friendly periods, alerts. */
void mm_prepay_update(mm_prepay *p, uint32_t now);
/* Charge COST (>= 0) of energy used up to NOW (prepayment mode only), then update. */
void mm_prepay_debit(mm_prepay *p, mm_credit_t cost, uint32_t now);
/* Add AMOUNT (> 0) of credit at NOW: payment-debt share first, the rest to the balance.
 * *RECOVERED (may be NULL) gets the share recovered.  MM_EINVAL for AMOUNT <= 0. */
int mm_prepay_top_up(mm_prepay *p, mm_credit_t amount, uint32_t now, mm_credit_t *recovered);
/* Customer activates emergency credit.  MM_ESTATE unless it is available. */
int mm_prepay_ec_activate(mm_prepay *p, uint32_t now);
int mm_prepay_set_mode(mm_prepay *p, mm_payment_mode mode, uint32_t now);
/* Set outstanding debt WHICH (MM_DEBT_*) to AMOUNT >= 0 (a supplier command). */
int mm_prepay_set_debt(mm_prepay *p, unsigned which, mm_credit_t amount, uint32_t now);

/* Balance plus the emergency credit still usable. */
mm_credit_t mm_prepay_available(const mm_prepay *p);
/* Whether prepayment wants the supply off now (credit below disablement, no friendly period). */
static inline bool mm_prepay_wants_disable(const mm_prepay *p)
{
    return (p->flags & MM_PP_DISABLE) != 0;
}
/* Whether meter time T lies in a configured friendly period. */
bool mm_prepay_friendly(const mm_prepay_config *cfg, uint32_t t);
/* Whether debiting any amount from 0 to DEBIT, in one or several debits, changes nothing but
 * the balance: no alert, no change of emergency credit or of the supply's state.  The caller
 * (the ESME) uses it to debit a run of minutes at once; false outside prepayment mode, while
 * suspended in a friendly period, or when the state is not settled (evaluate would change it
 * even without a debit). */
bool mm_prepay_debit_quiet(const mm_prepay *p, mm_credit_t debit);
/* Earliest meter time after NOW at which mm_prepay_update would change something by time
 * alone (a debt period boundary, a friendly period edge while suspended); UINT32_MAX if none. */
uint32_t mm_prepay_next_event(const mm_prepay *p);

#ifdef __cplusplus
}
#endif

#endif
