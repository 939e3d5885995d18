/* Downlink: commands the head-end sends to meters, and what became of them.
 *
 * Two kinds, held in one store: price updates for every meter of a dynamic tariff (one payload
 * and command counter, framed for each meter's own identity as it reaches it; kept for the
 * run with their outcome, a row of /network/price_updates each) and service requests to one meter
 * (on-demand reads, top-ups bought online; recycled once landed or lost).  A dl_ref names either
 * and travels as a downlink payload: 2 x index + 1 for a request, 2 x index + 2 for a price update
 * (never 0).
 *
 * Price updates reach an area's cell as one broadcast (long-range radio) or as one message per
 * meter back to back; each meter's own leg (mesh hops, SMS wake-up, loss) comes from its
 * technology; the firmware checks and executes the frame; unicasts are answered over the
 * uplink.  The command counter is national state shared by every area: one rising sequence,
 * so every meter's replay protection sees its own commands' counters rise; anchored to the
 * time a frame is made (firmware.h SIM_FW_COUNTER_SHIFT), which changes no comparison a meter
 * makes between two of them.
 */
#include "runner.h"

#include "par.h"

#include "mm/bytes.h"
#include "mm_port_sim.h"
#include "sim/events.h"

#include <math.h>
#include <simgrid/engine.h>
#include <stdlib.h>
#include <string.h>

#define DL_ALL UINT32_MAX

typedef struct dl_cmd {
    uint32_t target; /* household id, or DL_ALL */
    uint16_t cmd;    /* mm_cmd_id */
    uint8_t cls;     /* head-end class of the meter's answer (net_he_class) */
    uint8_t run;     /* the command run (command.h) it belongs to, + 1; 0 none */
    double sent_s;   /* the head-end sent it [s] */
    uint32_t len;    /* frame bytes */
    uint8_t frame[MM_CMD_FRAME_MAX];
} dl_cmd;

typedef struct dl_req {
    dl_cmd c;
    uint32_t next_free; /* while free: the next free request, UINT32_MAX for none */
} dl_req;

typedef struct dl_update {
    dl_cmd c;        /* c.frame unused: each meter's copy is framed for it on arrival */
    uint8_t tariff;  /* the sim_tariff whose meters take it */
    uint16_t pl_len; /* its payload, framed under COUNTER for each meter it reaches */
    uint64_t counter;
    uint8_t pl[6 + 4 * MM_TARIFF_TOU_RATES];
    uint32_t p0, n;      /* settlement periods whose prices it carries */
    uint32_t bc_areas;   /* areas it was broadcast to */
    uint64_t unicast;    /* meters it was sent to one by one */
    uint64_t received, rejected, lost, late;
    int64_t lag_sum_ms; /* sent to accepted by the meter, summed in whole ms: exact, so the
                         * same whatever order areas (and MPI ranks) add to it */
    double lag_max_s;
} dl_update;

struct sim_dl {
    const mm_hal_crypto *crypto;
    uint32_t sent_until[SIM_TARIFFS]; /* per dynamic tariff in use: periods sent; else UINT32_MAX */
    uint64_t cmd_counter; /* the supplier's command counter */
    sim_vec upd;          /* dl_update: every price update sent, in order */
    sim_vec req;          /* dl_req: service requests; free ones chained from req_free */
    uint32_t req_free;
};

int sim_dl_create(const mm_hal_crypto *crypto, const uint32_t sent_until[SIM_TARIFFS], sim_dl **out)
{
    sim_dl *d = calloc(1, sizeof *d);
    if (!d) return SIM_ENOMEM;
    d->crypto = crypto;
    memcpy(d->sent_until, sent_until, sizeof d->sent_until);
    d->upd = SIM_VEC_INIT(dl_update);
    d->req = SIM_VEC_INIT(dl_req);
    d->req_free = UINT32_MAX;
    *out = d;
    return 0;
}

void sim_dl_destroy(sim_dl *d)
{
    if (!d) return;
    sim_vec_free(&d->upd);
    sim_vec_free(&d->req);
    free(d);
}

