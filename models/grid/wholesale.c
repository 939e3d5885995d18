/* The wholesale market behind the dynamic tariffs: national demand, wind and solar output,
 * and a merit-order supply curve of residual demand.
 *
 * Weather.  Wind and cloudiness are latent Gaussian AR(1) processes of unit variance per
 * settlement period, mapped to [0, 1] through the normal CDF:
 *     wind cf    = Phi(mu_w(t) + x),     clearness = Phi(mu_c + z).
 * For x ~ N(0, 1), E[Phi(mu + x)] = Phi(mu / sqrt 2), so mu = sqrt 2 Phi^-1(target mean)
 * gives the target mean capacity factor exactly, with no fitting.  The realised latent is
 * the forecast latent plus an independent AR(1) forecast error of sd wind_error (or
 * solar_error): forecast variance 1 - e^2, error variance e^2, realised variance 1.
 * Solar output is a clear-sky shape (solar elevation from latitude, declination and hour
 * angle) times clearness, scaled so that the annual mean capacity factor over a reference
 * year is solar_cf_mean.  Realised demand is the forecast times (1 + an AR(1) error).
 *
 * Every series is drawn in period order, from its own stream (seed, entity,
 * "price.<series>"), so nothing depends on the order prices are asked for,
 * and the forecast streams never see the error streams: changing a realised value cannot
 * change a forecast.
 *
 * Calibration (defaults in grid_wholesale_config_default, tested in test_price.c):
 *   - wind annual load factor 0.33: DUKES table 6.3, 2018-2022 averages onshore 26.3 %,
 *     offshore 40.6 %, with GB's onshore and offshore capacities roughly equal;
 *   - solar annual load factor 0.112: DUKES table 6.3, 2018-2022 average 11.16 %;
 *   - wholesale annual mean in the 60-100 GBP/MWh band: GB day-ahead auctions averaged
 *     82.50 GBP/MWh in Q4 2023 and 64.57 GBP/MWh in Q1 2024 (Montel EnAppSys GB market
 *     report, Q1 2024); evening peaks above the mean; windy low-demand nights near zero or
 *     negative, as GB day-ahead prices go when record wind meets low demand.  The share of
 *     negative periods (a few percent by default) is set by must_run_w and is a tunable
 *     choice, not a measured figure.
 * Capacities and the supply-curve shape are tunable defaults, not measured fits.
 */
#include "wholesale.h"

#include "sim/rng.h"
#include "sim/timeutil.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define GW 1e9
#define SQRT2 1.41421356237309504880

/* Relative national demand per half-hour from 00:00 UTC on a winter weekday, hand-drawn to
 * the shape of GB national demand (NESO historic demand data): trough about 04:00, a
 * morning rise to a daytime plateau, the evening peak 17:00-18:00.  Normalised at use. */
static const double demand_shape[48] = {
    30.0, 29.0, 28.0, 27.2, 26.5, 26.0, 25.6, 25.4, 25.3, 25.5, 26.0, 27.0, /* 00-06 */
    29.0, 31.5, 34.0, 36.0, 37.0, 37.5, 37.6, 37.5, 37.3, 37.0, 36.8, 36.6, /* 06-12 */
    36.4, 36.2, 36.0, 35.8, 35.6, 35.6, 35.8, 36.5, 38.0, 40.0, 41.5, 42.0, /* 12-18 */
    41.5, 40.5, 39.0, 38.0, 37.0, 36.0, 35.0, 34.0, 33.0, 32.0, 31.5, 30.8, /* 18-24 */
};

/* Broadens the horizontal sin(elevation) shape toward that of tilted panels, which gather
 * relatively more in the morning, evening and winter; a modelling choice. */
#define SOLAR_SHAPE_EXP 0.6

void grid_wholesale_config_default(grid_wholesale_config *c)
{
    *c = (grid_wholesale_config){
        /* Mean chosen so the winter weekday peak is about 44 GW and the summer night
         * trough about 19 GW, GB's underlying-demand range; tunable. */
        .demand_mean_w = 31.0 * GW,
        .demand_seasonal = 0.15,
        .demand_weekend = 0.90,
        /* Day-ahead national demand forecasts miss by a few percent; unconfirmed. */
        .demand_error = 0.02,
        /* About 30 GW of wind in GB in 2024 (DESNZ energy trends); tunable. */
        .wind_capacity_w = 30.0 * GW,
        .wind_cf_mean = 0.33,        /* DUKES 6.3, see the file comment */
        .wind_cf_seasonal = 0.10,    /* winter months windier; tunable */
        .wind_tau_s = 36.0 * 3600.0, /* weather systems pass over days; tunable */
        .wind_error = 0.30,          /* about 0.1 of capacity day-ahead; tunable */
        /* About 17 GW of solar in GB in 2024 (DESNZ solar deployment); tunable. */
        .solar_capacity_w = 17.0 * GW,
        .solar_cf_mean = 0.112, /* DUKES 6.3, see the file comment */
        .solar_latitude_deg = 52.5,
        .solar_longitude_deg = -1.5,
        .solar_clearness = 0.5,
        .solar_tau_s = 8.0 * 3600.0,
        .solar_error = 0.40,
        .error_tau_s = 6.0 * 3600.0,
        .curve =
            {
                /* Residual demand at which the price crosses zero.  Below GB's ~5 GW of
                 * nuclear and biomass, since exports and curtailment absorb some surplus;
                 * tuned so negative prices are a few percent of periods.  Tunable. */
                .must_run_w = 2.5 * GW,
                .negative_slope = 8.0,
                .ramp_w = 3.0 * GW,
                /* CCGT short-run cost: gas near 30 GBP/MWh(th) at 50 % efficiency plus
                 * carbon; tunable. */
                .gas_gbp_mwh = 70.0,
                .gas_slope = 1.0,
                .scarcity_w = 38.0 * GW,
                .scarcity_width_w = 2.5 * GW,
                .scarcity_gbp_mwh = 40.0,
                .floor_gbp_mwh = -50.0,
                .cap_gbp_mwh = 1000.0,
            },
    };
}

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(err, errlen, "prices.wholesale: %s", what);                                   \
            return GRID_EPRICE_CONFIG;                                                             \
        }                                                                                          \
    } while (0)

