/* Retail prices per settlement period: static tariffs, the agile day-ahead tariff and
 * real-time pricing, on top of the wholesale market of wholesale.c.
 *
 * Default rates (tunable; sources):
 *   - flat 24.50 p/kWh and 60.99 p/day: Ofgem price cap, 1 Oct - 31 Dec 2024, electricity
 *     by direct debit, GB average including VAT; every tariff's standing charge defaults
 *     to the same 60.99 p/day.
 *   - Economy 7 night 00:00-07:00 (its usual window); rates 31.38 p day and 15.00 p night,
 *     chosen so that Ofgem's assumed 42 % night share averages to the flat rate
 *     (0.58 x 31.38 + 0.42 x 15.00 = 24.50).
 *   - time of use: a base of 24.50 p/kWh, 15.00 p/kWh in 02:00-05:00 and 35.00 p/kWh in the
 *     16:00-19:00 peak; an illustrative shape, not a particular supplier's tariff.
 *   - agile: min(2.2 x wholesale + 12 p in 16:00-19:00, 52.38 p) published at 16:00 the day
 *     before (one account says 15:45, hence agile_publish_s; Octopus Energy,
 *     "Agile pricing explained", gives the formula and cap and reports
 *     negative prices such as -10.58 p/kWh on 3 Jan 2022).  Negative wholesale prices keep
 *     the formula, so retail prices can go negative; they are floored at floor_p_kwh
 *     (default -50 p/kWh, which the default wholesale floor of -50 GBP/MWh never reaches).
 *     Regional multipliers (2.0-2.4) and adders (11-14 p) differ; one model per region
 *     with its own values covers that.  VAT is taken as included in the formula.
 *   - rtp: the same formula and defaults, applied to the wholesale price of the previous
 *     period's realised residual demand.
 */
#include "grid/price.h"

#include "wholesale.h"

#include "sim/timeutil.h"
#include "sim/units.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 48          /* settlement periods per day */
#define PRICE_LIMIT_P 1e6 /* |price| in pence that still fits int32 hundredths */

/* What the model holds of one period. */
typedef struct period_rec {
    grid_wholesale_draw ws;
    double da_demand;  /* demand forecast used at publication [W] */
    double da_price;   /* day-ahead wholesale [GBP/MWh] */
    double obs_demand; /* realised national demand observed by the engine [W] */
    int32_t agile_unit;
    int32_t rtp_unit;
    uint8_t flags; /* PF_* */
} period_rec;

#define PF_AGILE 1u    /* its day's agile prices are published */
#define PF_RTP 2u      /* its rtp price is fixed */
#define PF_OBSERVED 4u /* its realised demand was observed */

struct grid_price_model {
    grid_price_config c;
    grid_wholesale_gen gen; /* draws period gen.next next */
    int64_t day0_unix;      /* midnight UTC of day 0 [s] */
    uint32_t n_days;
    uint32_t next_day; /* first day not yet published by publish_until */
    int32_t static_unit[GRID_TARIFF_TOU + 1][SLOTS]; /* flat, e7, tou by slot of day */
    int32_t standing[GRID_TARIFF_COUNT];
    /* Periods [lo, gen.next) in rec[off ..]: drawn when first asked for, dropped by
     * grid_price_release (without it the whole run stays, as a standalone model needs). */
    period_rec *rec;
    uint32_t lo, off, cap;
};

