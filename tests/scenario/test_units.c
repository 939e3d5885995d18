#include "sim/units.h"

#include <criterion/criterion.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    sim_unit kind;
    const char *text;
    double value; /* base unit */
} parse_case;

static const parse_case parse_cases[] = {
    {SIM_UNIT_DURATION, "30 s", 30},
    {SIM_UNIT_DURATION, "2 min", 120},
    {SIM_UNIT_DURATION, "1 h", 3600},
    {SIM_UNIT_DURATION, "1.5 h", 5400},
    {SIM_UNIT_DURATION, "7 d", 604800},
    {SIM_UNIT_DURATION, "100 ms", 0.1},
    {SIM_UNIT_DURATION, "30min", 1800},
    {SIM_UNIT_DURATION, "  4 h  ", 14400},
    {SIM_UNIT_DURATION, "1e3 s", 1000},
    {SIM_UNIT_POWER, "2.5 kW", 2500},
    {SIM_UNIT_POWER, "300 W", 300},
    {SIM_UNIT_POWER, "1 MW", 1e6},
    {SIM_UNIT_ENERGY_YEAR, "2700 kWh/yr", 2700},
    {SIM_UNIT_ENERGY_YEAR, "2.7 MWh/yr", 2700},
    {SIM_UNIT_ENERGY_YEAR, "500 Wh/yr", 0.5},
    {SIM_UNIT_PERCENT, "5 %", 0.05},
    {SIM_UNIT_PERCENT, "5%", 0.05},
    {SIM_UNIT_PERCENT, "40 %", 0.4},
    {SIM_UNIT_DATA_SIZE, "200 B", 200},
    {SIM_UNIT_DATA_SIZE, "1 kB", 1000},
    {SIM_UNIT_DATA_SIZE, "1 KiB", 1024},
    {SIM_UNIT_DATA_SIZE, "2 MB", 2e6},
    {SIM_UNIT_DATA_SIZE, "1 MiB", 1048576},
    {SIM_UNIT_BIT_RATE, "250 kbit/s", 250e3},
    {SIM_UNIT_BIT_RATE, "2 Mbit/s", 2e6},
    {SIM_UNIT_BIT_RATE, "1 Gbit/s", 1e9},
    {SIM_UNIT_BIT_RATE, "9600 bit/s", 9600},
    {SIM_UNIT_BIT_RATE, "2 Mbps", 2e6},
    {SIM_UNIT_BIT_RATE, "250 kbps", 250e3},
    {SIM_UNIT_BIT_RATE, "1 Gbps", 1e9},
    {SIM_UNIT_MONEY, "20 GBP", 2000},
    {SIM_UNIT_MONEY, "500 p", 500},
    {SIM_UNIT_MONEY, "2.5 GBP", 250},
    {SIM_UNIT_MONEY, "0.5p", 0.5},
    {SIM_UNIT_TIME_OF_DAY, "00:30", 1800},
    {SIM_UNIT_TIME_OF_DAY, "6:30", 23400},
    {SIM_UNIT_TIME_OF_DAY, "23:59:59", 86399},
    {SIM_UNIT_DATE, "1970-01-01", 0},
    {SIM_UNIT_DATE, "2026-01-12", 1768176000},
    {SIM_UNIT_DATE, "2026-01-12T06:30:00Z", 1768176000 + 23400},
    {SIM_UNIT_DATE, "2024-02-29", 1709164800},
};

Test(units, parses_every_documented_notation_into_base_units)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const parse_case *c = &parse_cases[i];
        double v = -1;
        char why[200] = "";
        int rc = sim_unit_parse(c->kind, c->text, &v, why, sizeof why);
        cr_expect_eq(rc, 0, "\"%s\": %s", c->text, why);
        cr_expect_eq(v, c->value, "\"%s\" gave %.17g, not %.17g", c->text, v, c->value);
    }
}

Test(units, reads_milliseconds_to_the_same_double_as_decimal_seconds)
{
    double v;
    cr_assert_eq(sim_unit_parse(SIM_UNIT_DURATION, "100 ms", &v, NULL, 0), 0);
    cr_assert_eq(v, 0.1);
}

typedef struct {
    sim_unit kind;
    const char *text;
    int code;
    const char *why;
} error_case;

