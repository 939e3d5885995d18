/* Prices (models/grid/price.c, wholesale.c) against their definitions and calibration
 * targets: the usual Economy 7 night; Octopus Energy, "Agile pricing explained", for the
 * agile formula; DUKES table 6.3 load factors for wind and solar; GB day-ahead auction
 * averages for the wholesale level (Montel EnAppSys: 82.50 GBP/MWh Q4 2023, 64.57 GBP/MWh
 * Q1 2024).  A model loaded from a checkpoint gives the saved model's prices bit for bit. */
#include "grid/price.h"
#include "sim/ckpt.h"
#include "sim/timeutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define H(h) ((int32_t)(h)*3600)

static int64_t day_unix(int y, int m, int d)
{
    return sim_days_from_civil(y, m, d) * SIM_DAY_S;
}

static grid_price_model *make(grid_price_config *c, int64_t start, uint32_t n)
{
    c->start_unix = start;
    c->n_periods = n;
    grid_price_model *m;
    char err[160];
    int rc = grid_price_create(c, &m, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    return m;
}

static int32_t unit_at(const grid_price_model *m, grid_tariff kind, uint32_t period)
{
    grid_price p;
    int rc = grid_price_get(m, kind, period, &p);
    cr_assert_eq(rc, 0, "%s %u: %s", grid_tariff_name(kind), period, grid_price_strerror(rc));
    return p.unit;
}

/* Period of HH:MM on day 0 for a run starting at midnight. */
static uint32_t slot(int h, int mi)
{
    return (uint32_t)(h * 2 + mi / 30);
}

Test(price, flat_rate_and_standing_charges_are_integers_in_hundredths_of_a_penny)
{
    grid_price_config c;
    grid_price_config_default(&c);
    grid_price_model *m = make(&c, day_unix(2026, 1, 12), 48);
    grid_price p;
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_FLAT, 17, &p), 0);
    /* Ofgem cap Oct-Dec 2024: 24.50 p/kWh, 60.99 p/day, at scale 10^-2 p. */
    cr_assert_eq(p.unit, 2450);
    cr_assert_eq(p.standing, 6099);
    cr_assert_eq(GRID_PRICE_PER_PENNY, 100);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_FLAT, 48, &p), GRID_EPRICE_RANGE);
    grid_price_destroy(m);
}

/* Economy 7 is usually midnight to 07:00.  Boundaries exact to the period. */
Test(price, economy7_night_rate_covers_exactly_00_00_to_07_00)
{
    grid_price_config c;
    grid_price_config_default(&c);
    grid_price_model *m = make(&c, day_unix(2026, 1, 12), 96);
    int32_t night = 1500, day = 3138;
    for (uint32_t k = 0; k < 96; k++) {
        uint32_t s = k % 48;
        cr_assert_eq(unit_at(m, GRID_TARIFF_E7, k), s < slot(7, 0) ? night : day, "period %u", k);
    }
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(6, 30)), night);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(7, 0)), day);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(23, 30)), day);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, 48), night);
    grid_price_destroy(m);
}

Test(price, economy7_window_can_wrap_over_midnight)
{
    grid_price_config c;
    grid_price_config_default(&c);
    c.e7.night_start_s = H(22);
    c.e7.night_end_s = H(5);
    grid_price_model *m = make(&c, day_unix(2026, 1, 12), 48);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(21, 30)), 3138);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(22, 0)), 1500);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(0, 0)), 1500);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(4, 30)), 1500);
    cr_assert_eq(unit_at(m, GRID_TARIFF_E7, slot(5, 0)), 3138);
    grid_price_destroy(m);
}

Test(price, economy7_window_must_fall_on_period_boundaries)
{
    grid_price_config c;
    grid_price_config_default(&c);
    c.e7.night_end_s = H(7) + 15 * 60;
    c.start_unix = day_unix(2026, 1, 12);
    c.n_periods = 48;
    grid_price_model *m;
    char err[160];
    cr_assert_eq(grid_price_create(&c, &m, err, sizeof err), GRID_EPRICE_CONFIG);
    cr_assert_null(m);
    cr_assert_not_null(strstr(err, "e7"), "%s", err);
}

