/* Collecting the run's outputs for the trace: the static household table at the start, what
 * each window finished (events in canonical order, per-second head-end and cell series,
 * per-minute demand), the half-hourly profiles from the meters' own logs once a day, and at
 * the end the registers, bills, head-end statistics, the DNO's view, grid series and the
 * per-area and HAN tables.  The trace writer (trace.c) owns the file; this file knows where
 * in the run each number lives.
 *
 * Under MPI (par.h) rank 0 writes the trace and every rank takes every step here: a rank
 * makes the rows of its own households and areas, rank 0 gathers them in id order (ranks
 * hold consecutive ranges), so the file is the one a single process writes.  What every
 * rank computes alike (the head-ends, prices, the fleet's table) rank 0 writes alone.
 */
#include "runner.h"
#include "sim/runsort.h"

#include "par.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TEXT into a 64-byte NUL-padded field: its last 64 bytes if longer (a path's file name). */
static void str64(char out[64], const char *text)
{
    size_t n = strlen(text);
    const char *p = n > 64 ? text + n - 64 : text;
    memset(out, 0, 64);
    memcpy(out, p, n > 64 ? 64 : n);
}

static int write_populations(sim_run *r)
{
    const sim_fleet *f = &r->fleet;
    sim_population_row rows[SIM_POPULATIONS_MAX];
    memset(rows, 0, sizeof rows);
    for (uint32_t k = 0; k < f->n_pops; k++) {
        const sim_fleet_pop *fp = &f->pops[k];
        sim_population_row *w = &rows[k];
        str64(w->name, fp->p->name);
        w->generation = (uint8_t)fp->p->generation;
        w->image = fp->image;
        w->supplier = fp->supplier < 0 ? 255 : (uint8_t)fp->supplier;
        w->tariff = fp->tariff < 0 ? 255 : (uint8_t)fp->tariff;
        w->households = fp->households;
        w->share = fp->p->count ? NAN : fp->p->share;
        w->prepay_share = fp->prepay_share;
        w->dr_share = fp->dr_share;
    }
    return sim_trace_whole(r->tr, SIM_DS_FLEET_POPULATIONS, rows, f->n_pops) ? SIM_ETRACE : 0;
}

static int write_images(sim_run *r)
{
    const sim_fw *fw = &r->fw;
    sim_image_row rows[SIM_FW_IMAGES_MAX];
    memset(rows, 0, sizeof rows);
    for (uint32_t k = 0; k < fw->n_images; k++) {
        const sim_fw_image *im = &fw->img[k];
        sim_image_row *w = &rows[k];
        str64(w->name, im->name);
        str64(w->version, im->abi->version());
        str64(w->profile, im->abi->profile == MM_ABI_PROFILE_SMETS1 ? "smets1" : "smets2");
        str64(w->sha256, im->sha256);
        str64(w->build_id, im->build_id);
        str64(w->source, im->source);
        w->state_bytes = im->abi->state_size;
        w->nvm_bytes = im->nvm_size;
        for (uint32_t p = 0; p < r->fleet.n_pops; p++)
            if (r->fleet.pops[p].image == k) w->households += r->fleet.pops[p].households;
    }
    return sim_trace_whole(r->tr, SIM_DS_FLEET_IMAGES, rows, fw->n_images) ? SIM_ETRACE : 0;
}

/* The area holding household ID, from A onwards (areas hold consecutive id ranges). */
static const sim_area *area_of(const sim_area *a, uint32_t id)
{
    while (id >= a->hh0 + a->n)
        a++;
    return a;
}

#define WRITER(r) ((r)->cx.rank == 0) /* this rank writes the trace */

/* Every rank's rows of ROW bytes, N_MINE at MINE, in rank order, at *ALL on rank 0 (TOTAL
 * rows); NULL elsewhere.  Alone, *ALL is MINE itself; else malloc'd: free it with
 * release_rows.  0, or -1 when rank 0 has no memory for them (on every rank). */
static int gather_rows(const sim_run *r, void *mine, size_t n_mine, size_t row, size_t total,
                       void **all)
{
    *all = NULL;
    if (r->cx.ranks == 1) {
        *all = mine;
        return 0;
    }
    if (WRITER(r)) *all = malloc(total ? total * row : 1);
    if (sim_par_any(WRITER(r) && *all == NULL)) {
        free(*all);
        *all = NULL;
        return -1;
    }
    sim_par_gather_rows(mine, n_mine, row, *all);
    return 0;
}

/* As gather_rows, when rank 0 does not know how many rows each rank has: their sum in *TOTAL
 * (on rank 0). */
static int gather_counted(const sim_run *r, void *mine, size_t n_mine, size_t row, void **all,
                          size_t *total)
{
    *all = NULL;
    *total = n_mine;
    if (r->cx.ranks == 1) return gather_rows(r, mine, n_mine, row, n_mine, all);
    uint64_t *counts = WRITER(r) ? calloc((size_t)r->cx.ranks, sizeof *counts) : NULL;
    if (sim_par_any(WRITER(r) && !counts)) {
        free(counts);
        return -1;
    }
    sim_par_gather_counts(n_mine, counts);
    *total = 0;
    for (int k = 0; counts && k < r->cx.ranks; k++) *total += counts[k];
    free(counts);
    return gather_rows(r, mine, n_mine, row, *total, all);
}

static void release_rows(void *all, void *mine)
{
    if (all != mine) free(all);
}

/* Per household of this rank, in id order, to rank 0: see gather_rows. */
static int gather_households(const sim_run *r, void *mine, size_t row, void **all)
{
    return gather_rows(r, mine, r->cx.hh_hi - r->cx.hh_lo, row, r->sc->households, all);
}

/* Per area of this rank, in id order, to rank 0. */
static int gather_areas(const sim_run *r, void *mine, size_t row, void **all)
{
    return gather_rows(r, mine, r->cx.a_hi - r->cx.a_lo, row, r->n_areas, all);
}

