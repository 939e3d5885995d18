/* Clock: the meter's real-time clock policy, built on the clock HAL.
 *
 * The RTC itself (a 32 kHz crystal with its own error, a backup battery) is hardware and
 * lives behind mm_hal_clock; its drift is a property of that hardware, so the simulator's
 * port applies a configured drift in ppm (mm_port_sim_clock_set_drift) and the firmware, like
 * a real meter, cannot see it -- it only ever sees the time the RTC reads.  This module adds
 * what the firmware decides: a time-set command that would move the clock by more than
 * MM_CLOCK_MAX_ADJUST_S seconds is refused and alert 0x8F0C logged (GBCS alert 0x8F0C,
 * wireshark packet-gbcs.c: a clock change of more than 10 s is refused and alerted); half-hour
 * periods are counted on the meter's own clock; and UTC <-> civil date and GB local time
 * (GMT/BST) for tariffs and billing calendars.
 *
 * Half-hour boundaries follow the meter's clock: mm_clock_next_boundary gives the meter time
 * of the next boundary; the simulator turns it into simulated time with the port's
 * mm_port_sim_clock_sim_ms_at (which knows the drift) and closes the period then.
 *
 * Deliberately not here: holding the time in RAM (every read asks the HAL, so a lost RTC is
 * seen at once), time synchronisation protocols, time zones other than GB.
 */
#ifndef MM_CLOCK_H
#define MM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/event_log.h"
#include "mm/meter.h"
#include "mm_hal_clock.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_CLOCK_MAX_ADJUST_S 10u /* largest accepted change [s]; GBCS 0x8F0C, packet-gbcs.c */
#define MM_CLOCK_PERIOD_S 1800u   /* settlement period: half an hour [s] */
#define MM_CLOCK_DAY_S 86400u

typedef struct mm_clock {
    mm_hal_clock *hal;  /* the RTC (port's) */
    uint32_t refused;   /* time-set commands refused since init [count] */
    uint32_t accepted;  /* time-set commands applied since init [count] */
} mm_clock;

/* A civil date-time (proleptic Gregorian, no leap seconds). */
typedef struct mm_civil {
    uint16_t year;   /* 1970..2105 */
    uint8_t month;   /* 1..12 */
    uint8_t day;     /* 1..31 */
    uint8_t wday;    /* 0 Monday .. 6 Sunday (ISO 8601 order) */
    uint8_t hour, minute, second;
} mm_civil;

int mm_clock_init(mm_clock *c, mm_hal_clock *hal); /* MM_EINVAL for NULL */
void mm_clock_deinit(mm_clock *c);                  /* accepts NULL */

/* Meter time [s since 1970-01-01Z].  MM_EIO if the RTC lost its time. */
int mm_clock_now(const mm_clock *c, uint32_t *utc_s);

/* Time-set command (e.g. from the head-end): sets the RTC to UTC_S if that moves it by at most
 * MM_CLOCK_MAX_ADJUST_S seconds either way, and returns MM_OK.  A larger move is refused:
 * MM_EREFUSED, the RTC is unchanged and MM_ALERT_CLOCK_ADJUST_REFUSED (0x8F0C) is logged in
 * LOG (if not NULL) at the meter's time, its value the requested change [s] saturated to
 * int32.  A meter whose RTC has lost its time has nothing to protect and accepts any time.
 * If the change crosses a half-hour boundary the caller closes (or reopens) the period:
 * compare mm_clock_period_of before and after. */
int mm_clock_set(mm_clock *c, uint32_t utc_s, mm_event_log *log);

static inline uint32_t mm_clock_period_of(uint32_t utc_s)
{
    return utc_s / MM_CLOCK_PERIOD_S;
}

static inline uint32_t mm_clock_period_start(uint32_t period)
{
    return period * MM_CLOCK_PERIOD_S;
}

/* Meter time of the next half-hour boundary strictly after now, in *UTC_S.  MM_EIO if the RTC
 * lost its time. */
int mm_clock_next_boundary(const mm_clock *c, uint32_t *utc_s);

/* UTC seconds <-> civil date-time, and the days since 1970-01-01 of a date. */
void mm_clock_civil(uint32_t utc_s, mm_civil *out);
uint32_t mm_clock_days_from_civil(unsigned year, unsigned month, unsigned day);

/* GB local time: UTC + 1 h during British Summer Time, which runs from 01:00 UTC on the last
 * Sunday of March to 01:00 UTC on the last Sunday of October (Summer Time Order 2002).
 * mm_clock_gb_dst gives the two instants of YEAR; mm_clock_gb_local converts UTC to local. */
void mm_clock_gb_dst(unsigned year, uint32_t *start_utc, uint32_t *end_utc);
uint32_t mm_clock_gb_local(uint32_t utc_s);
/* The UTC instant of local time LOCAL_S (for the repeated hour in October, the later one). */
uint32_t mm_clock_gb_utc(uint32_t local_s);

#ifdef __cplusplus
}
#endif

#endif
