/* WAN technologies: shares against the configuration, the mesh hop distribution against
 * its closed form, loss compounding over hops by Monte Carlo, route repair against a
 * brute-force search, site backup power, determinism.
 *
 * Every random figure comes from fixed seeds through sim_rng, so each test computes the
 * same numbers on every run; statistical tolerances are 5 standard errors (a correct model
 * fails with probability below 1e-6 per comparison for any seed), written next to each.
 */
#include "net/wantech.h"
#include "sim/rng.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static net_wt_config cfg(void)
{
    net_wt_config c;
    net_wt_config_default(&c);
    c.seed = 7;
    return c;
}

/* ---- configuration --------------------------------------------------------------------- */

Test(wantech, default_configuration_is_valid_and_records_fit_the_budget)
{
    net_wt_config c = cfg();
    cr_assert_eq(net_wt_config_check(&c), 0);
    cr_assert_eq(sizeof(net_wt_hh), 16);
    /* DESNZ smart meter statistics: 15.1M SMETS1 of 29.9M SMETS1+SMETS2 at end 2022. */
    cr_assert_float_eq(c.s1_share, 0.505, 0.001);
    c.parents = 0;
    cr_assert_eq(net_wt_config_check(&c), NET_EWT_CONFIG);
    c = cfg();
    c.hole_share[1] = 1.5;
    cr_assert_eq(net_wt_config_check(&c), NET_EWT_CONFIG);
    c = cfg();
    c.dcc_region[3] = NET_WT_NDCC;
    cr_assert_eq(net_wt_config_check(&c), NET_EWT_CONFIG);
    cr_assert_str_eq(net_wt_strerror(NET_EWT_TOOBIG),
                     "LV substation too large for 16-bit relay indices");
}

Test(wantech, north_areas_use_long_range_radio_and_the_rest_cellular)
{
    net_wt_config c = cfg();
    double bps, lat;
    /* DNO order of grid_region_name(): 0 North Scotland .. 4 Yorkshire are DCC North. */
    for (unsigned r = 0; r < NET_WT_REGIONS; r++) {
        cr_assert_eq(net_wt_area_link(&c, r, &bps, &lat), 0);
        if (r <= 4) {
            cr_assert_eq(net_wt_area_tech(&c, r), NET_WT_LRR, "region %u", r);
            cr_assert_float_eq(bps, c.link[NET_WT_LRR].uplink_bps, 1e-9);
            cr_assert_eq(net_wt_area_households(&c, r), 14000);
        } else {
            cr_assert_eq(net_wt_area_tech(&c, r), NET_WT_CELL, "region %u", r);
            cr_assert_float_eq(bps, c.link[NET_WT_CELL].uplink_bps, 1e-9);
        }
    }
    cr_assert_eq(net_wt_area_link(&c, NET_WT_REGIONS, &bps, &lat), NET_EWT_ARG);
}

/* ---- technology shares ------------------------------------------------------------------ */

typedef struct tally {
    uint64_t n, tech[NET_WT_NTECH], aerial, rural_lv, lv;
} tally;

static void build_region(const net_wt_config *c, unsigned region, uint32_t n_lv, uint32_t per,
                         tally *t)
{
    net_wt_hh *hh = malloc(per * sizeof *hh);
    memset(t, 0, sizeof *t);
    for (uint32_t s = 0; s < n_lv; s++) {
        uint32_t lv = region * 100000u + s;
        cr_assert_eq(net_wt_lv_build(c, lv, region, (uint64_t)lv * per, per, hh), 0);
        t->lv++;
        t->rural_lv += (hh[0].flags & NET_WT_F_RURAL) != 0;
        for (uint32_t i = 0; i < per; i++) {
            cr_assert_eq(hh[i].dcc, c->dcc_region[region]);
            t->tech[hh[i].tech]++;
            t->aerial += (hh[i].flags & NET_WT_F_AERIAL) != 0;
            t->n++;
        }
    }
    free(hh);
}

/* |obs - p| within 5 binomial standard errors of N trials. */
static void assert_share(uint64_t k, uint64_t n, double p, const char *what)
{
    double se = sqrt(p * (1 - p) / (double)n);
    double obs = (double)k / (double)n;
    cr_assert(fabs(obs - p) <= 5 * se + 1e-12, "%s: %.5f vs %.5f (5 se = %.5f)", what, obs, p,
              5 * se);
}