static int32_t to_units(double p)
{
    return (int32_t)lround(p * GRID_PRICE_PER_PENNY);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int32_t tod_of(const grid_price_model *m, uint32_t period)
{
    int64_t t = m->c.start_unix + (int64_t)period * SIM_PERIOD_S;
    return (int32_t)(t - floor_div(t, SIM_DAY_S) * SIM_DAY_S);
}

static bool in_window(int32_t tod, int32_t start, int32_t end)
{
    return start < end ? (tod >= start && tod < end) : (tod >= start || tod < end);
}

void grid_price_config_default(grid_price_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    const double standing = 60.99;
    c->flat.rate_p_kwh = 24.50;
    c->flat.standing_p_day = standing;
    c->e7.day_p_kwh = 31.38;
    c->e7.night_p_kwh = 15.00;
    c->e7.night_start_s = 0;
    c->e7.night_end_s = 7 * 3600;
    c->e7.standing_p_day = standing;
    c->tou.base_p_kwh = 24.50;
    c->tou.n_bands = 2;
    c->tou.bands[0] = (grid_tou_band){2 * 3600, 5 * 3600, 15.00};
    c->tou.bands[1] = (grid_tou_band){16 * 3600, 19 * 3600, 35.00};
    c->tou.standing_p_day = standing;
    c->agile = (grid_dynamic_retail){.multiplier = 2.2,
                                     .peak_adder_p_kwh = 12.0,
                                     .peak_start_s = 16 * 3600,
                                     .peak_end_s = 19 * 3600,
                                     .cap_p_kwh = 52.38,
                                     .floor_p_kwh = -50.0,
                                     .standing_p_day = standing};
    c->agile_publish_s = 16 * 3600;
    c->rtp = c->agile;
    grid_wholesale_config_default(&c->wholesale);
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(err, errlen, __VA_ARGS__);                                                    \
            return GRID_EPRICE_CONFIG;                                                             \
        }                                                                                          \
    } while (0)

static bool ok_price(double p)
{
    return isfinite(p) && fabs(p) < PRICE_LIMIT_P;
}

static bool ok_tod(int32_t s)
{
    return s >= 0 && s < SIM_DAY_S && s % SIM_PERIOD_S == 0;
}

static int check_dynamic(const grid_dynamic_retail *r, const char *name, char *err, size_t errlen)
{
    CHECK(isfinite(r->multiplier) && r->multiplier >= 0 && r->multiplier < 1000,
          "prices.%s.multiplier must be in [0, 1000)", name);
    CHECK(ok_price(r->peak_adder_p_kwh) && ok_price(r->cap_p_kwh) && ok_price(r->floor_p_kwh) &&
              ok_price(r->standing_p_day),
          "prices.%s: prices must be finite and below 1e6 p", name);
    CHECK(r->floor_p_kwh <= r->cap_p_kwh, "prices.%s.floor must not exceed its cap", name);
    CHECK(ok_tod(r->peak_start_s) && ok_tod(r->peak_end_s) && r->peak_start_s != r->peak_end_s,
          "prices.%s.peak: start and end must differ and fall on :00 or :30", name);
    return 0;
}

static int check_config(const grid_price_config *c, char *err, size_t errlen)
{
    CHECK(c->n_periods > 0, "prices: the run has no periods");
    CHECK(c->start_unix % SIM_PERIOD_S == 0, "prices: start must fall on a period boundary");
    CHECK(ok_price(c->flat.rate_p_kwh) && ok_price(c->flat.standing_p_day),
          "prices.flat: prices must be finite and below 1e6 p");
    CHECK(ok_price(c->e7.day_p_kwh) && ok_price(c->e7.night_p_kwh) &&
              ok_price(c->e7.standing_p_day),
          "prices.e7: prices must be finite and below 1e6 p");
    CHECK(ok_tod(c->e7.night_start_s) && ok_tod(c->e7.night_end_s) &&
              c->e7.night_start_s != c->e7.night_end_s,
          "prices.e7.night: start and end must differ and fall on :00 or :30");
    CHECK(ok_price(c->tou.base_p_kwh) && ok_price(c->tou.standing_p_day),
          "prices.tou: prices must be finite and below 1e6 p");
    CHECK(c->tou.n_bands <= GRID_TOU_MAX_BANDS, "prices.tou.bands: at most %d bands",
          GRID_TOU_MAX_BANDS);
    int owner[SLOTS];
    for (int i = 0; i < SLOTS; i++)
        owner[i] = -1;
    for (unsigned b = 0; b < c->tou.n_bands; b++) {
        const grid_tou_band *t = &c->tou.bands[b];
        CHECK(ok_tod(t->start_s) && ok_tod(t->end_s) && t->start_s != t->end_s,
              "prices.tou.bands: band %u must have distinct start and end on :00 or :30", b + 1);
        CHECK(ok_price(t->rate_p_kwh), "prices.tou.bands: band %u price out of range", b + 1);
        for (int i = 0; i < SLOTS; i++) {
            if (!in_window(i * SIM_PERIOD_S, t->start_s, t->end_s)) continue;
            CHECK(owner[i] < 0, "prices.tou.bands: bands %d and %u overlap", owner[i] + 1, b + 1);
            owner[i] = (int)b;
        }
    }
    int rc = check_dynamic(&c->agile, "agile", err, errlen);
    if (rc) return rc;
    rc = check_dynamic(&c->rtp, "rtp", err, errlen);
    if (rc) return rc;
    CHECK(c->agile_publish_s >= 0 && c->agile_publish_s < SIM_DAY_S,
          "prices.agile.publish must be a time of day");
    return grid_wholesale_config_check(&c->wholesale, err, errlen);
}

