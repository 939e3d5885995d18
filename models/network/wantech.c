#include "net/wantech.h"

#include "sim/regions.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

const char *net_wt_strerror(int code)
{
    switch (code) {
#define NET_WT_STR_(name, num, msg)                                                                \
    case num:                                                                                      \
        return msg;
        NET_WT_ERRNO_MAP(NET_WT_STR_)
#undef NET_WT_STR_
    case 0:
        return "ok";
    default:
        return "unknown WAN technology status";
    }
}

const char *net_wt_tech_name(net_wt_tech t)
{
    static const char *const names[] = {
#define NET_WT_TECH_NAME_(name, key, desc) key,
        NET_WT_TECH_MAP(NET_WT_TECH_NAME_)
#undef NET_WT_TECH_NAME_
    };
    return (unsigned)t < NET_WT_NTECH ? names[t] : "?";
}

const char *net_wt_dcc_name(net_wt_dcc d)
{
    static const char *const names[] = {"north", "central", "south"};
    return (unsigned)d < NET_WT_NDCC ? names[d] : "?";
}

/* ---- configuration ---------------------------------------------------------------------- */

void net_wt_config_default(net_wt_config *c)
{
    memset(c, 0, sizeof *c);
    /* The DCC region of each DNO licence area (sim/regions.h says whence). */
    _Static_assert(NET_WT_REGIONS == SIM_REGIONS, "licence areas");
    _Static_assert((int)NET_WT_NORTH == (int)SIM_DCC_NORTH && (int)NET_WT_CENTRAL == (int)SIM_DCC_CENTRAL &&
                       (int)NET_WT_SOUTH == (int)SIM_DCC_SOUTH,
                   "DCC regions");
    for (unsigned r = 0; r < NET_WT_REGIONS; r++)
        c->dcc_region[r] = (uint8_t)sim_region_dcc(r);

    /* Long-range radio, 400 MHz narrowband.  Capacity per base station *unconfirmed*: a
     * 12.5 kHz channel carries about 9.6 kbit/s with 4-FSK, two uplink channels per base
     * station.  Premises per site: 10M homes (Arqiva 2015) over "more than 700" masts (DCC
     * 2019), rounded.  Access latency, jitter, loss: *unconfirmed* (scheduled narrowband
     * uplink, seconds).  Battery 4 h and restart 5 min: *unconfirmed*. */
    c->link[NET_WT_LRR] = (net_wt_link){.uplink_bps = 19200,
                                        .backhaul_s = 0.05,
                                        .access_s = 1.0,
                                        .jitter_s = 2.0,
                                        .loss = 0.01,
                                        .premises_per_site = 14000,
                                        .backup_s = 4 * 3600.0,
                                        .restart_s = 300};
    /* Cellular (DCC's Telefonica 2G/3G).  Uplink share of a cell: 4 packet data channels of
     * GPRS CS-2 at 13.4 kbit/s (3GPP TS 45.003 coding-scheme rate; the channel count is
     * *unconfirmed*).  GPRS/EDGE round trips of several hundred ms (Riccato et al.,
     * "Network-wide measurements of TCP RTT in 3G", 2009): 0.25 s one way plus jitter.
     * Loss and premises per cell *unconfirmed*.  Battery 1 h: Ofcom's 2023 call for input on
     * mobile power resilience found backup at mast sites varies widely, often short or
     * absent, and asked about a 1 h minimum; restart 2 min *unconfirmed*. */
    c->link[NET_WT_CELL] = (net_wt_link){.uplink_bps = 53600,
                                         .backhaul_s = 0.05,
                                         .access_s = 0.25,
                                         .jitter_s = 0.2,
                                         .loss = 0.005,
                                         .premises_per_site = 1000,
                                         .backup_s = 3600,
                                         .restart_s = 120};
    /* SMETS1 over 2G/3G with the supplier's SIM: same radio figures as cellular, a higher
     * residual loss (*unconfirmed*). */
    c->link[NET_WT_S1] = c->link[NET_WT_CELL];
    c->link[NET_WT_S1].loss = 0.02;

    /* End 2022: 15.1M SMETS1 and 14.8M SMETS2 (DESNZ smart meter statistics). */
    c->s1_share = 15.1 / (15.1 + 14.8);
    /* About 17 % of England's population lives in rural areas (Defra, Statistical Digest of
     * Rural England, 2011 Census basis); used per LV substation. */
    c->rural_share = 0.17;
    /* Coverage holes and their size in hops: *unconfirmed* (the DCC aimed at 99.25 % network
     * reach with mesh included, DCC 2019; no published split). */
    c->hole_share[0] = 0.03;
    c->hole_share[1] = 0.15;
    c->hole_radius_hops[0] = 1.5;
    c->hole_radius_hops[1] = 3.0;
    c->max_hops = 8; /* *unconfirmed* design limit of AMI meshes */
    c->parents = 2;
    /* IEEE 802.15.4 macMaxFrameRetries default 3 (IEEE 802.15.4-2006). */
    c->mesh_retries = 3;
    /* IEEE 802.15.4g SUN FSK operating mode 1, 50 kbit/s (Wi-SUN FAN profile, 863-870 MHz in
     * Europe).  Per-transmission overhead (CSMA backoffs, turnaround, ACK, relay processing),
     * frame loss and retry wait: *unconfirmed*. */
    c->mesh_bps = 50000;
    c->mesh_hop_s = 0.03;
    c->mesh_frame_loss = 0.1;
    c->mesh_retry_s = 0.1;
    /* SMETS1 wake-up by SMS (seed 003): share, delivery and attach time *unconfirmed*. */
    c->sms_share = 0.3;
    c->sms_median_s = 5.0;
    c->sms_sigma = 0.7;
    c->sms_attach_s = 5.0;
    c->site_supply_share = 0.5;      /* *unconfirmed*: a site is fed from its area's LV network */
    c->site_recharge_s = 8 * 3600.0; /* *unconfirmed* */
}

