/* Block tariff values as scenarios write them (sim/scenario/blocks.h): what the parsers
 * accept, what they hold, and the exact message of every refusal. */
#include "scenario/blocks.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#define TFORM "expected up to 3 ascending energies in Wh or kWh, e.g. \"3 kWh, 8 kWh\""
#define PFORM "expected 1 to 4 prices in p/kWh or GBP/kWh, e.g. \"15 p/kWh, 25.5 p/kWh\""

typedef struct {
    const char *text;
    unsigned n;
    uint32_t wh[3];
} thresholds_case;

static const thresholds_case thresholds_ok[] = {
    {"", 0, {0}},
    {"   ", 0, {0}},
    {"3 kWh, 8 kWh", 2, {3000, 8000}},
    {"4 kWh", 1, {4000}},
    {"500 Wh, 1.5 kWh,2kWh", 3, {500, 1500, 2000}},
    {" 0.001 kWh , 1.2340000 kWh ", 2, {1, 1234}},
    {"4294967295 Wh", 1, {4294967295u}},
    {"4294967.295 kWh", 1, {4294967295u}},
    {"3.3 kWh, 3301 Wh", 2, {3300, 3301}}, /* exact: no 3299.999... */
};

Test(blocks, thresholds_accepted_exactly)
{
    for (size_t i = 0; i < sizeof thresholds_ok / sizeof *thresholds_ok; i++) {
        const thresholds_case *c = &thresholds_ok[i];
        sim_block_def b;
        memset(&b, 0xA5, sizeof b);
        char why[256] = "";
        cr_assert_eq(sim_block_parse_thresholds(c->text, &b, why, sizeof why), 0, "%s: %s", c->text,
                     why);
        cr_expect_eq(b.n_thresholds, c->n, "%s", c->text);
        for (unsigned k = 0; k < 3; k++)
            cr_expect_eq(b.threshold_wh[k], k < c->n ? c->wh[k] : 0u, "%s [%u]", c->text, k);
        cr_expect_eq(sim_block_check_thresholds(c->text, why, sizeof why), 0, "%s", c->text);
    }
    sim_block_def b;
    char why[256];
    cr_expect_eq(sim_block_parse_thresholds(NULL, &b, why, sizeof why), 0);
    cr_expect_eq(b.n_thresholds, 0);
}

typedef struct {
    const char *text;
    const char *why;
} refusal;

static const refusal thresholds_bad[] = {
    {"3", "threshold 1 \"3\": missing unit (Wh or kWh); " TFORM},
    {"3 kWh, 8 kW", "threshold 2 \"8 kW\": unknown unit \"kW\" (Wh or kWh); " TFORM},
    {"3 kWh,", "threshold 2: expected a number at \"\"; " TFORM},
    {"kWh", "threshold 1: expected a number at \"kWh\"; " TFORM},
    {"three kWh", "threshold 1: expected a number at \"three kWh\"; " TFORM},
    {"1e3 Wh", "threshold 1 \"1e3 Wh\": unknown unit \"e3 Wh\" (Wh or kWh); " TFORM},
    {"0 kWh", "threshold 1 \"0 kWh\" is not above 0; " TFORM},
    {"-2 kWh", "threshold 1 \"-2 kWh\" is not above 0; " TFORM},
    {"1.2345 kWh", "threshold 1 \"1.2345 kWh\" is not a whole number of Wh; " TFORM},
    {"0.5 Wh", "threshold 1 \"0.5 Wh\" is not a whole number of Wh; " TFORM},
    {"4294967296 Wh", "threshold 1 \"4294967296 Wh\" is above 4294967295 Wh; " TFORM},
    {"99999999999999999999999 kWh",
     "threshold 1 \"99999999999999999999999 \" is above 4294967295 Wh; " TFORM},
    {"8 kWh, 3 kWh", "threshold 2 \"3 kWh\" is not above threshold 1 \"8 kWh\"; " TFORM},
    {"3 kWh, 3000 Wh", "threshold 2 \"3000 Wh\" is not above threshold 1 \"3 kWh\"; " TFORM},
    {"1 kWh, 2 kWh, 3 kWh, 4 kWh", "more than 3 thresholds; " TFORM},
};