Test(price, time_of_use_bands_apply_inside_their_windows_and_base_elsewhere)
{
    grid_price_config c;
    grid_price_config_default(&c);
    char why[120];
    cr_assert_eq(grid_tou_parse("02:00-05:00 15.00, 16:00-19:00 35 p/kWh; 23:00-00:30 9.5",
                                c.tou.bands, GRID_TOU_MAX_BANDS, &c.tou.n_bands, why, sizeof why),
                 0, "%s", why);
    cr_assert_eq(c.tou.n_bands, 3);
    grid_price_model *m = make(&c, day_unix(2026, 1, 12), 96);
    static const struct {
        int h, mi;
        int32_t unit;
    } cases[] = {
        {0, 0, 950},    {0, 30, 2450},  {1, 30, 2450}, {2, 0, 1500},   {4, 30, 1500},
        {5, 0, 2450},   {15, 30, 2450}, {16, 0, 3500}, {18, 30, 3500}, {19, 0, 2450},
        {22, 30, 2450}, {23, 0, 950},   {23, 30, 950},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t k = slot(cases[i].h, cases[i].mi);
        cr_expect_eq(unit_at(m, GRID_TARIFF_TOU, k), cases[i].unit, "%02d:%02d", cases[i].h,
                     cases[i].mi);
        cr_expect_eq(unit_at(m, GRID_TARIFF_TOU, k + 48), cases[i].unit, "day 1 %02d:%02d",
                     cases[i].h, cases[i].mi);
    }
    grid_price_destroy(m);
}

Test(price, time_of_use_rejects_overlapping_or_malformed_bands)
{
    grid_price_config c;
    grid_price_config_default(&c);
    char why[120], err[160];
    cr_assert_eq(grid_tou_parse("16:00-19:00 35, 18:00-20:00 30", c.tou.bands, GRID_TOU_MAX_BANDS,
                                &c.tou.n_bands, why, sizeof why),
                 0);
    c.start_unix = day_unix(2026, 1, 12);
    c.n_periods = 48;
    grid_price_model *m;
    cr_assert_eq(grid_price_create(&c, &m, err, sizeof err), GRID_EPRICE_CONFIG);
    cr_assert_not_null(strstr(err, "overlap"), "%s", err);
    unsigned n;
    grid_tou_band b[2];
    cr_assert_eq(grid_tou_parse("16:15-19:00 35", b, 2, &n, why, sizeof why), GRID_EPRICE_PARSE);
    cr_assert_eq(grid_tou_parse("16:00 19:00 35", b, 2, &n, why, sizeof why), GRID_EPRICE_PARSE);
    cr_assert_eq(grid_tou_parse("16:00-19:00", b, 2, &n, why, sizeof why), GRID_EPRICE_PARSE);
    cr_assert_eq(grid_tou_parse("1:00-2:00 1, 2:00-3:00 2, 3:00-4:00 3", b, 2, &n, why, sizeof why),
                 GRID_EPRICE_PARSE);
}

/* Agile: min(2.2 x wholesale + 12 p in 16:00-19:00, cap about 52 p); the Octopus blog's
 * cap 52.38 p.  Hand-computed: 1 GBP/MWh = 0.1 p/kWh.  Exact to the integer unit. */
Test(price, agile_formula_matches_hand_computed_values)
{
    grid_price_config c;
    grid_price_config_default(&c);
    const grid_dynamic_retail *a = &c.agile;
    static const struct {
        double w;
        int h, mi;
        int32_t unit;
    } cases[] = {
        {100.0, 12, 0, 2200},  /* 2.2 x 10 p */
        {100.0, 15, 30, 2200}, /* before the peak */
        {100.0, 16, 0, 3400},  /* 22 + 12 */
        {100.0, 18, 30, 3400}, /* last peak period */
        {100.0, 19, 0, 2200},  /* peak over */
        {200.0, 3, 0, 4400},   /* 44 p, under the cap */
        {250.0, 3, 0, 5238},   /* 55 p: capped */
        {190.0, 17, 0, 5238},  /* 41.8 + 12 = 53.8 p: capped */
        {180.0, 17, 0, 5160},  /* 39.6 + 12 = 51.6 p */
        {12.345, 3, 0, 272},   /* 2.7159 p rounds to 2.72 */
        {-30.0, 3, 0, -660},   /* negative wholesale keeps the formula */
        {-30.0, 17, 0, 540},   /* -6.6 + 12 */
        {-300.0, 3, 0, -5000}, /* -66 p floored at -50 p */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(grid_dynamic_retail_unit(a, cases[i].w, H(cases[i].h) + cases[i].mi * 60),
                     cases[i].unit, "W=%g at %02d:%02d", cases[i].w, cases[i].h, cases[i].mi);
}

Test(price, published_agile_prices_apply_the_formula_to_the_day_ahead_wholesale)
{
    grid_price_config c;
    grid_price_config_default(&c);
    grid_price_model *m = make(&c, day_unix(2026, 1, 12), 7 * 48);
    cr_assert_eq(grid_price_publish_until(m, 7 * SIM_DAY_S), 0);
    int peak_seen = 0;
    for (uint32_t k = 0; k < 7 * 48; k++) {
        grid_wholesale_point w;
        cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_DAY_AHEAD, k, &w), 0);
        int32_t tod = (int32_t)(k % 48) * SIM_PERIOD_S;
        double p = 2.2 * w.price_gbp_mwh / 10.0 + (tod >= H(16) && tod < H(19) ? 12.0 : 0.0);
        p = fmin(p, 52.38);
        p = fmax(p, -50.0);
        cr_expect_eq(unit_at(m, GRID_TARIFF_AGILE, k), (int32_t)lround(p * 100.0), "period %u", k);
        peak_seen += tod >= H(16) && tod < H(19);
        /* The day-ahead price is the supply curve at the forecast residual. */
        cr_expect_float_eq(w.residual_w, w.demand_w - w.wind_w - w.solar_w, 1.0);
        cr_expect_float_eq(w.price_gbp_mwh,
                           grid_supply_curve_price(&c.wholesale.curve, w.residual_w), 1e-9);
    }
    cr_assert_eq(peak_seen, 7 * 6);
    grid_price_destroy(m);
}

