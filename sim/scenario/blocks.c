#include "blocks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One "NUMBER UNIT" item of a comma-separated list; the unit's factor from UNITS. */
typedef struct unit_factor {
    const char *name;
    double factor;
} unit_factor;

static int parse_list(const char *text, const unit_factor *units, double *out, int max, int *n,
                      const char *form, char *why, size_t whylen)
{
    const char *p = text;
    *n = 0;
    while (*p == ' ') p++;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v)) {
            snprintf(why, whylen, "expected %s", form);
            return -1;
        }
        p = end;
        while (*p == ' ') p++;
        const unit_factor *u = units;
        for (; u->name; u++) {
            size_t l = strlen(u->name);
            if (strncmp(p, u->name, l) == 0 && (p[l] == '\0' || p[l] == ',' || p[l] == ' ')) break;
        }
        if (!u->name) {
            snprintf(why, whylen, "expected %s", form);
            return -1;
        }
        p += strlen(u->name);
        if (*n == max) {
            snprintf(why, whylen, "at most %d values", max);
            return -1;
        }
        out[(*n)++] = v * u->factor;
        while (*p == ' ') p++;
        if (*p == ',') {
            p++;
            while (*p == ' ') p++;
            if (!*p) {
                snprintf(why, whylen, "expected %s", form);
                return -1;
            }
        } else if (*p) {
            snprintf(why, whylen, "expected %s", form);
            return -1;
        }
    }
    return 0;
}

int sim_block_parse_thresholds(const char *text, sim_block_def *b, char *why, size_t whylen)
{
    static const unit_factor units[] = {{"kWh", 1000.0}, {"Wh", 1.0}, {NULL, 0}};
    double v[3];
    int n;
    if (parse_list(text, units, v, 3, &n, "energies such as \"4 kWh, 10 kWh\"", why, whylen))
        return -1;
    for (int k = 0; k < n; k++) {
        if (!(v[k] >= 1 && v[k] <= 4e9) || v[k] != floor(v[k])) {
            snprintf(why, whylen, "threshold %d must be a whole number of Wh in 1 Wh..4e9 Wh", k + 1);
            return -1;
        }
        if (k > 0 && v[k] <= v[k - 1]) {
            snprintf(why, whylen, "thresholds must be in ascending order");
            return -1;
        }
        b->threshold_wh[k] = (uint32_t)v[k];
    }
    b->n_thresholds = (uint8_t)n;
    return 0;
}

int sim_block_parse_prices(const char *text, sim_block_def *b, char *why, size_t whylen)
{
    static const unit_factor units[] = {{"p/kWh", 1.0}, {"GBP/kWh", 100.0}, {NULL, 0}};
    double v[4];
    int n;
    if (parse_list(text, units, v, 4, &n, "prices such as \"20 p/kWh, 30 p/kWh\"", why, whylen))
        return -1;
    for (int k = 0; k < n; k++) {
        if (!(v[k] >= 0 && v[k] <= 10000)) {
            snprintf(why, whylen, "price %d must be within 0..10000 p/kWh", k + 1);
            return -1;
        }
        b->price_p_kwh[k] = v[k];
    }
    b->n_prices = (uint8_t)n;
    return 0;
}

int sim_block_check_thresholds(const char *text, char *why, size_t whylen)
{
    sim_block_def b;
    return sim_block_parse_thresholds(text, &b, why, whylen);
}

int sim_block_check_prices(const char *text, char *why, size_t whylen)
{
    sim_block_def b;
    return sim_block_parse_prices(text, &b, why, whylen);
}
