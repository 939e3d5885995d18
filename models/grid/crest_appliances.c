/* Appliances, lighting and cold appliances of the crest model: the appliance table, the start
 * rates calibrated at create(), the superposed start process and the pick of the appliance,
 * runs and their phases (the tumble dryer after a wash, the Christmas roast), and the
 * compressor cycles of fridges and freezers.  Lighting is the appliance A_LIGHT: its daylight
 * rule is in app_rate(), its lamp power in crest_power() (load_crest.c). */
#include "crest_internal.h"

/* ---- appliances ------------------------------------------------------------------------
 * Ownership: rounded from ONS "Family spending" / DESNZ "Energy Consumption in the UK"
 * appliance-ownership tables (washing machine ~95 %, tumble dryer ~55 %, dishwasher
 * ~47 %, microwave ~90 %); electric oven/hob shares allow for gas cooking; electric showers
 * in about a third of homes (Energy Saving Trust, order of magnitude).  Powers and cycle
 * times are typical GB ratings (kettle 2.8 kW for ~3 min; oven pre-heat then thermostat
 * duty; washing machine and dishwasher heat their water first, then run motors/pumps;
 * electric shower 9 kW); starts per day are chosen in the order of the EST/DECC Household
 * Electricity Survey 2012 use counts and tuned together so that the population median of
 * annual electricity meets the Ofgem medium TDCV (test_load_crest.c).  Power factor: > 0
 * lagging (motors), < 0 leading (switch-mode and LED drivers), 1 resistive. */
const appliance crest_appliances[N_APPL] = {
    [A_KETTLE] = {"kettle", ACT_DRINK, 0, 0.97, 4.5, 0.6, 0.20, 2800, 3.0, 1.0, 0, 0, 1, 0},
    [A_MICROWAVE] = {"microwave", ACT_COOK, 0, 0.90, 1.0, 0.5, 0.0, 1250, 5.0, 0.95, 0, 0, 1, 2.0},
    [A_OVEN] = {"oven", ACT_COOK, 0, 0.75, 0.70, 0.5, 0.30, 2500, 12.0, 1.0, 1100, 40.0, 1.0, 2.0},
    [A_HOB] = {"hob", ACT_COOK, 0, 0.55, 1.10, 0.5, 0.20, 1800, 20.0, 1.0, 0, 0, 1, 0},
    [A_TV] = {"tv", ACT_TV, F_OCC | F_EXP | F_STOCK, 0.97, 2.8, 0.4, 0.25, 120, 120.0, -0.95, 0, 0,
              1, 2.0},
    [A_ELECTRONICS] = {"electronics", ACT_TV, F_OCC | F_EXP | F_STOCK, 0.70, 1.8, 0.5, 0.20, 70,
                       90.0, -0.90, 0, 0, 1, 5.0},
    [A_COMPUTER] = {"computer", ACT_COMPUTER, F_OCC | F_EXP | F_STOCK, 0.85, 2.0, 0.7, 0.15, 55,
                    120.0, -0.90, 0, 0, 1, 2.0},
    [A_WASHER] = {"washing_machine", ACT_LAUNDRY, 0, 0.95, 0.70, 0.8, 0.0, 2000, 15.0, 1.0, 250,
                  65.0, 0.60, 1.0},
    /* The dryer only follows a wash (see DRYER_SHARE), so it has no starts of its own. */
    [A_DRYER] = {"tumble_dryer", ACT_LAUNDRY, 0, 0.55, 0.0, 0.8, 0.0, 2500, 60.0, 0.95, 0, 0, 1,
                 1.0},
    [A_DISHWASHER] = {"dishwasher", ACT_DISHES, 0, 0.47, 0.65, 0.7, 0.0, 2000, 20.0, 1.0, 150, 70.0,
                      0.70, 1.0},
    [A_SHOWER] = {"electric_shower", ACT_WASH, 0, 0.33, 1.2, 0.9, 0.05, 9000, 7.0, 1.0, 0, 0, 1, 0},
    [A_CHORES] = {"vacuum_iron_hairdryer", ACT_CHORES, F_EXP, 1.0, 1.0, 0.6, 0.0, 1100, 15.0, 0.90,
                  0, 0, 1, 0},
    /* Lights: starts per day as if it were dark all day; the household's lamp power. */
    [A_LIGHT] = {"lighting", ACT_LIGHT, F_OCC | F_EXP | F_MULTI, 1.0, 18.0, 0.7, 0.0, 0, 60.0,
                 -0.90, 0, 0, 1, 0},
    /* Hot-water draws of gas and heat-pump homes (showers, baths, sinks), see DHW_*. */
    [A_DHW] = {"hot_water", ACT_WASH, F_EXP, 1.0, 4.0, 0.9, 0.05, 0, 5.0, 1.0, 0, 0, 1, 0},
    /* Portable electric heater topping up a cold room in homes not heated by a heat pump;
     * starts per day on a day of 10 degree-days (scaled by the day's degree-days, so none
     * in summer).  Ownership/use chosen (no GB survey figure found) so that winter
     * evenings carry the extra load that after-diversity maximum demand needs. */
    [A_HEATER] = {"plug_in_heater", ACT_TV, F_OCC | F_EXP, 0.30, 1.0, 0.3, 0.0, 2000, 75.0, 1.0, 0,
                  0, 1, 0},
    /* The Christmas roast in the electric oven (see FESTIVE_*): pre-heat, then the oven held at
     * roasting temperature for the bird and, in the last hour, the potatoes; no starts of its own
     * and not owned (it follows the oven), so it takes no ownership draw. */
    [A_ROAST] = {"festive_roast", ACT_COOK, 0, 0.0, 0.0, 0.5, 0.0, 2500, 12.0, 1.0, 1300, 180.0,
                 1.0, 0},
};
#define HEATER_HDD 10.0 /* degree-days at which the heater's starts are as tabled [K d] */

