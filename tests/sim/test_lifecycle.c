/* The fleet over time (sim/lifecycle.c): SMETS1 enrolment and adoption into the DCC.
 * - cohorts start on their SMETS1 operator's date, the day's capacity (national schedule x
 *   sample / fleet.national_households) bounds the attempts of each day;
 * - failures are retried until max_attempts, missing keys exclude at once;
 * - a migrated meter's traffic goes to the DCC (head-end arrivals), its route changes in
 *   /fleet/final, and /fleet/daily counts agree with the events day by day;
 * - the decisions do not depend on how households are grouped into areas. */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/metersim-life-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    run_cmd("rm -rf '%s'", dir);
}

TestSuite(lifecycle, .init = setup, .fini = teardown, .timeout = 300);

#define EV_READ_DELIVERED 0x10002u
#define EV_ATTEMPT 0x1000Fu
#define EV_MIGRATED 0x10010u
#define EV_FAILED 0x10011u
#define EV_EXCLUDED 0x10012u
#define EV_REQUESTS 0x10018u
#define DAY 86400.0

/* 400 SMETS1 meters of two suppliers (IOC and FOC cohorts) over 12 days from 2024-01-01, 20
 * migrations a day for the whole sample (national_households = households), failures likely. */
static const char *SETS =
    "--set households=400 --set start=2024-01-01 --set 'duration=12 d' "
    "--set fleet.national_households=400 --set migration.enabled=true "
    "--set migration.start.ioc=2024-01-03 --set migration.start.foc=2024-01-08 "
    "--set 'migration.capacity=[{from: 2024-01-01, per_day: 20}]' "
    "--set 'migration.failure.no_wan_before=30 %' --set 'migration.failure.missing_keys=5 %' "
    "--set migration.max_attempts=2 "
    "--set 'suppliers=[{name: a, smets1_operator: ioc}, {name: b, smets1_operator: foc}]' "
    "--set 'fleet.populations=[{name: s1, generation: smets1}]'";

typedef struct day {
    char date[64];
    double t_s;
    uint32_t smets1_operator, smets1_dcc, attempts, migrations, failures, exclusions;
} day;

static day *read_days(hid_t f, hsize_t *n)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(day));
    hid_t s64 = H5Tcopy(H5T_C_S1);
    H5Tset_size(s64, 64);
    H5Tinsert(t, "date", HOFFSET(day, date), s64);
    H5Tinsert(t, "t_s", HOFFSET(day, t_s), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "smets1_operator", HOFFSET(day, smets1_operator), H5T_NATIVE_UINT32);
    H5Tinsert(t, "smets1_dcc", HOFFSET(day, smets1_dcc), H5T_NATIVE_UINT32);
    H5Tinsert(t, "migration_attempts", HOFFSET(day, attempts), H5T_NATIVE_UINT32);
    H5Tinsert(t, "migrations", HOFFSET(day, migrations), H5T_NATIVE_UINT32);
    H5Tinsert(t, "migration_failures", HOFFSET(day, failures), H5T_NATIVE_UINT32);
    H5Tinsert(t, "migration_exclusions", HOFFSET(day, exclusions), H5T_NATIVE_UINT32);
    hsize_t d[2];
    int r;
    day *v = h5_read_all(f, "/fleet/daily", t, d, &r);
    H5Tclose(t);
    H5Tclose(s64);
    cr_assert_not_null(v);
    *n = d[0];
    return v;
}

