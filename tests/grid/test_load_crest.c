/* The crest load model against the published figures it is calibrated to (sources and
 * tolerances in each test).  Measured values are logged
 * (criterion --verbose) so a recalibration can be checked against them. */
#include "grid/load.h"
#include "load_resume.h"
#include "sim/timeutil.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static grid_load_params params(int64_t start, int64_t duration)
{
    grid_load_params p;
    grid_load_params_default(&p);
    p.seed = 42;
    p.start_unix = start;
    p.duration_s = duration;
    return p;
}

static int64_t day(int y, int m, int d)
{
    return sim_days_from_civil(y, m, d) * SIM_DAY_S;
}

typedef struct run_out {
    double *kwh;          /* per household: net electricity over the span [kWh] */
    double *gas_kwh;      /* per household: gas over the span [kWh] */
    grid_hh_totals *tot;  /* per household */
    grid_hh_attrs *attrs; /* per household */
    double *minute_w;     /* population mean demand per minute [W] */
    int group;            /* households per group for group_w */
    double *group_w;      /* [group index][half-hour]: mean demand per household [W] */
    uint64_t events;      /* hh_step calls */
    unsigned quadrants;   /* bit q: (P >= 0 ? 0 : 2) + (Q >= 0 ? 0 : 1) seen */
} run_out;

/* Run households FIRST..FIRST+N-1 (region REGION) over P's span. */
static void run(const grid_load_params *p, int first, int n, uint16_t region, run_out *o)
{
    const grid_load_ops *ops = grid_load_find("crest");
    cr_assert_not_null(ops);
    void *model;
    char err[256];
    cr_assert_eq(ops->create(p, &model, err, sizeof err), 0, "%s", err);
    unsigned char *hh = malloc(ops->hh_size);
    uint32_t end = (uint32_t)p->duration_s;
    uint32_t n_hh = end / SIM_PERIOD_S;
    for (int i = 0; i < n; i++) {
        grid_hh_ctx ctx = {
            .id = (uint64_t)(first + i), .region = region, .dwelling = GRID_DWELLING_UNKNOWN};
        int32_t pw, q;
        uint32_t t = 0, next = ops->hh_init_ctx(model, hh, &ctx, &pw, &q);
        double e = 0, g = 0;
        for (;;) {
            uint32_t until = next < end ? next : end;
            double span = until - t;
            e += pw / 1000.0 * span;
            g += ops->gas_w(model, hh) * span;
            o->quadrants |= 1u << ((pw >= 0 ? 0 : 2) + (q >= 0 ? 0 : 1));
            if (o->minute_w)
                for (uint32_t s = t; s < until;) {
                    uint32_t me = (s / 60 + 1) * 60, u = me < until ? me : until;
                    o->minute_w[s / 60] += pw / 1000.0 * (u - s) / 60.0 / n;
                    s = u;
                }
            if (o->group_w)
                for (uint32_t s = t; s < until;) {
                    uint32_t pe = (s / SIM_PERIOD_S + 1) * SIM_PERIOD_S,
                             u = pe < until ? pe : until;
                    o->group_w[(size_t)(i / o->group) * n_hh + s / SIM_PERIOD_S] +=
                        pw / 1000.0 * (u - s) / SIM_PERIOD_S / o->group;
                    s = u;
                }
            if (next >= end) break;
            t = next;
            next = ops->hh_step(model, hh, t, NULL, &pw, &q);
            o->events++;
            cr_assert_gt(next, t, "next change must lie in the future");
        }
        if (o->kwh) o->kwh[i] += e / 3.6e6;
        if (o->gas_kwh) o->gas_kwh[i] += g / 3.6e6;
        if (o->tot) ops->hh_totals(model, hh, &o->tot[i]);
        if (o->attrs) ops->hh_attrs(model, hh, &o->attrs[i]);
    }
    free(hh);
    ops->destroy(model);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *v, int n, double q)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double pos = q * (n - 1);
    int i = (int)pos;
    return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

Test(load_crest, household_state_fits_in_256_bytes)
{
    const grid_load_ops *ops = grid_load_find("crest");
    cr_assert_not_null(ops);
    cr_log_info("crest household state: %zu bytes", ops->hh_size);
    cr_expect_leq(ops->hh_size, 256);
}

/* Annual figures from twelve sampled weeks, one starting on the 8th of each month of 2026,
 * each weighted by its month's days: the same model code, a twelfth of the cost of a year. */
