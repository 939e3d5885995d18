/* Areas: a WAN cell's households in columns, their event queues, and the SimGrid actor that
 * advances them.
 *
 * An area owns whole LV substations of one region (partition.c decides which).  Its actor
 * takes, window after window, the earliest of its queues (supply changes, then load changes,
 * cold-load steps and messages at equal times) and hands it to household.c; technology-
 * delayed sends enter the cell when due; while a downlink transfer is under way the actor
 * keeps pace with SimGrid's clock so what arrives is acted on when it arrives.  At the
 * window's end it closes the half-hour on every meter and meets the coordinator.
 */
#include "runner.h"

#include "mm_port_sim.h"
#include "sim/events.h"

#include <math.h>
#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_area_bytes_by_part(const sim_ctx *cx, double out[SIM_PARTS])
{
    bool has_gas = cx->ops->gas_w != NULL;
    for (int k = 0; k < SIM_PARTS; k++) out[k] = 0;
    /* the states' and the stores' blocks: counted from the areas at the end (run.c) */
    out[SIM_PART_FW_STATE] = 0;
    out[SIM_PART_NVM] = 0;
    out[SIM_PART_ENGINE] = sizeof(sim_fleet_hh);
#define COL_BYTES(type, name, count, when, part, doc)                                          \
    if (when) out[SIM_PART_##part] += (double)(count) * sizeof(type);
    SIM_AREA_COLUMNS(COL_BYTES)
#undef COL_BYTES
}

/* Zeroed.  calloc where its alignment will do: large blocks then come from fresh zero pages
 * the kernel maps only when first written, so slots a short run never uses (the tail of a
 * profile log, an event ring) cost no memory. */
static void *col_alloc(size_t n, size_t bytes_per, size_t align)
{
    if (align <= 16) return calloc(n ? n : 1, bytes_per ? bytes_per : 1);
    size_t bytes = n * bytes_per;
    bytes = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, bytes ? bytes : align);
    if (p) memset(p, 0, bytes ? bytes : align);
    return p;
}

sim_area *sim_area_of(sim_area *areas, uint32_t n, uint32_t id)
{
    uint32_t lo = 0, hi = n;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (areas[mid].hh0 <= id)
            lo = mid;
        else
            hi = mid;
    }
    return &areas[lo];
}

void sim_area_fail(sim_area *a, int code)
{
    if (!a->err) a->err = code;
}

void sim_area_schedule(sim_area *a, sim_hevq *q, uint32_t t, uint32_t i, uint32_t u)
{
    if (t >= a->cx->end_s) return;
    if (sim_hevq_push(q, (sim_hev){t, i, u}) != 0) sim_area_fail(a, SIM_ENOMEM);
}

void sim_area_record(sim_area *a, double t, uint32_t hh, uint32_t code, int64_t value)
{
    if (!a->cx->sc->trace.events) return;
    sim_event e = {.t_s = t, .household = hh, .code = code, .value = value};
    if (SIM_VEC_PUSH(&a->ev, sim_event, e) != 0) sim_area_fail(a, SIM_ENOMEM);
}

/* Integrate the area's total power up to T into its per-minute energy ring. */
void sim_area_integrate(sim_area *a, uint32_t t)
{
    while (a->power_t < t) {
        uint32_t minute_end = (a->power_t / 60 + 1) * 60;
        uint32_t until = minute_end < t ? minute_end : t;
        uint32_t w = a->power_t / SIM_PERIOD_S;
        int64_t e = a->power_mw * (int64_t)(until - a->power_t);
        a->mws[w % RING][(a->power_t % SIM_PERIOD_S) / 60] += e;
        a->win_mws[w % RING] += e;
        a->power_t = until;
    }
}

void sim_area_gas_put(sim_area *a, uint32_t i, uint32_t period, uint32_t wh)
{
    uint16_t *s = &a->gas_day[(size_t)i * SIM_GAS_SLOTS + period % SIM_GAS_SLOTS];
    *s = wh < SIM_GAS_BIG ? (uint16_t)wh : SIM_GAS_BIG;
    if (*s != SIM_GAS_BIG) return;
    sim_gas_big b = {i, period, wh};
    if (SIM_VEC_PUSH(&a->gas_big, sim_gas_big, b) != 0) sim_area_fail(a, SIM_ENOMEM);
}