int grid_wholesale_config_check(const grid_wholesale_config *c, char *err, size_t errlen)
{
    CHECK(c->demand_mean_w > 0 && isfinite(c->demand_mean_w), "demand mean must be > 0");
    CHECK(c->demand_seasonal >= 0 && c->demand_seasonal < 1, "demand seasonal swing in [0, 1)");
    CHECK(c->demand_weekend > 0 && c->demand_weekend <= 2, "weekend factor in (0, 2]");
    CHECK(c->demand_error >= 0 && c->demand_error < 0.5, "demand error in [0, 0.5)");
    CHECK(c->wind_capacity_w >= 0 && isfinite(c->wind_capacity_w), "wind capacity >= 0");
    CHECK(c->wind_cf_mean - c->wind_cf_seasonal > 0 && c->wind_cf_mean + c->wind_cf_seasonal < 1 &&
              c->wind_cf_seasonal >= 0,
          "wind mean +- seasonal swing must lie in (0, 1)");
    CHECK(c->wind_tau_s > 0 && c->solar_tau_s > 0 && c->error_tau_s > 0,
          "correlation times must be > 0");
    CHECK(c->wind_error >= 0 && c->wind_error < 1, "wind forecast error in [0, 1)");
    CHECK(c->solar_error >= 0 && c->solar_error < 1, "solar forecast error in [0, 1)");
    CHECK(c->solar_capacity_w >= 0 && isfinite(c->solar_capacity_w), "solar capacity >= 0");
    CHECK(c->solar_cf_mean > 0 && c->solar_cf_mean < 0.3, "solar capacity factor in (0, 0.3)");
    CHECK(c->solar_clearness > 0 && c->solar_clearness < 1, "solar clearness in (0, 1)");
    CHECK(fabs(c->solar_latitude_deg) < 66 && fabs(c->solar_longitude_deg) <= 180,
          "solar latitude within +-66 deg, longitude within +-180 deg");
    const grid_supply_curve *s = &c->curve;
    CHECK(s->must_run_w >= 0 && s->ramp_w > 0 && s->scarcity_width_w > 0 && s->scarcity_w > 0,
          "supply curve widths must be > 0");
    CHECK(s->negative_slope >= 0 && s->gas_slope >= 0 && s->gas_gbp_mwh >= 0 &&
              s->scarcity_gbp_mwh >= 0,
          "supply curve must not fall with demand");
    CHECK(s->floor_gbp_mwh < s->cap_gbp_mwh && isfinite(s->floor_gbp_mwh) &&
              isfinite(s->cap_gbp_mwh),
          "wholesale floor must lie below its cap");
    return 0;
}

double grid_supply_curve_price(const grid_supply_curve *c, double residual_w)
{
    double r = residual_w / GW, mr = c->must_run_w / GW;
    double p = c->scarcity_gbp_mwh * exp((r - c->scarcity_w / GW) / (c->scarcity_width_w / GW));
    if (r < mr)
        p += c->negative_slope * (r - mr);
    else
        p += c->gas_gbp_mwh * -expm1(-(r - mr) / (c->ramp_w / GW)) + c->gas_slope * (r - mr);
    if (!(p >= c->floor_gbp_mwh)) p = c->floor_gbp_mwh; /* NaN too */
    return p > c->cap_gbp_mwh ? c->cap_gbp_mwh : p;
}

static double season_cos(int yday)
{
    return cos(2.0 * PI * (yday - 15) / 365.25); /* 1 in mid-January */
}

double grid_demand_synthetic_w(const grid_wholesale_config *c, int64_t unix_t)
{
    double mean_shape = 0;
    for (int i = 0; i < 48; i++)
        mean_shape += demand_shape[i] / 48.0;
    sim_civil cv;
    sim_civil_from_unix(unix_t, &cv);
    double d = demand_shape[cv.hour * 2 + cv.minute / 30] / mean_shape;
    d *= 1.0 + c->demand_seasonal * season_cos(cv.yday);
    if (cv.weekday >= 5) d *= c->demand_weekend;
    return c->demand_mean_w * d;
}