#define ANNUAL_N 1000
static void annualise(double *elec, double *gas, grid_hh_attrs *attrs)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    double *we = calloc(ANNUAL_N, sizeof *we), *wg = calloc(ANNUAL_N, sizeof *wg);
    for (int m = 0; m < 12; m++) {
        grid_load_params p = params(day(2026, m + 1, 8), 7 * SIM_DAY_S);
        memset(we, 0, ANNUAL_N * sizeof *we);
        memset(wg, 0, ANNUAL_N * sizeof *wg);
        run_out o = {.kwh = we, .gas_kwh = wg, .attrs = attrs};
        run(&p, 0, ANNUAL_N, 0, &o);
        for (int i = 0; i < ANNUAL_N; i++) {
            elec[i] += we[i] / 7.0 * mdays[m];
            gas[i] += wg[i] / 7.0 * mdays[m];
        }
    }
    free(we);
    free(wg);
}

Test(load_crest, annual_electricity_median_and_quartiles_match_ofgem_tdcv, .timeout = 600)
{
    /* Ofgem typical domestic consumption values: low 1,800 / medium 2,700 /
     * high 4,100 kWh/yr.  Ofgem sets "medium" at the median of GB domestic consumption
     * (decision letter, November 2010: the median better reflects a typical customer);
     * we read low and high as the lower and upper quartiles, which is what their spacing
     * suggests for a lognormal-like distribution (ln(2700/1800) ~ ln(4100/2700)).
     * Tolerances: median +-7.5 %; quartiles +-15 % (1,000 households: the sampling error
     * of a quartile is ~3 %, the rest is model structure). */
    double *elec = calloc(ANNUAL_N, sizeof *elec), *gas = calloc(ANNUAL_N, sizeof *gas);
    grid_hh_attrs *attrs = calloc(ANNUAL_N, sizeof *attrs);
    annualise(elec, gas, attrs);
    /* Gas-heated homes only, for the gas TDCV. */
    double *g = calloc(ANNUAL_N, sizeof *g);
    int ng = 0;
    for (int i = 0; i < ANNUAL_N; i++)
        if (attrs[i].heating == GRID_HEAT_GAS) g[ng++] = gas[i];
    double mean = 0;
    for (int i = 0; i < ANNUAL_N; i++)
        mean += elec[i] / ANNUAL_N;
    double q25 = quantile(elec, ANNUAL_N, 0.25), q50 = quantile(elec, ANNUAL_N, 0.5),
           q75 = quantile(elec, ANNUAL_N, 0.75);
    double q10 = quantile(elec, ANNUAL_N, 0.10), q90 = quantile(elec, ANNUAL_N, 0.90);
    cr_log_info("electricity kWh/yr: mean %.0f, p10 %.0f, p25 %.0f, median %.0f, p75 %.0f, "
                "p90 %.0f",
                mean, q10, q25, q50, q75, q90);
    cr_expect(fabs(q50 - 2700) / 2700 < 0.075, "median %.0f kWh/yr", q50);
    cr_expect(fabs(q25 - 1800) / 1800 < 0.15, "25th percentile %.0f kWh/yr", q25);
    cr_expect(fabs(q75 - 4100) / 4100 < 0.15, "75th percentile %.0f kWh/yr", q75);

    /* Ofgem medium gas TDCV 11,500 kWh/yr, median of gas-heated homes; +-10 %
     * (the synthetic year's degree-days vary by a few % with the seed). */
    cr_assert_gt(ng, 600, "gas homes: %d", ng);
    double g25 = quantile(g, ng, 0.25), g50 = quantile(g, ng, 0.5), g75 = quantile(g, ng, 0.75);
    cr_log_info("gas kWh/yr (%d gas homes): p25 %.0f, median %.0f, p75 %.0f", ng, g25, g50, g75);
    cr_expect(fabs(g50 - 11500) / 11500 < 0.10, "gas median %.0f kWh/yr", g50);
    /* The low/high gas TDCVs 7,500/17,000 read as quartiles, loosely (+-25 %). */
    cr_expect(fabs(g25 - 7500) / 7500 < 0.25, "gas 25th percentile %.0f", g25);
    cr_expect(fabs(g75 - 17000) / 17000 < 0.25, "gas 75th percentile %.0f", g75);
    free(elec);
    free(gas);
    free(g);
    free(attrs);
}

