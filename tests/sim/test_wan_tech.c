/* End to end: the WAN technology model in a run (net/wantech.h; seeds 003 and 004: DCC North
 * on long-range radio, Central and South on cellular with mesh where coverage is poor; DESNZ
 * smart meter statistics: end 2022 15.1M SMETS1 of 29.9M). */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct hrow {
    uint16_t region;
    uint8_t wan_tech, mesh_hops;
} hrow;

Test(wan_tech, technologies_follow_dcc_regions_and_losses_carry_their_cause, .timeout = 600)
{
    char dir[] = "/tmp/metersim-wt-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    hid_t f = run_trace(dir, "w.h5", "small.yaml",
                        "--set households=14000 --set topology.regions=14 --set duration=\"1 d\" "
                        "--set wan.technology=model --set 'fleet.populations=[{name: smets2, "
                        "share: 49.5 %}, {name: smets1, share: 50.5 %, generation: smets1}]'");
    cr_assert_geq(f, 0);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(hrow));
    H5Tinsert(t, "region", HOFFSET(hrow, region), H5T_NATIVE_UINT16);
    H5Tinsert(t, "wan_tech", HOFFSET(hrow, wan_tech), H5T_NATIVE_UINT8);
    H5Tinsert(t, "mesh_hops", HOFFSET(hrow, mesh_hops), H5T_NATIVE_UINT8);
    hsize_t d[2];
    int r;
    hrow *h = h5_read_all(f, "/households", t, d, &r);
    cr_assert_not_null(h);
    uint32_t s1 = 0;
    for (hsize_t i = 0; i < d[0]; i++) {
        /* regions 1-5 (Scotland and northern England) are DCC North: long-range radio */
        int north = h[i].region <= 5;
        if (h[i].wan_tech == 2) {
            s1++;
        } else if (north) {
            cr_assert_eq(h[i].wan_tech, 0, "household %llu in region %u", (unsigned long long)i,
                         h[i].region);
        } else {
            cr_assert(h[i].wan_tech == 1 || h[i].wan_tech == 3);
        }
        cr_assert_eq(h[i].mesh_hops > 0, h[i].wan_tech == 3, "only mesh premises relay");
    }
    /* SMETS1 share 50.5 %: binomial sd over 14,000 is 0.42 points; +-2 points. */
    cr_expect(fabs(s1 / (double)d[0] - 0.505) < 0.02, "SMETS1 share %.3f", s1 / (double)d[0]);
    free(h);
    H5Tclose(t);
    typedef h5_event ev;
    hid_t et = h5_event_type();
    ev *e = h5_read_all(f, "/events", et, d, &r);
    cr_assert_not_null(e);
    uint32_t lost = 0, sent = 0;
    for (hsize_t k = 0; k < d[0]; k++) {
        if (e[k].code == 0x10009u) {
            lost++;
            cr_expect(e[k].value >= 1 && e[k].value <= 4, "loss cause %lld", (long long)e[k].value);
        }
        if (e[k].code == 0x10001u) sent++;
    }
    /* access losses of 0.5-2 % per message (wantech.c defaults): some, not most */
    cr_expect(lost > 0 && lost < (sent + lost) / 10, "%u lost of %u", lost, sent + lost);
    free(e);
    H5Tclose(et);
    H5Fclose(f);
    run_cmd("rm -rf '%s'", dir);
}

Test(wan_tech, hubs_send_lost_alerts_again_after_timeout_and_backoff, .timeout = 600)
{
    /* net/retry.h: retry at loss + 25 s timeout + uniform [0, min(300 s, 5 s 2^(n-1)));
     * at most 5 sends of one alert (the DCC gives up after 5 failed attempts, DCC consultation
     * on SMETS1 migration). */
    char dir[] = "/tmp/metersim-rt-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    hid_t f = run_trace(dir, "r.h5", "storm.yaml",
                        "--set wan.technology=model --set topology.regions=14");
    cr_assert_geq(f, 0);
    hid_t et = h5_event_type();
    hsize_t d[2];
    int r;
    h5_event *e = h5_read_all(f, "/events", et, d, &r);
    cr_assert_not_null(e);
    /* Events at one time are ordered by code: a retry's own send and loss (0x10003, 0x10009)
     * come before the retry record (0x1000A), so a retry refers to the loss before its time. */
    double *last_alert_loss = calloc(100000, sizeof *last_alert_loss);
    double *prev_alert_loss = calloc(100000, sizeof *prev_alert_loss);
    double *last_alert = calloc(100000, sizeof *last_alert);
    uint32_t retries = 0;
    for (hsize_t k = 0; k < d[0]; k++) {
        uint32_t h = e[k].household;
        if (h >= 100000) continue;
        if (e[k].code == 0x10003u) last_alert[h] = e[k].t_s;
        if (e[k].code == 0x10009u && last_alert[h] == e[k].t_s) {
            prev_alert_loss[h] = last_alert_loss[h];
            last_alert_loss[h] = e[k].t_s;
        }
        if (e[k].code == 0x1000Au) {
            retries++;
            double loss = last_alert_loss[h] == e[k].t_s ? prev_alert_loss[h] : last_alert_loss[h];
            double gap = e[k].t_s - loss;
            cr_expect(loss > 0 && gap >= 25.0 && gap <= 25.0 + 300.0 + 1.0,
                      "household %u retries %.1f s after its loss", h, gap);
            cr_expect(e[k].value >= 1 && e[k].value <= 4, "attempt %lld", (long long)e[k].value);
        }
    }
    cr_expect_gt(retries, 0, "some alerts were lost and sent again");
    free(last_alert_loss);
    free(prev_alert_loss);
    free(last_alert);
    free(e);
    H5Tclose(et);
    H5Fclose(f);
    run_cmd("rm -rf '%s'", dir);
}