/* Hand-computed points of the default supply curve (must-run 2.5 GW, gas 70 GBP/MWh,
 * ramp 3 GW, slope 1 GBP/MWh per GW, scarcity 40 GBP/MWh at 38 GW, width 2.5 GW, -8 per GW
 * below must-run, floor -50).  Tolerance 1e-6 GBP/MWh. */
Test(price, supply_curve_matches_hand_computed_points_and_never_falls)
{
    grid_price_config c;
    grid_price_config_default(&c);
    const grid_supply_curve *s = &c.wholesale.curve;
    double scar = 40.0 * exp((2.5 - 38.0) / 2.5);
    cr_expect_float_eq(grid_supply_curve_price(s, 2.5e9), scar, 1e-6);
    cr_expect_float_eq(grid_supply_curve_price(s, 0.5e9), -16.0 + 40.0 * exp(-37.5 / 2.5), 1e-6);
    cr_expect_float_eq(grid_supply_curve_price(s, -20e9), -50.0, 1e-6);
    double r = 20.0;
    cr_expect_float_eq(grid_supply_curve_price(s, r * 1e9),
                       70.0 * (1 - exp(-(r - 2.5) / 3.0)) + (r - 2.5) + 40.0 * exp(-18.0 / 2.5),
                       1e-6);
    cr_expect_float_eq(grid_supply_curve_price(s, 38e9),
                       70.0 * (1 - exp(-35.5 / 3.0)) + 35.5 + 40.0, 1e-6);
    cr_expect_float_eq(grid_supply_curve_price(s, 200e9), 1000.0, 1e-6);
    double prev = -1e9;
    for (double gw = -10; gw <= 60; gw += 0.25) {
        double p = grid_supply_curve_price(s, gw * 1e9);
        cr_assert_geq(p, prev, "falls at %g GW", gw);
        prev = p;
    }
}

/* Agile prices are fixed about 16:00 the day before. */
Test(price, agile_prices_are_published_at_16_00_utc_the_day_before)
{
    grid_price_config c;
    grid_price_config_default(&c);
    /* A run starting at 20:00: period 0 belongs to day 0, period 8 (00:00) to day 1. */
    int64_t start = day_unix(2026, 1, 12) + H(20);
    grid_price_model *m = make(&c, start, 4 * 48);
    int64_t t;
    cr_assert_eq(grid_price_publication_s(m, GRID_TARIFF_AGILE, 0, &t), 0);
    cr_assert_eq(t, -(H(20) + H(8))); /* 16:00 on 11 Jan */
    cr_assert_eq(grid_price_publication_s(m, GRID_TARIFF_AGILE, 7, &t), 0);
    cr_assert_eq(t, -(H(20) + H(8)));
    cr_assert_eq(grid_price_publication_s(m, GRID_TARIFF_AGILE, 8, &t), 0);
    cr_assert_eq(t, -H(4)); /* 16:00 on 12 Jan */
    cr_assert_eq(grid_price_publication_s(m, GRID_TARIFF_AGILE, 8 + 48, &t), 0);
    cr_assert_eq(t, H(20)); /* 16:00 on 13 Jan */
    cr_assert_eq(grid_price_publication_s(m, GRID_TARIFF_FLAT, 100, &t), 0);
    cr_assert_eq(t, 0);
    cr_assert_eq(grid_price_publication_s(m, GRID_TARIFF_RTP, 100, &t), 0);
    cr_assert_eq(t, 100 * SIM_PERIOD_S);

    grid_price p;
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, 0, &p), GRID_EPRICE_UNPUBLISHED);
    cr_assert_eq(grid_price_publish_until(m, 0), 0);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, 0, &p), 0);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, 8, &p), 0);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, 56, &p), GRID_EPRICE_UNPUBLISHED);
    cr_assert_eq(grid_price_publish_until(m, H(20) - 1), 0);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, 56, &p), GRID_EPRICE_UNPUBLISHED);
    cr_assert_eq(grid_price_publish_until(m, H(20)), 0);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, 56, &p), 0);
    cr_assert_eq(grid_price_day_of(m, 7), 0);
    cr_assert_eq(grid_price_day_of(m, 8), 1);
    cr_assert_eq(grid_price_n_days(m), 5);
    grid_price_destroy(m);
}

