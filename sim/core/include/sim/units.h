/* Units: values written with their unit in scenario files ("30 min", "2.5 kW", "5 %",
 * "2 Mbit/s", "06:30", "2026-01-12") read into SI numbers, and written back in the most
 * natural unit for the resolved scenario.
 *
 * Every kind has one base unit in which values are held (listed in sim_unit below);
 * parsing scales into it and formatting picks the largest unit in which the value is a
 * whole number, so 14400 s prints "4 h" and 0.1 s prints "100 ms".  A formatted value
 * parses back to the same double.
 *
 * Not here: ranges and defaults (the scenario schema owns them), unit-less numbers,
 * locales (the decimal point is always '.'), and calendar arithmetic (timeutil.h).
 */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sim_unit {
    SIM_UNIT_DURATION,    /* ms s min h d                          [s] */
    SIM_UNIT_POWER,       /* W kW MW GW                            [W] */
    SIM_UNIT_ENERGY_YEAR, /* Wh/yr kWh/yr MWh/yr GWh/yr            [kWh/yr] */
    SIM_UNIT_PERCENT,     /* %                                     [fraction, 1 = 100 %] */
    SIM_UNIT_DATA_SIZE,   /* B kB MB GB (10^3) KiB MiB GiB (2^10)  [B] */
    SIM_UNIT_BIT_RATE,    /* bit/s kbit/s Mbit/s Gbit/s, bps kbps Mbps Gbps  [bit/s] */
    SIM_UNIT_MONEY,       /* p GBP                                 [p] */
    SIM_UNIT_TIME_OF_DAY, /* HH:MM or HH:MM:SS                     [s after midnight] */
    SIM_UNIT_DATE,        /* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC  [s since 1970-01-01] */
    SIM_UNIT_COUNT
} sim_unit;

/* Money is held in pence, the unit GB tariffs and prepayment settings are quoted in. */

/* Energy per year is held in kWh/yr, not in joules, because every source quoting household
 * consumption (Ofgem typical domestic consumption values) is in kWh/yr. */

/* Status codes of this module; -2xx so they do not collide with other sim_ tables. */
#define SIM_UNIT_ERRNO_MAP(X)                                                                      \
    X(SIM_EUNIT_EMPTY, -201, "empty value")                                                        \
    X(SIM_EUNIT_NUMBER, -202, "malformed number")                                                  \
    X(SIM_EUNIT_UNIT, -203, "missing or unknown unit")                                             \
    X(SIM_EUNIT_RANGE, -204, "value outside what the unit can hold")                               \
    X(SIM_EUNIT_KIND, -205, "unknown unit kind")                                                   \
    X(SIM_EUNIT_SPACE, -206, "output buffer too small")

enum {
#define SIM_UNIT_ENUM_(name, code, msg) name = code,
    SIM_UNIT_ERRNO_MAP(SIM_UNIT_ENUM_)
#undef SIM_UNIT_ENUM_
};

/* Parse TEXT (surrounding blanks allowed, blank between number and unit optional) as a
 * KIND value in its base unit.  On failure returns a SIM_EUNIT_* code and, if WHY is not
 * NULL, writes a one-line reason such as
 *   expected a duration such as "30 min"; unknown unit "mins"  */
int sim_unit_parse(sim_unit kind, const char *text, double *out, char *why, size_t whylen);

/* Same for the two calendar kinds, into exact integer seconds. */
int sim_parse_time_of_day(const char *text, int64_t *out_s, char *why, size_t whylen);
int sim_parse_date(const char *text, int64_t *out_unix, char *why, size_t whylen);

/* Write VALUE (base unit) as "<number> <unit>" in the largest unit that makes the number
 * whole, else the largest unit in which it is at least 1; time of day and dates print
 * in their own notation ("06:30", "2026-01-12T06:30:00Z").  Returns 0, SIM_EUNIT_RANGE
 * for a value the kind cannot show (NaN, a time of day outside one day) or
 * SIM_EUNIT_SPACE if LEN is too small (32 bytes always suffice). */
int sim_unit_format(sim_unit kind, double value, char *buf, size_t len);

/* The I-th unit symbol KIND accepts ("ms", "s", ...; aliases such as "bps" too), NULL past
 * the last; always NULL for the two calendar kinds, which have no symbols. */
const char *sim_unit_symbol(sim_unit kind, size_t i);

/* An anchored regular expression matching the texts sim_unit_parse accepts for KIND, in the
 * subset of syntax that ECMA-262 (JSON Schema), POSIX ERE and Python agree on.  It checks
 * the form, not the magnitude (ranges, overflow): with NEGATIVE false a minus sign is only
 * matched on a zero ("-0 s"), which a range starting at 0 still accepts (the calendar kinds
 * have no sign: NEGATIVE does not change theirs).  0, or
 * SIM_EUNIT_SPACE if LEN is too small (1024 bytes always suffice), SIM_EUNIT_KIND. */
int sim_unit_pattern(sim_unit kind, bool negative, char *buf, size_t len);

const char *sim_unit_name(sim_unit kind);    /* "duration", "bit rate", ... */
const char *sim_unit_example(sim_unit kind); /* "30 min", "2 Mbit/s", ... */
const char *sim_unit_strerror(int code);

#endif
