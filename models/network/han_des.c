/* Detailed mode: IEEE 802.15.4 unslotted CSMA/CA simulated frame by frame in one collision
 * domain (IEEE 802.15.4-2006 7.5.1.4, figure 68, non-beacon branch).
 *
 * Per node: a FIFO of messages; for the head message NB = 0, BE = macMinBE, a backoff of
 * uniform {0 .. 2^BE - 1} unit periods, a CCA of cca_s; busy -> NB++, BE = min(BE+1,
 * macMaxBE), give up after NB > macMaxCSMABackoffs (channel access failure); idle -> RX-to-TX
 * turnaround, then the frame.  The receiver answers an intact frame with an ACK a
 * turnaround after its end, without CCA; the sender waits macAckWaitDuration and on
 * timeout retransmits with a fresh CSMA (NB = 0, BE = macMinBE) up to macMaxFrameRetries
 * times.  After a success the node waits SIFS/LIFS before its next message.
 *
 * Channel: a CCA is busy if any transmission (data or ACK) is on air at any time during
 * it; two transmissions that overlap at all are both lost (no capture); WiFi is either an
 * independent busy/frame-error draw per CCA/frame (BUSY_P) or an on/off burst process with
 * exponential on and off times (DUTY), checked against the same intervals.
 *
 * Simplifications, shared with the analytic model: every node hears every other (no hidden
 * terminals); a node sending an ACK does not pause its own CSMA; a frame arriving while its
 * receiver is in RX-to-TX turnaround is still received.
 *
 * Memory: everything is allocated in net_han_des_create; running allocates nothing, except
 * growing the WiFi burst buffer if a configuration needs more than was sized.
 */
#include "net/han.h"

#include "sim/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    EV_ARRIVAL,
    EV_BACKOFF_END,
    EV_CCA_END,
    EV_TX_START,
    EV_TX_END,
    EV_ACK_START,
    EV_ACK_TIMEOUT,
    EV_IFS_END
};
enum { ST_IDLE, ST_BACKOFF, ST_CCA, ST_TURNAROUND, ST_TX, ST_WAIT_ACK, ST_IFS };
enum { OUT_DELIVERED, OUT_ACCESS_FAIL, OUT_RETRY_FAIL };

#define QCAP 32u

typedef struct ev {
    double t;
    uint64_t seq;
    uint32_t who, aux, gen;
    uint8_t type;
} ev;

typedef struct pkt {
    uint32_t flow;
    double arr;
} pkt;

typedef struct node {
    uint32_t qhead, qlen;
    uint32_t gen;
    double hol;
    uint8_t state, nb, be, retries, cca_busy;
} node;

typedef struct txo {
    double start, end;
    uint32_t src, dst, gen;
    uint8_t is_ack, collided;
} txo;

struct net_han_des {
    net_han_config cfg;
    net_han_band band;
    uint32_t n_nodes;
    size_t n_flows;
    net_han_des_flow *flows;
    net_han_des_stats *st;
    node *nodes;
    pkt *queue; /* n_nodes * QCAP */
    txo *tx;
    uint32_t *tx_free, n_free, n_tx;
    uint32_t *active, n_active;
    ev *heap;
    size_t heap_n, heap_cap;
    uint64_t seq;
    double now, warmup;
    sim_rng rng;
    gsl_rng g;
    /* channel-wide counters after warm-up */
    uint64_t cca, cca_busy, ntx, ntx_col, cca_first, cca_first_busy;
    /* WiFi bursts [on, off) kept in a ring, oldest first */
    double *burst;
    size_t b_cap, b_head, b_n;
    double wifi_t;  /* bursts generated up to here */
    double horizon; /* longest interval ever queried [s] */
    double t_ack, t_off;
};

/* ---- event heap ------------------------------------------------------------------------------ */

static bool ev_less(const ev *a, const ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int push(net_han_des *s, double t, uint8_t type, uint32_t who, uint32_t aux, uint32_t gen)
{
    if (s->heap_n == s->heap_cap) return NET_EHAN_CAPACITY;
    size_t i = s->heap_n++;
    ev e = {.t = t, .seq = s->seq++, .who = who, .aux = aux, .gen = gen, .type = type};
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&e, &s->heap[p])) break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = e;
    return 0;
}

