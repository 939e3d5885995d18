/* Collecting the run's outputs for the trace: the static household table at the start, what
 * each window finished (events in canonical order, per-second head-end and cell series,
 * per-minute demand), the half-hourly profiles from the meters' own logs once a day, and at
 * the end the registers, bills, head-end statistics, the DNO's view, grid series and the
 * per-area and HAN tables.  The trace writer (trace.c) owns the file; this file knows where
 * in the run each number lives.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_collect_households(sim_run *r)
{
    const sim_ctx *cx = &r->cx;
    const grid_topology *topo = r->topo;
    sim_household_row *rows = malloc((size_t)r->sc->households * sizeof *rows);
    if (!rows) return SIM_ENOMEM;
    for (uint32_t k = 0; k < r->n_areas; k++) {
        const sim_area *a = &r->areas[k];
        for (uint32_t s = a->lv0; s < a->lv1; s++) {
            const grid_lv_substation *lv = &topo->lv[s];
            for (uint32_t id = lv->first; id < lv->first + lv->count; id++) {
                uint32_t i = id - a->hh0;
                sim_household_row *row = &rows[id];
                *row = (sim_household_row){.id = id,
                                           .area = k,
                                           .lv_substation = s,
                                           .primary = lv->primary,
                                           .region = (uint16_t)(lv->region + 1),
                                           .feeder = grid_topology_feeder(topo, id),
                                           .dwelling = (uint8_t)grid_topology_dwelling(topo, id),
                                           .wan_tech = cx->wt_on ? a->wt[i].tech : 255,
                                           .mesh_hops = cx->wt_on ? a->wt[i].level : 0};
                if (cx->ops->hh_attrs) {
                    grid_hh_attrs at;
                    cx->ops->hh_attrs(cx->model, a->load + (size_t)i * cx->ops->hh_size, &at);
                    row->occupants = at.occupants;
                    row->heating = at.heating;
                    row->ev = at.ev;
                    row->pv_kwp = at.pv_kwp;
                }
            }
        }
    }
    int rc = sim_trace_households(r->tr, rows, r->sc->households) ? SIM_ETRACE : 0;
    free(rows);
    return rc;
}

static int ev_cmp(const void *x, const void *y)
{
    const sim_event *a = x, *b = y;
    if (a->t_s != b->t_s) return a->t_s < b->t_s ? -1 : 1;
    if (a->household != b->household) return a->household < b->household ? -1 : 1;
    if (a->code != b->code) return a->code < b->code ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

static int gather(sim_vec *to, sim_vec *from)
{
    if (from->n == 0) return 0;
    if (sim_vec_reserve(to, to->n + from->n) != 0) return SIM_ENOMEM;
    memcpy((sim_event *)to->v + to->n, from->v, from->n * sizeof(sim_event));
    to->n += from->n;
    from->n = 0;
    return 0;
}

/* Events before T are final: write them in a canonical order (time, household, code, value:
 * every field, so equal records are indistinguishable), so the trace does not depend on the
 * order SimGrid ran the areas in or on which area recorded what. */
int sim_collect_events(sim_run *r, double t)
{
    if (!r->sc->trace.events) return 0;
    int rc = 0;
    for (uint32_t k = 0; k < r->n_areas && !rc; k++) rc = gather(&r->pending, &r->areas[k].ev);
    if (!rc) rc = gather(&r->pending, &r->sink.ev);
    if (rc) return rc;
    sim_vec *v = &r->pending;
    if (v->n == 0) return 0;
    sim_event *ev = v->v;
    qsort(ev, v->n, sizeof *ev, ev_cmp);
    size_t k = 0;
    while (k < v->n && ev[k].t_s < t) k++;
    if (sim_trace_events(r->tr, ev, k)) return SIM_ETRACE;
    sim_vec_drop_front(v, k);
    return 0;
}

/* Window W is closed: hand its arrivals (the head-end model's per-second series, whose bins
 * span the run: durations are whole windows), demand and cell series to the trace and clear
 * the areas' slots of W. */