Test(wantech, technology_shares_by_region_match_the_configuration)
{
    net_wt_config c = cfg();
    const unsigned regions[] = {2 /* North West: DCC North */, 6 /* East Midlands: Central */,
                                11 /* London: South */};
    for (unsigned k = 0; k < 3; k++) {
        tally t;
        build_region(&c, regions[k], 3000, 70, &t);
        assert_share(t.tech[NET_WT_S1], t.n, c.s1_share, "SMETS1");
        assert_share(t.rural_lv, t.lv, c.rural_share, "rural LV substations");
        if (k == 0) {
            cr_assert_eq(t.tech[NET_WT_CELL] + t.tech[NET_WT_MESH], 0);
            assert_share(t.tech[NET_WT_LRR], t.n, 1 - c.s1_share, "LRR");
        } else {
            cr_assert_eq(t.tech[NET_WT_LRR], 0);
            /* Holes are drawn per premises with the share of its substation's class; given
             * the realised rural share the mesh share is binomial.  A substation without
             * signal turns one mesh hub into an aerial hub: add those back. */
            double rho = (double)t.rural_lv / (double)t.lv;
            double p = (1 - c.s1_share) * (rho * c.hole_share[1] + (1 - rho) * c.hole_share[0]);
            assert_share(t.tech[NET_WT_MESH] + t.aerial, t.n, p, "mesh");
            cr_assert_lt(t.aerial, t.n / 1000);
        }
    }
}

/* ---- mesh hop distribution --------------------------------------------------------------- */

static void check_levels(double radius, unsigned max_hops)
{
    net_wt_config c = cfg();
    c.s1_share = 0;
    c.hole_share[0] = c.hole_share[1] = 0.5;
    c.hole_radius_hops[0] = c.hole_radius_hops[1] = radius;
    c.max_hops = (uint8_t)max_hops;
    const uint32_t per = 2000, n_lv = 20;
    net_wt_hh *hh = malloc(per * sizeof *hh);
    uint64_t count[NET_WT_MAX_HOPS + 1] = {0}, n = 0;
    for (uint32_t s = 0; s < n_lv; s++) {
        cr_assert_eq(net_wt_lv_build(&c, 500 + s, 11, (uint64_t)s * per, per, hh), 0);
        for (uint32_t i = 0; i < per; i++) {
            if (hh[i].tech != NET_WT_MESH) continue;
            /* every level is occupied in substations this large: realised = nominal, and
             * with every premises powered the route has exactly that many hops */
            cr_assert_eq(hh[i].hops, hh[i].level);
            count[hh[i].level]++;
            n++;
        }
    }
    free(hh);
    /* Disc model (wantech.h): P(h <= k) = 1 - (1 - k/K)^2, tail folded on max_hops.
     * Per level within 5 binomial standard errors, and Pearson chi-square below the 0.1 %
     * critical value for its degrees of freedom (at most 7: 24.32). */
    double chi2 = 0, total = 0;
    unsigned df = 0;
    for (unsigned k = 1; k <= max_hops; k++) {
        double p = net_wt_mesh_level_pmf(radius, max_hops, k);
        total += p;
        if (p == 0) {
            cr_assert_eq(count[k], 0);
            continue;
        }
        assert_share(count[k], n, p, "hop level");
        chi2 += pow((double)count[k] - (double)n * p, 2) / ((double)n * p);
        df++;
    }
    cr_assert_float_eq(total, 1.0, 1e-12);
    static const double crit[] = {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32};
    unsigned dof = df - 1;
    double lim = dof == 0 ? INFINITY : crit[dof < 7 ? dof : 7];
    cr_assert_lt(chi2, lim, "chi2 %.2f with %u degrees of freedom", chi2, dof);
}