int grid_price_create(const grid_price_config *c, grid_price_model **out, char *err, size_t errlen)
{
    *out = NULL;
    int rc = check_config(c, err, errlen);
    if (rc) return rc;
    grid_price_model *m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->c = *c;
    m->day0_unix = floor_div(c->start_unix, SIM_DAY_S) * SIM_DAY_S;
    int64_t end = c->start_unix + (int64_t)c->n_periods * SIM_PERIOD_S;
    m->n_days = (uint32_t)((end - m->day0_unix + SIM_DAY_S - 1) / SIM_DAY_S);

    for (int i = 0; i < SLOTS; i++) {
        int32_t tod = i * SIM_PERIOD_S;
        m->static_unit[GRID_TARIFF_FLAT][i] = to_units(c->flat.rate_p_kwh);
        m->static_unit[GRID_TARIFF_E7][i] =
            to_units(in_window(tod, c->e7.night_start_s, c->e7.night_end_s) ? c->e7.night_p_kwh
                                                                            : c->e7.day_p_kwh);
        double t = c->tou.base_p_kwh;
        for (unsigned b = 0; b < c->tou.n_bands; b++)
            if (in_window(tod, c->tou.bands[b].start_s, c->tou.bands[b].end_s))
                t = c->tou.bands[b].rate_p_kwh;
        m->static_unit[GRID_TARIFF_TOU][i] = to_units(t);
    }
    m->standing[GRID_TARIFF_FLAT] = to_units(c->flat.standing_p_day);
    m->standing[GRID_TARIFF_E7] = to_units(c->e7.standing_p_day);
    m->standing[GRID_TARIFF_TOU] = to_units(c->tou.standing_p_day);
    m->standing[GRID_TARIFF_AGILE] = to_units(c->agile.standing_p_day);
    m->standing[GRID_TARIFF_RTP] = to_units(c->rtp.standing_p_day);

    grid_wholesale_gen_init(&m->gen, &m->c.wholesale, c->seed, c->entity, c->start_unix);
    m->cap = 4 * SLOTS;
    m->rec = malloc(m->cap * sizeof *m->rec);
    if (!m->rec) goto oom;
    *out = m;
    return 0;
oom:
    grid_price_destroy(m);
    snprintf(err, errlen, "prices: out of memory");
    return GRID_EPRICE_NOMEM;
}

void grid_price_destroy(grid_price_model *m)
{
    if (!m) return;
    free(m->rec);
    free(m);
}

int32_t grid_dynamic_retail_unit(const grid_dynamic_retail *r, double wholesale_gbp_mwh,
                                 int32_t tod_s)
{
    /* 1 GBP/MWh = 0.1 p/kWh. */
    double p = r->multiplier * wholesale_gbp_mwh / 10.0;
    if (in_window(tod_s, r->peak_start_s, r->peak_end_s)) p += r->peak_adder_p_kwh;
    if (p > r->cap_p_kwh) p = r->cap_p_kwh;
    if (!(p >= r->floor_p_kwh)) p = r->floor_p_kwh;
    return to_units(p);
}

/* Draw periods up to and including K (< n_periods); 0 or GRID_EPRICE_NOMEM. */
static int draw_until(grid_price_model *m, uint32_t k)
{
    while (m->gen.next <= k) {
        period_rec r = {0};
        grid_wholesale_gen_next(&m->gen, &r.ws);
        uint32_t p = m->gen.next - 1;
        if (p < m->lo) continue; /* released before it was drawn */
        uint32_t held = p - m->lo;
        if (m->off + held == m->cap) {
            if (m->off >= m->cap / 2) {
                memmove(m->rec, m->rec + m->off, held * sizeof *m->rec);
                m->off = 0;
            } else {
                period_rec *more = realloc(m->rec, 2 * (size_t)m->cap * sizeof *m->rec);
                if (!more) return GRID_EPRICE_NOMEM;
                m->rec = more;
                m->cap *= 2;
            }
        }
        m->rec[m->off + held] = r;
    }
    return 0;
}

