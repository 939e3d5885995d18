/* The crest model's shared state, built once per run at create(): the calendar (local days,
 * BST, Christmas, weekday or weekend per 10-minute slot, heating days), the occupancy chains,
 * the activity profiles and the appliances' start-rate scalars, and the tan(phi) of every fixed
 * power factor.  Also the conversion of a local day and hour to run seconds. */
#include "crest_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- activities ------------------------------------------------------------------------
 * Relative probability, per active occupant and by hour (value at hh:30), that the
 * activity an appliance serves is under way.  Only shapes matter: each appliance's
 * scalar is set from its starts per day.  Hand-drawn to the meal, laundry and TV times of
 * the UK TUS 2000 activity curves (Richardson 2010 Fig. 4 shows their kind): cooking peaks
 * at 12-13 and 17-19, laundry in the morning, dishes after meals, washing in the morning,
 * TV in the evening; weekends start later. */
static const double act_wd[N_ACT][24] = {
    [ACT_TV] = {0.3, 0.1, 0.05, 0.02, 0.02, 0.02, 0.1, 0.25, 0.3, 0.3, 0.35, 0.4,
                0.5, 0.6, 0.6,  0.6,  0.7,  0.9,  1.2, 1.6,  1.9, 2.0, 1.6,  0.9},
    [ACT_COOK] = {0.05, 0.0, 0.0,  0.0, 0.0, 0.02, 0.2, 0.5, 0.5, 0.25, 0.2,  0.45,
                  1.0,  0.7, 0.25, 0.3, 0.9, 2.6,  3.2, 1.5, 0.6, 0.3,  0.15, 0.05},
    [ACT_DRINK] = {0.1, 0.0, 0.0, 0.0, 0.0, 0.1, 0.9, 1.6, 1.4, 1.0, 1.0, 1.0,
                   1.1, 1.0, 0.9, 1.0, 1.1, 1.3, 1.1, 0.9, 0.9, 0.8, 0.6, 0.3},
    [ACT_LAUNDRY] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.8, 1.5, 1.8, 1.8, 1.5,
                     1.2, 1.1, 1.0, 1.0, 1.0, 1.1, 1.1, 1.0, 0.8, 0.5, 0.2, 0.05},
    [ACT_DISHES] = {0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.4, 0.8, 0.7, 0.4, 0.3,
                    0.4, 0.8, 0.6, 0.3, 0.3, 0.4, 0.8, 1.6, 2.0, 1.6, 1.0, 0.4},
    [ACT_WASH] = {0.2, 0.05, 0.0, 0.0, 0.0, 0.2, 1.6, 2.4, 1.6, 0.8, 0.5, 0.4,
                  0.4, 0.4,  0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 0.6},
    [ACT_CHORES] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.7, 0.9, 1.2, 1.4, 1.3,
                    1.1, 1.1, 1.1, 1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7, 0.4, 0.1},
    [ACT_COMPUTER] = {0.4, 0.15, 0.05, 0.0, 0.0, 0.0, 0.2, 0.5, 0.8, 1.0, 1.0, 1.0,
                      0.9, 1.0,  1.0,  1.0, 1.0, 1.0, 1.1, 1.3, 1.5, 1.5, 1.2, 0.8},
    [ACT_LIGHT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
};
static const double act_we[N_ACT][24] = {
    [ACT_TV] = {0.4, 0.15, 0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.4, 0.5, 0.6, 0.6,
                0.7, 0.8,  0.8,  0.8,  0.9,  1.0,  1.2,  1.5, 1.8, 1.9, 1.6, 1.0},
    [ACT_COOK] = {0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.3, 0.7, 0.9, 0.8,  0.9,
                  1.4,  1.1, 0.5, 0.4, 0.7, 1.5, 2.0,  1.4, 0.7, 0.3, 0.15, 0.05},
    [ACT_DRINK] = {0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.8, 1.4, 1.5, 1.2, 1.1,
                   1.1, 1.0, 0.9, 1.0, 1.1, 1.1, 1.0, 0.9, 0.9, 0.8, 0.6, 0.3},
    [ACT_LAUNDRY] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.4, 1.2, 1.9, 2.0, 1.8,
                     1.4, 1.1, 1.0, 1.0, 0.9, 0.9, 0.8, 0.7, 0.5, 0.3, 0.1, 0.05},
    [ACT_DISHES] = {0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.5, 0.8, 0.8, 0.5,
                    0.5, 0.9, 0.9, 0.5, 0.4, 0.4, 0.8, 1.5, 1.9, 1.6, 1.0, 0.4},
    [ACT_WASH] = {0.2, 0.05, 0.0, 0.0, 0.0, 0.0, 0.3, 0.9, 1.6, 1.8, 1.4, 0.9,
                  0.6, 0.5,  0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.9, 0.5},
    [ACT_CHORES] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.4, 0.9, 1.4, 1.6, 1.5,
                    1.3, 1.2, 1.1, 1.0, 1.0, 0.9, 0.9, 0.9, 0.8, 0.6, 0.4, 0.1},
    [ACT_COMPUTER] = {0.5, 0.2, 0.05, 0.0, 0.0, 0.0, 0.05, 0.3, 0.6, 0.9, 1.0, 1.0,
                      1.0, 1.0, 1.0,  1.0, 1.0, 1.0, 1.1,  1.3, 1.5, 1.5, 1.3, 0.9},
    [ACT_LIGHT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
};

