#include "params.h"

#include "sim/timeutil.h"

#include <stdio.h>

void sim_params_load(const sim_scenario *sc, grid_load_params *lp)
{
    grid_load_params_default(lp);
    lp->seed = sc->seed;
    lp->start_unix = sc->start_unix;
    lp->duration_s = sc->duration_s;
    lp->annual_kwh = sc->load.annual_kwh;
    lp->spread = sc->load.spread;
    lp->seasonal_amplitude = sc->load.seasonal_amplitude;
    lp->power_factor = sc->load.power_factor;
    lp->flat_share = sc->topology.flat_share;
    lp->latitude_deg = sc->weather.latitude_deg;
    lp->weather_csv = sc->weather.csv[0] ? sc->weather.csv : NULL;
    /* weather region r + 1 is licence area r (sim_area.region); 0, GB unspecified, always */
    lp->weather_regions = sc->topology.region_mask << 1 | 1u;
    lp->clock_bst = sc->load.clock_bst;
    lp->festive_share = sc->load.festive_share;
    lp->gas_annual_kwh = sc->load.gas_annual_kwh;
    lp->gas_share = sc->load.gas_share;
    lp->hp_share = sc->load.hp_share;
    lp->pv_share = sc->load.pv_share;
    lp->pv_kwp_median = sc->load.pv_kwp_median;
    lp->ev_share = sc->load.ev_share;
    lp->ev_charger_kw = sc->load.ev_charger_w / 1000.0;
    lp->ev_kwh_per_day = sc->load.ev_kwh_per_day;
    lp->ev_smart_share = sc->load.ev_smart_share;
    lp->dr_engaged_share = sc->load.dr_engaged_share;
    lp->dr_response = sc->load.dr_response;
    lp->dr_horizon_h = sc->load.dr_horizon_s / 3600.0;
    lp->feedback_enabled = sc->load.feedback;
    lp->feedback_cut = sc->load.feedback_cut;
    lp->feedback_tau_days = sc->load.feedback_tau_s / SIM_DAY_S;
    lp->feedback_days_installed = sc->load.feedback_age_s / SIM_DAY_S;
}

void sim_params_prices(const sim_scenario *sc, uint32_t windows, grid_price_config *pc)
{
    grid_price_config_default(pc);
    pc->seed = sc->seed;
    pc->start_unix = sc->start_unix;
    pc->n_periods = windows;
}

void sim_params_topology(const sim_scenario *sc, grid_topology_params *tp)
{
    *tp = (grid_topology_params){.seed = sc->seed,
                                 .households = sc->households,
                                 .region_mask = sc->topology.region_mask,
                                 .lv_customers_mean = sc->topology.lv_customers_mean,
                                 .lv_customers_cv = sc->topology.lv_customers_cv,
                                 .primary_customers = sc->topology.primary_customers,
                                 .hv_feeders_per_primary = sc->topology.hv_feeders_per_primary,
                                 .lv_feeders_per_substation = sc->topology.lv_feeders,
                                 .flat_share = sc->topology.flat_share};
}

/* Background faults by level (the shares are normalised) and the storm. */
int sim_params_outages(const sim_scenario *sc, grid_outage_params *op, char *err, size_t errlen)
{
    double shares = sc->outages.share_hv + sc->outages.share_lv_substation + sc->outages.share_lv_feeder;
    *op = (grid_outage_params){
        .seed = sc->seed,
        .duration_s = sc->duration_s,
        .interruptions_per_year = sc->outages.background && shares > 0 ? sc->outages.interruptions_per_year : 0,
        .mean_duration_s = sc->outages.mean_duration_s,
        .duration_sigma = sc->outages.duration_sigma,
        .share_hv = shares > 0 ? sc->outages.share_hv / shares : 0,
        .share_lv_substation = shares > 0 ? sc->outages.share_lv_substation / shares : 0,
        .share_lv_feeder = shares > 0 ? sc->outages.share_lv_feeder / shares : 0,
        .storm = {.enabled = sc->storm.enabled,
                  .start_s = sc->storm.start_s,
                  .onset_s = sc->storm.onset_s,
                  .share = sc->storm.share,
                  .fast_share = sc->storm.fast_share,
                  .fast_median_s = sc->storm.fast_median_s,
                  .tail_median_s = sc->storm.tail_median_s,
                  .sigma = sc->storm.sigma}};
    char why[160];
    if (sc->storm.enabled &&
        sim_scenario_region_mask(sc->storm.regions, &op->storm.region_mask, why, sizeof why)) {
        snprintf(err, errlen, "storm.regions: %s", why);
        return -1;
    }
    return 0;
}

void sim_params_read(const sim_scenario *sc, net_read_params *rp)
{
    *rp = (net_read_params){.seed = sc->seed,
                            .start_unix = sc->start_unix,
                            .read_start_s = sc->wan.read_start_s,
                            .read_window_s = sc->wan.read_window_s,
                            .bytes = sc->wan.profile_read_bytes};
}

void sim_params_retry(const sim_scenario *sc, net_retry_params *rp)
{
    net_retry_default(rp);
    rp->timeout_s = sc->wan.retry_timeout_s;
    rp->max_attempts = sc->wan.retry_attempts;
}

void sim_params_wantech(const sim_scenario *sc, net_wt_config *wt)
{
    net_wt_config_default(wt);
    wt->seed = sc->seed;
    wt->s1_share = 0; /* SMETS1 premises are the fleet's (net_wt_lv_build's S1 flags) */
}

void sim_params_han(const sim_scenario *sc, net_han_config *hc)
{
    net_han_config_default(hc);
    hc->dual_band_share = sc->han.dual_band_share;
}

void sim_params_topup(const sim_scenario *sc, grid_topup_config *tc)
{
    grid_topup_config_default(tc);
    tc->below_p = sc->meter.topup_below_p;
    tc->amount_gbp = (uint32_t)(sc->meter.topup_amount_p / 100);
    tc->notice_s = (uint32_t)sc->meter.topup_within_s;
    tc->online_share = sc->meter.remote_topup_share;
}
