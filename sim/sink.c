/* The head-ends: the sinks of every area's messages.  A message has reached the head-end host
 * when its transfer completes (platform.h; the area's cell calls sim_sink_arrive at that
 * time); at each window's end the coordinator gathers every rank's arrivals
 * (sim_sink_window), puts them in one order that does not depend on how areas are spread over
 * ranks, and submits them to the head-ends' queue models (net/headend.h: Lindley's recursion
 * per class, not SimGrid activities), which every rank computes alike: the DCC's for SMETS2
 * meters, each supplier's own for its SMETS1 meters (with its own capacity,
 * smets1_headend.*).  A queue model is lazy (a request's fate is known once the model is
 * advanced past it), so submitting a window's arrivals at its end gives what submitting each
 * as it came would.  Completions are recorded as deliveries; a restore alert's delivery at
 * the DCC is when the DNO learns of the restoration (a supplier's SMETS1 head-end forwards
 * nothing to the DNO).
 *
 * The head-ends share one SimGrid host: what differs between them is their queue, which is
 * the model's, and the SMETS1 WAN leg, which is the technology's (net_wt).
 */
#include "runner.h"

#include "par.h"

#include "mm/alerts.h"
#include "sim/events.h"
#include "sim/runsort.h"

#include <stdio.h>
#include <string.h>

/* An /events record of the head-end: kept by rank 0, which writes the trace (every rank
 * computes the same head-ends). */
static void sink_record(sim_sink *s, double t, uint32_t hh, uint32_t code, int64_t value)
{
    if (!s->cx->sc->trace.events || s->cx->rank != 0) return;
    sim_event e = {.t_s = t, .household = hh, .code = code, .value = value};
    if (SIM_VEC_PUSH(&s->ev, sim_event, e) != 0 && !s->err) s->err = SIM_ENOMEM;
}

static unsigned he_class(const net_msg *m)
{
    if (m->code == SIM_EV_CMD_RESPONSE_DELIVERED) return m->cls;
    if (m->code == SIM_EV_WAN_READ_DELIVERED) return NET_HE_PROFILE_READ;
    if (m->code == SIM_EV_COMMISSIONED) return NET_HE_COMMISSIONING;
    if (m->code == SIM_EV_MIGRATION_REQUESTS) return NET_HE_MIGRATION;
    if (m->import_wh == MM_ALERT_FIRMWARE_VERSION_CHANGED ||
        m->import_wh == MM_ALERT_FIRMWARE_VERIFY_FAILED)
        return NET_HE_FIRMWARE;
    if (m->import_wh == SIM_ALERT_AD1) return NET_HE_ALERT_OUTAGE;
    if (m->import_wh == MM_ALERT_SUPPLY_RESTORED || m->import_wh == MM_ALERT_SUPPLY_RESTORED_LONG)
        return NET_HE_ALERT_RESTORE;
    return NET_HE_ALERT_OTHER; /* only restore alerts tell the DNO a premises is back */
}

/* Processing finished: the request is delivered (and a restore alert known to the DNO). */
static void he_done(void *ctx, const net_he_done *d)
{
    sim_sink *s = ctx;
    net_msg *m = (net_msg *)(uintptr_t)d->id;
    if (d->done_s < s->cx->end_s) {
        s->delivered++;
        if (m->code == SIM_EV_WAN_ALERT_DELIVERED) s->alerts_delivered++;
        sink_record(s, d->done_s, m->household, m->code, m->import_wh);
        if (d->cls == NET_HE_ALERT_RESTORE && m->headend == 0 &&
            sim_hh_local(s->cx, m->household)) {
            sim_area *a = &s->areas[m->area];
            a->known_s[m->household - a->hh0] = d->dno_s;
        }
    }
    sim_msg_put(s->cx->pool, m);
}