uint32_t sim_area_gas_of(const sim_area *a, uint32_t i, uint32_t period)
{
    uint16_t s = a->gas_day[(size_t)i * SIM_GAS_SLOTS + period % SIM_GAS_SLOTS];
    if (s != SIM_GAS_BIG) return s;
    for (size_t k = 0; k < a->gas_big.n; k++) {
        const sim_gas_big *b = &SIM_VEC_AT(&a->gas_big, sim_gas_big, k);
        if (b->i == i && b->period == period) return b->wh;
    }
    return SIM_GAS_BIG; /* not reached: a slot holds SIM_GAS_BIG only with its record */
}

void sim_area_gas_forget(sim_area *a, uint32_t period)
{
    size_t kept = 0;
    for (size_t k = 0; k < a->gas_big.n; k++) {
        sim_gas_big b = SIM_VEC_AT(&a->gas_big, sim_gas_big, k);
        if (b.period + SIM_GAS_SLOTS > period) SIM_VEC_AT(&a->gas_big, sim_gas_big, kept++) = b;
    }
    a->gas_big.n = kept;
}

/* The links of LV substation S's premises: SMETS2 meters on the DCC's technology, the others
 * (SMETS1, traditional) off the DCC's network. */
static int lv_links(sim_area *a, uint32_t s, uint8_t *not_dcc)
{
    const sim_ctx *cx = a->cx;
    const grid_lv_substation *lv = &cx->topo->lv[s];
    uint32_t o = lv->first - a->hh0;
    for (uint32_t k = 0; k < lv->count; k++) not_dcc[k] = sim_hh_gen(a, o + k) != SIM_GEN_SMETS2;
    return net_wt_lv_build_fleet(&cx->wt_cfg, s, lv->region, lv->first, lv->count, not_dcc, a->wt + o);
}

int sim_area_wan_rebuild_lv(sim_area *a, uint32_t s)
{
    const sim_ctx *cx = a->cx;
    if (!cx->wt_on) return 0;
    const grid_lv_substation *lv = &cx->topo->lv[s];
    uint8_t *not_dcc = malloc(lv->count ? lv->count : 1);
    if (!not_dcc) return SIM_ENOMEM;
    int rc = lv_links(a, s, not_dcc);
    free(not_dcc);
    uint32_t o = lv->first - a->hh0;
    if (rc == 0) rc = net_wt_mesh_repair(&cx->wt_cfg, a->wt + o, lv->count, a->off + o);
    return rc ? SIM_EINPUT : 0;
}

/* The WAN links of every premises and the area's site (wan.technology: model). */
static int area_wan_build(sim_area *a, char *err, size_t errlen)
{
    const sim_ctx *cx = a->cx;
    uint8_t *not_dcc = malloc(a->n ? a->n : 1);
    if (!not_dcc) {
        snprintf(err, errlen, "out of memory building area %u's WAN", a->id);
        return -1;
    }
    for (uint32_t s = a->lv0; s < a->lv1; s++)
        if (lv_links(a, s, not_dcc) != 0) {
            free(not_dcc);
            snprintf(err, errlen, "wan: LV substation %u: building its links failed", s);
            return -1;
        }
    free(not_dcc);
    for (uint32_t i = 0; i < a->n; i++) {
        sim_rng r;
        net_wt_rng_seed(&r, cx->sc->seed, (uint64_t)a->hh0 + i);
        sim_rng_pack(&a->wtr[i], &r);
    }
    net_wt_site_init(&cx->wt_cfg, &a->site, net_wt_area_tech(&cx->wt_cfg, a->region - 1u), 0);
    return 0;
}

/* The meters' firmware states (coded, each in a block of its own once it has one) and
 * their NVM stores' pool. */
static bool area_fw_slots(sim_area *a)
{
    uint32_t bank = a->cx->fw->max_bank ? a->cx->fw->max_bank : 1u;
    void *block = malloc(mm_port_sim_nvm_pool_bytes(bank));
    if (block) mm_port_sim_nvm_pool_init(&a->nvm_pool, block, bank);
    return sim_fw_states_init(a) == 0 && block != NULL;
}

