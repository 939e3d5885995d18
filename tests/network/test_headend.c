/* Head-end queue, storm throttling, retries and dithering against analytic results.
 *
 * Every random figure below comes from fixed seeds through sim_rng (taus2 seeded by
 * SplitMix64), so each test computes the same numbers on every run: the tolerances are
 * chosen so that a correct model passes for (nearly) any seed, and the statistical margin
 * is written next to each one; a failure therefore means the model changed, not bad luck.
 */
#include "net/headend.h"
#include "net/retry.h"
#include "sim/rng.h"
#include "ckpt_blob.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static net_he_config base_config(uint32_t servers, uint32_t queue_cap, uint32_t bins)
{
    net_he_config c;
    net_he_config_default(&c);
    c.seed = 11;
    c.entity = 0;
    c.servers = servers;
    c.queue_cap = queue_cap;
    c.series_bins = bins;
    return c;
}

static void set_all(net_he_config *c, net_he_dist d, double mean_s)
{
    for (unsigned i = 0; i < NET_HE_NCLASS; i++) {
        c->cls[i].dist = d;
        c->cls[i].service_s = mean_s;
    }
}

/* Poisson arrivals at rate LAMBDA, N of them, all of class CLS; returns the mean wait. */
static double run_poisson(const net_he_config *cfg, double lambda, uint64_t n, net_he_stats *st)
{
    net_headend *he;
    cr_assert_eq(net_he_create(cfg, NULL, NULL, &he), 0);
    sim_rng r;
    sim_rng_seed(&r, 2024, 1, "test.arrivals");
    gsl_rng g;
    sim_rng_gsl(&r, &g);
    double t = 0;
    for (uint64_t i = 0; i < n; i++) {
        t += gsl_ran_exponential(&g, 1.0 / lambda);
        net_he_req q = {.id = i, .arrival_s = t, .origin_s = t, .cls = NET_HE_ONDEMAND_READ};
        net_he_outcome o;
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    net_he_finish(he);
    net_he_stats_get(he, NET_HE_NCLASS, st);
    net_he_destroy(he);
    cr_assert_eq(st->dropped, 0, "waiting room must be ample for this test");
    cr_assert_eq(st->completed, n);
    return st->wait_sum_s / (double)st->started;
}

static double erlang_c(unsigned c, double a)
{
    double term = 1, sum = 0; /* a^k / k! */
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term * c / (c - a);
    return top / (sum + top);
}

/* M/M/1 Wq = rho / (mu - lambda); M/D/1 Wq = rho / (2 mu (1 - rho)) (Pollaczek-Khinchine);
 * tolerance 5 % (issue 5).  Statistical margin: the relative variance of a run-length
 * average in M/M/1 is about 2 (1 + rho) / ((1 - rho)^2 n) (Whitt 1989, "Planning queueing
 * simulations", asymptotic variance of the time-average queue), i.e. 0.5 % at rho = 0.5 and
 * 1 % at rho = 0.8 with n = 10^6, and 1 % at rho = 0.9 with n = 4 x 10^6: 5 % is at least
 * 5 standard errors.  M/D/1 fluctuates less.  The start-empty bias is of order the
 * relaxation time over the run, below 0.1 % here. */
Test(headend_queue, fifo_matches_mm1_and_md1_mean_waits)
{
    static const double rho[3] = {0.5, 0.8, 0.9};
    for (int d = 0; d < 2; d++) {
        for (int i = 0; i < 3; i++) {
            net_he_config c = base_config(1, 200000, 0);
            set_all(&c, d ? NET_HE_DETERMINISTIC : NET_HE_EXPONENTIAL, 1.0);
            uint64_t n = rho[i] > 0.85 ? 4000000 : 1000000;
            net_he_stats st;
            double w = run_poisson(&c, rho[i], n, &st);
            double expect = d ? rho[i] / (2 * (1 - rho[i])) : rho[i] / (1 - rho[i]);
            cr_log_info("M/%c/1 rho %.1f: Wq %.4f s, analytic %.4f s (%+.2f %%)", d ? 'D' : 'M',
                        rho[i], w, expect, 100 * (w / expect - 1));
            cr_expect(fabs(w / expect - 1) < 0.05, "M/%c/1 rho %.1f: Wq %.4f vs %.4f",
                      d ? 'D' : 'M', rho[i], w, expect);
        }
    }
}

/* M/M/c: Wq = C(c, a) / (c mu - lambda) with Erlang's C formula, a = lambda / mu; 5 %.
 * n = 10^6: with c = 4 and 8 at rho = 0.8 the variance is below the M/M/1 case's. */
Test(headend_queue, fifo_with_c_servers_matches_erlang_c)
{
    static const unsigned cs[2] = {4, 8};
    for (int i = 0; i < 2; i++) {
        unsigned c = cs[i];
        double mu = 2.0, rho = 0.8, lambda = rho * c * mu;
        net_he_config cfg = base_config(c, 200000, 0);
        set_all(&cfg, NET_HE_EXPONENTIAL, 1.0 / mu);
        net_he_stats st;
        double w = run_poisson(&cfg, lambda, 1000000, &st);
        double expect = erlang_c(c, lambda / mu) / (c * mu - lambda);
        cr_log_info("M/M/%u rho 0.8: Wq %.4f s, Erlang C %.4f s (%+.2f %%)", c, w, expect,
                    100 * (w / expect - 1));
        cr_expect(fabs(w / expect - 1) < 0.05, "M/M/%u: Wq %.4f vs %.4f", c, w, expect);
    }
}

/* The event-driven priority path with every class at one level is FCFS too: it must give
 * the same waits as the Lindley path, to rounding. */
Test(headend_queue, priority_mode_with_one_level_equals_fifo)
{
    net_he_stats a, b;
    net_he_config c = base_config(3, 100000, 0);
    set_all(&c, NET_HE_LOGNORMAL, 1.0);
    for (unsigned i = 0; i < NET_HE_NCLASS; i++)
        c.cls[i].service_cv = 1.5;
    double wa = run_poisson(&c, 2.7, 200000, &a);
    c.priority = true;
    for (unsigned i = 0; i < NET_HE_NCLASS; i++)
        c.cls[i].priority = 3;
    double wb = run_poisson(&c, 2.7, 200000, &b);
    cr_expect(fabs(wa - wb) <= 1e-9 * wa, "fifo %.12f priority %.12f", wa, wb);
    cr_expect(fabs(a.resp_sum_s - b.resp_sum_s) <= 1e-9 * a.resp_sum_s);
}

/* Dither arrivals: N restored meters, each sending after uniform [0, W].
 * Peak rate is defined as the largest 10-s moving average of the per-second arrivals
 * (a window slid by 1 s).  The count in one 10-s window inside [0, W] is binomial with
 * p = 10 / W, relative sd sqrt((1 - p) / (N p)): 1.1 % for W = 2 min and 1.7 % for 5 min
 * with N = 100k; the maximum over about W / 10 independent windows sits some
 * sqrt(2 ln(W / 10)) ~ 2.2-2.6 sd above N / W, i.e. +2.5 % and +4.5 %, and can only be
 * below N / W by the binomial spread of the best window (windows that straddle an edge of
 * [0, W] are lower, not higher).  So the peak is within 10 % of N / W with several sd to
 * spare.  A 1-s bin max would not be: for W = 5 min its sd is 5.5 % and its maximum over
 * 300 bins about +16 % (printed for comparison). */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct storm_result {
    net_he_stats st;
    double peak_10s, peak_1s;
    double wait_p50, wait_p99, last_done;
    uint32_t qmax;
    double little_err; /* relative difference of the queue integral and the wait sum */
} storm_result;

static void done_last(void *ctx, const net_he_done *d)
{
    double *last = ctx;
    cr_assert(d->done_s >= *last, "completions out of order");
    *last = d->done_s;
}

static storm_result storm(uint32_t n, double window_s, uint32_t servers, double service_s,
                          uint32_t queue_cap)
{
    const double t0 = 1000.0; /* restore time [s] */
    double *t = malloc(n * sizeof *t);
    cr_assert(t);
    for (uint32_t i = 0; i < n; i++) {
        sim_rng r;
        net_dither_seed(&r, 7, i);
        t[i] = t0 + net_dither_draw(&r, window_s);
    }
    qsort(t, n, sizeof *t, cmp_d);
    net_he_config c = base_config(servers, queue_cap, 4000);
    set_all(&c, NET_HE_DETERMINISTIC, service_s);
    storm_result res = {0};
    net_headend *he;
    cr_assert_eq(net_he_create(&c, done_last, &res.last_done, &he), 0);
    for (uint32_t i = 0; i < n; i++) {
        net_he_req q = {.id = i,
                        .arrival_s = t[i],
                        .origin_s = t[i],
                        .premises = i,
                        .cls = NET_HE_ALERT_RESTORE};
        net_he_outcome o;
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    net_he_finish(he);
    net_he_stats_get(he, NET_HE_NCLASS, &res.st);
    net_he_series s;
    net_he_series_view(he, &s);
    double qint = 0;
    for (uint32_t k = 0; k < s.bins; k++) {
        if (s.arrivals[k] > res.peak_1s) res.peak_1s = s.arrivals[k];
        if (s.queue_max[k] > res.qmax) res.qmax = s.queue_max[k];
        qint += s.queue_mean[k] * s.step_s;
        if (k + 10 <= s.bins) {
            double m = 0;
            for (uint32_t j = 0; j < 10; j++)
                m += s.arrivals[k + j];
            if (m / 10 > res.peak_10s) res.peak_10s = m / 10;
        }
    }
    cr_assert_eq(s.late, 0);
    res.little_err = res.st.wait_sum_s > 0 ? fabs(qint / res.st.wait_sum_s - 1) : qint;
    res.wait_p50 = net_he_wait_quantile(he, NET_HE_NCLASS, 0.5);
    res.wait_p99 = net_he_wait_quantile(he, NET_HE_NCLASS, 0.99);
    net_he_destroy(he);
    free(t);
    return res;
}

Test(headend_storm, dithered_peak_rate_is_n_over_w)
{
    static const double w[2] = {120, 300};
    const uint32_t n = 100000;
    for (int i = 0; i < 2; i++) {
        /* ample: 64 servers x 10 ms = 6,400/s, 7.7 x the W = 2 min rate */
        storm_result r = storm(n, w[i], 64, 0.01, 100000);
        double nw = n / w[i];
        cr_log_info("W %.0f s: N/W %.1f/s, peak (10-s moving avg) %.1f/s (%+.2f %%), 1-s max "
                    "%.0f/s (%+.1f %%)",
                    w[i], nw, r.peak_10s, 100 * (r.peak_10s / nw - 1), r.peak_1s,
                    100 * (r.peak_1s / nw - 1));
        cr_expect(fabs(r.peak_10s / nw - 1) < 0.10, "W %.0f: peak %.1f vs N/W %.1f", w[i],
                  r.peak_10s, nw);
        cr_expect_eq(r.st.dropped, 0);
        cr_expect(r.wait_p99 < 0.01, "ample capacity: p99 wait %.4f s", r.wait_p99);
    }
}

/* W = 0, finite capacity: N alerts at one instant, c servers, deterministic s, waiting
 * room K.  Exactly c + K are accepted (c start, K wait), N - c - K dropped; job m (0-based)
 * waits floor(m / c) s, so the last completes ceil((c + K) / c) s after the storm and the
 * nearest-rank p50 / p99 waits are floor((ceil(q (c + K)) - 1) / c) s (histogram accuracy
 * 0.5 %).  The same N dithered over W = 5 min (333/s offered against 320/s) loses nothing:
 * the backlog is the fluid excess N - c T / s ~ 4,000 by the end, waits of about 12.5 s
 * at most, and the last completes near t0 + N s / c = 312.5 s after the restore. */
Test(headend_storm, no_dither_overflows_the_queue)
{
    const uint32_t n = 100000, c = 16, k = 20000;
    const double s = 0.05, t0 = 1000.0;
    storm_result a = storm(n, 0, c, s, k);
    uint64_t acc = c + k;
    cr_expect_eq(a.st.accepted, acc);
    cr_expect_eq(a.st.dropped, n - acc);
    double last = t0 + ceil((double)acc / c) * s;
    cr_expect(fabs(a.last_done - last) < 1e-6, "last completion %.6f, expected %.6f", a.last_done,
              last);
    double p50 = floor((ceil(0.5 * acc) - 1) / c) * s, p99 = floor((ceil(0.99 * acc) - 1) / c) * s;
    cr_expect(fabs(a.wait_p50 / p50 - 1) < 0.005, "p50 %.3f vs %.3f", a.wait_p50, p50);
    cr_expect(fabs(a.wait_p99 / p99 - 1) < 0.005, "p99 %.3f vs %.3f", a.wait_p99, p99);
    cr_expect_eq(a.qmax, k);
    cr_expect(a.little_err < 1e-6, "queue integral vs wait sum: %.2e", a.little_err);
    /* targets: alerts aim at 25 s; job m meets it when floor(m / c) s + s <= 25 s */
    double met = a.st.met_target, met_expect = c * floor(25.0 / s); /* 8,000 */
    cr_expect(fabs(met - met_expect) <= c, "met target %.0f, expected %.0f", met, met_expect);

    storm_result b = storm(n, 300, c, s, k);
    cr_log_info("W 0: accepted %llu dropped %llu, wait p50 %.2f s p99 %.2f s, last %.2f s after",
                (unsigned long long)a.st.accepted, (unsigned long long)a.st.dropped, a.wait_p50,
                a.wait_p99, a.last_done - t0);
    cr_log_info("W 300 s: accepted %llu dropped %llu, wait p50 %.2f s p99 %.2f s, max %.2f s, "
                "queue max %u, last %.2f s after",
                (unsigned long long)b.st.accepted, (unsigned long long)b.st.dropped, b.wait_p50,
                b.wait_p99, b.st.wait_max_s, b.qmax, b.last_done - t0);
    cr_expect_eq(b.st.dropped, 0);
    double fluid_last = n * s / c; /* 312.5 s */
    cr_expect(b.last_done - t0 >= fluid_last - 1e-9 && b.last_done - t0 < fluid_last * 1.02,
              "last %.2f s after restore, fluid %.2f s", b.last_done - t0, fluid_last);
    double fluid_wmax = (n - c / s * 300) * s / c; /* 12.5 s */
    cr_expect(b.st.wait_max_s < 1.5 * fluid_wmax, "max wait %.2f s, fluid %.2f s", b.st.wait_max_s,
              fluid_wmax);
    cr_expect(a.wait_p99 > 4 * b.wait_p99, "p99 W=0 %.2f vs W=5min %.2f", a.wait_p99, b.wait_p99);
    cr_expect(b.little_err < 1e-6);
}

/* With the waiting room as large as the storm nothing is lost and the last of N
 * simultaneous requests completes after exactly ceil(N / c) s (FIFO and priority alike). */
Test(headend_storm, simultaneous_storm_drains_in_n_s_over_c)
{
    const uint32_t n = 10000, c = 8;
    const double s = 0.03;
    for (int prio = 0; prio < 2; prio++) {
        net_he_config cfg = base_config(c, n, 0);
        cfg.priority = prio;
        set_all(&cfg, NET_HE_DETERMINISTIC, s);
        double last = 0;
        net_headend *he;
        cr_assert_eq(net_he_create(&cfg, done_last, &last, &he), 0);
        for (uint32_t i = 0; i < n; i++) {
            net_he_req q = {.id = i, .arrival_s = 5, .origin_s = 5, .cls = NET_HE_ALERT_OUTAGE};
            net_he_outcome o;
            cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
            cr_assert_eq(o, NET_HE_ACCEPTED);
        }
        net_he_finish(he);
        cr_expect(fabs(last - (5 + ceil((double)n / c) * s)) < 1e-6, "last %.6f", last);
        net_he_destroy(he);
    }
}

/* Priority: top-ups and supply switching (level 0) overtake a storm of alerts (level 1);
 * non-preemptive, so a top-up waits at most the residual service of one alert per server
 * (here one server, 50 ms), while the alerts it overtakes wait seconds. */
Test(headend_priority, topups_overtake_an_alert_storm)
{
    net_he_config cfg = base_config(1, 100000, 0);
    cfg.priority = true;
    set_all(&cfg, NET_HE_DETERMINISTIC, 0.05);
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
    net_he_outcome o;
    for (uint32_t i = 0; i < 2000; i++) {
        net_he_req q = {.id = i, .arrival_s = 0, .cls = NET_HE_ALERT_RESTORE};
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    for (uint32_t i = 0; i < 20; i++) {
        double t = 1 + 2.0 * i;
        net_he_req q = {.id = 5000 + i, .arrival_s = t, .origin_s = t, .cls = NET_HE_TOPUP};
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    net_he_finish(he);
    net_he_stats tu, al;
    net_he_stats_get(he, NET_HE_TOPUP, &tu);
    net_he_stats_get(he, NET_HE_ALERT_RESTORE, &al);
    cr_expect_eq(tu.completed, 20);
    cr_expect(tu.wait_max_s <= 0.05 + 1e-9, "top-up max wait %.4f s", tu.wait_max_s);
    cr_expect_eq(tu.met_target, 20);
    cr_expect(al.wait_max_s > 99, "alerts wait %.1f s", al.wait_max_s);
    net_he_destroy(he);
}

/* Advancing the model at arbitrary extra times (as the engine does at window ends) changes
 * nothing: same statistics, same series. */
Test(headend_queue, extra_advances_do_not_change_results)
{
    net_he_series sv[2];
    net_he_stats st[2];
    net_headend *he[2];
    for (int v = 0; v < 2; v++) {
        net_he_config cfg = base_config(2, 50, 600);
        set_all(&cfg, NET_HE_EXPONENTIAL, 0.5);
        cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he[v]), 0);
        sim_rng r;
        sim_rng_seed(&r, 1, 2, "test.arrivals");
        double t = 0;
        for (uint32_t i = 0; i < 2000; i++) {
            double prev = t;
            t += 0.25 * sim_rng_uniform(&r) + (i % 200 < 50 ? 0 : 0.1);
            if (v && i % 3 == 0) cr_assert_eq(net_he_advance(he[v], prev + 0.5 * (t - prev)), 0);
            net_he_req q = {.id = i, .arrival_s = t, .origin_s = t, .cls = NET_HE_TOPUP};
            net_he_outcome o;
            cr_assert_eq(net_he_submit(he[v], &q, &o, NULL), 0);
        }
        net_he_finish(he[v]);
        net_he_stats_get(he[v], NET_HE_NCLASS, &st[v]);
        net_he_series_view(he[v], &sv[v]);
    }
    cr_expect_eq(st[0].completed, st[1].completed);
    cr_expect_eq(st[0].dropped, st[1].dropped);
    cr_expect(st[0].dropped > 0, "the waiting room of 50 should overflow in the bursts");
    cr_expect(fabs(st[0].wait_sum_s - st[1].wait_sum_s) < 1e-9);
    cr_assert_eq(sv[0].bins, sv[1].bins);
    for (uint32_t k = 0; k < sv[0].bins; k++) {
        cr_assert_eq(sv[0].completed[k], sv[1].completed[k]);
        cr_assert_eq(sv[0].queue_max[k], sv[1].queue_max[k]);
        cr_assert(fabs(sv[0].queue_mean[k] - sv[1].queue_mean[k]) < 1e-9);
        cr_assert(fabs(sv[0].busy_mean[k] - sv[1].busy_mean[k]) < 1e-9);
    }
    net_he_destroy(he[0]);
    net_he_destroy(he[1]);
}

Test(headend_queue, arrivals_out_of_order_are_refused)
{
    net_he_config cfg = base_config(1, 10, 0);
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
    net_he_outcome o;
    net_he_req q = {.arrival_s = 10, .cls = NET_HE_TOPUP};
    cr_expect_eq(net_he_submit(he, &q, &o, NULL), 0);
    q.arrival_s = 9;
    cr_expect_eq(net_he_submit(he, &q, &o, NULL), NET_EHE_ORDER);
    q.arrival_s = 10;
    q.cls = NET_HE_NCLASS;
    cr_expect_eq(net_he_submit(he, &q, &o, NULL), NET_EHE_CLASS);
    cr_expect_str_eq(net_he_strerror(NET_EHE_ORDER), "arrival earlier than the model's clock");
    net_he_destroy(he);
    cfg.servers = 0;
    cr_expect_eq(net_he_create(&cfg, NULL, NULL, &he), NET_EHE_CONFIG);
    cr_expect_null(he);
}

/* ---- throttling ----------------------------------------------------------------------- */

/* A token bucket of rate r and depth b passes at most b + r T requests in T, and exactly
 * that many when the offered rate stays above r (Turner's leaky bucket, as in RFC 2697's
 * committed-burst bucket).  Offered: 1,000/s evenly for 60 s; r = 100/s, b = 500. */
Test(headend_throttle, class_threshold_limits_to_rate_plus_burst)
{
    net_he_config cfg = base_config(64, 100000, 100);
    cfg.throttle = true;
    cfg.cls[NET_HE_ALERT_RESTORE].rate_per_s = 100;
    cfg.cls[NET_HE_ALERT_RESTORE].burst = 500;
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
    net_he_outcome o;
    for (uint32_t i = 0; i < 60000; i++) {
        double t = i * 1e-3;
        net_he_req q = {.id = i, .arrival_s = t, .origin_s = t, .cls = NET_HE_ALERT_RESTORE};
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    /* other classes are not limited by the alert threshold */
    for (uint32_t i = 0; i < 100; i++) {
        net_he_req q = {.arrival_s = 60, .origin_s = 60, .cls = NET_HE_TOPUP};
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
        cr_assert_eq(o, NET_HE_ACCEPTED);
    }
    net_he_finish(he);
    net_he_stats st;
    net_he_stats_get(he, NET_HE_ALERT_RESTORE, &st);
    double bound = 500 + 100 * 59.999;
    cr_expect(st.accepted <= bound + 1 && st.accepted >= bound - 1, "accepted %llu, bound %.0f",
              (unsigned long long)st.accepted, bound);
    cr_expect_eq(st.quarantined, 60000 - st.accepted);
    net_he_series s;
    net_he_series_view(he, &s);
    for (uint32_t k = 6; k < 60; k++) /* the burst is spent within 500 / 900 s */
        cr_expect(s.accepted[k] >= 99 && s.accepted[k] <= 101, "second %u: %u", k, s.accepted[k]);
    cr_log_info("throttle 100/s + 500: accepted %llu of 60000 in 60 s (bound %.0f)",
                (unsigned long long)st.accepted, bound);
    net_he_destroy(he);
}

Test(headend_throttle, system_threshold_limits_all_classes_together)
{
    net_he_config cfg = base_config(64, 100000, 0);
    cfg.throttle = true;
    cfg.sys_rate_per_s = 50;
    cfg.sys_burst = 1;
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
    net_he_outcome o;
    for (uint32_t i = 0; i < 20000; i++) {
        double t = i * 1e-3;
        net_he_req q = {.arrival_s = t, .origin_s = t, .cls = i % NET_HE_NCLASS};
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    net_he_finish(he);
    net_he_stats st;
    net_he_stats_get(he, NET_HE_NCLASS, &st);
    /* 1 + 50 x 19.999 s */
    cr_expect(st.accepted >= 1000 && st.accepted <= 1001, "accepted %llu",
              (unsigned long long)st.accepted);
    net_he_destroy(he);
}

Test(headend_throttle, exclusion_list_discards_alerts_only)
{
    static const uint32_t areas[2] = {7, 3}, premises[1] = {42};
    net_he_config cfg = base_config(4, 1000, 0);
    cfg.exclusion = true;
    cfg.excl_areas = areas;
    cfg.n_excl_areas = 2;
    cfg.excl_premises = premises;
    cfg.n_excl_premises = 1;
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
    struct {
        uint32_t area, premises;
        unsigned cls;
        net_he_outcome want;
    } v[] = {
        {3, 1, NET_HE_ALERT_RESTORE, NET_HE_EXCLUDED},
        {7, 2, NET_HE_ALERT_OUTAGE, NET_HE_EXCLUDED},
        {5, 42, NET_HE_ALERT_RESTORE, NET_HE_EXCLUDED},
        {5, 43, NET_HE_ALERT_RESTORE, NET_HE_ACCEPTED},
        {3, 1, NET_HE_TOPUP, NET_HE_ACCEPTED},
        {5, 42, NET_HE_SUPPLY_SWITCH, NET_HE_ACCEPTED},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        net_he_req q = {.arrival_s = (double)i,
                        .origin_s = (double)i,
                        .area = v[i].area,
                        .premises = v[i].premises,
                        .cls = v[i].cls};
        net_he_outcome o;
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
        cr_expect_eq(o, v[i].want, "case %zu", i);
    }
    net_he_destroy(he);
}

/* ---- retries and dithering ------------------------------------------------------------- */

/* Full jitter: after failure n the delay is uniform in [0, min(cap, base 2^(n-1))), mean
 * half the ceiling.  10^5 draws: the relative sd of the sample mean is
 * (1 / sqrt 12) / (1 / 2) / sqrt(10^5) = 0.37 %; tolerance 2 % (5 sd). */
Test(retry, backoff_is_bounded_with_the_right_mean)
{
    net_retry_params p = {.timeout_s = 25, .base_s = 2, .cap_s = 60, .max_attempts = 8};
    for (uint32_t n = 1; n < p.max_attempts; n++) {
        double ceil_s = fmin(p.cap_s, p.base_s * pow(2, n - 1)), sum = 0;
        sim_rng r;
        net_retry_seed(&r, 9, n);
        for (int i = 0; i < 100000; i++) {
            double d;
            cr_assert_eq(net_retry_delay(&p, &r, n, &d), 0);
            cr_assert(d >= 0 && d <= ceil_s, "n %u: %.3f outside [0, %.1f]", n, d, ceil_s);
            sum += d;
        }
        double mean = sum / 100000;
        cr_expect(fabs(mean / (ceil_s / 2) - 1) < 0.02, "n %u: mean %.3f vs %.3f", n, mean,
                  ceil_s / 2);
    }
    sim_rng r;
    net_retry_seed(&r, 9, 1);
    double d;
    cr_expect_eq(net_retry_delay(&p, &r, p.max_attempts, &d), NET_ERETRY_EXHAUSTED);
    cr_expect_eq(net_retry_delay(&p, &r, 0, &d), NET_EHE_ARG);
    double next;
    cr_assert_eq(net_retry_next(&p, &r, 1, 100, &next), 0);
    cr_expect(next >= 125 && next < 127);
}

Test(retry, same_seed_and_meter_give_the_same_delays)
{
    net_retry_params p;
    net_retry_default(&p);
    cr_expect_eq(p.max_attempts, 5);
    sim_rng a, b, c;
    net_retry_seed(&a, 3, 77);
    net_retry_seed(&b, 3, 77);
    net_retry_seed(&c, 3, 78);
    int differ = 0;
    for (uint32_t n = 1; n < p.max_attempts; n++) {
        double da, db, dc;
        net_retry_delay(&p, &a, n, &da);
        net_retry_delay(&p, &b, n, &db);
        net_retry_delay(&p, &c, n, &dc);
        cr_expect_eq(da, db);
        differ += da != dc;
    }
    cr_expect(differ > 0, "another meter's stream must differ");
}

/* Dither uniform in [0, W): mean W / 2 within 1 % over 10^5 meters (sd 0.37 %). */
Test(retry, dither_is_uniform_over_the_window)
{
    double sum = 0, w = 300;
    for (uint32_t i = 0; i < 100000; i++) {
        sim_rng r;
        net_dither_seed(&r, 4, i);
        double d = net_dither_draw(&r, w);
        cr_assert(d >= 0 && d < w);
        sum += d;
    }
    cr_expect(fabs(sum / 100000 / (w / 2) - 1) < 0.01);
    sim_rng r;
    net_dither_seed(&r, 4, 1);
    cr_expect_eq(net_dither_draw(&r, 0), 0);
}

/* ---- histogram and DNO view -------------------------------------------------------------- */

/* Quantiles from the log-binned histogram are within 0.5 % of the exact nearest-rank
 * quantiles (bin ratio 1.01, geometric centre: error <= sqrt(1.01) - 1 = 0.499 %). */
Test(lathist, quantiles_within_half_a_percent)
{
    const size_t n = 100000;
    double *v = malloc(n * sizeof *v);
    net_lathist *h = malloc(sizeof *h);
    cr_assert(v && h);
    net_lathist_reset(h);
    sim_rng r;
    sim_rng_seed(&r, 1, 1, "test.lathist");
    gsl_rng g;
    sim_rng_gsl(&r, &g);
    for (size_t i = 0; i < n; i++) {
        v[i] = gsl_ran_lognormal(&g, 0.0, 2.0);
        net_lathist_add(h, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_d);
    static const double qs[] = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double exact = v[(size_t)ceil(qs[i] * n) - 1], est = net_lathist_quantile(h, qs[i]);
        cr_expect(fabs(est / exact - 1) <= 0.005, "q %.3f: %.5g vs %.5g", qs[i], est, exact);
    }
    cr_expect(isnan(net_lathist_quantile(&(net_lathist){0}, 0.5)));
    free(v);
    free(h);
}

Test(dno, time_until_every_restored_premises_is_known)
{
    const double restore[5] = {0, 0, 10, NAN, 30};
    const double known[5] = {5, 20, 12, 99, 31};
    net_dno_view d;
    cr_assert_eq(net_dno_view_compute(restore, known, 5, 5.0, &d), 0);
    cr_expect_eq(d.restored, 4);
    cr_expect_eq(d.known, 4);
    cr_expect_eq(d.last_restore_s, 30);
    cr_expect_eq(d.last_known_s, 31);
    cr_expect_eq(d.all_known_after_s, 1);
    cr_expect_eq(d.frac_within, 0.75); /* lags 5, 20, 2, 1 */
    const double known2[5] = {5, NAN, 12, 99, 31};
    cr_assert_eq(net_dno_view_compute(restore, known2, 5, 5.0, &d), 0);
    cr_expect_eq(d.known, 3);
    cr_expect(isinf(d.all_known_after_s));
    cr_expect_eq(d.frac_within, 0.75);
}

/* Restore alerts reach the DNO dno_delay after completion, and the view built from the
 * completions of a dithered storm says when the DNO knows everyone. */
typedef struct dno_ctx {
    double *known;
} dno_ctx;

static void dno_done(void *ctx, const net_he_done *d)
{
    dno_ctx *c = ctx;
    c->known[d->premises] = d->dno_s;
}

Test(dno, storm_view_from_headend_completions)
{
    const uint32_t n = 20000;
    double *restore = malloc(n * sizeof *restore), *known = malloc(n * sizeof *known);
    double *t = malloc(n * sizeof *t);
    uint32_t *ord = malloc(n * sizeof *ord);
    cr_assert(restore && known && t && ord);
    for (uint32_t i = 0; i < n; i++) {
        restore[i] = 100;
        known[i] = NAN;
        sim_rng r;
        net_dither_seed(&r, 5, i);
        t[i] = 100 + net_dither_draw(&r, 120);
    }
    /* order by send time: a simple insertion of indices through qsort of pairs */
    typedef struct {
        double t;
        uint32_t i;
    } pair;
    pair *p = malloc(n * sizeof *p);
    cr_assert(p);
    for (uint32_t i = 0; i < n; i++)
        p[i] = (pair){t[i], i};
    qsort(p, n, sizeof *p, cmp_d); /* first member is the double key */
    net_he_config cfg = base_config(32, 100000, 0);
    cfg.dno_delay_s = 2;
    dno_ctx ctx = {known};
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, dno_done, &ctx, &he), 0);
    for (uint32_t k = 0; k < n; k++) {
        net_he_req q = {.arrival_s = p[k].t,
                        .origin_s = p[k].t,
                        .premises = p[k].i,
                        .cls = NET_HE_ALERT_RESTORE};
        net_he_outcome o;
        cr_assert_eq(net_he_submit(he, &q, &o, NULL), 0);
    }
    net_he_finish(he);
    net_dno_view d;
    cr_assert_eq(net_dno_view_compute(restore, known, n, 60, &d), 0);
    cr_expect_eq(d.known, n);
    /* ample capacity: everyone is known by W + 50 ms + 2 s after the restoration, and about
     * half of them within 60 s (binomial sd 0.35 %) */
    cr_expect(d.all_known_after_s > 119 && d.all_known_after_s < 122.1, "%.3f",
              d.all_known_after_s);
    cr_expect(fabs(d.frac_within - (60 - 2 - 0.05) / 120) < 0.02, "%.4f", d.frac_within);
    net_he_destroy(he);
    free(restore);
    free(known);
    free(t);
    free(ord);
    free(p);
}

/* ---- series in bounded memory ----------------------------------------------------------- */

/* Offers the same traffic to a model whose consumer takes and releases every 30-min window
 * (as the engine does) and to one that keeps the whole run, then checks that the windows
 * taken equal the whole-run series bin for bin (same arithmetic, so exactly) and that the
 * streamed model never held more than about a window plus the DNO forwarding delay.  The
 * traffic: Poisson background of every class at 0.2/s, plus a restore-alert storm of about
 * 4,000 alerts in the minute across the first window end of every 6 h, against 2 servers of
 * 50 ms (40/s): a queue builds before the window end and drains after it, and restore
 * alerts reach the DNO 90 s after completion, so every kind of write crosses window ends. */
#define WIN_S 1800u
#define DNO_DELAY_S 90.0

typedef struct series_copy {
#define SERIES_COPY_FIELD_(name, type, units, desc) type *name;
    NET_HE_SERIES_MAP(SERIES_COPY_FIELD_)
#undef SERIES_COPY_FIELD_
} series_copy;

/* Bins [k0, k_end) of HE's view into DST (which holds bins from 0). */
static void take_bins(const net_headend *he, series_copy *dst, uint64_t k0, uint64_t k_end)
{
    net_he_series v;
    net_he_series_view(he, &v);
    cr_assert(k0 >= v.first && k_end <= v.first + v.bins, "bins [%llu, %llu) not held",
              (unsigned long long)k0, (unsigned long long)k_end);
#define SERIES_TAKE_(name, type, units, desc)                                                      \
    memcpy(dst->name + k0, v.name + (k0 - v.first), (size_t)(k_end - k0) * sizeof(type));
    NET_HE_SERIES_MAP(SERIES_TAKE_)
#undef SERIES_TAKE_
}

/* The arrival after T of the test traffic and its class, or +inf past SPAN. */
static double next_arrival(sim_rng *r, double t, double span, unsigned *cls)
{
    /* storms: [6h k + 1750, 6h k + 1810) filled with uniform gaps of 15 ms on average */
    double in_cycle = fmod(t, 21600.0);
    if (in_cycle >= 1750.0 && in_cycle < 1810.0) {
        *cls = NET_HE_ALERT_RESTORE;
        return t + 0.03 * sim_rng_uniform(r);
    }
    gsl_rng g;
    double nt = t + gsl_ran_exponential(sim_rng_gsl(r, &g), 5.0);
    if (fmod(nt, 21600.0) >= 1750.0 && in_cycle < 1750.0 && nt - t < 21600.0)
        nt = t - in_cycle + 1750.0; /* enter the storm at its start */
    *cls = (unsigned)(sim_rng_uniform(r) * NET_HE_NCLASS) % NET_HE_NCLASS;
    return nt < span ? nt : INFINITY;
}

/* Runs the traffic over SPAN seconds.  WHOLE (may be NULL) gets the model that kept every
 * bin, COPY the windows taken from the streamed one; the largest allocation seen is
 * returned. */
static uint32_t stream_run(bool priority, uint32_t span, net_headend **whole, series_copy *copy)
{
    net_headend *he[2] = {NULL, NULL};
    for (int m = 0; m < (whole ? 2 : 1); m++) {
        net_he_config cfg = base_config(2, 1500, span);
        cfg.priority = priority;
        cfg.dno_delay_s = DNO_DELAY_S;
        set_all(&cfg, NET_HE_EXPONENTIAL, 0.05);
        cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he[m]), 0);
    }
    sim_rng r;
    sim_rng_seed(&r, 3, 4, "test.stream");
    unsigned cls;
    double t = next_arrival(&r, 0, span, &cls);
    uint32_t peak = 0;
    uint64_t id = 0;
    for (uint32_t w_end = WIN_S; w_end <= span; w_end += WIN_S) {
        for (; t < w_end; t = next_arrival(&r, t, span, &cls)) {
            net_he_req q = {.id = id, .arrival_s = t, .origin_s = t, .premises = (uint32_t)id,
                            .cls = cls};
            id++;
            net_he_outcome o;
            for (int m = 0; m < (whole ? 2 : 1); m++)
                cr_assert_eq(net_he_submit(he[m], &q, &o, NULL), 0);
        }
        for (int m = 0; m < (whole ? 2 : 1); m++) cr_assert_eq(net_he_advance(he[m], w_end), 0);
        if (copy) take_bins(he[0], copy, w_end - WIN_S, w_end);
        cr_assert_eq(net_he_series_release(he[0], w_end), 0);
        net_he_series v;
        net_he_series_view(he[0], &v);
        if (v.allocated > peak) peak = v.allocated;
    }
    cr_expect_eq(net_he_series_release(he[0], span + 1u), NET_EHE_ARG, "bins not yet final");
    net_he_destroy(he[0]);
    if (whole) *whole = he[1];
    return peak;
}

