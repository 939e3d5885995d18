#include "scenario.h"

#include "sim/units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define MAX_ERRORS 20
#define MAX_FILE_BYTES (16u << 20) /* a scenario is a page of YAML; this only stops /dev/zero */
#define MAX_NESTING 256            /* the schema needs 3; deeper input is junk */
#define MAX_EXTENDS 16             /* files in one extends chain */
#define MAX_ANCHORS 1024
#define MAX_ALIASES 4096 /* aliases are never expanded, but each costs a lookup */
#define KEY_MAX 160      /* longest dotted key path looked up; longer ones are unknown */

/* ---------------------------------------------------------------------------------------
 * Schema: one row per leaf key.  Rows of one mapping are contiguous and nested mappings
 * follow their parent's leaves, so the resolved text can be written by walking the rows.
 */

enum vkind {
    V_STR,  /* any text */
    V_NAME, /* [A-Za-z0-9_.-]+: it ends up in file names */
    V_ENUM, /* one of CHOICES */
    V_BOOL,
    V_INT,  /* decimal integer in ILO..IHI */
    V_REAL, /* unit-less number in LO..HI */
    V_UNIT, /* number with a unit of kind UNIT, LO..HI in the unit's base */
};

enum ctype { C_NONE, C_STR, C_BOOL, C_U32, C_U64, C_I64, C_F64 };

typedef struct key_row {
    const char *path;
    enum vkind kind;
    sim_unit unit;
    enum ctype ct; /* C_NONE: a key that fills no field (extends) */
    size_t off, size;
    double lo, hi;
    int64_t ilo, ihi;
    double step;         /* V_UNIT: the value must be a whole multiple of it; 0: any */
    const char *choices; /* V_ENUM: "a|b|c"; V_STR with CHECK: the accepted form, for docs */
    int (*check)(const char *text, char *why, size_t whylen); /* V_STR: extra validation */
    const char *def;     /* default as written in a file; NULL: required */
    const char *doc;
} key_row;

#define FIELD(f, c)                                                                                \
    .ct = (c), .off = offsetof(sim_scenario, f), .size = sizeof(((sim_scenario *)0)->f)
#define DAYS(n) ((double)(n)*86400.0)

int sim_scenario_region_mask(const char *text, uint32_t *mask, char *why, size_t whylen)
{
    *mask = 0;
    if (strcmp(text, "all") == 0) {
        *mask = (1u << 14) - 1;
        return 0;
    }
    const char *p = text;
    while (*p) {
        while (*p == ' ') p++;
        if (*p < '0' || *p > '9') {
            snprintf(why, whylen, "expected \"all\" or region numbers 1..14 separated by commas");
            return -1;
        }
        long r = 0;
        while (*p >= '0' && *p <= '9' && r < 100) r = r * 10 + (*p++ - '0');
        if (r < 1 || r > 14) {
            snprintf(why, whylen, "region %ld is out of range (1..14)", r);
            return -1;
        }
        *mask |= 1u << (r - 1);
        while (*p == ' ') p++;
        if (*p == ',') {
            p++;
            if (!*p) break;
        } else if (*p) {
            snprintf(why, whylen, "expected \"all\" or region numbers 1..14 separated by commas");
            return -1;
        }
    }
    if (*mask == 0) {
        snprintf(why, whylen, "names no region");
        return -1;
    }
    return 0;
}

static int check_regions(const char *text, char *why, size_t whylen)
{
    uint32_t mask;
    return sim_scenario_region_mask(text, &mask, why, whylen);
}

