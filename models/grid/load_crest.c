/* The crest load model's entry point: its ops table (grid_load_crest), a household's initial
 * draws, its step through the events that are due, and its power and readings.  The model is
 * described below; its sub-models are in crest_*.c, what they share in crest_internal.h. */
/* The "crest" household load model: occupancy, appliances, lighting, heating, PV and EVs,
 * written for metersim from the published description of the CREST demand model
 * (Richardson, Thomson, Infield 2008, "A high-resolution domestic building occupancy model
 * for energy demand simulations", Energy and Buildings 40; Richardson, Thomson, Infield,
 * Clifford 2010, "Domestic electricity use: a high-resolution energy demand model", Energy
 * and Buildings 42; Richardson et al. 2009, "Domestic lighting: a high-resolution energy
 * demand model", Energy and Buildings 41).  No code or data table of any implementation is
 * used: every number in this model's files is chosen here and says where it comes from.
 *
 * Structure, as in CREST:
 *   - Active occupancy (occupants at home and awake) is a first-order Markov chain at
 *     10-minute resolution, per household size 1-5 and weekday/weekend.  CREST estimates its
 *     transition matrices from the UK 2000 Time Use Survey; here they are derived from a
 *     per-person probability of being active, a(t) (hand-drawn to the shape of the TUS
 *     active-occupancy curves in Richardson 2008, see occ_wd/occ_we in crest_occupancy.c),
 *     with persons exchangeable: each person follows a two-state chain that meets a(t)
 *     exactly and "churns" at 8 % per step (mean active spell ~2-3 h, chosen), and the chain
 *     on the count of active occupants is the convolution of the persons' transitions.
 *   - Appliances start with a probability proportional to an activity profile (the
 *     probability that an active occupant is doing the linked activity: TV, cooking,
 *     laundry...) and to the number of active occupants; an appliance already on cannot
 *     start again (CREST's rule).  CREST tests every appliance every minute; here the
 *     starts of all appliances form one non-homogeneous Poisson process, piecewise
 *     constant over 10-minute slots, sampled exactly by inversion, so a household costs
 *     events only when something changes.  CREST scales each appliance's start probability
 *     by a calibration scalar to a mean annual energy; here each appliance's scalar is
 *     computed analytically at create() so that the population-mean number of starts per
 *     day equals a chosen figure (table `appliances`), with the occupancy distribution
 *     known exactly from a(t).
 *   - Lighting (Richardson 2009): light switch-ons need an active occupant and outdoor
 *     irradiance below the household's threshold (normal, mean 60 W/m2, sd 10, chosen as
 *     in the order of the 2009 paper), durations heavy-tailed; lights go off when nobody is
 *     active.  Daylight follows the date and latitude through the weather model.
 *   - Cold appliances cycle on and off regardless of occupancy.
 * Added to CREST for this simulator: reactive power per appliance (so meters see four
 * quadrants: motors lag, electronic and LED loads lead, PV exports), gas central heating
 * by degree-days with household heating schedules and hot-water draws, air-source heat
 * pumps with a temperature-dependent COP, rooftop PV from irradiance, EV home charging
 * with an optional price-seeking start, and demand response: price-following households
 * that delay timer-able starts, and in-home-display feedback that fades (see crest_dr.c).
 *
 * Calibration (tests/grid/test_load_crest.c): population median annual electricity near
 * the Ofgem medium TDCV 2,700 kWh/yr with quartiles near 1,800/4,100; after-diversity
 * maximum demand of 100 households over a winter ~1.43 kW at the 3,206 kWh/yr median of the
 * CLNR trial years (CLNR: 1.5 kW) and ~1.32 kW at today's 2,700 (inside the Low Carbon London
 * range 0.54-1.78 kW), set on winter weekday evenings or by the Christmas dinner;
 * Christmas Day peaks at midday above the Sundays around it; weekday evening peak
 * 16:30-20:00, weekends later and flatter; gas median near 11,500 kWh/yr for gas-heated
 * homes (Ofgem medium TDCV); PV 850-1,000 kWh/kWp/yr; heat-pump seasonal COP 2.5-3.5.  annual_kwh
 * scales every electric start rate, the base load and cold appliances by annual_kwh / 2,700 (so the
 * median moves approximately in proportion); spread is the lognormal sigma of a household's
 * behavioural intensity (start rates); seasonal_amplitude and power_factor belong to the basic
 * model and are not used.
 *
 * Time: behaviour follows local clock time (GMT/BST when clock_bst is set: last Sunday of
 * March to last Sunday of October, 01:00 UTC), the sun and the weather follow UTC.
 *
 * Not modelled: the at-home-but-asleep versus away distinction (CREST 2008 tracks both;
 * only active occupancy drives demand here), bank holidays other than Christmas and Boxing
 * Day, shared activities within a household beyond the common schedule shift, electric
 * space heating other than heat
 * pumps (storage heaters, oil and LPG homes get no heating load), cooking on gas, battery
 * storage, the first night's EV charge when a run starts at night; price response of loads
 * without a timer (cooking, TV) and of heat pumps or batteries; a lasting residual of
 * feedback.
 */