typedef struct probe {
    uint32_t lo, hi, calls;
    double bump; /* added to the synthetic demand */
    const grid_wholesale_config *w;
    int64_t start;
} probe;

static double probe_demand(void *ctx, uint32_t period)
{
    probe *p = ctx;
    if (period < p->lo) p->lo = period;
    if (period > p->hi) p->hi = period;
    p->calls++;
    return grid_demand_synthetic_w(p->w, p->start + (int64_t)period * SIM_PERIOD_S) + p->bump;
}

/* No look-ahead: a day's publication asks for that day's forecasts only, and realised wind
 * and solar changed after publication (or before it) leave published prices unchanged. */
Test(price, agile_prices_use_no_information_beyond_publication)
{
    grid_price_config c;
    grid_price_config_default(&c);
    int64_t start = day_unix(2026, 1, 12);
    probe pr = {.lo = UINT32_MAX, .w = &c.wholesale, .start = start};
    c.demand_forecast = probe_demand;
    c.demand_ctx = &pr;
    grid_price_model *m = make(&c, start, 3 * 48);
    cr_assert_eq(pr.calls, 0, "creation must not ask for forecasts");
    cr_assert_eq(grid_price_publish_until(m, 0), 0); /* day 0, and rtp period 0 */
    cr_assert_eq(pr.lo, 0);
    cr_assert_eq(pr.hi, 47);
    pr.lo = UINT32_MAX;
    pr.hi = 0;
    cr_assert_eq(grid_price_publish_until(m, H(16)), 0); /* day 1 */
    cr_assert_eq(pr.lo, 48);
    cr_assert_eq(pr.hi, 95);

    int32_t before[48];
    double da_before[48], re_before[48];
    for (uint32_t i = 0; i < 48; i++) {
        before[i] = unit_at(m, GRID_TARIFF_AGILE, 48 + i);
        grid_wholesale_point w;
        cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_DAY_AHEAD, 48 + i, &w), 0);
        da_before[i] = w.price_gbp_mwh;
        cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_REALISED, 48 + i, &w), 0);
        re_before[i] = w.price_gbp_mwh;
    }
    /* A dead calm, then a gale, after publication; and a demand surprise. */
    int changed = 0;
    for (double cf = 0.0; cf <= 1.0; cf += 1.0) {
        pr.bump = 5e9;
        for (uint32_t i = 0; i < 48; i++) {
            cr_assert_eq(grid_wholesale_set_realised(m, 48 + i, cf, 0.0), 0);
            cr_assert_eq(unit_at(m, GRID_TARIFF_AGILE, 48 + i), before[i]);
            grid_wholesale_point w;
            cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_DAY_AHEAD, 48 + i, &w), 0);
            cr_assert_eq(w.price_gbp_mwh, da_before[i]);
            cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_REALISED, 48 + i, &w), 0);
            changed += w.price_gbp_mwh != re_before[i];
        }
    }
    cr_assert_gt(changed, 48, "realised prices must follow the realised wind");
    grid_price_destroy(m);

    /* Realised wind rewritten before publication: the same published prices. */
    pr.bump = 0;
    grid_price_model *m2 = make(&c, start, 3 * 48);
    for (uint32_t k = 0; k < 3 * 48; k++)
        cr_assert_eq(grid_wholesale_set_realised(m2, k, 0.9, 0.5), 0);
    cr_assert_eq(grid_price_publish_until(m2, H(16)), 0);
    for (uint32_t i = 0; i < 48; i++)
        cr_assert_eq(unit_at(m2, GRID_TARIFF_AGILE, 48 + i), before[i]);
    grid_price_destroy(m2);
}

/* Plausibility over a simulated year from 2024-01-01, three seeds.  Criteria and sources:
 *  - annual mean day-ahead price in 55-100 GBP/MWh (GB auctions: 82.50 Q4 2023, 64.57
 *    Q1 2024, Montel EnAppSys);
 *  - 16:00-19:00 mean at least 10 % above the annual mean (the evening peak agile's adder
 *    targets);
 *  - negative periods between 0.5 % and 15 % of the year; windy nights (forecast wind
 *    capacity factor > 0.6, 00:00-06:00) below half the annual mean;
 *  - realised wind load factor 0.33 +- 0.05 and solar 0.112 +- 0.015 (DUKES 6.3, 2018-2022
 *    onshore 26.3 % / offshore 40.6 %, solar 11.16 %);
 *  - synthetic national demand between 15 and 50 GW, winter mean above summer mean. */
