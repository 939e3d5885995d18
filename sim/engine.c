#include "engine.h"

#include "grid/load.h"
#include "grid/outage.h"
#include "grid/topology.h"
#include "mm/abi.h"
#include "mm/meter.h"
#include "mm_port_sim.h"
#include "mm_port_sim_crypto.h"
#include "mm/version.h"
#include "grid/price.h"
#include "net/han.h"
#include "net/headend.h"
#include "net/retry.h"
#include "net/wantech.h"
#include "net/wan.h"
#include "platform.h"
#include "progress.h"
#include "sim/events.h"
#include "sim/timeutil.h"
#include "trace.h"

#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>

#include <dlfcn.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* A pending change: household I (low 24 bits; the top 8 say which kind of message, for
 * the message queue) is due at T [s since start]. */
typedef struct hev {
    uint32_t t;
    uint32_t i;
    uint32_t u; /* MSG_CMD: the command (dl_ref) */
} hev;

#define HEV_IDX(x) ((x) & 0xFFFFFFu)
#define HEV_KIND(x) ((x) >> 24)
#define HEV(i, kind) ((uint32_t)(i) | ((uint32_t)(kind) << 24))
#define AREA_MAX_HOUSEHOLDS 0xFFFFFFu

enum msg_kind {
    MSG_READ = 0,     /* daily profile read */
    MSG_AD1 = 1,      /* the hub's outage alert is due */
    MSG_RESTORE = 2,  /* the firmware's restore dither has passed */
    MSG_TOPUP = 3,    /* a prepayment household buys credit */
    MSG_RETRY = 4,    /* a lost alert is sent again */
    MSG_CMD = 5,      /* a command (dl_ref u) reaches the meter */
    MSG_ONDEMAND = 6  /* the supplier asks for an on-demand read */
};

/* The simulated supplier and meters share one identity: UTRNs and commands are addressed
 * to it (per-meter identities would cost each meter a configuration of its own). */
static const uint8_t FW_DEVICE_ID[8] = {0x00, 0xDB, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t FW_SUPPLIER_ID[8] = {0x90, 0xB3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
#define FW_EVENT_DEPTH 16u
#define TOPUP_BELOW_P 500  /* a prepayment household tops up below 5 pounds available [p] */
#define TOPUP_POUNDS 20    /* ... by 20 pounds */
#define TOPUP_IN_FLIGHT UINT32_MAX /* topup_due: bought online, on its way to the meter */

#define CLP_STEP_S 300 /* cold-load pickup re-evaluated every 5 min while it lasts */

typedef struct heap {
    hev *v;
    uint32_t n, cap;
} heap;

typedef struct area {
    uint32_t id;
    uint16_t region; /* 1-based */
    uint32_t hh0;    /* global id of its first household */
    uint32_t n;
    uint32_t lv0, lv1; /* its LV substations [lv0, lv1) */
    sim_cell *cell;
    unsigned char *load; /* n records of the load model's hh_size */
    unsigned char *esme;    /* n firmware states of E.abi->state_size bytes (mm_esme) */
    mm_hal_clock *clk;      /* per meter HAL: RTC driven by simulated time */
    mm_hal_nvm *nvm;        /* ... NVM in RAM (nvm_mem), two-phase records */
    unsigned char *nvm_mem;
    mm_hal_rng *rng;        /* ... seeded from (seed, household, "meter.rng") */
    mm_event *evlog;        /* ... event ring storage */
    uint8_t *prepay;        /* 1: prepayment household */
    uint8_t *disabled;      /* the meter's contactor is open: no supply to the premises */
    uint32_t *topup_due;    /* a top-up is planned at this time [s]; 0 none */
    uint16_t *utrn_counter; /* next UTRN originator counter */
    mm_profile_slot *log; /* n x depth slots */
    net_read_hh *read;
    uint32_t *last_t;       /* when each meter was last advanced [s] */
    int32_t *p_mw, *q_mvar; /* what the household's appliances draw */
    int32_t *pe_mw, *qe_mvar; /* what the meter sees: 0 without supply, raised by cold-load pickup */
    uint8_t *off;           /* open faults covering the premises; supplied when 0 */
    uint32_t *off_since;    /* when supply was last lost [s] */
    uint32_t *clp_t0;       /* restoration the cold-load pickup runs from [s] */
    float *clp_gain;        /* extra demand at clp_t0 [fraction]; 0 = none */
    sim_rng *behave;        /* each household's behaviour stream (top-up timing) */
    net_wt_hh *wt;          /* WAN technology and mesh route per household (wan.technology) */
    sim_rng *wtr;           /* ... and its "wan.link" stream */
    net_wt_site site;       /* the area's cell site / base station: backup power */
    uint32_t n_off;         /* households without supply now */
    double uplink_bps, uplink_latency_s;
    struct deferred { double t; net_msg *m; uint32_t bytes; } *defq; /* sends waiting [s] */
    uint32_t n_def, cap_def;
    uint64_t lost[8];       /* messages lost by net_wt_cause (or WAN_LOST_NO_SUPPLY) */
    uint32_t *retry_code;   /* alert waiting to be sent again after a loss; 0 none */
    uint8_t *retry_n;       /* failed attempts of that alert */
    sim_rng *retry_rng;     /* each hub's backoff stream ("net.retry") */
    int32_t *gas_w;         /* gas burnt now [W]; NULL when the load model has no gas */
    int64_t *gas_ws;        /* gas energy in the open period [W s] */
    uint32_t *gas_day;      /* gas per period of the current trace day [Wh], 48 per household */
    heap loadq; /* next load change per household */
    heap msgq;  /* WAN messages due: reads, AD1, restore alerts */
    heap clpq;  /* cold-load pickup steps */
    uint32_t *cell_arr;    /* [RING][SIM_PERIOD_S] messages entering the cell queue per second */
    uint32_t *cell_q;      /* ... and the longest queue one of them found */
    uint32_t dl_next;      /* first price update (E.upd) not yet sent to this area */
    bool broadcast;        /* price updates reach its meters by one broadcast */
    uint32_t *pk_from, *pk_until; /* periods [from, until) whose prices the meter holds */
    mm_price_table *ptab;  /* per meter price table (dynamic tariffs), NULL otherwise */
    const grid_outage_event *outage; /* this area's supply events, time order */
    size_t n_outage, next_outage;
    int64_t power_mw; /* sum of its households' effective active power [mW] */
    uint32_t power_t; /* time the sum was last integrated to [s] */
    uint64_t events;
    uint64_t sent;
    uint64_t interruptions;
    uint64_t alerts;
    uint64_t peak_backlog;
} area;

/* A command the head-end sent: a price update for every meter (one frame, identical for
 * all: the simulated meters share one identity; kept for the run, with what became of it),
 * or a service request to one meter (recycled once it has landed or been lost).  A dl_ref
 * names either: 2 x index + 1 for a request, 2 x index + 2 for a price update (never 0, so
 * it can travel as a downlink payload). */
#define DL_ALL UINT32_MAX
/* Loss cause of a command to a hub without supply, after net_wt_cause's. */
#define WAN_LOST_NO_SUPPLY 5
typedef struct dl_cmd {
    uint32_t target; /* household id, or DL_ALL */
    uint16_t cmd;    /* mm_cmd_id */
    uint8_t cls;     /* head-end class of the meter's answer (net_he_class) */
    double sent_s;   /* the head-end sent it [s] */
    uint32_t len;    /* frame bytes */
    uint8_t frame[MM_CMD_FRAME_MAX];
} dl_cmd;

typedef struct dl_req {
    dl_cmd c;
    uint32_t next_free; /* while free: the next free request, UINT32_MAX for none */
} dl_req;

typedef struct dl_update {
    dl_cmd c;
    uint32_t p0, n;      /* settlement periods whose prices it carries */
    uint32_t bc_areas;   /* areas it was broadcast to */
    uint64_t unicast;    /* meters it was sent to one by one */
    uint64_t received, rejected, lost, late;
    double lag_sum_s, lag_max_s; /* sent to accepted by the meter */
} dl_update;

/* Fixed-size message records, recycled; all freed with the engine, so messages still in
 * flight when the run ends are not leaked. */
typedef struct msg_block {
    struct msg_block *next;
    net_msg m[1024];
} msg_block;

#define RING 2 /* windows of arrivals/demand kept before they are flushed */

static struct engine {
    const sim_scenario *sc;
    const grid_load_ops *ops;
    void *model;
    net_read_params readp;
    const mm_abi *abi;          /* the firmware image every meter runs */
    void *fw_image;             /* dlopen handle of meter.firmware; NULL: the built-in build */
    mm_esme_config fw_credit;   /* firmware configuration of credit-mode meters */
    mm_esme_config fw_prepay;   /* ... and of prepayment meters */
    mm_tariff_def fw_tariff;    /* the tariff in force at commissioning */
    mm_hal_crypto crypto;       /* modelled crypto, shared */
    uint32_t period0;           /* the meters' index of the run's first half-hour */
    uint32_t nvm_size;          /* NVM bytes per meter */
    uint32_t depth;
    area *areas;
    uint32_t n_areas;
    grid_topology *topo;
    grid_outage_event *outages;
    size_t n_outages;
    sg_mailbox_t headend_mb;
    sg_host_t he_host;
    uint32_t end_s;    /* duration [s] */
    uint32_t windows;  /* settlement periods in the run */
    volatile int stop; /* set when the run must end early */
    /* window-ring accumulators, indexed by window % RING */
    int64_t demand_mws[RING][SIM_PERIOD_S / 60];
    /* events of the current windows, flushed sorted */
    sim_event *ev;
    size_t ev_n, ev_cap;
    int ev_oom;
    bool trace_events;
    /* message pool */
    msg_block *blocks;
    net_msg *free_msgs[1024 * 64];
    size_t n_free;
    uint64_t delivered;
    uint64_t alerts_delivered;
    net_headend *he;
    grid_price_model *prices;
    grid_tariff tariff;     /* every household's tariff */
    uint32_t now;           /* time of the household being stepped, for the price hook [s] */
    sg_bar_t window_bar;    /* areas and the coordinator meet at every window end */
    int64_t region_mws[RING][GRID_REGIONS_MAX]; /* energy per region in the window [mW s] */
    double *region_w;       /* [window][region] mean demand, for the trace [W] */
    double *price_p_kwh;    /* [window] unit price of the households' tariff [p/kWh] */
    double *wholesale;      /* [window] day-ahead wholesale price [GBP/MWh] */
    net_han_config han_cfg;
    net_wt_config wt_cfg;
    net_retry_params retry;
    bool wt_on;             /* wan.technology: model */
    net_han *han;           /* per household */
    bool dyn_prices;        /* the tariff's prices are published as the run goes */
    uint32_t sent_until;    /* periods before this one have been sent to the meters */
    uint64_t cmd_counter;   /* the supplier's command counter */
    dl_update *upd;         /* every price update sent, in order */
    uint32_t n_upd, cap_upd;
    dl_req *req;            /* service requests to one meter; free ones chained */
    uint32_t n_req, cap_req, req_free;
    area *cur_a;            /* the household being stepped, for the price hook */
    uint32_t cur_i;
    double *restore_s; /* per household: last restoration [s], NAN if none */
    double *known_s;   /* per household: its restore alert reached the DNO [s], NAN if not */
} E;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

/* ---- heaps ------------------------------------------------------------------------ */

static bool hev_less(hev a, hev b)
{
    return a.t < b.t || (a.t == b.t && (a.i < b.i || (a.i == b.i && a.u < b.u)));
}

static void heap_down(heap *h, uint32_t k)
{
    hev x = h->v[k];
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && hev_less(h->v[c + 1], h->v[c])) c++;
        if (!hev_less(h->v[c], x)) break;
        h->v[k] = h->v[c];
        k = c;
    }
    h->v[k] = x;
}

static void heap_build(heap *h)
{
    for (uint32_t k = h->n / 2; k-- > 0;) heap_down(h, k);
}

static uint32_t heap_top_t(const heap *h)
{
    return h->n ? h->v[0].t : GRID_NEVER;
}

/* Replace the top with X (or remove it when X.t is GRID_NEVER). */
static void heap_replace_top(heap *h, hev x)
{
    if (x.t == GRID_NEVER) {
        h->v[0] = h->v[--h->n];
    } else {
        h->v[0] = x;
    }
    if (h->n) heap_down(h, 0);
}

static hev heap_pop(heap *h)
{
    hev top = h->v[0];
    h->v[0] = h->v[--h->n];
    if (h->n) heap_down(h, 0);
    return top;
}

static int heap_push(heap *h, hev x)
{
    if (x.t >= E.end_s) return 0;
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 16;
        hev *v = realloc(h->v, cap * sizeof *v);
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    uint32_t k = h->n++;
    while (k > 0) {
        uint32_t parent = (k - 1) / 2;
        if (!hev_less(x, h->v[parent])) break;
        h->v[k] = h->v[parent];
        k = parent;
    }
    h->v[k] = x;
    return 0;
}

/* ---- events and messages ----------------------------------------------------------- */

static void record(double t, uint32_t hh, uint32_t code, int64_t value)
{
    if (!E.trace_events || E.ev_oom) return;
    if (E.ev_n == E.ev_cap) {
        size_t cap = E.ev_cap ? E.ev_cap * 2 : 4096;
        sim_event *v = realloc(E.ev, cap * sizeof *v);
        if (!v) {
            E.ev_oom = 1;
            return;
        }
        E.ev = v;
        E.ev_cap = cap;
    }
    E.ev[E.ev_n++] = (sim_event){.t_s = t, .household = hh, .code = code, .value = value};
}

