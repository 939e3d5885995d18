/* Command runs and attacks (sim/command.c), end to end, against what the firmware and the
 * DCC's rules say must happen:
 * - a forged mass disable against 10,000 SMETS2 meters disconnects none: every frame is refused
 *   for its authentication and each meter's 0x8F3D alert reaches the head-end;
 * - a compromised supplier identity with the anomaly detection on disconnects exactly the
 *   configured threshold, the rest quarantined; off, every targeted meter, and the demand the
 *   grid loses equals the disconnected premises' load at that moment within 1 %;
 * - SMETS1 meters, which check the MAC only and are reached through their supplier's own
 *   head-end, are disconnected by the compromised identity whatever the DCC's detection does;
 * - a supplier's disable then enable campaign: each targeted meter's supply follows the
 *   commands (the firmware measures no import while it is off), within the class target;
 * - replays of executed disables, also across power cuts whose saves are cut short, disconnect
 *   no meter;
 * - arm, then the customers' button; a load limit that trips and restores by itself. */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/metersim-cmd-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    run_cmd("rm -rf '%s'", dir);
}

TestSuite(commands, .init = setup, .fini = teardown, .timeout = 600);

#define EV_ALERT_DELIVERED 0x10004u
#define EV_CMD_QUARANTINED 0x1001Du
#define EV_SUPPLY_DISABLED 0x1001Eu
#define EV_SUPPLY_ENABLED 0x1001Fu
#define AUTH_FAILURE 0x8F3D

typedef struct run_row {
    char name[64];
    uint32_t targeted, quarantined, sent, lost, accepted, accepted_smets1, refused_auth,
        refused_replay, refused_other, within_target, disconnected, reconnected, still_off, restored;
    double lag_max_s, first_sent_s, last_done_s, tripped_s, off_sum_s, demand_step_w, restored_w;
} run_row;

/* /commands/runs: N rows into ROWS. */
static uint32_t read_runs(hid_t f, run_row *rows, uint32_t cap)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(run_row));
    hid_t s64 = H5Tcopy(H5T_C_S1);
    H5Tset_size(s64, 64);
#define U(m) H5Tinsert(t, #m, HOFFSET(run_row, m), H5T_NATIVE_UINT32)
#define D(m) H5Tinsert(t, #m, HOFFSET(run_row, m), H5T_NATIVE_DOUBLE)
    H5Tinsert(t, "name", HOFFSET(run_row, name), s64);
    U(targeted), U(quarantined), U(sent), U(lost), U(accepted), U(accepted_smets1), U(refused_auth);
    U(refused_replay), U(refused_other), U(within_target), U(disconnected), U(reconnected);
    U(still_off), U(restored);
    D(lag_max_s), D(first_sent_s), D(last_done_s), D(tripped_s), D(off_sum_s), D(demand_step_w), D(restored_w);
#undef U
#undef D
    hsize_t d[2];
    int r;
    run_row *v = h5_read_all(f, "/commands/runs", t, d, &r);
    H5Tclose(t);
    H5Tclose(s64);
    cr_assert(v && d[0] <= cap, "the runs table");
    memcpy(rows, v, (size_t)d[0] * sizeof *v);
    free(v);
    return (uint32_t)d[0];
}

/* Every /events row of CODE (a malloc'd array, count in *N). */
static h5_event *events_of(hid_t f, uint32_t code, size_t *n)
{
    hsize_t d[2];
    int r;
    hid_t t = h5_event_type();
    h5_event *e = h5_read_all(f, "/events", t, d, &r);
    H5Tclose(t);
    cr_assert_not_null(e);
    size_t m = 0;
    for (size_t k = 0; k < d[0]; k++)
        if (e[k].code == code) e[m++] = e[k];
    *n = m;
    return e;
}

static size_t count_events(hid_t f, uint32_t code, int64_t value)
{
    size_t n, c = 0;
    h5_event *e = events_of(f, code, &n);
    for (size_t k = 0; k < n; k++) c += e[k].value == value;
    free(e);
    return c;
}

/* N households, SMETS2 on the DCC (uniform WAN: no losses), the sample its own nation. */
static hid_t run(const char *name, uint32_t n, const char *more)
{
    char extra[4096];
    snprintf(extra, sizeof extra,
             "--set households=%u --set topology.regions=1 --set topology.area_households=%u "
             "--set 'duration=6 h' --set fleet.national_households=%u %s",
             n, n < 2000 ? n : 2000, n, more);
    hid_t f = run_trace(dir, name, "small.yaml", extra);
    cr_assert(f >= 0, "%s runs", name);
    return f;
}