int sim_area_alloc(sim_area *a, const sim_ctx *cx, sg_host_t host, char *err, size_t errlen)
{
    size_t n = a->n;
    bool has_gas = cx->ops->gas_w != NULL;
    bool ok = true;
    a->cx = cx;
    a->ev = SIM_VEC_INIT(sim_event);
    a->gas_big = SIM_VEC_INIT(sim_gas_big);
#define COL_ALLOC(type, name, count, when, part, doc)                                          \
    if (when) {                                                                                \
        a->name = col_alloc(n, (size_t)(count) * sizeof(type),                                 \
                            _Alignof(type) > 16 ? _Alignof(type) : 16);                        \
        ok = ok && a->name;                                                                    \
    }
    SIM_AREA_COLUMNS(COL_ALLOC)
#undef COL_ALLOC
    ok = ok && area_fw_slots(a);
    a->cell_arr = calloc(RING * SIM_PERIOD_S, sizeof *a->cell_arr);
    a->cell_q = calloc(RING * SIM_PERIOD_S, sizeof *a->cell_q);
    a->cell = sim_cell_create(cx->sc->wan.max_flows, host, sim_uplink_arrived, sim_dl_area_recv, a);
    if (!ok || !a->cell_arr || !a->cell_q || !a->cell || sim_wheel_init(&a->loadq, (uint32_t)n) ||
        sim_hevq_reserve(&a->msgq, (uint32_t)n)) {
        snprintf(err, errlen, "out of memory allocating area %u (%zu households)", a->id, n);
        return -1;
    }
    if (cx->wt_on && area_wan_build(a, err, errlen)) return -1;
    a->broadcast = sim_area_broadcasts(a); /* knows its site's technology now */
    for (uint32_t i = 0; i < n; i++) {
        sim_rng r;
        net_retry_seed(&r, cx->sc->seed, (uint64_t)a->hh0 + i);
        sim_rng_pack(&a->retry_rng[i], &r);
        a->restore_s[i] = SIM_NOT_RESTORED;
        a->known_s[i] = NAN;
    }
    return 0;
}

void sim_area_free(sim_area *a)
{
    const sim_ctx *cx = a->cx;
    if (!cx) return;
    for (uint32_t i = 0; a->fws && a->fws->view && a->fwc && i < a->n; i++) {
        sim_hh_abi(a, i)->deinit(sim_hh_slot(a, i)); /* its pending advances go with it */
        mm_port_sim_nvm_release(&sim_fw_states_hal(a)->nvm);
        sim_fw_states_forget(a); /* its block goes below */
    }
    sim_fw_states_free(a); /* before the columns: it frees the blocks fwc holds */
#define COL_FREE(type, name, count, when, part, doc) free(a->name);
    SIM_AREA_COLUMNS(COL_FREE)
#undef COL_FREE
    free(a->nvm_pool.buf);
    sim_cell_destroy(a->cell);
    sim_deferq_free(&a->defq);
    sim_wheel_free(&a->loadq);
    sim_hevq_free(&a->msgq);
    sim_hevq_free(&a->clpq);
    sim_vec_free(&a->ev);
    sim_vec_free(&a->gas_big);
    free(a->cell_arr);
    free(a->cell_q);
    memset(a, 0, sizeof *a);
}

/* The home-area network of premises ID, drawn from its own streams (net/han.h); HAS_GAS
 * says whether it has a gas meter (the household model's heating) or -1 for the draw's own
 * default. */
static int hh_han(sim_area *a, uint32_t i, int has_gas)
{
    const sim_ctx *cx = a->cx;
    uint32_t id = a->hh0 + i;
    net_han_params hp;
    net_han_draw_params(&cx->han_cfg, cx->sc->seed, id, &hp);
    hp.dwelling = (uint8_t)(grid_topology_dwelling(cx->topo, id) == GRID_FLAT ? NET_HAN_FLAT : NET_HAN_HOUSE);
    if (has_gas >= 0) hp.has_gas = has_gas != 0;
    return net_han_init(&a->han[i], &cx->han_cfg, cx->sc->seed, id, &hp, cx->han_memo);
}