static net_msg *msg_get(void)
{
    if (E.n_free == 0) {
        msg_block *b = malloc(sizeof *b);
        if (!b) return NULL;
        b->next = E.blocks;
        E.blocks = b;
        for (size_t i = 0; i < 1024; i++) E.free_msgs[E.n_free++] = &b->m[i];
    }
    return E.free_msgs[--E.n_free];
}

static void msg_put(net_msg *m)
{
    if (E.n_free < sizeof E.free_msgs / sizeof E.free_msgs[0]) E.free_msgs[E.n_free++] = m;
}

static void defer_push(area *a, double t, net_msg *m, uint32_t bytes)
{
    if (a->n_def == a->cap_def) {
        uint32_t cap = a->cap_def ? a->cap_def * 2 : 64;
        struct deferred *v = realloc(a->defq, cap * sizeof *v);
        if (!v) {
            E.ev_oom = 1;
            msg_put(m);
            return;
        }
        a->defq = v;
        a->cap_def = cap;
    }
    uint32_t k = a->n_def++;
    while (k > 0 && a->defq[(k - 1) / 2].t > t) {
        a->defq[k] = a->defq[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    a->defq[k] = (struct deferred){t, m, bytes};
}

static struct deferred defer_pop(area *a)
{
    struct deferred top = a->defq[0], x = a->defq[--a->n_def];
    uint32_t k = 0;
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= a->n_def) break;
        if (c + 1 < a->n_def && a->defq[c + 1].t < a->defq[c].t) c++;
        if (!(a->defq[c].t < x.t)) break;
        a->defq[k] = a->defq[c];
        k = c;
    }
    if (a->n_def) a->defq[k] = x;
    return top;
}

/* M enters the area's cell queue at T (per-second counts for /network/cells). */
static void cell_enqueue(area *a, double t, net_msg *m, uint32_t bytes)
{
    uint32_t s = (uint32_t)t;
    size_t k = (size_t)((s / SIM_PERIOD_S) % RING) * SIM_PERIOD_S + s % SIM_PERIOD_S;
    sim_cell_send(a->cell, m, bytes);
    a->cell_arr[k]++;
    uint32_t q = (uint32_t)sim_cell_backlog(a->cell);
    if (q > a->cell_q[k]) a->cell_q[k] = q;
}

/* A message of household I was lost at T, for CAUSE. */
static void wan_lost(area *a, uint32_t i, double t, unsigned cause)
{
    a->lost[cause < 8 ? cause : 7]++;
    record(t, a->hh0 + i, SIM_EV_WAN_LOST, cause);
}

/* Household I sends M: through its WAN technology (mesh hops, SMS wake-up, loss, the site's
 * power) into the area's cell queue; the head-end records its delivery. */
static bool send(area *a, uint32_t i, uint32_t t, net_wt_kind kind, const net_msg *m,
                 uint32_t bytes)
{
    double delay = 0;
    if (E.wt_on) {
        net_wt_send o;
        bool up = net_wt_site_up(&E.wt_cfg, &a->site, t);
        if (net_wt_message(&E.wt_cfg, &a->wt[i], &a->wtr[i], kind, bytes, up, &o) != 0 ||
            o.cause != NET_WT_DELIVERED) {
            wan_lost(a, i, t, o.cause);
            return false;
        }
        delay = o.delay_s;
    }
    net_msg *msg = msg_get();
    if (!msg) {
        E.ev_oom = 1; /* reported as a trace failure: the run cannot stay faithful */
        return true;
    }
    *msg = *m;
    msg->area = a->id;
    msg->bytes = bytes;
    a->sent++;
    if (delay > 0)
        defer_push(a, t + delay, msg, bytes);
    else
        cell_enqueue(a, t, msg, bytes);
    return true;
}

/* ---- households ---------------------------------------------------------------------- */

/* Integrate the area's total power up to T into the per-minute demand ring. */
static void area_integrate(area *a, uint32_t t)
{
    while (a->power_t < t) {
        uint32_t minute_end = (a->power_t / 60 + 1) * 60;
        uint32_t until = minute_end < t ? minute_end : t;
        uint32_t w = a->power_t / SIM_PERIOD_S;
        int64_t e = a->power_mw * (int64_t)(until - a->power_t);
        E.demand_mws[w % RING][(a->power_t % SIM_PERIOD_S) / 60] += e;
        E.region_mws[w % RING][a->region - 1] += e;
        a->power_t = until;
    }
}

static void *hh_fw(area *a, uint32_t i)
{
    return a->esme + (size_t)i * E.abi->state_size;
}

/* The meter's open half-hour (through the image's ABI: the state is opaque). */
static uint32_t hh_period(area *a, uint32_t i)
{
    mm_esme_snapshot s;
    E.abi->snapshot(hh_fw(a, i), &s);
    return s.period;
}

static void hh_advance(area *a, uint32_t i, uint32_t t)
{
    if (t > a->last_t[i]) {
        uint32_t dt = t - a->last_t[i];
        mm_port_sim_clock_set_ms(&a->clk[i], (uint64_t)t * 1000u);
        E.abi->advance(hh_fw(a, i), a->pe_mw[i], a->qe_mvar[i], dt * 1000u);
        /* A boiler without electricity burns no gas. */
        if (a->gas_w && !a->off[i]) a->gas_ws[i] += (int64_t)a->gas_w[i] * dt;
        a->last_t[i] = t;
    }
}

/* What the meter sees at T: nothing without supply; after a restoration the appliances'
 * demand raised by cold-load pickup, decaying exponentially (ENWL Smart ReStart: up to
 * double at restoration, FACTS.md). */
static void hh_set_effective(area *a, uint32_t i, uint32_t t)
{
    int32_t p = 0, q = 0;
    if (!a->off[i] && !a->disabled[i]) {
        double f = 1.0;
        if (a->clp_gain[i] > 0) {
            f += a->clp_gain[i] * exp(-(double)(t - a->clp_t0[i]) / E.sc->outages.cold_load_decay_s);
            if (f < 1.01) {
                a->clp_gain[i] = 0;
                f = 1.0;
            }
        }
        p = (int32_t)lround(a->p_mw[i] * f);
        q = (int32_t)lround(a->q_mvar[i] * f);
    }
    area_integrate(a, t);
    a->power_mw += (int64_t)p - a->pe_mw[i];
    a->pe_mw[i] = p;
    a->qe_mvar[i] = q;
}

static void hh_load_event(area *a, uint32_t t)
{
    uint32_t i = a->loadq.v[0].i;
    hh_advance(a, i, t);
    void *hh = a->load + (size_t)i * E.ops->hh_size;
    E.now = t;
    E.cur_a = a;
    E.cur_i = i;
    uint32_t next = E.ops->hh_step(E.model, hh, t, &a->p_mw[i], &a->q_mvar[i]);
    if (a->gas_w) a->gas_w[i] = E.ops->gas_w(E.model, hh);
    hh_set_effective(a, i, t);
    a->events++;
    heap_replace_top(&a->loadq, (hev){next >= E.end_s ? GRID_NEVER : next, i, 0});
}

static void hh_clp_step(area *a, uint32_t t)
{
    uint32_t i = heap_pop(&a->clpq).i;
    /* A chain started by an earlier restoration, or one that has decayed, stops here. */
    if (a->off[i] || a->clp_gain[i] <= 0 || (t - a->clp_t0[i]) % CLP_STEP_S != 0) return;
    hh_advance(a, i, t);
    hh_set_effective(a, i, t);
    if (a->clp_gain[i] > 0) heap_push(&a->clpq, (hev){t + CLP_STEP_S, i, 0});
}

/* The daily profile read of household I: every closed period since its last read. */
static void hh_wan_read(area *a, uint32_t i, uint32_t t)
{
    const void *fw = hh_fw(a, i);
    net_read_hh *r = &a->read[i];
    uint32_t upto = hh_period(a, i) - E.period0;
    if (a->off[i]) {
        /* No supply, no answer: tomorrow's read carries these periods too. */
        record(t, a->hh0 + i, SIM_EV_WAN_READ_FAILED, 0);
        upto = r->from_period;
    } else {
        int64_t wh = 0;
        uint32_t first = upto, n = 0;
        mm_profile_slot sl;
        for (uint32_t age = 0; E.abi->profile_slot(fw, age, &sl) == MM_OK; age++) {
            if (sl.period < E.period0 + r->from_period) break;
            if (sl.period >= E.period0 + upto) continue;
            wh += sl.wh[MM_CH_IMPORT];
            first = sl.period - E.period0;
            n++;
        }
        send(a, i, t, NET_WT_POLLED,
             &(net_msg){.household = a->hh0 + i,
                        .code = SIM_EV_WAN_READ_DELIVERED,
                        .sent_s = t,
                        .first_period = first,
                        .n_periods = n,
                        .import_wh = wh},
             E.readp.bytes);
        record(t, a->hh0 + i, SIM_EV_WAN_READ_SENT, E.readp.bytes);
    }
    net_read_done(&E.readp, r, upto);
    heap_push(&a->msgq, (hev){r->next, HEV(i, MSG_READ), 0});
}

static void send_alert(area *a, uint32_t i, uint32_t t, uint32_t code)
{
    record(t, a->hh0 + i, SIM_EV_WAN_ALERT_SENT, code);
    a->alerts++;
    if (send(a, i, t, NET_WT_UPLINK,
             &(net_msg){.household = a->hh0 + i,
                        .code = SIM_EV_WAN_ALERT_DELIVERED,
                        .sent_s = t,
                        .import_wh = code},
             E.sc->wan.alert_bytes)) {
        if (a->retry_code[i] == code) a->retry_code[i] = a->retry_n[i] = 0;
        return;
    }
    /* Lost before the cell: the hub sends it again after the response timeout and a
     * backoff with full jitter, until it has tried max_attempts times (net/retry.h). */
    if (a->retry_code[i] && a->retry_code[i] != code) return; /* one alert in retry at a time */
    double next;
    uint32_t failed = a->retry_code[i] ? (uint32_t)a->retry_n[i] + 1u : 1u;
    if (net_retry_next(&E.retry, &a->retry_rng[i], failed, t, &next) != 0) {
        a->retry_code[i] = 0;
        a->retry_n[i] = 0;
        return;
    }
    a->retry_code[i] = code;
    a->retry_n[i] = (uint8_t)failed;
    heap_push(&a->msgq, (hev){(uint32_t)ceil(next), HEV(i, MSG_RETRY), 0});
}

static void hh_after_close(area *a, uint32_t i, uint32_t t);

/* Every alert the firmware lets go now, over the WAN. */
static void hh_drain_alerts(area *a, uint32_t i, uint32_t t)
{
    mm_event ev;
    hh_advance(a, i, t);
    while (E.abi->next_alert(hh_fw(a, i), &ev) == MM_OK) send_alert(a, i, t, ev.code);
}

/* The customer buys credit: a 20-digit UTRN typed at the meter, then the button to
 * re-enable supply if the meter armed it. */
static void request_send(area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls,
                         const void *pl, uint16_t n);

static void hh_topup(area *a, uint32_t i, uint32_t t)
{
    char utrn[21];
    hh_advance(a, i, t);
    a->topup_due[i] = 0;
    uint16_t counter = a->utrn_counter[i]++;
    if (mm_port_sim_utrn(&E.crypto, FW_SUPPLIER_ID, FW_DEVICE_ID, 1u + counter, MM_UTRN_POUNDS,
                         TOPUP_POUNDS, true, utrn) != MM_OK) {
        record(t, a->hh0 + i, SIM_EV_TOPUP, -1);
        return;
    }
    if (sim_rng_uniform(&a->behave[i]) < E.sc->meter.remote_topup_share) {
        /* Bought online: the supplier sends the UTRN to the meter over the WAN; no other
         * top-up is planned until it lands or is lost. */
        a->topup_due[i] = TOPUP_IN_FLIGHT;
        request_send(a, i, t, MM_CMD_TOP_UP, NET_HE_TOPUP, utrn, 20);
        return;
    }
    if (E.abi->utrn_enter(hh_fw(a, i), utrn, 20) != MM_OK) {
        record(t, a->hh0 + i, SIM_EV_TOPUP, -1);
        return;
    }
    E.abi->button(hh_fw(a, i));
    record(t, a->hh0 + i, SIM_EV_TOPUP, TOPUP_POUNDS * 100);
    hh_after_close(a, i, t);
}

/* After a half-hour close (or a top-up): alerts due, the contactor as the grid sees it, and
 * a prepayment household's next top-up. */
static void hh_after_close(area *a, uint32_t i, uint32_t t)
{
    mm_event ev;
    while (E.abi->next_alert(hh_fw(a, i), &ev) == MM_OK) send_alert(a, i, t, ev.code);
    if (!a->prepay[i]) return;
    mm_esme_snapshot snap;
    E.abi->snapshot(hh_fw(a, i), &snap);
    uint8_t dis = snap.supply != MM_SUPPLY_CONNECTED;
    if (dis != a->disabled[i]) {
        a->disabled[i] = dis;
        hh_set_effective(a, i, t);
    }
    if (snap.available < (mm_credit_t)TOPUP_BELOW_P * MM_CREDIT_PER_PENNY && !a->topup_due[i]) {
        /* within the next 16 hours, or at once once the supply is off */
        uint32_t delay = dis ? 60u : 60u + (uint32_t)sim_rng_below(&a->behave[i], 16u * 3600u);
        a->topup_due[i] = t + delay;
        heap_push(&a->msgq, (hev){t + delay, HEV(i, MSG_TOPUP), 0});
    }
}