Test(wantech, mesh_hop_counts_follow_the_disc_model)
{
    check_levels(3.5, 8); /* P = 0.43, 0.33, 0.20, 0.04 */
    check_levels(5.0, 3); /* tail folded: P(3) = (1 - 2/5)^2 = 0.36 */
    /* closed form by hand: K = 2, P(1) = 1 - (1/2)^2 = 0.75, P(2) = 0.25 */
    cr_assert_float_eq(net_wt_mesh_level_pmf(2.0, 8, 1), 0.75, 1e-12);
    cr_assert_float_eq(net_wt_mesh_level_pmf(2.0, 8, 2), 0.25, 1e-12);
    cr_assert_float_eq(net_wt_mesh_level_pmf(2.0, 8, 3), 0.0, 1e-12);
}

/* ---- loss compounding ------------------------------------------------------------------- */

Test(wantech, loss_compounds_over_mesh_hops)
{
    net_wt_config c = cfg();
    c.mesh_frame_loss = 0.5;
    c.mesh_retries = 1; /* per-hop loss 0.5^2 = 0.25 */
    c.link[NET_WT_CELL].loss = 0.1;
    cr_assert_float_eq(net_wt_mesh_hop_loss(&c), 0.25, 1e-12);
    const net_wt_link *l = &c.link[NET_WT_CELL];
    const uint32_t bytes = 200, N = 100000;
    double tx = c.mesh_hop_s + bytes * 8.0 / c.mesh_bps;
    /* one hop, delivered: first try (0.5) or second (0.25), normalised by 0.75 */
    double hop_mean = (0.5 * tx + 0.25 * (2 * tx + c.mesh_retry_s)) / 0.75;
    sim_rng r;
    net_wt_rng_seed(&r, 99, 1);
    for (unsigned h = 1; h <= 5; h++) {
        net_wt_hh rec = {.tech = NET_WT_MESH, .hops = (uint8_t)h, .level = (uint8_t)h};
        uint64_t lost_mesh = 0, lost = 0, ok = 0;
        double dsum = 0, dsq = 0;
        for (uint32_t k = 0; k < N; k++) {
            net_wt_send s;
            cr_assert_eq(net_wt_message(&c, &rec, &r, NET_WT_UPLINK, bytes, true, &s), 0);
            if (s.cause == NET_WT_LOST_MESH) lost_mesh++;
            if (s.cause != NET_WT_DELIVERED)
                lost++;
            else {
                cr_assert_eq(s.hops, h);
                ok++;
                dsum += s.delay_s;
                dsq += s.delay_s * s.delay_s;
            }
        }
        /* 1 - (1-p)^h for the mesh part, and 1 - (1-p_access)(1-p)^h end to end. */
        assert_share(lost_mesh, N, 1 - pow(0.75, h), "mesh loss");
        assert_share(lost, N, 1 - 0.9 * pow(0.75, h), "end-to-end loss");
        /* mean delay of delivered messages: h hop means + access + half the jitter; 5
         * standard errors of the sample mean */
        double mean = dsum / (double)ok, sd = sqrt(dsq / (double)ok - mean * mean);
        double expect = h * hop_mean + l->access_s + l->jitter_s / 2;
        cr_assert(fabs(mean - expect) <= 5 * sd / sqrt((double)ok), "delay %.4f vs %.4f", mean,
                  expect);
    }
    net_wt_hh cut = {.tech = NET_WT_MESH, .hops = NET_WT_UNREACH};
    net_wt_send s;
    net_wt_message(&c, &cut, &r, NET_WT_UPLINK, bytes, true, &s);
    cr_assert_eq(s.cause, NET_WT_NO_ROUTE);
    net_wt_hh lrr = {.tech = NET_WT_LRR};
    net_wt_message(&c, &lrr, &r, NET_WT_UPLINK, bytes, false, &s);
    cr_assert_eq(s.cause, NET_WT_SITE_DOWN);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(wantech, smets1_polls_wait_for_an_sms_wake_up)
{
    net_wt_config c = cfg();
    c.sms_share = 1;
    c.link[NET_WT_S1].jitter_s = 0;
    c.link[NET_WT_S1].access_s = 0;
    c.link[NET_WT_S1].loss = 0;
    net_wt_hh rec = {.tech = NET_WT_S1};
    sim_rng r;
    net_wt_rng_seed(&r, 5, 3);
    enum { N = 20001 };
    static double d[N];
    for (int k = 0; k < N; k++) {
        net_wt_send s;
        net_wt_message(&c, &rec, &r, NET_WT_POLLED, 100, true, &s);
        cr_assert_eq(s.sms, 1);
        d[k] = s.delay_s - c.sms_attach_s;
    }
    /* median of a log-normal is exp(mu); the sample median's standard error is about
     * 1.2533 sigma m / sqrt(N) = 0.031 s here; 5 of them */
    qsort(d, N, sizeof d[0], cmp);
    cr_assert_float_eq(d[N / 2], c.sms_median_s,
                       5 * 1.2533 * c.sms_sigma * c.sms_median_s / sqrt(N));
    net_wt_send s;
    net_wt_message(&c, &rec, &r, NET_WT_UPLINK, 100, true, &s);
    cr_assert_eq(s.sms, 0, "meter-initiated messages need no wake-up");
}

/* ---- route repair ----------------------------------------------------------------------- */

static net_wt_hh mesh(uint8_t level, uint16_t a, uint16_t b)
{
    net_wt_hh h = {.tech = NET_WT_MESH, .level = level, .cand = {a, b, NET_WT_NONE, NET_WT_NONE}};
    h.n_cand = b == NET_WT_NONE ? 1 : 2;
    return h;
}

Test(wantech, relays_without_power_force_a_reroute_or_cut_the_premises_off)
{
    net_wt_config c = cfg();
    /* 0 G cellular hub; 1 A and 2 F one hop out; 3 B behind A (sibling E), 4 E behind F */
    net_wt_hh hh[5] = {{.tech = NET_WT_CELL},
                       mesh(1, 0, NET_WT_NONE),
                       mesh(1, 0, NET_WT_NONE),
                       mesh(2, 1, 4),
                       mesh(2, 2, 3)};
    uint8_t off[5] = {0};
    cr_assert_eq(net_wt_mesh_repair(&c, hh, 5, off), 0);
    cr_assert_eq(hh[3].hops, 2);
    cr_assert_eq(hh[3].via, 0);
    off[1] = 1; /* A loses power: B goes through its sibling E, one hop longer */
    net_wt_mesh_repair(&c, hh, 5, off);
    cr_assert_eq(hh[1].hops, 1, "A's own last gasp still reaches G");
    cr_assert_eq(hh[3].hops, 3);
    cr_assert_eq(hh[3].via, 1);
    c.max_hops = 2; /* ... unless that is longer than the mesh allows */
    net_wt_mesh_repair(&c, hh, 5, off);
    cr_assert_eq(hh[3].hops, NET_WT_UNREACH);
    c.max_hops = 8;
    off[2] = 1; /* F too: nothing left for B and E */
    net_wt_mesh_repair(&c, hh, 5, off);
    cr_assert_eq(hh[3].hops, NET_WT_UNREACH);
    cr_assert_eq(hh[4].hops, NET_WT_UNREACH);
    memset(off, 0, sizeof off);
    off[0] = 1; /* the hub with the cellular link: its last gasp goes out, nobody else's */
    net_wt_mesh_repair(&c, hh, 5, off);
    cr_assert_eq(hh[0].hops, 0);
    for (int i = 1; i < 5; i++)
        cr_assert_eq(hh[i].hops, NET_WT_UNREACH);
}

/* Brute force: breadth-first search outwards from the powered cellular hubs over the
 * candidate links of powered premises, no further than max_hops. */
static void bfs(const net_wt_config *c, const net_wt_hh *hh, uint32_t n, const uint8_t *off,
                uint8_t *dist)
{
    uint32_t *queue = malloc(n * sizeof *queue), qh = 0, qt = 0;
    for (uint32_t i = 0; i < n; i++) {
        dist[i] = NET_WT_UNREACH;
        if (!off[i] && hh[i].tech != NET_WT_MESH) {
            dist[i] = 0;
            queue[qt++] = i;
        }
    }
    while (qh < qt) {
        uint32_t u = queue[qh++];
        if (dist[u] >= c->max_hops) continue;
        for (uint32_t v = 0; v < n; v++) {
            if (off[v] || hh[v].tech != NET_WT_MESH || dist[v] != NET_WT_UNREACH) continue;
            for (unsigned j = 0; j < hh[v].n_cand; j++)
                if (hh[v].cand[j] == u) {
                    dist[v] = (uint8_t)(dist[u] + 1);
                    queue[qt++] = v;
                    break;
                }
        }
    }
    free(queue);
    /* a premises without supply relays nothing but sends its own last gasp: one hop to
     * the nearest powered relay, or over its own cellular link */
    for (uint32_t v = 0; v < n; v++) {
        if (!off[v]) continue;
        if (hh[v].tech != NET_WT_MESH) {
            dist[v] = 0;
            continue;
        }
        for (unsigned j = 0; j < hh[v].n_cand; j++) {
            uint32_t u = hh[v].cand[j];
            if (!off[u] && dist[u] < c->max_hops && dist[u] + 1 < dist[v])
                dist[v] = (uint8_t)(dist[u] + 1);
        }
    }
}

Test(wantech, route_repair_agrees_with_a_brute_force_search)
{
    net_wt_config c = cfg();
    c.s1_share = 0.3;
    c.hole_share[0] = c.hole_share[1] = 0.6;
    c.hole_radius_hops[0] = c.hole_radius_hops[1] = 3.0;
    c.max_hops = 4;
    enum { N = 60 };
    net_wt_hh hh[N];
    uint8_t off[N], dist[N];
    sim_rng r;
    sim_rng_seed(&r, 1, 1, "test.power");
    uint64_t rerouted = 0, cut = 0;
    for (uint32_t s = 0; s < 400; s++) {
        cr_assert_eq(net_wt_lv_build(&c, s, 12, (uint64_t)s * N, N, hh), 0);
        for (int trial = 0; trial < 10; trial++) {
            double p_off = 0.05 * trial;
            for (int i = 0; i < N; i++)
                off[i] = sim_rng_uniform(&r) < p_off;
            cr_assert_eq(net_wt_mesh_repair(&c, hh, N, off), 0);
            bfs(&c, hh, N, off, dist);
            for (int i = 0; i < N; i++) {
                cr_assert_eq(hh[i].hops, dist[i], "lv %u trial %d premises %d", s, trial, i);
                if (hh[i].tech != NET_WT_MESH || hh[i].hops == NET_WT_UNREACH) continue;
                const net_wt_hh *relay = &hh[hh[i].cand[hh[i].via]];
                cr_assert_eq(off[hh[i].cand[hh[i].via]], 0, "relay has power");
                cr_assert_eq(relay->hops + 1, hh[i].hops);
                rerouted += hh[i].hops > hh[i].level;
            }
            for (int i = 0; i < N; i++)
                cut += !off[i] && hh[i].tech == NET_WT_MESH && hh[i].hops == NET_WT_UNREACH;
        }
    }
    /* the example exercises both outcomes */
    cr_assert_gt(rerouted, 0);
    cr_assert_gt(cut, 0);
}

/* ---- backup power ----------------------------------------------------------------------- */

Test(wantech, a_site_goes_dark_exactly_when_the_outage_exceeds_its_backup)
{
    net_wt_config c = cfg();
    const net_wt_tech techs[] = {NET_WT_CELL, NET_WT_LRR};
    for (unsigned k = 0; k < 2; k++) {
        const net_wt_link *l = &c.link[techs[k]];
        double b = l->backup_s, down, up;
        const struct {
            double dur;
            int dark;
        } cases[] = {{0, 0}, {b - 1, 0}, {b, 0}, {b + 1e-3, 1}, {b + 1, 1}, {10 * b, 1}};
        for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            double lost = 1000;
            int rc = net_wt_site_outage(&c, techs[k], lost, lost + cases[i].dur, &down, &up);
            cr_assert_eq(rc, cases[i].dark, "%s outage %.3f s", net_wt_tech_name(techs[k]),
                         cases[i].dur);
            if (rc) {
                cr_assert_float_eq(down, lost + b, 1e-9);
                cr_assert_float_eq(up, lost + cases[i].dur + l->restart_s, 1e-9);
            }
        }
    }
}