Test(lifecycle, smets1_meters_migrate_by_cohort_within_the_daily_capacity)
{
    hid_t f = run_trace(dir, "mig.h5", "small.yaml", SETS);
    cr_assert_geq(f, 0);
    hsize_t nd, ne, dh[2], da[2];
    int r;
    day *d = read_days(f, &nd);
    cr_assert_eq(nd, 12, "one row per day");
    typedef struct hh {
        uint8_t supplier, route;
    } hh;
    hid_t ht = H5Tcreate(H5T_COMPOUND, sizeof(hh));
    H5Tinsert(ht, "supplier", HOFFSET(hh, supplier), H5T_NATIVE_UINT8);
    H5Tinsert(ht, "route", HOFFSET(hh, route), H5T_NATIVE_UINT8);
    hh *h = h5_read_all(f, "/households", ht, dh, &r);
    uint8_t *fin = h5_read_all(f, "/fleet/final", H5T_NATIVE_UINT8, da, &r);
    hid_t et = h5_event_type();
    hsize_t de[2];
    h5_event *e = h5_read_all(f, "/events", et, de, &r);
    ne = de[0];
    cr_assert(h && fin && e);
    uint32_t n = (uint32_t)dh[0];
    uint32_t *tries = calloc(n, sizeof *tries), *fails = calloc(n, sizeof *fails);
    uint8_t *migrated = calloc(n, 1), *excluded = calloc(n, 1);
    uint32_t per_day_attempts[12] = {0}, per_day_migrated[12] = {0};
    double last_migration = 0;
    uint32_t during = 0, requests = 0;
    for (hsize_t k = 0; k < ne; k++) {
        uint32_t id = e[k].household;
        int dd = (int)(e[k].t_s / DAY);
        switch (e[k].code) {
        case EV_ATTEMPT:
            tries[id]++;
            per_day_attempts[dd]++;
            cr_expect_eq(e[k].value, tries[id], "household %u attempt number", id);
            cr_expect(!migrated[id] && !excluded[id], "household %u tried after it was done", id);
            /* IOC (supplier a) from 2024-01-03 = day 2, FOC (supplier b) from day 7 */
            cr_expect_geq(dd, h[id].supplier == 0 ? 2 : 7, "household %u tried on day %d", id, dd);
            break;
        case EV_MIGRATED:
            migrated[id] = 1;
            per_day_migrated[dd]++;
            last_migration = e[k].t_s;
            break;
        case EV_FAILED:
            fails[id]++;
            during += e[k].value == 2;
            break;
        case EV_REQUESTS:
            requests++;
            cr_expect_eq(e[k].value, 4096, "household %u: the migration's exchanges", id);
            break;
        case EV_EXCLUDED:
            excluded[id] = 1;
            cr_expect(e[k].value == 3 || tries[id] == 2, "household %u excluded after %u tries", id,
                      tries[id]);
            break;
        }
    }
    uint32_t total_migrated = 0, total_excluded = 0;
    for (uint32_t id = 0; id < n; id++) {
        cr_expect_eq(h[id].route, 2, "every meter starts on its operator's route");
        cr_expect_eq(fin[id * da[1] + 3], migrated[id] ? 3 : 2, "household %u route at the end", id);
        cr_expect_eq(tries[id], fails[id] + migrated[id]);
        total_migrated += migrated[id];
        total_excluded += excluded[id];
    }
    /* 20 a day from day 2 on (the capacity of days 0-1 is carried: 40 more on day 2) */
    cr_expect_eq(per_day_attempts[0] + per_day_attempts[1], 0);
    uint32_t cum_attempts = 0, cum_migrated = 0;
    for (int k = 0; k < 12; k++) {
        cum_attempts += per_day_attempts[k];
        cr_expect_leq(cum_attempts, 20u * (k + 1), "capacity to day %d", k);
        cum_migrated += per_day_migrated[k];
        cr_expect_eq(d[k].attempts, per_day_attempts[k], "day %d attempts", k);
        cr_expect_eq(d[k].migrations, per_day_migrated[k], "day %d migrations", k);
        cr_expect_eq(d[k].smets1_dcc, cum_migrated, "day %d adopted meters", k);
        cr_expect_eq(d[k].smets1_dcc + d[k].smets1_operator, n);
        cr_expect(fabs(d[k].t_s - k * DAY) < 1e-9);
    }
    cr_expect_eq(cum_attempts, 240u - 0u, "every day's capacity used (the pool is not exhausted)");
    cr_expect_str_eq(d[0].date, "2024-01-01");
    cr_expect_gt(total_migrated, 100);
    cr_expect_gt(total_excluded, 5);
    cr_expect_gt(last_migration, 7 * DAY, "FOC meters migrate from day 7");
    /* an attempt under way (a success, or the WAN lost during it) is traffic at the DCC's
     * head-end, class migration; one failing before (no WAN, missing keys) is not */
    cr_expect_eq(requests, total_migrated + during, "%u migration exchanges processed", requests);
    /* Adopted meters are read through the DCC: its head-end sees their reads. */
    uint32_t *arr = h5_read_all(f, "/network/headend/arrivals", H5T_NATIVE_UINT32, da, &r);
    uint64_t dcc = 0;
    for (hsize_t s = 0; s < da[0]; s++) dcc += arr[s];
    cr_expect_gt(dcc, total_migrated, "adopted meters' reads reach the DCC");
    free(arr);
    free(tries);
    free(fails);
    free(migrated);
    free(excluded);
    free(h);
    free(fin);
    free(e);
    free(d);
    H5Tclose(ht);
    H5Tclose(et);
    H5Fclose(f);
}