/* ADMD of GROUPS groups of 100 households over the winter 1 December 2025 - 28 February
 * 2026 at population consumption ANNUAL_KWH: the highest half-hourly mean demand per
 * household of each group, averaged over the groups [kW]. */
static double winter_admd(double annual_kwh, int groups)
{
    grid_load_params p = params(day(2025, 12, 1), 90 * SIM_DAY_S);
    p.annual_kwh = annual_kwh;
    uint32_t n_hh = (uint32_t)(p.duration_s / SIM_PERIOD_S);
    run_out o = {.group = 100, .group_w = calloc((size_t)groups * n_hh, sizeof(double))};
    run(&p, 0, groups * 100, 0, &o);
    double admd = 0;
    for (int gi = 0; gi < groups; gi++) {
        double mx = 0;
        uint32_t at = 0;
        for (uint32_t k = 0; k < n_hh; k++)
            if (o.group_w[(size_t)gi * n_hh + k] > mx) {
                mx = o.group_w[(size_t)gi * n_hh + k];
                at = k;
            }
        cr_log_info("%.0f kWh/yr, group %d: ADMD %.2f kW on day %u at %02u:%02u UTC", annual_kwh,
                    gi, mx / 1000, at / 48, at % 48 / 2, at % 2 * 30);
        admd += mx / 1000 / groups;
    }
    free(o.group_w);
    return admd;
}

Test(load_crest, after_diversity_maximum_demand_of_100_households_matches_clnr_and_lcl,
     .timeout = 300)
{
    /* ADMD about 1.5-2 kW per household for large groups without electric heating
     * (CLNR) and 0.54-1.78 kW across social groups (Low Carbon London).  CLNR-L217 (2015)
     * takes each customer type's maximum over a whole year and finds demand "stabilising at
     * 1.5 kW" (2 kW being the customary design value); its customers were metered in
     * 2011-14, when the median GB domestic meter used 3,206 kWh a year (DECC sub-national
     * statistics as quoted by ONS Methodology Working Paper 6, 2015; Ofgem's medium TDCV was
     * then 3,300), not today's 2,700.  Ten groups of 100 households (default mix: gas
     * heating, few EVs/HPs), winter December-February (the year's maximum falls in it).
     *
     * At the trial era's consumption (annual_kwh 3,206) the model gives ~1.43 kW, most groups
     * peaking at a winter weekday 18:30-19:00 or on Christmas Day at midday (the festive
     * roast, crest_internal.h FESTIVE_*): asserted CLNR's 1.5 kW +-10 % (one trial region,
     * sample bias not corrected, CLNR-L217).  At today's 2,700 kWh/yr it gives ~1.32 kW:
     * asserted within LCL's 0.54-1.78 kW, and below the 3,206 figure (peak demand follows
     * consumption).  Electric showers, evening cooking and plug-in heaters on cold days are
     * modelled; nothing is tuned to the ADMD. */
    double now = winter_admd(2700.0, 10), then = winter_admd(3206.0, 10);
    cr_log_info("ADMD (100 households, winter): %.2f kW at 2,700 kWh/yr, %.2f kW at 3,206", now,
                then);
    cr_expect(fabs(then - 1.5) <= 0.15, "ADMD %.2f kW at the CLNR era's consumption", then);
    cr_expect(now >= 0.54 && now <= 1.78, "ADMD %.2f kW at today's consumption", now);
    cr_expect_lt(now, then);
}

/* Start minute of the half-hour with the highest mean demand within [from, to). */
static int peak_halfhour(const double *w, int from, int to)
{
    int best = from;
    double bw = -1;
    for (int m = from; m + 30 <= to; m += 30) {
        double s = 0;
        for (int k = 0; k < 30; k++)
            s += w[m + k];
        if (s > bw) bw = s, best = m;
    }
    return best;
}

static double halfhour_mean(const double *w, int m)
{
    double s = 0;
    for (int k = 0; k < 30; k++)
        s += w[m + k];
    return s / 30;
}