/* /meter/firmware_log: the event logs of the meters trace.firmware_log names (ids checked at
 * set-up), oldest first per household; empty when it names none. */
static int write_firmware_log(sim_run *r)
{
    uint32_t ids[SIM_FIRMWARE_LOG_MAX];
    char why[128];
    int n = sim_scenario_household_list(r->sc->trace.firmware_log, ids, SIM_FIRMWARE_LOG_MAX, why,
                                        sizeof why);
    if (n < 0) return -1;
    sim_fwlog_row *rows = calloc(n ? (size_t)n * FW_EVENT_DEPTH : 1, sizeof *rows);
    if (sim_par_any(rows == NULL)) {
        free(rows);
        return -1;
    }
    size_t m = 0;
    for (int k = 0; k < n; k++) {
        if (!sim_hh_local(&r->cx, ids[k])) continue; /* its rank's */
        const sim_area *a = sim_area_of(r->areas, r->n_areas, ids[k]);
        uint32_t i = ids[k] - a->hh0;
        mm_event ev;
        size_t first = m;
        const void *fw = sim_hh_fw_settled(a, i);
        for (uint32_t age = 0;
             age < FW_EVENT_DEPTH && sim_hh_abi(a, i)->event_slot(fw, age, &ev) == MM_OK; age++)
            rows[m++] = (sim_fwlog_row){.household = ids[k],
                                        .code = ev.code,
                                        .t_s = (double)((int64_t)ev.time - r->sc->start_unix),
                                        .value = ev.value,
                                        .flags = ev.flags};
        for (size_t x = first, y = m ? m - 1 : 0; x < y; x++, y--) { /* newest first -> oldest */
            sim_fwlog_row t = rows[x];
            rows[x] = rows[y];
            rows[y] = t;
        }
    }
    /* rank 0 puts every rank's rows in the order the scenario names the households */
    size_t total = 0;
    sim_fwlog_row *all = NULL;
    int rc = gather_counted(r, rows, m, sizeof *rows, (void **)&all, &total) ? -1 : 0;
    if (!rc && WRITER(r)) {
        sim_fwlog_row *out = malloc((total ? total : 1) * sizeof *out);
        size_t o = 0;
        for (int k = 0; out && k < n; k++)
            for (size_t j = 0; j < total; j++)
                if (all[j].household == ids[k]) out[o++] = all[j];
        rc = out && sim_trace_whole(r->tr, SIM_DS_FIRMWARE_LOG, out, o) == 0 ? 0 : -1;
        free(out);
    }
    release_rows(all, rows);
    free(rows);
    return rc;
}

/* /fleet/campaigns: each firmware campaign's totals. */
static int write_campaigns(sim_run *r)
{
    if (!WRITER(r)) return 0;
    uint32_t n = sim_campaigns_count(r->camp);
    sim_campaign_row rows[SIM_CAMPAIGNS_MAX];
    for (uint32_t k = 0; k < n; k++) sim_campaign_get_row(r->camp, k, &rows[k]);
    return sim_trace_whole(r->tr, SIM_DS_FLEET_CAMPAIGNS, rows, n) ? -1 : 0;
}

/* /commands/runs and /commands/region_step_w: each command run's totals to END_S, every
 * rank's summed. */
static int write_command_runs(sim_run *r, uint32_t end_s)
{
    if (sim_cmds_finish(r->cmds, end_s)) return -1;
    if (!WRITER(r)) return 0;
    uint32_t n = sim_cmds_count(r->cmds), cols = r->sc->topology.regions;
    sim_cmdrun_row rows[2 * SIM_CMD_RUNS_MAX];
    double step[2 * SIM_CMD_RUNS_MAX * GRID_REGIONS_MAX];
    for (uint32_t k = 0; k < n; k++) {
        sim_cmds_row(r->cmds, k, &rows[k]);
        sim_cmds_region_step(r->cmds, k, step + (size_t)k * cols);
    }
    char names[GRID_REGIONS_MAX * 40];
    sim_region_columns(r->sc->topology.region_mask, names, sizeof names);
    if (sim_trace_whole(r->tr, SIM_DS_COMMAND_RUNS, rows, n)) return -1;
    return sim_trace_whole_cols(r->tr, SIM_DS_COMMAND_REGION_STEP, step, n, cols, names) ? -1 : 0;
}

/* /fleet/suppliers, with each SMETS1 head-end's totals (over the run so far). */
static int write_suppliers(sim_run *r)
{
    if (!WRITER(r)) return 0; /* the fleet's table and the head-ends: alike on every rank */
    const sim_fleet *f = &r->fleet;
    sim_supplier_row rows[SIM_SUPPLIERS_MAX];
    memset(rows, 0, sizeof rows);
    for (uint32_t id = 0; id < r->sc->households; id++) {
        const sim_fleet_hh *h = &f->hh[id];
        rows[h->supplier].households++;
        if (f->pops[h->pop].p->generation == SIM_GEN_SMETS1) rows[h->supplier].smets1_meters++;
    }
    for (uint32_t k = 0; k < f->n_suppliers; k++) {
        const sim_supplier *sp = f->sup[k].s;
        sim_supplier_row *w = &rows[k];
        str64(w->name, sp->name);
        str64(w->smets1_operator, sim_smso_name(sp->smets1_operator));
        w->share = f->sup_share[k];
        w->hes_servers = sp->hes_servers;
        w->hes_queue = sp->hes_queue;
        net_he_stats st;
        net_he_stats_get(r->sink.s1[k], NET_HE_NCLASS, &st);
        w->hes_offered = st.offered;
        w->hes_accepted = st.accepted;
        w->hes_dropped = st.dropped;
        w->hes_completed = st.completed;
        w->hes_resp_p99_s = net_he_resp_quantile(r->sink.s1[k], NET_HE_NCLASS, 0.99);
    }
    return sim_trace_whole(r->tr, SIM_DS_FLEET_SUPPLIERS, rows, f->n_suppliers) ? -1 : 0;
}