static dl_update *upd_at(const sim_dl *d, uint32_t k)
{
    return &SIM_VEC_AT(&d->upd, dl_update, k);
}

static dl_req *req_at(const sim_dl *d, uint32_t k)
{
    return &SIM_VEC_AT(&d->req, dl_req, k);
}

/* The command a dl_ref names, and the price update (NULL for a request). */
static const dl_cmd *dl_command(const sim_dl *d, uint32_t ref)
{
    uint32_t k = (ref - 1u) / 2u;
    return ref & 1u ? &req_at(d, k)->c : &upd_at(d, k)->c;
}

static dl_update *dl_price_update(const sim_dl *d, uint32_t ref)
{
    return sim_dl_is_update(ref) ? upd_at(d, (ref - 2u) / 2u) : NULL;
}

/* Request REF has landed or been lost: its record is free for the next. */
static void dl_req_free(sim_dl *d, uint32_t ref)
{
    uint32_t k = (ref - 1u) / 2u;
    req_at(d, k)->next_free = d->req_free;
    d->req_free = k;
}

/* A request record, recycled or new (its dl_ref in *REF), or NULL. */
static dl_cmd *dl_req_new(sim_dl *d, uint32_t *ref)
{
    uint32_t k = d->req_free;
    if (k != UINT32_MAX) {
        d->req_free = req_at(d, k)->next_free;
        memset(req_at(d, k), 0, sizeof(dl_req));
    } else {
        k = (uint32_t)d->req.n;
        if (!sim_vec_push_zero(&d->req)) return NULL;
    }
    *ref = 2u * k + 1u;
    return &req_at(d, k)->c;
}

/* Household I takes price updates of TARIFF: a smart meter on it. */
static bool takes(const sim_area *a, uint32_t i, unsigned tariff)
{
    return sim_hh_fl(a, i)->tariff == tariff && sim_hh_route(a, i) != SIM_ROUTE_NONE;
}

/* Household I hears its area's broadcasts: a SMETS2 meter on the DCC of a broadcasting area (a
 * SMETS1 meter is on its operator's network, addressed one by one). */
static bool hears_broadcast(const sim_area *a, uint32_t i)
{
    return a->broadcast && sim_hh_route(a, i) == SIM_ROUTE_DCC;
}

/* A price update's transfer to an area (runner.h's DL_BROADCAST set in its payload for the
 * broadcast, clear for the unicasts of the meters that do not hear it). */

/* Long-range radio can broadcast to every meter of its base station; cellular and SMETS1
 * hubs are addressed one by one (wan.price_delivery).  Decided once per area. */
bool sim_area_broadcasts(const sim_area *a)
{
    sim_price_delivery m = a->cx->sc->wan.price_delivery;
    if (m != SIM_PRICE_AUTO) return m == SIM_PRICE_BROADCAST;
    return a->cx->wt_on && a->site.tech == NET_WT_LRR;
}

/* Command REF to household I was lost at T, for CAUSE: a top-up bought online will be
 * bought again. */
static void dl_lost(sim_area *a, uint32_t i, double t, uint32_t ref, unsigned cause)
{
    sim_dl *d = a->cx->dl;
    dl_update *up = dl_price_update(d, ref);
    if (up) up->lost++;
    const dl_cmd *c = dl_command(d, ref);
    if (c->cmd == MM_CMD_TOP_UP) a->topup_due[i] = 0;
    if (c->run) sim_cmds_lost(a->cx->cmds, c->run - 1u);
    if (!up) dl_req_free(d, ref);
    sim_uplink_wan_lost(a, i, t, cause);
}

/* Household I's meter answers command CMD (class CLS, sent at ORIGIN) at T. */
static void answer(sim_area *a, uint32_t i, uint32_t t, uint16_t cmd, double origin, uint8_t cls)
{
    sim_uplink_send(a, i, t, NET_WT_UPLINK,
                    &(net_msg){.household = a->hh0 + i,
                               .code = SIM_EV_CMD_RESPONSE_DELIVERED,
                               .sent_s = origin,
                               .import_wh = cmd,
                               .cls = cls},
                    a->cx->sc->wan.response_bytes);
}