static ev pop(net_han_des *s)
{
    ev top = s->heap[0], last = s->heap[--s->heap_n];
    size_t i = 0, n = s->heap_n;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const ev *cur = &last;
        if (l < n && ev_less(&s->heap[l], cur)) m = l, cur = &s->heap[l];
        if (r < n && ev_less(&s->heap[r], cur)) m = r;
        if (m == i) break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (n) s->heap[i] = last;
    return top;
}

/* ---- WiFi ------------------------------------------------------------------------------------ */

static int wifi_extend(net_han_des *s, double until)
{
    const net_han_wifi *w = &s->cfg.wifi;
    while (s->wifi_t < until) {
        double off = gsl_ran_exponential(&s->g, s->t_off);
        double on = gsl_ran_exponential(&s->g, w->burst_s);
        if (s->b_n == s->b_cap) {
            size_t cap = s->b_cap * 2;
            double *nb = malloc(cap * 2 * sizeof *nb);
            if (!nb) return NET_EHAN_NOMEM;
            for (size_t i = 0; i < s->b_n; i++) {
                size_t j = (s->b_head + i) % s->b_cap;
                nb[2 * i] = s->burst[2 * j];
                nb[2 * i + 1] = s->burst[2 * j + 1];
            }
            free(s->burst);
            s->burst = nb;
            s->b_cap = cap;
            s->b_head = 0;
        }
        size_t j = (s->b_head + s->b_n++) % s->b_cap;
        s->burst[2 * j] = s->wifi_t + off;
        s->burst[2 * j + 1] = s->wifi_t + off + on;
        s->wifi_t += off + on;
    }
    /* forget bursts that ended before anything still to be queried */
    while (s->b_n && s->burst[2 * s->b_head + 1] < s->now - s->horizon) {
        s->b_head = (s->b_head + 1) % s->b_cap;
        s->b_n--;
    }
    return 0;
}

/* Does WiFi disturb [a, b]? For CCAs (is_cca) and frames. */
static bool wifi_hits(net_han_des *s, double a, double b, bool is_cca)
{
    if (s->band != NET_HAN_2G4) return false;
    const net_han_wifi *w = &s->cfg.wifi;
    if (w->mode == NET_HAN_WIFI_BUSY_P)
        return sim_rng_uniform(&s->rng) < (is_cca ? w->busy_p : w->fer);
    if (w->mode != NET_HAN_WIFI_DUTY || w->duty <= 0) return false;
    if (b - a > s->horizon) s->horizon = b - a;
    if (wifi_extend(s, b)) return true;
    for (size_t i = 0; i < s->b_n; i++) {
        size_t j = (s->b_head + i) % s->b_cap;
        if (s->burst[2 * j] > b) break;
        if (s->burst[2 * j + 1] > a) return true;
    }
    return false;
}

/* ---- channel ----------------------------------------------------------------------------------
 */

static uint32_t tx_begin(net_han_des *s, uint32_t src, uint32_t dst, double dur, bool ack,
                         uint32_t gen)
{
    uint32_t k = s->tx_free[--s->n_free];
    s->tx[k] = (txo){.start = s->now,
                     .end = s->now + dur,
                     .src = src,
                     .dst = dst,
                     .gen = gen,
                     .is_ack = ack,
                     .collided = s->n_active > 0};
    for (uint32_t i = 0; i < s->n_active; i++)
        s->tx[s->active[i]].collided = 1;
    s->active[s->n_active++] = k;
    for (uint32_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].state == ST_CCA) s->nodes[i].cca_busy = 1;
    if (!ack && s->now >= s->warmup) s->ntx++;
    return k;
}

static void tx_end(net_han_des *s, uint32_t k)
{
    for (uint32_t i = 0; i < s->n_active; i++)
        if (s->active[i] == k) {
            s->active[i] = s->active[--s->n_active];
            break;
        }
    s->tx_free[s->n_free++] = k;
}

/* ---- MAC ------------------------------------------------------------------------------------- */

static pkt *head(net_han_des *s, uint32_t n)
{
    return &s->queue[n * QCAP + s->nodes[n].qhead];
}

static int enqueue(net_han_des *s, uint32_t flow, double arr);

