/* Household load models: what each household draws from the grid, as a piecewise
 * constant (P, Q) that changes only at events.
 *
 * A model is a table of operations the engine calls (the ROSS tw_lptype idea): it keeps
 * shared, read-only data in its model object and per-household state in a record of
 * `hh_size` bytes that the engine allocates in its area arrays.  Stepping a household
 * applies every change due at `now` and says when the next one is due, so the engine
 * advances meters from event to event and never ticks.
 *
 * Every draw comes from the household's own stream (sim/rng.h), derived from
 * (seed, household id, model name): results do not depend on which area or rank
 * runs a household, nor in what order.
 *
 * Models: "basic" (the foundation's Poisson appliance model, load_basic.c) and "crest"
 * (occupancy Markov chain, appliances, lighting, weather, gas, PV, EV and heat pumps in
 * the spirit of the CREST demand model, load_crest.c).  Operations after hh_step are
 * optional (NULL in models that lack them), so older models and callers keep working.
 *
 * Not here: meters, networks, trace writing.
 */
#ifndef GRID_LOAD_H
#define GRID_LOAD_H

#include "sim/ckpt.h"

#include <stddef.h>
#include <stdint.h>

#define GRID_NEVER UINT32_MAX /* "no further change within the run" */

typedef struct grid_load_params {
    uint64_t seed;
    int64_t start_unix;        /* simulated start, UTC [s] */
    int64_t duration_s;        /* span of the run [s] */
    double annual_kwh;         /* population mean consumption [kWh/yr] */
    double spread;             /* lognormal sigma of the household scale factor [-] */
    double seasonal_amplitude; /* winter/summer swing of activity, fraction of mean [-] */
    double power_factor;       /* of motor and electronic loads [-] */

    /* Read by the "crest" model only (it uses annual_kwh and spread too, see load_crest.c);
     * grid_load_params_default() fills every field with its documented default. */
    double size_mix[5];      /* shares of households of 1..5 occupants [-], sum 1 */
    double flat_share;       /* share of flats where the caller gives no dwelling [-] */
    double latitude_deg;     /* latitude of region 0, "GB unspecified" [deg N] */
    const char *weather_csv; /* time,temperature_c,irradiance_w_m2 file; NULL: synthetic */
    /* bit r: households of region r (grid_hh_ctx.region) may be stepped; 0: all regions
     * (grid_weather_params.regions: the weather of the others is not drawn) */
    uint32_t weather_regions;
    int clock_bst;           /* 1: people live by GMT/BST clock time; 0: by UTC */
    double gas_annual_kwh;   /* median gas use of a gas-heated home [kWh/yr] */
    double gas_share;        /* share of homes on mains-gas heating, heat pumps included [-] */
    double hp_share;         /* share of homes with a heat pump instead of gas [-] */
    int heating_start_yday;  /* heating season from this day of year (0-based) [d] */
    int heating_end_yday;    /* ... to this one, wrapping over the new year [d] */
    double festive_share;    /* share of electric-oven homes cooking a Christmas dinner [-] */
    double pv_share;         /* share of houses (not flats) with rooftop PV [-] */
    double pv_kwp_median;    /* median array size [kWp] */
    double pv_kwp_sigma;     /* lognormal sigma of array size [-] */
    double ev_share;         /* share of homes charging an EV at home [-] */
    double ev_charger_kw;    /* home charger power [kW] */
    double ev_kwh_per_day;   /* mean energy charged per day by an EV home [kWh/d] */
    double ev_smart_share;   /* share of EV homes that smart-charge [-] */
    /* Price signal for smart charging: the retail price of settlement period K (numbered
     * from the run start) as the household being stepped knows it at the time of the call
     * [any unit, lower is cheaper], or NAN when not yet published.  Called only from
     * hh_step (while planning a charge or a deferrable start, for periods up to a day
     * ahead), with CTX the price context its caller passed to that hh_step, untouched.
     * What a household knows can differ from its neighbour's (prices reach meters at
     * different times), so the context is per call, not per model: the model never keeps
     * it beyond the call.  The hook must be deterministic (same answer for the same CTX
     * contents and K whenever asked after publication), safe to call from every area, and
     * accept CTX NULL (callers that know no prices, e.g. tests) with NAN or a price of its
     * own.  NULL: smart chargers start between 00:30 and 01:00 local time (an Economy 7
     * style timer) and no household follows prices. */
    double (*price)(const void *ctx, uint32_t period);

    /* Demand response ("crest" only; crest_dr.c gives the rules and
     * sources).  Engaged households read `price` above, and only what it has published.
     * Defaults leave it off (no household engaged, feedback disabled), and then every
     * result is exactly what it was before these fields existed. */
    double dr_engaged_share;        /* share of households that follow prices [-], 0..1 */
    double dr_response;             /* shift probability per unit relative saving [-], >= 0 */
    double dr_horizon_h;            /* latest acceptable finish of a washer/dishwasher run after
                                     * the household wanted it started [h], 0..24 */
    int feedback_enabled;           /* 1: households with a working IHD (grid_hh_ctx.ihd) save */
    double feedback_cut;            /* cut of discretionary power on installation day [-], 0..1 */
    double feedback_tau_days;       /* e-folding time of the cut [d], > 0 */
    double feedback_days_installed; /* IHD age at the run start [d]; < 0: installed later */
} grid_load_params;

