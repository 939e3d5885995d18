/* End to end: what the head-end sends to meters over the WAN.  Dynamic prices
 * (MM_CMD_SET_PRICES) go broadcast or one message per meter, and households act on a price
 * only once their meter holds it; on-demand reads and top-ups bought online are service
 * requests to one meter, answered, with the head-end's response times by class. */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { P0, PN, SENT, BC_AREAS, UNICAST, RECEIVED, REJECTED, LOST, LATE, LAG_MEAN, LAG_MAX, NC };

static char dir[] = "/tmp/metersim-dl-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    run_cmd("rm -rf '%s'", dir);
}

TestSuite(downlink, .init = setup, .fini = teardown, .timeout = 600);

static double *updates(hid_t f, hsize_t *n)
{
    hsize_t d[2];
    int r;
    double *u = h5_read_all(f, "/network/price_updates", H5T_NATIVE_DOUBLE, d, &r);
    cr_assert_not_null(u, "/network/price_updates");
    cr_assert_eq(d[1], NC);
    *n = d[0];
    return u;
}

static void count_codes(hid_t f, uint32_t counts[16])
{
    hid_t et = h5_event_type();
    hsize_t d[2];
    int r;
    h5_event *e = h5_read_all(f, "/events", et, d, &r);
    cr_assert_not_null(e);
    for (hsize_t k = 0; k < d[0]; k++)
        if (e[k].code >= 0x10000u && e[k].code < 0x10010u) counts[e[k].code - 0x10000u]++;
    free(e);
    H5Tclose(et);
}

Test(downlink, unicast_updates_finish_as_a_fifo_over_the_cell_link)
{
    /* Plain links (wan.technology: uniform).  An update is one frame per meter, 14 + 6 +
     * 4 x 48 + 12 = 224 B plus 64 B of overhead = 288 B, sent back to back over the area's
     * 8 kbit/s uplink: the k-th of n arrives k/n of the way through T = 0.11 s of latency +
     * 1.05 x n x 288 x 8 / 8000 s (SimGrid's CM02 gives 5 % of a shared link to the reverse
     * traffic of each flow, network/crosstraffic).  Arrival times are rounded up to the
     * second: per area the last meter's lag is T..T+1 and the mean lag T (n+1)/(2n)..+1. */
    hid_t f = run_trace(dir, "u.h5", "small.yaml",
                        "--set prices.tariff=agile --set wan.price_delivery=unicast "
                        "--set 'wan.uplink.bandwidth=8 kbit/s'");
    cr_assert_geq(f, 0);
    hsize_t n;
    double *u = updates(f, &n);
    cr_assert_geq(n, 1, "the next day's prices go out during the run");
    for (hsize_t k = 0; k < n; k++) {
        double *r = &u[k * NC];
        cr_expect_eq(r[BC_AREAS], 0);
        cr_expect_eq(r[UNICAST], 300);
        cr_expect_eq(r[RECEIVED], 300, "every meter accepts the update");
        cr_expect_eq(r[REJECTED] + r[LOST], 0);
        cr_expect_eq(r[LATE], 0, "day-ahead prices arrive before their day");
    }
    hsize_t d[2];
    int rk;
    hid_t at = H5Tcreate(H5T_COMPOUND, sizeof(uint32_t));
    H5Tinsert(at, "area", 0, H5T_NATIVE_UINT32);
    uint32_t *area = h5_read_all(f, "/households", at, d, &rk);
    cr_assert_not_null(area);
    double size[8] = {0}, last[8] = {0}, sum[8] = {0};
    for (hsize_t h = 0; h < d[0]; h++) size[area[h] < 8 ? area[h] : 7]++;
    hid_t et = h5_event_type();
    h5_event *e = h5_read_all(f, "/events", et, d, &rk);
    cr_assert_not_null(e);
    double sent = u[SENT];
    uint32_t got = 0;
    for (hsize_t k = 0; k < d[0]; k++) {
        if (e[k].code != 0x1000Cu || e[k].t_s > sent + 3600) continue;
        uint32_t a = area[e[k].household];
        double lag = e[k].t_s - sent;
        if (lag > last[a]) last[a] = lag;
        sum[a] += lag;
        got++;
    }
    cr_expect_eq(got, 300);
    for (int a = 0; a < 8 && size[a] > 0; a++) {
        double T = 0.11 + 1.05 * size[a] * 288.0 * 8.0 / 8000.0, mean = sum[a] / size[a];
        double fifo = T * (size[a] + 1) / (2 * size[a]);
        cr_log_info("area %d: %g meters, T %.2f s, last %.0f s, mean %.2f s (FIFO %.2f)", a,
                    size[a], T, last[a], mean, fifo);
        cr_expect(last[a] >= T - 0.01 && last[a] <= T + 1.01, "area %d last %.0f, T %.2f", a, last[a], T);
        cr_expect(mean >= fifo - 0.01 && mean <= fifo + 1.01, "area %d mean %.2f, FIFO %.2f", a,
                  mean, fifo);
    }
    /* Every meter answers; the head-end processes every answer as a tariff update. */
    uint32_t c[16] = {0};
    count_codes(f, c);
    cr_expect_eq(c[0xB], 300 * n, "sent %u", c[0xB]);
    cr_expect_eq(c[0xC], 300 * n, "received %u", c[0xC]);
    cr_expect_eq(c[0xE], 300 * n, "responses %u", c[0xE]);
    free(e);
    free(area);
    H5Tclose(et);
    H5Tclose(at);
    free(u);
    H5Fclose(f);
}

