#include "sim/timeutil.h"

#include <stdio.h>

/* Days from 1970-01-01 to y-m-d: the era-based algorithm for the proleptic Gregorian
 * calendar (400-year eras of 146,097 days). */
int64_t sim_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void sim_civil_from_unix(int64_t t, sim_civil *out)
{
    int64_t days = t >= 0 ? t / SIM_DAY_S : -((-t + SIM_DAY_S - 1) / SIM_DAY_S);
    int64_t sod = t - days * SIM_DAY_S;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    out->year = y;
    out->month = m;
    out->day = d;
    out->hour = (int)(sod / 3600);
    out->minute = (int)(sod / 60 % 60);
    out->second = (int)(sod % 60);
    /* 1970-01-01 was a Thursday (weekday 3 with Monday = 0). */
    out->weekday = (int)(((days % 7) + 7 + 3) % 7);
    out->yday = (int)(days - sim_days_from_civil(y, 1, 1));
}

void sim_time_iso(int64_t t, char *buf, size_t n)
{
    sim_civil c;
    sim_civil_from_unix(t, &c);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute,
             c.second);
}

void sim_span_format(int64_t s, char *buf, size_t n)
{
    int64_t d = s / SIM_DAY_S, r = s % SIM_DAY_S;
    if (d > 0)
        snprintf(buf, n, "%lld d %02lld:%02lld:%02lld", (long long)d, (long long)(r / 3600),
                 (long long)(r / 60 % 60), (long long)(r % 60));
    else
        snprintf(buf, n, "%02lld:%02lld:%02lld", (long long)(r / 3600), (long long)(r / 60 % 60),
                 (long long)(r % 60));
}