static int backoff(net_han_des *s, uint32_t n)
{
    node *nd = &s->nodes[n];
    uint64_t k = sim_rng_below(&s->rng, 1ull << nd->be);
    nd->state = ST_BACKOFF;
    return push(s, s->now + (double)k * s->cfg.phy[s->band].unit_backoff_s, EV_BACKOFF_END, n, 0,
                nd->gen);
}

static int start_service(net_han_des *s, uint32_t n)
{
    node *nd = &s->nodes[n];
    if (nd->qlen == 0) {
        nd->state = ST_IDLE;
        return 0;
    }
    nd->hol = s->now;
    nd->nb = 0;
    nd->be = s->cfg.mac.min_be;
    nd->retries = 0;
    return backoff(s, n);
}

static int finish(net_han_des *s, uint32_t n, int outcome)
{
    node *nd = &s->nodes[n];
    pkt p = *head(s, n);
    nd->qhead = (nd->qhead + 1) % QCAP;
    nd->qlen--;
    nd->gen++;
    net_han_des_flow *f = &s->flows[p.flow];
    if (p.arr >= s->warmup) {
        net_han_des_stats *st = &s->st[p.flow];
        st->attempts += nd->retries + 1u;
        if (outcome == OUT_DELIVERED) {
            st->delivered++;
            st->latency_sum_s += s->now - p.arr;
            st->service_sum_s += s->now - nd->hol;
        } else if (outcome == OUT_ACCESS_FAIL) {
            st->access_fail++;
        } else {
            st->retry_fail++;
        }
    }
    int rc = 0;
    if (f->arrivals == 2) rc = enqueue(s, p.flow, s->now);
    if (rc) return rc;
    if (outcome == OUT_DELIVERED) {
        const net_han_phy *ph = &s->cfg.phy[s->band];
        nd->state = ST_IFS;
        return push(s, s->now + (f->psdu_bytes > 18 ? ph->lifs_s : ph->sifs_s), EV_IFS_END, n, 0,
                    nd->gen);
    }
    return start_service(s, n);
}

static int enqueue(net_han_des *s, uint32_t flow, double arr)
{
    uint32_t n = s->flows[flow].src;
    node *nd = &s->nodes[n];
    if (arr >= s->warmup) s->st[flow].generated++;
    if (nd->qlen == QCAP) {
        if (arr >= s->warmup) s->st[flow].queue_drop++;
        return 0;
    }
    s->queue[n * QCAP + (nd->qhead + nd->qlen) % QCAP] = (pkt){.flow = flow, .arr = arr};
    nd->qlen++;
    /* an idle node starts at once; in the middle of finish() the caller restarts it */
    return nd->state == ST_IDLE ? start_service(s, n) : 0;
}

static int next_arrival(net_han_des *s, uint32_t flow, bool first)
{
    const net_han_des_flow *f = &s->flows[flow];
    if (f->arrivals == 2 || !(f->rate_hz > 0)) return 0;
    double dt;
    if (f->arrivals == 1)
        dt = first ? sim_rng_uniform(&s->rng) / f->rate_hz : 1.0 / f->rate_hz;
    else
        dt = gsl_ran_exponential(&s->g, 1.0 / f->rate_hz);
    return push(s, s->now + dt, EV_ARRIVAL, flow, 0, 0);
}