static bool share_ok(double x)
{
    return x >= 0 && x <= 1;
}
static bool nonneg(double x)
{
    return x >= 0 && isfinite(x);
}

int net_wt_config_check(const net_wt_config *c)
{
    if (!c) return NET_EWT_ARG;
    for (unsigned r = 0; r < NET_WT_REGIONS; r++)
        if (c->dcc_region[r] >= NET_WT_NDCC) return NET_EWT_CONFIG;
    for (unsigned k = 0; k < NET_WT_NLINK; k++) {
        const net_wt_link *l = &c->link[k];
        if (!(l->uplink_bps > 0) || !isfinite(l->uplink_bps) || !nonneg(l->backhaul_s) ||
            !nonneg(l->access_s) || !nonneg(l->jitter_s) || !share_ok(l->loss) ||
            l->premises_per_site == 0 || !nonneg(l->backup_s) || !nonneg(l->restart_s))
            return NET_EWT_CONFIG;
    }
    if (!share_ok(c->s1_share) || !share_ok(c->rural_share) || !share_ok(c->hole_share[0]) ||
        !share_ok(c->hole_share[1]) || !share_ok(c->mesh_frame_loss) || !share_ok(c->sms_share))
        return NET_EWT_CONFIG;
    if (!(c->hole_radius_hops[0] > 0) || !(c->hole_radius_hops[1] > 0) ||
        !isfinite(c->hole_radius_hops[0]) || !isfinite(c->hole_radius_hops[1]))
        return NET_EWT_CONFIG;
    if (c->max_hops < 1 || c->max_hops > NET_WT_MAX_HOPS || c->parents < 1 ||
        c->parents > NET_WT_CAND || c->mesh_retries > 15)
        return NET_EWT_CONFIG;
    if (!(c->mesh_bps > 0) || !isfinite(c->mesh_bps) || !nonneg(c->mesh_hop_s) ||
        !nonneg(c->mesh_retry_s) || !(c->sms_median_s > 0) || !nonneg(c->sms_sigma) ||
        !nonneg(c->sms_attach_s) || !isfinite(c->sms_median_s))
        return NET_EWT_CONFIG;
    if (!(c->site_supply_share > 0) || c->site_supply_share > 1 || !(c->site_recharge_s > 0) ||
        !isfinite(c->site_recharge_s))
        return NET_EWT_CONFIG;
    return 0;
}

/* ---- mesh geometry ----------------------------------------------------------------------- */

/* P(h <= k) of the disc model: 1 - (1 - k/K)^2 for k < K, 1 beyond. */
static double level_cdf(double radius_hops, unsigned k)
{
    double x = (double)k / radius_hops;
    return x >= 1 ? 1.0 : 1.0 - (1.0 - x) * (1.0 - x);
}