/* Commission household I's meter: its own HAL (clock at the run start, NVM, RNG stream), the
 * shared crypto, its storage; credit or prepayment mode. */
static int hh_meter_init(sim_area *a, uint32_t i)
{
    const sim_ctx *cx = a->cx;
    uint64_t id = (uint64_t)a->hh0 + i;
    const sim_fleet_pop *fp = &cx->fleet->pops[sim_hh_fl(a, i)->pop];
    sim_rng r;
    sim_rng_seed(&r, cx->sc->seed, id, "household.behaviour");
    a->prepay[i] = sim_rng_uniform(&r) < fp->prepay_share;
    sim_rng_pack(&a->behave[i], &r);
    return sim_hh_commission(a, i, 0);
}

void sim_hh_meter_io(sim_area *a, uint32_t i, mm_esme_hal *hal, mm_esme_storage *st)
{
    const sim_ctx *cx = a->cx;
    sim_fw_hal *hw = sim_hh_hal(a, i);
    *hal = (mm_esme_hal){&hw->clk, &hw->nvm, &hw->rng, cx->crypto};
    *st = (mm_esme_storage){a->log + (size_t)i * cx->depth,
                            cx->depth,
                            sim_fw_states_ring(a), /* in the view, with its state */
                            FW_EVENT_DEPTH,
                            0,
                            NULL,
                            sim_fw_states_prices(a), /* a tariff may become dynamic */
                            {0},
                            a->fwx ? &a->fwx[i] : NULL}; /* firmware campaigns reach it */
    sim_fw_device_id(a->hh0 + i, sim_hh_fl(a, i)->serial, st->device_id); /* its own identity */
}

int sim_hh_commission(sim_area *a, uint32_t i, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    const sim_fw *fw = cx->fw;
    uint64_t id = (uint64_t)a->hh0 + i;
    uint8_t serial = sim_hh_fl(a, i)->serial;
    const sim_fw_image *im = &fw->img[sim_hh_fl(a, i)->image];
    sim_fw_hal *hw = sim_hh_hal(a, i); /* with the state, in the view (the old meter's, if any) */
    mm_port_sim_clock_init(&hw->clk, (uint32_t)cx->sc->start_unix);
    mm_port_sim_clock_set_ms(&hw->clk, (uint64_t)t * 1000u);
    a->last_t[i] = t;
    a->pend[i].n = 0; /* whoever took the old meter out read it through sim_hh_fw */
    if (t > 0) memset(sim_hh_slot(a, i), 0, a->fws->state_bytes); /* a new meter */
    mm_port_sim_nvm_release(&hw->nvm); /* the old one's store */
    mm_port_sim_nvm_init_banked(&hw->nvm, MM_PERSIST_NVM_ADDR, im->nvm_bank, &a->nvm_pool);
    sim_rng seedr;
    /* the meter at the start draws from "meter.rng" of its household, later ones their own */
    sim_rng_seed(&seedr, cx->sc->seed, id | ((uint64_t)serial << 32), "meter.rng");
    mm_port_sim_rng_init_seed(&hw->rng, ((uint64_t)seedr.s[0] << 32) ^ seedr.s[1]);
    mm_esme_hal hal;
    mm_esme_storage st;
    sim_hh_meter_io(a, i, &hal, &st);
    /* The meter holds the prices of its commissioning tariff (one installed later holds none
     * of a dynamic tariff's until its next update). */
    if (a->pk_from) { /* (kept only where some tariff is dynamic: cx->dyn_prices) */
        a->pk_from[i] = 0;
        a->pk_until[i] = !sim_tariff_dynamic(sim_hh_fl(a, i)->tariff) ? UINT32_MAX
                         : t == 0 ? fw->periods_known[sim_hh_fl(a, i)->tariff]
                                  : 0;
    }
    const mm_esme_config *cfg = sim_fw_config(fw, cx->fleet, (uint32_t)id, a->prepay[i]);
    if (cfg) sim_fw_config_held(fw, cx->fleet, (uint32_t)id, cfg);
    return im->abi->init(sim_hh_slot(a, i), cfg, &hal, &st);
}

