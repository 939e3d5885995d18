/* Block tariff values of a scenario (blocks.h). */
#include "blocks.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THRESHOLD_FORM "expected up to 3 ascending energies in Wh or kWh, e.g. \"3 kWh, 8 kWh\""
#define PRICE_FORM "expected 1 to 4 prices in p/kWh or GBP/kWh, e.g. \"15 p/kWh, 25.5 p/kWh\""
#define SHOWN 24 /* characters of an item quoted in a message */
#define SHOW(len, text) ((len) < SHOWN ? (len) : SHOWN), (text) /* the arguments of "%.*s" */

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One item of a comma-separated list: "NUMBER UNIT" with its number and unit apart. */
typedef struct item {
    const char *text; /* the item, blanks around it left out */
    int len;
    const char *num; /* [-]digits[.digits] */
    int num_len;
    const char *unit; /* what follows the number, blanks left out */
    int unit_len;
} item;

/* The item starting at *P, moving *P past it and its comma; false at the end of the text.
 * "a," ends with an empty item, so a stray comma is reported rather than ignored. */
static bool next_item(const char **p, bool *after_comma, item *it)
{
    const char *s = *p;
    while (blank(*s))
        s++;
    if (*s == '\0' && !*after_comma) return false;
    const char *e = s + strcspn(s, ",");
    *after_comma = *e == ',';
    *p = *e == ',' ? e + 1 : e;
    while (e > s && blank(e[-1]))
        e--;
    it->text = s;
    it->len = (int)(e - s);
    const char *q = s;
    if (q < e && *q == '-') q++;
    size_t digits = strspn(q, "0123456789");
    q += digits;
    if (q < e && *q == '.') {
        size_t frac = strspn(q + 1, "0123456789");
        digits += frac;
        q += 1 + frac;
    }
    if (q > e || digits == 0) q = s; /* no number */
    it->num = s;
    it->num_len = (int)(q - s);
    while (q < e && blank(*q))
        q++;
    it->unit = q;
    it->unit_len = (int)(e - q);
    return true;
}

static bool unit_is(const item *it, const char *u)
{
    return (size_t)it->unit_len == strlen(u) && strncmp(it->unit, u, (size_t)it->unit_len) == 0;
}

/* The number's problems every list reports alike; false after writing one into WHY. */
static bool number_and_unit_ok(const item *it, const char *what, unsigned k, const char *unit_names,
                               bool unit_known, const char *form, char *why, size_t whylen)
{
    if (it->num_len == 0) {
        snprintf(why, whylen, "%s %u: expected a number at \"%.*s\"; %s", what, k,
                 SHOW(it->len, it->text), form);
        return false;
    }
    if (it->unit_len == 0) {
        snprintf(why, whylen, "%s %u \"%.*s\": missing unit (%s); %s", what, k,
                 SHOW(it->len, it->text), unit_names, form);
        return false;
    }
    if (!unit_known) {
        snprintf(why, whylen, "%s %u \"%.*s\": unknown unit \"%.*s\" (%s); %s", what, k,
                 SHOW(it->len, it->text), SHOW(it->unit_len, it->unit), unit_names, form);
        return false;
    }
    return true;
}

/* The number of IT times 10^EXP as a whole count, exactly: 0 if not whole, and
 * UINT64_MAX above 2^32 (too large for any threshold).  Negative numbers are the caller's. */
static uint64_t whole_scaled(const item *it, int exp, bool *whole)
{
    const char *q = it->num, *e = it->num + it->num_len;
    if (*q == '-') q++;
    uint64_t v = 0;
    int frac = -1; /* digits after the point, -1 before it */
    int last_nonzero_frac = 0;
    for (; q < e; q++) {
        if (*q == '.') {
            frac = 0;
            continue;
        }
        unsigned d = (unsigned)(*q - '0');
        if (frac >= 0) {
            frac++;
            if (d != 0) last_nonzero_frac = frac;
            if (frac > exp) continue; /* below a unit: only whether it is 0 matters */
        }
        if (v > ((uint64_t)1 << 40)) continue; /* saturated, too large anyway */
        v = v * 10u + d;
    }
    *whole = last_nonzero_frac <= exp;
    int used = frac < 0 ? 0 : (frac < exp ? frac : exp);
    for (int i = used; i < exp; i++)
        if (v <= ((uint64_t)1 << 40)) v *= 10u;
    return v > UINT32_MAX ? UINT64_MAX : v;
}

