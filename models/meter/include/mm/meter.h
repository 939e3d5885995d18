/* Meter: the metrology registers and half-hourly profile log of a GB SMETS2
 * electricity meter (ESME), as portable firmware.
 *
 * This is the part of the firmware core the simulator drives for every household:
 * the power path takes (P, Q, duration) and integrates energy exactly into the four
 * cumulative registers (active import/export in Wh, reactive import/export in varh),
 * carrying the sub-unit remainder so that any split of an interval gives the same
 * registers.  At each half-hour boundary the caller closes the period and the meter
 * appends one slot to its profile log.  The waveform path (mm/metrology.h) feeds the same
 * registers through mm_meter_add_energy.
 *
 * Demand: the instantaneous demand is the last active power seen; block demand is the
 * import energy of each integration period (config demand_minutes, a divisor of 30, blocks
 * restart at every half-hour close) divided by its nominal length, and the maximum block
 * demand is kept per billing period (seed 002: maximum-demand registers) until the
 * caller closes the billing period with mm_meter_max_demand_reset.  The profile slot also
 * carries the time-weighted average voltage of the period (a fifth channel; the issue asks
 * for import, export and at least two more: reactive import/export and average voltage).
 *
 * Deliberately not here: tariffs, prepayment, commands, the clock (mm/tariff.h,
 * mm/clock.h, the supply side).  The meter never reads a clock: the caller decides when a
 * period closes.  No allocation: the caller provides the meter struct and the profile log
 * storage (external flash on a real meter).
 *
 * Registers are cyclic at 10^register_digits units and never resettable (seed 002:
 * cumulative import and export, "cyclic and non-reset-able").
 */
#ifndef MM_METER_H
#define MM_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Energy in micro-joules: what mW x ms gives, so integration is exact in integers.
 * 1 Wh = 3.6e9 uJ. */
typedef int64_t mm_uj_t;
typedef uint64_t mm_wh_t; /* register value [Wh] or [varh] */

#define MM_UJ_PER_WH ((mm_uj_t)3600000000LL)

typedef enum mm_channel {
    MM_CH_IMPORT = 0, /* active import  [Wh]   */
    MM_CH_EXPORT,     /* active export  [Wh]   */
    MM_CH_RIMPORT,    /* reactive import [varh] (Q > 0, lagging) */
    MM_CH_REXPORT,    /* reactive export [varh] (Q < 0, leading) */
    MM_CH_COUNT
} mm_channel;

/* Status bits of a profile slot. */
#define MM_SLOT_NO_VOLTAGE 0x0001u /* no voltage was given in the period; v_avg_dv is 0 */
#define MM_SLOT_SHORT 0x0002u      /* less than 30 min of metered time in the period */
#define MM_SLOT_LONG 0x0004u       /* more than 30 min (the clock was set back) */
#define MM_SLOT_CLOCK_SET 0x0008u  /* set by the caller: the clock was adjusted */
#define MM_SLOT_OUTAGE 0x0010u     /* set by the caller: the supply failed in the period */

/* One half-hour of the profile log: 24 bytes (the voltage and status use what would
 * otherwise be padding after a 16-bit field). */
typedef struct mm_profile_slot {
    uint32_t period;          /* half-hour index since the meter's epoch */
    uint32_t wh[MM_CH_COUNT]; /* energy in the period per channel [Wh]/[varh] */
    uint16_t v_avg_dv;        /* time-weighted average voltage [0.1 V]; 0: none */
    uint16_t status;          /* MM_SLOT_* */
} mm_profile_slot;

typedef struct mm_meter_config {
    uint8_t register_digits; /* registers wrap at 10^digits units; 6..12 */
    uint8_t demand_minutes;  /* block demand integration period [min], divides 30; 0 = 30 */
} mm_meter_config;

/* Maximum block demand of a billing period. */
typedef struct mm_max_demand {
    uint32_t mw;     /* highest block demand [mW] (import) */
    uint32_t period; /* half-hour index in which that block ended */
} mm_max_demand;

typedef struct mm_register {
    mm_wh_t value;     /* 0 .. 10^digits - 1 [Wh] */
    mm_uj_t remainder; /* carried energy below one unit, 0 .. MM_UJ_PER_WH-1 [uJ] */
} mm_register;

typedef struct mm_meter {
    const mm_meter_config *cfg;
    mm_wh_t modulus;                   /* 10^register_digits */
    mm_register reg[MM_CH_COUNT];
    mm_wh_t period_start[MM_CH_COUNT]; /* register values when the open period began */
    mm_profile_slot *log;              /* caller's storage, `depth` slots, ring */
    uint32_t depth;
    uint32_t head;                     /* next slot to write */
    uint32_t count;                    /* valid slots, <= depth */
    uint32_t period;                   /* index of the open period */
    int32_t demand_mw;                 /* instantaneous active power, + import [mW] */
    uint32_t v_mv;                     /* voltage in force, 0 = not measured [mV] */
    uint32_t v_ms;                     /* time with a voltage in the open period [ms] */
    uint64_t v_sum;                    /* voltage x time in the open period [mV ms] */
    uint32_t period_ms;                /* power-path time in the open period [ms] */
    uint32_t block_ms;                 /* elapsed in the open demand block [ms] */
    uint64_t block_uj;                 /* import energy in the open demand block [uJ] */
    uint32_t block_len_ms;             /* nominal demand integration period [ms] */
    uint32_t block_demand_mw;          /* demand of the last completed block [mW] */
    mm_max_demand md;                  /* maximum demand of the open billing period */
    uint16_t slot_status;              /* MM_SLOT_* bits raised in the open period */
} mm_meter;

