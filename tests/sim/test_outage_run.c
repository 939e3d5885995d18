/* End to end: supply loss and restoration as meters, hubs and the head-end see them. */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EV_RESTORED 0x8F35u
#define EV_RESTORED_LONG 0x8F36u
#define EV_INTERRUPTED 0x8F57u
#define EV_ALERT_SENT 0x10003u
#define EV_ALERT_DELIVERED 0x10004u
#define EV_SUPPLY_LOST 0x10006u
#define AD1 0xAD1

typedef h5_event ev;

static char dir[256];
static ev *E;
static hsize_t n_ev;
static uint32_t *imp;
static hsize_t dims[2];

static void run_storm(const char *extra)
{
    snprintf(dir, sizeof dir, "/tmp/metersim-storm-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    hid_t f = run_trace(dir, "s.h5", "storm.yaml", extra);
    cr_assert_geq(f, 0);
    hid_t t = h5_event_type();
    hsize_t d[2];
    int r;
    E = h5_read_all(f, "/events", t, d, &r);
    n_ev = d[0];
    imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, dims, &r);
    cr_assert(E && imp);
    H5Tclose(t);
    H5Fclose(f);
}

static void cleanup(void)
{
    free(E);
    free(imp);
    E = NULL;
    imp = NULL;
    run_cmd("rm -rf '%s'", dir);
}

TestSuite(outage_run, .fini = cleanup, .timeout = 600);

Test(outage_run, every_restored_meter_alerts_once_within_its_dither_window)
{
    run_storm("");
    uint32_t n = (uint32_t)dims[0];
    double *lost = calloc(n, sizeof *lost), *restored = calloc(n, sizeof *restored);
    int *alerts = calloc(n, sizeof *alerts), *ad1 = calloc(n, sizeof *ad1);
    uint32_t n_lost = 0, n_restored = 0, delivered = 0;
    for (hsize_t k = 0; k < n_ev; k++) {
        const ev *e = &E[k];
        uint32_t h = e->household;
        switch (e->code) {
        case EV_SUPPLY_LOST:
            lost[h] = e->t_s;
            restored[h] = 0;
            n_lost++;
            break;
        case EV_RESTORED:
        case EV_RESTORED_LONG:
            restored[h] = e->t_s;
            n_restored++;
            /* GBCS: 0x8F36 only after 3 min or more without supply (packet-gbcs.c) */
            cr_expect_eq(e->code, e->value >= 180 ? EV_RESTORED_LONG : EV_RESTORED);
            cr_expect(fabs((double)e->value - (e->t_s - lost[h])) < 1e-9, "outage duration");
            break;
        case EV_ALERT_SENT:
            if (e->value == AD1) {
                /* the hub's AD1 goes 3 min after the loss, while still off */
                cr_expect(fabs(e->t_s - lost[h] - 180.0) < 1e-9, "AD1 at loss + 3 min");
                cr_expect_eq(restored[h], 0);
                ad1[h]++;
            } else {
                /* restore alert: uniform in [0, 2 min] after restoration */
                cr_expect(restored[h] > 0);
                cr_expect(e->t_s >= restored[h] && e->t_s <= restored[h] + 120.0,
                          "household %u alert %.0f s after restoration", h, e->t_s - restored[h]);
                alerts[h]++;
            }
            break;
        case EV_ALERT_DELIVERED:
            delivered++;
            break;
        }
    }
    /* About 30 % of 5,000 premises lose supply (substation-level, so loosely). */
    cr_expect(n_lost > 1000 && n_lost < 2000, "lost %u", n_lost);
    cr_expect_gt(n_restored, n_lost / 2);
    uint32_t with_alert = 0;
    for (uint32_t h = 0; h < n; h++) {
        cr_expect_leq(alerts[h], 1, "one restore alert per restoration");
        with_alert += alerts[h];
    }
    /* Restorations in the last 2 minutes may not have alerted before the end. */
    cr_expect(with_alert + 20 >= n_restored && with_alert <= n_restored, "%u alerts for %u restorations",
              with_alert, n_restored);
    cr_expect_gt(delivered, 0);
    free(lost);
    free(restored);
    free(alerts);
    free(ad1);
}