static const error_case error_cases[] = {
    {SIM_UNIT_DURATION, "30 mins", SIM_EUNIT_UNIT,
     "expected a duration such as \"30 min\"; unknown unit \"mins\""},
    {SIM_UNIT_DURATION, "30", SIM_EUNIT_UNIT,
     "expected a duration such as \"30 min\"; missing unit after \"30\""},
    {SIM_UNIT_DURATION, "", SIM_EUNIT_EMPTY,
     "expected a duration such as \"30 min\"; got an empty value"},
    {SIM_UNIT_DURATION, "half an hour", SIM_EUNIT_NUMBER,
     "expected a duration such as \"30 min\"; \"half an hour\" does not start with a number"},
    {SIM_UNIT_DURATION, "1e999 s", SIM_EUNIT_RANGE,
     "expected a duration such as \"30 min\"; the number \"1e999\" is too large"},
    {SIM_UNIT_DATA_SIZE, "1 KB", SIM_EUNIT_UNIT,
     "expected a data size such as \"1 KiB\"; unknown unit \"KB\""},
    {SIM_UNIT_BIT_RATE, "0x10 Mbit/s", SIM_EUNIT_UNIT,
     "expected a bit rate such as \"2 Mbit/s\"; unknown unit \"x10 Mbit/s\""},
    {SIM_UNIT_PERCENT, "0.05", SIM_EUNIT_UNIT,
     "expected a percentage such as \"5 %\"; missing unit after \"0.05\""},
    {SIM_UNIT_POWER, "nan W", SIM_EUNIT_NUMBER,
     "expected a power such as \"2.5 kW\"; \"nan W\" does not start with a number"},
    {SIM_UNIT_TIME_OF_DAY, "24:00", SIM_EUNIT_RANGE,
     "expected a time of day such as \"00:30\" or \"06:30:15\"; \"24:00\" is not a time between "
     "00:00 and 23:59:59"},
    {SIM_UNIT_TIME_OF_DAY, "0630", SIM_EUNIT_NUMBER,
     "expected a time of day such as \"00:30\" or \"06:30:15\"; \"0630\" is not HH:MM or "
     "HH:MM:SS"},
    {SIM_UNIT_DATE, "2025-02-29", SIM_EUNIT_RANGE,
     "expected a UTC date such as \"2026-01-12\" or \"2026-01-12T06:30:00Z\"; \"2025-02-29\" is "
     "not a calendar date"},
    {SIM_UNIT_DATE, "2026-01-12T06:30:00", SIM_EUNIT_NUMBER,
     "expected a UTC date such as \"2026-01-12\" or \"2026-01-12T06:30:00Z\"; "
     "\"2026-01-12T06:30:00\" needs a final \"Z\": times are UTC"},
    {SIM_UNIT_DATE, "12/01/2026", SIM_EUNIT_NUMBER,
     "expected a UTC date such as \"2026-01-12\" or \"2026-01-12T06:30:00Z\"; \"12/01/2026\" is "
     "not YYYY-MM-DD"},
};

Test(units, rejects_malformed_values_with_a_reason_that_names_the_kind_and_an_example)
{
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const error_case *c = &error_cases[i];
        double v = 42;
        char why[200] = "";
        int rc = sim_unit_parse(c->kind, c->text, &v, why, sizeof why);
        cr_expect_eq(rc, c->code, "\"%s\" returned %d", c->text, rc);
        cr_expect_str_eq(why, c->why);
        cr_expect_eq(v, 42, "\"%s\" wrote its output on failure", c->text);
    }
}

Test(units, keeps_reasons_on_one_printable_line_whatever_the_input)
{
    char why[200];
    double v;
    cr_assert_neq(sim_unit_parse(SIM_UNIT_POWER, "5 k\nW\"\x01", &v, why, sizeof why), 0);
    cr_expect_str_eq(why, "expected a power such as \"2.5 kW\"; unknown unit \"k?W??\"");
}

Test(units, survives_a_null_text_and_a_tiny_reason_buffer)
{
    double v;
    char why[8];
    cr_expect_eq(sim_unit_parse(SIM_UNIT_DURATION, NULL, &v, why, sizeof why), SIM_EUNIT_EMPTY);
    cr_expect_str_eq(why, "expecte");
    cr_expect_eq(sim_unit_parse((sim_unit)99, "1 s", &v, NULL, 0), SIM_EUNIT_KIND);
}

Test(units, parses_time_of_day_and_dates_into_exact_integers)
{
    int64_t t;
    cr_assert_eq(sim_parse_time_of_day("06:30:15", &t, NULL, 0), 0);
    cr_expect_eq(t, 6 * 3600 + 30 * 60 + 15);
    cr_assert_eq(sim_parse_date("2100-01-01", &t, NULL, 0), 0);
    cr_expect_eq(t, 4102444800);
    cr_assert_eq(sim_parse_date("2026-01-12T23:59:59Z", &t, NULL, 0), 0);
    cr_expect_eq(t, 1768176000 + 86399);
}

