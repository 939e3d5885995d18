/* Household handlers: what happens to one premises when an area's queue says so.  A load
 * change (the load model's next switching event), a cold-load pickup step, a supply change
 * (a fault opens or closes), a message due (profile read, AD1, restore alert after the
 * firmware's dither, top-up, command, retry, on-demand read), and the half-hour close.
 *
 * The meter is reached only through the firmware image's ABI; its HAL clock is moved to the
 * event's time before each call.  Every handler takes the area and the household's index in
 * it; what it needs of the run comes from the area's read-only context.
 */
#include "runner.h"

#include "mm_port_sim.h"
#include "sim/events.h"
#include "sim/round.h"

#include <math.h>

/* Household I's meter advanced from time T - DT to T at P and Q, its clock at T. */
static inline void fw_advance(sim_area *a, uint32_t i, uint32_t t, uint32_t dt, int32_t p,
                              int32_t q)
{
    void *fw = sim_hh_slot(a, i);
    mm_port_sim_clock_set_ms(&sim_fw_states_hal(a)->clk, (uint64_t)t * 1000u);
    sim_hh_abi(a, i)->advance(fw, p, q, dt * 1000u);
}

static inline void hh_to(sim_area *a, uint32_t i, uint32_t t, bool now);

/* Household I's notes made, and the price update waiting with them (runner.h, sim_hh_pend),
 * taken where the meter's time reaches the update's: an advance note that runs past it is
 * made in two, to it and on from it, at the note's power; an update still ahead of every
 * note (no load change since it came) has the meter advanced to it first, as hh_to would
 * have then.  (An update never waits from before the notes' time: sim_hh_note_update.)  The
 * notes are taken off first: the firmware taking the update reaches the meter through
 * sim_hh_fw, which must find nothing pending. */
static void settle_update(sim_area *a, uint32_t i)
{
    sim_hh_pend c = a->pend[i];
    a->pend[i].n = a->pend[i].update = 0;
    uint32_t tu = a->upd[i].t, ref = a->upd[i].ref, t = a->last_t[i];
    bool taken = false;
    for (unsigned k = 0; k < c.n; k++) t -= c.dt[k];
    for (unsigned k = 0; k < c.n; k++) {
        uint32_t te = t + c.dt[k];
        if (!taken && tu <= te) {
            if (tu > t) fw_advance(a, i, tu, tu - t, c.p_mw[k], c.q_mvar[k]);
            t = tu;
            sim_dl_price_taken(a, i, tu, ref);
            taken = true;
        }
        if (te > t) fw_advance(a, i, te, te - t, c.p_mw[k], c.q_mvar[k]);
        t = te;
    }
    if (!taken) {
        hh_to(a, i, tu, true);
        sim_dl_price_taken(a, i, tu, ref);
    }
}

void sim_hh_settle(sim_area *a, uint32_t i)
{
    sim_hh_pend *d = &a->pend[i];
    if (d->update) {
        settle_update(a, i);
        return;
    }
    /* the image and slot once: the calls cannot change them (only a handler can) */
    void (*advance)(void *, int32_t, int32_t, uint32_t) = sim_hh_abi(a, i)->advance;
    void *fw = sim_hh_slot(a, i);
    mm_hal_clock *clk = &sim_fw_states_hal(a)->clk;
    uint32_t t = a->last_t[i];
    for (unsigned k = 0; k < d->n; k++) t -= d->dt[k];
    for (unsigned k = 0; k < d->n; k++) {
        t += d->dt[k];
        mm_port_sim_clock_set_ms(clk, (uint64_t)t * 1000u);
        advance(fw, d->p_mw[k], d->q_mvar[k], d->dt[k] * 1000u);
    }
    d->n = 0;
}

/* Household I's time to T: its gas, and its meter's advance, made now (NOW) or noted in
 * its pending advances.  (Making the notes may move the meter's time on, to a price update
 * that waited ahead of them: what is left to T is what is advanced or noted here.) */
static inline void hh_to(sim_area *a, uint32_t i, uint32_t t, bool now)
{
    if (t <= a->last_t[i]) return;
    sim_hh_pend *d = &a->pend[i];
    bool at_once = now || t - a->last_t[i] > UINT16_MAX;
    if (at_once ? sim_hh_pending(d) : d->n == SIM_PEND_MAX) {
        sim_hh_settle(a, i);
        if (t <= a->last_t[i]) return;
    }
    uint32_t dt = t - a->last_t[i];
    if (at_once) {
        fw_advance(a, i, t, dt, a->pe_mw[i], a->qe_mvar[i]);
    } else {
        d->dt[d->n] = (uint16_t)dt;
        d->p_mw[d->n] = a->pe_mw[i];
        d->q_mvar[d->n] = a->qe_mvar[i];
        d->n++;
    }
    /* A boiler without electricity burns no gas. */
    if (a->gas_w && !a->off[i]) a->gas_ws[i] += (int64_t)a->gas_w[i] * dt;
    a->last_t[i] = t;
}

