#include "net/headend.h"

#include "sim/heap.h"
#include "sim/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *net_he_strerror(int code)
{
    switch (code) {
    case 0:
        return "ok";
#define NET_HE_STR_(name, c, msg)                                                                  \
    case c:                                                                                        \
        return msg;
        NET_HE_ERRNO_MAP(NET_HE_STR_)
#undef NET_HE_STR_
    default:
        return "unknown error";
    }
}

static const char *const class_keys[NET_HE_NCLASS] = {
#define NET_HE_KEY_(name, key, target, prio, desc) key,
    NET_HE_CLASS_MAP(NET_HE_KEY_)
#undef NET_HE_KEY_
};

const char *net_he_class_key(unsigned cls)
{
    return cls < NET_HE_NCLASS ? class_keys[cls] : "?";
}

int net_he_class_by_key(const char *key)
{
    for (int i = 0; i < NET_HE_NCLASS; i++)
        if (strcmp(class_keys[i], key) == 0) return i;
    return -1;
}

void net_he_config_default(net_he_config *c)
{
    static const double target[NET_HE_NCLASS] = {
#define NET_HE_TGT_(name, key, tgt, prio, desc) tgt,
        NET_HE_CLASS_MAP(NET_HE_TGT_)
#undef NET_HE_TGT_
    };
    static const unsigned prio[NET_HE_NCLASS] = {
#define NET_HE_PRIO_(name, key, tgt, p, desc) p,
        NET_HE_CLASS_MAP(NET_HE_PRIO_)
#undef NET_HE_PRIO_
    };
    memset(c, 0, sizeof *c);
    c->servers = 16;
    c->queue_cap = 20000;
    c->series_step_s = 1.0;
    for (unsigned i = 0; i < NET_HE_NCLASS; i++) {
        net_he_class_cfg *k = &c->cls[i];
        k->dist = NET_HE_DETERMINISTIC;
        k->service_s = 0.1;
        k->service_cv = 1.0;
        k->target_s = target[i];
        k->priority = prio[i];
        k->burst = 1.0;
    }
    c->cls[NET_HE_ALERT_OUTAGE].service_s = 0.05;
    c->cls[NET_HE_ALERT_RESTORE].service_s = 0.05;
    c->cls[NET_HE_ALERT_OTHER].service_s = 0.05;
    c->cls[NET_HE_PROFILE_READ].dist = NET_HE_EXPONENTIAL;
    c->cls[NET_HE_PROFILE_READ].service_s = 0.2;
    c->cls[NET_HE_ONDEMAND_READ].dist = NET_HE_EXPONENTIAL;
    c->cls[NET_HE_ONDEMAND_READ].service_s = 0.2;
}

/* ---- latency histogram ----------------------------------------------------------------- */

void net_lathist_reset(net_lathist *h)
{
    memset(h, 0, sizeof *h);
}

void net_lathist_add(net_lathist *h, double v)
{
    size_t i;
    if (!(v >= NET_LATHIST_LO)) {
        i = 0; /* also NAN and negatives */
    } else if (v >= NET_LATHIST_HI) {
        i = NET_LATHIST_NBINS - 1;
    } else {
        double j = floor(log(v / NET_LATHIST_LO) / log(NET_LATHIST_RATIO));
        i = 1 + (j < 0 ? 0 : (size_t)j);
        if (i > NET_LATHIST_NBINS - 2) i = NET_LATHIST_NBINS - 2;
    }
    h->count[i]++;
    h->n++;
}

double net_lathist_quantile(const net_lathist *h, double q)
{
    if (h->n == 0 || !(q >= 0.0 && q <= 1.0)) return NAN;
    uint64_t rank = (uint64_t)ceil(q * (double)h->n);
    if (rank < 1) rank = 1;
    if (rank > h->n) rank = h->n;
    uint64_t cum = 0;
    size_t i = 0;
    for (; i < NET_LATHIST_NBINS; i++) {
        cum += h->count[i];
        if (cum >= rank) break;
    }
    if (i == 0) return 0.0;
    if (i >= NET_LATHIST_NBINS - 1) return NET_LATHIST_HI;
    return NET_LATHIST_LO * pow(NET_LATHIST_RATIO, (double)(i - 1) + 0.5);
}

/* ---- the model ----------------------------------------------------------------------- */

typedef struct job {
    double arrival, origin, service, start, done; /* [s] */
    uint64_t id;
    uint32_t premises, area;
    uint32_t next; /* pool link, priority mode */
    unsigned cls;
} job;

typedef struct comp {
    double done;
    uint64_t seq; /* acceptance order: ties complete in it */
    job j;
} comp;

/* Completions leave in (done, seq) order: seq makes the order total. */
#define COMP_LESS(a, b) ((a).done < (b).done || ((a).done == (b).done && (a).seq < (b).seq))
SIM_HEAP_DEFINE(comp_heap, comp, COMP_LESS)
#define DOUBLE_LESS(a, b) ((a) < (b))
SIM_HEAP_DEFINE(time_heap, double, DOUBLE_LESS)