/* Half-hour of the UTC day settlement period P starts in (a TOU rate of the meters). */
static uint32_t period_rate(uint32_t p)
{
    return (uint32_t)(((E.sc->start_unix + (int64_t)p * SIM_PERIOD_S) % SIM_DAY_S) / SIM_PERIOD_S);
}

/* Long-range radio can broadcast to every meter of its base station; cellular and SMETS1
 * hubs are addressed one by one (wan.price_delivery).  Decided once per area (a->broadcast). */
static bool area_broadcasts(const area *a)
{
    sim_price_delivery m = E.sc->wan.price_delivery;
    if (m != SIM_PRICE_AUTO) return m == SIM_PRICE_BROADCAST;
    return E.wt_on && a->site.tech == NET_WT_LRR;
}

/* The command a dl_ref names, and the price update (NULL for a request). */
static const dl_cmd *dl_command(uint32_t ref)
{
    uint32_t k = (ref - 1u) / 2u;
    return ref & 1u ? &E.req[k].c : &E.upd[k].c;
}

static dl_update *dl_price_update(uint32_t ref)
{
    return ref & 1u ? NULL : &E.upd[(ref - 2u) / 2u];
}

/* Request REF has landed or been lost: its record is free for the next. */
static void dl_req_free(uint32_t ref)
{
    uint32_t k = (ref - 1u) / 2u;
    E.req[k].next_free = E.req_free;
    E.req_free = k;
}

/* Command REF to household I was lost at T, for CAUSE: a top-up bought online will be
 * bought again. */
static void dl_lost(area *a, uint32_t i, double t, uint32_t ref, unsigned cause)
{
    dl_update *up = dl_price_update(ref);
    if (up) up->lost++;
    if (dl_command(ref)->cmd == MM_CMD_TOP_UP) a->topup_due[i] = 0;
    if (!up) dl_req_free(ref);
    wan_lost(a, i, t, cause);
}

/* Command U reached household I's meter at T: the firmware takes it; a household knows
 * prices once its meter holds them; a top-up bought online lands on the meter; a unicast is
 * answered (to the head-end, whose response time runs from the request's origin). */
static void hh_command(area *a, uint32_t i, uint32_t t, uint32_t u)
{
    uint32_t id = a->hh0 + i;
    dl_update *up = dl_price_update(u);
    const dl_cmd *c = dl_command(u);
    if (a->off[i]) { /* a hub without supply hears nothing */
        dl_lost(a, i, t, u, WAN_LOST_NO_SUPPLY);
        return;
    }
    hh_advance(a, i, t);
    uint8_t resp[64];
    size_t rlen = 0;
    int rc = E.abi->command(hh_fw(a, i), c->frame, c->len, resp, sizeof resp, &rlen);
    if (rc != MM_OK) {
        if (up) up->rejected++;
        record(t, id, SIM_EV_CMD_REJECTED, rc);
    } else {
        double lag = (double)t - c->sent_s;
        if (up) {
            up->received++;
            up->lag_sum_s += lag;
            if (lag > up->lag_max_s) up->lag_max_s = lag;
        }
        record(t, id, SIM_EV_CMD_RECEIVED, c->cmd);
    }
    bool answer = !up || !a->broadcast;
    uint16_t cmd = c->cmd;
    uint8_t cls = c->cls;
    double origin = c->sent_s;
    if (!up) dl_req_free(u); /* a request is done with once its meter has it */
    if (rc == MM_OK && cmd == MM_CMD_SET_PRICES) {
        if (t > up->p0 * SIM_PERIOD_S) up->late++;
        uint32_t p1 = up->p0 + up->n;
        if (up->p0 <= a->pk_until[i]) {
            if (p1 > a->pk_until[i]) a->pk_until[i] = p1;
        } else { /* an update was missed: what came before it is no longer contiguous */
            a->pk_from[i] = up->p0;
            a->pk_until[i] = p1;
        }
    }
    if (cmd == MM_CMD_TOP_UP) {
        /* The customer, told the credit is on the meter, presses the button if needed. */
        a->topup_due[i] = 0;
        record(t, id, SIM_EV_TOPUP, rc == MM_OK ? TOPUP_POUNDS * 100 : -1);
        if (rc == MM_OK) E.abi->button(hh_fw(a, i));
        hh_after_close(a, i, t);
    }
    if (answer)
        send(a, i, t, NET_WT_UPLINK,
             &(net_msg){.household = id,
                        .code = SIM_EV_CMD_RESPONSE_DELIVERED,
                        .sent_s = origin,
                        .import_wh = cmd,
                        .cls = cls},
             E.sc->wan.response_bytes);
}

/* A downlink transfer finished at the area's cell (area actor, simulated now).  Broadcast:
 * every meter hears the one transfer.  Unicast: the transfer is the area's messages back to
 * back, so the k-th of n finishes k/n of the way from sending to the end.  Each meter's own
 * leg (mesh hops, SMS wake-up, loss) comes from its technology. */
static void area_on_recv(void *ctx, void *payload)
{
    area *a = ctx;
    uint32_t u = (uint32_t)(uintptr_t)payload;
    const dl_cmd *c = dl_command(u);
    double now = simgrid_get_clock();
    bool site = !E.wt_on || net_wt_site_up(&E.wt_cfg, &a->site, now);
    uint32_t i0 = 0, i1 = a->n;
    bool back_to_back = !a->broadcast; /* the area's unicasts share the transfer */
    if (c->target != DL_ALL) { /* a request to one meter: the transfer is its own */
        i0 = c->target - a->hh0;
        i1 = i0 + 1;
        back_to_back = false;
    }
    double sent_s = c->sent_s;
    for (uint32_t i = i0; i < i1; i++) {
        double t = back_to_back ? sent_s + (now - sent_s) * (double)(i + 1) / a->n : now;
        if (E.wt_on) {
            net_wt_send o;
            if (net_wt_message(&E.wt_cfg, &a->wt[i], &a->wtr[i], NET_WT_POLLED, c->len, site, &o) != 0 ||
                o.cause != NET_WT_DELIVERED) {
                dl_lost(a, i, t, u, o.cause);
                continue;
            }
            t += o.delay_s;
        }
        uint32_t at = (uint32_t)ceil(t);
        if (heap_push(&a->msgq, (hev){at, HEV(i, MSG_CMD), u}) != 0) E.ev_oom = 1;
    }
}

/* Can the prices of period P be sent at NOW? */
static bool period_published(uint32_t p, uint32_t now)
{
    int64_t pub;
    grid_price pr;
    return grid_price_publication_s(E.prices, E.tariff, p, &pub) == 0 && pub <= (int64_t)now &&
           grid_price_get(E.prices, E.tariff, p, &pr) == 0;
}

/* The price command for periods [p0, p0+n) of one UTC day: activation at the first period's
 * start, TOU rates = half-hours of the day (fw_setup's tariff).  The meters' prices are
 * unsigned: a negative price reaches them as 0. */
static int price_frame(dl_update *u)
{
    uint8_t pl[6 + 4 * MM_TARIFF_TOU_RATES];
    uint32_t at = (uint32_t)(E.sc->start_unix + (int64_t)u->p0 * SIM_PERIOD_S);
    pl[0] = (uint8_t)(at >> 24);
    pl[1] = (uint8_t)(at >> 16);
    pl[2] = (uint8_t)(at >> 8);
    pl[3] = (uint8_t)at;
    pl[4] = (uint8_t)period_rate(u->p0);
    pl[5] = (uint8_t)u->n;
    for (uint32_t k = 0; k < u->n; k++) {
        grid_price pr;
        grid_price_get(E.prices, E.tariff, u->p0 + k, &pr);
        uint32_t v = pr.unit > 0 ? (uint32_t)pr.unit : 0u;
        for (int b = 0; b < 4; b++) pl[6 + 4 * k + (uint32_t)b] = (uint8_t)(v >> (24 - 8 * b));
    }
    size_t len = 0;
    int rc = mm_port_sim_cmd_frame(&E.crypto, FW_DEVICE_ID, MM_ROLE_SUPPLIER, ++E.cmd_counter,
                                   MM_CMD_SET_PRICES, pl, (uint16_t)(6 + 4 * u->n), false, true,
                                   u->c.frame, sizeof u->c.frame, &len);
    u->c.len = (uint32_t)len;
    return rc == MM_OK ? 0 : -1;
}

/* V (N records of SIZE bytes, capacity *CAP) with room for one more, doubling: the array,
 * moved or not, or NULL (V kept, E.ev_oom set). */
static void *grow(void *v, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap) return v;
    uint32_t c = *cap ? *cap * 2 : 64;
    void *nv = realloc(v, c * size);
    if (!nv) {
        E.ev_oom = 1;
        return NULL;
    }
    *cap = c;
    return nv;
}

/* A fresh price update at the end of E.upd (its dl_ref in *REF), or NULL. */
static dl_update *dl_new(uint32_t *ref)
{
    dl_update *v = grow(E.upd, E.n_upd, &E.cap_upd, sizeof *E.upd);
    if (!v) return NULL;
    E.upd = v;
    *ref = 2u * E.n_upd + 2u;
    dl_update *u = &E.upd[E.n_upd++];
    memset(u, 0, sizeof *u);
    return u;
}

/* A request record, recycled or new (its dl_ref in *REF), or NULL. */
static dl_cmd *dl_req_new(uint32_t *ref)
{
    uint32_t k = E.req_free;
    if (k != UINT32_MAX) {
        E.req_free = E.req[k].next_free;
    } else {
        dl_req *v = grow(E.req, E.n_req, &E.cap_req, sizeof *E.req);
        if (!v) return NULL;
        E.req = v;
        k = E.n_req++;
    }
    *ref = 2u * k + 1u;
    memset(&E.req[k], 0, sizeof E.req[k]);
    return &E.req[k].c;
}

/* The head-end sends command CMD with payload PL of N bytes to household I at T (the area
 * actor is at T): a service request whose answer counts in head-end class CLS. */
static void request_send(area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls,
                         const void *pl, uint16_t n)
{
    uint32_t ref;
    dl_cmd *u = dl_req_new(&ref);
    if (!u) return;
    size_t len = 0;
    u->target = a->hh0 + i;
    u->cmd = cmd;
    u->cls = cls;
    u->sent_s = t;
    if (mm_port_sim_cmd_frame(&E.crypto, FW_DEVICE_ID, MM_ROLE_SUPPLIER, ++E.cmd_counter, cmd, pl,
                              n, false, true, u->frame, sizeof u->frame, &len) != MM_OK) {
        E.ev_oom = 1;
        return;
    }
    u->len = (uint32_t)len;
    record(t, u->target, SIM_EV_CMD_SENT, cmd);
    sim_cell_downlink(a->cell, (void *)(uintptr_t)ref, (uint64_t)len + E.sc->wan.command_overhead_bytes);
}

/* Coordinator, at NOW: every newly published price becomes an update, one per UTC day. */
static void prices_send(uint32_t now)
{
    while (E.sent_until < E.windows && period_published(E.sent_until, now)) {
        uint32_t p0 = E.sent_until, p1 = p0 + 1, first = period_rate(p0);
        while (p1 < E.windows && first + (p1 - p0) < MM_TARIFF_TOU_RATES && period_published(p1, now))
            p1++;
        uint32_t ref;
        dl_update *u = dl_new(&ref);
        if (!u) return;
        u->c.target = DL_ALL;
        u->c.cmd = MM_CMD_SET_PRICES;
        u->c.cls = NET_HE_TARIFF_UPDATE;
        u->p0 = p0;
        u->n = p1 - p0;
        u->c.sent_s = now;
        if (price_frame(u) != 0) { /* every area sends it on as it resumes (area_send_updates) */
            E.ev_oom = 1;
            return;
        }
        E.sent_until = p1;
    }
}

/* Area actor, at the window end: the head-end sends the updates made since the last one to
 * this area's cell, broadcast or one message per meter back to back. */
static void area_send_updates(area *a)
{
    for (; a->dl_next < E.n_upd; a->dl_next++) {
        dl_update *u = &E.upd[a->dl_next];
        uint64_t bytes = (uint64_t)u->c.len + E.sc->wan.command_overhead_bytes;
        if (a->broadcast) {
            u->bc_areas++;
            record(u->c.sent_s, UINT32_MAX, SIM_EV_CMD_SENT, MM_CMD_SET_PRICES);
        } else {
            u->unicast += a->n;
            bytes *= a->n;
            for (uint32_t i = 0; i < a->n; i++)
                record(u->c.sent_s, a->hh0 + i, SIM_EV_CMD_SENT, MM_CMD_SET_PRICES);
        }
        sim_cell_downlink(a->cell, (void *)(uintptr_t)(2u * a->dl_next + 2u), bytes);
    }
}

/* The supplier's next on-demand read of household I, an exponential gap after T (Poisson,
 * headend.ondemand_reads per day), drawn from the household's behaviour stream. */
static void ondemand_plan(area *a, uint32_t i, uint32_t t)
{
    double gap = -log(1.0 - sim_rng_uniform(&a->behave[i])) * SIM_DAY_S / E.sc->headend.ondemand_per_day;
    if ((double)t + gap < E.end_s) heap_push(&a->msgq, (hev){t + (uint32_t)gap, HEV(i, MSG_ONDEMAND), 0});
}