void sim_hh_advance(sim_area *a, uint32_t i, uint32_t t)
{
    if (sim_hh_pending(&a->pend[i])) sim_hh_settle(a, i);
    hh_to(a, i, t, true);
}

/* One update waits at a time: one that finds another waiting, or that is from before the
 * meter's time (a message due earlier, handled late), is taken now, as at arrival. */
void sim_hh_note_update(sim_area *a, uint32_t i, uint32_t t, uint32_t ref)
{
    sim_hh_pend *d = &a->pend[i];
    if (d->update || t < a->last_t[i]) {
        sim_hh_advance(a, i, t);
        sim_dl_price_taken(a, i, t, ref);
        return;
    }
    a->upd[i] = (sim_hh_update){.ref = ref, .t = t};
    d->update = 1;
}

/* The meter's open half-hour (through the image's ABI: the state is opaque). */
uint32_t sim_hh_period(sim_area *a, uint32_t i)
{
    mm_esme_snapshot s;
    sim_hh_abi(a, i)->snapshot(sim_hh_fw(a, i), &s);
    return s.period;
}

/* What the meter sees at T: nothing without supply; after a restoration the appliances'
 * demand raised by cold-load pickup, decaying exponentially (ENWL Smart ReStart: up to
 * double at restoration). */
void sim_hh_set_effective(sim_area *a, uint32_t i, uint32_t t)
{
    int32_t p = 0, q = 0;
    if (!a->off[i] && !a->disabled[i]) {
        double f = 1.0;
        if (a->clp_gain[i] > 0) {
            f += a->clp_gain[i] * exp(-(double)(t - a->clp_t0[i]) / a->cx->sc->outages.cold_load_decay_s);
            if (f < 1.01) {
                a->clp_gain[i] = 0;
                f = 1.0;
            }
        }
        p = sim_round_i32(a->p_mw[i] * f);
        q = sim_round_i32(a->q_mvar[i] * f);
    }
    sim_area_integrate(a, t);
    a->power_mw += (int64_t)p - a->pe_mw[i];
    a->pe_mw[i] = p;
    a->qe_mvar[i] = q;
}

/* The price context of one hh_step: the household being stepped and when.  It lives on the
 * stepping handler's stack, so each call carries its own household and nothing run-wide has
 * to say which household the model is working on. */
typedef struct hh_price_ctx {
    sim_area *a; /* (a price update waiting is taken before the household reads prices) */
    uint32_t i;
    uint32_t now; /* [s] */
} hh_price_ctx;

/* Ask for what stepping household J will read (its columns and pending advances here, its
 * load model's state in hh_prefetch_load) so that it is on its way from memory while another
 * household is stepped: at scale these are cache misses, one per column and several per
 * state, and they were most of a load event's cost.  Not the meter's state: a load event only
 * notes the advance (the few that settle a full line take their misses).  A hint only:
 * nothing is read here.  Always inlined: as a function of its own GCC finds it free of
 * effects and drops the call. */
static inline __attribute__((always_inline)) void hh_prefetch(const sim_area *a, uint32_t j)
{
    __builtin_prefetch(&a->last_t[j], 1);
    __builtin_prefetch(&a->p_mw[j], 1);
    __builtin_prefetch(&a->q_mvar[j], 1);
    __builtin_prefetch(&a->pe_mw[j], 1);
    __builtin_prefetch(&a->qe_mvar[j], 1);
    __builtin_prefetch(&a->off[j]);
    __builtin_prefetch(&a->disabled[j]);
    __builtin_prefetch(&a->clp_gain[j]);
    if (a->gas_w) {
        __builtin_prefetch(&a->gas_w[j], 1);
        __builtin_prefetch(&a->gas_ws[j], 1);
    }
    __builtin_prefetch(&a->pend[j], 1);
}

/* BYTES from P, line by line, for writing. */
static inline __attribute__((always_inline)) void prefetch_lines(const void *p, size_t bytes)
{
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch((const char *)p + b, 1);
}

