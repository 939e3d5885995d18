/* The "crest" household load model: occupancy, appliances, lighting, heating, PV and EVs,
 * written for metersim from the published description of the CREST demand model
 * (Richardson, Thomson, Infield 2008, "A high-resolution domestic building occupancy model
 * for energy demand simulations", Energy and Buildings 40; Richardson, Thomson, Infield,
 * Clifford 2010, "Domestic electricity use: a high-resolution energy demand model", Energy
 * and Buildings 42; Richardson et al. 2009, "Domestic lighting: a high-resolution energy
 * demand model", Energy and Buildings 41).  No code or data table of any implementation is
 * used: every number below is chosen here and says where it comes from.
 *
 * Structure, as in CREST:
 *   - Active occupancy (occupants at home and awake) is a first-order Markov chain at
 *     10-minute resolution, per household size 1-5 and weekday/weekend.  CREST estimates its
 *     transition matrices from the UK 2000 Time Use Survey; here they are derived from a
 *     per-person probability of being active, a(t) (hand-drawn to the shape of the TUS
 *     active-occupancy curves in Richardson 2008, see occ_wd/occ_we), with persons
 *     exchangeable: each person follows a two-state chain that meets a(t) exactly and
 *     "churns" at 8 % per step (mean active spell ~2-3 h, chosen), and the chain on the
 *     count of active occupants is the convolution of the persons' transitions.
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
 * that delay timer-able starts, and in-home-display feedback that fades (see "demand
 * response" below).
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
#include "grid/load.h"
#include "grid/weather.h"

#include "sim/rng.h"
#include "sim/timeutil.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define SLOT_S GRID_WEATHER_STEP_S /* 10 min: occupancy, activity and weather resolution */
#define SLOTS_DAY 144
#define MAX_OCC 5
#define MAX_RUN 10   /* appliance uses running at once, per household */
#define MAX_LIGHTS 4 /* lit rooms at once */
#define N_COLD 3
#define CHURN 0.08 /* per-person re-draw probability per 10-min step (see top) */

/* ---- occupancy -------------------------------------------------------------------------
 * Probability that one occupant is at home and active, by hour (value at hh:30), weekday
 * and weekend.  Hand-drawn to the shape of the UK TUS 2000 active-occupancy curves shown in
 * Richardson et al. 2008: near zero 01-05, a steep rise 06-08 on weekdays about two hours
 * later at weekends, a daytime plateau of about a third on weekdays (work) and a half at
 * weekends, the evening maximum near 0.65 at 19-20, falling after 22. */
static const double occ_wd[24] = {0.12, 0.05, 0.03, 0.02, 0.02, 0.05, 0.22, 0.46,
                                  0.42, 0.33, 0.31, 0.32, 0.36, 0.35, 0.33, 0.36,
                                  0.45, 0.57, 0.64, 0.66, 0.65, 0.60, 0.45, 0.25};
static const double occ_we[24] = {0.18, 0.09, 0.05, 0.03, 0.02, 0.02, 0.05, 0.15,
                                  0.33, 0.50, 0.58, 0.59, 0.58, 0.55, 0.52, 0.51,
                                  0.54, 0.59, 0.62, 0.63, 0.62, 0.59, 0.47, 0.30};

/* ---- activities ------------------------------------------------------------------------
 * Relative probability, per active occupant and by hour (value at hh:30), that the
 * activity an appliance serves is under way.  Only shapes matter: each appliance's
 * scalar is set from its starts per day.  Hand-drawn to the meal, laundry and TV times of
 * the UK TUS 2000 activity curves (Richardson 2010 Fig. 4 shows their kind): cooking peaks
 * at 12-13 and 17-19, laundry in the morning, dishes after meals, washing in the morning,
 * TV in the evening; weekends start later. */
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

