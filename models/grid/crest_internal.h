/* What the files of the crest load model (load_crest.c and crest_*.c) share: the model and
 * household structs, the parameters used by more than one sub-model, the small helpers inlined
 * into every hot loop, and the functions one sub-model calls in another.  load_crest.c opens
 * with the description of the whole model; each crest_*.c starts with what it holds.  Nothing
 * here is part of grid/load.h: other models and the simulator see only grid_load_crest. */
#ifndef GRID_CREST_INTERNAL_H
#define GRID_CREST_INTERNAL_H

#include "grid/load.h"
#include "grid/weather.h"
#include "sim/window.h"

#include "sim/rng.h"
#include "sim/timeutil.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>

#define PI 3.14159265358979323846
#define SLOT_S GRID_WEATHER_STEP_S /* 10 min: occupancy, activity and weather resolution */
#define SLOTS_DAY 144
#define MAX_OCC 5
#define MAX_RUN 10   /* appliance uses running at once, per household */
#define MAX_LIGHTS 4 /* lit rooms at once */
#define N_COLD 3
#define COLD_ALL ((1u << N_COLD) - 1u) /* cold_own with every cold appliance */
#define CHURN 0.08 /* per-person re-draw probability per 10-min step (see load_crest.c) */

/* Activities that appliances serve; their hourly profiles are in crest_model.c. */
enum {
    ACT_TV,
    ACT_COOK,
    ACT_DRINK,
    ACT_LAUNDRY,
    ACT_DISHES,
    ACT_WASH,
    ACT_CHORES,
    ACT_COMPUTER,
    ACT_LIGHT,
    N_ACT
};

/* Appliances (table and sources in crest_appliances.c). */
enum {
    A_KETTLE,
    A_MICROWAVE,
    A_OVEN,
    A_HOB,
    A_TV,
    A_ELECTRONICS,
    A_COMPUTER,
    A_WASHER,
    A_DRYER,
    A_DISHWASHER,
    A_SHOWER,
    A_CHORES,
    A_LIGHT,
    A_DHW,
    A_HEATER,
    A_ROAST,
    N_APPL
};

#define F_OCC 1   /* switched off when nobody is active */
#define F_EXP 2   /* exponential duration (clipped to 1 min .. 5 x mean); else +-15 % */
#define F_MULTI 4 /* several may run at once (lights) */
#define F_STOCK 8 /* power scales with the household's appliance stock (screens) */

typedef struct appliance {
    const char *name;
    uint8_t act;
    uint8_t flags;
    double own;           /* ownership probability [-] */
    double starts;        /* population mean starts per day among owners [1/d] */
    double gamma;         /* start rate ~ (active occupants)^gamma [-] */
    double season;        /* start-rate swing, + in winter, fraction of mean [-] */
    double w1, min1, pf1; /* first phase: power [W], duration [min], power factor */
    double w2, min2, pf2; /* second phase (w2 = 0: none) */
    double standby_w;     /* while owned and off [W] */
} appliance;

extern const appliance crest_appliances[N_APPL];

/* Christmas Day (25 December) and Boxing Day follow the weekend occupancy and activity
 * profiles (public holidays: most people are off work), and a share festive_share of the
 * homes with an electric oven cooks a Christmas dinner at home.  Its roast goes in at a
 * household's own time, normal around 10:45 local (sd 40 min, 09:00-13:00), and stays in for
 * ~3 h (A_ROAST: 3 h 12 min +-15 %); homes with an electric hob boil and steam the vegetables
 * on it for the last 45 min before the meal.  Sources: the GB national demand on Christmas Day
 * has a flat late-morning peak 10:00-13:00 and almost no 18:00 peak (Elexon demand data as
 * plotted by Palmer, "Christmas electricity demand", energy-surprises blog, Dec 2011); metered
 * homes in Hampshire (Southampton SAVE study, B. Anderson, "A most unusual Sunday", 2017) show
 * the Christmas Day cooking peak earlier and higher than on the Sundays around it; 91 % of
 * households celebrating cook the dinner in the oven (EDF survey, December 2025).  The share
 * is below that because families gather, so fewer homes cook (default 0.75, chosen); the
 * timings are chosen to serve the meal at 13:30-14:30 as those curves imply.  The per-home
 * draws come from the stream "load.crest.festive", so the appliance stream is as before. */