Test(price, wholesale_year_is_plausible_for_gb, .timeout = 120)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        grid_price_config c;
        grid_price_config_default(&c);
        c.seed = seed;
        uint32_t n = 366 * 48; /* 2024 is a leap year */
        grid_price_model *m = make(&c, day_unix(2024, 1, 1), n);
        cr_assert_eq(grid_price_publish_until(m, (int64_t)n * SIM_PERIOD_S), 0);
        double sum = 0, eve = 0, windy = 0, wcf = 0, scf = 0, dmin = 1e99, dmax = 0;
        double winter = 0, summer = 0;
        unsigned neve = 0, nwindy = 0, neg = 0, nwin = 0, nsum = 0;
        for (uint32_t k = 0; k < n; k++) {
            grid_wholesale_point w;
            cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_DAY_AHEAD, k, &w), 0);
            double p = w.price_gbp_mwh;
            uint32_t s = k % 48;
            sum += p;
            neg += p < 0;
            if (s >= 32 && s < 38) {
                eve += p;
                neve++;
            }
            double wf, sf, wr, sr;
            cr_assert_eq(grid_wholesale_cf(m, GRID_MARKET_DAY_AHEAD, k, &wf, &sf), 0);
            cr_assert_eq(grid_wholesale_cf(m, GRID_MARKET_REALISED, k, &wr, &sr), 0);
            wcf += wr;
            scf += sr;
            if (wf > 0.6 && s < 12) {
                windy += p;
                nwindy++;
            }
            dmin = fmin(dmin, w.demand_w);
            dmax = fmax(dmax, w.demand_w);
            uint32_t day = k / 48;
            if (day < 59 || day >= 335) {
                winter += w.demand_w;
                nwin++;
            } else if (day >= 152 && day < 244) {
                summer += w.demand_w;
                nsum++;
            }
        }
        double mean = sum / n;
        cr_expect(mean >= 55 && mean <= 100, "seed %lu: annual mean %.1f GBP/MWh",
                  (unsigned long)seed, mean);
        cr_expect_geq(eve / neve, 1.10 * mean, "seed %lu: evening %.1f vs mean %.1f",
                      (unsigned long)seed, eve / neve, mean);
        double negshare = (double)neg / n;
        cr_expect(negshare > 0.005 && negshare < 0.15, "seed %lu: negative share %.3f",
                  (unsigned long)seed, negshare);
        cr_assert_gt(nwindy, 100);
        cr_expect_lt(windy / nwindy, 0.5 * mean, "seed %lu: windy nights %.1f", (unsigned long)seed,
                     windy / nwindy);
        cr_expect(fabs(wcf / n - 0.33) <= 0.05, "seed %lu: wind load factor %.3f",
                  (unsigned long)seed, wcf / n);
        cr_expect(fabs(scf / n - 0.112) <= 0.015, "seed %lu: solar load factor %.3f",
                  (unsigned long)seed, scf / n);
        cr_expect(dmin > 15e9 && dmax < 50e9, "demand %.1f-%.1f GW", dmin / 1e9, dmax / 1e9);
        cr_expect_gt(winter / nwin, summer / nsum);
        grid_price_destroy(m);
    }
}

/* RTP: the price of period k is the formula on the supply curve at period k-1's realised
 * residual demand (observed demand minus realised wind and solar); exact to the unit. */
