/* Civil calendar and GB local time of the clock module (see mm/clock.h).  Kept apart from
 * clock.c so that code needing only dates (tariffs) does not pull in the clock HAL. */
#include <stdbool.h>

#include "mm/clock.h"

/* Civil calendar <-> day number after Howard Hinnant's "chrono-compatible low-level date
 * algorithms" (days_from_civil / civil_from_days), restricted to dates from 1970 so that
 * every quantity is unsigned and every division is by a 32-bit constant. */
uint32_t mm_clock_days_from_civil(unsigned year, unsigned month, unsigned day)
{
    unsigned y = year - (month <= 2u);
    unsigned era = y / 400u;
    unsigned yoe = y - era * 400u;                                        /* 0..399 */
    unsigned doy = (153u * (month > 2u ? month - 3u : month + 9u) + 2u) / 5u + day - 1u;
    unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;               /* 0..146096 */
    return era * 146097u + doe - 719468u;
}

void mm_clock_civil(uint32_t utc_s, mm_civil *out)
{
    uint32_t days = utc_s / MM_CLOCK_DAY_S, sod = utc_s % MM_CLOCK_DAY_S;
    uint32_t z = days + 719468u;
    uint32_t era = z / 146097u;
    uint32_t doe = z - era * 146097u;
    uint32_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint32_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint32_t mp = (5u * doy + 2u) / 153u;
    uint32_t m = mp < 10u ? mp + 3u : mp - 9u;
    out->year = (uint16_t)(yoe + era * 400u + (m <= 2u));
    out->month = (uint8_t)m;
    out->day = (uint8_t)(doy - (153u * mp + 2u) / 5u + 1u);
    out->wday = (uint8_t)((days + 3u) % 7u); /* 1970-01-01 was a Thursday */
    out->hour = (uint8_t)(sod / 3600u);
    out->minute = (uint8_t)(sod % 3600u / 60u);
    out->second = (uint8_t)(sod % 60u);
}

/* Day number of the last Sunday of MONTH (31 days long) in YEAR. */
static uint32_t last_sunday(unsigned year, unsigned month)
{
    uint32_t d = mm_clock_days_from_civil(year, month, 31u);
    return d - (d + 3u + 1u) % 7u; /* (d + 3) % 7 is the weekday, Sunday = 6 */
}

void mm_clock_gb_dst(unsigned year, uint32_t *start_utc, uint32_t *end_utc)
{
    *start_utc = last_sunday(year, 3u) * MM_CLOCK_DAY_S + 3600u;
    *end_utc = last_sunday(year, 10u) * MM_CLOCK_DAY_S + 3600u;
}

static bool gb_bst(uint32_t utc_s)
{
    mm_civil c;
    uint32_t start, end;
    mm_clock_civil(utc_s, &c);
    mm_clock_gb_dst(c.year, &start, &end);
    return utc_s >= start && utc_s < end;
}

uint32_t mm_clock_gb_local(uint32_t utc_s)
{
    return gb_bst(utc_s) ? utc_s + 3600u : utc_s;
}

uint32_t mm_clock_gb_utc(uint32_t local_s)
{
    return gb_bst(local_s) ? local_s - 3600u : local_s;
}