Test(load_crest, christmas_day_peaks_at_midday_above_the_sundays_around_it, .timeout = 120)
{
    /* Christmas Day demand (crest_internal.h FESTIVE_*): GB demand on Christmas Day has a flat
     * late-morning peak 10:00-13:00 and almost no 18:00 peak (Palmer, energy-surprises blog,
     * December 2011, from national demand data); metered Hampshire homes show the cooking peak
     * earlier and higher than on the Sundays around it (Southampton SAVE study, Anderson 2017).
     * 500 households from Sunday 21 December 2025 to Sunday 28 December (GMT = UTC).
     * Asserted: the day's highest half-hour lies in 10:00-14:00; the 11:00-14:00 mean exceeds
     * that of both Sundays by more than 30 %; 17:00-19:00 lies below the Sundays'. */
    int n = 500;
    grid_load_params p = params(day(2025, 12, 21), 8 * SIM_DAY_S);
    double *w = calloc(8 * 1440, sizeof *w);
    run_out o = {.minute_w = w};
    run(&p, 0, n, 0, &o);
    const double *xmas = w + 4 * 1440, *sun1 = w, *sun2 = w + 7 * 1440;
    int pk = peak_halfhour(xmas, 0, 1440);
    double mid_x = 0, mid_1 = 0, mid_2 = 0, eve_x = 0, eve_1 = 0, eve_2 = 0;
    for (int m = 11 * 60; m < 14 * 60; m++)
        mid_x += xmas[m] / 180, mid_1 += sun1[m] / 180, mid_2 += sun2[m] / 180;
    for (int m = 17 * 60; m < 19 * 60; m++)
        eve_x += xmas[m] / 120, eve_1 += sun1[m] / 120, eve_2 += sun2[m] / 120;
    cr_log_info("Christmas Day peak %02d:%02d, %.0f W; 11-14h: %.0f W vs Sundays %.0f, %.0f W; "
                "17-19h: %.0f W vs %.0f, %.0f W",
                pk / 60, pk % 60, halfhour_mean(xmas, pk), mid_x, mid_1, mid_2, eve_x, eve_1,
                eve_2);
    cr_expect(pk >= 10 * 60 && pk < 14 * 60, "peak at %02d:%02d", pk / 60, pk % 60);
    cr_expect_gt(mid_x, 1.3 * mid_1);
    cr_expect_gt(mid_x, 1.3 * mid_2);
    cr_expect_lt(eve_x, eve_1);
    cr_expect_lt(eve_x, eve_2);
    free(w);
}

Test(load_crest, weekday_evening_peak_falls_between_1630_and_2000, .timeout = 120)
{
    /* Issue 4: the weekday evening peak lies between 16:30 and 20:00 (Elexon
     * profile class 1 shape).  Wednesday 14 January 2026 (GMT = UTC), 2,000 households. */
    double w[1440] = {0};
    grid_load_params p = params(day(2026, 1, 14), SIM_DAY_S);
    run_out o = {.minute_w = w};
    run(&p, 0, 2000, 0, &o);
    int pk = peak_halfhour(w, 0, 1440);
    cr_log_info("weekday peak %02d:%02d, %.0f W; 03:00 %.0f W; 08:00 %.0f W; 13:00 %.0f W", pk / 60,
                pk % 60, halfhour_mean(w, pk), halfhour_mean(w, 180), halfhour_mean(w, 480),
                halfhour_mean(w, 780));
    cr_expect(pk >= 16 * 60 + 30 && pk + 30 <= 20 * 60, "peak at %02d:%02d", pk / 60, pk % 60);
    cr_expect(halfhour_mean(w, pk) > 2.5 * halfhour_mean(w, 180), "evening well above night");
}

Test(load_crest, weekend_mornings_are_later_and_days_flatter, .timeout = 120)
{
    /* Weekends (issue 4): the morning rise comes later and the day is flatter than on
     * weekdays.  Measured as the time demand first reaches the day's mean (later on
     * Saturday than on Wednesday) and the peak-to-mean ratio (lower on Saturday). */
    double wd[1440] = {0}, we[1440] = {0};
    grid_load_params p = params(day(2026, 1, 14), SIM_DAY_S);
    run_out o1 = {.minute_w = wd};
    run(&p, 0, 2000, 0, &o1);
    p = params(day(2026, 1, 17), SIM_DAY_S);
    run_out o2 = {.minute_w = we};
    run(&p, 0, 2000, 0, &o2);
    double mean_wd = 0, mean_we = 0;
    for (int k = 0; k < 1440; k++)
        mean_wd += wd[k] / 1440, mean_we += we[k] / 1440;
    int rise_wd = 240, rise_we = 240;
    while (rise_wd < 1440 && halfhour_mean(wd, rise_wd) < mean_wd)
        rise_wd += 10;
    while (rise_we < 1440 && halfhour_mean(we, rise_we) < mean_we)
        rise_we += 10;
    double pr_wd = halfhour_mean(wd, peak_halfhour(wd, 0, 1440)) / mean_wd;
    double pr_we = halfhour_mean(we, peak_halfhour(we, 0, 1440)) / mean_we;
    cr_log_info("morning rise to the mean: weekday %02d:%02d, weekend %02d:%02d; peak/mean "
                "weekday %.2f, weekend %.2f",
                rise_wd / 60, rise_wd % 60, rise_we / 60, rise_we % 60, pr_wd, pr_we);
    cr_expect(rise_we > rise_wd, "weekend morning rise later");
    cr_expect(pr_we < pr_wd, "weekend flatter");
}