#include "crest_internal.h"
#include "sim/round.h"

#include <string.h>

/* Power now, the gas and heat-pump readings, and the time of the next change. */
static uint32_t crest_power(const crest_model *m, crest_hh *h, uint32_t now, int32_t *p_mw,
                            int32_t *q_mvar)
{
    double fb = crest_fb_factor(m, h, now);
    double p = h->base_w * fb, q = h->base_w * fb * m->tp_base, hp = 0;
    double gas = 0;
    uint32_t next = h->occ_next;
    if (h->app_next < next) next = h->app_next;
    if (h->heat_next < next) next = h->heat_next;
    if (h->pv_next < next) next = h->pv_next;
    if (h->ev_next < next) next = h->ev_next;
    for (unsigned i = 0; i < h->n_run; i++) {
        int a = h->run_app[i];
        const appliance *ap = &crest_appliances[a];
        double w, tp;
        if (h->run_phase[i] & PH_DEFER) { /* waiting on its timer: draws nothing yet */
            if (h->run_end[i] < next) next = h->run_end[i];
            continue;
        }
        if (a == A_LIGHT) {
            w = h->light_w * fb;
            tp = m->tp1[a];
        } else if (a == A_DHW) {
            if (h->heating == GRID_HEAT_GAS) {
                gas += DHW_GAS_W;
                w = 0;
            } else {
                w = HP_DHW_W;
                hp += w;
            }
            tp = m->tp_hp;
        } else {
            w = h->run_phase[i] ? ap->w2 : ap->w1;
            if (a == A_ROAST && h->run_phase[i] == 2 && owns(h, A_HOB))
                w += crest_appliances[A_HOB].w1;
            tp = h->run_phase[i] ? m->tp2[a] : m->tp1[a];
            if (ap->flags & F_STOCK) w *= h->stock;
            w -= ap->standby_w * m->elec_scale * h->stock; /* its standby is in base_w */
            if (ap->flags & F_STOCK) w *= fb;              /* screens */
        }
        p += w;
        q += w * tp;
        if (h->run_end[i] < next) next = h->run_end[i];
    }
    /* the cold appliances owned, in order (a set bit at a time: which a household owns is a
     * coin toss to the branch predictor) */
    for (unsigned bits = h->cold_own & COLD_ALL; bits != 0; bits &= bits - 1) {
        int c = __builtin_ctz(bits);
        if ((h->cold_on >> c) & 1u) {
            double w = crest_colds[c].w * m->elec_scale * h->stock;
            p += w;
            q += w * m->tp_cold[c];
        }
        if (h->cold_next[c] < next) next = h->cold_next[c];
    }
    if (h->heat_on) {
        if (h->heating == GRID_HEAT_GAS) {
            gas += h->space_w;
            p += PUMP_W;
            q += PUMP_W * m->tp_pump;
        } else {
            p += h->space_w;
            q += h->space_w * m->tp_hp;
            hp += h->space_w;
        }
    }
    if (h->ev_state == 2) {
        double w = m->p.ev_charger_kw * 1000.0;
        p += w;
        q += w * m->tp_ev;
    }
    p -= h->pv_w; /* the inverter runs at unity power factor (G98 default) */
    h->gas_now = sim_round_i32(gas);
    h->hp_elec_now = (float)hp;
    *p_mw = sim_round_i32(p * 1000.0);
    *q_mvar = sim_round_i32(q * 1000.0);
    return next;
}

static void integrate(const crest_model *m, crest_hh *h, uint32_t now)
{
    if (now <= h->last_t) return;
    double hours = (now - h->last_t) / 3600.0;
    h->tot[TOT_GAS] += h->gas_now * hours;
    h->tot[TOT_PV] += h->pv_w * hours;
    h->tot[TOT_HPE] += h->hp_elec_now * hours;
    if (h->heat_on) h->tot[TOT_HPH] += h->hp_heat_w * hours;
    if (h->ev_state == 2) h->tot[TOT_EV] += m->p.ev_charger_kw * 1000.0 * hours;
    h->last_t = now;
}

