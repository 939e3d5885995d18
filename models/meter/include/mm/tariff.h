/* Tariff: the DCC tariff model of a GB SMETS2 ESME -- time-of-use, block and hybrid pricing
 * with a switching calendar, a standing charge, a pending tariff and billing snapshots.
 *
 * Model (DCC duis-templates tariff model): up to 48 TOU prices; 8 block
 * price sets, each with up to 3 thresholds and 4 prices; a calendar of up to 4 seasons (each
 * starting on a date and naming a week profile), 4 week profiles (a day profile per weekday),
 * 16 day profiles of up to 48 switch points, and up to 50 special days that override the week
 * profile.  A switch point selects a TOU rate, a block price set, or both (hybrid: the price
 * of a Wh is then the TOU price plus the block price -- our reading of "hybrid TOU+block";
 * the DCC tariff model is cited only for its being allowed).  Prices are integers with a
 * power-of-ten scale (10^price_scale pence per kWh), the standing charge has its own
 * (10^standing_scale pence per day).  No floating point anywhere.
 *
 * Design: mm_tariff_def is const and shared (the simulator gives one definition to many
 * meters: a full calendar is several KiB and is never copied); mm_tariff is the small
 * per-meter state: the TOU and block registers, cost accumulators and the cached rate.
 * Billing snapshots live in an array the caller provides (depth 12 on a real meter,
 * gecko_sdk; 0 allowed).
 *
 * Dynamic prices (day-ahead or real-time, sent by the head-end as commands) cannot go into the
 * shared definition, so a meter that takes them gets a caller-owned mm_price_table: the TOU
 * price of each rate in force, and at most one pending price per rate with the meter time it
 * takes over.  With a table attached the TOU prices come from it, not from the definition;
 * block prices, the calendar and the standing charge stay the definition's.  A pending price
 * is a change like a switch point (mm_tariff_next_change includes the earliest one), so the
 * energy before its instant is priced at the old price and the energy after at the new one.
 * When a new definition takes over, the table restarts from its prices and pending prices are
 * dropped (they were set against the old definition's rates and scale).
 *
 * Units and exactness: cost is counted in mm_cost_t, 10^-MM_COST_DECIMALS pence.  Energy is
 * priced per whole Wh: the energy fed in uJ is split into Wh plus a carried remainder
 * (energy.h), and one Wh at price p of scale s costs exactly p 10^(s - 3 + MM_COST_DECIMALS)
 * cost units, an integer -- so registers and cost are identical for any split of the energy
 * into calls at the same times.  The standing charge accrues linearly in meter time: by
 * second t of a day, floor(C t / 86400) of the day's C units, so it telescopes exactly
 * whatever the call pattern, and each day adds exactly C.
 *
 * Driving it (the ESME composite): energy consumed in (previous call, NOW] is priced at the
 * rate in force at the previous call, so split the interval at mm_tariff_next_change() --
 * the next switch point, day change, pending activation, block period end or billing close.
 * mm_tariff_accumulate returns the cost added by the call (energy plus standing charge), which
 * prepayment debits; mm_cost_take_pence turns an accumulated cost into whole pence.
 *
 * Deliberately not here: export tariffs, credit and debt (the supply side), reading the clock
 * (the caller passes meter time), where the definition comes from (commands).
 */
#ifndef MM_TARIFF_H
#define MM_TARIFF_H

#include <stdint.h>

#include "mm/meter.h"
#include "mm/mm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Cost [10^-MM_COST_DECIMALS pence]; int64 holds 9.2e10 p (GBP 922 M) at 8 decimals. */
typedef int64_t mm_cost_t;

#define MM_P10_(d, k) ((d) > (k) ? 10 : 1)
#define MM_COST_PER_PENNY                                                                          \
    ((mm_cost_t)MM_P10_(MM_COST_DECIMALS, 0) * MM_P10_(MM_COST_DECIMALS, 1) *                     \
     MM_P10_(MM_COST_DECIMALS, 2) * MM_P10_(MM_COST_DECIMALS, 3) * MM_P10_(MM_COST_DECIMALS, 4) * \
     MM_P10_(MM_COST_DECIMALS, 5) * MM_P10_(MM_COST_DECIMALS, 6) * MM_P10_(MM_COST_DECIMALS, 7) * \
     MM_P10_(MM_COST_DECIMALS, 8) * MM_P10_(MM_COST_DECIMALS, 9))

