#include "net/han.h"

#include "sim/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *net_han_strerror(int code)
{
    switch (code) {
#define NET_HAN_STR_(name, num, msg)                                                               \
    case num:                                                                                      \
        return msg;
        NET_HAN_ERRNO_MAP(NET_HAN_STR_)
#undef NET_HAN_STR_
    case 0:
        return "ok";
    default:
        return "unknown HAN status";
    }
}

/* ---- defaults -------------------------------------------------------------------------------
 * Sources:
 *  [154]  IEEE 802.15.4-2006: 2450 MHz O-QPSK PHY 250 kbit/s, 16 us symbols; aUnitBackoffPeriod
 *         20 symbols, CCA 8 symbols, aTurnaroundTime 12 symbols, macAckWaitDuration 54
 *         symbols, SIFS 12 / LIFS 40 symbols, SHR+PHR 6 octets, ACK MPDU 5 octets, receiver
 *         sensitivity requirement -85 dBm; MAC defaults macMinBE 3, macMaxBE 5,
 *         macMaxCSMABackoffs 4, macMaxFrameRetries 3.
 *  [2420] TI CC2420 datasheet (SWRS041): RX 18.8 mA, TX 17.4 mA at 0 dBm, sensitivity -95 dBm
 *         typical; current SoCs (e.g. Silicon Labs EFR32MG) quote about -100 dBm.
 *  [GB868] GB sub-GHz HAN ("GB868" PHY in Silicon Labs RAIL, 802.15.4e features for GB868):
 *         taken here as 802.15.4 SUN 2-FSK at 100 kbit/s with an 8-octet SHR+PHR and a
 *         32-bit FCS, 1 ms turnaround.  Rate, timings and radio figures are *unconfirmed*.
 *  [1238] ITU-R P.1238: residential distance power-loss coefficient 28 at 1.8-2.4 GHz;
 *         shadow fading about 8 dB residential.
 *  [DC]   Silicon Labs EmberZNet duty-cycle limits example: Limited 1.00 %, Critical 1.80 %,
 *         Suspended 2.50 % over aDUTYCYCLEMeasurementPeriod of 1 h (ember-types.h,
 *         duty-cycle.h); GBCS calls the last state "Regulated".  GB values *unconfirmed*.
 *  [CAL]  Calibrated so that about 70 % of premises work on 2.4 GHz alone and 96.5 % with
 *         a dual-band hub (seed 003) for the default 80 % house / 20 % flat mix;
 *         tests/network/test_han_reach.c holds the check.
 *  Everything else (device placement, wall counts, gas meter currents, traffic sizes) is a
 *  tunable default, *unconfirmed*.
 */