static const appliance crest_appliances[N_APPL] = {
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

/* Cold appliances: compressor power, mean on/off times (duty about 1/3; a fridge-freezer
 * then uses ~320 kWh/yr, a fridge ~190, a freezer ~260: the order of Energy Label figures
 * for appliances 5-15 years old), inductive.  Ownership: fridge-freezer 66 %; a separate
 * fridge 90 % of homes without one and 20 % with one; a separate freezer 38 % (ECUK order). */
typedef struct cold_appl {
    double w, on_min, off_min, pf;
} cold_appl;
static const cold_appl crest_colds[N_COLD] = {
    {110, 18, 36, 0.8}, {75, 15, 35, 0.8}, {90, 18, 36, 0.8}};

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
/* PV: DC nameplate kWp x plane-of-array gain 1.10 over horizontal (a 30-40 deg south-facing
 * array at GB latitudes over a year, PVGIS order) x performance ratio 0.82 x temperature
 * derating -0.4 %/K of cell temperature above 25 C (cell = air + 0.03 K per W/m2). */
#define PV_POA_GAIN 1.10
#define PV_PR 0.82
#define PV_TCOEF 0.004
/* EV: arrival weekdays N(17:45, 75 min) in [13, 23] h, weekends N(14:30, 2.5 h) in [9, 22] h;
 * departure weekdays N(07:30, 45 min) in [5, 10] h, weekends N(10:00, 90 min) in [7, 14] h
 * (DfT National Travel Survey trip-time shapes, rounded); no charge on 20 % of evenings,
 * otherwise a lognormal (sigma 0.5) amount with mean 1.25 x the household's daily mean
 * (which is lognormal, sigma 0.4, around ev_kwh_per_day: ~7,000 miles a year at ~3.5
 * mi/kWh with losses, DfT NTS / typical BEV). */
#define EV_SKIP 0.20
#define EV_PF 0.99

/* ---- demand response -------------------------------------------------------------------
 * Prices.  A share dr_engaged_share of households follows prices; the flag is drawn once
 * from the household's own stream "load.crest.dr", so it does not disturb the appliance
 * stream, and the engaged set at a smaller share is a subset of that at a larger one.
 * FACTS.md gives the range: under 9 % changed their peak use in the ComEd pilot, 28 % of
 * engaged Agile customers shifted markedly (cutting their 16:00-19:00 use by 28.2 %; the
 * model's households that pass the same significance test cut theirs by ~26 %,
 * tests/grid/test_dr.c).  Engaged households move the starts they can
 * delay with a timer: washing machine (the tumble dryer follows the wash, as without DR),
 * dishwasher, and EV charging of homes without a smart charger (smart chargers already
 * seek the cheapest start, unchanged).  The rule, when such a start is wanted at t:
 *   - look at the prices the hook has published for every start from t to the latest
 *     that still finishes within dr_horizon_h (EV: before departure); a period not yet
 *     published (NAN) is valued at a reference price, the mean of the published prices of
 *     the previous 24 hours, i.e. what the household has seen lately;
 *   - cost each candidate start (t and each later period boundary) with the appliance's
 *     mean power profile (washer + expected dryer, dishwasher, charger);
 *   - with probability min(1, dr_response x g), g = (cost now - cheapest) / cost now the
 *     relative saving, delay the start to the cheapest candidate.  The probability grows
 *     with the saving, so small price differences move little load and large ones most
 *     of it;
 *   - a delay chosen on published prices is kept; one that rests on the reference (the
 *     cheapest future lies beyond publication, as always with real-time prices) is
 *     re-decided at the next period boundary with the prices known then ("wait and see"),
 *     without a new draw, until starting now is cheapest or the slack is used up.  With
 *     real-time prices this releases every waiting load in the first period whose price
 *     falls to the reference: the synchronised response of the Bremen study.
 * A deferred washer/dishwasher start waits in the run table (PH_DEFER), drawing nothing; a
 * second wish while one waits is queued behind it, so use is moved, never forgone.  The
 * decision's draw comes from the household's appliance stream and is taken only when a
 * cheaper start exists, so flat prices leave every result as with demand response off.
 * dr_response = 2 is calibrated in test_dr.c: engaged households' own-price elasticity
 * -0.26 (FACTS.md, UK dynamic-rate), measured as the relative change of consumption in
 * 16:00-19:00 per relative change of that window's price against the day's mean price.
 * A population with engaged share e responds about e times as much.
 *
 * Feedback.  A household with a working in-home display (grid_hh_ctx.ihd) cuts its
 * discretionary power, lighting, screens (TV, electronics, computer) and the always-on
 * load (standby and base load: switching off at the wall), by
 *   feedback_cut x exp(-(feedback_days_installed + days since the run start) / tau)
 * and nothing before installation.  Cooking, kettle, laundry, showers, cold appliances and
 * heating are left alone.  The cut is applied to power (the energy-equivalent of shorter or
 * fewer uses), so it draws nothing and a run with feedback keeps the random sequence of
 * one without.  Discretionary loads are about a quarter of winter electricity, so the
 * default cut 0.19 saves ~4.9 % on installation day and 3.9 % over the first week,
 * calibrated in test_dr.c to the 3-5 % of FACTS.md (seed 004; 3.8 % over nine pilots,
 * ACEEE 2012); tau 14 days follows seed 000 ("within a week or two ... back to normal");
 * van Dam et al. found savings not sustained at 15 months.  Gas is not cut. */
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
    uint32_t n_slots; /* run slots covered by tables (duration + 1 day) */
    uint32_t end_s;   /* duration [s] */
    slotinfo *slot;   /* n_slots */
    uint32_t n_ldays;
    int64_t *lday_start;     /* run second of each local midnight (may be < 0) */
    float *lday_cs;          /* cos(2 pi (doy - 15) / 365.25): +1 mid-January */
    uint8_t *heat_day;       /* [region][uday]: heating on that day */
    int64_t uday0;           /* UTC day number of the start's date */
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
    sim_rng rng;
    double tot[5];              /* grid_hh_totals, same order [Wh] */
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

static void crest_dr_due(const crest_model *m, crest_hh *h, unsigned i, uint32_t t);
static double crest_local_time(const crest_model *m, uint32_t d, double hr);

/* ---- helpers ---------------------------------------------------------------------------- */

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double gauss(crest_hh *h)
{
    gsl_rng g;
    return gsl_ran_ugaussian(sim_rng_gsl(&h->rng, &g));
}

static double uni(crest_hh *h)
{
    return sim_rng_uniform(&h->rng);
}

static uint32_t sat_u32(double t)
{
    return t >= (double)GRID_NEVER ? GRID_NEVER : (uint32_t)t;
}

/* Hourly values at hh:30 to 10-minute slots (centres at hh:05, :15, ...), circularly. */
static void crest_hourly_to_slots(const double *hourly, float *out)
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

/* Staffell et al. 2012 air-source regression. */
static double crest_hp_cop(double t_out, double t_sink)
{
    double dt = t_sink - t_out;
    if (dt < 15) dt = 15; /* the regression's range; mild days do not get a COP above ~5 */
    return HP_FIELD * (6.81 - 0.121 * dt + 0.000630 * dt * dt);
}

static double hp_flow_c(double t_out)
{
    return clampd(45.0 - 15.0 * (t_out + 3.0) / 18.5, 30.0, 45.0);
}

/* ---- create ----------------------------------------------------------------------------- */

/* Person chain meeting a -> a2 exactly: keep the state (adjusted for the trend) with
 * probability 1 - CHURN, else redraw from a2. */
static void person_trans(double a, double a2, double *p11, double *p01)
{
    double keep11 = a > 0 ? (a2 >= a ? 1.0 : a2 / a) : 1.0;
    double keep01 = a < 1 ? (a2 > a ? (a2 - a) / (1 - a) : 0.0) : 0.0;
    *p11 = CHURN * a2 + (1 - CHURN) * keep11;
    *p01 = CHURN * a2 + (1 - CHURN) * keep01;
}

static double crest_binom_pmf(int k, int n, double p)
{
    return gsl_ran_binomial_pdf((unsigned)k, p, (unsigned)n);
}

static void crest_build_occupancy(crest_model *m)
{
    crest_hourly_to_slots(occ_wd, m->occ[0]);
    crest_hourly_to_slots(occ_we, m->occ[1]);
    for (int dt = 0; dt < 2; dt++)
        for (int s = 0; s < SLOTS_DAY; s++) {
            double p11, p01;
            person_trans(m->occ[dt][s], m->occ[dt][(s + 1) % SLOTS_DAY], &p11, &p01);
            for (int n = 1; n <= MAX_OCC; n++)
                for (int k = 0; k <= n; k++) {
                    double c = 0;
                    for (int j = 0; j <= n; j++) {
                        /* j active next = stay (of k) + join (of n - k) */
                        double pj = 0;
                        for (int st = 0; st <= k && st <= j; st++)
                            if (j - st <= n - k)
                                pj += crest_binom_pmf(st, k, p11) *
                                      crest_binom_pmf(j - st, n - k, p01);
                        c += pj;
                        m->cum[dt][s][n - 1][k][j] = (float)c;
                    }
                    m->cum[dt][s][n - 1][k][n] = 1.0f;
                }
        }
}

/* Starts per second per unit shape so that the population mean (over sizes, weekdays and
 * weekends, owners) is the table's starts per day; occupancy ~ Binomial(n, a(t)). */
static void crest_calibrate(crest_model *m)
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

static int crest_create(const grid_load_params *p, void **out, char *err, size_t errlen)
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
    crest_model *m = calloc(1, sizeof *m);
    if (!m) goto oom;
    m->p = *p;
    m->end_s = (uint32_t)p->duration_s;
    grid_weather_params wp = {.seed = p->seed,
                              .start_unix = p->start_unix,
                              .duration_s = p->duration_s,
                              .latitude_deg = p->latitude_deg,
                              .csv = p->weather_csv};
    if (grid_weather_create(&wp, &m->w, err, errlen)) {
        free(m);
        return -1;
    }
    m->n_slots = grid_weather_slots(m->w);
    m->slot = malloc(m->n_slots * sizeof *m->slot);
    m->n_ldays = m->n_slots / SLOTS_DAY + 3;
    m->lday_start = malloc(m->n_ldays * sizeof *m->lday_start);
    m->lday_cs = malloc(m->n_ldays * sizeof *m->lday_cs);
    uint32_t n_udays = grid_weather_days(m->w);
    m->heat_day = malloc((size_t)GRID_WEATHER_REGIONS * n_udays);
    if (!m->slot || !m->lday_start || !m->lday_cs || !m->heat_day) goto oom_m;

    /* Local days: day 0 is the local date at the start. */
    int64_t start_local = p->start_unix + local_offset(m, p->start_unix);
    int64_t lday0 = (int64_t)floor((double)start_local / SIM_DAY_S);
    int64_t uday0 = (int64_t)floor((double)p->start_unix / SIM_DAY_S);
    m->uday0 = uday0;
    for (uint32_t d = 0; d < m->n_ldays; d++) {
        int64_t mid_local = (lday0 + d) * SIM_DAY_S;
        /* offset valid at local noon of that day */
        int64_t off = local_offset(m, mid_local + SIM_DAY_S / 2);
        m->lday_start[d] = mid_local - off - p->start_unix;
        sim_civil cv;
        sim_civil_from_unix(mid_local, &cv);
        m->lday_cs[d] = (float)cos(2 * PI * (cv.yday - 15) / 365.25);
        if (cv.month == 12 && cv.day == 25 && m->n_xmas < (int)(sizeof m->xmas / sizeof *m->xmas))
            m->xmas[m->n_xmas++] = (uint16_t)d;
    }
    for (uint32_t k = 0; k < m->n_slots; k++) {
        int64_t t = p->start_unix + (int64_t)k * SLOT_S;
        int64_t lt = t + local_offset(m, t);
        int64_t ld = (int64_t)floor((double)lt / SIM_DAY_S);
        sim_civil cv;
        sim_civil_from_unix(lt, &cv);
        m->slot[k] = (slotinfo){.ls = (uint8_t)((lt - ld * SIM_DAY_S) / SLOT_S),
                                .dt = cv.weekday >= 5 || is_holiday(&cv),
                                .xmas = cv.month == 12 && cv.day == 25,
                                .lday = (uint16_t)(ld - lday0),
                                .uday = (uint16_t)((int64_t)floor((double)t / SIM_DAY_S) - uday0)};
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
    free(m->slot);
    free(m->lday_start);
    free(m->lday_cs);
    free(m->heat_day);
    free(m);
oom:
    snprintf(err, errlen, "crest load model: out of memory");
    return -1;
bad:
    snprintf(err, errlen,
             "crest load model: invalid parameters (shares must lie in 0..1, size_mix sum to 1, "
             "sizes and powers be positive, gas_annual_kwh exceed %.0f kWh)",
             DHW_REF_KWH);
    return -1;
}

static void crest_destroy(void *model)
{
    crest_model *m = model;
    if (!m) return;
    grid_weather_destroy(m->w);
    free(m->slot);
    free(m->lday_start);
    free(m->lday_cs);
    free(m->heat_day);
    free(m);
}

/* ---- per-household dynamics ------------------------------------------------------------- */

static const slotinfo *slot_of(const crest_model *m, uint32_t k)
{
    return &m->slot[k < m->n_slots ? k : m->n_slots - 1];
}

static int eff_slot(const crest_hh *h, int ls)
{
    return (ls - h->shift + 2 * SLOTS_DAY) % SLOTS_DAY;
}

static bool owns(const crest_hh *h, int a)
{
    return (h->owned >> a) & 1u;
}

static bool running(const crest_hh *h, int a)
{
    for (unsigned i = 0; i < h->n_run; i++)
        if (h->run_app[i] == a) return true;
    return false;
}

/* Start rate of appliance A in slot K [1/s]. */
static double app_rate(const crest_model *m, const crest_hh *h, int a, uint32_t k)
{
    const slotinfo *si = slot_of(m, k);
    const appliance *ap = &crest_appliances[a];
    double r = m->kpow[a][h->active] * m->shape[ap->act][si->dt][eff_slot(h, si->ls)] *
               (1.0 + ap->season * m->lday_cs[si->lday]);
    if (a == A_DHW) return owns(h, A_SHOWER) ? 0.6 * r : r;
    r *= h->intensity * m->elec_scale;
    if (a == A_LIGHT && grid_weather_irradiance(m->w, h->region, k) >= h->light_thr)
        r *= DAYLIGHT_LIGHTS;
    if (a == A_HEATER) r *= grid_weather_hdd(m->w, h->region, si->uday) / HEATER_HDD;
    if (si->xmas && (ap->act == ACT_LAUNDRY || ap->act == ACT_CHORES)) r *= FESTIVE_CHORES;
    return r;
}

static double total_rate(const crest_model *m, const crest_hh *h, uint32_t k)
{
    double r = 0;
    for (int a = 0; a < N_APPL; a++)
        if (owns(h, a)) r += app_rate(m, h, a, k);
    return r;
}

/* Next start after T of the superposed appliance process, while occupancy stays as it is
 * (exact inversion over the piecewise-constant slot rates); GRID_NEVER if none before the
 * next occupancy change, which redraws it. */
static uint32_t crest_next_start(const crest_model *m, crest_hh *h, uint32_t t)
{
    if (h->active == 0) return GRID_NEVER;
    double budget = -log1p(-uni(h));
    double t0 = t;
    for (uint32_t k = t / SLOT_S; k < m->n_slots; k++) {
        double seg_end = (double)(k + 1) * SLOT_S;
        if (seg_end > (double)h->occ_next) seg_end = h->occ_next;
        double r = total_rate(m, h, k);
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

/* From slot boundary T, run the chain until the count of active occupants changes. */
static void crest_next_occupancy(const crest_model *m, crest_hh *h, uint32_t t)
{
    for (uint32_t k = t / SLOT_S; k + 1 < m->n_slots; k++) {
        const slotinfo *si = slot_of(m, k);
        const float *c = m->cum[si->dt][eff_slot(h, si->ls)][h->occupants - 1][h->active];
        double u = uni(h);
        int j = 0;
        while (j < h->occupants && u >= c[j])
            j++;
        if (j != h->active) {
            h->occ_next = (k + 1) * SLOT_S;
            h->occ_new = (uint8_t)j;
            return;
        }
    }
    h->occ_next = GRID_NEVER;
}

static uint32_t crest_draw_minutes(crest_hh *h, double mean_min, bool expo)
{
    double d;
    if (expo)
        d = clampd(-mean_min * log1p(-uni(h)), 1.0, 5.0 * mean_min);
    else
        d = mean_min * (0.85 + 0.3 * uni(h));
    d *= 60.0;
    return d < 1.0 ? 1u : (uint32_t)lround(d);
}

static void crest_add_run(crest_hh *h, int a, uint32_t end)
{
    h->run_app[h->n_run] = (uint8_t)a;
    h->run_phase[h->n_run] = 0;
    h->run_end[h->n_run] = end;
    h->n_run++;
}

/* ---- Christmas dinner (see FESTIVE_*) ---------------------------------------------------- */

/* Park the household's next Christmas roast at or after T in the run table, if any. */
static void crest_festive_schedule(const crest_model *m, crest_hh *h, uint32_t t)
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

static void crest_end_run(const crest_model *m, crest_hh *h, unsigned i, uint32_t t)
{
    int a = h->run_app[i];
    const appliance *ap = &crest_appliances[a];
    if (h->run_phase[i] & PH_DEFER) {
        if (a == A_ROAST) { /* Christmas morning: the roast goes in */
            h->run_phase[i] = 0;
            h->run_end[i] = t + (uint32_t)(ap->min1 * 60.0);
        } else {
            crest_dr_due(m, h, i, t);
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
        const slotinfo *si = slot_of(m, t / SLOT_S);
        double share = DRYER_SHARE * (1.0 + 0.4 * m->lday_cs[si->lday]);
        if (uni(h) < share) start_appliance(m, h, A_DRYER, t);
    }
}

/* ---- demand response (see "demand response" above) ------------------------------------ */

static bool crest_dr_follows(const crest_model *m, const crest_hh *h)
{
    return m->p.price && (h->dr_flags & DRF_ENGAGED);
}

/* Mean power profile of a run: up to three phases back to back. */
typedef struct dr_profile {
    double w[3]; /* [W] */
    double s[3]; /* [s] */
    int n;
    double dur; /* [s] */
} dr_profile;

static void crest_dr_phase(dr_profile *pr, double w, double s)
{
    pr->w[pr->n] = w;
    pr->s[pr->n] = s;
    pr->n++;
    pr->dur += s;
}

static dr_profile dr_appliance_profile(const crest_model *m, const crest_hh *h, int a, uint32_t t)
{
    const appliance *ap = &crest_appliances[a];
    dr_profile pr = {.n = 0};
    crest_dr_phase(&pr, ap->w1, ap->min1 * 60.0);
    if (ap->w2 > 0) crest_dr_phase(&pr, ap->w2, ap->min2 * 60.0);
    if (a == A_WASHER && owns(h, A_DRYER)) {
        const slotinfo *si = slot_of(m, t / SLOT_S);
        double share = DRYER_SHARE * (1.0 + 0.4 * m->lday_cs[si->lday]);
        crest_dr_phase(&pr, share * crest_appliances[A_DRYER].w1,
                       crest_appliances[A_DRYER].min1 * 60.0);
    }
    return pr;
}

/* Published price of period K, NAN if not yet known. */
static double dr_price(const crest_model *m, uint32_t k)
{
    return m->p.price(m->p.price_ctx, k);
}

/* Mean published price of the DR_REF_PERIODS periods before K; NAN if none is known. */
static double dr_reference(const crest_model *m, uint32_t k)
{
    double sum = 0;
    int n = 0;
    for (uint32_t j = k > DR_REF_PERIODS ? k - DR_REF_PERIODS : 0; j < k; j++) {
        double v = dr_price(m, j);
        if (!isnan(v)) sum += v, n++;
    }
    return n ? sum / n : NAN;
}

/* Cost of PR started at S [price unit x J]; unpublished periods at REF, flagged in *EST. */
static double dr_cost(const crest_model *m, const dr_profile *pr, double s, double ref, bool *est)
{
    double cost = 0, u = s;
    *est = false;
    for (int i = 0; i < pr->n; i++) {
        double end = u + pr->s[i];
        while (u < end) {
            double pe = (floor(u / SIM_PERIOD_S) + 1) * SIM_PERIOD_S;
            double v = dr_price(m, (uint32_t)(u / SIM_PERIOD_S));
            if (isnan(v)) {
                v = ref;
                *est = true;
            }
            cost += pr->w[i] * v * (fmin(pe, end) - u);
            u = fmin(pe, end);
        }
    }
    return cost;
}

/* When to start PR, wanted at T, at the latest at LATEST: T (now) or a later period
 * boundary.  FIRST: a new wish, which the household follows with probability
 * min(1, dr_response x relative saving), drawn from its stream only when a cheaper start
 * exists (so flat prices draw nothing); otherwise the re-decision of a deferral already
 * made, without a draw.  *PROV: the cheapest start rests on reference prices, so the
 * returned time is the next boundary, where the household decides again. */
static double crest_dr_plan(const crest_model *m, crest_hh *h, const dr_profile *pr, uint32_t t,
                            double latest, bool first, bool *prov)
{
    *prov = false;
    uint32_t k = t / SIM_PERIOD_S;
    double now_p = dr_price(m, k);
    double next_b = (double)(k + 1) * SIM_PERIOD_S;
    if (isnan(now_p) || next_b > latest) return t;
    double ref = dr_reference(m, k);
    if (isnan(ref)) ref = now_p;
    bool est;
    double c_now = dr_cost(m, pr, t, ref, &est), c_best = c_now, best = t;
    double tol = 1e-9 * fabs(c_now); /* equal prices split differently must not look cheaper */
    bool est_best = false;
    for (double s = next_b; s <= latest; s += SIM_PERIOD_S) {
        double c = dr_cost(m, pr, s, ref, &est);
        if (c < c_best - tol) c_best = c, best = s, est_best = est;
    }
    if (best == t) return t;
    if (first) {
        double g = (c_now - c_best) / fmax(fabs(c_now), 1e-9);
        if (uni(h) >= m->p.dr_response * g) return t;
    }
    *prov = est_best;
    return est_best ? next_b : best;
}

/* Whole periods from AT to LATEST, at most MAX. */
static unsigned dr_slack(double latest, double at, unsigned max)
{
    return (unsigned)clampd(floor((latest - at) / SIM_PERIOD_S), 0, max);
}

static void crest_dr_ev_set(crest_hh *h, double at, double latest, bool prov)
{
    h->dr_ev_left = (uint8_t)dr_slack(latest, at, UINT8_MAX);
    if (prov)
        h->dr_flags |= DRF_EV_PROV;
    else
        h->dr_flags &= (uint8_t)~DRF_EV_PROV;
}

static uint8_t dr_phase_bits(double at, double latest, bool prov)
{
    return (uint8_t)(PH_DEFER | (prov ? PH_PROV : 0u) | dr_slack(latest, at, PH_LEFT));
}

/* Whether A is on (not merely waiting), ignoring run slot SKIP; the latest time a deferred
 * start of A is due (0: none). */
static bool dr_busy(const crest_hh *h, int a, unsigned skip, uint32_t *wait_until)
{
    bool on = false;
    *wait_until = 0;
    for (unsigned i = 0; i < h->n_run; i++) {
        if (h->run_app[i] != a || i == skip) continue;
        if (!(h->run_phase[i] & PH_DEFER))
            on = true;
        else if (h->run_end[i] > *wait_until)
            *wait_until = h->run_end[i];
    }
    return on;
}

/* A start of A wanted at T: defer it (true) or let it start now (false).  While A is on, the
 * wish is refused as without demand response (CREST: an appliance on cannot start again);
 * while a deferred load of A waits, the new one is queued behind it, so no use is lost. */
static bool crest_dr_defer(const crest_model *m, crest_hh *h, int a, uint32_t t)
{
    if ((a != A_WASHER && a != A_DISHWASHER) || !crest_dr_follows(m, h) || h->n_run >= MAX_RUN)
        return false;
    uint32_t waiting;
    if (dr_busy(h, a, MAX_RUN, &waiting)) return false;
    dr_profile pr = dr_appliance_profile(m, h, a, t);
    if (waiting) {
        double at = ceil((waiting + pr.dur) / SIM_PERIOD_S) * SIM_PERIOD_S;
        crest_add_run(h, a, sat_u32(at));
        h->run_phase[h->n_run - 1] = PH_DEFER;
        return true;
    }
    double latest = t + m->p.dr_horizon_h * 3600.0 - pr.dur;
    bool prov;
    double at = crest_dr_plan(m, h, &pr, t, latest, true, &prov);
    if (at <= t) return false;
    crest_add_run(h, a, sat_u32(at));
    h->run_phase[h->n_run - 1] = dr_phase_bits(at, latest, prov);
    return true;
}

/* The deferred start in run slot I comes due at T: decide again if the deferral rested on
 * reference prices, else start (the run slot becomes the run). */
static void crest_dr_due(const crest_model *m, crest_hh *h, unsigned i, uint32_t t)
{
    int a = h->run_app[i];
    const appliance *ap = &crest_appliances[a];
    uint8_t ph = h->run_phase[i];
    if (ph & PH_PROV) {
        double latest = t + (double)(ph & PH_LEFT) * SIM_PERIOD_S;
        dr_profile pr = dr_appliance_profile(m, h, a, t);
        bool prov;
        double at = crest_dr_plan(m, h, &pr, t, latest, false, &prov);
        if (at > t) {
            h->run_end[i] = sat_u32(at);
            h->run_phase[i] = dr_phase_bits(at, latest, prov);
            return;
        }
    }
    uint32_t waiting;
    if (dr_busy(h, a, i, &waiting)) { /* a queued load's turn came before the last ended */
        h->run_end[i] = (t / SIM_PERIOD_S + 1) * SIM_PERIOD_S;
        h->run_phase[i] = PH_DEFER;
        return;
    }
    h->run_phase[i] = 0;
    h->run_end[i] = t + crest_draw_minutes(h, ap->min1, ap->flags & F_EXP);
}

/* Feedback multiplier of discretionary power at T [-]: 1 without a working IHD. */
static double crest_fb_factor(const crest_model *m, const crest_hh *h, uint32_t t)
{
    if (!m->p.feedback_enabled || !(h->dr_flags & DRF_IHD)) return 1.0;
    double age = m->p.feedback_days_installed + t / (double)SIM_DAY_S;
    if (age < 0) return 1.0;
    return 1.0 - m->p.feedback_cut * exp(-age / m->p.feedback_tau_days);
}

/* Pick which appliance starts at T (slot rates), and start it unless thinned. */
static void crest_appliance_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t k = t / SLOT_S;
    double rates[N_APPL], tot = 0;
    for (int a = 0; a < N_APPL; a++) {
        rates[a] = owns(h, a) ? app_rate(m, h, a, k) : 0.0;
        tot += rates[a];
    }
    double u = uni(h) * tot;
    int a = 0;
    while (a + 1 < N_APPL && (u >= rates[a] || rates[a] == 0)) {
        u -= rates[a];
        a++;
    }
    if (tot > 0 && rates[a] > 0 && !crest_dr_defer(m, h, a, t)) start_appliance(m, h, a, t);
    h->app_next = crest_next_start(m, h, t);
}

static void crest_occupancy_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    h->active = h->occ_new;
    if (h->active == 0)
        for (unsigned i = 0; i < h->n_run;) {
            if (crest_appliances[h->run_app[i]].flags & F_OCC) {
                h->n_run--;
                h->run_app[i] = h->run_app[h->n_run];
                h->run_phase[i] = h->run_phase[h->n_run];
                h->run_end[i] = h->run_end[h->n_run];
            } else {
                i++;
            }
        }
    crest_next_occupancy(m, h, t);
    h->app_next = crest_next_start(m, h, t);
}

static void crest_cold_event(const crest_model *m, crest_hh *h, int c, uint32_t t)
{
    h->cold_on ^= (uint8_t)(1u << c);
    bool on = (h->cold_on >> c) & 1u;
    double mean = on ? crest_colds[c].on_min : crest_colds[c].off_min;
    if (!on) {
        /* warmer kitchens in summer: shorter off-times */
        const slotinfo *si = slot_of(m, t / SLOT_S);
        mean *= 1.0 + 0.12 * m->lday_cs[si->lday];
    }
    h->cold_next[c] = t + crest_draw_minutes(h, mean, false);
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
    const slotinfo *si = slot_of(m, k);
    return m->heat_day[(size_t)h->region * grid_weather_days(m->w) + si->uday] &&
           in_schedule(h, si->dt, si->ls);
}

/* Set the heating output for slot K and find the next change. */
static void crest_heat_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t k = t / SLOT_S, n_udays = grid_weather_days(m->w);
    const slotinfo *si = slot_of(m, k);
    h->heat_on = heating_at(m, h, k);
    h->space_w = 0;
    h->hp_heat_w = 0;
    if (h->heat_on) {
        double hdd = grid_weather_hdd(m->w, h->region, si->uday);
        double gas = h->h_w_k * hdd * 24.0 / schedule_hours(h, si->dt);
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
        const slotinfo *sj = slot_of(m, j);
        if (!m->heat_day[(size_t)h->region * n_udays + sj->uday] && !h->heat_on) {
            j = (uint32_t)(((m->uday0 + sj->uday + 1) * SIM_DAY_S - m->p.start_unix) / SLOT_S);
            continue;
        }
        bool on = heating_at(m, h, j);
        if (on != (bool)h->heat_on || (on && sj->uday != si->uday) ||
            (on && h->heating == GRID_HEAT_HP && j % 6 == 0)) {
            h->heat_next = j * SLOT_S;
            return;
        }
        j++;
    }
    h->heat_next = GRID_NEVER;
}

static void crest_pv_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t k = t / SLOT_S;
    double g = grid_weather_irradiance(m->w, h->region, k);
    double tc = grid_weather_temp_c(m->w, h->region, k) + 0.03 * g;
    double w = h->pv_kwp * g * PV_POA_GAIN * PV_PR * (1.0 - PV_TCOEF * (tc - 25.0));
    h->pv_w = (float)(w > 0 ? w : 0);
    uint32_t j = k + 1;
    if (g <= 0)
        while (j < m->n_slots && grid_weather_irradiance(m->w, h->region, j) <= 0)
            j++;
    h->pv_next = j < m->n_slots ? j * SLOT_S : GRID_NEVER;
}