typedef struct bucket {
    double rate, burst; /* [1/s], [requests] */
    double tokens, t;   /* level and when it was last topped up */
} bucket;

#define NIL UINT32_MAX

struct net_headend {
    net_he_config cfg;
    uint32_t *excl_areas, *excl_premises;
    net_he_done_fn done_fn;
    void *ctx;
    sim_rng rng;

    double clock; /* everything up to here has been processed [s] */
    uint32_t waiting;
    int32_t busy; /* signed: a zero-length service may complete before its start is seen */
    uint64_t seq;

    /* completions pending, sized for every accepted job: pushes never grow it */
    comp_heap ch;

    /* FIFO: server free times (one per server) and the ring of waiting jobs, starts known */
    time_heap vfree;
    job *ring;
    uint32_t ring_head;

    /* priority: job pool and one FIFO list per level */
    job *pool;
    uint32_t pool_free;
    uint32_t lhead[NET_HE_NPRIO], ltail[NET_HE_NPRIO];

    bucket cb[NET_HE_NCLASS], sb;

    net_he_stats st[NET_HE_NCLASS + 1];
    net_lathist *wait_h; /* NCLASS + 1 */
    net_lathist *resp_h; /* NCLASS + 1 */
    net_lathist win_h;

    /* series: element i of each array is bin s_first + i, for i < s_len (zeroed when it
     * came into the window); s_cap elements are allocated */
    uint64_t late;
    uint64_t s_first;
    uint32_t s_len, s_cap;
#define NET_HE_SERIES_ARR_(name, type, units, desc) type *name;
    NET_HE_SERIES_MAP(NET_HE_SERIES_ARR_)
#undef NET_HE_SERIES_ARR_
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t *sorted_copy(const uint32_t *v, size_t n)
{
    if (n == 0) return NULL;
    uint32_t *c = malloc(n * sizeof *c);
    if (!c) return NULL;
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_u32);
    return c;
}

static bool listed(const uint32_t *v, size_t n, uint32_t x)
{
    return n && bsearch(&x, v, n, sizeof x, cmp_u32) != NULL;
}

static int check_config(const net_he_config *c)
{
    if (c->servers == 0 || !(c->series_step_s > 0) || !isfinite(c->series_step_s))
        return NET_EHE_CONFIG;
    if (c->dno_delay_s < 0 || !isfinite(c->dno_delay_s)) return NET_EHE_CONFIG;
    if ((c->n_excl_areas && !c->excl_areas) || (c->n_excl_premises && !c->excl_premises))
        return NET_EHE_CONFIG;
    if (c->throttle && (c->sys_rate_per_s < 0 || (c->sys_rate_per_s > 0 && c->sys_burst < 1)))
        return NET_EHE_CONFIG;
    for (unsigned i = 0; i < NET_HE_NCLASS; i++) {
        const net_he_class_cfg *k = &c->cls[i];
        if (!(k->service_s >= 0) || !isfinite(k->service_s) || !(k->per_kib_s >= 0))
            return NET_EHE_CONFIG;
        if (k->dist > NET_HE_LOGNORMAL) return NET_EHE_CONFIG;
        if (k->dist == NET_HE_LOGNORMAL && (!(k->service_cv > 0) || !(k->service_s > 0)))
            return NET_EHE_CONFIG;
        if (k->dist == NET_HE_EXPONENTIAL && !(k->service_s > 0)) return NET_EHE_CONFIG;
        if (k->priority >= NET_HE_NPRIO || !(k->target_s >= 0)) return NET_EHE_CONFIG;
        if (c->throttle && (k->rate_per_s < 0 || (k->rate_per_s > 0 && k->burst < 1)))
            return NET_EHE_CONFIG;
    }
    return 0;
}