static void hh_message(area *a, uint32_t t)
{
    hev x = heap_pop(&a->msgq);
    uint32_t i = HEV_IDX(x.i);
    switch (HEV_KIND(x.i)) {
    case MSG_READ:
        hh_wan_read(a, i, t);
        break;
    case MSG_AD1:
        /* The hub reports the outage if supply is still off since the same loss. */
        if (a->off[i] && a->off_since[i] + E.sc->wan.ad1_delay_s == t)
            send_alert(a, i, t, SIM_ALERT_AD1);
        break;
    case MSG_RESTORE:
        /* The firmware's dither has passed: its queued alerts go, unless supply was lost
         * again meanwhile (then they wait for the next restoration). */
        if (!a->off[i]) hh_drain_alerts(a, i, t);
        break;
    case MSG_TOPUP:
        if (a->topup_due[i] == t) hh_topup(a, i, t);
        break;
    case MSG_CMD:
        hh_command(a, i, t, x.u);
        break;
    case MSG_ONDEMAND:
        request_send(a, i, t, MM_CMD_READ_REGISTERS, NET_HE_ONDEMAND_READ, NULL, 0);
        ondemand_plan(a, i, t + 1u);
        break;
    case MSG_RETRY:
        /* A hub without supply cannot try again (only its last gasp goes out). */
        if (a->retry_code[i] && !a->off[i]) {
            record(t, a->hh0 + i, SIM_EV_WAN_RETRY, a->retry_n[i]);
            send_alert(a, i, t, a->retry_code[i]);
        } else {
            a->retry_code[i] = 0;
            a->retry_n[i] = 0;
        }
        break;
    }
}

/* Supply to household I changes by DELTA open faults at T. */
static void hh_supply(area *a, uint32_t i, uint32_t t, int delta, uint8_t cause)
{
    uint32_t id = a->hh0 + i;
    int was_off = a->off[i] > 0;
    hh_advance(a, i, t);
    int n = (int)a->off[i] + delta;
    a->off[i] = (uint8_t)(n < 0 ? 0 : n > 255 ? 255 : n);
    int now_off = a->off[i] > 0;
    if (!was_off && now_off) {
        a->n_off++;
        a->off_since[i] = t;
        a->clp_gain[i] = 0;
        hh_set_effective(a, i, t);
        record(t, id, SIM_EV_SUPPLY_LOST, cause);
        a->interruptions++;
        E.abi->power_fail(hh_fw(a, i));
        record(t, id, SIM_EV_SUPPLY_INTERRUPTED, 0);
        heap_push(&a->msgq, (hev){t + (uint32_t)E.sc->wan.ad1_delay_s, HEV(i, MSG_AD1), 0});
    } else if (was_off && !now_off) {
        a->n_off--;
        uint32_t d = t - a->off_since[i];
        /* GBCS: 0x8F36 after an outage of 3 minutes or more, 0x8F35 otherwise (FACTS.md). */
        uint16_t code = d >= 180 ? SIM_EV_SUPPLY_RESTORED_LONG : SIM_EV_SUPPLY_RESTORED;
        record(t, id, code, d); /* as the firmware logs it (checked in tests/sim) */
        E.restore_s[id] = t;
        E.known_s[id] = NAN;
        const struct sim_scenario *sc = E.sc;
        double g = sc->outages.cold_load_gain * (1.0 - exp(-(double)d / sc->outages.cold_load_full_s));
        a->clp_t0[i] = t;
        a->clp_gain[i] = (float)g;
        hh_set_effective(a, i, t);
        if (a->clp_gain[i] > 0) heap_push(&a->clpq, (hev){t + CLP_STEP_S, i, 0});
        /* The firmware recovers from NVM, logs the outage and holds its alerts back for a
         * delay it draws uniformly from [0, W] through its RNG HAL (seed 003). */
        mm_port_sim_clock_set_ms(&a->clk[i], (uint64_t)t * 1000u);
        E.abi->power_restore(hh_fw(a, i));
        mm_esme_snapshot snap;
        E.abi->snapshot(hh_fw(a, i), &snap);
        if (snap.alerts_unsent) {
            int64_t at = (int64_t)snap.wan_ready_at - E.sc->start_unix;
            heap_push(&a->msgq, (hev){at > t ? (uint32_t)at : t, HEV(i, MSG_RESTORE), 0});
        }
    }
}

static void area_outage(area *a, uint32_t t)
{
    const grid_outage_event *e = &a->outage[a->next_outage++];
    const grid_lv_substation *lv = &E.topo->lv[e->lv];
    for (uint32_t id = lv->first; id < lv->first + lv->count; id++)
        if (e->feeder == GRID_ALL_FEEDERS || grid_topology_feeder(E.topo, id) == e->feeder)
            hh_supply(a, id - a->hh0, t, e->delta, e->cause);
    if (E.wt_on) {
        /* Relays without supply drop out of the mesh; the site runs on its battery once
         * enough of its area has lost supply. */
        uint32_t o = lv->first - a->hh0;
        net_wt_mesh_repair(&E.wt_cfg, a->wt + o, lv->count, a->off + o);
        net_wt_site_mains(&E.wt_cfg, &a->site, t, net_wt_site_mains_on(&E.wt_cfg, a->n_off, a->n));
    }
}

static void area_close_window(area *a, uint32_t w_end)
{
    uint32_t slot = (w_end / SIM_PERIOD_S - 1) % 48;
    for (uint32_t i = 0; i < a->n; i++) {
        hh_advance(a, i, w_end);
        E.abi->hh_close(hh_fw(a, i));
        hh_after_close(a, i, w_end);
        if (a->gas_w) {
            /* whole Wh to the period, the remainder carried to the next one */
            a->gas_day[(size_t)i * 48 + slot] = (uint32_t)(a->gas_ws[i] / 3600);
            a->gas_ws[i] %= 3600;
        }
    }
    area_integrate(a, w_end);
}

static void area_actor(int argc, char **argv)
{
    (void)argc;
    area *a = &E.areas[strtoul(argv[1], NULL, 10)];
    for (uint32_t w = 0; w < E.windows && !E.stop; w++) {
        uint32_t w_end = (w + 1) * SIM_PERIOD_S;
        for (;;) {
            uint32_t tl = heap_top_t(&a->loadq), tm = heap_top_t(&a->msgq);
            uint32_t tc = heap_top_t(&a->clpq);
            uint32_t to = a->next_outage < a->n_outage ? a->outage[a->next_outage].t : GRID_NEVER;
            uint32_t t = tl < tm ? tl : tm;
            if (tc < t) t = tc;
            if (to < t) t = to;
            /* A send held back by its technology (mesh hops, SMS wake-up) enters the cell. */
            if (a->n_def && a->defq[0].t < (double)(t < w_end ? t : w_end)) {
                int early = sim_cell_sleep_until(a->cell, a->defq[0].t);
                if (E.stop) break;
                if (early) continue; /* a downlink arrived first */
                struct deferred d = defer_pop(a);
                cell_enqueue(a, d.t, d.m, d.bytes);
                continue;
            }
            /* While a downlink transfer is under way the area keeps pace with SimGrid's
             * clock, so what arrives is acted on from the time it arrives. */
            if (sim_cell_recv_pending(a->cell)) {
                int early = sim_cell_sleep_until(a->cell, t < w_end ? t : w_end);
                if (E.stop) break;
                if (early) continue;
            }
            if (t >= w_end) break;
            /* Supply changes first, then demand, then messages, at equal times. */
            if (to == t) {
                area_outage(a, t);
            } else if (tl == t) {
                hh_load_event(a, t);
            } else if (tc == t) {
                hh_clp_step(a, t);
            } else {
                sim_cell_sleep_until(a->cell, t);
                if (E.stop) break;
                hh_message(a, t);
            }
        }
        if (E.stop) break;
        area_close_window(a, w_end);
        sim_cell_sleep_until(a->cell, w_end);
        if (E.stop) break;
        /* Every area has closed the window; the coordinator couples them; go on together. */
        sg_barrier_wait(E.window_bar);
        sg_barrier_wait(E.window_bar);
        area_send_updates(a);
    }
    a->peak_backlog = sim_cell_peak_backlog(a->cell);
    sim_cell_destroy(a->cell);
    a->cell = NULL;
}

/* The retail price of the households' tariff in PERIOD as known at the time of the household
 * being stepped, or NAN before it is published (grid_load_params.price). */
static double price_hook(void *ctx, uint32_t period)
{
    (void)ctx;
    int64_t pub;
    grid_price pr;
    /* Dynamic prices: only what has reached the household's meter. */
    if (E.dyn_prices && E.cur_a &&
        (period < E.cur_a->pk_from[E.cur_i] || period >= E.cur_a->pk_until[E.cur_i]))
        return NAN;
    if (!E.prices || grid_price_publication_s(E.prices, E.tariff, period, &pub) != 0 ||
        pub > (int64_t)E.now || grid_price_get(E.prices, E.tariff, period, &pr) != 0)
        return NAN;
    return pr.unit;
}

/* At every window end, once all areas have closed it: national and regional demand of the
 * window, real-time prices from it, day-ahead publication; then all areas go on.  This is
 * where MPI ranks will exchange what couples them nationally (DESIGN.md). */
static void coordinator_actor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (uint32_t w = 0; w < E.windows; w++) {
        uint32_t w_end = (w + 1) * SIM_PERIOD_S;
        sg_actor_sleep_until(w_end);
        if (E.stop) break;
        sg_barrier_wait(E.window_bar);
        int64_t mws = 0;
        for (int m = 0; m < SIM_PERIOD_S / 60; m++) mws += E.demand_mws[w % RING][m];
        double demand_w = (double)mws / 1000.0 / SIM_PERIOD_S;
        for (unsigned r = 0; r < E.sc->topology.regions; r++) {
            E.region_w[(size_t)w * E.sc->topology.regions + r] =
                (double)E.region_mws[w % RING][r] / 1000.0 / SIM_PERIOD_S;
            E.region_mws[w % RING][r] = 0;
        }
        if (E.prices) {
            double scale = (double)E.sc->prices.national_households / E.sc->households;
            if (E.tariff == GRID_TARIFF_RTP) grid_price_rtp_observe(E.prices, w, demand_w * scale);
            grid_price_publish_until(E.prices, w_end);
            if (E.dyn_prices) prices_send(w_end);
            grid_price pr;
            grid_wholesale_point wp;
            E.price_p_kwh[w] = grid_price_get(E.prices, E.tariff, w, &pr) == 0
                                   ? pr.unit * pow(10.0, GRID_PRICE_SCALE)
                                   : NAN;
            E.wholesale[w] = grid_wholesale_get(E.prices, GRID_MARKET_DAY_AHEAD, w, &wp) == 0
                                 ? wp.price_gbp_mwh
                                 : NAN;
        }
        sg_barrier_wait(E.window_bar);
    }
}

static unsigned he_class(const net_msg *m)
{
    if (m->code == SIM_EV_CMD_RESPONSE_DELIVERED) return m->cls;
    if (m->code == SIM_EV_WAN_READ_DELIVERED) return NET_HE_PROFILE_READ;
    return m->import_wh == SIM_ALERT_AD1 ? NET_HE_ALERT_OUTAGE : NET_HE_ALERT_RESTORE;
}

/* Processing finished: the request is delivered (and a restore alert known to the DNO). */
static void he_done(void *ctx, const net_he_done *d)
{
    (void)ctx;
    net_msg *m = (net_msg *)(uintptr_t)d->id;
    if (d->done_s < E.end_s) {
        E.delivered++;
        if (m->code == SIM_EV_WAN_ALERT_DELIVERED) E.alerts_delivered++;
        record(d->done_s, m->household, m->code, m->import_wh);
        if (d->cls == NET_HE_ALERT_RESTORE && m->household < E.sc->households)
            E.known_s[m->household] = d->dno_s;
    }
    msg_put(m);
}

static void headend_actor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sg_mailbox_set_receiver(sg_mailbox_get_name(E.headend_mb));
    for (;;) {
        net_msg *m = sim_headend_get(E.headend_mb);
        if (!m) continue; /* cancelled at the end of the run */
        double now = simgrid_get_clock();
        uint32_t s = (uint32_t)now;
        if (s >= E.end_s) {
            msg_put(m);
            continue;
        }
        net_he_req q = {.id = (uint64_t)(uintptr_t)m,
                        .arrival_s = now,
                        .origin_s = m->sent_s,
                        .premises = m->household,
                        .area = m->area,
                        .bytes = m->bytes,
                        .cls = he_class(m)};
        net_he_outcome o = NET_HE_ACCEPTED;
        if (net_he_submit(E.he, &q, &o, NULL) != 0 || o != NET_HE_ACCEPTED) {
            record(now, m->household, SIM_EV_HEADEND_REJECTED, (int64_t)o);
            msg_put(m);
        }
    }
}

/* ---- set-up and tear-down ------------------------------------------------------------ */

