#include "sim/units.h"

#include "sim/timeutil.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value in the base unit is number * 10^exp10 * mul.  Decimal prefixes shift the decimal
 * exponent of the text before it is converted, so "100 ms", "0.1 s" and "12.3 %" become the
 * doubles nearest 0.1 and 0.123, the same as a file writing them in the base unit would
 * give; binary and sexagesimal factors (KiB, min, h, d) are one correctly rounded product. */
typedef struct unit_sym {
    const char *sym;
    int exp10;
    double mul;
    bool canon; /* sim_unit_format may print it; the others are accepted aliases */
} unit_sym;

static const unit_sym duration_syms[] = {
    {"ms", -3, 1, true},  {"s", 0, 1, true},     {"min", 0, 60, true},
    {"h", 0, 3600, true}, {"d", 0, 86400, true}, {NULL, 0, 0, false},
};
static const unit_sym power_syms[] = {
    {"W", 0, 1, true},  {"kW", 3, 1, true},  {"MW", 6, 1, true},
    {"GW", 9, 1, true}, {NULL, 0, 0, false},
};
static const unit_sym energy_year_syms[] = {
    {"Wh/yr", -3, 1, true},    {"kWh/yr", 0, 1, true},    {"MWh/yr", 3, 1, true},
    {"GWh/yr", 6, 1, true},    {"Wh/year", -3, 1, false}, {"kWh/year", 0, 1, false},
    {"MWh/year", 3, 1, false}, {"GWh/year", 6, 1, false}, {NULL, 0, 0, false},
};
static const unit_sym percent_syms[] = {
    {"%", -2, 1, true},
    {NULL, 0, 0, false},
};
static const unit_sym data_size_syms[] = {
    {"B", 0, 1, true},
    {"kB", 3, 1, true},
    {"KiB", 0, 1024, true},
    {"MB", 6, 1, true},
    {"MiB", 0, 1048576, true},
    {"GB", 9, 1, true},
    {"GiB", 0, 1073741824, true},
    {NULL, 0, 0, false},
};
static const unit_sym bit_rate_syms[] = {
    {"bit/s", 0, 1, true},  {"kbit/s", 3, 1, true}, {"Mbit/s", 6, 1, true},
    {"Gbit/s", 9, 1, true}, {"bps", 0, 1, false},   {"kbps", 3, 1, false},
    {"Mbps", 6, 1, false},  {"Gbps", 9, 1, false},  {NULL, 0, 0, false},
};
static const unit_sym money_syms[] = {
    {"p", 0, 1, true},
    {"GBP", 2, 1, true},
    {NULL, 0, 0, false},
};

static const struct {
    const char *name;
    const char *example;
    const char *expect; /* opening of every parse error */
    const unit_sym *syms;
} kinds[SIM_UNIT_COUNT] = {
    [SIM_UNIT_DURATION] = {"duration", "30 min", "expected a duration such as \"30 min\"",
                           duration_syms},
    [SIM_UNIT_POWER] = {"power", "2.5 kW", "expected a power such as \"2.5 kW\"", power_syms},
    [SIM_UNIT_ENERGY_YEAR] = {"energy per year", "2700 kWh/yr",
                              "expected an energy per year such as \"2700 kWh/yr\"",
                              energy_year_syms},
    [SIM_UNIT_PERCENT] = {"percentage", "5 %", "expected a percentage such as \"5 %\"",
                          percent_syms},
    [SIM_UNIT_DATA_SIZE] = {"data size", "1 KiB", "expected a data size such as \"1 KiB\"",
                            data_size_syms},
    [SIM_UNIT_BIT_RATE] = {"bit rate", "2 Mbit/s", "expected a bit rate such as \"2 Mbit/s\"",
                           bit_rate_syms},
    [SIM_UNIT_MONEY] = {"amount of money", "20 GBP",
                        "expected an amount of money such as \"20 GBP\" or \"500 p\"", money_syms},
    [SIM_UNIT_TIME_OF_DAY] = {"time of day", "00:30",
                              "expected a time of day such as \"00:30\" or \"06:30:15\"", NULL},
    [SIM_UNIT_DATE] = {"UTC date", "2026-01-12",
                       "expected a UTC date such as \"2026-01-12\" or \"2026-01-12T06:30:00Z\"",
                       NULL},
};

const char *sim_unit_name(sim_unit kind)
{
    return (unsigned)kind < SIM_UNIT_COUNT ? kinds[kind].name : "?";
}

const char *sim_unit_example(sim_unit kind)
{
    return (unsigned)kind < SIM_UNIT_COUNT ? kinds[kind].example : "?";
}

