/* The mixed fleet end to end (sim/fleet.c, firmware.c, household.c, uplink.c, sink.c):
 * - a storm on the default GB mix: every restored meter logs its restore, only SMETS2 meters
 *   send restore alerts and AD1 (after the firmware's dither), SMETS1 and traditional meters
 *   send none, traditional meters send and receive nothing at all, SMETS1 traffic goes to its
 *   supplier's head-end and the DNO knows only what reached the DCC;
 * - two populations on different tariffs, one block and one Agile, bill what the published
 *   prices and the meters' own half-hourly records say, computed here by hand;
 * - every meter has its own identity, and UTRNs typed at or sent to it are accepted. */
#include "h5read.h"

#include "grid/price.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/metersim-fleet-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    run_cmd("rm -rf '%s'", dir);
}

TestSuite(fleet, .init = setup, .fini = teardown, .timeout = 300);

enum { GEN_SMETS2, GEN_SMETS1, GEN_TRADITIONAL };
#define EV_RESTORED 0x8F35u
#define EV_RESTORED_LONG 0x8F36u
#define EV_READ_SENT 0x10001u
#define EV_ALERT_SENT 0x10003u
#define EV_ALERT_DELIVERED 0x10004u
#define EV_SUPPLY_LOST 0x10006u
#define EV_TOPUP 0x10008u
#define EV_CMD_SENT 0x1000Bu
#define EV_CMD_RECEIVED 0x1000Cu
#define EV_CMD_REJECTED 0x1000Du
#define ALERT_AD1 0xAD1

typedef struct hh {
    uint8_t generation, supplier, tariff, prepay, wan_tech;
} hh;

static hh *read_households(hid_t f, hsize_t *n)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(hh));
    H5Tinsert(t, "generation", HOFFSET(hh, generation), H5T_NATIVE_UINT8);
    H5Tinsert(t, "supplier", HOFFSET(hh, supplier), H5T_NATIVE_UINT8);
    H5Tinsert(t, "tariff", HOFFSET(hh, tariff), H5T_NATIVE_UINT8);
    H5Tinsert(t, "prepay", HOFFSET(hh, prepay), H5T_NATIVE_UINT8);
    H5Tinsert(t, "wan_tech", HOFFSET(hh, wan_tech), H5T_NATIVE_UINT8);
    hsize_t d[2];
    int r;
    hh *h = h5_read_all(f, "/households", t, d, &r);
    H5Tclose(t);
    cr_assert_not_null(h);
    *n = d[0];
    return h;
}

static h5_event *read_events(hid_t f, hsize_t *n)
{
    hid_t et = h5_event_type();
    hsize_t d[2];
    int r;
    h5_event *e = h5_read_all(f, "/events", et, d, &r);
    H5Tclose(et);
    cr_assert_not_null(e);
    *n = d[0];
    return e;
}