/* Household J's firmware state: its block, as far as most blocks go (sim_fw_states). */
static inline __attribute__((always_inline)) void hh_prefetch_slot(const sim_area *a, uint32_t j)
{
    const unsigned char *b = a->fwc[j];
    if (b) prefetch_lines(b, 320);
}

static inline __attribute__((always_inline)) void hh_prefetch_load(const sim_area *a, uint32_t j)
{
    size_t size = a->cx->ops->hh_size;
    prefetch_lines((const char *)a->load + (size_t)j * size, size);
}

void sim_hh_load_event(sim_area *a, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    uint32_t due, i;
    (void)sim_wheel_top(&a->loadq, &due, &i); /* area_next found it */
    /* the next load events, when they fall in the same second (an area of 10,000 households
     * has about 20 a second): the columns of the next, the load model's state of the one
     * after (asked for two events ahead, it has arrived when it is read; the next one's was
     * asked for at the event before, unless this is its second's first).  Farther ahead, or
     * asking for the next one's state again, was slower (README, "Performance"). */
    uint32_t j = sim_wheel_ahead(&a->loadq, 1), j2 = sim_wheel_ahead(&a->loadq, 2);
    if (j != SIM_WHEEL_NONE) {
        hh_prefetch(a, j);
        if (sim_wheel_first_of_second(&a->loadq)) hh_prefetch_load(a, j);
        /* the next one's meter will be advanced through its full notes: its coded state
         * (its notes and block pointer were asked for at the event before) */
        if (a->pend[j].n == SIM_PEND_MAX) hh_prefetch_slot(a, j);
    }
    if (j2 != SIM_WHEEL_NONE) {
        hh_prefetch_load(a, j2);
        __builtin_prefetch(&a->pend[j2]);
        __builtin_prefetch(&a->fwc[j2]);
    }
    /* a load limit a command run set may have tripped or restored meanwhile: that meter is
     * advanced now and read; any other only notes the advance */
    if (cx->cmds && sim_cmds_watched(cx->cmds, a->hh0 + i)) {
        sim_hh_advance(a, i, t);
        sim_cmds_follow(a, i, t);
    } else {
        hh_to(a, i, t, false);
    }
    void *hh = a->load + (size_t)i * cx->ops->hh_size;
    const hh_price_ctx pc = {a, i, t};
    uint32_t next = cx->ops->hh_step(cx->model, hh, t, &pc, &a->p_mw[i], &a->q_mvar[i]);
    if (a->gas_w) a->gas_w[i] = cx->ops->gas_w(cx->model, hh);
    sim_hh_set_effective(a, i, t);
    a->events++;
    sim_wheel_pop(&a->loadq);
    if (next < t)
        SIM_PANIC(t, "area %u: household %u's next load change at %u s is in the past", a->id,
                  a->hh0 + i, next);
    if (next < cx->end_s && sim_wheel_push(&a->loadq, next, i) != 0) sim_area_fail(a, SIM_ENOMEM);
}

void sim_hh_clp_step(sim_area *a, uint32_t t)
{
    uint32_t i = sim_hevq_pop(&a->clpq).i;
    /* A chain started by an earlier restoration, or one that has decayed, stops here. */
    if (a->off[i] || a->clp_gain[i] <= 0 || (t - a->clp_t0[i]) % CLP_STEP_S != 0) return;
    hh_to(a, i, t, false); /* a change of power, like a load change: the advance is noted */
    sim_hh_set_effective(a, i, t);
    if (a->clp_gain[i] > 0) sim_area_schedule(a, &a->clpq, t + CLP_STEP_S, i, 0);
}

/* The daily profile read of household I: every closed period since its last read. */
static void hh_wan_read(sim_area *a, uint32_t i, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    const void *fw = sim_hh_fw(a, i);
    net_read_hh *r = &a->read[i];
    uint32_t upto = sim_hh_period(a, i) - cx->period0;
    if (sim_hh_route(a, i) == SIM_ROUTE_NONE) {
        /* a meter in traditional mode is not read: its periods wait for a read once it is
         * smart again (adopted) */
        upto = r->from_period;
    } else if (a->off[i]) {
        /* No supply, no answer: tomorrow's read carries these periods too. */
        sim_area_record(a, t, a->hh0 + i, SIM_EV_WAN_READ_FAILED, 0);
        upto = r->from_period;
    } else {
        int64_t wh = 0;
        uint32_t first = upto, n = 0;
        mm_profile_slot sl;
        for (uint32_t age = 0; sim_hh_abi(a, i)->profile_slot(fw, age, &sl) == MM_OK; age++) {
            if (sl.period < cx->period0 + r->from_period) break;
            if (sl.period >= cx->period0 + upto) continue;
            wh += sl.wh[MM_CH_IMPORT];
            first = sl.period - cx->period0;
            n++;
        }
        sim_uplink_send(a, i, t, NET_WT_POLLED,
                        &(net_msg){.household = a->hh0 + i,
                                   .code = SIM_EV_WAN_READ_DELIVERED,
                                   .sent_s = t,
                                   .first_period = first,
                                   .n_periods = n,
                                   .import_wh = wh},
                        cx->readp.bytes);
        sim_area_record(a, t, a->hh0 + i, SIM_EV_WAN_READ_SENT, cx->readp.bytes);
    }
    net_read_done(&cx->readp, r, upto);
    sim_area_schedule(a, &a->msgq, r->next, HEV(i, MSG_READ), 0);
}

