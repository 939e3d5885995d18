/* Electricity prices: retail tariffs per settlement period and the wholesale market behind
 * the dynamic ones.
 *
 * One model serves every tariff kind at once, so households on different tariffs in the
 * same run see prices from the same market:
 *   flat   one unit rate;
 *   e7     Economy 7: a night rate in a window (00:00-07:00 by default), a day rate otherwise;
 *   tou    static time of use: up to GRID_TOU_MAX_BANDS time-of-day bands, a base rate
 *          outside them;
 *   agile  half-hourly day-ahead: min(m x wholesale + peak adder, cap), floored, with the
 *          wholesale price of each period cleared from *forecasts* and fixed when the day is
 *          published (16:00 UTC the day before by default);
 *   rtp    real-time: the price of period k from the *realised* national demand of period
 *          k-1 on the same supply curve and a retail formula of the same shape.
 * Periods are 30-minute settlement periods numbered from the run start; times of day are
 * UTC, like the rest of the simulator (timeutil.h leaves GMT/BST to a later model).
 *
 * Published prices are integers with a power-of-ten scale, as the meter firmware holds
 * them (the DCC DUIS tariff model; mm/tariff.h price_scale and standing_scale, both in
 * powers of ten of a penny): a unit rate of N means N x 10^GRID_PRICE_SCALE p/kWh, i.e.
 * hundredths of a penny per kWh, and a standing charge of N means N x 10^GRID_PRICE_SCALE
 * p/day.  Agile and rtp prices may be negative (int32 here); the meter's tariff holds
 * unsigned prices, so whoever carries them there must decide what a negative price becomes.
 * Inside the model (wholesale, forecasts) floats are used.
 *
 * Information discipline: an agile price depends only on what is known at its publication
 * time (the demand forecast callback asked at publication, the wind and solar forecasts);
 * realised wind, solar and demand never enter it.  Once published or fixed, a price never
 * changes.  Every random draw comes from streams derived from (seed, entity, name), drawn
 * in period order as far as callers have asked, so results do not depend on the order in
 * which callers ask for prices.
 *
 * Not here: block tariffs and calendars (the meter's tariff engine holds those), carrying
 * prices to meters (the engine and the network do), demand response (households react to
 * what this module publishes), regional price differences (use one model per region, with
 * the region as entity).
 */
#ifndef GRID_PRICE_H
#define GRID_PRICE_H

#include "sim/ckpt.h"

#include <stddef.h>
#include <stdint.h>

#define GRID_PRICE_SCALE (-2)    /* published prices: integers x 10^-2 p (mm_tariff scale) */
#define GRID_PRICE_PER_PENNY 100 /* integer price units per penny, 10^-GRID_PRICE_SCALE */
#define GRID_TOU_MAX_BANDS 8

/* Status codes of this module (-5xx); messages from grid_price_strerror. */
#define GRID_PRICE_ERRNO_MAP(X)                                                                    \
    X(GRID_EPRICE_CONFIG, -501, "invalid price configuration")                                     \
    X(GRID_EPRICE_RANGE, -502, "period or day outside the run")                                    \
    X(GRID_EPRICE_UNPUBLISHED, -503, "price not yet published")                                    \
    X(GRID_EPRICE_FIXED, -504, "price already fixed")                                              \
    X(GRID_EPRICE_KIND, -505, "unknown tariff kind")                                               \
    X(GRID_EPRICE_NOMEM, -506, "out of memory")                                                    \
    X(GRID_EPRICE_PARSE, -507, "malformed time-of-use bands")                                      \
    X(GRID_EPRICE_RELEASED, -508, "period released (grid_price_release)")

enum {
#define GRID_PRICE_ENUM_(name, code, msg) name = code,
    GRID_PRICE_ERRNO_MAP(GRID_PRICE_ENUM_)
#undef GRID_PRICE_ENUM_
};