/* A meter accepted price update UP at T: the household knows the prices from now. */
static void prices_held(sim_area *a, uint32_t i, uint32_t t, dl_update *up)
{
    if (t > up->p0 * SIM_PERIOD_S) up->late++;
    uint32_t p1 = up->p0 + up->n;
    if (up->p0 <= a->pk_until[i]) {
        if (p1 > a->pk_until[i]) a->pk_until[i] = p1;
    } else { /* an update was missed: what came before it is no longer contiguous */
        a->pk_from[i] = up->p0;
        a->pk_until[i] = p1;
    }
}

/* Command REF reached household I's meter at T: the firmware takes it; a household knows
 * prices once its meter holds them; a top-up bought online lands on the meter; a unicast is
 * answered (to the head-end, whose response time runs from the request's origin).  A price
 * update waits with the meter's pending advances (sim_hh_note_update) and is taken by
 * sim_dl_price_taken when they are made; its answer, the same whatever the meter did with it,
 * goes now. */
void sim_dl_command(sim_area *a, uint32_t i, uint32_t t, uint32_t ref)
{
    const sim_ctx *cx = a->cx;
    sim_dl *d = cx->dl;
    uint32_t id = a->hh0 + i;
    dl_update *up = dl_price_update(d, ref);
    const dl_cmd *c = dl_command(d, ref);
    if (a->off[i]) { /* a hub without supply hears nothing */
        dl_lost(a, i, t, ref, WAN_LOST_NO_SUPPLY);
        return;
    }
    if (up) {
        sim_hh_note_update(a, i, t, ref);
        if (!hears_broadcast(a, i)) answer(a, i, t, c->cmd, c->sent_s, c->cls);
        return;
    }
    sim_hh_advance(a, i, t);
    uint8_t resp[64];
    size_t rlen = 0;
    const uint8_t *frame = c->frame;
    int rc = sim_hh_abi(a, i)->command(sim_hh_fw(a, i), frame, c->len, resp, sizeof resp, &rlen);
    sim_area_record(a, t, id, rc == MM_OK ? SIM_EV_CMD_RECEIVED : SIM_EV_CMD_REJECTED,
                    rc == MM_OK ? c->cmd : rc);
    uint16_t cmd = c->cmd;
    uint8_t cls = c->cls, run = c->run;
    double origin = c->sent_s;
    uint64_t counter = run ? mm_get_be(frame + 2, 8) : 0; /* bytes 2..9 (mm/command.h) */
    dl_req_free(d, ref); /* a request is done with once its meter has it */
    if (cmd == MM_CMD_FW_ACTIVATE) sim_campaign_activated(a, i, t, rc);
    if (cmd == MM_CMD_TOP_UP) sim_hh_topup_landed(a, i, t, rc == MM_OK);
    /* a command run's: its effect on the supply, and only its sender's commands are answered
     * (an attacker on the WAN gets no answer: the meter answers its supplier) */
    if (run && !sim_cmds_executed(a, i, t, run - 1u, origin, counter, rc)) return;
    answer(a, i, t, cmd, origin, cls);
}

void sim_dl_price_taken(sim_area *a, uint32_t i, uint32_t t, uint32_t ref)
{
    sim_dl *d = a->cx->dl;
    uint32_t id = a->hh0 + i;
    dl_update *up = dl_price_update(d, ref);
    /* the same update under the same counter, addressed to this meter */
    uint8_t dev[8], frame[MM_CMD_FRAME_MAX], resp[64];
    size_t flen, rlen = 0;
    sim_fw_device_id(id, sim_hh_fl(a, i)->serial, dev);
    int rc = mm_port_sim_cmd_frame(d->crypto, dev, MM_ROLE_SUPPLIER, up->counter,
                                   MM_CMD_SET_PRICES, up->pl, up->pl_len, false, true, frame,
                                   sizeof frame, &flen);
    if (rc != MM_OK) {
        sim_area_fail(a, SIM_EFRAME);
        return;
    }
    rc = sim_hh_abi(a, i)->command(sim_hh_fw(a, i), frame, flen, resp, sizeof resp, &rlen);
    if (rc != MM_OK) {
        up->rejected++;
        sim_area_record(a, t, id, SIM_EV_CMD_REJECTED, rc);
        return;
    }
    double lag = (double)t - up->c.sent_s;
    up->received++;
    up->lag_sum_ms += llround(lag * 1000.0);
    if (lag > up->lag_max_s) up->lag_max_s = lag;
    sim_area_record(a, t, id, SIM_EV_CMD_RECEIVED, MM_CMD_SET_PRICES);
    prices_held(a, i, t, up);
}