int net_he_create(const net_he_config *cfg, net_he_done_fn done, void *ctx, net_headend **out)
{
    *out = NULL;
    int rc = check_config(cfg);
    if (rc) return rc;
    net_headend *he = calloc(1, sizeof *he);
    if (!he) return NET_EHE_NOMEM;
    he->cfg = *cfg;
    he->done_fn = done;
    he->ctx = ctx;
    sim_rng_seed(&he->rng, cfg->seed, cfg->entity, "headend.service");
    uint32_t c = cfg->servers, k = cfg->queue_cap, ch_cap;
    bool ok = true;
    he->excl_areas = sorted_copy(cfg->excl_areas, cfg->n_excl_areas);
    he->excl_premises = sorted_copy(cfg->excl_premises, cfg->n_excl_premises);
    he->cfg.excl_areas = he->excl_areas;
    he->cfg.excl_premises = he->excl_premises;
    ok &= !cfg->n_excl_areas || he->excl_areas;
    ok &= !cfg->n_excl_premises || he->excl_premises;
    if (!cfg->priority) {
        /* every accepted job has a pending completion: c in service plus k waiting */
        ch_cap = c + k;
        he->vfree.v = calloc(c, sizeof *he->vfree.v); /* every server free at time 0 */
        he->vfree.n = he->vfree.cap = c;
        he->ring = k ? calloc(k, sizeof *he->ring) : NULL;
        ok &= he->vfree.v && (!k || he->ring);
    } else {
        ch_cap = c;
        he->pool = k ? calloc(k, sizeof *he->pool) : NULL;
        ok &= !k || he->pool;
        for (uint32_t i = 0; he->pool && i < k; i++)
            he->pool[i].next = i + 1 < k ? i + 1 : NIL;
        he->pool_free = k ? 0 : NIL;
        for (unsigned l = 0; l < NET_HE_NPRIO; l++)
            he->lhead[l] = he->ltail[l] = NIL;
    }
    ok &= comp_heap_reserve(&he->ch, ch_cap) == 0;
    he->wait_h = calloc(NET_HE_NCLASS + 1, sizeof *he->wait_h);
    he->resp_h = calloc(NET_HE_NCLASS + 1, sizeof *he->resp_h);
    ok &= he->wait_h && he->resp_h;
    if (!ok) {
        net_he_destroy(he);
        return NET_EHE_NOMEM;
    }
    for (unsigned i = 0; i < NET_HE_NCLASS; i++)
        he->cb[i] = (bucket){cfg->cls[i].rate_per_s, cfg->cls[i].burst, cfg->cls[i].burst, 0};
    he->sb = (bucket){cfg->sys_rate_per_s, cfg->sys_burst, cfg->sys_burst, 0};
    *out = he;
    return 0;
}

void net_he_destroy(net_headend *he)
{
    if (!he) return;
#define NET_HE_SERIES_FREE_(name, type, units, desc) free(he->name);
    NET_HE_SERIES_MAP(NET_HE_SERIES_FREE_)
#undef NET_HE_SERIES_FREE_
    free(he->excl_areas);
    free(he->excl_premises);
    time_heap_free(&he->vfree);
    free(he->ring);
    free(he->pool);
    comp_heap_free(&he->ch);
    free(he->wait_h);
    free(he->resp_h);
    free(he);
}

/* ---- series ---------------------------------------------------------------------------- */

/* Hold every bin up to the one of time X (the last bin when X is past it), zeroed.  Each
 * step of the model first holds the bin of its own time plus dno_delay_s, the latest it
 * can write (see NET_HE_SERIES_MAP), so the writes below never miss their bin. */
static int hold_until(net_headend *he, double x)
{
    uint32_t nb = he->cfg.series_bins;
    double kf = floor(x / he->cfg.series_step_s);
    if (nb == 0 || !(kf >= 0)) return 0;
    uint64_t k = kf < (double)nb ? (uint64_t)kf : nb - 1u;
    if (k < he->s_first || k - he->s_first < he->s_len) return 0;
    uint64_t need = k - he->s_first + 1; /* <= nb */
    if (need > he->s_cap) {
        /* doubling keeps the reallocations rare; the window never exceeds the run */
        uint64_t cap = he->s_cap ? 2 * (uint64_t)he->s_cap : 1024;
        if (cap < need) cap = need;
        if (cap > nb) cap = nb;
        bool ok = true;
        /* an array that did grow keeps its new size; s_cap only counts a complete growth */
#define NET_HE_SERIES_GROW_(name, type, units, desc)                                               \
    {                                                                                              \
        type *p = realloc(he->name, cap * sizeof *p);                                              \
        if (p)                                                                                     \
            he->name = p;                                                                          \
        else                                                                                       \
            ok = false;                                                                            \
    }
        NET_HE_SERIES_MAP(NET_HE_SERIES_GROW_)
#undef NET_HE_SERIES_GROW_
        if (!ok) return NET_EHE_NOMEM;
        he->s_cap = (uint32_t)cap;
    }
#define NET_HE_SERIES_ZERO_(name, type, units, desc)                                               \
    memset(he->name + he->s_len, 0, (need - he->s_len) * sizeof *he->name);
    NET_HE_SERIES_MAP(NET_HE_SERIES_ZERO_)
#undef NET_HE_SERIES_ZERO_
    he->s_len = (uint32_t)need;
    return 0;
}

/* Index in the series arrays of the bin of time X, or -1 when past the last bin (counted
 * as late).  A bin before the window or beyond it cannot occur (hold_until); it is
 * skipped rather than written out of bounds. */
static int64_t bin_of(net_headend *he, double x)
{
    double k = floor(x / he->cfg.series_step_s);
    if (!(k >= 0 && k < (double)he->cfg.series_bins)) {
        he->late++;
        return -1;
    }
    uint64_t i = (uint64_t)k - he->s_first;
    return (uint64_t)k >= he->s_first && i < he->s_len ? (int64_t)i : -1;
}

#define BIN_INC(he, field, x)                                                                      \
    do {                                                                                           \
        int64_t k_ = bin_of(he, x);                                                                \
        if (k_ >= 0) he->field[k_]++;                                                              \
    } while (0)