Test(headend_series, streamed_windows_equal_the_whole_run)
{
    const uint32_t span = 2 * 86400;
    for (int prio = 0; prio < 2; prio++) {
        series_copy c;
#define SERIES_ALLOC_(name, type, units, desc)                                                     \
    c.name = calloc(span, sizeof(type));                                                           \
    cr_assert(c.name);
        NET_HE_SERIES_MAP(SERIES_ALLOC_)
#undef SERIES_ALLOC_
        net_headend *whole;
        stream_run(prio, span, &whole, &c);
        net_he_series v;
        net_he_series_view(whole, &v);
        cr_assert(v.first == 0 && v.bins >= span);
        uint64_t storm_done = 0;
        for (uint32_t k = 0; k < span; k++) storm_done += v.restore_to_dno[k];
        uint32_t qmax = 0, dropped = 0;
        for (uint32_t k = 0; k < span; k++) {
            if (v.queue_max[k] > qmax) qmax = v.queue_max[k];
            dropped += v.dropped[k];
        }
        cr_log_info("priority %d: %llu restore alerts to the DNO, queue max %u, dropped %u", prio,
                    (unsigned long long)storm_done, qmax, dropped);
        cr_expect(storm_done > 4000 && qmax > 1000, "storms reach the DNO and queue");
#define SERIES_CMP_(name, type, units, desc)                                                       \
    for (uint32_t k = 0; k < span; k++)                                                            \
        cr_assert(c.name[k] == v.name[k], "priority %d: %s[%u]: streamed %g, whole run %g", prio,  \
                  #name, k, (double)c.name[k], (double)v.name[k]);                                 \
    free(c.name);
        NET_HE_SERIES_MAP(SERIES_CMP_)
#undef SERIES_CMP_
        net_he_destroy(whole);
    }
}

/* 400 days: 34.6 million bins per series (2 GB for the 12 if held whole); streamed, the
 * window (1,800 bins) plus the 90-s forwarding delay, rounded up by doubling, is held. */
Test(headend_series, memory_does_not_grow_with_the_span)
{
    uint32_t peak = stream_run(false, 400u * 86400u, NULL, NULL);
    cr_log_info("400 days streamed: at most %u bins allocated per series", peak);
    cr_expect(peak >= WIN_S && peak <= 2 * (WIN_S + (uint32_t)DNO_DELAY_S + 2), "%u bins", peak);
}

/* ---- checkpoints ------------------------------------------------------------------------ */

static int he_io(void *model, sim_ckpt *c)
{
    return net_he_ckpt(model, c);
}

static blob he_save(net_headend *he)
{
    return blob_save(he_io, he);
}

/* Loads the first N bytes of S into HE: net_he_ckpt's result; the error, if any, in ERR. */
static int he_load(net_headend *he, const blob *s, size_t n, char *err, size_t errlen)
{
    return blob_load(he_io, he, s, n, err, errlen);
}

/* What the done callback saw: no padding, so logs compare with memcmp. */
typedef struct done_rec {
    uint64_t id;
    double start_s, done_s, dno_s;
} done_rec;

typedef struct done_log {
    done_rec *r;
    size_t n, cap;
} done_log;

static void log_done(void *ctx, const net_he_done *d)
{
    done_log *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        cr_assert(l->r);
    }
    l->r[l->n++] = (done_rec){d->id, d->start_s, d->done_s, d->dno_s};
}