Test(blocks, thresholds_refused_with_the_reason_and_the_form)
{
    for (size_t i = 0; i < sizeof thresholds_bad / sizeof *thresholds_bad; i++) {
        const refusal *c = &thresholds_bad[i];
        sim_block_def b = {.n_thresholds = 2, .threshold_wh = {7, 9, 0}};
        char why[256] = "";
        cr_expect_eq(sim_block_parse_thresholds(c->text, &b, why, sizeof why), -1, "%s", c->text);
        cr_expect_str_eq(why, c->why, "%s", c->text);
        cr_expect(b.n_thresholds == 2 && b.threshold_wh[0] == 7 && b.threshold_wh[1] == 9,
                  "%s: untouched on failure", c->text);
        char why2[256] = "";
        cr_expect_eq(sim_block_check_thresholds(c->text, why2, sizeof why2), -1, "%s", c->text);
        cr_expect_str_eq(why2, c->why);
    }
}

typedef struct {
    const char *text;
    int n;
    double p[4];
} prices_case;

static const prices_case prices_ok[] = {
    {"15 p/kWh, 25.5 p/kWh", 2, {15, 25.5}},
    {"20 p/kWh", 1, {20}},
    {"0.2 GBP/kWh, 30p/kWh, 0 p/kWh, 12.34 p/kWh", 4, {20, 30, 0, 12.34}},
    {" -0 p/kWh ", 1, {0}},
};

Test(blocks, prices_accepted)
{
    for (size_t i = 0; i < sizeof prices_ok / sizeof *prices_ok; i++) {
        const prices_case *c = &prices_ok[i];
        sim_block_def b;
        memset(&b, 0, sizeof b);
        char why[256] = "";
        cr_assert_eq(sim_block_parse_prices(c->text, &b, why, sizeof why), c->n, "%s: %s", c->text,
                     why);
        for (int k = 0; k < 4; k++) {
            if (k < c->n) {
                cr_expect(fabs(b.price_p_kwh[k] - c->p[k]) < 1e-12, "%s [%d] %g", c->text, k,
                          b.price_p_kwh[k]);
                cr_expect(!signbit(b.price_p_kwh[k]), "%s [%d]", c->text, k);
            } else {
                cr_expect(isnan(b.price_p_kwh[k]), "%s [%d]: unset slots are NaN", c->text, k);
            }
        }
        cr_expect_eq(sim_block_check_prices(c->text, why, sizeof why), 0, "%s", c->text);
    }
}

static const refusal prices_bad[] = {
    {"", "no price given; " PFORM},
    {"  ", "no price given; " PFORM},
    {"15", "price 1 \"15\": missing unit (p/kWh or GBP/kWh); " PFORM},
    {"15 p, 20 p/kWh", "price 1 \"15 p\": unknown unit \"p\" (p/kWh or GBP/kWh); " PFORM},
    {"15 p/kWh, 20 £/kWh",
     "price 2 \"20 £/kWh\": unknown unit \"£/kWh\" (p/kWh or GBP/kWh); " PFORM},
    {"15 p/kWh,,20 p/kWh", "price 2: expected a number at \"\"; " PFORM},
    {"p/kWh", "price 1: expected a number at \"p/kWh\"; " PFORM},
    {"-1 p/kWh", "price 1 \"-1 p/kWh\" is negative; " PFORM},
    {"1 p/kWh, 2 p/kWh, 3 p/kWh, 4 p/kWh, 5 p/kWh", "more than 4 prices; " PFORM},
};

Test(blocks, prices_refused_with_the_reason_and_the_form)
{
    for (size_t i = 0; i < sizeof prices_bad / sizeof *prices_bad; i++) {
        const refusal *c = &prices_bad[i];
        sim_block_def b = {.price_p_kwh = {1, 2, 3, 4}};
        char why[256] = "";
        cr_expect_eq(sim_block_parse_prices(c->text, &b, why, sizeof why), -1, "%s", c->text);
        cr_expect_str_eq(why, c->why, "%s", c->text);
        cr_expect(b.price_p_kwh[0] == 1 && b.price_p_kwh[3] == 4, "%s: untouched", c->text);
        /* the key check takes "" (a supplier without a block tariff) */
        char why2[256] = "";
        if (c->text[0]) {
            cr_expect_eq(sim_block_check_prices(c->text, why2, sizeof why2), -1, "%s", c->text);
            cr_expect_str_eq(why2, c->why);
        } else {
            cr_expect_eq(sim_block_check_prices(c->text, why2, sizeof why2), 0);
        }
    }
}