/* Run second of local day D at local hour HR. */
static double crest_local_time(const crest_model *m, uint32_t d, double hr)
{
    if (d >= m->n_ldays) return (double)GRID_NEVER;
    return (double)m->lday_start[d] + hr * 3600.0;
}

static int lday_type(const crest_model *m, uint32_t d)
{
    int64_t t = m->lday_start[d] + SIM_DAY_S / 2; /* local noon, run seconds */
    if (t < 0) t = 0;
    return slot_of(m, (uint32_t)(t / SLOT_S))->dt;
}

/* Schedule the next arrival at or after T. */
static void crest_ev_next_arrival(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t d = slot_of(m, t / SLOT_S)->lday;
    for (int tries = 0; tries < 3; tries++, d++) {
        if (d >= m->n_ldays) break;
        double hr = lday_type(m, d) ? clampd(14.5 + 2.5 * gauss(h), 9, 22)
                                    : clampd(17.75 + 1.25 * gauss(h), 13, 23);
        double at = crest_local_time(m, d, hr);
        if (at > t) {
            h->ev_state = 0;
            h->ev_next = sat_u32(ceil(at));
            return;
        }
    }
    h->ev_next = GRID_NEVER;
}

static void crest_ev_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    if (h->ev_state == 0) { /* arrival: plan tonight's charge */
        uint32_t d = slot_of(m, t / SLOT_S)->lday + 1;
        double dep_hr = d < m->n_ldays && lday_type(m, d) ? clampd(10.0 + 1.5 * gauss(h), 7, 14)
                                                          : clampd(7.5 + 0.75 * gauss(h), 5, 10);
        double dep = crest_local_time(m, d, dep_hr);
        double skip = uni(h), amount = exp(0.5 * gauss(h) - 0.125);
        if (skip < EV_SKIP || dep <= t) {
            crest_ev_next_arrival(m, h, (uint32_t)clampd(dep, t + 1, (double)GRID_NEVER - 1));
            return;
        }
        double kwh = h->ev_kwh * amount / (1.0 - EV_SKIP);
        double dur = kwh / m->p.ev_charger_kw * 3600.0;
        double window = dep - t;
        if (dur > window) dur = window;
        double start = t;
        if (h->ev == 2) {
            double latest = dep - dur;
            if (m->p.price) {
                /* cheapest start among arrival and each later period boundary */
                double best = INFINITY;
                for (double s = t; s <= latest; s = (floor(s / SIM_PERIOD_S) + 1) * SIM_PERIOD_S) {
                    double cost = 0;
                    for (double u = s; u < s + dur;) {
                        double pe = (floor(u / SIM_PERIOD_S) + 1) * SIM_PERIOD_S;
                        double v = m->p.price(m->p.price_ctx, (uint32_t)(u / SIM_PERIOD_S));
                        if (isnan(v)) {
                            cost = INFINITY;
                            break;
                        }
                        cost += v * (fmin(pe, s + dur) - u);
                        u = pe;
                    }
                    if (cost < best) {
                        best = cost;
                        start = s;
                    }
                }
            } else {
                double off = crest_local_time(m, d, 0.5 + 0.5 * uni(h));
                if (off < t) off = t;
                start = off <= latest ? off : t;
            }
        } else if (crest_dr_follows(m, h)) {
            dr_profile pr = {.n = 0};
            crest_dr_phase(&pr, m->p.ev_charger_kw * 1000.0, dur);
            double latest = dep - dur;
            bool prov;
            start = crest_dr_plan(m, h, &pr, t, latest, true, &prov);
            crest_dr_ev_set(h, start, latest, prov && start > t);
        }
        h->ev_stop = sat_u32(ceil(start + dur));
        if (start <= t) {
            h->ev_state = 2;
            h->ev_next = h->ev_stop > t ? h->ev_stop : t + 1;
        } else {
            h->ev_state = 1;
            h->ev_next = sat_u32(ceil(start));
        }
        return;
    }
    if (h->ev_state == 1) {
        if (h->dr_flags & DRF_EV_PROV) { /* re-decide a wait-and-see deferral */
            dr_profile pr = {.n = 0};
            crest_dr_phase(&pr, m->p.ev_charger_kw * 1000.0, (double)(h->ev_stop - t));
            double latest = t + (double)h->dr_ev_left * SIM_PERIOD_S;
            bool prov;
            double at = crest_dr_plan(m, h, &pr, t, latest, false, &prov);
            crest_dr_ev_set(h, at, latest, prov && at > t);
            if (at > t) {
                h->ev_next = sat_u32(at);
                h->ev_stop = sat_u32(ceil(at + pr.dur));
                return;
            }
        }
        h->ev_state = 2;
        h->ev_next = h->ev_stop > t ? h->ev_stop : t + 1;
        return;
    }
    crest_ev_next_arrival(m, h, t); /* end of charge */
}

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
    for (int c = 0; c < N_COLD; c++) {
        if (!((h->cold_own >> c) & 1u)) continue;
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
    h->gas_now = (int32_t)lround(gas);
    h->hp_elec_now = (float)hp;
    *p_mw = (int32_t)lround(p * 1000.0);
    *q_mvar = (int32_t)lround(q * 1000.0);
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

static uint32_t crest_hh_step(const void *model, void *hh, uint32_t now, int32_t *p_mw,
                              int32_t *q_mvar)
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
        for (int c = 0; c < N_COLD; c++)
            if (((h->cold_own >> c) & 1u) && h->cold_next[c] < best)
                best = h->cold_next[c], which = 1, idx = c;
        if (h->heat_next < best) best = h->heat_next, which = 2;
        if (h->pv_next < best) best = h->pv_next, which = 3;
        if (h->ev_next < best) best = h->ev_next, which = 4;
        if (h->occ_next < best) best = h->occ_next, which = 5;
        if (h->app_next < best) best = h->app_next, which = 6;
        if (which < 0 || best > now) break;
        switch (which) {
        case 0:
            crest_end_run(m, h, (unsigned)idx, best);
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
            crest_ev_event(m, h, best);
            break;
        case 5:
            crest_occupancy_event(m, h, best);
            break;
        default:
            crest_appliance_event(m, h, best);
            break;
        }
    }
    return crest_power(m, h, now, p_mw, q_mvar);
}

