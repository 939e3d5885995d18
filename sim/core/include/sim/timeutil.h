/* Simulated calendar time: UTC seconds since the Unix epoch, civil dates, ISO-8601.
 *
 * The simulator keeps time in UTC; GB settlement periods are local (GMT/BST), which
 * only shifts summer periods by one hour and is left to a later model.  These helpers
 * use the proleptic Gregorian calendar and never consult the host time zone.
 */
#ifndef SIM_TIMEUTIL_H
#define SIM_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define SIM_DAY_S 86400
#define SIM_PERIOD_S 1800 /* settlement period: 30 min */

typedef struct sim_civil {
    int year, month, day;      /* month 1..12, day 1..31 */
    int hour, minute, second;
    int weekday;               /* 0 = Monday .. 6 = Sunday */
    int yday;                  /* 0 .. 365 */
} sim_civil;

int64_t sim_days_from_civil(int year, int month, int day);
void sim_civil_from_unix(int64_t t, sim_civil *out);
/* "2026-01-12T00:00:00Z"; BUF of at least 21 bytes. */
void sim_time_iso(int64_t t, char *buf, size_t n);
/* "1 d 02:30:00" style span. */
void sim_span_format(int64_t seconds, char *buf, size_t n);

#endif