void net_han_config_default(net_han_config *c)
{
    memset(c, 0, sizeof *c);
    const double sym24 = 16e-6;
    c->phy[NET_HAN_2G4] = (net_han_phy){
        .bit_rate = 250e3,            /* [154] */
        .unit_backoff_s = 20 * sym24, /* 320 us [154] */
        .cca_s = 8 * sym24,           /* 128 us [154] */
        .turnaround_s = 12 * sym24,   /* 192 us [154] */
        .ack_wait_s = 54 * sym24,     /* 864 us [154] */
        .sifs_s = 12 * sym24,
        .lifs_s = 40 * sym24,
        .overhead_bytes = 6,
        .ack_psdu_bytes = 5,
        .freq_hz = 2.44e9,
        .tx_dbm = 3.0,           /* [CAL] within 0..+10 dBm of typical HAN radios */
        .sens_dbm = -100.0,      /* [2420] */
        .fade_margin_db = 10.0,  /* unconfirmed design margin */
        .pl_exponent = 2.8,      /* [1238] */
        .wall_light_db = 3.0,    /* unconfirmed */
        .wall_heavy_db = 10.0,   /* unconfirmed (brick/block 6-15 dB at 2.4 GHz) */
        .floor_db = {8.0, 15.0}, /* timber / concrete, unconfirmed */
        .shadow_sigma_db = 8.0,  /* [1238] */
        .tx_ma = 17.4,           /* [2420] */
        .rx_ma = 18.8,           /* [2420] */
    };
    const double bit868 = 1.0 / 100e3;
    c->phy[NET_HAN_868] = (net_han_phy){
        .bit_rate = 100e3,                    /* [GB868] */
        .unit_backoff_s = 1e-3 + 16 * bit868, /* aTurnaroundTime + CCA, SUN rule [GB868] */
        .cca_s = 16 * bit868,                 /* 160 us, unconfirmed */
        .turnaround_s = 1e-3,                 /* [GB868] */
        .ack_wait_s = 1e-3 + 16 * bit868 + 1e-3 + 14 * 8 * bit868, /* unconfirmed */
        .sifs_s = 1e-3,
        .lifs_s = 2e-3,
        .overhead_bytes = 8, /* 4 preamble + 2 SFD + 2 PHR [GB868] */
        .ack_psdu_bytes = 7, /* ACK with 32-bit FCS */
        .freq_hz = 868e6,
        .tx_dbm = 8.0,      /* [CAL]; EN 300 220 allows up to +14 dBm ERP */
        .sens_dbm = -105.0, /* unconfirmed, typical 100 kbit/s 2-FSK */
        .fade_margin_db = 10.0,
        .pl_exponent = 2.8, /* unconfirmed: [1238] gives none for homes < 1.8 GHz */
        .wall_light_db = 1.5,
        .wall_heavy_db = 6.0,
        .floor_db = {5.0, 9.0},
        .shadow_sigma_db = 7.0,
        .tx_ma = 25.0, /* unconfirmed, +10 dBm class sub-GHz PA */
        .rx_ma = 10.0, /* unconfirmed */
    };
    c->mac = (net_han_mac){.min_be = 3, .max_be = 5, .max_backoffs = 4, .max_retries = 3};

    /* Placement: the hub sits on the ESME.  In houses the gas meter is often in an outside
     * box or at the other end of the house and the IHD in the kitchen or living room, a
     * floor up at most.  Flats either have their meters inside (placed like a small house)
     * or in a communal meter room or riser, behind heavy walls and possibly several
     * concrete floors away (seed 003: flats and thick walls are the failure cases). */
    net_han_site on_meter = {0.3f, 0.3f, 0, 0, 0, 0, 0, 0};
    c->site[NET_HAN_HOUSE][NET_HAN_ESME] = on_meter;
    c->site[NET_HAN_HOUSE][NET_HAN_GSME] = (net_han_site){2, 12, 0, 2, 0, 1, 0, 0};
    c->site[NET_HAN_HOUSE][NET_HAN_IHD] = (net_han_site){3, 12, 0, 2, 0, 2, 0, 1};
    c->site[NET_HAN_HOUSE][NET_HAN_PPMID] = c->site[NET_HAN_HOUSE][NET_HAN_IHD];
    c->site[NET_HAN_FLAT][NET_HAN_ESME] = on_meter;
    c->site[NET_HAN_FLAT][NET_HAN_GSME] = (net_han_site){1, 8, 0, 1, 0, 1, 0, 0};
    c->site[NET_HAN_FLAT][NET_HAN_IHD] = (net_han_site){2, 10, 0, 1, 0, 2, 0, 0};
    c->site[NET_HAN_FLAT][NET_HAN_PPMID] = c->site[NET_HAN_FLAT][NET_HAN_IHD];
    c->site_remote[NET_HAN_ESME] = on_meter;
    c->site_remote[NET_HAN_GSME] = (net_han_site){1, 6, 0, 1, 0, 0, 0, 0}; /* same room */
    c->site_remote[NET_HAN_IHD] = (net_han_site){5, 25, 1, 3, 0, 2, 0, 4};
    c->site_remote[NET_HAN_PPMID] = c->site_remote[NET_HAN_IHD];
    c->remote_share[NET_HAN_HOUSE] = 0.0;
    c->remote_share[NET_HAN_FLAT] = 0.5; /* unconfirmed */

    /* Traffic: IHD refresh about every 10 s for electricity and 30 min for gas
     * (seed 003); the GSME sends its data and polls for pending messages when it wakes.
     * A ZigBee SE frame with NWK security is about 64 octets (unconfirmed); a MAC data
     * request is 12 octets. */
    const net_han_flow_cfg flows[] = {
        {NET_HAN_ESME, 1, 64, 10.0},   /* ESME -> hub: instantaneous demand for the IHD */
        {NET_HAN_IHD, 0, 64, 10.0},    /* hub -> IHD: electricity refresh */
        {NET_HAN_GSME, 1, 64, 1800.0}, /* GSME -> hub: gas data at each wake */
        {NET_HAN_GSME, 1, 12, 1800.0}, /* GSME -> hub: MAC data request (poll) */
        {NET_HAN_GSME, 0, 48, 1800.0}, /* hub -> GSME: pending message / time */
        {NET_HAN_IHD, 0, 64, 1800.0},  /* hub -> IHD: gas refresh */
        {NET_HAN_PPMID, 0, 64, 10.0},  /* hub -> PPMID: same as the IHD, unconfirmed */
    };
    c->n_flows = (uint8_t)(sizeof flows / sizeof flows[0]);
    memcpy(c->flow, flows, sizeof flows);

    c->wifi = (net_han_wifi){
        .mode = NET_HAN_WIFI_NONE, .busy_p = 0.05, .fer = 0.02, .duty = 0.1, .burst_s = 1.5e-3};
    c->per = 0.0;
    /* Gas meter battery: 10-15 year life (seed 003).  Capacity of a derated
     * lithium-thionyl-chloride C/D cell and the sleep/metrology current are unconfirmed,
     * chosen to give a nominal life inside that range (about 12.5 years). */
    c->battery = (net_han_battery){.capacity_mah = 6000.0,
                                   .sleep_ua = 54.0,
                                   .wake_period_s = 1800.0,
                                   .mcu_ma = 5.0,
                                   .mcu_wake_s = 0.05,
                                   .radio_idle_ma = 6.0,
                                   .poll_rx_s = 0.01,
                                   .ota_block_bytes = 48,
                                   .ota_awake_per_block_s = 1.0,
                                   .ota_verify_s = 2.0};
    c->dc = (net_han_duty_cycle){
        .limited = 0.01, .critical = 0.018, .regulated = 0.025, .window_s = 3600.0}; /* [DC] */
    c->flat_share = 0.20;               /* about one dwelling in five is a flat (English Housing
                                         * Survey), unconfirmed for GB as a whole */
    c->gas_share[NET_HAN_HOUSE] = 0.90; /* unconfirmed */
    c->gas_share[NET_HAN_FLAT] = 0.60;  /* unconfirmed */
    c->ppmid_share = 0.13;              /* 13 % of smart meters in prepayment mode, NAO 2023 */
    c->dual_band_share = 0.0;
    c->neighbours[NET_HAN_HOUSE] = 2; /* unconfirmed */
    c->neighbours[NET_HAN_FLAT] = 8;  /* unconfirmed: a landing or riser of flats */
}

