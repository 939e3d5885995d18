/* The coordinator: at every window's end, once every area has closed it, it sums what couples
 * the areas (demand per minute, per DNO region, nationally: exact integer sums), feeds
 * real-time prices with national demand, publishes day-ahead prices, turns newly published
 * dynamic prices into price updates (downlink.c) and keeps the window's grid row (demand per
 * region, prices) until collect.c streams it to the trace; then all areas go on.
 *
 * Under MPI every rank runs a coordinator over its own areas, and this is where the ranks
 * exchange what couples them, in a fixed order, with exact integer sums, so results do not
 * depend on the rank count: the window's energy per region and nationally, the signals that
 * ask the run to stop, and every message the head-ends received (sim_sink_window).  With
 * them, every rank computes the same prices, head-ends and fleet decisions.
 */
#include "runner.h"

#include "par.h"

#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <stdlib.h>
#include <string.h>

void sim_coord_init(sim_coord *c, const sim_ctx *cx, sim_area *areas, uint32_t n_areas)
{
    memset(c, 0, sizeof *c);
    c->cx = cx;
    c->areas = areas;
    c->n_areas = n_areas;
}

void sim_coord_row(const sim_coord *c, uint32_t w, sim_grid_row *out)
{
    if (w < c->done && w + SIM_GRID_RING >= c->done) {
        *out = c->ring[w % SIM_GRID_RING];
        return;
    }
    if (w < c->done) SIM_PANIC((double)w * SIM_PERIOD_S, "grid row of window %u overwritten", w);
    memset(out, 0, sizeof *out);
    out->price_p_kwh = out->wholesale = NAN;
}

/* Window W's sums over the areas; the areas' window accumulators are cleared for W + RING. */
static void window_sum(sim_coord *c, uint32_t w, sim_window_sum *s)
{
    memset(s, 0, sizeof *s);
    for (uint32_t k = 0; k < c->n_areas; k++) {
        sim_area *a = &c->areas[k];
        s->region_mws[a->region - 1] += a->win_mws[w % RING];
        s->national_mws += a->win_mws[w % RING];
        a->win_mws[w % RING] = 0;
    }
}

/* Prices after window W (ending at W_END) from its national demand [W], into ROW. */
static void window_prices(sim_coord *c, uint32_t w, uint32_t w_end, double demand_w, sim_grid_row *row)
{
    const sim_ctx *cx = c->cx;
    double scale = (double)cx->sc->prices.national_households / cx->sc->households;
    if (cx->tariff == GRID_TARIFF_RTP) grid_price_rtp_observe(cx->prices, w, demand_w * scale);
    grid_price_publish_until(cx->prices, w_end);
    if (cx->dyn_prices) {
        int rc = sim_dl_prices_publish(cx, w_end);
        if (rc && !c->err) c->err = rc;
    }
    grid_price pr;
    grid_wholesale_point wp;
    row->price_p_kwh = grid_price_get(cx->prices, cx->tariff, w, &pr) == 0
                           ? pr.unit * pow(10.0, GRID_PRICE_SCALE)
                           : NAN;
    row->wholesale = grid_wholesale_get(cx->prices, GRID_MARKET_DAY_AHEAD, w, &wp) == 0
                         ? wp.price_gbp_mwh
                         : NAN;
    /* What households still ask for lies at most a day behind the window (the demand-response
     * reference price): the model keeps SIM_PRICE_KEEP periods, so it does not grow with the run. */
    if (w + 1 > SIM_PRICE_KEEP) grid_price_release(cx->prices, w + 1 - SIM_PRICE_KEEP);
    /* Households are stepped only at their own next change, never behind the window: the load
     * model may drop its weather and calendar before it. */
    if (cx->ops->release) cx->ops->release(cx->model, w_end);
}

void sim_coord_actor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sim_coord *c = sg_actor_self_get_data();
    const sim_ctx *cx = c->cx;
    uint32_t mask = cx->sc->topology.region_mask;
    for (uint32_t w = c->first; w < cx->windows; w++) {
        uint32_t w_end = (w + 1) * SIM_PERIOD_S;
        sg_actor_sleep_until(w_end);
        if (*cx->stop) break;
        sg_barrier_wait(cx->window_bar);
        sim_window_sum s;
        window_sum(c, w, &s);
        /* national: every rank's areas, and a stop any rank was asked for (the barrier first,
         * so that the time ranks wait for the slowest is told apart from the exchange's) */
        sim_par_barrier();
        sim_par_sum_i64(s.region_mws, GRID_REGIONS_MAX);
        sim_par_sum_i64(&s.national_mws, 1);
        int64_t sig = cx->halt_asked ? *cx->halt_asked : 0;
        sim_par_max_i64(&sig, 1);
        int rc = c->sink ? sim_sink_window(c->sink, w_end) : 0;
        if (rc && !c->err) c->err = rc;
        if (w >= c->streamed + SIM_GRID_RING)
            SIM_PANIC(w_end, "grid rows of window %u not streamed before window %u", c->streamed, w);
        sim_grid_row *row = &c->ring[w % SIM_GRID_RING];
        memset(row, 0, sizeof *row);
        row->price_p_kwh = row->wholesale = NAN;
        /* a column per licence area of the run, in area order */
        for (unsigned r = 0, col = 0; r < GRID_REGIONS_MAX; r++)
            if (mask >> r & 1u) row->region_w[col++] = (double)s.region_mws[r] / 1000.0 / SIM_PERIOD_S;
        if (cx->prices) window_prices(c, w, w_end, (double)s.national_mws / 1000.0 / SIM_PERIOD_S, row);
        /* A signal ends the run here, before the next window changes anything: the areas
         * leave after the barrier, so the trace ends at this boundary. */
        bool halt = sig && w + 1 < cx->windows;
        if (halt) {
            *cx->halted = 1;
            c->halt_sig = (int)sig;
        }
        /* A new UTC day: the fleet's changes, while every area waits.  A run stopping here
         * skips what only the next window needs, unless it is checkpointed here: the state
         * saved is then the one the run would go on with. */
        bool next = !halt || c->boundary_full;
        if (next && c->life && w_end < cx->end_s && (cx->sc->start_unix + w_end) % SIM_DAY_S == 0) {
            int rc2 = sim_lifecycle_sync(c->life);
            if (rc2 && !c->err) c->err = rc2;
            if (!rc2) sim_lifecycle_day(c->life, w_end);
            if (c->life->err && !c->err) c->err = c->life->err;
        }
        /* the next window's commands of the command runs, while every area waits */
        if (next && w_end < cx->end_s) {
            int rc3 = sim_cmds_window(cx->cmds, w_end);
            if (rc3 && !c->err) c->err = rc3;
        }
        c->done = w + 1;
        if (c->boundary) c->boundary(c->boundary_arg, w, halt);
        sg_barrier_wait(cx->window_bar);
        if (halt) break;
    }
}

int sim_coord_ckpt(sim_coord *c, sim_ckpt *ck)
{
    sim_ckpt_tag(ck, "coordinator");
    SIM_CKPT(ck, c->ring);
    SIM_CKPT(ck, c->done);
    SIM_CKPT(ck, c->streamed);
    return sim_ckpt_err(ck) ? -1 : 0;
}