typedef struct {
    sim_unit kind;
    double value;
    const char *text;
} format_case;

static const format_case format_cases[] = {
    {SIM_UNIT_DURATION, 14400, "4 h"},
    {SIM_UNIT_DURATION, 5400, "90 min"},
    {SIM_UNIT_DURATION, 604800, "7 d"},
    {SIM_UNIT_DURATION, 0.1, "100 ms"},
    {SIM_UNIT_DURATION, 0.0125, "12.5 ms"},
    {SIM_UNIT_DURATION, 1.25, "1250 ms"},
    {SIM_UNIT_DURATION, 0, "0 s"},
    {SIM_UNIT_POWER, 2500, "2500 W"},
    {SIM_UNIT_POWER, 3e6, "3 MW"},
    {SIM_UNIT_ENERGY_YEAR, 2700, "2700 kWh/yr"},
    {SIM_UNIT_ENERGY_YEAR, 4000, "4 MWh/yr"},
    {SIM_UNIT_PERCENT, 0.4, "40 %"},
    {SIM_UNIT_MONEY, 2000, "20 GBP"},
    {SIM_UNIT_MONEY, 250, "250 p"},
    {SIM_UNIT_PERCENT, 0.05, "5 %"},
    {SIM_UNIT_PERCENT, 0.123, "12.3 %"},
    {SIM_UNIT_DATA_SIZE, 1024, "1 KiB"},
    {SIM_UNIT_DATA_SIZE, 1000, "1 kB"},
    {SIM_UNIT_DATA_SIZE, 1048576, "1 MiB"},
    {SIM_UNIT_DATA_SIZE, 1500, "1500 B"},
    {SIM_UNIT_BIT_RATE, 2e6, "2 Mbit/s"},
    {SIM_UNIT_BIT_RATE, 2.5e6, "2500 kbit/s"},
    {SIM_UNIT_BIT_RATE, 1e9, "1 Gbit/s"},
    {SIM_UNIT_TIME_OF_DAY, 1800, "00:30"},
    {SIM_UNIT_TIME_OF_DAY, 23415, "06:30:15"},
    {SIM_UNIT_DATE, 1768176000, "2026-01-12"},
    {SIM_UNIT_DATE, 1768176000 + 23400, "2026-01-12T06:30:00Z"},
};

Test(units, formats_values_in_the_largest_unit_that_keeps_them_whole)
{
    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        const format_case *c = &format_cases[i];
        char buf[40];
        cr_expect_eq(sim_unit_format(c->kind, c->value, buf, sizeof buf), 0);
        cr_expect_str_eq(buf, c->text);
    }
}

Test(units, formatted_text_parses_back_to_the_same_double)
{
    static const double values[] = {1,    0.1,    0.3,    1e-7,    2.5e6,   1234.5678,
                                    1e15, 3.3e20, 0.0001, 7.0 / 3, 86400,   123456789.125,
                                    0.95, 0.015,  0.07,   0.29,    1.0 / 3, 12.345};
    for (int kind = 0; kind < SIM_UNIT_TIME_OF_DAY; kind++) {
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            char buf[48];
            double back = -1;
            cr_assert_eq(sim_unit_format((sim_unit)kind, values[i], buf, sizeof buf), 0);
            cr_assert_eq(sim_unit_parse((sim_unit)kind, buf, &back, NULL, 0), 0, "%s", buf);
            cr_expect_eq(back, values[i], "%s: %.17g came back as %.17g", sim_unit_name(kind),
                         values[i], back);
        }
    }
}

/* A number beyond the doubles as written that the unit brings back among them: the parser
 * takes it, since the formatter writes such texts (tests/fuzz/regressions/units). */
Test(units, takes_numbers_that_only_the_unit_makes_finite)
{
    double v = 0;
    cr_expect_eq(sim_unit_parse(SIM_UNIT_DURATION, "1e309 ms", &v, NULL, 0), 0);
    cr_expect_eq(v, 1e306);
    char buf[48];
    cr_assert_eq(sim_unit_format(SIM_UNIT_PERCENT, -5.6177910464448011e+307, buf, sizeof buf), 0);
    cr_expect_eq(sim_unit_parse(SIM_UNIT_PERCENT, buf, &v, NULL, 0), 0, "%s", buf);
    cr_expect_eq(v, -5.6177910464448011e+307, "%s came back as %.17g", buf, v);
    char why[160];
    cr_expect_eq(sim_unit_parse(SIM_UNIT_DURATION, "1e309 s", &v, why, sizeof why),
                 SIM_EUNIT_RANGE);
    cr_expect_str_eq(why, "expected a duration such as \"30 min\"; the number \"1e309\" is too large");
    cr_expect_eq(sim_unit_parse(SIM_UNIT_DURATION, "1e999 furlongs", &v, NULL, 0), SIM_EUNIT_RANGE);
}

