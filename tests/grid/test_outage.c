/* Topology and outages against their published targets: about 70 customers per LV
 * transformer (ENWL); a customer loses supply about once every 3 years for about an hour
 * (GB DNO reliability figures); Storm Eunice (Feb 2022): 1.4M off, 1.2M restored within
 * about a day. */
#include "grid/outage.h"
#include "grid/topology.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#define YEAR_S (365.25 * 86400.0)

static grid_topology_params topo_params(uint32_t households, uint32_t regions)
{
    return (grid_topology_params){.seed = 11,
                                  .households = households,
                                  .region_mask = (1u << regions) - 1u,
                                  .lv_customers_mean = 70,
                                  .lv_customers_cv = 0.8,
                                  .primary_customers = 6000,
                                  .hv_feeders_per_primary = 8,
                                  .lv_feeders_per_substation = 4,
                                  .flat_share = 0.2};
}

static grid_topology *make_topo(uint32_t households, uint32_t regions)
{
    grid_topology_params p = topo_params(households, regions);
    grid_topology *t = NULL;
    char err[128];
    cr_assert_eq(grid_topology_create(&p, &t, err, sizeof err), 0, "%s", err);
    return t;
}

Test(topology, substations_average_about_70_customers_and_cover_every_household)
{
    grid_topology *t = make_topo(300000, 14);
    uint32_t next = 0;
    for (uint32_t s = 0; s < t->n_lv; s++) {
        cr_assert_eq(t->lv[s].first, next, "substation %u starts where the last ended", s);
        cr_assert_gt(t->lv[s].count, 0);
        next += t->lv[s].count;
    }
    cr_assert_eq(next, 300000);
    /* ENWL: 2.4M customers / 34,000 transformers = 70.6; +-5 %. */
    double mean = 300000.0 / t->n_lv;
    cr_expect(fabs(mean - 70.0) / 70.0 < 0.05, "mean customers per LV substation %.1f", mean);
    grid_topology_destroy(t);
}

Test(topology, regions_follow_their_customer_shares)
{
    grid_topology *t = make_topo(1000000, 14);
    double total = 0;
    for (int r = 0; r < 14; r++) total += grid_region_default_share[r];
    for (int r = 0; r < 14; r++) {
        double got = (t->region_first[r + 1] - t->region_first[r]) / 1e6;
        double want = grid_region_default_share[r] / total;
        cr_expect(fabs(got - want) < 1e-5, "region %s: %.5f vs %.5f", grid_region_name((unsigned)r),
                  got, want);
    }
    for (uint32_t s = 0; s < t->n_lv; s++) {
        unsigned r = t->lv[s].region;
        cr_assert(t->lv[s].first >= t->region_first[r] &&
                  t->lv[s].first + t->lv[s].count <= t->region_first[r + 1]);
    }
    grid_topology_destroy(t);
}

Test(topology, flats_and_feeders_are_stable_per_premises)
{
    grid_topology *t = make_topo(100000, 1);
    uint32_t flats = 0, feeder_count[4] = {0};
    for (uint32_t id = 0; id < 100000; id++) {
        flats += grid_topology_dwelling(t, id) == GRID_FLAT;
        feeder_count[grid_topology_feeder(t, id)]++;
        cr_assert_eq(grid_topology_lv_of(t, id), grid_topology_lv_of(t, id));
    }
    cr_expect(fabs(flats / 1e5 - 0.2) < 0.01, "flat share %.3f", flats / 1e5);
    for (int f = 0; f < 4; f++) cr_expect(abs((int)feeder_count[f] - 25000) < 800);
    uint32_t s = grid_topology_lv_of(t, 54321);
    cr_expect(t->lv[s].first <= 54321 && 54321 < t->lv[s].first + t->lv[s].count);
    grid_topology_destroy(t);
}

static grid_outage_params background(int64_t span)
{
    return (grid_outage_params){.seed = 5,
                                .duration_s = span,
                                .interruptions_per_year = 1.0 / 3.0,
                                .mean_duration_s = 3600,
                                .duration_sigma = 1.0,
                                .share_hv = 0.55,
                                .share_lv_substation = 0.15,
                                .share_lv_feeder = 0.30};
}