double net_wt_mesh_level_pmf(double radius_hops, unsigned max_hops, unsigned k)
{
    if (k < 1 || k > max_hops || !(radius_hops > 0)) return 0;
    double hi = k == max_hops ? 1.0 : level_cdf(radius_hops, k);
    return hi - level_cdf(radius_hops, k - 1);
}

static uint8_t draw_level(const net_wt_config *c, bool rural, double u)
{
    /* Uniform position in a disc of radius K hops: distance to the edge K (1 - sqrt(U)). */
    double x = c->hole_radius_hops[rural] * (1.0 - sqrt(u));
    double h = ceil(x);
    if (h < 1) h = 1;
    if (h > c->max_hops) h = c->max_hops;
    return (uint8_t)h;
}

double net_wt_mesh_hop_loss(const net_wt_config *c)
{
    return pow(c->mesh_frame_loss, (double)c->mesh_retries + 1.0);
}

/* Per-pair key: how good the link from premises A to B is, as a random rank. */
static uint64_t pair_key(uint64_t seed, uint64_t a, uint64_t b)
{
    const uint64_t salt = 0x6D65736852656C61ULL; /* any constant: separates these keys */
    return sim_hash64(sim_hash64(seed ^ salt ^ sim_hash64(a)) ^ b);
}

/* Keep the SLOTS best (smallest key) of the candidates offered, sorted. */
typedef struct best_set {
    uint64_t key[NET_WT_CAND];
    uint16_t idx[NET_WT_CAND];
    unsigned n, slots;
} best_set;

static void best_offer(best_set *b, uint64_t key, uint16_t idx)
{
    unsigned pos = b->n;
    while (pos > 0 && b->key[pos - 1] > key)
        pos--;
    if (pos >= b->slots) return;
    unsigned last = b->n < b->slots ? b->n : b->slots - 1;
    for (unsigned j = last; j > pos; j--) {
        b->key[j] = b->key[j - 1];
        b->idx[j] = b->idx[j - 1];
    }
    b->key[pos] = key;
    b->idx[pos] = idx;
    if (b->n < b->slots) b->n++;
}

static bool in_dcc_mesh(const net_wt_hh *h)
{
    return h->tech == NET_WT_CELL || h->tech == NET_WT_MESH;
}

int net_wt_lv_build(const net_wt_config *c, uint32_t lv, unsigned region, uint64_t first,
                    uint32_t n, net_wt_hh *out)
{
    return net_wt_lv_build_fleet(c, lv, region, first, n, NULL, out);
}