static uint32_t crest_hh_step(const void *model, void *hh, uint32_t now, const void *price_ctx,
                              int32_t *p_mw, int32_t *q_mvar)
{
    const crest_model *m = model;
    crest_hh *h = hh;
    integrate(m, h, now);
    /* Handle what is due, earliest first; ties: ends, cold, heating, PV, EV, occupancy,
     * then starts (so a start sees the state after everything else at that second). */
    for (;;) {
        uint32_t best = GRID_NEVER;
        int which = -1, idx = 0;
        for (unsigned i = 0; i < h->n_run; i++)
            if (h->run_end[i] < best) best = h->run_end[i], which = 0, idx = (int)i;
        for (unsigned bits = h->cold_own & COLD_ALL; bits != 0; bits &= bits - 1) {
            int c = __builtin_ctz(bits);
            if (h->cold_next[c] < best) best = h->cold_next[c], which = 1, idx = c;
        }
        if (h->heat_next < best) best = h->heat_next, which = 2;
        if (h->pv_next < best) best = h->pv_next, which = 3;
        if (h->ev_next < best) best = h->ev_next, which = 4;
        if (h->occ_next < best) best = h->occ_next, which = 5;
        if (h->app_next < best) best = h->app_next, which = 6;
        if (which < 0 || best > now) break;
        switch (which) {
        case 0:
            crest_end_run(m, h, (unsigned)idx, best, price_ctx);
            break;
        case 1:
            crest_cold_event(m, h, idx, best);
            break;
        case 2:
            crest_heat_event(m, h, best);
            break;
        case 3:
            crest_pv_event(m, h, best);
            break;
        case 4:
            crest_ev_event(m, h, best, price_ctx);
            break;
        case 5:
            crest_occupancy_event(m, h, best);
            break;
        default:
            crest_appliance_event(m, h, best, price_ctx);
            break;
        }
    }
    return crest_power(m, h, now, p_mw, q_mvar);
}

/* Household size and dwelling, behaviour and stock, appliances owned, always-on load and
 * lighting. */
static void draw_attributes(const crest_model *m, crest_hh *h, const grid_hh_ctx *ctx)
{
    const grid_load_params *p = &m->p;
    double u = uni(h);
    int n = 1;
    while (n < MAX_OCC && u >= m->mix_cum[n - 1])
        n++;
    h->occupants = (uint8_t)n;
    double u_dw = uni(h);
    h->dwelling =
        ctx->dwelling != GRID_DWELLING_UNKNOWN ? ctx->dwelling : (u_dw < p->flat_share ? 1 : 0);
    double sig = p->spread;
    h->intensity = (float)exp(sig * gauss(h) - 0.5 * sig * sig);
    h->stock = (float)exp(STOCK_SIGMA * gauss(h) - 0.5 * STOCK_SIGMA * STOCK_SIGMA);
    h->shift = (int8_t)clampd(round(1.5 * gauss(h)), -3, 3);
    double standby = 0;
    for (int a = 0; a < N_APPL; a++) {
        if (crest_appliances[a].own <= 0) continue; /* follows another (the roast: the oven) */
        double ua = uni(h);
        if (ua < crest_appliances[a].own) {
            h->owned |= (uint16_t)(1u << a);
            standby += crest_appliances[a].standby_w;
        }
    }
    double uc0 = uni(h), uc1 = uni(h), uc2 = uni(h);
    if (uc0 < 0.66) h->cold_own |= 1;
    if (uc1 < ((h->cold_own & 1) ? 0.20 : 0.90)) h->cold_own |= 2;
    if (uc2 < 0.38) h->cold_own |= 4;
    h->base_w =
        (float)((BASE_MEDIAN_W * exp(BASE_SIGMA * gauss(h)) + standby) * m->elec_scale * h->stock);
    h->light_w = (float)((LIGHT_W_MIN + (LIGHT_W_MAX - LIGHT_W_MIN) * uni(h)) * h->stock);
    h->light_thr = (float)clampd(60.0 + 10.0 * gauss(h), 30.0, 100.0);
}