#define FESTIVE_START_H 10.75
#define FESTIVE_SD_H 0.67
#define FESTIVE_HOB_MIN 45.0
#define FESTIVE_CHORES 0.3 /* laundry and housework starts on Christmas Day, relative [-] */
/* A household's next roast waits in the run table as a deferred start (PH_DEFER, as a
 * demand-response deferral does), so it costs no timer of its own; its phase 2 is the last
 * FESTIVE_HOB_MIN with the hob on too. */
#define FEST_NONE 0xFFu

/* Cold appliances (table and sources in crest_appliances.c). */
typedef struct cold_appl {
    double w, on_min, off_min, pf;
} cold_appl;
extern const cold_appl crest_colds[N_COLD];

#define DRYER_SHARE 0.55   /* share of washes tumble-dried in an owning home, +-40 % by season */
#define BASE_MEDIAN_W 32.0 /* always-on beyond appliance standby (router, alarm, chargers) */
#define BASE_SIGMA 0.55    /* ... lognormal; with standby ~50 W in all, HES 2012 order */
#define BASE_PF -0.85
/* Appliance stock: one lognormal factor per household (sigma 0.45, mean 1; chosen with the
 * behavioural intensity to spread annual use as Ofgem's low/high TDCVs do) scales its
 * always-on load, cold appliances, lamps and screens: bigger homes, more and larger kit. */
#define STOCK_SIGMA 0.45
#define DAYLIGHT_LIGHTS                                                                            \
    0.04                 /* light switch-on rate in daylight relative to dark (rooms               \
                          * without daylight; chosen) */
#define LIGHT_W_MIN 40.0 /* lamp power per lit room, uniform (LED/CFL/halogen mix) */
#define LIGHT_W_MAX 90.0

/* Heating.  Gas: a household's heat-loss coefficient H [W of gas per K] turns degree-days
 * into gas, H x HDD x 24 h a day, delivered in its heating periods (boiler capped at
 * 25 kW).  H is lognormal (sigma 0.35, chosen for the spread of EHS dwellings), flats
 * 0.6 x houses; its median is set from gas_annual_kwh minus hot water over the degree-days
 * of the synthetic GB year (HDD_REF).  Hot-water draws burn 20 kW (a combi boiler) for
 * ~5 min.  A gas central-heating pump and boiler fan draw ~80 W while heating. */
#define HDD_REF 2100.0     /* region 0's synthetic degree-days a year (weather.c) [K d] */
#define DHW_REF_KWH 2300.0 /* gas for hot water of a median gas home [kWh/yr] */
#define H_SIGMA 0.50
#define H_FLAT 0.6
#define H_CAL 0.92      /* chosen to calibrate the gas median to gas_annual_kwh */
#define BOILER_EFF 0.85 /* seasonal efficiency of a condensing boiler (SAP order) */
#define BOILER_MAX_W 25000.0
#define DHW_GAS_W 20000.0
#define PUMP_W 80.0
#define PUMP_PF 0.8
#define COLD_SNAP_C 12.0 /* outside the heating season, heat on days colder than this */
/* Heat pumps (air source): deliver the same heat as the boiler would (H x efficiency),
 * COP from Staffell et al. 2012 (Energy Environ. Sci. 5, "A review of domestic heat
 * pumps"): COP = 6.81 - 0.121 dT + 0.000630 dT^2, dT = sink - outdoor; sink 55 C for hot
 * water and a weather-compensated flow for space heating (45 C at -3 C outdoor to 30 C at
 * 15.5 C, chosen); electric input capped at 5 kW (a ~12 kW unit); hot water reheated at
 * 1.2 kW electric. */