/* Kept one row per key so it reads as a table. */
/* clang-format off */
static const key_row rows[] = {
    {.path = "extends", .kind = V_STR, .ct = C_NONE, .def = "",
     .doc = "Base scenario loaded first (path relative to this file); keys here override it one by one"},
    {.path = "name", .kind = V_NAME, FIELD(name, C_STR), .def = NULL,
     .doc = "Scenario name, stored in every trace"},
    {.path = "description", .kind = V_STR, FIELD(description, C_STR), .def = "",
     .doc = "Free text"},
    {.path = "seed", .kind = V_INT, FIELD(seed, C_U64), .ilo = 0, .ihi = INT64_MAX, .def = "1",
     .doc = "Root of every random stream; --seed overrides it"},
    /* 2026-01-12 is a Monday in winter, when demand peaks. */
    {.path = "start", .kind = V_UNIT, .unit = SIM_UNIT_DATE, FIELD(start_unix, C_I64),
     .lo = 0, .hi = DAYS(47482) /* 2100-01-01 */, .step = 1800, .def = "2026-01-12",
     .doc = "Simulated start, UTC date or date-time on a settlement period boundary (:00 or :30)"},
    {.path = "duration", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, FIELD(duration_s, C_I64),
     .lo = 1800, .hi = DAYS(400), .step = 1800, .def = NULL,
     .doc = "Simulated span, in whole 30 min settlement periods"},
    {.path = "households", .kind = V_INT, FIELD(households, C_U32), .ilo = 1, .ihi = 50000000,
     .def = NULL, .doc = "Number of households simulated"},

    /* 14 DNO licence areas in GB (FACTS.md). */
    {.path = "topology.regions", .kind = V_INT, FIELD(topology.regions, C_U32),
     .ilo = 1, .ihi = 14, .def = "1", .doc = "DNO regions the households are spread over"},
    {.path = "topology.area_households", .kind = V_INT, FIELD(topology.area_households, C_U32),
     .ilo = 1, .ihi = 100000, .def = "500", .doc = "Households per area (one WAN cell)"},
    /* ENWL: 2.4M customers over 34,000 LV transformers, about 70 each (FACTS.md). */
    {.path = "topology.lv_customers", .kind = V_REAL, FIELD(topology.lv_customers_mean, C_F64),
     .lo = 1, .hi = 5000, .def = "70", .doc = "Mean customers per LV substation"},
    {.path = "topology.lv_customers_cv", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(topology.lv_customers_cv, C_F64), .lo = 0, .hi = 3, .def = "80 %",
     .doc = "Coefficient of variation of customers per LV substation (gamma distributed)"},
    {.path = "topology.primary_customers", .kind = V_INT, FIELD(topology.primary_customers, C_U32),
     .ilo = 1, .ihi = 1000000, .def = "6000", .doc = "Customers per primary substation"},
    {.path = "topology.hv_feeders_per_primary", .kind = V_INT,
     FIELD(topology.hv_feeders_per_primary, C_U32), .ilo = 1, .ihi = 64, .def = "8",
     .doc = "HV feeders per primary substation"},
    {.path = "topology.lv_feeders", .kind = V_INT, FIELD(topology.lv_feeders, C_U32),
     .ilo = 1, .ihi = 16, .def = "4", .doc = "LV feeders per LV substation"},
    {.path = "topology.flat_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(topology.flat_share, C_F64), .lo = 0, .hi = 1, .def = "20 %",
     .doc = "Share of premises that are flats (the rest are houses)"},

    {.path = "load.model", .kind = V_ENUM, FIELD(load.model, C_STR), .choices = "crest|basic",
     .def = "crest",
     .doc = "Household demand model: crest (occupancy and appliances) or basic (foundation)"},
    /* Ofgem typical domestic consumption, medium: 2,700 kWh/yr (FACTS.md). */
    {.path = "load.annual", .kind = V_UNIT, .unit = SIM_UNIT_ENERGY_YEAR,
     FIELD(load.annual_kwh, C_F64), .lo = 1, .hi = 1e5, .def = "2700 kWh/yr",
     .doc = "Mean consumption per household"},
    {.path = "load.spread", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.spread, C_F64),
     .lo = 0, .hi = 2, .def = "40 %", .doc = "Lognormal sigma of the household scale factor"},
    {.path = "load.seasonal_amplitude", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.seasonal_amplitude, C_F64), .lo = 0, .hi = 1, .def = "15 %",
     .doc = "Winter-to-summer swing of demand around its mean"},
    {.path = "load.power_factor", .kind = V_REAL, FIELD(load.power_factor, C_F64),
     .lo = 0.5, .hi = 1, .def = "0.95", .doc = "Power factor of household load"},
    /* crest only; sources in models/grid/load_crest.c and load.c. */
    {.path = "load.gas.annual", .kind = V_UNIT, .unit = SIM_UNIT_ENERGY_YEAR,
     FIELD(load.gas_annual_kwh, C_F64), .lo = 2400, .hi = 1e5, .def = "11500 kWh/yr",
     .doc = "Median gas use of a gas-heated home (Ofgem medium TDCV); crest"},
    {.path = "load.gas.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.gas_share, C_F64),
     .lo = 0, .hi = 1, .def = "85 %", .doc = "Homes heated by mains gas (heat pumps included); crest"},
    {.path = "load.heat_pump.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.hp_share, C_F64), .lo = 0, .hi = 1, .def = "1.5 %",
     .doc = "Homes with a heat pump instead of a gas boiler; crest"},
    {.path = "load.pv.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.pv_share, C_F64),
     .lo = 0, .hi = 1, .def = "6.5 %", .doc = "Houses with rooftop PV; crest"},
    {.path = "load.pv.kwp_median", .kind = V_REAL, FIELD(load.pv_kwp_median, C_F64), .lo = 0.5,
     .hi = 10, .def = "3.5", .doc = "Median PV array size [kWp]; crest"},
    {.path = "load.ev.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.ev_share, C_F64),
     .lo = 0, .hi = 1, .def = "4.7 %", .doc = "Homes charging an EV at home; crest"},
    {.path = "load.ev.charger_power", .kind = V_UNIT, .unit = SIM_UNIT_POWER,
     FIELD(load.ev_charger_w, C_F64), .lo = 1000, .hi = 22000, .def = "7 kW",
     .doc = "Home charger power; crest"},
    {.path = "load.ev.kwh_per_day", .kind = V_REAL, FIELD(load.ev_kwh_per_day, C_F64), .lo = 0,
     .hi = 50, .def = "7", .doc = "Mean energy an EV home charges per day [kWh/d]; crest"},
    {.path = "load.ev.smart_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.ev_smart_share, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "EV homes that charge in the cheapest published periods; crest"},
    /* Demand response (crest): FACTS.md "Prices and demand response". */
    {.path = "load.dr.engaged_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.dr_engaged_share, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "Households that move washing, dishwashing, drying and EV charging to cheaper "
            "published periods (Agile: 28 % of engaged customers shifted markedly)"},
    {.path = "load.dr.response", .kind = V_REAL, FIELD(load.dr_response, C_F64), .lo = 0,
     .hi = 1000, .def = "2", .doc = "Shift probability per unit relative saving (2 gives "
                                    "elasticity -0.26)"},
    {.path = "load.dr.horizon", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(load.dr_horizon_s, C_F64), .lo = 0, .hi = DAYS(1), .def = "12 h",
     .doc = "Latest acceptable finish of a shifted run after it was wanted"},
    {.path = "load.feedback.enabled", .kind = V_BOOL, FIELD(load.feedback, C_BOOL),
     .def = "false", .doc = "Households whose in-home display works (HAN) save energy"},
    {.path = "load.feedback.cut", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.feedback_cut, C_F64), .lo = 0, .hi = 1, .def = "19 %",
     .doc = "Cut of discretionary power (lighting, screens, standby) when the IHD is new "
            "(about 4 % of all use: 3-5 %, seed 004)"},
    {.path = "load.feedback.tau", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(load.feedback_tau_s, C_F64), .lo = 3600, .hi = DAYS(400), .def = "14 d",
     .doc = "Time constant of the fading of the saving (back to normal within weeks, seed 000)"},
    {.path = "load.feedback.installed_before", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(load.feedback_age_s, C_F64), .lo = 0, .hi = DAYS(10000), .def = "0 s",
     .doc = "Age of the IHDs at the run start"},
    {.path = "load.festive_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.festive_share, C_F64), .lo = 0, .hi = 1, .def = "75 %",
     .doc = "Homes with an electric oven that roast a Christmas dinner on 25 December; crest"},
    {.path = "load.clock_bst", .kind = V_BOOL, FIELD(load.clock_bst, C_BOOL), .def = "true",
     .doc = "People live by GMT/BST clock time (else UTC); crest"},

    {.path = "weather.latitude", .kind = V_REAL, FIELD(weather.latitude_deg, C_F64), .lo = 45,
     .hi = 62, .def = "52.5", .doc = "Latitude for households without a region [deg N]; crest"},
    {.path = "weather.csv", .kind = V_STR, FIELD(weather.csv, C_STR), .def = "",
     .doc = "CSV of time,temperature_c,irradiance_w_m2 (path as given); empty: synthetic weather"},

    {.path = "prices.tariff", .kind = V_ENUM, FIELD(prices.tariff, C_STR),
     .choices = "flat|e7|tou|agile|rtp", .def = "flat",
     .doc = "Tariff of every household: flat, Economy 7, static TOU, Agile-style day-ahead, or "
            "real-time pricing"},
    /* GB has about 28-30M households (FACTS.md). */
    {.path = "prices.national_households", .kind = V_INT, FIELD(prices.national_households, C_U32),
     .ilo = 1, .ihi = 100000000, .def = "28000000",
     .doc = "Households the simulated ones stand for when their demand sets real-time prices"},

    {.path = "meter.firmware", .kind = V_STR, FIELD(meter.firmware, C_STR), .def = "",
     .doc = "Firmware image every meter runs: a shared object exporting mm_abi_get (path as "
            "given; the build makes firmware/mm_smets2.so and mm_smets1.so); empty: the build "
            "linked into metersim"},
    {.path = "meter.register_digits", .kind = V_INT, FIELD(meter.register_digits, C_U32),
     .ilo = 6, .ihi = 12, .def = "9", .doc = "Decimal digits of the Wh import register"},
    /* Dithering after restore: up to 2 min at first, 5 min later (FACTS.md, seed 003). */
    {.path = "meter.restore_dither", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(meter.restore_dither_s, C_I64), .lo = 0, .hi = 3600, .def = "2 min",
     .doc = "Window W of the uniform delay [0, W] before a meter's first message after a restore"},

    /* 13 % of smart meters were in prepayment mode at the end of 2022 (FACTS.md). */
    {.path = "meter.prepayment_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(meter.prepayment_share, C_F64), .lo = 0, .hi = 1, .def = "13 %",
     .doc = "Meters in prepayment mode (the rest in credit mode)"},
    /* Unconfirmed default: no published split of smart prepayment top-ups between online
     * (sent over the WAN) and shop/keypad; most GB smart PAYG customers use an app. */
    {.path = "meter.remote_topup_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(meter.remote_topup_share, C_F64), .lo = 0, .hi = 1, .def = "50 %",
     .doc = "Prepayment top-ups bought online and sent to the meter over the WAN (the rest are "
            "UTRNs typed at the meter)"},

    /* A customer loses supply about once every 3 years for about an hour (FACTS.md). */
    {.path = "outages.background", .kind = V_BOOL, FIELD(outages.background, C_BOOL),
     .def = "true", .doc = "Background faults at HV feeder, LV substation and LV feeder level"},
    {.path = "outages.interruptions_per_year", .kind = V_REAL,
     FIELD(outages.interruptions_per_year, C_F64), .lo = 0, .hi = 100, .def = "0.333",
     .doc = "Background interruptions per customer per year"},
    {.path = "outages.mean_duration", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(outages.mean_duration_s, C_F64), .lo = 1, .hi = DAYS(30), .def = "1 h",
     .doc = "Mean repair time of a background fault (lognormal)"},
    {.path = "outages.duration_sigma", .kind = V_REAL, FIELD(outages.duration_sigma, C_F64),
     .lo = 0, .hi = 3, .def = "1", .doc = "Lognormal sigma of background repair times"},
    {.path = "outages.share_hv", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.share_hv, C_F64), .lo = 0, .hi = 1, .def = "55 %",
     .doc = "Share of interruptions from HV feeder faults (shares are normalised)"},
    {.path = "outages.share_lv_substation", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.share_lv_substation, C_F64), .lo = 0, .hi = 1, .def = "15 %",
     .doc = "Share of interruptions from LV substation faults"},
    {.path = "outages.share_lv_feeder", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.share_lv_feeder, C_F64), .lo = 0, .hi = 1, .def = "30 %",
     .doc = "Share of interruptions from LV feeder faults"},
    /* Cold-load pickup can double demand at restoration (ENWL Smart ReStart, FACTS.md). */
    {.path = "outages.cold_load.gain", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.cold_load_gain, C_F64), .lo = 0, .hi = 5, .def = "100 %",
     .doc = "Extra demand at restoration after a long outage, as a share of normal demand"},
    {.path = "outages.cold_load.full_after", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(outages.cold_load_full_s, C_F64), .lo = 1, .hi = DAYS(7), .def = "4 h",
     .doc = "Outage length scale: gain x (1 - exp(-outage / full_after))"},
    {.path = "outages.cold_load.decay", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(outages.cold_load_decay_s, C_F64), .lo = 60, .hi = DAYS(1), .def = "1 h",
     .doc = "Time constant of the decay of cold-load pickup"},

    /* Storm Eunice (Feb 2022): 1.4M off, 1.2M restored within about a day (FACTS.md). */
    {.path = "storm.enabled", .kind = V_BOOL, FIELD(storm.enabled, C_BOOL), .def = "false",
     .doc = "Apply a storm"},
    {.path = "storm.start", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, FIELD(storm.start_s, C_I64),
     .lo = 0, .hi = DAYS(400), .def = "1 h", .doc = "When the storm begins, after the run's start"},
    {.path = "storm.onset", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, FIELD(storm.onset_s, C_I64),
     .lo = 0, .hi = DAYS(7), .def = "6 h", .doc = "Window over which substations lose supply"},
    {.path = "storm.regions", .kind = V_STR, FIELD(storm.regions, C_STR), .def = "all",
     .choices = "\"all\" or region numbers 1..14, e.g. \"1,2\"", .check = check_regions,
     .doc = "Regions the storm hits"},
    {.path = "storm.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(storm.share, C_F64),
     .lo = 0, .hi = 1, .def = "30 %", .doc = "Share of LV substations in those regions that lose supply"},
    {.path = "storm.fast_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(storm.fast_share, C_F64), .lo = 0, .hi = 1, .def = "87 %",
     .doc = "Share of hit substations in the fast restoration group"},
    {.path = "storm.fast_median", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(storm.fast_median_s, C_F64), .lo = 60, .hi = DAYS(30), .def = "5 h",
     .doc = "Median restoration time of the fast group (lognormal)"},
    {.path = "storm.tail_median", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(storm.tail_median_s, C_F64), .lo = 60, .hi = DAYS(60), .def = "3 d",
     .doc = "Median restoration time of the tail (lognormal)"},
    {.path = "storm.sigma", .kind = V_REAL, FIELD(storm.sigma, C_F64), .lo = 0, .hi = 3,
     .def = "0.8", .doc = "Lognormal sigma of restoration times"},

    {.path = "wan.read_start", .kind = V_UNIT, .unit = SIM_UNIT_TIME_OF_DAY,
     FIELD(wan.read_start_s, C_I64), .lo = 0, .hi = 86399, .def = "00:30",
     .doc = "Time of day (UTC) the daily profile reads begin"},
    {.path = "wan.read_window", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.read_window_s, C_I64), .lo = 0, .hi = DAYS(1), .def = "4 h",
     .doc = "Span over which the daily reads are spread"},
    {.path = "wan.profile_read_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.profile_read_bytes, C_U32), .lo = 1, .hi = 16777216, .def = "1 KiB",
     .doc = "Bytes returned by one daily profile read"},
    {.path = "wan.uplink.bandwidth", .kind = V_UNIT, .unit = SIM_UNIT_BIT_RATE,
     FIELD(wan.uplink_bps, C_F64), .lo = 1, .hi = 1e11, .def = "2 Mbit/s",
     .doc = "Bandwidth of each area's uplink (wan.technology: uniform)"},
    {.path = "wan.uplink.latency", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.uplink_latency_s, C_F64), .lo = 0, .hi = 60, .def = "100 ms",
     .doc = "One-way latency of each area's uplink"},
    {.path = "wan.backbone.bandwidth", .kind = V_UNIT, .unit = SIM_UNIT_BIT_RATE,
     FIELD(wan.backbone_bps, C_F64), .lo = 1, .hi = 1e12, .def = "1 Gbit/s",
     .doc = "Bandwidth of the backbone to the head-end"},
    {.path = "wan.backbone.latency", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.backbone_latency_s, C_F64), .lo = 0, .hi = 60, .def = "10 ms",
     .doc = "One-way latency of the backbone"},
    {.path = "wan.technology", .kind = V_ENUM, FIELD(wan.technology, C_STR),
     .choices = "model|uniform", .def = "model",
     .doc = "model: DCC North long-range radio, Central/South cellular with mesh in coverage "
            "holes, SMETS1 over 2G/3G (net/wantech.h); uniform: every area on wan.uplink"},
    /* End 2022: 15.1M SMETS1 and 14.8M SMETS2 (FACTS.md). */
    {.path = "wan.smets1_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(wan.smets1_share, C_F64), .lo = 0, .hi = 1, .def = "50.5 %",
     .doc = "Meters on SMETS1 communications (their supplier's 2G/3G head-end)"},
    {.path = "wan.max_flows", .kind = V_INT, FIELD(wan.max_flows, C_U32), .ilo = 1, .ihi = 1024,
     .def = "8", .doc = "Transfers an area's uplink carries at once; more wait in the cell queue"},
    /* The comms hub sends AD1 after 3 min without power (SEC modification MP102, FACTS.md). */
    {.path = "wan.ad1_delay", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.ad1_delay_s, C_I64), .lo = 0, .hi = 3600, .def = "3 min",
     .doc = "Time without power after which the comms hub sends its power outage alert (AD1)"},
    /* The DCC's shortest round-trip target is 25 s; it gives up after 5 attempts (FACTS.md). */
    {.path = "wan.retry.timeout", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.retry_timeout_s, C_F64), .lo = 1, .hi = 3600, .def = "25 s",
     .doc = "Wait before a hub counts an alert lost on the WAN as failed and sends it again"},
    {.path = "wan.retry.max_attempts", .kind = V_INT, FIELD(wan.retry_attempts, C_U32), .ilo = 1,
     .ihi = 100, .def = "5", .doc = "Sends of one alert in all (backoff 5 s doubling to 5 min, "
                                    "full jitter)"},
    {.path = "wan.outage_alert_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.alert_bytes, C_U32), .lo = 1, .hi = 65536, .def = "200 B",
     .doc = "Bytes of one alert (AD1, restore) on the WAN"},
    /* Long-range radio can broadcast to every meter of a base station (FlexNet); the DCC's
     * cellular and SMETS1 networks address each hub (seed 003/004; FACTS.md). */
    {.path = "wan.price_delivery", .kind = V_ENUM, FIELD(wan.price_delivery, C_STR),
     .choices = "auto|broadcast|unicast", .def = "auto",
     .doc = "How price updates reach meters: auto broadcasts on long-range radio areas and sends "
            "one message per meter elsewhere; broadcast or unicast force one way everywhere"},
    /* Unconfirmed defaults: a GBCS command carries its own headers and the DCC/CSP transport
     * adds framing; no published per-message figure found. */
    {.path = "wan.command_overhead", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.command_overhead_bytes, C_U32), .lo = 0, .hi = 65536, .def = "64 B",
     .doc = "Bytes added on the WAN to each command frame the head-end sends (headers, transport)"},
    {.path = "wan.response_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.response_bytes, C_U32), .lo = 1, .hi = 65536, .def = "128 B",
     .doc = "Bytes of a meter's response to a unicast command on the WAN"},

    /* 2.4 GHz alone reaches ~70 % of premises, dual band ~96.5 % (FACTS.md, seed 003); the
     * share of dual-band hubs installed is not published: a tunable default. */
    {.path = "han.dual_band_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(han.dual_band_share, C_F64), .lo = 0, .hi = 1, .def = "50 %",
     .doc = "Comms hubs that are dual band (2.4 GHz + 868 MHz)"},

    /* No published DCC processing figures: capacities and service times are tunable
     * defaults (net/headend.h), the response targets are the DCC's 25 s / 2 h / 22 h. */
    {.path = "headend.servers", .kind = V_INT, FIELD(headend.servers, C_U32), .ilo = 1,
     .ihi = 1000000, .def = "16", .doc = "Requests the head-end processes in parallel"},
    {.path = "headend.queue_capacity", .kind = V_INT, FIELD(headend.queue_capacity, C_U32),
     .ilo = 0, .ihi = 100000000, .def = "20000",
     .doc = "Requests that may wait for processing; more are dropped"},
    {.path = "headend.discipline", .kind = V_ENUM, FIELD(headend.discipline, C_STR),
     .choices = "fifo|priority", .def = "fifo",
     .doc = "Queue order: first come first served, or by request class (commands first)"},
    {.path = "headend.alert_service", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.alert_service_s, C_F64), .lo = 0, .hi = 3600, .def = "50 ms",
     .doc = "Processing time of one alert (deterministic)"},
    /* No published per-meter rate of on-demand reads: off unless a scenario asks. */
    {.path = "headend.ondemand_reads", .kind = V_REAL, FIELD(headend.ondemand_per_day, C_F64),
     .lo = 0, .hi = 1000, .def = "0",
     .doc = "On-demand register reads the supplier requests per meter per day (Poisson); each "
            "is a WAN command, the meter's answer counts in head-end class ondemand_read"},
    {.path = "headend.read_service", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.read_service_s, C_F64), .lo = 0, .hi = 3600, .def = "200 ms",
     .doc = "Mean processing time of one profile read (exponential)"},
    {.path = "headend.dno_delay", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.dno_delay_s, C_F64), .lo = 0, .hi = DAYS(1), .def = "0 s",
     .doc = "Forwarding delay of restore alerts from the head-end to the DNO"},

    {.path = "trace.events", .kind = V_BOOL, FIELD(trace.events, C_BOOL), .def = "true",
     .doc = "Record alerts, commands and outages in /events"},
    {.path = "trace.compression", .kind = V_INT, FIELD(trace.compression, C_U32),
     .ilo = 0, .ihi = 9, .def = "4", .doc = "Deflate level of the trace datasets"},
    {.path = "trace.chunk_households", .kind = V_INT, FIELD(trace.chunk_households, C_U32),
     .ilo = 1, .ihi = 1000000, .def = "1024", .doc = "Households per HDF5 chunk"},
};
/* clang-format on */