int sim_collect_window(sim_run *r, uint32_t w)
{
    net_he_series v;
    net_he_series_view(r->sink.he, &v);
    const uint32_t *arr = v.arrivals + (size_t)w * SIM_PERIOD_S;
    int64_t mws[SIM_PERIOD_S / 60];
    sim_window_minutes(r->areas, r->n_areas, w, mws);
    double demand_w[SIM_PERIOD_S / 60];
    for (int m = 0; m < SIM_PERIOD_S / 60; m++) demand_w[m] = (double)mws[m] / 60.0 / 1000.0;
    int rc = sim_trace_arrivals(r->tr, arr, SIM_PERIOD_S) || sim_trace_demand(r->tr, demand_w, SIM_PERIOD_S / 60);
    /* per cell: [second][area] */
    uint32_t na = r->n_areas;
    uint32_t *ca = malloc((size_t)SIM_PERIOD_S * na * sizeof *ca);
    uint32_t *cq = malloc((size_t)SIM_PERIOD_S * na * sizeof *cq);
    if (!ca || !cq) rc = 1;
    size_t base = (size_t)(w % RING) * SIM_PERIOD_S;
    for (uint32_t k = 0; k < na; k++) {
        sim_area *a = &r->areas[k];
        for (uint32_t sec = 0; !rc && sec < SIM_PERIOD_S; sec++) {
            ca[(size_t)sec * na + k] = a->cell_arr[base + sec];
            cq[(size_t)sec * na + k] = a->cell_q[base + sec];
        }
        memset(a->mws[w % RING], 0, sizeof a->mws[0]);
        memset(a->cell_arr + base, 0, SIM_PERIOD_S * sizeof *a->cell_arr);
        memset(a->cell_q + base, 0, SIM_PERIOD_S * sizeof *a->cell_q);
    }
    if (!rc) rc = sim_trace_cells(r->tr, ca, cq, SIM_PERIOD_S);
    free(ca);
    free(cq);
    return rc ? SIM_ETRACE : 0;
}

/* The area holding household ID, from A onwards (areas hold consecutive id ranges). */
static const sim_area *area_of(const sim_area *a, uint32_t id)
{
    while (id >= a->hh0 + a->n) a++;
    return a;
}

/* Households [h0, h0+nh) x periods [p0, p0+np) of every channel into BUF[c][j][p], from the
 * meters' logs: newest slot first; a period the meter spent without supply has no slot (it
 * stays 0). */
static void halfhourly_block(const sim_run *r, uint32_t h0, uint32_t nh, uint32_t p0, uint32_t np,
                             uint32_t *buf)
{
    const sim_ctx *cx = &r->cx;
    const sim_area *a = r->areas;
    memset(buf, 0, (size_t)nh * np * sizeof *buf * MM_CH_COUNT);
    for (uint32_t j = 0; j < nh; j++) {
        a = area_of(a, h0 + j);
        const void *fw = sim_hh_fw(a, h0 + j - a->hh0);
        mm_profile_slot sl;
        for (uint32_t age = 0; a->abi->profile_slot(fw, age, &sl) == MM_OK; age++) {
            if (sl.period < cx->period0 + p0) break;
            uint32_t p = sl.period - cx->period0 - p0;
            if (p >= np) continue;
            for (int c = 0; c < MM_CH_COUNT; c++) buf[((size_t)c * nh + j) * np + p] = sl.wh[c];
        }
    }
}

/* Periods [p0, p0+np) are closed on every meter: copy them from the meters' logs (and the
 * gas of these periods from the areas' day buffers, slot = period % 48). */
int sim_collect_halfhourly(sim_run *r, uint32_t p0, uint32_t np)
{
    if (np == 0) return 0;
    uint32_t total = r->sc->households, chunk = r->sc->trace.chunk_households;
    uint32_t *buf = malloc((size_t)chunk * np * sizeof *buf * MM_CH_COUNT);
    if (!buf) return SIM_ENOMEM;
    int rc = 0;
    for (uint32_t h0 = 0; h0 < total && rc == 0; h0 += chunk) {
        uint32_t nh = total - h0 < chunk ? total - h0 : chunk;
        halfhourly_block(r, h0, nh, p0, np, buf);
        for (int c = 0; c < MM_CH_COUNT && rc == 0; c++)
            rc = sim_trace_halfhourly(r->tr, c, h0, nh, p0, np, buf + (size_t)c * nh * np);
        if (rc == 0 && r->areas[0].gas_w) {
            const sim_area *g = r->areas;
            for (uint32_t j = 0; j < nh; j++) {
                g = area_of(g, h0 + j);
                for (uint32_t p = 0; p < np; p++)
                    buf[(size_t)j * np + p] = g->gas_day[(size_t)(h0 + j - g->hh0) * 48 + (p0 + p) % 48];
            }
            rc = sim_trace_halfhourly(r->tr, SIM_TRACE_GAS, h0, nh, p0, np, buf);
        }
    }
    free(buf);
    return rc ? SIM_ETRACE : 0;
}