/* Period K's record (K < n_periods), drawn if it was not yet; NULL once released (or out of
 * memory).  Drawing changes nothing a caller can see, so const models draw too: no model is
 * defined const. */
static period_rec *rec_at(const grid_price_model *cm, uint32_t k)
{
    grid_price_model *m = (grid_price_model *)cm;
    if (k < m->lo || draw_until(m, k) != 0) return NULL;
    return &m->rec[m->off + (k - m->lo)];
}

/* The status of a period REC_AT did not give. */
static int rec_error(const grid_price_model *m, uint32_t k)
{
    return k < m->lo ? GRID_EPRICE_RELEASED : GRID_EPRICE_NOMEM;
}

static double demand_forecast(const grid_price_model *m, uint32_t period)
{
    if (m->c.demand_forecast) return m->c.demand_forecast(m->c.demand_ctx, period);
    return grid_demand_synthetic_w(&m->c.wholesale,
                                   m->c.start_unix + (int64_t)period * SIM_PERIOD_S);
}

static double realised_demand(const grid_price_model *m, uint32_t period, const period_rec *r)
{
    if (r->flags & PF_OBSERVED) return r->obs_demand;
    return demand_forecast(m, period) * (1.0 + r->ws.demand_err);
}

static void market(const grid_price_model *m, double demand_w, double wind_cf, double solar_cf,
                   grid_wholesale_point *out)
{
    const grid_wholesale_config *w = &m->c.wholesale;
    out->demand_w = demand_w;
    out->wind_w = wind_cf * w->wind_capacity_w;
    out->solar_w = solar_cf * w->solar_capacity_w;
    out->residual_w = demand_w - out->wind_w - out->solar_w;
    out->price_gbp_mwh = grid_supply_curve_price(&w->curve, out->residual_w);
}

uint32_t grid_price_day_of(const grid_price_model *m, uint32_t period)
{
    int64_t t = m->c.start_unix + (int64_t)period * SIM_PERIOD_S;
    return (uint32_t)((t - m->day0_unix) / SIM_DAY_S);
}

uint32_t grid_price_n_days(const grid_price_model *m)
{
    return m->n_days;
}

static int64_t day_publication_s(const grid_price_model *m, uint32_t day)
{
    return m->day0_unix + ((int64_t)day - 1) * SIM_DAY_S + m->c.agile_publish_s - m->c.start_unix;
}

int grid_price_publication_s(const grid_price_model *m, grid_tariff kind, uint32_t period,
                             int64_t *out_s)
{
    if (period >= m->c.n_periods) return GRID_EPRICE_RANGE;
    switch (kind) {
    case GRID_TARIFF_FLAT:
    case GRID_TARIFF_E7:
    case GRID_TARIFF_TOU:
        *out_s = 0;
        return 0;
    case GRID_TARIFF_AGILE:
        *out_s = day_publication_s(m, grid_price_day_of(m, period));
        return 0;
    case GRID_TARIFF_RTP:
        *out_s = (int64_t)period * SIM_PERIOD_S;
        return 0;
    default:
        return GRID_EPRICE_KIND;
    }
}

int grid_price_get(const grid_price_model *m, grid_tariff kind, uint32_t period, grid_price *out)
{
    if ((unsigned)kind >= GRID_TARIFF_COUNT) return GRID_EPRICE_KIND;
    if (period >= m->c.n_periods) return GRID_EPRICE_RANGE;
    out->standing = m->standing[kind];
    const period_rec *r;
    switch (kind) {
    case GRID_TARIFF_AGILE:
    case GRID_TARIFF_RTP:
        /* not yet drawn: not published either */
        if (period >= m->gen.next && period >= m->lo) return GRID_EPRICE_UNPUBLISHED;
        if (!(r = rec_at(m, period))) return rec_error(m, period);
        if (kind == GRID_TARIFF_AGILE) {
            if (!(r->flags & PF_AGILE)) return GRID_EPRICE_UNPUBLISHED;
            out->unit = r->agile_unit;
        } else {
            if (!(r->flags & PF_RTP)) return GRID_EPRICE_UNPUBLISHED;
            out->unit = r->rtp_unit;
        }
        return 0;
    default:
        out->unit = m->static_unit[kind][tod_of(m, period) / SIM_PERIOD_S];
        return 0;
    }
}