static int area_alloc(area *a, sg_host_t host, char *err, size_t errlen)
{
    size_t n = a->n;
    a->load = calloc(n, E.ops->hh_size);
    a->log = calloc(n * E.depth, sizeof *a->log);
    a->read = calloc(n, sizeof *a->read);
    a->last_t = calloc(n, sizeof *a->last_t);
    a->p_mw = calloc(n, sizeof *a->p_mw);
    a->q_mvar = calloc(n, sizeof *a->q_mvar);
    a->pe_mw = calloc(n, sizeof *a->pe_mw);
    a->qe_mvar = calloc(n, sizeof *a->qe_mvar);
    a->off = calloc(n, sizeof *a->off);
    a->off_since = calloc(n, sizeof *a->off_since);
    a->clp_t0 = calloc(n, sizeof *a->clp_t0);
    a->clp_gain = calloc(n, sizeof *a->clp_gain);
    a->behave = calloc(n, sizeof *a->behave);
    a->esme = aligned_alloc(E.abi->state_align,
                            ((n * E.abi->state_size + E.abi->state_align - 1) / E.abi->state_align) *
                                E.abi->state_align);
    a->clk = calloc(n, sizeof *a->clk);
    a->nvm = calloc(n, sizeof *a->nvm);
    a->nvm_mem = malloc(n * E.nvm_size);
    a->rng = calloc(n, sizeof *a->rng);
    a->evlog = calloc(n * FW_EVENT_DEPTH, sizeof *a->evlog);
    a->prepay = calloc(n, sizeof *a->prepay);
    a->disabled = calloc(n, sizeof *a->disabled);
    a->topup_due = calloc(n, sizeof *a->topup_due);
    a->utrn_counter = calloc(n, sizeof *a->utrn_counter);
    a->loadq.v = calloc(n, sizeof(hev));
    a->loadq.cap = (uint32_t)n;
    a->msgq.v = calloc(n, sizeof(hev));
    a->msgq.cap = (uint32_t)n;
    a->cell = sim_cell_create(E.headend_mb, E.sc->wan.max_flows);
    if (a->cell) sim_cell_set_downlink(a->cell, E.he_host, host, area_on_recv, a);
    a->cell_arr = calloc(RING * SIM_PERIOD_S, sizeof *a->cell_arr);
    a->cell_q = calloc(RING * SIM_PERIOD_S, sizeof *a->cell_q);
    if (!a->cell_arr || !a->cell_q) a->cell = (sim_cell_destroy(a->cell), NULL);
    a->pk_from = calloc(n, sizeof *a->pk_from);
    a->pk_until = calloc(n, sizeof *a->pk_until);
    if (E.dyn_prices) a->ptab = calloc(n, sizeof *a->ptab);
    if (!a->pk_from || !a->pk_until || (E.dyn_prices && !a->ptab))
        a->cell = (sim_cell_destroy(a->cell), NULL);
    if (E.wt_on) {
        a->wt = calloc(n, sizeof *a->wt);
        a->wtr = calloc(n, sizeof *a->wtr);
        if (!a->wt || !a->wtr) a->cell = (sim_cell_destroy(a->cell), NULL);
        for (uint32_t s = a->lv0; a->cell && s < a->lv1; s++) {
            const grid_lv_substation *lv = &E.topo->lv[s];
            if (net_wt_lv_build(&E.wt_cfg, s, lv->region, lv->first, lv->count,
                                a->wt + (lv->first - a->hh0)) != 0) {
                snprintf(err, errlen, "wan: LV substation %u: building its links failed", s);
                return -1;
            }
        }
        for (uint32_t i = 0; a->cell && i < n; i++)
            net_wt_rng_seed(&a->wtr[i], E.sc->seed, (uint64_t)a->hh0 + i);
        net_wt_site_init(&E.wt_cfg, &a->site, net_wt_area_tech(&E.wt_cfg, a->region - 1u), 0);
    }
    a->broadcast = area_broadcasts(a); /* knows its site's technology now */
    a->retry_code = calloc(n, sizeof *a->retry_code);
    a->retry_n = calloc(n, sizeof *a->retry_n);
    a->retry_rng = calloc(n, sizeof *a->retry_rng);
    if (!a->retry_code || !a->retry_n || !a->retry_rng) a->cell = (sim_cell_destroy(a->cell), NULL);
    for (uint32_t i = 0; a->cell && i < n; i++)
        net_retry_seed(&a->retry_rng[i], E.sc->seed, (uint64_t)a->hh0 + i);
    if (E.ops->gas_w) {
        a->gas_w = calloc(n, sizeof *a->gas_w);
        a->gas_ws = calloc(n, sizeof *a->gas_ws);
        a->gas_day = calloc(n * 48, sizeof *a->gas_day);
        if (!a->gas_w || !a->gas_ws || !a->gas_day) a->cell = (sim_cell_destroy(a->cell), NULL);
    }
    if (!a->load || !a->log || !a->read || !a->last_t || !a->p_mw || !a->q_mvar ||
        !a->pe_mw || !a->qe_mvar || !a->off || !a->off_since || !a->clp_t0 || !a->clp_gain ||
        !a->behave || !a->esme || !a->clk || !a->nvm || !a->nvm_mem || !a->rng || !a->evlog ||
        !a->prepay || !a->disabled || !a->topup_due || !a->utrn_counter || !a->loadq.v ||
        !a->msgq.v || !a->cell) {
        snprintf(err, errlen, "out of memory allocating area %u (%zu households)", a->id, n);
        return -1;
    }
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t id = (uint64_t)a->hh0 + i;
        /* Commission the household's meter: its own HAL (clock at the run start, NVM, RNG
         * stream), the shared crypto, its storage; credit or prepayment mode. */
        sim_rng_seed(&a->behave[i], E.sc->seed, id, "household.behaviour");
        a->prepay[i] = sim_rng_uniform(&a->behave[i]) < E.sc->meter.prepayment_share;
        mm_port_sim_clock_init(&a->clk[i], (uint32_t)E.sc->start_unix);
        mm_port_sim_nvm_init(&a->nvm[i], a->nvm_mem + (size_t)i * E.nvm_size, E.nvm_size);
        sim_rng seedr;
        sim_rng_seed(&seedr, E.sc->seed, id, "meter.rng");
        mm_port_sim_rng_init_seed(&a->rng[i], ((uint64_t)seedr.s[0] << 32) ^ seedr.s[1]);
        mm_esme_hal hal = {&a->clk[i], &a->nvm[i], &a->rng[i], &E.crypto};
        mm_esme_storage st = {a->log + (size_t)i * E.depth, E.depth,
                              a->evlog + (size_t)i * FW_EVENT_DEPTH, FW_EVENT_DEPTH, 0, NULL,
                              a->ptab ? &a->ptab[i] : NULL};
        /* The meter holds the prices of its commissioning tariff. */
        a->pk_from[i] = 0;
        a->pk_until[i] = E.dyn_prices ? E.sent_until : UINT32_MAX;
        int frc = E.abi->init(hh_fw(a, i), a->prepay[i] ? &E.fw_prepay : &E.fw_credit, &hal, &st);
        if (frc != MM_OK) {
            snprintf(err, errlen, "meter %llu: firmware init failed (%d)", (unsigned long long)id,
                     frc);
            return -1;
        }
        if (id == 0) E.period0 = hh_period(a, i);
        void *hh = a->load + (size_t)i * E.ops->hh_size;
        uint32_t next;
        E.cur_a = a;
        E.cur_i = i;
        if (E.ops->hh_init_ctx) {
            grid_hh_ctx ctx = {.id = id,
                               .region = a->region,
                               .dwelling = (uint8_t)grid_topology_dwelling(E.topo, (uint32_t)id),
                               .ihd = net_han_band_used(&E.han[id], NET_HAN_IHD) >= 0};
            next = E.ops->hh_init_ctx(E.model, hh, &ctx, &a->p_mw[i], &a->q_mvar[i]);
        } else {
            next = E.ops->hh_init(E.model, hh, id, &a->p_mw[i], &a->q_mvar[i]);
        }
        if (a->gas_w) a->gas_w[i] = E.ops->gas_w(E.model, hh);
        a->pe_mw[i] = a->p_mw[i];
        a->qe_mvar[i] = a->q_mvar[i];
        a->power_mw += a->p_mw[i];
        if (next < E.end_s) a->loadq.v[a->loadq.n++] = (hev){next, i, 0};
        if (E.sc->headend.ondemand_per_day > 0) ondemand_plan(a, i, 0);
        net_read_init(&E.readp, &a->read[i], id);
        if (a->read[i].next < E.end_s && heap_push(&a->msgq, (hev){a->read[i].next, HEV(i, MSG_READ), 0})) {
            snprintf(err, errlen, "out of memory allocating area %u", a->id);
            return -1;
        }
    }
    heap_build(&a->loadq); /* msgq is a heap already: filled by heap_push */
    return 0;
}

static void area_free(area *a)
{
    for (uint32_t i = 0; a->esme && E.abi && i < a->n && a->clk; i++) E.abi->deinit(hh_fw(a, i));
    free(a->load);
    free(a->esme);
    free(a->clk);
    free(a->nvm);
    free(a->nvm_mem);
    free(a->rng);
    free(a->evlog);
    free(a->prepay);
    free(a->disabled);
    free(a->topup_due);
    free(a->utrn_counter);
    free(a->log);
    free(a->read);
    free(a->last_t);
    free(a->p_mw);
    free(a->q_mvar);
    free(a->pe_mw);
    free(a->qe_mvar);
    free(a->off);
    free(a->off_since);
    free(a->clp_t0);
    free(a->clp_gain);
    free(a->behave);
    free(a->wt);
    free(a->wtr);
    free(a->defq);
    free(a->retry_code);
    free(a->retry_n);
    free(a->retry_rng);
    free(a->gas_w);
    free(a->gas_ws);
    free(a->gas_day);
    free(a->loadq.v);
    free(a->msgq.v);
    free(a->clpq.v);
    free(a->cell_arr);
    free(a->cell_q);
    free(a->pk_from);
    free(a->pk_until);
    free(a->ptab);
}

static void engine_free(void)
{
    for (uint32_t k = 0; E.areas && k < E.n_areas; k++) area_free(&E.areas[k]);
    free(E.areas);
    if (E.fw_image) dlclose(E.fw_image);
    if (E.ops && E.model) E.ops->destroy(E.model);
    grid_topology_destroy(E.topo);
    free(E.outages);
    net_he_destroy(E.he);
    grid_price_destroy(E.prices);
    if (E.window_bar) sg_barrier_destroy(E.window_bar);
    free(E.region_w);
    free(E.price_p_kwh);
    free(E.wholesale);
    free(E.han);
    free(E.restore_s);
    free(E.known_s);
    free(E.upd);
    free(E.req);
    free(E.ev);
    while (E.blocks) {
        msg_block *b = E.blocks;
        E.blocks = b->next;
        free(b);
    }
    memset(&E, 0, sizeof E);
}