int sim_collect_households(sim_run *r)
{
    const sim_ctx *cx = &r->cx;
    const grid_topology *topo = r->topo;
    uint32_t lo = cx->hh_lo;
    sim_household_row *rows = malloc(((size_t)(cx->hh_hi - lo) + 1) * sizeof *rows);
    if (sim_par_any(rows == NULL)) {
        free(rows);
        return SIM_ENOMEM;
    }
    for (uint32_t k = cx->a_lo; k < cx->a_hi; k++) {
        const sim_area *a = &r->areas[k];
        for (uint32_t s = a->lv0; s < a->lv1; s++) {
            const grid_lv_substation *lv = &topo->lv[s];
            for (uint32_t id = lv->first; id < lv->first + lv->count; id++) {
                uint32_t i = id - a->hh0;
                sim_household_row *row = &rows[id - lo];
                *row = (sim_household_row){.id = id,
                                           .area = k,
                                           .lv_substation = s,
                                           .primary = lv->primary,
                                           .region = (uint16_t)(lv->region + 1),
                                           .feeder = grid_topology_feeder(topo, id),
                                           .dwelling = (uint8_t)grid_topology_dwelling(topo, id),
                                           .wan_tech = cx->wt_on ? a->wt[i].tech : 255,
                                           .mesh_hops = cx->wt_on ? a->wt[i].level : 0,
                                           .population = sim_hh_fl(a, i)->pop,
                                           .generation = (uint8_t)sim_hh_gen(a, i),
                                           .supplier = sim_hh_fl(a, i)->supplier,
                                           .image = sim_hh_fl(a, i)->image,
                                           .tariff = sim_hh_fl(a, i)->tariff,
                                           .prepay = a->prepay[i],
                                           .route = sim_hh_fl(a, i)->route};
                if (row->generation == SIM_GEN_TRADITIONAL) {
                    row->wan_tech = 254; /* no WAN */
                    row->mesh_hops = 0;
                }
                if (cx->ops->hh_attrs) {
                    grid_hh_attrs at;
                    cx->ops->hh_attrs(cx->model, a->load + (size_t)i * cx->ops->hh_size, &at);
                    row->occupants = at.occupants;
                    row->heating = at.heating;
                    row->ev = at.ev;
                    row->pv_kwp = at.pv_kwp;
                    row->dr_engaged = at.dr_engaged;
                }
            }
        }
    }
    void *all;
    int rc = gather_households(r, rows, sizeof *rows, &all) ? SIM_ENOMEM : 0;
    if (rc == 0 && WRITER(r) && sim_trace_households(r->tr, all, r->sc->households)) rc = SIM_ETRACE;
    release_rows(all, rows);
    free(rows);
    if (rc == 0 && WRITER(r)) rc = write_populations(r);
    if (rc == 0 && WRITER(r)) rc = write_images(r);
    return rc;
}

/* The canonical order of events: time, household, code, value (sim_collect_events). */
static inline __attribute__((always_inline)) bool ev_less(const sim_event *a, const sim_event *b)
{
    if (a->t_s != b->t_s) return a->t_s < b->t_s;
    if (a->household != b->household) return a->household < b->household;
    if (a->code != b->code) return a->code < b->code;
    return a->value < b->value;
}
#define EV_LESS(x, y) ev_less(&(x), &(y))
SIM_RUNSORT_DEFINE(ev_sort, sim_event, EV_LESS)

/* V's N events in the canonical order, sorted with the run's scratch: 0, or SIM_ENOMEM. */
static int ev_order(sim_run *r, sim_event *v, size_t n)
{
    if (sim_vec_reserve(&r->scratch, n) != 0) return SIM_ENOMEM;
    ev_sort(v, n, r->scratch.v);
    return 0;
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
 * order SimGrid ran the areas in, on which area recorded what, or on which rank ran it. */
int sim_collect_events(sim_run *r, double t)
{
    if (!r->sc->trace.events) return 0;
    int rc = 0;
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi && !rc; k++) rc = gather(&r->pending, &r->areas[k].ev);
    if (!rc) rc = gather(&r->pending, &r->sink.ev);
    if (!rc) rc = ev_order(r, r->pending.v, r->pending.n);
    if (sim_par_any(rc != 0)) return SIM_ENOMEM;
    sim_vec *v = &r->pending;
    sim_event *ev = v->v;
    size_t k = 0;
    while (k < v->n && ev[k].t_s < t) k++;
    if (r->cx.ranks > 1) {
        /* rank 0 merges every rank's final events */
        size_t total;
        sim_event *all;
        if (gather_counted(r, ev, k, sizeof *ev, (void **)&all, &total)) return SIM_ENOMEM;
        sim_vec_drop_front(v, k);
        if (!WRITER(r)) return 0;
        rc = ev_order(r, all, total);
        if (!rc) rc = sim_trace_append(r->tr, SIM_DS_EVENTS, all, total) ? SIM_ETRACE : 0;
        free(all);
        return rc;
    }
    if (k && sim_trace_append(r->tr, SIM_DS_EVENTS, ev, k)) return SIM_ETRACE;
    sim_vec_drop_front(v, k);
    return 0;
}

/* Window W's energy per minute summed over the areas, every rank's [mW s]. */
static void window_minutes(const sim_run *r, uint32_t w, int64_t out[SIM_PERIOD_S / 60])
{
    memset(out, 0, sizeof(int64_t) * (SIM_PERIOD_S / 60));
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi; k++)
        for (int m = 0; m < SIM_PERIOD_S / 60; m++) out[m] += r->areas[k].mws[w % RING][m];
    sim_par_sum_i64(out, SIM_PERIOD_S / 60);
}

/* The head-end model's series bins before T_END [s], final once the model has been advanced
 * to T_END (net/headend.h): appended to their datasets, then released, so that the model
 * holds only the bins that can still change.  Bins past the model's last (series_bins, the
 * end of the run) do not exist and are not written. */