Test(commands, forged_mass_disable_disconnects_nobody)
{
    hid_t f = run("forged.h5", 10000,
                  "--set 'load.model=basic' "
                  "--set 'attack=[{name: forged, kind: forged, command: disable, start: 1 h}]'");
    run_row r[1];
    cr_assert_eq(read_runs(f, r, 1), 1);
    cr_expect_eq(r[0].targeted, 10000);
    cr_expect_eq(r[0].sent, 10000);
    cr_expect_eq(r[0].accepted, 0);
    cr_expect_eq(r[0].disconnected, 0);
    cr_expect_eq(r[0].refused_auth + r[0].lost, 10000, "every frame refused or lost");
    cr_expect_geq(r[0].refused_auth, 9900);
    /* each refusal raised 0x8F3D, sent at once: the attack's load on the head-end */
    cr_expect_eq(count_events(f, EV_ALERT_DELIVERED, AUTH_FAILURE), r[0].refused_auth);
    cr_expect_eq(count_events(f, EV_SUPPLY_DISABLED, 0), 0);
    H5Fclose(f);
}

/* The identity's 2,000 meters, the detection at 137 critical commands an hour. */
Test(commands, compromised_identity_stops_at_the_threshold)
{
    hid_t f = run("tad.h5", 2000,
                  "--set headend.anomaly.enabled=true --set headend.anomaly.critical_per_user=137 "
                  "--set 'attack=[{name: stolen, kind: compromised, supplier: supplier, "
                  "command: disable, start: 1 h, rate: 20}]'");
    run_row r[1];
    cr_assert_eq(read_runs(f, r, 1), 1);
    cr_expect_eq(r[0].targeted, 2000);
    cr_expect_eq(r[0].sent, 137);
    cr_expect_eq(r[0].quarantined, 2000 - 137);
    cr_expect_eq(r[0].disconnected, 137);
    cr_expect_eq(r[0].still_off, 137);
    /* the 138th command, sent at 20 a second from 1 h, tripped it */
    cr_expect_eq(r[0].tripped_s, 3600 + floor(137 / 20.0));
    cr_expect_eq(count_events(f, EV_CMD_QUARANTINED, 0), 2000 - 137);
    H5Fclose(f);
}

/* Off: every meter; the demand the grid loses is their load at that moment.  The control run
 * is the same without the attack: in the first whole minute after the disconnections (all
 * executed within that minute: 2,000 frames sent at 1 h share the cell and arrive together
 * seconds later), the difference in national demand is the disconnected premises' demand,
 * which the run reports as its step. */
Test(commands, compromised_identity_without_detection)
{
    const char *attack = "--set 'attack=[{name: stolen, kind: compromised, supplier: supplier, "
                         "command: disable, start: 1 h}]'";
    hid_t f = run("open.h5", 2000, attack);
    hid_t g = run("control.h5", 2000, "");
    run_row r[1];
    cr_assert_eq(read_runs(f, r, 1), 1);
    cr_expect_eq(r[0].quarantined, 0);
    cr_expect_eq(r[0].disconnected, 2000);
    cr_expect_eq(r[0].still_off, 2000);
    cr_expect_eq(r[0].within_target, 2000);
    cr_expect(r[0].first_sent_s == 3600 && r[0].last_done_s < 3660, "sent %.0f, done %.0f",
              r[0].first_sent_s, r[0].last_done_s);
    hsize_t da[2], dc[2];
    int rank;
    double *a = h5_read_all(f, "/grid/demand_w", H5T_NATIVE_DOUBLE, da, &rank);
    double *c = h5_read_all(g, "/grid/demand_w", H5T_NATIVE_DOUBLE, dc, &rank);
    cr_assert(a && c && da[0] == dc[0] && da[0] > 62);
    cr_expect_eq(c[59] - a[59], 0.0, "nothing before the attack");
    double lost = c[61] - a[61];
    cr_expect(fabs(lost / r[0].demand_step_w - 1.0) < 0.01, "step %.0f W, demand lost %.0f W",
              r[0].demand_step_w, lost);
    /* the region's column is the national step (one region) */
    hsize_t ds[2];
    double *step = h5_read_all(f, "/commands/region_step_w", H5T_NATIVE_DOUBLE, ds, &rank);
    cr_assert(step && ds[0] == 1 && ds[1] == 1);
    cr_expect_float_eq(step[0], r[0].demand_step_w, 1e-9);
    free(a);
    free(c);
    free(step);
    H5Fclose(f);
    H5Fclose(g);
}