static int write_registers(sim_run *r)
{
    const mm_abi *abi = r->cx.fw->abi;
    uint32_t largest = 0;
    for (uint32_t k = 0; k < r->n_areas; k++)
        if (r->areas[k].n > largest) largest = r->areas[k].n;
    uint64_t *buf = malloc((size_t)largest * MM_CH_COUNT * sizeof *buf);
    int64_t *bill = malloc((size_t)largest * SIM_TRACE_BILL_COLS * sizeof *bill);
    int rc = buf && bill ? 0 : -1;
    for (uint32_t k = 0; k < r->n_areas && rc == 0; k++) {
        const sim_area *a = &r->areas[k];
        for (uint32_t i = 0; i < a->n; i++) {
            mm_esme_snapshot s;
            abi->snapshot(sim_hh_fw(a, i), &s);
            for (int c = 0; c < MM_CH_COUNT; c++) buf[(size_t)i * MM_CH_COUNT + c] = s.reg[c];
            int64_t *b = bill + (size_t)i * SIM_TRACE_BILL_COLS;
            b[0] = s.cost_total;
            b[1] = s.balance;
            b[2] = s.available;
        }
        rc = sim_trace_registers(r->tr, a->hh0, a->n, buf);
        if (rc == 0) rc = sim_trace_billing(r->tr, a->hh0, a->n, bill);
    }
    free(buf);
    free(bill);
    return rc;
}

/* Per-class statistics of the head-end, one row per class and the total. */
static int write_class_stats(sim_run *r)
{
    net_headend *he = r->sink.he;
    double stats[(NET_HE_NCLASS + 1) * 12];
    char rows[512] = "";
    for (unsigned c = 0; c <= NET_HE_NCLASS; c++) {
        net_he_stats st;
        net_he_stats_get(he, c, &st);
        double *x = &stats[c * 12];
        x[0] = (double)st.offered;
        x[1] = (double)st.accepted;
        x[2] = (double)st.dropped;
        x[3] = (double)st.quarantined;
        x[4] = (double)st.excluded;
        x[5] = (double)st.completed;
        x[6] = (double)st.met_target;
        x[7] = st.completed ? st.resp_sum_s / (double)st.completed : NAN;
        x[8] = net_he_resp_quantile(he, c, 0.5);
        x[9] = net_he_resp_quantile(he, c, 0.99);
        x[10] = st.started ? st.wait_sum_s / (double)st.started : NAN;
        x[11] = st.wait_max_s;
        size_t l = strlen(rows);
        snprintf(rows + l, sizeof rows - l, "%s%s", c ? "," : "",
                 c < NET_HE_NCLASS ? net_he_class_key(c) : "total");
    }
    return sim_trace_table_f64(
        r->tr, "/network/headend/class_stats", stats, NET_HE_NCLASS + 1, 12, rows,
        "offered,accepted,dropped,quarantined,excluded,completed,met_target,resp_mean_s,"
        "resp_p50_s,resp_p99_s,wait_mean_s,wait_max_s",
        "requests | s",
        "per request class (rows) and in total: counts, and response (origin to processed) and "
        "waiting times; met_target counts responses within the DCC target of the class");
}