static int stream_headend(sim_run *r, double t_end)
{
    net_he_series v;
    net_he_series_view(r->sink.he, &v);
    uint64_t k_end = (uint64_t)(t_end / v.step_s);
    if (k_end > v.first + v.bins) k_end = v.first + v.bins;
    if (k_end <= v.first) return 0;
    size_t n = (size_t)(k_end - v.first);
    int rc = 0;
    /* every rank's head-end is the same: rank 0 writes, every rank releases */
#define STREAM_SERIES(name, type, units, desc)                                                 \
    if (rc == 0 && WRITER(r)) rc = sim_trace_append(r->tr, SIM_DS_HE_##name, v.name, n);
    NET_HE_SERIES_MAP(STREAM_SERIES)
#undef STREAM_SERIES
    if (rc == 0 && net_he_series_release(r->sink.he, k_end) != 0) rc = -1;
    return rc;
}

/* Window W is closed: hand the head-end's series up to its end, its demand and cell series
 * to the trace and clear the areas' slots of W. */
/* The days the fleet has closed, to /fleet/daily. */
static int write_fleet_days(sim_run *r)
{
    sim_vec *v = &r->life.rows;
    int rc = v->n && WRITER(r) ? sim_trace_append(r->tr, SIM_DS_FLEET_DAILY, v->v, v->n) : 0;
    v->n = 0;
    return rc;
}

/* /fleet/final: each meter's generation, population, image and route at the end. */
static int write_fleet_final(sim_run *r)
{
    const sim_fleet *f = &r->fleet;
    size_t n = r->cx.hh_hi - r->cx.hh_lo;
    uint8_t *buf = malloc((n ? n : 1) * SIM_FLEET_FINAL_NCOLS);
    if (sim_par_any(buf == NULL)) {
        free(buf);
        return -1;
    }
    for (size_t j = 0; j < n; j++) {
        const sim_fleet_hh *h = &f->hh[r->cx.hh_lo + j];
        uint8_t *b = buf + j * SIM_FLEET_FINAL_NCOLS;
        b[SIM_FLEET_FINAL_GENERATION] = (uint8_t)f->pops[h->pop].p->generation;
        b[SIM_FLEET_FINAL_POPULATION] = h->pop;
        b[SIM_FLEET_FINAL_IMAGE] = h->image;
        b[SIM_FLEET_FINAL_ROUTE] = h->route;
    }
    void *all;
    int rc = gather_households(r, buf, SIM_FLEET_FINAL_NCOLS, &all);
    if (rc == 0 && WRITER(r)) rc = sim_trace_rows(r->tr, SIM_DS_FLEET_FINAL, 0, r->sc->households, all);
    release_rows(all, buf);
    free(buf);
    return rc;
}

int sim_collect_window(sim_run *r, uint32_t w)
{
    int64_t mws[SIM_PERIOD_S / 60];
    window_minutes(r, w, mws);
    double demand_w[SIM_PERIOD_S / 60];
    for (int m = 0; m < SIM_PERIOD_S / 60; m++) demand_w[m] = (double)mws[m] / 60.0 / 1000.0;
    int rc = stream_headend(r, (double)(w + 1) * SIM_PERIOD_S);
    if (!rc && WRITER(r)) rc = sim_trace_append(r->tr, SIM_DS_DEMAND, demand_w, SIM_PERIOD_S / 60);
    /* per cell: each rank's areas [area][second], then on rank 0 [second][area] */
    uint32_t na = r->n_areas, mine = r->cx.a_hi - r->cx.a_lo;
    uint32_t *own = malloc((size_t)SIM_PERIOD_S * 2 * mine * sizeof *own);
    if (sim_par_any(own == NULL)) {
        free(own);
        return SIM_ETRACE;
    }
    size_t base = (size_t)(w % RING) * SIM_PERIOD_S;
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi; k++) {
        sim_area *a = &r->areas[k];
        uint32_t *x = own + (size_t)(k - r->cx.a_lo) * 2 * SIM_PERIOD_S;
        memcpy(x, a->cell_arr + base, SIM_PERIOD_S * sizeof *x);
        memcpy(x + SIM_PERIOD_S, a->cell_q + base, SIM_PERIOD_S * sizeof *x);
        memset(a->mws[w % RING], 0, sizeof a->mws[0]);
        memset(a->cell_arr + base, 0, SIM_PERIOD_S * sizeof *a->cell_arr);
        memset(a->cell_q + base, 0, SIM_PERIOD_S * sizeof *a->cell_q);
    }
    uint32_t *all;
    if (gather_areas(r, own, 2 * SIM_PERIOD_S * sizeof *own, (void **)&all)) rc = 1;
    if (!rc && WRITER(r)) {
        uint32_t *ca = malloc((size_t)SIM_PERIOD_S * na * sizeof *ca);
        uint32_t *cq = malloc((size_t)SIM_PERIOD_S * na * sizeof *cq);
        if (!ca || !cq) rc = 1;
        for (uint32_t k = 0; !rc && k < na; k++)
            for (uint32_t sec = 0; sec < SIM_PERIOD_S; sec++) {
                ca[(size_t)sec * na + k] = all[(size_t)k * 2 * SIM_PERIOD_S + sec];
                cq[(size_t)sec * na + k] = all[(size_t)k * 2 * SIM_PERIOD_S + SIM_PERIOD_S + sec];
            }
        if (!rc) rc = sim_trace_cells(r->tr, ca, cq, SIM_PERIOD_S);
        free(ca);
        free(cq);
    }
    release_rows(all, own);
    free(own);
    if (!rc) rc = write_fleet_days(r);
    return rc ? SIM_ETRACE : 0;
}

/* Households [h0, h0+nh) (this rank's) x periods [p0, p0+np) of every channel into
 * BUF[c][j][p], from the meters' logs: newest slot first; a period the meter spent without
 * supply has no slot (it stays 0). */