#define MM_TARIFF_NONE 0xFFu  /* no TOU rate / no price set at this switch point */
#define MM_TARIFF_NEVER UINT32_MAX

typedef struct mm_tariff_switch {
    uint16_t minute;   /* start, minutes after midnight (0..1439); ascending, first is 0 */
    uint8_t rate;      /* TOU rate 0..MM_TARIFF_TOU_RATES-1, or MM_TARIFF_NONE */
    uint8_t price_set; /* block price set 0..MM_TARIFF_PRICE_SETS-1, or MM_TARIFF_NONE */
} mm_tariff_switch;

typedef struct mm_tariff_day_profile {
    uint8_t n; /* switch points in use, 1..MM_TARIFF_SWITCHES (0: profile unused) */
    mm_tariff_switch sw[MM_TARIFF_SWITCHES];
} mm_tariff_day_profile;

typedef struct mm_tariff_season {
    uint8_t month, day; /* first day of the season, every year; seasons sorted by date */
    uint8_t week;       /* week profile 0..MM_TARIFF_WEEK_PROFILES-1 */
} mm_tariff_season;

typedef struct mm_tariff_special_day {
    uint16_t year;       /* 0: every year */
    uint8_t month, day;
    uint8_t day_profile; /* 0..MM_TARIFF_DAY_PROFILES-1 */
} mm_tariff_special_day;

/* Block prices: price[k] applies to the Wh consumed in the block period while the block
 * period consumption is at or above threshold_wh[k-1] and below threshold_wh[k] ("the first
 * x units at y rate, then the rest at z rate" is threshold {x}, prices {y, z}; seed 000). */
typedef struct mm_tariff_price_set {
    uint8_t n_thresholds;                        /* 0..3: n + 1 prices in use */
    uint32_t threshold_wh[MM_TARIFF_THRESHOLDS]; /* strictly ascending [Wh] */
    uint32_t price[MM_TARIFF_THRESHOLDS + 1];    /* [10^price_scale p/kWh] */
} mm_tariff_price_set;

typedef enum mm_billing {
    MM_BILLING_NONE = 0, /* only mm_tariff_billing_close */
    MM_BILLING_DAILY,    /* at 00:00 */
    MM_BILLING_WEEKLY,   /* Monday 00:00 */
    MM_BILLING_MONTHLY,  /* billing_day of each month, 00:00 */
} mm_billing;

typedef struct mm_tariff_def {
    uint32_t id;                 /* supplier's tariff id, copied into snapshots */
    int8_t price_scale;          /* prices in 10^price_scale p/kWh; >= 3 - MM_COST_DECIMALS */
    int8_t standing_scale;       /* standing charge in 10^standing_scale p/day; >= -DECIMALS */
    uint8_t gb_local_time;       /* 1: switch points, dates, billing in GMT/BST; 0: UTC */
    uint8_t billing;             /* mm_billing */
    uint8_t billing_day;         /* 1..28, MM_BILLING_MONTHLY */
    uint8_t n_seasons;           /* 1..MM_TARIFF_SEASONS */
    uint8_t n_special;           /* 0..MM_TARIFF_SPECIAL_DAYS */
    uint32_t standing_charge;    /* per day [10^standing_scale p] */
    uint32_t block_period_min;   /* block period length [min]; 0: the billing period */
    uint32_t block_period_start; /* a block period boundary [meter time, s] */
    uint32_t tou_price[MM_TARIFF_TOU_RATES];               /* [10^price_scale p/kWh] */
    mm_tariff_price_set price_set[MM_TARIFF_PRICE_SETS];
    mm_tariff_season season[MM_TARIFF_SEASONS];
    uint8_t week[MM_TARIFF_WEEK_PROFILES][7];              /* day profile, Monday first */
    mm_tariff_day_profile day[MM_TARIFF_DAY_PROFILES];
    mm_tariff_special_day special[MM_TARIFF_SPECIAL_DAYS];
} mm_tariff_def;