int grid_price_publish_day(grid_price_model *m, uint32_t day)
{
    if (day >= m->n_days) return GRID_EPRICE_RANGE;
    int64_t from = m->day0_unix + (int64_t)day * SIM_DAY_S - m->c.start_unix;
    int64_t k0 = from < 0 ? 0 : from / SIM_PERIOD_S;
    int64_t k1 = (from + SIM_DAY_S) / SIM_PERIOD_S;
    if (k1 > m->c.n_periods) k1 = m->c.n_periods;
    /* A day is published whole: its last period says whether it is. */
    period_rec *r = rec_at(m, (uint32_t)k1 - 1);
    if (!r) return rec_error(m, (uint32_t)k1 - 1);
    if (r->flags & PF_AGILE) return 0;
    if (k0 < m->lo) return GRID_EPRICE_RELEASED;
    /* Forecasts only: demand asked now, wind and solar from the forecast series. */
    for (uint32_t k = (uint32_t)k0; k < (uint32_t)k1; k++) {
        r = rec_at(m, k);
        grid_wholesale_point w;
        market(m, demand_forecast(m, k), r->ws.wind_fc, r->ws.solar_fc, &w);
        r->da_demand = w.demand_w;
        r->da_price = w.price_gbp_mwh;
        r->agile_unit = grid_dynamic_retail_unit(&m->c.agile, w.price_gbp_mwh, tod_of(m, k));
        r->flags |= PF_AGILE;
    }
    return 0;
}

int grid_price_publish_until(grid_price_model *m, int64_t now_s)
{
    period_rec *r0 = m->lo == 0 ? rec_at(m, 0) : NULL;
    if (m->lo == 0 && !r0) return GRID_EPRICE_NOMEM;
    if (r0 && !(r0->flags & PF_RTP) && now_s >= 0) {
        grid_wholesale_point w;
        market(m, demand_forecast(m, 0), r0->ws.wind_fc, r0->ws.solar_fc, &w);
        r0->rtp_unit = grid_dynamic_retail_unit(&m->c.rtp, w.price_gbp_mwh, tod_of(m, 0));
        r0->flags |= PF_RTP;
    }
    while (m->next_day < m->n_days && day_publication_s(m, m->next_day) <= now_s) {
        int rc = grid_price_publish_day(m, m->next_day);
        if (rc) return rc;
        m->next_day++;
    }
    return 0;
}

int grid_price_rtp_observe(grid_price_model *m, uint32_t period, double demand_w)
{
    if (period >= m->c.n_periods) return GRID_EPRICE_RANGE;
    /* the next period first: drawing it may move the records */
    period_rec *next = period + 1 < m->c.n_periods ? rec_at(m, period + 1) : NULL;
    period_rec *r = rec_at(m, period);
    if (!r || (period + 1 < m->c.n_periods && !next)) return rec_error(m, period);
    if (r->flags & PF_OBSERVED) return GRID_EPRICE_FIXED;
    if (!(demand_w >= 0) || !isfinite(demand_w)) demand_w = realised_demand(m, period, r);
    r->obs_demand = demand_w;
    r->flags |= PF_OBSERVED;
    if (next) {
        grid_wholesale_point w;
        market(m, demand_w, r->ws.wind_re, r->ws.solar_re, &w);
        next->rtp_unit = grid_dynamic_retail_unit(&m->c.rtp, w.price_gbp_mwh, tod_of(m, period + 1));
        next->flags |= PF_RTP;
    }
    return 0;
}