void sim_hh_send_alerts(sim_area *a, uint32_t i, uint32_t t)
{
    mm_event ev;
    sim_hh_advance(a, i, t);
    while (sim_hh_abi(a, i)->next_alert(sim_hh_fw(a, i), &ev) == MM_OK)
        sim_uplink_alert(a, i, t, ev.code);
}

/* The customer buys credit: bought online (sent to the meter over the WAN; no other top-up
 * is planned until it lands or is lost), or a 20-digit UTRN typed at the meter and then the
 * button to re-enable supply if the meter armed it. */
static void hh_topup(sim_area *a, uint32_t i, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    char utrn[21];
    sim_hh_advance(a, i, t);
    a->topup_due[i] = 0;
    uint16_t counter = a->utrn_counter[i]++;
    uint8_t supplier[8], device[8];
    sim_fw_supplier_id(sim_hh_fl(a, i)->cred, supplier); /* the supplier the meter knows */
    sim_fw_device_id(a->hh0 + i, sim_hh_fl(a, i)->serial, device);
    if (mm_port_sim_utrn(cx->crypto, supplier, device, 1u + counter, MM_UTRN_POUNDS,
                         (uint16_t)cx->topup.amount_gbp, true, utrn) != MM_OK) {
        sim_area_record(a, t, a->hh0 + i, SIM_EV_TOPUP, -1);
        return;
    }
    /* A meter without communications takes its credit by key or card at the meter only. */
    bool online = false;
    if (sim_hh_route(a, i) != SIM_ROUTE_NONE) {
        sim_rng r = sim_rng_unpack(&a->behave[i]);
        online = grid_topup_online(&cx->topup, &r);
        sim_rng_pack(&a->behave[i], &r);
    }
    if (online) {
        a->topup_due[i] = TOPUP_IN_FLIGHT;
        sim_dl_request(a, i, t, MM_CMD_TOP_UP, NET_HE_TOPUP, utrn, 20);
        return;
    }
    if (sim_hh_abi(a, i)->utrn_enter(sim_hh_fw(a, i), utrn, 20) != MM_OK) {
        sim_area_record(a, t, a->hh0 + i, SIM_EV_TOPUP, -1);
        return;
    }
    sim_hh_abi(a, i)->button(sim_hh_fw(a, i));
    sim_area_record(a, t, a->hh0 + i, SIM_EV_TOPUP, (int64_t)cx->topup.amount_gbp * 100);
    sim_hh_after_close(a, i, t);
}

/* The customer, told the credit is on the meter, presses the button if needed. */
void sim_hh_topup_landed(sim_area *a, uint32_t i, uint32_t t, bool ok)
{
    a->topup_due[i] = 0;
    sim_area_record(a, t, a->hh0 + i, SIM_EV_TOPUP, ok ? (int64_t)a->cx->topup.amount_gbp * 100 : -1);
    if (ok) sim_hh_abi(a, i)->button(sim_hh_fw(a, i));
    sim_hh_after_close(a, i, t);
}

/* After a half-hour close (or a top-up): alerts due, the contactor as the grid sees it, and
 * a prepayment household's next top-up. */