/* One billing period, taken when it closes. */
typedef struct mm_tariff_snapshot {
    uint32_t time;                                               /* close [meter time, s] */
    uint32_t tariff_id;                                          /* definition in force */
    uint32_t tou_wh[MM_TARIFF_TOU_RATES];                        /* TOU registers [Wh] */
    uint32_t block_wh[MM_TARIFF_PRICE_SETS][MM_TARIFF_THRESHOLDS + 1]; /* block registers */
    uint64_t import_wh;                                          /* consumption register */
    mm_cost_t energy_cost;                                       /* in the period */
    mm_cost_t standing_cost;                                     /* in the period */
    mm_max_demand md;            /* filled by the caller (mm_tariff_snapshot_set_md) */
} mm_tariff_snapshot;

/* Dynamic TOU prices of one meter (external flash on a real meter: it outlives the RAM state,
 * see mm_tariff_resume_prices).  576 B with 48 rates. */
typedef struct mm_price_table {
    uint32_t active[MM_TARIFF_TOU_RATES];     /* in force [10^price_scale p/kWh] */
    uint32_t pending[MM_TARIFF_TOU_RATES];    /* next price of each rate ... */
    uint32_t pending_at[MM_TARIFF_TOU_RATES]; /* ... from then [s]; MM_TARIFF_NEVER: none */
} mm_price_table;

/* Per-meter state.  Registers are cumulative (cyclic at 2^32 Wh) and never reset. */
typedef struct mm_tariff {
    const mm_tariff_def *def;     /* in force */
    const mm_tariff_def *pending; /* activates at pending_at, or NULL */
    mm_tariff_snapshot *snap;     /* caller's ring, depth entries */
    mm_price_table *prices;       /* caller's dynamic TOU prices, or NULL: the def's */
    uint32_t now;                 /* meter time the state has reached [s] */
    uint32_t next_change;         /* when the rate or period may change next [s] */
    uint32_t pending_at;          /* [s] */
    uint32_t billing_next;        /* next billing close [s], MM_TARIFF_NEVER */
    uint32_t block_next;          /* next block period boundary [s], MM_TARIFF_NEVER */
    uint32_t rem_uj;              /* import energy below one Wh, not yet priced [uJ] */
    uint32_t block_period_wh;     /* consumption in the block period [Wh] */
    uint16_t depth, head, count;  /* snapshot ring */
    uint8_t rate, price_set;      /* in force, or MM_TARIFF_NONE */
    uint8_t events;               /* MM_TARIFF_EV_* not yet taken */
    uint64_t import_wh;           /* Wh priced since init */
    mm_cost_t bill_energy;        /* energy cost in the billing period */
    mm_cost_t bill_standing;      /* standing charge in the billing period */
    mm_cost_t total;              /* all cost since init */
    uint32_t tou_wh[MM_TARIFF_TOU_RATES];
    uint32_t block_wh[MM_TARIFF_PRICE_SETS][MM_TARIFF_THRESHOLDS + 1];
} mm_tariff;

#define MM_TARIFF_EV_BILLING 0x01u   /* a billing period closed (snapshot taken) */
#define MM_TARIFF_EV_ACTIVATED 0x02u /* the pending tariff took over */
#define MM_TARIFF_EV_BLOCK 0x04u     /* a block period began */

/* MM_OK, or MM_EINVAL for a definition outside the model: an index out of range, switch
 * points not ascending or not starting at 00:00, a referenced day profile empty, seasons not
 * in date order, thresholds not ascending, a scale below the cost unit or a price whose cost
 * per Wh exceeds 2^39 units, a standing charge above 2^45 units a day. */
int mm_tariff_def_check(const mm_tariff_def *def);

/* Start at meter time NOW with DEF in force and all registers zero.  SNAPS may be NULL with
 * DEPTH 0.  DEF must outlive its use.  MM_EINVAL as mm_tariff_def_check, or NULL arguments. */
int mm_tariff_init(mm_tariff *t, const mm_tariff_def *def, uint32_t now, mm_tariff_snapshot *snaps,
                   uint16_t depth);