Test(load_crest, pv_yield_and_heat_pump_seasonal_cop_over_a_year, .timeout = 300)
{
    /* A full year (2026) for 60 households, all with PV and a heat pump.
     * PV: GB yield about 850-1,000 kWh/kWp/yr (PVGIS for the English Midlands; MCS
     * estimates), checked over the whole population's kWp.
     * Heat pumps: seasonal COP about 2.5-3.5 (field trials summarised by Staffell et al.
     * 2012; the Electrification of Heat demonstration reports median SPF ~2.8). */
    int n = 60;
    grid_load_params p = params(day(2026, 1, 1), 365 * SIM_DAY_S);
    p.pv_share = 1.0;
    p.hp_share = 1.0;
    grid_hh_totals *tot = calloc((size_t)n, sizeof *tot);
    grid_hh_attrs *attrs = calloc((size_t)n, sizeof *attrs);
    run_out o = {.tot = tot, .attrs = attrs};
    clock_t c0 = clock();
    run(&p, 0, n, 0, &o);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double kwp = 0, pv = 0, heat = 0, elec = 0;
    int houses = 0;
    for (int i = 0; i < n; i++) {
        kwp += attrs[i].pv_kwp;
        houses += attrs[i].pv_kwp > 0;
        pv += tot[i].pv_wh / 1000;
        heat += tot[i].hp_heat_wh / 1000;
        elec += tot[i].hp_elec_wh / 1000;
        cr_assert_eq(attrs[i].heating, GRID_HEAT_HP);
    }
    double yield = pv / kwp, scop = heat / elec;
    cr_log_info("PV: %d arrays, %.1f kWp, yield %.0f kWh/kWp/yr; heat pumps: heat %.0f, "
                "electricity %.0f kWh/yr per home, SCOP %.2f; %.1f s for %d household-years",
                houses, kwp, yield, heat / n, elec / n, scop, secs, n);
    cr_expect(houses > n / 2, "flats have no PV, houses all do");
    cr_expect(yield >= 850 && yield <= 1000, "PV yield %.0f kWh/kWp/yr", yield);
    cr_expect(scop >= 2.5 && scop <= 3.5, "seasonal COP %.2f", scop);
    free(tot);
    free(attrs);
}

Test(load_crest, meters_see_all_four_quadrants)
{
    /* PV export (P < 0) with leading electronics (Q < 0) or lagging motors (Q > 0) and
     * import with either: all four quadrants occur in a summer day of PV homes. */
    grid_load_params p = params(day(2026, 6, 17), SIM_DAY_S);
    p.pv_share = 1.0;
    run_out o = {0};
    run(&p, 0, 300, 0, &o);
    cr_expect_eq(o.quadrants, 0xFu, "quadrants seen: %#x", o.quadrants);
}

Test(load_crest, events_per_household_day_and_speed, .timeout = 300)
{
    /* Not a timing assertion (tests never assert wall-clock): it logs events per
     * household-day and the CPU time of 10,000 household-days (1,000 households x 10 winter
     * days) with the default mix, and checks the event rate stays modest. */
    grid_load_params p = params(day(2026, 1, 12), 10 * SIM_DAY_S);
    run_out o = {0};
    clock_t c0 = clock();
    run(&p, 0, 1000, 0, &o);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double per = (double)o.events / 10000.0;
    cr_log_info("%.0f events per household-day; %.2f s CPU for 10,000 household-days", per, secs);
    cr_expect(per < 400, "%.0f events per household-day", per);
}