double grid_solar_clear_sky(const grid_wholesale_config *c, int64_t unix_t)
{
    sim_civil cv;
    sim_civil_from_unix(unix_t, &cv);
    double deg = PI / 180.0;
    /* Declination after Cooper (1969); hour angle from UTC and longitude, ignoring the
     * equation of time (within 16 min). */
    double decl = 23.44 * deg * sin(2.0 * PI * (284 + cv.yday + 1) / 365.0);
    double hours = cv.hour + cv.minute / 60.0 + cv.second / 3600.0;
    double ha = (15.0 * (hours - 12.0) + c->solar_longitude_deg) * deg;
    double lat = c->solar_latitude_deg * deg;
    double sin_el = sin(lat) * sin(decl) + cos(lat) * cos(decl) * cos(ha);
    return sin_el > 0 ? pow(sin_el, SOLAR_SHAPE_EXP) : 0.0;
}

/* Stationary AR(1) in period steps: correlation time TAU [s], standard deviation SD. */
static void ar1_init(grid_ar1 *a, uint64_t seed, uint64_t entity, const char *name, double tau,
                     double sd)
{
    sim_rng_seed(&a->rng, seed, entity, name);
    a->phi = exp(-(double)SIM_PERIOD_S / tau);
    a->innov = sd * sqrt(1.0 - a->phi * a->phi);
    gsl_rng g;
    a->x = sd * gsl_ran_ugaussian(sim_rng_gsl(&a->rng, &g));
}

static double ar1_next(grid_ar1 *a)
{
    gsl_rng g;
    double v = a->x;
    a->x = a->phi * a->x + a->innov * gsl_ran_ugaussian(sim_rng_gsl(&a->rng, &g));
    return v;
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

void grid_wholesale_gen_init(grid_wholesale_gen *g, const grid_wholesale_config *c, uint64_t seed,
                             uint64_t entity, int64_t start_unix)
{
    memset(g, 0, sizeof *g);
    g->c = c;
    g->start_unix = start_unix;
    /* Solar scale: annual mean of the clear-sky shape over a reference 365-day year
     * (2023, sampled at period mid-points) times the mean clearness. */
    const int64_t ref0 = sim_days_from_civil(2023, 1, 1) * SIM_DAY_S;
    double shape_sum = 0;
    for (int64_t k = 0; k < 365 * 48; k++)
        shape_sum += grid_solar_clear_sky(c, ref0 + k * SIM_PERIOD_S + SIM_PERIOD_S / 2);
    g->mu_c = SQRT2 * gsl_cdf_ugaussian_Pinv(c->solar_clearness);
    g->solar_scale = c->solar_cf_mean / (shape_sum / (365.0 * 48.0) * c->solar_clearness);

    double sw = sqrt(1.0 - c->wind_error * c->wind_error);
    double ss = sqrt(1.0 - c->solar_error * c->solar_error);
    ar1_init(&g->wind, seed, entity, "price.wind.forecast", c->wind_tau_s, sw);
    ar1_init(&g->wind_e, seed, entity, "price.wind.error", c->error_tau_s, c->wind_error);
    ar1_init(&g->cloud, seed, entity, "price.solar.forecast", c->solar_tau_s, ss);
    ar1_init(&g->cloud_e, seed, entity, "price.solar.error", c->error_tau_s, c->solar_error);
    ar1_init(&g->dem_e, seed, entity, "price.demand.error", c->error_tau_s, c->demand_error);
}

void grid_wholesale_gen_next(grid_wholesale_gen *g, grid_wholesale_draw *out)
{
    const grid_wholesale_config *c = g->c;
    int64_t mid = g->start_unix + (int64_t)g->next * SIM_PERIOD_S + SIM_PERIOD_S / 2;
    sim_civil cv;
    sim_civil_from_unix(mid, &cv);
    double m = c->wind_cf_mean + c->wind_cf_seasonal * season_cos(cv.yday);
    double mu_w = SQRT2 * gsl_cdf_ugaussian_Pinv(m);
    double xf = ar1_next(&g->wind), xe = ar1_next(&g->wind_e);
    out->wind_fc = gsl_cdf_ugaussian_P(mu_w + xf);
    out->wind_re = gsl_cdf_ugaussian_P(mu_w + xf + xe);
    double clear = g->solar_scale * grid_solar_clear_sky(c, mid);
    double zf = ar1_next(&g->cloud), ze = ar1_next(&g->cloud_e);
    out->solar_fc = clamp01(clear * gsl_cdf_ugaussian_P(g->mu_c + zf));
    out->solar_re = clamp01(clear * gsl_cdf_ugaussian_P(g->mu_c + zf + ze));
    double de = ar1_next(&g->dem_e);
    out->demand_err = de < -0.5 ? -0.5 : de;
    g->next++;
}