static const uint32_t ck_areas[3] = {9, 4, 17}, ck_premises[2] = {33, 5};

/* FIFO: 3 servers of mixed service laws behind a waiting room of 120, exclusion on, 400 one-s
 * bins (the traffic runs to 480 s, so some events are late).  PRIORITY: 2 servers, levels
 * from the class table, class and system token buckets. */
static net_he_config ck_config(bool priority)
{
    net_he_config c = base_config(priority ? 2 : 3, 120, 400);
    c.seed = 77;
    c.dno_delay_s = 20;
    c.exclusion = true;
    c.excl_areas = ck_areas;
    c.n_excl_areas = 3;
    c.excl_premises = ck_premises;
    c.n_excl_premises = 2;
    for (unsigned i = 0; i < NET_HE_NCLASS; i++) {
        c.cls[i].dist = (net_he_dist)(i % 3);
        c.cls[i].service_s = 0.1 + 0.05 * (i % 4);
        c.cls[i].service_cv = 1.5;
        c.cls[i].per_kib_s = 0.01;
        if (c.cls[i].dist == NET_HE_DETERMINISTIC) {
            /* exact binary times: with the arrivals on a grid, completions tie */
            c.cls[i].service_s = 0.25;
            c.cls[i].per_kib_s = 0;
        }
    }
    if (priority) {
        c.priority = true;
        c.throttle = true;
        c.sys_rate_per_s = 30;
        c.sys_burst = 40;
        c.cls[NET_HE_ALERT_RESTORE].rate_per_s = 12;
        c.cls[NET_HE_ALERT_RESTORE].burst = 25;
        c.cls[NET_HE_TOPUP].rate_per_s = 2;
        c.cls[NET_HE_TOPUP].burst = 3;
    }
    return c;
}