Test(price, rtp_follows_realised_demand_of_the_previous_period)
{
    grid_price_config c;
    grid_price_config_default(&c);
    grid_price_model *m = make(&c, day_unix(2026, 1, 12), 48);
    grid_price p;
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_RTP, 0, &p), GRID_EPRICE_UNPUBLISHED);
    cr_assert_eq(grid_price_publish_until(m, 0), 0);
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_RTP, 0, &p), 0);
    for (uint32_t k = 0; k + 1 < 48; k++) {
        cr_assert_eq(grid_price_get(m, GRID_TARIFF_RTP, k + 1, &p), GRID_EPRICE_UNPUBLISHED,
                     "period %u before period %u was observed", k + 1, k);
        int32_t here = unit_at(m, GRID_TARIFF_RTP, k);
        /* Demand alternating low and high: 20 GW and 45 GW. */
        double d = k % 2 ? 45e9 : 20e9;
        cr_assert_eq(grid_price_rtp_observe(m, k, d), 0);
        cr_assert_eq(unit_at(m, GRID_TARIFF_RTP, k), here, "observing k must not move k");
        double wcf, scf;
        cr_assert_eq(grid_wholesale_cf(m, GRID_MARKET_REALISED, k, &wcf, &scf), 0);
        double resid = d - wcf * c.wholesale.wind_capacity_w - scf * c.wholesale.solar_capacity_w;
        double w = grid_supply_curve_price(&c.wholesale.curve, resid);
        int32_t tod = (int32_t)((k + 1) % 48) * SIM_PERIOD_S;
        cr_assert_eq(unit_at(m, GRID_TARIFF_RTP, k + 1), grid_dynamic_retail_unit(&c.rtp, w, tod));
        grid_wholesale_point real;
        cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_REALISED, k, &real), 0);
        cr_assert_eq(real.demand_w, d);
        cr_assert_float_eq(real.price_gbp_mwh, w, 1e-9);
    }
    /* Off-peak, high demand in k-1 gives a higher price in k than low demand does. */
    int up = 0;
    for (uint32_t k = 1; k + 1 < 32; k += 2)
        up += unit_at(m, GRID_TARIFF_RTP, k + 1) > unit_at(m, GRID_TARIFF_RTP, k);
    cr_assert_eq(up, 15);
    cr_assert_eq(grid_price_rtp_observe(m, 3, 30e9), GRID_EPRICE_FIXED);
    cr_assert_eq(grid_price_rtp_observe(m, 47, -1), 0); /* last period: nothing to fix */
    cr_assert_eq(grid_price_rtp_observe(m, 48, 1e9), GRID_EPRICE_RANGE);
    grid_price_destroy(m);
}

static void snapshot(grid_price_config *c, uint64_t seed, uint64_t entity, int reverse,
                     int32_t *agile, double *real)
{
    c->seed = seed;
    c->entity = entity;
    grid_price_model *m = make(c, day_unix(2026, 1, 12), 7 * 48);
    for (uint32_t i = 0; i < grid_price_n_days(m); i++)
        cr_assert_eq(grid_price_publish_day(m, reverse ? grid_price_n_days(m) - 1 - i : i), 0);
    for (uint32_t k = 0; k < 7 * 48; k++) {
        agile[k] = unit_at(m, GRID_TARIFF_AGILE, k);
        grid_wholesale_point w;
        cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_REALISED, k, &w), 0);
        real[k] = w.price_gbp_mwh;
    }
    grid_price_destroy(m);
}

Test(price, results_depend_only_on_seed_and_entity_not_on_call_order)
{
    grid_price_config c;
    grid_price_config_default(&c);
    enum { N = 7 * 48 };
    static int32_t a1[N], a2[N], a3[N], a4[N];
    static double r1[N], r2[N], r3[N], r4[N];
    snapshot(&c, 7, 0, 0, a1, r1);
    snapshot(&c, 7, 0, 1, a2, r2);
    snapshot(&c, 8, 0, 0, a3, r3);
    snapshot(&c, 7, 3, 0, a4, r4);
    cr_assert_arr_eq(a1, a2, sizeof a1, "publication order changed agile prices");
    cr_assert_arr_eq(r1, r2, sizeof r1, "publication order changed realised prices");
    cr_assert_neq(memcmp(a1, a3, sizeof a1), 0, "another seed must give other prices");
    cr_assert_neq(memcmp(a1, a4, sizeof a1), 0, "another entity must give other prices");
}

Test(price, invalid_configurations_are_reported)
{
    grid_price_config c;
    grid_price_config_default(&c);
    c.start_unix = day_unix(2026, 1, 12);
    grid_price_model *m;
    char err[160];
    c.n_periods = 0;
    cr_assert_eq(grid_price_create(&c, &m, err, sizeof err), GRID_EPRICE_CONFIG);
    c.n_periods = 48;
    c.agile.cap_p_kwh = -60;
    cr_assert_eq(grid_price_create(&c, &m, err, sizeof err), GRID_EPRICE_CONFIG);
    grid_price_config_default(&c);
    c.start_unix = day_unix(2026, 1, 12) + 60;
    c.n_periods = 48;
    cr_assert_eq(grid_price_create(&c, &m, err, sizeof err), GRID_EPRICE_CONFIG);
    cr_assert_str_eq(grid_price_strerror(GRID_EPRICE_UNPUBLISHED), "price not yet published");
    grid_tariff t;
    cr_assert_eq(grid_tariff_from_name("agile", &t), 0);
    cr_assert_eq(t, GRID_TARIFF_AGILE);
    cr_assert_eq(grid_tariff_from_name("economy10", &t), GRID_EPRICE_KIND);
    grid_price_destroy(NULL);
}