int grid_wholesale_get(const grid_price_model *m, grid_market mk, uint32_t period,
                       grid_wholesale_point *out)
{
    if (period >= m->c.n_periods) return GRID_EPRICE_RANGE;
    if (mk != GRID_MARKET_DAY_AHEAD && mk != GRID_MARKET_REALISED) return GRID_EPRICE_KIND;
    if (mk == GRID_MARKET_DAY_AHEAD && period >= m->gen.next && period >= m->lo)
        return GRID_EPRICE_UNPUBLISHED;
    const period_rec *r = rec_at(m, period);
    if (!r) return rec_error(m, period);
    if (mk == GRID_MARKET_DAY_AHEAD) {
        if (!(r->flags & PF_AGILE)) return GRID_EPRICE_UNPUBLISHED;
        market(m, r->da_demand, r->ws.wind_fc, r->ws.solar_fc, out);
        return 0;
    }
    market(m, realised_demand(m, period, r), r->ws.wind_re, r->ws.solar_re, out);
    return 0;
}

int grid_wholesale_cf(const grid_price_model *m, grid_market mk, uint32_t period, double *wind_cf,
                      double *solar_cf)
{
    if (period >= m->c.n_periods) return GRID_EPRICE_RANGE;
    const period_rec *r = rec_at(m, period);
    if (!r) return rec_error(m, period);
    bool da = mk == GRID_MARKET_DAY_AHEAD;
    *wind_cf = da ? r->ws.wind_fc : r->ws.wind_re;
    *solar_cf = da ? r->ws.solar_fc : r->ws.solar_re;
    return 0;
}

int grid_wholesale_set_realised(grid_price_model *m, uint32_t period, double wind_cf,
                                double solar_cf)
{
    if (period >= m->c.n_periods) return GRID_EPRICE_RANGE;
    if (!(wind_cf >= 0 && wind_cf <= 1 && solar_cf >= 0 && solar_cf <= 1))
        return GRID_EPRICE_CONFIG;
    period_rec *r = rec_at(m, period);
    if (!r) return rec_error(m, period);
    r->ws.wind_re = wind_cf;
    r->ws.solar_re = solar_cf;
    return 0;
}

void grid_price_release(grid_price_model *m, uint32_t period)
{
    if (period <= m->lo) return;
    uint32_t drawn = m->gen.next > m->lo ? m->gen.next - m->lo : 0;
    uint32_t drop = period - m->lo;
    if (drop >= drawn) {
        m->off = 0;
    } else {
        m->off += drop;
    }
    m->lo = period;
}

/* Period REC's fields one by one, so no padding byte goes into the file. */
static void ckpt_rec(sim_ckpt *c, period_rec *r)
{
    SIM_CKPT(c, r->ws);
    SIM_CKPT(c, r->da_demand);
    SIM_CKPT(c, r->da_price);
    SIM_CKPT(c, r->obs_demand);
    SIM_CKPT(c, r->agile_unit);
    SIM_CKPT(c, r->rtp_unit);
    SIM_CKPT(c, r->flags);
}

/* The generator moves only in draw_until, one period after the other, so drawing again up to
 * gen.next restores it and it does not travel.  The records it made do: publication, rtp
 * observations and grid_wholesale_set_realised write into them, with values (the demand
 * forecast callback's, the engine's demand) that cannot be made again here.  The draws that
 * nothing overwrites (forecasts, demand error) check the replay. */
int grid_price_ckpt(grid_price_model *m, sim_ckpt *c)
{
    sim_ckpt_tag(c, "price");
    sim_ckpt_same(c, m->c.seed, "price seed");
    sim_ckpt_same(c, m->c.entity, "price entity");
    sim_ckpt_same(c, (uint64_t)m->c.start_unix, "price start");
    sim_ckpt_same(c, m->c.n_periods, "price periods");
    uint32_t lo = m->lo, next = m->gen.next, next_day = m->next_day;
    SIM_CKPT(c, lo);
    SIM_CKPT(c, next);
    SIM_CKPT(c, next_day);
    if (sim_ckpt_err(c)) return -1;
    bool load = sim_ckpt_loading(c);
    if (load) {
        if (next > m->c.n_periods || next_day > m->n_days) {
            sim_ckpt_fail(c, "price: %u periods drawn and %u days published, beyond the run's "
                             "%u and %u", next, next_day, m->c.n_periods, m->n_days);
            return -1;
        }
        grid_wholesale_gen_init(&m->gen, &m->c.wholesale, m->c.seed, m->c.entity,
                                m->c.start_unix);
        m->lo = m->off = 0;
        m->next_day = 0;
        grid_price_release(m, lo);
        if (next && draw_until(m, next - 1)) {
            sim_ckpt_fail(c, "price: out of memory drawing %u periods", next);
            return -1;
        }
        m->next_day = next_day;
    }
    for (uint32_t k = lo; k < next && !sim_ckpt_err(c); k++) {
        period_rec *r = &m->rec[m->off + (k - m->lo)], got = *r;
        ckpt_rec(c, &got);
        if (!load || sim_ckpt_err(c)) continue;
        if (memcmp(&got.ws.wind_fc, &r->ws.wind_fc, sizeof got.ws.wind_fc) ||
            memcmp(&got.ws.solar_fc, &r->ws.solar_fc, sizeof got.ws.solar_fc) ||
            memcmp(&got.ws.demand_err, &r->ws.demand_err, sizeof got.ws.demand_err))
            sim_ckpt_fail(c,
                          "price: period %u drawn again differs from the checkpoint's (another "
                          "wholesale configuration?)",
                          k);
        else
            *r = got;
    }
    return sim_ckpt_err(c) ? -1 : 0;
}