/* Background of every class at 8/s over [0, 480 s), storms of 80/s in [100, 150), [290, 310)
 * and [405, 425) (mostly restore alerts), areas and premises that hit the exclusion lists.  A
 * third of the arrivals fall on a 1/64-s grid, so that completions tie and their order rests on
 * the acceptance sequence. */
static net_he_req *ck_traffic(size_t *n)
{
    size_t cap = 20000, k = 0;
    net_he_req *q = malloc(cap * sizeof *q);
    cr_assert(q);
    sim_rng r;
    sim_rng_seed(&r, 8, 9, "test.ckpt");
    gsl_rng g;
    for (double t = 0;;) {
        bool storm = (t >= 100 && t < 150) || (t >= 290 && t < 310) || (t >= 405 && t < 425);
        t += gsl_ran_exponential(sim_rng_gsl(&r, &g), storm ? 1.0 / 80 : 1.0 / 8);
        if (sim_rng_uniform(&r) < 0.35) t = ceil(t * 64) / 64;
        if (t >= 480) break;
        cr_assert(k < cap);
        unsigned cls = storm && sim_rng_uniform(&r) < 0.8
                           ? NET_HE_ALERT_RESTORE
                           : (unsigned)sim_rng_below(&r, NET_HE_NCLASS);
        q[k] = (net_he_req){.id = k,
                            .arrival_s = t,
                            .origin_s = t - 2 * sim_rng_uniform(&r),
                            .premises = (uint32_t)sim_rng_below(&r, 60),
                            .area = (uint32_t)sim_rng_below(&r, 20),
                            .bytes = (uint32_t)sim_rng_below(&r, 4096),
                            .cls = cls};
        k++;
    }
    *n = k;
    return q;
}