/* Grouping households into other areas changes none of the fleet's decisions. */
Test(lifecycle, decisions_do_not_depend_on_the_areas)
{
    char extra[2048];
    snprintf(extra, sizeof extra, "%s --set topology.area_households=37", SETS);
    hid_t a = run_trace(dir, "a.h5", "small.yaml", SETS), b = run_trace(dir, "b.h5", "small.yaml", extra);
    cr_assert(a >= 0 && b >= 0);
    hsize_t na, nb;
    day *x = read_days(a, &na), *y = read_days(b, &nb);
    cr_assert_eq(na, nb);
    cr_expect_eq(memcmp(x, y, na * sizeof *x), 0, "/fleet/daily differs with other areas");
    free(x);
    free(y);
    H5Fclose(a);
    H5Fclose(b);
}

#define EV_READ_SENT 0x10001u
#define EV_SUPPLY_LOST 0x10006u
#define EV_RESTORED 0x8F35u
#define EV_RESTORED_LONG 0x8F36u
#define EV_EXCHANGED 0x10013u
#define EV_COMMISSIONED 0x10014u

/* 300 households, 3 in 4 traditional, over 6 days from 2024-03-04 (a Monday): 13,149 installs a
 * year (36 a day) for a national fleet of 600, so 18 a day in the sample of 300, a quarter of
 * them replacing SMETS1 meters (13.5 and 4.5 a day: whole meters, the rest carried).  Each is a visit between 08:00 and 18:00 UTC with 20 minutes
 * without supply; the new meter is commissioned over the DCC, starts from zero and is read. */
static const char *INSTALL_SETS =
    "--set households=300 --set start=2024-03-04 --set 'duration=6 d' "
    "--set fleet.national_households=600 --set installs.enabled=true "
    "--set 'installs.schedule=[{from: 2024-01-01, per_year: 13149}]' "
    "--set 'installs.smets1_share=25 %' "
    "--set 'fleet.populations=[{name: smets2, share: 0 %}, {name: s1, share: 25 %, generation: "
    "smets1}, {name: old, share: 75 %, generation: traditional}]'";

