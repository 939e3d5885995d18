/* The "basic" household load model: the foundation's stochastic demand.
 *
 * A household's power is the sum of
 *   - an always-on base load (standby, routers, pumps): 20 % of its mean power;
 *   - a cold appliance cycling on and off (compressor duty about 1/3);
 *   - appliance uses (kettle, cooking, washing, TV and electronics, lighting, other)
 *     started by a non-homogeneous Poisson process whose rate follows a half-hourly
 *     daily activity shape (weekday or weekend) and a seasonal factor; each use has
 *     its appliance's power, power factor and a random duration.
 * Event times are whole seconds, so power changes at a resolution finer than the
 * 1-minute resolution of CREST (Richardson et al. 2010).
 *
 * Calibration: the appliance start rate is scaled analytically so that the population
 * mean annualises to `annual_kwh` (default Ofgem medium TDCV 2,700 kWh/yr);
 * household scale factors are lognormal with mean 1 so they spread consumption without
 * moving the mean; the seasonal factor 1 + A cos(2 pi (doy - 15) / 365.25) averages to
 * 1 over a year.  tests/grid/test_load_basic.c checks the annualised mean within 5 %.
 *
 * The activity shapes are hand-drawn to the documented features of GB domestic demand:
 * low overnight, a morning rise, and the weekday evening peak between 16:30 and 20:00;
 * weekends later in the morning and flatter (Elexon profile class 1).  They are defaults for this first model, not measured data: the
 * occupancy/appliance model of issue 4 replaces them.
 */
#include "grid/load.h"

#include "sim/rng.h"
#include "sim/timeutil.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ACTIVE 6 /* concurrent appliance uses tracked per household */

/* Relative appliance start rate per half-hour from 00:00 (normalised to mean 1). */
static const double shape_weekday[48] = {
    0.35, 0.28, 0.22, 0.18, 0.16, 0.15, 0.15, 0.15, 0.15, 0.16, 0.20, 0.30, /* 00-06 */
    0.55, 0.85, 1.10, 1.20, 1.10, 0.95, 0.85, 0.80, 0.80, 0.80, 0.82, 0.88, /* 06-12 */
    0.95, 0.95, 0.88, 0.82, 0.80, 0.82, 0.90, 1.05, 1.30, 1.60, 1.90, 2.10, /* 12-18 */
    2.15, 2.05, 1.85, 1.65, 1.50, 1.40, 1.30, 1.15, 0.95, 0.75, 0.60, 0.45, /* 18-24 */
};
static const double shape_weekend[48] = {
    0.40, 0.32, 0.25, 0.20, 0.17, 0.16, 0.15, 0.15, 0.15, 0.15, 0.17, 0.20, /* 00-06 */
    0.30, 0.40, 0.60, 0.85, 1.10, 1.30, 1.40, 1.40, 1.35, 1.30, 1.25, 1.25, /* 06-12 */
    1.30, 1.25, 1.15, 1.05, 1.00, 1.00, 1.05, 1.15, 1.35, 1.55, 1.75, 1.85, /* 12-18 */
    1.85, 1.75, 1.60, 1.50, 1.40, 1.35, 1.25, 1.10, 0.95, 0.80, 0.65, 0.50, /* 18-24 */
};

/* Appliance uses.  Powers and durations are typical GB appliance ratings (a 2.5-3 kW
 * kettle boiling about 3 min; CREST's appliance table has the same orders); uses per
 * day give the mix before the calibration factor scales them all. */
typedef struct appliance {
    const char *name;
    double power_w;     /* while on [W] */
    double mean_min;    /* mean duration; uniform on [0.5, 1.5] x mean [min] */
    double uses_per_day;/* relative frequency before calibration [1/d] */
    int resistive;      /* 1: unity power factor; 0: the scenario's power factor */
} appliance;

static const appliance appliances[] = {
    {"kettle", 2500.0, 3.0, 4.0, 1},
    {"cooking", 1800.0, 25.0, 1.2, 1},
    {"washing", 1200.0, 45.0, 0.5, 0},
    {"tv_electronics", 150.0, 120.0, 2.0, 0},
    {"lighting", 120.0, 90.0, 3.0, 0},
    {"other", 400.0, 20.0, 4.0, 0},
};
#define N_APPLIANCES (sizeof appliances / sizeof appliances[0])

#define BASE_SHARE 0.20   /* of a household's mean power */
#define FRIDGE_ON_SHARE 0.30 /* compressor power as a share of mean power; duty ~1/3 */
#define FRIDGE_ON_MIN 20.0
#define FRIDGE_OFF_MIN 40.0

typedef struct basic_model {
    grid_load_params p;
    double mean_w;                    /* calibrated population mean [W] */
    double starts_per_s;              /* population start rate at shape 1, season 1 [1/s] */
    double cum_weight[N_APPLIANCES];  /* cumulative choice probabilities */
    int32_t p_mw[N_APPLIANCES];
    int32_t q_mvar[N_APPLIANCES];
    double tan_phi;                   /* Q/P of non-resistive loads */
    uint32_t n_periods;               /* half-hours of the run plus a day of margin */
    double mean_wd, mean_we;          /* mean of each day shape */
} basic_model;