static void expect_same_series(const net_headend *a, const net_headend *b, const char *when)
{
    net_he_series x, y;
    net_he_series_view(a, &x);
    net_he_series_view(b, &y);
    cr_assert(x.first == y.first && x.bins == y.bins && x.allocated == y.allocated &&
                  x.late == y.late,
              "%s: series first %llu/%llu, bins %u/%u, allocated %u/%u, late %llu/%llu", when,
              (unsigned long long)x.first, (unsigned long long)y.first, x.bins, y.bins, x.allocated,
              y.allocated, (unsigned long long)x.late, (unsigned long long)y.late);
#define CK_SERIES_CMP_(name, type, units, desc)                                                    \
    cr_assert(x.bins == 0 || memcmp(x.name, y.name, x.bins * sizeof(type)) == 0,                   \
              "%s: series %s differs", when, #name);
    NET_HE_SERIES_MAP(CK_SERIES_CMP_)
#undef CK_SERIES_CMP_
}

static void expect_same_results(const net_headend *a, const net_headend *b)
{
    static const double q[] = {0, 0.1, 0.5, 0.9, 0.99, 1};
    for (unsigned cls = 0; cls <= NET_HE_NCLASS; cls++) {
        net_he_stats x, y;
        net_he_stats_get(a, cls, &x);
        net_he_stats_get(b, cls, &y);
        cr_assert(memcmp(&x, &y, sizeof x) == 0, "stats of class %u differ", cls);
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
            double w[2] = {net_he_wait_quantile(a, cls, q[i]), net_he_wait_quantile(b, cls, q[i])};
            double r[2] = {net_he_resp_quantile(a, cls, q[i]), net_he_resp_quantile(b, cls, q[i])};
            cr_assert(memcmp(&w[0], &w[1], sizeof w[0]) == 0, "class %u wait q%g: %g vs %g", cls,
                      q[i], w[0], w[1]);
            cr_assert(memcmp(&r[0], &r[1], sizeof r[0]) == 0, "class %u resp q%g: %g vs %g", cls,
                      q[i], r[0], r[1]);
        }
    }
    cr_assert(net_he_clock(a) == net_he_clock(b));
    cr_assert_eq(net_he_waiting(a), net_he_waiting(b));
    cr_assert_eq(net_he_busy(a), net_he_busy(b));
    expect_same_series(a, b, "end");
}