static uint32_t crest_hh_init_ctx(const void *model, void *hh, const grid_hh_ctx *ctx,
                                  int32_t *p_mw, int32_t *q_mvar)
{
    const crest_model *m = model;
    const grid_load_params *p = &m->p;
    crest_hh *h = hh;
    memset(h, 0, sizeof *h);
    sim_rng_seed(&h->rng, p->seed, ctx->id, "load.crest");
    sim_rng dr; /* its own stream: drawing it leaves "load.crest" as it was */
    sim_rng_seed(&dr, p->seed, ctx->id, "load.crest.dr");
    if (sim_rng_uniform(&dr) < p->dr_engaged_share) h->dr_flags |= DRF_ENGAGED;
    if (ctx->ihd) h->dr_flags |= DRF_IHD;
    h->region = (uint8_t)(ctx->region < GRID_WEATHER_REGIONS ? ctx->region : 0);

    /* Static attributes: always the same number of draws in the same order, so a change
     * of one share does not reshuffle the rest of the household. */
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

    double upv = uni(h), zpv = gauss(h);
    if (h->dwelling != 1 && upv < p->pv_share)
        h->pv_kwp = (float)clampd(p->pv_kwp_median * exp(p->pv_kwp_sigma * zpv), 1.0, 10.0);
    double uev = uni(h), zev = gauss(h), usm = uni(h);
    if (uev < p->ev_share) {
        h->ev = usm < p->ev_smart_share ? 2 : 1;
        h->ev_kwh = (float)(p->ev_kwh_per_day * exp(0.4 * zev - 0.08));
    }

    /* Dynamic state at time 0. */
    for (int c = 0; c < N_COLD; c++) {
        double period = crest_colds[c].on_min + crest_colds[c].off_min, ph = uni(h) * period;
        bool on = ph < crest_colds[c].on_min;
        if (on) h->cold_on |= (uint8_t)(1u << c);
        h->cold_next[c] = (uint32_t)(60.0 * (on ? crest_colds[c].on_min - ph : period - ph)) + 1;
    }
    const slotinfo *s0 = slot_of(m, 0);
    double a0 = m->occ[s0->dt][eff_slot(h, s0->ls)];
    int act = 0;
    for (int i = 0; i < n; i++)
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
};