Test(fleet, a_storm_on_the_gb_mix_is_reported_by_smets2_meters_only)
{
    hid_t f = run_trace(dir, "storm.h5", "fleet.yaml", "");
    cr_assert_geq(f, 0);
    hsize_t n, ne;
    hh *h = read_households(f, &n);
    h5_event *e = read_events(f, &ne);
    uint64_t gen_n[3] = {0}, restored[3] = {0}, restore_sent[3] = {0}, ad1[3] = {0}, wan[3] = {0};
    uint64_t known = 0, s1_reads = 0, s2_reads = 0, s1_delivered = 0;
    double *restored_at = calloc(n, sizeof *restored_at);
    uint8_t *first = calloc(n, 1); /* the next restore alert sent is the first after it */
    for (hsize_t i = 0; i < n; i++) {
        gen_n[h[i].generation]++;
        restored_at[i] = -1;
    }
    /* The default mix (scenario/keys.c): 24.4 % SMETS2, 24.9 % SMETS1, 50.7 % traditional;
     * binomial sd over 3,000 is under 0.92 points: +-3 points. */
    cr_expect(fabs(gen_n[GEN_SMETS2] / (double)n - 0.244) < 0.03, "SMETS2 %lu", gen_n[0]);
    cr_expect(fabs(gen_n[GEN_SMETS1] / (double)n - 0.249) < 0.03, "SMETS1 %lu", gen_n[1]);
    cr_expect(fabs(gen_n[GEN_TRADITIONAL] / (double)n - 0.507) < 0.03, "trad %lu", gen_n[2]);
    for (hsize_t i = 0; i < n; i++) {
        if (h[i].generation == GEN_TRADITIONAL) cr_expect_eq(h[i].wan_tech, 254, "no WAN");
        if (h[i].generation == GEN_SMETS1) cr_expect_eq(h[i].wan_tech, 2, "SMETS1 2G/3G");
        if (h[i].generation == GEN_SMETS2) cr_expect_neq(h[i].wan_tech, 2, "DCC technology");
    }
    for (hsize_t k = 0; k < ne; k++) {
        uint32_t id = e[k].household;
        if (id >= n) continue; /* broadcasts */
        int g = h[id].generation;
        uint32_t c = e[k].code;
        if (c == EV_RESTORED || c == EV_RESTORED_LONG) {
            restored[g]++;
            restored_at[id] = e[k].t_s;
            first[id] = 1;
        } else if (c == EV_ALERT_SENT && e[k].value == ALERT_AD1) {
            ad1[g]++;
        } else if (c == EV_ALERT_SENT &&
                   (e[k].value == EV_RESTORED || e[k].value == EV_RESTORED_LONG)) {
            restore_sent[g]++;
            /* the first after the firmware's dither: within [0, 2 min] of the restoration
             * (later ones are the hub's retries) */
            double lag = e[k].t_s - restored_at[id];
            if (first[id])
                cr_expect(restored_at[id] >= 0 && lag >= 0 && lag <= 120.0, "household %u lag %.1f",
                          id, lag);
            first[id] = 0;
        } else if (c == EV_ALERT_DELIVERED &&
                   (e[k].value == EV_RESTORED || e[k].value == EV_RESTORED_LONG)) {
            known++;
            cr_expect_eq(g, GEN_SMETS2, "a restore alert reached the DCC from household %u", id);
        }
        if (c >= 0x10001u && c != EV_SUPPLY_LOST && c != EV_TOPUP) wan[g]++;
        if (c == EV_READ_SENT && g == GEN_SMETS1) s1_reads++;
        if (c == EV_READ_SENT && g == GEN_SMETS2) s2_reads++;
        if (c == 0x10002u && g == GEN_SMETS1) s1_delivered++; /* WAN_READ_DELIVERED */
    }
    /* Every generation's meters are hit and log their restorations. */
    for (int g = 0; g < 3; g++)
        cr_expect_gt(restored[g], 20, "generation %d restored %lu", g, restored[g]);
    /* Only SMETS2 meters send: one restore alert per restoration (none lost on the uplink:
     * lost ones are sent again, never duplicated in sends), and their hubs' AD1. */
    cr_expect_geq(restore_sent[GEN_SMETS2], restored[GEN_SMETS2]);
    cr_expect_gt(ad1[GEN_SMETS2], 0);
    cr_expect_eq(restore_sent[GEN_SMETS1] + ad1[GEN_SMETS1], 0, "SMETS1 only log");
    cr_expect_eq(restore_sent[GEN_TRADITIONAL] + ad1[GEN_TRADITIONAL], 0);
    cr_expect_eq(wan[GEN_TRADITIONAL], 0, "a traditional meter sends and receives nothing");
    cr_expect_gt(wan[GEN_SMETS1], 0, "SMETS1 meters are read");
    cr_expect_gt(known, 0);
    cr_expect_leq(known, restored[GEN_SMETS2], "the DNO knows only what SMETS2 meters sent");

    /* SMETS1 traffic reaches its supplier's head-end, SMETS2 traffic the DCC's. */
    typedef struct sup {
        uint64_t offered;
        uint32_t smets1_meters;
    } sup;
    hid_t st = H5Tcreate(H5T_COMPOUND, sizeof(sup));
    H5Tinsert(st, "hes_offered", HOFFSET(sup, offered), H5T_NATIVE_UINT64);
    H5Tinsert(st, "smets1_meters", HOFFSET(sup, smets1_meters), H5T_NATIVE_UINT32);
    hsize_t ds[2], da[2];
    int r;
    sup *s = h5_read_all(f, "/fleet/suppliers", st, ds, &r);
    uint32_t *arr = h5_read_all(f, "/network/headend/arrivals", H5T_NATIVE_UINT32, da, &r);
    cr_assert(s && arr);
    cr_expect_eq(ds[0], 1);
    cr_expect_eq(s[0].smets1_meters, gen_n[GEN_SMETS1]);
    /* SMETS1 reads: some lost on 2G/3G, the rest offered to the supplier's head-end */
    cr_expect_gt(s1_delivered, 0);
    cr_expect(s[0].offered >= s1_delivered && s[0].offered <= s1_reads,
              "supplier head-end offered "
              "%lu, SMETS1 reads sent %lu, delivered %lu",
              s[0].offered, s1_reads, s1_delivered);
    uint64_t dcc = 0;
    for (hsize_t k = 0; k < da[0]; k++)
        dcc += arr[k];
    cr_expect_gt(dcc, 0);
    cr_expect_leq(dcc, s2_reads + restore_sent[GEN_SMETS2] + ad1[GEN_SMETS2], "DCC: SMETS2 only");
    H5Tclose(st);
    free(s);
    free(arr);
    free(restored_at);
    free(first);
    free(h);
    free(e);
    H5Fclose(f);
}