/* Cold appliances: compressor power, mean on/off times (duty about 1/3; a fridge-freezer
 * then uses ~320 kWh/yr, a fridge ~190, a freezer ~260: the order of Energy Label figures
 * for appliances 5-15 years old), inductive.  Ownership: fridge-freezer 66 %; a separate
 * fridge 90 % of homes without one and 20 % with one; a separate freezer 38 % (ECUK order). */
const cold_appl crest_colds[N_COLD] = {{110, 18, 36, 0.8}, {75, 15, 35, 0.8}, {90, 18, 36, 0.8}};

/* Starts per second per unit shape so that the population mean (over sizes, weekdays and
 * weekends, owners) is the table's starts per day; occupancy ~ Binomial(n, a(t)). */
void crest_calibrate(crest_model *m)
{
    for (int a = 0; a < N_APPL; a++) {
        const appliance *ap = &crest_appliances[a];
        double per_day = 0;
        for (int n = 1; n <= MAX_OCC; n++) {
            double mix = m->p.size_mix[n - 1], x = 0;
            for (int dt = 0; dt < 2; dt++)
                for (int s = 0; s < SLOTS_DAY; s++) {
                    double en = 0;
                    for (int k = 1; k <= n; k++)
                        en += crest_binom_pmf(k, n, m->occ[dt][s]) * pow(k, ap->gamma);
                    x += (dt ? 2.0 / 7.0 : 5.0 / 7.0) * m->shape[ap->act][dt][s] * en * SLOT_S;
                }
            per_day += mix * x;
        }
        double k = per_day > 0 ? ap->starts / per_day : 0.0;
        for (int n = 0; n <= MAX_OCC; n++)
            m->kpow[a][n] = n ? k * pow(n, ap->gamma) : 0.0;
    }
}

static bool running(const crest_hh *h, int a)
{
    for (unsigned i = 0; i < h->n_run; i++)
        if (h->run_app[i] == a) return true;
    return false;
}

/* Start rate of appliance A in slot K [1/s]; SI, ES and CS: K's slot, its shifted slot and
 * its seasonal term, which every appliance of the slot shares. */
static inline double app_rate(const crest_model *m, const crest_hh *h, int a, uint32_t k,
                              const slotinfo *si, int es, double cs)
{
    const appliance *ap = &crest_appliances[a];
    double r = m->kpow[a][h->active] * m->shape[ap->act][si->dt][es] * (1.0 + ap->season * cs);
    if (a == A_DHW) return owns(h, A_SHOWER) ? 0.6 * r : r;
    r *= h->intensity * m->elec_scale;
    if (a == A_LIGHT && grid_weather_irradiance(m->w, h->region, k) >= h->light_thr)
        r *= DAYLIGHT_LIGHTS;
    if (a == A_HEATER) r *= grid_weather_hdd(m->w, h->region, si->uday) / HEATER_HDD;
    if (si->xmas && (ap->act == ACT_LAUNDRY || ap->act == ACT_CHORES)) r *= FESTIVE_CHORES;
    return r;
}