/* Start-rate multiplier of half-hour K of the run: shape x season.  Worked out when asked
 * (a table would grow with the run). */
static double rate_at(const basic_model *m, uint32_t k)
{
    sim_civil cv;
    sim_civil_from_unix(m->p.start_unix + (int64_t)k * SIM_PERIOD_S, &cv);
    int hh = cv.hour * 2 + cv.minute / 30;
    double s = cv.weekday >= 5 ? shape_weekend[hh] / m->mean_we : shape_weekday[hh] / m->mean_wd;
    double season =
        1.0 + m->p.seasonal_amplitude * cos(2.0 * 3.14159265358979323846 * (cv.yday - 15) / 365.25);
    return s * season;
}

typedef struct basic_hh {
    sim_rng rng;
    float scale;              /* household consumption / population mean [-] */
    int32_t base_mw;          /* always-on load [mW] */
    int32_t fridge_mw;        /* compressor power [mW] */
    uint32_t next_start;      /* next appliance start [s since start] */
    uint32_t fridge_next;     /* next compressor toggle [s] */
    uint32_t end[MAX_ACTIVE]; /* end of each running use [s] */
    uint8_t cls[MAX_ACTIVE];  /* its appliance */
    uint8_t n_active;
    uint8_t fridge_on;
} basic_hh;

static int basic_create(const grid_load_params *p, void **out, char *err, size_t errlen)
{
    if (p->annual_kwh <= 0 || p->duration_s <= 0 || p->power_factor <= 0 ||
        p->power_factor > 1) {
        snprintf(err, errlen, "basic load model: invalid parameters");
        return -1;
    }
    basic_model *m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->p = *p;
    m->mean_w = grid_load_target_mean_w(p);
    m->tan_phi = tan(acos(p->power_factor));

    /* Energy per day from appliance uses at unit rate, then the rate that supplies the
     * share of the mean not covered by base load and the cold appliance. */
    double wh_per_use_mix = 0, uses = 0;
    for (size_t i = 0; i < N_APPLIANCES; i++) {
        wh_per_use_mix += appliances[i].uses_per_day * appliances[i].power_w *
                          appliances[i].mean_min / 60.0;
        uses += appliances[i].uses_per_day;
    }
    double fridge_duty = FRIDGE_ON_MIN / (FRIDGE_ON_MIN + FRIDGE_OFF_MIN);
    double activity_w = m->mean_w * (1.0 - BASE_SHARE - FRIDGE_ON_SHARE * fridge_duty);
    double k = activity_w * 24.0 / wh_per_use_mix;
    m->starts_per_s = k * uses / SIM_DAY_S;
    double c = 0;
    for (size_t i = 0; i < N_APPLIANCES; i++) {
        c += appliances[i].uses_per_day / uses;
        m->cum_weight[i] = c;
        m->p_mw[i] = (int32_t)lround(appliances[i].power_w * 1000.0);
        m->q_mvar[i] = appliances[i].resistive ? 0 : (int32_t)lround(m->p_mw[i] * m->tan_phi);
    }
    m->cum_weight[N_APPLIANCES - 1] = 1.0;

    /* Rate multiplier per half-hour of the run (plus a day of margin): rate_at. */
    for (int i = 0; i < 48; i++) {
        m->mean_wd += shape_weekday[i] / 48.0;
        m->mean_we += shape_weekend[i] / 48.0;
    }
    m->n_periods = (uint32_t)((p->duration_s + SIM_DAY_S) / SIM_PERIOD_S);
    *out = m;
    return 0;
oom:
    free(m);
    snprintf(err, errlen, "basic load model: out of memory");
    return -1;
}

static void basic_destroy(void *model)
{
    basic_model *m = model;
    if (!m) return;
    free(m);
}

static uint32_t sat_u32(double t)
{
    return t >= (double)GRID_NEVER ? GRID_NEVER : (uint32_t)t;
}

/* Next start after NOW of the household's non-homogeneous Poisson process: an Exp(1)
 * budget spent across the piecewise-constant half-hour rates (exact inversion). */
static uint32_t next_start(const basic_model *m, basic_hh *h, uint32_t now)
{
    double budget = -log1p(-sim_rng_uniform(&h->rng)); /* Exp(1) */
    double per_s = m->starts_per_s * h->scale;
    double t = now;
    for (uint32_t k = now / SIM_PERIOD_S; k < m->n_periods; k++) {
        double seg_end = (double)(k + 1) * SIM_PERIOD_S;
        double r = per_s * rate_at(m, k);
        double need = r * (seg_end - t);
        if (budget <= need) {
            double at = ceil(t + budget / r);
            return at <= now ? now + 1 : sat_u32(at);
        }
        budget -= need;
        t = seg_end;
    }
    return GRID_NEVER;
}