#define NROWS (sizeof rows / sizeof rows[0])

/* ---------------------------------------------------------------------------------------
 * YAML tree: libyaml events turned into nodes that remember where they were written.
 */

enum { Y_SCALAR, Y_MAP, Y_SEQ };

typedef struct ynode {
    int kind;
    bool plain;    /* scalar without quotes: it may be null, a bool or a number */
    int line, col; /* 1-based */
    char *text;    /* scalar; may hold NUL bytes, LEN counts them */
    size_t len;
    char *anchor;        /* collection anchor, registered when the collection ends */
    struct ynode **kids; /* map: key, value, key, value, ... */
    size_t n, cap;
} ynode;

typedef struct ydoc {
    struct ydoc *next;
    char *file;  /* as shown in messages */
    int order;   /* load order, to sort messages */
    ynode *root; /* NULL: empty document */
    ynode **all;
    size_t nall, capall;
    struct {
        char *name;
        ynode *node;
    } anchors[MAX_ANCHORS];
    size_t nanchors, naliases;
} ydoc;

typedef struct err_rec {
    int order, line, col, seq;
    char *text;
} err_rec;

typedef struct slot {
    const ynode *key, *val;
    const ydoc *doc;
    int gen; /* which file or --set wrote it, to catch a key given twice in one mapping */
} slot;