static void halfhourly_block(const sim_run *r, uint32_t h0, uint32_t nh, uint32_t p0, uint32_t np,
                             uint32_t *buf)
{
    const sim_ctx *cx = &r->cx;
    const sim_area *a = &r->areas[cx->a_lo];
    memset(buf, 0, (size_t)nh * np * sizeof *buf * MM_CH_COUNT);
    for (uint32_t j = 0; j < nh; j++) {
        a = area_of(a, h0 + j);
        const void *fw = sim_hh_fw_settled(a, h0 + j - a->hh0);
        mm_profile_slot sl;
        const mm_abi *abi = sim_hh_abi(a, h0 + j - a->hh0);
        for (uint32_t age = 0; abi->profile_slot(fw, age, &sl) == MM_OK; age++) {
            if (sl.period < cx->period0 + p0) break;
            uint32_t p = sl.period - cx->period0 - p0;
            if (p >= np) continue;
            for (int c = 0; c < MM_CH_COUNT; c++) buf[((size_t)c * nh + j) * np + p] = sl.wh[c];
        }
    }
}

/* Gas of households [h0, h0+nh) (this rank's) in periods [p0, p0+np) into BUF[j][p], from the
 * areas' buffers (slot = period % SIM_GAS_SLOTS). */
static void gas_block(const sim_run *r, uint32_t h0, uint32_t nh, uint32_t p0, uint32_t np,
                      uint32_t *buf)
{
    const sim_area *g = &r->areas[r->cx.a_lo];
    for (uint32_t j = 0; j < nh; j++) {
        g = area_of(g, h0 + j);
        for (uint32_t p = 0; p < np; p++)
            buf[(size_t)j * np + p] = sim_area_gas_of(g, h0 + j - g->hh0, p0 + p);
    }
}

#define HH_CHANNELS (MM_CH_COUNT + 1) /* the meter's channels, then gas */

/* Chunk J's households (trace.c: chunk_households a chunk) of TOTAL: [*h0, *h0 + *nh). */
static void chunk_span(uint32_t j, uint32_t ch, uint32_t total, uint32_t *h0, uint32_t *nh)
{
    *h0 = j * ch;
    *nh = total - *h0 < ch ? total - *h0 : ch;
}

/* The chunks wholly this rank's, [*j0, *j1), of a rank holding households [LO, HI). */
static void own_chunks(uint32_t lo, uint32_t hi, uint32_t ch, uint32_t total, uint32_t *j0,
                       uint32_t *j1)
{
    *j0 = (lo + ch - 1) / ch;
    *j1 = hi == total ? (total + ch - 1) / ch : hi / ch;
    if (*j1 < *j0) *j1 = *j0;
}

/* Chunk J of periods [p0, p0+np), which two or more ranks share: each rank's households of it
 * (halfhourly_block, gas_block) gathered to rank 0, which writes them through HDF5's filters. */
static int shared_chunk(sim_run *r, uint32_t j, uint32_t p0, uint32_t np, uint32_t *buf,
                        uint32_t *part, bool gas)
{
    const sim_ctx *cx = &r->cx;
    uint32_t h0, nh, ch = r->sc->trace.chunk_households, total = r->sc->households;
    if (ch > total) ch = total;
    chunk_span(j, ch, total, &h0, &nh);
    uint32_t a = cx->hh_lo > h0 ? cx->hh_lo : h0, b = cx->hh_hi < h0 + nh ? cx->hh_hi : h0 + nh;
    uint32_t m = b > a ? b - a : 0;
    if (m) halfhourly_block(r, a, m, p0, np, part);
    for (int c = 0; c < MM_CH_COUNT; c++)
        sim_par_gather_rows(part + (size_t)c * m * np, m, np * sizeof *part,
                            WRITER(r) ? buf + (size_t)c * nh * np : NULL);
    int rc = 0;
    for (int c = 0; c < MM_CH_COUNT && rc == 0 && WRITER(r); c++)
        rc = sim_trace_halfhourly(r->tr, c, h0, nh, p0, np, buf + (size_t)c * nh * np);
    if (gas) {
        if (m) gas_block(r, a, m, p0, np, part);
        sim_par_gather_rows(part, m, np * sizeof *part, WRITER(r) ? buf : NULL);
        if (rc == 0 && WRITER(r)) rc = sim_trace_halfhourly(r->tr, SIM_HALFHOURLY_GAS, h0, nh, p0, np, buf);
    }
    return rc;
}

/* Periods [p0, p0+np) are closed on every meter: copy them from the meters' logs (and the gas
 * of these periods from the areas' day buffers) into the trace's chunks.  Each rank encodes
 * the chunks wholly its own as the datasets store them (shuffled and deflated:
 * sim_trace_chunk_encode, with libdeflate; HDF5 decodes the stream with zlib), so the
 * compression, most of writing the trace, is shared by the ranks; rank 0 gathers them and
 * writes them as they are (alone, each is written at once).  A chunk two ranks share (at
 * most one at each rank boundary) goes to rank 0 as values and through HDF5's filters
 * there. */