/* The DNO's view of restorations, from every area's restore and known times in id order. */
static int write_dno(sim_run *r)
{
    size_t n = r->sc->households;
    double *restore = malloc(n * sizeof *restore), *known = malloc(n * sizeof *known);
    int rc = restore && known ? 0 : -1;
    for (uint32_t k = 0; rc == 0 && k < r->n_areas; k++) {
        const sim_area *a = &r->areas[k];
        memcpy(restore + a->hh0, a->restore_s, a->n * sizeof *restore);
        memcpy(known + a->hh0, a->known_s, a->n * sizeof *known);
    }
    net_dno_view dv;
    if (rc == 0 && net_dno_view_compute(restore, known, n, 300.0, &dv) == 0) {
        double d[8] = {(double)dv.restored, (double)dv.known, dv.last_restore_s, dv.last_known_s,
                       dv.all_known_after_s, dv.frac_within, dv.lag_p50_s, dv.lag_p99_s};
        rc = sim_trace_table_f64(
            r->tr, "/network/dno/restoration", d, 1, 8, "all",
            "restored,known,last_restore_s,last_known_s,all_known_after_s,frac_known_within_5min,"
            "lag_p50_s,lag_p99_s",
            "premises | s | fraction",
            "the DNO's view of restorations: premises restored, of them with a restore alert "
            "delivered, time from the last restoration until the DNO knew every restored premises "
            "(inf if some never), share known within 5 min of their restoration, alert lag quantiles");
    }
    free(restore);
    free(known);
    return rc;
}