typedef struct loader {
    ydoc *docs;
    int ndocs;
    err_rec errs[MAX_ERRORS];
    int nerr, seq;
    bool fatal; /* a file could not be read or parsed: the merged keys are incomplete */
    slot slots[NROWS];
    int gen;
    struct {
        dev_t dev;
        ino_t ino;
        const char *file;
    } chain[MAX_EXTENDS + 1];
    int depth;
    const ynode *sweep; /* top-level `sweep:` of the main file (or a base), if any */
    const ydoc *sweep_doc;
} loader;

static bool full(const loader *L)
{
    return L->nerr >= MAX_ERRORS;
}

/* Printable, one-line form of user text inside a message, cut to fit BUF with "...". */
static void show(const char *s, size_t n, char *buf, size_t len)
{
    if (len < 8) return;
    size_t o = 0, cut = n < len ? n : len - 4;
    for (size_t i = 0; i < cut; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[o++] = (c >= 0x20 && c != 0x7f) ? (char)c : '?';
    }
    if (cut < n)
        for (int i = 0; i < 3; i++)
            buf[o++] = '.';
    buf[o] = '\0';
}

static void add_error(loader *L, int order, int line, int col, const char *fmt, ...)
{
    if (full(L)) return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    err_rec *e = &L->errs[L->nerr];
    e->text = strdup(text);
    if (!e->text) return;
    e->order = order;
    e->line = line;
    e->col = col;
    e->seq = L->seq++;
    L->nerr++;
}

/* "FILE:LINE:COL: PATH: message" */
static void err_at(loader *L, const ydoc *d, int line, int col, const char *path, const char *fmt,
                   ...)
{
    if (full(L)) return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_error(L, d->order, line, col, "%s:%d:%d: %s: %s", d->file, line, col, path, msg);
}

static ydoc *new_doc(loader *L, const char *file)
{
    ydoc *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->file = strdup(file);
    if (!d->file) {
        free(d);
        return NULL;
    }
    d->order = L->ndocs++;
    d->next = L->docs;
    L->docs = d;
    return d;
}

static void free_doc(ydoc *d)
{
    for (size_t i = 0; i < d->nall; i++) {
        free(d->all[i]->text);
        free(d->all[i]->anchor);
        free(d->all[i]->kids);
        free(d->all[i]);
    }
    for (size_t i = 0; i < d->nanchors; i++)
        free(d->anchors[i].name);
    free(d->all);
    free(d->file);
    free(d);
}

/* Position of mark M.  A --set value (COL_OFF > 0) is one command-line argument: always
 * line 1, the column counted from the start of the argument. */
static void mark_pos(const yaml_mark_t *m, int col_off, int *line, int *col)
{
    if (col_off > 0) {
        *line = 1;
        *col = col_off + 1 + (int)m->index;
    } else {
        *line = (int)m->line + 1;
        *col = (int)m->column + 1;
    }
}

static ynode *new_node(ydoc *d, int kind, const yaml_mark_t *m, int col_off)
{
    if (d->nall == d->capall) {
        size_t cap = d->capall ? d->capall * 2 : 64;
        ynode **all = realloc(d->all, cap * sizeof *all);
        if (!all) return NULL;
        d->all = all;
        d->capall = cap;
    }
    ynode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    mark_pos(m, col_off, &n->line, &n->col);
    d->all[d->nall++] = n;
    return n;
}

static int add_kid(ynode *parent, ynode *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        ynode **k = realloc(parent->kids, cap * sizeof *k);
        if (!k) return -1;
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

static int add_anchor(ydoc *d, const char *name, ynode *n)
{
    if (d->nanchors == MAX_ANCHORS) return -1;
    d->anchors[d->nanchors].name = strdup(name);
    if (!d->anchors[d->nanchors].name) return -1;
    d->anchors[d->nanchors++].node = n;
    return 0;
}

/* The latest definition of an anchor wins (YAML 1.2, 3.2.2.2). */
static ynode *find_anchor(const ydoc *d, const char *name)
{
    for (size_t i = d->nanchors; i-- > 0;)
        if (strcmp(d->anchors[i].name, name) == 0) return d->anchors[i].node;
    return NULL;
}

static void syntax_error(loader *L, const ydoc *d, const yaml_parser_t *p, const unsigned char *buf,
                         size_t len, int col_off, const char *path)
{
    if (p->error == YAML_MEMORY_ERROR) {
        err_at(L, d, 1, 1 + col_off, path, "out of memory");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        int line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (buf[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (col_off > 0) {
            line = 1;
            col = col_off + 1 + (int)p->problem_offset;
        }
        if (p->problem_value >= 0)
            err_at(L, d, line, col, path, "%s (byte 0x%02X); a scenario must be UTF-8",
                   p->problem ? p->problem : "unreadable input", (unsigned)p->problem_value);
        else
            err_at(L, d, line, col, path, "%s", p->problem ? p->problem : "unreadable input");
        return;
    }
    int line, col, cline, ccol;
    mark_pos(&p->problem_mark, col_off, &line, &col);
    mark_pos(&p->context_mark, col_off, &cline, &ccol);
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->context)
        err_at(L, d, line, col, path, "%s (%s that started at %d:%d)", problem, p->context, cline,
               ccol);
    else
        err_at(L, d, line, col, path, "%s", problem);
}

/* Parse BUF into D's tree.  COL_OFF > 0: BUF is a --set value starting at that column.
 * PATH names the error (a key path for --set, "syntax error" for files). */
static int parse_yaml(loader *L, ydoc *d, const unsigned char *buf, size_t len, int col_off,
                      const char *path)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        err_at(L, d, 1, 1, path, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&p, buf, len);

    ynode *stack[MAX_NESTING];
    size_t depth = 0;
    int ndocs = 0, rc = 0;
    bool done = false;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(L, d, &p, buf, len, col_off, path);
            rc = -1;
            break;
        }
        const yaml_mark_t *m = &ev.start_mark;
        int line, col;
        mark_pos(m, col_off, &line, &col);
        ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++ndocs > 1) {
                err_at(L, d, line, col, path,
                       "a second YAML document; a scenario is one document (use extends: to "
                       "share keys)");
                rc = -1;
            }
            break;
        case YAML_ALIAS_EVENT: {
            const char *name = (const char *)ev.data.alias.anchor;
            char shown[64];
            show(name, strlen(name), shown, sizeof shown);
            if (++d->naliases > MAX_ALIASES) {
                err_at(L, d, line, col, path, "more than %d aliases", MAX_ALIASES);
                rc = -1;
            } else if (!(n = find_anchor(d, name))) {
                err_at(L, d, line, col, path,
                       "alias *%s refers to no anchor defined before it (or to a collection "
                       "that contains it)",
                       shown);
                rc = -1;
            }
            break;
        }
        case YAML_SCALAR_EVENT:
            n = new_node(d, Y_SCALAR, m, col_off);
            if (n) {
                n->len = ev.data.scalar.length;
                n->text = malloc(n->len + 1);
                if (n->text) {
                    memcpy(n->text, ev.data.scalar.value, n->len);
                    n->text[n->len] = '\0';
                }
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (!n->text || (ev.data.scalar.anchor &&
                                 add_anchor(d, (const char *)ev.data.scalar.anchor, n) != 0))
                    n = NULL;
            }
            if (!n) {
                err_at(L, d, line, col, path, "out of memory or more than %d anchors", MAX_ANCHORS);
                rc = -1;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool map = ev.type == YAML_MAPPING_START_EVENT;
            const yaml_char_t *anchor =
                map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            if (depth == MAX_NESTING) {
                err_at(L, d, line, col, path, "nested deeper than %d levels", MAX_NESTING);
                rc = -1;
                break;
            }
            n = new_node(d, map ? Y_MAP : Y_SEQ, m, col_off);
            if (n && anchor && !(n->anchor = strdup((const char *)anchor))) n = NULL;
            if (!n) {
                err_at(L, d, line, col, path, "out of memory");
                rc = -1;
            }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                ynode *c = stack[--depth];
                if (c->anchor && add_anchor(d, c->anchor, c) != 0) {
                    err_at(L, d, line, col, path, "more than %d anchors", MAX_ANCHORS);
                    rc = -1;
                }
            }
            break;
        default:
            break;
        }
        if (n && rc == 0) {
            if (depth == 0)
                d->root = n;
            else if (add_kid(stack[depth - 1], n) != 0) {
                err_at(L, d, line, col, path, "out of memory");
                rc = -1;
            }
            if (rc == 0 && n->kind != Y_SCALAR && ev.type != YAML_ALIAS_EVENT) stack[depth++] = n;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Schema look-ups.
 */

static int find_row(const char *path)
{
    for (size_t i = 0; i < NROWS; i++)
        if (strcmp(rows[i].path, path) == 0) return (int)i;
    return -1;
}

/* PATH is a mapping of the schema ("wan", "wan.uplink"). */
static bool is_group(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < NROWS; i++)
        if (strncmp(rows[i].path, path, n) == 0 && rows[i].path[n] == '.') return true;
    return false;
}