Test(outage, background_faults_give_one_interruption_per_three_years_of_about_an_hour)
{
    /* GB DNO reliability figures: about once every 3 years, for about an hour.  100 years of
     * 50,000 customers; tolerance +-10 % on both (sampling error of the rarest level, HV, is
     * ~3 %). */
    grid_topology *t = make_topo(50000, 2);
    int64_t span = (int64_t)(100 * YEAR_S);
    grid_outage_params p = background(span);
    grid_outage_event *ev;
    size_t n;
    char err[64];
    cr_assert_eq(grid_outage_generate(&p, t, &ev, &n, err, sizeof err), 0);
    /* customers per (substation, feeder) */
    uint32_t *per_feeder = calloc((size_t)t->n_lv * 4, sizeof *per_feeder);
    for (uint32_t id = 0; id < 50000; id++)
        per_feeder[grid_topology_lv_of(t, id) * 4 + grid_topology_feeder(t, id)]++;
    double ci = 0, cml_s = 0;
    for (size_t k = 0; k < n; k++) {
        double c = ev[k].feeder == GRID_ALL_FEEDERS ? t->lv[ev[k].lv].count
                                                     : per_feeder[ev[k].lv * 4 + ev[k].feeder];
        if (ev[k].delta > 0) {
            ci += c;
            cml_s -= c * ev[k].t;
        } else {
            cml_s += c * ev[k].t;
        }
        if (k) cr_assert(ev[k - 1].t <= ev[k].t, "sorted");
    }
    /* faults still open at the end count until the end */
    int64_t open = 0;
    for (size_t k = 0; k < n; k++)
        open += ev[k].delta * (int64_t)(ev[k].feeder == GRID_ALL_FEEDERS
                                            ? t->lv[ev[k].lv].count
                                            : per_feeder[ev[k].lv * 4 + ev[k].feeder]);
    cml_s += (double)open * (double)span;
    double per_year = ci / 50000.0 / (span / YEAR_S);
    double mean_h = cml_s / ci / 3600.0;
    cr_expect(fabs(per_year - 1.0 / 3.0) / (1.0 / 3.0) < 0.10, "%.3f interruptions/yr", per_year);
    cr_expect(fabs(mean_h - 1.0) < 0.10, "mean duration %.2f h", mean_h);
    free(per_feeder);
    free(ev);
    grid_topology_destroy(t);
}

static grid_storm_params eunice(void)
{
    return (grid_storm_params){.enabled = 1,
                               .start_s = 3600,
                               .onset_s = 6 * 3600,
                               .region_mask = 0x3FFF,
                               .share = 0.3,
                               .fast_share = 0.87,
                               .fast_median_s = 5 * 3600,
                               .tail_median_s = 3 * 86400,
                               .sigma = 0.8};
}

Test(outage, eunice_shaped_storm_restores_86_percent_within_a_day_with_a_tail_over_days)
{
    /* Storm Eunice (Feb 2022): 1.4M off, 1.2M restored within about a day:
     * 1.2/1.4 = 85.7 %.  Analytic curve of the default shape: +-2 points; the generated
     * restoration curve follows the analytic one within 2 points at every checkpoint. */
    grid_topology *t = make_topo(1000000, 14);
    grid_outage_params p = background(30 * 86400);
    p.interruptions_per_year = 0; /* storm only */
    p.storm = eunice();
    cr_expect(fabs(grid_storm_restored_within(&p.storm, 86400) - 1.2 / 1.4) < 0.02,
              "analytic %.3f within a day", grid_storm_restored_within(&p.storm, 86400));
    grid_outage_event *ev;
    size_t n;
    char err[64];
    cr_assert_eq(grid_outage_generate(&p, t, &ev, &n, err, sizeof err), 0);
    uint32_t *off = calloc(t->n_lv, sizeof *off), *on = calloc(t->n_lv, sizeof *on);
    uint64_t hit_customers = 0;
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(ev[k].cause, GRID_CAUSE_STORM);
        if (ev[k].delta > 0) {
            off[ev[k].lv] = ev[k].t;
            hit_customers += t->lv[ev[k].lv].count;
        } else {
            on[ev[k].lv] = ev[k].t;
        }
    }
    /* ~30 % of 1M customers hit */
    cr_expect(fabs(hit_customers / 1e6 - 0.3) < 0.01, "hit %.3f", hit_customers / 1e6);
    static const double check_h[] = {3, 6, 12, 24, 48, 72, 120, 240};
    for (size_t c = 0; c < sizeof check_h / sizeof check_h[0]; c++) {
        double T = check_h[c] * 3600, hit = 0, done = 0;
        for (uint32_t s = 0; s < t->n_lv; s++) {
            if (!off[s]) continue;
            hit++;
            if (on[s] && on[s] - off[s] <= T) done++;
        }
        double want = grid_storm_restored_within(&p.storm, T);
        cr_expect(fabs(done / hit - want) < 0.02, "within %.0f h: %.3f vs analytic %.3f",
                  check_h[c], done / hit, want);
    }
    /* A tail over several days: some substations are still off after 5 days. */
    double late = 0, hit = 0;
    for (uint32_t s = 0; s < t->n_lv; s++)
        if (off[s]) {
            hit++;
            late += !on[s] || on[s] - off[s] > 5 * 86400;
        }
    cr_expect(late / hit > 0.02 && late / hit < 0.10, "off after 5 days: %.3f", late / hit);
    free(off);
    free(on);
    free(ev);
    grid_topology_destroy(t);
}

Test(outage, regions_outside_the_storm_keep_supply)
{
    grid_topology *t = make_topo(100000, 14);
    grid_outage_params p = background(10 * 86400);
    p.interruptions_per_year = 0;
    p.storm = eunice();
    p.storm.region_mask = 1u << 11; /* London only */
    grid_outage_event *ev;
    size_t n;
    char err[64];
    cr_assert_eq(grid_outage_generate(&p, t, &ev, &n, err, sizeof err), 0);
    cr_assert_gt(n, 0);
    for (size_t k = 0; k < n; k++) cr_assert_eq(t->lv[ev[k].lv].region, 11);
    free(ev);
    grid_topology_destroy(t);
}