#define HP_FIELD                                                                                   \
    0.88 /* in-situ losses (defrost, cycling, pumps) below the regression's                        \
          * test conditions; chosen with Staffell 2012's field SPFs ~2.5-3 */
#define HP_MAX_W 5000.0
#define HP_DHW_W 1200.0
#define HP_PF 0.95
/* EV: arrival weekdays N(17:45, 75 min) in [13, 23] h, weekends N(14:30, 2.5 h) in [9, 22] h;
 * departure weekdays N(07:30, 45 min) in [5, 10] h, weekends N(10:00, 90 min) in [7, 14] h
 * (DfT National Travel Survey trip-time shapes, rounded); no charge on 20 % of evenings,
 * otherwise a lognormal (sigma 0.5) amount with mean 1.25 x the household's daily mean
 * (which is lognormal, sigma 0.4, around ev_kwh_per_day: ~7,000 miles a year at ~3.5
 * mi/kWh with losses, DfT NTS / typical BEV). */
#define EV_SKIP 0.20
#define EV_PF 0.99

/* Demand response and feedback (see crest_dr.c). */
#define DRF_ENGAGED 1u
#define DRF_IHD 2u
#define DRF_EV_PROV 4u    /* the EV's deferral rests on reference prices */
#define DR_REF_PERIODS 48 /* reference price: mean over the previous 24 h */
/* A deferred washer or dishwasher start waits in the run table (its run_end is when it is
 * due), so deferrals cost no state of their own; its run_phase holds these bits and the
 * slack left after run_end, in periods. */
#define PH_DEFER 0x80u
#define PH_PROV 0x40u
#define PH_LEFT 0x3Fu

typedef struct slotinfo {
    uint8_t ls;    /* local slot of day 0..143 */
    uint8_t dt;    /* 0 weekday, 1 weekend */
    uint16_t lday; /* local day since the start's local date */
    uint16_t uday; /* UTC day since the start's UTC date (weather days) */
    uint8_t xmas;  /* 1 on Christmas Day (local) */
} slotinfo;

typedef struct crest_model {
    grid_load_params p;
    grid_weather *w;
    uint32_t n_slots; /* run slots covered (duration + 1 day) */
    uint32_t end_s;   /* duration [s] */
    sim_window *slot; /* slotinfo of the slots near the households' time (see slot_of) */
    uint32_t n_ldays;
    int64_t *lday_start;     /* run second of each local midnight (may be < 0) */
    float *lday_cs;          /* cos(2 pi (doy - 15) / 365.25): +1 mid-January */
    uint8_t *lday_dt;        /* day type at local noon: 0 weekday, 1 weekend or holiday */
    uint8_t *heat_day;       /* [region][uday]: heating on that day */
    int64_t uday0;           /* UTC day number of the start's date */
    int64_t lday0;           /* local day number of the start's local date */
    float occ[2][SLOTS_DAY]; /* per-person active probability */
    float cum[2][SLOTS_DAY][MAX_OCC][MAX_OCC + 1][MAX_OCC + 1]; /* cumulative transitions */
    float shape[N_ACT][2][SLOTS_DAY];
    double kpow[N_APPL][MAX_OCC + 1]; /* start rate per unit shape [1/s] x n^gamma */
    double elec_scale;
    /* tan(phi) of every constant power factor, for reactive power (crest_power runs after
     * every step): appliance phases 1 and 2, cold appliances, base load, pump, heat pump, EV. */
    double tp1[N_APPL], tp2[N_APPL], tp_cold[N_COLD], tp_base, tp_pump, tp_hp, tp_ev;
    double h_median; /* gas heat-loss coefficient of a median house [W/K] */
    double mix_cum[MAX_OCC];
    uint16_t xmas[8]; /* local days that are 25 December, ascending */
    int n_xmas;
} crest_model;