/* Released as the engine does (periods more than four days behind), a model holds the same
 * few days whatever the span: what it holds after 3,000 days is what it held after 30, and
 * the prices are those of a model that keeps everything. */
Test(price, released_model_holds_a_bound_independent_of_the_span, .timeout = 120)
{
    grid_price_config c;
    grid_price_config_default(&c);
    const uint32_t days = 3000, keep = 4 * 48;
    grid_price_model *m = make(&c, day_unix(2020, 1, 1), days * 48);
    grid_price_model *full = make(&c, day_unix(2020, 1, 1), 40 * 48);
    size_t at30 = 0, most = 0;
    for (uint32_t k = 0; k < days * 48; k++) {
        cr_assert_eq(grid_price_publish_until(m, (int64_t)(k + 1) * SIM_PERIOD_S), 0);
        cr_assert_eq(grid_price_rtp_observe(m, k, -1), 0);
        grid_wholesale_point w;
        cr_assert_eq(grid_wholesale_get(m, GRID_MARKET_REALISED, k, &w), 0);
        if (k < 40 * 48) {
            cr_assert_eq(grid_price_publish_until(full, (int64_t)(k + 1) * SIM_PERIOD_S), 0);
            cr_assert_eq(grid_price_rtp_observe(full, k, -1), 0);
            grid_price a, b;
            cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, k, &a), 0);
            cr_assert_eq(grid_price_get(full, GRID_TARIFF_AGILE, k, &b), 0);
            cr_assert_eq(a.unit, b.unit, "agile price of period %u", k);
            cr_assert_eq(grid_price_get(m, GRID_TARIFF_RTP, k, &a), 0);
            cr_assert_eq(grid_price_get(full, GRID_TARIFF_RTP, k, &b), 0);
            cr_assert_eq(a.unit, b.unit, "rtp price of period %u", k);
        }
        if (k + 1 > keep) grid_price_release(m, k + 1 - keep);
        size_t held = grid_price_bytes(m);
        if (held > most) most = held;
        if (k + 1 == 30 * 48) at30 = most;
    }
    grid_price p;
    cr_assert_eq(grid_price_get(m, GRID_TARIFF_AGILE, (days - 5) * 48, &p), GRID_EPRICE_RELEASED);
    cr_assert_eq(most, at30, "held %zu bytes at most over %u days, %zu over 30", most, days, at30);
    cr_assert_lt(most, 64 * 1024, "held %zu bytes", most);
    grid_price_destroy(full);
    grid_price_destroy(m);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

/* A forecast of its own, so that what publication asked it must travel (it cannot be asked
 * again on load). */
static double wavy_demand(void *ctx, uint32_t period)
{
    (void)ctx;
    return 30e9 + 4e9 * sin(period * 0.37) + 1e9 * cos(period * 0.05);
}

/* Period K's window as the engine runs it: rtp observation of K, publication up to its end,
 * now and then a realised value set ahead, and what lies four days behind released. */
static void price_window(grid_price_model *m, uint32_t k, uint32_t n)
{
    const uint32_t keep = 4 * 48;
    cr_assert_eq(grid_price_rtp_observe(m, k, 29e9 + 1e8 * (k % 17)), 0);
    cr_assert_eq(grid_price_publish_until(m, (int64_t)(k + 1) * SIM_PERIOD_S), 0);
    if (k % 11 == 0 && k + 5 < n)
        cr_assert_eq(grid_wholesale_set_realised(m, k + 5, 0.1 * (k % 7), 0.05), 0);
    if (k + 1 > keep) grid_price_release(m, k + 1 - keep);
}

/* Every answer the two models give about periods FROM .. TO-1, bit for bit. */
static void same_prices(const grid_price_model *a, const grid_price_model *b, uint32_t from,
                        uint32_t to)
{
    for (uint32_t k = from; k < to; k++) {
        for (int kind = 0; kind < GRID_TARIFF_COUNT; kind++) {
            grid_price pa = {0}, pb = {0};
            int ra = grid_price_get(a, (grid_tariff)kind, k, &pa);
            int rb = grid_price_get(b, (grid_tariff)kind, k, &pb);
            cr_assert_eq(ra, rb, "%s of period %u", grid_tariff_name((grid_tariff)kind), k);
            cr_assert_eq(memcmp(&pa, &pb, sizeof pa), 0, "%s of period %u",
                         grid_tariff_name((grid_tariff)kind), k);
        }
        for (int mk = 0; mk < 2; mk++) {
            grid_wholesale_point wa = {0}, wb = {0};
            int ra = grid_wholesale_get(a, (grid_market)mk, k, &wa);
            int rb = grid_wholesale_get(b, (grid_market)mk, k, &wb);
            cr_assert_eq(ra, rb, "market %d of period %u", mk, k);
            cr_assert_eq(memcmp(&wa, &wb, sizeof wa), 0, "market %d of period %u", mk, k);
            double cfa[2] = {0}, cfb[2] = {0};
            ra = grid_wholesale_cf(a, (grid_market)mk, k, &cfa[0], &cfa[1]);
            rb = grid_wholesale_cf(b, (grid_market)mk, k, &cfb[0], &cfb[1]);
            cr_assert_eq(ra, rb);
            cr_assert_eq(memcmp(cfa, cfb, sizeof cfa), 0, "capacity factors of period %u", k);
        }
    }
}