int net_wt_lv_build_fleet(const net_wt_config *c, uint32_t lv, unsigned region, uint64_t first,
                          uint32_t n, const uint8_t *not_dcc, net_wt_hh *out)
{
    if (!c || (!out && n) || region >= NET_WT_REGIONS) return NET_EWT_ARG;
    if (n >= NET_WT_NONE) return NET_EWT_TOOBIG;
    sim_rng r;
    sim_rng_seed(&r, c->seed, lv, "wan.rural");
    bool rural = sim_rng_uniform(&r) < c->rural_share;
    uint8_t dcc = c->dcc_region[region];
    uint32_t at_nominal[NET_WT_MAX_HOPS + 1] = {0};

    for (uint32_t i = 0; i < n; i++) {
        net_wt_hh *h = &out[i];
        memset(h, 0, sizeof *h);
        for (unsigned j = 0; j < NET_WT_CAND; j++)
            h->cand[j] = NET_WT_NONE;
        h->via = 0xFF;
        h->dcc = dcc;
        h->flags = rural ? NET_WT_F_RURAL : 0;
        /* Three draws always, in this order, so changing one share does not reshuffle the
         * other decisions. */
        sim_rng_seed(&r, c->seed, first + i, "wan.tech");
        double u_s1 = sim_rng_uniform(&r), u_hole = sim_rng_uniform(&r);
        double u_lvl = sim_rng_uniform(&r);
        if (not_dcc ? not_dcc[i] != 0 : u_s1 < c->s1_share)
            h->tech = NET_WT_S1;
        else if (dcc == NET_WT_NORTH)
            h->tech = NET_WT_LRR;
        else if (u_hole < c->hole_share[rural]) {
            h->tech = NET_WT_MESH;
            h->level = draw_level(c, rural, u_lvl); /* nominal for now */
        } else
            h->tech = NET_WT_CELL;
        if (in_dcc_mesh(h)) at_nominal[h->level]++;
    }

    /* No hub of the substation has a signal: the first of the lowest nominal level gets an
     * external aerial (seed 003). */
    if (at_nominal[0] == 0) {
        unsigned lowest = 0;
        for (unsigned k = 1; k <= NET_WT_MAX_HOPS && !lowest; k++)
            if (at_nominal[k]) lowest = k;
        for (uint32_t i = 0; lowest && i < n; i++)
            if (out[i].tech == NET_WT_MESH && out[i].level == lowest) {
                out[i].tech = NET_WT_CELL;
                out[i].level = 0;
                out[i].flags |= NET_WT_F_AERIAL;
                at_nominal[lowest]--;
                at_nominal[0] = 1;
                break;
            }
    }

    /* Realised level: rank of the nominal level among the occupied ones. */
    uint8_t rank[NET_WT_MAX_HOPS + 1];
    unsigned next = 0;
    for (unsigned k = 0; k <= NET_WT_MAX_HOPS; k++) {
        rank[k] = (uint8_t)next;
        if (at_nominal[k]) next++;
    }
    for (uint32_t i = 0; i < n; i++)
        if (out[i].tech == NET_WT_MESH) out[i].level = rank[out[i].level];

    /* Candidates: up to `parents` one level down, then siblings up to NET_WT_CAND. */
    for (uint32_t i = 0; i < n; i++) {
        net_wt_hh *h = &out[i];
        if (h->tech != NET_WT_MESH) continue;
        best_set down = {.n = 0, .slots = c->parents};
        best_set side = {.n = 0, .slots = NET_WT_CAND};
        for (uint32_t q = 0; q < n; q++) {
            const net_wt_hh *o = &out[q];
            if (q == i || !in_dcc_mesh(o)) continue;
            if (o->level + 1 == h->level)
                best_offer(&down, pair_key(c->seed, first + i, first + q), (uint16_t)q);
            else if (o->level == h->level)
                best_offer(&side, pair_key(c->seed, first + i, first + q), (uint16_t)q);
        }
        unsigned k = 0;
        for (unsigned j = 0; j < down.n; j++)
            h->cand[k++] = down.idx[j];
        for (unsigned j = 0; j < side.n && k < NET_WT_CAND; j++)
            h->cand[k++] = side.idx[j];
        h->n_cand = (uint8_t)k;
    }
    return net_wt_mesh_repair(c, out, n, NULL);
}

/* Shortest route over candidate links through powered relays, at most max_hops. */
static unsigned best_via(const net_wt_config *c, const net_wt_hh *hh, const uint8_t *off,
                         const net_wt_hh *h, unsigned *slot)
{
    unsigned best = NET_WT_UNREACH;
    *slot = 0xFF;
    for (unsigned j = 0; j < h->n_cand; j++) {
        unsigned q = h->cand[j], p = hh[q].hops;
        if ((off && off[q]) || p == NET_WT_UNREACH || p + 1 >= best || p + 1 > c->max_hops)
            continue;
        best = p + 1;
        *slot = j;
    }
    return best;
}

int net_wt_mesh_repair(const net_wt_config *c, net_wt_hh *hh, uint32_t n, const uint8_t *off)
{
    if (!c || (!hh && n)) return NET_EWT_ARG;
    bool any_mesh = false;
    for (uint32_t i = 0; i < n; i++) {
        net_wt_hh *h = &hh[i];
        h->via = 0xFF;
        h->hops = h->tech == NET_WT_MESH || (off && off[i]) ? NET_WT_UNREACH : 0;
        any_mesh |= h->tech == NET_WT_MESH;
    }
    /* Bellman-Ford with a hop limit over powered premises: after pass k every shortest
     * route of at most k hops is known, so max_hops passes (fewer when nothing changes)
     * give exact hop counts.  Premises without supply stay UNREACH here: they relay
     * nothing. */
    for (unsigned pass = 0; any_mesh && pass < c->max_hops; pass++) {
        bool changed = false;
        for (uint32_t i = 0; i < n; i++) {
            net_wt_hh *h = &hh[i];
            if (h->tech != NET_WT_MESH || (off && off[i])) continue;
            unsigned slot, best = best_via(c, hh, off, h, &slot);
            if (best < h->hops) {
                h->hops = (uint8_t)best;
                changed = true;
            }
        }
        if (!changed) break;
    }
    /* A hub without supply still sends its last-gasp outage alert (AD1, SEC modification
     * MP102) through powered relays; a cellular hub over its own link. */
    for (uint32_t i = 0; off && i < n; i++)
        if (off[i] && hh[i].tech != NET_WT_MESH) hh[i].hops = 0;
    for (uint32_t i = 0; i < n; i++) {
        net_wt_hh *h = &hh[i];
        if (h->tech != NET_WT_MESH) continue;
        unsigned slot, best = best_via(c, hh, off, h, &slot);
        if (off && off[i]) h->hops = (uint8_t)best;
        if (h->hops != NET_WT_UNREACH) h->via = (uint8_t)slot;
    }
    return 0;
}