Test(lifecycle, installs_replace_meters_at_the_daily_rate_with_a_visit)
{
    hid_t f = run_trace(dir, "inst.h5", "small.yaml", INSTALL_SETS);
    cr_assert_geq(f, 0);
    hsize_t nd, de[2], dh[2], dr[2], dp[2], dc[2], dcs[2];
    int r;
    hid_t dt = H5Tcreate(H5T_COMPOUND, sizeof(uint32_t));
    H5Tinsert(dt, "installs", 0, H5T_NATIVE_UINT32);
    uint32_t *inst = h5_read_all(f, "/fleet/daily", dt, dh, &r);
    nd = dh[0];
    hid_t et = h5_event_type();
    h5_event *e = h5_read_all(f, "/events", et, de, &r);
    uint8_t *fin = h5_read_all(f, "/fleet/final", H5T_NATIVE_UINT8, dc, &r);
    uint64_t *reg = h5_read_all(f, "/meter/registers/final", H5T_NATIVE_UINT64, dr, &r);
    uint32_t *imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, dp, &r);
    double *cs = h5_read_all(f, "/network/headend/class_stats", H5T_NATIVE_DOUBLE, dcs, &r);
    hid_t gt = H5Tcreate(H5T_COMPOUND, 1);
    H5Tinsert(gt, "generation", 0, H5T_NATIVE_UINT8);
    hsize_t dg[2];
    uint8_t *gen0 = h5_read_all(f, "/households", gt, dg, &r);
    cr_assert(inst && e && fin && reg && imp && cs && gen0);
    cr_assert_eq(nd, 6);
    uint32_t n = (uint32_t)dc[0], np = (uint32_t)dp[1];
    double *lost_at = calloc(n, sizeof *lost_at), *swapped_at = calloc(n, sizeof *swapped_at);
    uint32_t per_day[6] = {0}, exchanged = 0, commissioned = 0;
    uint8_t *read_after = calloc(n, 1);
    for (hsize_t k = 0; k < de[0]; k++) {
        uint32_t id = e[k].household;
        if (id >= n) continue;
        if (e[k].code == EV_SUPPLY_LOST && e[k].value == 4) {
            lost_at[id] = e[k].t_s;
            double tod = fmod(e[k].t_s, DAY); /* the run starts at 00:00 UTC */
            cr_expect(tod >= 8 * 3600.0 && tod < 18 * 3600.0, "visit at %.0f s of the day", tod);
        } else if (e[k].code == EV_EXCHANGED) {
            cr_expect(fabs(e[k].t_s - lost_at[id] - 1200.0) < 1e-6, "household %u: 20 min off", id);
            swapped_at[id] = e[k].t_s;
            per_day[(int)(e[k].t_s / DAY)]++;
            exchanged++;
        } else if (e[k].code == EV_COMMISSIONED) {
            commissioned++;
        } else if (e[k].code == EV_READ_SENT && swapped_at[id] > 0) {
            read_after[id] = 1;
        } else if ((e[k].code == EV_RESTORED || e[k].code == EV_RESTORED_LONG) && swapped_at[id] > 0 &&
                   e[k].t_s > swapped_at[id]) {
            cr_expect(0, "household %u: a restoration after its exchange", id);
        }
    }
    /* 18 a day, whole meters with the fractions carried: 13 or 14 traditional and 4 or 5
     * SMETS1 each day, 13.5 x 6 = 81 and 4.5 x 6 = 27 in all (the pools last) */
    for (int k = 0; k < 6; k++) {
        cr_expect(per_day[k] >= 17 && per_day[k] <= 19, "day %d: %u installs", k, per_day[k]);
        cr_expect_eq(inst[k], per_day[k], "/fleet/daily day %d", k);
    }
    cr_expect_eq(commissioned, exchanged, "every new meter's commissioning reached the DCC");
    /* head-end class row "commissioning" (8): offered = exchanged */
    cr_expect_eq((uint32_t)cs[8 * dcs[1] + 0], exchanged);
    uint32_t s1_replaced = 0;
    for (uint32_t id = 0; id < n; id++) {
        if (swapped_at[id] == 0) continue;
        cr_expect_eq(fin[id * dc[1] + 0], 0, "household %u is SMETS2 at the end", id);
        cr_expect_eq(fin[id * dc[1] + 3], 1, "household %u on the DCC at the end", id);
        s1_replaced += gen0[id] == 1;
        /* the new meter started from zero: its register is what the trace holds after the
         * exchange (the install day's earlier periods were the old meter's) */
        uint32_t p0 = (uint32_t)(swapped_at[id] / 1800.0);
        uint64_t wh = 0;
        for (uint32_t p = p0; p < np; p++) wh += imp[(size_t)id * np + p];
        cr_expect_eq(reg[id * dr[1]], wh, "household %u: register %lu, periods since %lu", id,
                     (unsigned long)reg[id * dr[1]], (unsigned long)wh);
        if (swapped_at[id] < 4 * DAY) cr_expect(read_after[id], "household %u read after its install", id);
    }
    cr_expect_eq(exchanged, 108);
    /* a quarter of the installs replace SMETS1 meters: 27 of 108, exactly in whole meters */
    cr_expect_eq(s1_replaced, 27, "SMETS1 meters replaced: %u", s1_replaced);
    free(gen0);
    H5Tclose(gt);
    free(lost_at);
    free(swapped_at);
    free(read_after);
    free(inst);
    free(e);
    free(fin);
    free(reg);
    free(imp);
    free(cs);
    H5Tclose(dt);
    H5Tclose(et);
    H5Fclose(f);
}