static FILE *saved_price(grid_price_model *m)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    sim_ckpt *c = sim_ckpt_open(f, false);
    cr_assert_eq(grid_price_ckpt(m, c), 0, "%s", sim_ckpt_err(c));
    cr_assert_eq(sim_ckpt_close(c), 0);
    rewind(f);
    return f;
}

/* Loads F into M: 0, or -1 with the stream's message in WHY. */
static int load_price(FILE *f, grid_price_model *m, char *why, size_t whylen)
{
    sim_ckpt *c = sim_ckpt_open(f, true);
    cr_assert_not_null(c);
    int rc = grid_price_ckpt(m, c);
    snprintf(why, whylen, "%s", sim_ckpt_err(c) ? sim_ckpt_err(c) : "");
    cr_assert_eq(rc == 0, sim_ckpt_err(c) == NULL);
    sim_ckpt_close(c);
    return rc;
}

Test(price, a_loaded_model_goes_on_with_the_saved_prices_bit_for_bit, .timeout = 120)
{
    grid_price_config c;
    grid_price_config_default(&c);
    c.demand_forecast = wavy_demand;
    const uint32_t n = 12 * 48, at = 6 * 48 + 13;
    grid_price_model *a = make(&c, day_unix(2026, 1, 12), n);
    for (uint32_t k = 0; k < at; k++)
        price_window(a, k, n);
    FILE *f = saved_price(a);
    grid_price_model *b = make(&c, day_unix(2026, 1, 12), n);
    cr_assert_eq(grid_price_publish_until(b, 0), 0); /* set-up may have used it: it starts again */
    char why[256];
    cr_assert_eq(load_price(f, b, why, sizeof why), 0, "%s", why);
    same_prices(a, b, at - 4 * 48, n);
    for (uint32_t k = at; k < n; k++) {
        price_window(a, k, n);
        price_window(b, k, n);
        same_prices(a, b, k + 1 > 4 * 48 ? k + 1 - 4 * 48 : 0, k + 96 < n ? k + 96 : n);
    }
    fclose(f);
    grid_price_destroy(a);
    grid_price_destroy(b);
}

Test(price, a_load_into_another_configuration_or_from_a_short_file_fails, .timeout = 120)
{
    grid_price_config c;
    grid_price_config_default(&c);
    const uint32_t n = 8 * 48, at = 5 * 48;
    grid_price_model *a = make(&c, day_unix(2026, 1, 12), n);
    for (uint32_t k = 0; k < at; k++)
        price_window(a, k, n);
    FILE *f = saved_price(a);
    char why[256];

    grid_price_config other = c;
    other.seed = 2;
    grid_price_model *b = make(&other, day_unix(2026, 1, 12), n);
    cr_assert_eq(load_price(f, b, why, sizeof why), -1);
    cr_expect(strstr(why, "price seed") != NULL, "%s", why);
    grid_price_destroy(b);

    other = c;
    other.wholesale.wind_error = 0.2; /* same streams, other forecasts */
    b = make(&other, day_unix(2026, 1, 12), n);
    rewind(f);
    cr_assert_eq(load_price(f, b, why, sizeof why), -1);
    cr_expect(strstr(why, "differs") != NULL, "%s", why);
    grid_price_destroy(b);

    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    char *bytes = malloc((size_t)size);
    rewind(f);
    cr_assert_eq(fread(bytes, 1, (size_t)size, f), (size_t)size);
    for (long cut = 0; cut < size; cut += cut < 200 ? 1 : 997) {
        FILE *g = tmpfile();
        fwrite(bytes, 1, (size_t)cut, g);
        rewind(g);
        b = make(&c, day_unix(2026, 1, 12), n);
        cr_assert_eq(load_price(g, b, why, sizeof why), -1, "cut at %ld", cut);
        cr_expect(strstr(why, "ends early") != NULL, "cut at %ld: %s", cut, why);
        grid_price_destroy(b);
        fclose(g);
    }
    free(bytes);
    fclose(f);
    grid_price_destroy(a);
}