static int ev_cmp(const void *x, const void *y)
{
    const sim_event *a = x, *b = y;
    if (a->t_s != b->t_s) return a->t_s < b->t_s ? -1 : 1;
    if (a->household != b->household) return a->household < b->household ? -1 : 1;
    if (a->code != b->code) return a->code < b->code ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

/* Events before T are final: write them in a canonical order (time, household, code),
 * so the trace does not depend on the order SimGrid ran the areas in. */
static int flush_events(sim_trace *tr, double t)
{
    if (!E.trace_events) return 0;
    if (E.ev_oom) return -1;
    if (E.ev_n == 0) return 0;
    qsort(E.ev, E.ev_n, sizeof *E.ev, ev_cmp);
    size_t k = 0;
    while (k < E.ev_n && E.ev[k].t_s < t) k++;
    if (sim_trace_events(tr, E.ev, k)) return -1;
    memmove(E.ev, E.ev + k, (E.ev_n - k) * sizeof *E.ev);
    E.ev_n -= k;
    return 0;
}

/* Window W is closed: hand its arrivals (the head-end model's per-second series, whose
 * bins span the run: durations are whole windows) and demand to the trace and clear its
 * demand slot. */
static int flush_window(sim_trace *tr, uint32_t w)
{
    net_he_series v;
    net_he_series_view(E.he, &v);
    const uint32_t *arr = v.arrivals + (size_t)w * SIM_PERIOD_S;
    int64_t *dem = E.demand_mws[w % RING];
    double demand_w[SIM_PERIOD_S / 60];
    for (int m = 0; m < SIM_PERIOD_S / 60; m++) demand_w[m] = (double)dem[m] / 60.0 / 1000.0;
    int rc = sim_trace_arrivals(tr, arr, SIM_PERIOD_S) || sim_trace_demand(tr, demand_w, SIM_PERIOD_S / 60);
    memset(dem, 0, sizeof E.demand_mws[0]);
    /* per cell: [second][area] */
    uint32_t *ca = malloc((size_t)SIM_PERIOD_S * E.n_areas * sizeof *ca);
    uint32_t *cq = malloc((size_t)SIM_PERIOD_S * E.n_areas * sizeof *cq);
    if (!ca || !cq) rc = 1;
    size_t base = (size_t)(w % RING) * SIM_PERIOD_S;
    for (uint32_t k = 0; !rc && k < E.n_areas; k++) {
        area *a = &E.areas[k];
        for (uint32_t sec = 0; sec < SIM_PERIOD_S; sec++) {
            ca[(size_t)sec * E.n_areas + k] = a->cell_arr[base + sec];
            cq[(size_t)sec * E.n_areas + k] = a->cell_q[base + sec];
        }
        memset(a->cell_arr + base, 0, SIM_PERIOD_S * sizeof *a->cell_arr);
        memset(a->cell_q + base, 0, SIM_PERIOD_S * sizeof *a->cell_q);
    }
    if (!rc) rc = sim_trace_cells(tr, ca, cq, SIM_PERIOD_S);
    free(ca);
    free(cq);
    return rc ? -1 : 0;
}

/* Periods [p0, p0+np) are closed on every meter: copy them from the meters' logs. */
static int flush_halfhourly(sim_trace *tr, uint32_t p0, uint32_t np, uint32_t chunk)
{
    if (np == 0) return 0;
    uint32_t total = E.sc->households;
    uint32_t *buf = malloc((size_t)chunk * np * sizeof *buf * MM_CH_COUNT);
    if (!buf) return -1;
    int rc = 0;
    area *a = E.areas;
    for (uint32_t h0 = 0; h0 < total && rc == 0; h0 += chunk) {
        uint32_t nh = total - h0 < chunk ? total - h0 : chunk;
        memset(buf, 0, (size_t)nh * np * sizeof *buf * MM_CH_COUNT);
        for (uint32_t j = 0; j < nh; j++) {
            uint32_t id = h0 + j;
            while (id >= a->hh0 + a->n) a++; /* areas hold consecutive id ranges */
            const void *fw = hh_fw(a, id - a->hh0);
            /* Newest slot first; a period the meter spent without supply has no slot (it
             * stays 0 here). */
            mm_profile_slot sl;
            for (uint32_t age = 0; E.abi->profile_slot(fw, age, &sl) == MM_OK; age++) {
                if (sl.period < E.period0 + p0) break;
                uint32_t p = sl.period - E.period0 - p0;
                if (p >= np) continue;
                for (int c = 0; c < MM_CH_COUNT; c++) buf[((size_t)c * nh + j) * np + p] = sl.wh[c];
            }
        }
        for (int c = 0; c < MM_CH_COUNT && rc == 0; c++)
            rc = sim_trace_halfhourly(tr, c, h0, nh, p0, np, buf + (size_t)c * nh * np);
        if (rc == 0 && E.areas[0].gas_w) {
            /* the gas of these periods waits in the areas' day buffers (slot = period % 48) */
            area *g = E.areas;
            for (uint32_t j = 0; j < nh; j++) {
                uint32_t id = h0 + j;
                while (id >= g->hh0 + g->n) g++;
                for (uint32_t p = 0; p < np; p++)
                    buf[(size_t)j * np + p] = g->gas_day[(size_t)(id - g->hh0) * 48 + (p0 + p) % 48];
            }
            rc = sim_trace_halfhourly(tr, SIM_TRACE_GAS, h0, nh, p0, np, buf);
        }
    }
    free(buf);
    return rc;
}

static int write_registers(sim_trace *tr)
{
    uint32_t largest = 0;
    for (uint32_t k = 0; k < E.n_areas; k++)
        if (E.areas[k].n > largest) largest = E.areas[k].n;
    uint64_t *buf = malloc((size_t)largest * MM_CH_COUNT * sizeof *buf);
    int64_t *bill = malloc((size_t)largest * SIM_TRACE_BILL_COLS * sizeof *bill);
    int rc = buf && bill ? 0 : -1;
    for (uint32_t k = 0; k < E.n_areas && rc == 0; k++) {
        area *a = &E.areas[k];
        for (uint32_t i = 0; i < a->n; i++) {
            mm_esme_snapshot s;
            E.abi->snapshot(hh_fw(a, i), &s);
            for (int c = 0; c < MM_CH_COUNT; c++)
                buf[(size_t)i * MM_CH_COUNT + c] = s.reg[c];
            int64_t *b = bill + (size_t)i * SIM_TRACE_BILL_COLS;
            b[0] = s.cost_total;
            b[1] = s.balance;
            b[2] = s.available;
        }
        rc = sim_trace_registers(tr, a->hh0, a->n, buf);
        if (rc == 0) rc = sim_trace_billing(tr, a->hh0, a->n, bill);
    }
    free(buf);
    free(bill);
    return rc;
}

/* Regional demand and prices per settlement period, and the HAN table. */
static int write_grid_and_han(sim_trace *tr, uint32_t windows)
{
    unsigned nr = E.sc->topology.regions;
    char names[GRID_REGIONS_MAX * 40] = "";
    for (unsigned r = 0; r < nr; r++) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", r ? "," : "", grid_region_name(r));
    }
    int rc = sim_trace_table_f64(tr, "/grid/region_demand_w", E.region_w, windows, nr, "periods",
                                 names, "W",
                                 "mean demand of the simulated households per settlement period "
                                 "(rows) and DNO region (columns)");
    if (rc == 0)
        rc = sim_trace_series_f64(tr, "/grid/price_p_kwh", E.price_p_kwh, windows, "p/kWh",
                                  "unit price of the households' tariff (prices.tariff) in each "
                                  "settlement period");
    if (rc == 0)
        rc = sim_trace_series_f64(tr, "/grid/wholesale_gbp_mwh", E.wholesale, windows, "GBP/MWh",
                                  "day-ahead wholesale price of each settlement period (the model "
                                  "behind Agile-style prices)");
    double *at = calloc((size_t)E.n_areas * 12, sizeof *at);
    if (!at) return -1;
    for (uint32_t k = 0; k < E.n_areas; k++) {
        area *a = &E.areas[k];
        double down = 0;
        uint32_t spells = 0;
        if (E.wt_on) net_wt_site_downtime(&E.wt_cfg, &a->site, windows * SIM_PERIOD_S, &down, &spells);
        double *r = &at[(size_t)k * 12];
        r[0] = a->region;
        r[1] = E.wt_on ? a->site.tech : -1;
        r[2] = a->n;
        r[3] = a->uplink_bps;
        r[4] = a->uplink_latency_s;
        r[5] = down;
        r[6] = spells;
        r[7] = (double)a->lost[NET_WT_LOST_ACCESS];
        r[8] = (double)a->lost[NET_WT_LOST_MESH];
        r[9] = (double)a->lost[NET_WT_NO_ROUTE];
        r[10] = (double)a->lost[NET_WT_SITE_DOWN];
        r[11] = (double)a->peak_backlog;
    }
    if (rc == 0)
        rc = sim_trace_table_f64(tr, "/network/areas", at, E.n_areas, 12, "areas",
                                 "region,tech,households,uplink_bps,uplink_latency_s,site_downtime_s,"
                                 "dark_spells,lost_access,lost_mesh,lost_no_route,lost_site_dark,"
                                 "peak_cell_queue",
                                 "- | bit/s | s | messages",
                                 "per area (WAN cell / base station): DNO region (1-based), "
                                 "technology (0 long-range radio, 1 cellular; -1 uniform WAN), "
                                 "households, uplink, dark time of its site on backup power, "
                                 "messages lost by cause, largest cell queue");
    free(at);
    uint32_t n_pu = E.n_upd;
    if (rc == 0 && n_pu) {
        enum { NC = 11 };
        double *pu = calloc((size_t)n_pu * NC, sizeof *pu);
        if (!pu) return -1;
        double *r = pu;
        for (uint32_t k = 0; k < E.n_upd; k++) {
            const dl_update *u = &E.upd[k];
            r[0] = u->p0;
            r[1] = u->n;
            r[2] = u->c.sent_s;
            r[3] = u->bc_areas;
            r[4] = (double)u->unicast;
            r[5] = (double)u->received;
            r[6] = (double)u->rejected;
            r[7] = (double)u->lost;
            r[8] = (double)u->late;
            r[9] = u->received ? u->lag_sum_s / (double)u->received : NAN;
            r[10] = u->received ? u->lag_max_s : NAN;
            r += NC;
        }
        rc = sim_trace_table_f64(tr, "/network/price_updates", pu, n_pu, NC, "updates",
                                 "first_period,periods,sent_s,broadcast_areas,unicast_meters,"
                                 "received,rejected,lost,late,lag_mean_s,lag_max_s",
                                 "- | s | meters | s",
                                 "per price update sent over the WAN (MM_CMD_SET_PRICES): periods "
                                 "carried, when the head-end sent it, areas it was broadcast to and "
                                 "meters it was sent to one by one, meters that accepted, refused or "
                                 "never got it, meters that got it only after its first period had "
                                 "begun, and the lag from sending to acceptance");
        free(pu);
    }
    sim_han_row *h = malloc((size_t)E.sc->households * sizeof *h);
    if (!h) return -1;
    for (uint32_t id = 0; id < E.sc->households && rc == 0; id++) {
        net_han *x = &E.han[id];
        net_han_gas_account(&E.han_cfg, x, 0, windows * SIM_PERIOD_S, NULL);
        net_han_battery_out b;
        float life = net_han_gas_battery(&E.han_cfg, x, &b) == 0 ? (float)b.life_years : NAN;
        h[id] = (sim_han_row){.works = net_han_works(x),
                              .band_gas = (int8_t)net_han_band_used(x, NET_HAN_GSME),
                              .band_ihd = (int8_t)net_han_band_used(x, NET_HAN_IHD),
                              .dual_band = x->hub != 0,
                              .p_deliver = x->p_deliver,
                              .latency_ms = x->latency_s * 1000.0f,
                              .retries = x->retries,
                              .p_access_fail = x->p_access_fail,
                              .gas_battery_years = life};
    }
    if (rc == 0) rc = sim_trace_han(tr, h, E.sc->households);
    free(h);
    return rc;
}

/* The head-end's series up to END, its per-class statistics and the DNO's view. */
static int write_headend(sim_trace *tr, uint32_t end)
{
    net_he_advance(E.he, end);
    /* completions recorded by the advance */
    int rc = flush_events(tr, (double)end + 1e9) ? -1 : 0;
    net_he_series v;
    net_he_series_view(E.he, &v);
    size_t n = end < v.bins ? end : v.bins;
    char path[128];
    /* "arrivals" is written per window already (WAN arrivals); the rest per the model's table. */
#define WRITE_SERIES(name, type, units, desc)                                                    \
    if (rc == 0 && strcmp(#name, "arrivals") != 0) {                                           \
        snprintf(path, sizeof path, "/network/headend/%s", #name);                            \
        rc = _Generic((v.name), const uint32_t * : sim_trace_series_u32,                        \
                      const double * : sim_trace_series_f64)(tr, path, v.name, n, units, desc); \
    }
    NET_HE_SERIES_MAP(WRITE_SERIES)
#undef WRITE_SERIES
    double stats[(NET_HE_NCLASS + 1) * 12];
    char rows[512] = "";
    for (unsigned c = 0; c <= NET_HE_NCLASS; c++) {
        net_he_stats st;
        net_he_stats_get(E.he, c, &st);
        double *r = &stats[c * 12];
        r[0] = (double)st.offered;
        r[1] = (double)st.accepted;
        r[2] = (double)st.dropped;
        r[3] = (double)st.quarantined;
        r[4] = (double)st.excluded;
        r[5] = (double)st.completed;
        r[6] = (double)st.met_target;
        r[7] = st.completed ? st.resp_sum_s / (double)st.completed : NAN;
        r[8] = net_he_resp_quantile(E.he, c, 0.5);
        r[9] = net_he_resp_quantile(E.he, c, 0.99);
        r[10] = st.started ? st.wait_sum_s / (double)st.started : NAN;
        r[11] = st.wait_max_s;
        size_t l = strlen(rows);
        snprintf(rows + l, sizeof rows - l, "%s%s", c ? "," : "",
                 c < NET_HE_NCLASS ? net_he_class_key(c) : "total");
    }
    if (rc == 0)
        rc = sim_trace_table_f64(
            tr, "/network/headend/class_stats", stats, NET_HE_NCLASS + 1, 12, rows,
            "offered,accepted,dropped,quarantined,excluded,completed,met_target,resp_mean_s,"
            "resp_p50_s,resp_p99_s,wait_mean_s,wait_max_s",
            "requests | s",
            "per request class (rows) and in total: counts, and response (origin to processed) and "
            "waiting times; met_target counts responses within the DCC target of the class");
    net_dno_view dv;
    if (rc == 0 && net_dno_view_compute(E.restore_s, E.known_s, E.sc->households, 300.0, &dv) == 0) {
        double d[8] = {(double)dv.restored, (double)dv.known, dv.last_restore_s, dv.last_known_s,
                       dv.all_known_after_s, dv.frac_within, dv.lag_p50_s, dv.lag_p99_s};
        rc = sim_trace_table_f64(
            tr, "/network/dno/restoration", d, 1, 8, "all",
            "restored,known,last_restore_s,last_known_s,all_known_after_s,frac_known_within_5min,"
            "lag_p50_s,lag_p99_s",
            "premises | s | fraction",
            "the DNO's view of restorations: premises restored, of them with a restore alert "
            "delivered, time from the last restoration until the DNO knew every restored premises "
            "(inf if some never), share known within 5 min of their restoration, alert lag quantiles");
    }
    return rc;
}

static uint64_t peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)ru.ru_maxrss * 1024u;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The firmware image: meter.firmware's shared object, or the build linked in.  An image
 * exports only mm_abi_get (models/meter/CMakeLists.txt builds it with hidden visibility),
 * so its own functions never bind to the built-in copies; its mm_hal_* calls bind to this
 * executable's port (exported for the purpose). */
static int fw_load(const sim_scenario *sc, char *err, size_t errlen)
{
    const char *name = sc->meter.firmware;
    if (!name[0]) {
        E.abi = mm_abi_get();
        return 0;
    }
    /* A name without a slash would be looked up on the library path; a file is meant. */
    char path[sizeof sc->meter.firmware + 2];
    snprintf(path, sizeof path, "%s%s", strchr(name, '/') ? "" : "./", name);
    E.fw_image = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!E.fw_image) {
        snprintf(err, errlen, "meter.firmware: cannot load \"%s\": %s", name, dlerror());
        return -1;
    }
    const mm_abi *(*get)(void) = NULL;
    void *sym = dlsym(E.fw_image, MM_ABI_ENTRY);
    memcpy(&get, &sym, sizeof get < sizeof sym ? sizeof get : sizeof sym);
    E.abi = get ? get() : NULL;
    if (!E.abi) {
        snprintf(err, errlen, "meter.firmware: \"%s\" is not a firmware image (no %s table)", name,
                 MM_ABI_ENTRY);
        return -1;
    }
    return 0;
}

