/* Meter: the metrology registers and half-hourly profile log of a GB SMETS2
 * electricity meter (ESME), as portable firmware.
 *
 * This is the part of the firmware core the simulator drives for every household:
 * the power path takes (P, Q, duration) and integrates energy exactly into the four
 * cumulative registers (active import/export in Wh, reactive import/export in varh),
 * carrying the sub-unit remainder so that any split of an interval gives the same
 * registers.  At each half-hour boundary the caller closes the period and the meter
 * appends one slot to its profile log.
 *
 * Deliberately not here: tariffs, prepayment, commands, waveform metrology, clock
 * (later modules of the core).  No allocation: the caller provides the meter struct
 * and the profile log storage (external flash on a real meter).
 *
 * Registers are cyclic at 10^register_digits units and never resettable (FACTS.md:
 * "cumulative import and export registers are cyclic and cannot be reset", seed 002).
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

/* One half-hour of the profile log. */
typedef struct mm_profile_slot {
    uint32_t period;              /* half-hour index since the meter's epoch */
    uint32_t wh[MM_CH_COUNT];     /* energy in the period per channel [Wh]/[varh] */
} mm_profile_slot;

typedef struct mm_meter_config {
    uint8_t register_digits; /* registers wrap at 10^digits units; 6..12 */
} mm_meter_config;

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
#define MM_ELAST MM_ESELF_RNG

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
    X(MM_ESELF_RNG, "HAL self-test failed: random source repeats")

/* Message for a status code; "unknown status" for a code not in MM_STATUS_MAP. */
const char *mm_strerror(int status);

/* Start a meter with all registers at zero and FIRST_PERIOD open.  CFG is kept by pointer and
 * must outlive the meter.  LOG may be NULL only with DEPTH 0 (no profile kept).  MM_EINVAL
 * for a NULL meter or config, digits outside MM_REGISTER_DIGITS_MIN..MAX, or NULL storage. */
int mm_meter_init(mm_meter *m, const mm_meter_config *cfg, mm_profile_slot *log, uint32_t depth,
                  uint32_t first_period);
void mm_meter_deinit(mm_meter *m); /* accepts NULL */

/* Power path: constant P [mW] (+ import, - export) and Q [mvar] (+ lagging) for DT_MS. */
void mm_meter_advance(mm_meter *m, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms);

/* Close the open half-hour: append a slot with the per-channel deltas (modulo the wrap)
 * and open the next period.  A delta is only meaningful if the register wrapped at most once
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