/* Offers Q[*next..) arriving before W_END to every model of HE[0..nhe), then advances them to
 * W_END (a window end of 60 s, as the engine's), takes the window's quantiles unless TAKE is
 * false (then the next window's cover both) and releases the bins more than 30 s old, so the
 * held window starts after bin 0. */
static void ck_window(net_headend **he, int nhe, const net_he_req *q, size_t n, size_t *next,
                      double w_end, bool take)
{
    for (; *next < n && q[*next].arrival_s < w_end; (*next)++) {
        net_he_outcome o[2];
        double d[2];
        for (int m = 0; m < nhe; m++)
            cr_assert_eq(net_he_submit(he[m], &q[*next], &o[m], &d[m]), 0);
        if (nhe == 2)
            cr_assert(o[0] == o[1] && memcmp(&d[0], &d[1], sizeof d[0]) == 0,
                      "request %zu: outcome %d/%d, done %g/%g", *next, o[0], o[1], d[0], d[1]);
    }
    static const double qs[3] = {0.5, 0.9, 0.99};
    double wq[2][3];
    for (int m = 0; m < nhe; m++) {
        cr_assert_eq(net_he_advance(he[m], w_end), 0);
        if (take) net_he_window_quantiles(he[m], qs, 3, wq[m]);
    }
    if (nhe == 2 && take) {
        cr_assert(memcmp(wq[0], wq[1], sizeof wq[0]) == 0, "window quantiles at %g s", w_end);
        expect_same_series(he[0], he[1], "window end");
    }
    for (int m = 0; m < nhe; m++)
        cr_assert_eq(net_he_series_release(he[m], (uint64_t)w_end - 30), 0);
}