int sim_collect_halfhourly(sim_run *r, uint32_t p0, uint32_t np)
{
    if (np == 0) return 0;
    const sim_ctx *cx = &r->cx;
    uint32_t total = r->sc->households, ch = r->sc->trace.chunk_households;
    if (ch > total) ch = total;
    int level = r->sc->trace.compression;
    bool gas = r->areas[cx->a_lo].gas_w != NULL;
    int nc = gas ? HH_CHANNELS : MM_CH_COUNT;
    sim_chunk_coder *coder = sim_chunk_coder_new(level);
    size_t vals = (size_t)ch * 48, bound = coder ? sim_trace_chunk_bound(coder, vals) : 0;
    uint32_t j0, j1;
    own_chunks(cx->hh_lo, cx->hh_hi, ch, total, &j0, &j1);
    /* this rank's encoded chunks, channel by channel: bytes and each chunk's size */
    sim_vec enc[HH_CHANNELS], sizes[HH_CHANNELS];
    for (int c = 0; c < HH_CHANNELS; c++) {
        enc[c] = SIM_VEC_INIT(unsigned char);
        sizes[c] = SIM_VEC_INIT(uint64_t);
    }
    uint32_t *buf = malloc((size_t)ch * np * sizeof *buf * MM_CH_COUNT);
    uint32_t *part = malloc((size_t)ch * np * sizeof *part * MM_CH_COUNT);
    uint32_t *pad = malloc(vals * sizeof *pad);
    unsigned char *out = malloc(bound), *scratch = malloc(vals * sizeof *pad);
    int rc = coder && buf && part && pad && out && scratch ? 0 : SIM_ENOMEM;
    for (uint32_t j = j0; j < j1 && !rc; j++) {
        uint32_t h0, nh;
        chunk_span(j, ch, total, &h0, &nh);
        halfhourly_block(r, h0, nh, p0, np, buf);
        for (int c = 0; c < nc && !rc; c++) {
            const uint32_t *v = buf + (size_t)c * nh * np;
            if (c == MM_CH_COUNT) {
                gas_block(r, h0, nh, p0, np, part);
                v = part;
            }
            memset(pad, 0, vals * sizeof *pad); /* HDF5's fill value past the data */
            for (uint32_t x = 0; x < nh; x++) memcpy(pad + (size_t)x * 48, v + (size_t)x * np, np * sizeof *v);
            size_t n = 0;
            if (sim_trace_chunk_encode(coder, pad, vals, out, scratch, &n)) {
                rc = SIM_ENOMEM;
                break;
            }
            if (cx->ranks == 1) { /* alone: written at once, nothing kept for a gather */
                int channel = c == MM_CH_COUNT ? SIM_HALFHOURLY_GAS : c;
                if (sim_trace_halfhourly_chunk(r->tr, channel, (uint64_t)j * ch, p0, np, out, n))
                    rc = SIM_ETRACE;
                continue;
            }
            if (sim_vec_reserve(&enc[c], enc[c].n + n)) {
                rc = SIM_ENOMEM;
                break;
            }
            memcpy((unsigned char *)enc[c].v + enc[c].n, out, n);
            enc[c].n += n;
            uint64_t n64 = n;
            if (sim_vec_push(&sizes[c], &n64)) rc = SIM_ENOMEM;
        }
    }
    if (sim_par_any(rc != 0) && !rc) rc = SIM_EPEER;
    /* rank 0 writes every rank's chunks in rank order: ranks hold consecutive households */
    for (int c = 0; c < nc && !rc && cx->ranks > 1; c++) {
        uint64_t *all_sizes = NULL;
        unsigned char *all_bytes = NULL;
        size_t nchunks, nbytes;
        int g = gather_counted(r, sizes[c].v, sizes[c].n, sizeof(uint64_t), (void **)&all_sizes,
                               &nchunks);
        g |= gather_counted(r, enc[c].v, enc[c].n, 1, (void **)&all_bytes, &nbytes);
        if (g) rc = SIM_ENOMEM;
        size_t at = 0, q = 0;
        for (int k = 0; !rc && WRITER(r) && k < cx->ranks; k++) {
            uint32_t a0, a1;
            own_chunks(r->rank_hh[k], r->rank_hh[k + 1], ch, total, &a0, &a1);
            for (uint32_t j = a0; j < a1 && !rc; j++, q++) {
                int channel = c == MM_CH_COUNT ? SIM_HALFHOURLY_GAS : c;
                if (sim_trace_halfhourly_chunk(r->tr, channel, (uint64_t)j * ch, p0, np,
                                               all_bytes + at, all_sizes[q]))
                    rc = SIM_ETRACE;
                at += all_sizes[q];
            }
        }
        release_rows(all_sizes, sizes[c].v);
        release_rows(all_bytes, enc[c].v);
        if (sim_par_any(rc != 0) && !rc) rc = SIM_EPEER;
    }
    /* the chunks two ranks share: the first and last of each rank's range, when partial */
    for (int k = 1; k < cx->ranks && !rc; k++) {
        uint32_t b = r->rank_hh[k];
        if (b % ch == 0) continue; /* the boundary falls between chunks */
        if (k > 1 && r->rank_hh[k - 1] / ch == b / ch && r->rank_hh[k - 1] % ch)
            continue; /* a chunk three ranks share: written once */
        rc = shared_chunk(r, b / ch, p0, np, buf, part, gas) ? SIM_ETRACE : 0;
        if (sim_par_any(rc != 0) && !rc) rc = SIM_EPEER;
    }
    for (int c = 0; c < HH_CHANNELS; c++) {
        sim_vec_free(&enc[c]);
        sim_vec_free(&sizes[c]);
    }
    free(buf);
    free(part);
    free(pad);
    free(out);
    free(scratch);
    sim_chunk_coder_free(coder);
    return rc;
}

static int write_registers(sim_run *r)
{
    _Static_assert((int)MM_CH_COUNT == (int)SIM_REG_NCOLS,
                   "registers: one column per meter channel");
    size_t n = r->cx.hh_hi - r->cx.hh_lo;
    uint64_t *buf = malloc((n ? n : 1) * MM_CH_COUNT * sizeof *buf);
    int64_t *bill = malloc((n ? n : 1) * SIM_BILL_NCOLS * sizeof *bill);
    int rc = sim_par_any(!buf || !bill) ? -1 : 0;
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi && rc == 0; k++) {
        const sim_area *a = &r->areas[k];
        size_t j0 = a->hh0 - r->cx.hh_lo;
        for (uint32_t i = 0; i < a->n; i++) {
            mm_esme_snapshot s;
            sim_hh_abi(a, i)->snapshot(sim_hh_fw_settled(a, i), &s);
            for (int c = 0; c < MM_CH_COUNT; c++) buf[(j0 + i) * MM_CH_COUNT + c] = s.reg[c];
            int64_t *b = bill + (j0 + i) * SIM_BILL_NCOLS;
            b[SIM_BILL_COST] = s.cost_total;
            b[SIM_BILL_BALANCE] = s.balance;
            b[SIM_BILL_AVAILABLE] = s.available;
        }
    }
    void *all = NULL;
    if (rc == 0) rc = gather_households(r, buf, MM_CH_COUNT * sizeof *buf, &all);
    if (rc == 0 && WRITER(r)) rc = sim_trace_rows(r->tr, SIM_DS_REGISTERS, 0, r->sc->households, all);
    release_rows(all, buf);
    all = NULL;
    if (rc == 0) rc = gather_households(r, bill, SIM_BILL_NCOLS * sizeof *bill, &all);
    if (rc == 0 && WRITER(r)) rc = sim_trace_rows(r->tr, SIM_DS_BILLING, 0, r->sc->households, all);
    release_rows(all, bill);
    free(buf);
    free(bill);
    return rc;
}

