#include "engine.h"

#include "grid/load.h"
#include "mm/meter.h"
#include "mm/version.h"
#include "net/wan.h"
#include "platform.h"
#include "progress.h"
#include "sim/events.h"
#include "sim/timeutil.h"
#include "trace.h"

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* A pending change: household I is due at T [s since start]. */
typedef struct hev {
    uint32_t t;
    uint32_t i;
} hev;

typedef struct heap {
    hev *v;
    uint32_t n;
} heap;

typedef struct area {
    uint32_t id;
    uint16_t region; /* 1-based */
    uint32_t hh0;    /* global id of its first household */
    uint32_t n;
    sg_host_t host;
    unsigned char *load; /* n records of the load model's hh_size */
    mm_meter *meter;
    mm_profile_slot *log; /* n x depth slots */
    net_read_hh *read;
    uint32_t *last_t; /* when each meter was last advanced [s] */
    int32_t *p_mw, *q_mvar;
    heap loadq; /* next load change per household */
    heap readq; /* next WAN read per household */
    int64_t power_mw; /* sum of its households' active power [mW] */
    uint32_t power_t; /* time the sum was last integrated to [s] */
    uint64_t events;
    uint64_t sent;
} area;

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
    mm_meter_config mcfg;
    uint32_t depth;
    area *areas;
    uint32_t n_areas;
    sg_mailbox_t headend_mb;
    uint32_t end_s;    /* duration [s] */
    uint32_t windows;  /* settlement periods in the run */
    volatile int stop; /* set when the run must end early */
    /* window-ring accumulators, indexed by window % RING */
    uint32_t arrivals[RING][SIM_PERIOD_S];
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
} E;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

/* ---- heaps ------------------------------------------------------------------------ */

static bool hev_less(hev a, hev b)
{
    return a.t < b.t || (a.t == b.t && a.i < b.i);
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

/* ---- households ---------------------------------------------------------------------- */

/* Integrate the area's total power up to T into the per-minute demand ring. */
static void area_integrate(area *a, uint32_t t)
{
    while (a->power_t < t) {
        uint32_t minute_end = (a->power_t / 60 + 1) * 60;
        uint32_t until = minute_end < t ? minute_end : t;
        uint32_t w = a->power_t / SIM_PERIOD_S;
        E.demand_mws[w % RING][(a->power_t % SIM_PERIOD_S) / 60] +=
            a->power_mw * (int64_t)(until - a->power_t);
        a->power_t = until;
    }
}

static void hh_advance(area *a, uint32_t i, uint32_t t)
{
    if (t > a->last_t[i]) {
        mm_meter_advance(&a->meter[i], a->p_mw[i], a->q_mvar[i], (t - a->last_t[i]) * 1000u);
        a->last_t[i] = t;
    }
}

static void hh_load_event(area *a, uint32_t t)
{
    uint32_t i = a->loadq.v[0].i;
    hh_advance(a, i, t);
    int32_t p, q;
    uint32_t next = E.ops->hh_step(E.model, a->load + (size_t)i * E.ops->hh_size, t, &p, &q);
    area_integrate(a, t);
    a->power_mw += (int64_t)p - a->p_mw[i];
    a->p_mw[i] = p;
    a->q_mvar[i] = q;
    a->events++;
    heap_replace_top(&a->loadq, (hev){next >= E.end_s ? GRID_NEVER : next, i});
}

/* The daily profile read of household I: every closed period since its last read. */
static void hh_wan_read(area *a, uint32_t t)
{
    uint32_t i = a->readq.v[0].i;
    mm_meter *m = &a->meter[i];
    net_read_hh *r = &a->read[i];
    uint32_t from = r->from_period, upto = m->period;
    int64_t wh = 0;
    uint32_t first = upto, n = 0;
    for (uint32_t p = upto; p-- > from;) {
        mm_profile_slot s;
        if (mm_meter_profile(m, upto - 1 - p, &s) != MM_OK) break;
        wh += s.wh[MM_CH_IMPORT];
        first = p;
        n++;
    }
    net_msg *msg = msg_get();
    if (msg) {
        *msg = (net_msg){.household = a->hh0 + i,
                         .code = SIM_EV_WAN_READ_DELIVERED,
                         .sent_s = t,
                         .first_period = first,
                         .n_periods = n,
                         .import_wh = wh};
        sg_comm_t c = sg_mailbox_put_init(E.headend_mb, msg, E.readp.bytes);
        sg_comm_detach(c, NULL);
        a->sent++;
        record(t, a->hh0 + i, SIM_EV_WAN_READ_SENT, E.readp.bytes);
    }
    net_read_done(&E.readp, r, upto);
    heap_replace_top(&a->readq, (hev){r->next >= E.end_s ? GRID_NEVER : r->next, i});
}

static void area_close_window(area *a, uint32_t w_end)
{
    for (uint32_t i = 0; i < a->n; i++) {
        hh_advance(a, i, w_end);
        mm_meter_hh_close(&a->meter[i]);
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
            uint32_t tl = a->loadq.n ? a->loadq.v[0].t : GRID_NEVER;
            uint32_t tr = a->readq.n ? a->readq.v[0].t : GRID_NEVER;
            if (tl >= w_end && tr >= w_end) break;
            if (tr <= tl) {
                sg_actor_sleep_until(tr);
                if (E.stop) return;
                hh_wan_read(a, tr);
            } else {
                hh_load_event(a, tl);
            }
        }
        area_close_window(a, w_end);
        sg_actor_sleep_until(w_end);
    }
}

