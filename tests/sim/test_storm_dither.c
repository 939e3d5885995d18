/* Restore-alert dithering at the head-end (issue 5's validation), N = 50,000 meters:
 * - with ample capacity the peak arrival rate of N meters restored together with dither
 *   window W is N/W within 10 % (W = 2 min and 5 min);
 * - with W = 0 and finite head-end capacity the burst queues and is partly lost. */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/metersim-dither-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    run_cmd("rm -rf '%s'", dir);
}

TestSuite(storm_dither, .init = setup, .fini = teardown, .timeout = 600);

static hid_t run(const char *name, const char *sets)
{
    hid_t f = run_trace(dir, name, "dither.yaml", sets);
    cr_assert_geq(f, 0, "run of dither.yaml %s", sets);
    return f;
}

/* Largest 20-s moving average of per-second head-end arrivals from FROM on.  The 1-s
 * maximum of ~N/W binomial counts exceeds their mean by a few standard deviations (at
 * 167/s one sd is 7.7 %); averaging over 20 s brings a sd down to 1.7 % at 167/s and 1.1 %
 * at 417/s, so the largest of the ~15 independent windows stays well inside 10 %. */
static double peak_20s(const uint32_t *a, hsize_t n, hsize_t from)
{
    double best = 0;
    for (hsize_t s = from; s + 20 <= n; s++) {
        double sum = 0;
        for (int k = 0; k < 20; k++) sum += a[s + k];
        if (sum / 20 > best) best = sum / 20;
    }
    return best;
}

#define N 50000.0

static void check_peak(const char *w_text, double w_s)
{
    char sets[160], name[64];
    snprintf(sets, sizeof sets, "--set households=50000 --set meter.restore_dither=\"%s\"", w_text);
    snprintf(name, sizeof name, "w%.0f.h5", w_s);
    hid_t f = run(name, sets);
    hsize_t d[2];
    int r;
    uint32_t *a = h5_read_all(f, "/network/headend/arrivals", H5T_NATIVE_UINT32, d, &r);
    cr_assert_not_null(a);
    /* restoration at 02:00:00 = 7200 s; restore alerts only after it */
    double peak = peak_20s(a, d[0], 7200), want = N / w_s;
    cr_expect(fabs(peak - want) / want < 0.10, "W = %s: peak %.1f/s vs N/W = %.1f/s", w_text, peak,
              want);
    uint64_t total = 0;
    for (hsize_t s = 7200; s < d[0]; s++) total += a[s];
    cr_expect_eq(total, (uint64_t)N, "every restore alert arrives");
    free(a);
    H5Fclose(f);
}

Test(storm_dither, peak_arrival_rate_is_n_over_w_for_a_2_minute_window)
{
    check_peak("2 min", 120);
}

Test(storm_dither, peak_arrival_rate_is_n_over_w_for_a_5_minute_window)
{
    check_peak("5 min", 300);
}

/* Per-class head-end statistics: row CLS, column COL of /network/headend/class_stats. */
static double class_stat(hid_t f, int row, int col)
{
    hsize_t d[2];
    int r;
    double *v = h5_read_all(f, "/network/headend/class_stats", H5T_NATIVE_DOUBLE, d, &r);
    cr_assert_not_null(v);
    double x = v[row * d[1] + col];
    free(v);
    return x;
}

Test(storm_dither, without_dither_a_finite_head_end_queues_and_loses_alerts)
{
    /* 20,000 meters; 16 servers x 50 ms = 320 alerts/s and 5,000 places to wait.  With
     * W = 0 the restore alerts reach the head-end within seconds (the cells' queues pace
     * them): the head-end accepts what fits (16 + 5,000) plus what it serves while
     * they keep arriving (320/s over the arrival span), drops the rest, and the last
     * accepted waits about accepted / 320 s.  With W = 5 min (67/s offered) nothing is
     * lost and responses stay short. */
    const char *cap = "--set headend.servers=16 --set headend.queue_capacity=5000";
    char sets[256];
    snprintf(sets, sizeof sets, "%s --set meter.restore_dither=\"0 s\"", cap);
    hid_t burst = run("w0.h5", sets);
    snprintf(sets, sizeof sets, "%s --set meter.restore_dither=\"5 min\"", cap);
    hid_t spread = run("w300.h5", sets);
    hsize_t d[2];
    int r;
    uint32_t *a = h5_read_all(burst, "/network/headend/arrivals", H5T_NATIVE_UINT32, d, &r);
    hsize_t first = 0, last = 0;
    for (hsize_t s = 7200; s < d[0]; s++)
        if (a[s]) {
            if (!first) first = s;
            last = s;
        }
    double span = (double)(last - first + 1);
    free(a);
    /* rows follow NET_HE_CLASS_MAP: 1 = alert_restore; columns: 1 accepted, 2 dropped,
     * 9 resp_p99_s */
    double accepted0 = class_stat(burst, 1, 1), dropped0 = class_stat(burst, 1, 2);
    double dropped5 = class_stat(spread, 1, 2);
    double p99_0 = class_stat(burst, 1, 9), p99_5 = class_stat(spread, 1, 9);
    /* The cells themselves pace the burst (8 transfers of ~110 ms latency at a time). */
    cr_expect(span < 60, "W=0 burst arrives within %.0f s", span);
    cr_expect(accepted0 >= 5016 && accepted0 <= 5016 + 320 * span, "W=0 accepted %.0f (span %.0f s)",
              accepted0, span);
    cr_expect_eq(accepted0 + dropped0, 20000);
    cr_expect_gt(dropped0, 10000);
    cr_expect_eq(dropped5, 0);
    cr_expect(p99_0 > 10.0 && p99_0 < accepted0 / 320.0 + span, "W=0 p99 response %.2f s", p99_0);
    cr_expect(p99_5 < 2.0, "W=5 min p99 response %.2f s", p99_5);
    uint32_t *q = h5_read_all(burst, "/network/headend/queue_max", H5T_NATIVE_UINT32, d, &r);
    uint32_t qmax = 0;
    for (hsize_t s = 0; s < d[0]; s++)
        if (q[s] > qmax) qmax = q[s];
    cr_expect_eq(qmax, 5000);
    free(q);
    H5Fclose(burst);
    H5Fclose(spread);
}