static void note_queue(net_headend *he)
{
    double k = floor(he->clock / he->cfg.series_step_s);
    if (!(k >= (double)he->s_first && k < (double)(he->s_first + he->s_len))) return;
    size_t i = (size_t)((uint64_t)k - he->s_first);
    if (he->queue_max[i] < he->waiting) he->queue_max[i] = he->waiting;
}

/* Move the clock to X, integrating the number waiting and busy over the bins crossed. */
static void tick(net_headend *he, double x)
{
    if (!(x > he->clock)) return;
    double step = he->cfg.series_step_s, t0 = he->clock;
    double kf = floor(t0 / step);
    if (kf < (double)he->s_first) kf = (double)he->s_first; /* clock >= s_first step */
    uint64_t held_end = he->s_first + he->s_len;           /* covers X: hold_until(X) */
    for (uint64_t k = (uint64_t)kf; k < held_end && t0 < x; k++) {
        double end = (double)(k + 1) * step, t1 = x < end ? x : end;
        size_t i = (size_t)(k - he->s_first);
        if (t1 > t0) {
            he->queue_mean[i] += he->waiting * (t1 - t0) / step;
            he->busy_mean[i] += (he->busy > 0 ? he->busy : 0) * (t1 - t0) / step;
        }
        if (he->queue_max[i] < he->waiting) he->queue_max[i] = he->waiting;
        t0 = t1 > t0 ? t1 : t0;
    }
    he->clock = x;
}

/* ---- events ---------------------------------------------------------------------------- */

static void on_start(net_headend *he, const job *j)
{
    double w = j->start - j->arrival;
    he->busy++;
    for (int s = 0; s < 2; s++) {
        net_he_stats *st = &he->st[s ? NET_HE_NCLASS : j->cls];
        st->started++;
        st->wait_sum_s += w;
        if (w > st->wait_max_s) st->wait_max_s = w;
        net_lathist_add(&he->wait_h[s ? NET_HE_NCLASS : j->cls], w);
    }
    int64_t k = bin_of(he, j->start);
    if (k >= 0) {
        he->started[k]++;
        he->wait_sum[k] += w;
    }
}

static void on_done(net_headend *he, const job *j)
{
    double r = j->done - j->origin;
    bool met = r <= he->cfg.cls[j->cls].target_s;
    he->busy--;
    for (int s = 0; s < 2; s++) {
        net_he_stats *st = &he->st[s ? NET_HE_NCLASS : j->cls];
        st->completed++;
        st->met_target += met;
        st->resp_sum_s += r;
        if (r > st->resp_max_s) st->resp_max_s = r;
        net_lathist_add(&he->resp_h[s ? NET_HE_NCLASS : j->cls], r);
    }
    net_lathist_add(&he->win_h, r);
    BIN_INC(he, completed, j->done);
    net_he_done d = {.id = j->id,
                     .premises = j->premises,
                     .area = j->area,
                     .cls = j->cls,
                     .origin_s = j->origin,
                     .arrival_s = j->arrival,
                     .start_s = j->start,
                     .done_s = j->done,
                     .dno_s = NAN};
    if (j->cls == NET_HE_ALERT_RESTORE) {
        d.dno_s = j->done + he->cfg.dno_delay_s;
        BIN_INC(he, restore_to_dno, d.dno_s);
    }
    if (he->done_fn) he->done_fn(he->ctx, &d);
}

static void start_job(net_headend *he, job *j, double t)
{
    j->start = t;
    j->done = t + j->service;
    comp c = {j->done, he->seq++, *j};
    comp_heap_push(&he->ch, c); /* within the capacity reserved at creation */
    on_start(he, j);
}

/* Priority mode: the first job of the highest non-empty level. */
static job *pool_take(net_headend *he)
{
    for (unsigned l = 0; l < NET_HE_NPRIO; l++) {
        uint32_t i = he->lhead[l];
        if (i == NIL) continue;
        he->lhead[l] = he->pool[i].next;
        if (he->lhead[l] == NIL) he->ltail[l] = NIL;
        he->pool[i].next = he->pool_free;
        he->pool_free = i;
        return &he->pool[i];
    }
    return NULL;
}

/* 0, or NET_EHE_NOMEM with the clock before the event whose bins could not be held. */
static int run_until(net_headend *he, double t)
{
    bool fifo = !he->cfg.priority;
    for (;;) {
        double tc = he->ch.n ? he->ch.v[0].done : INFINITY;
        double ts = fifo && he->waiting ? he->ring[he->ring_head].start : INFINITY;
        double te = ts < tc ? ts : tc; /* INFINITY: nothing pending */
        if (!(te < INFINITY && te <= t)) break;
        /* a completion at te may forward a restore alert to the DNO at te + dno_delay_s */
        if (hold_until(he, te + he->cfg.dno_delay_s)) return NET_EHE_NOMEM;
        if (ts < tc) {
            tick(he, ts);
            job j = he->ring[he->ring_head];
            he->ring_head = he->ring_head + 1 == he->cfg.queue_cap ? 0 : he->ring_head + 1;
            he->waiting--;
            on_start(he, &j);
        } else {
            tick(he, tc);
            comp c = comp_heap_pop(&he->ch);
            on_done(he, &c.j);
            if (!fifo && he->waiting) {
                job *j = pool_take(he);
                he->waiting--;
                /* the freed slot is reused only by a later submit; J stays valid here */
                start_job(he, j, tc);
            }
        }
    }
    return 0;
}