typedef enum grid_tariff {
    GRID_TARIFF_FLAT,
    GRID_TARIFF_E7,
    GRID_TARIFF_TOU,
    GRID_TARIFF_AGILE,
    GRID_TARIFF_RTP,
    GRID_TARIFF_COUNT
} grid_tariff;

typedef struct grid_price {
    int32_t unit;     /* unit rate [10^GRID_PRICE_SCALE p/kWh] */
    int32_t standing; /* standing charge [10^GRID_PRICE_SCALE p/day] */
} grid_price;

/* A time-of-day window [start, end); end <= start wraps over midnight.  Both on 30-minute
 * boundaries; a period belongs to the window if its start does. */
typedef struct grid_tou_band {
    int32_t start_s;   /* [s after midnight UTC] */
    int32_t end_s;     /* [s after midnight UTC] */
    double rate_p_kwh; /* [p/kWh] */
} grid_tou_band;

/* Retail formula of the dynamic tariffs (agile, rtp):
 *   unit = max(floor, min(multiplier x wholesale + adder in the peak window, cap)). */
typedef struct grid_dynamic_retail {
    double multiplier;       /* applied to wholesale in p/kWh [-] */
    double peak_adder_p_kwh; /* added inside the peak window [p/kWh] */
    int32_t peak_start_s;    /* [s after midnight UTC] */
    int32_t peak_end_s;      /* [s after midnight UTC] */
    double cap_p_kwh;        /* [p/kWh] */
    double floor_p_kwh;      /* lowest published price, may be negative [p/kWh] */
    double standing_p_day;   /* [p/day] */
} grid_dynamic_retail;

/* Merit-order supply curve: wholesale price as a function of residual demand R = demand -
 * wind - solar.  Below must-run the price falls linearly (generators pay to keep running);
 * above it, it rises towards the gas plant's short-run marginal cost over a ramp, climbs
 * slowly along the gas stack, and a scarcity term grows exponentially near the top. */
typedef struct grid_supply_curve {
    double must_run_w;       /* residual demand at price 0 [W] */
    double negative_slope;   /* below must-run [GBP/MWh per GW] */
    double ramp_w;           /* e-folding width of the rise to the gas price [W] */
    double gas_gbp_mwh;      /* marginal cost when gas sets the price [GBP/MWh] */
    double gas_slope;        /* along the gas stack [GBP/MWh per GW] */
    double scarcity_w;       /* residual demand where scarcity adds scarcity_gbp_mwh [W] */
    double scarcity_width_w; /* e-folding width of the scarcity term [W] */
    double scarcity_gbp_mwh; /* scarcity premium at scarcity_w [GBP/MWh] */
    double floor_gbp_mwh;    /* [GBP/MWh] */
    double cap_gbp_mwh;      /* [GBP/MWh] */
} grid_supply_curve;

typedef struct grid_wholesale_config {
    /* Synthetic national demand, used when no forecast callback is given. */
    double demand_mean_w;   /* annual mean [W] */
    double demand_seasonal; /* winter/summer swing, fraction of mean [-] */
    double demand_weekend;  /* weekend level relative to weekdays [-] */
    double demand_error;    /* sd of realised/forecast - 1 [-] */
    /* Wind: capacity factor Phi(mu(t) + x), x an AR(1) latent of unit variance. */
    double wind_capacity_w;  /* [W] */
    double wind_cf_mean;     /* annual mean capacity factor [-] */
    double wind_cf_seasonal; /* winter/summer swing of the mean, absolute [-] */
    double wind_tau_s;       /* correlation time of the weather latent [s] */
    double wind_error;       /* sd of the day-ahead forecast error, latent units [-] */
    /* Solar: clear-sky shape x clearness Phi(mu_c + z), z an AR(1) latent. */
    double solar_capacity_w;    /* [W] */
    double solar_cf_mean;       /* annual mean capacity factor the scale is solved for [-] */
    double solar_latitude_deg;  /* [deg N] */
    double solar_longitude_deg; /* [deg E] */
    double solar_clearness;     /* mean clearness (1 = always clear sky) [-] */
    double solar_tau_s;         /* correlation time of cloudiness [s] */
    double solar_error;         /* sd of the day-ahead cloudiness error, latent units [-] */
    double error_tau_s;         /* correlation time of every forecast error [s] */
    grid_supply_curve curve;
} grid_wholesale_config;