/* ---- per message ------------------------------------------------------------------------ */

void net_wt_rng_seed(sim_rng *r, uint64_t seed, uint64_t premises)
{
    sim_rng_seed(r, seed, premises, "wan.link");
}

static const net_wt_link *link_of(const net_wt_config *c, unsigned tech)
{
    return &c->link[tech == NET_WT_MESH ? NET_WT_CELL : tech];
}

int net_wt_message(const net_wt_config *c, const net_wt_hh *h, sim_rng *r, net_wt_kind kind,
                   uint32_t bytes, bool site_up, net_wt_send *out)
{
    if (!c || !h || !r || !out || h->tech >= NET_WT_NTECH) return NET_EWT_ARG;
    memset(out, 0, sizeof *out);
    if (!site_up) {
        out->cause = NET_WT_SITE_DOWN;
        return 0;
    }
    const net_wt_link *l = link_of(c, h->tech);
    gsl_rng g;
    sim_rng_gsl(r, &g);
    double d = 0;
    unsigned attempts = 0;
    if (h->tech == NET_WT_S1 && kind == NET_WT_POLLED && gsl_rng_uniform(&g) < c->sms_share) {
        out->sms = 1;
        d += c->sms_attach_s + gsl_ran_lognormal(&g, log(c->sms_median_s), c->sms_sigma);
    }
    if (h->tech == NET_WT_MESH) {
        if (h->hops == NET_WT_UNREACH) {
            out->cause = NET_WT_NO_ROUTE;
            return 0;
        }
        double tx_s = c->mesh_hop_s + (double)bytes * 8.0 / c->mesh_bps;
        for (unsigned k = 0; k < h->hops; k++) {
            bool ok = false;
            for (unsigned a = 0; a <= c->mesh_retries && !ok; a++) {
                if (a) d += c->mesh_retry_s;
                d += tx_s;
                attempts++;
                ok = gsl_rng_uniform(&g) >= c->mesh_frame_loss;
            }
            if (!ok) {
                out->cause = NET_WT_LOST_MESH;
                out->hops = (uint8_t)k;
                out->attempts = (uint8_t)(attempts > 255 ? 255 : attempts);
                out->delay_s = d;
                return 0;
            }
        }
        out->hops = h->hops;
    }
    attempts++;
    d += l->access_s + (l->jitter_s > 0 ? l->jitter_s * gsl_rng_uniform(&g) : 0);
    if (gsl_rng_uniform(&g) < l->loss) out->cause = NET_WT_LOST_ACCESS;
    out->attempts = (uint8_t)(attempts > 255 ? 255 : attempts);
    out->delay_s = d;
    return 0;
}

/* ---- per area --------------------------------------------------------------------------- */

net_wt_tech net_wt_area_tech(const net_wt_config *c, unsigned region)
{
    return region < NET_WT_REGIONS && c->dcc_region[region] == NET_WT_NORTH ? NET_WT_LRR
                                                                            : NET_WT_CELL;
}

int net_wt_area_link(const net_wt_config *c, unsigned region, double *bps, double *latency_s)
{
    if (!c || region >= NET_WT_REGIONS || !bps || !latency_s) return NET_EWT_ARG;
    const net_wt_link *l = link_of(c, net_wt_area_tech(c, region));
    *bps = l->uplink_bps;
    *latency_s = l->backhaul_s;
    return 0;
}

uint32_t net_wt_area_households(const net_wt_config *c, unsigned region)
{
    return link_of(c, net_wt_area_tech(c, region))->premises_per_site;
}