Test(load_crest, household_sequence_depends_only_on_seed_and_id)
{
    const grid_load_ops *ops = grid_load_find("crest");
    grid_load_params p = params(day(2026, 1, 14), 2 * SIM_DAY_S);
    p.pv_share = 0.5;
    p.ev_share = 0.5;
    void *model;
    char err[128];
    cr_assert_eq(ops->create(&p, &model, err, sizeof err), 0, "%s", err);
    unsigned char *a = malloc(ops->hh_size), *b = malloc(ops->hh_size), *c = malloc(ops->hh_size);
    grid_hh_ctx ca = {.id = 7, .region = 3, .dwelling = 0}, cc = {.id = 8, .region = 3};
    int32_t pa, qa, pb, qb, pc, qc;
    uint32_t ta = ops->hh_init_ctx(model, a, &ca, &pa, &qa);
    uint32_t tc = ops->hh_init_ctx(model, c, &cc, &pc, &qc);
    for (int k = 0; k < 50 && tc != GRID_NEVER; k++)
        tc = ops->hh_step(model, c, tc, NULL, &pc, &qc);
    uint32_t tb = ops->hh_init_ctx(model, b, &ca, &pb, &qb);
    for (int k = 0; k < 2000 && ta != GRID_NEVER; k++) {
        cr_assert_eq(ta, tb);
        cr_assert_eq(pa, pb);
        cr_assert_eq(qa, qb);
        cr_assert_eq(ops->gas_w(model, a), ops->gas_w(model, b));
        ta = ops->hh_step(model, a, ta, NULL, &pa, &qa);
        tb = ops->hh_step(model, b, tb, NULL, &pb, &qb);
    }
    free(a);
    free(b);
    free(c);
    ops->destroy(model);
}

Test(load_crest, household_attributes_follow_the_configured_shares)
{
    /* Size mix default ONS 2023 (29/35/16/14/6 %); shares of PV (houses), EV, heat pumps
     * and gas as configured; +-3 points over 4,000 households. */
    const grid_load_ops *ops = grid_load_find("crest");
    grid_load_params p = params(day(2026, 1, 14), SIM_DAY_S);
    p.pv_share = 0.2;
    p.ev_share = 0.1;
    p.hp_share = 0.1;
    void *model;
    char err[128];
    cr_assert_eq(ops->create(&p, &model, err, sizeof err), 0, "%s", err);
    unsigned char *h = malloc(ops->hh_size);
    int n = 4000, size[6] = {0}, pv = 0, houses = 0, ev = 0, hp = 0, gas = 0;
    for (int i = 0; i < n; i++) {
        int32_t pw, q;
        ops->hh_init(model, h, (uint64_t)i, &pw, &q);
        grid_hh_attrs at;
        ops->hh_attrs(model, h, &at);
        size[at.occupants]++;
        houses += at.dwelling == 0;
        pv += at.pv_kwp > 0;
        ev += at.ev > 0;
        hp += at.heating == GRID_HEAT_HP;
        gas += at.heating == GRID_HEAT_GAS;
    }
    for (int s = 1; s <= 5; s++)
        cr_expect(fabs((double)size[s] / n - p.size_mix[s - 1]) < 0.03, "size %d: %d", s, size[s]);
    cr_expect(fabs((double)pv / houses - 0.2) < 0.03, "PV %d of %d houses", pv, houses);
    cr_expect(fabs((double)ev / n - 0.1) < 0.03, "EV %d", ev);
    cr_expect(fabs((double)hp / n - 0.1) < 0.03, "HP %d", hp);
    cr_expect(fabs((double)gas / n - 0.75) < 0.03, "gas %d", gas);
    free(h);
    ops->destroy(model);
}

/* Price hook: periods 00:00-04:00 UTC cheap, everything else dear, whatever the household
 * (the households are stepped with no price context). */
static double night_cheap(const void *ctx, uint32_t period)
{
    (void)ctx;
    uint32_t hh = period % 48;
    return hh >= 2 && hh < 8 ? 5.0 : 30.0;
}

