/* Space heating of the crest model: gas central heating by degree-days within the household's
 * heating periods, and air-source heat pumps that deliver the same heat with a COP that follows
 * the outdoor temperature (the COP also prices the heat-pump reheat of hot-water draws in
 * crest_appliances.c). */
#include "crest_internal.h"

/* Staffell et al. 2012 air-source regression. */
double crest_hp_cop(double t_out, double t_sink)
{
    double dt = t_sink - t_out;
    if (dt < 15) dt = 15; /* the regression's range; mild days do not get a COP above ~5 */
    return HP_FIELD * (6.81 - 0.121 * dt + 0.000630 * dt * dt);
}

static double hp_flow_c(double t_out)
{
    return clampd(45.0 - 15.0 * (t_out + 3.0) / 18.5, 30.0, 45.0);
}

/* Heating periods of the day type DT contain local slot LS? */
static bool in_schedule(const crest_hh *h, int dt, int ls)
{
    const uint8_t *s = h->sched;
    if (dt == 0) return (ls >= s[0] && ls < s[1]) || (ls >= s[2] && ls < s[3]);
    return ls >= s[4] && ls < s[5];
}

static double schedule_hours(const crest_hh *h, int dt)
{
    const uint8_t *s = h->sched;
    int n = dt == 0 ? (s[1] - s[0]) + (s[3] - s[2]) : s[5] - s[4];
    return n > 0 ? n / 6.0 : 1.0;
}

static bool heating_at(const crest_model *m, const crest_hh *h, uint32_t k)
{
    const slotinfo si = slot_of(m, k);
    return m->heat_day[(size_t)h->region * grid_weather_days(m->w) + si.uday] &&
           in_schedule(h, si.dt, si.ls);
}

/* Set the heating output for slot K and find the next change. */
void crest_heat_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t k = t / SLOT_S, n_udays = grid_weather_days(m->w);
    const slotinfo si = slot_of(m, k);
    h->heat_on = heating_at(m, h, k);
    h->space_w = 0;
    h->hp_heat_w = 0;
    if (h->heat_on) {
        double hdd = grid_weather_hdd(m->w, h->region, si.uday);
        double gas = h->h_w_k * hdd * 24.0 / schedule_hours(h, si.dt);
        if (gas > BOILER_MAX_W) gas = BOILER_MAX_W;
        if (h->heating == GRID_HEAT_GAS) {
            h->space_w = (float)gas;
        } else {
            double t_out = grid_weather_temp_c(m->w, h->region, k);
            double heat = gas * BOILER_EFF, cop = crest_hp_cop(t_out, hp_flow_c(t_out));
            double elec = heat / cop;
            if (elec > HP_MAX_W) {
                elec = HP_MAX_W;
                heat = elec * cop;
            }
            h->space_w = (float)elec;
            h->hp_heat_w = (float)heat;
        }
    }
    /* Next change: a schedule edge, a new day (new degree-days), or for heat pumps the
     * next hour (new COP).  Whole non-heating days are skipped. */
    for (uint32_t j = k + 1; j < m->n_slots;) {
        uint32_t uday = crest_uday(m, j);
        if (!m->heat_day[(size_t)h->region * n_udays + uday] && !h->heat_on) {
            j = (uint32_t)(((m->uday0 + uday + 1) * SIM_DAY_S - m->p.start_unix) / SLOT_S);
            continue;
        }
        bool on = heating_at(m, h, j);
        if (on != (bool)h->heat_on || (on && uday != si.uday) ||
            (on && h->heating == GRID_HEAT_HP && j % 6 == 0)) {
            h->heat_next = j * SLOT_S;
            return;
        }
        j++;
    }
    h->heat_next = GRID_NEVER;
}