const char *sim_unit_strerror(int code)
{
    switch (code) {
#define SIM_UNIT_STR_(name, c, msg)                                                                \
    case c:                                                                                        \
        return msg;
        SIM_UNIT_ERRNO_MAP(SIM_UNIT_STR_)
#undef SIM_UNIT_STR_
    case 0:
        return "success";
    }
    return "unknown error";
}

/* User text inside a message: printable ASCII only and short, so a message stays one line
 * whatever bytes the file held. */
static void show(const char *s, size_t n, char *buf, size_t len)
{
    size_t o = 0, cut = n > 40 ? 37 : n;
    for (size_t i = 0; i < cut && o + 1 < len; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[o++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    for (size_t i = 0; n > cut && i < 3 && o + 1 < len; i++)
        buf[o++] = '.';
    if (len > 0) buf[o] = '\0';
}

static int fail(int code, sim_unit kind, char *why, size_t whylen, const char *fmt, const char *a,
                size_t alen)
{
    char shown[48] = "";
    if (why && whylen > 0) {
        if (a) show(a, alen, shown, sizeof shown);
        char detail[128];
        snprintf(detail, sizeof detail, fmt, shown);
        snprintf(why, whylen, "%s; %s", kinds[kind].expect, detail);
    }
    return code;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* End of a decimal number [+-]digits[.digits][e[+-]digits] at S, or NULL.  Hex, "inf" and
 * "nan", which strtod would take, are not numbers here. */
static const char *scan_number(const char *s)
{
    const char *p = s;
    size_t nd = 0;
    if (*p == '+' || *p == '-') p++;
    for (; digit(*p); p++)
        nd++;
    if (*p == '.')
        for (p++; digit(*p); p++)
            nd++;
    if (nd == 0) return NULL;
    if (*p == 'e' || *p == 'E') {
        const char *e = p + 1;
        if (*e == '+' || *e == '-') e++;
        if (digit(*e)) {
            while (digit(*e))
                e++;
            p = e;
        }
    }
    return p;
}

/* NUM (a string scan_number accepted) in unit U, in the base unit. */
static double scale(const unit_sym *u, const char *num)
{
    char buf[96];
    const char *e = strpbrk(num, "eE");
    size_t mant = e ? (size_t)(e - num) : strlen(num);
    long exp = e ? strtol(e + 1, NULL, 10) : 0; /* saturates at LONG_MAX: still inf or 0 */
    if (exp > 100000) exp = 100000;
    if (exp < -100000) exp = -100000;
    snprintf(buf, sizeof buf, "%.*se%ld", (int)mant, num, exp + u->exp10);
    double x = strtod(buf, NULL);
    return u->mul != 1 ? x * u->mul : x;
}

static double factor(const unit_sym *u)
{
    return pow(10, u->exp10) * u->mul;
}

int sim_unit_parse(sim_unit kind, const char *text, double *out, char *why, size_t whylen)
{
    if ((unsigned)kind >= SIM_UNIT_COUNT) {
        if (why && whylen > 0) snprintf(why, whylen, "unknown unit kind %d", (int)kind);
        return SIM_EUNIT_KIND;
    }
    if (kind == SIM_UNIT_TIME_OF_DAY || kind == SIM_UNIT_DATE) {
        int64_t t = 0;
        int rc = kind == SIM_UNIT_DATE ? sim_parse_date(text, &t, why, whylen)
                                       : sim_parse_time_of_day(text, &t, why, whylen);
        if (rc == 0 && out) *out = (double)t;
        return rc;
    }
    if (!text) text = "";
    const char *p = text;
    while (blank(*p))
        p++;
    if (*p == '\0') return fail(SIM_EUNIT_EMPTY, kind, why, whylen, "got an empty value%s", "", 0);
    const char *end = scan_number(p);
    if (!end)
        return fail(SIM_EUNIT_NUMBER, kind, why, whylen, "\"%s\" does not start with a number", p,
                    strlen(p));
    char num[64];
    if ((size_t)(end - p) >= sizeof num)
        return fail(SIM_EUNIT_NUMBER, kind, why, whylen, "the number \"%s\" is too long", p,
                    (size_t)(end - p));
    memcpy(num, p, (size_t)(end - p));
    num[end - p] = '\0';
    /* A number beyond the doubles as written may still be one in the base unit ("1e309 ms"
     * is 1e306 s, and sim_unit_format writes such texts): only the scaled value must be
     * finite.  Without a unit to scale it by, its size is the first thing wrong with it. */
    bool big = !isfinite(strtod(num, NULL));
#define SIM_UNIT_TOO_LARGE_                                                                        \
    fail(SIM_EUNIT_RANGE, kind, why, whylen, "the number \"%s\" is too large", num, strlen(num))

    const char *u = end;
    while (blank(*u))
        u++;
    size_t ulen = strlen(u);
    while (ulen > 0 && blank(u[ulen - 1]))
        ulen--;
    if (ulen == 0)
        return big ? SIM_UNIT_TOO_LARGE_
                   : fail(SIM_EUNIT_UNIT, kind, why, whylen, "missing unit after \"%s\"", num,
                          strlen(num));
    for (const unit_sym *s = kinds[kind].syms; s->sym; s++) {
        if (strlen(s->sym) != ulen || memcmp(s->sym, u, ulen) != 0) continue;
        double v = scale(s, num);
        if (!isfinite(v))
            return big ? SIM_UNIT_TOO_LARGE_
                       : fail(SIM_EUNIT_RANGE, kind, why, whylen, "\"%s\" is too large", p,
                              strlen(p));
        if (out) *out = v;
        return 0;
    }
    return big ? SIM_UNIT_TOO_LARGE_
               : fail(SIM_EUNIT_UNIT, kind, why, whylen, "unknown unit \"%s\"", u, ulen);
#undef SIM_UNIT_TOO_LARGE_
}

/* Reads exactly N digits at *P. */
static bool take_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!digit((*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* HH:MM[:SS] at *P, the hour of one or two digits. */
static int take_clock(const char **p, int *h, int *m, int *s, sim_unit kind, char *why,
                      size_t whylen)
{
    const char *q = *p;
    int nh = digit(q[0]) ? (digit(q[1]) ? 2 : 1) : 0;
    if (nh == 0 || !take_digits(&q, nh, h) || *q != ':')
        return fail(SIM_EUNIT_NUMBER, kind, why, whylen, "\"%s\" is not HH:MM or HH:MM:SS", *p,
                    strlen(*p));
    q++;
    if (!take_digits(&q, 2, m))
        return fail(SIM_EUNIT_NUMBER, kind, why, whylen, "\"%s\" is not HH:MM or HH:MM:SS", *p,
                    strlen(*p));
    *s = 0;
    if (*q == ':') {
        q++;
        if (!take_digits(&q, 2, s))
            return fail(SIM_EUNIT_NUMBER, kind, why, whylen, "\"%s\" is not HH:MM or HH:MM:SS", *p,
                        strlen(*p));
    }
    if (*h > 23 || *m > 59 || *s > 59) {
        size_t n = (size_t)(q - *p);
        return fail(SIM_EUNIT_RANGE, kind, why, whylen,
                    "\"%s\" is not a time between 00:00 and 23:59:59", *p, n);
    }
    *p = q;
    return 0;
}

static const char *trim_start(const char *text)
{
    if (!text) return "";
    while (blank(*text))
        text++;
    return text;
}

static bool only_blanks(const char *p)
{
    while (blank(*p))
        p++;
    return *p == '\0';
}

int sim_parse_time_of_day(const char *text, int64_t *out_s, char *why, size_t whylen)
{
    const sim_unit k = SIM_UNIT_TIME_OF_DAY;
    const char *p = trim_start(text);
    if (*p == '\0') return fail(SIM_EUNIT_EMPTY, k, why, whylen, "got an empty value%s", "", 0);
    const char *start = p;
    int h, m, s;
    int rc = take_clock(&p, &h, &m, &s, k, why, whylen);
    if (rc != 0) return rc;
    if (!only_blanks(p))
        return fail(SIM_EUNIT_NUMBER, k, why, whylen, "\"%s\" is not HH:MM or HH:MM:SS", start,
                    strlen(start));
    if (out_s) *out_s = (int64_t)h * 3600 + m * 60 + s;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int sim_parse_date(const char *text, int64_t *out_unix, char *why, size_t whylen)
{
    const sim_unit k = SIM_UNIT_DATE;
    const char *p = trim_start(text);
    if (*p == '\0') return fail(SIM_EUNIT_EMPTY, k, why, whylen, "got an empty value%s", "", 0);
    const char *start = p;
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (!take_digits(&p, 4, &y) || *p++ != '-' || !take_digits(&p, 2, &mo) || *p++ != '-' ||
        !take_digits(&p, 2, &d))
        return fail(SIM_EUNIT_NUMBER, k, why, whylen, "\"%s\" is not YYYY-MM-DD", start,
                    strlen(start));
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return fail(SIM_EUNIT_RANGE, k, why, whylen, "\"%s\" is not a calendar date", start, 10);
    if (*p == 'T') {
        p++;
        int rc = take_clock(&p, &h, &mi, &s, k, why, whylen);
        if (rc != 0) return rc;
        if (*p != 'Z')
            return fail(SIM_EUNIT_NUMBER, k, why, whylen,
                        "\"%s\" needs a final \"Z\": times are UTC", start, strlen(start));
        p++;
    }
    if (!only_blanks(p))
        return fail(SIM_EUNIT_NUMBER, k, why, whylen, "unexpected \"%s\" after the date", p,
                    strlen(p));
    if (out_unix)
        *out_unix = sim_days_from_civil(y, mo, d) * SIM_DAY_S + (int64_t)h * 3600 + mi * 60 + s;
    return 0;
}

/* Shortest text of VALUE expressed in unit U that converts back to exactly VALUE, without
 * an exponent unless the number is huge or tiny.  False if no such text exists. */
static bool number_in(const unit_sym *u, double value, char *num, size_t len)
{
    double x = value / factor(u);
    bool plain_ok = fabs(x) >= 1e-4 && fabs(x) < 1e15;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(num, len, "%.*g", prec, x);
        if (plain_ok && strchr(num, 'e')) continue;
        if (scale(u, num) == value) return true;
    }
    return false;
}

static bool whole(const char *num)
{
    return !strpbrk(num, ".e");
}

static int put(char *buf, size_t len, const char *num, const char *sym)
{
    int n = snprintf(buf, len, "%s %s", num, sym);
    return n < 0 || (size_t)n >= len ? SIM_EUNIT_SPACE : 0;
}

int sim_unit_format(sim_unit kind, double value, char *buf, size_t len)
{
    if (!buf || len == 0) return SIM_EUNIT_SPACE;
    buf[0] = '\0';
    if ((unsigned)kind >= SIM_UNIT_COUNT) return SIM_EUNIT_KIND;
    if (!isfinite(value)) return SIM_EUNIT_RANGE;

    if (kind == SIM_UNIT_TIME_OF_DAY) {
        if (value != floor(value) || value < 0 || value >= SIM_DAY_S) return SIM_EUNIT_RANGE;
        int t = (int)value, n;
        if (t % 60)
            n = snprintf(buf, len, "%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
        else
            n = snprintf(buf, len, "%02d:%02d", t / 3600, t / 60 % 60);
        return n < 0 || (size_t)n >= len ? SIM_EUNIT_SPACE : 0;
    }
    if (kind == SIM_UNIT_DATE) {
        const double lo = (double)sim_days_from_civil(0, 1, 1) * SIM_DAY_S;
        const double hi = (double)sim_days_from_civil(10000, 1, 1) * SIM_DAY_S;
        if (value != floor(value) || value < lo || value >= hi) return SIM_EUNIT_RANGE;
        sim_civil c;
        sim_civil_from_unix((int64_t)value, &c);
        int n;
        if (c.hour || c.minute || c.second)
            n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                         c.minute, c.second);
        else
            n = snprintf(buf, len, "%04d-%02d-%02d", c.year, c.month, c.day);
        return n < 0 || (size_t)n >= len ? SIM_EUNIT_SPACE : 0;
    }

    const unit_sym *syms = kinds[kind].syms;
    char num[40];
    if (value == 0) {
        const unit_sym *u = &syms[0];
        for (const unit_sym *s = syms; s->sym; s++)
            if (s->exp10 == 0 && s->mul == 1) u = s;
        return put(buf, len, "0", u->sym);
    }
    /* Largest unit giving a whole number, else the largest giving at least 1, else the
     * smallest unit. */
    const unit_sym *best = NULL, *at_least_one = NULL, *smallest = NULL;
    char best_num[40] = "", one_num[40] = "", small_num[40] = "";
    for (const unit_sym *s = syms; s->sym; s++) {
        if (!s->canon || !number_in(s, value, num, sizeof num)) continue;
        double f = factor(s);
        bool ge1 = fabs(value) / f >= 1;
        if (ge1 && whole(num) && (!best || f > factor(best))) {
            best = s;
            memcpy(best_num, num, sizeof num);
        }
        if (ge1 && (!at_least_one || f > factor(at_least_one))) {
            at_least_one = s;
            memcpy(one_num, num, sizeof num);
        }
        if (!smallest || f < factor(smallest)) {
            smallest = s;
            memcpy(small_num, num, sizeof num);
        }
    }
    if (best) return put(buf, len, best_num, best->sym);
    if (at_least_one) return put(buf, len, one_num, at_least_one->sym);
    if (smallest) return put(buf, len, small_num, smallest->sym);
    /* Only reachable if no candidate printed exactly; a unit with mul 1 shifts decimal
     * digits only, so the shortest text of VALUE itself with its exponent moved is exact. */
    for (const unit_sym *s = syms; s->sym; s++) {
        if (!s->canon || s->mul != 1) continue;
        for (int prec = 0; prec <= 16; prec++) {
            snprintf(num, sizeof num, "%.*e", prec, value);
            if (strtod(num, NULL) != value) continue;
            char *e = strchr(num, 'e');
            long exp = strtol(e + 1, NULL, 10) - s->exp10;
            snprintf(e, sizeof num - (size_t)(e - num), "e%ld", exp);
            return put(buf, len, num, s->sym);
        }
    }
    return SIM_EUNIT_RANGE;
}

const char *sim_unit_symbol(sim_unit kind, size_t i)
{
    if ((unsigned)kind >= SIM_UNIT_COUNT || !kinds[kind].syms) return NULL;
    for (size_t j = 0; kinds[kind].syms[j].sym; j++)
        if (j == i) return kinds[kind].syms[j].sym;
    return NULL;
}

/* The pieces of the patterns, spelled without backslashes so that the three regex dialects
 * read them alike: a bracket is the only escape.  BLANKS is what blank() skips. */
#define PAT_BLANKS "[ \t]*"
#define PAT_EXP "([eE][+-]?[0-9]+)?" /* scan_number leaves an "e" without digits to the unit */
#define PAT_NUMBER "([0-9]+([.][0-9]*)?|[.][0-9]+)" PAT_EXP
#define PAT_ZERO "(0+([.]0*)?|[.]0+)" PAT_EXP
#define PAT_CLOCK "([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?" /* take_clock */
/* YYYY-MM-DD of a calendar day (days_in_month): 29 February in years divisible by 4 but
 * not by 100, or by 400. */
#define PAT_YEAR "[0-9][0-9][0-9][0-9]"
#define PAT_LEAP_YY "(0[48]|[2468][048]|[13579][26])"
#define PAT_DATE                                                                                   \
    "(" PAT_YEAR "-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|" PAT_YEAR                            \
    "-(0[469]|11)-(0[1-9]|[12][0-9]|30)|" PAT_YEAR "-02-(0[1-9]|1[0-9]|2[0-8])|"                   \
    "([0-9][0-9]" PAT_LEAP_YY "|(00|" PAT_LEAP_YY ")00)-02-29)"

/* printf at offset *O of BUF, *O moved past it; SIM_EUNIT_SPACE when it does not fit. */
static int append(char *buf, size_t len, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *o, len - *o, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= len - *o) return SIM_EUNIT_SPACE;
    *o += (size_t)w;
    return 0;
}

/* "(s1|s2|...)" of KIND's symbols, each character other than a letter in brackets. */
static int symbol_group(sim_unit kind, char *buf, size_t len, size_t *o)
{
    int rc = 0;
    const char *sym;
    for (size_t i = 0; rc == 0 && (sym = sim_unit_symbol(kind, i)); i++) {
        rc = append(buf, len, o, "%s", i ? "|" : "(");
        for (const char *c = sym; rc == 0 && *c; c++)
            rc = append(buf, len, o, isalpha((unsigned char)*c) ? "%c" : "[%c]", *c);
    }
    return rc ? rc : append(buf, len, o, ")");
}

int sim_unit_pattern(sim_unit kind, bool negative, char *buf, size_t len)
{
    if (!buf || len == 0) return SIM_EUNIT_SPACE;
    buf[0] = '\0';
    if ((unsigned)kind >= SIM_UNIT_COUNT) return SIM_EUNIT_KIND;
    const char *body = kind == SIM_UNIT_DATE          ? PAT_DATE "(T" PAT_CLOCK "Z)?"
                       : kind == SIM_UNIT_TIME_OF_DAY ? PAT_CLOCK
                       : negative                     ? "[+-]?" PAT_NUMBER
                                                      : "([+]?" PAT_NUMBER "|-" PAT_ZERO ")";
    size_t o = 0;
    int rc = append(buf, len, &o, "^" PAT_BLANKS "%s", body);
    if (rc == 0 && kinds[kind].syms) rc = append(buf, len, &o, PAT_BLANKS);
    if (rc == 0 && kinds[kind].syms) rc = symbol_group(kind, buf, len, &o);
    return rc ? rc : append(buf, len, &o, PAT_BLANKS "$");
}