Test(units, refuses_to_format_what_the_kind_cannot_show)
{
    char buf[40];
    cr_expect_eq(sim_unit_format(SIM_UNIT_DURATION, NAN, buf, sizeof buf), SIM_EUNIT_RANGE);
    cr_expect_eq(sim_unit_format(SIM_UNIT_TIME_OF_DAY, 86400, buf, sizeof buf), SIM_EUNIT_RANGE);
    cr_expect_eq(sim_unit_format(SIM_UNIT_TIME_OF_DAY, 0.5, buf, sizeof buf), SIM_EUNIT_RANGE);
    cr_expect_eq(sim_unit_format(SIM_UNIT_BIT_RATE, 2e6, buf, 4), SIM_EUNIT_SPACE);
    cr_expect_str_eq(sim_unit_strerror(SIM_EUNIT_UNIT), "missing or unknown unit");
}

/* sim_unit_pattern against the parser: over texts built from numbers, blanks and symbols,
 * the pattern matches exactly the texts sim_unit_parse accepts; with NEGATIVE false only
 * those whose value is not below 0.  (Magnitude is not its business: no number here
 * overflows or underflows.)  The pattern is read here as POSIX ERE; the JSON Schema test
 * reads it again as Python's re. */
typedef struct pattern_check {
    regex_t re;
    sim_unit kind;
    bool negative;
    int checked, wrong;
} pattern_check;

static void pattern_open(pattern_check *c, sim_unit kind, bool negative)
{
    char pat[1024];
    cr_assert_eq(sim_unit_pattern(kind, negative, pat, sizeof pat), 0);
    cr_assert_eq(regcomp(&c->re, pat, REG_EXTENDED | REG_NOSUB), 0, "%s", pat);
    c->kind = kind;
    c->negative = negative;
    c->checked = c->wrong = 0;
}

static void pattern_agrees(pattern_check *c, const char *text)
{
    double v = 0;
    bool parsed = sim_unit_parse(c->kind, text, &v, NULL, 0) == 0;
    bool accepted = parsed && (c->negative || !(v < 0));
    bool matched = regexec(&c->re, text, 0, NULL, 0) == 0;
    c->checked++;
    if (accepted != matched && c->wrong++ < 5)
        cr_expect_fail("%s%s: \"%s\": the parser %s it, the pattern %s", sim_unit_name(c->kind),
                       c->negative ? "" : " (not negative)", text, accepted ? "takes" : "refuses",
                       matched ? "matches" : "does not match");
}

Test(units, pattern_matches_exactly_what_the_parser_accepts)
{
    static const char *const numbers[] = {
        "5",   "05",  "5.",   ".5",  "5.25", "+5",  "-5",   "-0",     "-0.0",    "-.0",
        "-0.", "-00", "-0e3", "+0",  "0",    "1e3", "1E-2", "2.5e+1", "-2.5e-1", "e3",
        "5e",  "5e+", "5e-x", "-",   "+",    ".",   "..5",  "5..",    "1.2.3",   "0x10",
        "inf", "nan", "",     "1,5", "- 5",  "+-5", "--5",  "-0.5",   "-.5",     "-0e-0"};
    static const char *const wrong_symbols[] = {"",   "S",   "kw",     "mins", "Kib",   "x",
                                                "%%", "s s", "bit /s", "ms.",  "GBP p", "yr"};
    static const char *const leads[] = {"", " \t"}, *const mids[] = {"", " ", "\t"},
                             *const trails[] = {"", " "};
    for (int kind = 0; kind < SIM_UNIT_TIME_OF_DAY; kind++) {
        for (int negative = 0; negative < 2; negative++) {
            pattern_check c;
            pattern_open(&c, (sim_unit)kind, negative);
            for (size_t n = 0; n < sizeof numbers / sizeof numbers[0]; n++)
                for (int k = 0; k < SIM_UNIT_TIME_OF_DAY + 1; k++)
                    for (size_t s = 0;; s++) {
                        /* every kind's symbols, then the wrong ones */
                        const char *sym = k < SIM_UNIT_TIME_OF_DAY ? sim_unit_symbol(k, s)
                                          : s < sizeof wrong_symbols / sizeof wrong_symbols[0]
                                              ? wrong_symbols[s]
                                              : NULL;
                        if (!sym) break;
                        for (size_t l = 0; l < 2; l++)
                            for (size_t m = 0; m < 3; m++)
                                for (size_t t = 0; t < 2; t++) {
                                    char text[80];
                                    snprintf(text, sizeof text, "%s%s%s%s%s", leads[l], numbers[n],
                                             mids[m], sym, trails[t]);
                                    pattern_agrees(&c, text);
                                }
                    }
            cr_expect_gt(c.checked, 5000);
            regfree(&c.re);
        }
    }
}