/* Two populations of one supplier: "block" on its block tariff (the first 4 kWh of each UTC day
 * at 20 p/kWh, the rest at 30 p/kWh), in prepayment mode with little credit so its customers
 * top up; "agile" on the Agile-style tariff whose prices reach the meters a day ahead over the
 * WAN.  Each bill is recomputed from the meter's half-hourly import and the published prices:
 * cost [1e-8 p] = Wh x price [1e-2 p/kWh] x 1000, exactly (the firmware's cost unit). */
Test(fleet, block_and_agile_populations_bill_as_computed_by_hand)
{
    hid_t f = run_trace(dir, "bill.h5", "small.yaml",
                        "--set households=60 --set prices.tariff=agile "
                        "--set 'suppliers=[{name: s, block: {thresholds: \"4 kWh\", prices: "
                        "\"20 p/kWh, 30 p/kWh\"}}]' "
                        "--set 'fleet.populations=[{name: block, share: 50 %, tariff: block, "
                        "prepayment_share: 100 %}, {name: agile, share: 50 %, tariff: agile, "
                        "prepayment_share: 0 %}]' "
                        "--set 'meter.prepayment.initial_credit=1 GBP'");
    cr_assert_geq(f, 0);
    hsize_t n, ne, dh[2], dp[2], db[2];
    int r;
    hh *h = read_households(f, &n);
    h5_event *e = read_events(f, &ne);
    uint32_t *imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, dh, &r);
    double *price = h5_read_all(f, "/grid/price_p_kwh", H5T_NATIVE_DOUBLE, dp, &r);
    int64_t *bill = h5_read_all(f, "/meter/billing/final", H5T_NATIVE_INT64, db, &r);
    cr_assert(imp && price && bill);
    uint32_t np = (uint32_t)dh[1];
    cr_assert_eq(dp[0], np);
    int64_t standing = -1;
    uint32_t on[7] = {0};
    for (hsize_t i = 0; i < n; i++) {
        int64_t energy = 0;
        on[h[i].tariff]++;
        if (h[i].tariff == 5) { /* block: per UTC day (the run starts at 00:00) */
            for (uint32_t d = 0; d < np / 48; d++) {
                int64_t wh = 0;
                for (uint32_t p = 48 * d; p < 48 * d + 48; p++)
                    wh += imp[i * np + p];
                int64_t low = wh < 4000 ? wh : 4000;
                energy += (low * 2000 + (wh - low) * 3000) * 1000;
            }
        } else {
            cr_assert_eq(h[i].tariff, 3, "household %lu on tariff %u", (unsigned long)i,
                         h[i].tariff);
            for (uint32_t p = 0; p < np; p++) {
                int64_t c = price[p] > 0 ? llround(price[p] * 100.0) : 0;
                energy += (int64_t)imp[i * np + p] * c * 1000;
            }
        }
        int64_t rest = bill[i * db[1]] - energy; /* the standing charge, the same for all */
        if (standing < 0) standing = rest;
        cr_expect_eq(rest, standing, "household %lu (tariff %u): bill %ld, energy %ld",
                     (unsigned long)i, h[i].tariff, (long)bill[i * db[1]], (long)energy);
    }
    grid_price_config pc;
    grid_price_config_default(&pc);
    cr_expect_eq(standing, llround(pc.flat.standing_p_day * 100.0) * 2 * 1000000,
                 "2 days standing");
    cr_expect_gt(on[5], 10);
    cr_expect_gt(on[3], 10);
    /* Each meter has its own identity: the top-ups addressed to it (typed or sent) are taken,
     * price updates framed for it are accepted. */
    uint64_t topups = 0, received = 0;
    for (hsize_t k = 0; k < ne; k++) {
        if (e[k].code == EV_TOPUP) {
            topups++;
            cr_expect_gt(e[k].value, 0, "top-up of household %u refused", e[k].household);
        }
        if (e[k].code == EV_CMD_RECEIVED) received++;
        cr_expect_neq(e[k].code, EV_CMD_REJECTED, "household %u refused a command", e[k].household);
    }
    cr_expect_gt(topups, 10);
    cr_expect_geq(received, on[3], "every Agile meter took its price updates");
    free(h);
    free(e);
    free(imp);
    free(price);
    free(bill);
    H5Fclose(f);
}

