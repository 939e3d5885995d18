/* Uplink: a household's messages to the head-end.  Each goes through its WAN technology
 * (mesh hops, SMS wake-up, loss, the site's backup power: net/wantech.h), waits out the
 * technology's delay, enters the area's cell queue (at most wan.max_flows transfers cross the
 * uplink at once: platform.h) and reaches the head-end actor (sink.c).  A lost alert is sent
 * again after the response timeout and a jittered backoff (net/retry.h).
 * Message records come from a pool and go back to it once the head-end is done with them.
 */
#include "runner.h"

#include "sim/events.h"

#include <math.h>
#include <simgrid/engine.h>
#include <stdlib.h>

#define MSG_BLOCK 1024

/* Fixed-size message records, recycled; all freed with the pool, so messages still in flight
 * when the run ends are not leaked. */
typedef struct msg_block {
    struct msg_block *next;
    net_msg m[MSG_BLOCK];
} msg_block;

struct sim_msgpool {
    msg_block *blocks;
    size_t made;  /* records in all blocks */
    sim_vec free; /* net_msg * */
};

int sim_msgpool_create(sim_msgpool **out)
{
    sim_msgpool *p = calloc(1, sizeof *p);
    if (!p) return SIM_ENOMEM;
    p->free = SIM_VEC_INIT(net_msg *);
    *out = p;
    return 0;
}

void sim_msgpool_destroy(sim_msgpool *p)
{
    if (!p) return;
    while (p->blocks) {
        msg_block *b = p->blocks;
        p->blocks = b->next;
        free(b);
    }
    sim_vec_free(&p->free);
    free(p);
}

net_msg *sim_msg_get(sim_msgpool *p)
{
    if (p->free.n == 0) {
        /* the free list has room for every record made so far, so a put never grows it;
         * it doubles when it must grow, so a storm's many blocks do not each copy it */
        size_t need = p->made + MSG_BLOCK;
        size_t want = need > 2 * p->free.cap ? need : 2 * p->free.cap;
        msg_block *b = malloc(sizeof *b);
        if (!b || (need > p->free.cap && sim_vec_reserve(&p->free, want) != 0)) {
            free(b);
            return NULL;
        }
        p->made = need;
        b->next = p->blocks;
        p->blocks = b;
        for (size_t i = 0; i < MSG_BLOCK; i++) SIM_VEC_AT(&p->free, net_msg *, p->free.n++) = &b->m[i];
    }
    return SIM_VEC_AT(&p->free, net_msg *, --p->free.n);
}

/* Room for every record was reserved when its block was made, so this cannot fail. */
void sim_msg_put(sim_msgpool *p, net_msg *m)
{
    SIM_VEC_AT(&p->free, net_msg *, p->free.n++) = m;
}

void sim_uplink_cell_enqueue(sim_area *a, double t, net_msg *m, uint32_t bytes)
{
    uint32_t s = (uint32_t)t;
    size_t k = (size_t)((s / SIM_PERIOD_S) % RING) * SIM_PERIOD_S + s % SIM_PERIOD_S;
    sim_cell_send(a->cell, m, bytes);
    a->cell_arr[k]++;
    uint32_t q = (uint32_t)sim_cell_backlog(a->cell);
    if (q > a->cell_q[k]) a->cell_q[k] = q;
}

void sim_uplink_arrived(void *ctx, void *payload)
{
    sim_area *a = ctx;
    net_msg *m = payload;
    sim_sink_arrive(a->cx->sink, simgrid_get_clock(), m);
    sim_msg_put(a->cx->pool, m);
}

void sim_uplink_wan_lost(sim_area *a, uint32_t i, double t, unsigned cause)
{
    a->lost[cause < 8 ? cause : 7]++;
    sim_area_record(a, t, a->hh0 + i, SIM_EV_WAN_LOST, cause);
}

int sim_hh_wt_message(sim_area *a, uint32_t i, net_wt_kind kind, uint32_t bytes, bool site_up,
                      net_wt_send *o)
{
    const sim_ctx *cx = a->cx;
    sim_rng r = sim_rng_unpack(&a->wtr[i]);
    int rc = net_wt_message(&cx->wt_cfg, &a->wt[i], &r, kind, bytes, site_up, o);
    sim_rng_pack(&a->wtr[i], &r);
    return rc;
}