size_t grid_price_bytes(const grid_price_model *m)
{
    return sizeof *m + (size_t)m->cap * sizeof *m->rec;
}

/* "HH:MM-HH:MM <price> [p/kWh]" separated by commas or semicolons. */
int grid_tou_parse(const char *text, grid_tou_band *bands, unsigned max, unsigned *n, char *why,
                   size_t whylen)
{
    *n = 0;
    const char *p = text ? text : "";
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0') break;
        if (*n >= max) {
            snprintf(why, whylen, "more than %u bands", max);
            return GRID_EPRICE_PARSE;
        }
        int64_t t[2];
        for (int i = 0; i < 2; i++) {
            char buf[16];
            size_t len = strspn(p, "0123456789:");
            if (len == 0 || len >= sizeof buf) {
                snprintf(why, whylen, "expected a time such as 16:00 at \"%.20s\"", p);
                return GRID_EPRICE_PARSE;
            }
            memcpy(buf, p, len);
            buf[len] = '\0';
            if (sim_parse_time_of_day(buf, &t[i], NULL, 0) != 0 || t[i] % SIM_PERIOD_S != 0) {
                snprintf(why, whylen, "\"%s\" is not a time of day on :00 or :30", buf);
                return GRID_EPRICE_PARSE;
            }
            p += len;
            if (i == 0) {
                if (*p != '-') {
                    snprintf(why, whylen, "expected '-' between the times at \"%.20s\"", p);
                    return GRID_EPRICE_PARSE;
                }
                p++;
            }
        }
        char *end;
        double rate = strtod(p, &end);
        if (end == p || !ok_price(rate)) {
            snprintf(why, whylen, "expected a price in p/kWh at \"%.20s\"", p);
            return GRID_EPRICE_PARSE;
        }
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "p/kWh", 5) == 0) p += 5;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '\0' && *p != ',' && *p != ';') {
            snprintf(why, whylen, "unexpected \"%.20s\" after a band", p);
            return GRID_EPRICE_PARSE;
        }
        if (t[0] == t[1]) {
            snprintf(why, whylen, "band %u starts and ends at the same time", *n + 1);
            return GRID_EPRICE_PARSE;
        }
        bands[*n] = (grid_tou_band){(int32_t)t[0], (int32_t)t[1], rate};
        (*n)++;
        if (*p) p++;
    }
    return 0;
}

static const char *const tariff_names[GRID_TARIFF_COUNT] = {"flat", "e7", "tou", "agile", "rtp"};

const char *grid_tariff_name(grid_tariff kind)
{
    return (unsigned)kind < GRID_TARIFF_COUNT ? tariff_names[kind] : "?";
}

int grid_tariff_from_name(const char *name, grid_tariff *out)
{
    for (int i = 0; i < GRID_TARIFF_COUNT; i++)
        if (strcmp(name, tariff_names[i]) == 0) {
            *out = (grid_tariff)i;
            return 0;
        }
    return GRID_EPRICE_KIND;
}

const char *grid_price_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define GRID_PRICE_STR_(name, c, msg)                                                              \
    case c:                                                                                        \
        return msg;
        GRID_PRICE_ERRNO_MAP(GRID_PRICE_STR_)
#undef GRID_PRICE_STR_
    default:
        return "unknown price error";
    }
}