int sim_block_parse_thresholds(const char *text, sim_block_def *b, char *why, size_t whylen)
{
    uint32_t wh[SIM_BLOCK_THRESHOLDS] = {0};
    item shown[SIM_BLOCK_THRESHOLDS];
    unsigned n = 0;
    const char *p = text ? text : "";
    bool comma = false;
    item it;
    while (next_item(&p, &comma, &it)) {
        if (n == SIM_BLOCK_THRESHOLDS) {
            snprintf(why, whylen, "more than %d thresholds; %s", SIM_BLOCK_THRESHOLDS,
                     THRESHOLD_FORM);
            return -1;
        }
        unsigned k = n + 1;
        bool kwh = unit_is(&it, "kWh");
        if (!number_and_unit_ok(&it, "threshold", k, "Wh or kWh", kwh || unit_is(&it, "Wh"),
                                THRESHOLD_FORM, why, whylen))
            return -1;
        bool whole;
        uint64_t v = whole_scaled(&it, kwh ? 3 : 0, &whole);
        if (*it.num == '-' || (v == 0 && whole)) {
            snprintf(why, whylen, "threshold %u \"%.*s\" is not above 0; %s", k,
                     SHOW(it.len, it.text), THRESHOLD_FORM);
            return -1;
        }
        if (v == UINT64_MAX) {
            snprintf(why, whylen, "threshold %u \"%.*s\" is above %" PRIu32 " Wh; %s", k,
                     SHOW(it.len, it.text), UINT32_MAX, THRESHOLD_FORM);
            return -1;
        }
        if (!whole) {
            snprintf(why, whylen, "threshold %u \"%.*s\" is not a whole number of Wh; %s", k,
                     SHOW(it.len, it.text), THRESHOLD_FORM);
            return -1;
        }
        if (n > 0 && v <= wh[n - 1]) {
            snprintf(why, whylen, "threshold %u \"%.*s\" is not above threshold %u \"%.*s\"; %s", k,
                     SHOW(it.len, it.text), n, SHOW(shown[n - 1].len, shown[n - 1].text),
                     THRESHOLD_FORM);
            return -1;
        }
        shown[n] = it;
        wh[n++] = (uint32_t)v;
    }
    b->n_thresholds = (uint8_t)n;
    memcpy(b->threshold_wh, wh, sizeof wh);
    return 0;
}

int sim_block_parse_prices(const char *text, sim_block_def *b, char *why, size_t whylen)
{
    double price[SIM_BLOCK_THRESHOLDS + 1];
    unsigned n = 0;
    const char *p = text ? text : "";
    bool comma = false;
    item it;
    while (next_item(&p, &comma, &it)) {
        if (n == SIM_BLOCK_THRESHOLDS + 1) {
            snprintf(why, whylen, "more than %d prices; %s", SIM_BLOCK_THRESHOLDS + 1, PRICE_FORM);
            return -1;
        }
        unsigned k = n + 1;
        bool gbp = unit_is(&it, "GBP/kWh");
        if (!number_and_unit_ok(&it, "price", k, "p/kWh or GBP/kWh", gbp || unit_is(&it, "p/kWh"),
                                PRICE_FORM, why, whylen))
            return -1;
        char num[64];
        if ((size_t)it.num_len >= sizeof num) {
            snprintf(why, whylen, "price %u \"%.*s\" has too many digits; %s", k,
                     SHOW(it.len, it.text), PRICE_FORM);
            return -1;
        }
        memcpy(num, it.num, (size_t)it.num_len);
        num[it.num_len] = '\0';
        double v = strtod(num, NULL) * (gbp ? 100.0 : 1.0);
        if (*it.num == '-' && v != 0.0) {
            snprintf(why, whylen, "price %u \"%.*s\" is negative; %s", k, SHOW(it.len, it.text),
                     PRICE_FORM);
            return -1;
        }
        price[n++] = fabs(v); /* "-0" is 0 */
    }
    if (n == 0) {
        snprintf(why, whylen, "no price given; %s", PRICE_FORM);
        return -1;
    }
    for (unsigned k = 0; k <= SIM_BLOCK_THRESHOLDS; k++)
        b->price_p_kwh[k] = k < n ? price[k] : NAN;
    return (int)n;
}

int sim_block_check_thresholds(const char *text, char *why, size_t whylen)
{
    sim_block_def b;
    return sim_block_parse_thresholds(text, &b, why, whylen) < 0 ? -1 : 0;
}

int sim_block_check_prices(const char *text, char *why, size_t whylen)
{
    sim_block_def b;
    if (!text[0]) return 0; /* a supplier without a block tariff */
    return sim_block_parse_prices(text, &b, why, whylen) < 0 ? -1 : 0;
}