/* Runs the traffic to a window end CK, saves, loads into a fresh model of the same
 * configuration, then drives both to the end: the completions after CK, every outcome, the
 * statistics, quantiles and series must be the same bit for bit. */
static void round_trip(bool priority, double ck)
{
    net_he_config cfg = ck_config(priority);
    size_t n, next = 0;
    net_he_req *q = ck_traffic(&n);
    done_log log[2] = {{0}};
    net_headend *he[2];
    cr_assert_eq(net_he_create(&cfg, log_done, &log[0], &he[0]), 0);
    /* the window's latencies are part of the state: the checkpoint holds some */
    for (double w = 60; w <= ck; w += 60)
        ck_window(he, 1, q, n, &next, w, w < ck);
    cr_assert(net_he_waiting(he[0]) > 0 && net_he_busy(he[0]) > 0,
              "the checkpoint should catch a queue (%u waiting)", net_he_waiting(he[0]));
    net_he_series at;
    net_he_series_view(he[0], &at);
    cr_assert(at.first > 0 && (ck < 400 || at.late > 0), "series held from %llu, %llu late",
              (unsigned long long)at.first, (unsigned long long)at.late);
    blob s = he_save(he[0]);

    cr_assert_eq(net_he_create(&cfg, log_done, &log[1], &he[1]), 0);
    char err[256];
    cr_assert_eq(he_load(he[1], &s, s.n, err, sizeof err), 0, "%s", err);
    expect_same_results(he[0], he[1]);
    /* the checkpoint holds state, not history: the loaded model saves the same bytes */
    blob s2 = he_save(he[1]);
    cr_assert(s2.n == s.n && memcmp(s2.b, s.b, s.n) == 0, "re-saved %zu bytes, saved %zu", s2.n,
              s.n);
    size_t before = log[0].n;

    for (double w = ck + 60; w <= 480; w += 60)
        ck_window(he, 2, q, n, &next, w, true);
    cr_assert_eq(next, n);
    for (int m = 0; m < 2; m++)
        cr_assert_eq(net_he_finish(he[m]), 0);
    cr_assert(log[1].n > 300, "%zu completions after the checkpoint", log[1].n);
    cr_assert_eq(log[0].n - before, log[1].n);
    cr_assert(memcmp(log[0].r + before, log[1].r, log[1].n * sizeof *log[1].r) == 0,
              "completions after the checkpoint differ");
    expect_same_results(he[0], he[1]);

    net_he_stats st;
    net_he_stats_get(he[0], NET_HE_NCLASS, &st);
    net_he_series v;
    net_he_series_view(he[0], &v);
    cr_log_info("priority %d, checkpoint at %.0f s: %zu B; %llu offered, %llu dropped, %llu "
                "quarantined, %llu excluded, %llu late",
                priority, ck, s.n, (unsigned long long)st.offered, (unsigned long long)st.dropped,
                (unsigned long long)st.quarantined, (unsigned long long)st.excluded,
                (unsigned long long)v.late);
    cr_expect(st.dropped > 0 && st.excluded > 0 && v.late > 0, "traffic exercises the model");
    if (priority) cr_expect(st.quarantined > 0);
    for (int m = 0; m < 2; m++) {
        net_he_destroy(he[m]);
        free(log[m].r);
    }
    free(s.b);
    free(s2.b);
    free(q);
}