/* What the engine knows about a household when it initialises it. */
#define GRID_DWELLING_UNKNOWN 0xFF
typedef struct grid_hh_ctx {
    uint64_t id;      /* global household id: the random streams' entity */
    uint16_t region;  /* 1..14: DNO licence area (topology region + 1); 0: unknown */
    uint8_t dwelling; /* grid_dwelling (topology.h: 0 house, 1 flat) or GRID_DWELLING_UNKNOWN */
    uint8_t ihd;      /* 1: a working in-home display (the HAN reaches it); 0: none or
                       * unreachable, so no feedback.  Zero-initialised callers get 0. */
    uint8_t dr_own;   /* 1: dr_share is this household's population's; 0: the model's */
    double dr_share;  /* share of its population following prices (dr_engaged_share) */
} grid_hh_ctx;

typedef enum grid_heating {
    GRID_HEAT_UNMODELLED = 0, /* the model does not say (basic) */
    GRID_HEAT_GAS = 1,        /* mains-gas boiler: space heating and hot water */
    GRID_HEAT_HP = 2,         /* air-source heat pump: space heating and hot water */
    GRID_HEAT_OTHER = 3,      /* oil, LPG, solid fuel, storage heaters: not modelled */
} grid_heating;

/* Static attributes of a household, for the trace's /households table. */
typedef struct grid_hh_attrs {
    uint8_t occupants;  /* 1..5 [-] */
    uint8_t dwelling;   /* grid_dwelling */
    uint8_t heating;    /* grid_heating */
    uint8_t ev;         /* 0 none, 1 charges on arrival, 2 smart-charges */
    float pv_kwp;       /* array size, 0 without PV [kWp] */
    float ev_kwh_day;   /* mean energy charged per day [kWh/d] */
    uint8_t dr_engaged; /* 1: follows prices (shifts washing, dishwashing, EV charging) */
} grid_hh_attrs;

/* Energy by end use since the household's init, integrated up to its last step. */
typedef struct grid_hh_totals {
    double gas_wh;     /* gas burnt (space heating and hot water) [Wh] */
    double pv_wh;      /* PV generation, whether used at home or exported [Wh] */
    double hp_elec_wh; /* heat pump electricity [Wh] */
    double hp_heat_wh; /* heat the heat pump delivered [Wh] */
    double ev_wh;      /* EV charging [Wh] */
} grid_hh_totals;

typedef struct grid_load_ops {
    const char *name;
    size_t hh_size; /* bytes of per-household state */
    int (*create)(const grid_load_params *p, void **model, char *err, size_t errlen);
    void (*destroy)(void *model);
    /* Initialise household HH_ID at time 0; its power then, and its first change [s].
     * Initialisation plans nothing that depends on prices (first plans are made by
     * hh_step), so it takes no price context. */
    uint32_t (*hh_init)(const void *model, void *hh, uint64_t hh_id, int32_t *p_mw,
                        int32_t *q_mvar);
    /* Apply every change due at or before NOW [s since start]; power after them and
     * the time of the next change (> now, or GRID_NEVER).  PRICE_CTX: what
     * grid_load_params.price needs to answer for this household at NOW (the caller's,
     * only handed to that hook during this call); NULL when the caller knows no prices. */
    uint32_t (*hh_step)(const void *model, void *hh, uint32_t now, const void *price_ctx,
                        int32_t *p_mw, int32_t *q_mvar);

    /* Optional (NULL when the model lacks them). */
    /* hh_init with what the engine knows of the household; hh_init(id) is the same as
     * ctx {id, region 0, GRID_DWELLING_UNKNOWN, ihd 0}. */
    uint32_t (*hh_init_ctx)(const void *model, void *hh, const grid_hh_ctx *ctx, int32_t *p_mw,
                            int32_t *q_mvar);
    /* Gas power now [W]; valid after each hh_init/hh_step, changes only at their events. */
    int32_t (*gas_w)(const void *model, const void *hh);
    void (*hh_attrs)(const void *model, const void *hh, grid_hh_attrs *out);
    void (*hh_totals)(const void *model, const void *hh, grid_hh_totals *out);
    /* No household will be initialised or stepped before BEFORE [s] again: the model may
     * drop what it keeps for earlier times (without the call it keeps the whole span). */
    void (*release)(void *model, uint32_t before);
    /* Heap bytes the model holds besides its households' state. */
    size_t (*bytes)(const void *model);
    /* The model's own part of a checkpoint (sim/ckpt.h), saving or loading: what its
     * const-looking operations change as the run goes (series made as households read them,
     * what release dropped), not its households, whose state is the caller's hh_size bytes.
     * Loading goes into a model made by create from the same parameters, before any
     * household is stepped (households may have been initialised: the model starts what
     * they read again); a model created otherwise fails with a message.  0, or -1 with
     * sim_ckpt_err set, and the model can then only be destroyed.  NULL: the model changes
     * nothing after create. */
    int (*ckpt)(void *model, sim_ckpt *c);
} grid_load_ops;

/* Every field of P at its default (seed 0, start 0, duration 1 day). */
void grid_load_params_default(grid_load_params *p);

/* The model named NAME ("basic", "crest"), or NULL. */
const grid_load_ops *grid_load_find(const char *name);

/* Expected mean power of the population the model is calibrated to [W]. */
double grid_load_target_mean_w(const grid_load_params *p);

extern const grid_load_ops grid_load_basic;
extern const grid_load_ops grid_load_crest;

#endif