/* Names directly under PREFIX ("" for the top level), comma separated, in table order. */
static void children(const char *prefix, char *buf, size_t len)
{
    size_t pn = strlen(prefix), o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NROWS; i++) {
        const char *p = rows[i].path;
        if (pn && (strncmp(p, prefix, pn) != 0 || p[pn] != '.')) continue;
        const char *name = pn ? p + pn + 1 : p;
        size_t nl = strcspn(name, ".");
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            const char *q = rows[j].path;
            if (pn && (strncmp(q, prefix, pn) != 0 || q[pn] != '.')) continue;
            const char *qn = pn ? q + pn + 1 : q;
            seen = strcspn(qn, ".") == nl && strncmp(qn, name, nl) == 0;
        }
        if (seen) continue;
        int w = snprintf(buf + o, len - o, "%s%.*s", o ? ", " : "", (int)nl, name);
        if (w < 0 || (size_t)w >= len - o) return;
        o += (size_t)w;
    }
}

/* Optimal string alignment distance: Levenshtein plus adjacent transpositions, the
 * commonest typing slip ("wna" for "wan"). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64) return SIZE_MAX;
    size_t dist[65][65];
    for (size_t i = 0; i <= na; i++)
        dist[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        dist[0][j] = j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            size_t best = dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (dist[i - 1][j] + 1 < best) best = dist[i - 1][j] + 1;
            if (dist[i][j - 1] + 1 < best) best = dist[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                dist[i - 2][j - 2] + 1 < best)
                best = dist[i - 2][j - 2] + 1;
            dist[i][j] = best;
        }
    }
    return dist[na][nb];
}

static size_t tolerance(const char *s)
{
    size_t n = strlen(s);
    return n <= 3 ? 1 : n <= 6 ? 2 : 3;
}

static void consider(const char *cand, size_t d, size_t limit, size_t *best_d, char *best,
                     size_t len)
{
    if (d <= limit && d < *best_d) {
        *best_d = d;
        snprintf(best, len, "%s", cand);
    }
}

/* Nearest valid key to KEY found under PREFIX: a sibling, any full path near the path
 * written, or any key whose last name matches (a leaf written at the wrong level). */
static bool suggest(const char *prefix, const char *key, char *best, size_t len)
{
    char path[KEY_MAX * 2];
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
    size_t best_d = SIZE_MAX, pn = strlen(prefix);
    for (size_t i = 0; i < NROWS; i++) {
        const char *p = rows[i].path;
        if (*prefix && rows[i].ct == C_NONE) continue;
        /* Every prefix of P that is a key: "wan", "wan.uplink", "wan.uplink.bandwidth". */
        for (const char *e = p; e;) {
            e = strchr(e + 1, '.');
            char cand[KEY_MAX];
            size_t cn = e ? (size_t)(e - p) : strlen(p);
            if (cn >= sizeof cand) break;
            memcpy(cand, p, cn);
            cand[cn] = '\0';
            const char *last = strrchr(cand, '.');
            last = last ? last + 1 : cand;
            bool sibling =
                (pn == 0 && !strchr(cand, '.')) || (pn && strncmp(cand, prefix, pn) == 0 &&
                                                    cand[pn] == '.' && !strchr(cand + pn + 1, '.'));
            if (sibling)
                consider(cand, edit_distance(key, last), tolerance(key), &best_d, best, len);
        }
    }
    for (size_t i = 0; i < NROWS; i++) {
        const char *p = rows[i].path;
        if (rows[i].ct == C_NONE) continue;
        const char *last = strrchr(p, '.');
        last = last ? last + 1 : p;
        consider(p, edit_distance(path, p), tolerance(path), &best_d, best, len);
        /* A name found at another level is a weaker hint: allow one slip fewer. */
        consider(p, edit_distance(key, last), tolerance(key) - (tolerance(key) > 1), &best_d, best,
                 len);
    }
    return best_d != SIZE_MAX;
}

static void unknown_key(loader *L, const ydoc *d, int line, int col, const char *prefix,
                        const char *key, size_t keylen)
{
    char shown[80], path[KEY_MAX + 80], best[KEY_MAX];
    show(key, keylen, shown, sizeof shown);
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", shown);
    if (strlen(key) == keylen && keylen < KEY_MAX && suggest(prefix, key, best, sizeof best)) {
        err_at(L, d, line, col, path, "unknown key; did you mean \"%s\"?", best);
    } else {
        char list[400];
        children(prefix, list, sizeof list);
        err_at(L, d, line, col, path, "unknown key; expected one of: %s", list);
    }
}

static const char *kind_of(const ynode *n)
{
    return n->kind == Y_MAP ? "a mapping" : n->kind == Y_SEQ ? "a sequence" : "a scalar";
}

static bool is_null(const ynode *n)
{
    if (n->kind != Y_SCALAR || !n->plain) return false;
    const char *t = n->text;
    return n->len == 0 || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

/* ---------------------------------------------------------------------------------------
 * Walking the files: record which node gives each leaf; later files override.
 */

static void walk_map(loader *L, const ydoc *d, const ynode *map, const char *prefix)
{
    for (size_t i = 0; i + 1 < map->n && !full(L); i += 2) {
        const ynode *k = map->kids[i], *v = map->kids[i + 1];
        if (k->kind != Y_SCALAR) {
            err_at(L, d, k->line, k->col, *prefix ? prefix : "scenario",
                   "a key must be a plain name, not %s", kind_of(k));
            continue;
        }
        if (!*prefix && strcmp(k->text, "extends") == 0 && k->len == 7)
            continue; /* taken by load_file before the walk */
        if (!*prefix && strcmp(k->text, "sweep") == 0 && k->len == 5) {
            L->sweep = v; /* checked once all files are read; the last one given wins */
            L->sweep_doc = d;
            continue;
        }
        char path[KEY_MAX];
        int w = snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k->text);
        bool fits = w > 0 && (size_t)w < sizeof path && strlen(k->text) == k->len;
        int r = fits ? find_row(path) : -1;
        if (r >= 0) {
            slot *s = &L->slots[r];
            if (s->gen == L->gen)
                err_at(L, d, k->line, k->col, path, "duplicate key (first given at %d:%d)",
                       s->key->line, s->key->col);
            s->key = k;
            s->val = v;
            s->doc = d;
            s->gen = L->gen;
        } else if (fits && k->len > 0 && is_group(path)) {
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j += 2) {
                const ynode *o = map->kids[j];
                if (o->kind == Y_SCALAR && o->len == k->len &&
                    memcmp(o->text, k->text, k->len) == 0) {
                    err_at(L, d, k->line, k->col, path, "duplicate key (first given at %d:%d)",
                           o->line, o->col);
                    dup = true;
                }
            }
            if (dup || is_null(v)) continue;
            if (v->kind == Y_MAP) {
                walk_map(L, d, v, path);
            } else {
                char list[400];
                children(path, list, sizeof list);
                err_at(L, d, v->line, v->col, path, "expected a mapping with keys %s, got %s", list,
                       kind_of(v));
            }
        } else {
            unknown_key(L, d, k->line, k->col, prefix, k->text, k->len);
        }
    }
}

static char *read_all(FILE *f, size_t *len, int *err)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        *err = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_FILE_BYTES) {
                free(buf);
                *err = EFBIG;
                return NULL;
            }
            cap *= 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                *err = ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                *err = errno ? errno : EIO;
                free(buf);
                return NULL;
            }
            break;
        }
    }
    *len = n;
    return buf;
}

static char *join_relative(const char *including, const char *rel)
{
    const char *slash = strrchr(including, '/');
    size_t dn = (rel[0] == '/' || !slash) ? 0 : (size_t)(slash - including) + 1;
    char *p = malloc(dn + strlen(rel) + 1);
    if (p) {
        memcpy(p, including, dn);
        strcpy(p + dn, rel);
    }
    return p;
}