/* The head-end's series up to END, its per-class statistics and the DNO's view. */
static int write_headend(sim_run *r, uint32_t end)
{
    net_he_advance(r->sink.he, end);
    /* completions recorded by the advance */
    int rc = sim_collect_events(r, (double)end + 1e9) ? -1 : 0;
    net_he_series v;
    net_he_series_view(r->sink.he, &v);
    size_t n = end < v.bins ? end : v.bins;
    char path[128];
    /* "arrivals" is written per window already (WAN arrivals); the rest per the model's table. */
#define WRITE_SERIES(name, type, units, desc)                                                    \
    if (rc == 0 && strcmp(#name, "arrivals") != 0) {                                           \
        snprintf(path, sizeof path, "/network/headend/%s", #name);                            \
        rc = _Generic((v.name), const uint32_t * : sim_trace_series_u32,                        \
                      const double * : sim_trace_series_f64)(r->tr, path, v.name, n, units, desc); \
    }
    NET_HE_SERIES_MAP(WRITE_SERIES)
#undef WRITE_SERIES
    if (rc == 0) rc = write_class_stats(r);
    if (rc == 0) rc = write_dno(r);
    return rc;
}

/* Regional demand and prices per settlement period. */
static int write_grid(sim_run *r, uint32_t windows)
{
    unsigned nr = r->sc->topology.regions;
    char names[GRID_REGIONS_MAX * 40] = "";
    for (unsigned k = 0; k < nr; k++) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", k ? "," : "", grid_region_name(k));
    }
    int rc = sim_trace_table_f64(r->tr, "/grid/region_demand_w", r->coord.region_w, windows, nr,
                                 "periods", names, "W",
                                 "mean demand of the simulated households per settlement period "
                                 "(rows) and DNO region (columns)");
    if (rc == 0)
        rc = sim_trace_series_f64(r->tr, "/grid/price_p_kwh", r->coord.price_p_kwh, windows, "p/kWh",
                                  "unit price of the households' tariff (prices.tariff) in each "
                                  "settlement period");
    if (rc == 0)
        rc = sim_trace_series_f64(r->tr, "/grid/wholesale_gbp_mwh", r->coord.wholesale, windows,
                                  "GBP/MWh",
                                  "day-ahead wholesale price of each settlement period (the model "
                                  "behind Agile-style prices)");
    return rc;
}

/* Per WAN cell: technology, size, links, site dark time, losses by cause, peak queue. */
static int write_areas(sim_run *r, uint32_t windows)
{
    const sim_ctx *cx = &r->cx;
    double *at = calloc((size_t)r->n_areas * 12, sizeof *at);
    if (!at) return -1;
    for (uint32_t k = 0; k < r->n_areas; k++) {
        const sim_area *a = &r->areas[k];
        double down = 0;
        uint32_t spells = 0;
        if (cx->wt_on) net_wt_site_downtime(&cx->wt_cfg, &a->site, windows * SIM_PERIOD_S, &down, &spells);
        double *x = &at[(size_t)k * 12];
        x[0] = a->region;
        x[1] = cx->wt_on ? a->site.tech : -1;
        x[2] = a->n;
        x[3] = a->uplink_bps;
        x[4] = a->uplink_latency_s;
        x[5] = down;
        x[6] = spells;
        x[7] = (double)a->lost[NET_WT_LOST_ACCESS];
        x[8] = (double)a->lost[NET_WT_LOST_MESH];
        x[9] = (double)a->lost[NET_WT_NO_ROUTE];
        x[10] = (double)a->lost[NET_WT_SITE_DOWN];
        x[11] = (double)a->peak_backlog;
    }
    int rc = sim_trace_table_f64(r->tr, "/network/areas", at, r->n_areas, 12, "areas",
                                 "region,tech,households,uplink_bps,uplink_latency_s,site_downtime_s,"
                                 "dark_spells,lost_access,lost_mesh,lost_no_route,lost_site_dark,"
                                 "peak_cell_queue",
                                 "- | bit/s | s | messages",
                                 "per area (WAN cell / base station): DNO region (1-based), "
                                 "technology (0 long-range radio, 1 cellular; -1 uniform WAN), "
                                 "households, uplink, dark time of its site on backup power, "
                                 "messages lost by cause, largest cell queue");
    free(at);
    return rc;
}

static int write_price_updates(sim_run *r)
{
    enum { NC = 11 };
    uint32_t n = sim_dl_updates(r->dl);
    if (n == 0) return 0;
    double *pu = calloc((size_t)n * NC, sizeof *pu);
    if (!pu) return -1;
    for (uint32_t k = 0; k < n; k++) sim_dl_update_row(r->dl, k, pu + (size_t)k * NC);
    int rc = sim_trace_table_f64(r->tr, "/network/price_updates", pu, n, NC, "updates",
                                 "first_period,periods,sent_s,broadcast_areas,unicast_meters,"
                                 "received,rejected,lost,late,lag_mean_s,lag_max_s",
                                 "- | s | meters | s",
                                 "per price update sent over the WAN (MM_CMD_SET_PRICES): periods "
                                 "carried, when the head-end sent it, areas it was broadcast to and "
                                 "meters it was sent to one by one, meters that accepted, refused or "
                                 "never got it, meters that got it only after its first period had "
                                 "begun, and the lag from sending to acceptance");
    free(pu);
    return rc;
}

/* Per premises home-area network results, with the gas meter's battery over WINDOWS. */
static int write_han(sim_run *r, uint32_t windows)
{
    const sim_ctx *cx = &r->cx;
    sim_han_row *h = malloc((size_t)r->sc->households * sizeof *h);
    if (!h) return -1;
    for (uint32_t k = 0; k < r->n_areas; k++) {
        sim_area *a = &r->areas[k];
        for (uint32_t i = 0; i < a->n; i++) {
            net_han *x = &a->han[i];
            net_han_gas_account(&cx->han_cfg, x, 0, windows * SIM_PERIOD_S, NULL);
            net_han_battery_out b;
            float life = net_han_gas_battery(&cx->han_cfg, x, &b) == 0 ? (float)b.life_years : NAN;
            h[a->hh0 + i] = (sim_han_row){.works = net_han_works(x),
                                          .band_gas = (int8_t)net_han_band_used(x, NET_HAN_GSME),
                                          .band_ihd = (int8_t)net_han_band_used(x, NET_HAN_IHD),
                                          .dual_band = x->hub != 0,
                                          .p_deliver = x->p_deliver,
                                          .latency_ms = x->latency_s * 1000.0f,
                                          .retries = x->retries,
                                          .p_access_fail = x->p_access_fail,
                                          .gas_battery_years = life};
        }
    }
    int rc = sim_trace_han(r->tr, h, r->sc->households);
    free(h);
    return rc;
}

/* Everything written once at the end, over the REACHED windows. */
int sim_collect_final(sim_run *r, uint32_t reached)
{
    int rc = write_registers(r);
    if (rc == 0) rc = write_headend(r, reached * SIM_PERIOD_S);
    if (rc == 0) rc = write_grid(r, reached);
    if (rc == 0) rc = write_areas(r, reached);
    if (rc == 0) rc = write_price_updates(r);
    if (rc == 0) rc = write_han(r, reached);
    return rc ? SIM_ETRACE : 0;
}