/* A downlink transfer finished at the area's cell (area actor, simulated now).  Broadcast:
 * every meter hears the one transfer.  Unicast: the transfer is the area's messages back to
 * back, so the k-th of n finishes k/n of the way from sending to the end.  Each meter's own
 * leg (mesh hops, SMS wake-up, loss) comes from its technology. */
void sim_dl_area_recv(void *ctx, void *payload)
{
    sim_area *a = ctx;
    const sim_ctx *cx = a->cx;
    uint32_t raw = (uint32_t)(uintptr_t)payload;
    if (raw & DL_CAMPAIGN) {
        sim_campaign_area_recv(a, raw);
        return;
    }
    bool bcast = (raw & DL_BROADCAST) != 0;
    uint32_t u = raw & ~DL_BROADCAST;
    const dl_cmd *c = dl_command(cx->dl, u);
    double now = simgrid_get_clock();
    bool site = !cx->wt_on || net_wt_site_up(&cx->wt_cfg, &a->site, now);
    uint32_t i0 = 0, i1 = a->n;
    bool back_to_back = !bcast; /* the area's unicasts share the transfer */
    if (c->target != DL_ALL) { /* a request to one meter: the transfer is its own */
        i0 = c->target - a->hh0;
        i1 = i0 + 1;
        back_to_back = false;
    }
    double sent_s = c->sent_s;
    uint32_t len = c->len;
    const dl_update *up = dl_price_update(cx->dl, u);
    uint32_t m = 0, k = 0; /* meters the transfer carries, and which one this is */
#define CARRIED(i) (!up || (takes(a, (i), up->tariff) && hears_broadcast(a, (i)) == bcast))
    for (uint32_t i = i0; up && i < i1; i++)
        m += CARRIED(i);
    for (uint32_t i = i0; i < i1; i++) {
        if (!CARRIED(i)) continue;
        k++;
        double t = back_to_back ? sent_s + (now - sent_s) * (double)k / m : now;
        if (cx->wt_on) {
            net_wt_send o;
            if (sim_hh_wt_message(a, i, NET_WT_POLLED, len, site, &o) != 0 ||
                o.cause != NET_WT_DELIVERED) {
                dl_lost(a, i, t, u, o.cause);
                continue;
            }
            t += o.delay_s;
        }
        sim_area_schedule(a, &a->msgq, (uint32_t)ceil(t), HEV(i, MSG_CMD), u);
    }
#undef CARRIED
}

/* The next command counter, for a frame made at T: max(previous + 1, unix seconds <<
 * SIM_FW_COUNTER_SHIFT), the seconds clamped to the meters' 32-bit RTC.  It rises strictly in
 * framing order whatever T is, as the plain sequence did, so meters take and refuse the same
 * frames; a meter that lost its NVM takes none made before it came back. */
static uint64_t next_counter(const sim_ctx *cx, uint32_t t)
{
    sim_dl *d = cx->dl;
    int64_t s = cx->sc->start_unix + (int64_t)t;
    uint64_t anchor = (uint64_t)(s < 0 ? 0 : s > UINT32_MAX ? UINT32_MAX : s)
                      << SIM_FW_COUNTER_SHIFT;
    d->cmd_counter = anchor > d->cmd_counter ? anchor : d->cmd_counter + 1u;
    return d->cmd_counter;
}