Test(units, time_of_day_pattern_matches_exactly_what_the_parser_accepts)
{
    static const char *const seconds[] = {"", ":00", ":59", ":60", ":5", ":", ":000"};
    static const char *const odd[] = {"",          " ",     "12",     "12:",     ":30",
                                      "12:30x",    "12-30", "1 2:30", " 06:30 ", "\t6:30",
                                      "06:30 :00", "+6:30", "-6:30"};
    pattern_check c;
    pattern_open(&c, SIM_UNIT_TIME_OF_DAY, true); /* no sign: NEGATIVE does not apply */
    for (int h = 0; h < 36; h++)
        for (int m = 0; m < 65; m++)
            for (size_t s = 0; s < sizeof seconds / sizeof seconds[0]; s++) {
                char hh[8], mm[8], text[40];
                snprintf(hh, sizeof hh, h < 10 ? "%d" : "%02d", h < 10 ? h : h - 10);
                snprintf(mm, sizeof mm, m < 62 ? "%02d" : m == 62 ? "0" : m == 63 ? "5" : "000", m);
                snprintf(text, sizeof text, "%s:%s%s", hh, mm, seconds[s]);
                pattern_agrees(&c, text);
            }
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        pattern_agrees(&c, odd[i]);
    regfree(&c.re);
}

Test(units, date_pattern_matches_exactly_what_the_parser_accepts)
{
    static const char *const years[] = {"0000", "0800", "1600", "1900", "1970", "2000",
                                        "2008", "2023", "2024", "2028", "2036", "2096",
                                        "2100", "2200", "2400", "9999", "202",  "20245"};
    static const char *const times[] = {
        "",        "T06:30:00Z",  "T6:30Z",   "T06:30",     "T24:00Z",     "T06:60Z",
        "t06:30Z", "T06:30:00ZZ", " T06:30Z", "T23:59:59Z", "T06:30:00Z ", "Z",
        "T",       " ",           "x"};
    pattern_check c;
    pattern_open(&c, SIM_UNIT_DATE, true); /* before 1970 is below 0 */
    for (size_t y = 0; y < sizeof years / sizeof years[0]; y++)
        for (int mo = 0; mo < 15; mo++)
            for (int d = 0; d < 34; d++)
                for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
                    /* every time suffix on a few days, the plain date on all */
                    if (t && d % 9 != 1) continue;
                    char text[64];
                    snprintf(text, sizeof text, "%s%s-%s%d-%s%d%s", y % 3 ? "" : " ", years[y],
                             mo < 10 && mo != 1 ? "0" : "", mo < 14 ? mo : 1,
                             d < 10 && d != 2 ? "0" : "", d < 33 ? d : 2, times[t]);
                    pattern_agrees(&c, text);
                }
    pattern_agrees(&c, "");
    pattern_agrees(&c, "2026/01/12");
    pattern_agrees(&c, "26-01-12");
    regfree(&c.re);
}

Test(units, lists_the_symbols_each_kind_accepts)
{
    cr_expect_str_eq(sim_unit_symbol(SIM_UNIT_DURATION, 0), "ms");
    cr_expect_str_eq(sim_unit_symbol(SIM_UNIT_BIT_RATE, 7), "Gbps");
    cr_expect_null(sim_unit_symbol(SIM_UNIT_BIT_RATE, 8));
    cr_expect_null(sim_unit_symbol(SIM_UNIT_DATE, 0));
    cr_expect_null(sim_unit_symbol(SIM_UNIT_COUNT, 0));
    char pat[16];
    cr_expect_eq(sim_unit_pattern(SIM_UNIT_DURATION, false, pat, sizeof pat), SIM_EUNIT_SPACE);
    cr_expect_eq(sim_unit_pattern(SIM_UNIT_COUNT, false, pat, sizeof pat), SIM_EUNIT_KIND);
}