Test(downlink, a_broadcast_reaches_every_meter_of_an_area_with_one_transfer)
{
    hid_t f = run_trace(dir, "b.h5", "small.yaml",
                        "--set prices.tariff=agile --set wan.price_delivery=broadcast "
                        "--set 'wan.uplink.bandwidth=8 kbit/s'");
    cr_assert_geq(f, 0);
    hsize_t n;
    double *u = updates(f, &n);
    cr_assert_geq(n, 1);
    /* one 288 B transfer: 0.11 s + 0.29 s, rounded up to a whole second */
    for (hsize_t k = 0; k < n; k++) {
        double *r = &u[k * NC];
        cr_expect_eq(r[BC_AREAS], 3);
        cr_expect_eq(r[UNICAST], 0);
        cr_expect_eq(r[RECEIVED], 300);
        cr_expect_eq(r[LAG_MAX], 1.0, "lag %.2f", r[LAG_MAX]);
    }
    uint32_t c[16] = {0};
    count_codes(f, c);
    cr_expect_eq(c[0xB], 3 * n, "one send record per area");
    cr_expect_eq(c[0xE], 0, "no answers to a broadcast");
    free(u);
    H5Fclose(f);
}

Test(downlink, real_time_prices_reach_meters_after_their_period_has_begun)
{
    /* RTP: a period's price is fixed from the previous period's demand at its start, so
     * every update arrives late by its transfer time (the meters bill the period's first
     * seconds at the old price). */
    hid_t f = run_trace(dir, "r.h5", "small.yaml",
                        "--set prices.tariff=rtp --set wan.price_delivery=unicast");
    cr_assert_geq(f, 0);
    hsize_t n;
    double *u = updates(f, &n);
    cr_expect_geq(n, 90, "about one update per settlement period (%llu)", (unsigned long long)n);
    double late = 0, got = 0;
    for (hsize_t k = 0; k < n; k++) {
        cr_expect_eq(u[k * NC + PN], 1);
        late += u[k * NC + LATE];
        got += u[k * NC + RECEIVED];
    }
    cr_expect_eq(late, got, "%g of %g late", late, got);
    free(u);
    H5Fclose(f);
}

/* Share of the import in 16:00-19:00 UTC on days D0..D1-1 of every household. */
static double peak_share_days(hid_t f, int d0, int d1)
{
    hsize_t d[2];
    int r;
    uint32_t *imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, d, &r);
    cr_assert_not_null(imp);
    cr_assert_geq(d[1], (hsize_t)d1 * 48);
    double peak = 0, all = 0;
    for (hsize_t h = 0; h < d[0]; h++)
        for (int p = d0 * 48; p < d1 * 48; p++) {
            double v = imp[h * d[1] + (hsize_t)p];
            all += v;
            if (p % 48 >= 32 && p % 48 < 38) peak += v;
        }
    free(imp);
    return peak / all;
}

static double peak_share(hid_t f, int day)
{
    return peak_share_days(f, day, day + 1);
}

/* small.yaml with the --set options BASE and then EXTRA, traced to NAME. */
static hid_t run_sets(const char *name, const char *base, const char *extra)
{
    char sets[512];
    snprintf(sets, sizeof sets, "%s %s", base, extra);
    return run_trace(dir, name, "small.yaml", sets);
}

Test(downlink, households_act_on_prices_only_once_they_arrive)
{
    /* Every household follows Agile prices.  Day 2's prices go out at 16:00 on day 1; over
     * an uplink of 1 bit/s they never arrive, so on day 2 households shift nothing and the
     * evening share is that of households that ignore prices; over the normal WAN it drops. */
    const char *base = "--set households=1200 --set 'duration=3 d' --set prices.tariff=agile "
                       "--set wan.price_delivery=unicast --set 'load.dr.engaged_share=100 %'";
    hid_t fast = run_sets("fast.h5", base, "");
    hid_t never = run_sets("never.h5", base, "--set 'wan.uplink.bandwidth=1 bit/s'");
    hid_t none = run_sets("none.h5", base, "--set 'load.dr.engaged_share=0 %'");
    cr_assert(fast >= 0 && never >= 0 && none >= 0);
    double sf = peak_share(fast, 2), sn = peak_share(never, 2), s0 = peak_share(none, 2);
    cr_log_info("16:00-19:00 share on day 2: prices arrived %.4f, never arrived %.4f, "
                "households ignore prices %.4f", sf, sn, s0);
    cr_expect(fabs(sn - s0) / s0 < 0.03, "without prices: %.4f vs %.4f", sn, s0);
    cr_expect(sf < s0 * 0.93, "with prices: %.4f vs %.4f", sf, s0);
    H5Fclose(fast);
    H5Fclose(never);
    H5Fclose(none);
}