int net_he_advance(net_headend *he, double t)
{
    if (isnan(t)) return NET_EHE_ARG;
    if (t < he->clock) return NET_EHE_ORDER;
    int rc = run_until(he, t);
    if (rc == 0 && isfinite(t)) {
        rc = hold_until(he, t);
        if (rc == 0) tick(he, t);
    }
    return rc;
}

int net_he_finish(net_headend *he)
{
    return run_until(he, INFINITY);
}

/* Refills add rate * dt in floating point, so a bucket refilled in many small steps can sit
 * a rounding error below a whole token; TOKEN_EPS forgives that much. */
#define TOKEN_EPS 1e-9

static bool take_token(bucket *b, double t)
{
    if (!(b->rate > 0)) return true;
    if (t > b->t) {
        b->tokens += b->rate * (t - b->t);
        if (b->tokens > b->burst) b->tokens = b->burst;
        b->t = t;
    }
    if (b->tokens < 1.0 - TOKEN_EPS) return false;
    b->tokens -= 1.0;
    return true;
}

static bool peek_token(bucket *b, double t)
{
    if (!(b->rate > 0)) return true;
    double tok = b->tokens + (t > b->t ? b->rate * (t - b->t) : 0);
    return (tok > b->burst ? b->burst : tok) >= 1.0 - TOKEN_EPS;
}

static double draw_service(net_headend *he, const net_he_class_cfg *k, uint32_t bytes)
{
    gsl_rng g;
    double s;
    switch (k->dist) {
    case NET_HE_EXPONENTIAL:
        s = gsl_ran_exponential(sim_rng_gsl(&he->rng, &g), k->service_s);
        break;
    case NET_HE_LOGNORMAL: {
        /* mean m, cv v: sigma^2 = ln(1 + v^2), mu = ln m - sigma^2 / 2 */
        double s2 = log1p(k->service_cv * k->service_cv);
        s = gsl_ran_lognormal(sim_rng_gsl(&he->rng, &g), log(k->service_s) - 0.5 * s2, sqrt(s2));
        break;
    }
    default:
        s = k->service_s;
    }
    return s + k->per_kib_s * (double)bytes / 1024.0;
}

static void count(net_headend *he, unsigned cls, net_he_outcome o, double a)
{
    for (int s = 0; s < 2; s++) {
        net_he_stats *st = &he->st[s ? NET_HE_NCLASS : cls];
        st->offered++;
        switch (o) {
        case NET_HE_ACCEPTED:
            st->accepted++;
            break;
        case NET_HE_DROPPED:
            st->dropped++;
            break;
        case NET_HE_QUARANTINED:
            st->quarantined++;
            break;
        case NET_HE_EXCLUDED:
            st->excluded++;
            break;
        }
    }
    int64_t k = bin_of(he, a);
    if (k < 0) return;
    he->arrivals[k]++;
    switch (o) {
    case NET_HE_ACCEPTED:
        he->accepted[k]++;
        break;
    case NET_HE_DROPPED:
        he->dropped[k]++;
        break;
    case NET_HE_QUARANTINED:
        he->quarantined[k]++;
        break;
    case NET_HE_EXCLUDED:
        he->excluded[k]++;
        break;
    }
}