/* Frame command CMD made at T with payload PL of N bytes into OUT (CAP bytes, length in *LEN),
 * addressed to device DEV, under the next command counter (the supplier's; one sequence for
 * every meter, so each meter sees its counters rise); signed if critical. */
static int frame(const sim_ctx *cx, uint32_t t, const uint8_t dev[8], uint16_t cmd,
                 const void *pl, uint16_t n, uint8_t *out, size_t cap, size_t *len)
{
    int rc = mm_port_sim_cmd_frame(cx->dl->crypto, dev, MM_ROLE_SUPPLIER, next_counter(cx, t), cmd,
                                   pl, n, mm_cmd_is_critical(cmd), true, out, cap, len);
    return rc == MM_OK ? 0 : SIM_EFRAME;
}

/* ... into command C, made when it is sent (c->sent_s). */
static int dl_frame(const sim_ctx *cx, dl_cmd *c, const uint8_t dev[8], uint16_t cmd,
                    const void *pl, uint16_t n)
{
    size_t len = 0;
    int rc = frame(cx, (uint32_t)c->sent_s, dev, cmd, pl, n, c->frame, sizeof c->frame, &len);
    c->len = (uint32_t)len;
    return rc;
}

int sim_dl_frame(const sim_ctx *cx, uint32_t id, uint32_t t, uint16_t cmd, const void *pl,
                 uint16_t n, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t dev[8];
    sim_fw_device_id(id, cx->fleet->hh[id].serial, dev);
    return frame(cx, t, dev, cmd, pl, n, out, cap, len);
}

/* The head-end sends command CMD with payload PL of N bytes to household I at T (the area
 * actor is at T): a service request whose answer counts in head-end class CLS. */
/* A request record for command CMD to household I at T, answered in class CLS (RUN: its command
 * run + 1, or 0); its dl_ref in *REF.  NULL: out of memory (the run fails). */
static dl_cmd *request(sim_area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls, uint8_t run,
                       uint32_t *ref)
{
    dl_cmd *u = dl_req_new(a->cx->dl, ref);
    if (!u) {
        sim_area_fail(a, SIM_ENOMEM);
        return NULL;
    }
    u->target = a->hh0 + i;
    u->cmd = cmd;
    u->cls = cls;
    u->run = run;
    u->sent_s = t;
    return u;
}

/* Request U (REF) leaves the head-end for its meter's cell. */
static void request_send(sim_area *a, const dl_cmd *u, uint32_t ref)
{
    sim_area_record(a, u->sent_s, u->target, SIM_EV_CMD_SENT, u->cmd);
    sim_cell_downlink(a->cell, (void *)(uintptr_t)ref,
                      (uint64_t)u->len + a->cx->sc->wan.command_overhead_bytes);
}

void sim_dl_request(sim_area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls,
                    const void *pl, uint16_t n)
{
    uint32_t ref;
    dl_cmd *u = request(a, i, t, cmd, cls, 0, &ref);
    if (!u) return;
    uint8_t dev[8];
    sim_fw_device_id(u->target, sim_hh_fl(a, i)->serial, dev);
    int rc = dl_frame(a->cx, u, dev, cmd, pl, n);
    if (rc != 0) {
        sim_area_fail(a, rc);
        return;
    }
    request_send(a, u, ref);
}

void sim_dl_send_frame(sim_area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls,
                       unsigned run, const uint8_t *frame, size_t len)
{
    if (len > MM_CMD_FRAME_MAX) { /* dl_cmd.frame's size */
        sim_area_fail(a, SIM_EFRAME);
        return;
    }
    uint32_t ref;
    dl_cmd *u = request(a, i, t, cmd, cls, (uint8_t)(run + 1u), &ref);
    if (!u) return;
    memcpy(u->frame, frame, len);
    u->len = (uint32_t)len;
    request_send(a, u, ref);
}

/* The price command for periods [p0, p0+n) of one UTC day: activation at the first period's
 * start, TOU rates = half-hours of the day (the commissioning tariff's).  The meters' prices
 * are unsigned: a negative price reaches them as 0. */