static int handle(net_han_des *s, const ev *e)
{
    const net_han_phy *ph = &s->cfg.phy[s->band];
    int rc = 0;
    switch (e->type) {
    case EV_ARRIVAL:
        rc = enqueue(s, e->who, s->now);
        if (!rc) rc = next_arrival(s, e->who, false);
        return rc;
    case EV_BACKOFF_END: {
        node *nd = &s->nodes[e->who];
        nd->state = ST_CCA;
        nd->cca_busy = s->n_active > 0;
        return push(s, s->now + ph->cca_s, EV_CCA_END, e->who, 0, nd->gen);
    }
    case EV_CCA_END: {
        node *nd = &s->nodes[e->who];
        bool busy = nd->cca_busy || wifi_hits(s, s->now - ph->cca_s, s->now, true);
        if (s->now >= s->warmup) {
            s->cca++;
            s->cca_busy += busy;
            if (nd->nb == 0) {
                s->cca_first++;
                s->cca_first_busy += busy;
            }
        }
        if (!busy) {
            nd->state = ST_TURNAROUND;
            return push(s, s->now + ph->turnaround_s, EV_TX_START, e->who, 0, nd->gen);
        }
        nd->nb++;
        if (nd->be < s->cfg.mac.max_be) nd->be++;
        if (nd->nb > s->cfg.mac.max_backoffs) return finish(s, e->who, OUT_ACCESS_FAIL);
        return backoff(s, e->who);
    }
    case EV_TX_START: {
        node *nd = &s->nodes[e->who];
        const net_han_des_flow *f = &s->flows[head(s, e->who)->flow];
        nd->state = ST_TX;
        uint32_t k = tx_begin(s, e->who, f->dst, net_han_frame_s(&s->cfg, s->band, f->psdu_bytes),
                              false, nd->gen);
        return push(s, s->tx[k].end, EV_TX_END, k, 0, 0);
    }
    case EV_TX_END: {
        txo t = s->tx[e->who];
        tx_end(s, e->who);
        bool lost = t.collided || wifi_hits(s, t.start, t.end, false) ||
                    (s->cfg.per > 0 && sim_rng_uniform(&s->rng) < s->cfg.per);
        if (t.is_ack) {
            node *snd = &s->nodes[t.dst];
            if (!lost && snd->state == ST_WAIT_ACK && snd->gen == t.gen)
                return finish(s, t.dst, OUT_DELIVERED);
            return 0;
        }
        if (!t.is_ack && t.collided && s->now >= s->warmup) s->ntx_col++;
        node *nd = &s->nodes[t.src];
        nd->state = ST_WAIT_ACK;
        rc = push(s, s->now + ph->ack_wait_s, EV_ACK_TIMEOUT, t.src, 0, nd->gen);
        if (!rc && !lost)
            rc = push(s, s->now + ph->turnaround_s, EV_ACK_START, t.dst, t.src, t.gen);
        return rc;
    }
    case EV_ACK_START: {
        uint32_t k = tx_begin(s, e->who, e->aux, s->t_ack, true, e->gen);
        return push(s, s->tx[k].end, EV_TX_END, k, 0, 0);
    }
    case EV_ACK_TIMEOUT: {
        node *nd = &s->nodes[e->who];
        if (nd->state != ST_WAIT_ACK || nd->gen != e->gen) return 0;
        if (nd->retries >= s->cfg.mac.max_retries) return finish(s, e->who, OUT_RETRY_FAIL);
        nd->retries++;
        nd->nb = 0;
        nd->be = s->cfg.mac.min_be;
        return backoff(s, e->who);
    }
    case EV_IFS_END:
        return start_service(s, e->who);
    }
    return 0;
}

/* ---- public -----------------------------------------------------------------------------------
 */

void net_han_des_destroy(net_han_des *s)
{
    if (!s) return;
    free(s->flows);
    free(s->st);
    free(s->nodes);
    free(s->queue);
    free(s->tx);
    free(s->tx_free);
    free(s->active);
    free(s->heap);
    free(s->burst);
    free(s);
}