/* A fleet that cannot run is refused before the run starts: exit 2, one line naming the
 * population or supplier and why, no trace left. */
static void refused(const char *sets, const char *want)
{
    const char *b = getenv("METERSIM_BIN"), *src = getenv("METERSIM_SOURCE_DIR");
    cr_assert(b && src, "run through ctest");
    int rc =
        run_cmd("'%s' run '%s/tests/sim/data/small.yaml' -o '%s/bad.h5' --quiet %s 2> '%s/err.txt'",
                b, src, dir, sets, dir);
    cr_expect_eq(rc, 2, "%s: exit %d", sets, rc);
    char path[300], msg[1024] = "";
    snprintf(path, sizeof path, "%s/err.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(msg, 1, sizeof msg - 1, f);
    msg[n] = '\0';
    fclose(f);
    cr_expect(strstr(msg, want) != NULL, "%s: got \"%s\", want \"%s\"", sets, msg, want);
    snprintf(path, sizeof path, "%s/bad.h5", dir);
    cr_expect_neq(access(path, F_OK), 0, "no trace left");
}

Test(fleet, a_fleet_that_cannot_run_is_refused_with_the_population_named)
{
    refused("--set 'fleet.populations=[{name: a, supplier: nobody}]'",
            "fleet.populations[0] (a).supplier: no supplier is named \"nobody\"");
    refused("--set 'fleet.populations=[{name: a, generation: traditional, tariff: agile}]'",
            "fleet.populations[0] (a).tariff: a traditional meter cannot take a dynamic tariff");
    refused(
        "--set 'fleet.populations=[{name: a, tariff: block}]'",
        "fleet.populations[0] (a).tariff: block, but supplier supplier defines no block tariff");
    refused("--set 'fleet.populations=[{name: a, count: 301}, {name: b}]'",
            "fleet.populations[0] (a).count: 301 households asked, only 300 left in its regions");
    refused("--set 'fleet.populations=[{name: a, regions: \"1\"}]'",
            "fleet.populations: no population with a share covers region 2");
    refused("--set 'fleet.populations=[{name: a}, {name: a}]'",
            "fleet.populations[1].name: \"a\" is also populations[0]'s");
    refused("--set 'fleet.populations=[{name: a}, {name: b, firmware: /nonexistent/fw.so}]'",
            "fleet.populations[1] (b): firmware image refused: /nonexistent/fw.so");
    refused("--set 'suppliers=[{name: s, block: {thresholds: \"4 kWh\", prices: \"20 p/kWh\"}}]'",
            "suppliers[0] (s).block.prices: 1 prices for 1 thresholds");
    /* what needs no topology, `metersim validate` finds too */
    const char *b = getenv("METERSIM_BIN"), *src = getenv("METERSIM_SOURCE_DIR");
    cr_expect_eq(run_cmd("'%s' validate '%s/tests/sim/data/small.yaml' --set "
                         "'fleet.populations=[{name: a, supplier: nobody}]' > /dev/null 2>&1",
                         b, src),
                 2);
}

/* Counts are exact, shares follow the regions they are given. */
Test(fleet, counts_are_exact_and_regional_populations_stay_in_their_regions)
{
    hid_t f = run_trace(dir, "count.h5", "small.yaml",
                        "--set 'fleet.populations=[{name: few, count: 37, generation: smets1}, "
                        "{name: north, regions: \"1\"}, {name: south, regions: \"2\", generation: "
                        "traditional}]'");
    cr_assert_geq(f, 0);
    typedef struct row {
        uint16_t region;
        uint8_t population;
    } row;
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(t, "region", HOFFSET(row, region), H5T_NATIVE_UINT16);
    H5Tinsert(t, "population", HOFFSET(row, population), H5T_NATIVE_UINT8);
    hsize_t d[2];
    int r;
    row *h = h5_read_all(f, "/households", t, d, &r);
    cr_assert_not_null(h);
    uint32_t count[3] = {0};
    for (hsize_t i = 0; i < d[0]; i++) {
        count[h[i].population]++;
        if (h[i].population == 1) cr_expect_eq(h[i].region, 1, "north in region 1");
        if (h[i].population == 2) cr_expect_eq(h[i].region, 2, "south in region 2");
    }
    cr_expect_eq(count[0], 37);
    cr_expect_eq(count[0] + count[1] + count[2], 300);
    cr_expect_gt(count[1], 0);
    cr_expect_gt(count[2], 0);
    H5Tclose(t);
    free(h);
    H5Fclose(f);
}
