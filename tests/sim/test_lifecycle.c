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