/* The sum of app_rate over the appliances owned, in their order. */
static double total_rate(const crest_model *m, const crest_hh *h, uint32_t k)
{
    const slotinfo si = slot_of(m, k);
    int es = eff_slot(h, si.ls);
    double cs = m->lday_cs[si.lday], r = 0;
    _Static_assert(N_APPL <= 16, "owned is a 16-bit set");
    for (unsigned bits = h->owned; bits != 0; bits &= bits - 1)
        r += app_rate(m, h, __builtin_ctz(bits), k, &si, es, cs);
    return r;
}

/* Next start after T of the superposed appliance process, while occupancy stays as it is
 * (exact inversion over the piecewise-constant slot rates); GRID_NEVER if none before the
 * next occupancy change, which redraws it.  R0: total_rate of T's slot when the caller has
 * it already, else negative. */
static uint32_t next_start(const crest_model *m, crest_hh *h, uint32_t t, double r0)
{
    if (h->active == 0) return GRID_NEVER;
    double budget = -log1p(-uni(h));
    double t0 = t;
    for (uint32_t k = t / SLOT_S; k < m->n_slots; k++) {
        double seg_end = (double)(k + 1) * SLOT_S;
        if (seg_end > (double)h->occ_next) seg_end = h->occ_next;
        double r = r0 >= 0 ? r0 : total_rate(m, h, k);
        r0 = -1.0;
        double need = r * (seg_end - t0);
        if (r > 0 && budget <= need) {
            double at = ceil(t0 + budget / r);
            return at <= t ? t + 1 : sat_u32(at);
        }
        budget -= need;
        t0 = seg_end;
        if (seg_end >= (double)h->occ_next) break;
    }
    return GRID_NEVER;
}

uint32_t crest_next_start(const crest_model *m, crest_hh *h, uint32_t t)
{
    return next_start(m, h, t, -1.0);
}

uint32_t crest_draw_minutes(crest_hh *h, double mean_min, bool expo)
{
    double d;
    if (expo)
        d = clampd(-mean_min * log1p(-uni(h)), 1.0, 5.0 * mean_min);
    else
        d = mean_min * (0.85 + 0.3 * uni(h));
    d *= 60.0;
    return d < 1.0 ? 1u : (uint32_t)lround(d);
}

void crest_add_run(crest_hh *h, int a, uint32_t end)
{
    h->run_app[h->n_run] = (uint8_t)a;
    h->run_phase[h->n_run] = 0;
    h->run_end[h->n_run] = end;
    h->n_run++;
}

/* ---- Christmas dinner (see FESTIVE_*) ---------------------------------------------------- */

/* Park the household's next Christmas roast at or after T in the run table, if any. */
void crest_festive_schedule(const crest_model *m, crest_hh *h, uint32_t t)
{
    if (h->fest_slot == FEST_NONE || h->n_run >= MAX_RUN) return;
    for (int i = 0; i < m->n_xmas; i++) {
        double at = crest_local_time(m, m->xmas[i], 9.0 + h->fest_slot / 12.0);
        if (at >= (double)t) {
            crest_add_run(h, A_ROAST, sat_u32(at));
            h->run_phase[h->n_run - 1] = PH_DEFER;
            return;
        }
    }
}

/* The roast is in the oven (not merely waiting for Christmas). */
static bool roasting(const crest_hh *h)
{
    for (unsigned i = 0; i < h->n_run; i++)
        if (h->run_app[i] == A_ROAST && !(h->run_phase[i] & PH_DEFER)) return true;
    return false;
}