/* The household's load model state, its first load event, and its HAN (whose gas meter
 * follows the model's heating; the IHD's reach does not depend on which devices exist). */
static int hh_load_init(sim_area *a, uint32_t i)
{
    const sim_ctx *cx = a->cx;
    uint64_t id = (uint64_t)a->hh0 + i;
    if (hh_han(a, i, -1) != 0) return -1;
    void *hh = a->load + (size_t)i * cx->ops->hh_size;
    uint32_t next;
    if (cx->ops->hh_init_ctx) {
        grid_hh_ctx ctx = {.id = id,
                           .region = a->region,
                           .dwelling = (uint8_t)grid_topology_dwelling(cx->topo, (uint32_t)id),
                           .ihd = sim_hh_route(a, i) != SIM_ROUTE_NONE &&
                                  net_han_band_used(&a->han[i], NET_HAN_IHD) >= 0,
                           .dr_own = 1,
                           .dr_share = cx->fleet->pops[sim_hh_fl(a, i)->pop].dr_share};
        next = cx->ops->hh_init_ctx(cx->model, hh, &ctx, &a->p_mw[i], &a->q_mvar[i]);
    } else {
        next = cx->ops->hh_init(cx->model, hh, id, &a->p_mw[i], &a->q_mvar[i]);
    }
    if (a->gas_w) a->gas_w[i] = cx->ops->gas_w(cx->model, hh);
    a->pe_mw[i] = a->p_mw[i];
    a->qe_mvar[i] = a->q_mvar[i];
    a->power_mw += a->p_mw[i];
    if (next < cx->end_s && sim_wheel_push(&a->loadq, next, i) != 0) return -1;
    if (cx->ops->hh_attrs) {
        grid_hh_attrs at;
        cx->ops->hh_attrs(cx->model, hh, &at);
        bool gas = at.heating == 1 || at.heating == 2;
        if (gas != net_han_present(&a->han[i], NET_HAN_GSME) && hh_han(a, i, gas) != 0) return -1;
    }
    return 0;
}

int sim_area_init_households(sim_area *a, char *err, size_t errlen)
{
    const sim_ctx *cx = a->cx;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t id = (uint64_t)a->hh0 + i;
        int frc = hh_meter_init(a, i);
        if (frc != MM_OK) {
            snprintf(err, errlen, "meter %llu: firmware init failed (%d)", (unsigned long long)id, frc);
            return -1;
        }
        if (hh_load_init(a, i) != 0) {
            snprintf(err, errlen, "premises %llu: HAN or load model initialisation failed (out of memory?)",
                     (unsigned long long)id);
            return -1;
        }
        net_read_init(&cx->readp, &a->read[i], id);
        /* A traditional meter is read by hand: no WAN reads, no on-demand requests. */
        if (sim_hh_gen(a, i) == SIM_GEN_TRADITIONAL) continue;
        if (cx->sc->headend.ondemand_per_day > 0) sim_hh_ondemand_plan(a, i, 0);
        sim_area_schedule(a, &a->msgq, a->read[i].next, HEV(i, MSG_READ), 0);
    }
    if (sim_fw_states_failed(a)) sim_area_fail(a, SIM_ENOMEM);
    if (a->err) {
        snprintf(err, errlen, "area %u: %s", a->id, sim_strerror(a->err));
        return -1;
    }
    return 0;
}

/* The earliest of the area's queues, and which (supply changes first, then demand, then
 * cold-load steps, then messages, at equal times). */
typedef enum { Q_OUTAGE, Q_LOAD, Q_CLP, Q_MSG } area_queue;

static uint32_t q_top(const sim_hevq *q)
{
    return q->n ? q->v[0].t : GRID_NEVER;
}

static uint32_t area_next(sim_area *a, area_queue *which)
{
    uint32_t tl, hh, tm = q_top(&a->msgq), tc = q_top(&a->clpq);
    if (!sim_wheel_top(&a->loadq, &tl, &hh)) tl = GRID_NEVER;
    uint32_t to = a->next_outage < a->n_outage ? a->outage[a->next_outage].t : GRID_NEVER;
    uint32_t t = tl < tm ? tl : tm;
    if (tc < t) t = tc;
    if (to < t) t = to;
    *which = to == t ? Q_OUTAGE : tl == t ? Q_LOAD : tc == t ? Q_CLP : Q_MSG;
    return t;
}