Test(headend_ckpt, fifo_run_resumes_bit_identically)
{
    round_trip(false, 120);
    round_trip(false, 300);
    round_trip(false, 420); /* past the last bin: late events before and after */
}

Test(headend_ckpt, priority_run_with_thresholds_resumes_bit_identically)
{
    round_trip(true, 120);
    round_trip(true, 300);
    round_trip(true, 420);
}

/* A model saved at the storm's height, for the refusal tests. */
static blob ck_storm_state(bool priority)
{
    net_he_config cfg = ck_config(priority);
    size_t n, next = 0;
    net_he_req *q = ck_traffic(&n);
    net_headend *he;
    cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
    for (double w = 60; w <= 120; w += 60)
        ck_window(&he, 1, q, n, &next, w, true);
    blob s = he_save(he);
    net_he_destroy(he);
    free(q);
    return s;
}

Test(headend_ckpt, another_configuration_is_refused)
{
    static const uint32_t one_area[1] = {9};
    blob s = ck_storm_state(false);
    struct {
        const char *what, *want;
    } v[] = {{"servers", "servers"},
             {"waiting room", "waiting room"},
             {"priority", "priority mode"},
             {"bins", "series bins"},
             {"areas", "excluded areas"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        net_he_config cfg = ck_config(false);
        switch (i) {
        case 0:
            cfg.servers++;
            break;
        case 1:
            cfg.queue_cap--;
            break;
        case 2:
            cfg.priority = true;
            break;
        case 3:
            cfg.series_bins = 500;
            break;
        default:
            cfg.excl_areas = one_area;
            cfg.n_excl_areas = 1;
        }
        net_headend *he;
        cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
        char err[256];
        cr_expect_eq(he_load(he, &s, s.n, err, sizeof err), -1, "other %s: loaded", v[i].what);
        cr_expect(strstr(err, v[i].want), "other %s: '%s'", v[i].what, err);
        cr_log_info("other %s: %s", v[i].what, err);
        net_he_destroy(he);
    }
    free(s.b);
}

/* Cut anywhere (in the header, the heaps, the pool, a histogram, the series), a checkpoint
 * fails to load with a message, and the half-loaded model can still be destroyed. */
Test(headend_ckpt, truncated_checkpoint_fails_cleanly)
{
    for (int prio = 0; prio < 2; prio++) {
        blob s = ck_storm_state(prio);
        net_he_config cfg = ck_config(prio);
        for (size_t k = 0; k <= 16; k++) {
            size_t cut = k < 16 ? s.n * k / 16 : s.n - 1;
            net_headend *he;
            cr_assert_eq(net_he_create(&cfg, NULL, NULL, &he), 0);
            char err[256];
            cr_expect_eq(he_load(he, &s, cut, err, sizeof err), -1, "cut at %zu of %zu", cut, s.n);
            cr_expect(strstr(err, "ends early"), "cut at %zu: '%s'", cut, err);
            net_he_destroy(he);
        }
        free(s.b);
    }
}

/* Completions at the same time leave in acceptance order, and a job accepted after the
 * checkpoint comes after one accepted before it.  Service exactly 1 s, top-ups 1.5 s, two
 * servers: alert 0 at 59 s (done 60 s), top-up 1 at 59.5 s (done 61 s), checkpoint at 60 s,
 * alert 2 at 60 s (done 61 s): 1 then 2. */
Test(headend_ckpt, completion_ties_keep_acceptance_order)
{
    for (int prio = 0; prio < 2; prio++) {
        net_he_config cfg = base_config(2, 10, 100);
        set_all(&cfg, NET_HE_DETERMINISTIC, 1.0);
        cfg.cls[NET_HE_TOPUP].service_s = 1.5;
        cfg.priority = prio;
        done_log log[2] = {{0}};
        net_headend *he[2];
        cr_assert_eq(net_he_create(&cfg, log_done, &log[0], &he[0]), 0);
        net_he_outcome o;
        net_he_req q = {.id = 0, .arrival_s = 59, .origin_s = 59, .cls = NET_HE_ALERT_OUTAGE};
        cr_assert_eq(net_he_submit(he[0], &q, &o, NULL), 0);
        q = (net_he_req){.id = 1, .arrival_s = 59.5, .origin_s = 59.5, .cls = NET_HE_TOPUP};
        cr_assert_eq(net_he_submit(he[0], &q, &o, NULL), 0);
        cr_assert_eq(net_he_advance(he[0], 60), 0);
        cr_assert_eq(log[0].n, 1);
        blob s = he_save(he[0]);
        cr_assert_eq(net_he_create(&cfg, log_done, &log[1], &he[1]), 0);
        char err[256];
        cr_assert_eq(he_load(he[1], &s, s.n, err, sizeof err), 0, "%s", err);
        q = (net_he_req){.id = 2, .arrival_s = 60, .origin_s = 60, .cls = NET_HE_ALERT_OUTAGE};
        for (int m = 0; m < 2; m++) {
            cr_assert_eq(net_he_submit(he[m], &q, &o, NULL), 0);
            cr_assert_eq(net_he_finish(he[m]), 0);
        }
        cr_assert(log[0].n == 3 && log[1].n == 2);
        for (size_t i = 0; i < 2; i++) {
            cr_expect(log[1].r[i].done_s == 61.0, "priority %d: done at %g", prio,
                      log[1].r[i].done_s);
            cr_expect_eq(log[1].r[i].id, i + 1, "priority %d: completion %zu is job %llu", prio, i,
                         (unsigned long long)log[1].r[i].id);
        }
        cr_expect(memcmp(log[0].r + 1, log[1].r, 2 * sizeof *log[1].r) == 0);
        for (int m = 0; m < 2; m++) {
            net_he_destroy(he[m]);
            free(log[m].r);
        }
        free(s.b);
    }
}