void sim_hh_after_close(sim_area *a, uint32_t i, uint32_t t)
{
    const mm_abi *abi = sim_hh_abi(a, i);
    const grid_topup_config *tc = &a->cx->topup;
    mm_event ev;
    while (abi->next_alert(sim_hh_fw(a, i), &ev) == MM_OK) sim_uplink_alert(a, i, t, ev.code);
    if (!a->prepay[i]) return;
    mm_esme_snapshot snap;
    abi->snapshot(sim_hh_fw(a, i), &snap);
    uint8_t dis = snap.supply != MM_SUPPLY_CONNECTED;
    sim_cmds_supply(a, i, t, dis, -1);
    if (snap.available < (mm_credit_t)tc->below_p * MM_CREDIT_PER_PENNY && !a->topup_due[i]) {
        sim_rng r = sim_rng_unpack(&a->behave[i]);
        uint32_t delay = grid_topup_delay(tc, dis, &r);
        sim_rng_pack(&a->behave[i], &r);
        a->topup_due[i] = t + delay;
        sim_area_schedule(a, &a->msgq, t + delay, HEV(i, MSG_TOPUP), 0);
    }
}

/* The supplier's next on-demand read of household I, an exponential gap after T (Poisson,
 * headend.ondemand_reads per day), drawn from the household's behaviour stream. */
void sim_hh_ondemand_plan(sim_area *a, uint32_t i, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    double gap = -log(1.0 - sim_rng_packed_uniform(&a->behave[i])) * SIM_DAY_S /
                 cx->sc->headend.ondemand_per_day;
    if ((double)t + gap < cx->end_s) sim_area_schedule(a, &a->msgq, t + (uint32_t)gap, HEV(i, MSG_ONDEMAND), 0);
}

/* Ask for what command REF to household J will touch: its pending advances and its fleet
 * entry; for a request, also its meter's slot, the state (the command settles the meter and
 * checks the frame) and which of the area's price tables is its.  (A price update only
 * waits: sim_dl_command.)  Not the meter's NVM store: only the rare critical commands save a
 * record.  Commands come in bursts (a price update reaches every meter of an area within
 * seconds), one meter after another in no order a hardware prefetcher follows; asked for one
 * message ahead, the meter's lines are on their way while the message before it is handled.
 * A hint only, always inlined (hh_prefetch says why). */
static inline __attribute__((always_inline)) void hh_prefetch_command(const sim_area *a, uint32_t j,
                                                                      uint32_t ref)
{
    __builtin_prefetch(&a->pend[j], 1);
    __builtin_prefetch(sim_hh_fl(a, j));
    if (sim_dl_is_update(ref)) {
        __builtin_prefetch(&a->last_t[j]);
        __builtin_prefetch(&a->upd[j], 1);
        return;
    }
    hh_prefetch_slot(a, j);
    if (a->ptab) __builtin_prefetch(&a->ptab[j]);
}

void sim_hh_message(sim_area *a, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    sim_hev x = sim_hevq_pop(&a->msgq);
    uint32_t i = HEV_IDX(x.i);
    if (a->msgq.n && HEV_KIND(a->msgq.v[0].i) == MSG_CMD)
        hh_prefetch_command(a, HEV_IDX(a->msgq.v[0].i), a->msgq.v[0].u);
    switch (HEV_KIND(x.i)) {
    case MSG_READ:
        hh_wan_read(a, i, t);
        break;
    case MSG_AD1:
        /* The hub reports the outage if supply is still off since the same loss. */
        if (a->off[i] && a->off_since[i] + cx->sc->wan.ad1_delay_s == t)
            sim_uplink_alert(a, i, t, SIM_ALERT_AD1);
        break;
    case MSG_RESTORE:
        /* The firmware's dither has passed: its queued alerts go, unless supply was lost
         * again meanwhile (then they wait for the next restoration). */
        if (!a->off[i]) sim_hh_send_alerts(a, i, t);
        break;
    case MSG_TOPUP:
        if (a->topup_due[i] == t) hh_topup(a, i, t);
        break;
    case MSG_CMD:
        sim_dl_command(a, i, t, x.u);
        break;
    case MSG_ONDEMAND:
        if (sim_hh_route(a, i) != SIM_ROUTE_NONE)
            sim_dl_request(a, i, t, MM_CMD_READ_REGISTERS, NET_HE_ONDEMAND_READ, NULL, 0);
        sim_hh_ondemand_plan(a, i, t + 1u);
        break;
    case MSG_VISIT:
        sim_hh_visit(a, i, t, x.u);
        break;
    case MSG_FW:
        sim_campaign_message(a, i, t, x.u);
        break;
    case MSG_CMDRUN:
        sim_cmds_message(a, i, t, x.u);
        break;
    case MSG_MIGRATE: /* the meter's side of the exchange, sized as a whole */
        if (sim_hh_route(a, i) != SIM_ROUTE_NONE)
            sim_uplink_send(a, i, t, NET_WT_UPLINK,
                            &(net_msg){.household = a->hh0 + i,
                                       .code = SIM_EV_MIGRATION_REQUESTS,
                                       .sent_s = t,
                                       .import_wh = cx->sc->migration.request_bytes},
                            cx->sc->migration.request_bytes);
        break;
    case MSG_RETRY:
        /* A hub without supply cannot try again (only its last gasp goes out). */
        if (a->retry_code[i] && !a->off[i]) {
            sim_area_record(a, t, a->hh0 + i, SIM_EV_WAN_RETRY, a->retry_n[i]);
            sim_uplink_alert(a, i, t, a->retry_code[i]);
        } else {
            a->retry_code[i] = 0;
            a->retry_n[i] = 0;
        }
        break;
    default:
        SIM_PANIC(t, "area %u: message of unknown kind %u", a->id, HEV_KIND(x.i));
    }
}