static void he_config(const sim_scenario *sc, uint32_t end_s, net_he_config *hc)
{
    net_he_config_default(hc);
    hc->seed = sc->seed;
    hc->servers = sc->headend.servers;
    hc->queue_cap = sc->headend.queue_capacity;
    hc->priority = sc->headend.discipline == SIM_DISCIPLINE_PRIORITY;
    hc->dno_delay_s = sc->headend.dno_delay_s;
    hc->series_step_s = 1.0;
    hc->series_bins = end_s;
    hc->cls[NET_HE_ALERT_OUTAGE].service_s = sc->headend.alert_service_s;
    hc->cls[NET_HE_ALERT_RESTORE].service_s = sc->headend.alert_service_s;
    hc->cls[NET_HE_ALERT_OTHER].service_s = sc->headend.alert_service_s;
    hc->cls[NET_HE_PROFILE_READ].service_s = sc->headend.read_service_s;
    /* headend.read_service = 0 s (its range's end): reads take no time; an exponential draw
     * needs a positive mean. */
    if (sc->headend.read_service_s == 0) hc->cls[NET_HE_PROFILE_READ].dist = NET_HE_DETERMINISTIC;
    hc->throttle = sc->headend.throttle;
    hc->sys_rate_per_s = sc->headend.throttle_sys_rate;
    hc->sys_burst = sc->headend.throttle_sys_burst;
    for (unsigned k = 0; k < NET_HE_NCLASS; k++) {
        hc->cls[k].rate_per_s = sc->headend.throttle_rate[k];
        hc->cls[k].burst = sc->headend.throttle_burst;
    }
}
_Static_assert(SIM_HE_CLASSES == NET_HE_NCLASS, "scenario.h's SIM_HE_CLASSES");

int sim_sink_init(sim_sink *s, const sim_ctx *cx, sim_area *areas, uint32_t n_areas, char *err,
                  size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->cx = cx;
    s->areas = areas;
    s->n_areas = n_areas;
    s->ev = SIM_VEC_INIT(sim_event);
    s->arr = SIM_VEC_INIT(sim_arrival);
    s->scratch = SIM_VEC_INIT(sim_arrival);
    net_he_config hc;
    he_config(cx->sc, cx->end_s, &hc);
    int rc = net_he_create(&hc, he_done, s, &s->he);
    for (uint32_t k = 0; rc == 0 && k < cx->fleet->n_suppliers; k++) {
        const sim_supplier *sp = cx->fleet->sup[k].s;
        net_he_config c1 = hc;
        c1.servers = sp->hes_servers;
        c1.queue_cap = sp->hes_queue;
        c1.dno_delay_s = 0;
        c1.throttle = false; /* the DCC's thresholds: not on a supplier's own head-end */
        c1.series_bins = 0; /* its totals only (/fleet/suppliers) */
        rc = net_he_create(&c1, he_done, s, &s->s1[k]);
    }
    if (rc != 0) {
        snprintf(err, errlen, "head-end model: %s",
                 rc == NET_EHE_NOMEM ? "out of memory"
                                     : "invalid configuration (headend.servers, "
                                       "headend.queue_capacity, headend.alert_service, "
                                       "headend.read_service, headend.dno_delay or "
                                       "suppliers[].smets1_headend)");
        return -1;
    }
    return 0;
}

void sim_sink_free(sim_sink *s)
{
    net_he_destroy(s->he);
    for (uint32_t k = 0; k < SIM_SUPPLIERS_MAX; k++)
        net_he_destroy(s->s1[k]);
    sim_vec_free(&s->ev);
    sim_vec_free(&s->arr);
    sim_vec_free(&s->scratch);
    free(s->all);
    memset(s, 0, sizeof *s);
}

void sim_sink_arrive(sim_sink *s, double t, const net_msg *m)
{
    if ((uint32_t)t >= s->cx->end_s) return; /* after the run */
    sim_arrival a = {.t = t, .m = *m};
    if (SIM_VEC_PUSH(&s->arr, sim_arrival, a) != 0 && !s->err) s->err = SIM_ENOMEM;
}

/* Arrivals in one order: time, then every field of the message (two that compare equal are
 * indistinguishable to the head-ends). */
static inline __attribute__((always_inline)) int arrival_cmp(const void *x, const void *y)
{
    const sim_arrival *a = x, *b = y;
#define CMP_(f)                                                                                    \
    if (a->f != b->f) return a->f < b->f ? -1 : 1;
    CMP_(t)
    CMP_(m.household)
    CMP_(m.code)
    CMP_(m.import_wh)
    CMP_(m.sent_s)
    CMP_(m.headend)
    CMP_(m.cls)
    CMP_(m.bytes)
    CMP_(m.first_period)
    CMP_(m.n_periods)
    CMP_(m.area)
#undef CMP_
    return 0;
}

#define ARRIVAL_LESS(x, y) (arrival_cmp(&(x), &(y)) < 0)
SIM_RUNSORT_DEFINE(arrival_sort, sim_arrival, ARRIVAL_LESS)