int net_han_config_check(const net_han_config *c)
{
    if (!c) return NET_EHAN_ARG;
    for (int b = 0; b < NET_HAN_NBAND; b++) {
        const net_han_phy *p = &c->phy[b];
        if (!(p->bit_rate > 0) || !(p->unit_backoff_s > 0) || !(p->cca_s > 0) ||
            !(p->turnaround_s > p->cca_s) || !(p->ack_wait_s > 0) || p->sifs_s < 0 ||
            p->lifs_s < 0 || !(p->freq_hz > 0) || !(p->pl_exponent > 0) || p->shadow_sigma_db < 0 ||
            p->tx_ma < 0 || p->rx_ma < 0)
            return NET_EHAN_CONFIG;
        double t_ack = net_han_frame_s(c, (net_han_band)b, p->ack_psdu_bytes);
        if (p->ack_wait_s < p->turnaround_s + t_ack) return NET_EHAN_CONFIG;
    }
    const net_han_mac *m = &c->mac;
    if (m->min_be > m->max_be || m->max_be > 15 || m->max_backoffs > 16 || m->max_retries > 16)
        return NET_EHAN_CONFIG;
    if (c->n_flows > NET_HAN_MAX_FLOWS) return NET_EHAN_CONFIG;
    for (int i = 0; i < c->n_flows; i++)
        if (c->flow[i].dev >= NET_HAN_NDEV || !(c->flow[i].period_s > 0) ||
            c->flow[i].psdu_bytes == 0 || c->flow[i].psdu_bytes > 2047)
            return NET_EHAN_CONFIG;
    for (int d = 0; d <= NET_HAN_NDWELLING; d++)
        for (int v = 0; v < NET_HAN_NDEV; v++) {
            const net_han_site *s = d < NET_HAN_NDWELLING ? &c->site[d][v] : &c->site_remote[v];
            if (!(s->d_min_m > 0) || s->d_max_m < s->d_min_m || s->heavy_max < s->heavy_min ||
                s->light_max < s->light_min || s->floor_max < s->floor_min)
                return NET_EHAN_CONFIG;
        }
    const net_han_wifi *w = &c->wifi;
    if (w->mode > NET_HAN_WIFI_DUTY || w->busy_p < 0 || w->busy_p > 1 || w->fer < 0 || w->fer > 1 ||
        w->duty < 0 || w->duty >= 1 || (w->mode == NET_HAN_WIFI_DUTY && !(w->burst_s > 0)))
        return NET_EHAN_CONFIG;
    if (c->per < 0 || c->per >= 1) return NET_EHAN_CONFIG;
    const net_han_battery *b = &c->battery;
    if (!(b->capacity_mah > 0) || b->sleep_ua < 0 || !(b->wake_period_s >= 1) ||
        b->wake_period_s > 65535 || b->ota_block_bytes == 0)
        return NET_EHAN_CONFIG;
    if (!(c->dc.limited > 0) || c->dc.critical < c->dc.limited ||
        c->dc.regulated < c->dc.critical || c->dc.regulated > 1 || !(c->dc.window_s > 0))
        return NET_EHAN_CONFIG;
    double shares[] = {c->remote_share[0], c->remote_share[1], c->flat_share,     c->gas_share[0],
                       c->gas_share[1],    c->ppmid_share,     c->dual_band_share};
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++)
        if (!(shares[i] >= 0 && shares[i] <= 1)) return NET_EHAN_CONFIG;
    return 0;
}