/* Run the area's events before W_END.  Returns 1 when the run was stopped meanwhile. */
static int area_run_window(sim_area *a, uint32_t w_end)
{
    const volatile int *stop = a->cx->stop;
    for (;;) {
        area_queue which;
        uint32_t t = area_next(a, &which);
        uint32_t until = t < w_end ? t : w_end;
        /* A send held back by its technology (mesh hops, SMS wake-up) enters the cell. */
        if (a->defq.n && a->defq.v[0].t < (double)until) {
            int early = sim_cell_sleep_until(a->cell, a->defq.v[0].t);
            if (*stop) return 1;
            if (early) continue; /* a downlink arrived first */
            sim_deferred d = sim_deferq_pop(&a->defq);
            sim_uplink_cell_enqueue(a, d.t, d.m, d.bytes);
            continue;
        }
        /* While a downlink transfer is under way the area keeps pace with SimGrid's clock,
         * so what arrives is acted on from the time it arrives. */
        if (sim_cell_recv_pending(a->cell)) {
            int early = sim_cell_sleep_until(a->cell, until);
            if (*stop) return 1;
            if (early) continue;
        }
        if (t >= w_end) return 0;
        switch (which) {
        case Q_OUTAGE:
            sim_area_outage(a, t);
            break;
        case Q_LOAD:
            sim_hh_load_event(a, t);
            break;
        case Q_CLP:
            sim_hh_clp_step(a, t);
            break;
        case Q_MSG:
            sim_cell_sleep_until(a->cell, t);
            if (*stop) return 1;
            sim_hh_message(a, t);
            break;
        }
    }
}

/* The SimGrid actor of an area (its actor data). */
void sim_area_actor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sim_area *a = sg_actor_self_get_data();
    const sim_ctx *cx = a->cx;
    sg_bar_t bar = cx->window_bar;
    if (cx->first_window > 0) {
        /* resumed: the checkpoint was taken where the areas wait at the window's end; they
         * leave it as they did then */
        sg_actor_sleep_until((double)cx->first_window * SIM_PERIOD_S);
        sim_dl_area_send_updates(a);
    }
    for (uint32_t w = cx->first_window; w < cx->windows && !*cx->stop; w++) {
        uint32_t w_end = (w + 1) * SIM_PERIOD_S;
        if (area_run_window(a, w_end) || *cx->stop) break;
        sim_area_close_window(a, w_end);
        sim_cell_sleep_until(a->cell, w_end);
        if (*cx->stop) break;
        /* Every area has closed the window; the coordinator couples them; go on together. */
        sg_barrier_wait(bar);
        sg_barrier_wait(bar);
        if (*cx->halted) break;
        sim_dl_area_send_updates(a);
    }
    /* A run stopped inside a window leaves advances pending: made now, its meters are read
     * at the end as they stood when it stopped. */
    for (uint32_t i = 0; i < a->n; i++)
        if (sim_hh_pending(&a->pend[i])) sim_hh_settle(a, i);
    a->peak_backlog = sim_cell_peak_backlog(a->cell);
    sim_cell_destroy(a->cell);
    a->cell = NULL;
}

/* ---- checkpoint ---------------------------------------------------------------------------- */

/* A message as its bytes, padding zeroed, so that a checkpoint's bytes are the same for the
 * same state. */
static void msg_ckpt(sim_ckpt *c, net_msg *m)
{
    net_msg x;
    memset(&x, 0, sizeof x);
    if (!sim_ckpt_loading(c)) {
        x.household = m->household;
        x.code = m->code;
        x.sent_s = m->sent_s;
        x.first_period = m->first_period;
        x.n_periods = m->n_periods;
        x.import_wh = m->import_wh;
        x.area = m->area;
        x.bytes = m->bytes;
        x.cls = m->cls;
        x.headend = m->headend;
    }
    SIM_CKPT(c, x);
    if (sim_ckpt_loading(c)) *m = x;
}