/* Load FILE and, first, its bases.  FROM/FROM_NODE: the extends value that named it. */
static void load_file(loader *L, const char *file, const ydoc *from, const ynode *from_node)
{
    FILE *f = fopen(file, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        int e = errno;
        if (f) fclose(f);
        char shown[300];
        show(file, strlen(file), shown, sizeof shown);
        if (from)
            err_at(L, from, from_node->line, from_node->col, "extends", "cannot open %s: %s", shown,
                   strerror(e));
        else
            add_error(L, -1, 0, 0, "%s: cannot open: %s", file, strerror(e));
        L->fatal = true;
        return;
    }
    for (int i = 0; i < L->depth; i++) {
        if (L->chain[i].dev != st.st_dev || L->chain[i].ino != st.st_ino) continue;
        char cycle[600] = "";
        size_t o = 0;
        for (int j = i; j < L->depth && o < sizeof cycle; j++) {
            int w = snprintf(cycle + o, sizeof cycle - o, "%s -> ", L->chain[j].file);
            o += w > 0 ? (size_t)w : 0;
        }
        if (o < sizeof cycle) snprintf(cycle + o, sizeof cycle - o, "%s", file);
        err_at(L, from, from_node->line, from_node->col, "extends", "cycle: %s", cycle);
        fclose(f);
        L->fatal = true;
        return;
    }
    if (L->depth > MAX_EXTENDS) {
        err_at(L, from, from_node->line, from_node->col, "extends",
               "more than %d files in the extends chain", MAX_EXTENDS);
        fclose(f);
        L->fatal = true;
        return;
    }
    size_t len = 0;
    int e = 0;
    char *buf = read_all(f, &len, &e);
    fclose(f);
    ydoc *d = buf ? new_doc(L, file) : NULL;
    if (!d) {
        if (from)
            err_at(L, from, from_node->line, from_node->col, "extends", "cannot read %s: %s", file,
                   strerror(e ? e : ENOMEM));
        else
            add_error(L, -1, 0, 0, "%s: cannot read: %s", file, strerror(e ? e : ENOMEM));
        free(buf);
        L->fatal = true;
        return;
    }
    int rc = parse_yaml(L, d, (const unsigned char *)buf, len, 0, "syntax error");
    free(buf);
    if (rc != 0) {
        L->fatal = true;
        return;
    }
    const ynode *root = d->root;
    if (!root || is_null(root)) return;
    if (root->kind != Y_MAP) {
        err_at(L, d, root->line, root->col, "scenario",
               "expected a mapping of keys such as \"name: demo\", got %s", kind_of(root));
        L->fatal = true;
        return;
    }

    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const ynode *k = root->kids[i], *v = root->kids[i + 1];
        if (k->kind != Y_SCALAR || k->len != 7 || strcmp(k->text, "extends") != 0) continue;
        if (v->kind != Y_SCALAR || is_null(v) || strlen(v->text) != v->len || v->len == 0) {
            err_at(L, d, v->line, v->col, "extends", "expected a file name, got %s",
                   v->kind == Y_SCALAR ? "nothing" : kind_of(v));
            L->fatal = true;
            return;
        }
        char *base = join_relative(file, v->text);
        if (!base) {
            err_at(L, d, v->line, v->col, "extends", "out of memory");
            L->fatal = true;
            return;
        }
        L->chain[L->depth].dev = st.st_dev;
        L->chain[L->depth].ino = st.st_ino;
        L->chain[L->depth].file = d->file;
        L->depth++;
        load_file(L, base, d, v);
        L->depth--;
        free(base);
        break; /* a second extends: is reported by the walk as a duplicate */
    }
    bool seen = false;
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const ynode *k = root->kids[i];
        if (k->kind == Y_SCALAR && k->len == 7 && strcmp(k->text, "extends") == 0) {
            if (seen) err_at(L, d, k->line, k->col, "extends", "duplicate key");
            seen = true;
        }
    }
    L->gen++;
    walk_map(L, d, root, "");
}

/* --set number I: "key.path=value" */
static void apply_set(loader *L, const char *arg, size_t i)
{
    ydoc tmp = {.file = "--set", .order = (1 << 20) + (int)(i % (1u << 20))};
    ydoc *where = &tmp;
    const char *eq = strchr(arg, '=');
    char shown[80];
    if (!eq || eq == arg) {
        show(arg, strlen(arg), shown, sizeof shown);
        err_at(L, where, 1, 1, *shown ? shown : "(empty)", "expected key.path=value");
        return;
    }
    char key[KEY_MAX];
    size_t kn = (size_t)(eq - arg);
    if (kn >= sizeof key) {
        show(arg, kn, shown, sizeof shown);
        err_at(L, where, 1, 1, shown, "unknown key");
        return;
    }
    memcpy(key, arg, kn);
    key[kn] = '\0';
    int r = find_row(key);
    if (r >= 0 && rows[r].ct == C_NONE) {
        err_at(L, where, 1, 1, key, "cannot be given with --set; write it in the file");
        return;
    }
    if (r < 0) {
        show(key, kn, shown, sizeof shown);
        if (is_group(key)) {
            char list[400];
            children(key, list, sizeof list);
            err_at(L, where, 1, 1, shown, "is a mapping; set one of its keys: %s", list);
            return;
        }
        /* Suggest among the siblings when the mapping above the key is valid. */
        char prefix[KEY_MAX];
        snprintf(prefix, sizeof prefix, "%s", key);
        char *dot = strrchr(prefix, '.');
        const char *last = key;
        if (dot) {
            *dot = '\0';
            if (is_group(prefix))
                last = key + (dot - prefix) + 1;
            else
                prefix[0] = '\0';
        } else {
            prefix[0] = '\0';
        }
        unknown_key(L, where, 1, 1, prefix, last, strlen(last));
        return;
    }
    ydoc *d = new_doc(L, "--set");
    if (!d) {
        err_at(L, where, 1, 1, key, "out of memory");
        return;
    }
    d->order = tmp.order;
    const char *val = eq + 1;
    int col_off = (int)(val - arg);
    if (parse_yaml(L, d, (const unsigned char *)val, strlen(val), col_off, key) != 0) return;
    if (!d->root) {
        yaml_mark_t m = {0, 0, 0};
        ynode *n = new_node(d, Y_SCALAR, &m, col_off);
        if (!n || !(n->text = calloc(1, 1))) {
            err_at(L, where, 1, 1, key, "out of memory");
            return;
        }
        n->plain = true;
        d->root = n;
    }
    L->gen++;
    L->slots[r] = (slot){.key = d->root, .val = d->root, .doc = d, .gen = L->gen};
}

/* ---------------------------------------------------------------------------------------
 * Converting one value and storing it.
 */

static void expect_text(const key_row *r, char *buf, size_t len)
{
    switch (r->kind) {
    case V_STR:
        snprintf(buf, len, "a string");
        break;
    case V_NAME:
        snprintf(buf, len, "a name");
        break;
    case V_ENUM:
        snprintf(buf, len, "one of: %s", r->choices);
        for (char *p = buf; (p = strchr(p, '|'));)
            *p = ',';
        break;
    case V_BOOL:
        snprintf(buf, len, "true or false");
        break;
    case V_INT:
        snprintf(buf, len, "an integer");
        break;
    case V_REAL:
        snprintf(buf, len, "a number");
        break;
    case V_UNIT:
        snprintf(buf, len, "%s %s such as \"%s\"",
                 strchr("aeiouAEIOU", sim_unit_name(r->unit)[0]) ? "an" : "a",
                 sim_unit_name(r->unit), sim_unit_example(r->unit));
        break;
    }
}