int net_he_submit(net_headend *he, const net_he_req *r, net_he_outcome *outcome, double *done_s)
{
    if (done_s) *done_s = NAN;
    if (r->cls >= NET_HE_NCLASS) return NET_EHE_CLASS;
    double a = r->arrival_s;
    if (!isfinite(a) || isnan(r->origin_s)) return NET_EHE_ARG;
    if (a < he->clock) return NET_EHE_ORDER;
    /* every write of this offer lands in the bin of A: hold it before anything changes */
    int rc = run_until(he, a);
    if (rc == 0) rc = hold_until(he, a);
    if (rc) return rc;
    tick(he, a);

    const net_he_config *cfg = &he->cfg;
    net_he_outcome o = NET_HE_ACCEPTED;
    bool alert = r->cls == NET_HE_ALERT_OUTAGE || r->cls == NET_HE_ALERT_RESTORE;
    if (cfg->exclusion && alert &&
        (listed(he->excl_areas, cfg->n_excl_areas, r->area) ||
         listed(he->excl_premises, cfg->n_excl_premises, r->premises))) {
        o = NET_HE_EXCLUDED;
    } else if (cfg->throttle) {
        /* both thresholds must pass; a token is spent only when both do */
        if (peek_token(&he->cb[r->cls], a) && peek_token(&he->sb, a)) {
            take_token(&he->cb[r->cls], a);
            take_token(&he->sb, a);
        } else {
            o = NET_HE_QUARANTINED;
        }
    }
    job j = {.arrival = a,
             .origin = r->origin_s,
             .id = r->id,
             .premises = r->premises,
             .area = r->area,
             .next = NIL,
             .cls = r->cls};
    if (o == NET_HE_ACCEPTED) {
        if (!cfg->priority) {
            /* Lindley over c servers: the job takes the server that frees first */
            double f = he->vfree.v[0], start = f > a ? f : a;
            if (start > a && he->waiting >= cfg->queue_cap) {
                o = NET_HE_DROPPED;
            } else {
                j.service = draw_service(he, &cfg->cls[r->cls], r->bytes);
                j.start = start;
                j.done = start + j.service;
                time_heap_replace_top(&he->vfree, j.done);
                comp c = {j.done, he->seq++, j};
                comp_heap_push(&he->ch, c); /* within the capacity reserved at creation */
                if (done_s) *done_s = j.done;
                if (start <= a) {
                    on_start(he, &j);
                } else {
                    uint32_t tail = he->ring_head + he->waiting;
                    if (tail >= cfg->queue_cap) tail -= cfg->queue_cap;
                    he->ring[tail] = j;
                    he->waiting++;
                    note_queue(he);
                }
            }
        } else if (he->busy < (int32_t)cfg->servers) {
            j.service = draw_service(he, &cfg->cls[r->cls], r->bytes);
            start_job(he, &j, a);
        } else if (he->waiting >= cfg->queue_cap) {
            o = NET_HE_DROPPED;
        } else {
            j.service = draw_service(he, &cfg->cls[r->cls], r->bytes);
            uint32_t i = he->pool_free;
            he->pool_free = he->pool[i].next;
            he->pool[i] = j;
            unsigned l = cfg->cls[r->cls].priority;
            if (he->ltail[l] == NIL)
                he->lhead[l] = i;
            else
                he->pool[he->ltail[l]].next = i;
            he->ltail[l] = i;
            he->waiting++;
            note_queue(he);
        }
    }
    count(he, r->cls, o, a);
    *outcome = o;
    return 0;
}

double net_he_clock(const net_headend *he)
{
    return he->clock;
}

uint32_t net_he_waiting(const net_headend *he)
{
    return he->waiting;
}

uint32_t net_he_busy(const net_headend *he)
{
    return he->busy > 0 ? (uint32_t)he->busy : 0;
}

void net_he_stats_get(const net_headend *he, unsigned cls, net_he_stats *out)
{
    *out = he->st[cls < NET_HE_NCLASS ? cls : NET_HE_NCLASS];
}

double net_he_wait_quantile(const net_headend *he, unsigned cls, double q)
{
    return net_lathist_quantile(&he->wait_h[cls < NET_HE_NCLASS ? cls : NET_HE_NCLASS], q);
}

double net_he_resp_quantile(const net_headend *he, unsigned cls, double q)
{
    return net_lathist_quantile(&he->resp_h[cls < NET_HE_NCLASS ? cls : NET_HE_NCLASS], q);
}

void net_he_window_quantiles(net_headend *he, const double *q, size_t nq, double *out)
{
    for (size_t i = 0; i < nq; i++)
        out[i] = net_lathist_quantile(&he->win_h, q[i]);
    net_lathist_reset(&he->win_h);
}

void net_he_series_view(const net_headend *he, net_he_series *out)
{
    out->step_s = he->cfg.series_step_s;
    out->first = he->s_first;
    out->bins = he->s_len;
    out->allocated = he->s_cap;
    out->late = he->late;
#define NET_HE_SERIES_VIEW_(name, type, units, desc) out->name = he->name;
    NET_HE_SERIES_MAP(NET_HE_SERIES_VIEW_)
#undef NET_HE_SERIES_VIEW_
}

int net_he_series_release(net_headend *he, uint64_t k_end)
{
    if ((double)k_end * he->cfg.series_step_s > he->clock) return NET_EHE_ARG;
    if (k_end <= he->s_first) return 0;
    uint64_t drop = k_end - he->s_first;
    if (drop > he->s_len) drop = he->s_len;
    size_t keep = he->s_len - (size_t)drop;
#define NET_HE_SERIES_SLIDE_(name, type, units, desc)                                              \
    if (keep) memmove(he->name, he->name + drop, keep * sizeof *he->name);
    NET_HE_SERIES_MAP(NET_HE_SERIES_SLIDE_)
#undef NET_HE_SERIES_SLIDE_
    he->s_len = (uint32_t)keep;
    he->s_first = k_end;
    return 0;
}

/* ---- checkpoint ------------------------------------------------------------------------ */

/* A histogram as its non-empty bins: a head-end holds 2 (NCLASS + 1) + 1 of them, 440 KiB
 * as bytes, while the latencies of a run fill a few hundred bins of each. */