/* V's N arrivals in order (arrival_cmp), sorted with S's scratch: 0, or SIM_ENOMEM. */
static int arrivals_order(sim_sink *s, sim_arrival *v, size_t n)
{
    if (sim_vec_reserve(&s->scratch, n) != 0) return SIM_ENOMEM;
    arrival_sort(v, n, s->scratch.v);
    return 0;
}

/* Arrival A to its head-end. */
static void submit(sim_sink *s, const sim_arrival *a)
{
    const sim_ctx *cx = s->cx;
    /* the busiest second of the backbone (platform.h) */
    uint32_t sec = (uint32_t)a->t;
    if (sec != s->bb_sec) {
        s->bb_sec = sec;
        s->bb_bytes = 0;
    }
    s->bb_bytes += a->m.bytes;
    if (s->bb_bytes > s->bb_peak) s->bb_peak = s->bb_bytes;
    net_msg *m = sim_msg_get(cx->pool);
    if (!m) {
        if (!s->err) s->err = SIM_ENOMEM;
        return;
    }
    *m = a->m;
    net_he_req q = {.id = (uint64_t)(uintptr_t)m,
                    .arrival_s = a->t,
                    .origin_s = m->sent_s,
                    .premises = m->household,
                    .area = m->area,
                    .bytes = m->bytes,
                    .cls = he_class(m)};
    net_he_outcome o = NET_HE_ACCEPTED;
    net_headend *he = m->headend ? s->s1[m->headend - 1] : s->he;
    int rc = net_he_submit(he, &q, &o, NULL);
    if (rc == NET_EHE_NOMEM && !s->err) s->err = SIM_ENOMEM; /* the run stops at the window's end */
    if (rc != 0 || o != NET_HE_ACCEPTED) {
        sink_record(s, a->t, m->household, SIM_EV_HEADEND_REJECTED, (int64_t)o);
        sim_msg_put(cx->pool, m);
    }
}

int sim_sink_window(sim_sink *s, double w_end)
{
    /* this rank's arrivals before W_END; later ones (at W_END itself) wait for the next */
    sim_arrival *mine = s->arr.v;
    int rc = arrivals_order(s, mine, s->arr.n);
    if (sim_par_any(rc != 0)) return SIM_ENOMEM;
    size_t n = 0;
    while (n < s->arr.n && mine[n].t < w_end) n++;
    size_t bytes = 0;
    rc = sim_par_allgather(mine, n * sizeof *mine, &s->all, &s->all_cap, &bytes) ? SIM_ENOMEM : 0;
    sim_vec_drop_front(&s->arr, n);
    if (rc) return rc;
    sim_arrival *all = s->all;
    size_t total = bytes / sizeof *all;
    /* every rank's arrivals, one ordered run per rank */
    if (sim_par_any(arrivals_order(s, all, total) != 0)) return SIM_ENOMEM;
    for (size_t k = 0; k < total; k++) submit(s, &all[k]);
    if (sim_sink_advance(s, w_end) != 0 && !s->err) s->err = SIM_ENOMEM;
    return s->err;
}

int sim_sink_advance(sim_sink *s, double t)
{
    int rc = net_he_advance(s->he, t) == NET_EHE_NOMEM ? -1 : 0;
    for (uint32_t k = 0; k < SIM_SUPPLIERS_MAX; k++)
        if (s->s1[k] && net_he_advance(s->s1[k], t) == NET_EHE_NOMEM) rc = -1;
    return rc;
}

int sim_sink_ckpt(sim_sink *s, sim_ckpt *c)
{
    sim_ckpt_tag(c, "sink");
    if (net_he_ckpt(s->he, c) != 0) return -1;
    for (unsigned k = 0; k < SIM_SUPPLIERS_MAX; k++) {
        sim_ckpt_same(c, s->s1[k] != NULL, "SMETS1 head-ends");
        if (s->s1[k] && net_he_ckpt(s->s1[k], c) != 0) return -1;
    }
    sim_ckpt_vec(c, &s->arr);
    sim_ckpt_vec(c, &s->ev);
    SIM_CKPT(c, s->delivered);
    SIM_CKPT(c, s->alerts_delivered);
    SIM_CKPT(c, s->bb_bytes);
    SIM_CKPT(c, s->bb_peak);
    SIM_CKPT(c, s->bb_sec);
    return sim_ckpt_err(c) ? -1 : 0;
}