/* A SMETS1 fleet: on its supplier's own head-end, out of the DCC's sight; MAC only. */
Test(commands, smets1_meters_are_what_they_are)
{
    hid_t f = run("s1.h5", 500,
                  "--set 'fleet.populations=[{name: s1, generation: smets1}]' "
                  "--set headend.anomaly.enabled=true --set headend.anomaly.critical_per_user=10 "
                  "--set 'attack=[{name: forged, kind: forged, start: 1 h}, "
                  "{name: stolen, kind: compromised, supplier: supplier, start: 2 h}]'");
    run_row r[2];
    cr_assert_eq(read_runs(f, r, 2), 2);
    cr_expect_eq(r[0].disconnected, 0, "forged: the MAC fails on SMETS1 too");
    cr_expect_eq(r[1].quarantined, 0, "the DCC never sees it");
    cr_expect_eq(r[1].accepted, r[1].sent - r[1].lost);
    cr_expect_eq(r[1].accepted_smets1, r[1].accepted);
    cr_expect_eq(r[1].disconnected, r[1].accepted);
    cr_expect_geq(r[1].disconnected, 450);
    H5Fclose(f);
}

/* A supplier's campaign: disable a third, enable them 2 h later.  Each meter's half-hours
 * wholly inside its off time measure no import. */
Test(commands, disable_enable_campaign_follows_the_commands)
{
    hid_t f = run("camp.h5", 600,
                  "--set 'commands=[{name: cut, command: disable, share: 33 %, start: 1 h, "
                  "rate: 5}, {name: back, command: enable, targets_of: cut, start: 3 h, rate: 5}]'");
    run_row r[2];
    cr_assert_eq(read_runs(f, r, 2), 2);
    cr_expect_eq(r[0].targeted, 198);
    cr_expect_eq(r[0].disconnected, 198);
    cr_expect_eq(r[0].within_target, 198, "within the 25 s target of supply switching");
    cr_expect_eq(r[1].targeted, 198, "the enable takes exactly the meters still off");
    cr_expect_eq(r[1].restored, 198);
    cr_expect_eq(r[0].reconnected, 198);
    cr_expect_eq(r[0].still_off, 0);
    cr_expect_gt(r[1].restored_w, 0);
    size_t nd, ne;
    h5_event *dis = events_of(f, EV_SUPPLY_DISABLED, &nd);
    h5_event *en = events_of(f, EV_SUPPLY_ENABLED, &ne);
    cr_assert_eq(nd, 198);
    cr_assert_eq(ne, 198);
    hsize_t d[2];
    int rank;
    uint32_t *imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, d, &rank);
    cr_assert(imp && d[0] == 600 && d[1] == 12);
    size_t checked = 0;
    for (size_t k = 0; k < nd; k++) {
        cr_expect(dis[k].t_s >= 3600 && dis[k].t_s <= 3600 + 198 / 5 + 25, "disabled in time");
        double back = -1;
        for (size_t j = 0; j < ne; j++)
            if (en[j].household == dis[k].household) back = en[j].t_s;
        cr_expect(back >= 3 * 3600 && back <= 3 * 3600 + 198 / 5 + 25, "enabled in time");
        for (uint32_t p = (uint32_t)ceil(dis[k].t_s / 1800); (p + 1) * 1800.0 <= back; p++, checked++)
            cr_expect_eq(imp[(size_t)dis[k].household * d[1] + p], 0,
                         "household %u imports in period %u while off", dis[k].household, p);
    }
    cr_expect_geq(checked, 198 * 2);
    free(imp);
    free(dis);
    free(en);
    H5Fclose(f);
}

/* Executed disables captured and replayed after a storm within the same half-hour, every
 * power-fail save cut short at a random byte: the meters must refuse every one. */
Test(commands, replays_disconnect_nobody)
{
    hid_t f = run("replay.h5", 1000,
                  "--set 'meter.save_interrupted=100 %' --set storm.enabled=true "
                  "--set 'storm.start=70 min' --set 'storm.share=100 %' "
                  "--set 'storm.fast_share=100 %' --set 'storm.fast_median=10 min' "
                  "--set 'commands=[{name: cut, command: disable, share: 20 %, start: 1 h}]' "
                  "--set 'attack=[{name: again, kind: replay, replay_of: cut, start: 4 h}]'");
    run_row r[2];
    cr_assert_eq(read_runs(f, r, 2), 2);
    cr_expect_eq(r[0].disconnected, 200);
    cr_expect_eq(r[0].reconnected, 0, "no disable lost with the record");
    cr_expect_eq(r[1].targeted, 200, "every executed frame captured");
    cr_expect_eq(r[1].accepted, 0);
    cr_expect_eq(r[1].disconnected, 0);
    cr_expect_eq(r[1].refused_replay + r[1].lost, 200);
    H5Fclose(f);
}