static int price_frame(const sim_ctx *cx, dl_update *u, grid_tariff tariff)
{
    uint8_t *pl = u->pl;
    uint32_t at = (uint32_t)(cx->sc->start_unix + (int64_t)u->p0 * SIM_PERIOD_S);
    pl[0] = (uint8_t)(at >> 24);
    pl[1] = (uint8_t)(at >> 16);
    pl[2] = (uint8_t)(at >> 8);
    pl[3] = (uint8_t)at;
    pl[4] = (uint8_t)sim_period_rate(cx->sc, u->p0);
    pl[5] = (uint8_t)u->n;
    for (uint32_t k = 0; k < u->n; k++) {
        grid_price pr;
        grid_price_get(cx->prices, tariff, u->p0 + k, &pr);
        uint32_t v = pr.unit > 0 ? (uint32_t)pr.unit : 0u;
        for (int b = 0; b < 4; b++) pl[6 + 4 * k + (uint32_t)b] = (uint8_t)(v >> (24 - 8 * b));
    }
    u->pl_len = (uint16_t)(6 + 4 * u->n);
    /* Framed once here for its size on the WAN and its counter (every meter's copy has both). */
    uint8_t any[8];
    sim_fw_device_id(0, 0, any);
    int rc = dl_frame(cx, &u->c, any, MM_CMD_SET_PRICES, pl, u->pl_len);
    u->counter = cx->dl->cmd_counter;
    return rc;
}

/* Coordinator, at NOW: every newly published price of each dynamic tariff in use becomes an
 * update, one per UTC day.  Returns 0 or a SIM_E* code. */
int sim_dl_prices_publish(const sim_ctx *cx, uint32_t now)
{
    sim_dl *d = cx->dl;
    for (unsigned t = 0; t < SIM_TARIFFS; t++) {
        if (d->sent_until[t] == UINT32_MAX) continue; /* not dynamic, or no household has it */
        grid_tariff gt = t == SIM_TARIFF_AGILE ? GRID_TARIFF_AGILE : GRID_TARIFF_RTP;
        while (d->sent_until[t] < cx->windows &&
               sim_price_published(cx->prices, gt, d->sent_until[t], now)) {
            uint32_t p0 = d->sent_until[t], p1 = p0 + 1, first = sim_period_rate(cx->sc, p0);
            while (p1 < cx->windows && first + (p1 - p0) < MM_TARIFF_TOU_RATES &&
                   sim_price_published(cx->prices, gt, p1, now))
                p1++;
            dl_update *u = sim_vec_push_zero(&d->upd);
            if (!u) return SIM_ENOMEM;
            u->c.target = DL_ALL;
            u->c.cmd = MM_CMD_SET_PRICES;
            u->c.cls = NET_HE_TARIFF_UPDATE;
            u->tariff = (uint8_t)t;
            u->p0 = p0;
            u->n = p1 - p0;
            u->c.sent_s = now;
            int rc = price_frame(cx, u, gt);
            if (rc != 0) return rc;
            d->sent_until[t] = p1;
        }
    }
    return 0;
}

/* Area actor, at the window end: the head-end sends the updates made since the last one to
 * this area's cell: one broadcast to the meters that hear it, and one message per other meter
 * on the tariff, back to back. */
void sim_dl_area_send_updates(sim_area *a)
{
    const sim_ctx *cx = a->cx;
    sim_dl *d = cx->dl;
    for (; a->dl_next < d->upd.n; a->dl_next++) {
        dl_update *u = upd_at(d, a->dl_next);
        uint64_t bytes = (uint64_t)u->c.len + cx->sc->wan.command_overhead_bytes;
        uint32_t ref = 2u * a->dl_next + 2u, mb = 0, mu = 0;
        for (uint32_t i = 0; i < a->n; i++)
            if (takes(a, i, u->tariff)) {
                if (hears_broadcast(a, i))
                    mb++;
                else
                    mu++;
            }
        if (mb) {
            u->bc_areas++;
            sim_area_record(a, u->c.sent_s, UINT32_MAX, SIM_EV_CMD_SENT, MM_CMD_SET_PRICES);
            sim_cell_downlink(a->cell, (void *)(uintptr_t)(ref | DL_BROADCAST), bytes);
        }
        if (mu) {
            u->unicast += mu;
            for (uint32_t i = 0; i < a->n; i++)
                if (takes(a, i, u->tariff) && !hears_broadcast(a, i))
                    sim_area_record(a, u->c.sent_s, a->hh0 + i, SIM_EV_CMD_SENT, MM_CMD_SET_PRICES);
            sim_cell_downlink(a->cell, (void *)(uintptr_t)ref, bytes * mu);
        }
    }
}