static void start_appliance(const crest_model *m, crest_hh *h, int a, uint32_t t)
{
    const appliance *ap = &crest_appliances[a];
    if (h->n_run >= MAX_RUN) return;
    if (ap->flags & F_MULTI) {
        unsigned lit = 0;
        for (unsigned i = 0; i < h->n_run; i++)
            lit += h->run_app[i] == a;
        if (lit >= MAX_LIGHTS) return;
    } else if (running(h, a) || (a == A_OVEN && roasting(h))) {
        return; /* CREST: only an appliance that is off can be switched on */
    }
    uint32_t dur = crest_draw_minutes(h, ap->min1, ap->flags & F_EXP);
    if (a == A_DHW && h->heating == GRID_HEAT_HP) {
        /* The draw's heat, as a combi would have delivered it, reheated by the HP. */
        uint32_t k = t / SLOT_S;
        double heat_wh = DHW_GAS_W * BOILER_EFF * dur / 3600.0;
        double cop = crest_hp_cop(grid_weather_temp_c(m->w, h->region, k), 55.0);
        dur = (uint32_t)lround(heat_wh / (cop * HP_DHW_W) * 3600.0);
        if (dur < 1) dur = 1;
        h->tot[TOT_HPH] += heat_wh;
    }
    crest_add_run(h, a, t + dur);
}

void crest_end_run(const crest_model *m, crest_hh *h, unsigned i, uint32_t t, const void *price_ctx)
{
    int a = h->run_app[i];
    const appliance *ap = &crest_appliances[a];
    if (h->run_phase[i] & PH_DEFER) {
        if (a == A_ROAST) { /* Christmas morning: the roast goes in */
            h->run_phase[i] = 0;
            h->run_end[i] = t + (uint32_t)(ap->min1 * 60.0);
        } else {
            crest_dr_due(m, h, i, t, price_ctx);
        }
        return;
    }
    if (h->run_phase[i] == 0 && ap->w2 > 0) {
        h->run_phase[i] = 1;
        h->run_end[i] =
            t + crest_draw_minutes(h, a == A_ROAST ? ap->min2 - FESTIVE_HOB_MIN : ap->min2, false);
        return;
    }
    if (a == A_ROAST && h->run_phase[i] == 1) {
        h->run_phase[i] = 2;
        h->run_end[i] = t + (uint32_t)(FESTIVE_HOB_MIN * 60.0);
        return;
    }
    h->n_run--;
    h->run_app[i] = h->run_app[h->n_run];
    h->run_phase[i] = h->run_phase[h->n_run];
    h->run_end[i] = h->run_end[h->n_run];
    if (a == A_ROAST) crest_festive_schedule(m, h, t + 1); /* next year's */
    if (a == A_WASHER && owns(h, A_DRYER)) {
        const slotinfo si = slot_of(m, t / SLOT_S);
        double share = DRYER_SHARE * (1.0 + 0.4 * m->lday_cs[si.lday]);
        if (uni(h) < share) start_appliance(m, h, A_DRYER, t);
    }
}

/* Pick which appliance starts at T (slot rates), and start it unless thinned. */
void crest_appliance_event(const crest_model *m, crest_hh *h, uint32_t t, const void *price_ctx)
{
    uint32_t k = t / SLOT_S;
    double rates[N_APPL], tot = 0;
    const slotinfo si = slot_of(m, k);
    int es = eff_slot(h, si.ls);
    double cs = m->lday_cs[si.lday];
    for (int a = 0; a < N_APPL; a++)
        rates[a] = 0.0;
    for (unsigned bits = h->owned; bits != 0; bits &= bits - 1) { /* as total_rate adds them */
        int a = __builtin_ctz(bits);
        tot += rates[a] = app_rate(m, h, a, k, &si, es, cs);
    }
    double u = uni(h) * tot;
    int a = 0;
    while (a + 1 < N_APPL && (u >= rates[a] || rates[a] == 0)) {
        u -= rates[a];
        a++;
    }
    if (tot > 0 && rates[a] > 0 && !crest_dr_defer(m, h, a, t, price_ctx))
        start_appliance(m, h, a, t);
    /* what decides the rates (the slot, the active occupants) is as it was: TOT is T's */
    h->app_next = next_start(m, h, t, tot);
}

void crest_cold_event(const crest_model *m, crest_hh *h, int c, uint32_t t)
{
    h->cold_on ^= (uint8_t)(1u << c);
    bool on = (h->cold_on >> c) & 1u;
    double mean = on ? crest_colds[c].on_min : crest_colds[c].off_min;
    if (!on) {
        /* warmer kitchens in summer: shorter off-times */
        const slotinfo si = slot_of(m, t / SLOT_S);
        mean *= 1.0 + 0.12 * m->lday_cs[si.lday];
    }
    h->cold_next[c] = t + crest_draw_minutes(h, mean, false);
}