/* Per household: fits in 256 bytes (see test). */
typedef struct crest_hh {
    double tot[5];              /* grid_hh_totals, same order [Wh] */
    sim_rng_packed rng;         /* "load.crest" (uni, gauss) */
    uint32_t last_t;            /* totals integrated up to [s] */
    uint32_t occ_next;          /* next change of active occupancy [s] */
    uint32_t app_next;          /* next appliance start, before thinning [s] */
    uint32_t heat_next;         /* next heating change [s] */
    uint32_t pv_next;           /* next PV update [s] */
    uint32_t ev_next;           /* next EV event [s] */
    uint32_t ev_stop;           /* end of the planned charge [s] */
    uint32_t cold_next[N_COLD]; /* next compressor toggle [s] */
    uint32_t run_end[MAX_RUN];  /* end of the running use's current phase [s] */
    uint8_t run_app[MAX_RUN];
    uint8_t run_phase[MAX_RUN]; /* 0, 1: phase; PH_DEFER: waiting on its timer (DR) */
    float intensity;            /* behavioural scale of start rates [-] */
    float stock;                /* scale of always-on, cold, lighting and screen power [-] */
    float base_w;               /* always-on load incl. standby of owned appliances [W] */
    float light_w;              /* power of one lit room [W] */
    float light_thr;            /* irradiance below which lights are needed [W/m2] */
    float h_w_k;                /* gas heat-loss coefficient [W/K]; 0 without heating */
    float pv_kwp;
    float ev_kwh;      /* mean charge per day [kWh] */
    float pv_w;        /* generation now [W] */
    float space_w;     /* gas burnt (gas) or electricity (HP) for space heat [W] */
    float hp_heat_w;   /* space heat delivered by the HP now [W] */
    int32_t gas_now;   /* gas power now [W] */
    float hp_elec_now; /* heat pump electricity now [W] */
    uint16_t owned;    /* bit per appliance */
    uint8_t n_run;
    uint8_t occupants, active, occ_new;
    uint8_t region, dwelling, heating;
    int8_t shift;              /* schedule shift [slots] */
    uint8_t cold_own, cold_on; /* bit per cold appliance */
    uint8_t heat_on;
    uint8_t ev;         /* 0 none, 1 plain, 2 smart */
    uint8_t ev_state;   /* 0 away/waiting for arrival, 1 plugged waiting, 2 charging */
    uint8_t sched[6];   /* heating periods [slots]: wd on1 off1 on2 off2, we on off */
    uint8_t dr_flags;   /* DRF_* */
    uint8_t dr_ev_left; /* slack of a deferred EV charge after ev_next [periods] */
    uint8_t fest_slot;  /* roast start, 5-min steps after 09:00 local; FEST_NONE: no dinner */
} crest_hh;

enum { TOT_GAS, TOT_PV, TOT_HPE, TOT_HPH, TOT_EV };

static inline double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static inline double gauss(crest_hh *h)
{
    gsl_rng g;
    sim_rng r = sim_rng_unpack(&h->rng);
    double z = gsl_ran_ugaussian(sim_rng_gsl(&r, &g));
    sim_rng_pack(&h->rng, &r);
    return z;
}

static inline double uni(crest_hh *h)
{
    return sim_rng_packed_uniform(&h->rng);
}

static inline uint32_t sat_u32(double t)
{
    return t >= (double)GRID_NEVER ? GRID_NEVER : (uint32_t)t;
}

slotinfo crest_slot_slow(const crest_model *m, uint32_t k);

/* UTC day of slot K since the start's date (slotinfo.uday without the calendar). */
static inline uint32_t crest_uday(const crest_model *m, uint32_t k)
{
    int64_t t = m->p.start_unix + (int64_t)k * SLOT_S;
    return (uint32_t)((int64_t)floor((double)t / SIM_DAY_S) - m->uday0);
}