Test(downlink, households_follow_real_time_prices_from_the_moment_they_arrive)
{
    /* Every household follows real-time prices, which reach the meters seconds into the
     * period they price.  A meter takes an update when its pending advances are made (at the
     * half-hour's close, runner.h sim_hh_pend); a household reading prices in between makes
     * them first (sim_price_hook), so it knows the price from its arrival: over four days
     * the evening share falls about 1.6 % below that of households that ignore prices.  Had
     * it to wait for the close, the price would come too late to move anything (measured
     * with that read left out: +0.1 %). */
    const char *base = "--set households=5000 --set 'duration=4 d' --set prices.tariff=rtp "
                       "--set wan.price_delivery=unicast";
    hid_t follow = run_sets("follow.h5", base, "--set 'load.dr.engaged_share=100 %'");
    hid_t ignore = run_sets("ignore.h5", base, "--set 'load.dr.engaged_share=0 %'");
    cr_assert(follow >= 0 && ignore >= 0);
    double sf = peak_share_days(follow, 0, 4), si = peak_share_days(ignore, 0, 4);
    cr_log_info("16:00-19:00 share over 4 days: households follow prices %.4f, ignore them "
                "%.4f (%+.2f %%)", sf, si, 100.0 * (sf / si - 1.0));
    cr_expect(sf < si * 0.992, "following: %.4f vs %.4f", sf, si);
    H5Fclose(follow);
    H5Fclose(ignore);
}

/* Column C of row ROW ("ondemand_read", ...) of /network/headend/class_stats. */
static double class_stat(hid_t f, int row, int col)
{
    hsize_t d[2];
    int r;
    double *v = h5_read_all(f, "/network/headend/class_stats", H5T_NATIVE_DOUBLE, d, &r);
    cr_assert_not_null(v);
    double x = v[row * (int)d[1] + col];
    free(v);
    return x;
}

enum { CS_OFFERED = 0, CS_COMPLETED = 5, CS_MET = 6 };
enum { CLS_TOPUP = 3, CLS_ONDEMAND = 4 };

static void count_values(hid_t f, uint32_t code, int64_t value, uint32_t *n)
{
    hid_t et = h5_event_type();
    hsize_t d[2];
    int r;
    h5_event *e = h5_read_all(f, "/events", et, d, &r);
    cr_assert_not_null(e);
    *n = 0;
    for (hsize_t k = 0; k < d[0]; k++) *n += e[k].code == code && e[k].value == value;
    free(e);
    H5Tclose(et);
}

Test(downlink, on_demand_reads_are_poisson_requests_answered_within_the_dcc_target)
{
    /* 2 reads per meter per day: 300 meters x 2 days = 1,200 expected (Poisson sd 35;
     * +-10 % is 3.5 sd).  On plain 2 Mbit/s links each answer is back well inside the
     * DCC's 25 s target for on-demand requests. */
    hid_t f = run_trace(dir, "o.h5", "small.yaml", "--set headend.ondemand_reads=2");
    cr_assert_geq(f, 0);
    uint32_t sent, got;
    count_values(f, 0x1000Bu, 0x0401, &sent);
    count_values(f, 0x1000Cu, 0x0401, &got);
    cr_expect(fabs(sent - 1200.0) < 120.0, "%u on-demand reads", sent);
    cr_expect_geq(got, sent - 2, "%u of %u reached their meter", got, sent);
    double done = class_stat(f, CLS_ONDEMAND, CS_COMPLETED);
    cr_expect_geq(done, got - 2, "%g answers processed", done);
    cr_expect_eq(class_stat(f, CLS_ONDEMAND, CS_MET), done, "all within 25 s");
    H5Fclose(f);
}

Test(downlink, top_ups_bought_online_reach_the_meter_as_commands)
{
    /* Every meter in prepayment, every top-up bought online: each is a MM_CMD_TOP_UP the
     * meter accepts (a TOPUP record of 2,000 p), none typed at the meter. */
    hid_t f = run_trace(dir, "t.h5", "small.yaml",
                        "--set 'meter.prepayment_share=100 %' --set 'meter.remote_topup_share=100 %' "
                        "--set 'duration=6 d'");
    cr_assert_geq(f, 0);
    uint32_t sent, got, credited, refused;
    count_values(f, 0x1000Bu, 0x0202, &sent);
    count_values(f, 0x1000Cu, 0x0202, &got);
    count_values(f, 0x10008u, 2000, &credited);
    count_values(f, 0x10008u, -1, &refused);
    cr_log_info("%u top-ups sent, %u accepted, %u credited, %u refused", sent, got, credited, refused);
    cr_expect_gt(sent, 20, "households run low and buy credit");
    cr_expect_eq(got, credited);
    cr_expect_eq(refused, 0);
    cr_expect_geq(got, sent - 2, "all but those still in flight at the end");
    cr_expect_geq(class_stat(f, CLS_TOPUP, CS_COMPLETED), got - 2);
    cr_expect_eq(H5Lexists(f, "/network/price_updates", H5P_DEFAULT), 0,
                 "requests to one meter are not price updates (flat tariff: none)");
    H5Fclose(f);
}