static void headend_actor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sg_mailbox_set_receiver(sg_mailbox_get_name(E.headend_mb));
    for (;;) {
        net_msg *m = sg_mailbox_get(E.headend_mb);
        double now = simgrid_get_clock();
        uint32_t s = (uint32_t)now;
        if (s < E.end_s) {
            E.arrivals[(s / SIM_PERIOD_S) % RING][s % SIM_PERIOD_S]++;
            E.delivered++;
            record(now, m->household, m->code, m->import_wh);
        }
        msg_put(m);
    }
}

/* ---- set-up and tear-down ------------------------------------------------------------ */

static int area_alloc(area *a, char *err, size_t errlen)
{
    size_t n = a->n;
    a->load = calloc(n, E.ops->hh_size);
    a->meter = calloc(n, sizeof *a->meter);
    a->log = calloc(n * E.depth, sizeof *a->log);
    a->read = calloc(n, sizeof *a->read);
    a->last_t = calloc(n, sizeof *a->last_t);
    a->p_mw = calloc(n, sizeof *a->p_mw);
    a->q_mvar = calloc(n, sizeof *a->q_mvar);
    a->loadq.v = calloc(n, sizeof(hev));
    a->readq.v = calloc(n, sizeof(hev));
    if (!a->load || !a->meter || !a->log || !a->read || !a->last_t || !a->p_mw || !a->q_mvar ||
        !a->loadq.v || !a->readq.v) {
        snprintf(err, errlen, "out of memory allocating area %u (%zu households)", a->id, n);
        return -1;
    }
    uint32_t first_period = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t id = (uint64_t)a->hh0 + i;
        if (mm_meter_init(&a->meter[i], &E.mcfg, a->log + (size_t)i * E.depth, E.depth,
                          first_period) != MM_OK) {
            snprintf(err, errlen, "meter %llu: firmware init failed", (unsigned long long)id);
            return -1;
        }
        uint32_t next = E.ops->hh_init(E.model, a->load + (size_t)i * E.ops->hh_size, id,
                                       &a->p_mw[i], &a->q_mvar[i]);
        a->power_mw += a->p_mw[i];
        if (next < E.end_s) a->loadq.v[a->loadq.n++] = (hev){next, i};
        net_read_init(&E.readp, &a->read[i], id);
        if (a->read[i].next < E.end_s) a->readq.v[a->readq.n++] = (hev){a->read[i].next, i};
    }
    heap_build(&a->loadq);
    heap_build(&a->readq);
    return 0;
}

static void area_free(area *a)
{
    for (uint32_t i = 0; i < a->n && a->meter; i++) mm_meter_deinit(&a->meter[i]);
    free(a->load);
    free(a->meter);
    free(a->log);
    free(a->read);
    free(a->last_t);
    free(a->p_mw);
    free(a->q_mvar);
    free(a->loadq.v);
    free(a->readq.v);
}