/* Status codes of the whole core (0 ok, negative error), with their messages in
 * MM_STATUS_MAP so any code can be printed (mm_strerror).  Add new codes at the end, keep
 * MM_ELAST the most negative, and never renumber: codes appear in traces. */
#define MM_OK 0
#define MM_EINVAL (-1)
#define MM_ENOENT (-2)
#define MM_EIO (-3)            /* a HAL call failed (NVM write cut by power loss, ...) */
#define MM_ECORRUPT (-4)       /* a stored record fails its CRC */
#define MM_ESELF_ENERGY (-5)   /* self-test: energy division vectors */
#define MM_ESELF_WRAP (-6)     /* self-test: register wrap arithmetic */
#define MM_ESELF_CRC (-7)      /* self-test: CRC-32 check value */
#define MM_ESELF_METER (-8)    /* self-test: meter power path and profile log */
#define MM_ESELF_CLOCK (-9)    /* HAL self-test: monotonic clock went backwards */
#define MM_ESELF_RNG (-10)     /* HAL self-test: random source repeats itself */
#define MM_EREFUSED (-11)      /* refused by meter policy (clock change > 10 s, ...) */
#define MM_ELAST MM_EREFUSED

#define MM_STATUS_MAP(X)                                                                       \
    X(MM_OK, "ok")                                                                             \
    X(MM_EINVAL, "invalid argument")                                                           \
    X(MM_ENOENT, "no such entry")                                                              \
    X(MM_EIO, "HAL I/O error")                                                                 \
    X(MM_ECORRUPT, "stored record fails its CRC")                                              \
    X(MM_ESELF_ENERGY, "self-test failed: energy arithmetic")                                  \
    X(MM_ESELF_WRAP, "self-test failed: register wrap")                                        \
    X(MM_ESELF_CRC, "self-test failed: CRC-32")                                                \
    X(MM_ESELF_METER, "self-test failed: meter power path or profile log")                     \
    X(MM_ESELF_CLOCK, "HAL self-test failed: clock went backwards")                            \
    X(MM_ESELF_RNG, "HAL self-test failed: random source repeats")                             \
    X(MM_EREFUSED, "refused by meter policy")

/* Message for a status code; "unknown status" for a code not in MM_STATUS_MAP. */
const char *mm_strerror(int status);

/* Start a meter with all registers at zero and FIRST_PERIOD open.  CFG is kept by pointer and
 * must outlive the meter.  LOG may be NULL only with DEPTH 0 (no profile kept).  MM_EINVAL
 * for a NULL meter or config, digits outside MM_REGISTER_DIGITS_MIN..MAX, demand_minutes
 * not dividing 30, or NULL storage. */
int mm_meter_init(mm_meter *m, const mm_meter_config *cfg, mm_profile_slot *log, uint32_t depth,
                  uint32_t first_period);
void mm_meter_deinit(mm_meter *m); /* accepts NULL */

/* Power path: constant P [mW] (+ import, - export) and Q [mvar] (+ lagging) for DT_MS.
 * Demand blocks that end inside DT_MS are closed at their exact millisecond. */
void mm_meter_advance(mm_meter *m, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms);

/* Energy already integrated elsewhere (the waveform path, mm/metrology.h): P_UJ and Q_UJ
 * (signed like P and Q) over DT_MS, routed by sign as the power path does.  The whole amount
 * counts in the demand block open at the start; a block that ends inside DT_MS closes
 * after it (metrology windows are 200 ms, so a block boundary moves by less than that). */
void mm_meter_add_energy(mm_meter *m, int64_t p_uj, int64_t q_uj, uint32_t dt_ms);

/* Voltage [mV] in force from now until changed (0: not measured, e.g. the power path without
 * a voltage model); averaged over time into the open period's profile slot. */
void mm_meter_set_voltage(mm_meter *m, uint32_t v_mv);

/* Instantaneous demand [mW] as measured by the waveform path. */
void mm_meter_set_demand(mm_meter *m, int32_t p_mw);

/* OR status bits (MM_SLOT_CLOCK_SET, MM_SLOT_OUTAGE, ...) into the open period's slot. */
void mm_meter_flag_period(mm_meter *m, uint16_t bits);

/* Maximum block demand of the open billing period (mw 0 if no block has ended). */
void mm_meter_max_demand(const mm_meter *m, mm_max_demand *out);
/* Close the billing period: *CLOSED (may be NULL) receives its maximum demand, which then
 * restarts at zero.  The cumulative registers are untouched (they cannot be reset). */
void mm_meter_max_demand_reset(mm_meter *m, mm_max_demand *closed);

/* Close the open half-hour: append a slot with the per-channel deltas (modulo the wrap),
 * the average voltage and status bits, close the open demand block, and open the next
 * period.  A delta is only meaningful if the register wrapped at most once
 * in the period (a 100 A supply gives about 11.5 kWh per half-hour, far below any wrap); a
 * delta above UINT32_MAX units is stored as UINT32_MAX. */
void mm_meter_hh_close(mm_meter *m);

/* AGE 0 is the most recently closed period. MM_ENOENT when not (or no longer) logged. */
int mm_meter_profile(const mm_meter *m, uint32_t age, mm_profile_slot *out);

static inline mm_wh_t mm_meter_register(const mm_meter *m, mm_channel ch)
{
    return m->reg[ch].value;
}

#ifdef __cplusplus
}
#endif

#endif