uint32_t sim_dl_updates(const sim_dl *d)
{
    return (uint32_t)d->upd.n;
}

void sim_dl_update_row(const sim_dl *d, uint32_t k, double r[SIM_UPD_NCOLS])
{
    const dl_update *u = upd_at(d, k);
    r[SIM_UPD_FIRST_PERIOD] = u->p0;
    r[SIM_UPD_PERIODS] = u->n;
    r[SIM_UPD_SENT_S] = u->c.sent_s;
    r[SIM_UPD_BROADCAST_AREAS] = u->bc_areas;
    r[SIM_UPD_UNICAST_METERS] = (double)u->unicast;
    r[SIM_UPD_RECEIVED] = (double)u->received;
    r[SIM_UPD_REJECTED] = (double)u->rejected;
    r[SIM_UPD_LOST] = (double)u->lost;
    r[SIM_UPD_LATE] = (double)u->late;
    r[SIM_UPD_LAG_MEAN_S] = u->received ? (double)u->lag_sum_ms / 1000.0 / (double)u->received : NAN;
    r[SIM_UPD_LAG_MAX_S] = u->received ? u->lag_max_s : NAN;
}

/* The updates' counts are made by each rank's areas: summed over ranks (the largest lag, its
 * maximum) so that every rank holds the national ones.  0, or -1 out of memory. */
int sim_dl_updates_reduce(sim_dl *d)
{
    if (sim_par_ranks() == 1) return 0;
    size_t n = d->upd.n;
    int64_t *x = malloc((n ? n : 1) * 8 * sizeof *x);
    if (sim_par_any(!x)) {
        free(x);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        const dl_update *u = upd_at(d, (uint32_t)k);
        int64_t *v = x + 7 * k;
        v[0] = u->bc_areas;
        v[1] = (int64_t)u->unicast;
        v[2] = (int64_t)u->received;
        v[3] = (int64_t)u->rejected;
        v[4] = (int64_t)u->lost;
        v[5] = (int64_t)u->late;
        v[6] = u->lag_sum_ms;
        /* a lag is never negative, and non-negative doubles order as their bit patterns */
        memcpy(&x[7 * n + k], &u->lag_max_s, sizeof u->lag_max_s);
    }
    sim_par_sum_i64(x, 7 * n);
    sim_par_max_i64(x + 7 * n, n);
    for (size_t k = 0; k < n; k++) {
        dl_update *u = upd_at(d, (uint32_t)k);
        const int64_t *v = x + 7 * k;
        u->bc_areas = (uint32_t)v[0];
        u->unicast = (uint64_t)v[1];
        u->received = (uint64_t)v[2];
        u->rejected = (uint64_t)v[3];
        u->lost = (uint64_t)v[4];
        u->late = (uint64_t)v[5];
        u->lag_sum_ms = v[6];
        memcpy(&u->lag_max_s, &x[7 * n + k], sizeof u->lag_max_s);
    }
    free(x);
    return 0;
}

int sim_dl_ckpt(sim_dl *d, sim_ckpt *c)
{
    sim_ckpt_tag(c, "downlink");
    SIM_CKPT(c, d->sent_until);
    SIM_CKPT(c, d->cmd_counter);
    sim_ckpt_vec(c, &d->upd);
    sim_ckpt_vec(c, &d->req);
    SIM_CKPT(c, d->req_free);
    return sim_ckpt_err(c) ? -1 : 0;
}