#define EV_TOPUP 0x10008u
#define EV_SWITCHED 0x10015u
#define EV_WENT_DUMB 0x10016u

/* 400 households (SMETS1, SMETS2 and traditional, prepayment with little credit so they top up)
 * of three suppliers over 8 days from 2024-03-04: 36,525 switches a year for a national fleet of
 * 2,000 (20 a day in the sample), 40 % of SMETS1 switchers kept smart; migration adopts SMETS1
 * meters from day 4 (dumb ones too), 30 a day. */
static const char *SWITCH_SETS =
    "--set households=400 --set start=2024-03-04 --set 'duration=8 d' "
    "--set fleet.national_households=2000 --set switching.enabled=true "
    "--set 'switching.schedule=[{from: 2024-01-01, per_year: 36525}]' "
    "--set 'switching.smets1_kept_smart=40 %' "
    "--set migration.enabled=true --set migration.start.ioc=2024-03-08 "
    "--set migration.start.moc=2024-03-08 --set migration.start.foc=2024-03-08 "
    "--set 'migration.capacity=[{from: 2024-01-01, per_day: 150}]' "
    "--set 'migration.failure.no_wan_before=0 %' --set 'migration.failure.no_wan_during=0 %' "
    "--set 'migration.failure.missing_keys=0 %' "
    "--set 'meter.prepayment_share=100 %' --set 'meter.prepayment.initial_credit=1 GBP' "
    "--set 'suppliers=[{name: a, smets1_operator: ioc}, {name: b, smets1_operator: moc}, "
    "{name: c, smets1_operator: foc}]' "
    "--set 'fleet.populations=[{name: s2, share: 30 %}, {name: s1, share: 50 %, generation: "
    "smets1}, {name: old, share: 20 %, generation: traditional}]'";