/* Shortest text that reads back to V; whole numbers below 1e15 without an exponent. */
static void fmt_real(double v, char *buf, size_t len)
{
    if (v == (double)(long long)v && fabs(v) < 1e15) {
        snprintf(buf, len, "%lld", (long long)v);
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static void range_text(const key_row *r, char *buf, size_t len)
{
    char lo[40], hi[40], step[40];
    switch (r->kind) {
    case V_STR:
        if (r->choices)
            snprintf(buf, len, "%s", r->choices);
        else if (r->ct == C_NONE)
            snprintf(buf, len, "a file name");
        else
            snprintf(buf, len, "up to %zu bytes", r->size - 1);
        break;
    case V_NAME:
        snprintf(buf, len, "1..%zu characters of A-Z a-z 0-9 _ . -", r->size - 1);
        break;
    case V_ENUM:
        snprintf(buf, len, "%s", r->choices);
        for (char *p = buf; (p = strchr(p, '|'));)
            *p = ',';
        break;
    case V_BOOL:
        snprintf(buf, len, "true, false");
        break;
    case V_INT:
        snprintf(buf, len, "%" PRId64 "..%" PRId64, r->ilo, r->ihi);
        break;
    case V_REAL:
        fmt_real(r->lo, lo, sizeof lo);
        fmt_real(r->hi, hi, sizeof hi);
        snprintf(buf, len, "%s..%s", lo, hi);
        break;
    case V_UNIT:
        sim_unit_format(r->unit, r->lo, lo, sizeof lo);
        sim_unit_format(r->unit, r->hi, hi, sizeof hi);
        if (r->step > 0 && r->unit == SIM_UNIT_DATE) {
            snprintf(buf, len, "%s..%s, on a :00 or :30 boundary", lo, hi);
        } else if (r->step > 0) {
            sim_unit_format(r->unit, r->step, step, sizeof step);
            snprintf(buf, len, "%s..%s, a multiple of %s", lo, hi, step);
        } else {
            snprintf(buf, len, "%s..%s", lo, hi);
        }
        break;
    }
}

static void store(const key_row *r, sim_scenario *sc, const char *s, size_t slen, double v,
                  int64_t i, bool b)
{
    void *f = (char *)sc + r->off;
    switch (r->ct) {
    case C_NONE:
        break;
    case C_STR:
        memset(f, 0, r->size);
        if (s) memcpy(f, s, slen < r->size ? slen : r->size - 1);
        break;
    case C_BOOL:
        *(bool *)f = b;
        break;
    case C_U32:
        *(uint32_t *)f = (uint32_t)i;
        break;
    case C_U64:
        *(uint64_t *)f = (uint64_t)i;
        break;
    case C_I64:
        *(int64_t *)f = i;
        break;
    case C_F64:
        *(double *)f = v;
        break;
    }
}

/* Decimal integer, optional sign; *OVERFLOW set when it does not fit int64. */
static bool parse_int(const char *t, int64_t *out, bool *overflow)
{
    const char *p = t;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-') p++;
    if (!*p) return false;
    uint64_t v = 0;
    *overflow = false;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned dgt = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            *overflow = true;
        else
            v = v * 10 + dgt;
    }
    if (!*overflow && !neg && v > (uint64_t)INT64_MAX) *overflow = true;
    if (!*overflow && neg && v > (uint64_t)INT64_MAX + 1) *overflow = true;
    if (!*overflow) *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool parse_real(const char *t, double *out)
{
    const char *p = t;
    if (*p == '+' || *p == '-') p++;
    size_t nd = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        nd++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            nd++;
    if (nd == 0) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p) return false;
    *out = strtod(t, NULL);
    return true;
}

static const char *base_unit_plural(sim_unit u)
{
    return u == SIM_UNIT_DATA_SIZE ? "bytes" : "seconds";
}

static void convert(loader *L, const key_row *r, const ynode *v, const ydoc *d, sim_scenario *sc)
{
    const char *path = r->path;
    char expect[80], range[120], shown[80];
    expect_text(r, expect, sizeof expect);
    if (v->kind != Y_SCALAR) {
        err_at(L, d, v->line, v->col, path, "expected %s, got %s", expect, kind_of(v));
        return;
    }
    const char *t = v->text;
    show(t, v->len, shown, sizeof shown);
    if (strlen(t) != v->len) {
        err_at(L, d, v->line, v->col, path, "contains a NUL character");
        return;
    }
    bool null = is_null(v);
    if (null && r->kind != V_STR && r->kind != V_NAME && r->kind != V_UNIT) {
        err_at(L, d, v->line, v->col, path, "expected %s, got no value", expect);
        return;
    }
    bool quoted = !v->plain;
    if (quoted && (r->kind == V_BOOL || r->kind == V_INT || r->kind == V_REAL)) {
        err_at(L, d, v->line, v->col, path, "expected %s, got the quoted string \"%s\"", expect,
               shown);
        return;
    }
    range_text(r, range, sizeof range);

    switch (r->kind) {
    case V_STR:
        if (null) t = "";
        if (strlen(t) >= r->size) {
            err_at(L, d, v->line, v->col, path, "longer than %zu bytes", r->size - 1);
            return;
        }
        if (r->check) {
            char why[160];
            if (r->check(t, why, sizeof why) != 0) {
                err_at(L, d, v->line, v->col, path, "\"%s\": %s", shown, why);
                return;
            }
        }
        store(r, sc, t, strlen(t), 0, 0, false);
        return;
    case V_NAME: {
        size_t n = null ? 0 : v->len;
        if (n == 0 || n >= r->size) {
            err_at(L, d, v->line, v->col, path, "must be %s", range);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            char c = t[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-')) {
                err_at(L, d, v->line, v->col, path,
                       "\"%s\" may only contain A-Z a-z 0-9 _ . - (it names output files)", shown);
                return;
            }
        }
        store(r, sc, t, n, 0, 0, false);
        return;
    }
    case V_ENUM: {
        const char *c = r->choices;
        while (*c) {
            size_t n = strcspn(c, "|");
            if (n == v->len && memcmp(c, t, n) == 0) {
                store(r, sc, t, n, 0, 0, false);
                return;
            }
            c += n + (c[n] == '|');
        }
        err_at(L, d, v->line, v->col, path, "expected %s, got \"%s\"", expect, shown);
        return;
    }
    case V_BOOL:
        if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE")) {
            store(r, sc, NULL, 0, 0, 0, true);
        } else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE")) {
            store(r, sc, NULL, 0, 0, 0, false);
        } else {
            err_at(L, d, v->line, v->col, path, "expected true or false, got \"%s\"", shown);
        }
        return;
    case V_INT: {
        int64_t i = 0;
        bool overflow = false;
        if (!parse_int(t, &i, &overflow)) {
            err_at(L, d, v->line, v->col, path, "expected an integer, got \"%s\"", shown);
            return;
        }
        if (overflow || i < r->ilo || i > r->ihi) {
            err_at(L, d, v->line, v->col, path, "%s is out of range (%s)", shown, range);
            return;
        }
        store(r, sc, NULL, 0, (double)i, i, false);
        return;
    }
    case V_REAL: {
        double x;
        if (!parse_real(t, &x)) {
            err_at(L, d, v->line, v->col, path, "expected a number, got \"%s\"", shown);
            return;
        }
        if (!(x >= r->lo && x <= r->hi)) {
            err_at(L, d, v->line, v->col, path, "%s is out of range (%s)", shown, range);
            return;
        }
        store(r, sc, NULL, 0, x, 0, false);
        return;
    }
    case V_UNIT: {
        double x;
        char why[200];
        if (sim_unit_parse(r->unit, null ? "" : t, &x, why, sizeof why) != 0) {
            err_at(L, d, v->line, v->col, path, "%s", why);
            return;
        }
        if (!(x >= r->lo && x <= r->hi)) {
            err_at(L, d, v->line, v->col, path, "\"%s\" is out of range (%s)", shown, range);
            return;
        }
        bool integral = r->ct == C_I64 || r->ct == C_U32;
        if (integral && x != floor(x)) {
            err_at(L, d, v->line, v->col, path, "\"%s\" is not a whole number of %s", shown,
                   base_unit_plural(r->unit));
            return;
        }
        if (r->step > 0 && fmod(x, r->step) != 0 && r->unit == SIM_UNIT_DATE) {
            err_at(L, d, v->line, v->col, path,
                   "\"%s\" is not on a settlement period boundary (:00 or :30 UTC)", shown);
            return;
        }
        if (r->step > 0 && fmod(x, r->step) != 0) {
            char step[40];
            sim_unit_format(r->unit, r->step, step, sizeof step);
            err_at(L, d, v->line, v->col, path,
                   "\"%s\" is not a whole number of %s settlement periods", shown, step);
            return;
        }
        store(r, sc, NULL, 0, x, (int64_t)x, false);
        return;
    }
    }
}