void net_han_draw_params(const net_han_config *c, uint64_t seed, uint64_t premises_id,
                         net_han_params *out)
{
    sim_rng r;
    sim_rng_seed(&r, seed, premises_id, "han.mix");
    double u0 = sim_rng_uniform(&r), u1 = sim_rng_uniform(&r), u2 = sim_rng_uniform(&r),
           u3 = sim_rng_uniform(&r);
    uint8_t dw = u0 < c->flat_share ? NET_HAN_FLAT : NET_HAN_HOUSE;
    *out = (net_han_params){.dwelling = dw,
                            .hub = u3 < c->dual_band_share ? NET_HAN_HUB_DUAL : NET_HAN_HUB_SINGLE,
                            .has_gas = u1 < c->gas_share[dw],
                            .has_ppmid = u2 < c->ppmid_share,
                            .neighbours = c->neighbours[dw]};
}

/* ---- reachability ---------------------------------------------------------------------------- */

/* Log-distance path loss with free space to 1 m [dB]. */
static double path_loss_db(const net_han_phy *p, double d_m)
{
    const double c0 = 299792458.0;
    const double pi = 3.14159265358979323846;
    double fs1m = 20.0 * log10(4.0 * pi * p->freq_hz / c0);
    if (d_m < 1.0) return fs1m + 20.0 * log10(d_m);
    return fs1m + 10.0 * p->pl_exponent * log10(d_m);
}

static unsigned draw_int(sim_rng *r, unsigned lo, unsigned hi)
{
    return lo + (unsigned)sim_rng_below(r, (uint64_t)(hi - lo) + 1u);
}

static int8_t sat8(double v)
{
    double x = floor(v + 0.5);
    return (int8_t)(x > 127 ? 127 : x < -127 ? -127 : x);
}

bool net_han_works(const net_han *h)
{
    for (int d = 0; d < NET_HAN_NDEV; d++)
        if (net_han_present(h, (net_han_dev)d) && net_han_band_used(h, (net_han_dev)d) < 0)
            return false;
    return true;
}

int net_han_init(net_han *h, const net_han_config *c, uint64_t seed, uint64_t premises_id,
                 const net_han_params *p, net_han_memo *memo)
{
    if (!h || !c || !p || p->dwelling >= NET_HAN_NDWELLING || p->hub > NET_HAN_HUB_DUAL)
        return NET_EHAN_ARG;
    memset(h, 0, sizeof *h);
    h->dwelling = p->dwelling;
    h->hub = p->hub;
    h->neighbours = p->neighbours;

    sim_rng r;
    sim_rng_seed(&r, seed, premises_id, "han.reach");
    gsl_rng g;
    sim_rng_gsl(&r, &g);
    /* Every device's placement is drawn whether or not it is installed, so adding a PPMID
     * does not move the gas meter. */
    bool remote = sim_rng_uniform(&r) < c->remote_share[p->dwelling];
    if (remote) h->flags |= NET_HAN_REMOTE_METERS;
    for (int d = 0; d < NET_HAN_NDEV; d++) {
        const net_han_site *s = remote ? &c->site_remote[d] : &c->site[p->dwelling][d];
        double dist = s->d_min_m + (s->d_max_m - s->d_min_m) * sim_rng_uniform(&r);
        unsigned heavy = draw_int(&r, s->heavy_min, s->heavy_max);
        unsigned light = draw_int(&r, s->light_min, s->light_max);
        unsigned floors = draw_int(&r, s->floor_min, s->floor_max);
        /* One shadowing draw for both bands: the same furniture and structure stand in the
         * way, so a link's fades at 868 MHz and 2.4 GHz are taken as fully correlated. */
        double z = gsl_ran_gaussian(&g, 1.0);
        bool present = d == NET_HAN_ESME || d == NET_HAN_IHD || (d == NET_HAN_GSME && p->has_gas) ||
                       (d == NET_HAN_PPMID && p->has_ppmid);
        uint8_t bits = present ? NET_HAN_PRESENT : 0;
        for (int b = 0; b < NET_HAN_NBAND; b++) {
            const net_han_phy *ph = &c->phy[b];
            double rx = ph->tx_dbm - path_loss_db(ph, dist) - heavy * ph->wall_heavy_db -
                        light * ph->wall_light_db - floors * ph->floor_db[p->dwelling] -
                        ph->shadow_sigma_db * z;
            double margin = rx - ph->sens_dbm - ph->fade_margin_db;
            h->margin_db[d][b] = sat8(margin);
            if (margin >= 0) bits |= b == NET_HAN_2G4 ? NET_HAN_REACH_2G4 : NET_HAN_REACH_868;
        }
        unsigned band = NET_HAN_BAND_NONE;
        if (present) {
            /* 2.4 GHz first: 868 MHz is duty-cycle limited and only on dual-band hubs. */
            if (bits & NET_HAN_REACH_2G4)
                band = NET_HAN_2G4;
            else if (p->hub == NET_HAN_HUB_DUAL && (bits & NET_HAN_REACH_868))
                band = NET_HAN_868;
        }
        h->dev[d] = (uint8_t)(bits | band << NET_HAN_BAND_SHIFT);
    }
    h->gas_phase_s = (uint16_t)sim_rng_below(&r, (uint64_t)c->battery.wake_period_s);
    return net_han_eval(c, h, memo);
}