Test(lifecycle, switches_move_households_and_leave_smets1_meters_dumb_until_adopted)
{
    hid_t f = run_trace(dir, "sw.h5", "small.yaml", SWITCH_SETS);
    cr_assert_geq(f, 0);
    hsize_t de[2], dg[2], dd[2];
    int r;
    hid_t et = h5_event_type();
    h5_event *e = h5_read_all(f, "/events", et, de, &r);
    hid_t gt = H5Tcreate(H5T_COMPOUND, 2);
    H5Tinsert(gt, "generation", 0, H5T_NATIVE_UINT8);
    H5Tinsert(gt, "supplier", 1, H5T_NATIVE_UINT8);
    uint8_t *hh = h5_read_all(f, "/households", gt, dg, &r);
    hid_t dt = H5Tcreate(H5T_COMPOUND, 2 * sizeof(uint32_t));
    H5Tinsert(dt, "switches", 0, H5T_NATIVE_UINT32);
    H5Tinsert(dt, "gone_dumb", sizeof(uint32_t), H5T_NATIVE_UINT32);
    uint32_t *days = h5_read_all(f, "/fleet/daily", dt, dd, &r);
    cr_assert(e && hh && days);
    uint32_t n = (uint32_t)dg[0];
    uint8_t *supplier = malloc(n), *adopted = calloc(n, 1);
    /* events of one instant are in code order, not in the order the day ran them (switches,
     * then migrations): a meter is dumb from its WENT_DUMB until a MIGRATED at or after it */
    double *dumb_since = malloc(n * sizeof *dumb_since), *adopted_at = malloc(n * sizeof *adopted_at);
    double *last_switch = malloc(n * sizeof *last_switch);
    for (uint32_t id = 0; id < n; id++) dumb_since[id] = adopted_at[id] = last_switch[id] = -1;
#define DUMB(id) (dumb_since[id] >= 0 && adopted_at[id] < dumb_since[id])
    for (uint32_t id = 0; id < n; id++) supplier[id] = hh[2 * id + 1];
    uint32_t switches = 0, s1_switches = 0, went_dumb = 0, dumb_adopted = 0, per_day[8] = {0};
    for (hsize_t k = 0; k < de[0]; k++) {
        uint32_t id = e[k].household;
        if (id >= n) continue;
        int d = (int)(e[k].t_s / DAY);
        switch (e[k].code) {
        case EV_SWITCHED:
            cr_expect_neq(e[k].t_s, last_switch[id], "household %u: twice in a day", id);
            cr_expect_neq((uint32_t)e[k].value, supplier[id], "household %u: to another", id);
            supplier[id] = (uint8_t)e[k].value;
            last_switch[id] = e[k].t_s;
            switches++;
            per_day[d]++;
            if (hh[2 * id] == 1 && !adopted[id] && !DUMB(id)) s1_switches++;
            break;
        case EV_WENT_DUMB:
            cr_expect_eq(hh[2 * id], 1, "only SMETS1 meters go dumb");
            dumb_since[id] = e[k].t_s;
            went_dumb++;
            break;
        case EV_MIGRATED:
            adopted[id] = 1;
            adopted_at[id] = e[k].t_s;
            break;
        case EV_READ_SENT:
            cr_expect(!DUMB(id), "household %u read while dumb", id);
            break;
        case EV_TOPUP:
            cr_expect_gt(e[k].value, 0, "household %u: a top-up refused", id);
            break;
        }
    }
    for (int k = 0; k < 8; k++) {
        cr_expect_eq(per_day[k], 20, "day %d: %u switches", k, per_day[k]);
        cr_expect_eq(days[2 * k], per_day[k]);
    }
    cr_expect_eq(switches, 160);
    /* 60 % of the switchers with a SMETS1 meter on its operator's route go dumb: within 3.5
     * binomial standard deviations */
    cr_expect(s1_switches > 20, "SMETS1 switchers %u", s1_switches);
    double sd = sqrt(0.6 * 0.4 / s1_switches);
    cr_expect(fabs((double)went_dumb / s1_switches - 0.60) < 3.5 * sd, "%u of %u went dumb",
              went_dumb, s1_switches);
    for (uint32_t id = 0; id < n; id++) dumb_adopted += dumb_since[id] >= 0 && adopted_at[id] >= dumb_since[id];
    cr_expect_gt(dumb_adopted, 0, "the DCC adopts meters that went dumb");
#undef DUMB
    free(supplier);
    free(last_switch);
    free(dumb_since);
    free(adopted_at);
    free(adopted);
    free(e);
    free(hh);
    free(days);
    H5Tclose(et);
    H5Tclose(gt);
    H5Tclose(dt);
    H5Fclose(f);
}

/* DCC traffic per smart meter: 86M messages in Oct 2019, about 28 per meter a month, about 60 %
 * of them meter reads (DCC).  The model's SMETS2 meters on the DCC, read once a day, with
 * background faults and prepayment: within 15 % of 28 a month, and reads at least the
 * published 60 % (the DCC's other services, configuration and most alert kinds, are not
 * modelled: /fleet/daily counts what is). */
Test(lifecycle, dcc_messages_per_smart_meter_a_month_match_the_published_figure)
{
    hid_t f = run_trace(dir, "dcc.h5", "small.yaml",
                        "--set households=600 --set 'duration=7 d' --set outages.background=true "
                        "--set 'meter.prepayment_share=13 %'");
    cr_assert_geq(f, 0);
    typedef struct row {
        uint32_t reads, alerts, commands, commissioning, smets2;
    } row;
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(t, "dcc_reads", HOFFSET(row, reads), H5T_NATIVE_UINT32);
    H5Tinsert(t, "dcc_alerts", HOFFSET(row, alerts), H5T_NATIVE_UINT32);
    H5Tinsert(t, "dcc_commands", HOFFSET(row, commands), H5T_NATIVE_UINT32);
    H5Tinsert(t, "dcc_commissioning", HOFFSET(row, commissioning), H5T_NATIVE_UINT32);
    H5Tinsert(t, "smets2_dcc", HOFFSET(row, smets2), H5T_NATIVE_UINT32);
    hsize_t d[2];
    int r;
    row *v = h5_read_all(f, "/fleet/daily", t, d, &r);
    cr_assert_not_null(v);
    double msgs = 0, reads = 0, meter_days = 0;
    for (hsize_t k = 0; k < d[0]; k++) {
        msgs += v[k].reads + v[k].alerts + v[k].commands + v[k].commissioning;
        reads += v[k].reads;
        meter_days += v[k].smets2;
    }
    double per_month = msgs / meter_days * 30.44;
    cr_expect(fabs(per_month / 28.0 - 1.0) < 0.15, "%.1f DCC messages per meter a month", per_month);
    cr_expect_geq(reads / msgs, 0.60, "reads %.2f of the messages", reads / msgs);
    free(v);
    H5Tclose(t);
    H5Fclose(f);
}