/* Household I's firmware slot: its HAL records but for their pointers (the NVM store's blocks
 * and pool, the RNG's hook: the file gets them as NULL), the state through its image's
 * save_ram (pointer-free), its event ring as it is, then what its NVM store keeps, plain.
 * Loading keeps the pointers the meter has (its commissioning made them; the store's blocks
 * made again from what it keeps) and rebinds the state to the configuration the meter holds,
 * its HAL and storage (the fleet table and the columns are loaded first).  BUF holds the
 * largest state, NV the largest store. */
static void slot_ckpt(sim_area *a, uint32_t i, unsigned char *buf, uint8_t *nv, sim_ckpt *c)
{
    const sim_ctx *cx = a->cx;
    const sim_fleet_hh *h = sim_hh_fl(a, i);
    const sim_fw_image *im = &cx->fw->img[h->image];
    bool loading = sim_ckpt_loading(c);
    void *slot = sim_fw_states_reach(a, i, loading);
    sim_fw_hal *hw = sim_fw_states_hal(a), x;
    memcpy(&x, hw, sizeof x);
    x.nvm.mem = x.nvm.code = NULL;
    x.nvm.pool = NULL;
    x.rng.fn = NULL;
    x.rng.ctx = NULL;
    SIM_CKPT(c, x);
    if (!loading) {
        int rc = im->abi->save_ram(slot, buf, im->abi->state_size);
        if (rc != MM_OK) sim_ckpt_fail(c, "meter %u: its firmware could not save its state (%d)",
                                       a->hh0 + i, rc);
    }
    sim_ckpt_bytes(c, buf, im->abi->state_size);
    mm_event ring[FW_EVENT_DEPTH];
    if (!loading) memcpy(ring, sim_fw_states_ring(a), sizeof ring);
    sim_ckpt_bytes(c, ring, sizeof ring);
    if (!loading) mm_port_sim_nvm_copy_kept(&hw->nvm, nv);
    sim_ckpt_bytes(c, nv, im->nvm_store);
    if (!loading || sim_ckpt_err(c)) return;
    mm_port_sim_nvm_release(&hw->nvm);
    x.nvm.pool = &a->nvm_pool;
    x.rng.fn = hw->rng.fn;
    x.rng.ctx = hw->rng.ctx;
    memcpy(hw, &x, sizeof x);
    mm_port_sim_nvm_load_kept(&hw->nvm, nv);
    mm_esme_hal hal;
    mm_esme_storage st;
    sim_hh_meter_io(a, i, &hal, &st);
    const mm_esme_config *cfg = sim_fw_config_of(cx->fw, h);
    memcpy(sim_fw_states_ring(a), ring, sizeof ring);
    int rc = cfg ? im->abi->load_ram(slot, buf, im->abi->state_size, cfg, &hal, &st) : MM_EINVAL;
    if (rc != MM_OK)
        sim_ckpt_fail(c, "meter %u: its firmware refused the saved state (%d)", a->hh0 + i, rc);
}

/* An event queue: its heap array as it is (a heap's order is part of the run: ties pop in
 * the array's order).  Loading keeps room for at least RESERVE records. */
static void hevq_ckpt(sim_ckpt *c, sim_hevq *q, uint32_t reserve)
{
    size_t n = q->n, cap = q->cap;
    sim_ckpt_array(c, (void **)&q->v, &n, &cap, sizeof(sim_hev), UINT32_MAX);
    if (!sim_ckpt_loading(c)) return;
    q->n = q->cap = (uint32_t)n;
    if (sim_hevq_reserve(q, reserve)) sim_ckpt_fail(c, "out of memory");
}