static uint32_t uniform_span(basic_hh *h, double mean_s)
{
    double d = mean_s * (0.5 + sim_rng_uniform(&h->rng));
    return d < 1.0 ? 1u : (uint32_t)lround(d);
}

static uint32_t basic_power(const basic_model *m, const basic_hh *h, int32_t *p_mw,
                            int32_t *q_mvar)
{
    int64_t p = h->base_mw, q = (int64_t)lround(h->base_mw * m->tan_phi);
    uint32_t next = h->next_start < h->fridge_next ? h->next_start : h->fridge_next;
    if (h->fridge_on) {
        p += h->fridge_mw;
        q += (int64_t)lround(h->fridge_mw * m->tan_phi);
    }
    for (unsigned i = 0; i < h->n_active; i++) {
        p += m->p_mw[h->cls[i]];
        q += m->q_mvar[h->cls[i]];
        if (h->end[i] < next) next = h->end[i];
    }
    *p_mw = (int32_t)p;
    *q_mvar = (int32_t)q;
    return next;
}

static uint32_t basic_hh_init(const void *model, void *hh, uint64_t hh_id, int32_t *p_mw,
                              int32_t *q_mvar)
{
    const basic_model *m = model;
    basic_hh *h = hh;
    memset(h, 0, sizeof *h);
    sim_rng_seed(&h->rng, m->p.seed, hh_id, "load.basic");
    gsl_rng g;
    double sigma = m->p.spread;
    h->scale = (float)exp(sigma * gsl_ran_ugaussian(sim_rng_gsl(&h->rng, &g)) - 0.5 * sigma * sigma);
    h->base_mw = (int32_t)lround(m->mean_w * BASE_SHARE * h->scale * 1000.0);
    h->fridge_mw = (int32_t)lround(m->mean_w * FRIDGE_ON_SHARE * 1000.0);
    /* Start the compressor cycle at a random phase of its on/off period. */
    double period = (FRIDGE_ON_MIN + FRIDGE_OFF_MIN) * 60.0;
    double phase = sim_rng_uniform(&h->rng) * period;
    h->fridge_on = phase < FRIDGE_ON_MIN * 60.0;
    h->fridge_next = (uint32_t)(h->fridge_on ? FRIDGE_ON_MIN * 60.0 - phase : period - phase) + 1;
    h->next_start = next_start(m, h, 0);
    return basic_power(m, h, p_mw, q_mvar);
}

static uint32_t basic_hh_step(const void *model, void *hh, uint32_t now, const void *price_ctx,
                              int32_t *p_mw, int32_t *q_mvar)
{
    (void)price_ctx; /* the basic model does not follow prices */
    const basic_model *m = model;
    basic_hh *h = hh;
    while (h->fridge_next <= now) {
        h->fridge_on = !h->fridge_on;
        h->fridge_next += uniform_span(h, (h->fridge_on ? FRIDGE_ON_MIN : FRIDGE_OFF_MIN) * 60.0);
    }
    for (unsigned i = 0; i < h->n_active;) {
        if (h->end[i] <= now) {
            h->n_active--;
            h->end[i] = h->end[h->n_active];
            h->cls[i] = h->cls[h->n_active];
        } else {
            i++;
        }
    }
    while (h->next_start <= now) {
        double u = sim_rng_uniform(&h->rng);
        unsigned c = 0;
        while (c + 1 < N_APPLIANCES && u >= m->cum_weight[c]) c++;
        uint32_t dur = uniform_span(h, appliances[c].mean_min * 60.0);
        /* A use that would exceed the tracked concurrency is not started; with the
         * default mix fewer than 1e-4 of starts meet a full table (test_load_basic). */
        if (h->n_active < MAX_ACTIVE) {
            h->end[h->n_active] = now + dur;
            h->cls[h->n_active] = (uint8_t)c;
            h->n_active++;
        }
        h->next_start = next_start(m, h, now);
    }
    return basic_power(m, h, p_mw, q_mvar);
}

/* The model is read-only after create (rate_at works each rate out when asked), so its
 * checkpoint holds only a mark and what says it was made from the same run. */
static int basic_ckpt(void *model, sim_ckpt *c)
{
    basic_model *m = model;
    sim_ckpt_tag(c, "load.basic");
    sim_ckpt_same(c, m->p.seed, "basic seed");
    sim_ckpt_same(c, (uint64_t)m->p.start_unix, "basic start");
    sim_ckpt_same(c, m->n_periods, "basic periods");
    return sim_ckpt_err(c) ? -1 : 0;
}

const grid_load_ops grid_load_basic = {
    .name = "basic",
    .hh_size = sizeof(basic_hh),
    .create = basic_create,
    .destroy = basic_destroy,
    .hh_init = basic_hh_init,
    .hh_step = basic_hh_step,
    .ckpt = basic_ckpt,
};