Test(wantech, a_partly_recharged_battery_gives_out_sooner)
{
    net_wt_config c = cfg(); /* cellular: 1 h backup, 8 h recharge, 2 min restart */
    net_wt_site s;
    cr_assert_eq(net_wt_site_init(&c, &s, NET_WT_CELL, 0), 0);
    net_wt_site_mains(&c, &s, 0, false);
    cr_assert(net_wt_site_up(&c, &s, 1800));
    net_wt_site_mains(&c, &s, 1800, true); /* 1800 s left */
    cr_assert(isinf(net_wt_site_next(&c, &s)));
    net_wt_site_mains(&c, &s, 3800, false); /* + 2000 s x 3600/28800 = 2050 s left */
    cr_assert_float_eq(net_wt_site_next(&c, &s), 3800 + 2050, 1e-9);
    cr_assert(net_wt_site_up(&c, &s, 5850));
    cr_assert(!net_wt_site_up(&c, &s, 5850.01));
    net_wt_site_mains(&c, &s, 7000, true);
    cr_assert(!net_wt_site_up(&c, &s, 7100));
    cr_assert_float_eq(net_wt_site_next(&c, &s), 7120, 1e-9);
    cr_assert(net_wt_site_up(&c, &s, 7120));
    double down;
    uint32_t spells;
    net_wt_site_downtime(&c, &s, 8000, &down, &spells);
    cr_assert_float_eq(down, 7120 - 5850, 1e-9);
    cr_assert_eq(spells, 1);
    /* mains lost again during the restart: still one spell, restarted from the return */
    net_wt_site_mains(&c, &s, 9000, false);
    cr_assert_float_eq(net_wt_site_next(&c, &s), 9250, 1e-9);
    net_wt_site_mains(&c, &s, 9000 + 8000, true); /* long: dark again */
    net_wt_site_mains(&c, &s, 17050, false);      /* within the 120 s restart */
    net_wt_site_mains(&c, &s, 17060, true);
    cr_assert(!net_wt_site_up(&c, &s, 17179));
    cr_assert(net_wt_site_up(&c, &s, 17180));
    net_wt_site_downtime(&c, &s, 20000, &down, &spells);
    cr_assert_eq(spells, 2);
    /* charged 2000 s x 1/8 per s = 250 s by 9000: dark from 9250 until 17060 + 120 */
    cr_assert_float_eq(down, 1270 + (17180 - 9250), 1e-6);
    cr_assert_eq(net_wt_site_mains(&c, &s, 100, false), NET_EWT_TIME);
    cr_assert(net_wt_site_mains_on(&c, 49, 100));
    cr_assert(!net_wt_site_mains_on(&c, 50, 100));
}