static void engine_free(void)
{
    for (uint32_t k = 0; E.areas && k < E.n_areas; k++) area_free(&E.areas[k]);
    free(E.areas);
    if (E.ops && E.model) E.ops->destroy(E.model);
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

/* Window W is closed: hand its arrivals and demand to the trace and clear its slot. */
static int flush_window(sim_trace *tr, uint32_t w)
{
    uint32_t *arr = E.arrivals[w % RING];
    int64_t *dem = E.demand_mws[w % RING];
    double demand_w[SIM_PERIOD_S / 60];
    for (int m = 0; m < SIM_PERIOD_S / 60; m++) demand_w[m] = (double)dem[m] / 60.0 / 1000.0;
    int rc = sim_trace_arrivals(tr, arr, SIM_PERIOD_S) || sim_trace_demand(tr, demand_w, SIM_PERIOD_S / 60);
    memset(arr, 0, sizeof E.arrivals[0]);
    memset(dem, 0, sizeof E.demand_mws[0]);
    return rc ? -1 : 0;
}

/* Periods [p0, p0+np) are closed on every meter: copy them from the meters' logs. */
static int flush_halfhourly(sim_trace *tr, uint32_t p0, uint32_t np, uint32_t chunk)
{
    if (np == 0) return 0;
    uint32_t total = E.sc->households;
    uint32_t per_area = E.sc->topology.area_households;
    uint32_t *buf = malloc((size_t)chunk * np * sizeof *buf * MM_CH_COUNT);
    if (!buf) return -1;
    int rc = 0;
    for (uint32_t h0 = 0; h0 < total && rc == 0; h0 += chunk) {
        uint32_t nh = total - h0 < chunk ? total - h0 : chunk;
        for (uint32_t j = 0; j < nh; j++) {
            uint32_t id = h0 + j;
            area *a = &E.areas[id / per_area];
            const mm_meter *m = &a->meter[id - a->hh0];
            for (uint32_t p = 0; p < np; p++) {
                mm_profile_slot s;
                if (mm_meter_profile(m, m->period - 1 - (p0 + p), &s) != MM_OK ||
                    s.period != p0 + p) {
                    rc = -1;
                    break;
                }
                for (int c = 0; c < MM_CH_COUNT; c++)
                    buf[((size_t)c * nh + j) * np + p] = s.wh[c];
            }
        }
        for (int c = 0; c < MM_CH_COUNT && rc == 0; c++)
            rc = sim_trace_halfhourly(tr, c, h0, nh, p0, np, buf + (size_t)c * nh * np);
    }
    free(buf);
    return rc;
}

static int write_registers(sim_trace *tr)
{
    uint32_t total = E.sc->households, per_area = E.sc->topology.area_households;
    uint64_t *buf = malloc((size_t)per_area * MM_CH_COUNT * sizeof *buf);
    if (!buf) return -1;
    int rc = 0;
    for (uint32_t k = 0; k < E.n_areas && rc == 0; k++) {
        area *a = &E.areas[k];
        for (uint32_t i = 0; i < a->n; i++)
            for (int c = 0; c < MM_CH_COUNT; c++)
                buf[(size_t)i * MM_CH_COUNT + c] = mm_meter_register(&a->meter[i], (mm_channel)c);
        rc = sim_trace_registers(tr, a->hh0, a->n, buf);
    }
    (void)total;
    free(buf);
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

int sim_engine_run(const sim_scenario *sc, const sim_run_opts *opts, sim_run_summary *sum,
                   char *err, size_t errlen)
{
    double wall0 = wall_now();
    memset(sum, 0, sizeof *sum);
    memset(&E, 0, sizeof E);
    E.sc = sc;
    E.trace_events = sc->trace.events;
    if (sc->start_unix % SIM_PERIOD_S != 0) {
        snprintf(err, errlen, "start must fall on a settlement period boundary (:00 or :30)");
        return 1;
    }
    E.end_s = (uint32_t)sc->duration_s;
    E.windows = (uint32_t)(sc->duration_s / SIM_PERIOD_S);
    E.ops = grid_load_find(sc->load.model);
    if (!E.ops) {
        snprintf(err, errlen, "load model \"%s\" is not built in", sc->load.model);
        return 1;
    }
    grid_load_params lp = {.seed = sc->seed,
                           .start_unix = sc->start_unix,
                           .duration_s = sc->duration_s,
                           .annual_kwh = sc->load.annual_kwh,
                           .spread = sc->load.spread,
                           .seasonal_amplitude = sc->load.seasonal_amplitude,
                           .power_factor = sc->load.power_factor};
    if (E.ops->create(&lp, &E.model, err, errlen)) return 1;
    E.readp = (net_read_params){.seed = sc->seed,
                                .start_unix = sc->start_unix,
                                .read_start_s = sc->wan.read_start_s,
                                .read_window_s = sc->wan.read_window_s,
                                .bytes = sc->wan.profile_read_bytes};
    E.mcfg.register_digits = (uint8_t)sc->meter.register_digits;
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

    uint32_t per_area = sc->topology.area_households;
    E.n_areas = (sc->households + per_area - 1) / per_area;
    E.areas = calloc(E.n_areas, sizeof *E.areas);
    sg_host_t *hosts = calloc(E.n_areas, sizeof *hosts);
    sg_host_t he = NULL;
    int rc = 1;
    sim_trace *tr = NULL;
    if (!E.areas || !hosts) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    sim_platform_spec ps = {.n_areas = E.n_areas,
                            .uplink_bps = sc->wan.uplink_bps,
                            .uplink_latency_s = sc->wan.uplink_latency_s,
                            .backbone_bps = sc->wan.backbone_bps,
                            .backbone_latency_s = sc->wan.backbone_latency_s};
    if (sim_platform_build(&ps, hosts, &he, err, errlen)) goto out;

    sim_household_row *rows = malloc((size_t)sc->households * sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (uint32_t k = 0; k < E.n_areas; k++) {
        area *a = &E.areas[k];
        a->id = k;
        a->hh0 = k * per_area;
        a->n = sc->households - a->hh0 < per_area ? sc->households - a->hh0 : per_area;
        a->region = (uint16_t)(1 + (uint64_t)k * sc->topology.regions / E.n_areas);
        a->host = hosts[k];
        if (area_alloc(a, err, errlen)) {
            free(rows);
            goto out;
        }
        for (uint32_t i = 0; i < a->n; i++)
            rows[a->hh0 + i] = (sim_household_row){a->hh0 + i, k, a->region};
    }

    sim_trace_info ti = {.version = METERSIM_VERSION,
                         .firmware_build = mm_build_id(),
                         .scenario_name = sc->name,
                         .scenario_yaml = sc->resolved_yaml ? sc->resolved_yaml : "",
                         .seed = sc->seed,
                         .start_unix = sc->start_unix,
                         .households = sc->households,
                         .chunk_households = sc->trace.chunk_households,
                         .compression = sc->trace.compression};
    tr = sim_trace_create(opts->out_path, &ti, err, errlen);
    if (!tr || sim_trace_households(tr, rows, sc->households)) {
        free(rows);
        if (tr) snprintf(err, errlen, "%s.partial: writing /households failed", opts->out_path);
        goto out;
    }
    free(rows);

    E.headend_mb = sg_mailbox_by_name("headend");
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
    for (uint32_t k = 0; k < E.n_areas; k++) {
        sum->events += E.areas[k].events;
        sum->wan_sent += E.areas[k].sent;
    }
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
out:
    if (tr) sim_trace_finish(tr, 0, sc->start_unix, NULL, 0);
    free(hosts);
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
    fprintf(out, "  wall time         %.2f s\n", s->wall_s);
    fprintf(out, "  household-days/s  %.0f\n", s->household_days_per_s);
    fprintf(out, "  peak RSS          %.1f MiB (%.0f B per household)\n",
            (double)s->peak_rss_bytes / 1048576.0,
            s->households ? (double)s->peak_rss_bytes / (double)s->households : 0.0);
    fprintf(out, "  trace             %s\n", s->trace_path ? s->trace_path : "-");
}