Test(outage_run, meters_record_no_energy_while_supply_is_off)
{
    run_storm("");
    uint32_t np = (uint32_t)dims[1];
    double *lost = calloc(dims[0], sizeof *lost);
    uint32_t checked = 0;
    for (hsize_t k = 0; k < n_ev; k++) {
        const ev *e = &E[k];
        if (e->code == EV_SUPPLY_LOST) lost[e->household] = e->t_s;
        if (e->code == EV_RESTORED || e->code == EV_RESTORED_LONG) {
            uint32_t h = e->household;
            uint32_t p0 = (uint32_t)ceil(lost[h] / 1800.0), p1 = (uint32_t)floor(e->t_s / 1800.0);
            for (uint32_t p = p0; p < p1 && p < np; p++) {
                cr_expect_eq(imp[(size_t)h * np + p], 0, "household %u period %u", h, p);
                checked++;
            }
        }
    }
    cr_expect_gt(checked, 1000);
    free(lost);
}

Test(outage_run, cold_load_pickup_raises_demand_after_long_outages)
{
    /* ENWL Smart ReStart: cold-load pickup can double demand at restoration.
     * With gain 100 % and decay 1 h, the first full period after a long outage averages
     * 1 + e^(-t/1h) over it, about 1.5-1.9x normal; compare with the same premises in the
     * same period of the other day, when supplied.  Expect at least 1.25x. */
    run_storm("");
    uint32_t np = (uint32_t)dims[1];
    double *lost = calloc(dims[0], sizeof *lost);
    double after = 0, normal = 0;
    for (hsize_t k = 0; k < n_ev; k++) {
        const ev *e = &E[k];
        if (e->code == EV_SUPPLY_LOST) lost[e->household] = e->t_s;
        if (e->code == EV_RESTORED_LONG && e->value > 4 * 3600) {
            uint32_t h = e->household, p = (uint32_t)ceil(e->t_s / 1800.0);
            uint32_t other = p >= 48 ? p - 48 : p + 48;
            if (p >= np || other >= np) continue;
            after += imp[(size_t)h * np + p];
            normal += imp[(size_t)h * np + other];
        }
    }
    cr_expect_gt(normal, 0);
    cr_expect(after > 1.25 * normal, "after restoration %.0f Wh vs normal %.0f Wh", after, normal);
    free(lost);
}

Test(outage_run, zero_dither_window_sends_restore_alerts_at_restoration)
{
    run_storm("--set meter.restore_dither=\"0 s\"");
    double *restored = calloc(dims[0], sizeof *restored);
    uint32_t alerts = 0;
    for (hsize_t k = 0; k < n_ev; k++) {
        const ev *e = &E[k];
        if (e->code == EV_RESTORED || e->code == EV_RESTORED_LONG) restored[e->household] = e->t_s;
        if (e->code == EV_ALERT_SENT && e->value != AD1) {
            cr_expect_eq(e->t_s, restored[e->household]);
            alerts++;
        }
    }
    cr_expect_gt(alerts, 100);
    free(restored);
}

Test(outage_run, prepayment_meters_run_low_and_are_topped_up_by_utrn)
{
    /* Every household on prepayment (30 pounds at commissioning); in 3 weeks each runs
     * below 5 pounds and tops up 20 pounds with a UTRN its meter accepts (firmware UTRN
     * path, modelled crypto). */
    snprintf(dir, sizeof dir, "/tmp/metersim-prepay-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    hid_t f = run_trace(dir, "p.h5", "small.yaml",
                        "--set households=100 --set duration=\"21 d\" "
                        "--set meter.prepayment_share=\"100 %\"");
    cr_assert_geq(f, 0);
    hid_t t = h5_event_type();
    hsize_t d[2];
    int r;
    E = h5_read_all(f, "/events", t, d, &r);
    n_ev = d[0];
    cr_assert_not_null(E);
    uint32_t ok = 0, refused = 0;
    for (hsize_t k = 0; k < n_ev; k++)
        if (E[k].code == 0x10008u) {
            if (E[k].value == 2000)
                ok++;
            else
                refused++;
        }
    cr_expect_eq(refused, 0, "every UTRN accepted");
    cr_expect_gt(ok, 50, "top-ups: %u", ok);
    H5Tclose(t);
    H5Fclose(f);
}