int net_han_des_create(net_han_des **out, const net_han_config *c, net_han_band band,
                       uint32_t n_nodes, const net_han_des_flow *flows, size_t n_flows,
                       uint64_t seed, uint64_t group_id, double warmup_s)
{
    if (!out || !c || band >= NET_HAN_NBAND || n_nodes == 0 || (n_flows && !flows))
        return NET_EHAN_ARG;
    *out = NULL;
    int rc = net_han_config_check(c);
    if (rc) return rc;
    for (size_t i = 0; i < n_flows; i++)
        if (flows[i].src >= n_nodes || flows[i].dst >= n_nodes || flows[i].src == flows[i].dst ||
            flows[i].arrivals > 2 || flows[i].psdu_bytes == 0 ||
            (flows[i].arrivals < 2 && !(flows[i].rate_hz >= 0)))
            return NET_EHAN_ARG;
    net_han_des *s = calloc(1, sizeof *s);
    if (!s) return NET_EHAN_NOMEM;
    s->cfg = *c;
    s->band = band;
    s->n_nodes = n_nodes;
    s->n_flows = n_flows;
    s->warmup = warmup_s;
    s->n_tx = 2 * n_nodes + 4;
    s->heap_cap = n_flows + 4 * (size_t)n_nodes + 2 * (size_t)s->n_tx + 16;
    s->b_cap = 256;
    s->flows = malloc((n_flows ? n_flows : 1) * sizeof *s->flows);
    s->st = calloc(n_flows ? n_flows : 1, sizeof *s->st);
    s->nodes = calloc(n_nodes, sizeof *s->nodes);
    s->queue = malloc((size_t)n_nodes * QCAP * sizeof *s->queue);
    s->tx = malloc(s->n_tx * sizeof *s->tx);
    s->tx_free = malloc(s->n_tx * sizeof *s->tx_free);
    s->active = malloc(s->n_tx * sizeof *s->active);
    s->heap = malloc(s->heap_cap * sizeof *s->heap);
    s->burst = malloc(s->b_cap * 2 * sizeof *s->burst);
    if (!s->flows || !s->st || !s->nodes || !s->queue || !s->tx || !s->tx_free || !s->active ||
        !s->heap || !s->burst) {
        net_han_des_destroy(s);
        return NET_EHAN_NOMEM;
    }
    if (n_flows) memcpy(s->flows, flows, n_flows * sizeof *flows);
    unsigned longest = c->phy[band].ack_psdu_bytes;
    for (size_t i = 0; i < n_flows; i++)
        if (flows[i].psdu_bytes > longest) longest = flows[i].psdu_bytes;
    s->horizon = net_han_frame_s(c, band, longest) + c->phy[band].turnaround_s + c->phy[band].cca_s;
    for (uint32_t i = 0; i < s->n_tx; i++)
        s->tx_free[i] = s->n_tx - 1 - i;
    s->n_free = s->n_tx;
    sim_rng_seed(&s->rng, seed, group_id, "han.des");
    sim_rng_gsl(&s->rng, &s->g);
    s->t_ack = net_han_frame_s(c, band, c->phy[band].ack_psdu_bytes);
    const net_han_wifi *w = &c->wifi;
    if (w->mode == NET_HAN_WIFI_DUTY && w->duty > 0) {
        s->t_off = w->burst_s * (1 - w->duty) / w->duty;
        /* start in steady state: inside a burst with probability duty */
        if (sim_rng_uniform(&s->rng) < w->duty) {
            s->burst[0] = -1.0;
            s->burst[1] = gsl_ran_exponential(&s->g, w->burst_s);
            s->b_n = 1;
            s->wifi_t = s->burst[1];
        }
    }
    for (size_t i = 0; i < n_flows && !rc; i++) {
        if (flows[i].arrivals == 2)
            rc = enqueue(s, (uint32_t)i, 0.0);
        else
            rc = next_arrival(s, (uint32_t)i, true);
    }
    if (rc) {
        net_han_des_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

int net_han_des_run(net_han_des *s, double t_s)
{
    if (!s) return NET_EHAN_ARG;
    if (t_s < s->now) return NET_EHAN_TIME;
    while (s->heap_n && s->heap[0].t <= t_s) {
        ev e = pop(s);
        s->now = e.t;
        int rc = handle(s, &e);
        if (rc) return rc;
    }
    s->now = t_s;
    return 0;
}

int net_han_des_stats_get(const net_han_des *s, size_t flow, net_han_des_stats *out)
{
    if (!s || !out || flow >= s->n_flows) return NET_EHAN_ARG;
    *out = s->st[flow];
    out->cca = s->cca;
    out->cca_busy = s->cca_busy;
    out->tx = s->ntx;
    out->tx_collided = s->ntx_col;
    out->cca_first = s->cca_first;
    out->cca_first_busy = s->cca_first_busy;
    return 0;
}

int net_han_detail_run(const net_han_config *c, net_han *hs, size_t n, double span_s, uint64_t seed,
                       uint64_t group_id)
{
    if (!c || (!hs && n) || !(span_s > 0)) return NET_EHAN_ARG;
    if (n == 0) return 0;
    const uint32_t per = 1 + NET_HAN_NDEV;
    if (n > UINT32_MAX / per) return NET_EHAN_ARG;
    size_t cap = n * c->n_flows;
    net_han_des_flow *fl = malloc((cap ? cap : 1) * sizeof *fl);
    uint32_t *owner = malloc((cap ? cap : 1) * sizeof *owner);
    double *acc = calloc(n * 5, sizeof *acc); /* generated, delivered, finished, lat, retries */
    double *af = calloc(n, sizeof *af);
    int rc = (!fl || !owner || !acc || !af) ? NET_EHAN_NOMEM : 0;
    const double warmup = 5.0;
    for (int b = 0; b < NET_HAN_NBAND && !rc; b++) {
        size_t nf = 0;
        for (size_t i = 0; i < n; i++) {
            size_t k = net_han_des_flows(c, &hs[i], (net_han_band)b, (uint32_t)(i * per), fl + nf,
                                         cap - nf);
            for (size_t j = 0; j < k; j++)
                owner[nf + j] = (uint32_t)i;
            nf += k;
        }
        if (nf == 0) continue;
        net_han_des *s;
        rc = net_han_des_create(&s, c, (net_han_band)b, (uint32_t)(n * per), fl, nf, seed,
                                group_id * NET_HAN_NBAND + (uint64_t)b, warmup);
        if (!rc) rc = net_han_des_run(s, warmup + span_s);
        for (size_t j = 0; j < nf && !rc; j++) {
            net_han_des_stats st = {0};
            net_han_des_stats_get(s, j, &st);
            double *a = &acc[owner[j] * 5];
            uint64_t fin = st.delivered + st.access_fail + st.retry_fail;
            a[0] += (double)(fin + st.queue_drop);
            a[1] += (double)st.delivered;
            a[2] += (double)fin;
            a[3] += st.latency_sum_s;
            a[4] += (double)(st.attempts - fin);
            af[owner[j]] += (double)st.access_fail;
        }
        net_han_des_destroy(s);
    }
    for (size_t i = 0; i < n && !rc; i++) {
        double *a = &acc[i * 5];
        hs[i].p_deliver = a[0] > 0 ? (float)(a[1] / a[0]) : 0.0f;
        hs[i].latency_s = a[1] > 0 ? (float)(a[3] / a[1]) : 0.0f;
        hs[i].retries = a[2] > 0 ? (float)(a[4] / a[2]) : 0.0f;
        hs[i].p_access_fail = a[0] > 0 ? (float)(af[i] / a[0]) : 0.0f;
    }
    free(fl);
    free(owner);
    free(acc);
    free(af);
    return rc;
}

int net_han_des_star(const net_han_config *c, net_han_band band, int n, double lambda,
                     unsigned psdu, uint8_t arrivals, double span_s, uint64_t group,
                     net_han_des_stats *out)
{
    net_han_des_flow fl[64];
    if (n < 1 || n > 64 || !out) return NET_EHAN_ARG;
    for (int i = 0; i < n; i++)
        fl[i] = (net_han_des_flow){.src = (uint32_t)i + 1,
                                   .dst = 0,
                                   .rate_hz = lambda,
                                   .psdu_bytes = (uint16_t)psdu,
                                   .arrivals = arrivals};
    net_han_des *s;
    int rc = net_han_des_create(&s, c, band, (uint32_t)n + 1, fl, (size_t)n, 11, group, 5.0);
    if (rc) return rc;
    rc = net_han_des_run(s, 5.0 + span_s);
    *out = (net_han_des_stats){0};
    for (int i = 0; i < n && !rc; i++) {
        net_han_des_stats st;
        rc = net_han_des_stats_get(s, (size_t)i, &st);
        out->generated += st.generated;
        out->delivered += st.delivered;
        out->access_fail += st.access_fail;
        out->retry_fail += st.retry_fail;
        out->queue_drop += st.queue_drop;
        out->attempts += st.attempts;
        out->latency_sum_s += st.latency_sum_s;
        out->service_sum_s += st.service_sum_s;
        out->cca = st.cca, out->cca_busy = st.cca_busy;
        out->cca_first = st.cca_first, out->cca_first_busy = st.cca_first_busy;
        out->tx = st.tx, out->tx_collided = st.tx_collided;
    }
    net_han_des_destroy(s);
    return rc;
}