/* Arm: the contactor waits for the customer, who presses within 30 min. */
Test(commands, arm_then_the_button)
{
    hid_t f = run("arm.h5", 300,
                  "--set 'commands=[{name: cut, command: disable, start: 1 h}, "
                  "{name: arm, command: arm, targets_of: cut, start: 2 h, "
                  "button_within: 30 min}]'");
    run_row r[2];
    cr_assert_eq(read_runs(f, r, 2), 2);
    cr_expect_eq(r[0].disconnected, 300);
    cr_expect_eq(r[1].accepted, 300);
    cr_expect_eq(r[1].restored, 300, "every customer pressed");
    cr_expect_eq(r[0].reconnected, 300);
    /* off from 1 h to between 2 h and 2 h 30 min (plus seconds of delivery) */
    double mean_off = r[0].off_sum_s / 300;
    cr_expect(mean_off > 3600 + 15 * 60 - 120 && mean_off < 3600 + 15 * 60 + 120,
              "mean off %.0f s: an hour and half the button window", mean_off);
    H5Fclose(f);
}

/* A 500 W limit for 30 s: meters whose import stays above it trip, and close again 10 min
 * later by themselves. */
Test(commands, load_limit_trips_and_restores)
{
    hid_t f = run("ll.h5", 300,
                  "--set 'commands=[{name: limit, command: load_limit, start: 1 h, "
                  "load_limit: {threshold: 500 W, period: 30 s, restore_after: 10 min}}]'");
    run_row r[1];
    cr_assert_eq(read_runs(f, r, 1), 1);
    cr_expect_eq(r[0].accepted, 300);
    cr_expect_gt(r[0].disconnected, 0);
    cr_expect_eq(r[0].reconnected + r[0].still_off, r[0].disconnected);
    size_t nd;
    h5_event *dis = events_of(f, EV_SUPPLY_DISABLED, &nd);
    cr_expect_eq(nd, r[0].disconnected);
    free(dis);
    H5Fclose(f);
}

/* The head-end's own thresholds (headend.throttle) on the forged attack's 0x8F3D alerts, which
 * are neither outage nor restore alerts: their class, alert_other, takes at most its bucket
 * (burst) plus its rate over the seconds they arrive in, the rest quarantined; the DNO learns
 * of no restoration from them. */
Test(commands, head_end_throttle_quarantines_the_alert_flood)
{
    hid_t f = run("thr.h5", 1000,
                  "--set headend.throttle.enabled=true --set headend.throttle.alert_other=10 "
                  "--set headend.throttle.burst=20 "
                  "--set 'attack=[{name: forged, kind: forged, command: disable, start: 1 h}]'");
    run_row r[1];
    cr_assert_eq(read_runs(f, r, 1), 1);
    hsize_t d[2];
    int rank;
    double *cs = h5_read_all(f, "/network/headend/class_stats", H5T_NATIVE_DOUBLE, d, &rank);
    cr_assert(cs && d[0] == 13 && d[1] == 12, "12 classes and the total");
    /* rows: classes in NET_HE_CLASS_MAP order; columns: offered, accepted, _, quarantined */
    const double *other = cs + 11 * d[1], *restore = cs + 1 * d[1];
    cr_expect_eq(other[0], r[0].refused_auth, "one alert per refusal");
    cr_expect_eq(other[1] + other[3], other[0], "every one accepted or quarantined");
    uint32_t *arr = h5_read_all(f, "/network/headend/arrivals", H5T_NATIVE_UINT32, d, &rank);
    cr_assert_not_null(arr);
    size_t first = d[0], last = 0;
    for (size_t s = 3600; s < d[0]; s++)
        if (arr[s]) {
            if (s < first) first = s;
            last = s;
        }
    cr_assert(first <= last);
    double most = 20 + 10.0 * (double)(last + 1 - first);
    cr_expect(other[1] <= most && other[1] >= 20, "accepted %.0f: the burst, at most %.0f",
              other[1], most);
    cr_expect_gt(other[3], 0);
    cr_expect_eq(restore[0], 0, "no restore alert");
    double *dno = h5_read_all(f, "/network/dno/restoration", H5T_NATIVE_DOUBLE, d, &rank);
    cr_assert_not_null(dno);
    cr_expect_eq(dno[1], 0, "the DNO knows of no restored premises");
    free(cs);
    free(arr);
    free(dno);
    H5Fclose(f);
}