void mm_tariff_deinit(mm_tariff *t); /* accepts NULL */

/* Schedule DEF to take over at meter time AT (replacing any pending one); at or before the
 * state's time it takes over at once.  The registers carry on; an attached price table
 * restarts from DEF's prices when DEF takes over. */
int mm_tariff_set_pending(mm_tariff *t, const mm_tariff_def *def, uint32_t at);

/* Take TOU prices from TABLE from now on, starting from the prices of the definition in force
 * with nothing pending (commissioning).  TABLE NULL: back to the definition's prices.  TABLE
 * must outlive its use.  MM_EINVAL for a NULL or uninitialised state. */
int mm_tariff_attach_prices(mm_tariff *t, mm_price_table *table);

/* Attach TABLE as it was kept through a power cut: pending prices due by the state's time take
 * over at once, the others stay pending.  MM_ECORRUPT if it holds a price the definition in
 * force cannot take (then it restarts as mm_tariff_attach_prices would); MM_EINVAL for NULL
 * arguments or an uninitialised state. */
int mm_tariff_resume_prices(mm_tariff *t, mm_price_table *table);

/* New prices PRICE[0..N) of TOU rates FIRST .. FIRST+N-1, taking over at meter time AT, or at
 * once if AT is at or before the state's time.  A future price replaces the rate's pending one
 * (one per rate); a price taking over at once leaves it pending.  All or nothing: MM_EINVAL
 * for N 0, FIRST + N above MM_TARIFF_TOU_RATES, or a price mm_tariff_def_check would refuse at
 * the definition's price_scale; MM_ENOTSUP (status_supply.h) if no table is attached. */
int mm_tariff_update_prices(mm_tariff *t, uint32_t at, unsigned first, unsigned n,
                            const uint32_t *price);

/* Price IMPORT_UJ of energy consumed since the previous call at the rate in force then, then
 * bring the state to meter time NOW (standing charge, switch points, activation, block and
 * billing periods).  Returns the cost added [mm_cost_t], >= 0.  A NOW before the state's time
 * (the clock was set back) moves nothing but the energy.  One call prices at most 2^22 Wh. */
mm_cost_t mm_tariff_accumulate(mm_tariff *t, uint32_t now, uint64_t import_uj);

/* Meter time at which the rate, prices or periods may next change; split energy there. */
static inline uint32_t mm_tariff_next_change(const mm_tariff *t)
{
    return t->next_change;
}

/* Cost of the next Wh at the state's time [mm_cost_t] (what an IHD shows as the price; the
 * table's TOU price when one is attached). */
mm_cost_t mm_tariff_unit_cost(const mm_tariff *t);

/* At least what mm_tariff_accumulate(T, UNTIL, IMPORT_UJ) would return, without changing T:
 * the energy at the dearest block its price set has, plus the standing charge exactly.
 * -1 if UNTIL is past mm_tariff_next_change (the rate may change on the way) or the energy is
 * more than one call prices. */
mm_cost_t mm_tariff_cost_bound(const mm_tariff *t, uint32_t until, uint64_t import_uj);

/* MM_TARIFF_EV_* raised since the last call, and clears them. */
unsigned mm_tariff_take_events(mm_tariff *t);

/* Close the billing period now (a command; the calendar closes it by itself): snapshot, then
 * the period's costs (and block consumption, if the block period is the billing period)
 * restart at zero. */
void mm_tariff_billing_close(mm_tariff *t);

/* AGE 0 is the newest snapshot.  MM_ENOENT if not (or no longer) kept. */
int mm_tariff_snapshot_get(const mm_tariff *t, uint16_t age, mm_tariff_snapshot *out);
/* Record the billing period's maximum demand in the newest snapshot.  MM_ENOENT if none. */
int mm_tariff_snapshot_set_md(mm_tariff *t, const mm_max_demand *md);

/* Whole pence out of *ACC (rounded towards minus infinity); the fraction stays in *ACC. */
int64_t mm_cost_take_pence(mm_cost_t *acc);

#ifdef __cplusplus
}
#endif

#endif