/* The firmware every meter runs, and its two shared configurations. */
static int fw_setup(const sim_scenario *sc, char *err, size_t errlen)
{
    if (fw_load(sc, err, errlen)) return -1;
    /* Later ABI versions only append entries, but the shared structs' layout is the version's. */
    if (E.abi->abi_version != MM_ABI_VERSION || E.abi->table_size < sizeof(mm_abi)) {
        snprintf(err, errlen, "firmware %s: ABI %u (table %u B), the simulator expects %u (%zu B)",
                 E.abi->version(), E.abi->abi_version, E.abi->table_size, MM_ABI_VERSION,
                 sizeof(mm_abi));
        return -1;
    }
    uint32_t al = E.abi->state_align;
    if (E.abi->state_size == 0 || E.abi->state_size > (1u << 20) || al == 0 || al > 4096 ||
        (al & (al - 1)) != 0) {
        snprintf(err, errlen, "firmware %s: implausible state of %u B aligned to %u",
                 E.abi->version(), E.abi->state_size, al);
        return -1;
    }
    E.nvm_size = E.abi->nvm_footprint() + MM_PERSIST_NVM_ADDR;
    mm_port_sim_crypto_init(&E.crypto, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    /* The commissioning tariff: the flat retail rate in integer 10^-2 p/kWh (prices.c). */
    mm_tariff_def *d = &E.fw_tariff;
    memset(d, 0, sizeof *d);
    grid_price pr = {0};
    grid_price_get(E.prices, GRID_TARIFF_FLAT, 0, &pr);
    d->id = 1;
    d->price_scale = GRID_PRICE_SCALE;
    d->standing_scale = GRID_PRICE_SCALE;
    d->standing_charge = (uint32_t)pr.standing;
    d->billing = MM_BILLING_NONE;
    d->n_seasons = 1;
    d->season[0].month = 1;
    d->season[0].day = 1;
    d->day[0].n = 1;
    d->day[0].sw[0].rate = 0;
    d->day[0].sw[0].price_set = MM_TARIFF_NONE;
    d->tou_price[0] = (uint32_t)pr.unit;
    if (E.tariff != GRID_TARIFF_FLAT) {
        /* Any other tariff: 48 TOU rates, one per half-hour of the UTC day, priced from the
         * run's first 24 hours as published at the start (static tariffs: all of it); a
         * dynamic tariff's later prices reach the meters as MM_CMD_SET_PRICES. */
        d->day[0].n = MM_TARIFF_TOU_RATES;
        for (uint32_t k = 0; k < MM_TARIFF_TOU_RATES; k++) {
            d->day[0].sw[k] = (mm_tariff_switch){(uint16_t)(k * 30u), (uint8_t)k, MM_TARIFF_NONE};
            d->tou_price[k] = (uint32_t)pr.unit;
        }
        for (uint32_t p = 0; p < MM_TARIFF_TOU_RATES && p < E.windows && period_published(p, 0); p++) {
            grid_price q;
            grid_price_get(E.prices, E.tariff, p, &q);
            d->tou_price[period_rate(p)] = q.unit > 0 ? (uint32_t)q.unit : 0u;
            E.sent_until = p + 1;
        }
    }
    if (mm_tariff_def_check(d) != MM_OK) {
        snprintf(err, errlen, "firmware tariff: invalid definition");
        return -1;
    }
    mm_esme_config *c = &E.fw_credit;
    memset(c, 0, sizeof *c);
    c->meter.register_digits = (uint8_t)sc->meter.register_digits;
    memcpy(c->utrn.device_id, FW_DEVICE_ID, 8);
    memcpy(c->utrn.supplier_id, FW_SUPPLIER_ID, 8);
    memcpy(c->cmd.device_id, FW_DEVICE_ID, 8);
    c->cmd.bad_threshold = 3;
    c->cmd.bad_window_s = 3600;
    c->tariff = d;
    c->initial_mode = MM_MODE_CREDIT;
    c->dither_window_s = (uint32_t)sc->meter.restore_dither_s;
    c->nvm_addr = MM_PERSIST_NVM_ADDR;
    c->fw_version = 0x00010000u;
    /* Prepayment: low-credit alert below 2 pounds, disablement at 0, 10 pounds of emergency
     * credit offered below 1 pound (typical GB settings; Aclara SGM1400 manual in FACTS.md
     * for the debt structure), supply never cut 16:00-08:00 or at weekends (friendly). */
    E.fw_prepay = *c;
    mm_esme_config *pp = &E.fw_prepay;
    pp->initial_mode = MM_MODE_PREPAYMENT;
    pp->initial_credit = 30 * MM_CREDIT_PER_POUND;
    pp->prepay.low_credit = 200 * MM_CREDIT_PER_PENNY;
    pp->prepay.disablement = 0;
    pp->prepay.ec_threshold = 100 * MM_CREDIT_PER_PENNY;
    pp->prepay.ec_limit = 10 * MM_CREDIT_PER_POUND;
    pp->prepay.friendly[0] = (mm_friendly_period){.days = 0x1F, .start_min = 16 * 60, .end_min = 1440};
    pp->prepay.friendly[1] = (mm_friendly_period){.days = 0x1F, .start_min = 0, .end_min = 8 * 60};
    pp->prepay.friendly[2] = (mm_friendly_period){.days = 0x60, .start_min = 0, .end_min = 1440};
    return 0;
}

int sim_engine_run(const sim_scenario *sc, const sim_run_opts *opts, sim_run_summary *sum,
                   char *err, size_t errlen)
{
    double wall0 = wall_now();
    memset(sum, 0, sizeof *sum);
    memset(&E, 0, sizeof E);
    E.sc = sc;
    E.req_free = UINT32_MAX;
    E.trace_events = sc->trace.events;
    if (sc->start_unix % SIM_PERIOD_S != 0) {
        snprintf(err, errlen, "start must fall on a settlement period boundary (:00 or :30)");
        return 1;
    }
    E.end_s = (uint32_t)sc->duration_s;
    E.windows = (uint32_t)(sc->duration_s / SIM_PERIOD_S);
    E.ops = grid_load_find(sim_load_model_name(sc->load.model));
    if (!E.ops) {
        snprintf(err, errlen, "load model \"%s\" is not built in", sim_load_model_name(sc->load.model));
        return 1;
    }
    grid_load_params lp;
    grid_load_params_default(&lp);
    lp.seed = sc->seed;
    lp.start_unix = sc->start_unix;
    lp.duration_s = sc->duration_s;
    lp.annual_kwh = sc->load.annual_kwh;
    lp.spread = sc->load.spread;
    lp.seasonal_amplitude = sc->load.seasonal_amplitude;
    lp.power_factor = sc->load.power_factor;
    lp.flat_share = sc->topology.flat_share;
    lp.latitude_deg = sc->weather.latitude_deg;
    lp.weather_csv = sc->weather.csv[0] ? sc->weather.csv : NULL;
    lp.clock_bst = sc->load.clock_bst;
    lp.festive_share = sc->load.festive_share;
    lp.gas_annual_kwh = sc->load.gas_annual_kwh;
    lp.gas_share = sc->load.gas_share;
    lp.hp_share = sc->load.hp_share;
    lp.pv_share = sc->load.pv_share;
    lp.pv_kwp_median = sc->load.pv_kwp_median;
    lp.ev_share = sc->load.ev_share;
    lp.ev_charger_kw = sc->load.ev_charger_w / 1000.0;
    lp.ev_kwh_per_day = sc->load.ev_kwh_per_day;
    lp.ev_smart_share = sc->load.ev_smart_share;
    lp.dr_engaged_share = sc->load.dr_engaged_share;
    lp.dr_response = sc->load.dr_response;
    lp.dr_horizon_h = sc->load.dr_horizon_s / 3600.0;
    lp.feedback_enabled = sc->load.feedback;
    lp.feedback_cut = sc->load.feedback_cut;
    lp.feedback_tau_days = sc->load.feedback_tau_s / SIM_DAY_S;
    lp.feedback_days_installed = sc->load.feedback_age_s / SIM_DAY_S;
    lp.price = price_hook;
    lp.price_ctx = NULL;
    if (E.ops->create(&lp, &E.model, err, errlen)) return 1;

    /* Prices: every household on one tariff; the national model behind the dynamic ones. */
    grid_price_config pc;
    grid_price_config_default(&pc);
    pc.seed = sc->seed;
    pc.start_unix = sc->start_unix;
    pc.n_periods = E.windows;
    if (grid_tariff_from_name(sim_tariff_name(sc->prices.tariff), &E.tariff) != 0 ||
        grid_price_create(&pc, &E.prices, err, errlen) != 0) {
        if (!err[0]) snprintf(err, errlen, "prices: unknown tariff \"%s\"", sim_tariff_name(sc->prices.tariff));
        E.ops->destroy(E.model);
        E.model = NULL;
        return 1;
    }
    grid_price_publish_until(E.prices, 0);
    E.dyn_prices = E.tariff == GRID_TARIFF_AGILE || E.tariff == GRID_TARIFF_RTP;
    E.readp = (net_read_params){.seed = sc->seed,
                                .start_unix = sc->start_unix,
                                .read_start_s = sc->wan.read_start_s,
                                .read_window_s = sc->wan.read_window_s,
                                .bytes = sc->wan.profile_read_bytes};
    if (fw_setup(sc, err, errlen)) return 1;
    /* The log must hold a day for the trace flush and the span between two reads. */
    E.depth = net_read_log_depth(&E.readp);

    /* SimGrid: quiet unless asked, and no output of its own on stdout. */
    /* CM02: max-min sharing with the latencies and bandwidths as given; the default LV08
     * model multiplies latency by 13 to mimic TCP on wired LANs, which WAN figures taken
     * from cellular/radio sources already include. */
    int sg_argc = 3;
    char arg0[] = "metersim", arg1[] = "--log=root.thres:critical",
         arg2[] = "--cfg=network/model:CM02";
    char *sg_argv[] = {arg0, arg1, arg2, NULL};
    simgrid_init(&sg_argc, sg_argv);

    int rc = 1;
    sim_trace *tr = NULL;
    sg_host_t *hosts = NULL;
    sg_host_t he = NULL;
    sim_household_row *rows = NULL;
    uint32_t *lv_area = NULL;
    grid_topology_params tp = {.seed = sc->seed,
                               .households = sc->households,
                               .regions = sc->topology.regions,
                               .lv_customers_mean = sc->topology.lv_customers_mean,
                               .lv_customers_cv = sc->topology.lv_customers_cv,
                               .primary_customers = sc->topology.primary_customers,
                               .hv_feeders_per_primary = sc->topology.hv_feeders_per_primary,
                               .lv_feeders_per_substation = sc->topology.lv_feeders,
                               .flat_share = sc->topology.flat_share};
    if (grid_topology_create(&tp, &E.topo, err, errlen)) goto out;
    const grid_topology *topo = E.topo;

    /* Areas (WAN cells): consecutive whole LV substations of one region, up to
     * area_households each; an LV substation larger than that is an area of its own. */
    lv_area = malloc((size_t)topo->n_lv * sizeof *lv_area);
    if (!lv_area) goto oom;
    E.wt_on = sc->wan.technology == SIM_WAN_MODEL;
    net_retry_default(&E.retry);
    E.retry.timeout_s = sc->wan.retry_timeout_s;
    E.retry.max_attempts = sc->wan.retry_attempts;
    net_wt_config_default(&E.wt_cfg);
    E.wt_cfg.seed = sc->seed;
    E.wt_cfg.s1_share = sc->wan.smets1_share;
    if (E.wt_on && net_wt_config_check(&E.wt_cfg) != 0) {
        snprintf(err, errlen, "wan: invalid technology configuration");
        goto out;
    }
    uint32_t per_area = sc->topology.area_households, in_area = 0;
    for (uint32_t s = 0; s < topo->n_lv; s++) {
        const grid_lv_substation *lv = &topo->lv[s];
        /* With the technology model an area is one site: its technology says how many
         * meters it serves. */
        if (E.wt_on) per_area = net_wt_area_households(&E.wt_cfg, lv->region);
        if (lv->count > AREA_MAX_HOUSEHOLDS) {
            snprintf(err, errlen, "LV substation %u has %u households, more than an area holds", s,
                     lv->count);
            goto out;
        }
        bool fresh = s == 0 || lv->region != topo->lv[s - 1].region ||
                     (in_area > 0 && in_area + lv->count > per_area);
        if (fresh) {
            E.n_areas++;
            in_area = 0;
        }
        lv_area[s] = E.n_areas - 1;
        in_area += lv->count;
    }
    E.areas = calloc(E.n_areas, sizeof *E.areas);
    hosts = calloc(E.n_areas, sizeof *hosts);
    rows = malloc((size_t)sc->households * sizeof *rows);
    if (!E.areas || !hosts || !rows) goto oom;
    for (uint32_t s = 0; s < topo->n_lv; s++) {
        area *a = &E.areas[lv_area[s]];
        const grid_lv_substation *lv = &topo->lv[s];
        if (a->n == 0) {
            a->id = lv_area[s];
            a->hh0 = lv->first;
            a->lv0 = s;
            a->region = (uint16_t)(lv->region + 1);
        }
        a->n += lv->count;
        a->lv1 = s + 1;
        for (uint32_t id = lv->first; id < lv->first + lv->count; id++)
            rows[id] = (sim_household_row){.id = id,
                                           .area = lv_area[s],
                                           .lv_substation = s,
                                           .primary = lv->primary,
                                           .region = (uint16_t)(lv->region + 1),
                                           .feeder = grid_topology_feeder(topo, id),
                                           .dwelling = (uint8_t)grid_topology_dwelling(topo, id)};
    }

    /* Supply events, handed to the area that owns each substation, in time order. */
    double shares = sc->outages.share_hv + sc->outages.share_lv_substation + sc->outages.share_lv_feeder;
    grid_outage_params op = {
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
        sim_scenario_region_mask(sc->storm.regions, &op.storm.region_mask, why, sizeof why)) {
        snprintf(err, errlen, "storm.regions: %s", why);
        goto out;
    }
    grid_outage_event *all = NULL;
    size_t n_all = 0;
    if (grid_outage_generate(&op, topo, &all, &n_all, err, errlen)) goto out;
    E.outages = malloc((n_all ? n_all : 1) * sizeof *E.outages);
    if (!E.outages) {
        free(all);
        goto oom;
    }
    E.n_outages = n_all;
    for (size_t k = 0; k < n_all; k++) E.areas[lv_area[all[k].lv]].n_outage++;
    size_t off = 0;
    for (uint32_t k = 0; k < E.n_areas; k++) {
        E.areas[k].outage = E.outages + off;
        off += E.areas[k].n_outage;
        E.areas[k].n_outage = 0;
    }
    for (size_t k = 0; k < n_all; k++) {
        area *a = &E.areas[lv_area[all[k].lv]];
        E.outages[a->outage - E.outages + a->n_outage++] = all[k];
    }
    free(all);

    /* Home-area networks: reachability and CSMA/CA statistics per premises (analytic). */
    net_han_config_default(&E.han_cfg);
    E.han_cfg.dual_band_share = sc->han.dual_band_share;
    if (net_han_config_check(&E.han_cfg) != 0) {
        snprintf(err, errlen, "han: invalid configuration");
        goto out;
    }
    E.han = malloc((size_t)sc->households * sizeof *E.han);
    if (!E.han) goto oom;
    for (uint32_t id = 0; id < sc->households; id++) {
        net_han_params hp;
        net_han_draw_params(&E.han_cfg, sc->seed, id, &hp);
        hp.dwelling = (uint8_t)(rows[id].dwelling == GRID_FLAT ? NET_HAN_FLAT : NET_HAN_HOUSE);
        if (net_han_init(&E.han[id], &E.han_cfg, sc->seed, id, &hp) != 0) {
            snprintf(err, errlen, "han: premises %u: initialisation failed", id);
            goto out;
        }
    }

    /* The head-end's processing: one queue model for the whole run (net/headend.h). */
    net_he_config hc;
    net_he_config_default(&hc);
    hc.seed = sc->seed;
    hc.servers = sc->headend.servers;
    hc.queue_cap = sc->headend.queue_capacity;
    hc.priority = sc->headend.discipline == SIM_DISCIPLINE_PRIORITY;
    hc.dno_delay_s = sc->headend.dno_delay_s;
    hc.series_step_s = 1.0;
    hc.series_bins = E.end_s;
    hc.cls[NET_HE_ALERT_OUTAGE].service_s = sc->headend.alert_service_s;
    hc.cls[NET_HE_ALERT_RESTORE].service_s = sc->headend.alert_service_s;
    hc.cls[NET_HE_PROFILE_READ].service_s = sc->headend.read_service_s;
    E.restore_s = malloc((size_t)sc->households * sizeof *E.restore_s);
    E.known_s = malloc((size_t)sc->households * sizeof *E.known_s);
    if (!E.restore_s || !E.known_s) goto oom;
    for (uint32_t i = 0; i < sc->households; i++) E.restore_s[i] = E.known_s[i] = NAN;
    if (net_he_create(&hc, he_done, NULL, &E.he) != 0) {
        snprintf(err, errlen, "head-end model: invalid configuration");
        goto out;
    }

    double *up_bps = malloc(E.n_areas * sizeof *up_bps), *up_lat = malloc(E.n_areas * sizeof *up_lat);
    if (!up_bps || !up_lat) {
        free(up_bps);
        free(up_lat);
        goto oom;
    }
    for (uint32_t k = 0; k < E.n_areas; k++) {
        up_bps[k] = sc->wan.uplink_bps;
        up_lat[k] = sc->wan.uplink_latency_s;
        if (E.wt_on) net_wt_area_link(&E.wt_cfg, E.areas[k].region - 1u, &up_bps[k], &up_lat[k]);
        E.areas[k].uplink_bps = up_bps[k];
        E.areas[k].uplink_latency_s = up_lat[k];
    }
    sim_platform_spec ps = {.n_areas = E.n_areas,
                            .uplink_bps = up_bps,
                            .uplink_latency_s = up_lat,
                            .backbone_bps = sc->wan.backbone_bps,
                            .backbone_latency_s = sc->wan.backbone_latency_s};
    int prc = sim_platform_build(&ps, hosts, &he, err, errlen);
    free(up_bps);
    free(up_lat);
    if (prc) goto out;
    E.headend_mb = sg_mailbox_by_name("headend");
    E.he_host = he;
    for (uint32_t k = 0; k < E.n_areas; k++)
        if (area_alloc(&E.areas[k], hosts[k], err, errlen)) goto out;
    for (uint32_t k = 0; k < E.n_areas; k++)
        for (uint32_t i = 0; i < E.areas[k].n; i++) {
            sim_household_row *r = &rows[E.areas[k].hh0 + i];
            r->wan_tech = E.wt_on ? E.areas[k].wt[i].tech : 255;
            r->mesh_hops = E.wt_on ? E.areas[k].wt[i].level : 0;
        }
    if (E.ops->hh_attrs)
        for (uint32_t k = 0; k < E.n_areas; k++) {
            area *a = &E.areas[k];
            for (uint32_t i = 0; i < a->n; i++) {
                grid_hh_attrs at;
                E.ops->hh_attrs(E.model, a->load + (size_t)i * E.ops->hh_size, &at);
                sim_household_row *r = &rows[a->hh0 + i];
                r->occupants = at.occupants;
                r->heating = at.heating;
                r->ev = at.ev;
                r->pv_kwp = at.pv_kwp;
            }
        }

    /* Gas meters follow the household model's heating; the IHD's reach (placement draws do
     * not depend on which devices exist) was known before the households were set up. */
    if (E.ops->hh_attrs)
        for (uint32_t id = 0; id < sc->households; id++) {
            bool gas = rows[id].heating == 1 || rows[id].heating == 2;
            if (gas == net_han_present(&E.han[id], NET_HAN_GSME)) continue;
            net_han_params hp;
            net_han_draw_params(&E.han_cfg, sc->seed, id, &hp);
            hp.dwelling = (uint8_t)(rows[id].dwelling == GRID_FLAT ? NET_HAN_FLAT : NET_HAN_HOUSE);
            hp.has_gas = gas;
            if (net_han_init(&E.han[id], &E.han_cfg, sc->seed, id, &hp) != 0) {
                snprintf(err, errlen, "han: premises %u: initialisation failed", id);
                goto out;
            }
        }

    sim_trace_info ti = {.version = METERSIM_VERSION,
                         .firmware_build = E.abi->version(),
                         .scenario_name = sc->name,
                         .scenario_yaml = sc->resolved_yaml ? sc->resolved_yaml : "",
                         .seed = sc->seed,
                         .start_unix = sc->start_unix,
                         .households = sc->households,
                         .chunk_households = sc->trace.chunk_households,
                         .compression = sc->trace.compression,
                         .areas = E.n_areas};
    tr = sim_trace_create(opts->out_path, &ti, err, errlen);
    if (!tr || sim_trace_households(tr, rows, sc->households)) {
        if (tr) snprintf(err, errlen, "%s.partial: writing /households failed", opts->out_path);
        goto out;
    }
    free(rows);
    rows = NULL;

    E.region_w = calloc((size_t)E.windows * sc->topology.regions, sizeof *E.region_w);
    E.price_p_kwh = malloc((size_t)E.windows * sizeof *E.price_p_kwh);
    E.wholesale = malloc((size_t)E.windows * sizeof *E.wholesale);
    if (!E.region_w || !E.price_p_kwh || !E.wholesale) goto oom;
    for (uint32_t w2 = 0; w2 < E.windows; w2++) E.price_p_kwh[w2] = E.wholesale[w2] = NAN;
    E.window_bar = sg_barrier_init(E.n_areas + 1);
    sg_actor_t coord = sg_actor_init("coordinator", he);
    sg_actor_start(coord, coordinator_actor, 0, NULL);

    sg_actor_t hea = sg_actor_init("headend", he);
    sg_actor_daemonize(hea);
    sg_actor_start(hea, headend_actor, 0, NULL);
    char idx[16];
    for (uint32_t k = 0; k < E.n_areas; k++) {
        snprintf(idx, sizeof idx, "%u", k);
        char *argv[] = {idx, idx, NULL};
        sg_actor_t a = sg_actor_init("area", hosts[k]);
        sg_actor_start(a, area_actor, 2, argv);
    }

    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    got_signal = 0;

    sim_progress prog;
    sim_progress_start(&prog, opts->progress && !opts->quiet, sc->households, sc->duration_s);
    uint32_t flushed = 0, w = 0;
    int fail = 0;
    for (w = 0; w < E.windows; w++) {
        double w_end = (double)(w + 1) * SIM_PERIOD_S;
        simgrid_run_until(w_end);
        net_he_advance(E.he, w_end);
        if (flush_window(tr, w) || flush_events(tr, w_end)) {
            fail = 1;
            break;
        }
        uint32_t closed = w + 1;
        if (closed - flushed == SIM_DAY_S / SIM_PERIOD_S || closed == E.windows) {
            if (flush_halfhourly(tr, flushed, closed - flushed, sc->trace.chunk_households)) {
                fail = 1;
                break;
            }
            flushed = closed;
        }
        sim_progress_update(&prog, (int64_t)w_end);
        if (got_signal) break;
    }
    uint32_t reached = w < E.windows ? w + 1 : E.windows;
    if (fail) reached = flushed;
    E.stop = 1;
    simgrid_run();
    sim_progress_end(&prog);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    bool complete = !fail && !got_signal && reached == E.windows;
    if (!fail && flushed < reached && flush_halfhourly(tr, flushed, reached - flushed, sc->trace.chunk_households))
        fail = 1;
    if (!fail && write_registers(tr)) fail = 1;
    if (!fail && write_headend(tr, reached * SIM_PERIOD_S)) fail = 1;
    if (!fail && write_grid_and_han(tr, reached)) fail = 1;
    for (uint32_t k = 0; k < E.n_areas; k++) {
        sum->events += E.areas[k].events;
        sum->wan_sent += E.areas[k].sent;
        sum->interruptions += E.areas[k].interruptions;
        sum->alerts_sent += E.areas[k].alerts;
        if (E.areas[k].peak_backlog > sum->peak_cell_backlog)
            sum->peak_cell_backlog = E.areas[k].peak_backlog;
    }
    sum->alerts_delivered = E.alerts_delivered;
    sum->wan_delivered = E.delivered;
    sum->households = sc->households;
    sum->span_s = (int64_t)reached * SIM_PERIOD_S;
    char ferr[512] = "";
    int frc = sim_trace_finish(tr, complete && !fail, sc->start_unix + sum->span_s, ferr, sizeof ferr);
    tr = NULL;
    sum->trace_path = sim_trace_final_path();
    sum->complete = complete && !fail && frc == 0;
    sum->wall_s = wall_now() - wall0;
    sum->household_days_per_s =
        sum->wall_s > 0 ? (double)sc->households * ((double)sum->span_s / SIM_DAY_S) / sum->wall_s : 0;
    sum->peak_rss_bytes = peak_rss();
    if (fail)
        snprintf(err, errlen, "writing the trace %s failed", sum->trace_path);
    else if (frc)
        snprintf(err, errlen, "%s", ferr);
    else if (got_signal) {
        char reached_iso[32];
        sim_time_iso(sc->start_unix + sum->span_s, reached_iso, sizeof reached_iso);
        snprintf(err, errlen, "interrupted by signal %d; simulated up to %s; %s is valid with complete = 0",
                 (int)got_signal, reached_iso, sum->trace_path);
    }
    rc = sum->complete ? 0 : 1;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    if (tr) sim_trace_finish(tr, 0, sc->start_unix, NULL, 0);
    free(hosts);
    free(rows);
    free(lv_area);
    engine_free();
    return rc;
}

void sim_summary_print(const sim_run_summary *s, FILE *out)
{
    char span[64];
    sim_span_format(s->span_s, span, sizeof span);
    fprintf(out, "metersim summary\n");
    fprintf(out, "  households        %llu\n", (unsigned long long)s->households);
    fprintf(out, "  simulated span    %s%s\n", span, s->complete ? "" : " (incomplete)");
    fprintf(out, "  load events       %llu\n", (unsigned long long)s->events);
    fprintf(out, "  WAN messages      %llu sent, %llu delivered\n", (unsigned long long)s->wan_sent,
            (unsigned long long)s->wan_delivered);
    fprintf(out, "  interruptions     %llu premises-outages\n", (unsigned long long)s->interruptions);
    fprintf(out, "  alerts            %llu sent, %llu delivered (AD1 and restore)\n",
            (unsigned long long)s->alerts_sent, (unsigned long long)s->alerts_delivered);
    fprintf(out, "  cell queue peak   %llu messages\n", (unsigned long long)s->peak_cell_backlog);
    fprintf(out, "  wall time         %.2f s\n", s->wall_s);
    fprintf(out, "  household-days/s  %.0f\n", s->household_days_per_s);
    fprintf(out, "  peak RSS          %.1f MiB (%.0f B per household)\n",
            (double)s->peak_rss_bytes / 1048576.0,
            s->households ? (double)s->peak_rss_bytes / (double)s->households : 0.0);
    fprintf(out, "  trace             %s\n", s->trace_path ? s->trace_path : "-");
}