static void hh_supply_lost(sim_area *a, uint32_t i, uint32_t t, uint8_t cause)
{
    const sim_ctx *cx = a->cx;
    uint32_t id = a->hh0 + i;
    a->n_off++;
    a->off_since[i] = t;
    a->clp_gain[i] = 0;
    sim_hh_set_effective(a, i, t);
    sim_area_record(a, t, id, SIM_EV_SUPPLY_LOST, cause);
    a->interruptions++;
    /* the hold-up capacitor may run out before the power-fail save is written whole */
    if (cx->sc->meter.save_interrupted > 0) {
        sim_rng g;
        sim_rng_seed(&g, cx->sc->seed, (uint64_t)id << 32 | t, "meter.save_cut");
        if (sim_rng_uniform(&g) < cx->sc->meter.save_interrupted) {
            mm_hal_nvm *nv = &sim_hh_hal(a, i)->nvm;
            mm_port_sim_nvm_cut_after(nv, (uint64_t)(sim_rng_uniform(&g) * nv->size));
        }
    }
    sim_hh_abi(a, i)->power_fail(sim_hh_fw(a, i));
    sim_area_record(a, t, id, SIM_EV_SUPPLY_INTERRUPTED, 0);
    /* The DCC's comms hub sends AD1 (SEC MP102); SMETS1 and traditional meters have none. */
    if (sim_hh_route(a, i) == SIM_ROUTE_DCC)
        sim_area_schedule(a, &a->msgq, t + (uint32_t)cx->sc->wan.ad1_delay_s, HEV(i, MSG_AD1), 0);
}

/* Supply back at T after an interruption whose end has CAUSE (the DNO's view counts the
 * unplanned ones, not an installer's visit). */
static void hh_supply_restored(sim_area *a, uint32_t i, uint32_t t, uint8_t cause)
{
    const sim_ctx *cx = a->cx;
    const sim_scenario *sc = cx->sc;
    uint32_t id = a->hh0 + i;
    a->n_off--;
    uint32_t d = t - a->off_since[i];
    /* GBCS: 0x8F36 after an outage of 3 minutes or more, 0x8F35 otherwise. */
    uint16_t code = d >= 180 ? SIM_EV_SUPPLY_RESTORED_LONG : SIM_EV_SUPPLY_RESTORED;
    sim_area_record(a, t, id, code, d); /* as the firmware logs it (checked in tests/sim) */
    if (cause != SIM_CAUSE_VISIT) {
        a->restore_s[i] = t;
        a->known_s[i] = NAN;
    }
    double g = sc->outages.cold_load_gain * (1.0 - exp(-(double)d / sc->outages.cold_load_full_s));
    a->clp_t0[i] = t;
    a->clp_gain[i] = (float)g;
    sim_hh_set_effective(a, i, t);
    if (a->clp_gain[i] > 0) sim_area_schedule(a, &a->clpq, t + CLP_STEP_S, i, 0);
    /* The firmware recovers from NVM, logs the outage and holds its alerts back for a delay
     * it draws uniformly from [0, W] through its RNG HAL (seed 003). */
    void *fw = sim_hh_fw(a, i); /* (advanced to T already: sim_hh_supply) */
    sim_fw_hal *hw = sim_fw_states_hal(a); /* with its state, in the view */
    mm_port_sim_clock_set_ms(&hw->clk, (uint64_t)t * 1000u);
    mm_port_sim_nvm_restore(&hw->nvm); /* a save cut short left what reached the store */
    sim_hh_abi(a, i)->power_restore(fw);
    /* a record older than a command run's effect brings back the contactor it had then */
    if (cx->cmds) sim_cmds_follow_any(a, i, t);
    mm_esme_snapshot snap;
    sim_hh_abi(a, i)->snapshot(sim_hh_fw(a, i), &snap);
    if (snap.alerts_unsent) {
        int64_t at = (int64_t)snap.wan_ready_at - sc->start_unix;
        sim_area_schedule(a, &a->msgq, at > t ? (uint32_t)at : t, HEV(i, MSG_RESTORE), 0);
    }
}