Test(load_crest, smart_evs_charge_in_the_cheapest_periods)
{
    /* With every EV smart and a price signal that is cheap only 01:00-04:00 UTC, charging
     * energy falls in that window; without smart charging it starts on arrival (evening). */
    grid_load_params p = params(day(2026, 1, 12), 3 * SIM_DAY_S);
    p.ev_share = 1.0;
    p.ev_smart_share = 1.0;
    p.price = night_cheap;
    double w[3 * 1440] = {0}, w0[3 * 1440] = {0};
    run_out o = {.minute_w = w};
    run(&p, 0, 200, 0, &o);
    p.ev_smart_share = 0.0;
    run_out o0 = {.minute_w = w0};
    run(&p, 0, 200, 0, &o0);
    double in = 0, all = 0, in0 = 0, all0 = 0, eve = 0, eve0 = 0;
    for (int k = 0; k < 3 * 1440; k++) {
        int m = k % 1440;
        all += w[k];
        all0 += w0[k];
        if (m >= 60 && m < 240) in += w[k], in0 += w0[k];
        if (m >= 17 * 60 && m < 22 * 60) eve += w[k], eve0 += w0[k];
    }
    cr_log_info("share of all energy in 01-04 UTC: smart %.2f, plain %.2f; evening demand "
                "smart %.0f W vs plain %.0f W",
                in / all, in0 / all0, eve / 300 / 3, eve0 / 300 / 3);
    cr_expect(eve < 0.6 * eve0, "smart charging moves load out of the evening");
    cr_expect(in / all > in0 / all0 + 0.2, "cheap window share %.2f vs %.2f", in / all, in0 / all0);
}

Test(load_crest, rejects_a_size_mix_that_does_not_sum_to_one)
{
    const grid_load_ops *ops = grid_load_find("crest");
    grid_load_params p = params(day(2026, 1, 14), SIM_DAY_S);
    p.size_mix[0] = 0.9;
    void *model = NULL;
    char err[256] = "";
    cr_expect_neq(ops->create(&p, &model, err, sizeof err), 0);
    cr_expect(strstr(err, "size_mix") != NULL, "%s", err);
}

/* A long run keeps a day or two of weather and calendar, not the span: stepping households
 * window by window and releasing the model behind each window gives the same households as a
 * model that keeps everything (the engine's use against standalone use), and what the released
 * model holds stays at what it held after a month.  What does grow with the span is allocated
 * at creation: the daily tables, 28 bytes a day plus 8 a day per region with weather of its
 * own (all 15 here). */
