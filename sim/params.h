/* Scenario to model parameters: each model's own parameter struct filled from the resolved
 * scenario (units already SI), in one place, so the engine's set-up does not copy fields and
 * a model's defaults stay in the model.  Pure functions; nothing here allocates.
 */
#ifndef SIM_PARAMS_H
#define SIM_PARAMS_H

#include "scenario.h"

#include "grid/load.h"
#include "grid/outage.h"
#include "grid/price.h"
#include "grid/topup.h"
#include "grid/topology.h"
#include "net/han.h"
#include "net/retry.h"
#include "net/wan.h"
#include "net/wantech.h"

#include <stddef.h>

void sim_params_load(const sim_scenario *sc, grid_load_params *lp);
void sim_params_prices(const sim_scenario *sc, uint32_t windows, grid_price_config *pc);
void sim_params_topology(const sim_scenario *sc, grid_topology_params *tp);
/* Returns 0, or -1 with a message in ERR (storm.regions). */
int sim_params_outages(const sim_scenario *sc, grid_outage_params *op, char *err, size_t errlen);
void sim_params_read(const sim_scenario *sc, net_read_params *rp);
void sim_params_retry(const sim_scenario *sc, net_retry_params *rp);
void sim_params_wantech(const sim_scenario *sc, net_wt_config *wt);
void sim_params_han(const sim_scenario *sc, net_han_config *hc);
void sim_params_topup(const sim_scenario *sc, grid_topup_config *tc);

#endif