/* Heating system, heat-loss coefficient and heating schedule. */
static void draw_heating(const crest_model *m, crest_hh *h)
{
    const grid_load_params *p = &m->p;
    double uh = uni(h), zh = gauss(h), us = uni(h);
    double uj[6];
    for (int i = 0; i < 6; i++)
        uj[i] = uni(h);
    h->heating = uh < p->hp_share                       ? GRID_HEAT_HP
                 : uh < fmax(p->gas_share, p->hp_share) ? GRID_HEAT_GAS
                                                        : GRID_HEAT_OTHER;
    if (h->heating == GRID_HEAT_HP) h->owned &= (uint16_t) ~(1u << A_HEATER);
    if (h->heating != GRID_HEAT_OTHER) {
        h->owned |= 1u << A_DHW;
        h->h_w_k = (float)(m->h_median * exp(H_SIGMA * zh) * (h->dwelling == 1 ? H_FLAT : 1.0));
    } else {
        h->owned &= (uint16_t) ~(1u << A_DHW);
    }
    /* Heating schedules [slots]: 60 % twice a day on weekdays (06:30-08:30 and
     * 16:30-22:30, each edge +-30..60 min), weekends 07:30-22:30; 40 % (and heat pumps,
     * which run long hours) 07:00-22:30 every day.  Chosen in the order of the English
     * Housing Survey / DECC heating-pattern assumptions (SAP: 9 h weekdays, 16 h weekends). */
    if (us < 0.6 && h->heating != GRID_HEAT_HP) {
        h->sched[0] = (uint8_t)(39 + (int)(uj[0] * 6) - 3);
        h->sched[1] = (uint8_t)(51 + (int)(uj[1] * 6) - 3);
        h->sched[2] = (uint8_t)(99 + (int)(uj[2] * 12) - 6);
        h->sched[3] = (uint8_t)(135 + (int)(uj[3] * 6) - 3);
        h->sched[4] = (uint8_t)(45 + (int)(uj[4] * 6) - 3);
        h->sched[5] = (uint8_t)(135 + (int)(uj[5] * 6) - 3);
    } else {
        h->sched[0] = (uint8_t)(42 + (int)(uj[0] * 6) - 3);
        h->sched[1] = h->sched[2] = h->sched[3] = (uint8_t)(135 + (int)(uj[1] * 6) - 3);
        h->sched[4] = (uint8_t)(45 + (int)(uj[4] * 6) - 3);
        h->sched[5] = h->sched[1];
    }
}

/* Rooftop PV and EV, with their sizes. */
static void draw_pv_ev(const crest_model *m, crest_hh *h)
{
    const grid_load_params *p = &m->p;
    double upv = uni(h), zpv = gauss(h);
    if (h->dwelling != 1 && upv < p->pv_share)
        h->pv_kwp = (float)clampd(p->pv_kwp_median * exp(p->pv_kwp_sigma * zpv), 1.0, 10.0);
    double uev = uni(h), zev = gauss(h), usm = uni(h);
    if (uev < p->ev_share) {
        h->ev = usm < p->ev_smart_share ? 2 : 1;
        h->ev_kwh = (float)(p->ev_kwh_per_day * exp(0.4 * zev - 0.08));
    }
}

/* Dynamic state at time 0: compressor phases, active occupants and every next event. */
static void start_state(const crest_model *m, crest_hh *h)
{
    for (int c = 0; c < N_COLD; c++) {
        double period = crest_colds[c].on_min + crest_colds[c].off_min, ph = uni(h) * period;
        bool on = ph < crest_colds[c].on_min;
        if (on) h->cold_on |= (uint8_t)(1u << c);
        h->cold_next[c] = (uint32_t)(60.0 * (on ? crest_colds[c].on_min - ph : period - ph)) + 1;
    }
    const slotinfo s0 = slot_of(m, 0);
    double a0 = m->occ[s0.dt][eff_slot(h, s0.ls)];
    int act = 0;
    for (int i = 0; i < h->occupants; i++)
        act += uni(h) < a0;
    h->active = (uint8_t)act;
    crest_next_occupancy(m, h, 0);
    h->app_next = crest_next_start(m, h, 0);
    if (h->heating == GRID_HEAT_OTHER)
        h->heat_next = GRID_NEVER;
    else
        crest_heat_event(m, h, 0);
    if (h->pv_kwp > 0)
        crest_pv_event(m, h, 0);
    else
        h->pv_next = GRID_NEVER;
    if (h->ev)
        crest_ev_next_arrival(m, h, 0);
    else
        h->ev_next = GRID_NEVER;
}