/* Slot K's calendar.  The window keeps the slots from the engine's last release up to
 * where households have read; a read more than a day beyond that (heating looks ahead to
 * the next heating day) is worked out on its own instead of filling the days between. */
static inline slotinfo slot_of(const crest_model *m, uint32_t k)
{
    if (k >= m->n_slots) k = m->n_slots - 1;
    uint32_t i = k - m->slot->base;
    if (i < m->slot->v.n) return ((const slotinfo *)m->slot->v.v)[i];
    return crest_slot_slow(m, k);
}

static inline int eff_slot(const crest_hh *h, int ls)
{
    return (ls - h->shift + 2 * SLOTS_DAY) % SLOTS_DAY;
}

static inline bool owns(const crest_hh *h, int a)
{
    return (h->owned >> a) & 1u;
}

/* Mean power profile of a run: up to three phases back to back. */
typedef struct dr_profile {
    double w[3]; /* [W] */
    double s[3]; /* [s] */
    int n;
    double dur; /* [s] */
} dr_profile;

/* crest_model.c */
int crest_create(const grid_load_params *p, void **out, char *err, size_t errlen);
void crest_destroy(void *model);
void crest_release(void *model, uint32_t before);
size_t crest_bytes(const void *model);
int crest_ckpt(void *model, sim_ckpt *c);
void crest_hourly_to_slots(const double *hourly, float *out);
double crest_local_time(const crest_model *m, uint32_t d, double hr);

/* crest_occupancy.c */
double crest_binom_pmf(int k, int n, double p);
void crest_build_occupancy(crest_model *m);
void crest_next_occupancy(const crest_model *m, crest_hh *h, uint32_t t);
void crest_occupancy_event(const crest_model *m, crest_hh *h, uint32_t t);

/* crest_appliances.c */
void crest_calibrate(crest_model *m);
uint32_t crest_next_start(const crest_model *m, crest_hh *h, uint32_t t);
uint32_t crest_draw_minutes(crest_hh *h, double mean_min, bool expo);
void crest_add_run(crest_hh *h, int a, uint32_t end);
void crest_festive_schedule(const crest_model *m, crest_hh *h, uint32_t t);
/* PRICE_CTX in these and below: hh_step's, for m->p.price (grid/load.h). */
void crest_end_run(const crest_model *m, crest_hh *h, unsigned i, uint32_t t,
                   const void *price_ctx);
void crest_appliance_event(const crest_model *m, crest_hh *h, uint32_t t, const void *price_ctx);
void crest_cold_event(const crest_model *m, crest_hh *h, int c, uint32_t t);

/* crest_heating.c */
double crest_hp_cop(double t_out, double t_sink);
void crest_heat_event(const crest_model *m, crest_hh *h, uint32_t t);

/* crest_pv.c */
void crest_pv_event(const crest_model *m, crest_hh *h, uint32_t t);

/* crest_ev.c */
void crest_ev_next_arrival(const crest_model *m, crest_hh *h, uint32_t t);
void crest_ev_event(const crest_model *m, crest_hh *h, uint32_t t, const void *price_ctx);

/* crest_dr.c */
bool crest_dr_follows(const crest_model *m, const crest_hh *h);
void crest_dr_phase(dr_profile *pr, double w, double s);
double crest_dr_plan(const crest_model *m, crest_hh *h, const void *price_ctx, const dr_profile *pr,
                     uint32_t t, double latest, bool first, bool *prov);
void crest_dr_ev_set(crest_hh *h, double at, double latest, bool prov);
bool crest_dr_defer(const crest_model *m, crest_hh *h, int a, uint32_t t, const void *price_ctx);
void crest_dr_due(const crest_model *m, crest_hh *h, unsigned i, uint32_t t, const void *price_ctx);
double crest_fb_factor(const crest_model *m, const crest_hh *h, uint32_t t);

#endif /* GRID_CREST_INTERNAL_H */