/* ---------------------------------------------------------------------------------------
 * Text output: the resolved scenario and the reference table.
 */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void sb_quoted(sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sb_printf(b, "\\n");
        else if (*p == '\t')
            sb_printf(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(b, "\\x%02X", *p);
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

/* The value of row R in SC as a file would write it. */
static void value_text(const key_row *r, const sim_scenario *sc, sbuf *b)
{
    const void *f = (const char *)sc + r->off;
    char num[48];
    double x = 0;
    switch (r->ct) {
    case C_NONE:
        return;
    case C_STR:
        if (r->kind == V_ENUM)
            sb_printf(b, "%s", (const char *)f);
        else
            sb_quoted(b, (const char *)f);
        return;
    case C_BOOL:
        sb_printf(b, "%s", *(const bool *)f ? "true" : "false");
        return;
    case C_U32:
        x = *(const uint32_t *)f;
        if (r->kind == V_INT) {
            sb_printf(b, "%" PRIu32, *(const uint32_t *)f);
            return;
        }
        break;
    case C_U64:
        sb_printf(b, "%" PRIu64, *(const uint64_t *)f);
        return;
    case C_I64:
        x = (double)*(const int64_t *)f;
        if (r->kind == V_INT) {
            sb_printf(b, "%" PRId64, *(const int64_t *)f);
            return;
        }
        break;
    case C_F64:
        x = *(const double *)f;
        if (r->kind == V_REAL) {
            fmt_real(x, num, sizeof num);
            sb_printf(b, "%s", num);
            return;
        }
        break;
    }
    if (sim_unit_format(r->unit, x, num, sizeof num) != 0) snprintf(num, sizeof num, "?");
    /* Quoted so that YAML 1.1 readers do not take "00:30" for the base-60 integer 30. */
    if (r->unit == SIM_UNIT_TIME_OF_DAY)
        sb_printf(b, "\"%s\"", num);
    else
        sb_printf(b, "%s", num);
}

/* Number of leading path components A and B share ("wan.uplink.x", "wan.backbone.y": 1). */
static int shared_groups(const char *a, const char *b)
{
    int n = 0;
    for (;;) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        if (!a[la] || !b[lb] || la != lb || strncmp(a, b, la) != 0) return n;
        n++;
        a += la + 1;
        b += lb + 1;
    }
}

static char *resolved_text(const sim_scenario *sc, const char *path)
{
    sbuf b = {0};
    char shown[1100];
    show(path, strlen(path), shown, sizeof shown);
    sb_printf(&b, "# resolved by metersim from %s\n", shown);
    const char *prev = "";
    for (size_t i = 0; i < NROWS; i++) {
        const key_row *r = &rows[i];
        if (r->ct == C_NONE) continue;
        int keep = shared_groups(prev, r->path), level = 0;
        const char *p = r->path;
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1, level++)
            if (level >= keep) sb_printf(&b, "%*s%.*s:\n", 2 * level, "", (int)(dot - p), p);
        sb_printf(&b, "%*s%s: ", 2 * level, "", p);
        value_text(r, sc, &b);
        sb_printf(&b, "\n");
        prev = r->path;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

int sim_scenario_reference(char **out_markdown)
{
    if (!out_markdown) return -1;
    *out_markdown = NULL;
    sbuf b = {0};
    sb_printf(&b, "| Key | Type | Default | Range | Description |\n");
    sb_printf(&b, "|-----|------|---------|-------|-------------|\n");
    for (size_t i = 0; i < NROWS; i++) {
        const key_row *r = &rows[i];
        static const char *const kind_names[] = {
            [V_STR] = "string",  [V_NAME] = "name",   [V_ENUM] = "enum", [V_BOOL] = "bool",
            [V_INT] = "integer", [V_REAL] = "number", [V_UNIT] = "",
        };
        const char *kind = r->kind == V_UNIT ? sim_unit_name(r->unit) : kind_names[r->kind];
        char range[160];
        range_text(r, range, sizeof range);
        sb_printf(&b, "| `%s` | %s | ", r->path, kind);
        if (!r->def)
            sb_printf(&b, "required");
        else if (r->ct == C_NONE)
            sb_printf(&b, "none");
        else if (!*r->def)
            sb_printf(&b, "`\"\"`");
        else
            sb_printf(&b, "`%s`", r->def);
        sb_printf(&b, " | %s | %s |\n", range, r->doc);
    }
    if (b.oom) {
        free(b.s);
        return -1;
    }
    *out_markdown = b.s;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Loading.
 */

static int cmp_err(const void *a, const void *b)
{
    const err_rec *x = a, *y = b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void write_errors(loader *L, char *err, size_t errlen)
{
    qsort(L->errs, (size_t)L->nerr, sizeof L->errs[0], cmp_err);
    size_t o = 0;
    if (err && errlen > 0) err[0] = '\0';
    for (int i = 0; i < L->nerr; i++) {
        if (err && errlen > 0 && o < errlen) {
            int w = snprintf(err + o, errlen - o, "%s%s", i ? "\n" : "", L->errs[i].text);
            o += w > 0 ? (size_t)w : 0;
        }
        free(L->errs[i].text);
    }
}

static void free_loader(loader *L)
{
    for (ydoc *d = L->docs, *next; d; d = next) {
        next = d->next;
        free_doc(d);
    }
}

/* `sweep: {key: a.b, values: [v1, v2, ...]}`: one run per value of one key.  Each value
 * is checked as that key would be, so errors point at the value in the file. */
static void check_sweep(loader *L, sim_scenario *sc)
{
    const ynode *m = L->sweep;
    const ydoc *d = L->sweep_doc;
    const ynode *key = NULL, *values = NULL;
    if (m->kind != Y_MAP) {
        err_at(L, d, m->line, m->col, "sweep", "expected a mapping with keys key, values, got %s",
               kind_of(m));
        return;
    }
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const ynode *k = m->kids[i];
        if (k->kind == Y_SCALAR && strcmp(k->text, "key") == 0)
            key = m->kids[i + 1];
        else if (k->kind == Y_SCALAR && strcmp(k->text, "values") == 0)
            values = m->kids[i + 1];
        else
            err_at(L, d, k->line, k->col, "sweep", "unknown key; expected key or values");
    }
    if (!key || !values) {
        err_at(L, d, m->line, m->col, "sweep", "needs both key and values");
        return;
    }
    int r = key->kind == Y_SCALAR ? find_row(key->text) : -1;
    if (r < 0 || rows[r].ct == C_NONE || strcmp(key->text, "name") == 0) {
        err_at(L, d, key->line, key->col, "sweep.key", "\"%s\" is not a scenario key that can be swept",
               key->kind == Y_SCALAR ? key->text : kind_of(key));
        return;
    }
    if (values->kind != Y_SEQ || values->n == 0 || values->n > SIM_SWEEP_MAX) {
        err_at(L, d, values->line, values->col, "sweep.values",
               "expected a list of 1..%d values", SIM_SWEEP_MAX);
        return;
    }
    snprintf(sc->sweep_key, sizeof sc->sweep_key, "%s", key->text);
    sim_scenario *scratch = calloc(1, sizeof *scratch);
    if (!scratch) return;
    for (size_t i = 0; i < values->n; i++) {
        const ynode *v = values->kids[i];
        int before = L->nerr;
        convert(L, &rows[r], v, d, scratch);
        if (L->nerr != before) continue;
        if (v->len >= sizeof sc->sweep_values[0]) {
            err_at(L, d, v->line, v->col, "sweep.values", "value longer than %zu bytes",
                   sizeof sc->sweep_values[0] - 1);
            continue;
        }
        snprintf(sc->sweep_values[sc->n_sweep++], sizeof sc->sweep_values[0], "%s", v->text);
    }
    free(scratch);
}

int sim_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_scenario **out,
                      char *err, size_t errlen)
{
    if (err && errlen > 0) err[0] = '\0';
    if (out) *out = NULL;
    if (!path || !out || (nsets > 0 && !sets)) {
        if (err && errlen > 0) snprintf(err, errlen, "sim_scenario_load: no scenario file given");
        return -1;
    }
    loader *L = calloc(1, sizeof *L);
    sim_scenario *sc = calloc(1, sizeof *sc);
    if (!L || !sc) {
        free(L);
        free(sc);
        if (err && errlen > 0) snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    for (size_t i = 0; i < NROWS; i++)
        L->slots[i].gen = -1;

    load_file(L, path, NULL, NULL);
    for (size_t i = 0; i < nsets; i++)
        apply_set(L, sets[i] ? sets[i] : "", i);

    if (!L->fatal) {
        const ydoc *main_doc = NULL;
        for (const ydoc *d = L->docs; d; d = d->next)
            if (d->order == 0) main_doc = d;
        for (size_t i = 0; i < NROWS && main_doc; i++) {
            const key_row *r = &rows[i];
            const slot *s = &L->slots[i];
            if (r->ct == C_NONE) continue;
            if (s->val) {
                convert(L, r, s->val, s->doc, sc);
            } else if (!r->def) {
                char expect[80], range[120];
                expect_text(r, expect, sizeof expect);
                range_text(r, range, sizeof range);
                const ynode *root = main_doc->root;
                int line = root && root->kind == Y_MAP ? root->line : 1;
                int col = root && root->kind == Y_MAP ? root->col : 1;
                err_at(L, main_doc, line, col, r->path, "missing required key (%s, %s)", expect,
                       range);
            } else {
                ynode n = {.kind = Y_SCALAR,
                           .plain = r->kind != V_STR,
                           .text = (char *)r->def,
                           .len = strlen(r->def)};
                ydoc def = {.file = "<default>", .order = 1 << 30};
                convert(L, r, &n, &def, sc);
            }
        }
    }

    if (!L->fatal && L->sweep) check_sweep(L, sc);
    int rc = L->nerr > 0 ? -1 : 0;
    if (rc == 0) {
        snprintf(sc->source_path, sizeof sc->source_path, "%s", path);
        sc->resolved_yaml = resolved_text(sc, path);
        if (!sc->resolved_yaml) {
            add_error(L, 0, 0, 0, "%s: out of memory", path);
            rc = -1;
        }
    }
    write_errors(L, err, errlen);
    free_loader(L);
    free(L);
    if (rc != 0) {
        sim_scenario_destroy(sc);
        return -1;
    }
    *out = sc;
    return 0;
}

void sim_scenario_destroy(sim_scenario *sc)
{
    if (!sc) return;
    free(sc->resolved_yaml);
    free(sc);
}