/* Whether and when the household cooks a Christmas dinner, from a stream of its own. */
static void draw_festive(const crest_model *m, crest_hh *h, const grid_hh_ctx *ctx)
{
    const grid_load_params *p = &m->p;
    sim_rng fr; /* its own stream, as "load.crest.dr" */
    sim_rng_seed(&fr, p->seed, ctx->id, "load.crest.festive");
    gsl_rng g;
    double uf = sim_rng_uniform(&fr), zf = gsl_ran_ugaussian(sim_rng_gsl(&fr, &g));
    h->fest_slot = FEST_NONE;
    if (owns(h, A_OVEN) && uf < p->festive_share) {
        double hr = clampd(FESTIVE_START_H + FESTIVE_SD_H * zf, 9.0, 13.0);
        h->fest_slot = (uint8_t)lround((hr - 9.0) * 12.0);
        crest_festive_schedule(m, h, 0);
    }
}

static uint32_t crest_hh_init_ctx(const void *model, void *hh, const grid_hh_ctx *ctx,
                                  int32_t *p_mw, int32_t *q_mvar)
{
    const crest_model *m = model;
    const grid_load_params *p = &m->p;
    crest_hh *h = hh;
    memset(h, 0, sizeof *h);
    sim_rng r;
    sim_rng_seed(&r, p->seed, ctx->id, "load.crest");
    sim_rng_pack(&h->rng, &r);
    sim_rng dr; /* its own stream: drawing it leaves "load.crest" as it was */
    sim_rng_seed(&dr, p->seed, ctx->id, "load.crest.dr");
    double share = ctx->dr_own ? ctx->dr_share : p->dr_engaged_share;
    if (sim_rng_uniform(&dr) < share) h->dr_flags |= DRF_ENGAGED;
    if (ctx->ihd) h->dr_flags |= DRF_IHD;
    h->region = (uint8_t)(ctx->region < GRID_WEATHER_REGIONS ? ctx->region : 0);

    /* Static attributes: always the same number of draws in the same order, so a change
     * of one share does not reshuffle the rest of the household. */
    draw_attributes(m, h, ctx);
    draw_heating(m, h);
    draw_pv_ev(m, h);
    start_state(m, h);
    draw_festive(m, h, ctx);
    return crest_power(m, h, 0, p_mw, q_mvar);
}

static uint32_t crest_hh_init(const void *model, void *hh, uint64_t hh_id, int32_t *p_mw,
                              int32_t *q_mvar)
{
    grid_hh_ctx ctx = {.id = hh_id, .region = 0, .dwelling = GRID_DWELLING_UNKNOWN};
    return crest_hh_init_ctx(model, hh, &ctx, p_mw, q_mvar);
}

static int32_t crest_gas_w(const void *model, const void *hh)
{
    (void)model;
    return ((const crest_hh *)hh)->gas_now;
}

static void crest_hh_attrs(const void *model, const void *hh, grid_hh_attrs *out)
{
    (void)model;
    const crest_hh *h = hh;
    *out = (grid_hh_attrs){.occupants = h->occupants,
                           .dwelling = h->dwelling,
                           .heating = h->heating,
                           .ev = h->ev,
                           .pv_kwp = h->pv_kwp,
                           .ev_kwh_day = h->ev_kwh,
                           .dr_engaged = (h->dr_flags & DRF_ENGAGED) != 0};
}

static void crest_hh_totals(const void *model, const void *hh, grid_hh_totals *out)
{
    (void)model;
    const crest_hh *h = hh;
    *out = (grid_hh_totals){.gas_wh = h->tot[TOT_GAS],
                            .pv_wh = h->tot[TOT_PV],
                            .hp_elec_wh = h->tot[TOT_HPE],
                            .hp_heat_wh = h->tot[TOT_HPH],
                            .ev_wh = h->tot[TOT_EV]};
}

const grid_load_ops grid_load_crest = {
    .name = "crest",
    .hh_size = sizeof(crest_hh),
    .create = crest_create,
    .destroy = crest_destroy,
    .hh_init = crest_hh_init,
    .hh_step = crest_hh_step,
    .hh_init_ctx = crest_hh_init_ctx,
    .gas_w = crest_gas_w,
    .hh_attrs = crest_hh_attrs,
    .hh_totals = crest_hh_totals,
    .release = crest_release,
    .bytes = crest_bytes,
    .ckpt = crest_ckpt,
};