/* Forecast national demand for PERIOD [W].  Called when a day is published (for the periods
 * of that day), when period 0's rtp price is fixed, and when a realised wholesale value is
 * asked for a period whose demand was not observed. */
typedef double (*grid_demand_fn)(void *ctx, uint32_t period);

typedef struct grid_price_config {
    uint64_t seed;
    uint64_t entity;    /* 0: national; a region id for regional prices */
    int64_t start_unix; /* run start, on a settlement-period boundary [s, UTC] */
    uint32_t n_periods; /* 30-minute periods in the run */
    struct {
        double rate_p_kwh;     /* [p/kWh] */
        double standing_p_day; /* [p/day] */
    } flat;
    struct {
        double day_p_kwh;      /* [p/kWh] */
        double night_p_kwh;    /* [p/kWh] */
        int32_t night_start_s; /* [s after midnight UTC] */
        int32_t night_end_s;   /* [s after midnight UTC] */
        double standing_p_day; /* [p/day] */
    } e7;
    struct {
        double base_p_kwh; /* outside every band [p/kWh] */
        unsigned n_bands;
        grid_tou_band bands[GRID_TOU_MAX_BANDS]; /* must not overlap */
        double standing_p_day;                   /* [p/day] */
    } tou;
    grid_dynamic_retail agile;
    int32_t agile_publish_s; /* time of day on the day before that agile prices appear [s] */
    grid_dynamic_retail rtp;
    grid_wholesale_config wholesale;
    grid_demand_fn demand_forecast; /* NULL: the synthetic national demand */
    void *demand_ctx;
} grid_price_config;

typedef struct grid_price_model grid_price_model;

typedef enum grid_market {
    GRID_MARKET_DAY_AHEAD, /* from forecasts, fixed at publication */
    GRID_MARKET_REALISED   /* from realised demand, wind and solar */
} grid_market;

typedef struct grid_wholesale_point {
    double demand_w;      /* national demand [W] */
    double wind_w;        /* [W] */
    double solar_w;       /* [W] */
    double residual_w;    /* demand - wind - solar [W] */
    double price_gbp_mwh; /* [GBP/MWh] */
} grid_wholesale_point;

/* Defaults with their sources (price.c, wholesale.c).  START_UNIX and N_PERIODS are left 0. */
void grid_price_config_default(grid_price_config *c);

/* 0, or GRID_EPRICE_CONFIG / GRID_EPRICE_NOMEM with a reason in ERR.  Calls no callback.
 * The wind, solar and demand-error series are drawn as far as a call asks for (in period
 * order, so the same whatever the order of the calls). */
int grid_price_create(const grid_price_config *c, grid_price_model **out, char *err, size_t errlen);
void grid_price_destroy(grid_price_model *m); /* NULL is fine */

/* Periods before PERIOD will not be asked for again: the model drops what it holds of them
 * (series, published prices, observed demand), and calls about them return
 * GRID_EPRICE_RELEASED.  Without it a model holds every period it has drawn; with it, what
 * it holds does not grow with the run (the engine keeps a few days). */
void grid_price_release(grid_price_model *m, uint32_t period);
/* M's part of a checkpoint (sim/ckpt.h), saving or loading: the periods drawn and released,
 * the days published, and what the model holds of each period it keeps (published and fixed
 * prices, observed demand, realised values set).  Loading goes into a model created from the
 * same configuration (used since or not: it starts again) and draws the series again up to
 * where the saved one had; a model whose draws differ fails with a message.  0, or -1 with
 * sim_ckpt_err set (then M can only be destroyed). */