/* ---- memo of solves ------------------------------------------------------------------------- */

/* One solve: its inputs (band and classes, compared bit for bit) and what it gave. */
typedef struct memo_entry {
    uint64_t key; /* hash of the inputs; 0: empty */
    uint8_t band, n;
    net_han_class cls[NET_HAN_MAX_FLOWS];
    net_han_csma out[NET_HAN_MAX_FLOWS];
} memo_entry;

/* Bounded: a configuration whose premises differ in more ways than this solves the rest
 * directly. */
#define MEMO_MAX 4096u

struct net_han_memo {
    const net_han_config *c;
    memo_entry *e; /* open addressing, linear probing; cap a power of two */
    uint32_t cap, used;
    uint64_t hits, misses;
};

net_han_memo *net_han_memo_create(const net_han_config *c)
{
    net_han_memo *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->c = c;
    m->cap = 64;
    m->e = calloc(m->cap, sizeof *m->e);
    if (!m->e) {
        free(m);
        return NULL;
    }
    return m;
}

void net_han_memo_destroy(net_han_memo *m)
{
    if (!m) return;
    free(m->e);
    free(m);
}

void net_han_memo_stats(const net_han_memo *m, uint64_t *hits, uint64_t *misses)
{
    *hits = m ? m->hits : 0;
    *misses = m ? m->misses : 0;
}

static uint64_t memo_key(int band, const net_han_class *cls, size_t n)
{
    uint64_t x = 0x9E3779B97F4A7C15u ^ (uint64_t)band << 8 ^ n;
    for (size_t k = 0; k < n; k++) {
        uint64_t w[2];
        memcpy(&w[0], &cls[k].count, sizeof w[0]);
        memcpy(&w[1], &cls[k].rate_hz, sizeof w[1]);
        x = sim_hash64(x ^ w[0]);
        x = sim_hash64(x ^ w[1] ^ (uint64_t)cls[k].psdu_bytes << 48);
    }
    return x | 1u; /* never 0, the empty mark */
}

static bool memo_same(const memo_entry *e, int band, const net_han_class *cls, size_t n)
{
    if (e->band != band || e->n != n) return false;
    for (size_t k = 0; k < n; k++)
        if (memcmp(&e->cls[k].count, &cls[k].count, sizeof cls[k].count) ||
            memcmp(&e->cls[k].rate_hz, &cls[k].rate_hz, sizeof cls[k].rate_hz) ||
            e->cls[k].psdu_bytes != cls[k].psdu_bytes)
            return false;
    return true;
}

static int memo_grow(net_han_memo *m)
{
    uint32_t cap = m->cap * 2;
    memo_entry *e = calloc(cap, sizeof *e);
    if (!e) return -1;
    for (uint32_t k = 0; k < m->cap; k++) {
        if (!m->e[k].key) continue;
        uint32_t j = (uint32_t)m->e[k].key & (cap - 1);
        while (e[j].key) j = (j + 1) & (cap - 1);
        e[j] = m->e[k];
    }
    free(m->e);
    m->e = e;
    m->cap = cap;
    return 0;
}