/* Per-class statistics of the head-end, one row per class and the total (the declaration's
 * rows, in net_he_class order). */
static int write_class_stats(sim_run *r)
{
    if (!WRITER(r)) return 0; /* the same head-end on every rank */
    net_headend *he = r->sink.he;
    double stats[(NET_HE_NCLASS + 1) * SIM_HECLASS_NCOLS];
    for (unsigned c = 0; c <= NET_HE_NCLASS; c++) {
        net_he_stats st;
        net_he_stats_get(he, c, &st);
        double *x = &stats[c * SIM_HECLASS_NCOLS];
        x[SIM_HECLASS_OFFERED] = (double)st.offered;
        x[SIM_HECLASS_ACCEPTED] = (double)st.accepted;
        x[SIM_HECLASS_DROPPED] = (double)st.dropped;
        x[SIM_HECLASS_QUARANTINED] = (double)st.quarantined;
        x[SIM_HECLASS_EXCLUDED] = (double)st.excluded;
        x[SIM_HECLASS_COMPLETED] = (double)st.completed;
        x[SIM_HECLASS_MET_TARGET] = (double)st.met_target;
        x[SIM_HECLASS_RESP_MEAN_S] = st.completed ? st.resp_sum_s / (double)st.completed : NAN;
        x[SIM_HECLASS_RESP_P50_S] = net_he_resp_quantile(he, c, 0.5);
        x[SIM_HECLASS_RESP_P99_S] = net_he_resp_quantile(he, c, 0.99);
        x[SIM_HECLASS_WAIT_MEAN_S] = st.started ? st.wait_sum_s / (double)st.started : NAN;
        x[SIM_HECLASS_WAIT_MAX_S] = st.wait_max_s;
    }
    return sim_trace_whole(r->tr, SIM_DS_HE_CLASS_STATS, stats, NET_HE_NCLASS + 1);
}

/* The DNO's view of restorations, from every area's restore and known times in id order. */
static int write_dno(sim_run *r)
{
    size_t n = r->sc->households, mine = r->cx.hh_hi - r->cx.hh_lo;
    double *rk = malloc((mine ? mine : 1) * 2 * sizeof *rk); /* [household][restore, known] */
    double *restore = WRITER(r) ? malloc(n * sizeof *restore) : NULL;
    double *known = WRITER(r) ? malloc(n * sizeof *known) : NULL;
    int rc = sim_par_any(!rk || (WRITER(r) && (!restore || !known))) ? -1 : 0;
    for (uint32_t k = r->cx.a_lo; rc == 0 && k < r->cx.a_hi; k++) {
        const sim_area *a = &r->areas[k];
        double *x = rk + (size_t)(a->hh0 - r->cx.hh_lo) * 2;
        for (uint32_t i = 0; i < a->n; i++) {
            x[2 * i] = a->restore_s[i] == SIM_NOT_RESTORED ? NAN : (double)a->restore_s[i];
            x[2 * i + 1] = a->known_s[i];
        }
    }
    double *all = NULL;
    if (rc == 0) rc = gather_households(r, rk, 2 * sizeof *rk, (void **)&all);
    net_dno_view dv;
    if (rc == 0 && WRITER(r)) {
        for (size_t j = 0; j < n; j++) {
            restore[j] = all[2 * j];
            known[j] = all[2 * j + 1];
        }
        if (net_dno_view_compute(restore, known, n, 300.0, &dv) == 0) {
            double d[SIM_DNO_NCOLS];
            d[SIM_DNO_RESTORED] = (double)dv.restored;
            d[SIM_DNO_KNOWN] = (double)dv.known;
            d[SIM_DNO_LAST_RESTORE_S] = dv.last_restore_s;
            d[SIM_DNO_LAST_KNOWN_S] = dv.last_known_s;
            d[SIM_DNO_ALL_KNOWN_AFTER_S] = dv.all_known_after_s;
            d[SIM_DNO_FRAC_KNOWN_WITHIN_5MIN] = dv.frac_within;
            d[SIM_DNO_LAG_P50_S] = dv.lag_p50_s;
            d[SIM_DNO_LAG_P99_S] = dv.lag_p99_s;
            rc = sim_trace_whole(r->tr, SIM_DS_DNO_RESTORATION, d, 1);
        }
    }
    release_rows(all, rk);
    free(rk);
    free(restore);
    free(known);
    return rc;
}

/* The head-end's series up to END, its per-class statistics and the DNO's view. */
static int write_headend(sim_run *r, uint32_t end)
{
    /* NET_EHE_ORDER: arrivals after the last window moved the clock past END; the bins
     * before END are final all the same */
    int rc = sim_sink_advance(&r->sink, end) != 0 ? -1 : 0;
    /* completions recorded by the advance; every rank takes every step */
    rc |= sim_collect_events(r, (double)end + 1e9) ? -1 : 0;
    rc |= stream_headend(r, end);
    rc |= write_class_stats(r);
    rc |= write_dno(r);
    return rc;
}

/* Regional demand and prices of the windows before UPTO the coordinator has finished (all of
 * them when FINAL), one row per settlement period. */