Test(load_crest, a_released_model_holds_days_not_the_span_and_changes_nothing, .timeout = 300)
{
    enum { N = 8, DAYS = 730 };
    const grid_load_ops *ops = grid_load_find("crest");
    grid_load_params p = params(day(2021, 3, 1), (int64_t)DAYS * SIM_DAY_S);
    p.pv_share = 0.5;
    p.ev_share = 0.5;
    p.hp_share = 0.3;
    void *rel, *keep, *month;
    char err[128];
    cr_assert_eq(ops->create(&p, &rel, err, sizeof err), 0, "%s", err);
    cr_assert_eq(ops->create(&p, &keep, err, sizeof err), 0, "%s", err);
    grid_load_params pm = params(p.start_unix, 30 * SIM_DAY_S);
    cr_assert_eq(ops->create(&pm, &month, err, sizeof err), 0, "%s", err);
    size_t per_day = (size_t)(ops->bytes(rel) - ops->bytes(month)) / (DAYS - 30);
    cr_log_info("daily tables: %zu bytes a day", per_day);
    cr_assert_leq(per_day, 28 + 8 * 15, "%zu bytes a day", per_day);
    ops->destroy(month);

    unsigned char *a = malloc((size_t)N * ops->hh_size), *b = malloc((size_t)N * ops->hh_size);
    uint32_t ta[N], tb[N];
    int32_t pa[N], pb[N], q;
    double ea[N] = {0}, eb[N] = {0};
    for (int i = 0; i < N; i++) {
        grid_hh_ctx ctx = {.id = (uint64_t)i, .region = (uint16_t)(1 + i), .dwelling = 0};
        ta[i] = ops->hh_init_ctx(rel, a + (size_t)i * ops->hh_size, &ctx, &pa[i], &q);
        tb[i] = ops->hh_init_ctx(keep, b + (size_t)i * ops->hh_size, &ctx, &pb[i], &q);
    }
    uint32_t end = (uint32_t)p.duration_s;
    size_t at30 = 0, most = 0;
    for (uint32_t w = SIM_PERIOD_S; w <= end; w += SIM_PERIOD_S) {
        for (int i = 0; i < N; i++) {
            while (ta[i] < w) {
                cr_assert_eq(ta[i], tb[i], "household %d", i);
                uint32_t t = ta[i];
                ta[i] = ops->hh_step(rel, a + (size_t)i * ops->hh_size, t, NULL, &pa[i], &q);
                tb[i] = ops->hh_step(keep, b + (size_t)i * ops->hh_size, t, NULL, &pb[i], &q);
                cr_assert_eq(pa[i], pb[i], "household %d at %u s", i, t);
                ea[i] += pa[i];
                eb[i] += pb[i];
            }
        }
        ops->release(rel, w);
        size_t held = ops->bytes(rel);
        if (w == 30 * SIM_DAY_S) at30 = held;
        if (w > 30 * SIM_DAY_S && held > most) most = held;
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(ea[i], eb[i], "household %d", i);
    size_t kept = ops->bytes(keep);
    cr_log_info("released model: %zu bytes after 30 days, at most %zu after; kept: %zu", at30,
                most, kept);
    cr_assert_leq(most, at30 + 4096, "held %zu bytes at most, %zu after 30 days", most, at30);
    cr_assert_lt(most * 3, kept, "released %zu bytes against %zu kept", most, kept);
    free(a);
    free(b);
    ops->destroy(rel);
    ops->destroy(keep);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

/* Households in regions with weather of their own (0, 3, 7, 12) and one without (5, which
 * reads region 0's). */
static const uint16_t ckpt_regions[] = {0, 3, 7, 12, 5};

static grid_load_params ckpt_params(void)
{
    grid_load_params p = params(day(2026, 1, 12), 8 * SIM_DAY_S);
    p.weather_regions = 1u << 3 | 1u << 7 | 1u << 12;
    p.pv_share = 0.4;
    p.ev_share = 0.3;
    p.ev_smart_share = 0.5;
    p.hp_share = 0.2;
    p.dr_engaged_share = 0.3;
    p.price = night_cheap;
    return p;
}

/* Saved at 3 days 7 hours with the calendar and weather partly released, loaded into a model
 * whose households were initialised (as the engine's set-up does), and stepped 4 days 17 hours
 * on: every event, power, gas reading and total of 300 households the same. */
Test(load_crest, a_loaded_model_goes_on_with_the_saved_households_bit_for_bit, .timeout = 300)
{
    grid_load_params p = ckpt_params();
    resumes_bit_for_bit("crest", &p, 300, ckpt_regions, 5, 3 * SIM_DAY_S + 7 * 3600);
}

Test(load_crest, a_load_into_other_weather_or_from_a_short_file_fails, .timeout = 120)
{
    const grid_load_ops *ops = grid_load_find("crest");
    grid_load_params p = ckpt_params();
    void *a, *b;
    char err[256];
    cr_assert_eq(ops->create(&p, &a, err, sizeof err), 0, "%s", err);
    fleet fa;
    fleet_init(&fa, ops, a, 40, ckpt_regions, 5);
    for (uint32_t w = SIM_PERIOD_S; w <= SIM_DAY_S; w += SIM_PERIOD_S)
        fleet_window(&fa, w);
    FILE *f = saved_model(ops, a);

    grid_load_params q = p;
    q.weather_regions = 1u << 3 | 1u << 8;
    cr_assert_eq(ops->create(&q, &b, err, sizeof err), 0, "%s", err);
    cr_assert_eq(load_model(ops, f, b, err, sizeof err), -1);
    cr_expect(strstr(err, "weather regions") != NULL, "%s", err);
    ops->destroy(b);

    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    char *bytes = malloc((size_t)size);
    rewind(f);
    cr_assert_eq(fread(bytes, 1, (size_t)size, f), (size_t)size);
    for (long cut = 0; cut < size; cut += 7) {
        FILE *g = tmpfile();
        fwrite(bytes, 1, (size_t)cut, g);
        rewind(g);
        cr_assert_eq(ops->create(&p, &b, err, sizeof err), 0, "%s", err);
        cr_assert_eq(load_model(ops, g, b, err, sizeof err), -1, "cut at %ld", cut);
        cr_expect(strstr(err, "ends early") != NULL, "cut at %ld: %s", cut, err);
        ops->destroy(b); /* a failed load leaves a model that can be destroyed */
        fclose(g);
    }
    free(bytes);
    fclose(f);
    fleet_free(&fa);
    ops->destroy(a);
}