/* ---- determinism ------------------------------------------------------------------------ */

Test(wantech, the_same_seed_gives_the_same_network_and_draws)
{
    net_wt_config c = cfg();
    c.hole_share[0] = c.hole_share[1] = 0.3;
    net_wt_hh a[300], b[300];
    cr_assert_eq(net_wt_lv_build(&c, 42, 13, 123456, 300, a), 0);
    /* other substations built in between change nothing */
    for (uint32_t s = 0; s < 5; s++)
        net_wt_lv_build(&c, s, 13, s * 300u, 300, b);
    cr_assert_eq(net_wt_lv_build(&c, 42, 13, 123456, 300, b), 0);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    c.seed = 8;
    net_wt_lv_build(&c, 42, 13, 123456, 300, b);
    cr_assert_neq(memcmp(a, b, sizeof a), 0);

    /* a different SMETS1 share leaves the other decisions of a premises alone */
    c.seed = 7;
    c.s1_share = 0.2;
    net_wt_lv_build(&c, 42, 13, 123456, 300, b);
    for (int i = 0; i < 300; i++)
        if (a[i].tech != NET_WT_S1 && !(a[i].flags & NET_WT_F_AERIAL) &&
            !(b[i].flags & NET_WT_F_AERIAL))
            cr_assert_eq(a[i].tech, b[i].tech);

    c = cfg();
    sim_rng r1, r2;
    net_wt_rng_seed(&r1, 3, 77);
    net_wt_rng_seed(&r2, 3, 77);
    net_wt_hh rec = {.tech = NET_WT_MESH, .hops = 3};
    for (int k = 0; k < 1000; k++) {
        net_wt_send s1, s2;
        net_wt_message(&c, &rec, &r1, NET_WT_POLLED, 500, true, &s1);
        net_wt_message(&c, &rec, &r2, NET_WT_POLLED, 500, true, &s2);
        cr_assert_eq(memcmp(&s1, &s2, sizeof s1), 0);
    }
}