/* Supply to household I changes by DELTA open faults at T. */
void sim_hh_supply(sim_area *a, uint32_t i, uint32_t t, int delta, uint8_t cause)
{
    int was_off = a->off[i] > 0;
    sim_hh_advance(a, i, t);
    int n = (int)a->off[i] + delta;
    a->off[i] = (uint8_t)(n < 0 ? 0 : n > 255 ? 255 : n);
    int now_off = a->off[i] > 0;
    if (!was_off && now_off)
        hh_supply_lost(a, i, t, cause);
    else if (was_off && !now_off)
        hh_supply_restored(a, i, t, cause);
}

/* The old meter goes, a new SMETS2 meter of installs.population comes, at T: the old meter's
 * import register is the change-of-meter reading; the new meter starts from zero, joins the
 * DCC's network (its substation's links are rebuilt: it may relay for a mesh) and is
 * commissioned over it; its daily reads start tomorrow. */
static void exchange_meter(sim_area *a, uint32_t i, uint32_t t, bool repair)
{
    const sim_ctx *cx = a->cx;
    sim_fleet_hh *h = &cx->fleet->hh[a->hh0 + i];
    mm_esme_snapshot snap;
    sim_hh_abi(a, i)->snapshot(sim_hh_fw(a, i), &snap);
    sim_area_record(a, t, a->hh0 + i, SIM_EV_METER_EXCHANGED, (int64_t)snap.reg[MM_CH_IMPORT]);
    sim_hh_abi(a, i)->deinit(sim_hh_fw(a, i));
    h->pop = (uint8_t)cx->fleet->install_pop;
    h->image = cx->fleet->pops[h->pop].image;
    h->route = SIM_ROUTE_DCC;
    h->cred = h->supplier; /* commissioned with its supplier's configuration */
    h->serial++;
    if (sim_fleet_touch(cx->fleet, a->hh0 + i) != 0) sim_area_fail(a, SIM_ENOMEM);
    a->disabled[i] = 0;
    a->retry_code[i] = a->retry_n[i] = 0;
    a->utrn_counter[i] = 0;
    int rc = sim_hh_commission(a, i, t);
    if (rc == MM_OK) rc = sim_area_wan_rebuild_lv(a, grid_topology_lv_of(cx->topo, a->hh0 + i));
    if (rc != 0) {
        sim_area_fail(a, rc == SIM_ENOMEM ? SIM_ENOMEM : SIM_EINPUT);
        return;
    }
    if (repair)
        a->replaced++;
    else
        a->exchanged++;
    sim_hh_set_effective(a, i, t);
    uint32_t period = sim_hh_period(a, i) - cx->period0;
    a->read[i].next = t;
    net_read_done(&cx->readp, &a->read[i], period);
    sim_area_schedule(a, &a->msgq, a->read[i].next, HEV(i, MSG_READ), 0);
    if (cx->sc->headend.ondemand_per_day > 0) sim_hh_ondemand_plan(a, i, t);
    sim_uplink_send(a, i, t, NET_WT_UPLINK,
                    &(net_msg){.household = a->hh0 + i,
                               .code = SIM_EV_COMMISSIONED,
                               .sent_s = t,
                               .import_wh = cx->sc->installs.commissioning_bytes},
                    cx->sc->installs.commissioning_bytes);
}

void sim_hh_visit(sim_area *a, uint32_t i, uint32_t t, uint32_t u)
{
    if (!(u & SIM_VISIT_IN)) { /* the installer isolates the supply */
        sim_hh_supply(a, i, t, +1, SIM_CAUSE_VISIT);
        sim_area_schedule(a, &a->msgq, t + (uint32_t)a->cx->sc->installs.visit_off_s,
                          HEV(i, MSG_VISIT), u | SIM_VISIT_IN);
        return;
    }
    /* the supply back on the old meter (which logs it), then the exchange */
    sim_hh_supply(a, i, t, -1, SIM_CAUSE_VISIT);
    exchange_meter(a, i, t, (u & SIM_VISIT_REPAIR) != 0);
}