int sim_collect_grid(sim_run *r, uint32_t upto, bool final)
{
    sim_coord *c = &r->coord;
    if (!final && upto > c->done) upto = c->done;
    if (!WRITER(r)) { /* every rank's coordinator made the same rows */
        if (c->streamed < upto) c->streamed = upto;
        return 0;
    }
    for (; c->streamed < upto; c->streamed++) {
        sim_grid_row row;
        sim_coord_row(c, c->streamed, &row);
        if (sim_trace_append_rows(r->tr, SIM_DS_REGION_DEMAND, row.region_w, 1) ||
            sim_trace_append(r->tr, SIM_DS_PRICE, &row.price_p_kwh, 1) ||
            sim_trace_append(r->tr, SIM_DS_WHOLESALE, &row.wholesale, 1))
            return SIM_ETRACE;
    }
    return 0;
}

/* Per WAN cell: technology, size, links, site dark time, losses by cause, peak queue. */
static int write_areas(sim_run *r, uint32_t windows)
{
    const sim_ctx *cx = &r->cx;
    uint32_t mine = cx->a_hi - cx->a_lo;
    double *at = calloc((size_t)mine * SIM_AREA_NCOLS, sizeof *at);
    if (sim_par_any(at == NULL)) {
        free(at);
        return -1;
    }
    for (uint32_t k = cx->a_lo; k < cx->a_hi; k++) {
        const sim_area *a = &r->areas[k];
        double down = 0;
        uint32_t spells = 0;
        if (cx->wt_on) net_wt_site_downtime(&cx->wt_cfg, &a->site, windows * SIM_PERIOD_S, &down, &spells);
        double *x = &at[(size_t)(k - cx->a_lo) * SIM_AREA_NCOLS];
        x[SIM_AREA_REGION] = a->region;
        x[SIM_AREA_TECH] = cx->wt_on ? a->site.tech : -1;
        x[SIM_AREA_HOUSEHOLDS] = a->n;
        x[SIM_AREA_UPLINK_BPS] = a->uplink_bps;
        x[SIM_AREA_UPLINK_LATENCY_S] = a->uplink_latency_s;
        x[SIM_AREA_SITE_DOWNTIME_S] = down;
        x[SIM_AREA_DARK_SPELLS] = spells;
        x[SIM_AREA_LOST_ACCESS] = (double)a->lost[NET_WT_LOST_ACCESS];
        x[SIM_AREA_LOST_MESH] = (double)a->lost[NET_WT_LOST_MESH];
        x[SIM_AREA_LOST_NO_ROUTE] = (double)a->lost[NET_WT_NO_ROUTE];
        x[SIM_AREA_LOST_SITE_DARK] = (double)a->lost[NET_WT_SITE_DOWN];
        x[SIM_AREA_PEAK_CELL_QUEUE] = (double)a->peak_backlog;
        x[SIM_AREA_FIRMWARE_BYTES] = (double)a->fw_bytes;
    }
    double *all;
    int rc = gather_areas(r, at, SIM_AREA_NCOLS * sizeof *at, (void **)&all);
    if (rc == 0 && WRITER(r)) rc = sim_trace_whole(r->tr, SIM_DS_AREAS, all, r->n_areas);
    release_rows(all, at);
    free(at);
    return rc;
}

static int write_price_updates(sim_run *r)
{
    if (sim_dl_updates_reduce(r->dl) != 0) return -1;
    uint32_t n = sim_dl_updates(r->dl);
    if (n == 0 || !WRITER(r)) return 0;
    double *pu = calloc((size_t)n * SIM_UPD_NCOLS, sizeof *pu);
    if (!pu) return -1;
    for (uint32_t k = 0; k < n; k++) sim_dl_update_row(r->dl, k, pu + (size_t)k * SIM_UPD_NCOLS);
    int rc = sim_trace_whole(r->tr, SIM_DS_PRICE_UPDATES, pu, n);
    free(pu);
    return rc;
}

/* Per premises home-area network results, with the gas meter's battery over WINDOWS. */
static int write_han(sim_run *r, uint32_t windows)
{
    const sim_ctx *cx = &r->cx;
    size_t mine = cx->hh_hi - cx->hh_lo;
    sim_han_row *h = malloc((mine ? mine : 1) * sizeof *h);
    if (sim_par_any(h == NULL)) {
        free(h);
        return -1;
    }
    for (uint32_t k = cx->a_lo; k < cx->a_hi; k++) {
        sim_area *a = &r->areas[k];
        for (uint32_t i = 0; i < a->n; i++) {
            net_han *x = &a->han[i];
            net_han_gas_account(&cx->han_cfg, x, 0, windows * SIM_PERIOD_S, NULL);
            net_han_battery_out b;
            float life = net_han_gas_battery(&cx->han_cfg, x, &b) == 0 ? (float)b.life_years : NAN;
            h[a->hh0 - cx->hh_lo + i] = (sim_han_row){.works = net_han_works(x),
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
    void *all;
    int rc = gather_households(r, h, sizeof *h, &all);
    if (rc == 0 && WRITER(r)) rc = sim_trace_whole(r->tr, SIM_DS_HAN, all, r->sc->households);
    release_rows(all, h);
    free(h);
    return rc;
}

/* Everything written once at the end, over the REACHED windows.  Every rank takes every
 * step, whatever an earlier one gave (each gathers to rank 0). */
int sim_collect_final(sim_run *r, uint32_t reached)
{
    /* the fleet rows changed since the last midnight, on every rank: the last day's counts and
     * /fleet/suppliers read the whole table */
    int rc = sim_lifecycle_sync(&r->life) ? -1 : 0;
    rc |= write_registers(r);
    rc |= write_headend(r, reached * SIM_PERIOD_S);
    rc |= write_areas(r, reached);
    rc |= write_price_updates(r);
    rc |= write_han(r, reached);
    rc |= write_suppliers(r);
    rc |= write_campaigns(r);
    rc |= write_command_runs(r, reached * SIM_PERIOD_S);
    rc |= write_firmware_log(r);
    sim_lifecycle_close(&r->life, reached * SIM_PERIOD_S);
    rc |= write_fleet_days(r);
    rc |= write_fleet_final(r);
    return rc ? SIM_ETRACE : 0;
}