static void lathist_ckpt(net_lathist *h, sim_ckpt *c)
{
    bool load = sim_ckpt_loading(c);
    uint32_t used = 0;
    for (size_t i = 0; !load && i < NET_LATHIST_NBINS; i++)
        used += h->count[i] != 0;
    SIM_CKPT(c, h->n);
    SIM_CKPT(c, used);
    if (load) {
        memset(h->count, 0, sizeof h->count);
        if (used > NET_LATHIST_NBINS)
            sim_ckpt_fail(c, "head-end latency histogram: %u bins of %u", used, NET_LATHIST_NBINS);
    }
    uint32_t i = 0;
    for (uint32_t m = 0; m < used && !sim_ckpt_err(c); m++, i++) {
        while (!load && !h->count[i])
            i++;
        SIM_CKPT(c, i);
        if (i >= NET_LATHIST_NBINS) {
            sim_ckpt_fail(c, "head-end latency histogram: bin %u of %u", i, NET_LATHIST_NBINS);
            break;
        }
        SIM_CKPT(c, h->count[i]);
    }
}

/* Priority mode's waiting jobs, level by level in queue order.  Which pool slot holds a job
 * is not observable (completions leave in (done, seq) order), so a load packs them into the
 * first slots and chains the rest as free: the checkpoint does not depend on slot history. */
static void pool_ckpt(net_headend *he, sim_ckpt *c)
{
    bool load = sim_ckpt_loading(c);
    uint32_t k = he->cfg.queue_cap, used = 0;
    for (unsigned l = 0; l < NET_HE_NPRIO && !sim_ckpt_err(c); l++) {
        uint32_t n = 0, i = load ? NIL : he->lhead[l];
        for (uint32_t x = i; x != NIL; x = he->pool[x].next)
            n++;
        SIM_CKPT(c, n);
        if (load) {
            if (!sim_ckpt_err(c) && n > k - used)
                sim_ckpt_fail(c, "head-end: more than its waiting room of %u queued", k);
            if (sim_ckpt_err(c)) break;
            he->lhead[l] = n ? used : NIL;
            he->ltail[l] = n ? used + n - 1 : NIL;
        }
        for (uint32_t m = 0; m < n && !sim_ckpt_err(c); m++) {
            job j = {.next = NIL};
            if (!load) {
                j = he->pool[i];
                i = j.next;
                j.next = NIL;
            }
            SIM_CKPT(c, j);
            if (load) {
                j.next = m + 1 < n ? used + m + 1 : NIL;
                he->pool[used + m] = j;
            }
        }
        used += n;
    }
    if (!load || sim_ckpt_err(c)) return;
    if (used != he->waiting) {
        sim_ckpt_fail(c, "head-end: %u jobs queued, %u waiting", used, he->waiting);
        return;
    }
    for (uint32_t i = used; i < k; i++)
        he->pool[i].next = i + 1 < k ? i + 1 : NIL;
    he->pool_free = used < k ? used : NIL;
}

/* Give the series arrays room for CAP bins, LEN of them about to be loaded.  The capacity is
 * the saving run's, not LEN: the arrays then grow at the same moments as they would have
 * there, and net_he_series_view reports the same allocation. */
static void series_room(net_headend *he, sim_ckpt *c, uint32_t len, uint32_t cap)
{
    if (len > cap || cap > he->cfg.series_bins) {
        sim_ckpt_fail(c, "head-end series: %u bins held of %u allocated, for %u bins", len, cap,
                      he->cfg.series_bins);
        return;
    }
    bool ok = true;
    /* a failed realloc leaves its array as it was: still freed by net_he_destroy */
#define NET_HE_SERIES_ROOM_(name, type, units, desc)                                               \
    if (!cap) {                                                                                    \
        free(he->name);                                                                            \
        he->name = NULL;                                                                           \
    } else {                                                                                       \
        type *p = realloc(he->name, (size_t)cap * sizeof *p);                                      \
        if (p)                                                                                     \
            he->name = p;                                                                          \
        else                                                                                       \
            ok = false;                                                                            \
    }
    NET_HE_SERIES_MAP(NET_HE_SERIES_ROOM_)
#undef NET_HE_SERIES_ROOM_
    if (!ok) {
        /* arrays of mixed sizes: claim none, so that any later growth reallocates them all */
        he->s_len = he->s_cap = 0;
        sim_ckpt_fail(c, "head-end series: out of memory for %u bins", cap);
        return;
    }
    he->s_len = len;
    he->s_cap = cap;
}