/* ---- site backup power ------------------------------------------------------------------ */

/* The site's state at T under the regime that began at s->t_ch. */
typedef struct site_now {
    double reserve_s;
    double dark_since;
    double closed_s; /* dark time of spells that ended in (t_ch, t] */
    uint32_t opened; /* spells that began in (t_ch, t] */
    bool dark;
} site_now;

static site_now site_eval(const net_wt_config *c, const net_wt_site *s, double t)
{
    const net_wt_link *l = link_of(c, s->tech);
    site_now z = {.dark = s->dark, .dark_since = s->dark_since};
    double dt = t - s->t_ch;
    if (!s->mains) {
        /* A dark site draws nothing: it restarts only on mains. */
        z.reserve_s = s->dark ? s->reserve_s : s->reserve_s > dt ? s->reserve_s - dt : 0;
        /* Dark once the outage exceeds the reserve; a restart without mains stays dark. */
        if (!s->dark && dt > s->reserve_s) {
            z.dark = true;
            z.dark_since = s->t_ch + s->reserve_s;
            z.opened = 1;
        }
    } else {
        double rate = l->backup_s / c->site_recharge_s;
        z.reserve_s = s->reserve_s + dt * rate;
        if (z.reserve_s > l->backup_s) z.reserve_s = l->backup_s;
        if (s->dark && dt >= l->restart_s) {
            z.dark = false;
            z.closed_s = s->t_ch + l->restart_s - s->dark_since;
        }
    }
    return z;
}

int net_wt_site_init(const net_wt_config *c, net_wt_site *s, net_wt_tech tech, double t0_s)
{
    if (!c || !s || (unsigned)tech >= NET_WT_NTECH) return NET_EWT_ARG;
    memset(s, 0, sizeof *s);
    s->tech = (uint8_t)(tech == NET_WT_MESH ? NET_WT_CELL : tech);
    s->t_ch = t0_s;
    s->reserve_s = link_of(c, s->tech)->backup_s;
    s->mains = 1;
    return 0;
}

int net_wt_site_mains(const net_wt_config *c, net_wt_site *s, double t_s, bool on)
{
    if (!c || !s) return NET_EWT_ARG;
    if (t_s < s->t_ch) return NET_EWT_TIME;
    if ((bool)s->mains == on) return 0;
    site_now z = site_eval(c, s, t_s);
    s->downtime_s += z.closed_s;
    s->spells += z.opened;
    s->reserve_s = z.reserve_s;
    s->dark = z.dark;
    s->dark_since = z.dark_since;
    s->t_ch = t_s;
    s->mains = on;
    return 0;
}

bool net_wt_site_up(const net_wt_config *c, const net_wt_site *s, double t_s)
{
    return !site_eval(c, s, t_s).dark;
}

double net_wt_site_next(const net_wt_config *c, const net_wt_site *s)
{
    if (!s->mains && !s->dark) return s->t_ch + s->reserve_s;
    if (s->mains && s->dark) return s->t_ch + link_of(c, s->tech)->restart_s;
    return INFINITY;
}

void net_wt_site_downtime(const net_wt_config *c, const net_wt_site *s, double t_s, double *down_s,
                          uint32_t *spells)
{
    site_now z = site_eval(c, s, t_s);
    double d = s->downtime_s + z.closed_s;
    if (z.dark && t_s > z.dark_since) d += t_s - z.dark_since;
    if (down_s) *down_s = d;
    if (spells) *spells = s->spells + z.opened;
}

int net_wt_site_outage(const net_wt_config *c, net_wt_tech tech, double lost_s, double restored_s,
                       double *down_s, double *up_s)
{
    if (!c || !down_s || !up_s || restored_s < lost_s) return NET_EWT_ARG;
    net_wt_site s;
    int rc = net_wt_site_init(c, &s, tech, lost_s);
    if (rc) return rc;
    net_wt_site_mains(c, &s, lost_s, false);
    net_wt_site_mains(c, &s, restored_s, true);
    if (!s.dark) return 0;
    *down_s = s.dark_since;
    *up_s = net_wt_site_next(c, &s);
    return 1;
}

bool net_wt_site_mains_on(const net_wt_config *c, uint32_t n_off, uint32_t n)
{
    if (n == 0) return true;
    return (double)n_off < c->site_supply_share * (double)n;
}