/* Hourly values at hh:30 to 10-minute slots (centres at hh:05, :15, ...), circularly. */
void crest_hourly_to_slots(const double *hourly, float *out)
{
    for (int s = 0; s < SLOTS_DAY; s++) {
        double h = (s + 0.5) / 6.0 - 0.5;
        int h0 = (int)floor(h);
        double f = h - h0;
        double a = hourly[(h0 + 24) % 24], b = hourly[(h0 + 1) % 24];
        out[s] = (float)(a + f * (b - a));
    }
}

/* Christmas Day and Boxing Day: weekend behaviour (see FESTIVE_*). */
static bool is_holiday(const sim_civil *cv)
{
    return cv->month == 12 && (cv->day == 25 || cv->day == 26);
}

/* Start of BST in year Y: last Sunday of March 01:00 UTC; end: last Sunday of October. */
static int64_t last_sunday(int y, int month)
{
    int64_t d = sim_days_from_civil(y, month, 31);
    int wd = (int)(((d + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
    return (d - (wd + 1) % 7) * SIM_DAY_S + 3600;
}

static int64_t local_offset(const crest_model *m, int64_t unix_t)
{
    if (!m->p.clock_bst) return 0;
    sim_civil cv;
    sim_civil_from_unix(unix_t, &cv);
    return unix_t >= last_sunday(cv.year, 3) && unix_t < last_sunday(cv.year, 10) ? 3600 : 0;
}

static double tan_phi(double pf)
{
    double a = fabs(pf);
    if (a >= 1.0) return 0.0;
    double t = tan(acos(a));
    return pf < 0 ? -t : t;
}

/* 0 if P is a parameter set the model can run; *MIX_SUM gets the sum of its size_mix. */
static int check_params(const grid_load_params *p, double *mix_sum, char *err, size_t errlen)
{
    double mix = 0;
    for (int i = 0; i < MAX_OCC; i++) {
        if (p->size_mix[i] < 0) goto bad;
        mix += p->size_mix[i];
    }
    if (p->duration_s <= 0 || p->annual_kwh <= 0 || p->spread < 0 || p->spread > 2 ||
        fabs(mix - 1.0) > 1e-3 || p->flat_share < 0 || p->flat_share > 1 || p->gas_share < 0 ||
        p->gas_share > 1 || p->hp_share < 0 || p->hp_share > 1 || p->pv_share < 0 ||
        p->pv_share > 1 || p->ev_share < 0 || p->ev_share > 1 || p->ev_smart_share < 0 ||
        p->ev_smart_share > 1 || p->pv_kwp_median <= 0 || p->pv_kwp_sigma < 0 ||
        p->ev_charger_kw <= 0 || p->ev_kwh_per_day < 0 || p->gas_annual_kwh <= DHW_REF_KWH ||
        p->heating_start_yday < 0 || p->heating_start_yday > 365 || p->heating_end_yday < 0 ||
        p->heating_end_yday > 365 || !(p->festive_share >= 0 && p->festive_share <= 1))
        goto bad;
    /* Demand response: the slack of a deferral is held in 10-minute slots (at most 255). */
    if (!(p->dr_engaged_share >= 0 && p->dr_engaged_share <= 1) || !(p->dr_response >= 0) ||
        !isfinite(p->dr_response) || !(p->dr_horizon_h >= 0 && p->dr_horizon_h <= 24) ||
        !(p->feedback_cut >= 0 && p->feedback_cut <= 1) ||
        !(p->feedback_tau_days > 0 && isfinite(p->feedback_tau_days)) ||
        !isfinite(p->feedback_days_installed)) {
        snprintf(err, errlen,
                 "crest load model: invalid demand response (dr.engaged_share and "
                 "feedback.cut in 0..1, dr.response >= 0, dr.horizon_h in 0..24, "
                 "feedback.tau_days > 0)");
        return -1;
    }
    *mix_sum = mix;
    return 0;
bad:
    snprintf(err, errlen,
             "crest load model: invalid parameters (shares must lie in 0..1, size_mix sum to 1, "
             "sizes and powers be positive, gas_annual_kwh exceed %.0f kWh)",
             DHW_REF_KWH);
    return -1;
}

/* Slots the calendar window has room for from creation, as the weather's. */
#define CALENDAR_RESERVE (3 * SLOTS_DAY)

/* Slot K's local slot of day, day type, local and UTC day (CTX: the model). */
static void make_slot(void *ctx, uint32_t k, void *out)
{
    const crest_model *m = ctx;
    int64_t t = m->p.start_unix + (int64_t)k * SLOT_S;
    int64_t lt = t + local_offset(m, t);
    int64_t ld = (int64_t)floor((double)lt / SIM_DAY_S);
    sim_civil cv;
    sim_civil_from_unix(lt, &cv);
    *(slotinfo *)out = (slotinfo){.ls = (uint8_t)((lt - ld * SIM_DAY_S) / SLOT_S),
                                  .dt = cv.weekday >= 5 || is_holiday(&cv),
                                  .xmas = cv.month == 12 && cv.day == 25,
                                  .lday = (uint16_t)(ld - m->lday0),
                                  .uday = (uint16_t)crest_uday(m, k)};
}

slotinfo crest_slot_slow(const crest_model *m, uint32_t k)
{
    slotinfo si;
    if (k >= m->slot->next && k - m->slot->next >= SLOTS_DAY)
        make_slot((void *)m, k, &si);
    else
        si = *(const slotinfo *)sim_window_reach(m->slot, k);
    return si;
}

/* The local days and heating days of the run, for the whole span (27 bytes a day): what
 * every household looks up at each step (m->w and the tables must be in place). */
static void build_calendar(crest_model *m, uint32_t n_udays)
{
    const grid_load_params *p = &m->p;
    /* Local days: day 0 is the local date at the start. */
    int64_t start_local = p->start_unix + local_offset(m, p->start_unix);
    int64_t lday0 = (int64_t)floor((double)start_local / SIM_DAY_S);
    int64_t uday0 = (int64_t)floor((double)p->start_unix / SIM_DAY_S);
    m->lday0 = lday0;
    m->uday0 = uday0;
    for (uint32_t d = 0; d < m->n_ldays; d++) {
        int64_t mid_local = (lday0 + d) * SIM_DAY_S;
        /* offset valid at local noon of that day */
        int64_t off = local_offset(m, mid_local + SIM_DAY_S / 2);
        m->lday_start[d] = mid_local - off - p->start_unix;
        sim_civil cv;
        sim_civil_from_unix(mid_local, &cv);
        m->lday_cs[d] = (float)cos(2 * PI * (cv.yday - 15) / 365.25);
        int64_t noon = m->lday_start[d] + SIM_DAY_S / 2; /* run seconds */
        uint32_t k = noon < 0 ? 0 : (uint32_t)(noon / SLOT_S);
        slotinfo si;
        make_slot(m, k < m->n_slots ? k : m->n_slots - 1, &si);
        m->lday_dt[d] = si.dt;
        if (cv.month == 12 && cv.day == 25 && m->n_xmas < (int)(sizeof m->xmas / sizeof *m->xmas))
            m->xmas[m->n_xmas++] = (uint16_t)d;
    }
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++)
        for (uint32_t d = 0; d < n_udays; d++) {
            sim_civil cv;
            sim_civil_from_unix((uday0 + d) * SIM_DAY_S, &cv);
            int s0 = p->heating_start_yday, s1 = p->heating_end_yday;
            bool season =
                s0 <= s1 ? (cv.yday >= s0 && cv.yday <= s1) : (cv.yday >= s0 || cv.yday <= s1);
            double mean = grid_weather_day_mean_c(m->w, r, d);
            m->heat_day[(size_t)r * n_udays + d] =
                mean < GRID_HDD_BASE_C && (season || mean < COLD_SNAP_C);
        }
}

int crest_create(const grid_load_params *p, void **out, char *err, size_t errlen)
{
    double mix;
    if (check_params(p, &mix, err, errlen)) return -1;
    crest_model *m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->p = *p;
    m->end_s = (uint32_t)p->duration_s;
    grid_weather_params wp = {.seed = p->seed,
                              .start_unix = p->start_unix,
                              .duration_s = p->duration_s,
                              .latitude_deg = p->latitude_deg,
                              .csv = p->weather_csv,
                              .regions = p->weather_regions};
    if (grid_weather_create(&wp, &m->w, err, errlen)) {
        free(m);
        return -1;
    }
    m->n_slots = grid_weather_slots(m->w);
    m->slot = malloc(sizeof *m->slot);
    if (m->slot) {
        *m->slot = sim_window_init(sizeof(slotinfo), make_slot, m, "crest calendar");
        if (sim_window_reserve(m->slot, CALENDAR_RESERVE)) goto oom_m;
    }
    m->n_ldays = m->n_slots / SLOTS_DAY + 3;
    m->lday_start = malloc(m->n_ldays * sizeof *m->lday_start);
    m->lday_cs = malloc(m->n_ldays * sizeof *m->lday_cs);
    m->lday_dt = malloc(m->n_ldays);
    uint32_t n_udays = grid_weather_days(m->w);
    m->heat_day = malloc((size_t)GRID_WEATHER_REGIONS * n_udays);
    if (!m->slot || !m->lday_start || !m->lday_cs || !m->lday_dt || !m->heat_day) goto oom_m;

    build_calendar(m, n_udays);

    crest_build_occupancy(m);
    for (int a = 0; a < N_ACT; a++) {
        crest_hourly_to_slots(act_wd[a], m->shape[a][0]);
        crest_hourly_to_slots(act_we[a], m->shape[a][1]);
    }
    for (int i = 0; i < MAX_OCC; i++)
        m->mix_cum[i] = (i ? m->mix_cum[i - 1] : 0) + p->size_mix[i] / mix;
    m->mix_cum[MAX_OCC - 1] = 1.0;
    crest_calibrate(m);
    m->elec_scale = p->annual_kwh / 2700.0;
    for (int a = 0; a < N_APPL; a++) {
        m->tp1[a] = tan_phi(crest_appliances[a].pf1);
        m->tp2[a] = tan_phi(crest_appliances[a].pf2);
    }
    for (int c = 0; c < N_COLD; c++)
        m->tp_cold[c] = tan_phi(crest_colds[c].pf);
    m->tp_base = tan_phi(BASE_PF);
    m->tp_pump = tan_phi(PUMP_PF);
    m->tp_hp = tan_phi(HP_PF);
    m->tp_ev = tan_phi(EV_PF);
    m->h_median = H_CAL * (p->gas_annual_kwh - DHW_REF_KWH) * 1000.0 / (24.0 * HDD_REF);
    *out = m;
    return 0;
oom_m:
    grid_weather_destroy(m->w);
    if (m->slot) sim_window_free(m->slot);
    free(m->slot);
    free(m->lday_start);
    free(m->lday_cs);
    free(m->lday_dt);
    free(m->heat_day);
    free(m);
oom:
    snprintf(err, errlen, "crest load model: out of memory");
    return -1;
}

void crest_destroy(void *model)
{
    crest_model *m = model;
    if (!m) return;
    grid_weather_destroy(m->w);
    if (m->slot) sim_window_free(m->slot);
    free(m->slot);
    free(m->lday_start);
    free(m->lday_cs);
    free(m->lday_dt);
    free(m->heat_day);
    free(m);
}

void crest_release(void *model, uint32_t before)
{
    crest_model *m = model;
    sim_window_release(m->slot, before / SLOT_S);
    grid_weather_release(m->w, before / SLOT_S);
}

/* What changes after create is only how far the calendar window and the weather series have
 * been made and released (by households reading them and by crest_release); every table is
 * built at create.  The calendar's maker is a pure function of the slot, the weather's are
 * replayed (grid_weather_ckpt). */
int crest_ckpt(void *model, sim_ckpt *c)
{
    crest_model *m = model;
    sim_ckpt_tag(c, "load.crest");
    sim_ckpt_same(c, m->p.seed, "crest seed");
    sim_ckpt_same(c, (uint64_t)m->p.start_unix, "crest start");
    sim_ckpt_same(c, m->n_slots, "crest slots");
    /* households initialised since create have read the calendar: start it again */
    if (sim_ckpt_loading(c) && !sim_ckpt_err(c)) {
        sim_window_free(m->slot);
        *m->slot = sim_window_init(sizeof(slotinfo), make_slot, m, "crest calendar");
        if (sim_window_reserve(m->slot, CALENDAR_RESERVE))
            sim_ckpt_fail(c, "crest load model: out of memory");
    }
    sim_window_ckpt(m->slot, c);
    grid_weather_ckpt(m->w, c);
    return sim_ckpt_err(c) ? -1 : 0;
}

size_t crest_bytes(const void *model)
{
    const crest_model *m = model;
    return sizeof *m + sizeof *m->slot + m->slot->v.cap * m->slot->v.size +
           m->n_ldays * (sizeof *m->lday_start + sizeof *m->lday_cs + sizeof *m->lday_dt) +
           (size_t)GRID_WEATHER_REGIONS * grid_weather_days(m->w) + grid_weather_bytes(m->w);
}

/* Run second of local day D at local hour HR. */
double crest_local_time(const crest_model *m, uint32_t d, double hr)
{
    if (d >= m->n_ldays) return (double)GRID_NEVER;
    return (double)m->lday_start[d] + hr * 3600.0;
}