/* Household I sends M at T: false when its technology lost it before the cell. */
bool sim_uplink_send(sim_area *a, uint32_t i, uint32_t t, net_wt_kind kind, const net_msg *m,
                     uint32_t bytes)
{
    const sim_ctx *cx = a->cx;
    double delay = 0;
    if (sim_hh_route(a, i) == SIM_ROUTE_NONE)
        SIM_PANIC(t, "household %u: a meter without communications has no WAN to send on", a->hh0 + i);
    if (cx->wt_on) {
        net_wt_send o;
        bool up = net_wt_site_up(&cx->wt_cfg, &a->site, t);
        if (sim_hh_wt_message(a, i, kind, bytes, up, &o) != 0 ||
            o.cause != NET_WT_DELIVERED) {
            sim_uplink_wan_lost(a, i, t, o.cause);
            return false;
        }
        delay = o.delay_s;
    }
    net_msg *msg = sim_msg_get(cx->pool);
    if (!msg) {
        sim_area_fail(a, SIM_ENOMEM); /* the run cannot stay faithful */
        return true;
    }
    *msg = *m;
    msg->area = a->id;
    msg->bytes = bytes;
    sim_route route = sim_hh_route(a, i);
    /* the DCC runs a migration: its exchanges with the meter end at its own head-end */
    bool dcc = route != SIM_ROUTE_SMSO || m->code == SIM_EV_MIGRATION_REQUESTS;
    msg->headend = dcc ? 0 : (uint8_t)(1u + sim_hh_fl(a, i)->supplier);
    /* An adopted SMETS1 meter's messages pass the DCC's SMETS1 service on their way in. */
    if (route == SIM_ROUTE_DCC_S1) delay += cx->sc->migration.translation_s;
    a->sent++;
    if (delay > 0) {
        if (sim_deferq_push(&a->defq, (sim_deferred){t + delay, msg, bytes}) != 0) {
            sim_msg_put(cx->pool, msg);
            sim_area_fail(a, SIM_ENOMEM);
        }
    } else {
        sim_uplink_cell_enqueue(a, t, msg, bytes);
    }
    return true;
}

/* Alert CODE of household I at T; lost before the cell, the hub sends it again after the
 * response timeout and a backoff with full jitter, until it has tried max_attempts times. */
void sim_uplink_alert(sim_area *a, uint32_t i, uint32_t t, uint32_t code)
{
    const sim_ctx *cx = a->cx;
    if (sim_hh_route(a, i) == SIM_ROUTE_NONE) return; /* no WAN: the meter only logs it */
    sim_area_record(a, t, a->hh0 + i, SIM_EV_WAN_ALERT_SENT, code);
    a->alerts++;
    if (sim_uplink_send(a, i, t, NET_WT_UPLINK,
                        &(net_msg){.household = a->hh0 + i,
                                   .code = SIM_EV_WAN_ALERT_DELIVERED,
                                   .sent_s = t,
                                   .import_wh = code},
                        cx->sc->wan.alert_bytes)) {
        if (a->retry_code[i] == code) a->retry_code[i] = a->retry_n[i] = 0;
        return;
    }
    if (a->retry_code[i] && a->retry_code[i] != code) return; /* one alert in retry at a time */
    double next;
    uint32_t failed = a->retry_code[i] ? (uint32_t)a->retry_n[i] + 1u : 1u;
    sim_rng r = sim_rng_unpack(&a->retry_rng[i]);
    int rc = net_retry_next(&cx->retry, &r, failed, t, &next);
    sim_rng_pack(&a->retry_rng[i], &r);
    if (rc != 0) {
        a->retry_code[i] = 0;
        a->retry_n[i] = 0;
        return;
    }
    a->retry_code[i] = code;
    a->retry_n[i] = (uint8_t)failed;
    sim_area_schedule(a, &a->msgq, (uint32_t)ceil(next), HEV(i, MSG_RETRY), 0);
}