int net_he_ckpt(net_headend *he, sim_ckpt *c)
{
    const net_he_config *cfg = &he->cfg;
    bool load = sim_ckpt_loading(c);
    uint32_t k = cfg->queue_cap;
    sim_ckpt_tag(c, "net_he");
    /* what creation sized from the configuration; the rest of it the set-up guarantees */
    sim_ckpt_same(c, NET_HE_NCLASS, "head-end request classes");
    sim_ckpt_same(c, cfg->servers, "head-end servers");
    sim_ckpt_same(c, k, "head-end waiting room");
    sim_ckpt_same(c, cfg->priority, "head-end priority mode");
    sim_ckpt_same(c, cfg->series_bins, "head-end series bins");
    sim_ckpt_same(c, cfg->n_excl_areas, "head-end excluded areas");
    sim_ckpt_same(c, cfg->n_excl_premises, "head-end excluded premises");
    SIM_CKPT(c, he->rng);
    SIM_CKPT(c, he->clock);
    SIM_CKPT(c, he->busy);
    SIM_CKPT(c, he->seq);

    sim_ckpt_tag(c, "net_he.queue");
    uint32_t waiting = he->waiting, head = he->ring_head, pending = he->ch.n;
    SIM_CKPT(c, waiting);
    SIM_CKPT(c, head);
    SIM_CKPT(c, pending);
    if (load && !sim_ckpt_err(c)) {
        /* the completion heap keeps the room creation reserved for every job that can be
         * accepted: pushes never grow it, so they cannot fail */
        if (waiting > k || (head && head >= k) || pending > he->ch.cap)
            sim_ckpt_fail(c,
                          "head-end: %u waiting from slot %u and %u completions pending, for a "
                          "waiting room of %u and room for %u completions",
                          waiting, head, pending, k, he->ch.cap);
        else {
            he->waiting = waiting;
            he->ring_head = head;
            he->ch.n = pending;
        }
    }
    /* heaps travel as their arrays, not re-heapified: ties would leave in another order */
    sim_ckpt_bytes(c, he->ch.v, (size_t)he->ch.n * sizeof *he->ch.v);
    sim_ckpt_same(c, he->vfree.n, "head-end server free times");
    sim_ckpt_bytes(c, he->vfree.v, (size_t)he->vfree.n * sizeof *he->vfree.v);
    if (!cfg->priority) {
        for (uint32_t m = 0; m < he->waiting && !sim_ckpt_err(c); m++) {
            uint32_t i = he->ring_head + m;
            SIM_CKPT(c, he->ring[i >= k ? i - k : i]);
        }
    } else {
        pool_ckpt(he, c);
    }

    sim_ckpt_tag(c, "net_he.stats");
    /* rate and depth are the configuration's */
    for (unsigned i = 0; i <= NET_HE_NCLASS; i++) {
        bucket *b = i < NET_HE_NCLASS ? &he->cb[i] : &he->sb;
        SIM_CKPT(c, b->tokens);
        SIM_CKPT(c, b->t);
    }
    sim_ckpt_bytes(c, he->st, sizeof he->st);
    for (unsigned i = 0; i <= NET_HE_NCLASS; i++) {
        lathist_ckpt(&he->wait_h[i], c);
        lathist_ckpt(&he->resp_h[i], c);
    }
    lathist_ckpt(&he->win_h, c);

    sim_ckpt_tag(c, "net_he.series");
    SIM_CKPT(c, he->late);
    SIM_CKPT(c, he->s_first);
    /* only the bins held: those released are gone, those beyond s_len are zeroed when held */
    uint32_t len = he->s_len, cap = he->s_cap;
    SIM_CKPT(c, len);
    SIM_CKPT(c, cap);
    if (load && !sim_ckpt_err(c)) series_room(he, c, len, cap);
#define NET_HE_SERIES_CKPT_(name, type, units, desc)                                               \
    sim_ckpt_bytes(c, he->name, (size_t)he->s_len * sizeof *he->name);
    NET_HE_SERIES_MAP(NET_HE_SERIES_CKPT_)
#undef NET_HE_SERIES_CKPT_
    sim_ckpt_tag(c, "net_he.end");
    return sim_ckpt_err(c) ? -1 : 0;
}

/* ---- DNO view ---------------------------------------------------------------------------- */

int net_dno_view_compute(const double *restore_s, const double *known_s, size_t n, double within_s,
                         net_dno_view *out)
{
    if ((n && (!restore_s || !known_s)) || !out || isnan(within_s)) return NET_EHE_ARG;
    net_lathist *h = calloc(1, sizeof *h);
    if (!h) return NET_EHE_NOMEM;
    *out = (net_dno_view){.last_restore_s = NAN, .last_known_s = NAN, .within_s = within_s};
    size_t within = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(restore_s[i])) continue;
        out->restored++;
        if (!(out->last_restore_s >= restore_s[i])) out->last_restore_s = restore_s[i];
        if (isnan(known_s[i])) continue;
        out->known++;
        if (!(out->last_known_s >= known_s[i])) out->last_known_s = known_s[i];
        double lag = known_s[i] - restore_s[i];
        within += lag <= within_s;
        net_lathist_add(h, lag);
    }
    out->all_known_after_s = out->restored && out->known == out->restored
                                 ? out->last_known_s - out->last_restore_s
                                 : INFINITY;
    out->frac_within = out->restored ? (double)within / (double)out->restored : NAN;
    out->lag_p50_s = net_lathist_quantile(h, 0.5);
    out->lag_p99_s = net_lathist_quantile(h, 0.99);
    free(h);
    return 0;
}