/* net_han_csma_solve through MEMO (NULL, or made for another configuration: solved here). */
static int solve(const net_han_config *c, net_han_memo *m, int band, const net_han_class *cls,
                 size_t n, net_han_csma *out)
{
    if (!m || m->c != c || n > NET_HAN_MAX_FLOWS)
        return net_han_csma_solve(c, (net_han_band)band, cls, n, out);
    uint64_t key = memo_key(band, cls, n);
    uint32_t j = (uint32_t)key & (m->cap - 1);
    for (; m->e[j].key; j = (j + 1) & (m->cap - 1))
        if (m->e[j].key == key && memo_same(&m->e[j], band, cls, n)) {
            memcpy(out, m->e[j].out, n * sizeof *out);
            m->hits++;
            return 0;
        }
    int rc = net_han_csma_solve(c, (net_han_band)band, cls, n, out);
    if (rc) return rc;
    m->misses++;
    if (m->used >= MEMO_MAX) return 0;
    /* at most half full, so that every probe ends on an empty slot; without room to grow,
     * the solve is not kept (the memo stays correct) */
    if ((m->used + 1) * 2 > m->cap) {
        if (memo_grow(m)) return 0;
        j = (uint32_t)key & (m->cap - 1);
        while (m->e[j].key) j = (j + 1) & (m->cap - 1);
    }
    memo_entry *e = &m->e[j];
    e->key = key;
    e->band = (uint8_t)band;
    e->n = (uint8_t)n;
    memcpy(e->cls, cls, n * sizeof *cls);
    memcpy(e->out, out, n * sizeof *out);
    m->used++;
    return 0;
}

/* ---- analytic evaluation -------------------------------------------------------------------- */

static double t_ack_s(const net_han_config *c, int b)
{
    return net_han_frame_s(c, (net_han_band)b, c->phy[b].ack_psdu_bytes);
}

/* Gas meter charge for sending one message with statistics S on band B [mA s]. */
static double charge_tx(const net_han_config *c, int b, unsigned psdu, const net_han_csma *s)
{
    const net_han_phy *p = &c->phy[b];
    double tf = net_han_frame_s(c, (net_han_band)b, psdu);
    double ok = s->p_deliver, bad = s->tx_per_msg - ok;
    if (bad < 0) bad = 0;
    return s->cca_per_msg * p->cca_s * p->rx_ma + s->backoff_per_msg_s * c->battery.radio_idle_ma +
           s->tx_per_msg * (p->turnaround_s * p->rx_ma + tf * p->tx_ma) +
           ok * (p->turnaround_s + t_ack_s(c, b)) * p->rx_ma + bad * p->ack_wait_s * p->rx_ma;
}

/* ... and for receiving one (listening for it, then ACKing it) [mA s]. */
static double charge_rx(const net_han_config *c, int b, unsigned psdu)
{
    const net_han_phy *p = &c->phy[b];
    double tf = net_han_frame_s(c, (net_han_band)b, psdu);
    return (c->battery.poll_rx_s + tf + p->turnaround_s) * p->rx_ma + t_ack_s(c, b) * p->tx_ma;
}

/* The classes the analytic mode solves on band B: the flows of H's present devices on B,
 * each carried by H and by every neighbour (mean field); IDX[k] is class k's flow. */
static size_t band_classes(const net_han_config *c, const net_han *h, int b, net_han_class *cls,
                           int *idx)
{
    size_t n = 0;
    for (int f = 0; f < c->n_flows; f++) {
        const net_han_flow_cfg *fc = &c->flow[f];
        if (!net_han_present(h, fc->dev) || net_han_band_used(h, fc->dev) != b) continue;
        cls[n] = (net_han_class){.count = 1.0 + h->neighbours,
                                 .rate_hz = 1.0 / fc->period_s,
                                 .psdu_bytes = fc->psdu_bytes};
        idx[n++] = f;
    }
    return n;
}

double net_han_load(const net_han_config *c, const net_han *h, net_han_band band)
{
    net_han_class cls[NET_HAN_MAX_FLOWS];
    int idx[NET_HAN_MAX_FLOWS];
    size_t n = band_classes(c, h, band, cls, idx);
    return net_han_csma_load(c, band, cls, n);
}

