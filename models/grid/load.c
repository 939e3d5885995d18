#include "grid/load.h"

#include "sim/timeutil.h"

#include <string.h>

static const grid_load_ops *const models[] = {&grid_load_basic, &grid_load_crest};

const grid_load_ops *grid_load_find(const char *name)
{
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (strcmp(models[i]->name, name) == 0) return models[i];
    return NULL;
}

double grid_load_target_mean_w(const grid_load_params *p)
{
    /* Annualisation over a 365-day year (8,760 h), as Ofgem's TDCV figures are. */
    return p->annual_kwh * 1000.0 / 8760.0;
}

void grid_load_params_default(grid_load_params *p)
{
    /* Sources are given where each default is used: load_basic.c, load_crest.c. */
    *p = (grid_load_params){
        .duration_s = SIM_DAY_S,
        .annual_kwh = 2700.0, /* Ofgem medium TDCV */
        .spread = 0.4,
        .seasonal_amplitude = 0.15,
        .power_factor = 0.95,
        .size_mix = {0.29, 0.35, 0.16, 0.14, 0.06}, /* ONS Families and households 2023 */
        .flat_share = 0.20,                         /* English Housing Survey: ~1 in 5 */
        .latitude_deg = 52.5,
        .weather_csv = NULL,
        .clock_bst = 1,
        .gas_annual_kwh = 11500.0, /* Ofgem medium TDCV gas */
        .gas_share = 0.85,
        .hp_share = 0.015,
        .heating_start_yday = 273, /* 1 October */
        .heating_end_yday = 134,   /* 15 May */
        .festive_share = 0.75,     /* crest_internal.h FESTIVE_* */
        .pv_share = 0.065,
        .pv_kwp_median = 3.5,
        .pv_kwp_sigma = 0.25,
        .ev_share = 0.047,
        .ev_charger_kw = 7.0,
        .ev_kwh_per_day = 7.0,
        .ev_smart_share = 0.0,
        .price = NULL,
        /* Demand response and feedback, off by default; values calibrated in test_dr.c
         * (sources in crest_dr.c). */
        .dr_engaged_share = 0.0,
        .dr_response = 2.0,
        .dr_horizon_h = 12.0,
        .feedback_enabled = 0,
        .feedback_cut = 0.19,
        .feedback_tau_days = 14.0,
        .feedback_days_installed = 0.0,
    };
}