int sim_area_ckpt(sim_area *a, sim_ckpt *c)
{
    const sim_ctx *cx = a->cx;
    bool has_gas = cx->ops->gas_w != NULL, loading = sim_ckpt_loading(c);
    sim_ckpt_tag(c, "area");
    sim_ckpt_same(c, a->id, "area");
    sim_ckpt_same(c, a->n, "households of the area");
    /* The columns as they are, but for the firmware states' blocks, which the file does not
     * get (the states and their HAL records go with the slots).  A save in the NVM pool is
     * settled first: the stores then hold all there is. */
    if (!loading) sim_fw_states_settle(a);
#define COL_CKPT(type, name, count, when, part, doc)                                            \
    if ((when) && a->name != (void *)a->fwc && a->name != (void *)a->ptab)                     \
        sim_ckpt_bytes(c, a->name, (size_t)a->n * (size_t)(count) * sizeof(type));
    SIM_AREA_COLUMNS(COL_CKPT)
#undef COL_CKPT
    sim_fw_states_ptab_ckpt(a, c); /* the tables, not the pointers to them */
    if (sim_ckpt_err(c)) return -1;
    sim_ckpt_tag(c, "slots");
    unsigned char *buf = malloc(cx->fw->max_state ? cx->fw->max_state : 1);
    uint8_t *nv = malloc(mm_port_sim_nvm_banked_bytes(MM_PERSIST_NVM_ADDR, cx->fw->max_bank));
    if (!buf || !nv) {
        free(buf);
        free(nv);
        sim_ckpt_fail(c, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < a->n && !sim_ckpt_err(c); i++) slot_ckpt(a, i, buf, nv, c);
    if (sim_fw_states_failed(a)) sim_ckpt_fail(c, "out of memory");
    free(buf);
    free(nv);
    sim_ckpt_tag(c, "queues");
    SIM_CKPT(c, a->site);
    SIM_CKPT(c, a->n_off);
    SIM_CKPT(c, a->lost);
    sim_wheel_ckpt(&a->loadq, c);
    hevq_ckpt(c, &a->msgq, 0);
    hevq_ckpt(c, &a->clpq, 0);
    /* sends waiting for their technology: their messages come from the pool again */
    uint32_t nd = a->defq.n;
    SIM_CKPT(c, nd);
    if (loading && !sim_ckpt_err(c) && sim_deferq_reserve(&a->defq, nd ? nd : 1))
        sim_ckpt_fail(c, "out of memory");
    for (uint32_t k = 0; k < nd && !sim_ckpt_err(c); k++) {
        sim_deferred d = loading ? (sim_deferred){0} : a->defq.v[k];
        SIM_CKPT(c, d.t);
        SIM_CKPT(c, d.bytes);
        if (loading && !(d.m = sim_msg_get(cx->pool))) sim_ckpt_fail(c, "out of memory");
        if (sim_ckpt_err(c)) break;
        msg_ckpt(c, d.m);
        if (loading) a->defq.v[a->defq.n++] = d;
    }
    sim_ckpt_vec(c, &a->ev);
    sim_ckpt_vec(c, &a->gas_big);
    sim_ckpt_bytes(c, a->cell_arr, RING * SIM_PERIOD_S * sizeof *a->cell_arr);
    sim_ckpt_bytes(c, a->cell_q, RING * SIM_PERIOD_S * sizeof *a->cell_q);
    SIM_CKPT(c, a->mws);
    SIM_CKPT(c, a->win_mws);
    SIM_CKPT(c, a->power_mw);
    SIM_CKPT(c, a->power_t);
    SIM_CKPT(c, a->dl_next);
    SIM_CKPT(c, a->broadcast);
    uint64_t next_outage = a->next_outage;
    SIM_CKPT(c, next_outage);
    if (loading && next_outage > a->n_outage)
        sim_ckpt_fail(c, "area %u: outage %llu of %zu", a->id, (unsigned long long)next_outage,
                      a->n_outage);
    a->next_outage = (size_t)next_outage;
    SIM_CKPT(c, a->events);
    SIM_CKPT(c, a->sent);
    SIM_CKPT(c, a->interruptions);
    SIM_CKPT(c, a->alerts);
    uint64_t peak = sim_cell_peak_backlog(a->cell);
    SIM_CKPT(c, peak);
    if (loading) sim_cell_set_peak_backlog(a->cell, (size_t)peak);
    SIM_CKPT(c, a->exchanged);
    SIM_CKPT(c, a->replaced);
    SIM_CKPT(c, a->fw_distributed);
    SIM_CKPT(c, a->fw_activated);
    SIM_CKPT(c, a->fw_failed);
    SIM_CKPT(c, a->fw_bytes);
    return sim_ckpt_err(c) ? -1 : 0;
}