int net_han_eval(const net_han_config *c, net_han *h, net_han_memo *memo)
{
    if (!c || !h) return NET_EHAN_ARG;
    net_han_csma res[NET_HAN_MAX_FLOWS];
    int fband[NET_HAN_MAX_FLOWS];
    for (int f = 0; f < c->n_flows; f++) {
        const net_han_flow_cfg *fc = &c->flow[f];
        fband[f] = net_han_present(h, fc->dev) ? net_han_band_used(h, fc->dev) : -2;
    }
    h->flags &= (uint8_t) ~(NET_HAN_BEYOND_2G4 | NET_HAN_BEYOND_868);
    for (int b = 0; b < NET_HAN_NBAND; b++) {
        net_han_class cls[NET_HAN_MAX_FLOWS];
        int idx[NET_HAN_MAX_FLOWS];
        size_t n = band_classes(c, h, b, cls, idx);
        net_han_csma out[NET_HAN_MAX_FLOWS];
        int rc = solve(c, memo, b, cls, n, out);
        if (rc) return rc;
        for (size_t i = 0; i < n; i++)
            res[idx[i]] = out[i];
        /* past the model's stated range: the run says so (sim/run.c) */
        if (net_han_csma_load(c, (net_han_band)b, cls, n) >
            net_han_csma_valid_load((net_han_band)b))
            h->flags |= b == NET_HAN_2G4 ? NET_HAN_BEYOND_2G4 : NET_HAN_BEYOND_868;
    }

    /* 868 MHz duty cycle of each device and of the hub's sub-GHz radio: share of time on
     * air, own frames and the ACKs it sends. */
    double air[NET_HAN_NDEV + 1] = {0}; /* last entry: the hub */
    for (int f = 0; f < c->n_flows; f++) {
        if (fband[f] != NET_HAN_868) continue;
        const net_han_flow_cfg *fc = &c->flow[f];
        double rate = 1.0 / fc->period_s;
        double data = rate * res[f].tx_per_msg * net_han_frame_s(c, NET_HAN_868, fc->psdu_bytes);
        double acks = rate * res[f].p_deliver * t_ack_s(c, NET_HAN_868);
        air[fc->to_hub ? fc->dev : NET_HAN_NDEV] += data;
        air[fc->to_hub ? NET_HAN_NDEV : fc->dev] += acks;
    }
    double dc_max = 0;
    for (int i = 0; i <= NET_HAN_NDEV; i++)
        if (air[i] > dc_max) dc_max = air[i];
    h->dc_868 = (float)dc_max;
    h->dc_state = dc_max >= c->dc.regulated  ? NET_HAN_DC_REGULATED
                  : dc_max >= c->dc.critical ? NET_HAN_DC_CRITICAL
                  : dc_max >= c->dc.limited  ? NET_HAN_DC_LIMITED
                                             : NET_HAN_DC_NORMAL;

    double w_sum = 0, pd_sum = 0, lat_sum = 0, retr_sum = 0, af_sum = 0;
    for (int f = 0; f < c->n_flows; f++) {
        if (fband[f] < 0) continue;
        const net_han_flow_cfg *fc = &c->flow[f];
        double pd = res[f].p_deliver;
        if (fband[f] == NET_HAN_868) {
            /* Over the Regulated limit the sender discards what does not fit (0x8F2C). */
            double a = air[fc->to_hub ? fc->dev : NET_HAN_NDEV];
            if (a > c->dc.regulated) pd *= c->dc.regulated / a;
        }
        double w = 1.0 / fc->period_s;
        w_sum += w;
        pd_sum += w * pd;
        lat_sum += w * pd * res[f].latency_s;
        retr_sum += w * res[f].retries;
        af_sum += w * res[f].p_access_fail;
    }
    h->p_deliver = w_sum > 0 ? (float)(pd_sum / w_sum) : 0.0f;
    h->latency_s = pd_sum > 0 ? (float)(lat_sum / pd_sum) : 0.0f;
    h->retries = w_sum > 0 ? (float)(retr_sum / w_sum) : 0.0f;
    h->p_access_fail = w_sum > 0 ? (float)(af_sum / w_sum) : 0.0f;

    /* Gas meter charge per wake: MCU work plus its share of every GSME flow. */
    double q = c->battery.mcu_wake_s * c->battery.mcu_ma;
    if (net_han_present(h, NET_HAN_GSME)) {
        int b = net_han_band_used(h, NET_HAN_GSME);
        for (int f = 0; f < c->n_flows; f++) {
            const net_han_flow_cfg *fc = &c->flow[f];
            if (fc->dev != NET_HAN_GSME) continue;
            double per_wake = c->battery.wake_period_s / fc->period_s;
            if (b >= 0) {
                q += per_wake * (fc->to_hub ? charge_tx(c, b, fc->psdu_bytes, &res[f])
                                            : charge_rx(c, b, fc->psdu_bytes));
            } else if (fc->to_hub) {
                /* Unreached: every attempt goes unACKed, on the 2.4 GHz radio. */
                net_han_csma lost = {.tx_per_msg = c->mac.max_retries + 1.0,
                                     .cca_per_msg = c->mac.max_retries + 1.0};
                q += per_wake * charge_tx(c, NET_HAN_2G4, fc->psdu_bytes, &lost);
            }
        }
    }
    h->gas_wake_mas = (float)q;
    return 0;
}