#define EV_FAULT 0x10017u

/* 400 households over 40 days: 300 SMETS2 meters, 8 % of them in traditional mode at the start
 * (faulty), and 100 SMETS1 ones, 30 % adopted and 20 % dumb at the start.  Smart meters fail at
 * 100 % a year and are replaced after an exponential wait of mean 3 days: a visit that puts a
 * new SMETS2 meter in. */
static const char *FAULT_SETS =
    "--set households=400 --set start=2024-03-04 --set 'duration=40 d' "
    "--set fleet.national_households=400 --set faults.enabled=true --set 'faults.rate=100 %' "
    "--set 'faults.repair_mean=3 d' "
    "--set 'fleet.populations=[{name: smets2, share: 75 %, dumb_share: 8 %}, "
    "{name: s1, share: 25 %, generation: smets1, adopted_share: 30 %, dumb_share: 20 %}]'";

Test(lifecycle, faulty_meters_go_dumb_and_are_replaced_after_the_repair_wait)
{
    hid_t f = run_trace(dir, "faults.h5", "small.yaml", FAULT_SETS);
    cr_assert_geq(f, 0);
    hsize_t de[2], dg[2], dd[2], da[2];
    int r;
    hid_t et = h5_event_type();
    h5_event *e = h5_read_all(f, "/events", et, de, &r);
    hid_t gt = H5Tcreate(H5T_COMPOUND, 2);
    H5Tinsert(gt, "generation", 0, H5T_NATIVE_UINT8);
    H5Tinsert(gt, "route", 1, H5T_NATIVE_UINT8);
    uint8_t *hh = h5_read_all(f, "/households", gt, dg, &r);
    typedef struct row {
        uint32_t faults, replacements, installs, smets2_dcc, smets2_dumb, smets1_dcc, smets1_dumb,
            smets1_operator;
    } row;
    hid_t dt = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(dt, "faults", HOFFSET(row, faults), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "replacements", HOFFSET(row, replacements), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "installs", HOFFSET(row, installs), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "smets2_dcc", HOFFSET(row, smets2_dcc), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "smets2_dumb", HOFFSET(row, smets2_dumb), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "smets1_dcc", HOFFSET(row, smets1_dcc), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "smets1_dumb", HOFFSET(row, smets1_dumb), H5T_NATIVE_UINT32);
    H5Tinsert(dt, "smets1_operator", HOFFSET(row, smets1_operator), H5T_NATIVE_UINT32);
    row *days = h5_read_all(f, "/fleet/daily", dt, dd, &r);
    uint8_t *fin = h5_read_all(f, "/fleet/final", H5T_NATIVE_UINT8, da, &r);
    cr_assert(e && hh && days && fin);
    uint32_t n = (uint32_t)dg[0], nd = (uint32_t)dd[0];
    cr_assert_eq(nd, 40);

    /* the start, stratified: exact shares to within one meter */
    uint32_t s2 = 0, s2_dumb = 0, s1 = 0, s1_dcc = 0, s1_dumb = 0;
    for (uint32_t id = 0; id < n; id++) {
        uint8_t g = hh[2 * id], route = hh[2 * id + 1];
        if (g == 0) {
            s2++;
            s2_dumb += route == 0;
        } else {
            s1++;
            s1_dcc += route == 3;
            s1_dumb += route == 0;
        }
    }
    cr_expect(s2 >= 299 && s2 <= 301, "%u SMETS2 of 400 at 75 %%", s2);
    cr_expect(fabs(s2_dumb - 0.08 * s2) <= 1.0, "%u of %u SMETS2 dumb at 8 %%", s2_dumb, s2);
    cr_expect(fabs(s1_dcc - 0.30 * s1) <= 1.0, "%u of %u SMETS1 adopted at 30 %%", s1_dcc, s1);
    cr_expect(fabs(s1_dumb - 0.20 * s1) <= 1.0, "%u of %u SMETS1 dumb at 20 %%", s1_dumb, s1);

    /* each day's faults are the rate's share of the smart meters of the day before, whole
     * meters, the rest carried: the total within one of the sum */
    double expected = 0;
    uint32_t faults = 0, replacements = 0;
    for (uint32_t k = 0; k < nd; k++) {
        uint32_t smart = k == 0 ? n - s2_dumb - s1_dumb
                                : days[k - 1].smets2_dcc + days[k - 1].smets1_dcc +
                                      days[k - 1].smets1_operator;
        expected += 1.0 / 365.25 * smart;
        faults += days[k].faults;
        replacements += days[k].replacements;
        cr_expect_eq(days[k].installs, 0, "day %u: installs are off", k);
        cr_expect(fabs(faults - expected) < 1.0 + 1e-9, "day %u: %u faults, %.2f due", k, faults,
                  expected);
    }
    cr_expect_gt(faults, 30);

    /* every faulty meter (from its fault, or from the start for SMETS2 ones) is silent until a
     * visit replaces it: the wait floor(Exp(3 d)) days has mean 1 / (e^(1/3) - 1) = 2.53 d */
    double *since = malloc(n * sizeof *since);
    for (uint32_t id = 0; id < n; id++) since[id] = hh[2 * id] == 0 && hh[2 * id + 1] == 0 ? 0 : -1;
    double wait = 0;
    uint32_t waits = 0, exchanged = 0, s2_at_start_replaced = 0;
    for (hsize_t k = 0; k < de[0]; k++) {
        uint32_t id = e[k].household;
        if (id >= n) continue;
        switch (e[k].code) {
        case EV_FAULT:
            cr_expect_lt(since[id], 0, "household %u failed while faulty", id);
            since[id] = e[k].t_s;
            break;
        case EV_EXCHANGED: {
            cr_expect_geq(since[id], 0, "household %u: a visit to a working meter", id);
            double tod = fmod(e[k].t_s, DAY) / 3600;
            cr_expect(tod >= 8 && tod <= 18.4, "household %u: visit at %.2f h", id, tod);
            if (since[id] == 0) s2_at_start_replaced++;
            if (since[id] < 10 * DAY) {
                wait += floor(e[k].t_s / DAY) - floor(since[id] / DAY);
                waits++;
            }
            since[id] = -1;
            exchanged++;
            break;
        }
        case EV_READ_SENT:
            cr_expect_lt(since[id], 0, "household %u read while faulty", id);
            break;
        }
    }
    cr_expect_eq(exchanged, replacements, "every replacement is a visit");
    cr_expect_gt(s2_at_start_replaced, s2_dumb / 2, "dumb SMETS2 meters at the start are repaired");
    cr_expect_gt(waits, 30);
    double mean = wait / waits, sd = 3.0 / sqrt(waits);
    cr_expect(fabs(mean - 1.0 / (exp(1.0 / 3) - 1.0)) < 4 * sd, "mean wait %.2f d of %u", mean,
              waits);
    uint32_t last = nd - 1, dumb_end = days[last].smets2_dumb + days[last].smets1_dumb;
    uint32_t still = 0;
    for (uint32_t id = 0; id < n; id++) still += since[id] >= 0;
    /* SMETS1 meters dumb from the start are not faulty: nothing here adopts or replaces them */
    cr_expect_eq(dumb_end, still + s1_dumb,
                 "meters dumb at the end: %u, faulty and not replaced: %u, SMETS1 dumb: %u",
                 dumb_end, still, s1_dumb);
    free(since);
    free(e);
    free(hh);
    free(days);
    free(fin);
    H5Tclose(et);
    H5Tclose(gt);
    H5Tclose(dt);
    H5Fclose(f);
}