int grid_price_ckpt(grid_price_model *m, sim_ckpt *c);
/* Bytes the model holds (its record of periods included). */
size_t grid_price_bytes(const grid_price_model *m);

/* Price of KIND in PERIOD.  Agile: GRID_EPRICE_UNPUBLISHED until its day is published;
 * rtp: until the previous period's demand has been observed (period 0: until the first
 * grid_price_publish_until). */
int grid_price_get(const grid_price_model *m, grid_tariff kind, uint32_t period, grid_price *out);

/* When the price of KIND for PERIOD becomes known [s since run start; may be negative]:
 * flat, e7, tou: 0 (known at the start of the contract); agile: agile_publish_s on the UTC
 * day before the period's day; rtp: the end of period - 1, i.e. the period's own start. */
int grid_price_publication_s(const grid_price_model *m, grid_tariff kind, uint32_t period,
                             int64_t *out_s);

/* Days are UTC calendar days counted from the one holding the run start. */
uint32_t grid_price_day_of(const grid_price_model *m, uint32_t period);
uint32_t grid_price_n_days(const grid_price_model *m);

/* Clear the day-ahead market for DAY from forecasts and fix its agile prices.  Publishing
 * a day again changes nothing.  Callers normally use grid_price_publish_until. */
int grid_price_publish_day(grid_price_model *m, uint32_t day);

/* Publish every day whose publication time is <= NOW_S [s since start], and on the first
 * call fix period 0's rtp price from the demand forecast of period 0 (the run has no
 * realised period before it).  The engine calls it at 0 and at each period boundary. */
int grid_price_publish_until(grid_price_model *m, int64_t now_s);

/* Realised national demand of PERIOD [W]; fixes the rtp price of PERIOD + 1.  A negative
 * or NaN DEMAND_W uses the model's own realised demand (forecast x (1 + error)), for
 * standalone runs.  GRID_EPRICE_FIXED if PERIOD was observed already. */
int grid_price_rtp_observe(grid_price_model *m, uint32_t period, double demand_w);

/* Wholesale market state of PERIOD.  Day-ahead: GRID_EPRICE_UNPUBLISHED before its day is
 * published.  Realised: observed demand if any, else forecast x (1 + error). */
int grid_wholesale_get(const grid_price_model *m, grid_market mk, uint32_t period,
                       grid_wholesale_point *out);

/* Replace the realised wind and solar capacity factors of PERIOD (measured data, what-if
 * studies).  Forecasts, and so published agile prices, are unaffected; rtp prices already
 * fixed stay as they are. */
int grid_wholesale_set_realised(grid_price_model *m, uint32_t period, double wind_cf,
                                double solar_cf);

/* The pieces, for tests and for analysis. */
double grid_supply_curve_price(const grid_supply_curve *c, double residual_w); /* [GBP/MWh] */
/* Integer unit rate for wholesale W [GBP/MWh] in a period starting TOD_S after midnight. */
int32_t grid_dynamic_retail_unit(const grid_dynamic_retail *r, double wholesale_gbp_mwh,
                                 int32_t tod_s);
/* Synthetic national demand at UNIX_T [W]. */
double grid_demand_synthetic_w(const grid_wholesale_config *c, int64_t unix_t);
/* Wind and solar capacity factors of PERIOD [-]. */
int grid_wholesale_cf(const grid_price_model *m, grid_market mk, uint32_t period, double *wind_cf,
                      double *solar_cf);

/* Parse "02:00-05:00 15.0, 16:00-19:00 35 p/kWh" into BANDS (at most MAX). */
int grid_tou_parse(const char *text, grid_tou_band *bands, unsigned max, unsigned *n, char *why,
                   size_t whylen);

const char *grid_tariff_name(grid_tariff kind); /* "flat", "e7", "tou", "agile", "rtp" */
int grid_tariff_from_name(const char *name, grid_tariff *out);
const char *grid_price_strerror(int code);

#endif