/* The area's next supply event: a fault opens or closes on an LV substation or feeder. */
void sim_area_outage(sim_area *a, uint32_t t)
{
    const sim_ctx *cx = a->cx;
    const grid_outage_event *e = &a->outage[a->next_outage++];
    const grid_lv_substation *lv = &cx->topo->lv[e->lv];
    for (uint32_t id = lv->first; id < lv->first + lv->count; id++)
        if (e->feeder == GRID_ALL_FEEDERS || grid_topology_feeder(cx->topo, id) == e->feeder)
            sim_hh_supply(a, id - a->hh0, t, e->delta, e->cause);
    if (cx->wt_on) {
        /* Relays without supply drop out of the mesh; the site runs on its battery once
         * enough of its area has lost supply. */
        uint32_t o = lv->first - a->hh0;
        net_wt_mesh_repair(&cx->wt_cfg, a->wt + o, lv->count, a->off + o);
        net_wt_site_mains(&cx->wt_cfg, &a->site, t, net_wt_site_mains_on(&cx->wt_cfg, a->n_off, a->n));
    }
}

/* The half-hour closes on every meter of the area at W_END. */
void sim_area_close_window(sim_area *a, uint32_t w_end)
{
    uint32_t period = w_end / SIM_PERIOD_S - 1;
    if (a->gas_w) sim_area_gas_forget(a, period);
    for (uint32_t i = 0; i < a->n; i++) {
        /* the next household's firmware slot, line by line, while this one closes: its
         * state is read and written in a pattern no hardware prefetcher follows */
        if (i + 1 < a->n) hh_prefetch_slot(a, i + 1);
        sim_hh_advance(a, i, w_end);
        sim_hh_abi(a, i)->hh_close(sim_hh_fw(a, i));
        sim_hh_after_close(a, i, w_end);
        if (a->gas_w) {
            /* whole Wh to the period, the remainder carried to the next one */
            sim_area_gas_put(a, i, period, (uint32_t)(a->gas_ws[i] / 3600));
            a->gas_ws[i] %= 3600;
        }
    }
    /* a store that could not have a block for its record lost a save; a meter's state that
     * could not have one for its code, what it had become */
    if (sim_fw_states_failed(a)) sim_area_fail(a, SIM_ENOMEM);
    sim_area_integrate(a, w_end);
}

/* The retail price of the households' tariff in PERIOD as known at the time of the household
 * being stepped, or NAN before it is published (grid_load_params.price; CTX is the
 * hh_price_ctx sim_hh_load_event passes to hh_step). */
double sim_price_hook(const void *ctx, uint32_t period)
{
    const hh_price_ctx *v = ctx;
    int64_t pub;
    grid_price pr;
    if (!v) return NAN;
    if (v->a->pend[v->i].update) sim_hh_settle(v->a, v->i);
    const sim_ctx *cx = v->a->cx;
    /* Dynamic prices: only what has reached the household's meter (none where no household
     * started on a dynamic tariff: none are sent, cx->dyn_prices). */
    if (sim_tariff_dynamic(sim_hh_fl(v->a, v->i)->tariff) &&
        (!v->a->pk_from || period < v->a->pk_from[v->i] || period >= v->a->pk_until[v->i]))
        return NAN;
    grid_tariff t = sim_hh_grid_tariff(v->a, v->i);
    if (!cx->prices || grid_price_publication_s(cx->prices, t, period, &pub) != 0 ||
        pub > (int64_t)v->now)
        return NAN;
    int rc = grid_price_get(cx->prices, t, period, &pr);
    if (rc == GRID_EPRICE_RELEASED)
        SIM_PANIC(v->now, "price of period %u asked for after its release (SIM_PRICE_KEEP)", period);
    return rc == 0 ? pr.unit : NAN;
}

grid_tariff sim_grid_tariff(sim_tariff t)
{
    static const grid_tariff of[SIM_TARIFFS] = {
        [SIM_TARIFF_FLAT] = GRID_TARIFF_FLAT, [SIM_TARIFF_E7] = GRID_TARIFF_E7,
        [SIM_TARIFF_TOU] = GRID_TARIFF_TOU,   [SIM_TARIFF_AGILE] = GRID_TARIFF_AGILE,
        [SIM_TARIFF_RTP] = GRID_TARIFF_RTP,   [SIM_TARIFF_BLOCK] = GRID_TARIFF_FLAT,
        [SIM_TARIFF_HYBRID] = GRID_TARIFF_TOU};
    return of[t];
}

grid_tariff sim_hh_grid_tariff(const sim_area *a, uint32_t i)
{
    return sim_grid_tariff((sim_tariff)sim_hh_fl(a, i)->tariff);
}