/* ---- gas meter battery ---------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int net_han_gas_account(const net_han_config *c, net_han *h, uint32_t t0_s, uint32_t t1_s,
                        uint32_t *wakes)
{
    if (!c || !h) return NET_EHAN_ARG;
    if (!net_han_present(h, NET_HAN_GSME)) return NET_EHAN_NOGAS;
    if (t1_s < t0_s) return NET_EHAN_TIME;
    int64_t per = (int64_t)c->battery.wake_period_s;
    int64_t n = floor_div((int64_t)t1_s - h->gas_phase_s, per) -
                floor_div((int64_t)t0_s - h->gas_phase_s, per);
    h->gas_wakes += (uint32_t)n;
    h->gas_span_s += t1_s - t0_s;
    h->gas_charge_mas +=
        (double)n * h->gas_wake_mas + (double)(t1_s - t0_s) * c->battery.sleep_ua * 1e-3;
    if (wakes) *wakes = (uint32_t)n;
    return 0;
}

uint32_t net_han_gas_next_wake(const net_han_config *c, const net_han *h, uint32_t t_s)
{
    int64_t per = (int64_t)c->battery.wake_period_s;
    int64_t k = floor_div((int64_t)t_s - h->gas_phase_s, per) + 1;
    int64_t t = h->gas_phase_s + k * per;
    return t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

int net_han_gas_ota(const net_han_config *c, net_han *h, uint32_t bytes)
{
    if (!c || !h) return NET_EHAN_ARG;
    int b = net_han_band_used(h, NET_HAN_GSME);
    if (!net_han_present(h, NET_HAN_GSME) || b < 0) return NET_EHAN_NOGAS;
    if (bytes == 0) return 0;
    const net_han_battery *bat = &c->battery;
    const net_han_phy *p = &c->phy[b];
    uint32_t blocks = (bytes + bat->ota_block_bytes - 1u) / bat->ota_block_bytes;
    /* Per block: an Image Block Request (sent like the poll, with this premises' retries),
     * the receiver kept on while the hub fetches and forwards the block, the block itself
     * (payload plus about 40 octets of headers, unconfirmed) and its ACK. */
    double tries = 1.0 + h->retries;
    double t_req = net_han_frame_s(c, (net_han_band)b, 24);
    double t_blk = net_han_frame_s(c, (net_han_band)b, bat->ota_block_bytes + 40u);
    double per_block = tries * ((p->turnaround_s + p->ack_wait_s) * p->rx_ma + t_req * p->tx_ma) +
                       (bat->ota_awake_per_block_s + t_blk + p->turnaround_s) * p->rx_ma +
                       t_ack_s(c, b) * p->tx_ma;
    h->gas_charge_mas += blocks * per_block + bat->ota_verify_s * bat->mcu_ma;
    uint64_t total = (uint64_t)h->ota_bytes + bytes;
    h->ota_bytes = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    return 0;
}

int net_han_gas_battery(const net_han_config *c, const net_han *h, net_han_battery_out *out)
{
    if (!c || !h || !out) return NET_EHAN_ARG;
    if (!net_han_present(h, NET_HAN_GSME)) return NET_EHAN_NOGAS;
    const double year_s = 365.25 * 86400.0;
    double steady_ma = c->battery.sleep_ua * 1e-3 + h->gas_wake_mas / c->battery.wake_period_s;
    double used_mah = h->gas_charge_mas / 3600.0;
    double left_mah = c->battery.capacity_mah - used_mah;
    if (left_mah < 0) left_mah = 0;
    out->used_mah = used_mah;
    out->steady_ua = steady_ma * 1e3;
    out->life_years = h->gas_span_s / year_s + left_mah / steady_ma * 3600.0 / year_s;
    return 0;
}

/* ---- glue to the detailed mode ------------------------------------------------------------- */

size_t net_han_des_flows(const net_han_config *c, const net_han *h, net_han_band band,
                         uint32_t base, net_han_des_flow *out, size_t max)
{
    size_t n = 0;
    for (int f = 0; f < c->n_flows && n < max; f++) {
        const net_han_flow_cfg *fc = &c->flow[f];
        if (!net_han_present(h, fc->dev) || net_han_band_used(h, fc->dev) != (int)band) continue;
        uint32_t dev = base + 1u + fc->dev;
        out[n++] = (net_han_des_flow){.src = fc->to_hub ? dev : base,
                                      .dst = fc->to_hub ? base : dev,
                                      .rate_hz = 1.0 / fc->period_s,
                                      .psdu_bytes = fc->psdu_bytes,
                                      .arrivals = 0};
    }
    return n;
}
